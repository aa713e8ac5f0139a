//! "Did you mean" distances, bounded. Every suggestion accepts an edit distance of at most 4,
//! and the distance is at least the difference in length, so two names whose lengths differ
//! by more are not compared: Damerau–Levenshtein is quadratic, and fuzzing found a 23 KB plan
//! whose long scope strings took seconds (natively; past the sandbox's deadline in CI).

/// Longer than any scope, argument or enum value a suggestion could name.
const MAX_NAME: usize = 256;

/// The edit distance between `a` and `b` if it is at most `max`, else `None`.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    // Bytes first: a char is at most 4 bytes, so this gap alone rules most long inputs out
    // without counting their chars.
    let (la, lb) = (a.len(), b.len());
    // No name a suggestion offers is this long: two long inputs are not compared either.
    if la.min(lb) > MAX_NAME {
        return None;
    }
    if la.max(lb) > 4 * la.min(lb) + 4 * max {
        return None;
    }
    if a.chars().count().abs_diff(b.chars().count()) > max {
        return None;
    }
    Some(strsim::damerau_levenshtein(a, b)).filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_only() {
        assert_eq!(
            distance_within("users:readonly", "user:readonly", 4),
            Some(1)
        );
        assert_eq!(distance_within("role", "role_id", 4), Some(3));
        assert_eq!(distance_within("role", "role_id", 2), None);
        assert_eq!(distance_within("a", "abcdef", 4), None);
        assert_eq!(distance_within("éé", "ee", 2), Some(2));
        // A long input is ruled out by its length, whatever it holds.
        let long = "7".repeat(1 << 20);
        assert_eq!(distance_within(&long, "users:readonly", 4), None);
        assert_eq!(distance_within("users:readonly", &long, 4), None);
        assert_eq!(distance_within(&long, &long, 4), None);
    }
}
