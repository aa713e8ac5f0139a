//! TFG012: a managed secret generator (`random_password`, ...) keeps its result in state.
//! When every use of it is a write-only argument, a provider block or another ephemeral
//! block, it becomes its ephemeral twin (never stored), the uses are rewritten to
//! `ephemeral.<type>.<name>`, and a `removed` block drops the managed one from state.
//! Unsafe: a new value is generated on every run, so whatever consumed the old one must
//! be written again (the write-only sinks are, when their `_version` is bumped).

use hcl::edit::Span as _;

use super::refs::{self, Place};
use super::requirements::{self, Need};
use super::text::{self, Edit};
use super::{FixCx, Proposal, Safety};
use crate::oauth::version::Version;
use crate::types::Finding;

/// Ephemeral resources and write-only arguments: Terraform 1.11.
const TERRAFORM: Version = Version(1, 11, 0);

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some((m, item)) = cx.item(f) else {
        return Vec::new();
    };
    if item.kind != crate::hcl::ItemKind::Resource {
        return Vec::new();
    }
    let Some(policy) = crate::hcl::flow::FlowPolicy::load(&cx.prep.policy).ok() else {
        return Vec::new();
    };
    let Some(generator) = policy.generator.iter().find(|g| g.resource == item.rtype) else {
        return Vec::new();
    };
    let (Some(block), Some(body)) = (item.block, item.body()) else {
        return Vec::new();
    };
    let manual = |why: String| {
        vec![Proposal::manual(
            "TFG012",
            format!("make {} ephemeral", item.address),
            why,
        )]
    };
    // Ephemeral resources take no `lifecycle` rules beyond conditions, and no `keepers`.
    if body.get_blocks("lifecycle").next().is_some() {
        return manual(format!(
            "Replace it with `{}` by hand: its `lifecycle` block needs a decision (ephemeral resources support only pre/postconditions). {}",
            generator.ephemeral, f.remediation
        ));
    }
    let uses = refs::uses(&cx.prep.policy, m, &item.rtype, &item.name);
    if uses.is_empty() {
        return Vec::new();
    }
    let stored: Vec<String> = uses
        .iter()
        .filter_map(|u| match &u.place {
            Place::Other(what) => Some(what.clone()),
            _ => None,
        })
        .collect();
    if !stored.is_empty() || uses.iter().any(|u| u.file.lines.is_mapped()) {
        return manual(format!(
            "Its result is still used where Terraform stores it ({}): move those uses to write-only arguments (TFG010's fix), or keep the secret out of Terraform; then it can become `{}`. {}",
            stored.join("; "),
            generator.ephemeral,
            f.remediation
        ));
    }
    let file = item.file;
    let Some(ident) = block.ident.span() else {
        return Vec::new();
    };
    let mut edits = vec![Edit::new(file, ident, "ephemeral")];
    if let Some(k) = body.get_attribute("keepers") {
        edits.extend(text::remove_attr(file, k));
    }
    for u in &uses {
        edits.push(Edit {
            path: u.file.path.clone(),
            range: u.root.start..u.root.start,
            text: "ephemeral.".into(),
        });
    }
    edits.extend(text::insert_after_block(
        file,
        block,
        &format!(
            "# {addr} is ephemeral now: forget the stored one (its value is in state history: rotate what used it).\nremoved {{\n  from = {addr}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}",
            addr = item.address
        ),
    ));
    let mut needs = vec![Need::terraform(TERRAFORM)];
    needs.extend(Need::parse_requires(&generator.requires));
    edits.extend(requirements::require_all(m, file, &needs));
    vec![Proposal {
        rule_id: "TFG012",
        title: format!("{} → {}", item.address, generator.ephemeral),
        safety: Safety::Unsafe,
        why: format!(
            "Every use of it is write-only or a provider setting, so it need not be stored: `{}` generates the value during each run and never writes it to state. A new value is generated on every run; the write-only sinks store it only when their `_version` changes. Needs {}.",
            generator.ephemeral,
            requirements::describe(&needs)
        ),
        edits,
    }]
}
