//! The scope catalogue as pure functions: is a scope known, what did the author probably mean,
//! is it broad, does a read-only twin exist.
//!
//! Genesys scopes are `<area>` (read-write) or `<area>:readonly`. Authors coming from other
//! platforms write `user:read` or `conversation:call`, which plain edit distance maps badly
//! (`user:read` is as close to `users` as to `users:readonly`), so the suggestion first splits
//! the name into area and access, matches the area by edit distance (`strsim`), then picks the
//! read-only or read-write form from the access word.

use std::collections::BTreeSet;

use super::data::ScopePolicy;

pub const READONLY: &str = ":readonly";

/// Access words that mean "read" in other scope vocabularies.
const READ_WORDS: &[&str] = &["read", "readonly", "read-only", "view", "get", "list", "ro"];
/// Access words that mean "change something".
const WRITE_WORDS: &[&str] = &[
    "write",
    "edit",
    "call",
    "add",
    "create",
    "update",
    "delete",
    "manage",
    "admin",
    "all",
    "rw",
    "readwrite",
    "full",
];

pub struct Catalogue {
    /// Identifies the scope set, so memoised suggestions never cross catalogues.
    id: u64,
    known: BTreeSet<String>,
    /// Area names: each known scope without `:readonly`.
    areas: BTreeSet<String>,
    legacy: BTreeSet<String>,
    unverified: BTreeSet<String>,
}

/// How a scope name stands against the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Known,
    /// Once accepted, on no operation now.
    Legacy,
    /// Not `<area>` or `<area>:readonly` in lower case (`user:read`, `Users`): with suggestions.
    Malformed(Vec<String>),
    /// Well-formed but a slip of a real area (`user`, `archtect`): with suggestions.
    NearMiss(Vec<String>),
    /// A real area in a form the catalogue lacks (`search`, `upload:readonly`): the real forms.
    OtherForm(Vec<String>),
    /// Well-formed, seen on live clients, absent from the catalogue's source.
    Unverified,
    /// Well-formed and not near anything: possibly newer than the catalogue.
    Absent,
}

