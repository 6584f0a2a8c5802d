//! Kusto's aggregates inside `summarize`, as SQL aggregates, and the names Kusto gives
//! their columns when the query names none.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};
use super::super::types::Type;
use super::naming::{self, Inferred};
use super::scalar::Scope;
use super::{Translator, Typed};

/// The aggregates lakehunt translates. `arg_max` and `arg_min` are handled by `summarize`
/// itself, since they return whole rows.
const AGGREGATES: &[&str] = &[
    "count",
    "countif",
    "dcount",
    "dcountif",
    "sum",
    "sumif",
    "avg",
    "avgif",
    "min",
    "max",
    "make_set",
    "make_list",
    "make_set_if",
    "make_list_if",
    "make_bag",
    "make_bag_if",
    "makeset",
    "makelist",
    "minif",
    "maxif",
    "take_any",
    "any",
    "stdev",
    "variance",
    "stdevp",
    "variancep",
    "arg_max",
    "arg_min",
    "percentile",
    "percentiles",
];

/// Aggregates Kusto has that lakehunt refuses (estimates or row-returning forms).
const REFUSED: &[&str] = &[
    "percentile_tdigest",
    "tdigest",
    "hll",
    "make_list_with_nulls",
    "binary_all_or",
    "take_anyif",
    "dcount_hll",
    "count_distinct",
];

/// True when `name` is an aggregate lakehunt knows of (translated or refused).
pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name) || REFUSED.contains(&name)
}

/// The column name Kusto gives an unnamed aggregate call `name(args)` at `offset`.
pub(crate) fn default_name(name: &str, args: &[Expr], offset: usize) -> Result<String, Fault> {
    let column = || naming::known(args.first().map_or(Inferred::Unnamed, naming::inferred), offset);
    match name {
        // `percentile(x, 95)` is `percentile_x_95`, `percentile(x, 99.5)` `percentile_x_99_5`.
        "percentile" | "percentiles" => {
            let percent =
                args.get(1).and_then(percent_literal).map_or_else(String::new, percent_text);
            Ok(format!("percentile_{}_{percent}", column()?.unwrap_or_default()))
        }
        // `take_any(x)` is named after its column alone.
        "take_any" => {
            column()?.ok_or_else(|| Fault::refuse(offset, "name the take_any: v = take_any(...)"))
        }
        _ => match naming::aggregate(name, args) {
            Some(inferred) => naming::known(inferred, offset)?
                .ok_or_else(|| Fault::refuse(offset, &format!("name the {name}: v = {name}(...)"))),
            None => Err(Fault::refuse(offset, &format!("name the {name}: v = {name}(...)"))),
        },
    }
}

/// What a `make_*` aggregate gathers, and its size limit as SQL (`, 10`, or nothing):
/// `make_x(v [, limit])`, or `make_x_if(v, condition [, limit])` whose value is null where the
/// condition does not hold. Which elements a limit keeps, Kusto leaves unspecified.
fn gathered(
    name: &str,
    typed: &[Typed],
    args: &[Expr],
    offset: usize,
    at: &dyn Fn(usize) -> usize,
) -> Result<(Typed, String), Fault> {
    let conditional = name.ends_with("_if");
    let least = if conditional { 2 } else { 1 };
    if typed.len() < least || typed.len() > least + 1 {
        return Err(Fault::new(
            offset,
            &format!("{least} or {} argument(s) for {name}", least + 1),
        ));
    }
    let limit = match args.get(least) {
        Some(Expr { kind: ExprKind::Literal(Literal::Long(n) | Literal::Int(n)), .. })
            if *n > 0 =>
        {
            format!(", {n}")
        }
        Some(_) => {
            return Err(Fault::refuse(
                at(least),
                &format!("{name} needs a constant size limit above 0"),
            ));
        }
        None => String::new(),
    };
    if !conditional {
        return Ok((typed[0].clone(), limit));
    }
    if typed[1].ty != Type::Bool {
        return Err(Fault::new(at(1), &format!("a bool condition, found a {}", typed[1].ty)));
    }
    let value = format!("CASE WHEN {} THEN {} END", typed[1].sql, typed[0].sql);
    Ok((Typed::new(value, typed[0].ty), limit))
}

