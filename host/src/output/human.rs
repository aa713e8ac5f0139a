//! Human output: rustc-style diagnostics rendered by `annotate-snippets` (the renderer rustc and
//! cargo use). HCL findings show the source with the span underlined; state and plan findings
//! (no source line) show the file, resource address and attribute path; the fix follows as
//! `= help:`. A summary line closes the output.

use std::io::Write;

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Ctx, sev_str};
use crate::runtime::wit::{DocError, Document, Finding, Severity, Span};

/// The lines of one document that the frames show, read in one pass over the file: only the
/// lines a span covers are kept, so a 100 MB state with a few thousand findings holds a few
/// hundred kilobytes, not a second copy of itself (re-reading the whole file into memory was
/// most of the human report's extra cost over JSON: page faults and the copy). A span is then
/// found in O(log kept lines + line length): rendering costs the file once plus the lines
/// shown, never the file times the findings. Offsets below are into `text`, the kept lines
/// end to end.
pub struct Source {
    text: String,
    /// `(line number, start in text)` of each kept line, in order (1-based numbers).
    lines: Vec<(u32, usize)>,
}

/// Bytes read per step when selecting lines.
const CHUNK: usize = 1 << 20;

impl Source {
    /// Keep the lines in `wanted` (sorted, merged, 1-based inclusive ranges) of the text `r`
    /// gives. `None` if it is not UTF-8 (a frame of a transcoded document would be wrong) or
    /// cannot be read. `read`: how many bytes it read.
    pub fn select(
        mut r: impl std::io::Read,
        wanted: &[(u32, u32)],
        read: &mut u64,
    ) -> Option<Source> {
        let mut s = Selector::new(wanted);
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            };
            *read += n as u64;
            s.feed(&buf[..n])?;
        }
        s.finish()
    }

    /// [`Source::select`] of a document in memory: no buffer to fill (a zeroed megabyte per
    /// document was most of the frames' time on 2,000 small files).
    pub fn select_bytes(bytes: &[u8], wanted: &[(u32, u32)], read: &mut u64) -> Option<Source> {
        let mut s = Selector::new(wanted);
        for chunk in bytes.chunks(CHUNK) {
            *read += chunk.len() as u64;
            s.feed(chunk)?;
        }
        s.finish()
    }

    /// The kept line numbered `line`: its index in `lines`.
    fn index(&self, line: u32) -> Option<usize> {
        self.lines.binary_search_by_key(&line, |&(n, _)| n).ok()
    }

    /// The bytes of kept line `k` in `text`, without its `\n`.
    fn bounds(&self, k: usize) -> (usize, usize) {
        let start = self.lines.get(k).map_or(self.text.len(), |&(_, s)| s);
        let next = self.lines.get(k + 1).map_or(self.text.len(), |&(_, s)| s);
        let end = if next > start && self.text.as_bytes().get(next - 1) == Some(&b'\n') {
            next - 1
        } else {
            next
        };
        (start, end)
    }

    /// The kept line holding `at`.
    fn line_of(&self, at: usize) -> usize {
        self.lines.partition_point(|&(_, s)| s <= at).max(1) - 1
    }

    /// Offset of a 1-based line and character column (clamped to the line's end), if kept.
    fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let (start, end) = self.bounds(self.index(line.max(1))?);
        Some(
            self.text[start..end]
                .char_indices()
                .nth(col.max(1) as usize - 1)
                .map_or(end, |(i, _)| start + i),
        )
    }

    /// Byte range of a span (end exclusive, clamped), if its lines were kept.
    pub fn byte_range(&self, span: &Span) -> Option<std::ops::Range<usize>> {
        let a = self.offset(span.line, span.column)?;
        let b = self
            .offset(span.end_line.max(span.line), span.end_column)
            .unwrap_or(a)
            .max(a);
        Some(a..b)
    }

    /// Bounds of the whole lines that `range` touches.
    fn line_bounds(&self, range: std::ops::Range<usize>) -> (usize, usize) {
        let first = self.line_of(range.start);
        let last = self.line_of(range.end.max(range.start));
        (self.bounds(first).0, self.bounds(last).1.max(range.end))
    }

    /// The whole lines that `range` touches, as (their text, first line's number, `range`
    /// relative to that text).
    fn lines(&self, range: std::ops::Range<usize>) -> (&str, usize, std::ops::Range<usize>) {
        let (a, b) = self.line_bounds(range.clone());
        let line = self
            .lines
            .get(self.line_of(a))
            .map_or(1, |&(n, _)| n as usize);
        (&self.text[a..b], line, range.start - a..range.end - a)
    }
}

