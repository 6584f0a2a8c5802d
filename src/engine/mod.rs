//! The DataFusion session a hunt runs in: its configuration, the Kusto functions, the lake's
//! tables cut to the time window, and the plan a rule becomes. Nothing outside this module
//! holds a `SessionContext`.

mod anti_join_filter;
mod build_side;
pub mod member_expansion;
mod memory;

pub use memory::{ByteSize, MemoryOptions};

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::catalog::view::ViewTable;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DataFusionError, ScalarValue, SchemaError, TableReference};
use datafusion::datasource::empty::EmptyTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig};
use datafusion::datasource::provider_as_source;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, ident, lit};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_optimizer::optimizer::PhysicalOptimizer;
use datafusion::physical_plan::{ExecutionPlan, execute_stream};
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;

use crate::error::{ColumnConflict, ColumnType, Error, Result};
use crate::functions::KustoFunctions;
use crate::lake::{ColumnProblem, Lake, LakeFile, LakeTable};
use crate::rule::Rule;
use crate::schema;
use crate::window::TimeWindow;

/// The column every Defender table times its rows by; the time window applies to it.
const TIME_COLUMN: &str = "Timestamp";

/// Knobs of the session a user may turn.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// How many partitions a plan runs in parallel (default: the number of cores).
    pub target_partitions: Option<usize>,
    /// Rows per batch (default: DataFusion's 8192).
    pub batch_size: Option<usize>,
    /// How much memory the session may hold, and where it spills.
    pub memory: MemoryOptions,
}

/// A DataFusion session set up for Kusto rules.
pub struct Engine {
    ctx: SessionContext,
    functions: KustoFunctions,
    cluster: Option<String>,
}

/// A rule planned against a lake, ready to run or explain.
pub struct Hunt {
    /// The rule being hunted.
    pub rule: Rule,
    /// The lake's tables the rule reads, cut to the window.
    pub tables: Vec<LakeTable>,
    /// The logical plan, optimized.
    pub plan: LogicalPlan,
    /// The columns the plan reads from each table.
    pub columns_read: BTreeMap<String, Vec<String>>,
    lake: Lake,
    ctx: SessionContext,
    cluster: Option<String>,
}

impl Engine {
    /// A session with lakehunt's configuration and the Kusto functions registered.
    pub fn new(options: &EngineOptions) -> Result<Engine> {
        let state = SessionStateBuilder::new()
            .with_config(session_config(options))
            .with_runtime_env(options.memory.runtime()?)
            .with_default_features()
            .with_optimizer_rule(Arc::new(member_expansion::MemberExpansions))
            .with_physical_optimizer_rules(physical_optimizer_rules(Site::Local))
            .build();
        Ok(Engine::with_context(SessionContext::new_with_state(state), None))
    }

    /// A session whose plans run on the Ballista cluster whose scheduler is at `cluster`: the
    /// rule is planned here, as locally, and the scheduler and its executors run the plan.
    /// Fails, naming the URL, when the scheduler does not answer or has no executors. The
    /// memory options do not apply: each executor has its own memory pool.
    #[cfg(feature = "cluster")]
    pub async fn on_cluster(
        options: &EngineOptions,
        cluster: &crate::cluster::ClusterUrl,
    ) -> Result<Engine> {
        let config = crate::cluster::client::session_config(session_config(options));
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .with_optimizer_rule(Arc::new(member_expansion::MemberExpansions))
            .with_physical_optimizer_rules(physical_optimizer_rules(Site::Cluster))
            .build();
        let ctx = crate::cluster::client::connect(cluster, state).await?;
        Ok(Engine::with_context(ctx, Some(cluster.to_string())))
    }

    /// The engine around `ctx`, whose Kusto functions are registered last: Ballista's client
    /// replaces a state's functions with its own list.
    fn with_context(ctx: SessionContext, cluster: Option<String>) -> Engine {
        let functions = KustoFunctions::new();
        for udf in functions.scalar_udfs() {
            ctx.register_udf(udf);
        }
        for udaf in functions.aggregate_udfs() {
            ctx.register_udaf(udaf);
        }
        Engine { ctx, functions, cluster }
    }

