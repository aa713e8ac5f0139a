//! Secret-flow (taint) analysis of Terraform configurations.
//!
//! Sources: catalogued secret attributes (`random_password.*.result`, …), `sensitive = true`
//! variables, secret-bearing data sources, hard-coded secret literals, and ephemeral values
//! (ephemeral resources, `ephemeral = true` variables). Taint follows every expression form
//! (functions, templates, conditionals — only the taken branch when the condition is known —,
//! `for` expressions, splats, indexing, `try`/`coalesce`, locals chains, `each.value`, `dynamic`
//! iterators) and crosses into local child modules (`source = "./…"`) through their inputs and
//! back out through their outputs.
//!
//! Sinks: every argument (nested blocks included) of a managed resource or data source, except
//! write-only arguments (the catalogue's `write_only` and any `*_wo`), meta-arguments,
//! `lifecycle`, `provisioner` and `connection` blocks; root-module outputs, `sensitive` or not.
//! Provider blocks, locals, ephemeral resources and child outputs are not sinks.
//!
//! [`analyze`] returns [`Flow`]s; the TFG010–TFG015 rules each report one [`FlowKind`].
//! Values never leave this module: flows name addresses and locations only.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, Traversal, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::template::{Directive, Element, Template};
use serde::Deserialize;

use super::Module;
use super::eval::{Evaluator, Resolved};
use super::model::{Item, ItemKind, Loc, ModuleIndex, attr_loc, dir_join, normalise_dir};
use crate::policy::Policy;

/// What a flow means; one rule per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    /// TFG010: a secret reaches a persisted argument of a resource or data source.
    SecretToState,
    /// TFG013: an ephemeral value reaches an argument that is not write-only, or a root output.
    EphemeralToState,
    /// TFG011: a secret reaches a root-module output.
    SecretToOutput,
    /// TFG012: a managed secret generator (`random_password`, …) whose result is used.
    PersistedGenerator,
    /// TFG014: a secret goes where the analysis cannot follow (info).
    CannotVerify,
}

/// One result of the analysis, at the sink: facts only. Each rule words its own finding from
/// them (`crate::rules`), so the analysis knows nothing of messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub kind: FlowKind,
    pub loc: Loc,
    /// Sink address with its module path (`module.app.vault_kv_secret_v2.x`, `output.y`).
    pub address: String,
    /// Sink argument path (`data_json`, `roles.role_id`); empty for whole items.
    pub attribute: String,
    /// Source first, sink last.
    pub hops: Vec<String>,
    pub fact: Fact,
}

impl Flow {
    /// `source → hop → sink`.
    pub fn chain(&self) -> String {
        self.hops.join(" → ")
    }
}

/// What reached the sink, and what the packs say about fixing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A value reaches an argument of a resource, data source or module call that Terraform
    /// stores in state (`argument` is its path, `leaf` its last name).
    Argument {
        source: Source,
        argument: String,
        leaf: String,
        sink: SinkAdvice,
    },
    /// A value reaches a root-module output.
    RootOutput {
        source: Source,
        name: String,
        sensitive: bool,
    },
    /// A value is passed to a module whose files the analysis cannot follow.
    UnfollowedModule {
        source: Source,
        module: String,
        module_source: String,
        /// The call leads back into a module on the current call path.
        cycle: bool,
        argument: String,
    },
    /// A root output marked `sensitive` whose source the analysis cannot see (a registry
    /// module's output): its author says it is a secret, and it is in state all the same.
    SensitiveOutput { name: String },
    /// A managed generator: it keeps its secret in state, used (`used_by`) or not.
    Generator {
        resource_type: String,
        name: String,
        attribute: String,
        used_by: Vec<String>,
        /// The ephemeral replacement (`ephemeral "random_password"`) and what it needs; empty
        /// when there is none, and then `fix` is the packs' advice.
        replacement: String,
        requires: String,
        fix: String,
    },
}

/// Where a secret came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// `random_password.x.result`, `var.db_password`, `hard-coded literal` …
    pub address: String,
    pub kind: OriginKind,
    pub advice: SourceAdvice,
}

/// The packs' advice for a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceAdvice {
    /// A generator with an ephemeral replacement: `ephemeral "random_password" "name"`.
    Ephemeral {
        replacement: String,
        name: String,
        requires: String,
    },
    /// The catalogue's fix text for this attribute or data source.
    Catalogue(String),
    None,
}

/// The packs' advice for a sink argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkAdvice {
    /// The catalogue's fix text for this sink (`[[hcl.sink_fix]]`).
    Catalogue(String),
    /// The resource has a write-only twin of the argument (`data_json_wo`).
    WriteOnlyTwin(String),
    None,
}

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

/// Run the analysis over every module. Modules called from another module through a local
/// `source` are analysed through their callers (so their sinks carry the caller's flows and
/// the module path); every other module is analysed as a root.
pub fn analyze(policy: &Policy, modules: &[Module]) -> Result<Vec<Flow>, String> {
    let cfg = FlowPolicy::load(policy)?;
    let indexes: BTreeMap<String, ModuleIndex<'_>> = modules
        .iter()
        .filter(|m| !m.files.is_empty())
        .map(|m| (normalise_dir(&m.dir), ModuleIndex::new(m)))
        .collect();
    let mut called = BTreeSet::new();
    for (dir, idx) in &indexes {
        for call in idx.of_kind(ItemKind::ModuleCall) {
            if let Some(src) = local_source(call) {
                let child = dir_join(dir, &src);
                if child != *dir {
                    called.insert(child);
                }
            }
        }
    }
    let an = Analyzer {
        policy,
        cfg: &cfg,
        indexes: &indexes,
        flows: RefCell::new(Vec::new()),
        uses: RefCell::new(BTreeMap::new()),
    };
    for (dir, idx) in &indexes {
        if called.contains(dir) {
            continue;
        }
        let frame = Frame::root(idx);
        an.analyze_frame(&frame, 0);
    }
    let mut flows = an.flows.into_inner();
    flows.sort_by(|a, b| (&a.loc, a.kind, &a.hops).cmp(&(&b.loc, b.kind, &b.hops)));
    flows.dedup_by(|a, b| a.loc == b.loc && a.kind == b.kind && a.hops == b.hops);
    Ok(flows)
}

