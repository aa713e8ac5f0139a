//! state parsing (v1-v4, attributes_flat, encrypted) and the state rules: any bytes end in findings or a document error, never a panic or a hang; and the fast v4 reader reads every input exactly as the serde reader does (or leaves it to serde).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tfguard_guest::types::{DocKind, Document};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let docs = [Document::new("terraform.tfstate", DocKind::State, data)];
    let _ = common::check_default(&docs);
    if let Err(e) = tfguard_guest::state::readers_agree(data) {
        panic!("the state readers disagree:\n{e}");
    }
});
