//! One view of a `genesyscloud_oauth_client`, whether it comes from HCL (values resolved
//! statically, with spans) or from state/plan JSON (values as the provider stored them, with
//! attribute paths). Every OAuth rule checks this view, so HCL and JSON can't disagree.

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Block, Body};
use serde_json::Value;

use crate::hcl::{HclFile, Module};
use crate::state::{Attrs, Instance};
use crate::types::Span;

use super::version::Constraint;

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Object(Vec<(String, Val)>),
    /// Not statically known; the reason is shown as "cannot verify: …".
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Val {
    pub kind: Kind,
    pub span: Option<Span>,
    /// Attribute path, e.g. `scopes[1]`.
    pub path: String,
    /// The expression the value was resolved from (`var.scopes`), when it is not a literal.
    pub via: Option<String>,
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
    fn set_via(&mut self, text: &str) {
        self.via = Some(text.to_string());
        if let Kind::List(items) = &mut self.kind {
            items.iter_mut().for_each(|i| i.set_via(text));
        }
        if let Kind::Object(fields) = &mut self.kind {
            fields.iter_mut().for_each(|(_, v)| v.set_via(text));
        }
    }

    /// ` (from `var.x`)` for a resolved value, so a finding says where the value came from.
    pub fn origin(&self) -> String {
        self.via
            .as_deref()
            .map(|v| format!(" (from `{v}`)"))
            .unwrap_or_default()
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(r) => Some(r),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Num(_) => "number",
            Kind::Str(_) => "string",
            Kind::List(_) => "list",
            Kind::Object(_) => "object",
            Kind::Unknown(_) => "unknown",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Arg {
    pub name: String,
    /// The argument's name in HCL (`key` of `key = value`).
    pub key_span: Option<Span>,
    pub value: Val,
}

/// A nested block (`roles { … }`, `lifecycle { … }`, `dynamic "roles" { … }`).
#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub span: Option<Span>,
    pub args: Vec<Arg>,
    /// `dynamic "x"`: how many and which values is not known statically.
    pub dynamic: bool,
}

/// The module's `required_providers` entry for the Genesys provider.
#[derive(Clone, Debug)]
pub struct ProviderReq {
    pub path: String,
    pub source: Option<(String, Option<Span>)>,
    pub version: Option<(Constraint, Option<Span>)>,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub address: String,
    pub path: String,
    /// `resource "…" "…"` header (HCL), so a suppression comment above the block applies.
    pub span: Option<Span>,
    pub from_hcl: bool,
    pub args: Vec<Arg>,
    pub blocks: Vec<NestedBlock>,
    pub provider: Option<ProviderReq>,
    /// Top-level keys of a JSON instance.
    pub json_keys: Vec<String>,
    /// A plan's future values (`planned_values`, `change.after`) leave out what won't be known
    /// until apply (`after_unknown`): there a missing key is unknown, not unset.
    pub partial: bool,
    /// New (HCL, a plan's create), existing (state, a plan's update or no-op) or not said
    /// (`planned_values`); see `Instance::created`.
    pub created: Option<bool>,
}

/// Stand-in for a JSON value the plan leaves out.
static NOT_IN_PLAN: Val = Val {
    kind: Kind::Unknown(String::new()),
    span: None,
    path: String::new(),
    via: None,
};

/// What a rule gets when it asks for a value.
pub enum Get<'a> {
    Absent,
    Unknown(&'a Val, &'a str),
    Known(&'a Val),
}

impl Client {
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.name == name)
    }

    /// An argument's value; JSON `null` and HCL `null` count as absent.
    pub fn get(&self, name: &str) -> Get<'_> {
        match self.arg(name) {
            None if !self.has_json_key(name) => {
                Get::Unknown(&NOT_IN_PLAN, "the value is not known until apply")
            }
            None => Get::Absent,
            Some(a) => match &a.value.kind {
                Kind::Null => Get::Absent,
                Kind::Unknown(r) => Get::Unknown(&a.value, r),
                _ => Get::Known(&a.value),
            },
        }
    }

    /// A known string argument.
    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Get::Known(v) => v.as_str(),
            _ => None,
        }
    }

    /// False only for a key a plan left out because its value is not known yet.
    pub fn has_json_key(&self, name: &str) -> bool {
        !self.partial || self.json_keys.iter().any(|k| k == name)
    }

    pub fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a NestedBlock> {
        self.blocks.iter().filter(move |b| b.name == name)
    }

    /// Where a finding about the whole client goes: the named argument, else the header.
    pub fn anchor(&self, name: &str) -> (Option<Span>, String) {
        match self.arg(name) {
            Some(a) => (a.key_span.or(a.value.span), name.to_string()),
            None => (self.span, String::new()),
        }
    }
}

