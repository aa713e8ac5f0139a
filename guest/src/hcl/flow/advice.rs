//! The packs' advice for a flow's source and sink, and recording a flow.

use super::*;

impl<'a, 'm> Analyzer<'a, 'm> {
    pub(super) fn source(&self, t: Taint) -> Source {
        let advice = self.source_advice(&t);
        Source {
            address: t.origin,
            kind: t.kind,
            advice,
        }
    }

    pub(super) fn source_advice(&self, t: &Taint) -> SourceAdvice {
        let attr = t.origin.rsplit('.').next().unwrap_or("");
        match &t.kind {
            OriginKind::Managed { rtype } => {
                if let Some(g) = self
                    .cfg
                    .generator
                    .iter()
                    .find(|g| &g.resource == rtype && !g.ephemeral.is_empty())
                {
                    SourceAdvice::Ephemeral {
                        replacement: g.ephemeral.clone(),
                        name: t.origin.rsplit('.').nth(1).unwrap_or("name").to_string(),
                        requires: g.requires.clone(),
                    }
                } else {
                    self.policy
                        .secret_within("managed", rtype, attr)
                        .map_or(SourceAdvice::None, |s| {
                            SourceAdvice::Catalogue(s.fix.clone())
                        })
                }
            }
            OriginKind::Data { rtype } => self
                .policy
                .secret_within("data", rtype, attr)
                .map(|s| s.fix.clone())
                .or_else(|| {
                    self.cfg
                        .secret_data_source
                        .iter()
                        .find(|d| &d.resource == rtype)
                        .map(|d| d.fix.clone())
                })
                .map_or(SourceAdvice::None, SourceAdvice::Catalogue),
            _ => SourceAdvice::None,
        }
    }

    /// The catalogue's advice for a sink argument, else its write-only twin.
    pub(super) fn sink_advice(&self, rtype: &str, path: &str, leaf: &str) -> SinkAdvice {
        if let Some(s) = self
            .cfg
            .sink_fix
            .iter()
            .find(|s| s.resource == rtype && s.arguments.iter().any(|a| a == path || a == leaf))
        {
            return SinkAdvice::Catalogue(s.fix.clone());
        }
        // The catalogue's own text for the secret at or under this argument, when it names a
        // write-only twin of the resource: it has the twin's real partner (`data_wo_revision`
        // in hashicorp/kubernetes), the release that brought it, and twins off the `_wo`
        // convention (helm's `set_sensitive` blocks → `set_wo`).
        let names: Vec<&str> = path
            .split('.')
            .map(|n| n.split('[').next().unwrap_or(n))
            .collect();
        if let Some(fix) = self.policy.write_only_advice(rtype, &names) {
            return SinkAdvice::Catalogue(fix.to_string());
        }
        let wo = format!("{leaf}_wo");
        if self.policy.is_write_only(rtype, &wo) {
            return SinkAdvice::WriteOnlyTwin(wo);
        }
        SinkAdvice::None
    }

    pub(super) fn push(&self, flow: Flow) {
        self.flows.borrow_mut().push(flow);
    }
}
