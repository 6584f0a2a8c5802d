//! The synthetic organisation behind a lake: its Active Directory domain, devices, user
//! accounts and the Windows processes that log users on. Everything here is drawn once per
//! seed, before any day is written, and then shared read-only by the day writers; strings
//! are built here so that writing a row copies bytes and formats nothing.

use std::net::Ipv4Addr;

use super::planted::{PlantedAddresses, PopulationSizes};
use super::random::{Rng, Stream, mix_all};
use super::timeline::DAY_NANOS;

/// The organisation's Active Directory domain.
#[derive(Debug, Clone)]
pub(crate) struct Domain {
    /// NetBIOS name, as DeviceLogonEvents writes `AccountDomain`.
    pub netbios: &'static str,
    /// DNS name, as IdentityLogonEvents writes `AccountDomain` and devices their FQDN suffix.
    pub dns: &'static str,
    /// `S-1-5-21-a-b-c`, the prefix of every domain account's SID.
    pub sid_prefix: String,
}

/// What a device is for; servers see more network and service logons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Workstation,
    Server,
}

/// One onboarded device.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    /// Defender's 40-hex-digit device id.
    pub id: String,
    /// Fully qualified name, `ws-0042.contoso.com`.
    pub fqdn: String,
    /// Host label, `ws-0042`, as `RemoteDeviceName` shows a peer.
    pub host: String,
    /// Upper-case NetBIOS name, the `AccountDomain` of the device's local accounts.
    pub netbios: String,
    /// The computer account, `WS-0042$`.
    pub machine_account: String,
    /// The computer account's SID.
    pub machine_sid: String,
    pub role: Role,
    /// The Windows build, which is also the version of its system binaries.
    pub os_build: &'static str,
    /// Index into [`World::accounts`] of the person who uses the device most.
    pub primary_user: usize,
    /// A second, wireless adapter (laptops).
    pub wifi: bool,
    /// A VPN tunnel adapter with a carrier-grade NAT address.
    pub vpn: bool,
    /// Public addresses assigned to a public-facing adapter, in the text form the device
    /// reports them. Holds every owned address (and a few IPv6 twins, see `planted`).
    pub public_addresses: Vec<String>,
    /// Stable per-device entropy for MAC addresses, process ids and boot times.
    pub entropy: u64,
}

/// One domain user.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// `adele.vance`.
    pub name: String,
    /// `Adele Vance`.
    pub display: String,
    /// `adele.vance@contoso.com`.
    pub upn: String,
    pub sid: String,
    /// Entra ID object id, a lower-case GUID.
    pub object_id: String,
}

/// The Windows binaries that appear as `InitiatingProcess*` of logon events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Image {
    Lsass,
    Winlogon,
    Services,
    TaskScheduler,
}

impl Image {
    /// Every image, in declaration order (the order [`World::image`] indexes by).
    const ALL: [Image; 4] = [Image::Lsass, Image::Winlogon, Image::Services, Image::TaskScheduler];
}

/// What Defender reports about one of the [`Image`]s.
#[derive(Debug, Clone)]
pub(crate) struct ProcessImage {
    pub file_name: &'static str,
    pub folder_path: &'static str,
    pub command_line: &'static str,
    pub parent_file_name: &'static str,
    pub description: &'static str,
    pub file_size: i64,
    pub sha1: String,
    pub sha256: String,
    pub md5: String,
    /// Seconds after boot at which the process and its parent start.
    pub started_after_boot: (i64, i64),
}

/// A process as it runs on one device between two reboots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProcessInstance {
    pub id: i64,
    pub parent_id: i64,
    pub created_nanos: i64,
    pub parent_created_nanos: i64,
}

/// A domain controller, the destination of on-premises identity logons.
#[derive(Debug, Clone)]
pub(crate) struct DomainController {
    pub fqdn: String,
    pub ip: String,
}

/// Everything a seed decides before the first row is written.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub seed: u64,
    pub domain: Domain,
    pub devices: Vec<Device>,
    pub accounts: Vec<Account>,
    pub domain_controllers: Vec<DomainController>,
    pub planted: PlantedAddresses,
    images: Vec<ProcessImage>,
}

const FIRST_NAMES: &[&str] = &[
    "adele", "alex", "allan", "amara", "ana", "ben", "carlos", "chen", "chloe", "daniel", "diego",
    "elena", "emily", "farah", "fatima", "grady", "hana", "hannah", "ines", "isaiah", "jakob",
    "joni", "kenji", "lars", "lee", "lidia", "lukas", "lynne", "marco", "megan", "miriam", "nadia",
    "nestor", "noah", "olga", "omar", "patti", "pradeep", "quinn", "raul", "rosa", "sami", "sofia",
    "thomas", "tomas", "uma", "victor", "wei", "yara", "zoe",
];

