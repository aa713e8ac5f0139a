//! `desired_clients`: the OAuth clients a configuration declares, as `tfguard apply` provisions
//! them, each with the Vault destination of its secret.

use hcl::edit::Span as _;

use crate::hcl::Module;
use crate::types::{OauthClientSpec, ResourceAddress, RoleDivision};

use super::model::{Get, Kind, resource_blocks};
use super::{OauthData, module_clients};

/// Where a client's secret goes in Vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultDest {
    pub mount: Option<String>,
    pub path: String,
}

/// A client the provisioner cannot describe: the arguments whose values are not statically
/// known. TFG041 words it (`rules::oauth_client_invalid_value::provision_gap`).
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub path: String,
    pub span: Option<crate::types::Span>,
    pub address: String,
    pub missing: Vec<String>,
}

/// Clients of one module, and the gaps that stop the provisioner from creating some of them.
pub fn specs(d: &OauthData, m: &Module, problems: &mut Vec<Gap>) -> Vec<OauthClientSpec> {
    let mut out = Vec::new();
    for c in module_clients(d, m) {
        let mut missing = Vec::new();
        // One resource block is one client for the provisioner.
        for meta in ["count", "for_each"] {
            if c.arg(meta).is_some() {
                missing.push(format!(
                    "`{meta}` is not supported by `tfguard apply` (one block, one client)"
                ));
            }
        }
        let mut s = |name: &str, default: Option<&str>| -> String {
            match c.get(name) {
                Get::Known(v) => match &v.kind {
                    Kind::Str(s) => s.clone(),
                    Kind::Num(n) => n.to_string(),
                    Kind::Bool(b) => b.to_string(),
                    _ => {
                        missing.push(format!("`{name}` is a {}", v.type_name()));
                        String::new()
                    }
                },
                Get::Unknown(_, why) => {
                    missing.push(format!("`{name}` is not statically known ({why})"));
                    String::new()
                }
                Get::Absent => match default {
                    Some(x) => x.to_string(),
                    None => {
                        missing.push(format!("`{name}` is missing"));
                        String::new()
                    }
                },
            }
        };
        let name = s("name", None);
        let grant = s("authorized_grant_type", None);
        let state = s("state", Some("active"));
        let validity = s("access_token_validity_seconds", Some("86400"));
        let description = match c.get("description") {
            Get::Absent => None,
            _ => Some(s("description", Some(""))),
        };
        let mut strings = |name: &str| -> Vec<String> {
            match c.get(name) {
                Get::Absent => Vec::new(),
                Get::Unknown(_, why) => {
                    missing.push(format!("`{name}` is not statically known ({why})"));
                    Vec::new()
                }
                Get::Known(v) => match &v.kind {
                    Kind::List(items) => items
                        .iter()
                        .filter_map(|i| match &i.kind {
                            Kind::Str(x) => Some(x.clone()),
                            Kind::Unknown(why) => {
                                missing
                                    .push(format!("`{}` is not statically known ({why})", i.path));
                                None
                            }
                            _ => {
                                missing.push(format!("`{}` is not a string", i.path));
                                None
                            }
                        })
                        .collect(),
                    _ => {
                        missing.push(format!("`{name}` is not a list"));
                        Vec::new()
                    }
                },
            }
        };
        let scopes = strings("scopes");
        let uris = strings("registered_redirect_uris");
        let mut roles = Vec::new();
        for b in c.blocks_named("roles") {
            let get = |k: &str| {
                b.args
                    .iter()
                    .find(|a| a.name == k)
                    .and_then(|a| a.value.as_str().map(str::to_string))
            };
            match get("role_id") {
                Some(role_id) if !b.dynamic => roles.push(RoleDivision {
                    role_id,
                    division_id: get("division_id"),
                }),
                _ => missing.push("a `roles` block's `role_id` is not statically known".into()),
            }
        }
        let access_token_validity_seconds = validity
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX));
        if access_token_validity_seconds.is_none() && !validity.is_empty() {
            missing.push("`access_token_validity_seconds` is not a whole number".into());
        }
        let dest = vault_destination(m, &c.address);
        if !missing.is_empty() {
            problems.push(Gap {
                path: c.path.clone(),
                span: c.span,
                address: c.address.clone(),
                missing,
            });
        }
        // A configuration's client is `{type}.{name}` (`model::clients_in_module`).
        let rtype = d.resource();
        let local = c
            .address
            .strip_prefix(rtype)
            .and_then(|r| r.strip_prefix('.'));
        out.push(OauthClientSpec {
            address: c.address.clone(),
            resource: ResourceAddress {
                module: None,
                resource_type: rtype.to_string(),
                name: local.unwrap_or(&c.address).to_string(),
                index_key: None,
            },
            name,
            description,
            authorized_grant_type: grant,
            scopes,
            registered_redirect_uris: uris,
            roles,
            access_token_validity_seconds: access_token_validity_seconds.unwrap_or(86400.0) as u32,
            state,
            vault_mount: dest.as_ref().and_then(|d| d.mount.clone()),
            vault_path: dest.map(|d| d.path),
        });
    }
    out
}

