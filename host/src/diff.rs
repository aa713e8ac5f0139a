//! A unified diff of two texts (`diff -u` format, 3 lines of context), for `tfguard fix
//! --diff`. Lines are matched by a longest-common-subsequence over the part between the common
//! prefix and suffix, which for a fix is a few lines; a huge differing middle falls back to
//! one replacement hunk rather than quadratic work.

/// Cells of the LCS table beyond which the middle is shown as replaced wholesale.
const MAX_CELLS: usize = 4_000_000;
const CONTEXT: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Keep,
    Del,
    Add,
}

/// `old` and `new` split into lines that keep their `\n`.
fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

fn script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Op, &'a str)> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut out: Vec<(Op, &str)> = a[..pre].iter().map(|l| (Op::Keep, *l)).collect();
    if am.len().saturating_mul(bm.len()) > MAX_CELLS {
        out.extend(am.iter().map(|l| (Op::Del, *l)));
        out.extend(bm.iter().map(|l| (Op::Add, *l)));
    } else {
        // lcs[i][j]: LCS length of am[i..] and bm[j..].
        let (n, m) = (am.len(), bm.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if am[i] == bm[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                out.push((Op::Keep, am[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                // Removals before additions, as `diff -u` prints them.
                out.push((Op::Del, am[i]));
                i += 1;
            } else {
                out.push((Op::Add, bm[j]));
                j += 1;
            }
        }
    }
    out.extend(a[a.len() - suf..].iter().map(|l| (Op::Keep, *l)));
    out
}

/// The unified diff of `old` → `new` under the names `a/<path>` and `b/<path>`; empty when the
/// texts are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let (a, b) = (lines(old), lines(new));
    let ops = script(&a, &b);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    // Group changes into hunks with CONTEXT lines around each.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (op, _))| *op != Op::Keep)
        .map(|(i, _)| i)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 2 * CONTEXT {
            end = changed[k];
            k += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        // Line numbers (1-based) of the hunk's first line in each file.
        let old_before = ops[..start].iter().filter(|(o, _)| *o != Op::Add).count();
        let new_before = ops[..start].iter().filter(|(o, _)| *o != Op::Del).count();
        let old_len = ops[start..end]
            .iter()
            .filter(|(o, _)| *o != Op::Add)
            .count();
        let new_len = ops[start..end]
            .iter()
            .filter(|(o, _)| *o != Op::Del)
            .count();
        let pos = |before: usize, len: usize| if len == 0 { before } else { before + 1 };
        out.push_str(&format!(
            "@@ -{},{old_len} +{},{new_len} @@\n",
            pos(old_before, old_len),
            pos(new_before, new_len)
        ));
        for (op, line) in &ops[start..end] {
            out.push(match op {
                Op::Keep => ' ',
                Op::Del => '-',
                Op::Add => '+',
            });
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("f", "a\n", "a\n"), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified("x.tf", old, new),
            "--- a/x.tf\n+++ b/x.tf\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insertions_deletions_and_separate_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .filter(|i| *i != 2)
            .map(|i| {
                if i == 18 {
                    "18\nnew\n".to_string()
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        let d = unified("f", &old, &new);
        assert!(d.contains("@@ -1,5 +1,4 @@\n 1\n-2\n 3\n"), "{d}");
        assert!(
            d.contains("@@ -16,5 +15,6 @@\n 16\n 17\n 18\n+new\n 19\n 20\n"),
            "{d}"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = unified("f", "a\nb", "a\nc");
        assert!(
            d.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{d}"
        );
    }
}
