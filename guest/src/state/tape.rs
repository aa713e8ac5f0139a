//! One instance's attribute values as a flat list of nodes (a "tape"), read through `Json`.
//!
//! A large state is mostly attribute values, and a tree of them per instance was most of the
//! guest's allocations (bench/NOTES.md). A tape is one `Vec` that the reader clears and
//! refills for every instance, so reading attributes allocates nothing once it has grown.
//! Strings without escapes point into the document; escaped ones are decoded into the tape's
//! own text. Objects keep document order and repeated keys, and `get` finds the first.

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::Seg;

#[derive(Clone, Copy, Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    Num(Num),
    Str(&'a str),
    /// An escaped string, decoded into `Tape::owned[start..end]`.
    Owned(u32, u32),
    /// `end` is the index of the first node after the container. An object's members are
    /// a key node (`Str` or `Owned`) followed by the value's nodes.
    Array {
        len: u32,
        end: u32,
    },
    Object {
        len: u32,
        end: u32,
    },
}

/// A JSON number as serde_json reads it: integers that fit stay exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    U(u64),
    I(i64),
    F(f64),
}

impl Num {
    fn to_value(self) -> Value {
        match self {
            Num::U(n) => Value::from(n),
            Num::I(n) => Value::from(n),
            Num::F(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        }
    }
}

#[derive(Default)]
pub struct Tape<'a> {
    nodes: Vec<Node<'a>>,
    owned: String,
}

impl<'a> Tape<'a> {
    /// A tape holding `null`, what an instance without attributes has.
    pub fn null() -> Self {
        let mut t = Tape::default();
        t.nodes.push(Node::Null);
        t
    }

    /// Nothing on it yet.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn clear(&mut self) {
        self.nodes.clear();
        self.owned.clear();
    }

    /// The first value on the tape (the one it was filled with).
    pub fn root(&self) -> Json<'_> {
        Json {
            nodes: &self.nodes,
            owned: &self.owned,
            i: 0,
        }
    }

    pub(super) fn null_value(&mut self) {
        self.nodes.push(Node::Null);
    }
    pub(super) fn bool_value(&mut self, b: bool) {
        self.nodes.push(Node::Bool(b));
    }
    pub(super) fn num(&mut self, n: Num) {
        self.nodes.push(Node::Num(n));
    }
    /// A string (value or key) that needed no decoding.
    pub(super) fn borrowed(&mut self, s: &'a str) {
        self.nodes.push(Node::Str(s));
    }
    /// A decoded string: `f` appends its text to the tape's own.
    pub(super) fn decoded<E>(
        &mut self,
        f: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.owned.len();
        f(&mut self.owned)?;
        self.nodes
            .push(Node::Owned(start as u32, self.owned.len() as u32));
        Ok(())
    }
    /// Open a container; `close` fills in its length and end.
    pub(super) fn open(&mut self, object: bool) -> usize {
        let at = self.nodes.len();
        self.nodes.push(if object {
            Node::Object { len: 0, end: 0 }
        } else {
            Node::Array { len: 0, end: 0 }
        });
        at
    }
    pub(super) fn close(&mut self, at: usize, n: u32) {
        let end = self.nodes.len() as u32;
        if let Some(Node::Object { len, end: e } | Node::Array { len, end: e }) =
            self.nodes.get_mut(at)
        {
            *len = n;
            *e = end;
        }
    }

    /// A tape of an owned value (outputs and variables are read as `Value`), borrowing its
    /// strings.
    pub fn from_value(v: &'a Value) -> Self {
        let mut t = Tape::default();
        t.push_value(v);
        t
    }

    fn push_value(&mut self, v: &'a Value) {
        match v {
            Value::Null => self.null_value(),
            Value::Bool(b) => self.bool_value(*b),
            Value::Number(n) => self.num(if let Some(u) = n.as_u64() {
                Num::U(u)
            } else if let Some(i) = n.as_i64() {
                Num::I(i)
            } else {
                Num::F(n.as_f64().unwrap_or(0.0))
            }),
            Value::String(s) => self.borrowed(s),
            Value::Array(items) => {
                let at = self.open(false);
                for x in items {
                    self.push_value(x);
                }
                self.close(at, items.len() as u32);
            }
            Value::Object(m) => {
                let at = self.open(true);
                for (k, x) in m {
                    self.borrowed(k);
                    self.push_value(x);
                }
                self.close(at, m.len() as u32);
            }
        }
    }

    /// Fill an empty tape from a serde deserializer: the reader for documents the fast
    /// reader leaves to serde (and for plan values it cannot take).
    pub fn fill<'de: 'a, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        Fill(self).deserialize(d)
    }
}

