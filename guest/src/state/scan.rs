//! The fast reader of a v4 state: one pass over the bytes, each instance's attributes onto
//! one reused tape, each instance handed to the visitor as soon as it is read.
//!
//! It reads the state as Terraform writes it (`version` before `resources`; a resource's
//! `mode`, `type`, `name`, `module` and `provider` before its `instances`) and takes exactly
//! the documents the serde reader (`TopSeed`, `v4`) takes, with the same result. Anything
//! else, a syntax error included, is a `Bail`: the caller forgets what was visited and reads
//! the document again with the serde reader, which gives the error and its position. Its
//! checks are therefore the same as serde_json's: strict JSON, control characters and bad
//! escapes refused, numbers that overflow an `f64` refused, lone surrogates refused where a
//! string is decoded, the nesting limit kept.

use serde_json::Value;

use super::tape::{Num, Tape};
use super::{Attrs, Instance, Visitor, format_address, parse_sensitive_paths};

/// This document is left to the serde reader.
#[derive(Debug)]
pub(super) struct Bail;

type R<T> = Result<T, Bail>;

/// serde_json refuses deeper nesting (its recursion limit is 128); the fast reader leaves
/// anything near it to serde.
const MAX_DEPTH: u32 = 100;

/// A string token: its text between the quotes, and whether it has escapes.
#[derive(Clone, Copy)]
struct Str<'a> {
    raw: &'a str,
    escaped: bool,
}

struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is `"`, `\` or below 0x20. Only the lowest flagged
/// byte is exact (a borrow may flag bytes above it), which is the only one used.
#[inline]
fn specials(w: u64) -> u64 {
    let q = w ^ (ONES * b'"' as u64);
    let s = w ^ (ONES * b'\\' as u64);
    let zq = q.wrapping_sub(ONES) & !q;
    let zs = s.wrapping_sub(ONES) & !s;
    let ctl = w.wrapping_sub(ONES * 0x20) & !w;
    (zq | zs | ctl) & HIGHS
}

/// The index of the first `"`, `\` or control character at or after `i` (or a point of the
/// last seven bytes from which a byte-wise look finds it): sixteen bytes per step with WASM
/// SIMD, eight with the portable word trick.
#[inline]
fn next_special(b: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{
            u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128_load, v128_or,
        };
        let (q, s, c) = (u8x16_splat(b'"'), u8x16_splat(b'\\'), u8x16_splat(0x20));
        while let Some(chunk) = b.get(i..i + 16) {
            // SAFETY: `chunk` is 16 readable bytes, and a WASM load has no alignment rule.
            let v = unsafe { v128_load(chunk.as_ptr().cast()) };
            let m = u8x16_bitmask(v128_or(
                v128_or(u8x16_eq(v, q), u8x16_eq(v, s)),
                u8x16_lt(v, c),
            ));
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let m = specials(u64::from_le_bytes(w));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan {
            text,
            b: text.as_bytes(),
            i: 0,
            depth: 0,
        }
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            match c {
                // Indentation comes in runs: eight spaces at a time.
                b' ' => {
                    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                    if let Some(chunk) = self.b.get(self.i..self.i + 16) {
                        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128_load};
                        // SAFETY: `chunk` is 16 readable bytes, and a WASM load has no
                        // alignment rule.
                        let v = unsafe { v128_load(chunk.as_ptr().cast()) };
                        let spaces = u8x16_bitmask(u8x16_eq(v, u8x16_splat(b' ')));
                        // The first byte is a space, so this is at least 1.
                        self.i += (!spaces).trailing_zeros() as usize;
                        continue;
                    }
                    self.i += match self.b.get(self.i..self.i + 8) {
                        Some(chunk) => {
                            let mut w = [0u8; 8];
                            w.copy_from_slice(chunk);
                            let x = u64::from_le_bytes(w) ^ (ONES * b' ' as u64);
                            // The first byte is a space, so this is at least 1.
                            if x == 0 {
                                8
                            } else {
                                (x.trailing_zeros() / 8) as usize
                            }
                        }
                        None => 1,
                    }
                }
                b'\n' | b'\r' | b'\t' => self.i += 1,
                _ => break,
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline(always)]
    fn peek(&mut self) -> R<u8> {
        match self.b.get(self.i) {
            Some(&c) if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') => Ok(c),
            _ => {
                self.ws();
                self.b.get(self.i).copied().ok_or(Bail)
            }
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn deeper(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// A string token, after any whitespace.
    fn string(&mut self) -> R<Str<'a>> {
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        self.string_here()
    }

    /// A string token; the cursor is on its opening quote (the caller looked).
    #[inline]
    fn string_here(&mut self) -> R<Str<'a>> {
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            self.i = next_special(self.b, self.i);
            let c = *self.b.get(self.i).ok_or(Bail)?;
            match c {
                b'"' => {
                    let raw = self.text.get(start..self.i).ok_or(Bail)?;
                    self.i += 1;
                    return Ok(Str { raw, escaped });
                }
                b'\\' => {
                    escaped = true;
                    match self.b.get(self.i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 2,
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 2..self.i + 6).ok_or(Bail)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Bail);
                            }
                            self.i += 6;
                        }
                        _ => return Err(Bail),
                    }
                }
                c if c < 0x20 => return Err(Bail),
                _ => self.i += 1,
            }
        }
    }

    /// A number token, checked against JSON's grammar; the cursor is on its first byte.
    fn number(&mut self) -> R<&'a str> {
        self.ws();
        let start = self.i;
        let digits = |s: &mut Self| {
            let from = s.i;
            while s.b.get(s.i).is_some_and(u8::is_ascii_digit) {
                s.i += 1;
            }
            s.i - from
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(Bail),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(Bail);
            }
        }
        self.text.get(start..self.i).ok_or(Bail)
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Skip one value, checking it as serde_json checks what it ignores.
    fn skip(&mut self) -> R<()> {
        self.walk(&mut Skip)
    }

    /// After a member or element: `,` (more follow: false) or the closing bracket (true).
    /// Terraform writes the comma right after the value: that case is inlined.
    #[inline(always)]
    fn comma_or(&mut self, close: u8) -> R<bool> {
        if self.b.get(self.i) == Some(&b',') {
            self.i += 1;
            return Ok(false);
        }
        self.comma_or_after_space(close)
    }

    fn comma_or_after_space(&mut self, close: u8) -> R<bool> {
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            Ok(false)
        } else if c == close {
            Ok(true)
        } else {
            Err(Bail)
        }
    }

    /// One value, raw: the text it spans.
    fn raw(&mut self) -> R<&'a str> {
        self.ws();
        let start = self.i;
        self.skip()?;
        self.text.get(start..self.i).ok_or(Bail)
    }

    /// One value onto the tape.
    fn value(&mut self, t: &mut Tape<'a>) -> R<()> {
        self.walk(t)
    }

    /// One value, its tokens given to `sink` (which fills a tape, or only checks).
    fn walk<S: Sink<'a>>(&mut self, sink: &mut S) -> R<()> {
        let c = self.peek()?;
        match c {
            b'"' => {
                let s = self.string_here()?;
                sink.string(s)
            }
            b'{' | b'[' => {
                let object = c == b'{';
                let close = if object { b'}' } else { b']' };
                self.deeper()?;
                self.i += 1;
                let at = sink.open(object);
                let mut n = 0;
                if self.peek()? == close {
                    self.i += 1;
                } else {
                    loop {
                        if object {
                            if self.peek()? != b'"' {
                                return Err(Bail);
                            }
                            let k = self.string_here()?;
                            sink.string(k)?;
                            self.eat(b':')?;
                        }
                        self.walk(sink)?;
                        n += 1;
                        if self.comma_or(close)? {
                            break;
                        }
                    }
                }
                sink.close(at, n);
                self.depth -= 1;
                Ok(())
            }
            b't' => {
                self.literal(b"true")?;
                sink.scalar(Some(true));
                Ok(())
            }
            b'f' => {
                self.literal(b"false")?;
                sink.scalar(Some(false));
                Ok(())
            }
            b'n' => {
                self.literal(b"null")?;
                sink.scalar(None);
                Ok(())
            }
            _ => {
                let n = self.number()?;
                sink.number(n)
            }
        }
    }

    /// An object's next key (unescaped, as every key the reader looks for is), or `None` at
    /// its end. `first`: just after the `{`.
    fn key(&mut self, first: bool) -> R<Option<&'a str>> {
        if first {
            if self.peek()? == b'}' {
                self.i += 1;
                return Ok(None);
            }
        } else if self.comma_or(b'}')? {
            return Ok(None);
        }
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        let k = self.string_here()?;
        if k.escaped {
            // `"ver\u0073ion"` is `version` to serde; too rare to match here.
            return Err(Bail);
        }
        self.eat(b':')?;
        Ok(Some(k.raw))
    }

    /// A string value decoded (`Cow`-like: borrowed when it has no escapes).
    fn string_value(&mut self) -> R<std::borrow::Cow<'a, str>> {
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        let s = self.string()?;
        if s.escaped {
            let mut out = String::new();
            decode(s.raw, &mut out)?;
            Ok(out.into())
        } else {
            Ok(s.raw.into())
        }
    }

    /// An optional string: `null` is `None`.
    fn opt_string(&mut self) -> R<Option<std::borrow::Cow<'a, str>>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(None);
        }
        self.string_value().map(Some)
    }

    /// A string serde can borrow (`&str` fields): no escapes.
    fn borrowed_str(&mut self) -> R<&'a str> {
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        let s = self.string()?;
        if s.escaped { Err(Bail) } else { Ok(s.raw) }
    }

    /// A raw value where `null` means absent, as for serde's `Option` fields.
    fn opt_raw(&mut self) -> R<Option<&'a str>> {
        let r = self.raw()?;
        Ok((r != "null").then_some(r))
    }
}

