use hcl::edit::Span as _;
use hcl::edit::visit::{self, Visit};

use super::{Ctx, Hit, Rule, RuleMeta, Sink};
use crate::detect::{self, Kind};
use crate::hcl::{HclFile, Module};
use crate::state::{
    Attrs, Instance, Seg, flat_is_count, format_segs, last_name, segs_start_with, walk_strings,
};
use crate::types::Severity;

/// TFG003: a value that looks like a credential (token formats, private keys, secrets in
/// scripts, high-entropy values in secret-named attributes), in state, plan or HCL literals.
pub struct SecretPatternInValue;

static META: RuleMeta = RuleMeta {
    id: "TFG003",
    name: "secret-pattern-in-value",
    title: "A value looks like a credential and will be stored in state",
    family: "secrets",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG003.md"),
};

const FIX_STATE: &str = "Move the credential out of this attribute: pass it from an ephemeral source into a write-only (`*_wo`) argument, or have the workload read it from Vault at run time. Then rotate it: every copy of this state holds it.";
const FIX_HCL: &str = "Do not hard-code credentials: declare an `ephemeral = true` variable (or read `ephemeral \"vault_kv_secret_v2\"`) and pass it to a write-only (`*_wo`) argument. Rotate the credential: it is in version control history and in state.";

impl Rule for SecretPatternInValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_instance(&self, cx: &Ctx<'_>, path: &str, inst: &Instance<'_>, out: &mut Sink) {
        // Catalogue attributes are TFG001's; sensitive-marked paths are TFG002's.
        // Looked up once per instance, then matched per value (usually against nothing).
        let entries: Vec<_> = cx
            .policy
            .secret_attributes_for(inst.mode, inst.rtype)
            .collect();
        // Catalogue paths at or above a value: TFG001's (nested ones included).
        let covered_json = |p: &[Seg<'_>]| {
            crate::policy::covers(
                &entries,
                p.iter().filter_map(|s| match s {
                    Seg::Key(k) => Some(*k),
                    Seg::Idx(_) => None,
                }),
            )
        };
        let covered_flat = |key: &str| {
            crate::policy::covers(
                &entries,
                key.split('.')
                    .filter(|k| !k.is_empty() && !k.bytes().all(|b| b.is_ascii_digit())),
            )
        };
        let marked = |p: &[Seg]| {
            inst.sensitive
                .iter()
                .any(|s| !s.is_empty() && segs_start_with(p, s))
        };
        let mut hits: Vec<(String, Kind)> = Vec::new();
        match &inst.attributes {
            Attrs::Json(v) => walk_strings(*v, &mut Vec::new(), &mut |p, s| {
                let Some(Seg::Key(_)) = p.first() else {
                    return;
                };
                if (!entries.is_empty() && covered_json(p)) || marked(p) {
                    return;
                }
                if let Some(kind) = detect::detect(last_name(p), s) {
                    hits.push((format_segs(p), kind));
                }
            }),
            Attrs::Flat(pairs) => {
                for (k, v) in pairs {
                    if flat_is_count(k) || covered_flat(k) {
                        continue;
                    }
                    let name = k.rsplit('.').next().unwrap_or(k);
                    if let Some(kind) = detect::detect(name, v) {
                        hits.push((k.clone(), kind));
                    }
                }
            }
        }
        for (attr, kind) in hits {
            out.report(
                &META,
                Hit {
                    message: format!(
                        "`{}` stores {} in cleartext at `{attr}` ({})",
                        inst.address,
                        kind.describe(),
                        inst.origin
                    ),
                    path: path.to_string(),
                    address: Some(inst.address.clone()),
                    attribute: Some(attr),
                    remediation: FIX_STATE.into(),
                    ..Hit::default()
                },
            );
        }
    }

    fn check_module(&self, cx: &Ctx<'_>, m: &Module, out: &mut Sink) {
        let flows = cx
            .options
            .enabled("TFG010")
            .then(|| cx.memo.flow_policy(cx.policy))
            .flatten();
        for file in &m.files {
            for structure in file.body.iter() {
                let Some(block) = structure.as_block() else {
                    continue;
                };
                let kind = block.ident.as_str();
                if kind == "terraform" {
                    continue;
                }
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                let address = match (kind, labels.as_slice()) {
                    ("resource", [t, n, ..]) => format!("{t}.{n}"),
                    ("data", [t, n, ..]) => format!("data.{t}.{n}"),
                    ("ephemeral", [t, n, ..]) => format!("ephemeral.{t}.{n}"),
                    ("module", [n, ..]) => format!("module.{n}"),
                    ("variable", [n, ..]) => format!("var.{n}"),
                    ("output", [n, ..]) => format!("output.{n}"),
                    ("provider", [n, ..]) => format!("provider.{n}"),
                    (k, _) => k.to_string(),
                };
                let rtype = match (kind, labels.first()) {
                    ("data", Some(t)) => Some(("data", *t)),
                    ("resource" | "ephemeral", Some(t)) => Some(("managed", *t)),
                    _ => None,
                };
                let mut finder = LiteralFinder {
                    file,
                    cx,
                    rtype,
                    flows: flows
                        .as_deref()
                        .filter(|_| matches!(kind, "resource" | "data")),
                    names: Vec::new(),
                    hits: Vec::new(),
                };
                finder.visit_body(&block.body);
                for (name, kind, span) in finder.hits {
                    out.report(
                        &META,
                        Hit {
                            message: format!(
                                "`{address}` hard-codes {} in `{name}`: it will be stored in state",
                                kind.describe()
                            ),
                            path: file.path.clone(),
                            span: Some(span),
                            address: Some(address.clone()),
                            attribute: Some(name),
                            remediation: FIX_HCL.into(),
                            ..Hit::default()
                        },
                    );
                }
            }
        }
    }
}