/// Turns non-literal expressions into values; the module's evaluator in production.
pub trait Resolver {
    fn resolve(&self, expr: &Expression) -> Result<Value, String>;
}

/// Resolves nothing: every non-literal is "cannot verify".
pub struct LiteralsOnly;

impl Resolver for LiteralsOnly {
    fn resolve(&self, _expr: &Expression) -> Result<Value, String> {
        Err("the value is an expression".into())
    }
}

fn span_of(file: &HclFile, range: Option<std::ops::Range<usize>>) -> Option<Span> {
    range.map(|r| file.lines.span(&file.src, r))
}

fn expr_text(file: &HclFile, e: &Expression) -> String {
    e.span()
        .and_then(|r| file.src.get(r))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// HCL expression → `Val`, keeping spans for literal lists so each element can be pointed at.
pub fn hcl_val(file: &HclFile, e: &Expression, path: &str, r: &dyn Resolver) -> Val {
    let span = span_of(file, e.span());
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => Kind::Num(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => Kind::Str(s.value().to_string()),
        Expression::Parenthesis(p) => return hcl_val(file, p.inner(), path, r),
        Expression::Array(a) => Kind::List(
            a.iter()
                .enumerate()
                .map(|(i, x)| hcl_val(file, x, &format!("{path}[{i}]"), r))
                .collect(),
        ),
        Expression::Object(o) => Kind::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                        ObjectKey::Expression(x) => expr_text(file, x),
                    };
                    let p = format!("{path}.{key}");
                    (key, hcl_val(file, v.expr(), &p, r))
                })
                .collect(),
        ),
        other => match r.resolve(other) {
            Ok(v) => {
                let mut val = json_val(&v, span, path);
                val.set_via(&expr_text(file, other));
                return val;
            }
            Err(why) => Kind::Unknown(format!("`{}`: {why}", expr_text(file, other))),
        },
    };
    Val {
        kind,
        span,
        path: path.to_string(),
        via: None,
    }
}

/// JSON → `Val`; every element shares `span` (JSON documents and resolved expressions).
pub fn json_val(v: &Value, span: Option<Span>, path: &str) -> Val {
    let kind = match v {
        Value::Null => Kind::Null,
        Value::Bool(b) => Kind::Bool(*b),
        Value::Number(n) => Kind::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Kind::Str(s.clone()),
        Value::Array(a) => Kind::List(
            a.iter()
                .enumerate()
                .map(|(i, x)| json_val(x, span, &format!("{path}[{i}]")))
                .collect(),
        ),
        Value::Object(o) => Kind::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), json_val(x, span, &format!("{path}.{k}"))))
                .collect(),
        ),
    };
    Val {
        kind,
        span,
        path: path.to_string(),
        via: None,
    }
}

fn body_args(file: &HclFile, body: &Body, prefix: &str, r: &dyn Resolver) -> Vec<Arg> {
    body.attributes()
        .map(|a| {
            let name = a.key.as_str().to_string();
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            Arg {
                key_span: span_of(file, a.key.span()),
                value: hcl_val(file, &a.value, &path, r),
                name,
            }
        })
        .collect()
}

