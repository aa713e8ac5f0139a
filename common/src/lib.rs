//! What the guest (which understands Terraform) and the host (which reads the files) must
//! agree on, kept once: the nesting bound checked before HCL is parsed, what a file's head
//! says it is, the forms a secret takes, the order of findings and their fingerprints. Pure functions; no I/O.

pub mod content;
pub mod fingerprint;
pub mod nesting;
pub mod order;
pub mod secret_forms;
