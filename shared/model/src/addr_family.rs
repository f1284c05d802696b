//! The address families as types (issue 17, docs/spec.md section 12): packet space, security
//! groups, network ACLs, routes and prefix lists each have ONE evaluator, generic over
//! [`AddrFamily`] and monomorphized for [`V4`] and [`V6`].
//!
//! Monomorphized rather than dispatched at run time: the IPv4 instance is the code IPv4 had
//! before IPv6 existed (`u32` arithmetic, no test of the family anywhere), which is what
//! `check`'s benchmarks measure (BENCHMARKS.md "IPv6 (issue 17)"). What differs between the
//! families is only here: the integer an address is, its CIDR type, the "all" CIDR, how a CIDR
//! is written for people, and where each family's fields live in the describe types.
//!
//! ([`crate::family`] is a different question: which families a workload/endpoint pair needs.)

use std::fmt;
use std::hash::Hash;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv4Subnets, Ipv6Net, Ipv6Subnets};

use crate::snapshot::{IpPermission, NetworkAclEntry, Route, Snapshot};
use crate::space::{AddrRangeOf, RegionOf};

/// An address as an unsigned integer (`u32`, `u128`): what range arithmetic needs.
pub(crate) trait AddrBits: Copy + fmt::Debug + Default + Eq + Ord + Hash {
    /// The lowest address.
    const ZERO: Self;
    /// The highest address.
    const MAX: Self;
    /// The next address (the caller knows it exists).
    fn inc(self) -> Self;
    /// The previous address (the caller knows it exists).
    fn dec(self) -> Self;
    /// The next address, or `MAX` at the top.
    fn saturating_inc(self) -> Self;
}

macro_rules! addr_bits {
    ($t:ty) => {
        impl AddrBits for $t {
            const ZERO: Self = 0;
            const MAX: Self = <$t>::MAX;
            #[inline]
            fn inc(self) -> Self {
                self + 1
            }
            #[inline]
            fn dec(self) -> Self {
                self - 1
            }
            #[inline]
            fn saturating_inc(self) -> Self {
                self.saturating_add(1)
            }
        }
    };
}
addr_bits!(u32);
addr_bits!(u128);

/// One address family: its types, and where its data lives in a snapshot.
pub(crate) trait AddrFamily:
    Copy + fmt::Debug + Default + Eq + Ord + Hash + 'static
{
    /// An address as an integer.
    type Bits: AddrBits;
    /// An address.
    type Addr: Copy + fmt::Debug + Eq;
    /// A CIDR block.
    type Net: Copy + fmt::Debug + fmt::Display + Eq + Hash;

    /// The "all" CIDR (`0.0.0.0/0`, `::/0`): what an implicit deny covers.
    fn all() -> Self::Net;
    /// The integer of an address.
    fn bits(addr: Self::Addr) -> Self::Bits;
    /// The first address of a block, host bits ignored.
    fn network(net: &Self::Net) -> Self::Bits;
    /// The last address of a block.
    fn broadcast(net: &Self::Net) -> Self::Bits;
    /// The block's prefix length.
    fn prefix_len(net: &Self::Net) -> u8;
    /// True when `outer` holds every address of `inner`.
    fn net_contains(outer: &Self::Net, inner: &Self::Net) -> bool;
    /// The smallest list of blocks that covers exactly `first..=last`.
    fn cidrs_between(first: Self::Bits, last: Self::Bits) -> Vec<Self::Net>;
    /// A block written the way people read it: a bare address for a single host, else the
    /// network (host bits dropped).
    fn display_cidr(net: &Self::Net) -> String;

    /// A prefix-list entry of this family (`None`: the other family's).
    fn of_ipnet(net: &IpNet) -> Option<Self::Net>;
    /// The CIDR peers of a security group rule of this family (`IpRanges`, `Ipv6Ranges`).
    fn permission_cidrs(permission: &IpPermission) -> impl Iterator<Item = Self::Net> + '_;
    /// A network ACL entry's block of this family (`CidrBlock`, `Ipv6CidrBlock`).
    fn acl_entry_cidr(entry: &NetworkAclEntry) -> Option<Self::Net>;
    /// A route's destination of this family (`DestinationCidrBlock`,
    /// `DestinationIpv6CidrBlock`); `Some(Err)` names a destination that cannot be read.
    fn route_destination(route: &Route) -> Option<Result<Self::Net, String>>;
    /// The addresses of the ENIs carrying `group_id` (a security group reference), as far as
    /// they touch `within`.
    fn group_members(
        snap: &Snapshot,
        group_id: &str,
        within: &RegionOf<Self>,
    ) -> Vec<AddrRangeOf<Self>>;

    // How each family's blocks have always been written in routes and ACL entries. The
    // families differ (IPv4 as AWS wrote it, IPv6 normalised), and findings must read as they
    // did, so the difference is kept here rather than in the evaluators.

    /// A route's or list entry's block as the route evaluator keeps it.
    fn route_net(net: Self::Net) -> Self::Net;
    /// A route's block as a route is written (`… -> target`).
    fn route_text(net: Self::Net) -> impl fmt::Display;
    /// An ACL entry's block as an entry is written (`rule N allow … <block>`).
    fn entry_text(net: Self::Net) -> Self::Net;
}

