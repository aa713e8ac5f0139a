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

mod advice;
mod exprs;
mod generators;
mod policy;
mod sinks;
mod taint;
#[cfg(test)]
mod tests;

use exprs::*;
pub use policy::{FlowPolicy, Generator, SecretDataSource, SinkFix};

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
