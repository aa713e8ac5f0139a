//! The provider-scale secret catalogue (`policies/default/secrets-generated.toml`, written by
//! `scripts/gen-secret-catalogue` from `scripts/catalogue-inputs/`): it covers every sensitive
//! attribute of the vendored inputs (trimmed schema JSON, or the TSV extracts of providers with
//! none), regenerates byte for byte, and costs only load time.

mod common;
use common::repo;
use std::collections::BTreeMap;
use std::time::Instant;

use tfguard_guest::policy::{Policy, name_matches, path_names};
use tfguard_guest::types::Settings;

fn policy() -> Policy {
    Policy::with_builtins(&[]).expect("default packs load")
}

/// `(resource type, attribute path, sensitive, write-only)` of every flagged attribute of a
/// trimmed `terraform providers schema -json` file, walked here independently of the
/// generator: blocks and nested attribute types of any nesting mode as `name[*].`.
fn schema_rows(text: &str) -> Vec<(String, String, bool, bool)> {
    fn flag(a: &serde_json::Value, f: &str) -> bool {
        a.get(f)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
    fn attributes(
        rt: &str,
        prefix: &str,
        attrs: Option<&serde_json::Value>,
        out: &mut Vec<(String, String, bool, bool)>,
    ) {
        for (name, a) in attrs.and_then(|a| a.as_object()).into_iter().flatten() {
            let path = format!("{prefix}{name}");
            if flag(a, "sensitive") || flag(a, "write_only") {
                out.push((
                    rt.into(),
                    path.clone(),
                    flag(a, "sensitive"),
                    flag(a, "write_only"),
                ));
            }
            if let Some(n) = a.get("nested_type") {
                attributes(rt, &format!("{path}[*]."), n.get("attributes"), out);
            }
        }
    }
    fn block(
        rt: &str,
        prefix: &str,
        b: &serde_json::Value,
        out: &mut Vec<(String, String, bool, bool)>,
    ) {
        attributes(rt, prefix, b.get("attributes"), out);
        let types = b.get("block_types").and_then(|t| t.as_object());
        for (name, bt) in types.into_iter().flatten() {
            if let Some(inner) = bt.get("block") {
                block(rt, &format!("{prefix}{name}[*]."), inner, out);
            }
        }
    }
    let doc: serde_json::Value = serde_json::from_str(text).expect("schema JSON");
    let mut out = Vec::new();
    let providers = doc.get("provider_schemas").and_then(|p| p.as_object());
    for p in providers.into_iter().flatten().map(|(_, p)| p) {
        for (section, prefix) in [
            ("resource_schemas", ""),
            ("data_source_schemas", "data."),
            ("ephemeral_resource_schemas", "ephemeral."),
        ] {
            let schemas = p.get(section).and_then(|s| s.as_object());
            for (name, schema) in schemas.into_iter().flatten() {
                if let Some(b) = schema.get("block") {
                    block(&format!("{prefix}{name}"), "", b, &mut out);
                }
            }
        }
    }
    out
}

/// Rows of a provider's input (its trimmed schema JSON, else its TSV extract) that are
/// catalogue entries: (mode, type, path).
fn sensitive_rows(stem: &str) -> Vec<(String, String, String)> {
    let inputs = repo().join("scripts/catalogue-inputs");
    let rows: Vec<(String, String, bool, bool)> =
        match std::fs::read_to_string(inputs.join(format!("schemas/{stem}.json"))) {
            Ok(text) => schema_rows(&text),
            Err(_) => {
                let text =
                    std::fs::read_to_string(inputs.join(format!("{stem}.tsv"))).expect("extract");
                text.lines()
                    .skip(1)
                    .filter_map(|l| {
                        let c: Vec<&str> = l.split('\t').collect();
                        Some((
                            c.first()?.to_string(),
                            c.get(1)?.to_string(),
                            *c.get(2)? == "true",
                            *c.get(3)? == "true",
                        ))
                    })
                    .collect()
            }
        };
    let overlay = std::fs::read_to_string(repo().join("scripts/catalogue-inputs/not-secret.tsv"))
        .expect("overlay");
    let not_secret: Vec<(String, String)> = overlay
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut c = l.split('\t');
            Some((c.next()?.to_string(), c.next()?.to_string()))
        })
        .collect();
    rows.iter()
        .filter_map(|(rt, path, sensitive, wo)| {
            let (rt, path) = (rt.as_str(), path.as_str());
            if !sensitive || *wo || rt.starts_with("ephemeral.") {
                return None;
            }
            if !rt.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
                return None;
            }
            if not_secret
                .iter()
                .any(|(t, a)| a == path && name_matches(t, rt))
            {
                return None;
            }
            let (mode, rtype) = match rt.strip_prefix("data.") {
                Some(t) => ("data", t),
                None => ("managed", rt),
            };
            Some((mode.to_string(), rtype.to_string(), path.to_string()))
        })
        .collect()
}

