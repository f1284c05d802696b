//! Rule sets compiled once per check for point queries: the heart of the fast path.
//!
//! Most pairs of a real account are fine, and proving a pair fine needs no explanation. So
//! `check` first asks these compiled structures yes/no questions about single packets (no
//! allocation, no formatting), and builds the detailed, explained hops of `path` only for
//! pairs they cannot prove. Both answer from the same snapshot with the same rules: the
//! property tests compare `check` with `check::check_exact`, which traces every pair exactly
//! and never looks here.
//!
//! Answers are `Option<bool>`: `Some(true)` proven allowed, `Some(false)` proven dropped,
//! `None` when a group or prefix list the answer needs is not in the snapshot.

use std::borrow::Cow;
use std::sync::Arc;

use crate::fxhash::{FxHashMap, FxHashSet};

use crate::network_acl::{EntryMatch, Traffic};
use crate::prefix_list;
use crate::protocol;
use crate::route::{self, RouteMatch};
use crate::security_group::{self, Peer, RuleDirection};
use crate::snapshot::{IpPermission, RuleAction, SecurityGroup, Snapshot};
use crate::space::{AddrRange, PortRange};

/// Deliberately wrong compiled answers, for the tests that show the comparison with
/// `check_exact` catches a broken fast path. Compiled into this crate's unit tests only: no
/// build of the library, not even with every feature on, carries it.
#[cfg(test)]
pub(super) mod fault {
    use std::cell::Cell;

    /// A way for the compiled rules to be wrong.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(in crate::check) enum Fault {
        /// Every compiled ACL passes every packet.
        AclPassesEverything,
        /// Every compiled security group allows every packet.
        GroupsAllowEverything,
    }

    thread_local! {
        /// The fault of the current test thread (tests run on threads of their own).
        static ACTIVE: Cell<Option<Fault>> = const { Cell::new(None) };
    }

    /// Runs `run` with the compiled rules broken by `fault`.
    pub(in crate::check) fn with<T>(fault: Fault, run: impl FnOnce() -> T) -> T {
        ACTIVE.set(Some(fault));
        let out = run();
        ACTIVE.set(None);
        out
    }

    /// True while `fault` is injected.
    pub(super) fn active(fault: Fault) -> bool {
        ACTIVE.get() == Some(fault)
    }
}

/// One allow rule of a group, with its peer resolved to addresses.
#[derive(Clone)]
struct Rule<'a> {
    ports: PortRange,
    peer: CompiledPeer<'a>,
}

#[derive(Clone)]
enum CompiledPeer<'a> {
    /// A CIDR block.
    Range(AddrRange),
    /// A prefix list's entries, shared by every rule naming the list.
    Ranges(Arc<[AddrRange]>),
    /// Members of a referenced group (sorted addresses).
    Members(&'a [u32]),
    /// A prefix list the snapshot lacks: the answer is unknown.
    Missing,
}

/// What compiling a rule needs: the snapshot, and its prefix lists resolved once.
struct Lists<'a> {
    snap: &'a Snapshot,
    ranges: FxHashMap<&'a str, Arc<[AddrRange]>>,
}

/// A group's TCP rules, both directions.
struct Group<'a> {
    /// The described group.
    source: &'a SecurityGroup,
    egress: Vec<Rule<'a>>,
    /// Compiled up front for the groups of endpoints only: a path to an endpoint crosses
    /// the endpoint's groups inbound, never a workload's, and workload groups are most of an
    /// account's. Any other group is compiled each time it is asked (nothing asks today).
    ingress: Option<Vec<Rule<'a>>>,
    inbound: &'a [IpPermission],
    lists: Arc<Lists<'a>>,
}

impl<'a> Group<'a> {
    fn rules(&self, direction: RuleDirection) -> Cow<'_, [Rule<'a>]> {
        match (direction, &self.ingress) {
            (RuleDirection::Egress, _) => Cow::Borrowed(&self.egress),
            (RuleDirection::Ingress, Some(rules)) => Cow::Borrowed(rules),
            (RuleDirection::Ingress, None) => Cow::Owned(compile_rules(&self.lists, self.inbound)),
        }
    }
}

/// One ACL's TCP entries per direction, sorted by rule number.
pub(crate) struct Acl {
    outbound: Vec<(AddrRange, PortRange, RuleAction)>,
    inbound: Vec<(AddrRange, PortRange, RuleAction)>,
}

