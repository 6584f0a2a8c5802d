//! KQL rules translated to SQL: the seed rule from its Sentinel YAML finds exactly what the
//! hand-written SQL finds on generated lakes, its SQL has the anti-joins and the unnest the
//! hand-written one has, and a query lakehunt cannot translate is refused at its line and
//! column with a caret under it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use lakehunt::generate::{GenerateOptions, IpAddressesLayout, generate};
use lakehunt::kql;
use lakehunt::rule::{DEFAULT_RULE, Rule};
use lakehunt::window::TimeWindow;
use proptest::collection::vec;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

/// The seed rule's Sentinel YAML, kept with the tests.
pub fn seed_yaml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/device-logons-from-unknown-ips.yaml")
}

fn generated(dir: &Path, layout: IpAddressesLayout, seed: u64) -> PathBuf {
    let out = dir.join(format!("lake-{}-{seed}", layout.name()));
    let options = GenerateOptions {
        out: out.clone(),
        logons: 20_000,
        devices: 200,
        days: 3,
        seed,
        start: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        ip_addresses: layout,
        force: false,
    };
    generate(&options).expect("the lake is generated");
    out
}

fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (&a.account_domain, &a.account_name, &a.logon_type, &a.remote_ip, &a.action_type).cmp(&(
            &b.account_domain,
            &b.account_name,
            &b.logon_type,
            &b.remote_ip,
            &b.action_type,
        ))
    });
    findings
}

#[tokio::test]
async fn the_seed_rule_from_yaml_finds_what_the_hand_written_sql_finds() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_yaml();
    for (layout, seed) in [
        (IpAddressesLayout::JsonText, 7),
        (IpAddressesLayout::NativeList, 8),
        (IpAddressesLayout::JsonText, 9),
    ] {
        let lake = generated(dir.path(), layout, seed);
        let window = TimeWindow::unbounded;
        let by_sql = hunt_with(&lake, DEFAULT_RULE, window()).await.unwrap();
        let by_kql = hunt_with(&lake, yaml.to_str().unwrap(), window()).await.unwrap();
        assert!(!by_sql.is_empty(), "seed {seed} finds something");
        assert_eq!(sorted(by_kql), sorted(by_sql), "seed {seed}, {}", layout.name());
    }
}