/// Where `Scan::walk` puts what it reads: a tape, or nowhere (`Skip`, which checks only what
/// serde_json checks of an ignored value: no escape decoded, a number's grammar but not its
/// range).
trait Sink<'a> {
    fn string(&mut self, s: Str<'a>) -> R<()>;
    fn number(&mut self, literal: &'a str) -> R<()>;
    /// `null` (`None`), `true` or `false`.
    fn scalar(&mut self, b: Option<bool>);
    fn open(&mut self, object: bool) -> usize;
    fn close(&mut self, at: usize, n: u32);
}

impl<'a> Sink<'a> for Tape<'a> {
    fn string(&mut self, s: Str<'a>) -> R<()> {
        push_str(self, s)
    }
    fn number(&mut self, literal: &'a str) -> R<()> {
        self.num(number_value(literal)?);
        Ok(())
    }
    fn scalar(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.bool_value(b),
            None => self.null_value(),
        }
    }
    fn open(&mut self, object: bool) -> usize {
        Tape::open(self, object)
    }
    fn close(&mut self, at: usize, n: u32) {
        Tape::close(self, at, n)
    }
}

struct Skip;

impl<'a> Sink<'a> for Skip {
    fn string(&mut self, _: Str<'a>) -> R<()> {
        Ok(())
    }
    fn number(&mut self, _: &'a str) -> R<()> {
        Ok(())
    }
    fn scalar(&mut self, _: Option<bool>) {}
    fn open(&mut self, _: bool) -> usize {
        0
    }
    fn close(&mut self, _: usize, _: u32) {}
}

fn push_str<'a>(t: &mut Tape<'a>, s: Str<'a>) -> R<()> {
    if s.escaped {
        t.decoded(|out| decode(s.raw, out))
    } else {
        t.borrowed(s.raw);
        Ok(())
    }
}

/// Decode a string's escapes (already checked by `string`) onto `out`. A `\u` escape of a
/// surrogate is left to serde_json, which pairs them and refuses lone ones.
fn decode(raw: &str, out: &mut String) -> R<()> {
    let start = out.len();
    let mut rest = raw;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(rest.get(..at).ok_or(Bail)?);
        let (c, used) = match rest.as_bytes().get(at + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\x08', 2),
            Some(b'f') => ('\x0c', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            Some(b'u') => {
                let hex = rest.get(at + 2..at + 6).ok_or(Bail)?;
                let n = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
                match char::from_u32(n) {
                    Some(c) => (c, 6),
                    None => {
                        out.truncate(start);
                        return decode_by_serde(raw, out);
                    }
                }
            }
            _ => return Err(Bail),
        };
        out.push(c);
        rest = rest.get(at + used..).ok_or(Bail)?;
    }
    out.push_str(rest);
    Ok(())
}

