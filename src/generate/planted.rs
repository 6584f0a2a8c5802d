//! The planted truth of a lake: four disjoint populations of public addresses that device
//! logons come from, chosen so that the seed rule's answer is known before it runs.
//!
//! - *owned* addresses sit on a device's adapter in DeviceNetworkInfo;
//! - *outside ISP* addresses also appear in IdentityLogonEvents with an ISP other than
//!   exactly `INTERNAL_NETWORK` (a provider, `none specified`, empty or null);
//! - *internal only* addresses appear in IdentityLogonEvents only as `INTERNAL_NETWORK`;
//! - *unknown* addresses appear in neither table.
//!
//! Kusto compares addresses as strings, so each address has one text form used wherever it
//! appears. As a trap for engines that normalise addresses, some unknown IPv6 addresses have
//! their *other* text form (compressed vs. uncompressed) on a device adapter: as strings they
//! are still unknown. Addresses that only identity logons see (*roaming*) are drawn from the
//! same allocator, so they can never collide with a planted address.

use std::collections::HashSet;
use std::net::IpAddr;

use super::address::{V6Form, public_v4, public_v6, v6_text};
use super::random::Rng;
use super::truth::PlantedTruth;
use super::world::Device;

/// Which planted population an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Population {
    Owned,
    OutsideIsp,
    InternalOnly,
    Unknown,
}

impl Population {
    /// Every population, in the order the truth file lists them.
    pub(crate) const ALL: [Population; 4] =
        [Population::Owned, Population::OutsideIsp, Population::InternalOnly, Population::Unknown];
}

/// How many addresses each population gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PopulationSizes {
    /// Indexed like [`Population::ALL`].
    pub counts: [usize; 4],
}

impl PopulationSizes {
    /// Sizes that grow with the organisation, capped so that at most a quarter of the
    /// lake's logons are needed to give every planted address at least one logon.
    pub(crate) fn for_lake(devices: usize, logons: u64) -> Self {
        let targets = [
            (devices / 10).clamp(2, 4_000),
            (devices / 40).clamp(2, 1_500),
            (devices / 80).clamp(2, 800),
            (devices / 80).clamp(2, 800),
        ];
        let budget = usize::try_from(logons / 4).unwrap_or(usize::MAX);
        let wanted: usize = targets.iter().sum();
        if wanted <= budget {
            return PopulationSizes { counts: targets };
        }
        let mut counts = [0usize; 4];
        if budget < 4 {
            // Too few logons for all four: findings populations first, they are the point.
            for slot in [3, 2, 1, 0].into_iter().take(budget) {
                counts[slot] = 1;
            }
            return PopulationSizes { counts };
        }
        let spare = budget - 4;
        for (count, target) in counts.iter_mut().zip(targets) {
            *count = 1 + (target - 1) * spare / (wanted - 4);
        }
        PopulationSizes { counts }
    }

    /// Every planted address.
    pub(crate) fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// One planted address, in the text form every table uses for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlantedAddress {
    pub text: String,
    pub population: Population,
    /// Position within its population, from 0: lets tables give a fixed share of a
    /// population a particular treatment.
    pub rank: usize,
}

/// The planted populations and the addresses only identity logons see.
#[derive(Debug, Clone)]
pub(crate) struct PlantedAddresses {
    /// Every planted address in coverage order: the device logon writers give the `k`-th
    /// address the `k`-th coverage logon, so each one is certain to appear.
    pub all: Vec<PlantedAddress>,
    /// Indexes into `all`, one list per population, in [`Population::ALL`] order.
    members: [Vec<usize>; 4],
    /// Public addresses of employees and partners signing in to cloud apps; never the
    /// source of a device logon.
    pub roaming: Vec<String>,
}

impl PlantedAddresses {
    /// Draws the populations, gives every owned address (and each IPv6 twin) to a device's
    /// public adapter, and draws the roaming addresses.
    pub(crate) fn plant(rng: &mut Rng, sizes: PopulationSizes, devices: &mut [Device]) -> Self {
        let mut taken = HashSet::new();
        let mut all = Vec::with_capacity(sizes.total());
        for (population, &count) in Population::ALL.iter().zip(&sizes.counts) {
            for rank in 0..count {
                let (address, text) = draw_unique(rng, &mut taken);
                if !devices.is_empty() {
                    match (population, address) {
                        (Population::Owned, _) => {
                            let owner = rng.index(devices.len());
                            devices[owner].public_addresses.push(text.clone());
                        }
                        (Population::Unknown, IpAddr::V6(v6)) if rng.chance(0.5) => {
                            let compressed = v6_text(v6, V6Form::Compressed);
                            let twin = if compressed == text {
                                v6_text(v6, V6Form::Uncompressed)
                            } else {
                                compressed
                            };
                            if twin != text {
                                let owner = rng.index(devices.len());
                                devices[owner].public_addresses.push(twin);
                            }
                        }
                        _ => {}
                    }
                }
                all.push(PlantedAddress { text, population: *population, rank });
            }
        }

        for i in (1..all.len()).rev() {
            let j = rng.index(i + 1);
            all.swap(i, j);
        }
        let mut members: [Vec<usize>; 4] = Default::default();
        for (i, planted) in all.iter().enumerate() {
            members[planted.population as usize].push(i);
        }

        let roaming_count = (devices.len() / 5).clamp(20, 5_000);
        let roaming = (0..roaming_count).map(|_| draw_unique(rng, &mut taken).1).collect();
        PlantedAddresses { all, members, roaming }
    }

