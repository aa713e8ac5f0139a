//! TFG010: a secret reaches an argument that is stored in state. Unsafe fixes, since each
//! changes what Terraform writes and when:
//! - an argument with a write-only twin moves to it, with the twin's `_version` argument
//!   (`vault_kv_secret_v2.data_json` → `data_json_wo` + `data_json_wo_version`);
//! - `vault_generic_secret.data_json` (no twin) moves to `vault_kv_secret_v2`, the KV v2 path
//!   split into `mount` and `name`, and the old resource leaves state without being destroyed.

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;

use super::refs;
use super::requirements::{self, Need};
use super::text::{self, Edit};
use super::{FixCx, Proposal, Safety};
use crate::hcl::Item;
use crate::oauth::version::Version;
use crate::types::Finding;

/// Write-only arguments need Terraform 1.11.
const WRITE_ONLY_TERRAFORM: Version = Version(1, 11, 0);

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some(attr) = f.attribute.as_deref() else {
        return Vec::new();
    };
    let Some((m, item)) = cx.item(f) else {
        return Vec::new();
    };
    let rtype = item.rtype.as_str();
    // The OAuth client's `client_secret` is TFG043's: removing it is the fix.
    if cx
        .oauth()
        .is_some_and(|d| d.resource() == rtype && attr == "client_secret")
    {
        return Vec::new();
    }
    if item.kind != crate::hcl::ItemKind::Resource || attr.contains(['.', '[']) {
        return vec![manual(f)];
    }
    let twin = format!("{attr}_wo");
    if cx.prep.policy.is_write_only(rtype, &twin) {
        return to_twin(cx, m, item, attr, &twin, f);
    }
    if rtype == "vault_generic_secret" && attr == "data_json" {
        return generic_to_kv2(cx, m, item, f);
    }
    vec![manual(f)]
}

fn manual(f: &Finding) -> Proposal {
    Proposal::manual(
        "TFG010",
        format!(
            "keep the secret out of {}.{}",
            f.address.as_deref().unwrap_or("the resource"),
            f.attribute.as_deref().unwrap_or("")
        ),
        f.remediation.clone(),
    )
}

/// The provider a write-only argument needs, from the catalogue entry.
fn twin_need(cx: &FixCx<'_>, rtype: &str, twin: &str) -> Option<Need> {
    cx.prep
        .policy
        .all_write_only()
        .find(|w| w.resource == rtype && w.arguments.iter().any(|a| a == twin))
        .and_then(|w| Need::from_constraint(&w.provider, &w.versions))
}

fn to_twin(
    cx: &FixCx<'_>,
    m: &crate::hcl::Module,
    item: &Item<'_>,
    attr: &str,
    twin: &str,
    f: &Finding,
) -> Vec<Proposal> {
    let Some(body) = item.body() else {
        return Vec::new();
    };
    let Some(a) = body.get_attribute(attr) else {
        return Vec::new();
    };
    if body.get_attribute(twin).is_some() {
        return vec![manual(f)];
    }
    let file = item.file;
    let version_arg = format!("{twin}_version");
    let mut edits: Vec<Edit> = text::rename_key(file, a, twin).into_iter().collect();
    edits.extend(text::insert_after_attr(
        file,
        a,
        &[format!(
            "{version_arg} = 1 # bump to write a new value: write-only arguments are never compared with state"
        )],
    ));
    let mut needs = vec![Need::terraform(WRITE_ONLY_TERRAFORM)];
    needs.extend(twin_need(cx, &item.rtype, twin));
    edits.extend(requirements::require_all(m, file, &needs));
    vec![Proposal {
        rule_id: "TFG010",
        title: format!("{}.{attr} → write-only `{twin}`", item.address),
        safety: Safety::Unsafe,
        why: format!(
            "`{twin}` is sent to the provider and never stored in state. Terraform writes it only when `{version_arg}` changes: bump it to write a new value. Needs {}.",
            requirements::describe(&needs)
        ),
        edits,
    }]
}

