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
use crate::space6::{Addr6Range, Rect6, Region6};

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
    let Some(ports) = tcp_ports(permission) else {
        return;
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

/// The TCP ports a permission allows; `None` when it cannot allow TCP.
fn tcp_ports(permission: &IpPermission) -> Option<PortRange> {
    if !protocol::covers_tcp(&permission.ip_protocol) {
        return None;
    }
    if protocol::is_all(&permission.ip_protocol) {
        return Some(PortRange::ALL);
    }
    PortRange::from_aws(permission.from_port, permission.to_port)
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

// ---- IPv6 (docs/spec.md V5): the same questions over IPv6 peers. Not wired into path/ yet
// (spec section 12), hence the dead-code allowances outside tests.

/// The peer of one rule, for IPv6 traffic.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Peer6<'a> {
    /// An IPv6 CIDR block (`Ipv6Ranges`).
    Cidr(ipnet::Ipv6Net),
    /// A prefix list (`PrefixListIds`): its IPv6 entries.
    PrefixList(&'a str),
    /// A security group reference: the IPv6 addresses of every ENI carrying that group.
    Group(&'a str),
}

impl fmt::Display for Peer6<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer6::Cidr(net) => f.write_str(&crate::space6::display_cidr6(net)),
            Peer6::PrefixList(id) | Peer6::Group(id) => f.write_str(id),
        }
    }
}

/// One rule of one group that allowed part of some IPv6 traffic.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleMatch6<'a> {
    /// The group holding the rule.
    pub group_id: &'a str,
    /// The rule's peer.
    pub peer: Peer6<'a>,
    /// The rule's IpProtocol as AWS wrote it.
    pub protocol: &'a str,
    /// The rule's port range.
    pub ports: PortRange,
}

impl fmt::Display for RuleMatch6<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if protocol::is_all(self.protocol) {
            write!(f, "{} all traffic {}", self.group_id, self.peer)
        } else {
            write!(f, "{} tcp/{} {}", self.group_id, self.ports, self.peer)
        }
    }
}

/// The outcome of asking a set of groups about some IPv6 traffic.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, Default)]
pub(crate) struct SgVerdict6<'a> {
    /// The traffic no rule allows; empty when everything is allowed.
    pub uncovered: Region6,
    /// The rules that allowed some of the traffic, in group and rule order.
    pub allowed_by: Vec<RuleMatch6<'a>>,
    /// Data the verdict needed but the snapshot lacks (a group or a prefix list).
    pub missing: Vec<String>,
}

#[cfg_attr(not(test), allow(dead_code))]
impl SgVerdict6<'_> {
    /// True when every packet of the traffic is allowed.
    pub(crate) fn allows(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// [`evaluate_refs`] for IPv6 traffic: which part of `required` (peer IPv6 addresses ×
/// destination ports) the `direction` rules of `groups` leave unallowed. IPv4 ranges never
/// match; group references match their members' IPv6 addresses (`group_refs` false: across a
/// link where references do not work, they match nothing).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn evaluate6<'a>(
    snap: &'a Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &Region6,
    group_refs: bool,
) -> SgVerdict6<'a> {
    let mut verdict = SgVerdict6 {
        uncovered: required.clone(),
        ..SgVerdict6::default()
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
            apply_permission6(snap, group_id, permission, group_refs, &mut verdict);
        }
    }
    verdict
}

/// Removes from `verdict.uncovered` what one `IpPermission` allows over IPv6, peer by peer.
fn apply_permission6<'a>(
    snap: &'a Snapshot,
    group_id: &'a str,
    permission: &'a IpPermission,
    group_refs: bool,
    verdict: &mut SgVerdict6<'a>,
) {
    let Some(ports) = tcp_ports(permission) else {
        return;
    };
    for peer in peers6(permission) {
        if verdict.uncovered.is_empty() {
            return;
        }
        if !group_refs && matches!(peer, Peer6::Group(_)) {
            continue;
        }
        let Some(addrs) = peer_addresses6(snap, &peer, &mut verdict.missing) else {
            continue;
        };
        let mut removed_any = false;
        for addr in addrs {
            removed_any |= !verdict
                .uncovered
                .subtract(&Rect6::new(addr, ports))
                .is_empty();
        }
        if removed_any {
            verdict.allowed_by.push(RuleMatch6 {
                group_id,
                peer,
                protocol: permission.ip_protocol.as_str(),
                ports,
            });
        }
    }
}

/// Every IPv6-capable peer of a permission, in the order AWS prints them.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn peers6(permission: &IpPermission) -> impl Iterator<Item = Peer6<'_>> + '_ {
    let cidrs = permission
        .ipv6_ranges
        .iter()
        .map(|r| Peer6::Cidr(r.cidr_ipv6));
    let lists = permission
        .prefix_list_ids
        .iter()
        .map(|p| Peer6::PrefixList(p.prefix_list_id.as_str()));
    let groups = permission
        .user_id_group_pairs
        .iter()
        .filter_map(|g| g.group_id.as_deref())
        .map(Peer6::Group);
    cidrs.chain(lists).chain(groups)
}

