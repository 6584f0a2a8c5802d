//! The Kusto functions lakehunt adds to DataFusion, so that SQL can keep Kusto's semantics
//! for `dynamic` values. A dynamic value travels through SQL as JSON text and a Kusto string
//! as text that is never null, both as `Utf8View`: the parts of a value are views into the
//! text they came from.
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_todynamic(x)` | `todynamic(x)` / `parse_json(x)`: text that is not JSON becomes a dynamic string; native lists and structs become JSON |
//! | `kql_mv_expand(d, limit)` | the values `mv-expand` makes of `d`: array elements, one single-property bag per property, or `d` itself; at most `limit` |
//! | `kql_mv_expand_members(d, limit, 'key')` | `tostring(v.key)` of each value `v` of `kql_mv_expand(d, limit)`, put in by the engine |
//! | `kql_mv_expand_text_members(x, limit, 'key')` | the same of `kql_todynamic(x)`, parsing and reading in one walk, put in by the engine |
//! | `kql_mv_expand_positions(d1, ..., limit)` | `0, 1, ...` for each value `mv-expand` makes of a row's `d1, ...` together (`with_itemindex`) |
//! | `kql_member(d, 'key')` | `d.key`: null when `d` is not a bag or lacks the key |
//! | `kql_tostring(d)` | `tostring(d)`: `""` for null |
//! | `kql_sum_in_order(x)` | the aggregate: reals added in row order, for `sum` and `avg` without `by` |
//!
//! The term operators (`has`) are in [`terms`], the other dynamic functions in [`dynamic`],
//! Kusto's conversions of text and reals in [`convert`], array functions in [`arrays`], the
//! IPv4 comparisons in `ipv4`, the set functions and array sorting in `sets`, datetimes read
//! from text and numbers in `instants`.

mod arrow_json;
pub mod json;
mod slices;

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, LargeStringArray, ListArray, StringArray, StringViewArray,
    StringViewBuilder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    AggregateUDF, ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use slices::SliceBuilder;

/// The Kusto functions of one session, and what they noticed while running.
#[derive(Debug, Clone, Default)]
pub struct KustoFunctions {
    invalid_json: Arc<AtomicU64>,
}

impl KustoFunctions {
    /// A fresh set of functions with a zeroed count of non-JSON values.
    pub fn new() -> Self {
        Self::default()
    }

    /// The functions, ready to register in a DataFusion session.
    pub fn scalar_udfs(&self) -> Vec<ScalarUDF> {
        vec![
            ScalarUDF::new_from_impl(ToDynamic {
                signature: Signature::any(1, Volatility::Immutable),
                invalid_json: Arc::clone(&self.invalid_json),
            }),
            ScalarUDF::new_from_impl(MvExpand {
                signature: Signature::any(2, Volatility::Immutable),
            }),
            ScalarUDF::new_from_impl(expand_members::MvExpandMembers::new()),
            ScalarUDF::new_from_impl(expand_members::MvExpandMembers::reading_text(Arc::clone(
                &self.invalid_json,
            ))),
            ScalarUDF::new_from_impl(expansion_positions::MvExpandPositions::new()),
            ScalarUDF::new_from_impl(Member {
                signature: Signature::any(2, Volatility::Immutable),
            }),
            ScalarUDF::new_from_impl(ToKustoString {
                signature: Signature::any(1, Volatility::Immutable),
            }),
            ScalarUDF::new_from_impl(terms::Has::new()),
            ScalarUDF::new_from_impl(dynamic::Index::new()),
            ScalarUDF::new_from_impl(dynamic::ArrayLength::new()),
            ScalarUDF::new_from_impl(dynamic::BagKeys::new()),
            ScalarUDF::new_from_impl(dynamic::Pack::new()),
            ScalarUDF::new_from_impl(dynamic::PackArray::new()),
            ScalarUDF::new_from_impl(dynamic::Quote::new()),
            ScalarUDF::new_from_impl(dynamic::JsonArray::new()),
            ScalarUDF::new_from_impl(dynamic::MakeBag::new()),
            ScalarUDF::new_from_impl(dynamic::BagMerge::new()),
            ScalarUDF::new_from_impl(base64::Base64Encode::new()),
            ScalarUDF::new_from_impl(key_values::ParseKv::new()),
            ScalarUDF::new_from_impl(convert::ToInt::new()),
            ScalarUDF::new_from_impl(arrays::GetType::new()),
            ScalarUDF::new_from_impl(arrays::Slice::new()),
            ScalarUDF::new_from_impl(arrays::Reverse::new()),
            ScalarUDF::new_from_impl(arrays::Concat::new()),
            ScalarUDF::new_from_impl(arrays::StrcatArray::new()),
            ScalarUDF::new_from_impl(arrays::CountOf::new()),
            ScalarUDF::new_from_impl(arrays::ExtractAll::new()),
            ScalarUDF::new_from_impl(arrays::Extract::new()),
            ScalarUDF::new_from_impl(arrays::ArraySum::new()),
            ScalarUDF::new_from_impl(arrays::ArrayIndexOf::new()),
            ScalarUDF::new_from_impl(arrays::Ipv4InRanges::new()),
            ScalarUDF::new_from_impl(ipv4::Ipv4Compare::new()),
            ScalarUDF::new_from_impl(ipv4::ParseIpv4::new()),
            ScalarUDF::new_from_impl(sets::SetFunction::new(sets::SetOperation::Union)),
            ScalarUDF::new_from_impl(sets::SetFunction::new(sets::SetOperation::Intersect)),
            ScalarUDF::new_from_impl(sets::SetFunction::new(sets::SetOperation::Difference)),
            ScalarUDF::new_from_impl(sets::ArraySort::new()),
            ScalarUDF::new_from_impl(sets::Zip::new()),
            ScalarUDF::new_from_impl(sets::Repeat::new()),
            ScalarUDF::new_from_impl(sets::Shift::new()),
            ScalarUDF::new_from_impl(sets::Split::new()),
            ScalarUDF::new_from_impl(sets::JaccardIndex::new()),
            ScalarUDF::new_from_impl(convert::ToLong::new()),
            ScalarUDF::new_from_impl(convert::ToReal::new()),
            ScalarUDF::new_from_impl(convert::RealText::new()),
            ScalarUDF::new_from_impl(instants::ToDateTime::new()),
            ScalarUDF::new_from_impl(instants::UnixTime::new()),
            ScalarUDF::new_from_impl(letter_case::LetterCase::new(letter_case::Case::Lower)),
            ScalarUDF::new_from_impl(letter_case::LetterCase::new(letter_case::Case::Upper)),
        ]
    }

    /// The aggregate functions, ready to register beside [`Self::scalar_udfs`].
    pub fn aggregate_udfs(&self) -> Vec<AggregateUDF> {
        vec![AggregateUDF::new_from_impl(sum_in_order::SumInOrder::new())]
    }

    /// How many non-empty texts `kql_todynamic` has seen that were not valid JSON.
    pub fn invalid_json_values(&self) -> u64 {
        self.invalid_json.load(Ordering::Relaxed)
    }
}

/// The text column of `args`' first argument, each row through `map` (given `None` for a
/// null): what a function from one text to another does, named `function` in errors.
fn map_texts(
    args: &ScalarFunctionArgs,
    function: &str,
    mut map: impl FnMut(Option<&str>) -> Option<String>,
) -> Result<ColumnarValue> {
    let input = args.args[0].to_array(args.number_rows)?;
    let texts = Strings::of(&input, function)?;
    let mut out = datafusion::arrow::array::StringBuilder::with_capacity(input.len(), 0);
    for row in 0..input.len() {
        out.append_option(map(texts.get(row)));
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

/// Read access to a string column stored in any of Arrow's three string layouts.
enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a ArrayRef, function: &str) -> Result<Self> {
        match array.data_type() {
            DataType::Utf8 => Ok(Strings::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Strings::Large(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Strings::View(array.as_string_view())),
            other => exec_err!("{function} takes JSON text, not {other}"),
        }
    }

    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(row).then(|| a.value(row)),
            Strings::Large(a) => a.is_valid(row).then(|| a.value(row)),
            Strings::View(a) => a.is_valid(row).then(|| a.value(row)),
        }
    }
}

/// The limit of values an expansion makes of one row: a constant integer of 0 or more.
fn expansion_limit(arg: &ColumnarValue, function: &str) -> Result<usize> {
    match arg {
        ColumnarValue::Scalar(ScalarValue::Int64(Some(n))) if *n >= 0 => Ok(*n as usize),
        _ => plan_err!("{function}: the limit must be a constant integer >= 0"),
    }
}

/// The constant string argument `position` of `function`.
fn constant_string(args: &ScalarFunctionArgs, position: usize, function: &str) -> Result<String> {
    match &args.args[position] {
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
        ) => Ok(s.clone()),
        _ => exec_err!("{function}: argument {} must be a constant string", position + 1),
    }
}

/// Equality and hashing by name: each function exists once per session.
macro_rules! identity_by_name {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, _other: &Self) -> bool {
                true
            }
        }
        impl Eq for $t {}
        impl ::std::hash::Hash for $t {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.name().hash(state);
            }
        }
    };
}

/// Declares a UDF whose `apply(&self, arrays, rows)` works on its arguments as arrays: a
/// name, a signature and a return type.
macro_rules! array_udf {
    ($t:ident, $name:literal, $signature:expr, $returns:expr) => {
        #[derive(Debug)]
        pub(super) struct $t {
            signature: Signature,
        }
        identity_by_name!($t);
        impl $t {
            pub fn new() -> $t {
                $t { signature: $signature }
            }
        }
        impl ScalarUDFImpl for $t {
            fn name(&self) -> &str {
                $name
            }
            fn signature(&self) -> &Signature {
                &self.signature
            }
            fn return_type(&self, _: &[DataType]) -> Result<DataType> {
                Ok($returns)
            }
            fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
                let arrays: Vec<ArrayRef> = args
                    .args
                    .iter()
                    .map(|a| a.to_array(args.number_rows))
                    .collect::<Result<_>>()?;
                Ok(ColumnarValue::Array(self.apply(&arrays, args.number_rows)?))
            }
        }
    };
}

pub mod arrays;
mod base64;
pub mod convert;
pub mod dynamic;
pub mod expand_members;
mod expansion_positions;
mod instants;
mod ipv4;
mod key_values;
mod letter_case;
mod sets;
mod sum_in_order;
pub mod terms;

/// `kql_todynamic(x)`: Kusto's `todynamic` / `parse_json`.
#[derive(Debug)]
struct ToDynamic {
    signature: Signature,
    invalid_json: Arc<AtomicU64>,
}
identity_by_name!(ToDynamic);

impl ScalarUDFImpl for ToDynamic {
    fn name(&self) -> &str {
        "kql_todynamic"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8View)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        if !matches!(input.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
            return Ok(ColumnarValue::Array(Arc::new(native_to_json(&input)?)));
        }
        let texts = Strings::of(&input, self.name())?;
        // Kusto's parse_json of an empty string is null, like a missing value; it writes the
        // reals it parsed in their shortest form.
        let unchanged = |row| {
            texts.get(row).is_none_or(|text| {
                !text.is_empty()
                    && json::is_valid(text)
                    && json::kind(text) != json::Kind::Null
                    && json::with_kusto_values(text).is_none()
            })
        };
        // Rows before the first that needs a change are known valid: they are not walked again.
        let first_change = (0..input.len()).find(|&row| !unchanged(row));
        if input.data_type() == &DataType::Utf8View && first_change.is_none() {
            // Every text is already the JSON it stands for: hand the column on as it is.
            return Ok(ColumnarValue::Array(input));
        }
        let first_change = first_change.unwrap_or(input.len());

        let mut out = SliceBuilder::new(&texts, input.len());
        let mut invalid = 0;
        for row in 0..input.len() {
            match texts.get(row) {
                None | Some("") => out.append_null(),
                Some(text) if row < first_change => out.append_part(row, text, text)?,
                // JSON's null is a null value.
                Some(text) if json::kind(text) == json::Kind::Null && json::is_valid(text) => {
                    out.append_null()
                }
                Some(text) if json::is_valid(text) => match json::with_kusto_values(text) {
                    Some(plain) => out.append_value(&plain),
                    None => out.append_part(row, text, text)?,
                },
                Some(text) => {
                    invalid += 1;
                    out.append_value(&json::quote(text));
                }
            }
        }
        self.invalid_json.fetch_add(invalid, Ordering::Relaxed);
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// Native lists, structs and maps as JSON text.
fn native_to_json(input: &ArrayRef) -> Result<StringViewArray> {
    let mut out = StringViewBuilder::with_capacity(input.len());
    let mut text = String::new();
    for row in 0..input.len() {
        if input.is_null(row) {
            out.append_null();
            continue;
        }
        text.clear();
        arrow_json::write_value(input.as_ref(), row, &mut text)?;
        out.append_value(&text);
    }
    Ok(out.finish())
}

/// `kql_mv_expand(d, limit)`: the values `mv-expand` turns one dynamic value into.
#[derive(Debug)]
struct MvExpand {
    signature: Signature,
}
identity_by_name!(MvExpand);

impl ScalarUDFImpl for MvExpand {
    fn name(&self) -> &str {
        "kql_mv_expand"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Utf8View, true))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let limit = expansion_limit(&args.args[1], self.name())?;
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        let mut values = SliceBuilder::new(&texts, input.len());
        let mut offsets = Vec::with_capacity(input.len() + 1);
        let mut count = 0i32;
        offsets.push(count);
        let mut bag = String::new();
        for row in 0..input.len() {
            match texts.get(row) {
                // A null or a scalar expands to one row holding itself.
                None => {
                    values.append_null();
                    count += 1;
                }
                Some(text) => match json::kind(text) {
                    json::Kind::Array => {
                        for element in json::array_elements(text).into_iter().take(limit) {
                            // A JSON null element is a null value, as `isnull()` sees it.
                            if json::kind(element) == json::Kind::Null {
                                values.append_null();
                            } else {
                                values.append_part(row, text, element)?;
                            }
                            count += 1;
                        }
                    }
                    json::Kind::Object => {
                        for (key, value) in json::bag_properties(text).into_iter().take(limit) {
                            bag.clear();
                            bag.push('{');
                            bag.push_str(key);
                            bag.push(':');
                            bag.push_str(value);
                            bag.push('}');
                            values.append_value(&bag);
                            count += 1;
                        }
                    }
                    _ => {
                        values.append_part(row, text, text)?;
                        count += 1;
                    }
                },
            }
            offsets.push(count);
        }
        let item = Arc::new(Field::new("item", DataType::Utf8View, true));
        let values = Arc::new(values.finish());
        let list = ListArray::try_new(item, OffsetBuffer::new(offsets.into()), values, None)?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}

/// `kql_member(d, 'key')`: Kusto's `d.key` / `d['key']`, and `d[k]` of a string `k`.
#[derive(Debug)]
struct Member {
    signature: Signature,
}
identity_by_name!(Member);

impl ScalarUDFImpl for Member {
    fn name(&self) -> &str {
        "kql_member"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8View)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        // The key is a constant (`d.key`) or, for `d[expr]`, one per row; a null key is "".
        let (constant, keys) = match &args.args[1] {
            ColumnarValue::Scalar(_) => (Some(constant_string(&args, 1, self.name())?), None),
            ColumnarValue::Array(keys) => (None, Some(Arc::clone(keys))),
        };
        let row_keys = keys.as_ref().map(|k| Strings::of(k, self.name())).transpose()?;
        let mut out = SliceBuilder::new(&texts, input.len());
        for row in 0..input.len() {
            let key = match (&constant, &row_keys) {
                (Some(key), _) => key.as_str(),
                (None, Some(keys)) => keys.get(row).unwrap_or(""),
                (None, None) => "",
            };
            let text = texts.get(row);
            match text.and_then(|text| Some((text, json::member(text, key)?))) {
                Some((text, value)) => out.append_part(row, text, value)?,
                None => out.append_null(),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `kql_tostring(d)`: Kusto's `tostring` of a dynamic value.
#[derive(Debug)]
struct ToKustoString {
    signature: Signature,
}
identity_by_name!(ToKustoString);

impl ScalarUDFImpl for ToKustoString {
    fn name(&self) -> &str {
        "kql_tostring"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8View)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        let mut out = SliceBuilder::new(&texts, input.len());
        for row in 0..input.len() {
            match texts.get(row).map(|text| (text, json::to_kusto_string(text))) {
                None => out.append_value(""),
                Some((text, Cow::Borrowed(part))) => out.append_part(row, text, part)?,
                Some((_, Cow::Owned(value))) => out.append_value(&value),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