/// [`Source::select`]'s pass over a text given in pieces: checks UTF-8 across them and keeps
/// the wanted lines.
struct Selector<'w> {
    want: std::iter::Peekable<std::slice::Iter<'w, (u32, u32)>>,
    text: Vec<u8>,
    lines: Vec<(u32, usize)>,
    line: u32,
    /// Inside a kept line; at the start of a line; no line left to keep.
    keeping: bool,
    at_line_start: bool,
    done: bool,
    /// The start of a UTF-8 sequence that the end of a piece cut, completed by the next.
    carry: Vec<u8>,
}

impl<'w> Selector<'w> {
    fn new(wanted: &'w [(u32, u32)]) -> Self {
        Selector {
            want: wanted.iter().peekable(),
            text: Vec::new(),
            lines: Vec::new(),
            line: 1,
            keeping: false,
            at_line_start: true,
            done: wanted.is_empty(),
            carry: Vec::new(),
        }
    }

    /// The next piece; `None` if the text is not UTF-8 or has too many lines.
    fn feed(&mut self, chunk: &[u8]) -> Option<()> {
        let mut data = chunk;
        while !self.carry.is_empty() {
            let Some((&b, rest)) = data.split_first() else {
                break;
            };
            self.carry.push(b);
            data = rest;
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_none() => {}
                Err(_) => return None,
            }
        }
        match std::str::from_utf8(data) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => {
                self.carry.extend_from_slice(&data[e.valid_up_to()..]);
            }
            Err(_) => return None,
        }
        let mut from = 0;
        while !self.done {
            if self.at_line_start {
                while self.want.peek().is_some_and(|&&(_, last)| last < self.line) {
                    self.want.next();
                }
                let Some(&&(first, _)) = self.want.peek() else {
                    self.done = true;
                    break;
                };
                self.keeping = first <= self.line;
                if self.keeping {
                    self.lines.push((self.line, self.text.len()));
                }
                self.at_line_start = false;
            }
            let rest = &chunk[from..];
            let Some(i) = memchr::memchr(b'\n', rest) else {
                if self.keeping {
                    self.text.extend_from_slice(rest);
                }
                break;
            };
            if self.keeping {
                self.text.extend_from_slice(&rest[..=i]);
            }
            from += i + 1;
            self.line = self.line.checked_add(1)?;
            self.at_line_start = true;
        }
        Some(())
    }

    fn finish(self) -> Option<Source> {
        if !self.carry.is_empty() {
            return None; // the text ends inside a UTF-8 sequence
        }
        // Whole lines of a valid UTF-8 text: valid themselves.
        let text = String::from_utf8(self.text).ok()?;
        Some(Source {
            text,
            lines: self.lines,
        })
    }
}

/// Byte ranges of the contents of the quoted strings in `text` (HCL or JSON lines): between
/// unescaped `"`, an unterminated one running to the end of its line.
fn string_contents(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    scan_strings(text, |r| {
        out.push(r);
        true
    });
    out
}

/// The first range [`string_contents`] would give, found without reading past it: called
/// once per secret-named key, on the text from the key to the end of the frame, which for a
/// one-line plan JSON is the rest of a 50 MB line (every key scanning to the end took minutes).
/// Also returns how many bytes it read.
fn first_string(text: &str) -> (Option<std::ops::Range<usize>>, usize) {
    let mut first = None;
    scan_strings(text, |r| {
        first = Some(r);
        false
    });
    let read = first
        .as_ref()
        .map_or(text.len(), |r| (r.end + 1).min(text.len()));
    (first, read)
}

/// Calls `each` with the contents of each string of `text`, in order, while it returns true.
fn scan_strings(text: &str, mut each: impl FnMut(std::ops::Range<usize>) -> bool) {
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match (open, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(start), '"' | '\n') => {
                if !each(start..i) {
                    return;
                }
                open = None;
            }
            (None, '"') => open = Some(i + 1),
            _ => {}
        }
    }
    if let Some(start) = open {
        each(start..text.len());
    }
}

