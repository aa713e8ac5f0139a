//! The rule registry. One rule per file, named after the rule; its docs are
//! `policies/rules/<ID>.md` and its fixtures `tests/fixtures/<ID>/`. `REGISTRY` is the one
//! list the engine, `tfguard rules` and the docs test walk.

use crate::hcl::Module;
use crate::state::{Instance, Output, Variable};
use crate::types::Severity;
pub use crate::types::fingerprint;

pub use helpers::context::{Ctx, Memo};
pub use helpers::sink::{Hit, Sink};

// The registry: one line per rule, `file::Type`, in the order `tfguard rules` lists them. A
// rule's file is `rules/<name>.rs` (its kebab name in snake case), its doc
// `policies/rules/<ID>.md`, its fixtures and snapshot `tests/fixtures/<ID>/`.
macro_rules! registry {
    ($($module:ident :: $rule:ident,)*) => {
        $(mod $module; pub use $module::$rule;)*
        pub static REGISTRY: &[&dyn Rule] = &[$(&$rule),*];
    };
}

registry! {
    secret_attribute_in_state::SecretAttributeInState,
    sensitive_value_in_state::SensitiveValueInState,
    secret_pattern_in_value::SecretPatternInValue,
    secret_in_output::SecretInOutput,
    sensitive_plan_variable::SensitivePlanVariable,
    vault_secret_in_state::KnownSecretInState,
    state_encrypted::StateEncrypted,
    suppression_without_reason::SuppressionWithoutReason,
    unused_suppression::UnusedSuppression,
    unknown_rule_in_suppression::UnknownRuleInSuppression,
    secret_flows_to_state::SecretFlowsToState,
    secret_flows_to_output::SecretFlowsToOutput,
    persisted_secret_generator::PersistedSecretGenerator,
    ephemeral_value_persisted::EphemeralValuePersisted,
    secret_flow_unverifiable::SecretFlowUnverifiable,
    oauth_redirect_uri_not_https::OauthRedirectUriNotHttps,
    oauth_redirect_uri_invalid::OauthRedirectUriInvalid,
    oauth_redirect_uri_missing::OauthRedirectUriMissing,
    oauth_redirect_uri_unused::OauthRedirectUriUnused,
    oauth_scope_unknown::OauthScopeUnknown,
    oauth_scope_not_allowed::OauthScopeNotAllowed,
    oauth_scope_broad::OauthScopeBroad,
    oauth_scope_not_least_privilege::OauthScopeNotLeastPrivilege,
    oauth_grant_scope_mismatch::OauthGrantScopeMismatch,
    oauth_grant_retired::OauthGrantRetired,
    oauth_role_all_divisions::OauthRoleAllDivisions,
    oauth_client_unknown_argument::OauthClientUnknownArgument,
    oauth_client_invalid_value::OauthClientInvalidValue,
    oauth_client_secret_exposed::OauthClientSecretExposed,
    oauth_client_secret_argument::OauthClientSecretArgument,
    genesyscloud_provider_source::GenesyscloudProviderSource,
    oauth_client_argument_too_new::OauthClientArgumentTooNew,
}

// What several rules share (flow wording, OAuth client plumbing, the meta rules' dispatch).
pub(crate) mod helpers;
pub(crate) use oauth_client_invalid_value::provision_gap;
pub(crate) use state_encrypted::report as report_encrypted;

/// Meta rules (TFG900–TFG909) word what `crate::suppress` finds wrong with suppressions.
pub use helpers::suppression::findings as suppression_findings;

/// What every rule declares about itself.
pub struct RuleMeta {
    /// Stable code; never reused.
    pub id: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    /// One line, "what is wrong".
    pub title: &'static str,
    /// `secrets`, `redirect-uris`, `oauth`, `meta`.
    pub family: &'static str,
    pub severity: Severity,
    /// Markdown from `policies/rules/<ID>.md`.
    pub docs: &'static str,
}

