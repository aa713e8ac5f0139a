//! Terraform state v4 of a chosen size: resources across nested modules, with `count`,
//! `for_each` and single instances, and a planted secret about every hundred resources.
//! The same seed gives the same sequence of resources, so a smaller state is a prefix of a
//! larger one and the findings scale with the size.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::attrs::{self, CLEAN_TYPES, REGIONS, SECRET_TYPES};
use crate::{Planted, Rng, indent_json, pretty_array, pretty_object};

/// One `resources[]` entry, before it is written.
pub struct Group {
    pub module: String,
    pub mode: &'static str,
    pub rtype: &'static str,
    pub name: String,
    pub instances: Vec<(Option<Value>, attrs::Generated)>,
}

impl Group {
    pub fn address(&self, index: Option<&Value>) -> String {
        tfguard_guest::state::format_address(
            Some(&self.module),
            self.mode,
            self.rtype,
            &self.name,
            index,
        )
    }

    pub fn provider(&self) -> String {
        let p = match self.rtype.split('_').next().unwrap_or("") {
            "genesyscloud" => "mikeschaeffer/genesyscloud".to_string(),
            other => format!("hashicorp/{other}"),
        };
        format!("provider[\"registry.terraform.io/{p}\"]")
    }
}

/// Module paths as Terraform writes them: root, plain, `for_each` and `count` calls, nested.
pub fn module_path(rng: &mut Rng) -> String {
    let app = *rng.pick(&[
        "payments",
        "contact_center",
        "identity",
        "search",
        "billing",
    ]);
    match rng.below(8) {
        0 | 1 => String::new(),
        2 => format!("module.{app}"),
        3 => format!("module.{app}[\"{}\"]", rng.pick(REGIONS)),
        4 => format!("module.shard[{}]", rng.below(12)),
        5 => format!("module.{app}[\"{}\"].module.network", rng.pick(REGIONS)),
        6 => format!("module.platform.module.{app}"),
        _ => format!("module.{app}.module.queues[{}]", rng.below(4)),
    }
}

/// Resource group number `g`; every 97th (offset 48) carries a planted secret.
pub fn group(g: u64, rng: &mut Rng) -> Group {
    let plant = g % 97 == 48;
    let rtype: &'static str = if plant {
        SECRET_TYPES[((g / 97) % SECRET_TYPES.len() as u64) as usize]
    } else {
        CLEAN_TYPES[rng.below(CLEAN_TYPES.len() as u64) as usize]
    };
    let module = module_path(rng);
    let name = format!(
        "{}_{g}",
        rng.pick(&["main", "primary", "app", "edge", "internal", "shared"])
    );
    let keys: Vec<Option<Value>> = match g % 10 {
        0..=4 => (0..1 + rng.below(6))
            .map(|i| Some(Value::from(i)))
            .collect(),
        5..=7 => {
            let n = 1 + rng.below(REGIONS.len() as u64) as usize;
            REGIONS[..n].iter().map(|r| Some(Value::from(*r))).collect()
        }
        _ => vec![None],
    };
    let instances = keys
        .into_iter()
        .map(|k| {
            let inst_name = match &k {
                Some(Value::Number(n)) => format!("{name}-{n}"),
                Some(Value::String(s)) => format!("{name}-{s}"),
                _ => name.clone(),
            };
            let made = if plant {
                attrs::planted(rtype, rng, &inst_name)
            } else {
                attrs::clean(rtype, rng, &inst_name)
            };
            (k, made)
        })
        .collect();
    Group {
        module,
        mode: "managed",
        rtype,
        name,
        instances,
    }
}