/// `text` with the string value of every secret-named key (`client_secret = "..."`,
/// `"api_token": "..."`) and every redirect URI password masked, for output that shows whole
/// lines of a user's file (`tfguard fix --diff`) without a finding to say which are secret.
pub fn mask_secret_values(text: &str) -> String {
    let mut out = text.to_string();
    let mut masks = Vec::new();
    for c in SECRET_KEY_VALUE.captures_iter(text) {
        if let Some(m) = c.get(1)
            && let (Some(first), _) = first_string(&text[m.start()..])
        {
            masks.push(m.start() + first.start..m.start() + first.end);
        }
    }
    for c in USERINFO.captures_iter(text) {
        if let Some(m) = c.get(1) {
            masks.push(m.range());
        }
    }
    for m in masks {
        mask(&mut out, m);
    }
    out
}

/// `resource "t" "n" {`, `data "t" "n"`, `module "m"` …: a block's header line.
fn block_header(text: &str) -> bool {
    let first = text.split('\n').next().unwrap_or_default().trim_start();
    [
        "resource",
        "data",
        "ephemeral",
        "module",
        "output",
        "variable",
    ]
    .iter()
    .any(|k| {
        first
            .strip_prefix(k)
            .is_some_and(|rest| rest.starts_with([' ', '\t']) && rest.trim_start().starts_with('"'))
    })
}

/// `client_secret = "`, `"api_token": "`: the match ends just before the value's quote.
/// The key's tail is anything up to a space, `=`, `:` or quote, not `[\w-]*`: Unicode's `\w`
/// took 1.5 ms to compile, a tenth of a 2,000-file report on two cores, and the wider class
/// masks more (`password.x = "..."`), never less. No head: only the value is masked.
/// Compiled on first use, so runs that show no frame never pay for it.
static SECRET_KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u:secret|passw(?:or)?d|token|api_?key|private_?key|credential)[^\s=:"]*"?\s*[=:]\s*(")"#)
        .expect("a constant pattern")
});
/// The password of a URI with user-info.
static USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"://[^/@:\s]*:([^/@\s]*)@").expect("a constant pattern"));

/// The sources of the documents that have a framed finding or error, masked; `work` counts the
/// bytes read to build and cut them (the linearity test reads it).
pub struct Frames {
    sources: HashMap<String, Option<Source>>,
    work: std::sync::atomic::AtomicUsize,
}

impl Frames {
    fn get(&self, path: &str) -> Option<&Source> {
        self.sources.get(path).and_then(Option::as_ref)
    }

    /// A snippet of the lines around `span` in `path`, if that source is known.
    fn snippet<'a>(
        &'a self,
        path: &'a str,
        span: &Span,
        label: String,
    ) -> Option<Snippet<'a, annotate_snippets::Annotation<'a>>> {
        let src = self.get(path)?;
        let (text, line, range) = src.lines(src.byte_range(span)?);
        self.work
            .fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed);
        Some(
            Snippet::source(text)
                .line_start(line)
                .path(path)
                .annotation(AnnotationKind::Primary.span(range).label(label)),
        )
    }

    pub fn work(&self) -> usize {
        self.work.load(std::sync::atomic::Ordering::Relaxed)
    }
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

/// Replace `range` of `text` with `*`, byte for byte, so every other span in the file keeps
/// its offsets (whole characters, so the text stays UTF-8).
fn mask(text: &mut String, range: std::ops::Range<usize>) {
    let masked: String = text[range.clone()]
        .chars()
        .flat_map(|c| {
            let n = if c == '\n' { 0 } else { c.len_utf8() };
            std::iter::repeat_n('*', n).chain((c == '\n').then_some('\n'))
        })
        .collect();
    text.replace_range(range, &masked);
}