    /// The URL of the cluster this session runs on, or `None` when it runs in this process.
    pub fn cluster(&self) -> Option<&str> {
        self.cluster.as_deref()
    }

    /// What the Kusto functions noticed while rules ran in this session.
    pub fn functions(&self) -> &KustoFunctions {
        &self.functions
    }

    /// Finds the tables `rule` reads in `lake`, registers them cut to `window`, and plans the
    /// rule. Errors name the rule and, where one is to blame, the table, column or file.
    pub async fn plan(&self, lake: &Lake, rule: &Rule, window: &TimeWindow) -> Result<Hunt> {
        // The lake's store serves every file URL of its tables, in the scans and in diagnose.
        self.ctx.register_object_store(lake.store_url().as_ref(), lake.store());
        let rule = &self.fit_to_lake(lake, rule, window).await?;
        let state = self.ctx.state();
        let dialect = state.config().options().sql_parser.dialect;
        let statement =
            state.sql_to_statement(&rule.sql, &dialect).map_err(|e| Error::query(&rule.slug, e))?;
        let references =
            state.resolve_table_references(&statement).map_err(|e| Error::query(&rule.slug, e))?;

        let mut tables: Vec<LakeTable> = Vec::new();
        for reference in references {
            let name = reference.table();
            if tables.iter().any(|t| t.name == name) {
                continue;
            }
            let table = lake.table(name, window).await?;
            let provider = self.table_provider(lake, &table, window)?;
            // A session may plan several hunts; each sees the tables of its own lake and window.
            let registered = self
                .ctx
                .deregister_table(TableReference::bare(name))
                .and_then(|_| self.ctx.register_table(TableReference::bare(name), provider));
            registered.map_err(|e| Error::query(&rule.slug, e))?;
            tables.push(table);
        }

        let plan = match state.statement_to_plan(statement).await {
            Ok(plan) => plan,
            Err(e) => return Err(explain_missing_column(e, rule, &tables)),
        };
        let plan = state.optimize(&plan).map_err(|e| Error::query(&rule.slug, e))?;
        let columns_read = columns_read(&plan, rule)?;
        check_columns_read(&columns_read, rule, &tables)?;
        Ok(Hunt {
            rule: rule.clone(),
            tables,
            plan,
            columns_read,
            lake: lake.clone(),
            ctx: self.ctx.clone(),
            cluster: self.cluster.clone(),
        })
    }

    /// A KQL rule translated again for the columns `lake` really holds, so that a column the
    /// lake lacks fails only if the rule names it (and then at its KQL position). Other rules
    /// are returned as they are.
    async fn fit_to_lake(&self, lake: &Lake, rule: &Rule, window: &TimeWindow) -> Result<Rule> {
        let Some(kql) = &rule.kql else {
            return Ok(rule.clone());
        };
        let mut present: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in &rule.tables {
            let table = lake.table(name, window).await?;
            let names = table.schema.schema.fields().iter().map(|f| f.name().clone()).collect();
            present.insert(name.clone(), names);
        }
        let columns = |table: &str| {
            let mut columns = crate::kql::catalogued_columns(table)?;
            if let Some(names) = present.get(table) {
                columns.retain(|(name, _)| names.contains(name));
            }
            Some(columns)
        };
        let origin = rule.path.as_ref().map_or(rule.slug.clone(), |p| p.display().to_string());
        let translation = crate::kql::to_sql_with(kql, &origin, &columns)?;
        Ok(Rule { sql: translation.sql, columns: translation.columns, ..rule.clone() })
    }

