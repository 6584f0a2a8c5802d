//! `make-series`: for each group, one array per aggregate with a value for every bin of the
//! axis from `from` up to (not including) `to`, the `default` where a bin has no rows, and the
//! axis itself as an array of the bins' starts. Rows outside the range are left out, and so
//! is a group with no rows inside it. The axis is an integer or a datetime column with a
//! constant step; the aggregates are numbers.

use super::super::Fault;
use super::super::ast::{ExprKind, Literal, MakeSeries};
use super::super::types::Type;
use super::scalar::{Scope, literal};
use super::{Column, Rel, Select, Translator, ident};

impl Translator<'_> {
    pub(crate) fn make_series(
        &mut self,
        series: &MakeSeries,
        rel: Rel,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        let ExprKind::Name(axis_name) = &series.axis.kind else {
            return Err(Fault::refuse(series.axis.offset, "make-series needs an axis column"));
        };
        let axis = rel.column(axis_name).cloned().ok_or_else(|| {
            Fault::new(series.axis.offset, &format!("a column, found `{axis_name}`"))
        })?;
        let (Some(from), Some(to)) = (&series.from, &series.to) else {
            return Err(Fault::refuse(at, "make-series without both from and to is not supported"));
        };
        let empty = Rel::default();
        let (low, high) =
            (self.scalar(from, &Scope::of(&empty))?, self.scalar(to, &Scope::of(&empty))?);
        let step = self.constant(&series.step);
        // The axis, its bounds and its step as 64-bit integers (nanoseconds for datetimes).
        let (value, low, high, step) = match (axis.ty, &step.kind) {
            (Type::DateTime, ExprKind::Literal(Literal::Timespan(ticks))) if *ticks > 0 => {
                if low.ty != Type::DateTime || high.ty != Type::DateTime {
                    return Err(Fault::new(from.offset, "datetime bounds for a datetime axis"));
                }
                let nanos = |sql: &str| format!("arrow_cast({sql}, 'Int64')");
                (nanos(&ident(axis_name)), nanos(&low.sql), nanos(&high.sql), ticks * 100)
            }
            (Type::Int | Type::Long, ExprKind::Literal(Literal::Long(n) | Literal::Int(n)))
                if *n > 0 =>
            {
                if !low.ty.is_integer() || !high.ty.is_integer() {
                    return Err(Fault::new(from.offset, "integer bounds for an integer axis"));
                }
                let long = |sql: &str| format!("CAST({sql} AS BIGINT)");
                (long(&ident(axis_name)), long(&low.sql), long(&high.sql), *n)
            }
            _ => {
                return Err(Fault::refuse(
                    series.step.offset,
                    &format!(
                        "make-series on a {} axis by this step is not supported (use an integer \
                         or datetime axis and a constant step above 0)",
                        axis.ty
                    ),
                ));
            }
        };

        let mut groups = Vec::new();
        for group in &series.by {
            let ExprKind::Name(name) = &group.expr.kind else {
                return Err(Fault::refuse(group.expr.offset, "make-series groups by columns"));
            };
            if group.name.is_some() {
                return Err(Fault::refuse(group.expr.offset, "make-series groups by columns"));
            }
            let column = rel.column(name).cloned().ok_or_else(|| {
                Fault::new(group.expr.offset, &format!("a column, found `{name}`"))
            })?;
            if column.ty == Type::Dynamic {
                return Err(Fault::refuse(group.expr.offset, "grouping by a dynamic value"));
            }
            groups.push(column);
        }

        // The aggregate of each bin with rows.
        let mut values = Vec::new();
        let mut outputs = Vec::new();
        for (i, (assignment, default)) in series.aggregates.iter().enumerate() {
            let ExprKind::Call { name, args } = &assignment.expr.kind else {
                return Err(Fault::new(assignment.expr.offset, "an aggregate"));
            };
            let typed = self.aggregate(
                &name.to_ascii_lowercase(),
                args,
                assignment.expr.offset,
                &Scope::aggregating(&rel),
            )?;
            if !typed.ty.is_numeric() {
                return Err(Fault::refuse(
                    assignment.expr.offset,
                    &format!("make-series of a {} aggregate is not supported", typed.ty),
                ));
            }
            let fill = match default {
                None => "0".to_string(),
                Some(expr) => match &expr.kind {
                    ExprKind::Literal(value) => literal(value, expr.offset)?.sql,
                    ExprKind::Negate(_) => self.scalar(expr, &Scope::of(&empty))?.sql,
                    _ => {
                        return Err(Fault::refuse(
                            expr.offset,
                            "make-series needs a constant default",
                        ));
                    }
                },
            };
            let name = match &assignment.name {
                Some(name) => name.clone(),
                None => super::aggregates::default_name(
                    &name.to_ascii_lowercase(),
                    args,
                    assignment.expr.offset,
                )?,
            };
            values.push((format!("kql_value_{i}"), typed, fill));
            outputs.push(name);
        }

        let group_names: Vec<String> = groups.iter().map(|c| ident(&c.name)).collect();
        let bin = format!("CAST(({value} - {low}) / {step} AS BIGINT)");
        let mut items = group_names.clone();
        items.push(format!("{bin} AS kql_bin"));
        items.extend(values.iter().map(|(n, t, _)| format!("{} AS {n}", t.sql)));
        let mut group_by = group_names.clone();
        group_by.push(bin);
        let binned = Select {
            filter: Some(format!("{value} >= {low} AND {value} < {high}")),
            group_by,
            ..Select::of(items, &rel.name)
        };
        let binned = self.emit("make_series_bins", at, end, binned, vec![]);

        // Every group with every bin, the default where a bin had no rows.
        let bins = format!(
            "(SELECT unnest(generate_series(0, CASE WHEN {high} > {low} THEN ({high} - {low} + {step} - 1) / {step} ELSE 0 END - 1)) AS kql_bin) AS bins"
        );
        let distinct = format!(
            "(SELECT DISTINCT {} FROM {}) AS g",
            if group_names.is_empty() {
                "1 AS kql_one".to_string()
            } else {
                group_names.join(", ")
            },
            binned.name
        );
        let on: Vec<String> = group_names
            .iter()
            .map(|g| format!("(v.{g} IS NOT DISTINCT FROM g.{g})"))
            .chain(["(v.kql_bin = bins.kql_bin)".to_string()])
            .collect();
        let mut items: Vec<String> = group_names.iter().map(|g| format!("g.{g}")).collect();
        items.push("bins.kql_bin".into());
        for (n, typed, fill) in &values {
            items.push(format!("coalesce(v.{n}, CAST({fill} AS {})) AS {n}", typed.ty.sql()));
        }
        let from_sql = format!(
            "{distinct}\nCROSS JOIN {bins}\nLEFT JOIN {} AS v ON {}",
            binned.name,
            on.join(" AND ")
        );
        let grid = self.emit("make_series_grid", at, end, Select::of(items, &from_sql), vec![]);

        // One row per group: the arrays, then the axis.
        let array = |json: &str| format!("'[' || string_agg({json}, ',' ORDER BY kql_bin) || ']'");
        let mut items = group_names.clone();
        let mut columns: Vec<Column> = groups.clone();
        for ((n, typed, _), name) in values.iter().zip(&outputs) {
            let json = match typed.ty {
                Type::Real => format!(
                    "CASE WHEN {n} IS NULL OR isnan({n}) OR abs({n}) = CAST('Infinity' AS DOUBLE) \
                     THEN 'null' ELSE CAST({n} AS VARCHAR) END"
                ),
                _ => format!("coalesce(CAST({n} AS VARCHAR), 'null')"),
            };
            items.push(format!("{} AS {}", array(&json), ident(name)));
            columns.push(Column { name: name.clone(), ty: Type::Dynamic });
        }
        let start = format!("({low} + kql_bin * {step})");
        let axis_json = if axis.ty == Type::DateTime {
            let t = format!("arrow_cast({start}, 'Timestamp(Nanosecond, Some(\"UTC\"))')");
            format!(
                "'\"' || to_char({t}, '%Y-%m-%dT%H:%M:%S') || '.' || substr(to_char({t}, '%9f'), 1, 7) || 'Z\"'"
            )
        } else {
            format!("CAST({start} AS VARCHAR)")
        };
        if columns.iter().any(|c| &c.name == axis_name) {
            return Err(Fault::refuse(at, &format!("the column `{axis_name}` is made twice")));
        }
        items.push(format!("{} AS {}", array(&axis_json), ident(axis_name)));
        columns.push(Column { name: axis_name.clone(), ty: Type::Dynamic });
        let select = Select {
            group_by: if group_names.is_empty() { vec!["kql_bin * 0".into()] } else { group_names },
            ..Select::of(items, &grid.name)
        };
        Ok(self.emit("make_series", at, end, select, columns))
    }
}