/// `<area>` or `<area>:readonly`, the area lower-case letters and digits joined by single
/// hyphens.
pub fn well_formed(scope: &str) -> bool {
    let area = scope.strip_suffix(READONLY).unwrap_or(scope);
    !area.is_empty()
        && area.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && area.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

impl Catalogue {
    pub fn new(policy: &ScopePolicy, extra: &[String]) -> Self {
        let known: BTreeSet<String> = policy.known.iter().chain(extra).cloned().collect();
        let legacy = policy
            .legacy
            .iter()
            .filter(|s| !known.contains(*s))
            .cloned()
            .collect();
        let unverified = policy
            .unverified
            .iter()
            .filter(|s| !known.contains(*s))
            .cloned()
            .collect();
        let areas = known
            .iter()
            .map(|s| s.strip_suffix(READONLY).unwrap_or(s).to_string())
            .collect();
        let mut id: u64 = 0xcbf29ce484222325;
        for b in known.iter().flat_map(|k| k.bytes().chain([0])) {
            id = (id ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
        Catalogue {
            id,
            known,
            areas,
            legacy,
            unverified,
        }
    }

    pub fn is_known(&self, scope: &str) -> bool {
        self.known.contains(scope)
    }

    /// Known, obsolete, wrong (an error: malformed or a near miss) or merely absent (a
    /// warning: the catalogue may be older than the scope).
    pub fn judge(&self, scope: &str) -> Verdict {
        if self.known.contains(scope) {
            return Verdict::Known;
        }
        if self.legacy.contains(scope) {
            return Verdict::Legacy;
        }
        if !well_formed(scope) {
            return Verdict::Malformed(self.suggest(scope));
        }
        if self.unverified.contains(scope) {
            return Verdict::Unverified;
        }
        let area = scope.strip_suffix(READONLY).unwrap_or(scope);
        if self.areas.contains(area) {
            let forms = [area.to_string(), format!("{area}{READONLY}")];
            return Verdict::OtherForm(
                forms
                    .into_iter()
                    .filter(|f| self.known.contains(f.as_str()))
                    .collect(),
            );
        }
        let near = self
            .areas
            .iter()
            .any(|a| area_distance(area, a, (a.len().max(area.len()) / 4).clamp(1, 2)).is_some());
        if near {
            return Verdict::NearMiss(self.suggest(scope));
        }
        Verdict::Absent
    }

    /// `users` → `users:readonly` when that scope exists.
    pub fn readonly_twin(&self, scope: &str) -> Option<String> {
        if scope.ends_with(READONLY) {
            return None;
        }
        let twin = format!("{scope}{READONLY}");
        self.known.contains(twin.as_str()).then_some(twin)
    }

    /// The nearest real scope(s) for an unknown name, best first. Memoised: a large state
    /// repeats the same wrong scope on every client, and edit distances over the whole
    /// catalogue dominated the check (bench/NOTES.md).
    pub fn suggest(&self, unknown: &str) -> Vec<String> {
        thread_local! {
            static MEMO: std::cell::RefCell<std::collections::BTreeMap<(u64, String), Vec<String>>> =
                const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
        }
        // A name longer than any scope has no suggestion: answer before copying it as a key.
        if unknown.len() > 256 {
            return Vec::new();
        }
        let key = (self.id, unknown.to_string());
        if let Some(hit) = MEMO.with(|m| m.borrow().get(&key).cloned()) {
            return hit;
        }
        let out = self.suggest_uncached(unknown);
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() < 4096 {
                m.insert(key, out.clone());
            }
        });
        out
    }

    fn suggest_uncached(&self, unknown: &str) -> Vec<String> {
        let lower = unknown.trim().to_ascii_lowercase();
        if self.known.contains(lower.as_str()) {
            return vec![lower];
        }
        let (area, access) = match lower.split_once([':', '.', '/']) {
            Some((a, b)) => (a, Some(b)),
            None => (lower.as_str(), None),
        };
        let mut out = Vec::new();
        if let Some(best) = self.nearest_area(area) {
            let ro = format!("{best}{READONLY}");
            let has_ro = self.known.contains(ro.as_str());
            let has_rw = self.known.contains(best);
            let wants_write = access.is_some_and(|a| WRITE_WORDS.contains(&a));
            let wants_read = access.is_some_and(|a| READ_WORDS.contains(&a));
            // No access word: the bare area is what was written. An unfamiliar one
            // (`analytics:conversation`) reads like a sub-resource: least privilege first.
            let prefer_write = wants_write || (access.is_none() && !wants_read);
            let (first, second) = if prefer_write {
                (has_rw.then(|| best.to_string()), has_ro.then_some(ro))
            } else {
                (has_ro.then_some(ro), has_rw.then(|| best.to_string()))
            };
            out.extend(first);
            out.extend(second);
        }
        if out.is_empty() {
            // No area is close: fall back to whole-name distance.
            let mut best: Vec<(usize, &str)> = self
                .known
                .iter()
                .filter_map(|k| {
                    crate::near::distance_within(&lower, k, threshold(k.len().max(lower.len())))
                        .map(|d| (d, k.as_str()))
                })
                .collect();
            best.sort();
            out.extend(best.into_iter().take(2).map(|(_, k)| k.to_string()));
        }
        out
    }

    fn nearest_area(&self, area: &str) -> Option<&str> {
        if area.is_empty() {
            return None;
        }
        self.areas
            .iter()
            .filter_map(|a| {
                area_distance(area, a, threshold(a.len().max(area.len()))).map(|d| (d, a.as_str()))
            })
            .min()
            .map(|(_, a)| a)
    }
}

/// Edit distance if at most `max`, but a plural/singular slip (`user` vs `users`) costs least.
fn area_distance(written: &str, area: &str, max: usize) -> Option<usize> {
    if area.strip_suffix('s') == Some(written) || written.strip_suffix('s') == Some(area) {
        return Some(0);
    }
    crate::near::distance_within(written, area, max)
}

fn threshold(len: usize) -> usize {
    (len / 3).clamp(1, 4)
}

/// Render suggestions as "did you mean `a` (or `b`)?".
pub fn did_you_mean(s: &[String]) -> String {
    match s {
        [] => String::new(),
        [a] => format!("did you mean `{a}`?"),
        [a, b, ..] => format!("did you mean `{a}` (or `{b}`)?"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat_suggest(s: &str) -> Vec<String> {
        let d = super::super::data::default_data();
        let c = Catalogue::new(&d.scopes, &[]);
        c.suggest(s)
    }

    #[test]
    fn seed_scopes_get_real_names() {
        assert_eq!(cat_suggest("user:read")[0], "users:readonly");
        assert_eq!(cat_suggest("conversation:call")[0], "conversations");
        assert_eq!(
            cat_suggest("analytics:conversation")[0],
            "analytics:readonly"
        );
    }

    #[test]
    fn other_slips() {
        assert_eq!(cat_suggest("Users")[0], "users");
        assert_eq!(cat_suggest("routing:write")[0], "routing");
        assert_eq!(cat_suggest("archtect")[0], "architect");
        assert_eq!(cat_suggest("search")[0], "search:readonly");
        assert_eq!(cat_suggest("upload:read")[0], "upload");
        assert!(cat_suggest("zzzzzzzzzzzzzz").is_empty());
    }

    fn judge(s: &str) -> Verdict {
        let d = super::super::data::default_data();
        Catalogue::new(&d.scopes, &[]).judge(s)
    }

    #[test]
    fn verdicts() {
        assert!(well_formed("users") && well_formed("users:readonly") && well_formed("a-b2"));
        for bad in [
            "user:read",
            "Users",
            "a--b",
            "-a",
            "a-",
            ":readonly",
            "",
            "2fa",
            "a b",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
        assert_eq!(judge("gamification:readonly"), Verdict::Known);
        assert_eq!(judge("streaming-events:readonly"), Verdict::Legacy);
        assert_eq!(judge("webhooks"), Verdict::Unverified);
        assert!(matches!(judge("user:read"), Verdict::Malformed(s) if s[0] == "users:readonly"));
        assert!(
            matches!(judge("conversation:call"), Verdict::Malformed(s) if s[0] == "conversations")
        );
        assert!(matches!(
            judge("analytics:conversation"),
            Verdict::Malformed(_)
        ));
        assert!(matches!(judge("user"), Verdict::NearMiss(s) if s[0] == "users"));
        assert!(matches!(judge("archtect"), Verdict::NearMiss(s) if s[0] == "architect"));
        assert_eq!(
            judge("search"),
            Verdict::OtherForm(vec!["search:readonly".into()])
        );
        assert_eq!(judge("quantum-routing-insights"), Verdict::Absent);
        assert_eq!(judge("all"), Verdict::Absent);
    }

    #[test]
    fn twins_and_known() {
        let d = super::super::data::default_data();
        let extra = vec!["brand-new".to_string()];
        let c = Catalogue::new(&d.scopes, &extra);
        assert_eq!(c.readonly_twin("users").as_deref(), Some("users:readonly"));
        assert_eq!(c.readonly_twin("users:readonly"), None);
        assert_eq!(c.readonly_twin("upload"), None);
        assert!(c.is_known("brand-new") && c.is_known("oauth") && !c.is_known("user:read"));
        assert_eq!(
            did_you_mean(&["a".into(), "b".into()]),
            "did you mean `a` (or `b`)?"
        );
    }
}
