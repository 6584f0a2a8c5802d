//! Native Parquet lists, structs and maps seen as Kusto `dynamic` values: one Arrow value
//! written as the JSON text that the rest of the Kusto functions read.

use std::fmt::Write;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::common::{Result, exec_err};

use super::json::quote;

/// Appends the JSON text of `array[row]` to `out`.
pub fn write_value(array: &dyn Array, row: usize, out: &mut String) -> Result<()> {
    if array.is_null(row) {
        out.push_str("null");
        return Ok(());
    }
    macro_rules! number {
        ($t:ty) => {{
            let _ = write!(out, "{}", array.as_primitive::<$t>().value(row));
        }};
    }
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean => {
            out.push_str(if array.as_boolean().value(row) { "true" } else { "false" })
        }
        DataType::Int8 => number!(Int8Type),
        DataType::Int16 => number!(Int16Type),
        DataType::Int32 => number!(Int32Type),
        DataType::Int64 => number!(Int64Type),
        DataType::UInt8 => number!(UInt8Type),
        DataType::UInt16 => number!(UInt16Type),
        DataType::UInt32 => number!(UInt32Type),
        DataType::UInt64 => number!(UInt64Type),
        DataType::Float32 => finite(array.as_primitive::<Float32Type>().value(row).into(), out),
        DataType::Float64 => finite(array.as_primitive::<Float64Type>().value(row), out),
        DataType::Utf8 => out.push_str(&quote(array.as_string::<i32>().value(row))),
        DataType::LargeUtf8 => out.push_str(&quote(array.as_string::<i64>().value(row))),
        DataType::Utf8View => out.push_str(&quote(array.as_string_view().value(row))),
        DataType::Timestamp(_, _) => {
            let nanos =
                cast(&array.slice(row, 1), &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let nanos =
                nanos.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
            let instant = chrono::DateTime::from_timestamp_nanos(nanos.value(0));
            let text = instant.format("%Y-%m-%dT%H:%M:%S%.7fZ").to_string();
            out.push_str(&quote(&text));
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            write_elements(list.value(row).as_ref(), out)?;
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            write_elements(list.value(row).as_ref(), out)?;
        }
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            write_elements(list.value(row).as_ref(), out)?;
        }
        DataType::Struct(fields) => {
            let structure = array.as_struct();
            out.push('{');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote(field.name()));
                out.push(':');
                write_value(structure.column(i).as_ref(), row, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let entries = map.value(row);
            let keys = cast(entries.column(0), &DataType::Utf8)?;
            let keys = keys.as_string::<i32>();
            out.push('{');
            for i in 0..entries.len() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote(keys.value(i)));
                out.push(':');
                write_value(entries.column(1).as_ref(), i, out)?;
            }
            out.push('}');
        }
        DataType::Dictionary(_, value_type) => {
            let plain = cast(&array.slice(row, 1), value_type)?;
            write_value(plain.as_ref(), 0, out)?;
        }
        other => return exec_err!("kql_todynamic cannot turn a {other} value into JSON"),
    }
    Ok(())
}

fn write_elements(values: &dyn Array, out: &mut String) -> Result<()> {
    out.push('[');
    for i in 0..values.len() {
        if i > 0 {
            out.push(',');
        }
        write_value(values, i, out)?;
    }
    out.push(']');
    Ok(())
}

/// JSON has no NaN or infinities; Kusto writes them as strings.
fn finite(value: f64, out: &mut String) {
    if value.is_finite() {
        let _ = write!(out, "{value}");
    } else {
        out.push_str(&quote(&value.to_string()));
    }
}
