//! lakehunt against an independent model of the seed rule. Random small lakes, with values
//! drawn from pools that hold the cases Kusto reads differently from SQL (NULL and empty
//! strings, JSON that is empty, null, scalar, a bag, not JSON at all or longer than the
//! legacy `mvexpand` cap) and tables split into files whose schemas drift, are hunted twice:
//! by lakehunt, and by the plain-Rust reading of the KQL below, written from Kusto's
//! documented semantics without DataFusion. The findings must be equal, in the same order.

use std::collections::{BTreeMap, BTreeSet};

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::TimeUnit;
use lakehunt::rule::DEFAULT_RULE;
use lakehunt::window::TimeWindow;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

use crate::common::*;

// ---------------------------------------------------------------------------------------
// The lakes
// ---------------------------------------------------------------------------------------

/// One cell of a table: a timestamp, a string (or JSON text), or a native IPAddresses list.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Time(Option<i64>),
    Text(Option<String>),
    Native(Option<Vec<Option<NativeIp>>>),
}

impl Cell {
    /// The same kind of cell, holding a Parquet NULL (what a file without the column reads).
    fn null(&self) -> Cell {
        match self {
            Cell::Time(_) => Cell::Time(None),
            Cell::Text(_) => Cell::Text(None),
            Cell::Native(_) => Cell::Native(None),
        }
    }
}

/// What a column holds, which the files' Arrow types follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Time,
    Text,
    Native,
}

/// How one Parquet file of a table stores its columns.
#[derive(Debug, Clone)]
struct FileLayout {
    strings: StringLayout,
    unit: TimeUnit,
    zone: Option<&'static str>,
    /// Per column of the table: whether this file lacks it.
    omits: Vec<bool>,
    /// Whether the file lists its columns in reverse order.
    reversed: bool,
}

/// A table of a random lake: its rows, and how they are spread over 1-3 files.
#[derive(Debug, Clone)]
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    kinds: Vec<Kind>,
    rows: Vec<Vec<Cell>>,
    files: Vec<FileLayout>,
    /// The file of row `i` is `file_of[i % file_of.len()] % files.len()`.
    file_of: Vec<usize>,
}

impl Table {
    fn file_of_row(&self, row: usize) -> usize {
        self.file_of[row % self.file_of.len()] % self.files.len()
    }

    /// Every column is in at least one file (a column no file has is an error, not a case) and
    /// every file has at least one column (Parquet cannot store a file of no columns).
    fn keep_every_column_somewhere(mut self) -> Table {
        for column in 0..self.columns.len() {
            if self.files.iter().all(|f| f.omits[column]) {
                self.files[0].omits[column] = false;
            }
        }
        for file in &mut self.files {
            if file.omits.iter().all(|&omitted| omitted) {
                file.omits[0] = false;
            }
        }
        self
    }

    /// The rows as a reader of the files sees them: a column its file lacks is NULL.
    fn rows_as_read(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let layout = &self.files[self.file_of_row(i)];
                row.iter()
                    .zip(&layout.omits)
                    .map(|(cell, &omitted)| if omitted { cell.null() } else { cell.clone() })
                    .collect()
            })
            .collect()
    }

    fn column(&self, name: &str) -> usize {
        self.columns.iter().position(|c| *c == name).expect("a column of the table")
    }

    fn write(&self, lake: &TestLake) {
        for (f, layout) in self.files.iter().enumerate() {
            let rows: Vec<&Vec<Cell>> = (0..self.rows.len())
                .filter(|&i| self.file_of_row(i) == f)
                .map(|i| &self.rows[i])
                .collect();
            let mut columns: Vec<(&str, ArrayRef)> = Vec::new();
            for (c, name) in self.columns.iter().enumerate() {
                if layout.omits[c] {
                    continue;
                }
                let cells: Vec<&Cell> = rows.iter().map(|r| &r[c]).collect();
                columns.push((name, array_of(self.kinds[c], &cells, layout)));
            }
            if layout.reversed {
                columns.reverse();
            }
            let path = format!("{}/date=2026-01-0{}/part-{f}.parquet", self.name, f + 1);
            lake.write(&path, &batch(columns));
        }
    }
}

