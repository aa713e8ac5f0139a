//! Policy packs: the defaults from `policies/default/` are compiled into the guest, so the
//! binary works on its own; `.tfguard.hcl` can add packs (TOML files) that extend or override
//! them, read here and sent in the settings.

use std::path::Path;

use crate::error::{Error, Result};
use crate::runtime::wit::PolicyPack;

/// Cap on one policy pack (a generated catalogue is a few MiB).
pub const MAX_PACK_SIZE: u64 = 64 << 20;

/// The packs at `extra` (paths from the config file at `config`), which load after the
/// built-in ones. They must be files of the config file's tree: the config is in the checked
/// tree, so whoever writes it could otherwise name any file of the machine.
pub fn load(extra: &[impl AsRef<Path>], config: Option<&Path>) -> Result<Vec<PolicyPack>> {
    let mut packs: Vec<PolicyPack> = Vec::new();
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
