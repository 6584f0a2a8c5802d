//! IdentityLogonEvents: sign-ins seen by Defender for Identity (on-premises Active Directory,
//! from office addresses to the domain controllers) and by Defender for Cloud Apps (cloud
//! apps, from public addresses with the provider's name in `ISP`). The outside-ISP and
//! internal-only populations are made certain to appear through coverage rows. Some
//! outside-ISP addresses are only ever seen with a null ISP, an empty one or `none
//! specified`, which the seed rule must all treat as "not INTERNAL_NETWORK"; a few
//! on-premises rows have no IPAddress at all, which Kusto reads as an empty string.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Int32Builder, StringBuilder, TimestampNanosecondBuilder};
use datafusion::arrow::datatypes::SchemaRef;

use super::error::GenerateError;
use super::planted::Population;
use super::random::{Rng, Stream, mix, mix_all};
use super::sink::{BATCH_ROWS, Columns, PartitionFile};
use super::timeline::{Day, DayClock, OFFICE_HOURS};
use super::volume::{Coverage, Share};
use super::world::{Account, Role, World};

/// The table's name in the catalogue and the lake.
pub(crate) const TABLE: &str = "IdentityLogonEvents";

/// Columns whose values rarely repeat.
const UNIQUE_COLUMNS: &[&str] = &["Timestamp", "ReportId"];

/// What Defender for Cloud Apps writes for the organisation's own egress addresses.
const INTERNAL_NETWORK: &str = "INTERNAL_NETWORK";

/// Internet providers, with the country their addresses geolocate to.
const PROVIDERS: &[(&str, &str)] = &[
    ("Deutsche Telekom AG", "DE"),
    ("Vodafone GmbH", "DE"),
    ("Comcast Cable Communications, LLC", "US"),
    ("Verizon Business", "US"),
    ("British Telecommunications PLC", "GB"),
    ("Orange S.A.", "FR"),
    ("KPN B.V.", "NL"),
    ("Telefonica de Espana", "ES"),
    ("Bharti Airtel Ltd.", "IN"),
    ("NTT Communications Corporation", "JP"),
    ("Amazon.com, Inc.", "US"),
    ("Microsoft Corporation", "US"),
];

const CLOUD_APPS: &[&str] = &[
    "Office 365",
    "Microsoft Exchange Online",
    "Microsoft Teams",
    "Microsoft SharePoint Online",
    "Microsoft 365",
];

const CLOUD_LOGON_TYPES: &[&str] =
    &["Login:login", "OAuth2:Authorize", "OAuth2:Token", "Login:reprocess"];

/// How an on-premises logon reaches a domain controller.
#[derive(Debug, Clone, Copy)]
struct OnPremises {
    logon_type: &'static str,
    protocol: &'static str,
    port: i32,
    /// The AdditionalFields Defender for Identity attaches.
    additional: &'static str,
}

const fn on_premises_kind(
    logon_type: &'static str,
    protocol: &'static str,
    port: i32,
    additional: &'static str,
) -> OnPremises {
    OnPremises { logon_type, protocol, port, additional }
}

const ON_PREMISES: &[(u32, OnPremises)] = &[
    (
        50,
        on_premises_kind("Resource access", "Kerberos", 88, r#"{"Spns":"cifs/fs-01.contoso.com"}"#),
    ),
    (
        30,
        on_premises_kind(
            "Credentials validation",
            "Kerberos",
            88,
            r#"{"Spns":"krbtgt/CONTOSO.COM"}"#,
        ),
    ),
    (12, on_premises_kind("Credentials validation", "Ntlm", 445, "{}")),
    (8, on_premises_kind("Interactive", "Ldap", 389, "{}")),
];

/// The ISP written on a planted address's logons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isp {
    Provider,
    Internal,
    NoneSpecified,
    Empty,
    Null,
}

