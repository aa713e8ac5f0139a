//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
//! Every rule is listed under `tool.driver.rules` with its docs as help; results carry
//! `partialFingerprints` from the guest's line-independent fingerprint, so alerts survive code
//! moves; suppressed findings keep their place with a `suppressions` entry; document errors are
//! `toolExecutionNotifications`, not results. `tests/output_formats.rs` validates the output
//! against the OASIS schema.

use std::io::Write;

use serde_json::{Value, json};

use super::{Ctx, rule_url};
use crate::runtime::wit::{Severity, Span};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub ranks security alerts by this property (CVSS-like 0.0–10.0).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// A relative path becomes a relative URI reference against `%SRCROOT%` (what code scanning
/// resolves against the checkout); an absolute one becomes a `file://` URI.
fn artifact(path: &str) -> Value {
    let p = path.replace('\\', "/");
    let mut enc = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    if p.starts_with('/') {
        json!({ "uri": format!("file://{enc}") })
    } else {
        json!({ "uri": enc, "uriBaseId": "%SRCROOT%" })
    }
}

fn region(span: &Option<Span>) -> Value {
    match span {
        Some(s) => json!({
            "startLine": s.line,
            "startColumn": s.column,
            "endLine": s.end_line,
            "endColumn": s.end_column,
        }),
        // State and plan findings have no source line; code scanning still wants a region, so
        // the alert is pinned to the file's first line and the address is the logical location.
        None => json!({ "startLine": 1 }),
    }
}

/// One finding as a SARIF result.
fn result(cx: &Ctx<'_>, f: &crate::runtime::wit::Finding) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": artifact(&f.path),
            "region": region(&f.span),
        },
    });
    if let Some(a) = &f.address {
        let name = match &f.attribute {
            Some(attr) => format!("{a}.{attr}"),
            None => a.clone(),
        };
        location["logicalLocations"] = json!([{
            "fullyQualifiedName": name,
            "name": a,
            "kind": "resource",
        }]);
    }
    let mut text = f.message.clone();
    if !f.remediation.is_empty() {
        text.push_str("\nFix: ");
        text.push_str(&f.remediation);
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [location],
        "partialFingerprints": { "tfguard/v1": f.fingerprint },
        "properties": {
            "address": f.address,
            "attribute": f.attribute,
            "flow": f.flow,
            "remediation": f.remediation,
        },
    });
    if let Some(i) = cx.rules.iter().position(|r| r.id == f.rule_id) {
        result["ruleIndex"] = json!(i);
    }
    if let Some(s) = &f.suppressed {
        let kind = if s.origin.starts_with("comment") {
            "inSource"
        } else {
            "external"
        };
        result["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": s.reason,
            "properties": { "origin": s.origin },
        }]);
    }
    result
}

/// The results, each built and written in turn: a `Value` of every result at once was a third
/// of a 100 MB state's size on top of it (issue 16's memory target).
struct Results<'a, 'c>(&'a Ctx<'c>);

impl serde::Serialize for Results<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.report.findings.iter().map(|f| result(self.0, f)))
    }
}

/// The log. Fields in sorted order, as a `serde_json::Value` object writes them.
#[derive(serde::Serialize)]
struct Log<'a, 'c> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a, 'c>; 1],
    version: &'static str,
}

#[derive(serde::Serialize)]
struct Run<'a, 'c> {
    // Our columns count Unicode characters, not UTF-16 units (the SARIF default).
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
    invocations: Value,
    results: Results<'a, 'c>,
    tool: Value,
}

fn log<'a, 'c>(cx: &'a Ctx<'c>) -> Log<'a, 'c> {
    let rules: Vec<Value> = cx
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.title },
                "help": { "text": r.docs, "markdown": r.docs },
                "helpUri": rule_url(&r.id),
                "defaultConfiguration": { "level": level(r.default_severity) },
                "properties": {
                    "tags": ["security", r.family],
                    "security-severity": security_severity(r.default_severity),
                },
            })
        })
        .collect();

    let mut notifications: Vec<Value> = cx
        .report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&e.path),
                        "region": region(&e.span),
                    }
                }],
                "properties": { "unsupported": e.unsupported },
            })
        })
        .collect();
    // Files the walk left out: notes, so a viewer shows what was not checked.
    notifications.extend(cx.skipped.iter().map(|s| {
        json!({
            "level": "note",
            "message": { "text": format!("not checked: {}", s.reason) },
            "locations": [{
                "physicalLocation": { "artifactLocation": artifact(&s.path) }
            }],
            "properties": { "skipped": true },
        })
    }));

    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: json!([{
                "executionSuccessful": cx.report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }]),
            results: Results(cx),
            tool: json!({
                "driver": {
                    "name": "tfguard",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": super::HOME_URL,
                    "rules": rules,
                }
            }),
        }],
        version: "2.1.0",
    }
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &log(cx))?;
    writeln!(w)
}
