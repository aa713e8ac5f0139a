//! Terraform state and plan JSON, normalised into a stream of resource instances.
//!
//! Big states are the common case for a CI gate, so nothing here builds a `Value` for the
//! whole file. A v4 state as Terraform writes it is read by `scan` in one pass over the
//! bytes: each instance's attributes go onto one reused tape whose strings point into the
//! input, and the instance goes to the rules before the next is read. Any other document
//! (and any the fast reader declines) is read by serde: the top level once, `resources`
//! streamed a resource at a time, other sections kept raw and parsed when visited. Peak
//! memory is the input plus one resource.

pub mod flat;
pub mod plan;
mod scan;
pub mod tape;
pub mod v3;
pub mod v4;

use serde_json::Value;
use serde_json::value::RawValue;

/// Attribute values, on a tape that borrows from the document (see `Attrs`).
pub use tape::{Json, Kind};

#[doc(hidden)]
pub use scan::differential::agree as readers_agree;

/// One resource instance (or a copy of one inside a plan), ready for the rules.
pub struct Instance<'a> {
    /// `module.a["x"].random_password.p[0]`, with ` (deposed 1a2b3c4d)` for deposed objects.
    pub address: String,
    /// `managed` or `data`.
    pub mode: &'a str,
    pub rtype: &'a str,
    pub attributes: Attrs<'a>,
    /// Paths that Terraform marked sensitive (`sensitive_attributes`, `*_sensitive`).
    pub sensitive: Vec<Vec<Step>>,
    /// Where in the document this copy lives, e.g. `resource_changes[3].change.after`.
    pub origin: std::borrow::Cow<'static, str>,
    /// Is the object new? `Some(true)`: a plan creates it (`change.after` of a change whose
    /// `before` is null); `Some(false)`: it exists (state, a plan's past, an update or no-op);
    /// `None`: the copy does not say (`planned_values`).
    pub created: Option<bool>,
}

pub enum Attrs<'a> {
    /// Borrowed: strings without escapes point into the document, objects keep document order
    /// and repeated keys.
    Json(Json<'a>),
    /// Legacy flatmap (`attributes_flat`, v3 `primary.attributes`): `"triggers.what" = "0"`.
    Flat(Vec<(String, String)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Index(Value),
}

/// A root module output (state `outputs`, plan `output_changes` / `planned_values.outputs`).
pub struct Output<'a> {
    pub name: &'a str,
    pub value: Value,
    pub sensitive: bool,
    pub origin: String,
}

/// A plan's input variable (`variables.<name>.value`), which Terraform stores unredacted.
pub struct Variable<'a> {
    pub name: &'a str,
    pub value: Value,
    /// Declared `sensitive = true` in the plan's `configuration`.
    pub sensitive: bool,
}

