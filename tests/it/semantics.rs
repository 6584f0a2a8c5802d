//! One test per Kusto rule the seed rule's translation must keep (`DOMAIN.md`, "Kusto
//! semantics"). Each builds the smallest lake that tells the two readings apart.

use datafusion::arrow::datatypes::{DataType, TimeUnit};

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
    write_outside_isp_logon(&lake);
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

/// One DeviceLogonEvents row; `None` is a Parquet NULL.
#[derive(Debug, Clone, Copy)]
struct Logon<'a> {
    time: Option<i64>,
    device: Option<&'a str>,
    domain: Option<&'a str>,
    account: Option<&'a str>,
    logon_type: Option<&'a str>,
    ip: Option<&'a str>,
    ip_type: Option<&'a str>,
    action: Option<&'a str>,
}

impl<'a> Logon<'a> {
    /// A successful public network logon by contoso\alice on dev-1 from `ip`.
    fn public_from(ip: Option<&'a str>) -> Logon<'a> {
        Logon {
            time: Some(minute(0)),
            device: Some("dev-1"),
            domain: Some("contoso"),
            account: Some("alice"),
            logon_type: Some("Network"),
            ip,
            ip_type: Some("Public"),
            action: Some("LogonSuccess"),
        }
    }
}

/// An IdentityLogonEvents row: its IPAddress and its ISP.
type IdentityLogon = (Option<&'static str>, Option<&'static str>);

/// A device that owns an address none of the tests' logons come from.
const ELSEWHERE: &str = r#"[{"IPAddress":"10.0.0.4","SubnetPrefix":24,"AddressType":"Private"}]"#;

/// An identity logon from an outside ISP, from an address none of the tests' logons use.
const OUTSIDE: IdentityLogon = (Some("198.51.100.200"), Some("Contoso ISP"));

/// A lake of the three tables, one Parquet file each.
fn lake_of<'a>(
    logons: &[Logon<'a>],
    ip_addresses: &[Option<&str>],
    identity: &[IdentityLogon],
) -> TestLake {
    let lake = TestLake::new();
    let column =
        |f: fn(&Logon<'a>) -> Option<&'a str>| strings(&logons.iter().map(f).collect::<Vec<_>>());
    let times: Vec<Option<i64>> = logons.iter().map(|l| l.time).collect();
    lake.write(
        "DeviceLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps_as(TimeUnit::Nanosecond, Some("UTC"), &times)),
            ("DeviceId", column(|l| l.device)),
            ("AccountDomain", column(|l| l.domain)),
            ("AccountName", column(|l| l.account)),
            ("LogonType", column(|l| l.logon_type)),
            ("RemoteIP", column(|l| l.ip)),
            ("RemoteIPType", column(|l| l.ip_type)),
            ("ActionType", column(|l| l.action)),
        ]),
    );
    lake.write(
        "DeviceNetworkInfo/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&vec![minute(0); ip_addresses.len()])),
            ("DeviceId", strings(&vec![Some("dev-9"); ip_addresses.len()])),
            ("IPAddresses", strings(ip_addresses)),
        ]),
    );
    let identity_ips: Vec<Option<&str>> = identity.iter().map(|i| i.0).collect();
    let isps: Vec<Option<&str>> = identity.iter().map(|i| i.1).collect();
    lake.write(
        "IdentityLogonEvents/part-0.parquet",
        &batch(vec![
            ("Timestamp", timestamps(&vec![minute(0); identity.len()])),
            ("IPAddress", strings(&identity_ips)),
            ("ISP", strings(&isps)),
        ]),
    );
    lake
}

