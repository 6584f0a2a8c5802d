//! Kusto's calendar functions over datetimes: adding periods, the start and end of a day,
//! week, month or year, and the parts of a date. Weeks start on Sunday, as Kusto's do; an
//! end of a period is its last tick (100 ns) before the next one starts.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};
use super::super::types::Type;
use super::Typed;

/// Names of the functions translated here, beside the period functions ([`PERIOD_EDGES`]).
pub const FUNCTIONS: &[&str] = &[
    "datetime_add",
    "dayofweek",
    "dayofmonth",
    "dayofyear",
    "getmonth",
    "monthofyear",
    "week_of_year",
    "format_timespan",
    "make_timespan",
    "datetime_part",
    "unixtime_seconds_todatetime",
    "unixtime_milliseconds_todatetime",
    "unixtime_microseconds_todatetime",
    "unixtime_nanoseconds_todatetime",
];

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
const UTC_NANOS: &str = "'Timestamp(Nanosecond, Some(\"UTC\"))'";

/// True when `name` is a calendar function translated here.
pub(crate) fn translates(name: &str) -> bool {
    FUNCTIONS.contains(&name) || PERIOD_EDGES.contains(&name)
}

/// Translates the calendar function `name` of already translated `args`, written at `exprs`.
pub(crate) fn call(
    name: &str,
    mut args: Vec<Typed>,
    exprs: &[Expr],
    offset: usize,
) -> Result<Typed, Fault> {
    if name == "format_timespan" {
        return format_timespan(args, exprs, offset);
    }
    if name == "make_timespan" {
        return make_timespan(args, exprs, offset);
    }
    if name == "datetime_part" {
        return datetime_part(args, exprs, offset);
    }
    if let Some(unit) = name.strip_prefix("unixtime_").and_then(|n| n.strip_suffix("_todatetime")) {
        return from_unix_time(unit, args, exprs, offset);
    }
    if PERIOD_EDGES.contains(&name) {
        return period_edge(name, args, exprs, offset);
    }
    let want = if name == "datetime_add" { 3 } else { 1 };
    if args.len() != want {
        return Err(Fault::new(
            offset,
            &format!("{want} argument(s) for {name}, found {}", args.len()),
        ));
    }
    let at = |i: usize| exprs.get(i).map_or(offset, |e| e.offset);
    let Some(time) = args.pop() else {
        return Err(Fault::new(offset, &format!("{want} argument(s) for {name}")));
    };
    if time.ty != Type::DateTime {
        return Err(Fault::new(at(want - 1), &format!("a datetime, found a {}", time.ty)));
    }
    let t = &time.sql;
    match name {
        "datetime_add" => datetime_add(&args[1], &exprs[0], &exprs[1], t),
        "dayofweek" => Ok(Typed::new(
            format!(
                "arrow_cast(CAST(date_part('dow', {t}) AS BIGINT) * {NANOS_PER_DAY}, 'Duration(Nanosecond)')"
            ),
            Type::Timespan,
        )),
        "dayofmonth" | "dayofyear" | "getmonth" | "monthofyear" | "week_of_year" => {
            let part = match name {
                "dayofmonth" => "day",
                "dayofyear" => "doy",
                "week_of_year" => "week",
                _ => "month",
            };
            Ok(Typed::new(format!("CAST(date_part('{part}', {t}) AS INT)"), Type::Int))
        }
        _ => Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
    }
}

