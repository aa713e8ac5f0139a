//! The labelled real-world corpus (tests/corpus/labels.toml): tfguard is run on real files from
//! public repositories, as a user would run it, and scored against labels written by reading the
//! files. Recall and precision are printed per family; each must reach the floor, and the corpus
//! must keep its size (files and repositories), so the score cannot be bought by shrinking it.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

const FLOOR: f64 = 0.95;
const MIN_FILES: usize = 60;
const MIN_REPOS: usize = 25;
const FAMILIES: [&str; 6] = [
    "secret",
    "redirect",
    "scope",
    "grant",
    "schema",
    "files-checked",
];

#[derive(Deserialize)]
struct Labels {
    units: Vec<String>,
    #[serde(default)]
    skipped: Vec<SkipLabel>,
    #[serde(default)]
    expect: Vec<Label>,
    #[serde(default)]
    must_not: Vec<Label>,
}

#[derive(Deserialize)]
struct SkipLabel {
    file: String,
    #[allow(dead_code)]
    why: String,
}

#[derive(Deserialize, Clone)]
struct Label {
    file: String,
    family: String,
    address: String,
    attribute: String,
    why: String,
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The family a rule reports in; `None` for rules outside the scored families (suppression
/// hygiene, encrypted state).
pub fn family(rule: &str) -> Option<&'static str> {
    let n: u32 = rule.strip_prefix("TFG")?.parse().ok()?;
    match n {
        1..=6 | 10..=14 | 42 | 43 => Some("secret"),
        20..=23 => Some("redirect"),
        30..=33 => Some("scope"),
        34 | 35 => Some("grant"),
        40 | 41 | 44 | 45 => Some("schema"),
        _ => None,
    }
}

type Key = (String, String, String, String);

fn matches(l: &Label, k: &Key) -> bool {
    l.file == k.0 && l.family == k.1 && glob(&l.address, &k.2) && glob(&l.attribute, &k.3)
}

#[derive(Default)]
struct Score {
    tp_findings: usize,
    findings: usize,
    found_labels: usize,
    labels: usize,
}

impl Score {
    fn recall(&self) -> Option<f64> {
        (self.labels > 0).then(|| self.found_labels as f64 / self.labels as f64)
    }
    fn precision(&self) -> Option<f64> {
        (self.findings > 0).then(|| self.tp_findings as f64 / self.findings as f64)
    }
}

fn corpus() -> PathBuf {
    root().join("tests/corpus")
}

/// `local_path` → repository, from SOURCES.tsv.
fn sources() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus().join("SOURCES.tsv")).expect("SOURCES.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut c = l.split('\t');
            Some((c.next()?.to_string(), c.next()?.to_string()))
        })
        .collect()
}

fn fmt(x: Option<f64>) -> String {
    x.map_or("  n/a".into(), |v| format!("{v:.3}"))
}

