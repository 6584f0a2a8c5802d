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
        TestLake { dir: tempfile::tempdir().expect("a temporary folder") }
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

/// Writes an IdentityLogonEvents file with one logon from 198.51.100.200 through an
/// outside ISP, an address no test logs on from.
pub fn write_outside_isp_logon(lake: &TestLake) {
    lake.write(
        "IdentityLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0)])),
            ("IPAddress", strings(&[Some("198.51.100.200")])),
            ("ISP", strings(&[Some("Contoso ISP")])),
        ]),
    );
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
    let fields: Vec<Field> =
        columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
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
    let lake = Lake::open(lake.to_str().expect("utf-8 path")).await?;
    let rule = Rule::resolve(rule)?;
    let engine = Engine::new(&EngineOptions::default()).unwrap();
    let hunt = engine.plan(&lake, &rule, &window).await?;
    let plan = hunt.physical_plan().await?;
    let mut stream = hunt.execute(plan)?;
    let mut findings = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = match batch {
            Ok(batch) => batch,
            Err(e) => return Err(hunt.diagnose(lakehunt::Error::query("test", e)).await),
        };
        findings.extend(findings_of(&batch));
    }
    Ok(findings)
}

/// The seed rule over the whole lake.
pub async fn hunt(lake: &Path) -> Vec<Finding> {
    hunt_with(lake, DEFAULT_RULE, TimeWindow::unbounded()).await.expect("the hunt runs")
}

/// Reads findings out of a batch with the seed rule's columns.
pub fn findings_of(batch: &RecordBatch) -> Vec<Finding> {
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, FINDING_COLUMNS);
    let text = |i: usize| cast(batch.column(i), &DataType::Utf8).expect("a string column");
    let texts: Vec<ArrayRef> = (0..5).map(text).collect();
    let time = |i: usize| {
        cast(batch.column(i), &DataType::Timestamp(TimeUnit::Nanosecond, None)).expect("time")
    };
    let (earliest, latest) = (time(5), time(6));
    let earliest = earliest.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
    let latest = latest.as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>();
    let instances = batch.column(7).as_any().downcast_ref::<Int64Array>().expect("Int64");
    let machines = batch.column(8).as_any().downcast_ref::<Int64Array>().expect("Int64");
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

/// Runs the seed rule over the lake through the library and returns its output batches as
/// they come, for tests that look at the findings' Arrow types rather than their values.
pub async fn hunt_batches(lake: &Path) -> Vec<RecordBatch> {
    let lake = Lake::open(lake.to_str().expect("utf-8 path")).await.expect("the lake opens");
    let rule = Rule::resolve(DEFAULT_RULE).expect("the seed rule");
    let engine = Engine::new(&EngineOptions::default()).unwrap();
    let window = TimeWindow::unbounded();
    let hunt = engine.plan(&lake, &rule, &window).await.expect("a plan");
    let plan = hunt.physical_plan().await.expect("a physical plan");
    let mut stream = hunt.execute(plan).expect("the hunt starts");
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        batches.push(batch.expect("a batch of findings"));
    }
    batches
}

/// How a test lake stores a string column; Parquet keeps the Arrow type in its footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringLayout {
    Utf8,
    LargeUtf8,
    Utf8View,
    Dictionary,
}

/// A string column from optional values, stored as `layout`.
pub fn strings_as(layout: StringLayout, values: &[Option<&str>]) -> ArrayRef {
    use datafusion::arrow::array::{DictionaryArray, LargeStringArray, StringViewArray};
    use datafusion::arrow::datatypes::Int32Type;
    match layout {
        StringLayout::Utf8 => strings(values),
        StringLayout::LargeUtf8 => Arc::new(LargeStringArray::from(values.to_vec())),
        StringLayout::Utf8View => Arc::new(StringViewArray::from(values.to_vec())),
        StringLayout::Dictionary => {
            Arc::new(values.iter().copied().collect::<DictionaryArray<Int32Type>>())
        }
    }
}

/// A timestamp column in `unit`, with the zone `zone` (or none), from optional instants
/// given in nanoseconds since the epoch; each instant must be whole in `unit`.
pub fn timestamps_as(unit: TimeUnit, zone: Option<&str>, nanos: &[Option<i64>]) -> ArrayRef {
    use datafusion::arrow::array::{
        TimestampMicrosecondArray, TimestampMillisecondArray, TimestampSecondArray,
    };
    let per_unit = match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    };
    let values: Vec<Option<i64>> = nanos
        .iter()
        .map(|n| {
            n.map(|n| {
                assert_eq!(n % per_unit, 0, "{n} ns is not whole in {unit:?}");
                n / per_unit
            })
        })
        .collect();
    match unit {
        TimeUnit::Second => Arc::new(TimestampSecondArray::from(values).with_timezone_opt(zone)),
        TimeUnit::Millisecond => {
            Arc::new(TimestampMillisecondArray::from(values).with_timezone_opt(zone))
        }
        TimeUnit::Microsecond => {
            Arc::new(TimestampMicrosecondArray::from(values).with_timezone_opt(zone))
        }
        TimeUnit::Nanosecond => {
            Arc::new(TimestampNanosecondArray::from(values).with_timezone_opt(zone))
        }
    }
}

/// One element of a native `IPAddresses` list, as Sentinel's lake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeIp {
    pub ip_address: Option<String>,
    pub subnet_prefix: Option<i64>,
    pub address_type: Option<String>,
}

/// A native `list<struct<IPAddress: utf8, SubnetPrefix: int64, AddressType: utf8>>` column:
/// `None` is a null list, `Some(None)` inside a list a null element.
pub fn native_ip_addresses(rows: &[Option<Vec<Option<NativeIp>>>]) -> ArrayRef {
    use datafusion::arrow::array::{Int64Builder, ListBuilder, StringBuilder, StructBuilder};
    let fields = vec![
        Field::new("IPAddress", DataType::Utf8, true),
        Field::new("SubnetPrefix", DataType::Int64, true),
        Field::new("AddressType", DataType::Utf8, true),
    ];
    let element = StructBuilder::new(
        fields,
        vec![
            Box::new(StringBuilder::new()),
            Box::new(Int64Builder::new()),
            Box::new(StringBuilder::new()),
        ],
    );
    let mut list = ListBuilder::new(element);
    for row in rows {
        let Some(elements) = row else {
            list.append(false);
            continue;
        };
        for element in elements {
            let values = list.values();
            let (ip, prefix, kind) = match element {
                Some(e) => (e.ip_address.as_deref(), e.subnet_prefix, e.address_type.as_deref()),
                None => (None, None, None),
            };
            values.field_builder::<StringBuilder>(0).expect("IPAddress").append_option(ip);
            values.field_builder::<Int64Builder>(1).expect("SubnetPrefix").append_option(prefix);
            values.field_builder::<StringBuilder>(2).expect("AddressType").append_option(kind);
            values.append(element.is_some());
        }
        list.append(true);
    }
    Arc::new(list.finish())
}
