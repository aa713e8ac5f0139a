//! Renderers, one per format. Each takes the same [`Ctx`] and writes the whole report; none
//! sees a secret value (the guest never puts one in a finding), and the seed tests check that.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io::Write;
use std::path::Path;

use crate::cli::Format;
use crate::runtime::wit::{Document, Finding, Report, RuleInfo, Severity};

/// The project's home, and where each rule's documentation (`policies/rules/<ID>.md`) is published.
pub const HOME_URL: &str = "https://github.com/tfguard/tfguard";
pub const DOCS_BASE: &str = "https://github.com/tfguard/tfguard/blob/main/policies/rules/";

pub fn rule_url(id: &str) -> String {
    format!("{DOCS_BASE}{id}.md")
}

/// Everything a renderer may use.
pub struct Ctx<'a> {
    pub report: &'a Report,
    /// The checked documents, for source snippets.
    pub docs: &'a [Document],
    pub rules: &'a [RuleInfo],
    /// Lowest severity that fails the gate.
    pub threshold: Severity,
    pub color: bool,
}

pub fn rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

pub fn sev_str(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

impl Ctx<'_> {
    /// Does this finding fail the gate?
    pub fn fails(&self, f: &Finding) -> bool {
        f.suppressed.is_none() && rank(f.severity) >= rank(self.threshold)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn source(&self, path: &str) -> Option<&str> {
        self.docs
            .iter()
            .find(|d| d.path == path)
            .and_then(|d| std::str::from_utf8(&d.contents).ok())
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.report.findings {
            if f.suppressed.is_some() {
                c.suppressed += 1;
                continue;
            }
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
}

pub fn render(format: Format, cx: &Ctx<'_>, w: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => human::render(w, cx),
        Format::Json => json::render(w, cx),
        Format::Sarif => sarif::render(w, cx),
        Format::Github => github::render(w, cx),
        Format::Junit => junit::render(w, cx),
    }
}

/// Writes `bytes` to `path` through a temp file in the same directory and a rename, so a
/// reader (or a crash) never sees a half-written report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, None)
}

/// [`write_atomic`] that gives the new file `perms` (a replaced source file keeps its mode;
/// the temp file would otherwise be private).
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    perms: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tfguard-report")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
