//! Pairs across VPCs in the fast judge (issue 14): a hub-and-spoke organisation has millions of
//! spoke-workload × hub-endpoint pairs, so they are decided by *class*, not one by one.
//!
//! Every hop of a cross-VPC path over a transit gateway depends on little: the egress hop on
//! the workload's group list and the ENI, the route, the TGW's forward lookup and the
//! workload-side ACLs on the workload's subnet (its zone too) and the ENI, and the hub-side
//! questions (endpoint subnet ACLs, the TGW attachment subnets' ACLs, the endpoint groups'
//! ingress, the hub's return route, the TGW's return lookup) on the workload's *address*, but
//! only through the prefix boundaries of the rules asked: every ACL entry, every route, every
//! TGW route, every endpoint-group ingress rule (and the members of the groups they name). The
//! addresses between two consecutive boundaries (an *atom*) get the same answer to every such
//! question. So a class is (subnet, group list, atom), and each (class, endpoint) is decided
//! once, with the compiled single-packet rules (`Compiled`) and the TGW and route-table
//! lookups, per ENI as a bit mask. Only "proven reachable" comes out of it: every other pair
//! goes to the exact path (`path::cross`), as `shortcut` does in a VPC. Peering links and
//! gateway endpoints are not proven here (they are rare across links): the exact path decides
//! them.
//!
//! The reasons (R1-R3 across links) are per class too: R1 on the subnet's routes, R2 on the
//! compiled ingress of the endpoint groups for the class's address, R3 on its groups. A VPC's
//! classes are found once (`VpcClasses`), their verdicts decided once per (signature, facts of
//! the endpoint and the VPC), so an endpoint's pairs with a VPC cost a lookup, and one run when
//! every class fares alike. Proven required pairs are counted on their path resources per
//! (VPC, signature, facts, common hops) and added up by class once, at the end.
//!
//! Pairs that may need IPv6 (an endpoint that is not IPv4-only, V10) are gated per workload:
//! those that need more than IPv4 go to the exact judge (`path::cross`, `path::cross6`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use ipnet::Ipv4Net;

use crate::endpoint::{Endpoint, EndpointKind};
use crate::family::{self, Family, Need};
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::intent::{self, Reason, Reasons, Workload};
use crate::network_acl::Traffic;
use crate::params::RuleParameters;
use crate::path::Outcome;
use crate::route::{self, RouteMatch};
use crate::security_group::{self, Peer, RuleDirection};
use crate::snapshot::{Snapshot, TransitGatewayVpcAttachment};
use crate::space::{AddrRange, PortRange};
use crate::transit_gateway::{self as tgw, TgwRouteMatch};

use super::super::cross::{exact_remote, Remote, RemoteVerdict, RemoteVpc};
use super::super::ids::{CellIdx, ClassIdx, DenseId, Interner, RemoteListIdx, RemoteSubnetIdx};
use super::super::on_path::subnet_resources;
use super::super::vpc::EndpointFacts;
use super::compiled::{Compiled, GroupSet};

/// The most ENIs of an endpoint a mask holds; endpoints with more are left to the exact path.
const MAX_ENIS: usize = 64;

/// What one class of workloads shares.
#[derive(Clone, Copy)]
struct Class<'w> {
    /// Its first workload: any of them answers for all.
    rep: &'w Workload<'w>,
    subnet: RemoteSubnetIdx,
    list: RemoteListIdx,
    cell: CellIdx,
}

/// The classes of one VPC's workloads, found at its first endpoint and kept for the others.
struct VpcClasses {
    /// Each distinct class once.
    distinct: Vec<ClassIdx>,
    /// How many of the VPC's workloads each class of `distinct` holds.
    sizes: Vec<usize>,
    /// Per workload (in list order), its class's place in `distinct`, or [`NO_CLASS`].
    local: Vec<u32>,
    /// Some workload has no class.
    unclassed: bool,
    /// The classes' verdicts per (signature, `VerdictKey` index): the same for every endpoint
    /// of the signature with those facts.
    decided: FxHashMap<(usize, usize), Decided>,
    /// How many endpoints had the VPC's pairs counted as proven, per (signature, `VerdictKey`
    /// index, common-hop set): the classes' counts are added up once, at the end.
    counted: FxHashMap<(usize, usize, usize), usize>,
}

/// The verdicts of a VPC's classes against the endpoints of a signature.
struct Decided {
    /// By the class's place in `VpcClasses::distinct`.
    verdicts: Vec<RemoteVerdict>,
    /// Every class's verdict, when they are all the same.
    uniform: Option<RemoteVerdict>,
    /// The workloads whose pairs are required and proven (per endpoint).
    proven: usize,
}

/// The pair needs the IPv4 path and nothing else (V10) and its workload has no IPv6 address
/// (whose R2 and R3 by IPv6, section 3, a class of IPv4 addresses cannot decide): a class
/// can decide it.
fn ipv4_pair(snap: &Snapshot, r: &Remote, ep: &Endpoint) -> bool {
    r.workload.eni.ipv6_addresses.is_empty()
        && matches!(
            family::interface_need_gated(snap, r.workload.eni, ep.raw),
            Need::One(Family::V4)
        )
}

/// A proven verdict that makes the pair required: counted on its path.
fn counts(v: &RemoteVerdict) -> bool {
    v.proven && !v.reasons.is_empty()
}

/// The place of a workload without a class (an IPv6-only one, V8): the exact judge decides it.
const NO_CLASS: u32 = u32::MAX;

/// A route table's routes, expanded once.
struct Table<'w> {
    id: &'w str,
    routes: Vec<RouteMatch>,
}

/// The link of one (workload subnet, endpoint ENI) when its forward part is proven: what the
/// address-dependent questions need.
#[derive(Clone, Copy)]
struct EniLink<'w> {
    tgw: &'w str,
    src: &'w TransitGatewayVpcAttachment,
    dst: &'w TransitGatewayVpcAttachment,
    /// The workload VPC's attachment subnet in the workload's zone (traffic enters there).
    entry_zone_subnet: &'w str,
    /// Where the TGW hands traffic to the endpoint VPC, and back to the workload VPC.
    exit: &'w str,
    back: &'w str,
    entry: &'w str,
    forward_table: &'w str,
    forward_tgw_table_id: &'w str,
    return_tgw_table: usize,
    return_tgw_table_id: &'w str,
    /// The endpoint subnet's route table (in `tables`).
    return_table: usize,
}

