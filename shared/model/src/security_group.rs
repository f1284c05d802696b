//! Security groups: stateful, allow-only rule sets; the rules of every group on an ENI are
//! united (docs/spec.md I2, I3, G3; IPv6: V5).
//!
//! A check asks which part of the traffic a connection needs (a [`RegionOf`] of peer addresses
//! × destination ports) is allowed by none of the groups' rules. Because groups are stateful,
//! only the workload's egress and the endpoint's ingress are ever asked: replies pass. One
//! implementation for both families ([`AddrFamily`]): a rule's CIDRs of the other family never
//! match, prefix lists count their entries of the family, group references their members'
//! addresses of the family.

use std::fmt;

use crate::addr_family::{AddrFamily, V4, V6};
use crate::protocol;
use crate::snapshot::{IpPermission, Snapshot};
#[cfg(test)]
use crate::space::Region;
use crate::space::{AddrRangeOf, PortRange, RectOf, RegionOf};
#[cfg(test)]
use crate::space6::{Addr6Range, Rect6, Region6};

/// Which rule list of a group is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleDirection {
    /// `IpPermissionsEgress`: the peer is the destination.
    Egress,
    /// `IpPermissions`: the peer is the source.
    Ingress,
}

/// The peer of an IPv4 rule.
pub(crate) type Peer<'a> = PeerOf<'a, V4>;
/// The peer of a rule, for IPv6 traffic (the tests' name).
#[cfg(test)]
pub(crate) type Peer6<'a> = PeerOf<'a, V6>;
/// The outcome of asking groups about some IPv4 traffic (the tests' name).
#[cfg(test)]
pub(crate) type SgVerdict<'a> = SgVerdictOf<'a, V4>;

/// The peer of one rule, for traffic of family `F`: what it allows traffic to (egress) or
/// from (ingress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PeerOf<'a, F: AddrFamily> {
    /// A CIDR block of the family (`IpRanges`, `Ipv6Ranges`).
    Cidr(F::Net),
    /// A prefix list (`PrefixListIds`): its entries of the family.
    PrefixList(&'a str),
    /// A security group reference (`UserIdGroupPairs`): the addresses of the family of every
    /// ENI carrying that group.
    Group(&'a str),
}

impl<F: AddrFamily> fmt::Display for PeerOf<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerOf::Cidr(net) => f.write_str(&F::display_cidr(net)),
            PeerOf::PrefixList(id) | PeerOf::Group(id) => f.write_str(id),
        }
    }
}

/// One rule of one group that allowed part of the traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleMatchOf<'a, F: AddrFamily> {
    /// The group holding the rule.
    pub group_id: &'a str,
    /// The rule's peer.
    pub peer: PeerOf<'a, F>,
    /// The rule's IpProtocol as AWS wrote it.
    pub protocol: &'a str,
    /// The rule's port range.
    pub ports: PortRange,
}

impl<F: AddrFamily> fmt::Display for RuleMatchOf<'_, F> {
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
pub(crate) struct SgVerdictOf<'a, F: AddrFamily> {
    /// The traffic no rule allows; empty when everything is allowed.
    pub uncovered: RegionOf<F>,
    /// The rules that allowed some of the traffic, in group and rule order.
    pub allowed_by: Vec<RuleMatchOf<'a, F>>,
    /// Data the verdict needed but the snapshot lacks (a group or a prefix list).
    pub missing: Vec<String>,
}

impl<F: AddrFamily> SgVerdictOf<'_, F> {
    /// True when every packet of the traffic is allowed.
    pub(crate) fn allows(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// Asks `groups` (the groups of one ENI) which part of `required` their `direction` rules
/// leave unallowed. `required` holds peer addresses × destination ports.
pub(crate) fn evaluate<'a, F: AddrFamily>(
    snap: &'a Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &RegionOf<F>,
) -> SgVerdictOf<'a, F> {
    evaluate_refs(snap, groups, direction, required, true)
}