    /// Plans `rule` against empty tables of the catalogued schemas, reading no data: what
    /// `lakehunt check` does. Fails on a table the catalogue lacks, or a plan DataFusion
    /// cannot make (an unknown column, a type mismatch, an unknown function).
    pub async fn check(&self, rule: &Rule) -> Result<LogicalPlan> {
        let state = self.ctx.state();
        let dialect = state.config().options().sql_parser.dialect;
        let statement =
            state.sql_to_statement(&rule.sql, &dialect).map_err(|e| Error::query(&rule.slug, e))?;
        let references =
            state.resolve_table_references(&statement).map_err(|e| Error::query(&rule.slug, e))?;
        for reference in references {
            let name = reference.table();
            let Some(def) = schema::table(name) else {
                let reason =
                    format!("table {name} is not in lakehunt's catalogue of Defender tables");
                return Err(Error::query(&rule.slug, DataFusionError::Plan(reason)));
            };
            let empty = Arc::new(EmptyTable::new(crate::lake::catalogue_schema(def).schema));
            let registered = self
                .ctx
                .deregister_table(TableReference::bare(name))
                .and_then(|_| self.ctx.register_table(TableReference::bare(name), empty));
            registered.map_err(|e| Error::query(&rule.slug, e))?;
        }
        let plan =
            state.statement_to_plan(statement).await.map_err(|e| Error::query(&rule.slug, e))?;
        state.optimize(&plan).map_err(|e| Error::query(&rule.slug, e))
    }

    /// The table as DataFusion reads it: its files, or nothing if the window ruled them all
    /// out, behind a filter on `Timestamp` when the window is bounded.
    fn table_provider(
        &self,
        lake: &Lake,
        table: &LakeTable,
        window: &TimeWindow,
    ) -> Result<Arc<dyn TableProvider>> {
        let schema = Arc::clone(&table.schema.schema);
        let query_error = |e: DataFusionError| Error::TableSetup {
            table: table.name.clone(),
            error: Box::new(e),
        };
        let files: Arc<dyn TableProvider> = if table.files.is_empty() {
            Arc::new(EmptyTable::new(schema))
        } else {
            let urls = table.files.iter().map(|f| lake.file_url(f)).collect::<Result<Vec<_>>>()?;
            let parquet = self.ctx.state().table_options().parquet.clone();
            let format = ParquetFormat::default().with_options(parquet);
            let options = ListingOptions::new(Arc::new(format)).with_file_extension(".parquet");
            let config = ListingTableConfig::new_with_multi_paths(urls)
                .with_listing_options(options)
                .with_schema(schema);
            Arc::new(ListingTable::try_new(config).map_err(query_error)?)
        };

        let Some(predicate) = window_predicate(window) else {
            return Ok(files);
        };
        if table.schema.schema.field_with_name(TIME_COLUMN).is_err() {
            tracing::warn!(
                table = %table.name,
                "the table has no {TIME_COLUMN} column, so the time window does not apply to it"
            );
            return Ok(files);
        }
        let name = TableReference::bare(table.name.as_str());
        let plan = LogicalPlanBuilder::scan(name, provider_as_source(files), None)
            .and_then(|b| b.filter(predicate))
            .and_then(|b| b.build())
            .map_err(query_error)?;
        Ok(Arc::new(ViewTable::new(plan, None)))
    }
}

impl Hunt {
    /// The URL of the cluster the hunt runs on, or `None` when it runs in this process.
    pub fn cluster(&self) -> Option<&str> {
        self.cluster.as_deref()
    }

    /// The physical plan DataFusion will run.
    pub async fn physical_plan(&self) -> Result<Arc<dyn ExecutionPlan>> {
        self.ctx
            .state()
            .create_physical_plan(&self.plan)
            .await
            .map_err(|e| Error::query(&self.rule.slug, e))
    }

    /// Starts running `plan`, returning its findings as a stream of batches.
    pub fn execute(&self, plan: Arc<dyn ExecutionPlan>) -> Result<SendableRecordBatchStream> {
        execute_stream(plan, self.ctx.task_ctx()).map_err(|e| Error::query(&self.rule.slug, e))
    }