/// One workload subnet against the current endpoint.
struct SubnetLink<'w> {
    /// R1/R5: an ENI's address is routed to a TGW or peering connection.
    routes: bool,
    /// Per ENI, the proven forward part.
    enis: Vec<Option<EniLink<'w>>>,
    mask: u64,
}

/// A class's answer for the endpoints of one signature.
#[derive(Clone, Copy)]
struct Decision {
    routes: bool,
    admits: bool,
    proven: bool,
    /// R3: an egress rule of one of the class's groups names the endpoints.
    targets: bool,
}

/// What a class's verdict depends on besides its signature's answers.
#[derive(Clone, Copy)]
struct VerdictKey {
    /// R1 asks for the endpoint's service.
    required: bool,
    /// R7: the client VPC's private hosted zone resolves the service to the endpoint.
    zone: bool,
    /// The client VPC has an endpoint of its own for the service (R1 does not reach across).
    served_locally: bool,
}

impl VerdictKey {
    /// The key as a small number (a key of `VpcClasses::decided`).
    fn index(self) -> usize {
        usize::from(self.required)
            | usize::from(self.zone) << 1
            | usize::from(self.served_locally) << 2
    }
}

/// What the network answers of a cross-VPC pair depend on on the endpoint's side: its ENIs'
/// (subnet, atom) cells, its service ports and its groups. The endpoints of a hub share a few
/// signatures, so a class is decided once per signature, not once per endpoint.
type SignatureKey<'w> = (Vec<CellIdx>, &'w [u16], &'w [String]);

/// The answers kept for one signature.
struct Signature<'w> {
    /// The first endpoint with it: its ENIs' addresses answer for every such endpoint's.
    rep: &'w Endpoint<'w>,
    groups: GroupSet<'w, 'w>,
    decisions: Vec<Option<Decision>>,
    /// R3 per group (by its number in `group_peers`): whether its egress names the signature's
    /// endpoints. The same for all of them: a group names an endpoint by one of its groups
    /// (in the signature), its ENIs' subnets (in their cells) or an ENI's address as a /32
    /// (whose own atom then holds that address alone, so no other endpoint shares the cell).
    targets: Vec<Option<bool>>,
    egress: Vec<Option<u64>>,
    links: Vec<Option<SubnetLink<'w>>>,
    cells: Vec<Option<u64>>,
    /// Per workload subnet, the resources of a proven pair's path but the endpoint's own id
    /// and common hops and the workload's groups (sorted, each once).
    resources: Vec<Option<Vec<&'w str>>>,
    /// Required pairs proven so far over the signature's endpoints, per set of common-hop
    /// components (`CrossFast::common_sets`) and class: added to the path counts once, at the
    /// end.
    proven: Vec<Vec<usize>>,
}

/// The fast judge's state for cross-VPC pairs, kept across the endpoints of a VPC.
pub(super) struct CrossFast<'w> {
    snap: &'w Snapshot,
    params: &'w RuleParameters,
    compiled: &'w Compiled<'w>,
    /// Sorted prefix boundaries (first address, and last + 1) of every address-dependent rule.
    bounds: Vec<u64>,
    class_of: Vec<Option<ClassIdx>>,
    classes: Vec<Class<'w>>,
    class_ids: Interner<(RemoteSubnetIdx, RemoteListIdx, CellIdx), ClassIdx>,
    subnets: Interner<&'w str, RemoteSubnetIdx>,
    /// Group lists as sets (sorted, each group once): `[a, b]` and `[b, a]` decide alike.
    lists: FxHashMap<Vec<&'w str>, RemoteListIdx>,
    /// The distinct groups of each list (for path counts).
    list_groups: Vec<Vec<&'w str>>,
    /// The numbers of each list's distinct groups (for R3).
    list_group_nos: Vec<Vec<usize>>,
    /// The classes of each VPC's candidates, by the position of its first candidate.
    vpc_classes: FxHashMap<usize, VpcClasses>,
    /// Every group of a list so far, numbered, and the peers of its egress rules (for R3).
    group_nos: FxHashMap<&'w str, usize>,
    group_peers: Vec<Vec<Peer<'w>>>,
    cells: Interner<(RemoteSubnetIdx, u32), CellIdx>,
    cell_rep: Vec<Ipv4Addr>,
    /// The first workload seen in each subnet (none for the endpoint ENIs' own subnets).
    subnet_rep: Vec<Option<&'w Workload<'w>>>,
    signatures: FxHashMap<SignatureKey<'w>, usize>,
    signature: Vec<Signature<'w>>,
    /// Route tables by subnet, expanded once (`None`: the subnet has none in the snapshot).
    subnet_tables: FxHashMap<&'w str, Option<usize>>,
    tables: Vec<Table<'w>>,
    /// TGW route tables by (TGW, table), expanded once (`None`: missing data).
    tgw_tables: FxHashMap<(&'w str, String), Option<(usize, &'w str)>>,
    tgw_routes: Vec<Vec<TgwRouteMatch>>,
    /// TGW attachments by (VPC, TGW) and their subnets by zone, each looked up once
    /// (`transit_gateway` scans every attachment at each question; `None`: none or missing
    /// data).
    attachments: FxHashMap<&'w str, Vec<(String, Option<&'w TransitGatewayVpcAttachment>)>>,
    zone_subnets: FxHashMap<(&'w str, &'w str), Option<&'w str>>,
    endpoint: Option<EndpointState<'w>>,
    /// Path counts of proven pairs, over every endpoint so far.
    on_path: FxHashMap<&'w str, usize>,
    /// Path counts of resources that are not the snapshot's strings (common hops).
    on_path_owned: FxHashMap<Arc<str>, usize>,
    /// The components of the endpoints' common hops but their own ids, as sorted sets, each
    /// once: the endpoints of a hub share a few (their DNS, their VPC).
    common_sets: FxHashMap<Vec<Arc<str>>, usize>,
    common_lists: Vec<Vec<Arc<str>>>,
}