/// IPv4.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct V4;

/// IPv6.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct V6;

impl AddrFamily for V4 {
    type Bits = u32;
    type Addr = Ipv4Addr;
    type Net = Ipv4Net;

    fn all() -> Ipv4Net {
        Ipv4Net::default()
    }
    #[inline]
    fn bits(addr: Ipv4Addr) -> u32 {
        u32::from(addr)
    }
    #[inline]
    fn network(net: &Ipv4Net) -> u32 {
        u32::from(net.network())
    }
    #[inline]
    fn broadcast(net: &Ipv4Net) -> u32 {
        u32::from(net.broadcast())
    }
    #[inline]
    fn prefix_len(net: &Ipv4Net) -> u8 {
        net.prefix_len()
    }
    #[inline]
    fn net_contains(outer: &Ipv4Net, inner: &Ipv4Net) -> bool {
        outer.contains(inner)
    }
    fn cidrs_between(first: u32, last: u32) -> Vec<Ipv4Net> {
        Ipv4Subnets::new(Ipv4Addr::from(first), Ipv4Addr::from(last), 0).collect()
    }
    fn display_cidr(net: &Ipv4Net) -> String {
        if net.prefix_len() == 32 {
            crate::text::IpText::new(net.addr()).as_str().to_string()
        } else {
            crate::text::cidr(*net)
        }
    }

    fn of_ipnet(net: &IpNet) -> Option<Ipv4Net> {
        match net {
            IpNet::V4(v4) => Some(*v4),
            IpNet::V6(_) => None,
        }
    }
    fn permission_cidrs(permission: &IpPermission) -> impl Iterator<Item = Ipv4Net> + '_ {
        permission.ip_ranges.iter().map(|r| r.cidr_ip)
    }
    #[inline]
    fn acl_entry_cidr(entry: &NetworkAclEntry) -> Option<Ipv4Net> {
        entry.cidr_block
    }
    #[inline]
    fn route_destination(route: &Route) -> Option<Result<Ipv4Net, String>> {
        route.destination_cidr_block.map(Ok)
    }
    fn group_members(
        snap: &Snapshot,
        group_id: &str,
        within: &RegionOf<V4>,
    ) -> Vec<AddrRangeOf<V4>> {
        // The snapshot index keeps every group's IPv4 members sorted (a group can have
        // thousands; only the few the traffic concerns are looked at).
        let members = snap
            .index
            .group_members
            .get(group_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        crate::security_group::members_within(members, within)
    }

    #[inline]
    fn route_net(net: Ipv4Net) -> Ipv4Net {
        net
    }
    fn route_text(net: Ipv4Net) -> impl fmt::Display {
        net
    }
    fn entry_text(net: Ipv4Net) -> Ipv4Net {
        net
    }
}

impl AddrFamily for V6 {
    type Bits = u128;
    type Addr = Ipv6Addr;
    type Net = Ipv6Net;

    fn all() -> Ipv6Net {
        Ipv6Net::default()
    }
    fn bits(addr: Ipv6Addr) -> u128 {
        u128::from(addr)
    }
    fn network(net: &Ipv6Net) -> u128 {
        u128::from(net.network())
    }
    fn broadcast(net: &Ipv6Net) -> u128 {
        u128::from(net.broadcast())
    }
    fn prefix_len(net: &Ipv6Net) -> u8 {
        net.prefix_len()
    }
    fn net_contains(outer: &Ipv6Net, inner: &Ipv6Net) -> bool {
        outer.contains(inner)
    }
    fn cidrs_between(first: u128, last: u128) -> Vec<Ipv6Net> {
        Ipv6Subnets::new(Ipv6Addr::from(first), Ipv6Addr::from(last), 0).collect()
    }
    /// The standard library's compressed form (`2600:1f18::/32`).
    fn display_cidr(net: &Ipv6Net) -> String {
        if net.prefix_len() == 128 {
            net.addr().to_string()
        } else {
            net.trunc().to_string()
        }
    }

    fn of_ipnet(net: &IpNet) -> Option<Ipv6Net> {
        match net {
            IpNet::V6(v6) => Some(*v6),
            IpNet::V4(_) => None,
        }
    }
    fn permission_cidrs(permission: &IpPermission) -> impl Iterator<Item = Ipv6Net> + '_ {
        permission.ipv6_ranges.iter().map(|r| r.cidr_ipv6)
    }
    fn acl_entry_cidr(entry: &NetworkAclEntry) -> Option<Ipv6Net> {
        entry.ipv6_cidr()
    }
    fn route_destination(route: &Route) -> Option<Result<Ipv6Net, String>> {
        route.ipv6_destination()
    }
    fn group_members(
        snap: &Snapshot,
        group_id: &str,
        within: &RegionOf<V6>,
    ) -> Vec<AddrRangeOf<V6>> {
        crate::security_group::group_members6(snap, group_id, within)
    }

    fn route_net(net: Ipv6Net) -> Ipv6Net {
        net.trunc()
    }
    fn route_text(net: Ipv6Net) -> impl fmt::Display {
        V6::display_cidr(&net)
    }
    fn entry_text(net: Ipv6Net) -> Ipv6Net {
        net.trunc()
    }
}
