//! A bound on bracket nesting, checked before the HCL parser runs. The parser (hcl-edit)
//! backtracks exponentially on some invalid, deeply nested input: a 384-byte file 63 levels
//! deep took 6 s, 50 levels 0.16 s, 41 levels 27 ms (fuzzing found them). Real configurations
//! nest a handful of levels, so deeper input is refused with its location instead.
//!
//! Depth alone is not enough: the backtracking is set off by brackets that are never closed
//! (the parser fails at the end and retries every alternative at every level), and a 408-byte
//! file with 35 unclosed `{` ran for minutes while nesting under the bound (fuzzing, 1.45x per
//! level). The same file with its brackets closed parses in milliseconds. So a file that leaves
//! [`MAX_UNCLOSED`] or more brackets open, which no parser would accept, is refused too.

/// Deepest nesting of `{`, `[`, `(` and template interpolations accepted in native syntax.
pub const MAX_NESTING: usize = 40;

/// Brackets left open at the end of a file from which it is refused without parsing. Below
/// this the parser's own error is cheap (1.45^8 of a millisecond) and says more.
pub const MAX_UNCLOSED: usize = 8;

/// Why a file is refused before it is parsed; offsets are bytes into the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Code nests deeper than the limit here.
    TooDeep { at: usize },
    /// `count` brackets are never closed; the outermost of them opens here.
    Unclosed { at: usize, count: usize },
}

/// `too_deep` first (at the place it happens), then brackets never closed.
pub fn refuse(src: &str, limit: usize) -> Option<Refusal> {
    match scan(src, limit) {
        Err(at) => Some(Refusal::TooDeep { at }),
        Ok(open) if open.len() >= MAX_UNCLOSED => Some(Refusal::Unclosed {
            at: open[0],
            count: open.len(),
        }),
        Ok(_) => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    /// An open bracket, or a `${`/`%{` interpolation, in code.
    Open,
    /// Inside a quoted string.
    Str,
    /// Inside a heredoc body; the marker's byte range in the source.
    Heredoc(usize, usize),
}

/// The byte offset at which code nests deeper than `limit`, if it does. Strings, comments and
/// heredoc bodies are skipped (their brackets are text), but interpolations inside them count.
pub fn too_deep(src: &str, limit: usize) -> Option<usize> {
    scan(src, limit).err()
}

/// `Err(offset)` where code nests deeper than `limit`; else the offsets of the brackets and
/// interpolations still open at the end, outermost first.
fn scan(src: &str, limit: usize) -> Result<Vec<usize>, usize> {
    let b = src.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    // Where each open bracket (and interpolation) of `stack` began.
    let mut opened: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        match stack.last().copied() {
            Some(Frame::Str) => match c {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'$') || b.get(i + 1) == Some(&b'%') => i += 1,
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    depth += 1;
                    if depth > limit {
                        return Err(i);
                    }
                    stack.push(Frame::Open);
                    opened.push(i);
                    i += 1;
                }
                _ => {}
            },
            Some(Frame::Heredoc(ms, me)) => {
                if line_start
                    && src[i..]
                        .lines()
                        .next()
                        .is_some_and(|l| l.trim() == &src[ms..me])
                {
                    stack.pop();
                } else if (c == b'$' || c == b'%') && b.get(i + 1) == Some(&b'{') {
                    depth += 1;
                    if depth > limit {
                        return Err(i);
                    }
                    stack.push(Frame::Open);
                    opened.push(i);
                    i += 1;
                }
            }
            _ => match c {
                b'"' => stack.push(Frame::Str),
                b'#' => i = skip_line(b, i),
                b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |j| i + 2 + j + 1)
                }
                b'<' if b.get(i + 1) == Some(&b'<') => {
                    let mut j = i + 2;
                    if b.get(j) == Some(&b'-') {
                        j += 1;
                    }
                    let ms = j;
                    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                        j += 1;
                    }
                    if j > ms {
                        // The body starts on the next line.
                        let end = skip_line(b, j);
                        stack.push(Frame::Heredoc(ms, j));
                        i = end;
                    }
                }
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    if depth > limit {
                        return Err(i);
                    }
                    stack.push(Frame::Open);
                    opened.push(i);
                }
                b'}' | b']' | b')' if stack.last() == Some(&Frame::Open) => {
                    stack.pop();
                    opened.pop();
                    depth -= 1;
                }
                _ => {}
            },
        }
        line_start = b.get(i) == Some(&b'\n');
        i += 1;
    }
    Ok(opened)
}