/// `source` of a module call if it is a local path (`./x`, `../x`).
fn local_source(call: &Item<'_>) -> Option<String> {
    let (e, _) = call.attr("source")?;
    let s = e.as_str()?;
    (s.starts_with("./") || s.starts_with("../")).then(|| s.to_string())
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OriginKind {
    /// A catalogued attribute of a managed resource (`random_password.x.result`).
    Managed {
        rtype: String,
    },
    /// A secret attribute of a data source.
    Data {
        rtype: String,
    },
    SensitiveVar,
    Literal,
    /// Ephemeral resource or variable: fine in write-only arguments only.
    Ephemeral,
    /// A catalogued attribute that is a secret only in a secret-named argument.
    NameOnly,
    /// A root-module variable with no value tfguard can resolve (no default, tfvars or
    /// -var-file) and not declared sensitive/ephemeral: in a secret-named argument it may be a
    /// secret, so it is reported as "cannot verify" (TFG014), never passed silently.
    Unresolved {
        reason: String,
        /// A declared variable named like a secret (`db_password`) but marked neither
        /// `ephemeral` nor `sensitive`: its name says what it holds, its declaration does not.
        unmarked_secret_name: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Taint {
    /// Address of the source (`random_password.x.result`, `var.db_password`).
    origin: String,
    kind: OriginKind,
    /// Named steps between source and sink (`local.creds`, `module.app.var.secret`).
    hops: Vec<String>,
}

type Taints = Vec<Taint>;

fn add_all(into: &mut Taints, from: Taints) {
    for t in from {
        match into.iter_mut().find(|x| x.origin == t.origin) {
            Some(x) if x.hops.len() > t.hops.len() => *x = t,
            Some(_) => {}
            None => into.push(t),
        }
    }
}

fn with_hop(mut ts: Taints, hop: &str) -> Taints {
    for t in &mut ts {
        if t.hops.last().map(String::as_str) != Some(hop) && t.origin != hop {
            t.hops.push(hop.to_string());
        }
    }
    ts
}

/// One instance of a module: the root, or a child reached through a module call.
struct Frame<'a, 'm> {
    idx: &'a ModuleIndex<'m>,
    ev: Evaluator<'a, 'm>,
    /// `""` for a root, `module.app.` for a child (nested: `module.a.module.b.`).
    prefix: String,
    is_root: bool,
    /// Taint of each input variable, from the caller's arguments.
    inputs: BTreeMap<String, Taints>,
    locals: RefCell<BTreeMap<String, Taints>>,
    in_progress: RefCell<BTreeSet<String>>,
    children: RefCell<BTreeMap<String, Rc<Frame<'a, 'm>>>>,
    /// Module directories from the root down to this frame: a call back into one of them is
    /// a module cycle (Terraform rejects it), not something to expand.
    dirs: Vec<String>,
}

impl<'a, 'm> Frame<'a, 'm> {
    fn root(idx: &'a ModuleIndex<'m>) -> Self {
        Frame {
            idx,
            ev: Evaluator::new(idx),
            prefix: String::new(),
            is_root: true,
            inputs: BTreeMap::new(),
            locals: RefCell::new(BTreeMap::new()),
            in_progress: RefCell::new(BTreeSet::new()),
            children: RefCell::new(BTreeMap::new()),
            dirs: vec![normalise_dir(&idx.module.dir)],
        }
    }
    fn addr(&self, a: &str) -> String {
        format!("{}{a}", self.prefix)
    }
}

/// Names bound while walking an expression (`for` variables, `each`, `dynamic` iterators).
type Binds = Vec<(String, Taints)>;

struct Analyzer<'a, 'm> {
    policy: &'a Policy,
    cfg: &'a FlowPolicy,
    indexes: &'a BTreeMap<String, ModuleIndex<'m>>,
    flows: RefCell<Vec<Flow>>,
    /// Generator source address (`module.a.random_password.x.result`) → sinks it reaches,
    /// write-only ones included.
    uses: RefCell<BTreeMap<String, Vec<String>>>,
}

const MAX_MODULE_DEPTH: usize = 16;
const META_ARGS: &[&str] = &["count", "for_each", "depends_on", "provider"];
const NOT_SINK_BLOCKS: &[&str] = &[
    "lifecycle",
    "provisioner",
    "connection",
    "precondition",
    "postcondition",
];

impl<'a, 'm> Analyzer<'a, 'm> {
    fn analyze_frame(&self, f: &Frame<'a, 'm>, depth: usize) {
        for item in &f.idx.items {
            match item.kind {
                ItemKind::Resource | ItemKind::Data => self.resource_sinks(f, item),
                ItemKind::Output if f.is_root => self.output_sink(f, item),
                ItemKind::ModuleCall => self.module_call(f, item, depth),
                ItemKind::Provider => self.provider_uses(f, item),
                _ => {}
            }
        }
        if f.is_root {
            self.generators(f.idx);
        }
    }

    // ---- sources and propagation -------------------------------------------------------

    /// Taint of an expression in frame `f`.
    fn taint(&self, f: &Frame<'a, 'm>, e: &Expression, binds: &mut Binds) -> Taints {
        let mut out = Taints::new();
        match e {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(a) => {
                for x in a.iter() {
                    add_all(&mut out, self.taint(f, x, binds));
                }
            }
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        add_all(&mut out, self.taint(f, ke, binds));
                    }
                    add_all(&mut out, self.taint(f, v.expr(), binds));
                }
            }
            Expression::StringTemplate(t) => {
                for el in t.iter() {
                    add_all(&mut out, self.taint_element(f, el, binds));
                }
            }
            Expression::HeredocTemplate(h) => {
                add_all(&mut out, self.taint_template(f, &h.template, binds))
            }
            Expression::Parenthesis(p) => add_all(&mut out, self.taint(f, p.inner(), binds)),
            Expression::Variable(v) => {
                if let Some((_, t)) = binds.iter().rev().find(|(n, _)| n == v.as_str()) {
                    add_all(&mut out, t.clone());
                }
            }
            Expression::Conditional(c) => {
                // A condition known from the configuration selects one branch.
                match self.known_bool(f, &c.cond_expr, binds) {
                    Some(true) => add_all(&mut out, self.taint(f, &c.true_expr, binds)),
                    Some(false) => add_all(&mut out, self.taint(f, &c.false_expr, binds)),
                    None => {
                        add_all(&mut out, self.taint(f, &c.true_expr, binds));
                        add_all(&mut out, self.taint(f, &c.false_expr, binds));
                    }
                }
            }
            Expression::FuncCall(fc) => {
                let name = fc.name.name.as_str();
                if fc.name.is_namespaced() || !self.cfg.sanitizers.iter().any(|s| s == name) {
                    for a in fc.args.iter() {
                        add_all(&mut out, self.taint(f, a, binds));
                    }
                }
            }
            Expression::Traversal(t) => add_all(&mut out, self.taint_traversal(f, t, binds)),
            Expression::UnaryOp(u) => {
                // `!x` is a bool; `-x` is the number itself.
                if matches!(u.operator.value(), hcl::edit::expr::UnaryOperator::Neg) {
                    add_all(&mut out, self.taint(f, &u.expr, binds));
                }
            }
            Expression::BinaryOp(b) => {
                use BinaryOperator as B;
                // Comparisons and logic yield a bool, not the secret.
                if matches!(
                    b.operator.value(),
                    B::Plus | B::Minus | B::Mul | B::Div | B::Mod
                ) {
                    add_all(&mut out, self.taint(f, &b.lhs_expr, binds));
                    add_all(&mut out, self.taint(f, &b.rhs_expr, binds));
                }
            }
            Expression::ForExpr(fe) => {
                let coll = self.taint(f, &fe.intro.collection_expr, binds);
                let n = binds.len();
                if let Some(k) = &fe.intro.key_var {
                    binds.push((k.as_str().to_string(), coll.clone()));
                }
                binds.push((fe.intro.value_var.as_str().to_string(), coll));
                if let Some(k) = &fe.key_expr {
                    add_all(&mut out, self.taint(f, k, binds));
                }
                add_all(&mut out, self.taint(f, &fe.value_expr, binds));
                binds.truncate(n);
            }
        }
        out
    }

    fn taint_template(&self, f: &Frame<'a, 'm>, t: &Template, binds: &mut Binds) -> Taints {
        let mut out = Taints::new();
        for el in t.iter() {
            add_all(&mut out, self.taint_element(f, el, binds));
        }
        out
    }

    fn taint_element(&self, f: &Frame<'a, 'm>, el: &Element, binds: &mut Binds) -> Taints {
        match el {
            Element::Literal(_) => Taints::new(),
            Element::Interpolation(i) => self.taint(f, &i.expr, binds),
            Element::Directive(d) => match &**d {
                Directive::If(ifd) => {
                    let mut out = Taints::new();
                    let known = self.known_bool(f, &ifd.if_expr.cond_expr, binds);
                    if known != Some(false) {
                        add_all(
                            &mut out,
                            self.taint_template(f, &ifd.if_expr.template, binds),
                        );
                    }
                    if let (Some(e), true) = (&ifd.else_expr, known != Some(true)) {
                        add_all(&mut out, self.taint_template(f, &e.template, binds));
                    }
                    out
                }
                Directive::For(fd) => {
                    let fe = &fd.for_expr;
                    let coll = self.taint(f, &fe.collection_expr, binds);
                    let n = binds.len();
                    if let Some(k) = &fe.key_var {
                        binds.push((k.as_str().to_string(), coll.clone()));
                    }
                    binds.push((fe.value_var.as_str().to_string(), coll));
                    let out = self.taint_template(f, &fe.template, binds);
                    binds.truncate(n);
                    out
                }
            },
        }
    }

    /// The condition's value, if the configuration alone decides it (and no bound name is
    /// involved).
    fn known_bool(&self, f: &Frame<'a, 'm>, e: &Expression, binds: &Binds) -> Option<bool> {
        if !binds.is_empty() && mentions_any(e, binds) {
            return None;
        }
        match f.ev.resolve(e) {
            Resolved::Known(serde_json::Value::Bool(b)) => Some(b),
            _ => None,
        }
    }

    fn taint_traversal(&self, f: &Frame<'a, 'm>, t: &Traversal, binds: &mut Binds) -> Taints {
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            other => return self.taint(f, other, binds),
        };
        if let Some((_, ts)) = binds.iter().rev().find(|(n, _)| *n == root) {
            return ts.clone();
        }
        // Attribute names after the root, indexes and splats skipped.
        let names: Vec<String> = t
            .operators
            .iter()
            .filter_map(|o| match o.value() {
                TraversalOperator::GetAttr(n) => Some(n.as_str().to_string()),
                TraversalOperator::Index(Expression::String(s)) => Some(s.value().clone()),
                _ => None,
            })
            .collect();
        let first = |i: usize| names.get(i).map(String::as_str);
        // The attribute path after the resource address (`master_auth`, `client_key`).
        let rest = |i: usize| -> Vec<&str> { names.iter().skip(i).map(String::as_str).collect() };
        match root.as_str() {
            "var" => first(0).map(|n| self.var_taint(f, n)).unwrap_or_default(),
            "local" => match first(0) {
                Some(n) => self.local_taint(f, n, first(1)),
                None => Taints::new(),
            },
            "module" => match (first(0), first(1)) {
                (Some(call), Some(out)) => self.module_output_taint(f, call, out),
                _ => Taints::new(),
            },
            "data" => match (first(0), first(1)) {
                (Some(ty), Some(name)) => self.data_taint(f, ty, name, rest(2)),
                _ => Taints::new(),
            },
            "ephemeral" => match (first(0), first(1)) {
                (Some(ty), Some(name)) => {
                    let origin = match first(2) {
                        Some(a) => f.addr(&format!("ephemeral.{ty}.{name}.{a}")),
                        None => f.addr(&format!("ephemeral.{ty}.{name}")),
                    };
                    vec![Taint {
                        origin,
                        kind: OriginKind::Ephemeral,
                        hops: Vec::new(),
                    }]
                }
                _ => Taints::new(),
            },
            "count" | "path" | "terraform" | "self" | "each" => Taints::new(),
            rtype => match first(0) {
                Some(name) => self.managed_taint(f, rtype, name, rest(1)),
                None => Taints::new(),
            },
        }
    }

    fn var_taint(&self, f: &Frame<'a, 'm>, name: &str) -> Taints {
        let addr = f.addr(&format!("var.{name}"));
        let mut out = f
            .inputs
            .get(name)
            .cloned()
            .map(|t| with_hop(t, &addr))
            .unwrap_or_default();
        if let Some(item) = f.idx.get(&format!("var.{name}")) {
            if item.flag("ephemeral") {
                out.push(Taint {
                    origin: addr.clone(),
                    kind: OriginKind::Ephemeral,
                    hops: Vec::new(),
                });
            } else if item.flag("sensitive") {
                out.push(Taint {
                    origin: addr.clone(),
                    kind: OriginKind::SensitiveVar,
                    hops: Vec::new(),
                });
            } else if !f.inputs.contains_key(name) {
                // The value Terraform would use: default < terraform.tfvars < *.auto.tfvars <
                // -var-file (the evaluator applies the precedence).
                match f.ev.var(name) {
                    Resolved::Known(v) => {
                        if self.cfg.is_secret_name(name)
                            && v.as_str().is_some_and(|v| self.cfg.is_secret_literal(v))
                        {
                            out.push(Taint {
                                origin: addr,
                                kind: OriginKind::Literal,
                                hops: Vec::new(),
                            });
                        }
                    }
                    Resolved::Unknown { reason } if f.is_root => out.push(Taint {
                        origin: addr,
                        kind: OriginKind::Unresolved {
                            reason,
                            unmarked_secret_name: self.cfg.is_secret_name(name),
                        },
                        hops: Vec::new(),
                    }),
                    Resolved::Unknown { .. } => {}
                }
            }
        } else if f.is_root && !f.inputs.contains_key(name) {
            // Terraform rejects the reference, but what it was meant to carry is still worth
            // naming: a secret-named one is reported as "cannot verify".
            out.push(Taint {
                origin: addr,
                kind: OriginKind::Unresolved {
                    reason: "it is not declared in the module".into(),
                    unmarked_secret_name: false,
                },
                hops: Vec::new(),
            });
        }
        out
    }

    fn local_taint(&self, f: &Frame<'a, 'm>, name: &str, field: Option<&str>) -> Taints {
        let addr = f.addr(&format!("local.{name}"));
        let Some(item) = f.idx.get(&format!("local.{name}")) else {
            return Taints::new();
        };
        let Some(expr) = item.local_expr() else {
            return Taints::new();
        };
        // Field-sensitive for object literals: `local.creds.client_id` is not the secret
        // next to it.
        if let (Some(field), Expression::Object(o)) = (field, expr) {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
                    _ => None,
                };
                if key.as_deref() == Some(field) {
                    let key_id = format!("{name}.{field}");
                    if !f.in_progress.borrow_mut().insert(key_id.clone()) {
                        return Taints::new();
                    }
                    let t = self.taint(f, v.expr(), &mut Vec::new());
                    f.in_progress.borrow_mut().remove(&key_id);
                    let mut t = with_hop(t, &addr);
                    add_all(&mut t, self.literal_taint(Some(&addr), field, v.expr()));
                    return t;
                }
            }
        }
        if let Some(t) = f.locals.borrow().get(name) {
            return t.clone();
        }
        if !f.in_progress.borrow_mut().insert(name.to_string()) {
            return Taints::new();
        }
        let mut t = with_hop(self.taint(f, expr, &mut Vec::new()), &addr);
        add_all(&mut t, self.literal_taint(Some(&addr), name, expr));
        f.in_progress.borrow_mut().remove(name);
        f.locals.borrow_mut().insert(name.to_string(), t.clone());
        t
    }

    /// Hard-coded secret literals in `e` as sources: `e` itself when `name` is secret-named,
    /// and secret-named keys of objects inside it (`jsonencode({ password = "…" })`).
    /// `at` names the place (`local.creds`); `None` means the sink argument itself.
    fn literal_taint(&self, at: Option<&str>, name: &str, e: &Expression) -> Taints {
        let mut out = Taints::new();
        let mk = |origin: String| Taint {
            origin,
            kind: OriginKind::Literal,
            hops: Vec::new(),
        };
        match literal_str(e) {
            Some(v) if self.cfg.is_secret_name(name) && self.cfg.is_secret_literal(&v) => {
                out.push(mk(at
                    .map(str::to_string)
                    .unwrap_or_else(|| "hard-coded literal".into())));
            }
            _ => {
                let mut keys = Vec::new();
                collect_object_literals(self.cfg, e, "", &mut keys);
                for k in keys {
                    out.push(mk(match at {
                        Some(a) => format!("{a}.{k}"),
                        None => format!("hard-coded literal `{k}`"),
                    }));
                }
            }
        }
        out
    }

    fn managed_taint(&self, f: &Frame<'a, 'm>, rtype: &str, name: &str, path: Vec<&str>) -> Taints {
        let attr = path.first().copied();
        let base = format!("{rtype}.{name}");
        let Some(item) = f.idx.get(&base) else {
            return Taints::new();
        };
        let mut out = Taints::new();
        // `random_string "password"` is a password whatever argument it reaches.
        let name_only =
            self.cfg.name_only_sources.iter().any(|s| s == rtype) && !self.cfg.is_secret_name(name);
        let kind = if name_only {
            OriginKind::NameOnly
        } else {
            OriginKind::Managed {
                rtype: rtype.to_string(),
            }
        };
        match attr {
            Some(a)
                if self
                    .policy
                    .secret_within_path("managed", rtype, &path)
                    .is_some() =>
            {
                out.push(Taint {
                    origin: f.addr(&format!("{base}.{a}")),
                    kind,
                    hops: Vec::new(),
                })
            }
            Some(a) => {
                // An argument echoes its configured value: taint flows through it.
                if let Some((e, _)) = item.attr(a) {
                    let key = format!("res:{base}.{a}");
                    if f.in_progress.borrow_mut().insert(key.clone()) {
                        let t = self.taint(f, e, &mut Vec::new());
                        f.in_progress.borrow_mut().remove(&key);
                        add_all(&mut out, with_hop(t, &f.addr(&format!("{base}.{a}"))));
                    }
                }
            }
            None => {
                // The whole object carries every secret attribute.
                for entry in self.policy.secret_attributes_for("managed", rtype) {
                    for a in &entry.attributes {
                        out.push(Taint {
                            origin: f.addr(&format!("{base}.{}", a.trim_end_matches('*'))),
                            kind: kind.clone(),
                            hops: Vec::new(),
                        });
                    }
                }
            }
        }
        out
    }

    fn data_taint(&self, f: &Frame<'a, 'm>, rtype: &str, name: &str, path: Vec<&str>) -> Taints {
        let attr = path.first().copied();
        let base = format!("data.{rtype}.{name}");
        if f.idx.get(&base).is_none() {
            return Taints::new();
        }
        let extra = self
            .cfg
            .secret_data_source
            .iter()
            .find(|d| d.resource == rtype);
        let secret = match attr {
            Some(a) => {
                self.policy
                    .secret_within_path("data", rtype, &path)
                    .is_some()
                    || extra.is_some_and(|d| {
                        d.attributes.is_empty()
                            || d.attributes
                                .iter()
                                .any(|p| crate::policy::name_matches(p, a))
                    })
            }
            None => {
                self.policy
                    .secret_attributes_for("data", rtype)
                    .next()
                    .is_some()
                    || extra.is_some()
            }
        };
        if !secret {
            return Taints::new();
        }
        let origin = match attr {
            Some(a) => f.addr(&format!("{base}.{a}")),
            None => f.addr(&base),
        };
        vec![Taint {
            origin,
            kind: OriginKind::Data {
                rtype: rtype.to_string(),
            },
            hops: Vec::new(),
        }]
    }

    fn module_output_taint(&self, f: &Frame<'a, 'm>, call: &str, output: &str) -> Taints {
        let Some(child) = self.child_frame(f, call, 0) else {
            return Taints::new();
        };
        let Some(out_item) = child.idx.get(&format!("output.{output}")) else {
            return Taints::new();
        };
        let Some((e, _)) = out_item.attr("value") else {
            return Taints::new();
        };
        let key = format!("out:{output}");
        if !child.in_progress.borrow_mut().insert(key.clone()) {
            return Taints::new();
        }
        let t = self.taint(&child, e, &mut Vec::new());
        child.in_progress.borrow_mut().remove(&key);
        with_hop(t, &f.addr(&format!("module.{call}.{output}")))
    }

    /// The frame of a local child module call (created once per call).
    fn child_frame(
        &self,
        f: &Frame<'a, 'm>,
        call: &str,
        depth: usize,
    ) -> Option<Rc<Frame<'a, 'm>>> {
        if let Some(c) = f.children.borrow().get(call) {
            return Some(c.clone());
        }
        if f.prefix.matches("module.").count() >= MAX_MODULE_DEPTH || depth > MAX_MODULE_DEPTH {
            return None;
        }
        let item = f.idx.get(&format!("module.{call}"))?;
        let src = local_source(item)?;
        let dir = dir_join(&normalise_dir(&f.idx.module.dir), &src);
        if f.dirs.contains(&dir) {
            return None;
        }
        let cidx = self.indexes.get(&dir)?;
        let mut inputs = BTreeMap::new();
        let mut values = BTreeMap::new();
        for a in item.body()?.attributes() {
            let k = a.key.as_str();
            if [
                "source",
                "version",
                "count",
                "for_each",
                "depends_on",
                "providers",
            ]
            .contains(&k)
            {
                continue;
            }
            let mut t = self.taint(f, &a.value, &mut Vec::new());
            add_all(
                &mut t,
                self.literal_taint(Some(&f.addr(&format!("module.{call}.{k}"))), k, &a.value),
            );
            inputs.insert(k.to_string(), t);
            values.insert(k.to_string(), f.ev.resolve(&a.value));
        }
        let child = Rc::new(Frame {
            idx: cidx,
            ev: Evaluator::with_inputs(cidx, values),
            prefix: format!("{}module.{call}.", f.prefix),
            is_root: false,
            inputs,
            locals: RefCell::new(BTreeMap::new()),
            in_progress: RefCell::new(BTreeSet::new()),
            children: RefCell::new(BTreeMap::new()),
            dirs: f.dirs.iter().cloned().chain([dir]).collect(),
        });
        f.children
            .borrow_mut()
            .insert(call.to_string(), child.clone());
        Some(child)
    }

    // ---- sinks --------------------------------------------------------------------------

    fn resource_sinks(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some(body) = item.body() else { return };
        let mut binds: Binds = Vec::new();
        if let Some((fe, _)) = item.attr("for_each") {
            let t = self.taint(f, fe, &mut Vec::new());
            binds.push(("each".to_string(), t));
        }
        self.sink_body(f, item, body, "", &mut binds);
    }

    fn sink_body(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        body: &Body,
        prefix: &str,
        binds: &mut Binds,
    ) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.as_str();
                    if prefix.is_empty() && META_ARGS.contains(&name) {
                        continue;
                    }
                    let path = format!("{prefix}{name}");
                    let loc = attr_loc(item.file, a);
                    let write_only =
                        name.ends_with("_wo") || self.policy.is_write_only(&item.rtype, name);
                    let mut taints = self.taint(f, &a.value, binds);
                    add_all(&mut taints, self.literal_taint(None, name, &a.value));
                    self.sink(f, item, &path, name, write_only, &loc, taints);
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if NOT_SINK_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        let label = b
                            .labels
                            .first()
                            .map(|l| l.as_str().to_string())
                            .unwrap_or_default();
                        let iter = b
                            .body
                            .get_attribute("iterator")
                            .and_then(|a| match &a.value {
                                Expression::Variable(v) => Some(v.as_str().to_string()),
                                _ => None,
                            })
                            .unwrap_or_else(|| label.clone());
                        let t = b
                            .body
                            .get_attribute("for_each")
                            .map(|a| self.taint(f, &a.value, binds))
                            .unwrap_or_default();
                        let n = binds.len();
                        binds.push((iter, t));
                        for content in b.body.blocks().filter(|c| c.ident.as_str() == "content") {
                            self.sink_body(
                                f,
                                item,
                                &content.body,
                                &format!("{prefix}{label}."),
                                binds,
                            );
                        }
                        binds.truncate(n);
                    } else {
                        self.sink_body(f, item, &b.body, &format!("{prefix}{ident}."), binds);
                    }
                }
            }
        }
    }

    /// Report every taint reaching one sink argument.
    #[allow(clippy::too_many_arguments)]
    fn sink(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        path: &str,
        leaf: &str,
        write_only: bool,
        loc: &Loc,
        taints: Taints,
    ) {
        let address = f.addr(&item.address);
        let sink = format!("{address}.{path}");
        for t in taints {
            self.note_use(f, &t, &sink);
            if write_only {
                continue;
            }
            let kind = match t.kind {
                OriginKind::Ephemeral => FlowKind::EphemeralToState,
                OriginKind::NameOnly if !self.cfg.is_secret_name(leaf) => continue,
                // `X-API-Key = var.classifier_api_key`: the variable's name says what it is.
                OriginKind::Unresolved { .. }
                    if !self.cfg.is_secret_name(leaf)
                        && !self.cfg.is_secret_name(origin_var_name(&t.origin)) =>
                {
                    continue;
                }
                OriginKind::Unresolved { .. } => FlowKind::CannotVerify,
                _ => FlowKind::SecretToState,
            };
            let mut hops = vec![t.origin.clone()];
            hops.extend(t.hops.iter().cloned());
            hops.push(sink.clone());
            self.push(Flow {
                kind,
                loc: loc.clone(),
                address: address.clone(),
                attribute: path.to_string(),
                hops,
                fact: Fact::Argument {
                    sink: self.sink_advice(&item.rtype, path, leaf),
                    source: self.source(t),
                    argument: path.to_string(),
                    leaf: leaf.to_string(),
                },
            });
        }
    }

    fn output_sink(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some((e, loc)) = item.attr("value") else {
            return;
        };
        let sink = f.addr(&item.address);
        let before = self.flows.borrow().len();
        self.output_taints(f, item, e, &loc, &sink);
        // The author marked it sensitive: it holds a secret even where tfguard cannot see the
        // source (a registry module's output), and Terraform stores it in state all the same.
        if self.flows.borrow().len() == before && item.flag("sensitive") {
            self.push(Flow {
                kind: FlowKind::SecretToOutput,
                loc: loc.clone(),
                address: sink.clone(),
                attribute: String::new(),
                hops: vec![sink.clone()],
                fact: Fact::SensitiveOutput {
                    name: item.name.to_string(),
                },
            });
        }
    }

    fn output_taints(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        e: &'m Expression,
        loc: &Loc,
        sink: &str,
    ) {
        let sink = sink.to_string();
        for t in self.taint(f, e, &mut Vec::new()) {
            self.note_use(f, &t, &sink);
            if (t.kind == OriginKind::NameOnly && !self.cfg.is_secret_name(&item.name))
                || matches!(t.kind, OriginKind::Unresolved { .. })
            {
                continue;
            }
            let mut hops = vec![t.origin.clone()];
            hops.extend(t.hops.iter().cloned());
            hops.push(sink.clone());
            let kind = if t.kind == OriginKind::Ephemeral {
                FlowKind::EphemeralToState
            } else {
                FlowKind::SecretToOutput
            };
            self.push(Flow {
                kind,
                loc: loc.clone(),
                address: sink.clone(),
                attribute: String::new(),
                hops,
                fact: Fact::RootOutput {
                    source: self.source(t),
                    name: item.name.to_string(),
                    sensitive: item.flag("sensitive"),
                },
            });
        }
    }

    fn module_call(&self, f: &Frame<'a, 'm>, item: &Item<'m>, depth: usize) {
        if local_source(item).is_some()
            && let Some(child) = self.child_frame(f, &item.name, depth)
        {
            self.analyze_frame(&child, depth + 1);
            return;
        }
        // Remote module, or a local one whose files were not given: cannot follow.
        let src = item
            .attr("source")
            .and_then(|(e, _)| e.as_str().map(str::to_string))
            .unwrap_or_default();
        let cycle = local_source(item).is_some_and(|s| {
            f.dirs
                .contains(&dir_join(&normalise_dir(&f.idx.module.dir), &s))
        });
        let Some(body) = item.body() else { return };
        for a in body.attributes() {
            let k = a.key.as_str();
            if [
                "source",
                "version",
                "count",
                "for_each",
                "depends_on",
                "providers",
            ]
            .contains(&k)
            {
                continue;
            }
            let loc = attr_loc(item.file, a);
            let sink = f.addr(&format!("{}.{k}", item.address));
            let mut taints = self.taint(f, &a.value, &mut Vec::new());
            let at = f.addr(&format!("{}.{k}", item.address));
            add_all(&mut taints, self.literal_taint(Some(&at), k, &a.value));
            for t in taints {
                if (t.kind == OriginKind::NameOnly && !self.cfg.is_secret_name(k))
                    || matches!(t.kind, OriginKind::Unresolved { .. })
                {
                    continue;
                }
                self.note_use(f, &t, &sink);
                let mut hops = vec![t.origin.clone()];
                hops.extend(t.hops.iter().cloned());
                hops.push(sink.clone());
                self.push(Flow {
                    kind: FlowKind::CannotVerify,
                    loc: loc.clone(),
                    address: f.addr(&item.address),
                    attribute: k.to_string(),
                    hops,
                    fact: Fact::UnfollowedModule {
                        source: self.source(t),
                        module: item.name.to_string(),
                        module_source: src.clone(),
                        cycle,
                        argument: k.to_string(),
                    },
                });
            }
        }
    }

    /// Provider blocks are not sinks, but a generator's value used there is still "used".
    fn provider_uses(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some(body) = item.body() else { return };
        for a in body.attributes() {
            let sink = f.addr(&format!("{}.{}", item.address, a.key.as_str()));
            for t in self.taint(f, &a.value, &mut Vec::new()) {
                self.note_use(f, &t, &sink);
            }
        }
    }

    fn note_use(&self, f: &Frame<'a, 'm>, t: &Taint, sink: &str) {
        let OriginKind::Managed { rtype } = &t.kind else {
            return;
        };
        // Secret-named `random_string`s are generators too (`generator_for` decides by name).
        if !self.cfg.generator.iter().any(|g| &g.resource == rtype)
            && !self.cfg.name_only_sources.iter().any(|s| s == rtype)
        {
            return;
        }
        let _ = f;
        let mut uses = self.uses.borrow_mut();
        let sinks = uses.entry(t.origin.clone()).or_default();
        if !sinks.iter().any(|s| s == sink) {
            sinks.push(sink.to_string());
        }
    }

    /// The generator entry for a managed resource: by type, or `random_password`'s for a
    /// `random_string` named like a secret (`random_string "password"`).
    fn generator_for(&self, item: &Item<'m>) -> Option<&'a Generator> {
        let cfg: &'a FlowPolicy = self.cfg;
        cfg.generator
            .iter()
            .find(|g| g.resource == item.rtype)
            .or_else(|| {
                (cfg.name_only_sources.contains(&item.rtype) && self.cfg.is_secret_name(&item.name))
                    .then(|| {
                        cfg.generator
                            .iter()
                            .find(|g| g.resource == "random_password")
                    })
                    .flatten()
            })
    }

    /// Does the generator's `unless_set` argument (`pgp_key`) have a value, so the provider
    /// keeps only ciphertext? A variable whose default is null does not count; one tfguard
    /// cannot resolve gets the benefit of the doubt.
    fn encrypted(&self, idx: &'a ModuleIndex<'m>, item: &Item<'m>, g: &Generator) -> bool {
        let Some(arg) = &g.unless_set else {
            return false;
        };
        let Some((e, _)) = item.attr(arg) else {
            return false;
        };
        match Evaluator::new(idx).resolve(e) {
            Resolved::Known(v) => !v.is_null() && v.as_str().is_none_or(|s| !s.is_empty()),
            Resolved::Unknown { .. } => true,
        }
    }

    fn generator_fact(
        &self,
        item: &Item<'m>,
        g: &Generator,
        attr: &str,
        used_by: Vec<String>,
    ) -> Fact {
        Fact::Generator {
            resource_type: item.rtype.to_string(),
            name: item.name.to_string(),
            attribute: attr.to_string(),
            used_by,
            replacement: g.ephemeral.clone(),
            requires: g.requires.clone(),
            fix: g.fix.clone(),
        }
    }

    /// TFG012: managed generators. A used one is reported naming where it is used; one that
    /// nothing references keeps its secret in state all the same.
    fn generators(&self, root: &'a ModuleIndex<'m>) {
        let uses = std::mem::take(&mut *self.uses.borrow_mut());
        let mut reported = BTreeSet::new();
        for (origin, sinks) in uses {
            // Find the declaring item: strip the attribute, then any module prefix.
            let Some((res_addr, attr)) = origin.rsplit_once('.') else {
                continue;
            };
            let (module_path, local_addr) = split_module_prefix(res_addr);
            let Some(item) = self.find_item(root, &module_path, local_addr) else {
                continue;
            };
            let Some(g) = self.generator_for(item) else {
                continue;
            };
            if !g.attributes.iter().any(|a| a == attr) || reported.contains(res_addr) {
                continue;
            }
            let idx = self.index_of(root, &module_path).unwrap_or(root);
            if self.encrypted(idx, item, g) {
                continue;
            }
            reported.insert(res_addr.to_string());
            self.push(Flow {
                kind: FlowKind::PersistedGenerator,
                loc: item.loc(),
                address: res_addr.to_string(),
                attribute: attr.to_string(),
                hops: vec![origin.clone()],
                fact: self.generator_fact(item, g, attr, sinks),
            });
        }
        for item in root.of_kind(ItemKind::Resource) {
            let Some(g) = self.generator_for(item) else {
                continue;
            };
            if reported.contains(&item.address) || self.encrypted(root, item, g) {
                continue;
            }
            let Some(attr) = g.attributes.first() else {
                continue;
            };
            self.push(Flow {
                kind: FlowKind::PersistedGenerator,
                loc: item.loc(),
                address: item.address.clone(),
                attribute: attr.clone(),
                hops: vec![format!("{}.{attr}", item.address)],
                fact: self.generator_fact(item, g, attr, Vec::new()),
            });
        }
    }

    /// The index of the module instance at `module_path` (root = empty).
    fn index_of(
        &self,
        root: &'a ModuleIndex<'m>,
        module_path: &[String],
    ) -> Option<&'a ModuleIndex<'m>> {
        let mut cur = root;
        let mut dir = normalise_dir(&root.module.dir);
        for call in module_path {
            let src = local_source(cur.get(&format!("module.{call}"))?)?;
            dir = dir_join(&dir, &src);
            cur = self.indexes.get(&dir)?;
        }
        Some(cur)
    }

    /// The item at `local_addr` in the module instance at `module_path` (root = empty).
    fn find_item(
        &self,
        root: &'a ModuleIndex<'m>,
        module_path: &[String],
        local_addr: &str,
    ) -> Option<&'a Item<'m>> {
        let mut cur = root;
        let mut dir = normalise_dir(&root.module.dir);
        for call in module_path {
            let src = local_source(cur.get(&format!("module.{call}"))?)?;
            dir = dir_join(&dir, &src);
            cur = self.indexes.get(&dir)?;
        }
        cur.get(local_addr)
    }

    // ---- the packs' advice ------------------------------------------------------------

    fn source(&self, t: Taint) -> Source {
        let advice = self.source_advice(&t);
        Source {
            address: t.origin,
            kind: t.kind,
            advice,
        }
    }

    fn source_advice(&self, t: &Taint) -> SourceAdvice {
        let attr = t.origin.rsplit('.').next().unwrap_or("");
        match &t.kind {
            OriginKind::Managed { rtype } => {
                if let Some(g) = self
                    .cfg
                    .generator
                    .iter()
                    .find(|g| &g.resource == rtype && !g.ephemeral.is_empty())
                {
                    SourceAdvice::Ephemeral {
                        replacement: g.ephemeral.clone(),
                        name: t.origin.rsplit('.').nth(1).unwrap_or("name").to_string(),
                        requires: g.requires.clone(),
                    }
                } else {
                    self.policy
                        .secret_within("managed", rtype, attr)
                        .map_or(SourceAdvice::None, |s| {
                            SourceAdvice::Catalogue(s.fix.clone())
                        })
                }
            }
            OriginKind::Data { rtype } => self
                .policy
                .secret_within("data", rtype, attr)
                .map(|s| s.fix.clone())
                .or_else(|| {
                    self.cfg
                        .secret_data_source
                        .iter()
                        .find(|d| &d.resource == rtype)
                        .map(|d| d.fix.clone())
                })
                .map_or(SourceAdvice::None, SourceAdvice::Catalogue),
            _ => SourceAdvice::None,
        }
    }

    /// The catalogue's advice for a sink argument, else its write-only twin.
    fn sink_advice(&self, rtype: &str, path: &str, leaf: &str) -> SinkAdvice {
        if let Some(s) = self
            .cfg
            .sink_fix
            .iter()
            .find(|s| s.resource == rtype && s.arguments.iter().any(|a| a == path || a == leaf))
        {
            return SinkAdvice::Catalogue(s.fix.clone());
        }
        // The catalogue's own text for the secret at or under this argument, when it names a
        // write-only twin of the resource: it has the twin's real partner (`data_wo_revision`
        // in hashicorp/kubernetes), the release that brought it, and twins off the `_wo`
        // convention (helm's `set_sensitive` blocks → `set_wo`).
        let names: Vec<&str> = path
            .split('.')
            .map(|n| n.split('[').next().unwrap_or(n))
            .collect();
        if let Some(fix) = self.policy.write_only_advice(rtype, &names) {
            return SinkAdvice::Catalogue(fix.to_string());
        }
        let wo = format!("{leaf}_wo");
        if self.policy.is_write_only(rtype, &wo) {
            return SinkAdvice::WriteOnlyTwin(wo);
        }
        SinkAdvice::None
    }

    fn push(&self, flow: Flow) {
        self.flows.borrow_mut().push(flow);
    }
}

