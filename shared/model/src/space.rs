//! Packet space arithmetic: sets of (address, port) pairs as unions of rectangles, for
//! either address family ([`AddrFamily`]; [`crate::space6`] names the IPv6 instances).
//!
//! Security groups and network ACLs are both decided by asking "which part of the traffic we
//! need is left uncovered by these rules?". Answering that exactly (not by sampling packets)
//! lets a finding say precisely which addresses and ports are missing. Every set here is a
//! list of disjoint rectangles `addresses × ports`; rule lists are short, so subtracting
//! rectangle by rectangle stays cheap.

use std::fmt;
#[cfg(test)]
use std::net::Ipv4Addr;

#[cfg(test)]
use ipnet::Ipv4Net;

use crate::addr_family::{AddrBits, AddrFamily, V4};

/// An inclusive range of IPv4 addresses.
pub(crate) type AddrRange = AddrRangeOf<V4>;
/// A rectangle of IPv4 packet space (the tests' name).
#[cfg(test)]
pub(crate) type Rect = RectOf<V4>;
/// A set of IPv4 packets.
pub(crate) type Region = RegionOf<V4>;

/// An inclusive range of addresses of family `F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AddrRangeOf<F: AddrFamily> {
    /// First address, as an integer.
    pub first: F::Bits,
    /// Last address (inclusive).
    pub last: F::Bits,
}

impl<F: AddrFamily> AddrRangeOf<F> {
    /// Every address of the family.
    pub(crate) const ALL: Self = AddrRangeOf {
        first: F::Bits::ZERO,
        last: F::Bits::MAX,
    };

    /// The single address `ip`.
    pub(crate) fn host(ip: F::Addr) -> Self {
        let v = F::bits(ip);
        AddrRangeOf { first: v, last: v }
    }

    /// The addresses of a CIDR block (host bits ignored).
    pub(crate) fn cidr(net: F::Net) -> Self {
        AddrRangeOf {
            first: F::network(&net),
            last: F::broadcast(&net),
        }
    }

    /// The overlap of two ranges, if any.
    pub(crate) fn intersect(self, other: Self) -> Option<Self> {
        let first = self.first.max(other.first);
        let last = self.last.min(other.last);
        (first <= last).then_some(AddrRangeOf { first, last })
    }

    /// True when `ip` lies in the range.
    pub(crate) fn contains(self, ip: F::Bits) -> bool {
        self.first <= ip && ip <= self.last
    }

    /// The smallest list of CIDR blocks that covers exactly this range.
    pub(crate) fn to_cidrs(self) -> Vec<F::Net> {
        F::cidrs_between(self.first, self.last)
    }
}

impl<F: AddrFamily> fmt::Display for AddrRangeOf<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self.to_cidrs().iter().map(F::display_cidr).collect();
        f.write_str(&shown.join(", "))
    }
}

/// An IPv4 CIDR written the way people read it: a bare address for a /32.
pub(crate) fn display_cidr(net: &ipnet::Ipv4Net) -> String {
    V4::display_cidr(net)
}

/// An inclusive range of TCP/UDP ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub first: u16,
    /// Last port (inclusive).
    pub last: u16,
}

impl PortRange {
    /// Every port, 0-65535.
    pub const ALL: PortRange = PortRange {
        first: 0,
        last: u16::MAX,
    };

    /// A single port.
    pub fn single(port: u16) -> Self {
        PortRange {
            first: port,
            last: port,
        }
    }

    /// The overlap of two ranges, if any.
    pub fn intersect(self, other: PortRange) -> Option<PortRange> {
        let first = self.first.max(other.first);
        let last = self.last.min(other.last);
        (first <= last).then_some(PortRange { first, last })
    }

