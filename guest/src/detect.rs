//! Generic secret detectors for values in any attribute: known token formats first (exact,
//! near-zero false positives), then keyword assignments inside scripts, then entropy — and
//! entropy only where the attribute's name says "secret", because entropy on names, IDs,
//! ARNs and hashes is the false positive users of other scanners complain about most.

use regex::{Regex, RegexSet};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PrivateKey,
    VaultToken,
    AwsAccessKey,
    Jwt,
    GithubToken,
    SlackToken,
    GoogleApiKey,
    StripeKey,
    UrlCredentials,
    KeywordAssignment,
    HighEntropy,
    /// A literal in an argument that holds a secret (by name or by the catalogue).
    LiteralInSecretArgument,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::PrivateKey => "a private key (PEM/OpenSSH block)",
            Kind::VaultToken => "a Vault token",
            Kind::AwsAccessKey => "an AWS access key",
            Kind::Jwt => "a JSON Web Token",
            Kind::GithubToken => "a GitHub token",
            Kind::SlackToken => "a Slack token",
            Kind::GoogleApiKey => "a Google API key",
            Kind::StripeKey => "a Stripe secret key",
            Kind::UrlCredentials => "a URL with an embedded password",
            Kind::KeywordAssignment => "a secret assigned in a script (e.g. `PASSWORD=...`)",
            Kind::HighEntropy => "a high-entropy secret in a secret-named attribute",
            Kind::LiteralInSecretArgument => "a literal secret",
        }
    }
}

/// Token formats, in the order they are tried. Word boundaries are ASCII (`(?-u:\b)`): a
/// Unicode `\b` makes the lazy DFA give up on the first non-ASCII byte and fall back to the
/// PikeVM, about 80 times slower per value (a state of French or Japanese descriptions; found
/// by profiling the fuzzers). Every token here is ASCII, so only what borders it changes: a
/// token right after a non-ASCII letter is now found too.
const FORMATS: [(Kind, &str); 9] = [
    (
        Kind::PrivateKey,
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    ),
    (Kind::VaultToken, r"(?-u:\b)hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    (
        Kind::AwsAccessKey,
        r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?-u:\b)",
    ),
    (
        Kind::Jwt,
        r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    ),
    (
        Kind::GithubToken,
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})",
    ),
    (Kind::SlackToken, r"(?-u:\b)xox[abprs]-[A-Za-z0-9-]{10,}"),
    (Kind::GoogleApiKey, r"(?-u:\b)AIza[0-9A-Za-z_-]{35}(?-u:\b)"),
    (Kind::StripeKey, r"(?-u:\b)[sr]k_live_[0-9A-Za-z]{16,}"),
    (
        Kind::UrlCredentials,
        r"[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]{3,})@",
    ),
];

/// The fewest bytes any detector matches: `a://b:ccc@` (URL credentials); every other format
/// and the keyword assignment need more, and entropy needs 16.
const SHORTEST_MATCH: usize = 10;

/// NAME=value / NAME: value / "name": "value" inside scripts and documents.
const KEYWORD: &str = r#"(?i)(?:^|[^A-Za-z0-9])([A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Za-z0-9_]*)["']?\s*[:=]\s*\\?["']?([^\s"'\\,;}]{6,})"#;

/// Words that make an attribute name a secret's, as a whole segment of the name (split at `_`
/// and `-`; `api_key` spans two). Matched by hand, ASCII case-insensitively: a regex here was
/// two of the four automata a small check compiled, each longer to build than the check.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "privatekey",
    "access_key",
    "accesskey",
    "secret_key",
    "secretkey",
    "credential",
    "credentials",
    "auth",
    "passphrase",
];

/// Names that say "about a secret", not "a secret": these suffixes, or these whole names.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_id",
    "_ids",
    "_arn",
    "_name",
    "_names",
    "_version",
    "_length",
    "_policy",
    "_required",
    "_enabled",
    "_type",
    "_path",
    "_uri",
    "_url",
    "_ttl",
    "_expiry",
    "_expiration",
    "_rotation",
    "_count",
    "_reset",
    "_wo",
    "_wo_version",
    "_min",
    "_max",
    "_fingerprint",
    "_special",
];
const NOT_SECRET_NAMES: &[&str] = &[
    "token_type",
    "auth_type",
    "auth_method",
    "authentication_type",
];

fn secret_word_in(name: &str) -> bool {
    let b = name.as_bytes();
    let sep = |c: u8| c == b'_' || c == b'-';
    (0..b.len()).filter(|&i| i == 0 || sep(b[i - 1])).any(|i| {
        SECRET_WORDS.iter().any(|w| {
            let end = i + w.len();
            end <= b.len()
                && b[i..end].eq_ignore_ascii_case(w.as_bytes())
                && (end == b.len() || sep(b[end]))
        })
    })
}

