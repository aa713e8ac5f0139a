//! Command-line arguments of the provisioning subcommands.

use std::path::PathBuf;

use clap::Args;

use super::SandboxArgs;

#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// The Terraform module directory holding the `genesyscloud_oauth_client` resources.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// State file (default: DIR/tfguard.tfstate).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Config file (default: `.tfguard.hcl` found by walking up from DIR).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Extra variable definitions files, as `terraform -var-file`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    #[command(flatten)]
    pub vault: crate::vault::AuthArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub common: ProvisionArgs,
    /// Skip the confirmation prompt (required when stdin is not a terminal).
    #[arg(long)]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The client: its address (`genesyscloud_oauth_client.app`), resource name or client name.
    pub client: String,
    #[command(flatten)]
    pub common: ProvisionArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Vault KV v2 secret holding `client_id` and `client_secret`, e.g. `secret/tfguard/my-app`.
    #[arg(long = "vault-secret", value_name = "PATH")]
    pub vault_secret: String,
    /// Scope to request (repeatable). Client-credentials tokens get the client's roles anyway.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Region (default: GENESYSCLOUD_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// Print `{"access_token", "token_type", "expires_in"}` instead of the bare token.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub vault: crate::vault::AuthArgs,
}