/// What the rules see of a JSON document.
pub trait Visitor {
    fn instance(&mut self, inst: &Instance<'_>);
    fn output(&mut self, out: &Output<'_>);
    fn variable(&mut self, var: &Variable<'_>);
    /// A resource's provider address as it appears in the document: the JSON string literal,
    /// quotes and escapes included, borrowed from the document text (so its position can be
    /// found). Called once per resource (per resource change in a plan).
    fn provider(&mut self, _raw_json: &str) {}
    /// The document is read again from its start (the fast reader declined it part way):
    /// forget what this document reported so far.
    fn restart(&mut self) {}
}

#[derive(Debug)]
pub enum Recognised {
    StateV4,
    StateV3,
    StateV1or2(u64),
    /// `terraform show -json` of a state: same values representation as a plan's prior_state.
    StateShowJson,
    Plan,
}

impl Recognised {
    pub fn label(&self) -> String {
        match self {
            Recognised::StateV4 => "state v4".into(),
            Recognised::StateV3 => "state v3".into(),
            Recognised::StateV1or2(v) => format!("state v{v}"),
            Recognised::StateShowJson => "state (show -json)".into(),
            Recognised::Plan => "plan JSON".into(),
        }
    }
}

/// Why a JSON document could not be checked.
#[derive(Debug)]
pub struct JsonDocError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub unsupported: bool,
    /// OpenTofu-encrypted: safe by construction, reported as info rather than an error.
    pub encrypted: bool,
}

impl JsonDocError {
    fn unsupported(msg: impl Into<String>) -> Self {
        JsonDocError {
            message: msg.into(),
            line: None,
            column: None,
            unsupported: true,
            encrypted: false,
        }
    }
    fn malformed(msg: impl Into<String>) -> Self {
        JsonDocError {
            message: msg.into(),
            line: None,
            column: None,
            unsupported: false,
            encrypted: false,
        }
    }
    fn from_serde(context: &str, e: serde_json::Error) -> Self {
        let (line, column) = if e.line() > 0 {
            (Some(e.line() as u32), Some(e.column() as u32))
        } else {
            (None, None)
        };
        JsonDocError {
            message: format!("{context}: {e}"),
            line,
            column,
            unsupported: false,
            encrypted: false,
        }
    }
}

/// The top level of every JSON flavour tfguard reads. Sections stay raw until needed, except
/// a v4 state's `resources`, which `TopSeed` streams to the visitor while it is parsed.
#[derive(Default)]
struct Top<'a> {
    version: Option<&'a RawValue>,
    format_version: Option<&'a str>,
    encryption_version: Option<&'a str>,
    encrypted_data: Option<&'a RawValue>,
    resources: Option<&'a RawValue>,
    /// `resources` went to the visitor during the parse (v4 only).
    resources_streamed: bool,
    modules: Option<&'a RawValue>,
    outputs: Option<&'a RawValue>,
    values: Option<&'a RawValue>,
    planned_values: Option<&'a RawValue>,
    resource_changes: Option<&'a RawValue>,
    resource_drift: Option<&'a RawValue>,
    output_changes: Option<&'a RawValue>,
    prior_state: Option<&'a RawValue>,
    variables: Option<&'a RawValue>,
    configuration: Option<&'a RawValue>,
}

impl Top<'_> {
    /// Keys that make a document something other than a plain v4 state.
    fn other_format(&self) -> bool {
        self.format_version.is_some()
            || self.encryption_version.is_some()
            || self.encrypted_data.is_some()
            || self.planned_values.is_some()
            || self.resource_changes.is_some()
            || self.prior_state.is_some()
    }
}

/// Reads the top level in one pass over the document. A v4 state's `resources` (most of a
/// large state) is parsed once, straight into borrowed records handed to the visitor one
/// resource at a time, instead of being skipped here and parsed again later. Terraform writes
/// `version` first; when a document puts it after `resources`, they stay raw for `v4::visit`.
struct TopSeed<'v, 'e> {
    v: &'v mut dyn Visitor,
    /// A resource-level error (not a JSON syntax error) found while streaming.
    error: &'e mut Option<JsonDocError>,
}

impl<'de> serde::de::DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = Top<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

/// The top-level keys tfguard reads (others are skipped).
const TOP_KEYS: [&str; 15] = [
    "version",
    "format_version",
    "encryption_version",
    "encrypted_data",
    "resources",
    "modules",
    "outputs",
    "values",
    "planned_values",
    "resource_changes",
    "resource_drift",
    "output_changes",
    "prior_state",
    "variables",
    "configuration",
];

