//! Where generated rows land: one Parquet file per table and day,
//! `<Table>/date=YYYY-MM-DD/part-00000.parquet`, zstd-compressed with page statistics,
//! row groups of about a million rows, and Timestamp declared as the sort order. Columns are
//! handed over by name and placed by the catalogue's order, so a column can never slip into
//! another's place.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;

use super::error::GenerateError;
use super::timeline::Day;

/// Rows per RecordBatch handed to the Parquet writer: large enough to amortise per-batch
/// work, small enough that a batch of 48 columns stays in the tens of megabytes.
pub(crate) const BATCH_ROWS: u64 = 64 * 1024;

/// Rows per Parquet row group.
const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// zstd level 1: most of zstd's ratio on repetitive security data at a fraction of the cost
/// of its default level.
const ZSTD_LEVEL: i32 = 1;

/// Name of the single file in each partition.
pub(crate) const PART_FILE: &str = "part-00000.parquet";

/// The columns of one batch, by name, in any order.
#[derive(Default)]
pub(crate) struct Columns(Vec<(&'static str, ArrayRef)>);

impl Columns {
    /// Adds the column called `name`.
    pub(crate) fn add(&mut self, name: &'static str, array: ArrayRef) {
        self.0.push((name, array));
    }
}

/// A Parquet file being filled with one day of one table.
pub(crate) struct PartitionFile {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl PartitionFile {
    /// Creates `<root>/<table>/<date partition>/part-00000.parquet`. `unique_columns` hold a
    /// different value on nearly every row; dictionary encoding is switched off for them
    /// because it would only be tried and abandoned.
    pub(crate) fn create(
        root: &Path,
        table: &str,
        day: &Day,
        schema: SchemaRef,
        unique_columns: &[&str],
    ) -> Result<Self, GenerateError> {
        let dir = root.join(table).join(day.partition());
        fs::create_dir_all(&dir).map_err(|source| GenerateError::Io {
            action: "create",
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(PART_FILE);
        let file = File::create(&path).map_err(|source| GenerateError::Io {
            action: "create",
            path: path.clone(),
            source,
        })?;
        let writer =
            ArrowWriter::try_new(file, schema.clone(), Some(properties(&schema, unique_columns)?))
                .map_err(|source| GenerateError::Parquet { path: path.clone(), source })?;
        Ok(PartitionFile { path, schema, writer, rows: 0 })
    }

    /// Appends one batch, its columns placed in the table's order.
    pub(crate) fn write(&mut self, columns: Columns) -> Result<(), GenerateError> {
        let batch = self
            .batch(columns)
            .map_err(|source| GenerateError::Arrow { path: self.path.clone(), source })?;
        self.writer
            .write(&batch)
            .map_err(|source| GenerateError::Parquet { path: self.path.clone(), source })?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Writes the footer and flushes the file to disk; returns the rows written.
    pub(crate) fn finish(self) -> Result<u64, GenerateError> {
        let PartitionFile { path, writer, rows, .. } = self;
        let file = writer
            .into_inner()
            .map_err(|source| GenerateError::Parquet { path: path.clone(), source })?;
        file.sync_all().map_err(|source| GenerateError::Io { action: "flush", path, source })?;
        Ok(rows)
    }

    fn batch(&self, mut columns: Columns) -> Result<RecordBatch, ArrowError> {
        if columns.0.len() != self.schema.fields().len() {
            let mut names: Vec<&str> = columns.0.iter().map(|(name, _)| *name).collect();
            names.sort_unstable();
            return Err(ArrowError::SchemaError(format!(
                "{} columns built ({}), the table has {}",
                names.len(),
                names.join(", "),
                self.schema.fields().len()
            )));
        }
        let mut ordered = Vec::with_capacity(columns.0.len());
        for field in self.schema.fields() {
            let position =
                columns.0.iter().position(|(name, _)| name == field.name()).ok_or_else(|| {
                    ArrowError::SchemaError(format!("no column {} was built", field.name()))
                })?;
            ordered.push(columns.0.swap_remove(position).1);
        }
        RecordBatch::try_new(self.schema.clone(), ordered)
    }
}

fn properties(
    schema: &SchemaRef,
    unique_columns: &[&str],
) -> Result<WriterProperties, GenerateError> {
    let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|source| GenerateError::Parquet {
        path: PathBuf::from("(writer properties)"),
        source,
    })?;
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_created_by(format!("lakehunt generate {}", env!("CARGO_PKG_VERSION")));
    let timestamp = schema.index_of("Timestamp").ok().and_then(|i| i32::try_from(i).ok());
    if let Some(column_idx) = timestamp {
        let order = SortingColumn { column_idx, descending: false, nulls_first: false };
        builder = builder.set_sorting_columns(Some(vec![order]));
    }
    for column in unique_columns {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(*column), false);
    }
    Ok(builder.build())
}
