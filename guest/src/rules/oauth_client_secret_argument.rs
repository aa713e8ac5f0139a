use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::version::Version;
use crate::oauth::{Client, OauthData};
use crate::types::Severity;

/// TFG043: a `client_secret` argument. Genesys Cloud generates the secret server-side; the
/// provider ignores (overwrites) whatever the configuration sets, so the value's only effect is
/// that its source (often a `random_password`) sits in state.
pub struct OauthClientSecretArgument;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG043",
    name: "oauth-client-secret-argument",
    title: "client_secret is set on genesyscloud_oauth_client; Genesys generates the secret",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG043.md"),
};

crate::client_rule!(OauthClientSecretArgument, META);

impl ClientCheck for OauthClientSecretArgument {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        if !c.from_hcl {
            return; // In state, a non-empty client_secret is TFG001's finding.
        }
        let Some(a) = c.arg("client_secret") else {
            return;
        };
        let since = d
            .argument("client_secret")
            .and_then(|x| x.since.as_deref())
            .and_then(Version::parse);
        let versions = match since {
            Some(v) => {
                format!("`client_secret` exists only in provider >= {v}, as a computed placeholder")
            }
            None => "`client_secret` is a computed placeholder".into(),
        };
        let pinned = match (since, c.provider.as_ref().and_then(|p| p.version.as_ref())) {
            (Some(s), Some((con, _))) if con.lacks(s) == Some(true) => format!(
                "; the version constraint `{}` selects {} {}, which has no `client_secret` at all, so `terraform plan` fails",
                con.raw,
                if con.exact {
                    "provider"
                } else {
                    "provider releases from"
                },
                con.min.map(|m| m.to_string()).unwrap_or_default()
            ),
            _ => String::new(),
        };
        e.at(
            a.key_span,
            "client_secret",
            format!(
                "Genesys Cloud generates OAuth client secrets server-side (the API has no field to set one): {versions} that the provider overwrites on create (\"\" unless `expose_client_secret = true`){pinned}. The value set here is never used; it only puts its source in state"
            ),
            "Remove `client_secret` (and the `random_password` that feeds it). Provision the client with `tfguard apply`, which stores the generated secret in Vault KV v2, or read it once from the create response; rotate with POST /api/v2/oauth/clients/{id}/secret (`tfguard rotate`).".into(),
        );
    }
}
