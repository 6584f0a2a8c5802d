//! The quarantine: rows ingest could not put in the lake, kept in the lake with where they
//! came from and why, so that nothing is dropped silently. Each commit that refused rows
//! writes `<lake>/_quarantine/<commit>.jsonl` (lake discovery skips `_` names), one JSON
//! object per refused line or record:
//!
//! ```json
//! {"source": "export/.../PT1H.json", "line": 12, "offset": 18233, "record": null,
//!  "table": "DeviceLogonEvents", "reason": "column RemotePort: \"abc\" is not a Kusto int",
//!  "raw": "{\"time\": ...}"}
//! ```
//!
//! `record` is the position inside an Event Hub message's `records`; `raw` is the line (or
//! record) as the source had it.

use datafusion::object_store::path::Path;
use serde_json::json;

use super::error::IngestError;
use crate::store::Location;

/// The quarantine's folder under the lake's root.
pub const QUARANTINE_FOLDER: &str = "_quarantine";

/// Where a refused row was in its source.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// The source file as the user would write it.
    pub source: &'a str,
    /// Its 1-based line number.
    pub line: u64,
    /// The byte offset at which the line starts.
    pub offset: u64,
    /// The position inside an Event Hub message's `records`, if it came from one.
    pub record: Option<usize>,
}

/// The rows refused by one commit.
#[derive(Debug, Default)]
pub struct Quarantine {
    lines: Vec<u8>,
    rows: u64,
}

impl Quarantine {
    /// Rows refused so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Keeps one refused row.
    pub fn refuse(&mut self, origin: &Origin<'_>, table: Option<&str>, reason: &str, raw: &str) {
        let entry = json!({
            "source": origin.source,
            "line": origin.line,
            "offset": origin.offset,
            "record": origin.record,
            "table": table,
            "reason": reason,
            "raw": raw,
        });
        self.lines.extend_from_slice(entry.to_string().as_bytes());
        self.lines.push(b'\n');
        self.rows += 1;
        tracing::debug!(source = origin.source, line = origin.line, reason, "row quarantined");
    }

    /// Writes the refused rows as `_quarantine/<commit>.jsonl`, whole or not at all, and
    /// returns the file, or nothing when no row was refused.
    pub async fn write(self, lake: &Location, commit: &str) -> Result<Option<Path>, IngestError> {
        if self.rows == 0 {
            return Ok(None);
        }
        let path = lake.child(&format!("{QUARANTINE_FOLDER}/{commit}.jsonl"));
        let failed = |e: datafusion::object_store::Error| IngestError::Write {
            path: lake.describe(&path),
            reason: e.to_string(),
        };
        lake.put_whole(&path, self.lines).await.map_err(failed)?;
        Ok(Some(path))
    }
}