/// `datetime_part(part, t)`: one part of a datetime as an int, the fraction of a second in
/// milliseconds, microseconds or nanoseconds (`.7654321` is 765, 765432, 765432100).
fn datetime_part(args: Vec<Typed>, exprs: &[Expr], offset: usize) -> Result<Typed, Fault> {
    let [_, time] = args.as_slice() else {
        return Err(Fault::new(offset, "2 argument(s) for datetime_part"));
    };
    let ExprKind::Literal(Literal::Str(part)) = &exprs[0].kind else {
        return Err(Fault::refuse(exprs[0].offset, "datetime_part needs a constant part name"));
    };
    if time.ty != Type::DateTime {
        return Err(Fault::new(exprs[1].offset, &format!("a datetime, found a {}", time.ty)));
    }
    let t = &time.sql;
    // The nanoseconds into the second, also before 1970.
    let fraction = format!("((arrow_cast({t}, 'Int64') % 1000000000 + 1000000000) % 1000000000)");
    let sql = match part.to_ascii_lowercase().as_str() {
        "year" | "quarter" | "month" | "day" | "hour" | "minute" | "second" => {
            format!("CAST(date_part('{}', {t}) AS INT)", part.to_ascii_lowercase())
        }
        "dayofyear" => format!("CAST(date_part('doy', {t}) AS INT)"),
        "week_of_year" | "weekofyear" => format!("CAST(date_part('week', {t}) AS INT)"),
        "millisecond" => format!("CAST({fraction} / 1000000 AS INT)"),
        "microsecond" => format!("CAST({fraction} / 1000 AS INT)"),
        "nanosecond" => format!("CAST({fraction} AS INT)"),
        _ => {
            return Err(Fault::new(
                exprs[0].offset,
                &format!(
                    "a datetime part (Year, Quarter, Month, week_of_year, Day, DayOfYear, Hour, Minute, Second, Millisecond, Microsecond, Nanosecond), found `{part}`"
                ),
            ));
        }
    };
    Ok(Typed::new(sql, Type::Int))
}

/// `unixtime_seconds_todatetime(n)` and its milli-, micro- and nanosecond forms: the instant
/// `n` units after 1970-01-01, a real `n` rounded to the tick (100 ns) and a whole number of
/// nanoseconds cut to it.
fn from_unix_time(
    unit: &str,
    args: Vec<Typed>,
    exprs: &[Expr],
    offset: usize,
) -> Result<Typed, Fault> {
    let [value] = args.as_slice() else {
        return Err(Fault::new(offset, &format!("1 argument(s) for unixtime_{unit}_todatetime")));
    };
    let nanos_per_unit: i64 = match unit {
        "seconds" => 1_000_000_000,
        "milliseconds" => 1_000_000,
        "microseconds" => 1_000,
        _ => 1,
    };
    // Kusto's instants are whole ticks of 100 ns: whole units cut below the tick, reals
    // rounded to it; an instant lakehunt cannot hold is an error (`kql_unixtime`).
    let v = &value.sql;
    let number = if value.ty.is_integer() {
        format!("CAST({v} AS BIGINT)")
    } else if value.ty.is_numeric() {
        format!("CAST({v} AS DOUBLE)")
    } else {
        return Err(Fault::new(exprs[0].offset, &format!("a number, found a {}", value.ty)));
    };
    Ok(Typed::new(
        format!("kql_unixtime({number}, CAST({nanos_per_unit} AS BIGINT))"),
        Type::DateTime,
    ))
}

/// `make_timespan(hour, minute [, second])` or `make_timespan(day, hour, minute, second)`:
/// null when a part is out of its range (hours 0 to 23, minutes 0 to 59, seconds 0 up to 60,
/// days 0 or more), the seconds rounded to the tick.
fn make_timespan(args: Vec<Typed>, exprs: &[Expr], offset: usize) -> Result<Typed, Fault> {
    let parts: &[&str] = match args.len() {
        2 => &["hour", "minute"],
        3 => &["hour", "minute", "second"],
        4 => &["day", "hour", "minute", "second"],
        n => {
            return Err(Fault::new(
                offset,
                &format!("2 to 4 argument(s) for make_timespan, found {n}"),
            ));
        }
    };
    let mut ticks = Vec::new();
    let mut checks = Vec::new();
    for ((part, arg), expr) in parts.iter().zip(&args).zip(exprs) {
        let whole = *part != "second";
        if !(arg.ty.is_integer() || (!whole && arg.ty.is_numeric())) {
            return Err(Fault::new(
                expr.offset,
                &format!("a number of {part}s, found a {}", arg.ty),
            ));
        }
        let v = &arg.sql;
        let (check, tick) = match *part {
            "day" => (format!("{v} >= 0"), format!("CAST({v} AS BIGINT) * 864000000000")),
            "hour" => {
                (format!("{v} BETWEEN 0 AND 23"), format!("CAST({v} AS BIGINT) * 36000000000"))
            }
            "minute" => {
                (format!("{v} BETWEEN 0 AND 59"), format!("CAST({v} AS BIGINT) * 600000000"))
            }
            _ => (
                format!("{v} >= 0 AND {v} < 60"),
                format!("CAST(round(CAST({v} AS DOUBLE) * 10000000) AS BIGINT)"),
            ),
        };
        checks.push(check);
        ticks.push(tick);
    }
    Ok(Typed::new(
        format!(
            "CASE WHEN {} THEN arrow_cast(({}) * 100, 'Duration(Nanosecond)') END",
            checks.join(" AND "),
            ticks.join(" + ")
        ),
        Type::Timespan,
    ))
}

