//! A small JSON parser that keeps byte offsets, for Terraform's JSON syntax (`.tf.json`,
//! `.tfvars.json`): serde_json gives no positions, and findings must point into the file.
//!
//! Object members are kept in document order, duplicates included. Nesting is limited to
//! [`MAX_DEPTH`] levels, so hostile input is an error with a location, not a stack overflow.

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// A JSON value and its byte range (`start..end`) in the document.
#[derive(Debug, Clone)]
pub struct Value {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number's text is `src[start..end]`.
    Number,
    String(Str),
    Array(Vec<Value>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone)]
pub struct Member {
    pub key: Str,
    pub value: Value,
}

/// A string token, `start..end` including the quotes (validated: it decodes without error).
/// Decoded on demand, so a large generated file is not held twice.
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub start: usize,
    pub end: usize,
}

impl Str {
    /// Every character with the byte offset of its source text (the escape's backslash for
    /// an escaped character).
    pub fn decode(&self, src: &str) -> Vec<(char, usize)> {
        let mut p = Parser {
            s: src.as_bytes(),
            src,
            i: self.start,
        };
        let mut out = Vec::new();
        // Cannot fail: the parser validated this token.
        let _ = p.string(Some(&mut out));
        out
    }

    pub fn text(&self, src: &str) -> String {
        self.decode(src).into_iter().map(|(c, _)| c).collect()
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, JsonError> {
    Err(JsonError {
        offset,
        message: message.into(),
    })
}

/// Parse one JSON document (a UTF-8 byte-order mark is skipped).
pub fn parse(src: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
    };
    if src.starts_with('\u{feff}') {
        p.i = 3;
    }
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return err(p.i, "unexpected text after the JSON value");
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        let start = self.i;
        let kind = match self.s.get(self.i) {
            None => return err(self.i, "unexpected end of input, expected a value"),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return err(self.i, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                Kind::Object(self.object(depth + 1)?)
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return err(self.i, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                Kind::Array(self.array(depth + 1)?)
            }
            Some(b'"') => Kind::String(self.string(None)?),
            Some(b't') => self.word("true", Kind::Bool(true))?,
            Some(b'f') => self.word("false", Kind::Bool(false))?,
            Some(b'n') => self.word("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return err(self.i, self.unexpected("a value")),
        };
        Ok(Value {
            start,
            end: self.i,
            kind,
        })
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.src.get(self.i..).and_then(|r| r.chars().next()) {
            Some(c) => format!("unexpected `{}`, expected {wanted}", c.escape_default()),
            None => format!("unexpected end of input, expected {wanted}"),
        }
    }

    fn word(&mut self, w: &str, kind: Kind) -> Result<Kind, JsonError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(kind)
        } else {
            err(self.i, self.unexpected("a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        self.i - from
    }

    fn number(&mut self) -> Result<Kind, JsonError> {
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 {
            return err(self.i, self.unexpected("a digit"));
        }
        if n > 1 && self.s[int_start] == b'0' {
            return err(int_start, "a number cannot start with 0");
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return err(self.i, self.unexpected("a digit"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return err(self.i, self.unexpected("a digit"));
            }
        }
        Ok(Kind::Number)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let at = self.i;
        let h = self
            .src
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => err(at, "`\\u` must be followed by four hex digits"),
        }
    }

    /// A string token; its decoded characters go to `chars` when given.
    fn string(&mut self, mut chars: Option<&mut Vec<(char, usize)>>) -> Result<Str, JsonError> {
        let start = self.i;
        self.i += 1;
        loop {
            let at = self.i;
            let Some(c) = self.src.get(self.i..).and_then(|r| r.chars().next()) else {
                return err(start, "unterminated string");
            };
            match c {
                '"' => {
                    self.i += 1;
                    break;
                }
                '\\' => {
                    self.i += 1;
                    let e = self.s.get(self.i).copied();
                    self.i += 1;
                    let d = match e {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return err(at, "unpaired UTF-16 surrogate in `\\u` escape");
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return err(at, "unpaired UTF-16 surrogate in `\\u` escape");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => c,
                                None => {
                                    return err(at, "unpaired UTF-16 surrogate in `\\u` escape");
                                }
                            }
                        }
                        _ => return err(at, "invalid escape in string"),
                    };
                    if let Some(out) = chars.as_deref_mut() {
                        out.push((d, at));
                    }
                }
                c if (c as u32) < 0x20 => {
                    return err(at, "control character in string (escape it)");
                }
                c => {
                    self.i += c.len_utf8();
                    if let Some(out) = chars.as_deref_mut() {
                        out.push((c, at));
                    }
                }
            }
        }
        Ok(Str { start, end: self.i })
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Value>, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(items);
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(items);
                }
                _ => return err(self.i, self.unexpected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Vec<Member>, JsonError> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(members);
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return err(self.i, self.unexpected("a string key"));
            }
            let key = self.string(None)?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return err(self.i, self.unexpected("`:`"));
            }
            self.i += 1;
            self.ws();
            let value = self.value(depth)?;
            members.push(Member { key, value });
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(members);
                }
                _ => return err(self.i, self.unexpected("`,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: &Value) -> &[Member] {
        match &v.kind {
            Kind::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn values_keep_their_byte_ranges() {
        let src = "{\"a\": [1, -2.5e3, true, null],\n \"b\" : \"x\"}";
        let v = parse(src).unwrap();
        assert_eq!((v.start, v.end), (0, src.len()));
        let m = obj(&v);
        assert_eq!(m[0].key.text(src), "a");
        assert_eq!((m[0].key.start, m[0].key.end), (1, 4));
        let Kind::Array(items) = &m[0].value.kind else {
            panic!()
        };
        assert_eq!(&src[items[1].start..items[1].end], "-2.5e3");
        assert_eq!(&src[m[1].value.start..m[1].value.end], "\"x\"");
        assert_eq!(m[1].key.start, src.find("\"b\"").unwrap());
    }

    #[test]
    fn escapes_decode_with_the_offset_of_their_backslash() {
        let src = r#"{"k": "a\"\\\n\u00e9\ud83d\ude00/\/é"}"#;
        let v = parse(src).unwrap();
        let Kind::String(s) = &obj(&v)[0].value.kind else {
            panic!()
        };
        assert_eq!(s.text(src), "a\"\\\né😀//é");
        let offsets: Vec<usize> = s.decode(src).iter().map(|c| c.1).collect();
        let base = src.find("\"a").unwrap() + 1;
        assert_eq!(
            offsets,
            [0, 1, 3, 5, 7, 13, 25, 26, 28].map(|o| base + o).to_vec()
        );
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let src = r#"{"a":1,"a":2,"b":3}"#;
        let v = parse(src).unwrap();
        let keys: Vec<String> = obj(&v).iter().map(|m| m.key.text(src)).collect();
        assert_eq!(keys, ["a", "a", "b"]);
    }

    #[test]
    fn errors_have_offsets() {
        let cases = [
            ("{\"a\" 1}", 5, "`:`"),
            ("{\"a\": 1,}", 8, "string key"),
            ("[1 2]", 3, "`,` or `]`"),
            ("{\"a\": \"x}", 6, "unterminated"),
            ("{\"a\": 01}", 6, "start with 0"),
            ("{\"a\": \"\\q\"}", 7, "invalid escape"),
            ("{\"a\": \"\\ud800\"}", 7, "surrogate"),
            ("{\"a\": \"x\ny\"}", 8, "control character"),
            ("{} x", 3, "after the JSON value"),
            ("", 0, "end of input"),
            ("{\"a\": tru}", 6, "expected a value"),
        ];
        for (src, offset, msg) in cases {
            let e = parse(src).unwrap_err();
            assert_eq!(e.offset, offset, "{src}: {}", e.message);
            assert!(e.message.contains(msg), "{src}: {}", e.message);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let src = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&src).unwrap_err();
        assert_eq!(e.offset, MAX_DEPTH);
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let v = parse("\u{feff}{\"a\":1}").unwrap();
        assert_eq!(v.start, 3);
    }
}
