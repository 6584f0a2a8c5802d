//! KQL's row-order operators and the operators beyond the seed rule's: `serialize` and the
//! row functions, `range`, `parse` and `parse-where`, `lookup`, `mv-expand ... to typeof()`,
//! `mv-apply`, `search`, `make-series`, `union withsource=`, `parse-kv`, `top-nested`,
//! `mv-expand with_itemindex=`, `percentile`, and the
//! functions and aggregates added with them (the period functions' offsets, `make_bag`,
//! `datetime_diff`'s short and long periods, ...), each run through the translator and the
//! engine.

use super::kql_semantics::{rows, run_kql, sorted_rows};

/// The header and the rows of a query, the rows sorted.
async fn header_and_sorted_rows(query: &str) -> (String, Vec<String>) {
    let (header, mut found) = run_kql(query).await;
    found.sort();
    (header, found)
}

fn refusal(query: &str) -> String {
    lakehunt::kql::to_sql(query, "hunt.kql").unwrap_err().to_string()
}

#[tokio::test]
async fn row_number_counts_rows_in_the_order_sort_gave_them() {
    let query = "datatable(x:long)[30, 10, 20] | sort by x asc | extend rn = row_number()";
    assert_eq!(sorted_rows(query).await, ["10|1", "20|2", "30|3"]);
    let (header, _) = run_kql(query).await;
    assert_eq!(header, "x:long, rn:long");
    let from_ten = "datatable(x:long)[30, 10, 20] | sort by x desc | extend rn = row_number(10)";
    assert_eq!(sorted_rows(from_ten).await, ["10|12", "20|11", "30|10"]);
}

#[test]
fn row_functions_need_serialized_rows() {
    let message = refusal("datatable(x:long)[1, 2] | extend rn = row_number()");
    assert!(message.contains("hunt.kql:1:39: `row_number` needs serialized rows"), "{message}");
    let message =
        refusal("datatable(x:long)[1] | sort by x | summarize n = count() | extend p = prev(n)");
    assert!(message.contains("`prev` needs serialized rows"), "{message}");
}

#[tokio::test]
async fn serialize_numbers_the_rows_as_they_come() {
    let query = "datatable(x:long)[3, 1, 2] | serialize rn = row_number()";
    assert_eq!(rows(query).await, ["3|1", "1|2", "2|3"]);
    let bare = "datatable(x:long)[3, 1, 2] | serialize | extend rn = row_number()";
    assert_eq!(rows(bare).await, ["3|1", "1|2", "2|3"]);
}

#[tokio::test]
async fn prev_and_next_give_the_neighbouring_rows_and_empty_strings_past_the_ends() {
    let query = "datatable(x:long, s:string)[1, 'a', 2, 'b', 3, 'c'] | sort by x asc
        | extend p = prev(x), n = next(s), p2 = prev(x, 2, 0)";
    assert_eq!(sorted_rows(query).await, ["1|a|null|b|0", "2|b|1|c|0", "3|c|2||1"]);
}

#[tokio::test]
async fn row_cumsum_adds_up_the_rows_so_far() {
    let query = "datatable(x:long)[10, 20, 30, 40] | sort by x asc | serialize cs = row_cumsum(x)
        | where cs > 30";
    assert_eq!(sorted_rows(query).await, ["30|60", "40|100"]);
    let restart = refusal("datatable(x:long)[1] | sort by x | extend c = row_cumsum(x, x > 0)");
    assert!(restart.contains("row_cumsum restarting on a condition is not supported"), "{restart}");
}

#[tokio::test]
async fn range_makes_the_values_from_its_start_through_its_end() {
    assert_eq!(rows("range x from 1 to 7 step 3").await, ["1", "4", "7"]);
    assert_eq!(rows("range x from 3 to 1 step -1").await, ["3", "2", "1"]);
    assert_eq!(rows("range x from 1 to 0 step 1 | count").await, ["0"]);
    let numbered = "range x from 5 to 7 step 1 | extend rn = row_number()";
    assert_eq!(sorted_rows(numbered).await, ["5|1", "6|2", "7|3"]);
}

#[tokio::test]
async fn parse_cuts_columns_at_the_first_occurrence_of_each_constant() {
    let query = r#"datatable(s:string)["[level=err] msg: a] b", "no match here"]
        | parse s with "[level=" lvl "] " body | project lvl, body"#;
    assert_eq!(rows(query).await, ["err|msg: a] b", "|"]);
}

#[tokio::test]
async fn parse_gives_typed_columns_and_null_where_the_text_does_not_fit() {
    // A column that cannot take its type fails the whole pattern, as in Kusto's strict mode.
    let query = r#"datatable(s:string)["GET /a 200 15ms", "POST /b oops 5ms"]
        | parse s with verb " " path " " status:int " " ms:long "ms"
        | project verb, path, status, ms"#;
    assert_eq!(rows(query).await, ["GET|/a|200|15", "||null|null"]);
    let (header, _) = run_kql(query).await;
    assert_eq!(header, "verb:string, path:string, status:int, ms:long");
}

#[tokio::test]
async fn parse_skips_text_at_a_star_and_must_match_the_whole_string() {
    let query = r#"datatable(s:string)["user=bob id=7 extra", "user=ann id=8"]
        | parse s with * "id=" id:long | project id"#;
    assert_eq!(rows(query).await, ["null", "8"]);
    let skipping = r#"datatable(s:string)["user=bob id=7 extra"]
        | parse s with * "id=" id:long * | project id"#;
    assert_eq!(rows(skipping).await, ["7"]);
}

#[tokio::test]
async fn parse_where_keeps_only_the_rows_that_match() {
    let query = r#"datatable(s:string)["a=1", "b", "a=2"] | parse-where s with "a=" n:long
        | project n"#;
    assert_eq!(rows(query).await, ["1", "2"]);
}

#[tokio::test]
async fn parse_with_kind_regex_reads_constants_as_expressions_and_columns_greedily() {
    let query = r#"datatable(s:string)["MixedCASE123end", "ABCdef"]
        | parse kind=regex s with up:string @"[0-9]+" tail:string | project up, tail"#;
    assert_eq!(rows(query).await, ["MixedCASE12|end", "|"]);
    let groups = r#"datatable(s:string)["k=v;x"] | parse kind=regex s with @"(k)=" v @";" rest
        | project v, rest"#;
    assert_eq!(rows(groups).await, ["v|x"]);
}

#[test]
fn parse_refuses_what_it_cannot_do_exactly() {
    let relaxed = refusal("datatable(s:string)['a'] | parse kind=relaxed s with x");
    assert!(relaxed.contains("parse kind=relaxed is not supported"), "{relaxed}");
    let date = refusal("datatable(s:string)['a'] | parse s with 'at ' d:datetime");
    assert!(date.contains("parse into a datetime column is not supported"), "{date}");
    let existing = refusal("datatable(s:string)['a'] | parse s with s");
    assert!(existing.contains("existing column `s`"), "{existing}");
}