/// Answers kept for the endpoint whose pairs are being decided.
struct EndpointState<'w> {
    ep: &'w Endpoint<'w>,
    /// The VPC whose workloads `common` is for (D10).
    client_vpc: &'w str,
    signature: usize,
    /// R1 holds for the endpoint's service.
    required: bool,
    /// The components of the endpoint's own hops but its id (on the path of every pair), by
    /// their number in `CrossFast::common_sets`.
    common: usize,
    /// Required pairs proven (each has the endpoint's id on its path).
    total: usize,
}

/// `v[i]`, the vector grown with `None` as needed.
fn slot<T>(v: &mut Vec<Option<T>>, i: usize) -> &mut Option<T> {
    if v.len() <= i {
        v.resize_with(i + 1, || None);
    }
    &mut v[i]
}

impl<'w> CrossFast<'w> {
    pub(super) fn new(
        snap: &'w Snapshot,
        params: &'w RuleParameters,
        compiled: &'w Compiled<'w>,
    ) -> Self {
        CrossFast {
            snap,
            params,
            compiled,
            bounds: bounds(snap),
            class_of: Vec::new(),
            classes: Vec::new(),
            class_ids: Interner::new(),
            subnets: Interner::new(),
            lists: FxHashMap::default(),
            list_groups: Vec::new(),
            list_group_nos: Vec::new(),
            vpc_classes: FxHashMap::default(),
            group_nos: FxHashMap::default(),
            group_peers: Vec::new(),
            cells: Interner::new(),
            cell_rep: Vec::new(),
            subnet_rep: Vec::new(),
            signatures: FxHashMap::default(),
            signature: Vec::new(),
            subnet_tables: FxHashMap::default(),
            tables: Vec::new(),
            tgw_tables: FxHashMap::default(),
            tgw_routes: Vec::new(),
            attachments: FxHashMap::default(),
            zone_subnets: FxHashMap::default(),
            endpoint: None,
            on_path: FxHashMap::default(),
            on_path_owned: FxHashMap::default(),
            common_sets: FxHashMap::default(),
            common_lists: Vec::new(),
        }
    }

    /// The judgement of the pairs of `vpc`'s workloads with the endpoint, in list order, as
    /// runs of consecutive workloads sharing a verdict, pushed on `out`: each workload's is its
    /// class's, decided at the class's first pair with the endpoint (the network answers at
    /// its first pair with an endpoint of the same signature).
    pub(super) fn remote(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        vpc: &RemoteVpc<'_, 'w>,
        out: &mut Vec<(RemoteVerdict, usize)>,
    ) {
        let ep = facts.ep;
        let (snap, params) = (self.snap, self.params);
        let exact = |r: &Remote<'w>| exact_remote(snap, params, r.workload, ep, vpc.served_locally);
        if ep.kind == EndpointKind::Gateway || ep.enis.is_empty() || ep.enis.len() > MAX_ENIS {
            out.extend(vpc.list.iter().map(|r| (exact(r), 1)));
            return;
        }
        self.start(facts);
        // A required pair proven reachable is counted on its path (`VpcCheck` records it
        // without a trace) when the endpoint has targets and its common hops
        // either all allow or one blocks (then the common hop decides the pair).
        let counted = !facts.stopped
            && facts.targets > 0
            && (facts.common_ok || facts.common.iter().any(|h| h.outcome == Outcome::Blocked));
        let first = vpc.list.first().map_or(0, |r| r.idx.position());
        let mut classes = match self.vpc_classes.remove(&first) {
            Some(classes) => classes,
            None => self.classes_of(vpc.list),
        };
        let key = self.verdict_key(vpc.served_locally, facts);
        let decided = self.decide_classes(&mut classes, key);
        // The IPv6 gate across VPCs: with an endpoint that is not IPv4-only, a pair may need
        // the IPv6 leg or have no usable answer (V3, V10), which classes of IPv4 addresses
        // cannot prove: the exact judge decides every pair that needs more than IPv4.
        let gated = !ep.ipv4_only;
        let d = &classes.decided[&decided];
        // Gated, the classes of the pairs a class decided and proved, one entry a pair.
        let mut proven_alone: Vec<ClassIdx> = Vec::new();
        match d.uniform {
            // Every workload has a class and every class the same verdict (a clean spoke):
            // one run, whatever the workloads' order.
            Some(v) if !gated && !classes.unclassed => out.push((v, vpc.list.len())),
            _ => {
                for (r, &local) in vpc.list.iter().zip(&classes.local) {
                    let classed = local != NO_CLASS && (!gated || ipv4_pair(snap, r, ep));
                    let verdict = if classed {
                        d.verdicts[local as usize]
                    } else {
                        exact(r)
                    };
                    if gated && classed && counts(&verdict) {
                        proven_alone.push(classes.distinct[local as usize]);
                    }
                    match out.last_mut() {
                        Some((last, count)) if *last == verdict => *count += 1,
                        _ => out.push((verdict, 1)),
                    }
                }
            }
        }
        if counted && gated {
            self.count_proven_alone(decided.0, &proven_alone);
        } else if counted {
            self.count_proven(&mut classes, decided);
        }
        self.vpc_classes.insert(first, classes);
    }

    /// The facts of the endpoint and the client VPC a class's verdict depends on besides its
    /// signature's answers: R1 asked for its service, R7 from the client VPC's zone, the VPC
    /// served locally.
    fn verdict_key(&self, served_locally: bool, facts: &EndpointFacts<'w, '_>) -> VerdictKey {
        VerdictKey {
            required: self.state().required,
            zone: facts.zone && facts.client_vpc != facts.ep.raw.vpc_id,
            served_locally,
        }
    }

    /// Decides the verdicts of a VPC's classes against the current endpoint's signature, once
    /// per (signature, key) and VPC, not once per endpoint; returns where they are in
    /// `classes.decided`.
    fn decide_classes(&mut self, classes: &mut VpcClasses, key: VerdictKey) -> (usize, usize) {
        let sig = self.state().signature;
        let table = key.index();
        if classes.decided.contains_key(&(sig, table)) {
            return (sig, table);
        }
        let mut verdicts = Vec::with_capacity(classes.distinct.len());
        for &class in &classes.distinct {
            verdicts.push(self.class_verdict(sig, class, key));
        }
        let uniform = verdicts
            .split_first()
            .and_then(|(v, rest)| rest.iter().all(|o| o == v).then_some(*v));
        let proven = verdicts
            .iter()
            .zip(&classes.sizes)
            .filter(|(v, _)| counts(v))
            .map(|(_, &size)| size)
            .sum();
        classes.decided.insert(
            (sig, table),
            Decided {
                verdicts,
                uniform,
                proven,
            },
        );
        (sig, table)
    }

