//! Security groups: stateful, allow-only rule sets; the rules of every group on an ENI are
//! united (docs/spec.md I2, I3, G3).
//!
//! A check asks which part of the traffic a connection needs (a [`Region`] of peer addresses ×
//! destination ports) is allowed by none of the groups' rules. Because groups are stateful,
//! only the workload's egress and the endpoint's ingress are ever asked: replies pass.

use std::fmt;

use crate::protocol;
use crate::snapshot::{IpPermission, Snapshot};
use crate::space::{AddrRange, PortRange, Rect, Region};

/// Which rule list of a group is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleDirection {
    /// `IpPermissionsEgress`: the peer is the destination.
    Egress,
    /// `IpPermissions`: the peer is the source.
    Ingress,
}

/// The peer of one rule: what it allows traffic to (egress) or from (ingress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Peer<'a> {
    /// A CIDR block (`IpRanges`).
    Cidr(ipnet::Ipv4Net),
    /// A prefix list (`PrefixListIds`).
    PrefixList(&'a str),
    /// A security group reference (`UserIdGroupPairs`): every ENI carrying that group.
    Group(&'a str),
}

impl fmt::Display for Peer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Cidr(net) => f.write_str(&crate::space::display_cidr(net)),
            Peer::PrefixList(id) | Peer::Group(id) => f.write_str(id),
        }
    }
}

/// One rule of one group that allowed part of the traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleMatch<'a> {
    /// The group holding the rule.
    pub group_id: &'a str,
    /// The rule's peer.
    pub peer: Peer<'a>,
    /// The rule's IpProtocol as AWS wrote it.
    pub protocol: &'a str,
    /// The rule's port range.
    pub ports: PortRange,
}

impl fmt::Display for RuleMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if protocol::is_all(self.protocol) {
            write!(f, "{} all traffic {}", self.group_id, self.peer)
        } else {
            write!(f, "{} tcp/{} {}", self.group_id, self.ports, self.peer)
        }
    }
}

/// The outcome of asking a set of groups about some traffic.
#[derive(Debug, Clone, Default)]
pub(crate) struct SgVerdict<'a> {
    /// The traffic no rule allows; empty when everything is allowed.
    pub uncovered: Region,
    /// The rules that allowed some of the traffic, in group and rule order.
    pub allowed_by: Vec<RuleMatch<'a>>,
    /// Data the verdict needed but the snapshot lacks (a group or a prefix list).
    pub missing: Vec<String>,
}

impl SgVerdict<'_> {
    /// True when every packet of the traffic is allowed.
    pub(crate) fn allows(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// Asks `groups` (the groups of one ENI) which part of `required` their `direction` rules
/// leave unallowed. `required` holds peer addresses × destination ports.
pub(crate) fn evaluate<'a>(
    snap: &'a Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &Region,
) -> SgVerdict<'a> {
    evaluate_refs(snap, groups, direction, required, true)
}

/// [`evaluate`], with group-reference peers counted only when `group_refs` is true: across a
/// link where security-group references do not work (docs/spec.md T7, P3), they match nothing.
pub(crate) fn evaluate_refs<'a>(
    snap: &'a Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &Region,
    group_refs: bool,
) -> SgVerdict<'a> {
    let mut verdict = SgVerdict {
        uncovered: required.clone(),
        ..SgVerdict::default()
    };
    for group_id in groups.iter().map(AsRef::as_ref) {
        let Some((group_id, group)) = snap.security_groups.get_key_value(group_id) else {
            verdict.missing.push(format!(
                "security group {group_id} (on the ENI) is not in the snapshot's \
                 describe-security-groups output"
            ));
            continue;
        };
        let rules = match direction {
            RuleDirection::Egress => &group.ip_permissions_egress,
            RuleDirection::Ingress => &group.ip_permissions,
        };
        for permission in rules {
            apply_permission(snap, group_id, permission, group_refs, &mut verdict);
        }
    }
    verdict
}

