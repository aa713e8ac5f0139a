//! Carrying out a plan: per change, intent recorded → Genesys → Vault (check-and-set) → state.
//!
//! Never lose, never leak: the secret exists only in memory (`SecretString`) between the API
//! response and the Vault write; the state is saved after every step, so a crash at any point
//! is recovered by the next run (see `state.rs`); Vault writes are retried with backoff.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Duration;

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::genesys::{self, GenesysError, OAuthClient};
use crate::secret;
use crate::vault::{self, VaultError};

use super::plan::{self, Action, Change, Plan, World};
use super::state::{self, Record, Recorded, State};

/// Test-only hook: when set to a file path, `apply` writes that file right after the Genesys
/// API returned a created client's secret, then waits to be killed, so the tests can
/// `kill -9` the process between create and store. Never set it outside tests.
pub const ENV_TEST_PAUSE_AFTER_CREATE: &str = "TFGUARD_TEST_PAUSE_AFTER_CREATE";

/// Vault writes: attempts and the first backoff (doubling, jittered).
const VAULT_ATTEMPTS: u32 = 6;
const VAULT_BACKOFF: Duration = Duration::from_millis(500);
/// Creates retried after an unanswered attempt that provably created nothing.
const CREATE_ATTEMPTS: u32 = 4;

pub struct Effects<'a> {
    pub genesys: &'a genesys::Client,
    pub vault: &'a vault::Client,
}

impl World for Effects<'_> {
    fn get_client(&self, id: &str) -> std::result::Result<Option<OAuthClient>, GenesysError> {
        self.genesys.get_client(id)
    }
    fn vault_version(&self, mount: &str, path: &str) -> Result<Option<u64>> {
        self.vault
            .current_version(mount, path)
            .map_err(|e| Error::Other(e.to_string()))
    }
}

fn say(out: &mut dyn Write, line: impl AsRef<str>) {
    let _ = writeln!(out, "{}", line.as_ref());
    let _ = out.flush();
}

fn gerr(e: GenesysError) -> Error {
    Error::Other(e.to_string())
}

