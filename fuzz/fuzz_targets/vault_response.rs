//! Vault KV v2 read responses as the client turns them into secrets.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tfguard::fuzzing::vault_response(data);
});
