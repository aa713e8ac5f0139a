//! An index of one module's top-level blocks, with Terraform addresses and source spans.
//!
//! ```ignore
//! let idx = ModuleIndex::new(&module);
//! for item in idx.of_kind(ItemKind::Resource) {
//!     if let Some((expr, loc)) = item.attr("client_secret") { /* loc.to_string() == "main.tf:12:3" */ }
//! }
//! let secret = idx.get("random_password.oauth_client_secret");
//! ```
//! Addresses follow Terraform's: `T.N` (managed), `data.T.N`, `ephemeral.T.N`, `var.N`,
//! `local.N`, `output.N`, `module.N`, `provider.N` (or `provider.N.alias`), `terraform`.

use std::collections::BTreeMap;
use std::fmt;

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body};

use super::{HclFile, Module, TfvarsFile};
use crate::types::Span;

/// What a top-level item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Resource,
    Data,
    Ephemeral,
    Variable,
    /// One attribute of a `locals` block.
    Local,
    Output,
    ModuleCall,
    Provider,
    Terraform,
}

/// A source location: file path plus 1-based span. Displays as `file:line:col`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    pub path: String,
    pub span: Span,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.span.line, self.span.column)
    }
}

impl Loc {
    /// Location of a byte range in `file` (an empty span at 1:1 if the parser kept none).
    pub fn of(file: &HclFile, range: Option<std::ops::Range<usize>>) -> Loc {
        let span = match range {
            Some(r) => file.lines.span(&file.src, r),
            None => Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        };
        Loc {
            path: file.path.clone(),
            span,
        }
    }
}

/// One addressable item of a module.
pub struct Item<'m> {
    pub kind: ItemKind,
    /// Resource/data/ephemeral type, or the provider's local name; empty otherwise.
    pub rtype: String,
    /// The item's name (resource name, variable name, local name, ...).
    pub name: String,
    /// Terraform address (see the module doc).
    pub address: String,
    pub file: &'m HclFile,
    /// The block (every kind but `Local`).
    pub block: Option<&'m Block>,
    /// The attribute (only `Local`).
    pub local: Option<&'m Attribute>,
}

impl<'m> Item<'m> {
    /// The body of the item's block, if it has one.
    pub fn body(&self) -> Option<&'m Body> {
        self.block.map(|b| &b.body)
    }

    /// Top-level argument `name` of the block: its expression and the location of the whole
    /// attribute (`name = value`).
    pub fn attr(&self, name: &str) -> Option<(&'m Expression, Loc)> {
        let a = self.body()?.get_attribute(name)?;
        Some((&a.value, attr_loc(self.file, a)))
    }

    /// The `Local` item's expression.
    pub fn local_expr(&self) -> Option<&'m Expression> {
        self.local.map(|a| &a.value)
    }

    /// Where the item starts: the block header (`resource "a" "b"`), or the local's attribute.
    pub fn loc(&self) -> Loc {
        if let Some(a) = self.local {
            return attr_loc(self.file, a);
        }
        match self.block {
            Some(b) => header_loc(self.file, b),
            None => Loc::of(self.file, None),
        }
    }

    /// Nested blocks of the item's body named `ident` (e.g. `lifecycle`, `roles`).
    pub fn blocks(&self, ident: &'m str) -> impl Iterator<Item = &'m Block> + 'm {
        self.body()
            .into_iter()
            .flat_map(move |b| b.blocks().filter(move |x| x.ident.as_str() == ident))
    }

    /// `true` if the block sets `name = true` literally.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.attr(name), Some((Expression::Bool(b), _)) if *b.value())
    }
}

/// Location of an attribute (`key = value`).
pub fn attr_loc(file: &HclFile, a: &Attribute) -> Loc {
    let start = a.key.span().map(|r| r.start);
    let end = a.value.span().map(|r| r.end);
    match (start, end) {
        (Some(s), Some(e)) if e >= s => Loc::of(file, Some(s..e)),
        (Some(s), _) => Loc::of(file, Some(s..s)),
        _ => Loc::of(file, a.span()),
    }
}