fn about_a_secret(name: &str) -> bool {
    let b = name.as_bytes();
    NOT_SECRET_SUFFIXES
        .iter()
        .any(|s| b.len() >= s.len() && b[b.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
        || NOT_SECRET_NAMES
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
}

// Each automaton is compiled on first use: the guest starts fresh for every check, and on a
// small input compiling patterns that never run cost more than the check (bench/NOTES.md).
// Most values only ever meet the combined set.

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("built-in detector regex {pattern}: {e}"))
}

/// The formats plus the keyword trigger, in one automaton: nearly every value in a state
/// matches none, and one pass over it rejects it (nine separate searches did not).
fn any() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        RegexSet::new(FORMATS.iter().map(|(_, p)| *p).chain([KEYWORD_TRIGGER]))
            .unwrap_or_else(|e| panic!("built-in detector set: {e}"))
    })
}

fn format(i: usize) -> &'static Regex {
    static RES: [OnceLock<Regex>; FORMATS.len()] = [const { OnceLock::new() }; FORMATS.len()];
    RES[i].get_or_init(|| compile(FORMATS[i].1))
}

fn lazy(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| compile(pattern))
}

fn keyword() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    lazy(&R, KEYWORD)
}

/// Every keyword assignment contains one of these words; the full pattern runs only then.
const KEYWORD_TRIGGER: &str = r"(?i-u)pass|secret|token|api_?key|access_?key|private_?key";

/// A literal written into a secret argument: anything but empty strings and placeholders.
pub fn literal_secret(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 4 && !is_placeholder(v) && !v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

/// Does this attribute name say it holds a secret? Memoised: a state repeats the same few
/// hundred attribute names on every instance. The memo is direct-mapped (one name per slot,
/// a new name replaces the old): unlike a hash map, names crafted to collide cost a
/// recomputation each, never a longer probe.
pub fn secret_named(name: &str) -> bool {
    const SLOTS: usize = 1024;
    thread_local! {
        static MEMO: std::cell::RefCell<Vec<(String, bool)>> =
            std::cell::RefCell::new(vec![(String::new(), false); SLOTS]);
    }
    let slot = (word_hash(name.as_bytes()) as usize) % SLOTS;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let Some((key, hit)) = m.get_mut(slot) else {
            return secret_word_in(name) && !about_a_secret(name);
        };
        if !key.is_empty() && key == name {
            return *hit;
        }
        let named = secret_word_in(name) && !about_a_secret(name);
        key.clear();
        key.push_str(name);
        *hit = named;
        named
    })
}

/// A multiply-rotate hash, eight bytes at a time (FxHash's scheme), to pick a memo slot.
fn word_hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut add = |w: u64| h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        add(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    add(u64::from_le_bytes(w));
    h >> 32 ^ h
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / f64::from(n);
            -p * p.log2()
        })
        .sum()
}

/// Values that are references, placeholders or structure, never secrets.
fn is_placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with('{')
        || v.starts_with("arn:")
        || v.starts_with("var.")
        || v.starts_with("local.")
        || v.starts_with("data.")
        || v.contains("${")
        || v.contains("{{")
        || v.starts_with('/')
        || l.starts_with("http")
        || [
            "changeme",
            "change_me",
            "example",
            "placeholder",
            "redacted",
            "xxxx",
            "****",
            "none",
            "null",
            "true",
            "false",
            "your_",
            "todo",
            "dummy",
            "mock",
        ]
        .iter()
        .any(|p| l.contains(p))
}

fn looks_like_id(v: &str) -> bool {
    let hexish = v.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    // UUIDs, hex digests (etags, fingerprints), numeric ids.
    (hexish && (v.len() == 36 || v.len() == 32 || v.len() == 40 || v.len() == 64))
        || v.chars().all(|c| c.is_ascii_digit())
        || v.contains(' ') && v.split(' ').count() > 3
}

/// A token-shaped string with enough entropy to be generated rather than written.
fn high_entropy(v: &str) -> bool {
    let v = v.trim();
    if v.len() < 16 || v.len() > 4096 || is_placeholder(v) || looks_like_id(v) {
        return false;
    }
    let tokenish = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_-.~!@#%^&*".contains(c));
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    tokenish && classes >= 2 && entropy(v) >= 3.5
}

