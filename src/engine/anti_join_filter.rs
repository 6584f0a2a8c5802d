//! Anti-joins that tell the scan on their probe side which keys they will throw away.
//!
//! The seed rule keeps a logon only when its `RemoteIP` is in neither small side (the IPs
//! devices own, the IPs identity logons explain). DataFusion hashes those sides and probes
//! every public logon, so each logon's account, domain, device and time are decoded from
//! Parquet only to be dropped by the join. DataFusion's own dynamic filters narrow the probe
//! side of inner and semi joins but not of anti-joins, whose probe rows are kept when they do
//! *not* match.
//!
//! This rule gives each anti-join that hashes its small side once ([`PartitionMode::CollectLeft`])
//! a dynamic filter on the probe side: `key NOT IN (the build side's keys)`, filled in when
//! the build side has been read and before the probe side is. The filter sinks into the
//! Parquet scan, which then tests the key column first and decodes the other columns only for
//! the rows that survive. The join stays where it is, so the answer never depends on the
//! filter: a filter that is never filled in (a build side too large to list) passes every row.

use std::fmt;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::kernels::boolean::or_kleene;
use datafusion::arrow::compute::{concat, filter, is_not_null, is_null};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode, TreeNodeRecursion};
use datafusion::common::{DataFusionError, JoinType, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{Column, DynamicFilterPhysicalExpr, InListExpr, lit};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{ChildrenPropertiesMode, ReplaceChildrenOptions};
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::joins::{HashJoinExec, PartitionMode};
use datafusion::physical_plan::metrics::{
    Count, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet,
};
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties,
    RecordBatchStream, SendableRecordBatchStream,
};
use futures::{Stream, StreamExt};

use super::build_side::{COLLECT_LIMIT_ROWS, rows_or_inputs};

/// The most build-side rows listed in a probe-side filter. Beyond it the filter stays open
/// and the join alone excludes: the list is held as one literal per key.
const MAX_LISTED_KEYS: usize = 1_000_000;

/// Adds the probe-side exclusion filter to every anti-join that builds once on its left.
#[derive(Debug, Default)]
pub struct ProbeSideExclusions;

impl PhysicalOptimizerRule for ProbeSideExclusions {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(join) = node.downcast_ref::<HashJoinExec>() else {
                return Ok(Transformed::no(node));
            };
            let Some(join) = built_once(join)? else {
                return Ok(Transformed::no(node));
            };
            let Some((build_key, probe_key)) = excluding_key(&join) else {
                return Ok(Transformed::no(node));
            };
            let filter =
                Arc::new(DynamicFilterPhysicalExpr::new(vec![Arc::clone(&probe_key)], lit(true)));
            let exclusion = Exclusion {
                build_key,
                probe_key,
                probe_schema: join.right().schema(),
                filter: Arc::clone(&filter),
            };
            let build = Arc::new(BuildKeysExec::new(Arc::clone(join.left()), exclusion));
            let probe = Arc::new(FilterExec::try_new(filter, Arc::clone(join.right()))?);
            tracing::debug!(
                "the {} join filters its probe side by its build keys",
                join.join_type()
            );
            let options = ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute);
            let join: Arc<dyn ExecutionPlan> = Arc::new(join);
            Ok(Transformed::yes(join.replace_children(vec![build, probe], options)?))
        })
        .data()
    }

    fn name(&self) -> &str {
        "lakehunt_probe_side_exclusions"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `join` as an anti-join that hashes its build side once: as it is, or, when DataFusion
/// split it by key because it could not tell that the build side is small (a `DISTINCT`
/// reports as many rows as it reads), hashed once if the scans beneath it hold at most
/// [`COLLECT_LIMIT_ROWS`].
fn built_once(join: &HashJoinExec) -> Result<Option<HashJoinExec>> {
    if *join.join_type() != JoinType::RightAnti {
        return Ok(None);
    }
    match join.partition_mode() {
        PartitionMode::CollectLeft => Ok(Some(join.builder().build()?)),
        PartitionMode::Partitioned
            if rows_or_inputs(join.left()).is_some_and(|rows| rows <= COLLECT_LIMIT_ROWS) =>
        {
            let collected = join
                .builder()
                .with_partition_mode(PartitionMode::CollectLeft)
                .recompute_properties()
                .build()?;
            Ok(Some(collected))
        }
        _ => Ok(None),
    }
}

/// The build and probe key of an anti-join the filter can serve: the probe rows are the
/// output, the build side is hashed once, one key of a type compared by value, no extra join
/// filter, and not `NOT IN`'s null-aware form (whose answer depends on build-side nulls).
fn excluding_key(join: &HashJoinExec) -> Option<(Arc<dyn PhysicalExpr>, Arc<dyn PhysicalExpr>)> {
    if *join.join_type() != JoinType::RightAnti
        || *join.partition_mode() != PartitionMode::CollectLeft
        || join.filter().is_some()
        || join.null_aware
    {
        return None;
    }
    let [(build_key, probe_key)] = join.on() else {
        return None;
    };
    let build_type = build_key.data_type(&join.left().schema()).ok()?;
    let probe_type = probe_key.data_type(&join.right().schema()).ok()?;
    (build_type == probe_type && listable(&probe_type))
        .then(|| (Arc::clone(build_key), Arc::clone(probe_key)))
}

/// Types whose equality in a hash join and in an `IN` list is the same byte-for-byte test.
fn listable(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8
            | DataType::Utf8View
            | DataType::LargeUtf8
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Date32
            | DataType::Timestamp(_, _)
    )
}

