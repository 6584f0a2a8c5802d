//! The scalar functions lakehunt translates, each to SQL that gives Kusto's answer, and the
//! calls of `let` functions. A function not listed here is refused by name.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, FunctionBody, Literal};
use super::super::types::Type;
use super::scalar::Scope;
use super::{Binding, Translator, Typed, string_literal};

/// Names of the scalar functions lakehunt translates, for messages and tests.
pub const SCALAR_FUNCTIONS: &[&str] = &[
    "tostring",
    "toint",
    "tolong",
    "todouble",
    "toreal",
    "tobool",
    "toboolean",
    "todatetime",
    "totimespan",
    "totime",
    "todynamic",
    "parse_json",
    "extractjson",
    "extract_json",
    "column_ifexists",
    "ipv4_is_private",
    "ipv4_is_in_range",
    "ipv4_is_in_any_range",
    "ipv4_compare",
    "ipv4_is_match",
    "parse_ipv4",
    "parse_ipv4_mask",
    "isempty",
    "isnotempty",
    "isnull",
    "isnotnull",
    "iff",
    "iif",
    "case",
    "coalesce",
    "strcat",
    "strcat_delim",
    "tolower",
    "toupper",
    "strlen",
    "substring",
    "split",
    "extract",
    "trim",
    "trim_start",
    "trim_end",
    "replace_string",
    "array_length",
    "bag_keys",
    "bag_merge",
    "pack",
    "bag_pack",
    "pack_array",
    "bin",
    "bin_at",
    "floor",
    "format_datetime",
    "datetime_diff",
    "ago",
    "now",
    "new_guid",
    "not",
    "abs",
    "round",
    "min_of",
    "max_of",
    "getyear",
    "hourofday",
];

