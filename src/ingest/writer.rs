//! The lake writer: one Parquet file per table, day and flush, in the layout the hunt reads
//! and `generate` writes (`<Table>/date=YYYY-MM-DD/`), zstd-compressed, with page statistics,
//! `Timestamp` declared as the sort order, and rows in time order. A file appears whole or
//! not at all ([`Location::put_whole`]: on disk a temporary `.`-name, which lake discovery
//! skips, renamed into place; on an object store one put); its final name carries the commit it belongs to (`ingest-<commit>-<n>.parquet`), which
//! is how a later run tells a committed file from the orphan of an interrupted one.

use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use datafusion::object_store::path::Path;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::error::IngestError;
use crate::store::Location;

/// Rows per Parquet row group: a day's file of a busy table holds a few groups, so that
/// statistics can skip parts of it.
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// zstd level 1, as `generate` writes: most of zstd's ratio at a fraction of its cost.
const ZSTD_LEVEL: i32 = 1;

/// The prefix of every data file ingest writes.
pub const FILE_PREFIX: &str = "ingest-";

/// Writes the files of one commit into a lake.
pub struct LakeWriter {
    commit: String,
    files: Vec<Path>,
}

impl LakeWriter {
    /// A writer for commit `commit`.
    pub fn new(commit: &str) -> LakeWriter {
        LakeWriter { commit: commit.to_string(), files: Vec::new() }
    }

    /// The commit the files belong to.
    pub fn commit(&self) -> &str {
        &self.commit
    }

    /// The files written so far.
    pub fn files(&self) -> &[Path] {
        &self.files
    }

    /// Writes `batch` (rows of `table` on `day`, sorted by time) as one Parquet file.
    pub async fn write(
        &mut self,
        lake: &Location,
        table: &str,
        day: NaiveDate,
        batch: &RecordBatch,
    ) -> Result<(), IngestError> {
        let folder = format!("{table}/date={}", day.format("%Y-%m-%d"));
        let name = format!("{FILE_PREFIX}{}-{:05}.parquet", self.commit, self.files.len());
        let path = lake.child(&format!("{folder}/{name}"));
        let failed = |reason: String| IngestError::Write { path: lake.describe(&path), reason };

        let bytes = encode(batch).map_err(failed)?;
        lake.put_whole(&path, bytes).await.map_err(|e| failed(e.to_string()))?;
        self.files.push(path);
        Ok(())
    }
}

fn encode(batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties(batch)?))
        .map_err(|e| e.to_string())?;
    writer.write(batch).map_err(|e| e.to_string())?;
    writer.into_inner().map_err(|e| e.to_string())
}

fn properties(batch: &RecordBatch) -> Result<WriterProperties, String> {
    let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|e| e.to_string())?;
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_created_by(format!("lakehunt ingest {}", env!("CARGO_PKG_VERSION")));
    let timestamp = batch.schema().index_of("Timestamp").ok().and_then(|i| i32::try_from(i).ok());
    if let Some(column_idx) = timestamp {
        let order = SortingColumn { column_idx, descending: false, nulls_first: false };
        builder = builder.set_sorting_columns(Some(vec![order]));
    }
    Ok(builder.build())
}