#[cold]
fn decode_by_serde(raw: &str, out: &mut String) -> R<()> {
    let s: String = serde_json::from_str(&format!("\"{raw}\"")).map_err(|_| Bail)?;
    out.push_str(&s);
    Ok(())
}

/// A number as serde_json reads it: integers that fit in `u64` / `i64` exactly, anything else
/// as an `f64`, and an `f64` that overflows is an error (serde's "number out of range").
fn number_value(n: &str) -> R<Num> {
    let plain = !n.contains(['.', 'e', 'E']);
    if plain && n.len() <= 18 {
        if let Some(neg) = n.strip_prefix('-') {
            if let Ok(v) = neg.parse::<u64>()
                && v != 0
            {
                return Ok(Num::I(-(v as i64)));
            }
        } else if let Ok(v) = n.parse::<u64>() {
            return Ok(Num::U(v));
        }
    }
    // Rare in states: serde_json itself reads it, so the value (and any error) is its own.
    match serde_json::from_str::<Value>(n) {
        Ok(Value::Number(x)) => Ok(if let Some(u) = x.as_u64() {
            Num::U(u)
        } else if let Some(i) = x.as_i64() {
            Num::I(i)
        } else {
            Num::F(x.as_f64().ok_or(Bail)?)
        }),
        _ => Err(Bail),
    }
}

/// One whole JSON text (a plan's values) onto an empty tape.
pub(super) fn value_into<'a>(text: &'a str, t: &mut Tape<'a>) -> R<()> {
    let mut s = Scan::new(text);
    s.value(t)?;
    s.ws();
    if s.i == s.b.len() { Ok(()) } else { Err(Bail) }
}

/// Read a v4 state. `Ok(outputs)`: every resource went to `v`; the root `outputs`, raw (or
/// `None`), are left to the caller. `Err(Bail)`: `v` may have seen part of the document.
pub(super) fn visit_v4<'a>(text: &'a str, v: &mut dyn Visitor) -> R<Option<&'a str>> {
    let mut s = Scan::new(text);
    s.eat(b'{')?;
    let (mut version, mut resources, mut outputs) = (false, false, None);
    let mut tape = Tape::default();
    let mut first = true;
    while let Some(key) = s.key(first)? {
        first = false;
        match key {
            "version" if !version => {
                if s.number()? != "4" {
                    return Err(Bail);
                }
                version = true;
            }
            "resources" if version && !resources => {
                resources = true;
                s.eat(b'[')?;
                s.depth = 1;
                if s.peek()? == b']' {
                    s.i += 1;
                } else {
                    loop {
                        resource(&mut s, &mut tape, v)?;
                        if s.comma_or(b']')? {
                            break;
                        }
                    }
                }
                s.depth = 0;
            }
            "outputs" if outputs.is_none() => {
                outputs = Some(s.raw()?);
            }
            // Any other key the serde reader looks at (or one of these twice) is its to read.
            k if super::TOP_KEYS.contains(&k) => return Err(Bail),
            _ => {
                s.depth = 1;
                s.skip()?;
                s.depth = 0;
            }
        }
    }
    s.ws();
    if !version || s.i != s.b.len() {
        return Err(Bail);
    }
    Ok(outputs.filter(|o| *o != "null"))
}

