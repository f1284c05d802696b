//! IPv6 packet space (docs/spec.md section 12): the IPv6 instances of [`crate::space`]'s
//! generic sets of (address, port) pairs. One implementation serves both families
//! ([`crate::addr_family`]); this module names the IPv6 one and holds its edge-case tests
//! (128-bit arithmetic at the ends of the space).

#[cfg(test)]
use std::net::Ipv6Addr;

use ipnet::Ipv6Net;

use crate::addr_family::{AddrFamily, V6};
#[cfg(test)]
use crate::space::PortRange;
#[cfg(test)]
use crate::space::RectOf;
use crate::space::{AddrRangeOf, RegionOf};

/// An inclusive range of IPv6 addresses.
pub(crate) type Addr6Range = AddrRangeOf<V6>;
/// A rectangle of IPv6 packet space (the tests' name).
#[cfg(test)]
pub(crate) type Rect6 = RectOf<V6>;
/// A set of IPv6 packets.
pub(crate) type Region6 = RegionOf<V6>;

/// An IPv6 CIDR written the way people read it: a bare address for a /128, else the network
/// in the standard library's compressed form (`2600:1f18::/32`).
pub(crate) fn display_cidr6(net: &Ipv6Net) -> String {
    V6::display_cidr(net)
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
