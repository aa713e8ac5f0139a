//! `tfguard plan/apply/rotate/destroy`: provisioning Genesys Cloud OAuth clients with their
//! secrets in Vault KV v2 and a secret-free `tfguard.tfstate` (DESIGN.md §tfguard apply).
//!
//! The guest is the only code that understands Terraform: it returns the desired clients and
//! the gate's report (`desired_clients`), and verifies the written state (`check`, with the
//! stored secrets as known secrets). This module does the I/O around it.

pub mod apply;
pub mod lock;
pub mod plan;
pub mod state;

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use secrecy::ExposeSecret;

use crate::error::{Error, Result};
use crate::runtime::wit::{DocKind, Document, Report, Settings, Severity};
use crate::runtime::{KnownValue, Runtime};
use crate::vault;

use crate::cli::provision::ProvisionArgs;
use plan::Desired;

pub struct Prepared {
    pub rt: Rc<Runtime>,
    pub settings: Settings,
    pub desired: Vec<Desired>,
    pub state_path: PathBuf,
}

pub fn state_path(a: &ProvisionArgs) -> PathBuf {
    a.state
        .clone()
        .unwrap_or_else(|| a.dir.join(state::FILE_NAME))
}

fn fails(report: &Report) -> bool {
    report
        .findings
        .iter()
        .any(|f| crate::output::fails_at(f, Severity::Error))
}

/// The findings that matter here (error level, unsuppressed) and document errors, through
/// the same human renderer as `tfguard check` (code frames from `docs`, secret masking), so
/// a finding reads the same wherever it stops a command.
fn render_report(rt: &Runtime, report: &Report, docs: &[Document]) -> Result<()> {
    let shown = Report {
        findings: report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && crate::output::fails_at(f, Severity::Error))
            .cloned()
            .collect(),
        errors: report.errors.clone(),
        documents: report.documents.clone(),
    };
    let rules = rt.rules()?;
    let cx = crate::output::Ctx {
        report: &shown,
        docs,
        streamed: &[],
        skipped: &[],
        rules: &rules,
        threshold: Severity::Error,
        color: false,
        jobs: 1,
    };
    let mut out = std::io::stdout().lock();
    crate::output::human::render(&mut out, &cx).map_err(|e| Error::Other(format!("stdout: {e}")))
}

impl Prepared {
    /// Reads and writes `tfguard.tfstate` with the same guest and packs.
    pub fn codec(&self) -> state::Codec {
        state::Codec::new(self.rt.clone(), &self.settings)
    }
}

/// For commands that act on the recorded clients without gating a configuration (`destroy`):
/// the guest, with the packs of the configuration file if there is one.
pub fn codec_for(a: &ProvisionArgs) -> Result<state::Codec> {
    let cfg = crate::config::load_for(a.config.as_deref(), Some(a.dir.as_path()))?;
    let settings = crate::packs::settings(&cfg)?;
    let rt = Runtime::new(a.sandbox.limits())?;
    Ok(state::Codec::new(Rc::new(rt), &settings))
}

/// Gate first: run the guest on the module. `Err(code)` = refused (findings shown, exit 1) or
/// unreadable documents (exit 2).
pub fn prepare(
    a: &ProvisionArgs,
    vault: Option<&vault::Client>,
) -> Result<std::result::Result<Prepared, u8>> {
    prepare_with(a, vault, true)
}

