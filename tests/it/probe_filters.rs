//! Anti-joins hand the keys they exclude to the scan of their probe side, which then decodes
//! the rest of a row only when its key survives; the answer is the join's either way.

use std::path::Path;

use crate::common::{TestLake, batch, lakehunt, minute, strings, texts, timestamps};

/// A lake of `logons` DeviceLogonEvents rows from `ips` in turn, and identity logons from
/// `explained` through an outside ISP.
fn lake_of(ips: &[Option<&str>], logons: usize, explained: &[Option<&str>]) -> TestLake {
    let lake = TestLake::new();
    let remote: Vec<Option<&str>> = ips.iter().copied().cycle().take(logons).collect();
    let times: Vec<i64> = (0..logons as i64).map(minute).collect();
    lake.write(
        "DeviceLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&times)),
            ("AccountName", strings(&vec![Some("alice"); logons])),
            ("RemoteIP", strings(&remote)),
            ("RemoteIPType", strings(&vec![Some("Public"); logons])),
        ]),
    );
    let times: Vec<i64> = (0..explained.len() as i64).map(minute).collect();
    lake.write(
        "IdentityLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&times)),
            ("IPAddress", strings(explained)),
            ("ISP", strings(&vec![Some("Contoso ISP"); explained.len()])),
        ]),
    );
    lake
}

fn run_sql(lake: &TestLake, command: &str, sql: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("unexplained.sql");
    std::fs::write(&rule, sql).unwrap();
    let lake_arg = lake.path().to_str().unwrap();
    let mut args = vec![command, rule.to_str().unwrap(), "--lake", lake_arg, "--format", "csv"];
    if command == "explain" {
        args = vec![command, "--analyze", rule.to_str().unwrap(), "--lake", lake_arg];
    }
    let output = lakehunt(&args);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

const UNEXPLAINED: &str = "SELECT RemoteIP, count(*) AS n FROM DeviceLogonEvents AS l \
     WHERE NOT EXISTS (SELECT 1 FROM IdentityLogonEvents AS i WHERE i.IPAddress = l.RemoteIP) \
     GROUP BY RemoteIP ORDER BY RemoteIP NULLS FIRST";

/// The line of the plan that scans DeviceLogonEvents.
fn logon_scan(plan: &str) -> &str {
    plan.lines()
        .find(|line| line.contains("DataSourceExec") && line.contains("DeviceLogonEvents"))
        .unwrap_or_else(|| panic!("no scan of DeviceLogonEvents in {plan}"))
}

fn scan_output_rows(scan: &str) -> &str {
    let start = scan.find("output_rows=").expect("scan metrics") + "output_rows=".len();
    let rest = &scan[start..];
    &rest[..rest.find(',').unwrap_or(rest.len())]
}

#[test]
fn the_logon_scan_drops_the_rows_the_anti_join_would_drop() {
    let lake = lake_of(&[Some("198.51.100.1"), Some("203.0.113.7")], 400, &[Some("203.0.113.7")]);
    let (plan, _) = run_sql(&lake, "explain", UNEXPLAINED);
    let scan = logon_scan(&plan);
    assert!(scan.contains("NOT IN (build side: 1 key)"), "{scan}");
    // Half the logons come from the explained address: the scan itself keeps the other half.
    assert_eq!(scan_output_rows(scan), "200", "{scan}");
    let (findings, _) = run_sql(&lake, "run", UNEXPLAINED);
    assert_eq!(findings, "RemoteIP,n\n198.51.100.1,200\n");
}

#[test]
fn a_null_key_is_kept_as_not_exists_keeps_it_even_when_the_build_side_has_nulls() {
    let lake = lake_of(
        &[None, Some("198.51.100.1"), Some("203.0.113.7")],
        300,
        &[Some("203.0.113.7"), None],
    );
    let (plan, _) = run_sql(&lake, "explain", UNEXPLAINED);
    // The build side's null matches nothing and is left out of the list.
    assert!(logon_scan(&plan).contains("NOT IN (build side: 1 key)"), "{plan}");
    let (findings, _) = run_sql(&lake, "run", UNEXPLAINED);
    assert_eq!(findings, "RemoteIP,n\n,100\n198.51.100.1,100\n");
}

#[test]
fn an_empty_build_side_leaves_every_row_to_the_join() {
    let lake = lake_of(&[Some("198.51.100.1"), Some("203.0.113.7")], 200, &[None]);
    let (plan, _) = run_sql(&lake, "explain", UNEXPLAINED);
    assert!(!logon_scan(&plan).contains("NOT IN (build side"), "{plan}");
    let (findings, _) = run_sql(&lake, "run", UNEXPLAINED);
    assert_eq!(findings, "RemoteIP,n\n198.51.100.1,100\n203.0.113.7,100\n");
}

#[test]
fn the_seed_rule_filters_its_logon_scan_by_both_anti_joins() {
    let lake = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let output = lakehunt(&["explain", "--analyze", "--lake", lake.to_str().unwrap()]);
    let (plan, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let scan = logon_scan(&plan);
    assert_eq!(scan.matches("NOT IN (build side: ").count(), 2, "{scan}");
}
