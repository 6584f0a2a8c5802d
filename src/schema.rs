//! The catalogue of Defender XDR / Sentinel tables that lakehunt knows by heart: each table's
//! columns with their Kusto types, and the Arrow types a lake stores them as. `generate`
//! writes these schemas, the lake reader checks files against them, and the engine uses them
//! to tell a column the lake lacks from a column no such table ever had.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// A column type as Kusto names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KustoType {
    /// `string`: never null in Kusto; a missing value is `""`.
    String,
    /// `datetime`: a UTC instant with 100 ns resolution.
    DateTime,
    /// `bool`.
    Bool,
    /// `int`: 32-bit signed.
    Int,
    /// `long`: 64-bit signed.
    Long,
    /// `real`: 64-bit float.
    Real,
    /// `dynamic`: JSON. Lakes keep it as JSON text, or as a native Parquet list or struct.
    Dynamic,
}

impl KustoType {
    /// The Arrow type a lake column of this Kusto type is read as. Timestamps are kept in
    /// nanoseconds because Defender writes seven fractional digits.
    pub fn arrow_type(self) -> DataType {
        match self {
            KustoType::String | KustoType::Dynamic => DataType::Utf8,
            KustoType::DateTime => utc_nanos(),
            KustoType::Bool => DataType::Boolean,
            KustoType::Int => DataType::Int32,
            KustoType::Long => DataType::Int64,
            KustoType::Real => DataType::Float64,
        }
    }

    /// The Kusto spelling of the type, as `getschema` prints it.
    pub fn name(self) -> &'static str {
        match self {
            KustoType::String => "string",
            KustoType::DateTime => "datetime",
            KustoType::Bool => "bool",
            KustoType::Int => "int",
            KustoType::Long => "long",
            KustoType::Real => "real",
            KustoType::Dynamic => "dynamic",
        }
    }
}

/// The Arrow type of every datetime column lakehunt produces: nanoseconds, UTC.
pub fn utc_nanos() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
}

/// One column of a catalogued table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: &'static str,
    pub kind: KustoType,
}

/// A catalogued table: its name as Kusto spells it and its columns in Defender's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    pub name: &'static str,
    pub columns: &'static [ColumnDef],
}

impl TableDef {
    /// The column called `name` (case-sensitive, as in Kusto).
    pub fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table as an Arrow schema, every column nullable.
    pub fn arrow_schema(&self) -> SchemaRef {
        let fields: Vec<Field> =
            self.columns.iter().map(|c| Field::new(c.name, c.kind.arrow_type(), true)).collect();
        Arc::new(Schema::new(fields))
    }
}

/// The table called `name` (case-sensitive, as in Kusto), if lakehunt knows it.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

/// Every catalogued table.
pub fn tables() -> &'static [TableDef] {
    TABLES
}

const fn col(name: &'static str, kind: KustoType) -> ColumnDef {
    ColumnDef { name, kind }
}

use KustoType::{Bool, DateTime, Dynamic, Int, Long, String as Str};

static TABLES: &[TableDef] = &[
    TableDef { name: "DeviceLogonEvents", columns: DEVICE_LOGON_EVENTS },
    TableDef { name: "DeviceNetworkInfo", columns: DEVICE_NETWORK_INFO },
    TableDef { name: "IdentityLogonEvents", columns: IDENTITY_LOGON_EVENTS },
];

