//! The rule registry. One rule per file, named after the rule; its docs are
//! `policies/rules/<ID>.md` and its fixtures `tests/fixtures/<ID>/`. `REGISTRY` is the one
//! list the engine, `tfguard rules` and the docs test walk.

use std::rc::Rc;

use crate::hcl::Module;
use crate::oauth::Client;
use crate::oauth::data::OauthData;
use crate::oauth::scopes::Catalogue;
use crate::options::Options;
use crate::policy::Policy;
use crate::state::{Instance, Output, Variable};
pub use crate::types::fingerprint;
use crate::types::{Finding, Severity, Span};

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

/// Read-only context handed to rules.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub options: &'a Options,
    /// Known secret values (from Vault) for the cross-check.
    pub known_secrets: &'a [crate::types::KnownSecret],
    /// What rules derive from the inputs above, computed once per call.
    pub memo: Memo,
}

impl<'a> Ctx<'a> {
    pub fn new(
        policy: &'a Policy,
        options: &'a Options,
        known_secrets: &'a [crate::types::KnownSecret],
    ) -> Self {
        Ctx {
            policy,
            options,
            known_secrets,
            memo: Memo::default(),
        }
    }
}

/// The flow analysis and the (address, length) of the module list it ran on.
type FlowsMemo = (usize, usize, Rc<Vec<crate::hcl::flow::Flow>>);

/// Work shared between rules within one `check` call. The packs and options are fixed for
/// the call, so typed OAuth data and scope catalogues are built once, and the client model of
/// an instance once for all fifteen OAuth rules (they dominated large states: bench/NOTES.md).
#[derive(Default)]
pub struct Memo {
    oauth: std::cell::OnceCell<Result<Rc<OauthData>, String>>,
    oauth_resource: std::cell::OnceCell<String>,
    catalogues: std::cell::RefCell<Vec<(Vec<String>, Rc<Catalogue>)>>,
    /// Bumped by the engine for each instance; keys `client`.
    instance: std::cell::Cell<u64>,
    client: std::cell::RefCell<Option<(u64, Option<Rc<Client>>)>>,
    flow_policy: std::cell::OnceCell<Option<Rc<crate::hcl::flow::FlowPolicy>>>,
    needles: std::cell::OnceCell<Rc<vault_secret_in_state::Needles>>,
    /// The clients of the module being checked (the engine runs every rule on one module
    /// before the next), keyed by the module's address.
    module_clients: std::cell::RefCell<Option<(usize, Rc<Vec<Client>>)>>,
    /// The HCL flow analysis, shared by TFG010–TFG014, keyed by the module list it ran on.
    flows: std::cell::RefCell<Option<FlowsMemo>>,
}

impl Memo {
    /// The typed OAuth sections of the packs.
    pub fn oauth(&self, policy: &Policy) -> Result<Rc<OauthData>, String> {
        self.oauth
            .get_or_init(|| OauthData::load(policy).map(Rc::new))
            .clone()
    }

    /// The OAuth client's resource type, read without typing the whole pack (a broken pack is
    /// reported by the rules, for the instances it concerns).
    pub fn oauth_resource(&self, policy: &Policy) -> &str {
        self.oauth_resource.get_or_init(|| {
            policy
                .sections
                .get("oauth")
                .and_then(|t| t.get("resource"))
                .and_then(|v| v.as_str())
                .unwrap_or("genesyscloud_oauth_client")
                .to_string()
        })
    }

    /// The scope catalogue with `extra` scopes added.
    pub fn catalogue(&self, d: &OauthData, extra: &[String]) -> Rc<Catalogue> {
        let mut all = self.catalogues.borrow_mut();
        if let Some((_, c)) = all.iter().find(|(e, _)| e.as_slice() == extra) {
            return c.clone();
        }
        let c = Rc::new(Catalogue::new(&d.scopes, extra));
        all.push((extra.to_vec(), c.clone()));
        c
    }