fn header_span(file: &HclFile, b: &Block) -> Option<Span> {
    // The header runs from the block identifier to its last label.
    let start = b.ident.span()?.start;
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .map(|r| r.end)
        .or_else(|| b.ident.span().map(|r| r.end))?;
    span_of(file, Some(start..end))
}

/// Every `resource "<rtype>" "<name>"` block of a module.
pub fn resource_blocks<'m>(
    m: &'m Module,
    rtype: &'m str,
) -> impl Iterator<Item = (&'m HclFile, &'m Block, String)> + 'm {
    m.files.iter().flat_map(move |f| {
        f.body
            .blocks()
            .filter(move |b| {
                b.ident.as_str() == "resource"
                    && b.labels.len() == 2
                    && b.labels[0].as_str() == rtype
            })
            .map(move |b| (f, b, b.labels[1].as_str().to_string()))
    })
}

/// The OAuth clients a module declares.
pub fn clients_in_module(
    m: &Module,
    rtype: &str,
    local_name: &str,
    r: &dyn Resolver,
) -> Vec<Client> {
    let provider = provider_requirement(m, local_name);
    resource_blocks(m, rtype)
        .map(|(f, b, name)| {
            let mut blocks = Vec::new();
            for nb in b.body.blocks() {
                let (bname, dynamic) = if nb.ident.as_str() == "dynamic" {
                    match nb.labels.first() {
                        Some(l) => (l.as_str().to_string(), true),
                        None => continue,
                    }
                } else {
                    (nb.ident.as_str().to_string(), false)
                };
                let args = if dynamic {
                    // The block's arguments live in `content { … }`, with iterator references.
                    nb.body
                        .get_blocks("content")
                        .next()
                        .map(|c| body_args(f, &c.body, &bname, r))
                        .unwrap_or_default()
                } else {
                    body_args(f, &nb.body, &bname, r)
                };
                blocks.push(NestedBlock {
                    name: bname,
                    span: header_span(f, nb),
                    args,
                    dynamic,
                });
            }
            Client {
                address: format!("{rtype}.{name}"),
                path: f.path.clone(),
                span: header_span(f, b),
                from_hcl: true,
                args: body_args(f, &b.body, "", r),
                blocks,
                provider: provider.clone(),
                json_keys: Vec::new(),
                partial: false,
                created: Some(true),
            }
        })
        .collect()
}

