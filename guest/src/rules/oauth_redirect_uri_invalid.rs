use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::uri::{self, UriProblem};
use crate::oauth::{Client, Kind, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG021: a registered redirect URI is not a valid, exact, absolute URI (fragment, wildcard,
/// user-info, relative, unparseable host).
pub struct OauthRedirectUriInvalid;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG021",
    name: "oauth-redirect-uri-invalid",
    title: "OAuth redirect URI is malformed, relative, or has a fragment, wildcard or user-info",
    family: "redirect-uris",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG021.md"),
};

crate::client_rule!(OauthRedirectUriInvalid, META);

impl ClientCheck for OauthRedirectUriInvalid {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        // Unknown URIs are reported once, by TFG020.
        if let ListView::Items(_, items) = list_items(c, "registered_redirect_uris") {
            for item in items {
                if let Kind::Str(s) = &item.kind
                    && let Some(UriProblem::Invalid { message, fix }) = uri::check(s, &d.redirect)
                {
                    e.at(item.span, &item.path, message + &item.origin(), fix);
                }
            }
        }
    }
}
