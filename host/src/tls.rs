//! The TLS crypto provider. reqwest is built with `rustls-no-provider` so the
//! default aws-lc-rs provider (a C library built through cmake: 67 s of CPU on the 2-core
//! machine, against 38 s for ring and rustls together) is not compiled; rustls's `ring`
//! provider is installed as the process default instead, before any HTTP client is built.
//! Certificate verification is unchanged: the platform verifier with the system roots
//! (honouring `SSL_CERT_FILE`/`SSL_CERT_DIR`), plus `VAULT_CACERT` for Vault.

/// Installs the `ring` provider as the process default. Idempotent: later calls, or a provider
/// some other code installed first, are left alone (the first one stays).
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The Vault client certificate for mutual TLS, from `VAULT_CLIENT_CERT` and `VAULT_CLIENT_KEY`
/// (PEM files) as the Vault CLI reads them; `None` unless both are set. Errors name the
/// variable and the file, never content.
pub fn vault_client_identity() -> Result<Option<reqwest::Identity>, String> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
    let (Some(cert), Some(key)) = (var("VAULT_CLIENT_CERT"), var("VAULT_CLIENT_KEY")) else {
        return Ok(None);
    };
    let read =
        |name: &str, path: &str| std::fs::read(path).map_err(|e| format!("{name} `{path}`: {e}"));
    let mut pem = read("VAULT_CLIENT_CERT", &cert)?;
    pem.push(b'\n');
    pem.extend_from_slice(&read("VAULT_CLIENT_KEY", &key)?);
    let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
        format!("VAULT_CLIENT_CERT `{cert}` / VAULT_CLIENT_KEY `{key}`: not a PEM certificate and key: {e}")
    });
    // The buffer held the private key.
    zeroize::Zeroize::zeroize(&mut pem);
    id.map(Some)
}