fn generic_to_kv2(
    cx: &FixCx<'_>,
    m: &crate::hcl::Module,
    item: &Item<'_>,
    f: &Finding,
) -> Vec<Proposal> {
    let (Some(block), Some(body)) = (item.block, item.body()) else {
        return Vec::new();
    };
    let file = item.file;
    let (Some(path_attr), Some(data)) =
        (body.get_attribute("path"), body.get_attribute("data_json"))
    else {
        return vec![manual(f)];
    };
    let Expression::String(path) = &path_attr.value else {
        return vec![manual(f)];
    };
    // Only a KV v2 path (`<mount>/data/<name>`) maps to `vault_kv_secret_v2`.
    let dest = crate::oauth::clients::split_generic_path(path.value());
    let Some(mount) = dest.mount else {
        return vec![manual(f)];
    };
    // Uses of the old resource: `path` and `id` carry over; its data does not (write-only).
    let uses = refs::uses(&cx.prep.policy, m, "vault_generic_secret", &item.name);
    let mut ref_edits = Vec::new();
    for u in &uses {
        // `.db.path` → `path` (an indexed reference, `.db[0].path`, stays manual).
        let after = &u.file.src[u.root.end..u.range.end];
        let attr = after.split(['.', '[']).nth(2).unwrap_or("");
        if !matches!(attr, "path" | "id") || u.file.lines.is_mapped() {
            return vec![Proposal::manual(
                "TFG010",
                format!("move {} to vault_kv_secret_v2", item.address),
                format!(
                    "{} (not done mechanically: `{}` reads the secret back from the resource; after the move it is write-only, so read it with `ephemeral \"vault_kv_secret_v2\"` instead)",
                    f.remediation,
                    &u.file.src[u.range.clone()]
                ),
            )];
        }
        ref_edits.push(Edit {
            path: u.file.path.clone(),
            range: u.root.clone(),
            text: "vault_kv_secret_v2".into(),
        });
    }
    let (Some(label), Some(path_range)) = (block.labels.first(), text::attr_range(path_attr))
    else {
        return Vec::new();
    };
    let Some(label_range) = label.span() else {
        return Vec::new();
    };
    let indent = text::indent_at(&file.src, path_range.start);
    let mut edits = vec![
        Edit::new(file, label_range, "\"vault_kv_secret_v2\""),
        Edit::new(
            file,
            path_range,
            format!(
                "mount = {}\n{indent}name  = {}",
                text::quote(&mount),
                text::quote(&dest.path)
            ),
        ),
    ];
    edits.extend(text::rename_key(file, data, "data_json_wo"));
    edits.extend(text::insert_after_attr(
        file,
        data,
        &["data_json_wo_version = 1 # bump to write a new value: write-only arguments are never compared with state".to_string()],
    ));
    edits.extend(text::insert_after_block(
        file,
        block,
        &format!(
            "# {} moved to vault_kv_secret_v2: forget it without deleting the secret in Vault.\nremoved {{\n  from = {}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}",
            item.address, item.address
        ),
    ));
    edits.extend(ref_edits);
    let mut needs = vec![Need::terraform(WRITE_ONLY_TERRAFORM)];
    needs.extend(twin_need(cx, "vault_kv_secret_v2", "data_json_wo"));
    edits.extend(requirements::require_all(m, file, &needs));
    vec![Proposal {
        rule_id: "TFG010",
        title: format!(
            "{} → vault_kv_secret_v2 with write-only `data_json_wo`",
            item.address
        ),
        safety: Safety::Unsafe,
        why: format!(
            "`vault_generic_secret` has no write-only argument, so its `data_json` is always in state. `vault_kv_secret_v2` writes the same KV v2 secret (mount `{mount}`, name `{}`) through `data_json_wo`, which is never stored; a `removed` block drops the old resource from state without deleting the secret. Bump `data_json_wo_version` to write a new value. Needs {}.",
            dest.path,
            requirements::describe(&needs)
        ),
        edits,
    }]
}