/// One element of `resources`: its instances go to `v` one at a time.
fn resource<'a>(s: &mut Scan<'a>, tape: &mut Tape<'a>, v: &mut dyn Visitor) -> R<()> {
    use std::borrow::Cow;
    s.eat(b'{')?;
    s.depth = 2;
    let mut module: Option<Option<Cow<'a, str>>> = None;
    let mut mode: Option<&'a str> = None;
    let mut rtype: Option<&'a str> = None;
    let mut name: Option<Cow<'a, str>> = None;
    let mut provider: Option<Option<&'a str>> = None;
    // Where `instances` starts, and whether it was read (false: skipped, to be read at the
    // end of the record, when `type` and `name` came after it).
    let mut instances: Option<(usize, bool)> = None;
    let mut first = true;
    while let Some(key) = s.key(first)? {
        first = false;
        match key {
            // Once instances are read, nothing they depend on may follow.
            "module" | "mode" | "type" | "name" | "provider"
                if instances.is_some_and(|(_, read)| read) =>
            {
                return Err(Bail);
            }
            "module" if module.is_none() => module = Some(s.opt_string()?),
            "mode" if mode.is_none() => mode = Some(s.borrowed_str()?),
            "type" if rtype.is_none() => rtype = Some(s.borrowed_str()?),
            "name" if name.is_none() => name = Some(s.string_value()?),
            "provider" if provider.is_none() => provider = Some(s.opt_raw()?),
            "instances" if instances.is_none() => {
                s.ws();
                let at = s.i;
                if rtype.is_some() && name.is_some() {
                    // Terraform's order: everything an instance needs came first.
                    instances = Some((at, true));
                    let module = module.as_ref().and_then(|m| m.as_deref());
                    let h = header(module, mode, rtype, name.as_deref())?;
                    if let Some(Some(p)) = provider {
                        v.provider(p);
                    }
                    instance_list(s, tape, v, &h)?;
                } else {
                    instances = Some((at, false));
                    s.skip()?;
                }
            }
            "module" | "mode" | "type" | "name" | "provider" | "instances" => return Err(Bail),
            _ => s.skip()?,
        }
    }
    let module = module.as_ref().and_then(|m| m.as_deref());
    let h = header(module, mode, rtype, name.as_deref())?;
    match instances {
        Some((_, true)) => {}
        Some((at, false)) => {
            if let Some(Some(p)) = provider {
                v.provider(p);
            }
            // Read the skipped list now, with a scanner of its own at its start.
            let mut again = Scan {
                i: at,
                depth: 2,
                ..Scan::new(s.text)
            };
            instance_list(&mut again, tape, v, &h)?;
        }
        None => {
            if let Some(Some(p)) = provider {
                v.provider(p);
            }
        }
    }
    s.depth = 1;
    Ok(())
}

/// What every instance of a resource record shares.
struct Header<'h> {
    module: Option<&'h str>,
    mode: &'h str,
    rtype: &'h str,
    name: &'h str,
}

/// A record's header, with its mode, type and name as serde requires them.
fn header<'h>(
    module: Option<&'h str>,
    mode: Option<&'h str>,
    rtype: Option<&'h str>,
    name: Option<&'h str>,
) -> R<Header<'h>> {
    let mode = mode.unwrap_or("managed");
    match (rtype, name) {
        (Some(rtype), Some(name)) if mode == "managed" || mode == "data" => Ok(Header {
            module,
            mode,
            rtype,
            name,
        }),
        _ => Err(Bail),
    }
}

/// `instances`: each instance to `v` as it is read.
fn instance_list<'a>(
    s: &mut Scan<'a>,
    tape: &mut Tape<'a>,
    v: &mut dyn Visitor,
    h: &Header<'_>,
) -> R<()> {
    let depth = s.depth;
    s.eat(b'[')?;
    s.depth = depth + 1;
    if s.peek()? == b']' {
        s.i += 1;
    } else {
        loop {
            instance(s, tape, v, h)?;
            if s.comma_or(b']')? {
                break;
            }
        }
    }
    s.depth = depth;
    Ok(())
}