/// The filter a build side's keys fill in: `probe_key NOT IN (the build_key values)`, with
/// `probe_key` read against `probe_schema`.
#[derive(Debug, Clone)]
struct Exclusion {
    build_key: Arc<dyn PhysicalExpr>,
    probe_key: Arc<dyn PhysicalExpr>,
    probe_schema: SchemaRef,
    filter: Arc<DynamicFilterPhysicalExpr>,
}

/// Passes the build side through unchanged and, when it ends, fills the probe side's filter
/// with its keys.
#[derive(Debug)]
struct BuildKeysExec {
    input: Arc<dyn ExecutionPlan>,
    exclusion: Exclusion,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl BuildKeysExec {
    /// Reads `input` as one partition, as the join it feeds hashes it once.
    fn new(input: Arc<dyn ExecutionPlan>, exclusion: Exclusion) -> BuildKeysExec {
        let input: Arc<dyn ExecutionPlan> = if input.output_partitioning().partition_count() > 1 {
            Arc::new(CoalescePartitionsExec::new(input))
        } else {
            input
        };
        BuildKeysExec {
            properties: Arc::clone(input.properties()),
            input,
            exclusion,
            metrics: ExecutionPlanMetricsSet::new(),
        }
    }
}

impl DisplayAs for BuildKeysExec {
    fn fmt_as(&self, _format: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let Exclusion { build_key, probe_key, .. } = &self.exclusion;
        write!(f, "BuildKeysExec: {build_key} excludes {probe_key}")
    }
}

impl ExecutionPlan for BuildKeysExec {
    fn name(&self) -> &str {
        "BuildKeysExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        f(&self.exclusion.build_key)
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(BuildKeysExec::new(children.swap_remove(0), self.exclusion.clone())))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let options = ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute);
        self.replace_children(children, options)
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let listed = MetricBuilder::new(&self.metrics).counter("listed_keys", partition);
        Ok(Box::pin(BuildKeysStream {
            input,
            exclusion: self.exclusion.clone(),
            keys: Vec::new(),
            rows: 0,
            listed,
        }))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

struct BuildKeysStream {
    input: SendableRecordBatchStream,
    exclusion: Exclusion,
    /// The non-null keys seen so far, or none once there are too many to list.
    keys: Vec<ArrayRef>,
    rows: usize,
    listed: Count,
}

impl BuildKeysStream {
    fn remember_keys(&mut self, batch: &RecordBatch) -> Result<()> {
        if self.rows > MAX_LISTED_KEYS {
            return Ok(());
        }
        let keys = self.exclusion.build_key.evaluate(batch)?.into_array(batch.num_rows())?;
        let keys = filter(&keys, &is_not_null(&keys)?)?;
        self.rows += keys.len();
        if self.rows > MAX_LISTED_KEYS {
            self.keys.clear();
        } else if !keys.is_empty() {
            self.keys.push(keys);
        }
        Ok(())
    }