/// Removes from `verdict.uncovered` what one `IpPermission` allows, peer by peer.
fn apply_permission<'a>(
    snap: &'a Snapshot,
    group_id: &'a str,
    permission: &'a IpPermission,
    group_refs: bool,
    verdict: &mut SgVerdict<'a>,
) {
    if !protocol::covers_tcp(&permission.ip_protocol) {
        return;
    }
    let ports = if protocol::is_all(&permission.ip_protocol) {
        PortRange::ALL
    } else {
        match PortRange::from_aws(permission.from_port, permission.to_port) {
            Some(p) => p,
            None => return,
        }
    };
    for peer in peers(permission) {
        if verdict.uncovered.is_empty() {
            return;
        }
        if !group_refs && matches!(peer, Peer::Group(_)) {
            continue;
        }
        let Some(addrs) = peer_addresses(snap, &peer, &verdict.uncovered, &mut verdict.missing)
        else {
            continue;
        };
        let mut removed_any = false;
        for addr in addrs {
            removed_any |= !verdict
                .uncovered
                .subtract(&Rect::new(addr, ports))
                .is_empty();
        }
        if removed_any {
            let protocol = permission.ip_protocol.as_str();
            verdict.allowed_by.push(RuleMatch {
                group_id,
                peer,
                protocol,
                ports,
            });
        }
    }
}

/// Every peer of a permission, in the order AWS prints them.
pub(crate) fn peers(permission: &IpPermission) -> impl Iterator<Item = Peer<'_>> + '_ {
    let cidrs = permission.ip_ranges.iter().map(|r| Peer::Cidr(r.cidr_ip));
    let lists = permission
        .prefix_list_ids
        .iter()
        .map(|p| Peer::PrefixList(p.prefix_list_id.as_str()));
    let groups = permission
        .user_id_group_pairs
        .iter()
        .filter_map(|g| g.group_id.as_deref())
        .map(Peer::Group);
    cidrs.chain(lists).chain(groups)
}

