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

/// The labels of the `secrets` that occur in `bytes`, in any form a file could hold them
/// (`tfguard_common::secret_forms`: the list the guest's cross-check uses). Secrets shorter
/// than its `MIN_LEN` are not searched for: they match by chance.
pub fn labels_in<'a>(bytes: &[u8], secrets: &'a [(String, SecretString)]) -> Vec<&'a str> {
    secrets
        .iter()
        .filter(|(_, s)| {
            tfguard_common::secret_forms::Search::new([s.expose_secret()])
                .find(bytes)
                .is_some()
        })
        .map(|(label, _)| label.as_str())
        .collect()
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

    /// Each secret is found by its label in any form (the forms are tested in
    /// `tfguard_common::secret_forms`), and only the secrets that are there.
    #[test]
    fn labels_the_secrets_found() {
        use base64::Engine as _;
        let secrets = vec![
            (
                "a".to_string(),
                from_string("ab\"cd/ef+gh==xyz".to_string()),
            ),
            (
                "b".to_string(),
                from_string("never-written-here".to_string()),
            ),
            ("c".to_string(), from_string("Zq81-offset-b64".to_string())),
        ];
        let b64 = base64::engine::general_purpose::STANDARD.encode("{\"s\":\"Zq81-offset-b64\"}");
        let hay = format!(r#"{{"v":"ab\"cd/ef+gh==xyz","w":"{b64}"}}"#);
        assert_eq!(labels_in(hay.as_bytes(), &secrets), ["a", "c"]);
        assert!(labels_in(b"nothing here at all", &secrets).is_empty());
    }
}
