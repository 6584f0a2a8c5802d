//! DeviceNetworkInfo: each device's daily report of its network adapters, one row per
//! adapter. Desktops report their office Ethernet; laptops report Wi-Fi too, and on days they
//! work from home a home network and the corporate VPN instead; devices holding owned public
//! addresses report them on a public-facing adapter every day. `IPAddresses` is JSON text by
//! default, or a native list of structs. A few rows a day carry the values a faithful engine
//! must survive: an empty array, a null, and text that is not JSON (a truncated export).

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Int64Builder, ListArray, StringBuilder, StructArray, TimestampNanosecondBuilder,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;

use super::IpAddressesLayout;
use super::address::link_local_v6;
use super::error::GenerateError;
use super::random::{Rng, Stream, mix_all};
use super::sink::{BATCH_ROWS, Columns, PartitionFile};
use super::timeline::{Day, DayClock, ROUND_THE_CLOCK};
use super::world::{Device, Role, World};

/// The table's name in the catalogue and the lake.
pub(crate) const TABLE: &str = "DeviceNetworkInfo";

/// Columns whose values rarely repeat.
const UNIQUE_COLUMNS: &[&str] = &["Timestamp", "ReportId"];

const DOMAIN_NETWORK: &str = r#"[{"Name":"contoso.com","Description":"contoso.com","IsConnectedToInternet":true,"Category":"Domain"}]"#;
const PUBLIC_NETWORK: &str = r#"[{"Name":"Unidentified network","Description":"Unidentified network","IsConnectedToInternet":true,"Category":"Public"}]"#;
const HOME_NETWORKS: &[&str] = &[
    r#"[{"Name":"FRITZ!Box 7590 XQ","Description":"FRITZ!Box 7590 XQ","IsConnectedToInternet":true,"Category":"Private"}]"#,
    r#"[{"Name":"Vodafone-5G-2F41","Description":"Vodafone-5G-2F41","IsConnectedToInternet":true,"Category":"Private"}]"#,
    r#"[{"Name":"HOME-WIFI","Description":"HOME-WIFI","IsConnectedToInternet":true,"Category":"Public"}]"#,
];
const OFFICE_DNS: &str = r#"["10.0.0.4","10.0.0.5"]"#;
const PUBLIC_DNS: &str = r#"["1.1.1.1","8.8.8.8"]"#;

/// The `IPAddresses` element type of the native-list layout.
pub(crate) fn address_fields() -> Fields {
    Fields::from(vec![
        Field::new("IPAddress", DataType::Utf8, true),
        Field::new("SubnetPrefix", DataType::Int64, true),
        Field::new("AddressType", DataType::Utf8, true),
    ])
}

/// The table's schema in `layout`: the catalogue's, with `IPAddresses` as a list of
/// structs instead of JSON text when asked for.
pub(crate) fn schema(catalogue: SchemaRef, layout: IpAddressesLayout) -> SchemaRef {
    match layout {
        IpAddressesLayout::JsonText => catalogue,
        IpAddressesLayout::NativeList => {
            let item = Field::new("item", DataType::Struct(address_fields()), true);
            let fields: Vec<Field> = catalogue
                .fields()
                .iter()
                .map(|f| match f.name().as_str() {
                    "IPAddresses" => {
                        Field::new("IPAddresses", DataType::List(Arc::new(item.clone())), true)
                    }
                    _ => f.as_ref().clone(),
                })
                .collect();
            Arc::new(Schema::new(fields))
        }
    }
}

/// One address of an adapter.
struct Address {
    ip: String,
    prefix: i64,
    kind: &'static str,
}

/// What a row's `IPAddresses` holds.
enum Addresses {
    List(Vec<Address>),
    /// The edge cases: `[]`, null, and (in the JSON layout) text that is not JSON.
    Empty,
    Null,
    Garbled,
}

/// One adapter row.
struct AdapterRow<'a> {
    name: &'static str,
    mac: String,
    kind: &'static str,
    status: &'static str,
    tunnel: &'static str,
    connected: Option<&'a str>,
    dns: Option<&'a str>,
    ipv4_dhcp: &'a str,
    gateways: Option<String>,
    addresses: Addresses,
    vendor: &'static str,
}

