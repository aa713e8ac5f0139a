use super::secret_flows_to_state::report_flows;
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::FlowKind;
use crate::types::Severity;

/// TFG012: A managed resource generates a secret and keeps it in state.
pub struct PersistedSecretGenerator;

static META: RuleMeta = RuleMeta {
    id: "TFG012",
    name: "persisted-secret-generator",
    title: "A managed resource generates a secret and keeps it in state",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG012.md"),
};

impl Rule for PersistedSecretGenerator {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_modules(&self, cx: &Ctx<'_>, modules: &[Module], out: &mut Sink) {
        report_flows(cx, modules, FlowKind::PersistedGenerator, &META, out);
    }
}
