//! The catalogue of the Defender XDR advanced-hunting tables that lakehunt knows by heart:
//! each table's columns with their Kusto types, and the Arrow types a lake stores them as.
//! `generate` writes these schemas, the lake reader checks files against them, the engine uses
//! them to tell a column the lake lacks from a column no such table ever had, and a rule can be
//! planned against empty tables of them without reading any data.
//!
//! The column lists follow Microsoft's advanced-hunting schema reference (the
//! `advanced-hunting-<table>-table` pages of the Defender XDR documentation on Microsoft Learn, in
//! their 2024 versions), in the order those pages list them, and depart from them in two ways only,
//! both as real exports and the public hunting queries have it: `ISP` is spelled in capitals where
//! a page spells `Isp`, and a column that holds JSON (every `AdditionalFields` but the seed rule's
//! `DeviceLogonEvents` one, `LoggedOnUsers`, `CrlDistributionPointUrls`, AlertEvidence's
//! `Categories`) is typed `dynamic` even where its page says `string`, as Sentinel types such
//! columns. Microsoft adds columns over time and exports may carry more than listed here: the lake
//! reader keeps such columns, after the catalogued ones. A table whose column list could not be
//! checked against the reference is left out rather than guessed.
//!
//! The tables are grouped by area: `device`, `device_events` and `device_tvm` (Defender
//! for Endpoint), `identity`, `email`, `cloud`, and `alert` (alerts and behaviors).

mod alert;
mod cloud;
mod device;
mod device_events;
mod device_tvm;
mod email;
mod identity;
mod spelling;

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{Error, Result};

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

    /// The column of this table closest to `name` (another case, or a typo or two away), for
    /// messages such as "no column remoteip; did you mean RemoteIP?".
    pub fn suggest_column(&self, name: &str) -> Option<&'static str> {
        spelling::closest(name, self.columns.iter().map(|c| c.name))
    }

    /// True when the table has a `Timestamp` column, the one a time window applies to.
    pub fn has_timestamp(&self) -> bool {
        self.column("Timestamp").is_some_and(|c| c.kind == KustoType::DateTime)
    }
}

/// The table called `name` (case-sensitive, as in Kusto), if lakehunt knows it.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

/// The table called `name`, or an error that names it and suggests the catalogued table the
/// user most likely meant (`devicelogonevents` → `DeviceLogonEvents`).
pub fn lookup(name: &str) -> Result<&'static TableDef> {
    table(name).ok_or_else(|| Error::UnknownTable {
        table: name.to_string(),
        hint: match suggest_table(name) {
            Some(known) => format!("did you mean {known}? Table names are case-sensitive"),
            None => format!("lakehunt knows {} tables; `lakehunt schema` lists them", TABLES.len()),
        },
    })
}

/// The catalogued table name closest to `name`: the same name in another case, or else one a
/// typo or two away. `None` when no table is close enough or `name` is already right.
pub fn suggest_table(name: &str) -> Option<&'static str> {
    spelling::closest(name, TABLES.iter().map(|t| t.name))
}

/// Every catalogued table, grouped by area.
pub fn tables() -> &'static [TableDef] {
    TABLES
}

const fn col(name: &'static str, kind: KustoType) -> ColumnDef {
    ColumnDef { name, kind }
}

const fn def(name: &'static str, columns: &'static [ColumnDef]) -> TableDef {
    TableDef { name, columns }
}

static TABLES: &[TableDef] = &[
    def("DeviceInfo", device::DEVICE_INFO),
    def("DeviceNetworkInfo", device::DEVICE_NETWORK_INFO),
    def("DeviceFileCertificateInfo", device::DEVICE_FILE_CERTIFICATE_INFO),
    def("DeviceLogonEvents", device::DEVICE_LOGON_EVENTS),
    def("DeviceNetworkEvents", device::DEVICE_NETWORK_EVENTS),
    def("DeviceProcessEvents", device_events::DEVICE_PROCESS_EVENTS),
    def("DeviceEvents", device_events::DEVICE_EVENTS),
    def("DeviceFileEvents", device_events::DEVICE_FILE_EVENTS),
    def("DeviceRegistryEvents", device_events::DEVICE_REGISTRY_EVENTS),
    def("DeviceImageLoadEvents", device_events::DEVICE_IMAGE_LOAD_EVENTS),
    def("DeviceTvmSoftwareInventory", device_tvm::DEVICE_TVM_SOFTWARE_INVENTORY),
    def("DeviceTvmSoftwareVulnerabilities", device_tvm::DEVICE_TVM_SOFTWARE_VULNERABILITIES),
    def("DeviceTvmSoftwareVulnerabilitiesKB", device_tvm::DEVICE_TVM_SOFTWARE_VULNERABILITIES_KB),
    def(
        "DeviceTvmSecureConfigurationAssessment",
        device_tvm::DEVICE_TVM_SECURE_CONFIGURATION_ASSESSMENT,
    ),
    def(
        "DeviceTvmSecureConfigurationAssessmentKB",
        device_tvm::DEVICE_TVM_SECURE_CONFIGURATION_ASSESSMENT_KB,
    ),
    def("IdentityLogonEvents", identity::IDENTITY_LOGON_EVENTS),
    def("IdentityInfo", identity::IDENTITY_INFO),
    def("IdentityQueryEvents", identity::IDENTITY_QUERY_EVENTS),
    def("IdentityDirectoryEvents", identity::IDENTITY_DIRECTORY_EVENTS),
    def("EmailEvents", email::EMAIL_EVENTS),
    def("EmailAttachmentInfo", email::EMAIL_ATTACHMENT_INFO),
    def("EmailUrlInfo", email::EMAIL_URL_INFO),
    def("EmailPostDeliveryEvents", email::EMAIL_POST_DELIVERY_EVENTS),
    def("UrlClickEvents", email::URL_CLICK_EVENTS),
    def("CloudAppEvents", cloud::CLOUD_APP_EVENTS),
    def("AADSignInEventsBeta", cloud::AAD_SIGN_IN_EVENTS_BETA),
    def("AADSpnSignInEventsBeta", cloud::AAD_SPN_SIGN_IN_EVENTS_BETA),
    def("AlertInfo", alert::ALERT_INFO),
    def("AlertEvidence", alert::ALERT_EVIDENCE),
    def("BehaviorInfo", alert::BEHAVIOR_INFO),
    def("BehaviorEntities", alert::BEHAVIOR_ENTITIES),
];

