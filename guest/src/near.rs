//! "Did you mean" distances, bounded. Every suggestion accepts an edit distance of at most 4,
//! and the distance is at least the difference in length, so two names whose lengths differ
//! by more are not compared: Damerau–Levenshtein is quadratic, and fuzzing found a 23 KB plan
//! whose long scope strings took seconds (natively; past the sandbox's deadline in CI).
//! Among names of similar length, a count of letters rules out almost every pair in linear
//! time (fuzzing found a 10 KB list of unknown scopes taking 0.25 s), so the quadratic
//! distance is paid only by names that share nearly all their letters.

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
    if letters_gap(a, b) > max {
        return None;
    }
    Some(strsim::damerau_levenshtein(a, b)).filter(|d| *d <= max)
}

/// A lower bound on the Damerau–Levenshtein distance: the letters of `a` that `b` lacks must
/// each be deleted or substituted, those of `b` that `a` lacks inserted or substituted, and a
/// transposition changes no count. Letters share buckets by their low bits; merging buckets
/// only lowers the bound, so it stays a bound.
fn letters_gap(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 128];
    for c in a.chars() {
        counts[c as usize & 127] += 1;
    }
    for c in b.chars() {
        counts[c as usize & 127] -= 1;
    }
    let (mut surplus, mut lack) = (0usize, 0usize);
    for n in counts {
        if n > 0 {
            surplus += n.unsigned_abs() as usize;
        } else {
            lack += n.unsigned_abs() as usize;
        }
    }
    surplus.max(lack)
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

    #[test]
    fn letters_gap_never_exceeds_the_distance() {
        // Every pair of short words over a small alphabet (so that many pairs are near),
        // with a non-ASCII letter sharing a bucket with an ASCII one ('\u{e1}' & 127 == 'a').
        let letters = ['a', 'b', 's', '\u{e1}', ':'];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = words
                .iter()
                .flat_map(|w| letters.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(next.into_iter().filter(|w| w.chars().count() <= 4));
            words.sort();
            words.dedup();
        }
        let mut ruled_out = 0;
        for a in &words {
            for b in &words {
                let d = strsim::damerau_levenshtein(a, b);
                let gap = letters_gap(a, b);
                assert!(gap <= d, "{a:?} {b:?}: gap {gap} > distance {d}");
                ruled_out += usize::from(gap > 1);
                // The filter changes no answer.
                assert_eq!(distance_within(a, b, 2), Some(d).filter(|d| *d <= 2));
            }
        }
        assert!(ruled_out > 0);
    }
}
