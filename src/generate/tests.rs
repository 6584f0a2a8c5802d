//! Behaviour of whole generated lakes, read back from disk as a lake reader would.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::error::Error;
use std::fs::{self, File};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, TimestampNanosecondType};
use datafusion::arrow::record_batch::RecordBatchReader;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use super::*;
use crate::schema;

type TestResult = Result<(), Box<dyn Error>>;

const TABLES: [&str; 3] = ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"];

fn small(out: PathBuf) -> GenerateOptions {
    GenerateOptions { logons: 6_000, devices: 60, days: 3, ..GenerateOptions::new(out) }
}

/// The files of one table, by partition, in date order.
fn files(lake: &Path, table: &str) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let mut partitions: Vec<PathBuf> =
        fs::read_dir(lake.join(table))?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    partitions.sort();
    Ok(partitions.into_iter().map(|p| p.join("part-00000.parquet")).collect())
}

/// One file's rows as a single batch.
fn read_file(path: &Path) -> Result<RecordBatch, Box<dyn Error>> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?.build()?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>()?;
    Ok(concat_batches(&schema, &batches)?)
}

/// A table's rows, all days, as a single batch.
fn read_table(lake: &Path, table: &str) -> Result<RecordBatch, Box<dyn Error>> {
    let batches: Vec<RecordBatch> =
        files(lake, table)?.iter().map(|f| read_file(f)).collect::<Result<_, _>>()?;
    let schema = batches.first().ok_or("no files")?.schema();
    Ok(concat_batches(&schema, &batches)?)
}

/// A Utf8 column's values.
fn strings(batch: &RecordBatch, column: &str) -> Result<Vec<Option<String>>, Box<dyn Error>> {
    let array = batch.column_by_name(column).ok_or(format!("no column {column}"))?;
    let array = array.as_string_opt::<i32>().ok_or(format!("{column} is not Utf8"))?;
    Ok(array.iter().map(|v| v.map(str::to_owned)).collect())
}

/// The addresses the seed rule's DeviceNetworkInfo subquery finds in one `IPAddresses`
/// text, with Kusto's rules: text that is not JSON is a string whose `.IPAddress` is null,
/// an empty array gives nothing, null gives a null.
fn kusto_ip_addresses(text: Option<&str>) -> Vec<String> {
    let parsed: Option<Value> = text.and_then(|t| serde_json::from_str(t).ok());
    match parsed {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.get("IPAddress").and_then(Value::as_str).unwrap_or("").to_owned())
            .collect(),
        _ => vec![String::new()],
    }
}

#[test]
fn small_lake_has_exactly_the_catalogue_schemas_and_one_file_per_day() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = small(dir.path().join("lake"));
    let report = generate(&opts)?;
    for (name, expected_columns) in TABLES.iter().zip([48, 16, 26]) {
        let catalogue = schema::table(name).ok_or("not catalogued")?.arrow_schema();
        let table_files = files(&opts.out, name)?;
        assert_eq!(table_files.len(), 3, "{name}");
        for file in &table_files {
            let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(file)?)?;
            let fields = builder.schema().fields().clone();
            assert_eq!(fields.len(), expected_columns, "{}", file.display());
            for (got, want) in fields.iter().zip(catalogue.fields()) {
                assert_eq!(
                    (got.name(), got.data_type(), got.is_nullable()),
                    (want.name(), want.data_type(), want.is_nullable()),
                    "{}",
                    file.display()
                );
            }
        }
        let table = report.tables.iter().find(|t| t.name == *name).ok_or("not reported")?;
        assert_eq!(table.files, 3);
        assert_eq!(table.rows, read_table(&opts.out, name)?.num_rows() as u64);
    }
    assert_eq!(report.tables[0].rows, opts.logons);
    assert_eq!(read_truth(&opts.out)?, report.truth);
    Ok(())
}

#[test]
fn same_seed_writes_identical_rows_and_another_seed_different_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let first = small(dir.path().join("first"));
    let again = small(dir.path().join("again"));
    let other = GenerateOptions { seed: 8, ..small(dir.path().join("other")) };
    for opts in [&first, &again, &other] {
        generate(opts)?;
    }
    for table in TABLES {
        for (a, b) in files(&first.out, table)?.iter().zip(files(&again.out, table)?) {
            assert_eq!(read_file(a)?, read_file(&b)?, "{}", a.display());
        }
        assert_ne!(read_table(&first.out, table)?, read_table(&other.out, table)?, "{table}");
    }
    assert_eq!(read_truth(&first.out)?, read_truth(&again.out)?);
    assert_ne!(read_truth(&first.out)?, read_truth(&other.out)?);
    Ok(())
}

