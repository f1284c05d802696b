//! IPv6 packet space (docs/spec.md section 12): sets of (IPv6 address, port) pairs as unions
//! of disjoint rectangles, the parallel of [`crate::space`] for 128-bit addresses.
//!
//! A parallel type rather than a generic one: the IPv4 types stay exactly as they are (their
//! layout and code are what `check`'s benchmarks measure), and an IPv4-only account never
//! touches this module. Ports are shared ([`PortRange`]).

use std::fmt;
use std::net::Ipv6Addr;

use ipnet::{Ipv6Net, Ipv6Subnets};

use crate::space::PortRange;

/// An inclusive range of IPv6 addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Addr6Range {
    /// First address, as a `u128`.
    pub first: u128,
    /// Last address (inclusive).
    pub last: u128,
}

impl Addr6Range {
    /// Every IPv6 address.
    #[cfg(test)]
    pub(crate) const ALL: Addr6Range = Addr6Range {
        first: 0,
        last: u128::MAX,
    };

    /// The single address `ip`.
    pub(crate) fn host(ip: Ipv6Addr) -> Self {
        let v = u128::from(ip);
        Addr6Range { first: v, last: v }
    }

    /// The addresses of a CIDR block (host bits ignored).
    pub(crate) fn cidr(net: Ipv6Net) -> Self {
        Addr6Range {
            first: u128::from(net.network()),
            last: u128::from(net.broadcast()),
        }
    }

    /// The overlap of two ranges, if any.
    pub(crate) fn intersect(self, other: Addr6Range) -> Option<Addr6Range> {
        let first = self.first.max(other.first);
        let last = self.last.min(other.last);
        (first <= last).then_some(Addr6Range { first, last })
    }

    /// True when `ip` lies in the range.
    pub(crate) fn contains(self, ip: u128) -> bool {
        self.first <= ip && ip <= self.last
    }

    /// The smallest list of CIDR blocks that covers exactly this range.
    pub(crate) fn to_cidrs(self) -> Vec<Ipv6Net> {
        Ipv6Subnets::new(Ipv6Addr::from(self.first), Ipv6Addr::from(self.last), 0).collect()
    }
}

impl fmt::Display for Addr6Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self.to_cidrs().iter().map(display_cidr6).collect();
        f.write_str(&shown.join(", "))
    }
}

/// An IPv6 CIDR written the way people read it: a bare address for a /128, else the network
/// in the standard library's compressed form (`2600:1f18::/32`).
pub(crate) fn display_cidr6(net: &Ipv6Net) -> String {
    if net.prefix_len() == 128 {
        net.addr().to_string()
    } else {
        net.trunc().to_string()
    }
}

/// A rectangle of IPv6 packet space: every address of `addrs` on every port of `ports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Rect6 {
    /// The addresses (the peer side: destination for egress, source for ingress).
    pub addrs: Addr6Range,
    /// The destination ports.
    pub ports: PortRange,
}

impl Rect6 {
    /// The rectangle `addrs × ports`.
    pub(crate) fn new(addrs: Addr6Range, ports: PortRange) -> Self {
        Rect6 { addrs, ports }
    }

    /// The overlap of two rectangles, if any.
    pub(crate) fn intersect(&self, other: &Rect6) -> Option<Rect6> {
        Some(Rect6 {
            addrs: self.addrs.intersect(other.addrs)?,
            ports: self.ports.intersect(other.ports)?,
        })
    }

    /// `self − other`, as at most four disjoint rectangles.
    fn minus(&self, other: &Rect6) -> Vec<Rect6> {
        let Some(cut) = self.intersect(other) else {
            return vec![*self];
        };
        let mut out = Vec::with_capacity(4);
        if self.addrs.first < cut.addrs.first {
            let addrs = Addr6Range {
                first: self.addrs.first,
                last: cut.addrs.first - 1,
            };
            out.push(Rect6::new(addrs, self.ports));
        }
        if cut.addrs.last < self.addrs.last {
            let addrs = Addr6Range {
                first: cut.addrs.last + 1,
                last: self.addrs.last,
            };
            out.push(Rect6::new(addrs, self.ports));
        }
        if self.ports.first < cut.ports.first {
            let ports = PortRange {
                first: self.ports.first,
                last: cut.ports.first - 1,
            };
            out.push(Rect6::new(cut.addrs, ports));
        }
        if cut.ports.last < self.ports.last {
            let ports = PortRange {
                first: cut.ports.last + 1,
                last: self.ports.last,
            };
            out.push(Rect6::new(cut.addrs, ports));
        }
        out
    }

    /// True when the packet (`addr`, `port`) is in the rectangle.
    pub(crate) fn contains(&self, addr: u128, port: u16) -> bool {
        self.addrs.contains(addr) && self.ports.first <= port && port <= self.ports.last
    }
}

/// A set of IPv6 packets: disjoint rectangles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Region6 {
    rects: Vec<Rect6>,
}

impl Region6 {
    /// A set of one rectangle.
    pub(crate) fn from_rect(rect: Rect6) -> Self {
        Region6 { rects: vec![rect] }
    }

