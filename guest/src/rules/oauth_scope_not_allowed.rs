use serde::Deserialize;

use super::helpers::client::{ClientCheck, Emit, rule_options};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG031: a scope on the policy's denylist, or missing from its allowlist.
pub struct OauthScopeNotAllowed;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG031",
    name: "oauth-scope-not-allowed",
    title: "OAuth scope is denied by policy or not on its allowlist",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG031.md"),
};

/// `rule "TFG031" { allow = [...], deny = [...] }`, combined with the pack's `scopes.allow`
/// and `scopes.deny`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Opts {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

crate::client_rule!(OauthScopeNotAllowed, META, Opts);

impl ClientCheck for OauthScopeNotAllowed {
    fn check_client(&self, cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let ListView::Items(_, items) = list_items(c, "scopes") else {
            return;
        };
        let Some(opts) = rule_options::<Opts>(cx, &META, e.path, e.out) else {
            return;
        };
        let deny: Vec<&String> = d.scopes.deny.iter().chain(&opts.deny).collect();
        let allow: Vec<&String> = d.scopes.allow.iter().chain(&opts.allow).collect();
        for item in items {
            let Some(s) = item.as_str() else { continue };
            if deny.iter().any(|x| *x == s) {
                e.at(
                    item.span,
                    &item.path,
                    format!("scope `{s}` is denied by policy{}", item.origin()),
                    format!("Remove `\"{s}\"`; the policy forbids it for every client."),
                );
            } else if !allow.is_empty() && !allow.iter().any(|x| *x == s) {
                let list: Vec<&str> = allow.iter().map(|x| x.as_str()).collect();
                e.at(
                    item.span,
                    &item.path,
                    format!(
                        "scope `{s}` is not on the policy's allowlist{}",
                        item.origin()
                    ),
                    format!(
                        "Use only allowed scopes ({}), or add `{s}` to the allowlist after review.",
                        list.join(", ")
                    ),
                );
            }
        }
    }
}
