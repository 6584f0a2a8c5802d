//! Kusto's `dynamic` values carried as JSON text, and the few operations the rules need on
//! them, done on the text itself: validating, splitting an array or a property bag into its
//! parts, reading a member, and Kusto's `tostring`. Nothing is parsed into a tree, so a value
//! is walked once and its parts are slices of the original text.

use std::borrow::Cow;

/// What kind of JSON value a text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The kind of a valid JSON text (leading white space allowed).
pub fn kind(text: &str) -> Kind {
    match text.trim_start().as_bytes().first() {
        Some(b'[') => Kind::Array,
        Some(b'{') => Kind::Object,
        Some(b'"') => Kind::String,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'n') | None => Kind::Null,
        Some(_) => Kind::Number,
    }
}

/// True when `text` is exactly one JSON value, with white space around it at most.
pub fn is_valid(text: &str) -> bool {
    let bytes = text.as_bytes();
    let start = skip_ws(bytes, 0);
    match skip_value(bytes, start) {
        Some(end) => skip_ws(bytes, end) == bytes.len(),
        None => false,
    }
}

/// The elements of a valid JSON array, as slices of its text.
pub fn array_elements(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for_each_member(bytes, |start| {
        let end = skip_value(bytes, start)?;
        out.push(&text[start..end]);
        Some(end)
    });
    out
}

/// The properties of a valid JSON object in written order, as (quoted key, value) slices.
pub fn object_entries(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for_each_entry(text, |key, value| out.push((key, value)));
    out
}

/// Calls `entry` with the (quoted key, value) slices of each property of a valid JSON object.
fn for_each_entry<'a>(text: &'a str, mut entry: impl FnMut(&'a str, &'a str)) {
    let bytes = text.as_bytes();
    for_each_member(bytes, |start| {
        let key_end = skip_string(bytes, start)?;
        let value_start = skip_ws(bytes, skip_ws(bytes, key_end) + 1);
        let value_end = skip_value(bytes, value_start)?;
        entry(&text[start..key_end], &text[value_start..value_end]);
        Some(value_end)
    });
}

/// Calls `member` with the start of each member of a valid JSON array or object; `member`
/// returns where that member ends.
fn for_each_member(bytes: &[u8], mut member: impl FnMut(usize) -> Option<usize>) {
    let mut pos = skip_ws(bytes, 0) + 1;
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            Some(b']' | b'}') | None => return,
            Some(b',') => pos += 1,
            Some(_) => match member(pos) {
                Some(end) => pos = end,
                None => return,
            },
        }
    }
}

/// The properties of a valid JSON object as Kusto keeps them in a property bag: one per key,
/// the last value written for a key winning, in the order of those last values.
pub fn bag_properties(text: &str) -> Vec<(&str, &str)> {
    let entries = object_entries(text);
    let decoded: Vec<Cow<'_, str>> = entries.iter().map(|(k, _)| decode_string(k)).collect();
    entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !decoded[i + 1..].contains(&decoded[*i]))
        .map(|(_, entry)| *entry)
        .collect()
}

/// The member `key` of a valid JSON text, if it is an object holding that key with a
/// non-null value. With a key written twice, the last one counts.
pub fn member<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    if kind(text) != Kind::Object {
        return None;
    }
    let mut found = None;
    for_each_entry(text, |k, value| {
        if decode_string(k) == key {
            found = Some(value);
        }
    });
    found.filter(|&value| kind(value) != Kind::Null)
}

/// Calls `each` with `member(element, key)` of each of the first `limit` elements of a valid
/// JSON array, in one walk over its text: what `mv-expand` of the array and then `.key` of
/// each value give, without first cutting the array into elements.
pub fn element_members<'a>(
    text: &'a str,
    key: &str,
    limit: usize,
    mut each: impl FnMut(Option<&'a str>),
) {
    let bytes = text.as_bytes();
    let mut taken = 0;
    for_each_member(bytes, |start| {
        if taken == limit {
            return None;
        }
        taken += 1;
        if bytes.get(start) == Some(&b'{') {
            let (end, value) = object_member(text, start, key)?;
            each(value);
            Some(end)
        } else {
            each(None);
            skip_value(bytes, start)
        }
    });
}

