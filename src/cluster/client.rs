//! The client side of a hunt on a cluster: the session settings it plans with, and the check
//! that the scheduler answers and has executors before anything is planned.
//!
//! Ballista's client turns a session into one whose physical plans are a single
//! `DistributedQueryExec`: it sends the logical plan and the session's settings to the
//! scheduler, which plans the stages, and streams the findings back from the executors.

use std::time::Duration;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::ClusterUrl;
use crate::error::{Error, Result};

/// How long the scheduler has to accept a connection and say whether it is ready.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings a hunt on a cluster plans with: lakehunt's, upgraded as Ballista's client
/// upgrades every session, with the two string settings that would change the findings'
/// types put back.
///
/// Ballista turns off round-robin repartitioning, hash-join preference, dynamic filters and
/// physical scalar subqueries (plan shapes a distributed run cannot share between tasks), and
/// lowers the single-partition join thresholds to its broadcast limits; none of these changes
/// an answer. It also reads Parquet strings as `Utf8` and maps SQL's string types to `Utf8`:
/// lakehunt keeps `Utf8View`, so that findings have the same types as a local run's.
pub fn session_config(lakehunt: SessionConfig) -> SessionConfig {
    let force_views = lakehunt.options().execution.parquet.schema_force_view_types;
    let map_to_views = lakehunt.options().sql_parser.map_string_types_to_utf8view;
    lakehunt
        .upgrade_for_ballista()
        .set_bool("datafusion.execution.parquet.schema_force_view_types", force_views)
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", map_to_views)
}

/// A context whose plans run on the cluster at `cluster`, built on `state`, once the
/// scheduler has said it is ready.
pub async fn connect(cluster: &ClusterUrl, state: SessionState) -> Result<SessionContext> {
    check_ready(cluster).await?;
    SessionContext::remote_with_state(&cluster.to_string(), state)
        .await
        .map_err(|e| Error::Cluster { url: cluster.to_string(), reason: e.to_string() })
}

/// Asks the scheduler's health endpoint (`/readyz`, on its gRPC port) whether it has an
/// executor, so that an unreachable scheduler or an empty cluster fails within seconds
/// instead of leaving a job queued.
async fn check_ready(cluster: &ClusterUrl) -> Result<()> {
    let problem = |reason: String| Error::Cluster { url: cluster.to_string(), reason };
    let answer = match tokio::time::timeout(ANSWER_TIMEOUT, ask_ready(cluster)).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            return Err(problem(format!(
                "cannot reach the scheduler: {e}; is `lakehunt scheduler --bind {}` running?",
                cluster.address()
            )));
        }
        Err(_) => {
            return Err(problem(format!(
                "the scheduler did not answer within {}s",
                ANSWER_TIMEOUT.as_secs()
            )));
        }
    };
    let status_line = answer.lines().next().unwrap_or_default();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body).trim();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some("503") => Err(problem(format!(
            "the scheduler has no executor to run the hunt ({body}); start one with \
             `lakehunt executor --scheduler {}`",
            cluster.address()
        ))),
        _ => Err(problem(format!(
            "{} does not answer as a Ballista scheduler (its /readyz said `{status_line}`)",
            cluster.address()
        ))),
    }
}

/// One HTTP/1.1 request for `/readyz`, and the whole response as text.
async fn ask_ready(cluster: &ClusterUrl) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(cluster.address()).await?;
    let request =
        format!("GET /readyz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", cluster.address());
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lakehunt_config() -> SessionConfig {
        SessionConfig::new()
            .set_bool("datafusion.sql_parser.enable_ident_normalization", false)
            .set_bool("datafusion.execution.parquet.pushdown_filters", true)
    }

    #[test]
    fn a_cluster_session_keeps_lakehunts_settings_and_string_types() {
        let config = session_config(lakehunt_config());
        let options = config.options();
        assert!(!options.sql_parser.enable_ident_normalization);
        assert!(options.execution.parquet.pushdown_filters);
        assert!(options.execution.parquet.schema_force_view_types);
        assert!(options.sql_parser.map_string_types_to_utf8view);
    }

    #[test]
    fn a_cluster_session_takes_ballistas_plan_shapes() {
        let config = session_config(lakehunt_config());
        let options = config.options();
        assert!(!options.optimizer.prefer_hash_join);
        assert!(!options.optimizer.enable_round_robin_repartition);
        assert!(!options.optimizer.enable_dynamic_filter_pushdown);
        assert!(config.ballista_adaptive_query_planner_enabled());
    }

    #[tokio::test]
    async fn a_scheduler_that_is_not_there_is_named_in_the_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url: ClusterUrl = format!("df://127.0.0.1:{port}").parse().unwrap();
        let error = check_ready(&url).await.unwrap_err().to_string();
        assert!(error.contains(&format!("cluster df://127.0.0.1:{port}")), "{error}");
        assert!(error.contains("cannot reach the scheduler"), "{error}");
    }
}
