//! TFG040: an argument `genesyscloud_oauth_client` does not have. Terraform rejects the
//! configuration, so removing one the provider has no concept for, or renaming one to its
//! one-to-one equivalent, changes nothing but that it now loads (safe). `grant_types` (a list)
//! to `authorized_grant_type` (one value) interprets the grant (unsafe).

use hcl::edit::expr::Expression;

use super::text::{self, Edit};
use super::{FixCx, Proposal, Safety};
use crate::types::Finding;

/// The list of OAuth grant names people write, to the one Genesys Cloud grant they mean.
fn genesys_grant(grants: &[String]) -> Option<&'static str> {
    let mut set: Vec<&str> = grants
        .iter()
        .map(String::as_str)
        .filter(|g| *g != "refresh_token")
        .collect();
    set.sort_unstable();
    set.dedup();
    match set.as_slice() {
        ["authorization_code"] | ["code"] => Some("CODE"),
        ["client_credentials"] => Some("CLIENT-CREDENTIALS"),
        ["implicit"] | ["token"] => Some("TOKEN"),
        ["password"] => Some("PASSWORD"),
        ["urn:ietf:params:oauth:grant-type:saml2-bearer"] | ["saml2_bearer"] | ["saml2bearer"] => {
            Some("SAML2BEARER")
        }
        _ => None,
    }
}

