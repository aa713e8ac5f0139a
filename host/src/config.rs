//! `.tfguard.hcl`: found by walking up from the first checked path, or given with `--config`.
//! The host owns discovery and the file's syntax; rule options are passed to the guest as JSON
//! and validated there (unknown rule ids are errors, not silent no-ops).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

pub const FILE_NAME: &str = ".tfguard.hcl";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lowest severity that fails the gate: error | warning | info.
    #[serde(default)]
    pub fail_on: Option<String>,
    #[serde(default)]
    pub only: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    /// Extra policy packs (TOML), relative to the config file.
    #[serde(default)]
    pub policy_packs: Vec<String>,
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub ignore: Vec<IgnoreBlock>,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreBlock {
    pub rule: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub reason: String,
}

/// Walk up from `start` looking for `.tfguard.hcl`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

pub fn load(path: &Path) -> Result<Config> {
    let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut cfg: Config = hcl::from_str(&src).map_err(|e| {
        let (line, column) = match &e {
            hcl::Error::Parse(p) => (p.location().line(), p.location().column()),
            _ => (1, 1),
        };
        Error::Config {
            path: path.to_path_buf(),
            line,
            column,
            message: e.to_string(),
        }
    })?;
    if let Some(f) = &cfg.fail_on
        && !matches!(f.as_str(), "error" | "warning" | "info")
    {
        return Err(Error::Config {
            path: path.to_path_buf(),
            line: line_of(&src, "fail_on"),
            column: 1,
            message: format!("fail_on must be \"error\", \"warning\" or \"info\", not \"{f}\""),
        });
    }
    for ig in &cfg.ignore {
        if ig.reason.trim().is_empty() {
            return Err(Error::Config {
                path: path.to_path_buf(),
                line: line_of(&src, "ignore"),
                column: 1,
                message: format!("ignore block for {} needs a non-empty `reason`", ig.rule),
            });
        }
    }
    cfg.path = Some(path.to_path_buf());
    Ok(cfg)
}

fn line_of(src: &str, key: &str) -> usize {
    src.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
        .unwrap_or(1)
}

impl Config {
    /// Rule options for the guest (see guest/src/options.rs).
    pub fn options_json(&self) -> String {
        serde_json::json!({
            "only": self.only,
            "disable": self.disable,
            "severity": self.severity,
            "ignore": self.ignore,
        })
        .to_string()
    }

    /// Pack paths resolved against the config file's directory.
    pub fn pack_paths(&self) -> Vec<PathBuf> {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        self.policy_packs.iter().map(|p| base.join(p)).collect()
    }
}
