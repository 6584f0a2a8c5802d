//! Kusto's functions of a serialized row set (`row_number`, `prev`, `next`, `row_cumsum`,
//! `row_rank_dense`, `row_rank_min`): SQL window functions over the order a `sort` or `top`
//! gave the rows, or over the rows as they come after `serialize`. Kusto rejects them on rows
//! that are not serialized, and so does lakehunt; the forms that restart on a condition are
//! refused, and so are the ranks of rows not sorted by the ranked value alone.

use super::super::Fault;
use super::super::ast::{Expr, ExprKind, Literal};
use super::super::types::Type;
use super::scalar::Scope;
use super::{Translator, Typed};

/// Names of the row functions translated here.
pub const FUNCTIONS: &[&str] =
    &["row_number", "prev", "next", "row_cumsum", "row_rank_dense", "row_rank_min"];

impl Translator<'_> {
    /// Translates the row function `name` (lowercase) of `args`.
    pub(crate) fn row_function(
        &mut self,
        name: &str,
        args: &[Expr],
        offset: usize,
        scope: &Scope,
    ) -> Result<Typed, Fault> {
        if !scope.rows {
            return Err(Fault::refuse(
                offset,
                &format!("`{name}` is only supported in extend, project and serialize"),
            ));
        }
        if !scope.rel.is_serialized() {
            return Err(Fault::refuse(
                offset,
                &format!("`{name}` needs serialized rows: sort or serialize them first"),
            ));
        }
        let order = scope.rel.order.as_deref().map(|o| format!("ORDER BY {o}")).unwrap_or_default();
        let arity = |min: usize, max: usize| -> Result<(), Fault> {
            if args.len() < min || args.len() > max {
                return Err(Fault::new(
                    offset,
                    &format!("{min} to {max} argument(s) for {name}, found {}", args.len()),
                ));
            }
            Ok(())
        };
        match name {
            "row_number" => {
                arity(0, 2)?;
                if args.len() == 2 {
                    return Err(Fault::refuse(
                        args[1].offset,
                        "row_number restarting on a condition is not supported",
                    ));
                }
                let number = format!("CAST(row_number() OVER ({order}) AS BIGINT)");
                match args.first() {
                    None => Ok(Typed::new(number, Type::Long)),
                    Some(start) => {
                        let start = constant_long(start, "row_number's first number")?;
                        Ok(Typed::new(format!("({number} + {})", start - 1), Type::Long))
                    }
                }
            }
            "prev" | "next" => {
                arity(1, 3)?;
                if !matches!(args[0].kind, ExprKind::Name(_)) {
                    // Kusto takes a column here, not an expression of one.
                    return Err(Fault::refuse(args[0].offset, &format!("{name} takes a column")));
                }
                let value = self.scalar(&args[0], scope)?;
                let distance = match args.get(1) {
                    Some(arg) => constant_long(arg, &format!("{name}'s offset"))?,
                    None => 1,
                };
                if distance < 0 {
                    return Err(Fault::new(args[1].offset, "an offset of 0 or more"));
                }
                let function = if name == "prev" { "lag" } else { "lead" };
                let default = match args.get(2) {
                    Some(arg) => {
                        let default = self.scalar(arg, scope)?;
                        if default.ty != value.ty {
                            return Err(Fault::refuse(
                                arg.offset,
                                &format!(
                                    "a default of type {} for a {} value is not supported",
                                    default.ty, value.ty
                                ),
                            ));
                        }
                        default.sql
                    }
                    None => super::scalar::null_of(value.ty).sql,
                };
                Ok(Typed::new(
                    format!("{function}({}, {distance}, {default}) OVER ({order})", value.sql),
                    value.ty,
                ))
            }
            "row_cumsum" => {
                arity(1, 2)?;
                if args.len() == 2 {
                    return Err(Fault::refuse(
                        args[1].offset,
                        "row_cumsum restarting on a condition is not supported",
                    ));
                }
                let value = self.scalar(&args[0], scope)?;
                let ty = match value.ty {
                    Type::Int | Type::Long => Type::Long,
                    Type::Real => Type::Real,
                    other => {
                        return Err(Fault::new(
                            args[0].offset,
                            &format!("a number for row_cumsum, found a {other}"),
                        ));
                    }
                };
                let sum = format!(
                    "sum({}) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
                    value.sql
                );
                Ok(Typed::new(format!("CAST(coalesce({sum}, 0) AS {})", ty.sql()), ty))
            }
            "row_rank_dense" | "row_rank_min" => {
                arity(1, 1)?;
                let value = self.scalar(&args[0], scope)?;
                // A rank grows where the value differs from the row before. When the rows are
                // sorted by that value alone, equal values are neighbours and the ranks are
                // SQL's dense rank and rank over that order (equal nulls sharing a rank).
                let sorted_by_value = scope.rel.order.as_deref().is_some_and(|o| {
                    o.strip_prefix(value.sql.as_str()).is_some_and(|direction| {
                        [
                            " ASC NULLS FIRST",
                            " ASC NULLS LAST",
                            " DESC NULLS FIRST",
                            " DESC NULLS LAST",
                        ]
                        .contains(&direction)
                    })
                });
                if !sorted_by_value {
                    return Err(Fault::refuse(
                        args[0].offset,
                        &format!(
                            "`{name}` of rows not sorted by this value alone is not supported"
                        ),
                    ));
                }
                let rank = if name == "row_rank_dense" { "dense_rank" } else { "rank" };
                Ok(Typed::new(format!("CAST({rank}() OVER ({order}) AS BIGINT)"), Type::Long))
            }
            _ => Err(Fault::refuse(offset, &format!("the function `{name}` is not supported"))),
        }
    }
}

/// The value of an integer literal (or its negation), which window functions need.
pub(super) fn constant_long(expr: &Expr, what: &str) -> Result<i64, Fault> {
    match &expr.kind {
        ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => Ok(*n),
        ExprKind::Negate(inner) => match inner.kind {
            ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) => Ok(-n),
            _ => Err(Fault::refuse(expr.offset, &format!("{what} must be a constant"))),
        },
        _ => Err(Fault::refuse(expr.offset, &format!("{what} must be a constant"))),
    }
}
