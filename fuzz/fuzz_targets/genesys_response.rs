//! Genesys Cloud API responses as the client parses them: clients, secrets, listings, error
//! bodies and Retry-After, for any status.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]), rest),
        _ => (200, data),
    };
    tfguard::fuzzing::genesys_response(status, rest);
});
