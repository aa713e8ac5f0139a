//! Policy packs: the data half of tfguard (`policies/`). A pack is TOML; packs are merged in
//! order, so a user's pack can add catalogue entries or override the defaults. The guest owns
//! the schema, so a bad pack is reported with the pack name and TOML's own location.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::types::PolicyPackSrc;

/// An attribute that a provider persists in state and that holds a secret.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SecretAttribute {
    /// Resource type, e.g. `random_password`.
    pub resource: String,
    /// `managed` (default) or `data`.
    #[serde(default = "managed")]
    pub mode: String,
    /// Attribute names; a trailing `*` matches a prefix (`private_key_*`). A nested attribute
    /// is a path of names through blocks, lists, sets and maps (`master_auth[*].client_key`;
    /// `[*]` is optional and only documents a collection): see [`path_names`].
    pub attributes: Vec<String>,
    #[serde(default)]
    pub provider: String,
    /// Provider versions the entry holds for, as a human-readable constraint.
    #[serde(default)]
    pub versions: String,
    /// Why this is a secret, and where that was checked.
    #[serde(default)]
    pub source: String,
    /// Fix text shown with findings on this attribute.
    #[serde(default)]
    pub fix: String,
    /// An empty string is not a secret for most attributes (`client_secret = ""` is the
    /// provider's placeholder); set false where even empty is worth reporting.
    #[serde(default = "yes")]
    pub ignore_empty: bool,
}

fn managed() -> String {
    "managed".to_string()
}
fn yes() -> bool {
    true
}

/// Write-only arguments (Terraform 1.11+): never persisted, so they are safe sinks.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WriteOnly {
    pub resource: String,
    pub arguments: Vec<String>,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub versions: String,
}

/// Section names other modules own. A section not listed here is a typo, reported as such
/// (serde's `deny_unknown_fields` does not combine with `flatten`).
pub const KNOWN_SECTIONS: &[&str] = &[
    "oauth",
    "oauth_schema",
    "scopes",
    "redirect_uris",
    "detectors",
    "hcl",
];

/// One pack file as written. Every section is optional so packs can be small.
#[derive(Debug, Default, Deserialize)]
struct PackFile {
    #[serde(default)]
    secret_attribute: Vec<SecretAttribute>,
    #[serde(default)]
    write_only: Vec<WriteOnly>,
    #[serde(default)]
    catalogue: Option<Catalogue>,
    /// Sections owned by other rule families (oauth scopes, schema, detectors): kept as
    /// TOML tables and typed by the module that reads them.
    #[serde(flatten)]
    other: BTreeMap<String, toml::Value>,
}

/// A generated catalogue (`policies/default/secrets-generated.toml`): provider metadata, fix
/// texts by kind and tab-separated rows, expanded into `secret_attribute` and `write_only`
/// entries at load. Rows, not a TOML table per entry: the TOML parser is what start-up pays
/// for, and 1,800 tables cost it 25 times the rest of the packs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    #[serde(default)]
    providers: BTreeMap<String, CatalogueProvider>,
    /// Fix kind → text with `{attr}`, `{wo}`, `{type}`, `{provider}`, `{version}`.
    #[serde(default)]
    fixes: BTreeMap<String, String>,
    /// `provider key \t mode \t resource type \t attribute path \t fix kind` per line.
    #[serde(default)]
    secrets: String,
    /// `provider key \t resource type \t argument path` per line.
    #[serde(default)]
    write_only: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueProvider {
    provider: String,
    version: String,
    source: String,
    #[serde(default)]
    licence: String,
}

/// A generated catalogue, kept as its rows and expanded one resource type at a time on first
/// use: expanding all of its ~1,900 rows at load was most of `tfguard check`'s start-up, and a
/// run meets a handful of types. Rows are validated at load, so a bad pack is still an error
/// before any check.
#[derive(Debug, Default)]
struct Generated {
    providers: BTreeMap<String, CatalogueProvider>,
    fixes: BTreeMap<String, String>,
    secrets: String,
    write_only: String,
    /// Each resource type's rows in `secrets` (sorted by type, for a binary search), and
    /// their entries once expanded. Byte ranges, not owned names: no allocation per type.
    secret_rows: Vec<TypeRows<SecretAttribute>>,
    wo_rows: Vec<TypeRows<WriteOnly>>,
}

#[derive(Debug, Clone)]
struct TypeRows<T> {
    /// The type's name, as a range of the rows text.
    name: Range<usize>,
    /// Its rows: consecutive lines of the rows text (the text is sorted by type at load).
    span: Range<usize>,
    expanded: OnceLock<Vec<T>>,
}

/// The groups of `text`, whose lines hold the resource type in field `field`: one group per
/// run of lines of one type, by byte ranges (no allocation per type). `None` when the runs
/// are not in strictly increasing order of type, i.e. the text is not sorted by type.
fn group_runs<T>(text: &str, field: usize) -> Option<Vec<TypeRows<T>>> {
    let mut groups: Vec<TypeRows<T>> = Vec::with_capacity(1024);
    for (_, range, line) in lines(text) {
        let rtype = type_field(line, field);
        let at = rtype.as_ptr() as usize - text.as_ptr() as usize;
        match groups.last_mut() {
            Some(last) if &text[last.name.clone()] == rtype => last.span.end = range.end,
            last => {
                if last.is_some_and(|l| &text[l.name.clone()] >= rtype) {
                    return None;
                }
                groups.push(TypeRows {
                    name: at..at + rtype.len(),
                    span: range,
                    expanded: OnceLock::new(),
                });
            }
        }
    }
    Some(groups)
}

fn type_field(line: &str, field: usize) -> &str {
    line.split('\t').nth(field).unwrap_or("")
}

