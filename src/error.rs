//! The one error type of the library. Each variant names what went wrong (the table, column,
//! file, rule or option involved) and, where there is one, what the user can do about it.

use std::path::PathBuf;

use datafusion::error::DataFusionError;

/// Everything that can stop a hunt, a translation, a lake generation or an output.
///
/// Causes are part of each message rather than chained as sources, so that every error
/// prints whole, once, wherever it is shown.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The lake location does not exist or is not a directory.
    #[error("lake {lake}: {reason}")]
    LakeLocation { lake: String, reason: String },

    /// A table the rule reads is not in the lake.
    #[error(
        "lake {lake}: no table {table} (looked for {lake}/{table}/ and {lake}/{table}.parquet); \
         check the --lake path and the table name's case"
    )]
    TableNotFound { lake: String, table: String },

    /// A table folder holds no Parquet file at all.
    #[error("lake {lake}: table {table} has no .parquet files under {location}")]
    EmptyTable { lake: String, table: String, location: String },

    /// A Parquet file could not be opened or its footer is corrupt.
    #[error("table {table}: cannot read Parquet file {file}: {reason}")]
    UnreadableFile { table: String, file: String, reason: String },

    /// A column the rule reads is not in any file of its table.
    #[error(
        "table {table}: column {column} is not in any of the table's {files} file(s), \
         and rule {rule} reads it"
    )]
    MissingColumn { table: String, column: String, files: usize, rule: String },

    /// A column the rule reads has a type lakehunt cannot read it as.
    #[error("{0}")]
    ColumnType(Box<ColumnType>),

    /// A column the rule reads is stored in two ways that cannot be read as one.
    #[error("{0}")]
    ColumnConflict(Box<ColumnConflict>),

    /// A rule name that is neither built in nor a readable file.
    #[error(
        "no rule called {name}: the built-in rules are {known}; a path must end in .sql, .kql, \
         .txt, .yaml or .yml, and - reads KQL from standard input"
    )]
    UnknownRule { name: String, known: String },

    /// A table name that is not in lakehunt's catalogue of Defender XDR tables.
    #[error("unknown table {table}: {hint}")]
    UnknownTable { table: String, hint: String },

    /// A rule file could not be read.
    #[error("cannot read rule file {path}: {error}")]
    RuleFile { path: PathBuf, error: std::io::Error },

    /// A rule failed to plan or run in DataFusion.
    #[error("rule {rule}: {error}")]
    Query { rule: String, error: Box<DataFusionError> },

    /// A rule needed more memory than `--memory-limit` allows, in an operator that cannot spill.
    #[error("rule {rule} needs more memory than --memory-limit allows; raise the limit: {error}")]
    MemoryLimit { rule: String, error: Box<DataFusionError> },

    /// The `--spill-dir` given is not a directory.
    #[error("--spill-dir {path} is not a directory")]
    SpillDir { path: PathBuf },

    /// A table could not be set up in DataFusion.
    #[error("table {table}: {error}")]
    TableSetup { table: String, error: Box<DataFusionError> },

    /// `--from`, `--to` or `--lookback` is not usable.
    #[error("time window: {0}")]
    TimeWindow(String),

    /// The output file exists and `--force` was not given.
    #[error("{path} already exists; pass --force to replace it, or choose another --out")]
    OutputExists { path: PathBuf },

    /// The output file's extension names no format lakehunt writes.
    #[error("cannot tell the format of {path} from its extension: use .parquet, .csv or .json")]
    OutputFormat { path: PathBuf },

    /// Writing findings failed.
    #[error("cannot write {target}: {error}")]
    Output { target: String, error: std::io::Error },

    /// `lakehunt generate` failed.
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),

    /// A KQL rule could not be parsed or translated: where, and what was expected.
    #[error("{0}")]
    Kql(Box<KqlError>),

    /// A Sentinel rule file is not the YAML lakehunt expects.
    #[error("rule file {path}: {reason}")]
    RuleYaml { path: String, reason: String },

    /// `lakehunt ingest` failed.
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),

    /// The cluster a hunt was sent to cannot run it: its scheduler does not answer, or has no
    /// executors.
    #[error("cluster {url}: {reason}")]
    Cluster { url: String, reason: String },

    /// A scheduler or executor process could not start, or stopped on an error.
    #[error("{service}: {reason}")]
    ClusterService { service: String, reason: String },

    /// Encoding findings failed.
    #[error("cannot encode findings for {target}: {reason}")]
    Encode { target: String, reason: String },
}

/// A file stores a column as a type that does not fit what the rule reads it as.
#[derive(Debug, thiserror::Error)]
#[error(
    "table {table}: column {column} in {file} is stored as {found}, \
     but rule {rule} needs it as {expected}"
)]
pub struct ColumnType {
    pub table: String,
    pub column: String,
    pub file: String,
    pub found: String,
    pub expected: String,
    pub rule: String,
}

/// Two files of a table store a column as types that cannot be read as one.
#[derive(Debug, thiserror::Error)]
#[error(
    "table {table}: column {column} is {first_type} in {first_file} but {second_type} in \
     {second_file}; rewrite one of them so that the table agrees with itself"
)]
pub struct ColumnConflict {
    pub table: String,
    pub column: String,
    pub first_file: String,
    pub first_type: String,
    pub second_file: String,
    pub second_type: String,
}

/// A KQL query that cannot be parsed or translated, placed on its line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KqlError {
    /// The file, rule or `-` (standard input) the query came from.
    pub origin: String,
    /// 1-based line of the fault.
    pub line: usize,
    /// 1-based column of the fault, in characters.
    pub column: usize,
    /// The text of that line.
    pub source_line: String,
    /// What was expected there, or why the construct is refused.
    pub message: String,
}

impl KqlError {
    /// The error at byte `offset` of `text`.
    pub fn at(origin: &str, text: &str, offset: usize, message: &str) -> KqlError {
        let offset = offset.min(text.len());
        let offset = (0..=offset).rev().find(|o| text.is_char_boundary(*o)).unwrap_or(0);
        let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
        KqlError {
            origin: origin.to_string(),
            line: text[..offset].matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
            source_line: text[line_start..line_end].trim_end_matches('\r').to_string(),
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for KqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gutter = self.line.to_string().len();
        writeln!(f, "{}:{}:{}: {}", self.origin, self.line, self.column, self.message)?;
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, self.source_line)?;
        write!(f, "{:gutter$} | {:>width$}", "", "^", width = self.column)
    }
}

impl std::error::Error for KqlError {}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps a DataFusion error raised while planning or running `rule`.
    pub fn query(rule: &str, source: DataFusionError) -> Self {
        let rule = rule.to_string();
        match source.find_root() {
            DataFusionError::ResourcesExhausted(_) => {
                Error::MemoryLimit { rule, error: Box::new(source) }
            }
            _ => Error::Query { rule, error: Box::new(source) },
        }
    }

    /// True when the error is a closed stdout (as with `| head`), which ends a run quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { error, .. } if error.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
