//! The built-in policy packs (`policies/default/*.toml`) converted to JSON at build time: the
//! TOML stays the source people edit and review, and the guest parses the JSON at every start
//! instead (several times faster to read than TOML, which was a tenth of a small check).

use std::path::PathBuf;

/// Must list what `policy::BUILTIN` includes.
const PACKS: &[&str] = &["secrets", "secrets-generated", "flows", "oauth"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let dir = manifest.join("../policies/default");
    for name in PACKS {
        let src = dir.join(format!("{name}.toml"));
        println!("cargo:rerun-if-changed={}", src.display());
        let text =
            std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        if has_datetime(&value) {
            panic!("{}: a TOML date-time has no JSON form", src.display());
        }
        let json = serde_json::to_string(&value).expect("TOML values are JSON values");
        std::fs::write(out.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}

fn has_datetime(v: &toml::Value) -> bool {
    match v {
        toml::Value::Datetime(_) => true,
        toml::Value::Array(a) => a.iter().any(has_datetime),
        toml::Value::Table(t) => t.values().any(has_datetime),
        _ => false,
    }
}
