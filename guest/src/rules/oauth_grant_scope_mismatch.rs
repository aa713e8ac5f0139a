use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG034: scopes and roles that don't fit the grant. CLIENT-CREDENTIALS clients act as
/// themselves and get their permissions from `roles` (scopes are ignored); every other grant
/// acts for a user and needs `scopes` (roles are ignored).
pub struct OauthGrantScopeMismatch;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG034",
    name: "oauth-grant-scope-mismatch",
    title: "OAuth client's scopes or roles don't fit its grant type",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG034.md"),
};

crate::client_rule!(OauthGrantScopeMismatch, META);

impl ClientCheck for OauthGrantScopeMismatch {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        // An unknown grant is reported by TFG041; one it unmistakably means is judged as such.
        let Some(meant) = d.grant(c) else {
            return;
        };
        let grant = match d.grant_respelled(c) {
            Some(written) => format!("`{meant}` (written `{written}`)"),
            None => format!("`{meant}`"),
        };
        let grant = grant.as_str();
        let grant_span = c
            .arg("authorized_grant_type")
            .and_then(|a| a.value.span)
            .or(c.span);
        let scopes = list_items(c, "scopes");
        let roles: Vec<_> = c.blocks_named("roles").collect();
        if d.takes_roles(meant) {
            if let ListView::Items(v, items) = &scopes
                && !items.is_empty()
            {
                let span = c.arg("scopes").and_then(|a| a.key_span).or(v.span);
                e.report(
                    Some(Severity::Warning),
                    span,
                    "scopes",
                    format!("scopes are ignored for {grant} clients: the token's permissions come from `roles`"),
                    "Remove `scopes` and grant what the client needs through `roles { role_id = ..., division_id = ... }`.".into(),
                );
            }
            // A plan leaves out roles it can't know yet (`has_json_key`).
            if roles.is_empty() && c.arg("roles").is_none() && c.has_json_key("roles") {
                e.at(
                    grant_span,
                    "authorized_grant_type",
                    format!("{grant} clients need at least one `roles` block; without one the client can do nothing"),
                    "Add `roles { role_id = genesyscloud_auth_role.x.id }` (the home division; set `division_id` for another, never `\"*\"`: TFG036).".into(),
                );
            }
        } else {
            match &scopes {
                ListView::Unknown(..) | ListView::NotAList(_) => {}
                _ if scopes.is_empty() => {
                    let span = c.arg("scopes").and_then(|a| a.key_span).or(grant_span);
                    e.at(
                        span,
                        "scopes",
                        format!("{grant} clients must set `scopes` (the provider: \"Scopes must be set for clients not using the CLIENT-CREDENTIALS grant\")"),
                        "Add the scopes the application needs, read-only where possible, e.g. `scopes = [\"users:readonly\"]`.".into(),
                    );
                }
                _ => {}
            }
            if let Some(first) = roles.first() {
                e.report(
                    Some(Severity::Warning),
                    first.span.or(c.span),
                    "roles",
                    format!("roles only apply to CLIENT-CREDENTIALS clients; this {grant} client acts with its user's permissions"),
                    "Remove the `roles` blocks, or use `authorized_grant_type = \"CLIENT-CREDENTIALS\"` for a client that acts as itself.".into(),
                );
            }
        }
    }
}
