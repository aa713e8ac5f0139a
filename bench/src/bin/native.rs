//! `bench-native value|typed|engine FILE`: the native baselines for the sandbox's cost. Reads
//! the file and parses it with serde_json, either to one `Value` tree, or through tfguard's own
//! typed state model (`tfguard_guest::state::visit`, the reader the guest runs, with no rules),
//! or runs the whole guest engine natively (parser and every rule, with the packs in
//! `policies/default/`), then prints one JSON line with the time. Parsed data is leaked, not
//! dropped, so the baseline is the parse alone. `engine` against `tfguard check` isolates the
//! cost of the WASM sandbox from the cost of the rules.

use std::process::ExitCode;
use std::time::Instant;

use serde_json::Value;
use tfguard_guest::state::{Attrs, Instance, Output, Variable, Visitor};

#[derive(Default)]
struct Count {
    instances: u64,
    attributes: u64,
    outputs: u64,
    variables: u64,
}

impl Visitor for Count {
    fn instance(&mut self, i: &Instance<'_>) {
        self.instances += 1;
        self.attributes += match &i.attributes {
            Attrs::Json(j) => j.as_object().map_or(0, |m| m.len() as u64),
            Attrs::Flat(p) => p.len() as u64,
        };
    }
    fn output(&mut self, _: &Output<'_>) {
        self.outputs += 1;
    }
    fn variable(&mut self, _: &Variable<'_>) {
        self.variables += 1;
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, file] = args.as_slice() else {
        eprintln!("usage: bench-native value|typed|engine FILE");
        return ExitCode::from(2);
    };
    let t0 = Instant::now();
    if mode == "engine" && std::path::Path::new(file).is_dir() {
        return match engine_dir(file) {
            Ok(s) => {
                println!(
                    "{{\"mode\":\"engine\",\"total_ms\":{:.1},{s}}}",
                    t0.elapsed().as_secs_f64() * 1e3
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("bench-native: {file}: {e}");
                ExitCode::from(2)
            }
        };
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("bench-native: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let t1 = Instant::now();
    let summary = match mode.as_str() {
        "value" => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => {
                let top = v.as_object().map(|m| m.len()).unwrap_or(0);
                std::mem::forget(v);
                format!("\"top_level_keys\":{top}")
            }
            Err(e) => {
                eprintln!("bench-native: {file}: {e}");
                return ExitCode::from(2);
            }
        },
        "typed" => {
            let mut c = Count::default();
            match tfguard_guest::state::visit(&bytes, &mut c) {
                Ok(kind) => format!(
                    "\"recognised\":\"{}\",\"instances\":{},\"attributes\":{},\"outputs\":{},\"variables\":{}",
                    kind.label(),
                    c.instances,
                    c.attributes,
                    c.outputs,
                    c.variables
                ),
                Err(e) => {
                    eprintln!("bench-native: {file}: {}", e.message);
                    return ExitCode::from(2);
                }
            }
        }
        "engine" => match engine(file, bytes.clone()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("bench-native: {file}: {e}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("bench-native: mode must be `value`, `typed` or `engine`");
            return ExitCode::from(2);
        }
    };
    let t2 = Instant::now();
    println!(
        "{{\"mode\":\"{mode}\",\"read_ms\":{:.1},\"parse_ms\":{:.1},{summary}}}",
        (t1 - t0).as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3
    );
    std::mem::forget(bytes);
    ExitCode::SUCCESS
}

/// The guest engine, natively, on every `.tf` file under a directory (sorted, as the host walks).
fn engine_dir(dir: &str) -> Result<String, String> {
    use tfguard_guest::types::{DocKind, Document};
    fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|x| x == "tf") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(std::path::Path::new(dir), &mut files).map_err(|e| e.to_string())?;
    let mut docs = Vec::new();
    for p in files {
        let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        docs.push(Document::new(p.display().to_string(), DocKind::Hcl, bytes));
    }
    let report = tfguard_guest::check(&docs, &settings()?)?;
    Ok(format!(
        "\"files\":{},\"findings\":{},\"errors\":{}",
        docs.len(),
        report.findings.len(),
        report.errors.len()
    ))
}

/// The default packs (every `policies/default/*.toml`) and default options.
fn settings() -> Result<tfguard_guest::types::Settings, String> {
    use tfguard_guest::types::{PolicyPackSrc, Settings};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/default");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    let mut packs = Vec::new();
    for p in names {
        let contents = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        packs.push(PolicyPackSrc {
            name: p.display().to_string(),
            contents,
        });
    }
    Ok(Settings {
        packs,
        options_json: String::new(),
        known_secrets: Vec::new(),
    })
}

/// The guest engine, natively, on one document with the default packs and options.
fn engine(file: &str, bytes: Vec<u8>) -> Result<String, String> {
    use tfguard_guest::types::{DocKind, Document};
    let docs = [Document::new(file, DocKind::Detect, bytes)];
    let report = tfguard_guest::check(&docs, &settings()?)?;
    let n = (report.findings.len(), report.errors.len());
    std::mem::forget(report);
    Ok(format!("\"findings\":{},\"errors\":{}", n.0, n.1))
}