    /// The `[hcl]` section, typed (validated in `engine::prepare`, so `None` cannot happen for
    /// a prepared call).
    pub fn flow_policy(&self, policy: &Policy) -> Option<Rc<crate::hcl::flow::FlowPolicy>> {
        self.flow_policy
            .get_or_init(|| crate::hcl::flow::FlowPolicy::load(policy).ok().map(Rc::new))
            .clone()
    }

    /// Searchers for every encoding of the known (Vault) secrets of this call.
    pub(crate) fn needles(
        &self,
        secrets: &[crate::types::KnownSecret],
    ) -> Rc<vault_secret_in_state::Needles> {
        self.needles
            .get_or_init(|| Rc::new(vault_secret_in_state::Needles::new(secrets)))
            .clone()
    }

    /// The secret-flow analysis of `modules`, run once for the five rules that report it.
    pub fn flows(
        &self,
        policy: &Policy,
        modules: &[crate::hcl::Module],
    ) -> Result<Rc<Vec<crate::hcl::flow::Flow>>, String> {
        let key = (modules.as_ptr() as usize, modules.len());
        if let Some((p, n, f)) = self.flows.borrow().as_ref()
            && (*p, *n) == key
        {
            return Ok(f.clone());
        }
        let f = Rc::new(crate::hcl::flow::analyze(policy, modules)?);
        *self.flows.borrow_mut() = Some((key.0, key.1, f.clone()));
        Ok(f)
    }

    /// The OAuth clients of module `m`, built once for all the rules that check them.
    pub fn module_clients(
        &self,
        m: &crate::hcl::Module,
        build: impl FnOnce() -> Vec<Client>,
    ) -> Rc<Vec<Client>> {
        let key = m as *const crate::hcl::Module as usize;
        if let Some((k, c)) = self.module_clients.borrow().as_ref()
            && *k == key
        {
            return c.clone();
        }
        let c = Rc::new(build());
        *self.module_clients.borrow_mut() = Some((key, c.clone()));
        c
    }

    /// A new instance is being visited: forget the last one's client.
    pub fn next_instance(&self) {
        self.instance.set(self.instance.get().wrapping_add(1));
    }

    /// The client model of the instance being visited, built on first use.
    pub fn client(&self, build: impl FnOnce() -> Option<Client>) -> Option<Rc<Client>> {
        let now = self.instance.get();
        if let Some((seen, c)) = self.client.borrow().as_ref()
            && *seen == now
        {
            return c.clone();
        }
        let c = build().map(Rc::new);
        *self.client.borrow_mut() = Some((now, c.clone()));
        c
    }
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

/// A finding under construction: everything but the rule's identity.
#[derive(Default)]
pub struct Hit {
    pub message: String,
    pub path: String,
    pub span: Option<Span>,
    pub address: Option<String>,
    pub attribute: Option<String>,
    pub flow: Vec<String>,
    pub remediation: String,
    /// Overrides the rule's default severity for this hit (e.g. "cannot verify" is info).
    pub severity: Option<Severity>,
}

/// Collects findings, applying the configured severity and computing fingerprints.
pub struct Sink<'a> {
    pub options: &'a Options,
    pub findings: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(options: &'a Options) -> Self {
        Sink {
            options,
            findings: Vec::new(),
        }
    }

    pub fn report(&mut self, meta: &RuleMeta, hit: Hit) {
        // An info-level hit ("cannot verify") stays info whatever severity the rule is given:
        // raising the rule must not turn an unknown value into a failure.
        let severity = match hit.severity {
            Some(Severity::Info) => Severity::Info,
            other => self
                .options
                .severity_for(meta.id)
                .or(other)
                .unwrap_or(meta.severity),
        };
        let fingerprint = fingerprint(&[
            meta.id,
            &hit.path,
            hit.address.as_deref().unwrap_or(""),
            hit.attribute.as_deref().unwrap_or(""),
            &hit.flow.join(">"),
        ]);
        self.findings.push(Finding {
            rule_id: meta.id.to_string(),
            severity,
            message: hit.message,
            path: hit.path,
            span: hit.span,
            address: hit.address,
            attribute: hit.attribute,
            flow: hit.flow,
            remediation: hit.remediation,
            suppressed: None,
            fingerprint,
        });
    }
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