/// `enforce = false` (for `rotate`): findings are shown but do not stop the command, since
/// rotating is the remedy for a leaked secret that the gate may be reporting.
pub fn prepare_with(
    a: &ProvisionArgs,
    vault: Option<&vault::Client>,
    enforce: bool,
) -> Result<std::result::Result<Prepared, u8>> {
    let cfg = crate::config::load_for(a.config.as_deref(), Some(a.dir.as_path()))?;
    let collected = crate::discover::collect(
        std::slice::from_ref(&a.dir),
        &a.var_files,
        a.sandbox.input_limits(),
    )?;
    // Provisioning acts on the configuration: a file it could not read stops it.
    if let Some(e) = collected.errors.first() {
        return Err(Error::Usage(format!("{}: {}", e.path, e.message)));
    }
    let docs = collected.docs;
    if !docs.iter().any(|d| d.kind == DocKind::Hcl) {
        return Err(Error::Usage(format!(
            "no Terraform configuration (*.tf) in {}",
            a.dir.display()
        )));
    }
    let rt = Runtime::new(a.sandbox.limits())?;
    let settings = crate::packs::settings(&cfg)?;
    let ds = rt.desired_clients(&docs, &settings)?;
    if !enforce && (!ds.report.errors.is_empty() || fails(&ds.report)) {
        render_report(&rt, &ds.report, &docs)?;
        eprintln!(
            "tfguard: note: the configuration has findings (above); rotating anyway, since a new secret is the remedy for a leaked one"
        );
    } else if !ds.report.errors.is_empty() || fails(&ds.report) {
        render_report(&rt, &ds.report, &docs)?;
        if !ds.report.errors.is_empty() {
            eprintln!("tfguard: error: some files could not be read; nothing was changed");
            return Ok(Err(2));
        }
        eprintln!(
            "tfguard: refused: the configuration has error-level findings (above); nothing was changed. Fix them (a secret already in a state or plan: rotate it with `tfguard rotate` once it is provisioned here, because anyone who read that file has it)."
        );
        return Ok(Err(1));
    }
    let mut desired = Vec::new();
    for spec in ds
        .clients
        .iter()
        .filter(|s| enforce || s.vault_path.is_some())
    {
        let Some(path) = spec.vault_path.clone().filter(|p| !p.is_empty()) else {
            return Err(Error::Usage(format!(
                "{}: no Vault destination: add a `vault_kv_secret_v2` (mount + name) whose data references this client, so tfguard knows where to store its secret",
                spec.address
            )));
        };
        let (mount, path) = match (&spec.vault_mount, vault) {
            (Some(m), _) if !m.is_empty() => (m.clone(), path),
            (_, Some(v)) => v
                .resolve_path(&path)
                .map_err(|e| Error::Other(format!("{}: {e}", spec.address)))?,
            (_, None) => vault::split_path_naive(&path)
                .map_err(|e| Error::Other(format!("{}: {e}", spec.address)))?,
        };
        desired.push(Desired {
            address: spec.address.clone(),
            resource: spec.resource.clone(),
            config: plan::recorded_from_spec(spec)?,
            vault_mount: mount,
            vault_path: path,
        });
    }
    // Two clients writing one Vault secret would overwrite each other's credentials.
    let mut seen = std::collections::BTreeMap::new();
    for d in &desired {
        if let Some(other) = seen.insert((d.vault_mount.clone(), d.vault_path.clone()), &d.address)
        {
            return Err(Error::Usage(format!(
                "{other} and {} both store their secret at Vault {}/{}; give each client its own path",
                d.address, d.vault_mount, d.vault_path
            )));
        }
    }
    Ok(Ok(Prepared {
        rt: Rc::new(rt),
        settings,
        desired,
        state_path: state_path(a),
    }))
}

