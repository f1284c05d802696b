//! Network ACLs: stateless, numbered rule lists evaluated in ascending `RuleNumber`, first
//! match wins, then the implicit `*` deny (docs/spec.md I4, I5, G4; IPv6: V6).
//!
//! Dumps do not list entries in order, so they are sorted here. An entry's port range matches
//! the packet's destination port, on both legs: the forward leg goes to the service port, the
//! reply leg to the workload's ephemeral source port. One implementation for both families
//! ([`AddrFamily`]): IPv4 and IPv6 entries share one numbering per direction, and a packet of
//! one family only ever matches entries of its own, then its own family's `*`.

use std::fmt;

use crate::addr_family::{AddrFamily, V4, V6};
use crate::protocol;
use crate::snapshot::{NetworkAcl, NetworkAclEntry, RuleAction};
#[cfg(test)]
use crate::space::{AddrRange, Rect, Region};
use crate::space::{AddrRangeOf, PortRange, RectOf, RegionOf};
#[cfg(test)]
use crate::space6::{Addr6Range, Rect6, Region6};

/// The rule number AWS gives the implicit deny (`*`).
pub(crate) const IMPLICIT_DENY: u16 = 32767;

/// Which entry list is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Traffic {
    /// Outbound entries (`Egress: true`); the peer is the destination.
    Outbound,
    /// Inbound entries (`Egress: false`); the peer is the source.
    Inbound,
}

/// An IPv4 entry that decided part of the traffic.
pub(crate) type EntryMatch = EntryMatchOf<V4>;
/// An IPv6 entry that decided part of the traffic (docs/spec.md V6).
pub(crate) type EntryMatch6 = EntryMatchOf<V6>;
/// The outcome of running IPv4 traffic through one direction of an ACL (the tests' name).
#[cfg(test)]
pub(crate) type AclVerdict = AclVerdictOf<V4>;

/// An entry of family `F` that decided part of the traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryMatchOf<F: AddrFamily> {
    /// The entry's rule number ([`IMPLICIT_DENY`] for `*`).
    pub rule_number: u16,
    /// Allow or deny.
    pub action: RuleAction,
    /// The entry's CIDR (`0.0.0.0/0` or `::/0` for the implicit deny).
    pub cidr: F::Net,
    /// The entry's ports (every port for protocol `-1`).
    pub ports: PortRange,
}

impl<F: AddrFamily> fmt::Display for EntryMatchOf<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Worded alike for both families so that findings read alike; the CIDR says which.
        let cidr = F::entry_text(self.cidr);
        write_entry(f, self.rule_number, self.action, self.ports, &cidr)
    }
}

/// `rule N allow tcp/443 <cidr>`: one wording for both families' entries.
fn write_entry(
    f: &mut fmt::Formatter<'_>,
    rule_number: u16,
    action: RuleAction,
    ports: PortRange,
    cidr: &dyn fmt::Display,
) -> fmt::Result {
    let number = if rule_number == IMPLICIT_DENY {
        "*".to_string()
    } else {
        rule_number.to_string()
    };
    let action = match action {
        RuleAction::Allow => "allow",
        RuleAction::Deny => "deny",
    };
    let ports = if ports == PortRange::ALL {
        "all ports".to_string()
    } else {
        format!("tcp/{ports}")
    };
    write!(f, "rule {number} {action} {ports} {cidr}")
}

/// The outcome of running some traffic through one direction of an ACL.
#[derive(Debug, Clone, Default)]
pub(crate) struct AclVerdictOf<F: AddrFamily> {
    /// The traffic dropped; empty when everything passes.
    pub denied: RegionOf<F>,
    /// The entries that let part of the traffic through, in rule order.
    pub allowed_by: Vec<EntryMatchOf<F>>,
    /// The entries (or the family's implicit deny) that dropped part of it, in rule order.
    pub denied_by: Vec<EntryMatchOf<F>>,
}

impl<F: AddrFamily> AclVerdictOf<F> {
    /// True when every packet passes.
    pub(crate) fn allows(&self) -> bool {
        self.denied.is_empty()
    }

    /// The lowest rule number that dropped traffic: a fixing allow entry must come before it.
    pub(crate) fn first_deny(&self) -> Option<u16> {
        self.denied_by.iter().map(|e| e.rule_number).min()
    }
}

