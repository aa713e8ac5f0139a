use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};

use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::hcl::Module;
use crate::oauth::load_data;
use crate::types::Severity;

/// TFG044: the Genesys Cloud provider is required from the wrong source address
/// (`mikeschaeffer/genesyscloud` in the tutorial), or with no source at all (Terraform then
/// looks for `hashicorp/genesyscloud`, which does not exist).
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

    fn check_module(&self, cx: &Ctx<'_>, m: &Module, out: &mut Sink) {
        if !m.files.iter().any(|f| f.src.contains("required_providers")) {
            return;
        }
        let Some(d) = load_data(cx, &META, &m.dir, out) else {
            return;
        };
        let local = if d.oauth.provider_local_name.is_empty() {
            "genesyscloud"
        } else {
            d.oauth.provider_local_name.as_str()
        };
        let good = d
            .oauth
            .provider_sources
            .first()
            .cloned()
            .unwrap_or_default();
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
