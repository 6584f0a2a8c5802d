//! The command line: what each subcommand and flag means, and the wiring from them to the
//! library. No hunting logic lives here.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::display::DisplayableExecutionPlan;
use datafusion::physical_plan::{ExecutionPlan, displayable};
use futures::StreamExt;
use lakehunt::engine::{ByteSize, Engine, EngineOptions, Hunt, MemoryOptions};
use lakehunt::generate::{GenerateOptions, IpAddressesLayout};
use lakehunt::lake::Lake;
use lakehunt::output::{self, Destination, Format};
use lakehunt::report::{HuntSummary, Progress, thousands};
use lakehunt::rule::{self, DEFAULT_RULE, Rule};
use lakehunt::schema;
use lakehunt::window::TimeWindow;

/// The small lake that ships with lakehunt, so that a bare `lakehunt run` works offline.
const SAMPLE_LAKE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");

/// Run Microsoft Defender / Sentinel hunting rules over a Parquet security data lake.
#[derive(Debug, Parser)]
#[command(name = "lakehunt", version, about)]
pub struct Cli {
    /// Print results only: no progress line and no summary on standard error.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// A folder of Sentinel YAML rules that joins the built-in rules, by file name.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// What lakehunt can do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Hunt with a rule over a lake, and print or write the findings.
    Run(RunArgs),
    /// Show the SQL a rule runs and the plan DataFusion makes of it; with --analyze, run it
    /// and show rows and time per operator and what the scans pruned.
    Explain(ExplainArgs),
    /// List the built-in rules (and those of --rules) with their id, name and tables.
    Rules,
    /// List the Defender XDR tables lakehunt knows, or one table's columns and Kusto types.
    Schema(SchemaArgs),
    /// Print the SQL a rule runs: for a KQL or YAML rule, its translation.
    Translate(RuleArgs),
    /// Parse, translate and plan a rule against the catalogued Defender schemas, reading no
    /// data; report what it reads and returns.
    Check(RuleArgs),
    /// Write a synthetic lake with planted ground truth (realistic Defender tables,
    /// partitioned by date, deterministic for a seed).
    Generate(GenerateArgs),
    /// Add Defender exports to a lake: Storage blobs of the Streaming API
    /// (insights-logs-advancedhunting-*/.../PT1H.json), Event Hub captures ({"records": [...]}
    /// JSON lines) and portal CSV exports. Only what is new since the last run is read; rows
    /// that do not fit are quarantined in the lake.
    Ingest(IngestArgs),
    /// Start a Ballista scheduler with lakehunt's functions, for `run --cluster`.
    #[cfg(feature = "cluster")]
    Scheduler(SchedulerArgs),
    /// Start a Ballista executor with lakehunt's functions, taking tasks from a scheduler.
    #[cfg(feature = "cluster")]
    Executor(ExecutorArgs),
}

/// `lakehunt scheduler`.
#[cfg(feature = "cluster")]
#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// The address to listen on for clients and executors (an IP address and port;
    /// 0.0.0.0 for every interface).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
    pub bind: std::net::SocketAddr,
}

/// `lakehunt executor`.
#[cfg(feature = "cluster")]
#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler to take tasks from (HOST:PORT or df://HOST:PORT).
    #[arg(long, value_name = "HOST:PORT")]
    pub scheduler: lakehunt::cluster::ClusterUrl,

    /// The address to serve stage outputs on, to other executors and to clients (an IP
    /// address and port; 0.0.0.0 for every interface).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50051")]
    pub bind: std::net::SocketAddr,

    /// The host name other machines reach this executor by, if not the --bind address.
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,

    /// How many tasks run at once (default: one per core).
    #[arg(long, value_name = "N")]
    pub concurrent_tasks: Option<usize>,

    /// Where stage outputs and spill files go (default: a temporary folder, removed when the
    /// executor stops).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

