//! `tfguard token --vault-secret PATH`: the seed's runtime retrieval, done properly. Reads
//! `client_id`/`client_secret` from Vault, gets a client-credentials token at the region's
//! login host (429 `Retry-After` honoured, bounded jittered retries) and prints only the token.
//! This is the one command whose output is a credential.

use std::io::Write;

use secrecy::ExposeSecret;

use crate::cli::provision::TokenArgs;
use crate::error::{Error, Result};
use crate::genesys::{self, AuthContext, Endpoints, RetryPolicy};
use crate::vault;

pub fn run(a: &TokenArgs) -> Result<u8> {
    let region = match a.region.clone().or_else(|| {
        std::env::var(genesys::ENV_REGION)
            .ok()
            .filter(|r| !r.trim().is_empty())
    }) {
        Some(r) => r,
        None => {
            return Err(Error::Usage(format!(
                "no region: pass --region or set {}",
                genesys::ENV_REGION
            )));
        }
    };
    let endpoints = Endpoints::for_region(&region).map_err(|e| Error::Other(e.to_string()))?;
    let v = vault::Client::connect(&a.vault).map_err(|e| Error::Other(e.to_string()))?;
    let (mount, path) = v
        .resolve_path(&a.vault_secret)
        .map_err(|e| Error::Other(e.to_string()))?;
    let s = v
        .read_kv2(&mount, &path)
        .map_err(|e| Error::Other(e.to_string()))?;
    let (Some(id), Some(secret)) = (s.get("client_id"), s.get("client_secret")) else {
        return Err(Error::Other(format!(
            "Vault {mount}/{path} has no `client_id` and `client_secret` keys (it has: {})",
            s.data.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    };
    let ctx = AuthContext {
        id_source: format!("Vault {mount}/{path}#client_id"),
        secret_source: format!("Vault {mount}/{path}#client_secret"),
        client_id: id.expose_secret().to_string(),
        region: region.clone(),
        login: endpoints.login.clone(),
    };
    let t = genesys::token_for(&endpoints, ctx, secret, &a.scopes, &RetryPolicy::default())
        .map_err(|e| Error::Other(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let line = if a.json {
        serde_json::json!({
            "access_token": t.access_token.expose_secret(),
            "token_type": t.token_type,
            "expires_in": t.expires_in,
        })
        .to_string()
    } else {
        t.access_token.expose_secret().to_string()
    };
    let mut line = line;
    let written = writeln!(out, "{line}").map_err(|e| Error::io("<stdout>", e));
    zeroize::Zeroize::zeroize(&mut line);
    written?;
    Ok(0)
}
