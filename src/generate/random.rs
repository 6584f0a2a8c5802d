//! The generator's own deterministic randomness: xoshiro256** streams seeded through
//! SplitMix64, one stream per (seed, table, day), so that days can be written on any number of
//! threads and a seed still names exactly one lake.

/// Which part of the lake a random stream feeds. Each part draws from its own stream, so
/// adding a column to one table never changes the rows of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// The organisation: devices, accounts, planted addresses.
    World,
    /// One day of DeviceLogonEvents.
    DeviceLogons,
    /// One day of DeviceNetworkInfo.
    NetworkInfo,
    /// One day of IdentityLogonEvents.
    IdentityLogons,
}

impl Stream {
    fn tag(self) -> u64 {
        match self {
            Stream::World => 0x5752_4c44,
            Stream::DeviceLogons => 0x444c_4f47,
            Stream::NetworkInfo => 0x444e_4946,
            Stream::IdentityLogons => 0x494c_4f47,
        }
    }
}

/// SplitMix64's output function: a fast bijective mix of 64 bits. Used to seed streams and
/// to derive stable per-entity values (a process id, a boot time) without keeping state.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Mixes several keys into one value; order matters.
pub(crate) fn mix_all(keys: &[u64]) -> u64 {
    keys.iter().fold(0x6c61_6b65_6875_6e74, |acc, &k| mix(acc ^ mix(k)))
}

/// A xoshiro256** generator.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator whose state is filled from SplitMix64 started at `seed`. SplitMix64 is a
    /// bijection of its counter, so the four words are never all zero.
    pub(crate) fn new(seed: u64) -> Self {
        let mut counter = seed;
        let mut next = || {
            counter = counter.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(counter)
        };
        Rng { state: [next(), next(), next(), next()] }
    }

    /// The stream for one part of the lake on one day (`day` is ignored by [`Stream::World`]).
    pub(crate) fn stream(seed: u64, stream: Stream, day: u32) -> Self {
        Rng::new(mix_all(&[seed, stream.tag(), u64::from(day)]))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// A value in `0..n` (Lemire's multiply-high; the bias is below 2^-32 for our ranges).
    /// `n` must be positive.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len` (which must be positive).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A value in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// A uniform value in `[0, 1)` with 53 bits of precision.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A random element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index skewed toward the front of the range, so that a few entries of a pool are
    /// common and the rest rare, as with real addresses and accounts.
    pub(crate) fn skewed_index(&mut self, len: usize) -> usize {
        let u = self.unit();
        ((u * u * len as f64) as usize).min(len.saturating_sub(1))
    }

    /// A value chosen by weight from a non-empty table of `(weight, value)` pairs.
    pub(crate) fn weighted<T: Copy>(&mut self, table: &[(u32, T)]) -> T {
        let total: u64 = table.iter().map(|&(w, _)| u64::from(w)).sum();
        let mut ticket = self.below(total.max(1));
        for &(weight, value) in table {
            if ticket < u64::from(weight) {
                return value;
            }
            ticket -= u64::from(weight);
        }
        table[table.len() - 1].1
    }

    /// A string of `digits` random hexadecimal digits, in upper or lower case.
    pub(crate) fn hex(&mut self, digits: usize, upper: bool) -> String {
        let alphabet: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
        (0..digits).map(|_| char::from(alphabet[self.index(16)])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stream_repeats_and_other_days_differ() {
        let a: Vec<u64> = {
            let mut r = Rng::stream(7, Stream::DeviceLogons, 3);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::stream(7, Stream::DeviceLogons, 3);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::stream(7, Stream::DeviceLogons, 4);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn below_stays_in_range_and_reaches_both_ends() {
        let mut r = Rng::new(1);
        let draws: Vec<u64> = (0..10_000).map(|_| r.below(10)).collect();
        assert!(draws.iter().all(|&d| d < 10));
        assert!(draws.contains(&0) && draws.contains(&9));
    }

    #[test]
    fn weighted_never_picks_a_zero_weight_entry() {
        let mut r = Rng::new(2);
        for _ in 0..10_000 {
            assert_ne!(r.weighted(&[(3, 'a'), (0, 'b'), (1, 'c')]), 'b');
        }
    }
}
