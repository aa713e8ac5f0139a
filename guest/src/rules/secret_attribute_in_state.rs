use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::policy::{is_nested, name_matches, path_names, segment_matches};
use crate::state::{Attrs, Instance, Json, Kind, flat_is_count, flat_root, is_nonempty};
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
        // An attribute listed by two entries (a hand-written one and a user's pack) is reported
        // once, with the first entry's fix.
        let mut reported: Vec<String> = Vec::new();
        for entry in cx.policy.secret_attributes_for(inst.mode, inst.rtype) {
            let present = |v: Json<'_>| {
                if entry.ignore_empty {
                    is_nonempty(v)
                } else {
                    !v.is_null()
                }
            };
            match &inst.attributes {
                Attrs::Json(root) if root.as_object().is_some() => {
                    for (name, value) in root.as_object().into_iter().flatten() {
                        let matches = entry
                            .attributes
                            .iter()
                            .any(|p| !is_nested(p) && name_matches(p, name));
                        if matches && present(value) && !reported.iter().any(|r| r == name) {
                            reported.push(name.to_string());
                            report(name, &entry.fix);
                        }
                    }
                    for p in entry.attributes.iter().filter(|p| is_nested(p)) {
                        let names: Vec<&str> = path_names(p).collect();
                        let mut found = Vec::new();
                        nested(*root, &names, String::new(), &mut found);
                        for (at, v) in found {
                            if present(v) && !reported.contains(&at) {
                                report(&at, &entry.fix);
                                reported.push(at);
                            }
                        }
                    }
                }
                Attrs::Json(_) => {}
                Attrs::Flat(pairs) => {
                    for (key, value) in pairs {
                        if flat_is_count(key) {
                            continue;
                        }
                        let root = flat_root(key);
                        let top = entry
                            .attributes
                            .iter()
                            .any(|p| !is_nested(p) && name_matches(p, root));
                        let at = if top {
                            root
                        } else if entry
                            .attributes
                            .iter()
                            .any(|p| is_nested(p) && flat_path_matches(p, key))
                        {
                            key
                        } else {
                            continue;
                        };
                        if (!value.is_empty() || !entry.ignore_empty)
                            && !reported.iter().any(|r| r == at)
                        {
                            reported.push(at.to_string());
                            report(at, &entry.fix);
                        }
                    }
                }
            }
        }
    }
}

/// The values at the catalogue path `names` below `v`, with their concrete paths
/// (`master_auth[0].client_key`): lists and sets are walked element by element, so a block
/// nested in a list, a set or an object is found wherever it sits.
fn nested<'v>(v: Json<'v>, names: &[&str], at: String, out: &mut Vec<(String, Json<'v>)>) {
    match (names.split_first(), v.kind()) {
        (None, _) => out.push((at, v)),
        (Some(_), Kind::Array(items)) => {
            for (i, item) in items.enumerate() {
                nested(item, names, format!("{at}[{i}]"), out);
            }
        }
        (Some((name, rest)), Kind::Object(map)) => {
            for (key, child) in map {
                if segment_matches(name, key) {
                    let at = if at.is_empty() {
                        key.to_string()
                    } else {
                        format!("{at}.{key}")
                    };
                    nested(child, rest, at, out);
                }
            }
        }
        _ => {}
    }
}

/// A flatmap key (`master_auth.0.client_key`, `user.1234.password`) lies at or below the
/// catalogue path: list and set indexes are skipped.
fn flat_path_matches(pattern: &str, key: &str) -> bool {
    let mut keys = key
        .split('.')
        .filter(|k| !k.is_empty() && !k.bytes().all(|b| b.is_ascii_digit()));
    path_names(pattern).all(|n| keys.next().is_some_and(|k| segment_matches(n, k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_paths() {
        assert!(flat_path_matches(
            "master_auth[*].client_key",
            "master_auth.0.client_key"
        ));
        assert!(flat_path_matches("user[*].password", "user.2345.password"));
        assert!(!flat_path_matches("user[*].password", "user.2345.username"));
        assert!(!flat_path_matches("user[*].password", "user.#"));
        assert!(flat_path_matches("*[*].password", "mysql.0.password"));
    }
}
