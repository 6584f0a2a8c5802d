//! The truth file a generated lake carries, `_lakehunt_truth.json`: which public addresses
//! were planted in which population, so that tests and benchmarks can check a hunt's
//! findings in both directions. Lake discovery skips names starting with `_`, so the file
//! never looks like a table.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use serde_json::{Value, json};

use super::error::GenerateError;

/// File name of the planted truth, directly under the lake's root.
pub const TRUTH_FILE: &str = "_lakehunt_truth.json";

/// Identifies the layout of the truth file, so that a later layout can be told apart.
const FORMAT: &str = "lakehunt.planted-truth.v1";

/// The id of the seed rule the populations are planted for (Device Logons from Unknown IPs).
const SEED_RULE_ID: &str = "a6d76204-efb2-4ccd-a068-d5a9e6876236";

/// The public logon addresses of a generated lake, by population. Every address with
/// `RemoteIPType == "Public"` in DeviceLogonEvents is in exactly one list, and every listed
/// address has at least one such logon. Each list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlantedTruth {
    /// On some device's adapter in DeviceNetworkInfo (any day).
    pub owned: Vec<String>,
    /// Not owned; seen in IdentityLogonEvents with an ISP other than exactly
    /// `INTERNAL_NETWORK` (a provider, `none specified`, empty or null).
    pub outside_isp: Vec<String>,
    /// Not owned; seen in IdentityLogonEvents only with ISP exactly `INTERNAL_NETWORK`.
    pub internal_only: Vec<String>,
    /// In neither DeviceNetworkInfo nor IdentityLogonEvents.
    pub unknown: Vec<String>,
}

impl PlantedTruth {
    /// The addresses whose logons the seed rule must report, and no others: the internal-only
    /// and unknown populations, sorted.
    pub fn expected_findings(&self) -> Vec<String> {
        let mut all: Vec<String> =
            self.internal_only.iter().chain(&self.unknown).cloned().collect();
        all.sort_unstable();
        all
    }

    /// Every planted address with the name of its population.
    pub fn populations(&self) -> [(&'static str, &[String]); 4] {
        [
            ("owned", &self.owned),
            ("outside_isp", &self.outside_isp),
            ("internal_only", &self.internal_only),
            ("unknown", &self.unknown),
        ]
    }
}

/// The options a lake was generated with, recorded beside the truth for whoever reads it.
pub(crate) struct Provenance<'a> {
    pub seed: u64,
    pub logons: u64,
    pub devices: u32,
    pub days: u32,
    pub start: String,
    pub ip_addresses: &'a str,
}

/// Writes the truth file into `dir`.
pub(crate) fn write_truth(
    dir: &Path,
    truth: &PlantedTruth,
    provenance: &Provenance<'_>,
) -> Result<(), GenerateError> {
    let populations: serde_json::Map<String, Value> =
        truth.populations().iter().map(|(name, list)| (name.to_string(), json!(list))).collect();
    let document = json!({
        "format": FORMAT,
        "rule": SEED_RULE_ID,
        "generator": {
            "seed": provenance.seed,
            "logons": provenance.logons,
            "devices": provenance.devices,
            "days": provenance.days,
            "start": provenance.start,
            "ip_addresses": provenance.ip_addresses,
        },
        "populations": populations,
        "expected_findings": "every internal_only and unknown address, and no other",
    });
    let path = dir.join(TRUTH_FILE);
    let text = serde_json::to_string_pretty(&document).map_err(|e| GenerateError::Io {
        action: "serialise the planted truth for",
        path: path.clone(),
        source: e.into(),
    })?;
    fs::write(&path, text + "\n").map_err(|source| GenerateError::Io {
        action: "write",
        path,
        source,
    })
}

/// Reads the planted truth of a lake written by [`generate`](super::generate).
pub fn read_truth(lake: &Path) -> Result<PlantedTruth, GenerateError> {
    let path = lake.join(TRUTH_FILE);
    let text = fs::read_to_string(&path).map_err(|source| match source.kind() {
        ErrorKind::NotFound => GenerateError::TruthMissing { path: path.clone() },
        _ => GenerateError::Io { action: "read", path: path.clone(), source },
    })?;
    let malformed = |reason: String| GenerateError::TruthMalformed { path: path.clone(), reason };
    let document: Value =
        serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}")))?;
    match document.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(malformed(format!("unknown format {other:?}, want {FORMAT:?}")));
        }
        None => return Err(malformed("no \"format\" field".into())),
    }
    let list = |name: &str| -> Result<Vec<String>, GenerateError> {
        let items = document
            .pointer(&format!("/populations/{name}"))
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(format!("no array \"populations.{name}\"")))?;
        items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    malformed(format!("\"populations.{name}\" holds {item}, not an address"))
                })
            })
            .collect()
    };
    Ok(PlantedTruth {
        owned: list("owned")?,
        outside_isp: list("outside_isp")?,
        internal_only: list("internal_only")?,
        unknown: list("unknown")?,
    })
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    fn sample() -> PlantedTruth {
        PlantedTruth {
            owned: vec!["52.1.2.3".into()],
            outside_isp: vec!["2a01:4f8::1".into()],
            internal_only: vec!["81.2.3.4".into()],
            unknown: vec!["45.6.7.8".into(), "2a02:0c7c:5a1f:0000:0000:0000:0000:0017".into()],
        }
    }

    fn provenance() -> Provenance<'static> {
        Provenance {
            seed: 7,
            logons: 100,
            devices: 5,
            days: 2,
            start: "2026-01-01".into(),
            ip_addresses: "json",
        }
    }

    #[test]
    fn truth_round_trips_through_its_file() -> Result<(), Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        write_truth(dir.path(), &sample(), &provenance())?;
        assert_eq!(read_truth(dir.path())?, sample());
        Ok(())
    }

    #[test]
    fn expected_findings_are_internal_only_and_unknown() {
        assert_eq!(
            sample().expected_findings(),
            vec!["2a02:0c7c:5a1f:0000:0000:0000:0000:0017", "45.6.7.8", "81.2.3.4"]
        );
    }

    #[test]
    fn a_lake_without_truth_names_the_missing_file() -> Result<(), Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let error = read_truth(dir.path()).err();
        assert!(
            matches!(&error, Some(GenerateError::TruthMissing { path }) if path.ends_with(TRUTH_FILE)),
            "{error:?}"
        );
        Ok(())
    }

    #[test]
    fn a_truth_file_with_a_non_string_address_is_malformed() -> Result<(), Box<dyn Error>> {
        let dir = tempfile::tempdir()?;
        let text = r#"{"format": "lakehunt.planted-truth.v1", "populations":
            {"owned": [], "outside_isp": [], "internal_only": [1], "unknown": []}}"#;
        fs::write(dir.path().join(TRUTH_FILE), text)?;
        let error = read_truth(dir.path()).err();
        assert!(
            matches!(&error, Some(GenerateError::TruthMalformed { reason, .. })
                if reason.contains("internal_only")),
            "{error:?}"
        );
        Ok(())
    }
}
