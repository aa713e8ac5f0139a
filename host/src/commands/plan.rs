//! `tfguard plan`: what `apply` would do, per client, against the recorded state and the live
//! API (drift). Changes nothing, and takes no lock.

use crate::cli::provision::ProvisionArgs;
use crate::error::{Error, Result};
use crate::genesys;
use crate::provision::apply::{self, Effects};
use crate::provision::{self, plan, state::State};
use crate::vault;

pub fn run(a: &ProvisionArgs) -> Result<u8> {
    let v = vault::Client::connect(&a.vault).map_err(|e| Error::Other(e.to_string()))?;
    let p = match provision::prepare(a, Some(&v))? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let g = genesys::Client::from_env().map_err(|e| Error::Other(e.to_string()))?;
    let st = State::load(&p.state_path, p.codec())?;
    let fx = Effects {
        genesys: &g,
        vault: &v,
    };
    let pl = plan::compute(&p.desired, &st.records, &fx)?;
    // Best effort: with Vault unreachable the plan above already failed or shows the restore.
    let secrets = apply::stored_secrets(&v, &st).unwrap_or_default();
    print!("{}", provision::redact(plan::render(&pl), &secrets));
    Ok(0)
}