/// ` ORDER BY ...` when the rows come sorted: Kusto's lists and bags follow their input's
/// order (`sort by v | summarize make_list(v)` is sorted).
fn in_order(scope: &Scope) -> String {
    scope.rel.order.as_ref().map(|order| format!(" ORDER BY {order}")).unwrap_or_default()
}

/// A percentile written as a number literal.
pub(crate) fn percent_literal(arg: &Expr) -> Option<f64> {
    match &arg.kind {
        ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => Some(*n as f64),
        ExprKind::Literal(Literal::Real(r)) => Some(*r),
        _ => None,
    }
}

/// A percentile as Kusto writes it in a column name: `95`, `99_5`.
pub(crate) fn percent_text(percent: f64) -> String {
    percent.to_string().replace('.', "_")
}

/// Kusto's percentile of `value` (SQL of a number, datetime or timespan) as SQL: the
/// nearest-rank percentile, the smallest value that `percent` percent of the values are at
/// most, nulls left out. Kusto estimates it, exactly for small sets; lakehunt gives it exactly.
pub(crate) fn nearest_rank(value: &str, percent: f64) -> String {
    // `percent * n / 100` rather than `percent / 100 * n`: the product of an integer
    // percentile and a count is exact, so the rank is not pushed up by a rounding error. The
    // values are counted by a sum, so that `count(x)` of a stdev beside it stays one column.
    format!(
        "array_element(array_sort(array_agg({value}), 'ASC', 'NULLS LAST'), \
         CAST(greatest(1.0, ceil({percent:?} * sum(CASE WHEN {value} IS NULL THEN 0 ELSE 1 END) / 100.0)) AS BIGINT))"
    )
}