#[tokio::test]
async fn lookup_keeps_every_left_row_and_leaves_out_the_right_keys() {
    let query = r#"let L = datatable(k:long, v:string)[1, "a", 2, "b", long(null), "n"];
        let R = datatable(k:long, v:string, w:long)[1, "x", 10, 1, "y", 11, long(null), "z", 12];
        L | lookup R on k"#;
    let (header, _) = run_kql(query).await;
    assert_eq!(header, "k:long, v:string, v1:string, w:long");
    assert_eq!(sorted_rows(query).await, ["1|a|x|10", "1|a|y|11", "2|b||null", "null|n|z|12"]);
    let inner = query.replace("lookup R", "lookup kind=inner R");
    assert_eq!(sorted_rows(&inner).await, ["1|a|x|10", "1|a|y|11", "null|n|z|12"]);
}

#[tokio::test]
async fn mv_expand_to_typeof_converts_each_value() {
    let query = r#"print d = dynamic([1, 2, "x"]), e = dynamic(["a", "b"])
        | mv-expand n = d to typeof(long), e to typeof(string) | project n, e"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "n:long, e:string");
    assert_eq!(found, ["1|a", "2|b", "null|"]);
}

#[tokio::test]
async fn in_a_tabular_let_compares_with_its_first_column_and_a_null_is_in_none() {
    let query = r#"let Known = datatable(k:long, note:string)[1, "a", 3, "b", long(null), "c"];
        datatable(x:long)[1, 2, 3, long(null)] | where x in (Known)"#;
    assert_eq!(sorted_rows(query).await, ["1", "3"]);
    let negated = query.replace("x in (Known)", "x !in (Known)");
    assert_eq!(sorted_rows(&negated).await, ["2", "null"]);
    let caseless = r#"let Names = datatable(n:string)["Alice"];
        datatable(s:string)["alice", "bob"] | where s in~ (Names)"#;
    assert_eq!(rows(caseless).await, ["alice"]);
    let outside = refusal("let T = datatable(k:long)[1]; print x = 1 | extend y = x in (T)");
    assert!(outside.contains("only supported in a where condition"), "{outside}");
}

#[tokio::test]
async fn a_let_of_constants_made_with_pack_array_is_a_list_for_in() {
    let query = r#"let IPs = pack_array("10.0.0.1", "10.0.0.2");
        datatable(ip:string)["10.0.0.1", "10.0.0.3"] | where ip in (IPs)"#;
    assert_eq!(rows(query).await, ["10.0.0.1"]);
}

#[tokio::test]
async fn extractjson_reads_a_json_path_as_text_or_as_the_type_asked_for() {
    let query = r#"datatable(j:string)['{"a":{"b":[5,{"c":"x"}]},"n":"7"}', 'not json']
        | project s = extractjson("$.a.b[1].c", j), whole = extractjson("$.a.b[1]", j),
                  n = extractjson("$['n']", j, typeof(long)), none = extractjson("$.zz", j)"#;
    assert_eq!(rows(query).await, [r#"x|{"c":"x"}|7|"#, "||null|"]);
    let wildcard = refusal("print s = extractjson('$..a', '{}')");
    assert!(wildcard.contains("the JSON path `$..a` is not supported"), "{wildcard}");
}

#[tokio::test]
async fn replace_is_replace_regex_with_the_text_last() {
    let query =
        r#"print a = replace(@"(\d+)", @"<\1>", "a1b22"), b = replace_regex("a1b22", @"\d", "")"#;
    assert_eq!(rows(query).await, ["a<1>b<22>|ab"]);
}

#[tokio::test]
async fn unnamed_columns_are_named_as_kusto_names_them() {
    let query = r#"datatable(s:string, d:dynamic)["Ab", dynamic({"a":1})]
        | summarize count(), dcount(tolower(s)), sum(strlen(s)), make_set(strlen(s))
            by tostring(d.a), strlen(s), tolower(s), bin(strlen(s), 2)"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(
        header,
        "d_a:string, strlen_s:long, Column1:string, strlen_s1:long, count_:long, dcount_:long, \
         sum_strlen_s:long, set_strlen_s:dynamic"
    );
    assert_eq!(found, ["1|2|ab|2|1|1|2|[2]"]);
    let (header, _) = run_kql(
        r#"datatable(x:long, d:dynamic)[1, dynamic([7])] | extend tostring(x), d[0], x + 1, gettype(x)"#,
    )
    .await;
    assert_eq!(header, "x:string, d:dynamic, d_0:dynamic, Column1:long, type_x:string");
}

#[tokio::test]
async fn round_keeps_an_integers_type_and_halves_away_from_zero() {
    let query = "print a = round(5), b = round(1250, -2), c = round(2.567, 2), d = round(-2.5)";
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "a:long, b:long, c:real, d:real");
    assert_eq!(found, ["5|1300|2.57|-3.0"]);
}

#[tokio::test]
async fn a_sort_survives_a_project_that_drops_its_column_and_a_let() {
    let rows5 = r#"datatable(x:long, s:string)[3,"c",1,"a",2,"b",5,"e",4,"d"]"#;
    assert_eq!(rows(&format!("{rows5} | sort by x asc | project s | take 2")).await, ["a", "b"]);
    let numbered =
        format!("{rows5} | sort by x desc | project-away x | serialize n = row_number()");
    assert_eq!(rows(&numbered).await, ["e|1", "d|2", "c|3", "b|4", "a|5"]);
    let counted = r#"datatable(k:string)["a","b","b","c","c","c"]
        | summarize c = count() by k | sort by c desc | project k | take 1"#;
    assert_eq!(rows(counted).await, ["c"]);
    let applied = "datatable(k:long, v:long)[3, 30, 1, 10, 2, 20] | order by k asc
        | mv-apply z = pack_array(v) to typeof(long) on (summarize s = sum(z)) | project s";
    assert_eq!(rows(applied).await, ["10", "20", "30"]);
    let named = "let T = datatable(x:long)[3, 1, 2] | sort by x asc; T | take 1";
    assert_eq!(rows(named).await, ["1"]);
    let listed = "datatable(v:long)[3, 1, 2] | sort by v desc | summarize l = make_list(v)";
    assert_eq!(rows(listed).await, ["[3,2,1]"]);
}

#[tokio::test]
async fn aggregates_of_no_values_take_kustos_defaults_and_take_any_prefers_a_value() {
    let empty =
        "datatable(x:long)[1] | where x > 5 | summarize stdev(x), variance(x), variancep(x)";
    assert_eq!(rows(empty).await, ["0.0|0.0|0.0"]);
    let any = r#"datatable(k:long, v:long, s:string)[1, long(null), "", 1, 5, "x"]
        | summarize take_any(v), take_any(s) by k"#;
    assert_eq!(rows(any).await, ["1|5|x"]);
}

