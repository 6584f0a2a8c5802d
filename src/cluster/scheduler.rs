//! `lakehunt scheduler`: Ballista's scheduler, planning with lakehunt's session. It decodes
//! the logical plans clients send (looking the Kusto functions up by name), splits them into
//! stages and hands the stages' tasks to the executors that poll it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::optimizer::ballista_default_optimizer_rules;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::SessionState;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionConfig;

use super::lake_stores;
use crate::error::{Error, Result};
use crate::functions::KustoFunctions;

/// How a scheduler is started.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The address clients and executors reach the scheduler at.
    pub bind: SocketAddr,
}

/// Runs a scheduler on `options.bind` until the process is stopped. Executors poll it for
/// tasks (Ballista's pull scheduling), so it needs no address of theirs.
pub async fn run(options: &SchedulerOptions) -> Result<()> {
    let service = format!("scheduler on {}", options.bind);
    let failed = |reason: String| Error::ClusterService { service: service.clone(), reason };

    let mut config = SchedulerConfig::default()
        .with_port(options.bind.port())
        .with_scheduler_policy(TaskSchedulingPolicy::PullStaged)
        .with_override_session_builder(Arc::new(planning_session));
    config.bind_host = options.bind.ip().to_string();
    let cluster =
        BallistaCluster::new_from_config(&config).await.map_err(|e| failed(e.to_string()))?;
    let mut server = tokio::spawn(start_server(cluster, options.bind, Arc::new(config)));

    // Say so once the port accepts connections, or report why the server stopped first.
    loop {
        tokio::select! {
            joined = &mut server => return stopped(joined).map_err(failed),
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if tokio::net::TcpStream::connect(options.bind).await.is_ok() {
                    break;
                }
            }
        }
    }
    eprintln!(
        "lakehunt scheduler listening on {}; start executors with \
         `lakehunt executor --scheduler {}`, hunt with `lakehunt run --cluster df://{}`",
        options.bind, options.bind, options.bind
    );
    stopped(server.await).map_err(failed)
}

/// Why a server task ended, if it was an error.
fn stopped(
    joined: std::result::Result<ballista_core::error::Result<()>, tokio::task::JoinError>,
) -> std::result::Result<(), String> {
    match joined {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The session the scheduler plans a job in, for the settings the client sent: DataFusion's
/// functions and lakehunt's Kusto functions, Ballista's logical optimizer rules (those its
/// client plans with) and the lake stores.
///
/// lakehunt's physical optimizer rules are not among them: Ballista's adaptive planner plans
/// with rules of its own, choosing each join's build side from the sizes the stages beneath
/// it measured, which is what lakehunt's small-side builds estimate from the scans.
fn planning_session(config: SessionConfig) -> datafusion::common::Result<SessionState> {
    let runtime = RuntimeEnvBuilder::new().with_object_store_registry(lake_stores()).build_arc()?;
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_optimizer_rules(ballista_default_optimizer_rules())
        .build();
    let functions = KustoFunctions::new();
    for udf in functions.scalar_udfs() {
        state.register_udf(Arc::new(udf))?;
    }
    for udaf in functions.aggregate_udfs() {
        state.register_udaf(Arc::new(udaf))?;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_planning_session_knows_the_kusto_functions() {
        let state = planning_session(SessionConfig::new()).unwrap();
        for udf in KustoFunctions::new().scalar_udfs() {
            assert!(state.scalar_functions().contains_key(udf.name()), "{}", udf.name());
        }
        assert!(state.scalar_functions().contains_key("coalesce"));
    }
}
