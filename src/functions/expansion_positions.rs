//! `kql_mv_expand_positions(d1, ..., dn, limit)`: the positions `0, 1, ...` of the values
//! `mv-expand` makes of one row's dynamic values, for `with_itemindex`. When several columns
//! expand together the row makes as many values as its longest expansion, so the positions
//! run that far.

use std::sync::Arc;

use datafusion::arrow::array::{Int64Builder, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{Strings, expansion_limit, json};

/// `kql_mv_expand_positions(d1, ..., dn, limit)`.
#[derive(Debug)]
pub(super) struct MvExpandPositions {
    signature: Signature,
}
identity_by_name!(MvExpandPositions);

impl MvExpandPositions {
    pub(super) fn new() -> Self {
        MvExpandPositions { signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for MvExpandPositions {
    fn name(&self) -> &str {
        "kql_mv_expand_positions"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new("item", DataType::Int64, true))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some((limit, values)) = args.args.split_last() else {
            return plan_err!("{} takes dynamic values and a limit", self.name());
        };
        let limit = expansion_limit(limit, self.name())?;
        let arrays =
            values.iter().map(|v| v.to_array(args.number_rows)).collect::<Result<Vec<_>>>()?;
        let texts =
            arrays.iter().map(|a| Strings::of(a, self.name())).collect::<Result<Vec<_>>>()?;
        let mut out = ListBuilder::new(Int64Builder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::Int64,
            true,
        )));
        for row in 0..args.number_rows {
            let longest = texts.iter().map(|t| expanded_count(t.get(row))).max().unwrap_or(0);
            for position in 0..longest.min(limit) {
                out.values().append_value(position as i64);
            }
            out.append(true);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// How many values `mv-expand` makes of one dynamic value, before any limit: an array's
/// elements, a bag's properties, or the value itself (a scalar or null).
fn expanded_count(text: Option<&str>) -> usize {
    match text {
        None => 1,
        Some(text) => match json::kind(text) {
            json::Kind::Array => json::array_elements(text).len(),
            json::Kind::Object => json::bag_properties(text).len(),
            _ => 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_mv_expand_makes_of_each_kind_of_value() {
        assert_eq!(expanded_count(Some("[1, [2, 3], {\"a\": 4}]")), 3);
        assert_eq!(expanded_count(Some("[]")), 0);
        assert_eq!(expanded_count(Some("{\"a\": 1, \"b\": 2, \"a\": 3}")), 2);
        assert_eq!(expanded_count(Some("\"text\"")), 1);
        assert_eq!(expanded_count(None), 1);
    }
}