/// [`evaluate`], with group-reference peers counted only when `group_refs` is true: across a
/// link where security-group references do not work (docs/spec.md T7, P3), they match nothing.
pub(crate) fn evaluate_refs<'a, F: AddrFamily>(
    snap: &'a Snapshot,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &RegionOf<F>,
    group_refs: bool,
) -> SgVerdictOf<'a, F> {
    let mut verdict = SgVerdictOf {
        uncovered: required.clone(),
        ..SgVerdictOf::default()
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

/// [`evaluate_refs`] under the name the IPv6 path calls it by.
pub(crate) use self::evaluate_refs as evaluate6;

/// Removes from `verdict.uncovered` what one `IpPermission` allows, peer by peer.
fn apply_permission<'a, F: AddrFamily>(
    snap: &'a Snapshot,
    group_id: &'a str,
    permission: &'a IpPermission,
    group_refs: bool,
    verdict: &mut SgVerdictOf<'a, F>,
) {
    let Some(ports) = tcp_ports(permission) else {
        return;
    };
    for peer in peers_of::<F>(permission) {
        if verdict.uncovered.is_empty() {
            return;
        }
        if !group_refs && matches!(peer, PeerOf::Group(_)) {
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
                .subtract(&RectOf::new(addr, ports))
                .is_empty();
        }
        if removed_any {
            let protocol = permission.ip_protocol.as_str();
            verdict.allowed_by.push(RuleMatchOf {
                group_id,
                peer,
                protocol,
                ports,
            });
        }
    }
}

/// The TCP ports a permission allows; `None` when it cannot allow TCP.
pub(crate) fn tcp_ports(permission: &IpPermission) -> Option<PortRange> {
    if !protocol::covers_tcp(&permission.ip_protocol) {
        return None;
    }
    if protocol::is_all(&permission.ip_protocol) {
        return Some(PortRange::ALL);
    }
    PortRange::from_aws(permission.from_port, permission.to_port)
}

/// Every IPv4 peer of a permission, in the order AWS prints them.
pub(crate) fn peers(permission: &IpPermission) -> impl Iterator<Item = Peer<'_>> + '_ {
    peers_of::<V4>(permission)
}

/// Every peer of a permission that can match traffic of family `F`, in the order AWS prints
/// them: the family's CIDRs, then prefix lists, then group references.
pub(crate) fn peers_of<F: AddrFamily>(
    permission: &IpPermission,
) -> impl Iterator<Item = PeerOf<'_, F>> + '_ {
    let cidrs = F::permission_cidrs(permission).map(PeerOf::Cidr);
    let lists = permission
        .prefix_list_ids
        .iter()
        .map(|p| PeerOf::PrefixList(p.prefix_list_id.as_str()));
    let groups = permission
        .user_id_group_pairs
        .iter()
        .filter_map(|g| g.group_id.as_deref())
        .map(PeerOf::Group);
    cidrs.chain(lists).chain(groups)
}

/// The address ranges a peer stands for, limited (for IPv4 group references) to those that
/// touch `within`: a group can have thousands of members; only the few the traffic concerns
/// matter. `None` when the snapshot lacks the data (the gap is recorded in `missing`).
fn peer_addresses<F: AddrFamily>(
    snap: &Snapshot,
    peer: &PeerOf<F>,
    within: &RegionOf<F>,
    missing: &mut Vec<String>,
) -> Option<Vec<AddrRangeOf<F>>> {
    match peer {
        PeerOf::Cidr(net) => Some(vec![AddrRangeOf::cidr(*net)]),
        PeerOf::PrefixList(id) => match snap.prefix_lists.get(*id) {
            Some(pl) => Some(crate::prefix_list::ranges::<F>(pl).collect()),
            None => {
                missing.push(snap.prefix_list_gap(id, "referenced by a security group rule"));
                None
            }
        },
        PeerOf::Group(id) => Some(F::group_members(snap, id, within)),
    }
}

/// The members (sorted addresses of one family, from the snapshot index) that fall inside the
/// region's address ranges.
pub(crate) fn members_within<F: AddrFamily>(
    members: &[F::Bits],
    within: &RegionOf<F>,
) -> Vec<AddrRangeOf<F>> {
    let mut out = Vec::new();
    for range in within.addr_ranges() {
        let start = members.partition_point(|&ip| ip < range.first);
        for &ip in members[start..].iter().take_while(|&&ip| ip <= range.last) {
            out.push(AddrRangeOf {
                first: ip,
                last: ip,
            });
        }
    }
    out
}

/// The IPv6 addresses of every ENI carrying `group_id` (spec V5) that fall inside `within`,
/// from the snapshot index (members outside the region a rule is asked about cannot change
/// the answer).
pub(crate) fn group_members6(
    snap: &Snapshot,
    group_id: &str,
    within: &RegionOf<V6>,
) -> Vec<AddrRangeOf<V6>> {
    let members = snap
        .index
        .group_members6
        .get(group_id)
        .map_or(&[][..], Vec::as_slice);
    members_within(members, within)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::SnapshotBuilder;
    use crate::space::AddrRange;

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
