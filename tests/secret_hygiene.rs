//! Secret hygiene as a property (issue 11): random secrets planted in configurations, tfvars,
//! states, plans (well-formed and malformed) and handed over as known Vault values never appear
//! in any output format, the stderr of the real binary, a report written with `-o`, an error
//! message or a `Debug` print: raw, JSON-escaped, HCL-escaped, base64, base64url or hex.

mod common;
use common::*;

use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use tfguard::cli::Format;
use tfguard::output::{self, Ctx};
use tfguard::runtime::wit::{DocKind, Document, Severity};
use tfguard::runtime::{KnownValue, Limits, Runtime};

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Junit,
    Format::Gitlab,
];
const FORMAT_NAMES: [&str; 6] = ["human", "json", "sarif", "github", "junit", "gitlab"];

fn hcl_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn json_escape(s: &str) -> String {
    let q = serde_json::to_string(s).expect("string");
    q[1..q.len() - 1].to_string()
}

/// Every form in which the secret could be betrayed: the shared list the product searches
/// with (`tfguard_common::secret_forms`: cleartext, JSON-escaped once and twice, hex, base64 and
/// base64url at any alignment), and the forms only an output could take (HCL-escaped, as the
/// fixer writes a literal; uppercase hex).
fn forms(secret: &str) -> Vec<String> {
    let mut out: Vec<String> = tfguard_common::secret_forms::forms(secret)
        .into_iter()
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    let hex: String = secret.bytes().map(|x| format!("{x:02X}")).collect();
    out.extend([hcl_escape(secret), hex]);
    out
}

fn assert_clean(what: &str, text: &str, secret: &str) {
    for f in forms(secret) {
        assert!(
            !text.contains(&f),
            "{what} carries the secret (form `{f}`):\n{text}"
        );
    }
}

/// The documents of one case, each with the secret planted where a secret goes.
fn documents(secret: &str) -> Vec<Document> {
    let h = hcl_escape(secret);
    let j = json_escape(secret);
    let jj = json_escape(&format!("{{\"client_secret\":\"{j}\"}}"));
    let main = format!(
        r#"resource "genesyscloud_oauth_client" "app" {{
  name                  = "app"
  authorized_grant_type = "CLIENT-CREDENTIALS"
  client_secret         = "{h}"
}}

resource "vault_generic_secret" "s" {{
  path      = "secret/app"
  data_json = jsonencode({{ client_secret = "{h}" }})
}}

variable "api_token" {{
  type      = string
  sensitive = true
  default   = "{h}"
}}

output "token" {{
  value = var.api_token
}}
"#
    );
    let state = format!(
        r#"{{"version":4,"terraform_version":"1.9.8","serial":1,"lineage":"x","outputs":{{"t":{{"value":"{j}","type":"string"}}}},"resources":[
{{"mode":"managed","type":"random_password","name":"p","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{{"schema_version":3,"attributes":{{"result":"{j}","id":"none"}},"sensitive_attributes":[[{{"type":"get_attr","value":"result"}}]]}}]}},
{{"mode":"managed","type":"vault_generic_secret","name":"s","provider":"provider[\"registry.terraform.io/hashicorp/vault\"]","instances":[{{"schema_version":1,"attributes":{{"path":"secret/app","data_json":"{jj}"}}}}]}}]}}"#
    );
    let plan = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.8","variables":{{"api_token":{{"value":"{j}"}}}},"planned_values":{{"root_module":{{"resources":[{{"address":"random_password.p","mode":"managed","type":"random_password","name":"p","provider_name":"registry.terraform.io/hashicorp/random","values":{{"result":"{j}"}},"sensitive_values":{{}}}}]}}}},"resource_changes":[{{"address":"random_password.p","mode":"managed","type":"random_password","name":"p","provider_name":"registry.terraform.io/hashicorp/random","change":{{"actions":["create"],"before":null,"after":{{"result":"{j}"}},"after_unknown":{{}}}}}}]}}"#
    );
    vec![
        Document {
            staged: None,
            path: "app/main.tf".into(),
            kind: DocKind::Hcl,
            contents: main.into_bytes(),
        },
        Document {
            staged: None,
            path: "app/terraform.tfvars".into(),
            kind: DocKind::Tfvars,
            contents: format!("api_token = \"{h}\"\n").into_bytes(),
        },
        // Malformed: the secret sits on the line of the syntax error.
        Document {
            staged: None,
            path: "broken/main.tf".into(),
            kind: DocKind::Hcl,
            contents: format!(
                "resource \"genesyscloud_oauth_client\" \"b\" {{\n  client_secret = \"{h}\" }}}}\n}}\n"
            )
            .into_bytes(),
        },
        Document {
            staged: None,
            path: "terraform.tfstate".into(),
            kind: DocKind::State,
            contents: state.into_bytes(),
        },
        Document {
            staged: None,
            path: "broken.tfstate".into(),
            kind: DocKind::State,
            contents: format!(
                "{{\"version\":4,\"resources\":[{{\"type\":\"random_password\",\"result\":\"{j}\",,}}]}}"
            )
            .into_bytes(),
        },
        Document {
            staged: None,
            path: "plan.json".into(),
            kind: DocKind::Plan,
            contents: plan.into_bytes(),
        },
    ]
}

