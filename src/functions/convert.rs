//! Kusto's conversions of text and reals to numbers, and of reals to text, which SQL's casts
//! get wrong at the edges: Kusto trims the text, reads `0x` hexadecimal as an unsigned value
//! of the target's width, gives null for text that is not a whole number of the target's range,
//! saturates a real that does not fit, and writes reals as .NET does (`1E+19`, `NaN`).
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_toint(x)` | `toint(x)` of text or a real |
//! | `kql_tolong(x)` | `tolong(x)` of text or a real |
//! | `kql_toreal(x)` | `todouble(x)` / `toreal(x)` of text |
//! | `kql_real_text(x)` | `tostring(x)` of a real |

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::Strings;

/// An integer width Kusto converts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Int,
    Long,
}

/// Text as Kusto's `tolong` reads it: trimmed, an optional sign and decimal digits, or `0x`
/// and hexadecimal digits taken as an unsigned 64-bit value; anything else is null.
pub fn parse_long(text: &str) -> Option<i64> {
    parse_integer(text, Width::Long)
}

/// Text as Kusto's `toint` reads it: as [`parse_long`], within 32 bits.
pub fn parse_int(text: &str) -> Option<i32> {
    parse_integer(text, Width::Int).map(|v| v as i32)
}

fn parse_integer(text: &str, width: Width) -> Option<i64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        // The digits are an unsigned value of the target's width, read back as signed.
        return match width {
            Width::Long => u64::from_str_radix(hex, 16).ok().map(|v| v as i64),
            Width::Int => u32::from_str_radix(hex, 16).ok().map(|v| i64::from(v as i32)),
        };
    }
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = text.strip_prefix('+').unwrap_or(text).parse().ok()?;
    match width {
        Width::Long => Some(value),
        Width::Int => i32::try_from(value).ok().map(i64::from),
    }
}

/// Text as Kusto's `todouble` reads it: trimmed, a decimal number with an optional exponent,
/// `NaN` or an infinity; hexadecimal, thousands separators and other text are null.
pub fn parse_real(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    if unsigned.eq_ignore_ascii_case("nan") && unsigned.len() == text.len() {
        return Some(f64::NAN);
    }
    // .NET's own spelling in any case, and the short lower-case one.
    if unsigned.eq_ignore_ascii_case("infinity") || unsigned == "inf" {
        return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    let numeric = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
    if unsigned.is_empty() || !unsigned.bytes().all(numeric) {
        return None;
    }
    text.parse().ok()
}

/// A real as Kusto's `toint` / `tolong` turns it into an integer: truncated toward zero and
/// held at the target's bounds; NaN is null.
fn real_to_integer(value: f64, width: Width) -> Option<i64> {
    if value.is_nan() {
        return None;
    }
    // `as` truncates toward zero and saturates at the bounds.
    Some(match width {
        Width::Long => value as i64,
        Width::Int => i64::from(value as i32),
    })
}

/// A real as .NET writes it, and so Kusto's `tostring`: the shortest digits that read back
/// as the same value, in scientific form (`1E+19`, `1E-05`) below 1e-4 and from 1e15 up.
pub fn real_text(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..15).contains(&exponent) {
        return format!("{value}");
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
}

/// A real as Kusto writes it inside a dynamic value: as `tostring` writes it, with `.0` when
/// that has neither a point nor an exponent (`10.0`, `2.5`, `1E+20`, `1E-07`).
pub fn json_real(value: f64) -> String {
    let mut text = real_text(value);
    if !text.contains(['.', 'E', 'N', 'I']) {
        text.push_str(".0");
    }
    text
}

/// Declares a conversion UDF: a name, a return type, and how it reads one argument.
macro_rules! conversion_udf {
    ($t:ident, $name:literal, $returns:expr) => {
        #[derive(Debug)]
        pub(super) struct $t {
            signature: Signature,
        }
        identity_by_name!($t);
        impl $t {
            pub fn new() -> $t {
                $t { signature: Signature::any(1, Volatility::Immutable) }
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
                let input = args.args[0].to_array(args.number_rows)?;
                Ok(ColumnarValue::Array(self.convert(&input)?))
            }
        }
    };
}

conversion_udf!(ToInt, "kql_toint", DataType::Int32);
conversion_udf!(ToLong, "kql_tolong", DataType::Int64);
conversion_udf!(ToReal, "kql_toreal", DataType::Float64);
conversion_udf!(RealText, "kql_real_text", DataType::Utf8);

/// Each row of a text or real column as an integer of `width`.
fn to_integers(input: &ArrayRef, width: Width, name: &str) -> Result<Vec<Option<i64>>> {
    match input.data_type() {
        DataType::Float64 => {
            let reals = input.as_primitive::<Float64Type>();
            Ok(reals.iter().map(|v| v.and_then(|v| real_to_integer(v, width))).collect())
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let texts = Strings::of(input, name)?;
            Ok((0..input.len())
                .map(|row| texts.get(row).and_then(|t| parse_integer(t, width)))
                .collect())
        }
        other => exec_err!("{name} takes text or a real, not {other}"),
    }
}

impl ToInt {
    fn convert(&self, input: &ArrayRef) -> Result<ArrayRef> {
        let values = to_integers(input, Width::Int, self.name())?;
        Ok(Arc::new(values.into_iter().map(|v| v.map(|v| v as i32)).collect::<Int32Array>()))
    }
}

impl ToLong {
    fn convert(&self, input: &ArrayRef) -> Result<ArrayRef> {
        let values = to_integers(input, Width::Long, self.name())?;
        Ok(Arc::new(values.into_iter().collect::<Int64Array>()))
    }
}

impl ToReal {
    fn convert(&self, input: &ArrayRef) -> Result<ArrayRef> {
        let texts = Strings::of(input, self.name())?;
        let values: Float64Array =
            (0..input.len()).map(|row| texts.get(row).and_then(parse_real)).collect();
        Ok(Arc::new(values))
    }
}

impl RealText {
    fn convert(&self, input: &ArrayRef) -> Result<ArrayRef> {
        let DataType::Float64 = input.data_type() else {
            return exec_err!("kql_real_text takes a real, not {}", input.data_type());
        };
        let reals = input.as_primitive::<Float64Type>();
        let mut out = StringBuilder::with_capacity(reals.len(), reals.len() * 8);
        for value in reals.iter() {
            // Kusto's tostring of a null real is the empty string.
            out.append_value(value.map(real_text).unwrap_or_default());
        }
        Ok(Arc::new(out.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_trimmed_signed_decimal_or_unsigned_hexadecimal() {
        assert_eq!(parse_long(" 5 "), Some(5));
        assert_eq!(parse_long("+7"), Some(7));
        assert_eq!(parse_long("007"), Some(7));
        assert_eq!(parse_long("  -0  "), Some(0));
        assert_eq!(parse_long("0x1F"), Some(31));
        assert_eq!(parse_long("0XfF"), Some(255));
        assert_eq!(parse_long("0xFFFFFFFFFFFFFFFF"), Some(-1));
        assert_eq!(parse_long("0x7FFFFFFFFFFFFFFF"), Some(i64::MAX));
        assert_eq!(parse_int("0x7FFFFFFF"), Some(i32::MAX));
        assert_eq!(parse_int("0xFFFFFFFF"), Some(-1));
        assert_eq!(parse_int("0x100000000"), None);
    }

    #[test]
    fn text_that_is_not_a_whole_number_in_range_is_null() {
        for text in ["", "  ", "5.7", "1.0", "1e3", "7e0", "abc", "5abc", "-0x10", "0x", "+-5"] {
            assert_eq!(parse_long(text), None, "{text:?}");
        }
        assert_eq!(parse_int("2147483648"), None);
        assert_eq!(parse_long("2147483648"), Some(2_147_483_648));
        assert_eq!(parse_long("99999999999999999999"), None);
    }

    #[test]
    fn reals_read_exponents_nan_and_infinities_but_not_hexadecimal() {
        assert_eq!(parse_real("1e3"), Some(1000.0));
        assert_eq!(parse_real("0.5e-3"), Some(0.0005));
        assert_eq!(parse_real(" 5 "), Some(5.0));
        assert_eq!(parse_real("+5"), Some(5.0));
        assert!(parse_real("  NaN  ").is_some_and(f64::is_nan));
        assert!(parse_real("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_real("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_real("+Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_real("-inf"), Some(f64::NEG_INFINITY));
        for text in ["INF", "0x1F", "1,234", "1_000", "1 000", "", "abc"] {
            assert_eq!(parse_real(text), None, "{text:?}");
        }
    }

    #[test]
    fn reals_become_integers_truncated_and_saturated() {
        assert_eq!(real_to_integer(1.9999999999, Width::Int), Some(1));
        assert_eq!(real_to_integer(-2.5, Width::Long), Some(-2));
        assert_eq!(real_to_integer(1e19, Width::Long), Some(i64::MAX));
        assert_eq!(real_to_integer(-1e19, Width::Int), Some(i64::from(i32::MIN)));
        assert_eq!(real_to_integer(f64::NAN, Width::Long), None);
    }

    #[test]
    fn reals_are_written_as_dotnet_writes_them() {
        assert_eq!(real_text(1e19), "1E+19");
        assert_eq!(real_text(6.37134336e17), "6.37134336E+17");
        assert_eq!(real_text(9.223372036854776e18), "9.223372036854776E+18");
        assert_eq!(real_text(1e15), "1E+15");
        assert_eq!(real_text(1e14), "100000000000000");
        assert_eq!(real_text(0.0001), "0.0001");
        assert_eq!(real_text(0.00001), "1E-05");
        assert_eq!(real_text(5.7), "5.7");
        assert_eq!(real_text(-2.5), "-2.5");
        assert_eq!(real_text(3.0), "3");
        assert_eq!(real_text(f64::NAN), "NaN");
        assert_eq!(real_text(f64::NEG_INFINITY), "-Infinity");
    }
}
