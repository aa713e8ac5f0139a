//! The component boundary: WIT types in, native types through the engine, WIT types out.
//! Nothing else lives here.

wit_bindgen::generate!({ world: "guard", path: "../wit" });

use crate::types as n;
use tfguard::policy::types as w;

struct Guard;

thread_local! {
    /// Documents streamed in by the host before `check` (one instance serves one run), taken
    /// out by the call that names them.
    static STAGED: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Guest for Guard {
    fn stage(size: u64) -> u32 {
        // The exact size up front: growing by doubling would hold two copies at the end.
        let buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        STAGED.with_borrow_mut(|s| {
            s.push(buf);
            u32::try_from(s.len() - 1).unwrap_or(u32::MAX)
        })
    }

    fn stage_append(handle: u32, bytes: Vec<u8>) -> bool {
        STAGED.with_borrow_mut(|s| match s.get_mut(handle as usize) {
            Some(buf) => {
                buf.extend_from_slice(&bytes);
                true
            }
            None => false,
        })
    }

    fn rules() -> Vec<w::RuleInfo> {
        crate::rules()
            .into_iter()
            .map(|r| w::RuleInfo {
                id: r.id,
                name: r.name,
                title: r.title,
                family: r.family,
                default_severity: sev(r.default_severity),
                docs: r.docs,
            })
            .collect()
    }

    fn place(docs: Vec<w::Document>) -> Vec<w::Placement> {
        docs_in(docs)
            .iter()
            .map(|d| {
                let p = crate::shard::place(d);
                w::Placement {
                    module: p.module,
                    tf: p.tf,
                    calls: p.calls,
                }
            })
            .collect()
    }

    fn check(docs: Vec<w::Document>, settings: w::Settings) -> Result<w::Report, w::SettingsError> {
        let docs = docs_in(docs);
        crate::engine::check(&docs, &settings_in(settings))
            .map(report_out)
            .map_err(settings_error_out)
    }

    fn fix(
        docs: Vec<w::Document>,
        settings: w::Settings,
        request: w::FixRequest,
    ) -> Result<w::FixResult, w::SettingsError> {
        use crate::fix as f;
        let docs = docs_in(docs);
        let req = f::FixRequest {
            unsafe_fixes: request.unsafe_fixes,
            rules: request.rules,
        };
        let r = f::fix(docs, &settings_in(settings), &req).map_err(settings_error_out)?;
        Ok(w::FixResult {
            files: r
                .files
                .into_iter()
                .map(|x| w::FixedFile {
                    path: x.path,
                    contents: x.contents,
                })
                .collect(),
            fixes: r
                .fixes
                .into_iter()
                .map(|i| w::FixItem {
                    rule_id: i.rule_id,
                    title: i.title,
                    safety: match i.safety {
                        f::Safety::Safe => w::FixSafety::Safe,
                        f::Safety::Unsafe => w::FixSafety::Unsafe,
                        f::Safety::Manual => w::FixSafety::Manual,
                    },
                    applied: i.applied,
                    path: i.path,
                    span: i.span.map(span),
                    address: i.address,
                    why: i.why,
                })
                .collect(),
            report: report_out(r.report),
        })
    }

    fn desired_clients(
        docs: Vec<w::Document>,
        settings: w::Settings,
    ) -> Result<w::DesiredState, w::SettingsError> {
        let docs = docs_in(docs);
        let d =
            crate::desired_clients(&docs, &settings_in(settings)).map_err(settings_error_out)?;
        Ok(w::DesiredState {
            clients: d.clients.into_iter().map(spec_out).collect(),
            report: report_out(d.report),
        })
    }

    fn read_ledger(contents: Vec<u8>, settings: w::Settings) -> Result<w::Ledger, String> {
        let l = crate::read_ledger(&contents, &settings_in(settings))?;
        Ok(w::Ledger {
            lineage: l.lineage,
            serial: l.serial,
            entries: l
                .entries
                .into_iter()
                .map(|e| w::LedgerEntry {
                    client: spec_out(e.client),
                    client_id: e.client_id,
                    vault_version: e.vault_version,
                    tainted: e.tainted,
                    private: e.private,
                })
                .collect(),
        })
    }

    fn write_ledger(ledger: w::Ledger) -> Result<Vec<u8>, String> {
        crate::write_ledger(&n::Ledger {
            lineage: ledger.lineage,
            serial: ledger.serial,
            entries: ledger
                .entries
                .into_iter()
                .map(|e| n::LedgerEntry {
                    client: spec_in(e.client),
                    client_id: e.client_id,
                    vault_version: e.vault_version,
                    tainted: e.tainted,
                    private: e.private,
                })
                .collect(),
        })
    }
}

fn spec_out(c: n::OauthClientSpec) -> w::OauthClientSpec {
    w::OauthClientSpec {
        address: c.address,
        resource: w::ResourceAddress {
            module: c.resource.module,
            resource_type: c.resource.resource_type,
            name: c.resource.name,
            index_key: c.resource.index_key,
        },
        name: c.name,
        description: c.description,
        authorized_grant_type: c.authorized_grant_type,
        scopes: c.scopes,
        registered_redirect_uris: c.registered_redirect_uris,
        roles: c
            .roles
            .into_iter()
            .map(|r| w::RoleDivision {
                role_id: r.role_id,
                division_id: r.division_id,
            })
            .collect(),
        access_token_validity_seconds: c.access_token_validity_seconds,
        state: c.state,
        vault_mount: c.vault_mount,
        vault_path: c.vault_path,
    }
}

fn spec_in(c: w::OauthClientSpec) -> n::OauthClientSpec {
    n::OauthClientSpec {
        address: c.address,
        resource: n::ResourceAddress {
            module: c.resource.module,
            resource_type: c.resource.resource_type,
            name: c.resource.name,
            index_key: c.resource.index_key,
        },
        name: c.name,
        description: c.description,
        authorized_grant_type: c.authorized_grant_type,
        scopes: c.scopes,
        registered_redirect_uris: c.registered_redirect_uris,
        roles: c
            .roles
            .into_iter()
            .map(|r| n::RoleDivision {
                role_id: r.role_id,
                division_id: r.division_id,
            })
            .collect(),
        access_token_validity_seconds: c.access_token_validity_seconds,
        state: c.state,
        vault_mount: c.vault_mount,
        vault_path: c.vault_path,
    }
}

export!(Guard);

fn docs_in(docs: Vec<w::Document>) -> Vec<n::Document> {
    docs.into_iter()
        .map(|d| n::Document {
            path: d.path,
            kind: match d.kind {
                w::DocKind::Hcl => n::DocKind::Hcl,
                w::DocKind::State => n::DocKind::State,
                w::DocKind::Plan => n::DocKind::Plan,
                w::DocKind::Tfvars => n::DocKind::Tfvars,
                w::DocKind::Detect => n::DocKind::Detect,
            },
            contents: match d.staged {
                Some(h) => {
                    { STAGED.with_borrow_mut(|s| s.get_mut(h as usize).map(std::mem::take)) }
                        .unwrap_or_default()
                }
                None => d.contents,
            },
        })
        .collect()
}

fn settings_in(s: w::Settings) -> n::Settings {
    n::Settings {
        packs: s
            .packs
            .into_iter()
            .map(|p| n::PolicyPackSrc {
                name: p.name,
                contents: p.contents,
            })
            .collect(),
        options_json: s.options_json,
        known_secrets: s
            .known_secrets
            .into_iter()
            .map(|k| n::KnownSecret {
                label: k.label,
                value: k.value,
            })
            .collect(),
    }
}

fn sev(s: n::Severity) -> w::Severity {
    match s {
        n::Severity::Error => w::Severity::Error,
        n::Severity::Warning => w::Severity::Warning,
        n::Severity::Info => w::Severity::Info,
    }
}

fn span(s: n::Span) -> w::Span {
    w::Span {
        line: s.line,
        column: s.column,
        end_line: s.end_line,
        end_column: s.end_column,
    }
}

fn report_out(r: n::Report) -> w::Report {
    w::Report {
        findings: r
            .findings
            .into_iter()
            .map(|f| w::Finding {
                rule_id: f.rule_id,
                severity: sev(f.severity),
                message: f.message,
                path: f.path,
                span: f.span.map(span),
                address: f.address,
                attribute: f.attribute,
                flow: f.flow,
                remediation: f.remediation,
                suppressed: f.suppressed.map(|s| w::Suppression {
                    reason: s.reason,
                    origin: s.origin,
                }),
                fingerprint: f.fingerprint,
            })
            .collect(),
        errors: r
            .errors
            .into_iter()
            .map(|e| w::DocError {
                path: e.path,
                span: e.span.map(span),
                message: e.message,
                unsupported: e.unsupported,
            })
            .collect(),
        documents: r
            .documents
            .into_iter()
            .map(|d| w::DocSummary {
                path: d.path,
                recognised_as: d.recognised_as,
            })
            .collect(),
    }
}

fn settings_error_out(e: n::SettingsError) -> w::SettingsError {
    w::SettingsError {
        kind: match e.kind {
            n::SettingsErrorKind::Options => w::SettingsErrorKind::Options,
            n::SettingsErrorKind::RuleOptions => w::SettingsErrorKind::RuleOptions,
            n::SettingsErrorKind::PolicyPack => w::SettingsErrorKind::PolicyPack,
        },
        rule: e.rule,
        key: e.key,
        message: e.message,
    }
}
