//! The sandbox: wasmtime runs the policy guest with no WASI at all (every import is a trap),
//! a memory cap, and a deadline (an epoch trap, or a watchdog that ends the process: see
//! [`Deadline`]). The guest is compiled once per (guest hash, engine
//! compatibility hash) and cached as a `.cwasm`, so the normal path loads it with an mmap and
//! never runs Cranelift.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};

wasmtime::component::bindgen!({
    world: "guard",
    path: "wit",
    // Records compare (provisioning state); no WIT type holds a float.
    additional_derives: [PartialEq, Eq],
});

pub use self::tfguard::policy::types as wit;

/// The guest, as built by `guest-wasm/build.rs`.
pub use tfguard_guest_wasm::GUEST_WASM;

/// Epoch ticks per second; the deadline is counted in ticks.
const TICKS_PER_SEC: u64 = 100;

/// A value that must not occur in the checked documents, named by its label (`mount/path#key`)
/// in findings. `Debug` shows the label only.
pub struct KnownValue {
    pub label: String,
    pub value: secrecy::SecretString,
}

impl std::fmt::Debug for KnownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownValue")
            .field("label", &self.label)
            .field("value", &"[redacted]")
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_memory: usize,
    pub timeout: Duration,
    pub deadline: Deadline,
}

impl Default for Limits {
    fn default() -> Self {
        // Enough for a 500 MB state; the benchmark's 100 MB state peaks far below.
        Limits {
            max_memory: 2 << 30,
            timeout: Duration::from_secs(120),
            deadline: Deadline::Trap,
        }
    }
}

/// How a guest call that runs past `Limits::timeout` is stopped.
#[derive(Clone, Copy, Debug)]
pub enum Deadline {
    /// Epoch interruption: the call traps and returns [`GuestError::Timeout`], and the caller
    /// carries on (a provisioning flow records where it stopped). The guest checks the epoch at
    /// every function entry and loop: 11% of a 100 MB state's check.
    Trap,
    /// No checks in the guest's code: a watchdog ends the process with the same timeout error
    /// and exit code, given to the function named here. For a run with nothing to record when
    /// a call does not return: `tfguard check`, whose report is written only after the guest
    /// has finished.
    Exit(fn(GuestError) -> !),
}

#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    #[error("policy guest exceeded its memory limit of {limit} (raise it with --max-memory)")]
    Memory { limit: String },
    #[error("policy guest exceeded its time limit of {0:?} (raise it with --timeout)")]
    Timeout(Duration),
    #[error("policy guest trapped: {0}")]
    Trap(String),
    #[error("policy guest could not be loaded: {0}")]
    Load(String),
    #[error("policy settings rejected: {}", .0.message)]
    Settings(wit::SettingsError),
}

struct HostState {
    limits: StoreLimits,
}

pub struct Runtime {
    /// The rules' metadata, asked of the instance that checked (after its check, when the
    /// report has findings) rather than of an instance of its own: a new instance was a sixth
    /// of a small check's time.
    rules: std::sync::Mutex<Option<Vec<wit::RuleInfo>>>,
    engine: Engine,
    pre: GuardPre<HostState>,
    limits: Limits,
    /// How the component was obtained, for `--verbose` and the start-up benchmark.
    pub load_path: LoadPath,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadPath {
    /// mmap'd a cached precompiled artifact.
    Cache,
    /// compiled now and wrote the cache.
    CompiledAndCached,
    /// compiled now; no cache directory was usable.
    Compiled,
}

fn engine_config(deadline: Deadline) -> Config {
    let mut c = Config::new();
    // The two modes compile differently (the cached artifact's name follows the config).
    c.epoch_interruption(matches!(deadline, Deadline::Trap));
    // For profiling the guest with `perf` (bench/NOTES.md): writes /tmp/perf-<pid>.map so
    // perf can name the guest's compiled functions.
    if std::env::var_os("TFGUARD_PERFMAP").is_some() {
        c.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    c
}

/// `$TFGUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/tfguard`, else `~/.cache/tfguard`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TFGUARD_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("tfguard"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/tfguard"))
}

use tfguard_guest_wasm::GUEST_HASH;

fn artifact_name(engine: &Engine) -> String {
    use std::hash::{Hash, Hasher};
    // The compatibility hash covers the wasmtime version, the Config and the CPU features.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    format!("guard-{GUEST_HASH}-{:016x}.cwasm", h.finish())
}

fn load_component(engine: &Engine) -> Result<(Component, LoadPath), GuestError> {
    let Some(dir) = cache_dir().filter(|d| d.is_absolute() && private_or_absent(d)) else {
        return compile(engine).map(|c| (c, LoadPath::Compiled));
    };
    let path = dir.join(artifact_name(engine));
    if path.is_file() {
        // SAFETY: the file is an artifact this program wrote with `precompile_component` for an
        // engine with the same compatibility hash (it is in the name); wasmtime re-checks the
        // header and refuses a mismatch, which falls back to compiling.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok((c, LoadPath::Cache));
        }
    }
    let bytes = engine
        .precompile_component(GUEST_WASM)
        .map_err(|e| GuestError::Load(format!("{e:#}")))?;
    if write_atomically(&dir, &path, &bytes).is_ok() {
        // SAFETY: as above; these are the bytes just produced by this engine.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok((c, LoadPath::CompiledAndCached));
        }
    }
    // SAFETY: bytes produced by `precompile_component` on this very engine.
    let c = unsafe { Component::deserialize(engine, &bytes) }
        .map_err(|e| GuestError::Load(format!("{e:#}")))?;
    Ok((c, LoadPath::Compiled))
}

