//! A static evaluator for HCL expressions: what a value is *before* `terraform plan`, as far as
//! the configuration alone decides it.
//!
//! ```ignore
//! let idx = ModuleIndex::new(&module);
//! let ev = Evaluator::new(&idx);
//! let item = idx.get("genesyscloud_oauth_client.my_app").unwrap();
//! let (expr, loc) = item.attr("registered_redirect_uris").unwrap();
//! match ev.resolve(expr) {
//!     Resolved::Known(serde_json::Value::Array(uris)) => { /* check each */ }
//!     Resolved::Known(_) => { /* wrong type */ }
//!     Resolved::Unknown { reason } => { /* report "cannot verify: {reason}" at `loc` (info) */ }
//! }
//! ```
//! Resolved: literals, template strings and heredocs, `var.*` (caller input → `-var-file` →
//! `*.auto.tfvars[.json]` → `terraform.tfvars.json` → `terraform.tfvars` → `default`, highest
//! first), `local.*` chains,
//! indexing/attribute access/splats on known values, `for` expressions over known
//! collections, conditionals with a known condition, arithmetic/comparison/logic, and the
//! functions listed in [`super::functions::call`]. Anything else (resource attributes, `each`, `count`, `path`,
//! unknown functions) is `Unknown` with a reason that can be shown to the user.

use std::cell::RefCell;
use std::collections::BTreeMap;

use hcl::edit::expr::{
    Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl::edit::template::{Directive, Element, Template};
use serde_json::{Map, Value};

use super::functions::{R, binary, call, entries, float, index, num, stringify};
use super::model::{ItemKind, ModuleIndex};

/// The result of static evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    Known(Value),
    /// Not decidable from the configuration; `reason` says why, in words for a finding.
    Unknown {
        reason: String,
    },
}

impl Resolved {
    pub fn unknown(reason: impl Into<String>) -> Resolved {
        Resolved::Unknown {
            reason: reason.into(),
        }
    }
    pub fn known(&self) -> Option<&Value> {
        match self {
            Resolved::Known(v) => Some(v),
            Resolved::Unknown { .. } => None,
        }
    }
    /// The value as a string if it is a known string.
    pub fn as_str(&self) -> Option<&str> {
        self.known().and_then(Value::as_str)
    }
}

/// Bindings of `for` expression variables, innermost last.
type Scope = Vec<(String, Value)>;

const MAX_DEPTH: u32 = 256;

/// Evaluates expressions of one module. Cheap to create.
pub struct Evaluator<'a, 'm> {
    idx: &'a ModuleIndex<'m>,
    /// Values a caller passes into this module (`module "x" { name = ... }`), already resolved
    /// in the caller. Take precedence over everything else.
    inputs: BTreeMap<String, Resolved>,
    /// Values from tfvars files, later files already applied over earlier ones.
    tfvars: BTreeMap<String, Resolved>,
    /// Evaluated locals: without it, `a = [local.b, local.b]` chains are exponential.
    memo: RefCell<BTreeMap<String, R>>,
}

/// Shorthand for `Evaluator::new(idx).resolve(expr)`.
pub fn resolve(idx: &ModuleIndex<'_>, expr: &Expression) -> Resolved {
    Evaluator::new(idx).resolve(expr)
}

impl<'a, 'm> Evaluator<'a, 'm> {
    /// An evaluator for a root module: variables come from its tfvars files and defaults.
    pub fn new(idx: &'a ModuleIndex<'m>) -> Self {
        let mut tfvars = BTreeMap::new();
        for file in idx.tfvars_in_order() {
            for a in file.body.attributes() {
                let v = match eval_const(&a.value) {
                    Ok(v) => Resolved::Known(v),
                    Err(reason) => Resolved::Unknown {
                        reason: format!("{} sets `{}` to {reason}", file.path, a.key.as_str()),
                    },
                };
                tfvars.insert(a.key.as_str().to_string(), v);
            }
        }
        Evaluator {
            idx,
            inputs: BTreeMap::new(),
            tfvars,
            memo: RefCell::new(BTreeMap::new()),
        }
    }