/// Every module's clients, for `desired_clients`, and the gaps.
pub fn desired(
    policy: &crate::policy::Policy,
    modules: &[Module],
) -> Result<(Vec<OauthClientSpec>, Vec<Gap>), String> {
    let d = OauthData::load(policy)?;
    let mut clients = Vec::new();
    let mut gaps = Vec::new();
    for m in modules {
        clients.extend(specs(&d, m, &mut gaps));
    }
    Ok((clients, gaps))
}

/// The `vault_kv_secret_v2` (mount + name) or `vault_generic_secret` (path) whose arguments
/// reference `address` (`genesyscloud_oauth_client.x`).
pub fn vault_destination(m: &Module, address: &str) -> Option<VaultDest> {
    let idx = crate::hcl::ModuleIndex::new(m);
    let eval = crate::hcl::Evaluator::new(&idx);
    for rtype in ["vault_kv_secret_v2", "vault_generic_secret"] {
        for (f, b, _) in resource_blocks(m, rtype) {
            let refers = b.body.attributes().any(|a| {
                a.value
                    .span()
                    .and_then(|r| f.src.get(r))
                    .is_some_and(|text| {
                        crate::hcl::refs::whole_words(text, address)
                            .next()
                            .is_some()
                    })
            });
            if !refers {
                continue;
            }
            // Literals, variables, locals and templates, as the rules see them.
            let lit = |k: &str| {
                b.body
                    .get_attribute(k)
                    .and_then(|a| match eval.resolve(&a.value) {
                        crate::hcl::Resolved::Known(serde_json::Value::String(s)) => Some(s),
                        _ => None,
                    })
            };
            if rtype == "vault_kv_secret_v2" {
                if let (Some(mount), Some(name)) = (lit("mount"), lit("name")) {
                    return Some(VaultDest {
                        mount: Some(mount),
                        path: name,
                    });
                }
            } else if let Some(path) = lit("path") {
                return Some(split_generic_path(&path));
            }
        }
    }
    None
}

