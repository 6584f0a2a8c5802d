//! What a user sees of a hunt besides its findings: a progress line on a terminal while it
//! runs, and a one-line summary afterwards (tables, files read and pruned, rows scanned,
//! findings, time), both on standard error.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::{MetricValue, MetricsSet};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::lake::LakeTable;

/// How long a hunt runs before its progress line appears.
const QUIET_START: Duration = Duration::from_millis(800);

/// What the Parquet scans of a finished (or running) plan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanMetrics {
    /// Rows decoded from Parquet, before filters pushed into the scan dropped any.
    pub rows_scanned: u64,
    /// Files skipped by their statistics.
    pub files_pruned: u64,
    /// Row groups skipped by their statistics.
    pub row_groups_pruned: u64,
    /// Row groups read.
    pub row_groups_read: u64,
    /// Bytes read from storage.
    pub bytes_scanned: u64,
}

impl ScanMetrics {
    /// Adds up the metrics of every scan in `plan`.
    pub fn of(plan: &Arc<dyn ExecutionPlan>) -> ScanMetrics {
        let mut total = ScanMetrics::default();
        let mut pending = vec![Arc::clone(plan)];
        while let Some(node) = pending.pop() {
            pending.extend(node.children().into_iter().cloned());
            if node.name() != "DataSourceExec" {
                continue;
            }
            let Some(metrics) = node.metrics() else {
                continue;
            };
            total.rows_scanned +=
                metrics.output_rows().unwrap_or(0) as u64 + count(&metrics, "pushdown_rows_pruned");
            total.bytes_scanned += count(&metrics, "bytes_scanned");
            let (pruned, _) = pruning(&metrics, "files_ranges_pruned_statistics");
            total.files_pruned += pruned;
            let (pruned, read) = pruning(&metrics, "row_groups_pruned_statistics");
            total.row_groups_pruned += pruned;
            total.row_groups_read += read;
        }
        total
    }
}

fn count(metrics: &MetricsSet, name: &str) -> u64 {
    metrics.sum_by_name(name).map_or(0, |v| v.as_usize() as u64)
}

fn pruning(metrics: &MetricsSet, name: &str) -> (u64, u64) {
    metrics.iter().fold((0, 0), |(pruned, matched), m| match m.value() {
        MetricValue::PruningMetrics { name: n, pruning_metrics } if n == name => {
            (pruned + pruning_metrics.pruned() as u64, matched + pruning_metrics.matched() as u64)
        }
        _ => (pruned, matched),
    })
}

/// A spinner on standard error that shows rows scanned while a plan runs. It draws only on a
/// terminal, and only once the hunt has lasted longer than a moment.
pub struct Progress {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// Starts watching `plan`; `enabled` false draws nothing.
    pub fn start(plan: &Arc<dyn ExecutionPlan>, enabled: bool) -> Progress {
        let target =
            if enabled { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} hunting: {msg} rows scanned, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let watched = Arc::clone(plan);
        let shown = bar.clone();
        let ticker = tokio::spawn(async move {
            tokio::time::sleep(QUIET_START).await;
            loop {
                let rows = ScanMetrics::of(&watched).rows_scanned;
                shown.set_message(thousands(rows));
                shown.tick();
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        });
        Progress { bar, ticker }
    }

    /// Stops and erases the spinner.
    pub fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

/// The one line that closes a run.
#[derive(Debug, Clone)]
pub struct HuntSummary {
    pub tables: usize,
    pub files_read: u64,
    pub files_pruned_by_partition: u64,
    pub scan: ScanMetrics,
    pub findings: u64,
    pub elapsed: Duration,
    /// The cluster the hunt ran on; its scans were measured there, so they are not shown.
    pub cluster: Option<String>,
}

impl HuntSummary {
    /// Summarises a finished hunt over `tables` whose plan was `plan`.
    pub fn new(
        tables: &[LakeTable],
        plan: &Arc<dyn ExecutionPlan>,
        findings: u64,
        elapsed: Duration,
    ) -> HuntSummary {
        HuntSummary {
            tables: tables.len(),
            files_read: tables.iter().map(|t| t.files.len() as u64).sum(),
            files_pruned_by_partition: tables.iter().map(|t| t.pruned_files as u64).sum(),
            scan: ScanMetrics::of(plan),
            findings,
            elapsed,
            cluster: None,
        }
    }

    /// The summary of a hunt that ran on `cluster` (if one is given).
    pub fn on_cluster(self, cluster: Option<&str>) -> HuntSummary {
        HuntSummary { cluster: cluster.map(str::to_string), ..self }
    }
}

impl fmt::Display for HuntSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cluster) = &self.cluster {
            return write!(
                f,
                "{} table(s), {} file(s) read, {} pruned by partition, {} finding(s), {:.2}s \
                 on {cluster}",
                self.tables,
                self.files_read,
                self.files_pruned_by_partition,
                thousands(self.findings),
                self.elapsed.as_secs_f64(),
            );
        }
        write!(
            f,
            "{} table(s), {} file(s) read, {} pruned by partition, {} by statistics, \
             {} row group(s) pruned, {} rows scanned, {} finding(s), {:.2}s",
            self.tables,
            self.files_read - self.scan.files_pruned.min(self.files_read),
            self.files_pruned_by_partition,
            self.scan.files_pruned,
            self.scan.row_groups_pruned,
            thousands(self.scan.rows_scanned),
            thousands(self.findings),
            self.elapsed.as_secs_f64(),
        )
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn a_cluster_summary_names_the_cluster_and_claims_no_scan_figures() {
        let summary = HuntSummary {
            tables: 3,
            files_read: 21,
            files_pruned_by_partition: 2,
            scan: ScanMetrics::default(),
            findings: 1_203,
            elapsed: Duration::from_millis(1_500),
            cluster: None,
        };
        let text = summary.on_cluster(Some("df://127.0.0.1:50050")).to_string();
        assert_eq!(
            text,
            "3 table(s), 21 file(s) read, 2 pruned by partition, 1,203 finding(s), 1.50s \
             on df://127.0.0.1:50050"
        );
    }
}