    /// An evaluator for a child module called with `inputs` (argument name → value resolved in
    /// the caller). Child modules do not read tfvars files.
    pub fn with_inputs(idx: &'a ModuleIndex<'m>, inputs: BTreeMap<String, Resolved>) -> Self {
        Evaluator {
            idx,
            inputs,
            tfvars: BTreeMap::new(),
            memo: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn index(&self) -> &'a ModuleIndex<'m> {
        self.idx
    }

    /// Statically evaluate `expr` in this module.
    pub fn resolve(&self, expr: &Expression) -> Resolved {
        to_resolved(self.eval(expr, &mut Vec::new(), 0))
    }

    /// The value of input variable `name`.
    pub fn var(&self, name: &str) -> Resolved {
        to_resolved(self.var_value(name, 0))
    }

    /// The value of `local.name`.
    pub fn local(&self, name: &str) -> Resolved {
        to_resolved(self.local_value(name, 0))
    }

    fn var_value(&self, name: &str, depth: u32) -> R {
        if let Some(r) = self.inputs.get(name).or_else(|| self.tfvars.get(name)) {
            return match r {
                Resolved::Known(v) => Ok(v.clone()),
                Resolved::Unknown { reason } => Err(reason.clone()),
            };
        }
        let Some(item) = self.idx.get(&format!("var.{name}")) else {
            return Err(format!("variable `{name}` is not declared"));
        };
        match item.attr("default") {
            Some((e, _)) => self.eval(e, &mut Vec::new(), depth + 1),
            None => Err(format!(
                "`var.{name}` has no default and is not set in terraform.tfvars, *.auto.tfvars or a -var-file"
            )),
        }
    }

    fn local_value(&self, name: &str, depth: u32) -> R {
        if let Some(r) = self.memo.borrow().get(name) {
            return r.clone();
        }
        let r = self.local_value_uncached(name, depth);
        self.memo.borrow_mut().insert(name.to_string(), r.clone());
        r
    }

    fn local_value_uncached(&self, name: &str, depth: u32) -> R {
        match self.idx.get(&format!("local.{name}")) {
            Some(item) if item.kind == ItemKind::Local => match item.local_expr() {
                Some(e) => self.eval(e, &mut Vec::new(), depth + 1),
                None => Err(format!("`local.{name}` has no value")),
            },
            _ => Err(format!("`local.{name}` is not declared")),
        }
    }

    fn eval(&self, e: &Expression, scope: &mut Scope, depth: u32) -> R {
        if depth > MAX_DEPTH {
            return Err("the expression nests too deeply (or refers to itself)".into());
        }
        let d = depth + 1;
        match e {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(num(n.value())),
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(a) => a
                .iter()
                .map(|x| self.eval(x, scope, d))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Expression::Object(o) => {
                let mut m = Map::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(ke) => match self.eval(ke, scope, d)? {
                            Value::String(s) => s,
                            other => stringify(&other)?,
                        },
                    };
                    m.insert(key, self.eval(v.expr(), scope, d)?);
                }
                Ok(Value::Object(m))
            }
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for el in t.iter() {
                    self.element(el, scope, d, &mut out)?;
                }
                Ok(Value::String(out))
            }
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() {
                    h.dedent();
                }
                let mut out = String::new();
                self.template(&h.template, scope, d, &mut out)?;
                Ok(Value::String(out))
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope, d),
            Expression::Variable(v) => {
                let name = v.as_str();
                match scope.iter().rev().find(|(n, _)| n == name) {
                    Some((_, v)) => Ok(v.clone()),
                    None => Err(format!("`{name}` is not a value known before apply")),
                }
            }
            Expression::Conditional(c) => match self.eval(&c.cond_expr, scope, d)? {
                Value::Bool(true) => self.eval(&c.true_expr, scope, d),
                Value::Bool(false) => self.eval(&c.false_expr, scope, d),
                _ => Err("the condition is not a boolean".into()),
            },
            Expression::FuncCall(f) => {
                if f.name.is_namespaced() {
                    return Err(format!(
                        "provider function `{}` is not evaluated",
                        f.name.name.as_str()
                    ));
                }
                let name = f.name.name.as_str();
                // `try`/`can` catch failures of their arguments, so evaluate lazily.
                if name == "try" {
                    let mut last = Err("try() has no arguments".to_string());
                    for a in f.args.iter() {
                        last = self.eval(a, scope, d);
                        if last.is_ok() {
                            return last;
                        }
                    }
                    return last;
                }
                if name == "can" {
                    return Err("can() depends on values known only at plan time".into());
                }
                let mut args = f
                    .args
                    .iter()
                    .map(|a| self.eval(a, scope, d))
                    .collect::<Result<Vec<_>, _>>()?;
                if f.args.expand_final() {
                    match args.pop() {
                        Some(Value::Array(rest)) => args.extend(rest),
                        _ => return Err(format!("{name}(...) expands a non-list")),
                    }
                }
                call(name, &args)
            }
            Expression::Traversal(t) => self.traversal(t, scope, d),
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, scope, d)?;
                match (u.operator.value(), v) {
                    (UnaryOperator::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                    (UnaryOperator::Neg, Value::Number(n)) => Ok(float(-n.as_f64().unwrap_or(0.0))),
                    _ => Err("operand of the wrong type".into()),
                }
            }
            Expression::BinaryOp(b) => {
                let op = *b.operator.value();
                let l = self.eval(&b.lhs_expr, scope, d)?;
                // Short-circuit as HCL does not, but the result is the same for known values.
                let r = self.eval(&b.rhs_expr, scope, d)?;
                binary(op, &l, &r)
            }
            Expression::ForExpr(f) => self.for_expr(f, scope, d),
        }
    }

    fn template(
        &self,
        t: &Template,
        scope: &mut Scope,
        d: u32,
        out: &mut String,
    ) -> Result<(), String> {
        for el in t.iter() {
            self.element(el, scope, d, out)?;
        }
        Ok(())
    }

    fn element(
        &self,
        el: &Element,
        scope: &mut Scope,
        d: u32,
        out: &mut String,
    ) -> Result<(), String> {
        match el {
            Element::Literal(s) => out.push_str(s.value()),
            Element::Interpolation(i) => out.push_str(&stringify(&self.eval(&i.expr, scope, d)?)?),
            Element::Directive(dir) => match &**dir {
                Directive::If(ifd) => match self.eval(&ifd.if_expr.cond_expr, scope, d)? {
                    Value::Bool(true) => self.template(&ifd.if_expr.template, scope, d, out)?,
                    Value::Bool(false) => {
                        if let Some(e) = &ifd.else_expr {
                            self.template(&e.template, scope, d, out)?;
                        }
                    }
                    _ => return Err("%{if} condition is not a boolean".into()),
                },
                Directive::For(ford) => {
                    let fe = &ford.for_expr;
                    let coll = self.eval(&fe.collection_expr, scope, d)?;
                    for (k, v) in entries(&coll)? {
                        let n = scope.len();
                        if let Some(kv) = &fe.key_var {
                            scope.push((kv.as_str().to_string(), k));
                        }
                        scope.push((fe.value_var.as_str().to_string(), v));
                        let r = self.template(&fe.template, scope, d, out);
                        scope.truncate(n);
                        r?;
                    }
                }
            },
        }
        Ok(())
    }

    fn for_expr(&self, f: &ForExpr, scope: &mut Scope, d: u32) -> R {
        let coll = self.eval(&f.intro.collection_expr, scope, d)?;
        let mut list = Vec::new();
        let mut obj = Map::new();
        for (k, v) in entries(&coll)? {
            let n = scope.len();
            if let Some(kv) = &f.intro.key_var {
                scope.push((kv.as_str().to_string(), k));
            }
            scope.push((f.intro.value_var.as_str().to_string(), v));
            let r = (|| -> Result<(), String> {
                if let Some(c) = &f.cond {
                    match self.eval(&c.expr, scope, d)? {
                        Value::Bool(true) => {}
                        Value::Bool(false) => return Ok(()),
                        _ => return Err("for condition is not a boolean".into()),
                    }
                }
                let val = self.eval(&f.value_expr, scope, d)?;
                match &f.key_expr {
                    None => list.push(val),
                    Some(ke) => {
                        let key = stringify(&self.eval(ke, scope, d)?)?;
                        if f.grouping {
                            match obj.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                                Value::Array(a) => a.push(val),
                                _ => return Err("for grouping on a non-list".into()),
                            }
                        } else {
                            obj.insert(key, val);
                        }
                    }
                }
                Ok(())
            })();
            scope.truncate(n);
            r?;
        }
        Ok(match f.key_expr {
            None => Value::Array(list),
            Some(_) => Value::Object(obj),
        })
    }

    fn traversal(&self, t: &Traversal, scope: &mut Scope, d: u32) -> R {
        let mut ops = t.operators.iter().map(|o| o.value()).peekable();
        let base = match &t.expr {
            Expression::Variable(v) if !scope.iter().any(|(n, _)| n == v.as_str()) => {
                let root = v.as_str();
                match root {
                    "var" | "local" => {
                        let Some(TraversalOperator::GetAttr(name)) = ops.next() else {
                            return Err(format!("`{root}` must be followed by a name"));
                        };
                        if root == "var" {
                            self.var_value(name.as_str(), d)?
                        } else {
                            self.local_value(name.as_str(), d)?
                        }
                    }
                    _ => return Err(format!("{} is known only after apply", describe(t))),
                }
            }
            other => self.eval(other, scope, d)?,
        };
        let rest: Vec<&TraversalOperator> = ops.collect();
        self.apply_ops(base, &rest, scope, d)
    }

    fn apply_ops(&self, mut v: Value, ops: &[&TraversalOperator], scope: &mut Scope, d: u32) -> R {
        for (i, op) in ops.iter().enumerate() {
            v = match op {
                TraversalOperator::GetAttr(name) => match v {
                    Value::Object(mut m) => m
                        .remove(name.as_str())
                        .ok_or_else(|| format!("no attribute `{}`", name.as_str()))?,
                    _ => return Err(format!("`.{}` on a non-object", name.as_str())),
                },
                TraversalOperator::Index(ie) => {
                    let key = self.eval(ie, scope, d)?;
                    index(v, &key)?
                }
                TraversalOperator::LegacyIndex(n) => index(v, &Value::from(*n.value()))?,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match v {
                        Value::Array(a) => a,
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    let mapped = items
                        .into_iter()
                        .map(|x| self.apply_ops(x, rest, scope, d))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Ok(Value::Array(mapped));
                }
            };
        }
        Ok(v)
    }
}