/// Deserializes into a fresh tape (serde readers of whole records).
pub struct OwnedTape<'a>(pub Tape<'a>);

impl<'de> serde::Deserialize<'de> for OwnedTape<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut t = Tape::default();
        t.fill(d)?;
        Ok(OwnedTape(t))
    }
}

struct Fill<'t, 'a>(&'t mut Tape<'a>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Fill<'_, 'a> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Fill<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.null_value();
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.0.null_value();
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.0.bool_value(b);
        Ok(())
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.0.num(Num::U(n));
        Ok(())
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.0.num(Num::I(n));
        Ok(())
    }
    fn visit_f64<E>(self, f: f64) -> Result<(), E> {
        self.0.num(Num::F(f));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<(), E> {
        self.0.borrowed(s);
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        self.0.decoded(|o| {
            o.push_str(s);
            Ok(())
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.0.open(false);
        let mut n = 0;
        while seq.next_element_seed(Fill(&mut *self.0))?.is_some() {
            n += 1;
        }
        self.0.close(at, n);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.0.open(true);
        let mut n = 0;
        while map.next_key_seed(Key(&mut *self.0))?.is_some() {
            map.next_value_seed(Fill(&mut *self.0))?;
            n += 1;
        }
        self.0.close(at, n);
        Ok(())
    }
}

struct Key<'t, 'a>(&'t mut Tape<'a>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Key<'_, 'a> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(Fill(self.0))
    }
}

/// A value on a tape. Copy: a cursor, not a tree.
#[derive(Clone, Copy)]
pub struct Json<'t> {
    nodes: &'t [Node<'t>],
    owned: &'t str,
    i: usize,
}

/// What a value is, with its contents.
pub enum Kind<'t> {
    Null,
    Bool(bool),
    Num(Num),
    Str(&'t str),
    Array(Items<'t>),
    Object(Entries<'t>),
}

impl<'t> Json<'t> {
    #[inline]
    fn node(&self) -> Node<'t> {
        self.nodes.get(self.i).copied().unwrap_or(Node::Null)
    }
    #[inline]
    fn at(&self, i: usize) -> Json<'t> {
        Json { i, ..*self }
    }
    /// Index of the node after this value.
    #[inline]
    fn end(&self) -> usize {
        match self.node() {
            Node::Array { end, .. } | Node::Object { end, .. } => end as usize,
            _ => self.i + 1,
        }
    }
    #[inline]
    fn text(&self, i: usize) -> &'t str {
        match self.nodes.get(i) {
            Some(Node::Str(s)) => s,
            Some(Node::Owned(a, b)) => self.owned.get(*a as usize..*b as usize).unwrap_or(""),
            _ => "",
        }
    }

    #[inline]
    pub fn kind(&self) -> Kind<'t> {
        match self.node() {
            Node::Null => Kind::Null,
            Node::Bool(b) => Kind::Bool(b),
            Node::Num(n) => Kind::Num(n),
            Node::Str(_) | Node::Owned(..) => Kind::Str(self.text(self.i)),
            Node::Array { len, end } => Kind::Array(Items {
                next: self.at(self.i + 1),
                end: end as usize,
                len: len as usize,
            }),
            Node::Object { len, end } => Kind::Object(Entries {
                next: self.at(self.i + 1),
                end: end as usize,
                len: len as usize,
            }),
        }
    }
    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self.node(), Node::Null)
    }
    #[inline]
    pub fn as_str(&self) -> Option<&'t str> {
        match self.kind() {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<Items<'t>> {
        match self.kind() {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<Entries<'t>> {
        match self.kind() {
            Kind::Object(o) => Some(o),
            _ => None,
        }
    }
    /// The first member named `key` of an object.
    pub fn get(&self, key: &str) -> Option<Json<'t>> {
        self.as_object()?.find_map(|(k, v)| (k == key).then_some(v))
    }

    /// Call `f` with every string below this value and its path (`walk_strings`). Children
    /// are read straight off the tape, and a string or scalar child costs no call: this
    /// runs over every value of a state.
    pub fn walk_strings(self, path: &mut Vec<Seg<'t>>, f: &mut dyn FnMut(&[Seg<'t>], &str)) {
        let mut child = |i: usize, seg: Seg<'t>, path: &mut Vec<Seg<'t>>| -> usize {
            match self.nodes.get(i) {
                Some(Node::Str(_) | Node::Owned(..)) => {
                    path.push(seg);
                    f(path, self.text(i));
                    path.pop();
                    i + 1
                }
                Some(Node::Array { end, .. } | Node::Object { end, .. }) => {
                    path.push(seg);
                    self.at(i).walk_strings(path, f);
                    path.pop();
                    *end as usize
                }
                _ => i + 1,
            }
        };
        match self.node() {
            Node::Str(_) | Node::Owned(..) => f(path, self.text(self.i)),
            Node::Array { end, .. } => {
                let (mut i, mut k) = (self.i + 1, 0);
                while i < end as usize {
                    i = child(i, Seg::Idx(k), path);
                    k += 1;
                }
            }
            Node::Object { end, .. } => {
                let mut i = self.i + 1;
                while i < end as usize {
                    let key = self.text(i);
                    i = child(i + 1, Seg::Key(key), path);
                }
            }
            _ => {}
        }
    }

    /// An owned copy, as serde_json reads it (a repeated key keeps its last value).
    pub fn to_value(&self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Num(n) => n.to_value(),
            Kind::Str(s) => Value::String(s.to_string()),
            Kind::Array(items) => Value::Array(items.map(|v| v.to_value()).collect()),
            Kind::Object(entries) => Value::Object(
                entries
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl std::fmt::Debug for Tape<'_> {
    // Attribute values may be secrets: only the shape is printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tape({} nodes)", self.nodes.len())
    }
}

