//! Native mirror of the WIT types. Rules and tests use these; `export.rs` converts them at the
//! component boundary, so the whole engine also runs (and is tested) natively.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Hcl,
    State,
    Plan,
    Tfvars,
    Detect,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub path: String,
    pub kind: DocKind,
    pub contents: Vec<u8>,
}

impl Document {
    pub fn new(path: impl Into<String>, kind: DocKind, contents: impl Into<Vec<u8>>) -> Self {
        Document {
            path: path.into(),
            kind,
            contents: contents.into(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PolicyPackSrc {
    pub name: String,
    pub contents: String,
}

/// A value read from Vault. `Debug` is written by hand so the value never prints.
#[derive(Clone)]
pub struct KnownSecret {
    pub label: String,
    pub value: String,
}

impl std::fmt::Debug for KnownSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownSecret")
            .field("label", &self.label)
            .field("value", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub packs: Vec<PolicyPackSrc>,
    pub options_json: String,
    pub known_secrets: Vec<KnownSecret>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub reason: String,
    pub origin: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub path: String,
    pub span: Option<Span>,
    pub address: Option<String>,
    pub attribute: Option<String>,
    pub flow: Vec<String>,
    pub remediation: String,
    pub suppressed: Option<Suppression>,
    pub fingerprint: String,
}

impl Finding {
    /// Its place in a report's order (`tfguard_common::order`).
    pub fn order_key(&self) -> tfguard_common::order::FindingKey<'_> {
        tfguard_common::order::FindingKey {
            path: &self.path,
            at: self.span.map(|s| (s.line, s.column)),
            address: self.address.as_deref(),
            attribute: self.attribute.as_deref(),
            rule_id: &self.rule_id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocError {
    pub path: String,
    pub span: Option<Span>,
    pub message: String,
    pub unsupported: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocSummary {
    pub path: String,
    pub recognised_as: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<DocError>,
    pub documents: Vec<DocSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub title: String,
    pub family: String,
    pub default_severity: Severity,
    pub docs: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleDivision {
    pub role_id: String,
    pub division_id: Option<String>,
}

/// A resource instance's address in the parts Terraform state records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResourceAddress {
    pub module: Option<String>,
    pub resource_type: String,
    pub name: String,
    /// The instance's `index_key` as JSON text.
    pub index_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OauthClientSpec {
    pub address: String,
    pub resource: ResourceAddress,
    pub name: String,
    pub description: Option<String>,
    pub authorized_grant_type: String,
    pub scopes: Vec<String>,
    pub registered_redirect_uris: Vec<String>,
    pub roles: Vec<RoleDivision>,
    pub access_token_validity_seconds: u32,
    pub state: String,
    pub vault_mount: Option<String>,
    pub vault_path: Option<String>,
}

/// `tfguard.tfstate` (`oauth::ledger`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub lineage: String,
    pub serial: u64,
    pub entries: Vec<LedgerEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub client: OauthClientSpec,
    pub client_id: Option<String>,
    pub vault_version: Option<u64>,
    pub tainted: bool,
    /// The host's bookkeeping, opaque here.
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct DesiredState {
    pub clients: Vec<OauthClientSpec>,
    pub report: Report,
}

/// Which part of the settings was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsErrorKind {
    Options,
    RuleOptions,
    PolicyPack,
}

/// Settings the guest refuses, typed so the host can point at the config file: the rule and
/// the option key at fault. The message is for people only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    pub kind: SettingsErrorKind,
    pub rule: Option<String>,
    pub key: Option<String>,
    pub message: String,
}

impl SettingsError {
    pub fn options(rule: Option<&str>, message: String) -> Self {
        SettingsError {
            kind: SettingsErrorKind::Options,
            rule: rule.map(str::to_string),
            key: None,
            message,
        }
    }

    /// A rule's options failed to deserialize: the key is the first one serde names.
    pub fn rule_options(rule: &str, detail: &str) -> Self {
        SettingsError {
            kind: SettingsErrorKind::RuleOptions,
            rule: Some(rule.to_string()),
            key: detail.split('`').nth(1).map(str::to_string),
            message: format!("options of {rule}: {detail}"),
        }
    }

    pub fn pack(message: String) -> Self {
        SettingsError {
            kind: SettingsErrorKind::PolicyPack,
            rule: None,
            key: None,
            message,
        }
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// For callers that only report the error (the benchmark, tests).
impl From<SettingsError> for String {
    fn from(e: SettingsError) -> String {
        e.message
    }
}

pub use tfguard_common::fingerprint::fingerprint;
