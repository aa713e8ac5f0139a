//! For TFG005 (a plan stores a sensitive input variable in cleartext): a secret variable used
//! only by provider blocks, write-only arguments and ephemeral blocks gains `ephemeral = true`,
//! so plans and state never record it. Unsafe: every caller must still pass it on each run
//! (ephemeral variables are not saved in a plan file), and Terraform >= 1.10 is needed.

use hcl::edit::Span as _;

use super::refs::{self, Place};
use super::requirements::{self, Need};
use super::text::{self, Edit};
use super::{Anchor, FixCx, Proposal, Safety};
use crate::hcl::ItemKind;
use crate::oauth::version::Version;

const TERRAFORM: Version = Version(1, 10, 0);

pub fn fix(cx: &FixCx<'_>) -> Vec<(Proposal, Anchor)> {
    let Ok(flow) = crate::hcl::flow::FlowPolicy::load(&cx.prep.policy) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (m, idx) in cx.modules.iter().zip(&cx.indexes) {
        for item in idx.of_kind(ItemKind::Variable) {
            if item.file.lines.is_mapped() || item.flag("ephemeral") {
                continue;
            }
            if !(item.flag("sensitive") || flow.is_secret_name(&item.name)) {
                continue;
            }
            let uses = refs::uses(&cx.prep.policy, m, "var", &item.name);
            if uses.is_empty() || uses.iter().any(|u| matches!(u.place, Place::Other(_))) {
                continue;
            }
            let (Some(block), Some(body)) = (item.block, item.body()) else {
                continue;
            };
            // Aligned like `sensitive` (same length), whose spacing it copies.
            let edit = match body.get_attribute("sensitive") {
                Some(a) => {
                    let gap = match (a.key.span(), a.value.span()) {
                        (Some(k), Some(v)) if v.start >= k.end => &item.file.src[k.end..v.start],
                        _ => " = ",
                    };
                    text::insert_after_attr(item.file, a, &[format!("ephemeral{gap}true")])
                }
                None => {
                    text::insert_first_in_block(item.file, block, &["ephemeral = true".to_string()])
                }
            };
            let Some(edit) = edit else {
                continue;
            };
            let mut edits: Vec<Edit> = vec![edit];
            let needs = [Need::terraform(TERRAFORM)];
            edits.extend(requirements::require_all(m, item.file, &needs));
            let loc = item.loc();
            out.push((
                Proposal {
                    rule_id: "TFG005",
                    title: format!("mark {} ephemeral", item.address),
                    safety: Safety::Unsafe,
                    why: format!(
                        "It is used only by provider settings, write-only arguments or ephemeral blocks, so nothing needs it stored: as an ephemeral variable it never enters a plan file or state (a saved plan records sensitive variables in cleartext). Each run must now pass it (`-var`, TF_VAR_{}); needs {}.",
                        item.name,
                        requirements::describe(&needs)
                    ),
                    edits,
                },
                Anchor {
                    path: loc.path,
                    span: Some(loc.span),
                    address: Some(item.address.clone()),
                },
            ));
        }
    }
    out
}