#[tokio::test]
async fn strings_keep_their_line_breaks_and_split_at_an_index_is_an_array() {
    let query = r#"print a = strlen("a\nb"), b = indexof("x\r\ny", "y"), c = split("a,b", ",", 1),
        d = split("a,b", ",", 5)"#;
    assert_eq!(rows(query).await, [r#"3|3|["b"]|[]"#]);
}

#[tokio::test]
async fn format_timespan_keeps_a_part_longer_than_its_width() {
    let query = r#"print a = format_timespan(123d, "d"), b = format_timespan(1234d + 4h, "dd.h")"#;
    assert_eq!(rows(query).await, ["123|1234.4"]);
}

#[tokio::test]
async fn mv_expand_to_a_type_casts_without_parsing_and_keeps_null_elements_null() {
    let query = r#"datatable(d:dynamic)[dynamic(["1", 2, null])]
        | mv-expand e = d to typeof(long) | extend gone = isnull(e) | project e, gone"#;
    assert_eq!(rows(query).await, ["null|true", "2|false", "null|true"]);
    let plain = "datatable(d:dynamic)[dynamic([1, null])] | mv-expand e = d | project isnull(e)";
    assert_eq!(rows(plain).await, ["false", "true"]);
}

#[tokio::test]
async fn datetimes_read_from_text_and_counted_apart_over_centuries() {
    let query = r#"print a = todatetime("2014-05-25T08:20"), b = todatetime("Sat, 8 Nov 14 15:05:02 GMT"),
        c = datetime_diff("day", datetime(2261-01-01), datetime(1678-01-01))"#;
    assert_eq!(rows(query).await, ["2014-05-25T08:20:00Z|2014-11-08T15:05:02Z|212936"]);
}

#[tokio::test]
async fn tolower_and_toupper_map_each_character_alone_as_dotnet_does() {
    let query = r#"datatable(s:string)["straße", "STRASSE"] | summarize c = count() by u = toupper(s)
        | extend l = tolower("ΣΑΣ") | order by u asc"#;
    assert_eq!(rows(query).await, ["STRASSE|1|σασ", "STRAßE|1|σασ"]);
}

#[tokio::test]
async fn an_extend_that_overwrites_the_sorted_column_keeps_the_order() {
    let query = "datatable(x:long)[1, 3, 2] | sort by x desc | extend x = x * -1 | take 2";
    assert_eq!(rows(query).await, ["-3", "-2"]);
}

#[tokio::test]
async fn nan_sorts_with_the_nulls_and_compares_as_neither_less_nor_greater() {
    let values = "datatable(x:real)[5, real(nan), real(-inf), real(null), 0, real(+inf)]";
    let ascending = rows(&format!("{values} | order by x asc")).await;
    assert_eq!(ascending, ["null", "NaN", "-inf", "0.0", "5.0", "inf"]);
    let descending = rows(&format!("{values} | order by x desc")).await;
    assert_eq!(descending, ["inf", "5.0", "0.0", "-inf", "NaN", "null"]);
    let counted = rows(&format!("{values} | where x > 0 or x <= 0 | count")).await;
    assert_eq!(counted, ["4"]);
}

#[tokio::test]
async fn a_sum_of_reals_adds_in_row_order_with_or_without_by() {
    let values = "datatable(x:real)[1.1, 2.2, 3.3]";
    let whole = rows(&format!("{values} | summarize s = sum(x), a = avg(x)")).await;
    let grouped = rows(&format!("{values} | summarize s = sum(x), a = avg(x) by k = 1")).await;
    assert_eq!(whole, ["6.6|2.1999999999999997"]);
    assert_eq!(grouped, ["1|6.6|2.1999999999999997"]);
}

#[tokio::test]
async fn a_named_arg_max_alone_names_its_first_column() {
    let query = r#"datatable(x:long, s:string)[1, "a", 2, "b"] | summarize best = arg_max(x, s)"#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "best:long, s:string");
    assert_eq!(found, ["2|b"]);
}

#[tokio::test]
async fn a_guid_the_other_side_lacks_is_null_and_as_names_a_unions_rows() {
    let query = r#"datatable(k:long)[1, 2]
        | join kind=leftouter (datatable(k:long, g:guid)[1, guid(00000000-0000-0000-0000-000000000001)]) on k
        | project k, absent = isnull(g) | order by k asc"#;
    assert_eq!(rows(query).await, ["1|false", "2|true"]);
    let named = "union withsource=T (print x = 1 | as First), (print x = 2 | as Second)
        | order by x asc";
    assert_eq!(rows(named).await, ["First|1", "Second|2"]);
}

#[tokio::test]
async fn regex_groups_keep_their_numbers_and_rewrites_read_backslashes() {
    let query = r#"print a = extract("(a)?(b)", 2, "b"), b = extract("(a)|(b)", 1, "b"),
        c = replace_regex("bob@x.com", @"(\w+)@", @"\1_at_"),
        d = replace_regex("bob@x.com", @"(\w+)@", "$1_at_"), e = replace_regex("C:/x", "/", @"\\")"#;
    assert_eq!(rows(query).await, [r#"b||bob_at_x.com|$1_at_x.com|C:\x"#]);
    let parsed = r#"print s = "-abc" | parse kind=regex s with @"(\d+)?-" x:string | project x"#;
    assert_eq!(rows(parsed).await, ["abc"]);
}

#[tokio::test]
async fn caseless_operators_fold_each_character_alone() {
    let query = r#"print a = "ΟΔΟΣ" contains "Σ", b = "ΟΔΟΣ" =~ "οδοσ", c = "ΟΔΟΣ" has "οδοσ",
        d = "ΟΔΟΣ" endswith "Σ""#;
    assert_eq!(rows(query).await, ["true|true|true|true"]);
}

#[tokio::test]
async fn parsed_json_is_written_as_kusto_writes_a_value() {
    let query = r#"print a = isnull(parse_json("null")),
        b = array_length(set_union(parse_json("[[1, 2], [1,2]]"), dynamic([]))),
        c = tostring(dynamic(1e-5)), d = tostring(parse_json(@'["\u00e9", "a\/b"]'))"#;
    assert_eq!(rows(query).await, [r#"true|1|1E-05|["é","a/b"]"#]);
}

#[tokio::test]
async fn ints_negated_and_made_absolute_are_longs_and_real_remainders_are_never_negative() {
    let query = "datatable(i:int)[-2147483648] | extend n = -i, a = abs(i), t = gettype(-i),
        b = gettype(bin(i, 5)), m = -7.5 % 2";
    assert_eq!(rows(query).await, ["-2147483648|2147483648|2147483648|long|long|0.5"]);
}

#[tokio::test]
async fn numbers_in_dynamic_values_are_written_as_kusto_writes_them() {
    let query = r#"print d = parse_json("[1e2, 2E-2, 100000000000000000000, -0, 1.50]"),
        e = dynamic([1e20, 1e-7, 10.0, -0])"#;
    assert_eq!(rows(query).await, ["[100.0, 0.02, 1E+20, 0, 1.5]|[1E+20,1E-07,10.0,0]"]);
}

#[tokio::test]
async fn count_of_a_bool_counts_where_it_holds_and_toscalar_takes_the_first_sorted_row() {
    let counted = "datatable(b:bool)[true, false, true] | summarize count(b), count()";
    assert_eq!(rows(counted).await, ["2|3"]);
    let first = "let T = datatable(k:long, v:long)[3, 30, 1, 10, 2, 20];
        print m = toscalar(T | order by k asc | project v)";
    assert_eq!(rows(first).await, ["10"]);
}

#[tokio::test]
async fn parse_reads_numbers_after_blanks_and_a_number_too_large_unmatches_the_row() {
    let query = r#"datatable(s:string)["x= 5;y=a", "x=99999999999999999999;y=b"]
        | parse s with "x=" x:long ";y=" y | project x, y"#;
    assert_eq!(rows(query).await, ["5|a", "null|"]);
    let kv = "print s = 'a=(x y),b=2' | parse-kv s as (a:string, b:long)
        with (pair_delimiter=',', kv_delimiter='=', quote='()') | project a, b";
    assert_eq!(rows(kv).await, ["x y|2"]);
}

#[tokio::test]
async fn mv_apply_summaries_land_on_their_own_rows_and_percentiles_sit_beside_stdev() {
    let query = r#"datatable(g:string, v:long)["a", 1, "a", 2, "b", 3, "b", 4]
        | summarize total = sum(v), lst = make_list(v) by g
        | mv-apply x = lst to typeof(long) on (summarize mx = max(x))
        | project g, total, mx | sort by g asc"#;
    for _ in 0..5 {
        assert_eq!(rows(query).await, ["a|3|2", "b|7|4"]);
    }
    let both = "datatable(a:long)[1, 2, 3, 4] | summarize percentile(a, 50), stdev(a)";
    assert_eq!(rows(both).await, ["2|1.2909944487487155"]);
}

#[tokio::test]
async fn a_guid_literal_is_a_guid_and_terms_overlapping_a_failed_match_are_found() {
    let query = r#"print t = gettype(guid(12E8B78D-55b4-46ae-b068-26d7a0080254)),
        e = isempty(guid(null)), s = "banana" hassuffix "ana", h = "110.10.10.1" has "10.10",
        i = array_index_of(dynamic([9007199254740992, 9007199254740993]), 9007199254740993)"#;
    assert_eq!(rows(query).await, ["guid|true|true|true|1"]);
}

#[tokio::test]
async fn parse_json_reads_iso_datetime_strings_as_kusto_does() {
    let query = r#"print d = parse_json('{"t":"2021-11-18T00:03:35","d":"2021-11-18"}')
        | project t = tostring(d.t), d = tostring(d.d)"#;
    assert_eq!(rows(query).await, ["2021-11-18T00:03:35.0000000Z|2021-11-18"]);
}

#[tokio::test]
async fn conditional_and_limited_aggregates() {
    let query = r#"datatable(g:string, v:long, s:string)["a", 1, "x", "a", 5, "y", "a", 3, "x", "b", 2, "z"]
        | summarize lo = minif(v, v > 1), hi = maxif(v, v < 5), earliest_s = minif(s, v > 9),
                    odd = make_set_if(s, v % 2 == 1), two = array_length(makeset(s, 1)) by g"#;
    assert_eq!(sorted_rows(query).await, [r#"a|3|3||["x","y"]|1"#, "b|2|2||[]|1"]);
}

#[tokio::test]
async fn scalar_lets_of_literals_serve_where_a_constant_is_needed() {
    let query = "let size = 1h; let n = 2;
        datatable(t:datetime)[datetime(2024-01-01 10:20), datetime(2024-01-01 11:40)]
        | summarize c = count() by b = bin(t, size) | sort by b asc | take n";
    assert_eq!(rows(query).await, ["2024-01-01T10:00:00Z|1", "2024-01-01T11:00:00Z|1"]);
}

#[tokio::test]
async fn format_datetime_writes_seven_fraction_digits_and_unpadded_parts() {
    let query = "print f = format_datetime(datetime(2020-03-04 05:06:07.1234567), 'yyyy-M-d H:mm:ss.fffffff'),
        g = format_datetime(datetime(2020-12-31 23:59:59.9999999), 'fffffff')";
    assert_eq!(rows(query).await, ["2020-3-4 5:06:07.1234567|9999999"]);
}

#[tokio::test]
async fn blanks_pasted_from_documents_separate_tokens() {
    let query = "print\u{a0}a = 1,\u{200b} b = 2\u{feff}";
    assert_eq!(rows(query).await, ["1|2"]);
}

#[tokio::test]
async fn search_finds_whole_terms_in_any_column_regardless_of_case() {
    let query = r#"datatable(s:string, n:long)["alpha Beta", 1, "gamma", 22, "betamax", 3]
        | search "beta""#;
    let (header, found) = run_kql(query).await;
    assert_eq!(header, "$table:string, s:string, n:long");
    assert_eq!(found, ["search_arg0|alpha Beta|1"]);
    let number = r#"datatable(s:string, n:long)["a", 1, "b", 22] | search "22" | project s"#;
    assert_eq!(rows(number).await, ["b"]);
    let sensitive = r#"datatable(s:string)["Beta", "beta"] | search kind=case_sensitive "Beta""#;
    assert_eq!(rows(sensitive).await, ["search_arg0|Beta"]);
}

#[tokio::test]
async fn search_wildcards_column_terms_and_predicates() {
    let data =
        r#"datatable(s:string, code:long)["alpha apple", 1, "beta banana", 500, "grape", 301]"#;
    let prefix = format!(r#"{data} | search "ap*" | project s"#);
    assert_eq!(rows(&prefix).await, ["alpha apple"]);
    let anywhere = format!(r#"{data} | search "*ap*" | project s"#);
    assert_eq!(sorted_rows(&anywhere).await, ["alpha apple", "grape"]);
    let column = format!(r#"{data} | search s:"banana" or code > 300 | project s"#);
    assert_eq!(sorted_rows(&column).await, ["beta banana", "grape"]);
    let inner = refusal(r#"datatable(s:string)["a"] | search "a*b""#);
    assert!(inner.contains("the search term `a*b` is not supported"), "{inner}");
}

#[test]
fn search_of_a_table_is_marked_with_its_name_and_a_date_search_is_refused() {
    let sql =
        lakehunt::kql::to_sql(r#"DeviceEvents | search "powershell""#, "hunt.kql").unwrap().sql;
    assert!(sql.contains(r#"'DeviceEvents' AS "$table""#), "{sql}");
    let date = refusal(r#"DeviceEvents | search "2024""#);
    assert!(date.contains("searching the datetime column `Timestamp`"), "{date}");
}

#[tokio::test]
async fn make_series_fills_every_bin_of_each_group_and_lists_the_axis() {
    let query = r#"datatable(t:datetime, v:long, g:string)[
            datetime(2020-01-01), 10, "a", datetime(2020-01-02), 20, "b",
            datetime(2020-01-03), 30, "a", datetime(2020-01-09), 99, "c"]
        | make-series s = sum(v) default = 0, n = count() on t
            from datetime(2020-01-01) to datetime(2020-01-04) step 1d by g"#;
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "g:string, s:dynamic, n:dynamic, t:dynamic");
    let days = r#"["2020-01-01T00:00:00.0000000Z","2020-01-02T00:00:00.0000000Z","2020-01-03T00:00:00.0000000Z"]"#;
    assert_eq!(
        found,
        [format!("a|[10,0,30]|[1,0,1]|{days}"), format!("b|[0,20,0]|[0,1,0]|{days}")]
    );
}

#[tokio::test]
async fn make_series_on_integers_stops_before_its_end_and_takes_its_default() {
    let query = "range x from 1 to 3 step 1 | extend y = iff(x == 2, long(null), x)
        | make-series s = sum(y) default = -1, m = max(y) default = long(null) on x from 1 to 5 step 1";
    assert_eq!(rows(query).await, ["[1,0,3,-1]|[1,null,3,null]|[1,2,3,4]"]);
    let unbounded = refusal("datatable(x:long)[1] | make-series c = count() on x step 1");
    assert!(unbounded.contains("without both from and to is not supported"), "{unbounded}");
}

#[tokio::test]
async fn a_star_on_the_left_of_a_string_predicate_means_any_column() {
    let query = r#"datatable(s:string, n:int)["needle in haystack", 1, "another row", 2]
        | where * contains "needle" or * !contains "row" | project n"#;
    assert_eq!(rows(query).await, ["1"]);
}

#[tokio::test]
async fn an_aggregate_named_like_a_group_column_gets_a_number() {
    let query = r#"datatable(["count_"]:long, v:long)[1, 10, 2, 20, 2, 30] | summarize count() by ["count_"]"#;
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "count_:long, count_1:long");
    assert_eq!(found, ["1|1", "2|2"]);
}

#[tokio::test]
async fn extract_all_lists_every_match_and_is_null_without_one() {
    let query = r#"datatable(s:string)["a1 b2", "x;y", "none"]
        | project pairs = extract_all(@"([a-z])(\d)?", s), marks = extract_all(@"([;,])", s)"#;
    let found = rows(query).await;
    assert_eq!(found[0], r#"[["a","1"],["b","2"]]|null"#);
    assert_eq!(found[1], r#"[["x",""],["y",""]]|[";"]"#);
    assert_eq!(found[2], r#"[["n",""],["o",""],["n",""],["e",""]]|null"#);
    let no_group = refusal(r#"print x = extract_all(@"\d", "a1")"#);
    assert!(no_group.contains("a regular expression with a capture group"), "{no_group}");
}

#[tokio::test]
async fn format_timespan_writes_days_clock_parts_fractions_and_the_sign() {
    let query = "print a = format_timespan(-2h - 30m, 'hh:mm'),
        b = format_timespan(1d + 2h + 3m + 4s + 5ms, 'd:hh:mm:ss.fff'), c = format_timespan(25h + 61m, 'h:m'),
        d = format_timespan(-1d - 2h - 30m, 'd.hh:mm:ss'), e = format_timespan(time(0.00:00:00.0000001), 'fffffff'),
        f = format_timespan(time(1.02:03:04.5), 'd hh:mm:ss.f')";
    assert_eq!(rows(query).await, ["-02:30|1:02:03:04.005|2:1|-1.02:30:00|0000001|1 02:03:04.5"]);
    let general = refusal("print x = format_timespan(1h, 'c')");
    assert!(general.contains("the timespan format `c` is not supported"), "{general}");
}

#[tokio::test]
async fn mv_apply_runs_its_subquery_on_each_rows_values() {
    let query = "range x from 1 to 8 step 1 | summarize l = make_list(x) by xMod2 = x % 2
        | mv-apply element = l to typeof(long) on (top 1 by element)";
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "xMod2:long, l:dynamic, element:long");
    assert_eq!(found, ["0|[2,4,6,8]|8", "1|[1,3,5,7]|7"]);
}

#[tokio::test]
async fn mv_apply_summarizes_a_row_with_no_values_as_kusto_summarizes_an_empty_table() {
    let query =
        "datatable(id:long, d:dynamic)[1, dynamic([1,2,3,4]), 2, dynamic([1,3]), 3, dynamic([])]
        | mv-apply e = d to typeof(long) on (where e % 2 == 0 | summarize s = sum(e), n = count())
        | project id, s, n";
    assert_eq!(sorted_rows(query).await, ["1|6|2", "2|0|0", "3|0|0"]);
    let grouped = "datatable(id:long, d:dynamic)[1, dynamic([1, 2, 2])]
        | mv-apply v = d to typeof(long) on (summarize c = count() by v) | project id, v, c";
    assert_eq!(sorted_rows(grouped).await, ["1|1|1", "1|2|2"]);
    let sorted = refusal("print d = dynamic([1]) | mv-apply v = d on (sort by v)");
    assert!(sorted.contains("inside mv-apply only"), "{sorted}");
}

#[tokio::test]
async fn arg_max_and_arg_min_beside_other_aggregates_name_their_columns_as_kusto_does() {
    let query = "datatable(k:long, v:long)[1, 10, 1, 20, 2, 30, 2, 40, 3, 50]
        | summarize arg_max(v, k), arg_min(v, k), n = count() by parity = k % 2";
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "parity:long, v:long, k:long, v1:long, k1:long, n:long");
    assert_eq!(found, ["0|40|2|30|2|2", "1|50|3|10|1|3"]);
    let real = refusal("datatable(x:real, y:long)[1.5, 1] | summarize arg_max(x, y), count()");
    assert!(real.contains("arg_max and arg_min of a real beside other aggregates"), "{real}");
}

#[tokio::test]
async fn toscalar_gives_the_first_value_of_a_tabular_expression() {
    let query = "let z = datatable(n:long)[1, 2, 3, 4, 5]; let s = toscalar(z | summarize sum(n));
        z | extend frac = n * 100 / s | where n > 3";
    assert_eq!(sorted_rows(query).await, ["4|26", "5|33"]);
    let empty = "let T = datatable(s:string)[]; print a = toscalar(T), b = toscalar(print 5) + 1";
    assert_eq!(rows(empty).await, ["|6"]);
}

#[tokio::test]
async fn column_ifexists_reads_a_column_the_input_has_and_otherwise_the_default() {
    let query = r#"datatable(a:string)["x"] | project p = column_ifexists("a", "none"), q = column_ifexists("b", "none")"#;
    assert_eq!(rows(query).await, ["x|none"]);
}

#[tokio::test]
async fn ipv4_ranges_and_private_addresses() {
    let query = r#"datatable(ip:string)["10.1.2.3", "172.31.0.1", "172.32.0.1", "8.8.8.8", "not an ip"]
        | extend private = ipv4_is_private(ip), google = ipv4_is_in_range(ip, "8.8.8.0/24"),
                 exact = ipv4_is_in_range(ip, "8.8.8.8")"#;
    assert_eq!(
        rows(query).await,
        [
            "10.1.2.3|true|false|false",
            "172.31.0.1|true|false|false",
            "172.32.0.1|false|false|false",
            "8.8.8.8|false|true|true",
            "not an ip|null|null|null"
        ]
    );
}

#[tokio::test]
async fn period_starts_and_ends_move_by_whole_periods() {
    let query =
        "print a = startofmonth(datetime(2021-03-15), -2), b = endofmonth(datetime(2021-01-31), 1),
        c = startofweek(datetime(2021-03-17), 1), d = endofday(datetime(2021-03-17 10:00), -1),
        e = startofyear(datetime(2021-06-01), 2), f = endofyear(datetime(2021-06-01))";
    assert_eq!(
        rows(query).await,
        ["2021-01-01T00:00:00Z|2021-02-28T23:59:59.999999900Z|2021-03-21T00:00:00Z|\
          2021-03-16T23:59:59.999999900Z|2023-01-01T00:00:00Z|2021-12-31T23:59:59.999999900Z"]
    );
    let message = refusal("datatable(n:long)[1] | extend s = startofday(now(), n)");
    assert!(message.contains("the offset of startofday must be a constant"), "{message}");
}

#[tokio::test]
async fn make_bag_merges_the_bags_of_each_group_and_keeps_a_keys_first_value() {
    let query = r#"datatable(k:long, v:dynamic)[1, dynamic({"a":1}), 1, dynamic([7]),
        1, dynamic({"a":2, "b":{"c":3}}), 2, dynamic("text"), 3, dynamic({"x":1, "y":2, "z":3})]
        | sort by k asc | serialize
        | summarize bag = make_bag(v), small = make_bag(v, 2), some = make_bag_if(v, k != 3) by k"#;
    assert_eq!(
        sorted_rows(query).await,
        [
            r#"1|{"a":1,"b":{"c":3}}|{"a":1,"b":{"c":3}}|{"a":1,"b":{"c":3}}"#,
            "2|{}|{}|{}",
            r#"3|{"x":1,"y":2,"z":3}|{"x":1,"y":2}|{}"#,
        ]
    );
    let (header, _) = run_kql("datatable(v:dynamic)[dynamic({})] | summarize make_bag(v)").await;
    assert_eq!(header, "bag_v:dynamic");
}

#[tokio::test]
async fn datetime_diff_counts_the_boundaries_of_short_and_long_periods() {
    let query = "print q = datetime_diff('quarter', datetime(2021-04-01), datetime(2021-03-31)),
        w1 = datetime_diff('week', datetime(2021-03-14), datetime(2021-03-13)),
        w0 = datetime_diff('week', datetime(2021-03-20), datetime(2021-03-14)),
        ms = datetime_diff('millisecond', datetime(2021-01-01 00:00:01.0004), datetime(2021-01-01 00:00:00.9996)),
        us = datetime_diff('microsecond', datetime(2021-01-01 00:00:00.0000031), datetime(2021-01-01)),
        ns = datetime_diff('nanosecond', datetime(2021-01-01 00:00:00.0000031), datetime(2021-01-01))";
    assert_eq!(rows(query).await, ["1|1.0|0.0|1|3|3100"]);
    let (header, _) = run_kql(query).await;
    assert_eq!(header, "q:long, w1:real, w0:real, ms:long, us:long, ns:long");
}

#[tokio::test]
async fn union_withsource_names_each_rows_input() {
    let query = "let Extra = datatable(x:long)[1, 2];
        union withsource = Source Extra, (Extra | take 1) | summarize n = count() by Source";
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "Source:string, n:long");
    assert_eq!(found, ["union_arg0|2", "union_arg1|1"]);
    let message = refusal("DeviceLogonEvents | union withsource=T DeviceNetworkInfo");
    assert!(message.contains("union withsource= after a pipe is not supported"), "{message}");
}

#[test]
fn union_withsource_names_a_tables_rows_after_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let hunt = dir.path().join("sources.kql");
    std::fs::write(
        &hunt,
        "union withsource=Table DeviceNetworkInfo, (DeviceNetworkInfo | take 1)
         | summarize n = count() by Table | project Table, seen = n > 0 | order by Table asc",
    )
    .unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
    let output = crate::common::lakehunt(&[
        "run",
        hunt.to_str().unwrap(),
        "--lake",
        sample,
        "--format",
        "csv",
    ]);
    let (stdout, stderr) = crate::common::texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "Table,seen\nDeviceNetworkInfo,true\nunion_arg1,true\n");
}

#[tokio::test]
async fn count_of_a_column_counts_every_row_null_or_not() {
    let query =
        "datatable(x:long)[long(null), 1, long(null)] | summarize c = count(x), n = count()";
    assert_eq!(rows(query).await, ["3|3"]);
}

#[tokio::test]
async fn base64_encode_tostring_pads_the_utf8_bytes() {
    let query = r#"datatable(s:string)["Kusto1", "é", ""] | extend e = base64_encode_tostring(s),
        old = base64_encodestring(s)"#;
    assert_eq!(sorted_rows(query).await, ["Kusto1|S3VzdG8x|S3VzdG8x", "||", "é|w6k=|w6k="]);
    let message = refusal(r#"print d = base64_decode_tostring("S3VzdG8x")"#);
    assert!(
        message.contains("the function `base64_decode_tostring` is not supported"),
        "{message}"
    );
}

#[tokio::test]
async fn format_datetime_y_is_the_year_in_its_century_unpadded() {
    let query = "print a = format_datetime(datetime(2009-06-15 13:45:30), 'y-M-d'),
        b = format_datetime(datetime(2024-11-05), 'y/MM/dd')";
    assert_eq!(rows(query).await, ["9-6-15|24/11/05"]);
}

#[tokio::test]
async fn a_join_can_take_a_tabular_function_called_in_place() {
    let query = "let seen = (from:long) { datatable(k:long)[1, 2, 3] | where k >= from };
        datatable(k:long, v:string)[1, 'a', 2, 'b', 3, 'c'] | join kind=leftanti seen(2) on k";
    assert_eq!(sorted_rows(query).await, ["1|a"]);
}

#[tokio::test]
async fn union_isfuzzy_is_read_and_every_input_must_still_exist() {
    let query = "let A = datatable(x:long)[1]; let B = datatable(x:long)[2];
        union isfuzzy=true A, B | summarize n = count()";
    assert_eq!(rows(query).await, ["2"]);
    let message = refusal("union isfuzzy=maybe DeviceEvents");
    assert!(message.contains("`true` or `false`"), "{message}");
}

#[tokio::test]
async fn substring_counts_a_negative_start_back_from_the_end() {
    let query = r#"datatable(s:string)["abcd", "x"] | extend a = substring(s, -2), b = substring(s, -1, 1),
        c = substring(s, strlen(s) - 3, 2), d = substring(s, 10), e = substring(s, -10, 2)"#;
    assert_eq!(sorted_rows(query).await, ["abcd|cd|d|bc||ab", "x|x|x|x||x"]);
    let message = refusal(r#"print s = substring("abc", 0, -1)"#);
    assert!(message.contains("substring of a negative length"), "{message}");
}

#[tokio::test]
async fn range_builds_an_array_from_both_ends() {
    let query = "print a = range(1, 4), b = range(10, 1, -4), c = range(3, 1)";
    assert_eq!(rows(query).await, ["[1,2,3,4]|[10,6,2]|[]"]);
    let message = refusal("print a = range(1, 4, 0)");
    assert!(message.contains("a step other than 0"), "{message}");
}

#[tokio::test]
async fn make_timespan_is_null_when_a_part_is_out_of_range() {
    let query = "print a = make_timespan(1, 30) == 90m, b = make_timespan(0, 0, 1.5) == 1500ms,
        c = make_timespan(2, 0, 0, 0) == 2d, d = make_timespan(24, 0), e = make_timespan(0, 60, 0),
        f = make_timespan(0, 0, 60)";
    assert_eq!(rows(query).await, ["true|true|true|null|null|null"]);
}

#[tokio::test]
async fn bag_merge_keeps_the_first_bags_value_of_a_key() {
    let query = r#"print m = bag_merge(dynamic({"a":1, "b":{"c":2}}), dynamic({"a":9, "d":[3]}))"#;
    assert_eq!(rows(query).await, [r#"{"a":1,"b":{"c":2},"d":[3]}"#]);
}

#[tokio::test]
async fn totimespan_reads_a_constant_written_as_dotnet_writes_timespans() {
    let query = "print a = totimespan('1.00:00:01') == 1d + 1s,
        b = totimespan('-00:01:30.5') == -90s - 500ms";
    assert_eq!(rows(query).await, ["true|true"]);
    let message = refusal("datatable(s:string)['1:00'] | extend t = totimespan(s)");
    assert!(message.contains("totimespan is supported of a constant string only"), "{message}");
}

#[tokio::test]
async fn a_datetime_as_a_number_is_its_ticks_since_year_one() {
    let query = "datatable(t:datetime)[datetime(1970-01-01), datetime(1969-12-31 23:59:59.9999999)]
        | extend l = tolong(t), r = todouble(t) == todouble(tolong(t))";
    assert_eq!(
        sorted_rows(query).await,
        [
            "1969-12-31T23:59:59.999999900Z|621355967999999999|true",
            "1970-01-01T00:00:00Z|621355968000000000|true"
        ]
    );
}

#[tokio::test]
async fn a_dynamic_key_can_be_computed_per_row_an_array_index_cannot() {
    let query = r#"datatable(k:string, d:dynamic)["b", dynamic({"a":[10,20], "b":[30,40]})]
        | extend byname = d[k], head = d[strcat("", "a")][0]"#;
    assert_eq!(rows(query).await, [r#"b|{"a":[10,20],"b":[30,40]}|[30,40]|10"#]);
    let message = refusal("datatable(i:long, d:dynamic)[1, dynamic([1, 2])] | extend e = d[i]");
    assert!(message.contains("an array index must be a constant"), "{message}");
}

#[tokio::test]
async fn format_datetime_capital_f_drops_trailing_zeros() {
    let query = "print a = format_datetime(datetime(2020-06-15 13:45:09.1200000), 'ss FFFF'),
        b = format_datetime(datetime(2020-06-15 13:45:09), 'FFF')";
    assert_eq!(rows(query).await, ["09 12|"]);
    let message = refusal("print a = format_datetime(now(), 'ss.FFF')");
    assert!(message.contains("the datetime format `ss.FFF` is not supported"), "{message}");
}

#[tokio::test]
async fn parse_kv_takes_each_keys_first_value_outside_quotes() {
    let query = r#"datatable(s:string)['user="a;b" ; tries = 3;user=c', 'tries=x']
        | parse-kv s as (user:string, tries:long, absent:string)
            with (pair_delimiter=';', kv_delimiter='=', quote='"')
        | project user, tries, absent"#;
    assert_eq!(sorted_rows(query).await, ["a;b|3|", "|null|"]);
    let message = refusal("datatable(s:string)['a=1'] | parse-kv s as (a) with (regex='(.)')");
    assert!(message.contains("parse-kv regex= is not supported"), "{message}");
    let message = refusal("datatable(s:string)['a=1'] | parse-kv s as (a)");
    assert!(message.contains("with both pair_delimiter= and kv_delimiter= given"), "{message}");
}

#[tokio::test]
async fn top_nested_keeps_the_top_groups_within_each_kept_parent() {
    let query = r#"datatable(team:string, user:string, n:long)["red", "ann", 5, "red", "bob", 7,
        "red", "bob", 1, "blue", "cat", 20, "blue", "dan", 2, "green", "eve", 3]
        | top-nested 2 of team by total = sum(n), top-nested 1 of user by most = max(n)"#;
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "team:string, total:long, user:string, most:long");
    assert_eq!(found, ["blue|22|cat|20", "red|13|bob|7"]);
    let unnamed = "datatable(k:string, v:long)['a', 1, 'b', 2, 'b', 3]
        | top-nested of k by sum(v) asc";
    let (header, found) = header_and_sorted_rows(unnamed).await;
    assert_eq!(header, "k:string, aggregated_k:long");
    assert_eq!(found, ["a|1", "b|5"]);
    let message =
        refusal("datatable(k:string)['a'] | top-nested 1 of k with others = 'x' by count()");
    assert!(message.contains("top-nested with others= is not supported"), "{message}");
}

#[tokio::test]
async fn array_sum_and_array_index_of_read_dynamic_arrays() {
    let query = r#"print a = array_sum(dynamic([1, 2.5, 3])), b = array_sum(dynamic([1, "2"])),
        c = array_index_of(dynamic([10, 20.0, 30]), 20), d = array_index_of(dynamic(["x", "y"]), "y"),
        e = array_index_of(dynamic([1]), 5), f = array_index_of(dynamic({"a": 1}), 1)"#;
    assert_eq!(rows(query).await, ["6.5|null|1|1|-1|null"]);
}

#[tokio::test]
async fn new_guid_gives_each_row_its_own_guid() {
    let query = "range x from 1 to 50 step 1 | extend g = new_guid()
        | summarize n = dcount(g), shaped = countif(g matches regex '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')";
    assert_eq!(rows(query).await, ["50|50"]);
}

#[tokio::test]
async fn percentile_is_the_nearest_rank_value_and_keeps_the_values_type() {
    let query =
        "datatable(v:long, g:string)[1, 'a', 2, 'a', 3, 'a', 4, 'a', 10, 'b', long(null), 'b']
        | summarize percentiles(v, 0, 25, 50, 75, 100), percentile(v, 99.5) by g";
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(
        header,
        "g:string, percentile_v_0:long, percentile_v_25:long, percentile_v_50:long, \
         percentile_v_75:long, percentile_v_100:long, percentile_v_99_5:long"
    );
    // Of 1..4, 50% are at most 2; the null is left out of b's values.
    assert_eq!(found, ["a|1|1|2|3|4|4", "b|10|10|10|10|10|10"]);
    // 70% of ten values: the seventh, not the eighth a rounding error would give.
    let reals = "datatable(v:real)[0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]
        | summarize p70 = percentile(v, 70), p10 = percentiles(v, 10)";
    assert_eq!(rows(reals).await, ["6.5|0.5"]);
    let times =
        "datatable(t:datetime)[datetime(2024-01-03), datetime(2024-01-01), datetime(2024-01-02)]
        | summarize m = percentile(t, 50)";
    assert_eq!(rows(times).await, ["2024-01-02T00:00:00Z"]);
    let message = refusal("datatable(s:string)['a'] | summarize percentile(s, 50)");
    assert!(message.contains("a number, datetime or timespan, found a string"), "{message}");
    let message = refusal("datatable(v:long)[1] | summarize p = percentiles(v, 5, 50)");
    assert!(message.contains("naming the columns of several percentiles"), "{message}");
}

#[tokio::test]
async fn with_itemindex_numbers_each_rows_expanded_values_from_zero() {
    let query = r#"datatable(r:long, d:dynamic)[1, dynamic([]), 2, dynamic({"p": 1, "q": 2}),
        3, dynamic("s"), 4, dynamic([7, 8, 9])] | mv-expand with_itemindex=i d limit 2"#;
    let (header, found) = header_and_sorted_rows(query).await;
    assert_eq!(header, "r:long, d:dynamic, i:long");
    assert_eq!(found, [r#"2|{"p":1}|0"#, r#"2|{"q":2}|1"#, r#"3|"s"|0"#, "4|7|0", "4|8|1"]);
    // Side by side, the index runs as far as the longest expansion.
    let together = r#"print a = dynamic([1, 2, 3]), b = dynamic(["x"])
        | mv-expand with_itemindex=n a, b | project n, a, b"#;
    assert_eq!(sorted_rows(together).await, [r#"0|1|"x""#, "1|2|null", "2|3|null"]);
    let message = refusal("print a = dynamic([1]) | mv-expand with_itemindex=a a");
    assert!(message.contains("with_itemindex names `a`, which is already a column"), "{message}");
}

#[tokio::test]
async fn bitwise_functions_work_on_longs_in_twos_complement() {
    let query = "print a = binary_and(6, 3), o = binary_or(6, 3), x = binary_xor(6, 3),
        n = binary_not(6), l = binary_shift_left(1, 4), r = binary_shift_right(-16, 2)";
    assert_eq!(rows(query).await, ["2|7|5|-7|16|-4"]);
    let message = refusal("print a = binary_and(1.5, 3)");
    assert!(message.contains("binary_and takes longs, found a real"), "{message}");
}

#[tokio::test]
async fn trigonometry_gives_reals_and_null_outside_the_arc_functions_domain() {
    let query =
        "print c = cos(0), a = acos(2), s = asin(1) * 2 == pi(), t = atan2(1, 1) * 4 == pi(),
        d = degrees(pi()), r = radians(180) == pi()";
    assert_eq!(rows(query).await, ["1.0|null|true|true|180.0|true"]);
}

#[tokio::test]
async fn datetime_part_reads_one_part_and_the_fraction_in_three_units() {
    let query = r#"let t = datetime(2017-10-30 01:02:03.7654321);
        print y = datetime_part("Year", t), q = datetime_part("quarter", t),
        w = datetime_part("week_of_year", t), d = datetime_part("DayOfYear", t),
        ms = datetime_part("Millisecond", t), us = datetime_part("Microsecond", t),
        ns = datetime_part("Nanosecond", t), s = datetime_part("second", datetime(1969-12-31 23:59:58.25))"#;
    assert_eq!(rows(query).await, ["2017|4|44|303|765|765432|765432100|58"]);
    let message = refusal(r#"print p = datetime_part("Fortnight", now())"#);
    assert!(message.contains("a datetime part"), "{message}");
}

#[tokio::test]
async fn unix_times_become_datetimes_in_whole_ticks() {
    let query = "print s = unixtime_seconds_todatetime(1546300800),
        ms = unixtime_milliseconds_todatetime(1546300800123), f = unixtime_seconds_todatetime(1.5),
        us = unixtime_microseconds_todatetime(-1), ns = unixtime_nanoseconds_todatetime(1546300800123456789)";
    assert_eq!(
        rows(query).await,
        ["2019-01-01T00:00:00Z|2019-01-01T00:00:00.123Z|1970-01-01T00:00:01.500Z|\
             1969-12-31T23:59:59.999999Z|2019-01-01T00:00:00.123456700Z"]
    );
}

#[tokio::test]
async fn string_functions_test_ascii_find_regexes_repeat_hex_and_hash() {
    let query = r#"print a = isascii("abc"), b = isascii("é"), c = indexof_regex("abcabc", "c+"),
        d = indexof_regex("abc", "z"), e = strrep("ab", 3), f = strrep("ab", 3, "-"),
        g = tohex(255), h = tohex(-546), i = tohex(toint(-546)), j = tohex(10, 4),
        k = hash_sha256("World"), l = hash_md5("World")"#;
    assert_eq!(
        rows(query).await,
        ["true|false|2|-1|ababab|ab-ab-ab|ff|fffffffffffffdde|fffffdde|000a|\
             78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524|\
             f5a7924e621e84c9280a9a27e1bcb7f6"]
    );
    let message = refusal(r#"print s = strrep("a", 0)"#);
    assert!(message.contains("strrep needs a constant count from 1 to 67108864"), "{message}");
}

#[tokio::test]
async fn ipv4_functions_compare_on_the_shortest_prefix() {
    let query = r#"print a = parse_ipv4("127.0.0.1"), b = parse_ipv4("192.1.168.1/24"),
        c = parse_ipv4("x"), d = parse_ipv4_mask("192.1.168.255", 24),
        e = ipv4_compare("127.0.0.1", "127.0.0.2"), f = ipv4_compare("192.168.1.1", "192.168.1.255", 24),
        g = ipv4_is_match("192.168.1.1/24", "192.168.1.255/24"), h = ipv4_is_match("1.2.3.4", "1.2.3.5"),
        i = ipv4_is_in_any_range("10.1.2.3", "192.168.0.0/16", "10.0.0.0/8"),
        j = ipv4_is_in_any_range("8.8.8.8", dynamic(["10.0.0.0/8", "8.8.8.0/24"])),
        k = ipv4_compare("1.2.3.4", "bad"), l = ipv4_is_match("1.2.3.4", "1.2.3.4", 33)"#;
    assert_eq!(
        rows(query).await,
        ["2130706433|3221334016|null|3221334016|-1|0|true|false|true|true|null|null"]
    );
}

#[tokio::test]
async fn set_functions_sorting_zip_and_repeat_build_arrays() {
    let query = r#"print u = set_union(dynamic([1, 2, 3]), dynamic([2, 3, 4])),
        i = set_intersect(dynamic([1, 2, 3]), dynamic([2, 3, 4]), dynamic([3])),
        d = set_difference(dynamic([1, 2, 3, 1]), dynamic([2])),
        h = set_has_element(dynamic(["a", "b"]), "b"), n = set_has_element(dynamic([1, 2]), 3),
        s = array_sort_asc(dynamic([3, null, 1, 2.5])), sd = array_sort_desc(dynamic(["b", "c", "a"])),
        sf = array_sort_asc(dynamic([3, null, 1]), false), z = zip(dynamic([1, 2, 3]), dynamic(["a", "b"])),
        r = repeat("x", 3), e = repeat(2, -1)"#;
    assert_eq!(
        rows(query).await,
        [
            r#"[1,2,3,4]|[3]|[1,3]|true|false|[1,2.5,3,null]|["c","b","a"]|[null,1,3]|[[1,"a"],[2,"b"],[3,null]]|["x","x","x"]|[]"#
        ]
    );
    // Kinds mixed go numbers first, then strings, then the rest as they came (Kusto's docs).
    let mixed = r#"print a = array_sort_asc(dynamic(["b", 2, true, "a", null, 1])),
        d = array_sort_desc(dynamic(["b", 2, "a", 1]))"#;
    assert_eq!(rows(mixed).await, [r#"[1,2,"a","b",true,null]|[2,1,"b","a"]"#]);
}

#[tokio::test]
async fn row_ranks_grow_where_the_sorted_value_changes() {
    let query = "datatable(x:long)[5, 5, 5, 3, 3, 8] | sort by x desc
        | serialize rm = row_rank_min(x), rd = row_rank_dense(x), rn = row_number()";
    assert_eq!(
        rows(query).await,
        ["8|1|1|1", "5|2|2|2", "5|2|2|3", "5|2|2|4", "3|5|3|5", "3|5|3|6"]
    );
    let message =
        refusal("datatable(x:long, y:long)[1, 2] | sort by x, y | extend r = row_rank_dense(x)");
    assert!(message.contains("of rows not sorted by this value alone"), "{message}");
}

#[tokio::test]
async fn arrays_shift_rotate_split_and_measure_their_overlap() {
    let query = "let a = dynamic([1, 2, 3, 4, 5]);
        print l = array_shift_left(a, 2), f = array_shift_left(a, 2, -1), r = array_shift_right(a, 2),
        rl = array_rotate_left(a, 2), rr = array_rotate_right(a, 2), s = array_split(a, 2),
        s2 = array_split(a, dynamic([1, -2])),
        j = jaccard_index(dynamic([1, 1, 2, 2, 3, 3]), dynamic([1, 2, 3, 4, 4, 4]))";
    assert_eq!(
        rows(query).await,
        ["[3,4,5,null,null]|[3,4,5,-1,-1]|[null,null,1,2,3]|[3,4,5,1,2]|[4,5,1,2,3]|\
          [[1,2],[3,4,5]]|[[1],[2,3],[4,5]]|0.75"]
    );
}
