use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, OauthData};
use crate::types::Severity;

/// TFG035: a grant Genesys is retiring (`TOKEN`, the implicit flow). A new client (HCL, a
/// plan's create) is an error: Genesys no longer creates one. An existing client (state, a
/// plan's update or no-op) is a warning: it keeps working until the flow is switched off.
pub struct OauthGrantRetired;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG035",
    name: "oauth-grant-retired",
    title: "OAuth client uses a grant Genesys Cloud is retiring",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG035.md"),
};

crate::client_rule!(OauthGrantRetired, META);

impl ClientCheck for OauthGrantRetired {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        // An invalid grant is TFG041's finding; one it unmistakably means is judged as such.
        let Some(meant) = d.grant(c) else {
            return;
        };
        let Some(r) = d.oauth.retired_grants.get(meant) else {
            return;
        };
        // As written, and what it means when that differs (`IMPLICIT` is `TOKEN`).
        let grant = match d.grant_respelled(c) {
            Some(written) => format!("`authorized_grant_type = \"{written}\"` (`{meant}`)"),
            None => format!("`authorized_grant_type = \"{meant}\"`"),
        };
        // `planned_values` does not say whether the client is new; `resource_changes` does.
        let Some(created) = c.created else {
            return;
        };
        let span = c
            .arg("authorized_grant_type")
            .and_then(|a| a.value.span)
            .or(c.span);
        let flow = if r.flow.is_empty() {
            String::new()
        } else {
            format!(" ({} flow)", r.flow)
        };
        let migrate = format!(
            "Use `{}`: set `authorized_grant_type = \"CODE\"` with registered redirect URIs, and have the application use the authorization-code flow with PKCE (RFC 7636), which needs no client secret in the browser.",
            r.instead
        );
        if created {
            e.report(
                None,
                span,
                "authorized_grant_type",
                format!(
                    "{grant}{flow}: Genesys Cloud no longer creates such clients (since {}), and the flow stops working by {}",
                    r.no_new_since, r.stops_by
                ),
                migrate,
            );
        } else {
            e.report(
                Some(Severity::Warning),
                span,
                "authorized_grant_type",
                format!(
                    "existing client uses `{meant}`{flow}, which Genesys Cloud switches off by {}",
                    r.stops_by
                ),
                format!(
                    "Migrate before {}: create a CODE client, move the application to the authorization-code flow with PKCE, then retire this one. {migrate}",
                    r.stops_by
                ),
            );
        }
    }
}
