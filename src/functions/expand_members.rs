//! `kql_mv_expand_members(d, limit, 'key')`: `kql_mv_expand(d, limit)` with `tostring(v.key)`
//! taken of each value `v` it makes, in one walk over each array's text.
//!
//! Rules read one member of each value they expand (`mvexpand NetworkInfo | project
//! tostring(NetworkInfo.IPAddress)`); expanding first cuts every array into elements and then
//! walks each element again for its member. The engine's plan rewrite puts this function in
//! place of that pair when the expanded values are used for nothing else; it is not meant to
//! be written by hand.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::ListArray;
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Column, Result, ScalarValue, exec_datafusion_err};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility, lit,
};

use super::slices::SliceBuilder;
use super::{
    Member, MvExpand, Strings, ToDynamic, ToKustoString, constant_string, expansion_limit, json,
    native_to_json,
};

/// `kql_mv_expand_members(d, limit, 'key')`, or, reading text as `todynamic` does,
/// `kql_mv_expand_text_members(text, limit, 'key')`.
#[derive(Debug)]
pub(super) struct MvExpandMembers {
    signature: Signature,
    /// Set when the argument is text for `todynamic`: its count of text that is not JSON.
    text: Option<Arc<AtomicU64>>,
}

impl PartialEq for MvExpandMembers {
    fn eq(&self, other: &Self) -> bool {
        self.text.is_some() == other.text.is_some()
    }
}

impl Eq for MvExpandMembers {}

impl Hash for MvExpandMembers {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl MvExpandMembers {
    pub(super) fn new() -> Self {
        MvExpandMembers { signature: Signature::any(3, Volatility::Immutable), text: None }
    }

