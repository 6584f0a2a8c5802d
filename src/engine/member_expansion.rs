//! A logical rewrite for rules that expand a dynamic value only to read one member of each
//! value: `mvexpand NetworkInfo | project IpAddress = tostring(NetworkInfo.IPAddress)`.
//!
//! Its plan is a projection of `kql_tostring(kql_member(v, 'IPAddress'))` over an unnest of
//! `v = kql_mv_expand(d, 128)`: each array is cut into elements, the elements become a column,
//! and each element is walked again for its member. When the projection reads the unnested
//! values in no other way, the unnest expands `kql_mv_expand_members(d, 128, 'IPAddress')`
//! instead, which walks each array once and gives the members' text directly, and the
//! projection takes the unnested values as they are. The unnest keeps its schema, and every
//! row it makes holds the value the two steps would have given.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result};
use datafusion::logical_expr::{Expr, LogicalPlan, Projection, Unnest};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

use crate::functions::expand_members::{member_string, mv_expand, mv_expand_members};

/// Reads the member a rule wants while expanding, instead of after.
#[derive(Debug, Default)]
pub struct MemberExpansions;

impl OptimizerRule for MemberExpansions {
    fn name(&self) -> &str {
        "member_expansions"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        match fused(&plan)? {
            Some(rewritten) => Ok(Transformed::yes(rewritten)),
            None => Ok(Transformed::no(plan)),
        }
    }
}

/// `plan` with its member reads moved into the expansion beneath it, when it is a projection
/// over an unnest of a projection, with only renames (subquery aliases, projections of
/// columns) and filters between them, and some expanded column is read only as one member.
fn fused(plan: &LogicalPlan) -> Result<Option<LogicalPlan>> {
    let LogicalPlan::Projection(reads) = plan else { return Ok(None) };
    // The nodes between the projection and the unnest, from the top down.
    let mut between = Vec::new();
    let mut node = reads.input.as_ref();
    let unnest = loop {
        match node {
            LogicalPlan::Unnest(unnest) => break unnest,
            LogicalPlan::SubqueryAlias(_) | LogicalPlan::Filter(_) => {}
            LogicalPlan::Projection(p) if p.expr.iter().all(|e| is_column(unaliased(e))) => {}
            _ => return Ok(None),
        }
        between.push(node);
        node = node.inputs()[0];
    };
    let LogicalPlan::Projection(expansions) = unnest.input.as_ref() else { return Ok(None) };

    let mut read_exprs = reads.expr.clone();
    let mut predicates: Vec<Option<Expr>> = between.iter().map(|node| predicate(node)).collect();
    let mut expansion_exprs = expansions.expr.clone();
    let mut changed = false;
    for (input_index, list) in &unnest.list_type_columns {
        if list.depth != 1 {
            continue;
        }
        // Where the unnested column is in the output of each node between, under each name
        // it has there, and then in the input of the projection.
        let mut positions = vec![unnest.schema.index_of_column(&list.output_column)?];
        let mut positions_at = vec![Vec::new(); between.len()];
        for (level, node) in between.iter().enumerate().rev() {
            positions = positions_after(node, &positions)?;
            positions_at[level] = positions.clone();
        }
        let mut read = Read::Nothing;
        for (level, predicate) in predicates.iter().enumerate() {
            if let Some(predicate) = predicate {
                let schema = between[level].schema();
                read = read.and(member_read(predicate, schema, &positions_at[level])?);
            }
        }
        let schema = reads.input.schema();
        for expr in &read_exprs {
            read = read.and(member_read(expr, schema, &positions)?);
        }
        let Read::Member(key) = read else { continue };
        let Some(expansion) = expansion_exprs.get(*input_index) else { continue };
        let Some((value, limit)) = mv_expand(unaliased(expansion)) else { continue };
        let (qualifier, field) = expansions.schema.qualified_field(*input_index);
        let fused = mv_expand_members(value.clone(), limit.clone(), &key)
            .alias_qualified(qualifier.cloned(), field.name());
        expansion_exprs[*input_index] = fused;
        read_exprs = read_exprs
            .into_iter()
            .map(|expr| read_directly(expr, schema, &positions))
            .collect::<Result<_>>()?;
        for (level, predicate) in predicates.iter_mut().enumerate() {
            if let Some(p) = predicate.take() {
                let schema = between[level].schema();
                *predicate = Some(read_directly(p, schema, &positions_at[level])?);
            }
        }
        changed = true;
    }
    if !changed {
        return Ok(None);
    }

    // Same names, same types: each node keeps the schema it had, which the plans above rely
    // on.
    let expansions = Projection::try_new_with_schema(
        expansion_exprs,
        Arc::clone(&expansions.input),
        Arc::clone(&expansions.schema),
    )?;
    let unnest = Unnest { input: Arc::new(LogicalPlan::Projection(expansions)), ..unnest.clone() };
    let mut input = LogicalPlan::Unnest(unnest);
    for (node, predicate) in between.iter().zip(predicates).rev() {
        let exprs = match predicate {
            Some(predicate) => vec![predicate],
            None => node.expressions(),
        };
        input = node.with_new_exprs(exprs, vec![input])?;
    }
    let read_exprs = read_exprs
        .into_iter()
        .zip(&reads.expr)
        .enumerate()
        .map(|(i, (new, old))| {
            if &new == old || matches!(old, Expr::Alias(_)) {
                return new;
            }
            let (qualifier, field) = reads.schema.qualified_field(i);
            new.alias_qualified(qualifier.cloned(), field.name())
        })
        .collect();
    let reads =
        Projection::try_new_with_schema(read_exprs, Arc::new(input), Arc::clone(&reads.schema))?;
    Ok(Some(LogicalPlan::Projection(reads)))
}