    /// Counts the required pairs of a VPC's classes proven reachable with the current
    /// endpoint (every pair of a class fares alike: `served_locally` and the client VPC's
    /// facts are the same for every workload of the class's subnet): the endpoint's total now,
    /// the classes' counts at the end (`add_counted`).
    fn count_proven(&mut self, classes: &mut VpcClasses, (sig, table): (usize, usize)) {
        let state = self.endpoint.as_mut().expect("started");
        state.total += classes.decided[&(sig, table)].proven;
        *classes
            .counted
            .entry((sig, table, state.common))
            .or_default() += 1;
    }

    /// Counts gated pairs one by one: those a class decided and proved (`proven`, a class a
    /// pair), the others being the exact judge's.
    fn count_proven_alone(&mut self, sig: usize, proven: &[ClassIdx]) {
        let n = self.classes.len();
        let state = self.endpoint.as_mut().expect("started");
        let counts = proven_counts(&mut self.signature[sig].proven, state.common, n);
        for class in proven {
            counts[class.position()] += 1;
        }
        state.total += proven.len();
    }

    /// Adds the counted pairs of every VPC's classes to their signatures' counts.
    fn add_counted(&mut self) {
        let n = self.classes.len();
        for classes in self.vpc_classes.values_mut() {
            for ((sig, table, set), times) in classes.counted.drain() {
                let d = &classes.decided[&(sig, table)];
                let proven = proven_counts(&mut self.signature[sig].proven, set, n);
                for ((class, &size), v) in
                    classes.distinct.iter().zip(&classes.sizes).zip(&d.verdicts)
                {
                    if counts(v) {
                        proven[class.position()] += size * times;
                    }
                }
            }
        }
    }

    /// The classes of a VPC's workloads (each IPv4 workload's also in `class_of`), found at
    /// its first endpoint.
    #[cold]
    fn classes_of(&mut self, list: &[Remote<'w>]) -> VpcClasses {
        let mut places: FxHashMap<ClassIdx, u32> = FxHashMap::default();
        let mut out = VpcClasses {
            distinct: Vec::new(),
            sizes: Vec::new(),
            local: Vec::with_capacity(list.len()),
            unclassed: false,
            decided: FxHashMap::default(),
            counted: FxHashMap::default(),
        };
        for r in list {
            if !r.workload.ipv4 {
                out.local.push(NO_CLASS);
                out.unclassed = true;
                continue;
            }
            let class = self.class(r);
            let next = u32::try_from(out.distinct.len()).expect("fewer classes than workloads");
            let place = *places.entry(class).or_insert(next);
            if place == next {
                out.distinct.push(class);
                out.sizes.push(0);
            }
            out.sizes[place as usize] += 1;
            out.local.push(place);
        }
        out
    }

    /// The verdict of a class's pairs with the endpoints of a signature that share `key`.
    fn class_verdict(&mut self, sig: usize, class: ClassIdx, key: VerdictKey) -> RemoteVerdict {
        let decision = match self.signature[sig].decisions.get(class.position()) {
            Some(Some(d)) => *d,
            _ => {
                let d = self.decide(sig, class);
                *slot(&mut self.signature[sig].decisions, class.position()) = Some(d);
                d
            }
        };
        let mut reasons = Reasons::default();
        if decision.routes && !key.served_locally && key.required {
            reasons.insert(Reason::RequiredService);
        }
        if decision.admits {
            reasons.insert(Reason::EndpointAdmits);
        }
        // R7 across VPCs (D10): the client VPC's zone resolves the service to the endpoint.
        if key.zone {
            reasons.insert(Reason::DnsZone);
        }
        if decision.targets {
            reasons.insert(Reason::EgressTargets);
        }
        RemoteVerdict {
            reasons,
            routes: decision.routes,
            proven: decision.proven,
        }
    }

    /// Adds the path counts of every proven pair to `on_path`.
    pub(super) fn finish(&mut self, on_path: &mut BTreeMap<String, usize>) {
        self.flush();
        self.add_counted();
        self.count_classes();
        let owned = self.on_path_owned.drain().map(|(k, n)| (k.to_string(), n));
        let borrowed = self.on_path.drain().map(|(k, n)| (k.to_string(), n));
        for (resource, n) in borrowed.chain(owned) {
            *on_path.entry(resource).or_default() += n;
        }
    }

    fn state(&self) -> &EndpointState<'w> {
        self.endpoint.as_ref().expect("started")
    }

    /// Starts the endpoint's pairs (after adding up the previous endpoint's counts).
    fn start(&mut self, facts: &EndpointFacts<'w, '_>) {
        let ep = facts.ep;
        // With DNS data each client VPC has its own common hops (D10): its pairs start afresh.
        if self
            .endpoint
            .as_ref()
            .is_some_and(|s| std::ptr::eq(s.ep, ep) && std::ptr::eq(s.client_vpc, facts.client_vpc))
        {
            return;
        }
        self.flush();
        let cells: Vec<CellIdx> = ep
            .enis
            .iter()
            .map(|eni| self.cell_of(&eni.subnet_id, eni.ip))
            .collect();
        let key = (cells, ep.ports.as_slice(), ep.group_ids());
        let next = self.signature.len();
        let signature = *self.signatures.entry(key).or_insert(next);
        if signature == next {
            self.signature.push(Signature {
                rep: ep,
                groups: self.compiled.group_set(ep.group_ids()),
                decisions: Vec::new(),
                targets: Vec::new(),
                egress: Vec::new(),
                links: Vec::new(),
                cells: Vec::new(),
                resources: Vec::new(),
                proven: Vec::new(),
            });
        }
        let mut common: Vec<Arc<str>> = facts
            .common
            .iter()
            .flat_map(|h| h.components.iter().cloned())
            .filter(|c| **c != *ep.id())
            .collect();
        common.sort_unstable();
        common.dedup();
        let next = self.common_lists.len();
        let common = match self.common_sets.get(&common) {
            Some(&set) => set,
            None => {
                self.common_lists.push(common.clone());
                self.common_sets.insert(common, next);
                next
            }
        };
        self.endpoint = Some(EndpointState {
            ep,
            client_vpc: facts.client_vpc,
            signature,
            required: self.params.requires(&ep.raw.service_name),
            common,
            total: 0,
        });
    }