/// The non-internal ISP an outside-ISP address is known by, by its rank in the population:
/// one in eight is only ever seen with a null ISP, one with an empty one, one with `none
/// specified` (each besides the odd `INTERNAL_NETWORK`); the rest with their provider. An
/// engine that lets a null ISP fail `ISP != "INTERNAL_NETWORK"`, as SQL's three-valued logic
/// does, wrongly reports the null-only addresses.
fn outside_isp(rank: usize) -> Isp {
    match rank % 8 {
        0 => Isp::Null,
        1 => Isp::Empty,
        2 => Isp::NoneSpecified,
        _ => Isp::Provider,
    }
}

/// Everyday ISPs of an outside-ISP address known by its provider: sometimes also seen as
/// internal, which must not hide it from the seed rule's second join.
const OUTSIDE_ISPS: &[(u32, Isp)] = &[
    (70, Isp::Provider),
    (10, Isp::Internal),
    (10, Isp::NoneSpecified),
    (5, Isp::Empty),
    (5, Isp::Null),
];

/// Which addresses identity logons are reserved for, in coverage order.
pub(crate) fn coverage_targets(world: &World) -> Vec<usize> {
    (0..world.planted.all.len())
        .filter(|&i| {
            matches!(
                world.planted.all[i].population,
                Population::OutsideIsp | Population::InternalOnly
            )
        })
        .collect()
}

/// One row, borrowing every string.
struct IdentityRow<'a> {
    timestamp: i64,
    action: &'static str,
    application: &'static str,
    logon_type: &'static str,
    protocol: Option<&'static str>,
    failure_reason: Option<&'static str>,
    account: &'a Account,
    account_domain: &'a str,
    device_name: Option<&'a str>,
    device_type: &'static str,
    os_platform: &'static str,
    ip: Option<&'a str>,
    port: Option<i32>,
    destination: Option<(&'a str, &'a str, i32)>,
    target_device: Option<&'a str>,
    location: Option<&'static str>,
    isp: Option<&'static str>,
    report_id: String,
    additional_fields: Option<&'static str>,
}

/// Writes one day of IdentityLogonEvents; returns the rows written. Coverage row `k` is
/// reserved for planted address `targets[k]` (see [`coverage_targets`]).
pub(crate) fn write_day(
    world: &World,
    schema: SchemaRef,
    day: &Day,
    share: Share,
    coverage: Coverage,
    targets: &[usize],
    root: &Path,
) -> Result<u64, GenerateError> {
    let mut rng = Rng::stream(world.seed, Stream::IdentityLogons, day.index);
    let clock = DayClock::new(&OFFICE_HOURS);
    let office: Vec<String> =
        (0..world.devices.len()).map(|d| world.office_ipv4(d, day.index).to_string()).collect();
    let mut file = PartitionFile::create(root, TABLE, day, schema, UNIQUE_COLUMNS)?;
    // The day's first on-premises logon has no address, besides a random one in a thousand.
    let mut blank_planted = false;
    let mut i = 0;
    while i < share.count {
        let rows = BATCH_ROWS.min(share.count - i);
        let mut columns = IdentityColumns::with_capacity(rows as usize);
        for _ in 0..rows {
            let lake_row = share.first + i;
            let timestamp = clock.instant(day, i, share.count, rng.unit());
            let account = &world.accounts[rng.index(world.accounts.len())];
            let mut row = IdentityRow::new(timestamp, account, world, lake_row, &mut rng);
            match coverage.at(lake_row).and_then(|k| targets.get(k)) {
                Some(&planted) => cloud(world, &mut rng, &mut row, Source::Coverage(planted)),
                None if rng.chance(0.65) => {
                    on_premises(world, &office, &mut rng, &mut row);
                    if !blank_planted {
                        row.ip = None;
                        blank_planted = true;
                    }
                }
                None => cloud(world, &mut rng, &mut row, Source::Drawn),
            }
            columns.push(&row);
            i += 1;
        }
        file.write(columns.finish())?;
    }
    file.finish()
}

