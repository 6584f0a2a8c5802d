//! KQL run through the translator and the engine gives Kusto's answers where Kusto and SQL
//! differ: term matching, case-insensitive operators, never-null strings, join flavours,
//! mv-expand, integer arithmetic, summarize's column order and the other operators.

use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use lakehunt::engine::{Engine, EngineOptions};
use lakehunt::lake::Lake;
use lakehunt::rule::Rule;
use lakehunt::window::TimeWindow;

/// Runs a self-contained KQL query (over `datatable`s) and returns its header and rows, each
/// as `a|b|c` with nulls shown as `null`.
pub async fn run_kql(query: &str) -> (String, Vec<String>) {
    let rule = Rule::from_kql("test", query, None, "test").unwrap_or_else(|e| panic!("{e}"));
    let header: Vec<String> = rule.columns.iter().map(|(n, t)| format!("{n}:{t}")).collect();
    let empty = tempfile::tempdir().unwrap();
    let lake = Lake::open(empty.path().to_str().unwrap()).await.unwrap();
    let engine =
        Engine::new(&EngineOptions { target_partitions: Some(1), ..Default::default() }).unwrap();
    let hunt = engine
        .plan(&lake, &rule, &TimeWindow::unbounded())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", rule.sql));
    let plan = hunt.physical_plan().await.unwrap();
    let mut stream = hunt.execute(plan).unwrap();
    let options = FormatOptions::default().with_null("null");
    let mut rows = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap_or_else(|e| panic!("{e}\n{}", rule.sql));
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = formatters.iter().map(|f| f.value(row).to_string()).collect();
            rows.push(cells.join("|"));
        }
    }
    (header.join(", "), rows)
}

pub async fn rows(query: &str) -> Vec<String> {
    run_kql(query).await.1
}

pub async fn sorted_rows(query: &str) -> Vec<String> {
    let mut rows = rows(query).await;
    rows.sort();
    rows
}

const WORDS: &str = r#"datatable(s:string)["Failed logon", "logons", "LOGON-7", "catalogon", ""]"#;

#[tokio::test]
async fn has_matches_whole_terms_only() {
    let found = rows(&format!("{WORDS} | where s has 'logon'")).await;
    assert_eq!(found, ["Failed logon", "LOGON-7"]);
    let not_found = rows(&format!("{WORDS} | where s !has 'logon'")).await;
    assert_eq!(not_found, ["logons", "catalogon", ""]);
    assert_eq!(rows(&format!("{WORDS} | where s has_cs 'LOGON'")).await, ["LOGON-7"]);
}

#[tokio::test]
async fn contains_and_tilde_equality_ignore_case_but_double_equals_does_not() {
    assert_eq!(rows(&format!("{WORDS} | where s contains 'LOGON'")).await.len(), 4);
    assert_eq!(rows(&format!("{WORDS} | where s contains_cs 'LOGON'")).await, ["LOGON-7"]);
    assert_eq!(rows(&format!("{WORDS} | where s =~ 'LOGONS'")).await, ["logons"]);
    assert!(rows(&format!("{WORDS} | where s == 'LOGONS'")).await.is_empty());
    assert_eq!(
        rows(&format!("{WORDS} | where s in~ ('FAILED LOGON', 'x')")).await,
        ["Failed logon"]
    );
    assert_eq!(
        rows(&format!("{WORDS} | where s startswith 'cat' or s endswith '-7'")).await.len(),
        2
    );
}

