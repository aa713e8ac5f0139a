//! Text edits on the source of a native HCL file, located with hcl-edit's byte spans. Editing
//! the text (rather than re-printing a mutated tree) leaves every byte outside an edit as it
//! was: comments, blank lines and alignment of untouched code stay identical.

use std::ops::Range;

use hcl::edit::Span as _;
use hcl::edit::structure::{Attribute, Block};

use crate::hcl::HclFile;

/// Replace `range` of file `path` with `text`. An insertion is an empty range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    pub range: Range<usize>,
    pub text: String,
}

impl Ord for Edit {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (&self.path, self.range.start, self.range.end, &self.text).cmp(&(
            &o.path,
            o.range.start,
            o.range.end,
            &o.text,
        ))
    }
}

impl PartialOrd for Edit {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Edit {
    pub fn new(file: &HclFile, range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            path: file.path.clone(),
            range,
            text: text.into(),
        }
    }

    /// An edit of the text of file `path` (native HCL or `.tf.json`).
    pub fn at(path: &str, range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            path: path.to_string(),
            range,
            text: text.into(),
        }
    }

    /// Two edits touch the same bytes, or insert at the same point (whose order between two
    /// fixes would be arbitrary).
    pub fn overlaps(&self, o: &Edit) -> bool {
        if self.path != o.path {
            return false;
        }
        let (a, b) = (&self.range, &o.range);
        if a.is_empty() && b.is_empty() {
            return a.start == b.start;
        }
        if a.is_empty() {
            return b.start < a.start && a.start < b.end;
        }
        if b.is_empty() {
            return a.start < b.start && b.start < a.end;
        }
        a.start < b.end && b.start < a.end
    }
}