/// Evaluate an expression that may not refer to anything (tfvars values).
pub fn eval_const(e: &Expression) -> Result<Value, String> {
    let m = super::Module {
        dir: String::new(),
        files: Vec::new(),
        tfvars: Vec::new(),
    };
    let idx = ModuleIndex::new(&m);
    let ev = Evaluator {
        idx: &idx,
        inputs: BTreeMap::new(),
        tfvars: BTreeMap::new(),
        memo: RefCell::new(BTreeMap::new()),
    };
    ev.eval(e, &mut Vec::new(), 0)
}

fn to_resolved(r: R) -> Resolved {
    match r {
        Ok(v) => Resolved::Known(v),
        Err(reason) => Resolved::Unknown { reason },
    }
}

/// A traversal as source-like text, for reasons (`random_password.x.result`).
pub fn describe(t: &Traversal) -> String {
    let mut s = match &t.expr {
        Expression::Variable(v) => v.as_str().to_string(),
        _ => "(expression)".to_string(),
    };
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(n) => {
                s.push('.');
                s.push_str(n.as_str());
            }
            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => s.push_str("[…]"),
            TraversalOperator::AttrSplat(_) => s.push_str(".*"),
            TraversalOperator::FullSplat(_) => s.push_str("[*]"),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::test_module;
    use serde_json::json;

    fn eval_local(files: &[(&str, &str)], name: &str) -> Resolved {
        let m = test_module("t", files);
        let idx = ModuleIndex::new(&m);
        Evaluator::new(&idx).local(name)
    }

    #[test]
    fn literals_templates_and_functions() {
        let src = r#"
locals {
  region = "eu"
  host   = "api.${local.region}.example.com"
  uris   = concat(["https://${local.host}/cb"], tolist(["http://localhost:8080/cb"]))
  scopes = toset(["users:readonly", "analytics:readonly", "users:readonly"])
  j      = jsonencode({ a = 1, b = [true, null] })
  f      = format("%s-%d", upper("x"), 3)
  joined = join(",", local.scopes)
  pick   = local.region == "eu" ? "login.mypurecloud.ie" : "login.mypurecloud.com"
  lst    = [for s in local.scopes : lower(s) if s != "users:readonly"]
  m      = { for k, v in { a = 1, b = 2 } : k => v * 10 }
  h      = <<-EOT
    hello ${local.region}
    EOT
  idx    = local.uris[1]
  spl    = [{ n = "a" }, { n = "b" }][*].n
}
"#;
        let files = [("main.tf", src)];
        assert_eq!(
            eval_local(&files, "host"),
            Resolved::Known(json!("api.eu.example.com"))
        );
        assert_eq!(
            eval_local(&files, "uris"),
            Resolved::Known(json!([
                "https://api.eu.example.com/cb",
                "http://localhost:8080/cb"
            ]))
        );
        assert_eq!(
            eval_local(&files, "scopes"),
            Resolved::Known(json!(["analytics:readonly", "users:readonly"]))
        );
        assert_eq!(
            eval_local(&files, "j"),
            Resolved::Known(json!(r#"{"a":1,"b":[true,null]}"#))
        );
        assert_eq!(eval_local(&files, "f"), Resolved::Known(json!("X-3")));
        assert_eq!(
            eval_local(&files, "joined"),
            Resolved::Known(json!("analytics:readonly,users:readonly"))
        );
        assert_eq!(
            eval_local(&files, "pick"),
            Resolved::Known(json!("login.mypurecloud.ie"))
        );
        assert_eq!(
            eval_local(&files, "lst"),
            Resolved::Known(json!(["analytics:readonly"]))
        );
        assert_eq!(
            eval_local(&files, "m"),
            Resolved::Known(json!({"a": 10, "b": 20}))
        );
        assert_eq!(
            eval_local(&files, "h"),
            Resolved::Known(json!("hello eu\n"))
        );
        assert_eq!(
            eval_local(&files, "idx"),
            Resolved::Known(json!("http://localhost:8080/cb"))
        );
        assert_eq!(
            eval_local(&files, "spl"),
            Resolved::Known(json!(["a", "b"]))
        );
    }

    #[test]
    fn variables_follow_terraform_precedence() {
        let tf = r#"
variable "a" { default = "from-default" }
variable "b" { default = "from-default" }
variable "c" { default = "from-default" }
variable "d" { default = "from-default" }
variable "e" {}
locals { all = [var.a, var.b, var.c, var.d] }
"#;
        let m = test_module(
            "t",
            &[
                ("main.tf", tf),
                (
                    "terraform.tfvars",
                    "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
                ),
                ("z.auto.tfvars", "c = \"auto-z\"\n"),
                ("a.auto.tfvars", "c = \"auto-a\"\nd = \"auto-a\"\n"),
                ("prod.tfvars", "d = \"var-file\"\n"),
            ],
        );
        let idx = ModuleIndex::new(&m);
        let ev = Evaluator::new(&idx);
        assert_eq!(
            ev.local("all"),
            Resolved::Known(json!(["from-default", "tfvars", "auto-z", "var-file"]))
        );
        match ev.var("e") {
            Resolved::Unknown { reason } => assert!(reason.contains("no default"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknowns_carry_reasons_and_cycles_stop() {
        let files = [(
            "main.tf",
            r#"
resource "random_password" "p" { length = 8 }
locals {
  r = random_password.p.result
  loop_a = local.loop_b
  loop_b = local.loop_a
  cond = random_password.p.length > 3 ? "a" : "b"
  e = each.value
  fine = try(random_password.p.result, "fallback")
}
"#,
        )];
        match eval_local(&files, "r") {
            Resolved::Unknown { reason } => {
                assert!(reason.contains("random_password.p.result"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            eval_local(&files, "loop_a"),
            Resolved::Unknown { .. }
        ));
        assert!(matches!(
            eval_local(&files, "cond"),
            Resolved::Unknown { .. }
        ));
        assert!(matches!(eval_local(&files, "e"), Resolved::Unknown { .. }));
        assert_eq!(
            eval_local(&files, "fine"),
            Resolved::Known(json!("fallback"))
        );
    }

    #[test]
    fn fan_out_chains_are_linear() {
        // Each local reads the previous one three times: 3^40 evaluations without the memo.
        let mut src = String::from("locals {\n  l0 = \"x\"\n");
        for i in 1..40 {
            let p = i - 1;
            src.push_str(&format!(
                "  l{i} = local.l{p} == \"\" ? local.l{p} : local.l{p}\n"
            ));
        }
        src.push_str("}\n");
        assert_eq!(
            eval_local(&[("main.tf", &src)], "l39"),
            Resolved::Known(json!("x"))
        );
    }

    #[test]
    fn caller_inputs_win_and_helpers_give_locations() {
        let m = test_module(
            "mod",
            &[(
                "main.tf",
                "variable \"uri\" { default = \"x\" }\nresource \"a\" \"b\" {\n  uri = var.uri\n}\n",
            )],
        );
        let idx = ModuleIndex::new(&m);
        let mut inputs = BTreeMap::new();
        inputs.insert("uri".to_string(), Resolved::Known(json!("https://caller")));
        let ev = Evaluator::with_inputs(&idx, inputs);
        let (e, loc) = idx.get("a.b").unwrap().attr("uri").unwrap();
        assert_eq!(ev.resolve(e), Resolved::Known(json!("https://caller")));
        assert_eq!(loc.to_string(), "mod/main.tf:3:3");
    }

    /// `.tfvars.json` files take their place in Terraform's order, and their values are
    /// literals (`${` is not interpolated).
    #[test]
    fn json_variable_files_follow_terraform_precedence() {
        let tf = r#"{"variable": {"a": {"default": "from-default"}, "b": {}, "c": {}, "d": {}},
                     "locals": {"all": "${[var.a, var.b, var.c, var.d]}"}}"#;
        let m = test_module(
            "t",
            &[
                ("main.tf.json", tf),
                (
                    "terraform.tfvars",
                    "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
                ),
                (
                    "terraform.tfvars.json",
                    r#"{"c": "tfvars-json", "d": "tfvars-json"}"#,
                ),
                ("b.auto.tfvars.json", r#"{"d": "${auto}"}"#),
                ("a.auto.tfvars", "d = \"auto-a\"\n"),
            ],
        );
        let idx = ModuleIndex::new(&m);
        let ev = Evaluator::new(&idx);
        assert_eq!(
            ev.local("all"),
            Resolved::Known(json!(["from-default", "tfvars", "tfvars-json", "${auto}"]))
        );
    }
}
