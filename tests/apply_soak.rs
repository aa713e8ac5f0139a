//! Apply under a fault storm (issue 11): cycles of apply, rotate and `kill -9` at a random
//! moment, against the Genesys emulator and real OpenBao, each cycle with random faults (429
//! with Retry-After, 5xx, a connection dropped after a create, a rate-limited token endpoint,
//! slow responses, OpenBao killed and restarted between commands or while one runs: a server
//! with raft storage on disk, which keeps its data as a real one does). After every cycle:
//! exactly one Genesys client, the secret in Vault gets a token, and no secret in the state,
//! the working directory or any output.
//!
//! CI runs `TFGUARD_SOAK_CYCLES` cycles (default 30); the full soak is
//! `TFGUARD_SOAK_CYCLES=1000 cargo test --release --test apply_soak -- --nocapture`.
//! `TFGUARD_SOAK_SEED` replays a run (the seed is printed).

#[path = "apply_support/mod.rs"]
mod apply_support;
mod common;

use apply_support::*;
use genesys_emulator::Fault;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct Mix {
    applies: u32,
    rotates: u32,
    kills: u32,
    faults_429: u32,
    faults_5xx: u32,
    drops: u32,
    token_limits: u32,
    slow: u32,
    bao_restarts_between: u32,
    bao_restarts_during: u32,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn soak_apply_rotate_kill_under_random_faults() {
    let cycles = env_u64("TFGUARD_SOAK_CYCLES").unwrap_or(30);
    let seed = env_u64("TFGUARD_SOAK_SEED").unwrap_or_else(|| fastrand::u64(..));
    println!("soak: {cycles} cycles, seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut env = Env::with_bao(common::Bao::start_persistent());
    let mut mix = Mix::default();
    env.apply();
    let started = Instant::now();
    for cycle in 0..cycles {
        // A few random faults, each bounded so that the retries can get through.
        for _ in 0..rng.u32(0..3) {
            match rng.u8(0..6) {
                0 => {
                    env.emu
                        .inject(Fault::too_many_requests(rng.u32(1..3), rng.u64(0..2)));
                    mix.faults_429 += 1;
                }
                1 => {
                    let status = [500, 502, 503, 504][rng.usize(0..4)];
                    env.emu.inject(Fault::server_error(rng.u32(1..3), status));
                    mix.faults_5xx += 1;
                }
                2 => {
                    env.emu.inject(Fault::drop_after_create(1));
                    mix.drops += 1;
                }
                3 => {
                    env.emu.inject(Fault::token_rate_limit(1));
                    mix.token_limits += 1;
                }
                4 => {
                    env.emu.set_latency(Duration::from_millis(rng.u64(5..60)));
                    mix.slow += 1;
                }
                _ => {
                    env.bao.as_mut().expect("OpenBao").restart();
                    mix.bao_restarts_between += 1;
                }
            }
        }
        let args: &[&str] = if rng.bool() {
            mix.applies += 1;
            &["apply", "--auto-approve", "."]
        } else {
            mix.rotates += 1;
            &["rotate", "reporting", "."]
        };
        if rng.u8(0..10) == 0 {
            // OpenBao killed and restarted while the command runs; the command may fail (it
            // must fail cleanly), then the user runs it again.
            mix.bao_restarts_during += 1;
            let child = env
                .cmd(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            std::thread::sleep(Duration::from_millis(rng.u64(0..400)));
            env.bao.as_mut().expect("OpenBao").restart();
            let o = child.wait_with_output().expect("wait");
            env.record(&o);
        } else if rng.u8(0..4) == 0 {
            // kill -9 at a random moment, then the user runs the command again.
            mix.kills += 1;
            let mut c = env.cmd(args);
            let mut child = c
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            std::thread::sleep(Duration::from_millis(rng.u64(0..400)));
            let _ = child.kill();
            let _ = child.wait();
            env.remember_secrets();
        }
        let o = env.run(args);
        assert_ok(&o, &format!("cycle {cycle} ({}), seed {seed}", args[0]));
        env.emu.clear_faults();
        env.emu.set_latency(Duration::ZERO);
        // The invariants.
        let clients = env.emu.clients();
        assert_eq!(
            clients.len(),
            1,
            "cycle {cycle}, seed {seed}: exactly one Genesys client"
        );
        let (id, _) = env
            .vault_creds(VAULT_PATH)
            .unwrap_or_else(|| panic!("cycle {cycle}, seed {seed}: nothing in Vault"));
        assert_eq!(id, clients[0].id, "cycle {cycle}: Vault names the client");
        // Every tenth cycle the full audit (a token through `tfguard token`, the leak search
        // over every file and output so far); the others check the Vault secret directly.
        if cycle % 10 == 9 || cycle + 1 == cycles {
            env.audit(&[VAULT_PATH]);
        } else {
            let (id, secret) = env.vault_creds(VAULT_PATH).expect("creds");
            assert!(
                env.emu.check_credentials(&id, &secret).is_ok(),
                "cycle {cycle}, seed {seed}: the secret in Vault gets no token"
            );
        }
    }
    println!(
        "soak: {cycles} cycles in {:.1?}, seed {seed}, mix {mix:?}",
        started.elapsed()
    );
}