/// `text` with its lines stably sorted by the type in field `field` (a hand-made catalogue in
/// a user's pack; the generated one is written sorted), and its groups.
fn sort_rows<T>(text: String, field: usize) -> (String, Vec<TypeRows<T>>) {
    if let Some(groups) = group_runs(&text, field) {
        return (text, groups);
    }
    let mut rows: Vec<&str> = lines(&text).map(|(_, _, l)| l).collect();
    rows.sort_by(|a, b| type_field(a, field).cmp(type_field(b, field)));
    let sorted = rows.join("\n");
    let groups = group_runs(&sorted, field).unwrap_or_default();
    (sorted, groups)
}

fn find_rows<'g, T>(
    groups: &'g [TypeRows<T>],
    text: &str,
    rtype: &str,
) -> Option<(usize, &'g TypeRows<T>)> {
    groups
        .binary_search_by(|g| text[g.name.clone()].cmp(rtype))
        .ok()
        .map(|i| (i, &groups[i]))
}

impl Clone for Generated {
    fn clone(&self) -> Self {
        Generated {
            providers: self.providers.clone(),
            fixes: self.fixes.clone(),
            secrets: self.secrets.clone(),
            write_only: self.write_only.clone(),
            secret_rows: self.secret_rows.clone(),
            wo_rows: self.wo_rows.clone(),
        }
    }
}

/// The non-empty lines of `text` with their index and byte range.
fn lines(text: &str) -> impl Iterator<Item = (usize, Range<usize>, &str)> {
    let mut at = 0;
    let mut n = 0;
    std::iter::from_fn(move || {
        while at < text.len() {
            let end = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i);
            let item = (n, at..end, &text[at..end]);
            at = end + 1;
            n += 1;
            if !item.2.is_empty() {
                return Some(item);
            }
        }
        None
    })
}

/// Exactly `N` tab-separated fields of `line`, else `None`.
fn fields<const N: usize>(line: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut tabs = memchr::memchr_iter(b'\t', line.as_bytes());
    let mut from = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        let to = if i + 1 == N { line.len() } else { tabs.next()? };
        *slot = &line[from..to];
        from = to + 1;
    }
    if tabs.next().is_some() {
        return None;
    }
    Some(out)
}

impl Catalogue {
    /// Validate every row and index them by resource type; nothing is expanded yet.
    /// A `trusted` catalogue (built in, proven by `builtin_packs_load`) skips the validation.
    fn index(self, pack: &str, trusted: bool) -> Result<Generated, String> {
        let mut g = Generated {
            providers: self.providers,
            fixes: self.fixes,
            secrets: self.secrets,
            write_only: self.write_only,
            ..Generated::default()
        };
        if !trusted {
            g.validate(pack)?;
        }
        (g.secrets, g.secret_rows) = sort_rows(std::mem::take(&mut g.secrets), 2);
        (g.write_only, g.wo_rows) = sort_rows(std::mem::take(&mut g.write_only), 1);
        Ok(g)
    }
}

impl Generated {
    /// Every row has its fields, a known mode, provider key and fix kind; an error names the
    /// line.
    fn validate(&self, pack: &str) -> Result<(), String> {
        let err = |section: &str, n: usize, what: &str| {
            format!(
                "policy pack `{pack}`: catalogue.{section} line {}: {what}",
                n + 1
            )
        };
        let g = self;
        // One memchr pass per line and per field, and a map lookup only when the provider or
        // fix kind differs from the previous row's (rows come grouped): `str::split` and a
        // lookup per field were most of the start-up this pack cost (issue 14).
        let mut last = ("", "");
        for (n, _, line) in lines(&g.secrets) {
            let Some([key, mode, _rtype, _attr, kind]) = fields::<5>(line) else {
                return Err(err("secrets", n, "expected 5 tab-separated fields"));
            };
            if mode != "managed" && mode != "data" {
                return Err(err("secrets", n, &format!("mode `{mode}`")));
            }
            if key != last.0 && !g.providers.contains_key(key) {
                return Err(err("secrets", n, &format!("unknown provider key `{key}`")));
            }
            if kind != last.1 && !g.fixes.contains_key(kind) {
                return Err(err("secrets", n, &format!("unknown fix kind `{kind}`")));
            }
            last = (key, kind);
        }
        let mut last = "";
        for (n, _, line) in lines(&g.write_only) {
            let Some([key, _rtype, _arg]) = fields::<3>(line) else {
                return Err(err("write_only", n, "expected 3 tab-separated fields"));
            };
            if key != last && !g.providers.contains_key(key) {
                return Err(err(
                    "write_only",
                    n,
                    &format!("unknown provider key `{key}`"),
                ));
            }
            last = key;
        }
        Ok(())
    }

    /// The entries of `rtype`, expanded on first use; consecutive rows of one mode and fix
    /// text share an entry, as a hand-written entry lists several attributes.
    fn secrets_for(&self, rtype: &str) -> (usize, &[SecretAttribute]) {
        let Some((at, group)) = find_rows(&self.secret_rows, &self.secrets, rtype) else {
            return (0, &[]);
        };
        let list = group.expanded.get_or_init(|| {
            let mut out: Vec<SecretAttribute> = Vec::new();
            for (_, _, row) in lines(&self.secrets[group.span.clone()]) {
                let mut f = row.split('\t');
                // Validated at load.
                let (Some(key), Some(mode), Some(_), Some(attr), Some(kind)) =
                    (f.next(), f.next(), f.next(), f.next(), f.next())
                else {
                    continue;
                };
                let (Some(p), Some(template)) = (self.providers.get(key), self.fixes.get(kind))
                else {
                    continue;
                };
                let fix = render(template, attr, rtype, p);
                if let Some(last) = out
                    .last_mut()
                    .filter(|l| l.mode == mode && l.provider == p.provider && l.fix == fix)
                {
                    last.attributes.push(attr.to_string());
                    continue;
                }
                out.push(SecretAttribute {
                    resource: rtype.to_string(),
                    mode: mode.to_string(),
                    attributes: vec![attr.to_string()],
                    provider: p.provider.clone(),
                    versions: format!("{} (generated)", p.version),
                    source: format!("{} ({})", p.source, p.licence),
                    fix,
                    ignore_empty: true,
                });
            }
            out
        });
        (at, list)
    }

