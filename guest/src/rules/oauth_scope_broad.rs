use serde::Deserialize;

use super::helpers::client::{ClientCheck, Emit, rule_options};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG032: a scope that administers access itself (`oauth`, `authorization`, …).
pub struct OauthScopeBroad;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG032",
    name: "oauth-scope-broad",
    title: "OAuth scope grants administration of access (oauth, authorization, …)",
    family: "oauth",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG032.md"),
};

/// `rule "TFG032" { allow = ["oauth"] }`, added to the pack's `scopes.allow_broad`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Opts {
    pub allow: Vec<String>,
}

crate::client_rule!(OauthScopeBroad, META, Opts);

impl ClientCheck for OauthScopeBroad {
    fn check_client(&self, cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let ListView::Items(_, items) = list_items(c, "scopes") else {
            return;
        };
        let Some(opts) = rule_options::<Opts>(cx, &META, e.path, e.out) else {
            return;
        };
        for item in items {
            let Some(s) = item.as_str() else { continue };
            let Some(why) = d.scopes.broad.get(s) else {
                continue;
            };
            if d.scopes
                .allow_broad
                .iter()
                .chain(&opts.allow)
                .any(|a| a == s)
            {
                continue;
            }
            e.at(
                item.span,
                &item.path,
                format!("scope `{s}` {why}{}", item.origin()),
                format!(
                    "Use `{s}:readonly` if the client only reads, or drop it. If this client must administer access, allow it explicitly: `rule \"TFG032\" {{ allow = [\"{s}\"] }}` in .tfguard.hcl."
                ),
            );
        }
    }
}
