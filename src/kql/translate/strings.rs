//! Kusto's string functions beyond the basic ones (occurrences, comparison, reversal, sizes,
//! regular-expression replacement, positions), the array functions over dynamic values, and
//! `gettype`. Strings stay non-null; an array function of a value that is not an array is null.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};
use super::super::types::Type;
use super::conversions::{string_argument, to_string};
use super::{Typed, string_literal};

/// Names of the functions translated here.
pub const FUNCTIONS: &[&str] = &[
    "countof",
    "strcmp",
    "reverse",
    "string_size",
    "replace_regex",
    "replace",
    "extract_all",
    "extractall",
    "indexof",
    "gettype",
    "array_slice",
    "array_reverse",
    "array_concat",
    "strcat_array",
    "sign",
    "base64_encode_tostring",
    "base64_encodestring",
    "range",
    "array_sum",
    "array_index_of",
    "isascii",
    "indexof_regex",
    "strrep",
    "tohex",
    "hash_sha256",
    "hash_md5",
    "set_union",
    "set_intersect",
    "set_difference",
    "set_has_element",
    "array_sort_asc",
    "array_sort_desc",
    "zip",
    "repeat",
    "array_shift_left",
    "array_shift_right",
    "array_rotate_left",
    "array_rotate_right",
    "array_split",
    "jaccard_index",
];

