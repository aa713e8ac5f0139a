//! `tfguard fix`: edits that resolve findings, each owned by the rule whose finding it resolves
//! (`FIXES`, one file per kind of fix). The driver runs the rules, asks each finding's fix for
//! a [`Proposal`], applies the ones allowed (safe, or unsafe when asked), re-parses every file
//! it touched (a proposal that breaks parsing is dropped), and repeats until nothing changes:
//! one fix can make another applicable (the generator becomes ephemeral once its sinks are
//! write-only). The last check of the fixed text is returned as what is left.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{self, Prepared};
use crate::hcl::{self, Module, ModuleIndex};
use crate::types::{DocKind, Document, Finding, Report, Settings, SettingsError, Span};

mod client_secret;
mod generator;
mod json;
mod manual;
mod provider_source;
mod refs;
mod requirements;
mod scope;
mod text;
mod too_new;
mod unknown_argument;
mod variable;
mod write_only;

pub use text::Edit;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Meaning preserved: no change to what Terraform does.
    Safe,
    /// Changes what Terraform will do; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Cannot be made mechanically; `why` is the instruction.
    Manual,
}

#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub unsafe_fixes: bool,
    /// Only fixes of these rules (ids or names); empty = all.
    pub rules: Vec<String>,
}

/// What one fix does, before it is applied.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub rule_id: &'static str,
    pub title: String,
    pub safety: Safety,
    pub why: String,
    pub edits: Vec<Edit>,
}

impl Proposal {
    pub fn manual(rule_id: &'static str, title: impl Into<String>, why: impl Into<String>) -> Self {
        Proposal {
            rule_id,
            title: title.into(),
            safety: Safety::Manual,
            why: why.into(),
            edits: Vec::new(),
        }
    }
}

/// A fix as reported: applied, or listed (unsafe without `--unsafe-fixes`, or manual).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FixItem {
    pub rule_id: String,
    pub title: String,
    pub safety: Safety,
    pub applied: bool,
    pub path: String,
    pub span: Option<Span>,
    pub address: Option<String>,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedFile {
    pub path: String,
    pub contents: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct FixResult {
    /// Files whose text changed, with their new contents (each parses).
    pub files: Vec<FixedFile>,
    pub fixes: Vec<FixItem>,
    /// The check of the fixed documents: what is left.
    pub report: Report,
}

/// Every fix names the secret that may already be in state.
pub const ROTATE: &str =
    "Rotate any secret already in state (`tfguard rotate` for Genesys OAuth clients).";

/// What a fix sees: the prepared settings and the parsed modules of this pass.
pub struct FixCx<'a> {
    pub prep: &'a Prepared,
    pub modules: &'a [Module],
    pub indexes: Vec<ModuleIndex<'a>>,
    /// The text of each `.tf.json` file, which JSON fixes edit (the modules hold HCL
    /// generated from it).
    json: BTreeMap<String, String>,
}

impl<'a> FixCx<'a> {
    fn new(prep: &'a Prepared, modules: &'a [Module], docs: &[Document]) -> Self {
        let json = docs
            .iter()
            .filter(|d| is_tf_json(&d.path))
            .filter_map(|d| Some((d.path.clone(), String::from_utf8(d.contents.clone()).ok()?)))
            .collect();
        FixCx {
            prep,
            modules,
            indexes: modules.iter().map(ModuleIndex::new).collect(),
            json,
        }
    }

    /// The text fixes edit for `path`: a native file's source, or a `.tf.json` file's JSON.
    pub fn text_of(&self, path: &str) -> Option<&str> {
        match self.native_file(path) {
            Some(f) => Some(&f.src),
            None => self.json.get(path).map(String::as_str),
        }
    }

    /// A finding's span as a byte range of [`FixCx::text_of`] its file, with that text.
    pub fn span_range(&self, f: &Finding) -> Option<(&str, std::ops::Range<usize>)> {
        let src = self.text_of(&f.path)?;
        let s = f.span?;
        let a = text::offset_of(src, s.line, s.column)?;
        let b = text::offset_of(src, s.end_line, s.end_column)?;
        (b >= a).then_some((src, a..b))
    }