    /// The (subnet, atom) cell of an address.
    fn cell_of(&mut self, subnet: &'w str, ip: Ipv4Addr) -> CellIdx {
        let subnet = self.subnets.id(subnet);
        let addr = u64::from(u32::from(ip));
        let atom = self.bounds.partition_point(|&b| b <= addr) as u32;
        let cell = self.cells.id((subnet, atom));
        if cell.position() == self.cell_rep.len() {
            self.cell_rep.push(ip);
        }
        cell
    }

    /// The class of a workload, found at its first pair.
    #[inline]
    fn class(&mut self, r: &Remote<'w>) -> ClassIdx {
        match self.class_of.get(r.idx.position()) {
            Some(Some(c)) => *c,
            _ => self.new_class(r),
        }
    }

    /// A workload's class at its first pair.
    #[cold]
    fn new_class(&mut self, r: &Remote<'w>) -> ClassIdx {
        let w = r.workload;
        let subnet = self.subnets.id(w.subnet_id);
        slot(&mut self.subnet_rep, subnet.position()).get_or_insert(w);
        let mut groups = w.groups.clone();
        groups.sort_unstable();
        groups.dedup();
        let next = RemoteListIdx::at(self.list_groups.len());
        let list = *self.lists.entry(groups.clone()).or_insert(next);
        if list == next {
            let nos = groups.iter().map(|g| self.group_no(g)).collect();
            self.list_group_nos.push(nos);
            self.list_groups.push(groups);
        }
        let cell = self.cell_of(w.subnet_id, w.ip);
        let class = self.class_ids.id((subnet, list, cell));
        if class.position() == self.classes.len() {
            self.classes.push(Class {
                rep: w,
                subnet,
                list,
                cell,
            });
        }
        *slot(&mut self.class_of, r.idx.position()) = Some(class);
        class
    }

    /// A class against the endpoints of a signature: whether it routes to them, their groups
    /// admit it, and every ENI is proven reachable.
    fn decide(&mut self, sig: usize, class: ClassIdx) -> Decision {
        let c = self.classes[class.position()];
        let ep = self.signature[sig].rep;
        self.link(sig, c.subnet, c.rep);
        let link = self.signature[sig].links[c.subnet.position()]
            .as_ref()
            .expect("just built");
        let (routes, link_mask) = (link.routes, link.mask);
        let ip = u32::from(c.rep.ip);
        let groups = &self.signature[sig].groups;
        let admits = ep
            .ports
            .iter()
            .any(|&port| groups.allows(RuleDirection::Ingress, ip, port) == Some(true));
        let full = if ep.enis.len() == MAX_ENIS {
            u64::MAX
        } else {
            (1u64 << ep.enis.len()) - 1
        };
        let proven = link_mask == full
            && self.egress(sig, c.list, c.rep) == full
            && self.cell(sig, c.cell, c.subnet, c.rep) == full;
        Decision {
            routes,
            admits,
            proven,
            targets: self.targets(sig, class),
        }
    }

    /// A group's number, its egress peers read at its first list.
    fn group_no(&mut self, group: &'w str) -> usize {
        if let Some(&no) = self.group_nos.get(group) {
            return no;
        }
        let peers = self
            .snap
            .security_groups
            .get(group)
            .into_iter()
            .flat_map(|g| {
                g.ip_permissions_egress
                    .iter()
                    .flat_map(security_group::peers)
            })
            .collect();
        self.group_peers.push(peers);
        self.group_nos.insert(group, self.group_peers.len() - 1);
        self.group_peers.len() - 1
    }

    /// R3 for the endpoints of a signature: an egress rule of one of the class's groups names
    /// them. Decided per group (a hub's endpoints meet thousands of group lists made of a few
    /// hundred groups), each once per signature (`Signature::targets` says why that holds).
    fn targets(&mut self, sig: usize, class: ClassIdx) -> bool {
        let list = self.classes[class.position()].list.position();
        let s = &mut self.signature[sig];
        let ep = s.rep;
        self.list_group_nos[list].iter().any(|&g| {
            *slot(&mut s.targets, g).get_or_insert_with(|| {
                self.group_peers[g]
                    .iter()
                    .any(|peer| intent::peer_targets(peer, ep))
            })
        })
    }

    /// The ENIs the group list's CIDR and prefix-list egress rules are proven open to, on
    /// every service port (references never work outbound across a TGW, T8).
    fn egress(&mut self, sig: usize, list: RemoteListIdx, w: &Workload) -> u64 {
        if let Some(Some(mask)) = self.signature[sig].egress.get(list.position()) {
            return *mask;
        }
        let ep = self.signature[sig].rep;
        let groups = self.compiled.group_set(&w.groups);
        let mut mask = 0;
        for (i, eni) in ep.enis.iter().enumerate() {
            let host = [AddrRange::host(eni.ip)];
            let open = !w.groups.is_empty()
                && ep
                    .ports
                    .iter()
                    .all(|&port| groups.covers(RuleDirection::Egress, &host, port));
            mask |= u64::from(open) << i;
        }
        *slot(&mut self.signature[sig].egress, list.position()) = Some(mask);
        mask
    }

    /// The hub-side answers for one (subnet, atom), asked with one of its addresses.
    fn cell(
        &mut self,
        sig: usize,
        cell: CellIdx,
        subnet: RemoteSubnetIdx,
        w: &Workload<'w>,
    ) -> u64 {
        if let Some(Some(mask)) = self.signature[sig].cells.get(cell.position()) {
            return *mask;
        }
        let ip = self.cell_rep[cell.position()];
        let s = &self.signature[sig];
        let link = s.links[subnet.position()].as_ref().expect("built");
        let mut mask = 0;
        for (i, (eni, l)) in s.rep.enis.iter().zip(&link.enis).enumerate() {
            let Some(l) = l else { continue };
            let open = self.hub_side(s, &eni.subnet_id, w.subnet_id, l, ip);
            mask |= u64::from(open) << i;
        }
        *slot(&mut self.signature[sig].cells, cell.position()) = Some(mask);
        mask
    }

