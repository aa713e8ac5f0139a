use super::{Ctx, RuleMeta};
use crate::oauth::version::Version;
use crate::oauth::{Client, ClientCheck, Emit, OauthData};
use crate::types::Severity;

/// TFG045: an argument or enum value newer than the provider releases the configuration's
/// version constraint selects (from the schema's `since` data).
pub struct OauthClientArgumentTooNew;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG045",
    name: "oauth-client-argument-too-new",
    title: "genesyscloud_oauth_client argument or value needs a newer provider than the constraint allows",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG045.md"),
};

crate::client_rule!(OauthClientArgumentTooNew, META);

impl ClientCheck for OauthClientArgumentTooNew {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        let Some((con, con_span)) = c.provider.as_ref().and_then(|p| p.version.as_ref()) else {
            return;
        };
        let Some(min) = con.min else {
            return;
        };
        let at = c
            .provider
            .as_ref()
            .map(|p| match con_span {
                Some(s) => format!(" ({}:{}:{})", p.path, s.line, s.column),
                None => String::new(),
            })
            .unwrap_or_default();
        // Exact pins fail for sure; ranges fail on the oldest release they admit.
        let severity = if con.exact {
            None
        } else {
            Some(Severity::Warning)
        };
        for a in &c.args {
            // TFG043 reports `client_secret` with its versions.
            if a.name == "client_secret" {
                continue;
            }
            let Some(arg) = d.argument(&a.name) else {
                continue;
            };
            if let Some(since) = arg.since.as_deref().and_then(Version::parse)
                && min < since
            {
                e.report(
                    severity,
                    a.key_span,
                    &a.name,
                    format!(
                        "`{}` exists from provider {since}, but the version constraint `{}`{at} selects {min}",
                        a.name, con.raw
                    ),
                    format!("Require `version = \"~> {}.{}\"` or newer, or remove `{}`.", since.0, since.1, a.name),
                );
            }
            if let Some(s) = a.value.as_str()
                && let Some(since) = arg.enum_since.get(s).and_then(|v| Version::parse(v))
                && min < since
            {
                let older: Vec<&str> = arg
                    .enum_values
                    .iter()
                    .filter(|v| !arg.enum_since.contains_key(*v))
                    .map(String::as_str)
                    .collect();
                e.report(
                    severity,
                    a.value.span,
                    &a.name,
                    format!(
                        "`{} = \"{s}\"` is accepted from provider {since}, but the version constraint `{}`{at} selects {min}",
                        a.name, con.raw
                    ),
                    format!(
                        "Require `version = \"~> {}.{}\"` or newer, or use a value that release accepts ({}).",
                        since.0,
                        since.1,
                        older.join(", ")
                    ),
                );
            }
        }
    }
}
