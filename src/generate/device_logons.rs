//! DeviceLogonEvents: what Defender for Endpoint reports each time an account signs in to an
//! onboarded device. Most rows are the everyday traffic of a Windows domain (network logons
//! between office machines, unlocks, service and scheduled-task logons); a few percent come
//! from public addresses, always one of the planted ones, and every planted address gets at
//! least one such logon through the coverage rows.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    BooleanBuilder, Int32Builder, Int64Builder, StringBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::datatypes::SchemaRef;

use super::error::GenerateError;
use super::planted::Population;
use super::random::{Rng, Stream};
use super::sink::{BATCH_ROWS, Columns, PartitionFile};
use super::timeline::{DAY_NANOS, Day, DayClock, OFFICE_HOURS};
use super::volume::{Coverage, Share};
use super::world::{Device, Image, ProcessImage, ProcessInstance, World};

/// The table's name in the catalogue and the lake.
pub(crate) const TABLE: &str = "DeviceLogonEvents";

/// Columns whose values rarely repeat.
const UNIQUE_COLUMNS: &[&str] = &["Timestamp", "LogonId", "ReportId"];

/// Everyday logons by kind, in ten-thousandths. Public logons come on top of the coverage
/// rows that guarantee every planted address appears.
const KINDS: &[(u32, Kind)] = &[
    (4_300, Kind::OfficeNetwork),
    (700, Kind::Interactive),
    (800, Kind::Unlock),
    (150, Kind::CachedInteractive),
    (300, Kind::OfficeRemoteDesktop),
    (2_500, Kind::Service),
    (900, Kind::Batch),
    (250, Kind::Public),
    (50, Kind::MappedAddress),
    (50, Kind::LinkLocal),
];

/// How public logons split over the populations (owned, outside ISP, internal only, unknown).
const POPULATION_WEIGHTS: [u32; 4] = [45, 30, 10, 15];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OfficeNetwork,
    Interactive,
    Unlock,
    CachedInteractive,
    OfficeRemoteDesktop,
    Service,
    Batch,
    Public,
    MappedAddress,
    LinkLocal,
}

/// Built-in accounts that services log on as: domain, name, SID and well-known logon id.
const SERVICE_ACCOUNTS: &[(&str, &str, &str, i64)] = &[
    ("NT AUTHORITY", "SYSTEM", "S-1-5-18", 0x3e7),
    ("NT AUTHORITY", "LOCAL SERVICE", "S-1-5-19", 0x3e5),
    ("NT AUTHORITY", "NETWORK SERVICE", "S-1-5-20", 0x3e4),
];

/// Virtual accounts Windows logs on interactively with every session.
const SESSION_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Window Manager", "DWM-1", "S-1-5-90-0-1"),
    ("Window Manager", "DWM-2", "S-1-5-90-0-2"),
    ("Font Driver Host", "UMFD-1", "S-1-5-96-0-1"),
];

/// Account names that password-spraying tools try from the internet.
const SPRAYED_NAMES: &[&str] = &[
    "administrator",
    "Administrator",
    "ADMINISTRATOR",
    "admin",
    "user",
    "test",
    "guest",
    "scanner",
    "backup",
    "support",
    "sql",
    "user1",
    "administrador",
    "demo",
];

/// Host names that internet scanners announce in NTLM negotiation.
const SCANNER_HOSTS: &[&str] = &["kali", "WIN-3F2A8BC1D9E", "DESKTOP-7H2K9LQ", "WORKSTATION"];

const FAILURE_REASONS: &[&str] = &[
    "InvalidUserNameOrPassword",
    "InvalidUserNameOrPassword",
    "InvalidUserNameOrPassword",
    "UnknownUser",
    "WrongPassword",
    "AccountDisabled",
    "AccountLocked",
];

const LOCAL_LOGON: &str = r#"{"IsLocalLogon":true}"#;
const REMOTE_LOGON: &str = r#"{"IsLocalLogon":false}"#;