impl Translator<'_> {
    /// Translates a call of a scalar function, an aggregate (inside `summarize`), or a `let`
    /// function.
    pub(crate) fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        offset: usize,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        if let Some(Binding::Function { params, body }) = self.binding(name).cloned() {
            return self.call_let_function(name, &params, &body, args, offset, scope);
        }
        if super::aggregates::is_aggregate(name) {
            if !scope.aggregate {
                return Err(Fault::refuse(
                    offset,
                    &format!("the aggregate `{name}` is only allowed in summarize"),
                ));
            }
            return self.aggregate(name, args, offset, scope);
        }
        let lower = name.to_ascii_lowercase();
        if super::rows::FUNCTIONS.contains(&lower.as_str()) {
            return self.row_function(&lower, args, offset, scope);
        }
        let known = |list: &[&str]| list.contains(&lower.as_str());
        if !(known(SCALAR_FUNCTIONS)
            || known(super::numbers::FUNCTIONS)
            || super::calendar::translates(&lower)
            || known(super::strings::FUNCTIONS))
        {
            return Err(Fault::refuse(offset, &format!("the function `{name}` is not supported")));
        }
        let arity = |min: usize, max: usize| -> Result<(), Fault> {
            if args.len() < min || args.len() > max {
                let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
                return Err(Fault::new(
                    offset,
                    &format!("{want} argument(s) for {name}, found {}", args.len()),
                ));
            }
            Ok(())
        };
        match lower.as_str() {
            "ago" => {
                arity(1, 1)?;
                let span = self.scalar(&args[0], scope)?;
                self.expect(&span, Type::Timespan, args[0].offset)?;
                Ok(Typed::new(format!("({} - {})", now_sql(), span.sql), Type::DateTime))
            }
            "now" => {
                arity(0, 0)?;
                Ok(Typed::new(now_sql(), Type::DateTime))
            }
            // A random (version 4) GUID per row, as lower-case text like Kusto's.
            "new_guid" => {
                arity(0, 0)?;
                Ok(Typed::new("uuid()", Type::Guid))
            }
            "bin" | "floor" => {
                arity(2, 2)?;
                self.bin(&args[0], &args[1], scope)
            }
            "iff" | "iif" => {
                arity(3, 3)?;
                let condition = self.scalar(&args[0], scope)?;
                self.expect(&condition, Type::Bool, args[0].offset)?;
                let (then, otherwise) = self.same_type(&args[1], &args[2], scope)?;
                Ok(Typed::new(
                    format!(
                        "CASE WHEN {} THEN {} ELSE {} END",
                        condition.sql, then.sql, otherwise.sql
                    ),
                    then.ty,
                ))
            }
            "case" => self.case(args, offset, scope),
            "column_ifexists" => {
                arity(2, 2)?;
                let ExprKind::Literal(Literal::Str(column)) = &args[0].kind else {
                    return Err(Fault::refuse(
                        args[0].offset,
                        "column_ifexists needs a constant column name",
                    ));
                };
                // Decided against the columns the input has, as Kusto decides it.
                let named = Expr { kind: ExprKind::Name(column.clone()), offset: args[0].offset };
                match scope.rel.column(column) {
                    Some(_) => self.scalar(&named, scope),
                    None => self.scalar(&args[1], scope),
                }
            }
            "ipv4_is_private" | "ipv4_is_in_range" => {
                let want = if lower == "ipv4_is_private" { 1 } else { 2 };
                arity(want, want)?;
                let mut texts = Vec::new();
                for arg in args {
                    let typed = self.scalar(arg, scope)?;
                    texts.push(super::conversions::string_argument(typed, arg.offset, &lower)?.sql);
                }
                let call = if want == 1 {
                    format!(
                        "kql_ipv4_in_ranges({}, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')",
                        texts[0]
                    )
                } else {
                    format!("kql_ipv4_in_ranges({}, {})", texts[0], texts[1])
                };
                Ok(Typed::new(call, Type::Bool))
            }
            "ipv4_is_in_any_range" => {
                arity(2, usize::MAX)?;
                let mut texts = Vec::new();
                for arg in args {
                    let typed = self.scalar(arg, scope)?;
                    if typed.ty != Type::Dynamic {
                        texts.push(
                            super::conversions::string_argument(typed, arg.offset, &lower)?.sql,
                        );
                        continue;
                    }
                    // The ranges as one array, written out: `dynamic(["10.0.0.0/8", ...])`.
                    let ranges = match &self.constant(arg).kind {
                        ExprKind::Literal(Literal::Dynamic(json)) => {
                            constant_strings(json).filter(|r| !r.is_empty())
                        }
                        _ => None,
                    };
                    let Some(ranges) = ranges else {
                        return Err(Fault::refuse(
                            arg.offset,
                            "ipv4_is_in_any_range takes ranges as strings or a constant array \
                             of strings",
                        ));
                    };
                    texts.extend(ranges.iter().map(|r| string_literal(r)));
                }
                Ok(Typed::new(format!("kql_ipv4_in_ranges({})", texts.join(", ")), Type::Bool))
            }
            "ipv4_compare" | "ipv4_is_match" | "parse_ipv4" | "parse_ipv4_mask" => {
                let addresses = match lower.as_str() {
                    "parse_ipv4" => {
                        arity(1, 1)?;
                        1
                    }
                    "parse_ipv4_mask" => {
                        arity(2, 2)?;
                        1
                    }
                    _ => {
                        arity(2, 3)?;
                        2
                    }
                };
                let mut texts = Vec::new();
                for arg in &args[..addresses] {
                    let typed = self.scalar(arg, scope)?;
                    texts.push(super::conversions::string_argument(typed, arg.offset, &lower)?.sql);
                }
                let prefix = match args.get(addresses) {
                    Some(arg) => {
                        let typed = self.scalar(arg, scope)?;
                        if !typed.ty.is_integer() {
                            return Err(Fault::new(
                                arg.offset,
                                &format!("a prefix length, found a {}", typed.ty),
                            ));
                        }
                        format!("CAST({} AS BIGINT)", typed.sql)
                    }
                    None => "CAST(32 AS BIGINT)".to_string(),
                };
                let texts = texts.join(", ");
                Ok(match lower.as_str() {
                    "ipv4_compare" => {
                        Typed::new(format!("kql_ipv4_compare({texts}, {prefix})"), Type::Int)
                    }
                    "ipv4_is_match" => {
                        Typed::new(format!("(kql_ipv4_compare({texts}, {prefix}) = 0)"), Type::Bool)
                    }
                    _ => Typed::new(format!("kql_parse_ipv4({texts}, {prefix})"), Type::Long),
                })
            }
            "bin_at" => {
                arity(3, 3)?;
                self.bin_at(args, scope)
            }
            "datetime_diff" => {
                arity(3, 3)?;
                self.datetime_diff(args, scope)
            }
            "extractjson" | "extract_json" => {
                arity(2, 3)?;
                self.extract_json(args, scope)
            }
            "format_datetime" => {
                arity(2, 2)?;
                let value = self.scalar(&args[0], scope)?;
                self.expect(&value, Type::DateTime, args[0].offset)?;
                let ExprKind::Literal(Literal::Str(format)) = &args[1].kind else {
                    return Err(Fault::refuse(
                        args[1].offset,
                        "format_datetime needs a constant format",
                    ));
                };
                let pieces = datetime_format(format).filter(|_| !format.is_empty());
                let pieces = pieces.ok_or_else(|| {
                    Fault::refuse(
                        args[1].offset,
                        &format!("the datetime format `{format}` is not supported"),
                    )
                })?;
                let parts: Vec<String> = pieces
                    .iter()
                    .map(|piece| match piece {
                        FormatPiece::Chrono(chrono) => {
                            format!("to_char({}, {})", value.sql, string_literal(chrono))
                        }
                        // chrono writes fractions in 3, 6 or 9 digits: cut the nine.
                        FormatPiece::Fraction(digits) => {
                            format!("substr(to_char({}, '%9f'), 1, {digits})", value.sql)
                        }
                        FormatPiece::TrimmedFraction(digits) => format!(
                            "rtrim(substr(to_char({}, '%9f'), 1, {digits}), '0')",
                            value.sql
                        ),
                    })
                    .collect();
                Ok(Typed::new(format!("coalesce({}, '')", parts.join(" || ")), Type::String))
            }
            _ => {
                let mut typed = Vec::new();
                for arg in args {
                    typed.push(self.scalar(arg, scope)?);
                }
                super::conversions::plain(&lower, typed, args, offset)
            }
        }
    }

    fn call_let_function(
        &mut self,
        name: &str,
        params: &[(String, Type)],
        body: &FunctionBody,
        args: &[Expr],
        offset: usize,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        let FunctionBody::Scalar(body) = body else {
            return Err(Fault::refuse(
                offset,
                &format!("`{name}` returns a table; it is not a value here"),
            ));
        };
        if params.len() != args.len() {
            return Err(Fault::new(offset, &format!("{} argument(s) for {name}", params.len())));
        }
        let mut bound = Vec::new();
        for ((param, ty), arg) in params.iter().zip(args) {
            let value = self.scalar(arg, scope)?;
            let value = super::conversions::convert(value, *ty, arg.offset)?;
            bound.push((param.clone(), Binding::Scalar(value)));
        }
        let body = body.clone();
        // The body sees its parameters, the lets, and the caller's columns.
        self.with_arguments(offset, bound, |t| t.scalar(&body, scope))
    }

    pub(crate) fn expect(&self, typed: &Typed, ty: Type, offset: usize) -> Result<(), Fault> {
        if typed.ty == ty || ty == Type::Long && typed.ty.is_integer() {
            return Ok(());
        }
        Err(Fault::new(offset, &format!("a {ty}, found a {}", typed.ty)))
    }

    /// Two branches brought to one type, as `iff` and `case` need.
    fn same_type(&mut self, a: &Expr, b: &Expr, scope: &Scope) -> Result<(Typed, Typed), Fault> {
        let x = self.scalar(a, scope)?;
        let y = self.scalar(b, scope)?;
        unify(x, y, b.offset)
    }

    fn case(&mut self, args: &[Expr], offset: usize, scope: &Scope) -> Result<Typed, Fault> {
        if args.len() < 3 || args.len().is_multiple_of(2) {
            return Err(Fault::new(offset, "case(condition, value, ..., else value)"));
        }
        let mut otherwise = self.scalar(&args[args.len() - 1], scope)?;
        let mut branches = Vec::new();
        for pair in args[..args.len() - 1].chunks(2) {
            let condition = self.scalar(&pair[0], scope)?;
            self.expect(&condition, Type::Bool, pair[0].offset)?;
            let value = self.scalar(&pair[1], scope)?;
            let (value, other) = unify(value, otherwise, pair[1].offset)?;
            otherwise = other;
            branches.push((condition, value));
        }
        let ty = otherwise.ty;
        let mut sql = String::from("CASE");
        for (condition, value) in branches {
            let value = super::conversions::convert(value, ty, offset)?;
            sql.push_str(&format!(" WHEN {} THEN {}", condition.sql, value.sql));
        }
        sql.push_str(&format!(" ELSE {} END", otherwise.sql));
        Ok(Typed::new(sql, ty))
    }

    fn bin(&mut self, value: &Expr, size: &Expr, scope: &Scope) -> Result<Typed, Fault> {
        let x = self.scalar(value, scope)?;
        let size = &self.constant(size);
        match (&x.ty, &size.kind) {
            (Type::DateTime, ExprKind::Literal(Literal::Timespan(ticks))) if *ticks > 0 => {
                let nanos = ticks.saturating_mul(100);
                // Kusto's bins start at 0001-01-01 (a Monday), not at 1970: a week bin starts
                // on a Monday. `shift` is that origin's distance from the Unix epoch, modulo
                // the bin size.
                const EPOCH_AFTER_YEAR_ONE_NANOS: i128 = 62_135_596_800 * 1_000_000_000;
                let shift = EPOCH_AFTER_YEAR_ONE_NANOS % i128::from(nanos);
                let v = format!("arrow_cast({}, 'Int64')", x.sql);
                Ok(Typed::new(
                    format!(
                        "arrow_cast({v} - (((({v} + {shift}) % {nanos}) + {nanos}) % {nanos}), 'Timestamp(Nanosecond, Some(\"UTC\"))')"
                    ),
                    Type::DateTime,
                ))
            }
            (t, _) if t.is_integer() => {
                let s = self.scalar(size, scope)?;
                if !s.ty.is_integer() {
                    return Err(Fault::refuse(
                        size.offset,
                        "bin of an integer needs an integer size",
                    ));
                }
                // Rounds down, toward negative infinity, as Kusto's bin does, to a long.
                let (v, n) = (format!("CAST({} AS BIGINT)", x.sql), &s.sql);
                Ok(Typed::new(format!("({v} - ((({v} % {n}) + {n}) % {n}))"), Type::Long))
            }
            (Type::Real, _) => {
                let s = self.scalar(size, scope)?;
                if !s.ty.is_numeric() {
                    return Err(Fault::refuse(size.offset, "bin of a real needs a numeric size"));
                }
                Ok(Typed::new(format!("(floor({} / {}) * {})", x.sql, s.sql, s.sql), Type::Real))
            }
            _ => Err(Fault::refuse(
                size.offset,
                &format!(
                    "bin of a {} by this size is not supported (use a constant timespan or number)",
                    x.ty
                ),
            )),
        }
    }

    /// `bin_at(value, size, fixed)`: bins of `size` aligned on `fixed` rather than on zero.
    fn bin_at(&mut self, args: &[Expr], scope: &Scope) -> Result<Typed, Fault> {
        let value = self.scalar(&args[0], scope)?;
        let fixed = self.scalar(&args[2], scope)?;
        let (size, as_integer) = match (value.ty, &args[1].kind) {
            (Type::DateTime, ExprKind::Literal(Literal::Timespan(ticks))) if *ticks > 0 => {
                self.expect(&fixed, Type::DateTime, args[2].offset)?;
                (ticks.saturating_mul(100).to_string(), "'Int64'")
            }
            (t, ExprKind::Literal(Literal::Long(n))) if t.is_integer() && *n > 0 => {
                if !fixed.ty.is_integer() {
                    return Err(Fault::new(args[2].offset, "an integer fixed point"));
                }
                (n.to_string(), "'Int64'")
            }
            _ => {
                return Err(Fault::refuse(
                    args[1].offset,
                    "bin_at is supported for a datetime with a constant timespan, or an integer \
                     with a constant integer size",
                ));
            }
        };
        // Rounds down, toward negative infinity, from the fixed point.
        let (v, f) = (
            format!("arrow_cast({}, {as_integer})", value.sql),
            format!("arrow_cast({}, {as_integer})", fixed.sql),
        );
        let start = format!("({f} + (({v} - {f}) - (((({v} - {f}) % {size}) + {size}) % {size})))");
        let sql = if value.ty == Type::DateTime {
            format!("arrow_cast({start}, 'Timestamp(Nanosecond, Some(\"UTC\"))')")
        } else {
            start
        };
        Ok(Typed::new(sql, if value.ty == Type::DateTime { Type::DateTime } else { Type::Long }))
    }

    fn datetime_diff(&mut self, args: &[Expr], scope: &Scope) -> Result<Typed, Fault> {
        let ExprKind::Literal(Literal::Str(part)) = &args[0].kind else {
            return Err(Fault::refuse(args[0].offset, "datetime_diff needs a constant period"));
        };
        let a = self.scalar(&args[1], scope)?;
        let b = self.scalar(&args[2], scope)?;
        self.expect(&a, Type::DateTime, args[1].offset)?;
        self.expect(&b, Type::DateTime, args[2].offset)?;
        let unit = match part.to_ascii_lowercase().as_str() {
            "year" => {
                return Ok(Typed::new(
                    format!(
                        "CAST(date_part('year', {}) - date_part('year', {}) AS BIGINT)",
                        a.sql, b.sql
                    ),
                    Type::Long,
                ));
            }
            "month" => {
                return Ok(Typed::new(
                    format!(
                        "CAST((date_part('year', {a}) - date_part('year', {b})) * 12 + date_part('month', {a}) - date_part('month', {b}) AS BIGINT)",
                        a = a.sql,
                        b = b.sql
                    ),
                    Type::Long,
                ));
            }
            "quarter" => {
                return Ok(Typed::new(
                    format!(
                        "CAST((date_part('year', {a}) - date_part('year', {b})) * 4 + date_part('quarter', {a}) - date_part('quarter', {b}) AS BIGINT)",
                        a = a.sql,
                        b = b.sql
                    ),
                    Type::Long,
                ));
            }
            "week" => {
                // Kusto's weeks start on Sunday; DataFusion's `date_trunc('week')` on Monday.
                const DAY: i64 = 86_400_000_000_000;
                // In days since 1970 (whole days, so no nanosecond count overflows).
                let sunday = |t: &str| {
                    format!(
                        "(arrow_cast(date_trunc('day', {t}), 'Int64') / {DAY} - CAST(date_part('dow', {t}) AS BIGINT))"
                    )
                };
                // Kusto types the count of weeks as a real, though it is whole.
                return Ok(Typed::new(
                    format!(
                        "CAST(CAST(({} - {}) / 7 AS BIGINT) AS DOUBLE)",
                        sunday(&a.sql),
                        sunday(&b.sql),
                    ),
                    Type::Real,
                ));
            }
            "nanosecond" => {
                return Ok(Typed::new(
                    format!(
                        "CAST(arrow_cast({}, 'Int64') - arrow_cast({}, 'Int64') AS BIGINT)",
                        a.sql, b.sql
                    ),
                    Type::Long,
                ));
            }
            "day" => ("day", 86_400_000_000_000i64),
            "hour" => ("hour", 3_600_000_000_000),
            "minute" => ("minute", 60_000_000_000),
            "second" => ("second", 1_000_000_000),
            "millisecond" => ("millisecond", 1_000_000),
            "microsecond" => ("microsecond", 1_000),
            _ => {
                return Err(Fault::refuse(
                    args[0].offset,
                    &format!("datetime_diff by `{part}` is not supported"),
                ));
            }
        };
        // Kusto counts the period boundaries between the two instants. Each truncated instant
        // is a whole number of periods, divided before subtracting so that instants centuries
        // apart do not overflow a count of nanoseconds.
        Ok(Typed::new(
            format!(
                "CAST(arrow_cast(date_trunc('{p}', {a}), 'Int64') / {n} - arrow_cast(date_trunc('{p}', {b}), 'Int64') / {n} AS BIGINT)",
                p = unit.0,
                a = a.sql,
                b = b.sql,
                n = unit.1
            ),
            Type::Long,
        ))
    }
}

