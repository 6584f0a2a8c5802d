//! lakehunt's behaviour tests, one binary for all (each file directly in `tests/` would link
//! DataFusion again).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod catalogue;
mod cli;
#[cfg(feature = "cluster")]
mod cluster;
mod common;
mod differential;
mod drift;
mod exports;
mod ingest;
mod kql_cli;
mod kql_rows;
mod kql_semantics;
mod kql_translate;
mod member_expansions;
mod memory;
mod object_store;
mod planted;
mod probe_filters;
mod semantics;
