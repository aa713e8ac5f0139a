//! Secret values in memory. Every credential the host handles (a client secret read from Vault
//! or returned by the Genesys API, an access token) lives in a `secrecy` box: zeroised on drop,
//! `Debug` prints `[REDACTED]`, no `Display`, no `Serialize`. Code that really needs the bytes
//! calls `expose_secret()`, which is easy to grep for and review.

pub use secrecy::{ExposeSecret, SecretString};

/// Move a `String` into a secret box. `String::into_boxed_str` (and `shrink_to_fit`)
/// reallocate when the capacity exceeds the length, freeing the old buffer unzeroised; so copy
/// into an exact-size box and zeroise the original instead.
pub fn from_string(mut s: String) -> SecretString {
    if s.capacity() == s.len() {
        return SecretString::from(s);
    }
    let exact: Box<str> = Box::from(s.as_str());
    zeroize::Zeroize::zeroize(&mut s);
    SecretString::from(exact)
}

/// Every form in which a secret could show up in a text file, for the defence-in-depth
/// search of files and outputs: raw, JSON-escaped, and standard/URL-safe base64.
pub fn encodings(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let mut out = vec![secret.to_string()];
    if let Ok(json) = serde_json::to_string(secret) {
        let inner = json.trim_matches('"').to_string();
        if inner != secret {
            out.push(inner);
        }
    }
    out.push(STANDARD.encode(secret));
    out.push(URL_SAFE_NO_PAD.encode(secret));
    out
}

/// True when `haystack` contains `secret` in any of `encodings`. Secrets shorter than 8 bytes
/// are not searched for: too many false hits, and no generated secret is that short.
pub fn appears_in(haystack: &[u8], secret: &str) -> bool {
    if secret.len() < 8 {
        return false;
    }
    encodings(secret)
        .iter()
        .any(|e| memfind(haystack, e.as_bytes()))
}

fn memfind(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = from_string("s3cr3t-value-xyz".to_string());
        let d = format!("{s:?}");
        assert!(!d.contains("s3cr3t"), "{d}");
    }

    #[test]
    fn finds_every_encoding() {
        let s = "ab\"cd/ef+gh==xyz";
        assert!(appears_in(format!("x{s}y").as_bytes(), s));
        assert!(appears_in(br#"{"v":"ab\"cd/ef+gh==xyz"}"#, s));
        use base64::Engine as _;
        let b = base64::engine::general_purpose::STANDARD.encode(s);
        assert!(appears_in(b.as_bytes(), s));
        assert!(!appears_in(b"nothing here at all", s));
    }
}
