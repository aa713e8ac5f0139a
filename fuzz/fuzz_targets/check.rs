//! The whole `check` entry point natively: several documents of every kind at once (a module
//! with its tfvars, a child module, a state, a plan, a detected JSON), and rule options JSON,
//! all cut from the input, so cross-document analysis and option handling are fuzzed together.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tfguard_guest::types::{DocKind, Document};

#[path = "common.rs"]
mod common;

const SLOTS: &[(&str, DocKind)] = &[
    ("main.tf", DocKind::Hcl),
    ("variables.tf", DocKind::Hcl),
    ("terraform.tfvars", DocKind::Tfvars),
    ("modules/child/main.tf", DocKind::Hcl),
    ("terraform.tfstate", DocKind::State),
    ("plan.json", DocKind::Plan),
    ("out.json", DocKind::Detect),
];

fuzz_target!(|data: &[u8]| {
    // Parts are separated by a NUL byte; the first part is the options JSON.
    let mut parts = data.split(|b| *b == 0);
    let options = parts
        .next()
        .and_then(|o| std::str::from_utf8(o).ok())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or("{}");
    let docs: Vec<Document> = parts
        .zip(SLOTS.iter())
        .map(|(bytes, (path, kind))| Document::new(*path, *kind, bytes))
        .collect();
    let settings = common::settings(options);
    common::with_prepared(&settings, |prep| {
        let _ = tfguard_guest::engine::check_prepared(&docs, &settings, prep);
        let _ = tfguard_guest::desired_clients_prepared(&docs, &settings, prep);
    });
});
