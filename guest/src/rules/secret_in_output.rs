use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::detect;
use crate::state::tape::Tape;
use crate::state::{Output, format_segs, is_nonempty, last_name, walk_strings};
use crate::types::Severity;

/// TFG004: a root output holds a secret. `sensitive = true` on an output only hides it from
/// CLI output; Terraform stores root outputs in state in cleartext.
pub struct SecretInOutput;

static META: RuleMeta = RuleMeta {
    id: "TFG004",
    name: "secret-in-output",
    title: "A root module output stores a secret in state",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG004.md"),
};

impl Rule for SecretInOutput {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_output(&self, _cx: &Ctx<'_>, path: &str, o: &Output<'_>, out: &mut Sink) {
        let tape = Tape::from_value(&o.value);
        let value = tape.root();
        let why = if o.sensitive && is_nonempty(value) {
            Some("is marked sensitive, and its value is stored in cleartext".to_string())
        } else {
            let mut found = None;
            walk_strings(value, &mut Vec::new(), &mut |p, s| {
                if found.is_none() {
                    let name = if p.is_empty() { o.name } else { last_name(p) };
                    if let Some(kind) = detect::detect(name, s) {
                        let at = if p.is_empty() {
                            String::new()
                        } else {
                            format!(" at `{}`", format_segs(p))
                        };
                        found = Some(format!("holds {}{at}", kind.describe()));
                    }
                }
            });
            found
        };
        if let Some(why) = why {
            out.report(
                &META,
                Hit {
                    message: format!("root output `{}` {why} ({})", o.name, o.origin),
                    path: path.to_string(),
                    address: Some(format!("output.{}", o.name)),
                    remediation: "Remove the output, or make it `ephemeral = true` in a child module (root outputs cannot be ephemeral); consumers should read the secret from Vault. Rotate the exposed value.".into(),
                    ..Hit::default()
                },
            );
        }
    }
}
