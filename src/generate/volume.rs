//! How many rows each table gets and how they spread over the days, and which rows are
//! reserved to make planted addresses appear. Rows are numbered across the whole lake, so a
//! day's rows and reservations follow from the options alone and days can be written in any
//! order, on any thread.

/// A day's slice of a table's rows: rows `first .. first + count` of the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Share {
    pub first: u64,
    pub count: u64,
}

/// Spreads `total` rows over `days` days as evenly as possible, earlier days taking the
/// remainder. `days` must be positive.
pub(crate) fn share(total: u64, days: u32, day: u32) -> Share {
    let (base, extra) = (total / u64::from(days), total % u64::from(days));
    let day = u64::from(day);
    Share { first: day * base + day.min(extra), count: base + u64::from(day < extra) }
}

/// Identity logons accompanying `logons` device logons: one for every twenty, and at least
/// two per address that must appear in them, so coverage rows stay a minority.
pub(crate) fn identity_rows(logons: u64, must_appear: usize) -> u64 {
    (logons / 20).max(2 * must_appear as u64).max(1)
}

/// Reserves rows `0, stride, 2 * stride, ...` of a table, one for each of `count` addresses,
/// so that each address is certain to appear at least once, spread evenly over the days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Coverage {
    stride: u64,
    count: u64,
}

impl Coverage {
    /// Coverage for `count` addresses in a table of `rows` rows (`count` at most `rows`).
    pub(crate) fn new(rows: u64, count: usize) -> Self {
        let count = (count as u64).min(rows);
        Coverage { stride: rows.checked_div(count).unwrap_or(1), count }
    }

    /// Which address, if any, lake row `row` is reserved for.
    pub(crate) fn at(&self, row: u64) -> Option<usize> {
        let k = row / self.stride;
        (row.is_multiple_of(self.stride) && k < self.count).then_some(k as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_row_once_in_order() {
        let (total, days) = (1_003, 7);
        let mut next = 0;
        for day in 0..days {
            let s = share(total, days, day);
            assert_eq!(s.first, next);
            next += s.count;
        }
        assert_eq!(next, total);
    }

    #[test]
    fn coverage_reserves_one_row_per_address() {
        let coverage = Coverage::new(1_000, 37);
        let reserved: Vec<usize> = (0..1_000).filter_map(|row| coverage.at(row)).collect();
        assert_eq!(reserved, (0..37).collect::<Vec<_>>());
    }

    #[test]
    fn coverage_of_nothing_reserves_nothing() {
        let coverage = Coverage::new(50, 0);
        assert!((0..50).all(|row| coverage.at(row).is_none()));
    }
}
