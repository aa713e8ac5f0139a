//! Terraform JSON syntax (`.tf.json`): the positioned JSON parser, the transpiler to native
//! HCL with its source map, then every HCL rule, as for `main.tf`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tfguard_guest::types::{DocKind, Document};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let docs = [Document::new("main.tf.json", DocKind::Hcl, data)];
    let _ = common::check_default(&docs);
});
