//! A lake: a location holding one folder (or one file) per table, on a local disk or an object
//! store (see [`crate::store`]). This module finds a table's Parquet files, skips the date
//! partitions a time window rules out before opening anything, reads the remaining footers
//! and unifies their schemas. All of it goes through the lake's [`ObjectStore`], so a lake in
//! an Azure container or an S3 bucket is found, pruned and read as one on disk.
//!
//! Layout: `<lake>/<Table>/**/*.parquet` (hive folders such as `date=2026-05-23/` or
//! `y=2026/m=05/d=23/` are recognised) or a single `<lake>/<Table>.parquet`. Names that start
//! with `_` or `.` are not data and are skipped.

mod partition;
mod unify;

use std::sync::Arc;

use datafusion::datasource::listing::ListingTableUrl;
use datafusion::datasource::physical_plan::parquet::metadata::DFParquetMetadata;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::object_store::path::Path;
use datafusion::object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use futures::{StreamExt, TryStreamExt};

pub use partition::{PartitionSpan, span_of};
pub use unify::{ColumnProblem, TableSchema, catalogue_schema, unify};

use crate::error::{Error, Result};
use crate::schema;
use crate::store::{Location, Purpose};
use crate::window::TimeWindow;

/// How many Parquet footers are read at once.
const FOOTER_CONCURRENCY: usize = 16;

/// A lake location and the object store that holds it.
#[derive(Debug, Clone)]
pub struct Lake {
    location: Location,
}

/// One Parquet file of a table.
#[derive(Debug, Clone)]
pub struct LakeFile {
    /// Where the file is in the lake's object store, its size and its version.
    pub meta: ObjectMeta,
    /// The span of time its partition folders promise, if they say.
    pub span: Option<PartitionSpan>,
}

/// A table of the lake as a hunt reads it: the files that survive the time window and the
/// unified schema of those files.
#[derive(Debug, Clone)]
pub struct LakeTable {
    /// The table's name, as Kusto spells it.
    pub name: String,
    /// Where the table lives, for messages.
    pub location: String,
    /// The files to read, in path order.
    pub files: Vec<LakeFile>,
    /// How many files the time window ruled out by their partition folders.
    pub pruned_files: usize,
    /// The schema the table is read with, and the columns that cannot be read.
    pub schema: TableSchema,
}

impl Lake {
    /// Opens a lake: a local folder, or an `az://<container>/<path>`,
    /// `abfss://<container>@<account>.dfs.core.windows.net/<path>` or `s3://<bucket>/<path>`
    /// URL whose store is configured from the environment. A store is listed once, so that a
    /// missing container or bucket, bad credentials or an unreachable endpoint are reported
    /// here, with what to set.
    pub async fn open(location: &str) -> Result<Lake> {
        let location = Location::open(location, Purpose::ReadLake)
            .await
            .map_err(|r| Error::LakeLocation { lake: r.location, reason: r.reason })?;
        Ok(Lake { location })
    }

    /// The lake's location as the user gave it.
    pub fn display(&self) -> &str {
        &self.location.display
    }

    /// The object store holding the lake.
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.location.store)
    }

    /// The URL DataFusion knows the lake's object store by.
    pub fn store_url(&self) -> &ObjectStoreUrl {
        &self.location.store_url
    }

    /// The URL of one file, as DataFusion's listing tables take it.
    pub fn file_url(&self, file: &LakeFile) -> Result<ListingTableUrl> {
        let url = self.location.url(&file.meta.location);
        ListingTableUrl::parse(&url).map_err(|e| Error::LakeLocation {
            lake: self.display().to_string(),
            reason: format!("cannot address {}: {e}", self.describe(&file.meta.location)),
        })
    }

    /// A path inside the lake as the user would write it.
    pub fn describe(&self, location: &Path) -> String {
        self.location.describe(location)
    }

    /// Finds table `name`, rules out the files whose partitions lie outside `window`, and
    /// reads the footers of the rest.
    pub async fn table(&self, name: &str, window: &TimeWindow) -> Result<LakeTable> {
        let (location, all_files) = self.list_table(name).await?;
        let total = all_files.len();
        let files: Vec<LakeFile> = all_files
            .iter()
            .filter(|f| f.span.is_none_or(|s| window.overlaps(s.start, s.end)))
            .cloned()
            .collect();
        let pruned_files = total - files.len();

        // With every file ruled out there is nothing to read; a file is opened for the
        // schema only when the catalogue cannot supply it.
        let schema = match (files.is_empty(), schema::table(name)) {
            (true, Some(def)) => catalogue_schema(def),
            (true, None) => {
                let newest = &all_files[all_files.len() - 1..];
                unify(None, &self.read_schemas(name, newest).await?)
            }
            (false, def) => unify(def, &self.read_schemas(name, &files).await?),
        };
        Ok(LakeTable { name: name.to_string(), location, files, pruned_files, schema })
    }

    /// Lists a table's Parquet files, sorted by path, with their partition spans.
    async fn list_table(&self, name: &str) -> Result<(String, Vec<LakeFile>)> {
        let single = self.location.child(&format!("{name}.parquet"));
        if let Ok(meta) = self.location.store.head(&single).await {
            let file = LakeFile { meta, span: None };
            return Ok((self.describe(&single), vec![file]));
        }

        let folder = self.location.child(name);
        let listed: Vec<ObjectMeta> =
            match self.location.store.list(Some(&folder)).try_collect().await {
                Ok(listed) => listed,
                Err(datafusion::object_store::Error::NotFound { .. }) => Vec::new(),
                Err(e) => {
                    return Err(Error::LakeLocation {
                        lake: self.display().to_string(),
                        reason: format!("cannot list {}: {e}", self.describe(&folder)),
                    });
                }
            };
        let mut files = Vec::new();
        let mut anything = false;
        for meta in listed {
            anything = true;
            let Some(parts) = meta.location.prefix_match(&folder) else {
                continue;
            };
            let parts: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
            let Some((file_name, folders)) = parts.split_last() else {
                continue;
            };
            let hidden = parts.iter().any(|p| p.starts_with('_') || p.starts_with('.'));
            if hidden || !file_name.ends_with(".parquet") {
                continue;
            }
            let folders: Vec<&str> = folders.iter().map(String::as_str).collect();
            let span = span_of(&folders);
            files.push(LakeFile { meta, span });
        }
        let location = format!("{}/", self.describe(&folder));
        if files.is_empty() {
            return Err(if anything {
                Error::EmptyTable { lake: self.display().to_string(), table: name.into(), location }
            } else {
                Error::TableNotFound { lake: self.display().to_string(), table: name.into() }
            });
        }
        files.sort_by(|a, b| a.meta.location.cmp(&b.meta.location));
        Ok((location, files))
    }

    /// Reads the Arrow schema of each file from its footer, naming the file that fails.
    async fn read_schemas(
        &self,
        table: &str,
        files: &[LakeFile],
    ) -> Result<Vec<(String, datafusion::arrow::datatypes::SchemaRef)>> {
        futures::stream::iter(files)
            .map(|file| async move {
                let shown = self.describe(&file.meta.location);
                let footer = DFParquetMetadata::new(self.location.store.as_ref(), &file.meta);
                match footer.fetch_schema().await {
                    Ok(schema) => Ok((shown, Arc::new(schema))),
                    Err(e) => Err(Error::UnreadableFile {
                        table: table.into(),
                        file: shown,
                        reason: e.to_string(),
                    }),
                }
            })
            .buffered(FOOTER_CONCURRENCY)
            .try_collect()
            .await
    }
}

impl LakeTable {
    /// How many files the hunt reads.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}
