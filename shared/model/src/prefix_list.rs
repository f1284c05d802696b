//! Prefix lists: AWS-managed (the S3 and DynamoDB address ranges a gateway endpoint routes)
//! and customer-managed ones. Only their IPv4 entries can match IPv4 traffic, and only their
//! IPv6 entries IPv6 traffic (docs/spec.md V5, V7).

use crate::addr_family::{AddrFamily, V4};
use crate::snapshot::PrefixList;
use crate::space::{AddrRange, AddrRangeOf};

/// The entries of family `F` of a prefix list, as CIDR blocks.
pub(crate) fn cidrs<F: AddrFamily>(pl: &PrefixList) -> impl Iterator<Item = F::Net> + '_ {
    pl.cidrs.iter().filter_map(F::of_ipnet)
}

/// The entries of family `F` of a prefix list, as address ranges.
pub(crate) fn ranges<F: AddrFamily>(pl: &PrefixList) -> impl Iterator<Item = AddrRangeOf<F>> + '_ {
    cidrs::<F>(pl).map(AddrRangeOf::cidr)
}

/// The IPv4 entries of a prefix list, as address ranges.
pub(crate) fn ipv4_ranges(pl: &PrefixList) -> impl Iterator<Item = AddrRange> + '_ {
    ranges::<V4>(pl)
}

/// The IPv4 entries of a prefix list, as CIDR blocks.
pub(crate) fn ipv4_cidrs(pl: &PrefixList) -> impl Iterator<Item = ipnet::Ipv4Net> + '_ {
    cidrs::<V4>(pl)
}
