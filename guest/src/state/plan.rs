//! Plan JSON (`terraform show -json planfile`, format 0.x/1.x) and the values representation
//! shared with `terraform show -json` of a state. Every copy of a resource's values is visited:
//! `planned_values`, `prior_state`, `resource_changes[].change.{before,after}` and `resource_drift`.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use super::tape::Tape;
use super::{
    Attrs, Instance, JsonDocError, Output, Top, Variable, Visitor, sensitive_mirror_paths,
};

#[derive(Deserialize)]
struct ValuesRepr<'a> {
    #[serde(default)]
    outputs: BTreeMap<String, ValuesOutput>,
    #[serde(default, borrow)]
    root_module: Option<ModuleRepr<'a>>,
}

#[derive(Deserialize)]
struct ValuesOutput {
    #[serde(default)]
    value: Value,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
struct ModuleRepr<'a> {
    #[serde(default, borrow)]
    resources: Vec<ResourceRepr<'a>>,
    #[serde(default, borrow)]
    child_modules: Vec<ModuleRepr<'a>>,
}

#[derive(Deserialize)]
struct ResourceRepr<'a> {
    #[serde(default)]
    address: String,
    #[serde(default = "managed")]
    mode: String,
    #[serde(rename = "type", default)]
    rtype: String,
    #[serde(default, borrow)]
    provider_name: Option<&'a RawValue>,
    #[serde(default, borrow)]
    values: Option<&'a RawValue>,
    #[serde(default)]
    sensitive_values: Option<Value>,
}

fn managed() -> String {
    "managed".into()
}

#[derive(Deserialize)]
struct ChangeRepr<'a> {
    #[serde(default)]
    address: String,
    #[serde(default = "managed")]
    mode: String,
    #[serde(rename = "type", default)]
    rtype: String,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default, borrow)]
    provider_name: Option<&'a RawValue>,
    #[serde(borrow)]
    change: Option<Change<'a>>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(default, borrow)]
    before: Option<&'a RawValue>,
    #[serde(default, borrow)]
    after: Option<&'a RawValue>,
    /// `true`/`false` or a mirror object.
    #[serde(default)]
    before_sensitive: Option<Value>,
    #[serde(default)]
    after_sensitive: Option<Value>,
}

#[derive(Deserialize)]
struct OutputChange {
    #[serde(default)]
    change: Option<OutputChangeBody>,
}

#[derive(Deserialize)]
struct OutputChangeBody {
    #[serde(default)]
    before: Value,
    #[serde(default)]
    after: Value,
    #[serde(default)]
    before_sensitive: Value,
    #[serde(default)]
    after_sensitive: Value,
}

#[derive(Deserialize)]
struct PriorState<'a> {
    #[serde(default, borrow)]
    values: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ConfigRepr {
    #[serde(default)]
    root_module: Option<ConfigModule>,
}

#[derive(Deserialize)]
struct ConfigModule {
    #[serde(default)]
    variables: BTreeMap<String, ConfigVariable>,
}

#[derive(Deserialize)]
struct ConfigVariable {
    #[serde(default)]
    sensitive: bool,
}

/// Names of root variables declared `sensitive = true` (from `configuration`).
fn sensitive_variables(raw: Option<&RawValue>) -> Result<Vec<String>, JsonDocError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let c: ConfigRepr = serde_json::from_str(raw.get())
        .map_err(|e| JsonDocError::from_serde("`configuration`", e))?;
    Ok(c.root_module
        .map(|m| {
            m.variables
                .into_iter()
                .filter(|(_, v)| v.sensitive)
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default())
}

#[derive(Deserialize)]
struct VariableRepr {
    #[serde(default)]
    value: Value,
}

fn sensitive_of(mirror: Option<&Value>) -> Vec<Vec<super::Step>> {
    match mirror {
        Some(Value::Bool(true)) => vec![Vec::new()],
        Some(m) => sensitive_mirror_paths(m),
        None => Vec::new(),
    }
}

fn parse_values<'a>(raw: Option<&'a RawValue>, ctx: &str) -> Result<Tape<'a>, JsonDocError> {
    let Some(r) = raw else {
        return Ok(Tape::null());
    };
    let mut t = Tape::default();
    if super::scan::value_into(r.get(), &mut t).is_ok() {
        return Ok(t);
    }
    // Declined by the fast reader (a number out of range, say): serde's reading and error.
    t.clear();
    let mut de = serde_json::Deserializer::from_str(r.get());
    t.fill(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| JsonDocError::from_serde(ctx, e))?;
    Ok(t)
}

