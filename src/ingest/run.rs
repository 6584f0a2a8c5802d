//! One ingest run: reads each source from where the manifest says it was left, types its
//! rows into day buffers, writes full buffers as Parquet files, refuses bad rows into the
//! quarantine, and commits (files, quarantine, then manifest) every [`COMMIT_BYTES`] of
//! source and at the end.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use datafusion::object_store::ObjectStoreExt;
use serde_json::Value;

use crate::schema::{self, TableDef};

use super::IngestReport;
use super::buffer::{DayBuffer, day_of};
use super::error::IngestError;
use super::manifest::{Manifest, SourceState};
use super::portal::PortalCsv;
use super::quarantine::{Origin, Quarantine};
use super::row::RowTyper;
use super::source::{Skipped, Source, SourceFormat};
use super::streaming::{self, Line};
use super::value::Raw;
use super::writer::LakeWriter;
use crate::store::Location;

/// Source bytes read per request: a blob is read in pieces of this size, so that memory
/// does not grow with it.
const CHUNK_BYTES: u64 = 64 * 1024 * 1024;

/// Source bytes after which the run commits what it has, so that an interrupted run over a
/// large export loses at most this much work.
pub const COMMIT_BYTES: u64 = 512 * 1024 * 1024;

/// Rows of one table and day after which they are written as a file.
const FILE_ROWS: usize = 256 * 1024;

/// Rows buffered across all tables and days after which the largest buffer is written.
const BUFFERED_ROWS: usize = 512 * 1024;

/// The state of a run between sources.
pub struct Run<'a> {
    lake: &'a Location,
    manifest: Manifest,
    run_id: String,
    commits: usize,
    writer: LakeWriter,
    buffers: BTreeMap<(&'static str, NaiveDate), DayBuffer>,
    typers: HashMap<&'static str, RowTyper>,
    quarantine: Quarantine,
    buffered_rows: usize,
    uncommitted_bytes: u64,
    dirty: bool,
    /// What the run has done so far.
    pub report: IngestReport,
}

