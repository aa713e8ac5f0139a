//! `tfguard apply`: gate, plan, confirm, then per change intent → Genesys → Vault → state,
//! and verify the written state.

use crate::cli::provision::ApplyArgs;
use crate::error::{Error, Result};
use crate::genesys;
use crate::provision::apply::{self, Effects};
use crate::provision::{self, lock, plan, state::State};
use crate::vault;

pub fn run(a: &ApplyArgs) -> Result<u8> {
    let v = vault::Client::connect(&a.common.vault).map_err(|e| Error::Other(e.to_string()))?;
    let p = match provision::prepare(&a.common, Some(&v))? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let g = genesys::Client::from_env().map_err(|e| Error::Other(e.to_string()))?;
    let _lock = lock::acquire(&p.state_path, "apply")?;
    let mut st = State::load(&p.state_path, p.codec())?;
    let fx = Effects {
        genesys: &g,
        vault: &v,
    };
    let pl = plan::compute(&p.desired, &st.records, &fx)?;
    let secrets = apply::stored_secrets(&v, &st).unwrap_or_default();
    print!("{}", provision::redact(plan::render(&pl), &secrets));
    drop(secrets);
    let mut out = std::io::stdout();
    if pl.has_changes() {
        if !provision::confirm("perform these actions", a.auto_approve)? {
            println!("Apply cancelled.");
            return Ok(1);
        }
        println!();
        apply::execute(&fx, &mut st, &pl, &mut out)?;
        let (add, change, destroy) = pl.counts();
        println!(
            "\nApply complete! Resources: {add} added, {change} changed, {destroy} destroyed."
        );
    } else if !st.path.exists() {
        // Nothing to do and nothing recorded yet: still leave a valid (empty) state behind.
        st.save()?;
    }
    provision::verify(&p, &st, &v, &mut out)?;
    Ok(0)
}
