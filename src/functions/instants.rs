//! Text and numbers turned into Kusto datetimes. Kusto's instants are ticks of 100 ns from
//! year 1 to 9999; lakehunt's are nanoseconds in 64 bits, years 1678 to 2261. An instant
//! outside that span stops the query with an error naming it, rather than wrap or turn null
//! where Kusto has a value.
//!
//! | SQL | Kusto |
//! |---|---|
//! | `kql_todatetime(text)` | `todatetime(text)`: ISO 8601, RFC 822 and RFC 850 forms; other text is null |
//! | `kql_unixtime(x, n)` | `unixtime_*_todatetime(x)` of `x` units of `n` nanoseconds, to the tick |

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, TimestampNanosecondArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::Strings;

const TICK_NANOS: i64 = 100;

fn utc_nanos() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
}

/// `kql_todatetime(text)`.
#[derive(Debug)]
pub(super) struct ToDateTime {
    signature: Signature,
}
identity_by_name!(ToDateTime);

impl ToDateTime {
    pub fn new() -> Self {
        ToDateTime { signature: Signature::any(1, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for ToDateTime {
    fn name(&self) -> &str {
        "kql_todatetime"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(utc_nanos())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let texts = Strings::of(&input, self.name())?;
        let mut values = Vec::with_capacity(input.len());
        for row in 0..input.len() {
            let instant = texts.get(row).and_then(parse_datetime);
            values.push(match instant {
                None => None,
                Some(instant) => Some(nanos_of(instant, texts.get(row).unwrap_or_default())?),
            });
        }
        let array = TimestampNanosecondArray::from(values).with_timezone("UTC");
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}

/// An instant in nanoseconds since 1970, cut to the tick; an error outside 64 bits.
fn nanos_of(instant: NaiveDateTime, text: &str) -> Result<i64> {
    match instant.and_utc().timestamp_nanos_opt() {
        Some(nanos) => Ok(nanos - nanos.rem_euclid(TICK_NANOS)),
        None => exec_err!(
            "todatetime: `{text}` is a datetime outside the years 1678 to 2261 that lakehunt can \
             hold (Kusto holds years 1 to 9999)"
        ),
    }
}

/// Text in a form Kusto's `todatetime` reads, as a UTC instant.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    iso_8601(text).or_else(|| rfc_822_or_850(text))
}

/// `2014-05-25`, `2014-05-25T08:20`, `2014-05-25 08:20:03.1234567Z`, `...+02:00`.
fn iso_8601(text: &str) -> Option<NaiveDateTime> {
    let date = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = &text[10..];
    if rest.is_empty() {
        return date.and_hms_opt(0, 0, 0);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let (clock, zone) = split_zone(rest)?;
    let time = clock_time(clock)?;
    Some(date.and_time(time) - zone)
}

/// The clock and the zone's offset of `08:20:03.5Z`, `08:20+02:00`, `08:20:03`.
fn split_zone(text: &str) -> Option<(&str, chrono::Duration)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, chrono::Duration::zero()));
    }
    match text.rfind(['+', '-']) {
        Some(at) if at >= 5 => {
            let offset = zone_offset(&text[at..])?;
            Some((&text[..at], offset))
        }
        _ => Some((text, chrono::Duration::zero())),
    }
}

/// `+02:00`, `-0500`, `+02` as the time ahead of UTC.
fn zone_offset(text: &str) -> Option<chrono::Duration> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some(chrono::Duration::minutes(sign * (hours * 60 + minutes)))
}

/// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fffffff` (further digits are cut at the tick).
fn clock_time(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |part: &str| -> Option<u32> {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse().ok())?
    };
    let (hour, minute, second) = match parts.as_slice() {
        [h, m] if fraction.is_none() => (number(h)?, number(m)?, 0),
        [h, m, s] => (number(h)?, number(m)?, number(s)?),
        _ => return None,
    };
    let nanos = match fraction {
        None => 0,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let mut padded: String = digits.chars().take(9).collect();
            while padded.len() < 9 {
                padded.push('0');
            }
            padded.parse::<u32>().ok()? / 100 * 100
        }
        Some(_) => return None,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// `Sat, 8 Nov 14 15:05:02 GMT` (RFC 822), `Saturday, 08-Nov-14 15:05:02 GMT` (RFC 850),
/// with or without the weekday, the seconds and the zone.
fn rfc_822_or_850(text: &str) -> Option<NaiveDateTime> {
    let text = match text.split_once(", ") {
        Some((weekday, rest)) if weekday.chars().all(|c| c.is_ascii_alphabetic()) => rest,
        _ => text,
    };
    let mut words = text.split_whitespace();
    let date = words.next()?;
    let (day, month, year) = match date.split('-').collect::<Vec<_>>().as_slice() {
        [d, m, y] => (*d, *m, *y),
        _ => (date, words.next()?, words.next()?),
    };
    let clock = words.next()?;
    let zone = words.next();
    if words.next().is_some() {
        return None;
    }
    let year: i32 = match year.len() {
        2 => 2000 + year.parse::<i32>().ok()?,
        4 => year.parse().ok()?,
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let date = NaiveDate::from_ymd_opt(year, month, day.parse().ok()?)?;
    let time = clock_time(clock)?;
    let offset = match zone {
        None => chrono::Duration::zero(),
        Some(zone) => named_zone(zone).or_else(|| zone_offset(zone))?,
    };
    Some(date.and_time(time) - offset)
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The zones RFC 822 names.
fn named_zone(zone: &str) -> Option<chrono::Duration> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    };
    Some(chrono::Duration::hours(hours))
}

