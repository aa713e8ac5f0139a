//! Expression helpers of the analysis: literals, object literals, variable mentions.

use super::*;

/// `module.a.module.b.random_password.x` → (["a", "b"], "random_password.x").
/// `module.a.var.api_key` → `api_key`.
pub(super) fn origin_var_name(origin: &str) -> &str {
    origin.rsplit_once("var.").map_or(origin, |(_, n)| n)
}

pub(super) fn split_module_prefix(addr: &str) -> (Vec<String>, &str) {
    let mut path = Vec::new();
    let mut rest = addr;
    while let Some(r) = rest.strip_prefix("module.") {
        match r.split_once('.') {
            Some((call, tail)) => {
                path.push(call.to_string());
                rest = tail;
            }
            None => break,
        }
    }
    (path, rest)
}

/// The string value of a literal (plain string or a template without interpolations).
pub(super) fn literal_str(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                match el {
                    Element::Literal(l) => out.push_str(l.value()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => literal_str(p.inner()),
        _ => None,
    }
}

/// Paths of secret-named object keys holding secret literals, anywhere inside `e`.
pub(super) fn collect_object_literals(
    cfg: &FlowPolicy,
    e: &Expression,
    path: &str,
    out: &mut Vec<String>,
) {
    match e {
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
                    _ => None,
                };
                let p = match (&key, path.is_empty()) {
                    (Some(k), true) => k.clone(),
                    (Some(k), false) => format!("{path}.{k}"),
                    (None, _) => path.to_string(),
                };
                if let (Some(k), Some(val)) = (&key, literal_str(v.expr()))
                    && cfg.is_secret_name(k)
                    && cfg.is_secret_literal(&val)
                {
                    out.push(p);
                    continue;
                }
                collect_object_literals(cfg, v.expr(), &p, out);
            }
        }
        Expression::Array(a) => a
            .iter()
            .for_each(|x| collect_object_literals(cfg, x, path, out)),
        Expression::FuncCall(fc) => fc
            .args
            .iter()
            .for_each(|x| collect_object_literals(cfg, x, path, out)),
        Expression::Parenthesis(p) => collect_object_literals(cfg, p.inner(), path, out),
        Expression::Conditional(c) => {
            collect_object_literals(cfg, &c.true_expr, path, out);
            collect_object_literals(cfg, &c.false_expr, path, out);
        }
        _ => {}
    }
}

/// Does `e` mention any of the bound names?
pub(super) fn mentions_any(e: &Expression, binds: &Binds) -> bool {
    let mut found = false;
    visit_vars(e, &mut |n| {
        if binds.iter().any(|(b, _)| b == n) {
            found = true;
        }
    });
    found
}

pub(super) fn visit_vars(e: &Expression, f: &mut dyn FnMut(&str)) {
    match e {
        Expression::Variable(v) => f(v.as_str()),
        Expression::Traversal(t) => {
            visit_vars(&t.expr, f);
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op.value() {
                    visit_vars(i, f);
                }
            }
        }
        Expression::Array(a) => a.iter().for_each(|x| visit_vars(x, f)),
        Expression::Object(o) => o.iter().for_each(|(k, v)| {
            if let ObjectKey::Expression(k) = k {
                visit_vars(k, f);
            }
            visit_vars(v.expr(), f);
        }),
        Expression::Parenthesis(p) => visit_vars(p.inner(), f),
        Expression::Conditional(c) => {
            visit_vars(&c.cond_expr, f);
            visit_vars(&c.true_expr, f);
            visit_vars(&c.false_expr, f);
        }
        Expression::FuncCall(fc) => fc.args.iter().for_each(|x| visit_vars(x, f)),
        Expression::UnaryOp(u) => visit_vars(&u.expr, f),
        Expression::BinaryOp(b) => {
            visit_vars(&b.lhs_expr, f);
            visit_vars(&b.rhs_expr, f);
        }
        Expression::ForExpr(fe) => {
            visit_vars(&fe.intro.collection_expr, f);
            visit_vars(&fe.value_expr, f);
        }
        Expression::StringTemplate(t) => t.iter().for_each(|el| {
            if let Element::Interpolation(i) = el {
                visit_vars(&i.expr, f)
            }
        }),
        _ => {}
    }
}
