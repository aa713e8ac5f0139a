//! TFG043: `client_secret` set on `genesyscloud_oauth_client`. Safe to remove: Genesys Cloud
//! generates the secret server-side and the provider never sends the configured value, so
//! the argument changes nothing but what reaches state.

use hcl::edit::expr::Expression;

use super::text;
use super::{FixCx, Proposal, Safety};
use crate::types::Finding;

const WHY: &str = "Genesys Cloud generates OAuth client secrets itself and the provider never sends a configured one: the argument only copied its source into state. `tfguard apply` stores the real secret in Vault.";

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let attr = f.attribute.as_deref().unwrap_or("client_secret");
    if super::is_tf_json(&f.path) {
        // The finding points at the member's key.
        let Some((src, r)) = cx.span_range(f) else {
            return Vec::new();
        };
        let Some(range) = super::json::remove_member(src, r.start) else {
            return Vec::new();
        };
        return vec![Proposal {
            rule_id: "TFG043",
            title: format!(
                "remove `{attr}` from {}",
                f.address.as_deref().unwrap_or("the client")
            ),
            safety: Safety::Safe,
            why: WHY.into(),
            edits: vec![super::Edit::at(&f.path, range, "")],
        }];
    }
    let Some((_, item)) = cx.item(f) else {
        return Vec::new();
    };
    let Some(a) = item.body().and_then(|b| b.get_attribute(attr)) else {
        return Vec::new();
    };
    let Some(edit) = text::remove_attr(item.file, a) else {
        return Vec::new();
    };
    let mut why = WHY.to_string();
    // A generated value set here was never the client's secret: wherever else it is stored
    // as one (Vault), it is a value Genesys never saw.
    // Only a reference is named: a literal (or a template's text) could be the secret itself.
    if matches!(a.value, Expression::Traversal(_))
        && let Some(r) = hcl::edit::Span::span(&a.value)
    {
        why.push_str(&format!(
            " Note: `{}` was never this client's secret; anything else that stores it as the client secret holds a value Genesys never issued.",
            item.file.src[r].trim()
        ));
    }
    vec![Proposal {
        rule_id: "TFG043",
        title: format!("remove `{attr}` from {}", item.address),
        safety: Safety::Safe,
        why,
        edits: vec![edit],
    }]
}