/// As [`element_members`] for text that may not be JSON at all: when `text` is exactly one
/// JSON array (white space around it allowed), pushes `member(element, key)` of each of its
/// first `limit` elements to `members` and returns true, having checked the whole text in
/// the same walk; otherwise returns false, `members` then holding nothing to use.
pub fn checked_element_members<'a>(
    text: &'a str,
    key: &str,
    limit: usize,
    members: &mut Vec<Option<&'a str>>,
) -> bool {
    let bytes = text.as_bytes();
    let mut walked = || -> Option<usize> {
        let mut pos = skip_ws(bytes, 0);
        if bytes.get(pos) != Some(&b'[') {
            return None;
        }
        pos = skip_ws(bytes, pos + 1);
        if bytes.get(pos) == Some(&b']') {
            return Some(pos + 1);
        }
        loop {
            pos = skip_ws(bytes, pos);
            let taken = members.len() < limit;
            pos = match bytes.get(pos) {
                Some(b'{') if taken => {
                    let (end, value) = checked_object_member(text, pos, key)?;
                    members.push(value);
                    end
                }
                _ => {
                    if taken {
                        members.push(None);
                    }
                    skip_value(bytes, pos)?
                }
            };
            pos = skip_ws(bytes, pos);
            match *bytes.get(pos)? {
                b',' => pos += 1,
                b']' => return Some(pos + 1),
                _ => return None,
            }
        }
    };
    walked().is_some_and(|end| skip_ws(bytes, end) == bytes.len())
}

/// As [`object_member`] for text that may not be JSON: `None` unless the object that starts
/// at `start` is well formed.
fn checked_object_member<'a>(
    text: &'a str,
    start: usize,
    key: &str,
) -> Option<(usize, Option<&'a str>)> {
    let bytes = text.as_bytes();
    let mut found: Option<&'a str> = None;
    let mut pos = skip_ws(bytes, start + 1);
    if bytes.get(pos) == Some(&b'}') {
        return Some((pos + 1, None));
    }
    loop {
        let key_start = skip_ws(bytes, pos);
        let key_end = skip_string(bytes, key_start)?;
        let value_start = skip_ws(bytes, skip_key(bytes, key_start)?);
        let value_end = skip_value(bytes, value_start)?;
        if decode_string(&text[key_start..key_end]) == key {
            found = Some(&text[value_start..value_end]);
        }
        pos = skip_ws(bytes, value_end);
        match *bytes.get(pos)? {
            b',' => pos += 1,
            b'}' => return Some((pos + 1, found.filter(|value| kind(value) != Kind::Null))),
            _ => return None,
        }
    }
}

/// Walks the object that starts at `start`: where it ends, and `member` of it for `key` (the
/// last value written for the key, unless that is null).
fn object_member<'a>(text: &'a str, start: usize, key: &str) -> Option<(usize, Option<&'a str>)> {
    let bytes = text.as_bytes();
    let mut found: Option<&'a str> = None;
    let mut pos = start + 1;
    loop {
        pos = skip_ws(bytes, pos);
        match *bytes.get(pos)? {
            b'}' => return Some((pos + 1, found.filter(|value| kind(value) != Kind::Null))),
            b',' => pos += 1,
            _ => {
                let key_end = skip_string(bytes, pos)?;
                let value_start = skip_ws(bytes, skip_key(bytes, pos)?);
                let value_end = skip_value(bytes, value_start)?;
                if decode_string(&text[pos..key_end]) == key {
                    found = Some(&text[value_start..value_end]);
                }
                pos = value_end;
            }
        }
    }
}