/// The IPv6 address ranges a peer stands for; `None` when the snapshot lacks the data.
fn peer_addresses6(
    snap: &Snapshot,
    peer: &Peer6,
    missing: &mut Vec<String>,
) -> Option<Vec<Addr6Range>> {
    match peer {
        Peer6::Cidr(net) => Some(vec![Addr6Range::cidr(*net)]),
        Peer6::PrefixList(id) => match snap.prefix_lists.get(*id) {
            Some(pl) => Some(crate::prefix_list::ipv6_ranges(pl).collect()),
            None => {
                missing.push(snap.prefix_list_gap(id, "referenced by a security group rule"));
                None
            }
        },
        Peer6::Group(id) => Some(group_members6(snap, id)),
    }
}

/// The IPv6 addresses of every ENI carrying `group_id` (spec V5). Scanned from the ENIs on
/// each call: the snapshot index holds IPv4 members only, and IPv6 is not on `check`'s hot
/// path yet; the wiring moves this into the index.
fn group_members6(snap: &Snapshot, group_id: &str) -> Vec<Addr6Range> {
    let mut out: Vec<Addr6Range> = snap
        .network_interfaces
        .values()
        .filter(|eni| eni.groups.iter().any(|g| g.group_id == group_id))
        .flat_map(|eni| eni.ipv6_addresses.iter())
        .map(|a| Addr6Range::host(a.ipv6_address))
        .collect();
    out.sort_unstable();
    out.dedup();
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

    // ---- IPv6 (docs/spec.md V5) ----

    use proptest::prelude::*;

    const SNAP6: &str = r#"{
      "SecurityGroups": [
        {"GroupId": "sg-v4only", "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": "sg-v6", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:aaaa:bb02::/64"}]}]},
        {"GroupId": "sg-ref", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-ep"}]}]},
        {"GroupId": "sg-pl", "IpPermissionsEgress": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-mixed"}]}]},
        {"GroupId": "sg-ep", "IpPermissions": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]}
      ],
      "PrefixLists": [{"PrefixListId": "pl-mixed", "Cidrs": ["10.0.0.0/8", "2600:1fa0::/32"]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-ep1", "SubnetId": "s-2", "VpcId": "v", "PrivateIpAddress": "10.0.2.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:aaaa:bb02::10"}], "Groups": [{"GroupId": "sg-ep"}]},
        {"NetworkInterfaceId": "eni-ep2", "SubnetId": "s-3", "VpcId": "v", "PrivateIpAddress": "10.0.3.10",
         "Groups": [{"GroupId": "sg-ep"}]}
      ]}"#;

    fn snap6() -> &'static Snapshot {
        static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
        SNAPSHOT.get_or_init(|| {
            let mut b = SnapshotBuilder::new();
            b.add_json("test6", SNAP6).unwrap();
            b.finish()
        })
    }

    fn hosts6(ips: &[&str], port: u16) -> Region6 {
        Region6::from_addrs(
            ips.iter().map(|ip| Addr6Range::host(ip.parse().unwrap())),
            PortRange::single(port),
        )
    }

    /// The dual-stack breakage of issue 17: a group that allows everything over IPv4 allows
    /// nothing over IPv6.
    #[test]
    fn ipv4_ranges_never_allow_ipv6() {
        let v = evaluate6(
            snap6(),
            &["sg-v4only"],
            RuleDirection::Egress,
            &hosts6(&["2600:1f18:aaaa:bb02::10"], 443),
            true,
        );
        assert!(!v.allows());
        assert_eq!(v.uncovered.describe_addrs(), "2600:1f18:aaaa:bb02::10");
    }

    #[test]
    fn ipv6_range_covers_only_its_block_and_port() {
        let s = snap6();
        let ok = evaluate6(
            s,
            &["sg-v6"],
            RuleDirection::Egress,
            &hosts6(&["2600:1f18:aaaa:bb02::10"], 443),
            true,
        );
        assert!(ok.allows());
        assert_eq!(
            ok.allowed_by[0].to_string(),
            "sg-v6 tcp/443 2600:1f18:aaaa:bb02::/64"
        );
        let other = hosts6(&["2600:1f18:aaaa:bb03::10"], 443);
        assert!(!evaluate6(s, &["sg-v6"], RuleDirection::Egress, &other, true).allows());
        let port = hosts6(&["2600:1f18:aaaa:bb02::10"], 8443);
        assert!(!evaluate6(s, &["sg-v6"], RuleDirection::Egress, &port, true).allows());
        // And the IPv4 evaluator never reads Ipv6Ranges.
        let v4 = Region::from_addrs([AddrRange::ALL], PortRange::single(443));
        assert!(!evaluate(s, &["sg-v6"], RuleDirection::Egress, &v4).allows());
    }

    /// A reference covers the members' IPv6 addresses; a member without IPv6 addresses adds
    /// none, and references that cannot work across a link match nothing.
    #[test]
    fn group_reference_covers_members_ipv6_addresses() {
        let s = snap6();
        let member = hosts6(&["2600:1f18:aaaa:bb02::10"], 443);
        let v = evaluate6(s, &["sg-ref"], RuleDirection::Egress, &member, true);
        assert!(v.allows());
        assert_eq!(v.allowed_by[0].peer, Peer6::Group("sg-ep"));
        assert!(!evaluate6(s, &["sg-ref"], RuleDirection::Egress, &member, false).allows());
        let stranger = hosts6(&["2600:1f18:aaaa:bb02::11"], 443);
        assert!(!evaluate6(s, &["sg-ref"], RuleDirection::Egress, &stranger, true).allows());
    }

    #[test]
    fn prefix_list_counts_only_its_ipv6_entries_and_gaps_are_missing() {
        let s = snap6();
        let inside = hosts6(&["2600:1fa0::1"], 443);
        assert!(evaluate6(s, &["sg-pl"], RuleDirection::Egress, &inside, true).allows());
        let outside = hosts6(&["2600:1fb0::1"], 443);
        assert!(!evaluate6(s, &["sg-pl"], RuleDirection::Egress, &outside, true).allows());
        let v = evaluate6(s, &["sg-gone"], RuleDirection::Egress, &inside, true);
        assert_eq!(v.missing.len(), 1);
    }

    /// Rules of a few groups with IPv6 ranges, IPv4 ranges and TCP or other protocols.
    fn arb_rule6() -> impl Strategy<Value = (bool, String, String, u16, u16)> {
        (
            any::<bool>(),
            prop_oneof!["tcp", "-1", "udp"],
            0u8..4,
            prop_oneof![46u8..=64, 100u8..=128],
            0u32..70000,
            0u16..2000,
            0u16..2000,
        )
            .prop_map(|(v6, proto, o, len, off, p, q)| {
                let cidr = if v6 {
                    let addr = std::net::Ipv6Addr::from(base6(o) + u128::from(off));
                    ipnet::Ipv6Net::new(addr, len).unwrap().trunc().to_string()
                } else {
                    format!("10.{o}.0.0/16")
                };
                (v6, proto, cidr, p.min(q), p.max(q))
            })
    }

    fn base6(o: u8) -> u128 {
        u128::from("2600:1f18::".parse::<std::net::Ipv6Addr>().unwrap()) | (u128::from(o) << 64)
    }

    /// The per-address oracle: a packet is allowed iff some IPv6 rule's block holds its
    /// address and the rule allows TCP on its port.
    fn admits(rules: &[(bool, String, String, u16, u16)], addr: u128, port: u16) -> bool {
        rules.iter().any(|(v6, proto, cidr, lo, hi)| {
            *v6 && proto != "udp"
                && cidr
                    .parse::<ipnet::Ipv6Net>()
                    .unwrap()
                    .contains(&std::net::Ipv6Addr::from(addr))
                && (proto == "-1" || (*lo <= port && port <= *hi))
        })
    }

    proptest! {
        /// SG admission over IPv6 agrees with the per-address oracle.
        #[test]
        fn ipv6_admission_matches_per_address_oracle(
            rules in prop::collection::vec(arb_rule6(), 0..10),
            samples in prop::collection::vec((0u8..4, 0u32..70000, 0u16..2100), 1..40)) {
            let permissions: Vec<serde_json::Value> = rules.iter().map(|(v6, proto, cidr, lo, hi)| {
                let mut p = serde_json::json!({"IpProtocol": proto});
                if proto != "-1" {
                    p["FromPort"] = (*lo).into();
                    p["ToPort"] = (*hi).into();
                }
                if *v6 {
                    p["Ipv6Ranges"] = serde_json::json!([{"CidrIpv6": cidr}]);
                } else {
                    p["IpRanges"] = serde_json::json!([{"CidrIp": cidr}]);
                }
                p
            }).collect();
            let doc = serde_json::json!({"SecurityGroups": [{"GroupId": "sg-x", "IpPermissionsEgress": permissions}]});
            let mut b = SnapshotBuilder::new();
            b.add_value("prop", doc).unwrap();
            let snap = b.finish();
            let required = Region6::from_rect(Rect6::new(
                Addr6Range { first: base6(0), last: base6(3) | u128::from(u64::MAX) },
                PortRange { first: 0, last: 2100 }));
            let v = evaluate6(&snap, &["sg-x"], RuleDirection::Egress, &required, true);
            for (o, low, port) in samples {
                let addr = base6(o) + u128::from(low);
                prop_assert_eq!(!v.uncovered.contains(addr, port), admits(&rules, addr, port));
            }
        }
    }
}