    /// A range from AWS's signed `From`/`To` fields; a missing or negative bound means
    /// "every port", as AWS prints protocol `-1` rules. `None` for an empty range.
    pub fn from_aws(from: Option<i32>, to: Option<i32>) -> Option<PortRange> {
        match (from, to) {
            (Some(f), Some(t)) if f >= 0 && t >= 0 => {
                let f = u16::try_from(f).ok()?;
                let t = u16::try_from(t).unwrap_or(u16::MAX);
                (f <= t).then_some(PortRange { first: f, last: t })
            }
            _ => Some(PortRange::ALL),
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// A rectangle of packet space: every address of `addrs` on every port of `ports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RectOf<F: AddrFamily> {
    /// The addresses (the peer side: destination for egress, source for ingress).
    pub addrs: AddrRangeOf<F>,
    /// The destination ports.
    pub ports: PortRange,
}

impl<F: AddrFamily> RectOf<F> {
    /// The rectangle `addrs × ports`.
    pub(crate) fn new(addrs: AddrRangeOf<F>, ports: PortRange) -> Self {
        RectOf { addrs, ports }
    }

    /// The overlap of two rectangles, if any.
    pub(crate) fn intersect(&self, other: &Self) -> Option<Self> {
        Some(RectOf {
            addrs: self.addrs.intersect(other.addrs)?,
            ports: self.ports.intersect(other.ports)?,
        })
    }

    /// `self − other`, as at most four disjoint rectangles.
    fn minus(&self, other: &Self) -> Vec<Self> {
        let Some(cut) = self.intersect(other) else {
            return vec![*self];
        };
        let mut out = Vec::with_capacity(4);
        if self.addrs.first < cut.addrs.first {
            let addrs = AddrRangeOf {
                first: self.addrs.first,
                last: cut.addrs.first.dec(),
            };
            out.push(RectOf::new(addrs, self.ports));
        }
        if cut.addrs.last < self.addrs.last {
            let addrs = AddrRangeOf {
                first: cut.addrs.last.inc(),
                last: self.addrs.last,
            };
            out.push(RectOf::new(addrs, self.ports));
        }
        if self.ports.first < cut.ports.first {
            let ports = PortRange {
                first: self.ports.first,
                last: cut.ports.first - 1,
            };
            out.push(RectOf::new(cut.addrs, ports));
        }
        if cut.ports.last < self.ports.last {
            let ports = PortRange {
                first: cut.ports.last + 1,
                last: self.ports.last,
            };
            out.push(RectOf::new(cut.addrs, ports));
        }
        out
    }

    /// True when the packet (`addr`, `port`) is in the rectangle.
    #[cfg(test)]
    pub(crate) fn contains(&self, addr: F::Bits, port: u16) -> bool {
        self.addrs.contains(addr) && self.ports.first <= port && port <= self.ports.last
    }
}

/// A set of packets: disjoint rectangles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RegionOf<F: AddrFamily> {
    rects: Vec<RectOf<F>>,
}

impl<F: AddrFamily> RegionOf<F> {
    /// The empty set.
    pub(crate) fn empty() -> Self {
        RegionOf { rects: Vec::new() }
    }

    /// A set of one rectangle (the tests' regions).
    #[cfg(test)]
    pub(crate) fn from_rect(rect: RectOf<F>) -> Self {
        RegionOf { rects: vec![rect] }
    }

    /// The union of `addrs × ports` over every address range (the ranges must be disjoint).
    pub(crate) fn from_addrs(
        addrs: impl IntoIterator<Item = AddrRangeOf<F>>,
        ports: PortRange,
    ) -> Self {
        RegionOf {
            rects: addrs.into_iter().map(|a| RectOf::new(a, ports)).collect(),
        }
    }

    /// True when the set holds no packet.
    pub(crate) fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// The rectangles, disjoint.
    pub(crate) fn rects(&self) -> &[RectOf<F>] {
        &self.rects
    }

    /// True when the packet (`addr`, `port`) is in the set (the tests' per-packet oracles).
    #[cfg(test)]
    pub(crate) fn contains(&self, addr: F::Bits, port: u16) -> bool {
        self.rects.iter().any(|r| r.contains(addr, port))
    }

    /// Removes `other` from the set; returns the part that was removed.
    pub(crate) fn subtract(&mut self, other: &RectOf<F>) -> Self {
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
        RegionOf { rects: removed }
    }

    /// Adds a set disjoint from this one.
    pub(crate) fn absorb(&mut self, other: Self) {
        self.rects.extend(other.rects);
    }

    /// The distinct port ranges the set touches, sorted, overlapping ones merged.
    pub(crate) fn port_ranges(&self) -> Vec<PortRange> {
        merge_ranges(
            self.rects
                .iter()
                .map(|r| (r.ports.first as u32, r.ports.last as u32)),
        )
        .into_iter()
        .map(|(a, b)| PortRange {
            first: a as u16,
            last: b as u16,
        })
        .collect()
    }

