use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG023: a grant that never redirects (CLIENT-CREDENTIALS, PASSWORD, SAML2-BEARER) has
/// redirect URIs: dead configuration that suggests the wrong grant was chosen.
pub struct OauthRedirectUriUnused;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG023",
    name: "oauth-redirect-uri-unused",
    title: "OAuth client has redirect URIs its grant never uses",
    family: "redirect-uris",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG023.md"),
};

crate::client_rule!(OauthRedirectUriUnused, META);

impl ClientCheck for OauthRedirectUriUnused {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let Some(grant) = d.grant(c) else {
            return;
        };
        if d.is_redirecting(grant) {
            return;
        }
        if let ListView::Items(v, items) = list_items(c, "registered_redirect_uris")
            && !items.is_empty()
        {
            let span = c
                .arg("registered_redirect_uris")
                .and_then(|a| a.key_span)
                .or(v.span);
            e.at(
                span,
                "registered_redirect_uris",
                format!(
                    "`{grant}` clients never redirect, so these {} redirect URI(s) are dead configuration",
                    items.len()
                ),
                format!(
                    "Remove `registered_redirect_uris`, or use a redirecting grant ({}) if users sign in through this client.",
                    d.oauth.redirecting_grants.join(", ")
                ),
            );
        }
    }
}