/// `module.a.module.b.random_password.x` → (["a", "b"], "random_password.x").
/// `module.a.var.api_key` → `api_key`.
fn origin_var_name(origin: &str) -> &str {
    origin.rsplit_once("var.").map_or(origin, |(_, n)| n)
}

fn split_module_prefix(addr: &str) -> (Vec<String>, &str) {
    let mut path = Vec::new();
    let mut rest = addr;
    while let Some(r) = rest.strip_prefix("module.") {
        match r.split_once('.') {
            Some((call, tail)) => {
                path.push(call.to_string());
                rest = tail;
            }
            None => break,
        }
    }
    (path, rest)
}

/// The string value of a literal (plain string or a template without interpolations).
fn literal_str(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                match el {
                    Element::Literal(l) => out.push_str(l.value()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => literal_str(p.inner()),
        _ => None,
    }
}

/// Paths of secret-named object keys holding secret literals, anywhere inside `e`.
fn collect_object_literals(cfg: &FlowPolicy, e: &Expression, path: &str, out: &mut Vec<String>) {
    match e {
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
                    _ => None,
                };
                let p = match (&key, path.is_empty()) {
                    (Some(k), true) => k.clone(),
                    (Some(k), false) => format!("{path}.{k}"),
                    (None, _) => path.to_string(),
                };
                if let (Some(k), Some(val)) = (&key, literal_str(v.expr()))
                    && cfg.is_secret_name(k)
                    && cfg.is_secret_literal(&val)
                {
                    out.push(p);
                    continue;
                }
                collect_object_literals(cfg, v.expr(), &p, out);
            }
        }
        Expression::Array(a) => a
            .iter()
            .for_each(|x| collect_object_literals(cfg, x, path, out)),
        Expression::FuncCall(fc) => fc
            .args
            .iter()
            .for_each(|x| collect_object_literals(cfg, x, path, out)),
        Expression::Parenthesis(p) => collect_object_literals(cfg, p.inner(), path, out),
        Expression::Conditional(c) => {
            collect_object_literals(cfg, &c.true_expr, path, out);
            collect_object_literals(cfg, &c.false_expr, path, out);
        }
        _ => {}
    }
}

