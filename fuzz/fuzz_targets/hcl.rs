//! HCL parsing, suppression comments, the secret-flow analysis and every HCL rule: any bytes end in findings or a document error, never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tfguard_guest::types::{DocKind, Document};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let docs = [Document::new("main.tf", DocKind::Hcl, data)];
    let _ = common::check_default(&docs);
});
