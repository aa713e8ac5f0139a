//! Renderers, one per format. Each takes the same [`Ctx`] and writes the whole report; none
//! sees a secret value (the guest never puts one in a finding), and the seed tests check that.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io::Write;

use crate::cli::Format;
use crate::discover::Skipped;
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
    /// The documents among them whose bytes went to the guest without a copy here: a code
    /// frame reads the file again (if it is still the file that was checked).
    pub streamed: &'a [crate::discover::Streamed],
    /// What the directory walk saw and left out, with why; every format names them.
    pub skipped: &'a [Skipped],
    pub rules: &'a [RuleInfo],
    /// Lowest severity that fails the gate.
    pub threshold: Severity,
    pub color: bool,
    /// Threads a format may render on (the human report's frames are rendered in parallel).
    pub jobs: usize,
}

pub fn rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

/// Does `f` fail a gate whose threshold is `threshold`? The one definition: `check`'s exit
/// status and the provisioning commands' refusal both ask it.
pub fn fails_at(f: &Finding, threshold: Severity) -> bool {
    f.suppressed.is_none() && rank(f.severity) >= rank(threshold)
}

/// A severity's name, as every text output and the config spell it.
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
        fails_at(f, self.threshold)
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
        Format::Gitlab => gitlab::render(w, cx),
    }
}

/// Reports are replaced atomically (`crate::atomic`).
pub use crate::atomic::write as write_atomic;