/// What one day's rows borrow, built once per day.
struct DayPools<'w> {
    world: &'w World,
    day: Day,
    /// Midnight of the lake's first day, where process boot times are counted from.
    lake_start: i64,
    /// Each device's office address of the day, by device index.
    office: Vec<String>,
    /// The same addresses as IPv4-mapped IPv6 (`::ffff:10.x.y.z`).
    mapped: Vec<String>,
    /// APIPA addresses a misconfigured peer falls back to.
    link_local: Vec<String>,
    /// Public logon weights with empty populations zeroed, or `None` if nothing is planted.
    populations: Option<[(u32, Population); 4]>,
}

/// One row, borrowing every string.
struct LogonRow<'a> {
    timestamp: i64,
    device: &'a Device,
    action: &'static str,
    logon_type: Option<&'static str>,
    account_domain: Option<&'a str>,
    account_name: &'a str,
    account_sid: Option<&'a str>,
    protocol: Option<&'static str>,
    failure_reason: Option<&'static str>,
    is_local_admin: Option<bool>,
    logon_id: Option<i64>,
    remote_device: Option<&'a str>,
    remote_ip: Option<&'a str>,
    remote_ip_type: Option<&'static str>,
    remote_port: Option<i32>,
    process: Option<(&'a ProcessImage, ProcessInstance)>,
    session_id: Option<i64>,
    /// Device name and address of the remote session the initiating process runs in.
    remote_session: Option<(&'a str, &'a str)>,
    report_id: i64,
    additional_fields: Option<&'static str>,
}

/// Writes one day of DeviceLogonEvents; returns the rows written.
pub(crate) fn write_day(
    world: &World,
    schema: SchemaRef,
    day: &Day,
    share: Share,
    coverage: Coverage,
    root: &Path,
) -> Result<u64, GenerateError> {
    let pools = DayPools::new(world, *day);
    let clock = DayClock::new(&OFFICE_HOURS);
    let mut rng = Rng::stream(world.seed, Stream::DeviceLogons, day.index);
    let mut file = PartitionFile::create(root, TABLE, day, schema, UNIQUE_COLUMNS)?;
    let mut i = 0;
    while i < share.count {
        let rows = BATCH_ROWS.min(share.count - i);
        let mut columns = LogonColumns::with_capacity(rows as usize);
        for _ in 0..rows {
            let timestamp = clock.instant(day, i, share.count, rng.unit());
            let lake_row = share.first + i;
            columns.push(&pools.row(&mut rng, timestamp, lake_row, coverage.at(lake_row)));
            i += 1;
        }
        file.write(columns.finish())?;
    }
    file.finish()
}

impl<'w> DayPools<'w> {
    fn new(world: &'w World, day: Day) -> Self {
        let office: Vec<String> = (0..world.devices.len())
            .map(|d| world.office_ipv4(d, day.index).to_string())
            .collect();
        let mapped = office.iter().map(|ip| format!("::ffff:{ip}")).collect();
        let link_local = (0..64u32)
            .map(|n| format!("169.254.{}.{}", 1 + n * 3 % 254, 2 + n * 37 % 250))
            .collect();
        let mut populations = [
            (POPULATION_WEIGHTS[0], Population::Owned),
            (POPULATION_WEIGHTS[1], Population::OutsideIsp),
            (POPULATION_WEIGHTS[2], Population::InternalOnly),
            (POPULATION_WEIGHTS[3], Population::Unknown),
        ];
        for (weight, population) in &mut populations {
            if world.planted.members(*population).is_empty() {
                *weight = 0;
            }
        }
        let populations = populations
            .iter()
            .any(|&(w, _)| w > 0)
            .then_some(populations);
        let lake_start = day.start_nanos - i64::from(day.index) * DAY_NANOS;
        DayPools {
            world,
            day,
            lake_start,
            office,
            mapped,
            link_local,
            populations,
        }
    }