const LAST_NAMES: &[&str] = &[
    "adams",
    "alvarez",
    "bauer",
    "becker",
    "chowdhury",
    "costa",
    "diaz",
    "dubois",
    "eriksen",
    "fischer",
    "garcia",
    "gruber",
    "haddad",
    "holt",
    "ivanova",
    "jansen",
    "johnson",
    "kim",
    "kowalski",
    "larsen",
    "lopez",
    "martin",
    "mbeki",
    "meyer",
    "moreau",
    "nakamura",
    "novak",
    "okafor",
    "olsen",
    "patel",
    "peters",
    "quist",
    "ricci",
    "rossi",
    "santos",
    "schmidt",
    "silva",
    "tanaka",
    "thompson",
    "usman",
    "vance",
    "vogel",
    "wagner",
    "wilber",
    "wong",
    "xu",
    "yamamoto",
    "young",
    "zeller",
    "zimmer",
];

const WORKSTATION_BUILDS: &[&str] =
    &["10.0.19045.4291", "10.0.19045.4412", "10.0.22621.3447", "10.0.22631.3527"];
const SERVER_BUILDS: &[&str] = &["10.0.17763.5696", "10.0.20348.2402"];

impl World {
    /// Draws the organisation for `seed`: `devices` devices, about as many users, and the
    /// planted public addresses sized for a lake of `logons` device logons.
    pub(crate) fn new(seed: u64, devices: u32, logons: u64) -> Self {
        let mut rng = Rng::stream(seed, Stream::World, 0);
        let domain = Domain {
            netbios: "CONTOSO",
            dns: "contoso.com",
            sid_prefix: format!(
                "S-1-5-21-{}-{}-{}",
                rng.between(1_000_000_000, 4_294_967_295),
                rng.between(1_000_000_000, 4_294_967_295),
                rng.between(1_000_000_000, 4_294_967_295)
            ),
        };
        let user_count = (devices as usize + devices as usize / 10).max(8);
        let accounts = draw_accounts(&mut rng, &domain, user_count);
        let mut devices = draw_devices(&mut rng, &domain, devices as usize, user_count);
        let images = Image::ALL.iter().map(|&image| draw_image(&mut rng, image)).collect();
        let domain_controllers = (1..=3)
            .map(|n| DomainController {
                fqdn: format!("dc-{n:02}.{}", domain.dns),
                ip: format!("10.0.0.{}", 3 + n),
            })
            .collect();
        let sizes = PopulationSizes::for_lake(devices.len(), logons);
        let planted = PlantedAddresses::plant(&mut rng, sizes, &mut devices);
        World { seed, domain, devices, accounts, domain_controllers, planted, images }
    }

    /// What Defender reports about `image`.
    pub(crate) fn image(&self, image: Image) -> &ProcessImage {
        &self.images[image as usize]
    }

    /// The office IPv4 address DHCP leased to device `device` on day `day`. Leases last a
    /// week; within one lease no two devices share an address.
    pub(crate) fn office_ipv4(&self, device: usize, day: u32) -> Ipv4Addr {
        let lease = u64::from(day / 7);
        let shift = (mix_all(&[self.seed, lease]) % 250) as usize;
        let second = 20 + (device / 64_000) % 200;
        let third = (device / 250) % 256;
        let fourth = 2 + (device % 250 + shift) % 250;
        Ipv4Addr::new(10, second as u8, third as u8, fourth as u8)
    }

    /// `image` as it runs on device `device` on day `day`. Devices reboot weekly (each on
    /// its own weekday) one to six hours before midnight, so every process serving a day
    /// started before that day began.
    pub(crate) fn process(
        &self,
        device: usize,
        image: Image,
        day: u32,
        lake_start_nanos: i64,
    ) -> ProcessInstance {
        let entropy = self.devices[device].entropy;
        let phase = (entropy % 7) as i64;
        let boot_day = (i64::from(day) + phase) / 7 * 7 - phase;
        let key = mix_all(&[entropy, boot_day as u64, image as u64]);
        let before_midnight = (3_600 + (key % 18_000) as i64) * 1_000_000_000;
        let boot = lake_start_nanos + boot_day * DAY_NANOS - before_midnight;
        let (own, parent) = self.image(image).started_after_boot;
        let jitter = ((key >> 20) % 900_000) as i64 * 1_000;
        ProcessInstance {
            id: 4 * (100 + ((key >> 32) % 4_000) as i64),
            parent_id: 4 * (100 + ((key >> 44) % 4_000) as i64),
            created_nanos: boot + own * 1_000_000_000 + jitter,
            parent_created_nanos: boot + parent * 1_000_000_000,
        }
    }
}

fn guid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        rng.hex(8, false),
        rng.hex(4, false),
        rng.hex(4, false),
        rng.hex(4, false),
        rng.hex(12, false)
    )
}