/// A valid JSON text with its values written as Kusto writes the values it parsed, where any
/// is not: a real in its shortest form (`1.50` as `1.5`, `1e2` as `100.0`, `1e20` as
/// `1E+20`), an integer too large for a long as the real it becomes, `-0` as `0`, and a string
/// in ISO 8601's `yyyy-MM-ddTHH:mm:ss[.fffffff][Z|+hh:mm]` as the UTC datetime Kusto reads it
/// as (`"2021-11-18T00:03:35"` as `"2021-11-18T00:03:35.0000000Z"`). `None` when every value
/// is written so already.
pub fn with_kusto_values(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => {
                let end = skip_string(bytes, pos)?;
                if let Some(written) = kusto_datetime(&text[pos + 1..end - 1]) {
                    let rewritten = out.get_or_insert_with(String::new);
                    rewritten.push_str(&text[copied..pos]);
                    rewritten.push('"');
                    rewritten.push_str(&written);
                    rewritten.push('"');
                    copied = end;
                }
                pos = end;
            }
            b'-' | b'0'..=b'9' => {
                let end = skip_number(bytes, pos)?;
                if let Some(written) = kusto_number(&text[pos..end]) {
                    let rewritten = out.get_or_insert_with(String::new);
                    rewritten.push_str(&text[copied..pos]);
                    rewritten.push_str(&written);
                    copied = end;
                }
                pos = end;
            }
            _ => pos += 1,
        }
    }
    let mut rewritten = out?;
    rewritten.push_str(&text[copied..]);
    Some(rewritten)
}

/// Whether [`with_kusto_values`] could rewrite the valid JSON `value` at all, told cheaply
/// from its first bytes: a container, a string long enough to be a datetime, a number with a
/// point or an exponent, `-0`, or one too long for a long.
pub fn may_be_rewritten(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.first() {
        Some(b'{' | b'[') => true,
        Some(b'"') => bytes.len() >= 21 && bytes[1].is_ascii_digit(),
        Some(b'-' | b'0'..=b'9') => {
            value.contains(['.', 'e', 'E']) || value == "-0" || value.len() > 18
        }
        _ => false,
    }
}

/// How Kusto writes a string it parses as a datetime, when it is one not written so: the
/// shape `yyyy-MM-ddTHH:mm:ss`, an optional fraction of up to 7 digits, an optional `Z` or
/// `+hh:mm`; the UTC instant with 7 fraction digits and `Z`.
fn kusto_datetime(string: &str) -> Option<String> {
    let b = string.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let shaped = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shaped {
        return None;
    }
    let mut rest = &string[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=7).contains(&n) {
            return None;
        }
        rest = &fraction[n..];
    }
    let zoned = match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    };
    let instant = super::instants::parse_datetime(string).filter(|_| zoned)?;
    let written = format!(
        "{}.{:07}Z",
        instant.format("%Y-%m-%dT%H:%M:%S"),
        instant.and_utc().timestamp_subsec_nanos() / 100
    );
    (written != string).then_some(written)
}

/// How Kusto writes the number `number`, when that is not how it is written.
fn kusto_number(number: &str) -> Option<String> {
    let integral = !number.contains(['.', 'e', 'E']);
    if integral && let Ok(value) = number.parse::<i64>() {
        return (number == "-0").then(|| value.to_string());
    }
    let value: f64 = number.parse().ok()?;
    let written = super::convert::json_real(value);
    (written != number).then_some(written)
}

/// Kusto's `tostring` of a dynamic value given as valid JSON text: a string without its
/// quotes, `null` as `""`, anything else as compact JSON.
pub fn to_kusto_string(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    match kind(trimmed) {
        Kind::Null => Cow::Borrowed(""),
        Kind::String => decode_string(trimmed),
        Kind::Bool => Cow::Borrowed(trimmed),
        Kind::Number => format_number(trimmed),
        Kind::Array | Kind::Object => Cow::Owned(compact(trimmed)),
    }
}

/// The text of a quoted JSON string, with its escapes resolved.
pub fn decode_string(quoted: &str) -> Cow<'_, str> {
    let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default();
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    match serde_json::from_str::<String>(quoted) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(inner),
    }
}

/// A JSON string literal holding `text`.
pub fn quote(text: &str) -> String {
    // Serialising a &str cannot fail; the fallback only keeps the signature total.
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

/// Kusto prints integral JSON numbers as integers and other reals in their shortest form.
fn format_number(text: &str) -> Cow<'_, str> {
    if text.parse::<i64>().is_ok() {
        return Cow::Borrowed(text);
    }
    match text.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v.abs() < 1e15 => Cow::Owned(format!("{}", v as i64)),
        // As `tostring` writes a real: `1E-05`, `1E+20`.
        Ok(v) => Cow::Owned(super::convert::real_text(v)),
        Err(_) => Cow::Borrowed(text),
    }
}

