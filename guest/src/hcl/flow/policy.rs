//! The packs' `[hcl]` section: what names a secret, which generators and data sources
//! produce one, and how a sink is fixed.

use super::*;

/// The `[hcl]` section of the policy packs (`policies/default/flows.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowPolicy {
    /// Argument names that hold secrets: a name matches if it equals one or ends in `_<name>`.
    #[serde(default)]
    pub secret_argument_names: Vec<String>,
    /// Names that mark a secret only as the suffix of a longer name: `client_secret` holds a
    /// secret, but a bare `secret` argument is usually the secret's id or name
    /// (`google_secret_manager_secret_version.secret`).
    #[serde(default)]
    pub suffix_only_names: Vec<String>,
    /// Literal values that are placeholders, not secrets (compared case-insensitively).
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Functions whose result does not carry their arguments' value (`length`, …).
    #[serde(default)]
    pub sanitizers: Vec<String>,
    /// Catalogued attributes that are secrets only when they reach a secret-named argument
    /// (`random_string` is often a name suffix).
    #[serde(default)]
    pub name_only_sources: Vec<String>,
    #[serde(default)]
    pub generator: Vec<Generator>,
    #[serde(default)]
    pub secret_data_source: Vec<SecretDataSource>,
    #[serde(default)]
    pub sink_fix: Vec<SinkFix>,
}

/// A managed resource that generates a secret and keeps it in state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub resource: String,
    pub attributes: Vec<String>,
    /// The ephemeral replacement, e.g. `ephemeral "random_password"`; empty when there is none
    /// (then `fix` says what to do).
    #[serde(default)]
    pub ephemeral: String,
    /// Versions the replacement needs.
    #[serde(default)]
    pub requires: String,
    /// An argument that, when set to a value, keeps the secret out of state (`pgp_key`: the
    /// provider stores only ciphertext).
    #[serde(default)]
    pub unless_set: Option<String>,
    /// What to do instead, for a generator without an ephemeral replacement.
    #[serde(default)]
    pub fix: String,
}

/// A data source whose attributes hold secrets (beyond the `secret_attribute` catalogue).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretDataSource {
    pub resource: String,
    /// Empty = every attribute.
    #[serde(default)]
    pub attributes: Vec<String>,
    #[serde(default)]
    pub fix: String,
}

/// Fix text for a sink argument that has no write-only twin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkFix {
    pub resource: String,
    pub arguments: Vec<String>,
    pub fix: String,
}

impl FlowPolicy {
    pub fn load(policy: &Policy) -> Result<FlowPolicy, String> {
        policy.section::<FlowPolicy>("hcl")
    }

    /// `client_secret`, `db_password`, `token` …, but not `secret_id` or `token_ttl`.
    pub fn is_secret_name(&self, name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        if self.suffix_only_names.contains(&n) {
            return false;
        }
        self.secret_argument_names
            .iter()
            .chain(&self.suffix_only_names)
            .any(|s| {
                n == *s
                    || n.strip_suffix(s.as_str())
                        .is_some_and(|head| head.ends_with('_'))
            })
    }

    /// A literal that looks like a real secret: non-empty, not a placeholder.
    pub fn is_secret_literal(&self, value: &str) -> bool {
        let v = value.trim();
        if v.chars().count() < 4 {
            return false;
        }
        let lower = v.to_ascii_lowercase();
        if self.placeholders.contains(&lower) {
            return false;
        }
        let first = lower.chars().next().unwrap_or(' ');
        if lower.chars().all(|c| c == first) || (v.starts_with('<') && v.ends_with('>')) {
            return false;
        }
        // References written as strings (`${…}`, `$ENV_NAME`, `env:NAME`) are not values;
        // `$tr0ngP@s$w0rd` is.
        let env_ref = v.strip_prefix('$').is_some_and(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        !(v.starts_with("${") || env_ref || v.starts_with("env:"))
    }
}
