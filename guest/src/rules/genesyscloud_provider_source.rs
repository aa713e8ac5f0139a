use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};

use super::helpers::client::load_data;
use super::{Ctx, Hit, JsonDocument, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::types::{Severity, Span};

/// TFG044: the Genesys Cloud provider is required from the wrong source address
/// (`mikeschaeffer/genesyscloud` in the tutorial), or with no source at all (Terraform then
/// looks for `hashicorp/genesyscloud`, which does not exist). In state and plan JSON, the
/// provider address each resource was created with.
pub struct GenesyscloudProviderSource;

static META: RuleMeta = RuleMeta {
    id: "TFG044",
    name: "genesyscloud-provider-source",
    title: "Genesys Cloud provider source is not mypurecloud/genesyscloud",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG044.md"),
};

impl Rule for GenesyscloudProviderSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// State (`"provider": "provider[\"registry.terraform.io/ns/genesyscloud\"]"`) and plan
    /// (`"provider_name": "registry.terraform.io/ns/genesyscloud"`): one finding per wrong
    /// address per document, at its first occurrence. The parser hands over each distinct
    /// provider address with its position, so a large state is not scanned again here.
    fn check_document(&self, cx: &Ctx<'_>, doc: &JsonDocument<'_>, out: &mut Sink) {
        if !doc
            .providers
            .iter()
            .any(|p| p.raw_json.contains("genesyscloud"))
        {
            return;
        }
        let Some(d) = load_data(cx, &META, doc.path, out) else {
            return;
        };
        let mut sites: Vec<&crate::rules::ProviderSite> = doc.providers.iter().collect();
        sites.sort_by_key(|s| s.offset.unwrap_or(usize::MAX));
        let mut seen: Vec<String> = Vec::new();
        for site in sites {
            let Ok(raw) = serde_json::from_str::<String>(&site.raw_json) else {
                continue;
            };
            // provider["registry.terraform.io/ns/type"].alias → registry.terraform.io/ns/type
            let addr = raw
                .strip_prefix("provider[\"")
                .and_then(|r| r.split_once("\"]"))
                .map(|(a, _)| a.to_string())
                .unwrap_or(raw);
            let lower = addr.to_ascii_lowercase();
            if !lower.ends_with("/genesyscloud") || seen.contains(&lower) {
                continue;
            }
            seen.push(lower.clone());
            let short = lower
                .strip_prefix("registry.terraform.io/")
                .unwrap_or(&lower);
            let ok = d.oauth.provider_sources.iter().any(|g| {
                let g = g.to_ascii_lowercase();
                g == lower || g == short
            });
            if ok {
                continue;
            }
            let good = d.preferred_source();
            // The string's contents, inside its quotes.
            let span = site
                .offset
                .map(|o| span_at(doc.bytes, o + 1..o + site.raw_json.len() - 1));
            out.report(
                &META,
                Hit {
                    message: format!(
                        "resources here were created with the provider `{addr}`, not the Genesys Cloud provider `{good}`"
                    ),
                    path: doc.path.to_string(),
                    span,
                    attribute: Some("provider".into()),
                    remediation: format!(
                        "Fix `required_providers` to `source = \"{good}\"`, then move the state to it: `terraform state replace-provider {addr} registry.terraform.io/{good}`."
                    ),
                    ..Hit::default()
                },
            );
        }
    }

    fn check_module(&self, cx: &Ctx<'_>, m: &Module, out: &mut Sink) {
        if !m.files.iter().any(|f| f.src.contains("required_providers")) {
            return;
        }
        let Some(d) = load_data(cx, &META, &m.dir, out) else {
            return;
        };
        let local = d.provider_local_name();
        let good = d.preferred_source();
        for f in &m.files {
            for tf in f.body.get_blocks("terraform") {
                for rp in tf.body.get_blocks("required_providers") {
                    for a in rp.body.attributes() {
                        let key = a.key.as_str();
                        let mut source = None;
                        if let Expression::Object(o) = &a.value {
                            for (k, v) in o.iter() {
                                let is_source = match k {
                                    ObjectKey::Ident(id) => id.as_str() == "source",
                                    ObjectKey::Expression(Expression::String(s)) => {
                                        s.value() == "source"
                                    }
                                    _ => false,
                                };
                                if let (true, Expression::String(s)) = (is_source, v.expr()) {
                                    source = Some((s.value().to_string(), v.expr().span()));
                                }
                            }
                        }
                        let ours = key == local
                            || source.as_ref().is_some_and(|(s, _)| {
                                s.to_ascii_lowercase().ends_with(&format!("/{local}"))
                            });
                        if !ours {
                            continue;
                        }
                        let (message, range) = match &source {
                            Some((s, _))
                                if d.oauth
                                    .provider_sources
                                    .iter()
                                    .any(|g| g.eq_ignore_ascii_case(s)) =>
                            {
                                continue;
                            }
                            Some((s, range)) => (
                                format!(
                                    "provider source `{s}` is not the Genesys Cloud provider; it is published as `{good}`"
                                ),
                                range.clone(),
                            ),
                            None => (
                                format!(
                                    "`{key}` has no `source`, so Terraform looks for `hashicorp/{key}`, which does not exist"
                                ),
                                a.key.span(),
                            ),
                        };
                        out.report(
                            &META,
                            Hit {
                                message,
                                path: f.path.clone(),
                                span: range.map(|r| f.lines.span(&f.src, r)),
                                attribute: Some(format!("required_providers.{key}.source")),
                                remediation: format!(
                                    "Use `source = \"{good}\"` with a current version, e.g. `version = \"~> 1.84\"` (>= 1.68.5 if you rely on `expose_client_secret`)."
                                ),
                                ..Hit::default()
                            },
                        );
                    }
                }
            }
        }
    }
}

/// Line and column (1-based, columns in characters) of a byte range, counted only for the
/// few findings rather than indexing every line of a large document.
fn span_at(bytes: &[u8], range: std::ops::Range<usize>) -> Span {
    let pos = |at: usize| {
        let at = at.min(bytes.len());
        let before = &bytes[..at];
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        (line as u32, col as u32)
    };
    let (line, column) = pos(range.start);
    let (end_line, end_column) = pos(range.end);
    Span {
        line,
        column,
        end_line,
        end_column,
    }
}
