//! Where a module references something (`random_password.x`, `var.token`), and in what kind
//! of place: a write-only argument, a provider block, an ephemeral block, or anywhere else.

use std::ops::Range;

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::visit::{Visit, visit_traversal};

use crate::hcl::{HclFile, Module};
use crate::policy::Policy;

/// The kind of place a reference is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A write-only argument (never stored).
    WriteOnly,
    /// A provider block (provider configuration is never stored).
    Provider,
    /// An ephemeral resource block.
    Ephemeral,
    /// Anywhere else, described for the message (`genesyscloud_oauth_client.a.client_secret`).
    Other(String),
}

pub struct Use<'m> {
    pub file: &'m HclFile,
    /// The reference's root name (`random_password`, `var`): edits insert before it.
    pub root: Range<usize>,
    /// The whole reference as written.
    pub range: Range<usize>,
    pub place: Place,
}

/// The references whose root is `root` and whose first attribute is `name`
/// (`random_password.x…`, `var.token…`). Blocks that name addresses rather than use values
/// (`removed`, `moved`, `import`) are skipped.
pub fn uses<'m>(policy: &Policy, m: &'m Module, root: &str, name: &str) -> Vec<Use<'m>> {
    let mut out = Vec::new();
    for f in &m.files {
        for s in f.body.iter() {
            let Structure::Block(b) = s else {
                continue;
            };
            let kind = b.ident.as_str();
            if matches!(kind, "removed" | "moved" | "import") {
                continue;
            }
            let rtype = b.labels.first().map(|l| l.as_str()).unwrap_or("");
            let label = b
                .labels
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(".");
            walk_body(
                policy, f, &b.body, kind, rtype, &label, root, name, &mut out,
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn walk_body<'m>(
    policy: &Policy,
    f: &'m HclFile,
    body: &Body,
    kind: &str,
    rtype: &str,
    label: &str,
    root: &str,
    name: &str,
    out: &mut Vec<Use<'m>>,
) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let arg = a.key.as_str();
                let place = match kind {
                    "provider" => Place::Provider,
                    "ephemeral" => Place::Ephemeral,
                    "resource" if policy.is_write_only(rtype, arg) => Place::WriteOnly,
                    _ => Place::Other(format!("{kind} {label}: {arg}")),
                };
                let mut v = Finder {
                    root,
                    name,
                    found: Vec::new(),
                };
                v.visit_expr(&a.value);
                for (root_r, range) in v.found {
                    out.push(Use {
                        file: f,
                        root: root_r,
                        range,
                        place: place.clone(),
                    });
                }
            }
            Structure::Block(b) => walk_nested(policy, f, b, kind, rtype, label, root, name, out),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_nested<'m>(
    policy: &Policy,
    f: &'m HclFile,
    b: &Block,
    kind: &str,
    rtype: &str,
    label: &str,
    root: &str,
    name: &str,
    out: &mut Vec<Use<'m>>,
) {
    let inner = format!("{label}.{}", b.ident.as_str());
    walk_body(policy, f, &b.body, kind, rtype, &inner, root, name, out);
}

struct Finder<'a> {
    root: &'a str,
    name: &'a str,
    found: Vec<(Range<usize>, Range<usize>)>,
}

impl Visit for Finder<'_> {
    fn visit_traversal(&mut self, t: &Traversal) {
        if let Expression::Variable(v) = &t.expr
            && v.as_str() == self.root
            && let Some(first) = t.operators.first()
            && let TraversalOperator::GetAttr(id) = first.value()
            && id.as_str() == self.name
            && let (Some(r), Some(end)) = (t.expr.span(), t.span())
        {
            self.found.push((r.clone(), r.start..end.end));
        }
        visit_traversal(self, t);
    }
}
