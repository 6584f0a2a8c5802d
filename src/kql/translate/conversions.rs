//! The scalar functions that only transform their arguments' values: conversions between
//! Kusto types, tests for empty values, string functions and dynamic values. Each keeps
//! Kusto's answer for empty strings and nulls; a conversion Kusto would format differently
//! from SQL (a real or a datetime as text) is refused.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};
use super::super::parser_expr::clock_ticks;
use super::super::types::Type;
use super::{Typed, string_literal};

/// Translates the function `name` of already translated `args` (written at `exprs`).
pub(crate) fn plain(
    name: &str,
    args: Vec<Typed>,
    exprs: &[Expr],
    offset: usize,
) -> Result<Typed, Fault> {
    let count = args.len();
    let arity = |min: usize, max: usize| -> Result<(), Fault> {
        if count < min || count > max {
            let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
            return Err(Fault::new(
                offset,
                &format!("{want} argument(s) for {name}, found {count}"),
            ));
        }
        Ok(())
    };
    let at = |i: usize| exprs.get(i).map_or(offset, |e| e.offset);
    let mut args = args;
    match name {
        "tostring" => {
            arity(1, 1)?;
            to_string(args.remove(0), at(0))
        }
        "toint" | "tolong" => {
            arity(1, 1)?;
            let ty = if name == "toint" { Type::Int } else { Type::Long };
            convert_lenient(args.remove(0), ty, at(0))
        }
        "todouble" | "toreal" => {
            arity(1, 1)?;
            convert_lenient(args.remove(0), Type::Real, at(0))
        }
        "tobool" | "toboolean" => {
            arity(1, 1)?;
            convert_lenient(args.remove(0), Type::Bool, at(0))
        }
        "todatetime" => {
            arity(1, 1)?;
            convert_lenient(args.remove(0), Type::DateTime, at(0))
        }
        "totimespan" | "totime" => {
            arity(1, 1)?;
            let value = args.remove(0);
            if value.ty == Type::Timespan {
                return Ok(value);
            }
            // A constant written as .NET writes a timespan, `[-][d.]hh:mm[:ss[.fffffff]]`; what
            // Kusto reads in other text, or at run time, is not pinned down here.
            match &exprs[0].kind {
                ExprKind::Literal(Literal::Str(text)) => match clock_ticks(text) {
                    Some(ticks) => {
                        Ok(Typed::new(super::scalar::timespan_sql(ticks), Type::Timespan))
                    }
                    None => Err(Fault::refuse(
                        at(0),
                        &format!(
                            "{name} of `{text}` is not supported: write it as [-][d.]hh:mm[:ss[.fffffff]]"
                        ),
                    )),
                },
                _ => Err(Fault::refuse(
                    at(0),
                    &format!("{name} is supported of a constant string only"),
                )),
            }
        }
        "todynamic" | "parse_json" => {
            arity(1, 1)?;
            let value = args.remove(0);
            Ok(match value.ty {
                Type::Dynamic => value,
                Type::String => Typed::new(format!("kql_todynamic({})", value.sql), Type::Dynamic),
                other => {
                    return Err(Fault::refuse(
                        at(0),
                        &format!("{name} of a {other} is not supported"),
                    ));
                }
            })
        }
        "isempty" | "isnotempty" => {
            arity(1, 1)?;
            let value = args.remove(0);
            let empty = match value.ty {
                Type::String => format!("({} = '')", value.sql),
                // A guid, unlike a string, can be null.
                Type::Guid => format!("({} IS NULL OR {} = '')", value.sql, value.sql),
                Type::Dynamic => {
                    format!("({} IS NULL OR kql_tostring({}) = '')", value.sql, value.sql)
                }
                _ => format!("({} IS NULL)", value.sql),
            };
            Ok(Typed::new(
                if name == "isempty" { empty } else { format!("(NOT {empty})") },
                Type::Bool,
            ))
        }
        "isnull" | "isnotnull" => {
            arity(1, 1)?;
            let value = args.remove(0);
            // A Kusto string is never null.
            let null = match value.ty {
                Type::String => "FALSE".to_string(),
                _ => format!("({} IS NULL)", value.sql),
            };
            Ok(Typed::new(
                if name == "isnull" { null } else { format!("(NOT {null})") },
                Type::Bool,
            ))
        }
        "not" => {
            arity(1, 1)?;
            let value = args.remove(0);
            if value.ty != Type::Bool {
                return Err(Fault::new(at(0), &format!("a bool, found a {}", value.ty)));
            }
            Ok(Typed::new(format!("(NOT {})", value.sql), Type::Bool))
        }
        "coalesce" => {
            if args.len() < 2 {
                return Err(Fault::new(offset, "at least two arguments for coalesce"));
            }
            let ty = args[0].ty;
            if args.iter().any(|a| a.ty != ty) {
                return Err(Fault::refuse(
                    offset,
                    "coalesce of values of different types is not supported",
                ));
            }
            if ty == Type::String {
                // Kusto's coalesce skips empty strings.
                let mut sql = String::from("CASE");
                for a in &args[..args.len() - 1] {
                    sql.push_str(&format!(" WHEN {} <> '' THEN {}", a.sql, a.sql));
                }
                sql.push_str(&format!(" ELSE {} END", args[args.len() - 1].sql));
                return Ok(Typed::new(sql, ty));
            }
            let list: Vec<String> = args.into_iter().map(|a| a.sql).collect();
            Ok(Typed::new(format!("coalesce({})", list.join(", ")), ty))
        }
        "strcat" | "strcat_delim" => {
            let mut parts = Vec::new();
            for (i, a) in args.into_iter().enumerate() {
                parts.push(to_string(a, at(i))?.sql);
            }
            if name == "strcat_delim" {
                if parts.len() < 3 {
                    return Err(Fault::new(offset, "a delimiter and at least two values"));
                }
                let delimiter = parts.remove(0);
                return Ok(Typed::new(
                    format!("concat_ws({delimiter}, {})", parts.join(", ")),
                    Type::String,
                ));
            }
            if parts.is_empty() {
                return Err(Fault::new(offset, "at least one argument for strcat"));
            }
            Ok(Typed::new(format!("concat({})", parts.join(", ")), Type::String))
        }
        "tolower" | "toupper" => {
            arity(1, 1)?;
            let value = to_string(args.remove(0), at(0))?;
            // Character by character, as .NET maps them (`kql_tolower`, `kql_toupper`).
            let f = if name == "tolower" { "kql_tolower" } else { "kql_toupper" };
            Ok(Typed::new(format!("{f}({})", value.sql), Type::String))
        }
        "strlen" => {
            arity(1, 1)?;
            let value = string_argument(args.remove(0), at(0), name)?;
            Ok(Typed::new(format!("CAST(character_length({}) AS BIGINT)", value.sql), Type::Long))
        }
        "substring" => {
            arity(2, 3)?;
            let text = to_string(args.remove(0), at(0))?;
            let start = integer(args.remove(0), at(1))?;
            // A negative start counts back from the end (`substring("abc", -1)` is "c"), and
            // never before the first character; a start past the end gives "".
            let first = format!(
                "(CASE WHEN {s} < 0 THEN greatest(char_length({t}) + {s}, 0) ELSE {s} END + 1)",
                s = start.sql,
                t = text.sql
            );
            let sql = match args.pop() {
                Some(length) => {
                    let negative = match &exprs[2].kind {
                        ExprKind::Negate(_) => true,
                        ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => *n < 0,
                        _ => false,
                    };
                    if negative {
                        return Err(Fault::refuse(at(2), "substring of a negative length"));
                    }
                    let length = integer(length, at(2))?;
                    format!("substr({}, {first}, {})", text.sql, length.sql)
                }
                None => format!("substr({}, {first})", text.sql),
            };
            Ok(Typed::new(format!("coalesce({sql}, '')"), Type::String))
        }
        "replace_string" => {
            arity(3, 3)?;
            let parts: Vec<String> = args
                .into_iter()
                .enumerate()
                .map(|(i, a)| string_argument(a, at(i), name).map(|t| t.sql))
                .collect::<Result<_, _>>()?;
            Ok(Typed::new(
                format!("replace({}, {}, {})", parts[0], parts[1], parts[2]),
                Type::String,
            ))
        }
        "split" => {
            arity(2, 3)?;
            let text = to_string(args.remove(0), at(0))?;
            let delimiter = string_argument(args.remove(0), at(1), name)?;
            let array = format!(
                "CASE WHEN {t} = '' THEN '[\"\"]' ELSE kql_todynamic(string_to_array({t}, {d})) END",
                t = text.sql,
                d = delimiter.sql
            );
            match args.pop() {
                None => Ok(Typed::new(array, Type::Dynamic)),
                // The part at the index, as an array of it (`["b"]`), or `[]` past the end.
                Some(_) => match &exprs[2].kind {
                    ExprKind::Literal(Literal::Long(i) | Literal::Int(i)) if *i >= 0 => {
                        Ok(Typed::new(format!("kql_array_slice({array}, {i}, {i})"), Type::Dynamic))
                    }
                    _ => Err(Fault::refuse(at(2), "split needs a constant index of 0 or more")),
                },
            }
        }
        "extract" => {
            arity(3, 3)?;
            let ExprKind::Literal(Literal::Str(pattern)) = &exprs[0].kind else {
                return Err(Fault::refuse(at(0), "extract needs a constant regular expression"));
            };
            let ExprKind::Literal(Literal::Long(group)) = &exprs[1].kind else {
                return Err(Fault::refuse(at(1), "extract needs a constant group number"));
            };
            let text = string_argument(args.remove(2), at(2), name)?;
            // A group that took no part, or no match, is "".
            Ok(Typed::new(
                format!(
                    "coalesce(kql_extract({}, {}, CAST({group} AS BIGINT)), '')",
                    text.sql,
                    string_literal(pattern)
                ),
                Type::String,
            ))
        }
        "trim" | "trim_start" | "trim_end" => {
            arity(2, 2)?;
            let ExprKind::Literal(Literal::Str(pattern)) = &exprs[0].kind else {
                return Err(Fault::refuse(
                    at(0),
                    &format!("{name} needs a constant regular expression"),
                ));
            };
            let text = string_argument(args.remove(1), at(1), name)?;
            // Kusto removes one match at each end, as its answers show (`trim_end("x", "xx")`
            // is "x"); a pattern that should take a run says so (`@"\s+"`).
            let start = format!("^(?:{pattern})");
            let end = format!("(?:{pattern})$");
            let sql = match name {
                "trim_start" => {
                    format!("regexp_replace({}, {}, '')", text.sql, string_literal(&start))
                }
                "trim_end" => format!("regexp_replace({}, {}, '')", text.sql, string_literal(&end)),
                _ => format!(
                    "regexp_replace(regexp_replace({}, {}, ''), {}, '')",
                    text.sql,
                    string_literal(&start),
                    string_literal(&end)
                ),
            };
            Ok(Typed::new(sql, Type::String))
        }
        "array_length" => {
            arity(1, 1)?;
            let value = dynamic(args.remove(0), at(0))?;
            Ok(Typed::new(format!("kql_array_length({})", value.sql), Type::Long))
        }
        "bag_keys" => {
            arity(1, 1)?;
            let value = dynamic(args.remove(0), at(0))?;
            Ok(Typed::new(format!("kql_bag_keys({})", value.sql), Type::Dynamic))
        }
        "bag_merge" => {
            arity(2, 64)?;
            let mut bags = Vec::new();
            for (i, a) in args.into_iter().enumerate() {
                bags.push(dynamic(a, at(i))?.sql);
            }
            Ok(Typed::new(format!("kql_bag_merge({})", bags.join(", ")), Type::Dynamic))
        }
        "pack" | "bag_pack" => {
            if !args.len().is_multiple_of(2) {
                return Err(Fault::new(offset, "pairs of key and value"));
            }
            let mut parts = Vec::new();
            for (i, a) in args.into_iter().enumerate() {
                if i % 2 == 0 {
                    parts.push(string_argument(a, at(i), name)?.sql);
                } else {
                    parts.push(json_of(a, at(i))?);
                }
            }
            Ok(Typed::new(format!("kql_pack({})", parts.join(", ")), Type::Dynamic))
        }
        "pack_array" if args.is_empty() => Err(Fault::new(offset, "a value for pack_array")),
        "pack_array" => {
            // An array of constants is a constant, which `in` and `has_any` can take apart.
            if let Some(json) = constant_json_array(exprs) {
                return Ok(Typed::new(string_literal(&json), Type::Dynamic));
            }
            let mut parts = Vec::new();
            for (i, a) in args.into_iter().enumerate() {
                parts.push(json_of(a, at(i))?);
            }
            Ok(Typed::new(format!("kql_pack_array({})", parts.join(", ")), Type::Dynamic))
        }
        "getyear" | "hourofday" => {
            arity(1, 1)?;
            let value = args.remove(0);
            if value.ty != Type::DateTime {
                return Err(Fault::new(at(0), &format!("a datetime, found a {}", value.ty)));
            }
            let part = if name == "getyear" { "year" } else { "hour" };
            // Both are ints in Kusto's own table of functions.
            let ty = Type::Int;
            Ok(Typed::new(format!("CAST(date_part('{part}', {}) AS {})", value.sql, ty.sql()), ty))
        }
        "abs" => {
            arity(1, 1)?;
            let value = args.remove(0);
            if !value.ty.is_numeric() {
                return Err(Fault::new(at(0), "a number"));
            }
            // An int's absolute value is a long in Kusto (that of int-min fits).
            if value.ty == Type::Int {
                return Ok(Typed::new(format!("abs(CAST({} AS BIGINT))", value.sql), Type::Long));
            }
            Ok(Typed::new(format!("abs({})", value.sql), value.ty))
        }
        "round" => {
            arity(1, 2)?;
            let value = args.remove(0);
            if !value.ty.is_numeric() {
                return Err(Fault::new(at(0), "a number"));
            }
            let digits = match exprs.get(1).map(|e| &e.kind) {
                None => "0".to_string(),
                Some(ExprKind::Literal(Literal::Long(n) | Literal::Int(n))) => n.to_string(),
                Some(ExprKind::Negate(inner))
                    if matches!(
                        inner.kind,
                        ExprKind::Literal(Literal::Long(_) | Literal::Int(_))
                    ) =>
                {
                    args.pop().map_or_else(String::new, |d| d.sql)
                }
                Some(_) => return Err(Fault::refuse(at(1), "round needs a constant precision")),
            };
            // Halves away from zero; the result keeps the value's type (`round(5)` is a long).
            let rounded = format!("round(CAST({} AS DOUBLE), {digits})", value.sql);
            let sql = match value.ty {
                Type::Long => format!("CAST({rounded} AS BIGINT)"),
                Type::Int => format!("CAST({rounded} AS INT)"),
                _ => rounded,
            };
            Ok(Typed::new(sql, value.ty))
        }
        "min_of" | "max_of" => {
            if args.len() < 2 {
                return Err(Fault::new(offset, "at least two arguments"));
            }
            let ty = args[0].ty;
            if args.iter().any(|a| a.ty != ty) {
                return Err(Fault::refuse(
                    offset,
                    &format!("{name} of different types is not supported"),
                ));
            }
            let f = if name == "min_of" { "least" } else { "greatest" };
            let list: Vec<String> = args.into_iter().map(|a| a.sql).collect();
            Ok(Typed::new(format!("{f}({})", list.join(", ")), ty))
        }
        _ if super::numbers::FUNCTIONS.contains(&name) => super::numbers::call(name, args, offset),
        _ if super::strings::FUNCTIONS.contains(&name) => {
            super::strings::call(name, args, exprs, offset)
        }
        _ if super::calendar::translates(name) => super::calendar::call(name, args, exprs, offset),
        _ => Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
    }
}

