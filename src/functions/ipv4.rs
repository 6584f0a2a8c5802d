//! Kusto's IPv4 comparisons and conversion: `ipv4_compare`, `ipv4_is_match` and `parse_ipv4`.
//! An address may carry a prefix length (`10.1.2.3/16`); the addresses are compared, or the
//! address given, on as many leading bits as the shortest prefix of the arguments keeps. Text
//! that is not an IPv4 address, or a prefix outside 0 to 32, gives null.
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_ipv4_compare(a, b, prefix)` | `ipv4_compare(a, b, prefix)`: -1, 0 or 1; `ipv4_is_match` is it being 0 |
//! | `kql_parse_ipv4(a, prefix)` | `parse_ipv4(a)` (prefix 32) and `parse_ipv4_mask(a, prefix)`: the address as a long |

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Builder, Int64Builder, PrimitiveArray,
};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::Strings;
use super::arrays::ipv4;

array_udf!(
    Ipv4Compare,
    "kql_ipv4_compare",
    Signature::any(3, Volatility::Immutable),
    DataType::Int32
);
array_udf!(ParseIpv4, "kql_parse_ipv4", Signature::any(2, Volatility::Immutable), DataType::Int64);

impl Ipv4Compare {
    /// `kql_ipv4_compare(a, b, prefix)`.
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let (a, b) = (Strings::of(&arrays[0], self.name())?, Strings::of(&arrays[1], self.name())?);
        let prefixes = longs(&arrays[2], self.name())?;
        let mut out = Int32Builder::with_capacity(rows);
        for row in 0..rows {
            let compared = (|| {
                let (a, a_bits) = address(a.get(row)?)?;
                let (b, b_bits) = address(b.get(row)?)?;
                let bits = a_bits.min(b_bits).min(prefix_at(prefixes, row)?);
                Some(i32::from(masked(a, bits).cmp(&masked(b, bits)) as i8))
            })();
            out.append_option(compared);
        }
        Ok(Arc::new(out.finish()))
    }
}

impl ParseIpv4 {
    /// `kql_parse_ipv4(a, prefix)`.
    fn apply(&self, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let texts = Strings::of(&arrays[0], self.name())?;
        let prefixes = longs(&arrays[1], self.name())?;
        let mut out = Int64Builder::with_capacity(rows);
        for row in 0..rows {
            let parsed = (|| {
                let (value, bits) = address(texts.get(row)?)?;
                let bits = bits.min(prefix_at(prefixes, row)?);
                Some(i64::from(masked(value, bits)))
            })();
            out.append_option(parsed);
        }
        Ok(Arc::new(out.finish()))
    }
}

fn longs<'a>(array: &'a ArrayRef, name: &str) -> Result<&'a PrimitiveArray<Int64Type>> {
    match array.data_type() {
        DataType::Int64 => Ok(array.as_primitive::<Int64Type>()),
        other => exec_err!("{name} takes a 64-bit prefix length, not {other}"),
    }
}

/// The prefix length at `row`, when it is 0 to 32.
fn prefix_at(prefixes: &PrimitiveArray<Int64Type>, row: usize) -> Option<u32> {
    if prefixes.is_null(row) {
        return None;
    }
    u32::try_from(prefixes.value(row)).ok().filter(|bits| *bits <= 32)
}

/// An address in dotted form with an optional `/bits`, as a number and its prefix length.
fn address(text: &str) -> Option<(u32, u32)> {
    match text.trim().split_once('/') {
        Some((address, bits)) => {
            Some((ipv4(address)?, bits.trim().parse::<u32>().ok().filter(|b| *b <= 32)?))
        }
        None => Some((ipv4(text)?, 32)),
    }
}

/// `value` with all but its first `bits` bits cleared.
fn masked(value: u32, bits: u32) -> u32 {
    if bits == 0 { 0 } else { value & (u32::MAX << (32 - bits)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_keeps_as_many_bits_as_its_prefix_says() {
        assert_eq!(address("192.168.1.7/24"), Some((0xC0A8_0107, 24)));
        assert_eq!(address(" 10.0.0.1 "), Some((0x0A00_0001, 32)));
        assert_eq!(address("10.0.0.1/33"), None);
        assert_eq!(address("10.0.0"), None);
        assert_eq!(masked(0xC0A8_0107, 24), 0xC0A8_0100);
        assert_eq!(masked(0xC0A8_0107, 0), 0);
    }
}