impl<'de> serde::de::Visitor<'de> for TopSeed<'_, '_> {
    type Value = Top<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object (Terraform state or plan)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut top = Top::default();
        // `"key": null` counts as absent, as with `Option` fields.
        fn raw(r: &RawValue) -> Option<&RawValue> {
            (r.get() != "null").then_some(r)
        }
        // A repeated key is ambiguous (which `resources` would Terraform read?): an error, as
        // serde's derived readers make it, never a silently skipped copy.
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if TOP_KEYS.contains(&key.as_str()) {
                if seen.contains(&key) {
                    return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                }
                seen.push(key.clone());
            }
            match key.as_str() {
                "version" => top.version = raw(map.next_value()?),
                "format_version" => top.format_version = map.next_value()?,
                "encryption_version" => top.encryption_version = map.next_value()?,
                "encrypted_data" => top.encrypted_data = raw(map.next_value()?),
                "resources"
                    if !top.other_format()
                        && !top.resources_streamed
                        && top.version.is_some_and(|v| v.get().trim() == "4") =>
                {
                    map.next_value_seed(v4::StreamResources {
                        v: &mut *self.v,
                        error: &mut *self.error,
                    })?;
                    top.resources_streamed = true;
                }
                "resources" => top.resources = raw(map.next_value()?),
                "modules" => top.modules = raw(map.next_value()?),
                "outputs" => top.outputs = raw(map.next_value()?),
                "values" => top.values = raw(map.next_value()?),
                "planned_values" => top.planned_values = raw(map.next_value()?),
                "resource_changes" => top.resource_changes = raw(map.next_value()?),
                "resource_drift" => top.resource_drift = raw(map.next_value()?),
                "output_changes" => top.output_changes = raw(map.next_value()?),
                "prior_state" => top.prior_state = raw(map.next_value()?),
                "variables" => top.variables = raw(map.next_value()?),
                "configuration" => top.configuration = raw(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

/// UTF-8 (with or without BOM) is borrowed; UTF-16 with a BOM (what PowerShell's `>` writes
/// for `terraform show -json > plan.json` on Windows) is transcoded.
fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, JsonDocError> {
    use std::borrow::Cow;
    let utf16 = |be: bool| -> Result<Cow<'_, str>, JsonDocError> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map(Cow::Owned).map_err(|_| {
            JsonDocError::malformed(
                "invalid UTF-16 (the file starts with a UTF-16 byte-order mark)",
            )
        })
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest).map(Cow::Borrowed),
        _ => utf8(bytes).map(Cow::Borrowed),
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, JsonDocError> {
    simdutf8::compat::from_utf8(bytes).map_err(|e| {
        JsonDocError::malformed(format!(
            "not UTF-8 (byte {}): Terraform writes state and plans as UTF-8 JSON",
            e.valid_up_to()
        ))
    })
}

/// Parse a state or plan document and feed every instance, output and variable to `v`.
pub fn visit(bytes: &[u8], v: &mut dyn Visitor) -> Result<Recognised, JsonDocError> {
    let decoded = decode_text(bytes)?;
    let text: &str = &decoded;
    match scan::visit_v4(text, v) {
        Ok(outputs) => {
            if let Some(raw) = outputs {
                v4::visit_outputs(raw, v)?;
            }
            return Ok(Recognised::StateV4);
        }
        Err(scan::Bail) => v.restart(),
    }
    visit_by_serde(text, v)
}

/// The reader of every document: `visit` without the fast reader.
fn visit_by_serde(text: &str, v: &mut dyn Visitor) -> Result<Recognised, JsonDocError> {
    let mut streamed_error = None;
    let top = {
        use serde::de::DeserializeSeed as _;
        let mut de = serde_json::Deserializer::from_str(text);
        let seed = TopSeed {
            v: &mut *v,
            error: &mut streamed_error,
        };
        seed.deserialize(&mut de).and_then(|t| de.end().map(|()| t))
    };
    let top = match (top, streamed_error) {
        (_, Some(e)) => return Err(e),
        (Ok(t), None) => t,
        (Err(e), None) => return Err(JsonDocError::from_serde("invalid JSON", e)),
    };

    if top.encryption_version.is_some_and(|v| !v.is_empty()) || top.encrypted_data.is_some() {
        let mut e = JsonDocError::unsupported(
            "encrypted (OpenTofu state encryption), cannot inspect: check the decrypted `tofu show -json` output in a trusted job",
        );
        e.encrypted = true;
        return Err(e);
    }
    if top.planned_values.is_some() || top.resource_changes.is_some() || top.prior_state.is_some() {
        plan::visit(&top, v)?;
        return Ok(Recognised::Plan);
    }
    if let Some(fv) = top.format_version {
        if let Some(values) = top.values {
            check_format_major(fv)?;
            plan::visit_values(values, "values", v)?;
            return Ok(Recognised::StateShowJson);
        }
        if top.version.is_none() {
            // A show -json of an empty state has only format_version.
            check_format_major(fv)?;
            return Ok(Recognised::StateShowJson);
        }
    }
    let version = match top.version {
        Some(raw) => raw.get().trim().parse::<u64>().map_err(|_| {
            JsonDocError::malformed(format!(
                "`version` must be a whole number, found {}",
                raw.get()
            ))
        })?,
        None => {
            return Err(JsonDocError::unsupported(
                "JSON without `version` or `format_version`: not a Terraform state or plan",
            ));
        }
    };
    match version {
        4 => {
            v4::visit(&top, v)?;
            Ok(Recognised::StateV4)
        }
        3 => {
            v3::visit(top.modules, v)?;
            Ok(Recognised::StateV3)
        }
        1 | 2 => {
            // v1/v2 share v3's module layout for resources (primary.attributes flatmap).
            v3::visit(top.modules, v)?;
            Ok(Recognised::StateV1or2(version))
        }
        0 => Err(JsonDocError::unsupported(
            "state version 0 (pre-0.7 binary format) is not supported",
        )),
        n => Err(JsonDocError::unsupported(format!(
            "state version {n} is newer than this tfguard understands (4): upgrade tfguard"
        ))),
    }
}

fn check_format_major(fv: &str) -> Result<(), JsonDocError> {
    match fv.split('.').next() {
        Some("0") | Some("1") => Ok(()),
        _ => Err(JsonDocError::unsupported(format!(
            "format_version {fv}: this tfguard reads 0.x and 1.x"
        ))),
    }
}

/// `module.a["x"].` style prefix + `type.name` + index.
pub fn format_address(
    module: Option<&str>,
    mode: &str,
    rtype: &str,
    name: &str,
    index: Option<&Value>,
) -> String {
    let mut s = String::with_capacity(
        module.map_or(0, str::len)
            + rtype.len()
            + name.len()
            + if index.is_some() { 16 } else { 6 },
    );
    if let Some(m) = module.filter(|m| !m.is_empty()) {
        s.push_str(m);
        s.push('.');
    }
    if mode == "data" {
        s.push_str("data.");
    }
    s.push_str(rtype);
    s.push('.');
    s.push_str(name);
    match index {
        // The common case, written without the formatter.
        Some(Value::Number(n)) if n.is_u64() => {
            s.push('[');
            push_u64(&mut s, n.as_u64().unwrap_or(0));
            s.push(']');
        }
        Some(i) => s.push_str(&format_index(i)),
        None => {}
    }
    s
}

fn push_u64(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        s.push(char::from(d));
    }
}