/// `kql_unixtime(x, nanos_per_unit)`.
#[derive(Debug)]
pub(super) struct UnixTime {
    signature: Signature,
}
identity_by_name!(UnixTime);

impl UnixTime {
    pub fn new() -> Self {
        UnixTime { signature: Signature::any(2, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for UnixTime {
    fn name(&self) -> &str {
        "kql_unixtime"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(utc_nanos())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let unit = match &args.args[1] {
            ColumnarValue::Scalar(ScalarValue::Int64(Some(n))) if *n > 0 => *n,
            _ => return exec_err!("kql_unixtime takes a constant unit in nanoseconds"),
        };
        let input = args.args[0].to_array(args.number_rows)?;
        let mut values = Vec::with_capacity(input.len());
        match input.data_type() {
            // Whole units are exact; the nanoseconds below a tick are cut.
            DataType::Int64 => {
                for value in input.as_primitive::<Int64Type>().iter() {
                    values.push(match value {
                        None => None,
                        Some(v) => {
                            let nanos = i128::from(v) * i128::from(unit);
                            Some(in_range(nanos - nanos % 100, &v)?)
                        }
                    });
                }
            }
            // A real is rounded to the tick.
            DataType::Float64 => {
                for value in input.as_primitive::<Float64Type>().iter() {
                    values.push(match value {
                        None => None,
                        Some(v) => {
                            let ticks = (v * unit as f64 / TICK_NANOS as f64).round();
                            // Saturating: a tick count past 64 bits is out of range too.
                            let nanos =
                                if ticks.is_finite() { ticks as i128 * 100 } else { i128::MAX };
                            Some(in_range(nanos, &v)?)
                        }
                    });
                }
            }
            other => return exec_err!("kql_unixtime takes a long or a real, not {other}"),
        }
        let array: ArrayRef = Arc::new(TimestampNanosecondArray::from(values).with_timezone("UTC"));
        Ok(ColumnarValue::Array(array))
    }
}

/// `nanos` as a 64-bit count, or the error naming the `value` it came from.
fn in_range(nanos: i128, value: &dyn std::fmt::Display) -> Result<i64> {
    match i64::try_from(nanos) {
        Ok(nanos) => Ok(nanos),
        Err(_) => exec_err!(
            "unixtime_*_todatetime: {value} is a datetime outside the years 1678 to 2261 that \
             lakehunt can hold (Kusto holds years 1 to 9999)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn instant_text(nanos: i64) -> String {
        DateTime::from_timestamp_nanos(nanos).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
    }

    fn parsed(text: &str) -> Option<String> {
        parse_datetime(text).map(|t| instant_text(nanos_of(t, text).expect("in range")))
    }

    #[test]
    fn iso_8601_forms_with_and_without_seconds_and_zones() {
        assert_eq!(parsed("2014-05-25").as_deref(), Some("2014-05-25T00:00:00.000000000Z"));
        assert_eq!(parsed("2014-05-25T08:20").as_deref(), Some("2014-05-25T08:20:00.000000000Z"));
        assert_eq!(parsed(" 2014-11-08 15:55 ").as_deref(), Some("2014-11-08T15:55:00.000000000Z"));
        let zoned = parsed("2014-05-25T08:20:03.123456789+02:00");
        assert_eq!(zoned.as_deref(), Some("2014-05-25T06:20:03.123456700Z"));
    }

    #[test]
    fn rfc_822_and_850_forms() {
        let expected = Some("2014-11-08T15:05:02.000000000Z");
        assert_eq!(parsed("Sat, 8 Nov 14 15:05:02 GMT").as_deref(), expected);
        assert_eq!(parsed("8 Nov 14 15:05:02 GMT").as_deref(), expected);
        assert_eq!(parsed("Saturday, 08-Nov-14 15:05:02 GMT").as_deref(), expected);
        assert_eq!(parsed("Sat, 8 Nov 14 10:05:02 EST").as_deref(), expected);
    }

    #[test]
    fn other_text_is_not_a_datetime() {
        for text in ["not a date", "2014-13-01", "2014-05-25T25:00", "20140525", ""] {
            assert_eq!(parsed(text), None, "{text}");
        }
    }

    #[test]
    fn an_instant_lakehunt_cannot_hold_is_an_error_not_null() {
        let far = parse_datetime("3000-01-01").expect("a datetime");
        assert!(nanos_of(far, "3000-01-01").is_err());
        assert!(in_range(9_999_999_999 * 1_000_000_000, &9_999_999_999i64).is_err());
        assert_eq!(in_range(1_500_000_000, &1.5).ok(), Some(1_500_000_000));
    }
}
