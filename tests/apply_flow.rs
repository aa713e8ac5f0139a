//! `tfguard plan/apply/rotate/destroy/token` on `examples/apply/`, against the Genesys Cloud
//! emulator (in-process) and a real OpenBao dev server. Every scenario ends with the audit:
//! no secret in the module dir or any output, and the secret in Vault gets a token.

mod apply_support;
mod common;

use apply_support::{Env, VAULT_PATH, assert_code, assert_ok, writes};

#[test]
fn first_apply_then_reapply_is_a_noop() {
    let mut env = Env::new();
    let plan = env.run(&["plan", "."]);
    assert_ok(&plan, "plan");
    let (out, _) = common::text(&plan);
    assert!(
        out.contains("# genesyscloud_oauth_client.reporting will be created"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    assert!(env.emu.clients().is_empty(), "plan changed nothing");
    assert!(!env.state_file().exists(), "plan writes no state");

    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains("Creation complete"), "{out}");
    assert!(out.contains("Verified:"), "{out}");
    let clients = env.emu.clients();
    assert_eq!(clients.len(), 1);
    let c = &clients[0];
    assert_eq!(c.name, "Reporting service");
    assert_eq!(c.authorized_grant_type, "CLIENT-CREDENTIALS");
    assert_eq!(c.access_token_validity_seconds, 3600);
    assert_eq!(c.role_divisions.len(), 1);
    // Vault holds the real secret, the one the API generated.
    let (id, secret) = env.vault_creds(VAULT_PATH).expect("secret in Vault");
    assert_eq!(id, c.id);
    assert_eq!(secret, c.secret.expose());
    // The state is Terraform v4, holds the id and the Vault version, and no secret.
    let st = env.state();
    assert_eq!(st["version"], 4);
    let client = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "genesyscloud_oauth_client")
        .expect("client resource");
    let attrs = &client["instances"][0]["attributes"];
    assert_eq!(attrs["id"], c.id.as_str());
    assert_eq!(attrs["client_secret"], "");
    assert!(
        client["instances"][0].get("status").is_none(),
        "no intent left"
    );
    let kv = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "vault_kv_secret_v2")
        .expect("vault resource");
    assert_eq!(kv["instances"][0]["attributes"]["metadata"]["version"], "1");

    // Re-apply: nothing to do, no write request reaches the API, Vault untouched.
    env.emu.clear_requests();
    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains("No changes."), "{out}");
    assert!(writes(&env.emu).is_empty(), "{:?}", writes(&env.emu));
    assert_eq!(env.emu.clients().len(), 1);
    let v = env.bao().cli(&[
        "kv",
        "metadata",
        "get",
        "-format=json",
        "-mount=secret",
        VAULT_PATH,
    ]);
    let meta: serde_json::Value = serde_json::from_slice(&v.stdout).expect("metadata");
    assert_eq!(meta["data"]["current_version"], 1);

    // The guest accepts the written state as an input too (existing tools read it).
    let o = env.run(&["check", "tfguard.tfstate"]);
    assert_ok(&o, "check of the written state");
    env.audit(&[VAULT_PATH]);
}

#[test]
fn update_and_drift() {
    let mut env = Env::new();
    env.apply();
    let before = env.emu.clients()[0].clone();

    // Update: the configuration changes.
    let vars = env.path().join("variables.tf");
    let src = std::fs::read_to_string(&vars).unwrap();
    std::fs::write(
        &vars,
        src.replace("default     = 3600", "default     = 7200"),
    )
    .unwrap();
    let o = env.run(&["plan", "."]);
    assert_ok(&o, "plan");
    let (out, _) = common::text(&o);
    assert!(out.contains("will be updated in-place"), "{out}");
    assert!(
        out.contains("~ access_token_validity_seconds  = 3600 -> 7200"),
        "{out}"
    );
    env.apply();
    let after = env.emu.clients()[0].clone();
    assert_eq!(after.id, before.id, "updated in place, not replaced");
    assert_eq!(after.access_token_validity_seconds, 7200);
    assert_eq!(
        after.secret, before.secret,
        "an update does not rotate the secret"
    );

    // Drift: someone edits the client in the Genesys UI.
    assert!(env.emu.edit_client(&before.id, |c| {
        c.description = Some("edited by hand".into());
        c.state = "inactive".into();
    }));
    let o = env.run(&["plan", "."]);
    assert_ok(&o, "plan");
    let (out, _) = common::text(&o);
    assert!(out.contains("drift: changed outside tfguard"), "{out}");
    assert!(
        out.contains("\"edited by hand\" -> \"Nightly reporting export"),
        "{out}"
    );
    assert!(out.contains("~ state"), "{out}");
    env.apply();
    let fixed = env.emu.clients()[0].clone();
    assert_eq!(
        fixed.description.as_deref(),
        Some("Nightly reporting export; secret lives only in Vault")
    );
    assert_eq!(fixed.state, "active");

    // Deleted outside tfguard: created again, and the new secret replaces the old in Vault.
    assert!(env.emu.remove_client(&before.id));
    let o = env.run(&["plan", "."]);
    let (out, _) = common::text(&o);
    assert!(out.contains("no longer exists in Genesys Cloud"), "{out}");
    env.apply();
    let clients = env.emu.clients();
    assert_eq!(clients.len(), 1);
    assert_ne!(clients[0].id, before.id);
    env.audit(&[VAULT_PATH]);
}