impl std::fmt::Debug for Json<'_> {
    // Attribute values may be secrets: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Json(..)")
    }
}

/// The elements of an array.
#[derive(Clone, Copy)]
pub struct Items<'t> {
    next: Json<'t>,
    end: usize,
    len: usize,
}

impl<'t> Iterator for Items<'t> {
    type Item = Json<'t>;
    #[inline]
    fn next(&mut self) -> Option<Json<'t>> {
        if self.next.i >= self.end {
            return None;
        }
        let v = self.next;
        self.next = v.at(v.end());
        Some(v)
    }
}

impl Items<'_> {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The members of an object, in document order.
#[derive(Clone, Copy)]
pub struct Entries<'t> {
    next: Json<'t>,
    end: usize,
    len: usize,
}

impl<'t> Iterator for Entries<'t> {
    type Item = (&'t str, Json<'t>);
    #[inline]
    fn next(&mut self) -> Option<(&'t str, Json<'t>)> {
        if self.next.i >= self.end {
            return None;
        }
        let key = self.next.text(self.next.i);
        let v = self.next.at(self.next.i + 1);
        self.next = v.at(v.end());
        Some((key, v))
    }
}

impl Entries<'_> {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tape(text: &str) -> Tape<'_> {
        let mut t = Tape::default();
        t.fill(&mut serde_json::Deserializer::from_str(text))
            .unwrap();
        t
    }

    #[test]
    fn reads_back_what_serde_reads() {
        let text = r#"{"a":[1,-2,2.5,"x\"y",null,true,{}],"b":{"c":[]},"a":"again","é":"\u00e9"}"#;
        let t = tape(text);
        let root = t.root();
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(root.to_value(), v);
        let keys: Vec<&str> = root.as_object().unwrap().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "a", "é"], "document order, repeats kept");
        assert_eq!(root.get("a").unwrap().as_array().unwrap().len(), 7);
        assert_eq!(root.get("é").unwrap().as_str(), Some("é"));
        assert!(
            root.get("b")
                .unwrap()
                .get("c")
                .unwrap()
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(root.get("zz").is_none());
    }

    /// Attribute values are secrets as often as not: `Debug` shows neither a tape's nor a
    /// value's text.
    #[test]
    fn debug_output_never_shows_values() {
        let t = tape(r#"{"client_secret":"hunter2-s3cret","k\"x":"esc\"aped-s3cret"}"#);
        for shown in [
            format!("{t:?}"),
            format!("{:?}", t.root()),
            format!("{:#?}", t),
        ] {
            assert!(
                !shown.contains("s3cret") && !shown.contains("client_secret"),
                "{shown}"
            );
        }
    }
}
