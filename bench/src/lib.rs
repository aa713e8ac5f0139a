//! Deterministic inputs for tfguard's benchmark (`bench/run`): a 200-file HCL repository,
//! Terraform states of any size and a plan JSON, each with planted secrets whose addresses the
//! benchmark expects to see reported.

pub mod attrs;
pub mod plan;
pub mod repo;
pub mod state;

/// Every planted secret value contains this marker, so the benchmark can prove that no
/// secret reaches tfguard's output.
pub const SECRET_MARKER: &str = "BENCHSECRET";

/// SplitMix64 (Steele, Lea & Flood 2014). Hand-rolled on purpose: the inputs must be
/// byte-identical for a seed across crate upgrades, which `rand`'s generators do not promise,
/// and eight lines do not justify a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for test data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(n);
        s
    }

    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..]
        )
    }

    pub fn secret(&mut self) -> String {
        format!("{SECRET_MARKER}-{}", self.hex(24))
    }
}

/// One secret the generator planted, as the benchmark expects tfguard to report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    pub address: String,
    pub attribute: String,
}

/// Indent every line after the first of a pretty-printed JSON value, so a value rendered on
/// its own nests inside the document being streamed.
pub fn indent_json(pretty: &str, by: usize) -> String {
    let pad = format!("\n{}", " ".repeat(by));
    pretty.replace('\n', &pad)
}

/// A pretty-printed object with its members in the order given (each value already pretty):
/// Terraform writes a state's records in its structs' field order, not sorted, and
/// `serde_json::Map` would sort them.
pub fn pretty_object(members: &[(&str, String)]) -> String {
    if members.is_empty() {
        return "{}".into();
    }
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("  {}: {}", serde_json::Value::from(*k), indent_json(v, 2)))
        .collect();
    format!("{{\n{}\n}}", body.join(",\n"))
}

/// A pretty-printed array of already pretty values.
pub fn pretty_array(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let body: Vec<String> = items
        .iter()
        .map(|v| format!("  {}", indent_json(v, 2)))
        .collect();
    format!("[\n{}\n]", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_printing_is_serdes_pretty_printing() {
        let v = serde_json::json!({"a": [1, {"b": []}], "c": {}});
        let want = serde_json::to_string_pretty(&v).unwrap();
        let got = pretty_object(&[
            ("a", serde_json::to_string_pretty(&v["a"]).unwrap()),
            ("c", serde_json::to_string_pretty(&v["c"]).unwrap()),
        ]);
        assert_eq!(got, want);
        assert_eq!(pretty_array(&[]), "[]");
    }

    #[test]
    fn rng_is_deterministic_and_spreads() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        assert_ne!(Rng::new(8).next_u64(), a[0]);
    }

    #[test]
    fn indent_nests_lines() {
        assert_eq!(indent_json("{\n  \"a\": 1\n}", 2), "{\n    \"a\": 1\n  }");
    }
}
