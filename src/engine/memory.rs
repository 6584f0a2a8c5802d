//! How much memory a hunt may hold, and where it spills what does not fit. Sizes are written
//! as a user would: `1GiB`, `512MiB`, `2G`, `750M` or a plain count of bytes.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};

use crate::error::{Error, Result};

/// A number of bytes, parsed from `1GiB`-style text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub usize);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a size such as 1GiB, 512MiB or 2G"))?;
        let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "t" | "tb" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            other => {
                return Err(format!(
                    "unknown size unit `{other}` in `{text}`: use B, KiB, MiB, GiB, K, M or G"
                ));
            }
        };
        let bytes = number * scale;
        if !(1.0..=usize::MAX as f64).contains(&bytes) {
            return Err(format!("`{text}` is not a usable size"));
        }
        Ok(ByteSize(bytes as usize))
    }
}

/// The memory a session may use and where it spills.
#[derive(Debug, Clone, Default)]
pub struct MemoryOptions {
    /// The most memory operators may reserve; sorts and aggregations spill beyond it.
    /// Unlimited when `None`.
    pub limit: Option<ByteSize>,
    /// Where spill files go (default: the system's temporary directory).
    pub spill_dir: Option<PathBuf>,
}

impl MemoryOptions {
    /// A runtime that enforces the limit, shared fairly among the operators that can spill.
    pub fn runtime(&self) -> Result<Arc<RuntimeEnv>> {
        let mut builder = RuntimeEnvBuilder::new();
        if let Some(ByteSize(limit)) = self.limit {
            builder = builder.with_memory_pool(Arc::new(FairSpillPool::new(limit)));
        }
        if let Some(dir) = &self.spill_dir {
            if !dir.is_dir() {
                return Err(Error::SpillDir { path: dir.clone() });
            }
            let disk = DiskManagerBuilder::default()
                .with_mode(DiskManagerMode::Directories(vec![dir.clone()]));
            builder = builder.with_disk_manager_builder(disk);
        }
        builder.build_arc().map_err(|e| Error::query("(session)", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_user_writes_them() {
        assert_eq!("1GiB".parse(), Ok(ByteSize(1 << 30)));
        assert_eq!("512MiB".parse(), Ok(ByteSize(512 << 20)));
        assert_eq!("2G".parse(), Ok(ByteSize(2_000_000_000)));
        assert_eq!("1.5gib".parse(), Ok(ByteSize(3 << 29)));
        assert_eq!("4096".parse(), Ok(ByteSize(4096)));
    }

    #[test]
    fn a_size_without_a_number_or_with_an_unknown_unit_is_refused() {
        assert!("GiB".parse::<ByteSize>().unwrap_err().contains("not a size"));
        assert!("3 parsecs".parse::<ByteSize>().unwrap_err().contains("unknown size unit"));
        assert!("0".parse::<ByteSize>().is_err());
    }
}
