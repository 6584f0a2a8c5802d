//! `lakehunt ingest`: each export format of a lake with planted truth, ingested into a new
//! lake, gives the seed rule the same findings; runs are incremental and idempotent,
//! survive a crash, quarantine what does not fit, and name the file and line of bad input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int32Type, TimestampNanosecondType};
use lakehunt::generate::{GenerateOptions, generate, read_truth};
use lakehunt::ingest::{IngestOptions, IngestReport, MANIFEST_FILE, ingest};
use lakehunt::schema;
use serde_json::{Value, json};

use crate::common::*;
use crate::exports::*;

/// A small generated lake with planted truth, under `dir`.
fn generated(dir: &Path) -> PathBuf {
    let out = dir.join("generated");
    let mut options = GenerateOptions::new(&out);
    options.logons = 20_000;
    options.devices = 200;
    options.days = 3;
    options.seed = 5;
    options.start = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    generate(&options).expect("the lake is generated");
    out
}

async fn run(from: &Path, to: &Path, table: Option<&str>) -> IngestReport {
    let options = IngestOptions {
        from: from.to_str().unwrap().into(),
        to: to.to_str().unwrap().into(),
        table: table.map(str::to_string),
    };
    ingest(&options).await.expect("ingest runs")
}

fn row_count(lake: &Path, table: &str) -> usize {
    parquet_files(&lake.join(table))
        .iter()
        .flat_map(|f| read_batches(f))
        .map(|b| b.num_rows())
        .sum()
}

fn total_rows(lake: &Path) -> usize {
    TABLES.iter().map(|t| row_count(lake, t)).sum()
}

/// Findings with their times cut to the second, as a portal export keeps them.
fn to_the_second(findings: Vec<Finding>) -> Vec<Finding> {
    let cut = |t: Option<i64>| t.map(|t| t - t.rem_euclid(1_000_000_000));
    findings
        .into_iter()
        .map(|f| Finding { earliest: cut(f.earliest), latest: cut(f.latest), ..f })
        .collect()
}

#[tokio::test]
async fn a_storage_export_gives_the_findings_of_the_lake_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("export");
    let rows = write_storage_export(&original, &export, true);
    let lake = dir.path().join("lake");

    let report = run(&export, &lake, None).await;

    assert_eq!(report.rows as usize, rows);
    assert_eq!(report.quarantined, 0);
    for table in TABLES {
        assert_eq!(row_count(&lake, table), row_count(&original, table), "{table}");
    }
    let findings = hunt(&lake).await;
    assert!(!findings.is_empty());
    assert_eq!(findings, hunt(&original).await);
    let truth = read_truth(&original).unwrap();
    let ips: BTreeSet<String> = findings.iter().map(|f| f.remote_ip.clone()).collect();
    assert_eq!(ips, truth.expected_findings().into_iter().collect());
}

#[tokio::test]
async fn the_ingested_lake_has_the_catalogue_types_date_partitions_and_rows_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("export");
    write_storage_export(&original, &export, true);
    let lake = dir.path().join("lake");
    run(&export, &lake, None).await;

    for table in TABLES {
        let expected = schema::table(table).unwrap().arrow_schema();
        let files = parquet_files(&lake.join(table));
        assert!(!files.is_empty());
        for file in files {
            let folder = file.parent().unwrap().file_name().unwrap().to_str().unwrap();
            let day = folder.strip_prefix("date=").expect("a date partition");
            let name = file.file_name().unwrap().to_str().unwrap();
            assert!(name.starts_with("ingest-"), "{name}");
            let reader = datafusion::parquet::file::reader::SerializedFileReader::new(
                std::fs::File::open(&file).unwrap(),
            )
            .unwrap();
            let meta = datafusion::parquet::file::reader::FileReader::metadata(&reader);
            let compression = meta.row_group(0).column(0).compression();
            assert!(format!("{compression:?}").starts_with("ZSTD"), "{compression:?}");

            let mut last = i64::MIN;
            for batch in read_batches(&file) {
                assert_eq!(batch.schema().fields(), expected.fields(), "{}", file.display());
                let times = batch.column(0).as_primitive::<TimestampNanosecondType>();
                for t in times.values() {
                    assert!(*t >= last, "rows in time order in {}", file.display());
                    last = *t;
                    let date = chrono::DateTime::from_timestamp_nanos(*t).date_naive();
                    assert_eq!(date.to_string(), day);
                }
            }
        }
    }
}

