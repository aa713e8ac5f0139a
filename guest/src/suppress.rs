//! Suppressions: `# tfguard:ignore[RULE] reason` (or `// tfguard:ignore[...]`) comments in HCL,
//! and `ignore` entries in the config. A suppressed finding is kept, marked with its reason, so
//! every report format can list it; it no longer fails the gate.
//!
//! A comment covers findings that start on its own line (trailing comment), on the next code
//! line, or anywhere inside the block or attribute that starts on that next line. So a comment
//! directly above `resource "a" "b" {` covers the whole resource (tflint placement, checkov's
//! resource scope). The reason is mandatory (TFG900); unused (TFG901) and unknown codes
//! (TFG902) are reported. Meta findings are never suppressed, and document errors cannot be.

use std::collections::BTreeSet;

use hcl::edit::Span as _;
use hcl::edit::structure::{Body, Structure};

use crate::glob::glob;
use crate::hcl::{HclFile, LineIndex, Module};
use crate::options::{Options, RuleSet};
use crate::types::{Finding, Span, Suppression};

const MARKER: &str = "tfguard:ignore";

/// One `tfguard:ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub path: String,
    /// Line of the comment (1-based).
    pub line: u32,
    /// Span of the comment text from its `#`/`//` to the end of the line.
    pub span: Span,
    /// Codes as written, normalised to rule ids where known.
    pub codes: Vec<String>,
    pub reason: String,
    /// Inclusive line range the comment covers.
    pub covers: (u32, u32),
}

/// Find the directive on one line: the marker must open a comment (`#` or `//`, then spaces).
/// This is a line scan rather than a walk of hcl-edit's decor, because comments inside
/// expressions (lists, `jsonencode({...})`) are not reachable through the decor API; a `#` inside
/// a string literal would only match if the string itself spells out a directive.
fn parse_line(line: &str) -> Option<(usize, Vec<String>, String, bool)> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    let comment_start = if let Some(b) = before.strip_suffix('#') {
        b.len()
    } else if let Some(b) = before.strip_suffix("//") {
        b.len()
    } else {
        return None;
    };
    let rest = &line[at + MARKER.len()..];
    // `tfguard:ignore-file` and other spellings are not directives of this kind.
    let rest = rest.strip_prefix('[')?;
    let trailing = !line[..comment_start].trim().is_empty();
    // An unclosed bracket is still a directive (reported as malformed), not a plain comment.
    let Some(close) = rest.find(']') else {
        return Some((comment_start, Vec::new(), String::new(), trailing));
    };
    let codes = rest[..close]
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let reason = rest[close + 1..].trim();
    // `*/` closing a block comment is not part of the reason.
    let reason = reason
        .strip_suffix("*/")
        .unwrap_or(reason)
        .trim()
        .to_string();
    let trailing = !line[..comment_start].trim().is_empty();
    Some((comment_start, codes, reason, trailing))
}

/// (first line, last line) of every block and attribute, nested ones included.
fn structure_lines(body: &Body, lines: &LineIndex, src: &str, out: &mut Vec<(u32, u32)>) {
    for s in body.iter() {
        if let Some(r) = s.span() {
            let (a, _) = lines.position(src, r.start);
            let (b, _) = lines.position(src, r.end.saturating_sub(1).max(r.start));
            out.push((a, b));
        }
        if let Structure::Block(b) = s {
            structure_lines(&b.body, lines, src, out);
        }
    }
}

/// Every directive in one `.tf` file, with the lines it covers.
pub fn directives(file: &HclFile) -> Vec<Directive> {
    directives_in(&file.path, &file.src, &file.body, &file.lines)
}

fn directives_in(path: &str, src: &str, body: &Body, lines: &LineIndex) -> Vec<Directive> {
    // A `.tf.json` file has no comments: its `src` is generated text, whose string values
    // must not be read as directives (and whose lines are not the file's).
    if lines.is_mapped() {
        return Vec::new();
    }
    let text_lines: Vec<&str> = src.lines().collect();
    let mut ranges = Vec::new();
    structure_lines(body, lines, src, &mut ranges);
    let mut out = Vec::new();
    for (i, text) in text_lines.iter().enumerate() {
        let Some((start, codes, reason, trailing)) = parse_line(text) else {
            continue;
        };
        let line = i as u32 + 1;
        let covers = if trailing {
            (line, line)
        } else {
            // The next line that is neither blank nor another comment.
            let target = text_lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| {
                    let t = l.trim_start();
                    !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
                })
                .map(|(j, _)| j as u32 + 1);
            match target {
                Some(t) => {
                    let end = ranges
                        .iter()
                        .filter(|(a, _)| *a == t)
                        .map(|(_, b)| *b)
                        .max()
                        .unwrap_or(t);
                    (t, end.max(t))
                }
                None => (line, line),
            }
        };
        let column = text[..start].chars().count() as u32 + 1;
        out.push(Directive {
            path: path.to_string(),
            line,
            span: Span {
                line,
                column,
                end_line: line,
                end_column: text.chars().count() as u32 + 1,
            },
            codes,
            reason,
            covers,
        });
    }
    out
}

