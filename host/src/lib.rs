//! The tfguard host: everything that touches the world (files, config discovery, terminal,
//! Vault, the Genesys Cloud API). Terraform itself is understood only by the guest.

pub mod cli;
pub mod commands;
pub mod config;
pub mod discover;
pub mod error;
pub mod genesys;
pub mod output;
pub mod packs;
pub mod provision;
pub mod runtime;
pub mod secret;
pub mod vault;
