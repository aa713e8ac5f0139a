use super::helpers::flow::report_flows;
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind};
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
        report_flows(cx, modules, FlowKind::PersistedGenerator, &META, out, words);
    }
}

/// The generator itself is the finding: its result is in state whoever reads it.
fn words(f: &Flow) -> (String, String) {
    let Fact::Generator {
        resource_type,
        name,
        attribute,
        used_by,
        replacement,
        requires,
        fix,
    } = &f.fact
    else {
        return (f.chain(), String::new());
    };
    let origin = f.hops.first().map(String::as_str).unwrap_or_default();
    let message = if used_by.is_empty() {
        format!(
            "{origin} is persisted in state: a managed `{resource_type}` keeps its `{attribute}` in cleartext in terraform.tfstate even though nothing in the configuration references it ({})",
            f.loc
        )
    } else {
        format!(
            "{origin} is persisted in state: a managed `{resource_type}` keeps its `{attribute}` in cleartext in terraform.tfstate whatever references it (used by {}) ({})",
            used_by.join(", "),
            f.loc
        )
    };
    if replacement.is_empty() {
        return (message, fix.clone());
    }
    // `random_string "password"` is replaced by `ephemeral "random_password"`: the reference
    // names the replacement's type.
    let ephemeral_type = replacement
        .trim_start_matches("ephemeral ")
        .trim_matches('"');
    let fix = format!(
        "Replace `resource \"{resource_type}\" \"{name}\"` with `{replacement} \"{name}\"` ({requires}) and pass `ephemeral.{ephemeral_type}.{name}.{attribute}` only to write-only arguments, e.g. `vault_kv_secret_v2` with `data_json_wo` and `data_json_wo_version` (hashicorp/vault >= 5.0); rotate the value already in state."
    );
    (message, fix)
}