pub(super) fn visit_values(
    raw: &RawValue,
    origin: &str,
    v: &mut dyn Visitor,
) -> Result<(), JsonDocError> {
    let repr: ValuesRepr<'_> = serde_json::from_str(raw.get())
        .map_err(|e| JsonDocError::from_serde(&format!("`{origin}`"), e))?;
    fn walk(m: &ModuleRepr<'_>, origin: &str, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
        for r in &m.resources {
            if let Some(p) = r.provider_name {
                v.provider(p.get());
            }
            let values = parse_values(r.values, &format!("`{origin}` {}", r.address))?;
            v.instance(&Instance {
                address: r.address.clone(),
                mode: &r.mode,
                rtype: &r.rtype,
                attributes: Attrs::Json(values.root()),
                sensitive: sensitive_of(r.sensitive_values.as_ref()),
                origin: origin.to_string().into(),
                // `prior_state` exists; `planned_values` does not say (resource_changes does).
                created: (!origin.starts_with("planned_values")).then_some(false),
            });
        }
        for c in &m.child_modules {
            walk(c, origin, v)?;
        }
        Ok(())
    }
    if let Some(root) = &repr.root_module {
        walk(root, origin, v)?;
    }
    for (name, o) in &repr.outputs {
        v.output(&Output {
            name,
            value: o.value.clone(),
            sensitive: o.sensitive,
            origin: format!("{origin}.outputs"),
        });
    }
    Ok(())
}

fn visit_changes(raw: &RawValue, section: &str, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    let changes: Vec<ChangeRepr<'_>> = serde_json::from_str(raw.get())
        .map_err(|e| JsonDocError::from_serde(&format!("`{section}`"), e))?;
    for (i, rc) in changes.iter().enumerate() {
        if let Some(p) = rc.provider_name {
            v.provider(p.get());
        }
        let Some(ch) = &rc.change else { continue };
        let mut address = rc.address.clone();
        if let Some(d) = &rc.deposed {
            address.push_str(&format!(" (deposed {d})"));
        }
        let before_null = ch.before.is_none_or(|r| r.get().trim() == "null");
        for (which, raw, mirror) in [
            ("before", ch.before, ch.before_sensitive.as_ref()),
            ("after", ch.after, ch.after_sensitive.as_ref()),
        ] {
            let origin = format!("{section}[{i}].change.{which}");
            let values = parse_values(raw, &origin)?;
            if values.root().is_null() {
                continue;
            }
            v.instance(&Instance {
                address: address.clone(),
                mode: &rc.mode,
                rtype: &rc.rtype,
                attributes: Attrs::Json(values.root()),
                sensitive: sensitive_of(mirror),
                origin: origin.into(),
                created: Some(which == "after" && before_null),
            });
        }
    }
    Ok(())
}

pub(super) fn visit(top: &Top<'_>, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    if let Some(fv) = top.format_version {
        super::check_format_major(fv)?;
    }
    if let Some(raw) = top.planned_values {
        visit_values(raw, "planned_values", v)?;
    }
    if let Some(raw) = top.prior_state {
        let ps: PriorState<'_> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`prior_state`", e))?;
        if let Some(values) = ps.values {
            visit_values(values, "prior_state.values", v)?;
        }
    }
    if let Some(raw) = top.resource_changes {
        visit_changes(raw, "resource_changes", v)?;
    }
    if let Some(raw) = top.resource_drift {
        visit_changes(raw, "resource_drift", v)?;
    }
    if let Some(raw) = top.output_changes {
        let oc: BTreeMap<&str, OutputChange> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`output_changes`", e))?;
        for (name, c) in oc {
            let Some(ch) = c.change else { continue };
            for (which, value, sens) in [
                ("before", ch.before, ch.before_sensitive),
                ("after", ch.after, ch.after_sensitive),
            ] {
                if value.is_null() {
                    continue;
                }
                let sensitive =
                    !sensitive_mirror_paths(&sens).is_empty() || sens == Value::Bool(true);
                v.output(&Output {
                    name,
                    value,
                    sensitive,
                    origin: format!("output_changes.{name}.{which}"),
                });
            }
        }
    }
    if let Some(raw) = top.variables {
        let vars: BTreeMap<&str, VariableRepr> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`variables`", e))?;
        let sensitive = sensitive_variables(top.configuration)?;
        for (name, var) in vars {
            v.variable(&Variable {
                name,
                value: var.value,
                sensitive: sensitive.iter().any(|s| s == name),
            });
        }
    }
    Ok(())
}