/// After every apply/rotate: the guest checks the written state with the stored secrets as
/// known secrets (the Vault cross-check), and the host searches the raw bytes too. Any hit or
/// error-level finding is an error.
pub fn verify(
    p: &Prepared,
    st: &state::State,
    v: &vault::Client,
    out: &mut dyn Write,
) -> Result<()> {
    let bytes = st.bytes()?;
    let secrets = apply::stored_secrets(v, st)?;
    let mut settings = Settings {
        packs: p.settings.packs.clone(),
        options_json: p.settings.options_json.clone(),
        known_secrets: Vec::new(),
    };
    let known: Vec<KnownValue> = secrets
        .iter()
        .map(|(label, s)| KnownValue {
            label: label.clone(),
            value: s.clone(),
        })
        .collect();
    let doc = Document {
        path: st.path.display().to_string(),
        kind: DocKind::State,
        contents: bytes.clone(),
        staged: None,
    };
    let report =
        p.rt.check_with_secrets(std::slice::from_ref(&doc), &mut settings, &known);
    let report = report?;
    let rotate = "a state holding a secret exposes it to everyone who can read the file or its backups; treat it as leaked: delete the leaked copies and rotate it with `tfguard rotate CLIENT`, because anyone who read the file has it";
    if !report.errors.is_empty() || fails(&report) {
        // No code frames here: this file failed because it may hold a secret.
        render_report(&p.rt, &report, &[])?;
        return Err(Error::Other(format!(
            "verification failed: the guest found problems in {} (above); {rotate}",
            st.path.display()
        )));
    }
    // Defence in depth: the same search on the raw bytes, host-side.
    let hits = apply::host_search(&bytes, &secrets);
    if !hits.is_empty() {
        return Err(Error::Other(format!(
            "verification failed: {} contains the secret stored at {}; {rotate}",
            st.path.display(),
            hits.join(", ")
        )));
    }
    let _ = writeln!(
        out,
        "Verified: {} holds no secret ({} stored secret(s) cross-checked, {} finding(s){}",
        st.path.display(),
        secrets.len(),
        report.findings.len(),
        if report.findings.is_empty() {
            ")."
        } else {
            "):"
        }
    );
    // The findings left are below the error level or suppressed; name each, so the count
    // can be acted on without rerunning `check`.
    for f in &report.findings {
        let _ = writeln!(out, "  {}", finding_line(f));
    }
    Ok(())
}

/// `warning[TFG003] ./tfguard.tfstate, resource ADDR: message`, `(suppressed: reason, origin)`
/// after it when a suppression matched.
fn finding_line(f: &crate::runtime::wit::Finding) -> String {
    let sev = crate::output::sev_str(f.severity);
    let at = f
        .span
        .as_ref()
        .map(|s| format!(":{}:{}", s.line, s.column))
        .unwrap_or_default();
    let resource = f
        .address
        .as_ref()
        .map(|a| format!(", resource {a}"))
        .unwrap_or_default();
    let mut line = format!(
        "{sev}[{}] {}{at}{resource}: {}",
        f.rule_id, f.path, f.message
    );
    if let Some(s) = &f.suppressed {
        line.push_str(&format!(" (suppressed: {}; {})", s.reason, s.origin));
    }
    line
}

/// Ask on the terminal. No terminal and no `--auto-approve` → refuse (the caller exits 1),
/// saying which flag to pass.
pub fn confirm(question: &str, auto_approve: bool) -> Result<bool> {
    use std::io::IsTerminal;
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "tfguard: refused: no terminal to confirm on; pass --auto-approve to {question} without a prompt"
        );
        return Ok(false);
    }
    print!(
        "\nDo you want to {question}?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    Ok(line.trim() == "yes")
}

/// Replace any stored secret in text about to be printed (a plan shows recorded and live
/// values, which someone may have pasted a secret into). The host redacts before it renders.
pub fn redact(text: String, secrets: &[(String, secrecy::SecretString)]) -> String {
    let mut text = text;
    for (label, s) in secrets {
        let raw = s.expose_secret();
        if raw.len() < 8 {
            continue;
        }
        let debug = format!("{raw:?}");
        let forms = [
            raw.to_string(),
            debug.trim_matches('"').to_string(),
            serde_json::to_string(raw)
                .unwrap_or_default()
                .trim_matches('"')
                .to_string(),
        ];
        for f in forms {
            if !f.is_empty() && text.contains(&f) {
                text = text.replace(&f, &format!("(redacted: the secret stored at {label})"));
            }
        }
    }
    text
}
