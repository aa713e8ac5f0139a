use super::{Rule, RuleMeta};
use crate::suppress::{Issue, IssueKind};
use crate::types::Severity;

/// TFG900: a `tfguard:ignore[...]` comment without a reason. The engine ignores such a
/// suppression (the finding it aimed at still counts); `crate::suppress` reports this rule.
pub struct SuppressionWithoutReason;

pub static META: RuleMeta = RuleMeta {
    id: "TFG900",
    name: "suppression-without-reason",
    title: "A suppression comment gives no reason (or is malformed), so it is ignored",
    family: "meta",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG900.md"),
};

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

/// A comment without a code or without a reason is ignored; the finding says which.
pub(crate) fn words(i: &Issue) -> (String, String) {
    if i.kind == IssueKind::Malformed {
        (
            "malformed suppression: no rule code in brackets, so it is ignored".into(),
            "Write `# tfguard:ignore[ID] reason`, e.g. `# tfguard:ignore[TFG010] sandbox only`."
                .into(),
        )
    } else {
        (
            format!(
                "suppression of {} has no reason, so it is ignored",
                i.codes.join(", ")
            ),
            "Write why the finding is acceptable after the bracket: `# tfguard:ignore[ID] reason`."
                .into(),
        )
    }
}
