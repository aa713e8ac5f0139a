use super::{Rule, RuleMeta};
use crate::suppress::{Issue, IssueKind};
use crate::types::Severity;

/// TFG901: a `tfguard:ignore[RULE]` comment that suppressed nothing in this run.
/// Reported by `crate::suppress` after every other rule has run.
pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    id: "TFG901",
    name: "unused-suppression",
    title: "A suppression comment matches no finding",
    family: "meta",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG901.md"),
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

pub(crate) fn words(i: &Issue) -> (String, String) {
    let id = match &i.kind {
        IssueKind::Unused(id) => id.as_str(),
        _ => "",
    };
    (
        format!("suppression of {id} matches no finding"),
        "Remove the unused code (or the whole comment).".into(),
    )
}
