//! Writing a lake without ever leaving a half-written one, or losing what the user had:
//! the lake is built in a temporary sibling of `--out` and renamed into place only once it
//! is complete. An existing non-empty `--out` is refused unless `--force`, and even then it
//! is moved aside first and deleted only after the new lake stands in its place.

use std::ffi::OsString;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::error::GenerateError;

/// How many numbered names to try for a temporary directory before giving up.
const NAME_ATTEMPTS: u32 = 1_000;

/// Refuses an `--out` that is a file, or a non-empty directory without `force`.
pub(crate) fn check_output(out: &Path, force: bool) -> Result<(), GenerateError> {
    let metadata = match fs::metadata(out) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(GenerateError::Io { action: "inspect", path: out.to_path_buf(), source });
        }
    };
    if !metadata.is_dir() {
        return Err(GenerateError::OutputNotDirectory { path: out.to_path_buf() });
    }
    if !force && !is_empty_dir(out)? {
        return Err(GenerateError::OutputNotEmpty { path: out.to_path_buf() });
    }
    Ok(())
}

fn is_empty_dir(dir: &Path) -> Result<bool, GenerateError> {
    let mut entries = fs::read_dir(dir).map_err(|source| GenerateError::Io {
        action: "list",
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(entries.next().is_none())
}

/// A temporary directory beside `--out` that becomes the lake.
#[derive(Debug)]
pub(crate) struct Staging {
    path: PathBuf,
    out: PathBuf,
}

impl Staging {
    /// Creates `<out>.tmp-<pid>` (or `<out>.tmp-<pid>-<n>` if that name is taken), creating
    /// `--out`'s parent directories if needed.
    pub(crate) fn create(out: &Path) -> Result<Self, GenerateError> {
        let (parent, name) = split(out)?;
        fs::create_dir_all(&parent).map_err(|source| GenerateError::Io {
            action: "create",
            path: parent.clone(),
            source,
        })?;
        let path = sibling(out, "tmp", |candidate| match fs::create_dir(candidate) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(source) => {
                Err(GenerateError::Io { action: "create", path: candidate.to_path_buf(), source })
            }
        })?;
        Ok(Staging { path, out: parent.join(name) })
    }

    /// The directory to fill.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the finished lake to `--out`. An existing `--out` (empty, or replaced under
    /// `force`) is first renamed aside and removed only once the new lake is in place; if
    /// that fails, it is put back.
    pub(crate) fn install(self, force: bool) -> Result<PathBuf, GenerateError> {
        if let Err(e) = check_output(&self.out, force) {
            self.discard();
            return Err(e);
        }
        if fs::symlink_metadata(&self.out).is_err() {
            return self.rename_into_place();
        }
        let aside =
            sibling(&self.out, "old", |candidate| Ok(fs::symlink_metadata(candidate).is_err()))?;
        if let Err(source) = fs::rename(&self.out, &aside) {
            let path = self.out.clone();
            self.discard();
            return Err(GenerateError::Io { action: "move aside the existing", path, source });
        }
        match fs::rename(&self.path, &self.out) {
            Ok(()) => {
                fs::remove_dir_all(&aside).map_err(|source| GenerateError::Io {
                    action: "remove the replaced lake, now at",
                    path: aside,
                    source,
                })?;
                Ok(self.out)
            }
            Err(source) => {
                let restored = fs::rename(&aside, &self.out);
                let failed = GenerateError::Io {
                    action: "rename the new lake into place at",
                    path: self.out.clone(),
                    source,
                };
                if restored.is_ok() {
                    self.discard();
                }
                Err(failed)
            }
        }
    }

    fn rename_into_place(self) -> Result<PathBuf, GenerateError> {
        match fs::rename(&self.path, &self.out) {
            Ok(()) => Ok(self.out),
            Err(source) => {
                let path = self.out.clone();
                self.discard();
                Err(GenerateError::Io { action: "rename the new lake into place at", path, source })
            }
        }
    }

    /// Removes the temporary directory and everything in it (it holds only what this run
    /// wrote). Failing to remove it is reported as a warning: the error that led here
    /// matters more.
    pub(crate) fn discard(self) {
        if let Err(e) = fs::remove_dir_all(&self.path) {
            tracing::warn!("could not remove temporary directory {}: {e}", self.path.display());
        }
    }
}

/// `--out`'s parent directory (`.` for a bare name) and final component. `--out` must end
/// in a name: `.`, `..` and `/` name no directory that could be replaced.
fn split(out: &Path) -> Result<(PathBuf, OsString), GenerateError> {
    let name = out.file_name().ok_or_else(|| GenerateError::InvalidOption {
        option: "out",
        reason: format!("{} does not end in a directory name", out.display()),
    })?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_os_string()))
}

/// The first free name `<out>.<tag>-<pid>[-<n>]` beside `--out`, where `claim` says
/// whether a candidate is free (and may take it).
fn sibling(
    out: &Path,
    tag: &str,
    mut claim: impl FnMut(&Path) -> Result<bool, GenerateError>,
) -> Result<PathBuf, GenerateError> {
    let (parent, name) = split(out)?;
    for n in 0..NAME_ATTEMPTS {
        let mut candidate = name.clone();
        candidate.push(format!(".{tag}-{}", std::process::id()));
        if n > 0 {
            candidate.push(format!("-{n}"));
        }
        let candidate = parent.join(candidate);
        if claim(&candidate)? {
            return Ok(candidate);
        }
    }
    Err(GenerateError::Io {
        action: "find a free temporary name beside",
        path: out.to_path_buf(),
        source: ErrorKind::AlreadyExists.into(),
    })
}
