//! IPv4 helpers: CIDR blocks and per-subnet address allocation.

use crate::rng::Rng;
use std::fmt;
use std::net::Ipv4Addr;

/// An IPv4 CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    /// The network address.
    pub base: u32,
    /// The prefix length.
    pub len: u8,
}

impl Cidr {
    /// `a.b.c.d/len`.
    pub(crate) fn new(a: u8, b: u8, c: u8, d: u8, len: u8) -> Self {
        Cidr {
            base: u32::from_be_bytes([a, b, c, d]),
            len,
        }
    }

    /// The address `offset` places after the network address.
    pub(crate) fn host(&self, offset: u32) -> u32 {
        self.base + offset
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.len)
    }
}

/// Dotted-quad form of an address.
pub(crate) fn fmt_ip(ip: u32) -> String {
    Ipv4Addr::from(ip).to_string()
}

/// The `/32` CIDR of an address.
pub(crate) fn host_cidr(ip: u32) -> String {
    format!("{}/32", fmt_ip(ip))
}

/// The EC2 private DNS name of an address in us-east-1.
pub(crate) fn private_dns(ip: u32) -> String {
    format!("ip-{}.ec2.internal", fmt_ip(ip).replace('.', "-"))
}

/// Usable hosts of a /24: AWS reserves .0-.3 and .255, leaving .4-.254 (251, a prime).
pub(crate) const USABLE_HOSTS: u32 = 251;

/// Hands out the usable addresses of a /24 in a pseudo-random order, each at most once:
/// `start + k * stride (mod 251)` visits every residue because 251 is prime.
#[derive(Clone, Debug)]
pub(crate) struct HostAllocator {
    start: u32,
    stride: u32,
    used: u32,
}

impl HostAllocator {
    /// A fresh allocator with a random start and stride.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        HostAllocator {
            start: rng.range(0, 250),
            stride: rng.range(1, 250),
            used: 0,
        }
    }

    /// The next free host offset (4..=254), or `None` when the subnet is full.
    pub(crate) fn next(&mut self) -> Option<u32> {
        if self.used == USABLE_HOSTS {
            return None;
        }
        let offset = (self.start + self.used * self.stride) % USABLE_HOSTS;
        self.used += 1;
        Some(4 + offset)
    }

    /// How many addresses are still free.
    pub(crate) fn free(&self) -> u32 {
        USABLE_HOSTS - self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_visits_every_host_once() {
        let mut a = HostAllocator::new(&mut Rng::new(3));
        let mut seen: Vec<u32> = std::iter::from_fn(|| a.next()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (4..=254).collect::<Vec<_>>());
    }

    #[test]
    fn cidr_display() {
        assert_eq!(Cidr::new(10, 3, 0, 0, 16).to_string(), "10.3.0.0/16");
    }
}
