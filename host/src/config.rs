//! `.tfguard.hcl`: found by walking up from the first checked path, or given with `--config`.
//! The host owns discovery and the file's syntax; rule options are passed to the guest as JSON.
//!
//! The file is read with `hcl-edit`, which keeps byte spans, and walked by hand instead of
//! through serde: serde's errors carry no position, and every mistake here (an unknown key, a
//! wrong type, an unknown rule id) must point at its `file:line:col`. Unknown keys are errors,
//! so a typo never silently turns a check off.
//!
//! ```hcl
//! fail_on      = "warning"               # error | warning | info
//! only         = ["TFG001", "TFG002"]    # run only these rules (default: all)
//! disable      = ["TFG901"]
//! policy_packs = ["policies/extra.toml"]  # relative to this file
//! severity     = { TFG002 = "warning" }
//!
//! rule "TFG021" {                        # any rule: enabled, severity, and its own options
//!   enabled = true
//!   allowed_hosts = ["app.example.com"]
//! }
//!
//! ignore {                               # for findings that cannot carry a comment (state)
//!   rule    = "TFG001"
//!   address = "module.legacy.*"
//!   reason  = "legacy key, rotation tracked in OPS-123"
//! }
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use serde_json::{Map, Value};
use tfguard_common::nesting;

use crate::error::{Error, Result};

pub const FILE_NAME: &str = ".tfguard.hcl";

/// A position in the config file, for error messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Default)]
pub struct Config {
    /// Lowest severity that fails the gate: error | warning | info.
    pub fail_on: Option<String>,
    pub only: Vec<String>,
    pub disable: Vec<String>,
    /// Extra policy packs (TOML), relative to the config file.
    pub policy_packs: Vec<String>,
    pub severity: BTreeMap<String, String>,
    /// Per-rule options from `rule "ID" { ... }` blocks (without `enabled`/`severity`).
    pub rules: BTreeMap<String, Map<String, Value>>,
    pub ignore: Vec<IgnoreBlock>,
    /// Every rule id the file names, with where, so unknown ids are reported at their place.
    pub rule_refs: Vec<(String, Loc)>,
    /// Option keys of each `rule` block: (where the block's label is, key, where the key is),
    /// so an option the rule rejects is reported at the key.
    pub rule_keys: Vec<(Loc, String, Loc)>,
    pub path: Option<PathBuf>,
}

#[derive(Debug, serde::Serialize)]
pub struct IgnoreBlock {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: String,
}

/// Walk up from `start` looking for `.tfguard.hcl`, no further than the root of its tree (the
/// git checkout): a config above the checked tree is not the tree's to pick up.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let tree = crate::discover::Tree::of(start).ok()?;
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    if !dir.starts_with(tree.root()) {
        dir = tree.root().to_path_buf();
    }
    loop {
        let candidate = dir.join(FILE_NAME);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if dir == tree.root() || !dir.pop() {
            return None;
        }
    }
}

/// How long parsing a config file may take (a real one takes microseconds).
const CONFIG_PARSE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Cap on a config file: a real one is a few KiB.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// Reads the file and validates its structure (rule ids are checked later, against the guest's
/// rule list, by [`Config::check_rule_ids`]).
/// The config a run uses: the one named (`--config`), else the first `.tfguard.hcl` found
/// walking up from the first path, else the defaults.
pub fn load_for(explicit: Option<&Path>, first_path: Option<&Path>) -> Result<Config> {
    match explicit {
        Some(p) => load(p),
        None => match first_path.and_then(discover) {
            Some(p) => load(&p),
            None => Ok(Config::default()),
        },
    }
}

pub fn load(path: &Path) -> Result<Config> {
    let tree = crate::discover::Tree::of(path)?;
    let bytes = crate::discover::read_confined(&tree, path, MAX_CONFIG_SIZE)?;
    let src = String::from_utf8(bytes).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    // hcl-edit's parser backtracks badly on some malformed input (a 1.2 KB file found by the
    // `config` fuzz target takes 1.5 s; larger ones grow faster). The config is in the checked
    // tree, so a pull request controls it: parse under a deadline and fail closed after it.
    let (tx, rx) = std::sync::mpsc::channel();
    let text = src.clone();
    std::thread::spawn(move || {
        let _ = tx.send(parse(&text));
    });
    let parsed = rx.recv_timeout(CONFIG_PARSE_DEADLINE).unwrap_or_else(|_| {
        Err((
            Loc { line: 1, column: 1 },
            format!(
                "not parsed within {} s: the file is pathological (deep or unbalanced nesting?)",
                CONFIG_PARSE_DEADLINE.as_secs()
            ),
        ))
    });
    let mut cfg = parsed.map_err(|(loc, message)| Error::Config {
        path: path.to_path_buf(),
        line: loc.line,
        column: loc.column,
        message,
    })?;
    cfg.path = Some(path.to_path_buf());
    Ok(cfg)
}

