//! The seed rule over lakes that `generate` writes with planted ground truth: findings hold
//! every internal-only and unknown public IP and nothing else, whichever way IPAddresses is
//! stored, and a time window reads only its days.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use lakehunt::generate::{GenerateOptions, IpAddressesLayout, generate, read_truth};
use lakehunt::rule::DEFAULT_RULE;
use lakehunt::window::TimeWindow;

use crate::common::*;

fn generated(dir: &Path, layout: IpAddressesLayout, seed: u64) -> std::path::PathBuf {
    let out = dir.join(format!("lake-{}-{seed}", layout.name()));
    let options = GenerateOptions {
        out: out.clone(),
        logons: 60_000,
        devices: 300,
        days: 5,
        seed,
        start: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        ip_addresses: layout,
        force: false,
    };
    generate(&options).expect("the lake is generated");
    out
}

fn remote_ips(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.remote_ip.clone()).collect()
}

#[tokio::test]
async fn findings_are_exactly_the_internal_only_and_unknown_ips() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [7, 8] {
        let lake = generated(dir.path(), IpAddressesLayout::JsonText, seed);
        let truth = read_truth(&lake).unwrap();
        let expected: BTreeSet<String> =
            truth.internal_only.iter().chain(&truth.unknown).cloned().collect();
        assert!(!truth.internal_only.is_empty() && !truth.unknown.is_empty());

        let findings = hunt(&lake).await;
        assert_eq!(remote_ips(&findings), expected, "seed {seed}");
        for ip in truth.owned.iter().chain(&truth.outside_isp) {
            assert!(!remote_ips(&findings).contains(ip), "{ip} must be excluded");
        }
    }
}

#[tokio::test]
async fn ip_addresses_as_a_native_list_give_the_same_findings_as_json_text() {
    let dir = tempfile::tempdir().unwrap();
    let json = generated(dir.path(), IpAddressesLayout::JsonText, 11);
    let list = generated(dir.path(), IpAddressesLayout::NativeList, 11);
    let from_json = hunt(&json).await;
    assert!(!from_json.is_empty());
    assert_eq!(hunt(&list).await, from_json);
}

#[tokio::test]
async fn the_as_commented_variant_keeps_outside_isp_ips_and_drops_internal_ones() {
    let dir = tempfile::tempdir().unwrap();
    let lake = generated(dir.path(), IpAddressesLayout::JsonText, 7);
    let truth = read_truth(&lake).unwrap();
    let variant = "device-logons-from-unknown-ips-as-commented";
    let findings = hunt_with(&lake, variant, TimeWindow::unbounded()).await.unwrap();
    let ips = remote_ips(&findings);
    assert!(truth.internal_only.iter().all(|ip| !ips.contains(ip)));
    assert!(truth.unknown.iter().all(|ip| ips.contains(ip)));
}

#[tokio::test]
async fn a_window_keeps_only_the_logons_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let lake = generated(dir.path(), IpAddressesLayout::JsonText, 7);
    let window = TimeWindow::from_args(
        Some("2026-03-02T06:00:00Z"),
        Some("2026-03-03"),
        None,
        chrono::Utc::now(),
    )
    .unwrap();
    let (from, to) = (window.from.unwrap(), window.to.unwrap());
    let findings = hunt_with(&lake, DEFAULT_RULE, window).await.unwrap();
    assert!(!findings.is_empty());
    for f in &findings {
        let (earliest, latest) = (f.earliest.unwrap(), f.latest.unwrap());
        assert!(earliest >= from.timestamp_nanos_opt().unwrap(), "{f:?}");
        assert!(latest < to.timestamp_nanos_opt().unwrap(), "{f:?}");
    }
}

#[tokio::test]
async fn one_engine_hunts_two_lakes_and_windows_in_turn() {
    use lakehunt::engine::{Engine, EngineOptions};
    use lakehunt::lake::Lake;
    use lakehunt::rule::Rule;

    let dir = tempfile::tempdir().unwrap();
    let first = generated(dir.path(), IpAddressesLayout::JsonText, 7);
    let second = generated(dir.path(), IpAddressesLayout::JsonText, 8);
    let engine = Engine::new(&EngineOptions::default()).unwrap();
    let rule = Rule::resolve(DEFAULT_RULE).unwrap();
    let window = TimeWindow::from_args(Some("2026-03-03"), None, None, chrono::Utc::now()).unwrap();
    for (lake, window) in [(&first, TimeWindow::unbounded()), (&second, window), (&first, window)] {
        let lake_path = lake.to_str().unwrap();
        let opened = Lake::open(lake_path).await.unwrap();
        let hunt = engine.plan(&opened, &rule, &window).await.unwrap();
        let plan = hunt.physical_plan().await.unwrap();
        let mut stream = hunt.execute(plan).unwrap();
        let mut findings = Vec::new();
        while let Some(batch) = futures::StreamExt::next(&mut stream).await {
            findings.extend(findings_of(&batch.unwrap()));
        }
        assert_eq!(findings, hunt_with(lake, DEFAULT_RULE, window).await.unwrap());
    }
}
