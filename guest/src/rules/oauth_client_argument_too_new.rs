use super::helpers::client::{ClientCheck, Emit, load_data};
use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::oauth::model::provider_requirement;
use crate::oauth::version::Version;
use crate::oauth::{Client, OauthData};
use crate::state::Instance;
use crate::types::Severity;

/// TFG045: an argument or enum value newer than the provider releases the configuration's
/// version constraint selects (from the schema's `since` data), including references such as
/// `genesyscloud_oauth_client.app.client_id` elsewhere in the module.
pub struct OauthClientArgumentTooNew;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG045",
    name: "oauth-client-argument-too-new",
    title: "genesyscloud_oauth_client argument or value needs a newer provider than the constraint allows",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG045.md"),
};

impl Rule for OauthClientArgumentTooNew {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_instance(&self, cx: &Ctx<'_>, path: &str, inst: &Instance<'_>, out: &mut Sink) {
        super::helpers::client::run_instance(self, &META, cx, path, inst, out)
    }
    fn check_module(&self, cx: &Ctx<'_>, m: &Module, out: &mut Sink) {
        super::helpers::client::run_module(self, &META, cx, m, out);
        check_references(cx, m, out);
    }
}

/// `genesyscloud_oauth_client.x.client_id` where the pinned provider has no `client_id`:
/// Terraform fails with "Unsupported attribute".
fn check_references(cx: &Ctx<'_>, m: &Module, out: &mut Sink) {
    if !m
        .files
        .iter()
        .any(|f| f.src.contains("genesyscloud_oauth_client."))
    {
        return;
    }
    let Some(d) = load_data(cx, &META, &m.dir, out) else {
        return;
    };
    let Some(req) = provider_requirement(m, d.provider_local_name()) else {
        return;
    };
    let Some((con, _)) = req.version.as_ref() else {
        return;
    };
    let Some(min) = con.min else {
        return;
    };
    for f in &m.files {
        for (name, attr) in crate::hcl::refs::attribute_refs(&f.src, d.resource()) {
            let (name, ar) = (&f.src[name], attr);
            let attr = &f.src[ar.clone()];
            // Skip comments: text after `#` or `//` on the same line.
            let line_start = f.src[..ar.start].rfind('\n').map_or(0, |i| i + 1);
            let before = &f.src[line_start..ar.start];
            if before.contains('#') || before.contains("//") {
                continue;
            }
            let Some(since) = d
                .argument(attr)
                .and_then(|a| a.since.as_deref())
                .and_then(Version::parse)
            else {
                continue;
            };
            if min >= since {
                continue;
            }
            out.report(
                &META,
                Hit {
                    message: format!(
                        "`{}.{}.{}` exists from provider {since}, but the version constraint `{}` selects {min}: Terraform reports \"Unsupported attribute\"",
                        d.resource(),
                        name,
                        attr,
                        con.raw
                    ),
                    path: f.path.clone(),
                    span: Some(f.lines.span(&f.src, ar.clone())),
                    address: Some(format!("{}.{}", d.resource(), name)),
                    attribute: Some(attr.to_string()),
                    remediation: format!(
                        "Require `version = \"~> {}.{}\"` or newer (latest known: {}){}.",
                        since.0,
                        since.1,
                        d.schema.latest,
                        if attr == "client_id" {
                            ", or use `.id`, which holds the same OAuth client id on every release"
                        } else {
                            ""
                        }
                    ),
                    severity: (!con.exact).then_some(Severity::Warning),
                    ..Hit::default()
                },
            );
        }
    }
}

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
