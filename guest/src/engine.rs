//! One `check` call: classify and parse each document, run the enabled rules, apply the
//! suppressions, and return findings in a stable order.

use std::collections::BTreeMap;

use crate::hcl::{self, HclFile, Module, TfvarsFile};
use crate::options::Options;
use crate::policy::Policy;
use crate::rules::{Ctx, JsonDocument, ProviderSite, REGISTRY, Rule, Sink};
use crate::state::{self, Instance, Output, Variable, Visitor};
use crate::types::{
    DocError, DocKind, DocSummary, Document, Report, Settings, SettingsError, Span,
};

/// Everything prepared from the settings once per call.
pub struct Prepared {
    pub policy: Policy,
    pub options: Options,
}

pub fn prepare(settings: &Settings) -> Result<Prepared, SettingsError> {
    let policy = Policy::with_builtins(&settings.packs).map_err(SettingsError::pack)?;
    // A bad `[hcl]` section is a configuration error (exit 2), not a silently skipped rule.
    crate::hcl::flow::FlowPolicy::load(&policy).map_err(SettingsError::pack)?;
    Ok(Prepared {
        policy,
        options: Options::parse(&settings.options_json, &crate::rules::Registry)?,
    })
}

fn enabled_rules(options: &Options) -> Vec<&'static dyn Rule> {
    REGISTRY
        .iter()
        .copied()
        .filter(|r| options.enabled(r.meta().id))
        .collect()
}

/// Feeds state/plan content to every enabled rule without materialising the document.
struct RuleVisitor<'a, 's> {
    cx: &'a Ctx<'a>,
    rules: &'a [&'static dyn Rule],
    path: &'a str,
    sink: &'a mut Sink<'s>,
    /// The document's bytes, to turn borrowed provider strings into offsets.
    bytes: &'a [u8],
    providers: Vec<ProviderSite>,
}

impl Visitor for RuleVisitor<'_, '_> {
    fn instance(&mut self, inst: &Instance<'_>) {
        self.cx.memo.next_instance();
        for r in self.rules {
            r.check_instance(self.cx, self.path, inst, self.sink);
        }
    }
    fn output(&mut self, o: &Output<'_>) {
        for r in self.rules {
            r.check_output(self.cx, self.path, o, self.sink);
        }
    }
    fn variable(&mut self, v: &Variable<'_>) {
        for r in self.rules {
            r.check_variable(self.cx, self.path, v, self.sink);
        }
    }
    fn restart(&mut self) {
        self.sink.findings.clear();
        self.providers.clear();
    }
    fn provider(&mut self, raw_json: &str) {
        let base = self.bytes.as_ptr() as usize;
        let at = raw_json.as_ptr() as usize;
        let offset =
            (at >= base && at + raw_json.len() <= base + self.bytes.len()).then(|| at - base);
        // A handful of distinct providers per document, repeated on every resource. Sections
        // are not visited in document order: keep the earliest position of each.
        if let Some(p) = self.providers.iter_mut().find(|p| p.raw_json == raw_json) {
            if offset.is_some_and(|o| p.offset.is_none_or(|q| o < q)) {
                p.offset = offset;
            }
            return;
        }
        self.providers.push(ProviderSite {
            raw_json: raw_json.to_string(),
            offset,
        });
    }
}

/// Decide what a `detect` document is from its name and content. A file in Terraform's JSON
/// syntax is recognised by its name whatever kind the host guessed (an older host sends a named
/// `.tf.json` as `detect`).
pub fn classify(doc: &Document) -> DocKind {
    let p = doc.path.to_ascii_lowercase();
    if matches!(doc.kind, DocKind::Detect | DocKind::Hcl | DocKind::Tfvars) {
        if p.ends_with(".tfvars.json") {
            return DocKind::Tfvars;
        }
        if p.ends_with(".tf.json") {
            return DocKind::Hcl;
        }
    }
    if doc.kind != DocKind::Detect {
        return doc.kind;
    }
    if p.ends_with(".tf") {
        DocKind::Hcl
    } else if p.ends_with(".tfvars") {
        DocKind::Tfvars
    } else if p.ends_with(".tfstate") || p.ends_with(".tfstate.backup") {
        DocKind::State
    } else {
        let head = &doc.contents[..doc.contents.len().min(4096)];
        let s = String::from_utf8_lossy(head);
        if s.contains("\"planned_values\"")
            || s.contains("\"resource_changes\"")
            || s.contains("\"prior_state\"")
        {
            DocKind::Plan
        } else {
            DocKind::State
        }
    }
}