fn string_items(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::String(s) => Some(vec![s.value().to_string()]),
        Expression::Array(a) => a
            .iter()
            .map(|x| match x {
                Expression::String(s) => Some(s.value().to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some(attr) = f.attribute.as_deref() else {
        return Vec::new();
    };
    let Some(d) = cx.oauth() else {
        return Vec::new();
    };
    if super::is_tf_json(&f.path) {
        return fix_json(cx, f, attr, &d);
    }
    let Some((_, item)) = cx.item(f) else {
        return Vec::new();
    };
    let Some(body) = item.body() else {
        return Vec::new();
    };
    let Some(a) = body.get_attribute(attr) else {
        return Vec::new();
    };
    let file = item.file;
    let manual = |why: String| {
        vec![Proposal::manual(
            "TFG040",
            format!("replace `{attr}` on {}", item.address),
            why,
        )]
    };
    let Some(renamed) = d.schema.renamed.get(attr) else {
        return manual(f.remediation.clone());
    };
    let to = renamed.to.as_str();
    // No such concept, or the secret (TFG043's business): the provider never sees it.
    if to.is_empty() || to == "client_secret" {
        return text::remove_attr(file, a)
            .map(|e| Proposal {
                rule_id: "TFG040",
                title: format!("remove `{attr}` from {}", item.address),
                safety: Safety::Safe,
                why: format!(
                    "{}: the provider has no such argument, so Terraform rejects it and nothing depends on it.",
                    renamed.why
                ),
                edits: vec![e],
            })
            .into_iter()
            .collect();
    }
    if body.get_attribute(to).is_some() {
        return manual(format!(
            "Both `{attr}` and `{to}` are set: keep `{to}` and delete `{attr}` after checking they agree."
        ));
    }
    let Some(target) = d.argument(to) else {
        return manual(f.remediation.clone());
    };
    match target.ty.as_str() {
        // A set of strings: the same list under its real name (a single string becomes a list).
        "set_string" => {
            let mut edits: Vec<Edit> = text::rename_key(file, a, to).into_iter().collect();
            match &a.value {
                Expression::Array(_) => {}
                Expression::String(_) => {
                    let Some(r) = hcl::edit::Span::span(&a.value) else {
                        return Vec::new();
                    };
                    let inner = file.src[r.clone()].to_string();
                    edits.push(Edit::new(file, r, format!("[{inner}]")));
                }
                _ => {
                    return manual(format!(
                        "Rename `{attr}` to `{to}` (a set of strings); its value is not a literal tfguard can check."
                    ));
                }
            }
            vec![Proposal {
                rule_id: "TFG040",
                title: format!("rename `{attr}` → `{to}` on {}", item.address),
                safety: Safety::Safe,
                why: format!(
                    "{}: Terraform rejects `{attr}`; `{to}` takes the same values.",
                    renamed.why
                ),
                edits,
            }]
        }
        // One grant from a list of OAuth grant names: what the list means has to be decided.
        "string" if to == "authorized_grant_type" => {
            let Some(grants) = string_items(&a.value) else {
                return manual(f.remediation.clone());
            };
            let Some(grant) = genesys_grant(&grants) else {
                return manual(format!(
                    "`{attr}` lists {}: a Genesys Cloud client has exactly one `authorized_grant_type` (CODE, CLIENT-CREDENTIALS, TOKEN, PASSWORD, SAML2BEARER); pick the one this application uses, possibly as separate clients.",
                    grants
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let Some(r) = text::attr_range(a) else {
                return Vec::new();
            };
            vec![Proposal {
                rule_id: "TFG040",
                title: format!("`{attr}` → `{to} = \"{grant}\"` on {}", item.address),
                safety: Safety::Unsafe,
                why: format!(
                    "{}: {} maps to the Genesys Cloud grant `{grant}` (refresh tokens come with it). The grant decides how the client authenticates, so check it is the flow the application uses.",
                    renamed.why,
                    grants
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
                edits: vec![Edit::new(file, r, format!("{to} = {}", text::quote(grant)))],
            }]
        }
        _ => manual(f.remediation.clone()),
    }
}

/// The same fixes in a `.tf.json` file, edited as JSON: the finding points at the key.
fn fix_json(
    cx: &FixCx<'_>,
    f: &Finding,
    attr: &str,
    d: &crate::oauth::data::OauthData,
) -> Vec<Proposal> {
    use super::json;
    let Some((src, r)) = cx.span_range(f) else {
        return Vec::new();
    };
    let Some((key, value)) = json::member(src, r.start) else {
        return Vec::new();
    };
    let address = f.address.as_deref().unwrap_or("the client");
    let manual = |why: String| {
        vec![Proposal::manual(
            "TFG040",
            format!("replace `{attr}` on {address}"),
            why,
        )]
    };
    let Some(renamed) = d.schema.renamed.get(attr) else {
        return manual(f.remediation.clone());
    };
    let to = renamed.to.as_str();
    if to.is_empty() || to == "client_secret" {
        return json::remove_member(src, r.start)
            .map(|range| Proposal {
                rule_id: "TFG040",
                title: format!("remove `{attr}` from {address}"),
                safety: Safety::Safe,
                why: format!(
                    "{}: the provider has no such argument, so Terraform rejects it and nothing depends on it.",
                    renamed.why
                ),
                edits: vec![Edit::at(&f.path, range, "")],
            })
            .into_iter()
            .collect();
    }
    if cx
        .item_any(f)
        .and_then(|i| i.body())
        .is_some_and(|b| b.get_attribute(to).is_some())
    {
        return manual(format!(
            "Both `{attr}` and `{to}` are set: keep `{to}` and delete `{attr}` after checking they agree."
        ));
    }
    let Some(target) = d.argument(to) else {
        return manual(f.remediation.clone());
    };
    let parsed: Option<serde_json::Value> = serde_json::from_str(&src[value.clone()]).ok();
    match (target.ty.as_str(), parsed) {
        ("set_string", Some(serde_json::Value::Array(_))) => vec![Proposal {
            rule_id: "TFG040",
            title: format!("rename `{attr}` → `{to}` on {address}"),
            safety: Safety::Safe,
            why: format!(
                "{}: Terraform rejects `{attr}`; `{to}` takes the same values.",
                renamed.why
            ),
            edits: vec![Edit::at(&f.path, key, json::quote(to))],
        }],
        ("set_string", Some(serde_json::Value::String(_))) => vec![Proposal {
            rule_id: "TFG040",
            title: format!("rename `{attr}` → `{to}` on {address}"),
            safety: Safety::Safe,
            why: format!(
                "{}: Terraform rejects `{attr}`; `{to}` takes the same value, as a list.",
                renamed.why
            ),
            edits: vec![
                Edit::at(&f.path, key, json::quote(to)),
                Edit::at(&f.path, value.clone(), format!("[{}]", &src[value])),
            ],
        }],
        ("string", Some(v)) if to == "authorized_grant_type" => {
            let grants: Option<Vec<String>> = match v {
                serde_json::Value::String(s) => Some(vec![s]),
                serde_json::Value::Array(a) => a
                    .into_iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect(),
                _ => None,
            };
            let Some(grants) = grants else {
                return manual(f.remediation.clone());
            };
            let Some(grant) = genesys_grant(&grants) else {
                return manual(f.remediation.clone());
            };
            vec![Proposal {
                rule_id: "TFG040",
                title: format!("`{attr}` → `{to} = \"{grant}\"` on {address}"),
                safety: Safety::Unsafe,
                why: format!(
                    "{}: {} maps to the Genesys Cloud grant `{grant}` (refresh tokens come with it). The grant decides how the client authenticates, so check it is the flow the application uses.",
                    renamed.why,
                    grants
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
                edits: vec![Edit::at(
                    &f.path,
                    key.start..value.end,
                    format!("{}: {}", json::quote(to), json::quote(grant)),
                )],
            }]
        }
        _ => manual(f.remediation.clone()),
    }
}
