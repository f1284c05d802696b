//! Packet space arithmetic: sets of (IPv4 address, port) pairs as unions of rectangles.
//!
//! Security groups and network ACLs are both decided by asking "which part of the traffic we
//! need is left uncovered by these rules?". Answering that exactly (not by sampling packets)
//! lets a finding say precisely which addresses and ports are missing. Every set here is a
//! list of disjoint rectangles `addresses × ports`; rule lists are short, so subtracting
//! rectangle by rectangle stays cheap.

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv4Subnets};

/// An inclusive range of IPv4 addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AddrRange {
    /// First address, as a `u32`.
    pub first: u32,
    /// Last address (inclusive).
    pub last: u32,
}

impl AddrRange {
    /// Every IPv4 address.
    pub(crate) const ALL: AddrRange = AddrRange {
        first: 0,
        last: u32::MAX,
    };

    /// The single address `ip`.
    pub(crate) fn host(ip: Ipv4Addr) -> Self {
        let v = u32::from(ip);
        AddrRange { first: v, last: v }
    }

    /// The addresses of a CIDR block (host bits ignored).
    pub(crate) fn cidr(net: Ipv4Net) -> Self {
        AddrRange {
            first: u32::from(net.network()),
            last: u32::from(net.broadcast()),
        }
    }

    /// The overlap of two ranges, if any.
    pub(crate) fn intersect(self, other: AddrRange) -> Option<AddrRange> {
        let first = self.first.max(other.first);
        let last = self.last.min(other.last);
        (first <= last).then_some(AddrRange { first, last })
    }

    /// True when `ip` lies in the range.
    pub(crate) fn contains(self, ip: u32) -> bool {
        self.first <= ip && ip <= self.last
    }

    /// The smallest list of CIDR blocks that covers exactly this range.
    pub(crate) fn to_cidrs(self) -> Vec<Ipv4Net> {
        Ipv4Subnets::new(Ipv4Addr::from(self.first), Ipv4Addr::from(self.last), 0).collect()
    }
}

impl fmt::Display for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cidrs = self.to_cidrs();
        let shown: Vec<String> = cidrs.iter().map(display_cidr).collect();
        f.write_str(&shown.join(", "))
    }
}

/// A CIDR written the way people read it: a bare address for a /32.
pub(crate) fn display_cidr(net: &Ipv4Net) -> String {
    if net.prefix_len() == 32 {
        crate::text::IpText::new(net.addr()).as_str().to_string()
    } else {
        crate::text::cidr(*net)
    }
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
pub(crate) struct Rect {
    /// The addresses (the peer side: destination for egress, source for ingress).
    pub addrs: AddrRange,
    /// The destination ports.
    pub ports: PortRange,
}

impl Rect {
    /// The rectangle `addrs × ports`.
    pub(crate) fn new(addrs: AddrRange, ports: PortRange) -> Self {
        Rect { addrs, ports }
    }

    /// The overlap of two rectangles, if any.
    pub(crate) fn intersect(&self, other: &Rect) -> Option<Rect> {
        Some(Rect {
            addrs: self.addrs.intersect(other.addrs)?,
            ports: self.ports.intersect(other.ports)?,
        })
    }

    /// `self − other`, as at most four disjoint rectangles.
    fn minus(&self, other: &Rect) -> Vec<Rect> {
        let Some(cut) = self.intersect(other) else {
            return vec![*self];
        };
        let mut out = Vec::with_capacity(4);
        if self.addrs.first < cut.addrs.first {
            out.push(Rect::new(
                AddrRange {
                    first: self.addrs.first,
                    last: cut.addrs.first - 1,
                },
                self.ports,
            ));
        }
        if cut.addrs.last < self.addrs.last {
            out.push(Rect::new(
                AddrRange {
                    first: cut.addrs.last + 1,
                    last: self.addrs.last,
                },
                self.ports,
            ));
        }
        if self.ports.first < cut.ports.first {
            out.push(Rect::new(
                cut.addrs,
                PortRange {
                    first: self.ports.first,
                    last: cut.ports.first - 1,
                },
            ));
        }
        if cut.ports.last < self.ports.last {
            out.push(Rect::new(
                cut.addrs,
                PortRange {
                    first: cut.ports.last + 1,
                    last: self.ports.last,
                },
            ));
        }
        out
    }
}

/// A set of packets: disjoint rectangles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Region {
    rects: Vec<Rect>,
}

impl Region {
    /// The empty set.
    pub(crate) fn empty() -> Self {
        Region::default()
    }

    /// A set of one rectangle (the tests' regions).
    #[cfg(test)]
    pub(crate) fn from_rect(rect: Rect) -> Self {
        Region { rects: vec![rect] }
    }

    /// The union of `addrs × ports` over every address range (the ranges must be disjoint).
    pub(crate) fn from_addrs(addrs: impl IntoIterator<Item = AddrRange>, ports: PortRange) -> Self {
        Region {
            rects: addrs.into_iter().map(|a| Rect::new(a, ports)).collect(),
        }
    }

    /// True when the set holds no packet.
    pub(crate) fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// The rectangles, disjoint.
    pub(crate) fn rects(&self) -> &[Rect] {
        &self.rects
    }

    /// True when the packet (`addr`, `port`) is in the set (the tests' per-packet oracles).
    #[cfg(test)]
    pub(crate) fn contains(&self, addr: u32, port: u16) -> bool {
        self.rects
            .iter()
            .any(|r| r.addrs.contains(addr) && r.ports.first <= port && port <= r.ports.last)
    }

    /// Removes `other` from the set; returns the part that was removed.
    pub(crate) fn subtract(&mut self, other: &Rect) -> Region {
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
        Region { rects: removed }
    }

    /// Adds a set disjoint from this one.
    pub(crate) fn absorb(&mut self, other: Region) {
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
    pub(crate) fn addr_ranges(&self) -> Vec<AddrRange> {
        merge_ranges(self.rects.iter().map(|r| (r.addrs.first, r.addrs.last)))
            .into_iter()
            .map(|(first, last)| AddrRange { first, last })
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
fn merge_ranges(ranges: impl Iterator<Item = (u32, u32)>) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = ranges.collect();
    v.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
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