/// Store `{client_id, client_secret}` at mount/path with check-and-set, retrying transient
/// failures with jittered backoff. A CAS conflict (someone wrote in between) is retried
/// against the new version: the secret we hold is the only valid one now, so it must land.
pub fn store(
    v: &vault::Client,
    mount: &str,
    path: &str,
    client_id: &str,
    secret: &SecretString,
) -> std::result::Result<u64, VaultError> {
    let data = BTreeMap::from([
        ("client_id".to_string(), SecretString::from(client_id)),
        (
            "client_secret".to_string(),
            SecretString::from(secrecy::ExposeSecret::expose_secret(secret)),
        ),
    ]);
    let mut attempt = 0u32;
    loop {
        let res = v
            .current_version(mount, path)
            .and_then(|cur| v.write_kv2(mount, path, &data, cur.unwrap_or(0)));
        match res {
            Ok(version) => return Ok(version),
            Err(e)
                if (e.is_transient() || matches!(e, VaultError::CasMismatch { .. }))
                    && attempt + 1 < VAULT_ATTEMPTS =>
            {
                let exp = VAULT_BACKOFF.saturating_mul(1 << attempt.min(10));
                std::thread::sleep(exp.mul_f64(0.5 + fastrand::f64() * 0.5));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn pause_hook(out: &mut dyn Write) {
    let Ok(file) = std::env::var(ENV_TEST_PAUSE_AFTER_CREATE) else {
        return;
    };
    if file.is_empty() {
        return;
    }
    say(
        out,
        "(test hook: paused after create; waiting to be killed)",
    );
    let _ = std::fs::write(&file, b"created\n");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Clients named `name` that no state record owns: the candidates for an orphan.
fn orphans(g: &genesys::Client, name: &str, st: &State) -> Result<Vec<OAuthClient>> {
    let owned: BTreeSet<&str> = st
        .records
        .values()
        .filter_map(|r| r.client_id.as_deref())
        .collect();
    Ok(g.list_clients()
        .map_err(gerr)?
        .into_iter()
        .filter(|c| c.name == name && !owned.contains(c.id.as_str()) && c.state != "deleted")
        .collect())
}

fn adopt(
    g: &genesys::Client,
    name: &str,
    st: &State,
    address: &str,
) -> Result<Option<OAuthClient>> {
    let mut found = orphans(g, name, st)?;
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(Error::Other(format!(
            "{address}: an interrupted create left {} clients named \"{name}\" that tfguard does not own ({}); tfguard will not guess which one is its own. Delete the extras in Genesys Cloud (Admin > OAuth), then run apply again.",
            found.len(),
            found
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Regenerate (or take the fresh) secret of `client`, store it, and record the state.
fn secure(
    fx: &Effects<'_>,
    st: &mut State,
    rec: &mut Record,
    secret: SecretString,
    out: &mut dyn Write,
) -> Result<()> {
    let id = rec.client_id.clone().unwrap_or_default();
    let version = store(fx.vault, &rec.vault_mount, &rec.vault_path, &id, &secret).map_err(|e| {
        Error::Other(format!(
            "{}: client {id} is ready but its secret could not be stored in Vault at {}/{}: {e}\n  Nothing is lost: the intent is recorded in {}. Run `tfguard apply` again once Vault works; it regenerates the secret and stores it (the secret just issued is discarded, never written anywhere).",
            rec.address,
            rec.vault_mount,
            rec.vault_path,
            st.path.display()
        ))
    })?;
    drop(secret);
    rec.vault_version = Some(version);
    rec.intent = None;
    st.records.insert(rec.address.clone(), rec.clone());
    st.save()?;
    say(
        out,
        format!(
            "{}: secret stored in Vault {}/{} (version {version})",
            rec.address, rec.vault_mount, rec.vault_path
        ),
    );
    Ok(())
}

fn create(
    fx: &Effects<'_>,
    st: &mut State,
    c: &Change,
    cfg: &Recorded,
    out: &mut dyn Write,
) -> Result<()> {
    let mut rec = Record {
        address: c.address.clone(),
        resource: c.resource.clone(),
        client_id: None,
        config: cfg.clone(),
        vault_mount: c.vault_mount.clone(),
        vault_path: c.vault_path.clone(),
        vault_version: c.record.as_ref().and_then(|r| r.vault_version),
        intent: Some(state::intent("create", &cfg.name)),
    };
    st.records.insert(rec.address.clone(), rec.clone());
    st.save()?;
    say(out, format!("{}: Creating...", c.address));
    let req = plan::request(cfg);
    let mut attempt = 0u32;
    let (client, secret) = loop {
        match fx.genesys.create_client(&req, &c.address) {
            Ok(x) => break x,
            Err(GenesysError::OutcomeUnknown { .. }) if attempt < CREATE_ATTEMPTS => {
                // No answer: the client may exist. Find it instead of creating a second one.
                say(
                    out,
                    format!(
                        "{}: no answer to the create; looking for the client by name",
                        c.address
                    ),
                );
                if let Some(found) = adopt(fx.genesys, &cfg.name, st, &c.address)? {
                    let s = fx
                        .genesys
                        .regenerate_secret(&found.id, &c.address)
                        .map_err(gerr)?;
                    break (found, s);
                }
                attempt += 1;
                let w = fx.genesys.retry.backoff(attempt);
                std::thread::sleep(w);
            }
            Err(e @ GenesysError::OutcomeUnknown { .. }) => {
                // Still no answer: keep the intent, so the next run adopts the client if the
                // create did happen after all.
                return Err(Error::Other(format!(
                    "{e}\n  The intent is recorded in {}; run `tfguard apply` again: it finds the client if it was created, and never creates a second one.",
                    st.path.display()
                )));
            }
            Err(e) => {
                // The create certainly failed: drop the intent, restoring what was there.
                match &c.record {
                    Some(prev) => st.records.insert(prev.address.clone(), prev.clone()),
                    None => st.records.remove(&c.address),
                };
                st.save()?;
                return Err(gerr(e));
            }
        }
    };
    pause_hook(out);
    rec.client_id = Some(client.id.clone());
    st.records.insert(rec.address.clone(), rec.clone());
    st.save()?;
    say(
        out,
        format!("{}: Creation complete [id={}]", c.address, client.id),
    );
    secure(fx, st, &mut rec, secret, out)
}

fn recover(
    fx: &Effects<'_>,
    st: &mut State,
    c: &Change,
    cfg: &Recorded,
    out: &mut dyn Write,
) -> Result<()> {
    let Some(prev) = c.record.clone() else {
        return create(fx, st, c, cfg, out);
    };
    let name = prev
        .intent
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_else(|| prev.config.name.clone());
    let live = match &prev.client_id {
        Some(id) => fx.genesys.get_client(id).map_err(gerr)?,
        None => adopt(fx.genesys, &name, st, &c.address)?,
    };
    let Some(live) = live else {
        say(
            out,
            format!(
                "{}: the interrupted create never reached Genesys Cloud; creating",
                c.address
            ),
        );
        return create(fx, st, c, cfg, out);
    };
    say(
        out,
        format!(
            "{}: Recovering client {} (regenerating its secret)...",
            c.address, live.id
        ),
    );
    let mut rec = Record {
        address: c.address.clone(),
        resource: c.resource.clone(),
        client_id: Some(live.id.clone()),
        config: plan::recorded_from_live(&live),
        vault_mount: c.vault_mount.clone(),
        vault_path: c.vault_path.clone(),
        vault_version: prev.vault_version,
        intent: prev
            .intent
            .clone()
            .or_else(|| Some(state::intent("rotate", &name))),
    };
    st.records.insert(rec.address.clone(), rec.clone());
    st.save()?;
    if !plan::diff(&rec.config, cfg).is_empty() {
        fx.genesys
            .update_client(&live.id, &plan::request(cfg), &c.address)
            .map_err(gerr)?;
        rec.config = cfg.clone();
    }
    let secret = fx
        .genesys
        .regenerate_secret(&live.id, &c.address)
        .map_err(gerr)?;
    secure(fx, st, &mut rec, secret, out)
}

/// `rotate` and `Restore`: a new secret for an existing client, stored in Vault.
pub fn rotate(
    fx: &Effects<'_>,
    st: &mut State,
    address: &str,
    mount: &str,
    path: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let Some(mut rec) = st.records.get(address).cloned() else {
        return Err(Error::Usage(format!(
            "{address} is not in {}",
            st.path.display()
        )));
    };
    let Some(id) = rec.client_id.clone() else {
        return Err(Error::Usage(format!(
            "{address} has no client id recorded (an interrupted create): run `tfguard apply` to recover it"
        )));
    };
    rec.vault_mount = mount.into();
    rec.vault_path = path.into();
    rec.intent = Some(state::intent("rotate", &rec.config.name));
    st.records.insert(address.into(), rec.clone());
    st.save()?;
    say(
        out,
        format!("{address}: Regenerating the secret of client {id}..."),
    );
    let secret = fx.genesys.regenerate_secret(&id, address).map_err(gerr)?;
    secure(fx, st, &mut rec, secret, out)
}

pub fn destroy_one(
    fx: &Effects<'_>,
    st: &mut State,
    c: &Change,
    out: &mut dyn Write,
) -> Result<()> {
    say(out, format!("{}: Destroying...", c.address));
    let live = match (
        &c.live,
        c.record.as_ref().and_then(|r| r.client_id.as_deref()),
    ) {
        (Some(l), _) => Some(l.clone()),
        (None, Some(id)) => fx.genesys.get_client(id).map_err(gerr)?,
        // An interrupted create never recorded the id: find the orphan so it goes too.
        (None, None) => match c.record.as_ref().and_then(|r| r.intent.as_ref()) {
            Some(i) => adopt(fx.genesys, &i.name, st, &c.address)?,
            None => None,
        },
    };
    if let Some(l) = &live {
        fx.genesys.delete_client(l, &c.address).map_err(gerr)?;
    }
    if !c.vault_path.is_empty() {
        fx.vault
            .destroy_all(&c.vault_mount, &c.vault_path)
            .map_err(|e| Error::Other(format!("{}: {e}", c.address)))?;
    }
    st.records.remove(&c.address);
    st.save()?;
    say(
        out,
        format!(
            "{}: Destruction complete (client {} deleted; Vault {}/{} destroyed, all versions)",
            c.address,
            live.map(|l| l.id).unwrap_or_else(|| "already gone".into()),
            c.vault_mount,
            c.vault_path
        ),
    );
    Ok(())
}

/// Apply every change in order; stops at the first failure (the state records what was done).
pub fn execute(fx: &Effects<'_>, st: &mut State, plan: &Plan, out: &mut dyn Write) -> Result<()> {
    for c in &plan.changes {
        match (&c.action, &c.desired) {
            (Action::NoOp, _) => {}
            (Action::Create, Some(cfg)) => create(fx, st, c, cfg, out)?,
            (Action::Recover, Some(cfg)) => recover(fx, st, c, cfg, out)?,
            (Action::Restore, Some(_)) => {
                rotate(fx, st, &c.address, &c.vault_mount, &c.vault_path, out)?
            }
            (Action::Update(_), Some(cfg)) => {
                let Some(mut rec) = c.record.clone() else {
                    continue;
                };
                let id = rec.client_id.clone().unwrap_or_default();
                say(out, format!("{}: Modifying... [id={id}]", c.address));
                fx.genesys
                    .update_client(&id, &plan::request(cfg), &c.address)
                    .map_err(gerr)?;
                rec.config = cfg.clone();
                st.records.insert(rec.address.clone(), rec);
                st.save()?;
                say(
                    out,
                    format!("{}: Modifications complete [id={id}]", c.address),
                );
            }
            (Action::Delete, _) => destroy_one(fx, st, c, out)?,
            (_, None) => {}
        }
    }
    Ok(())
}

/// The stored secrets of every recorded client, read back from Vault, for the verification:
/// label `mount/path#client_secret`.
pub fn stored_secrets(v: &vault::Client, st: &State) -> Result<Vec<(String, SecretString)>> {
    let mut out = Vec::new();
    for r in st.records.values() {
        if r.vault_path.is_empty() || r.intent.is_some() {
            continue;
        }
        match v.read_kv2(&r.vault_mount, &r.vault_path) {
            Ok(s) => {
                if let Some(val) = s.get("client_secret") {
                    out.push((
                        format!("{}/{}#client_secret", r.vault_mount, r.vault_path),
                        SecretString::from(secrecy::ExposeSecret::expose_secret(val)),
                    ));
                }
            }
            Err(VaultError::NotFound { .. }) => {}
            Err(e) => return Err(Error::Other(format!("verification: {e}"))),
        }
    }
    Ok(out)
}

/// Defence in depth next to the guest's cross-check: the raw bytes of the state must not
/// contain any stored secret in any encoding.
pub fn host_search(bytes: &[u8], secrets: &[(String, SecretString)]) -> Vec<String> {
    secret::labels_in(bytes, secrets)
        .into_iter()
        .map(str::to_string)
        .collect()
}