fn integer(value: Typed, offset: usize) -> Result<Typed, Fault> {
    if value.ty.is_integer() {
        Ok(value)
    } else {
        Err(Fault::new(offset, &format!("an integer, found a {}", value.ty)))
    }
}

fn dynamic(value: Typed, offset: usize) -> Result<Typed, Fault> {
    match value.ty {
        Type::Dynamic => Ok(value),
        other => Err(Fault::new(offset, &format!("a dynamic value, found a {other}"))),
    }
}

/// The JSON text of a value, as a dynamic bag or array holds it.
pub(crate) fn json_of(value: Typed, offset: usize) -> Result<String, Fault> {
    Ok(match value.ty {
        Type::Dynamic => format!("coalesce({}, 'null')", value.sql),
        Type::String | Type::Guid => format!("kql_quote({})", value.sql),
        Type::Long | Type::Int | Type::Bool => {
            format!("coalesce(CAST({} AS VARCHAR), 'null')", value.sql)
        }
        other => {
            return Err(Fault::refuse(
                offset,
                &format!("a {other} inside a dynamic value is not supported"),
            ));
        }
    })
}

/// Kusto's `tostring`, for the types whose text SQL writes the way Kusto does.
pub(crate) fn to_string(value: Typed, offset: usize) -> Result<Typed, Fault> {
    let sql = match value.ty {
        Type::String | Type::Guid => return Ok(Typed::new(value.sql, Type::String)),
        Type::Dynamic => format!("kql_tostring({})", value.sql),
        Type::Long | Type::Int => format!("coalesce(CAST({} AS VARCHAR), '')", value.sql),
        // .NET's spelling of a bool.
        Type::Bool => format!(
            "CASE WHEN {v} THEN 'True' WHEN NOT {v} THEN 'False' ELSE '' END",
            v = value.sql
        ),
        Type::Real => format!("kql_real_text({})", value.sql),
        other => {
            return Err(Fault::refuse(
                offset,
                &format!(
                    "tostring of a {other} is not supported (Kusto's text form of it differs from SQL's)"
                ),
            ));
        }
    };
    Ok(Typed::new(sql, Type::String))
}