#[tokio::test]
async fn event_hub_captures_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("eventhub");
    let rows = write_event_hub_export(&original, &export, 40);
    let lake = dir.path().join("lake");

    let report = run(&export, &lake, None).await;

    assert_eq!(report.rows as usize, rows);
    assert_eq!(report.quarantined, 0);
    assert_eq!(hunt(&lake).await, hunt(&original).await);
}

#[tokio::test]
async fn portal_csv_exports_give_the_same_findings_to_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("csv");
    std::fs::create_dir_all(&export).unwrap();
    let lake = dir.path().join("lake");
    for table in TABLES {
        let file = export.join(format!("{}-export.csv", table.to_lowercase()));
        let rows = write_portal_csv(&original, table, &file);
        let report = run(&file, &lake, Some(table)).await;
        assert_eq!(report.rows as usize, rows, "{table}");
        assert_eq!(report.quarantined, 0, "{table}");
    }
    assert_eq!(hunt(&lake).await, to_the_second(hunt(&original).await));
}

#[tokio::test]
async fn running_ingest_again_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("export");
    write_storage_export(&original, &export, false);
    let lake = dir.path().join("lake");
    run(&export, &lake, None).await;
    let before = total_rows(&lake);

    let again = run(&export, &lake, None).await;

    assert_eq!((again.rows, again.files_written, again.sources_read), (0, 0, 0));
    assert!(again.sources_unchanged > 0);
    assert_eq!(total_rows(&lake), before);
}

/// One DeviceLogonEvents envelope line (with its CRLF) at `2026-01-01` plus `minutes`.
fn logon_line(minutes: i64, ip: &str) -> String {
    let row = json!({
        "Timestamp": iso(minute(minutes) + 1_234_567 * 100),
        "DeviceId": format!("dev-{minutes}"),
        "RemoteIP": ip,
        "RemoteIPType": "Public",
        "RemotePort": 3389,
        "IsLocalAdmin": false,
        "LogonId": 998877,
        "AdditionalFields": {"IsLocalLogon": true},
    });
    format!("{}\r\n", envelope("DeviceLogonEvents", row.as_object().unwrap()))
}

fn blob(export: &Path) -> PathBuf {
    let path = export.join(blob_path("DeviceLogonEvents", minute(0)));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    path
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[tokio::test]
async fn lines_appended_to_an_hourly_blob_are_added_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    let blob = blob(&export);
    append(&blob, &(0..5).map(|m| logon_line(m, "198.51.100.1")).collect::<String>());
    assert_eq!(run(&export, &lake, None).await.rows, 5);

    append(&blob, &(5..8).map(|m| logon_line(m, "198.51.100.2")).collect::<String>());
    let second = run(&export, &lake, None).await;

    assert_eq!(second.rows, 3);
    assert_eq!(row_count(&lake, "DeviceLogonEvents"), 8);
    assert_eq!(run(&export, &lake, None).await.rows, 0);
}

#[tokio::test]
async fn a_trailing_line_without_its_crlf_waits_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    let blob = blob(&export);
    let last = logon_line(3, "198.51.100.3");
    let (head, tail) = last.split_at(40);
    append(&blob, &(0..3).map(|m| logon_line(m, "198.51.100.1")).collect::<String>());
    append(&blob, head);

    let first = run(&export, &lake, None).await;
    assert_eq!((first.rows, first.quarantined), (3, 0));
    assert_eq!(first.bytes_held_back, head.len() as u64);

    append(&blob, tail);
    let second = run(&export, &lake, None).await;
    assert_eq!((second.rows, second.quarantined), (1, 0));
    assert_eq!(row_count(&lake, "DeviceLogonEvents"), 4);
}

#[tokio::test]
async fn values_keep_their_types_nanoseconds_and_json_text() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    append(&blob(&export), &logon_line(0, "198.51.100.1"));
    run(&export, &lake, None).await;

    let file = &parquet_files(&lake.join("DeviceLogonEvents"))[0];
    let batch = &read_batches(file)[0];
    let column = |name: &str| batch.column(batch.schema().index_of(name).unwrap()).clone();
    let time = column("Timestamp");
    assert_eq!(time.as_primitive::<TimestampNanosecondType>().value(0), minute(0) + 123_456_700);
    assert_eq!(column("RemotePort").as_primitive::<Int32Type>().value(0), 3389);
    let additional = column("AdditionalFields");
    assert_eq!(additional.as_string::<i32>().value(0), r#"{"IsLocalLogon":true}"#);
    assert!(column("AccountName").is_null(0), "a column the row lacks is null");
}

