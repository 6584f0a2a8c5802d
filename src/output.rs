//! Every way findings leave the process: a table, CSV, JSON lines or Parquet, on stdout or in
//! a file. A file is written under a temporary name beside its target and renamed into place
//! only once complete, and an existing file is replaced only when the user says so.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::csv;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::json::LineDelimitedWriter;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::properties::WriterProperties;
use futures::StreamExt;

use crate::error::{Error, Result};

/// How findings are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An aligned text table, for people.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Json,
    /// Parquet, zstd-compressed.
    Parquet,
}

impl Format {
    /// The format a file's extension names: `.parquet`, `.csv`, `.json`/`.jsonl`, `.txt`.
    pub fn from_extension(path: &Path) -> Result<Format> {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("parquet") => Ok(Format::Parquet),
            Some("csv") => Ok(Format::Csv),
            Some("json" | "jsonl" | "ndjson") => Ok(Format::Json),
            Some("txt") => Ok(Format::Table),
            _ => Err(Error::OutputFormat { path: path.to_path_buf() }),
        }
    }
}

/// Where findings go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout(Format),
    /// A file, replaced only with `force`.
    File { path: PathBuf, format: Format, force: bool },
}

impl Destination {
    /// Refuses an output file that exists already unless forced, before any work is done.
    pub fn check(&self) -> Result<()> {
        match self {
            Destination::File { path, force: false, .. } if path.exists() => {
                Err(Error::OutputExists { path: path.clone() })
            }
            _ => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Destination::Stdout(_) => "standard output".into(),
            Destination::File { path, .. } => path.display().to_string(),
        }
    }
}

/// Writes every batch of `findings`, produced by `rule`, to `destination` and returns how many
/// rows there were. A failure of the stream itself is the rule's, and is named after it.
pub async fn write(
    findings: SendableRecordBatchStream,
    rule: &str,
    destination: &Destination,
) -> Result<u64> {
    match destination {
        Destination::Stdout(format) => {
            let closed = Arc::new(AtomicBool::new(false));
            let out = BufWriter::new(ClosedPipeAware {
                inner: std::io::stdout(),
                closed: Arc::clone(&closed),
            });
            let drained = drain(findings, rule, *format, out, &destination.describe()).await;
            // Encoders report a closed pipe in their own words; say it plainly, so that the
            // caller can end quietly.
            match drained {
                Err(_) if closed.load(Ordering::Relaxed) => Err(Error::Output {
                    target: destination.describe(),
                    error: std::io::ErrorKind::BrokenPipe.into(),
                }),
                other => other,
            }
        }
        Destination::File { path, format, force } => {
            destination.check()?;
            let temporary = temporary_name(path);
            let file = File::create(&temporary).map_err(|error| Error::Output {
                target: temporary.display().to_string(),
                error,
            })?;
            let written =
                drain(findings, rule, *format, BufWriter::new(file), &destination.describe())
                    .await
                    .and_then(|rows| publish(&temporary, path, *force).map(|()| rows));
            if written.is_err() {
                let _ = std::fs::remove_file(&temporary);
            }
            written
        }
    }
}

/// A writer that remembers whether its reader went away (`lakehunt run | head`).
struct ClosedPipeAware<W> {
    inner: W,
    closed: Arc<AtomicBool>,
}

impl<W: Write> ClosedPipeAware<W> {
    fn watch<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl<W: Write> Write for ClosedPipeAware<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.watch(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.watch(result)
    }
}

/// `dir/.name.lakehunt-<pid>.tmp`: beside the target, so the rename stays on one file system.
fn temporary_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.lakehunt-{}.tmp", std::process::id()))
}

/// Moves the finished file into place. Without `force`, a hard link claims the name only if
/// it is still free, so a file that appeared meanwhile is never replaced.
fn publish(temporary: &Path, path: &Path, force: bool) -> Result<()> {
    let failed = |error| Error::Output { target: path.display().to_string(), error };
    if force {
        return std::fs::rename(temporary, path).map_err(failed);
    }
    match std::fs::hard_link(temporary, path) {
        Ok(()) => std::fs::remove_file(temporary).map_err(failed),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::OutputExists { path: path.to_path_buf() })
        }
        // File systems without hard links: check, then rename.
        Err(_) if !path.exists() => std::fs::rename(temporary, path).map_err(failed),
        Err(_) => Err(Error::OutputExists { path: path.to_path_buf() }),
    }
}

