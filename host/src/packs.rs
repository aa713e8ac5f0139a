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
    // After the hand-written catalogue, whose entries take precedence (first match wins).
    (
        "default/secrets-generated.toml",
        include_str!("../../policies/default/secrets-generated.toml"),
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

/// Cap on one policy pack (a generated catalogue is a few MiB).
pub const MAX_PACK_SIZE: u64 = 64 << 20;

/// The built-in packs, then `extra` (paths from the config file at `config`). Extra packs must
/// be files of the config file's tree: the config is in the checked tree, so whoever writes it
/// could otherwise name any file of the machine.
pub fn load(extra: &[impl AsRef<Path>], config: Option<&Path>) -> Result<Vec<PolicyPack>> {
    let mut packs: Vec<PolicyPack> = BUILTIN
        .iter()
        .map(|(name, contents)| PolicyPack {
            name: format!("builtin:{name}"),
            contents: (*contents).to_string(),
        })
        .collect();
    for p in extra {
        let p = p.as_ref();
        let tree = crate::discover::Tree::of(config.unwrap_or(p))?;
        let bytes = crate::discover::read_confined(&tree, p, MAX_PACK_SIZE)?;
        let contents = String::from_utf8(bytes)
            .map_err(|_| Error::Usage(format!("{}: policy pack is not UTF-8", p.display())))?;
        packs.push(PolicyPack {
            name: p.display().to_string(),
            contents,
        });
    }
    Ok(packs)
}

/// The guest's settings for a config: its packs and rule options (no secrets: those are
/// added by the commands that read Vault).
pub fn settings(cfg: &crate::config::Config) -> Result<crate::runtime::wit::Settings> {
    Ok(crate::runtime::wit::Settings {
        packs: load(&cfg.pack_paths(), cfg.path.as_deref())?,
        options_json: cfg.options_json(),
        known_secrets: Vec::new(),
    })
}
