//! `--memory-limit` and `--spill-dir`: a hunt held to less memory than it would take spills
//! and gives the same findings; one that cannot fit says which flag to raise.

use std::path::Path;

use chrono::NaiveDate;
use lakehunt::generate::{GenerateOptions, IpAddressesLayout, generate};

use crate::common::*;

/// A lake whose per-machine aggregation outgrows a few MiB.
fn busy_lake(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("busy");
    let options = GenerateOptions {
        out: out.clone(),
        logons: 300_000,
        devices: 2_000,
        days: 7,
        seed: 11,
        start: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        ip_addresses: IpAddressesLayout::JsonText,
        force: false,
    };
    generate(&options).expect("the lake is generated");
    out
}

fn findings_csv(lake: &Path, extra: &[&str]) -> String {
    let mut args = vec!["run", "--lake", lake.to_str().unwrap(), "--format", "csv", "--quiet"];
    args.extend_from_slice(extra);
    let output = lakehunt(&args);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "lakehunt {args:?} failed: {stderr}");
    stdout
}

#[test]
fn a_hunt_under_a_memory_limit_spills_and_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let lake = busy_lake(dir.path());
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();

    let unlimited = findings_csv(&lake, &[]);
    let limited =
        findings_csv(&lake, &["--memory-limit", "8MiB", "--spill-dir", spill.to_str().unwrap()]);
    assert!(unlimited.lines().count() > 1000, "the lake has findings to aggregate");
    assert_eq!(limited, unlimited);

    let analyzed = lakehunt(&[
        "explain",
        "--analyze",
        "--lake",
        lake.to_str().unwrap(),
        "--memory-limit",
        "8MiB",
    ]);
    let (plan, stderr) = texts(&analyzed);
    assert!(analyzed.status.success(), "{stderr}");
    let spills: u64 = plan
        .split("spill_count=")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .sum();
    assert!(spills > 0, "no operator spilled under 8MiB:\n{plan}");
}

#[test]
fn a_limit_too_small_to_run_names_the_flag_to_raise() {
    let dir = tempfile::tempdir().unwrap();
    let lake = busy_lake(dir.path());
    let output = lakehunt(&["run", "--lake", lake.to_str().unwrap(), "--memory-limit", "64KiB"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("needs more memory than --memory-limit allows"), "{stderr}");
}

#[test]
fn a_size_that_is_not_a_size_is_bad_usage() {
    let output = lakehunt(&["run", "--memory-limit", "lots"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("not a size such as 1GiB"), "{stderr}");
}

#[test]
fn a_spill_dir_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let output = lakehunt(&["run", "--spill-dir", missing.to_str().unwrap()]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("is not a directory"), "{stderr}");
}
