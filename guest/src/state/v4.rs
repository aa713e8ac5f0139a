//! State format version 4 (Terraform 0.12+), per internal/states/statefile/version4.go.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{
    Attrs, Instance, JsonDocError, Output, Top, Visitor, format_address, parse_sensitive_paths,
};

#[derive(Deserialize)]
struct ResourceV4<'a> {
    /// Cow: module addresses with `for_each` keys hold escaped quotes (`module.a[\"k\"]`),
    /// which cannot be borrowed from the input.
    #[serde(default, borrow)]
    module: Option<Cow<'a, str>>,
    #[serde(default = "managed")]
    mode: &'a str,
    #[serde(rename = "type")]
    rtype: &'a str,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    instances: Vec<InstanceV4<'a>>,
}

fn managed() -> &'static str {
    "managed"
}

#[derive(Deserialize)]
struct InstanceV4<'a> {
    #[serde(default)]
    index_key: Option<Value>,
    #[serde(default, borrow)]
    deposed: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    attributes: Option<&'a RawValue>,
    #[serde(default)]
    attributes_flat: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sensitive_attributes: Option<Value>,
}

#[derive(Deserialize)]
struct OutputV4 {
    #[serde(default)]
    value: Value,
    #[serde(default)]
    sensitive: bool,
}

pub(super) fn visit(top: &Top<'_>, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    if let Some(raw) = top.resources {
        // Resources are borrowed records; attributes stay raw until each instance is visited.
        let resources: Vec<ResourceV4<'_>> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`resources`", e))?;
        for (ri, r) in resources.iter().enumerate() {
            if r.mode != "managed" && r.mode != "data" {
                return Err(JsonDocError::malformed(format!(
                    "resources[{ri}] ({}.{}): mode `{}` is neither `managed` nor `data`",
                    r.rtype, r.name, r.mode
                )));
            }
            for (ii, inst) in r.instances.iter().enumerate() {
                let mut address = format_address(
                    r.module.as_deref(),
                    r.mode,
                    r.rtype,
                    &r.name,
                    inst.index_key.as_ref(),
                );
                if let Some(d) = &inst.deposed {
                    address.push_str(&format!(" (deposed {d})"));
                }
                let attributes = match (inst.attributes, &inst.attributes_flat) {
                    (Some(raw), _) => {
                        Attrs::Json(serde_json::from_str(raw.get()).map_err(|e| {
                            JsonDocError::from_serde(
                                &format!("resources[{ri}].instances[{ii}].attributes"),
                                e,
                            )
                        })?)
                    }
                    (None, Some(flat)) => {
                        Attrs::Flat(flat.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    }
                    (None, None) => Attrs::Json(Value::Null),
                };
                let sensitive = inst
                    .sensitive_attributes
                    .as_ref()
                    .map(parse_sensitive_paths)
                    .unwrap_or_default();
                v.instance(&Instance {
                    address,
                    mode: r.mode,
                    rtype: r.rtype,
                    attributes,
                    sensitive,
                    origin: "state".into(),
                });
            }
        }
    }
    if let Some(raw) = top.outputs {
        let outputs: BTreeMap<&str, OutputV4> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`outputs`", e))?;
        for (name, o) in outputs {
            v.output(&Output {
                name,
                value: o.value,
                sensitive: o.sensitive,
                origin: "outputs".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Instance, Output, Variable, Visitor, visit};

    struct Addrs(Vec<String>);
    impl Visitor for Addrs {
        fn instance(&mut self, i: &Instance<'_>) {
            self.0.push(i.address.clone());
        }
        fn output(&mut self, _: &Output<'_>) {}
        fn variable(&mut self, _: &Variable<'_>) {}
    }

    /// `for_each` module keys are written with escaped quotes; they cannot be borrowed.
    #[test]
    fn escaped_module_address_and_deposed_key() {
        let state = br#"{"version":4,"resources":[{"module":"module.app[\"eu\"]","mode":"managed",
            "type":"random_password","name":"p","instances":[{"index_key":"a\"b","attributes":{},
            "deposed":"0a\u0031"}]}]}"#;
        let mut v = Addrs(Vec::new());
        visit(state, &mut v).unwrap();
        assert_eq!(
            v.0,
            ["module.app[\"eu\"].random_password.p[\"a\\\"b\"] (deposed 0a1)"]
        );
    }
}