    /// The variant whose argument is `todynamic`'s text, checked in the same walk that reads
    /// its members; text that is not JSON is counted in `invalid_json`.
    pub(super) fn reading_text(invalid_json: Arc<AtomicU64>) -> Self {
        MvExpandMembers { text: Some(invalid_json), ..MvExpandMembers::new() }
    }
}

impl ScalarUDFImpl for MvExpandMembers {
    fn name(&self) -> &str {
        if self.text.is_some() { "kql_mv_expand_text_members" } else { "kql_mv_expand_members" }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        // The type kql_mv_expand has, so that the unnest above keeps its schema.
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Utf8View, true))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let limit = expansion_limit(&args.args[1], self.name())?;
        let key = constant_string(&args, 2, self.name())?;
        let mut input = args.args[0].to_array(args.number_rows)?;
        let is_text =
            matches!(input.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
        let checking = self.text.as_ref().filter(|_| is_text);
        let parsed = self.text.is_some();
        if self.text.is_some() && !is_text {
            // Native lists and structs: their JSON is valid by construction.
            input = Arc::new(native_to_json(&input)?);
        }
        let texts = Strings::of(&input, self.name())?;
        let mut values = SliceBuilder::new(&texts, input.len());
        let mut offsets = Vec::with_capacity(input.len() + 1);
        let mut count = 0i32;
        offsets.push(count);
        let mut members = Vec::new();
        let mut invalid = 0;
        for row in 0..input.len() {
            let text = texts.get(row);
            // What `todynamic` makes of the text: "" is null, text that is not JSON a string.
            let text = match (checking, text) {
                (Some(_), Some("")) => None,
                (Some(_), Some(text)) if json::kind(text) == json::Kind::Array => {
                    members.clear();
                    if json::checked_element_members(text, &key, limit, &mut members) {
                        for value in &members {
                            append_member(&mut values, row, text, *value, parsed)?;
                        }
                        count += i32::try_from(members.len()).map_err(|_| {
                            exec_datafusion_err!("{}: too many values", self.name())
                        })?;
                        offsets.push(count);
                        continue;
                    }
                    invalid += 1;
                    // A string, which expands to itself and has no members.
                    Some("\"\"")
                }
                (Some(_), Some(text)) if !json::is_valid(text) => {
                    invalid += 1;
                    Some("\"\"")
                }
                (_, text) => text,
            };
            let made = match text {
                // A null expands to itself, which has no members.
                None => {
                    append_member(&mut values, row, "", None, parsed)?;
                    1
                }
                Some(text) => match json::kind(text) {
                    json::Kind::Array => {
                        let mut members = Vec::new();
                        json::element_members(text, &key, limit, |value| members.push(value));
                        for value in &members {
                            append_member(&mut values, row, text, *value, parsed)?;
                        }
                        members.len()
                    }
                    // Each property becomes a bag of its own, whose member `key` is the
                    // property's value when the property is `key`.
                    json::Kind::Object => {
                        let properties = json::bag_properties(text);
                        let taken = properties.len().min(limit);
                        for (name, value) in &properties[..taken] {
                            let named = json::decode_string(name) == key.as_str();
                            let value =
                                (named && json::kind(value) != json::Kind::Null).then_some(*value);
                            append_member(&mut values, row, text, value, parsed)?;
                        }
                        taken
                    }
                    // A scalar expands to itself, which has no members.
                    _ => {
                        append_member(&mut values, row, text, None, parsed)?;
                        1
                    }
                },
            };
            count += i32::try_from(made)
                .map_err(|_| exec_datafusion_err!("{}: too many values", self.name()))?;
            offsets.push(count);
        }
        if let Some(counter) = checking {
            counter.fetch_add(invalid, Ordering::Relaxed);
        }
        let item = Arc::new(Field::new("item", DataType::Utf8View, true));
        let values = Arc::new(values.finish());
        let list = ListArray::try_new(item, OffsetBuffer::new(offsets.into()), values, None)?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}

/// Appends `tostring` of `value`, a member of input row `row` whose text is `text`: "" when
/// there is no member. A member of text `todynamic` would have parsed (`parsed`) is first
/// written as Kusto writes what it parses (`json::with_kusto_values`).
fn append_member(
    values: &mut SliceBuilder<'_>,
    row: usize,
    text: &str,
    value: Option<&str>,
    parsed: bool,
) -> Result<()> {
    let rewritten = value.filter(|v| parsed && json::may_be_rewritten(v));
    if let Some(written) = rewritten.and_then(json::with_kusto_values) {
        values.append_value(&json::to_kusto_string(&written));
        return Ok(());
    }
    match value.map(json::to_kusto_string) {
        None => values.append_value(""),
        Some(Cow::Borrowed(part)) => values.append_part(row, text, part)?,
        Some(Cow::Owned(owned)) => values.append_value(&owned),
    }
    Ok(())
}

/// The column and key of `kql_tostring(kql_member(column, 'key'))`.
pub fn member_string(expr: &Expr) -> Option<(&Column, &str)> {
    let [member] = kusto_call::<ToKustoString>(expr)? else {
        return None;
    };
    match kusto_call::<Member>(member)? {
        [Expr::Column(column), Expr::Literal(key, _)] => Some((column, literal_text(key)?)),
        _ => None,
    }
}

/// The value and limit of `kql_mv_expand(value, limit)`.
pub fn mv_expand(expr: &Expr) -> Option<(&Expr, &Expr)> {
    match kusto_call::<MvExpand>(expr)? {
        [value, limit] => Some((value, limit)),
        _ => None,
    }
}

/// `kql_mv_expand_members(value, limit, 'key')`; of `value` `kql_todynamic(text)`,
/// `kql_mv_expand_text_members(text, limit, 'key')`, which parses as it reads.
pub fn mv_expand_members(value: Expr, limit: Expr, key: &str) -> Expr {
    let parsed = match &value {
        Expr::ScalarFunction(call) => call
            .func
            .inner()
            .downcast_ref::<ToDynamic>()
            .zip(call.args.first())
            .filter(|_| call.args.len() == 1),
        _ => None,
    };
    let (udf, value) = match parsed {
        Some((todynamic, text)) => {
            let counter = Arc::clone(&todynamic.invalid_json);
            (MvExpandMembers::reading_text(counter), text.clone())
        }
        None => (MvExpandMembers::new(), value),
    };
    let udf = Arc::new(ScalarUDF::new_from_impl(udf));
    Expr::ScalarFunction(ScalarFunction::new_udf(udf, vec![value, limit, lit(key)]))
}

/// The arguments of `expr` when it calls lakehunt's function `F` (not another function that
/// happens to share its name).
fn kusto_call<F: ScalarUDFImpl>(expr: &Expr) -> Option<&[Expr]> {
    match expr {
        Expr::ScalarFunction(call) if call.func.inner().is::<F>() => Some(&call.args),
        _ => None,
    }
}

fn literal_text(value: &ScalarValue) -> Option<&str> {
    match value {
        ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => Some(s),
        ScalarValue::LargeUtf8(Some(s)) => Some(s),
        _ => None,
    }
}
