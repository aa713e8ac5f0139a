//! `tfguard rules` and `tfguard explain`.

use crate::error::{Error, Result};
use crate::runtime::wit::Severity;
use crate::runtime::{Limits, Runtime};

fn sev(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn list() -> Result<u8> {
    let rt = Runtime::new(Limits::default())?;
    for r in rt.rules()? {
        println!(
            "{:<7} {:<8} {:<12} {:<40} {}",
            r.id,
            sev(r.default_severity),
            r.family,
            r.name,
            r.title
        );
    }
    Ok(0)
}

pub fn explain(id: &str) -> Result<u8> {
    let rt = Runtime::new(Limits::default())?;
    let rules = rt.rules()?;
    let wanted = id.to_ascii_uppercase();
    match rules.iter().find(|r| r.id == wanted || r.name == id) {
        Some(r) => {
            println!("{}", r.docs.trim_end());
            Ok(0)
        }
        None => Err(Error::Usage(format!(
            "unknown rule `{id}`; `tfguard rules` lists them"
        ))),
    }
}