#[test]
fn rotate_replaces_the_secret_everywhere() {
    let mut env = Env::new();
    env.apply();
    let old = env.emu.clients()[0].clone();
    let o = env.run(&["rotate", "reporting", "."]);
    assert_ok(&o, "rotate");
    let new = env.emu.clients()[0].clone();
    assert_eq!(new.id, old.id);
    assert_ne!(new.secret, old.secret);
    assert!(
        env.emu
            .check_credentials(&old.id, old.secret.expose())
            .is_err(),
        "old secret revoked"
    );
    let (_, in_vault) = env.vault_creds(VAULT_PATH).unwrap();
    assert_eq!(in_vault, new.secret.expose());
    let v = env.bao().cli(&[
        "kv",
        "metadata",
        "get",
        "-format=json",
        "-mount=secret",
        VAULT_PATH,
    ]);
    let meta: serde_json::Value = serde_json::from_slice(&v.stdout).expect("metadata");
    assert_eq!(
        meta["data"]["current_version"], 2,
        "a new version, written with check-and-set"
    );
    assert_eq!(
        env.state()["resources"][1]["instances"][0]["attributes"]["metadata"]["version"],
        "2"
    );
    // An unknown client is a usage error.
    let o = env.run(&["rotate", "nope", "."]);
    assert_code(&o, 2, "rotate unknown");
    env.audit(&[VAULT_PATH]);
}

#[test]
fn destroy_deletes_client_and_every_vault_version() {
    let mut env = Env::new();
    env.apply();
    env.run(&["rotate", "reporting", "."]);
    // No terminal and no --auto-approve: refused, nothing deleted.
    let o = env.run(&["destroy", "."]);
    assert_code(&o, 1, "destroy without approval");
    assert_eq!(env.emu.clients().len(), 1);
    // Audit while everything still exists.
    env.audit(&[VAULT_PATH]);

    env.emu.clear_requests();
    let o = env.run(&["destroy", "--auto-approve", "."]);
    assert_ok(&o, "destroy");
    assert!(env.emu.clients().is_empty());
    // Set inactive, then DELETE (facts §3.5).
    let w = writes(&env.emu);
    let put = w.iter().position(|r| r.starts_with("PUT "));
    let del = w.iter().position(|r| r.starts_with("DELETE "));
    assert!(matches!((put, del), (Some(p), Some(d)) if p < d), "{w:?}");
    let m = env
        .bao()
        .cli(&["kv", "metadata", "get", "-mount=secret", VAULT_PATH]);
    assert!(!m.status.success(), "all versions and metadata destroyed");
    let st = env.state();
    assert!(st["resources"].as_array().unwrap().is_empty());
    env.assert_no_leak();
}

#[test]
fn gate_finding_refuses_the_apply() {
    let mut env = Env::new();
    env.expose_secret_in_config();
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 1, "gated apply");
    let (out, err) = common::text(&o);
    assert!(out.contains("TFG042"), "{out}");
    assert!(err.contains("refused"), "{err}");
    assert!(env.emu.clients().is_empty(), "nothing created");
    assert!(env.emu.requests().is_empty(), "the API was not even called");
    assert!(!env.state_file().exists());
    let o = env.run(&["plan", "."]);
    assert_code(&o, 1, "gated plan");
    env.assert_no_leak();
}