/// The index of the `\n` ending the line at `i` (or the end of input).
fn skip_line(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_and_interpolations_not_text() {
        assert_eq!(too_deep("a = [[[1]]]\n", 3), None);
        assert_eq!(too_deep("a = [[[[1]]]]\n", 3), Some(7));
        // Brackets in strings, comments and heredocs are text.
        assert_eq!(
            too_deep("a = \"[[[[{{{{\"\n# [[[[\n// ((((\n/* {{{{ */\n", 1),
            None
        );
        assert_eq!(too_deep("a = <<EOT\n{{{{[[[[\nEOT\nb = [1]\n", 1), None);
        // Interpolations nest: `${ { a = [1] } }` is three levels.
        assert_eq!(too_deep("a = \"${ { a = [1] } }\"\n", 3), None);
        assert!(too_deep("a = \"${ { a = [1] } }\"\n", 2).is_some());
        assert!(too_deep("a = <<EOT\n${ {a = [1]} }\nEOT\n", 2).is_some());
        // Escapes: `$${` is a literal, `\"` does not end the string.
        assert_eq!(too_deep("a = \"$${[[[[\\\"[[[[\"\n", 1), None);
        // Depth unwinds: many shallow blocks are fine.
        assert_eq!(too_deep(&"b { c { d = [1] } }\n".repeat(1000), 3), None);
    }

    #[test]
    fn brackets_never_closed_are_counted_from_the_outermost() {
        // Closed, or a few left open: the parser says it better.
        assert_eq!(refuse("a = { b = [1] }\n", MAX_NESTING), None);
        assert_eq!(refuse(&"{".repeat(MAX_UNCLOSED - 1), MAX_NESTING), None);
        let src = format!("x = 1\ny = {}", "{a*".repeat(MAX_UNCLOSED));
        assert_eq!(
            refuse(&src, MAX_NESTING),
            Some(Refusal::Unclosed {
                at: 10,
                count: MAX_UNCLOSED
            })
        );
        // Brackets in strings, comments and heredocs are text, and an unterminated string
        // ends at its line: none of these leaves code open.
        let text = format!(
            "a = \"{0}\"\n# {0}\nb = <<EOT\n{0}\nEOT\nc = \"{0}\n",
            "{{{{[[[[((((".repeat(2)
        );
        assert_eq!(refuse(&text, MAX_NESTING), None);
        // Too deep wins, at the place it happens.
        assert!(matches!(
            refuse(&"[".repeat(MAX_NESTING + 5), MAX_NESTING),
            Some(Refusal::TooDeep { at }) if at == MAX_NESTING
        ));
    }

    /// Found by the hcl fuzz target (fuzz/regressions/hcl/): 35 unclosed `{` under the depth
    /// bound, minutes in the parser; now refused by the scan alone.
    #[test]
    fn the_fuzzed_unclosed_shape_is_refused() {
        let hostile = "lrole_idl=rs*orcs*{rs*{wsll=rs*orcs*{a*rs".repeat(12);
        assert_eq!(too_deep(&hostile, MAX_NESTING), None);
        assert!(matches!(
            refuse(&hostile, MAX_NESTING),
            Some(Refusal::Unclosed { at: 18, count }) if count >= MAX_UNCLOSED
        ));
    }

    /// The shape fuzzing found (unclosed objects in comparisons) is refused quickly.
    #[test]
    fn the_fuzzed_backtracking_shape_is_refused() {
        let hostile = format!("d=e[{}", "{ r+eubs!={ubs=={\n".repeat(40));
        assert!(too_deep(&hostile, MAX_NESTING).is_some());
    }
}