/// An argument Kusto declares a string (`strlen`'s, `extract`'s source, `split`'s delimiter):
/// a string, or a dynamic value read as its text. Kusto converts nothing else into a built-in
/// function's string parameter (`strlen(123)` is rejected), so neither does lakehunt.
pub(crate) fn string_argument(value: Typed, offset: usize, function: &str) -> Result<Typed, Fault> {
    match value.ty {
        Type::String => Ok(value),
        Type::Dynamic => Ok(Typed::new(format!("kql_tostring({})", value.sql), Type::String)),
        other => Err(Fault::refuse(
            offset,
            &format!(
                "{function} takes a string here, not a {other}, and Kusto converts no other type \
                 into it; convert it with tostring()"
            ),
        )),
    }
}

/// A conversion function (`toint`, `todouble`, ...): text that does not parse becomes null.
fn convert_lenient(value: Typed, ty: Type, offset: usize) -> Result<Typed, Fault> {
    let text = match value.ty {
        Type::String => Some(value.sql.clone()),
        Type::Dynamic => Some(format!("kql_tostring({})", value.sql)),
        _ => None,
    };
    let Some(text) = text else {
        return convert(value, ty, offset);
    };
    let sql = match ty {
        // Text must be a whole number in range ("12.5" is null); a dynamic real is truncated.
        Type::Long | Type::Int => {
            let f = if ty == Type::Int { "kql_toint" } else { "kql_tolong" };
            if value.ty == Type::String {
                format!("{f}({text})")
            } else {
                format!("coalesce({f}({text}), {f}(kql_toreal({text})))")
            }
        }
        Type::Real => format!("kql_toreal({text})"),
        Type::Bool => format!(
            "CASE lower({text}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE WHEN '1' THEN TRUE WHEN '0' THEN FALSE END"
        ),
        Type::DateTime => format!("kql_todatetime({text})"),
        other => {
            return Err(Fault::refuse(
                offset,
                &format!("converting text to {other} is not supported"),
            ));
        }
    };
    Ok(Typed::new(sql, ty))
}