impl Translator<'_> {
    /// `extractjson("$.a.b[0]", text[, typeof(T)])`: the value at a JSON path, as text (or as
    /// `T`), which is `tostring(parse_json(text).a.b[0])`. Paths with wildcards or recursive
    /// descent are refused.
    fn extract_json(&mut self, args: &[Expr], scope: &Scope) -> Result<Typed, Fault> {
        let ExprKind::Literal(Literal::Str(path)) = &args[0].kind else {
            return Err(Fault::refuse(args[0].offset, "extractjson needs a constant JSON path"));
        };
        let steps = json_path(path).ok_or_else(|| {
            Fault::refuse(args[0].offset, &format!("the JSON path `{path}` is not supported"))
        })?;
        let at = args[1].offset;
        let node = |kind: ExprKind| Expr { kind, offset: at };
        let mut value =
            node(ExprKind::Call { name: "parse_json".into(), args: vec![args[1].clone()] });
        for step in steps {
            value = match step {
                PathStep::Key(key) => node(ExprKind::Member { target: Box::new(value), key }),
                PathStep::Index(i) => node(ExprKind::Index {
                    target: Box::new(value),
                    index: Box::new(node(ExprKind::Literal(Literal::Long(i)))),
                }),
            };
        }
        let conversion = match args.get(2).map(|a| &a.kind) {
            None => "tostring".to_string(),
            Some(ExprKind::Call { name, args: named }) if name == "typeof" && named.len() == 1 => {
                match &named[0].kind {
                    ExprKind::Name(kind) => match kind.as_str() {
                        "string" => "tostring".into(),
                        "long" => "tolong".into(),
                        "int" => "toint".into(),
                        "real" | "double" => "todouble".into(),
                        "bool" | "boolean" => "tobool".into(),
                        "datetime" | "date" => "todatetime".into(),
                        "dynamic" => "todynamic".into(),
                        other => {
                            return Err(Fault::refuse(
                                named[0].offset,
                                &format!("extractjson to typeof({other}) is not supported"),
                            ));
                        }
                    },
                    _ => return Err(Fault::new(named[0].offset, "a type name")),
                }
            }
            Some(_) => return Err(Fault::new(args[2].offset, "typeof(<type>)")),
        };
        let call = node(ExprKind::Call { name: conversion, args: vec![value] });
        self.scalar(&call, scope)
    }
}

