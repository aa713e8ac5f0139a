//! Human output: rustc-style diagnostics rendered by `annotate-snippets` (the renderer rustc and
//! cargo use). HCL findings show the source with the span underlined; state and plan findings
//! (no source line) show the file, resource address and attribute path; the fix follows as
//! `= help:`. A summary line closes the output.

use std::io::Write;

use std::collections::BTreeMap;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Ctx, sev_str};
use crate::runtime::wit::{DocError, Finding, Severity, Span};

/// Byte range of a 1-based line/character-column span in `src` (end exclusive, clamped).
pub fn byte_range(src: &str, span: &Span) -> std::ops::Range<usize> {
    let offset = |line: u32, col: u32| -> usize {
        let mut start = 0usize;
        for _ in 1..line.max(1) {
            match src[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return src.len(),
            }
        }
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        src[start..line_end]
            .char_indices()
            .nth(col.max(1) as usize - 1)
            .map_or(line_end, |(i, _)| start + i)
    };
    let a = offset(span.line, span.column);
    let b = offset(span.end_line, span.end_column).max(a);
    a..b
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn location_notes(f: &Finding) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(a) = &f.address {
        notes.push(format!("resource: {a}"));
    }
    if let Some(a) = &f.attribute {
        notes.push(format!("attribute: {a}"));
    }
    if !f.flow.is_empty() {
        notes.push(format!("flow: {}", f.flow.join(" -> ")));
    }
    notes
}

/// The family of a finding's rule (`secrets`, `redirect-uris`, ...).
fn family<'a>(cx: &'a Ctx<'_>, id: &str) -> &'a str {
    cx.rule(id).map(|r| r.family.as_str()).unwrap_or("")
}

/// Replace `range` of `buf` with `*`, byte for byte, so every other span in the file keeps
/// its offsets.
fn mask(buf: &mut [u8], range: std::ops::Range<usize>) {
    for b in &mut buf[range] {
        if *b != b'\n' {
            *b = b'*';
        }
    }
}

/// Source files as the code frames show them: a string literal that a secrets-family finding
/// points at (a hard-coded secret) and the password of a redirect URI with user-info are
/// masked, so a CI log never receives what the finding is about. Findings never carry values;
/// this keeps the frames to the same rule.
fn masked_sources(cx: &Ctx<'_>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let userinfo = regex::Regex::new(r"://[^/@:\s]*:([^/@\s]*)@").ok();
    for f in &cx.report.findings {
        let (Some(span), Some(src)) = (f.span, cx.source(&f.path)) else {
            continue;
        };
        let range = byte_range(src, &span);
        let text = &src[range.clone()];
        let literal = text.starts_with('"') || text.starts_with("<<") || !text.contains('=');
        let buf = out
            .entry(f.path.clone())
            .or_insert_with(|| src.as_bytes().to_vec());
        if family(cx, &f.rule_id) == "secrets" && literal {
            // Keep the quotes so the frame still reads as a string.
            let inner = if text.starts_with('"') && text.len() >= 2 {
                range.start + 1..range.end - 1
            } else {
                range.clone()
            };
            mask(buf, inner);
        }
        if let Some(re) = &userinfo {
            for c in re.captures_iter(text) {
                if let Some(m) = c.get(1) {
                    mask(buf, range.start + m.start()..range.start + m.end());
                }
            }
        }
    }
    out.into_iter()
        .filter_map(|(k, v)| String::from_utf8(v).ok().map(|s| (k, s)))
        .collect()
}

