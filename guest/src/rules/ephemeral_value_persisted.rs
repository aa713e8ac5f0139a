use super::secret_flows_to_state::report_flows;
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::FlowKind;
use crate::types::Severity;

/// TFG013: An ephemeral value flows into an argument that is not write-only.
pub struct EphemeralValuePersisted;

static META: RuleMeta = RuleMeta {
    id: "TFG013",
    name: "ephemeral-value-persisted",
    title: "An ephemeral value flows into an argument that is not write-only",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG013.md"),
};

impl Rule for EphemeralValuePersisted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_modules(&self, cx: &Ctx<'_>, modules: &[Module], out: &mut Sink) {
        report_flows(cx, modules, FlowKind::EphemeralToState, &META, out);
    }
}
