//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request's diff (`::error file=…,line=…,col=…,title=…::message`). Suppressed
//! findings are not annotated; a plain summary line ends the log.

use std::io::Write;

use super::Ctx;
use crate::runtime::wit::{Severity, Span};

/// Message data: `%`, CR and LF are escaped (the runner's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally escape `:` and `,` (the runner's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn props(path: &str, span: &Option<Span>, title: &str) -> String {
    let mut p = format!("file={}", escape_property(path));
    if let Some(s) = span {
        p.push_str(&format!(
            ",line={},col={},endLine={},endColumn={}",
            s.line, s.column, s.end_line, s.end_column
        ));
    }
    p.push_str(&format!(",title={}", escape_property(title)));
    p
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    for f in cx.report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let mut title = f.rule_id.clone();
        if let Some(r) = cx.rule(&f.rule_id) {
            title.push(' ');
            title.push_str(&r.name);
        }
        let mut msg = f.message.clone();
        if f.span.is_none() {
            if let Some(a) = &f.address {
                msg.push_str(&format!("\nresource: {a}"));
            }
            if let Some(a) = &f.attribute {
                msg.push_str(&format!("\nattribute: {a}"));
            }
        }
        if !f.remediation.is_empty() {
            msg.push_str(&format!("\nfix: {}", f.remediation));
        }
        writeln!(
            w,
            "::{} {}::{}",
            command(f.severity),
            props(&f.path, &f.span, &title),
            escape_data(&msg)
        )?;
    }
    for e in &cx.report.errors {
        writeln!(
            w,
            "::error {}::{}",
            props(&e.path, &e.span, "tfguard: document not checked"),
            escape_data(&e.message)
        )?;
    }
    for s in cx.skipped {
        writeln!(
            w,
            "::notice {}::{}",
            props(&s.path, &None, "tfguard: not checked"),
            escape_data(&format!("not checked: {}", s.reason))
        )?;
    }
    let c = cx.counts();
    writeln!(
        w,
        "tfguard: {} errors, {} warnings, {} infos, {} suppressed; {} documents checked, {} document errors, {} skipped",
        c.errors,
        c.warnings,
        c.infos,
        c.suppressed,
        cx.report.documents.len(),
        cx.report.errors.len(),
        cx.skipped.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_runner() {
        assert_eq!(escape_data("50%\r\nx: a, b"), "50%25%0D%0Ax: a, b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
