//! What the guest (which understands Terraform) and the host (which reads `.tfguard.hcl`) must
//! agree on, kept once. Pure functions over bytes; no I/O.

pub mod nesting;
pub mod secret_forms;