/// Walks an HCL block body and runs the detectors on every literal string, keeping the name
/// of the attribute or object key it sits under (for the name-gated checks).
struct LiteralFinder<'f> {
    file: &'f HclFile,
    cx: &'f Ctx<'f>,
    /// (mode, type) of the enclosing resource or data source, for catalogue lookups.
    rtype: Option<(&'static str, &'f str)>,
    /// Set inside a resource or data block when TFG010 runs: the literals it reports.
    flows: Option<&'f crate::hcl::flow::FlowPolicy>,
    names: Vec<String>,
    hits: Vec<(String, Kind, crate::types::Span)>,
}

impl LiteralFinder<'_> {
    fn check(&mut self, s: &str, range: Option<std::ops::Range<usize>>) {
        let name = self.names.last().cloned().unwrap_or_default();
        if let (Some(kind), Some(r)) = (detect::detect(&name, s), range) {
            let span = self.file.lines.span(&self.file.src, r);
            if !self.hits.iter().any(|(_, _, sp)| *sp == span) {
                self.hits.push((self.names.join("."), kind, span));
            }
        }
    }
}

impl Visit for LiteralFinder<'_> {
    fn visit_attr(&mut self, node: &hcl::edit::structure::Attribute) {
        let name = node.key.as_str();
        // A literal string straight in a secret argument is a hard-coded secret whatever it
        // looks like (`admin_pass = "N0tSoS3cret"`): by name, or by the catalogue.
        if let hcl::edit::expr::Expression::String(s) = &node.value {
            let catalogued = self.names.is_empty()
                && self.rtype.is_some_and(|(mode, t)| {
                    self.cx.policy.secret_attribute(mode, t, name).is_some()
                });
            // TFG010 reports a secret literal in a resource or data source argument as a flow
            // into state, with the write-only fix: one finding, not two.
            if self
                .flows
                .is_some_and(|fp| fp.is_secret_name(name) && fp.is_secret_literal(s.as_str()))
            {
                return;
            }
            if (catalogued || detect::secret_named(name)) && detect::literal_secret(s.as_str()) {
                if let Some(r) = s.span() {
                    let span = self.file.lines.span(&self.file.src, r);
                    let mut path = self.names.clone();
                    path.push(name.to_string());
                    self.hits
                        .push((path.join("."), Kind::LiteralInSecretArgument, span));
                }
                return;
            }
        }
        self.names.push(name.to_string());
        visit::visit_attr(self, node);
        self.names.pop();
    }

    fn visit_block(&mut self, node: &hcl::edit::structure::Block) {
        self.names.push(node.ident.as_str().to_string());
        visit::visit_block(self, node);
        self.names.pop();
    }

    fn visit_object_item(
        &mut self,
        key: &hcl::edit::expr::ObjectKey,
        value: &hcl::edit::expr::ObjectValue,
    ) {
        let k = match key {
            hcl::edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
            hcl::edit::expr::ObjectKey::Expression(hcl::edit::expr::Expression::String(s)) => {
                s.as_str().to_string()
            }
            hcl::edit::expr::ObjectKey::Expression(_) => String::new(),
        };
        self.names.push(k);
        visit::visit_object_item(self, key, value);
        self.names.pop();
    }

    fn visit_string(&mut self, node: &hcl::edit::Decorated<String>) {
        self.check(node.as_str(), node.span());
    }

    fn visit_literal(&mut self, node: &hcl::edit::Spanned<String>) {
        self.check(node.as_str(), node.span());
    }
}
