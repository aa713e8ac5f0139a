//! Wording shared by the secret-flow rules (TFG010–TFG014): how a source is named and what
//! the packs' advice for a source or sink says. Each rule words its own finding with these.

use crate::hcl::Module;
use crate::hcl::flow::{Fact, Flow, FlowKind, OriginKind, SinkAdvice, Source, SourceAdvice};
use crate::rules::{Ctx, Hit, RuleMeta, Sink};
use crate::types::Severity;

/// Runs the flow analysis (once per call, shared) and reports the flows of one kind, worded
/// by the rule's `words` (message, fix).
pub(crate) fn report_flows(
    cx: &Ctx<'_>,
    modules: &[Module],
    kind: FlowKind,
    meta: &RuleMeta,
    out: &mut Sink,
    words: fn(&Flow) -> (String, String),
) {
    if modules.iter().all(|m| m.files.is_empty()) {
        return;
    }
    // The `[hcl]` section is validated in `engine::prepare`, so an error here cannot happen
    // for a prepared policy; still, never panic on data.
    let Ok(flows) = cx.memo.flows(cx.policy, modules) else {
        return;
    };
    for f in flows.iter().filter(|f| f.kind == kind) {
        let (message, remediation) = words(f);
        out.report(
            meta,
            Hit {
                message,
                path: f.loc.path.clone(),
                span: Some(f.loc.span),
                address: Some(f.address.clone()),
                attribute: (!f.attribute.is_empty()).then(|| f.attribute.clone()),
                flow: f.hops.clone(),
                remediation,
                severity: (kind == FlowKind::CannotVerify).then(|| cannot_verify_severity(f)),
            },
        );
    }
}

/// "Cannot verify" is information, except for a declared variable named like a secret but
/// marked neither `ephemeral` nor `sensitive`: that is a warning (mark it), issue 13.
fn cannot_verify_severity(f: &Flow) -> Severity {
    match &f.fact {
        Fact::Argument { source, .. }
            if matches!(
                source.kind,
                OriginKind::Unresolved {
                    unmarked_secret_name: true,
                    ..
                }
            ) =>
        {
            Severity::Warning
        }
        _ => Severity::Info,
    }
}

/// "the secret `random_password.x.result`", "sensitive variable `var.p`", …
pub(crate) fn describe(s: &Source) -> String {
    let a = &s.address;
    match &s.kind {
        OriginKind::Managed { .. } | OriginKind::NameOnly => format!("the secret `{a}`"),
        OriginKind::Data { .. } => format!("the secret read by `{a}`"),
        OriginKind::SensitiveVar => format!("sensitive variable `{a}`"),
        OriginKind::Literal => match a.strip_prefix("hard-coded literal") {
            Some("") => "a hard-coded secret literal".to_string(),
            Some(key) => format!("a hard-coded secret literal at{key}"),
            None => format!("the hard-coded secret in `{a}`"),
        },
        OriginKind::Ephemeral => format!("ephemeral value `{a}`"),
        OriginKind::Unresolved { .. } => format!("unresolved variable `{a}`"),
    }
}

/// How to stop the source from being a secret in state; empty when there is nothing to say.
pub(crate) fn source_fix(s: &Source) -> String {
    match (&s.advice, &s.kind) {
        (SourceAdvice::Ephemeral { replacement, name, requires }, _) => {
            format!("Make the secret ephemeral: `{replacement} \"{name}\"` ({requires}).")
        }
        (SourceAdvice::Catalogue(fix), _) => fix.clone(),
        (SourceAdvice::None, OriginKind::Data { .. }) => "Read the secret with an ephemeral resource instead of a data source: data sources are stored in state.".into(),
        (SourceAdvice::None, OriginKind::SensitiveVar) => format!(
            "Declare `{}` with `ephemeral = true` (Terraform >= 1.10): `sensitive` hides a value from the CLI but not from state.",
            s.address
        ),
        (SourceAdvice::None, OriginKind::Literal) => "Remove the hard-coded secret (it is in version control) and rotate it; read it from Vault with `ephemeral \"vault_kv_secret_v2\"` (hashicorp/vault >= 5.0).".into(),
        (SourceAdvice::None, _) => String::new(),
    }
}

/// What to write instead at the sink, when the packs know.
pub(crate) fn sink_fix(s: &SinkAdvice, leaf: &str) -> Option<String> {
    match s {
        SinkAdvice::Catalogue(fix) => Some(fix.clone()),
        SinkAdvice::WriteOnlyTwin(wo) => Some(format!(
            "Write the value to `{wo}` with `{wo}_version` instead of `{leaf}` (write-only, Terraform >= 1.11); bump the version to rotate."
        )),
        SinkAdvice::None => None,
    }
}
