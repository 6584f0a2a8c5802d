//! What can go wrong while generating a lake or reading its planted truth. Every variant
//! names the option, file or directory involved and says what the user can do about it.

use std::io;
use std::path::PathBuf;

use datafusion::arrow::error::ArrowError;
use datafusion::parquet::errors::ParquetError;

/// An error from [`generate`](super::generate) or [`read_truth`](super::read_truth).
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// An option is out of range.
    #[error("invalid --{option}: {reason}")]
    InvalidOption {
        /// The command-line spelling of the option, without dashes.
        option: &'static str,
        /// What is wrong and which values are accepted.
        reason: String,
    },

    /// The output directory holds something, and `--force` was not given.
    #[error(
        "output {} already exists and is not empty; choose another --out, or pass --force to \
         replace it once the new lake is complete",
        path.display()
    )]
    OutputNotEmpty {
        /// The `--out` directory.
        path: PathBuf,
    },

    /// The output path exists and is not a directory.
    #[error(
        "output {} exists and is not a directory; choose another --out (a file is never \
         replaced, even with --force)",
        path.display()
    )]
    OutputNotDirectory {
        /// The `--out` path.
        path: PathBuf,
    },

    /// A file system operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, as a verb phrase (`create`, `rename ... to`).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        source: io::Error,
    },

    /// The Parquet writer refused a file.
    #[error("cannot write Parquet file {}: {source}", path.display())]
    Parquet {
        /// The file being written (inside the temporary directory).
        path: PathBuf,
        source: ParquetError,
    },

    /// A batch of rows did not match its table's schema. This is a bug in the generator.
    #[error("cannot assemble rows for {} (a lakehunt bug; please report it): {source}", path.display())]
    Arrow {
        /// The file the rows were meant for.
        path: PathBuf,
        source: ArrowError,
    },

    /// The lake has no truth file.
    #[error(
        "no planted truth at {}; only lakes written by `lakehunt generate` have one",
        path.display()
    )]
    TruthMissing {
        /// Where the truth file was looked for.
        path: PathBuf,
    },

    /// The truth file exists but cannot be understood.
    #[error(
        "planted truth {} is malformed ({reason}); generate the lake again to rewrite it",
        path.display()
    )]
    TruthMalformed {
        /// The truth file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A table the generator writes is missing from the catalogue. This is a bug.
    #[error("table {table} is not in lakehunt's catalogue (a lakehunt bug; please report it)")]
    NotCatalogued {
        /// The table's name.
        table: &'static str,
    },

    /// A generator thread stopped without reporting. This is a bug in the generator.
    #[error("a generator thread panicked while writing {} (a lakehunt bug; please report it)", path.display())]
    WorkerPanicked {
        /// The temporary directory being filled, removed since.
        path: PathBuf,
    },
}
