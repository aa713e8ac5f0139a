//! Raising `required_providers` and `required_version` to what a fix needs. A constraint that
//! already admits nothing older than the minimum is left alone; otherwise it becomes
//! `>= <minimum>` (the fix names the reason).

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::Block;

use super::text::{self, Edit};
use crate::hcl::{HclFile, Module};
use crate::oauth::version::{Constraint, Version};

/// A minimum a fix needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// `required_version`.
    Terraform(Version),
    /// A provider by source address (`hashicorp/vault`), with its usual local name.
    Provider {
        source: String,
        local: String,
        min: Version,
    },
}

impl Need {
    pub fn terraform(min: Version) -> Need {
        Need::Terraform(min)
    }

    /// `hashicorp/random` → local name `random`.
    pub fn provider(source: &str, min: Version) -> Need {
        let local = source.rsplit('/').next().unwrap_or(source).to_string();
        Need::Provider {
            source: source.to_string(),
            local,
            min,
        }
    }

    /// `"hashicorp/random >= 3.7; write-only sinks need Terraform >= 1.11"` → the provider
    /// part (the policy's `requires` text).
    pub fn parse_requires(s: &str) -> Option<Need> {
        let first = s.split(';').next()?.trim();
        let (source, ver) = first.split_once(">=")?;
        let source = source.trim();
        if !source.contains('/') {
            return None;
        }
        Some(Need::provider(source, Version::parse(ver.trim())?))
    }

    /// The version constraint of a `WriteOnly` entry (`">= 5.0.0"`), for its provider.
    pub fn from_constraint(source: &str, versions: &str) -> Option<Need> {
        if source.is_empty() {
            return None;
        }
        let min = Constraint::parse(versions.split(';').next().unwrap_or("")).min?;
        Some(Need::provider(source, min))
    }
}

fn terraform_blocks(m: &Module) -> impl Iterator<Item = (&HclFile, &Block)> {
    m.files
        .iter()
        .filter(|f| !f.lines.is_mapped())
        .flat_map(|f| f.body.get_blocks("terraform").map(move |b| (f, b)))
}

fn needs_raise(raw: &str, min: Version) -> bool {
    Constraint::parse(raw).min.is_none_or(|m| m < min)
}

fn at_least(min: Version) -> String {
    text::quote(&format!(">= {min}"))
}

/// The edits that make module `m` require `need`, inserting into `home` (the file being fixed)
/// when there is no `terraform` block to extend. Empty when it already does.
pub fn require(m: &Module, home: &HclFile, need: &Need) -> Vec<Edit> {
    match need {
        Need::Terraform(min) => {
            for (f, tf) in terraform_blocks(m) {
                if let Some(a) = tf.body.get_attribute("required_version") {
                    let Expression::String(s) = &a.value else {
                        return Vec::new();
                    };
                    if !needs_raise(s.value(), *min) {
                        return Vec::new();
                    }
                    return a
                        .value
                        .span()
                        .map(|r| vec![Edit::new(f, r, at_least(*min))])
                        .unwrap_or_default();
                }
            }
            let line = format!("required_version = {}", at_least(*min));
            match terraform_blocks(m).next() {
                Some((f, tf)) => text::insert_first_in_block(f, tf, &[line])
                    .into_iter()
                    .collect(),
                None => vec![new_terraform_block(home, &format!("  {line}\n"))],
            }
        }
        Need::Provider { source, local, min } => {
            if let Some((f, a)) = entry(m, source, local) {
                return match &a.value {
                    Expression::String(s) => {
                        if !needs_raise(s.value(), *min) {
                            return Vec::new();
                        }
                        a.value
                            .span()
                            .map(|r| vec![Edit::new(f, r, at_least(*min))])
                            .unwrap_or_default()
                    }
                    Expression::Object(o) => {
                        for (k, v) in o.iter() {
                            if key_name(k) == Some("version") {
                                let Expression::String(s) = v.expr() else {
                                    return Vec::new();
                                };
                                if !needs_raise(s.value(), *min) {
                                    return Vec::new();
                                }
                                return v
                                    .expr()
                                    .span()
                                    .map(|r| vec![Edit::new(f, r, at_least(*min))])
                                    .unwrap_or_default();
                            }
                        }
                        // No version: add one after the last item.
                        let Some((k, v)) = o.iter().last() else {
                            return Vec::new();
                        };
                        let (Some(ks), Some(vs)) = (k.span(), v.expr().span()) else {
                            return Vec::new();
                        };
                        let multi_line = f.src[a.value.span().unwrap_or(vs.clone())].contains('\n');
                        let text = if multi_line {
                            let indent = text::indent_at(&f.src, ks.start);
                            format!("\n{indent}version = {}", at_least(*min))
                        } else {
                            format!(", version = {}", at_least(*min))
                        };
                        let at = if multi_line {
                            text::line_end(&f.src, vs.end)
                        } else {
                            vs.end
                        };
                        vec![Edit::new(f, at..at, text)]
                    }
                    _ => Vec::new(),
                };
            }
            let line = format!(
                "{local} = {{ source = {}, version = {} }}",
                text::quote(source),
                at_least(*min)
            );
            for (f, tf) in terraform_blocks(m) {
                if let Some(rp) = tf.body.get_blocks("required_providers").next() {
                    return text::insert_first_in_block(f, rp, &[line])
                        .into_iter()
                        .collect();
                }
            }
            let block = vec![
                "required_providers {".to_string(),
                format!("  {line}"),
                "}".to_string(),
            ];
            match terraform_blocks(m).next() {
                Some((f, tf)) => text::insert_first_in_block(f, tf, &block)
                    .into_iter()
                    .collect(),
                None => vec![new_terraform_block(
                    home,
                    &block.iter().map(|l| format!("  {l}\n")).collect::<String>(),
                )],
            }
        }
    }
}

