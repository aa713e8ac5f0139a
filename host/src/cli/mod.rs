//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod provision;

#[derive(Debug, Parser)]
#[command(
    name = "tfguard",
    version,
    about = "Keep secrets out of Terraform state: a policy gate and a provisioner for Genesys Cloud OAuth clients"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform HCL, state and plan JSON against the policies.
    Check(CheckArgs),
    /// Edit the configuration so the findings go away: safe fixes, and with --unsafe-fixes the
    /// ones that change what Terraform does; then check the result and report what is left.
    Fix(FixArgs),
    /// List the rules.
    Rules,
    /// Print a rule's documentation.
    Explain { rule: String },
    /// Show what `apply` would change: create/update/delete per OAuth client, drift included.
    Plan(provision::ProvisionArgs),
    /// Provision the OAuth clients: Genesys Cloud → Vault KV v2 → a secret-free tfguard.tfstate.
    Apply(provision::ApplyArgs),
    /// Regenerate a client's secret and store the new version in Vault.
    Rotate(provision::RotateArgs),
    /// Delete the recorded clients and their Vault secrets (all versions).
    Destroy(provision::ApplyArgs),
    /// Print an access token for the client whose credentials are in Vault.
    Token(provision::TokenArgs),
    /// Print a shell completion script to stdout, e.g. `tfguard completions bash`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or write one page per command into DIR.
    Man {
        /// Write tfguard.1 and tfguard-<command>.1 into DIR (e.g. share/man/man1) instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Memory cap for the policy guest, e.g. 512MiB or 2GiB.
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = crate::size::parse_size)]
    pub max_memory: usize,
    /// Time limit for the policy guest, e.g. 30s or 500ms.
    #[arg(long, value_name = "DURATION", default_value = "120s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Largest file read, e.g. 512MiB; a larger one is a document error naming this cap.
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = parse_size_u64, env = "TFGUARD_MAX_FILE_SIZE")]
    pub max_file_size: u64,
    /// Most input read in one run, all files together, e.g. 1GiB.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size_u64, env = "TFGUARD_MAX_INPUT_SIZE")]
    pub max_input_size: u64,
}

impl SandboxArgs {
    /// The guest's sandbox limits; a call past the time limit traps and is returned as an error.
    pub fn limits(&self) -> crate::runtime::Limits {
        crate::runtime::Limits {
            max_memory: self.max_memory,
            timeout: self.timeout,
            deadline: crate::runtime::Deadline::Trap,
        }
    }
    pub fn input_limits(&self) -> crate::discover::InputLimits {
        crate::discover::InputLimits {
            max_file_size: self.max_file_size,
            max_input_size: self.max_input_size,
            stream_from: None,
        }
    }
}

fn parse_size_u64(s: &str) -> Result<u64, String> {
    crate::size::parse_size(s).map(|n| n as u64)
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (`-` for stdin). Directories are walked; `.terraform/` and `.git/` are skipped.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Lowest severity that fails the check (exit 1). Overrides the config file.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Config file (default: `.tfguard.hcl` found by walking up from the first path).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Extra variable definitions files, as `terraform -var-file`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Vault KV v2 secret (e.g. `secret/genesys/oauth/my-app`) whose values must not occur in
    /// any checked state or plan, raw, JSON-escaped or base64 (repeatable). `PATH#k1,k2` picks
    /// keys; plain `PATH` takes every key but identifiers (`client_id`). Reads VAULT_ADDR,
    /// VAULT_TOKEN, VAULT_NAMESPACE and VAULT_CACERT as the Vault CLI does; see "Vault login"
    /// for the other ways to log in.
    #[arg(long = "vault-secret", value_name = "PATH")]
    pub vault_secrets: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE (atomically: a temp file renamed into place) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in human output: auto = only on a terminal and when NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Skip explicitly named files that are not Terraform (e.g. `package.json`) and exit 0 when
    /// nothing is left; for hooks that pass every staged file (see .pre-commit-hooks.yaml).
    #[arg(long)]
    pub skip_unknown: bool,
    /// Guest instances checking in parallel (each on a thread, with its own memory cap); the
    /// default is the CPUs this process may run on. 1 checks in one instance.
    #[arg(long, env = "TFGUARD_JOBS", value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    #[command(flatten)]
    pub vault: crate::vault::AuthArgs,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories. Directories are walked; `.terraform/` and `.git/` are skipped.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Print a unified diff of the changes instead of writing them (nothing is written).
    #[arg(long)]
    pub diff: bool,
    /// Also apply the fixes that change what Terraform will do (each is listed with why).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Only the fixes of this rule (id or name; repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Lowest severity left after fixing that fails the run (exit 1). Overrides the config file.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Config file (default: `.tfguard.hcl` found by walking up from the first path).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Extra variable definitions files, as `terraform -var-file`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source snippets.
    Human,
    /// Stable JSON (schema in the README, `version` field).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the PR diff).
    Github,
    /// JUnit XML, for CI test reports (GitLab, Jenkins).
    Junit,
    /// GitLab Code Quality JSON (`artifacts:reports:codequality`), for the merge-request widget.
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `30s`, `500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let err = || format!("`{s}` is not a duration like 30s, 500ms or 2m");
    if let Some(n) = s.strip_suffix("ms") {
        return n
            .trim()
            .parse::<u64>()
            .map(std::time::Duration::from_millis)
            .map_err(|_| err());
    }
    if let Some(n) = s.strip_suffix('s') {
        return n
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0)
            .map(std::time::Duration::from_secs_f64)
            .ok_or_else(err);
    }
    if let Some(n) = s.strip_suffix('m') {
        return n
            .trim()
            .parse::<u64>()
            .map(|m| std::time::Duration::from_secs(m * 60))
            .map_err(|_| err());
    }
    Err(err())
}
