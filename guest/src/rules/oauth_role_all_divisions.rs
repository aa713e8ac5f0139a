use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::{Client, OauthData};
use crate::types::Severity;

/// TFG036: a role granted in every division (`division_id = "*"`). A CLIENT-CREDENTIALS
/// client acts as itself, so its roles are all it is limited by; `*` also covers divisions
/// created later.
pub struct OauthRoleAllDivisions;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG036",
    name: "oauth-role-all-divisions",
    title: "OAuth client role granted in every division",
    family: "oauth",
    severity: Severity::Warning,
    docs: include_str!("../../../policies/rules/TFG036.md"),
};

crate::client_rule!(OauthRoleAllDivisions, META);

impl ClientCheck for OauthRoleAllDivisions {
    fn check_client(&self, _cx: &Ctx<'_>, _d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        for role in c.blocks_named("roles") {
            let Some(division) = role.args.iter().find(|a| a.name == "division_id") else {
                continue; // absent: the provider uses the home division
            };
            if division.value.as_str() != Some("*") {
                continue;
            }
            let role_id = role
                .args
                .iter()
                .find(|a| a.name == "role_id")
                .and_then(|a| a.value.as_str())
                .unwrap_or("(not known statically)");
            e.at(
                division.value.span.or(role.span),
                &division.value.path,
                format!("role `{role_id}` is granted in every division (`division_id = \"*\"`), including divisions created later"),
                "Grant the role in the divisions the client needs (`division_id = genesyscloud_auth_division.x.id`), one `roles` block each; leave `division_id` out for the home division.".into(),
            );
        }
    }
}
