use super::helpers::client::{ClientCheck, Emit};
use super::{Ctx, RuleMeta};
use crate::oauth::data::Argument;
use crate::oauth::{Client, Kind, OauthData, Val};
use crate::types::Severity;

/// TFG041: a value the provider rejects: wrong type, not in the enum, out of range, a
/// required argument missing, a computed-only attribute set, an attribute written as a block
/// or the reverse. Also "cannot verify" for enum and range arguments that aren't static.
pub struct OauthClientInvalidValue;

pub(crate) static META: RuleMeta = RuleMeta {
    id: "TFG041",
    name: "oauth-client-invalid-value",
    title: "genesyscloud_oauth_client argument has an invalid value or type",
    family: "oauth",
    severity: Severity::Error,
    docs: include_str!("../../../policies/rules/TFG041.md"),
};

crate::client_rule!(OauthClientInvalidValue, META);

impl ClientCheck for OauthClientInvalidValue {
    fn check_client(&self, _cx: &Ctx<'_>, d: &OauthData, c: &Client, e: &mut Emit<'_, '_>) {
        for a in &c.args {
            let Some(arg) = d.argument(&a.name) else {
                continue;
            };
            if matches!(a.value.kind, Kind::Null) {
                continue;
            }
            if c.from_hcl && arg.computed_only {
                e.at(
                    a.key_span,
                    &a.name,
                    format!("`{}` is computed by the provider and cannot be set", a.name),
                    format!(
                        "Remove `{}`; read it as `{}.{}` instead.",
                        a.name, c.address, a.name
                    ),
                );
                continue;
            }
            if arg.ty == "block_set" {
                if c.from_hcl {
                    e.at(
                        a.key_span,
                        &a.name,
                        format!("`{}` is a block, not an argument", a.name),
                        format!(
                            "Write one block per entry: `{} {{ {} }}`.",
                            a.name,
                            arg.block
                                .iter()
                                .map(|b| format!("{} = ...", b.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                continue;
            }
            check_value(d, arg, &a.value, e);
        }
        for b in &c.blocks {
            let Some(arg) = d.argument(&b.name) else {
                continue;
            };
            if arg.ty != "block_set" {
                e.at(
                    b.span,
                    &b.name,
                    format!("`{}` is an argument, not a block", b.name),
                    format!("Write `{} = …`.", b.name),
                );
                continue;
            }
            for field in &arg.block {
                match b.args.iter().find(|x| x.name == field.name) {
                    Some(x) => check_value(d, field, &x.value, e),
                    None if field.required && !b.dynamic && c.from_hcl => e.at(
                        b.span,
                        &format!("{}.{}", b.name, field.name),
                        format!("`{}` block lacks the required `{}`", b.name, field.name),
                        format!("Add `{} = …` to the block.", field.name),
                    ),
                    None => {}
                }
            }
        }
        // Missing required arguments (HCL; a state always has them). A misnamed argument
        // (`grant_types`) is already reported by TFG040 with the right name.
        if c.from_hcl {
            for arg in d.schema.argument.iter().filter(|a| a.required) {
                let misnamed = d
                    .schema
                    .renamed
                    .iter()
                    .any(|(from, r)| r.to == arg.name && c.arg(from).is_some());
                if c.arg(&arg.name).is_none() && !misnamed {
                    e.at(
                        c.span,
                        &arg.name,
                        format!("required argument `{}` is missing", arg.name),
                        match arg.enum_values.as_slice() {
                            [] => format!("Add `{} = …`.", arg.name),
                            vals => {
                                format!("Add `{} = \"…\"`, one of {}.", arg.name, vals.join(", "))
                            }
                        },
                    );
                }
            }
        }
    }
}

fn check_value(d: &OauthData, arg: &Argument, v: &Val, e: &mut Emit<'_, '_>) {
    let name = &arg.name;
    match (&v.kind, arg.ty.as_str()) {
        (Kind::Null, _) => {}
        // Only values with constraints are worth a "cannot verify".
        (Kind::Unknown(why), _)
            if !arg.enum_values.is_empty() || arg.min.is_some() || arg.max.is_some() =>
        {
            e.cannot_verify(v, &format!("`{name}`"), why)
        }
        (Kind::Unknown(_), _) => {}
        (Kind::Str(s), "string") => check_enum(d, arg, v, s, e),
        (Kind::Num(_) | Kind::Bool(_), "string") => {}
        (Kind::Num(n), "number") => check_range(arg, v, *n, e),
        (Kind::Str(s), "number") => match s.trim().parse::<f64>() {
            Ok(n) => check_range(arg, v, n, e),
            Err(_) => wrong_type(v, name, "a number", e),
        },
        (Kind::Bool(_), "bool") => {}
        (Kind::Str(s), "bool") if s == "true" || s == "false" => {}
        (Kind::List(items), "set_string") => {
            for i in items {
                if matches!(i.kind, Kind::List(_) | Kind::Object(_)) {
                    wrong_type(i, &i.path, "a string", e);
                }
            }
        }
        (Kind::Str(s), "set_string") => e.at(
            v.span,
            &v.path,
            format!("`{name}` must be a set of strings, not a string"),
            format!("Write `{name} = [\"{s}\"]`."),
        ),
        (_, "string") => wrong_type(v, name, "a string", e),
        (_, "number") => wrong_type(v, name, "a number", e),
        (_, "bool") => wrong_type(v, name, "true or false", e),
        (_, "set_string") => wrong_type(v, name, "a set of strings", e),
        _ => {}
    }
}

fn wrong_type(v: &Val, name: &str, want: &str, e: &mut Emit<'_, '_>) {
    e.at(
        v.span,
        &v.path,
        format!("`{name}` must be {want}, not a {}", v.type_name()),
        format!("Give `{name}` {want}."),
    );
}

fn check_range(arg: &Argument, v: &Val, n: f64, e: &mut Emit<'_, '_>) {
    let (lo, hi) = (arg.min.unwrap_or(i64::MIN), arg.max.unwrap_or(i64::MAX));
    if n.fract() != 0.0 || n < lo as f64 || n > hi as f64 {
        e.at(
            v.span,
            &v.path,
            format!("`{}` = {n} is outside {lo}..{hi}{}", arg.name, v.origin()),
            format!(
                "Use a whole number from {lo} to {hi}{}.",
                arg.default
                    .as_deref()
                    .map(|d| format!(" (default {d})"))
                    .unwrap_or_default()
            ),
        );
    } else if let Some(soft) = arg.soft_max
        && n > soft as f64
    {
        e.report(
            Some(Severity::Warning),
            v.span,
            &v.path,
            format!(
                "`{}` = {n} is above {soft}: {}{}",
                arg.name,
                arg.soft_max_why,
                v.origin()
            ),
            format!(
                "Use at most {soft} unless this is a SCIM client{}.",
                arg.default
                    .as_deref()
                    .map(|d| format!(" (default {d})"))
                    .unwrap_or_default()
            ),
        );
    }
}

fn check_enum(d: &OauthData, arg: &Argument, v: &Val, s: &str, e: &mut Emit<'_, '_>) {
    if arg.enum_values.is_empty() || arg.enum_values.iter().any(|x| x == s) {
        return;
    }
    let lower = s.to_ascii_lowercase();
    // A standard OAuth grant name, a case slip, or a typo.
    let suggestion = (arg.name == "authorized_grant_type")
        .then(|| d.grant_meant(s).map(str::to_string))
        .flatten()
        .or_else(|| {
            arg.enum_values
                .iter()
                .find(|x| x.eq_ignore_ascii_case(s))
                .cloned()
        })
        .or_else(|| {
            arg.enum_values
                .iter()
                .filter_map(|x| {
                    let max = (x.len() / 3).max(1);
                    crate::near::distance_within(&lower, &x.to_ascii_lowercase(), max)
                        .map(|d| (d, x))
                })
                .min()
                .map(|(_, x)| x.clone())
        });
    let allowed = arg.enum_values.join(", ");
    let (message, fix) = match suggestion {
        Some(g) => (
            format!(
                "`{}` = \"{s}\"{} is not valid; did you mean \"{g}\"? (values are case-sensitive: {allowed})",
                arg.name,
                v.origin()
            ),
            format!("Write `{} = \"{g}\"`.", arg.name),
        ),
        None => (
            format!(
                "`{}` = \"{s}\" is not one of {allowed}{}",
                arg.name,
                v.origin()
            ),
            format!("Use one of {allowed}."),
        ),
    };
    e.at(v.span, &v.path, message, fix);
}

/// `tfguard apply` stops on a client it cannot describe (an error, whatever the severity
/// settings: the provisioner must not create a half-described client).
pub(crate) fn provision_gap(g: &crate::oauth::clients::Gap) -> crate::types::Finding {
    crate::types::Finding {
        rule_id: META.id.into(),
        severity: Severity::Error,
        fingerprint: crate::types::fingerprint(&[META.id, &g.path, &g.address, "provision"]),
        message: format!("cannot provision `{}`: {}", g.address, g.missing.join("; ")),
        path: g.path.clone(),
        span: g.span,
        address: Some(g.address.clone()),
        attribute: None,
        flow: Vec::new(),
        remediation: "Give these arguments literal values (or variables with values) so `tfguard apply` knows what to create.".into(),
        suppressed: None,
    }
}
