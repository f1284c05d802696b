//! Prefix lists: AWS-managed (the S3 and DynamoDB address ranges a gateway endpoint routes)
//! and customer-managed ones. Only their IPv4 entries can match IPv4 traffic, and only their
//! IPv6 entries IPv6 traffic (docs/spec.md V5, V7).

use crate::snapshot::PrefixList;
use crate::space::AddrRange;
use crate::space6::Addr6Range;

/// The IPv4 entries of a prefix list, as address ranges.
pub(crate) fn ipv4_ranges(pl: &PrefixList) -> impl Iterator<Item = AddrRange> + '_ {
    pl.cidrs.iter().filter_map(|net| match net {
        ipnet::IpNet::V4(v4) => Some(AddrRange::cidr(*v4)),
        ipnet::IpNet::V6(_) => None,
    })
}

/// The IPv4 entries of a prefix list, as CIDR blocks.
pub(crate) fn ipv4_cidrs(pl: &PrefixList) -> impl Iterator<Item = ipnet::Ipv4Net> + '_ {
    pl.cidrs.iter().filter_map(|net| match net {
        ipnet::IpNet::V4(v4) => Some(*v4),
        ipnet::IpNet::V6(_) => None,
    })
}

/// The IPv6 entries of a prefix list, as address ranges.
#[cfg_attr(not(test), allow(dead_code))] // not wired into path/ yet (spec section 12)
pub(crate) fn ipv6_ranges(pl: &PrefixList) -> impl Iterator<Item = Addr6Range> + '_ {
    ipv6_cidrs(pl).map(Addr6Range::cidr)
}

/// The IPv6 entries of a prefix list, as CIDR blocks.
#[cfg_attr(not(test), allow(dead_code))] // not wired into path/ yet (spec section 12)
pub(crate) fn ipv6_cidrs(pl: &PrefixList) -> impl Iterator<Item = ipnet::Ipv6Net> + '_ {
    pl.cidrs.iter().filter_map(|net| match net {
        ipnet::IpNet::V6(v6) => Some(*v6),
        ipnet::IpNet::V4(_) => None,
    })
}
