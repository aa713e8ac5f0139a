//! Rule selection and options, from `.tfguard.hcl` (the host parses the file and passes this
//! part as JSON). Unknown keys are errors so a typo never silently disables a check.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::types::{SettingsError, Severity};

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
    pub fn parse(json: &str) -> Result<Options, SettingsError> {
        if json.trim().is_empty() {
            return Ok(Options::default());
        }
        let o: Options = serde_json::from_str(json)
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
        for id in o.only.iter().chain(&o.disable).chain(o.severity.keys()) {
            if crate::rules::find(id).is_none() {
                return Err(SettingsError::options(
                    Some(id),
                    format!("options: unknown rule `{id}` (see `tfguard rules`)"),
                ));
            }
        }
        for (id, v) in &o.rules {
            let Some(rule) = crate::rules::find(id) else {
                return Err(SettingsError::options(
                    Some(id),
                    format!("options: unknown rule `{id}` (see `tfguard rules`)"),
                ));
            };
            rule.check_options(v)
                .map_err(|e| SettingsError::rule_options(id, &e))?;
        }
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
        let o =
            Options::parse(r#"{"rules": {"TFG031": {"allow": ["users"]}, "TFG001": {}}}"#).unwrap();
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
        let e = Options::parse(r#"{"rules": {"TFG032": {"alow": []}}}"#).unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref(), e.key.as_deref()),
            (RuleOptions, Some("TFG032"), Some("alow")),
            "{e}"
        );
        assert!(e.message.starts_with("options of TFG032"), "{e}");
        let e = Options::parse(r#"{"rules": {"TFG001": {"foo": 1}}}"#).unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref(), e.key.as_deref()),
            (RuleOptions, Some("TFG001"), Some("foo")),
            "{e}"
        );
        let e = Options::parse(r#"{"rules": {"TFG031": {"allow": "users"}}}"#).unwrap_err();
        assert_eq!(
            (e.kind, e.rule.as_deref()),
            (RuleOptions, Some("TFG031")),
            "{e}"
        );
        let e = Options::parse(r#"{"rules": {"TFG999": {}}}"#).unwrap_err();
        assert_eq!((e.kind, e.rule.as_deref()), (Top, Some("TFG999")), "{e}");
        assert!(e.message.contains("unknown rule `TFG999`"), "{e}");
    }
}
