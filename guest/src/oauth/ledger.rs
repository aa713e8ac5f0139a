//! `tfguard.tfstate`: what `tfguard apply` provisioned, in Terraform's state format v4
//! (facts/terraform-state.md §1), so `terraform show`, `jq` scripts and tfguard's own gate
//! read it. The format is Terraform knowledge, so it lives here; the host owns the file, its
//! writes, and its bookkeeping (kept opaque in each instance's `private` field, which v4
//! reserves for provider-private data).
//!
//! Per client: a `genesyscloud_oauth_client` instance (id, `client_id` and the configuration;
//! `client_secret` is always `""`, as the provider writes it without `expose_client_secret`)
//! and, once the secret is stored, a `vault_kv_secret_v2` instance naming where it lives and
//! its version. **No secret is ever written here**: no entry carries one.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::types::{Ledger, LedgerEntry, OauthClientSpec, ResourceAddress, RoleDivision};

const VAULT_TYPE: &str = "vault_kv_secret_v2";
const GENESYS_PROVIDER: &str = "provider[\"registry.terraform.io/mypurecloud/genesyscloud\"]";
const VAULT_PROVIDER: &str = "provider[\"registry.terraform.io/hashicorp/vault\"]";
/// The Terraform version the file claims to be written by: the first with write-only
/// arguments, which is how the example passes the secret to Vault.
const TERRAFORM_VERSION: &str = "1.11.0";

/// `module.a.genesyscloud_oauth_client.x["k"]`: Terraform's address of an instance.
pub fn address(r: &ResourceAddress) -> String {
    let mut a = String::new();
    if let Some(m) = r.module.as_deref().filter(|m| !m.is_empty()) {
        a.push_str(m);
        a.push('.');
    }
    a.push_str(&r.resource_type);
    a.push('.');
    a.push_str(&r.name);
    if let Some(k) = &r.index_key {
        a.push('[');
        a.push_str(k);
        a.push(']');
    }
    a
}

/// A resource's instances are grouped by (module, type, name), as Terraform does.
type Group = (String, String, String);

