use serde::Deserialize;

use super::helpers::client::{ClientCheck, Emit, rule_options};
use super::{Ctx, RuleMeta};
use crate::oauth::scopes::{Verdict, did_you_mean};
use crate::oauth::{Client, Kind, ListView, OauthData, list_items};
use crate::types::Severity;

/// TFG030: a scope that Genesys Cloud does not have, with the nearest real scope suggested.
/// Also the rule that says "cannot verify" for scopes that are not statically known.
pub struct OauthScopeUnknown;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG030",
    name: "oauth-scope-unknown",
    title: "OAuth scope does not exist in Genesys Cloud",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG030.md"),
};

/// `rule "TFG030" { known = ["new-scope"] }`: scopes newer than the catalogue.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Opts {
    pub known: Vec<String>,
}

crate::client_rule!(OauthScopeUnknown, META, Opts);

impl ClientCheck for OauthScopeUnknown {
    fn check_client(&self, cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let items = match list_items(c, "scopes") {
            ListView::Unknown(v, why) => return e.cannot_verify(v, "the scopes", why),
            ListView::Items(_, items) => items,
            ListView::Absent | ListView::NotAList(_) => return,
        };
        let Some(opts) = rule_options::<Opts>(cx, &META, e.path, e.out) else {
            return;
        };
        let cat = cx.memo.catalogue(d, &opts.known);
        let date = match d.scopes.catalogue_date.as_str() {
            "" => "the scope catalogue".to_string(),
            date => format!("the scope catalogue of {date}"),
        };
        let add = "If GET /api/v2/oauth/scopes on your org lists it, add it to `known` in `rule \"TFG030\"` or to `scopes.known` in a policy pack (scripts/gen-genesys-scopes regenerates the built-in catalogue).";
        for item in items {
            let s = match &item.kind {
                Kind::Str(s) => s,
                Kind::Unknown(why) => {
                    e.cannot_verify(item, "a scope", why);
                    continue;
                }
                _ => continue,
            };
            let (severity, message, fix) = match cat.judge(s) {
                Verdict::Known => continue,
                Verdict::Malformed(sugg) | Verdict::NearMiss(sugg) => {
                    let hint = did_you_mean(&sugg);
                    let fix = match sugg.first() {
                        Some(best) => format!(
                            "Replace `\"{s}\"` with `\"{best}\"`. Genesys scopes are `<area>` (read-write) or `<area>:readonly`; the live list is GET /api/v2/oauth/scopes. If `{s}` is a new scope, add it to `scopes.known` in a policy pack."
                        ),
                        None => format!(
                            "Use a scope from GET /api/v2/oauth/scopes (`<area>` or `<area>:readonly`). If `{s}` is a new scope, add it to `scopes.known` in a policy pack."
                        ),
                    };
                    let message = if hint.is_empty() {
                        format!("unknown scope `{s}`")
                    } else {
                        format!("unknown scope `{s}`: {hint}")
                    };
                    (None, message, fix)
                }
                Verdict::Legacy => (
                    Some(Severity::Warning),
                    format!("scope `{s}` is obsolete: no operation in {date} accepts it"),
                    format!(
                        "Remove `\"{s}\"`; GET /api/v2/oauth/scopes lists the scopes your org issues."
                    ),
                ),
                Verdict::OtherForm(forms) => (
                    Some(Severity::Warning),
                    format!(
                        "scope `{s}` is not in {date}, which has {}",
                        forms
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    format!(
                        "Use {}; or check GET /api/v2/oauth/scopes. {add}",
                        forms
                            .iter()
                            .map(|f| format!("`\"{f}\"`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                ),
                Verdict::Unverified => (
                    Some(Severity::Warning),
                    format!(
                        "scope `{s}` is not in {date}; it has been seen on live clients but no API operation names it"
                    ),
                    format!("Check GET /api/v2/oauth/scopes on your org. {add}"),
                ),
                Verdict::Absent => (
                    Some(Severity::Warning),
                    format!("scope `{s}` is not in {date}: it may be newer, or wrong"),
                    format!("Check GET /api/v2/oauth/scopes on your org. {add}"),
                ),
            };
            e.report(
                severity,
                item.span,
                &item.path,
                message + &item.origin(),
                fix,
            );
        }
    }
}
