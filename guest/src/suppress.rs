//! Suppressions: `# tfguard:ignore[RULE] reason` comments in HCL and `ignore` entries in the
//! config. A suppressed finding is kept, marked with its reason, so reports can list it.

use crate::hcl::Module;
use crate::options::Options;
use crate::types::{Finding, Suppression};

pub fn apply(findings: &mut [Finding], _modules: &[Module], options: &Options) {
    for f in findings.iter_mut() {
        for entry in &options.ignore {
            if entry.rule != f.rule_id {
                continue;
            }
            let addr_ok = match (&entry.address, &f.address) {
                (Some(g), Some(a)) => glob(g, a),
                (Some(_), None) => false,
                (None, _) => true,
            };
            let path_ok = entry.path.as_ref().is_none_or(|g| glob(g, &f.path));
            if addr_ok && path_ok {
                f.suppressed = Some(Suppression {
                    reason: entry.reason.clone(),
                    origin: "config".into(),
                });
                break;
            }
        }
    }
}

/// `*` matches any run of characters; everything else is literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn glob_matches() {
        assert!(super::glob("module.legacy.*", "module.legacy.x.y[0]"));
        assert!(super::glob("*.tfstate", "a/b.tfstate"));
        assert!(!super::glob("a*c", "abd"));
        assert!(super::glob("a*b*c", "aXbYc"));
    }
}