/// A cache directory others can write to could hand us machine code: ignore it (like ssh does
/// with loose permissions) and compile in memory instead.
fn private_or_absent(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(dir) {
            Ok(m) => m.permissions().mode() & 0o022 == 0,
            Err(_) => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        true
    }
}

fn compile(engine: &Engine) -> Result<Component, GuestError> {
    Component::new(engine, GUEST_WASM).map_err(|e| GuestError::Load(format!("{e:#}")))
}

/// The artifact cache is written atomically; its directory must be the user's alone, since
/// loading an artifact runs its machine code.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    crate::atomic::write(path, bytes)
}

impl Runtime {
    pub fn new(limits: Limits) -> Result<Runtime, GuestError> {
        let engine = Engine::new(&engine_config(limits.deadline))
            .map_err(|e| GuestError::Load(format!("{e:#}")))?;
        let (component, load_path) = load_component(&engine)?;
        let mut linker = Linker::<HostState>::new(&engine);
        // Hash maps in the guest's dependencies (hcl's IndexMap) ask WASI for a hash seed.
        // A fixed seed keeps the guest a deterministic function of its input; HashDoS is
        // bounded by the memory and time limits.
        let seed_imports: Vec<String> = component
            .component_type()
            .imports(&engine)
            .map(|(name, _)| name.to_string())
            .filter(|n| n.starts_with("wasi:random/insecure-seed@"))
            .collect();
        for name in seed_imports {
            linker
                .instance(&name)
                .and_then(|mut i| {
                    i.func_wrap("insecure-seed", |_, (): ()| {
                        Ok(((0x7466_6775_6172_6431u64, 0x5eed_u64),))
                    })
                })
                .map_err(|e| GuestError::Load(format!("{e:#}")))?;
        }
        // No WASI: the guest's std imports (stdio, env, exit) exist only as traps, so the
        // guest has no usable I/O whatever its code does.
        linker
            .define_unknown_imports_as_traps(&component)
            .map_err(|e| GuestError::Load(format!("{e:#}")))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| GuestError::Load(format!("{e:#}")))?;
        let pre = GuardPre::new(pre).map_err(|e| GuestError::Load(format!("{e:#}")))?;
        Ok(Runtime {
            rules: Default::default(),
            engine,
            pre,
            limits,
            load_path,
        })
    }

    /// A fresh store and instance per call: after a trap an instance is poisoned, and inputs
    /// must not see each other's memory.
    fn instance(&self) -> Result<(Store<HostState>, Guard), GuestError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.max_memory)
            .instances(4)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&self.engine, HostState { limits });
        store.limiter(|s| &mut s.limits);
        if matches!(self.limits.deadline, Deadline::Trap) {
            let ticks = (self.limits.timeout.as_millis() as u64 * TICKS_PER_SEC)
                .div_ceil(1000)
                .max(1);
            store.set_epoch_deadline(ticks);
            store.epoch_deadline_trap();
        }
        let guard = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| self.classify(e))?;
        Ok((store, guard))
    }

    /// Run `f` under the deadline: a ticker thread driving the epoch ([`Deadline::Trap`]), or
    /// a watchdog that ends the process once the time limit has passed ([`Deadline::Exit`]).
    fn with_deadline<T>(&self, f: impl FnOnce() -> T) -> T {
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = self.engine.clone();
            let stop = stop.clone();
            let (deadline, timeout) = (self.limits.deadline, self.limits.timeout);
            std::thread::spawn(move || match deadline {
                Deadline::Trap => {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::park_timeout(Duration::from_millis(1000 / TICKS_PER_SEC));
                        engine.increment_epoch();
                    }
                }
                Deadline::Exit(exit) => {
                    let end = std::time::Instant::now() + timeout;
                    while !stop.load(Ordering::Relaxed) {
                        let now = std::time::Instant::now();
                        if now >= end {
                            // Nothing has been written yet (see `Deadline::Exit`): the gate
                            // fails closed as a trapped call would.
                            exit(GuestError::Timeout(timeout));
                        }
                        std::thread::park_timeout(end - now);
                    }
                }
            })
        };
        let out = f();
        stop.store(true, Ordering::Relaxed);
        ticker.thread().unpark();
        let _ = ticker.join();
        out
    }

    fn classify(&self, e: wasmtime::Error) -> GuestError {
        let text = format!("{e:#}");
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => GuestError::Timeout(self.limits.timeout),
            Some(Trap::OutOfFuel) => GuestError::Timeout(self.limits.timeout),
            _ if text.contains("forcing trap when growing memory")
                || text.contains("memory") && text.contains("limit") =>
            {
                GuestError::Memory {
                    limit: crate::size::human_size(self.limits.max_memory as u64),
                }
            }
            Some(t) => GuestError::Trap(format!("{t} ({text})")),
            None => GuestError::Trap(text),
        }
    }

    pub fn rules(&self) -> Result<Vec<wit::RuleInfo>, GuestError> {
        if let Some(r) = self.rules.lock().ok().and_then(|r| r.clone()) {
            return Ok(r);
        }
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_rules(&mut store))
            .map_err(|e| self.classify(e))
    }

    pub fn check(
        &self,
        docs: &[wit::Document],
        settings: &wit::Settings,
    ) -> Result<wit::Report, GuestError> {
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_check(&mut store, docs, settings))
            .map_err(|e| self.classify(e))?
            .map_err(GuestError::Settings)
    }

    /// `check_with_secrets` after streaming the documents of `streams` into the guest in
    /// pieces, so their bytes exist once, in the guest (the host holds one piece at a time).
    /// A file that fails while streamed (an I/O error, grown past its cap) is a document error,
    /// returned beside the report, and its document is left out; the others are checked.
    pub fn check_streamed<S: Stream>(
        &self,
        docs: &mut Vec<wit::Document>,
        streams: &mut [S],
        settings: &mut wit::Settings,
        known: &[KnownValue],
    ) -> Result<(wit::Report, Vec<wit::DocError>), GuestError> {
        with_known(settings, known, |settings| {
            self.with_deadline(|| self.run_check(docs, streams, settings))
        })
    }

    /// Where each document belongs (the guest's `place`), in `jobs` instances at once, each
    /// given a contiguous share of the documents of about the same size, under one deadline:
    /// placing copies every configuration file into the guest, 2.4 ms of 2,000 files' 80 on one
    /// thread while the other core waited (issue 16).
    pub fn place(
        &self,
        docs: &[wit::Document],
        jobs: usize,
    ) -> Result<Vec<wit::Placement>, GuestError> {
        let total: usize = docs.iter().map(|d| d.contents.len() + 1).sum();
        let share = total.div_ceil(jobs.max(1)).max(1);
        let mut shares: Vec<&[wit::Document]> = Vec::with_capacity(jobs);
        let (mut start, mut size) = (0, 0);
        for (i, d) in docs.iter().enumerate() {
            size += d.contents.len() + 1;
            if size >= share && shares.len() + 1 < jobs {
                shares.push(&docs[start..=i]);
                (start, size) = (i + 1, 0);
            }
        }
        shares.push(&docs[start..]);
        let placed = self.with_deadline(|| {
            std::thread::scope(|scope| {
                let running: Vec<_> = shares
                    .iter()
                    .map(|&share| {
                        scope.spawn(move || {
                            let (mut store, guard) = self.instance()?;
                            guard
                                .call_place(&mut store, share)
                                .map_err(|e| self.classify(e))
                        })
                    })
                    .collect();
                let mut placed = Vec::with_capacity(docs.len());
                for t in running {
                    placed.extend(t.join().unwrap_or_else(|_| {
                        Err(GuestError::Trap("a placing thread panicked".into()))
                    })?);
                }
                Ok(placed)
            })
        })?;
        if placed.len() != docs.len() {
            return Err(GuestError::Trap(format!(
                "the guest placed {} of {} documents",
                placed.len(),
                docs.len()
            )));
        }
        Ok(placed)
    }

    /// [`Runtime::check_streamed`] for each shard at once, one instance per shard on its own
    /// thread, under one deadline. Each instance has its own memory cap.
    pub fn check_shards<S: Stream + Send>(
        &self,
        shards: &mut [(Vec<wit::Document>, Vec<S>)],
        settings: &mut wit::Settings,
        known: &[KnownValue],
    ) -> Vec<Result<(wit::Report, Vec<wit::DocError>), GuestError>> {
        with_known(settings, known, |settings| {
            self.with_deadline(|| {
                std::thread::scope(|scope| {
                    let running: Vec<_> = shards
                        .iter_mut()
                        .map(|(docs, streams)| {
                            scope.spawn(move || self.run_check(docs, streams, settings))
                        })
                        .collect();
                    running
                        .into_iter()
                        .map(|t| {
                            t.join().unwrap_or_else(|_| {
                                Err(GuestError::Trap("a shard's thread panicked".into()))
                            })
                        })
                        .collect()
                })
            })
        })
    }

    /// One instance: stream, then check. The caller runs the deadline.
    fn run_check<S: Stream>(
        &self,
        docs: &mut Vec<wit::Document>,
        streams: &mut [S],
        settings: &wit::Settings,
    ) -> Result<(wit::Report, Vec<wit::DocError>), GuestError> {
        /// One piece: large enough that the calls cost nothing, small next to the file.
        const PIECE: usize = 4 << 20;
        let (mut store, guard) = self.instance()?;
        let mut failed: Vec<(usize, wit::DocError)> = Vec::new();
        for s in streams.iter_mut() {
            let handle = guard
                .call_stage(&mut store, s.size())
                .map_err(|e| self.classify(e))?;
            let mut call_failed = None;
            let poured = s.pour(PIECE, &mut |piece| match guard
                .call_stage_append(&mut store, handle, piece)
            {
                Ok(_) => true,
                Err(e) => {
                    call_failed = Some(e);
                    false
                }
            });
            if let Some(e) = call_failed {
                return Err(self.classify(e));
            }
            match poured {
                Ok(()) => docs[s.doc()].staged = Some(handle),
                Err(e) => failed.push((s.doc(), e)),
            }
        }
        // Indexes shift as documents go: remove from the last.
        failed.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
        let errors = failed
            .into_iter()
            .map(|(i, e)| {
                docs.remove(i);
                e
            })
            .collect();
        let report = guard
            .call_check(&mut store, docs, settings)
            .map_err(|e| self.classify(e))?
            .map_err(GuestError::Settings)?;
        // The report will name the rules of its findings. The instance has finished its one
        // input, and this call reads none.
        if !report.findings.is_empty()
            && self.rules.lock().is_ok_and(|r| r.is_none())
            && let Ok(r) = guard.call_rules(&mut store)
            && let Ok(mut slot) = self.rules.lock()
        {
            *slot = Some(r);
        }
        Ok((report, errors))
    }

    /// `check` with values the guest cross-checks documents against (`--vault-secret`, the
    /// post-apply verification). The WIT record that carries them derives a `Debug` that would
    /// print the value, so it exists only for the call, and its copies are wiped after it.
    pub fn check_with_secrets(
        &self,
        docs: &[wit::Document],
        settings: &mut wit::Settings,
        known: &[KnownValue],
    ) -> Result<wit::Report, GuestError> {
        with_known(settings, known, |settings| self.check(docs, settings))
    }

    pub fn fix(
        &self,
        docs: &[wit::Document],
        settings: &wit::Settings,
        request: &wit::FixRequest,
    ) -> Result<wit::FixResult, GuestError> {
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_fix(&mut store, docs, settings, request))
            .map_err(|e| self.classify(e))?
            .map_err(GuestError::Settings)
    }

    pub fn desired_clients(
        &self,
        docs: &[wit::Document],
        settings: &wit::Settings,
    ) -> Result<wit::DesiredState, GuestError> {
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_desired_clients(&mut store, docs, settings))
            .map_err(|e| self.classify(e))?
            .map_err(GuestError::Settings)
    }
}

