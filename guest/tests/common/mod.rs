//! Shared by the guest's integration tests: where the repository is, and the built-in policy
//! packs as the host would pass them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tfguard_guest::types::PolicyPackSrc;

/// The repository root (the guest crate lives one level down).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file below `dir`, in a stable order.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `policies/default/*.toml`, the packs compiled into the host.
pub fn packs() -> Vec<PolicyPackSrc> {
    let mut files = Vec::new();
    walk(&repo().join("policies/default"), &mut files);
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| PolicyPackSrc {
            name: p.display().to_string(),
            contents: std::fs::read_to_string(&p).expect("policy pack"),
        })
        .collect()
}