/// One element of `resources`, pretty-printed with its keys in Terraform's order
/// (`module`, `mode`, `type`, `name`, `provider`, `instances`; an instance's `index_key`,
/// `schema_version`, `attributes`, ...), as `terraform` writes it (statefile/version4.go).
fn state_resource(gr: &Group, rng: &mut Rng) -> String {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let instances: Vec<String> = gr
        .instances
        .iter()
        .map(|(k, made)| {
            let mut i: Vec<(&str, String)> = Vec::new();
            if let Some(k) = k {
                i.push(("index_key", pretty(k)));
            }
            i.push(("schema_version", pretty(&json!(0))));
            i.push(("attributes", pretty(&made.attributes)));
            i.push((
                "sensitive_attributes",
                pretty(&attrs::sensitive_attributes(&made.sensitive)),
            ));
            i.push((
                "private",
                pretty(&json!(format!(
                    "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ{}",
                    rng.hex(20)
                ))),
            ));
            i.push((
                "dependencies",
                pretty(&json!([format!("aws_iam_role.main_{}", rng.below(50))])),
            ));
            pretty_object(&i)
        })
        .collect();
    let mut r: Vec<(&str, String)> = Vec::new();
    if !gr.module.is_empty() {
        r.push(("module", pretty(&json!(gr.module))));
    }
    r.push(("mode", pretty(&json!(gr.mode))));
    r.push(("type", pretty(&json!(gr.rtype))));
    r.push(("name", pretty(&json!(gr.name))));
    r.push(("provider", pretty(&json!(gr.provider()))));
    r.push(("instances", pretty_array(&instances)));
    pretty_object(&r)
}

/// Counts the bytes written, to stop at the target size.
struct Counting<W> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub struct Written {
    pub bytes: u64,
    pub instances: u64,
    pub planted: Vec<Planted>,
}

/// Write a pretty-printed (as Terraform does) v4 state of about `target` bytes.
pub fn write_state(w: impl Write, target: u64, seed: u64) -> io::Result<Written> {
    let mut w = Counting { inner: w, n: 0 };
    let mut rng = Rng::new(seed);
    write!(
        w,
        "{{\n  \"version\": 4,\n  \"terraform_version\": \"1.9.8\",\n  \"serial\": 4211,\n  \"lineage\": \"{}\",\n  \"outputs\": {{\n    \"queue_ids\": {{\n      \"value\": [\"{}\", \"{}\"],\n      \"type\": [\"list\", \"string\"]\n    }}\n  }},\n  \"resources\": [\n",
        rng.uuid(),
        rng.uuid(),
        rng.uuid()
    )?;
    let mut out = Written {
        bytes: 0,
        instances: 0,
        planted: Vec::new(),
    };
    // The trailer is small; stop once the resources reach the target.
    let mut g = 0u64;
    while w.n < target {
        let gr = group(g, &mut rng);
        let text = state_resource(&gr, &mut rng);
        if g > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(b"    ")?;
        w.write_all(indent_json(&text, 4).as_bytes())?;
        for (k, made) in &gr.instances {
            out.instances += 1;
            for a in &made.planted {
                out.planted.push(Planted {
                    address: gr.address(k.as_ref()),
                    attribute: (*a).to_string(),
                });
            }
        }
        g += 1;
    }
    w.write_all(b"\n  ],\n  \"check_results\": null\n}\n")?;
    w.flush()?;
    out.bytes = w.n;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfguard_guest::state::{Instance, Output, Variable, Visitor, visit};

    #[derive(Default)]
    struct Seen(Vec<String>);
    impl Visitor for Seen {
        fn instance(&mut self, i: &Instance<'_>) {
            self.0.push(i.address.clone());
        }
        fn output(&mut self, _: &Output<'_>) {}
        fn variable(&mut self, _: &Variable<'_>) {}
    }

    /// Same seed, same bytes; tfguard's parser reads every instance and every planted address.
    #[test]
    fn state_is_deterministic_and_parses() {
        let mut a = Vec::new();
        let w = write_state(&mut a, 300_000, 3).unwrap();
        let mut b = Vec::new();
        write_state(&mut b, 300_000, 3).unwrap();
        assert_eq!(a, b);
        assert_eq!(w.bytes as usize, a.len());
        let mut seen = Seen::default();
        visit(&a, &mut seen).unwrap();
        assert_eq!(seen.0.len() as u64, w.instances);
        assert!(!w.planted.is_empty());
        for p in &w.planted {
            assert!(seen.0.contains(&p.address), "{}", p.address);
        }
    }
}
