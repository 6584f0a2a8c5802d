//! `mv-apply`: each row's arrays expanded, as `mv-expand` does, and the operators of its
//! `on (...)` applied to the rows that one input row became. Each input row is numbered
//! (`kql_row`) before expanding, so that `summarize` inside groups by it and keeps the
//! row's other columns; `where`, `extend` and `project` work row by row. The result has the
//! input's columns that were not expanded, then what the operators made.

use super::super::Fault;
use super::super::ast::{Assignment, Expr, ExprKind, Operator, OperatorKind};
use super::super::types::Type;
use super::{Column, ORDINAL, Rel, Select, Translator, ident};

/// The column numbering the input rows.
const ROW: &str = "kql_row";

impl Translator<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mv_apply(
        &mut self,
        columns: &[Assignment],
        types: &[Option<(String, usize)>],
        limit: Option<i64>,
        operators: &[Operator],
        rel: Rel,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        if rel.column(ROW).is_some() {
            return Err(Fault::refuse(at, &format!("a column named `{ROW}` is reserved here")));
        }
        let mut numbered_columns = rel.columns.clone();
        numbered_columns.push(Column { name: ROW.into(), ty: Type::Long });
        // Numbered in the order a sort gave the rows, which the result keeps, then by every
        // column: the numbering is read twice (the expansion and the rows it stands in for),
        // and must come out the same both times whatever order the rows arrive in.
        let mut items = rel.column_items();
        let mut keys: Vec<String> = rel.order.iter().cloned().collect();
        keys.extend(rel.column_items());
        let order = format!("ORDER BY {}", keys.join(", "));
        items.push(format!("CAST(row_number() OVER ({order}) AS BIGINT) AS {ROW}"));
        let numbered =
            self.emit("mv_apply_rows", at, end, Select::of(items, &rel.name), numbered_columns);
        let expanded = self.mv_expand(columns, limit, None, numbered.clone(), at, end)?;
        let expanded = self.expanded_types(columns, types, expanded, at, end)?;
        let expanded_names: Vec<String> = columns
            .iter()
            .filter_map(|a| match (&a.name, &a.expr.kind) {
                (Some(name), _) | (None, ExprKind::Name(name)) => Some(name.clone()),
                _ => None,
            })
            .collect();
        // The input's columns each result row keeps.
        let kept: Vec<Column> =
            rel.columns.iter().filter(|c| !expanded_names.contains(&c.name)).cloned().collect();

        let mut current = expanded;
        for operator in operators {
            let node = |kind: ExprKind| Expr { kind, offset: operator.offset };
            let name_of = |column: &str| node(ExprKind::Name(column.to_string()));
            let kind = match &operator.kind {
                OperatorKind::Top { count, by } => {
                    let limit = self.row_count(count, &current)?;
                    let order = self.order_by(std::slice::from_ref(by), &current)?;
                    current = self.first_rows_of_each(&limit, Some(&order), current, operator)?;
                    continue;
                }
                OperatorKind::Take(count) => {
                    let limit = self.row_count(count, &current)?;
                    current = self.first_rows_of_each(&limit, None, current, operator)?;
                    continue;
                }
                OperatorKind::Where(_) | OperatorKind::Extend(_) => operator.kind.clone(),
                OperatorKind::Project(assignments) => {
                    let mut assignments = assignments.clone();
                    for column in kept.iter().map(|c| c.name.as_str()).chain([ROW]) {
                        if !assignments.iter().any(|a| a.name.as_deref() == Some(column)) {
                            assignments.push(Assignment {
                                name: Some(column.into()),
                                expr: name_of(column),
                            });
                        }
                    }
                    OperatorKind::Project(assignments)
                }
                OperatorKind::Summarize { aggregates, by } => {
                    // Without groups of its own, a summarize of a row with no values left (an
                    // empty array, or none through a where) still makes one row, as Kusto's
                    // summarize of an empty table does: each input row is joined back.
                    let aggregates: Vec<Assignment> = if by.is_empty() {
                        current = self.with_every_row(&numbered, &kept, current, at, end);
                        aggregates.iter().map(count_present).collect()
                    } else {
                        aggregates.clone()
                    };
                    // One group per input row; its other columns ride along.
                    let mut carried: Vec<Assignment> = kept
                        .iter()
                        .filter(|c| current.column(&c.name).is_some())
                        .map(|c| Assignment {
                            name: Some(c.name.clone()),
                            expr: node(ExprKind::Call {
                                name: "take_any".into(),
                                args: vec![name_of(&c.name)],
                            }),
                        })
                        .collect();
                    carried.extend(aggregates.iter().cloned());
                    let mut keys = vec![Assignment { name: None, expr: name_of(ROW) }];
                    keys.extend(by.iter().cloned());
                    OperatorKind::Summarize { aggregates: carried, by: keys }
                }
                _ => {
                    return Err(Fault::refuse(
                        operator.offset,
                        "inside mv-apply only where, extend, project, summarize, top and take are \
                         supported",
                    ));
                }
            };
            let rewritten = Operator { kind, offset: operator.offset, end: operator.end };
            current = self.operator(&rewritten, current)?;
        }

        // The kept columns in the input's order, then the rest; the row number goes.
        let mut out: Vec<Column> =
            rel.columns.iter().filter_map(|c| current.column(&c.name).cloned()).collect();
        out.extend(
            current
                .columns
                .iter()
                .filter(|c| c.name != ROW && rel.column(&c.name).is_none())
                .cloned(),
        );
        let mut items: Vec<String> = out.iter().map(|c| ident(&c.name)).collect();
        let sorted = rel.order.is_some() && current.column(ROW).is_some();
        if sorted {
            items.push(format!("{ROW} AS {ORDINAL}"));
        }
        let mut applied = self.emit("mv_apply", at, end, Select::of(items, &current.name), out);
        if sorted {
            applied.order = Some(format!("{ORDINAL} ASC"));
            applied.ordinal = true;
        }
        Ok(applied)
    }
}