/// `vault_generic_secret` addresses KV v2 as `<mount>/data/<path>`; split that into mount and
/// path. Anything else (KV v1, unusual layouts) is kept whole, with no mount.
pub fn split_generic_path(path: &str) -> VaultDest {
    let p = path.trim_matches('/');
    match p.split_once("/data/") {
        Some((mount, rest)) if !mount.is_empty() && !mount.contains('/') && !rest.is_empty() => {
            VaultDest {
                mount: Some(mount.to_string()),
                path: rest.to_string(),
            }
        }
        _ => VaultDest {
            mount: None,
            path: p.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::default_data;
    use super::super::model::tests::module;
    use super::*;

    #[test]
    fn seed_like_config_yields_spec_with_vault_destination() {
        let m = module(&[(
            "main.tf",
            r#"
resource "genesyscloud_oauth_client" "app" {
  name                     = "App"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://app.example.com/cb"]
  scopes                   = ["users:readonly"]
}
resource "genesyscloud_oauth_client" "cc" {
  name                  = "Backend"
  description           = "jobs"
  authorized_grant_type = "CLIENT-CREDENTIALS"
  access_token_validity_seconds = 600
  roles {
    role_id     = "r1"
    division_id = "*"
  }
}
resource "vault_generic_secret" "s" {
  path      = "secret/data/genesys/oauth/app"
  data_json = jsonencode({ client_id = genesyscloud_oauth_client.app.client_id })
}
variable "kv_mount" {
  type    = string
  default = "kv"
}
locals {
  team = "genesys"
}
resource "vault_kv_secret_v2" "k" {
  mount     = var.kv_mount
  name      = "${local.team}/backend"
  data_json = jsonencode({ id = genesyscloud_oauth_client.cc.id })
}
"#,
        )]);
        let mut problems = Vec::new();
        let specs = specs(&default_data(), &m, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(specs.len(), 2);
        let app = &specs[0];
        assert_eq!(app.address, "genesyscloud_oauth_client.app");
        assert_eq!(app.authorized_grant_type, "CODE");
        assert_eq!(app.scopes, ["users:readonly"]);
        assert_eq!(app.state, "active");
        assert_eq!(app.access_token_validity_seconds, 86400);
        assert_eq!(app.description, None);
        assert_eq!(app.vault_mount.as_deref(), Some("secret"));
        assert_eq!(app.vault_path.as_deref(), Some("genesys/oauth/app"));
        let cc = &specs[1];
        assert_eq!(cc.access_token_validity_seconds, 600);
        assert_eq!(cc.description.as_deref(), Some("jobs"));
        assert_eq!(
            cc.roles,
            [RoleDivision {
                role_id: "r1".into(),
                division_id: Some("*".into())
            }]
        );
        assert_eq!(cc.vault_mount.as_deref(), Some("kv"));
        assert_eq!(cc.vault_path.as_deref(), Some("genesys/backend"));
    }

    #[test]
    fn unknown_values_are_reported_not_guessed() {
        let m = module(&[(
            "main.tf",
            r#"resource "genesyscloud_oauth_client" "x" {
  name                  = var.name
  authorized_grant_type = "CODE"
  scopes                = [data.x.y]
}"#,
        )]);
        let mut problems = Vec::new();
        let specs = specs(&default_data(), &m, &mut problems);
        assert_eq!(specs.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].missing.iter().any(|m| m.contains("`name`")),
            "{:?}",
            problems[0]
        );
        assert!(
            problems[0].missing.iter().any(|m| m.contains("scopes[0]")),
            "{:?}",
            problems[0]
        );
    }

    #[test]
    fn repeated_clients_are_refused() {
        let m = module(&[(
            "main.tf",
            r#"resource "genesyscloud_oauth_client" "x" {
  for_each              = toset(["a", "b"])
  name                  = each.key
  authorized_grant_type = "CLIENT-CREDENTIALS"
}"#,
        )]);
        let mut problems = Vec::new();
        specs(&default_data(), &m, &mut problems);
        assert_eq!(problems.len(), 1);
        let all = problems[0].missing.join("; ");
        assert!(all.contains("`for_each` is not supported"), "{all}");
        assert!(all.contains("`name` is not statically known"), "{all}");
    }

    #[test]
    fn generic_paths() {
        assert_eq!(
            split_generic_path("secret/data/a/b"),
            VaultDest {
                mount: Some("secret".into()),
                path: "a/b".into()
            }
        );
        assert_eq!(split_generic_path("kv1/a").mount, None);
    }
}