    /// Indexes into [`PlantedAddresses::all`] of one population's addresses.
    pub(crate) fn members(&self, population: Population) -> &[usize] {
        &self.members[population as usize]
    }

    /// The populations as the truth file lists them, each sorted.
    pub(crate) fn truth(&self) -> PlantedTruth {
        let list = |population| {
            let mut texts: Vec<String> =
                self.members(population).iter().map(|&i| self.all[i].text.clone()).collect();
            texts.sort_unstable();
            texts
        };
        PlantedTruth {
            owned: list(Population::Owned),
            outside_isp: list(Population::OutsideIsp),
            internal_only: list(Population::InternalOnly),
            unknown: list(Population::Unknown),
        }
    }
}

/// A public address not drawn before, and its text: mostly IPv4, about one in eight IPv6,
/// and of those some written uncompressed.
fn draw_unique(rng: &mut Rng, taken: &mut HashSet<IpAddr>) -> (IpAddr, String) {
    loop {
        let (address, text) = if rng.chance(0.12) {
            let v6 = public_v6(rng);
            let form = if rng.chance(0.4) { V6Form::Uncompressed } else { V6Form::Compressed };
            (IpAddr::V6(v6), v6_text(v6, form))
        } else {
            let v4 = public_v4(rng);
            (IpAddr::V4(v4), v4.to_string())
        };
        if taken.insert(address) {
            return (address, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::world::World;
    use super::*;

    #[test]
    fn sizes_fit_a_quarter_of_the_logons() {
        for (devices, logons) in [(20_000, 40_000), (20_000, 10_000_000), (5, 16), (50, 3)] {
            let sizes = PopulationSizes::for_lake(devices, logons);
            assert!(sizes.total() as u64 <= logons / 4, "{devices} devices, {logons} logons");
        }
    }

    #[test]
    fn all_four_populations_exist_once_logons_allow() {
        let sizes = PopulationSizes::for_lake(20_000, 16);
        assert!(sizes.counts.iter().all(|&c| c == 1));
        let sizes = PopulationSizes::for_lake(20_000, 10_000_000);
        assert_eq!(sizes.counts, [2_000, 500, 250, 250]);
    }

    #[test]
    fn populations_and_roaming_addresses_never_share_a_text() {
        let world = World::new(9, 2_000, 1_000_000);
        let truth = world.planted.truth();
        let mut texts: Vec<&String> = truth
            .owned
            .iter()
            .chain(&truth.outside_isp)
            .chain(&truth.internal_only)
            .chain(&truth.unknown)
            .chain(&world.planted.roaming)
            .collect();
        let before = texts.len();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), before);
    }

    #[test]
    fn some_planted_ipv6_addresses_are_compressed_and_some_uncompressed() {
        let world = World::new(7, 20_000, 10_000_000);
        let v6: Vec<&str> =
            world.planted.all.iter().map(|a| a.text.as_str()).filter(|t| t.contains(':')).collect();
        assert!(v6.iter().any(|t| t.contains("::")), "no compressed IPv6");
        assert!(
            v6.iter().any(|t| t.split(':').count() == 8 && t.split(':').all(|g| g.len() == 4)),
            "no uncompressed IPv6"
        );
        assert!(v6.len() * 20 > world.planted.all.len(), "fewer than 5% IPv6");
    }

    #[test]
    fn every_owned_address_is_on_some_device() {
        let world = World::new(4, 300, 100_000);
        let on_devices: HashSet<&String> =
            world.devices.iter().flat_map(|d| &d.public_addresses).collect();
        for owned in &world.planted.truth().owned {
            assert!(on_devices.contains(owned), "{owned}");
        }
        for other in world.planted.truth().unknown {
            assert!(!on_devices.contains(&other), "{other}");
        }
    }
}
