//! Legacy flatmap attributes (`attributes_flat`, v3 `primary.attributes`) as real values.
//!
//! Terraform ≤ 0.11 stored every attribute as a string under a dotted key: a list or set is
//! `roles.# = "2"` with elements `roles.0` (list) or `roles.<hash>` (set), a nested block
//! `roles.<hash>.role_id`, a map `tags.% = "1"` with `tags.<key>` (a key may hold dots).
//! [`unflatten`] rebuilds arrays and objects from that, so a rule reads `roles` the same way
//! from a legacy state as from a v4 one. Leaves stay strings: the flatmap has no types.

use serde_json::{Map, Value};

/// The attributes as one object. Malformed input (a count without elements, stray keys) never
/// fails: what can be read is kept.
pub fn unflatten(pairs: &[(String, String)]) -> Map<String, Value> {
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    object(&refs)
}

/// An object from keys relative to its prefix.
fn object(pairs: &[(&str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut roots: Vec<&str> = Vec::new();
    for (k, _) in pairs {
        let root = k.split_once('.').map_or(*k, |(r, _)| r);
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    for root in roots {
        out.insert(root.to_string(), value(root, pairs));
    }
    out
}

/// The value at `root`, given sibling keys relative to the same prefix.
fn value(root: &str, pairs: &[(&str, &str)]) -> Value {
    let prefix = format!("{root}.");
    let sub: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix.as_str()).map(|r| (r, *v)))
        .collect();
    let exact = pairs.iter().find(|(k, _)| *k == root).map(|(_, v)| *v);
    if sub.iter().any(|(k, _)| *k == "#") {
        return list(&sub);
    }
    if sub.iter().any(|(k, _)| *k == "%") {
        return map(&sub);
    }
    match exact {
        Some(v) if sub.is_empty() => Value::String(v.to_string()),
        // A single nested block without a count (`timeouts.create`), or a stray key.
        _ => Value::Object(object(&sub)),
    }
}

/// `#` plus elements keyed by index or set hash; numeric keys in numeric order.
fn list(sub: &[(&str, &str)]) -> Value {
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in sub {
        let first = k.split_once('.').map_or(*k, |(f, _)| f);
        if first != "#" && !keys.contains(&first) {
            keys.push(first);
        }
    }
    keys.sort_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    });
    Value::Array(keys.into_iter().map(|k| value(k, sub)).collect())
}

/// `%` plus entries. A key may contain dots (`tags.kubernetes.io/role`), so an entry is a
/// nested container only when it has its own `#` or `%`.
fn map(sub: &[(&str, &str)]) -> Value {
    let containers: Vec<&str> = sub
        .iter()
        .filter_map(|(k, _)| {
            k.strip_suffix(".#")
                .or_else(|| k.strip_suffix(".%"))
                .filter(|c| !c.contains('.'))
        })
        .collect();
    let mut out = Map::new();
    for (k, v) in sub {
        if *k == "%" {
            continue;
        }
        let first = k.split_once('.').map_or(*k, |(f, _)| f);
        if containers.contains(&first) {
            if !out.contains_key(first) {
                out.insert(first.to_string(), value(first, sub));
            }
        } else {
            out.insert((*k).to_string(), Value::String((*v).to_string()));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(pairs: &[(&str, &str)]) -> Value {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Value::Object(unflatten(&owned))
    }

    #[test]
    fn set_of_blocks_by_hash() {
        let v = flat(&[
            ("id", "c1"),
            ("roles.#", "2"),
            ("roles.3051788142.role_id", "r1"),
            ("roles.3051788142.division_id", "*"),
            ("roles.1127316489.role_id", "r2"),
            ("roles.1127316489.division_id", "d2"),
        ]);
        assert_eq!(
            v,
            json!({"id": "c1", "roles": [
                {"role_id": "r2", "division_id": "d2"},
                {"role_id": "r1", "division_id": "*"}
            ]})
        );
    }

    #[test]
    fn lists_sets_of_strings_and_empty() {
        let v = flat(&[
            ("scopes.#", "2"),
            ("scopes.2087324557", "users:readonly"),
            ("scopes.1012345678", "gamification:readonly"),
            ("registered_redirect_uris.#", "0"),
            ("ports.#", "3"),
            ("ports.10", "c"),
            ("ports.2", "b"),
            ("ports.0", "a"),
        ]);
        assert_eq!(v["scopes"].as_array().map(Vec::len), Some(2));
        assert_eq!(v["registered_redirect_uris"], json!([]));
        assert_eq!(v["ports"], json!(["a", "b", "c"]));
    }

    #[test]
    fn maps_keep_dotted_keys() {
        let v = flat(&[
            ("tags.%", "2"),
            ("tags.key", "value"),
            ("tags.kubernetes.io/role", "x"),
            ("fields.%", "1"),
            ("fields.clientSecret", "s"),
        ]);
        assert_eq!(
            v,
            json!({"tags": {"key": "value", "kubernetes.io/role": "x"},
                   "fields": {"clientSecret": "s"}})
        );
    }

    #[test]
    fn nested_containers_and_single_blocks() {
        let v = flat(&[
            ("rule.#", "1"),
            ("rule.0.cidrs.#", "1"),
            ("rule.0.cidrs.0", "10.0.0.0/8"),
            ("rule.0.labels.%", "1"),
            ("rule.0.labels.a.b", "c"),
            ("timeouts.create", "5m"),
        ]);
        assert_eq!(
            v,
            json!({"rule": [{"cidrs": ["10.0.0.0/8"], "labels": {"a.b": "c"}}],
                   "timeouts": {"create": "5m"}})
        );
    }

    #[test]
    fn malformed_input_keeps_what_it_can() {
        let v = flat(&[
            ("a.#", "3"),
            ("a.0", "x"),
            ("b.%", "x"),
            ("", "e"),
            ("c.", "d"),
        ]);
        assert_eq!(v["a"], json!(["x"]));
        assert_eq!(v["b"], json!({}));
        assert_eq!(v[""], json!("e"));
        assert_eq!(v["c"], json!({"": "d"}));
    }
}
