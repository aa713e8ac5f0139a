//! Findings that no edit can resolve without a decision: the instruction, listed as manual.

use super::{FixCx, Proposal};
use crate::types::Finding;

/// TFG004 / TFG011: a root output carries a secret.
pub fn secret_output(_cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let rule: &'static str = if f.rule_id == "TFG004" {
        "TFG004"
    } else {
        "TFG011"
    };
    let what = f.address.as_deref().unwrap_or("the output");
    vec![Proposal::manual(
        rule,
        format!("stop {what} from carrying the secret"),
        format!(
            "Remove {what} or make it output something that is not the secret (the Vault path that holds it, an id): Terraform stores every root output in state, and `sensitive = true` only hides it from the CLI. Consumers read the secret from Vault instead. {}",
            f.remediation
        ),
    )]
}

/// TFG035: a grant Genesys Cloud retires needs a different client design.
pub fn retired_grant(_cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    vec![Proposal::manual(
        "TFG035",
        format!(
            "move {} off its retired grant",
            f.address.as_deref().unwrap_or("the client")
        ),
        f.remediation.clone(),
    )]
}
