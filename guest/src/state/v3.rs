//! State versions 1–3 (Terraform ≤ 0.11): `modules[].resources{"type.name.N": {primary: {attributes}}}`
//! with flatmap attributes. Terraform upgrades these on read; tfguard reads them as they are.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use super::{Attrs, Instance, JsonDocError, Output, Visitor};

#[derive(Deserialize)]
struct ModuleV3 {
    #[serde(default)]
    path: Vec<String>,
    #[serde(default)]
    outputs: BTreeMap<String, OutputV3>,
    #[serde(default)]
    resources: BTreeMap<String, ResourceV3>,
}

/// v3 outputs are objects; v1/v2 outputs are plain strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum OutputV3 {
    Full {
        #[serde(default)]
        sensitive: bool,
        #[serde(default)]
        value: Value,
    },
    Bare(Value),
}

#[derive(Deserialize)]
struct ResourceV3 {
    #[serde(rename = "type", default)]
    rtype: String,
    #[serde(default)]
    primary: Option<PrimaryV3>,
    #[serde(default)]
    deposed: Vec<PrimaryV3>,
}

#[derive(Deserialize)]
struct PrimaryV3 {
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

/// `["root","a","b"]` → `module.a.module.b`.
fn module_prefix(path: &[String]) -> String {
    path.iter()
        .skip(1)
        .map(|m| format!("module.{m}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// `data.aws_x.y.1` → (mode, type, name, index).
fn split_key(key: &str) -> (&'static str, String, String, Option<Value>) {
    let (mode, rest) = match key.strip_prefix("data.") {
        Some(r) => ("data", r),
        None => ("managed", key),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let rtype = parts.first().copied().unwrap_or_default().to_string();
    let name = parts.get(1).copied().unwrap_or_default().to_string();
    let index = parts
        .get(2)
        .and_then(|i| i.parse::<u64>().ok())
        .map(Value::from);
    (mode, rtype, name, index)
}

pub(super) fn visit(modules: Option<&RawValue>, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    let Some(raw) = modules else { return Ok(()) };
    let modules: Vec<ModuleV3> =
        serde_json::from_str(raw.get()).map_err(|e| JsonDocError::from_serde("`modules`", e))?;
    for m in &modules {
        let prefix = module_prefix(&m.path);
        let is_root = m.path.len() <= 1;
        for (key, r) in &m.resources {
            let (mode, ktype, name, index) = split_key(key);
            let rtype = if r.rtype.is_empty() {
                ktype
            } else {
                r.rtype.clone()
            };
            let base = super::format_address(Some(&prefix), mode, &rtype, &name, index.as_ref());
            let copies = r.primary.iter().map(|p| (p, String::new())).chain(
                r.deposed
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!(" (deposed {i})"))),
            );
            for (p, suffix) in copies {
                v.instance(&Instance {
                    address: format!("{base}{suffix}"),
                    mode,
                    rtype: &rtype,
                    attributes: Attrs::Flat(
                        p.attributes
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    sensitive: Vec::new(),
                    origin: "state".into(),
                    created: Some(false),
                });
            }
        }
        if is_root {
            for (name, o) in &m.outputs {
                let (value, sensitive) = match o {
                    OutputV3::Full { sensitive, value } => (value.clone(), *sensitive),
                    OutputV3::Bare(v) => (v.clone(), false),
                };
                v.output(&Output {
                    name,
                    value,
                    sensitive,
                    origin: "outputs".into(),
                });
            }
        }
    }
    Ok(())
}
