//! Kusto's set functions and the array functions that reorder or build arrays, over dynamic
//! arrays kept as JSON text. Two values are the same as `array_index_of` compares them:
//! numbers by value, strings by their text. An argument that is not an array gives null.
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_set_union(a, b, ...)` | `set_union(a, b, ...)`: the distinct values of all, in the order first met |
//! | `kql_set_intersect(a, b, ...)` | `set_intersect(a, b, ...)`: the distinct values of `a` that every other array holds |
//! | `kql_set_difference(a, b, ...)` | `set_difference(a, b, ...)`: the distinct values of `a` that no other array holds |
//! | `kql_array_sort(a, ascending, nulls_last)` | `array_sort_asc(a)`, `array_sort_desc(a)`: numbers by value, strings ordinally; mixed kinds go numbers, strings, then the rest as they came |
//! | `kql_zip(a, b, ...)` | `zip(a, b, ...)`: an array of `[a[i], b[i], ...]`, the shorter arrays' places null |
//! | `kql_repeat(json, n)` | `repeat(v, n)`: `n` copies of `v`, none for `n` of 0 or less |
//! | `kql_array_shift(a, n, fill, rotate)` | `array_shift_left(a, n, fill)` (`n` negative for `_right`), `array_rotate_left(a, n)` likewise |
//! | `kql_array_split(a, i, ...)` | `array_split(a, i)`: the parts between the indexes, a negative one counted from the end |
//! | `kql_jaccard_index(a, b)` | `jaccard_index(a, b)`: the distinct values both hold over those either holds |

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Builder, PrimitiveArray, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::arrays::{elements, same_value};
use super::{Strings, json};

/// The most copies `repeat` makes of one value.
const MAX_COPIES: usize = 1 << 20;

/// What a set function keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetOperation {
    Union,
    Intersect,
    Difference,
}

/// `kql_set_union`, `kql_set_intersect` and `kql_set_difference`.
#[derive(Debug)]
pub(super) struct SetFunction {
    operation: SetOperation,
    signature: Signature,
}

impl PartialEq for SetFunction {
    fn eq(&self, other: &Self) -> bool {
        self.operation == other.operation
    }
}
impl Eq for SetFunction {}
impl std::hash::Hash for SetFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl SetFunction {
    pub(super) fn new(operation: SetOperation) -> Self {
        SetFunction { operation, signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for SetFunction {
    fn name(&self) -> &str {
        match self.operation {
            SetOperation::Union => "kql_set_union",
            SetOperation::Intersect => "kql_set_intersect",
            SetOperation::Difference => "kql_set_difference",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = arrays_of(&args)?;
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(args.number_rows, 0);
        for row in 0..args.number_rows {
            let parts: Option<Vec<Vec<&str>>> =
                columns.iter().map(|c| elements(c.get(row))).collect();
            out.append_option(parts.map(|parts| json_array(&set_of(self.operation, &parts))));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The values `operation` keeps of `parts`, each once, in the order first met.
fn set_of<'a>(operation: SetOperation, parts: &[Vec<&'a str>]) -> Vec<&'a str> {
    let holds = |part: &Vec<&str>, value: &str| part.iter().any(|v| same_value(v, value));
    let candidates: Vec<&str> = match operation {
        SetOperation::Union => parts.concat(),
        _ => parts.first().cloned().unwrap_or_default(),
    };
    let mut kept: Vec<&str> = Vec::new();
    for value in candidates {
        if kept.iter().any(|k| same_value(k, value)) {
            continue;
        }
        let others = parts.iter().skip(1);
        let keep = match operation {
            SetOperation::Union => true,
            SetOperation::Intersect => others.clone().all(|p| holds(p, value)),
            SetOperation::Difference => !others.clone().any(|p| holds(p, value)),
        };
        if keep {
            kept.push(value);
        }
    }
    kept
}

array_udf!(ArraySort, "kql_array_sort", Signature::any(3, Volatility::Immutable), DataType::Utf8);
array_udf!(Zip, "kql_zip", Signature::variadic_any(Volatility::Immutable), DataType::Utf8);
array_udf!(Repeat, "kql_repeat", Signature::any(2, Volatility::Immutable), DataType::Utf8);
array_udf!(Shift, "kql_array_shift", Signature::any(4, Volatility::Immutable), DataType::Utf8);
array_udf!(
    Split,
    "kql_array_split",
    Signature::variadic_any(Volatility::Immutable),
    DataType::Utf8
);
array_udf!(
    JaccardIndex,
    "kql_jaccard_index",
    Signature::any(2, Volatility::Immutable),
    DataType::Float64
);

impl Shift {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let counts = longs(&arrays[1], self.name())?;
        let fills = Strings::of(&arrays[2], self.name())?;
        let rotate = booleans(&arrays[3], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let moved =
                elements(texts.get(row)).zip(counts.is_valid(row).then(|| counts.value(row)));
            let moved = moved.map(|(items, count)| {
                let fill = fills.get(row).unwrap_or("null").trim();
                json_array(&shifted(&items, count, fill, rotate.value(row)))
            });
            out.append_option(moved);
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `items` moved `count` places to the left (to the right when negative): rotated, or with
/// the places left empty holding `fill`.
fn shifted<'a>(items: &[&'a str], count: i64, fill: &'a str, rotate: bool) -> Vec<&'a str> {
    let len = items.len() as i64;
    if len == 0 {
        return Vec::new();
    }
    (0..len)
        .map(|i| {
            let from = i + count;
            if rotate {
                items[from.rem_euclid(len) as usize]
            } else if (0..len).contains(&from) {
                items[from as usize]
            } else {
                fill
            }
        })
        .collect()
}

impl Split {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let indexes =
            arrays[1..].iter().map(|a| longs(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let at: Option<Vec<i64>> =
                indexes.iter().map(|i| i.is_valid(row).then(|| i.value(row))).collect();
            let parts = elements(texts.get(row)).zip(at).map(|(items, at)| {
                let parts: Vec<String> =
                    split_at(&items, &at).iter().map(|part| json_array(part)).collect();
                format!("[{}]", parts.join(","))
            });
            out.append_option(parts);
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `items` cut before each of the indexes `at` (a negative one counted from the end, all held
/// to the array's bounds and taken in increasing order).
fn split_at<'a, 'b>(items: &'b [&'a str], at: &[i64]) -> Vec<&'b [&'a str]> {
    let len = items.len() as i64;
    let mut cuts: Vec<usize> =
        at.iter().map(|&i| (if i < 0 { len + i } else { i }).clamp(0, len) as usize).collect();
    cuts.sort_unstable();
    let mut parts = Vec::new();
    let mut start = 0;
    for cut in cuts {
        parts.push(&items[start..cut]);
        start = cut;
    }
    parts.push(&items[start..]);
    parts
}

impl JaccardIndex {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let (a, b) = (Strings::of(&arrays[0], self.name())?, Strings::of(&arrays[1], self.name())?);
        let mut out = Float64Builder::with_capacity(rows);
        for row in 0..rows {
            let index = elements(a.get(row)).zip(elements(b.get(row))).map(|(a, b)| {
                let parts = [a, b];
                let both = set_of(SetOperation::Intersect, &parts).len() as f64;
                let either = set_of(SetOperation::Union, &parts).len() as f64;
                both / either
            });
            out.append_option(index);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl ArraySort {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let ascending = booleans(&arrays[1], self.name())?;
        let nulls_last = booleans(&arrays[2], self.name())?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let sorted = elements(texts.get(row))
                .map(|items| sorted(items, ascending.value(row), nulls_last.value(row)));
            out.append_option(sorted.map(|items| json_array(&items)));
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `items` in order, nulls first or last. Kinds go as Kusto sorts a mix of them, whichever
/// the direction: numbers, then strings, then the rest (bools, arrays, bags) as they came.
fn sorted(items: Vec<&str>, ascending: bool, nulls_last: bool) -> Vec<&str> {
    let (nulls, mut values): (Vec<&str>, Vec<&str>) =
        items.into_iter().partition(|item| json::kind(item) == json::Kind::Null);
    let rank = |v: &str| match json::kind(v) {
        json::Kind::Number => 0,
        json::Kind::String => 1,
        _ => 2,
    };
    let number = |v: &str| v.trim().parse::<f64>().unwrap_or(f64::NAN);
    values.sort_by(|a, b| {
        let within = match (rank(a), rank(b)) {
            (0, 0) => number(a).total_cmp(&number(b)),
            (1, 1) => json::decode_string(a.trim()).cmp(&json::decode_string(b.trim())),
            (x, y) => return x.cmp(&y),
        };
        if ascending { within } else { within.reverse() }
    });
    if nulls_last { [values, nulls].concat() } else { [nulls, values].concat() }
}

impl Zip {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            let parts: Option<Vec<Vec<&str>>> =
                columns.iter().map(|c| elements(c.get(row))).collect();
            let zipped = parts.map(|parts| {
                let longest = parts.iter().map(Vec::len).max().unwrap_or(0);
                let tuples: Vec<String> = (0..longest)
                    .map(|i| {
                        let tuple: Vec<&str> =
                            parts.iter().map(|p| p.get(i).map_or("null", |v| v.trim())).collect();
                        json_array(&tuple)
                    })
                    .collect();
                format!("[{}]", tuples.join(","))
            });
            out.append_option(zipped);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Repeat {
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let values = Strings::of(&arrays[0], self.name())?;
        let counts = match arrays[1].data_type() {
            DataType::Int64 => arrays[1].as_primitive::<Int64Type>(),
            other => return exec_err!("{}: the count must be a long, not {other}", self.name()),
        };
        let mut out = StringBuilder::with_capacity(rows, 0);
        for row in 0..rows {
            if counts.is_null(row) {
                out.append_null();
                continue;
            }
            // More copies than lakehunt builds is an error, not a silent cut.
            let count = usize::try_from(counts.value(row).max(0)).unwrap_or(usize::MAX);
            if count > MAX_COPIES {
                return exec_err!(
                    "repeat: {count} copies are more than the {MAX_COPIES} lakehunt builds"
                );
            }
            let value = values.get(row).unwrap_or("null").trim();
            out.append_value(json_array(&vec![value; count]));
        }
        Ok(Arc::new(out.finish()))
    }
}

fn arrays_of(args: &ScalarFunctionArgs) -> Result<Vec<ArrayRef>> {
    args.args.iter().map(|a| a.to_array(args.number_rows)).collect()
}

fn longs<'a>(array: &'a ArrayRef, name: &str) -> Result<&'a PrimitiveArray<Int64Type>> {
    match array.data_type() {
        DataType::Int64 => Ok(array.as_primitive::<Int64Type>()),
        other => exec_err!("{name}: a long argument, not {other}"),
    }
}

fn booleans<'a>(array: &'a ArrayRef, name: &str) -> Result<&'a BooleanArray> {
    match array.data_type() {
        DataType::Boolean => Ok(array.as_boolean()),
        other => exec_err!("{name}: a bool argument, not {other}"),
    }
}

fn json_array(items: &[&str]) -> String {
    let items: Vec<&str> = items.iter().map(|i| i.trim()).collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_keep_each_value_once_in_the_order_first_met() {
        let parts = vec![vec!["1", "2", "2", "\"a\""], vec!["2.0", "3", "\"a\""]];
        assert_eq!(set_of(SetOperation::Union, &parts), ["1", "2", "\"a\"", "3"]);
        assert_eq!(set_of(SetOperation::Intersect, &parts), ["2", "\"a\""]);
        assert_eq!(set_of(SetOperation::Difference, &parts), ["1"]);
    }

    #[test]
    fn sorting_puts_numbers_by_value_and_nulls_where_asked() {
        let items = vec!["10", "null", "9.5", "-1"];
        assert_eq!(sorted(items.clone(), true, true), vec!["-1", "9.5", "10", "null"]);
        assert_eq!(sorted(items, false, false), vec!["null", "10", "9.5", "-1"]);
        assert_eq!(sorted(vec!["\"b\"", "\"a\""], true, true), vec!["\"a\"", "\"b\""]);
        assert_eq!(sorted(vec!["\"a\"", "true", "1"], false, true), vec!["1", "\"a\"", "true"]);
        assert!(sorted(vec![], true, true).is_empty());
    }

    #[test]
    fn shifting_fills_and_rotating_wraps() {
        let items = ["1", "2", "3", "4", "5"];
        assert_eq!(shifted(&items, 2, "null", false), ["3", "4", "5", "null", "null"]);
        assert_eq!(shifted(&items, -2, "-1", false), ["-1", "-1", "1", "2", "3"]);
        assert_eq!(shifted(&items, 2, "null", true), ["3", "4", "5", "1", "2"]);
        assert_eq!(shifted(&items, -7, "null", true), ["4", "5", "1", "2", "3"]);
        assert_eq!(shifted(&items, 9, "0", false), ["0"; 5]);
    }

    #[test]
    fn splitting_cuts_before_each_index() {
        let items = ["1", "2", "3", "4", "5"];
        let cut = |at: &[i64]| -> Vec<Vec<&str>> {
            split_at(&items, at).iter().map(|p| p.to_vec()).collect()
        };
        assert_eq!(cut(&[2]), [vec!["1", "2"], vec!["3", "4", "5"]]);
        assert_eq!(cut(&[1, 3]), [vec!["1"], vec!["2", "3"], vec!["4", "5"]]);
        assert_eq!(cut(&[-1]), [vec!["1", "2", "3", "4"], vec!["5"]]);
        assert_eq!(cut(&[9]), [items.to_vec(), vec![]]);
    }
}
