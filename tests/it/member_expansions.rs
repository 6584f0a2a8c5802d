//! An expansion whose values are read only as one member reads that member while expanding
//! (`kql_mv_expand_members`): the rows are those expanding and then reading give, whatever the
//! values hold.

use crate::common::{TestLake, batch, lakehunt, minute, strings, texts, timestamps};

/// IPAddresses values of every shape an expansion meets, with what `tostring(v.IPAddress)` of
/// each expanded value is: a repeated key's last value, a null, scalars and bags without the
/// key, nested values, an escaped key, an escaped string, a bag (one value per property),
/// text that is not JSON, a null row, an empty array and a long array cut by the limit.
const ADDRESSES: &[Option<&str>] = &[
    Some(r#"[{"IPAddress":"10.0.0.1"},{"IPAddress":"10.0.0.2","IPAddress":"10.0.0.3"}]"#),
    Some(
        r#"[{"IPAddress":{"a":[1, 2]}}, {"IPAddress":12.50}, {"IPAddress":null}, 5, {"Other":1}]"#,
    ),
    Some(r#" [ { "\u0049PAddress" : "escaped key" } , {"IPAddress":"a\"b"} ] "#),
    Some(r#"{"IPAddress":"in a bag","Other":"x"}"#),
    Some("not json"),
    None,
    Some("[]"),
    Some(r#"[{"IPAddress":"k1"},{"IPAddress":"k2"},{"IPAddress":"k3"},{"IPAddress":"k4"}]"#),
];

/// The values above counted: "" for each value without the member, the null row and the
/// text that is not JSON.
const COUNTED: &str = "ip,n\n,4\n10.0.0.1,1\n10.0.0.3,1\n12.5,1\n\"a\"\"b\",1\nescaped key,1\n\
                       in a bag,1\nk1,1\nk2,1\nk3,1\n\"{\"\"a\"\":[1,2]}\",1\n";

fn network_lake() -> TestLake {
    let lake = TestLake::new();
    let times: Vec<i64> = (0..ADDRESSES.len() as i64).map(minute).collect();
    lake.write(
        "DeviceNetworkInfo/part-0.parquet",
        &batch(vec![("Timestamp", timestamps(&times)), ("IPAddresses", strings(ADDRESSES))]),
    );
    lake
}

/// Runs `command` (`run` or `explain`) of the rule text `rule` in a file named `file`.
fn lakehunt_on(lake: &TestLake, command: &str, file: &str, rule: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::write(&path, rule).unwrap();
    let lake_arg = lake.path().to_str().unwrap();
    let mut args = vec![command, path.to_str().unwrap(), "--lake", lake_arg];
    if command == "run" {
        args.extend(["--format", "csv"]);
    }
    let output = lakehunt(&args);
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    stdout
}

/// Counts `tostring(v.IPAddress)` of the values of the first three elements; `filter` goes
/// between the expansion and the read.
fn counted_members(filter: &str) -> String {
    format!(
        "SELECT ip, count(*) AS n FROM ( \
           SELECT kql_tostring(kql_member(v, 'IPAddress')) AS ip FROM ( \
             SELECT unnest(kql_mv_expand(kql_todynamic(IPAddresses), 3)) AS v \
             FROM DeviceNetworkInfo) AS expanded {filter}) \
         GROUP BY ip ORDER BY ip"
    )
}

#[test]
fn reading_one_member_of_each_expanded_value_is_done_while_expanding() {
    let lake = network_lake();
    let plan = lakehunt_on(&lake, "explain", "members.sql", &counted_members(""));
    // The text is parsed as it is read, not checked by kql_todynamic first.
    assert!(plan.contains("kql_mv_expand_text_members(IPAddresses"), "{plan}");
    assert!(!plan.contains("kql_todynamic(IPAddresses@"), "{plan}");
    assert_eq!(lakehunt_on(&lake, "run", "members.sql", &counted_members("")), COUNTED);
}

#[test]
fn values_used_otherwise_too_are_expanded_first_with_the_same_rows() {
    let lake = network_lake();
    // The filter reads the expanded values themselves, so they must exist as values.
    let rule = counted_members("WHERE kql_tostring(v) <> 'no such value'");
    let plan = lakehunt_on(&lake, "explain", "values.sql", &rule);
    assert!(!plan.contains("kql_mv_expand_members("), "{plan}");
    assert_eq!(lakehunt_on(&lake, "run", "values.sql", &rule), COUNTED);
}

#[test]
fn two_different_members_of_the_same_values_are_read_after_expanding() {
    let lake = network_lake();
    let rule = "SELECT kql_tostring(kql_member(v, 'IPAddress')) AS ip, \
                       kql_tostring(kql_member(v, 'Other')) AS other \
                FROM (SELECT unnest(kql_mv_expand(kql_todynamic(IPAddresses), 128)) AS v \
                      FROM DeviceNetworkInfo) \
                WHERE kql_tostring(kql_member(v, 'Other')) <> '' ORDER BY ip, other";
    let plan = lakehunt_on(&lake, "explain", "two.sql", rule);
    assert!(!plan.contains("kql_mv_expand_members("), "{plan}");
    let rows = lakehunt_on(&lake, "run", "two.sql", rule);
    assert_eq!(rows, "ip,other\n,1\n,x\n");
}

#[test]
fn the_seed_rule_s_kql_reads_its_device_addresses_while_expanding() {
    let lake = network_lake();
    let kql = "DeviceNetworkInfo\n\
               | project NetworkInfo = todynamic(IPAddresses)\n\
               | mvexpand NetworkInfo\n\
               | project IpAddress = tostring(parse_json(NetworkInfo).IPAddress)\n\
               | summarize n = count() by IpAddress\n\
               | where IpAddress startswith \"k\"\n\
               | order by IpAddress asc";
    let plan = lakehunt_on(&lake, "explain", "devices.kql", kql);
    assert!(plan.contains("kql_mv_expand_members("), "{plan}");
    // The legacy mvexpand keeps 128 values of each array: all four this time.
    let rows = lakehunt_on(&lake, "run", "devices.kql", kql);
    assert_eq!(rows, "IpAddress,n\nk1,1\nk2,1\nk3,1\nk4,1\n");
}
