use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::data::Argument;
use crate::oauth::{Client, Kind, OauthData};
use crate::types::Severity;

/// TFG040: an argument or block `genesyscloud_oauth_client` does not have (Terraform fails with
/// "Unsupported argument"), with the real name when the intent is clear.
pub struct OauthClientUnknownArgument;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG040",
    name: "oauth-client-unknown-argument",
    title: "genesyscloud_oauth_client has no such argument",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG040.md"),
};

crate::client_rule!(OauthClientUnknownArgument, META);

/// The closest schema name, if it is close enough to be a typo.
fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .filter_map(|c| {
            // `role` for `role_id`: a prefix slip is as good as a one-letter typo.
            let max = (c.len().max(name.len()) / 3).clamp(1, 4);
            if c.starts_with(name) && name.len() >= 3 {
                return Some((1, c));
            }
            crate::near::distance_within(name, c, max).map(|d| (d, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// `grant_types = ["authorization_code", "refresh_token"]` → `CODE`.
fn grant_from_list(d: &OauthData, c: &Client, arg: &str) -> Option<String> {
    let v = &c.arg(arg)?.value;
    let names: Vec<&str> = match &v.kind {
        Kind::List(items) => items.iter().filter_map(|i| i.as_str()).collect(),
        Kind::Str(s) => vec![s.as_str()],
        _ => return None,
    };
    let mapped: Vec<&String> = names
        .iter()
        .filter_map(|n| d.oauth.grant_aliases.get(&n.to_ascii_lowercase()))
        .filter(|g| !g.is_empty())
        .collect();
    match mapped.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

impl ClientCheck for OauthClientUnknownArgument {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        // State and plan JSON come from the provider itself: their keys are its schema.
        if !c.from_hcl {
            return;
        }
        let is_meta = |n: &str| d.schema.meta_arguments.iter().any(|m| m == n);
        for a in &c.args {
            if d.argument(&a.name).is_some() || is_meta(&a.name) {
                continue;
            }
            let (message, fix) = match d.schema.renamed.get(&a.name) {
                Some(r) if r.to.is_empty() => (
                    format!(
                        "`{}` is not an argument of `{}`: {}",
                        a.name,
                        d.resource(),
                        r.why
                    ),
                    format!("Remove `{}`.", a.name),
                ),
                Some(r) => {
                    let fix = match (r.to.as_str(), grant_from_list(d, c, &a.name)) {
                        ("authorized_grant_type", Some(g)) => format!(
                            "Replace it with `authorized_grant_type = \"{g}\"` (one grant per client; refresh tokens come with the CODE grant)."
                        ),
                        ("authorized_grant_type", None) => format!(
                            "Replace it with `authorized_grant_type = \"…\"`, one of {}.",
                            d.argument("authorized_grant_type")
                                .map(|g| g.enum_values.join(", "))
                                .unwrap_or_default()
                        ),
                        (to, _) => format!("Rename `{}` to `{to}`.", a.name),
                    };
                    (
                        format!(
                            "`{}` is not an argument of `{}`; did you mean `{}`? ({})",
                            a.name,
                            d.resource(),
                            r.to,
                            r.why
                        ),
                        fix,
                    )
                }
                None => match nearest(&a.name, d.schema.argument.iter().map(|x| x.name.as_str())) {
                    Some(n) => (
                        format!(
                            "`{}` is not an argument of `{}`; did you mean `{n}`?",
                            a.name,
                            d.resource()
                        ),
                        format!("Rename `{}` to `{n}`.", a.name),
                    ),
                    None => (
                        format!("`{}` is not an argument of `{}`", a.name, d.resource()),
                        format!("Remove it. Arguments: {}.", settable(&d.schema.argument)),
                    ),
                },
            };
            e.at(a.key_span, &a.name, message, fix);
        }
        for b in &c.blocks {
            if is_meta(&b.name) {
                continue;
            }
            match d.argument(&b.name) {
                Some(arg) if arg.ty == "block_set" => {
                    for a in &b.args {
                        if arg.block.iter().any(|x| x.name == a.name) {
                            continue;
                        }
                        let hint = nearest(&a.name, arg.block.iter().map(|x| x.name.as_str()))
                            .map(|n| format!("; did you mean `{n}`?"))
                            .unwrap_or_default();
                        e.at(
                            a.key_span,
                            &a.value.path,
                            format!(
                                "`{}` is not an argument of a `{}` block{hint}",
                                a.name, b.name
                            ),
                            format!("`{}` blocks take: {}.", b.name, settable(&arg.block)),
                        );
                    }
                }
                // An attribute written as a block is a type error (TFG041).
                Some(_) => {}
                None => e.at(
                    b.span,
                    &b.name,
                    format!("`{}` has no `{}` block", d.resource(), b.name),
                    format!(
                        "Remove the block; `{}` takes these blocks: {}.",
                        d.resource(),
                        d.schema
                            .argument
                            .iter()
                            .filter(|a| a.ty == "block_set")
                            .map(|a| format!("`{}`", a.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
    }
}

fn settable(args: &[Argument]) -> String {
    args.iter()
        .filter(|a| !a.computed_only)
        .map(|a| format!("`{}`", a.name))
        .collect::<Vec<_>>()
        .join(", ")
}
