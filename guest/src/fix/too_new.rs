//! TFG045: an argument or value the pinned Genesys Cloud provider does not have yet. Unsafe:
//! raising the provider version changes the code Terraform runs against the org.

use super::requirements::{self, Need};
use super::{FixCx, Proposal, Safety};
use crate::oauth::version::Version;
use crate::types::Finding;

pub fn fix(cx: &FixCx<'_>, f: &Finding) -> Vec<Proposal> {
    let Some(d) = cx.oauth() else {
        return Vec::new();
    };
    let Some(attr) = f.attribute.as_deref() else {
        return Vec::new();
    };
    let Some(arg) = d.argument(attr) else {
        return Vec::new();
    };
    // The argument's own release, or the release of the value at the finding (an enum value).
    let value = cx.range(f).and_then(|(file, r)| {
        file.src[r]
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .map(str::to_string)
    });
    let since = value
        .as_deref()
        .and_then(|v| arg.enum_since.get(v))
        .or(arg.since.as_ref())
        .and_then(|v| Version::parse(v));
    let (Some(since), Some(home)) = (since, cx.native_file(&f.path)) else {
        return Vec::new();
    };
    let Some((m, _)) = cx.module_of(&f.path) else {
        return Vec::new();
    };
    let source = d.preferred_source();
    let need = Need::Provider {
        source: source.to_string(),
        local: d.provider_local_name().to_string(),
        min: since,
    };
    let edits = requirements::require(m, home, &need);
    if edits.is_empty() {
        return Vec::new();
    }
    vec![Proposal {
        rule_id: "TFG045",
        title: format!("require {source} >= {since}"),
        safety: Safety::Unsafe,
        why: format!(
            "`{attr}` needs provider {since} or newer, which the version constraint excludes: raising it upgrades the provider on the next `terraform init -upgrade` (read its changelog). {}",
            f.remediation
        ),
        edits,
    }]
}
