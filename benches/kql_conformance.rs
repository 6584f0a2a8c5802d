//! How close lakehunt's KQL comes to Kusto. Given the conformance corpus (JSON lines of
//! self-contained queries with the real Kusto engine's answers), it runs each query and
//! counts, per family, the queries whose columns (`name:Type`), row count and sample rows
//! match Kusto's, those lakehunt refuses, and those that give a different answer (a query
//! Kusto rejects matches when lakehunt rejects it too, and is different when lakehunt
//! answers it). Given a folder of `.kql` hunting queries, it counts those that translate and
//! plan against the catalogued Defender schemas, as `lakehunt check` does.
//!
//! ```text
//! cargo bench --bench kql_conformance -- conformance-dev.jsonl hunting-dev/
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use lakehunt::engine::{Engine, EngineOptions};
use lakehunt::functions::{convert, json};
use lakehunt::kql::Type;
use lakehunt::lake::Lake;
use lakehunt::rule::Rule;
use lakehunt::window::TimeWindow;

#[derive(Default)]
struct Tally {
    matched: usize,
    refused: usize,
    different: usize,
    failed: usize,
}

enum Outcome {
    Matched,
    Refused(String),
    Different(String),
    Failed(String),
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if args.is_empty() {
        eprintln!("usage: cargo bench --bench kql_conformance -- CORPUS.jsonl [HUNTING_DIR]");
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for arg in args {
        let path = Path::new(&arg);
        if path.is_dir() {
            runtime.block_on(check_folder(path));
        } else {
            runtime.block_on(conformance(path));
        }
    }
}

async fn conformance(path: &Path) {
    let text = std::fs::read_to_string(path).expect("the corpus is readable");
    let verbose = std::env::var("KQL_CONFORMANCE_VERBOSE").is_ok();
    let empty = tempfile::tempdir().expect("a temporary folder");
    let lake = Lake::open(empty.path().to_str().expect("utf-8")).await.expect("an empty lake");
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let family = case["Family"].as_str().unwrap_or("?").to_string();
        let query = case["Kql"].as_str().unwrap_or("");
        let outcome = run_case(&lake, query, &case["Kusto"]).await;
        let tally = tallies.entry(family).or_default();
        match outcome {
            Outcome::Matched => tally.matched += 1,
            Outcome::Refused(why) => {
                tally.refused += 1;
                if verbose {
                    println!("REFUSED {}: {why}", case["Id"]);
                }
            }
            Outcome::Different(why) => {
                tally.different += 1;
                println!("DIFFERENT {}: {query}\n  {why}", case["Id"]);
            }
            Outcome::Failed(why) => {
                tally.failed += 1;
                if verbose {
                    println!("FAILED {}: {why}", case["Id"]);
                }
            }
        }
    }
    let mut total = Tally::default();
    println!("{:<28} {:>7} {:>7} {:>9} {:>7}", "family", "match", "refused", "different", "failed");
    for (family, t) in &tallies {
        println!(
            "{family:<28} {:>7} {:>7} {:>9} {:>7}",
            t.matched, t.refused, t.different, t.failed
        );
        total.matched += t.matched;
        total.refused += t.refused;
        total.different += t.different;
        total.failed += t.failed;
    }
    let all = total.matched + total.refused + total.different + total.failed;
    println!(
        "{:<28} {:>7} {:>7} {:>9} {:>7}   ({:.1}% of {all} match)",
        "total",
        total.matched,
        total.refused,
        total.different,
        total.failed,
        100.0 * total.matched as f64 / all.max(1) as f64
    );
}

async fn run_case(lake: &Lake, query: &str, kusto: &serde_json::Value) -> Outcome {
    // Kusto rejected the query: the same answer is to reject it too, by refusal or failure.
    let kusto_rejects = kusto.get("Error").is_some();
    let outcome = answer(lake, query, kusto).await;
    match outcome {
        Outcome::Refused(_) | Outcome::Failed(_) if kusto_rejects => Outcome::Matched,
        _ if kusto_rejects => {
            Outcome::Different("Kusto rejects this query; lakehunt answers it".into())
        }
        other => other,
    }
}

