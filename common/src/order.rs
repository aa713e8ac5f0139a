//! The order of a report's findings (wit/tfguard.wit, `check`): by path, span start (line,
//! column), address, attribute and rule id, with no span, address or attribute first. The
//! guest sorts by it and the host merges parallel shards by it, so the two cannot drift.

/// What orders a finding: compared field by field, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingKey<'a> {
    pub path: &'a str,
    /// (line, column) of the span's start.
    pub at: Option<(u32, u32)>,
    pub address: Option<&'a str>,
    pub attribute: Option<&'a str>,
    pub rule_id: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_then_position_then_names_and_absent_first() {
        let k = |path, at, address, rule_id| FindingKey {
            path,
            at,
            address,
            attribute: None,
            rule_id,
        };
        let mut keys = [
            k("b.tf", Some((1, 1)), None, "TFG001"),
            k("a.tf", Some((2, 1)), None, "TFG001"),
            k("a.tf", Some((1, 5)), Some("x.y"), "TFG002"),
            k("a.tf", Some((1, 5)), None, "TFG003"),
            k("a.tf", None, Some("x.y"), "TFG001"),
            k("a.tf", Some((1, 5)), Some("x.y"), "TFG001"),
        ];
        keys.sort();
        let order: Vec<_> = keys.iter().map(|k| (k.path, k.at, k.rule_id)).collect();
        assert_eq!(
            order,
            [
                ("a.tf", None, "TFG001"),
                ("a.tf", Some((1, 5)), "TFG003"),
                ("a.tf", Some((1, 5)), "TFG001"),
                ("a.tf", Some((1, 5)), "TFG002"),
                ("a.tf", Some((2, 1)), "TFG001"),
                ("b.tf", Some((1, 1)), "TFG001"),
            ]
        );
    }
}
