//! `tfguard rules` and `tfguard explain`.

use crate::error::{Error, Result};
use crate::runtime::{Limits, Runtime};

use crate::output::sev_str as sev;

pub fn list() -> Result<u8> {
    let rt = Runtime::new(Limits::default())?;
    let mut rules = rt.rules()?;
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    // Columns sized to the longest entry, so long family or rule names never shift a row.
    let fam = rules
        .iter()
        .map(|r| r.family.len())
        .max()
        .unwrap_or(0)
        .max(6);
    let name = rules.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    println!(
        "{:<6}  {:<8}  {:<fam$}  {:<name$}  TITLE",
        "ID", "SEVERITY", "FAMILY", "NAME"
    );
    for r in &rules {
        println!(
            "{:<6}  {:<8}  {:<fam$}  {:<name$}  {}",
            r.id,
            sev(r.default_severity),
            r.family,
            r.name,
            r.title
        );
    }
    println!(
        "\n{} rules. `tfguard explain <ID>` prints a rule's documentation; configure rules in .tfguard.hcl.",
        rules.len()
    );
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
