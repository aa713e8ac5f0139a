use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::state::{Attrs, Instance, Json, flat_is_count, flat_root, is_nonempty};
use crate::types::Severity;

/// TFG001: an attribute that the secret catalogue (`policies/default/secrets.toml`) lists holds a
/// value in a state or plan.
pub struct SecretAttributeInState;

static META: RuleMeta = RuleMeta {
    id: "TFG001",
    name: "secret-attribute-in-state",
    title: "A provider persisted a secret attribute in state or plan",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG001.md"),
};

const DEFAULT_FIX: &str = "Generate the value with an `ephemeral` resource and pass it only to write-only (`*_wo`) arguments, then rotate the leaked secret: it stays readable in every copy of this state.";

impl Rule for SecretAttributeInState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_instance(&self, cx: &Ctx<'_>, path: &str, inst: &Instance<'_>, out: &mut Sink) {
        let mut report = |attr: &str, fix: &str| {
            out.report(
                &META,
                Hit {
                    message: format!(
                        "`{}` holds a secret in cleartext at `{attr}` ({})",
                        inst.address, inst.origin
                    ),
                    path: path.to_string(),
                    address: Some(inst.address.clone()),
                    attribute: Some(attr.to_string()),
                    remediation: if fix.is_empty() {
                        DEFAULT_FIX.to_string()
                    } else {
                        fix.to_string()
                    },
                    ..Hit::default()
                },
            )
        };
        for entry in cx.policy.secret_attributes_for(inst.mode, inst.rtype) {
            match &inst.attributes {
                Attrs::Json(Json::Object(map)) => {
                    for (name, value) in map.iter() {
                        let matches = entry
                            .attributes
                            .iter()
                            .any(|p| crate::policy::name_matches(p, name));
                        let present = if entry.ignore_empty {
                            is_nonempty(value)
                        } else {
                            !value.is_null()
                        };
                        if matches && present {
                            report(name, &entry.fix);
                        }
                    }
                }
                Attrs::Json(_) => {}
                Attrs::Flat(pairs) => {
                    let mut seen: Vec<&str> = Vec::new();
                    for (key, value) in pairs {
                        let root = flat_root(key);
                        if flat_is_count(key) || seen.contains(&root) {
                            continue;
                        }
                        let matches = entry
                            .attributes
                            .iter()
                            .any(|p| crate::policy::name_matches(p, root));
                        if matches && (!value.is_empty() || !entry.ignore_empty) {
                            seen.push(root);
                            report(root, &entry.fix);
                        }
                    }
                }
            }
        }
    }
}