type PResult<T> = std::result::Result<T, (Loc, String)>;

/// Parses config text; errors carry the position of the offending item.
pub fn parse(src: &str) -> PResult<Config> {
    let p = Parser { src };
    // hcl-edit backtracks exponentially on deep or unclosed invalid input (a 384-byte file
    // took seconds); a config file nests a few levels, so such input is refused unparsed.
    match nesting::refuse(src, nesting::MAX_NESTING) {
        Some(nesting::Refusal::TooDeep { at }) => {
            return p.err(
                Some(at..at),
                format!("nesting deeper than {} levels", nesting::MAX_NESTING),
            );
        }
        Some(nesting::Refusal::Unclosed { at, count }) => {
            return p.err(
                Some(at..at),
                format!(
                    "syntax error: {count} brackets are never closed, the outermost opens here"
                ),
            );
        }
        None => {}
    }
    let body = hcl_edit::parser::parse_body(src).map_err(|e| {
        let l = e.location();
        (
            Loc {
                line: l.line(),
                column: l.column(),
            },
            format!("syntax error: {}", e.message()),
        )
    })?;
    p.body(&body)
}

struct Parser<'a> {
    src: &'a str,
}

const TOP_KEYS: &str =
    "fail_on, only, disable, policy_packs, severity, and blocks `rule \"ID\" {}` and `ignore {}`";

