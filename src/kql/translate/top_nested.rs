//! `top-nested`: at each level the groups of its key within the groups kept above, ranked by
//! the level's aggregate, the top `N` of each kept. One step aggregates each level over the
//! input (its groups keyed by the keys so far), one ranks it within its parent, and the last
//! joins the levels, so that a group is kept only when every group above it is.

use super::super::Fault;
use super::super::ast::{ExprKind, Literal, TopNestedLevel};
use super::aggregates::is_aggregate;
use super::operators::expression_name;
use super::scalar::Scope;
use super::{Column, Rel, Select, Translator, ident};

impl Translator<'_> {
    pub(crate) fn top_nested(
        &mut self,
        levels: &[TopNestedLevel],
        rel: Rel,
        (at, end): (usize, usize),
    ) -> Result<Rel, Fault> {
        let scope = Scope::of(&rel);
        // (key name, key SQL) of the levels so far.
        let mut keys: Vec<(String, String)> = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut ranked: Vec<(Rel, String)> = Vec::new();
        for level in levels {
            let key = self.scalar(&level.key.expr, &scope)?;
            let key_name = match &level.key.name {
                Some(name) => name.clone(),
                None => expression_name(&level.key.expr).ok_or_else(|| {
                    Fault::refuse(level.key.expr.offset, "name the top-nested key: of Name = ...")
                })?,
            };
            let ExprKind::Call { name: function, args } = &level.aggregate.expr.kind else {
                return Err(Fault::new(level.aggregate.expr.offset, "an aggregate to rank by"));
            };
            if !is_aggregate(function) {
                return Err(Fault::new(level.aggregate.expr.offset, "an aggregate to rank by"));
            }
            let aggregate = self.aggregate(function, args, level.aggregate.expr.offset, &scope)?;
            let aggregate_name =
                level.aggregate.name.clone().unwrap_or_else(|| format!("aggregated_{key_name}"));
            let taken = |name: &str| columns.iter().any(|c: &Column| c.name == name);
            if taken(&key_name) || taken(&aggregate_name) || key_name == aggregate_name {
                return Err(Fault::refuse(at, "top-nested gives two columns the same name"));
            }
            let count = match &level.count {
                None => None,
                Some(expr) => match &self.constant(expr).kind {
                    ExprKind::Literal(Literal::Long(n) | Literal::Int(n)) if *n >= 0 => Some(*n),
                    _ => {
                        return Err(Fault::refuse(
                            expr.offset,
                            "top-nested needs a constant count",
                        ));
                    }
                },
            };
            let parents: Vec<String> = keys.iter().map(|(n, _)| ident(n)).collect();
            keys.push((key_name.clone(), key.sql.clone()));
            // This level's groups, keyed by every key so far.
            let mut items: Vec<String> =
                keys.iter().map(|(n, sql)| format!("{sql} AS {}", ident(n))).collect();
            items.push(format!("{} AS {}", aggregate.sql, ident(&aggregate_name)));
            let group_by = keys.iter().map(|(_, sql)| sql.clone()).collect();
            let grouped = self.emit(
                "top_nested",
                at,
                end,
                Select { group_by, ..Select::of(items, &rel.name) },
                vec![],
            );
            let names: Vec<String> = keys.iter().map(|(n, _)| ident(n)).collect();
            let kept = match count {
                None => grouped,
                Some(n) => {
                    let direction =
                        if level.ascending { "ASC NULLS FIRST" } else { "DESC NULLS LAST" };
                    let partition = if parents.is_empty() {
                        String::new()
                    } else {
                        format!("PARTITION BY {} ", parents.join(", "))
                    };
                    let verbatim = format!(
                        "SELECT {cols}, {agg} FROM (SELECT *, row_number() OVER ({partition}ORDER BY {agg} {direction}) AS \"__kql_rank\" FROM {from}) AS ranked WHERE \"__kql_rank\" <= {n}",
                        cols = names.join(", "),
                        agg = ident(&aggregate_name),
                        from = grouped.name,
                    );
                    self.emit(
                        "top_nested",
                        at,
                        end,
                        Select { verbatim: Some(verbatim), ..Select::default() },
                        vec![],
                    )
                }
            };
            columns.push(Column { name: key_name, ty: key.ty });
            columns.push(Column { name: aggregate_name.clone(), ty: aggregate.ty });
            ranked.push((kept, aggregate_name));
        }
        // The deepest level's groups, each with the keys and aggregates of its parents.
        let depth = ranked.len();
        let alias = |i: usize| format!("level_{}", i + 1);
        let mut items = Vec::new();
        for (i, (_, aggregate_name)) in ranked.iter().enumerate() {
            items.push(format!("{}.{}", alias(i), ident(&keys[i].0)));
            items.push(format!("{}.{}", alias(i), ident(aggregate_name)));
        }
        let mut from = format!("{} AS {}", ranked[depth - 1].0.name, alias(depth - 1));
        for i in (0..depth - 1).rev() {
            let on: Vec<String> = keys[..=i]
                .iter()
                .map(|(n, _)| {
                    format!(
                        "{}.{n} IS NOT DISTINCT FROM {}.{n}",
                        alias(depth - 1),
                        alias(i),
                        n = ident(n)
                    )
                })
                .collect();
            from.push_str(&format!(
                "\n    JOIN {} AS {} ON {}",
                ranked[i].0.name,
                alias(i),
                on.join(" AND ")
            ));
        }
        Ok(self.emit("top_nested", at, end, Select::of(items, &from), columns))
    }
}