/// Encodes the stream into `out` in `format`.
async fn drain<W: Write + Send>(
    mut findings: SendableRecordBatchStream,
    rule: &str,
    format: Format,
    out: W,
    target: &str,
) -> Result<u64> {
    let mut sink = Sink::new(format, findings.schema(), out, target)?;
    let mut rows = 0;
    while let Some(batch) = findings.next().await {
        let batch = batch.map_err(|e| Error::query(rule, e))?;
        rows += batch.num_rows() as u64;
        sink.write(batch, target)?;
    }
    sink.finish(target)?;
    Ok(rows)
}

/// One writer per format.
enum Sink<W: Write + Send> {
    Table { batches: Vec<RecordBatch>, schema: SchemaRef, out: W },
    Csv { writer: csv::Writer<W>, schema: SchemaRef, wrote: bool },
    Json(LineDelimitedWriter<W>),
    Parquet(ArrowWriter<W>),
}

impl<W: Write + Send> Sink<W> {
    fn new(format: Format, schema: SchemaRef, out: W, target: &str) -> Result<Self> {
        Ok(match format {
            Format::Table => Sink::Table { batches: Vec::new(), schema, out },
            Format::Csv => Sink::Csv {
                writer: csv::WriterBuilder::new().with_header(true).build(out),
                schema,
                wrote: false,
            },
            Format::Json => Sink::Json(LineDelimitedWriter::new(out)),
            Format::Parquet => {
                let properties = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .build();
                let writer = ArrowWriter::try_new(out, schema, Some(properties))
                    .map_err(|e| parquet_error(e, target))?;
                Sink::Parquet(writer)
            }
        })
    }

    fn write(&mut self, batch: RecordBatch, target: &str) -> Result<()> {
        match self {
            Sink::Table { batches, .. } => {
                batches.push(batch);
                Ok(())
            }
            Sink::Csv { writer, wrote, .. } => {
                *wrote = true;
                writer.write(&batch).map_err(|e| arrow_error(e, target))
            }
            Sink::Json(w) => w.write(&batch).map_err(|e| arrow_error(e, target)),
            Sink::Parquet(w) => w.write(&batch).map_err(|e| parquet_error(e, target)),
        }
    }

    fn finish(self, target: &str) -> Result<()> {
        let io = |error| Error::Output { target: target.into(), error };
        match self {
            Sink::Table { mut batches, schema, mut out } => {
                if batches.is_empty() {
                    batches.push(RecordBatch::new_empty(schema));
                }
                let table = pretty_format_batches(&batches).map_err(|e| arrow_error(e, target))?;
                writeln!(out, "{table}").map_err(io)?;
                out.flush().map_err(io)
            }
            Sink::Csv { mut writer, schema, wrote } => {
                if !wrote {
                    // No findings still deserve the header line.
                    let empty = RecordBatch::new_empty(schema);
                    writer.write(&empty).map_err(|e| arrow_error(e, target))?;
                }
                writer.into_inner().flush().map_err(io)
            }
            Sink::Json(mut w) => {
                w.finish().map_err(|e| arrow_error(e, target))?;
                w.into_inner().flush().map_err(io)
            }
            Sink::Parquet(w) => {
                let mut out = w.into_inner().map_err(|e| parquet_error(e, target))?;
                out.flush().map_err(io)
            }
        }
    }
}

fn arrow_error(error: ArrowError, target: &str) -> Error {
    match error {
        ArrowError::IoError(_, error) => Error::Output { target: target.into(), error },
        other => Error::Encode { target: target.into(), reason: other.to_string() },
    }
}

fn parquet_error(error: ParquetError, target: &str) -> Error {
    Error::Encode { target: target.into(), reason: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_the_format() {
        assert_eq!(Format::from_extension(Path::new("f.parquet")).unwrap(), Format::Parquet);
        assert_eq!(Format::from_extension(Path::new("f.CSV")).unwrap(), Format::Csv);
        assert_eq!(Format::from_extension(Path::new("f.json")).unwrap(), Format::Json);
        let err = Format::from_extension(Path::new("findings.xlsx")).unwrap_err().to_string();
        assert!(err.contains("findings.xlsx"), "{err}");
    }

    #[test]
    fn an_existing_file_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.csv");
        std::fs::write(&path, "precious").unwrap();
        let refused = Destination::File { path: path.clone(), format: Format::Csv, force: false };
        assert!(matches!(refused.check(), Err(Error::OutputExists { .. })));
        let forced = Destination::File { path, format: Format::Csv, force: true };
        assert!(forced.check().is_ok());
    }

    #[test]
    fn publishing_without_force_never_replaces_a_file_that_appeared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.csv");
        let temporary = temporary_name(&path);
        std::fs::write(&temporary, "new").unwrap();
        std::fs::write(&path, "precious").unwrap();
        assert!(matches!(publish(&temporary, &path, false), Err(Error::OutputExists { .. })));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    }
}