    /// Fills in the probe side's filter; without a list it stays `true`.
    fn publish(&mut self) -> Result<()> {
        if self.rows <= MAX_LISTED_KEYS && !self.keys.is_empty() {
            let parts: Vec<&dyn Array> = self.keys.iter().map(|a| a.as_ref()).collect();
            let keys = concat(&parts)?;
            self.keys.clear();
            let count = keys.len();
            let Exclusion { probe_key, probe_schema, filter, .. } = &self.exclusion;
            // The set is built once, over a one-column batch of the key's values, so that
            // rewriting the filter for each file and batch replaces the key and nothing else.
            let keyed = Arc::new(Schema::new(vec![Field::new(
                KEY,
                probe_key.data_type(probe_schema)?,
                true,
            )]));
            let listed =
                InListExpr::try_new_from_array(Arc::new(Column::new(KEY, 0)), keys, true, &keyed)?;
            let excluded =
                ExcludedKeys { key: Arc::clone(probe_key), not_in: Arc::new(listed), keyed, count };
            filter.update(Arc::new(excluded))?;
            self.listed.add(count);
        } else if self.rows > MAX_LISTED_KEYS {
            tracing::debug!(rows = self.rows, "too many build keys to filter the probe side");
        }
        self.exclusion.filter.mark_complete();
        Ok(())
    }
}

impl Stream for BuildKeysStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.input.poll_next_unpin(cx);
        match next {
            Poll::Ready(Some(Ok(batch))) => match self.remember_keys(&batch) {
                Ok(()) => Poll::Ready(Some(Ok(batch))),
                Err(error) => Poll::Ready(Some(Err(error))),
            },
            Poll::Ready(None) => match self.publish() {
                Ok(()) => Poll::Ready(None),
                Err(error) => Poll::Ready(Some(Err(error))),
            },
            other => other,
        }
    }
}

impl RecordBatchStream for BuildKeysStream {
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
}

/// The name of the one column the key set of [`ExcludedKeys`] is evaluated over.
const KEY: &str = "key";

/// `key NOT IN (keys)` that keeps rows whose key is null, as `NOT EXISTS` does, and shows
/// the number of keys instead of the keys.
#[derive(Debug, Eq)]
struct ExcludedKeys {
    /// The probe side's key: the only child, so rewriting it leaves the set alone.
    key: Arc<dyn PhysicalExpr>,
    /// A negated [`InListExpr`] over column [`KEY`] of `keyed`, its set built once.
    not_in: Arc<dyn PhysicalExpr>,
    keyed: SchemaRef,
    count: usize,
}

impl PartialEq for ExcludedKeys {
    fn eq(&self, other: &Self) -> bool {
        // The lists are compared by identity: each join builds its own once per run.
        Arc::ptr_eq(&self.not_in, &other.not_in) && self.key.eq(&other.key)
    }
}

impl Hash for ExcludedKeys {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.not_in).cast::<()>().hash(state);
    }
}

impl ExcludedKeys {
    /// `build side: 1 key`, `build side: 26478 keys`.
    fn list(&self) -> String {
        let plural = if self.count == 1 { "" } else { "s" };
        format!("build side: {} key{plural}", self.count)
    }
}

impl fmt::Display for ExcludedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} NOT IN ({})", self.key, self.list())
    }
}

impl PhysicalExpr for ExcludedKeys {
    fn data_type(&self, _input_schema: &Schema) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn nullable(&self, _input_schema: &Schema) -> Result<bool> {
        Ok(false)
    }

    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let keys = self.key.evaluate(batch)?.into_array(batch.num_rows())?;
        let keys = RecordBatch::try_new(Arc::clone(&self.keyed), vec![keys])?;
        let outside = self.not_in.evaluate(&keys)?.into_array(keys.num_rows())?;
        let outside = outside.as_boolean_opt().ok_or_else(|| {
            DataFusionError::Internal(format!("NOT IN gave {}, not booleans", outside.data_type()))
        })?;
        // The list holds no null, so the answer is null exactly where the key is: a row with a
        // null key matches nothing and is kept.
        let kept = if outside.null_count() == 0 {
            outside.clone()
        } else {
            or_kleene(outside, &is_null(outside)?)?
        };
        Ok(ColumnarValue::Array(Arc::new(kept)))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![&self.key]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> Result<Arc<dyn PhysicalExpr>> {
        Ok(Arc::new(ExcludedKeys {
            key: children.swap_remove(0),
            not_in: Arc::clone(&self.not_in),
            keyed: Arc::clone(&self.keyed),
            count: self.count,
        }))
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.fmt_sql(f)?;
        write!(f, " NOT IN ({})", self.list())
    }
}
