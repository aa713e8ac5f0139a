//! Rule selection and options, from `.tfguard.hcl` (the host parses the file and passes this
//! part as JSON). Unknown keys are errors so a typo never silently disables a check.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::types::{SettingsError, Severity};

/// What options need to know of the rules; the registry implements it (`crate::rules`), so this
/// module does not depend on the rules that read it.
pub trait RuleSet {
    /// The id of a rule given by id or kebab name.
    fn id_of(&self, name: &str) -> Option<&'static str>;
    /// Validates one rule's own options.
    fn check_options(&self, id: &str, options: &serde_json::Value) -> Result<(), String>;
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// If non-empty, only these rules run.
    pub only: Vec<String>,
    pub disable: Vec<String>,
    /// Per-rule severity overrides: `{"TFG030": "warning"}`.
    pub severity: BTreeMap<String, String>,
    /// Per-rule options, keyed by rule id; each rule types its own.
    pub rules: BTreeMap<String, serde_json::Value>,
    /// Config-file suppressions for findings that have no comment to carry them (state, plan).
    pub ignore: Vec<IgnoreEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: String,
    /// Glob on the resource address (`*` matches any run of characters).
    #[serde(default)]
    pub address: Option<String>,
    /// Glob on the file path.
    #[serde(default)]
    pub path: Option<String>,
    pub reason: String,
}

impl Options {
    /// Parses and validates against `rules`, naming each rule by its id from then on: the
    /// host may pass kebab names (`oauth-scope-broad`), and `enabled`/`severity_for` compare ids.
    pub fn parse(json: &str, rules: &dyn RuleSet) -> Result<Options, SettingsError> {
        if json.trim().is_empty() {
            return Ok(Options::default());
        }
        let mut o: Options = serde_json::from_str(json)
            .map_err(|e| SettingsError::options(None, format!("options: {e}")))?;
        for (id, sev) in &o.severity {
            if Severity::parse(sev).is_none() {
                return Err(SettingsError::options(
                    Some(id),
                    format!(
                        "options: severity of {id} must be error, warning or info, not `{sev}`"
                    ),
                ));
            }
        }
        let id_of = |name: &str| {
            rules.id_of(name).ok_or_else(|| {
                SettingsError::options(
                    Some(name),
                    format!("options: unknown rule `{name}` (see `tfguard rules`)"),
                )
            })
        };
        for list in [&mut o.only, &mut o.disable] {
            for name in list.iter_mut() {
                *name = id_of(name)?.to_string();
            }
        }
        o.severity = std::mem::take(&mut o.severity)
            .into_iter()
            .map(|(k, v)| Ok((id_of(&k)?.to_string(), v)))
            .collect::<Result<_, SettingsError>>()?;
        let mut typed = BTreeMap::new();
        for (name, v) in std::mem::take(&mut o.rules) {
            let id = id_of(&name)?;
            rules
                .check_options(id, &v)
                .map_err(|e| SettingsError::rule_options(id, &e))?;
            typed.insert(id.to_string(), v);
        }
        o.rules = typed;
        Ok(o)
    }

    pub fn enabled(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|x| x == id))
            && !self.disable.iter().any(|x| x == id)
    }

    pub fn severity_for(&self, id: &str) -> Option<Severity> {
        self.severity.get(id).and_then(|s| Severity::parse(s))
    }

    /// Typed options of one rule (missing → default). A malformed value is an error naming
    /// the rule, never a silent fall-back to the defaults.
    pub fn rule<T: serde::de::DeserializeOwned + Default>(&self, id: &str) -> Result<T, String> {
        match self.rules.get(id) {
            None => Ok(T::default()),
            Some(v) => {
                serde_json::from_value(v.clone()).map_err(|e| format!("options of {id}: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Opts {
        #[serde(default)]
        allow: Vec<String>,
    }

    #[test]
    fn rule_options_are_typed_and_errors_are_not_swallowed() {
        let o = Options::parse(
            r#"{"rules": {"TFG031": {"allow": ["users"]}, "TFG001": {}}}"#,
            &crate::rules::Registry,
        )
        .unwrap();
        assert_eq!(o.rule::<Opts>("TFG031").unwrap().allow, ["users"]);
        assert_eq!(o.rule::<Opts>("TFG033").unwrap(), Opts::default());
        let o = Options {
            rules: [("TFG032".to_string(), serde_json::json!({"alow": []}))].into(),
            ..Options::default()
        };
        let e = o.rule::<Opts>("TFG032").unwrap_err();
        assert!(e.contains("TFG032") && e.contains("alow"), "{e}");
    }

    /// Every rule's options are checked up front: a typo is an error naming the rule and the
    /// key, for rules with options and for rules without.
    #[test]
    fn bad_rule_options_are_rejected_before_any_check() {
        use crate::types::SettingsErrorKind::{Options as Top, RuleOptions};
        let e = Options::parse(
            r#"{"rules": {"TFG032": {"alow": []}}}"#,
            &crate::rules::Registry,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref(), e.key.as_deref()),
            (RuleOptions, Some("TFG032"), Some("alow")),
            "{e}"
        );
        assert!(e.message.starts_with("options of TFG032"), "{e}");
        let e = Options::parse(
            r#"{"rules": {"TFG001": {"foo": 1}}}"#,
            &crate::rules::Registry,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref(), e.key.as_deref()),
            (RuleOptions, Some("TFG001"), Some("foo")),
            "{e}"
        );
        let e = Options::parse(
            r#"{"rules": {"TFG031": {"allow": "users"}}}"#,
            &crate::rules::Registry,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref()),
            (RuleOptions, Some("TFG031")),
            "{e}"
        );
        let e =
            Options::parse(r#"{"rules": {"TFG999": {}}}"#, &crate::rules::Registry).unwrap_err();
        assert_eq!((e.kind, e.rule.as_deref()), (Top, Some("TFG999")), "{e}");
        assert!(e.message.contains("unknown rule `TFG999`"), "{e}");
    }

    /// Kebab names work everywhere and become ids, so selection and severity apply to them.
    #[test]
    fn rule_names_become_ids() {
        let o = Options::parse(
            r#"{"only": ["oauth-scope-broad"], "severity": {"oauth-scope-broad": "warning"}, "rules": {"oauth-scope-broad": {"allow": ["oauth"]}}}"#,
            &crate::rules::Registry,
        )
        .unwrap();
        assert!(o.enabled("TFG032") && !o.enabled("TFG031"));
        assert_eq!(o.severity_for("TFG032"), Some(Severity::Warning));
        assert!(o.rules.contains_key("TFG032"));
    }
}
