//! What can stop `lakehunt ingest`. Each variant names the source file (and line), the lake
//! or the table involved and says what the user can do. Rows that are merely bad are not
//! errors: they go to the quarantine (see [`super::quarantine`]).

/// An error that stops an ingest run. Nothing of the run is committed: the lake keeps what
/// earlier runs ingested, and the next run starts where they ended.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// `--from` cannot be read, or holds nothing lakehunt can ingest.
    #[error("--from {from}: {reason}")]
    SourceLocation {
        /// The location as the user gave it.
        from: String,
        /// What is wrong and what to do.
        reason: String,
    },

    /// The `--to` lake cannot be created, read or written.
    #[error("--to {lake}: {reason}")]
    LakeLocation {
        /// The lake as the user gave it.
        lake: String,
        /// What is wrong and what to do.
        reason: String,
    },

    /// A source file cannot be read.
    #[error("cannot read {source_file}: {reason}")]
    Read {
        /// The source file.
        source_file: String,
        /// The store's explanation.
        reason: String,
    },

    /// A source file cannot be understood as a whole (a CSV header, say).
    #[error("{source_file} line {line}: {reason}")]
    Format {
        /// The source file.
        source_file: String,
        /// The 1-based line number.
        line: u64,
        /// What is wrong and what to do.
        reason: String,
    },

    /// A CSV export does not say which table it holds.
    #[error(
        "{source_file} is a CSV export, which does not name its table: pass --table with one \
         of {known}"
    )]
    CsvTable {
        /// The CSV file.
        source_file: String,
        /// The catalogued tables.
        known: String,
    },

    /// `--table` names a table lakehunt does not know.
    #[error(
        "--table {table} is not in lakehunt's catalogue (names are case-sensitive); the \
         catalogued tables are {known}"
    )]
    UnknownTable {
        /// The table as given.
        table: String,
        /// The catalogued tables.
        known: String,
    },

    /// The lake's ingest manifest exists but cannot be understood.
    #[error(
        "ingest manifest {path} is malformed ({reason}); it records what was ingested, so \
         restore it from a backup rather than delete it, or ingest into a new lake"
    )]
    Manifest {
        /// The manifest file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Writing a file of the lake failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file being written.
        path: String,
        /// The store's or the encoder's explanation.
        reason: String,
    },
}