/// The column that tells a row an input row had from the row that stands in for none.
const PRESENT: &str = "kql_present";

impl Translator<'_> {
    /// `current` with a row of nulls (but the input row's own columns) for each input row
    /// that has no row in it, and `kql_present` null on those.
    fn with_every_row(
        &mut self,
        numbered: &Rel,
        kept: &[Column],
        current: Rel,
        at: usize,
        end: usize,
    ) -> Rel {
        let mut columns = Vec::new();
        let mut items = Vec::new();
        for column in &current.columns {
            let side = if column.name == ROW || kept.iter().any(|k| k.name == column.name) {
                "n"
            } else {
                "c"
            };
            items.push(format!("{side}.{}", ident(&column.name)));
            columns.push(column.clone());
        }
        items.push(format!("c.{ROW} AS {PRESENT}"));
        columns.push(Column { name: PRESENT.into(), ty: Type::Long });
        let from =
            format!("{} AS n\nLEFT JOIN {} AS c ON c.{ROW} = n.{ROW}", numbered.name, current.name);
        self.emit("mv_apply_every_row", at, end, Select::of(items, &from), columns)
    }
}

/// `count()` made to count only the rows an input row really had.
fn count_present(assignment: &Assignment) -> Assignment {
    fn rewrite(expr: &Expr) -> Expr {
        let kind = match &expr.kind {
            ExprKind::Call { name, args }
                if name == "count" && args.iter().all(|a| matches!(a.kind, ExprKind::Star)) =>
            {
                let present = Expr { kind: ExprKind::Name(PRESENT.into()), offset: expr.offset };
                let test = Expr {
                    kind: ExprKind::Call { name: "isnotnull".into(), args: vec![present] },
                    offset: expr.offset,
                };
                ExprKind::Call { name: "countif".into(), args: vec![test] }
            }
            ExprKind::Call { name, args } => {
                ExprKind::Call { name: name.clone(), args: args.iter().map(rewrite).collect() }
            }
            ExprKind::Binary { op, left, right } => ExprKind::Binary {
                op: *op,
                left: Box::new(rewrite(left)),
                right: Box::new(rewrite(right)),
            },
            ExprKind::Negate(inner) => ExprKind::Negate(Box::new(rewrite(inner))),
            other => other.clone(),
        };
        Expr { kind, offset: expr.offset }
    }
    Assignment { name: assignment.name.clone(), expr: rewrite(&assignment.expr) }
}

impl Translator<'_> {
    /// `top` (with `order`) or `take` inside `mv-apply`: the first `limit` rows of each input
    /// row's rows.
    fn first_rows_of_each(
        &mut self,
        limit: &str,
        order: Option<&str>,
        current: Rel,
        operator: &Operator,
    ) -> Result<Rel, Fault> {
        let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
        let ranked = format!(
            "(\n    SELECT *, row_number() OVER (PARTITION BY {ROW}{order}) AS kql_rank\n    FROM {}\n) AS ranked",
            current.name
        );
        let items = current.columns.iter().map(|c| ident(&c.name)).collect();
        let select =
            Select { filter: Some(format!("kql_rank <= {limit}")), ..Select::of(items, &ranked) };
        Ok(self.emit("mv_apply_top", operator.offset, operator.end, select, current.columns))
    }
}