    /// The union of `addrs × ports` over every address range (the ranges must be disjoint).
    pub(crate) fn from_addrs(
        addrs: impl IntoIterator<Item = Addr6Range>,
        ports: PortRange,
    ) -> Self {
        Region6 {
            rects: addrs.into_iter().map(|a| Rect6::new(a, ports)).collect(),
        }
    }

    /// True when the set holds no packet.
    pub(crate) fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// The rectangles, disjoint.
    pub(crate) fn rects(&self) -> &[Rect6] {
        &self.rects
    }

    /// True when the packet (`addr`, `port`) is in the set.
    pub(crate) fn contains(&self, addr: u128, port: u16) -> bool {
        self.rects.iter().any(|r| r.contains(addr, port))
    }

    /// Removes `other` from the set; returns the part that was removed.
    pub(crate) fn subtract(&mut self, other: &Rect6) -> Region6 {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.rects.len());
        for rect in &self.rects {
            match rect.intersect(other) {
                None => kept.push(*rect),
                Some(cut) => {
                    removed.push(cut);
                    kept.extend(rect.minus(other));
                }
            }
        }
        self.rects = kept;
        Region6 { rects: removed }
    }

    /// Adds a set disjoint from this one.
    pub(crate) fn absorb(&mut self, other: Region6) {
        self.rects.extend(other.rects);
    }

    /// The distinct address ranges the set touches, sorted, overlapping ones merged.
    pub(crate) fn addr_ranges(&self) -> Vec<Addr6Range> {
        let mut v: Vec<(u128, u128)> = self
            .rects
            .iter()
            .map(|r| (r.addrs.first, r.addrs.last))
            .collect();
        v.sort_unstable();
        let mut out: Vec<Addr6Range> = Vec::with_capacity(v.len());
        for (first, last) in v {
            match out.last_mut() {
                Some(prev) if first <= prev.last.saturating_add(1) => {
                    prev.last = prev.last.max(last);
                }
                _ => out.push(Addr6Range { first, last }),
            }
        }
        out
    }

    /// The addresses of the set as CIDR blocks, for people to read.
    pub(crate) fn describe_addrs(&self) -> String {
        let parts: Vec<String> = self.addr_ranges().iter().map(|a| a.to_string()).collect();
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rect(a: u128, b: u128, p: u16, q: u16) -> Rect6 {
        Rect6::new(
            Addr6Range { first: a, last: b },
            PortRange { first: p, last: q },
        )
    }

    #[test]
    fn cidr_display_is_compressed_and_minimal() {
        let net: Ipv6Net = "2600:1f18:aaaa:bb01::/64".parse().unwrap();
        assert_eq!(
            Addr6Range::cidr(net).to_string(),
            "2600:1f18:aaaa:bb01::/64"
        );
        let host = Addr6Range::host("2600:1f18::5".parse().unwrap());
        assert_eq!(host.to_string(), "2600:1f18::5");
        assert_eq!(Addr6Range::ALL.to_string(), "::/0");
    }

    #[test]
    fn subtracting_the_top_of_the_space_does_not_overflow() {
        let mut r = Region6::from_rect(rect(0, u128::MAX, 0, u16::MAX));
        let removed = r.subtract(&rect(u128::MAX - 1, u128::MAX, 0, u16::MAX));
        assert!(removed.contains(u128::MAX, 443));
        assert!(!r.contains(u128::MAX, 443) && r.contains(u128::MAX - 2, 443));
        assert_eq!(r.addr_ranges().last().unwrap().last, u128::MAX - 2);
    }

    /// Addresses drawn near the ends and the middle of the space, where u128 arithmetic can
    /// go wrong, and from a small window where rectangles overlap often.
    fn addr() -> impl Strategy<Value = u128> {
        prop_oneof![
            0u128..40,
            (0u128..40).prop_map(|x| u128::MAX - x),
            (0u128..40).prop_map(|x| (1u128 << 127) - 20 + x),
        ]
    }

    proptest! {
        /// Subtraction is exact: a packet stays iff it was in the set and not in the cut,
        /// and the removed part is exactly the intersection.
        #[test]
        fn subtraction_matches_pointwise(a in addr(), b in addr(), p in 0u16..40, q in 0u16..40,
                                         c in addr(), d in addr(), s in 0u16..40, t in 0u16..40,
                                         x in addr(), y in 0u16..40) {
            let base = rect(a.min(b), a.max(b), p.min(q), p.max(q));
            let cut = rect(c.min(d), c.max(d), s.min(t), s.max(t));
            let mut r = Region6::from_rect(base);
            let removed = r.subtract(&cut);
            prop_assert_eq!(r.contains(x, y), base.contains(x, y) && !cut.contains(x, y));
            prop_assert_eq!(removed.contains(x, y), base.contains(x, y) && cut.contains(x, y));
        }

        /// CIDRs are written as the standard library writes them, a /128 as a bare address.
        #[test]
        fn display_cidr_matches_std(ip in any::<u128>(), len in 0u8..=128) {
            let ip = Ipv6Addr::from(ip);
            let net = Ipv6Net::new(ip, len).unwrap();
            let expected = if len == 128 { ip.to_string() } else { net.trunc().to_string() };
            prop_assert_eq!(display_cidr6(&net), expected);
        }
    }
}