/// The compiled snapshot.
pub(crate) struct Compiled<'a> {
    snap: &'a Snapshot,
    groups: FxHashMap<&'a str, Group<'a>>,
    acls: FxHashMap<&'a str, Acl>,
    /// Expanded routes per table; `None` when a prefix list of the table is missing.
    tables: FxHashMap<&'a str, Option<Vec<RouteMatch>>>,
}

impl<'a> Compiled<'a> {
    /// Compiles every group, ACL and route table of the snapshot.
    pub(crate) fn new(snap: &'a Snapshot) -> Compiled<'a> {
        let ranges = snap
            .prefix_lists
            .iter()
            .map(|(id, pl)| (id.as_str(), prefix_list::ipv4_ranges(pl).collect()))
            .collect();
        let lists = Arc::new(Lists { snap, ranges });
        let endpoint_groups: FxHashSet<&str> = snap
            .vpc_endpoints
            .values()
            .flat_map(|ep| ep.groups.iter().map(|g| g.group_id.as_str()))
            .collect();
        let groups = snap
            .security_groups
            .iter()
            .map(|(id, g)| {
                let group = Group {
                    source: g,
                    egress: compile_rules(&lists, &g.ip_permissions_egress),
                    ingress: endpoint_groups
                        .contains(id.as_str())
                        .then(|| compile_rules(&lists, &g.ip_permissions)),
                    inbound: &g.ip_permissions,
                    lists: Arc::clone(&lists),
                };
                (id.as_str(), group)
            })
            .collect::<FxHashMap<_, _>>();
        let acls = snap
            .index
            .acl_entries
            .iter()
            .map(|(id, (out, inb))| (id.as_str(), compile_acl(out, inb)))
            .collect();
        let tables = snap
            .route_tables
            .iter()
            .map(|(id, t)| {
                let (routes, missing) = route::expanded_routes(snap, t);
                (id.as_str(), missing.is_empty().then_some(routes))
            })
            .collect();
        Compiled {
            snap,
            groups,
            acls,
            tables,
        }
    }

    /// Resolves security-group ids once, for many questions about the same list.
    pub(crate) fn group_set<'c, S: AsRef<str>>(&'c self, ids: &[S]) -> GroupSet<'c, 'a> {
        let groups: Vec<&Group> = ids
            .iter()
            .filter_map(|id| self.groups.get(id.as_ref()))
            .collect();
        GroupSet {
            missing: groups.len() < ids.len(),
            groups,
        }
    }

    /// The described group `id` (a hash lookup, where the snapshot's map compares ids).
    pub(crate) fn security_group(&self, id: &str) -> Option<&'a SecurityGroup> {
        self.groups.get(id).map(|g| g.source)
    }

    /// The compiled ACL of `subnet`; `None` when the snapshot lacks it.
    pub(crate) fn subnet_acl(&self, subnet: &str) -> Option<&Acl> {
        self.acls
            .get(self.snap.index.subnet_acl.get(subnet)?.as_str())
    }

    /// Is `ip` routed `local` from `subnet`? `None` without a route table or with missing data.
    pub(crate) fn routes_locally(&self, subnet: &str, ip: u32) -> Option<bool> {
        let choice = self.snap.index.subnet_route_table.get(subnet)?;
        let routes = self.tables.get(choice.route_table_id.as_str())?.as_ref()?;
        let host = ipnet::Ipv4Net::from(std::net::Ipv4Addr::from(ip));
        Some(
            route::lookup_block(routes, host)
                .0
                .is_some_and(|r| r.target == "local" && !r.blackhole),
        )
    }
}

/// Security groups resolved once (see [`Compiled::group_set`]): several groups on one ENI
/// allow what any of them allows.
pub(crate) struct GroupSet<'c, 'a> {
    groups: Vec<&'c Group<'a>>,
    /// A listed group is not in the snapshot.
    missing: bool,
}

