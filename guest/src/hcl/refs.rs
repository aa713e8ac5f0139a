//! References found in source text by a scan, not by a regex compiled per call: compiling
//! `\b<address>\b` (Unicode word boundaries) for every OAuth client cost more than checking a
//! small configuration (issue 16, start-up).

use std::ops::Range;

/// A byte of an identifier, for word boundaries. Non-ASCII bytes count as word bytes, as
/// Unicode letters do for a regex's `\b`.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Where `needle` (which starts and ends with word characters, like a resource address) occurs
/// in `text` as a whole word: what `\bneedle\b` matches.
pub fn whole_words<'a>(text: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = text.as_bytes();
    memchr::memmem::find_iter(b, needle.as_bytes()).filter(move |&at| {
        let before = at.checked_sub(1).map(|i| b[i]);
        let after = b.get(at + needle.len()).copied();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// `resource.<name>.<attribute>` references in `text`: the ranges of the name and of the
/// attribute (`[A-Za-z_][A-Za-z0-9_-]*` and `[A-Za-z_][A-Za-z0-9_]*`), left to right.
pub fn attribute_refs<'a>(
    text: &'a str,
    resource: &'a str,
) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + 'a {
    let b = text.as_bytes();
    let ident = move |from: usize, dash: bool| {
        let mut i = from;
        if !b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || (dash && *c == b'-'))
        {
            i += 1;
        }
        Some(from..i)
    };
    let mut next = 0;
    memchr::memmem::find_iter(b, resource.as_bytes()).filter_map(move |at| {
        if at < next || at.checked_sub(1).is_some_and(|i| is_word(b[i])) {
            return None;
        }
        let dot = at + resource.len();
        if b.get(dot) != Some(&b'.') {
            return None;
        }
        let name = ident(dot + 1, true)?;
        if b.get(name.end) != Some(&b'.') {
            return None;
        }
        let attr = ident(name.end + 1, false)?;
        next = attr.end;
        Some((name, attr))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        let t = "a = genesyscloud_oauth_client.app.id\nb = genesyscloud_oauth_client.apps.id\nc = xgenesyscloud_oauth_client.app\n";
        let hits: Vec<usize> = whole_words(t, "genesyscloud_oauth_client.app").collect();
        assert_eq!(hits, [4]);
        assert_eq!(whole_words("é_x.app", "x.app").count(), 0);
        assert_eq!(whole_words("(x.app)", "x.app").count(), 1);
    }

    #[test]
    fn attribute_references() {
        let t = "a = genesyscloud_oauth_client.my-app.client_id\nb = genesyscloud_oauth_client.x.\nc = my_genesyscloud_oauth_client.y.id d = genesyscloud_oauth_client.z.id2";
        let got: Vec<(&str, &str)> = attribute_refs(t, "genesyscloud_oauth_client")
            .map(|(n, a)| (&t[n], &t[a]))
            .collect();
        assert_eq!(got, [("my-app", "client_id"), ("z", "id2")]);
    }
}
