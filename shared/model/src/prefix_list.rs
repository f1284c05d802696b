//! Prefix lists: AWS-managed (the S3 and DynamoDB address ranges a gateway endpoint routes)
//! and customer-managed ones. Only their IPv4 entries can match IPv4 traffic.

use crate::snapshot::PrefixList;
use crate::space::AddrRange;

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