/// Defender XDR's DeviceLogonEvents, all 48 columns. `AdditionalFields` is JSON kept as text.
static DEVICE_LOGON_EVENTS: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("DeviceId", Str),
    col("DeviceName", Str),
    col("ActionType", Str),
    col("LogonType", Str),
    col("AccountDomain", Str),
    col("AccountName", Str),
    col("AccountSid", Str),
    col("Protocol", Str),
    col("FailureReason", Str),
    col("IsLocalAdmin", Bool),
    col("LogonId", Long),
    col("RemoteDeviceName", Str),
    col("RemoteIP", Str),
    col("RemoteIPType", Str),
    col("RemotePort", Int),
    col("InitiatingProcessAccountDomain", Str),
    col("InitiatingProcessAccountName", Str),
    col("InitiatingProcessAccountSid", Str),
    col("InitiatingProcessAccountUpn", Str),
    col("InitiatingProcessAccountObjectId", Str),
    col("InitiatingProcessIntegrityLevel", Str),
    col("InitiatingProcessTokenElevation", Str),
    col("InitiatingProcessSHA1", Str),
    col("InitiatingProcessSHA256", Str),
    col("InitiatingProcessMD5", Str),
    col("InitiatingProcessFileName", Str),
    col("InitiatingProcessFileSize", Long),
    col("InitiatingProcessVersionInfoCompanyName", Str),
    col("InitiatingProcessVersionInfoProductName", Str),
    col("InitiatingProcessVersionInfoProductVersion", Str),
    col("InitiatingProcessVersionInfoInternalFileName", Str),
    col("InitiatingProcessVersionInfoOriginalFileName", Str),
    col("InitiatingProcessVersionInfoFileDescription", Str),
    col("InitiatingProcessId", Long),
    col("InitiatingProcessCommandLine", Str),
    col("InitiatingProcessCreationTime", DateTime),
    col("InitiatingProcessFolderPath", Str),
    col("InitiatingProcessParentId", Long),
    col("InitiatingProcessParentFileName", Str),
    col("InitiatingProcessParentCreationTime", DateTime),
    col("ReportId", Long),
    col("AppGuardContainerId", Str),
    col("AdditionalFields", Str),
    col("InitiatingProcessSessionId", Long),
    col("IsInitiatingProcessRemoteSession", Bool),
    col("InitiatingProcessRemoteSessionDeviceName", Str),
    col("InitiatingProcessRemoteSessionIP", Str),
];

/// Defender XDR's DeviceNetworkInfo, all 16 columns. The JSON columns are `string` in
/// Defender (JSON text) and `dynamic` in Sentinel.
static DEVICE_NETWORK_INFO: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("DeviceId", Str),
    col("DeviceName", Str),
    col("NetworkAdapterName", Str),
    col("MacAddress", Str),
    col("NetworkAdapterType", Str),
    col("NetworkAdapterStatus", Str),
    col("TunnelType", Str),
    col("ConnectedNetworks", Dynamic),
    col("DnsAddresses", Dynamic),
    col("IPv4Dhcp", Str),
    col("IPv6Dhcp", Str),
    col("DefaultGateways", Dynamic),
    col("IPAddresses", Dynamic),
    col("ReportId", Long),
    col("NetworkAdapterVendor", Str),
];

/// Defender XDR's IdentityLogonEvents, all 26 columns, spelling `ISP` as the rule and real
/// exports do.
static IDENTITY_LOGON_EVENTS: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("ActionType", Str),
    col("Application", Str),
    col("LogonType", Str),
    col("Protocol", Str),
    col("FailureReason", Str),
    col("AccountName", Str),
    col("AccountDomain", Str),
    col("AccountUpn", Str),
    col("AccountSid", Str),
    col("AccountObjectId", Str),
    col("AccountDisplayName", Str),
    col("DeviceName", Str),
    col("DeviceType", Str),
    col("OSPlatform", Str),
    col("IPAddress", Str),
    col("Port", Int),
    col("DestinationDeviceName", Str),
    col("DestinationIPAddress", Str),
    col("DestinationPort", Int),
    col("TargetDeviceName", Str),
    col("TargetAccountDisplayName", Str),
    col("Location", Str),
    col("ISP", Str),
    col("ReportId", Str),
    col("AdditionalFields", Dynamic),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_rule_tables_have_defenders_column_counts() {
        assert_eq!(table("DeviceLogonEvents").map(|t| t.columns.len()), Some(48));
        assert_eq!(table("DeviceNetworkInfo").map(|t| t.columns.len()), Some(16));
        assert_eq!(table("IdentityLogonEvents").map(|t| t.columns.len()), Some(26));
    }

    #[test]
    fn table_names_are_case_sensitive() {
        assert!(table("devicelogonevents").is_none());
    }

    #[test]
    fn column_names_are_unique_within_each_table() {
        for t in tables() {
            let mut names: Vec<_> = t.columns.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{}", t.name);
        }
    }
}
