use super::{Rule, RuleMeta};
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
