//! Genesys Cloud OAuth API emulator for tfguard's tests, following `shared/facts/genesys.md`.
//!
//! One loopback server serves both hosts the real client talks to: the login host's
//! `POST /oauth/token` and the API host's `/api/v2/...`. Point both base URLs at
//! [`Handle::base_url`].
//!
//! ```no_run
//! use genesys_emulator::{Emulator, Fault, Options};
//! let emu = Emulator::start(Options::default().admin("admin-id", "admin-secret")).unwrap();
//! emu.inject(Fault::too_many_requests(2, 1));
//! println!("{}", emu.base_url());
//! ```

mod api;
mod control;
mod faults;
mod model;
mod server;
mod state;

pub use faults::{Fault, FaultKind};
pub use model::{DomainEntityRef, OAuthClient, RoleDivision, Secret};
pub use state::{ALL_PERMISSIONS, LogEntry, TokenRefusal};

use state::{Inner, Shared};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How to start the emulator. `Debug` is not derived: it holds the admin secret.
#[derive(Clone)]
pub struct Options {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seeded admin client (grant `CLIENT-CREDENTIALS`, state `active`).
    pub admin_client_id: String,
    pub admin_client_secret: String,
    /// Permissions of the admin client; all of [`ALL_PERMISSIONS`] by default.
    pub admin_permissions: Vec<String>,
    /// Print one line per request (method, path, status) to stderr.
    pub echo_requests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            admin_client_id: "emulator-admin".into(),
            admin_client_secret: state::random_token(32),
            admin_permissions: ALL_PERMISSIONS.iter().map(|p| p.to_string()).collect(),
            echo_requests: false,
        }
    }
}

impl Options {
    pub fn admin(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.admin_client_id = id.into();
        self.admin_client_secret = secret.into();
        self
    }
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
    pub fn admin_permissions(mut self, perms: &[&str]) -> Self {
        self.admin_permissions = perms.iter().map(|p| p.to_string()).collect();
        self
    }
    pub fn echo_requests(mut self, on: bool) -> Self {
        self.echo_requests = on;
        self
    }
}

pub struct Emulator;

impl Emulator {
    /// Bind 127.0.0.1 and serve from a background thread with its own tokio runtime. The server
    /// stops when the returned [`Handle`] is dropped.
    pub fn start(opts: Options) -> std::io::Result<Handle> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;

        let now = state::now_iso();
        let admin = OAuthClient {
            id: opts.admin_client_id.clone(),
            name: "Emulator admin (Terraform)".into(),
            description: Some("Seeded client-credentials client used to call the API".into()),
            access_token_validity_seconds: model::DEFAULT_VALIDITY,
            registered_redirect_uri: Vec::new(),
            role_ids: Vec::new(),
            authorized_grant_type: "CLIENT-CREDENTIALS".into(),
            scope: Vec::new(),
            role_divisions: Vec::new(),
            state: "active".into(),
            date_to_delete: None,
            date_created: now.clone(),
            date_modified: now,
            created_by: None,
            modified_by: None,
            secret: Secret::new(opts.admin_client_secret.clone()),
        };
        let mut permissions = BTreeMap::new();
        permissions.insert(
            admin.id.clone(),
            opts.admin_permissions.iter().cloned().collect(),
        );
        let shared = Shared::new(Inner {
            admin_id: admin.id.clone(),
            clients: BTreeMap::from([(admin.id.clone(), admin)]),
            tokens: BTreeMap::new(),
            permissions,
            faults: Vec::new(),
            latency: Duration::ZERO,
            default_page_size: None,
            log: Vec::new(),
            echo: opts.echo_requests,
            org_id: uuid::Uuid::new_v4().to_string(),
        });

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel();
        let app = api::router(shared.clone());
        let thread = std::thread::Builder::new()
            .name("genesys-emulator".into())
            .spawn(move || runtime.block_on(server::serve(listener, app, stopped)))?;
        Ok(Handle {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Handle {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// `http://127.0.0.1:PORT`: use it for both the API host and the login host.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn admin_client_id(&self) -> String {
        self.shared.lock().admin_id.clone()
    }

    /// Clients created through the API (the seeded admin client is left out), secrets included.
    pub fn clients(&self) -> Vec<OAuthClient> {
        let inner = self.shared.lock();
        inner
            .clients
            .values()
            .filter(|c| c.id != inner.admin_id)
            .cloned()
            .collect()
    }

    /// Any client by id, the admin client included.
    pub fn client(&self, id: &str) -> Option<OAuthClient> {
        self.shared.lock().clients.get(id).cloned()
    }

    /// Change a client server-side, as someone using the Genesys UI would (drift). The id cannot
    /// change. Returns false when there is no such client.
    pub fn edit_client(&self, id: &str, edit: impl FnOnce(&mut OAuthClient)) -> bool {
        let mut inner = self.shared.lock();
        let Some(client) = inner.clients.get_mut(id) else {
            return false;
        };
        edit(client);
        client.id = id.to_owned();
        client.date_modified = state::now_iso();
        true
    }

    /// Delete a client server-side regardless of its state (out-of-band deletion).
    pub fn remove_client(&self, id: &str) -> bool {
        let mut inner = self.shared.lock();
        inner.tokens.retain(|_, t| t.client_id != id);
        inner.clients.remove(id).is_some()
    }

    /// Would `POST /oauth/token` with these credentials succeed? (Issues no token.)
    pub fn check_credentials(&self, id: &str, secret: &str) -> Result<(), TokenRefusal> {
        self.shared.lock().check_credentials(id, secret).map(|_| ())
    }

    /// Requests handled so far (control endpoints excluded).
    pub fn requests(&self) -> Vec<LogEntry> {
        self.shared.lock().log.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// Queue a fault. Faults are tried in the order injected; each applies to `count` requests.
    /// Panics on an invalid fault (a 5xx fault with a non-5xx status): a bug in the test.
    pub fn inject(&self, fault: Fault) {
        if let Err(e) = fault.validate() {
            panic!("invalid fault: {e}");
        }
        self.shared.lock().faults.push(fault);
    }

    /// Faults not yet used up.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.lock().faults.clone()
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Page size for listings that ask for none (the SDKs never do, facts §3.1), so clients
    /// must follow `nextUri` to see every client; `None` (the default) puts all on one page.
    pub fn set_default_page_size(&self, size: Option<usize>) {
        self.shared.lock().default_page_size = size.filter(|n| *n > 0);
    }

    /// Delay added before every request (control endpoints excluded).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Replace the permissions of a client (the admin client's id for the admin).
    pub fn set_permissions(&self, client_id: &str, perms: &[&str]) {
        let set = perms.iter().map(|p| p.to_string()).collect();
        self.shared
            .lock()
            .permissions
            .insert(client_id.to_owned(), set);
    }

    /// Replace the admin client's permissions, e.g. without `oauth:client:add` to get 403s.
    pub fn set_admin_permissions(&self, perms: &[&str]) {
        let admin = self.admin_client_id();
        self.set_permissions(&admin, perms);
    }

    /// Make every issued token expired (401 `credentials.expired` on its next use).
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for t in self.shared.lock().tokens.values_mut() {
            t.expires = now;
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