#[tokio::test]
async fn a_missing_string_is_empty_never_null() {
    let query = r#"print d = dynamic({"a": 1})
        | extend absent = tostring(d.b), present = tostring(d.a)
        | extend empty = isempty(absent), is_null = isnull(absent), joined = strcat(absent, "x", present)"#;
    assert_eq!(rows(query).await, [r#"{"a":1}||1|true|false|x1"#]);
}

#[tokio::test]
async fn not_equal_is_true_for_an_empty_string() {
    let query = r#"datatable(isp:string)["INTERNAL_NETWORK", "", "Contoso"] | where isp != "INTERNAL_NETWORK""#;
    assert_eq!(rows(query).await, ["", "Contoso"]);
}

#[tokio::test]
async fn coalesce_skips_empty_strings() {
    let query = r#"print a = "", b = "second", c = "third" | project r = coalesce(a, b, c)"#;
    assert_eq!(rows(query).await, ["second"]);
}

const LEFT: &str = r#"datatable(k:string, l:long)["a", 1, "a", 2, "b", 3, "", 4]"#;
const RIGHT: &str = r#"datatable(k:string, r:long)["a", 10, "a", 20, "c", 30, "", 40]"#;

#[tokio::test]
async fn innerunique_keeps_one_left_row_per_key() {
    let found = rows(&format!("{LEFT} | join ({RIGHT}) on k | project k, r")).await;
    let mut found = found;
    found.sort();
    // One left row per key, each joined to every right row with that key; "" equals "".
    assert_eq!(found, ["a|10", "a|20", "|40"]);
}

#[tokio::test]
async fn inner_join_keeps_every_pair_and_suffixes_the_right_key() {
    let (header, _) = run_kql(&format!("{LEFT} | join kind=inner ({RIGHT}) on k")).await;
    assert_eq!(header, "k:string, l:long, k1:string, r:long");
    let pairs =
        sorted_rows(&format!("{LEFT} | join kind=inner ({RIGHT}) on k | project l, r")).await;
    assert_eq!(pairs, ["1|10", "1|20", "2|10", "2|20", "4|40"]);
}

#[tokio::test]
async fn leftanti_returns_left_rows_without_a_match_and_only_left_columns() {
    let (header, found) =
        run_kql(&format!("{LEFT} | join kind=leftanti ({RIGHT}) on $left.k == $right.k")).await;
    assert_eq!(header, "k:string, l:long");
    assert_eq!(found, ["b|3"]);
    let right = sorted_rows(&format!("{LEFT} | join kind=rightanti ({RIGHT}) on k")).await;
    assert_eq!(right, ["c|30"]);
    let semi = sorted_rows(&format!("{LEFT} | join kind=leftsemi ({RIGHT}) on k")).await;
    assert_eq!(semi, ["a|1", "a|2", "|4"]);
}

#[tokio::test]
async fn leftouter_fills_missing_right_strings_with_empty_strings() {
    let found = sorted_rows(&format!(
        "{LEFT} | where k == 'b' | join kind=leftouter ({RIGHT}) on k | project k, k1, r"
    ))
    .await;
    assert_eq!(found, ["b||null"]);
}

#[tokio::test]
async fn mvexpand_stops_at_128_elements_and_mv_expand_does_not() {
    let query = "print n = 1 | extend arr = pack_array(1,2,3) | mv-expand arr";
    assert_eq!(rows(query).await, ["1|1", "1|2", "1|3"]);
    let long_array: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let array = format!("dynamic([{}])", long_array.join(","));
    let legacy = rows(&format!("print a = {array} | mvexpand a | count")).await;
    assert_eq!(legacy, ["128"]);
    let modern = rows(&format!("print a = {array} | mv-expand a | count")).await;
    assert_eq!(modern, ["200"]);
}

#[tokio::test]
async fn mv_expand_of_an_empty_array_gives_no_row_and_of_a_bag_one_row_per_property() {
    assert!(rows("print a = dynamic([]) | mv-expand a").await.is_empty());
    let bag = rows(r#"print a = dynamic({"x": 1, "y": "z"}) | mv-expand a"#).await;
    assert_eq!(bag, [r#"{"x":1}"#, r#"{"y":"z"}"#]);
}

#[tokio::test]
async fn integer_division_truncates_toward_zero_and_modulo_is_never_negative() {
    let query = "print a = 7 / 2, b = -7 / 2, c = -7 % 3, d = 7 % -3, e = -7 % -3, f = 7.0 / 2";
    assert_eq!(rows(query).await, ["3|-3|2|1|2|3.5"]);
}

#[tokio::test]
async fn summarize_puts_the_by_columns_first_then_the_aggregates_in_order() {
    let query = r#"datatable(user:string, ip:string, n:long)["u1","1.1.1.1",5, "u1","2.2.2.2",7, "u2","1.1.1.1",1]
        | summarize total = sum(n), count(), dcount(ip), countif(n > 4), max(n) by user"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(
        header,
        "user:string, total:long, count_:long, dcount_ip:long, countif_:long, max_n:long"
    );
    let mut found = found;
    found.sort();
    assert_eq!(found, ["u1|12|2|2|2|7", "u2|1|1|1|0|1"]);
}

#[tokio::test]
async fn make_set_drops_repeats_and_make_list_keeps_them_in_order() {
    let query = r#"datatable(s:string)["b","a","b","c"] | summarize distinct_s = make_set(s), all_s = make_list(s)"#;
    assert_eq!(rows(query).await, [r#"["b","a","c"]|["b","a","b","c"]"#]);
}

#[tokio::test]
async fn arg_max_returns_the_whole_row_with_the_largest_value_per_group() {
    let query = r#"datatable(k:long, v:long, w:string)[1,10,"a", 1,20,"b", 2,30,"c"]
        | summarize arg_max(v, *) by k"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "k:long, v:long, w:string");
    let mut found = found;
    found.sort();
    assert_eq!(found, ["1|20|b", "2|30|c"]);
}

#[tokio::test]
async fn bin_rounds_down_timestamps_and_numbers() {
    let query = r#"datatable(t:datetime, n:long)[datetime(2026-01-01 10:47:00), -7, datetime(2026-01-01 11:02:00), 7]
        | summarize c = count() by hour = bin(t, 1h), b = bin(n, 5) | sort by b asc"#;
    assert_eq!(rows(query).await, ["2026-01-01T10:00:00Z|-10|1", "2026-01-01T11:00:00Z|5|1"]);
}

#[tokio::test]
async fn sort_is_descending_with_nulls_last_by_default_and_take_keeps_the_order() {
    let query = "datatable(n:long)[3, long(null), 1, 2] | sort by n | take 3";
    assert_eq!(rows(query).await, ["3", "2", "1"]);
    let top = rows("datatable(n:long)[3, 1, 2] | top 2 by n asc").await;
    assert_eq!(top, ["1", "2"]);
}

#[tokio::test]
async fn extend_replaces_a_column_in_place_and_later_assignments_see_its_input_value() {
    let (header, found) =
        run_kql("print a = 1, b = 2 | extend a = a * 10, c = a + 1 | project-reorder c").await;
    assert_eq!(header, "c:long, a:long, b:long");
    assert_eq!(found, ["2|10|2"]);
    // A new column is seen by the assignments after it; `a = c, c = a` swaps.
    let found = rows("print a = 1, c = 3 | extend x = a + 1, y = x * 2, a = c, c = a").await;
    assert_eq!(found, ["3|1|2|4"]);
}

#[tokio::test]
async fn project_away_rename_and_distinct_shape_the_columns() {
    let query = r#"datatable(a:string, b:long, c:long)["x",1,2, "x",1,3]
        | project-away c | project-rename Name = a | distinct Name, b"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "Name:string, b:long");
    assert_eq!(found, ["x|1"]);
}

#[tokio::test]
async fn lets_bind_scalars_tables_and_functions() {
    let query = r#"let threshold = 2;
        let names = dynamic(["a", "c"]);
        let twice = (x:long) { x * 2 };
        let t = datatable(s:string, n:long)["a",1, "b",2, "c",3];
        t | where s in (names) and twice(n) > threshold | project s, d = twice(n)"#;
    assert_eq!(rows(query).await, ["c|6"]);
}

#[tokio::test]
async fn union_lines_up_columns_by_name_and_fills_missing_strings_with_empty() {
    let query = r#"union (datatable(a:string)["x"]), (datatable(a:string, n:long)["y", 1]) | sort by a asc"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "a:string, n:long");
    assert_eq!(found, ["x|null", "y|1"]);
}

#[tokio::test]
async fn dynamic_values_keep_their_json_types() {
    let query = r#"print d = parse_json('{"n": 5, "s": "5", "a": [1, {"k": "v"}]}')
        | project n = tostring(d.n), s = tostring(d.s), a0 = d.a[0], k = tostring(d.a[-1].k), len = array_length(d.a), keys = bag_keys(d)"#;
    assert_eq!(rows(query).await, [r#"5|5|1|v|2|["n","s","a"]"#]);
}

#[tokio::test]
async fn text_that_is_not_json_becomes_a_dynamic_string() {
    let query =
        r#"print d = todynamic("not json") | project t = tostring(d), m = isempty(tostring(d.x))"#;
    assert_eq!(rows(query).await, ["not json|true"]);
}

#[tokio::test]
async fn iff_case_and_conversions_follow_kusto() {
    let query = r#"print a = iff(1 > 2, "yes", "no"), b = case(false, 1, true, 2, 3), c = toint("12"), d = tolong("x"), e = tobool("TRUE"), f = todouble("2.5")"#;
    assert_eq!(rows(query).await, ["no|2|12|null|true|2.5"]);
}

#[tokio::test]
async fn string_functions_follow_kusto() {
    let query = r#"print s = "  Hello, World  "
        | project u = toupper(s), l = strlen(s), t = trim(@"\s", s), sub = substring("abcdef", 1, 3),
                  x = extract(@"(\w+), (\w+)", 2, s), sp = split("a,b,,c", ","), r = replace_string("aXbX", "X", "-")"#;
    assert_eq!(
        rows(query).await,
        [r#"  HELLO, WORLD  |16| Hello, World |bcd|World|["a","b","","c"]|a-b-"#]
    );
}

#[tokio::test]
async fn count_and_between_work_on_rows() {
    assert_eq!(
        rows("datatable(n:long)[1, 5, 10] | where n between (2 .. 10) | count").await,
        ["2"]
    );
}

#[tokio::test]
async fn integer_division_and_modulo_by_zero_are_null() {
    let query = "datatable(i:int, j:int)[10, 0, -10, 0, 7, 2] | extend q = i / j, r = i % j";
    assert_eq!(rows(query).await, ["10|0|null|null", "-10|0|null|null", "7|2|3|1"]);
}

#[tokio::test]
async fn int_arithmetic_widens_to_long_instead_of_overflowing() {
    let (header, found) = run_kql("print a = toint(2147483647) + toint(1)").await;
    assert_eq!(header, "a:long");
    assert_eq!(found, ["2147483648"]);
}

#[tokio::test]
async fn null_comparisons_follow_kustos_documented_table() {
    // `==` of a null and a value is false and `!=` true; of two nulls, and an ordering of a
    // null, are null (the worked example of Kusto's page on null values).
    let query = "datatable(a:int)[1, int(null)]
        | extend eq = a == 1, ne = a != 1, lt = a < 5, both = a == int(null), neither = a != a";
    assert_eq!(
        rows(query).await,
        ["1|true|false|true|false|false", "null|false|true|null|null|null"]
    );
    let negated = "datatable(x:long)[1, long(null), 10] | where not(x > 5) | count";
    assert_eq!(rows(negated).await, ["1"]);
}

#[tokio::test]
async fn conversions_trim_read_hex_give_null_for_text_out_of_range_and_hold_reals_at_the_bounds() {
    let query = r#"print a = toint(" 12 "), b = toint("abc"), c = toint("99999999999"),
        d = tolong("0x10"), e = toint(2.9), f = toint(-2.9), g = toint(1e30)"#;
    assert_eq!(rows(query).await, ["12|null|null|16|2|-2|2147483647"]);
}

#[tokio::test]
async fn tostring_writes_booleans_and_reals_as_dotnet_does() {
    let query =
        "print a = tostring(true), b = tostring(1e19), c = tostring(2.5), d = tostring(real(nan))";
    assert_eq!(rows(query).await, ["True|1E+19|2.5|NaN"]);
}

#[tokio::test]
async fn bin_of_a_timestamp_counts_from_the_year_one_and_weeks_start_on_sunday() {
    // 0001-01-01 was a Monday, so seven-day bins start on Mondays.
    let query = "print b = bin(datetime(2024-01-03), 7d), w = startofweek(datetime(2024-01-03)),
        e = endofday(datetime(2024-01-03 10:00)), d = dayofweek(datetime(2024-01-03))";
    assert_eq!(
        rows(query).await,
        ["2024-01-01T00:00:00Z|2023-12-31T00:00:00Z|2024-01-03T23:59:59.999999900Z|PT259200S"]
    );
}

#[tokio::test]
async fn sum_of_no_values_is_zero_and_avg_not_a_number() {
    let query =
        "datatable(g:string, v:long)['a', long(null)] | summarize s = sum(v), m = avg(v) by g";
    assert_eq!(rows(query).await, ["a|0|NaN"]);
}

#[tokio::test]
async fn datatable_keeps_the_order_its_rows_are_written_in() {
    let query = "datatable(n:long)[3, 1, 2, 5, 4]";
    assert_eq!(rows(query).await, ["3", "1", "2", "5", "4"]);
}

#[tokio::test]
async fn string_functions_count_overlaps_and_trim_one_match_at_each_end() {
    let query = r#"print c = countof("aaa", "aa"), t = trim("a", "aabaa"), r = reverse("abc"),
        i = indexof("hello", "l"), n = strcmp("a", "b")"#;
    assert_eq!(rows(query).await, ["2|aba|cba|2|-1"]);
}

#[tokio::test]
async fn joins_on_non_string_keys_match_nulls_as_kusto_does() {
    let query = "datatable(k:long, a:string)[1, 'x', long(null), 'y']
        | join kind=inner (datatable(k:long, b:string)[1, 'p', long(null), 'q']) on k
        | project a, b";
    assert_eq!(sorted_rows(query).await, ["x|p", "y|q"]);
}
