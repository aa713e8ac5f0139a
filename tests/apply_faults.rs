//! Never lose, never leak: the provisioning flow under faults. 429 storms and 5xx from the
//! Genesys emulator, a connection dropped after a create, Vault down during the store, a
//! `kill -9` between create and store, a concurrent apply, and the errors users hit (Vault 403,
//! Genesys 401/403). Every scenario ends with the leak audit, and each recovery ends with
//! exactly one client whose Vault secret gets a token.

mod apply_support;
mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use apply_support::{Env, VAULT_PATH, assert_code, assert_ok};
use genesys_emulator::Fault;

fn one_client(env: &Env) -> String {
    let clients = env.emu.clients();
    assert_eq!(clients.len(), 1, "exactly one client, never a duplicate");
    clients[0].id.clone()
}

#[test]
fn rate_limit_storms_and_5xx_are_retried() {
    let mut env = Env::new();
    env.emu.inject(Fault::token_rate_limit(2));
    env.emu.inject(Fault::too_many_requests(4, 1));
    env.emu.inject(Fault::server_error(2, 503));
    env.emu
        .inject(Fault::server_error(1, 502).on("POST", "/api/v2/oauth/clients"));
    let t = Instant::now();
    env.apply();
    let took = t.elapsed();
    assert!(env.emu.pending_faults().is_empty(), "every fault was hit");
    let log = env.emu.requests();
    assert_eq!(log.iter().filter(|r| r.status == 429).count(), 4, "{log:?}");
    assert!(log.iter().any(|r| r.status == 503), "{log:?}");
    // Retry-After: 1 was honoured four times (not hammered), within bounds.
    assert!(took >= Duration::from_secs(4), "{took:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    one_client(&env);

    // `token` under a storm on the token endpoint: 429 + Retry-After, then the 400 rate limit.
    env.emu
        .inject(Fault::too_many_requests(2, 1).on("POST", "/oauth/token"));
    env.emu.inject(Fault::token_rate_limit(1));
    let o = env.run(&[
        "token",
        "--vault-secret",
        "secret/tfguard/reporting",
        "--json",
    ]);
    assert_ok(&o, "token under 429");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("token JSON");
    assert_eq!(v["token_type"], "bearer");
    assert!(v["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    env.audit(&[VAULT_PATH]);
}

#[test]
fn retry_after_beyond_bound_fails_fast_and_creates_nothing() {
    let mut env = Env::new();
    env.emu.inject(Fault::too_many_requests(1, 600));
    let t = Instant::now();
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 2, "apply under Retry-After 600");
    assert!(t.elapsed() < Duration::from_secs(30), "did not sleep 600 s");
    let (_, err) = common::text(&o);
    assert!(err.contains("Retry-After") && err.contains("180"), "{err}");
    assert!(env.emu.clients().is_empty());
    // The create certainly failed (429): no intent is left behind, the next run just creates.
    env.apply();
    one_client(&env);
    env.audit(&[VAULT_PATH]);
}

#[test]
fn dropped_connection_after_create_adopts_the_client() {
    let mut env = Env::new();
    env.emu.inject(Fault::drop_after_create(1));
    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains("looking for the client by name"), "{out}");
    let id = one_client(&env);
    let (vid, _) = env.vault_creds(VAULT_PATH).expect("stored");
    assert_eq!(vid, id);
    env.audit(&[VAULT_PATH]);
}

/// Adoption lists clients by name; a listing of several pages must be followed to the end.
/// With one client per page, "Reporting service" sorts after the seeded admin client, on
/// page 2.
#[test]
fn adoption_follows_the_listing_to_later_pages() {
    let mut env = Env::new();
    env.emu.set_default_page_size(Some(1));
    env.emu.inject(Fault::drop_after_create(1));
    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains("looking for the client by name"), "{out}");
    let log = env.emu.requests();
    assert!(
        log.iter().any(|r| r.method == "GET"
            && r.path == "/api/v2/oauth/clients"
            && r.query
                .as_deref()
                .is_some_and(|q| q.contains("pageNumber=2"))
            && r.status == 200),
        "the second page was read: {log:?}"
    );
    let id = one_client_named(&env, "Reporting service");
    let (vid, _) = env.vault_creds(VAULT_PATH).expect("stored");
    assert_eq!(vid, id);
    env.audit(&[VAULT_PATH]);
}

fn one_client_named(env: &Env, name: &str) -> String {
    let found: Vec<_> = env
        .emu
        .clients()
        .into_iter()
        .filter(|c| c.name == name)
        .collect();
    assert_eq!(found.len(), 1, "exactly one {name:?}, never a duplicate");
    found[0].id.clone()
}

#[test]
fn vault_down_during_store_loses_nothing() {
    let mut env = Env::new();
    env.bao = None; // OpenBao stopped: the create succeeds, the store cannot.
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 2, "apply with Vault down");
    let (_, err) = common::text(&o);
    assert!(err.contains("could not be stored in Vault"), "{err}");
    assert!(err.contains("Run `tfguard apply` again"), "{err}");
    let id = one_client(&env);
    // The intent is on disk: tainted instance with the client id.
    let st = env.state();
    let inst = &st["resources"][0]["instances"][0];
    assert_eq!(inst["status"], "tainted");
    assert_eq!(inst["attributes"]["id"], id.as_str());
    env.assert_no_leak();

    env.bao = Some(common::Bao::start());
    let o = env.run(&["plan", "."]);
    let (out, _) = common::text(&o);
    assert!(out.contains("will be recovered"), "{out}");
    let o = env.apply();
    let (out, _) = common::text(&o);
    assert!(out.contains(&format!("Recovering client {id}")), "{out}");
    assert_eq!(one_client(&env), id, "the same client, never a duplicate");
    assert!(
        env.state()["resources"][0]["instances"][0]
            .get("status")
            .is_none()
    );
    env.audit(&[VAULT_PATH]);
}

