use super::secret_flows_to_state::report_flows;
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::FlowKind;
use crate::types::Severity;

/// TFG011: A secret flows into a root-module output, which Terraform stores in state.
pub struct SecretFlowsToOutput;

static META: RuleMeta = RuleMeta {
    id: "TFG011",
    name: "secret-flows-to-output",
    title: "A secret flows into a root-module output, which Terraform stores in state",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG011.md"),
};

impl Rule for SecretFlowsToOutput {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_modules(&self, cx: &Ctx<'_>, modules: &[Module], out: &mut Sink) {
        report_flows(cx, modules, FlowKind::SecretToOutput, &META, out);
    }
}