    /// The row at `timestamp`, lake row number `lake_row`; `planted` is the planted address
    /// the row is reserved for, if any.
    fn row(
        &self,
        rng: &mut Rng,
        timestamp: i64,
        lake_row: u64,
        planted: Option<usize>,
    ) -> LogonRow<'_> {
        let device_index = rng.index(self.world.devices.len());
        let device = &self.world.devices[device_index];
        let mut row = LogonRow {
            timestamp,
            device,
            action: "LogonSuccess",
            logon_type: Some("Network"),
            account_domain: None,
            account_name: "",
            account_sid: None,
            protocol: None,
            failure_reason: None,
            is_local_admin: None,
            logon_id: Some(rng.between(0x1_0000, 0xffff_ffff) as i64),
            remote_device: None,
            remote_ip: None,
            remote_ip_type: None,
            remote_port: None,
            process: None,
            session_id: Some(0),
            remote_session: None,
            report_id: lake_row as i64 + 1,
            additional_fields: None,
        };
        let kind = if planted.is_some() {
            Kind::Public
        } else {
            rng.weighted(KINDS)
        };
        let image = match kind {
            Kind::OfficeNetwork | Kind::MappedAddress | Kind::LinkLocal => {
                Some(self.office_network(rng, &mut row, kind))
            }
            Kind::Interactive | Kind::Unlock | Kind::CachedInteractive => {
                Some(self.interactive(rng, &mut row, kind))
            }
            Kind::OfficeRemoteDesktop => Some(self.office_remote_desktop(rng, &mut row)),
            Kind::Service => Some(self.service(rng, &mut row)),
            Kind::Batch => Some(self.batch(rng, &mut row)),
            Kind::Public => match self.public_address(rng, planted) {
                Some(address) => self.public(rng, &mut row, address, planted),
                None => Some(self.office_network(rng, &mut row, Kind::OfficeNetwork)),
            },
        };
        row.process = image.map(|image| {
            let instance = self
                .world
                .process(device_index, image, self.day.index, self.lake_start);
            (self.world.image(image), instance)
        });
        row
    }

    /// The planted address of a public logon: the reserved one on coverage rows, otherwise
    /// one drawn by population weight, a few addresses of each population being busy.
    /// `None` when nothing is planted (a lake of fewer than four logons).
    fn public_address(&self, rng: &mut Rng, planted: Option<usize>) -> Option<usize> {
        planted.or_else(|| {
            let weights = self.populations?;
            let members = self.world.planted.members(rng.weighted(&weights));
            Some(members[rng.skewed_index(members.len())])
        })
    }

    /// A network logon from another office device (over IPv4, IPv4-mapped IPv6, or a
    /// link-local fallback address), by its computer account or a user.
    fn office_network<'a>(&'a self, rng: &mut Rng, row: &mut LogonRow<'a>, kind: Kind) -> Image {
        let peer = rng.index(self.world.devices.len());
        let (ip, ip_type) = match kind {
            Kind::MappedAddress => (self.mapped[peer].as_str(), "FourToSixMapping"),
            Kind::LinkLocal => (rng.pick(&self.link_local).as_str(), "Reserved"),
            _ => (self.office[peer].as_str(), "Private"),
        };
        row.remote_ip = Some(ip);
        row.remote_ip_type = Some(ip_type);
        row.remote_port = Some(rng.between(49_152, 65_535) as i32);
        row.remote_device = rng
            .chance(0.6)
            .then(|| self.world.devices[peer].host.as_str());
        row.protocol = Some(rng.weighted(&[(65, "Kerberos"), (25, "NTLM"), (10, "Negotiate")]));
        if rng.chance(0.4) {
            let computer = &self.world.devices[peer];
            row.account_domain = Some(self.world.domain.netbios);
            row.account_name = &computer.machine_account;
            row.account_sid = Some(&computer.machine_sid);
            row.is_local_admin = Some(false);
        } else {
            self.domain_user(rng, row, None);
            row.is_local_admin = Some(rng.chance(0.05));
        }
        row.additional_fields = Some(REMOTE_LOGON);
        outcome(rng, row, 0.04);
        Image::Lsass
    }

    /// A logon at the keyboard: sign-in, unlock, or sign-in with cached credentials; some
    /// are the virtual accounts Windows starts with each session.
    fn interactive<'a>(&'a self, rng: &mut Rng, row: &mut LogonRow<'a>, kind: Kind) -> Image {
        row.logon_type = Some(match kind {
            Kind::Unlock => "Unlock",
            Kind::CachedInteractive => "CachedInteractive",
            _ => "Interactive",
        });
        if kind == Kind::Interactive && rng.chance(0.25) {
            let &(domain, name, sid) = rng.pick(SESSION_ACCOUNTS);
            row.account_domain = Some(domain);
            row.account_name = name;
            row.account_sid = Some(sid);
            row.is_local_admin = Some(false);
        } else {
            let primary = row.device.primary_user;
            let user = if rng.chance(0.8) { Some(primary) } else { None };
            self.domain_user(rng, row, user);
            row.is_local_admin = Some(user.is_some() && rng.chance(0.3));
        }
        row.protocol = Some("Negotiate");
        if rng.chance(0.6) {
            row.remote_ip = Some(if rng.chance(0.2) { "::1" } else { "127.0.0.1" });
            row.remote_ip_type = Some("Loopback");
            row.remote_port = Some(0);
        } else {
            row.remote_ip = Some("");
            row.remote_ip_type = Some("");
        }
        row.session_id = Some(rng.between(1, 2) as i64);
        row.additional_fields = Some(LOCAL_LOGON);
        outcome(rng, row, 0.03);
        Image::Winlogon
    }

    /// Remote Desktop from another office device.
    fn office_remote_desktop<'a>(&'a self, rng: &mut Rng, row: &mut LogonRow<'a>) -> Image {
        let peer = rng.index(self.world.devices.len());
        let (host, ip) = (
            self.world.devices[peer].host.as_str(),
            self.office[peer].as_str(),
        );
        row.logon_type = Some("RemoteInteractive");
        row.remote_ip = Some(ip);
        row.remote_ip_type = Some("Private");
        row.remote_port = Some(rng.between(49_152, 65_535) as i32);
        row.remote_device = Some(host);
        row.protocol = Some("Negotiate");
        self.domain_user(rng, row, None);
        row.is_local_admin = Some(rng.chance(0.4));
        row.session_id = Some(rng.between(2, 6) as i64);
        row.remote_session = Some((host, ip));
        row.additional_fields = Some(REMOTE_LOGON);
        outcome(rng, row, 0.05);
        Image::Winlogon
    }

    /// A service starting under a built-in account.
    fn service(&self, rng: &mut Rng, row: &mut LogonRow<'_>) -> Image {
        let &(domain, name, sid, logon_id) =
            &SERVICE_ACCOUNTS[rng.weighted(&[(60, 0), (20, 1), (20, 2)])];
        row.logon_type = Some("Service");
        row.account_domain = Some(domain);
        row.account_name = name;
        row.account_sid = Some(sid);
        row.logon_id = Some(logon_id);
        row.is_local_admin = Some(name == "SYSTEM");
        row.additional_fields = Some(LOCAL_LOGON);
        Image::Services
    }

    /// A scheduled task running as a domain user.
    fn batch<'a>(&'a self, rng: &mut Rng, row: &mut LogonRow<'a>) -> Image {
        row.logon_type = Some("Batch");
        self.domain_user(rng, row, None);
        row.protocol = Some("Negotiate");
        row.is_local_admin = Some(false);
        row.additional_fields = Some(LOCAL_LOGON);
        outcome(rng, row, 0.02);
        Image::TaskScheduler
    }

    /// A logon from planted address `planted_index`, reserved for it if `coverage` is set.
    /// Outside and unknown addresses mostly spray passwords; owned and internal ones are
    /// mostly staff. The first two coverage rows carry the null AccountDomain and LogonType
    /// that a faithful engine must group as empty strings; a few other public rows do too.
    /// Half the failures come without an initiating process, as Defender often reports them.
    fn public<'a>(
        &'a self,
        rng: &mut Rng,
        row: &mut LogonRow<'a>,
        planted_index: usize,
        coverage: Option<usize>,
    ) -> Option<Image> {
        let address = &self.world.planted.all[planted_index];
        row.remote_ip = Some(&address.text);
        row.remote_ip_type = Some("Public");
        row.remote_port = Some(rng.between(1_024, 65_535) as i32);
        row.logon_type = Some(if rng.chance(0.65) {
            "Network"
        } else {
            "RemoteInteractive"
        });
        row.protocol = Some(if rng.chance(0.7) { "NTLM" } else { "Negotiate" });
        row.additional_fields = Some(REMOTE_LOGON);
        let hostile = matches!(
            address.population,
            Population::OutsideIsp | Population::Unknown
        );
        if rng.chance(if hostile { 0.75 } else { 0.15 }) {
            row.action = "LogonFailed";
            row.failure_reason = Some(*rng.pick(FAILURE_REASONS));
            row.account_name = *rng.pick(SPRAYED_NAMES);
            row.account_domain = match rng.below(3) {
                0 => Some(""),
                1 => Some(row.device.netbios.as_str()),
                _ => Some("WORKGROUP"),
            };
            row.logon_id = None;
            row.remote_device = rng.chance(0.5).then(|| *rng.pick(SCANNER_HOSTS));
        } else {
            self.domain_user(rng, row, None);
            row.is_local_admin = Some(rng.chance(0.1));
            if rng.chance(0.05) {
                row.action = "LogonAttempted";
                row.logon_id = None;
            }
        }
        if coverage == Some(0) || rng.chance(0.01) {
            row.account_domain = None;
        }
        if coverage == Some(1) || rng.chance(0.01) {
            row.logon_type = None;
        }
        let bare = row.action == "LogonFailed" && rng.chance(0.5);
        (!bare).then_some(Image::Lsass)
    }

    /// Sets the row's account to domain user `index`, or a random one.
    fn domain_user<'a>(&'a self, rng: &mut Rng, row: &mut LogonRow<'a>, index: Option<usize>) {
        let index = index.unwrap_or_else(|| rng.index(self.world.accounts.len()));
        let account = &self.world.accounts[index];
        row.account_domain = Some(self.world.domain.netbios);
        row.account_name = &account.name;
        row.account_sid = Some(&account.sid);
    }
}

