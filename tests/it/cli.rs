//! The `lakehunt` binary as a user runs it: every subcommand, flag, output format and error
//! message the seed-rule issue lists, with exit codes 0 (success), 1 (failed hunt or bad
//! input) and 2 (bad usage).

use std::io::Read;
use std::process::{Command, Stdio};

use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::common::*;

/// Three days of logons: one unknown public IP a day (findings), one owned IP, and private
/// logons that make the events table the big side; the second day's DeviceNetworkInfo holds
/// a value that is not JSON.
fn three_day_lake() -> TestLake {
    const PRIVATE: usize = 60;
    let lake = TestLake::new();
    for day in 0..3i64 {
        let date = format!("2026-01-0{}", day + 1);
        let t = minute(day * 24 * 60 + 60);
        let unknown = format!("198.51.100.{}", day + 1);
        let rows = 3 + PRIVATE;
        let mut ips = vec![Some(unknown.as_str()), Some("203.0.113.7"), Some("10.1.1.1")];
        let mut types = vec![Some("Public"), Some("Public"), Some("Private")];
        let mut names = vec![Some("alice"), Some("bob"), Some("carol")];
        ips.resize(rows, Some("10.9.9.9"));
        types.resize(rows, Some("Private"));
        names.resize(rows, Some("dave"));
        let times: Vec<i64> = (0..rows as i64).map(|i| t + i).collect();
        lake.write(
            &format!("DeviceLogonEvents/date={date}/part-0.parquet"),
            &batch(vec![
                ("Timestamp", timestamps(&times)),
                ("DeviceId", strings(&[Some("dev-1"), Some("dev-2"), Some("dev-3")].repeat(21))),
                ("AccountDomain", strings(&vec![Some("contoso"); rows])),
                ("AccountName", strings(&names)),
                ("LogonType", strings(&vec![Some("Network"); rows])),
                ("RemoteIP", strings(&ips)),
                ("RemoteIPType", strings(&types)),
                ("ActionType", strings(&vec![Some("LogonSuccess"); rows])),
            ]),
        );
        let owned = r#"[{"IPAddress":"203.0.113.7","SubnetPrefix":24,"AddressType":"Public"}]"#;
        let second = if day == 1 { "not json at all" } else { owned };
        lake.write(
            &format!("DeviceNetworkInfo/date={date}/part-0.parquet"),
            &batch(vec![
                ("Timestamp", timestamps(&[t, t])),
                ("DeviceId", strings(&[Some("dev-2"), Some("dev-4")])),
                ("IPAddresses", strings(&[Some(owned), Some(second)])),
            ]),
        );
        lake.write(
            &format!("IdentityLogonEvents/date={date}/part-0.parquet"),
            &batch(vec![
                ("Timestamp", timestamps(&[t])),
                ("IPAddress", strings(&[Some("192.0.2.50")])),
                ("ISP", strings(&[Some("INTERNAL_NETWORK")])),
            ]),
        );
    }
    lake
}

fn lake_arg(lake: &TestLake) -> String {
    lake.path().display().to_string()
}

#[test]
fn run_prints_the_findings_as_a_table_and_a_summary_on_stderr() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake)]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for column in FINDING_COLUMNS {
        assert!(stdout.contains(column), "{column} missing from\n{stdout}");
    }
    for day in 1..=3 {
        assert!(stdout.contains(&format!("198.51.100.{day}")), "{stdout}");
    }
    assert!(!stdout.contains("203.0.113.7"), "an owned IP is not a finding");
    assert!(stderr.contains("3 finding(s)"), "{stderr}");
    assert!(stderr.contains("rows scanned"), "{stderr}");
}

#[test]
fn quiet_leaves_only_the_findings() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--quiet", "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(!stderr.contains("finding(s)"), "{stderr}");
    assert_eq!(stdout.lines().count(), 4, "a header and three findings:\n{stdout}");
}

#[test]
fn csv_output_has_the_findings_columns_in_order() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--format", "csv"]);
    let (stdout, _) = texts(&output);
    assert_eq!(stdout.lines().next(), Some(FINDING_COLUMNS.join(",").as_str()));
    let first = stdout.lines().nth(1).unwrap();
    assert!(
        first.starts_with("contoso,alice,Network,198.51.100.1,LogonSuccess,2026-01-01T01:00:00"),
        "{first}"
    );
    assert!(first.ends_with(",1,1"), "{first}");
}

