//! What a file's first KiBs say it is, before the rest is read: the host skips JSON that is
//! not Terraform's (`package.json` beside a state) without reading it whole.

/// State or plan JSON (also OpenTofu's encrypted state): an object whose head names one of
/// Terraform's top-level keys. UTF-16 with a BOM (what PowerShell's `>` writes) and a UTF-8
/// BOM are read through.
pub fn looks_like_terraform_json(head: &[u8]) -> bool {
    let s = match head {
        [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => String::from_utf8_lossy(
            &rest
                .iter()
                .copied()
                .filter(|b| *b != 0)
                .collect::<Vec<u8>>(),
        )
        .into_owned(),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(head).into_owned(),
    };
    s.trim_start().starts_with('{')
        && [
            "\"format_version\"",
            "\"terraform_version\"",
            "\"encryption_version\"",
            "\"lineage\"",
        ]
        .iter()
        .any(|k| s.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_plans_and_encrypted_states_not_other_json() {
        assert!(looks_like_terraform_json(
            br#"{"version":4,"terraform_version":"1.9.8"}"#
        ));
        assert!(looks_like_terraform_json(
            br#"  {"format_version":"1.2","planned_values":{}}"#
        ));
        assert!(looks_like_terraform_json(br#"{"serial":1,"lineage":"x"}"#));
        assert!(looks_like_terraform_json(
            br#"{"encryption_version":"v0","meta":{}}"#
        ));
        assert!(!looks_like_terraform_json(
            br#"{"name":"pkg","version":"1.0.0"}"#
        ));
        assert!(!looks_like_terraform_json(br#"["terraform_version"]"#));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"terraform_version\":\"1\"}".bytes().flat_map(|b| [b, 0]))
            .collect();
        assert!(looks_like_terraform_json(&utf16));
        assert!(looks_like_terraform_json(
            b"\xEF\xBB\xBF{\"lineage\":\"x\"}"
        ));
    }
}