    /// Makes a failure met while running the hunt say which file is to blame, when a file's
    /// pages cannot be decoded: DataFusion reports the fault without naming the file, so each
    /// file of the hunt's tables is read again, alone, with the columns the hunt reads. Any
    /// other error is returned as it was.
    pub async fn diagnose(&self, error: Error) -> Error {
        if !matches!(error, Error::Query { .. }) {
            return error;
        }
        for table in &self.tables {
            let Some(columns) = self.columns_read.get(&table.name) else {
                continue;
            };
            for file in &table.files {
                if let Err(reason) = self.read_whole(file, columns).await {
                    return Error::UnreadableFile {
                        table: table.name.clone(),
                        file: self.lake.describe(&file.meta.location),
                        reason: reason.to_string(),
                    };
                }
            }
        }
        error
    }

    /// Decodes every row of `columns` in one file.
    async fn read_whole(
        &self,
        file: &LakeFile,
        columns: &[String],
    ) -> datafusion::common::Result<()> {
        let url = self.lake.file_url(file).map_err(|e| DataFusionError::External(Box::new(e)))?;
        // A hunt on a cluster has its files read again here rather than by a job per file:
        // this process reads the lake's footers anyway, and a local read answers sooner.
        let ctx = match self.cluster {
            Some(_) => SessionContext::new(),
            None => self.ctx.clone(),
        };
        let frame = ctx.read_parquet(url.as_str(), ParquetReadOptions::default()).await?;
        let present: Vec<&str> = columns
            .iter()
            .map(String::as_str)
            .filter(|c| frame.schema().has_column_with_unqualified_name(c))
            .collect();
        let mut stream = frame.select_columns(&present)?.execute_stream().await?;
        while let Some(batch) = stream.next().await {
            batch?;
        }
        Ok(())
    }
}

/// The settings of lakehunt's sessions, local or on a cluster.
fn session_config(options: &EngineOptions) -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_information_schema(false)
        // Kusto names are case-sensitive; SQL would fold unquoted ones to lower case.
        .set_bool("datafusion.sql_parser.enable_ident_normalization", false)
        .set_bool("datafusion.execution.parquet.pushdown_filters", true)
        .set_bool("datafusion.execution.parquet.reorder_filters", true)
        // A filter's surviving rows as ranges to read rather than a mask over every row: the
        // Public logons are 2.5% of each page, so the mask would decode the other 97.5% of
        // RemoteIP too (on the 100M lake the hunt's CPU time goes from 4.7 s to 4.5 s).
        .set_bool("datafusion.execution.parquet.force_filter_selections", true);
    if let Some(n) = options.target_partitions {
        config = config.with_target_partitions(n.max(1));
    }
    if let Some(n) = options.batch_size {
        config = config.with_batch_size(n.max(1));
    }
    if let Some(ByteSize(limit)) = options.memory.limit {
        // A sort keeps this much back to merge its spill files; DataFusion's 10 MB would
        // leave a small limit nothing to sort with.
        let reservation = (limit / 16).min(10 << 20);
        config = config.set_usize("datafusion.execution.sort_spill_reservation_bytes", reservation);
    }
    config
}

/// DataFusion's physical optimizer rules, with lakehunt's small-side builds just before join
/// selection.
fn physical_optimizer_rules(site: Site) -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    let mut rules = PhysicalOptimizer::new().rules;
    let join_selection = rules.iter().position(|r| r.name() == "join_selection").unwrap_or(0);
    rules.insert(join_selection, Arc::new(build_side::SmallSideBuilds));
    // After join selection has settled which side each join builds on, and before the
    // filters sink into the scans. Ballista's executors could not decode the operator that
    // fills the filter, so a cluster's plans go without it.
    if site == Site::Local {
        rules.insert(join_selection + 2, Arc::new(anti_join_filter::ProbeSideExclusions));
    }
    rules
}