#[test]
fn two_clients_and_a_removed_one() {
    let mut env = Env::new();
    let main = env.path().join("main.tf");
    let src = std::fs::read_to_string(&main).unwrap();
    let second = src[src.find("resource \"genesyscloud_oauth_client\"").unwrap()
        ..src.find("output \"reporting_client_id\"").unwrap()]
        .replace("\"reporting\"", "\"billing\"")
        .replace("reporting.client_id", "billing.client_id")
        .replace("Reporting service", "Billing service")
        .replace("tfguard/reporting", "tfguard/billing");
    std::fs::write(&main, format!("{src}\n{second}")).unwrap();
    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains("2 added"), "{out}");
    assert_eq!(env.emu.clients().len(), 2);
    env.audit(&[VAULT_PATH, "tfguard/billing"]);

    std::fs::write(&main, &src).unwrap();
    let o = env.run(&["plan", "."]);
    let (out, _) = common::text(&o);
    assert!(
        out.contains("genesyscloud_oauth_client.billing will be destroyed"),
        "{out}"
    );
    env.apply();
    let names: Vec<_> = env.emu.clients().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Reporting service"]);
    assert!(env.vault_creds("tfguard/billing").is_none());
    env.audit(&[VAULT_PATH]);
}

#[test]
fn verification_catches_a_secret_in_the_state() {
    let mut env = Env::new();
    env.apply();
    let (_, secret) = env.vault_creds(VAULT_PATH).unwrap();
    // Someone pastes the secret into the recorded description (e.g. a hand-edited state).
    let path = env.state_file();
    let mut st = env.state();
    st["resources"][0]["instances"][0]["attributes"]["description"] =
        serde_json::json!(format!("creds: {secret}"));
    std::fs::write(&path, serde_json::to_vec_pretty(&st).unwrap()).unwrap();
    let o = env.run(&["plan", "."]);
    let (out, err) = common::text(&o);
    for text in [&out, &err] {
        assert!(!text.contains(&secret), "plan printed the secret");
    }
    let o = env.run(&["apply", "--auto-approve", "."]);
    let (out, err) = common::text(&o);
    assert!(
        !o.status.success(),
        "a state holding the secret must fail the apply\n{out}\n{err}"
    );
    assert!(
        out.contains("TFG006") || err.contains("TFG006"),
        "{out}\n{err}"
    );
    assert!(err.contains("rotate"), "{err}");
    for text in [&out, &err] {
        assert!(!text.contains(&secret), "the secret was printed");
    }
}

#[test]
fn two_clients_sharing_a_vault_path_are_refused() {
    let mut env = Env::new();
    let main = env.path().join("main.tf");
    let src = std::fs::read_to_string(&main).unwrap();
    let second = src[src.find("resource \"genesyscloud_oauth_client\"").unwrap()
        ..src.find("output \"reporting_client_id\"").unwrap()]
        .replace("\"reporting\"", "\"billing\"")
        .replace("reporting.client_id", "billing.client_id")
        .replace("Reporting service", "Billing service");
    std::fs::write(&main, format!("{src}\n{second}")).unwrap();
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 2, "shared destination");
    let (_, err) = common::text(&o);
    assert!(
        err.contains("both store their secret at Vault secret/tfguard/reporting"),
        "{err}"
    );
    assert!(env.emu.clients().is_empty());
    env.assert_no_leak();
}

#[test]
fn rotate_is_not_blocked_by_the_gate() {
    let mut env = Env::new();
    env.apply();
    let old = env.emu.clients()[0].secret.clone();
    // A finding appears after provisioning (here: exposing the secret in config): `apply` is
    // refused, but `rotate`, the remedy, still runs.
    let original = env.expose_secret_in_config();
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 1, "gated apply");
    let o = env.run(&["rotate", "genesyscloud_oauth_client.reporting", "."]);
    assert_ok(&o, "rotate despite findings");
    let (_, err) = common::text(&o);
    assert!(err.contains("rotating anyway"), "{err}");
    assert_ne!(env.emu.clients()[0].secret, old);
    std::fs::write(env.path().join("main.tf"), original).unwrap();
    env.audit(&[VAULT_PATH]);
}

