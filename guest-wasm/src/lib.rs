//! The policy guest, built by `build.rs` (nested cargo, wasm32-wasip2, release, LTO) and
//! embedded here so that the host only links bytes.

/// The guest component.
pub static GUEST_WASM: &[u8] = include_bytes!(env!("TFGUARD_GUEST_WASM"));

/// Content hash of [`GUEST_WASM`], computed once at build time: the name of the precompiled
/// `.cwasm` in the cache (hashing 3 MB at every start would be a third of the start-up).
pub const GUEST_HASH: &str = env!("TFGUARD_GUEST_HASH");