pub fn format_index(i: &Value) -> String {
    match i {
        Value::String(k) => format!("[{}]", Value::String(k.clone())),
        Value::Number(n) => format!("[{n}]"),
        other => format!("[{other}]"),
    }
}

/// `data_json`, `fields.clientSecret`, `list[0].x`.
pub fn format_path(steps: &[Step]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            Step::Attr(a) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(a);
            }
            Step::Index(i) => s.push_str(&format_index(i)),
        }
    }
    s
}

/// Decode `sensitive_attributes` (`[[{"type":"get_attr","value":"x"}, ...], ...]`).
/// Unknown step types end that path (Terraform treats them as read errors for the path only).
pub fn parse_sensitive_paths(raw: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let Some(paths) = raw.as_array() else {
        return out;
    };
    for path in paths {
        let Some(steps) = path.as_array() else {
            continue;
        };
        let mut p = Vec::new();
        for st in steps {
            match (st.get("type").and_then(Value::as_str), st.get("value")) {
                (Some("get_attr"), Some(Value::String(a))) => p.push(Step::Attr(a.clone())),
                (Some("index"), Some(v)) => {
                    // cty JSON with a DynamicPseudoType wrapper: {"value": .., "type": ..}
                    let inner = v.get("value").cloned().unwrap_or_else(|| v.clone());
                    p.push(Step::Index(inner));
                }
                _ => break,
            }
        }
        if !p.is_empty() {
            out.push(p);
        }
    }
    out
}