impl Parser<'_> {
    fn loc(&self, span: Option<Range<usize>>) -> Loc {
        let off = span.map(|r| r.start).unwrap_or(0).min(self.src.len());
        let before = &self.src[..off];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        Loc {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }

    fn err<T>(&self, span: Option<Range<usize>>, msg: impl Into<String>) -> PResult<T> {
        Err((self.loc(span), msg.into()))
    }

    fn body(&self, body: &Body) -> PResult<Config> {
        let mut cfg = Config::default();
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.as_str();
                    if seen.insert(key.to_string(), ()).is_some() {
                        return self.err(a.span(), format!("`{key}` is set twice"));
                    }
                    match key {
                        "fail_on" => {
                            let v = self.string(&a.value, key)?;
                            if !matches!(v.as_str(), "error" | "warning" | "info") {
                                return self.err(
                                    a.value.span(),
                                    format!(
                                        "fail_on must be \"error\", \"warning\" or \"info\", not \"{v}\""
                                    ),
                                );
                            }
                            cfg.fail_on = Some(v);
                        }
                        "only" => cfg.only = self.rule_list(a, &mut cfg.rule_refs)?,
                        "disable" => cfg.disable = self.rule_list(a, &mut cfg.rule_refs)?,
                        "policy_packs" => cfg.policy_packs = self.strings(&a.value, key)?,
                        "severity" => {
                            let Expression::Object(o) = &a.value else {
                                return self.err(
                                    a.value.span(),
                                    "severity must be an object like { TFG002 = \"warning\" }",
                                );
                            };
                            for (k, v) in o.iter() {
                                let id = self.key(k)?;
                                let sev = self.severity(v.expr(), &format!("severity.{id}"))?;
                                cfg.rule_refs.push((id.clone(), self.loc(k.span())));
                                cfg.severity.insert(id, sev);
                            }
                        }
                        _ => {
                            return self.err(
                                a.key.span(),
                                format!("unknown setting `{key}` (known: {TOP_KEYS})"),
                            );
                        }
                    }
                }
                Structure::Block(b) => match b.ident.as_str() {
                    "rule" => self.rule_block(b, &mut cfg)?,
                    "ignore" => {
                        let ig = self.ignore_block(b)?;
                        cfg.rule_refs.push((ig.0.rule.clone(), ig.1));
                        cfg.ignore.push(ig.0);
                    }
                    other => {
                        return self.err(
                            b.ident.span(),
                            format!("unknown block `{other}` (known: {TOP_KEYS})"),
                        );
                    }
                },
            }
        }
        Ok(cfg)
    }

    fn rule_block(&self, b: &Block, cfg: &mut Config) -> PResult<()> {
        let [label] = b.labels.as_slice() else {
            return self.err(
                b.ident.span(),
                "a rule block takes exactly one label, the rule id: rule \"TFG021\" { ... }",
            );
        };
        let id = label.as_str().to_string();
        let block_loc = self.loc(label.span());
        cfg.rule_refs.push((id.clone(), block_loc));
        if cfg.rules.contains_key(&id) {
            return self.err(label.span(), format!("rule \"{id}\" is configured twice"));
        }
        let mut opts = Map::new();
        for s in b.body.iter() {
            let Structure::Attribute(a) = s else {
                return self.err(
                    s.span(),
                    format!("rule \"{id}\" takes attributes, not blocks"),
                );
            };
            match a.key.as_str() {
                "enabled" => match &a.value {
                    Expression::Bool(v) => {
                        if !*v.value() {
                            cfg.disable.push(id.clone());
                        }
                    }
                    e => return self.err(e.span(), "enabled must be true or false"),
                },
                "severity" => {
                    let sev = self.severity(&a.value, "severity")?;
                    cfg.severity.insert(id.clone(), sev);
                }
                key => {
                    cfg.rule_keys
                        .push((block_loc, key.to_string(), self.loc(a.key.span())));
                    opts.insert(key.to_string(), self.json(&a.value)?);
                }
            }
        }
        cfg.rules.insert(id, opts);
        Ok(())
    }

    fn ignore_block(&self, b: &Block) -> PResult<(IgnoreBlock, Loc)> {
        if !b.labels.is_empty() {
            return self.err(b.ident.span(), "an ignore block takes no labels");
        }
        let (mut rule, mut address, mut path, mut reason) = (None, None, None, None);
        let mut rule_loc = self.loc(b.ident.span());
        for s in b.body.iter() {
            let Structure::Attribute(a) = s else {
                return self.err(s.span(), "ignore takes attributes, not blocks");
            };
            let key = a.key.as_str();
            let v = match key {
                "rule" | "address" | "path" | "reason" => self.string(&a.value, key)?,
                _ => {
                    return self.err(
                        a.key.span(),
                        format!(
                            "unknown key `{key}` in ignore (known: rule, address, path, reason)"
                        ),
                    );
                }
            };
            match key {
                "rule" => {
                    rule_loc = self.loc(a.value.span());
                    rule = Some(v);
                }
                "address" => address = Some(v),
                "path" => path = Some(v),
                _ => reason = Some(v),
            }
        }
        let Some(rule) = rule else {
            return self.err(b.ident.span(), "ignore block needs `rule`");
        };
        let reason = reason.unwrap_or_default();
        if reason.trim().is_empty() {
            return self.err(
                b.ident.span(),
                format!("ignore block for {rule} needs a non-empty `reason`"),
            );
        }
        Ok((
            IgnoreBlock {
                rule,
                address,
                path,
                reason,
            },
            rule_loc,
        ))
    }

    fn rule_list(&self, a: &Attribute, refs: &mut Vec<(String, Loc)>) -> PResult<Vec<String>> {
        let Expression::Array(arr) = &a.value else {
            return self.err(
                a.value.span(),
                format!("{} must be a list of rule ids", a.key.as_str()),
            );
        };
        let mut out = Vec::new();
        for e in arr.iter() {
            let id = self.string(e, a.key.as_str())?;
            refs.push((id.clone(), self.loc(e.span())));
            out.push(id);
        }
        Ok(out)
    }

    fn severity(&self, e: &Expression, what: &str) -> PResult<String> {
        let v = self.string(e, what)?;
        if matches!(v.as_str(), "error" | "warning" | "info") {
            Ok(v)
        } else {
            self.err(
                e.span(),
                format!("{what} must be \"error\", \"warning\" or \"info\", not \"{v}\""),
            )
        }
    }

    fn key(&self, k: &ObjectKey) -> PResult<String> {
        match k {
            ObjectKey::Ident(i) => Ok(i.as_str().to_string()),
            ObjectKey::Expression(Expression::String(s)) => Ok(s.value().to_string()),
            ObjectKey::Expression(e) => self.err(e.span(), "object keys must be names or strings"),
        }
    }

    fn string(&self, e: &Expression, what: &str) -> PResult<String> {
        match e {
            Expression::String(s) => Ok(s.value().to_string()),
            _ => self.err(e.span(), format!("{what} must be a string literal")),
        }
    }

    fn strings(&self, e: &Expression, what: &str) -> PResult<Vec<String>> {
        match e {
            Expression::Array(arr) => arr.iter().map(|x| self.string(x, what)).collect(),
            _ => self.err(e.span(), format!("{what} must be a list of strings")),
        }
    }

    /// A literal value as JSON (rule options). Expressions that need evaluation are refused:
    /// the config is data.
    fn json(&self, e: &Expression) -> PResult<Value> {
        Ok(match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                if let Some(i) = n.as_i64() {
                    Value::from(i)
                } else {
                    n.as_f64().map(Value::from).unwrap_or(Value::Null)
                }
            }
            Expression::String(s) => Value::String(s.value().to_string()),
            Expression::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.json(x))
                    .collect::<PResult<Vec<_>>>()?,
            ),
            Expression::Object(o) => {
                let mut m = Map::new();
                for (k, v) in o.iter() {
                    m.insert(self.key(k)?, self.json(v.expr())?);
                }
                Value::Object(m)
            }
            Expression::Parenthesis(p) => self.json(p.inner())?,
            _ => {
                return self.err(
                    e.span(),
                    "option values must be literals (strings, numbers, booleans, lists, objects)",
                );
            }
        })
    }
}