    fn write_only_for(&self, rtype: &str) -> &[WriteOnly] {
        let Some((_, group)) = find_rows(&self.wo_rows, &self.write_only, rtype) else {
            return &[];
        };
        group.expanded.get_or_init(|| {
            let mut out: Vec<WriteOnly> = Vec::new();
            for (_, _, row) in lines(&self.write_only[group.span.clone()]) {
                let mut f = row.split('\t');
                let (Some(key), Some(_), Some(arg)) = (f.next(), f.next(), f.next()) else {
                    continue;
                };
                let Some(p) = self.providers.get(key) else {
                    continue;
                };
                if let Some(last) = out.last_mut().filter(|l| l.provider == p.provider) {
                    last.arguments.push(arg.to_string());
                    continue;
                }
                out.push(WriteOnly {
                    resource: rtype.to_string(),
                    arguments: vec![arg.to_string()],
                    provider: p.provider.clone(),
                    versions: format!("{} (generated)", p.version),
                });
            }
            out
        })
    }
}

/// The generated pack ends in `[catalogue]` with its rows as two literal strings. TOML's
/// parser is slow on them (most of the pack's load time, more in WASM), so they are cut out
/// of the text first and read as rows; the file stays valid TOML. Any other layout is
/// parsed as TOML.
fn split_rows(text: &str) -> (std::borrow::Cow<'_, str>, Option<(&str, &str)>) {
    const HEAD: &str = "\n[catalogue]\nsecrets = '''\n";
    const MID: &str = "'''\nwrite_only = '''\n";
    const END: &str = "'''\n";
    // memmem, not `str::find`: the rows are 150 KB and this runs at every start.
    let find = |hay: &str, needle: &str| memchr::memmem::find(hay.as_bytes(), needle.as_bytes());
    let split = || {
        let start = find(text, HEAD)?;
        let rows = &text[start + HEAD.len()..];
        let mid = find(rows, MID)?;
        let wo = &rows[mid + MID.len()..];
        let end = find(wo, END)?;
        if !wo[end + END.len()..].trim().is_empty() {
            return None;
        }
        Some((start, &rows[..mid], &wo[..end]))
    };
    match split() {
        Some((start, secrets, write_only)) => {
            let head = format!("{}\n[catalogue]\n", &text[..start]);
            (head.into(), Some((secrets, write_only)))
        }
        None => (text.into(), None),
    }
}

/// A catalogue fix text with its placeholders filled in, in one pass.
fn render(template: &str, attr: &str, rtype: &str, p: &CatalogueProvider) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (name, value) = [
            ("{wo}", None),
            ("{attr}", Some(attr)),
            ("{type}", Some(rtype)),
            ("{provider}", Some(p.provider.as_str())),
            ("{version}", Some(p.version.as_str())),
        ]
        .into_iter()
        .find(|(n, _)| rest.starts_with(n))
        .unwrap_or(("{", Some("{")));
        match value {
            Some(v) => out.push_str(v),
            None => {
                out.push_str(attr);
                out.push_str("_wo");
            }
        }
        rest = &rest[name.len()..];
    }
    out.push_str(rest);
    out
}

/// The default packs (`policies/default/`), compiled into the guest in load order: one home
/// for the list. The settings' packs (from the user's config) load after them. `lazy` marks a
/// pack that holds only a generated catalogue: it is indexed on the first lookup of a
/// resource type, so a run that meets none (`check versions.tf`) never pays for its 1,900
/// rows. Being constant, it is validated by a test rather than at every start.
pub const BUILTIN: &[Builtin] = &[
    Builtin {
        name: "builtin:default/secrets.toml",
        contents: include_str!("../../policies/default/secrets.toml"),
        json: include_str!(concat!(env!("OUT_DIR"), "/secrets.json")),
        lazy: false,
    },
    // After the hand-written catalogue, whose entries take precedence (first match wins).
    Builtin {
        name: "builtin:default/secrets-generated.toml",
        contents: include_str!("../../policies/default/secrets-generated.toml"),
        json: include_str!(concat!(env!("OUT_DIR"), "/secrets-generated.json")),
        lazy: true,
    },
    Builtin {
        name: "builtin:default/flows.toml",
        contents: include_str!("../../policies/default/flows.toml"),
        json: include_str!(concat!(env!("OUT_DIR"), "/flows.json")),
        lazy: false,
    },
    Builtin {
        name: "builtin:default/oauth.toml",
        contents: include_str!("../../policies/default/oauth.toml"),
        json: include_str!(concat!(env!("OUT_DIR"), "/oauth.json")),
        lazy: false,
    },
];

pub struct Builtin {
    pub name: &'static str,
    /// The pack as written (TOML).
    pub contents: &'static str,
    /// The same pack as JSON (`guest/build.rs`): what a start reads.
    pub json: &'static str,
    pub lazy: bool,
}

impl Builtin {
    fn parse(&self) -> Result<PackFile, String> {
        serde_json::from_str(self.json).map_err(|e| format!("policy pack `{}`: {e}", self.name))
    }
}

