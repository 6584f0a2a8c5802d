//! `lakehunt ingest`: Defender exports into a Parquet lake the hunt reads. Sources are the
//! Streaming API's Storage blobs and Event Hub captures (JSON lines, [`streaming`]) and
//! portal CSV exports ([`portal`]), found by [`source`]; rows are typed by lakehunt's schema
//! catalogue ([`row`], [`value`]), gathered per table and UTC day ([`buffer`]) and written
//! as `<Table>/date=YYYY-MM-DD/ingest-<commit>-<n>.parquet` ([`writer`]): the catalogue's
//! columns and types, JSON columns as JSON text, rows in time order, zstd. Rows that cannot
//! be typed go to the [`quarantine`], never nowhere.
//!
//! **Incremental.** Storage blobs keep growing after their hour, so the lake's
//! [`manifest`] records, per source file, the bytes (and lines) already ingested. A run
//! reads each source from its recorded offset and takes only complete lines; a trailing
//! line without its line feed is left for a later run. Running ingest again over the same
//! export adds nothing.
//!
//! **Crash safety: the manifest is the commit point.** A run writes each Parquet file (and
//! its quarantine file) so that it appears whole or not at all, under a final name that
//! carries the id of the commit it belongs to; only then does it replace the manifest, with
//! the new offsets and the commit's id added to its list of commits. On a local disk each
//! file goes in under a temporary `.`-name and is renamed into place. Object stores (`--to
//! az://...`, `s3://...`) have no atomic rename, but one put is atomic there, so each file is
//! put under its final name once its bytes are complete, and the manifest is put last, whole.
//! A run that stops before the manifest is replaced leaves files whose commit the manifest
//! does not list, and offsets that still point before their rows: the lake stays readable
//! (those rows are in it at most once), and the next run first deletes every file of an
//! unlisted commit and every temporary file, then reads those sources again from the
//! recorded offsets, so no row is ever in the lake twice. Names alone could not give this: a
//! blob that grew in between would be read over a longer range, into a file of another name,
//! beside the orphan. A run commits every [`run::COMMIT_BYTES`] of source, so an
//! interruption loses at most that much work. One ingest at a time may write a lake.
//!
//! Sources and lakes are [`Location`]s: local folders, or containers and buckets on an
//! object store, read and written through the same [`ObjectStore`] calls.
//!
//! [`ObjectStore`]: datafusion::object_store::ObjectStore

pub mod buffer;
pub mod error;
pub mod manifest;
pub mod portal;
pub mod quarantine;
pub mod row;
pub mod run;
pub mod source;
pub mod streaming;
pub mod value;
pub mod writer;

use std::collections::BTreeMap;
use std::fmt;

pub use error::IngestError;
pub use manifest::MANIFEST_FILE;
pub use quarantine::QUARANTINE_FOLDER;
pub use source::Skipped;

use crate::report::thousands;
use crate::schema;
use crate::store::{Location, Purpose};
use manifest::Manifest;
use run::Run;

/// What to ingest, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// The export: a file, or a folder searched recursively (`--from`).
    pub from: String,
    /// The lake to add to, created if missing (`--to`).
    pub to: String,
    /// The table of CSV exports; also limits Storage containers to it (`--table`).
    pub table: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Rows added to the lake.
    pub rows: u64,
    /// Rows added, per table.
    pub rows_by_table: BTreeMap<String, u64>,
    /// Parquet files written.
    pub files_written: usize,
    /// Rows refused into the quarantine.
    pub quarantined: u64,
    /// The quarantine files written, as the user would write them.
    pub quarantine_files: Vec<String>,
    /// Rows whose table the catalogue does not know (also quarantined), per table.
    pub unknown_tables: BTreeMap<String, u64>,
    /// Sources with new bytes.
    pub sources_read: usize,
    /// Sources with nothing new since the last run.
    pub sources_unchanged: usize,
    /// Files under `--from` that were not read, and why.
    pub skipped: Vec<Skipped>,
    /// Source bytes read.
    pub bytes_read: u64,
    /// Bytes of trailing lines not yet complete, left for a later run.
    pub bytes_held_back: u64,
    /// Files of interrupted runs removed before this one started.
    pub orphans_removed: usize,
}

/// Ingests `options.from` into `options.to`; see the [module documentation](self).
pub async fn ingest(options: &IngestOptions) -> Result<IngestReport, IngestError> {
    let table = match &options.table {
        Some(name) => Some(schema::table(name).ok_or_else(|| IngestError::UnknownTable {
            table: name.clone(),
            known: source::catalogue_names(),
        })?),
        None => None,
    };
    let from = Location::open(&options.from, Purpose::ReadExport)
        .await
        .map_err(|r| IngestError::SourceLocation { from: r.location, reason: r.reason })?;
    let discovery = source::discover(&from, table).await?;
    if discovery.sources.is_empty() {
        return Err(IngestError::SourceLocation {
            from: options.from.clone(),
            reason: format!(
                "holds no export lakehunt reads ({} file(s) skipped: .json lines and .csv \
                 exports are read)",
                discovery.skipped.len()
            ),
        });
    }
    let lake = Location::open(&options.to, Purpose::WriteLake)
        .await
        .map_err(|r| IngestError::LakeLocation { lake: r.location, reason: r.reason })?;
    let manifest = Manifest::load(&lake).await?;
    let orphans_removed = manifest::remove_orphans(&lake, &manifest).await?;

    let mut run = Run::new(&lake, manifest);
    for source in &discovery.sources {
        if let Err(e) = run.ingest(source).await {
            run.abandon().await;
            return Err(e);
        }
    }
    if let Err(e) = run.commit().await {
        run.abandon().await;
        return Err(e);
    }

    let mut report = run.report;
    report.orphans_removed = orphans_removed;
    report.skipped.extend(discovery.skipped);
    warn_about(&report);
    Ok(report)
}

fn warn_about(report: &IngestReport) {
    for skipped in &report.skipped {
        tracing::warn!("{} not ingested: {}", skipped.display, skipped.reason);
    }
    for (table, rows) in &report.unknown_tables {
        tracing::warn!(
            "{} row(s) of table {table}, which is not in lakehunt's catalogue, were quarantined",
            thousands(*rows)
        );
    }
    if report.quarantined > 0 {
        tracing::warn!(
            "{} row(s) could not be ingested and were quarantined with their source and reason \
             in {}",
            thousands(report.quarantined),
            report.quarantine_files.join(", ")
        );
    }
    if report.orphans_removed > 0 {
        tracing::warn!(
            "removed {} file(s) left by an interrupted ingest; their rows were read again",
            report.orphans_removed
        );
    }
}

impl fmt::Display for IngestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tables: Vec<String> = self
            .rows_by_table
            .iter()
            .map(|(table, rows)| format!("{table} {}", thousands(*rows)))
            .collect();
        write!(
            f,
            "{} row(s) ingested{} into {} file(s) from {} source(s) ({} unchanged), {} row(s) \
             quarantined",
            thousands(self.rows),
            if tables.is_empty() { String::new() } else { format!(" ({})", tables.join(", ")) },
            self.files_written,
            self.sources_read,
            self.sources_unchanged,
            thousands(self.quarantined),
        )?;
        if self.bytes_held_back > 0 {
            write!(
                f,
                ", {} byte(s) of unfinished lines held back",
                thousands(self.bytes_held_back)
            )?;
        }
        if !self.skipped.is_empty() {
            write!(f, ", {} file(s) skipped", self.skipped.len())?;
        }
        Ok(())
    }
}