impl Config {
    /// Rule options for the guest (see guest/src/options.rs).
    pub fn options_json(&self) -> String {
        serde_json::json!({
            "only": self.only,
            "disable": self.disable,
            "severity": self.severity,
            "rules": self.rules,
            "ignore": self.ignore,
        })
        .to_string()
    }

    /// Every rule id the file names must be one the guest knows (ids or kebab names; names are
    /// rewritten to ids so the guest sees one spelling).
    pub fn check_rule_ids(&mut self, known: &[(String, String)]) -> Result<()> {
        let resolve = |s: &str| {
            known
                .iter()
                .find(|(id, name)| id.eq_ignore_ascii_case(s) || name == s)
                .map(|(id, _)| id.clone())
        };
        for (id, loc) in &self.rule_refs {
            if resolve(id).is_none() {
                return Err(Error::Config {
                    path: self.path.clone().unwrap_or_else(|| FILE_NAME.into()),
                    line: loc.line,
                    column: loc.column,
                    message: format!("unknown rule `{id}` (`tfguard rules` lists them)"),
                });
            }
        }
        let fix = |v: &mut Vec<String>| {
            for s in v.iter_mut() {
                if let Some(id) = resolve(s) {
                    *s = id;
                }
            }
        };
        fix(&mut self.only);
        fix(&mut self.disable);
        self.severity = std::mem::take(&mut self.severity)
            .into_iter()
            .map(|(k, v)| (resolve(&k).unwrap_or(k), v))
            .collect();
        self.rules = std::mem::take(&mut self.rules)
            .into_iter()
            .map(|(k, v)| (resolve(&k).unwrap_or(k), v))
            .collect();
        for ig in &mut self.ignore {
            if let Some(id) = resolve(&ig.rule) {
                ig.rule = id;
            }
        }
        // The guest names rules by id in its errors; find them whatever the file wrote.
        for (r, _) in &mut self.rule_refs {
            if let Some(id) = resolve(r) {
                *r = id;
            }
        }
        Ok(())
    }

    /// The location of the first mention of `id`, for errors the guest reports about a rule.
    /// Where to point for a rule's rejected options: the first key the message names
    /// (`unknown field \`alow\``), else the rule block.
    /// Where the config names `key` in rule `id`'s block (the block itself when the key is
    /// not one written there, e.g. a missing field), or where it names the rule at all.
    pub fn locate_rule_option(&self, id: &str, key: Option<&str>) -> Option<Loc> {
        let block = self.locate_rule(id)?;
        Some(
            self.rule_keys
                .iter()
                .find(|(b, k, _)| *b == block && Some(k.as_str()) == key)
                .map_or(block, |(_, _, at)| *at),
        )
    }

