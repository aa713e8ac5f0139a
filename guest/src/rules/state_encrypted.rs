use super::{Hit, Rule, RuleMeta, Sink};
use crate::types::Severity;

/// TFG007: an OpenTofu-encrypted state or plan. Safe by construction, but tfguard cannot look
/// inside, so it says so instead of passing silently or failing as a parse error.
pub struct StateEncrypted;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG007",
    name: "state-encrypted",
    title: "Encrypted state or plan: cannot inspect",
    family: "secrets",
    severity: Severity::Info,
    docs: include_str!("../../../policies/rules/TFG007.md"),
};

impl Rule for StateEncrypted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

/// Called by the engine when a document turns out to be encrypted.
pub(crate) fn report(out: &mut Sink, path: &str, message: &str) {
    out.report(
        &META,
        Hit {
            message: format!("{path}: {message}"),
            path: path.to_string(),
            remediation: "Nothing to fix here: encryption keeps secrets unreadable at rest. To check the content, run `tofu show -json` in a trusted job and pipe it to `tfguard check -`.".into(),
            ..Hit::default()
        },
    );
}
