//! Typed views of the OAuth sections of the policy packs (`policies/default/oauth.toml`).

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::policy::Policy;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OauthPolicy {
    pub resource: String,
    pub provider_sources: Vec<String>,
    pub provider_local_name: String,
    pub redirecting_grants: Vec<String>,
    pub role_grants: Vec<String>,
    pub grant_aliases: BTreeMap<String, String>,
    /// Grant → its retirement (TFG035).
    pub retired_grants: BTreeMap<String, RetiredGrant>,
}

/// A grant Genesys is retiring: no new clients, then no tokens.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetiredGrant {
    /// The flow's usual name (`implicit`).
    pub flow: String,
    /// Since when new clients with the grant cannot be created.
    pub no_new_since: String,
    /// When the flow stops working.
    pub stops_by: String,
    /// What to use instead.
    pub instead: String,
    pub source: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedirectPolicy {
    pub allowed_schemes: Vec<String>,
    pub allow_loopback_ipv4: bool,
    pub allow_loopback_ipv6: bool,
    pub allow_localhost: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopePolicy {
    /// When the generated catalogue was taken (the swagger snapshot's date) and from where.
    pub catalogue_date: String,
    pub catalogue_source: String,
    pub known: Vec<String>,
    /// Names Genesys once accepted that no operation takes any more: warned as obsolete.
    pub legacy: Vec<String>,
    /// Names seen on live clients but absent from the catalogue's source: warned, not errors.
    pub unverified: Vec<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    /// Broad scope → why it is broad.
    pub broad: BTreeMap<String, String>,
    pub allow_broad: Vec<String>,
    /// Client addresses (globs) exempt from the least-privilege check (TFG033).
    pub least_privilege_exempt: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schema {
    pub resource: String,
    pub latest: String,
    pub meta_arguments: Vec<String>,
    pub argument: Vec<Argument>,
    pub renamed: BTreeMap<String, Renamed>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argument {
    pub name: String,
    /// string | number | bool | set_string | block_set
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub computed_only: bool,
    pub sensitive: bool,
    pub default: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Above this a value is accepted by the provider but questionable (a warning).
    pub soft_max: Option<i64>,
    pub soft_max_why: String,
    #[serde(rename = "enum")]
    pub enum_values: Vec<String>,
    pub enum_since: BTreeMap<String, String>,
    pub since: Option<String>,
    /// Arguments of a nested block (`type = "block_set"`).
    pub block: Vec<Argument>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Renamed {
    pub to: String,
    pub why: String,
}

/// All OAuth data, typed once per `check` call (`rules::Memo::oauth`).
#[derive(Debug, Clone)]
pub struct OauthData {
    pub oauth: OauthPolicy,
    pub redirect: RedirectPolicy,
    pub scopes: ScopePolicy,
    pub schema: Schema,
}

impl OauthData {
    pub fn load(policy: &Policy) -> Result<OauthData, String> {
        Ok(OauthData {
            oauth: policy.section("oauth")?,
            redirect: policy.section("redirect_uris")?,
            scopes: policy.section("scopes")?,
            schema: policy.section("oauth_schema")?,
        })
    }

    pub fn resource(&self) -> &str {
        if self.oauth.resource.is_empty() {
            "genesyscloud_oauth_client"
        } else {
            &self.oauth.resource
        }
    }

    /// The provider's local name in `required_providers` (`genesyscloud` unless the pack says).
    pub fn provider_local_name(&self) -> &str {
        if self.oauth.provider_local_name.is_empty() {
            "genesyscloud"
        } else {
            &self.oauth.provider_local_name
        }
    }

    /// The source address to recommend: the pack's first accepted one.
    pub fn preferred_source(&self) -> &str {
        self.oauth
            .provider_sources
            .first()
            .map_or("", String::as_str)
    }

    pub fn argument(&self, name: &str) -> Option<&Argument> {
        self.schema.argument.iter().find(|a| a.name == name)
    }

    /// A client's grant type when it is known and valid; an invalid one is TFG041's finding
    /// and would only cascade into the grant-dependent rules.
    /// The client's grant: as written when valid, else what it unmistakably means (see
    /// [`OauthData::grant_meant`]). TFG041 reports the spelling; the other grant rules judge
    /// the client by its meaning, so fixing the spelling brings no second surprise.
    pub fn grant<'c>(&'c self, c: &'c super::Client) -> Option<&'c str> {
        let g = c.str("authorized_grant_type")?;
        let arg = self.argument("authorized_grant_type");
        let valid =
            arg.is_none_or(|a| a.enum_values.is_empty() || a.enum_values.iter().any(|v| v == g));
        if valid {
            return Some(g);
        }
        self.grant_meant(g)
    }

    /// What the client wrote, when [`OauthData::grant`] read it by its meaning (a rule's
    /// message then names both).
    pub fn grant_respelled<'c>(&'c self, c: &'c super::Client) -> Option<&'c str> {
        let written = c.str("authorized_grant_type")?;
        self.grant(c).filter(|g| *g != written).map(|_| written)
    }

    /// The valid grant type an invalid `written` one stands for, when there is no doubt: a
    /// standard OAuth name (`client_credentials`, `authorization_code`) or a case slip
    /// (`code`). Typos are only suggested (TFG041), never assumed.
    pub fn grant_meant(&self, written: &str) -> Option<&str> {
        let lower = written.to_ascii_lowercase();
        if let Some(g) = self
            .oauth
            .grant_aliases
            .get(&lower)
            .filter(|g| !g.is_empty())
        {
            return Some(g.as_str());
        }
        self.argument("authorized_grant_type")?
            .enum_values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(written))
            .map(String::as_str)
    }

    pub fn is_redirecting(&self, grant: &str) -> bool {
        self.oauth.redirecting_grants.iter().any(|g| g == grant)
    }

    pub fn takes_roles(&self, grant: &str) -> bool {
        self.oauth.role_grants.iter().any(|g| g == grant)
    }
}

#[cfg(test)]
pub(crate) fn default_policy() -> Policy {
    Policy::with_builtins(&[]).expect("default packs load")
}

#[cfg(test)]
pub(crate) fn default_data() -> OauthData {
    OauthData::load(&default_policy()).expect("oauth sections typecheck")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo lives in one call's context: another call with another pack never sees it.
    #[test]
    fn memo_follows_the_pack_of_its_call() {
        let opts = crate::options::Options::default();
        let base = default_policy();
        let cx = crate::rules::Ctx::new(&base, &opts, &[]);
        assert!(!cx.memo.oauth(&base).unwrap().redirect.allow_localhost);
        let packs = vec![
            crate::types::PolicyPackSrc {
                name: "oauth".into(),
                contents: include_str!("../../../policies/default/oauth.toml").into(),
            },
            crate::types::PolicyPackSrc {
                name: "mine".into(),
                contents: "[redirect_uris]\nallow_localhost = true\n".into(),
            },
        ];
        let custom = Policy::load(&packs).unwrap();
        let cx2 = crate::rules::Ctx::new(&custom, &opts, &[]);
        assert!(cx2.memo.oauth(&custom).unwrap().redirect.allow_localhost);
        assert!(!cx.memo.oauth(&base).unwrap().redirect.allow_localhost);
    }

    #[test]
    fn default_pack_is_complete() {
        let d = default_data();
        assert_eq!(d.resource(), "genesyscloud_oauth_client");
        // Generated by scripts/gen-genesys-scopes from the 2026-07-23 swagger: 134 names.
        let set: std::collections::BTreeSet<_> = d.scopes.known.iter().collect();
        assert_eq!(set.len(), d.scopes.known.len(), "duplicate scope");
        assert_eq!(set.len(), 134);
        assert_eq!(d.scopes.catalogue_date, "2026-07-23");
        assert!(d.scopes.catalogue_source.contains("swagger"));
        assert_eq!(d.scopes.legacy, ["streaming-events:readonly"]);
        assert!(d.scopes.unverified.iter().any(|s| s == "webhooks"));
        for s in d.scopes.legacy.iter().chain(&d.scopes.unverified) {
            assert!(!set.contains(s), "{s} is both known and legacy/unverified");
        }
        // The old hand-collected names (but the legacy one), the newer ones, and the
        // seed's wrong names are absent.
        for s in [
            "users",
            "users:readonly",
            "conversations",
            "analytics:readonly",
            "data-privacy",
            "employee-engagement:readonly",
            "gamification:readonly",
            "infrastructureascode",
            "logcapture:readonly",
            "usage:readonly",
        ] {
            assert!(set.contains(&s.to_string()), "{s}");
        }
        for s in ["user:read", "conversation:call", "analytics:conversation"] {
            assert!(!set.contains(&s.to_string()), "{s}");
        }
        let grant = d.argument("authorized_grant_type").unwrap();
        assert!(grant.required);
        assert_eq!(grant.enum_since["SAML2-BEARER"], "1.51.0");
        assert_eq!(
            d.argument("expose_client_secret").unwrap().since.as_deref(),
            Some("1.68.5")
        );
        assert_eq!(d.argument("roles").unwrap().block.len(), 2);
        assert!(d.is_redirecting("CODE") && !d.is_redirecting("CLIENT-CREDENTIALS"));
        assert!(d.takes_roles("CLIENT-CREDENTIALS"));
        assert!(!d.redirect.allow_localhost && d.redirect.allow_loopback_ipv4);
    }
}
