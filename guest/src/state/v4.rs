//! State format version 4 (Terraform 0.12+), per internal/states/statefile/version4.go.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

use super::tape::{OwnedTape, Tape};
use super::{
    Attrs, Instance, JsonDocError, Output, Top, Visitor, format_address, parse_sensitive_paths,
};

// `'a: 'de` pins the two lifetimes together: the borrowed DOM only deserializes from input
// that lives exactly as long as it.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'a: 'de"))]
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
    provider: Option<&'a RawValue>,
    #[serde(default, borrow)]
    instances: Vec<InstanceV4<'a>>,
}

fn managed() -> &'static str {
    "managed"
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "'a: 'de"))]
struct InstanceV4<'a> {
    #[serde(default)]
    index_key: Option<Value>,
    #[serde(default, borrow)]
    deposed: Option<Cow<'a, str>>,
    /// Parsed with the record, borrowed: one pass over the document, no copy of its strings.
    #[serde(default, borrow)]
    attributes: Option<OwnedTape<'a>>,
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

/// Hand one resource's instances to the visitor. `ri` is its index in `resources`.
fn emit(ri: usize, r: ResourceV4<'_>, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    if r.mode != "managed" && r.mode != "data" {
        return Err(JsonDocError::malformed(format!(
            "resources[{ri}] ({}.{}): mode `{}` is neither `managed` nor `data`",
            r.rtype, r.name, r.mode
        )));
    }
    if let Some(p) = r.provider {
        v.provider(p.get());
    }
    for inst in r.instances {
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
        let tape = match inst.attributes {
            Some(t) => t.0,
            None if inst.attributes_flat.is_some() => Tape::default(),
            None => Tape::null(),
        };
        let attributes = match inst.attributes_flat {
            Some(flat) if tape.is_empty() => Attrs::Flat(flat.into_iter().collect()),
            _ => Attrs::Json(tape.root()),
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
            created: Some(false),
        });
    }
    Ok(())
}

/// `resources`, streamed: each resource is parsed, visited and dropped before the next, so
/// memory holds one resource, not the whole list.
pub(super) struct StreamResources<'v, 'e> {
    pub v: &'v mut dyn Visitor,
    pub error: &'e mut Option<JsonDocError>,
}

impl<'de> serde::de::DeserializeSeed<'de> for StreamResources<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StreamResources<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of resources")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut ri = 0;
        while let Some(r) = seq.next_element::<ResourceV4<'de>>()? {
            if let Err(e) = emit(ri, r, &mut *self.v) {
                *self.error = Some(e);
                return Err(serde::de::Error::custom("resource error"));
            }
            ri += 1;
        }
        Ok(())
    }
}

/// What `TopSeed` did not stream: `resources` of a document that put `version` after it, and
/// the root outputs.
pub(super) fn visit(top: &Top<'_>, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    if let Some(raw) = top.resources.filter(|_| !top.resources_streamed) {
        let resources: Vec<ResourceV4<'_>> = serde_json::from_str(raw.get())
            .map_err(|e| JsonDocError::from_serde("`resources`", e))?;
        for (ri, r) in resources.into_iter().enumerate() {
            emit(ri, r, v)?;
        }
    }
    if let Some(raw) = top.outputs {
        visit_outputs(raw.get(), v)?;
    }
    Ok(())
}

/// The root module's outputs (`outputs`, raw).
pub(super) fn visit_outputs(raw: &str, v: &mut dyn Visitor) -> Result<(), JsonDocError> {
    let outputs: BTreeMap<&str, OutputV4> =
        serde_json::from_str(raw).map_err(|e| JsonDocError::from_serde("`outputs`", e))?;
    for (name, o) in outputs {
        v.output(&Output {
            name,
            value: o.value,
            sensitive: o.sensitive,
            origin: "outputs".into(),
        });
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