fn finding_group<'a>(
    cx: &'a Ctx<'_>,
    sources: &'a BTreeMap<String, String>,
    f: &'a Finding,
) -> Vec<Group<'a>> {
    let title = level(f.severity).primary_title(&f.message).id(&f.rule_id);
    let src = sources
        .get(&f.path)
        .map(String::as_str)
        .or_else(|| cx.source(&f.path));
    let mut group = match (f.span, src) {
        (Some(span), Some(src)) => {
            let range = byte_range(src, &span);
            let label = f
                .attribute
                .as_deref()
                .map(|a| format!("`{a}`"))
                .unwrap_or_default();
            Group::with_title(title).element(
                Snippet::source(src)
                    .path(f.path.as_str())
                    .annotation(AnnotationKind::Primary.span(range).label(label)),
            )
        }
        (Some(span), None) => Group::with_title(title).element(
            Origin::path(f.path.as_str())
                .line(span.line as usize)
                .char_column(span.column as usize),
        ),
        (None, _) => Group::with_title(title).element(Origin::path(f.path.as_str())),
    };
    // Spanned HCL findings show the code; the address still helps on a resource's inner line.
    let notes = if f.span.is_some() {
        f.address.iter().map(|a| format!("resource: {a}")).collect()
    } else {
        location_notes(f)
    };
    for n in notes {
        group = group.element(Level::NOTE.message(n));
    }
    if !f.remediation.is_empty() {
        group = group.element(Level::HELP.message(f.remediation.as_str()));
    }
    if let Some(r) = cx.rule(&f.rule_id) {
        group = group.element(Level::NOTE.message(format!(
            "rule {}; details: `tfguard explain {}`",
            r.name, r.id
        )));
    }
    vec![group]
}

fn doc_error_group<'a>(cx: &'a Ctx<'_>, e: &'a DocError) -> Vec<Group<'a>> {
    let title = if e.unsupported {
        Level::ERROR.primary_title(format!("cannot check this document: {}", e.message))
    } else {
        Level::ERROR.primary_title(&e.message)
    };
    let group = match (e.span, cx.source(&e.path)) {
        (Some(span), Some(src)) => Group::with_title(title).element(
            Snippet::source(src)
                .path(e.path.as_str())
                .annotation(AnnotationKind::Primary.span(byte_range(src, &span))),
        ),
        (Some(span), None) => Group::with_title(title).element(
            Origin::path(e.path.as_str())
                .line(span.line as usize)
                .char_column(span.column as usize),
        ),
        (None, _) => Group::with_title(title).element(Origin::path(e.path.as_str())),
    };
    vec![
        group
            .element(Level::NOTE.message("document errors cannot be suppressed; the gate exits 2")),
    ]
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    let renderer = if cx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);

    let sources = masked_sources(cx);
    for f in cx.report.findings.iter().filter(|f| f.suppressed.is_none()) {
        writeln!(w, "{}\n", renderer.render(&finding_group(cx, &sources, f)))?;
    }
    for e in &cx.report.errors {
        writeln!(w, "{}\n", renderer.render(&doc_error_group(cx, e)))?;
    }
    // Suppressed findings stay visible, one line each, so accepted risks are never silent.
    for f in cx.report.findings.iter().filter(|f| f.suppressed.is_some()) {
        let Some(s) = &f.suppressed else { continue };
        let loc = match (&f.span, &f.address) {
            (Some(sp), _) => format!("{}:{}:{}", f.path, sp.line, sp.column),
            (None, Some(a)) => format!("{} {a}", f.path),
            (None, None) => f.path.clone(),
        };
        writeln!(
            w,
            "suppressed[{}] {loc}: {} (reason: {}; {})",
            f.rule_id, f.message, s.reason, s.origin
        )?;
    }
    let c = cx.counts();
    let docs = cx.report.documents.len();
    let mut line = format!(
        "{}, {}, {}, {} suppressed; {} checked",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.infos, "info"),
        c.suppressed,
        plural(docs, "document"),
    );
    if !cx.report.errors.is_empty() {
        line.push_str(&format!(
            ", {} could not be checked",
            plural(cx.report.errors.len(), "document")
        ));
    }
    let failing = cx.report.findings.iter().filter(|f| cx.fails(f)).count();
    let verdict = if !cx.report.errors.is_empty() {
        "failed (document errors)".to_string()
    } else if failing > 0 {
        format!("failed ({failing} at or above {})", sev_str(cx.threshold))
    } else {
        "passed".to_string()
    };
    writeln!(w, "tfguard: {line}: {verdict}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_count_characters() {
        let src = "ab\nçd = 1\nlast";
        let s = Span {
            line: 2,
            column: 2,
            end_line: 2,
            end_column: 3,
        };
        assert_eq!(&src[byte_range(src, &s)], "d");
        let past = Span {
            line: 9,
            column: 1,
            end_line: 9,
            end_column: 2,
        };
        assert_eq!(byte_range(src, &past), src.len()..src.len());
    }
}