/// Runs `required` (peer addresses × destination ports of TCP packets) through entries sorted
/// by [`sorted_tcp_entries_of`] (the snapshot's index keeps the IPv4 ones so, per ACL and
/// direction): first match by rule number, then the family's `*`.
pub(crate) fn evaluate_sorted<F: AddrFamily>(
    entries: &[EntryMatchOf<F>],
    required: &RegionOf<F>,
) -> AclVerdictOf<F> {
    let mut remaining = required.clone();
    let mut verdict = AclVerdictOf::default();
    for entry in entries {
        if remaining.is_empty() {
            break;
        }
        let decided = remaining.subtract(&RectOf::new(AddrRangeOf::cidr(entry.cidr), entry.ports));
        if decided.is_empty() {
            continue;
        }
        match entry.action {
            RuleAction::Allow => verdict.allowed_by.push(entry.clone()),
            RuleAction::Deny => {
                verdict.denied.absorb(decided);
                verdict.denied_by.push(entry.clone());
            }
        }
    }
    if !remaining.is_empty() {
        verdict.denied.absorb(remaining);
        verdict.denied_by.push(implicit_deny());
    }
    verdict
}

/// [`evaluate_sorted`] under the name the IPv6 path calls it by.
pub(crate) use self::evaluate_sorted as evaluate_sorted6;

/// The entries of one direction that can match IPv4 TCP, in evaluation order.
pub(crate) fn sorted_tcp_entries(acl: &NetworkAcl, traffic: Traffic) -> Vec<EntryMatch> {
    sorted_tcp_entries_of::<V4>(acl, traffic)
}

/// The entries of one direction that can match IPv6 TCP, in evaluation order.
pub(crate) fn sorted_tcp_entries6(acl: &NetworkAcl, traffic: Traffic) -> Vec<EntryMatch6> {
    sorted_tcp_entries_of::<V6>(acl, traffic)
}

/// The entries of family `F` of one direction that can match TCP, in evaluation order. Both
/// families' entries share one numbering per direction (spec V6), so keeping one family's in
/// rule order is exactly AWS's first match for a packet of that family.
pub(crate) fn sorted_tcp_entries_of<F: AddrFamily>(
    acl: &NetworkAcl,
    traffic: Traffic,
) -> Vec<EntryMatchOf<F>> {
    let egress = traffic == Traffic::Outbound;
    let mut entries: Vec<EntryMatchOf<F>> = acl
        .entries
        .iter()
        .filter(|e| e.egress == egress)
        .filter_map(tcp_entry)
        .collect();
    entries.sort_by_key(|e| e.rule_number);
    entries
}

fn tcp_entry<F: AddrFamily>(entry: &NetworkAclEntry) -> Option<EntryMatchOf<F>> {
    let cidr = F::acl_entry_cidr(entry)?;
    Some(EntryMatchOf {
        rule_number: entry.rule_number,
        action: entry.rule_action,
        cidr,
        ports: tcp_ports(entry)?,
    })
}

/// The TCP ports an entry matches; `None` when it cannot match TCP.
fn tcp_ports(entry: &NetworkAclEntry) -> Option<PortRange> {
    if !protocol::covers_tcp(&entry.protocol) {
        return None;
    }
    if protocol::is_all(&entry.protocol) {
        return Some(PortRange::ALL);
    }
    let range = entry.port_range.as_ref();
    PortRange::from_aws(range.map(|r| r.from), range.map(|r| r.to))
}

