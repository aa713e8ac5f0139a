//! Genesys Cloud OAuth clients: the shared half of rules TFG020–TFG049 and of `desired_clients`.
//!
//! `data` types the policy sections, `uri`/`scopes`/`version` are pure functions over one value,
//! `model` turns HCL or state JSON into one `Client` view. A rule implements [`ClientCheck`] and
//! the [`client_rule!`] macro wires it to both HCL modules and state/plan instances.

pub mod clients;
pub mod data;
pub mod model;
pub mod scopes;
pub mod uri;
pub mod version;

use serde::de::DeserializeOwned;

use crate::hcl::Module;
use crate::rules::{Ctx, Hit, RuleMeta, Sink};
use crate::state::Instance;
use crate::types::{Severity, Span};

pub use data::OauthData;
pub use model::{Client, Get, Kind, Val};

/// A check over one client; `client_rule!` runs it for HCL and for state/plan.
pub trait ClientCheck {
    fn check_client(&self, cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>);

    /// Also check a plan's past values (`prior_state`, `change.before`, `resource_drift`).
    /// Configuration rules look only at what the plan will make (a plan that fixes a scope
    /// passes); rules about what a state file holds look at every copy.
    fn past_values(&self) -> bool {
        false
    }
}

/// Is this instance copy a plan's past rather than its future?
pub fn is_past(origin: &str) -> bool {
    origin.starts_with("prior_state")
        || origin.starts_with("resource_drift")
        || origin.ends_with(".before")
}

/// Reports findings about one client.
pub struct Emit<'a, 's> {
    pub meta: &'static RuleMeta,
    pub out: &'a mut Sink<'s>,
    pub path: &'a str,
    pub address: &'a str,
}

impl Emit<'_, '_> {
    pub fn report(
        &mut self,
        severity: Option<Severity>,
        span: Option<Span>,
        attribute: &str,
        message: String,
        fix: String,
    ) {
        self.out.report(
            self.meta,
            Hit {
                message,
                path: self.path.to_string(),
                span,
                address: Some(self.address.to_string()),
                attribute: (!attribute.is_empty()).then(|| attribute.to_string()),
                remediation: fix,
                severity,
                ..Hit::default()
            },
        );
    }

    /// A finding at the rule's default severity.
    pub fn at(&mut self, span: Option<Span>, attribute: &str, message: String, fix: String) {
        self.report(None, span, attribute, message, fix);
    }

    /// An info-level "cannot verify": the value is not statically known, never a silent pass.
    pub fn cannot_verify(&mut self, v: &Val, what: &str, reason: &str) {
        self.report(
            Some(Severity::Info),
            v.span,
            &v.path,
            format!("cannot verify {what}: {reason}"),
            "Use a literal, a variable with a default or tfvars value, or a local, so tfguard can check it; or check the plan JSON (`terraform show -json plan.out`).".into(),
        );
    }
}

/// Load the OAuth data; a broken pack becomes an error finding rather than a silent pass.
pub fn load_data(
    cx: &Ctx<'_>,
    meta: &'static RuleMeta,
    path: &str,
    out: &mut Sink,
) -> Option<std::rc::Rc<OauthData>> {
    match cx.memo.oauth(cx.policy) {
        Ok(d) => Some(d),
        Err(e) => {
            out.report(
                meta,
                Hit {
                    message: format!("cannot run {}: {e}", meta.id),
                    path: path.to_string(),
                    remediation: "Fix the policy pack.".into(),
                    severity: Some(Severity::Error),
                    ..Hit::default()
                },
            );
            None
        }
    }
}

/// A rule's options from `.tfguard.hcl`, strictly typed: a typo is an error finding, not a
/// silently ignored setting (`Options::rule` falls back to the default).
pub fn rule_options<T: DeserializeOwned + Default>(
    cx: &Ctx<'_>,
    meta: &'static RuleMeta,
    path: &str,
    out: &mut Sink,
) -> Option<T> {
    match cx.options.rules.get(meta.id) {
        None => Some(T::default()),
        Some(v) => match serde_json::from_value(v.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                out.report(
                    meta,
                    Hit {
                        message: format!("invalid options for {}: {e}", meta.id),
                        path: path.to_string(),
                        remediation: format!("See `tfguard explain {}` for its options.", meta.id),
                        severity: Some(Severity::Error),
                        ..Hit::default()
                    },
                );
                None
            }
        },
    }
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

pub fn run_module<C: ClientCheck>(
    rule: &C,
    meta: &'static RuleMeta,
    cx: &Ctx<'_>,
    m: &Module,
    out: &mut Sink,
) {
    if !m.files.iter().any(|f| f.src.contains("resource")) {
        return;
    }
    let Some(d) = load_data(cx, meta, &m.dir, out) else {
        return;
    };
    if !m.files.iter().any(|f| f.src.contains(d.resource())) {
        return;
    }
    let clients = cx.memo.module_clients(m, || module_clients(&d, m));
    for c in clients.iter() {
        let mut e = Emit {
            meta,
            out,
            path: &c.path,
            address: &c.address,
        };
        rule.check_client(cx, &d, c, &mut e);
    }
}

pub fn run_instance<C: ClientCheck>(
    rule: &C,
    meta: &'static RuleMeta,
    cx: &Ctx<'_>,
    path: &str,
    inst: &Instance<'_>,
    out: &mut Sink,
) {
    // Cheap test first: most instances are of other types, and typing the whole pack per
    // instance would cost more than the checks.
    if inst.rtype != cx.memo.oauth_resource(cx.policy) {
        return;
    }
    if is_past(&inst.origin) && !rule.past_values() {
        return;
    }
    let Some(d) = load_data(cx, meta, path, out) else {
        return;
    };
    let Some(c) = cx
        .memo
        .client(|| model::client_from_instance(inst, d.resource(), &block_args(&d)))
    else {
        return;
    };
    let mut e = Emit {
        meta,
        out,
        path,
        address: &c.address,
    };
    rule.check_client(cx, &d, &c, &mut e);
}

/// Implements `Rule` for a `ClientCheck` with a static `META`.
#[macro_export]
macro_rules! client_rule {
    ($ty:ty, $meta:expr, $opts:ty) => {
        $crate::client_rule!(@impl $ty, $meta, fn check_options(&self, v: &serde_json::Value) -> Result<(), String> {
            $crate::rules::typed_options::<$opts>(v)
        } fn takes_options(&self) -> bool { true });
    };
    ($ty:ty, $meta:expr) => {
        $crate::client_rule!(@impl $ty, $meta,);
    };
    (@impl $ty:ty, $meta:expr, $($options:item)*) => {
        impl $crate::rules::Rule for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &$meta
            }
            $($options)*
            fn check_instance(
                &self,
                cx: &$crate::rules::Ctx<'_>,
                path: &str,
                inst: &$crate::state::Instance<'_>,
                out: &mut $crate::rules::Sink,
            ) {
                $crate::oauth::run_instance(self, &$meta, cx, path, inst, out)
            }
            fn check_module(
                &self,
                cx: &$crate::rules::Ctx<'_>,
                m: &$crate::hcl::Module,
                out: &mut $crate::rules::Sink,
            ) {
                $crate::oauth::run_module(self, &$meta, cx, m, out)
            }
        }
    };
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
    patterns.iter().any(|p| crate::suppress::glob(p, address))
}
