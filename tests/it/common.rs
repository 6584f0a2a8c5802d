//! Helpers the behaviour tests share: small lakes written as real Parquet files, the seed
//! rule run through the library, and the `lakehunt` binary run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::parquet::arrow::ArrowWriter;
use futures::StreamExt;
use lakehunt::engine::{Engine, EngineOptions};
use lakehunt::lake::Lake;
use lakehunt::rule::{DEFAULT_RULE, Rule};
use lakehunt::window::TimeWindow;

/// A lake in a temporary folder, removed when dropped.
pub struct TestLake {
    dir: tempfile::TempDir,
}

impl TestLake {
    pub fn new() -> TestLake {
        TestLake {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `batch` as Parquet at `relative` (for example
    /// `DeviceLogonEvents/date=2026-01-01/part-0.parquet`).
    pub fn write(&self, relative: &str, batch: &RecordBatch) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("mkdir");
        let file = std::fs::File::create(&path).expect("create parquet file");
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
        writer.write(batch).expect("write batch");
        writer.close().expect("close parquet file");
        path
    }
}

/// A string column from optional values.
pub fn strings(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

/// A UTC nanosecond timestamp column.
pub fn timestamps(values: &[i64]) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(values.to_vec()).with_timezone("UTC"))
}

/// A batch from named columns; every column nullable.
pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("a valid batch")
}

/// `2026-01-01T00:00:00Z` plus `minutes`, in nanoseconds.
pub fn minute(minutes: i64) -> i64 {
    1_767_225_600_000_000_000 + minutes * 60_000_000_000
}

/// One row of the seed rule's findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub account_domain: String,
    pub account_name: String,
    pub logon_type: String,
    pub remote_ip: String,
    pub action_type: String,
    pub earliest: Option<i64>,
    pub latest: Option<i64>,
    pub instances: i64,
    pub distinct_machines: i64,
}

/// The findings' column names and types, as the issue fixes them.
pub const FINDING_COLUMNS: [&str; 9] = [
    "AccountDomain",
    "AccountName",
    "LogonType",
    "RemoteIP",
    "ActionType",
    "EarliestEvent",
    "LatestEvent",
    "Instances",
    "DistinctMachines",
];

/// Runs `rule` over the lake through the library and returns its findings in output order.
pub async fn hunt_with(
    lake: &Path,
    rule: &str,
    window: TimeWindow,
) -> lakehunt::Result<Vec<Finding>> {
    let lake = Lake::open(lake.to_str().expect("utf-8 path"))?;
    let rule = Rule::resolve(rule)?;
    let engine = Engine::new(&EngineOptions::default());
    let hunt = engine.plan(&lake, &rule, &window).await?;
    let plan = hunt.physical_plan().await?;
    let mut stream = hunt.execute(plan)?;
    let mut findings = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| lakehunt::Error::query("test", e))?;
        findings.extend(findings_of(&batch));
    }
    Ok(findings)
}

/// The seed rule over the whole lake.
pub async fn hunt(lake: &Path) -> Vec<Finding> {
    hunt_with(lake, DEFAULT_RULE, TimeWindow::unbounded())
        .await
        .expect("the hunt runs")
}

/// Reads findings out of a batch with the seed rule's columns.
pub fn findings_of(batch: &RecordBatch) -> Vec<Finding> {
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, FINDING_COLUMNS);
    let text = |i: usize| cast(batch.column(i), &DataType::Utf8).expect("a string column");
    let texts: Vec<ArrayRef> = (0..5).map(text).collect();
    let time = |i: usize| {
        cast(
            batch.column(i),
            &DataType::Timestamp(TimeUnit::Nanosecond, None),
        )
        .expect("time")
    };
    let (earliest, latest) = (time(5), time(6));
    let earliest = earliest.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
    let latest = latest.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
    let instances = batch
        .column(7)
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("Int64");
    let machines = batch
        .column(8)
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("Int64");
    (0..batch.num_rows())
        .map(|row| {
            let s = |i: usize| {
                let a = texts[i].as_string::<i32>();
                assert!(a.is_valid(row), "a Kusto string is never null");
                a.value(row).to_string()
            };
            Finding {
                account_domain: s(0),
                account_name: s(1),
                logon_type: s(2),
                remote_ip: s(3),
                action_type: s(4),
                earliest: earliest.is_valid(row).then(|| earliest.value(row)),
                latest: latest.is_valid(row).then(|| latest.value(row)),
                instances: instances.value(row),
                distinct_machines: machines.value(row),
            }
        })
        .collect()
}

/// Runs the `lakehunt` binary with `args`.
pub fn lakehunt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lakehunt"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("lakehunt runs")
}

/// Standard output and standard error of a finished run, as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
