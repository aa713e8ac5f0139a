//! Finding fingerprints: FNV-1a over the identifying parts (not the line number, so a finding
//! keeps its identity when code moves), each part ended by a NUL so `["ab", "c"]` and
//! `["a", "bc"]` differ. The guest fingerprints findings; the host's GitLab renderer makes the
//! ones a report needs beyond them (document errors, collisions) the same way.

/// Deterministic across runs and platforms: 16 lowercase hex digits.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_part_boundaries_count() {
        // FNV-1a of the empty input is its offset basis.
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
