//! `lakehunt executor`: Ballista's executor with lakehunt's Kusto functions. It polls its
//! scheduler for tasks, decodes each task's physical plan (looking the functions up by
//! name), runs it against the lake, and serves the stage outputs over Arrow Flight, on one
//! port, to the other executors and to the client.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista_core::RuntimeProducer;
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;

use super::{ClusterUrl, lake_stores};
use crate::error::{Error, Result};
use crate::functions::KustoFunctions;

/// How long an executor waits for its scheduler to accept connections.
const SCHEDULER_WAIT: Duration = Duration::from_secs(30);

/// How an executor is started.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler to take tasks from.
    pub scheduler: ClusterUrl,
    /// The address the executor serves stage outputs at.
    pub bind: SocketAddr,
    /// The host name other machines reach the executor by, when it is not the bound address
    /// (by default the bound address, or the address the scheduler sees it connect from
    /// when bound to all interfaces).
    pub external_host: Option<String>,
    /// How many tasks run at once (default: one per core).
    pub concurrent_tasks: Option<usize>,
    /// Where stage outputs and spill files go (default: a folder in the system's temporary
    /// directory, removed when the executor stops).
    pub work_dir: Option<PathBuf>,
}

/// Runs an executor until the process is stopped (Ctrl-C or SIGTERM).
pub async fn run(options: &ExecutorOptions) -> Result<()> {
    let service = format!("executor on {}", options.bind);
    let failed = |reason: String| Error::ClusterService { service: service.clone(), reason };

    wait_for_scheduler(&options.scheduler).await.map_err(failed)?;
    let (work_dir, own_work_dir) = match &options.work_dir {
        Some(dir) => (dir.clone(), false),
        None => {
            let dir =
                std::env::temp_dir().join(format!("lakehunt-executor-{}", std::process::id()));
            (dir, true)
        }
    };
    std::fs::create_dir_all(&work_dir)
        .map_err(|e| failed(format!("cannot create work folder {}: {e}", work_dir.display())))?;
    let work_dir_text = work_dir
        .to_str()
        .ok_or_else(|| failed(format!("work folder {} is not UTF-8", work_dir.display())))?
        .to_string();

    let spill_dir = work_dir.clone();
    let runtime: RuntimeProducer = Arc::new(move |_| {
        RuntimeEnvBuilder::new()
            .with_temp_file_path(spill_dir.clone())
            .with_object_store_registry(lake_stores())
            .build_arc()
    });
    let ip = options.bind.ip();
    let config = ExecutorProcessConfig {
        bind_host: ip.to_string(),
        external_host: options
            .external_host
            .clone()
            .or_else(|| (!ip.is_unspecified()).then(|| ip.to_string())),
        port: options.bind.port(),
        scheduler_host: options.scheduler.host().to_string(),
        scheduler_port: options.scheduler.port(),
        vcores: options.concurrent_tasks.unwrap_or(0),
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir: Some(work_dir_text),
        print_thread_info: false,
        // A positive interval also makes a stopping executor remove its jobs' files.
        job_data_clean_up_interval_seconds: 600,
        override_function_registry: Some(Arc::new(function_registry())),
        override_runtime_producer: Some(runtime),
        ..ExecutorProcessConfig::default()
    };

    eprintln!(
        "lakehunt executor serving on {}, taking tasks from {}",
        options.bind, options.scheduler
    );
    let ran = start_executor_process(Arc::new(config)).await;
    if own_work_dir {
        // Best effort: what is left is in the temporary directory.
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    ran.map_err(|e| failed(e.to_string()))
}

/// DataFusion's functions, the array functions a client session has too, and lakehunt's
/// Kusto functions.
fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for udf in datafusion::functions_nested::all_default_nested_functions() {
        registry.scalar_functions.insert(udf.name().to_string(), udf);
    }
    let functions = KustoFunctions::new();
    for udf in functions.scalar_udfs() {
        registry.scalar_functions.insert(udf.name().to_string(), Arc::new(udf));
    }
    for udaf in functions.aggregate_udfs() {
        registry.aggregate_functions.insert(udaf.name().to_string(), Arc::new(udaf));
    }
    registry
}

/// Waits until the scheduler accepts connections, so that a cluster's processes may start in
/// any order; gives up after [`SCHEDULER_WAIT`].
async fn wait_for_scheduler(scheduler: &ClusterUrl) -> std::result::Result<(), String> {
    let started = Instant::now();
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect(scheduler.address()),
        )
        .await;
        let reason = match attempt {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer".to_string(),
        };
        if started.elapsed() >= SCHEDULER_WAIT {
            return Err(format!(
                "the scheduler at {scheduler} did not accept a connection within {}s ({reason})",
                SCHEDULER_WAIT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use datafusion::execution::FunctionRegistry;

    use super::*;

    #[test]
    fn executors_know_datafusions_and_the_kusto_functions() {
        let registry = function_registry();
        for udf in KustoFunctions::new().scalar_udfs() {
            assert!(registry.udf(udf.name()).is_ok(), "{}", udf.name());
        }
        for udaf in KustoFunctions::new().aggregate_udfs() {
            assert!(registry.udaf(udaf.name()).is_ok(), "{}", udaf.name());
        }
        assert!(registry.udf("coalesce").is_ok());
        assert!(registry.udf("make_array").is_ok());
    }
}
