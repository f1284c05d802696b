//! A small, fast, non-cryptographic hasher for the check's caches.
//!
//! The caches are keyed by resource ids from the snapshot (no attacker picks them to collide
//! inside one run), and with the standard SipHash, hashing was a tenth of a large check's time.
//! This is the multiply-rotate hash rustc uses (FxHash), written out to keep the model crate's
//! dependencies to serde and ipnet.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub(crate) type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// FxHash: one multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits depending on the low bytes of each word only (ids
        // like `subnet-0abc…` differ elsewhere), and hashbrown picks buckets by the low bits:
        // bring the well-mixed high bits down, as rustc-hash 2 does.
        self.hash.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_different_ones_spread() {
        let mut map: FxHashMap<(&str, u32), usize> = FxHashMap::default();
        for i in 0..1000u32 {
            map.insert(("eni-0123456789abcdef0", i), i as usize);
        }
        assert_eq!(map.len(), 1000);
        assert_eq!(map[&("eni-0123456789abcdef0", 7)], 7);
    }
}