fn is_meta(id: &str) -> bool {
    id.starts_with("TFG9")
}

/// Something wrong with a suppression; the meta rules (TFG900–TFG902) word it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueKind {
    /// No rule code in brackets (TFG900).
    Malformed,
    /// No reason after the bracket (TFG900).
    NoReason,
    /// A code that names no rule (TFG902).
    UnknownRule(String),
    /// A rule that produced no finding in the comment's scope (TFG901).
    Unused(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    pub path: String,
    pub span: Span,
    pub codes: Vec<String>,
    pub reason: String,
    /// The comment's index among the suppressions of its file, to tell identical comments
    /// apart in fingerprints.
    pub nth: usize,
}

/// Marks the findings that suppressions cover and returns what is wrong with the
/// suppressions themselves.
pub fn apply(
    findings: &mut [Finding],
    modules: &[Module],
    options: &Options,
    rules: &dyn RuleSet,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut issue = |kind: IssueKind, d: &Directive, nth: usize| {
        issues.push(Issue {
            kind,
            path: d.path.clone(),
            span: d.span,
            codes: d.codes.clone(),
            reason: d.reason.clone(),
            nth,
        })
    };
    let all: Vec<Directive> = modules
        .iter()
        .flat_map(|m| {
            let tf = m.files.iter().flat_map(directives);
            let vars = m
                .tfvars
                .iter()
                .flat_map(|v| directives_in(&v.path, &v.src, &v.body, &v.lines));
            tf.chain(vars).collect::<Vec<_>>()
        })
        .collect();

    // A directive's number within its own file: with the number across the run, checking a
    // file alone or beside others gave its findings different fingerprints.
    let mut in_file: std::collections::HashMap<&str, usize> = Default::default();
    for d in &all {
        let n = {
            let c = in_file.entry(d.path.as_str()).or_default();
            *c += 1;
            *c - 1
        };
        if d.codes.is_empty() {
            issue(IssueKind::Malformed, d, n);
            continue;
        }
        if d.reason.is_empty() {
            issue(IssueKind::NoReason, d, n);
            continue;
        }
        let mut used = BTreeSet::new();
        for code in &d.codes {
            let Some(id) = rules.id_of(code) else {
                issue(IssueKind::UnknownRule(code.clone()), d, n);
                continue;
            };
            for f in findings.iter_mut() {
                if f.rule_id != id || f.path != d.path || f.suppressed.is_some() || is_meta(id) {
                    continue;
                }
                let Some(s) = f.span else { continue };
                if s.line >= d.covers.0 && s.line <= d.covers.1 {
                    f.suppressed = Some(Suppression {
                        reason: d.reason.clone(),
                        origin: format!("comment {}:{}", d.path, d.line),
                    });
                    used.insert(id);
                }
            }
            if !used.contains(id) && options.enabled(id) && !is_meta(id) {
                issue(IssueKind::Unused(id.to_string()), d, n);
            }
        }
    }

    for f in findings.iter_mut() {
        if f.suppressed.is_some() || is_meta(&f.rule_id) {
            continue;
        }
        for entry in &options.ignore {
            let id_ok = rules.id_of(&entry.rule) == Some(f.rule_id.as_str());
            if !id_ok {
                continue;
            }
            let addr_ok = match (&entry.address, &f.address) {
                (Some(g), Some(a)) => glob(g, a),
                (Some(_), None) => false,
                (None, _) => true,
            };
            let path_ok = entry.path.as_ref().is_none_or(|g| glob(g, &f.path));
            if addr_ok && path_ok {
                f.suppressed = Some(Suppression {
                    reason: entry.reason.clone(),
                    origin: "config".into(),
                });
                break;
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::parse;

    fn file(src: &str) -> HclFile {
        let (src, body, lines) = parse("main.tf", src.as_bytes()).ok().unwrap();
        HclFile {
            path: "main.tf".into(),
            src,
            body,
            lines,
        }
    }

    #[test]
    fn json_syntax_files_have_no_directives() {
        let json = r#"{"locals": {"a": "x # tfguard:ignore[TFG010] a string, not a comment"}}"#;
        let (src, body, lines) =
            crate::hcl::parse_json("main.tf.json", json.as_bytes(), &Default::default())
                .ok()
                .unwrap();
        assert!(src.contains("# tfguard:ignore[TFG010]"));
        let f = HclFile {
            path: "main.tf.json".into(),
            src,
            body,
            lines,
        };
        assert!(directives(&f).is_empty());
        let native = file("locals {\n  a = \"x\" # tfguard:ignore[TFG010] a comment\n}\n");
        assert_eq!(directives(&native).len(), 1);
    }

    #[test]
    fn glob_matches() {
        assert!(glob("module.legacy.*", "module.legacy.x.y[0]"));
        assert!(glob("*.tfstate", "a/b.tfstate"));
        assert!(!glob("a*c", "abd"));
        assert!(glob("a*b*c", "aXbYc"));
    }

    #[test]
    fn parses_hash_and_slash_comments() {
        let (_, codes, reason, trailing) =
            parse_line("  # tfguard:ignore[TFG001, TFG010] legacy, OPS-1").unwrap();
        assert_eq!(codes, ["TFG001", "TFG010"]);
        assert_eq!(reason, "legacy, OPS-1");
        assert!(!trailing);
        let (_, codes, reason, trailing) = parse_line("x = 1 // tfguard:ignore[TFG002]").unwrap();
        assert_eq!(codes, ["TFG002"]);
        assert_eq!(reason, "");
        assert!(trailing);
        assert!(parse_line("x = \"tfguard:ignore[TFG001] nope\"").is_none());
        assert!(parse_line("# tfguard:ignore-file[TFG001] r").is_none());
        let (_, codes, _, _) = parse_line("# tfguard:ignore[TFG001 reason").unwrap();
        assert!(codes.is_empty(), "unclosed bracket is malformed");
    }

    #[test]
    fn comment_above_a_block_covers_the_block() {
        let f = file(
            "# tfguard:ignore[TFG001] reason\n\
             resource \"a\" \"b\" {\n  x = 1\n  y = {\n    z = 2\n  }\n}\n\
             z = 3 # tfguard:ignore[TFG002] r2\n",
        );
        let d = directives(&f);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].covers, (2, 7));
        assert_eq!(d[1].covers, (8, 8));
        assert_eq!(d[1].span.column, 7);
    }

    #[test]
    fn comment_above_a_multiline_attribute_covers_it() {
        let f = file(
            "resource \"a\" \"b\" {\n  // tfguard:ignore[TFG001] ok\n  data_json = jsonencode({\n    k = 1\n  })\n  other = 2\n}\n",
        );
        let d = directives(&f);
        assert_eq!(d[0].covers, (3, 5));
    }

    fn finding(rule: &str, line: u32) -> Finding {
        Finding {
            rule_id: rule.into(),
            severity: crate::types::Severity::Error,
            message: "m".into(),
            path: "main.tf".into(),
            span: Some(Span {
                line,
                column: 3,
                end_line: line,
                end_column: 9,
            }),
            address: Some("random_password.p".into()),
            attribute: None,
            flow: Vec::new(),
            remediation: String::new(),
            suppressed: None,
            fingerprint: format!("{rule}{line}"),
        }
    }

    fn module(src: &str) -> Module {
        Module {
            dir: ".".into(),
            files: vec![file(src)],
            tfvars: Vec::new(),
        }
    }

    #[test]
    fn apply_suppresses_with_reason_and_reports_meta() {
        let src = "# tfguard:ignore[TFG001] accepted in OPS-1\n\
                   resource \"random_password\" \"p\" {\n  length = 32\n}\n\
                   # tfguard:ignore[TFG002]\n\
                   resource \"random_password\" \"q\" {\n  length = 32\n}\n\
                   # tfguard:ignore[TFG001, TGF001] unused and typo\n\
                   resource \"random_password\" \"r\" {\n  length = 32\n}\n";
        let mut fs = vec![finding("TFG001", 3), finding("TFG002", 7)];
        let opts = Options::default();
        let issues = apply(&mut fs, &[module(src)], &opts, &crate::rules::Registry);
        fs.extend(crate::rules::suppression_findings(&issues, &opts));
        let s = fs[0].suppressed.as_ref().unwrap();
        assert_eq!(s.reason, "accepted in OPS-1");
        assert_eq!(s.origin, "comment main.tf:1");
        // No reason: the suppression is ignored and TFG900 is reported on the comment.
        assert!(fs[1].suppressed.is_none());
        let meta: Vec<(&str, u32)> = fs[2..]
            .iter()
            .map(|f| (f.rule_id.as_str(), f.span.unwrap().line))
            .collect();
        assert_eq!(meta, [("TFG900", 5), ("TFG901", 9), ("TFG902", 9)]);
        let fps: BTreeSet<&str> = fs.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fps.len(), fs.len());
    }

    #[test]
    fn comment_out_of_scope_does_not_suppress() {
        let src = "# tfguard:ignore[TFG001] r\nlocals {\n  a = 1\n}\n\nresource \"random_password\" \"p\" {\n  length = 32\n}\n";
        let mut fs = vec![finding("TFG001", 7)];
        let issues = apply(
            &mut fs,
            &[module(src)],
            &Options::default(),
            &crate::rules::Registry,
        );
        assert!(fs[0].suppressed.is_none());
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].kind, IssueKind::Unused("TFG001".into()));
    }

    #[test]
    fn disabled_meta_rules_are_silent() {
        let src = "# tfguard:ignore[TFG001]\nlocals {\n  a = 1\n}\n";
        let opts = Options::parse(r#"{"disable":["TFG900"]}"#, &crate::rules::Registry).unwrap();
        let mut fs = Vec::new();
        let issues = apply(&mut fs, &[module(src)], &opts, &crate::rules::Registry);
        let fs = crate::rules::suppression_findings(&issues, &opts);
        assert!(fs.is_empty(), "{fs:?}");
    }
}