impl GroupSet<'_, '_> {
    /// Does any group allow TCP `port` to (egress) or from (ingress) `ip`? `None` when the
    /// answer needs a group or prefix list the snapshot lacks.
    pub(crate) fn allows(&self, direction: RuleDirection, ip: u32, port: u16) -> Option<bool> {
        #[cfg(test)]
        if fault::active(fault::Fault::GroupsAllowEverything) {
            return Some(true);
        }
        let mut unknown = self.missing;
        for group in &self.groups {
            for rule in group
                .rules(direction)
                .iter()
                .filter(|r| r.ports.first <= port && port <= r.ports.last)
            {
                match &rule.peer {
                    CompiledPeer::Range(range) if range.contains(ip) => return Some(true),
                    CompiledPeer::Ranges(ranges) if ranges.iter().any(|r| r.contains(ip)) => {
                        return Some(true)
                    }
                    CompiledPeer::Members(members) if members.binary_search(&ip).is_ok() => {
                        return Some(true)
                    }
                    CompiledPeer::Missing => unknown = true,
                    _ => {}
                }
            }
        }
        (!unknown).then_some(false)
    }

    /// `allows` for every port of `ports`.
    pub(crate) fn allows_all(
        &self,
        direction: RuleDirection,
        ip: u32,
        ports: &[u16],
    ) -> Option<bool> {
        all_ports(ports, |port| self.allows(direction, ip, port))
    }

    /// Do the groups allow TCP `port` to (egress) or from (ingress) every address of
    /// `ranges`? Only CIDR and prefix-list rules are counted (group members are single
    /// addresses), so `false` means "not proven", never "refused".
    pub(crate) fn covers(&self, direction: RuleDirection, ranges: &[AddrRange], port: u16) -> bool {
        let mut allowed: Vec<AddrRange> = Vec::new();
        for group in &self.groups {
            for rule in group
                .rules(direction)
                .iter()
                .filter(|r| r.ports.first <= port && port <= r.ports.last)
            {
                match &rule.peer {
                    CompiledPeer::Range(range) => allowed.push(*range),
                    CompiledPeer::Ranges(list) => allowed.extend(list.iter().copied()),
                    CompiledPeer::Members(_) | CompiledPeer::Missing => {}
                }
            }
        }
        allowed.sort_unstable();
        ranges.iter().all(|target| covered(&allowed, *target))
    }

    /// What the exact evaluation (`security_group::evaluate`) of `ip` × `ports` would
    /// conclude: `Some(true)` allowed, `Some(false)` blocked, `None` unknown or undecided.
    /// The exact evaluation calls a refusal unknown when any rule of the groups in that
    /// direction names a missing prefix list (whatever its ports), or a group is missing, so
    /// only a refusal without any such gap is final.
    pub(crate) fn decide(&self, direction: RuleDirection, ip: u32, ports: &[u16]) -> Option<bool> {
        match self.allows_all(direction, ip, ports) {
            Some(true) => Some(true),
            Some(false) if !self.lacks_data(direction) => Some(false),
            Some(false) | None => None,
        }
    }

    fn lacks_data(&self, direction: RuleDirection) -> bool {
        self.missing
            || self.groups.iter().any(|g| {
                g.rules(direction)
                    .iter()
                    .any(|r| matches!(r.peer, CompiledPeer::Missing))
            })
    }
}

impl GroupSet<'_, '_> {
    /// What the groups allow on TCP `port` in `direction`, resolved to addresses once, for
    /// asking about many addresses: [`PortView::allows`] answers as [`GroupSet::allows`] would.
    pub(crate) fn port_view(&self, direction: RuleDirection, port: u16) -> PortView {
        let mut view = PortView {
            ranges: Vec::new(),
            members: Vec::new(),
            unknown: self.missing,
        };
        for group in &self.groups {
            for rule in group
                .rules(direction)
                .iter()
                .filter(|r| r.ports.first <= port && port <= r.ports.last)
            {
                match &rule.peer {
                    CompiledPeer::Range(range) => view.ranges.push(*range),
                    CompiledPeer::Ranges(list) => view.ranges.extend(list.iter().copied()),
                    CompiledPeer::Members(members) => view.members.extend_from_slice(members),
                    CompiledPeer::Missing => view.unknown = true,
                }
            }
        }
        view.ranges = merged(view.ranges);
        view.members.sort_unstable();
        view.members.dedup();
        view
    }
}

/// What some groups allow on one port in one direction (see [`GroupSet::port_view`]): two
/// binary searches per address instead of a scan of every rule (an endpoint group that
/// admits fifty workload groups by reference has fifty rules, each a list of members).
#[derive(Debug)]
pub(crate) struct PortView {
    /// Allowed CIDR and prefix-list ranges, sorted and merged (disjoint, not adjacent).
    ranges: Vec<AddrRange>,
    /// The addresses of the members of every referenced group, sorted, each once.
    members: Vec<u32>,
    /// A group is missing, or a rule on the port names a missing prefix list.
    unknown: bool,
}