#[test]
fn real_world_corpus_meets_the_floors() {
    let labels: Labels = toml::from_str(
        &std::fs::read_to_string(corpus().join("labels.toml")).expect("labels.toml"),
    )
    .expect("labels.toml parses");
    let sources = sources();

    // The corpus: every attributed file under a unit.
    let files: BTreeSet<String> = sources
        .keys()
        .filter(|p| {
            labels
                .units
                .iter()
                .any(|u| *p == u || p.starts_with(&format!("{u}/")))
        })
        .cloned()
        .collect();
    let repos: BTreeSet<&String> = files.iter().filter_map(|f| sources.get(f)).collect();
    for u in &labels.units {
        assert!(corpus().join(u).exists(), "unit {u} is missing");
    }
    for l in labels.expect.iter().chain(&labels.must_not) {
        assert!(
            files.contains(&l.file),
            "label on a file outside the corpus: {}",
            l.file
        );
        assert!(
            FAMILIES.contains(&l.family.as_str()),
            "unknown family {}",
            l.family
        );
        assert!(
            !l.why.trim().is_empty(),
            "label without a reason: {}",
            l.file
        );
    }
    println!(
        "corpus: {} files from {} repositories",
        files.len(),
        repos.len()
    );
    assert!(
        files.len() >= MIN_FILES,
        "corpus has {} files, needs {MIN_FILES}",
        files.len()
    );
    assert!(
        repos.len() >= MIN_REPOS,
        "corpus has {} repositories, needs {MIN_REPOS}",
        repos.len()
    );

    let o = run(tfguard()
        .current_dir(corpus())
        .args(["check", "--format", "json"])
        .args(&labels.units));
    let (out, err) = text(&o);
    let report: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {err}"));

    // Findings, one key per (file, family, address, attribute); every severity is a claim.
    let mut keys: BTreeSet<Key> = BTreeSet::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        if !f["suppressed"].is_null() {
            continue;
        }
        let Some(fam) = family(f["rule_id"].as_str().unwrap_or("")) else {
            continue;
        };
        keys.insert((
            f["path"].as_str().unwrap_or("").to_string(),
            fam.to_string(),
            f["address"].as_str().unwrap_or("").to_string(),
            f["attribute"].as_str().unwrap_or("").to_string(),
        ));
    }

    let mut scores: BTreeMap<&str, Score> =
        FAMILIES.iter().map(|f| (*f, Score::default())).collect();
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for l in &labels.expect {
        let s = scores.get_mut(l.family.as_str()).expect("family");
        s.labels += 1;
        if keys.iter().any(|k| matches(l, k)) {
            s.found_labels += 1;
        } else {
            misses.push(format!(
                "{} {} {} {}  ({})",
                l.family, l.file, l.address, l.attribute, l.why
            ));
        }
    }
    for k in &keys {
        let s = scores.get_mut(k.1.as_str()).expect("family");
        s.findings += 1;
        if labels.expect.iter().any(|l| matches(l, k)) {
            s.tp_findings += 1;
        } else {
            let trap = labels.must_not.iter().find(|l| matches(l, k));
            false_alarms.push(format!(
                "{} {} {} {}{}",
                k.1,
                k.0,
                k.2,
                k.3,
                trap.map(|t| format!("  (must not: {})", t.why))
                    .unwrap_or_default()
            ));
        }
    }

    // Files checked: each corpus file is read, or named as not checked when it is not Terraform.
    let names = |field: &str| -> BTreeSet<String> {
        report[field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["path"].as_str().map(str::to_string))
            .collect()
    };
    let errored = names("errors");
    let checked: BTreeSet<String> = names("documents").difference(&errored).cloned().collect();
    let named_skipped = names("skipped");
    let skip_labels: BTreeSet<&str> = labels.skipped.iter().map(|s| s.file.as_str()).collect();
    let fc = scores.get_mut("files-checked").expect("family");
    for f in &files {
        fc.labels += 1;
        let ok = if skip_labels.contains(f.as_str()) {
            named_skipped.contains(f)
        } else {
            checked.contains(f)
        };
        if ok {
            fc.found_labels += 1;
        } else {
            misses.push(format!("files-checked {f}"));
        }
    }
    for f in &checked {
        fc.findings += 1;
        if files.contains(f) && !skip_labels.contains(f.as_str()) {
            fc.tp_findings += 1;
        } else {
            false_alarms.push(format!(
                "files-checked {f} (read, but labelled not Terraform)"
            ));
        }
    }

    println!(
        "{:<14} {:>7} {:>9} {:>7} {:>9}",
        "family", "recall", "precision", "labels", "findings"
    );
    for (fam, s) in &scores {
        println!(
            "{fam:<14} {:>7} {:>9} {:>7} {:>9}",
            fmt(s.recall()),
            fmt(s.precision()),
            s.labels,
            s.findings
        );
    }
    for m in &misses {
        println!("miss: {m}");
    }
    for f in &false_alarms {
        println!("false alarm: {f}");
    }
    let below: Vec<String> = scores
        .iter()
        .filter(|(_, s)| {
            s.recall().is_some_and(|r| r < FLOOR) || s.precision().is_some_and(|p| p < FLOOR)
        })
        .map(|(f, s)| {
            format!(
                "{f} (recall {}, precision {})",
                fmt(s.recall()),
                fmt(s.precision())
            )
        })
        .collect();
    assert!(
        below.is_empty(),
        "below the {FLOOR} floor: {}",
        below.join(", ")
    );
}

#[test]
fn globs() {
    assert!(glob("a*", "abc") && glob("*c", "abc") && glob("a*c", "abc") && glob("*", ""));
    assert!(glob("t.x[*]", "t.x[12]") && !glob("t.x[*]", "t.y[1]"));
    assert!(!glob("abc", "abcd") && !glob("a*b*c", "acb") && glob("", ""));
}