fn array_of(kind: Kind, cells: &[&Cell], layout: &FileLayout) -> ArrayRef {
    match kind {
        Kind::Time => {
            let times: Vec<Option<i64>> = cells
                .iter()
                .map(|c| match c {
                    Cell::Time(t) => *t,
                    other => panic!("not a time: {other:?}"),
                })
                .collect();
            timestamps_as(layout.unit, layout.zone, &times)
        }
        Kind::Native => {
            let lists: Vec<Option<Vec<Option<NativeIp>>>> = cells
                .iter()
                .map(|c| match c {
                    Cell::Native(l) => l.clone(),
                    other => panic!("not a native list: {other:?}"),
                })
                .collect();
            native_ip_addresses(&lists)
        }
        Kind::Text => {
            let texts: Vec<Option<&str>> = cells
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.as_deref(),
                    other => panic!("not a string: {other:?}"),
                })
                .collect();
            strings_as(layout.strings, &texts)
        }
    }
}

/// A random lake of the seed rule's three tables.
#[derive(Debug, Clone)]
struct Case {
    logons: Table,
    network_info: Table,
    identity_logons: Table,
}

const LOGON_COLUMNS: &[&str] = &[
    "Timestamp",
    "DeviceId",
    "AccountDomain",
    "AccountName",
    "LogonType",
    "RemoteIP",
    "RemoteIPType",
    "ActionType",
];
const NETWORK_INFO_COLUMNS: &[&str] = &["Timestamp", "DeviceId", "IPAddresses"];
const IDENTITY_COLUMNS: &[&str] = &["Timestamp", "IPAddress", "ISP"];

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// The addresses every table draws from, so that the joins meet.
const IPS: &[&str] = &[
    "203.0.113.5",
    "198.51.100.7",
    "2001:db8::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "42",
    "10.0.0.4",
    "",
];

/// The address only long IPAddresses arrays hold, near the `mvexpand` cap, and some logons
/// come from.
const EDGE_IP: &str = "192.0.2.128";

/// Where logons come from: the shared addresses and the one at the cap's edge.
const REMOTE_IPS: &[&str] = &[
    "203.0.113.5",
    "198.51.100.7",
    "2001:db8::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "42",
    "10.0.0.4",
    "",
    EDGE_IP,
];

/// A value of `pool` or, now and then, NULL.
fn maybe(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        5 => select(pool).prop_map(|s| Some(s.to_string())),
    ]
}

fn text(pool: &'static [&'static str]) -> impl Strategy<Value = Cell> {
    maybe(pool).prop_map(Cell::Text)
}

fn time() -> impl Strategy<Value = Cell> {
    prop::option::weighted(0.85, 0..240i64).prop_map(|m| Cell::Time(m.map(minute)))
}

fn logon() -> impl Strategy<Value = Vec<Cell>> {
    let ip_type = prop_oneof![
        6 => Just(Some("Public".to_string())),
        1 => Just(Some("public".to_string())),
        1 => Just(Some("Private".to_string())),
        1 => Just(Some(String::new())),
        1 => Just(None),
    ];
    (
        time(),
        text(&["dev-1", "dev-2", "dev-3", ""]),
        text(&["contoso", "CONTOSO", ""]),
        text(&["alice", "bob", ""]),
        text(&["Network", "Interactive", ""]),
        text(REMOTE_IPS),
        ip_type.prop_map(Cell::Text),
        text(&["LogonSuccess", "LogonFailed", ""]),
    )
        .prop_map(|(t, device, domain, account, logon_type, ip, ip_type, action)| {
            vec![t, device, domain, account, logon_type, ip, ip_type, action]
        })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// The JSON of an `IPAddress` member, or `None` to leave the member out.
fn ip_member() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        5 => select(IPS).prop_map(|ip| Some(json_string(ip))),
        1 => select(&["42", "42.0", "7"][..]).prop_map(|n| Some(n.to_string())),
        1 => Just(Some("null".to_string())),
    ]
}