/// The predicate of a filter.
fn predicate(node: &LogicalPlan) -> Option<Expr> {
    match node {
        LogicalPlan::Filter(filter) => Some(filter.predicate.clone()),
        _ => None,
    }
}

/// The positions in the output of `node` (a subquery alias, a filter or a projection of
/// columns) of the input columns at `positions`.
fn positions_after(node: &LogicalPlan, positions: &[usize]) -> Result<Vec<usize>> {
    let LogicalPlan::Projection(projection) = node else { return Ok(positions.to_vec()) };
    let input = projection.input.schema();
    let mut after = Vec::new();
    for (i, expr) in projection.expr.iter().enumerate() {
        if let Expr::Column(column) = unaliased(expr)
            && positions.contains(&input.index_of_column(column)?)
        {
            after.push(i);
        }
    }
    Ok(after)
}

fn is_column(expr: &Expr) -> bool {
    matches!(expr, Expr::Column(_))
}

/// How expressions read an unnested column.
enum Read {
    /// Not at all.
    Nothing,
    /// Only as `tostring(column.key)`, always with this key.
    Member(String),
    /// In some other way too.
    Other,
}

impl Read {
    fn and(self, other: Read) -> Read {
        match (self, other) {
            (Read::Nothing, read) | (read, Read::Nothing) => read,
            (Read::Member(a), Read::Member(b)) if a == b => Read::Member(a),
            _ => Read::Other,
        }
    }
}

/// How `expr` reads the unnested column, which is at `positions` of `schema`, its input.
fn member_read(expr: &Expr, schema: &DFSchema, positions: &[usize]) -> Result<Read> {
    let is_unnested =
        |column: &Column| schema.index_of_column(column).is_ok_and(|i| positions.contains(&i));
    let mut read = Read::Nothing;
    expr.apply(|node| {
        if let Some((column, key)) = member_string(node)
            && is_unnested(column)
        {
            read = std::mem::replace(&mut read, Read::Nothing).and(Read::Member(key.into()));
            return Ok(TreeNodeRecursion::Jump);
        }
        if let Expr::Column(column) = node
            && is_unnested(column)
        {
            read = Read::Other;
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(read)
}

/// `expr` with each `tostring(column.key)` of the unnested column (at `positions` of the input)
/// replaced by the column, which now holds that text.
fn read_directly(expr: Expr, schema: &DFSchema, positions: &[usize]) -> Result<Expr> {
    expr.transform_down(|node| match member_string(&node) {
        Some((column, _))
            if schema.index_of_column(column).is_ok_and(|i| positions.contains(&i)) =>
        {
            let column = Expr::Column(column.clone());
            Ok(Transformed::new(column, true, TreeNodeRecursion::Jump))
        }
        _ => Ok(Transformed::no(node)),
    })
    .map(|t| t.data)
}

/// `expr` without the aliases around it (SQL's unnest names its column twice).
fn unaliased(mut expr: &Expr) -> &Expr {
    while let Expr::Alias(alias) = expr {
        expr = &alias.expr;
    }
    expr
}