/// Where a cloud sign-in's address comes from.
enum Source {
    /// A coverage row, reserved for this planted address.
    Coverage(usize),
    /// Drawn: mostly roaming addresses, some planted ones.
    Drawn,
}

impl<'a> IdentityRow<'a> {
    fn new(
        timestamp: i64,
        account: &'a Account,
        world: &'a World,
        lake_row: u64,
        rng: &mut Rng,
    ) -> Self {
        let failed = rng.chance(0.06);
        IdentityRow {
            timestamp,
            action: if failed { "LogonFailed" } else { "LogonSuccess" },
            application: "Active Directory",
            logon_type: "Resource access",
            protocol: None,
            failure_reason: failed
                .then(|| *rng.pick(&["WrongPassword", "AccountDisabled", "UnknownUser"])),
            account,
            account_domain: world.domain.dns,
            device_name: None,
            device_type: "Desktop",
            os_platform: "Windows10",
            ip: None,
            port: None,
            destination: None,
            target_device: None,
            location: None,
            isp: None,
            report_id: report_id(world.seed, lake_row),
            additional_fields: None,
        }
    }
}

/// A report id of 32 hex digits, unique per row: the second half is a bijective mix of the
/// row number.
fn report_id(seed: u64, lake_row: u64) -> String {
    format!("{:016x}{:016x}", mix_all(&[seed, lake_row]), mix(lake_row ^ seed))
}

/// A Kerberos, NTLM or LDAP logon from an office device to a domain controller.
fn on_premises<'a>(
    world: &'a World,
    office: &'a [String],
    rng: &mut Rng,
    row: &mut IdentityRow<'a>,
) {
    let source = rng.index(world.devices.len());
    let device = &world.devices[source];
    let OnPremises { logon_type, protocol, port, additional } = rng.weighted(ON_PREMISES);
    let controller = rng.pick(&world.domain_controllers);
    row.logon_type = logon_type;
    row.protocol = Some(protocol);
    row.device_name = Some(&device.fqdn);
    row.device_type = if device.role == Role::Server { "Server" } else { "Desktop" };
    row.os_platform = windows_platform(device.os_build);
    row.ip = (!rng.chance(0.001)).then(|| office[source].as_str());
    row.port = Some(rng.between(49_152, 65_535) as i32);
    row.destination = Some((&controller.fqdn, &controller.ip, port));
    if logon_type == "Resource access" {
        let target = &world.devices[rng.index(world.devices.len())];
        row.target_device = Some(&target.fqdn);
    }
    row.additional_fields = Some(additional);
}

/// A cloud-app sign-in from a public address, with the address's provider and country.
fn cloud<'a>(world: &'a World, rng: &mut Rng, row: &mut IdentityRow<'a>, source: Source) {
    row.application = *rng.pick(CLOUD_APPS);
    row.logon_type = *rng.pick(CLOUD_LOGON_TYPES);
    row.failure_reason = row.failure_reason.map(|_| "InvalidUserNameOrPassword");
    (row.device_type, row.os_platform) = *rng.pick(&[
        ("Desktop", "Windows10"),
        ("Desktop", "Windows11"),
        ("Mobile", "iOS"),
        ("Mobile", "Android"),
        ("Desktop", "MacOS"),
    ]);
    let planted = &world.planted;
    let (text, isp) = match source {
        Source::Coverage(index) => {
            let address = &planted.all[index];
            let isp = match address.population {
                Population::OutsideIsp => outside_isp(address.rank),
                _ => Isp::Internal,
            };
            (address.text.as_str(), isp)
        }
        Source::Drawn => drawn_address(world, rng),
    };
    let (provider, country) = provider_of(world.seed, text);
    row.ip = Some(text);
    (row.isp, row.location) = match isp {
        Isp::Provider => (Some(provider), Some(country)),
        Isp::Internal => (Some(INTERNAL_NETWORK), Some("DE")),
        Isp::NoneSpecified => (Some("none specified"), None),
        Isp::Empty => (Some(""), Some("")),
        Isp::Null => (None, None),
    };
}

