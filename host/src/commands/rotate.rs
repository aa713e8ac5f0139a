//! `tfguard rotate CLIENT`: regenerate a client's secret through the API and store the new
//! version in Vault (check-and-set), then verify the state.

use crate::cli::provision::RotateArgs;
use crate::error::{Error, Result};
use crate::genesys;
use crate::provision::apply::{self, Effects};
use crate::provision::{self, lock, state::State};
use crate::vault;

pub fn run(a: &RotateArgs) -> Result<u8> {
    let v = vault::Client::connect(&a.common.vault).map_err(|e| Error::Other(e.to_string()))?;
    let p = match provision::prepare_with(&a.common, Some(&v), false)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let g = genesys::Client::from_env().map_err(|e| Error::Other(e.to_string()))?;
    let _lock = lock::acquire(&p.state_path, "rotate")?;
    let mut st = State::load(&p.state_path, p.codec())?;
    let wanted = a.client.as_str();
    let matches: Vec<String> = st
        .records
        .values()
        .filter(|r| r.address == wanted || r.resource.name == wanted || r.config.name == wanted)
        .map(|r| r.address.clone())
        .collect();
    let address = match matches.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Error::Usage(format!(
                "no client `{wanted}` in {} (known: {})",
                st.path.display(),
                st.records.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        many => {
            return Err(Error::Usage(format!(
                "`{wanted}` matches several clients ({}); give the full address",
                many.join(", ")
            )));
        }
    };
    // The destination comes from the configuration when it still declares the client.
    let (mount, path) = match p.desired.iter().find(|d| d.address == address) {
        Some(d) => (d.vault_mount.clone(), d.vault_path.clone()),
        None => {
            let r = &st.records[&address];
            (r.vault_mount.clone(), r.vault_path.clone())
        }
    };
    let fx = Effects {
        genesys: &g,
        vault: &v,
    };
    let mut out = std::io::stdout();
    apply::rotate(&fx, &mut st, &address, &mount, &path, &mut out)?;
    provision::verify(&p, &st, &v, &mut out)?;
    Ok(0)
}
