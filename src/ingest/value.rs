//! Typing one source value by its column's Kusto type. Sources hand over values either as
//! JSON (Storage blobs, Event Hub captures) or as CSV text (portal exports); both become a
//! [`Cell`] of the catalogue's type or a reason the value does not fit, which sends its row
//! to the quarantine. Nothing is guessed: a value either converts exactly or is refused.
//!
//! Text columns keep `""` (Kusto strings are never null); for every other type an empty
//! string is a missing value, as the portal writes one. JSON columns stay JSON text, also
//! when a source nests them as JSON objects. Datetimes keep up to nine fractional digits
//! exactly (Defender writes seven); the portal's `Oct 9, 2024 2:40:09 PM` is read as UTC,
//! the portal's default time zone.

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

use crate::schema::KustoType;

/// A source value before typing.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    /// A JSON value (Storage and Event Hub exports).
    Json(&'a Value),
    /// A CSV field (portal exports).
    Text(&'a str),
}

/// A value typed as its column's Kusto type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    /// Nanoseconds since the Unix epoch, UTC.
    Time(i64),
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
}

/// Types `raw` as `kind`; the error says why it does not fit, quoting the value.
pub fn typed(raw: Raw<'_>, kind: KustoType) -> Result<Cell, String> {
    if matches!(raw, Raw::Json(Value::Null)) {
        return Ok(Cell::Null);
    }
    if matches!(kind, KustoType::String | KustoType::Dynamic) {
        return Ok(Cell::Text(text_of(raw)));
    }
    let value = match raw {
        Raw::Json(Value::String(text)) => return from_text(text, kind),
        Raw::Text(text) => return from_text(text, kind),
        Raw::Json(value) => value,
    };
    let cell = match (value, kind) {
        (Value::Bool(b), KustoType::Bool) => Some(Cell::Bool(*b)),
        (Value::Number(n), KustoType::Bool) => match n.as_u64() {
            Some(0) => Some(Cell::Bool(false)),
            Some(1) => Some(Cell::Bool(true)),
            _ => None,
        },
        (Value::Number(n), KustoType::Int) => {
            n.as_i64().and_then(|v| i32::try_from(v).ok()).map(Cell::Int)
        }
        (Value::Number(n), KustoType::Long) => n.as_i64().map(Cell::Long),
        (Value::Number(n), KustoType::Real) => n.as_f64().map(Cell::Real),
        _ => None,
    };
    cell.ok_or_else(|| misfit(&value.to_string(), kind))
}

/// The text a value stands for in a text column: a JSON string's content, any other JSON
/// value as compact JSON text, a CSV field as it is.
pub fn text_of(raw: Raw<'_>) -> String {
    match raw {
        Raw::Json(Value::String(s)) => s.clone(),
        Raw::Json(other) => other.to_string(),
        Raw::Text(s) => s.to_string(),
    }
}

fn from_text(text: &str, kind: KustoType) -> Result<Cell, String> {
    if text.is_empty() {
        return Ok(Cell::Null);
    }
    let parsed = match kind {
        KustoType::DateTime => datetime_nanos(text).map(Cell::Time),
        KustoType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(Cell::Bool(true)),
            "false" | "0" => Some(Cell::Bool(false)),
            _ => None,
        },
        KustoType::Int => text.parse::<i32>().ok().map(Cell::Int),
        KustoType::Long => text.parse::<i64>().ok().map(Cell::Long),
        KustoType::Real => text.parse::<f64>().ok().map(Cell::Real),
        KustoType::String | KustoType::Dynamic => Some(Cell::Text(text.to_string())),
    };
    parsed.ok_or_else(|| misfit(&format!("{text:?}"), kind))
}

fn misfit(shown: &str, kind: KustoType) -> String {
    let shown: String = shown.chars().take(80).collect();
    match kind {
        KustoType::DateTime => format!(
            "{shown} is not a datetime (ISO 8601 such as 2024-10-09T14:40:09.1234567Z, or the \
             portal's Oct 9, 2024 2:40:09 PM)"
        ),
        _ => format!("{shown} is not a Kusto {}", kind.name()),
    }
}

/// The portal's locale forms, with or without fractional seconds.
const PORTAL_FORMATS: [&str; 2] = ["%b %d, %Y %I:%M:%S%.f %p", "%B %d, %Y %I:%M:%S%.f %p"];