/// The functions that give the start or the end of a period: `startofday` ... `endofyear`.
const PERIOD_EDGES: &[&str] = &[
    "startofday",
    "startofweek",
    "startofmonth",
    "startofyear",
    "endofday",
    "endofweek",
    "endofmonth",
    "endofyear",
];

/// `startofmonth(t [, offset])` and its kin: the first tick of `t`'s period moved by `offset`
/// whole periods (a constant, negative to go back), or for `endof...` the last tick of that
/// period.
fn period_edge(
    name: &str,
    args: Vec<Typed>,
    exprs: &[Expr],
    offset: usize,
) -> Result<Typed, Fault> {
    if args.is_empty() || args.len() > 2 || exprs.len() != args.len() {
        return Err(Fault::new(
            offset,
            &format!("1 or 2 argument(s) for {name}, found {}", args.len()),
        ));
    }
    let time = &args[0];
    if time.ty != Type::DateTime {
        return Err(Fault::new(exprs[0].offset, &format!("a datetime, found a {}", time.ty)));
    }
    let shift = match exprs.get(1) {
        Some(expr) => {
            if !args[1].ty.is_integer() {
                return Err(Fault::new(
                    expr.offset,
                    &format!("an integer, found a {}", args[1].ty),
                ));
            }
            super::rows::constant_long(expr, &format!("the offset of {name}"))?
        }
        None => 0,
    };
    let end = name.starts_with("endof");
    // The period whose start (or, for an end, whose following period's start) is wanted.
    let periods =
        shift.checked_add(i64::from(end)).ok_or_else(|| Fault::new(offset, "too large"))?;
    let t = &time.sql;
    let too_large = || Fault::new(offset, "the offset is too large");
    let period = name.trim_start_matches("startof").trim_start_matches("endof");
    let start = match period {
        "day" | "week" => {
            let (first, length) = if period == "day" {
                (format!("date_trunc('day', {t})"), NANOS_PER_DAY)
            } else {
                (start_of_week(t), 7 * NANOS_PER_DAY)
            };
            let nanos = periods.checked_mul(length).ok_or_else(too_large)?;
            if nanos == 0 { first } else { plus_nanos(&first, &nanos.to_string()) }
        }
        // Months and years by the calendar.
        _ => {
            let months = periods.checked_mul(if period == "month" { 1 } else { 12 });
            let months = months.ok_or_else(too_large)?;
            let first = format!("date_trunc('{period}', {t})");
            if months == 0 { first } else { format!("({first} + INTERVAL '{months} months')") }
        }
    };
    Ok(Typed::new(if end { last_tick(&start) } else { start }, Type::DateTime))
}

