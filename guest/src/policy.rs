//! Policy packs: the data half of tfguard (`policies/`). A pack is TOML; packs are merged in
//! order, so a user's pack can add catalogue entries or override the defaults. The guest owns
//! the schema, so a bad pack is reported with the pack name and TOML's own location.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::types::PolicyPackSrc;

/// An attribute that a provider persists in state and that holds a secret.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SecretAttribute {
    /// Resource type, e.g. `random_password`.
    pub resource: String,
    /// `managed` (default) or `data`.
    #[serde(default = "managed")]
    pub mode: String,
    /// Attribute names; a trailing `*` matches a prefix (`private_key_*`). A nested attribute
    /// is a path of names through blocks, lists, sets and maps (`master_auth[*].client_key`;
    /// `[*]` is optional and only documents a collection): see [`path_names`].
    pub attributes: Vec<String>,
    #[serde(default)]
    pub provider: String,
    /// Provider versions the entry holds for, as a human-readable constraint.
    #[serde(default)]
    pub versions: String,
    /// Why this is a secret, and where that was checked.
    #[serde(default)]
    pub source: String,
    /// Fix text shown with findings on this attribute.
    #[serde(default)]
    pub fix: String,
    /// An empty string is not a secret for most attributes (`client_secret = ""` is the
    /// provider's placeholder); set false where even empty is worth reporting.
    #[serde(default = "yes")]
    pub ignore_empty: bool,
}

fn managed() -> String {
    "managed".to_string()
}
fn yes() -> bool {
    true
}

/// Write-only arguments (Terraform 1.11+): never persisted, so they are safe sinks.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WriteOnly {
    pub resource: String,
    pub arguments: Vec<String>,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub versions: String,
}

/// Section names other modules own. A section not listed here is a typo, reported as such
/// (serde's `deny_unknown_fields` does not combine with `flatten`).
pub const KNOWN_SECTIONS: &[&str] = &[
    "oauth",
    "oauth_schema",
    "scopes",
    "redirect_uris",
    "detectors",
    "hcl",
];

/// One pack file as written. Every section is optional so packs can be small.
#[derive(Debug, Default, Deserialize)]
struct PackFile {
    #[serde(default)]
    secret_attribute: Vec<SecretAttribute>,
    #[serde(default)]
    write_only: Vec<WriteOnly>,
    /// Sections owned by other rule families (oauth scopes, schema, detectors): kept as
    /// TOML tables and typed by the module that reads them.
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Clone)]
pub struct Policy {
    pub secret_attributes: Vec<SecretAttribute>,
    /// Resource type → indexes into `secret_attributes`: looked up for every instance of a
    /// state, where a scan of the whole catalogue cost more than the checks themselves.
    by_type: BTreeMap<String, Vec<usize>>,
    pub write_only: Vec<WriteOnly>,
    /// Resource type → indexes into `write_only` (the generated catalogue has hundreds).
    wo_by_type: BTreeMap<String, Vec<usize>>,
    /// Merged tables of the other sections, by section name (later packs override keys).
    pub sections: BTreeMap<String, toml::Value>,
}

impl Policy {
    pub fn load(packs: &[PolicyPackSrc]) -> Result<Policy, String> {
        let mut policy = Policy::default();
        for pack in packs {
            let file: PackFile = toml::from_str(&pack.contents)
                .map_err(|e| format!("policy pack `{}`: {e}", pack.name))?;
            policy.secret_attributes.extend(file.secret_attribute);
            policy.write_only.extend(file.write_only);
            for (k, v) in file.other {
                if !KNOWN_SECTIONS.contains(&k.as_str()) {
                    return Err(format!(
                        "policy pack `{}`: unknown section `{k}` (known: secret_attribute, write_only, {})",
                        pack.name,
                        KNOWN_SECTIONS.join(", ")
                    ));
                }
                merge_value(
                    policy
                        .sections
                        .entry(k)
                        .or_insert(toml::Value::Table(Default::default())),
                    v,
                );
            }
        }
        for (i, s) in policy.secret_attributes.iter().enumerate() {
            policy
                .by_type
                .entry(s.resource.clone())
                .or_default()
                .push(i);
        }
        for (i, w) in policy.write_only.iter().enumerate() {
            policy
                .wo_by_type
                .entry(w.resource.clone())
                .or_default()
                .push(i);
        }
        Ok(policy)
    }

