//! A plan JSON (`terraform show -json tfplan`, compact as Terraform prints it) of about a
//! chosen size: the same resource groups as the state generator, each copied into
//! `prior_state`, `planned_values` and `resource_changes` (before/after) as Terraform does.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::state::{Group, group};
use crate::{Planted, Rng};

/// The mirror of `values` that marks sensitive leaves `true`.
fn sensitive_mirror(paths: &[&str]) -> Value {
    let mut m = Map::new();
    for p in paths {
        m.insert((*p).to_string(), Value::Bool(true));
    }
    Value::Object(m)
}

struct Copy {
    module: String,
    value: Value,
}

/// Nest `module.a.module.b` under `module.a`, as `child_modules` does.
fn module_tree(mut by_module: BTreeMap<String, Vec<Value>>) -> Value {
    fn parent(m: &str) -> String {
        m.rfind(".module.")
            .map(|i| m[..i].to_string())
            .unwrap_or_default()
    }
    // Every ancestor exists as a node, even without resources of its own.
    let names: Vec<String> = by_module.keys().cloned().collect();
    for n in names {
        let mut p = n;
        while !p.is_empty() {
            p = parent(&p);
            by_module.entry(p.clone()).or_default();
        }
    }
    fn build(name: &str, by_module: &BTreeMap<String, Vec<Value>>) -> Value {
        let children: Vec<Value> = by_module
            .keys()
            .filter(|k| !k.is_empty() && parent(k) == name)
            .map(|k| build(k, by_module))
            .collect();
        let mut m = Map::new();
        if !name.is_empty() {
            m.insert("address".into(), json!(name));
        }
        m.insert(
            "resources".into(),
            Value::Array(by_module.get(name).cloned().unwrap_or_default()),
        );
        if !children.is_empty() {
            m.insert("child_modules".into(), Value::Array(children));
        }
        Value::Object(m)
    }
    build("", &by_module)
}

pub struct Written {
    pub bytes: u64,
    pub changes: u64,
    pub planted: Vec<Planted>,
}

/// Write a plan JSON of about `target` bytes.
pub fn write_plan(mut w: impl Write, target: u64, seed: u64) -> io::Result<Written> {
    let mut rng = Rng::new(seed);
    let mut planned: Vec<Copy> = Vec::new();
    let mut prior: Vec<Copy> = Vec::new();
    let mut changes: Vec<Value> = Vec::new();
    let mut planted = Vec::new();
    let mut estimate = 0u64;
    let mut g = 0u64;
    while estimate < target {
        let gr: Group = group(g, &mut rng);
        g += 1;
        // 70% unchanged, 20% updated in place, 10% created.
        let action = match rng.below(10) {
            0 => "create",
            1 | 2 => "update",
            _ => "no-op",
        };
        for (k, made) in &gr.instances {
            let address = gr.address(k.as_ref());
            let before = made.attributes.clone();
            let mut after = made.attributes.clone();
            if action == "update" {
                if let Some(t) = after.get_mut("tags").and_then(Value::as_object_mut) {
                    t.insert("Revision".into(), json!(format!("r{}", rng.below(1000))));
                } else if let Some(o) = after.as_object_mut() {
                    o.insert("description".into(), json!("updated by terraform"));
                }
            }
            let mirror = sensitive_mirror(&made.sensitive);
            let repr = |values: &Value| {
                let mut m = Map::new();
                m.insert("address".into(), json!(address));
                m.insert("mode".into(), json!(gr.mode));
                m.insert("type".into(), json!(gr.rtype));
                m.insert("name".into(), json!(gr.name));
                if let Some(k) = k {
                    m.insert("index".into(), k.clone());
                }
                m.insert("provider_name".into(), json!(gr.provider()));
                m.insert("schema_version".into(), json!(0));
                m.insert("values".into(), values.clone());
                m.insert("sensitive_values".into(), mirror.clone());
                Value::Object(m)
            };
            planned.push(Copy {
                module: gr.module.clone(),
                value: repr(&after),
            });
            if action != "create" {
                prior.push(Copy {
                    module: gr.module.clone(),
                    value: repr(&before),
                });
            }
            let mut c = Map::new();
            c.insert("address".into(), json!(address));
            if !gr.module.is_empty() {
                c.insert("module_address".into(), json!(gr.module));
            }
            c.insert("mode".into(), json!(gr.mode));
            c.insert("type".into(), json!(gr.rtype));
            c.insert("name".into(), json!(gr.name));
            if let Some(k) = k {
                c.insert("index".into(), k.clone());
            }
            c.insert("provider_name".into(), json!(gr.provider()));
            c.insert(
                "change".into(),
                json!({
                    "actions": [action],
                    "before": if action == "create" { Value::Null } else { before },
                    "after": after,
                    "after_unknown": {},
                    "before_sensitive": if action == "create" { json!(false) } else { mirror.clone() },
                    "after_sensitive": mirror,
                }),
            );
            let c = Value::Object(c);
            // Count what this instance adds to the document: its change and its copies.
            let len = |v: &Value| {
                serde_json::to_string(v)
                    .map(|t| t.len() as u64)
                    .unwrap_or(0)
            };
            estimate += len(&c) + len(&planned[planned.len() - 1].value) + 8;
            if action != "create" {
                estimate += len(&prior[prior.len() - 1].value);
            }
            changes.push(c);
            for a in &made.planted {
                planted.push(Planted {
                    address: address.clone(),
                    attribute: (*a).to_string(),
                });
            }
        }
    }
    let tree = |copies: Vec<Copy>| {
        let mut by: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for c in copies {
            by.entry(c.module).or_default().push(c.value);
        }
        module_tree(by)
    };
    let n_changes = changes.len() as u64;
    let doc = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {
            "environment": { "value": "prod" },
            "region": { "value": "eu-west-1" },
            "oauth_client_secret": { "value": rng.secret() },
        },
        "planned_values": {
            "outputs": { "queue_count": { "sensitive": false, "type": "number", "value": n_changes } },
            "root_module": tree(planned),
        },
        "resource_changes": changes,
        "output_changes": {
            "queue_count": { "actions": ["update"], "before": 0, "after": n_changes,
                "after_unknown": false, "before_sensitive": false, "after_sensitive": false }
        },
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": { "outputs": {}, "root_module": tree(prior) },
        },
        "configuration": {
            "provider_config": {
                "aws": { "name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                    "expressions": { "region": { "references": ["var.region"] } } }
            },
            "root_module": { "variables": {
                "environment": {}, "region": {}, "oauth_client_secret": { "sensitive": true }
            } }
        },
        "timestamp": "2025-11-25T10:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false,
    });
    let text = serde_json::to_string(&doc).map_err(io::Error::other)?;
    w.write_all(text.as_bytes())?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(Written {
        bytes: text.len() as u64 + 1,
        changes: n_changes,
        planted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_recognised_and_near_its_target_size() {
        let mut a = Vec::new();
        let w = write_plan(&mut a, 400_000, 5).unwrap();
        assert_eq!(w.bytes as usize, a.len());
        assert!(a.len() > 400_000 && a.len() < 600_000, "{}", a.len());
        struct Nop;
        impl tfguard_guest::state::Visitor for Nop {
            fn instance(&mut self, _: &tfguard_guest::state::Instance<'_>) {}
            fn output(&mut self, _: &tfguard_guest::state::Output<'_>) {}
            fn variable(&mut self, _: &tfguard_guest::state::Variable<'_>) {}
        }
        let kind = tfguard_guest::state::visit(&a, &mut Nop).unwrap();
        assert_eq!(kind.label(), "plan JSON");
    }
}