fn quarantine_entries(lake: &Path) -> Vec<Value> {
    let mut entries = Vec::new();
    for file in std::fs::read_dir(lake.join("_quarantine")).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        entries.extend(text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()));
    }
    entries.sort_by_key(|e| e["line"].as_u64());
    entries
}

#[tokio::test]
async fn bad_lines_and_values_that_do_not_fit_are_quarantined_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    let blob = blob(&export);
    let bad_port = logon_line(2, "198.51.100.2").replace("3389", "\"rdp\"");
    let no_time = logon_line(3, "198.51.100.3").replace("\"Timestamp\"", "\"When\"");
    let unknown = logon_line(4, "198.51.100.4").replace("-DeviceLogonEvents", "-DeviceTeaEvents");
    let lines = [
        logon_line(0, "198.51.100.1"),
        "{\"time\": \"2026-01-01T00:01:00Z\", \"category\": \r\n".to_string(),
        bad_port,
        no_time,
        unknown,
        logon_line(5, "198.51.100.5"),
    ];
    append(&blob, &lines.concat());

    let report = run(&export, &lake, None).await;

    assert_eq!((report.rows, report.quarantined), (2, 4));
    assert_eq!(report.unknown_tables.get("DeviceTeaEvents"), Some(&1));
    assert_eq!(report.quarantine_files.len(), 1);
    let entries = quarantine_entries(&lake);
    let lines: Vec<u64> = entries.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![2, 3, 4, 5]);
    let reasons: Vec<&str> = entries.iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert!(reasons[0].starts_with("not valid JSON"), "{}", reasons[0]);
    assert!(reasons[1].contains("column RemotePort: \"rdp\" is not a Kusto int"), "{}", reasons[1]);
    assert!(reasons[2].starts_with("no Timestamp"), "{}", reasons[2]);
    assert!(
        reasons[3].contains("DeviceTeaEvents is not in lakehunt's catalogue"),
        "{}",
        reasons[3]
    );
    for entry in &entries {
        assert!(entry["source"].as_str().unwrap().ends_with("PT1H.json"));
        assert!(entry["raw"].as_str().unwrap().contains("\"time\""), "{entry}");
    }
    assert_eq!(row_count(&lake, "DeviceLogonEvents"), 2);
}

#[tokio::test]
async fn a_run_interrupted_before_its_manifest_is_completed_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    let blob = blob(&export);
    append(&blob, &(0..4).map(|m| logon_line(m, "198.51.100.1")).collect::<String>());
    run(&export, &lake, None).await;
    let committed = std::fs::read(lake.join(MANIFEST_FILE)).unwrap();

    // A second run writes its files, then "crashes" before its manifest: put the first
    // run's manifest back, and leave a temporary file as a crash mid-write would.
    append(&blob, &(4..7).map(|m| logon_line(m, "198.51.100.2")).collect::<String>());
    assert_eq!(run(&export, &lake, None).await.rows, 3);
    std::fs::write(lake.join(MANIFEST_FILE), committed).unwrap();
    let day = parquet_files(&lake.join("DeviceLogonEvents"))[0].parent().unwrap().to_path_buf();
    std::fs::write(day.join(".ingest-19700101T000000000Z-0-00000.parquet.tmp"), b"PAR1").unwrap();
    assert_eq!(row_count(&lake, "DeviceLogonEvents"), 7, "the orphan is readable meanwhile");

    append(&blob, &logon_line(7, "198.51.100.3"));
    let next = run(&export, &lake, None).await;

    assert_eq!(next.orphans_removed, 2);
    assert_eq!(next.rows, 4);
    assert_eq!(row_count(&lake, "DeviceLogonEvents"), 8);
    let leftovers: Vec<_> = std::fs::read_dir(&day)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(run(&export, &lake, None).await.rows, 0);
}

const PORTAL_CSV: &str = "\u{feff}Timestamp,DeviceId,AccountDomain,RemoteIP,RemotePort,IsLocalAdmin\r\n\
    \"Oct 9, 2024 2:40:09 PM\",dev-1,,203.0.113.9,,True\r\n\
    \"Oct 9, 2024 11:05:00 AM\",dev-2,contoso,203.0.113.10,445,false\r\n";