/// The name only: a policy's `Debug` should not print 160 KB of rows.
impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A generated catalogue, indexed at load (a user's pack: its errors are the user's to see
/// before any check) or on first use (a built-in pack).
#[derive(Debug, Clone)]
struct GeneratedSlot {
    index: OnceLock<Generated>,
    deferred: Option<&'static Builtin>,
}

impl GeneratedSlot {
    fn get(&self) -> &Generated {
        self.index.get_or_init(|| {
            let Some(b) = self.deferred else {
                return Generated::default();
            };
            // A built-in pack is constant and `builtin_packs_load` proves it loads; failing
            // here would be a build defect, and a trap fails the check closed.
            match b.parse().and_then(|f| {
                f.catalogue
                    .map_or_else(|| Ok(Generated::default()), |c| c.index(b.name, true))
            }) {
                Ok(g) => g,
                Err(e) => panic!("built-in pack: {e}"),
            }
        })
    }
}

/// One pack's text as a [`PackFile`], its generated rows cut out before TOML sees them.
fn parse_pack(name: &str, contents: &str) -> Result<PackFile, String> {
    let (text, rows) = split_rows(contents);
    let mut file: PackFile =
        toml::from_str(&text).map_err(|e| format!("policy pack `{name}`: {e}"))?;
    if let Some((secrets, write_only)) = rows {
        let c = file.catalogue.get_or_insert_with(Catalogue::default);
        c.secrets = secrets.to_string();
        c.write_only = write_only.to_string();
    }
    Ok(file)
}

#[derive(Debug, Default, Clone)]
pub struct Policy {
    pub secret_attributes: Vec<SecretAttribute>,
    /// Resource type → indexes into `secret_attributes`: looked up for every instance of a
    /// state, where a scan of the whole catalogue cost more than the checks themselves.
    by_type: BTreeMap<String, Vec<usize>>,
    pub write_only: Vec<WriteOnly>,
    /// Resource type → indexes into `write_only` (the generated catalogue has hundreds).
    wo_by_type: BTreeMap<String, Vec<usize>>,
    /// Generated catalogues, after the hand-written entries (which they never repeat).
    generated: Vec<GeneratedSlot>,
    /// Merged tables of the other sections, by section name (later packs override keys).
    pub sections: BTreeMap<String, toml::Value>,
    /// The entries of the (mode, type) pairs looked up last: three rules ask for every
    /// instance, and a state repeats a few types (the lookups were 15% of a large state).
    recent: std::cell::RefCell<Vec<Lookup>>,
}

/// How many (mode, type) pairs [`Policy::secret_attributes_for`] remembers.
const RECENT: usize = 8;

#[derive(Debug, Default, Clone)]
struct Lookup {
    mode: String,
    rtype: String,
    entries: std::rc::Rc<[EntryRef]>,
}

/// Where an entry lives: a hand-written one, or the `i`th of a generated catalogue's group.
#[derive(Debug, Clone, Copy)]
enum EntryRef {
    Hand(usize),
    Generated { slot: usize, group: usize, i: usize },
}

impl Policy {
    /// The built-in packs, then `packs` (the user's, in precedence order).
    pub fn with_builtins(packs: &[PolicyPackSrc]) -> Result<Policy, String> {
        let mut policy = Policy::default();
        for b in BUILTIN {
            if b.lazy {
                policy.generated.push(GeneratedSlot {
                    index: OnceLock::new(),
                    deferred: Some(b),
                });
            } else {
                policy.add_file(b.name, b.parse()?)?;
            }
        }
        for pack in packs {
            policy.add(&pack.name, &pack.contents)?;
        }
        policy.index();
        Ok(policy)
    }

    /// Exactly `packs`, every one validated now (tests of packs, and tools).
    pub fn load(packs: &[PolicyPackSrc]) -> Result<Policy, String> {
        let mut policy = Policy::default();
        for pack in packs {
            policy.add(&pack.name, &pack.contents)?;
        }
        policy.index();
        Ok(policy)
    }

    fn add(&mut self, name: &str, contents: &str) -> Result<(), String> {
        self.add_file(name, parse_pack(name, contents)?)
    }

    fn add_file(&mut self, name: &str, file: PackFile) -> Result<(), String> {
        self.secret_attributes.extend(file.secret_attribute);
        self.write_only.extend(file.write_only);
        if let Some(c) = file.catalogue {
            self.generated.push(GeneratedSlot {
                index: OnceLock::from(c.index(name, false)?),
                deferred: None,
            });
        }
        for (k, v) in file.other {
            if !KNOWN_SECTIONS.contains(&k.as_str()) {
                return Err(format!(
                    "policy pack `{name}`: unknown section `{k}` (known: secret_attribute, write_only, catalogue, {})",
                    KNOWN_SECTIONS.join(", ")
                ));
            }
            merge_value(
                self.sections
                    .entry(k)
                    .or_insert(toml::Value::Table(Default::default())),
                v,
            );
        }
        Ok(())
    }

    /// The by-type indexes of the hand-written entries, once every pack is in.
    fn index(&mut self) {
        self.recent = Default::default();
        let policy = self;
        for (i, s) in policy.secret_attributes.iter().enumerate() {
            // Entries of one type are mostly adjacent: clone the name only for a new key.
            match policy.by_type.get_mut(&s.resource) {
                Some(v) => v.push(i),
                None => {
                    policy.by_type.insert(s.resource.clone(), vec![i]);
                }
            }
        }
        for (i, w) in policy.write_only.iter().enumerate() {
            policy
                .wo_by_type
                .entry(w.resource.clone())
                .or_default()
                .push(i);
        }
    }

    /// Catalogue entries for a resource type and mode.
    pub fn secret_attributes_for<'s>(
        &'s self,
        mode: &str,
        rtype: &str,
    ) -> impl Iterator<Item = &'s SecretAttribute> + use<'s> {
        let entries = {
            let mut recent = self.recent.borrow_mut();
            // Newest first, lengths before bytes: in WASM each `memcmp` is a call.
            let hit = recent.iter().rposition(|l| {
                l.rtype.len() == rtype.len()
                    && l.mode.len() == mode.len()
                    && l.rtype == rtype
                    && l.mode == mode
                    && !mode.is_empty()
            });
            let at = hit.unwrap_or_else(|| {
                let new = Lookup {
                    mode: mode.to_string(),
                    rtype: rtype.to_string(),
                    entries: self.entry_refs(mode, rtype).collect(),
                };
                if recent.len() < RECENT {
                    recent.push(new);
                    recent.len() - 1
                } else {
                    // Replace the oldest.
                    recent.rotate_left(1);
                    recent[RECENT - 1] = new;
                    RECENT - 1
                }
            });
            recent[at].entries.clone()
        };
        (0..entries.len()).filter_map(move |k| match entries[k] {
            EntryRef::Hand(i) => self.secret_attributes.get(i),
            EntryRef::Generated { slot, group, i } => self
                .generated
                .get(slot)?
                .get()
                .secret_rows
                .get(group)?
                .expanded
                .get()?
                .get(i),
        })
    }

    fn entry_refs<'s>(
        &'s self,
        mode: &'s str,
        rtype: &'s str,
    ) -> impl Iterator<Item = EntryRef> + 's {
        let hand = self.by_type.get(rtype).into_iter().flatten().copied();
        let hand = hand
            .filter(move |&i| self.secret_attributes[i].mode == mode)
            .map(EntryRef::Hand);
        let generated = self
            .generated
            .iter()
            .enumerate()
            .flat_map(move |(slot, g)| {
                let g = g.get();
                let (group, list) = g.secrets_for(rtype);
                list.iter()
                    .enumerate()
                    .filter(move |(_, s)| s.mode == mode)
                    .map(move |(i, _)| EntryRef::Generated { slot, group, i })
            });
        hand.chain(generated)
    }

    /// Every entry, hand-written then generated. Expands the whole generated catalogue: for
    /// tests and tools, not for checks.
    pub fn all_secret_attributes(&self) -> impl Iterator<Item = &SecretAttribute> {
        self.secret_attributes
            .iter()
            .chain(self.generated.iter().map(GeneratedSlot::get).flat_map(|g| {
                g.secret_rows
                    .iter()
                    .flat_map(move |t| g.secrets_for(&g.secrets[t.name.clone()]).1)
            }))
    }

    /// Every write-only entry, hand-written then generated (expands them all, as above).
    pub fn all_write_only(&self) -> impl Iterator<Item = &WriteOnly> {
        self.write_only
            .iter()
            .chain(self.generated.iter().map(GeneratedSlot::get).flat_map(|g| {
                g.wo_rows
                    .iter()
                    .flat_map(move |t| g.write_only_for(&g.write_only[t.name.clone()]))
            }))
    }

    /// The catalogue entry that makes `attr` of `rtype` a secret, if any.
    pub fn secret_attribute(
        &self,
        mode: &str,
        rtype: &str,
        attr: &str,
    ) -> Option<&SecretAttribute> {
        self.secret_attributes_for(mode, rtype)
            .find(|s| s.attributes.iter().any(|p| name_matches(p, attr)))
    }

    /// The catalogue entry whose attribute is `attr` of `rtype` or lies inside it (a nested
    /// path starting at `attr`): a reference to `attr` carries that secret.
    pub fn secret_within(&self, mode: &str, rtype: &str, attr: &str) -> Option<&SecretAttribute> {
        self.secret_within_path(mode, rtype, &[attr])
    }

    /// The catalogue entry that a reference to the attribute path `names` (indexes left
    /// out: `master_auth`, `client_key`) reaches: a secret at, inside or above that path.
    /// `master_auth[0].cluster_ca_certificate` does not reach `master_auth[*].client_key`.
    pub fn secret_within_path(
        &self,
        mode: &str,
        rtype: &str,
        names: &[&str],
    ) -> Option<&SecretAttribute> {
        names.first()?;
        self.secret_attributes_for(mode, rtype)
            .find(|s| s.attributes.iter().any(|p| reaches(p, names)))
    }

    /// The fix text of the catalogue entry for a secret at or under the attribute path
    /// `names` of `rtype`, when that text names one of the resource's write-only arguments and
    /// the attribute it replaces: the advice for a sink with a write-only twin, whatever the
    /// twin is called (helm's `set_sensitive` blocks → `set_wo`).
    pub fn write_only_advice(&self, rtype: &str, names: &[&str]) -> Option<&str> {
        names.first()?;
        self.secret_attributes_for("managed", rtype).find_map(|s| {
            let hit = s.attributes.iter().find(|p| reaches(p, names))?;
            let last = path_names(hit).last().unwrap_or(hit);
            // The twin of this attribute, not of another the entry also lists (the vault
            // entry's `password_wo` is no advice for its `private_key`): the twin is named
            // after it, or the text names the attribute it replaces.
            let names_attr =
                s.fix.contains(&format!("`{hit}`")) || s.fix.contains(&format!("`{last}`"));
            self.write_only_arguments(rtype)
                .any(|w| {
                    s.fix.contains(&format!("`{w}`"))
                        && (names_attr || path_names(w).last().is_some_and(|n| n.starts_with(last)))
                })
                .then_some(s.fix.as_str())
        })
    }

    /// The write-only arguments of `rtype`, hand-written then generated (paths for nested).
    pub fn write_only_arguments(&self, rtype: &str) -> impl Iterator<Item = &str> {
        self.wo_by_type
            .get(rtype)
            .into_iter()
            .flatten()
            .map(|&i| &self.write_only[i])
            .chain(
                self.generated
                    .iter()
                    .flat_map(move |g| g.get().write_only_for(rtype)),
            )
            .flat_map(|w| w.arguments.iter().map(String::as_str))
    }

    /// `arg` is a write-only argument of `rtype` (a nested one is matched by its last name).
    pub fn is_write_only(&self, rtype: &str, arg: &str) -> bool {
        self.write_only_arguments(rtype)
            .any(|a| a == arg || path_names(a).last() == Some(arg))
    }

    /// Typed view of a section, e.g. `policy.section::<OauthPolicy>("oauth")`.
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, String> {
        match self.sections.get(name) {
            None => Ok(T::default()),
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e| format!("policy section `{name}`: {e}")),
        }
    }
}

