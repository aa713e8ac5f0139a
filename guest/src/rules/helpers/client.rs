//! Plumbing for the Genesys OAuth client rules (TFG020–TFG049): a rule implements
//! `ClientCheck` over one client model, and `client_rule!` runs it on HCL modules and on state
//! and plan instances. The client model itself is domain code in `crate::oauth`.

use serde::de::DeserializeOwned;

use crate::hcl::Module;
use crate::oauth::model;
use crate::oauth::{Client, OauthData, Val, block_args, is_past, module_clients};
use crate::rules::{Ctx, Hit, RuleMeta, Sink};
use crate::state::Instance;
use crate::types::{Severity, Span};

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
                $crate::rules::helpers::client::run_instance(self, &$meta, cx, path, inst, out)
            }
            fn check_module(
                &self,
                cx: &$crate::rules::Ctx<'_>,
                m: &$crate::hcl::Module,
                out: &mut $crate::rules::Sink,
            ) {
                $crate::rules::helpers::client::run_module(self, &$meta, cx, m, out)
            }
        }
    };
}
