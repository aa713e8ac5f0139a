//! The tfguard host: everything that touches the world (files, config discovery, terminal,
//! Vault, the Genesys Cloud API). Terraform itself is understood only by the guest.

pub mod atomic;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diff;
pub mod discover;
pub mod error;
pub mod genesys;
pub mod output;
pub mod packs;
pub mod provision;
pub mod runtime;
pub mod secret;
pub mod size;
pub mod tls;
pub mod vault;

/// Entry points for the fuzz targets in `fuzz/`: the host's parsers of untrusted text.
#[doc(hidden)]
pub mod fuzzing {
    pub fn config(src: &str) {
        let _ = crate::config::parse(src);
    }
    pub fn genesys_response(status: u16, body: &[u8]) {
        crate::genesys::fuzz_response(status, body);
    }
    pub fn vault_response(body: &[u8]) {
        crate::vault::fuzz_read_response(body);
    }
}
