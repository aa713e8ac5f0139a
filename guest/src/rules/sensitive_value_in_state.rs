use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::state::{Attrs, Instance, Step, format_path, is_nonempty, value_at};
use crate::types::Severity;

/// TFG002: a value Terraform itself marked sensitive (`sensitive_attributes`, plan
/// `*_sensitive`) is stored in cleartext. Catalogue attributes are left to TFG001.
pub struct SensitiveValueInState;

static META: RuleMeta = RuleMeta {
    id: "TFG002",
    name: "sensitive-value-in-state",
    title: "A value marked sensitive is stored in cleartext in state or plan",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG002.md"),
};

impl Rule for SensitiveValueInState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_instance(&self, cx: &Ctx<'_>, path: &str, inst: &Instance<'_>, out: &mut Sink) {
        let Attrs::Json(root) = &inst.attributes else {
            return;
        };
        if inst.sensitive.is_empty() {
            return;
        }
        let entries: Vec<_> = cx
            .policy
            .secret_attributes_for(inst.mode, inst.rtype)
            .collect();
        for p in &inst.sensitive {
            // A bare `true` mirror marks the whole object; report its non-empty top-level keys.
            let paths: Vec<Vec<Step>> = if p.is_empty() {
                root.as_object()
                    .map(|m| m.map(|(k, _)| vec![Step::Attr(k.to_string())]).collect())
                    .unwrap_or_default()
            } else {
                vec![p.clone()]
            };
            for p in paths {
                let Some(Step::Attr(_)) = p.first() else {
                    continue;
                };
                let names = p.iter().filter_map(|s| match s {
                    Step::Attr(a) => Some(a.as_str()),
                    Step::Index(_) => None,
                });
                if crate::policy::covers(&entries, names) {
                    continue; // TFG001 reports it, with the catalogue's fix.
                }
                if value_at(*root, &p).is_some_and(is_nonempty) {
                    let attr = format_path(&p);
                    out.report(
                        &META,
                        Hit {
                            message: format!(
                                "`{}` stores `{attr}`, marked sensitive, in cleartext ({})",
                                inst.address, inst.origin
                            ),
                            path: path.to_string(),
                            address: Some(inst.address.clone()),
                            attribute: Some(attr),
                            remediation: "`sensitive` only hides a value from CLI output; state keeps it in cleartext. Pass the value through an ephemeral variable or resource into a write-only (`*_wo`) argument, or keep it out of Terraform, and rotate it.".into(),
                            ..Hit::default()
                        },
                    );
                }
            }
        }
    }
}
