//! Policy packs: the defaults from `policies/default/` are compiled in, so the binary works on
//! its own; `.tfguard.hcl` can add packs (TOML files) that extend or override them.

use std::path::Path;

use crate::error::{Error, Result};
use crate::runtime::wit::PolicyPack;

/// Built-in packs, in load order.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "default/secrets.toml",
        include_str!("../../policies/default/secrets.toml"),
    ),
    (
        "default/flows.toml",
        include_str!("../../policies/default/flows.toml"),
    ),
    (
        "default/oauth.toml",
        include_str!("../../policies/default/oauth.toml"),
    ),
];

pub fn load(extra: &[impl AsRef<Path>]) -> Result<Vec<PolicyPack>> {
    let mut packs: Vec<PolicyPack> = BUILTIN
        .iter()
        .map(|(name, contents)| PolicyPack {
            name: format!("builtin:{name}"),
            contents: (*contents).to_string(),
        })
        .collect();
    for p in extra {
        let p = p.as_ref();
        let contents = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
        packs.push(PolicyPack {
            name: p.display().to_string(),
            contents,
        });
    }
    Ok(packs)
}