/// What the JSON syntax cannot say by itself: which keys of a resource are nested blocks. The
/// OAuth schema's `block_set` arguments are (a pack without the schema gives no hints).
fn json_hints(policy: &Policy) -> hcl::JsonHints {
    let Ok(data) = crate::oauth::data::OauthData::load(policy) else {
        return hcl::JsonHints::default();
    };
    let resource = data.resource().to_string();
    hcl::JsonHints {
        blocks: crate::oauth::block_args(&data)
            .into_iter()
            .map(|b| (resource.clone(), b.to_string()))
            .collect(),
    }
}

pub fn check(docs: &[Document], settings: &Settings) -> Result<Report, SettingsError> {
    let prep = prepare(settings)?;
    let (report, _modules) = check_prepared(docs, settings, &prep);
    Ok(report)
}

/// Runs the rules; also returns the parsed HCL modules for `desired-clients`.
pub fn check_prepared(
    docs: &[Document],
    settings: &Settings,
    prep: &Prepared,
) -> (Report, Vec<Module>) {
    let rules = enabled_rules(&prep.options);
    let cx = Ctx::new(&prep.policy, &prep.options, &settings.known_secrets);
    let mut sink = Sink::new(&prep.options);
    let mut errors = Vec::new();
    let mut documents = Vec::new();
    let mut modules: BTreeMap<String, Module> = BTreeMap::new();
    let json_hints = json_hints(&prep.policy);

    for doc in docs {
        match classify(doc) {
            DocKind::Hcl | DocKind::Tfvars => {
                let is_vars = classify(doc) == DocKind::Tfvars;
                // Terraform reads a variable file named `*.json` (`-var-file=vars.json`) as JSON.
                let json_vars = is_vars && doc.path.to_ascii_lowercase().ends_with(".json");
                let json_syntax = json_vars || hcl::is_json_syntax(&doc.path);
                let parsed = if json_vars {
                    hcl::parse_json_vars(&doc.contents)
                } else if json_syntax {
                    hcl::parse_json(&doc.path, &doc.contents, &json_hints)
                } else {
                    hcl::parse(&doc.path, &doc.contents)
                };
                match parsed {
                    Ok((src, body, lines)) => {
                        let m = modules
                            .entry(hcl::dir_of(&doc.path))
                            .or_insert_with_key(|dir| Module {
                                dir: dir.clone(),
                                files: Vec::new(),
                                tfvars: Vec::new(),
                            });
                        if is_vars {
                            m.tfvars.push(TfvarsFile {
                                path: doc.path.clone(),
                                src,
                                body,
                                lines,
                            });
                        } else {
                            m.files.push(HclFile {
                                path: doc.path.clone(),
                                src,
                                body,
                                lines,
                            });
                        }
                        documents.push(DocSummary {
                            path: doc.path.clone(),
                            recognised_as: match (is_vars, json_syntax) {
                                (false, false) => "hcl",
                                (true, false) => "tfvars",
                                (false, true) => "hcl (json)",
                                (true, true) => "tfvars (json)",
                            }
                            .into(),
                        });
                    }
                    Err(e) => errors.push(DocError {
                        path: doc.path.clone(),
                        span: e.span,
                        message: e.message,
                        unsupported: false,
                    }),
                }
            }
            DocKind::State | DocKind::Plan | DocKind::Detect => {
                let mut sub = Sink::new(&prep.options);
                let (result, providers) = {
                    let mut v = RuleVisitor {
                        cx: &cx,
                        rules: &rules,
                        path: &doc.path,
                        sink: &mut sub,
                        bytes: &doc.contents,
                        providers: Vec::new(),
                    };
                    let r = state::visit(&doc.contents, &mut v);
                    (r, v.providers)
                };
                match result {
                    Ok(kind) => {
                        let whole = JsonDocument {
                            path: &doc.path,
                            bytes: &doc.contents,
                            providers: &providers,
                        };
                        for r in &rules {
                            r.check_document(&cx, &whole, &mut sub);
                        }
                        sink.findings.append(&mut sub.findings);
                        documents.push(DocSummary {
                            path: doc.path.clone(),
                            recognised_as: kind.label(),
                        });
                    }
                    Err(e) if e.encrypted => {
                        if prep.options.enabled("TFG007") {
                            crate::rules::report_encrypted(&mut sink, &doc.path, &e.message);
                        }
                        documents.push(DocSummary {
                            path: doc.path.clone(),
                            recognised_as: "encrypted (OpenTofu)".into(),
                        });
                    }
                    Err(e) => {
                        // Findings from a half-read document are dropped: the document is an error.
                        let span = e.line.map(|line| {
                            let column = e.column.unwrap_or(1);
                            Span {
                                line,
                                column,
                                end_line: line,
                                end_column: column + 1,
                            }
                        });
                        errors.push(DocError {
                            path: doc.path.clone(),
                            span,
                            message: e.message,
                            unsupported: e.unsupported,
                        });
                    }
                }
            }
        }
    }

    let (var_dirs, mut modules): (Vec<Module>, Vec<Module>) =
        modules.into_values().partition(|m| m.files.is_empty());
    // Variable files from a directory with no `.tf` files are `-var-file`s: they apply to the
    // modules being checked, with the highest precedence, as `terraform -var-file` does.
    let var_files: Vec<&TfvarsFile> = var_dirs.iter().flat_map(|m| &m.tfvars).collect();
    for m in &mut modules {
        m.tfvars.extend(var_files.iter().map(|t| (*t).clone()));
    }
    for m in &modules {
        for r in &rules {
            r.check_module(&cx, m, &mut sink);
        }
    }
    for r in &rules {
        r.check_modules(&cx, &modules, &mut sink);
    }

    let mut findings = sink.findings;
    let issues = crate::suppress::apply(
        &mut findings,
        &modules,
        &prep.options,
        &crate::rules::Registry,
    );
    findings.extend(crate::rules::suppression_findings(&issues, &prep.options));
    findings.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    findings.dedup_by(|a, b| {
        a.fingerprint == b.fingerprint && a.span == b.span && a.message == b.message
    });
    (
        Report {
            findings,
            errors,
            documents,
        },
        modules,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in packs only (the guest carries them; settings add the user's).
    fn default_settings() -> Settings {
        Settings::default()
    }

    /// The report of one `check` call over `docs`.
    fn report(docs: &[Document], settings: &Settings) -> Report {
        let prep = prepare(settings).unwrap();
        check_prepared(docs, settings, &prep).0
    }

    /// Sections are visited planned_values first; the finding still points at the earliest
    /// occurrence in the file.
    #[test]
    fn provider_finding_points_at_the_first_occurrence_in_the_file() {
        let plan = r#"{"format_version":"1.2",
"resource_changes":[{"address":"genesyscloud_oauth_client.a","mode":"managed","type":"genesyscloud_oauth_client","name":"a",
  "provider_name":"registry.terraform.io/mikeschaeffer/genesyscloud","change":{"actions":["create"],"before":null,"after":{"name":"a"}}}],
"planned_values":{"root_module":{"resources":[{"address":"genesyscloud_oauth_client.a","mode":"managed","type":"genesyscloud_oauth_client","name":"a",
  "provider_name":"registry.terraform.io/mikeschaeffer/genesyscloud","values":{"name":"a"}}]}}}"#;
        let docs = vec![Document::new("plan.json", DocKind::Plan, plan)];
        let report = report(&docs, &default_settings());
        let f: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == "TFG044")
            .collect();
        assert_eq!(f.len(), 1, "one finding per wrong address");
        let s = f[0].span.unwrap();
        assert_eq!((s.line, s.column), (3, 20));
        assert_eq!(s.end_column - s.column, 48);
    }

    /// A secret literal in a resource argument is one finding: TFG010's flow into state (with
    /// the write-only fix). TFG003 reports it only when TFG010 is off.
    #[test]
    fn a_literal_secret_argument_is_reported_once() {
        let tf = "resource \"aws_db_instance\" \"db\" {\n  password = \"Sup3rS3cretPassw0rd\"\n}\n";
        let docs = vec![Document::new("m/main.tf", DocKind::Hcl, tf)];
        let rules_at_line_2 = |settings: &Settings| {
            report(&docs, settings)
                .findings
                .iter()
                .filter(|f| f.span.is_some_and(|s| s.line == 2))
                .map(|f| f.rule_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(rules_at_line_2(&default_settings()), ["TFG010"]);
        let mut without_flows = default_settings();
        without_flows.options_json = r#"{"disable":["TFG010"]}"#.into();
        assert_eq!(rules_at_line_2(&without_flows), ["TFG003"]);
    }

    /// The client model is memoised per instance: two clients never share findings.
    #[test]
    fn each_instance_gets_its_own_client_model() {
        let state = r#"{"version":4,"resources":[{"mode":"managed","type":"genesyscloud_oauth_client","name":"c",
"provider":"provider[\"registry.terraform.io/mypurecloud/genesyscloud\"]","instances":[
 {"index_key":"a","attributes":{"name":"a","authorized_grant_type":"CLIENT-CREDENTIALS","scopes":["users:readonly"],"roles":[{"role_id":"r"}]}},
 {"index_key":"b","attributes":{"name":"b","authorized_grant_type":"CLIENT-CREDENTIALS","scopes":["user:read"],"roles":[{"role_id":"r"}]}}]}]}"#;
        let docs = vec![Document::new("s.tfstate", DocKind::State, state)];
        let unknown: Vec<_> = report(&docs, &default_settings())
            .findings
            .iter()
            .filter(|f| f.rule_id == "TFG030")
            .map(|f| f.address.clone().unwrap_or_default())
            .collect();
        assert_eq!(unknown, ["genesyscloud_oauth_client.c[\"b\"]"]);
    }

    /// `--var-file vars.json` (kind tfvars, any `.json` name) is a JSON variable file.
    #[test]
    fn a_json_var_file_of_any_name_is_read_as_json() {
        let docs = vec![
            Document::new("app/main.tf", DocKind::Hcl, "variable \"a\" {}\n"),
            Document::new("envs/prod.json", DocKind::Tfvars, "{\n  \"a\": 2\n}\n"),
        ];
        let settings = Settings::default();
        let prep = prepare(&settings).unwrap();
        let (report, modules) = check_prepared(&docs, &settings, &prep);
        assert!(
            report.errors.is_empty(),
            "{:?}",
            report.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        assert_eq!(report.documents[1].recognised_as, "tfvars (json)");
        let idx = crate::hcl::ModuleIndex::new(&modules[0]);
        let ev = crate::hcl::Evaluator::new(&idx);
        assert_eq!(
            ev.var("a"),
            crate::hcl::Resolved::Known(serde_json::json!(2))
        );
    }

    #[test]
    fn var_files_from_elsewhere_apply_to_the_checked_modules() {
        let docs = vec![
            Document::new("app/main.tf", DocKind::Hcl, "variable \"a\" {}\n"),
            Document::new("app/terraform.tfvars", DocKind::Tfvars, "a = 1\n"),
            Document::new("envs/prod.tfvars", DocKind::Tfvars, "a = 2\n"),
        ];
        let settings = Settings::default();
        let prep = prepare(&settings).unwrap();
        let (report, modules) = check_prepared(&docs, &settings, &prep);
        assert!(report.errors.is_empty());
        assert_eq!(modules.len(), 1, "the var-file directory is not a module");
        let paths: Vec<&str> = modules[0].tfvars.iter().map(|t| t.path.as_str()).collect();
        assert_eq!(paths, ["app/terraform.tfvars", "envs/prod.tfvars"]);
    }

    /// (rule, address, attribute) of every finding, and the findings of one file by rule.
    fn keys(report: &Report) -> std::collections::BTreeSet<(String, String, String)> {
        report
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.clone(),
                    f.address.clone().unwrap_or_default(),
                    f.attribute.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The key equivalence: the seed recipe written by hand in JSON syntax gives the same
    /// findings as the `.tf` original, at positions in the JSON files.
    #[test]
    fn seed_in_json_syntax_gives_the_same_findings_at_json_positions() {
        let hcl_docs = vec![
            Document::new(
                "seed/main.tf",
                DocKind::Hcl,
                include_str!("../../examples/seed/main.tf"),
            ),
            Document::new(
                "seed/variables.tf",
                DocKind::Hcl,
                include_str!("../../examples/seed/variables.tf"),
            ),
        ];
        // Sent as `detect`, as an older host does for a named `.tf.json`.
        let json_docs = vec![
            Document::new(
                "seed-json/main.tf.json",
                DocKind::Detect,
                include_str!("../../examples/seed-json/main.tf.json"),
            ),
            Document::new(
                "seed-json/variables.tf.json",
                DocKind::Hcl,
                include_str!("../../examples/seed-json/variables.tf.json"),
            ),
        ];
        let settings = default_settings();
        let from_hcl = report(&hcl_docs, &settings);
        let from_json = report(&json_docs, &settings);
        assert!(
            from_json.errors.is_empty(),
            "{:?}",
            from_json
                .errors
                .iter()
                .map(|e| &e.message)
                .collect::<Vec<_>>()
        );
        let labels: Vec<&str> = from_json
            .documents
            .iter()
            .map(|d| d.recognised_as.as_str())
            .collect();
        assert_eq!(labels, ["hcl (json)", "hcl (json)"]);
        assert!(!from_hcl.findings.is_empty());
        assert_eq!(keys(&from_json), keys(&from_hcl));
        // Positions read off examples/seed-json/main.tf.json.
        let at = |rule: &str, attribute: &str| {
            let f = from_json
                .findings
                .iter()
                .find(|f| f.rule_id == rule && f.attribute.as_deref() == Some(attribute))
                .unwrap_or_else(|| panic!("no {rule} on {attribute}"));
            assert_eq!(f.path, "seed-json/main.tf.json");
            let s = f.span.unwrap_or_else(|| panic!("{rule} has no span"));
            (s.line, s.column, s.end_line, s.end_column)
        };
        // The `"source"` value of required_providers.genesyscloud.
        assert_eq!(
            at("TFG044", "required_providers.genesyscloud.source"),
            (6, 19, 6, 47)
        );
        // The `"oauth_client_secret": {` resource header.
        assert_eq!(at("TFG012", "result").0, 30);
        assert_eq!(at("TFG012", "result").1, 7);
        // The `"client_secret"` key, and the whole argument through its value.
        assert_eq!(at("TFG043", "client_secret"), (54, 9, 54, 24));
        assert_eq!(at("TFG010", "client_secret"), (54, 9, 54, 73));
        // One element of the `"scopes"` array.
        assert_eq!(at("TFG030", "scopes[0]"), (51, 11, 51, 30));
        // `client_id` inside the `jsonencode({...})` interpolation of `"data_json"`.
        assert_eq!(at("TFG010", "data_json").0, 61);
        let client_id_in_data_json = from_json
            .findings
            .iter()
            .filter(|f| f.rule_id == "TFG045")
            .filter_map(|f| f.span.map(|s| (s.line, s.column)))
            .collect::<Vec<_>>();
        assert_eq!(client_id_in_data_json, [(61, 92), (68, 52)]);
    }
}
