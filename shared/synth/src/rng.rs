//! A tiny deterministic PRNG (SplitMix64), so a seed always yields the same snapshot.

/// The SplitMix64 finaliser: a bijection on `u64` with good avalanche.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a hash of a tag, used to derive independent sub-streams.
fn fnv1a(tag: &str) -> u64 {
    tag.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Deterministic SplitMix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// An independent generator for one part of the snapshot, so that parts do not shift
    /// each other's random choices.
    pub(crate) fn fork(&self, tag: &str) -> Rng {
        Rng::new(mix64(self.state ^ fnv1a(tag)))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.state)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    /// True with probability `p` percent.
    pub(crate) fn percent(&mut self, p: u32) -> bool {
        (self.below(100) as u32) < p
    }

    /// A random element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `mean` give or take 25%, at least 1.
    pub(crate) fn around(&mut self, mean: usize) -> usize {
        let spread = mean / 4;
        (mean - spread + self.below(2 * spread + 1)).max(1)
    }

    /// Fisher-Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// `n` lowercase hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap())
            .collect()
    }

    /// An AWS CLI style timestamp in 2023-2024.
    pub(crate) fn timestamp(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            self.range(2023, 2024),
            self.range(1, 12),
            self.range(1, 28),
            self.range(0, 23),
            self.range(0, 59),
            self.range(0, 59)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
    }

    #[test]
    fn around_stays_in_band() {
        let mut r = Rng::new(1);
        assert!((0..1000)
            .map(|_| r.around(20))
            .all(|x| (15..=25).contains(&x)));
    }
}
