use super::helpers::flow::{report_flows, sink_fix};
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind};
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
        report_flows(cx, modules, FlowKind::EphemeralToState, &META, out, words);
    }
}

/// Terraform's own wording ("Ephemeral values are not valid for …"), so users recognise it.
fn words(f: &Flow) -> (String, String) {
    match &f.fact {
        Fact::RootOutput { name, .. } => (
            format!(
                "Ephemeral values are not valid for root output \"{name}\": root outputs are persisted to state: {} ({})",
                f.chain(),
                f.loc
            ),
            "Do not output ephemeral values from the root module; `ephemeral = true` outputs are allowed only in child modules.".to_string(),
        ),
        Fact::Argument { argument, leaf, sink, .. } => (
            format!(
                "Ephemeral values are not valid for \"{argument}\", because it is not a write-only attribute and must be persisted to state: {} ({})",
                f.chain(),
                f.loc
            ),
            sink_fix(sink, leaf).unwrap_or_else(|| {
                format!(
                    "Pass the ephemeral value only to a write-only argument (`*_wo`, Terraform >= 1.11), a provider block or another ephemeral resource; `{}` stores `{argument}` in state.",
                    f.address
                )
            }),
        ),
        _ => (f.chain(), String::new()),
    }
}