/// Turns a successful logon into a failure (with probability `failure`) or, rarely, a
/// logon that was only attempted.
fn outcome(rng: &mut Rng, row: &mut LogonRow<'_>, failure: f64) {
    let draw = rng.unit();
    if draw < failure {
        row.action = "LogonFailed";
        row.failure_reason = Some(*rng.pick(FAILURE_REASONS));
        row.logon_id = None;
        row.is_local_admin = None;
    } else if draw < failure + 0.005 {
        row.action = "LogonAttempted";
        row.logon_id = None;
    }
}

/// Builders for the 48 columns of one batch.
struct LogonColumns {
    timestamp: TimestampNanosecondBuilder,
    device_id: StringBuilder,
    device_name: StringBuilder,
    action_type: StringBuilder,
    logon_type: StringBuilder,
    account_domain: StringBuilder,
    account_name: StringBuilder,
    account_sid: StringBuilder,
    protocol: StringBuilder,
    failure_reason: StringBuilder,
    is_local_admin: BooleanBuilder,
    logon_id: Int64Builder,
    remote_device_name: StringBuilder,
    remote_ip: StringBuilder,
    remote_ip_type: StringBuilder,
    remote_port: Int32Builder,
    process_account_domain: StringBuilder,
    process_account_name: StringBuilder,
    process_account_sid: StringBuilder,
    process_account_upn: StringBuilder,
    process_account_object_id: StringBuilder,
    process_integrity_level: StringBuilder,
    process_token_elevation: StringBuilder,
    process_sha1: StringBuilder,
    process_sha256: StringBuilder,
    process_md5: StringBuilder,
    process_file_name: StringBuilder,
    process_file_size: Int64Builder,
    process_company: StringBuilder,
    process_product: StringBuilder,
    process_product_version: StringBuilder,
    process_internal_name: StringBuilder,
    process_original_name: StringBuilder,
    process_description: StringBuilder,
    process_id: Int64Builder,
    process_command_line: StringBuilder,
    process_creation_time: TimestampNanosecondBuilder,
    process_folder_path: StringBuilder,
    process_parent_id: Int64Builder,
    process_parent_file_name: StringBuilder,
    process_parent_creation_time: TimestampNanosecondBuilder,
    report_id: Int64Builder,
    app_guard_container_id: StringBuilder,
    additional_fields: StringBuilder,
    process_session_id: Int64Builder,
    process_remote_session: BooleanBuilder,
    process_remote_session_device: StringBuilder,
    process_remote_session_ip: StringBuilder,
}

