//! IPv6 hops proven for a whole subnet's IPv6 blocks at once: the hops that depend on the
//! workload's address (the endpoint's groups inbound, the ENI subnet's ACL both ways) for
//! every workload of its subnet, those that depend on the target's (the workload's groups
//! outbound, the workload subnet's ACL both ways) for every ENI address of the endpoint
//! subnet. When every packet from (or to) the blocks passes, every address inside them passes,
//! so `hop_cache` builds one proven hop per subnet instead of one exact hop per workload or
//! target. The exact IPv6 evaluators decide (security groups, first-match ACLs); nothing here
//! is worded: a hop not proven is built exactly by `path::interface6`.

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;

use crate::addr_family::V6;
use crate::network_acl::{self, Traffic};
use crate::path::interface6;
use crate::security_group::{self, PeerOf, RuleDirection};
use crate::snapshot::Snapshot;
use crate::space::PortRange;
use crate::space6::{Addr6Range, Region6};

/// A workload subnet's IPv6 blocks, the region the proofs ask about.
pub(super) struct SubnetBlocks {
    blocks: Vec<Ipv6Net>,
}

impl SubnetBlocks {
    /// The blocks of `subnet_id` (none when the snapshot lacks the subnet).
    pub(super) fn of(snap: &Snapshot, subnet_id: &str) -> Self {
        let mut blocks: Vec<Ipv6Net> = snap
            .subnets
            .get(subnet_id)
            .map(|s| s.ipv6_cidrs().collect())
            .unwrap_or_default();
        blocks.sort_unstable();
        blocks.dedup();
        SubnetBlocks { blocks }
    }

    /// True when a proof about the blocks covers `addr` (a workload's source address).
    pub(super) fn hold(&self, addr: Ipv6Addr) -> bool {
        self.blocks.iter().any(|b| b.contains(&addr))
    }

    /// The blocks on the service ports.
    fn on_ports(&self, ports: &[u16]) -> Region6 {
        let mut region = Region6::default();
        for &block in &self.blocks {
            region.absorb(interface6::service_region6(Addr6Range::cidr(block), ports));
        }
        region
    }

    /// The blocks on a port range.
    fn on_range(&self, ports: PortRange) -> Region6 {
        Region6::from_addrs(self.blocks.iter().map(|&b| Addr6Range::cidr(b)), ports)
    }
}

/// The workload's groups let it send to every address of the blocks on every service port.
/// Group references are left out of the proofs: their members are single addresses, which
/// never cover a block, and subtracting each from the block's region would cost more than
/// the exact hops saved; the references can only add to what the other rules allow.
pub(super) fn egress_proven(
    snap: &Snapshot,
    groups: &[&str],
    ports: &[u16],
    to: &SubnetBlocks,
) -> bool {
    let required = to.on_ports(ports);
    !required.is_empty()
        && security_group::evaluate6(snap, groups, RuleDirection::Egress, &required, false).allows()
}

/// The endpoint's groups admit every address of the blocks on every service port.
pub(super) fn ingress_proven(
    snap: &Snapshot,
    groups: &[String],
    ports: &[u16],
    from: &SubnetBlocks,
) -> bool {
    let required = from.on_ports(ports);
    !required.is_empty()
        && security_group::evaluate6(snap, groups, RuleDirection::Ingress, &required, false)
            .allows()
}

/// R2 by IPv6 (`intent::admits_by_ipv6`) for the workloads of a subnet, as far as the
/// subnet's blocks decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admits6 {
    /// Some service port is open to every address of the blocks: every workload is admitted.
    Every,
    /// No rule admits any address of the blocks on any service port: none is.
    None,
    /// Some addresses are admitted, or data is missing: each workload is asked alone.
    EachAlone,
}

/// Whether the endpoint's groups admit the blocks' addresses on a service port: all, none, or
/// some. "None" counts group references (a member may sit in the blocks); "all" may leave
/// them out, as they only add.
pub(super) fn admits6(
    snap: &Snapshot,
    groups: &[String],
    ports: &[u16],
    from: &SubnetBlocks,
) -> Admits6 {
    if from.blocks.is_empty() {
        return Admits6::EachAlone;
    }
    let mut none = true;
    for &port in ports {
        let region = from.on_range(PortRange::single(port));
        let v = security_group::evaluate6(snap, groups, RuleDirection::Ingress, &region, true);
        if !v.missing.is_empty() {
            return Admits6::EachAlone;
        }
        if v.allows() {
            return Admits6::Every;
        }
        none &= v.allowed_by.is_empty();
    }
    if none {
        Admits6::None
    } else {
        Admits6::EachAlone
    }
}

/// The ACL of `subnet_id` passes every packet of `region` in the `traffic` direction (false
/// without the ACL: the exact hop says what is missing).
fn acl_proven(snap: &Snapshot, subnet_id: &str, traffic: Traffic, region: &Region6) -> bool {
    let acl = snap
        .index
        .subnet_acl
        .get(subnet_id)
        .and_then(|id| snap.network_acls.get(id));
    acl.is_some_and(|acl| {
        let entries = network_acl::sorted_tcp_entries6(acl, traffic);
        !region.is_empty() && network_acl::evaluate_sorted6(&entries, region).allows()
    })
}

/// The ENI subnet's ACL admits the blocks inbound on every service port.
pub(super) fn acl_in_proven(
    snap: &Snapshot,
    eni_subnet: &str,
    ports: &[u16],
    from: &SubnetBlocks,
) -> bool {
    acl_proven(snap, eni_subnet, Traffic::Inbound, &from.on_ports(ports))
}