#[test]
fn every_public_logon_address_is_in_exactly_one_population_and_each_has_logons() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = small(dir.path().join("lake"));
    let truth = generate(&opts)?.truth;
    let mut population_of: HashMap<&str, &str> = HashMap::new();
    for (name, list) in truth.populations() {
        assert!(!list.is_empty(), "{name} is empty");
        for ip in list {
            assert!(population_of.insert(ip, name).is_none(), "{ip} is in two populations");
        }
    }

    let logons = read_table(&opts.out, "DeviceLogonEvents")?;
    let ips = strings(&logons, "RemoteIP")?;
    let types = strings(&logons, "RemoteIPType")?;
    let mut seen = HashSet::new();
    for (ip, kind) in ips.iter().zip(&types) {
        let ip = ip.as_deref().unwrap_or("");
        if kind.as_deref() == Some("Public") {
            assert!(population_of.contains_key(ip), "public logon from unplanted {ip}");
            seen.insert(ip);
        } else {
            assert!(!population_of.contains_key(ip), "{ip} logs on as {kind:?}");
        }
    }
    let planted: HashSet<&str> = population_of.keys().copied().collect();
    assert_eq!(seen, planted, "planted addresses without a public logon");
    Ok(())
}

#[test]
fn populations_agree_with_the_tables_and_the_seed_rule() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = small(dir.path().join("lake"));
    let truth = generate(&opts)?.truth;

    let network = read_table(&opts.out, "DeviceNetworkInfo")?;
    let owned_anywhere: HashSet<String> = strings(&network, "IPAddresses")?
        .iter()
        .flat_map(|text| kusto_ip_addresses(text.as_deref()))
        .collect();
    let identity = read_table(&opts.out, "IdentityLogonEvents")?;
    let mut isps: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (ip, isp) in strings(&identity, "IPAddress")?.into_iter().zip(strings(&identity, "ISP")?) {
        isps.entry(ip.unwrap_or_default()).or_default().insert(isp.unwrap_or_default());
    }
    let outside_isp =
        |ip: &String| isps.get(ip).is_some_and(|s| s.iter().any(|i| i != "INTERNAL_NETWORK"));

    for ip in &truth.owned {
        assert!(owned_anywhere.contains(ip), "owned {ip} is on no adapter");
    }
    for ip in truth.outside_isp.iter().chain(&truth.internal_only).chain(&truth.unknown) {
        assert!(!owned_anywhere.contains(ip), "{ip} is on an adapter");
    }
    for ip in &truth.outside_isp {
        assert!(outside_isp(ip), "{ip} has no non-internal identity logon");
    }
    for ip in &truth.internal_only {
        let seen = isps.get(ip).ok_or(format!("{ip} has no identity logon"))?;
        assert!(seen.iter().all(|i| i == "INTERNAL_NETWORK"), "{ip}: {seen:?}");
    }
    for ip in &truth.unknown {
        assert!(!isps.contains_key(ip), "unknown {ip} has identity logons");
    }

    // The seed rule, evaluated with Kusto's semantics over the rows just read.
    let logons = read_table(&opts.out, "DeviceLogonEvents")?;
    let findings: BTreeSet<String> = strings(&logons, "RemoteIP")?
        .into_iter()
        .zip(strings(&logons, "RemoteIPType")?)
        .filter(|(_, kind)| kind.as_deref() == Some("Public"))
        .map(|(ip, _)| ip.unwrap_or_default())
        .filter(|ip| !owned_anywhere.contains(ip) && !outside_isp(ip))
        .collect();
    let expected: BTreeSet<String> = truth.expected_findings().into_iter().collect();
    assert_eq!(findings, expected);
    Ok(())
}

