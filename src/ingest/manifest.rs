//! The ingest manifest, `<lake>/_lakehunt_ingest.json`: for every source file, how many
//! bytes (and lines) of it are in the lake, and the commits whose files belong to the lake.
//! It is the commit point of ingest: a run writes its Parquet and quarantine files first
//! and then replaces the manifest in one rename, so a file whose commit the manifest does
//! not list is the orphan of an interrupted run, which [`remove_orphans`] deletes before
//! the next run reads its sources again from the recorded offsets.
//!
//! ```json
//! {"format": "lakehunt.ingest-manifest.v1",
//!  "commits": ["20261203T163012123Z-0"],
//!  "sources": {"file:///exports/.../PT1H.json": {"offset": 18233, "lines": 12}}}
//! ```

use std::collections::{BTreeMap, BTreeSet};

use datafusion::object_store::ObjectStoreExt;
use datafusion::object_store::path::Path;
use futures::TryStreamExt;
use serde_json::{Value, json};

use super::error::IngestError;
use super::quarantine::QUARANTINE_FOLDER;
use super::writer::FILE_PREFIX;
use crate::store::Location;

/// The manifest's file name, directly under the lake's root (skipped by lake discovery).
pub const MANIFEST_FILE: &str = "_lakehunt_ingest.json";

const FORMAT: &str = "lakehunt.ingest-manifest.v1";

/// How far a source file has been ingested.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceState {
    /// Bytes from the start of the file that are in the lake (or its quarantine).
    pub offset: u64,
    /// Lines in those bytes, so that line numbers stay true across runs.
    pub lines: u64,
}

/// What the lake holds from which sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Commits whose files are part of the lake.
    pub commits: BTreeSet<String>,
    /// Per source (by its global name), what is ingested.
    pub sources: BTreeMap<String, SourceState>,
}

impl Manifest {
    /// Reads the lake's manifest; a lake without one has ingested nothing.
    pub async fn load(lake: &Location) -> Result<Manifest, IngestError> {
        let path = lake.child(MANIFEST_FILE);
        let shown = lake.describe(&path);
        let bytes = match lake.store.get(&path).await {
            Ok(found) => found.bytes().await,
            Err(datafusion::object_store::Error::NotFound { .. }) => return Ok(Manifest::default()),
            Err(e) => Err(e),
        };
        let bytes = bytes.map_err(|e| IngestError::LakeLocation {
            lake: lake.display.clone(),
            reason: format!("cannot read {shown}: {e}"),
        })?;
        let malformed =
            |reason: &str| IngestError::Manifest { path: shown.clone(), reason: reason.into() };
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(&e.to_string()))?;
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(malformed(&format!("its format is not {FORMAT}")));
        }
        let commits = value
            .get("commits")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("no commits list"))?
            .iter()
            .map(|c| {
                c.as_str().map(str::to_string).ok_or_else(|| malformed("a commit is not text"))
            })
            .collect::<Result<_, _>>()?;
        let mut sources = BTreeMap::new();
        let listed = value.get("sources").and_then(Value::as_object);
        for (name, state) in listed.ok_or_else(|| malformed("no sources object"))? {
            let number = |key| state.get(key).and_then(Value::as_u64);
            let (Some(offset), Some(lines)) = (number("offset"), number("lines")) else {
                return Err(malformed(&format!("source {name} lacks an offset or a line count")));
            };
            sources.insert(name.clone(), SourceState { offset, lines });
        }
        Ok(Manifest { commits, sources })
    }

    /// Replaces the lake's manifest in one step (a rename on disk, one put on an object
    /// store): the commit point of a run.
    pub async fn save(&self, lake: &Location) -> Result<(), IngestError> {
        let sources: serde_json::Map<String, Value> = self
            .sources
            .iter()
            .map(|(name, s)| (name.clone(), json!({"offset": s.offset, "lines": s.lines})))
            .collect();
        let value = json!({"format": FORMAT, "commits": self.commits, "sources": sources});
        let path = lake.child(MANIFEST_FILE);
        let failed = |e: datafusion::object_store::Error| IngestError::Write {
            path: lake.describe(&path),
            reason: e.to_string(),
        };
        let text = serde_json::to_vec_pretty(&value).map_err(|e| IngestError::Write {
            path: lake.describe(&path),
            reason: e.to_string(),
        })?;
        lake.put_whole(&path, text).await.map_err(failed)
    }
}

/// The commit a file ingest wrote belongs to, from its name: `ingest-<commit>-<n>.parquet`
/// for data, `<commit>.jsonl` in the quarantine folder.
fn commit_of(path: &Path) -> Option<String> {
    let parts: Vec<String> = path.parts().map(|p| p.as_ref().to_string()).collect();
    let (name, folders) = parts.split_last()?;
    if let Some(rest) = name.strip_prefix(FILE_PREFIX).and_then(|r| r.strip_suffix(".parquet")) {
        return rest.rsplit_once('-').map(|(commit, _)| commit.to_string());
    }
    if folders.last().is_some_and(|folder| folder == QUARANTINE_FOLDER) {
        return name.strip_suffix(".jsonl").map(str::to_string);
    }
    None
}

/// A temporary file ingest puts before renaming it into place.
fn is_temporary(path: &Path) -> bool {
    path.filename().is_some_and(|name| {
        name.ends_with(".tmp")
            && (name.starts_with(&format!(".{FILE_PREFIX}"))
                || name.starts_with(&format!(".{MANIFEST_FILE}"))
                || name.ends_with(".jsonl.tmp"))
    })
}

/// Deletes what interrupted runs left in the lake: temporary files, and data and quarantine
/// files of commits the manifest does not list. Returns how many files were deleted. Files
/// that ingest did not write (such as `generate`'s `part-00000.parquet`) are never touched.
pub async fn remove_orphans(lake: &Location, manifest: &Manifest) -> Result<usize, IngestError> {
    let listed: Vec<Path> =
        match lake.store.list(Some(&lake.root)).map_ok(|m| m.location).try_collect().await {
            Ok(listed) => listed,
            Err(datafusion::object_store::Error::NotFound { .. }) => Vec::new(),
            Err(e) => {
                return Err(IngestError::LakeLocation {
                    lake: lake.display.clone(),
                    reason: format!("cannot list it: {e}"),
                });
            }
        };
    let mut removed = 0;
    for path in listed {
        let orphan = is_temporary(&path)
            || commit_of(&path).is_some_and(|commit| !manifest.commits.contains(&commit));
        if orphan {
            lake.store.delete(&path).await.map_err(|e| IngestError::Write {
                path: lake.describe(&path),
                reason: format!("cannot delete this file of an interrupted run: {e}"),
            })?;
            tracing::info!(file = %lake.describe(&path), "removed a file of an interrupted ingest");
            removed += 1;
        }
    }
    Ok(removed)
}
