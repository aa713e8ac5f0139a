//! `--format json`: a stable schema, documented in the README ("JSON output"). Fields are only
//! ever added within a `version`; a removal or a change of meaning bumps it.

use std::io::Write;

use serde_json::{Value, json};

use super::{Ctx, sev_str};
use crate::runtime::wit::Span;

pub const SCHEMA_VERSION: u32 = 1;

pub fn span(s: &Option<Span>) -> Value {
    match s {
        Some(s) => json!({
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
        }),
        None => Value::Null,
    }
}

pub fn to_value(cx: &Ctx<'_>) -> Value {
    let c = cx.counts();
    let findings: Vec<Value> = cx
        .report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule_id": f.rule_id,
                "rule_name": cx.rule(&f.rule_id).map(|r| r.name.as_str()),
                "severity": sev_str(f.severity),
                "message": f.message,
                "path": f.path,
                "span": span(&f.span),
                "address": f.address,
                "attribute": f.attribute,
                "flow": f.flow,
                "remediation": f.remediation,
                "suppressed": f.suppressed.as_ref().map(|s| json!({
                    "reason": s.reason,
                    "origin": s.origin,
                })),
                "fails": cx.fails(f),
                "fingerprint": f.fingerprint,
            })
        })
        .collect();
    let errors: Vec<Value> = cx
        .report
        .errors
        .iter()
        .map(|e| {
            json!({
                "path": e.path,
                "span": span(&e.span),
                "message": e.message,
                "unsupported": e.unsupported,
            })
        })
        .collect();
    let documents: Vec<Value> = cx
        .report
        .documents
        .iter()
        .map(|d| json!({"path": d.path, "recognised_as": d.recognised_as}))
        .collect();
    let skipped: Vec<Value> = cx
        .skipped
        .iter()
        .map(|s| json!({"path": s.path, "reason": s.reason}))
        .collect();
    let failed = !cx.report.errors.is_empty() || cx.report.findings.iter().any(|f| cx.fails(f));
    let mut out = json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "tfguard", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
            "suppressed": c.suppressed,
            "documents": cx.report.documents.len(),
            "document_errors": cx.report.errors.len(),
            "skipped": cx.skipped.len(),
            "fail_on": sev_str(cx.threshold),
            "failed": failed,
        },
        // Moved in, not through `json!`, which serialises a `Vec<Value>` into a new one: that
        // copy was half of this function on 2,000 files.
        "findings": Value::Null,
        "errors": Value::Null,
        "documents": Value::Null,
        "skipped": Value::Null,
    });
    for (key, list) in [
        ("findings", findings),
        ("errors", errors),
        ("documents", documents),
        ("skipped", skipped),
    ] {
        out[key] = Value::Array(list);
    }
    out
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(cx))?;
    writeln!(w)
}