#[test]
fn vault_namespace_is_honoured() {
    let mut env = Env::new();
    let o = env.bao().cli(&["namespace", "create", "team"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut enable = std::process::Command::new("bao");
    enable
        .args(["secrets", "enable", "-path=secret", "kv-v2"])
        .env("BAO_ADDR", &env.bao().addr)
        .env("BAO_TOKEN", &env.bao().token)
        .env("BAO_NAMESPACE", "team");
    assert!(enable.output().unwrap().status.success());
    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    c.env("VAULT_NAMESPACE", "team");
    let o = env.run_cmd(&mut c);
    assert_ok(&o, "apply in a namespace");
    // Stored in the namespace, not at the root.
    assert!(env.vault_creds(VAULT_PATH).is_none());
    let mut get = std::process::Command::new("bao");
    get.args(["kv", "get", "-format=json", "-mount=secret", VAULT_PATH])
        .env("BAO_ADDR", &env.bao().addr)
        .env("BAO_TOKEN", &env.bao().token)
        .env("BAO_NAMESPACE", "team");
    let o = get.output().unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = v["data"]["data"]["client_id"].as_str().unwrap();
    let secret = v["data"]["data"]["client_secret"].as_str().unwrap();
    assert!(env.emu.check_credentials(id, secret).is_ok());
    let mut c = env.cmd(&["token", "--vault-secret", "secret/tfguard/reporting"]);
    c.env("VAULT_NAMESPACE", "team");
    let o = env.run_cmd(&mut c);
    assert_ok(&o, "token in a namespace");
    env.secrets.insert(secret.to_string());
    env.assert_no_leak();
}

#[test]
fn vault_over_tls_with_vault_cacert() {
    let mut env = Env::new();
    let certs = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let addr = format!("https://127.0.0.1:{port}");
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _bao = KillOnDrop(
        std::process::Command::new("bao")
            .args([
                "server",
                "-dev",
                "-dev-tls",
                &format!("-dev-tls-cert-dir={}", certs.path().display()),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
                "-dev-root-token-id=tls-root",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("bao"),
    );
    let ca = certs.path().join("vault-ca.pem");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !(ca.exists() && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()) {
        assert!(
            std::time::Instant::now() < deadline,
            "TLS OpenBao did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let tls = |c: &mut std::process::Command| {
        c.env("VAULT_ADDR", &addr).env("VAULT_TOKEN", "tls-root");
    };
    // Without the CA: refused by rustls, nothing half-done reported as success.
    let mut c = env.cmd(&["token", "--vault-secret", "secret/tfguard/reporting"]);
    tls(&mut c);
    let o = env.run_cmd(&mut c);
    assert_code(&o, 2, "TLS without VAULT_CACERT");
    let (_, err) = common::text(&o);
    assert!(
        err.contains("UnknownIssuer") || err.contains("certificate"),
        "{err}"
    );
    // With VAULT_CACERT: apply and token work over https.
    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    tls(&mut c);
    c.env("VAULT_CACERT", &ca);
    let o = env.run_cmd(&mut c);
    assert_ok(&o, "apply over TLS");
    let mut c = env.cmd(&["token", "--vault-secret", "secret/tfguard/reporting"]);
    tls(&mut c);
    c.env("VAULT_CACERT", &ca);
    let o = env.run_cmd(&mut c);
    assert_ok(&o, "token over TLS");
    assert_eq!(env.emu.clients().len(), 1);
    env.assert_no_leak();
}

/// The `Verified:` line counts the findings left in the written state (below the error level
/// or suppressed), and names each: rule, place and resource.
#[test]
fn apply_summary_names_each_finding() {
    let mut env = Env::new();
    // A URL with a password in the description: TFG003, made a warning so the gate lets it
    // through; the description is recorded in tfguard.tfstate, where the check finds it again.
    let main = env.path().join("main.tf");
    let src = std::fs::read_to_string(&main).expect("main.tf");
    let edited = src.replace(
        "\"Nightly reporting export; secret lives only in Vault\"",
        "\"Runbook: https://ops:Kq7-runbook-pw@wiki.example.com/reporting\"",
    );
    assert_ne!(edited, src, "the example's description moved");
    std::fs::write(&main, edited).expect("write main.tf");
    common::write(
        env.path(),
        ".tfguard.hcl",
        "severity = { TFG003 = \"warning\" }\n",
    );
    let o = env.apply();
    let (out, _) = common::text(&o);
    let verified = out
        .lines()
        .position(|l| l.starts_with("Verified:"))
        .unwrap_or_else(|| panic!("no Verified line:\n{out}"));
    let lines: Vec<&str> = out.lines().skip(verified).collect();
    assert!(
        lines[0].ends_with("1 finding(s)):"),
        "the count and a colon before the list: {}",
        lines[0]
    );
    let f = lines.get(1).copied().unwrap_or_default();
    assert!(
        f.starts_with(
            "  warning[TFG003] ./tfguard.tfstate, resource genesyscloud_oauth_client.reporting: "
        ) && f.contains("URL with an embedded password"),
        "the finding, named: {f:?}\n{out}"
    );
    // (The plan above shows the description as written, as Terraform's would.)
    assert!(
        !lines.iter().any(|l| l.contains("Kq7-runbook-pw")),
        "the finding never prints the value"
    );
    env.audit(&[VAULT_PATH]);
}