/// The ENI subnet's ACL lets replies out to the blocks on every ephemeral port.
pub(super) fn reply_out_proven(
    snap: &Snapshot,
    eni_subnet: &str,
    ephemeral: PortRange,
    to: &SubnetBlocks,
) -> bool {
    acl_proven(snap, eni_subnet, Traffic::Outbound, &to.on_range(ephemeral))
}

/// The workload subnet's ACL lets it send to the blocks on every service port.
pub(super) fn acl_out_proven(
    snap: &Snapshot,
    subnet: &str,
    ports: &[u16],
    to: &SubnetBlocks,
) -> bool {
    acl_proven(snap, subnet, Traffic::Outbound, &to.on_ports(ports))
}

/// The workload subnet's ACL lets replies in from the blocks on every ephemeral port.
pub(super) fn reply_in_proven(
    snap: &Snapshot,
    subnet: &str,
    ephemeral: PortRange,
    from: &SubnetBlocks,
) -> bool {
    acl_proven(snap, subnet, Traffic::Inbound, &from.on_range(ephemeral))
}

/// `groups` allow `addr` on every port in `direction` through group references alone (V5: a
/// reference covers both families): for each port, a rule of one of the groups covers it and
/// names a group `addr` is a member of (the snapshot index's IPv6 members). A sufficient
/// condition, checked without evaluating a region: the exact evaluation would find the same
/// rule (references are evaluated there too); when it fails, the exact hop decides.
pub(super) fn by_reference(
    snap: &Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    ports: &[u16],
    addr: Ipv6Addr,
) -> bool {
    let addr = u128::from(addr);
    let member = |id: &str| {
        snap.index
            .group_members6
            .get(id)
            .is_some_and(|m| m.binary_search(&addr).is_ok())
    };
    let rules = || {
        groups
            .iter()
            .filter_map(|id| snap.security_groups.get(id.as_ref()))
            .flat_map(move |g| match direction {
                RuleDirection::Egress => g.ip_permissions_egress.iter(),
                RuleDirection::Ingress => g.ip_permissions.iter(),
            })
    };
    !ports.is_empty()
        && ports.iter().all(|&port| {
            rules().any(|permission| {
                security_group::tcp_ports(permission)
                    .is_some_and(|r| r.first <= port && port <= r.last)
                    && security_group::peers_of::<V6>(permission)
                        .any(|peer| matches!(peer, PeerOf::Group(id) if member(id)))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::SnapshotBuilder;

    /// s-app (2600:1f18:0:1::/64) holds eni-app (sg-app); sg-ep admits the whole /64 on 443,
    /// sg-half only its lower half, sg-ref the members of sg-app on 443-444.
    const SNAP: &str = r#"{
      "Subnets": [
        {"SubnetId": "s-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]}],
      "SecurityGroups": [
        {"GroupId": "sg-app", "VpcId": "vpc-1"},
        {"GroupId": "sg-ep", "VpcId": "vpc-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
           "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:0:1::/64"}]}]},
        {"GroupId": "sg-half", "VpcId": "vpc-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
           "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:0:1::/65"}]}]},
        {"GroupId": "sg-ref", "VpcId": "vpc-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 444,
           "UserIdGroupPairs": [{"GroupId": "sg-app"}]}]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-app", "SubnetId": "s-app", "VpcId": "vpc-1",
         "PrivateIpAddress": "10.0.1.5", "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::5"}],
         "Groups": [{"GroupId": "sg-app"}]}]}"#;

    fn snap() -> Snapshot {
        let mut b = SnapshotBuilder::new();
        b.add_json("v6", SNAP).unwrap();
        b.finish()
    }

    fn groups(id: &str) -> Vec<String> {
        vec![id.to_string()]
    }

    /// A proof covers the whole block or nothing: half a subnet proves no workload of it.
    #[test]
    fn a_block_is_proven_only_when_every_address_passes() {
        let s = snap();
        let blocks = SubnetBlocks::of(&s, "s-app");
        assert!(blocks.hold("2600:1f18:0:1::5".parse().unwrap()));
        assert!(!blocks.hold("2600:1f18:0:2::5".parse().unwrap()));
        assert!(ingress_proven(&s, &groups("sg-ep"), &[443], &blocks));
        assert!(!ingress_proven(&s, &groups("sg-ep"), &[443, 444], &blocks));
        assert!(!ingress_proven(&s, &groups("sg-half"), &[443], &blocks));
        // References never prove a block (single members), and a subnet without IPv6 none.
        assert!(!ingress_proven(&s, &groups("sg-ref"), &[443], &blocks));
        let none = SubnetBlocks::of(&s, "s-absent");
        assert!(!ingress_proven(&s, &groups("sg-ep"), &[443], &none));
    }

    /// A reference proves a member's address on the ports its rule covers, and nothing else.
    #[test]
    fn a_reference_proves_its_members_only() {
        let s = snap();
        let (member, stranger) = (
            "2600:1f18:0:1::5".parse().unwrap(),
            "2600:1f18:0:1::6".parse().unwrap(),
        );
        let ingress = RuleDirection::Ingress;
        assert!(by_reference(
            &s,
            &groups("sg-ref"),
            ingress,
            &[443, 444],
            member
        ));
        assert!(!by_reference(
            &s,
            &groups("sg-ref"),
            ingress,
            &[443, 445],
            member
        ));
        assert!(!by_reference(
            &s,
            &groups("sg-ref"),
            ingress,
            &[443],
            stranger
        ));
        assert!(!by_reference(&s, &groups("sg-ep"), ingress, &[443], member));
        assert!(!by_reference(
            &s,
            &groups("sg-ref"),
            RuleDirection::Egress,
            &[443],
            member
        ));
    }
}
