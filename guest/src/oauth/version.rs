//! Terraform provider version constraints (`"1.35.0"`, `">= 1.6.0"`, `"~> 1.84"`, `">= 1.2, < 2"`),
//! reduced to what the schema checks need: the lowest release the constraint admits and
//! whether it pins one release. Terraform's grammar (`~>`, bare versions, comma lists) is not
//! semver's, and only the lower bound matters here, so this is a few lines rather than a crate.

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        // Drop pre-release/build suffixes: `1.2.3-beta` orders with 1.2.3 for our purpose.
        let core = s.split(['-', '+']).next()?;
        let mut it = core.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        let patch = it.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        if it.next().is_some() {
            return None;
        }
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub raw: String,
    /// Lowest release admitted (`None`: no lower bound, or unparseable).
    pub min: Option<Version>,
    /// The constraint admits exactly one release.
    pub exact: bool,
}

impl Constraint {
    pub fn parse(raw: &str) -> Constraint {
        let mut min: Option<Version> = None;
        let mut exact = false;
        for part in raw.split(',') {
            let p = part.trim();
            let (op, v) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
                .iter()
                .find_map(|op| p.strip_prefix(op).map(|rest| (*op, rest.trim())))
                .unwrap_or(("=", p));
            let Some(ver) = Version::parse(v) else {
                continue;
            };
            let lower = match op {
                "=" => {
                    exact = true;
                    Some(ver)
                }
                "~>" | ">=" => Some(ver),
                // `> 1.2.3` admits 1.2.4 first.
                ">" => Some(Version(ver.0, ver.1, ver.2 + 1)),
                _ => None,
            };
            if let Some(l) = lower {
                min = Some(match min {
                    Some(m) if m.cmp(&l) == Ordering::Greater => m,
                    _ => l,
                });
            }
        }
        Constraint {
            raw: raw.to_string(),
            min,
            exact,
        }
    }

    /// Does every release this constraint admits predate `since`? (`None` when unknown.)
    pub fn lacks(&self, since: Version) -> Option<bool> {
        self.min.map(|m| m < since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds() {
        let c = Constraint::parse("1.35.0");
        assert_eq!(c.min, Some(Version(1, 35, 0)));
        assert!(c.exact);
        let c = Constraint::parse(">= 1.6.0");
        assert_eq!(c.min, Some(Version(1, 6, 0)));
        assert!(!c.exact);
        assert_eq!(Constraint::parse("~> 1.84").min, Some(Version(1, 84, 0)));
        assert_eq!(
            Constraint::parse(">= 1.2, < 2.0.0").min,
            Some(Version(1, 2, 0))
        );
        assert_eq!(Constraint::parse("> 1.63.0").min, Some(Version(1, 63, 1)));
        assert_eq!(Constraint::parse("< 2").min, None);
        assert_eq!(Constraint::parse("garbage").min, None);
        assert_eq!(Version::parse("v1.68.5"), Some(Version(1, 68, 5)));
        assert_eq!(
            Constraint::parse("1.35.0").lacks(Version(1, 63, 0)),
            Some(true)
        );
        assert_eq!(
            Constraint::parse("~> 1.84").lacks(Version(1, 63, 0)),
            Some(false)
        );
    }
}