    pub fn locate_rule(&self, id: &str) -> Option<Loc> {
        self.rule_refs
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(id))
            .map(|(_, l)| *l)
    }

    /// Pack paths resolved against the config file's directory.
    pub fn pack_paths(&self) -> Vec<PathBuf> {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        self.policy_packs.iter().map(|p| base.join(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, usize, String) {
        match parse(src) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err((l, m)) => (l.line, l.column, m),
        }
    }

    #[test]
    fn full_config_parses() {
        let c = parse(
            r#"
fail_on = "warning"
disable = ["TFG901"]
severity = { TFG002 = "warning" }
rule "TFG021" {
  enabled = false
  allowed = ["a", "b"]
  nested  = { x = 1, y = true }
}
ignore {
  rule    = "TFG001"
  address = "module.legacy.*"
  reason  = "OPS-123"
}
"#,
        )
        .unwrap();
        assert_eq!(c.fail_on.as_deref(), Some("warning"));
        assert_eq!(c.disable, ["TFG901", "TFG021"]);
        assert_eq!(c.rules["TFG021"]["nested"]["x"], 1);
        assert_eq!(c.ignore[0].reason, "OPS-123");
        let j: Value = serde_json::from_str(&c.options_json()).unwrap();
        assert_eq!(j["rules"]["TFG021"]["allowed"][1], "b");
    }

    #[test]
    fn errors_point_at_the_item() {
        assert_eq!(
            err("fail_on = \"error\"\nfial_on = 1\n"),
            (
                2,
                1,
                "unknown setting `fial_on` (known: fail_on, only, disable, policy_packs, severity, and blocks `rule \"ID\" {}` and `ignore {}`)".into()
            )
        );
        let (l, c, m) = err("fail_on = \"sometimes\"\n");
        assert_eq!((l, c), (1, 11));
        assert!(m.contains("not \"sometimes\""), "{m}");
        let (l, _, m) = err("ignore {\n  rule = \"TFG001\"\n}\n");
        assert_eq!(l, 1);
        assert!(m.contains("non-empty `reason`"), "{m}");
        let (l, c, _) = err("rule \"TFG001\" {\n  severity = \"loud\"\n}\n");
        assert_eq!((l, c), (2, 14));
        let (l, c, m) = err("only = [\"TFG001\"\n");
        assert_eq!((l, c), (1, 18));
        assert!(m.starts_with("syntax error"), "{m}");
        let (_, _, m) = err("rule \"TFG001\" {\n  x = var.y\n}\n");
        assert!(m.contains("literals"), "{m}");
    }

    /// The input on which hcl-edit backtracked for seconds (fuzzing found it, as a `.tf`) is
    /// refused at the bracket that nests too deep, before the parser runs.
    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let hostile = include_str!("../../tests/hostile/backtrack-depth-63.hcl");
        let (line, column, m) = err(hostile);
        assert_eq!(m, "nesting deeper than 40 levels");
        let at = nesting::too_deep(hostile, nesting::MAX_NESTING).expect("too deep");
        let before = &hostile[..at];
        assert_eq!(line, before.matches('\n').count() + 1);
        assert_eq!(column, at - before.rfind('\n').map_or(0, |n| n + 1) + 1);
        // Ordinary nesting still parses.
        assert!(parse("rule \"TFG021\" {\n  nested = { a = [[{ b = 1 }]] }\n}\n").is_ok());
    }

    #[test]
    fn unknown_rule_ids_are_located() {
        let mut c = parse("disable = [\n  \"TFG001\",\n  \"TFG999\",\n]\n").unwrap();
        let known = [(
            "TFG001".to_string(),
            "secret-attribute-in-state".to_string(),
        )];
        match c.check_rule_ids(&known) {
            Err(Error::Config { line, column, .. }) => assert_eq!((line, column), (3, 3)),
            other => panic!("{other:?}"),
        }
        let mut c = parse("only = [\"secret-attribute-in-state\"]\n").unwrap();
        c.check_rule_ids(&known).unwrap();
        assert_eq!(c.only, ["TFG001"]);
    }
}