/// `lakehunt ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The export: a file, or a folder searched recursively for .json and .csv files; or the
    /// same on an object store (az://<container>/<path>, s3://<bucket>/<path>).
    #[arg(long, value_name = "PATH")]
    pub from: String,

    /// The lake to add to: a folder, created if missing, or az://<container>/<path>,
    /// abfss://<container>@<account>.dfs.core.windows.net/<path> or s3://<bucket>/<path>.
    #[arg(long, value_name = "LAKE")]
    pub to: String,

    /// The table of CSV exports (case-sensitive, such as DeviceLogonEvents); also limits
    /// Storage containers to that table's.
    #[arg(long, value_name = "TABLE")]
    pub table: Option<String>,
}

/// `lakehunt schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A table (case-sensitive, as in Kusto); without one, every catalogued table is listed.
    pub table: Option<String>,
}

/// `lakehunt generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The lake folder to create; an existing non-empty folder is kept unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// DeviceLogonEvents rows in the whole lake.
    #[arg(long, default_value_t = 10_000_000)]
    pub logons: u64,

    /// Onboarded devices.
    #[arg(long, default_value_t = 20_000)]
    pub devices: u32,

    /// Days of data, one date partition each.
    #[arg(long, default_value_t = 30)]
    pub days: u32,

    /// The seed: the same seed and options write the same rows.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,

    /// The first day (UTC).
    #[arg(long, value_name = "DATE", default_value = "2026-01-01")]
    pub start: chrono::NaiveDate,

    /// How DeviceNetworkInfo stores IPAddresses: JSON text or a native Parquet list.
    #[arg(long, value_name = "LAYOUT", default_value = "json")]
    pub ip_addresses: IpAddressesLayout,

    /// Replace --out once the new lake is complete.
    #[arg(long)]
    pub force: bool,
}

/// `lakehunt translate` and `lakehunt check`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A built-in rule, a .sql, .kql, .txt, .yaml or .yml file, or - for KQL on standard
    /// input.
    pub rule: String,
}

/// Which rule, over which lake, in which time window.
#[derive(Debug, Args)]
pub struct HuntArgs {
    /// A built-in rule (see `lakehunt rules`), a .sql, .kql, .txt, .yaml or .yml file, or -
    /// for KQL on standard input.
    #[arg(default_value = DEFAULT_RULE)]
    pub rule: String,

    /// The lake: a folder with one sub-folder (or one .parquet file) per table, or the same
    /// on an object store: az://<container>/<path>,
    /// abfss://<container>@<account>.dfs.core.windows.net/<path> or s3://<bucket>/<path>, with
    /// credentials from the environment (AZURE_STORAGE_*, AWS_*). Defaults to the sample lake
    /// that ships with lakehunt.
    #[arg(long, value_name = "LAKE")]
    pub lake: Option<String>,

    /// Keep rows with Timestamp at or after this instant (RFC 3339 or a date).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// Keep rows with Timestamp before this instant; a bare date includes that whole day.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// Keep rows from this long before --to (or now), such as 90d, 12h or 1d12h.
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub lookback: Option<String>,

    /// How many partitions DataFusion runs in parallel (default: one per core).
    #[arg(long, value_name = "N")]
    pub target_partitions: Option<usize>,

    /// Rows per batch inside DataFusion (default: 8192).
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,

    /// The most memory the hunt's operators may hold, such as 1GiB or 512MiB; aggregations
    /// and sorts spill to disk beyond it (default: no limit).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<ByteSize>,

    /// Where spilled data goes (default: the system's temporary directory).
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,

    /// Run the hunt on the Apache DataFusion Ballista cluster whose scheduler is at this URL
    /// (started with `lakehunt scheduler`); every machine must see the lake at --lake's path.
    #[arg(long, value_name = "df://HOST:PORT", conflicts_with_all = ["memory_limit", "spill_dir"])]
    pub cluster: Option<String>,
}