/// Detect a secret in `value`. `attr_name` (the attribute's last path segment) enables the
/// name-gated checks. Returns the first detector that fires; never returns the value.
pub fn detect(attr_name: &str, value: &str) -> Option<Kind> {
    // No detector matches fewer bytes (a test checks each pattern's minimum), and short
    // values (regions, flags, counts) are most of a state's strings.
    if value.len() < SHORTEST_MATCH {
        return None;
    }
    // `is_match` stops at the first hit and skips overlapping bookkeeping; the per-pattern
    // answer is only wanted for the rare value that matches at all.
    if !any().is_match(value) {
        return entropy_secret(attr_name, value).then_some(Kind::HighEntropy);
    }
    let fired = any().matches(value);
    for (i, (kind, _)) in FORMATS.iter().enumerate() {
        if fired.matched(i) {
            if *kind == Kind::UrlCredentials {
                // `scheme://user:${var.x}@host` or `:password@` placeholders are not leaks.
                let pw = format(i)
                    .captures(value)
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str())
                    .unwrap_or("");
                if is_placeholder(pw) || pw.starts_with('$') {
                    continue;
                }
            }
            return Some(*kind);
        }
    }
    // Scripts and documents (user_data, custom_data, env blocks) with KEY=value lines.
    if fired.matched(FORMATS.len())
        && (value.contains('\n') || value.contains('=') || value.contains(':'))
    {
        for c in keyword().captures_iter(value) {
            let (Some(name), Some(v)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let (name, v) = (name.as_str(), v.as_str());
            if secret_named(name) && !is_placeholder(v) && !looks_like_id(v) && entropy(v) >= 2.5 {
                return Some(Kind::KeywordAssignment);
            }
        }
    }
    if entropy_secret(attr_name, value) {
        return Some(Kind::HighEntropy);
    }
    None
}

/// A high-entropy value in a secret-named attribute. The length test is `high_entropy`'s
/// own first test, done before the name lookup that most values would otherwise pay.
fn entropy_secret(attr_name: &str, value: &str) -> bool {
    value.len() >= 16 && secret_named(attr_name) && high_entropy(value)
}

#[cfg(test)]
mod tests {
    /// `detect` skips values shorter than `SHORTEST_MATCH`: no pattern may match fewer bytes.
    #[test]
    fn no_detector_matches_fewer_bytes_than_the_shortcut_assumes() {
        let mut least = usize::MAX;
        for p in super::FORMATS
            .iter()
            .map(|(_, p)| *p)
            .chain([super::KEYWORD])
        {
            let hir = regex_syntax::Parser::new().parse(p).unwrap();
            let min = hir.properties().minimum_len().unwrap();
            assert!(min >= super::SHORTEST_MATCH, "{p} matches {min} bytes");
            least = least.min(min);
        }
        assert_eq!(least, super::SHORTEST_MATCH, "the shortcut could be longer");
        // Entropy needs 16 bytes after trimming.
        assert!(!super::high_entropy("aB3$aB3$aB3$aB3"));
    }

    /// The patterns compile lazily; make sure each one compiles at all.
    #[test]
    fn every_builtin_pattern_compiles() {
        for i in 0..super::FORMATS.len() {
            super::format(i);
        }
        super::any();
        super::keyword();
    }

    /// The hand-written name matchers say what the regexes they replaced said, on every name
    /// built from the words, the suffixes, separators, prefixes and case changes (ASCII: a
    /// Terraform attribute name is an identifier).
    #[test]
    fn name_matchers_agree_with_the_regexes_they_replaced() {
        let secret = regex::Regex::new(r"(?i)(?:^|_|-)(?:password|passwd|pwd|pass|secret|token|api_?key|apikey|private_?key|access_?key|secret_?key|credentials?|auth|passphrase)(?:$|_|-)").unwrap();
        let not_secret = regex::Regex::new(r"(?i)(?:_id|_ids|_arn|_name|_names|_version|_length|_policy|_required|_enabled|_type|_path|_uri|_url|_ttl|_expiry|_expiration|_rotation|_count|_reset|_wo|_wo_version|_min|_max|_fingerprint|_special)$|^(?:token_type|auth_type|auth_method|authentication_type)$").unwrap();
        let mut parts: Vec<String> = super::SECRET_WORDS.iter().map(|w| w.to_string()).collect();
        parts.extend(
            super::NOT_SECRET_SUFFIXES
                .iter()
                .map(|s| s.trim_start_matches('_').to_string()),
        );
        parts.extend(super::NOT_SECRET_NAMES.iter().map(|s| s.to_string()));
        parts.extend(
            [
                "db", "x", "passw", "tokens", "authz", "key", "api", "", "my",
            ]
            .map(String::from),
        );
        let mut names = Vec::new();
        for a in &parts {
            for b in &parts {
                for sep in ["_", "-", "", "__"] {
                    names.push(format!("{a}{sep}{b}"));
                    names.push(format!("{a}{sep}{b}").to_ascii_uppercase());
                    names.push(format!("x{a}{sep}{b}_"));
                }
            }
        }
        let mut secrets = 0;
        for n in &names {
            let want = secret.is_match(n) && !not_secret.is_match(n);
            let got = super::secret_word_in(n) && !super::about_a_secret(n);
            assert_eq!(got, want, "{n:?}");
            assert_eq!(super::secret_word_in(n), secret.is_match(n), "{n:?}");
            assert_eq!(super::about_a_secret(n), not_secret.is_match(n), "{n:?}");
            secrets += usize::from(want);
        }
        assert!(
            names.len() > 10_000 && secrets > 1_000,
            "{} {secrets}",
            names.len()
        );
    }

