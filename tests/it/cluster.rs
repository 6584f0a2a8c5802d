//! Hunts on an Apache DataFusion Ballista cluster of real processes: a scheduler and two
//! executors started from the `lakehunt` binary on free loopback ports find exactly what a
//! local run finds (same rows, same Arrow types, same order), for the seed rule's SQL and for
//! a KQL rule; a cluster that does not answer, or has no executor, fails naming its URL.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::common::*;
use crate::kql_translate::seed_yaml;

/// How long a cluster has to start and register its executors.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A `lakehunt` service process, killed when dropped; its standard error goes to a log file.
struct Service {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scheduler and its executors on loopback, each a process of the `lakehunt` binary.
struct Cluster {
    port: u16,
    /// Killed before `dir`, which holds their logs and work folders, is removed.
    services: Vec<Service>,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts a scheduler and `executors` executors and waits until the scheduler reports
    /// them all registered.
    fn start(executors: usize) -> Cluster {
        let port = free_port();
        let scheduler_address = format!("127.0.0.1:{port}");
        let dir = tempfile::tempdir().unwrap();
        let mut cluster = Cluster { port, services: Vec::new(), dir };
        cluster.spawn("scheduler", &["scheduler", "--bind", &scheduler_address]);
        for i in 0..executors {
            let bind = format!("127.0.0.1:{}", free_port());
            let work_dir = cluster.dir.path().join(format!("executor-{i}"));
            cluster.spawn(
                &format!("executor-{i}"),
                &[
                    "executor",
                    "--scheduler",
                    &scheduler_address,
                    "--bind",
                    &bind,
                    "--work-dir",
                    work_dir.to_str().unwrap(),
                    "--concurrent-tasks",
                    "2",
                ],
            );
        }
        cluster.wait_until(|ready| ready == Some(executors));
        cluster
    }

    fn spawn(&mut self, name: &str, args: &[&str]) {
        let log = self.dir.path().join(format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_lakehunt"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        self.services.push(Service { name: name.to_string(), child, log });
    }

    /// `df://127.0.0.1:PORT`.
    fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.port)
    }