#[cfg(test)]
mod tests {
    use datafusion::arrow::record_batch::RecordBatch;

    use super::*;

    /// A table's columns as `name:type` words, the way the tests below spell them.
    fn signature(name: &str) -> String {
        let columns = table(name).map_or(&[][..], |t| t.columns);
        let words: Vec<String> =
            columns.iter().map(|c| format!("{}:{}", c.name, c.kind.name())).collect();
        words.join(" ")
    }

    #[test]
    fn seed_rule_tables_have_defenders_column_counts() {
        assert_eq!(table("DeviceLogonEvents").map(|t| t.columns.len()), Some(48));
        assert_eq!(table("DeviceNetworkInfo").map(|t| t.columns.len()), Some(16));
        assert_eq!(table("IdentityLogonEvents").map(|t| t.columns.len()), Some(26));
    }

    #[test]
    fn seed_rule_tables_keep_their_columns_and_types_exactly() {
        let initiating = "InitiatingProcessAccountDomain:string \
            InitiatingProcessAccountName:string InitiatingProcessAccountSid:string \
            InitiatingProcessAccountUpn:string InitiatingProcessAccountObjectId:string \
            InitiatingProcessIntegrityLevel:string InitiatingProcessTokenElevation:string \
            InitiatingProcessSHA1:string InitiatingProcessSHA256:string \
            InitiatingProcessMD5:string InitiatingProcessFileName:string \
            InitiatingProcessFileSize:long InitiatingProcessVersionInfoCompanyName:string \
            InitiatingProcessVersionInfoProductName:string \
            InitiatingProcessVersionInfoProductVersion:string \
            InitiatingProcessVersionInfoInternalFileName:string \
            InitiatingProcessVersionInfoOriginalFileName:string \
            InitiatingProcessVersionInfoFileDescription:string InitiatingProcessId:long \
            InitiatingProcessCommandLine:string InitiatingProcessCreationTime:datetime \
            InitiatingProcessFolderPath:string InitiatingProcessParentId:long \
            InitiatingProcessParentFileName:string InitiatingProcessParentCreationTime:datetime";
        let device_logons = format!(
            "Timestamp:datetime DeviceId:string DeviceName:string ActionType:string \
             LogonType:string AccountDomain:string AccountName:string AccountSid:string \
             Protocol:string FailureReason:string IsLocalAdmin:bool LogonId:long \
             RemoteDeviceName:string RemoteIP:string RemoteIPType:string RemotePort:int \
             {initiating} ReportId:long AppGuardContainerId:string AdditionalFields:string \
             InitiatingProcessSessionId:long IsInitiatingProcessRemoteSession:bool \
             InitiatingProcessRemoteSessionDeviceName:string \
             InitiatingProcessRemoteSessionIP:string"
        );
        assert_eq!(signature("DeviceLogonEvents"), device_logons);
        assert_eq!(
            signature("DeviceNetworkInfo"),
            "Timestamp:datetime DeviceId:string DeviceName:string NetworkAdapterName:string \
             MacAddress:string NetworkAdapterType:string NetworkAdapterStatus:string \
             TunnelType:string ConnectedNetworks:dynamic DnsAddresses:dynamic IPv4Dhcp:string \
             IPv6Dhcp:string DefaultGateways:dynamic IPAddresses:dynamic ReportId:long \
             NetworkAdapterVendor:string"
        );
        assert_eq!(
            signature("IdentityLogonEvents"),
            "Timestamp:datetime ActionType:string Application:string LogonType:string \
             Protocol:string FailureReason:string AccountName:string AccountDomain:string \
             AccountUpn:string AccountSid:string AccountObjectId:string \
             AccountDisplayName:string DeviceName:string DeviceType:string OSPlatform:string \
             IPAddress:string Port:int DestinationDeviceName:string \
             DestinationIPAddress:string DestinationPort:int TargetDeviceName:string \
             TargetAccountDisplayName:string Location:string ISP:string ReportId:string \
             AdditionalFields:dynamic"
        );
    }

