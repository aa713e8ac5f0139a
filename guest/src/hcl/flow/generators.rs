//! Managed generators (`random_password` and kin): whether their value is persisted, and
//! where it goes.

use super::*;

impl<'a, 'm> Analyzer<'a, 'm> {
    /// The generator entry for a managed resource: by type, or `random_password`'s for a
    /// `random_string` named like a secret (`random_string "password"`).
    pub(super) fn generator_for(&self, item: &Item<'m>) -> Option<&'a Generator> {
        let cfg: &'a FlowPolicy = self.cfg;
        cfg.generator
            .iter()
            .find(|g| g.resource == item.rtype)
            .or_else(|| {
                (cfg.name_only_sources.contains(&item.rtype) && self.cfg.is_secret_name(&item.name))
                    .then(|| {
                        cfg.generator
                            .iter()
                            .find(|g| g.resource == "random_password")
                    })
                    .flatten()
            })
    }

    /// Does the generator's `unless_set` argument (`pgp_key`) have a value, so the provider
    /// keeps only ciphertext? A variable whose default is null does not count; one tfguard
    /// cannot resolve gets the benefit of the doubt.
    pub(super) fn encrypted(
        &self,
        idx: &'a ModuleIndex<'m>,
        item: &Item<'m>,
        g: &Generator,
    ) -> bool {
        let Some(arg) = &g.unless_set else {
            return false;
        };
        let Some((e, _)) = item.attr(arg) else {
            return false;
        };
        match Evaluator::new(idx).resolve(e) {
            Resolved::Known(v) => !v.is_null() && v.as_str().is_none_or(|s| !s.is_empty()),
            Resolved::Unknown { .. } => true,
        }
    }

    pub(super) fn generator_fact(
        &self,
        item: &Item<'m>,
        g: &Generator,
        attr: &str,
        used_by: Vec<String>,
    ) -> Fact {
        Fact::Generator {
            resource_type: item.rtype.to_string(),
            name: item.name.to_string(),
            attribute: attr.to_string(),
            used_by,
            replacement: g.ephemeral.clone(),
            requires: g.requires.clone(),
            fix: g.fix.clone(),
        }
    }

    /// TFG012: managed generators. A used one is reported naming where it is used; one that
    /// nothing references keeps its secret in state all the same.
    pub(super) fn generators(&self, root: &'a ModuleIndex<'m>) {
        let uses = std::mem::take(&mut *self.uses.borrow_mut());
        let mut reported = BTreeSet::new();
        for (origin, sinks) in uses {
            // Find the declaring item: strip the attribute, then any module prefix.
            let Some((res_addr, attr)) = origin.rsplit_once('.') else {
                continue;
            };
            let (module_path, local_addr) = split_module_prefix(res_addr);
            let Some(item) = self.find_item(root, &module_path, local_addr) else {
                continue;
            };
            let Some(g) = self.generator_for(item) else {
                continue;
            };
            if !g.attributes.iter().any(|a| a == attr) || reported.contains(res_addr) {
                continue;
            }
            let idx = self.index_of(root, &module_path).unwrap_or(root);
            if self.encrypted(idx, item, g) {
                continue;
            }
            reported.insert(res_addr.to_string());
            self.push(Flow {
                kind: FlowKind::PersistedGenerator,
                loc: item.loc(),
                address: res_addr.to_string(),
                attribute: attr.to_string(),
                hops: vec![origin.clone()],
                fact: self.generator_fact(item, g, attr, sinks),
            });
        }
        for item in root.of_kind(ItemKind::Resource) {
            let Some(g) = self.generator_for(item) else {
                continue;
            };
            if reported.contains(&item.address) || self.encrypted(root, item, g) {
                continue;
            }
            let Some(attr) = g.attributes.first() else {
                continue;
            };
            self.push(Flow {
                kind: FlowKind::PersistedGenerator,
                loc: item.loc(),
                address: item.address.clone(),
                attribute: attr.clone(),
                hops: vec![format!("{}.{attr}", item.address)],
                fact: self.generator_fact(item, g, attr, Vec::new()),
            });
        }
    }

    /// The index of the module instance at `module_path` (root = empty).
    pub(super) fn index_of(
        &self,
        root: &'a ModuleIndex<'m>,
        module_path: &[String],
    ) -> Option<&'a ModuleIndex<'m>> {
        let mut cur = root;
        let mut dir = normalise_dir(&root.module.dir);
        for call in module_path {
            let src = local_source(cur.get(&format!("module.{call}"))?)?;
            dir = dir_join(&dir, &src);
            cur = self.indexes.get(&dir)?;
        }
        Some(cur)
    }

    /// The item at `local_addr` in the module instance at `module_path` (root = empty).
    pub(super) fn find_item(
        &self,
        root: &'a ModuleIndex<'m>,
        module_path: &[String],
        local_addr: &str,
    ) -> Option<&'a Item<'m>> {
        let mut cur = root;
        let mut dir = normalise_dir(&root.module.dir);
        for call in module_path {
            let src = local_source(cur.get(&format!("module.{call}"))?)?;
            dir = dir_join(&dir, &src);
            cur = self.indexes.get(&dir)?;
        }
        cur.get(local_addr)
    }
}
