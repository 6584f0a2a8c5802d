//! lakehunt runs Microsoft Defender / Sentinel threat-hunting rules over security data lakes
//! kept as Parquet, on Apache DataFusion, with the answers Kusto would give.
//!
//! A hunt flows through the modules in this order: [`rule`] finds the rule's SQL, [`lake`]
//! finds the tables it reads and cuts them to the [`window`], [`engine`] plans and runs it in
//! a DataFusion session with the Kusto [`functions`], and [`output`] writes the findings
//! while [`report`] tells the user how it went. [`schema`] is the catalogue of Defender
//! tables they share; [`store`] resolves a location (a folder, `az://`, `s3://`) to the object
//! store that holds it; [`generate`] writes synthetic lakes and [`ingest`] turns Defender
//! exports into lakes. With the `cluster` feature, [`cluster`] runs hunts on an Apache
//! DataFusion Ballista cluster.

#[cfg(feature = "cluster")]
pub mod cluster;
pub mod engine;
pub mod error;
pub mod functions;
pub mod generate;
pub mod ingest;
pub mod kql;
pub mod lake;
pub mod output;
pub mod report;
pub mod rule;
pub mod schema;
pub mod store;
pub mod window;

pub use error::{Error, Result};