/// Writes one day of DeviceNetworkInfo; returns the rows written.
pub(crate) fn write_day(
    world: &World,
    schema: SchemaRef,
    layout: IpAddressesLayout,
    day: &Day,
    root: &Path,
) -> Result<u64, GenerateError> {
    let mut rng = Rng::stream(world.seed, Stream::NetworkInfo, day.index);
    let clock = DayClock::new(&ROUND_THE_CLOCK);
    let devices = world.devices.len() as u64;
    let stride = coprime_stride(&mut rng, devices);
    let edge_devices: Vec<u64> =
        (0..3u64).map(|k| (u64::from(day.index) * 7_919 + k * 104_729) % devices).collect();
    let mut file = PartitionFile::create(root, TABLE, day, schema, UNIQUE_COLUMNS)?;
    let mut columns = NetworkColumns::new(layout);
    for k in 0..devices {
        let device_index = ((k * stride + u64::from(day.index)) % devices) as usize;
        let timestamp = clock.instant(day, k, devices, rng.unit());
        let report_id = (u64::from(day.index) * devices + k + 1) as i64;
        let mut adapters = adapters(world, device_index, day, &mut rng);
        if let Some(edge) = edge_devices.iter().position(|&d| d == device_index as u64)
            && let Some(first) = adapters.first_mut()
        {
            first.addresses = match edge {
                0 => Addresses::Empty,
                1 => Addresses::Null,
                _ => Addresses::Garbled,
            };
        }
        for adapter in &adapters {
            columns.push(timestamp, &world.devices[device_index], adapter, report_id);
        }
        if columns.rows >= BATCH_ROWS as usize {
            file.write(columns.finish().map_err(|source| arrow_error(root, source))?)?;
        }
    }
    if columns.rows > 0 {
        file.write(columns.finish().map_err(|source| arrow_error(root, source))?)?;
    }
    file.finish()
}

fn arrow_error(root: &Path, source: ArrowError) -> GenerateError {
    GenerateError::Arrow { path: root.join(TABLE), source }
}

/// A step coprime with `n`, so that `k * step mod n` visits every device once in an order
/// that changes from day to day.
fn coprime_stride(rng: &mut Rng, n: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let mut step = rng.below(n.max(1)) | 1;
    while gcd(step, n) != 1 {
        step += 1;
    }
    step
}