fn strings(rows: usize, bytes_per_row: usize) -> StringBuilder {
    StringBuilder::with_capacity(rows, rows * bytes_per_row)
}

fn instants(rows: usize) -> TimestampNanosecondBuilder {
    TimestampNanosecondBuilder::with_capacity(rows).with_timezone("UTC")
}

impl LogonColumns {
    fn with_capacity(rows: usize) -> Self {
        LogonColumns {
            timestamp: instants(rows),
            device_id: strings(rows, 40),
            device_name: strings(rows, 20),
            action_type: strings(rows, 12),
            logon_type: strings(rows, 8),
            account_domain: strings(rows, 8),
            account_name: strings(rows, 12),
            account_sid: strings(rows, 44),
            protocol: strings(rows, 8),
            failure_reason: strings(rows, 1),
            is_local_admin: BooleanBuilder::with_capacity(rows),
            logon_id: Int64Builder::with_capacity(rows),
            remote_device_name: strings(rows, 4),
            remote_ip: strings(rows, 10),
            remote_ip_type: strings(rows, 6),
            remote_port: Int32Builder::with_capacity(rows),
            process_account_domain: strings(rows, 12),
            process_account_name: strings(rows, 6),
            process_account_sid: strings(rows, 8),
            process_account_upn: strings(rows, 0),
            process_account_object_id: strings(rows, 0),
            process_integrity_level: strings(rows, 6),
            process_token_elevation: strings(rows, 25),
            process_sha1: strings(rows, 40),
            process_sha256: strings(rows, 64),
            process_md5: strings(rows, 32),
            process_file_name: strings(rows, 10),
            process_file_size: Int64Builder::with_capacity(rows),
            process_company: strings(rows, 21),
            process_product: strings(rows, 38),
            process_product_version: strings(rows, 15),
            process_internal_name: strings(rows, 10),
            process_original_name: strings(rows, 10),
            process_description: strings(rows, 30),
            process_id: Int64Builder::with_capacity(rows),
            process_command_line: strings(rows, 20),
            process_creation_time: instants(rows),
            process_folder_path: strings(rows, 32),
            process_parent_id: Int64Builder::with_capacity(rows),
            process_parent_file_name: strings(rows, 11),
            process_parent_creation_time: instants(rows),
            report_id: Int64Builder::with_capacity(rows),
            app_guard_container_id: strings(rows, 0),
            additional_fields: strings(rows, 22),
            process_session_id: Int64Builder::with_capacity(rows),
            process_remote_session: BooleanBuilder::with_capacity(rows),
            process_remote_session_device: strings(rows, 1),
            process_remote_session_ip: strings(rows, 1),
        }
    }