#[tokio::test]
async fn a_portal_csv_with_a_bom_locale_timestamps_and_empty_strings_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logons.csv");
    std::fs::write(&file, PORTAL_CSV).unwrap();
    let lake = dir.path().join("lake");

    let report = run(&file, &lake, Some("DeviceLogonEvents")).await;

    assert_eq!((report.rows, report.quarantined), (2, 0));
    let files = parquet_files(&lake.join("DeviceLogonEvents"));
    assert!(files[0].to_str().unwrap().contains("date=2024-10-09"));
    let batch = &read_batches(&files[0])[0];
    let column = |name: &str| batch.column(batch.schema().index_of(name).unwrap()).clone();
    let times = column("Timestamp");
    let times = times.as_primitive::<TimestampNanosecondType>();
    assert_eq!(times.value(0), 1_728_471_900_000_000_000, "11:05 AM first: rows in time order");
    assert_eq!(times.value(1), 1_728_484_809_000_000_000);
    let domain = column("AccountDomain");
    assert_eq!(domain.as_string::<i32>().value(1), "", "an empty string stays a string");
    let port = column("RemotePort");
    assert!(port.is_null(1), "an empty number is null");
    assert_eq!(port.as_primitive::<Int32Type>().value(0), 445);
    assert_eq!(run(&file, &lake, Some("DeviceLogonEvents")).await.rows, 0);
}

#[test]
fn a_csv_header_without_timestamp_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logons.csv");
    std::fs::write(&file, "\u{feff}DeviceId,RemoteIP\r\ndev-1,203.0.113.9\r\n").unwrap();
    let lake = dir.path().join("lake");

    let output = lakehunt(&[
        "ingest",
        "--from",
        file.to_str().unwrap(),
        "--to",
        lake.to_str().unwrap(),
        "--table",
        "DeviceLogonEvents",
    ]);

    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("logons.csv line 1: the header has no Timestamp column"), "{stderr}");
}

#[test]
fn a_csv_without_a_table_and_an_unknown_table_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.csv");
    std::fs::write(&file, PORTAL_CSV).unwrap();
    let (from, to) = (file.to_str().unwrap(), dir.path().join("lake"));
    let to = to.to_str().unwrap();

    let output = lakehunt(&["ingest", "--from", from, "--to", to]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("export.csv is a CSV export, which does not name its table"),
        "{stderr}"
    );

    let output = lakehunt(&["ingest", "--from", from, "--to", to, "--table", "devicelogonevents"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("--table devicelogonevents is not in lakehunt's catalogue"),
        "{stderr}"
    );
}

#[test]
fn the_command_line_prints_a_one_line_summary_and_the_hunt_reads_the_lake() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("DeviceLogonEvents.csv");
    std::fs::write(&file, PORTAL_CSV).unwrap();
    let lake = dir.path().join("lake");
    let lake = lake.to_str().unwrap();

    let output = lakehunt(&["ingest", "--from", file.to_str().unwrap(), "--to", lake]);

    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("2 row(s) ingested (DeviceLogonEvents 2) into 1 file(s)"),
        "{stderr}"
    );
    let sql = dir.path().join("count.sql");
    std::fs::write(&sql, "SELECT count(*) AS n FROM DeviceLogonEvents").unwrap();
    let output = lakehunt(&["run", sql.to_str().unwrap(), "--lake", lake, "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "n\n2\n");
}

#[tokio::test]
async fn containers_of_tables_outside_the_catalogue_are_reported_and_left_unread() {
    let dir = tempfile::tempdir().unwrap();
    let (export, lake) = (dir.path().join("export"), dir.path().join("lake"));
    append(&blob(&export), &logon_line(0, "198.51.100.1"));
    let other =
        export.join("insights-logs-advancedhunting-devicetvmsoftwareevidencebeta/PT1H.json");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, "{}\r\n").unwrap();

    let report = run(&export, &lake, None).await;

    assert_eq!(report.rows, 1);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].reason.contains("not in lakehunt's catalogue"));
    assert!(report.skipped[0].display.contains("devicetvmsoftwareevidencebeta"));
}

/// Not a test: writes a Storage export of the lake at `$LAKEHUNT_EXPORT_LAKE` under
/// `$LAKEHUNT_EXPORT_OUT`, to measure ingest by hand:
/// `LAKEHUNT_EXPORT_LAKE=/tmp/g1 LAKEHUNT_EXPORT_OUT=/tmp/x1 cargo test --release --test it
/// -- --ignored ingest::write_a_storage_export_to_measure_by_hand`.
#[test]
#[ignore = "a tool for measuring ingest by hand"]
fn write_a_storage_export_to_measure_by_hand() {
    let lake = std::env::var("LAKEHUNT_EXPORT_LAKE").expect("LAKEHUNT_EXPORT_LAKE");
    let out = std::env::var("LAKEHUNT_EXPORT_OUT").expect("LAKEHUNT_EXPORT_OUT");
    let rows = write_storage_export(Path::new(&lake), Path::new(&out), false);
    eprintln!("{rows} rows written under {out}");
}
