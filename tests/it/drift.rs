//! A table's files drift over the years: columns are added and dropped, strings and
//! timestamps are stored in different Arrow types. These tests pin that such files are read as
//! one table, and that what cannot be read stops the hunt with a message naming the culprit.

use std::path::Path;

use datafusion::arrow::array::{ArrayRef, Int64Array};
use datafusion::arrow::datatypes::TimeUnit;
use lakehunt::rule::DEFAULT_RULE;
use lakehunt::window::TimeWindow;

use crate::common::*;

/// A DeviceNetworkInfo file whose device owns 10.0.0.4.
fn write_network_info(lake: &TestLake) {
    let owned = r#"[{"IPAddress":"10.0.0.4","SubnetPrefix":24,"AddressType":"Private"}]"#;
    lake.write(
        "DeviceNetworkInfo/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0)])),
            ("DeviceId", strings(&[Some("dev-9")])),
            ("IPAddresses", strings(&[Some(owned)])),
        ]),
    );
}

/// A DeviceLogonEvents file with one public logon per `(device, remote ip)`, all strings in
/// `layout`.
fn logons_in(layout: StringLayout, rows: &[(&str, &str)]) -> Vec<(&'static str, ArrayRef)> {
    let n = rows.len();
    let text = |value: &str| strings_as(layout, &vec![Some(value); n]);
    let devices: Vec<Option<&str>> = rows.iter().map(|r| Some(r.0)).collect();
    let ips: Vec<Option<&str>> = rows.iter().map(|r| Some(r.1)).collect();
    vec![
        ("Timestamp", timestamps(&vec![minute(0); n])),
        ("DeviceId", strings_as(layout, &devices)),
        ("AccountDomain", text("contoso")),
        ("AccountName", text("alice")),
        ("LogonType", text("Network")),
        ("RemoteIP", strings_as(layout, &ips)),
        ("RemoteIPType", text("Public")),
        ("ActionType", text("LogonSuccess")),
    ]
}

/// A lake whose DeviceNetworkInfo and IdentityLogonEvents are plain, with `logons` written as
/// DeviceLogonEvents files in order.
fn lake_with_logon_files(logons: Vec<Vec<(&str, ArrayRef)>>) -> TestLake {
    let lake = TestLake::new();
    write_network_info(&lake);
    write_outside_isp_logon(&lake);
    for (i, columns) in logons.into_iter().enumerate() {
        lake.write(&format!("DeviceLogonEvents/part-{i}.parquet"), &batch(columns));
    }
    lake
}

fn key_of(f: &Finding) -> [&str; 5] {
    [&f.account_domain, &f.account_name, &f.logon_type, &f.remote_ip, &f.action_type]
}

#[tokio::test]
async fn columns_a_file_lacks_read_as_empty_strings() {
    // The older file predates AccountDomain and LogonType; the newer one dropped DeviceId and
    // lists its columns in another order.
    let older = vec![
        ("Timestamp", timestamps(&[minute(1)])),
        ("DeviceId", strings(&[Some("dev-1")])),
        ("AccountName", strings(&[Some("alice")])),
        ("RemoteIP", strings(&[Some("203.0.113.9")])),
        ("RemoteIPType", strings(&[Some("Public")])),
        ("ActionType", strings(&[Some("LogonSuccess")])),
    ];
    let newer = vec![
        ("ActionType", strings(&[Some("LogonSuccess"), Some("LogonSuccess")])),
        ("RemoteIPType", strings(&[Some("Public"), Some("Public")])),
        ("RemoteIP", strings(&[Some("203.0.113.9"), Some("203.0.113.9")])),
        ("LogonType", strings(&[Some(""), Some("Network")])),
        ("AccountName", strings(&[Some("alice"), Some("alice")])),
        ("AccountDomain", strings(&[None, Some("contoso")])),
        ("Timestamp", timestamps(&[minute(2), minute(3)])),
    ];
    let lake = lake_with_logon_files(vec![older, newer]);

    let findings = hunt(lake.path()).await;
    let summary: Vec<_> = findings
        .iter()
        .map(|f| (key_of(f), f.earliest, f.latest, f.instances, f.distinct_machines))
        .collect();
    assert_eq!(
        summary,
        [
            (
                ["", "alice", "", "203.0.113.9", "LogonSuccess"],
                Some(minute(1)),
                Some(minute(2)),
                2,
                2
            ),
            (
                ["contoso", "alice", "Network", "203.0.113.9", "LogonSuccess"],
                Some(minute(3)),
                Some(minute(3)),
                1,
                1
            ),
        ]
    );
}