    /// Catalogue entries for a resource type and mode.
    pub fn secret_attributes_for<'s, 'm>(
        &'s self,
        mode: &'m str,
        rtype: &str,
    ) -> impl Iterator<Item = &'s SecretAttribute> + use<'s, 'm> {
        self.by_type
            .get(rtype)
            .into_iter()
            .flatten()
            .map(|&i| &self.secret_attributes[i])
            .filter(move |s| s.mode == mode)
    }

    /// The catalogue entry that makes `attr` of `rtype` a secret, if any.
    pub fn secret_attribute(
        &self,
        mode: &str,
        rtype: &str,
        attr: &str,
    ) -> Option<&SecretAttribute> {
        self.secret_attributes_for(mode, rtype)
            .find(|s| s.attributes.iter().any(|p| name_matches(p, attr)))
    }

    /// The catalogue entry whose attribute is `attr` of `rtype` or lies inside it (a nested
    /// path starting at `attr`): a reference to `attr` carries that secret.
    pub fn secret_within(&self, mode: &str, rtype: &str, attr: &str) -> Option<&SecretAttribute> {
        self.secret_attributes_for(mode, rtype).find(|s| {
            s.attributes
                .iter()
                .any(|p| name_matches(p, attr) || path_names(p).next() == Some(attr))
        })
    }

    /// `arg` is a write-only argument of `rtype` (a nested one is matched by its last name).
    pub fn is_write_only(&self, rtype: &str, arg: &str) -> bool {
        self.wo_by_type
            .get(rtype)
            .into_iter()
            .flatten()
            .map(|&i| &self.write_only[i])
            .any(|w| {
                w.arguments
                    .iter()
                    .any(|a| a == arg || path_names(a).last() == Some(arg))
            })
    }

    /// Typed view of a section, e.g. `policy.section::<OauthPolicy>("oauth")`.
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, String> {
        match self.sections.get(name) {
            None => Ok(T::default()),
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e| format!("policy section `{name}`: {e}")),
        }
    }
}

/// The packs the host compiles in (`host/src/packs.rs`, same order), for the guest's unit
/// tests; the integration tests read `policies/default/` itself.
#[cfg(test)]
pub(crate) fn default_packs() -> Vec<PolicyPackSrc> {
    [
        (
            "secrets",
            include_str!("../../policies/default/secrets.toml"),
        ),
        (
            "secrets-generated",
            include_str!("../../policies/default/secrets-generated.toml"),
        ),
        ("flows", include_str!("../../policies/default/flows.toml")),
        ("oauth", include_str!("../../policies/default/oauth.toml")),
    ]
    .into_iter()
    .map(|(name, contents)| PolicyPackSrc {
        name: name.into(),
        contents: contents.into(),
    })
    .collect()
}

/// Tables merge key by key; arrays of tables append; anything else is replaced.
fn merge_value(into: &mut toml::Value, from: toml::Value) {
    match (into, from) {
        (toml::Value::Table(a), toml::Value::Table(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge_value(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (toml::Value::Array(a), toml::Value::Array(b))
            if b.first().is_some_and(|v| v.is_table()) =>
        {
            a.extend(b)
        }
        (slot, v) => *slot = v,
    }
}

/// The names of a catalogue path: `a[*].b.c[*]` → `a`, `b`, `c`.
pub fn path_names(pattern: &str) -> impl Iterator<Item = &str> {
    pattern
        .split('.')
        .map(|s| s.trim_end_matches("[*]"))
        .filter(|s| !s.is_empty())
}

/// A catalogue attribute that is a nested path rather than a top-level name.
pub fn is_nested(pattern: &str) -> bool {
    pattern.contains('.') || pattern.contains('[')
}

pub fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(s: &str) -> PolicyPackSrc {
        PolicyPackSrc {
            name: "t".into(),
            contents: s.into(),
        }
    }

    #[test]
    fn later_packs_extend_catalogue() {
        let p = Policy::load(&[
            pack("[[secret_attribute]]\nresource='a'\nattributes=['x']"),
            pack("[[secret_attribute]]\nresource='b'\nattributes=['y*']"),
        ])
        .unwrap();
        assert!(p.secret_attribute("managed", "a", "x").is_some());
        assert!(p.secret_attribute("managed", "b", "y_z").is_some());
        assert!(p.secret_attribute("data", "b", "y_z").is_none());
        assert!(p.secret_attribute("managed", "a", "xx").is_none());
    }

    #[test]
    fn nested_paths_and_write_only_index() {
        let p = Policy::load(&[pack(
            "[[secret_attribute]]\nresource='g'\nattributes=['master_auth[*].client_key']\n[[write_only]]\nresource='g'\narguments=['cfg[*].secret_wo']",
        )])
        .unwrap();
        assert!(p.secret_attribute("managed", "g", "master_auth").is_none());
        assert!(p.secret_within("managed", "g", "master_auth").is_some());
        assert!(p.secret_within("managed", "g", "client_key").is_none());
        assert!(p.is_write_only("g", "secret_wo"));
        assert!(p.is_write_only("g", "cfg[*].secret_wo"));
        assert!(!p.is_write_only("h", "secret_wo"));
        assert_eq!(
            path_names("a[*].b.c[*]").collect::<Vec<_>>(),
            vec!["a", "b", "c"]
        );
    }

    #[test]
    fn bad_pack_names_pack_and_line() {
        let e = Policy::load(&[pack("[[secret_attribute]]\nresource='a'\nattributez=['x']")])
            .unwrap_err();
        assert!(e.contains("policy pack `t`"), "{e}");
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn sections_merge_by_key() {
        let p = Policy::load(&[pack("[oauth]\na = 1\nb = 2"), pack("[oauth]\nb = 3")]).unwrap();
        let t = p.sections["oauth"].as_table().unwrap();
        assert_eq!(t["a"].as_integer(), Some(1));
        assert_eq!(t["b"].as_integer(), Some(3));
    }
}
