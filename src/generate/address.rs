//! IP addresses as Defender writes them: which IPv4 ranges are public, how IPv6 addresses
//! look in their compressed and uncompressed text forms, and how each synthetic address is
//! drawn. Kusto compares addresses as plain strings, so the text form is part of the data.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::random::Rng;

/// IPv4 blocks that are not globally routable (RFC 6890 and friends): private, shared
/// (carrier-grade NAT), loopback, link-local, documentation, benchmarking, multicast and
/// reserved space. A public address never falls in one of them.
const NON_PUBLIC_V4: &[(u32, u8)] = &[
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
    (0x0a00_0000, 8),  // 10.0.0.0/8 private
    (0x6440_0000, 10), // 100.64.0.0/10 shared address space (CGN)
    (0x7f00_0000, 8),  // 127.0.0.0/8 loopback
    (0xa9fe_0000, 16), // 169.254.0.0/16 link-local
    (0xac10_0000, 12), // 172.16.0.0/12 private
    (0xc000_0000, 24), // 192.0.0.0/24 IETF protocol assignments
    (0xc000_0200, 24), // 192.0.2.0/24 TEST-NET-1
    (0xc058_6300, 24), // 192.88.99.0/24 6to4 relay anycast
    (0xc0a8_0000, 16), // 192.168.0.0/16 private
    (0xc612_0000, 15), // 198.18.0.0/15 benchmarking
    (0xc633_6400, 24), // 198.51.100.0/24 TEST-NET-2
    (0xcb00_7100, 24), // 203.0.113.0/24 TEST-NET-3
    (0xe000_0000, 4),  // 224.0.0.0/4 multicast
    (0xf000_0000, 4),  // 240.0.0.0/4 reserved, and the broadcast address
];

/// Whether `address` is a globally routable IPv4 address.
pub(crate) fn is_public_v4(address: Ipv4Addr) -> bool {
    let bits = u32::from(address);
    NON_PUBLIC_V4.iter().all(|&(network, prefix)| {
        let mask = u32::MAX << (32 - u32::from(prefix));
        bits & mask != network
    })
}

/// First 16-bit groups of real regional-registry IPv6 allocations (RIPE, ARIN, APNIC,
/// LACNIC), all inside 2000::/3 and outside the documentation, Teredo and 6to4 prefixes.
const GLOBAL_V6_FIRST_GROUPS: &[u16] =
    &[0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2600, 0x2601, 0x2603, 0x2605, 0x2607, 0x2804, 0x2400];

/// How an IPv6 address is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum V6Form {
    /// RFC 5952: leading zeros dropped, the longest zero run written `::`.
    Compressed,
    /// Eight groups of four hex digits, as some agents and exports write them.
    Uncompressed,
}

/// The text of `address` in the given form.
pub(crate) fn v6_text(address: Ipv6Addr, form: V6Form) -> String {
    match form {
        V6Form::Compressed => address.to_string(),
        V6Form::Uncompressed => {
            let groups: Vec<String> =
                address.segments().iter().map(|g| format!("{g:04x}")).collect();
            groups.join(":")
        }
    }
}

/// A random public IPv4 address, avoiding network and broadcast-looking last octets.
pub(crate) fn public_v4(rng: &mut Rng) -> Ipv4Addr {
    loop {
        let candidate = Ipv4Addr::from(rng.next_u64() as u32);
        let last = candidate.octets()[3];
        if is_public_v4(candidate) && last != 0 && last != 255 {
            return candidate;
        }
    }
}

/// A random global unicast IPv6 address. Most have a run of zero groups in the middle, as
/// provider-assigned addresses do, so the compressed and uncompressed forms really differ.
pub(crate) fn public_v6(rng: &mut Rng) -> Ipv6Addr {
    let mut groups = [0u16; 8];
    groups[0] = *rng.pick(GLOBAL_V6_FIRST_GROUPS);
    for group in groups.iter_mut().skip(1) {
        *group = rng.next_u64() as u16;
    }
    if rng.chance(0.7) {
        let run_start = rng.between(3, 5) as usize;
        for group in groups.iter_mut().skip(run_start).take(2) {
            *group = 0;
        }
    }
    groups[7] = groups[7].max(1);
    Ipv6Addr::from(groups)
}

/// The IPv6 link-local address (fe80::/64) with interface identifier `id`.
pub(crate) fn link_local_v6(id: u64) -> Ipv6Addr {
    let group = |shift: u32| (id >> shift) as u16;
    Ipv6Addr::from([0xfe80, 0, 0, 0, group(48), group(32), group(16), group(0)])
}

#[cfg(test)]
mod tests {
    use std::net::AddrParseError;

    use proptest::prelude::*;

    use super::*;
    use crate::generate::random::Rng;

    #[test]
    fn private_and_special_ranges_are_not_public() -> Result<(), AddrParseError> {
        for text in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.10.10",
            "192.0.2.7",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.251",
            "255.255.255.255",
            "0.0.0.0",
        ] {
            assert!(!is_public_v4(text.parse()?), "{text}");
        }
        for text in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "52.174.3.9", "192.169.0.1"] {
            assert!(is_public_v4(text.parse()?), "{text}");
        }
        Ok(())
    }

    #[test]
    fn both_v6_forms_parse_back_to_the_same_address() -> Result<(), AddrParseError> {
        let address: Ipv6Addr = "2a02:c7c:5a1f::17".parse()?;
        assert_eq!(v6_text(address, V6Form::Compressed), "2a02:c7c:5a1f::17");
        assert_eq!(
            v6_text(address, V6Form::Uncompressed),
            "2a02:0c7c:5a1f:0000:0000:0000:0000:0017"
        );
        let back: Ipv6Addr = v6_text(address, V6Form::Uncompressed).parse()?;
        assert_eq!(back, address);
        Ok(())
    }

    proptest! {
        #[test]
        fn drawn_public_v4_addresses_are_public(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            for _ in 0..64 {
                prop_assert!(is_public_v4(public_v4(&mut rng)));
            }
        }

        #[test]
        fn drawn_public_v6_addresses_are_global_unicast(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            for _ in 0..64 {
                let first = public_v6(&mut rng).segments()[0];
                prop_assert!((0x2000..0x4000).contains(&first));
                prop_assert!(first != 0x2001 && first != 0x2002);
            }
        }
    }
}