fn implicit_deny<F: AddrFamily>() -> EntryMatchOf<F> {
    EntryMatchOf {
        rule_number: IMPLICIT_DENY,
        action: RuleAction::Deny,
        cidr: F::all(),
        ports: PortRange::ALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{NetworkAclEntry, PortRangeJson};
    use proptest::prelude::*;

    /// `required` through one direction of `acl`.
    fn evaluate(acl: &NetworkAcl, traffic: Traffic, required: &Region) -> AclVerdict {
        evaluate_sorted(&sorted_tcp_entries(acl, traffic), required)
    }

    fn entry(
        n: u16,
        egress: bool,
        action: RuleAction,
        proto: &str,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> NetworkAclEntry {
        NetworkAclEntry {
            rule_number: n,
            egress,
            rule_action: action,
            protocol: proto.into(),
            cidr_block: Some(cidr.parse().unwrap()),
            ipv6_cidr_block: None,
            port_range: ports.map(|(from, to)| PortRangeJson { from, to }),
        }
    }

    fn acl(entries: Vec<NetworkAclEntry>) -> NetworkAcl {
        NetworkAcl {
            network_acl_id: "acl-1".into(),
            vpc_id: "vpc-1".into(),
            is_default: false,
            associations: vec![],
            entries,
        }
    }

    fn one(ip: &str, ports: PortRange) -> Region {
        Region::from_rect(Rect::new(AddrRange::host(ip.parse().unwrap()), ports))
    }

    #[test]
    fn entries_are_sorted_by_rule_number_not_file_order() {
        let a = acl(vec![
            entry(
                200,
                false,
                RuleAction::Allow,
                "6",
                "0.0.0.0/0",
                Some((443, 443)),
            ),
            entry(
                100,
                false,
                RuleAction::Deny,
                "6",
                "10.0.1.0/24",
                Some((443, 443)),
            ),
        ]);
        let v = evaluate(
            &a,
            Traffic::Inbound,
            &one("10.0.1.5", PortRange::single(443)),
        );
        assert!(!v.allows());
        assert_eq!(v.denied_by[0].rule_number, 100);
        let v = evaluate(
            &a,
            Traffic::Inbound,
            &one("10.0.9.5", PortRange::single(443)),
        );
        assert!(v.allows());
        assert_eq!(v.allowed_by[0].rule_number, 200);
    }

    #[test]
    fn implicit_deny_and_partial_ephemeral_range() {
        let a = acl(vec![entry(
            100,
            true,
            RuleAction::Allow,
            "6",
            "10.0.0.0/16",
            Some((1024, 32767)),
        )]);
        let v = evaluate(
            &a,
            Traffic::Outbound,
            &one(
                "10.0.1.5",
                PortRange {
                    first: 1024,
                    last: 65535,
                },
            ),
        );
        assert_eq!(v.denied.describe_ports(), "32768-65535");
        assert_eq!(v.denied_by[0].rule_number, IMPLICIT_DENY);
        assert_eq!(v.first_deny(), Some(IMPLICIT_DENY));
    }

    #[test]
    fn other_protocols_and_directions_do_not_match() {
        let a = acl(vec![
            entry(
                100,
                true,
                RuleAction::Allow,
                "17",
                "0.0.0.0/0",
                Some((0, 65535)),
            ),
            entry(110, false, RuleAction::Allow, "-1", "0.0.0.0/0", None),
        ]);
        assert!(!evaluate(
            &a,
            Traffic::Outbound,
            &one("1.2.3.4", PortRange::single(443))
        )
        .allows());
        assert!(evaluate(
            &a,
            Traffic::Inbound,
            &one("1.2.3.4", PortRange::single(443))
        )
        .allows());
    }

    /// The independent oracle: the first entry (by rule number) matching one packet decides.
    fn oracle(entries: &[NetworkAclEntry], egress: bool, addr: u32, port: u16) -> bool {
        let mut sorted: Vec<&NetworkAclEntry> =
            entries.iter().filter(|e| e.egress == egress).collect();
        sorted.sort_by_key(|e| e.rule_number);
        for e in sorted {
            let net = e.cidr_block.unwrap();
            let in_net = net.contains(&std::net::Ipv4Addr::from(addr));
            let proto_ok = e.protocol == "-1" || e.protocol == "6";
            let port_ok = e.protocol == "-1"
                || e.port_range
                    .as_ref()
                    .is_none_or(|r| r.from <= port as i32 && port as i32 <= r.to);
            if in_net && proto_ok && port_ok {
                return e.rule_action == RuleAction::Allow;
            }
        }
        false
    }

    fn arb_entry() -> impl Strategy<Value = NetworkAclEntry> {
        (
            1u16..200,
            any::<bool>(),
            any::<bool>(),
            prop_oneof!["6", "-1", "17"],
            0u8..4,
            8u8..=32,
            0u16..2000,
            0u16..2000,
        )
            .prop_map(|(n, egress, allow, proto, octet, len, p, q)| {
                let cidr = format!("10.{octet}.0.0/{len}");
                let action = if allow {
                    RuleAction::Allow
                } else {
                    RuleAction::Deny
                };
                let (lo, hi) = (p.min(q) as i32, p.max(q) as i32);
                entry(n, egress, action, &proto, &cidr, Some((lo, hi)))
            })
    }

    proptest! {
        /// Region evaluation agrees with per-packet first-match on sampled packets.
        #[test]
        fn region_evaluation_matches_first_match(entries in prop::collection::vec(arb_entry(), 0..12),
                                                 egress in any::<bool>(),
                                                 samples in prop::collection::vec((0u8..4, 0u32..70000, 0u16..2100), 1..40)) {
            let a = acl(entries.clone());
            let traffic = if egress { Traffic::Outbound } else { Traffic::Inbound };
            let required = Region::from_rect(Rect::new(
                AddrRange { first: u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)), last: u32::from(std::net::Ipv4Addr::new(10, 3, 255, 255)) },
                PortRange { first: 0, last: 2100 }));
            let v = evaluate(&a, traffic, &required);
            for (octet, low, port) in samples {
                let addr = u32::from(std::net::Ipv4Addr::new(10, octet, (low >> 8) as u8, low as u8));
                prop_assert_eq!(!v.denied.contains(addr, port), oracle(&entries, egress, addr, port));
            }
        }

        /// Adding an allow entry never removes reachability.
        #[test]
        fn adding_an_allow_never_denies_more(entries in prop::collection::vec(arb_entry(), 0..10), extra in arb_entry()) {
            let mut extra = extra;
            extra.rule_action = RuleAction::Allow;
            let required = Region::from_rect(Rect::new(AddrRange::cidr("10.0.0.0/14".parse().unwrap()), PortRange { first: 0, last: 2100 }));
            for traffic in [Traffic::Outbound, Traffic::Inbound] {
                let before = evaluate(&acl(entries.clone()), traffic, &required);
                let mut more = entries.clone();
                more.push(extra.clone());
                let after = evaluate(&acl(more), traffic, &required);
                for rect in after.denied.rects() {
                    // every packet denied after must have been denied before: check the corners
                    for (a, p) in [(rect.addrs.first, rect.ports.first), (rect.addrs.last, rect.ports.last)] {
                        prop_assert!(before.denied.contains(a, p));
                    }
                }
            }
        }
    }

    // ---- IPv6 entries (docs/spec.md V6) ----

    /// The base address of sample block `o`: `2600:1f18:0:o::`.
    fn base6(o: u8) -> u128 {
        u128::from("2600:1f18::".parse::<std::net::Ipv6Addr>().unwrap()) | (u128::from(o) << 64)
    }

    fn entry6(
        n: u16,
        egress: bool,
        action: RuleAction,
        proto: &str,
        cidr: ipnet::Ipv6Net,
        ports: Option<(i32, i32)>,
    ) -> NetworkAclEntry {
        NetworkAclEntry {
            rule_number: n,
            egress,
            rule_action: action,
            protocol: proto.into(),
            cidr_block: None,
            ipv6_cidr_block: Some(cidr.to_string()),
            port_range: ports.map(|(from, to)| PortRangeJson { from, to }),
        }
    }

    fn one6(ip: &str, ports: PortRange) -> Region6 {
        Region6::from_rect(Rect6::new(Addr6Range::host(ip.parse().unwrap()), ports))
    }

    /// The default ACL of a dual-stack VPC: 100 allows IPv4, 101 allows IPv6, each family
    /// then has its own `*`.
    #[test]
    fn default_acl_rule_101_allows_ipv6_and_rule_100_does_not() {
        let all6: ipnet::Ipv6Net = "::/0".parse().unwrap();
        let a = acl(vec![
            entry(100, false, RuleAction::Allow, "-1", "0.0.0.0/0", None),
            entry6(101, false, RuleAction::Allow, "-1", all6, None),
        ]);
        let req = one6("2600:1f18::5", PortRange::single(443));
        let v = evaluate_sorted6(&sorted_tcp_entries6(&a, Traffic::Inbound), &req);
        assert!(v.allows());
        assert_eq!(v.allowed_by[0].to_string(), "rule 101 allow all ports ::/0");
        let only_v4 = acl(vec![entry(
            100,
            false,
            RuleAction::Allow,
            "-1",
            "0.0.0.0/0",
            None,
        )]);
        let v = evaluate_sorted6(&sorted_tcp_entries6(&only_v4, Traffic::Inbound), &req);
        assert!(!v.allows());
        assert_eq!(v.first_deny(), Some(IMPLICIT_DENY));
        assert_eq!(v.denied_by[0].to_string(), "rule * deny all ports ::/0");
    }

    /// The reply leg over IPv6: an ACL allowing only 1024-32767 back leaves the rest of the
    /// ephemeral range denied, by the IPv6 `*`.
    #[test]
    fn ipv6_ephemeral_return_partially_allowed() {
        let net: ipnet::Ipv6Net = "2600:1f18:aaaa:bb00::/56".parse().unwrap();
        let a = acl(vec![entry6(
            120,
            true,
            RuleAction::Allow,
            "6",
            net,
            Some((1024, 32767)),
        )]);
        let req = one6(
            "2600:1f18:aaaa:bb01::5",
            PortRange {
                first: 1024,
                last: 65535,
            },
        );
        let v = evaluate_sorted6(&sorted_tcp_entries6(&a, Traffic::Outbound), &req);
        assert_eq!(
            v.denied.rects()[0].ports,
            PortRange {
                first: 32768,
                last: 65535
            }
        );
        assert_eq!(
            v.allowed_by[0].to_string(),
            "rule 120 allow tcp/1024-32767 2600:1f18:aaaa:bb00::/56"
        );
    }

    /// The independent IPv6 oracle: among the entries of the direction sorted by rule number
    /// (both families, one numbering), the first IPv6 entry matching the packet decides.
    fn oracle6(entries: &[NetworkAclEntry], egress: bool, addr: u128, port: u16) -> bool {
        let mut sorted: Vec<&NetworkAclEntry> =
            entries.iter().filter(|e| e.egress == egress).collect();
        sorted.sort_by_key(|e| e.rule_number);
        for e in sorted {
            let Some(text) = &e.ipv6_cidr_block else {
                continue;
            };
            let net: ipnet::Ipv6Net = text.parse().unwrap();
            let in_net = net.contains(&std::net::Ipv6Addr::from(addr));
            let proto_ok = e.protocol == "-1" || e.protocol == "6";
            let port_ok = e.protocol == "-1"
                || e.port_range
                    .as_ref()
                    .is_none_or(|r| r.from <= port as i32 && port as i32 <= r.to);
            if in_net && proto_ok && port_ok {
                return e.rule_action == RuleAction::Allow;
            }
        }
        false
    }

    /// IPv6 entries inside `2600:1f18:0:0..4::/64`, from /46 to /128, and IPv4 entries with
    /// rule numbers from the same numbering.
    fn arb_entry6() -> impl Strategy<Value = NetworkAclEntry> {
        (
            1u16..200,
            any::<bool>(),
            any::<bool>(),
            prop_oneof!["6", "-1", "17"],
            0u8..4,
            0u32..70000,
            prop_oneof![46u8..=64, 100u8..=128],
            0u16..2000,
            0u16..2000,
        )
            .prop_map(|(n, egress, allow, proto, o, off, len, p, q)| {
                let addr = std::net::Ipv6Addr::from(base6(o) + u128::from(off));
                let net = ipnet::Ipv6Net::new(addr, len).unwrap().trunc();
                let action = if allow {
                    RuleAction::Allow
                } else {
                    RuleAction::Deny
                };
                let (lo, hi) = (p.min(q) as i32, p.max(q) as i32);
                entry6(n, egress, action, &proto, net, Some((lo, hi)))
            })
    }

    proptest! {
        /// IPv6 region evaluation agrees with the per-packet first-match oracle, with IPv4
        /// entries interleaved in the numbering (they never match an IPv6 packet).
        #[test]
        fn ipv6_region_evaluation_matches_first_match(
            v6 in prop::collection::vec(arb_entry6(), 0..12),
            v4 in prop::collection::vec(arb_entry(), 0..6),
            egress in any::<bool>(),
            samples in prop::collection::vec((0u8..4, 0u32..70000, 0u16..2100), 1..40)) {
            let mut entries = v6;
            entries.extend(v4);
            let a = acl(entries.clone());
            let traffic = if egress { Traffic::Outbound } else { Traffic::Inbound };
            let required = Region6::from_rect(Rect6::new(
                Addr6Range { first: base6(0), last: base6(3) | u128::from(u64::MAX) },
                PortRange { first: 0, last: 2100 }));
            let v = evaluate_sorted6(&sorted_tcp_entries6(&a, traffic), &required);
            for (o, low, port) in samples {
                let addr = base6(o) + u128::from(low);
                prop_assert_eq!(!v.denied.contains(addr, port), oracle6(&entries, egress, addr, port));
            }
        }

        /// Adding IPv6 entries never changes an IPv4 verdict.
        #[test]
        fn ipv6_entries_leave_ipv4_verdicts_alone(
            v4 in prop::collection::vec(arb_entry(), 0..10),
            v6 in prop::collection::vec(arb_entry6(), 0..10)) {
            let required = Region::from_rect(Rect::new(AddrRange::cidr("10.0.0.0/14".parse().unwrap()), PortRange { first: 0, last: 2100 }));
            let mut both = v4.clone();
            both.extend(v6);
            for traffic in [Traffic::Outbound, Traffic::Inbound] {
                let before = evaluate(&acl(v4.clone()), traffic, &required);
                let after = evaluate(&acl(both.clone()), traffic, &required);
                prop_assert_eq!(before.denied, after.denied);
                prop_assert_eq!(before.allowed_by, after.allowed_by);
            }
        }
    }
}
