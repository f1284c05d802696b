//! Rule sets compiled once per check for point queries: the fast path of `check`.
//!
//! Most pairs of a real account are fine, and proving a pair fine needs no explanation. So
//! `check` first asks these compiled structures yes/no questions about single packets (no
//! allocation, no formatting), and builds the detailed, explained trace of `path` only for
//! pairs the fast path cannot prove. Both answer from the same snapshot with the same rules:
//! the scenario and property tests run every case through both (`check` and `explain`).

use crate::fxhash::FxHashMap;

use crate::endpoint::{Endpoint, EndpointEni};
use crate::endpoint::EndpointKind;
use crate::intent::{self, IntentFacts, Reason, Workload};
use crate::params::RuleParameters;
use crate::network_acl::{EntryMatch, Traffic};
use crate::prefix_list;
use crate::protocol;
use crate::route::{self, RouteMatch};
use crate::security_group::{self, Peer, RuleDirection};
use crate::snapshot::{IpPermission, RuleAction, Snapshot};
use crate::space::{AddrRange, PortRange};

/// One allow rule of a group, with its peer resolved to addresses.
struct Rule<'a> {
    ports: PortRange,
    peer: CompiledPeer<'a>,
}

enum CompiledPeer<'a> {
    /// CIDR or prefix-list entries.
    Ranges(Vec<AddrRange>),
    /// Members of a referenced group (sorted addresses).
    Members(&'a [u32]),
    /// A prefix list the snapshot lacks: the answer is unknown.
    Missing,
}

/// A group's TCP rules, both directions.
struct Group<'a> {
    egress: Vec<Rule<'a>>,
    ingress: Vec<Rule<'a>>,
}

/// One ACL's TCP entries per direction, sorted by rule number.
struct Acl {
    outbound: Vec<(AddrRange, PortRange, RuleAction)>,
    inbound: Vec<(AddrRange, PortRange, RuleAction)>,
}

/// The compiled snapshot.
pub struct Compiled<'a> {
    snap: &'a Snapshot,
    groups: FxHashMap<&'a str, Group<'a>>,
    acls: FxHashMap<&'a str, Acl>,
    /// Expanded routes per table; `None` when a prefix list of the table is missing.
    tables: FxHashMap<&'a str, Option<Vec<RouteMatch>>>,
}

