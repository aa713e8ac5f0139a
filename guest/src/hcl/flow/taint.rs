//! Sources and taint: which values of an expression carry a secret, through locals,
//! variables, child modules, `for` expressions and templates.

use super::*;

impl<'a, 'm> Analyzer<'a, 'm> {
    pub(super) fn analyze_frame(&self, f: &Frame<'a, 'm>, depth: usize) {
        for item in &f.idx.items {
            match item.kind {
                ItemKind::Resource | ItemKind::Data => self.resource_sinks(f, item),
                ItemKind::Output if f.is_root => self.output_sink(f, item),
                ItemKind::ModuleCall => self.module_call(f, item, depth),
                ItemKind::Provider => self.provider_uses(f, item),
                _ => {}
            }
        }
        if f.is_root {
            self.generators(f.idx);
        }
    }

    // ---- sources and propagation -------------------------------------------------------

    /// Taint of an expression in frame `f`.
    pub(super) fn taint(&self, f: &Frame<'a, 'm>, e: &Expression, binds: &mut Binds) -> Taints {
        let mut out = Taints::new();
        match e {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(a) => {
                for x in a.iter() {
                    add_all(&mut out, self.taint(f, x, binds));
                }
            }
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        add_all(&mut out, self.taint(f, ke, binds));
                    }
                    add_all(&mut out, self.taint(f, v.expr(), binds));
                }
            }
            Expression::StringTemplate(t) => {
                for el in t.iter() {
                    add_all(&mut out, self.taint_element(f, el, binds));
                }
            }
            Expression::HeredocTemplate(h) => {
                add_all(&mut out, self.taint_template(f, &h.template, binds))
            }
            Expression::Parenthesis(p) => add_all(&mut out, self.taint(f, p.inner(), binds)),
            Expression::Variable(v) => {
                if let Some((_, t)) = binds.iter().rev().find(|(n, _)| n == v.as_str()) {
                    add_all(&mut out, t.clone());
                }
            }
            Expression::Conditional(c) => {
                // A condition known from the configuration selects one branch.
                match self.known_bool(f, &c.cond_expr, binds) {
                    Some(true) => add_all(&mut out, self.taint(f, &c.true_expr, binds)),
                    Some(false) => add_all(&mut out, self.taint(f, &c.false_expr, binds)),
                    None => {
                        add_all(&mut out, self.taint(f, &c.true_expr, binds));
                        add_all(&mut out, self.taint(f, &c.false_expr, binds));
                    }
                }
            }
            Expression::FuncCall(fc) => {
                let name = fc.name.name.as_str();
                if fc.name.is_namespaced() || !self.cfg.sanitizers.iter().any(|s| s == name) {
                    for a in fc.args.iter() {
                        add_all(&mut out, self.taint(f, a, binds));
                    }
                }
            }
            Expression::Traversal(t) => add_all(&mut out, self.taint_traversal(f, t, binds)),
            Expression::UnaryOp(u) => {
                // `!x` is a bool; `-x` is the number itself.
                if matches!(u.operator.value(), hcl::edit::expr::UnaryOperator::Neg) {
                    add_all(&mut out, self.taint(f, &u.expr, binds));
                }
            }
            Expression::BinaryOp(b) => {
                use BinaryOperator as B;
                // Comparisons and logic yield a bool, not the secret.
                if matches!(
                    b.operator.value(),
                    B::Plus | B::Minus | B::Mul | B::Div | B::Mod
                ) {
                    add_all(&mut out, self.taint(f, &b.lhs_expr, binds));
                    add_all(&mut out, self.taint(f, &b.rhs_expr, binds));
                }
            }
            Expression::ForExpr(fe) => {
                let coll = self.taint(f, &fe.intro.collection_expr, binds);
                let n = binds.len();
                if let Some(k) = &fe.intro.key_var {
                    binds.push((k.as_str().to_string(), coll.clone()));
                }
                binds.push((fe.intro.value_var.as_str().to_string(), coll));
                if let Some(k) = &fe.key_expr {
                    add_all(&mut out, self.taint(f, k, binds));
                }
                add_all(&mut out, self.taint(f, &fe.value_expr, binds));
                binds.truncate(n);
            }
        }
        out
    }

    pub(super) fn taint_template(
        &self,
        f: &Frame<'a, 'm>,
        t: &Template,
        binds: &mut Binds,
    ) -> Taints {
        let mut out = Taints::new();
        for el in t.iter() {
            add_all(&mut out, self.taint_element(f, el, binds));
        }
        out
    }

    pub(super) fn taint_element(
        &self,
        f: &Frame<'a, 'm>,
        el: &Element,
        binds: &mut Binds,
    ) -> Taints {
        match el {
            Element::Literal(_) => Taints::new(),
            Element::Interpolation(i) => self.taint(f, &i.expr, binds),
            Element::Directive(d) => match &**d {
                Directive::If(ifd) => {
                    let mut out = Taints::new();
                    let known = self.known_bool(f, &ifd.if_expr.cond_expr, binds);
                    if known != Some(false) {
                        add_all(
                            &mut out,
                            self.taint_template(f, &ifd.if_expr.template, binds),
                        );
                    }
                    if let (Some(e), true) = (&ifd.else_expr, known != Some(true)) {
                        add_all(&mut out, self.taint_template(f, &e.template, binds));
                    }
                    out
                }
                Directive::For(fd) => {
                    let fe = &fd.for_expr;
                    let coll = self.taint(f, &fe.collection_expr, binds);
                    let n = binds.len();
                    if let Some(k) = &fe.key_var {
                        binds.push((k.as_str().to_string(), coll.clone()));
                    }
                    binds.push((fe.value_var.as_str().to_string(), coll));
                    let out = self.taint_template(f, &fe.template, binds);
                    binds.truncate(n);
                    out
                }
            },
        }
    }

    /// The condition's value, if the configuration alone decides it (and no bound name is
    /// involved).
    pub(super) fn known_bool(
        &self,
        f: &Frame<'a, 'm>,
        e: &Expression,
        binds: &Binds,
    ) -> Option<bool> {
        if !binds.is_empty() && mentions_any(e, binds) {
            return None;
        }
        match f.ev.resolve(e) {
            Resolved::Known(serde_json::Value::Bool(b)) => Some(b),
            _ => None,
        }
    }

    pub(super) fn taint_traversal(
        &self,
        f: &Frame<'a, 'm>,
        t: &Traversal,
        binds: &mut Binds,
    ) -> Taints {
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            other => return self.taint(f, other, binds),
        };
        if let Some((_, ts)) = binds.iter().rev().find(|(n, _)| *n == root) {
            return ts.clone();
        }
        // Attribute names after the root, indexes and splats skipped.
        let names: Vec<String> = t
            .operators
            .iter()
            .filter_map(|o| match o.value() {
                TraversalOperator::GetAttr(n) => Some(n.as_str().to_string()),
                TraversalOperator::Index(Expression::String(s)) => Some(s.value().clone()),
                _ => None,
            })
            .collect();
        let first = |i: usize| names.get(i).map(String::as_str);
        // The attribute path after the resource address (`master_auth`, `client_key`).
        let rest = |i: usize| -> Vec<&str> { names.iter().skip(i).map(String::as_str).collect() };
        match root.as_str() {
            "var" => first(0).map(|n| self.var_taint(f, n)).unwrap_or_default(),
            "local" => match first(0) {
                Some(n) => self.local_taint(f, n, first(1)),
                None => Taints::new(),
            },
            "module" => match (first(0), first(1)) {
                (Some(call), Some(out)) => self.module_output_taint(f, call, out),
                _ => Taints::new(),
            },
            "data" => match (first(0), first(1)) {
                (Some(ty), Some(name)) => self.data_taint(f, ty, name, rest(2)),
                _ => Taints::new(),
            },
            "ephemeral" => match (first(0), first(1)) {
                (Some(ty), Some(name)) => {
                    let origin = match first(2) {
                        Some(a) => f.addr(&format!("ephemeral.{ty}.{name}.{a}")),
                        None => f.addr(&format!("ephemeral.{ty}.{name}")),
                    };
                    vec![Taint {
                        origin,
                        kind: OriginKind::Ephemeral,
                        hops: Vec::new(),
                    }]
                }
                _ => Taints::new(),
            },
            "count" | "path" | "terraform" | "self" | "each" => Taints::new(),
            rtype => match first(0) {
                Some(name) => self.managed_taint(f, rtype, name, rest(1)),
                None => Taints::new(),
            },
        }
    }

    pub(super) fn var_taint(&self, f: &Frame<'a, 'm>, name: &str) -> Taints {
        let addr = f.addr(&format!("var.{name}"));
        let mut out = f
            .inputs
            .get(name)
            .cloned()
            .map(|t| with_hop(t, &addr))
            .unwrap_or_default();
        if let Some(item) = f.idx.get(&format!("var.{name}")) {
            if item.flag("ephemeral") {
                out.push(Taint {
                    origin: addr.clone(),
                    kind: OriginKind::Ephemeral,
                    hops: Vec::new(),
                });
            } else if item.flag("sensitive") {
                out.push(Taint {
                    origin: addr.clone(),
                    kind: OriginKind::SensitiveVar,
                    hops: Vec::new(),
                });
            } else if !f.inputs.contains_key(name) {
                // The value Terraform would use: default < terraform.tfvars < *.auto.tfvars <
                // -var-file (the evaluator applies the precedence).
                match f.ev.var(name) {
                    Resolved::Known(v) => {
                        if self.cfg.is_secret_name(name)
                            && v.as_str().is_some_and(|v| self.cfg.is_secret_literal(v))
                        {
                            out.push(Taint {
                                origin: addr,
                                kind: OriginKind::Literal,
                                hops: Vec::new(),
                            });
                        }
                    }
                    Resolved::Unknown { reason } if f.is_root => out.push(Taint {
                        origin: addr,
                        kind: OriginKind::Unresolved {
                            reason,
                            unmarked_secret_name: self.cfg.is_secret_name(name),
                        },
                        hops: Vec::new(),
                    }),
                    Resolved::Unknown { .. } => {}
                }
            }
        } else if f.is_root && !f.inputs.contains_key(name) {
            // Terraform rejects the reference, but what it was meant to carry is still worth
            // naming: a secret-named one is reported as "cannot verify".
            out.push(Taint {
                origin: addr,
                kind: OriginKind::Unresolved {
                    reason: "it is not declared in the module".into(),
                    unmarked_secret_name: false,
                },
                hops: Vec::new(),
            });
        }
        out
    }

    pub(super) fn local_taint(&self, f: &Frame<'a, 'm>, name: &str, field: Option<&str>) -> Taints {
        let addr = f.addr(&format!("local.{name}"));
        let Some(item) = f.idx.get(&format!("local.{name}")) else {
            return Taints::new();
        };
        let Some(expr) = item.local_expr() else {
            return Taints::new();
        };
        // Field-sensitive for object literals: `local.creds.client_id` is not the secret
        // next to it.
        if let (Some(field), Expression::Object(o)) = (field, expr) {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
                    _ => None,
                };
                if key.as_deref() == Some(field) {
                    let key_id = format!("{name}.{field}");
                    if !f.in_progress.borrow_mut().insert(key_id.clone()) {
                        return Taints::new();
                    }
                    let t = self.taint(f, v.expr(), &mut Vec::new());
                    f.in_progress.borrow_mut().remove(&key_id);
                    let mut t = with_hop(t, &addr);
                    add_all(&mut t, self.literal_taint(Some(&addr), field, v.expr()));
                    return t;
                }
            }
        }
        if let Some(t) = f.locals.borrow().get(name) {
            return t.clone();
        }
        if !f.in_progress.borrow_mut().insert(name.to_string()) {
            return Taints::new();
        }
        let mut t = with_hop(self.taint(f, expr, &mut Vec::new()), &addr);
        add_all(&mut t, self.literal_taint(Some(&addr), name, expr));
        f.in_progress.borrow_mut().remove(name);
        f.locals.borrow_mut().insert(name.to_string(), t.clone());
        t
    }

    /// Hard-coded secret literals in `e` as sources: `e` itself when `name` is secret-named,
    /// and secret-named keys of objects inside it (`jsonencode({ password = "…" })`).
    /// `at` names the place (`local.creds`); `None` means the sink argument itself.
    pub(super) fn literal_taint(&self, at: Option<&str>, name: &str, e: &Expression) -> Taints {
        let mut out = Taints::new();
        let mk = |origin: String| Taint {
            origin,
            kind: OriginKind::Literal,
            hops: Vec::new(),
        };
        match literal_str(e) {
            Some(v) if self.cfg.is_secret_name(name) && self.cfg.is_secret_literal(&v) => {
                out.push(mk(at
                    .map(str::to_string)
                    .unwrap_or_else(|| "hard-coded literal".into())));
            }
            _ => {
                let mut keys = Vec::new();
                collect_object_literals(self.cfg, e, "", &mut keys);
                for k in keys {
                    out.push(mk(match at {
                        Some(a) => format!("{a}.{k}"),
                        None => format!("hard-coded literal `{k}`"),
                    }));
                }
            }
        }
        out
    }

    pub(super) fn managed_taint(
        &self,
        f: &Frame<'a, 'm>,
        rtype: &str,
        name: &str,
        path: Vec<&str>,
    ) -> Taints {
        let attr = path.first().copied();
        let base = format!("{rtype}.{name}");
        let Some(item) = f.idx.get(&base) else {
            return Taints::new();
        };
        let mut out = Taints::new();
        // `random_string "password"` is a password whatever argument it reaches.
        let name_only =
            self.cfg.name_only_sources.iter().any(|s| s == rtype) && !self.cfg.is_secret_name(name);
        let kind = if name_only {
            OriginKind::NameOnly
        } else {
            OriginKind::Managed {
                rtype: rtype.to_string(),
            }
        };
        match attr {
            Some(a)
                if self
                    .policy
                    .secret_within_path("managed", rtype, &path)
                    .is_some() =>
            {
                out.push(Taint {
                    origin: f.addr(&format!("{base}.{a}")),
                    kind,
                    hops: Vec::new(),
                })
            }
            Some(a) => {
                // An argument echoes its configured value: taint flows through it.
                if let Some((e, _)) = item.attr(a) {
                    let key = format!("res:{base}.{a}");
                    if f.in_progress.borrow_mut().insert(key.clone()) {
                        let t = self.taint(f, e, &mut Vec::new());
                        f.in_progress.borrow_mut().remove(&key);
                        add_all(&mut out, with_hop(t, &f.addr(&format!("{base}.{a}"))));
                    }
                }
            }
            None => {
                // The whole object carries every secret attribute.
                for entry in self.policy.secret_attributes_for("managed", rtype) {
                    for a in &entry.attributes {
                        out.push(Taint {
                            origin: f.addr(&format!("{base}.{}", a.trim_end_matches('*'))),
                            kind: kind.clone(),
                            hops: Vec::new(),
                        });
                    }
                }
            }
        }
        out
    }

    pub(super) fn data_taint(
        &self,
        f: &Frame<'a, 'm>,
        rtype: &str,
        name: &str,
        path: Vec<&str>,
    ) -> Taints {
        let attr = path.first().copied();
        let base = format!("data.{rtype}.{name}");
        if f.idx.get(&base).is_none() {
            return Taints::new();
        }
        let extra = self
            .cfg
            .secret_data_source
            .iter()
            .find(|d| d.resource == rtype);
        let secret = match attr {
            Some(a) => {
                self.policy
                    .secret_within_path("data", rtype, &path)
                    .is_some()
                    || extra.is_some_and(|d| {
                        d.attributes.is_empty()
                            || d.attributes
                                .iter()
                                .any(|p| crate::policy::name_matches(p, a))
                    })
            }
            None => {
                self.policy
                    .secret_attributes_for("data", rtype)
                    .next()
                    .is_some()
                    || extra.is_some()
            }
        };
        if !secret {
            return Taints::new();
        }
        let origin = match attr {
            Some(a) => f.addr(&format!("{base}.{a}")),
            None => f.addr(&base),
        };
        vec![Taint {
            origin,
            kind: OriginKind::Data {
                rtype: rtype.to_string(),
            },
            hops: Vec::new(),
        }]
    }

    pub(super) fn module_output_taint(
        &self,
        f: &Frame<'a, 'm>,
        call: &str,
        output: &str,
    ) -> Taints {
        let Some(child) = self.child_frame(f, call, 0) else {
            return Taints::new();
        };
        let Some(out_item) = child.idx.get(&format!("output.{output}")) else {
            return Taints::new();
        };
        let Some((e, _)) = out_item.attr("value") else {
            return Taints::new();
        };
        let key = format!("out:{output}");
        if !child.in_progress.borrow_mut().insert(key.clone()) {
            return Taints::new();
        }
        let t = self.taint(&child, e, &mut Vec::new());
        child.in_progress.borrow_mut().remove(&key);
        with_hop(t, &f.addr(&format!("module.{call}.{output}")))
    }

    /// The frame of a local child module call (created once per call).
    pub(super) fn child_frame(
        &self,
        f: &Frame<'a, 'm>,
        call: &str,
        depth: usize,
    ) -> Option<Rc<Frame<'a, 'm>>> {
        if let Some(c) = f.children.borrow().get(call) {
            return Some(c.clone());
        }
        if f.prefix.matches("module.").count() >= MAX_MODULE_DEPTH || depth > MAX_MODULE_DEPTH {
            return None;
        }
        let item = f.idx.get(&format!("module.{call}"))?;
        let src = local_source(item)?;
        let dir = dir_join(&normalise_dir(&f.idx.module.dir), &src);
        if f.dirs.contains(&dir) {
            return None;
        }
        let cidx = self.indexes.get(&dir)?;
        let mut inputs = BTreeMap::new();
        let mut values = BTreeMap::new();
        for a in item.body()?.attributes() {
            let k = a.key.as_str();
            if [
                "source",
                "version",
                "count",
                "for_each",
                "depends_on",
                "providers",
            ]
            .contains(&k)
            {
                continue;
            }
            let mut t = self.taint(f, &a.value, &mut Vec::new());
            add_all(
                &mut t,
                self.literal_taint(Some(&f.addr(&format!("module.{call}.{k}"))), k, &a.value),
            );
            inputs.insert(k.to_string(), t);
            values.insert(k.to_string(), f.ev.resolve(&a.value));
        }
        let child = Rc::new(Frame {
            idx: cidx,
            ev: Evaluator::with_inputs(cidx, values),
            prefix: format!("{}module.{call}.", f.prefix),
            is_root: false,
            inputs,
            locals: RefCell::new(BTreeMap::new()),
            in_progress: RefCell::new(BTreeSet::new()),
            children: RefCell::new(BTreeMap::new()),
            dirs: f.dirs.iter().cloned().chain([dir]).collect(),
        });
        f.children
            .borrow_mut()
            .insert(call.to_string(), child.clone());
        Some(child)
    }
}