/// One network adapter's address as a JSON object, its keys in varying order; now and then
/// `IPAddress` is written a second time, maybe spelt with an escape, and the last one counts.
fn adapter() -> impl Strategy<Value = String> {
    let again = prop::option::weighted(0.2, (ip_member(), any::<bool>()));
    (ip_member(), any::<bool>(), any::<bool>(), any::<bool>(), again).prop_map(
        |(ip, prefix, kind, ip_last, again)| {
            let mut members = Vec::new();
            if prefix {
                members.push(r#""SubnetPrefix":24"#.to_string());
            }
            if kind {
                members.push(r#""AddressType":"Public""#.to_string());
            }
            if let Some(ip) = ip {
                let member = format!(r#""IPAddress":{ip}"#);
                if ip_last {
                    members.push(member);
                } else {
                    members.insert(0, member);
                }
            }
            if let Some((Some(ip), escaped)) = again {
                let key = if escaped { r#"IP\u0041ddress"# } else { "IPAddress" };
                members.push(format!(r#""{key}":{ip}"#));
            }
            format!("{{{}}}", members.join(","))
        },
    )
}

fn element() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => adapter(),
        1 => Just("null".to_string()),
        1 => select(IPS).prop_map(json_string),
        1 => Just("42".to_string()),
    ]
}

/// An array of `len` adapters whose addresses nobody logs on from, but for `ip` at `at`.
fn long_array(len: usize, at: usize, ip: &str) -> String {
    let elements: Vec<String> = (0..len)
        .map(|i| {
            let address =
                if i == at { ip.to_string() } else { format!("10.200.{}.{}", i / 256, i % 256) };
            format!(r#"{{"IPAddress":{}}}"#, json_string(&address))
        })
        .collect();
    format!("[{}]", elements.join(","))
}

/// Texts that are not JSON, some of them close.
const NOT_JSON: &[&str] = &["203.0.113.5", "not json", "[1,", "{IPAddress: 42}", "'10.0.0.4'"];

/// An IPAddresses value kept as text.
fn ip_addresses_text() -> impl Strategy<Value = Cell> {
    let array = (vec(element(), 0..4), select(&[",", ", ", " ,\n "][..]))
        .prop_map(|(elements, separator)| format!("[{}]", elements.join(separator)));
    // The cap shows at the edge: the address at index 127 is owned, at 128 it is not.
    let long = (129usize..=140)
        .prop_flat_map(|len| {
            let at = prop_oneof![2 => Just(127), 2 => Just(128), 1 => 120..len];
            (Just(len), at)
        })
        .prop_map(|(len, at)| long_array(len, at, EDGE_IP));

    prop_oneof![
        8 => array.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(String::new())),
        1 => select(NOT_JSON).prop_map(|t| Some(t.to_string())),
        2 => adapter().prop_map(Some),
        1 => select(IPS).prop_map(|ip| Some(json_string(ip))),
        1 => Just(Some(" 42 ".to_string())),
        2 => long.prop_map(Some),
    ]
    .prop_map(Cell::Text)
}

/// An IPAddresses value kept as a native Parquet list of structs.
fn ip_addresses_native() -> impl Strategy<Value = Cell> {
    let element = (maybe(IPS), prop::option::of(Just(24i64)), maybe(&["Public", "Private"]))
        .prop_map(|(ip_address, subnet_prefix, address_type)| NativeIp {
            ip_address,
            subnet_prefix,
            address_type,
        });
    prop::option::weighted(0.85, vec(prop::option::weighted(0.85, element), 0..4))
        .prop_map(Cell::Native)
}

/// DeviceNetworkInfo rows, their IPAddresses all kept as text or all as native lists.
fn network_info_rows() -> impl Strategy<Value = (Vec<Kind>, Vec<Vec<Cell>>)> {
    let rows = |kind: Kind, ip_addresses: BoxedStrategy<Cell>| {
        let row = (time(), text(&["dev-1", "dev-9", ""]), ip_addresses)
            .prop_map(|(t, d, ips)| vec![t, d, ips]);
        vec(row, 0..6).prop_map(move |rows| (vec![Kind::Time, Kind::Text, kind], rows))
    };
    prop_oneof![
        3 => rows(Kind::Text, ip_addresses_text().boxed()),
        1 => rows(Kind::Native, ip_addresses_native().boxed()),
    ]
}

fn identity_logon() -> impl Strategy<Value = Vec<Cell>> {
    let isps = &[
        "INTERNAL_NETWORK",
        "INTERNAL_NETWORK",
        "INTERNAL_NETWORK",
        "internal_network",
        "",
        "Contoso ISP",
    ];
    (time(), text(IPS), text(isps)).prop_map(|(t, ip, isp)| vec![t, ip, isp])
}

/// Fewer than `most` rows of a table whose first column is Timestamp and the others strings.
fn texts_after_time(
    row: impl Strategy<Value = Vec<Cell>>,
    columns: &[&str],
    most: usize,
) -> impl Strategy<Value = (Vec<Kind>, Vec<Vec<Cell>>)> {
    let mut kinds = vec![Kind::Text; columns.len()];
    kinds[0] = Kind::Time;
    vec(row, 0..most).prop_map(move |rows| (kinds.clone(), rows))
}

fn file_layout(columns: usize) -> impl Strategy<Value = FileLayout> {
    use StringLayout::*;
    use TimeUnit::*;
    (
        select(vec![Utf8, LargeUtf8, Utf8View, Dictionary]),
        select(vec![Second, Millisecond, Microsecond, Nanosecond]),
        select(vec![None, Some("UTC"), Some("+00:00")]),
        vec(prop::bool::weighted(0.15), columns),
        any::<bool>(),
    )
        .prop_map(|(strings, unit, zone, omits, reversed)| FileLayout {
            strings,
            unit,
            zone,
            omits,
            reversed,
        })
}

fn table(
    name: &'static str,
    columns: &'static [&'static str],
    rows: impl Strategy<Value = (Vec<Kind>, Vec<Vec<Cell>>)>,
) -> impl Strategy<Value = Table> {
    (rows, vec(file_layout(columns.len()), 1..=3), vec(0..3usize, 1..8)).prop_map(
        move |((kinds, rows), files, file_of)| {
            Table { name, columns, kinds, rows, files, file_of }.keep_every_column_somewhere()
        },
    )
}

fn case() -> impl Strategy<Value = Case> {
    (
        table("DeviceLogonEvents", LOGON_COLUMNS, texts_after_time(logon(), LOGON_COLUMNS, 24)),
        table("DeviceNetworkInfo", NETWORK_INFO_COLUMNS, network_info_rows()),
        table(
            "IdentityLogonEvents",
            IDENTITY_COLUMNS,
            texts_after_time(identity_logon(), IDENTITY_COLUMNS, 5),
        ),
    )
        .prop_map(|(logons, network_info, identity_logons)| Case {
            logons,
            network_info,
            identity_logons,
        })
}

// ---------------------------------------------------------------------------------------
// The model: the seed rule's KQL, read the way Kusto documents it
// ---------------------------------------------------------------------------------------

/// The legacy `mvexpand` stops after this many values of one row.
const MVEXPAND_LIMIT: usize = 128;

/// A Kusto string: never null.
fn kusto_string(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone().unwrap_or_default(),
        other => panic!("not a string column: {other:?}"),
    }
}

/// `todynamic(x)`: empty text is null; text that is not JSON is a dynamic string.
fn todynamic(cell: &Cell) -> Value {
    match cell {
        Cell::Text(None) => Value::Null,
        Cell::Text(Some(t)) if t.is_empty() => Value::Null,
        Cell::Text(Some(t)) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        Cell::Native(None) => Value::Null,
        Cell::Native(Some(list)) => Value::Array(
            list.iter()
                .map(|element| match element {
                    None => Value::Null,
                    Some(e) => json!({
                        "IPAddress": e.ip_address,
                        "SubnetPrefix": e.subnet_prefix,
                        "AddressType": e.address_type,
                    }),
                })
                .collect(),
        ),
        Cell::Time(_) => panic!("not a dynamic column"),
    }
}

/// `mvexpand`: array elements, one single-property bag per property, or the value itself.
fn mvexpand(value: Value) -> Vec<Value> {
    match value {
        Value::Array(elements) => elements.into_iter().take(MVEXPAND_LIMIT).collect(),
        Value::Object(bag) => bag
            .into_iter()
            .take(MVEXPAND_LIMIT)
            .map(|(key, value)| Value::Object(Map::from_iter([(key, value)])))
            .collect(),
        scalar => vec![scalar],
    }
}

/// `d.key`: null unless `d` is a bag holding `key`.
fn member(value: &Value, key: &str) -> Value {
    match value {
        Value::Object(bag) => bag.get(key).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `tostring(d)`.
fn tostring(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(r)) if r.fract() == 0.0 && r.abs() < 1e15 => format!("{}", r as i64),
            (None, Some(r)) => r.to_string(),
            (None, None) => n.to_string(),
        },
        nested => nested.to_string(),
    }
}

/// The findings Kusto returns for the seed rule over `case`.
fn model(case: &Case) -> Vec<Finding> {
    // DeviceNetworkInfo | project NetworkInfo = todynamic(IPAddresses) | mvexpand NetworkInfo
    // | project IpAddress = tostring(parse_json(NetworkInfo).IPAddress) | distinct IpAddress
    let network_info = &case.network_info;
    let ip_addresses = network_info.column("IPAddresses");
    let owned: BTreeSet<String> = network_info
        .rows_as_read()
        .iter()
        .flat_map(|row| mvexpand(todynamic(&row[ip_addresses])))
        .map(|info| tostring(&member(&info, "IPAddress")))
        .collect();

    // IdentityLogonEvents | where ISP != "INTERNAL_NETWORK"
    let identity = &case.identity_logons;
    let (ip, isp) = (identity.column("IPAddress"), identity.column("ISP"));
    let outside: BTreeSet<String> = identity
        .rows_as_read()
        .iter()
        .filter(|row| kusto_string(&row[isp]) != "INTERNAL_NETWORK")
        .map(|row| kusto_string(&row[ip]))
        .collect();

    // DeviceLogonEvents | where RemoteIPType == "Public" | join kind=leftanti ... (twice)
    // | summarize ... by AccountDomain, AccountName, LogonType, RemoteIP, ActionType
    let logons = &case.logons;
    let at = |name| logons.column(name);
    let keys =
        [at("AccountDomain"), at("AccountName"), at("LogonType"), at("RemoteIP"), at("ActionType")];
    let (remote_ip, ip_type, device, timestamp) =
        (at("RemoteIP"), at("RemoteIPType"), at("DeviceId"), at("Timestamp"));
    type Group = (Option<i64>, Option<i64>, i64, BTreeSet<String>);
    let mut groups: BTreeMap<[String; 5], Group> = BTreeMap::new();
    for row in logons.rows_as_read() {
        let ip = kusto_string(&row[remote_ip]);
        if kusto_string(&row[ip_type]) != "Public" || owned.contains(&ip) || outside.contains(&ip) {
            continue;
        }
        let key = keys.map(|k| kusto_string(&row[k]));
        let group = groups.entry(key).or_default();
        if let Cell::Time(Some(t)) = row[timestamp] {
            group.0 = Some(group.0.map_or(t, |e| e.min(t)));
            group.1 = Some(group.1.map_or(t, |l| l.max(t)));
        }
        group.2 += 1;
        group.3.insert(kusto_string(&row[device]));
    }

    groups
        .into_iter()
        .map(|([domain, account, logon_type, ip, action], (earliest, latest, n, devices))| {
            Finding {
                account_domain: domain,
                account_name: account,
                logon_type,
                remote_ip: ip,
                action_type: action,
                earliest,
                latest,
                instances: n,
                distinct_machines: devices.len() as i64,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------

#[test]
fn lakehunt_agrees_with_a_model_of_the_kql_on_random_drifting_lakes() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let config = Config { cases: 48, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        let lake = TestLake::new();
        case.logons.write(&lake);
        case.network_info.write(&lake);
        case.identity_logons.write(&lake);

        let hunted =
            runtime.block_on(hunt_with(lake.path(), DEFAULT_RULE, TimeWindow::unbounded()));
        let found = hunted.map_err(|e| TestCaseError::fail(format!("the hunt failed: {e}")))?;
        prop_assert_eq!(found, model(&case));
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// The model itself, on the cases DOMAIN.md spells out, so that a wrong model cannot agree
/// with a wrong lakehunt unnoticed.
#[test]
fn the_model_reads_dynamic_values_as_kusto_documents() {
    let owned = |text: Option<&str>| -> BTreeSet<String> {
        mvexpand(todynamic(&Cell::Text(text.map(String::from))))
            .iter()
            .map(|v| tostring(&member(v, "IPAddress")))
            .collect()
    };
    let set = |ips: &[&str]| ips.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(owned(None), set(&[""]));
    assert_eq!(owned(Some("")), set(&[""]));
    assert_eq!(owned(Some("[]")), set(&[]));
    assert_eq!(owned(Some("not json")), set(&[""]));
    assert_eq!(owned(Some(r#""1.2.3.4""#)), set(&[""]));
    assert_eq!(owned(Some(r#"[{"IPAddress":42},{"IPAddress":7.0}]"#)), set(&["42", "7"]));
    assert_eq!(owned(Some(r#"[{"IPAddress":null},{"X":1}]"#)), set(&[""]));
    assert_eq!(owned(Some(r#"{"IPAddress":"x","SubnetPrefix":24}"#)), set(&["x", ""]));
    assert_eq!(owned(Some(r#"{"IPAddress":"x","IP\u0041ddress":"y"}"#)), set(&["y"]));
    assert!(owned(Some(&long_array(130, 127, "a"))).contains("a"));
    assert!(!owned(Some(&long_array(130, 128, "a"))).contains("a"));
}