/// Does `e` mention any of the bound names?
fn mentions_any(e: &Expression, binds: &Binds) -> bool {
    let mut found = false;
    visit_vars(e, &mut |n| {
        if binds.iter().any(|(b, _)| b == n) {
            found = true;
        }
    });
    found
}

fn visit_vars(e: &Expression, f: &mut dyn FnMut(&str)) {
    match e {
        Expression::Variable(v) => f(v.as_str()),
        Expression::Traversal(t) => {
            visit_vars(&t.expr, f);
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op.value() {
                    visit_vars(i, f);
                }
            }
        }
        Expression::Array(a) => a.iter().for_each(|x| visit_vars(x, f)),
        Expression::Object(o) => o.iter().for_each(|(k, v)| {
            if let ObjectKey::Expression(k) = k {
                visit_vars(k, f);
            }
            visit_vars(v.expr(), f);
        }),
        Expression::Parenthesis(p) => visit_vars(p.inner(), f),
        Expression::Conditional(c) => {
            visit_vars(&c.cond_expr, f);
            visit_vars(&c.true_expr, f);
            visit_vars(&c.false_expr, f);
        }
        Expression::FuncCall(fc) => fc.args.iter().for_each(|x| visit_vars(x, f)),
        Expression::UnaryOp(u) => visit_vars(&u.expr, f),
        Expression::BinaryOp(b) => {
            visit_vars(&b.lhs_expr, f);
            visit_vars(&b.rhs_expr, f);
        }
        Expression::ForExpr(fe) => {
            visit_vars(&fe.intro.collection_expr, f);
            visit_vars(&fe.value_expr, f);
        }
        Expression::StringTemplate(t) => t.iter().for_each(|el| {
            if let Element::Interpolation(i) = el {
                visit_vars(&i.expr, f)
            }
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::test_module;

    fn policy() -> Policy {
        Policy::with_builtins(&[]).unwrap()
    }

    fn run(modules: &[Module]) -> Vec<Flow> {
        analyze(&policy(), modules).unwrap()
    }

    fn of(flows: &[Flow], kind: FlowKind) -> Vec<&Flow> {
        flows.iter().filter(|f| f.kind == kind).collect()
    }

    #[test]
    fn locals_chain_shows_every_hop_at_the_sink_position() {
        let m = test_module(
            "app",
            &[
                (
                    "gen.tf",
                    "resource \"random_password\" \"oauth_client_secret\" {\n  length = 32\n}\n",
                ),
                (
                    "secrets.tf",
                    "locals {\n  creds = { client_secret = random_password.oauth_client_secret.result }\n  body  = jsonencode(local.creds)\n}\n\nresource \"vault_generic_secret\" \"genesys_oauth_secret\" {\n  path      = \"secret/x\"\n  data_json = local.body\n}\n",
                ),
            ],
        );
        let flows = run(&[m]);
        let state = of(&flows, FlowKind::SecretToState);
        assert_eq!(state.len(), 1, "{flows:#?}");
        let f = state[0];
        assert_eq!(
            f.hops,
            [
                "random_password.oauth_client_secret.result",
                "local.creds",
                "local.body",
                "vault_generic_secret.genesys_oauth_secret.data_json"
            ]
        );
        assert_eq!(f.loc.to_string(), "app/secrets.tf:8:3");
        assert_eq!(f.address, "vault_generic_secret.genesys_oauth_secret");
        assert_eq!(f.attribute, "data_json");
        let Fact::Argument { source, sink, .. } = &f.fact else {
            panic!("{f:?}")
        };
        assert!(
            matches!(&source.advice, SourceAdvice::Ephemeral { replacement, .. } if replacement == "ephemeral \"random_password\""),
            "{source:?}"
        );
        assert!(
            matches!(sink, SinkAdvice::Catalogue(fix) if fix.contains("data_json_wo_version")),
            "{sink:?}"
        );
        // The generator is reported at its header, naming where it is used.
        let g = of(&flows, FlowKind::PersistedGenerator);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].loc.to_string(), "app/gen.tf:1:1");
        assert!(matches!(&g[0].fact, Fact::Generator { used_by, .. }
            if used_by.iter().any(|u| u == "vault_generic_secret.genesys_oauth_secret.data_json")));
    }

    #[test]
    fn nested_local_modules_carry_taint_in_and_out() {
        let root = test_module(
            "r",
            &[(
                "main.tf",
                "variable \"pw\" {\n  sensitive = true\n}\nmodule \"a\" {\n  source = \"./a\"\n  secret = var.pw\n}\noutput \"leak\" {\n  value = module.a.out\n}\nresource \"terraform_data\" \"ok\" {\n  input = module.a.name\n}\n",
            )],
        );
        let a = test_module(
            "r/a",
            &[(
                "main.tf",
                "variable \"secret\" {}\nmodule \"b\" {\n  source = \"../b\"\n  value  = var.secret\n}\noutput \"out\" {\n  value = module.b.echo\n}\noutput \"name\" {\n  value = \"static\"\n}\n",
            )],
        );
        let b = test_module(
            "r/b",
            &[(
                "main.tf",
                "variable \"value\" {}\nresource \"terraform_data\" \"copy\" {\n  input = var.value\n}\noutput \"echo\" {\n  value = var.value\n}\n",
            )],
        );
        let flows = run(&[root, a, b]);
        let state = of(&flows, FlowKind::SecretToState);
        assert_eq!(state.len(), 1, "{flows:#?}");
        assert_eq!(state[0].address, "module.a.module.b.terraform_data.copy");
        assert_eq!(state[0].loc.to_string(), "r/b/main.tf:3:3");
        assert_eq!(
            state[0].hops,
            [
                "var.pw",
                "module.a.var.secret",
                "module.a.module.b.var.value",
                "module.a.module.b.terraform_data.copy.input"
            ]
        );
        // Child outputs are not sinks; the root output is.
        let outs = of(&flows, FlowKind::SecretToOutput);
        assert_eq!(outs.len(), 1, "{flows:#?}");
        assert_eq!(outs[0].address, "output.leak");
        assert!(
            outs[0].hops.contains(&"module.a.out".to_string()),
            "{:?}",
            outs[0].hops
        );
    }

    #[test]
    fn values_never_appear_in_flows() {
        let m = test_module(
            "x",
            &[(
                "main.tf",
                "locals {\n  db_password = \"Zq8-very-secret-Value\"\n}\nresource \"aws_db_instance\" \"d\" {\n  password = local.db_password\n  username = \"admin\"\n}\nresource \"aws_db_instance\" \"e\" {\n  password = \"Zq8-other-secret-Value\"\n}\n",
            )],
        );
        let flows = run(&[m]);
        assert_eq!(of(&flows, FlowKind::SecretToState).len(), 2, "{flows:#?}");
        for f in &flows {
            let all = format!("{f:?}");
            assert!(!all.contains("Zq8"), "value leaked: {all}");
        }
    }

    #[test]
    fn cycles_terminate() {
        let m = test_module(
            "loop",
            &[(
                "main.tf",
                "locals {\n  a = local.b\n  b = [local.a, random_password.p.result]\n}\nresource \"random_password\" \"p\" {\n  length = 8\n}\nmodule \"self\" {\n  source = \"./\"\n  x = local.a\n}\nresource \"terraform_data\" \"t\" {\n  input = local.a\n}\n",
            )],
        );
        let flows = run(&[m]);
        assert!(
            !of(&flows, FlowKind::SecretToState).is_empty(),
            "{flows:#?}"
        );
    }

    #[test]
    fn ephemeral_values_only_in_write_only_arguments() {
        let m = test_module(
            "e",
            &[(
                "main.tf",
                "ephemeral \"random_password\" \"p\" {\n  length = 8\n}\nresource \"vault_kv_secret_v2\" \"ok\" {\n  data_json_wo = jsonencode({ p = ephemeral.random_password.p.result })\n  data_json_wo_version = 1\n}\nresource \"vault_kv_secret_v2\" \"bad\" {\n  data_json = jsonencode({ p = ephemeral.random_password.p.result })\n}\n",
            )],
        );
        let flows = run(&[m]);
        let e = of(&flows, FlowKind::EphemeralToState);
        assert_eq!(e.len(), 1, "{flows:#?}");
        assert_eq!(e[0].address, "vault_kv_secret_v2.bad");
        assert!(
            // The catalogue's own text for the twin (it names the partner and the release).
            matches!(&e[0].fact, Fact::Argument { argument, sink: SinkAdvice::Catalogue(fix), .. }
                if argument == "data_json" && fix.contains("`data_json_wo`") && fix.contains("data_json_wo_version")),
            "{:?}",
            e[0].fact
        );
        assert!(of(&flows, FlowKind::PersistedGenerator).is_empty());
        assert!(of(&flows, FlowKind::SecretToState).is_empty());
    }

    #[test]
    fn for_each_each_value_and_tfvars_conditions() {
        let m = test_module(
            "f",
            &[
                (
                    "main.tf",
                    "variable \"on\" {\n  default = true\n}\nresource \"random_password\" \"p\" {\n  length = 8\n}\nresource \"terraform_data\" \"each\" {\n  for_each = { a = random_password.p.result }\n  input    = each.value\n}\nresource \"terraform_data\" \"gated\" {\n  input = var.on ? random_password.p.result : null\n}\n",
                ),
                ("terraform.tfvars", "on = false\n"),
            ],
        );
        let flows = run(&[m]);
        let addrs: Vec<&str> = of(&flows, FlowKind::SecretToState)
            .iter()
            .map(|f| f.address.as_str())
            .collect();
        assert_eq!(addrs, ["terraform_data.each"], "{flows:#?}");
    }

    #[test]
    fn secret_names_and_literals() {
        let p = policy();
        let cfg = FlowPolicy::load(&p).unwrap();
        for yes in [
            "password",
            "db_password",
            "client_secret",
            "webhook_secret",
            "api_token",
        ] {
            assert!(cfg.is_secret_name(yes), "{yes}");
        }
        for no in [
            "secret",
            "secret_id",
            "token_ttl",
            "password_length",
            "name",
        ] {
            assert!(!cfg.is_secret_name(no), "{no}");
        }
        assert!(cfg.is_secret_literal("hunter2-Prod"));
        assert!(cfg.is_secret_literal("$tr0ngP@s$w0rd"));
        for no in [
            "",
            "abc",
            "changeme",
            "xxxxxxxx",
            "<your-secret>",
            "${var.x}",
        ] {
            assert!(!cfg.is_secret_literal(no), "{no}");
        }
    }

    #[test]
    fn module_cycles_stop_at_the_first_repeat() {
        let root = test_module(
            "r",
            &[(
                "main.tf",
                "resource \"random_password\" \"p\" {\n  length = 8\n}\nmodule \"a\" {\n  source = \"./a\"\n  s      = random_password.p.result\n}\n",
            )],
        );
        let a = test_module(
            "r/a",
            &[(
                "main.tf",
                "variable \"s\" {}\nmodule \"b\" {\n  source = \"../b\"\n  s      = var.s\n}\n",
            )],
        );
        let b = test_module(
            "r/b",
            &[(
                "main.tf",
                "variable \"s\" {}\nmodule \"a\" {\n  source = \"../a\"\n  s      = var.s\n}\nresource \"terraform_data\" \"x\" {\n  input = var.s\n}\n",
            )],
        );
        let flows = run(&[root, a, b]);
        let state = of(&flows, FlowKind::SecretToState);
        assert_eq!(state.len(), 1, "{flows:#?}");
        assert_eq!(state[0].address, "module.a.module.b.terraform_data.x");
        // The call back into `a` is reported once, as a cycle, not expanded.
        let cv = of(&flows, FlowKind::CannotVerify);
        assert_eq!(cv.len(), 1, "{flows:#?}");
        assert!(
            matches!(cv[0].fact, Fact::UnfollowedModule { cycle: true, .. }),
            "{:?}",
            cv[0].fact
        );
        assert_eq!(cv[0].address, "module.a.module.b.module.a");
        assert!(
            flows
                .iter()
                .all(|f| f.address.matches("module.").count() <= 3)
        );
    }

    #[test]
    fn variables_resolve_through_tfvars_or_are_cannot_verify() {
        fn files(tfvars: Option<&'static str>) -> Vec<(&'static str, &'static str)> {
            let mut v = vec![(
                "main.tf",
                "variable \"db_password\" {\n  type = string\n}\nvariable \"name\" {\n  type = string\n}\nresource \"aws_db_instance\" \"x\" {\n  identifier = var.name\n  password   = var.db_password\n}\n",
            )];
            if let Some(t) = tfvars {
                v.push(("terraform.tfvars", t));
            }
            v
        }
        // No value anywhere: the secret-named argument cannot be verified (info), the other
        // argument is not reported.
        let flows = run(&[test_module("v", &files(None))]);
        assert!(of(&flows, FlowKind::SecretToState).is_empty(), "{flows:#?}");
        let cv = of(&flows, FlowKind::CannotVerify);
        assert_eq!(cv.len(), 1, "{flows:#?}");
        assert_eq!(cv[0].attribute, "password");
        assert_eq!(cv[0].loc.to_string(), "v/main.tf:9:3");
        assert!(
            matches!(&cv[0].fact, Fact::Argument { source, .. }
                if source.address == "var.db_password" && matches!(source.kind, OriginKind::Unresolved { .. })),
            "{:?}",
            cv[0].fact
        );
        // A literal in terraform.tfvars is a hard-coded secret that reaches state.
        let flows = run(&[test_module(
            "v",
            &files(Some(
                "db_password = \"Pr0d-Passw0rd-Literal\"\nname = \"db\"\n",
            )),
        )]);
        let state = of(&flows, FlowKind::SecretToState);
        assert_eq!(state.len(), 1, "{flows:#?}");
        assert_eq!(
            state[0].hops,
            ["var.db_password", "aws_db_instance.x.password"]
        );
        assert!(of(&flows, FlowKind::CannotVerify).is_empty(), "{flows:#?}");
        assert!(
            flows
                .iter()
                .all(|f| !format!("{f:?}").contains("Pr0d-Passw0rd"))
        );
        // A placeholder value resolves and is not a secret.
        let flows = run(&[test_module(
            "v",
            &files(Some("db_password = \"changeme\"\nname = \"db\"\n")),
        )]);
        assert!(flows.is_empty(), "{flows:#?}");
    }
}