/// Apply non-overlapping edits to `src` (insertions at one point keep their given order).
pub fn apply(src: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(i, e)| (e.range.start, e.range.end, *i));
    let mut out = String::with_capacity(src.len() + 256);
    let mut at = 0;
    for (_, e) in sorted {
        if e.range.start < at || e.range.end > src.len() {
            continue;
        }
        out.push_str(&src[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&src[at..]);
    out
}

pub fn line_start(src: &str, off: usize) -> usize {
    src[..off.min(src.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the `\n` ending the line of `off` (or the end of the text).
pub fn line_end(src: &str, off: usize) -> usize {
    src[off.min(src.len())..]
        .find('\n')
        .map_or(src.len(), |i| off + i)
}

/// The whitespace that starts the line of `off`.
pub fn indent_at(src: &str, off: usize) -> &str {
    let start = line_start(src, off);
    let rest = &src[start..];
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..n]
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_comment_or_blank(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.starts_with('#') || t.starts_with("//")
}

/// `key = value` as a byte range, from the key's first byte to the value's last.
pub fn attr_range(a: &Attribute) -> Option<Range<usize>> {
    let start = a.key.span()?.start;
    let end = a.value.span()?.end;
    (end >= start).then_some(start..end)
}

/// The range that removes `r` with its whole lines when it has them to itself (a trailing
/// comment goes with it), and a blank line above it when that would otherwise be left
/// dangling before a closing brace or next to another blank line.
pub fn removal_range(src: &str, r: Range<usize>) -> Range<usize> {
    let ls = line_start(src, r.start);
    let le = line_end(src, r.end);
    if !blank(&src[ls..r.start]) || !is_comment_or_blank(&src[r.end..le]) {
        return r;
    }
    // Comment lines directly above (no blank line between) describe what is removed.
    let mut start = ls;
    while start > 0 {
        let prev_start = line_start(src, start - 1);
        let prev = src[prev_start..start - 1].trim();
        if prev.starts_with('#') || prev.starts_with("//") {
            start = prev_start;
        } else {
            break;
        }
    }
    let end = (le + 1).min(src.len());
    let next_line = &src[end..line_end(src, end)];
    if start > 0 {
        let prev_start = line_start(src, start - 1);
        let prev = &src[prev_start..start - 1];
        if blank(prev) && (blank(next_line) || next_line.trim_start().starts_with('}')) {
            start = prev_start;
        }
    }
    start..end
}

/// Remove an attribute (its lines, see [`removal_range`]).
pub fn remove_attr(file: &HclFile, a: &Attribute) -> Option<Edit> {
    let r = attr_range(a)?;
    Some(Edit::new(file, removal_range(&file.src, r), ""))
}

/// Rename an attribute's key, keeping the column of its `=` when the key was padded to align
/// with its neighbours (and one space when the new key is too long for that).
pub fn rename_key(file: &HclFile, a: &Attribute, to: &str) -> Option<Edit> {
    let key = a.key.span()?;
    let src = &file.src;
    let gap_len = src[key.end..].len() - src[key.end..].trim_start_matches(' ').len();
    if gap_len <= 1 || !src[key.end + gap_len..].starts_with('=') {
        return Some(Edit::new(file, key, to));
    }
    let old_len = src[key.clone()].chars().count();
    let pad = (old_len + gap_len)
        .saturating_sub(to.chars().count())
        .max(1);
    Some(Edit::new(
        file,
        key.start..key.end + gap_len,
        format!("{to}{}", " ".repeat(pad)),
    ))
}

/// Lines inserted after an attribute (after its trailing comment), at its indentation.
pub fn insert_after_attr(file: &HclFile, a: &Attribute, lines: &[String]) -> Option<Edit> {
    let end = a.value.span()?.end;
    let at = line_end(&file.src, end);
    let indent = indent_at(&file.src, a.key.span()?.start);
    let text: String = lines.iter().map(|l| format!("\n{indent}{l}")).collect();
    Some(Edit::new(file, at..at, text))
}

/// Lines inserted as the first lines of a block's body (after the opening `{` line).
pub fn insert_first_in_block(file: &HclFile, b: &Block, lines: &[String]) -> Option<Edit> {
    let span = b.span()?;
    let src = &file.src;
    let open = span.start + src[span.start..span.end].find('{')?;
    let outer = indent_at(src, span.start).to_string();
    let inner = format!("{outer}  ");
    let at = line_end(src, open);
    if at >= span.end {
        // `name {}` on one line: open it up.
        let close = span.end - 1;
        let text: String = lines.iter().map(|l| format!("\n{inner}{l}")).collect();
        return Some(Edit::new(file, open + 1..close, format!("{text}\n{outer}")));
    }
    let text: String = lines.iter().map(|l| format!("\n{inner}{l}")).collect();
    Some(Edit::new(file, at..at, text))
}

/// Text inserted after a block, separated by a blank line.
pub fn insert_after_block(file: &HclFile, b: &Block, text: &str) -> Option<Edit> {
    let end = b.span()?.end;
    let at = line_end(&file.src, end);
    let indent = indent_at(&file.src, b.span()?.start);
    let body: String = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("\n{indent}{l}")
            }
        })
        .collect();
    Some(Edit::new(file, at..at, format!("\n{body}")))
}

/// Byte offset of a 1-based line and character column in `src`.
pub fn offset_of(src: &str, line: u32, column: u32) -> Option<usize> {
    let mut start = 0usize;
    for _ in 1..line {
        start += src[start..].find('\n')? + 1;
    }
    let line_text = &src[start..line_end(src, start)];
    let mut col = 1;
    for (i, _) in line_text.char_indices() {
        if col == column {
            return Some(start + i);
        }
        col += 1;
    }
    (col == column).then_some(start + line_text.len())
}

/// An HCL string literal for `s` (quotes and escapes).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    // `${` and `%{` would start a template sequence: double the sigil.
    out.replace("${", "$${").replace("%{", "%%{") + "\""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_takes_whole_lines_and_a_dangling_blank() {
        let src = "a {\n  x = 1\n\n  y = 2\n}\n";
        let y = src.find("y").unwrap();
        let r = removal_range(src, y..y + 5);
        assert_eq!(
            format!("{}{}", &src[..r.start], &src[r.end..]),
            "a {\n  x = 1\n}\n"
        );
        let x = src.find("x").unwrap();
        let r = removal_range(src, x..x + 5);
        assert_eq!(
            format!("{}{}", &src[..r.start], &src[r.end..]),
            "a {\n\n  y = 2\n}\n"
        );
        // A comment directly above goes with it; one separated by a blank line stays.
        let src = "a {\n  # about x\n  x = 1 # trailing\n  # about y\n\n  y = 2\n}\n";
        let x = src.find("x =").unwrap();
        let r = removal_range(src, x..x + 5);
        assert_eq!(
            format!("{}{}", &src[..r.start], &src[r.end..]),
            "a {\n  # about y\n\n  y = 2\n}\n"
        );
    }

    #[test]
    fn offsets_count_characters() {
        let src = "ab\nçd = 1\n";
        assert_eq!(offset_of(src, 2, 2), Some(src.find('d').unwrap()));
        assert_eq!(offset_of(src, 1, 1), Some(0));
        assert_eq!(offset_of(src, 9, 1), None);
    }

    #[test]
    fn quoting_escapes_templates() {
        assert_eq!(quote("a\"b${c}"), "\"a\\\"b$${c}\"");
    }

    #[test]
    fn edits_apply_in_order_and_detect_overlap() {
        let e1 = Edit {
            path: "f".into(),
            range: 0..1,
            text: "X".into(),
        };
        let e2 = Edit {
            path: "f".into(),
            range: 2..2,
            text: "Y".into(),
        };
        assert!(!e1.overlaps(&e2));
        assert_eq!(apply("abc", &[&e2, &e1]), "XbYc");
        let e3 = Edit {
            path: "f".into(),
            range: 0..3,
            text: String::new(),
        };
        assert!(e3.overlaps(&e2));
        assert!(e3.overlaps(&e1));
    }
}
