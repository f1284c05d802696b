//! Prefix lists: AWS-managed (the S3 and DynamoDB address ranges a gateway endpoint routes)
//! and customer-managed ones. Only their IPv4 entries can match IPv4 traffic, and only their
//! IPv6 entries IPv6 traffic (docs/spec.md V5, V7).

use crate::addr_family::{AddrFamily, V4};
use crate::family::Family;
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

/// The family of a list (a managed prefix list holds one, docs/spec.md V4, V5): its
/// `AddressFamily` when the snapshot has it (`describe-managed-prefix-lists`), else the family
/// of its entries (`describe-prefix-lists` and the live collection write no `AddressFamily`).
/// `None` when neither tells: an unknown `AddressFamily` value, or no entries, or entries of
/// both families.
pub(crate) fn family_of(pl: &PrefixList) -> Option<Family> {
    match pl.address_family.as_deref() {
        Some(f) if f.eq_ignore_ascii_case("IPv4") => return Some(Family::V4),
        Some(f) if f.eq_ignore_ascii_case("IPv6") => return Some(Family::V6),
        Some(_) => return None,
        None => {}
    }
    let v4 = pl.cidrs.iter().any(|c| matches!(c, ipnet::IpNet::V4(_)));
    let v6 = pl.cidrs.iter().any(|c| matches!(c, ipnet::IpNet::V6(_)));
    match (v4, v6) {
        (true, false) => Some(Family::V4),
        (false, true) => Some(Family::V6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(family: Option<&str>, cidrs: &[&str]) -> PrefixList {
        PrefixList {
            prefix_list_id: "pl-1".into(),
            prefix_list_name: "com.amazonaws.us-east-1.s3".into(),
            cidrs: cidrs.iter().map(|c| c.parse().unwrap()).collect(),
            address_family: family.map(str::to_string),
        }
    }

    #[test]
    fn the_family_is_the_address_family_else_the_entries_one() {
        assert_eq!(family_of(&list(Some("IPv6"), &[])), Some(Family::V6));
        assert_eq!(
            family_of(&list(Some("IPv4"), &["2600:1f18::/32"])),
            Some(Family::V4)
        );
        assert_eq!(
            family_of(&list(None, &["2600:1f18::/32"])),
            Some(Family::V6)
        );
        assert_eq!(family_of(&list(None, &["52.216.0.0/15"])), Some(Family::V4));
        assert_eq!(family_of(&list(None, &[])), None);
        assert_eq!(
            family_of(&list(None, &["52.216.0.0/15", "2600:1f18::/32"])),
            None
        );
        assert_eq!(family_of(&list(Some("IPX"), &["52.216.0.0/15"])), None);
    }
}