/// The adapters device `index` reports on `day`.
fn adapters<'w>(world: &'w World, index: usize, day: &Day, rng: &mut Rng) -> Vec<AdapterRow<'w>> {
    let device = &world.devices[index];
    let at_home = device.wifi && mix_all(&[device.entropy, u64::from(day.index)]) % 10 < 3;
    let mut rows = Vec::with_capacity(3);
    let office = world.office_ipv4(index, day.index);
    let link_local =
        || Address { ip: link_local_text(device.entropy), prefix: 64, kind: "LinkLocal" };
    if !at_home {
        let octets = office.octets();
        rows.push(AdapterRow {
            name: "Ethernet",
            mac: mac(device, 0),
            kind: "Ethernet",
            status: "Up",
            tunnel: "None",
            connected: Some(DOMAIN_NETWORK),
            dns: Some(OFFICE_DNS),
            ipv4_dhcp: if device.role == Role::Server { "" } else { "10.0.0.20" },
            gateways: Some(format!(r#"["{}.{}.{}.1"]"#, octets[0], octets[1], octets[2])),
            addresses: Addresses::List(vec![
                Address { ip: office.to_string(), prefix: 24, kind: "Private" },
                link_local(),
            ]),
            vendor: if device.role == Role::Server { "Microsoft" } else { "Intel Corporation" },
        });
    }
    if device.wifi {
        let home = 1 + (device.entropy >> 8) % 3;
        let host = 2 + rng.below(250);
        rows.push(AdapterRow {
            name: "Wi-Fi",
            mac: mac(device, 1),
            kind: "Wireless80211",
            status: if at_home { "Up" } else { "Down" },
            tunnel: "None",
            connected: at_home.then(|| HOME_NETWORKS[(device.entropy % 3) as usize]),
            dns: at_home.then_some(r#"["192.168.178.1"]"#),
            ipv4_dhcp: if at_home { "192.168.178.1" } else { "" },
            gateways: at_home.then(|| r#"["192.168.178.1"]"#.to_string()),
            addresses: Addresses::List(if at_home {
                vec![
                    Address {
                        ip: format!("192.168.{}.{host}", 177 + home),
                        prefix: 24,
                        kind: "Private",
                    },
                    link_local(),
                ]
            } else {
                vec![link_local()]
            }),
            vendor: "Intel Corporation",
        });
    }
    if at_home && device.vpn {
        let tunnel = (device.entropy >> 16) % 4_000_000;
        rows.push(AdapterRow {
            name: "Contoso VPN",
            mac: String::new(),
            kind: "Ppp",
            status: "Up",
            tunnel: "SSTP",
            connected: Some(DOMAIN_NETWORK),
            dns: Some(OFFICE_DNS),
            ipv4_dhcp: "",
            gateways: Some("[]".to_string()),
            addresses: Addresses::List(vec![Address {
                ip: format!(
                    "100.{}.{}.{}",
                    64 + tunnel / 65_536 % 64,
                    tunnel / 256 % 256,
                    1 + tunnel % 254
                ),
                prefix: 32,
                kind: "CarrierGradeNat",
            }]),
            vendor: "Microsoft",
        });
    }
    if !device.public_addresses.is_empty() {
        rows.push(public_adapter(device));
    }
    rows
}

/// The adapter that carries a device's public addresses.
fn public_adapter(device: &Device) -> AdapterRow<'static> {
    let addresses: Vec<Address> = device
        .public_addresses
        .iter()
        .map(|ip| Address {
            ip: ip.clone(),
            prefix: if ip.contains(':') { 64 } else { 28 },
            kind: "Public",
        })
        .collect();
    let gateway = addresses
        .iter()
        .find(|a| !a.ip.contains(':'))
        .and_then(|a| a.ip.rsplit_once('.'))
        .map(|(network, last)| {
            let last: u8 = last.parse().unwrap_or(1);
            format!(r#"["{network}.{}"]"#, if last == 1 { 14 } else { 1 })
        })
        .unwrap_or_else(|| "[]".to_string());
    AdapterRow {
        name: "Ethernet 2",
        mac: mac(device, 2),
        kind: "Ethernet",
        status: "Up",
        tunnel: "None",
        connected: Some(PUBLIC_NETWORK),
        dns: Some(PUBLIC_DNS),
        ipv4_dhcp: "",
        gateways: Some(gateway),
        addresses: Addresses::List(addresses),
        vendor: "Microsoft",
    }
}

/// A device's stable IPv6 link-local address.
fn link_local_text(entropy: u64) -> String {
    link_local_v6(mix_all(&[entropy, 0x6c6c])).to_string()
}

/// The MAC address of adapter `slot`, as Defender writes it: twelve upper-case hex digits
/// behind the vendor's OUI.
fn mac(device: &Device, slot: u32) -> String {
    let oui = match (slot, device.role) {
        (0, Role::Server) | (2, _) => "00155D",
        (0, Role::Workstation) => "3C22FB",
        _ => "A4C3F0",
    };
    format!("{oui}{:06X}", (device.entropy >> (8 * slot)) & 0xff_ffff)
}

/// Builders for the 16 columns of one batch; `IPAddresses` as text or as a native list.
struct NetworkColumns {
    layout: IpAddressesLayout,
    rows: usize,
    timestamp: TimestampNanosecondBuilder,
    device_id: StringBuilder,
    device_name: StringBuilder,
    adapter_name: StringBuilder,
    mac_address: StringBuilder,
    adapter_type: StringBuilder,
    adapter_status: StringBuilder,
    tunnel_type: StringBuilder,
    connected_networks: StringBuilder,
    dns_addresses: StringBuilder,
    ipv4_dhcp: StringBuilder,
    ipv6_dhcp: StringBuilder,
    default_gateways: StringBuilder,
    ip_addresses_text: StringBuilder,
    ip_addresses_list: NativeAddresses,
    report_id: Int64Builder,
    vendor: StringBuilder,
}

/// The parts of a `List<Struct<IPAddress, SubnetPrefix, AddressType>>` column.
#[derive(Default)]
struct NativeAddresses {
    lengths: Vec<usize>,
    valid: Vec<bool>,
    ip: StringBuilder,
    prefix: Int64Builder,
    kind: StringBuilder,
}

impl NetworkColumns {
    fn new(layout: IpAddressesLayout) -> Self {
        let rows = BATCH_ROWS as usize;
        let strings = || StringBuilder::with_capacity(rows, rows * 16);
        NetworkColumns {
            layout,
            rows: 0,
            timestamp: TimestampNanosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            device_id: strings(),
            device_name: strings(),
            adapter_name: strings(),
            mac_address: strings(),
            adapter_type: strings(),
            adapter_status: strings(),
            tunnel_type: strings(),
            connected_networks: strings(),
            dns_addresses: strings(),
            ipv4_dhcp: strings(),
            ipv6_dhcp: strings(),
            default_gateways: strings(),
            ip_addresses_text: strings(),
            ip_addresses_list: NativeAddresses::default(),
            report_id: Int64Builder::with_capacity(rows),
            vendor: strings(),
        }
    }

    fn push(&mut self, timestamp: i64, device: &Device, adapter: &AdapterRow<'_>, report_id: i64) {
        self.rows += 1;
        self.timestamp.append_value(timestamp);
        self.device_id.append_value(&device.id);
        self.device_name.append_value(&device.fqdn);
        self.adapter_name.append_value(adapter.name);
        self.mac_address.append_value(&adapter.mac);
        self.adapter_type.append_value(adapter.kind);
        self.adapter_status.append_value(adapter.status);
        self.tunnel_type.append_value(adapter.tunnel);
        self.connected_networks.append_option(adapter.connected);
        self.dns_addresses.append_option(adapter.dns);
        self.ipv4_dhcp.append_value(adapter.ipv4_dhcp);
        self.ipv6_dhcp.append_value("");
        self.default_gateways.append_option(adapter.gateways.as_deref());
        match self.layout {
            IpAddressesLayout::JsonText => {
                self.ip_addresses_text.append_option(json_text(&adapter.addresses))
            }
            IpAddressesLayout::NativeList => self.ip_addresses_list.push(&adapter.addresses),
        }
        self.report_id.append_value(report_id);
        self.vendor.append_value(adapter.vendor);
    }

    fn finish(&mut self) -> Result<Columns, ArrowError> {
        self.rows = 0;
        let ip_addresses: ArrayRef = match self.layout {
            IpAddressesLayout::JsonText => Arc::new(self.ip_addresses_text.finish()),
            IpAddressesLayout::NativeList => Arc::new(self.ip_addresses_list.finish()?),
        };
        let mut c = Columns::default();
        c.add("Timestamp", Arc::new(self.timestamp.finish()));
        c.add("DeviceId", Arc::new(self.device_id.finish()));
        c.add("DeviceName", Arc::new(self.device_name.finish()));
        c.add("NetworkAdapterName", Arc::new(self.adapter_name.finish()));
        c.add("MacAddress", Arc::new(self.mac_address.finish()));
        c.add("NetworkAdapterType", Arc::new(self.adapter_type.finish()));
        c.add("NetworkAdapterStatus", Arc::new(self.adapter_status.finish()));
        c.add("TunnelType", Arc::new(self.tunnel_type.finish()));
        c.add("ConnectedNetworks", Arc::new(self.connected_networks.finish()));
        c.add("DnsAddresses", Arc::new(self.dns_addresses.finish()));
        c.add("IPv4Dhcp", Arc::new(self.ipv4_dhcp.finish()));
        c.add("IPv6Dhcp", Arc::new(self.ipv6_dhcp.finish()));
        c.add("DefaultGateways", Arc::new(self.default_gateways.finish()));
        c.add("IPAddresses", ip_addresses);
        c.add("ReportId", Arc::new(self.report_id.finish()));
        c.add("NetworkAdapterVendor", Arc::new(self.vendor.finish()));
        Ok(c)
    }
}

/// `IPAddresses` as Defender's JSON text. Addresses need no escaping; the garbled form is
/// the valid text cut short, as a truncated export leaves it.
fn json_text(addresses: &Addresses) -> Option<String> {
    match addresses {
        Addresses::List(list) => {
            let mut text = String::with_capacity(64 * list.len() + 2);
            text.push('[');
            for (i, a) in list.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(r#"{"IPAddress":""#);
                text.push_str(&a.ip);
                text.push_str(r#"","SubnetPrefix":"#);
                text.push_str(&a.prefix.to_string());
                text.push_str(r#","AddressType":""#);
                text.push_str(a.kind);
                text.push_str(r#""}"#);
            }
            text.push(']');
            Some(text)
        }
        Addresses::Empty => Some("[]".to_string()),
        Addresses::Null => None,
        Addresses::Garbled => Some(r#"[{"IPAddress":"10.0.0.17","SubnetPr"#.to_string()),
    }
}

impl NativeAddresses {
    /// Appends one row; garbled text has no native form and becomes a null list.
    fn push(&mut self, addresses: &Addresses) {
        match addresses {
            Addresses::List(list) => {
                for a in list {
                    self.ip.append_value(&a.ip);
                    self.prefix.append_value(a.prefix);
                    self.kind.append_value(a.kind);
                }
                self.lengths.push(list.len());
                self.valid.push(true);
            }
            Addresses::Empty => {
                self.lengths.push(0);
                self.valid.push(true);
            }
            Addresses::Null | Addresses::Garbled => {
                self.lengths.push(0);
                self.valid.push(false);
            }
        }
    }

    fn finish(&mut self) -> Result<ListArray, ArrowError> {
        let values = StructArray::try_new(
            address_fields(),
            vec![
                Arc::new(self.ip.finish()),
                Arc::new(self.prefix.finish()),
                Arc::new(self.kind.finish()),
            ],
            None,
        )?;
        // A batch holds at most a few hundred thousand addresses, far below i32::MAX, so
        // the offsets cannot overflow.
        let offsets = OffsetBuffer::<i32>::from_lengths(std::mem::take(&mut self.lengths));
        let nulls = NullBuffer::from(std::mem::take(&mut self.valid));
        let item = Arc::new(Field::new("item", DataType::Struct(address_fields()), true));
        ListArray::try_new(item, offsets, Arc::new(values), Some(nulls))
    }
}
