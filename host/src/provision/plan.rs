//! The plan: configuration (from the guest) vs recorded state vs the live API, per client.
//! Computing it changes nothing; `apply` carries it out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::genesys::{self, ClientRequest, OAuthClient, RoleDivision};
use crate::runtime::wit::{OauthClientSpec, ResourceAddress};

use super::state::{Record, Recorded};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    /// In-place update; the differences are (field, live or recorded value, desired value).
    Update(Vec<(String, String, String)>),
    NoOp,
    Delete,
    /// An interrupted create or rotation: adopt the client and store a regenerated secret.
    Recover,
    /// The client is fine but its Vault secret is missing: regenerate and store it.
    Restore,
}

#[derive(Clone, Debug)]
pub struct Change {
    pub address: String,
    /// The address in parts (from the guest).
    pub resource: ResourceAddress,
    pub action: Action,
    /// The desired configuration (absent for deletes).
    pub desired: Option<Recorded>,
    pub vault_mount: String,
    pub vault_path: String,
    /// The recorded entry, if any.
    pub record: Option<Record>,
    /// The live client, if it exists.
    pub live: Option<OAuthClient>,
    /// Notes for the reader: drift, out-of-band deletion, recovery details.
    pub notes: Vec<String>,
}

pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        let mut add = 0;
        let mut change = 0;
        let mut destroy = 0;
        for c in &self.changes {
            match c.action {
                Action::Create => add += 1,
                Action::Update(_) | Action::Recover | Action::Restore => change += 1,
                Action::Delete => destroy += 1,
                Action::NoOp => {}
            }
        }
        (add, change, destroy)
    }
}

/// The request body for a desired configuration.
pub fn request(c: &Recorded) -> ClientRequest {
    ClientRequest {
        name: c.name.clone(),
        description: c.description.clone(),
        access_token_validity_seconds: c.access_token_validity_seconds,
        registered_redirect_uri: c.registered_redirect_uris.clone(),
        authorized_grant_type: c.authorized_grant_type.clone(),
        scope: c.scopes.clone(),
        role_divisions: c.roles.clone(),
        state: c.state.clone(),
    }
}

/// The guest's spec as the configuration tfguard records and sends. The provider fills a
/// missing `division_id` with the home division; tfguard refuses instead, because guessing a
/// division grants a role somewhere the author did not say.
pub fn recorded_from_spec(s: &OauthClientSpec) -> Result<Recorded> {
    let mut roles = Vec::new();
    for r in &s.roles {
        let Some(d) = r.division_id.clone().filter(|d| !d.is_empty()) else {
            return Err(Error::Usage(format!(
                "{}: the role `{}` has no division_id; set it (a division id, or \"*\" for all divisions) so tfguard grants exactly what the configuration says",
                s.address, r.role_id
            )));
        };
        roles.push(RoleDivision {
            role_id: r.role_id.clone(),
            division_id: d,
        });
    }
    roles.sort();
    Ok(Recorded {
        name: s.name.clone(),
        description: s.description.clone().filter(|d| !d.is_empty()),
        access_token_validity_seconds: s.access_token_validity_seconds,
        registered_redirect_uris: sorted(&s.registered_redirect_uris),
        authorized_grant_type: s.authorized_grant_type.clone(),
        scopes: sorted(&s.scopes),
        roles,
        state: if s.state.is_empty() {
            "active".into()
        } else {
            s.state.clone()
        },
    })
}

