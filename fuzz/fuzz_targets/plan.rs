//! plan JSON (and UTF-16/BOM transcoding) and the plan rules: any bytes end in findings or a document error, never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tfguard_guest::types::{DocKind, Document};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let docs = [Document::new("plan.json", DocKind::Plan, data)];
    let _ = common::check_default(&docs);
});