    /// Every question about the workload's address `ip` on the way to one ENI and back.
    fn hub_side(
        &self,
        s: &Signature,
        eni_subnet: &str,
        wsubnet: &str,
        l: &EniLink,
        ip: Ipv4Addr,
    ) -> bool {
        let ep = s.rep;
        let addr = u32::from(ip);
        let ports = ep.ports.as_slice();
        let replies = self.params.ephemeral_ports;
        let acl_ports = |subnet: &str, traffic| self.acl_ports(subnet, traffic, addr, ports);
        let acl_replies = |subnet: &str, traffic| self.acl_range(subnet, traffic, addr, replies);
        if !acl_ports(l.entry_zone_subnet, Traffic::Inbound) {
            return false;
        }
        if l.exit != eni_subnet && !acl_ports(eni_subnet, Traffic::Inbound) {
            return false;
        }
        let host = [AddrRange::host(ip)];
        if ep.group_ids().is_empty()
            || !ports
                .iter()
                .all(|&p| s.groups.covers(RuleDirection::Ingress, &host, p))
        {
            return false;
        }
        let back = &self.tables[l.return_table].routes;
        let winner = route::lookup_block(back, Ipv4Net::from(ip)).0;
        if !winner.is_some_and(|r| !r.blackhole && r.target == l.tgw) {
            return false;
        }
        let to_src = tgw::lookup(&self.tgw_routes[l.return_tgw_table], ip);
        let src = l.src.transit_gateway_attachment_id.as_str();
        if !to_src.is_some_and(|r| !r.blackhole && r.attachment.as_deref() == Some(src)) {
            return false;
        }
        if !acl_replies(eni_subnet, Traffic::Outbound) {
            return false;
        }
        l.entry == wsubnet || acl_replies(l.entry, Traffic::Outbound)
    }

    fn acl_ports(&self, subnet: &str, traffic: Traffic, addr: u32, ports: &[u16]) -> bool {
        self.compiled
            .subnet_acl(subnet)
            .is_some_and(|acl| acl.allows_ports(traffic, addr, ports))
    }

    fn acl_range(&self, subnet: &str, traffic: Traffic, addr: u32, ports: PortRange) -> bool {
        self.compiled
            .subnet_acl(subnet)
            .is_some_and(|acl| acl.allows(traffic, addr, ports))
    }

    /// Builds a signature's link from a workload subnet (`w` is one of its workloads).
    fn link(&mut self, sig: usize, subnet: RemoteSubnetIdx, w: &Workload<'w>) {
        if matches!(
            self.signature[sig].links.get(subnet.position()),
            Some(Some(_))
        ) {
            return;
        }
        let ep = self.signature[sig].rep;
        let table = self.subnet_table(w.subnet_id);
        let (mut routes, mut mask, mut enis) = (false, 0, Vec::with_capacity(ep.enis.len()));
        for (i, eni) in ep.enis.iter().enumerate() {
            let winner = table
                .and_then(|t| route::lookup_block(&self.tables[t].routes, Ipv4Net::from(eni.ip)).0);
            let via: Option<String> = winner
                .filter(|r| !r.blackhole)
                .map(|r| r.target.as_str())
                .filter(|t| t.starts_with("tgw-") || t.starts_with("pcx-"))
                .map(str::to_string);
            routes |= via.is_some();
            let link = match (via, table) {
                (Some(target), Some(t)) if target.starts_with("tgw-") => {
                    self.forward(w, ep, i, &target, t)
                }
                _ => None,
            };
            mask |= u64::from(link.is_some()) << i;
            enis.push(link);
        }
        *slot(&mut self.signature[sig].links, subnet.position()) =
            Some(SubnetLink { routes, enis, mask });
    }

