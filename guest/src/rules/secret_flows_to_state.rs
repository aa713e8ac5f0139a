use super::helpers::flow::{describe, report_flows, sink_fix, source_fix};
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind};
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
        report_flows(cx, modules, FlowKind::SecretToState, &META, out, words);
    }
}

/// `<source> reaches <argument>, which <sink> stores in state`; the fix names the source's
/// ephemeral form and the sink's write-only twin.
fn words(f: &Flow) -> (String, String) {
    let Fact::Argument {
        source,
        argument,
        leaf,
        sink,
    } = &f.fact
    else {
        return (f.chain(), String::new());
    };
    let message = format!(
        "{} reaches `{argument}`, which {} stores in state: {} ({})",
        describe(source),
        f.address,
        f.chain(),
        f.loc
    );
    let sink = sink_fix(sink, leaf).unwrap_or_else(|| {
        "Pass the secret only to write-only arguments (`*_wo` with `*_wo_version`, Terraform >= 1.11), e.g. `vault_kv_secret_v2` with `data_json_wo` and `data_json_wo_version` (hashicorp/vault >= 5.0), or keep it out of Terraform.".to_string()
    });
    let fix = [source_fix(source), sink]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (message, fix)
}