/// Location of an expression.
pub fn expr_loc(file: &HclFile, e: &Expression) -> Loc {
    Loc::of(file, e.span())
}

/// Location of a block's header: from its identifier to the end of its last label.
pub fn header_loc(file: &HclFile, b: &Block) -> Loc {
    let start = b.ident.span().map(|r| r.start);
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| b.ident.span())
        .map(|r| r.end);
    match (start, end) {
        (Some(s), Some(e)) if e >= s => Loc::of(file, Some(s..e)),
        _ => Loc::of(file, b.span()),
    }
}

/// All items of a module, by address.
pub struct ModuleIndex<'m> {
    pub module: &'m Module,
    pub items: Vec<Item<'m>>,
    by_addr: BTreeMap<String, usize>,
}

impl<'m> ModuleIndex<'m> {
    pub fn new(module: &'m Module) -> Self {
        let mut items = Vec::new();
        for file in &module.files {
            for block in file.body.blocks() {
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                let label = |i: usize| labels.get(i).copied().unwrap_or("").to_string();
                let (kind, rtype, name, address) = match block.ident.as_str() {
                    "resource" => {
                        let (t, n) = (label(0), label(1));
                        let a = format!("{t}.{n}");
                        (ItemKind::Resource, t, n, a)
                    }
                    "data" => {
                        let (t, n) = (label(0), label(1));
                        let a = format!("data.{t}.{n}");
                        (ItemKind::Data, t, n, a)
                    }
                    "ephemeral" => {
                        let (t, n) = (label(0), label(1));
                        let a = format!("ephemeral.{t}.{n}");
                        (ItemKind::Ephemeral, t, n, a)
                    }
                    "variable" => {
                        let n = label(0);
                        (
                            ItemKind::Variable,
                            String::new(),
                            n.clone(),
                            format!("var.{n}"),
                        )
                    }
                    "output" => {
                        let n = label(0);
                        (
                            ItemKind::Output,
                            String::new(),
                            n.clone(),
                            format!("output.{n}"),
                        )
                    }
                    "module" => {
                        let n = label(0);
                        (
                            ItemKind::ModuleCall,
                            String::new(),
                            n.clone(),
                            format!("module.{n}"),
                        )
                    }
                    "provider" => {
                        let t = label(0);
                        let alias = block
                            .body
                            .get_attribute("alias")
                            .and_then(|a| a.value.as_str())
                            .map(|s| format!(".{s}"))
                            .unwrap_or_default();
                        (
                            ItemKind::Provider,
                            t.clone(),
                            t.clone(),
                            format!("provider.{t}{alias}"),
                        )
                    }
                    "terraform" => (
                        ItemKind::Terraform,
                        String::new(),
                        String::new(),
                        "terraform".to_string(),
                    ),
                    "locals" => {
                        for a in block.body.attributes() {
                            let n = a.key.as_str().to_string();
                            items.push(Item {
                                kind: ItemKind::Local,
                                rtype: String::new(),
                                address: format!("local.{n}"),
                                name: n,
                                file,
                                block: None,
                                local: Some(a),
                            });
                        }
                        continue;
                    }
                    _ => continue,
                };
                items.push(Item {
                    kind,
                    rtype,
                    name,
                    address,
                    file,
                    block: Some(block),
                    local: None,
                });
            }
        }
        let mut by_addr = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            // First definition wins; Terraform itself rejects duplicates.
            by_addr.entry(it.address.clone()).or_insert(i);
        }
        ModuleIndex {
            module,
            items,
            by_addr,
        }
    }

    /// The item at a Terraform address (`random_password.x`, `var.y`, `local.z`, ...).
    pub fn get(&self, address: &str) -> Option<&Item<'m>> {
        self.by_addr.get(address).map(|&i| &self.items[i])
    }

    pub fn of_kind(&self, kind: ItemKind) -> impl Iterator<Item = &Item<'m>> {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// The tfvars files in Terraform's precedence order (later wins): `terraform.tfvars`,
    /// then `*.auto.tfvars` in lexical order, then any other file (`-var-file`) in the
    /// order given.
    pub fn tfvars_in_order(&self) -> Vec<&'m TfvarsFile> {
        fn rank(path: &str) -> u8 {
            let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            // Terraform's order: terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars
            // and *.auto.tfvars.json in lexical order, then -var-files.
            if name == "terraform.tfvars" {
                0
            } else if name == "terraform.tfvars.json" {
                1
            } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
                2
            } else {
                3
            }
        }
        let mut v: Vec<(u8, usize, &TfvarsFile)> = self
            .module
            .tfvars
            .iter()
            .enumerate()
            .map(|(i, t)| (rank(&t.path), i, t))
            .collect();
        v.sort_by(|a, b| {
            let ka = (a.0, if a.0 == 2 { a.2.path.as_str() } else { "" }, a.1);
            let kb = (b.0, if b.0 == 2 { b.2.path.as_str() } else { "" }, b.1);
            ka.cmp(&kb)
        });
        v.into_iter().map(|(_, _, t)| t).collect()
    }
}

