//! Terraform's value operations and function library, for the static evaluator
//! ([`super::eval`]): arithmetic and comparison, indexing, truthiness, and the functions
//! [`call`] knows. Pure functions over JSON values.

use hcl::edit::expr::BinaryOperator;
use serde_json::{Map, Number, Value};

/// A value or why it cannot be known.
pub(super) type R = Result<Value, String>;

pub(super) fn num(n: &hcl::edit::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        float(n.as_f64().unwrap_or(0.0))
    }
}

pub(super) fn float(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

pub(super) fn as_f64(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".into()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number")),
        _ => Err("not a number".into()),
    }
}

/// HCL's string conversion: strings, numbers and bools only.
pub fn stringify(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a null value cannot be used in a string".into()),
        _ => Err("a collection cannot be used in a string".into()),
    }
}

pub(super) fn entries(coll: &Value) -> Result<Vec<(Value, Value)>, String> {
    match coll {
        Value::Array(a) => Ok(a
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i), v.clone()))
            .collect()),
        Value::Object(m) => Ok(m
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), v.clone()))
            .collect()),
        _ => Err("for expression over a non-collection".into()),
    }
}

pub(super) fn index(v: Value, key: &Value) -> R {
    match v {
        Value::Array(mut a) => {
            let i = as_f64(key)?;
            if i < 0.0 || i.fract() != 0.0 || i as usize >= a.len() {
                return Err("index out of range".into());
            }
            Ok(a.swap_remove(i as usize))
        }
        Value::Object(mut m) => {
            let k = stringify(key)?;
            m.remove(&k).ok_or_else(|| format!("no key `{k}`"))
        }
        _ => Err("indexing a non-collection".into()),
    }
}

pub(super) fn truthy(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        _ => Err("not a boolean".into()),
    }
}

pub(super) fn binary(op: BinaryOperator, l: &Value, r: &Value) -> R {
    use BinaryOperator as B;
    Ok(match op {
        B::Eq => Value::Bool(l == r),
        B::NotEq => Value::Bool(l != r),
        B::And => Value::Bool(truthy(l)? && truthy(r)?),
        B::Or => Value::Bool(truthy(l)? || truthy(r)?),
        B::Less => Value::Bool(as_f64(l)? < as_f64(r)?),
        B::LessEq => Value::Bool(as_f64(l)? <= as_f64(r)?),
        B::Greater => Value::Bool(as_f64(l)? > as_f64(r)?),
        B::GreaterEq => Value::Bool(as_f64(l)? >= as_f64(r)?),
        B::Plus => float(as_f64(l)? + as_f64(r)?),
        B::Minus => float(as_f64(l)? - as_f64(r)?),
        B::Mul => float(as_f64(l)? * as_f64(r)?),
        B::Div => {
            let d = as_f64(r)?;
            if d == 0.0 {
                return Err("division by zero".into());
            }
            float(as_f64(l)? / d)
        }
        B::Mod => {
            let d = as_f64(r)?;
            if d == 0.0 {
                return Err("division by zero".into());
            }
            float(as_f64(l)? % d)
        }
    })
}

pub(super) fn arg<'v>(args: &'v [Value], i: usize, f: &str) -> Result<&'v Value, String> {
    args.get(i)
        .ok_or_else(|| format!("{f}() needs at least {} argument(s)", i + 1))
}

pub(super) fn str_arg(args: &[Value], i: usize, f: &str) -> Result<String, String> {
    stringify(arg(args, i, f)?)
}

pub(super) fn list_arg(args: &[Value], i: usize, f: &str) -> Result<Vec<Value>, String> {
    match arg(args, i, f)? {
        Value::Array(a) => Ok(a.clone()),
        _ => Err(format!("{f}() expects a list")),
    }
}