/// Ticks from 0001-01-01 to 1970-01-01.
const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// `value` as `ty`, where Kusto converts implicitly or by a conversion function.
pub(crate) fn convert(value: Typed, ty: Type, offset: usize) -> Result<Typed, Fault> {
    if value.ty == ty {
        return Ok(value);
    }
    match (value.ty, ty) {
        // A real is truncated toward zero and held at the integer's bounds.
        (Type::Real, to @ (Type::Int | Type::Long)) => {
            let f = if to == Type::Int { "kql_toint" } else { "kql_tolong" };
            Ok(Typed::new(format!("{f}({})", value.sql), to))
        }
        (from, to) if from.is_numeric() && to.is_numeric() => {
            Ok(Typed::new(format!("CAST({} AS {})", value.sql, to.sql()), to))
        }
        (Type::Bool, to) if to.is_numeric() => {
            Ok(Typed::new(format!("CAST({} AS {})", value.sql, to.sql()), to))
        }
        (from, Type::Bool) if from.is_numeric() => {
            Ok(Typed::new(format!("({} <> 0)", value.sql), Type::Bool))
        }
        // A datetime as a number is its ticks (100 ns) since 0001-01-01, as Kusto's answers
        // show: `tolong(datetime(2020-01-01))` is 637134336000000000.
        (Type::DateTime, to @ (Type::Long | Type::Real)) => {
            let nanos = format!("arrow_cast({}, 'Int64')", value.sql);
            let ticks =
                format!("(({nanos} - ((({nanos} % 100) + 100) % 100)) / 100 + {UNIX_EPOCH_TICKS})");
            Ok(Typed::new(format!("CAST({ticks} AS {})", to.sql()), to))
        }
        (Type::String | Type::Dynamic, _) => convert_lenient(value, ty, offset),
        (_, Type::String) => to_string(value, offset),
        (from, to) => {
            Err(Fault::refuse(offset, &format!("converting a {from} to {to} is not supported")))
        }
    }
}

/// The JSON text of an array of string, integer and bool literals; None if another kind of
/// expression is among them.
fn constant_json_array(exprs: &[Expr]) -> Option<String> {
    let mut items = Vec::new();
    for expr in exprs {
        items.push(match &expr.kind {
            ExprKind::Literal(Literal::Str(s)) => serde_json::Value::from(s.as_str()),
            ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => serde_json::Value::from(*n),
            ExprKind::Literal(Literal::Bool(b)) => serde_json::Value::from(*b),
            _ => return None,
        });
    }
    serde_json::to_string(&items).ok()
}

/// The JSON text of a non-dynamic value as an SQL expression, for a dynamic column.
pub(crate) fn json_value(value: Typed, offset: usize) -> Result<String, Fault> {
    json_of(value, offset)
}
