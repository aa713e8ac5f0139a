use tfguard_common::secret_forms::Search;

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

/// Every form of every known secret (`tfguard_common::secret_forms`, the list the host's own
/// search uses too), with a searcher each, built once per `check` call (`rules::Memo::needles`):
/// the search runs on every string of every instance, and building the base64 forms per
/// string cost more than the search (a 100 MB state with one Vault secret: 2.07 s before,
/// 1.0 s after; one Aho-Corasick automaton measured no faster). No `Debug`: it holds the
/// secrets.
pub(crate) struct Needles(Search);

impl Needles {
    pub(crate) fn new(secrets: &[KnownSecret]) -> Needles {
        Needles(Search::new(secrets.iter().map(|s| s.value.as_str())))
    }

    /// The first secret found in `hay`: its label and the form it was found in.
    fn find(&self, hay: &[u8], secrets: &[KnownSecret]) -> Option<(String, &'static str)> {
        self.0
            .find(hay)
            .and_then(|(i, form)| secrets.get(i).map(|s| (s.label.clone(), form)))
    }
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
            Attrs::Json(v) => walk_strings(*v, &mut Vec::new(), &mut |p: &[Seg], s: &str| {
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

    /// The forms themselves are tested where they live (`tfguard_common::secret_forms`); here,
    /// that a hit names the label of the secret found, never its value, and short values are
    /// left out.
    #[test]
    fn a_hit_names_the_label_of_the_secret_found() {
        let secrets = vec![
            KnownSecret {
                label: "secret/a#client_secret".into(),
                value: "Xk9mP2vL7qR4tW8nB3cF6hJ1dG5sA0zY".into(),
            },
            KnownSecret {
                label: "secret/b#client_secret".into(),
                value: "pa\"ss\\word-123".into(),
            },
            KnownSecret {
                label: "secret/c#pin".into(),
                value: "1234".into(),
            },
        ];
        let n = Needles::new(&secrets);
        let doc = serde_json::to_string(&serde_json::json!({ "v": "pa\"ss\\word-123" })).unwrap();
        assert_eq!(
            n.find(doc.as_bytes(), &secrets),
            Some(("secret/b#client_secret".to_string(), "JSON-escaped"))
        );
        assert_eq!(n.find(b"pin 1234", &secrets), None);
        assert_eq!(n.find(b"nothing to see here", &secrets), None);
    }
}
