use super::helpers::flow::{describe, report_flows};
use super::{Ctx, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind, OriginKind};
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
        report_flows(cx, modules, FlowKind::CannotVerify, &META, out, words);
    }
}

/// "cannot verify": an unresolved variable in a secret-named argument, or a module the
/// analysis cannot follow.
fn words(f: &Flow) -> (String, String) {
    match &f.fact {
        Fact::Argument {
            source,
            argument,
            leaf,
            ..
        } => {
            let (reason, unmarked) = match &source.kind {
                OriginKind::Unresolved {
                    reason,
                    unmarked_secret_name,
                } => (reason.as_str(), *unmarked_secret_name),
                _ => ("unknown", false),
            };
            let s = &source.address;
            if unmarked {
                return (
                    format!(
                        "`{s}` is named like a secret but declared neither `ephemeral` nor `sensitive`, and has no value tfguard can resolve ({reason}); `{argument}` of {} gets it, so Terraform stores it in state: {} ({})",
                        f.address,
                        f.chain(),
                        f.loc
                    ),
                    format!(
                        "Mark `{s}` `ephemeral = true` (Terraform >= 1.10) and pass it only to a write-only argument (`{leaf}_wo` with its version argument, Terraform >= 1.11, where the provider has one), or `sensitive = true` at least. If it is not a secret, rename it or give tfguard its value (`terraform.tfvars`, `*.auto.tfvars` or `--var-file`)."
                    ),
                );
            }
            (
                format!(
                    "cannot verify: `{argument}` of {} gets `{s}`, which has no value tfguard can resolve ({reason}); if it is a secret, Terraform stores it in state: {} ({})",
                    f.address,
                    f.chain(),
                    f.loc
                ),
                format!(
                    "If `{s}` is a secret, declare it `sensitive = true` and `ephemeral = true` and pass it only to a write-only argument (`{leaf}_wo` with `{leaf}_wo_version`, Terraform >= 1.11, where the provider has one). Otherwise give tfguard its value (`terraform.tfvars`, `*.auto.tfvars` or `--var-file`)."
                ),
            )
        }
        Fact::UnfollowedModule {
            source,
            module,
            module_source,
            cycle,
            argument,
        } => {
            let why = if *cycle {
                "which calls back into a module on the current call path (a module cycle, which Terraform rejects)"
            } else {
                "whose files were not checked"
            };
            (
                format!(
                    "cannot verify: {} is passed to module `{module}` (source `{module_source}`), {why}: {} ({})",
                    describe(source),
                    f.chain(),
                    f.loc
                ),
                format!(
                    "Check the module's files too (pass its directory to `tfguard check`), or make sure it writes `{argument}` only to write-only arguments."
                ),
            )
        }
        _ => (f.chain(), String::new()),
    }
}