/// Translates the function `name` of already translated `args`, written at `exprs`.
pub(crate) fn call(
    name: &str,
    args: Vec<Typed>,
    exprs: &[Expr],
    offset: usize,
) -> Result<Typed, Fault> {
    if name == "replace" {
        // The older name, with the text last: `replace(regex, rewrite, text)`.
        if args.len() != 3 || exprs.len() != 3 {
            return Err(Fault::new(
                offset,
                &format!("3 argument(s) for replace, found {}", args.len()),
            ));
        }
        let mut args = args;
        args.rotate_right(1);
        let mut exprs = exprs.to_vec();
        exprs.rotate_right(1);
        return call("replace_regex", args, &exprs, offset);
    }
    let (min, max) = match name {
        "countof" => (2, 3),
        "strcmp" | "indexof" | "strcat_array" => (2, 2),
        "replace_regex" | "array_slice" => (3, 3),
        "range" => (2, 3),
        "array_index_of" | "indexof_regex" | "set_has_element" | "repeat" => (2, 2),
        "set_union" | "set_intersect" | "set_difference" | "zip" => (2, usize::MAX),
        "array_sort_asc" | "array_sort_desc" => (1, 2),
        "array_shift_left" | "array_shift_right" => (2, 3),
        "array_rotate_left" | "array_rotate_right" | "array_split" | "jaccard_index" => (2, 2),
        "strrep" => (2, 3),
        "tohex" => (1, 2),
        "extract_all" | "extractall" => (2, 2),
        "array_concat" => (1, usize::MAX),
        _ => (1, 1),
    };
    if args.len() < min || args.len() > max {
        return Err(Fault::new(
            offset,
            &format!("{min} to {max} argument(s) for {name}, found {}", args.len()),
        ));
    }
    let at = |i: usize| exprs.get(i).map_or(offset, |e| e.offset);
    let text = |i: usize| to_string(args[i].clone(), at(i)).map(|t| t.sql);
    // A parameter Kusto declares a string, into which it converts no number.
    let string = |i: usize| string_argument(args[i].clone(), at(i), name).map(|t| t.sql);
    let dynamic = |i: usize| -> Result<String, Fault> {
        match args[i].ty {
            Type::Dynamic => Ok(args[i].sql.clone()),
            other => Err(Fault::new(at(i), &format!("a dynamic array, found a {other}"))),
        }
    };
    let long = |i: usize| -> Result<String, Fault> {
        match args[i].ty {
            t if t.is_integer() => Ok(format!("CAST({} AS BIGINT)", args[i].sql)),
            other => Err(Fault::new(at(i), &format!("an integer, found a {other}"))),
        }
    };
    let (sql, ty) = match name {
        "countof" => {
            let kind = match exprs.get(2).map(|e| &e.kind) {
                None => "normal".to_string(),
                Some(ExprKind::Literal(Literal::Str(kind))) => kind.clone(),
                Some(_) => return Err(Fault::refuse(at(2), "countof needs a constant kind")),
            };
            match kind.as_str() {
                "normal" => (format!("kql_countof({}, {})", string(0)?, string(1)?), Type::Long),
                "regex" => {
                    let ExprKind::Literal(Literal::Str(pattern)) = &exprs[1].kind else {
                        return Err(Fault::refuse(at(1), "countof needs a constant regex"));
                    };
                    let pattern = string_literal(pattern);
                    (format!("CAST(regexp_count({}, {pattern}) AS BIGINT)", string(0)?), Type::Long)
                }
                other => {
                    return Err(Fault::new(at(2), &format!("countof has no kind `{other}`")));
                }
            }
        }
        "strcmp" => {
            let (a, b) = (text(0)?, text(1)?);
            let sql = format!("CASE WHEN {a} < {b} THEN -1 WHEN {a} > {b} THEN 1 ELSE 0 END");
            (format!("CAST({sql} AS BIGINT)"), Type::Long)
        }
        "reverse" => (format!("reverse({})", text(0)?), Type::String),
        "isascii" => {
            let s = text(0)?;
            (format!("(octet_length({s}) = character_length({s}))"), Type::Bool)
        }
        "indexof_regex" => {
            let ExprKind::Literal(Literal::Str(pattern)) = &exprs[1].kind else {
                return Err(Fault::refuse(at(1), "indexof_regex needs a constant regex"));
            };
            let pattern = string_literal(pattern);
            (format!("(CAST(regexp_instr({}, {pattern}) AS BIGINT) - 1)", text(0)?), Type::Long)
        }
        "strrep" => {
            // Kusto repeats from 1 to 67108864 times; a count it would refuse is refused here.
            let times = match &exprs[1].kind {
                ExprKind::Literal(Literal::Long(n) | Literal::Int(n))
                    if (1..=67_108_864).contains(n) =>
                {
                    *n
                }
                _ => {
                    return Err(Fault::refuse(
                        at(1),
                        "strrep needs a constant count from 1 to 67108864",
                    ));
                }
            };
            let value = text(0)?;
            let sql = match args.len() {
                3 => {
                    format!("concat(repeat(concat({value}, {}), {}), {value})", text(2)?, times - 1)
                }
                _ => format!("repeat({value}, {times})"),
            };
            (sql, Type::String)
        }
        "tohex" => {
            // A negative int in 32-bit two's complement, a long in 64-bit, as .NET writes them.
            let hex = match args[0].ty {
                Type::Int => format!(
                    "to_hex(CASE WHEN {x} < 0 THEN CAST({x} AS BIGINT) + 4294967296 ELSE CAST({x} AS BIGINT) END)",
                    x = args[0].sql
                ),
                _ => format!("to_hex({})", long(0)?),
            };
            let sql = match args.len() {
                2 => {
                    format!("lpad({hex}, CAST(greatest({}, length({hex})) AS INT), '0')", long(1)?)
                }
                _ => hex,
            };
            (sql, Type::String)
        }
        "hash_sha256" | "hash_md5" => {
            if args[0].ty != Type::String {
                return Err(Fault::refuse(
                    at(0),
                    &format!("{name} of a {} is not supported", args[0].ty),
                ));
            }
            let sql = if name == "hash_md5" {
                format!("md5({})", args[0].sql)
            } else {
                format!("encode(sha256({}), 'hex')", args[0].sql)
            };
            (sql, Type::String)
        }
        "range" => {
            // Both ends included, as Kusto's `range(1, 3)` is [1, 2, 3]; whole numbers only.
            let step = if args.len() == 3 { long(2)? } else { "CAST(1 AS BIGINT)".to_string() };
            if let Some(Expr {
                kind: ExprKind::Literal(Literal::Long(0) | Literal::Int(0)), ..
            }) = exprs.get(2)
            {
                return Err(Fault::new(at(2), "a step other than 0"));
            }
            (
                format!(
                    "kql_json_array(generate_series({}, {}, {step}), 'list')",
                    long(0)?,
                    long(1)?
                ),
                Type::Dynamic,
            )
        }
        "array_sum" => (format!("kql_array_sum({})", dynamic(0)?), Type::Real),
        "array_index_of" => {
            let value = super::conversions::json_of(args[1].clone(), at(1))?;
            (format!("kql_array_index_of({}, {value})", dynamic(0)?), Type::Long)
        }
        "set_has_element" => {
            let value = super::conversions::json_of(args[1].clone(), at(1))?;
            (format!("(kql_array_index_of({}, {value}) >= 0)", dynamic(0)?), Type::Bool)
        }
        "set_union" | "set_intersect" | "set_difference" | "zip" => {
            let parts = (0..args.len()).map(dynamic).collect::<Result<Vec<_>, _>>()?;
            (format!("kql_{name}({})", parts.join(", ")), Type::Dynamic)
        }
        "array_sort_asc" | "array_sort_desc" => {
            // Sorting further arrays by the first is refused by the argument count; the
            // second argument is whether nulls go last, as they do by default.
            let nulls_last = match exprs.get(1).map(|e| &e.kind) {
                None => "true".to_string(),
                Some(ExprKind::Literal(Literal::Bool(b))) => b.to_string(),
                Some(_) => {
                    return Err(Fault::refuse(
                        at(1),
                        &format!(
                            "{name} takes arrays to reorder or a constant nulls_last; only the constant is supported"
                        ),
                    ));
                }
            };
            let ascending = name == "array_sort_asc";
            (format!("kql_array_sort({}, {ascending}, {nulls_last})", dynamic(0)?), Type::Dynamic)
        }
        "array_shift_left" | "array_shift_right" | "array_rotate_left" | "array_rotate_right" => {
            let count =
                if name.ends_with("_right") { format!("(-{})", long(1)?) } else { long(1)? };
            let fill = match args.get(2) {
                Some(fill) => super::conversions::json_of(fill.clone(), at(2))?,
                None => "'null'".to_string(),
            };
            let rotate = name.starts_with("array_rotate");
            (format!("kql_array_shift({}, {count}, {fill}, {rotate})", dynamic(0)?), Type::Dynamic)
        }
        "array_split" => {
            let indexes = if args[1].ty.is_integer() {
                vec![long(1)?]
            } else {
                // A constant array of indexes, written out.
                let written = match &exprs[1].kind {
                    ExprKind::Literal(Literal::Dynamic(json)) => {
                        serde_json::from_str::<Vec<i64>>(json).ok().filter(|i| !i.is_empty())
                    }
                    _ => None,
                };
                let Some(written) = written else {
                    return Err(Fault::refuse(
                        at(1),
                        "array_split takes an index or a constant array of indexes",
                    ));
                };
                written.iter().map(|i| format!("CAST({i} AS BIGINT)")).collect()
            };
            (format!("kql_array_split({}, {})", dynamic(0)?, indexes.join(", ")), Type::Dynamic)
        }
        "jaccard_index" => {
            (format!("kql_jaccard_index({}, {})", dynamic(0)?, dynamic(1)?), Type::Real)
        }
        "repeat" => {
            let value = super::conversions::json_of(args[0].clone(), at(0))?;
            (format!("kql_repeat({value}, {})", long(1)?), Type::Dynamic)
        }
        "base64_encode_tostring" | "base64_encodestring" => {
            (format!("kql_base64_encode({})", string(0)?), Type::String)
        }
        "extract_all" | "extractall" => {
            // The form with a list of group numbers is refused by its argument count.
            let ExprKind::Literal(Literal::Str(pattern)) = &exprs[0].kind else {
                return Err(Fault::refuse(at(0), "extract_all needs a constant regex"));
            };
            let groups = regex_groups(pattern)
                .ok_or_else(|| Fault::new(at(0), "a regular expression with a capture group"))?;
            if groups == 0 {
                return Err(Fault::new(at(0), "a regular expression with a capture group"));
            }
            (format!("kql_extract_all({}, {})", string(1)?, string_literal(pattern)), Type::Dynamic)
        }
        "string_size" => (format!("CAST(octet_length({}) AS BIGINT)", string(0)?), Type::Long),
        "replace_regex" => {
            let ExprKind::Literal(Literal::Str(pattern)) = &exprs[1].kind else {
                return Err(Fault::refuse(at(1), "replace_regex needs a constant regex"));
            };
            let ExprKind::Literal(Literal::Str(rewrite)) = &exprs[2].kind else {
                return Err(Fault::refuse(at(2), "replace_regex needs a constant rewrite"));
            };
            let rewrite = replacement(rewrite).ok_or_else(|| {
                Fault::refuse(at(2), "a rewrite takes \\0 to \\9 and \\\\ after a backslash")
            })?;
            let source = string(0)?;
            let (pattern, rewrite) = (string_literal(pattern), string_literal(&rewrite));
            (format!("regexp_replace({source}, {pattern}, {rewrite}, 'g')"), Type::String)
        }
        "indexof" => {
            // A character position from 0, or -1 when the text does not hold the lookup.
            (format!("CAST(strpos({}, {}) AS BIGINT) - 1", text(0)?, text(1)?), Type::Long)
        }
        "gettype" => {
            let sql = match args[0].ty {
                Type::Dynamic => format!("kql_gettype({})", args[0].sql),
                other => string_literal(other.name()),
            };
            (sql, Type::String)
        }
        "array_slice" => {
            (format!("kql_array_slice({}, {}, {})", dynamic(0)?, long(1)?, long(2)?), Type::Dynamic)
        }
        "array_reverse" => (format!("kql_array_reverse({})", dynamic(0)?), Type::Dynamic),
        "array_concat" => {
            let parts = (0..args.len()).map(dynamic).collect::<Result<Vec<_>, _>>()?;
            (format!("kql_array_concat({})", parts.join(", ")), Type::Dynamic)
        }
        "strcat_array" => {
            (format!("kql_strcat_array({}, {})", dynamic(0)?, text(1)?), Type::String)
        }
        "sign" => {
            if !args[0].ty.is_numeric() {
                return Err(Fault::new(at(0), &format!("a number, found a {}", args[0].ty)));
            }
            let x = &args[0].sql;
            (
                format!(
                    "CASE WHEN {x} > 0 THEN 1.0 WHEN {x} < 0 THEN -1.0 WHEN {x} = 0 THEN 0.0 END"
                ),
                Type::Real,
            )
        }
        _ => return Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
    };
    Ok(Typed::new(sql, ty))
}

/// How many capture groups `pattern` has, or None if it is not a regular expression (as the
/// `regex` crate reads it, the one DataFusion's `regexp_match` runs it with).
pub(crate) fn regex_groups(pattern: &str) -> Option<usize> {
    regex::Regex::new(pattern).ok().map(|r| r.captures_len() - 1)
}

/// A Kusto rewrite (`\1` a group, `\\` a backslash, anything else as written) as the
/// replacement DataFusion's `regexp_replace` takes (`${1}`, `$$` for a dollar). `None` for a
/// backslash before anything else, or a backslash written before a digit, which DataFusion would
/// read as a group.
fn replacement(rewrite: &str) -> Option<String> {
    let mut out = String::with_capacity(rewrite.len());
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.next()? {
                digit @ '0'..='9' => out.push_str(&format!("${{{digit}}}")),
                '\\' if !chars.peek().is_some_and(char::is_ascii_digit) => out.push('\\'),
                _ => return None,
            },
            other => out.push(other),
        }
    }
    Some(out)
}