/// Source files as the code frames show them: a string literal that a secrets-family finding
/// points at (a hard-coded secret) and the password of a redirect URI with user-info are
/// masked, so a CI log never receives what the finding is about. Findings never carry values;
/// this keeps the frames to the same rule. Each document is decoded and indexed once.
pub fn frames(cx: &Ctx<'_>) -> Frames {
    let docs: HashMap<&str, &Document> = cx.docs.iter().map(|d| (d.path.as_str(), d)).collect();
    // The lines each document's frames need, from every span.
    let mut wanted: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    let spans = cx
        .report
        .errors
        .iter()
        .filter_map(|e| Some((e.path.as_str(), e.span?)));
    for (path, span) in spans.chain(
        cx.report
            .findings
            .iter()
            .filter_map(|f| Some((f.path.as_str(), f.span?))),
    ) {
        let first = span.line.max(1);
        wanted
            .entry(path)
            .or_default()
            .push((first, span.end_line.max(first)));
    }
    for ranges in wanted.values_mut() {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for &(a, b) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *ranges = merged;
    }
    let mut work = 0usize;
    let mut sources: HashMap<String, Option<Source>> = HashMap::new();
    let source = |sources: &mut HashMap<String, Option<Source>>, path: &str, work: &mut usize| {
        if !sources.contains_key(path) {
            let lines = wanted.get(path).map_or(&[][..], Vec::as_slice);
            let mut read = 0u64;
            let src = match cx.streamed.iter().find(|s| s.name == path) {
                Some(s) => s.reopen().and_then(|r| {
                    Source::select(r, lines, &mut read).filter(|_| read == s.checked_len())
                }),
                None => docs
                    .get(path)
                    .and_then(|d| Source::select_bytes(&d.contents, lines, &mut read)),
            };
            *work += usize::try_from(read).unwrap_or(usize::MAX);
            sources.insert(path.to_string(), src);
        }
    };
    // A document error's frame shows the lines around a syntax error, which may hold a
    // secret (`client_secret = "..." }}`): the contents of every string on them are masked.
    for e in &cx.report.errors {
        let Some(span) = e.span else { continue };
        source(&mut sources, &e.path, &mut work);
        if let Some(Some(src)) = sources.get_mut(&e.path)
            && let Some(range) = src.byte_range(&span)
        {
            let (a, b) = src.line_bounds(range);
            work += b - a;
            for m in string_contents(&src.text[a..b]) {
                mask(&mut src.text, a + m.start..a + m.end);
            }
        }
    }
    for f in &cx.report.findings {
        let Some(span) = f.span else { continue };
        source(&mut sources, &f.path, &mut work);
        let Some(Some(src)) = sources.get_mut(&f.path) else {
            continue;
        };
        let Some(range) = src.byte_range(&span) else {
            continue;
        };
        work += range.len();
        let text = &src.text[range.clone()];
        let mut masks = Vec::new();
        // A block header (`resource "random_password" "client_secret" {`, the span of a
        // generator finding) holds labels, never values: masking them only hides the place.
        // One line only: a span over a whole block must still have its values masked.
        let header = !text.contains('\n') && block_header(text);
        if family(cx, &f.rule_id) == "secrets" && !header {
            if text.starts_with("<<") {
                // A heredoc: everything after its opening line.
                let body = text.find('\n').map_or(text.len(), |i| i + 1);
                masks.push(range.start + body..range.end);
            }
            masks.extend(
                string_contents(text)
                    .into_iter()
                    .map(|m| range.start + m.start..range.start + m.end),
            );
        }
        // Whatever the finding, a frame's lines may hold a secret-named key's value.
        let (a, b) = src.line_bounds(range.clone());
        work += b - a;
        for c in SECRET_KEY_VALUE.captures_iter(&src.text[a..b]) {
            if let Some(m) = c.get(1) {
                let rest = &src.text[a + m.start()..b];
                let (first, read) = first_string(rest);
                work += read;
                if let Some(first) = first {
                    masks.push(a + m.start() + first.start..a + m.start() + first.end);
                }
            }
        }
        for c in USERINFO.captures_iter(text) {
            if let Some(m) = c.get(1) {
                masks.push(range.start + m.start()..range.start + m.end());
            }
        }
        for m in masks {
            mask(&mut src.text, m);
        }
    }
    Frames {
        sources,
        work: std::sync::atomic::AtomicUsize::new(work),
    }
}