/// ISO 8601 forms without a zone, read as UTC as Kusto reads them.
const NAIVE_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];

/// Nanoseconds since the epoch of an ISO 8601 instant (with a zone or read as UTC) or of the
/// portal's `Oct 9, 2024 2:40:09 PM` (read as UTC); `None` when it is neither or lies outside
/// the nanosecond range (1677 to 2262).
pub fn datetime_nanos(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return instant.timestamp_nanos_opt();
    }
    NAIVE_FORMATS
        .iter()
        .chain(&PORTAL_FORMATS)
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|naive| naive.and_utc().timestamp_nanos_opt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OCT_9_2024_14_40_09: i64 = 1_728_484_809_000_000_000;

    #[test]
    fn seven_fractional_digits_are_kept_to_the_nanosecond() {
        assert_eq!(
            datetime_nanos("2024-10-09T14:40:09.1234567Z"),
            Some(OCT_9_2024_14_40_09 + 123_456_700)
        );
        assert_eq!(datetime_nanos("2024-10-09T16:40:09+02:00"), Some(OCT_9_2024_14_40_09));
        assert_eq!(datetime_nanos("2024-10-09T14:40:09"), Some(OCT_9_2024_14_40_09));
    }

    #[test]
    fn portal_locale_timestamps_are_read_as_utc() {
        assert_eq!(datetime_nanos("Oct 9, 2024 2:40:09 PM"), Some(OCT_9_2024_14_40_09));
        assert_eq!(datetime_nanos("Oct 09, 2024 02:40:09 PM"), Some(OCT_9_2024_14_40_09));
        assert_eq!(
            datetime_nanos("Oct 9, 2024 2:40:09.250 PM"),
            Some(OCT_9_2024_14_40_09 + 250_000_000)
        );
        assert_eq!(
            datetime_nanos("Oct 9, 2024 12:00:00 AM"),
            Some(OCT_9_2024_14_40_09 - 52_809 * 1_000_000_000)
        );
        assert_eq!(datetime_nanos("9/10/2024 14:40"), None);
    }

    #[test]
    fn empty_text_is_null_except_in_text_columns() {
        assert_eq!(typed(Raw::Text(""), KustoType::Int), Ok(Cell::Null));
        assert_eq!(typed(Raw::Text(""), KustoType::DateTime), Ok(Cell::Null));
        assert_eq!(typed(Raw::Text(""), KustoType::String), Ok(Cell::Text(String::new())));
        assert_eq!(typed(Raw::Json(&json!("")), KustoType::Long), Ok(Cell::Null));
    }

    #[test]
    fn nested_json_is_kept_as_json_text() {
        let nested = json!([{"IPAddress": "10.0.0.1", "SubnetPrefix": 24}]);
        assert_eq!(
            typed(Raw::Json(&nested), KustoType::Dynamic),
            Ok(Cell::Text(r#"[{"IPAddress":"10.0.0.1","SubnetPrefix":24}]"#.into()))
        );
    }

    #[test]
    fn values_that_do_not_fit_are_refused_with_the_value_quoted() {
        let reason = typed(Raw::Text("abc"), KustoType::Int).unwrap_err();
        assert!(reason.contains("\"abc\" is not a Kusto int"), "{reason}");
        assert!(typed(Raw::Json(&json!(3_000_000_000_i64)), KustoType::Int).is_err());
        assert!(typed(Raw::Json(&json!(1.5)), KustoType::Long).is_err());
        assert!(typed(Raw::Json(&json!({"a": 1})), KustoType::Bool).is_err());
        assert!(typed(Raw::Text("yesterday"), KustoType::DateTime).is_err());
    }

    #[test]
    fn numbers_and_booleans_arrive_as_json_or_as_text() {
        assert_eq!(typed(Raw::Json(&json!(3389)), KustoType::Int), Ok(Cell::Int(3389)));
        assert_eq!(typed(Raw::Text("3389"), KustoType::Int), Ok(Cell::Int(3389)));
        assert_eq!(typed(Raw::Text("True"), KustoType::Bool), Ok(Cell::Bool(true)));
        assert_eq!(typed(Raw::Json(&json!(false)), KustoType::Bool), Ok(Cell::Bool(false)));
        assert_eq!(typed(Raw::Json(&json!("42")), KustoType::Long), Ok(Cell::Long(42)));
    }
}