async fn answer(lake: &Lake, query: &str, kusto: &serde_json::Value) -> Outcome {
    let rule = match Rule::from_kql("case", query, None, "case") {
        Ok(rule) => rule,
        Err(e) => return Outcome::Refused(e.to_string().lines().next().unwrap_or("").to_string()),
    };
    let columns: Vec<String> =
        rule.columns.iter().map(|(n, t)| format!("{n}:{}", kusto_type(*t))).collect();
    let options = EngineOptions { target_partitions: Some(1), ..Default::default() };
    let engine = match Engine::new(&options) {
        Ok(engine) => engine,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let batches = match collect(&engine, lake, &rule).await {
        Ok(batches) => batches,
        Err(e) => return Outcome::Failed(e),
    };
    let expected_columns: Vec<String> = kusto["Columns"]
        .as_array()
        .map(|c| c.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if columns != expected_columns {
        return Outcome::Different(format!("columns {columns:?}, Kusto {expected_columns:?}"));
    }
    let rows: Vec<String> = batches.iter().flat_map(|b| kusto_rows(b, &rule.columns)).collect();
    let expected_count = kusto["RowCount"].as_u64().unwrap_or(0) as usize;
    if rows.len() != expected_count {
        return Outcome::Different(format!("{} rows, Kusto {expected_count}", rows.len()));
    }
    let mut remaining = rows.clone();
    for sample in kusto["SampleRows"].as_array().into_iter().flatten().filter_map(|s| s.as_str()) {
        match remaining.iter().position(|r| r == sample) {
            Some(i) => {
                remaining.remove(i);
            }
            None => {
                return Outcome::Different(format!("Kusto row {sample} not among {rows:?}"));
            }
        }
    }
    Outcome::Matched
}

async fn collect(engine: &Engine, lake: &Lake, rule: &Rule) -> Result<Vec<RecordBatch>, String> {
    let hunt =
        engine.plan(lake, rule, &TimeWindow::unbounded()).await.map_err(|e| e.to_string())?;
    let plan = hunt.physical_plan().await.map_err(|e| e.to_string())?;
    let mut stream = hunt.execute(plan).map_err(|e| e.to_string())?;
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        batches.push(batch.map_err(|e| e.to_string())?);
    }
    Ok(batches)
}

/// The type names the Kusto emulator's answers use.
fn kusto_type(ty: Type) -> &'static str {
    match ty {
        Type::String => "String",
        Type::Long | Type::Int => "Int",
        Type::Real | Type::Decimal => "Real",
        Type::Bool => "Bool",
        Type::DateTime => "DateTime",
        Type::Timespan => "TimeSpan",
        Type::Dynamic => "Dynamic",
        Type::Guid => "Guid",
    }
}