    fn push(&mut self, row: &LogonRow<'_>) {
        let device = row.device;
        self.timestamp.append_value(row.timestamp);
        self.device_id.append_value(&device.id);
        self.device_name.append_value(&device.fqdn);
        self.action_type.append_value(row.action);
        self.logon_type.append_option(row.logon_type);
        self.account_domain.append_option(row.account_domain);
        self.account_name.append_value(row.account_name);
        self.account_sid.append_option(row.account_sid);
        self.protocol.append_option(row.protocol);
        self.failure_reason.append_option(row.failure_reason);
        self.is_local_admin.append_option(row.is_local_admin);
        self.logon_id.append_option(row.logon_id);
        self.remote_device_name.append_option(row.remote_device);
        self.remote_ip.append_option(row.remote_ip);
        self.remote_ip_type.append_option(row.remote_ip_type);
        self.remote_port.append_option(row.remote_port);
        self.push_process(row);
        self.report_id.append_value(row.report_id);
        self.app_guard_container_id.append_value("");
        self.additional_fields.append_option(row.additional_fields);
        self.process_session_id.append_option(row.session_id);
        self.process_remote_session
            .append_value(row.remote_session.is_some());
        self.process_remote_session_device
            .append_option(row.remote_session.map(|(d, _)| d));
        self.process_remote_session_ip
            .append_option(row.remote_session.map(|(_, ip)| ip));
    }