fn finding_group<'a>(cx: &'a Ctx<'_>, frames: &'a Frames, f: &'a Finding) -> Vec<Group<'a>> {
    let title = level(f.severity).primary_title(&f.message).id(&f.rule_id);
    let label = || {
        f.attribute
            .as_deref()
            .map(|a| format!("`{a}`"))
            .unwrap_or_default()
    };
    let snippet = f
        .span
        .and_then(|span| frames.snippet(&f.path, &span, label()));
    let mut group = match (f.span, snippet) {
        (Some(_), Some(snippet)) => Group::with_title(title).element(snippet),
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

fn doc_error_group<'a>(frames: &'a Frames, e: &'a DocError) -> Vec<Group<'a>> {
    let title = if e.unsupported {
        Level::ERROR.primary_title(format!("cannot check this document: {}", e.message))
    } else {
        Level::ERROR.primary_title(&e.message)
    };
    let snippet = e
        .span
        .and_then(|span| frames.snippet(&e.path, &span, String::new()));
    let group = match (e.span, snippet) {
        (Some(_), Some(snippet)) => Group::with_title(title).element(snippet),
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

/// Findings per thread below which rendering stays on one thread.
const RENDER_PER_THREAD: usize = 64;

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    let renderer = if cx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);

    let frames = frames(cx);
    let shown: Vec<&Finding> = cx
        .report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let one = |w: &mut dyn Write, f: &Finding| {
        writeln!(w, "{}\n", renderer.render(&finding_group(cx, &frames, f)))
    };
    // Each finding's frame is rendered on its own (a few microseconds each: 540 findings were
    // 4 ms, a twentieth of 2,000 files on two cores), so the findings are cut into runs that
    // render on every thread, written in order.
    let parts = cx.jobs.min(shown.len() / RENDER_PER_THREAD).max(1);
    let mut runs = shown.chunks(shown.len().div_ceil(parts).max(1));
    let first = runs.next().unwrap_or_default();
    std::thread::scope(|s| {
        let rest: Vec<_> = runs
            .map(|run| {
                let one = &one;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for f in run {
                        one(&mut out, f)?;
                    }
                    Ok::<_, std::io::Error>(out)
                })
            })
            .collect();
        for f in first {
            one(w, f)?;
        }
        for t in rest {
            let text = t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
            w.write_all(&text)?;
        }
        Ok::<_, std::io::Error>(())
    })?;
    for e in &cx.report.errors {
        writeln!(w, "{}\n", renderer.render(&doc_error_group(&frames, e)))?;
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
    // What the walk left out is named, one line each, so nothing is skipped unseen.
    for s in cx.skipped {
        writeln!(w, "not checked: {}: {}", s.path, s.reason)?;
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
    if !cx.skipped.is_empty() {
        line.push_str(&format!(
            ", {} not checked",
            plural(cx.skipped.len(), "file")
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

    /// Reads a few bytes at a time, so chunk ends fall inside lines and UTF-8 sequences.
    struct Dribble<'a>(&'a [u8], u64);
    impl std::io::Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self
                .1
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = ((self.1 >> 33) % 7 + 1) as usize;
            let n = n.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn kept_lines_are_the_files_lines() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..40 {
            let mut text = String::new();
            for _ in 0..next(300) {
                for _ in 0..[0, 1, 5, 40, 600][next(5) as usize] {
                    text.push(['a', 'é', '{', '"', '中', '😀'][next(6) as usize]);
                }
                text.push('\n');
            }
            if next(2) == 0 {
                text.push_str("tail");
            }
            let file: Vec<&str> = text.split('\n').collect();
            let mut wanted = Vec::new();
            let mut at = 1 + next(5) as u32;
            while (at as usize) < file.len() + 3 {
                let len = next(4) as u32;
                wanted.push((at, at + len));
                at += len + 2 + next(20) as u32;
            }
            let mut read = 0;
            let src = match round % 3 {
                0 => Source::select(Dribble(text.as_bytes(), round), &wanted, &mut read),
                1 => Source::select(text.as_bytes(), &wanted, &mut read),
                _ => Source::select_bytes(text.as_bytes(), &wanted, &mut read),
            }
            .expect("valid UTF-8");
            assert_eq!(read, text.len() as u64);
            for (i, line_text) in file.iter().enumerate() {
                let n = i as u32 + 1;
                // (After a final `\n` comes an empty last line, as in the full index before.)
                let kept = wanted.iter().any(|&(a, b)| a <= n && n <= b);
                match src.index(n) {
                    Some(k) => {
                        assert!(kept, "line {n} kept");
                        let (a, b) = src.bounds(k);
                        assert_eq!(&src.text[a..b], *line_text, "line {n}");
                        let col = 1 + next(4) as u32;
                        let want = line_text
                            .char_indices()
                            .nth(col as usize - 1)
                            .map_or(b, |(j, _)| a + j);
                        assert_eq!(src.offset(n, col), Some(want));
                    }
                    None => assert!(!kept, "line {n} missing"),
                }
            }
        }
        // Not UTF-8, even split across reads: no source.
        let bad = b"ok\n\xe4\xb8 broken\n";
        assert!(Source::select(Dribble(bad, 3), &[(1, 1)], &mut 0).is_none());
        assert!(Source::select(&b"cut \xe4\xb8"[..], &[(1, 1)], &mut 0).is_none());
        assert!(Source::select_bytes(b"cut \xe4\xb8", &[(1, 1)], &mut 0).is_none());
        assert!(Source::select_bytes(b"bad \xff\n", &[(1, 1)], &mut 0).is_none());
    }

    #[test]
    fn byte_ranges_count_characters() {
        let file = "ab\nçd = 1\nlast";
        let src = Source::select(file.as_bytes(), &[(1, 3)], &mut 0).unwrap();
        let s = Span {
            line: 2,
            column: 2,
            end_line: 2,
            end_column: 3,
        };
        let r = src.byte_range(&s).unwrap();
        assert_eq!(&src.text[r.clone()], "d");
        let (text, line, rel) = src.lines(r);
        assert_eq!((text, line, &text[rel]), ("çd = 1", 2, "d"));
        let past = Span {
            line: 9,
            column: 1,
            end_line: 9,
            end_column: 2,
        };
        assert_eq!(src.byte_range(&past), None);
        let last = Span {
            line: 3,
            column: 1,
            end_line: 3,
            end_column: 5,
        };
        assert_eq!(src.lines(src.byte_range(&last).unwrap()).0, "last");
        // Lines not asked for are not kept: a frame cannot show them.
        let only = Source::select(file.as_bytes(), &[(3, 3)], &mut 0).unwrap();
        assert_eq!(only.text, "last");
        assert_eq!(only.byte_range(&s), None);
    }

    #[test]
    fn block_headers_are_told_from_values() {
        assert!(super::block_header(
            r#"resource "random_password" "client_secret" {"#
        ));
        assert!(super::block_header(r#"  data "vault_kv_secret_v2" "x""#));
        assert!(!super::block_header(r#"password = "hunter2""#));
        assert!(!super::block_header(r#"resource_password = "hunter2""#));
        assert!(!super::block_header(r#"output = "x""#));
    }

    #[test]
    fn string_contents_of_a_line() {
        let t = r#"a = "x\"y" b = "open"#;
        let r: Vec<&str> = string_contents(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(r, [r#"x\"y"#, "open"]);
    }

    #[test]
    fn masking_keeps_offsets_and_utf8() {
        let mut t = String::from("k = \"çé\"\nnext");
        mask(&mut t, 5..9);
        assert_eq!(t, "k = \"****\"\nnext");
    }

    /// A report to render without colour, rules or skipped files.
    fn plain_ctx<'a>(
        report: &'a crate::runtime::wit::Report,
        docs: &'a [Document],
        jobs: usize,
    ) -> Ctx<'a> {
        Ctx {
            report,
            docs,
            streamed: &[],
            skipped: &[],
            rules: &[],
            threshold: Severity::Error,
            color: false,
            jobs,
        }
    }

    /// Findings rendered on several threads come out exactly as on one: every finding once,
    /// in the report's order, whatever the number of threads and findings.
    #[test]
    fn parallel_rendering_writes_what_one_thread_writes() {
        use crate::runtime::wit::{DocKind, Report};
        let text: String = (0..400)
            .map(|i| format!("  key_{i} = \"v{i}\"\n"))
            .collect();
        let docs = [Document {
            path: "m.tf".into(),
            kind: DocKind::Hcl,
            contents: text.into_bytes(),
            staged: None,
        }];
        let finding = |i: usize| Finding {
            rule_id: "TFG003".into(),
            severity: Severity::Error,
            message: format!("finding number {i}"),
            path: "m.tf".into(),
            span: (!i.is_multiple_of(3)).then_some(Span {
                line: (i % 400 + 1) as u32,
                column: 3,
                end_line: (i % 400 + 1) as u32,
                end_column: 8,
            }),
            address: Some(format!("a.b{i}")),
            attribute: None,
            flow: Vec::new(),
            remediation: "fix".into(),
            suppressed: None,
            fingerprint: String::new(),
        };
        for n in [
            0,
            5,
            RENDER_PER_THREAD * 2 - 1,
            RENDER_PER_THREAD * 2,
            1_001,
        ] {
            let report = Report {
                findings: (0..n).map(finding).collect(),
                errors: Vec::new(),
                documents: Vec::new(),
            };
            let out = |jobs: usize| {
                let cx = plain_ctx(&report, &docs, jobs);
                let mut out = Vec::new();
                render(&mut out, &cx).expect("render");
                String::from_utf8(out).expect("UTF-8")
            };
            let one = out(1);
            let mut at = 0;
            for i in 0..n {
                let needle = format!("finding number {i}\n");
                let found = one[at..].find(&needle).expect("each finding, in order");
                at += found + needle.len();
            }
            for jobs in [2, 3, 8] {
                assert_eq!(out(jobs), one, "{n} findings on {jobs} threads");
            }
        }
    }

    /// The renderer's work is the file once plus the lines it shows: never the file size
    /// times the findings (issue 16: 44 s for a 30 MB state before). Counted, not timed.
    #[test]
    fn rendering_work_is_linear_in_file_and_findings() {
        use crate::runtime::wit::{DocKind, Report};
        // `one_line`: the whole document on one line, as `terraform show -json` writes a plan,
        // with a secret-named key in every item, each of whose values a frame masks.
        let work = |lines: usize, findings: usize, one_line: bool| {
            let text: String = if one_line {
                let items: Vec<String> = (0..lines)
                    .map(|i| format!("{{\"client_secret_{i}\": \"value {i}\", \"n\": {i}}}"))
                    .collect();
                format!("[{}]", items.join(","))
            } else {
                (0..lines)
                    .map(|i| format!("  attribute_{i} = \"value {i}\"\n"))
                    .collect()
            };
            let doc = Document {
                path: "big.tf".into(),
                kind: DocKind::Hcl,
                contents: text.clone().into_bytes(),
                staged: None,
            };
            let finding = |i: usize, spanned: bool| Finding {
                rule_id: "TFG003".into(),
                severity: Severity::Error,
                message: "m".into(),
                path: "big.tf".into(),
                span: spanned.then_some(Span {
                    line: (i * lines / findings + 1) as u32,
                    column: 3,
                    end_line: (i * lines / findings + 1) as u32,
                    end_column: 12,
                }),
                address: Some("a.b".into()),
                attribute: Some("x".into()),
                flow: Vec::new(),
                remediation: "fix".into(),
                suppressed: None,
                fingerprint: String::new(),
            };
            let report = Report {
                // Half spanned (code frames), half not (state-like findings).
                findings: (0..findings).map(|i| finding(i, i % 2 == 0)).collect(),
                errors: Vec::new(),
                documents: Vec::new(),
            };
            let docs = [doc];
            let cx = plain_ctx(&report, &docs, 2);
            let mut out = Vec::new();
            let f = frames(&cx);
            for x in report.findings.iter() {
                let _ = Renderer::plain().render(&finding_group(&cx, &f, x));
            }
            render(&mut out, &cx).expect("render");
            (f.work(), text.len())
        };
        // One line, one spanned finding: its frame is the whole line, once, and masking the
        // 100,000 secret-named values reads each up to its string, not to the end of the line.
        let (one, size) = work(100_000, 2, true);
        assert!(
            one <= 4 * size,
            "one line: {one} bytes of work for a {size}-byte file"
        );
        for (lines, findings) in [(1_000, 10), (100_000, 10), (100_000, 10_000)] {
            let (work, size) = work(lines, findings, false);
            // The file once, then each finding's line (about 30 bytes) a few times.
            assert!(
                work <= size + findings * 200,
                "{lines} lines, {findings} findings: {work} bytes of work for a {size}-byte file"
            );
        }
    }
}
