use super::{Rule, RuleMeta};
use crate::suppress::{Issue, IssueKind};
use crate::types::Severity;

/// TFG902: a `tfguard:ignore[...]` comment names a rule code tfguard does not have (a typo
/// would otherwise leave the intended finding unsuppressed without explanation).
pub struct UnknownRuleInSuppression;

pub static META: RuleMeta = RuleMeta {
    id: "TFG902",
    name: "unknown-rule-in-suppression",
    title: "A suppression comment names an unknown rule code",
    family: "meta",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG902.md"),
};

impl Rule for UnknownRuleInSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

pub(crate) fn words(i: &Issue) -> (String, String) {
    let code = match &i.kind {
        IssueKind::UnknownRule(code) => code.as_str(),
        _ => "",
    };
    (
        format!("suppression names unknown rule `{code}`"),
        "Use a rule id from `tfguard rules`.".into(),
    )
}
