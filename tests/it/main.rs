//! lakehunt's behaviour tests, one binary for all (each file directly in `tests/` would link
//! DataFusion again).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod common;
mod differential;
mod drift;
mod kql_cli;
mod kql_semantics;
mod kql_translate;
mod planted;
mod semantics;