fn instance<'a>(
    s: &mut Scan<'a>,
    tape: &mut Tape<'a>,
    v: &mut dyn Visitor,
    h: &Header<'_>,
) -> R<()> {
    s.eat(b'{')?;
    let depth = s.depth;
    s.depth = depth + 1;
    tape.clear();
    let mut index_key: Option<Option<&'a str>> = None;
    let mut deposed: Option<Option<std::borrow::Cow<'a, str>>> = None;
    let mut attributes: Option<bool> = None;
    let mut flat: Option<Option<&'a str>> = None;
    let mut sensitive: Option<Option<&'a str>> = None;
    let mut first = true;
    while let Some(key) = s.key(first)? {
        first = false;
        match key {
            "index_key" if index_key.is_none() => index_key = Some(s.opt_raw()?),
            "deposed" if deposed.is_none() => deposed = Some(s.opt_string()?),
            "attributes" if attributes.is_none() => {
                let null = s.peek()? == b'n';
                s.value(tape)?;
                attributes = Some(!null);
            }
            "attributes_flat" if flat.is_none() => flat = Some(s.opt_raw()?),
            "sensitive_attributes" if sensitive.is_none() => sensitive = Some(s.opt_raw()?),
            "index_key" | "deposed" | "attributes" | "attributes_flat" | "sensitive_attributes" => {
                return Err(Bail);
            }
            _ => s.skip()?,
        }
    }
    s.depth = depth;
    let index: Option<Value> = match index_key.flatten() {
        // `count` indexes: a small integer, read without serde.
        Some(raw) if raw.len() < 10 && raw.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Value::from(raw.parse::<u64>().map_err(|_| Bail)?))
        }
        Some(raw) => Some(serde_json::from_str(raw).map_err(|_| Bail)?),
        None => None,
    };
    let mut address = format_address(h.module, h.mode, h.rtype, h.name, index.as_ref());
    if let Some(Some(d)) = &deposed {
        address.push_str(&format!(" (deposed {d})"));
    }
    let flat = match flat.flatten() {
        Some(raw) => Some(
            serde_json::from_str::<std::collections::BTreeMap<String, String>>(raw)
                .map_err(|_| Bail)?,
        ),
        None => None,
    };
    let attributes = match (attributes == Some(true), flat) {
        (true, _) => Attrs::Json(tape.root()),
        (false, Some(flat)) => Attrs::Flat(flat.into_iter().collect()),
        (false, None) => {
            tape.clear();
            tape.null_value();
            Attrs::Json(tape.root())
        }
    };
    let sensitive = match sensitive.flatten() {
        None | Some("[]") => Vec::new(),
        Some(raw) => {
            let value: Value = serde_json::from_str(raw).map_err(|_| Bail)?;
            parse_sensitive_paths(&value)
        }
    };
    v.instance(&Instance {
        address,
        mode: h.mode,
        rtype: h.rtype,
        attributes,
        sensitive,
        origin: "state".into(),
        created: Some(false),
    });
    Ok(())
}

#[doc(hidden)]
pub mod differential {
    //! For the tests and the `state` fuzz target: do both readers read a document alike?
    //! The fast reader must read every document exactly as the serde reader does: the same
    //! instances (attributes in document order, repeats kept), outputs, providers (same
    //! position) and result, or decline it. Checked on the real states and plans in the
    //! tree, and on thousands of damaged copies of them.
    use super::super::tape::Json;
    use super::super::{Attrs, Instance, Kind, Output, Variable, Visitor};

    #[derive(Default)]
    struct Record(Vec<String>);

    fn dump(j: Json<'_>, out: &mut String) {
        match j.kind() {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(&b.to_string()),
            Kind::Num(n) => out.push_str(&format!("{n:?}")),
            Kind::Str(s) => out.push_str(&format!("{s:?}")),
            Kind::Array(items) => {
                out.push('[');
                for x in items {
                    dump(x, out);
                    out.push(',');
                }
                out.push(']');
            }
            Kind::Object(entries) => {
                out.push('{');
                for (k, x) in entries {
                    out.push_str(&format!("{k:?}:"));
                    dump(x, out);
                    out.push(',');
                }
                out.push('}');
            }
        }
    }

