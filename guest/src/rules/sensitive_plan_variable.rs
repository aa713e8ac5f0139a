use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::detect;
use crate::state::tape::Tape;
use crate::state::{Variable, is_nonempty, last_name, walk_strings};
use crate::types::Severity;

/// TFG005: a plan's `variables` hold a sensitive input in cleartext. `terraform show -json`
/// emits every variable's value unredacted.
pub struct SensitivePlanVariable;

static META: RuleMeta = RuleMeta {
    id: "TFG005",
    name: "sensitive-plan-variable",
    title: "A plan file stores a sensitive input variable in cleartext",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG005.md"),
};

impl Rule for SensitivePlanVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variable(&self, _cx: &Ctx<'_>, path: &str, v: &Variable<'_>, out: &mut Sink) {
        let tape = Tape::from_value(&v.value);
        let value = tape.root();
        let why = if v.sensitive && is_nonempty(value) {
            Some("is declared `sensitive = true`".to_string())
        } else {
            let mut found = None;
            walk_strings(value, &mut Vec::new(), &mut |p, s| {
                let name = if p.is_empty() { v.name } else { last_name(p) };
                if found.is_none() {
                    found = detect::detect(name, s).map(|k| format!("holds {}", k.describe()));
                }
            });
            found
        };
        if let Some(why) = why {
            out.report(
                &META,
                Hit {
                    message: format!("plan variable `{}` {why}, and the plan stores its value in cleartext (`variables.{}.value`)", v.name, v.name),
                    path: path.to_string(),
                    address: Some(format!("var.{}", v.name)),
                    attribute: Some("value".into()),
                    remediation: "Declare the variable `ephemeral = true` (Terraform >= 1.10): ephemeral variables are never written to plan or state. Treat plan files as secrets until then, and rotate the value.".into(),
                    ..Hit::default()
                },
            );
        }
    }
}
