//! Where each document must be checked, so the host can check a run in parallel instances
//! (issue 16): the files of one module directory are analysed together, and a module is
//! analysed with the modules it calls by a local path (a called module is not a root, and flows
//! cross the call). A state or plan stands alone. Each document is placed on its own, so the
//! host can place the halves of a run in two instances at once and join the placements.

use crate::engine::classify;
use crate::hcl::dir_of;
use crate::hcl::model::{dir_join, normalise_dir};
use crate::types::{DocKind, Document};

/// Where one document belongs (the WIT `placement`).
#[derive(Debug, PartialEq, Eq)]
pub struct Placement {
    /// A configuration document's module directory, normalised; `None` for a state or plan.
    pub module: Option<String>,
    /// A `.tf` or `.tf.json` file: a module directory of variable files alone (`-var-file`)
    /// applies to every module.
    pub tf: bool,
    /// The module directories its local `source`s name, normalised like `module`.
    pub calls: Vec<String>,
}

/// Module calls are found by a lexical scan for `source = "./..."` (or `"source": "../..."`),
/// not a parse: the scan sees every real call and may see more (a comment, a provisioner's
/// `source`), which only joins groups that could have stayed apart.
pub fn place(doc: &Document) -> Placement {
    let kind = classify(doc);
    if !matches!(kind, DocKind::Hcl | DocKind::Tfvars) {
        return Placement {
            module: None,
            tf: false,
            calls: Vec::new(),
        };
    }
    let module = normalise_dir(&dir_of(&doc.path));
    let tf = kind == DocKind::Hcl;
    let calls = if tf {
        local_sources(&doc.contents)
            .into_iter()
            .map(|src| dir_join(&module, src))
            .collect()
    } else {
        Vec::new()
    };
    Placement {
        module: Some(module),
        tf,
        calls,
    }
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

    /// A configuration file is placed in its module directory with the directories its local
    /// calls name, normalised alike; a state or plan nowhere (it stands alone).
    #[test]
    fn modules_name_their_local_calls_and_states_stand_alone() {
        let p = place(&doc(
            "live/a/main.tf",
            "module \"n\" {\n  source = \"../../modules/net\"\n}\n",
        ));
        assert_eq!(p.module.as_deref(), Some("live/a"));
        assert!(p.tf);
        assert_eq!(p.calls, ["modules/net"]);
        let p = place(&doc(
            "./live/b/main.tf.json",
            r#"{"module": {"m": {"source": "../../modules/db"}}}"#,
        ));
        assert_eq!(p.module.as_deref(), Some("live/b"));
        assert_eq!(p.calls, ["modules/db"]);
        let p = place(&doc(
            "other/main.tf",
            "module \"r\" {\n  source = \"hashicorp/x/aws\"\n}\n",
        ));
        assert!(p.calls.is_empty());
        let p = place(&doc("live/a/terraform.tfvars", "source = \"./x\"\n"));
        assert_eq!(p.module.as_deref(), Some("live/a"));
        assert!(!p.tf);
        assert!(p.calls.is_empty(), "variables call no module");
        for state in ["a.tfstate", "plan.json"] {
            let p = place(&doc(state, "{\"resource_changes\": []}"));
            assert_eq!(
                p,
                Placement {
                    module: None,
                    tf: false,
                    calls: Vec::new()
                }
            );
        }
    }

    #[test]
    fn sources_are_found_lexically() {
        let text = b"module \"a\" {\n  source= \"./a\"\n}\n# source = \"../b\"\nx = { source : \"../c\" }\nsource = \"git::x\"\nresource_source = 1\n";
        assert_eq!(local_sources(text), ["./a", "../b", "../c"]);
    }
}
