//! Legacy flatmap attributes (`attributes_flat`, v3 `primary.attributes`) as real values.
//!
//! Terraform ≤ 0.11 stored every attribute as a string under a dotted key: a list or set is
//! `roles.# = "2"` with elements `roles.0` (list) or `roles.<hash>` (set), a nested block
//! `roles.<hash>.role_id`, a map `tags.% = "1"` with `tags.<key>` (a key may hold dots).
//! [`unflatten`] rebuilds arrays and objects from that, so a rule reads `roles` the same way
//! from a legacy state as from a v4 one. Leaves stay strings: the flatmap has no types.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The attributes as one object. Malformed input (a count without elements, stray keys) never
/// fails: what can be read is kept. Each level groups its keys once (no quadratic scans: a
/// state is untrusted input).
pub fn unflatten(pairs: &[(String, String)]) -> Map<String, Value> {
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    object(&refs)
}

/// Keys relative to one prefix, grouped by their first segment: the value of the segment
/// itself (`a`) and the keys below it (`a.x` → `x`).
#[derive(Default)]
struct Group<'a> {
    exact: Option<&'a str>,
    sub: Vec<(&'a str, &'a str)>,
}

fn group<'a>(pairs: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, Group<'a>> {
    let mut out: BTreeMap<&str, Group<'_>> = BTreeMap::new();
    for (k, v) in pairs {
        match k.split_once('.') {
            Some((first, rest)) => out.entry(first).or_default().sub.push((rest, *v)),
            None => out.entry(*k).or_default().exact = Some(*v),
        }
    }
    out
}

/// An object from keys relative to its prefix.
fn object(pairs: &[(&str, &str)]) -> Map<String, Value> {
    group(pairs)
        .into_iter()
        .map(|(k, g)| (k.to_string(), value(g)))
        .collect()
}

/// The value of one group.
fn value(g: Group<'_>) -> Value {
    if g.sub.iter().any(|(k, _)| *k == "#") {
        return list(&g.sub);
    }
    if g.sub.iter().any(|(k, _)| *k == "%") {
        return map(&g.sub);
    }
    match g.exact {
        Some(v) if g.sub.is_empty() => Value::String(v.to_string()),
        // A single nested block without a count (`timeouts.create`), or a stray key.
        _ => Value::Object(object(&g.sub)),
    }
}

/// `#` plus elements keyed by index or set hash; numeric keys in numeric order.
fn list(sub: &[(&str, &str)]) -> Value {
    let mut elems: Vec<(&str, Group<'_>)> =
        group(sub).into_iter().filter(|(k, _)| *k != "#").collect();
    elems.sort_by(
        |(a, _), (b, _)| match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        },
    );
    Value::Array(elems.into_iter().map(|(_, g)| value(g)).collect())
}

/// `%` plus entries. A key may contain dots (`tags.kubernetes.io/role`), so an entry is a
/// nested container only when it has its own `#` or `%`.
fn map(sub: &[(&str, &str)]) -> Value {
    let containers: BTreeSet<&str> = sub
        .iter()
        .filter_map(|(k, _)| {
            k.strip_suffix(".#")
                .or_else(|| k.strip_suffix(".%"))
                .filter(|c| !c.contains('.'))
        })
        .collect();
    let mut out = Map::new();
    let mut nested: Vec<(&str, &str)> = Vec::new();
    for (k, v) in sub {
        if *k == "%" {
            continue;
        }
        let first = k.split_once('.').map_or(*k, |(f, _)| f);
        if containers.contains(first) {
            nested.push((*k, *v));
        } else {
            out.insert((*k).to_string(), Value::String((*v).to_string()));
        }
    }
    for (k, g) in group(&nested) {
        out.insert(k.to_string(), value(g));
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

    /// Many keys stay fast: each level groups once.
    #[test]
    fn wide_input_is_linear() {
        let mut pairs = vec![("tags.%".to_string(), "20000".to_string())];
        for i in 0..20_000 {
            pairs.push((format!("k{i}"), "v".into()));
            pairs.push((format!("tags.t{i}"), "v".into()));
            pairs.push((format!("s.{i}.a"), "v".into()));
        }
        pairs.push(("s.#".into(), "20000".into()));
        let m = unflatten(&pairs);
        assert_eq!(m.len(), 20_002);
        assert_eq!(m["tags"].as_object().map(Map::len), Some(20_000));
        assert_eq!(m["s"].as_array().map(Vec::len), Some(20_000));
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