/// Tables merge key by key; arrays of tables append; anything else is replaced.
fn merge_value(into: &mut toml::Value, from: toml::Value) {
    match (into, from) {
        (toml::Value::Table(a), toml::Value::Table(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge_value(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (toml::Value::Array(a), toml::Value::Array(b))
            if b.first().is_some_and(|v| v.is_table()) =>
        {
            a.extend(b)
        }
        (slot, v) => *slot = v,
    }
}

/// `names` (an attribute path, indexes left out) lies at or below a catalogue attribute of
/// `entries`: TFG001 reports it, so the other state rules leave it alone.
pub fn covers<'n>(
    entries: &[&SecretAttribute],
    names: impl Iterator<Item = &'n str> + Clone,
) -> bool {
    entries.iter().any(|e| {
        e.attributes.iter().any(|p| {
            if is_nested(p) {
                let mut n = names.clone();
                path_names(p).all(|a| n.next().is_some_and(|b| segment_matches(a, b)))
            } else {
                names
                    .clone()
                    .next()
                    .is_some_and(|first| name_matches(p, first))
            }
        })
    })
}

/// The names of a catalogue path: `a[*].b.c[*]` → `a`, `b`, `c`.
pub fn path_names(pattern: &str) -> impl Iterator<Item = &str> {
    pattern
        .split('.')
        .map(|s| s.trim_end_matches("[*]"))
        .filter(|s| !s.is_empty())
}

/// One name of a nested catalogue path against one attribute name: `*` matches any name
/// (`*[*].password`: the password block of whichever database engine is configured).
pub fn segment_matches(pattern: &str, name: &str) -> bool {
    pattern == "*" || pattern == name
}

/// A catalogue attribute that is a nested path rather than a top-level name.
pub fn is_nested(pattern: &str) -> bool {
    pattern.contains('.') || pattern.contains('[')
}

/// A catalogue pattern reaches the attribute path `names`: a top-level pattern by the first
/// name, a nested one along the path (`master_auth[0].cluster_ca_certificate` does not reach
/// `master_auth[*].client_key`).
fn reaches(pattern: &str, names: &[&str]) -> bool {
    match names.first() {
        None => false,
        Some(first) if !is_nested(pattern) => name_matches(pattern, first),
        Some(_) => path_names(pattern)
            .zip(names)
            .all(|(a, b)| segment_matches(a, b)),
    }
}

pub fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(s: &str) -> PolicyPackSrc {
        PolicyPackSrc {
            name: "t".into(),
            contents: s.into(),
        }
    }

    /// The built-in packs load when validated eagerly, and a lazy one holds nothing but its
    /// catalogue (anything else in it would be skipped when it is indexed on first use).
    #[test]
    fn builtin_packs_load() {
        for b in BUILTIN {
            let file = parse_pack(b.name, b.contents).expect("parses");
            // What a start reads (the JSON made by build.rs) is what the TOML says.
            let json = b.parse().expect("the JSON form parses");
            assert_eq!(format!("{json:?}"), format!("{file:?}"), "{}", b.name);
            if b.lazy {
                assert!(
                    file.secret_attribute.is_empty()
                        && file.write_only.is_empty()
                        && file.other.is_empty(),
                    "{}",
                    b.name
                );
                let c = file.catalogue.expect("a catalogue");
                // Written sorted by type, so a start never sorts them.
                assert!(group_runs::<SecretAttribute>(&c.secrets, 2).is_some());
                assert!(group_runs::<WriteOnly>(&c.write_only, 1).is_some());
                let g = c.index(b.name, false).expect("valid");
                assert!(g.secret_rows.len() > 500, "{}", b.name);
            }
        }
        let eager: Vec<PolicyPackSrc> = BUILTIN
            .iter()
            .map(|b| PolicyPackSrc {
                name: b.name.into(),
                contents: b.contents.into(),
            })
            .collect();
        let eager = Policy::load(&eager).expect("built-in packs load");
        let lazy = Policy::with_builtins(&[]).expect("built-in packs load");
        // The deferred catalogue is indexed on the first lookup and gives the same entries.
        assert!(lazy.generated.iter().all(|g| g.index.get().is_none()));
        let pairs = |p: &Policy| {
            p.all_secret_attributes()
                .flat_map(|s| s.attributes.iter().map(|a| (s.resource.clone(), a.clone())))
                .collect::<Vec<_>>()
        };
        assert_eq!(pairs(&eager), pairs(&lazy));
        assert!(pairs(&lazy).len() > 1200);
        assert_eq!(
            lazy.secret_attribute("managed", "azuread_application_password", "value")
                .map(|s| s.provider.as_str()),
            Some("hashicorp/azuread")
        );
    }

    /// A sink's write-only advice comes from the catalogue entry of that attribute, whatever
    /// its twin is called, and never from a sibling attribute's twin.
    #[test]
    fn write_only_advice_names_this_attributes_twin() {
        let p = Policy::with_builtins(&[]).expect("built-in packs load");
        let advice = |t: &str, names: &[&str]| p.write_only_advice(t, names).map(str::to_string);
        let helm = advice("helm_release", &["set_sensitive"]).expect("helm");
        assert!(
            helm.contains("`set_wo`") && helm.contains("`set_wo_revision`"),
            "{helm}"
        );
        let db = "vault_database_secret_backend_connection";
        assert!(advice(db, &["mysql", "password"]).is_some_and(|f| f.contains("`password_wo`")));
        assert_eq!(advice(db, &["mysql", "private_key"]), None);
        assert!(
            advice("aws_db_instance", &["password"]).is_some_and(|f| f.contains("`password_wo`"))
        );
        assert_eq!(advice("aws_db_instance", &["username"]), None);
    }

    /// A generated pack with `secrets` and `write_only` rows under one provider and fix kind.
    fn generated(secrets: &str, write_only: &str) -> Result<Policy, String> {
        let q = "'''";
        let text = format!(
            "[catalogue.fixes]\ninput = \"keep {{attr}} out\"\n\n[catalogue.providers.aws]\nprovider = \"hashicorp/aws\"\nversion = \"6.0.0\"\nsource = \"s\"\n\n[catalogue]\nsecrets = {q}\n{secrets}{q}\nwrite_only = {q}\n{write_only}{q}\n"
        );
        Policy::load(&[pack(&text)])
    }

    /// A user's catalogue need not be sorted: its rows are sorted by type at load (stably, so
    /// a type's entries keep their order), and every type is found, before and after another
    /// type has been looked up.
    #[test]
    fn unsorted_catalogue_rows_are_all_found() {
        let rows = "aws\tmanaged\taws_b\tfirst\tinput\naws\tmanaged\taws_a\tpassword\tinput\n\
                    aws\tmanaged\taws_b\tsecond\tinput\naws\tdata\taws_a\ttoken\tinput\n";
        let p = generated(rows, "aws\taws_b\tx_wo\naws\taws_a\tpassword_wo\n").expect("rows load");
        for _ in 0..2 {
            let b: Vec<_> = p
                .secret_attributes_for("managed", "aws_b")
                .flat_map(|e| e.attributes.clone())
                .collect();
            assert_eq!(b, ["first", "second"]);
            assert!(p.secret_attribute("managed", "aws_a", "password").is_some());
            assert!(p.secret_attribute("data", "aws_a", "token").is_some());
            assert!(p.secret_attribute("data", "aws_a", "password").is_none());
            assert!(p.secret_attribute("managed", "aws_c", "password").is_none());
            assert!(p.is_write_only("aws_a", "password_wo") && p.is_write_only("aws_b", "x_wo"));
        }
        // More types than the lookup remembers, in turn: each still gets its own entries.
        let rows: String = (0..RECENT * 2)
            .map(|i| format!("aws\tmanaged\tt{i:02}\tattr{i}\tinput\n"))
            .collect();
        let p = generated(&rows, "").expect("rows load");
        for round in 0..3 {
            for i in (0..RECENT * 2).rev().skip(round) {
                let got: Vec<_> = p
                    .secret_attributes_for("managed", &format!("t{i:02}"))
                    .flat_map(|e| e.attributes.clone())
                    .collect();
                assert_eq!(got, [format!("attr{i}")]);
            }
        }
    }

    /// Rows are validated at load, each error naming its line; a provider or fix kind is
    /// looked up only when it differs from the row before, so a bad one after good ones of
    /// another value is still caught.
    #[test]
    fn catalogue_rows_are_validated_with_their_line() {
        let ok = "aws\tmanaged\taws_a\tpassword\tinput\naws\tdata\taws_b\ttoken\tinput\n";
        let p = generated(ok, "aws\taws_a\tpassword_wo\n").expect("valid rows load");
        assert!(p.secret_attribute("managed", "aws_a", "password").is_some());
        assert!(p.secret_attribute("data", "aws_b", "token").is_some());
        assert!(p.is_write_only("aws_a", "password_wo"));
        let cases = [
            (
                format!("{ok}aws\tmanaged\taws_c\tx\n"),
                "",
                "catalogue.secrets line 3: expected 5",
            ),
            (
                format!("{ok}aws\tmanaged\taws_c\tx\tinput\textra\n"),
                "",
                "line 3: expected 5",
            ),
            (
                format!("{ok}gcp\tmanaged\taws_c\tx\tinput\n"),
                "",
                "line 3: unknown provider key `gcp`",
            ),
            (
                format!("{ok}aws\tmanaged\taws_c\tx\twhat\n"),
                "",
                "line 3: unknown fix kind `what`",
            ),
            (
                format!("{ok}aws\tresource\taws_c\tx\tinput\n"),
                "",
                "line 3: mode `resource`",
            ),
            (
                ok.to_string(),
                "aws\taws_a\tp_wo\nazure\taws_a\tq_wo\n",
                "catalogue.write_only line 2: unknown provider key `azure`",
            ),
            (
                ok.to_string(),
                "aws\taws_a\n",
                "catalogue.write_only line 1: expected 3",
            ),
        ];
        for (secrets, wo, want) in cases {
            let e = generated(&secrets, wo).err().unwrap_or_default();
            assert!(e.contains(want), "{want:?} not in {e:?}");
        }
    }

    #[test]
    fn later_packs_extend_catalogue() {
        let p = Policy::load(&[
            pack("[[secret_attribute]]\nresource='a'\nattributes=['x']"),
            pack("[[secret_attribute]]\nresource='b'\nattributes=['y*']"),
        ])
        .unwrap();
        assert!(p.secret_attribute("managed", "a", "x").is_some());
        assert!(p.secret_attribute("managed", "b", "y_z").is_some());
        assert!(p.secret_attribute("data", "b", "y_z").is_none());
        assert!(p.secret_attribute("managed", "a", "xx").is_none());
    }

    #[test]
    fn nested_paths_and_write_only_index() {
        let p = Policy::load(&[pack(
            "[[secret_attribute]]\nresource='g'\nattributes=['master_auth[*].client_key']\n[[write_only]]\nresource='g'\narguments=['cfg[*].secret_wo']",
        )])
        .unwrap();
        assert!(p.secret_attribute("managed", "g", "master_auth").is_none());
        assert!(p.secret_within("managed", "g", "master_auth").is_some());
        assert!(p.secret_within("managed", "g", "client_key").is_none());
        let reach = |names: &[&str]| p.secret_within_path("managed", "g", names).is_some();
        assert!(reach(&["master_auth", "client_key"]));
        assert!(reach(&["master_auth", "client_key", "x"]));
        assert!(!reach(&["master_auth", "cluster_ca_certificate"]));
        assert!(!reach(&[]));
        let q = Policy::load(&[pack(
            "[[secret_attribute]]\nresource='v'\nattributes=['*[*].password']",
        )])
        .unwrap();
        assert!(
            q.secret_within_path("managed", "v", &["postgresql", "password"])
                .is_some()
        );
        assert!(
            q.secret_within_path("managed", "v", &["postgresql", "username"])
                .is_none()
        );
        assert!(p.is_write_only("g", "secret_wo"));
        assert!(p.is_write_only("g", "cfg[*].secret_wo"));
        assert!(!p.is_write_only("h", "secret_wo"));
        assert_eq!(
            path_names("a[*].b.c[*]").collect::<Vec<_>>(),
            vec!["a", "b", "c"]
        );
    }

    #[test]
    fn catalogue_rows_expand_to_entries() {
        let src = "[catalogue.fixes]\nwo = 'use {wo} ({provider} {version})'\ngen = '{type}.{attr}'\n\
            [catalogue.providers.x]\nprovider = 'h/x'\nversion = '1.0'\nsource = 'r@c'\n\
            [catalogue]\nsecrets = \"\"\"\nx\tmanaged\tt\tpassword\two\nx\tmanaged\tt\ta[*].key\tgen\n\
            x\tmanaged\tt\tb\tgen\nx\tdata\tt\tc\tgen\n\"\"\"\nwrite_only = \"x\\tt\\tpassword_wo\"\n";
        let p = Policy::load(&[pack(src)]).unwrap();
        let e = p.secret_attribute("managed", "t", "password").unwrap();
        assert_eq!(e.fix, "use password_wo (h/x 1.0)");
        assert_eq!(e.versions, "1.0 (generated)");
        assert!(p.secret_within("managed", "t", "a").is_some());
        assert_eq!(p.secret_attribute("managed", "t", "b").unwrap().fix, "t.b");
        assert!(p.secret_attribute("data", "t", "c").is_some());
        assert!(p.secret_attribute("data", "t", "b").is_none());
        assert!(p.is_write_only("t", "password_wo"));
        for bad in [
            "[catalogue]\nsecrets = 'x\tmanaged'",
            "[catalogue]\nsecrets = 'y\tmanaged\tt\ta\tk'",
            "[catalogue]\nwrite_only = 'y\tt\ta'",
        ] {
            let e = Policy::load(&[pack(bad)]).unwrap_err();
            assert!(e.contains("catalogue."), "{e}");
        }
    }

    #[test]
    fn generated_rows_are_cut_out_before_toml() {
        let text = "a = 1\n[catalogue]\nsecrets = '''\nx\tmanaged\tt\tp\tk\n'''\nwrite_only = '''\nx\tt\tp_wo\n'''\n";
        let (head, rows) = split_rows(text);
        assert_eq!(head, "a = 1\n[catalogue]\n");
        assert_eq!(rows, Some(("x\tmanaged\tt\tp\tk\n", "x\tt\tp_wo\n")));
        // Anything after the rows: parsed as TOML, rows and all.
        let (head, rows) =
            split_rows("\n[catalogue]\nsecrets = '''\n'''\nwrite_only = '''\n'''\nb = 2\n");
        assert!(rows.is_none() && head.contains("b = 2"));
        // The committed pack takes the fast path and gives what TOML gives.
        let generated = include_str!("../../policies/default/secrets-generated.toml");
        assert!(split_rows(generated).1.is_some());
        let pack = |contents: String| PolicyPackSrc {
            name: "g".into(),
            contents,
        };
        let fast = Policy::load(&[pack(generated.to_string())]).unwrap();
        let slow =
            Policy::load(&[pack(format!("{generated}\n# no longer the last line"))]).unwrap();
        assert_eq!(fast.secret_attributes, slow.secret_attributes);
        assert_eq!(fast.write_only, slow.write_only);
    }

    #[test]
    fn bad_pack_names_pack_and_line() {
        let e = Policy::load(&[pack("[[secret_attribute]]\nresource='a'\nattributez=['x']")])
            .unwrap_err();
        assert!(e.contains("policy pack `t`"), "{e}");
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn sections_merge_by_key() {
        let p = Policy::load(&[pack("[oauth]\na = 1\nb = 2"), pack("[oauth]\nb = 3")]).unwrap();
        let t = p.sections["oauth"].as_table().unwrap();
        assert_eq!(t["a"].as_integer(), Some(1));
        assert_eq!(t["b"].as_integer(), Some(3));
    }
}