    impl Visitor for Record {
        fn instance(&mut self, i: &Instance<'_>) {
            let mut a = String::new();
            match &i.attributes {
                Attrs::Json(j) => dump(*j, &mut a),
                Attrs::Flat(p) => a = format!("{p:?}"),
            }
            self.0.push(format!(
                "I {} {} {} {} {:?} {:?} {a}",
                i.address, i.mode, i.rtype, i.origin, i.created, i.sensitive
            ));
        }
        fn output(&mut self, o: &Output<'_>) {
            self.0.push(format!(
                "O {} {} {} {}",
                o.name, o.value, o.sensitive, o.origin
            ));
        }
        fn variable(&mut self, v: &Variable<'_>) {
            self.0
                .push(format!("V {} {} {}", v.name, v.value, v.sensitive));
        }
        fn provider(&mut self, raw: &str) {
            self.0.push(format!("P {raw} at {:p}", raw.as_ptr()));
        }
        fn restart(&mut self) {
            self.0.clear();
        }
    }

    /// `Ok(took)`: both readers saw the same and ended the same (`took`: the fast reader read
    /// it); `Err`: what each saw.
    pub fn agree(bytes: &[u8]) -> Result<bool, String> {
        let (took, a, b) = both(bytes);
        if a == b {
            Ok(took)
        } else {
            Err(format!("fast reader:\n{a}\nserde reader:\n{b}"))
        }
    }

    /// Both readers on one document: (what they saw, how it ended), and whether the fast
    /// reader took it.
    fn both(bytes: &[u8]) -> (bool, String, String) {
        let mut fast = Record::default();
        let r = super::super::visit(bytes, &mut fast);
        let end = |r: Result<super::super::Recognised, super::super::JsonDocError>| match r {
            Ok(k) => k.label(),
            Err(e) => format!(
                "{} {:?} {:?} {} {}",
                e.message, e.line, e.column, e.unsupported, e.encrypted
            ),
        };
        let fast_end = end(r);
        let mut slow = Record::default();
        let slow_end = match super::super::decode_text(bytes) {
            Ok(text) => end(super::super::visit_by_serde(&text, &mut slow)),
            Err(e) => end(Err(e)),
        };
        let took = super::super::decode_text(bytes)
            .is_ok_and(|t| super::visit_v4(&t, &mut Record::default()).is_ok());
        let a = format!("{fast_end}\n{}", fast.0.join("\n"));
        let b = format!("{slow_end}\n{}", slow.0.join("\n"));
        (took, a, b)
    }
}

#[cfg(test)]
mod differential_tests {
    use super::differential::agree;

