//! tfguard's policy module. Plain Rust behind a thin component export (`export.rs`), so the
//! rules run and are tested natively too. No I/O: documents and settings come in as data.

pub mod detect;
pub mod engine;
pub mod fix;
pub mod glob;
pub mod hcl;
pub mod near;
pub mod oauth;
pub mod options;
pub mod policy;
pub mod rules;
pub mod shard;
pub mod state;
pub mod suppress;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod export;
mod heap;
mod mem;

pub use engine::check;
pub use fix::fix;

/// Every rule's metadata and docs.
pub fn rules() -> Vec<types::RuleInfo> {
    rules::REGISTRY
        .iter()
        .map(|r| {
            let m = r.meta();
            types::RuleInfo {
                id: m.id.into(),
                name: m.name.into(),
                title: m.title.into(),
                family: m.family.into(),
                default_severity: m.severity,
                docs: m.docs.into(),
            }
        })
        .collect()
}

/// The OAuth clients a configuration declares, with the gate's report on it.
pub fn desired_clients(
    docs: &[types::Document],
    settings: &types::Settings,
) -> Result<types::DesiredState, types::SettingsError> {
    desired_clients_prepared(docs, settings, &engine::prepare(settings)?)
}

/// `desired_clients` with settings already prepared (the fuzz target reuses one preparation).
pub fn desired_clients_prepared(
    docs: &[types::Document],
    settings: &types::Settings,
    prep: &engine::Prepared,
) -> Result<types::DesiredState, types::SettingsError> {
    let (mut report, modules) = engine::check_prepared(docs, settings, prep);
    let (clients, gaps) =
        oauth::clients::desired(&prep.policy, &modules).map_err(types::SettingsError::pack)?;
    report
        .findings
        .extend(gaps.iter().map(rules::provision_gap));
    Ok(types::DesiredState { clients, report })
}

/// The OAuth client's resource type, as the packs in `settings` name it.
fn oauth_resource(settings: &types::Settings) -> Result<String, String> {
    let policy = policy::Policy::with_builtins(&settings.packs)?;
    Ok(oauth::OauthData::load(&policy)?.resource().to_string())
}

/// `tfguard.tfstate` read (`oauth::ledger`); `Err` says why the contents are not one.
pub fn read_ledger(contents: &[u8], settings: &types::Settings) -> Result<types::Ledger, String> {
    oauth::ledger::read(contents, &oauth_resource(settings)?)
}

/// `tfguard.tfstate` written: the whole file.
pub fn write_ledger(ledger: &types::Ledger) -> Result<Vec<u8>, String> {
    oauth::ledger::write(ledger)
}
