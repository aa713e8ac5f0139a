//! TFG030: a scope Genesys Cloud does not have, replaced by the catalogue's suggestion.
//! Unsafe: the suggestion is a guess at what was meant, and it grants access. When both forms
//! of the suggested area fit, the `:readonly` one is taken (least privilege; TFG033 would ask
//! for it next).

use super::text::Edit;
use super::{FixCx, Proposal, Safety, quote_for};
use crate::oauth::scopes::{Catalogue, READONLY, Verdict};
use crate::types::Finding;

/// `rule "TFG030" { known = [...] }`: the scopes the user taught the catalogue.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Opts {
    known: Vec<String>,
}

/// The suggestion to use: the best one, or its `:readonly` twin when that is also offered.
fn choose(sugg: &[String]) -> Option<&str> {
    let best = sugg.first()?;
    let area = best.strip_suffix(READONLY).unwrap_or(best);
    let ro = format!("{area}{READONLY}");
    Some(
        sugg.iter()
            .take(2)
            .find(|s| **s == ro)
            .map_or(best.as_str(), String::as_str),
    )
}

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some(d) = cx.oauth() else {
        return Vec::new();
    };
    let Some((src, r)) = cx.span_range(f) else {
        return Vec::new();
    };
    // Only a literal at the finding: a scope from a variable is fixed where it is defined.
    let Some(old) = src[r.clone()]
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
    else {
        return Vec::new();
    };
    let opts: Opts = cx.prep.options.rule("TFG030").unwrap_or_default();
    let cat = Catalogue::new(&d.scopes, &opts.known);
    let sugg = match cat.judge(old) {
        Verdict::Malformed(s) | Verdict::NearMiss(s) => s,
        _ => return Vec::new(),
    };
    let Some(new) = choose(&sugg) else {
        return vec![Proposal::manual(
            "TFG030",
            format!("replace scope `{old}`"),
            f.remediation.clone(),
        )];
    };
    vec![Proposal {
        rule_id: "TFG030",
        title: format!("scope `{old}` → `{new}`"),
        safety: Safety::Unsafe,
        why: format!(
            "`{old}` is not a Genesys Cloud scope; `{new}` is the nearest real one{}. Check that it is the access the application needs.",
            if new.ends_with(READONLY) && sugg.len() > 1 {
                " (read-only where both forms fit: least privilege)"
            } else {
                ""
            }
        ),
        edits: vec![Edit::at(&f.path, r, quote_for(&f.path, new))],
    }]
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn readonly_form_wins_when_both_are_offered() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            choose(&s(&["conversations", "conversations:readonly"])),
            Some("conversations:readonly")
        );
        assert_eq!(
            choose(&s(&["users:readonly", "users"])),
            Some("users:readonly")
        );
        assert_eq!(choose(&s(&["analytics"])), Some("analytics"));
        assert_eq!(choose(&s(&["a", "b", "a:readonly"])), Some("a"));
        assert_eq!(choose(&[]), None);
    }
}