/// Draws `count` users named `first.last`. Namesakes get a middle initial
/// (`ana.m.silva`), and only when the initials run out a number.
fn draw_accounts(rng: &mut Rng, domain: &Domain, count: usize) -> Vec<Account> {
    let mut namesakes = std::collections::HashMap::<(usize, usize), usize>::new();
    (0..count)
        .map(|i| {
            let (first, last) = (rng.index(FIRST_NAMES.len()), rng.index(LAST_NAMES.len()));
            let earlier = namesakes.entry((first, last)).or_insert(0);
            let (middle, number) = match *earlier {
                0 => (None, None),
                n if n <= 26 => (Some(char::from(b'a' + (n - 1) as u8)), None),
                n => (None, Some(n - 25)),
            };
            *earlier += 1;
            let (first, last) = (FIRST_NAMES[first], LAST_NAMES[last]);
            let name = match (middle, number) {
                (Some(m), _) => format!("{first}.{m}.{last}"),
                (None, Some(n)) => format!("{first}.{last}{n}"),
                (None, None) => format!("{first}.{last}"),
            };
            let display = match middle {
                Some(m) => format!(
                    "{} {}. {}",
                    capitalised(first),
                    m.to_ascii_uppercase(),
                    capitalised(last)
                ),
                None => format!("{} {}", capitalised(first), capitalised(last)),
            };
            Account {
                display,
                upn: format!("{name}@{}", domain.dns),
                sid: format!("{}-{}", domain.sid_prefix, 1_100 + i),
                object_id: guid(rng),
                name,
            }
        })
        .collect()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn draw_devices(rng: &mut Rng, domain: &Domain, count: usize, users: usize) -> Vec<Device> {
    let (mut workstations, mut servers) = (0usize, 0usize);
    (0..count)
        .map(|i| {
            let role = if rng.chance(0.1) { Role::Server } else { Role::Workstation };
            let host = match role {
                Role::Workstation => {
                    workstations += 1;
                    format!("ws-{workstations:04}")
                }
                Role::Server => {
                    servers += 1;
                    format!("srv-{servers:04}")
                }
            };
            let netbios = host.to_uppercase();
            let laptop = role == Role::Workstation && rng.chance(0.6);
            Device {
                id: rng.hex(40, false),
                fqdn: format!("{host}.{}", domain.dns),
                machine_account: format!("{netbios}$"),
                machine_sid: format!("{}-{}", domain.sid_prefix, 20_000 + i),
                os_build: match role {
                    Role::Workstation => WORKSTATION_BUILDS[rng.index(WORKSTATION_BUILDS.len())],
                    Role::Server => SERVER_BUILDS[rng.index(SERVER_BUILDS.len())],
                },
                primary_user: rng.index(users),
                wifi: laptop,
                vpn: laptop && rng.chance(0.5),
                public_addresses: Vec::new(),
                entropy: rng.next_u64(),
                host,
                netbios,
                role,
            }
        })
        .collect()
}

fn draw_image(rng: &mut Rng, image: Image) -> ProcessImage {
    let (file_name, command_line, parent_file_name, description, file_size, started) = match image {
        Image::Lsass => (
            "lsass.exe",
            "lsass.exe",
            "wininit.exe",
            "Local Security Authority Process",
            57_360,
            (9, 7),
        ),
        Image::Winlogon => (
            "winlogon.exe",
            "winlogon.exe",
            "smss.exe",
            "Windows Logon Application",
            906_240,
            (8, 5),
        ),
        Image::Services => (
            "services.exe",
            "services.exe",
            "wininit.exe",
            "Services and Controller app",
            724_480,
            (9, 7),
        ),
        Image::TaskScheduler => (
            "svchost.exe",
            "svchost.exe -k netsvcs -p -s Schedule",
            "services.exe",
            "Host Process for Windows Services",
            57_360,
            (24, 9),
        ),
    };
    ProcessImage {
        file_name,
        folder_path: match image {
            Image::Lsass => "C:\\Windows\\System32\\lsass.exe",
            Image::Winlogon => "C:\\Windows\\System32\\winlogon.exe",
            Image::Services => "C:\\Windows\\System32\\services.exe",
            Image::TaskScheduler => "C:\\Windows\\System32\\svchost.exe",
        },
        command_line,
        parent_file_name,
        description,
        file_size,
        sha1: rng.hex(40, false),
        sha256: rng.hex(64, false),
        md5: rng.hex(32, false),
        started_after_boot: started,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_have_defender_shaped_ids_and_names() {
        let world = World::new(7, 50, 10_000);
        for device in &world.devices {
            assert_eq!(device.id.len(), 40);
            assert!(device.id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(device.fqdn.ends_with(".contoso.com"));
            assert!(device.fqdn.starts_with("ws-") || device.fqdn.starts_with("srv-"));
        }
    }

    #[test]
    fn account_names_are_unique() {
        let world = World::new(3, 500, 10_000);
        let mut names: Vec<&str> = world.accounts.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn processes_start_before_the_day_they_serve() {
        let world = World::new(11, 20, 1_000);
        for device in 0..world.devices.len() {
            for day in 0..30 {
                let process = world.process(device, Image::Lsass, day, 0);
                assert!(process.parent_created_nanos <= process.created_nanos);
                assert!(process.created_nanos < i64::from(day) * DAY_NANOS);
            }
        }
    }

    #[test]
    fn office_addresses_are_unique_within_a_lease() {
        let world = World::new(5, 2_000, 1_000);
        let mut addresses: Vec<Ipv4Addr> = (0..2_000).map(|d| world.office_ipv4(d, 3)).collect();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), 2_000);
    }
}