const PROVIDERS: &[&str] = &[
    "aws",
    "azurerm",
    "google",
    "kubernetes",
    "azuread",
    "helm",
    "random",
    "tls",
    "alicloud",
    "github",
    "datadog",
    "cloudflare",
    "vault",
    "genesyscloud",
];

/// Every sensitive attribute of the extracts is a catalogue entry: its exact path, or a
/// hand-written entry for its top-level attribute.
#[test]
fn catalogue_covers_every_extracted_sensitive_attribute() {
    let p = policy();
    let mut missing = Vec::new();
    for stem in PROVIDERS {
        for (mode, rtype, path) in sensitive_rows(stem) {
            let first = path_names(&path).next().unwrap_or_default().to_string();
            let covered = p.secret_attributes_for(&mode, &rtype).any(|e| {
                e.attributes
                    .iter()
                    .any(|a| a == &path || name_matches(a, &first))
            });
            if !covered {
                missing.push(format!("{mode} {rtype}.{path}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
}

/// The schema-JSON route reads at least every row of the TSV extracts it replaced (flagged
/// attributes, nested and ephemeral included; the sets were equal when it came in, at the
/// versions in sources.tsv). A new provider version may add rows, never silently drop them.
#[test]
fn schema_inputs_hold_the_former_extracts_rows() {
    let former = [
        ("aws", 278),
        ("azurerm", 912),
        ("google", 169),
        ("kubernetes", 13),
        ("azuread", 8),
        ("helm", 8),
        ("random", 6),
        ("tls", 11),
        ("alicloud", 142),
    ];
    for (stem, n) in former {
        let path = repo().join(format!("scripts/catalogue-inputs/schemas/{stem}.json"));
        let text = std::fs::read_to_string(&path).expect("trimmed schema");
        let rows = schema_rows(&text).len();
        assert!(
            rows >= n,
            "{stem}: {rows} flagged attributes, the extract had {n}"
        );
    }
}

/// Pairs per provider, from the committed packs. The floors are the extracts' counts
/// (`counts.tsv`: sensitive resource attributes, nested included) where the catalogue holds
/// resources and data sources both.
#[test]
fn catalogue_counts_per_provider() {
    let p = policy();
    let mut managed: BTreeMap<&str, usize> = BTreeMap::new();
    let mut all: BTreeMap<&str, usize> = BTreeMap::new();
    for e in p.all_secret_attributes() {
        *all.entry(e.provider.as_str()).or_default() += e.attributes.len();
        if e.mode == "managed" {
            *managed.entry(e.provider.as_str()).or_default() += e.attributes.len();
        }
    }
    let wo: usize = p.all_write_only().map(|w| w.arguments.len()).sum();
    let total: usize = all.values().sum();
    println!("secret attribute pairs (managed / all) per provider:");
    for (prov, n) in &all {
        println!(
            "  {prov}: {} / {n}",
            managed.get(prov).copied().unwrap_or(0)
        );
    }
    println!("total {total}, write-only arguments {wo}");
    // (provider, managed floor): counts.tsv's sensitive resource attributes (which leave out
    // those also write-only: never in state), less the not-secret overlay (aws: 5 public
    // IoT certificates and keys; github: ciphertext) and, for vault, the Go-source
    // heuristic's rows without a resource type.
    let floors = [
        ("hashicorp/aws", 216),
        ("hashicorp/azurerm", 761),
        ("hashicorp/google", 145),
        ("hashicorp/kubernetes", 5),
        ("hashicorp/azuread", 8),
        ("hashicorp/helm", 2),
        ("hashicorp/random", 4),
        ("hashicorp/tls", 6),
        ("aliyun/alicloud", 140),
        ("integrations/github", 15),
        ("DataDog/datadog", 55),
        ("cloudflare/cloudflare", 73),
        ("hashicorp/vault", 80),
        ("mypurecloud/genesyscloud", 1),
    ];
    for (prov, floor) in floors {
        let n = managed.get(prov).copied().unwrap_or(0);
        assert!(n >= floor, "{prov}: {n} managed pairs, expected >= {floor}");
    }
    assert!(total >= 1_800, "{total} pairs");
    assert!(wo >= 90, "{wo} write-only arguments");
    assert!(all.len() >= 14, "{} providers", all.len());
}

/// A write-only twin's fix names the provider release that brought it (scripts/wo-since,
/// from the schema repositories' per-release history) and its real version partner.
#[test]
fn wo_fix_names_the_release_that_brought_the_twin() {
    let p = policy();
    let fix = |rtype: &str, attr: &str| {
        p.secret_attributes_for("managed", rtype)
            .find(|e| e.attributes.iter().any(|a| a == attr))
            .map(|e| e.fix.clone())
            .unwrap_or_default()
    };
    let rds = fix("aws_rds_cluster", "master_password");
    assert!(
        rds.contains("`master_password_wo` (write-only, since hashicorp/aws 5.87.0")
            && rds.contains("`master_password_wo_version`"),
        "{rds}"
    );
    let k8s = fix("kubernetes_secret_v1", "data");
    assert!(
        k8s.contains("since hashicorp/kubernetes 2.36.0") && k8s.contains("`data_wo_revision`"),
        "{k8s}"
    );
    let sql = fix("google_sql_user", "password");
    assert!(sql.contains("since hashicorp/google 6.23.0"), "{sql}");
}

/// The committed pack is what the generator writes from the vendored inputs.
#[test]
fn generated_pack_is_up_to_date() {
    let out = std::process::Command::new("python3")
        .arg(repo().join("scripts/gen-secret-catalogue"))
        .arg("--check")
        .output();
    match out {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => eprintln!("python3 not available ({e}): regeneration not checked"),
    }
}

/// Loading the packs: built-in with the generated catalogue deferred (what `prepare` does),
/// then its first lookup, and every pack indexed at once. A measurement, not a check (it
/// asserts nothing and timings are bench/run's job), so it runs on demand:
/// `cargo test --release -p tfguard-guest --test catalogue prepare_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn prepare_time_with_and_without_generated_pack() {
    use tfguard_guest::policy::BUILTIN;
    let all: Vec<_> = BUILTIN
        .iter()
        .map(|b| tfguard_guest::types::PolicyPackSrc {
            name: b.name.into(),
            contents: b.contents.into(),
        })
        .collect();
    // The fastest of 10 runs: the machine is shared, so the mean measures the neighbours.
    let time = |f: &dyn Fn()| {
        (0..10)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1000.0
            })
            .fold(f64::INFINITY, f64::min)
    };
    let deferred = time(&|| {
        tfguard_guest::engine::prepare(&Settings::default()).expect("prepare");
    });
    let first_lookup = time(&|| {
        let p = Policy::with_builtins(&[]).expect("load");
        assert!(p.secret_attribute("managed", "aws_instance", "x").is_none());
    });
    let eager = time(&|| {
        Policy::load(&all).expect("load");
    });
    println!(
        "prepare {deferred:.2} ms (catalogue deferred); with a first lookup {first_lookup:.2} ms; every pack indexed {eager:.2} ms"
    );
}

/// Where the load time goes: `cargo test --release -p tfguard-guest --test catalogue
/// profile -- --ignored --nocapture`.
#[test]
#[ignore]
fn profile_generated_pack() {
    let text = std::fs::read_to_string(repo().join("policies/default/secrets-generated.toml"))
        .expect("pack");
    for _ in 0..3 {
        let t = Instant::now();
        let v: toml::Value = toml::from_str(&text).expect("toml");
        let a = t.elapsed();
        let t = Instant::now();
        let p = Policy::load(&[tfguard_guest::types::PolicyPackSrc {
            name: "g".into(),
            contents: text.clone(),
        }])
        .expect("load");
        println!(
            "toml::Value {:?}, Policy::load {:?} ({} entries, {})",
            a,
            t.elapsed(),
            p.secret_attributes.len(),
            v.as_table().map_or(0, |t| t.len())
        );
    }
}