    /// The module holding file `path`, with its index.
    pub fn module_of(&self, path: &str) -> Option<(&'a Module, &ModuleIndex<'a>)> {
        self.modules
            .iter()
            .zip(&self.indexes)
            .find(|(m, _)| m.files.iter().any(|f| f.path == path))
    }

    /// The file `path`, when it is native HCL (JSON-syntax files are not edited).
    pub fn native_file(&self, path: &str) -> Option<&'a hcl::HclFile> {
        self.modules
            .iter()
            .flat_map(|m| &m.files)
            .find(|f| f.path == path && !f.lines.is_mapped())
    }

    /// The block a finding's address names, in the module of the finding's file (a module
    /// path prefix is dropped: the finding's file is the module's own).
    pub fn item(&self, f: &Finding) -> Option<(&'a Module, &crate::hcl::Item<'a>)> {
        let mut addr = f.address.as_deref()?;
        while let Some(rest) = addr.strip_prefix("module.") {
            addr = rest.split_once('.')?.1;
        }
        let (m, idx) = self.module_of(&f.path)?;
        let item = idx.get(addr)?;
        (!item.file.lines.is_mapped()).then_some((m, item))
    }

    /// The block a finding's address names, also in a `.tf.json` file (whose body is the
    /// HCL generated from it: for reading, not for edits).
    pub fn item_any(&self, f: &Finding) -> Option<&crate::hcl::Item<'a>> {
        let mut addr = f.address.as_deref()?;
        while let Some(rest) = addr.strip_prefix("module.") {
            addr = rest.split_once('.')?.1;
        }
        self.module_of(&f.path)?.1.get(addr)
    }

    /// A finding's span as a byte range of its (native) file.
    pub fn range(&self, f: &Finding) -> Option<(&'a hcl::HclFile, std::ops::Range<usize>)> {
        let file = self.native_file(&f.path)?;
        let s = f.span?;
        let a = text::offset_of(&file.src, s.line, s.column)?;
        let b = text::offset_of(&file.src, s.end_line, s.end_column)?;
        (b >= a).then_some((file, a..b))
    }

    pub fn oauth(&self) -> Option<crate::oauth::data::OauthData> {
        crate::oauth::data::OauthData::load(&self.prep.policy).ok()
    }
}

/// `.tf.json` (not `.tfvars.json`).
pub fn is_tf_json(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".tf.json")
}

/// A string literal in the syntax of `path`.
pub fn quote_for(path: &str, s: &str) -> String {
    if is_tf_json(path) {
        json::quote(s)
    } else {
        text::quote(s)
    }
}

/// Does the fixed text still parse?
fn parses(path: &str, text: &str) -> bool {
    if is_tf_json(path) {
        hcl::parse_json(path, text.as_bytes(), &hcl::JsonHints::default()).is_ok()
    } else {
        hcl::parse(path, text.as_bytes()).is_ok()
    }
}

