//! Builds the policy guest (wasm32-wasip2, release, LTO) and hands its path to `src/lib.rs`.
//! The nested cargo uses its own target dir: sharing the outer one deadlocks on the build
//! lock (facts/wasm-runtime.md §5). Debug and release hosts share this one guest build.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    // The workspace root: this crate lives in `<root>/guest-wasm`.
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().map(PathBuf::from).unwrap_or(manifest);
    for p in [
        "guest/src",
        "guest/Cargo.toml",
        "wit",
        "policies",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    println!("cargo:rerun-if-env-changed=TFGUARD_GUEST_WASM");

    // A prebuilt guest (e.g. from a fuzzing or profiling build) can be supplied explicitly.
    if let Ok(p) = env::var("TFGUARD_GUEST_WASM") {
        println!("cargo:rustc-env=TFGUARD_GUEST_WASM={p}");
        // The hash must follow the file that include_bytes! embeds.
        println!("cargo:rerun-if-changed={p}");
        emit_guest_hash(std::path::Path::new(&p));
        return;
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR = <target>/<profile>/build/<pkg>/out → <target>/wasm-guest
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map(|t| t.join("wasm-guest"))
        .unwrap_or_else(|| root.join("target/wasm-guest"));

    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&root)
        .args([
            "build",
            "-p",
            "tfguard-guest",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--target-dir",
        ])
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort");
    if env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true") {
        cmd.arg("--offline");
    }
    for v in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_LLVM_COV",
        "LLVM_PROFILE_FILE",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(v);
    }
    let status = cmd.status().expect("failed to run cargo for the guest");
    if !status.success() {
        panic!(
            "building the policy guest failed ({status}); is the wasm32-wasip2 target installed? \
             `rustup target add wasm32-wasip2`"
        );
    }
    let wasm = target_dir.join("wasm32-wasip2/release/tfguard_guest.wasm");
    println!("cargo:rustc-env=TFGUARD_GUEST_WASM={}", wasm.display());
    emit_guest_hash(&wasm);
}

/// The guest's content hash, for the name of the precompiled `.cwasm` in the cache. Computed
/// here once instead of hashing the embedded 3 MB guest on every start (about 1 ms, a third of
/// `tfguard check`'s start-up). SipHash with fixed keys, twice with different prefixes: 128
/// bits against accidental collisions; its output may change between Rust releases, which
/// only means a cache miss after a rebuild.
fn emit_guest_hash(wasm: &std::path::Path) {
    use std::hash::{Hash, Hasher};
    let bytes =
        std::fs::read(wasm).unwrap_or_else(|e| panic!("reading the guest {}: {e}", wasm.display()));
    let mut hex = String::new();
    for prefix in [0u8, 1u8] {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        prefix.hash(&mut h);
        bytes.hash(&mut h);
        hex.push_str(&format!("{:016x}", h.finish()));
    }
    println!("cargo:rustc-env=TFGUARD_GUEST_HASH={hex}");
}
