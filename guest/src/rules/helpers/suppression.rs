//! Findings of the meta rules (TFG900–TFG902) for what `crate::suppress` found wrong with
//! suppression comments; each rule words its own.

use crate::options::Options;
use crate::rules::{
    Hit, RuleMeta, Sink, fingerprint, suppression_without_reason, unknown_rule_in_suppression,
    unused_suppression,
};
use crate::suppress::{Issue, IssueKind};
use crate::types::Finding;

pub fn findings(issues: &[Issue], options: &Options) -> Vec<Finding> {
    let mut sink = Sink::new(options);
    for i in issues {
        let (meta, (message, fix)): (&RuleMeta, _) = match &i.kind {
            IssueKind::Malformed | IssueKind::NoReason => (
                &suppression_without_reason::META,
                suppression_without_reason::words(i),
            ),
            IssueKind::UnknownRule(_) => (
                &unknown_rule_in_suppression::META,
                unknown_rule_in_suppression::words(i),
            ),
            IssueKind::Unused(_) => (&unused_suppression::META, unused_suppression::words(i)),
        };
        if !options.enabled(meta.id) {
            continue;
        }
        sink.report(
            meta,
            Hit {
                message,
                path: i.path.clone(),
                span: Some(i.span),
                remediation: fix,
                ..Hit::default()
            },
        );
        // The default fingerprint has no address to tell two comments in one file apart; the
        // comment's own text does, and survives line moves (an unused code keeps its identity
        // wherever the comment sits among the others).
        if let Some(f) = sink.findings.last_mut() {
            let nth = i.nth.to_string();
            f.fingerprint = fingerprint(&[
                meta.id,
                &i.path,
                &i.codes.join(","),
                &i.reason,
                &f.message,
                if matches!(i.kind, IssueKind::Unused(_)) {
                    ""
                } else {
                    &nth
                },
            ]);
        }
    }
    sink.findings
}