#[test]
fn json_output_is_one_object_per_line() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--format", "json"]);
    let (stdout, _) = texts(&output);
    let rows: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["RemoteIP"], "198.51.100.1");
    assert_eq!(rows[0]["Instances"], 1);
    assert_eq!(rows[0]["DistinctMachines"], 1);
}

#[test]
fn parquet_on_stdout_is_a_readable_file() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--format", "parquet"]);
    assert_eq!(output.status.code(), Some(0));
    let bytes = bytes::Bytes::from(output.stdout);
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap();
    let findings: Vec<Finding> = reader.flat_map(|b| findings_of(&b.unwrap())).collect();
    assert_eq!(findings.len(), 3);
}

#[test]
fn out_picks_the_format_from_the_extension() {
    let lake = three_day_lake();
    let dir = tempfile::tempdir().unwrap();
    for name in ["f.parquet", "f.csv", "f.json"] {
        let path = dir.path().join(name);
        let output =
            lakehunt(&["run", "--lake", &lake_arg(&lake), "--out", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", texts(&output).1);
        let written = std::fs::read(&path).unwrap();
        match name {
            "f.parquet" => assert_eq!(&written[..4], b"PAR1"),
            "f.csv" => assert!(written.starts_with(b"AccountDomain,AccountName")),
            _ => assert!(written.starts_with(b"{\"AccountDomain\":")),
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn an_existing_output_is_kept_unless_forced() {
    let lake = three_day_lake();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.csv");
    std::fs::write(&path, "precious").unwrap();
    let args = ["run", "--lake", &lake_arg(&lake), "--out", path.to_str().unwrap()];

    let refused = lakehunt(&args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(texts(&refused).1.contains("findings.csv already exists"), "{}", texts(&refused).1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");

    let forced = lakehunt(&[&args[..], &["--force"]].concat());
    assert_eq!(forced.status.code(), Some(0));
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("AccountDomain"));
}

#[test]
fn an_unknown_output_extension_is_refused() {
    let lake = three_day_lake();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.xlsx");
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--out", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("findings.xlsx"));
    assert!(!path.exists());
}

#[test]
fn from_and_to_keep_only_that_window_and_prune_partitions() {
    let lake = three_day_lake();
    let args = ["run", "--lake", &lake_arg(&lake), "--from", "2026-01-02", "--to", "2026-01-02"];
    let output = lakehunt(&[&args[..], &["--format", "csv"]].concat());
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("198.51.100.2") && !stdout.contains("198.51.100.1"), "{stdout}");
    assert!(!stdout.contains("198.51.100.3"), "{stdout}");
    assert!(stderr.contains("3 file(s) read, 6 pruned by partition"), "{stderr}");
}

#[test]
fn an_rfc3339_window_is_half_open_to_the_nanosecond() {
    let lake = three_day_lake();
    let csv_lines = |to: &str| {
        let lake = lake_arg(&lake);
        let args = ["run", "--lake", &lake, "--from", "2026-01-03T00:30:00Z", "--to", to];
        let output = lakehunt(&[&args[..], &["--format", "csv"]].concat());
        assert_eq!(output.status.code(), Some(0));
        texts(&output).0.lines().count()
    };
    // The third day's unknown logon happens at 01:00:00 exactly.
    assert_eq!(csv_lines("2026-01-03T01:00:00Z"), 1, "only the header: the end is open");
    assert_eq!(csv_lines("2026-01-03T01:00:00.000000001Z"), 2, "the header and the finding");
}

#[test]
fn lookback_and_from_together_are_a_usage_error() {
    let output = lakehunt(&["run", "--from", "2026-01-01", "--lookback", "1d"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_bad_time_is_named() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--from", "last tuesday"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("`last tuesday` is not a date"), "{}", texts(&output).1);
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake), "--lookback", "ninety days"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("`ninety days` is not a duration"));
}

#[test]
fn invalid_json_in_ip_addresses_is_data_and_draws_a_warning() {
    let lake = three_day_lake();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake)]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr.contains("1 value(s) given to todynamic/parse_json were not valid JSON"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_rule_lists_the_built_in_ones() {
    let output = lakehunt(&["run", "no-such-rule"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("device-logons-from-unknown-ips"));
}

#[test]
fn a_sql_file_is_a_rule() {
    let lake = three_day_lake();
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("private.sql");
    std::fs::write(
        &rule,
        "SELECT RemoteIP, count(*) AS n FROM DeviceLogonEvents \
         WHERE RemoteIPType = 'Private' AND AccountName = 'carol' GROUP BY RemoteIP",
    )
    .unwrap();
    let output =
        lakehunt(&["run", rule.to_str().unwrap(), "--lake", &lake_arg(&lake), "--format", "csv"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "RemoteIP,n\n10.1.1.1,3\n");
}

#[test]
fn a_missing_lake_table_or_column_is_named() {
    let output = lakehunt(&["run", "--lake", "/nonexistent/lake"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("/nonexistent/lake"));

    let lake = three_day_lake();
    std::fs::remove_dir_all(lake.path().join("IdentityLogonEvents")).unwrap();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(texts(&output).1.contains("no table IdentityLogonEvents"), "{}", texts(&output).1);

    let lake = TestLake::new();
    lake.write("DeviceLogonEvents.parquet", &batch(vec![("Timestamp", timestamps(&[minute(0)]))]));
    lake.write("DeviceNetworkInfo.parquet", &batch(vec![("IPAddresses", strings(&[None]))]));
    lake.write("IdentityLogonEvents.parquet", &batch(vec![("ISP", strings(&[None]))]));
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake)]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("table DeviceLogonEvents: column"), "{stderr}");
}

#[test]
fn a_corrupt_file_is_named() {
    let lake = three_day_lake();
    let bad = lake.path().join("DeviceLogonEvents/date=2026-01-02/part-0.parquet");
    std::fs::write(&bad, b"PAR1 this is not a parquet file").unwrap();
    let output = lakehunt(&["run", "--lake", &lake_arg(&lake)]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("date=2026-01-02/part-0.parquet"), "{stderr}");
}

#[test]
fn explain_shows_the_sql_and_a_plan_that_builds_on_the_small_side() {
    let lake = three_day_lake();
    let output = lakehunt(&["explain", "--lake", &lake_arg(&lake)]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("NOT EXISTS"), "{stdout}");
    assert!(stdout.contains("-- physical plan"));
    // Both anti-joins hash the excluded IPs and stream the logons through.
    assert_eq!(stdout.matches("join_type=RightAnti").count(), 2, "{stdout}");
    assert!(stdout.contains("predicate=RemoteIPType@"), "the Public filter reaches the scan");
}

#[test]
fn the_scans_read_only_the_columns_the_rule_needs_and_apply_the_window() {
    let lake = three_day_lake();
    lake.write(
        "DeviceLogonEvents/date=2026-01-03/part-1.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(2 * 24 * 60 + 5)])),
            ("InitiatingProcessCommandLine", strings(&[Some("cmd.exe /c whoami")])),
        ]),
    );
    let output = lakehunt(&["explain", "--lake", &lake_arg(&lake), "--from", "2026-01-02"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let plan = &stdout[stdout.find("-- physical plan").unwrap()..];
    assert!(plan.contains("date=2026-01-03/part-1.parquet"), "the extra file is read: {plan}");
    assert!(!plan.contains("InitiatingProcessCommandLine"), "{plan}");
    // 2026-01-02T00:00:00Z in nanoseconds, in each of the three tables' scan predicates.
    assert_eq!(plan.matches("predicate=Timestamp@0 >= 1767312000000000000").count(), 3, "{plan}");
}

#[test]
fn explain_analyze_shows_metrics_and_pruning() {
    let lake = three_day_lake();
    let output =
        lakehunt(&["explain", "--lake", &lake_arg(&lake), "--analyze", "--from", "2026-01-03"]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("output_rows="), "{stdout}");
    assert!(stdout.contains("row_groups_pruned_statistics"), "{stdout}");
    assert!(
        stdout.contains("DeviceLogonEvents: 1 file(s) read, 2 pruned by partition"),
        "{stdout}"
    );
    assert!(stdout.contains("1 finding(s)"), "{stdout}");
}

#[test]
fn rules_lists_the_built_in_rules() {
    let output = lakehunt(&["rules"]);
    let (stdout, _) = texts(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout.contains("device-logons-from-unknown-ips\n"));
    assert!(stdout.contains("a6d76204-efb2-4ccd-a068-d5a9e6876236"));
    assert!(stdout.contains("DeviceLogonEvents, DeviceNetworkInfo, IdentityLogonEvents"));
    assert!(stdout.contains("device-logons-from-unknown-ips-as-commented"));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let lake = three_day_lake();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lakehunt"))
        .args(["run", "--lake", &lake_arg(&lake), "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn bad_usage_exits_with_two() {
    assert_eq!(lakehunt(&["run", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(lakehunt(&["hunt"]).status.code(), Some(2));
}

#[test]
fn parallelism_and_batch_size_do_not_change_the_findings() {
    let lake = three_day_lake();
    let lake = lake_arg(&lake);
    let run = |extra: &[&str]| {
        let args = ["run", "--lake", lake.as_str(), "--format", "csv", "--quiet"];
        let output = lakehunt(&[&args[..], extra].concat());
        assert_eq!(output.status.code(), Some(0), "{}", texts(&output).1);
        texts(&output).0
    };
    let default = run(&[]);
    assert_eq!(run(&["--target-partitions", "1", "--batch-size", "2"]), default);
    assert_eq!(run(&["--target-partitions", "7", "--batch-size", "100000"]), default);
}

#[test]
fn a_rule_that_fails_while_running_is_named() {
    let lake = three_day_lake();
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("bad_cast.sql");
    std::fs::write(&rule, "SELECT CAST(AccountName AS BIGINT) AS n FROM DeviceLogonEvents")
        .unwrap();
    let output = lakehunt(&["run", rule.to_str().unwrap(), "--lake", &lake_arg(&lake)]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains(&format!("rule {}", rule.display())), "{stderr}");
}

#[test]
fn lookback_counts_back_from_to() {
    let lake = three_day_lake();
    let args = ["run", "--lake", &lake_arg(&lake), "--to", "2026-01-02T12:00:00Z"];
    let output = lakehunt(&[&args[..], &["--lookback", "1d", "--format", "csv"]].concat());
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    // [2026-01-01T12:00, 2026-01-02T12:00) holds only the second day's 01:00 logon.
    assert!(stdout.contains("198.51.100.2"), "{stdout}");
    assert!(!stdout.contains("198.51.100.1") && !stdout.contains("198.51.100.3"), "{stdout}");
}

#[test]
fn generate_writes_a_lake_the_seed_rule_can_hunt() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lake");
    let out = out.to_str().unwrap();
    let args = ["generate", "--out", out, "--logons", "5000", "--devices", "40", "--days", "2"];
    let output = lakehunt(&[&args[..], &["--seed", "3", "--start", "2026-02-01"]].concat());
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("DeviceLogonEvents 5,000 rows in 2 file(s)"), "{stderr}");
    assert!(stderr.contains("planted public IPs"), "{stderr}");
    let day = std::path::Path::new(out).join("DeviceLogonEvents/date=2026-02-02");
    assert!(day.is_dir(), "partitioned by date from --start");

    let hunt = lakehunt(&["run", "--lake", out, "--format", "csv", "--quiet"]);
    assert_eq!(hunt.status.code(), Some(0), "{}", texts(&hunt).1);
    assert!(texts(&hunt).0.lines().count() > 1, "the planted unknown IPs are found");

    let again = lakehunt(&args);
    assert_eq!(again.status.code(), Some(1), "an existing lake is kept without --force");
    assert!(texts(&again).1.contains(out), "{}", texts(&again).1);
    let forced = lakehunt(&[&args[..], &["--force", "--ip-addresses", "list"]].concat());
    assert_eq!(forced.status.code(), Some(0), "{}", texts(&forced).1);
}

#[test]
fn generate_refuses_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lake");
    let out = out.to_str().unwrap();
    let zero = lakehunt(&["generate", "--out", out, "--logons", "0"]);
    assert_eq!(zero.status.code(), Some(1));
    assert!(texts(&zero).1.contains("logons"), "{}", texts(&zero).1);
    let layout = lakehunt(&["generate", "--out", out, "--ip-addresses", "xml"]);
    assert_eq!(layout.status.code(), Some(2));
    assert!(!std::path::Path::new(out).exists());
}
