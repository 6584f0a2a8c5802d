//! The catalogue of Defender XDR tables from the command line: the seed rule behaves on the
//! sample lake exactly as it did when lakehunt knew only its three tables, a lake holding one
//! of the newly catalogued tables is read against that table's Kusto types, and
//! `lakehunt schema` shows what lakehunt knows.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array};

use crate::common::{TestLake, batch, lakehunt, minute, strings, texts, timestamps};

/// The seed rule's findings on `data/sample`, as lakehunt gave them before the catalogue grew.
const SAMPLE_FINDINGS: usize = 203;

#[test]
fn the_seed_rule_finds_the_same_on_the_sample_lake() {
    let output = lakehunt(&["run", "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), SAMPLE_FINDINGS + 1);
    assert_eq!(
        rows[0],
        "AccountDomain,AccountName,LogonType,RemoteIP,ActionType,EarliestEvent,LatestEvent,\
         Instances,DistinctMachines"
    );
    assert_eq!(
        rows[1],
        ",ADMINISTRATOR,Network,179.167.230.203,LogonFailed,2026-01-05T13:22:56.785838600Z,\
         2026-01-05T13:22:56.785838600Z,1,1"
    );
    assert_eq!(
        rows[SAMPLE_FINDINGS],
        "WS-0175,user,RemoteInteractive,188.167.216.23,LogonFailed,\
         2026-01-05T16:48:56.563579300Z,2026-01-05T16:48:56.563579300Z,1,1"
    );
    let instances: i64 =
        rows[1..].iter().filter_map(|r| r.split(',').nth(7)?.parse::<i64>().ok()).sum();
    assert_eq!(instances, 227);
    assert!(
        stderr.contains(
            "3 table(s), 21 file(s) read, 0 pruned by partition, 0 by statistics, \
             0 row group(s) pruned, 44,166 rows scanned, 203 finding(s)"
        ),
        "{stderr}"
    );
}

#[test]
fn the_variant_and_a_window_find_the_same_on_the_sample_lake() {
    let output =
        lakehunt(&["run", "device-logons-from-unknown-ips-as-commented", "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 114);

    let output =
        lakehunt(&["run", "--from", "2026-01-03", "--to", "2026-01-04", "--format", "csv"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "6 file(s) read, 15 pruned by partition, 0 by statistics, \
             0 row group(s) pruned, 12,613 rows scanned, 56 finding(s)"
        ),
        "{stderr}"
    );
}

/// A DeviceProcessEvents file with a few of Defender's columns, ProcessId stored as `ids`,
/// and one column Defender does not document.
fn process_events(lake: &TestLake, ids: ArrayRef) {
    lake.write(
        "DeviceProcessEvents/date=2026-01-01/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0), minute(1), minute(2)])),
            ("DeviceName", strings(&[Some("ws-1"), Some("ws-2"), None])),
            ("ProcessCommandLine", strings(&[Some("whoami /all"), Some("notepad"), None])),
            ("ProcessId", ids),
            ("ExportBatch", strings(&[Some("b1"), Some("b1"), Some("b1")])),
        ]),
    );
}

fn write_rule(dir: &tempfile::TempDir, sql: &str) -> String {
    let path = dir.path().join("rule.sql");
    std::fs::write(&path, sql).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_newly_catalogued_table_is_read_with_its_kusto_types() {
    let lake = TestLake::new();
    process_events(&lake, Arc::new(Int64Array::from(vec![Some(4), Some(5_000_000_000), None])));
    let dir = tempfile::tempdir().unwrap();
    let rule = write_rule(
        &dir,
        "SELECT DeviceName, ProcessId, arrow_typeof(ProcessId) AS type, ExportBatch \
         FROM DeviceProcessEvents WHERE ProcessCommandLine LIKE '%whoami%'",
    );
    let output =
        lakehunt(&["run", &rule, "--lake", lake.path().to_str().unwrap(), "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "DeviceName,ProcessId,type,ExportBatch\nws-1,4,Int64,b1\n");
}

#[test]
fn a_documented_column_the_files_lack_is_named() {
    let lake = TestLake::new();
    process_events(&lake, Arc::new(Int64Array::from(vec![Some(4), Some(5), None])));
    let dir = tempfile::tempdir().unwrap();
    let rule = write_rule(&dir, "SELECT AccountName FROM DeviceProcessEvents");
    let output = lakehunt(&["run", &rule, "--lake", lake.path().to_str().unwrap()]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains(
            "table DeviceProcessEvents: column AccountName is not in any of the \
             table's 1 file(s)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_column_stored_against_its_kusto_type_is_refused() {
    let lake = TestLake::new();
    process_events(&lake, strings(&[Some("4"), Some("5"), None]));
    let dir = tempfile::tempdir().unwrap();
    let rule = write_rule(&dir, "SELECT ProcessId FROM DeviceProcessEvents");
    let output = lakehunt(&["run", &rule, "--lake", lake.path().to_str().unwrap()]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("column ProcessId"), "{stderr}");
    assert!(stderr.contains("Kusto type long"), "{stderr}");
}

#[test]
fn a_window_that_rules_out_every_file_plans_against_the_catalogue() {
    let lake = TestLake::new();
    process_events(&lake, Arc::new(Int64Array::from(vec![Some(4), Some(5), None])));
    let dir = tempfile::tempdir().unwrap();
    let rule = write_rule(
        &dir,
        "SELECT AccountUpn, InitiatingProcessRemoteSessionIP FROM DeviceProcessEvents",
    );
    let lake_path = lake.path().to_str().unwrap();
    let output = lakehunt(&["run", &rule, "--lake", lake_path, "--from", "2027-01-01"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 finding(s)"), "{stderr}");
}

#[test]
fn schema_lists_every_catalogued_table_with_its_column_count() {
    let output = lakehunt(&["schema"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 31);
    let count_of = |table: &str| {
        lines.iter().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(table)).then(|| words.next().map(str::to_string)).flatten()
        })
    };
    assert_eq!(count_of("DeviceLogonEvents").as_deref(), Some("48"));
    assert_eq!(count_of("DeviceNetworkInfo").as_deref(), Some("16"));
    assert_eq!(count_of("IdentityLogonEvents").as_deref(), Some("26"));
    assert_eq!(count_of("DeviceProcessEvents").as_deref(), Some("66"));
    assert_eq!(count_of("EmailEvents").as_deref(), Some("39"));
}

#[test]
fn schema_of_a_table_prints_its_columns_and_kusto_types_in_order() {
    let output = lakehunt(&["schema", "IdentityLogonEvents"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(lines[0], ["IdentityLogonEvents"]);
    assert_eq!(lines.len(), 1 + 26);
    assert_eq!(lines[1], ["Timestamp", "datetime"]);
    assert_eq!(lines[17], ["Port", "int"]);
    assert_eq!(lines[24], ["ISP", "string"]);
    assert_eq!(lines[26], ["AdditionalFields", "dynamic"]);
}

#[test]
fn schema_of_a_misspelt_table_suggests_the_right_one() {
    let output = lakehunt(&["schema", "devicelogonevents"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("unknown table devicelogonevents: did you mean DeviceLogonEvents?"),
        "{stderr}"
    );
}

#[test]
fn a_snapshot_table_without_timestamp_is_read_whole_under_a_window() {
    let lake = TestLake::new();
    lake.write(
        "DeviceTvmSoftwareInventory.parquet",
        &batch(vec![
            ("DeviceId", strings(&[Some("d2"), Some("d1")])),
            ("SoftwareName", strings(&[Some("chrome"), Some("edge")])),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let rule = write_rule(
        &dir,
        "SELECT DeviceId, SoftwareName FROM DeviceTvmSoftwareInventory ORDER BY DeviceId",
    );
    let lake_path = lake.path().to_str().unwrap();
    let window = ["--from", "2026-01-01", "--to", "2026-01-02"];
    let output =
        lakehunt(&[&["run", &rule, "--lake", lake_path, "--format", "csv"][..], &window].concat());
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "DeviceId,SoftwareName\nd1,edge\nd2,chrome\n");
    assert!(stderr.contains("no Timestamp column"), "{stderr}");
}
