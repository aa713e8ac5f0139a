//! `--format json`: a stable schema, documented in the README ("JSON output"). Fields are only
//! ever added within a `version`; a removal or a change of meaning bumps it.

use std::io::Write;

use serde::Serialize;

use super::{Ctx, sev_str};
use crate::runtime::wit::Span;

pub const SCHEMA_VERSION: u32 = 1;

// The report is serialised straight from these borrowed views, not built as a `Value` first
// (on 2,000 files that tree of maps took longer than the writing). Fields are declared in
// byte order of their names: the output keeps the sorted keys it always had.

#[derive(Serialize)]
struct SpanOut {
    column: u32,
    end_column: u32,
    end_line: u32,
    line: u32,
}

fn span(s: &Option<Span>) -> Option<SpanOut> {
    s.as_ref().map(|s| SpanOut {
        column: s.column,
        end_column: s.end_column,
        end_line: s.end_line,
        line: s.line,
    })
}

#[derive(Serialize)]
struct SuppressedOut<'a> {
    origin: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    address: Option<&'a str>,
    attribute: Option<&'a str>,
    fails: bool,
    fingerprint: &'a str,
    flow: &'a [String],
    message: &'a str,
    path: &'a str,
    remediation: &'a str,
    rule_id: &'a str,
    rule_name: Option<&'a str>,
    severity: &'static str,
    span: Option<SpanOut>,
    suppressed: Option<SuppressedOut<'a>>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    message: &'a str,
    path: &'a str,
    span: Option<SpanOut>,
    unsupported: bool,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    path: &'a str,
    recognised_as: &'a str,
}

#[derive(Serialize)]
struct SkippedOut<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    document_errors: usize,
    documents: usize,
    errors: usize,
    fail_on: &'static str,
    failed: bool,
    infos: usize,
    skipped: usize,
    suppressed: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct ToolOut {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct ReportOut<'a> {
    documents: Vec<DocumentOut<'a>>,
    errors: Vec<ErrorOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    skipped: Vec<SkippedOut<'a>>,
    summary: SummaryOut,
    tool: ToolOut,
    version: u32,
}

fn report<'a>(cx: &'a Ctx<'a>) -> ReportOut<'a> {
    let c = cx.counts();
    let failed = !cx.report.errors.is_empty() || cx.report.findings.iter().any(|f| cx.fails(f));
    ReportOut {
        documents: cx
            .report
            .documents
            .iter()
            .map(|d| DocumentOut {
                path: &d.path,
                recognised_as: &d.recognised_as,
            })
            .collect(),
        errors: cx
            .report
            .errors
            .iter()
            .map(|e| ErrorOut {
                message: &e.message,
                path: &e.path,
                span: span(&e.span),
                unsupported: e.unsupported,
            })
            .collect(),
        findings: cx
            .report
            .findings
            .iter()
            .map(|f| FindingOut {
                address: f.address.as_deref(),
                attribute: f.attribute.as_deref(),
                fails: cx.fails(f),
                fingerprint: &f.fingerprint,
                flow: &f.flow,
                message: &f.message,
                path: &f.path,
                remediation: &f.remediation,
                rule_id: &f.rule_id,
                rule_name: cx.rule(&f.rule_id).map(|r| r.name.as_str()),
                severity: sev_str(f.severity),
                span: span(&f.span),
                suppressed: f.suppressed.as_ref().map(|s| SuppressedOut {
                    origin: &s.origin,
                    reason: &s.reason,
                }),
            })
            .collect(),
        skipped: cx
            .skipped
            .iter()
            .map(|s| SkippedOut {
                path: &s.path,
                reason: &s.reason,
            })
            .collect(),
        summary: SummaryOut {
            document_errors: cx.report.errors.len(),
            documents: cx.report.documents.len(),
            errors: c.errors,
            fail_on: sev_str(cx.threshold),
            failed,
            infos: c.infos,
            skipped: cx.skipped.len(),
            suppressed: c.suppressed,
            warnings: c.warnings,
        },
        tool: ToolOut {
            name: "tfguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        version: SCHEMA_VERSION,
    }
}

pub fn render(w: &mut dyn Write, cx: &Ctx<'_>) -> std::io::Result<()> {
    let mut text = serde_json::to_vec_pretty(&report(cx))?;
    text.push(b'\n');
    w.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Skipped;
    use crate::runtime::wit::{
        DocError, DocSummary, Finding, Report, RuleInfo, Severity, Suppression,
    };

    /// The report is written from structs, so nothing keeps its keys sorted but the order of
    /// their fields: a report with every field filled equals its own re-serialisation through
    /// `Value` (whose maps sort their keys), byte for byte.
    #[test]
    fn keys_are_sorted_at_every_level() {
        let span = Some(Span {
            line: 3,
            column: 5,
            end_line: 3,
            end_column: 9,
        });
        let finding = |suppressed: bool| Finding {
            rule_id: "TFG001".into(),
            severity: Severity::Error,
            message: "m \"q\"".into(),
            path: "a.tf".into(),
            span,
            address: Some("a.b".into()),
            attribute: Some("x".into()),
            flow: vec!["a".into(), "b".into()],
            remediation: "fix".into(),
            suppressed: suppressed.then(|| Suppression {
                reason: "r".into(),
                origin: "o".into(),
            }),
            fingerprint: "f".into(),
        };
        let report = Report {
            findings: vec![finding(false), finding(true)],
            errors: vec![DocError {
                path: "b.tf".into(),
                span,
                message: "e".into(),
                unsupported: false,
            }],
            documents: vec![DocSummary {
                path: "a.tf".into(),
                recognised_as: "hcl".into(),
            }],
        };
        let rules = [RuleInfo {
            id: "TFG001".into(),
            name: "n".into(),
            title: "t".into(),
            family: "f".into(),
            default_severity: Severity::Error,
            docs: String::new(),
        }];
        let skipped = [Skipped {
            path: "c.json".into(),
            reason: "r".into(),
        }];
        let cx = Ctx {
            report: &report,
            docs: &[],
            streamed: &[],
            skipped: &skipped,
            rules: &rules,
            threshold: Severity::Warning,
            color: false,
            jobs: 1,
        };
        let mut out = Vec::new();
        render(&mut out, &cx).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let again = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(String::from_utf8(out).unwrap(), again);
        assert_eq!(value["findings"][1]["suppressed"]["origin"], "o");
        assert_eq!(value["summary"]["suppressed"], 1);
    }
}
