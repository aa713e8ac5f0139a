//! Precision and recall of the secret rules on labelled fixtures written by others: checkov's
//! credential checks, whose unit tests name the resources that must pass and fail
//! (`tests/corpus/_derived/checkov_check_labels.json`; files and licences in
//! `tests/corpus/SOURCES.tsv`). The floors are documented in the README; the test prints the
//! measured figures so a change that trades recall for noise is visible.

mod common;
use common::repo;
use std::collections::BTreeSet;

use tfguard_guest::types::{DocKind, Document, Settings};

/// Checks whose labels are about secret *values*. Out of scope, and why:
/// - IAMCredentialsExposure: IAM policy actions that can expose credentials (no value);
/// - kubernetes Secrets: env vars read from Secret objects (a reference, not a value).
const IN_SCOPE: &[&str] = &[
    "aws/example_EC2Credentials",
    "aws/example_LambdaEnvironmentCredentials",
    "aws/example_DatasyncLocationExposesSecrets",
    "azure/example_VMCredsInCustomData",
    "azure/example_SynapseWorkspaceAdministratorLoginPasswordHidden",
    "openstack/example_ComputeInstanceAdminPassword",
    "github/example_SecretsEncrypted",
];

const PRECISION_FLOOR: f64 = 0.90;
const RECALL_FLOOR: f64 = 0.85;

/// A finding from the "no secrets in state" family (TFG001–TFG019).
fn is_secret_rule(id: &str) -> bool {
    id.strip_prefix("TFG")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..20).contains(&n))
}

#[test]
fn checkov_credential_fixtures_precision_and_recall() {
    let labels: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/corpus/_derived/checkov_check_labels.json"))
            .expect("labels"),
    )
    .expect("labels json");
    let settings = Settings {
        packs: Vec::new(),
        ..Settings::default()
    };
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for dir in IN_SCOPE {
        let key = format!("tests/terraform/checks/resource/{dir}");
        let entry = &labels[&key];
        let fs_dir = repo().join("tests/corpus/bridgecrewio__checkov").join(&key);
        let mut docs = Vec::new();
        for e in std::fs::read_dir(&fs_dir).expect("fixture dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "tf") {
                docs.push(Document::new(
                    p.display().to_string(),
                    DocKind::Hcl,
                    std::fs::read(&p).expect("read"),
                ));
            }
        }
        let r = tfguard_guest::check(&docs, &settings).expect("check");
        let flagged: BTreeSet<String> = r
            .findings
            .iter()
            .filter(|f| is_secret_rule(&f.rule_id))
            .filter_map(|f| f.address.clone())
            .collect();
        let set = |k: &str| -> BTreeSet<String> {
            entry[k]
                .as_array()
                .expect("label list")
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        };
        let (fail, pass) = (set("failing_resources"), set("passing_resources"));
        assert!(!fail.is_empty(), "no labels for {key}");
        let t = fail.intersection(&flagged).count();
        let noisy: Vec<_> = pass.intersection(&flagged).collect();
        let missed: Vec<_> = fail.difference(&flagged).collect();
        report.push_str(&format!(
            "  {dir}: tp={t} fp={} fn={} missed={missed:?} false_pos={noisy:?}\n",
            noisy.len(),
            missed.len()
        ));
        tp += t;
        fp += noisy.len();
        fneg += missed.len();
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    println!(
        "labelled checkov credential fixtures:\n{report}precision {precision:.3} (floor {PRECISION_FLOOR}), recall {recall:.3} (floor {RECALL_FLOOR}), false positives {fp} of {} flagged",
        tp + fp
    );
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3} below floor\n{report}"
    );
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} below floor\n{report}"
    );
}