type Fixer = fn(&FixCx<'_>, &Finding) -> Vec<Proposal>;

/// The rules whose fixes also edit `.tf.json` files; the others list the instruction there.
const JSON_FIXES: &[&str] = &["TFG030", "TFG040", "TFG043", "TFG044"];

/// The fix of each rule that has one, keyed by the rule id.
pub static FIXES: &[(&str, Fixer)] = &[
    ("TFG004", manual::secret_output),
    ("TFG010", write_only::fix),
    ("TFG011", manual::secret_output),
    ("TFG012", generator::fix),
    ("TFG030", scope::fix),
    ("TFG035", manual::retired_grant),
    ("TFG040", unknown_argument::fix),
    ("TFG043", client_secret::fix),
    ("TFG044", provider_source::fix),
    ("TFG045", too_new::fix),
];

/// Fixes that look at a module rather than a finding: the rule they serve (a plan would
/// report it) and the proposer.
type ModuleFixer = fn(&FixCx<'_>) -> Vec<(Proposal, Anchor)>;
pub static MODULE_FIXES: &[(&str, ModuleFixer)] = &[("TFG005", variable::fix)];

/// Where a module-level proposal points.
#[derive(Clone, Debug, Default)]
pub struct Anchor {
    pub path: String,
    pub span: Option<Span>,
    pub address: Option<String>,
}

/// Rule ids that have a fix (for `tfguard rules` and the fixture test).
pub fn rules_with_fixes() -> Vec<&'static str> {
    let mut ids: Vec<&str> = FIXES
        .iter()
        .map(|(id, _)| *id)
        .chain(MODULE_FIXES.iter().map(|(id, _)| *id))
        .collect();
    ids.sort_unstable();
    ids
}

const MAX_PASSES: usize = 8;

fn wanted(req: &FixRequest, rule_id: &str) -> bool {
    req.rules.is_empty()
        || req.rules.iter().any(|r| {
            r.eq_ignore_ascii_case(rule_id)
                || crate::rules::find(r).is_some_and(|x| x.meta().id == rule_id)
        })
}

struct Candidate {
    proposal: Proposal,
    anchor: Anchor,
    /// The finding the proposal resolves (module-level proposals have none).
    fingerprint: Option<String>,
}

/// The fix function behind the `fix` export.
pub fn fix(
    mut docs: Vec<Document>,
    settings: &Settings,
    req: &FixRequest,
) -> Result<FixResult, SettingsError> {
    let prep = engine::prepare(settings)?;
    // Configuration first, state and plan after: only the first part is edited, and only it
    // is checked again between passes (a large state is checked twice, not once per pass).
    let editable = |d: &Document| matches!(engine::classify(d), DocKind::Hcl | DocKind::Tfvars);
    docs.sort_by_key(|d| !editable(d));
    let n_edit = docs.iter().filter(|d| editable(d)).count();
    let original: BTreeMap<String, Vec<u8>> = docs[..n_edit]
        .iter()
        .map(|d| (d.path.clone(), d.contents.clone()))
        .collect();
    // Reported items by key, in discovery order; the fingerprint decides whether an item that
    // was not applied is still relevant at the end.
    let mut items: Vec<(String, FixItem, Option<String>, Option<Origin>)> = Vec::new();
    // The edits each pass applied, per file, to map later passes' positions back.
    let mut history: Vec<BTreeMap<String, Vec<Edit>>> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();

    for pass in 0..MAX_PASSES {
        let checked = if pass == 0 {
            &docs[..]
        } else {
            &docs[..n_edit]
        };
        let (report, modules) = engine::check_prepared(checked, settings, &prep);
        let cx = FixCx::new(&prep, &modules, &docs);
        let mut candidates = Vec::new();
        for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
            if !wanted(req, &f.rule_id) {
                continue;
            }
            let Some((id, fixer)) = FIXES.iter().find(|(id, _)| *id == f.rule_id) else {
                continue;
            };
            // Files in Terraform's JSON syntax are not edited: the fix is the instruction.
            let proposals = if hcl::is_json_syntax(&f.path) && !JSON_FIXES.contains(id) {
                vec![Proposal::manual(
                    id,
                    format!(
                        "fix {} by hand (JSON syntax is not edited)",
                        f.address.as_deref().unwrap_or("the finding")
                    ),
                    f.remediation.clone(),
                )]
            } else {
                fixer(&cx, f)
            };
            for p in proposals {
                candidates.push(Candidate {
                    proposal: p,
                    anchor: Anchor {
                        path: f.path.clone(),
                        span: f.span,
                        address: f.address.clone(),
                    },
                    fingerprint: Some(f.fingerprint.clone()),
                });
            }
        }
        for (id, fixer) in MODULE_FIXES {
            if !wanted(req, id) || !prep.options.enabled(id) {
                continue;
            }
            for (p, anchor) in fixer(&cx) {
                candidates.push(Candidate {
                    proposal: p,
                    anchor,
                    fingerprint: None,
                });
            }
        }

        // The same fix proposed by several findings (two rules on one argument) is one fix.
        let mut accepted: Vec<&Candidate> = Vec::new();
        let mut keys_this_pass = BTreeSet::new();
        for c in &candidates {
            let key = item_key(c);
            if !keys_this_pass.insert(key.clone()) {
                continue;
            }
            let p = &c.proposal;
            let apply = match p.safety {
                Safety::Safe => !p.edits.is_empty(),
                Safety::Unsafe => req.unsafe_fixes && !p.edits.is_empty(),
                Safety::Manual => false,
            };
            if !apply {
                if seen.insert(key.clone()) {
                    items.push((
                        key,
                        to_item(c, false),
                        c.fingerprint.clone(),
                        origin(&cx, c, pass),
                    ));
                }
                continue;
            }
            let clashes = accepted.iter().any(|a| {
                a.proposal.edits.iter().any(|x| {
                    p.edits
                        .iter()
                        .any(|y| x.overlaps(y) && (x.range != y.range || x.text != y.text))
                })
            });
            if !clashes {
                accepted.push(c);
            }
        }
        if accepted.is_empty() {
            break;
        }

        // Apply per file; a file that would not parse takes its proposals one at a time.
        let mut applied: Vec<&Candidate> = Vec::new();
        let mut changed = false;
        let paths: BTreeSet<&str> = accepted
            .iter()
            .flat_map(|c| c.proposal.edits.iter().map(|e| e.path.as_str()))
            .collect();
        let mut new_text: BTreeMap<String, String> = BTreeMap::new();
        let mut used: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
        let mut ok: Vec<bool> = vec![true; accepted.len()];
        for path in paths {
            let Some(src) = cx.text_of(path) else {
                continue;
            };
            let edits_of = |c: &Candidate| -> Vec<Edit> {
                c.proposal
                    .edits
                    .iter()
                    .filter(|e| e.path == path)
                    .cloned()
                    .collect()
            };
            let mut all: Vec<Edit> = accepted.iter().flat_map(|c| edits_of(c)).collect();
            all.sort();
            all.dedup();
            let refs: Vec<&Edit> = all.iter().collect();
            let text = text::apply(src, &refs);
            if parses(path, &text) {
                new_text.insert(path.to_string(), text);
                used.insert(path.to_string(), all.clone());
                continue;
            }
            // One at a time: keep each that still parses.
            let mut kept: Vec<Edit> = Vec::new();
            for (i, c) in accepted.iter().enumerate() {
                let mine = edits_of(c);
                if mine.is_empty() {
                    continue;
                }
                let mut trial = kept.clone();
                trial.extend(mine.iter().cloned());
                trial.sort();
                trial.dedup();
                let refs: Vec<&Edit> = trial.iter().collect();
                if parses(path, &text::apply(src, &refs)) {
                    kept = trial;
                } else {
                    ok[i] = false;
                }
            }
            let refs: Vec<&Edit> = kept.iter().collect();
            new_text.insert(path.to_string(), text::apply(src, &refs));
            used.insert(path.to_string(), kept);
        }
        // A proposal that spans files is all or nothing: if one file dropped it, or a file
        // it edits is not editable, it is not applied anywhere this pass.
        for (i, c) in accepted.iter().enumerate() {
            let editable = c
                .proposal
                .edits
                .iter()
                .all(|e| cx.text_of(&e.path).is_some());
            if !editable {
                ok[i] = false;
            }
        }
        if ok.iter().any(|o| !o) {
            // Recompute without the dropped proposals so no file keeps half of one.
            new_text.clear();
            used.clear();
            let keep: Vec<&Candidate> = accepted
                .iter()
                .zip(&ok)
                .filter(|(_, o)| **o)
                .map(|(c, _)| *c)
                .collect();
            for (i, c) in accepted.iter().enumerate() {
                if !ok[i] {
                    let key = item_key(c);
                    if seen.insert(key.clone()) {
                        let mut item = to_item(c, false);
                        item.safety = Safety::Manual;
                        item.why = format!(
                            "{} (not applied: the edit would leave a file that does not parse, or a file tfguard does not edit)",
                            item.why
                        );
                        items.push((key, item, c.fingerprint.clone(), origin(&cx, c, pass)));
                    }
                }
            }
            let paths: BTreeSet<&str> = keep
                .iter()
                .flat_map(|c| c.proposal.edits.iter().map(|e| e.path.as_str()))
                .collect();
            for path in paths {
                let Some(src) = cx.text_of(path) else {
                    continue;
                };
                let mut all: Vec<Edit> = keep
                    .iter()
                    .flat_map(|c| c.proposal.edits.iter().filter(|e| e.path == path).cloned())
                    .collect();
                all.sort();
                all.dedup();
                let refs: Vec<&Edit> = all.iter().collect();
                let text = text::apply(src, &refs);
                if parses(path, &text) {
                    new_text.insert(path.to_string(), text);
                    used.insert(path.to_string(), all.clone());
                }
            }
            applied.extend(keep);
        } else {
            applied.extend(accepted.iter().copied());
        }
        for c in &applied {
            let key = item_key(c);
            if seen.insert(key.clone()) {
                items.push((
                    key,
                    to_item(c, true),
                    c.fingerprint.clone(),
                    origin(&cx, c, pass),
                ));
            } else if let Some(slot) = items.iter_mut().find(|(k, _, _, _)| *k == key) {
                slot.1.applied = true;
            }
        }
        drop(cx);
        history.push(used);
        for d in &mut docs[..n_edit] {
            if let Some(t) = new_text.remove(&d.path)
                && t.as_bytes() != d.contents.as_slice()
            {
                d.contents = t.into_bytes();
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let report = engine::check_prepared(&docs, settings, &prep).0;
    let live: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let fixes = items
        .into_iter()
        .filter(|(_, item, fp, _)| item.applied || fp.as_deref().is_none_or(|f| live.contains(f)))
        .map(|(_, mut item, _, origin)| {
            if let Some(o) = origin
                && o.pass > 0
                && let Some(orig) = original.get(&item.path)
            {
                let (mut a, mut b) = (o.range.start, o.range.end);
                for edits in history[..o.pass].iter().rev() {
                    if let Some(e) = edits.get(&item.path) {
                        a = position_before(a, e);
                        b = position_before(b, e).max(a);
                    }
                }
                let text = String::from_utf8_lossy(orig);
                if b <= text.len() {
                    item.span = Some(hcl::LineIndex::new(&text).span(&text, a..b));
                }
            }
            item
        })
        .collect();
    docs.truncate(n_edit);
    let files = docs
        .into_iter()
        .filter(|d| original.get(&d.path) != Some(&d.contents))
        .map(|d| FixedFile {
            path: d.path,
            contents: d.contents,
        })
        .collect();
    Ok(FixResult {
        files,
        fixes,
        report,
    })
}

/// One fix per rule, title and place: proposed again in a later pass (at new offsets) or by
/// a second finding on the same argument, it is still one item.
fn item_key(c: &Candidate) -> String {
    format!(
        "{}|{}|{}|{}",
        c.proposal.rule_id,
        c.proposal.title,
        c.anchor.path,
        c.anchor.address.as_deref().unwrap_or("")
    )
}

/// Where an item points in the text of the pass that made it, to report it in the original.
struct Origin {
    pass: usize,
    range: std::ops::Range<usize>,
}

fn origin(cx: &FixCx<'_>, c: &Candidate, pass: usize) -> Option<Origin> {
    let src = cx.text_of(&c.anchor.path)?;
    let s = c.anchor.span?;
    let a = text::offset_of(src, s.line, s.column)?;
    let b = text::offset_of(src, s.end_line, s.end_column)?;
    Some(Origin {
        pass,
        range: a..b.max(a),
    })
}

/// The offset in the text before `edits` (sorted, non-overlapping, as applied) of offset `p`
/// in the text after them; a position inside inserted text maps to where it was inserted.
fn position_before(p: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        let new_start = (e.range.start as isize + delta).max(0) as usize;
        if p < new_start {
            break;
        }
        if p < new_start + e.text.len() {
            return e.range.start;
        }
        delta += e.text.len() as isize - e.range.len() as isize;
    }
    (p as isize - delta).max(0) as usize
}

fn to_item(c: &Candidate, applied: bool) -> FixItem {
    let p = &c.proposal;
    let why = if p.why.contains("tfguard rotate") {
        p.why.clone()
    } else {
        format!("{} {ROTATE}", p.why)
    };
    FixItem {
        rule_id: p.rule_id.to_string(),
        title: p.title.clone(),
        safety: p.safety,
        applied,
        path: c.anchor.path.clone(),
        span: c.anchor.span,
        address: c.anchor.address.clone(),
        why,
    }
}

#[cfg(test)]
mod tests;
