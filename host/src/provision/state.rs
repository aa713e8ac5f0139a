//! `tfguard.tfstate`: what `tfguard apply` provisioned, in Terraform's state format v4
//! (facts/terraform-state.md §1) so `terraform show`, `jq` scripts and tfguard's own gate
//! read it.
//!
//! Per client it holds a `genesyscloud_oauth_client` instance (id, `client_id` and the
//! configuration; `client_secret` is always `""`, as the provider writes it without
//! `expose_client_secret`) and a `vault_kv_secret_v2` instance naming where the secret lives and
//! its version. tfguard's own bookkeeping goes in the instance's `private` field (base64 JSON),
//! which is what v4 reserves for provider-private data. **The secret is never written here.**
//!
//! The intent record: before a create, the client's instance is written with
//! `status: "tainted"` (Terraform's mark for a resource whose create may be incomplete) and an
//! `intent` in `private`. It is cleared only once the secret is in Vault. A run that finds it
//! recovers: it adopts the created client (by recorded id, else by name) and regenerates its
//! secret, and never creates a second client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::genesys::RoleDivision;

pub const FILE_NAME: &str = "tfguard.tfstate";
const CLIENT_TYPE: &str = "genesyscloud_oauth_client";
const VAULT_TYPE: &str = "vault_kv_secret_v2";
const GENESYS_PROVIDER: &str = "provider[\"registry.terraform.io/mypurecloud/genesyscloud\"]";
const VAULT_PROVIDER: &str = "provider[\"registry.terraform.io/hashicorp/vault\"]";
/// The Terraform version the file claims to be written by: the first with write-only
/// arguments, which is how the example passes the secret to Vault.
const TERRAFORM_VERSION: &str = "1.11.0";

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
    pub client_id: Option<String>,
    pub config: Recorded,
    pub vault_mount: String,
    pub vault_path: String,
    pub vault_version: Option<u64>,
    pub intent: Option<Intent>,
}

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

#[derive(Debug)]
pub struct State {
    pub path: PathBuf,
    pub lineage: String,
    pub serial: u64,
    pub records: BTreeMap<String, Record>,
}

/// `module.a.genesyscloud_oauth_client.x["k"]` → (module, name, index key).
fn split_address(address: &str) -> (Option<String>, String, Option<Value>) {
    let (module, rest) = match address.rfind(&format!("{CLIENT_TYPE}.")) {
        Some(0) | None => (None, address),
        Some(i) => (
            Some(address[..i].trim_end_matches('.').to_string()),
            &address[i..],
        ),
    };
    let rest = rest
        .strip_prefix(&format!("{CLIENT_TYPE}."))
        .unwrap_or(rest);
    match rest.split_once('[') {
        Some((name, idx)) => {
            let idx = idx.trim_end_matches(']');
            let key = serde_json::from_str::<Value>(idx).unwrap_or_else(|_| json!(idx));
            (module, name.to_string(), Some(key))
        }
        None => (module, rest.to_string(), None),
    }
}