/// `terraform { required_providers { <local_name> = { source, version } } }`, from any file.
pub fn provider_requirement(m: &Module, local_name: &str) -> Option<ProviderReq> {
    for f in &m.files {
        for tf in f.body.get_blocks("terraform") {
            for rp in tf.body.get_blocks("required_providers") {
                let Some(a) = rp.body.get_attribute(local_name) else {
                    continue;
                };
                let mut req = ProviderReq {
                    path: f.path.clone(),
                    source: None,
                    version: None,
                };
                match &a.value {
                    // Legacy `genesyscloud = "1.2.3"`: a version only.
                    Expression::String(s) => {
                        req.version =
                            Some((Constraint::parse(s.value()), span_of(f, a.value.span())))
                    }
                    Expression::Object(o) => {
                        for (k, v) in o.iter() {
                            let key = match k {
                                ObjectKey::Ident(id) => id.as_str(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().as_str(),
                                _ => continue,
                            };
                            let Expression::String(s) = v.expr() else {
                                continue;
                            };
                            let span = span_of(f, v.expr().span());
                            match key {
                                "source" => req.source = Some((s.value().to_string(), span)),
                                "version" => {
                                    req.version = Some((Constraint::parse(s.value()), span))
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                return Some(req);
            }
        }
    }
    None
}

/// A client from a state or plan instance (`None` for other resource types).
pub fn client_from_instance(
    inst: &Instance<'_>,
    rtype: &str,
    block_args: &[&str],
) -> Option<Client> {
    if inst.rtype != rtype || inst.mode != "managed" {
        return None;
    }
    let mut args = Vec::new();
    let mut blocks = Vec::new();
    let mut json_keys = Vec::new();
    // Clients are few: an owned, key-sorted copy keeps the model independent of the document.
    // A legacy flatmap is rebuilt into the same shape (`roles.#`, `roles.<hash>.role_id`).
    let owned = match &inst.attributes {
        Attrs::Json(j) => j.to_value(),
        Attrs::Flat(pairs) => Value::Object(crate::state::flat::unflatten(pairs)),
    };
    if let Value::Object(map) = &owned {
        json_keys.extend(map.keys().cloned());
        for (k, v) in map {
            if block_args.contains(&k.as_str()) {
                if let Value::Array(items) = v {
                    for (i, item) in items.iter().enumerate() {
                        let Value::Object(o) = item else { continue };
                        blocks.push(NestedBlock {
                            name: k.clone(),
                            span: None,
                            args: o
                                .iter()
                                .map(|(bk, bv)| Arg {
                                    name: bk.clone(),
                                    key_span: None,
                                    value: json_val(bv, None, &format!("{k}[{i}].{bk}")),
                                })
                                .collect(),
                            dynamic: false,
                        });
                    }
                }
                continue;
            }
            args.push(Arg {
                name: k.clone(),
                key_span: None,
                value: json_val(v, None, k),
            });
        }
    }
    Some(Client {
        address: inst.address.clone(),
        path: String::new(),
        span: None,
        from_hcl: false,
        args,
        blocks,
        provider: None,
        json_keys,
        partial: inst.origin == "planned_values" || inst.origin.ends_with(".after"),
        created: inst.created,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn module(files: &[(&str, &str)]) -> Module {
        let mut m = Module {
            dir: "t".into(),
            files: Vec::new(),
            tfvars: Vec::new(),
        };
        for (name, text) in files {
            let path = format!("t/{name}");
            let Ok((src, body, lines)) = crate::hcl::parse(&path, text.as_bytes()) else {
                panic!("{name} does not parse")
            };
            m.files.push(HclFile {
                path,
                src,
                body,
                lines,
            });
        }
        m
    }

    #[test]
    fn hcl_client_has_spans_and_values() {
        let m = module(&[(
            "main.tf",
            r#"terraform {
  required_providers {
    genesyscloud = {
      source  = "mikeschaeffer/genesyscloud"
      version = "1.35.0"
    }
  }
}
resource "genesyscloud_oauth_client" "a" {
  name   = "x"
  scopes = ["users", var.s]
  roles {
    role_id = "r"
  }
  dynamic "roles" {
    for_each = var.r
    content { role_id = roles.value }
  }
}
"#,
        )]);
        let cs = clients_in_module(
            &m,
            "genesyscloud_oauth_client",
            "genesyscloud",
            &LiteralsOnly,
        );
        assert_eq!(cs.len(), 1);
        let c = &cs[0];
        assert_eq!(c.address, "genesyscloud_oauth_client.a");
        assert_eq!(c.span.map(|s| (s.line, s.column)), Some((9, 1)));
        let Get::Known(v) = c.get("scopes") else {
            panic!()
        };
        let Kind::List(items) = &v.kind else { panic!() };
        assert_eq!(items[0].as_str(), Some("users"));
        assert_eq!(items[0].span.map(|s| (s.line, s.column)), Some((11, 13)));
        assert!(items[1].unknown_reason().unwrap().contains("var.s"));
        assert_eq!(items[1].path, "scopes[1]");
        assert_eq!(c.blocks_named("roles").count(), 2);
        assert!(c.blocks.iter().any(|b| b.dynamic));
        let p = c.provider.as_ref().unwrap();
        assert_eq!(p.source.as_ref().unwrap().0, "mikeschaeffer/genesyscloud");
        assert_eq!(p.source.as_ref().unwrap().1.map(|s| s.line), Some(4));
        assert_eq!(p.version.as_ref().unwrap().0.raw, "1.35.0");
    }
}