/// One step of a JSON path.
#[derive(Debug, PartialEq)]
enum PathStep {
    Key(String),
    Index(i64),
}

/// The steps of a JSON path `$.a['b'][0]`; None for what lakehunt does not read (wildcards,
/// recursive descent, filters, slices).
fn json_path(path: &str) -> Option<Vec<PathStep>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            if key.is_empty() || key.contains('*') {
                return None;
            }
            steps.push(PathStep::Key(key.to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = after[..end].trim();
            let quoted = inside
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match quoted {
                Some(key) => steps.push(PathStep::Key(key.to_string())),
                None => steps.push(PathStep::Index(inside.parse().ok()?)),
            }
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// Brings `a` and `b` to one type: numbers widen, a string literal null stays a string.
pub(crate) fn unify(a: Typed, b: Typed, offset: usize) -> Result<(Typed, Typed), Fault> {
    if a.ty == b.ty {
        return Ok((a, b));
    }
    if a.ty.is_numeric() && b.ty.is_numeric() {
        let ty = Type::numeric_result(a.ty, b.ty);
        let ty = if ty == Type::Int { Type::Long } else { ty };
        let cast = |t: Typed| Typed::new(format!("CAST({} AS {})", t.sql, ty.sql()), ty);
        return Ok((cast(a), cast(b)));
    }
    Err(Fault::refuse(offset, &format!("the branches have different types: {} and {}", a.ty, b.ty)))
}

/// `now()` as a UTC nanosecond timestamp.
fn now_sql() -> String {
    "arrow_cast(now(), 'Timestamp(Nanosecond, Some(\"UTC\"))')".to_string()
}

/// A piece of a Kusto datetime format: text chrono writes, or the first digits of the
/// fraction of a second.
enum FormatPiece {
    Chrono(String),
    Fraction(usize),
    /// `F` to `FFFFFFF`: the digits without their trailing zeros, nothing for a zero.
    TrimmedFraction(usize),
}

/// A Kusto datetime format (`yyyy-MM-dd HH:mm:ss.fffffff`) as pieces, for the parts lakehunt
/// knows.
fn datetime_format(kusto: &str) -> Option<Vec<FormatPiece>> {
    // Each letter by how many times it is repeated; any other run is not known.
    const PARTS: &[(char, usize, &str)] = &[
        ('y', 4, "%Y"),
        ('y', 2, "%y"),
        // The year within its century, unpadded: 2009 is `9`.
        ('y', 1, "%-y"),
        ('M', 2, "%m"),
        ('M', 1, "%-m"),
        ('d', 2, "%d"),
        ('d', 1, "%-d"),
        ('H', 2, "%H"),
        ('H', 1, "%-H"),
        ('h', 2, "%I"),
        ('h', 1, "%-I"),
        ('m', 2, "%M"),
        ('m', 1, "%-M"),
        ('s', 2, "%S"),
        ('s', 1, "%-S"),
        ('t', 2, "%p"),
    ];
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = kusto;
    while let Some(c) = rest.chars().next() {
        let run = rest.len() - rest.trim_start_matches(c).len();
        if c == 'f' || c == 'F' {
            // After a dot, whether the dot stays when the `F` digits are all zero is not
            // pinned down here, so that form is refused.
            if run > 7 || (c == 'F' && text.ends_with('.')) {
                return None;
            }
            if !text.is_empty() {
                pieces.push(FormatPiece::Chrono(std::mem::take(&mut text)));
            }
            pieces.push(if c == 'f' {
                FormatPiece::Fraction(run)
            } else {
                FormatPiece::TrimmedFraction(run)
            });
            rest = &rest[run..];
        } else if c.is_ascii_alphabetic() {
            let (_, _, chrono) = PARTS.iter().find(|(l, n, _)| *l == c && *n == run)?;
            text.push_str(chrono);
            rest = &rest[run..];
        } else {
            if c == '%' {
                text.push_str("%%");
            } else {
                text.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(FormatPiece::Chrono(text));
    }
    Some(pieces)
}

/// The strings of a JSON array of strings, or `None` when it holds anything else.
fn constant_strings(json: &str) -> Option<Vec<String>> {
    match serde_json::from_str::<serde_json::Value>(json).ok()? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_read_keys_quoted_keys_and_indexes() {
        let steps = json_path("$.a['b c'][2].d").unwrap();
        assert_eq!(
            steps,
            [
                PathStep::Key("a".into()),
                PathStep::Key("b c".into()),
                PathStep::Index(2),
                PathStep::Key("d".into())
            ]
        );
        assert_eq!(json_path("$"), Some(vec![]));
        assert_eq!(json_path("$..a"), None);
        assert_eq!(json_path("$.a[*]"), None);
        assert_eq!(json_path("a.b"), None);
    }

    #[test]
    fn datetime_formats_keep_seven_fraction_digits_and_single_letters() {
        let pieces = datetime_format("yyyy-M-d HH:mm:ss.fffffff").unwrap();
        assert_eq!(pieces.len(), 2);
        assert!(matches!(&pieces[0], FormatPiece::Chrono(c) if c == "%Y-%-m-%-d %H:%M:%S."));
        assert!(matches!(pieces[1], FormatPiece::Fraction(7)));
        assert!(datetime_format("dddd").is_none());
        assert!(datetime_format("ffffffff").is_none());
    }
}
