//! Where ingest reads and writes: a location the user names (`--from`, `--to`) resolved to
//! an object store and a path inside it. Everything else in ingest goes through the
//! [`ObjectStore`] trait, so that a store for `az://` or `s3://` URLs only has to be added
//! here. Local folders are served by [`LocalFileSystem`].

use std::sync::Arc;

use datafusion::object_store::ObjectStore;
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::Path;

/// A location resolved to the store that holds it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The location as the user gave it, for messages.
    pub display: String,
    /// The store holding it.
    pub store: Arc<dyn ObjectStore>,
    /// The path of the location inside the store.
    pub root: Path,
    /// The store's URL scheme and authority (`file://`), which makes a path a global name.
    pub store_url: String,
}

/// How to resolve a location; the reason is an error message when it cannot be.
pub fn resolve(location: &str, create: bool) -> Result<Location, String> {
    if location.contains("://") {
        return Err("object stores (az://, s3://) are not supported by ingest yet; download the \
             export to a local folder, or ingest into a local lake"
            .into());
    }
    if create {
        std::fs::create_dir_all(location).map_err(|e| format!("cannot create the folder: {e}"))?;
    }
    let absolute = std::fs::canonicalize(location).map_err(|e| format!("cannot open it: {e}"))?;
    let root = Path::from_absolute_path(&absolute).map_err(|e| e.to_string())?;
    Ok(Location {
        display: location.trim_end_matches('/').to_string(),
        store: Arc::new(LocalFileSystem::new()),
        root,
        store_url: "file:///".into(),
    })
}

impl Location {
    /// A path inside the location as the user would write it.
    pub fn describe(&self, path: &Path) -> String {
        match path.prefix_match(&self.root) {
            Some(parts) => {
                let parts: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
                if parts.is_empty() {
                    self.display.clone()
                } else {
                    format!("{}/{}", self.display, parts.join("/"))
                }
            }
            None => path.to_string(),
        }
    }

    /// The global name of a path in the store, as the manifest records sources by it.
    pub fn url(&self, path: &Path) -> String {
        format!("{}{}", self.store_url, path)
    }

    /// `relative` (slash-separated) inside the location.
    pub fn child(&self, relative: &str) -> Path {
        relative
            .split('/')
            .filter(|p| !p.is_empty())
            .fold(self.root.clone(), |p, part| p.join(part))
    }
}