    fn documents() -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        let mut dirs = vec![root.join("tests"), root.join("examples")];
        while let Some(d) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p
                    .extension()
                    .is_some_and(|x| x == "tfstate" || x == "json" || x == "backup")
                    && let Ok(b) = std::fs::read(&p)
                    && b.len() < 2_000_000
                {
                    out.push((p.display().to_string(), b));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_fast_reader_reads_as_serde_reads() {
        let docs = documents();
        let mut taken = 0;
        for (name, bytes) in &docs {
            let took = agree(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            taken += usize::from(took);
        }
        // The tree's real v4 states: the fast reader must actually be the one reading them.
        assert!(
            taken >= 30,
            "fast reader took only {taken} of {} documents",
            docs.len()
        );
    }

    #[test]
    fn damaged_documents_read_the_same_or_are_declined() {
        let docs: Vec<_> = documents()
            .into_iter()
            .filter(|(_, b)| agree(b).unwrap_or(false))
            .collect();
        let mut variants = 0;
        let damage: [&[u8]; 12] = [
            b"\"",
            b"\\",
            b"}",
            b"]",
            b",",
            b"1",
            b"\x01",
            b" ",
            b"\\ud800",
            b"1e400",
            b"\"version\":4,",
            b"{\"x\":[",
        ];
        for (name, bytes) in docs.iter().take(40) {
            let n = bytes.len();
            for k in 1..=24 {
                let at = n * k / 25;
                let mut cut = bytes[..at].to_vec();
                if let Err(e) = agree(&cut) {
                    panic!("{name} cut at {at}: {e}");
                }
                for d in damage {
                    cut.truncate(at);
                    cut.extend_from_slice(d);
                    cut.extend_from_slice(&bytes[at..]);
                    if let Err(e) = agree(&cut) {
                        let d = String::from_utf8_lossy(d);
                        panic!("{name} with {d:?} inserted at {at}: {e}");
                    }
                    let mut swapped = bytes.clone();
                    swapped[at] = d[0];
                    if let Err(e) = agree(&swapped) {
                        panic!("{name} with byte {at} set to {:?}: {e}", d[0] as char);
                    }
                    variants += 2;
                }
            }
        }
        assert!(variants > 5000, "{variants}");
    }

    /// Layouts Terraform does not write, read the same either way: keys sorted (instances
    /// before type and name), a module after instances, escapes in names and keys, repeated
    /// attribute keys, and a top-level key that makes it a plan.
    #[test]
    fn unusual_layouts_read_the_same() {
        let inst = r#"{"attributes":{"b":"x\"y","a":[1,-2,2.5e3,null,true],"a":{"k":"\u00e9\ud83d\ude00"}},"index_key":"k\"1","sensitive_attributes":[[{"type":"get_attr","value":"b"}]]}"#;
        for doc in [
            format!(
                r#"{{"version":4,"resources":[{{"instances":[{inst}],"mode":"managed","name":"n","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","type":"t"}}]}}"#
            ),
            format!(
                r#"{{"version":4,"resources":[{{"mode":"managed","type":"t","name":"n","instances":[{inst}],"module":"module.m"}}]}}"#
            ),
            format!(
                r#"{{"version":4,"resources":[{{"module":"module.m[\"a\"]","mode":"data","type":"t","name":"n\u0031","instances":[{inst},{inst}]}}]}}"#
            ),
            format!(
                r#"{{"version":4,"resources":[{{"mode":"managed","type":"t","name":"n","instances":[{inst}]}}],"outputs":{{"o":{{"value":"v","sensitive":true}}}},"format_version":"1.0"}}"#
            ),
            r#"{"version":4,"resources":[{"mode":"managed","type":"t","name":"n","instances":[{"attributes":null,"attributes_flat":{"a.%":"1","a.b":"c"}}]}]}"#.to_string(),
            r#"{"vers\u0069on":4,"resources":[]}"#.to_string(),
            r#" {"resources":[],"version":4} "#.to_string(),
            format!(
                r#"{{"version":4,"resources":[{{"mode":"managed","type":"t","name":"n","instances":[{{"attributes":{{"deep":{}}}}}]}}]}}"#,
                "[".repeat(120) + &"]".repeat(120)
            ),
        ] {
            if let Err(e) = agree(doc.as_bytes()) {
                panic!("{doc}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_finds_the_first_quote_backslash_or_control() {
        for (s, want) in [
            ("abcdefgh", None),
            ("abc\"defg", Some(3)),
            ("\\bcdefgh", Some(0)),
            ("abcdefg\n", Some(7)),
            ("é\u{1}cdef", Some(2)),
            ("a\"\\\u{0}efgh", Some(1)),
            ("\u{7f}\u{80}zzzz", None),
        ] {
            let mut w = [b' '; 8];
            w[..s.len().min(8)].copy_from_slice(&s.as_bytes()[..s.len().min(8)]);
            let m = specials(u64::from_le_bytes(w));
            let got = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn escapes_decode_as_serde_decodes_them() {
        for raw in [
            r#"plain"#,
            r#"a\"b\\c\/d\b\f\n\r\t"#,
            r#"\u00e9\u4e2d"#,
            r#"x\ud83d\ude00y\n"#,
            r#"{\"Version\":\"2012-10-17\"}"#,
        ] {
            let mut out = String::from("prefix");
            decode(raw, &mut out).unwrap();
            let want: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert_eq!(out, format!("prefix{want}"), "{raw}");
        }
        // A lone surrogate is an error for serde, so a bail here.
        assert!(decode(r#"\ud800x"#, &mut String::new()).is_err());
    }

    #[test]
    fn numbers_read_as_serde_reads_them() {
        for n in [
            "0",
            "-0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-2e3",
            "1E-7",
            "123456789012345678",
        ] {
            let want: Value = serde_json::from_str(n).unwrap();
            let got = match number_value(n).unwrap() {
                Num::U(u) => Value::from(u),
                Num::I(i) => Value::from(i),
                Num::F(f) => Value::from(f),
            };
            assert_eq!(got, want, "{n}");
        }
        assert!(number_value("1e400").is_err());
    }
}
