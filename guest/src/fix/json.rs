//! Text edits on a file in Terraform's JSON syntax (`.tf.json`): the findings' spans are in
//! the JSON text, so a key, a string or a whole member is found from there and edited in
//! place, leaving the rest of the file as it was.

use std::ops::Range;

use super::text::{line_end, line_start};

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the JSON value starting at `i` (string, number, literal, object or array).
pub fn value_end(src: &str, i: usize) -> Option<usize> {
    let s = src.as_bytes();
    let i = skip_ws(s, i);
    match *s.get(i)? {
        b'"' => string_end(s, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < s.len() {
                match s[j] {
                    b'"' => {
                        j = string_end(s, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < s.len() && !matches!(s[j], b',' | b'}' | b']') && !s[j].is_ascii_whitespace()
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The end (after the closing quote) of the string starting at `i`.
fn string_end(s: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < s.len() {
        match s[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// A member `"key": value` whose key string starts at `key_start`: the key's range and the
/// value's range.
pub fn member(src: &str, key_start: usize) -> Option<(Range<usize>, Range<usize>)> {
    let s = src.as_bytes();
    if s.get(key_start) != Some(&b'"') {
        return None;
    }
    let key_end = string_end(s, key_start)?;
    let colon = skip_ws(s, key_end);
    if s.get(colon) != Some(&b':') {
        return None;
    }
    let v = skip_ws(s, colon + 1);
    let v_end = value_end(src, v)?;
    Some((key_start..key_end, v..v_end))
}

/// The range that removes the member whose key starts at `key_start`, with one comma (the
/// following one, or the preceding one for the last member) and its line when it has one.
pub fn remove_member(src: &str, key_start: usize) -> Option<Range<usize>> {
    let s = src.as_bytes();
    let (_, value) = member(src, key_start)?;
    let after = skip_ws(s, value.end);
    if s.get(after) == Some(&b',') {
        let ls = line_start(src, key_start);
        let start = if src[ls..key_start].trim().is_empty() {
            ls
        } else {
            key_start
        };
        let le = line_end(src, after);
        let end = if src[after + 1..le].trim().is_empty() {
            (le + 1).min(src.len())
        } else {
            skip_ws(s, after + 1)
        };
        return Some(start..end);
    }
    // The last member: take the comma before it.
    let mut b = key_start;
    while b > 0 && s[b - 1].is_ascii_whitespace() {
        b -= 1;
    }
    if b > 0 && s[b - 1] == b',' {
        return Some(b - 1..value.end);
    }
    // The only member.
    Some(b..value.end)
}

/// A JSON string literal.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without(src: &str, key: &str) -> String {
        let at = src.find(&format!("\"{key}\"")).expect("key");
        let r = remove_member(src, at).expect("member");
        format!("{}{}", &src[..r.start], &src[r.end..])
    }

    #[test]
    fn members_are_removed_with_one_comma() {
        let src = "{\n  \"a\": 1,\n  \"b\": [1, {\"x\": \"]\"}],\n  \"c\": \"z\"\n}\n";
        assert_eq!(
            without(src, "a"),
            "{\n  \"b\": [1, {\"x\": \"]\"}],\n  \"c\": \"z\"\n}\n"
        );
        assert_eq!(without(src, "b"), "{\n  \"a\": 1,\n  \"c\": \"z\"\n}\n");
        assert_eq!(
            without(src, "c"),
            "{\n  \"a\": 1,\n  \"b\": [1, {\"x\": \"]\"}]\n}\n"
        );
        assert_eq!(without("{\"a\": 1, \"b\": 2}", "a"), "{\"b\": 2}");
        assert_eq!(without("{\"a\": 1}", "a"), "{}");
    }

    #[test]
    fn values_end_after_escapes_and_nesting() {
        let src = r#"{"k": "a\"}b", "n": [[1], {"x": 2}], "t": true}"#;
        let (k, v) = member(src, src.find("\"k\"").expect("k")).expect("member");
        assert_eq!(&src[k], "\"k\"");
        assert_eq!(&src[v], r#""a\"}b""#);
        let (_, v) = member(src, src.find("\"n\"").expect("n")).expect("member");
        assert_eq!(&src[v], r#"[[1], {"x": 2}]"#);
        let (_, v) = member(src, src.find("\"t\"").expect("t")).expect("member");
        assert_eq!(&src[v], "true");
    }
}