/// The functions the evaluator knows: `jsonencode`, `jsondecode`, `lower`, `upper`,
/// `trimspace`, `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`, `concat`,
/// `format`, `join`, `split`, `replace` (literal), `length`, `coalesce`, `merge`, `lookup`,
/// `element`, `contains`, `keys`, `values`, `flatten`, `distinct`, `startswith`, `endswith`.
/// Any other function is `Err("function X is not evaluated")`.
pub fn call(name: &str, args: &[Value]) -> R {
    let f = name;
    match name {
        "jsonencode" => serde_json::to_string(arg(args, 0, f)?)
            .map(Value::String)
            .map_err(|e| e.to_string()),
        "jsondecode" => {
            serde_json::from_str(&str_arg(args, 0, f)?).map_err(|e| format!("jsondecode: {e}"))
        }
        "lower" => Ok(Value::String(str_arg(args, 0, f)?.to_lowercase())),
        "upper" => Ok(Value::String(str_arg(args, 0, f)?.to_uppercase())),
        "trimspace" => Ok(Value::String(str_arg(args, 0, f)?.trim().to_string())),
        "tostring" => match arg(args, 0, f)? {
            Value::Null => Ok(Value::Null),
            v => Ok(Value::String(stringify(v)?)),
        },
        "tonumber" => Ok(float(as_f64(arg(args, 0, f)?)?)),
        "tobool" => Ok(Value::Bool(truthy(arg(args, 0, f)?)?)),
        "tolist" | "tomap" => Ok(arg(args, 0, f)?.clone()),
        "toset" | "distinct" => {
            let mut out: Vec<Value> = Vec::new();
            for v in list_arg(args, 0, f)? {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            if name == "toset" && out.iter().all(Value::is_string) {
                // Terraform orders a set of strings lexicographically.
                out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            Ok(Value::Array(out))
        }
        "concat" => {
            let mut out = Vec::new();
            for i in 0..args.len() {
                out.extend(list_arg(args, i, f)?);
            }
            Ok(Value::Array(out))
        }
        "flatten" => {
            fn flat(v: Value, out: &mut Vec<Value>) {
                match v {
                    Value::Array(a) => a.into_iter().for_each(|x| flat(x, out)),
                    x => out.push(x),
                }
            }
            let mut out = Vec::new();
            flat(arg(args, 0, f)?.clone(), &mut out);
            Ok(Value::Array(out))
        }
        "join" => {
            let sep = str_arg(args, 0, f)?;
            let mut parts = Vec::new();
            for i in 1..args.len() {
                for v in list_arg(args, i, f)? {
                    parts.push(stringify(&v)?);
                }
            }
            Ok(Value::String(parts.join(&sep)))
        }
        "split" => {
            let sep = str_arg(args, 0, f)?;
            let s = str_arg(args, 1, f)?;
            Ok(Value::Array(
                s.split(sep.as_str())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        "replace" => {
            let (s, from, to) = (
                str_arg(args, 0, f)?,
                str_arg(args, 1, f)?,
                str_arg(args, 2, f)?,
            );
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return Err("replace() with a regular expression is not evaluated".into());
            }
            Ok(Value::String(s.replace(&from, &to)))
        }
        "startswith" => Ok(Value::Bool(
            str_arg(args, 0, f)?.starts_with(&str_arg(args, 1, f)?),
        )),
        "endswith" => Ok(Value::Bool(
            str_arg(args, 0, f)?.ends_with(&str_arg(args, 1, f)?),
        )),
        "length" => match arg(args, 0, f)? {
            Value::Array(a) => Ok(Value::from(a.len())),
            Value::Object(m) => Ok(Value::from(m.len())),
            Value::String(s) => Ok(Value::from(s.chars().count())),
            _ => Err("length() of a non-collection".into()),
        },
        "coalesce" => args
            .iter()
            .find(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .ok_or_else(|| "coalesce(): no non-null, non-empty argument".into()),
        "merge" => {
            let mut m = Map::new();
            for v in args {
                match v {
                    Value::Object(o) => m.extend(o.clone()),
                    Value::Null => {}
                    _ => return Err("merge() of a non-object".into()),
                }
            }
            Ok(Value::Object(m))
        }
        "lookup" => match arg(args, 0, f)? {
            Value::Object(m) => {
                let k = str_arg(args, 1, f)?;
                match (m.get(&k), args.get(2)) {
                    (Some(v), _) => Ok(v.clone()),
                    (None, Some(d)) => Ok(d.clone()),
                    (None, None) => Err(format!("lookup(): no key `{k}`")),
                }
            }
            _ => Err("lookup() on a non-map".into()),
        },
        "element" => {
            let l = list_arg(args, 0, f)?;
            if l.is_empty() {
                return Err("element() of an empty list".into());
            }
            let i = as_f64(arg(args, 1, f)?)? as usize;
            Ok(l[i % l.len()].clone())
        }
        "contains" => Ok(Value::Bool(
            list_arg(args, 0, f)?.contains(arg(args, 1, f)?),
        )),
        "keys" | "values" => match arg(args, 0, f)? {
            Value::Object(m) => Ok(Value::Array(if name == "keys" {
                m.keys().map(|k| Value::String(k.clone())).collect()
            } else {
                m.values().cloned().collect()
            })),
            _ => Err(format!("{name}() of a non-map")),
        },
        "format" => format(&str_arg(args, 0, f)?, &args[1..]),
        _ => Err(format!("function `{name}` is not evaluated")),
    }
}

/// `format` with the verbs configurations use: `%s`, `%d`, `%v`, `%q`, `%%`.
pub(super) fn format(spec: &str, args: &[Value]) -> R {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("format(): trailing %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let v = it.next().ok_or("format(): too few arguments")?;
        match verb {
            's' | 'v' | 'd' => out.push_str(
                &stringify(v).or_else(|_| serde_json::to_string(v).map_err(|e| e.to_string()))?,
            ),
            'q' => out.push_str(&serde_json::to_string(&stringify(v)?).map_err(|e| e.to_string())?),
            other => return Err(format!("format(): verb %{other} is not evaluated")),
        }
    }
    Ok(Value::String(out))
}
