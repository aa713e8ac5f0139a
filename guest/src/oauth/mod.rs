//! Genesys Cloud OAuth clients: the shared half of rules TFG020–TFG049 and of `desired_clients`.
//!
//! `data` types the policy sections, `uri`/`scopes`/`version` are pure functions over one value,
//! `model` turns HCL or state JSON into one `Client` view. A rule implements [`ClientCheck`] and
//! the [`client_rule!`] macro wires it to both HCL modules and state/plan instances.

pub mod clients;
pub mod data;
pub mod ledger;
pub mod model;
pub mod scopes;
pub mod uri;
pub mod version;

use crate::hcl::Module;

pub use data::OauthData;
pub use model::{Client, Get, Kind, Val};

/// Is this instance copy a plan's past rather than its future?
pub fn is_past(origin: &str) -> bool {
    origin.starts_with("prior_state")
        || origin.starts_with("resource_drift")
        || origin.ends_with(".before")
}

/// The clients of an HCL module, values resolved with the module's evaluator.
pub fn module_clients(d: &OauthData, m: &Module) -> Vec<Client> {
    let idx = crate::hcl::ModuleIndex::new(m);
    let eval = crate::hcl::Evaluator::new(&idx);
    model::clients_in_module(m, d.resource(), d.provider_local_name(), &Evaluated(&eval))
}

/// Values of variables, locals and functions, from the module's static evaluator.
struct Evaluated<'a, 'b, 'm>(&'b crate::hcl::Evaluator<'a, 'm>);

impl model::Resolver for Evaluated<'_, '_, '_> {
    fn resolve(&self, expr: &hcl::edit::expr::Expression) -> Result<serde_json::Value, String> {
        match self.0.resolve(expr) {
            crate::hcl::Resolved::Known(v) => Ok(v),
            crate::hcl::Resolved::Unknown { reason } => Err(reason),
        }
    }
}

/// Block-typed arguments of the schema (JSON stores them as lists of objects).
pub fn block_args(d: &OauthData) -> Vec<&str> {
    d.schema
        .argument
        .iter()
        .filter(|a| a.ty == "block_set")
        .map(|a| a.name.as_str())
        .collect()
}

/// The string elements of a list argument, each with its `Val` (unknown elements included).
pub fn list_items<'a>(c: &'a Client, name: &str) -> ListView<'a> {
    match c.get(name) {
        Get::Absent => ListView::Absent,
        Get::Unknown(v, r) => ListView::Unknown(v, r),
        Get::Known(v) => match &v.kind {
            Kind::List(items) => ListView::Items(v, items),
            _ => ListView::NotAList(v),
        },
    }
}

pub enum ListView<'a> {
    Absent,
    Unknown(&'a Val, &'a str),
    Items(&'a Val, &'a [Val]),
    NotAList(&'a Val),
}

impl ListView<'_> {
    /// Known to be empty or absent.
    pub fn is_empty(&self) -> bool {
        match self {
            ListView::Absent => true,
            ListView::Items(_, items) => items.is_empty(),
            _ => false,
        }
    }
}

/// Does `address` match one of the patterns (`*` = any run of characters)? For per-client
/// exemptions.
pub fn address_matches(patterns: &[String], address: &str) -> bool {
    patterns.iter().any(|p| crate::glob::glob(p, address))
}