#[test]
fn the_seed_rule_translates_to_not_exists_anti_joins_and_an_unnest() {
    let rule = Rule::resolve(seed_yaml().to_str().unwrap()).unwrap();
    assert_eq!(rule.id.as_deref(), Some("a6d76204-efb2-4ccd-a068-d5a9e6876236"));
    assert_eq!(rule.name, "Device Logons from Unknown IPs");
    assert_eq!(rule.tactics, ["LateralMovement"]);
    assert_eq!(rule.connectors, ["MicrosoftThreatProtection"]);
    assert_eq!(rule.tables, ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"]);
    assert_eq!(rule.sql.matches("NOT EXISTS").count(), 2, "{}", rule.sql);
    assert!(rule.sql.contains("unnest(kql_mv_expand("), "{}", rule.sql);
    assert!(rule.sql.contains(", 128))"), "mvexpand keeps its 128 cap: {}", rule.sql);
    assert!(rule.sql.contains("-- line 2: | where RemoteIPType == \"Public\""), "{}", rule.sql);
    let columns: Vec<String> = rule.columns.iter().map(|(n, t)| format!("{n}:{t}")).collect();
    assert_eq!(
        columns,
        [
            "AccountDomain:string",
            "AccountName:string",
            "LogonType:string",
            "RemoteIP:string",
            "ActionType:string",
            "EarliestEvent:datetime",
            "LatestEvent:datetime",
            "Instances:long",
            "DistinctMachines:long"
        ]
    );
}

fn error_of(query: &str) -> String {
    kql::to_sql(query, "hunt.kql").unwrap_err().to_string()
}

#[test]
fn a_parse_error_shows_the_line_and_a_caret_under_the_column() {
    let message = error_of("DeviceLogonEvents\n| where RemoteIP == \n| take 5");
    assert!(message.starts_with("hunt.kql:3:1: expected an expression, found `|`"), "{message}");
    assert!(message.contains("3 | | take 5\n  | ^"), "{message}");
}

#[test]
fn an_unsupported_operator_is_refused_by_name_and_position() {
    let message = error_of("DeviceLogonEvents\n|   evaluate bag_unpack(AdditionalFields)");
    assert!(
        message.starts_with("hunt.kql:2:5: the `evaluate` operator is not supported"),
        "{message}"
    );
    assert!(message.ends_with("  |     ^"), "{message}");
}

#[test]
fn an_unsupported_function_is_refused_by_name_and_position() {
    let message = error_of("DeviceLogonEvents | extend h = url_encode(DeviceName)");
    assert!(
        message.starts_with("hunt.kql:1:32: the function `url_encode` is not supported"),
        "{message}"
    );
}

#[test]
fn an_unknown_column_is_reported_where_it_is_written() {
    let message = error_of("DeviceLogonEvents\n| where RemoteIp == \"1.2.3.4\"");
    assert!(message.starts_with("hunt.kql:2:9: unknown column `RemoteIp`"), "{message}");
}

#[test]
fn an_unknown_table_is_reported_where_it_is_written() {
    let message = error_of("let x = 1;\nNoSuchTable | take 1");
    assert!(message.starts_with("hunt.kql:2:1: unknown table `NoSuchTable`"), "{message}");
}

#[test]
fn an_unterminated_string_is_reported_where_it_starts() {
    let message = error_of("DeviceLogonEvents | where DeviceName == \"abc");
    assert!(message.starts_with("hunt.kql:1:41: expected a closing quote"), "{message}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("print x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(error_of(&deep).contains("nests deeper than"));
    let negations = format!("print x = {}1", "-".repeat(100_000));
    assert!(error_of(&negations).contains("nests deeper than"));
    let pipelines = format!("{}DeviceLogonEvents{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(error_of(&pipelines).contains("nests deeper than"));
}

#[test]
fn steps_become_ctes_named_after_them_with_their_kql_line() {
    let translation = kql::translate(
        "DeviceLogonEvents\n| where ActionType == 'LogonFailed'\n| summarize Failures = count() by DeviceName\n| top 10 by Failures",
    )
    .unwrap();
    let sql = &translation.sql;
    for step in ["DeviceLogonEvents_1 AS (", "where_2 AS (", "summarize_3 AS (", "top_4 AS ("] {
        assert!(sql.contains(step), "{step} in {sql}");
    }
    assert!(sql.contains("-- line 3: | summarize Failures = count() by DeviceName"), "{sql}");
    assert!(sql.contains("ORDER BY \"Failures\" DESC NULLS LAST"), "{sql}");
}

#[test]
fn a_datetime_kusto_cannot_hold_is_refused_where_it_is_written() {
    let error = error_of("print d = datetime(1500-01-01)");
    assert!(error.contains("datetime"), "{error}");
    assert!(error.contains("1:"), "{error}");
}

#[test]
fn a_keyword_cannot_name_a_column_without_brackets() {
    let error = error_of("print where = 1");
    assert!(error.contains("where"), "{error}");
    // Kusto rejects these queries: `missing`, `first` and `last` are keywords too.
    let error = error_of("print d = dynamic({\"a\":1}) | extend missing = d.nonexistent");
    assert!(error.starts_with("hunt.kql:1:37: `missing` is a Kusto keyword"), "{error}");
    let error = error_of("print d = dynamic([1]) | extend first = d[0]");
    assert!(error.starts_with("hunt.kql:1:33: `first` is a Kusto keyword"), "{error}");
    let error = error_of("datatable(i:long)[1] | extend f = i | project f, where");
    assert!(error.starts_with("hunt.kql:1:50: `where` is a Kusto keyword"), "{error}");
    let error = error_of("datatable(i:long)[1] | project last = i");
    assert!(error.contains("`last` is a Kusto keyword"), "{error}");
}

#[test]
fn a_bracketed_keyword_names_a_column_and_words_kusto_allows_stay_names() {
    let translation = kql::to_sql(
        "print d = dynamic({\"a\":1}) | extend ['missing'] = d.a, from = 1, count = 2, kind = 3",
        "hunt.kql",
    )
    .unwrap();
    let names: Vec<&str> = translation.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["d", "missing", "from", "count", "kind"]);
}

#[test]
fn an_operator_keyword_is_not_a_function() {
    let error = error_of("datatable(s:string)[\"a.b\"] | extend p = hasprefix(s, \"a\")");
    assert!(error.contains("`hasprefix` is a Kusto keyword"), "{error}");
}

#[test]
fn one_extend_cannot_assign_a_name_twice() {
    let error = error_of("datatable(x:long)[1] | extend y = 1, y = 2");
    assert!(error.contains("`y` is assigned twice in one extend"), "{error}");
}

#[test]
fn a_string_parameter_takes_no_number_as_kusto_converts_none() {
    for call in [
        "strlen(123)",
        "split(\"a,b\", 1)",
        "replace_string(1, \"a\", \"b\")",
        "extract(\"a\", 0, 123)",
        "countof(1, \"a\")",
        "bag_pack(1, 2)",
        "ipv4_is_private(1)",
    ] {
        let error = error_of(&format!("print x = {call}"));
        assert!(error.contains("takes a string here, not a long"), "{call}: {error}");
    }
    // Parameters Kusto declares of any scalar still convert.
    kql::to_sql("print a = tolower(123), b = strcat(1, 'a'), c = split(123, '2')", "h").unwrap();
}

#[test]
fn arguments_kusto_counts_or_wants_constant_are_checked() {
    for (query, expected) in [
        ("print x = coalesce(1)", "at least two arguments for coalesce"),
        ("print x = strcat_delim('-', 'a')", "a delimiter and at least two values"),
        ("print x = pack_array()", "a value for pack_array"),
        ("print x = format_datetime(now(), '')", "the datetime format `` is not supported"),
        ("datatable(p:long)[1] | extend x = round(1.5, p)", "round needs a constant precision"),
        ("datatable(a:long)[1] | serialize | extend p = prev(a + 1)", "prev takes a column"),
    ] {
        let error = error_of(query);
        assert!(error.contains(expected), "{query}: {error}");
    }
}

#[test]
fn a_timespan_literal_beyond_what_nanoseconds_hold_is_refused() {
    let error = error_of("print b = 200000d");
    assert!(error.contains("a timespan beyond 106751 days"), "{error}");
}

#[test]
fn names_that_would_collide_are_refused() {
    let error = error_of("datatable(a:long, b:long)[1, 2] | project-rename b = a, a = b");
    assert!(error.contains("`b` is already a column"), "{error}");
    let error = error_of("union withsource=x (datatable(x:long)[1]), (datatable(x:long)[2])");
    assert!(error.contains("withsource=x names a column an input already has"), "{error}");
}

#[test]
fn join_keys_name_left_then_right_and_an_inner_union_needs_a_common_column() {
    let error = error_of("print k = 1 | join (print k = 1) on $right.k == $left.k");
    assert!(error.contains("`$left.<column> == $right.<column>`"), "{error}");
    let error = error_of("union kind=inner (print a = 1), (print b = 2)");
    assert!(error.contains("no column in common"), "{error}");
}

#[test]
fn what_kusto_does_not_have_is_refused() {
    for (query, expected) in [
        ("print x = string(null)", "the function `string` is not supported"),
        ("print k = 1 | join kind=outer (print k = 1) on k", "a join kind"),
        ("print k = 1 | join kind=semi (print k = 1) on k", "a join kind"),
        ("print k = 1 | project-away k", "project-away of every column"),
    ] {
        let error = error_of(query);
        assert!(error.contains(expected), "{query}: {error}");
    }
}

#[test]
fn parse_patterns_kusto_rejects_are_refused() {
    for pattern in [r#"a * "x" b"#, r#""a=" v *"#, "a b", r#"* v"#, r#""a" * v:long"#] {
        let error = error_of(&format!("print s = 'x' | parse s with {pattern}"));
        assert!(error.contains("a parse pattern Kusto accepts"), "{pattern}: {error}");
    }
    kql::to_sql(r#"print s = 'x' | parse s with * "n=" n:long * "m=" m:long *"#, "h").unwrap();
}

#[test]
fn a_case_sensitive_search_over_a_caseless_operator_is_refused() {
    let error = error_of(r#"print a = "ABC" | search kind=case_sensitive a contains "b""#);
    assert!(error.contains("search kind=case_sensitive over a string operator"), "{error}");
}

#[test]
fn strings_are_not_ordered_with_less_or_greater() {
    let error = error_of("datatable(s:string)[\"b\"] | where s > \"a\"");
    assert!(error.contains("Kusto does not order string values"), "{error}");
    let error = error_of("datatable(s:string)[\"b\"] | where s between (\"a\" .. \"c\")");
    assert!(error.contains("Kusto has no `between` of string values"), "{error}");
}

/// Pieces of KQL that random queries are put together from: operators, names, literals and
/// punctuation, so that most inputs get deep into the parser and the translator.
const PIECES: &[&str] = &[
    "DeviceLogonEvents",
    "datatable(a:long, s:string)[1, 'x']",
    "print",
    "range x from 1 to 3 step 1",
    "|",
    "where",
    "extend",
    "project",
    "summarize",
    "by",
    "join",
    "kind=leftanti",
    "on",
    "lookup",
    "mv-expand",
    "mv-apply",
    "parse",
    "with",
    "search",
    "make-series",
    "serialize",
    "sort",
    "top",
    "take",
    "let",
    "=",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "has",
    "contains",
    "in",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ":",
    "*",
    "+",
    "-",
    "/",
    "%",
    ".",
    "a",
    "s",
    "x",
    "ActionType",
    "count()",
    "row_number()",
    "prev(a)",
    "bin(a, 1)",
    "1",
    "-1",
    "2.5",
    "'t'",
    "\"q*\"",
    "@'\\d'",
    "1d",
    "datetime(2024-01-01)",
    "dynamic([1, {\"k\": 2}])",
    "to",
    "typeof(long)",
    "default",
    "from",
    "step",
    "kind=regex",
    "toint(s)",
    "tostring(a)",
];

#[test]
fn no_query_put_together_from_kql_pieces_panics_the_translator() {
    let mut runner = TestRunner::new(Config { cases: 2000, ..Config::default() });
    let strategy = vec(select(PIECES), 0..40);
    runner
        .run(&strategy, |pieces| {
            let text = pieces.join(" ");
            // An answer or a refusal, never a panic.
            let _ = kql::to_sql(&text, "random.kql");
            let _ = kql::translate(&text);
            Ok(())
        })
        .unwrap();
}

/// Found by `fuzz/run.sh`: a chain of remainders, each naming its operands several times in
/// the SQL, grew the text exponentially (minutes for 18 of them).
#[test]
fn an_expression_whose_sql_would_explode_is_refused_at_once() {
    let found = "print 1/0/0/60%5%1/6%11/5%1/0/0/60%1/0/60/651/5%11/5%1/0/0/60%16%11/5%1/0/0/60%1/0/60/651/5%11/5%1/0/0/60%1/0/60//0/60/6";
    let _ = kql::to_sql(found, "fuzz.kql");
    let chain = format!("print x = {}", vec!["7"; 40].join(" % "));
    let error = error_of(&chain);
    assert!(error.contains("the expression is too large to translate"), "{error}");
}
