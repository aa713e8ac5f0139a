use super::secret_flows_to_state::report_flows;
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::FlowKind;
use crate::types::Severity;

/// TFG014: A secret goes where tfguard cannot follow it.
pub struct SecretFlowUnverifiable;

static META: RuleMeta = RuleMeta {
    id: "TFG014",
    name: "secret-flow-unverifiable",
    title: "A secret goes where tfguard cannot follow it",
    family: "secrets",
    severity: Severity::Info,
    docs: include_str!("../../../policies/rules/TFG014.md"),
};

impl Rule for SecretFlowUnverifiable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_modules(&self, cx: &Ctx<'_>, modules: &[Module], out: &mut Sink) {
        report_flows(cx, modules, FlowKind::CannotVerify, &META, out);
    }
}
