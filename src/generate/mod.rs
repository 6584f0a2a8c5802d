//! `lakehunt generate`: writes a synthetic Defender data lake with a known answer. The lake
//! holds DeviceLogonEvents, DeviceNetworkInfo and IdentityLogonEvents as hive-partitioned
//! Parquet (`<Table>/date=YYYY-MM-DD/part-00000.parquet`, exactly the catalogue's columns),
//! realistic enough to exercise real hunting rules, and carries `_lakehunt_truth.json`: the
//! public logon addresses planted for the seed rule, by population (see [`PlantedTruth`]).
//!
//! A seed names one lake: every table and day draws from its own random stream, so days are
//! written on all cores and the rows never depend on thread timing or the clock. Rows are
//! produced in time order in batches, so memory does not grow with the lake. The lake is
//! written beside `--out` and renamed into place only when complete.

mod address;
mod device_logons;
mod error;
mod identity_logons;
mod network_info;
mod planted;
mod random;
mod sink;
mod staging;
mod timeline;
mod truth;
mod volume;
mod world;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use chrono::NaiveDate;
use datafusion::arrow::datatypes::SchemaRef;

pub use error::GenerateError;
pub use truth::{PlantedTruth, TRUTH_FILE, read_truth};

use crate::schema;
use staging::Staging;
use timeline::Day;
use truth::Provenance;
use volume::{Coverage, share};
use world::World;

/// The most devices a lake may have: the organisation is kept in memory (a few hundred
/// bytes per device and user).
pub const MAX_DEVICES: u32 = 1_000_000;

/// The most threads writing days at once; each holds one row group in memory.
const MAX_THREADS: usize = 8;

/// What to generate, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The lake directory to create (`--out`).
    pub out: PathBuf,
    /// DeviceLogonEvents rows in the whole lake (`--logons`).
    pub logons: u64,
    /// Onboarded devices (`--devices`).
    pub devices: u32,
    /// Days of data, one partition each (`--days`).
    pub days: u32,
    /// The seed naming the lake (`--seed`).
    pub seed: u64,
    /// The first day, UTC (`--start`).
    pub start: NaiveDate,
    /// How DeviceNetworkInfo stores `IPAddresses` (`--ip-addresses json|list`).
    pub ip_addresses: IpAddressesLayout,
    /// Replace a non-empty `out` once the new lake is complete (`--force`).
    pub force: bool,
}

impl GenerateOptions {
    /// The command line's defaults: 10 million logons on 20,000 devices over 30 days from
    /// 2026-01-01, seed 7, `IPAddresses` as JSON text, no `--force`.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        GenerateOptions {
            out: out.into(),
            logons: 10_000_000,
            devices: 20_000,
            days: 30,
            seed: 7,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            ip_addresses: IpAddressesLayout::JsonText,
            force: false,
        }
    }
}

/// How DeviceNetworkInfo's `IPAddresses` column is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IpAddressesLayout {
    /// JSON text (Utf8), as Defender exports it: `[{"IPAddress": ..., ...}]`.
    #[default]
    JsonText,
    /// A native `List<Struct<IPAddress: Utf8, SubnetPrefix: Int64, AddressType: Utf8>>`,
    /// as a Sentinel data lake may keep a dynamic column.
    NativeList,
}

impl IpAddressesLayout {
    /// The command-line spelling: `json` or `list`.
    pub fn name(self) -> &'static str {
        match self {
            IpAddressesLayout::JsonText => "json",
            IpAddressesLayout::NativeList => "list",
        }
    }
}

impl FromStr for IpAddressesLayout {
    type Err = GenerateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "json" => Ok(IpAddressesLayout::JsonText),
            "list" => Ok(IpAddressesLayout::NativeList),
            other => Err(GenerateError::InvalidOption {
                option: "ip-addresses",
                reason: format!("{other:?} is not a layout; use `json` or `list`"),
            }),
        }
    }
}

/// What one table of a generated lake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    /// The table's name, as in the catalogue and the lake's directory.
    pub name: String,
    /// Rows written.
    pub rows: u64,
    /// Parquet files written (one per day).
    pub files: u32,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateReport {
    /// DeviceLogonEvents, DeviceNetworkInfo and IdentityLogonEvents, in that order.
    pub tables: Vec<TableReport>,
    /// The planted populations, as also written to [`TRUTH_FILE`].
    pub truth: PlantedTruth,
}

