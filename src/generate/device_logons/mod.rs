//! DeviceLogonEvents: what Defender for Endpoint reports each time an account signs in to an
//! onboarded device. Most rows are the everyday traffic of a Windows domain (network logons
//! between office machines, unlocks, service and scheduled-task logons); a few percent come
//! from public addresses, always one of the planted ones, and every planted address gets at
//! least one such logon through the coverage rows.

mod columns;

use std::path::Path;

use datafusion::arrow::datatypes::SchemaRef;

use super::error::GenerateError;
use super::planted::Population;
use super::random::{Rng, Stream};
use super::sink::{BATCH_ROWS, PartitionFile};
use super::timeline::{DAY_NANOS, Day, DayClock, OFFICE_HOURS};
use super::volume::{Coverage, Share};
use super::world::{Image, World};
use columns::{LogonColumns, LogonRow};

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
        let office: Vec<String> =
            (0..world.devices.len()).map(|d| world.office_ipv4(d, day.index).to_string()).collect();
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
        let populations = populations.iter().any(|&(w, _)| w > 0).then_some(populations);
        let lake_start = day.start_nanos - i64::from(day.index) * DAY_NANOS;
        DayPools { world, day, lake_start, office, mapped, link_local, populations }
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
        let kind = if planted.is_some() { Kind::Public } else { rng.weighted(KINDS) };
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
            let instance = self.world.process(device_index, image, self.day.index, self.lake_start);
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
        row.remote_device = rng.chance(0.6).then(|| self.world.devices[peer].host.as_str());
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
        let (host, ip) = (self.world.devices[peer].host.as_str(), self.office[peer].as_str());
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
        row.logon_type = Some(if rng.chance(0.65) { "Network" } else { "RemoteInteractive" });
        row.protocol = Some(if rng.chance(0.7) { "NTLM" } else { "Negotiate" });
        row.additional_fields = Some(REMOTE_LOGON);
        let hostile = matches!(address.population, Population::OutsideIsp | Population::Unknown);
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
