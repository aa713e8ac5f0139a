use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, Get, Kind, OauthData};
use crate::types::Severity;

/// TFG042: `expose_client_secret = true` (the provider writes the secret into state) and
/// `directory_client_secret` (it writes the secret to a file on the machine running Terraform).
pub struct OauthClientSecretExposed;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG042",
    name: "oauth-client-secret-exposed",
    title: "OAuth client secret is written to state (expose_client_secret) or to disk",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG042.md"),
};

crate::client_rule!(OauthClientSecretExposed, META);

const FIX: &str = "Remove `expose_client_secret` (default false) and provision the client with `tfguard apply`, which puts the secret in Vault KV v2 and never in state. If a state already holds it, rotate the secret (`tfguard rotate`).";

impl ClientCheck for OauthClientSecretExposed {
    /// A prior state with `expose_client_secret = true` holds the secret too.
    fn past_values(&self) -> bool {
        true
    }

    fn check_client(&self, _cx: &Ctx<'_>, _d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        match c.get("expose_client_secret") {
            Get::Known(v) => {
                let on = match &v.kind {
                    Kind::Bool(b) => *b,
                    Kind::Str(s) => s == "true",
                    _ => false,
                };
                if on {
                    e.at(
                        v.span,
                        "expose_client_secret",
                        "`expose_client_secret = true` makes the provider store the client secret in Terraform state (marked sensitive, but cleartext in the state file)".into(),
                        FIX.into(),
                    );
                }
            }
            Get::Unknown(v, why) => e.cannot_verify(v, "`expose_client_secret`", why),
            Get::Absent => {}
        }
        match c.get("directory_client_secret") {
            Get::Known(v) if v.as_str().is_some_and(|s| !s.is_empty()) => e.report(
                Some(Severity::Warning),
                v.span,
                "directory_client_secret",
                format!(
                    "`directory_client_secret` makes the provider write the client secret in cleartext to `{}/<client id>` on the machine running Terraform",
                    v.as_str().unwrap_or_default()
                ),
                "Remove `directory_client_secret`; let `tfguard apply` store the secret in Vault.".into(),
            ),
            Get::Unknown(v, _) if c.from_hcl => e.report(
                Some(Severity::Warning),
                v.span,
                "directory_client_secret",
                "`directory_client_secret` makes the provider write the client secret in cleartext to a file on the machine running Terraform".into(),
                "Remove `directory_client_secret`; let `tfguard apply` store the secret in Vault.".into(),
            ),
            _ => {}
        }
    }
}
