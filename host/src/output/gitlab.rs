//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the Code
//! Climate issue subset GitLab reads: a JSON array of issues with `description`, `check_name`,
//! `fingerprint`, `severity` and `location.path` + `location.lines.begin`.
//!
//! - Suppressed findings are left out: the merge-request widget has no notion of an accepted
//!   finding, and listing one there would ask reviewers to fix what was already waived.
//! - A document that could not be checked is an issue of its own (`tfguard/document-error`,
//!   severity `blocker`), so the widget shows why the gate failed closed.
//! - GitLab keys issues on `fingerprint` (it decides which are new, fixed or unchanged between
//!   the source and target branch) and drops duplicates, so each issue gets a distinct one: the
//!   guest's line-independent fingerprint, with the occurrence number mixed in when two findings
//!   share it (the same rule and resource at two places of one file).
//! - Paths must be relative to the repository root, where GitLab runs the job: `./` is dropped
//!   and an absolute path under the working directory is made relative to it.
//! - State and plan findings have no line; they point at line 1 and name the resource.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::{Ctx, rule_url};
use crate::runtime::wit::{Severity, Span};

/// Code Climate severities, lowest first: info, minor, major, critical, blocker. A secret on its
/// way into state (error) is critical; `blocker` is kept for a document that was not checked.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// `check_name` for a document that could not be checked.
pub const DOCUMENT_ERROR: &str = "tfguard/document-error";

fn lines(span: &Option<Span>) -> Value {
    match span {
        Some(s) => json!({ "begin": s.line, "end": s.end_line.max(s.line) }),
        None => json!({ "begin": 1 }),
    }
}

/// The path as GitLab wants it: relative to the project directory (the job's working
/// directory), `/`-separated.
pub fn relative_path(path: &str, cwd: Option<&Path>) -> String {
    let p = Path::new(path);
    let rel = match cwd {
        Some(base) if p.is_absolute() => p.strip_prefix(base).unwrap_or(p),
        _ => p,
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Fingerprints as the guest makes them, for the ones the renderer has to make itself.
use tfguard_common::fingerprint::fingerprint as fnv;

/// Makes fingerprints unique in one report, deterministically (findings come sorted by file
/// and position): a fingerprint already given out is replaced by the base hashed with the
/// occurrence number, the next free one.
#[derive(Default)]
struct Unique {
    used: HashSet<String>,
}

impl Unique {
    fn next(&mut self, base: String) -> String {
        let mut candidate = base.clone();
        let mut n = 1u64;
        while self.used.contains(&candidate) {
            n += 1;
            candidate = fnv(&[&base, &n.to_string()]);
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

pub fn to_value(cx: &Ctx<'_>) -> Value {
    let cwd = std::env::current_dir().ok();
    let cwd = cwd.as_deref();
    let mut unique = Unique::default();
    let mut issues = Vec::new();
    for f in cx.report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let mut description = format!("{}: {}", f.rule_id, f.message);
        if f.span.is_none() {
            // The widget shows only the description and the line: name what a state or plan
            // finding is about, since its line is not the place.
            if let Some(a) = &f.address {
                description.push_str(&format!(" [resource {a}"));
                if let Some(attr) = &f.attribute {
                    description.push_str(&format!(", attribute {attr}"));
                }
                description.push(']');
            }
        }
        let mut body = String::new();
        if !f.remediation.is_empty() {
            body.push_str(&format!("Fix: {}\n\n", f.remediation));
        }
        if !f.flow.is_empty() {
            body.push_str(&format!("Flow: {}\n\n", f.flow.join(" → ")));
        }
        body.push_str(&format!("Rule documentation: {}", rule_url(&f.rule_id)));
        let check_name = match cx.rule(&f.rule_id) {
            Some(r) => format!("{} {}", f.rule_id, r.name),
            None => f.rule_id.clone(),
        };
        issues.push(json!({
            "type": "issue",
            "engine_name": "tfguard",
            "check_name": check_name,
            "description": description,
            "content": { "body": body },
            "categories": ["Security"],
            "severity": severity(f.severity),
            "fingerprint": unique.next(f.fingerprint.clone()),
            "location": {
                "path": relative_path(&f.path, cwd),
                "lines": lines(&f.span),
            },
        }));
    }
    for e in &cx.report.errors {
        let base = fnv(&[DOCUMENT_ERROR, &e.path, &e.message]);
        issues.push(json!({
            "type": "issue",
            "engine_name": "tfguard",
            "check_name": DOCUMENT_ERROR,
            "description": format!("document not checked: {}", e.message),
            "categories": ["Bug Risk"],
            "severity": "blocker",
            "fingerprint": unique.next(base),
            "location": {
                "path": relative_path(&e.path, cwd),
                "lines": lines(&e.span),
            },
        }));
    }
    Value::Array(issues)
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(cx))?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_project() {
        let cwd = Path::new("/builds/group/project");
        assert_eq!(relative_path("./main.tf", Some(cwd)), "main.tf");
        assert_eq!(
            relative_path("/builds/group/project/infra/main.tf", Some(cwd)),
            "infra/main.tf"
        );
        assert_eq!(
            relative_path("/elsewhere/x.tf", Some(cwd)),
            "/elsewhere/x.tf"
        );
        assert_eq!(relative_path("infra/x.tf", None), "infra/x.tf");
    }

    #[test]
    fn repeated_fingerprints_become_distinct_and_stable() {
        let mut u = Unique::default();
        let a = u.next("abc".into());
        let b = u.next("abc".into());
        let c = u.next("abc".into());
        assert_eq!(a, "abc");
        assert!(a != b && b != c && a != c);
        let mut again = Unique::default();
        again.next("abc".into());
        assert_eq!(again.next("abc".into()), b);
    }
}
