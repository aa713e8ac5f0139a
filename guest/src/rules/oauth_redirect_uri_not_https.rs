use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::uri::{self, UriProblem};
use crate::oauth::{Client, Kind, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG020: a registered redirect URI is not `https` (loopback exceptions per RFC 8252 §7.3).
/// Also the rule that says "cannot verify" for redirect URIs that are not statically known.
pub struct OauthRedirectUriNotHttps;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG020",
    name: "oauth-redirect-uri-not-https",
    title: "OAuth redirect URI is not https",
    family: "redirect-uris",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG020.md"),
};

crate::client_rule!(OauthRedirectUriNotHttps, META);

impl ClientCheck for OauthRedirectUriNotHttps {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        match list_items(c, "registered_redirect_uris") {
            ListView::Unknown(v, why) => e.cannot_verify(v, "the redirect URIs", why),
            ListView::Items(_, items) => {
                for item in items {
                    match &item.kind {
                        Kind::Str(s) => {
                            if let Some(UriProblem::NotHttps { message, fix }) =
                                uri::check(s, &d.redirect)
                            {
                                e.at(item.span, &item.path, message + &item.origin(), fix);
                            }
                        }
                        Kind::Unknown(why) => e.cannot_verify(item, "a redirect URI", why),
                        _ => {}
                    }
                }
            }
            ListView::Absent | ListView::NotAList(_) => {}
        }
    }
}
