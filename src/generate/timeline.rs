//! The lake's days and the instants inside them. Every file holds one UTC day and its rows in
//! time order, because the lake reader prunes `date=` partitions on that promise; instants
//! here are generated already sorted (stratified over the day and shaped by a daily
//! activity curve) so that no day ever needs to be held in memory and sorted.

use chrono::{Days, NaiveDate};

/// Nanoseconds in one day.
pub(crate) const DAY_NANOS: i64 = 86_400 * 1_000_000_000;

/// Defender writes seven fractional digits: instants are whole multiples of 100 ns.
const TICK_NANOS: i64 = 100;

/// One UTC day of the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day {
    /// Position of the day in the lake, from 0.
    pub index: u32,
    /// The calendar date, as written in the `date=YYYY-MM-DD` partition.
    pub date: NaiveDate,
    /// Midnight UTC of `date`, in nanoseconds since the Unix epoch.
    pub start_nanos: i64,
}

impl Day {
    /// The `index`-th day after `start`, or `None` when it falls outside the range of
    /// nanosecond timestamps (years 1677 to 2262).
    pub(crate) fn nth(start: NaiveDate, index: u32) -> Option<Day> {
        let date = start.checked_add_days(Days::new(u64::from(index)))?;
        let start_nanos = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt()?;
        start_nanos.checked_add(DAY_NANOS)?;
        Some(Day { index, date, start_nanos })
    }

    /// The partition directory name, `date=YYYY-MM-DD`.
    pub(crate) fn partition(&self) -> String {
        format!("date={}", self.date.format("%Y-%m-%d"))
    }
}

/// How activity spreads over a day: a weight per UTC hour, turned into an inverse
/// cumulative distribution so that increasing positions give increasing instants.
#[derive(Debug, Clone)]
pub(crate) struct DayClock {
    cumulative: [f64; 25],
}

/// Office hours of an organisation around UTC+1: quiet nights, a morning peak, a lunch dip.
pub(crate) const OFFICE_HOURS: [u32; 24] =
    [2, 2, 2, 2, 2, 3, 6, 10, 14, 15, 14, 12, 10, 13, 14, 13, 11, 8, 6, 4, 3, 3, 2, 2];

/// Machine activity (reports, service logons): nearly flat.
pub(crate) const ROUND_THE_CLOCK: [u32; 24] =
    [9, 9, 9, 9, 9, 9, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 10, 10, 9, 9, 9, 9];

impl DayClock {
    /// A clock from hourly weights (not all zero).
    pub(crate) fn new(hourly: &[u32; 24]) -> Self {
        let total: f64 = hourly.iter().map(|&w| f64::from(w)).sum();
        let mut cumulative = [0.0; 25];
        for (hour, &weight) in hourly.iter().enumerate() {
            cumulative[hour + 1] = cumulative[hour] + f64::from(weight) / total;
        }
        cumulative[24] = 1.0;
        DayClock { cumulative }
    }

    /// The instant of the `i`-th of `n` events of `day`, jittered by `jitter` in `[0, 1)`.
    /// For a fixed `n`, instants never decrease as `i` grows, and always lie inside the day.
    pub(crate) fn instant(&self, day: &Day, i: u64, n: u64, jitter: f64) -> i64 {
        let position = ((i as f64 + jitter) / n as f64).clamp(0.0, 1.0);
        let hour = self.cumulative[1..24].partition_point(|&c| c <= position);
        let (low, high) = (self.cumulative[hour], self.cumulative[hour + 1]);
        let within = if high > low { (position - low) / (high - low) } else { 0.0 };
        let offset = ((hour as f64 + within.clamp(0.0, 1.0)) * 3.6e12) as i64;
        let offset = (offset / TICK_NANOS * TICK_NANOS).clamp(0, DAY_NANOS - TICK_NANOS);
        day.start_nanos + offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_day() -> Day {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        Day { index: 0, date, start_nanos: 1_767_225_600_000_000_000 }
    }

    #[test]
    fn first_day_starts_at_utc_midnight() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        assert_eq!(Day::nth(date, 0), Some(first_day()));
    }

    #[test]
    fn instants_are_sorted_whole_ticks_inside_the_day() {
        let day = first_day();
        let clock = DayClock::new(&OFFICE_HOURS);
        let n = 10_000;
        let instants: Vec<i64> = (0..n)
            .map(|i| clock.instant(&day, i, n, ((i * 7919) % 1000) as f64 / 1000.0))
            .collect();
        assert!(instants.windows(2).all(|w| w[0] <= w[1]));
        assert!(instants.iter().all(|&t| t >= day.start_nanos && t < day.start_nanos + DAY_NANOS));
        assert!(instants.iter().all(|&t| t % TICK_NANOS == 0));
        assert_eq!(clock.instant(&day, n - 1, n, 0.999_999_999), day.start_nanos + DAY_NANOS - 100);
    }

    #[test]
    fn office_hours_put_more_events_at_ten_than_at_three() {
        let day = first_day();
        let clock = DayClock::new(&OFFICE_HOURS);
        let n = 24_000;
        let hour_of = |i| (clock.instant(&day, i, n, 0.5) - day.start_nanos) / 3_600_000_000_000;
        let at = |h| (0..n).filter(|&i| hour_of(i) == h).count();
        assert!(at(10) > 3 * at(3));
    }

    #[test]
    fn partition_names_the_utc_date() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
        assert_eq!(Day::nth(start, 1).map(|d| d.partition()), Some("date=2026-02-01".into()));
    }

    #[test]
    fn days_beyond_nanosecond_timestamps_are_refused() {
        let start = NaiveDate::from_ymd_opt(2262, 4, 1).unwrap_or_default();
        assert!(Day::nth(start, 30).is_none());
    }
}
