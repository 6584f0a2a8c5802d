//! The hunt's time window: the range of `Timestamp` that every table the rule reads is cut
//! to, as Advanced Hunting's time range is. It is half-open, `[from, to)`, and either end may
//! be open.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};

/// A half-open range of instants, `[from, to)`; `None` leaves that end open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeWindow {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeWindow {
    /// The window that keeps every row.
    pub fn unbounded() -> Self {
        TimeWindow::default()
    }

    /// Builds the window from the command line's `--from`, `--to` and `--lookback`.
    ///
    /// A bare date in `--to` includes that whole day. `--lookback` counts back from `--to`,
    /// or from `now` when `--to` is absent; it cannot be combined with `--from`.
    pub fn from_args(
        from: Option<&str>,
        to: Option<&str>,
        lookback: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let to_instant = to.map(|t| parse_instant(t, Bound::End)).transpose()?;
        let from_instant = match (from, lookback) {
            (Some(_), Some(_)) => {
                return Err(Error::TimeWindow(
                    "--from and --lookback both set the window's start; give one of them".into(),
                ));
            }
            (Some(f), None) => Some(parse_instant(f, Bound::Start)?),
            (None, Some(l)) => {
                let span = parse_duration(l)?;
                let end = to_instant.unwrap_or(now);
                Some(end.checked_sub_signed(span).ok_or_else(|| {
                    Error::TimeWindow(format!("--lookback {l} reaches before the year 0"))
                })?)
            }
            (None, None) => None,
        };
        let to_instant = match (to_instant, lookback) {
            (None, Some(_)) => Some(now),
            (t, _) => t,
        };
        if let (Some(f), Some(t)) = (from_instant, to_instant)
            && f >= t
        {
            return Err(Error::TimeWindow(format!(
                "the window starts at {} but ends at {}: nothing lies between",
                f.to_rfc3339(),
                t.to_rfc3339()
            )));
        }
        Ok(TimeWindow { from: from_instant, to: to_instant })
    }

    /// True when the window keeps every row.
    pub fn is_unbounded(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// True when some instant of `[start, end)` lies in the window.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| end > f) && self.to.is_none_or(|t| start < t)
    }
}

/// Which end of the window a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Start,
    End,
}

/// Parses RFC 3339 (`2026-01-01T08:00:00Z`), a naive date-time taken as UTC
/// (`2026-01-01 08:00:00`), or a date (`2026-01-01`), which as an end means the day after.
fn parse_instant(text: &str, bound: Bound) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = match bound {
            Bound::Start => Some(day),
            Bound::End => day.succ_opt(),
        };
        if let Some(midnight) = day.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            return Ok(Utc.from_utc_datetime(&midnight));
        }
    }
    Err(Error::TimeWindow(format!(
        "`{text}` is not a date (2026-01-31) or an RFC 3339 instant (2026-01-31T08:00:00Z)"
    )))
}

/// Parses a Kusto-style timespan: a sum of parts such as `90d`, `12h`, `1d12h`, `30m`,
/// `45s`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let invalid = || {
        Error::TimeWindow(format!(
            "`{text}` is not a duration: use a number and a unit, such as 90d, 12h, 30m or 45s"
        ))
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::zero();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let amount: i64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "d" => Duration::try_days(amount),
            "h" => Duration::try_hours(amount),
            "m" => Duration::try_minutes(amount),
            "s" => Duration::try_seconds(amount),
            "ms" => Duration::try_milliseconds(amount),
            _ => None,
        }
        .ok_or_else(invalid)?;
        total = total.checked_add(&part).ok_or_else(invalid)?;
        rest = &rest[unit_len..];
    }
    if total <= Duration::zero() {
        return Err(invalid());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn a_bare_end_date_includes_that_whole_day() {
        let w = TimeWindow::from_args(Some("2026-01-01"), Some("2026-03-31"), None, Utc::now());
        let w = w.unwrap_or_default();
        assert_eq!(w.from, Some(at("2026-01-01T00:00:00Z")));
        assert_eq!(w.to, Some(at("2026-04-01T00:00:00Z")));
    }

    #[test]
    fn lookback_counts_back_from_now() {
        let now = at("2026-05-23T12:00:00Z");
        let w = TimeWindow::from_args(None, None, Some("90d"), now).unwrap_or_default();
        assert_eq!(w.from, Some(at("2026-02-22T12:00:00Z")));
        assert_eq!(w.to, Some(now));
    }

    #[test]
    fn lookback_counts_back_from_to_when_given() {
        let now = at("2026-05-23T12:00:00Z");
        let w = TimeWindow::from_args(None, Some("2026-01-10T00:00:00Z"), Some("1d12h"), now);
        assert_eq!(w.unwrap_or_default().from, Some(at("2026-01-08T12:00:00Z")));
    }

    #[test]
    fn from_and_lookback_together_are_refused() {
        let w = TimeWindow::from_args(Some("2026-01-01"), None, Some("1d"), Utc::now());
        assert!(matches!(w, Err(Error::TimeWindow(m)) if m.contains("--lookback")));
    }

    #[test]
    fn an_empty_window_is_refused() {
        let w = TimeWindow::from_args(Some("2026-02-01"), Some("2026-01-01"), None, Utc::now());
        assert!(w.is_err());
    }

    #[test]
    fn nonsense_instants_and_durations_are_refused() {
        assert!(TimeWindow::from_args(Some("yesterday"), None, None, Utc::now()).is_err());
        for bad in ["", "d", "10", "10x", "-5d", "0d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_is_half_open() {
        let w = TimeWindow { from: Some(at("2026-01-02T00:00:00Z")), to: None };
        assert!(!w.overlaps(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z")));
        assert!(w.overlaps(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:01Z")));
    }
}
