//! The seed rule's hot pieces, each timed alone on tables held in memory, so that a change to
//! one of them can be judged in minutes: the IPAddresses extraction (todynamic, mv-expand,
//! member, tostring and the distinct), the two anti-joins, and the two-phase aggregation.
//!
//! `cargo bench --bench hot_paths` generates a lake of 1M logons (20,000 devices, 30 days)
//! once into a temporary folder and loads its tables into memory first.

// A benchmark that cannot set itself up has nothing to measure: it stops loudly.
#![allow(clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use datafusion::common::TableReference;
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use lakehunt::engine::member_expansion::MemberExpansions;
use lakehunt::functions::KustoFunctions;
use lakehunt::generate::{GenerateOptions, IpAddressesLayout, generate};
use tokio::runtime::Runtime;

const ANTI_JOINS: &str = "
    SELECT count(*) FROM public_logons AS logon
    WHERE NOT EXISTS (SELECT 1 FROM device_ips AS d WHERE d.IpAddress = logon.RemoteIP)
      AND NOT EXISTS (SELECT 1 FROM outside_identity_logons AS i WHERE i.IPAddress = logon.RemoteIP)";

const AGGREGATION: &str = "
    SELECT count(*) FROM (
        SELECT AccountDomain, AccountName, LogonType, RemoteIP, ActionType,
               min(EarliestEvent), max(LatestEvent), sum(Instances), count(*)
        FROM (SELECT AccountDomain, AccountName, LogonType, RemoteIP, ActionType, DeviceId,
                     min(Timestamp) AS EarliestEvent, max(Timestamp) AS LatestEvent,
                     count(*) AS Instances
              FROM public_logons
              GROUP BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType, DeviceId)
        GROUP BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType)";

/// Derived tables the anti-join and aggregation benches start from.
const DERIVED: [(&str, &str); 3] = [
    (
        "public_logons",
        "SELECT Timestamp, coalesce(DeviceId, '') AS DeviceId,
                coalesce(AccountDomain, '') AS AccountDomain, coalesce(AccountName, '') AS AccountName,
                coalesce(LogonType, '') AS LogonType, coalesce(RemoteIP, '') AS RemoteIP,
                coalesce(ActionType, '') AS ActionType
         FROM DeviceLogonEvents WHERE RemoteIPType = 'Public'",
    ),
    (
        "device_ips",
        "SELECT DISTINCT kql_tostring(kql_member(NetworkInfo, 'IPAddress')) AS IpAddress
         FROM (SELECT unnest(kql_mv_expand(kql_todynamic(IPAddresses), 128)) AS NetworkInfo
               FROM DeviceNetworkInfo)",
    ),
    (
        "outside_identity_logons",
        "SELECT DISTINCT coalesce(IPAddress, '') AS IPAddress FROM IdentityLogonEvents
         WHERE coalesce(ISP, '') <> 'INTERNAL_NETWORK'",
    ),
];

/// A session with the Kusto functions and lakehunt's rewrite of member reads into expansions,
/// so that the IPAddresses extraction is timed as hunts run it.
fn session() -> SessionContext {
    let config =
        SessionConfig::new().set_bool("datafusion.sql_parser.enable_ident_normalization", false);
    let ctx = SessionContext::new_with_config(config);
    ctx.add_optimizer_rule(Arc::new(MemberExpansions));
    for udf in KustoFunctions::new().scalar_udfs() {
        ctx.register_udf(udf);
    }
    ctx
}

/// Runs `sql` and registers its result in memory as `name`.
async fn keep(ctx: &SessionContext, name: &str, sql: &str) {
    let frame = ctx.sql(sql).await.expect("the query plans");
    let schema = Arc::new(frame.schema().as_arrow().clone());
    let batches = frame.collect().await.expect("the query runs");
    let table = MemTable::try_new(schema, vec![batches]).expect("a memory table");
    ctx.register_table(TableReference::bare(name), Arc::new(table)).expect("the table registers");
}

async fn load(lake: &Path) -> SessionContext {
    let ctx = session();
    for table in ["DeviceLogonEvents", "DeviceNetworkInfo", "IdentityLogonEvents"] {
        let files = lake.join(table);
        let options = ParquetReadOptions::default().table_partition_cols(vec![]);
        let url = format!("{}/", files.display());
        ctx.register_parquet(TableReference::bare(format!("{table}_files")), &url, options)
            .await
            .expect("the files");
        keep(&ctx, table, &format!("SELECT * FROM {table}_files")).await;
    }
    for (name, sql) in DERIVED {
        keep(&ctx, name, sql).await;
    }
    ctx
}

fn hot_paths(c: &mut Criterion) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let lake = dir.path().join("lake");
    let options = GenerateOptions {
        out: lake.clone(),
        logons: 1_000_000,
        devices: 20_000,
        days: 30,
        seed: 7,
        start: NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
        ip_addresses: IpAddressesLayout::JsonText,
        force: false,
    };
    generate(&options).expect("the lake is generated");
    let ctx = runtime.block_on(load(&lake));

    // The extraction is the device_ips table the other benches start from, counted.
    let device_ips = DERIVED.iter().find(|(name, _)| *name == "device_ips").map(|(_, sql)| *sql);
    let extraction =
        format!("SELECT count(*) FROM ({})", device_ips.expect("device_ips is derived"));

    let mut group = c.benchmark_group("seed_rule");
    group.sample_size(10);
    for (name, sql) in [
        ("ipaddresses_extraction", extraction.as_str()),
        ("anti_joins", ANTI_JOINS),
        ("aggregation", AGGREGATION),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                ctx.sql(sql).await.expect("plans").collect().await.expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