/// Each row as the emulator prints it: `(1, 'a', True, [\n  1\n])`.
fn kusto_rows(batch: &RecordBatch, types: &[(String, Type)]) -> Vec<String> {
    let options = FormatOptions::default();
    (0..batch.num_rows())
        .map(|row| {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .zip(types)
                .map(|(column, (_, ty))| cell(column.as_ref(), row, *ty, &options))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect()
}

fn cell(column: &dyn Array, row: usize, ty: Type, options: &FormatOptions) -> String {
    if column.is_null(row) {
        return "null".into();
    }
    let text = ArrayFormatter::try_new(column, options)
        .map(|f| f.value(row).to_string())
        .unwrap_or_default();
    match ty {
        Type::String | Type::Guid => kusto_quote(&text),
        Type::Bool => {
            if text == "true" {
                "True".into()
            } else {
                "False".into()
            }
        }
        Type::Dynamic => pretty(&text, 0),
        Type::Real => match column.data_type() {
            DataType::Float64 => convert::real_text(
                column.as_primitive::<datafusion::arrow::datatypes::Float64Type>().value(row),
            ),
            _ => text,
        },
        Type::DateTime => match column.data_type() {
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                let nanos = column
                    .as_primitive::<datafusion::arrow::datatypes::TimestampNanosecondType>()
                    .value(row);
                let time = chrono::DateTime::from_timestamp_nanos(nanos);
                format!(
                    "{}.{:07}Z",
                    time.format("%Y-%m-%dT%H:%M:%S"),
                    time.timestamp_subsec_nanos() / 100
                )
            }
            _ => text,
        },
        Type::Timespan => match column.data_type() {
            DataType::Duration(TimeUnit::Nanosecond) => {
                let nanos = column
                    .as_primitive::<datafusion::arrow::datatypes::DurationNanosecondType>()
                    .value(row);
                timespan(nanos)
            }
            _ => text,
        },
        _ => text,
    }
}

fn timespan(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let ticks = (nanos / 100).unsigned_abs();
    let (days, rest) = (ticks / 864_000_000_000, ticks % 864_000_000_000);
    let (hours, rest) = (rest / 36_000_000_000, rest % 36_000_000_000);
    let (minutes, rest) = (rest / 600_000_000, rest % 600_000_000);
    let (seconds, fraction) = (rest / 10_000_000, rest % 10_000_000);
    let day = if days > 0 { format!("{days}.") } else { String::new() };
    let fraction = if fraction > 0 { format!(".{fraction:07}") } else { String::new() };
    format!("{sign}{day}{hours:02}:{minutes:02}:{seconds:02}{fraction}")
}

/// A string as the answers print it: between single quotes, as it is.
fn kusto_quote(text: &str) -> String {
    format!("'{text}'")
}

/// JSON text indented by two spaces per level, keys in their written order.
fn pretty(text: &str, level: usize) -> String {
    let inner = "  ".repeat(level + 1);
    let outer = "  ".repeat(level);
    match json::kind(text) {
        json::Kind::Array => {
            let items = json::array_elements(text);
            if items.is_empty() {
                return "[]".into();
            }
            let parts: Vec<String> =
                items.iter().map(|i| format!("{inner}{}", pretty(i, level + 1))).collect();
            format!("[\n{}\n{outer}]", parts.join(",\n"))
        }
        json::Kind::Object => {
            let entries = json::object_entries(text);
            if entries.is_empty() {
                return "{}".into();
            }
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{inner}{}: {}", k.trim(), pretty(v, level + 1)))
                .collect();
            format!("{{\n{}\n{outer}}}", parts.join(",\n"))
        }
        _ => text.trim().to_string(),
    }
}

async fn check_folder(dir: &Path) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("the folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        .collect();
    paths.sort();
    let engine = Engine::new(&EngineOptions::default()).expect("a session");
    let (mut planned, mut refused, mut failed) = (0, 0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for path in &paths {
        match Rule::load(path) {
            Err(e) => {
                refused += 1;
                let message = e.to_string();
                let first = message.lines().next().unwrap_or("").to_string();
                let reason = first.split(": ").skip(1).collect::<Vec<_>>().join(": ");
                *reasons.entry(reason).or_default() += 1;
            }
            Ok(rule) => match engine.check(&rule).await {
                Ok(_) => planned += 1,
                Err(e) => {
                    failed += 1;
                    println!("PLAN FAILED {}: {e}", path.display());
                }
            },
        }
    }
    let mut common: Vec<(String, usize)> = reasons.into_iter().collect();
    common.sort_by_key(|c| std::cmp::Reverse(c.1));
    for (reason, count) in common.iter().take(25) {
        println!("{count:>4}  {reason}");
    }
    println!(
        "hunting queries: {planned} of {} translate and plan ({:.1}%), {refused} refused, {failed} fail to plan",
        paths.len(),
        100.0 * planned as f64 / paths.len().max(1) as f64
    );
}