fn new_terraform_block(home: &HclFile, inner: &str) -> Edit {
    Edit::new(home, 0..0, format!("terraform {{\n{inner}}}\n\n"))
}

fn key_name(k: &ObjectKey) -> Option<&str> {
    match k {
        ObjectKey::Ident(id) => Some(id.as_str()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().as_str()),
        _ => None,
    }
}

fn source_of(e: &Expression) -> Option<String> {
    let Expression::Object(o) = e else {
        return None;
    };
    o.iter().find_map(|(k, v)| match (key_name(k), v.expr()) {
        (Some("source"), Expression::String(s)) => Some(s.value().to_string()),
        _ => None,
    })
}

/// Describe what was raised, for the fix's reason.
pub fn describe(needs: &[Need]) -> String {
    needs
        .iter()
        .map(|n| match n {
            Need::Terraform(v) => format!("Terraform >= {v}"),
            Need::Provider { source, min, .. } => format!("{source} >= {min}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every edit the needs take, in order (several needs may insert at one place).
pub fn require_all(m: &Module, home: &HclFile, needs: &[Need]) -> Vec<Edit> {
    // Two needs that each create the missing `terraform` block would create two: give the
    // Terraform version to the provider block's insertion instead when both are missing.
    let mut out: Vec<Edit> = Vec::new();
    for n in needs {
        for e in require(m, home, n) {
            if e.range == (0..0)
                && let Some(prev) = out
                    .iter_mut()
                    .find(|p| p.range == (0..0) && p.path == e.path)
            {
                // Merge the two new blocks into one.
                let inner_prev = prev
                    .text
                    .trim_start_matches("terraform {\n")
                    .trim_end_matches("}\n\n")
                    .to_string();
                let inner_new = e
                    .text
                    .trim_start_matches("terraform {\n")
                    .trim_end_matches("}\n\n")
                    .to_string();
                prev.text = format!("terraform {{\n{inner_prev}{inner_new}}}\n\n");
                continue;
            }
            out.push(e);
        }
    }
    out
}

/// The `required_providers` entry for a provider: by local name, or by source address.
fn entry<'m>(
    m: &'m Module,
    source: &str,
    local: &str,
) -> Option<(&'m HclFile, &'m hcl::edit::structure::Attribute)> {
    for (f, tf) in terraform_blocks(m) {
        for rp in tf.body.get_blocks("required_providers") {
            for a in rp.body.attributes() {
                let src = source_of(&a.value);
                // By local name too: a wrong source (TFG044) is fixed by another edit, and
                // two entries for one name would not load.
                let matches = a.key.as_str() == local
                    || src.as_deref().is_some_and(|s| {
                        s.eq_ignore_ascii_case(source)
                            || s.eq_ignore_ascii_case(&format!("registry.terraform.io/{source}"))
                    });
                if matches {
                    return Some((f, a));
                }
            }
        }
    }
    None
}