/// Decode a plan's `*_sensitive` mirror: `true` at sensitive leaves, or a bare bool.
pub fn sensitive_mirror_paths(mirror: &Value) -> Vec<Vec<Step>> {
    fn walk(v: &Value, cur: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Bool(true) => out.push(cur.clone()),
            Value::Object(m) => {
                for (k, x) in m {
                    cur.push(Step::Attr(k.clone()));
                    walk(x, cur, out);
                    cur.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    cur.push(Step::Index(Value::from(i)));
                    walk(x, cur, out);
                    cur.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(mirror, &mut Vec::new(), &mut out);
    out
}

/// The value at a path inside a JSON attribute object. Map keys may be written as index
/// steps (`tags["k"]`, as in `sensitive_attributes`) or attribute steps.
pub fn value_at<'v>(root: Json<'v>, path: &[Step]) -> Option<Json<'v>> {
    let mut cur = root;
    for step in path {
        cur = match (step, cur.kind()) {
            (Step::Attr(a), Kind::Object(_)) => cur.get(a)?,
            (Step::Index(Value::Number(n)), Kind::Array(mut items)) => {
                items.nth(usize::try_from(n.as_u64()?).ok()?)?
            }
            (Step::Index(Value::String(k)), Kind::Object(_)) => cur.get(k)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A value worth calling a leaked secret: anything but null, "", empty collections and
/// collections of only those.
pub fn is_nonempty(v: Json<'_>) -> bool {
    match v.kind() {
        Kind::Null => false,
        Kind::Str(s) => !s.is_empty(),
        Kind::Array(mut a) => a.any(is_nonempty),
        Kind::Object(mut m) => m.any(|(_, x)| is_nonempty(x)),
        Kind::Bool(_) | Kind::Num(_) => true,
    }
}

/// Flatmap key `fields.clientSecret` → first segment `fields`; `list.0` → `list`.
pub fn flat_root(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

/// Flatmap bookkeeping keys (`x.%`, `x.#`) carry counts, not values.
pub fn flat_is_count(key: &str) -> bool {
    key.ends_with(".%") || key.ends_with(".#")
}

/// One step of a path while walking a value: borrowed, so walking allocates nothing; only
/// the paths that are reported get formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg<'v> {
    Key(&'v str),
    Idx(usize),
}

/// Call `f` with every string leaf of `v` and its path (object keys and array indexes).
pub fn walk_strings<'v>(v: Json<'v>, path: &mut Vec<Seg<'v>>, f: &mut dyn FnMut(&[Seg<'v>], &str)) {
    v.walk_strings(path, f)
}

/// `data_json`, `fields.clientSecret`, `list[0].x`: the same text `format_path` gives.
pub fn format_segs(segs: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Idx(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// Does the walked path `segs` lie at or under `prefix` (a `sensitive_attributes` path)?
/// A map key matches both spellings, `.k` and `["k"]`.
pub fn segs_start_with(segs: &[Seg<'_>], prefix: &[Step]) -> bool {
    prefix.len() <= segs.len()
        && prefix.iter().zip(segs).all(|(p, s)| match (p, s) {
            (Step::Attr(a), Seg::Key(k)) => a == k,
            (Step::Index(Value::String(a)), Seg::Key(k)) => a == k,
            (Step::Index(Value::Number(n)), Seg::Idx(i)) => n.as_u64() == Some(*i as u64),
            _ => false,
        })
}

/// The last attribute name on a path (`env[0].DB_PASSWORD` → `DB_PASSWORD`).
pub fn last_name<'v>(path: &[Seg<'v>]) -> &'v str {
    path.iter()
        .rev()
        .find_map(|s| match s {
            Seg::Key(k) => Some(*k),
            Seg::Idx(_) => None,
        })
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        addrs: Vec<String>,
        outputs: Vec<String>,
        vars: Vec<String>,
    }
    impl Visitor for Collect {
        fn instance(&mut self, i: &Instance<'_>) {
            self.addrs.push(format!("{} @ {}", i.address, i.origin));
        }
        fn output(&mut self, o: &Output<'_>) {
            self.outputs.push(o.name.to_string());
        }
        fn variable(&mut self, v: &Variable<'_>) {
            self.vars.push(v.name.to_string());
        }
    }

    #[test]
    fn encrypted_state_is_unsupported_not_malformed() {
        let e = visit(br#"{"meta":{"key_provider.pbkdf2.x":"e30="},"encrypted_data":"QUJD","encryption_version":"v0"}"#, &mut Collect::default()).unwrap_err();
        assert!(e.unsupported);
        assert!(e.message.contains("encrypted"));
    }

    /// Streamed (`version` first, as Terraform writes it) and raw (`version` last) give the
    /// same instances, attributes included.
    #[test]
    fn resources_are_read_whatever_the_key_order() {
        #[derive(Default)]
        struct Seen(Vec<String>);
        impl Visitor for Seen {
            fn instance(&mut self, i: &Instance<'_>) {
                let Attrs::Json(a) = &i.attributes else {
                    panic!("json attributes")
                };
                let mut leaves = Vec::new();
                walk_strings(*a, &mut Vec::new(), &mut |p, s| {
                    leaves.push(format!("{}={s}", format_segs(p)))
                });
                self.0.push(format!("{} {}", i.address, leaves.join(",")));
            }
            fn output(&mut self, _: &Output<'_>) {}
            fn variable(&mut self, _: &Variable<'_>) {}
        }
        let resources = r#"[{"mode":"managed","type":"t","name":"n","instances":[
            {"attributes":{"a":"x\"y","b":[{"c":"d"}]}},{"index_key":1,"attributes":null}]}]"#;
        let first = format!(r#"{{"version":4,"resources":{resources}}}"#);
        let last = format!(r#"{{"resources":{resources},"version":4}}"#);
        let (mut a, mut b) = (Seen::default(), Seen::default());
        visit(first.as_bytes(), &mut a).unwrap();
        visit(last.as_bytes(), &mut b).unwrap();
        assert_eq!(a.0, ["t.n a=x\"y,b[0].c=d", "t.n[1] "]);
        assert_eq!(a.0, b.0);
        // `"resources": null` is an empty state, not an error, either way.
        visit(br#"{"version":4,"resources":null}"#, &mut Seen::default()).unwrap();
        visit(br#"{"resources":null,"version":4}"#, &mut Seen::default()).unwrap();
    }

    /// Two `resources` (or any repeated top-level key) are an error, whether the first was
    /// streamed or not: a second copy must never be skipped unchecked.
    #[test]
    fn repeated_top_level_keys_are_errors() {
        for doc in [
            r#"{"version":4,"resources":[],"resources":[{"mode":"managed","type":"t","name":"n","instances":[]}]}"#,
            r#"{"resources":[],"version":4,"resources":[]}"#,
            r#"{"version":4,"version":4}"#,
        ] {
            let e = visit(doc.as_bytes(), &mut Collect::default()).unwrap_err();
            assert!(e.message.contains("duplicate key"), "{doc}: {}", e.message);
            assert!(!e.unsupported);
        }
    }

    /// A bad resource found while streaming is a document error, not a JSON syntax error.
    #[test]
    fn streamed_resource_errors_name_the_resource() {
        let e = visit(
            br#"{"version":4,"resources":[{"mode":"weird","type":"t","name":"n","instances":[]}]}"#,
            &mut Collect::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("resources[0] (t.n)"), "{}", e.message);
        assert!(!e.message.contains("invalid JSON"), "{}", e.message);
    }

    /// A map key in `sensitive_attributes` is an index step; walked paths spell it as a key.
    #[test]
    fn sensitive_map_keys_match_walked_paths() {
        let steps = vec![Step::Attr("tags".into()), Step::Index(Value::from("k"))];
        assert!(segs_start_with(&[Seg::Key("tags"), Seg::Key("k")], &steps));
        assert!(!segs_start_with(&[Seg::Key("tags"), Seg::Key("j")], &steps));
        let list = vec![Step::Attr("l".into()), Step::Index(Value::from(1))];
        assert!(segs_start_with(
            &[Seg::Key("l"), Seg::Idx(1), Seg::Key("x")],
            &list
        ));
        assert!(!segs_start_with(&[Seg::Key("l"), Seg::Idx(0)], &list));
        assert_eq!(
            format_segs(&[Seg::Key("l"), Seg::Idx(1), Seg::Key("x")]),
            "l[1].x"
        );
    }

    #[test]
    fn malformed_json_has_position() {
        let e = visit(
            b"{\n  \"version\": 4,\n  \"resources\": [\n}",
            &mut Collect::default(),
        )
        .unwrap_err();
        assert!(!e.unsupported);
        assert_eq!(e.line, Some(4));
    }

    #[test]
    fn future_version_is_unsupported() {
        let e = visit(br#"{"version": 5}"#, &mut Collect::default()).unwrap_err();
        assert!(e.unsupported && e.message.contains("version 5"));
    }

    #[test]
    fn sensitive_paths_decode_index_steps() {
        let v: Value = serde_json::from_str(
            r#"[[{"type":"get_attr","value":"a"},{"type":"index","value":{"value":"k","type":"string"}}],[{"type":"get_attr","value":"b"}]]"#,
        )
        .unwrap();
        let p = parse_sensitive_paths(&v);
        assert_eq!(format_path(&p[0]), "a[\"k\"]");
        assert_eq!(format_path(&p[1]), "b");
    }

    #[test]
    fn addresses_have_module_and_index() {
        assert_eq!(
            format_address(
                Some("module.a[\"x\"]"),
                "managed",
                "random_password",
                "p",
                Some(&Value::from(0))
            ),
            "module.a[\"x\"].random_password.p[0]"
        );
        for n in [0u64, 7, 10, 4_294_967_296, u64::MAX] {
            assert_eq!(
                format_address(None, "managed", "t", "n", Some(&Value::from(n))),
                format!("t.n[{n}]")
            );
        }
        assert_eq!(
            format_address(
                None,
                "data",
                "vault_generic_secret",
                "s",
                Some(&Value::from("k"))
            ),
            "data.vault_generic_secret.s[\"k\"]"
        );
    }
}