/// `format_timespan(span, format)` with the parts `d` (days), `h` `m` `s` (hours, minutes
/// and seconds within the day, one letter unpadded and two padded), `f` to `fffffff` (the
/// fraction of a second), and `-` first for a negative span.
fn format_timespan(args: Vec<Typed>, exprs: &[Expr], offset: usize) -> Result<Typed, Fault> {
    if args.len() != 2 || exprs.len() != 2 {
        return Err(Fault::new(offset, "2 argument(s) for format_timespan"));
    }
    if args[0].ty != Type::Timespan {
        return Err(Fault::new(exprs[0].offset, &format!("a timespan, found a {}", args[0].ty)));
    }
    let ExprKind::Literal(Literal::Str(format)) = &exprs[1].kind else {
        return Err(Fault::refuse(exprs[1].offset, "format_timespan needs a constant format"));
    };
    let refuse = || {
        Fault::refuse(exprs[1].offset, &format!("the timespan format `{format}` is not supported"))
    };
    if format.is_empty() {
        return Err(refuse());
    }
    let ticks = format!("(arrow_cast({}, 'Int64') / 100)", args[0].sql);
    let magnitude = format!("abs({ticks})");
    let part = |divisor: i64, modulo: Option<i64>| match modulo {
        Some(m) => format!("CAST(({magnitude} / {divisor}) % {m} AS VARCHAR)"),
        None => format!("CAST({magnitude} / {divisor} AS VARCHAR)"),
    };
    // Zeros pad a part to the run's width; a longer part is kept whole (`d` of 123 days).
    let padded = |value: String, width: usize| {
        format!("lpad({value}, greatest({width}, character_length({value})), '0')")
    };
    let mut pieces = vec![format!("CASE WHEN {ticks} < 0 THEN '-' ELSE '' END")];
    let mut rest = format.as_str();
    while let Some(c) = rest.chars().next() {
        let run = rest.len() - rest.trim_start_matches(c).len();
        let piece = match (c, run) {
            ('d', n) => padded(part(864_000_000_000, None), n),
            ('h', n @ 1..=2) => padded(part(36_000_000_000, Some(24)), n),
            ('m', n @ 1..=2) => padded(part(600_000_000, Some(60)), n),
            ('s', n @ 1..=2) => padded(part(10_000_000, Some(60)), n),
            ('f', n @ 1..=7) => {
                format!("substr(lpad({}, 7, '0'), 1, {n})", part(1, Some(10_000_000)))
            }
            (c, _) if c.is_ascii_alphanumeric() => return Err(refuse()),
            (c, _) => super::string_literal(&c.to_string().repeat(run)),
        };
        pieces.push(piece);
        rest = &rest[run * c.len_utf8()..];
    }
    Ok(Typed::new(format!("coalesce({}, '')", pieces.join(" || ")), Type::String))
}

/// `datetime_add(period, amount, t)`: whole months and years by the calendar (the 31st
/// plus a month is the month's last day), shorter periods by their length.
fn datetime_add(amount: &Typed, period: &Expr, amount_at: &Expr, t: &str) -> Result<Typed, Fault> {
    let ExprKind::Literal(Literal::Str(period_name)) = &period.kind else {
        return Err(Fault::refuse(period.offset, "datetime_add needs a constant period"));
    };
    if !amount.ty.is_integer() {
        return Err(Fault::new(amount_at.offset, &format!("an integer, found a {}", amount.ty)));
    }
    let months = match period_name.to_ascii_lowercase().as_str() {
        "year" => Some(12),
        "quarter" => Some(3),
        "month" => Some(1),
        _ => None,
    };
    if let Some(months) = months {
        let n = &super::rows::constant_long(
            amount_at,
            "the amount of months, quarters or years datetime_add adds",
        )?;
        let total =
            n.checked_mul(months).ok_or_else(|| Fault::new(amount_at.offset, "too large"))?;
        return Ok(Typed::new(format!("({t} + INTERVAL '{total} months')"), Type::DateTime));
    }
    let nanos: i64 = match period_name.to_ascii_lowercase().as_str() {
        "week" => 7 * NANOS_PER_DAY,
        "day" => NANOS_PER_DAY,
        "hour" => 3_600_000_000_000,
        "minute" => 60_000_000_000,
        "second" => 1_000_000_000,
        "millisecond" => 1_000_000,
        "microsecond" => 1_000,
        "nanosecond" => 1,
        other => {
            return Err(Fault::new(
                period.offset,
                &format!("datetime_add has no period `{other}`"),
            ));
        }
    };
    // Kusto's instants are whole ticks: nanoseconds are added in whole ticks of 100.
    let shift = if nanos == 1 {
        format!("CAST({} AS BIGINT) / 100 * 100", amount.sql)
    } else {
        format!("CAST({} AS BIGINT) * {nanos}", amount.sql)
    };
    Ok(Typed::new(plus_nanos(t, &shift), Type::DateTime))
}

/// The Sunday that starts `t`'s week, at midnight.
fn start_of_week(t: &str) -> String {
    let back = format!("(0 - CAST(date_part('dow', {t}) AS BIGINT) * {NANOS_PER_DAY})");
    plus_nanos(&format!("date_trunc('day', {t})"), &back)
}

/// The instant `nanos` (an SQL integer) after `t`.
fn plus_nanos(t: &str, nanos: &str) -> String {
    format!("arrow_cast(arrow_cast({t}, 'Int64') + {nanos}, {UTC_NANOS})")
}

/// The last tick before `next`.
fn last_tick(next: &str) -> String {
    plus_nanos(next, "-100")
}