fn sorted(v: &[String]) -> Vec<String> {
    v.iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The live client in the same shape, for comparison.
pub fn recorded_from_live(c: &OAuthClient) -> Recorded {
    let mut roles = c.role_divisions.clone();
    roles.sort();
    Recorded {
        name: c.name.clone(),
        description: c.description.clone().filter(|d| !d.is_empty()),
        access_token_validity_seconds: c.access_token_validity_seconds.unwrap_or(86400),
        registered_redirect_uris: sorted(&c.registered_redirect_uri),
        authorized_grant_type: c.authorized_grant_type.clone(),
        scopes: sorted(&c.scope),
        roles,
        state: c.state.clone(),
    }
}

fn show_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn show_roles(v: &[RoleDivision]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|r| format!("{}@{}", r.role_id, r.division_id))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn fields(c: &Recorded) -> Vec<(&'static str, String)> {
    vec![
        ("name", format!("{:?}", c.name)),
        (
            "description",
            c.description
                .as_deref()
                .map(|d| format!("{d:?}"))
                .unwrap_or_else(|| "null".into()),
        ),
        (
            "access_token_validity_seconds",
            c.access_token_validity_seconds.to_string(),
        ),
        (
            "registered_redirect_uris",
            show_list(&c.registered_redirect_uris),
        ),
        (
            "authorized_grant_type",
            format!("{:?}", c.authorized_grant_type),
        ),
        ("scopes", show_list(&c.scopes)),
        ("roles", show_roles(&c.roles)),
        ("state", format!("{:?}", c.state)),
    ]
}

/// (field, from, to) for every field that differs.
pub fn diff(from: &Recorded, to: &Recorded) -> Vec<(String, String, String)> {
    fields(from)
        .into_iter()
        .zip(fields(to))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| (k.to_string(), a, b))
        .collect()
}

/// What the plan needs from the world, so tests and `plan` share one implementation.
pub trait World {
    fn get_client(
        &self,
        id: &str,
    ) -> std::result::Result<Option<OAuthClient>, genesys::GenesysError>;
    fn vault_version(&self, mount: &str, path: &str) -> Result<Option<u64>>;
}

pub struct Desired {
    pub address: String,
    pub resource: ResourceAddress,
    pub config: Recorded,
    pub vault_mount: String,
    pub vault_path: String,
}

