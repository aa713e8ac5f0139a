//! `tfguard check --vault-secret`: the seed's "search the tfstate for the secret" step,
//! against a real OpenBao dev server.

mod common;
use base64::Engine as _;
use common::*;

const SECRET: &str = "q7Lz-Vb3xN9wKp2RtY8sMd4FhJ6cGa1E";

fn state_with(attr_value: &str, private: &str) -> String {
    serde_json::json!({
        "version": 4, "terraform_version": "1.9.8", "serial": 3, "lineage": "l",
        "outputs": {},
        "resources": [{
            "mode": "managed", "type": "terraform_data", "name": "x",
            "provider": "provider[\"terraform.io/builtin/terraform\"]",
            "instances": [{"schema_version": 0, "attributes": {"id": "1", "input": attr_value}, "private": private}]
        }]
    })
    .to_string()
}

fn put_secret(bao: &Bao) {
    let o = bao.cli(&[
        "kv",
        "put",
        "secret/genesys/oauth/my-app",
        "client_id=3f2b1c4d",
        &format!("client_secret={SECRET}"),
    ]);
    assert!(
        o.status.success(),
        "bao kv put: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn check(bao: &Bao, file: &std::path::Path) -> (i32, String, String) {
    let mut cmd = tfguard();
    bao.env(&mut cmd);
    cmd.args(["check", "--vault-secret", "secret/genesys/oauth/my-app"])
        .arg(file);
    let o = run(&mut cmd);
    let (out, err) = text(&o);
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "secret printed:\n{out}\n{err}"
    );
    (o.status.code().unwrap_or(-1), out, err)
}

#[test]
fn planted_secret_is_found_raw_and_base64_and_clean_state_passes() {
    let bao = Bao::start();
    put_secret(&bao);
    let dir = tempfile::tempdir().unwrap();

    let raw = write(
        dir.path(),
        "raw.tfstate",
        &state_with(&format!("prefix {SECRET} suffix"), "bnVsbA=="),
    );
    let (code, out, err) = check(&bao, &raw);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("TFG006") && out.contains("secret/genesys/oauth/my-app#client_secret"),
        "{out}"
    );
    assert!(out.contains("terraform_data.x"), "{out}");

    // Base64 of a JSON document holding the secret, in the provider-private blob.
    let blob = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"client_secret\":\"{SECRET}\"}}"));
    let b64 = write(
        dir.path(),
        "b64.tfstate",
        &state_with("nothing here", &blob),
    );
    let (code, out, err) = check(&bao, &b64);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("TFG006") && out.contains("base64"), "{out}");

    let clean = write(
        dir.path(),
        "clean.tfstate",
        &state_with("nothing here", "bnVsbA=="),
    );
    let (code, out, err) = check(&bao, &clean);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("TFG006"), "{out}");
}

#[test]
fn unreachable_vault_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "clean.tfstate",
        &state_with("nothing", "bnVsbA=="),
    );
    let port = free_port();
    let o = run(tfguard()
        .env("VAULT_ADDR", format!("http://127.0.0.1:{port}"))
        .env("VAULT_TOKEN", "t")
        .args(["check", "--vault-secret", "secret/x"])
        .arg(&f));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("--vault-secret"), "{err}");
}

#[test]
fn identifiers_are_skipped_unless_asked_for() {
    let bao = Bao::start();
    put_secret(&bao);
    let dir = tempfile::tempdir().unwrap();
    // A tfguard-style state records the client id, which is no secret.
    let f = write(
        dir.path(),
        "ids.tfstate",
        &state_with("client 3f2b1c4d", "bnVsbA=="),
    );
    let (code, out, err) = check(&bao, &f);
    assert_eq!(code, 0, "client_id is not a secret: {out}{err}");
    let mut cmd = tfguard();
    bao.env(&mut cmd);
    cmd.args([
        "check",
        "--vault-secret",
        "secret/genesys/oauth/my-app#client_id,client_secret",
    ])
    .arg(&f);
    let o = run(&mut cmd);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("#client_id"), "{out}");
    let mut cmd = tfguard();
    bao.env(&mut cmd);
    cmd.args([
        "check",
        "--vault-secret",
        "secret/genesys/oauth/my-app#nope",
    ])
    .arg(&f);
    let o = run(&mut cmd);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("no key `nope`") && err.contains("client_id"),
        "{err}"
    );
    assert!(!err.contains(SECRET));
}
