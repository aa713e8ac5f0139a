//! The forms in which a secret value can sit in a file, and a search for them: one list for
//! the guest's cross-check of states and plans against secrets read from Vault (TFG006) and the
//! host's search of the state it writes after `apply`. (Each used to keep its own list; the
//! host's missed base64 at an offset, doubly escaped JSON and hex.)
//!
//! Nothing here has `Debug`: the forms are the secret.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Shortest secret worth searching for: shorter values match by chance.
pub const MIN_LEN: usize = 6;

/// `(label, bytes)` of every form of `secret`: cleartext, JSON-escaped once and twice (a JSON
/// document inside a JSON string), lowercase hex, and base64 and base64url matched whatever
/// the secret's byte alignment in the encoded blob: for each of the three alignments, only the
/// characters that depend on the secret alone are kept.
pub fn forms(secret: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![("cleartext", secret.as_bytes().to_vec())];
    let once = json_escape(secret);
    if once != secret {
        let twice = json_escape(&once);
        out.push(("JSON-escaped", once.into_bytes()));
        out.push(("JSON-escaped twice", twice.into_bytes()));
    }
    out.push(("hex", hex(secret.as_bytes())));
    for (engine, label) in [
        (&STANDARD_NO_PAD, "base64"),
        (&URL_SAFE_NO_PAD, "base64url"),
    ] {
        for offset in 0..3usize {
            let mut buf = vec![0u8; offset];
            buf.extend_from_slice(secret.as_bytes());
            let enc = engine.encode(&buf);
            let skip = if offset == 0 { 0 } else { 4 };
            let full = (buf.len() / 3) * 4;
            if full > skip + 4 {
                let part = enc.as_bytes()[skip..full].to_vec();
                if !out.iter().any(|(_, n)| *n == part) {
                    out.push((label, part));
                }
            }
        }
    }
    out
}

/// Every form of every secret (those shorter than [`MIN_LEN`] are left out), each with a
/// prepared searcher: built once, then run over many haystacks.
pub struct Search(Vec<(usize, &'static str, memchr::memmem::Finder<'static>)>);

impl Search {
    /// The index of each secret in `secrets` is what [`Search::find`] reports.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Search {
        let mut all = Vec::new();
        for (i, s) in secrets.into_iter().enumerate() {
            if s.len() < MIN_LEN {
                continue;
            }
            for (label, needle) in forms(s) {
                all.push((i, label, memchr::memmem::Finder::new(&needle).into_owned()));
            }
        }
        Search(all)
    }

    /// The first secret found in `hay`: its index and the form it was found in.
    pub fn find(&self, hay: &[u8]) -> Option<(usize, &'static str)> {
        self.0
            .iter()
            .find(|(_, _, f)| f.find(hay).is_some())
            .map(|(i, label, _)| (*i, *label))
    }
}

/// As JSON writes a string's contents (serde_json's escapes: `"`, `\`, control characters).
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [HEX[(b >> 4) as usize], HEX[(b & 15) as usize]])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(hay: &[u8], secret: &str) -> Option<&'static str> {
        Search::new([secret]).find(hay).map(|(_, label)| label)
    }

    #[test]
    fn finds_every_form_at_any_alignment() {
        let s = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";
        assert_eq!(find(format!("a{s}b").as_bytes(), s), Some("cleartext"));
        for prefix in ["", "x", "xy", "xyz", "{\"client_secret\":\""] {
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let blob = engine.encode(format!("{prefix}{s}\"}}"));
                assert!(find(blob.as_bytes(), s).is_some(), "prefix {prefix:?}");
            }
        }
        let quoted = "pa\"ss\\word-123\n\u{1}";
        let once = serde_json::to_string(&serde_json::json!({ "v": quoted })).unwrap();
        assert_eq!(find(once.as_bytes(), quoted), Some("JSON-escaped"));
        let twice = serde_json::to_string(&serde_json::json!({ "doc": once })).unwrap();
        assert_eq!(find(twice.as_bytes(), quoted), Some("JSON-escaped twice"));
        assert_eq!(
            find(
                format!("0x{}", String::from_utf8(hex(s.as_bytes())).unwrap()).as_bytes(),
                s
            ),
            Some("hex")
        );
    }

    #[test]
    fn escapes_as_serde_json_does() {
        for s in [
            "plain",
            "q\"b\\s/",
            "\u{0}\u{1f}\u{7f}\t\r\n\u{8}\u{c}",
            "é€𝄞",
        ] {
            let j = serde_json::to_string(s).unwrap();
            assert_eq!(json_escape(s), j[1..j.len() - 1], "{s:?}");
        }
    }

    #[test]
    fn clean_and_short_values_do_not_match() {
        let s = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";
        assert_eq!(find(b"nothing to see here", s), None);
        assert_eq!(
            find(STANDARD_NO_PAD.encode("other value entirely").as_bytes(), s),
            None
        );
        assert_eq!(find(b"abcde", "abcde"), None);
        // The index names which secret was found.
        let search = Search::new(["short", "first-secret-1", "second-secret-2"]);
        assert_eq!(search.find(b"..second-secret-2.."), Some((2, "cleartext")));
    }
}