impl<'a> Compiled<'a> {
    /// Compiles every group, ACL and route table of the snapshot.
    pub fn new(snap: &'a Snapshot) -> Compiled<'a> {
        let groups = snap
            .security_groups
            .iter()
            .map(|(id, g)| {
                let compile = |rules: &'a [IpPermission]| rules.iter().flat_map(|p| compile_rule(snap, p)).collect();
                (id.as_str(), Group { egress: compile(&g.ip_permissions_egress), ingress: compile(&g.ip_permissions) })
            })
            .collect::<FxHashMap<_, _>>();
        let acls = snap.index.acl_entries.iter().map(|(id, (out, inb))| (id.as_str(), compile_acl(out, inb))).collect();
        let tables = snap
            .route_tables
            .iter()
            .map(|(id, t)| {
                let (routes, missing) = route::expanded_routes(snap, t);
                (id.as_str(), missing.is_empty().then_some(routes))
            })
            .collect();
        Compiled { snap, groups, acls, tables }
    }

    /// Does any of `groups` allow TCP `port` to (egress) or from (ingress) `ip`?
    /// `None` when a group or prefix list needed for the answer is missing.
    pub fn sg_allows(&self, groups: &[String], direction: RuleDirection, ip: u32, port: u16) -> Option<bool> {
        let mut unknown = false;
        for id in groups {
            let Some(group) = self.groups.get(id.as_str()) else {
                unknown = true;
                continue;
            };
            let rules = match direction {
                RuleDirection::Egress => &group.egress,
                RuleDirection::Ingress => &group.ingress,
            };
            for rule in rules.iter().filter(|r| r.ports.first <= port && port <= r.ports.last) {
                match &rule.peer {
                    CompiledPeer::Ranges(ranges) if ranges.iter().any(|r| r.contains(ip)) => return Some(true),
                    CompiledPeer::Members(members) if members.binary_search(&ip).is_ok() => return Some(true),
                    CompiledPeer::Missing => unknown = true,
                    _ => {}
                }
            }
        }
        (!unknown).then_some(false)
    }

    /// Does the ACL of `subnet` pass TCP packets to (outbound) or from (inbound) `ip` on every
    /// port of `ports`? First match per port, implicit deny. `None` without an ACL.
    pub fn acl_allows(&self, subnet: &str, traffic: Traffic, ip: u32, ports: PortRange) -> Option<bool> {
        let acl = self.acls.get(self.snap.index.subnet_acl.get(subnet)?.as_str())?;
        let entries = match traffic {
            Traffic::Outbound => &acl.outbound,
            Traffic::Inbound => &acl.inbound,
        };
        if ports.first == ports.last {
            let port = ports.first;
            let hit = entries.iter().find(|(a, p, _)| a.contains(ip) && p.first <= port && port <= p.last);
            return Some(hit.is_some_and(|(_, _, action)| *action == RuleAction::Allow));
        }
        // One address: a one-dimensional first-match over the port range.
        let mut left: Vec<PortRange> = vec![ports];
        for (_, entry_ports, action) in entries.iter().filter(|(addrs, _, _)| addrs.contains(ip)) {
            let mut next = Vec::with_capacity(left.len() + 1);
            for range in &left {
                match range.intersect(*entry_ports) {
                    None => next.push(*range),
                    Some(_) if *action == RuleAction::Deny => return Some(false),
                    Some(cut) => {
                        if range.first < cut.first {
                            next.push(PortRange { first: range.first, last: cut.first - 1 });
                        }
                        if cut.last < range.last {
                            next.push(PortRange { first: cut.last + 1, last: range.last });
                        }
                    }
                }
            }
            left = next;
            if left.is_empty() {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Is `ip` routed `local` from `subnet`? `None` without a route table or with missing data.
    pub fn routes_locally(&self, subnet: &str, ip: u32) -> Option<bool> {
        let choice = self.snap.index.subnet_route_table.get(subnet)?;
        let routes = self.tables.get(choice.route_table_id.as_str())?.as_ref()?;
        let host = ipnet::Ipv4Net::from(std::net::Ipv4Addr::from(ip));
        Some(route::lookup_block(routes, host).0.is_some_and(|r| r.target == "local" && !r.blackhole))
    }
}

/// The fast path's answers, remembered by what they depend on: the workload subnet's hops by
/// (subnet, endpoint ENI), the endpoint subnet's ACL hops by (endpoint subnet, workload
/// address), egress by (security group, endpoint ENI, port), R3 by (group, endpoint) and R4
/// by (subnet, endpoint). In a large account thousands of workloads share subnets and
/// groups, so most pairs cost a few lookups.
pub struct FastPath<'a, 'w> {
    rules: &'w Compiled<'a>,
    snap: &'a Snapshot,
    ephemeral: PortRange,
    workload_side: FxHashMap<(&'w str, &'w str), Option<bool>>,
    endpoint_side: FxHashMap<(&'w str, u32), Option<bool>>,
    egress: FxHashMap<(&'w str, &'w str, u16), Option<bool>>,
    targets: FxHashMap<(&'w str, &'w str), bool>,
    routed: FxHashMap<(&'w str, &'w str), bool>,
}

impl<'a, 'w> FastPath<'a, 'w> {
    /// An empty cache over compiled rules, for one reply-port range.
    pub fn new(rules: &'w Compiled<'a>, ephemeral: PortRange) -> Self {
        FastPath {
            rules,
            snap: rules.snap,
            ephemeral,
            workload_side: FxHashMap::default(),
            endpoint_side: FxHashMap::default(),
            egress: FxHashMap::default(),
            targets: FxHashMap::default(),
            routed: FxHashMap::default(),
        }
    }

    /// R1-R4 for a pair, as `intent::reasons` decides them.
    pub fn reasons(&mut self, params: &RuleParameters, w: &'w Workload, ep: &'w Endpoint) -> Vec<Reason> {
        let snap = self.snap;
        let mut facts = IntentFacts::default();
        for g in &w.groups {
            let hit = *self.targets.entry((g.as_str(), ep.id())).or_insert_with(|| intent::group_targets(snap, g, ep));
            if hit {
                facts.targets = true;
                break;
            }
        }
        match ep.kind {
            EndpointKind::Interface => facts.admits = intent::endpoint_admits(self.rules, w, ep),
            EndpointKind::Gateway => {
                let subnet = w.eni.subnet_id.as_str();
                facts.routed = *self
                    .routed
                    .entry((subnet, ep.id()))
                    .or_insert_with(|| intent::routed_to_endpoint(snap, subnet, ep));
            }
        }
        intent::reasons_from(params, ep, facts)
    }

    /// How many of an interface endpoint's ENIs the workload fully reaches (forward and reply
    /// legs, every service port). `None` when some answer needs data the snapshot lacks.
    pub fn interface_reached(&mut self, w: &'w Workload, ep: &'w Endpoint) -> Option<usize> {
        let wip = u32::from(w.ip);
        for &port in &ep.ports {
            if !self.rules.sg_allows(&ep.groups, RuleDirection::Ingress, wip, port)? {
                return Some(0);
            }
        }
        let mut reached = 0;
        for eni in &ep.enis {
            if self.eni_reachable(w, eni, &ep.ports)? {
                reached += 1;
            }
        }
        Some(reached)
    }

    fn eni_reachable(&mut self, w: &'w Workload, eni: &'w EndpointEni, ports: &[u16]) -> Option<bool> {
        for &port in ports {
            if !self.egress_allows(w, eni, port)? {
                return Some(false);
            }
        }
        let (w_subnet, e_subnet) = (w.eni.subnet_id.as_str(), eni.subnet_id.as_str());
        let crossing = w_subnet != e_subnet;
        let rules = self.rules;
        let (ip, eph) = (u32::from(eni.ip), self.ephemeral);
        let workload_side = *self.workload_side.entry((w_subnet, eni.id.as_str())).or_insert_with(|| {
            let acls = || -> Option<bool> {
                for &port in ports {
                    if !rules.acl_allows(w_subnet, Traffic::Outbound, ip, PortRange::single(port))? {
                        return Some(false);
                    }
                }
                rules.acl_allows(w_subnet, Traffic::Inbound, ip, eph)
            };
            Some(rules.routes_locally(w_subnet, ip)? && (!crossing || acls()?))
        });
        if !workload_side? || !crossing {
            return workload_side;
        }
        let wip = u32::from(w.ip);
        *self.endpoint_side.entry((e_subnet, wip)).or_insert_with(|| {
            for &port in ports {
                if !rules.acl_allows(e_subnet, Traffic::Inbound, wip, PortRange::single(port))? {
                    return Some(false);
                }
            }
            rules.acl_allows(e_subnet, Traffic::Outbound, wip, eph)
        })
    }

    /// The workload's groups together allow `port` to the ENI: one of them must.
    fn egress_allows(&mut self, w: &'w Workload, eni: &'w EndpointEni, port: u16) -> Option<bool> {
        let rules = self.rules;
        let ip = u32::from(eni.ip);
        let mut unknown = false;
        for g in &w.groups {
            let one = std::slice::from_ref(g);
            let answer = *self
                .egress
                .entry((g.as_str(), eni.id.as_str(), port))
                .or_insert_with(|| rules.sg_allows(one, RuleDirection::Egress, ip, port));
            match answer {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        (!unknown).then_some(false)
    }
}

fn compile_rule<'a>(snap: &'a Snapshot, permission: &'a IpPermission) -> Vec<Rule<'a>> {
    if !protocol::covers_tcp(&permission.ip_protocol) {
        return Vec::new();
    }
    let ports = if protocol::is_all(&permission.ip_protocol) {
        PortRange::ALL
    } else {
        match PortRange::from_aws(permission.from_port, permission.to_port) {
            Some(p) => p,
            None => return Vec::new(),
        }
    };
    security_group::peers(permission)
        .map(|peer| {
            let peer = match peer {
                Peer::Cidr(net) => CompiledPeer::Ranges(vec![AddrRange::cidr(net)]),
                Peer::PrefixList(id) => match snap.prefix_lists.get(id) {
                    Some(pl) => CompiledPeer::Ranges(prefix_list::ipv4_ranges(pl).collect()),
                    None => CompiledPeer::Missing,
                },
                Peer::Group(id) => {
                    CompiledPeer::Members(snap.index.group_members.get(id).map(Vec::as_slice).unwrap_or(&[]))
                }
            };
            Rule { ports, peer }
        })
        .collect()
}

fn compile_acl(outbound: &[EntryMatch], inbound: &[EntryMatch]) -> Acl {
    let compile = |entries: &[EntryMatch]| entries.iter().map(|e| (AddrRange::cidr(e.cidr), e.ports, e.action)).collect();
    Acl { outbound: compile(outbound), inbound: compile(inbound) }
}