/// A valid JSON text without the white space between its tokens, its strings written with
/// the fewest escapes (`"\u00e9"` as `"é"`, `"\/"` as `"/"`), as Kusto writes a value.
fn compact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => {
                let end = skip_string(bytes, pos).unwrap_or(bytes.len());
                let string = &text[pos..end];
                if string.contains('\\') {
                    out.push_str(&quote(&decode_string(string)));
                } else {
                    out.push_str(string);
                }
                pos = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => pos += 1,
            _ => {
                // Up to the next string or white space, whole characters at a time.
                let run = bytes[pos..]
                    .iter()
                    .position(|b| matches!(b, b'"' | b' ' | b'\t' | b'\n' | b'\r'))
                    .map_or(bytes.len(), |n| pos + n);
                out.push_str(&text[pos..run]);
                pos = run;
            }
        }
    }
    out
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The end of the JSON value that starts at `pos`, or `None` if it is not valid JSON.
/// Iterative, so that deep nesting cannot exhaust the stack.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut open = Nesting::default();
    let mut pos = pos;
    loop {
        pos = skip_ws(bytes, pos);
        // A value (or, right after an opening bracket, the container's end).
        match *bytes.get(pos)? {
            b'{' => {
                open.push(b'}');
                pos = skip_ws(bytes, pos + 1);
                if bytes.get(pos) == Some(&b'}') {
                    pos += 1;
                    open.pop();
                } else {
                    pos = skip_key(bytes, pos)?;
                    continue;
                }
            }
            b'[' => {
                open.push(b']');
                pos = skip_ws(bytes, pos + 1);
                if bytes.get(pos) == Some(&b']') {
                    pos += 1;
                    open.pop();
                } else {
                    continue;
                }
            }
            b'"' => pos = skip_string(bytes, pos)?,
            b't' => pos = skip_literal(bytes, pos, b"true")?,
            b'f' => pos = skip_literal(bytes, pos, b"false")?,
            b'n' => pos = skip_literal(bytes, pos, b"null")?,
            b'-' | b'0'..=b'9' => pos = skip_number(bytes, pos)?,
            _ => return None,
        }
        // After a value: a separator, or the end of one or more containers.
        loop {
            let Some(close) = open.last() else {
                return Some(pos);
            };
            pos = skip_ws(bytes, pos);
            match *bytes.get(pos)? {
                b',' if close == b'}' => {
                    pos = skip_key(bytes, skip_ws(bytes, pos + 1))?;
                    break;
                }
                b',' => {
                    pos += 1;
                    break;
                }
                c if c == close => {
                    pos += 1;
                    open.pop();
                }
                _ => return None,
            }
        }
    }
}

/// The closing brackets of the containers a walk is inside, innermost last. Values nested less
/// than `SHALLOW` deep, the usual case, never touch the heap.
#[derive(Default)]
struct Nesting {
    shallow: [u8; SHALLOW],
    deep: Vec<u8>,
    depth: usize,
}

const SHALLOW: usize = 32;

impl Nesting {
    fn push(&mut self, close: u8) {
        match self.shallow.get_mut(self.depth) {
            Some(slot) => *slot = close,
            None => self.deep.push(close),
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        if self.depth > SHALLOW {
            self.deep.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn last(&self) -> Option<u8> {
        match self.depth {
            0 => None,
            d if d <= SHALLOW => self.shallow.get(d - 1).copied(),
            _ => self.deep.last().copied(),
        }
    }
}

/// Skips `"key" :` and returns the position after the colon.
fn skip_key(bytes: &[u8], pos: usize) -> Option<usize> {
    let end = skip_string(bytes, pos)?;
    let colon = skip_ws(bytes, end);
    (bytes.get(colon) == Some(&b':')).then_some(colon + 1)
}

fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    if bytes.get(pos) != Some(&b'"') {
        return None;
    }
    let mut i = pos + 1;
    loop {
        i += plain_run(bytes.get(i..)?);
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = bytes.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            // A control character, which JSON allows only escaped.
            _ => return None,
        }
    }
}

/// How many bytes at the start of `bytes` are plain string contents: no quote, no backslash,
/// no control character. Looks at eight bytes at a time, since most strings have none.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `word` that is zero. A borrow can also mark a byte above a
    // zero byte, never below one, so the lowest mark is always right.
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;

