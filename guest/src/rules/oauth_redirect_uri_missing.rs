use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, OauthData, list_items};
use crate::types::Severity;

/// TFG022: a grant that redirects (CODE, TOKEN) has no registered redirect URI.
pub struct OauthRedirectUriMissing;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG022",
    name: "oauth-redirect-uri-missing",
    title: "OAuth client with a redirecting grant has no redirect URI",
    family: "redirect-uris",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG022.md"),
};

crate::client_rule!(OauthRedirectUriMissing, META);

impl ClientCheck for OauthRedirectUriMissing {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        // An unknown grant is reported by TFG041, unknown URIs by TFG020.
        let Some(grant) = d.grant(c) else {
            return;
        };
        if !d.is_redirecting(grant) {
            return;
        }
        let uris = list_items(c, "registered_redirect_uris");
        if uris.is_empty() {
            let (span, attr) = match c.arg("registered_redirect_uris") {
                Some(a) => (a.key_span, a.name.as_str()),
                None => match c.arg("authorized_grant_type") {
                    Some(a) => (a.value.span.or(c.span), "authorized_grant_type"),
                    None => (c.span, ""),
                },
            };
            e.at(
                span,
                attr,
                format!(
                    "`authorized_grant_type = \"{grant}\"` sends users back to a redirect URI, but `registered_redirect_uris` is empty"
                ),
                "Add the exact callback URI(s) the application uses, e.g. `registered_redirect_uris = [\"https://app.example.com/callback\"]`.".into(),
            );
        }
    }
}
