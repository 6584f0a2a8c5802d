//! The Defender Vulnerability Management tables: software inventory, vulnerabilities and
//! secure configuration assessments, with their knowledge bases. They are snapshots rather than
//! events, so most have no `Timestamp` and the time window does not apply to them.

use super::KustoType::{Bool, DateTime, Dynamic, Real, String as Str};
use super::{ColumnDef, col};

/// Defender XDR's DeviceTvmSoftwareInventory, 11 columns: software installed on devices, per
/// Defender Vulnerability Management; no Timestamp.
pub(super) static DEVICE_TVM_SOFTWARE_INVENTORY: &[ColumnDef] = &[
    col("DeviceId", Str),
    col("DeviceName", Str),
    col("OSPlatform", Str),
    col("OSVersion", Str),
    col("OSArchitecture", Str),
    col("SoftwareVendor", Str),
    col("SoftwareName", Str),
    col("SoftwareVersion", Str),
    col("EndOfSupportStatus", Str),
    col("EndOfSupportDate", DateTime),
    col("ProductCodeCpe", Str),
];

/// Defender XDR's DeviceTvmSoftwareVulnerabilities, 13 columns: vulnerabilities in installed
/// software, per device; no Timestamp.
pub(super) static DEVICE_TVM_SOFTWARE_VULNERABILITIES: &[ColumnDef] = &[
    col("DeviceId", Str),
    col("DeviceName", Str),
    col("OSPlatform", Str),
    col("OSVersion", Str),
    col("OSArchitecture", Str),
    col("SoftwareVendor", Str),
    col("SoftwareName", Str),
    col("SoftwareVersion", Str),
    col("CveId", Str),
    col("VulnerabilitySeverityLevel", Str),
    col("RecommendedSecurityUpdate", Str),
    col("RecommendedSecurityUpdateId", Str),
    col("CveTags", Dynamic),
];

/// Defender XDR's DeviceTvmSoftwareVulnerabilitiesKB, 8 columns: the vulnerabilities Defender
/// Vulnerability Management knows; no Timestamp.
pub(super) static DEVICE_TVM_SOFTWARE_VULNERABILITIES_KB: &[ColumnDef] = &[
    col("CveId", Str),
    col("CvssScore", Str),
    col("IsExploitAvailable", Bool),
    col("VulnerabilitySeverityLevel", Str),
    col("LastModifiedTime", DateTime),
    col("PublishedDate", DateTime),
    col("VulnerabilityDescription", Str),
    col("AffectedSoftware", Dynamic),
];

/// Defender XDR's DeviceTvmSecureConfigurationAssessment, 12 columns: security configuration
/// assessments per device; Timestamp is the fourth column.
pub(super) static DEVICE_TVM_SECURE_CONFIGURATION_ASSESSMENT: &[ColumnDef] = &[
    col("DeviceId", Str),
    col("DeviceName", Str),
    col("OSPlatform", Str),
    col("Timestamp", DateTime),
    col("ConfigurationId", Str),
    col("ConfigurationCategory", Str),
    col("ConfigurationSubcategory", Str),
    col("ConfigurationImpact", Real),
    col("IsCompliant", Bool),
    col("IsApplicable", Bool),
    col("Context", Dynamic),
    col("IsExpectedUserImpact", Bool),
];

/// Defender XDR's DeviceTvmSecureConfigurationAssessmentKB, 10 columns: the security configurations
/// assessed, with benchmarks and risk; no Timestamp.
pub(super) static DEVICE_TVM_SECURE_CONFIGURATION_ASSESSMENT_KB: &[ColumnDef] = &[
    col("ConfigurationId", Str),
    col("ConfigurationImpact", Real),
    col("ConfigurationName", Str),
    col("ConfigurationDescription", Str),
    col("RiskDescription", Str),
    col("ConfigurationCategory", Str),
    col("ConfigurationSubcategory", Str),
    col("ConfigurationBenchmarks", Dynamic),
    col("Tags", Dynamic),
    col("RemediationOptions", Str),
];
