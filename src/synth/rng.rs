//! A small, seeded pseudo-random number generator (SplitMix64), written here rather than taken from a
//! crate so that a seed gives the same plan forever, whatever crate versions the build resolves.

/// SplitMix64 (Steele, Lea and Flood, 2014): one 64-bit state, advanced by a fixed odd constant and
/// scrambled on output. Fast, and good enough for test data; not for anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole output is decided by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`; `0` when `bound` is `0`. Uses the high bits of a 64×64-bit product, whose
    /// bias is far below anything test data could show.
    pub fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    /// A number in `low..=high` (`low` when `high < low`).
    pub fn between(&mut self, low: u32, high: u32) -> u32 {
        let span = high.saturating_sub(low) as usize + 1;
        low + self.below(span) as u32
    }

    /// `true` with a chance of `percent` in 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// One of `items`, or `None` when there are none.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }

    /// `items` in a random order (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.below(last + 1);
            items.swap(last, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_is_the_reference_splitmix64_sequence() {
        // The first outputs of the reference C implementation (splitmix64.c) for seed 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn bounded_numbers_stay_in_bounds() {
        let mut rng = SplitMix64::new(42);
        for bound in 1..50 {
            assert!(rng.below(bound) < bound);
        }
        assert_eq!(rng.below(0), 0);
        for _ in 0..200 {
            let n = rng.between(10, 20);
            assert!((10..=20).contains(&n), "{n}");
        }
        assert_eq!(rng.between(5, 3), 5);
        assert!(!rng.chance(0));
        assert!(rng.chance(100));
        assert_eq!(rng.choose::<u8>(&[]), None);
    }

    #[test]
    fn shuffling_keeps_every_item() {
        let mut rng = SplitMix64::new(7);
        let mut items: Vec<u32> = (0..20).collect();
        rng.shuffle(&mut items);
        let mut sorted = items.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(items, sorted, "twenty items virtually never stay in order");
    }
}