    /// The forward part to ENI `i` over `tgw_id` (T1-T6) and what the reply leg needs that does
    /// not depend on the workload's address; `None` when any of it is not proven.
    fn forward(
        &mut self,
        w: &Workload<'w>,
        ep: &'w Endpoint<'w>,
        i: usize,
        tgw_id: &str,
        table: usize,
    ) -> Option<EniLink<'w>> {
        let snap = self.snap;
        let eni = &ep.enis[i];
        let src = self.attachment(tgw_id, w.vpc_id)?;
        let dst = self.attachment(tgw_id, &ep.raw.vpc_id)?;
        if !tgw::attachment_available(src) || !tgw::attachment_available(dst) {
            return None;
        }
        let wzone = tgw::zone_of(snap, w.subnet_id).ok()?;
        let ezone = tgw::zone_of(snap, &eni.subnet_id).ok()?;
        let entry_zone_subnet = self.subnet_in_az(src, wzone)?;
        let back = self.subnet_in_az(dst, ezone)?;
        let (forward_tgw_table, forward_tgw_table_id) = self.tgw_table(src)?;
        let to_dst = tgw::lookup(&self.tgw_routes[forward_tgw_table], eni.ip)?;
        let dst_id = dst.transit_gateway_attachment_id.as_str();
        if to_dst.blackhole || to_dst.attachment.as_deref() != Some(dst_id) {
            return None;
        }
        let (return_tgw_table, return_tgw_table_id) = self.tgw_table(dst)?;
        let return_table = self.subnet_table(&eni.subnet_id)?;
        let exit = self.in_zone(dst, [wzone, ezone])?;
        let entry = self.in_zone(src, [ezone, wzone])?;
        let addr = u32::from(eni.ip);
        let (ports, replies) = (ep.ports.as_slice(), self.params.ephemeral_ports);
        let proven = self.acl_ports(w.subnet_id, Traffic::Outbound, addr, ports)
            && (exit == eni.subnet_id || self.acl_ports(exit, Traffic::Outbound, addr, ports))
            && self.acl_range(back, Traffic::Inbound, addr, replies)
            && (entry == w.subnet_id
                || self.acl_range(w.subnet_id, Traffic::Inbound, addr, replies));
        proven.then_some(EniLink {
            tgw: src.transit_gateway_id.as_str(),
            src,
            dst,
            entry_zone_subnet,
            exit,
            back,
            entry,
            forward_table: self.tables[table].id,
            forward_tgw_table_id,
            return_tgw_table,
            return_tgw_table_id,
            return_table,
        })
    }

    /// The VPC's attachment to the TGW (`None`: none, or missing data).
    fn attachment(
        &mut self,
        tgw_id: &str,
        vpc: &'w str,
    ) -> Option<&'w TransitGatewayVpcAttachment> {
        let known = self.attachments.entry(vpc).or_default();
        if let Some(&(_, a)) = known.iter().find(|(t, _)| t == tgw_id) {
            return a;
        }
        let a = tgw::vpc_attachment(self.snap, tgw_id, vpc).ok().flatten();
        known.push((tgw_id.to_string(), a));
        a
    }

    /// The attachment's subnet in the zone (`None`: none, or missing data).
    fn subnet_in_az(
        &mut self,
        a: &'w TransitGatewayVpcAttachment,
        zone: &'w str,
    ) -> Option<&'w str> {
        let snap = self.snap;
        *self
            .zone_subnets
            .entry((a.transit_gateway_attachment_id.as_str(), zone))
            .or_insert_with(|| tgw::subnet_in_az(snap, a, zone).ok().flatten())
    }

    /// The attachment subnet that carries traffic in the first of the zones it has a subnet
    /// in, else its first subnet (T6).
    fn in_zone(
        &mut self,
        a: &'w TransitGatewayVpcAttachment,
        zones: [&'w str; 2],
    ) -> Option<&'w str> {
        zones
            .into_iter()
            .find_map(|z| self.subnet_in_az(a, z))
            .or_else(|| a.subnet_ids.first().map(String::as_str))
    }

    /// The route table of `subnet`, expanded once.
    fn subnet_table(&mut self, subnet: &'w str) -> Option<usize> {
        if let Some(&t) = self.subnet_tables.get(subnet) {
            return t;
        }
        let t = route::table_for_subnet(self.snap, subnet).map(|(table, _)| {
            let (routes, _) = route::expanded_routes(self.snap, table);
            self.tables.push(Table {
                id: table.route_table_id.as_str(),
                routes,
            });
            self.tables.len() - 1
        });
        self.subnet_tables.insert(subnet, t);
        t
    }

    /// The routes of the TGW route table the attachment is associated with, expanded once,
    /// and the table's id.
    fn tgw_table(&mut self, a: &'w TransitGatewayVpcAttachment) -> Option<(usize, &'w str)> {
        let table = tgw::association(self.snap, &a.transit_gateway_attachment_id).ok()??;
        let key = (a.transit_gateway_id.as_str(), table);
        if let Some(&t) = self.tgw_tables.get(&key) {
            return t;
        }
        let t = tgw::routes(self.snap, key.0, &key.1)
            .ok()
            .and_then(|routes| {
                let (id, _) = self.snap.tgw_routes.get_key_value(&key.1)?;
                self.tgw_routes.push(routes);
                Some((self.tgw_routes.len() - 1, id.as_str()))
            });
        self.tgw_tables.insert(key, t);
        t
    }

    /// Adds the finished endpoint's id to the path counts of its proven pairs (the
    /// signatures' resources never hold it; its common hops' components are counted with the
    /// signature's, by set, at the end).
    fn flush(&mut self) {
        let Some(state) = self.endpoint.take() else {
            return;
        };
        if state.total == 0 {
            return;
        }
        match self.on_path_owned.get_mut(state.ep.id()) {
            Some(count) => *count += state.total,
            None => {
                self.on_path_owned
                    .insert(Arc::from(state.ep.id()), state.total);
            }
        }
    }

    /// The resources of a signature's proven pairs from workload subnet `subnet`, built once.
    fn subnet_resources(&mut self, sig: usize, subnet: usize) -> &[&'w str] {
        if self.signature[sig]
            .resources
            .get(subnet)
            .is_none_or(Option::is_none)
        {
            let w = self.subnet_rep(subnet);
            let list = resources(self.snap, &self.tables, &self.signature[sig], subnet, w);
            *slot(&mut self.signature[sig].resources, subnet) = Some(list);
        }
        self.signature[sig].resources[subnet]
            .as_deref()
            .expect("built")
    }

    /// A workload of a subnet (the first seen).
    fn subnet_rep(&self, subnet: usize) -> &'w Workload<'w> {
        self.subnet_rep[subnet].expect("a workload of the subnet")
    }

    /// Adds every signature's proven pairs to the path counts: per class its groups, per
    /// workload subnet the signature's resources and the endpoints' common-hop components the
    /// resources lack.
    fn count_classes(&mut self) {
        for sig in 0..self.signature.len() {
            let sets = std::mem::take(&mut self.signature[sig].proven);
            for (set, counts) in sets.iter().enumerate() {
                let mut by_subnet: Vec<usize> = Vec::new();
                for (class, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
                    let c = self.classes[class];
                    if by_subnet.len() <= c.subnet.position() {
                        by_subnet.resize(c.subnet.position() + 1, 0);
                    }
                    by_subnet[c.subnet.position()] += n;
                    for &g in &self.list_groups[c.list.position()] {
                        *self.on_path.entry(g).or_default() += n;
                    }
                }
                for (subnet, &n) in by_subnet.iter().enumerate().filter(|(_, &n)| n > 0) {
                    let list = self.subnet_resources(sig, subnet).to_vec();
                    for &resource in &list {
                        *self.on_path.entry(resource).or_default() += n;
                    }
                    for extra in &self.common_lists[set] {
                        if list.binary_search(&&**extra).is_err() {
                            *self.on_path_owned.entry(Arc::clone(extra)).or_default() += n;
                        }
                    }
                }
            }
        }
    }
}

/// A signature's proven counts for a common-hop set, per class (`n` classes), grown as needed.
fn proven_counts(sets: &mut Vec<Vec<usize>>, set: usize, n: usize) -> &mut Vec<usize> {
    if sets.len() <= set {
        sets.resize_with(set + 1, Vec::new);
    }
    let proven = &mut sets[set];
    if proven.len() < n {
        proven.resize(n, 0);
    }
    proven
}

