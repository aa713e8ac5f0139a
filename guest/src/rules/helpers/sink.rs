//! Where rules put their findings: the configured severity applied and the fingerprint
//! computed in one place.

use crate::options::Options;
use crate::rules::RuleMeta;
use crate::types::{Finding, Severity, Span, fingerprint};

/// A finding under construction: everything but the rule's identity.
#[derive(Default)]
pub struct Hit {
    pub message: String,
    pub path: String,
    pub span: Option<Span>,
    pub address: Option<String>,
    pub attribute: Option<String>,
    pub flow: Vec<String>,
    pub remediation: String,
    /// Overrides the rule's default severity for this hit (e.g. "cannot verify" is info).
    pub severity: Option<Severity>,
}

/// Collects findings, applying the configured severity and computing fingerprints.
pub struct Sink<'a> {
    pub options: &'a Options,
    pub findings: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(options: &'a Options) -> Self {
        Sink {
            options,
            findings: Vec::new(),
        }
    }

    pub fn report(&mut self, meta: &RuleMeta, hit: Hit) {
        // An info-level hit ("cannot verify") stays info whatever severity the rule is given:
        // raising the rule must not turn an unknown value into a failure.
        let severity = match hit.severity {
            Some(Severity::Info) => Severity::Info,
            other => self
                .options
                .severity_for(meta.id)
                .or(other)
                .unwrap_or(meta.severity),
        };
        let fingerprint = fingerprint(&[
            meta.id,
            &hit.path,
            hit.address.as_deref().unwrap_or(""),
            hit.attribute.as_deref().unwrap_or(""),
            &hit.flow.join(">"),
        ]);
        self.findings.push(Finding {
            rule_id: meta.id.to_string(),
            severity,
            message: hit.message,
            path: hit.path,
            span: hit.span,
            address: hit.address,
            attribute: hit.attribute,
            flow: hit.flow,
            remediation: hit.remediation,
            suppressed: None,
            fingerprint,
        });
    }
}
