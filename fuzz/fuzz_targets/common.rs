// Shared by the guest targets: the settings the CLI sends without a config (the guest carries
// the built-in packs itself).
#![allow(dead_code)]
use tfguard_guest::engine::{self, Prepared};
use tfguard_guest::types::{Document, Report, Settings};

/// No user packs, and `options_json`.
pub fn settings(options_json: &str) -> Settings {
    Settings {
        packs: Vec::new(),
        options_json: options_json.to_string(),
        known_secrets: Vec::new(),
    }
}

thread_local! {
    // Loading the packs is the same for every input and would be most of each run.
    static DEFAULT: (Settings, Prepared) = {
        let s = settings("{}");
        let p = engine::prepare(&s).expect("the built-in packs load");
        (s, p)
    };
}

/// `check` with the built-in packs and default options, prepared once per fuzzing process.
pub fn check_default(docs: &[Document]) -> Report {
    DEFAULT.with(|(s, p)| engine::check_prepared(docs, s, p).0)
}

thread_local! {
    // Preparations by options text: loading the packs dominated each run (about 90 runs/s);
    // most inputs share their options with the input they were mutated from.
    static PREPARED: std::cell::RefCell<std::collections::HashMap<String, Option<Prepared>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Runs `f` with `settings` prepared, when they prepare (bad options are an error, no run).
/// The policy packs are the same for every input, so only the options text keys the cache.
pub fn with_prepared(settings: &Settings, f: impl FnOnce(&Prepared)) {
    PREPARED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > 256 {
            cache.clear();
        }
        let prep = cache
            .entry(settings.options_json.clone())
            .or_insert_with(|| engine::prepare(settings).ok());
        if let Some(p) = prep {
            f(p);
        }
    });
}