/// Normalise a path made of `/`-separated parts: drop `.`, resolve `..`, keep a leading `/`.
/// `dir_join("a/b", "../c")` is `a/c`; `.` stands for the current directory.
pub fn dir_join(base: &str, rel: &str) -> String {
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        format!("{base}/{rel}")
    };
    normalise_dir(&joined)
}

/// See [`dir_join`].
pub fn normalise_dir(p: &str) -> String {
    let p = p.replace('\\', "/");
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(l) if *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            x => parts.push(x),
        }
    }
    let s = parts.join("/");
    match (absolute, s.is_empty()) {
        (true, _) => format!("/{s}"),
        (false, true) => ".".to_string(),
        (false, false) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::test_module;

    #[test]
    fn indexes_blocks_with_addresses_and_spans() {
        let m = test_module(
            "m",
            &[(
                "main.tf",
                "resource \"random_password\" \"p\" {\n  length = 32\n}\nlocals {\n  a = 1\n  b = local.a\n}\ndata \"vault_generic_secret\" \"s\" {\n  path = \"x\"\n}\nprovider \"vault\" {\n  alias = \"two\"\n}\n",
            )],
        );
        let idx = ModuleIndex::new(&m);
        let p = idx.get("random_password.p").unwrap();
        assert_eq!(p.kind, ItemKind::Resource);
        assert_eq!(p.loc().to_string(), "m/main.tf:1:1");
        let (_, loc) = p.attr("length").unwrap();
        assert_eq!(loc.to_string(), "m/main.tf:2:3");
        assert_eq!((loc.span.end_line, loc.span.end_column), (2, 14));
        assert!(idx.get("local.b").is_some());
        assert_eq!(
            idx.get("local.b").unwrap().loc().to_string(),
            "m/main.tf:6:3"
        );
        assert!(idx.get("data.vault_generic_secret.s").is_some());
        assert!(idx.get("provider.vault.two").is_some());
        assert_eq!(idx.of_kind(ItemKind::Local).count(), 2);
    }

    #[test]
    fn dirs_normalise() {
        assert_eq!(dir_join("a/b", "./c"), "a/b/c");
        assert_eq!(dir_join("a/b", "../c"), "a/c");
        assert_eq!(dir_join(".", "./mod"), "mod");
        assert_eq!(dir_join("/x/y", "../../z"), "/z");
        assert_eq!(dir_join(".", "../up"), "../up");
        assert_eq!(normalise_dir("./a//b/."), "a/b");
    }
}
