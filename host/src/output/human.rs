//! Human output (placeholder renderer; the diagnostics issue replaces it with code frames).

use std::io::Write;

use crate::runtime::wit::{Document, Report, Severity};

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn render(w: &mut dyn Write, report: &Report, _docs: &[Document]) -> std::io::Result<()> {
    for f in &report.findings {
        let loc = match (&f.span, &f.address) {
            (Some(s), _) => format!("{}:{}:{}", f.path, s.line, s.column),
            (None, Some(a)) => format!(
                "{} {a}{}",
                f.path,
                f.attribute
                    .as_ref()
                    .map(|x| format!(" `{x}`"))
                    .unwrap_or_default()
            ),
            (None, None) => f.path.clone(),
        };
        writeln!(
            w,
            "{}[{}]: {}\n  --> {loc}\n  = fix: {}\n",
            sev(f.severity),
            f.rule_id,
            f.message,
            f.remediation
        )?;
    }
    for e in &report.errors {
        let loc = e
            .span
            .map(|s| format!(":{}:{}", s.line, s.column))
            .unwrap_or_default();
        writeln!(w, "error: {}{loc}: {}", e.path, e.message)?;
    }
    writeln!(
        w,
        "{} finding(s), {} error(s) in {} document(s)",
        report.findings.len(),
        report.errors.len(),
        report.documents.len()
    )
}
