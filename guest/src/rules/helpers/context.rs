//! What a rule reads besides its input: the packs, the options, the known secrets, and the
//! work rules share within one `check` call ([`Memo`]).

use std::rc::Rc;

use crate::oauth::Client;
use crate::oauth::data::OauthData;
use crate::oauth::scopes::Catalogue;
use crate::options::Options;
use crate::policy::Policy;
use crate::rules::vault_secret_in_state;

/// Read-only context handed to rules.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub options: &'a Options,
    /// Known secret values (from Vault) for the cross-check.
    pub known_secrets: &'a [crate::types::KnownSecret],
    /// What rules derive from the inputs above, computed once per call.
    pub memo: Memo,
}

impl<'a> Ctx<'a> {
    pub fn new(
        policy: &'a Policy,
        options: &'a Options,
        known_secrets: &'a [crate::types::KnownSecret],
    ) -> Self {
        Ctx {
            policy,
            options,
            known_secrets,
            memo: Memo::default(),
        }
    }
}

/// The flow analysis and the (address, length) of the module list it ran on.
type FlowsMemo = (usize, usize, Rc<Vec<crate::hcl::flow::Flow>>);

/// Work shared between rules within one `check` call. The packs and options are fixed for
/// the call, so typed OAuth data and scope catalogues are built once, and the client model of
/// an instance once for all fifteen OAuth rules (they dominated large states: bench/NOTES.md).
#[derive(Default)]
pub struct Memo {
    oauth: std::cell::OnceCell<Result<Rc<OauthData>, String>>,
    oauth_resource: std::cell::OnceCell<String>,
    catalogues: std::cell::RefCell<Vec<(Vec<String>, Rc<Catalogue>)>>,
    /// Bumped by the engine for each instance; keys `client`.
    instance: std::cell::Cell<u64>,
    client: std::cell::RefCell<Option<(u64, Option<Rc<Client>>)>>,
    flow_policy: std::cell::OnceCell<Option<Rc<crate::hcl::flow::FlowPolicy>>>,
    needles: std::cell::OnceCell<Rc<vault_secret_in_state::Needles>>,
    /// The clients of the module being checked (the engine runs every rule on one module
    /// before the next), keyed by the module's address.
    module_clients: std::cell::RefCell<Option<(usize, Rc<Vec<Client>>)>>,
    /// The HCL flow analysis, shared by TFG010–TFG014, keyed by the module list it ran on.
    flows: std::cell::RefCell<Option<FlowsMemo>>,
}

impl Memo {
    /// The typed OAuth sections of the packs.
    pub fn oauth(&self, policy: &Policy) -> Result<Rc<OauthData>, String> {
        self.oauth
            .get_or_init(|| OauthData::load(policy).map(Rc::new))
            .clone()
    }

    /// The OAuth client's resource type, read without typing the whole pack (a broken pack is
    /// reported by the rules, for the instances it concerns).
    pub fn oauth_resource(&self, policy: &Policy) -> &str {
        self.oauth_resource.get_or_init(|| {
            policy
                .sections
                .get("oauth")
                .and_then(|t| t.get("resource"))
                .and_then(|v| v.as_str())
                .unwrap_or("genesyscloud_oauth_client")
                .to_string()
        })
    }

    /// The scope catalogue with `extra` scopes added.
    pub fn catalogue(&self, d: &OauthData, extra: &[String]) -> Rc<Catalogue> {
        let mut all = self.catalogues.borrow_mut();
        if let Some((_, c)) = all.iter().find(|(e, _)| e.as_slice() == extra) {
            return c.clone();
        }
        let c = Rc::new(Catalogue::new(&d.scopes, extra));
        all.push((extra.to_vec(), c.clone()));
        c
    }

    /// The `[hcl]` section, typed (validated in `engine::prepare`, so `None` cannot happen for
    /// a prepared call).
    pub fn flow_policy(&self, policy: &Policy) -> Option<Rc<crate::hcl::flow::FlowPolicy>> {
        self.flow_policy
            .get_or_init(|| crate::hcl::flow::FlowPolicy::load(policy).ok().map(Rc::new))
            .clone()
    }

    /// Searchers for every encoding of the known (Vault) secrets of this call.
    pub(crate) fn needles(
        &self,
        secrets: &[crate::types::KnownSecret],
    ) -> Rc<vault_secret_in_state::Needles> {
        self.needles
            .get_or_init(|| Rc::new(vault_secret_in_state::Needles::new(secrets)))
            .clone()
    }

    /// The secret-flow analysis of `modules`, run once for the five rules that report it.
    pub fn flows(
        &self,
        policy: &Policy,
        modules: &[crate::hcl::Module],
    ) -> Result<Rc<Vec<crate::hcl::flow::Flow>>, String> {
        let key = (modules.as_ptr() as usize, modules.len());
        if let Some((p, n, f)) = self.flows.borrow().as_ref()
            && (*p, *n) == key
        {
            return Ok(f.clone());
        }
        let f = Rc::new(crate::hcl::flow::analyze(policy, modules)?);
        *self.flows.borrow_mut() = Some((key.0, key.1, f.clone()));
        Ok(f)
    }

    /// The OAuth clients of module `m`, built once for all the rules that check them.
    pub fn module_clients(
        &self,
        m: &crate::hcl::Module,
        build: impl FnOnce() -> Vec<Client>,
    ) -> Rc<Vec<Client>> {
        let key = m as *const crate::hcl::Module as usize;
        if let Some((k, c)) = self.module_clients.borrow().as_ref()
            && *k == key
        {
            return c.clone();
        }
        let c = Rc::new(build());
        *self.module_clients.borrow_mut() = Some((key, c.clone()));
        c
    }

    /// A new instance is being visited: forget the last one's client.
    pub fn next_instance(&self) {
        self.instance.set(self.instance.get().wrapping_add(1));
    }

    /// The client model of the instance being visited, built on first use.
    pub fn client(&self, build: impl FnOnce() -> Option<Client>) -> Option<Rc<Client>> {
        let now = self.instance.get();
        if let Some((seen, c)) = self.client.borrow().as_ref()
            && *seen == now
        {
            return c.clone();
        }
        let c = build().map(Rc::new);
        *self.client.borrow_mut() = Some((now, c.clone()));
        c
    }
}
