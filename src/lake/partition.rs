//! Hive-style date partitions in a table's folder (`date=2026-05-23/`, `y=2026/m=05/d=23/`,
//! `y=2026/m=05/d=23/h=07/m=00/` as Defender's Storage export writes them), and the span of
//! time each one holds, so that a time window can skip files without opening them.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// The span of `Timestamp` values a partition holds: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionSpan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Reads the time span from the `key=value` folders between a table's root and one of its
/// files. `None` means the folders say nothing usable about time, and the file is always read.
///
/// Recognised keys: `date` (`YYYY-MM-DD`), `y`/`year`, `m`/`month`, `d`/`day`, `h`/`hour`. An
/// `m` after the hour is the Storage export's minute folder, which always holds a whole hour.
pub fn span_of(folders: &[&str]) -> Option<PartitionSpan> {
    let mut date: Option<NaiveDate> = None;
    let (mut year, mut month, mut day, mut hour) = (None, None, None, None);
    for folder in folders {
        let Some((key, value)) = folder.split_once('=') else {
            continue;
        };
        match key.to_ascii_lowercase().as_str() {
            "date" | "dt" => date = Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?),
            "y" | "year" => year = Some(value.parse::<i32>().ok()?),
            "m" | "month" if hour.is_none() && month.is_none() => {
                month = Some(value.parse::<u32>().ok()?)
            }
            "d" | "day" => day = Some(value.parse::<u32>().ok()?),
            "h" | "hour" => hour = Some(value.parse::<u32>().ok()?),
            _ => {}
        }
    }

    if let Some(date) = date {
        let (start, length) = match hour {
            Some(h) if h < 24 => (date.and_hms_opt(h, 0, 0)?, Duration::hours(1)),
            Some(_) => return None,
            None => (date.and_hms_opt(0, 0, 0)?, Duration::days(1)),
        };
        let start = Utc.from_utc_datetime(&start);
        return Some(PartitionSpan { start, end: start + length });
    }

    let year = year?;
    let (first, last) = match (month, day, hour) {
        (None, _, _) => (ymd(year, 1, 1)?, ymd(year + 1, 1, 1)?),
        (Some(m), None, _) => (ymd(year, m, 1)?, next_month(year, m)?),
        (Some(m), Some(d), None) => {
            let first = ymd(year, m, d)?;
            (first, first + Duration::days(1))
        }
        (Some(m), Some(d), Some(h)) if h < 24 => {
            let first = ymd(year, m, d)? + Duration::hours(i64::from(h));
            (first, first + Duration::hours(1))
        }
        _ => return None,
    };
    Some(PartitionSpan { start: first, end: last })
}

fn ymd(year: i32, month: u32, day: u32) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

fn next_month(year: i32, month: u32) -> Option<DateTime<Utc>> {
    if month == 12 { ymd(year + 1, 1, 1) } else { ymd(year, month + 1, 1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(folders: &[&str]) -> Option<(String, String)> {
        span_of(folders).map(|s| (s.start.to_rfc3339(), s.end.to_rfc3339()))
    }

    #[test]
    fn a_date_folder_holds_one_utc_day() {
        assert_eq!(
            span(&["date=2026-05-23"]),
            Some(("2026-05-23T00:00:00+00:00".into(), "2026-05-24T00:00:00+00:00".into()))
        );
    }

    #[test]
    fn year_month_day_folders_hold_one_day() {
        assert_eq!(
            span(&["y=2026", "m=12", "d=31"]),
            Some(("2026-12-31T00:00:00+00:00".into(), "2027-01-01T00:00:00+00:00".into()))
        );
    }

    #[test]
    fn storage_export_folders_hold_one_hour_despite_the_minute_folder() {
        let folders = ["tenantId=abc", "y=2026", "m=05", "d=23", "h=07", "m=00"];
        assert_eq!(
            span(&folders),
            Some(("2026-05-23T07:00:00+00:00".into(), "2026-05-23T08:00:00+00:00".into()))
        );
    }

    #[test]
    fn a_year_and_month_hold_the_whole_month() {
        assert_eq!(
            span(&["year=2026", "month=02"]),
            Some(("2026-02-01T00:00:00+00:00".into(), "2026-03-01T00:00:00+00:00".into()))
        );
    }

    #[test]
    fn unusable_folders_never_prune() {
        assert_eq!(span(&["region=eu"]), None);
        assert_eq!(span(&["date=yesterday"]), None);
        assert_eq!(span(&["y=2026", "m=13", "d=01"]), None);
        assert_eq!(span(&["m=05", "d=01"]), None);
    }
}