#[tokio::test]
async fn strings_stored_four_ways_read_as_one_column() {
    use StringLayout::*;
    let layouts = [Utf8, LargeUtf8, Utf8View, Dictionary];
    let lake = TestLake::new();
    for (i, layout) in layouts.into_iter().enumerate() {
        let device = format!("dev-{i}");
        let owned = format!("10.0.1.{i}");
        let identity = format!("198.51.100.{i}");
        let rows = [
            (device.as_str(), "203.0.113.9"),
            (device.as_str(), owned.as_str()),
            (device.as_str(), identity.as_str()),
        ];
        lake.write(
            &format!("DeviceLogonEvents/part-{i}.parquet"),
            &batch(logons_in(layout, &rows)),
        );
        let ip_addresses = format!(r#"[{{"IPAddress":"{owned}"}}]"#);
        lake.write(
            &format!("DeviceNetworkInfo/part-{i}.parquet"),
            &batch(vec![
                ("DeviceId", strings_as(layout, &[Some(&device)])),
                ("IPAddresses", strings_as(layout, &[Some(&ip_addresses)])),
            ]),
        );
        lake.write(
            &format!("IdentityLogonEvents/part-{i}.parquet"),
            &batch(vec![
                ("IPAddress", strings_as(layout, &[Some(&identity)])),
                ("ISP", strings_as(layout, &[Some("Contoso ISP")])),
            ]),
        );
    }

    let findings = hunt(lake.path()).await;
    let summary: Vec<_> =
        findings.iter().map(|f| (key_of(f), f.instances, f.distinct_machines)).collect();
    let key = ["contoso", "alice", "Network", "203.0.113.9", "LogonSuccess"];
    assert_eq!(summary, [(key, 4, 4)]);
}

#[tokio::test]
async fn timestamps_in_any_unit_with_or_without_a_zone_read_as_utc_instants() {
    use TimeUnit::*;
    let files = [
        (Millisecond, None, minute(20)),
        (Millisecond, Some("UTC"), minute(30)),
        (Microsecond, None, minute(40)),
        (Microsecond, Some("+02:00"), minute(60) + 5_000),
        (Nanosecond, None, minute(1) + 7),
        (Nanosecond, Some("+00:00"), minute(50)),
        (Second, Some("UTC"), minute(10)),
    ];
    let logons = files
        .iter()
        .map(|&(unit, zone, instant)| {
            let mut columns = logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")]);
            columns[0].1 = timestamps_as(unit, zone, &[Some(instant)]);
            columns
        })
        .collect();
    let lake = lake_with_logon_files(logons);

    let findings = hunt(lake.path()).await;
    let spans: Vec<_> = findings.iter().map(|f| (f.earliest, f.latest, f.instances)).collect();
    assert_eq!(spans, [(Some(minute(1) + 7), Some(minute(60) + 5_000), 7)]);
}

/// The hunt's error over the lake at `path`, as a user reads it.
async fn hunt_error(path: &Path) -> String {
    match hunt_with(path, DEFAULT_RULE, TimeWindow::unbounded()).await {
        Ok(findings) => panic!("the hunt should fail, but found {} findings", findings.len()),
        Err(error) => error.to_string(),
    }
}

/// The file at `relative` inside the lake as messages name it.
fn shown(lake: &TestLake, relative: &str) -> String {
    lake.path().join(relative).display().to_string()
}

#[tokio::test]
async fn a_missing_table_names_the_table_and_the_lake() {
    let lake = TestLake::new();
    write_network_info(&lake);
    lake.write(
        "DeviceLogonEvents/part-0.parquet",
        &batch(logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")])),
    );

    let error = hunt_error(lake.path()).await;
    assert!(error.contains("IdentityLogonEvents"), "{error}");
    assert!(error.contains(&lake.path().display().to_string()), "{error}");
}

#[tokio::test]
async fn a_table_folder_without_parquet_files_names_the_table() {
    let lake =
        lake_with_logon_files(vec![logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")])]);
    std::fs::remove_file(lake.path().join("IdentityLogonEvents/part-0.parquet")).unwrap();
    std::fs::write(lake.path().join("IdentityLogonEvents/notes.txt"), "empty").unwrap();

    let error = hunt_error(lake.path()).await;
    assert!(error.contains("IdentityLogonEvents"), "{error}");
    assert!(error.contains("no .parquet files"), "{error}");
}

#[tokio::test]
async fn a_column_the_rule_reads_missing_from_every_file_names_the_table_and_column() {
    let cases = [
        ("DeviceLogonEvents", "RemoteIPType"),
        ("DeviceLogonEvents", "DeviceId"),
        ("DeviceLogonEvents", "Timestamp"),
        ("DeviceNetworkInfo", "IPAddresses"),
        ("IdentityLogonEvents", "ISP"),
        ("IdentityLogonEvents", "IPAddress"),
    ];
    for (table, column) in cases {
        let lake =
            lake_with_logon_files(vec![logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")])]);
        // Both files of the table lack the column.
        let part = lake.path().join(format!("{table}/part-0.parquet"));
        let full = read_batch(&part);
        let index = full.schema().index_of(column).unwrap();
        let mut without = full.clone();
        without.remove_column(index);
        lake.write(&format!("{table}/part-0.parquet"), &without);
        lake.write(&format!("{table}/part-1.parquet"), &without);

        let error = hunt_error(lake.path()).await;
        assert!(error.contains(table), "{table}.{column}: {error}");
        assert!(error.contains(&format!("column {column} ")), "{table}.{column}: {error}");
    }
}

/// The only batch of the Parquet file at `path`.
fn read_batch(path: &Path) -> datafusion::arrow::array::RecordBatch {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).unwrap();
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    reader.next().unwrap().unwrap()
}

#[tokio::test]
async fn a_column_of_an_unusable_type_names_the_table_column_and_file() {
    let numbers: ArrayRef = std::sync::Arc::new(Int64Array::from(vec![Some(42)]));
    let cases = [
        ("DeviceLogonEvents", "RemoteIP", numbers.clone()),
        ("DeviceLogonEvents", "Timestamp", strings(&[Some("2026-01-01T00:00:00Z")])),
        ("IdentityLogonEvents", "ISP", numbers.clone()),
        ("DeviceNetworkInfo", "IPAddresses", numbers),
    ];
    for (table, column, bad) in cases {
        let lake =
            lake_with_logon_files(vec![logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")])]);
        let good = read_batch(&lake.path().join(format!("{table}/part-0.parquet")));
        let schema = good.schema();
        let columns = schema
            .fields()
            .iter()
            .zip(good.columns())
            .map(|(field, array)| {
                let name = field.name().as_str();
                (name, if name == column { bad.clone() } else { array.clone() })
            })
            .collect();
        lake.write(&format!("{table}/part-1.parquet"), &batch(columns));

        let error = hunt_error(lake.path()).await;
        let file = shown(&lake, &format!("{table}/part-1.parquet"));
        for part in [table, column, file.as_str()] {
            assert!(error.contains(part), "{table}.{column}: {part} not in {error}");
        }
    }
}

#[tokio::test]
async fn an_unusable_column_the_rule_does_not_read_is_no_error() {
    let mut logons = logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")]);
    logons.push(("DeviceName", std::sync::Arc::new(Int64Array::from(vec![Some(7)]))));
    let lake = lake_with_logon_files(vec![logons]);
    lake.write(
        "IdentityLogonEvents/part-1.parquet",
        &batch(vec![
            ("Timestamp", strings(&[Some("yesterday")])),
            ("IPAddress", strings(&[Some("198.51.100.201")])),
            ("ISP", strings(&[Some("Contoso ISP")])),
        ]),
    );

    let findings = hunt(lake.path()).await;
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].remote_ip, "203.0.113.9");
}

/// A lake whose DeviceLogonEvents has a good file and `part-1.parquet`, then spoilt by `spoil`.
async fn error_with_spoilt_file(spoil: impl Fn(Vec<u8>) -> Vec<u8>) -> (String, String) {
    let rows: Vec<(String, String)> =
        (0..2000).map(|i| (format!("dev-{i}"), format!("203.0.{}.{}", i / 256, i % 256))).collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(d, ip)| (d.as_str(), ip.as_str())).collect();
    let lake = lake_with_logon_files(vec![
        logons_in(StringLayout::Utf8, &rows[..1]),
        logons_in(StringLayout::Utf8, &rows),
    ]);
    let part = lake.path().join("DeviceLogonEvents/part-1.parquet");
    let bytes = std::fs::read(&part).unwrap();
    std::fs::write(&part, spoil(bytes)).unwrap();

    let error = hunt_error(lake.path()).await;
    (error, shown(&lake, "DeviceLogonEvents/part-1.parquet"))
}

#[tokio::test]
async fn a_file_that_is_not_parquet_names_the_file() {
    let (error, file) =
        error_with_spoilt_file(|_| b"PAR1 this is not a Parquet file".to_vec()).await;
    assert!(error.contains(&file), "{error}");
}

#[tokio::test]
async fn a_truncated_parquet_file_names_the_file() {
    let (error, file) = error_with_spoilt_file(|bytes| bytes[..bytes.len() / 2].to_vec()).await;
    assert!(error.contains(&file), "{error}");
}

/// Where each column chunk of the first row group of a Parquet file starts.
fn column_chunks(bytes: &[u8]) -> Vec<usize> {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let copy = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(copy.path(), bytes).unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(copy.path()).unwrap()).unwrap();
    let metadata = reader.metadata();
    metadata
        .row_group(0)
        .columns()
        .iter()
        .map(|c| c.dictionary_page_offset().unwrap_or(c.data_page_offset()) as usize)
        .collect()
}

#[tokio::test]
async fn a_parquet_file_with_corrupt_pages_names_the_file() {
    // The footer is intact; the header of the first page of every column chunk is not.
    let (error, file) = error_with_spoilt_file(|mut bytes| {
        for chunk in column_chunks(&bytes) {
            bytes[chunk..chunk + 16].fill(0xff);
        }
        bytes
    })
    .await;
    assert!(error.contains(&file), "{error}");
}

#[tokio::test]
async fn json_text_in_one_file_and_a_native_list_in_another_names_both_files() {
    let lake =
        lake_with_logon_files(vec![logons_in(StringLayout::Utf8, &[("dev-1", "203.0.113.9")])]);
    let element = NativeIp {
        ip_address: Some("10.0.0.5".into()),
        subnet_prefix: Some(24),
        address_type: Some("Private".into()),
    };
    lake.write(
        "DeviceNetworkInfo/part-1.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0)])),
            ("DeviceId", strings(&[Some("dev-8")])),
            ("IPAddresses", native_ip_addresses(&[Some(vec![Some(element)])])),
        ]),
    );

    let error = hunt_error(lake.path()).await;
    assert!(error.contains("DeviceNetworkInfo"), "{error}");
    assert!(error.contains("IPAddresses"), "{error}");
    for part in ["part-0.parquet", "part-1.parquet"] {
        let file = shown(&lake, &format!("DeviceNetworkInfo/{part}"));
        assert!(error.contains(&file), "{file} not in {error}");
    }
}
