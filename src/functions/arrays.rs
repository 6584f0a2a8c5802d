//! Kusto's functions over dynamic arrays kept as JSON text, the type of a dynamic value, and
//! `countof`: each gives null where Kusto does (an argument that is not an array).
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_gettype(d)` | `gettype(d)` of a dynamic value: `null`, `bool`, `long`, `real`, `string`, `array`, `dictionary` |
//! | `kql_array_slice(d, start, end)` | `array_slice(d, start, end)`: both ends included, negative counts from the end |
//! | `kql_array_reverse(d)` | `array_reverse(d)` |
//! | `kql_array_concat(d, ...)` | `array_concat(d, ...)` |
//! | `kql_strcat_array(d, delimiter)` | `strcat_array(d, delimiter)`: elements as `tostring` writes them |
//! | `kql_countof(text, search)` | `countof(text, search)`: occurrences, overlapping ones included |
//! | `kql_array_sum(d)` | `array_sum(d)`: a real; null when an element is not a number, and (lakehunt's choice) for an empty array |
//! | `kql_array_index_of(d, json)` | `array_index_of(d, v)`: the first element equal to `v` (numbers by value), or -1 |

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Int64Builder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{Strings, json};

array_udf!(GetType, "kql_gettype", Signature::any(1, Volatility::Immutable), DataType::Utf8);
array_udf!(Slice, "kql_array_slice", Signature::any(3, Volatility::Immutable), DataType::Utf8);
array_udf!(Reverse, "kql_array_reverse", Signature::any(1, Volatility::Immutable), DataType::Utf8);
array_udf!(
    Concat,
    "kql_array_concat",
    Signature::variadic_any(Volatility::Immutable),
    DataType::Utf8
);
array_udf!(
    StrcatArray,
    "kql_strcat_array",
    Signature::any(2, Volatility::Immutable),
    DataType::Utf8
);
array_udf!(CountOf, "kql_countof", Signature::any(2, Volatility::Immutable), DataType::Int64);
array_udf!(
    Ipv4InRanges,
    "kql_ipv4_in_ranges",
    Signature::variadic_any(Volatility::Immutable),
    DataType::Boolean
);
array_udf!(ArraySum, "kql_array_sum", Signature::any(1, Volatility::Immutable), DataType::Float64);
array_udf!(
    ArrayIndexOf,
    "kql_array_index_of",
    Signature::any(2, Volatility::Immutable),
    DataType::Int64
);
array_udf!(ExtractAll, "kql_extract_all", Signature::any(2, Volatility::Immutable), DataType::Utf8);
array_udf!(Extract, "kql_extract", Signature::any(3, Volatility::Immutable), DataType::Utf8);

/// The elements of `text` when it is a JSON array.
pub(super) fn elements(text: Option<&str>) -> Option<Vec<&str>> {
    let text = text?;
    (json::kind(text) == json::Kind::Array).then(|| json::array_elements(text))
}

/// The integer argument `array` at `row`, as the translator passes it (a 64-bit integer).
fn integer_at(array: &ArrayRef, row: usize, name: &str) -> Result<Option<i64>> {
    match array.data_type() {
        DataType::Int64 => {
            let values = array.as_primitive::<Int64Type>();
            Ok(values.is_valid(row).then(|| values.value(row)))
        }
        other => exec_err!("{name}: an index must be a long, not {other}"),
    }
}

impl GetType {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, rows * 6);
        for row in 0..rows {
            let name = match texts.get(row).map(|t| (t, json::kind(t))) {
                None | Some((_, json::Kind::Null)) => "null",
                Some((_, json::Kind::Bool)) => "bool",
                Some((_, json::Kind::String)) => "string",
                Some((_, json::Kind::Array)) => "array",
                Some((_, json::Kind::Object)) => "dictionary",
                Some((t, json::Kind::Number)) => {
                    if t.trim().parse::<i64>().is_ok() {
                        "long"
                    } else {
                        "real"
                    }
                }
            };
            out.append_value(name);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Slice {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let start = integer_at(&arrays[1], row, self.name())?;
            let end = integer_at(&arrays[2], row, self.name())?;
            let sliced = elements(texts.get(row)).zip(start.zip(end)).map(|(items, (s, e))| {
                let len = items.len() as i64;
                let from = if s < 0 { (len + s).max(0) } else { s };
                let to = if e < 0 { len + e } else { e.min(len - 1) };
                if from > to || from >= len {
                    return "[]".to_string();
                }
                format!("[{}]", items[from as usize..=to as usize].join(","))
            });
            out.append_option(sliced);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Reverse {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let reversed = elements(texts.get(row)).map(|mut items| {
                items.reverse();
                format!("[{}]", items.join(","))
            });
            out.append_option(reversed);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Concat {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            // Any argument that is not an array makes the result null.
            let parts: Option<Vec<Vec<&str>>> =
                columns.iter().map(|c| elements(c.get(row))).collect();
            out.append_option(parts.map(|parts| format!("[{}]", parts.concat().join(","))));
        }
        Ok(Arc::new(out.finish()))
    }
}

impl StrcatArray {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let delimiters = Strings::of(&arrays[1], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let joined = elements(texts.get(row)).map(|items| {
                let parts: Vec<String> =
                    items.iter().map(|i| json::to_kusto_string(i).into_owned()).collect();
                parts.join(delimiters.get(row).unwrap_or(""))
            });
            out.append_value(joined.unwrap_or_default());
        }
        Ok(Arc::new(out.finish()))
    }
}

impl ArraySum {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let mut out = datafusion::arrow::array::Float64Builder::with_capacity(rows);
        for row in 0..rows {
            let sum =
                elements(texts.get(row)).filter(|items| !items.is_empty()).and_then(|items| {
                    items.iter().try_fold(0.0, |sum, item| {
                        let number = (json::kind(item) == json::Kind::Number)
                            .then(|| item.trim().parse::<f64>().ok())
                            .flatten()?;
                        Some(sum + number)
                    })
                });
            out.append_option(sum);
        }
        Ok(Arc::new(out.finish()))
    }
}

/// True when two JSON values are equal as Kusto compares dynamic values: numbers by value,
/// strings by their decoded text, anything else by its text.
pub(super) fn same_value(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (json::kind(a), json::kind(b)) {
        // Longs exactly (those past 2^53 are not all reals), other numbers by value.
        (json::Kind::Number, json::Kind::Number) => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y),
        },
        (json::Kind::String, json::Kind::String) => {
            json::decode_string(a) == json::decode_string(b)
        }
        // Arrays and bags are the same value whatever white space their texts hold.
        (json::Kind::Array | json::Kind::Object, json::Kind::Array | json::Kind::Object) => {
            a == b || json::to_kusto_string(a) == json::to_kusto_string(b)
        }
        _ => a == b,
    }
}

impl ArrayIndexOf {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let values = Strings::of(&arrays[1], self.name())?;
        let mut out = Int64Builder::with_capacity(rows);
        for row in 0..rows {
            let value = values.get(row).unwrap_or("null");
            let found = elements(texts.get(row)).map(|items| {
                items.iter().position(|item| same_value(item, value)).map_or(-1, |i| i as i64)
            });
            out.append_option(found);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl CountOf {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let searches = Strings::of(&arrays[1], self.name())?;
        let mut out = Int64Builder::with_capacity(rows);
        for row in 0..rows {
            let text = texts.get(row).unwrap_or("");
            let search = searches.get(row).unwrap_or("");
            out.append_value(count_overlapping(text, search));
        }
        Ok(Arc::new(out.finish()))
    }
}

impl ExtractAll {
    /// `extract_all(regex, text)`: the captures of every match, as a JSON array of strings
    /// for one group and of arrays for several (a group that took no part is `""`); null
    /// where nothing matches.
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let patterns = Strings::of(&arrays[1], self.name())?;
        let mut cache = None;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let (Some(text), Some(pattern)) = (texts.get(row), patterns.get(row)) else {
                out.append_null();
                continue;
            };
            let regex = compiled(&mut cache, pattern, "extract_all")?;
            if regex.captures_len() < 2 {
                return exec_err!("extract_all: the regular expression {pattern} needs a group");
            }
            let groups = regex.captures_len() - 1;
            let matches: Vec<String> = regex
                .captures_iter(text)
                .map(|captures| {
                    let values: Vec<String> = (1..=groups)
                        .map(|g| json::quote(captures.get(g).map_or("", |m| m.as_str())))
                        .collect();
                    if groups == 1 { values.join(",") } else { format!("[{}]", values.join(",")) }
                })
                .collect();
            if matches.is_empty() {
                out.append_null();
            } else {
                out.append_value(format!("[{}]", matches.join(",")));
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `regex` compiled, kept while the pattern stays the same from row to row.
fn compiled<'a>(
    cache: &'a mut Option<(String, regex::Regex)>,
    pattern: &str,
    name: &str,
) -> Result<&'a regex::Regex> {
    if cache.as_ref().is_none_or(|(p, _)| p != pattern) {
        match regex::Regex::new(pattern) {
            Ok(regex) => *cache = Some((pattern.to_string(), regex)),
            Err(e) => return exec_err!("{name}: the regular expression {pattern}: {e}"),
        }
    }
    match cache {
        Some((_, regex)) => Ok(regex),
        None => exec_err!("{name}: no regular expression"),
    }
}

impl Extract {
    /// `kql_extract(text, regex, group)`: group `group` (0 for the whole match) of the first
    /// match; null where nothing matches or that group took no part. Groups keep their
    /// numbers when an earlier one is missing, where `regexp_match`'s list closes up.
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let patterns = Strings::of(&arrays[1], self.name())?;
        let mut cache = None;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let group = integer_at(&arrays[2], row, self.name())?;
            let (Some(text), Some(pattern), Some(group)) =
                (texts.get(row), patterns.get(row), group)
            else {
                out.append_null();
                continue;
            };
            let regex = compiled(&mut cache, pattern, self.name())?;
            let found = usize::try_from(group)
                .ok()
                .and_then(|g| regex.captures(text).and_then(|captures| captures.get(g)));
            out.append_option(found.map(|m| m.as_str()));
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Ipv4InRanges {
    /// `kql_ipv4_in_ranges(ip, range, ...)`: whether the IPv4 address is in any of the ranges
    /// (`10.0.0.0/8`, or one address); null when the address or a range is not IPv4 text,
    /// as Kusto's `ipv4_is_in_range` and `ipv4_is_private` answer.
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = BooleanBuilder::with_capacity(rows);
        for row in 0..rows {
            let address = columns[0].get(row).and_then(ipv4);
            let ranges: Option<Vec<(u32, u32)>> =
                columns[1..].iter().map(|c| c.get(row).and_then(ipv4_range)).collect();
            match (address, ranges) {
                (Some(address), Some(ranges)) => out.append_value(
                    ranges.iter().any(|(network, mask)| address & mask == network & mask),
                ),
                _ => out.append_null(),
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

/// An IPv4 address in dotted form, as a number.
pub(super) fn ipv4(text: &str) -> Option<u32> {
    text.trim().parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// `a.b.c.d/n` (or one address) as a network and its mask.
fn ipv4_range(text: &str) -> Option<(u32, u32)> {
    let (address, bits) = match text.trim().split_once('/') {
        Some((address, bits)) => (address, bits.trim().parse::<u32>().ok().filter(|b| *b <= 32)?),
        None => (text, 32),
    };
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    Some((ipv4(address)?, mask))
}

/// How many times `search` occurs in `text`, counting occurrences that overlap; none for an
/// empty search.
fn count_overlapping(text: &str, search: &str) -> i64 {
    if search.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(search) {
        count += 1;
        // Step one character past the match's start, so that overlapping matches count.
        let start = from + found;
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::count_overlapping;

    #[test]
    fn countof_counts_overlapping_occurrences() {
        assert_eq!(count_overlapping("aaaa", "aa"), 3);
        assert_eq!(count_overlapping("He said \"hi\"", "\""), 2);
        assert_eq!(count_overlapping("back\\slash", "\\\\"), 0);
        assert_eq!(count_overlapping("café café", "é"), 2);
        assert_eq!(count_overlapping("abc", ""), 0);
    }
}
