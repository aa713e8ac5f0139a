//! `tfguard.tfstate`: what `tfguard apply` provisioned. The format (Terraform's state v4, so
//! `terraform show`, `jq` scripts and tfguard's own gate read it) is the guest's to read and
//! write (`read-ledger`, `write-ledger`); this module owns the file and tfguard's bookkeeping,
//! which the guest keeps opaque in each instance's `private` field. **The secret is never
//! written here**: no record carries one.
//!
//! The intent record: before a create, the client's instance is written with
//! `status: "tainted"` (Terraform's mark for a resource whose create may be incomplete) and an
//! `intent` in `private`. It is cleared only once the secret is in Vault. A run that finds it
//! recovers: it adopts the created client (by recorded id, else by name) and regenerates its
//! secret, and never creates a second client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::genesys::RoleDivision;
use crate::runtime::Runtime;
use crate::runtime::wit::{self, ResourceAddress, Settings};

pub const FILE_NAME: &str = "tfguard.tfstate";

/// The configuration recorded for a client (what was last applied).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub name: String,
    pub description: Option<String>,
    pub access_token_validity_seconds: u32,
    pub registered_redirect_uris: Vec<String>,
    pub authorized_grant_type: String,
    pub scopes: Vec<String>,
    pub roles: Vec<RoleDivision>,
    pub state: String,
}

/// A create or secret rotation in flight (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// `create` or `rotate`.
    pub op: String,
    /// The client's name at the time, to find an orphan whose id was never recorded.
    pub name: String,
    /// Unix seconds when the intent was recorded.
    pub since: u64,
}

/// Everything tfguard knows about one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub address: String,
    /// The address in parts, from the guest (the host never splits one).
    pub resource: ResourceAddress,
    pub client_id: Option<String>,
    pub config: Recorded,
    pub vault_mount: String,
    pub vault_path: String,
    pub vault_version: Option<u64>,
    pub intent: Option<Intent>,
}

/// tfguard's bookkeeping per client, in the instance's `private` field.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Private {
    #[serde(default)]
    vault_mount: String,
    #[serde(default)]
    vault_path: String,
    #[serde(default)]
    vault_version: Option<u64>,
    #[serde(default)]
    intent: Option<Intent>,
}

/// The guest that reads and writes the format, with the settings that name the client's
/// resource type (the oauth pack).
#[derive(Clone)]
pub struct Codec {
    rt: Rc<Runtime>,
    settings: Settings,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Codec")
    }
}

impl Codec {
    pub fn new(rt: Rc<Runtime>, settings: &Settings) -> Codec {
        Codec {
            rt,
            settings: Settings {
                packs: settings.packs.clone(),
                options_json: settings.options_json.clone(),
                // Reading the file needs no secret: none is ever passed here.
                known_secrets: Vec::new(),
            },
        }
    }
}

#[derive(Debug)]
pub struct State {
    pub path: PathBuf,
    pub lineage: String,
    pub serial: u64,
    pub records: BTreeMap<String, Record>,
    codec: Codec,
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

pub fn intent(op: &str, name: &str) -> Intent {
    Intent {
        op: op.into(),
        name: name.into(),
        since: now_unix(),
    }
}

fn new_lineage() -> String {
    // A random (version 4, RFC 9562 variant) UUID; fastrand is enough: a lineage only has to
    // differ between states, it guards no secret.
    let mut b: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl State {
    pub fn empty(path: &Path, codec: Codec) -> State {
        State {
            path: path.to_path_buf(),
            lineage: new_lineage(),
            serial: 0,
            records: BTreeMap::new(),
            codec,
        }
    }

    /// Read the state, or an empty one when the file does not exist.
    pub fn load(path: &Path, codec: Codec) -> Result<State> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State::empty(path, codec));
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let ledger = codec
            .rt
            .read_ledger(&bytes, &codec.settings)?
            .map_err(|m| Error::Other(format!("{}: {m}", path.display())))?;
        let mut records = BTreeMap::new();
        for e in ledger.entries {
            // Older files and pending creates: the bookkeeping is the record of where the
            // secret goes; the vault instance (written once it is stored) backs it up.
            let private: Private = serde_json::from_slice(&e.private).unwrap_or_default();
            let c = e.client;
            let or = |own: String, theirs: Option<String>| {
                Some(own)
                    .filter(|s| !s.is_empty())
                    .or(theirs)
                    .unwrap_or_default()
            };
            records.insert(
                c.address.clone(),
                Record {
                    address: c.address,
                    resource: c.resource,
                    client_id: e.client_id,
                    config: Recorded {
                        name: c.name,
                        description: c.description,
                        access_token_validity_seconds: c.access_token_validity_seconds,
                        registered_redirect_uris: c.registered_redirect_uris,
                        authorized_grant_type: c.authorized_grant_type,
                        scopes: c.scopes,
                        roles: c
                            .roles
                            .into_iter()
                            .map(|r| RoleDivision {
                                role_id: r.role_id,
                                division_id: r.division_id.unwrap_or_default(),
                            })
                            .collect(),
                        state: c.state,
                    },
                    vault_mount: or(private.vault_mount, c.vault_mount),
                    vault_path: or(private.vault_path, c.vault_path),
                    vault_version: private.vault_version.or(e.vault_version),
                    intent: private.intent,
                },
            );
        }
        Ok(State {
            path: path.to_path_buf(),
            lineage: ledger.lineage,
            serial: ledger.serial,
            records,
            codec,
        })
    }