impl Translator<'_> {
    /// An aggregate call in a `summarize`.
    pub(crate) fn aggregate(
        &mut self,
        name: &str,
        args: &[Expr],
        offset: usize,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        if REFUSED.contains(&name) || name == "arg_max" || name == "arg_min" {
            let why = if name.starts_with("arg_") {
                format!("`{name}` is only supported as the only aggregate of a summarize")
            } else {
                format!("the aggregate `{name}` is not supported")
            };
            return Err(Fault::refuse(offset, &why));
        }
        let row = Scope {
            rel: scope.rel,
            qualifier: scope.qualifier,
            extra: scope.extra.clone(),
            aggregate: false,
            rows: false,
        };
        let mut typed = Vec::new();
        for arg in args {
            if matches!(arg.kind, ExprKind::Star) && name == "count" {
                continue;
            }
            typed.push(self.scalar(arg, &row)?);
        }
        let want = |n: usize| -> Result<(), Fault> {
            if typed.len() != n {
                return Err(Fault::new(offset, &format!("{n} argument(s) for {name}")));
            }
            Ok(())
        };
        let condition = |t: &Typed, at: usize| -> Result<(), Fault> {
            if t.ty != Type::Bool {
                return Err(Fault::new(at, &format!("a bool condition, found a {}", t.ty)));
            }
            Ok(())
        };
        let at = |i: usize| args.get(i).map_or(offset, |a| a.offset);
        // The names Kusto still accepts from before it spelled them with `_`.
        let name = match name {
            "makeset" => "make_set",
            "makelist" => "make_list",
            other => other,
        };
        Ok(match name {
            "count" => {
                // Kusto also takes `count(x)`, and counts every row with it, null or not; of a
                // bool, `count(b)` is the older spelling of `countif(b)`.
                if typed.len() > 1 {
                    want(0)?;
                }
                match typed.first() {
                    Some(b) if b.ty == Type::Bool => {
                        Typed::new(format!("count(CASE WHEN {} THEN 1 END)", b.sql), Type::Long)
                    }
                    _ => Typed::new("count(*)", Type::Long),
                }
            }
            "countif" => {
                want(1)?;
                condition(&typed[0], at(0))?;
                Typed::new(format!("count(CASE WHEN {} THEN 1 END)", typed[0].sql), Type::Long)
            }
            "dcount" => {
                // The optional accuracy level changes Kusto's estimate; the count here is exact.
                if typed.is_empty() || typed.len() > 2 {
                    return Err(Fault::new(offset, "1 or 2 argument(s) for dcount"));
                }
                Typed::new(format!("count(DISTINCT {})", typed[0].sql), Type::Long)
            }
            "dcountif" => {
                if typed.len() < 2 || typed.len() > 3 {
                    return Err(Fault::new(offset, "2 or 3 argument(s) for dcountif"));
                }
                condition(&typed[1], at(1))?;
                Typed::new(
                    format!("count(DISTINCT CASE WHEN {} THEN {} END)", typed[1].sql, typed[0].sql),
                    Type::Long,
                )
            }
            "sum" | "sumif" | "avg" | "avgif" => {
                let conditional = name.ends_with("if");
                want(if conditional { 2 } else { 1 })?;
                let value = &typed[0];
                if !value.ty.is_numeric() {
                    return Err(Fault::new(at(0), &format!("a number, found a {}", value.ty)));
                }
                let input = if conditional {
                    condition(&typed[1], at(1))?;
                    format!("CASE WHEN {} THEN {} END", typed[1].sql, value.sql)
                } else {
                    value.sql.clone()
                };
                // Over no values Kusto's sum is 0 and its average NaN, not null.
                // Without `by`, reals are added in row order as grouped sums add them.
                match (name, value.ty) {
                    ("avg" | "avgif", ty) if self.ungrouped => {
                        // A real is summed as it is, so that `sum(x), avg(x)` share one sum.
                        let real = if ty == Type::Real {
                            input.clone()
                        } else {
                            format!("CAST({input} AS DOUBLE)")
                        };
                        Typed::new(
                            format!(
                                "coalesce(kql_sum_in_order({real}) / count({real}), \
                                 CAST('NaN' AS DOUBLE))"
                            ),
                            Type::Real,
                        )
                    }
                    ("avg" | "avgif", _) => Typed::new(
                        format!("coalesce(avg(CAST({input} AS DOUBLE)), CAST('NaN' AS DOUBLE))"),
                        Type::Real,
                    ),
                    (_, Type::Real) if self.ungrouped => {
                        Typed::new(format!("coalesce(kql_sum_in_order({input}), 0.0)"), Type::Real)
                    }
                    (_, Type::Real) => {
                        Typed::new(format!("coalesce(sum({input}), 0.0)"), Type::Real)
                    }
                    (_, Type::Decimal) => Typed::new(format!("sum({input})"), Type::Decimal),
                    _ => {
                        Typed::new(format!("coalesce(sum(CAST({input} AS BIGINT)), 0)"), Type::Long)
                    }
                }
            }
            "min" | "max" => {
                want(1)?;
                if typed[0].ty == Type::Dynamic {
                    return Err(Fault::refuse(
                        at(0),
                        &format!("{name} of a dynamic value is not supported"),
                    ));
                }
                Typed::new(format!("{name}({})", typed[0].sql), typed[0].ty)
            }
            "minif" | "maxif" => {
                want(2)?;
                condition(&typed[1], at(1))?;
                let value = &typed[0];
                if value.ty == Type::Dynamic {
                    return Err(Fault::refuse(
                        at(0),
                        &format!("{name} of a dynamic value is not supported"),
                    ));
                }
                let sql =
                    format!("{}(CASE WHEN {} THEN {} END)", &name[..3], typed[1].sql, value.sql);
                // Where no row matches, a string is "", never null.
                let sql =
                    if value.ty == Type::String { format!("coalesce({sql}, '')") } else { sql };
                Typed::new(sql, value.ty)
            }
            "percentile" | "percentiles" => {
                if typed.len() > 2 && name == "percentiles" {
                    return Err(Fault::refuse(
                        at(2),
                        "percentiles of several percentiles inside an expression are not \
                         supported; write one percentile() for each",
                    ));
                }
                want(2)?;
                let Some(percent) = percent_literal(&args[1]).filter(|p| (0.0..=100.0).contains(p))
                else {
                    return Err(Fault::new(at(1), "a constant percentile from 0 to 100"));
                };
                let value = &typed[0];
                if !matches!(
                    value.ty,
                    Type::Int | Type::Long | Type::Real | Type::DateTime | Type::Timespan
                ) {
                    return Err(Fault::new(
                        at(0),
                        &format!("a number, datetime or timespan, found a {}", value.ty),
                    ));
                }
                // Of ints, a long, as Kusto types it.
                if value.ty == Type::Int {
                    let long = format!("CAST({} AS BIGINT)", value.sql);
                    return Ok(Typed::new(nearest_rank(&long, percent), Type::Long));
                }
                Typed::new(nearest_rank(&value.sql, percent), value.ty)
            }
            "take_any" | "any" => {
                want(1)?;
                // Kusto returns a value that is neither null nor empty when the rows have one.
                let x = &typed[0].sql;
                let present = match typed[0].ty {
                    Type::String => format!("{x} IS NOT NULL AND {x} <> ''"),
                    _ => format!("{x} IS NOT NULL"),
                };
                Typed::new(
                    format!(
                        "coalesce(first_value({x}) FILTER (WHERE {present}), first_value({x}))"
                    ),
                    typed[0].ty,
                )
            }
            "stdev" | "variance" | "stdevp" | "variancep" => {
                want(1)?;
                // A real as it is, so that its count is the same expression as avg's.
                let x = match typed[0].ty {
                    Type::Real => typed[0].sql.clone(),
                    _ => format!("CAST({} AS DOUBLE)", typed[0].sql),
                };
                // Kusto's answers hold the variance to 10 decimal places (the population
                // variance of 1..6 is 2.9166666667) and take the deviation as its root; the
                // sample variance of one value is 0.
                let variance = match name {
                    // Of no values (no rows, or nulls only) both are 0, Kusto's default.
                    "stdev" | "variance" => {
                        format!("CASE WHEN count({x}) <= 1 THEN 0.0 ELSE var_samp({x}) END")
                    }
                    _ => format!("CASE WHEN count({x}) = 0 THEN 0.0 ELSE var_pop({x}) END"),
                };
                let variance = format!("round({variance}, 10)");
                let sql =
                    if name.starts_with("stdev") { format!("sqrt({variance})") } else { variance };
                Typed::new(sql, Type::Real)
            }
            "make_set" | "make_list" | "make_set_if" | "make_list_if" => {
                let (value, limit) = gathered(name, &typed, args, offset, &at)?;
                if !matches!(value.ty, Type::String | Type::Long | Type::Int | Type::Bool) {
                    return Err(Fault::refuse(
                        at(0),
                        &format!("{name} of a {} is not supported", value.ty),
                    ));
                }
                // Nulls are dropped and, for a set, repeats after the first.
                let kind = if name.starts_with("make_set") { "set" } else { "list" };
                Typed::new(
                    format!(
                        "kql_json_array(array_agg({}{}), '{kind}'{limit})",
                        value.sql,
                        in_order(scope)
                    ),
                    Type::Dynamic,
                )
            }
            "make_bag" | "make_bag_if" => {
                let (value, limit) = gathered(name, &typed, args, offset, &at)?;
                if value.ty != Type::Dynamic {
                    return Err(Fault::new(at(0), &format!("a dynamic, found a {}", value.ty)));
                }
                // Which value a key repeated across rows keeps, Kusto leaves unspecified;
                // lakehunt keeps the first it meets.
                Typed::new(
                    format!("kql_make_bag(array_agg({}{}){limit})", value.sql, in_order(scope)),
                    Type::Dynamic,
                )
            }
            _ => {
                return Err(Fault::refuse(
                    offset,
                    &format!("the aggregate `{name}` is not supported"),
                ));
            }
        })
    }
}