/// The plan for `desired` against the recorded clients (`State::records`).
pub fn compute(
    desired: &[Desired],
    recorded: &BTreeMap<String, Record>,
    world: &dyn World,
) -> Result<Plan> {
    let mut changes = Vec::new();
    let wanted: BTreeMap<&str, &Desired> =
        desired.iter().map(|d| (d.address.as_str(), d)).collect();
    for d in desired {
        let record = recorded.get(&d.address).cloned();
        let mut notes = Vec::new();
        let live = match record.as_ref().and_then(|r| r.client_id.as_deref()) {
            Some(id) => world
                .get_client(id)
                .map_err(|e| Error::Other(e.to_string()))?,
            None => None,
        };
        let action = match (&record, &live) {
            (Some(r), _) if r.intent.is_some() => {
                let i = r.intent.as_ref().map(|i| i.op.clone()).unwrap_or_default();
                notes.push(match &r.client_id {
                    Some(id) => format!(
                        "an interrupted {i} left client {id} without its secret in Vault: its secret will be regenerated and stored"
                    ),
                    None => format!(
                        "an interrupted create (\"{}\") was recorded: the client will be found by name and adopted, never created twice",
                        r.intent.as_ref().map(|i| i.name.as_str()).unwrap_or_default()
                    ),
                });
                Action::Recover
            }
            (Some(r), None) if r.client_id.is_some() => {
                notes.push(format!(
                    "client {} no longer exists in Genesys Cloud (deleted outside tfguard): it will be created again",
                    r.client_id.as_deref().unwrap_or_default()
                ));
                Action::Create
            }
            (Some(r), Some(l)) => {
                let live_cfg = recorded_from_live(l);
                let drift = diff(&r.config, &live_cfg);
                if !drift.is_empty() {
                    notes.push(format!(
                        "drift: changed outside tfguard: {}",
                        drift
                            .iter()
                            .map(|(k, a, b)| format!("{k} {a} -> {b}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
                let changes = diff(&live_cfg, &d.config);
                let moved = r.vault_mount != d.vault_mount || r.vault_path != d.vault_path;
                if !changes.is_empty() {
                    Action::Update(changes)
                } else if moved
                    || world
                        .vault_version(&d.vault_mount, &d.vault_path)?
                        .is_none()
                {
                    notes.push(format!(
                        "no secret at {}/{} in Vault: a new secret will be generated and stored there",
                        d.vault_mount, d.vault_path
                    ));
                    Action::Restore
                } else {
                    Action::NoOp
                }
            }
            _ => Action::Create,
        };
        changes.push(Change {
            address: d.address.clone(),
            resource: d.resource.clone(),
            action,
            desired: Some(d.config.clone()),
            vault_mount: d.vault_mount.clone(),
            vault_path: d.vault_path.clone(),
            record,
            live,
            notes,
        });
    }
    for (addr, r) in recorded {
        if wanted.contains_key(addr.as_str()) {
            continue;
        }
        let live = match &r.client_id {
            Some(id) => world
                .get_client(id)
                .map_err(|e| Error::Other(e.to_string()))?,
            None => None,
        };
        changes.push(Change {
            address: addr.clone(),
            resource: r.resource.clone(),
            action: Action::Delete,
            desired: None,
            vault_mount: r.vault_mount.clone(),
            vault_path: r.vault_path.clone(),
            record: Some(r.clone()),
            live,
            notes: Vec::new(),
        });
    }
    Ok(Plan { changes })
}

/// Terraform-style rendering.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.has_changes() {
        let _ = writeln!(
            out,
            "No changes. {} OAuth client(s) match the configuration and their secrets are in Vault.",
            plan.changes.len()
        );
        for c in &plan.changes {
            for n in &c.notes {
                let _ = writeln!(out, "  note: {}: {n}", c.address);
            }
        }
        return out;
    }
    let _ = writeln!(out, "tfguard will perform the following actions:\n");
    for c in &plan.changes {
        let (rtype, name) = (&c.resource.resource_type, &c.resource.name);
        let (verb, sym) = match &c.action {
            Action::Create => ("will be created", "+"),
            Action::Update(_) => ("will be updated in-place", "~"),
            Action::Delete => ("will be destroyed", "-"),
            Action::Recover => ("will be recovered (secret regenerated and stored)", "~"),
            Action::Restore => ("will get a new secret stored in Vault", "~"),
            Action::NoOp => continue,
        };
        let _ = writeln!(out, "  # {} {verb}", c.address);
        for n in &c.notes {
            let _ = writeln!(out, "  # ({n})");
        }
        let _ = writeln!(out, "  {sym} resource \"{rtype}\" \"{name}\" {{");
        match (&c.action, &c.desired) {
            (Action::Create, Some(d)) => {
                for (k, v) in fields(d) {
                    let _ = writeln!(out, "      + {k:<30} = {v}");
                }
                let _ = writeln!(out, "      + {:<30} = (known after apply)", "client_id");
            }
            (Action::Update(diffs), _) => {
                if let Some(id) = c.record.as_ref().and_then(|r| r.client_id.as_deref()) {
                    let _ = writeln!(out, "        {:<30} = {id:?}", "id");
                }
                for (k, a, b) in diffs {
                    let _ = writeln!(out, "      ~ {k:<30} = {a} -> {b}");
                }
            }
            (Action::Delete, _) => {
                if let Some(r) = &c.record {
                    let _ = writeln!(
                        out,
                        "      - {:<30} = {:?}",
                        "id",
                        r.client_id.as_deref().unwrap_or("(never created)")
                    );
                    let _ = writeln!(out, "      - {:<30} = {:?}", "name", r.config.name);
                }
            }
            _ => {
                if let Some(id) = c.record.as_ref().and_then(|r| r.client_id.as_deref()) {
                    let _ = writeln!(out, "        {:<30} = {id:?}", "id");
                }
            }
        }
        let secret_line = match c.action {
            Action::Delete => format!(
                "      - client_secret in Vault {}/{} (all versions)",
                c.vault_mount, c.vault_path
            ),
            Action::Update(_) => String::new(),
            _ => format!(
                "      + client_secret -> Vault {}/{} (never in state)",
                c.vault_mount, c.vault_path
            ),
        };
        if !secret_line.is_empty() {
            let _ = writeln!(out, "{secret_line}");
        }
        let _ = writeln!(out, "    }}\n");
    }
    let (a, ch, d) = plan.counts();
    let _ = writeln!(out, "Plan: {a} to add, {ch} to change, {d} to destroy.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::state::Intent;

    type Recs = BTreeMap<String, Record>;

    fn app() -> ResourceAddress {
        ResourceAddress {
            module: None,
            resource_type: "genesyscloud_oauth_client".into(),
            name: "app".into(),
            index_key: None,
        }
    }

    struct Fake {
        live: BTreeMap<String, OAuthClient>,
        vault: bool,
    }

    impl World for Fake {
        fn get_client(
            &self,
            id: &str,
        ) -> std::result::Result<Option<OAuthClient>, genesys::GenesysError> {
            Ok(self.live.get(id).cloned())
        }
        fn vault_version(&self, _: &str, _: &str) -> Result<Option<u64>> {
            Ok(self.vault.then_some(1))
        }
    }

    fn cfg(desc: &str) -> Recorded {
        Recorded {
            name: "App".into(),
            description: Some(desc.into()),
            access_token_validity_seconds: 3600,
            registered_redirect_uris: vec![],
            authorized_grant_type: "CLIENT-CREDENTIALS".into(),
            scopes: vec![],
            roles: vec![RoleDivision {
                role_id: "r".into(),
                division_id: "*".into(),
            }],
            state: "active".into(),
        }
    }

    fn live(id: &str, c: &Recorded) -> OAuthClient {
        OAuthClient {
            id: id.into(),
            name: c.name.clone(),
            description: c.description.clone(),
            access_token_validity_seconds: Some(c.access_token_validity_seconds),
            registered_redirect_uri: c.registered_redirect_uris.clone(),
            authorized_grant_type: c.authorized_grant_type.clone(),
            scope: c.scopes.clone(),
            role_divisions: c.roles.clone(),
            state: c.state.clone(),
            date_created: None,
        }
    }

    fn desired(desc: &str) -> Desired {
        Desired {
            address: "genesyscloud_oauth_client.app".into(),
            resource: app(),
            config: cfg(desc),
            vault_mount: "secret".into(),
            vault_path: "app".into(),
        }
    }

    fn state_with(rec_cfg: Recorded, intent: Option<Intent>) -> Recs {
        let mut st = Recs::new();
        st.insert(
            "genesyscloud_oauth_client.app".into(),
            Record {
                address: "genesyscloud_oauth_client.app".into(),
                resource: app(),
                client_id: Some("id1".into()),
                config: rec_cfg,
                vault_mount: "secret".into(),
                vault_path: "app".into(),
                vault_version: Some(1),
                intent,
            },
        );
        st
    }

    #[test]
    fn actions() {
        let empty = Recs::new();
        let w = |c: &Recorded, vault| Fake {
            live: BTreeMap::from([("id1".to_string(), live("id1", c))]),
            vault,
        };
        let p = compute(&[desired("a")], &empty, &w(&cfg("a"), true)).unwrap();
        assert_eq!(p.changes[0].action, Action::Create);

        let st = state_with(cfg("a"), None);
        let p = compute(&[desired("a")], &st, &w(&cfg("a"), true)).unwrap();
        assert_eq!(p.changes[0].action, Action::NoOp);
        assert!(!p.has_changes());

        let p = compute(&[desired("b")], &st, &w(&cfg("a"), true)).unwrap();
        assert!(matches!(&p.changes[0].action, Action::Update(d) if d[0].0 == "description"));
        assert!(render(&p).contains("~ description"));

        // Drift: live changed, config did not.
        let p = compute(&[desired("a")], &st, &w(&cfg("z"), true)).unwrap();
        assert!(matches!(&p.changes[0].action, Action::Update(_)));
        assert!(p.changes[0].notes[0].starts_with("drift"));

        let p = compute(&[desired("a")], &st, &w(&cfg("a"), false)).unwrap();
        assert_eq!(p.changes[0].action, Action::Restore);

        let p = compute(&[], &st, &w(&cfg("a"), true)).unwrap();
        assert_eq!(p.changes[0].action, Action::Delete);

        let st = state_with(
            cfg("a"),
            Some(crate::provision::state::intent("create", "App")),
        );
        let p = compute(&[desired("a")], &st, &w(&cfg("a"), true)).unwrap();
        assert_eq!(p.changes[0].action, Action::Recover);

        let gone = Fake {
            live: BTreeMap::new(),
            vault: true,
        };
        let st = state_with(cfg("a"), None);
        let p = compute(&[desired("a")], &st, &gone).unwrap();
        assert_eq!(p.changes[0].action, Action::Create);
    }
}
