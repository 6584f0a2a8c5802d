//! lakehunt runs Microsoft Defender / Sentinel threat-hunting rules over security data lakes
//! kept as Parquet, on Apache DataFusion, with the answers Kusto would give.

pub mod generate;
pub mod schema;