/// A drawn cloud sign-in address: owned egress addresses, outside-ISP and internal-only
/// addresses, and (most often) roaming ones.
fn drawn_address<'a>(world: &'a World, rng: &mut Rng) -> (&'a str, Isp) {
    let planted = &world.planted;
    let population = rng.weighted(&[
        (20, Some(Population::Owned)),
        (25, Some(Population::OutsideIsp)),
        (15, Some(Population::InternalOnly)),
        (40, None),
    ]);
    let members = population.map(|p| planted.members(p)).unwrap_or_default();
    if members.is_empty() {
        return (rng.pick(&planted.roaming).as_str(), Isp::Provider);
    }
    let address = &planted.all[members[rng.skewed_index(members.len())]];
    let isp = match address.population {
        Population::Owned if rng.chance(0.6) => Isp::Internal,
        Population::Owned => Isp::Provider,
        Population::OutsideIsp => match outside_isp(address.rank) {
            Isp::Provider => rng.weighted(OUTSIDE_ISPS),
            _ if rng.chance(0.2) => Isp::Internal,
            odd => odd,
        },
        Population::InternalOnly => Isp::Internal,
        // Never drawn above; an unknown address must stay out of this table.
        Population::Unknown => return (rng.pick(&planted.roaming).as_str(), Isp::Provider),
    };
    (address.text.as_str(), isp)
}

/// The provider (and its country) an address belongs to, stable for the address.
fn provider_of(seed: u64, text: &str) -> (&'static str, &'static str) {
    let hash = text
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    PROVIDERS[(mix_all(&[seed, hash]) % PROVIDERS.len() as u64) as usize]
}

/// Defender's OSPlatform for a Windows build.
fn windows_platform(build: &str) -> &'static str {
    match build.split('.').nth(2).and_then(|b| b.parse::<u32>().ok()) {
        Some(17_763) => "WindowsServer2019",
        Some(20_348) => "WindowsServer2022",
        Some(b) if b >= 22_000 => "Windows11",
        _ => "Windows10",
    }
}

/// Builders for the 26 columns of one batch.
struct IdentityColumns {
    timestamp: TimestampNanosecondBuilder,
    action_type: StringBuilder,
    application: StringBuilder,
    logon_type: StringBuilder,
    protocol: StringBuilder,
    failure_reason: StringBuilder,
    account_name: StringBuilder,
    account_domain: StringBuilder,
    account_upn: StringBuilder,
    account_sid: StringBuilder,
    account_object_id: StringBuilder,
    account_display_name: StringBuilder,
    device_name: StringBuilder,
    device_type: StringBuilder,
    os_platform: StringBuilder,
    ip_address: StringBuilder,
    port: Int32Builder,
    destination_device_name: StringBuilder,
    destination_ip_address: StringBuilder,
    destination_port: Int32Builder,
    target_device_name: StringBuilder,
    target_account_display_name: StringBuilder,
    location: StringBuilder,
    isp: StringBuilder,
    report_id: StringBuilder,
    additional_fields: StringBuilder,
}

impl IdentityColumns {
    fn with_capacity(rows: usize) -> Self {
        let strings = |bytes: usize| StringBuilder::with_capacity(rows, rows * bytes);
        IdentityColumns {
            timestamp: TimestampNanosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            action_type: strings(12),
            application: strings(16),
            logon_type: strings(16),
            protocol: strings(6),
            failure_reason: strings(1),
            account_name: strings(12),
            account_domain: strings(11),
            account_upn: strings(24),
            account_sid: strings(44),
            account_object_id: strings(36),
            account_display_name: strings(12),
            device_name: strings(14),
            device_type: strings(7),
            os_platform: strings(9),
            ip_address: strings(12),
            port: Int32Builder::with_capacity(rows),
            destination_device_name: strings(12),
            destination_ip_address: strings(6),
            destination_port: Int32Builder::with_capacity(rows),
            target_device_name: strings(8),
            target_account_display_name: strings(0),
            location: strings(2),
            isp: strings(8),
            report_id: strings(32),
            additional_fields: strings(20),
        }
    }