    /// How many executors the scheduler's `/readyz` reports, `Some(0)` when it answers that
    /// it has none, or `None` when it does not answer yet.
    fn executors_registered(&self) -> Option<usize> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = "GET /readyz HTTP/1.1\r\nHost: scheduler\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        if answer.contains("not ready") {
            return Some(0);
        }
        let count = answer.split("ready: ").nth(1)?.split_whitespace().next()?;
        count.parse().ok()
    }

    /// Waits until `done` holds of the executors registered, failing with the services' logs
    /// if a service stops or the cluster takes too long.
    fn wait_until(&mut self, done: impl Fn(Option<usize>) -> bool) {
        let started = Instant::now();
        loop {
            let stopped = self.services.iter_mut().find_map(|service| {
                let status = service.child.try_wait().unwrap()?;
                Some(format!("{} stopped ({status})", service.name))
            });
            if let Some(stopped) = stopped {
                panic!("{stopped}:\n{}", self.logs_text());
            }
            if done(self.executors_registered()) {
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the cluster did not start:\n{}",
                self.logs_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn logs_text(&self) -> String {
        self.services
            .iter()
            .map(|s| {
                format!("--- {}\n{}", s.name, std::fs::read_to_string(&s.log).unwrap_or_default())
            })
            .collect()
    }
}

/// A port nothing listens on at the moment it is returned.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Writes a lake with `lakehunt generate`.
fn generate(dir: &Path, name: &str, layout: &str) -> PathBuf {
    let lake = dir.join(name);
    let output = lakehunt(&[
        "generate",
        "--out",
        lake.to_str().unwrap(),
        "--logons",
        "20000",
        "--devices",
        "200",
        "--days",
        "3",
        "--start",
        "2026-03-01",
        "--ip-addresses",
        layout,
    ]);
    assert!(output.status.success(), "{}", texts(&output).1);
    lake
}

/// Runs `lakehunt run` with `args`, writing the findings to `out` as Parquet, and returns
/// them as one batch, with the summary line.
fn run_to_parquet(args: &[&str], out: &Path, cluster: Option<&Cluster>) -> (RecordBatch, String) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let output = lakehunt(&all);
    let (_, stderr) = texts(&output);
    let logs = cluster.map(Cluster::logs_text).unwrap_or_default();
    assert!(output.status.success(), "lakehunt {all:?} failed:\n{stderr}\n{logs}");
    let file = File::open(out).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    let schema = batches.first().map(|b| b.schema()).expect("a batch of findings");
    (concat_batches(&schema, &batches).unwrap(), stderr)
}

/// Each row of `batch` as text, sorted: the findings of a rule without an ORDER BY.
fn sorted_rows(batch: &RecordBatch) -> Vec<String> {
    let options = FormatOptions::default();
    let columns: Vec<ArrayFormatter> = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
        .collect();
    let mut rows: Vec<String> = (0..batch.num_rows())
        .map(|row| columns.iter().map(|c| c.value(row).to_string()).collect::<Vec<_>>().join("|"))
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_seed_rule_finds_on_a_cluster_exactly_what_it_finds_locally() {
    let dir = tempfile::tempdir().unwrap();
    let lake = generate(dir.path(), "lake", "json");
    let lake = lake.to_str().unwrap();
    let cluster = Cluster::start(2);
    let url = cluster.url();
    let window = ["--from", "2026-03-01T06:00:00Z", "--to", "2026-03-03"];

    let mut local_args = vec!["--lake", lake];
    local_args.extend_from_slice(&window);
    let (local, _) = run_to_parquet(&local_args, &dir.path().join("local.parquet"), None);
    let mut cluster_args = local_args.clone();
    cluster_args.extend_from_slice(&["--cluster", &url]);
    let out = dir.path().join("cluster.parquet");
    let (on_cluster, summary) = run_to_parquet(&cluster_args, &out, Some(&cluster));

    assert!(local.num_rows() > 0, "the window holds findings");
    assert_eq!(on_cluster.schema(), local.schema(), "the same columns and Arrow types");
    assert_eq!(on_cluster, local, "the same rows in the same order");
    let expected = format!("{} finding(s)", local.num_rows());
    assert!(summary.contains(&expected) && summary.contains(&format!("on {url}")), "{summary}");
}

#[test]
fn a_kql_rule_finds_on_a_cluster_exactly_what_it_finds_locally() {
    let dir = tempfile::tempdir().unwrap();
    // IPAddresses as a native Parquet list: todynamic turns it into JSON on the executors.
    let lake = generate(dir.path(), "lake", "list");
    let lake = lake.to_str().unwrap();
    let yaml = seed_yaml();
    let cluster = Cluster::start(2);
    let url = cluster.url();

    let local_args = [yaml.to_str().unwrap(), "--lake", lake];
    let (local, _) = run_to_parquet(&local_args, &dir.path().join("local.parquet"), None);
    let mut cluster_args = local_args.to_vec();
    cluster_args.extend_from_slice(&["--cluster", &url]);
    let out = dir.path().join("cluster.parquet");
    let (on_cluster, _) = run_to_parquet(&cluster_args, &out, Some(&cluster));

    assert!(local.num_rows() > 0);
    assert_eq!(on_cluster.schema(), local.schema(), "the same columns and Arrow types");
    // The rule's summarize has no sort: the rows are compared as sets.
    assert_eq!(sorted_rows(&on_cluster), sorted_rows(&local));

    // With an `order by`, the order is the same too; `has` runs on the executors.
    let ordered = dir.path().join("ordered.kql");
    std::fs::write(
        &ordered,
        "DeviceLogonEvents\n\
         | where RemoteIPType == \"Public\" and AccountName has \"admin\"\n\
         | summarize Logons = count(), Devices = dcount(DeviceId) by AccountName, RemoteIP\n\
         | order by Logons desc, AccountName asc, RemoteIP asc\n",
    )
    .unwrap();
    let local_args = [ordered.to_str().unwrap(), "--lake", lake];
    let (local, _) = run_to_parquet(&local_args, &dir.path().join("local-ordered.parquet"), None);
    let mut cluster_args = local_args.to_vec();
    cluster_args.extend_from_slice(&["--cluster", &url]);
    let out = dir.path().join("cluster-ordered.parquet");
    let (on_cluster, _) = run_to_parquet(&cluster_args, &out, Some(&cluster));
    assert!(local.num_rows() > 1);
    assert_eq!(on_cluster, local);
}

#[test]
fn a_cluster_that_does_not_answer_is_named_and_the_run_exits_1() {
    let url = format!("df://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let output = lakehunt(&["run", "--cluster", &url]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cluster {url}: cannot reach the scheduler")), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}

#[test]
fn a_scheduler_without_executors_is_named_and_the_run_exits_1() {
    let cluster = Cluster::start(0);
    let output = lakehunt(&["run", "--cluster", &cluster.url()]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&cluster.url()) && stderr.contains("no executor"), "{stderr}");
}

#[test]
fn a_cluster_url_of_another_scheme_is_refused() {
    let output = lakehunt(&["run", "--cluster", "http://127.0.0.1:50050"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("df://HOST:PORT"), "{stderr}");
}

#[test]
fn memory_options_of_a_local_run_are_a_usage_error_with_a_cluster() {
    for option in [["--memory-limit", "1GiB"], ["--spill-dir", "/tmp"]] {
        let mut args = vec!["run", "--cluster", "df://127.0.0.1:50050"];
        args.extend_from_slice(&option);
        let output = lakehunt(&args);
        let (_, stderr) = texts(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(option[0]) && stderr.contains("--cluster"), "{stderr}");
    }
}