/// The RemoteIP of each finding of a hunt over `logons`, with the given IPAddresses values and
/// identity logons.
async fn found_ips(
    logons: &[Logon<'_>],
    ip_addresses: &[Option<&str>],
    identity: &[IdentityLogon],
) -> Vec<String> {
    let lake = lake_of(logons, ip_addresses, identity);
    let findings = hunt(lake.path()).await;
    ips(&findings).into_iter().map(String::from).collect()
}

/// Logons from no address, from the empty address and from an address nobody owns.
fn empty_null_and_unknown_logons() -> [Logon<'static>; 3] {
    [
        Logon::public_from(None),
        Logon::public_from(Some("")),
        Logon::public_from(Some("203.0.113.9")),
    ]
}

#[tokio::test]
async fn a_null_remote_ip_type_is_not_public() {
    let logons = [
        Logon { ip_type: None, ..Logon::public_from(Some("203.0.113.5")) },
        Logon::public_from(Some("203.0.113.6")),
    ];
    let found = found_ips(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.6"]);
}

#[tokio::test]
async fn remote_ip_type_public_is_case_sensitive() {
    let typed = |ip_type, ip| Logon { ip_type: Some(ip_type), ..Logon::public_from(Some(ip)) };
    let logons = [
        typed("public", "203.0.113.1"),
        typed("PUBLIC", "203.0.113.2"),
        typed("Public ", "203.0.113.3"),
        typed("", "203.0.113.4"),
        typed("Public", "203.0.113.5"),
    ];
    let found = found_ips(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.5"]);
}

#[tokio::test]
async fn null_strings_group_with_empty_strings() {
    let all_null = Logon {
        time: Some(minute(1)),
        device: Some("dev-1"),
        domain: None,
        account: None,
        logon_type: None,
        ip: None,
        ip_type: Some("Public"),
        action: None,
    };
    let all_empty = Logon {
        time: Some(minute(2)),
        device: Some("dev-2"),
        domain: Some(""),
        account: Some(""),
        logon_type: Some(""),
        ip: Some(""),
        ..all_null
    };
    let lake = lake_of(&[all_null, all_empty], &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    let expected = Finding {
        account_domain: String::new(),
        account_name: String::new(),
        logon_type: String::new(),
        remote_ip: String::new(),
        action_type: String::new(),
        earliest: Some(minute(1)),
        latest: Some(minute(2)),
        instances: 2,
        distinct_machines: 2,
    };
    assert_eq!(findings, [expected]);
}

/// Whether a logon from 203.0.113.5 is found when an identity logon from that address came
/// through `isp`.
async fn found_despite_identity_logon_via(isp: Option<&'static str>) -> bool {
    let logons = [Logon::public_from(Some("203.0.113.5"))];
    let identity = [OUTSIDE, (Some("203.0.113.5"), isp)];
    let found = found_ips(&logons, &[Some(ELSEWHERE)], &identity).await;
    found == ["203.0.113.5"]
}

#[tokio::test]
async fn a_null_isp_counts_as_an_outside_isp() {
    assert!(!found_despite_identity_logon_via(None).await);
}

#[tokio::test]
async fn an_empty_isp_counts_as_an_outside_isp() {
    assert!(!found_despite_identity_logon_via(Some("")).await);
}

#[tokio::test]
async fn an_internal_network_isp_does_not_remove_the_ip() {
    assert!(found_despite_identity_logon_via(Some("INTERNAL_NETWORK")).await);
}

#[tokio::test]
async fn isp_not_equal_is_case_sensitive() {
    assert!(!found_despite_identity_logon_via(Some("internal_network")).await);
    assert!(!found_despite_identity_logon_via(Some("INTERNAL_NETWORK ")).await);
}

#[tokio::test]
async fn leftanti_treats_null_ip_as_empty_string() {
    let logons = empty_null_and_unknown_logons();
    for identity_ip in [None, Some("")] {
        let identity = [OUTSIDE, (identity_ip, Some("Contoso ISP"))];
        let found = found_ips(&logons, &[Some(ELSEWHERE)], &identity).await;
        assert_eq!(found, ["203.0.113.9"], "identity IPAddress {identity_ip:?}");
    }

    let internal = [OUTSIDE, (None, Some("INTERNAL_NETWORK"))];
    let found = found_ips(&logons, &[Some(ELSEWHERE)], &internal).await;
    assert_eq!(found, ["", "203.0.113.9"]);
}

#[tokio::test]
async fn leftanti_removes_a_null_ip_when_network_info_yields_empty() {
    let logons = empty_null_and_unknown_logons();
    let found = found_ips(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]).await;
    assert_eq!(found, ["", "203.0.113.9"], "without an empty address owned");

    let no_address = r#"[{"SubnetPrefix":24,"AddressType":"Private"}]"#;
    let found = found_ips(&logons, &[Some(ELSEWHERE), Some(no_address)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);
}

#[tokio::test]
async fn an_element_without_ip_address_owns_the_empty_ip() {
    let logons = empty_null_and_unknown_logons();
    let no_address = r#"[{"IPAddress":"10.0.0.4"},{"SubnetPrefix":24}]"#;
    let found = found_ips(&logons, &[Some(no_address)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);
}

#[tokio::test]
async fn a_json_null_ip_address_owns_the_empty_ip() {
    let logons = empty_null_and_unknown_logons();
    let null_address = r#"[{"IPAddress":null,"SubnetPrefix":24,"AddressType":"Private"}]"#;
    let found = found_ips(&logons, &[Some(null_address)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);
}

#[tokio::test]
async fn a_numeric_ip_address_is_compared_as_its_text() {
    let logons = [
        Logon::public_from(Some("42")),
        Logon::public_from(Some("7")),
        Logon::public_from(Some("")),
    ];
    let numbers = r#"[{"IPAddress":42},{"IPAddress":7.0}]"#;
    let found = found_ips(&logons, &[Some(numbers)], &[OUTSIDE]).await;
    assert_eq!(found, [""]);
}

#[tokio::test]
async fn an_empty_array_expands_to_no_row() {
    let logons = empty_null_and_unknown_logons();
    let lake = lake_of(&logons, &[Some("[]")], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    assert_eq!(ips(&findings), ["", "203.0.113.9"]);
    assert_eq!(findings[0].instances, 2, "the NULL and the empty RemoteIP together");
}

#[tokio::test]
async fn a_null_ip_addresses_expands_to_one_empty_ip() {
    let logons = empty_null_and_unknown_logons();
    let found = found_ips(&logons, &[Some(ELSEWHERE), None], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);
}

#[tokio::test]
async fn an_empty_ip_addresses_text_expands_to_one_empty_ip() {
    let logons = empty_null_and_unknown_logons();
    let found = found_ips(&logons, &[Some(ELSEWHERE), Some("")], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);
}

#[tokio::test]
async fn text_that_is_not_json_expands_to_one_empty_ip() {
    let logons = [
        Logon::public_from(Some("")),
        Logon::public_from(Some("203.0.113.9")),
        Logon::public_from(Some("10.0.0.7")),
    ];
    for text in ["203.0.113.9", "203.0.113.9, 10.0.0.7", "[203.0.113.9]", "{IPAddress: 10.0.0.7}"] {
        let found = found_ips(&logons, &[Some(ELSEWHERE), Some(text)], &[OUTSIDE]).await;
        assert_eq!(found, ["10.0.0.7", "203.0.113.9"], "IPAddresses {text:?}");
    }
}

#[tokio::test]
async fn a_property_bag_expands_to_one_bag_per_property() {
    let logons = [
        Logon::public_from(Some("")),
        Logon::public_from(Some("203.0.113.5")),
        Logon::public_from(Some("203.0.113.9")),
    ];
    let bag = r#"{"IPAddress":"203.0.113.5","SubnetPrefix":24,"AddressType":"Public"}"#;
    let found = found_ips(&logons, &[Some(bag)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.9"]);

    let lone_address = r#"{"IPAddress":"203.0.113.5"}"#;
    let found = found_ips(&logons, &[Some(lone_address)], &[OUTSIDE]).await;
    assert_eq!(found, ["", "203.0.113.9"]);
}

#[tokio::test]
async fn a_bag_with_a_key_written_twice_expands_to_one_property() {
    let logons = [Logon::public_from(Some("203.0.113.5")), Logon::public_from(Some("203.0.113.6"))];
    let bag = r#"{"IPAddress":"203.0.113.5","IPAddress":"203.0.113.6"}"#;
    let found = found_ips(&logons, &[Some(bag)], &[OUTSIDE]).await;
    // The last key wins, as kql_member reads `{"IPAddress":"203.0.113.5","IPAddress":"…6"}`.
    assert_eq!(found, ["203.0.113.5"]);
}

#[tokio::test]
async fn a_scalar_json_string_owns_no_ip() {
    let logons = [Logon::public_from(Some("")), Logon::public_from(Some("203.0.113.5"))];
    let found = found_ips(&logons, &[Some(r#""203.0.113.5""#)], &[OUTSIDE]).await;
    assert_eq!(found, ["203.0.113.5"]);
}

/// A JSON array of `count` network adapters' addresses, `10.<tag>.<i / 256>.<i % 256>` at `i`.
fn many_addresses(tag: u8, count: usize) -> String {
    let elements: Vec<String> = (0..count)
        .map(|i| format!(r#"{{"IPAddress":"10.{tag}.{}.{}","SubnetPrefix":8}}"#, i / 256, i % 256))
        .collect();
    format!("[{}]", elements.join(","))
}

#[tokio::test]
async fn mvexpand_owns_the_first_128_elements_of_each_row_only() {
    let logons = [
        Logon::public_from(Some("10.1.0.0")),
        Logon::public_from(Some("10.1.0.127")),
        Logon::public_from(Some("10.1.0.128")),
        Logon::public_from(Some("10.1.0.199")),
        Logon::public_from(Some("10.2.0.127")),
        Logon::public_from(Some("10.2.0.128")),
    ];
    let (first, second) = (many_addresses(1, 200), many_addresses(2, 130));
    let found = found_ips(&logons, &[Some(&first), Some(&second)], &[OUTSIDE]).await;
    assert_eq!(found, ["10.1.0.128", "10.1.0.199", "10.2.0.128"]);
}

#[tokio::test]
async fn ip_equality_is_case_sensitive() {
    let logons = [
        Logon::public_from(Some("fe80::abcd")),
        Logon::public_from(Some("FE80::ABCD")),
        Logon::public_from(Some("2001:db8::2")),
    ];
    let owned = r#"[{"IPAddress":"fe80::abcd"}]"#;
    let identity = [OUTSIDE, (Some("2001:DB8::2"), Some("Contoso ISP"))];
    let found = found_ips(&logons, &[Some(owned)], &identity).await;
    assert_eq!(found, ["2001:db8::2", "FE80::ABCD"]);
}

#[tokio::test]
async fn ipv6_is_compared_as_plain_text() {
    let logons = [
        Logon::public_from(Some("2001:db8::1")),
        Logon::public_from(Some("2001:0db8:0000:0000:0000:0000:0000:0001")),
        Logon::public_from(Some("2001:db8::2")),
        Logon::public_from(Some("2001:0db8:0000:0000:0000:0000:0000:0002")),
    ];
    let owned = r#"[{"IPAddress":"2001:db8::1","SubnetPrefix":64,"AddressType":"Public"}]"#;
    let identity = [OUTSIDE, (Some("2001:db8::2"), Some("Contoso ISP"))];
    let found = found_ips(&logons, &[Some(owned)], &identity).await;
    assert_eq!(
        found,
        ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:0db8:0000:0000:0000:0000:0000:0002"]
    );
}

#[tokio::test]
async fn dcount_counts_a_null_device_as_the_empty_machine() {
    let on = |device| Logon { device, ..Logon::public_from(Some("203.0.113.9")) };
    let logons = [on(Some("dev-1")), on(None), on(Some("dev-1")), on(None)];
    let lake = lake_of(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    assert_eq!((findings[0].instances, findings[0].distinct_machines), (4, 2));

    let with_empty = [on(Some("dev-1")), on(None), on(Some(""))];
    let lake = lake_of(&with_empty, &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    assert_eq!((findings[0].instances, findings[0].distinct_machines), (3, 2));
}

#[tokio::test]
async fn dcount_is_exact_for_thousands_of_machines() {
    let names: Vec<String> = (0..5000).map(|i| format!("dev-{i:05}")).collect();
    let mut logons: Vec<Logon> = names
        .iter()
        .map(|name| Logon {
            device: Some(name.as_str()),
            ..Logon::public_from(Some("203.0.113.9"))
        })
        .collect();
    let repeated = logons[..7].to_vec();
    logons.extend(repeated);
    let lake = lake_of(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    assert_eq!((findings[0].instances, findings[0].distinct_machines), (5007, 5000));
}

#[tokio::test]
async fn count_counts_every_row_including_identical_ones() {
    let logon = Logon::public_from(Some("203.0.113.9"));
    let lake = lake_of(&[logon; 3], &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    assert_eq!((findings[0].instances, findings[0].distinct_machines), (3, 1));
}

#[tokio::test]
async fn min_and_max_ignore_null_timestamps() {
    let at = |time, ip| Logon { time, ..Logon::public_from(Some(ip)) };
    let logons = [
        at(None, "203.0.113.1"),
        at(Some(minute(5)), "203.0.113.1"),
        at(Some(minute(3)), "203.0.113.1"),
        at(None, "203.0.113.1"),
        at(Some(minute(9)), "203.0.113.1"),
        at(None, "203.0.113.2"),
        at(None, "203.0.113.2"),
    ];
    let lake = lake_of(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]);
    let findings = hunt(lake.path()).await;
    let spans: Vec<_> = findings
        .iter()
        .map(|f| (f.remote_ip.as_str(), f.earliest, f.latest, f.instances))
        .collect();
    assert_eq!(
        spans,
        [("203.0.113.1", Some(minute(3)), Some(minute(9)), 5), ("203.0.113.2", None, None, 2),]
    );
}

#[tokio::test]
async fn findings_have_the_kusto_columns_and_types_sorted_by_the_five_keys() {
    let keyed = |domain, account, logon_type, ip, action| Logon {
        domain: Some(domain),
        account: Some(account),
        logon_type: Some(logon_type),
        ip: Some(ip),
        action: Some(action),
        ..Logon::public_from(None)
    };
    let logons = [
        keyed("b", "a", "a", "1", "a"),
        keyed("a", "a", "a", "1", "b"),
        keyed("a", "a", "a", "2", "a"),
        keyed("a", "a", "b", "1", "a"),
        keyed("a", "b", "a", "1", "a"),
        keyed("a", "a", "a", "1", "a"),
        keyed("B", "a", "a", "1", "a"),
        keyed("", "a", "a", "1", "a"),
    ];
    let lake = lake_of(&logons, &[Some(ELSEWHERE)], &[OUTSIDE]);

    let batches = hunt_batches(lake.path()).await;
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, FINDING_COLUMNS);
    for field in &schema.fields()[..5] {
        assert!(
            matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View),
            "{field}"
        );
    }
    let utc_nanos = DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()));
    assert_eq!(schema.field(5).data_type(), &utc_nanos);
    assert_eq!(schema.field(6).data_type(), &utc_nanos);
    assert_eq!(schema.field(7).data_type(), &DataType::Int64);
    assert_eq!(schema.field(8).data_type(), &DataType::Int64);

    let keys: Vec<String> = batches
        .iter()
        .flat_map(findings_of)
        .map(|f| {
            let parts =
                [f.account_domain, f.account_name, f.logon_type, f.remote_ip, f.action_type];
            parts.join("|")
        })
        .collect();
    assert_eq!(
        keys,
        [
            "|a|a|1|a",
            "B|a|a|1|a",
            "a|a|a|1|a",
            "a|a|a|1|b",
            "a|a|a|2|a",
            "a|a|b|1|a",
            "a|b|a|1|a",
            "b|a|a|1|a",
        ]
    );
}

/// The IPAddresses of one DeviceNetworkInfo row in both forms a lake may keep it in.
struct TwoForms {
    json: Option<&'static str>,
    native: Option<Vec<Option<NativeIp>>>,
}

fn native(ip: Option<&str>) -> Option<NativeIp> {
    Some(NativeIp {
        ip_address: ip.map(String::from),
        subnet_prefix: Some(24),
        address_type: Some("Private".into()),
    })
}

#[tokio::test]
async fn native_ip_addresses_give_the_same_answers_as_json_text() {
    let cases = [
        (TwoForms { json: None, native: None }, vec!["10.0.0.4", "203.0.113.9"]),
        (TwoForms { json: Some("[]"), native: Some(vec![]) }, vec!["", "10.0.0.4", "203.0.113.9"]),
        (
            TwoForms { json: Some("[null]"), native: Some(vec![None]) },
            vec!["10.0.0.4", "203.0.113.9"],
        ),
        (
            TwoForms {
                json: Some(r#"[{"IPAddress":null,"SubnetPrefix":24,"AddressType":"Private"}]"#),
                native: Some(vec![native(None)]),
            },
            vec!["10.0.0.4", "203.0.113.9"],
        ),
        (
            TwoForms {
                json: Some(
                    r#"[{"IPAddress":"10.0.0.4","SubnetPrefix":24,"AddressType":"Private"}]"#,
                ),
                native: Some(vec![native(Some("10.0.0.4"))]),
            },
            vec!["", "203.0.113.9"],
        ),
        (
            TwoForms {
                json: Some(
                    r#"[null,{"IPAddress":"10.0.0.4","SubnetPrefix":24,"AddressType":"Private"}]"#,
                ),
                native: Some(vec![None, native(Some("10.0.0.4"))]),
            },
            vec!["203.0.113.9"],
        ),
    ];
    let logons = [
        Logon::public_from(None),
        Logon::public_from(Some("")),
        Logon::public_from(Some("10.0.0.4")),
        Logon::public_from(Some("203.0.113.9")),
    ];
    for (forms, expected) in cases {
        let as_text = lake_of(&logons, &[forms.json], &[OUTSIDE]);
        let as_list = lake_of(&logons, &[forms.json], &[OUTSIDE]);
        as_list.write(
            "DeviceNetworkInfo/part-0.parquet",
            &batch(vec![
                ("Timestamp", timestamps(&[minute(0)])),
                ("DeviceId", strings(&[Some("dev-9")])),
                ("IPAddresses", native_ip_addresses(&[forms.native])),
            ]),
        );
        let from_text = hunt(as_text.path()).await;
        let from_list = hunt(as_list.path()).await;
        assert_eq!(ips(&from_text), expected, "JSON text {:?}", forms.json);
        assert_eq!(from_list, from_text, "native list for {:?}", forms.json);
    }
}