/// `lakehunt run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub hunt: HuntArgs,

    /// Write the findings to this file; the extension picks the format (.parquet, .csv,
    /// .json for JSON lines, .txt for a table) unless --format is given.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The findings' format: on standard output, or in --out.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `lakehunt explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub hunt: HuntArgs,

    /// Run the plan and show rows, time and pruning per operator.
    #[arg(long)]
    pub analyze: bool,
}

/// The output formats, as the command line spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(value: FormatArg) -> Format {
        match value {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

/// Runs the command the user gave.
pub async fn run(cli: Cli) -> Result<()> {
    let extra = match &cli.rules {
        Some(dir) => rule::load_dir(dir)?,
        None => vec![],
    };
    match cli.command {
        Command::Run(args) => hunt(args, &extra, cli.quiet).await,
        Command::Explain(args) => explain(args, &extra, cli.quiet).await,
        Command::Rules => list_rules(&extra),
        Command::Translate(args) => {
            let rule = Rule::resolve_with(&args.rule, &extra)?;
            emit(&format!("{}\n", rule.sql.trim_end()))
        }
        Command::Check(args) => check(&args, &extra).await,
        Command::Schema(args) => show_schema(args.table.as_deref()),
        Command::Generate(args) => generate(args, cli.quiet).await,
        Command::Ingest(args) => ingest(args, cli.quiet).await,
        #[cfg(feature = "cluster")]
        Command::Scheduler(args) => {
            let options = lakehunt::cluster::scheduler::SchedulerOptions { bind: args.bind };
            Ok(lakehunt::cluster::scheduler::run(&options).await?)
        }
        #[cfg(feature = "cluster")]
        Command::Executor(args) => {
            let options = lakehunt::cluster::executor::ExecutorOptions {
                scheduler: args.scheduler,
                bind: args.bind,
                external_host: args.external_host,
                concurrent_tasks: args.concurrent_tasks,
                work_dir: args.work_dir,
            };
            Ok(lakehunt::cluster::executor::run(&options).await?)
        }
    }
}

async fn check(args: &RuleArgs, extra: &[Rule]) -> Result<()> {
    let rule = Rule::resolve_with(&args.rule, extra)?;
    let engine = Engine::new(&EngineOptions::default())?;
    engine.check(&rule).await?;
    let mut text = format!("ok: {} ({})\n", rule.slug, rule.name);
    text.push_str(&describe(&rule));
    if !rule.columns.is_empty() {
        let columns: Vec<String> =
            rule.columns.iter().map(|(name, ty)| format!("{name}:{ty}")).collect();
        text.push_str(&format!("  returns: {}\n", columns.join(", ")));
    }
    emit(&text)
}

/// A rule's id, tables, tactics and connectors, one per line.
fn describe(rule: &Rule) -> String {
    let mut text = format!(
        "  id:     {}\n  name:   {}\n  tables: {}\n",
        rule.id.as_deref().unwrap_or("-"),
        rule.name,
        rule.tables.join(", ")
    );
    if !rule.tactics.is_empty() {
        text.push_str(&format!("  tactics: {}\n", rule.tactics.join(", ")));
    }
    if !rule.connectors.is_empty() {
        text.push_str(&format!("  connectors: {}\n", rule.connectors.join(", ")));
    }
    text
}

/// Ingests Defender exports into a lake and reports what it did.
async fn ingest(args: IngestArgs, quiet: bool) -> Result<()> {
    let options =
        lakehunt::ingest::IngestOptions { from: args.from, to: args.to, table: args.table };
    let started = Instant::now();
    let report = lakehunt::ingest::ingest(&options).await.map_err(lakehunt::Error::from)?;
    if !quiet {
        let seconds = started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 { report.rows as f64 / seconds } else { 0.0 };
        eprintln!("{report}; {seconds:.2}s ({} rows/s)", thousands(rate as u64));
    }
    Ok(())
}

async fn generate(args: GenerateArgs, quiet: bool) -> Result<()> {
    let options = GenerateOptions {
        out: args.out,
        logons: args.logons,
        devices: args.devices,
        days: args.days,
        seed: args.seed,
        start: args.start,
        ip_addresses: args.ip_addresses,
        force: args.force,
    };
    let started = Instant::now();
    let report = tokio::task::spawn_blocking(move || lakehunt::generate::generate(&options))
        .await
        .context("the generator stopped")?
        .map_err(lakehunt::Error::from)?;
    if !quiet {
        let tables: Vec<String> = report
            .tables
            .iter()
            .map(|t| format!("{} {} rows in {} file(s)", t.name, thousands(t.rows), t.files))
            .collect();
        let truth = &report.truth;
        eprintln!(
            "{}; planted public IPs: {} owned, {} outside ISP, {} internal only, {} unknown; {:.2}s",
            tables.join(", "),
            truth.owned.len(),
            truth.outside_isp.len(),
            truth.internal_only.len(),
            truth.unknown.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

async fn hunt(args: RunArgs, extra: &[Rule], quiet: bool) -> Result<()> {
    let destination = match (&args.out, args.format) {
        (Some(path), format) => Destination::File {
            path: path.clone(),
            format: match format {
                Some(f) => f.into(),
                None => Format::from_extension(path)?,
            },
            force: args.force,
        },
        (None, format) => Destination::Stdout(format.map_or(Format::Table, Format::from)),
    };
    destination.check()?;

    let started = Instant::now();
    let (engine, hunt) = plan(&args.hunt, extra).await?;
    let plan = hunt.physical_plan().await?;
    let findings = run_plan(&hunt, &plan, Some(&destination), quiet).await?;

    warn_about_invalid_json(&engine);
    if !quiet {
        let summary = HuntSummary::new(&hunt.tables, &plan, findings, started.elapsed());
        eprintln!("{}", summary.on_cluster(hunt.cluster()));
    }
    Ok(())
}

async fn explain(args: ExplainArgs, extra: &[Rule], quiet: bool) -> Result<()> {
    let started = Instant::now();
    let (engine, hunt) = plan(&args.hunt, extra).await?;
    let plan = hunt.physical_plan().await?;
    let mut text =
        format!("-- rule: {} ({})\n{}\n", hunt.rule.slug, hunt.rule.name, hunt.rule.sql.trim_end());

    if !args.analyze {
        text.push_str("\n-- physical plan\n");
        text.push_str(&displayable(plan.as_ref()).indent(true).to_string());
        return emit(&text);
    }

    let findings = run_plan(&hunt, &plan, None, quiet).await?;
    warn_about_invalid_json(&engine);

    text.push_str("\n-- physical plan with metrics\n");
    text.push_str(&DisplayableExecutionPlan::with_metrics(plan.as_ref()).indent(true).to_string());
    text.push_str("\n-- tables\n");
    for table in &hunt.tables {
        text.push_str(&format!(
            "{}: {} file(s) read, {} pruned by partition, at {}\n",
            table.name,
            table.files.len(),
            table.pruned_files,
            table.location
        ));
    }
    let summary = HuntSummary::new(&hunt.tables, &plan, findings, started.elapsed());
    let summary = summary.on_cluster(hunt.cluster());
    text.push_str(&format!("\n-- summary\n{summary}\n"));
    emit(&text)
}

/// Runs `plan` with a progress line, writing the findings to `destination` or, without one,
/// only counting them. A failure is diagnosed, so that it names the file to blame.
async fn run_plan(
    hunt: &Hunt,
    plan: &Arc<dyn ExecutionPlan>,
    destination: Option<&Destination>,
    quiet: bool,
) -> Result<u64> {
    // Rows scanned are counted on a cluster's executors, not here: no progress line to show.
    let local = hunt.cluster().is_none();
    let progress = Progress::start(plan, !quiet && local && std::io::stderr().is_terminal());
    let ran = match hunt.execute(Arc::clone(plan)) {
        Ok(stream) => match destination {
            Some(destination) => output::write(stream, &hunt.rule.slug, destination).await,
            None => count_rows(stream, &hunt.rule.slug).await,
        },
        Err(e) => Err(e),
    };
    progress.finish();
    match ran {
        Ok(rows) => Ok(rows),
        Err(e) => Err(hunt.diagnose(e).await.into()),
    }
}

/// Drains a stream of findings, counting them.
async fn count_rows(mut stream: SendableRecordBatchStream, rule: &str) -> lakehunt::Result<u64> {
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        rows += batch.map_err(|e| lakehunt::Error::query(rule, e))?.num_rows() as u64;
    }
    Ok(rows)
}

fn list_rules(extra: &[Rule]) -> Result<()> {
    let mut text = String::new();
    for rule in rule::built_in().iter().chain(extra) {
        text.push_str(&format!("{}\n{}", rule.slug, describe(rule)));
    }
    emit(&text)
}

/// Prints every catalogued table with its column count, or one table's columns and types.
fn show_schema(table: Option<&str>) -> Result<()> {
    let mut text = String::new();
    match table {
        None => {
            let width = schema::tables().iter().map(|t| t.name.len()).max().unwrap_or(0);
            for table in schema::tables() {
                let columns = table.columns.len();
                text.push_str(&format!("{:width$}  {columns} columns\n", table.name));
            }
        }
        Some(name) => {
            let table = schema::lookup(name)?;
            let width = table.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
            text.push_str(&format!("{}\n", table.name));
            for column in table.columns {
                text.push_str(&format!("  {:width$}  {}\n", column.name, column.kind.name()));
            }
        }
    }
    emit(&text)
}

/// Opens the lake, resolves the rule and the window, and plans the hunt.
async fn plan(args: &HuntArgs, extra: &[Rule]) -> Result<(Engine, Hunt)> {
    let window = TimeWindow::from_args(
        args.from.as_deref(),
        args.to.as_deref(),
        args.lookback.as_deref(),
        chrono::Utc::now(),
    )?;
    let rule = Rule::resolve_with(&args.rule, extra)?;
    let lake = Lake::open(args.lake.as_deref().unwrap_or(SAMPLE_LAKE)).await?;
    let options = EngineOptions {
        target_partitions: args.target_partitions,
        batch_size: args.batch_size,
        memory: MemoryOptions { limit: args.memory_limit, spill_dir: args.spill_dir.clone() },
    };
    let engine = match &args.cluster {
        None => Engine::new(&options)?,
        Some(url) => engine_on_cluster(&options, url).await?,
    };
    let hunt = engine.plan(&lake, &rule, &window).await?;
    for table in &hunt.tables {
        tracing::info!(
            table = %table.name,
            files = table.files.len(),
            pruned = table.pruned_files,
            "table found"
        );
    }
    Ok((engine, hunt))
}

/// A session whose hunts run on the cluster at `url`.
#[cfg(feature = "cluster")]
async fn engine_on_cluster(options: &EngineOptions, url: &str) -> Result<Engine> {
    let cluster: lakehunt::cluster::ClusterUrl =
        url.parse().map_err(|reason| lakehunt::Error::Cluster { url: url.to_string(), reason })?;
    Ok(Engine::on_cluster(options, &cluster).await?)
}

#[cfg(not(feature = "cluster"))]
async fn engine_on_cluster(_: &EngineOptions, url: &str) -> Result<Engine> {
    let reason = "this lakehunt was built without the `cluster` feature".to_string();
    Err(lakehunt::Error::Cluster { url: url.to_string(), reason }.into())
}

fn warn_about_invalid_json(engine: &Engine) {
    let invalid = engine.functions().invalid_json_values();
    if invalid > 0 {
        tracing::warn!(
            "{} value(s) given to todynamic/parse_json were not valid JSON; as Kusto does, \
             they were read as plain strings",
            thousands(invalid)
        );
    }
}

/// Prints to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}