/// The clients recorded in `contents`; `resource_type` is the OAuth client's (oauth pack).
pub fn read(contents: &[u8], resource_type: &str) -> Result<Ledger, String> {
    let v: Value = serde_json::from_slice(contents).map_err(|e| format!("not JSON: {e}"))?;
    if v["version"].as_u64() != Some(4) {
        return Err("not a Terraform v4 state written by tfguard".into());
    }
    // A client's secret: the vault instance of the same module, name and index key.
    let mut vaults: BTreeMap<(String, String, Option<String>), &Value> = BTreeMap::new();
    let resources = v["resources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for r in resources.iter().filter(|r| r["type"] == VAULT_TYPE) {
        for inst in r["instances"].as_array().into_iter().flatten() {
            let (module, _, name) = group(r);
            vaults.insert((module, name, index_key(inst)), &inst["attributes"]);
        }
    }
    let mut entries = Vec::new();
    for r in resources {
        if r["type"].as_str() != Some(resource_type) || r["mode"].as_str() != Some("managed") {
            continue;
        }
        let (module, _, name) = group(r);
        for inst in r["instances"].as_array().into_iter().flatten() {
            let key = index_key(inst);
            let resource = ResourceAddress {
                module: Some(module.clone()).filter(|m| !m.is_empty()),
                resource_type: resource_type.to_string(),
                name: name.clone(),
                index_key: key.clone(),
            };
            let vault = vaults.get(&(module.clone(), name.clone(), key)).copied();
            let vault_str = |k: &str| vault.and_then(|a| a[k].as_str()).map(str::to_string);
            let a = &inst["attributes"];
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
                    division_id: r["division_id"].as_str().map(str::to_string),
                })
                .collect();
            entries.push(LedgerEntry {
                client: OauthClientSpec {
                    address: address(&resource),
                    resource,
                    name: a["name"].as_str().unwrap_or_default().into(),
                    description: a["description"].as_str().map(str::to_string),
                    authorized_grant_type: a["authorized_grant_type"]
                        .as_str()
                        .unwrap_or_default()
                        .into(),
                    scopes: strs("scopes"),
                    registered_redirect_uris: strs("registered_redirect_uris"),
                    roles,
                    access_token_validity_seconds: a["access_token_validity_seconds"]
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(86400),
                    state: a["state"].as_str().unwrap_or("active").into(),
                    vault_mount: vault_str("mount"),
                    vault_path: vault_str("name"),
                },
                client_id: a["id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                vault_version: vault.and_then(|a| a["data_json_wo_version"].as_u64()),
                tainted: inst["status"] == "tainted",
                private: inst["private"]
                    .as_str()
                    .and_then(|p| B64.decode(p).ok())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(Ledger {
        lineage: v["lineage"].as_str().unwrap_or_default().to_string(),
        serial: v["serial"].as_u64().unwrap_or_default(),
        entries,
    })
}

fn group(r: &Value) -> Group {
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    (s("module"), s("type"), s("name"))
}

fn index_key(inst: &Value) -> Option<String> {
    inst.get("index_key")
        .filter(|k| !k.is_null())
        .map(Value::to_string)
}

/// The whole file for `ledger`.
pub fn write(ledger: &Ledger) -> Result<Vec<u8>, String> {
    let mut groups: BTreeMap<Group, Vec<Value>> = BTreeMap::new();
    for e in &ledger.entries {
        let c = &e.client;
        let r = &c.resource;
        let key = match &r.index_key {
            Some(k) => Some(
                serde_json::from_str::<Value>(k)
                    .map_err(|err| format!("{}: index key `{k}` is not JSON: {err}", c.address))?,
            ),
            None => None,
        };
        let module = r.module.clone().unwrap_or_default();
        let id = e.client_id.clone().unwrap_or_default();
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
                "roles": c.roles.iter().map(|r| json!({
                    "role_id": r.role_id,
                    "division_id": r.division_id.clone().unwrap_or_default(),
                })).collect::<Vec<_>>(),
                "state": c.state,
                "integration_credential_id": null,
                "integration_credential_name": null,
            },
            "sensitive_attributes": [[{"type": "get_attr", "value": "client_secret"}]],
            "identity_schema_version": 0,
            "private": B64.encode(&e.private),
        });
        if e.tainted {
            inst["status"] = json!("tainted");
        }
        if let Some(k) = &key {
            inst["index_key"] = k.clone();
        }
        groups
            .entry((module.clone(), r.resource_type.clone(), r.name.clone()))
            .or_default()
            .push(inst);
        if let Some(version) = e.vault_version {
            let mount = c.vault_mount.clone().unwrap_or_default();
            let path = c.vault_path.clone().unwrap_or_default();
            let api = format!("{mount}/data/{path}");
            let resource = ResourceAddress {
                index_key: None,
                ..r.clone()
            };
            let mut v = json!({
                "schema_version": 0,
                "attributes": {
                    "id": api,
                    "path": api,
                    "mount": mount,
                    "name": path,
                    "cas": null,
                    "data_json": null,
                    "data_json_wo": null,
                    "data_json_wo_version": version,
                    "delete_all_versions": true,
                    "metadata": {"version": version.to_string()},
                },
                "sensitive_attributes": [],
                "identity_schema_version": 0,
                "dependencies": [address(&resource)],
            });
            if let Some(k) = &key {
                v["index_key"] = k.clone();
            }
            groups
                .entry((module, VAULT_TYPE.into(), r.name.clone()))
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
                "provider": if rtype == VAULT_TYPE { VAULT_PROVIDER } else { GENESYS_PROVIDER },
                "instances": instances,
            });
            if !module.is_empty() {
                r["module"] = json!(module);
            }
            r
        })
        .collect();
    let doc = json!({
        "version": 4,
        "terraform_version": TERRAFORM_VERSION,
        "serial": ledger.serial,
        "lineage": ledger.lineage,
        "outputs": {},
        "resources": resources,
        "check_results": null,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "genesyscloud_oauth_client";

    fn entry(module: Option<&str>, name: &str, key: Option<&str>) -> LedgerEntry {
        let resource = ResourceAddress {
            module: module.map(str::to_string),
            resource_type: CLIENT.into(),
            name: name.into(),
            index_key: key.map(str::to_string),
        };
        LedgerEntry {
            client: OauthClientSpec {
                address: address(&resource),
                resource,
                name: "App".into(),
                description: Some("d".into()),
                authorized_grant_type: "CODE".into(),
                scopes: vec!["users:readonly".into()],
                registered_redirect_uris: vec!["https://app/cb".into()],
                roles: vec![RoleDivision {
                    role_id: "r".into(),
                    division_id: Some("d".into()),
                }],
                access_token_validity_seconds: 3600,
                state: "active".into(),
                vault_mount: Some("secret".into()),
                vault_path: Some(format!("tfguard/{name}")),
            },
            client_id: Some("c-1".into()),
            vault_version: Some(3),
            tainted: false,
            private: br#"{"intent":null}"#.to_vec(),
        }
    }

    #[test]
    fn round_trips_through_v4() {
        let mut pending = entry(None, "new", None);
        pending.client_id = None;
        pending.vault_version = None;
        pending.client.vault_mount = None;
        pending.client.vault_path = None;
        pending.tainted = true;
        let ledger = Ledger {
            lineage: "l".into(),
            serial: 7,
            entries: vec![
                entry(None, "app", None),
                // An index key holding `]` and a quote: the parts are never split from text.
                entry(Some("module.m"), "x", Some(r#""k]\"y""#)),
                entry(None, "n", Some("0")),
                pending,
            ],
        };
        let bytes = write(&ledger).unwrap();
        let back = read(&bytes, CLIENT).unwrap();
        let sorted = |l: &Ledger| {
            let mut e = l.entries.clone();
            e.sort_by(|a, b| a.client.address.cmp(&b.client.address));
            e
        };
        assert_eq!(sorted(&back), sorted(&ledger));
        assert_eq!((back.lineage.as_str(), back.serial), ("l", 7));
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let res = v["resources"].as_array().unwrap();
        assert!(
            res.iter()
                .any(|r| r["module"] == "module.m" && r["type"] == VAULT_TYPE)
        );
        assert_eq!(
            back.entries
                .iter()
                .find(|e| e.client.resource.name == "x")
                .unwrap()
                .client
                .address,
            r#"module.m.genesyscloud_oauth_client.x["k]\"y"]"#
        );
        let tainted = res
            .iter()
            .flat_map(|r| r["instances"].as_array().unwrap())
            .filter(|i| i["status"] == "tainted")
            .count();
        assert_eq!(tainted, 1);
    }

    #[test]
    fn refuses_what_is_not_a_v4_state() {
        assert!(read(b"{\"version\": 3}", CLIENT).is_err());
        assert!(read(b"not json", CLIENT).is_err());
        assert!(
            write(&Ledger {
                entries: vec![entry(None, "a", Some("[unclosed"))],
                ..Ledger::default()
            })
            .is_err()
        );
    }
}
