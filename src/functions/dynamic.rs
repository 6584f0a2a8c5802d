//! Kusto functions over `dynamic` values kept as JSON text, beyond member access and
//! expansion: indexing an array, its length, a bag's keys, building bags and arrays, and
//! the arrays `make_set` / `make_list` return.
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_index(d, i)` | `d[i]`: the element, counting from the end when negative; null out of range |
//! | `kql_array_length(d)` | `array_length(d)`: null when `d` is not an array |
//! | `kql_bag_keys(d)` | `bag_keys(d)` |
//! | `kql_pack(k, json, ...)` | `bag_pack(k, v, ...)`, values given as JSON text |
//! | `kql_pack_array(json, ...)` | `pack_array(v, ...)` |
//! | `kql_quote(s)` | a string as a dynamic string |
//! | `kql_json_array(list, 'set' or 'list'[, limit])` | the array `make_set` / `make_list` return: nulls dropped, repeats too for a set, at most `limit` elements |
//! | `kql_bag_merge(json, ...)` | `bag_merge(b, ...)`: the bags' properties, the first value of a key kept |
//! | `kql_make_bag(list[, limit])` | the bag `make_bag` returns: the properties of the list's bags, a key's first value kept, at most `limit` keys; values that are not bags are left out |

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Builder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use super::{Strings, arrow_json, constant_string, json};

/// Declares a scalar UDF with a name, a signature and a return type.
macro_rules! kusto_udf {
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
                self.invoke(args)
            }
        }
    };
}

kusto_udf!(Index, "kql_index", Signature::any(2, Volatility::Immutable), DataType::Utf8);
kusto_udf!(
    ArrayLength,
    "kql_array_length",
    Signature::any(1, Volatility::Immutable),
    DataType::Int64
);
kusto_udf!(BagKeys, "kql_bag_keys", Signature::any(1, Volatility::Immutable), DataType::Utf8);
kusto_udf!(Pack, "kql_pack", Signature::variadic_any(Volatility::Immutable), DataType::Utf8);
kusto_udf!(
    PackArray,
    "kql_pack_array",
    Signature::variadic_any(Volatility::Immutable),
    DataType::Utf8
);
kusto_udf!(Quote, "kql_quote", Signature::any(1, Volatility::Immutable), DataType::Utf8);
kusto_udf!(
    JsonArray,
    "kql_json_array",
    Signature::one_of(vec![TypeSignature::Any(2), TypeSignature::Any(3)], Volatility::Immutable),
    DataType::Utf8
);

kusto_udf!(
    BagMerge,
    "kql_bag_merge",
    Signature::variadic_any(Volatility::Immutable),
    DataType::Utf8
);
kusto_udf!(
    MakeBag,
    "kql_make_bag",
    Signature::one_of(vec![TypeSignature::Any(1), TypeSignature::Any(2)], Volatility::Immutable),
    DataType::Utf8
);

/// Applies `f` to each row of a JSON-text argument, building a text column.
fn map_texts(
    args: &ScalarFunctionArgs,
    name: &str,
    mut f: impl FnMut(Option<&str>) -> Option<String>,
) -> Result<ColumnarValue> {
    let input = args.args[0].to_array(args.number_rows)?;
    let texts = Strings::of(&input, name)?;
    let mut out = StringBuilder::with_capacity(input.len(), 0);
    for row in 0..input.len() {
        out.append_option(f(texts.get(row)));
    }
    Ok(ColumnarValue::Array(Arc::new(out.finish())))
}

impl Index {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let index = match &args.args[1] {
            ColumnarValue::Scalar(ScalarValue::Int64(Some(i))) => *i,
            _ => return exec_err!("kql_index: the index must be a constant integer"),
        };
        map_texts(&args, self.name(), |text| {
            let text = text?;
            if json::kind(text) != json::Kind::Array {
                return None;
            }
            let elements = json::array_elements(text);
            let position = if index < 0 { elements.len() as i64 + index } else { index };
            let element = elements.get(usize::try_from(position).ok()?)?;
            (json::kind(element) != json::Kind::Null).then(|| element.to_string())
        })
    }
}

impl ArrayLength {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        let mut out = Int64Builder::with_capacity(input.len());
        for row in 0..input.len() {
            out.append_option(
                texts
                    .get(row)
                    .filter(|t| json::kind(t) == json::Kind::Array)
                    .map(|t| json::array_elements(t).len() as i64),
            );
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

impl BagKeys {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_texts(&args, self.name(), |text| {
            let text = text?;
            if json::kind(text) != json::Kind::Object {
                return None;
            }
            let keys: Vec<String> = json::bag_properties(text)
                .into_iter()
                .map(|(key, _)| json::quote(&json::decode_string(key)))
                .collect();
            Some(format!("[{}]", keys.join(",")))
        })
    }
}

/// The rows of every argument of a variadic call, as text.
fn text_arguments(args: &ScalarFunctionArgs) -> Result<Vec<Arc<dyn Array>>> {
    args.args.iter().map(|a| a.to_array(args.number_rows)).collect()
}

impl Pack {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = text_arguments(&args)?;
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(args.number_rows, 0);
        for row in 0..args.number_rows {
            let mut bag = String::from("{");
            for (i, pair) in columns.chunks(2).enumerate() {
                if i > 0 {
                    bag.push(',');
                }
                let key = pair[0].get(row).unwrap_or("");
                let value = pair.get(1).and_then(|v| v.get(row)).unwrap_or("null");
                bag.push_str(&json::quote(key));
                bag.push(':');
                bag.push_str(value);
            }
            bag.push('}');
            out.append_value(&bag);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

impl PackArray {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = text_arguments(&args)?;
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(args.number_rows, 0);
        for row in 0..args.number_rows {
            let values: Vec<&str> = columns.iter().map(|c| c.get(row).unwrap_or("null")).collect();
            out.append_value(format!("[{}]", values.join(",")));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

impl Quote {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_texts(&args, self.name(), |text| Some(json::quote(text.unwrap_or(""))))
    }
}

/// The optional size limit at `position`: a constant above 0, or no limit.
fn size_limit(args: &ScalarFunctionArgs, position: usize, name: &str) -> Result<usize> {
    match args.args.get(position) {
        None => Ok(usize::MAX),
        Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(n)))) if *n > 0 => {
            Ok(usize::try_from(*n).unwrap_or(usize::MAX))
        }
        Some(_) => exec_err!("{name} takes a constant size limit above 0"),
    }
}

/// The lists `array_agg` gathered, one per group.
fn aggregated_list<'a>(
    input: &'a ArrayRef,
    name: &str,
) -> Result<&'a datafusion::arrow::array::ListArray> {
    match input.data_type() {
        DataType::List(_) => Ok(input.as_list::<i32>()),
        other => exec_err!("{name} takes a list, not {other}"),
    }
}

impl JsonArray {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let set = constant_string(&args, 1, self.name())? == "set";
        let limit = size_limit(&args, 2, self.name())?;
        let input = args.args[0].to_array(args.number_rows)?;
        let lists = aggregated_list(&input, self.name())?;
        let mut out = StringBuilder::with_capacity(lists.len(), 0);
        for row in 0..lists.len() {
            let mut seen: Vec<String> = Vec::new();
            if lists.is_valid(row) {
                let values = lists.value(row);
                for i in 0..values.len() {
                    if values.is_null(i) || seen.len() >= limit {
                        continue;
                    }
                    let mut text = String::new();
                    arrow_json::write_value(values.as_ref(), i, &mut text)?;
                    if !(set && seen.contains(&text)) {
                        seen.push(text);
                    }
                }
            }
            out.append_value(format!("[{}]", seen.join(",")));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The properties of the bags among `texts`, in the order their keys first come, a key's
/// first value kept, at most `limit` keys; texts that are not bags add nothing.
fn merge_bags<'a>(texts: impl Iterator<Item = &'a str>, limit: usize) -> String {
    // (decoded key, quoted key, value)
    let mut properties: Vec<(Cow<'a, str>, &'a str, &'a str)> = Vec::new();
    for text in texts {
        if json::kind(text) != json::Kind::Object {
            continue;
        }
        for (quoted, value) in json::bag_properties(text) {
            let key = json::decode_string(quoted);
            if properties.len() < limit && !properties.iter().any(|(k, _, _)| *k == key) {
                properties.push((key, quoted, value));
            }
        }
    }
    let members: Vec<String> =
        properties.iter().map(|(_, quoted, value)| format!("{quoted}:{value}")).collect();
    format!("{{{}}}", members.join(","))
}

impl BagMerge {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = text_arguments(&args)?;
        let columns =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(args.number_rows, 0);
        for row in 0..args.number_rows {
            out.append_value(merge_bags(columns.iter().filter_map(|c| c.get(row)), usize::MAX));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

impl MakeBag {
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let limit = size_limit(&args, 1, self.name())?;
        let input = args.args[0].to_array(args.number_rows)?;
        let lists = aggregated_list(&input, self.name())?;
        let mut out = StringBuilder::with_capacity(lists.len(), 0);
        for row in 0..lists.len() {
            if lists.is_valid(row) {
                let values = lists.value(row);
                let texts = Strings::of(&values, self.name())?;
                out.append_value(merge_bags((0..values.len()).filter_map(|i| texts.get(i)), limit));
            } else {
                out.append_value("{}");
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