/// The resources on the path of a proven pair from a workload of `subnet` to an endpoint of
/// signature `s`, but the endpoint's id, its common hops and the workload's groups: those
/// `findings::path_resources` names (VPCs, the endpoint's groups, the subnets' ACLs and route
/// tables) and every component of the pair's hops, sorted, each once.
fn resources<'w>(
    snap: &'w Snapshot,
    tables: &[Table<'w>],
    s: &Signature<'w>,
    subnet: usize,
    w: &'w Workload<'w>,
) -> Vec<&'w str> {
    let ep = s.rep;
    let link = s.links[subnet].as_ref().expect("decided");
    let acl = |s: &str| snap.index.subnet_acl.get(s).map(String::as_str);
    let mut out: Vec<&str> = vec![ep.raw.vpc_id.as_str(), w.vpc_id];
    out.extend(ep.group_ids().iter().map(String::as_str));
    out.extend(subnet_resources(snap, w.subnet_id));
    for (eni, l) in ep.enis.iter().zip(&link.enis) {
        out.extend(subnet_resources(snap, &eni.subnet_id));
        let Some(l) = l else { continue };
        out.extend([
            l.forward_table,
            &l.src.transit_gateway_attachment_id,
            &l.dst.transit_gateway_attachment_id,
            l.forward_tgw_table_id,
            l.return_tgw_table_id,
            tables[l.return_table].id,
        ]);
        out.extend(acl(l.entry_zone_subnet));
        out.extend(acl(l.back));
        if l.exit != eni.subnet_id {
            out.extend(acl(l.exit));
            out.extend(acl(&eni.subnet_id));
        }
        if l.entry != w.subnet_id {
            out.extend(acl(l.entry));
            out.extend(acl(w.subnet_id));
        }
        out.extend(acl(w.subnet_id));
        out.extend(acl(&eni.subnet_id));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The prefix boundaries of every rule whose answer depends on a workload's address on the
/// hub side: ACL entries, routes of VPC and TGW route tables, the ingress rules of endpoint
/// groups (CIDRs, prefix lists, and the addresses of the groups they reference). Sorted, each
/// once; an address's atom is the number of boundaries at or below it.
fn bounds(snap: &Snapshot) -> Vec<u64> {
    let mut out = Vec::new();
    let mut add = |r: AddrRange| {
        out.push(u64::from(r.first));
        out.push(u64::from(r.last) + 1);
    };
    for (outbound, inbound) in snap.index.acl_entries.values() {
        for e in outbound.iter().chain(inbound) {
            add(AddrRange::cidr(e.cidr));
        }
    }
    for table in snap.route_tables.values() {
        for r in route::expanded_routes(snap, table).0 {
            add(AddrRange::cidr(r.cidr));
        }
    }
    let tgws: FxHashSet<&str> = snap
        .transit_gateways
        .keys()
        .map(String::as_str)
        .chain(
            snap.tgw_vpc_attachments
                .values()
                .map(|a| a.transit_gateway_id.as_str()),
        )
        .collect();
    for table in snap.tgw_routes.keys() {
        for &t in &tgws {
            for r in tgw::routes(snap, t, table).unwrap_or_default() {
                add(AddrRange::cidr(r.cidr));
            }
        }
    }
    // Workload groups' egress (asked about the endpoint ENIs' addresses: they get atoms too).
    for group in snap.security_groups.values() {
        for peer in group
            .ip_permissions_egress
            .iter()
            .flat_map(security_group::peers)
        {
            match peer {
                Peer::Cidr(net) => add(AddrRange::cidr(net)),
                Peer::PrefixList(id) => {
                    if let Some(pl) = snap.prefix_lists.get(id) {
                        crate::prefix_list::ipv4_ranges(pl).for_each(&mut add);
                    }
                }
                Peer::Group(_) => {}
            }
        }
    }
    let mut referenced: FxHashSet<&str> = FxHashSet::default();
    let endpoint_groups = snap
        .vpc_endpoints
        .values()
        .flat_map(|ep| ep.groups.iter())
        .filter_map(|g| snap.security_groups.get(&g.group_id));
    for group in endpoint_groups {
        for peer in group.ip_permissions.iter().flat_map(security_group::peers) {
            match peer {
                Peer::Cidr(net) => add(AddrRange::cidr(net)),
                Peer::PrefixList(id) => {
                    if let Some(pl) = snap.prefix_lists.get(id) {
                        crate::prefix_list::ipv4_ranges(pl).for_each(&mut add);
                    }
                }
                Peer::Group(g) => {
                    referenced.insert(g);
                }
            }
        }
    }
    for eni in snap.network_interfaces.values() {
        if eni
            .groups
            .iter()
            .any(|g| referenced.contains(g.group_id.as_str()))
        {
            for ip in &eni.private_ip_addresses {
                add(AddrRange::host(ip.private_ip_address));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::super::compiled::fault::{self, Fault};
    use crate::check::{check, check_exact};
    use crate::params::RuleParameters;
    use crate::snapshot::{Snapshot, SnapshotBuilder};

    /// A small organisation with every misconfiguration of the synth preset (a spoke whose
    /// app subnet's ACL drops the replies among them).
    fn organisation() -> Snapshot {
        let params = vpce_reach_synth::OrgParams {
            spokes: 41,
            workload_enis: 1_000,
            interface_endpoints: 3,
            ..vpce_reach_synth::OrgParams::org()
        };
        let mut b = SnapshotBuilder::new();
        for (name, doc) in vpce_reach_synth::generate_org(&params) {
            b.add_json(&name, &doc.to_string()).unwrap();
        }
        b.finish()
    }

    /// The cross-VPC pairs are decided by the compiled rules (a compiled ACL passing
    /// everything changes `check`'s report) and compared with the exact side, which does not
    /// share the broken answer.
    #[test]
    fn a_compiled_acl_passing_everything_is_caught_across_vpcs() {
        let snap = organisation();
        let params = RuleParameters::default();
        let exact = check_exact(&snap, &params);
        assert_eq!(check(&snap, &params), exact, "the fast path is sound");
        assert!(!exact.findings.is_empty());
        let broken = fault::with(Fault::AclPassesEverything, || check(&snap, &params));
        assert_ne!(broken, exact, "a broken compiled ACL went unnoticed");
        assert_eq!(
            fault::with(Fault::AclPassesEverything, || check_exact(&snap, &params)),
            exact,
            "the exact side used compiled rules"
        );
    }
}
