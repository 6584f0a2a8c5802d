//! `lakehunt translate`, `check`, `run` and `rules` with KQL and Sentinel YAML rules, as a
//! user runs them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::*;
use crate::kql_translate::seed_yaml;

fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lakehunt"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn translate_prints_the_sql_of_a_yaml_rule() {
    let output = lakehunt(&["translate", seed_yaml().to_str().unwrap()]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("WITH\n-- line 1: DeviceLogonEvents\n"), "{stdout}");
    assert!(stdout.contains("NOT EXISTS"), "{stdout}");
}

#[test]
fn translate_reads_kql_from_standard_input() {
    let output = with_stdin(&["translate", "-"], "DeviceLogonEvents | take 3");
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("LIMIT 3"), "{stdout}");
}

#[test]
fn check_plans_a_rule_against_the_catalogue_without_data() {
    let output = lakehunt(&["check", seed_yaml().to_str().unwrap()]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(stdout.contains("tactics: LateralMovement"), "{stdout}");
    assert!(stdout.contains("returns: AccountDomain:string"), "{stdout}");
}

#[test]
fn check_reports_an_unknown_column_at_its_kql_position_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let hunt = dir.path().join("hunt.kql");
    std::fs::write(&hunt, "DeviceLogonEvents\n| project DeviceName, NoSuchColumn\n").unwrap();
    let output = lakehunt(&["check", hunt.to_str().unwrap()]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("hunt.kql:2:23: unknown column `NoSuchColumn`"), "{stderr}");
    assert!(stderr.contains("2 | | project DeviceName, NoSuchColumn"), "{stderr}");
}

#[test]
fn run_hunts_with_a_kql_file_over_a_lake() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let generated = lakehunt(&[
        "generate",
        "--out",
        lake.to_str().unwrap(),
        "--logons",
        "3000",
        "--devices",
        "50",
        "--days",
        "2",
    ]);
    assert!(generated.status.success(), "{}", texts(&generated).1);
    let hunt = dir.path().join("hunt.kql");
    std::fs::write(
        &hunt,
        "DeviceLogonEvents\n| summarize Logons = count() by ActionType\n| count\n",
    )
    .unwrap();
    let output = lakehunt(&[
        "run",
        hunt.to_str().unwrap(),
        "--lake",
        lake.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "Count");
    assert!(lines[1].parse::<u64>().unwrap() >= 1, "{stdout}");
}

#[test]
fn a_rules_folder_joins_the_built_in_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seed_yaml(), dir.path().join("unknown-ips.yaml")).unwrap();
    let output = lakehunt(&["rules", "--rules", dir.path().to_str().unwrap()]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("unknown-ips\n  id:     a6d76204-efb2-4ccd-a068-d5a9e6876236"),
        "{stdout}"
    );
    let translated =
        lakehunt(&["translate", "unknown-ips", "--rules", dir.path().to_str().unwrap()]);
    assert!(translated.status.success(), "{}", texts(&translated).1);
}