    /// The distinct address ranges the set touches, sorted, overlapping ones merged.
    pub(crate) fn addr_ranges(&self) -> Vec<AddrRangeOf<F>> {
        merge_ranges(self.rects.iter().map(|r| (r.addrs.first, r.addrs.last)))
            .into_iter()
            .map(|(first, last)| AddrRangeOf { first, last })
            .collect()
    }

    /// The addresses of the set as CIDR blocks, for people to read.
    pub(crate) fn describe_addrs(&self) -> String {
        let parts: Vec<String> = self.addr_ranges().iter().map(|a| a.to_string()).collect();
        parts.join(", ")
    }

    /// The ports of the set, e.g. `443` or `1024-2047, 3000`.
    pub(crate) fn describe_ports(&self) -> String {
        let parts: Vec<String> = self.port_ranges().iter().map(|p| p.to_string()).collect();
        parts.join(", ")
    }
}

/// Sorts inclusive ranges and merges overlapping or adjacent ones.
fn merge_ranges<B: AddrBits>(ranges: impl Iterator<Item = (B, B)>) -> Vec<(B, B)> {
    let mut v: Vec<(B, B)> = ranges.collect();
    v.sort_unstable();
    let mut out: Vec<(B, B)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_inc() => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rect(a: u32, b: u32, p: u16, q: u16) -> Rect {
        Rect::new(
            AddrRange { first: a, last: b },
            PortRange { first: p, last: q },
        )
    }

    #[test]
    fn subtracting_a_hole_leaves_the_frame() {
        let mut r = Region::from_rect(rect(0, 9, 0, 9));
        let removed = r.subtract(&rect(3, 5, 3, 5));
        assert_eq!(removed.rects(), &[rect(3, 5, 3, 5)]);
        assert!(!r.contains(4, 4));
        assert!(r.contains(2, 4) && r.contains(6, 4) && r.contains(4, 2) && r.contains(4, 6));
    }

    #[test]
    fn cidr_display_uses_minimal_blocks() {
        let a = AddrRange::cidr("10.0.2.0/24".parse().unwrap());
        assert_eq!(a.to_string(), "10.0.2.0/24");
        let h = AddrRange::host("10.0.2.10".parse().unwrap());
        assert_eq!(h.to_string(), "10.0.2.10");
    }

    #[test]
    fn aws_port_bounds() {
        assert_eq!(PortRange::from_aws(None, None), Some(PortRange::ALL));
        assert_eq!(
            PortRange::from_aws(Some(-1), Some(-1)),
            Some(PortRange::ALL)
        );
        assert_eq!(
            PortRange::from_aws(Some(443), Some(443)),
            Some(PortRange::single(443))
        );
        assert_eq!(PortRange::from_aws(Some(500), Some(400)), None);
    }

    proptest! {
        /// Subtraction is exact: a packet stays iff it was in the set and not in the cut,
        /// and the removed part is exactly the intersection.
        #[test]
        fn subtraction_matches_pointwise(a in 0u32..40, b in 0u32..40, p in 0u16..40, q in 0u16..40,
                                         c in 0u32..40, d in 0u32..40, s in 0u16..40, t in 0u16..40,
                                         x in 0u32..40, y in 0u16..40) {
            let base = rect(a.min(b), a.max(b), p.min(q), p.max(q));
            let cut = rect(c.min(d), c.max(d), s.min(t), s.max(t));
            let mut r = Region::from_rect(base);
            let removed = r.subtract(&cut);
            let in_base = base.addrs.contains(x) && base.ports.first <= y && y <= base.ports.last;
            let in_cut = cut.addrs.contains(x) && cut.ports.first <= y && y <= cut.ports.last;
            prop_assert_eq!(r.contains(x, y), in_base && !in_cut);
            prop_assert_eq!(removed.contains(x, y), in_base && in_cut);
        }

        /// CIDRs are written as the standard library writes them, a /32 as a bare address.
        #[test]
        fn display_cidr_matches_std(ip in any::<u32>(), len in 0u8..=32) {
            let ip = Ipv4Addr::from(ip);
            let net = Ipv4Net::new(ip, len).unwrap();
            let expected = if len == 32 { ip.to_string() } else { net.trunc().to_string() };
            prop_assert_eq!(display_cidr(&net), expected);
        }
    }
}
