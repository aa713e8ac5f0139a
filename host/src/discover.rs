//! Finding the files to check. Directories are walked (skipping `.terraform/` and `.git/`,
//! never following symlinked directories); files are classified by name, and plan JSON by
//! content, since `terraform show -json` output has no fixed name.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::runtime::wit::{DocKind, Document};

const SKIP_DIRS: &[&str] = &[".terraform", ".git", "node_modules", ".terragrunt-cache"];

/// What a file name says about its kind; `None` = not ours (when walking a directory).
pub fn kind_by_name(path: &Path) -> Option<DocKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    // Terraform's JSON syntax is the same configuration (the guest reads it); variable files
    // are the ones Terraform loads by itself, in either syntax.
    if name.ends_with(".tf") || name.ends_with(".tf.json") {
        Some(DocKind::Hcl)
    } else if name == "terraform.tfvars"
        || name.ends_with(".auto.tfvars")
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars.json")
    {
        Some(DocKind::Tfvars)
    } else if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") {
        Some(DocKind::State)
    } else if name.ends_with(".tfvars.json") {
        // Another variable file (`-var-file`): read when named, not from a directory walk.
        None
    } else if name.ends_with(".json") {
        Some(DocKind::Detect)
    } else {
        None
    }
}

/// Plan or state JSON: checked on the first few KiB, so unrelated JSON files are skipped.
pub fn looks_like_terraform_json(head: &[u8]) -> bool {
    // UTF-16 with a BOM is what PowerShell's `>` writes; the guest transcodes it.
    let s = match head {
        [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => String::from_utf8_lossy(
            &rest
                .iter()
                .copied()
                .filter(|b| *b != 0)
                .collect::<Vec<u8>>(),
        )
        .into_owned(),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(head).into_owned(),
    };
    s.trim_start().starts_with('{')
        && [
            "\"format_version\"",
            "\"terraform_version\"",
            "\"encryption_version\"",
            "\"lineage\"",
        ]
        .iter()
        .any(|k| s.contains(k))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Collect documents from the command-line paths. `-` reads stdin (kind detected).
pub fn collect(paths: &[PathBuf], var_files: &[PathBuf]) -> Result<Vec<Document>> {
    let mut docs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Error::io("<stdin>", e))?;
            let trimmed = buf.iter().position(|b| !b.is_ascii_whitespace());
            let kind = match trimmed.map(|i| buf[i]) {
                Some(b'{') => DocKind::Detect,
                _ => DocKind::Hcl,
            };
            docs.push(Document {
                path: "<stdin>".into(),
                kind,
                contents: buf,
            });
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            walk(p, &mut docs)?;
        } else {
            let contents = read(p)?;
            let kind = kind_by_name(p).unwrap_or(DocKind::Detect);
            docs.push(Document {
                path: display(p),
                kind,
                contents,
            });
        }
    }
    for p in var_files {
        docs.push(Document {
            path: display(p),
            kind: DocKind::Tfvars,
            contents: read(p)?,
        });
    }
    Ok(docs)
}

fn walk(dir: &Path, docs: &mut Vec<Document>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
        let name = entry.file_name();
        if ft.is_dir() {
            if !SKIP_DIRS.iter().any(|s| name == *s) {
                walk(&path, docs)?;
            }
            continue;
        }
        // Symlinked files are read; symlinked directories are not followed (no loops).
        if ft.is_symlink() && path.is_dir() {
            continue;
        }
        let Some(kind) = kind_by_name(&path) else {
            continue;
        };
        let contents = read(&path)?;
        if kind == DocKind::Detect
            && !looks_like_terraform_json(&contents[..contents.len().min(4096)])
        {
            continue;
        }
        docs.push(Document {
            path: display(&path),
            kind,
            contents,
        });
    }
    Ok(())
}