impl PortView {
    /// `Some(true)` when allowed, `None` when not allowed but the answer needs data the
    /// snapshot lacks, `Some(false)` otherwise.
    pub(crate) fn allows(&self, ip: u32) -> Option<bool> {
        #[cfg(test)]
        if fault::active(fault::Fault::GroupsAllowEverything) {
            return Some(true);
        }
        let at = self.ranges.partition_point(|r| r.last < ip);
        let in_range = self.ranges.get(at).is_some_and(|r| r.first <= ip);
        if in_range || self.members.binary_search(&ip).is_ok() {
            return Some(true);
        }
        (!self.unknown).then_some(false)
    }
}

/// Sorted, disjoint ranges covering exactly the addresses of `ranges`.
fn merged(mut ranges: Vec<AddrRange>) -> Vec<AddrRange> {
    ranges.sort_unstable();
    let mut out: Vec<AddrRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.first <= last.last.saturating_add(1) => {
                last.last = last.last.max(range.last)
            }
            _ => out.push(range),
        }
    }
    out
}

/// True when the union of `allowed` (sorted by first address) holds every address of `target`.
fn covered(allowed: &[AddrRange], target: AddrRange) -> bool {
    let mut next = target.first;
    for range in allowed {
        if range.first > next {
            return false;
        }
        if range.last >= next {
            match range.last.checked_add(1) {
                Some(after) => next = after,
                None => return true,
            }
            if next > target.last {
                return true;
            }
        }
    }
    false
}

