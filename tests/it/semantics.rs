//! One test per Kusto rule the seed rule's translation must keep (`DOMAIN.md`, "Kusto
//! semantics"). Each builds the smallest lake that tells the two readings apart.

use crate::common::*;

/// A lake with one public logon from `ip` and the given IPAddresses values.
fn lake_with_network_info(ip: Option<&str>, ip_addresses: &[Option<&str>]) -> TestLake {
    let lake = TestLake::new();
    lake.write(
        "DeviceLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0)])),
            ("DeviceId", strings(&[Some("dev-1")])),
            ("AccountDomain", strings(&[Some("contoso")])),
            ("AccountName", strings(&[Some("alice")])),
            ("LogonType", strings(&[Some("Network")])),
            ("RemoteIP", strings(&[ip])),
            ("RemoteIPType", strings(&[Some("Public")])),
            ("ActionType", strings(&[Some("LogonSuccess")])),
        ]),
    );
    let devices: Vec<Option<&str>> = ip_addresses.iter().map(|_| Some("dev-9")).collect();
    let times: Vec<i64> = ip_addresses.iter().map(|_| minute(0)).collect();
    lake.write(
        "DeviceNetworkInfo/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&times)),
            ("DeviceId", strings(&devices)),
            ("IPAddresses", strings(ip_addresses)),
        ]),
    );
    lake.write(
        "IdentityLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&[minute(0)])),
            ("IPAddress", strings(&[Some("198.51.100.200")])),
            ("ISP", strings(&[Some("Contoso ISP")])),
        ]),
    );
    lake
}

fn ips(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.remote_ip.as_str()).collect()
}

#[tokio::test]
async fn an_ip_owned_by_a_device_is_removed() {
    let owned = r#"[{"IPAddress":"203.0.113.5","SubnetPrefix":24,"AddressType":"Public"}]"#;
    let lake = lake_with_network_info(Some("203.0.113.5"), &[Some(owned)]);
    assert!(hunt(lake.path()).await.is_empty());
}

#[tokio::test]
async fn an_unknown_public_ip_is_found() {
    let other = r#"[{"IPAddress":"10.0.0.4","SubnetPrefix":24,"AddressType":"Private"}]"#;
    let lake = lake_with_network_info(Some("203.0.113.5"), &[Some(other)]);
    let findings = hunt(lake.path()).await;
    assert_eq!(ips(&findings), ["203.0.113.5"]);
    assert_eq!(findings[0].instances, 1);
    assert_eq!(findings[0].distinct_machines, 1);
}