impl<'a> Run<'a> {
    /// Starts a run on `lake`, whose manifest is `manifest`.
    pub fn new(lake: &'a Location, manifest: Manifest) -> Run<'a> {
        let mut run_id = chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ").to_string();
        while manifest.commits.iter().any(|c| c.starts_with(&run_id)) {
            run_id.push('x');
        }
        let writer = LakeWriter::new(&format!("{run_id}-0"));
        Run {
            lake,
            manifest,
            run_id,
            commits: 0,
            writer,
            buffers: BTreeMap::new(),
            typers: HashMap::new(),
            quarantine: Quarantine::default(),
            buffered_rows: 0,
            uncommitted_bytes: 0,
            dirty: false,
            report: IngestReport::default(),
        }
    }

    /// Ingests what is new in `source`, committing when enough has been read.
    pub async fn ingest(&mut self, source: &Source) -> Result<(), IngestError> {
        let state = self.manifest.sources.get(&source.key).copied().unwrap_or_default();
        if source.size < state.offset {
            let reason = format!(
                "it is shorter ({} bytes) than what was ingested of it ({} bytes): it was \
                 replaced, and is left unread; ingest it into a new lake",
                source.size, state.offset
            );
            tracing::warn!("{}: {reason}", source.display);
            self.report.skipped.push(Skipped { display: source.display.clone(), reason });
            return Ok(());
        }
        if source.size == state.offset {
            self.report.sources_unchanged += 1;
            return Ok(());
        }
        let reached = match source.format {
            SourceFormat::JsonLines => self.json_lines(source, state).await?,
            SourceFormat::Csv(table) => self.csv(source, table, state).await?,
        };
        self.report.sources_read += 1;
        self.report.bytes_read += reached.offset - state.offset;
        self.report.bytes_held_back += source.size - reached.offset;
        self.uncommitted_bytes += reached.offset - state.offset;
        if reached != state {
            self.manifest.sources.insert(source.key.clone(), reached);
            self.dirty = true;
        }
        if self.uncommitted_bytes >= COMMIT_BYTES {
            self.commit().await?;
        }
        Ok(())
    }

    async fn json_lines(
        &mut self,
        source: &Source,
        state: SourceState,
    ) -> Result<SourceState, IngestError> {
        let mut reached = state;
        let mut want = CHUNK_BYTES;
        while reached.offset < source.size {
            let end = source.size.min(reached.offset + want);
            let bytes =
                source.store.get_range(&source.path, reached.offset..end).await.map_err(|e| {
                    IngestError::Read { source_file: source.display.clone(), reason: e.to_string() }
                })?;
            let (lines, covered) = streaming::complete_lines(&bytes, reached.offset);
            if lines.is_empty() {
                if end == source.size {
                    break;
                }
                want *= 2;
                continue;
            }
            for line in lines {
                reached.lines += 1;
                self.json_line(source, line, reached.lines);
            }
            reached.offset += covered as u64;
            want = CHUNK_BYTES;
            self.write_full_buffers().await?;
        }
        Ok(reached)
    }

    /// Reads one line of a blob: invalid JSON, a bad envelope or a bad row is refused.
    fn json_line(&mut self, source: &Source, line: Line<'_>, number: u64) {
        if line.text.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let origin =
            Origin { source: &source.display, line: number, offset: line.offset, record: None };
        let value: Value = match serde_json::from_slice(line.text) {
            Ok(value) => value,
            Err(e) => {
                let raw = String::from_utf8_lossy(line.text);
                self.quarantine.refuse(&origin, None, &format!("not valid JSON: {e}"), &raw);
                return;
            }
        };
        for found in streaming::envelopes(&value) {
            let origin = Origin { record: found.record, ..origin.clone() };
            let raw = || match found.record {
                Some(_) => found.value.to_string(),
                None => String::from_utf8_lossy(line.text).into_owned(),
            };
            match found.envelope {
                Ok(envelope) => {
                    let fields =
                        envelope.properties.iter().map(|(k, v)| (k.as_str(), Raw::Json(v)));
                    self.row(&origin, envelope.table, fields, raw);
                }
                Err(reason) => self.quarantine.refuse(&origin, None, &reason, &raw()),
            }
        }
    }

    /// Reads a portal CSV export: all of it, keeping the records past the recorded offset.
    async fn csv(
        &mut self,
        source: &Source,
        table: &'static TableDef,
        state: SourceState,
    ) -> Result<SourceState, IngestError> {
        let read = |e: datafusion::object_store::Error| IngestError::Read {
            source_file: source.display.clone(),
            reason: e.to_string(),
        };
        let bytes =
            source.store.get(&source.path).await.map_err(read)?.bytes().await.map_err(read)?;
        let csv = PortalCsv::open(&bytes, &source.display)?;
        let mut last_line = state.lines;
        csv.for_each_record(state.offset, |record| {
            last_line = record.line;
            let origin = Origin {
                source: &source.display,
                line: record.line,
                offset: record.offset,
                record: None,
            };
            match record.fields {
                Ok(fields) => {
                    let fields = fields.into_iter().map(|(k, v)| (k, Raw::Text(v)));
                    self.row(&origin, table.name, fields, || record.raw.to_string());
                }
                Err(reason) => {
                    self.quarantine.refuse(&origin, Some(table.name), &reason, record.raw)
                }
            }
        });
        self.write_full_buffers().await?;
        Ok(SourceState { offset: csv.len(), lines: last_line })
    }

    /// Types one row of `table` into its day buffer, or refuses it.
    fn row<'r>(
        &mut self,
        origin: &Origin<'_>,
        table: &str,
        fields: impl Iterator<Item = (&'r str, Raw<'r>)>,
        raw: impl FnOnce() -> String,
    ) {
        let Some(def) = schema::table(table) else {
            *self.report.unknown_tables.entry(table.to_string()).or_default() += 1;
            let reason = format!("table {table} is not in lakehunt's catalogue");
            self.quarantine.refuse(origin, Some(table), &reason, &raw());
            return;
        };
        let typer = match self.typers.entry(def.name) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => match RowTyper::new(def) {
                Some(typer) => slot.insert(typer),
                None => {
                    let reason = format!("table {table} has no datetime Timestamp column");
                    self.quarantine.refuse(origin, Some(table), &reason, &raw());
                    return;
                }
            },
        };
        match typer.type_row(fields) {
            Ok(row) => {
                let key = (def.name, day_of(row.timestamp));
                self.buffers.entry(key).or_insert_with(|| DayBuffer::new(def)).push(row);
                self.buffered_rows += 1;
                *self.report.rows_by_table.entry(def.name.to_string()).or_default() += 1;
                self.report.rows += 1;
            }
            Err(reason) => self.quarantine.refuse(origin, Some(table), &reason, &raw()),
        }
    }

    /// Writes the buffers that hold a file's worth of rows, then the largest ones while too
    /// many rows are buffered in all.
    async fn write_full_buffers(&mut self) -> Result<(), IngestError> {
        let full: Vec<_> =
            self.buffers.iter().filter(|(_, b)| b.rows() >= FILE_ROWS).map(|(k, _)| *k).collect();
        for key in full {
            self.write_buffer(key).await?;
        }
        while self.buffered_rows > BUFFERED_ROWS {
            let largest = self.buffers.iter().max_by_key(|(_, b)| b.rows()).map(|(k, _)| *k);
            match largest {
                Some(key) => self.write_buffer(key).await?,
                None => break,
            }
        }
        Ok(())
    }

    async fn write_buffer(&mut self, key: (&'static str, NaiveDate)) -> Result<(), IngestError> {
        let Some(mut buffer) = self.buffers.remove(&key) else {
            return Ok(());
        };
        self.buffered_rows -= buffer.rows();
        let (table, day) = key;
        let batch = buffer.take_batch().map_err(|e| IngestError::Write {
            path: format!("{}/{table}/date={day}", self.lake.display),
            reason: format!("cannot assemble the rows (a lakehunt bug; please report it): {e}"),
        })?;
        self.writer.write(self.lake, table, day, &batch).await?;
        self.dirty = true;
        Ok(())
    }

    /// Commits what the run has read since the last commit: writes every buffer, the
    /// quarantine, and then the manifest, whose rename makes it all part of the lake.
    pub async fn commit(&mut self) -> Result<(), IngestError> {
        if !self.dirty && self.buffers.is_empty() && self.quarantine.rows() == 0 {
            return Ok(());
        }
        let keys: Vec<_> = self.buffers.keys().copied().collect();
        for key in keys {
            self.write_buffer(key).await?;
        }
        let commit = self.writer.commit().to_string();
        let quarantine = std::mem::take(&mut self.quarantine);
        self.report.quarantined += quarantine.rows();
        if let Some(path) = quarantine.write(self.lake, &commit).await? {
            self.report.quarantine_files.push(self.lake.describe(&path));
        }
        self.manifest.commits.insert(commit);
        self.manifest.save(self.lake).await?;

        self.report.files_written += self.writer.files().len();
        self.commits += 1;
        self.writer = LakeWriter::new(&format!("{}-{}", self.run_id, self.commits));
        self.uncommitted_bytes = 0;
        self.dirty = false;
        Ok(())
    }

    /// Removes the files of the commit in progress after an error, so that the lake holds
    /// only committed rows; what cannot be removed now the next run removes.
    pub async fn abandon(self) {
        for path in self.writer.files() {
            if let Err(e) = self.lake.store.delete(path).await {
                tracing::warn!("cannot remove {}: {e}", self.lake.describe(path));
            }
        }
    }
}
