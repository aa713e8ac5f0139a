//! TFG044: the Genesys Cloud provider required from the wrong source. Safe: the source address
//! names the same resources; the state then moves with `terraform state replace-provider`.

use super::text::Edit;
use super::{FixCx, Proposal, Safety, quote_for};
use crate::types::Finding;

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some(d) = cx.oauth() else {
        return Vec::new();
    };
    let good = d.preferred_source();
    if good.is_empty() {
        return Vec::new();
    }
    // In state or plan JSON: only the instruction.
    let Some((src, r)) = cx.span_range(f) else {
        return vec![Proposal::manual(
            "TFG044",
            format!("move the state to `{good}`"),
            f.remediation.clone(),
        )];
    };
    let Some(old) = src[r.clone()]
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
    else {
        // No `source` at all (the finding points at the key): say what to add.
        return vec![Proposal::manual(
            "TFG044",
            format!("add `source = \"{good}\"`"),
            f.remediation.clone(),
        )];
    };
    let short = old.to_ascii_lowercase();
    let short = short
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(&short);
    vec![Proposal {
        rule_id: "TFG044",
        title: format!("provider source `{old}` → `{good}`"),
        safety: Safety::Safe,
        why: format!(
            "`{old}` is not the Genesys Cloud provider; the resources are the same under `{good}`. Existing state still names the old provider: run `terraform state replace-provider registry.terraform.io/{short} registry.terraform.io/{good}` before the next plan."
        ),
        edits: vec![Edit::at(&f.path, r, quote_for(&f.path, good))],
    }]
}