    /// The `InitiatingProcess*` columns: a Windows system process running as SYSTEM.
    fn push_process(&mut self, row: &LogonRow<'_>) {
        let Some((image, instance)) = row.process else {
            self.push_no_process();
            return;
        };
        self.process_account_domain.append_value("nt authority");
        self.process_account_name.append_value("system");
        self.process_account_sid.append_value("S-1-5-18");
        self.process_account_upn.append_null();
        self.process_account_object_id.append_null();
        self.process_integrity_level.append_value("System");
        self.process_token_elevation
            .append_value("TokenElevationTypeDefault");
        self.process_sha1.append_value(&image.sha1);
        self.process_sha256.append_value(&image.sha256);
        self.process_md5.append_value(&image.md5);
        self.process_file_name.append_value(image.file_name);
        self.process_file_size.append_value(image.file_size);
        self.process_company.append_value("Microsoft Corporation");
        self.process_product
            .append_value("Microsoft\u{ae} Windows\u{ae} Operating System");
        self.process_product_version
            .append_value(row.device.os_build);
        self.process_internal_name.append_value(image.file_name);
        self.process_original_name.append_value(image.file_name);
        self.process_description.append_value(image.description);
        self.process_id.append_value(instance.id);
        self.process_command_line.append_value(image.command_line);
        self.process_creation_time
            .append_value(instance.created_nanos);
        self.process_folder_path.append_value(image.folder_path);
        self.process_parent_id.append_value(instance.parent_id);
        self.process_parent_file_name
            .append_value(image.parent_file_name);
        self.process_parent_creation_time
            .append_value(instance.parent_created_nanos);
    }

    fn push_no_process(&mut self) {
        for column in [
            &mut self.process_account_domain,
            &mut self.process_account_name,
            &mut self.process_account_sid,
            &mut self.process_account_upn,
            &mut self.process_account_object_id,
            &mut self.process_integrity_level,
            &mut self.process_token_elevation,
            &mut self.process_sha1,
            &mut self.process_sha256,
            &mut self.process_md5,
            &mut self.process_file_name,
            &mut self.process_company,
            &mut self.process_product,
            &mut self.process_product_version,
            &mut self.process_internal_name,
            &mut self.process_original_name,
            &mut self.process_description,
            &mut self.process_command_line,
            &mut self.process_folder_path,
            &mut self.process_parent_file_name,
        ] {
            column.append_null();
        }
        self.process_file_size.append_null();
        self.process_id.append_null();
        self.process_creation_time.append_null();
        self.process_parent_id.append_null();
        self.process_parent_creation_time.append_null();
    }

