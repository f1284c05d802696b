//! Unique, realistic AWS resource ids (`vpc-0` followed by 16 hex digits, and so on).

use crate::rng::mix64;

/// Hands out ids that are unique across the whole snapshot: a counter pushed through a
/// bijection, so no two calls ever return the same digits.
#[derive(Debug)]
pub(crate) struct IdGen {
    key: u64,
    counter: u64,
}

impl IdGen {
    /// An id generator whose digits depend on `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        IdGen {
            key: mix64(seed ^ 0x0001_d50f_a115),
            counter: 0,
        }
    }

    /// `prefix-` followed by 17 hex digits, the long AWS id format (which starts with 0).
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-0{:016x}", mix64(self.counter ^ self.key))
    }
}
