//! A physical optimizer rule that keeps anti- and semi-joins building their hash table on
//! the small side when DataFusion cannot tell the sizes apart.
//!
//! `NOT EXISTS (SELECT ... FROM device_ips ...)` plans as a left anti-join with the events on
//! the left, the build side. DataFusion's join selection swaps the sides only when both
//! report a row count, and a side that went through `unnest` and `DISTINCT` reports none, so
//! the hunt would hash every logon and probe with a few thousand IPs. This rule runs before
//! join selection and, where one side's size is unknown, estimates it by the rows of the
//! scans beneath it: an upper bound for the filters and aggregations between, and close for
//! the unnests of the small arrays Defender keeps in its JSON columns.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode};
use datafusion::common::{JoinType, Result};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::joins::{HashJoinExec, PartitionMode};
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};

/// The most rows (as estimated) a build side may have to be hashed once for all partitions.
pub(super) const COLLECT_LIMIT_ROWS: usize = 8_000_000;

/// Swaps a hash anti- or semi-join whose left (build) side is larger than its right.
#[derive(Debug, Default)]
pub struct SmallSideBuilds;

impl PhysicalOptimizerRule for SmallSideBuilds {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(join) = node.downcast_ref::<HashJoinExec>() else {
                return Ok(Transformed::no(node));
            };
            let swappable = matches!(join.join_type(), JoinType::LeftAnti | JoinType::LeftSemi);
            let sizes_known =
                reported_rows(join.left()).is_some() && reported_rows(join.right()).is_some();
            // With both sizes known, DataFusion's own join selection decides.
            if !swappable || sizes_known {
                return Ok(Transformed::no(node));
            }
            let (Some(left), Some(right)) =
                (rows_or_inputs(join.left()), rows_or_inputs(join.right()))
            else {
                return Ok(Transformed::no(node));
            };
            if left <= right {
                return Ok(Transformed::no(node));
            }
            tracing::debug!(
                left,
                right,
                "building the {} join on its right side",
                join.join_type()
            );
            // A small build side is hashed once and shared by every probe partition, so the
            // big side is not shuffled; a large one is split by key like DataFusion would.
            let mode = if right <= COLLECT_LIMIT_ROWS {
                PartitionMode::CollectLeft
            } else {
                PartitionMode::Partitioned
            };
            // A join that cannot be swapped (it already feeds a dynamic filter) stays as it is.
            match join.swap_inputs(mode) {
                Ok(swapped) => Ok(Transformed::yes(swapped)),
                Err(_) => Ok(Transformed::no(node)),
            }
        })
        .data()
    }

    fn name(&self) -> &str {
        "lakehunt_small_side_builds"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// The rows a plan reports, or else the rows of the scans beneath it.
pub(super) fn rows_or_inputs(plan: &Arc<dyn ExecutionPlan>) -> Option<usize> {
    reported_rows(plan).or_else(|| {
        let children = plan.children();
        if children.is_empty() {
            return None;
        }
        children.into_iter().map(rows_or_inputs).sum()
    })
}

fn reported_rows(plan: &Arc<dyn ExecutionPlan>) -> Option<usize> {
    let statistics =
        StatisticsContext::new().compute(plan.as_ref(), &StatisticsArgs::new()).ok()?;
    statistics.num_rows.get_value().copied()
}