/// A state or plan document, for rules that look at more than its instances.
pub struct JsonDocument<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    /// Each distinct provider address of the document's resources.
    pub providers: &'a [ProviderSite],
}

/// A provider address: the JSON string literal as written (quotes and escapes included), and
/// its byte offset in the document when the document is UTF-8 (not transcoded).
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderSite {
    pub raw_json: String,
    pub offset: Option<usize>,
}

/// A rule sees whichever inputs it cares about; the defaults ignore the rest.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Validate this rule's options (`rule "ID" { ... }` in `.tfguard.hcl`) before anything
    /// runs, so a typo is a configuration error, never a silently ignored setting.
    fn check_options(&self, opts: &serde_json::Value) -> Result<(), String> {
        no_options(opts)
    }
    /// Whether the rule reads options of its own (its doc then has `## Options`).
    fn takes_options(&self) -> bool {
        false
    }
    /// A resource instance from a state or plan document at `path`.
    fn check_instance(&self, _cx: &Ctx<'_>, _path: &str, _inst: &Instance<'_>, _out: &mut Sink) {}
    /// A root output from a state or plan document.
    fn check_output(&self, _cx: &Ctx<'_>, _path: &str, _o: &Output<'_>, _out: &mut Sink) {}
    /// A plan's input variable.
    fn check_variable(&self, _cx: &Ctx<'_>, _path: &str, _v: &Variable<'_>, _out: &mut Sink) {}
    /// A state or plan document as a whole, after its instances were visited.
    fn check_document(&self, _cx: &Ctx<'_>, _doc: &JsonDocument<'_>, _out: &mut Sink) {}
    /// A Terraform module (all `.tf` files of one directory, with its tfvars).
    fn check_module(&self, _cx: &Ctx<'_>, _m: &Module, _out: &mut Sink) {}
    /// All modules of the check at once, for analyses that cross module boundaries (a module
    /// call's `source = "./child"` is the module whose normalised `dir` is that path).
    fn check_modules(&self, _cx: &Ctx<'_>, _modules: &[Module], _out: &mut Sink) {}
}

/// For rules without options: only an empty block (or none) is accepted.
pub fn no_options(opts: &serde_json::Value) -> Result<(), String> {
    match opts {
        serde_json::Value::Null => Ok(()),
        serde_json::Value::Object(m) if m.is_empty() => Ok(()),
        serde_json::Value::Object(m) => Err(format!(
            "unknown option{} {}: this rule has none (a `rule` block takes `enabled` and `severity`)",
            if m.len() == 1 { "" } else { "s" },
            m.keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => Err("rule options must be an object".into()),
    }
}

/// For rules with options: they must deserialize into the rule's `Opts`.
pub fn typed_options<T: serde::de::DeserializeOwned>(
    opts: &serde_json::Value,
) -> Result<(), String> {
    serde_json::from_value::<T>(opts.clone())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The registry as `Options` sees it.
pub struct Registry;

impl crate::options::RuleSet for Registry {
    fn id_of(&self, name: &str) -> Option<&'static str> {
        find(name).map(|r| r.meta().id)
    }
    fn check_options(&self, id: &str, options: &serde_json::Value) -> Result<(), String> {
        find(id).map_or(Ok(()), |r| r.check_options(options))
    }
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY
        .iter()
        .copied()
        .find(|r| r.meta().id == id || r.meta().name == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every rule keeps the "one rule = code + doc + fixture" contract (STYLE.md §D).
    #[test]
    fn registry_is_consistent() {
        let mut ids = BTreeSet::new();
        for r in REGISTRY {
            let m = r.meta();
            assert!(ids.insert(m.id), "duplicate id {}", m.id);
            assert!(m.id.starts_with("TFG") && m.id.len() == 6, "{}", m.id);
            assert!(
                m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.name
            );
            for heading in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(m.docs.contains(heading), "{} docs lack `{heading}`", m.id);
            }
            assert!(
                m.docs.starts_with(&format!("# {} {}", m.id, m.name)),
                "{} docs title",
                m.id
            );
        }
    }
}