fn join_address(module: Option<&str>, name: &str, key: Option<&Value>) -> String {
    let mut a = String::new();
    if let Some(m) = module.filter(|m| !m.is_empty()) {
        a.push_str(m);
        a.push('.');
    }
    a.push_str(CLIENT_TYPE);
    a.push('.');
    a.push_str(name);
    if let Some(k) = key {
        a.push_str(&format!("[{k}]"));
    }
    a
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
    pub fn empty(path: &Path) -> State {
        State {
            path: path.to_path_buf(),
            lineage: new_lineage(),
            serial: 0,
            records: BTreeMap::new(),
        }
    }

    /// Read the state, or an empty one when the file does not exist.
    pub fn load(path: &Path) -> Result<State> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::empty(path)),
            Err(e) => return Err(Error::io(path, e)),
        };
        let bad = |m: String| Error::Other(format!("{}: {m}", path.display()));
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        if v["version"].as_u64() != Some(4) {
            return Err(bad("not a Terraform v4 state written by tfguard".into()));
        }
        let mut st = State {
            path: path.to_path_buf(),
            lineage: v["lineage"].as_str().unwrap_or_default().to_string(),
            serial: v["serial"].as_u64().unwrap_or_default(),
            records: BTreeMap::new(),
        };
        for r in v["resources"].as_array().into_iter().flatten() {
            if r["type"].as_str() != Some(CLIENT_TYPE) || r["mode"].as_str() != Some("managed") {
                continue;
            }
            let module = r["module"].as_str();
            let name = r["name"].as_str().unwrap_or_default();
            for inst in r["instances"].as_array().into_iter().flatten() {
                let address = join_address(module, name, inst.get("index_key"));
                let a = &inst["attributes"];
                let private: Private = inst["private"]
                    .as_str()
                    .and_then(|p| B64.decode(p).ok())
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or_default();
                let strs = |k: &str| -> Vec<String> {
                    a[k].as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                };
                let roles = a["roles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| RoleDivision {
                        role_id: r["role_id"].as_str().unwrap_or_default().into(),
                        division_id: r["division_id"].as_str().unwrap_or_default().into(),
                    })
                    .collect();
                let id = a["id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
                st.records.insert(
                    address.clone(),
                    Record {
                        address,
                        client_id: id,
                        config: Recorded {
                            name: a["name"].as_str().unwrap_or_default().into(),
                            description: a["description"].as_str().map(str::to_string),
                            access_token_validity_seconds: a["access_token_validity_seconds"]
                                .as_u64()
                                .and_then(|n| u32::try_from(n).ok())
                                .unwrap_or(86400),
                            registered_redirect_uris: strs("registered_redirect_uris"),
                            authorized_grant_type: a["authorized_grant_type"]
                                .as_str()
                                .unwrap_or_default()
                                .into(),
                            scopes: strs("scopes"),
                            roles,
                            state: a["state"].as_str().unwrap_or("active").into(),
                        },
                        vault_mount: private.vault_mount,
                        vault_path: private.vault_path,
                        vault_version: private.vault_version,
                        intent: private.intent,
                    },
                );
            }
        }
        Ok(st)
    }

    /// The v4 JSON document. Resources are grouped per (module, type, name) as Terraform does.
    pub fn to_json(&self) -> Value {
        let mut groups: BTreeMap<(String, String, String), Vec<Value>> = BTreeMap::new();
        for rec in self.records.values() {
            let (module, name, key) = split_address(&rec.address);
            let module = module.unwrap_or_default();
            let c = &rec.config;
            let id = rec.client_id.clone().unwrap_or_default();
            let private = Private {
                vault_mount: rec.vault_mount.clone(),
                vault_path: rec.vault_path.clone(),
                vault_version: rec.vault_version,
                intent: rec.intent.clone(),
            };
            let private = B64.encode(serde_json::to_vec(&private).unwrap_or_default());
            let mut inst = json!({
                "schema_version": 1,
                "attributes": {
                    "id": id,
                    "client_id": id,
                    // As the provider writes it when `expose_client_secret` is false.
                    "client_secret": "",
                    "expose_client_secret": false,
                    "directory_client_secret": null,
                    "name": c.name,
                    "description": c.description,
                    "access_token_validity_seconds": c.access_token_validity_seconds,
                    "registered_redirect_uris": c.registered_redirect_uris,
                    "authorized_grant_type": c.authorized_grant_type,
                    "scopes": c.scopes,
                    "roles": c.roles.iter().map(|r| json!({"role_id": r.role_id, "division_id": r.division_id})).collect::<Vec<_>>(),
                    "state": c.state,
                    "integration_credential_id": null,
                    "integration_credential_name": null,
                },
                "sensitive_attributes": [[{"type": "get_attr", "value": "client_secret"}]],
                "identity_schema_version": 0,
                "private": private,
            });
            if rec.intent.is_some() {
                inst["status"] = json!("tainted");
            }
            if let Some(k) = &key {
                inst["index_key"] = k.clone();
            }
            groups
                .entry((module.clone(), CLIENT_TYPE.into(), name.clone()))
                .or_default()
                .push(inst);
            if let Some(version) = rec.vault_version {
                let api = format!("{}/data/{}", rec.vault_mount, rec.vault_path);
                let mut v = json!({
                    "schema_version": 0,
                    "attributes": {
                        "id": api,
                        "path": api,
                        "mount": rec.vault_mount,
                        "name": rec.vault_path,
                        "cas": null,
                        "data_json": null,
                        "data_json_wo": null,
                        "data_json_wo_version": version,
                        "delete_all_versions": true,
                        "metadata": {"version": version.to_string()},
                    },
                    "sensitive_attributes": [],
                    "identity_schema_version": 0,
                    "dependencies": [rec.address.split('[').next().unwrap_or(&rec.address)],
                });
                if let Some(k) = &key {
                    v["index_key"] = k.clone();
                }
                groups
                    .entry((module, VAULT_TYPE.into(), name))
                    .or_default()
                    .push(v);
            }
        }
        let resources: Vec<Value> = groups
            .into_iter()
            .map(|((module, rtype, name), instances)| {
                let mut r = json!({
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "provider": if rtype == CLIENT_TYPE { GENESYS_PROVIDER } else { VAULT_PROVIDER },
                    "instances": instances,
                });
                if !module.is_empty() {
                    r["module"] = json!(module);
                }
                r
            })
            .collect();
        json!({
            "version": 4,
            "terraform_version": TERRAFORM_VERSION,
            "serial": self.serial,
            "lineage": self.lineage,
            "outputs": {},
            "resources": resources,
            "check_results": null,
        })
    }

    /// Write atomically (temp file, fsync, rename, fsync the directory), bumping the serial.
    /// Called after every step, so a crash leaves the last step recorded.
    pub fn save(&mut self) -> Result<()> {
        self.serial += 1;
        let mut bytes = serde_json::to_vec_pretty(&self.to_json())
            .map_err(|e| Error::Other(format!("state: {e}")))?;
        bytes.push(b'\n');
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

    use super::*;

    fn rec(address: &str) -> Record {
        Record {
            address: address.into(),
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
            vault_path: "tfguard/app".into(),
            vault_version: Some(3),
            intent: None,
        }
    }

    #[test]
    fn round_trips_through_v4() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut st = State::empty(&path);
        for a in [
            "genesyscloud_oauth_client.app",
            "module.m.genesyscloud_oauth_client.x[\"k\"]",
        ] {
            st.records.insert(a.into(), rec(a));
        }
        let mut pending = rec("genesyscloud_oauth_client.new");
        pending.client_id = None;
        pending.vault_version = None;
        pending.intent = Some(intent("create", "New"));
        st.records.insert(pending.address.clone(), pending);
        st.save().unwrap();
        let back = State::load(&path).unwrap();
        assert_eq!(back.serial, 1);
        assert_eq!(back.lineage, st.lineage);
        assert_eq!(back.records, st.records);
        let v: Value = serde_json::from_slice(&st.bytes().unwrap()).unwrap();
        assert_eq!(v["version"], 4);
        let res = v["resources"].as_array().unwrap();
        assert!(
            res.iter()
                .any(|r| r["module"] == "module.m" && r["type"] == VAULT_TYPE)
        );
        let tainted = res
            .iter()
            .flat_map(|r| r["instances"].as_array().unwrap())
            .filter(|i| i["status"] == "tainted")
            .count();
        assert_eq!(tainted, 1);
    }
}
