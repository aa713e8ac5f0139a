//! `tfguard destroy`: delete every recorded client (set inactive, then DELETE, as the provider
//! does) and its Vault secret, all versions. Asks first.

use crate::cli::provision::ApplyArgs;
use crate::error::{Error, Result};
use crate::genesys;
use crate::provision::apply::{self, Effects};
use crate::provision::plan::{self, Plan};
use crate::provision::{lock, state};
use crate::vault;

pub fn run(a: &ApplyArgs) -> Result<u8> {
    let v = vault::Client::connect(&a.common.vault).map_err(|e| Error::Other(e.to_string()))?;
    let g = genesys::Client::from_env().map_err(|e| Error::Other(e.to_string()))?;
    let path = crate::provision::state_path(&a.common);
    let _lock = lock::acquire(&path, "destroy")?;
    let mut st = state::State::load(&path, crate::provision::codec_for(&a.common)?)?;
    let fx = Effects {
        genesys: &g,
        vault: &v,
    };
    // Destroy = a plan in which nothing is desired.
    let pl: Plan = plan::compute(&[], &st.records, &fx)?;
    if !pl.has_changes() {
        println!(
            "No clients recorded in {}; nothing to destroy.",
            path.display()
        );
        return Ok(0);
    }
    let secrets = apply::stored_secrets(&v, &st).unwrap_or_default();
    print!("{}", crate::provision::redact(plan::render(&pl), &secrets));
    drop(secrets);
    if !crate::provision::confirm(
        "destroy these clients and their Vault secrets",
        a.auto_approve,
    )? {
        println!("Destroy cancelled.");
        return Ok(1);
    }
    println!();
    let mut out = std::io::stdout();
    apply::execute(&fx, &mut st, &pl, &mut out)?;
    println!(
        "\nDestroy complete! Resources: {} destroyed.",
        pl.counts().2
    );
    Ok(0)
}
