//! Which documents must be checked in the same call, so the host can check the others in
//! parallel instances (issue 16): the files of one module directory are analysed together,
//! and a module is analysed with the modules it calls by a local path (a called module is not a
//! root, and flows cross the call). A state or plan stands alone.

use std::collections::HashMap;

use crate::engine::classify;
use crate::hcl::dir_of;
use crate::hcl::model::{dir_join, normalise_dir};
use crate::types::{DocKind, Document};

/// A group number per document: documents of one group must be checked in one call, groups
/// may be checked apart. `None` when everything must be checked together: variable files from
/// a directory without `.tf` files (`-var-file`) apply to every module.
///
/// Module calls are found by a lexical scan for `source = "./..."` (or `"source": "../..."`),
/// not a parse: the scan sees every real call and may see more (a comment, a provisioner's
/// `source`), which only joins groups that could have stayed apart.
pub fn partition(docs: &[Document]) -> Option<Vec<u32>> {
    let config = |k: DocKind| matches!(k, DocKind::Hcl | DocKind::Tfvars);
    // Each configuration file's module directory, numbered once: directory names share long
    // prefixes, and comparing them in a sorted map (a byte loop in WASM) was most of this
    // function on 2,000 files.
    let mut dirs: HashMap<String, (usize, bool)> = HashMap::new();
    let mut dir_of_doc: Vec<Option<usize>> = Vec::with_capacity(docs.len());
    let mut hcl: Vec<bool> = Vec::with_capacity(docs.len());
    for d in docs {
        let k = classify(d);
        hcl.push(k == DocKind::Hcl);
        if !config(k) {
            dir_of_doc.push(None);
            continue;
        }
        let next = dirs.len();
        let entry = dirs
            .entry(normalise_dir(&dir_of(&d.path)))
            .or_insert((next, false));
        entry.1 |= k == DocKind::Hcl;
        dir_of_doc.push(Some(entry.0));
    }
    if dirs.values().any(|(_, tf)| !tf) {
        return None;
    }
    let mut names: Vec<&str> = vec![""; dirs.len()];
    for (name, (i, _)) in &dirs {
        names[*i] = name;
    }
    // Union-find over module directories.
    let mut parent: Vec<usize> = (0..dirs.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, d) in docs.iter().enumerate() {
        let (true, Some(a)) = (hcl[i], dir_of_doc[i]) else {
            continue;
        };
        for src in local_sources(&d.contents) {
            // A call into a directory that is not being checked joins nothing.
            if let Some(&(b, _)) = dirs.get(&dir_join(names[a], src)) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
    }
    // Groups numbered in order of first appearance; each state or plan its own.
    let mut number: HashMap<usize, u32> = HashMap::new();
    let mut next = 0u32;
    let mut out = Vec::with_capacity(docs.len());
    for dir in &dir_of_doc {
        let g = match dir.map(|i| root(&mut parent, i)) {
            Some(r) => *number.entry(r).or_insert_with(|| {
                next += 1;
                next - 1
            }),
            None => {
                next += 1;
                next - 1
            }
        };
        out.push(g);
    }
    Some(out)
}

/// Every local path that follows a `source` key (`source = "./x"`, `"source": "../x"`).
fn local_sources(bytes: &[u8]) -> Vec<&str> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"source") {
        let mut i = at + b"source".len();
        let skip_ws = |i: &mut usize| {
            while bytes.get(*i).is_some_and(|b| b.is_ascii_whitespace()) {
                *i += 1;
            }
        };
        if bytes.get(i) == Some(&b'"') {
            i += 1;
        }
        skip_ws(&mut i);
        if !matches!(bytes.get(i), Some(b'=' | b':')) {
            continue;
        }
        i += 1;
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'"') {
            continue;
        }
        let start = i + 1;
        let Some(len) = memchr::memchr2(b'"', b'\n', &bytes[start..]) else {
            continue;
        };
        let Ok(s) = std::str::from_utf8(&bytes[start..start + len]) else {
            continue;
        };
        if s.starts_with("./") || s.starts_with("../") {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> Document {
        Document {
            path: path.into(),
            kind: DocKind::Detect,
            contents: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn modules_join_their_local_calls_and_states_stand_alone() {
        let docs = [
            doc(
                "live/a/main.tf",
                "module \"n\" {\n  source = \"../../modules/net\"\n}\n",
            ),
            doc("live/a/vars.tf", "variable \"x\" {}\n"),
            doc(
                "live/b/main.tf.json",
                r#"{"module": {"m": {"source": "../../modules/db"}}}"#,
            ),
            doc("modules/net/main.tf", "resource \"x\" \"y\" {}\n"),
            doc("modules/db/main.tf", "resource \"x\" \"y\" {}\n"),
            doc(
                "other/main.tf",
                "module \"r\" {\n  source = \"hashicorp/x/aws\"\n}\n",
            ),
            doc("a.tfstate", "{}"),
            doc("b.tfstate", "{}"),
            doc("live/a/terraform.tfvars", "x = 1\n"),
        ];
        let g = partition(&docs).expect("shardable");
        assert_eq!(g[0], g[1]);
        assert_eq!(g[0], g[3]);
        assert_eq!(g[0], g[8]);
        assert_eq!(g[2], g[4]);
        assert_ne!(g[0], g[2]);
        assert_ne!(g[5], g[0]);
        assert_ne!(g[5], g[2]);
        assert_ne!(g[6], g[7]);
        assert!(![g[0], g[2], g[5]].contains(&g[6]));
    }

    /// A variable file with no `.tf` beside it (`-var-file`) applies to every module.
    #[test]
    fn var_files_apply_everywhere() {
        let docs = [
            doc("a/main.tf", "variable \"x\" {}\n"),
            doc("vars/prod.tfvars", "x = 1\n"),
        ];
        assert_eq!(partition(&docs), None);
    }

    #[test]
    fn sources_are_found_lexically() {
        let text = b"module \"a\" {\n  source= \"./a\"\n}\n# source = \"../b\"\nx = { source : \"../c\" }\nsource = \"git::x\"\nresource_source = 1\n";
        assert_eq!(local_sources(text), ["./a", "../b", "../c"]);
    }
}
