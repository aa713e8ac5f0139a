//! Sinks: where a tainted value is persisted (resource and data source arguments, root
//! outputs), module calls that carry taint in and out, and provider uses.

use super::*;

impl<'a, 'm> Analyzer<'a, 'm> {
    pub(super) fn resource_sinks(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some(body) = item.body() else { return };
        let mut binds: Binds = Vec::new();
        if let Some((fe, _)) = item.attr("for_each") {
            let t = self.taint(f, fe, &mut Vec::new());
            binds.push(("each".to_string(), t));
        }
        self.sink_body(f, item, body, "", &mut binds);
    }

    pub(super) fn sink_body(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        body: &Body,
        prefix: &str,
        binds: &mut Binds,
    ) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.as_str();
                    if prefix.is_empty() && META_ARGS.contains(&name) {
                        continue;
                    }
                    let path = format!("{prefix}{name}");
                    let loc = attr_loc(item.file, a);
                    let write_only =
                        name.ends_with("_wo") || self.policy.is_write_only(&item.rtype, name);
                    let mut taints = self.taint(f, &a.value, binds);
                    add_all(&mut taints, self.literal_taint(None, name, &a.value));
                    self.sink(f, item, &path, name, write_only, &loc, taints);
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if NOT_SINK_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        let label = b
                            .labels
                            .first()
                            .map(|l| l.as_str().to_string())
                            .unwrap_or_default();
                        let iter = b
                            .body
                            .get_attribute("iterator")
                            .and_then(|a| match &a.value {
                                Expression::Variable(v) => Some(v.as_str().to_string()),
                                _ => None,
                            })
                            .unwrap_or_else(|| label.clone());
                        let t = b
                            .body
                            .get_attribute("for_each")
                            .map(|a| self.taint(f, &a.value, binds))
                            .unwrap_or_default();
                        let n = binds.len();
                        binds.push((iter, t));
                        for content in b.body.blocks().filter(|c| c.ident.as_str() == "content") {
                            self.sink_body(
                                f,
                                item,
                                &content.body,
                                &format!("{prefix}{label}."),
                                binds,
                            );
                        }
                        binds.truncate(n);
                    } else {
                        self.sink_body(f, item, &b.body, &format!("{prefix}{ident}."), binds);
                    }
                }
            }
        }
    }

    /// Report every taint reaching one sink argument.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sink(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        path: &str,
        leaf: &str,
        write_only: bool,
        loc: &Loc,
        taints: Taints,
    ) {
        let address = f.addr(&item.address);
        let sink = format!("{address}.{path}");
        for t in taints {
            self.note_use(f, &t, &sink);
            if write_only {
                continue;
            }
            let kind = match t.kind {
                OriginKind::Ephemeral => FlowKind::EphemeralToState,
                OriginKind::NameOnly if !self.cfg.is_secret_name(leaf) => continue,
                // `X-API-Key = var.classifier_api_key`: the variable's name says what it is.
                OriginKind::Unresolved { .. }
                    if !self.cfg.is_secret_name(leaf)
                        && !self.cfg.is_secret_name(origin_var_name(&t.origin)) =>
                {
                    continue;
                }
                OriginKind::Unresolved { .. } => FlowKind::CannotVerify,
                _ => FlowKind::SecretToState,
            };
            let mut hops = vec![t.origin.clone()];
            hops.extend(t.hops.iter().cloned());
            hops.push(sink.clone());
            self.push(Flow {
                kind,
                loc: loc.clone(),
                address: address.clone(),
                attribute: path.to_string(),
                hops,
                fact: Fact::Argument {
                    sink: self.sink_advice(&item.rtype, path, leaf),
                    source: self.source(t),
                    argument: path.to_string(),
                    leaf: leaf.to_string(),
                },
            });
        }
    }

    pub(super) fn output_sink(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some((e, loc)) = item.attr("value") else {
            return;
        };
        let sink = f.addr(&item.address);
        let before = self.flows.borrow().len();
        self.output_taints(f, item, e, &loc, &sink);
        // The author marked it sensitive: it holds a secret even where tfguard cannot see the
        // source (a registry module's output), and Terraform stores it in state all the same.
        if self.flows.borrow().len() == before && item.flag("sensitive") {
            self.push(Flow {
                kind: FlowKind::SecretToOutput,
                loc: loc.clone(),
                address: sink.clone(),
                attribute: String::new(),
                hops: vec![sink.clone()],
                fact: Fact::SensitiveOutput {
                    name: item.name.to_string(),
                },
            });
        }
    }

    pub(super) fn output_taints(
        &self,
        f: &Frame<'a, 'm>,
        item: &Item<'m>,
        e: &'m Expression,
        loc: &Loc,
        sink: &str,
    ) {
        let sink = sink.to_string();
        for t in self.taint(f, e, &mut Vec::new()) {
            self.note_use(f, &t, &sink);
            if (t.kind == OriginKind::NameOnly && !self.cfg.is_secret_name(&item.name))
                || matches!(t.kind, OriginKind::Unresolved { .. })
            {
                continue;
            }
            let mut hops = vec![t.origin.clone()];
            hops.extend(t.hops.iter().cloned());
            hops.push(sink.clone());
            let kind = if t.kind == OriginKind::Ephemeral {
                FlowKind::EphemeralToState
            } else {
                FlowKind::SecretToOutput
            };
            self.push(Flow {
                kind,
                loc: loc.clone(),
                address: sink.clone(),
                attribute: String::new(),
                hops,
                fact: Fact::RootOutput {
                    source: self.source(t),
                    name: item.name.to_string(),
                    sensitive: item.flag("sensitive"),
                },
            });
        }
    }

    pub(super) fn module_call(&self, f: &Frame<'a, 'm>, item: &Item<'m>, depth: usize) {
        if local_source(item).is_some()
            && let Some(child) = self.child_frame(f, &item.name, depth)
        {
            self.analyze_frame(&child, depth + 1);
            return;
        }
        // Remote module, or a local one whose files were not given: cannot follow.
        let src = item
            .attr("source")
            .and_then(|(e, _)| e.as_str().map(str::to_string))
            .unwrap_or_default();
        let cycle = local_source(item).is_some_and(|s| {
            f.dirs
                .contains(&dir_join(&normalise_dir(&f.idx.module.dir), &s))
        });
        let Some(body) = item.body() else { return };
        for a in body.attributes() {
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
            let loc = attr_loc(item.file, a);
            let sink = f.addr(&format!("{}.{k}", item.address));
            let mut taints = self.taint(f, &a.value, &mut Vec::new());
            let at = f.addr(&format!("{}.{k}", item.address));
            add_all(&mut taints, self.literal_taint(Some(&at), k, &a.value));
            for t in taints {
                if (t.kind == OriginKind::NameOnly && !self.cfg.is_secret_name(k))
                    || matches!(t.kind, OriginKind::Unresolved { .. })
                {
                    continue;
                }
                self.note_use(f, &t, &sink);
                let mut hops = vec![t.origin.clone()];
                hops.extend(t.hops.iter().cloned());
                hops.push(sink.clone());
                self.push(Flow {
                    kind: FlowKind::CannotVerify,
                    loc: loc.clone(),
                    address: f.addr(&item.address),
                    attribute: k.to_string(),
                    hops,
                    fact: Fact::UnfollowedModule {
                        source: self.source(t),
                        module: item.name.to_string(),
                        module_source: src.clone(),
                        cycle,
                        argument: k.to_string(),
                    },
                });
            }
        }
    }

    /// Provider blocks are not sinks, but a generator's value used there is still "used".
    pub(super) fn provider_uses(&self, f: &Frame<'a, 'm>, item: &Item<'m>) {
        let Some(body) = item.body() else { return };
        for a in body.attributes() {
            let sink = f.addr(&format!("{}.{}", item.address, a.key.as_str()));
            for t in self.taint(f, &a.value, &mut Vec::new()) {
                self.note_use(f, &t, &sink);
            }
        }
    }

    pub(super) fn note_use(&self, f: &Frame<'a, 'm>, t: &Taint, sink: &str) {
        let OriginKind::Managed { rtype } = &t.kind else {
            return;
        };
        // Secret-named `random_string`s are generators too (`generator_for` decides by name).
        if !self.cfg.generator.iter().any(|g| &g.resource == rtype)
            && !self.cfg.name_only_sources.iter().any(|s| s == rtype)
        {
            return;
        }
        let _ = f;
        let mut uses = self.uses.borrow_mut();
        let sinks = uses.entry(t.origin.clone()).or_default();
        if !sinks.iter().any(|s| s == sink) {
            sinks.push(sink.to_string());
        }
    }
}
