//! Finding the exports under `--from`: a single file, or every file below a folder (or a
//! store prefix), in path order so that hourly blobs are read in time order.
//!
//! - `*.json` are JSON lines of Defender's Streaming API. Inside a Storage container
//!   `insights-logs-advancedhunting-<table>` they are one table's hourly blobs
//!   (`tenantId=.../y=/m=/d=/h=/m=00/PT1H.json`); elsewhere they are Event Hub captures, whose
//!   messages may mix tables. Either way each envelope's category names its table.
//! - `*.csv` are portal exports of the table `--table` names (or, without it, the table
//!   the file is named after, such as `DeviceLogonEvents.csv`).
//!
//! A container of a table the catalogue does not know is reported and left unread, so that
//! it is ingested once lakehunt knows the table; so are files of any other kind. Names
//! starting with `.` or `_` are skipped, as the lake skips them.

use std::sync::Arc;

use datafusion::object_store::path::Path;
use datafusion::object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use futures::TryStreamExt;

use crate::schema::{self, TableDef};

use super::error::IngestError;
use crate::store::Location;

/// The Storage export's container prefix, before the table's name in lower case.
const CONTAINER_PREFIX: &str = "insights-logs-advancedhunting-";

/// One export file to ingest.
#[derive(Debug, Clone)]
pub struct Source {
    /// The store holding it.
    pub store: Arc<dyn ObjectStore>,
    /// Where it is in its store.
    pub path: Path,
    /// The file as the user would write it.
    pub display: String,
    /// Its global name, by which the manifest records it.
    pub key: String,
    /// Its size now.
    pub size: u64,
    /// How to read it.
    pub format: SourceFormat,
}

/// How a source is read.
#[derive(Debug, Clone, Copy)]
pub enum SourceFormat {
    /// JSON lines: Storage blobs and Event Hub captures.
    JsonLines,
    /// A portal CSV export of one table.
    Csv(&'static TableDef),
}

/// A file under `--from` that is not ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub display: String,
    pub reason: String,
}

/// What `--from` holds.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
}

/// Lists the exports at `from`. `table` (from `--table`) names the table of CSV exports and
/// limits Storage containers to that table's.
pub async fn discover(
    from: &Location,
    table: Option<&'static TableDef>,
) -> Result<Discovery, IngestError> {
    let listed = list(from).await?;
    if listed.is_empty() {
        return Err(IngestError::SourceLocation {
            from: from.display.clone(),
            reason: "holds no files".into(),
        });
    }
    let mut found = Discovery::default();
    for meta in listed {
        let display = from.describe(&meta.location);
        let relative: Vec<String> = match meta.location.prefix_match(&from.root) {
            Some(parts) => parts.map(|p| p.as_ref().to_string()).collect(),
            None => meta.location.parts().map(|p| p.as_ref().to_string()).collect(),
        };
        if relative.iter().any(|p| p.starts_with('.') || p.starts_with('_')) {
            continue;
        }
        let name = meta.location.filename().unwrap_or_default().to_ascii_lowercase();
        let format = if name.ends_with(".json") {
            match container_table(from, &meta.location) {
                Some(ContainerTable::Unknown(container)) => {
                    let reason = format!(
                        "container {container} holds a table that is not in lakehunt's \
                         catalogue; it is left unread"
                    );
                    found.skipped.push(Skipped { display, reason });
                    continue;
                }
                Some(ContainerTable::Known(def)) if table.is_some_and(|t| t.name != def.name) => {
                    continue;
                }
                _ => SourceFormat::JsonLines,
            }
        } else if name.ends_with(".csv") {
            SourceFormat::Csv(csv_table(&meta.location, table, &display)?)
        } else {
            let reason = "not an export lakehunt reads (.json lines or .csv)".to_string();
            found.skipped.push(Skipped { display, reason });
            continue;
        };
        let key = from.url(&meta.location);
        let store = Arc::clone(&from.store);
        found.sources.push(Source {
            store,
            path: meta.location,
            display,
            key,
            size: meta.size,
            format,
        });
    }
    found.sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The file at `from`, or every file below it.
async fn list(from: &Location) -> Result<Vec<ObjectMeta>, IngestError> {
    // The root of a container or bucket is no object; anything below it may be one.
    let may_be_a_file = !from.root.as_ref().is_empty();
    if may_be_a_file && let Ok(meta) = from.store.head(&from.root).await {
        return Ok(vec![meta]);
    }
    match from.store.list(Some(&from.root)).try_collect().await {
        Ok(listed) => Ok(listed),
        Err(datafusion::object_store::Error::NotFound { .. }) => Ok(Vec::new()),
        Err(e) => Err(IngestError::SourceLocation {
            from: from.display.clone(),
            reason: format!("cannot list it: {e}"),
        }),
    }
}

enum ContainerTable {
    Known(&'static TableDef),
    Unknown(String),
}

/// The table of the Storage container a blob is in, if it is in one: the container `--from`
/// names (`az://insights-logs-advancedhunting-devicelogonevents`), or a folder of that name
/// (a downloaded export).
fn container_table(from: &Location, path: &Path) -> Option<ContainerTable> {
    let folders: Vec<String> = path.parts().map(|p| p.as_ref().to_string()).collect();
    let container =
        from.container.iter().chain(&folders).find(|name| name.starts_with(CONTAINER_PREFIX))?;
    let lower = &container[CONTAINER_PREFIX.len()..];
    let known = schema::tables().iter().find(|t| t.name.eq_ignore_ascii_case(lower));
    Some(match known {
        Some(def) => ContainerTable::Known(def),
        None => ContainerTable::Unknown(container.clone()),
    })
}

/// The table of a CSV export: `--table`, or the catalogued table the file is named after.
fn csv_table(
    path: &Path,
    table: Option<&'static TableDef>,
    display: &str,
) -> Result<&'static TableDef, IngestError> {
    if let Some(table) = table {
        return Ok(table);
    }
    let stem = path.filename().and_then(|n| n.rsplit_once('.')).map(|(stem, _)| stem);
    stem.and_then(schema::table).ok_or_else(|| IngestError::CsvTable {
        source_file: display.to_string(),
        known: catalogue_names(),
    })
}

/// The catalogued tables' names, for messages.
pub fn catalogue_names() -> String {
    schema::tables().iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}