#[test]
fn kusto_edge_cases_are_planted_in_every_table() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = GenerateOptions { devices: 400, logons: 20_000, ..small(dir.path().join("lake")) };
    generate(&opts)?;

    let network = strings(&read_table(&opts.out, "DeviceNetworkInfo")?, "IPAddresses")?;
    assert!(network.iter().any(|t| t.as_deref() == Some("[]")), "no empty array");
    assert!(network.iter().any(Option::is_none), "no null IPAddresses");
    let not_json = |t: &Option<String>| {
        t.as_deref().is_some_and(|t| serde_json::from_str::<Value>(t).is_err())
    };
    assert!(network.iter().any(not_json), "no text that is not JSON");

    let identity = read_table(&opts.out, "IdentityLogonEvents")?;
    let isps = strings(&identity, "ISP")?;
    for wanted in [None, Some(""), Some("none specified"), Some("INTERNAL_NETWORK")] {
        assert!(isps.iter().any(|i| i.as_deref() == wanted), "no ISP {wanted:?}");
    }
    let ips = strings(&identity, "IPAddress")?;
    assert!(ips.iter().any(Option::is_none), "no identity logon without an address");
    let mut seen_as: HashMap<&str, HashSet<Option<&str>>> = HashMap::new();
    for (ip, isp) in ips.iter().zip(&isps) {
        if let Some(ip) = ip {
            seen_as.entry(ip).or_default().insert(isp.as_deref());
        }
    }
    let null_only = |ip: &String| {
        seen_as.get(ip.as_str()).is_some_and(|isps| {
            isps.contains(&None)
                && isps.iter().all(|i| i.is_none() || *i == Some("INTERNAL_NETWORK"))
        })
    };
    assert!(
        read_truth(&opts.out)?.outside_isp.iter().any(null_only),
        "no outside-ISP address known only by a null ISP"
    );

    let logons = read_table(&opts.out, "DeviceLogonEvents")?;
    let public: Vec<bool> =
        strings(&logons, "RemoteIPType")?.iter().map(|t| t.as_deref() == Some("Public")).collect();
    for column in ["AccountDomain", "LogonType"] {
        let values = strings(&logons, column)?;
        assert!(
            values.iter().zip(&public).any(|(v, &p)| p && v.is_none()),
            "no public logon with a null {column}"
        );
    }
    Ok(())
}

#[test]
fn values_look_like_defenders() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = small(dir.path().join("lake"));
    generate(&opts)?;
    let logons = read_table(&opts.out, "DeviceLogonEvents")?;
    for id in strings(&logons, "DeviceId")?.into_iter().flatten() {
        assert!(id.len() == 40 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    let allowed = |column: &str, values: &[&str]| -> TestResult {
        for value in strings(&logons, column)?.into_iter().flatten() {
            assert!(values.contains(&value.as_str()), "{column} {value:?}");
        }
        Ok(())
    };
    allowed("ActionType", &["LogonSuccess", "LogonFailed", "LogonAttempted"])?;
    allowed(
        "LogonType",
        &[
            "Network",
            "Interactive",
            "RemoteInteractive",
            "Unlock",
            "Batch",
            "Service",
            "CachedInteractive",
        ],
    )?;
    allowed(
        "RemoteIPType",
        &["Public", "Private", "Loopback", "Reserved", "FourToSixMapping", ""],
    )?;
    for (ip, kind) in strings(&logons, "RemoteIP")?.iter().zip(strings(&logons, "RemoteIPType")?) {
        let (Some(ip), Some(kind)) = (ip, kind) else {
            continue;
        };
        match (kind.as_str(), ip.parse::<IpAddr>()) {
            ("Public", Ok(IpAddr::V4(v4))) => assert!(address::is_public_v4(v4), "{ip}"),
            ("Public", Ok(IpAddr::V6(v6))) => assert!(!v6.is_loopback(), "{ip}"),
            ("Private", Ok(IpAddr::V4(v4))) => assert!(v4.is_private(), "{ip}"),
            ("Loopback", Ok(address)) => assert!(address.is_loopback(), "{ip}"),
            ("", _) => assert_eq!(ip, ""),
            (_, parsed) => assert!(parsed.is_ok(), "{kind} {ip}"),
        }
    }
    Ok(())
}

#[test]
fn each_file_holds_sorted_timestamps_inside_its_date_partition() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = small(dir.path().join("lake"));
    generate(&opts)?;
    for table in TABLES {
        for file in files(&opts.out, table)? {
            let partition = file.parent().and_then(Path::file_name).ok_or("no partition")?;
            let date = partition.to_str().and_then(|p| p.strip_prefix("date=")).ok_or("name")?;
            let midnight = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")?
                .and_hms_opt(0, 0, 0)
                .ok_or("midnight")?
                .and_utc()
                .timestamp_nanos_opt()
                .ok_or("range")?;
            let batch = read_file(&file)?;
            let column = batch.column_by_name("Timestamp").ok_or("no Timestamp")?;
            let stamps = column.as_primitive::<TimestampNanosecondType>();
            assert_eq!(stamps.null_count(), 0);
            let values = stamps.values();
            assert!(values.windows(2).all(|w| w[0] <= w[1]), "{} unsorted", file.display());
            assert!(
                values.iter().all(|&t| (midnight..midnight + 86_400_000_000_000).contains(&t)),
                "{} leaves its day",
                file.display()
            );
        }
    }
    Ok(())
}