    fn ledger(&self) -> Result<wit::Ledger> {
        let mut entries = Vec::new();
        for rec in self.records.values() {
            let c = &rec.config;
            let private = Private {
                vault_mount: rec.vault_mount.clone(),
                vault_path: rec.vault_path.clone(),
                vault_version: rec.vault_version,
                intent: rec.intent.clone(),
            };
            entries.push(wit::LedgerEntry {
                client: wit::OauthClientSpec {
                    address: rec.address.clone(),
                    resource: rec.resource.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    authorized_grant_type: c.authorized_grant_type.clone(),
                    scopes: c.scopes.clone(),
                    registered_redirect_uris: c.registered_redirect_uris.clone(),
                    roles: c
                        .roles
                        .iter()
                        .map(|r| wit::RoleDivision {
                            role_id: r.role_id.clone(),
                            division_id: Some(r.division_id.clone()),
                        })
                        .collect(),
                    access_token_validity_seconds: c.access_token_validity_seconds,
                    state: c.state.clone(),
                    vault_mount: Some(rec.vault_mount.clone()),
                    vault_path: Some(rec.vault_path.clone()),
                },
                client_id: rec.client_id.clone(),
                vault_version: rec.vault_version,
                tainted: rec.intent.is_some(),
                private: serde_json::to_vec(&private)
                    .map_err(|e| Error::Other(format!("state: {e}")))?,
            });
        }
        Ok(wit::Ledger {
            lineage: self.lineage.clone(),
            serial: self.serial,
            entries,
        })
    }

    /// Write atomically (temp file, fsync, rename, fsync the directory), bumping the serial.
    /// Called after every step, so a crash leaves the last step recorded.
    pub fn save(&mut self) -> Result<()> {
        self.serial += 1;
        let bytes = self
            .codec
            .rt
            .write_ledger(&self.ledger()?)?
            .map_err(|m| Error::Other(format!("{}: {m}", self.path.display())))?;
        crate::atomic::write(&self.path, &bytes).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }

    /// The raw bytes on disk, for the verification step.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        std::fs::read(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn lineage_is_a_version_4_uuid() {
        for _ in 0..100 {
            let l = new_lineage();
            let parts: Vec<&str> = l.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{l}"
            );
            assert!(parts[2].starts_with('4'), "version nibble: {l}");
            assert!(
                matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
                "variant bits: {l}"
            );
        }
    }

    pub fn codec() -> Codec {
        let rt = Runtime::new(crate::runtime::Limits::default()).unwrap();
        let settings = Settings {
            packs: Vec::new(),
            options_json: "{}".into(),
            known_secrets: Vec::new(),
        };
        Codec::new(Rc::new(rt), &settings)
    }

    fn rec(module: Option<&str>, name: &str, key: Option<&str>) -> Record {
        let resource = ResourceAddress {
            module: module.map(str::to_string),
            resource_type: "genesyscloud_oauth_client".into(),
            name: name.into(),
            index_key: key.map(str::to_string),
        };
        let mut address = module.map(|m| format!("{m}.")).unwrap_or_default();
        address.push_str(&format!("genesyscloud_oauth_client.{name}"));
        if let Some(k) = key {
            address.push_str(&format!("[{k}]"));
        }
        Record {
            address,
            resource,
            client_id: Some("c-1".into()),
            config: Recorded {
                name: "App".into(),
                description: Some("d".into()),
                access_token_validity_seconds: 3600,
                registered_redirect_uris: vec!["https://app/cb".into()],
                authorized_grant_type: "CODE".into(),
                scopes: vec!["users:readonly".into()],
                roles: vec![],
                state: "active".into(),
            },
            vault_mount: "secret".into(),
            vault_path: format!("tfguard/{name}"),
            vault_version: Some(3),
            intent: None,
        }
    }

    #[test]
    fn round_trips_through_the_guest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut st = State::empty(&path, codec());
        // An index key holding `]`: the old host split addresses on `[` and broke on it.
        for r in [
            rec(None, "app", None),
            rec(Some("module.m"), "x", Some(r#""k]y""#)),
        ] {
            st.records.insert(r.address.clone(), r);
        }
        let mut pending = rec(None, "new", None);
        pending.client_id = None;
        pending.vault_version = None;
        pending.intent = Some(intent("create", "New"));
        st.records.insert(pending.address.clone(), pending);
        st.save().unwrap();
        let back = State::load(&path, codec()).unwrap();
        assert_eq!(back.serial, 1);
        assert_eq!(back.lineage, st.lineage);
        assert_eq!(back.records, st.records);
        let v: Value = serde_json::from_slice(&st.bytes().unwrap()).unwrap();
        assert_eq!(v["version"], 4);
        let res = v["resources"].as_array().unwrap();
        assert!(
            res.iter()
                .any(|r| r["module"] == "module.m" && r["type"] == "vault_kv_secret_v2")
        );
        let tainted = res
            .iter()
            .flat_map(|r| r["instances"].as_array().unwrap())
            .filter(|i| i["status"] == "tainted")
            .count();
        assert_eq!(tainted, 1);
    }

    #[test]
    fn a_file_that_is_not_a_v4_state_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, br#"{"version": 3}"#).unwrap();
        let e = State::load(&path, codec()).unwrap_err().to_string();
        assert!(e.contains(FILE_NAME) && e.contains("v4"), "{e}");
    }
}
