use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use super::{Ctx, Hit, JsonDocument, Rule, RuleMeta, Sink};
use crate::state::{Attrs, Instance, Output, Seg, Variable, format_segs, walk_strings};
use crate::types::{KnownSecret, Severity};

/// TFG006: a secret read from Vault (`tfguard check --vault-secret`, and `tfguard apply`'s
/// verification) occurs in a state or plan, raw, JSON-escaped or base64-encoded.
pub struct KnownSecretInState;

static META: RuleMeta = RuleMeta {
    id: "TFG006",
    name: "vault-secret-in-state",
    title: "A secret stored in Vault also occurs in state or plan",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG006.md"),
};

const FIX: &str = "The Vault copy is only as safe as every copy of this state: rotate the secret (`tfguard rotate` for Genesys Cloud OAuth clients), then remove the flow that put it there (see the HCL secret-flow findings) and purge old state versions from the backend.";

/// Shortest secret worth matching: shorter values match by chance.
const MIN_LEN: usize = 6;

/// The encodings a state could hold a value in. Base64 is matched position-independently:
/// for each of the three byte alignments the secret can start at, only the characters that
/// depend on the secret alone are kept.
fn needles(secret: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![("cleartext", secret.as_bytes().to_vec())];
    if let Ok(json) = serde_json::to_string(secret) {
        let inner = &json[1..json.len() - 1];
        if inner != secret {
            out.push(("JSON-escaped", inner.as_bytes().to_vec()));
            if let Ok(twice) = serde_json::to_string(inner) {
                out.push((
                    "JSON-escaped twice",
                    twice.as_bytes()[1..twice.len() - 1].to_vec(),
                ));
            }
        }
    }
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

/// Every encoding of every known secret, with a searcher each, built once per `check` call
/// (`rules::Memo::needles`): the search runs on every string of every instance, and building
/// the base64 forms per string cost more than the search (a 100 MB state with one Vault
/// secret: 2.07 s before, 1.0 s after; one Aho-Corasick automaton measured no faster).
/// No `Debug`: it holds the secrets.
pub(crate) struct Needles(Vec<(usize, &'static str, memchr::memmem::Finder<'static>)>);

impl Needles {
    pub(crate) fn new(secrets: &[KnownSecret]) -> Needles {
        let mut all = Vec::new();
        for (i, s) in secrets.iter().enumerate() {
            if s.value.len() < MIN_LEN {
                continue;
            }
            for (enc, needle) in needles(&s.value) {
                all.push((i, enc, memchr::memmem::Finder::new(&needle).into_owned()));
            }
        }
        Needles(all)
    }

    /// The first secret found in `hay`: its label and the encoding it was found in.
    fn find(&self, hay: &[u8], secrets: &[KnownSecret]) -> Option<(String, &'static str)> {
        self.0
            .iter()
            .find(|(_, _, f)| f.find(hay).is_some())
            .and_then(|(i, enc, _)| secrets.get(*i).map(|s| (s.label.clone(), *enc)))
    }
}

/// `Needles` for one search (tests); the rule uses the per-call memo.
#[cfg(test)]
fn find(hay: &[u8], secrets: &[KnownSecret]) -> Option<(String, &'static str)> {
    Needles::new(secrets).find(hay, secrets)
}

impl KnownSecretInState {
    fn report(
        &self,
        out: &mut Sink,
        path: &str,
        address: Option<String>,
        attr: Option<String>,
        (label, enc): (String, &str),
        origin: &str,
    ) {
        let place = match (&address, &attr) {
            (Some(a), Some(t)) => format!("`{a}` at `{t}`"),
            (Some(a), None) => format!("`{a}`"),
            _ => "the document".to_string(),
        };
        out.report(
            &META,
            Hit {
                message: format!("the Vault secret `{label}` occurs ({enc}) in {place} ({origin})"),
                path: path.to_string(),
                address,
                attribute: attr,
                remediation: FIX.into(),
                ..Hit::default()
            },
        );
    }
}

impl Rule for KnownSecretInState {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_instance(&self, cx: &Ctx<'_>, path: &str, inst: &Instance<'_>, out: &mut Sink) {
        if cx.known_secrets.is_empty() {
            return;
        }
        let n = cx.memo.needles(cx.known_secrets);
        let mut hits = Vec::new();
        match &inst.attributes {
            Attrs::Json(v) => walk_strings(v, &mut Vec::new(), &mut |p: &[Seg], s: &str| {
                if let Some((label, enc)) = n.find(s.as_bytes(), cx.known_secrets) {
                    hits.push((format_segs(p), label, enc));
                }
            }),
            Attrs::Flat(pairs) => {
                for (k, v) in pairs {
                    if let Some((label, enc)) = n.find(v.as_bytes(), cx.known_secrets) {
                        hits.push((k.clone(), label, enc));
                    }
                }
            }
        }
        for (attr, label, enc) in hits {
            self.report(
                out,
                path,
                Some(inst.address.clone()),
                Some(attr),
                (label, enc),
                &inst.origin,
            );
        }
    }

    fn check_output(&self, cx: &Ctx<'_>, path: &str, o: &Output<'_>, out: &mut Sink) {
        let n = cx.memo.needles(cx.known_secrets);
        let text = o.value.to_string();
        if let Some((label, enc)) = n.find(text.as_bytes(), cx.known_secrets) {
            self.report(
                out,
                path,
                Some(format!("output.{}", o.name)),
                None,
                (label, enc),
                &o.origin,
            );
        }
    }

    fn check_variable(&self, cx: &Ctx<'_>, path: &str, v: &Variable<'_>, out: &mut Sink) {
        let n = cx.memo.needles(cx.known_secrets);
        let text = v.value.to_string();
        if let Some((label, enc)) = n.find(text.as_bytes(), cx.known_secrets) {
            self.report(
                out,
                path,
                Some(format!("var.{}", v.name)),
                Some("value".into()),
                (label, enc),
                "variables",
            );
        }
    }

    /// Whole-document scan as a backstop for places the model does not visit (`private`
    /// blobs, `configuration` constants, unknown sections): reported once per document if no
    /// attribute-level finding already named the secret.
    fn check_document(&self, cx: &Ctx<'_>, doc: &JsonDocument<'_>, out: &mut Sink) {
        let n = cx.memo.needles(cx.known_secrets);
        let path = doc.path;
        if let Some((label, enc)) = n.find(doc.bytes, cx.known_secrets) {
            let already = out.findings.iter().any(|f| {
                f.rule_id == META.id && f.path == path && f.message.contains(&format!("`{label}`"))
            });
            if !already {
                self.report(
                    out,
                    path,
                    None,
                    None,
                    (label, enc),
                    "outside any attribute tfguard models",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(v: &str) -> Vec<KnownSecret> {
        vec![KnownSecret {
            label: "secret/app#client_secret".into(),
            value: v.into(),
        }]
    }

    #[test]
    fn finds_raw_escaped_and_base64_at_any_alignment() {
        let s = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";
        assert_eq!(
            find(format!("a{s}b").as_bytes(), &ks(s)).map(|x| x.1),
            Some("cleartext")
        );
        for prefix in ["", "x", "xy", "xyz", "{\"client_secret\":\""] {
            let blob = STANDARD_NO_PAD.encode(format!("{prefix}{s}\"}}"));
            assert!(find(blob.as_bytes(), &ks(s)).is_some(), "prefix {prefix:?}");
        }
        let quoted = "pa\"ss\\word-123";
        let doc = serde_json::to_string(&serde_json::json!({"v": quoted})).unwrap();
        assert_eq!(
            find(doc.as_bytes(), &ks(quoted)).map(|x| x.1),
            Some("JSON-escaped")
        );
    }

    #[test]
    fn clean_and_short_values_do_not_match() {
        let s = "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY";
        assert!(find(b"nothing to see here", &ks(s)).is_none());
        assert!(
            find(
                STANDARD_NO_PAD.encode("other value entirely").as_bytes(),
                &ks(s)
            )
            .is_none()
        );
        assert!(find(b"abc", &ks("abc")).is_none());
    }
}