    fn push(&mut self, row: &IdentityRow<'_>) {
        let account = row.account;
        self.timestamp.append_value(row.timestamp);
        self.action_type.append_value(row.action);
        self.application.append_value(row.application);
        self.logon_type.append_value(row.logon_type);
        self.protocol.append_option(row.protocol);
        self.failure_reason.append_option(row.failure_reason);
        self.account_name.append_value(&account.name);
        self.account_domain.append_value(row.account_domain);
        self.account_upn.append_value(&account.upn);
        self.account_sid.append_value(&account.sid);
        self.account_object_id.append_value(&account.object_id);
        self.account_display_name.append_value(&account.display);
        self.device_name.append_option(row.device_name);
        self.device_type.append_value(row.device_type);
        self.os_platform.append_value(row.os_platform);
        self.ip_address.append_option(row.ip);
        self.port.append_option(row.port);
        self.destination_device_name.append_option(row.destination.map(|(name, _, _)| name));
        self.destination_ip_address.append_option(row.destination.map(|(_, ip, _)| ip));
        self.destination_port.append_option(row.destination.map(|(_, _, port)| port));
        self.target_device_name.append_option(row.target_device);
        self.target_account_display_name.append_null();
        self.location.append_option(row.location);
        self.isp.append_option(row.isp);
        self.report_id.append_value(&row.report_id);
        self.additional_fields.append_option(row.additional_fields);
    }

    fn finish(&mut self) -> Columns {
        let mut c = Columns::default();
        c.add("Timestamp", Arc::new(self.timestamp.finish()));
        c.add("ActionType", Arc::new(self.action_type.finish()));
        c.add("Application", Arc::new(self.application.finish()));
        c.add("LogonType", Arc::new(self.logon_type.finish()));
        c.add("Protocol", Arc::new(self.protocol.finish()));
        c.add("FailureReason", Arc::new(self.failure_reason.finish()));
        c.add("AccountName", Arc::new(self.account_name.finish()));
        c.add("AccountDomain", Arc::new(self.account_domain.finish()));
        c.add("AccountUpn", Arc::new(self.account_upn.finish()));
        c.add("AccountSid", Arc::new(self.account_sid.finish()));
        c.add("AccountObjectId", Arc::new(self.account_object_id.finish()));
        c.add("AccountDisplayName", Arc::new(self.account_display_name.finish()));
        c.add("DeviceName", Arc::new(self.device_name.finish()));
        c.add("DeviceType", Arc::new(self.device_type.finish()));
        c.add("OSPlatform", Arc::new(self.os_platform.finish()));
        c.add("IPAddress", Arc::new(self.ip_address.finish()));
        c.add("Port", Arc::new(self.port.finish()));
        c.add("DestinationDeviceName", Arc::new(self.destination_device_name.finish()));
        c.add("DestinationIPAddress", Arc::new(self.destination_ip_address.finish()));
        c.add("DestinationPort", Arc::new(self.destination_port.finish()));
        c.add("TargetDeviceName", Arc::new(self.target_device_name.finish()));
        c.add("TargetAccountDisplayName", Arc::new(self.target_account_display_name.finish()));
        c.add("Location", Arc::new(self.location.finish()));
        c.add("ISP", Arc::new(self.isp.finish()));
        c.add("ReportId", Arc::new(self.report_id.finish()));
        c.add("AdditionalFields", Arc::new(self.additional_fields.finish()));
        c
    }
}
