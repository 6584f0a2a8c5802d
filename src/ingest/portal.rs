//! CSV exports from the Defender portal: a UTF-8 byte-order mark, a header of the table's
//! column names, then one record per row, with empty fields for missing values and
//! timestamps in the portal's locale. A record that does not parse, or has another number
//! of fields than the header, is refused with its line (the caller quarantines it).
//!
//! Unlike Storage blobs, a CSV export is complete when written: its last record counts even
//! without a line ending. A file that grows later is read again from the start and only
//! records beginning at or after the recorded offset are new.

use csv::{ReaderBuilder, StringRecord};

use super::error::IngestError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_BOMS: [&[u8]; 2] = [b"\xFF\xFE", b"\xFE\xFF"];

/// A portal export: its header and records.
pub struct PortalCsv<'a> {
    columns: Vec<String>,
    data: &'a [u8],
    /// Bytes before `data` in the file (the byte-order mark).
    skipped: u64,
}

/// One record of an export, as the caller gets it.
pub struct Record<'r> {
    /// 1-based line on which the record starts (the header is line 1).
    pub line: u64,
    /// Offset of its first byte in the file.
    pub offset: u64,
    /// The record as the file has it, for the quarantine.
    pub raw: &'r str,
    /// `(column, value)` pairs, or why the record cannot be read.
    pub fields: Result<Vec<(&'r str, &'r str)>, String>,
}

impl<'a> PortalCsv<'a> {
    /// Reads the header of `bytes`, the whole file `source`.
    pub fn open(bytes: &'a [u8], source: &str) -> Result<PortalCsv<'a>, IngestError> {
        let problem = |reason: String| IngestError::Format {
            source_file: source.to_string(),
            line: 1,
            reason,
        };
        if UTF16_BOMS.iter().any(|bom| bytes.starts_with(bom)) {
            return Err(problem("the file is UTF-16; export or save it as UTF-8".into()));
        }
        let data = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let skipped = (bytes.len() - data.len()) as u64;
        let mut reader = ReaderBuilder::new().flexible(true).from_reader(data);
        let header = reader.headers().map_err(|e| problem(format!("unreadable header: {e}")))?;
        let columns: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
        let mut sorted: Vec<&String> = columns.iter().collect();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(problem(format!("the header names column {} twice", pair[0])));
        }
        if !columns.iter().any(|c| c == "Timestamp") {
            return Err(problem(format!(
                "the header has no Timestamp column (it has {}); lakehunt partitions rows by it",
                columns.join(", ")
            )));
        }
        Ok(PortalCsv { columns, data, skipped })
    }

    /// The file's length, which the manifest records once the export is ingested.
    pub fn len(&self) -> u64 {
        self.skipped + self.data.len() as u64
    }

    /// Whether the file holds no byte at all besides its byte-order mark.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Calls `each` with every record that starts at or after byte `from` of the file.
    pub fn for_each_record(&self, from: u64, mut each: impl FnMut(Record<'_>)) {
        let mut reader = ReaderBuilder::new().flexible(true).from_reader(self.data);
        if reader.headers().is_err() {
            return;
        }
        let mut record = StringRecord::new();
        loop {
            let start = reader.position().clone();
            let read = reader.read_record(&mut record);
            let end = reader.position().byte();
            // A reader that makes no progress has nothing more to give.
            if matches!(read, Ok(false)) || end == start.byte() {
                return;
            }
            // After a CRLF the reader stands on its line feed, which the next record skips.
            let (mut byte, mut line) = (start.byte(), start.line());
            if self.data.get(byte as usize) == Some(&b'\n') {
                (byte, line) = (byte + 1, line + 1);
            }
            let offset = self.skipped + byte;
            if offset < from {
                continue;
            }
            let raw = std::str::from_utf8(&self.data[byte as usize..end as usize])
                .unwrap_or("(not UTF-8)")
                .trim_end_matches(['\r', '\n']);
            let fields = match read {
                Ok(_) if record.len() != self.columns.len() => Err(format!(
                    "the record has {} field(s), the header {}",
                    record.len(),
                    self.columns.len()
                )),
                Ok(_) => Ok(self.columns.iter().map(String::as_str).zip(record.iter()).collect()),
                Err(e) => Err(format!("unreadable CSV: {e}")),
            };
            each(Record { line, offset, raw, fields });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_order_mark_is_not_part_of_the_first_column() {
        let file = "\u{feff}Timestamp,DeviceId\r\n\"Oct 9, 2024 2:40:09 PM\",d1\r\n,\r\n";
        let csv = PortalCsv::open(file.as_bytes(), "x.csv").unwrap();
        let mut seen = Vec::new();
        csv.for_each_record(0, |r| {
            let fields: Vec<String> =
                r.fields.unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect();
            seen.push((r.line, r.offset, fields.join(";")))
        });
        assert_eq!(seen[0], (2, 23, "Timestamp=Oct 9, 2024 2:40:09 PM;DeviceId=d1".into()));
        assert_eq!(seen[1].2, "Timestamp=;DeviceId=");
        assert_eq!(csv.len(), file.len() as u64);
    }

    #[test]
    fn a_record_with_too_few_fields_is_refused_with_its_line() {
        let file = "Timestamp,DeviceId\n2026-01-01T00:00:00Z\n";
        let csv = PortalCsv::open(file.as_bytes(), "x.csv").unwrap();
        let mut seen = Vec::new();
        csv.for_each_record(0, |r| seen.push((r.line, r.raw.to_string(), r.fields.is_err())));
        assert_eq!(seen, vec![(2, "2026-01-01T00:00:00Z".to_string(), true)]);
    }

    #[test]
    fn a_header_without_timestamp_names_line_one() {
        let error = PortalCsv::open(b"DeviceId\nd1\n", "x.csv").err().unwrap();
        assert!(error.to_string().starts_with("x.csv line 1: the header has no Timestamp"));
    }
}
