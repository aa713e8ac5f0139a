//! `.tfguard.hcl`: the config file and its rule blocks; errors carry a location, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        tfguard::fuzzing::config(src);
    }
});