/// Writes the lake `opts` describes; see the [module documentation](self).
pub fn generate(opts: &GenerateOptions) -> Result<GenerateReport, GenerateError> {
    let began = Instant::now();
    let plan = Plan::new(opts)?;
    staging::check_output(&opts.out, opts.force)?;
    let world = World::new(opts.seed, opts.devices, opts.logons);
    let truth = world.planted.truth();
    let staging = Staging::create(&opts.out)?;
    let written = write_tables(&world, &plan, &staging).and_then(|tables| {
        truth::write_truth(staging.path(), &truth, &plan.provenance(opts))?;
        Ok(tables)
    });
    let tables = match written {
        Ok(tables) => tables,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    let out = staging.install(opts.force)?;
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    tracing::info!(
        "generated {} rows in {:.1?} into {} ({} owned, {} outside-ISP, {} internal-only, {} \
         unknown public addresses)",
        rows,
        began.elapsed(),
        out.display(),
        truth.owned.len(),
        truth.outside_isp.len(),
        truth.internal_only.len(),
        truth.unknown.len()
    );
    Ok(GenerateReport { tables, truth })
}

/// The validated options, resolved into days, schemas and row counts.
struct Plan {
    days: Vec<Day>,
    logons: u64,
    layout: IpAddressesLayout,
    schemas: [SchemaRef; 3],
}

impl Plan {
    fn new(opts: &GenerateOptions) -> Result<Self, GenerateError> {
        let invalid = |option, reason: &str| {
            Err(GenerateError::InvalidOption { option, reason: reason.to_string() })
        };
        if opts.out.file_name().is_none() {
            return invalid("out", &format!("{:?} does not end in a directory name", opts.out));
        }
        if opts.logons == 0 {
            return invalid("logons", "must be at least 1");
        }
        if opts.devices == 0 {
            return invalid("devices", "must be at least 1");
        }
        if opts.devices > MAX_DEVICES {
            return invalid("devices", &format!("must be at most {MAX_DEVICES}"));
        }
        if opts.days == 0 {
            return invalid("days", "must be at least 1");
        }
        let days: Option<Vec<Day>> = (0..opts.days).map(|i| Day::nth(opts.start, i)).collect();
        let Some(days) = days else {
            return invalid(
                "start",
                &format!(
                    "{} plus {} days leaves the range of nanosecond timestamps (1677-09-21 to \
                     2262-04-11)",
                    opts.start, opts.days
                ),
            );
        };
        Ok(Plan {
            days,
            logons: opts.logons,
            layout: opts.ip_addresses,
            schemas: [
                catalogue(device_logons::TABLE)?,
                network_info::schema(catalogue(network_info::TABLE)?, opts.ip_addresses),
                catalogue(identity_logons::TABLE)?,
            ],
        })
    }

    fn provenance(&self, opts: &GenerateOptions) -> Provenance<'static> {
        Provenance {
            seed: opts.seed,
            logons: opts.logons,
            devices: opts.devices,
            days: opts.days,
            start: opts.start.format("%Y-%m-%d").to_string(),
            ip_addresses: self.layout.name(),
        }
    }
}

fn catalogue(table: &'static str) -> Result<SchemaRef, GenerateError> {
    schema::table(table).map(|t| t.arrow_schema()).ok_or(GenerateError::NotCatalogued { table })
}

/// One file to write.
#[derive(Debug, Clone, Copy)]
enum Job {
    DeviceLogons(usize),
    NetworkInfo(usize),
    IdentityLogons(usize),
}

/// Writes every table and day into the staging directory, on up to [`MAX_THREADS`]
/// threads taking jobs biggest first.
fn write_tables(
    world: &World,
    plan: &Plan,
    staging: &Staging,
) -> Result<Vec<TableReport>, GenerateError> {
    let day_count = plan.days.len();
    let targets = identity_logons::coverage_targets(world);
    let identity_rows = volume::identity_rows(plan.logons, targets.len());
    let logon_coverage = Coverage::new(plan.logons, world.planted.all.len());
    let identity_coverage = Coverage::new(identity_rows, targets.len());
    let jobs: Vec<Job> = (0..day_count)
        .map(Job::DeviceLogons)
        .chain((0..day_count).map(Job::IdentityLogons))
        .chain((0..day_count).map(Job::NetworkInfo))
        .collect();
    let days_u32 = plan.days.len() as u32;
    let root = staging.path();

    let run = |job: Job| -> Result<(usize, u64), GenerateError> {
        match job {
            Job::DeviceLogons(d) => {
                let day = &plan.days[d];
                let share = share(plan.logons, days_u32, day.index);
                let schema = plan.schemas[0].clone();
                device_logons::write_day(world, schema, day, share, logon_coverage, root)
                    .map(|rows| (0, rows))
            }
            Job::NetworkInfo(d) => {
                let schema = plan.schemas[1].clone();
                network_info::write_day(world, schema, plan.layout, &plan.days[d], root)
                    .map(|rows| (1, rows))
            }
            Job::IdentityLogons(d) => {
                let day = &plan.days[d];
                let share = share(identity_rows, days_u32, day.index);
                let schema = plan.schemas[2].clone();
                identity_logons::write_day(
                    world,
                    schema,
                    day,
                    share,
                    identity_coverage,
                    &targets,
                    root,
                )
                .map(|rows| (2, rows))
            }
        }
    };

    let threads = thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, MAX_THREADS);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let outcomes: Vec<Result<Vec<(usize, u64)>, GenerateError>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(jobs.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while !failed.load(Ordering::Relaxed) {
                        let Some(&job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        match run(job) {
                            Ok(result) => done.push(result),
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    Ok(done)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(GenerateError::WorkerPanicked { path: root.into() }))
            })
            .collect()
    });

    let mut tables: Vec<TableReport> =
        [device_logons::TABLE, network_info::TABLE, identity_logons::TABLE]
            .iter()
            .map(|name| TableReport { name: name.to_string(), rows: 0, files: 0 })
            .collect();
    for outcome in outcomes {
        for (table, rows) in outcome? {
            tables[table].rows += rows;
            tables[table].files += 1;
        }
    }
    Ok(tables)
}