    let mut run = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let special = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            // Bytes below 0x20: subtracting 0x20 borrows into the high bit.
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
        if special != 0 {
            return run + (special.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    let tail = &bytes[run..];
    run + tail.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(tail.len())
}

fn skip_literal(bytes: &[u8], pos: usize, literal: &[u8]) -> Option<usize> {
    (bytes.get(pos..pos + literal.len())? == literal).then_some(pos + literal.len())
}

fn skip_number(bytes: &[u8], pos: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    let mut i = pos;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match bytes.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i)?,
        _ => return None,
    };
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i)?;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn plain_run_byte_by_byte(bytes: &[u8]) -> usize {
        bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(bytes.len())
    }

    #[test]
    fn numbers_are_rewritten_as_kusto_writes_them_and_nothing_else_is() {
        let text = r#"{"a":1.50,"b":[2.00,3.25,10,-0.10,-0],"c":"1.50","d":1e3,"e":1e20}"#;
        let expected = r#"{"a":1.5,"b":[2.0,3.25,10,-0.1,0],"c":"1.50","d":1000.0,"e":1E+20}"#;
        assert_eq!(with_kusto_values(text).as_deref(), Some(expected));
        assert_eq!(
            with_kusto_values("[100000000000000000000, 2E-2]").as_deref(),
            Some("[1E+20, 0.02]")
        );
        assert_eq!(with_kusto_values(r#"[1.5, 2.0, 7, "x.0", 1E-07]"#), None);
    }

    #[test]
    fn iso_datetime_strings_are_written_as_the_utc_instants_kusto_reads() {
        let text =
            r#"{"t":"2021-11-18T00:03:35","u":"2021-11-18T01:03:35.5+01:00","d":"2021-11-18"}"#;
        let expected = r#"{"t":"2021-11-18T00:03:35.0000000Z","u":"2021-11-18T00:03:35.5000000Z","d":"2021-11-18"}"#;
        assert_eq!(with_kusto_values(text).as_deref(), Some(expected));
        assert_eq!(
            with_kusto_values(r#"["2021-11-18T00:03:35.0000000Z", "2021-11-18 00:03:35"]"#),
            None
        );
    }

    #[test]
    fn checked_members_read_valid_arrays_and_refuse_anything_else() {
        let mut members = Vec::new();
        let text = r#" [{"IP":"a","IP":"b"}, 7, {"x":1}, {"IP":null}, {"IP":"c"}] "#;
        assert!(checked_element_members(text, "IP", 4, &mut members));
        assert_eq!(members, [Some("\"b\""), None, None, None]);
        for text in [
            r#"[{"IP":"a"},]"#,
            r#"[{"IP":"a"} {"IP":"b"}]"#,
            r#"[{"IP":"a",}]"#,
            r#"[{"IP" "a"}]"#,
            r#"[{"IP":"a"}] x"#,
            r#"[{"IP":"a"}"#,
            r#"[1, 2, tru]"#,
            r#"[,1]"#,
        ] {
            members.clear();
            assert!(!checked_element_members(text, "IP", 128, &mut members), "{text}");
            assert!(!is_valid(text), "{text}");
        }
    }

    proptest! {
        #[test]
        fn checked_members_agree_with_validating_first(text in "[\\[\\]{}\",:a1 ]{0,24}") {
            let mut members = Vec::new();
            let checked = checked_element_members(&text, "a", 128, &mut members);
            prop_assert_eq!(checked, kind(&text) == Kind::Array && is_valid(&text));
            if checked {
                let mut walked = Vec::new();
                element_members(&text, "a", 128, |m| walked.push(m));
                prop_assert_eq!(members, walked);
            }
        }
    }

    #[test]
    fn plain_run_stops_at_a_quote_a_backslash_or_a_control_character() {
        let texts =
            ["", "abc", "abcdefgh\"", "0123456789abcdef\\n", "é ü 日本語\"x", "abcdefg\u{1f}h"];
        for text in texts {
            let bytes = text.as_bytes();
            for start in 0..bytes.len() {
                assert_eq!(plain_run(&bytes[start..]), plain_run_byte_by_byte(&bytes[start..]));
            }
        }
    }

    proptest! {
        #[test]
        fn plain_run_agrees_with_a_byte_by_byte_scan(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(plain_run(&bytes), plain_run_byte_by_byte(&bytes));
        }
    }

    #[test]
    fn validates_like_a_json_parser() {
        let valid = [
            "[]",
            " {} ",
            "[1, -2.5e3, true, false, null, \"a\\\"b\\u00e9\"]",
            "{\"a\": {\"b\": [[], {}]}}",
            "\"plain\"",
            "0",
        ];
        let invalid = ["", "[", "[1,]", "{\"a\"}", "{a: 1}", "01", "1.", "tru", "[1] x", "'a'"];
        for text in valid {
            assert!(is_valid(text), "{text}");
            assert_eq!(is_valid(text), serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
        for text in invalid {
            assert!(!is_valid(text), "{text}");
            assert_eq!(is_valid(text), serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(is_valid(&deep));
        assert!(!is_valid(&"[".repeat(100_000)));
    }

    #[test]
    fn splits_arrays_and_bags_into_slices() {
        assert_eq!(array_elements("[ 1 , {\"a\": [2]} ,\"x\"]"), ["1", "{\"a\": [2]}", "\"x\""]);
        assert_eq!(array_elements("[]"), Vec::<&str>::new());
        assert_eq!(object_entries("{\"a\": 1, \"b\" : null}"), [("\"a\"", "1"), ("\"b\"", "null")]);
    }

    #[test]
    fn a_bag_keeps_one_property_per_key_with_the_last_value() {
        let text = r#"{"a": 1, "b": 2, "a": 3, "\u0061": 4}"#;
        assert_eq!(bag_properties(text), [("\"b\"", "2"), ("\"\\u0061\"", "4")]);
    }

    #[test]
    fn member_is_case_sensitive_and_last_key_wins() {
        let text =
            "{\"IPAddress\": \"10.0.0.1\", \"ipaddress\": \"x\", \"IPAddress\": \"10.0.0.2\"}";
        assert_eq!(member(text, "IPAddress"), Some("\"10.0.0.2\""));
        assert_eq!(member(text, "Missing"), None);
        assert_eq!(member("[1]", "IPAddress"), None);
        assert_eq!(member("{\"IPAddress\": null}", "IPAddress"), None);
    }

    #[test]
    fn tostring_follows_kusto() {
        assert_eq!(to_kusto_string("\"1.2.3.4\""), "1.2.3.4");
        assert_eq!(to_kusto_string("\"a\\nb\""), "a\nb");
        assert_eq!(to_kusto_string("null"), "");
        assert_eq!(to_kusto_string("42"), "42");
        assert_eq!(to_kusto_string("1.0"), "1");
        assert_eq!(to_kusto_string("1.50"), "1.5");
        assert_eq!(to_kusto_string("true"), "true");
        assert_eq!(to_kusto_string("[1, \"a b\" ,{ \"k\" : 2 }]"), "[1,\"a b\",{\"k\":2}]");
    }

    /// JSON values that are mostly objects, with keys that repeat, are escaped or are null.
    fn json_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("1".to_string()),
            Just(" \"x\\\"y\" ".to_string()),
            Just("[ ]".to_string()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            let key = prop_oneof![Just("\"a\""), Just("\"\\u0061\""), Just("\"b\"")];
            prop_oneof![
                prop::collection::vec((key, inner.clone()), 0..4).prop_map(|entries| {
                    let entries: Vec<String> =
                        entries.into_iter().map(|(k, v)| format!("{k} : {v}")).collect();
                    format!("{{{}}}", entries.join(","))
                }),
                prop::collection::vec(inner, 0..3)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
            ]
        })
    }

    proptest! {
        #[test]
        fn element_members_agree_with_splitting_then_reading_the_member(
            items in prop::collection::vec(json_value(), 0..6),
            limit in 0usize..8,
        ) {
            let text = format!(" [ {} ] ", items.join(" , "));
            prop_assert!(is_valid(&text), "{}", text);
            let mut walked = Vec::new();
            element_members(&text, "a", limit, |value| walked.push(value));
            let split: Vec<Option<&str>> = array_elements(&text)
                .into_iter()
                .take(limit)
                .map(|element| member(element, "a"))
                .collect();
            prop_assert_eq!(walked, split);
        }
    }
}