/// The address ranges a peer stands for, limited to those that touch `within` (a group can
/// have thousands of members; only the few the traffic concerns matter). `None` when the
/// snapshot lacks the data (the gap is recorded in `missing`).
fn peer_addresses(
    snap: &Snapshot,
    peer: &Peer,
    within: &Region,
    missing: &mut Vec<String>,
) -> Option<Vec<AddrRange>> {
    match peer {
        Peer::Cidr(net) => Some(vec![AddrRange::cidr(*net)]),
        Peer::PrefixList(id) => match snap.prefix_lists.get(*id) {
            Some(pl) => Some(crate::prefix_list::ipv4_ranges(pl).collect()),
            None => {
                missing.push(snap.prefix_list_gap(id, "referenced by a security group rule"));
                None
            }
        },
        Peer::Group(id) => {
            let members = snap
                .index
                .group_members
                .get(*id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            Some(members_within(members, within))
        }
    }
}

/// The members (sorted addresses) that fall inside the region's address ranges.
fn members_within(members: &[u32], within: &Region) -> Vec<AddrRange> {
    let mut out = Vec::new();
    for range in within.addr_ranges() {
        let start = members.partition_point(|&ip| ip < range.first);
        for &ip in members[start..].iter().take_while(|&&ip| ip <= range.last) {
            out.push(AddrRange {
                first: ip,
                last: ip,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::SnapshotBuilder;

    const SNAP: &str = r#"{
      "SecurityGroups": [
        {"GroupId": "sg-app", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-ep"}]}]},
        {"GroupId": "sg-cidr", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.2.0/24"}]}]},
        {"GroupId": "sg-pl", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-s3"}]}]},
        {"GroupId": "sg-gone-pl", "IpPermissionsEgress": [
           {"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-nowhere"}]}]},
        {"GroupId": "sg-all", "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": "sg-udp", "IpPermissionsEgress": [{"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": "sg-ep", "IpPermissions": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-app"}]}]}
      ],
      "PrefixLists": [{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15", "3.5.0.0/20"]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-ep1", "SubnetId": "s-2", "VpcId": "v", "PrivateIpAddress": "10.0.2.10", "Groups": [{"GroupId": "sg-ep"}]},
        {"NetworkInterfaceId": "eni-ep2", "SubnetId": "s-3", "VpcId": "v", "PrivateIpAddress": "10.0.3.10", "Groups": [{"GroupId": "sg-ep"}]},
        {"NetworkInterfaceId": "eni-app", "SubnetId": "s-1", "VpcId": "v", "PrivateIpAddress": "10.0.1.5", "Groups": [{"GroupId": "sg-app"}]}
      ]}"#;

    fn snap() -> &'static Snapshot {
        static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
        SNAPSHOT.get_or_init(|| {
            let mut b = SnapshotBuilder::new();
            b.add_json("test", SNAP).unwrap();
            b.finish()
        })
    }

    fn hosts(ips: &[&str], port: u16) -> Region {
        Region::from_addrs(
            ips.iter().map(|ip| AddrRange::host(ip.parse().unwrap())),
            PortRange::single(port),
        )
    }

    fn egress(groups: &[&str], required: &Region) -> SgVerdict<'static> {
        evaluate(snap(), groups, RuleDirection::Egress, required)
    }

    #[test]
    fn group_reference_allows_every_member_and_nothing_else() {
        let v = egress(&["sg-app"], &hosts(&["10.0.2.10", "10.0.3.10"], 443));
        assert!(v.allows());
        assert_eq!(v.allowed_by[0].peer, Peer::Group("sg-ep"));
        let v = egress(&["sg-app"], &hosts(&["10.0.2.11"], 443));
        assert!(!v.allows());
        let v = egress(&["sg-app"], &hosts(&["10.0.2.10"], 8443));
        assert!(!v.allows());
    }

    #[test]
    fn cidr_covers_only_its_block() {
        let v = egress(&["sg-cidr"], &hosts(&["10.0.2.10", "10.0.3.10"], 443));
        assert!(!v.allows());
        assert_eq!(v.uncovered.describe_addrs(), "10.0.3.10");
    }

    #[test]
    fn groups_on_one_eni_unite() {
        let v = egress(
            &["sg-cidr", "sg-app"],
            &hosts(&["10.0.2.10", "10.0.3.10"], 443),
        );
        assert!(v.allows());
    }

    #[test]
    fn prefix_list_covers_its_entries() {
        let required = Region::from_addrs(
            [
                AddrRange::cidr("52.216.0.0/15".parse().unwrap()),
                AddrRange::cidr("3.5.0.0/20".parse().unwrap()),
            ],
            PortRange::single(443),
        );
        assert!(egress(&["sg-pl"], &required).allows());
        let v = egress(&["sg-cidr"], &required);
        assert_eq!(v.uncovered.describe_addrs(), "3.5.0.0/20, 52.216.0.0/15");
    }

    #[test]
    fn protocol_all_and_other_protocols() {
        assert!(egress(&["sg-all"], &hosts(&["8.8.8.8"], 1)).allows());
        assert!(!egress(&["sg-udp"], &hosts(&["8.8.8.8"], 443)).allows());
    }

    #[test]
    fn missing_prefix_list_and_group_are_reported() {
        let v = egress(&["sg-gone-pl", "sg-nope"], &hosts(&["10.0.2.10"], 443));
        assert!(!v.allows());
        assert_eq!(v.missing.len(), 2);
    }

    #[test]
    fn ingress_reference_admits_members_of_the_group() {
        let s = snap();
        let v = evaluate(
            s,
            &["sg-ep"],
            RuleDirection::Ingress,
            &hosts(&["10.0.1.5"], 443),
        );
        assert!(v.allows());
        let v = evaluate(
            s,
            &["sg-ep"],
            RuleDirection::Ingress,
            &hosts(&["10.0.1.6"], 443),
        );
        assert!(!v.allows());
    }
}
