use super::helpers::flow::{describe, report_flows, source_fix};
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind};
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
        report_flows(cx, modules, FlowKind::SecretToOutput, &META, out, words);
    }
}

/// Root outputs are stored in state whatever `sensitive` says.
fn words(f: &Flow) -> (String, String) {
    if let Fact::SensitiveOutput { name } = &f.fact {
        return (
            format!(
                "root output `{name}` is marked sensitive, and Terraform stores its value in state in cleartext (`sensitive = true` only hides it from the CLI) ({})",
                f.loc
            ),
            "Remove the output and let consumers read the secret from where it is kept (Vault with `ephemeral \"vault_kv_secret_v2\"`, hashicorp/vault >= 5.0), or protect the state backend and rotate the value.".into(),
        );
    }
    let Fact::RootOutput {
        source,
        name,
        sensitive,
    } = &f.fact
    else {
        return (f.chain(), String::new());
    };
    let message = format!(
        "{} reaches root output `{name}`, which Terraform stores in state in cleartext{}: {} ({})",
        describe(source),
        if *sensitive {
            " (`sensitive = true` only hides it from the CLI)"
        } else {
            ""
        },
        f.chain(),
        f.loc
    );
    let fix = format!(
        "Remove the output and let consumers read the secret from Vault (`ephemeral \"vault_kv_secret_v2\"`, hashicorp/vault >= 5.0). {}",
        source_fix(source)
    );
    (message, fix)
}
