//! Defender exports written from a lake's rows, for the ingest tests: the Streaming API's
//! Storage layout (hourly `PT1H.json` blobs of CRLF envelopes), Event Hub captures
//! (`{"records": [...]}` messages) and portal CSV exports (BOM, locale timestamps, empty
//! strings for nulls). Because the rows come from a lake with a known answer, a hunt over
//! the ingested export has a known answer too.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type, TimestampNanosecondType};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use lakehunt::schema::KustoType;
use serde_json::{Map, Value, json};

pub const TENANT: &str = "4f6a1c2e-0000-4000-8000-000000000001";
pub const TABLES: [&str; 3] = ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"];

/// The Parquet files under `dir`, in path order.
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(parquet_files(&path));
        } else if path.extension().is_some_and(|e| e == "parquet") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Every batch of one Parquet file.
pub fn read_batches(file: &Path) -> Vec<RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    reader.map(|b| b.unwrap()).collect()
}

/// A row as Defender's JSON has it: column name to value, nulls left out.
pub type Row = Map<String, Value>;

/// The rows of `table` in `lake`, each with its Timestamp in nanoseconds.
pub fn lake_rows(lake: &Path, table: &str) -> Vec<(i64, Row)> {
    let mut rows = Vec::new();
    for file in parquet_files(&lake.join(table)) {
        for batch in read_batches(&file) {
            for i in 0..batch.num_rows() {
                rows.push(row_of(&batch, i));
            }
        }
    }
    rows.sort_by_key(|(t, _)| *t);
    rows
}

fn row_of(batch: &RecordBatch, i: usize) -> (i64, Row) {
    let mut row = Map::new();
    let mut timestamp = 0;
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if column.is_null(i) {
            continue;
        }
        let value = match column.data_type() {
            DataType::Utf8 => json!(column.as_string::<i32>().value(i)),
            DataType::Timestamp(_, _) => {
                let nanos = column.as_primitive::<TimestampNanosecondType>().value(i);
                if field.name() == "Timestamp" {
                    timestamp = nanos;
                }
                json!(iso(nanos))
            }
            DataType::Boolean => json!(column.as_boolean().value(i)),
            DataType::Int32 => json!(column.as_primitive::<Int32Type>().value(i)),
            DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(i)),
            other => panic!("column {} of type {other} in a test lake", field.name()),
        };
        row.insert(field.name().clone(), value);
    }
    (timestamp, row)
}

/// An instant as Defender writes it: seven fractional digits and `Z`.
pub fn iso(nanos: i64) -> String {
    assert_eq!(nanos % 100, 0, "Defender's resolution is 100 ns");
    let time = DateTime::<Utc>::from_timestamp_nanos(nanos);
    format!("{}.{:07}Z", time.format("%Y-%m-%dT%H:%M:%S"), nanos.rem_euclid(1_000_000_000) / 100)
}

/// An instant as the portal's CSV export writes it, to the second.
pub fn portal_time(nanos: i64) -> String {
    DateTime::<Utc>::from_timestamp_nanos(nanos).format("%b %-d, %Y %-I:%M:%S %p").to_string()
}

/// The Streaming API envelope of one row.
pub fn envelope(table: &str, row: &Row) -> Value {
    json!({
        "time": row["Timestamp"],
        "tenantId": TENANT,
        "operationName": "Publish",
        "category": format!("AdvancedHunting-{table}"),
        "properties": row,
    })
}

/// The Storage path of the hourly blob holding an instant's rows of `table`.
pub fn blob_path(table: &str, nanos: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp_nanos(nanos);
    format!(
        "insights-logs-advancedhunting-{}/tenantId={TENANT}/{}/m=00/PT1H.json",
        table.to_lowercase(),
        t.format("y=%Y/m=%m/d=%d/h=%H")
    )
}

/// Writes `lake`'s three tables as a Storage export under `out`, one CRLF line per row in
/// hourly blobs, a lake file at a time. With `nest_json`, every other DeviceNetworkInfo row
/// carries IPAddresses as nested JSON rather than JSON text, as some exporters do.
pub fn write_storage_export(lake: &Path, out: &Path, nest_json: bool) -> usize {
    let mut rows = 0;
    for table in TABLES {
        for file in parquet_files(&lake.join(table)) {
            let mut file_rows: Vec<(i64, Row)> = read_batches(&file)
                .iter()
                .flat_map(|batch| (0..batch.num_rows()).map(|i| row_of(batch, i)))
                .collect();
            file_rows.sort_by_key(|(t, _)| *t);
            let mut blobs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            for (nanos, mut row) in file_rows {
                if nest_json && rows % 2 == 0 {
                    nest(&mut row, "IPAddresses");
                }
                let blob = blobs.entry(blob_path(table, nanos)).or_default();
                blob.extend_from_slice(envelope(table, &row).to_string().as_bytes());
                blob.extend_from_slice(b"\r\n");
                rows += 1;
            }
            for (path, bytes) in blobs {
                let path = out.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let mut blob =
                    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
                blob.write_all(&bytes).unwrap();
            }
        }
    }
    rows
}

fn nest(row: &mut Row, column: &str) {
    let nested = row.get(column).and_then(Value::as_str).and_then(|t| serde_json::from_str(t).ok());
    if let Some(nested @ Value::Array(_)) = nested {
        row.insert(column.to_string(), nested);
    }
}

/// Writes `lake`'s three tables as Event Hub captures under `out`: messages of up to
/// `per_message` records mixing the tables, one message per line, a few files.
pub fn write_event_hub_export(lake: &Path, out: &Path, per_message: usize) -> usize {
    let mut records: Vec<(i64, Value)> = TABLES
        .iter()
        .flat_map(|table| lake_rows(lake, table).into_iter().map(|(t, r)| (t, envelope(table, &r))))
        .collect();
    records.sort_by_key(|(t, _)| *t);
    let rows = records.len();
    std::fs::create_dir_all(out).unwrap();
    let messages: Vec<Value> = records
        .chunks(per_message)
        .map(|chunk| json!({"records": chunk.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>()}))
        .collect();
    for (i, file_messages) in messages.chunks(messages.len().div_ceil(3)).enumerate() {
        let mut file = std::fs::File::create(out.join(format!("capture-{i:02}.json"))).unwrap();
        for message in file_messages {
            writeln!(file, "{message}").unwrap();
        }
    }
    rows
}

/// Writes `lake`'s `table` as a portal CSV export at `path`: a BOM, the catalogue's
/// columns, locale timestamps to the second, empty strings for nulls.
pub fn write_portal_csv(lake: &Path, table: &str, path: &Path) -> usize {
    let def = lakehunt::schema::table(table).unwrap();
    let columns: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    let rows = lake_rows(lake, table);
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(&columns).unwrap();
        for (_, row) in &rows {
            let record: Vec<String> = def
                .columns
                .iter()
                .map(|c| match (row.get(c.name), c.kind) {
                    (None, _) => String::new(),
                    (Some(Value::String(s)), KustoType::DateTime) => {
                        portal_time(lakehunt::ingest::value::datetime_nanos(s).unwrap())
                    }
                    (Some(Value::String(s)), _) => s.clone(),
                    (Some(other), _) => other.to_string(),
                })
                .collect();
            writer.write_record(&record).unwrap();
        }
        writer.flush().unwrap();
    }
    std::fs::write(path, bytes).unwrap();
    rows.len()
}