/// `Some(true)` when `answer` is for every port; a proven `false` wins over an unknown.
fn all_ports(ports: &[u16], mut answer: impl FnMut(u16) -> Option<bool>) -> Option<bool> {
    let mut unknown = false;
    for &port in ports {
        match answer(port) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

impl Acl {
    /// Does the ACL pass TCP packets to (outbound) or from (inbound) `ip` on every port of
    /// `ports`? First match per port, implicit deny.
    pub(crate) fn allows(&self, traffic: Traffic, ip: u32, ports: PortRange) -> bool {
        #[cfg(test)]
        if fault::active(fault::Fault::AclPassesEverything) {
            return true;
        }
        let entries = match traffic {
            Traffic::Outbound => &self.outbound,
            Traffic::Inbound => &self.inbound,
        };
        if ports.first == ports.last {
            let port = ports.first;
            let hit = entries
                .iter()
                .find(|(a, p, _)| a.contains(ip) && p.first <= port && port <= p.last);
            return hit.is_some_and(|(_, _, action)| *action == RuleAction::Allow);
        }
        // One address: a one-dimensional first-match over the port range. Usually the first
        // entry that applies covers the whole range and decides alone.
        let mut applying = entries
            .iter()
            .filter(|(addrs, p, _)| addrs.contains(ip) && p.intersect(ports).is_some());
        let Some((_, first_ports, first_action)) = applying.next() else {
            return false;
        };
        if *first_action == RuleAction::Deny {
            return false;
        }
        if first_ports.first <= ports.first && ports.last <= first_ports.last {
            return true;
        }
        // Otherwise: the ports still undecided, as sorted disjoint ranges, cut entry by entry.
        let mut left: Vec<PortRange> = Vec::with_capacity(entries.len() + 1);
        left.push(ports);
        for (_, entry_ports, action) in
            std::iter::once((AddrRange::ALL, *first_ports, *first_action)).chain(applying.copied())
        {
            let mut i = 0;
            while i < left.len() {
                let range = left[i];
                let Some(cut) = range.intersect(entry_ports) else {
                    i += 1;
                    continue;
                };
                if action == RuleAction::Deny {
                    return false;
                }
                let below = (range.first < cut.first).then(|| PortRange {
                    first: range.first,
                    last: cut.first - 1,
                });
                let above = (cut.last < range.last).then(|| PortRange {
                    first: cut.last + 1,
                    last: range.last,
                });
                match (below, above) {
                    (None, None) => {
                        left.remove(i);
                    }
                    (Some(one), None) | (None, Some(one)) => {
                        left[i] = one;
                        i += 1;
                    }
                    (Some(low), Some(high)) => {
                        left[i] = low;
                        left.insert(i + 1, high);
                        i += 2;
                    }
                }
            }
            if left.is_empty() {
                return true;
            }
        }
        false
    }

    /// Does every entry either hold all of `range` or none of it? Then every address of
    /// `range` gets the same answers, and one of them can answer for all (the workloads of a
    /// subnet, when the ACL's entries are about whole subnets or wider).
    pub(crate) fn uniform_over(&self, range: AddrRange) -> bool {
        let decided = |(addrs, _, _): &(AddrRange, PortRange, RuleAction)| {
            (addrs.first <= range.first && range.last <= addrs.last)
                || addrs.last < range.first
                || range.last < addrs.first
        };
        self.outbound.iter().all(decided) && self.inbound.iter().all(decided)
    }

    /// `allows` for each single port of `ports`.
    pub(crate) fn allows_ports(&self, traffic: Traffic, ip: u32, ports: &[u16]) -> bool {
        ports
            .iter()
            .all(|&p| self.allows(traffic, ip, PortRange::single(p)))
    }
}

/// The TCP rules of `permissions`, one per peer.
fn compile_rules<'a>(lists: &Lists<'a>, permissions: &'a [IpPermission]) -> Vec<Rule<'a>> {
    let mut rules = Vec::with_capacity(permissions.len());
    for permission in permissions {
        compile_rule(lists, permission, &mut rules);
    }
    rules
}

/// Adds the TCP rules of one permission (one per peer) to `rules`.
fn compile_rule<'a>(lists: &Lists<'a>, permission: &'a IpPermission, rules: &mut Vec<Rule<'a>>) {
    let snap = lists.snap;
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
    for peer in security_group::peers(permission) {
        let peer = match peer {
            Peer::Cidr(net) => CompiledPeer::Range(AddrRange::cidr(net)),
            Peer::PrefixList(id) => match lists.ranges.get(id) {
                Some(ranges) => CompiledPeer::Ranges(Arc::clone(ranges)),
                None => CompiledPeer::Missing,
            },
            Peer::Group(id) => CompiledPeer::Members(
                snap.index
                    .group_members
                    .get(id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            ),
        };
        rules.push(Rule { ports, peer });
    }
}

fn compile_acl(outbound: &[EntryMatch], inbound: &[EntryMatch]) -> Acl {
    let compile = |entries: &[EntryMatch]| {
        entries
            .iter()
            .map(|e| (AddrRange::cidr(e.cidr), e.ports, e.action))
            .collect()
    };
    Acl {
        outbound: compile(outbound),
        inbound: compile(inbound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Interval coverage agrees with asking every address.
        #[test]
        fn covered_matches_every_address(mut allowed in prop::collection::vec((0u32..64, 0u32..64), 0..6), a in 0u32..64, b in 0u32..64) {
            let mut allowed: Vec<AddrRange> =
                allowed.drain(..).map(|(x, y)| AddrRange { first: x.min(y), last: x.max(y) }).collect();
            allowed.sort_unstable();
            let target = AddrRange { first: a.min(b), last: a.max(b) };
            let oracle = (target.first..=target.last).all(|ip| allowed.iter().any(|r| r.contains(ip)));
            prop_assert_eq!(covered(&allowed, target), oracle);
        }
    }

    /// A rule on ports `a..=b` (of 0..8) with one of four kinds of peer over addresses 0..64.
    fn arb_rule() -> impl Strategy<Value = (u16, u16, u8, u32, u32)> {
        (0u16..8, 0u16..8, 0u8..4, 0u32..64, 0u32..64)
    }

    fn rule<'a>((a, b, kind, x, y): (u16, u16, u8, u32, u32), lists: &'a [Vec<u32>]) -> Rule<'a> {
        let range = AddrRange {
            first: x.min(y),
            last: x.max(y),
        };
        let peer = match kind {
            0 => CompiledPeer::Range(range),
            1 => CompiledPeer::Ranges(Arc::from([range, AddrRange { first: y, last: y }])),
            2 => CompiledPeer::Members(&lists[(x % 2) as usize]),
            _ => CompiledPeer::Missing,
        };
        Rule {
            ports: PortRange {
                first: a.min(b),
                last: a.max(b),
            },
            peer,
        }
    }

    proptest! {
        /// A port view answers every address as scanning the rules does.
        #[test]
        fn port_view_matches_the_rules(
            one in prop::collection::vec(arb_rule(), 0..6),
            two in prop::collection::vec(arb_rule(), 0..4),
            missing in any::<bool>(),
            port in 0u16..8,
        ) {
            let lists = [vec![3, 17, 40], vec![0, 63]];
            let snap = Snapshot::default();
            let shared = Arc::new(Lists { snap: &snap, ranges: FxHashMap::default() });
            let described: SecurityGroup = serde_json::from_str(r#"{"GroupId": "sg-test"}"#).unwrap();
            let group = |rules: Vec<_>| Group {
                source: &described,
                egress: rules.into_iter().map(|r| rule(r, &lists)).collect(),
                ingress: Some(Vec::new()),
                inbound: &[],
                lists: Arc::clone(&shared),
            };
            let (g1, g2) = (group(one), group(two));
            let set = GroupSet { groups: vec![&g1, &g2], missing };
            let view = set.port_view(RuleDirection::Egress, port);
            for ip in 0..64 {
                prop_assert_eq!(view.allows(ip), set.allows(RuleDirection::Egress, ip, port), "address {}", ip);
            }
        }
    }

    fn arb_entry() -> impl Strategy<Value = (AddrRange, PortRange, RuleAction)> {
        (0u32..64, 0u32..64, 0u16..8, 0u16..8, any::<bool>()).prop_map(|(a, b, p, q, allow)| {
            let action = if allow {
                RuleAction::Allow
            } else {
                RuleAction::Deny
            };
            (
                AddrRange {
                    first: a.min(b),
                    last: a.max(b),
                },
                PortRange {
                    first: p.min(q),
                    last: p.max(q),
                },
                action,
            )
        })
    }

    proptest! {
        /// An ACL uniform over a range answers every address of it as its first.
        #[test]
        fn uniform_acls_answer_a_range_alike(
            outbound in prop::collection::vec(arb_entry(), 0..6),
            inbound in prop::collection::vec(arb_entry(), 0..6),
            a in 0u32..64,
            b in 0u32..64,
            p in 0u16..8,
            q in 0u16..8,
        ) {
            let acl = Acl { outbound, inbound };
            let range = AddrRange { first: a.min(b), last: a.max(b) };
            let ports = PortRange { first: p.min(q), last: p.max(q) };
            if acl.uniform_over(range) {
                for ip in range.first..=range.last {
                    for traffic in [Traffic::Inbound, Traffic::Outbound] {
                        prop_assert_eq!(acl.allows(traffic, ip, ports), acl.allows(traffic, range.first, ports));
                    }
                }
            }
        }
    }

    #[test]
    fn uniform_over_sees_a_host_entry_inside() {
        let entry = |first, last| (AddrRange { first, last }, PortRange::ALL, RuleAction::Allow);
        let acl = Acl {
            outbound: vec![entry(0, 255)],
            inbound: vec![entry(10, 10)],
        };
        assert!(acl.uniform_over(AddrRange { first: 0, last: 9 }));
        assert!(!acl.uniform_over(AddrRange { first: 0, last: 15 }));
    }

    #[test]
    fn groups_of_no_endpoint_still_answer_for_inbound_traffic() {
        let doc = r#"{"SecurityGroups": [
            {"GroupId": "sg-app", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}], "IpPermissionsEgress": []}],
            "VpcEndpoints": []}"#;
        let mut b = crate::snapshot::SnapshotBuilder::new();
        b.add_json("doc", doc).unwrap();
        let snap = b.finish();
        let compiled = Compiled::new(&snap);
        assert!(
            compiled.groups["sg-app"].ingress.is_none(),
            "compiled up front"
        );
        let inside = u32::from(std::net::Ipv4Addr::new(10, 0, 3, 4));
        assert_eq!(
            compiled
                .group_set(&["sg-app"])
                .allows(RuleDirection::Ingress, inside, 443),
            Some(true)
        );
        assert_eq!(
            compiled
                .group_set(&["sg-app"])
                .allows(RuleDirection::Ingress, inside, 80),
            Some(false)
        );
    }

    #[test]
    fn covered_up_to_the_last_address() {
        let all = [AddrRange {
            first: 0,
            last: u32::MAX,
        }];
        assert!(covered(
            &all,
            AddrRange {
                first: 5,
                last: u32::MAX
            }
        ));
        let two = [
            AddrRange { first: 0, last: 9 },
            AddrRange {
                first: 10,
                last: u32::MAX,
            },
        ];
        assert!(covered(&two, AddrRange::ALL));
        assert!(!covered(&two[..1], AddrRange { first: 5, last: 10 }));
    }
}