    #[test]
    fn the_catalogue_covers_the_defender_xdr_hunting_areas() {
        let count = |prefix: &str| tables().iter().filter(|t| t.name.starts_with(prefix)).count();
        assert_eq!(tables().len(), 31);
        assert_eq!(count("DeviceTvm"), 5);
        assert_eq!(count("Device"), 15);
        assert_eq!(count("Identity"), 4);
        assert_eq!(count("Email"), 4);
        assert_eq!(count("AAD"), 2);
        for name in ["UrlClickEvents", "CloudAppEvents", "AlertInfo", "AlertEvidence"] {
            assert!(table(name).is_some(), "{name}");
        }
        assert_eq!(table("DeviceProcessEvents").map(|t| t.columns.len()), Some(66));
        assert_eq!(table("CloudAppEvents").map(|t| t.columns.len()), Some(36));
    }

    #[test]
    fn table_names_are_case_sensitive() {
        assert!(table("devicelogonevents").is_none());
    }

    #[test]
    fn table_names_are_unique() {
        let mut names: Vec<_> = tables().iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), tables().len());
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

    #[test]
    fn every_name_is_a_plain_kusto_identifier() {
        let plain = |name: &str| {
            name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        for t in tables() {
            assert!(plain(t.name), "{}", t.name);
            for c in t.columns {
                assert!(plain(c.name), "{}.{}", t.name, c.name);
            }
        }
    }

    #[test]
    fn every_table_but_the_vulnerability_snapshots_has_a_timestamp() {
        let without: Vec<&str> =
            tables().iter().filter(|t| !t.has_timestamp()).map(|t| t.name).collect();
        assert_eq!(
            without,
            [
                "DeviceTvmSoftwareInventory",
                "DeviceTvmSoftwareVulnerabilities",
                "DeviceTvmSoftwareVulnerabilitiesKB",
                "DeviceTvmSecureConfigurationAssessmentKB",
            ]
        );
        for t in tables() {
            let named = t.column("Timestamp");
            assert!(named.is_none_or(|c| c.kind == KustoType::DateTime), "{}", t.name);
        }
    }

    #[test]
    fn additional_fields_are_dynamic_except_the_seed_device_logons_text() {
        for t in tables() {
            let Some(column) = t.column("AdditionalFields") else {
                continue;
            };
            let expected =
                if t.name == "DeviceLogonEvents" { KustoType::String } else { KustoType::Dynamic };
            assert_eq!(column.kind, expected, "{}", t.name);
        }
    }

    #[test]
    fn every_table_builds_an_arrow_schema_and_an_empty_batch() {
        for t in tables() {
            let schema = t.arrow_schema();
            assert_eq!(schema.fields().len(), t.columns.len(), "{}", t.name);
            for (field, column) in schema.fields().iter().zip(t.columns) {
                assert_eq!(field.name(), column.name);
                assert_eq!(field.data_type(), &column.kind.arrow_type());
                assert!(field.is_nullable());
            }
            let empty = RecordBatch::new_empty(schema);
            assert_eq!((empty.num_rows(), empty.num_columns()), (0, t.columns.len()));
        }
    }

    #[test]
    fn an_unknown_table_is_named_with_the_spelling_meant() {
        let hint = |name: &str| lookup(name).map(|t| t.name).map_err(|e| e.to_string());
        assert_eq!(hint("DeviceLogonEvents"), Ok("DeviceLogonEvents"));
        assert_eq!(
            hint("devicelogonevents"),
            Err("unknown table devicelogonevents: did you mean DeviceLogonEvents? \
                 Table names are case-sensitive"
                .to_string())
        );
        assert_eq!(suggest_table("DeviceProcessEvent"), Some("DeviceProcessEvents"));
        let far = hint("SecurityEvent").err().unwrap_or_default();
        assert!(far.contains("lakehunt knows 31 tables; `lakehunt schema` lists them"), "{far}");
    }

    #[test]
    fn an_unknown_column_gets_the_spelling_meant() {
        let Some(logons) = table("DeviceLogonEvents") else {
            panic!("DeviceLogonEvents is catalogued");
        };
        assert_eq!(logons.suggest_column("remoteip"), Some("RemoteIP"));
        assert_eq!(logons.suggest_column("RemoteIP"), None);
        assert_eq!(logons.suggest_column("CommandLine"), None);
    }
}
