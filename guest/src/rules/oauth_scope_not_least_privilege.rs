use serde::Deserialize;

use super::helpers::client::{ClientCheck, Emit, rule_options};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, ListView, OauthData, address_matches, list_items};
use crate::types::Severity;

/// TFG033: a read-write scope where the `:readonly` twin exists.
pub struct OauthScopeNotLeastPrivilege;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG033",
    name: "oauth-scope-not-least-privilege",
    title: "OAuth scope is read-write where a read-only scope exists",
    family: "oauth",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG033.md"),
};

/// `rule "TFG033" { exempt_clients = ["genesyscloud_oauth_client.admin_ui"] }` (`*` globs),
/// added to the pack's `scopes.least_privilege_exempt`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Opts {
    pub exempt_clients: Vec<String>,
}

crate::client_rule!(OauthScopeNotLeastPrivilege, META, Opts);

impl ClientCheck for OauthScopeNotLeastPrivilege {
    fn check_client(&self, cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let ListView::Items(_, items) = list_items(c, "scopes") else {
            return;
        };
        // Scopes are ignored for role-based grants (TFG034 says so).
        if d.grant(c).is_some_and(|g| d.takes_roles(g)) {
            return;
        }
        let Some(opts) = rule_options::<Opts>(cx, &META, e.path, e.out) else {
            return;
        };
        if address_matches(&opts.exempt_clients, &c.address)
            || address_matches(&d.scopes.least_privilege_exempt, &c.address)
        {
            return;
        }
        let cat = cx.memo.catalogue(d, &[]);
        for item in items {
            let Some(s) = item.as_str() else { continue };
            // Broad scopes get their own, stronger finding (TFG032).
            if d.scopes.broad.contains_key(s) {
                continue;
            }
            let Some(twin) = cat.readonly_twin(s) else {
                continue;
            };
            if items.iter().any(|i| i.as_str() == Some(&twin)) {
                continue;
            }
            e.at(
                item.span,
                &item.path,
                format!(
                    "scope `{s}` allows changes; `{twin}` exists if the client only reads{}",
                    item.origin()
                ),
                format!(
                    "Use `\"{twin}\"` unless the application writes. To keep read-write on purpose, exempt the client: `rule \"TFG033\" {{ exempt_clients = [\"{}\"] }}` in .tfguard.hcl.",
                    c.address
                ),
            );
        }
    }
}