    /// No format may use a Unicode word boundary: with one, every value holding a non-ASCII
    /// byte leaves the lazy DFA for the PikeVM (see `FORMATS`).
    #[test]
    fn word_boundaries_are_ascii() {
        for (_, p) in super::FORMATS {
            assert!(!p.replace("(?-u:\\b)", "").contains("\\b"), "{p}");
        }
        // A token next to a non-ASCII letter is found; one glued to ASCII word characters not.
        let key = ["AKIA", "IOSFODNN7EXAMPLE"].concat();
        assert_eq!(
            super::detect("user_data", &format!("é{key} rest")),
            Some(super::Kind::AwsAccessKey)
        );
        assert_eq!(super::detect("user_data", &format!("x{key} rest")), None);
    }

    // Token-shaped test values are split with `concat!` so secret scanners (ours included)
    // do not flag this file.
    use super::*;

    #[test]
    fn token_formats() {
        assert_eq!(
            detect("x", concat!("-----BEGIN RSA PRIVATE", " KEY-----\nMIIE...")),
            Some(Kind::PrivateKey)
        );
        assert_eq!(
            detect("x", concat!("-----BEGIN OPENSSH PRIVATE", " KEY-----")),
            Some(Kind::PrivateKey)
        );
        assert_eq!(detect("x", "-----BEGIN PUBLIC KEY-----"), None);
        assert_eq!(
            detect(
                "x",
                concat!("hvs", ".CAESIJ0aGVsbG8td29ybGQtdGhpcy1pcy1mYWtl")
            ),
            Some(Kind::VaultToken)
        );
        assert_eq!(
            detect("x", "key AKIAIOSFODNN7EXAMPLE here"),
            Some(Kind::AwsAccessKey)
        );
        assert_eq!(
            detect(
                "x",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            Some(Kind::Jwt)
        );
        assert_eq!(
            detect("x", "postgres://app:s3cr3tP4ss@db:5432/x"),
            Some(Kind::UrlCredentials)
        );
        assert_eq!(detect("x", "postgres://app:${var.pw}@db:5432/x"), None);
    }

    #[test]
    fn keyword_assignments_in_scripts() {
        assert_eq!(
            detect(
                "user_data",
                "#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ7LKEY\n"
            ),
            Some(Kind::KeywordAssignment)
        );
        assert_eq!(
            detect("user_data", "export AWS_SECRET_ACCESS_KEY=bar\nexport X=1"),
            None
        );
        assert_eq!(detect("user_data", "export DB_PASSWORD=$DB_PASSWORD"), None);
    }

    #[test]
    fn entropy_only_where_the_name_says_secret() {
        let token = "q8Zr2VnL0xT4pW9kB7sD1fH6jM3cY5gA";
        assert_eq!(detect("client_secret", token), Some(Kind::HighEntropy));
        assert_eq!(detect("name", token), None);
        assert_eq!(detect("id", token), None);
        // IDs, hashes, ARNs and references in secret-named attributes are not secrets.
        assert_eq!(detect("secret_id", token), None);
        assert_eq!(
            detect("token", "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
            None
        );
        assert_eq!(
            detect("secret", "arn:aws:secretsmanager:us-east-1:123:secret:x"),
            None
        );
        assert_eq!(detect("password", "changeme-please-now"), None);
    }

    #[test]
    fn secret_names() {
        for n in [
            "password",
            "admin_password",
            "client_secret",
            "api_key",
            "auth_token",
            "private_key",
        ] {
            assert!(secret_named(n), "{n}");
        }
        for n in [
            "password_length",
            "secret_id",
            "token_type",
            "key_name",
            "name",
            "description",
            "data_json_wo_version",
        ] {
            assert!(!secret_named(n), "{n}");
        }
    }
}