impl Runtime {
    /// `tfguard.tfstate` read by the guest; the inner `Err` says why the contents are not one.
    pub fn read_ledger(
        &self,
        contents: &[u8],
        settings: &wit::Settings,
    ) -> Result<Result<wit::Ledger, String>, GuestError> {
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_read_ledger(&mut store, contents, settings))
            .map_err(|e| self.classify(e))
    }

    /// `tfguard.tfstate` written by the guest: the whole file.
    pub fn write_ledger(
        &self,
        ledger: &wit::Ledger,
    ) -> Result<Result<Vec<u8>, String>, GuestError> {
        let (mut store, guard) = self.instance()?;
        self.with_deadline(|| guard.call_write_ledger(&mut store, ledger))
            .map_err(|e| self.classify(e))
    }
}

/// A document the host streams into the guest instead of copying it (`discover::Streamed`).
pub trait Stream {
    /// Its index among the documents of the call.
    fn doc(&self) -> usize;
    /// Its size when opened (the guest reserves it).
    fn size(&self) -> u64;
    /// Reads it through `put` in pieces of at most `chunk` bytes, until the end or until `put`
    /// returns false; a read that fails is the document's error.
    fn pour(
        &mut self,
        chunk: usize,
        put: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), wit::DocError>;
}

/// Runs `f` with `known` in the settings, and wipes their copies after it: the WIT record that
/// carries them derives a `Debug` that would print the value, so it exists only for the call.
fn with_known<T>(
    settings: &mut wit::Settings,
    known: &[KnownValue],
    f: impl FnOnce(&wit::Settings) -> T,
) -> T {
    use secrecy::ExposeSecret;
    settings.known_secrets = known
        .iter()
        .map(|k| wit::KnownSecret {
            label: k.label.clone(),
            value: k.value.expose_secret().to_string(),
        })
        .collect();
    let out = f(settings);
    for k in &mut settings.known_secrets {
        zeroize::Zeroize::zeroize(&mut k.value);
    }
    settings.known_secrets.clear();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With `Deadline::Trap` a call past the time limit returns `Timeout` and the process goes
    /// on: the next call, with time, succeeds. (`Deadline::Exit`, which ends the process, is
    /// tested through the binary: tests/check_cli.rs.)
    #[test]
    fn a_trapped_deadline_returns_timeout_and_the_runtime_goes_on() {
        let mut state = String::from(r#"{"version":4,"terraform_version":"1.9.0","resources":["#);
        for i in 0..100_000 {
            if i > 0 {
                state.push(',');
            }
            state.push_str(&format!(
                r#"{{"mode":"managed","type":"random_password","name":"p{i}","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{{"attributes":{{"result":"Qw7eR9tY2uI4oP6a{i}"}}}}]}}"#
            ));
        }
        state.push_str("]}");
        let docs = [wit::Document {
            path: "big.tfstate".into(),
            kind: wit::DocKind::State,
            contents: state.into_bytes(),
            staged: None,
        }];
        let settings = wit::Settings {
            packs: Vec::new(),
            options_json: String::new(),
            known_secrets: Vec::new(),
        };
        let rt = |timeout| {
            Runtime::new(Limits {
                timeout,
                ..Limits::default()
            })
            .expect("guest loads")
        };
        match rt(Duration::from_millis(1)).check(&docs, &settings) {
            Err(GuestError::Timeout(t)) => assert_eq!(t, Duration::from_millis(1)),
            other => panic!("not a timeout: {:?}", other.map(|r| r.findings.len())),
        }
        let report = rt(Duration::from_secs(120))
            .check(&docs, &settings)
            .expect("checked");
        assert!(
            report.findings.len() >= 100_000,
            "{}",
            report.findings.len()
        );
    }
}