/// Where a session's plans run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    Local,
    #[cfg(feature = "cluster")]
    Cluster,
}

/// `Timestamp >= from AND Timestamp < to`, or nothing for an unbounded window.
fn window_predicate(window: &TimeWindow) -> Option<Expr> {
    let instant = |t: chrono::DateTime<chrono::Utc>| {
        lit(ScalarValue::TimestampNanosecond(t.timestamp_nanos_opt(), Some("UTC".into())))
    };
    let from = window.from.map(|f| ident(TIME_COLUMN).gt_eq(instant(f)));
    let to = window.to.map(|t| ident(TIME_COLUMN).lt(instant(t)));
    match (from, to) {
        (Some(f), Some(t)) => Some(f.and(t)),
        (f, t) => f.or(t),
    }
}

/// Turns DataFusion's "no field named X" into "table T has no column X" when a catalogued
/// table the rule reads should have X but none of its files do.
fn explain_missing_column(error: DataFusionError, rule: &Rule, tables: &[LakeTable]) -> Error {
    if let DataFusionError::SchemaError(schema_error, _) = error.find_root()
        && let SchemaError::FieldNotFound { field, .. } = schema_error.as_ref()
    {
        let Column { relation, name, .. } = field.as_ref();
        let candidates = tables.iter().filter(|t| {
            relation.as_ref().is_none_or(|r| r.table() == t.name)
                && t.schema.problems.get(name) == Some(&ColumnProblem::Missing)
        });
        if let Some(table) = candidates.into_iter().next() {
            return Error::MissingColumn {
                table: table.name.clone(),
                column: name.clone(),
                files: table.file_count(),
                rule: rule.slug.clone(),
            };
        }
    }
    Error::query(&rule.slug, error)
}

/// The columns each table's scans read, by table name.
fn columns_read(plan: &LogicalPlan, rule: &Rule) -> Result<BTreeMap<String, Vec<String>>> {
    let mut read: BTreeMap<String, Vec<String>> = BTreeMap::new();
    plan.apply(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let columns = read.entry(scan.table_name.table().to_string()).or_default();
            for field in scan.projected_schema.fields() {
                if !columns.contains(field.name()) {
                    columns.push(field.name().clone());
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .map_err(|e| Error::query(&rule.slug, e))?;
    Ok(read)
}

/// Refuses the hunt if it reads a column that some file stores in a way that cannot be read.
fn check_columns_read(
    read: &BTreeMap<String, Vec<String>>,
    rule: &Rule,
    tables: &[LakeTable],
) -> Result<()> {
    for table in tables {
        for column in read.get(&table.name).into_iter().flatten() {
            if let Some(problem) = table.schema.problems.get(column) {
                return Err(problem_error(table, column, problem, rule));
            }
        }
    }
    Ok(())
}

fn problem_error(table: &LakeTable, column: &str, problem: &ColumnProblem, rule: &Rule) -> Error {
    match problem {
        ColumnProblem::Missing => Error::MissingColumn {
            table: table.name.clone(),
            column: column.into(),
            files: table.file_count(),
            rule: rule.slug.clone(),
        },
        ColumnProblem::WrongType { file, found, expected } => {
            let kusto_type = schema::table(&table.name)
                .and_then(|t| t.column(column))
                .map_or("unknown", |c| c.kind.name());
            Error::ColumnType(Box::new(ColumnType {
                table: table.name.clone(),
                column: column.into(),
                file: file.clone(),
                found: found.to_string(),
                expected: format!("{expected} (Kusto type {kusto_type})"),
                rule: rule.slug.clone(),
            }))
        }
        ColumnProblem::Conflict { first_file, first, second_file, second } => {
            Error::ColumnConflict(Box::new(ColumnConflict {
                table: table.name.clone(),
                column: column.into(),
                first_file: first_file.clone(),
                first_type: first.to_string(),
                second_file: second_file.clone(),
                second_type: second.to_string(),
            }))
        }
    }
}
