//! `tfguard check`: collect documents, run the guest once, render, and pick the exit code.

use crate::cli::{CheckArgs, FailOn};
use crate::config::{self, Config};
use crate::discover;
use crate::error::{Error, Result};
use crate::output;
use crate::packs;
use crate::runtime::wit::{Report, Settings, Severity};
use crate::runtime::{Limits, Runtime};

pub fn load_config(
    explicit: Option<&std::path::Path>,
    first_path: Option<&std::path::Path>,
) -> Result<Config> {
    match explicit {
        Some(p) => config::load(p),
        None => match first_path.and_then(config::discover) {
            Some(p) => config::load(&p),
            None => Ok(Config::default()),
        },
    }
}

pub fn settings(cfg: &Config) -> Result<Settings> {
    Ok(Settings {
        packs: packs::load(&cfg.pack_paths())?,
        options_json: cfg.options_json(),
        known_secrets: Vec::new(),
    })
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

pub fn fail_threshold(cli: Option<FailOn>, cfg: &Config) -> Severity {
    match (cli, cfg.fail_on.as_deref()) {
        (Some(FailOn::Error), _) | (None, Some("error")) => Severity::Error,
        (Some(FailOn::Warning), _) | (None, Some("warning")) => Severity::Warning,
        (Some(FailOn::Info), _) | (None, Some("info")) => Severity::Info,
        _ => Severity::Error,
    }
}

/// 0 = clean, 1 = an unsuppressed finding at or above the threshold, 2 = a document error.
pub fn exit_code(report: &Report, threshold: Severity) -> u8 {
    if !report.errors.is_empty() {
        return 2;
    }
    let failing = report
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && rank(f.severity) >= rank(threshold));
    u8::from(failing)
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let cfg = load_config(
        args.config.as_deref(),
        args.paths.first().map(|p| p.as_path()),
    )?;
    let docs = discover::collect(&args.paths, &args.var_files)?;
    if docs.is_empty() {
        return Err(Error::Usage(format!(
            "no Terraform files (*.tf, *.tfvars, *.tfstate, plan JSON) found in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let rt = Runtime::new(Limits {
        max_memory: args.sandbox.max_memory,
        timeout: args.sandbox.timeout,
    })?;
    let report = rt.check(&docs, &settings(&cfg)?)?;
    let threshold = fail_threshold(args.fail_on, &cfg);
    output::human::render(&mut std::io::stdout().lock(), &report, &docs)
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(exit_code(&report, threshold))
}
