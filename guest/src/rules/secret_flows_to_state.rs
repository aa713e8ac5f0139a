use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::FlowKind;
use crate::types::Severity;

/// TFG010: a secret (catalogued attribute, sensitive variable, secret data source, hard-coded
/// literal) flows into an argument that Terraform persists in state.
pub struct SecretFlowsToState;

static META: RuleMeta = RuleMeta {
    id: "TFG010",
    name: "secret-flows-to-state",
    title: "A secret flows into an argument that Terraform stores in state",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG010.md"),
};

impl Rule for SecretFlowsToState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_modules(&self, cx: &Ctx<'_>, modules: &[Module], out: &mut Sink) {
        report_flows(cx, modules, FlowKind::SecretToState, &META, out);
    }
}

/// Run the flow analysis and report the flows of one kind (shared by TFG010–TFG014).
pub(crate) fn report_flows(
    cx: &Ctx<'_>,
    modules: &[Module],
    kind: FlowKind,
    meta: &RuleMeta,
    out: &mut Sink,
) {
    if modules.iter().all(|m| m.files.is_empty()) {
        return;
    }
    // The `[hcl]` section is validated in `engine::prepare`, so an error here cannot happen
    // for a prepared policy; still, never panic on data.
    let Ok(flows) = cx.memo.flows(cx.policy, modules) else {
        return;
    };
    for f in flows.iter().filter(|f| f.kind == kind) {
        out.report(
            meta,
            Hit {
                message: f.message.clone(),
                path: f.loc.path.clone(),
                span: Some(f.loc.span),
                address: Some(f.address.clone()),
                attribute: (!f.attribute.is_empty()).then(|| f.attribute.clone()),
                flow: f.hops.clone(),
                remediation: f.remediation.clone(),
                severity: (kind == FlowKind::CannotVerify).then_some(Severity::Info),
            },
        );
    }
}