/// 16 to 40 characters with quotes, backslashes, template openers and non-ASCII, so every
/// escaping path is taken; long enough that an accidental match with report text is nil.
fn secrets() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r#"[A-Za-z0-9]{8}[A-Za-z0-9+/=_!#%&*"\\$\{é€-]{8,32}"#)
        .expect("regex")
}

static CASE: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_output_ever_carries_a_planted_secret(secret in secrets()) {
        thread_local! {
            static RT: Runtime = Runtime::new(Limits::default()).expect("guest loads");
        }
        unsafe_env();
        let docs = documents(&secret);
        let mut settings = tfguard::packs::settings(&tfguard::config::Config::default())
            .expect("settings");
        let known = vec![KnownValue {
            label: "secret/app#client_secret".into(),
            value: secret.clone().into(),
        }];
        let report = RT
            .with(|rt| rt.check_with_secrets(&docs, &mut settings, &known))
            .expect("check");
        prop_assert!(settings.known_secrets.is_empty(), "the WIT copies outlive the call");
        let rules = RT.with(|rt| rt.rules()).expect("rules");
        // The case must exercise the rules: the planted secrets are found.
        prop_assert!(report.findings.len() >= 5, "{} findings", report.findings.len());
        prop_assert!(report.errors.len() >= 2, "{} errors", report.errors.len());
        assert_clean("Debug of the report", &format!("{report:?}"), &secret);
        assert_clean("Debug of the known values", &format!("{known:?}"), &secret);
        assert_clean("Debug of the settings", &format!("{settings:?}"), &secret);
        for e in &report.errors {
            assert_clean("a document error", &e.message, &secret);
        }
        let cx = Ctx { report: &report, docs: &docs, streamed: &[], skipped: &[], rules: &rules, threshold: Severity::Error, color: false, jobs: 2 };
        for (format, name) in FORMATS.iter().zip(FORMAT_NAMES) {
            let mut buf = Vec::new();
            output::render(*format, &cx, &mut buf).expect("render");
            assert_clean(name, &String::from_utf8_lossy(&buf), &secret);
        }
        // Every 20th case also through the real binary: stdout, stderr and an `-o` report.
        let n = CASE.fetch_add(1, Ordering::Relaxed);
        if n.is_multiple_of(20) {
            let dir = tempfile::tempdir().expect("tmp");
            for d in &docs {
                let p = dir.path().join(&d.path);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, &d.contents).expect("write");
            }
            let name = FORMAT_NAMES[(n / 20) % FORMAT_NAMES.len()];
            let report_file = dir.path().join("report.out");
            let o = run_bounded(
                tfguard().current_dir(dir.path()).args(["check", ".", "--format", name, "-o"]).arg(&report_file),
                60,
            );
            prop_assert_eq!(o.status.code(), Some(2));
            let (out, err) = text(&o);
            assert_clean("stdout", &out, &secret);
            assert_clean("stderr", &err, &secret);
            let written = std::fs::read_to_string(&report_file).expect("report written");
            prop_assert!(written.len() > 100);
            assert_clean("the -o report", &written, &secret);
        }
    }
}

/// Keep the guest cache shared with the other tests (compiled once).
fn unsafe_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: set once, before any thread of this test binary reads the environment.
        unsafe { std::env::set_var("TFGUARD_CACHE_DIR", root().join("target/test-cache")) };
    });
}