    fn finish(&mut self) -> Columns {
        let mut c = Columns::default();
        c.add("Timestamp", Arc::new(self.timestamp.finish()));
        c.add("DeviceId", Arc::new(self.device_id.finish()));
        c.add("DeviceName", Arc::new(self.device_name.finish()));
        c.add("ActionType", Arc::new(self.action_type.finish()));
        c.add("LogonType", Arc::new(self.logon_type.finish()));
        c.add("AccountDomain", Arc::new(self.account_domain.finish()));
        c.add("AccountName", Arc::new(self.account_name.finish()));
        c.add("AccountSid", Arc::new(self.account_sid.finish()));
        c.add("Protocol", Arc::new(self.protocol.finish()));
        c.add("FailureReason", Arc::new(self.failure_reason.finish()));
        c.add("IsLocalAdmin", Arc::new(self.is_local_admin.finish()));
        c.add("LogonId", Arc::new(self.logon_id.finish()));
        c.add(
            "RemoteDeviceName",
            Arc::new(self.remote_device_name.finish()),
        );
        c.add("RemoteIP", Arc::new(self.remote_ip.finish()));
        c.add("RemoteIPType", Arc::new(self.remote_ip_type.finish()));
        c.add("RemotePort", Arc::new(self.remote_port.finish()));
        c.add(
            "InitiatingProcessAccountDomain",
            Arc::new(self.process_account_domain.finish()),
        );
        c.add(
            "InitiatingProcessAccountName",
            Arc::new(self.process_account_name.finish()),
        );
        c.add(
            "InitiatingProcessAccountSid",
            Arc::new(self.process_account_sid.finish()),
        );
        c.add(
            "InitiatingProcessAccountUpn",
            Arc::new(self.process_account_upn.finish()),
        );
        c.add(
            "InitiatingProcessAccountObjectId",
            Arc::new(self.process_account_object_id.finish()),
        );
        c.add(
            "InitiatingProcessIntegrityLevel",
            Arc::new(self.process_integrity_level.finish()),
        );
        c.add(
            "InitiatingProcessTokenElevation",
            Arc::new(self.process_token_elevation.finish()),
        );
        c.add(
            "InitiatingProcessSHA1",
            Arc::new(self.process_sha1.finish()),
        );
        c.add(
            "InitiatingProcessSHA256",
            Arc::new(self.process_sha256.finish()),
        );
        c.add("InitiatingProcessMD5", Arc::new(self.process_md5.finish()));
        c.add(
            "InitiatingProcessFileName",
            Arc::new(self.process_file_name.finish()),
        );
        c.add(
            "InitiatingProcessFileSize",
            Arc::new(self.process_file_size.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoCompanyName",
            Arc::new(self.process_company.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoProductName",
            Arc::new(self.process_product.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoProductVersion",
            Arc::new(self.process_product_version.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoInternalFileName",
            Arc::new(self.process_internal_name.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoOriginalFileName",
            Arc::new(self.process_original_name.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoFileDescription",
            Arc::new(self.process_description.finish()),
        );
        c.add("InitiatingProcessId", Arc::new(self.process_id.finish()));
        c.add(
            "InitiatingProcessCommandLine",
            Arc::new(self.process_command_line.finish()),
        );
        c.add(
            "InitiatingProcessCreationTime",
            Arc::new(self.process_creation_time.finish()),
        );
        c.add(
            "InitiatingProcessFolderPath",
            Arc::new(self.process_folder_path.finish()),
        );
        c.add(
            "InitiatingProcessParentId",
            Arc::new(self.process_parent_id.finish()),
        );
        c.add(
            "InitiatingProcessParentFileName",
            Arc::new(self.process_parent_file_name.finish()),
        );
        c.add(
            "InitiatingProcessParentCreationTime",
            Arc::new(self.process_parent_creation_time.finish()),
        );
        c.add("ReportId", Arc::new(self.report_id.finish()));
        c.add(
            "AppGuardContainerId",
            Arc::new(self.app_guard_container_id.finish()),
        );
        c.add(
            "AdditionalFields",
            Arc::new(self.additional_fields.finish()),
        );
        c.add(
            "InitiatingProcessSessionId",
            Arc::new(self.process_session_id.finish()),
        );
        c.add(
            "IsInitiatingProcessRemoteSession",
            Arc::new(self.process_remote_session.finish()),
        );
        c.add(
            "InitiatingProcessRemoteSessionDeviceName",
            Arc::new(self.process_remote_session_device.finish()),
        );
        c.add(
            "InitiatingProcessRemoteSessionIP",
            Arc::new(self.process_remote_session_ip.finish()),
        );
        c
    }
}