#[test]
fn native_list_layout_writes_a_list_of_address_structs() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = GenerateOptions {
        ip_addresses: IpAddressesLayout::NativeList,
        ..small(dir.path().join("lake"))
    };
    let truth = generate(&opts)?.truth;
    let network = read_table(&opts.out, "DeviceNetworkInfo")?;
    let column = network.column_by_name("IPAddresses").ok_or("no IPAddresses")?;
    let DataType::List(item) = column.data_type() else {
        return Err(format!("IPAddresses is {}", column.data_type()).into());
    };
    assert_eq!(item.data_type(), &DataType::Struct(network_info::address_fields()));
    let lists = column.as_list::<i32>();
    assert!(lists.null_count() > 0, "no null list");
    assert!((0..lists.len()).any(|i| lists.is_valid(i) && lists.value_length(i) == 0), "no []");
    let entries = lists.values().as_struct();
    let ips = entries.column_by_name("IPAddress").ok_or("no IPAddress")?.as_string::<i32>();
    let listed: HashSet<&str> = ips.iter().flatten().collect();
    for ip in &truth.owned {
        assert!(listed.contains(ip.as_str()), "owned {ip} not listed");
    }
    Ok(())
}

#[test]
fn existing_non_empty_output_is_refused_without_force_and_left_intact() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("lake");
    fs::create_dir(&out)?;
    fs::write(out.join("notes.txt"), "mine")?;
    let error = generate(&small(out.clone())).err();
    assert!(
        matches!(&error, Some(GenerateError::OutputNotEmpty { path }) if *path == out),
        "{error:?}"
    );
    assert!(error.map(|e| e.to_string()).unwrap_or_default().contains("--force"));
    assert_eq!(fs::read_to_string(out.join("notes.txt"))?, "mine");
    assert_eq!(fs::read_dir(&out)?.count(), 1);
    assert_eq!(fs::read_dir(dir.path())?.count(), 1, "temporary directory left behind");
    Ok(())
}

#[test]
fn force_replaces_a_non_empty_output_only_with_a_complete_lake() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("lake");
    fs::create_dir(&out)?;
    fs::write(out.join("notes.txt"), "mine")?;
    generate(&GenerateOptions { force: true, ..small(out.clone()) })?;
    assert!(!out.join("notes.txt").exists());
    assert!(out.join(TRUTH_FILE).is_file());
    assert_eq!(fs::read_dir(dir.path())?.count(), 1, "temporary or replaced directory left");
    Ok(())
}

#[test]
fn an_empty_output_directory_is_filled_without_force() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("lake");
    fs::create_dir(&out)?;
    generate(&small(out.clone()))?;
    assert!(out.join("DeviceLogonEvents").is_dir());
    Ok(())
}

#[test]
fn an_output_that_is_a_file_is_never_replaced() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("lake");
    fs::write(&out, "mine")?;
    let error = generate(&GenerateOptions { force: true, ..small(out.clone()) }).err();
    assert!(matches!(error, Some(GenerateError::OutputNotDirectory { .. })), "{error:?}");
    assert_eq!(fs::read_to_string(&out)?, "mine");
    Ok(())
}

#[test]
fn invalid_options_are_refused_naming_the_option() -> TestResult {
    let dir = tempfile::tempdir()?;
    let base = small(dir.path().join("lake"));
    let far = chrono::NaiveDate::from_ymd_opt(2262, 4, 1).ok_or("date")?;
    let cases = [
        ("logons", GenerateOptions { logons: 0, ..base.clone() }),
        ("devices", GenerateOptions { devices: 0, ..base.clone() }),
        ("devices", GenerateOptions { devices: MAX_DEVICES + 1, ..base.clone() }),
        ("days", GenerateOptions { days: 0, ..base.clone() }),
        ("start", GenerateOptions { start: far, days: 30, ..base.clone() }),
        ("out", GenerateOptions { out: PathBuf::new(), ..base.clone() }),
        ("out", GenerateOptions { out: dir.path().join(".."), ..base.clone() }),
    ];
    for (option, opts) in cases {
        let error = generate(&opts).err();
        assert!(
            matches!(&error, Some(GenerateError::InvalidOption { option: o, .. }) if *o == option),
            "{option}: {error:?}"
        );
        assert!(error.map(|e| e.to_string()).unwrap_or_default().contains(&format!("--{option}")));
    }
    assert!(!base.out.exists());
    assert!("xml".parse::<IpAddressesLayout>().is_err());
    assert_eq!("list".parse::<IpAddressesLayout>().ok(), Some(IpAddressesLayout::NativeList));
    Ok(())
}

#[test]
fn a_lake_with_fewer_logons_than_days_still_has_every_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let opts = GenerateOptions { logons: 2, days: 4, ..small(dir.path().join("lake")) };
    let report = generate(&opts)?;
    assert_eq!(report.tables[0].rows, 2);
    assert!(report.tables.iter().all(|t| t.files == 4));
    assert!(report.truth.populations().iter().all(|(_, list)| list.is_empty()));
    Ok(())
}