#[test]
fn kill_9_between_create_and_store_then_recover() {
    let mut env = Env::new();
    let side = tempfile::tempdir().unwrap();
    let pause = side.path().join("paused");
    let out_path = side.path().join("stdout");
    let err_path = side.path().join("stderr");
    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    c.env("TFGUARD_TEST_PAUSE_AFTER_CREATE", &pause)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = c.spawn().expect("spawn apply");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !pause.exists() {
        assert!(Instant::now() < deadline, "apply never reached the pause");
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply exited before the pause"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The client exists and its secret is only in the paused process's memory.
    one_client(&env);
    env.remember_secrets();

    // Two applies at once on one state are refused by the lock.
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 2, "concurrent apply");
    let (_, err) = common::text(&o);
    assert!(err.contains("locked by another tfguard run"), "{err}");

    child.kill().expect("kill -9"); // SIGKILL on Unix
    child.wait().unwrap();
    env.outputs.push((
        std::fs::read_to_string(&out_path).unwrap(),
        std::fs::read_to_string(&err_path).unwrap(),
    ));
    // The intent was recorded before the create; the id never was.
    let inst = &env.state()["resources"][0]["instances"][0];
    assert_eq!(inst["status"], "tainted");
    assert_eq!(inst["attributes"]["id"], "");
    assert!(env.vault_creds(VAULT_PATH).is_none());

    let o = env.run(&["plan", "."]);
    let (out, _) = common::text(&o);
    assert!(out.contains("interrupted create"), "{out}");
    env.apply();
    let id = one_client(&env);
    let (vid, _) = env.vault_creds(VAULT_PATH).expect("stored after recovery");
    assert_eq!(vid, id);
    env.audit(&[VAULT_PATH]);
}

#[test]
fn destroy_after_kill_9_removes_the_orphan() {
    let mut env = Env::new();
    let side = tempfile::tempdir().unwrap();
    let pause = side.path().join("paused");
    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    c.env("TFGUARD_TEST_PAUSE_AFTER_CREATE", &pause)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().expect("spawn apply");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !pause.exists() {
        assert!(Instant::now() < deadline, "apply never reached the pause");
        std::thread::sleep(Duration::from_millis(50));
    }
    env.remember_secrets();
    child.kill().expect("kill -9");
    child.wait().unwrap();
    one_client(&env);
    let o = env.run(&["destroy", "--auto-approve", "."]);
    assert_ok(&o, "destroy");
    assert!(
        env.emu.clients().is_empty(),
        "the orphan was found by name and deleted"
    );
    env.assert_no_leak();
}

#[test]
fn vault_403_names_path_capabilities_and_policy() {
    let mut env = Env::new();
    let policy = "path \"secret/data/*\" { capabilities = [\"read\"] }\npath \"secret/metadata/*\" { capabilities = [\"read\"] }\n";
    let pfile = env
        .path()
        .join("..")
        .join(format!("ro-{}.hcl", std::process::id()));
    std::fs::write(&pfile, policy).unwrap();
    let o = env
        .bao()
        .cli(&["policy", "write", "readonly", pfile.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_file(&pfile);
    let o = env
        .bao()
        .cli(&["token", "create", "-policy=readonly", "-field=token"]);
    assert!(o.status.success());
    let ro = String::from_utf8_lossy(&o.stdout).trim().to_string();

    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    c.env("VAULT_TOKEN", &ro);
    let o = env.run_cmd(&mut c);
    assert_code(&o, 2, "apply with a read-only token");
    let (_, err) = common::text(&o);
    assert!(err.contains("secret/data/tfguard/reporting"), "{err}");
    assert!(
        err.contains("missing capabilities: create, update"),
        "{err}"
    );
    assert!(
        err.contains(
            "path \"secret/data/tfguard/reporting\" {\n  capabilities = [\"create\", \"update\"]\n}"
        ),
        "{err}"
    );
    // Recovered with a token that may write.
    env.apply();
    one_client(&env);
    env.audit(&[VAULT_PATH]);
}

#[test]
fn genesys_401_and_403_name_env_vars_region_and_permissions() {
    let mut env = Env::new();
    let wrong = "wrong-admin-secret-0123456789abcdef";
    env.secrets.insert(wrong.into());
    let mut c = env.cmd(&["apply", "--auto-approve", "."]);
    c.env("GENESYSCLOUD_OAUTHCLIENT_SECRET", wrong);
    let o = env.run_cmd(&mut c);
    assert_code(&o, 2, "apply with a wrong admin secret");
    let (_, err) = common::text(&o);
    for needle in [
        "GENESYSCLOUD_OAUTHCLIENT_ID",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET",
        "us-east-1",
        "401",
        "oauth:client:add|edit|view|delete",
    ] {
        assert!(err.contains(needle), "missing {needle}: {err}");
    }

    env.emu.set_admin_permissions(&["oauth:client:view"]);
    let o = env.run(&["apply", "--auto-approve", "."]);
    assert_code(&o, 2, "apply without oauth:client:add");
    let (_, err) = common::text(&o);
    for needle in [
        "403",
        "oauth:client:add|edit|view|delete",
        "oauth:client:add",
        "GENESYSCLOUD_OAUTHCLIENT_ID",
        "region `us-east-1`",
        "genesyscloud_oauth_client.reporting",
    ] {
        assert!(err.contains(needle), "missing {needle}: {err}");
    }
    assert!(env.emu.clients().is_empty());
    let o = env.run(&["plan", "."]);
    assert_ok(&o, "plan (view only) still works");
    env.assert_no_leak();
}
