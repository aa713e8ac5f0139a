//! `bench-gen OUTDIR [SEED]`: writes the benchmark's inputs deterministically:
//! `repo/` (200 .tf files), `state-{1,10,30,100}mb.tfstate`, `plan-50mb.json`, and
//! `manifest.json` listing each input's size and the secrets planted in it.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};
use tfguard_bench::{Planted, plan, repo, state};

const STATE_MB: [u64; 4] = [1, 10, 30, 100];
const PLAN_MB: u64 = 50;
const MB: u64 = 1_000_000;

fn planted_json(p: &[Planted]) -> Value {
    Value::Array(
        p.iter()
            .map(|p| json!({ "address": p.address, "attribute": p.attribute }))
            .collect(),
    )
}

fn run(out: PathBuf, seed: u64) -> std::io::Result<Value> {
    std::fs::create_dir_all(&out)?;
    let repo_dir = out.join("repo");
    if repo_dir.exists() {
        std::fs::remove_dir_all(&repo_dir)?;
    }
    let files = repo::write_repo(&repo_dir, seed)?;
    let mut states = Vec::new();
    for mb in STATE_MB {
        let path = out.join(format!("state-{mb}mb.tfstate"));
        let w = state::write_state(BufWriter::new(File::create(&path)?), mb * MB, seed)?;
        eprintln!(
            "bench-gen: {} ({} bytes, {} instances, {} planted secrets)",
            path.display(),
            w.bytes,
            w.instances,
            w.planted.len()
        );
        states.push(json!({
            "mb": mb, "path": path, "bytes": w.bytes, "instances": w.instances,
            "planted": planted_json(&w.planted),
        }));
    }
    let path = out.join(format!("plan-{PLAN_MB}mb.json"));
    let w = plan::write_plan(BufWriter::new(File::create(&path)?), PLAN_MB * MB, seed)?;
    eprintln!(
        "bench-gen: {} ({} bytes, {} resource changes, {} planted secrets)",
        path.display(),
        w.bytes,
        w.changes,
        w.planted.len()
    );
    Ok(json!({
        "seed": seed,
        "repo": { "path": repo_dir, "files": files, "modules": repo::MODULES,
                  "leaky_modules": (0..repo::MODULES).filter(|i| repo::leaky(*i)).count() },
        "states": states,
        "plan": { "mb": PLAN_MB, "path": path, "bytes": w.bytes, "changes": w.changes,
                  "planted": planted_json(&w.planted) },
    }))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: bench-gen OUTDIR [SEED]");
        return ExitCode::from(2);
    };
    let seed = match args.next().map(|s| s.parse::<u64>()) {
        None => 20_261_125,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("bench-gen: SEED must be a whole number");
            return ExitCode::from(2);
        }
    };
    match run(out.clone(), seed).and_then(|m| {
        let text = serde_json::to_string_pretty(&m).map_err(std::io::Error::other)?;
        std::fs::write(out.join("manifest.json"), text)
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-gen: {e}");
            ExitCode::from(2)
        }
    }
}
