//! Scale-out on Apache DataFusion Ballista: `lakehunt run --cluster df://HOST:PORT` plans a
//! hunt here and has a Ballista scheduler and its executors run it; `lakehunt scheduler` and
//! `lakehunt executor` start those two services with lakehunt's Kusto functions registered,
//! so that one binary is all a cluster needs.
//!
//! Ballista ships plans as protobuf: the scheduler decodes the logical plan and the executors
//! decode the physical plans of their tasks, each looking the Kusto functions up by name, so
//! both register the same set the client plans with. Lakes are read by path: the client lists
//! the files and reads their footers, the scheduler lists them again to plan the scans, and the
//! executors read them, so every process must see the lake at the same path ([`lake_stores`]).

pub mod client;
pub mod executor;
pub mod scheduler;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};

/// The port Ballista's scheduler listens on unless told otherwise.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// Where a cluster's scheduler listens: `df://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterUrl {
    host: String,
    port: u16,
}

impl ClusterUrl {
    /// The scheduler's host name or address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The scheduler's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `HOST:PORT`, as a socket address is written.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl FromStr for ClusterUrl {
    type Err = String;

    /// Reads `df://HOST:PORT` (the port defaults to 50050) or a bare `HOST:PORT`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let full = if text.contains("://") { text.to_string() } else { format!("df://{text}") };
        let url = url::Url::parse(&full)
            .map_err(|e| format!("`{text}` is not a scheduler URL such as df://HOST:50050: {e}"))?;
        if url.scheme() != "df" {
            return Err(format!(
                "`{text}`: a cluster is addressed as df://HOST:PORT, not {}://",
                url.scheme()
            ));
        }
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.to_string(),
            _ => return Err(format!("`{text}` names no scheduler host: use df://HOST:PORT")),
        };
        if !matches!(url.path(), "" | "/") || url.query().is_some() {
            return Err(format!("`{text}`: a scheduler URL has no path or query: df://HOST:PORT"));
        }
        Ok(ClusterUrl { host, port: url.port().unwrap_or(DEFAULT_SCHEDULER_PORT) })
    }
}

impl fmt::Display for ClusterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "df://{}:{}", self.host, self.port)
    }
}

/// The object stores a cluster's scheduler and executors read lakes from: the local file
/// system, so a lake is a path every machine sees the same (one machine, or a shared mount).
///
/// Lakes on object storage plug in here: a registry whose `get_store` builds the store for an
/// `az://` account or an `s3://` bucket from each process's environment, as the client builds
/// it for `--lake`, makes the same URLs readable on every node.
pub fn lake_stores() -> Arc<dyn ObjectStoreRegistry> {
    Arc::new(DefaultObjectStoreRegistry::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_url_names_the_scheduler_host_and_port() {
        let url: ClusterUrl = "df://10.0.0.5:50070".parse().unwrap();
        assert_eq!((url.host(), url.port()), ("10.0.0.5", 50070));
        assert_eq!(url.to_string(), "df://10.0.0.5:50070");
    }

    #[test]
    fn the_port_defaults_to_ballistas_and_the_scheme_may_be_left_out() {
        let url: ClusterUrl = "df://scheduler".parse().unwrap();
        assert_eq!(url.address(), "scheduler:50050");
        let bare: ClusterUrl = "127.0.0.1:6000".parse().unwrap();
        assert_eq!(bare.to_string(), "df://127.0.0.1:6000");
    }

    #[test]
    fn other_schemes_paths_and_missing_hosts_are_refused() {
        for bad in ["http://scheduler:50050", "df://scheduler:50050/jobs", "df://:50050", "df://"] {
            assert!(bad.parse::<ClusterUrl>().is_err(), "{bad}");
        }
    }
}
