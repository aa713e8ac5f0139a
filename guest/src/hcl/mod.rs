//! Terraform HCL: files parsed with `hcl::edit` (which keeps byte spans), grouped into modules
//! (one directory = one module), with positions converted to line/column for findings.
//!
//! On top of the parsed files (owned by the HCL secret-flow work, issue 3):
//! - [`model`]: [`ModuleIndex`] — every block of a module by Terraform address, with spans
//!   ([`Item::attr`] gives an argument's expression and its `file:line:col` [`Loc`]).
//! - [`eval`]: [`Evaluator`] / [`resolve`] — static values ([`Resolved::Known`] JSON, or
//!   [`Resolved::Unknown`] with a reason for a "cannot verify" finding).
//! - [`flow`]: the secret-flow (taint) analysis across a module and its local child modules.

use std::sync::Arc;

use hcl::edit::structure::Body;

use crate::types::Span;
use tfguard_common::nesting;

pub mod eval;
pub mod flow;
mod functions;
pub mod json;
pub mod model;
pub mod refs;

pub mod tfjson;

pub use tfjson::{JsonHints, SourceMap, is_json_syntax, parse_json, parse_json_vars};

pub use eval::{Evaluator, Resolved, resolve};
pub use model::{Item, ItemKind, Loc, ModuleIndex, attr_loc, expr_loc, header_loc};

/// Byte offset → 1-based line and character column.
///
/// For a file in Terraform's JSON syntax, `src` is the native HCL text generated from it and
/// the index carries the [`SourceMap`] back to the JSON text: positions are then the JSON file's.
#[derive(Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    map: Option<Arc<SourceMap>>,
}

impl LineIndex {
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, map: None }
    }

    /// Positions of generated text, reported in the coordinates of the original `map.json`.
    pub fn mapped(src: &str, map: SourceMap) -> Self {
        LineIndex {
            map: Some(Arc::new(map)),
            ..LineIndex::new(src)
        }
    }

    /// Whether positions come from a source map (a `.tf.json` / `.tfvars.json` file).
    pub fn is_mapped(&self) -> bool {
        self.map.is_some()
    }

    pub fn position(&self, src: &str, offset: usize) -> (u32, u32) {
        match &self.map {
            Some(m) => {
                let json_offset = m.original(offset);
                m.lines.unmapped_position(&m.json, json_offset)
            }
            None => self.unmapped_position(src, offset),
        }
    }

    fn unmapped_position(&self, src: &str, offset: usize) -> (u32, u32) {
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let end = offset.min(src.len());
        let col = src.get(start..end).map(|s| s.chars().count()).unwrap_or(0);
        (line as u32 + 1, col as u32 + 1)
    }

    pub fn span(&self, src: &str, range: std::ops::Range<usize>) -> Span {
        let (line, column) = self.position(src, range.start);
        let (end_line, end_column) = self.position(src, range.end).max((line, column));
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

pub struct HclFile {
    pub path: String,
    pub src: String,
    pub body: Body,
    pub lines: LineIndex,
}

/// A `.tfvars` file (HCL attributes only), for variable resolution.
#[derive(Clone)]
pub struct TfvarsFile {
    pub path: String,
    pub src: String,
    pub body: Body,
    pub lines: LineIndex,
}

/// All `.tf` files of one directory.
pub struct Module {
    pub dir: String,
    pub files: Vec<HclFile>,
    pub tfvars: Vec<TfvarsFile>,
}

/// Parse error with its position.
pub struct HclError {
    pub message: String,
    pub span: Option<Span>,
}

pub fn parse(path: &str, bytes: &[u8]) -> Result<(String, Body, LineIndex), HclError> {
    let src = std::str::from_utf8(bytes)
        .map_err(|e| HclError {
            message: format!("not UTF-8 at byte {}", e.valid_up_to()),
            span: None,
        })?
        .to_string();
    let lines = LineIndex::new(&src);
    if let Some(r) = nesting::refuse(&src, nesting::MAX_NESTING) {
        let (at, message) = match r {
            nesting::Refusal::TooDeep { at } => (
                at,
                format!(
                    "nesting deeper than {} levels (tfguard refuses it: the HCL parser slows down exponentially on deep invalid input)",
                    nesting::MAX_NESTING
                ),
            ),
            nesting::Refusal::Unclosed { at, count } => (
                at,
                format!(
                    "HCL syntax error: {count} brackets are never closed, the outermost opens here (tfguard refuses it unparsed: the HCL parser slows down exponentially on it)"
                ),
            ),
        };
        let (line, column) = lines.position(&src, at);
        return Err(HclError {
            message,
            span: Some(Span {
                line,
                column,
                end_line: line,
                end_column: column + 1,
            }),
        });
    }
    match hcl::edit::parser::parse_body(&src) {
        Ok(body) => Ok((src, body, lines)),
        Err(e) => {
            let loc = e.location();
            let (line, column) = (loc.line() as u32, loc.column() as u32);
            let message = e.message().to_string();
            let _ = path;
            Err(HclError {
                message: format!("HCL syntax error: {message}"),
                span: Some(Span {
                    line,
                    column,
                    end_line: line,
                    end_column: column + 1,
                }),
            })
        }
    }
}

/// Directory part of a path (`a/b/main.tf` → `a/b`, `main.tf` → `.`).
pub fn dir_of(path: &str) -> String {
    match path.rfind(['/', '\\']) {
        Some(i) if i > 0 => path[..i].to_string(),
        Some(_) => "/".to_string(),
        None => ".".to_string(),
    }
}

/// A module from in-memory files (`.tfvars` names become tfvars), for tests in any rule.
#[cfg(test)]
pub fn test_module(dir: &str, files: &[(&str, &str)]) -> Module {
    let mut m = Module {
        dir: dir.to_string(),
        files: Vec::new(),
        tfvars: Vec::new(),
    };
    for (name, text) in files {
        let path = format!("{dir}/{name}");
        let parsed = if is_json_syntax(name) {
            parse_json(&path, text.as_bytes(), &JsonHints::default())
        } else {
            parse(&path, text.as_bytes())
        };
        let (src, body, lines) = match parsed {
            Ok(p) => p,
            Err(e) => panic!("{path}: {}", e.message),
        };
        if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
            m.tfvars.push(TfvarsFile {
                path,
                src,
                body,
                lines,
            });
        } else {
            m.files.push(HclFile {
                path,
                src,
                body,
                lines,
            });
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let src = "ab\nçd = 1\n";
        let li = LineIndex::new(src);
        assert_eq!(li.position(src, 0), (1, 1));
        let off = src.find('d').unwrap();
        assert_eq!(li.position(src, off), (2, 2));
    }

    #[test]
    fn syntax_error_has_location() {
        let e = parse("x.tf", b"resource \"a\" \"b\" {\n  x = \n}\n")
            .err()
            .unwrap();
        let s = e.span.unwrap();
        assert!(s.line >= 2, "{}", s.line);
        assert!(e.message.contains("HCL"));
    }

    #[test]
    fn dirs() {
        assert_eq!(dir_of("a/b/main.tf"), "a/b");
        assert_eq!(dir_of("main.tf"), ".");
    }
}
