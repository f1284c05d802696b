//! The fast path of [`check`](super::check): everything that makes it fast, in one place, and
//! nothing the exact side (`path`, `intent`, [`check_exact`](super::check_exact)) depends on.
//!
//! A pair's answer is a conjunction of hop answers, and each hop depends on little: the egress
//! hop on the workload's *list of groups* and the endpoint ENI, the route and the
//! workload-side ACL hops on the workload's *subnet* and the ENI, the endpoint-side ACL hops on
//! the ENI's subnet and the workload's *address*, the ingress hop on the endpoint's *groups
//! and ports* and the address. So:
//! - `compiled`: the snapshot's rules compiled for yes/no questions about single packets;
//! - `masks`: what those answers prove, as bit masks over an endpoint's ENIs kept per key; a
//!   pair proven reachable needs no hop;
//! - `hop_cache`: the hops of pairs not proven, each built once per key, proven by the
//!   compiled rules (`shortcut`) or, when they cannot prove it, by the exact builders of
//!   `path`;
//! - `rules`: the compiled rules of a VPC's workload groups and the peers R3 looks at.
//!
//! A mask bit may only say "proven allowed": a shortcut that cannot prove (an ACL entry
//! splitting a subnet, a missing group) leaves the bit clear and the exact hop decides.
//!
//! IPv6 (docs/spec.md section 12): a same-VPC interface pair that needs the IPv6 path (a
//! dual-stack workload of an endpoint answering AAAA, or an IPv6-only workload) gets its IPv6
//! hops from `hop_cache` too, after its IPv4 ones (`Evidence::Families`): the hops of
//! `path::interface6`, each built once per key as the IPv4 ones are (per workload, group list
//! or subnet, and per IPv6 target, an ENI address, instead of per ENI). No IPv6 rule is
//! compiled; instead `subnet6` proves a hop for a whole subnet's IPv6 blocks with the exact
//! evaluators (the workload-address hops for every workload of its subnet, the target-address
//! hops for every ENI address of the endpoint subnet), and only the hops it cannot prove are
//! built per workload or target. DNS64, unusable answers, unknown families and gateway pairs
//! that need IPv6 keep the exact trace (`Evidence::Traced`): their traces are short or rare.

mod compiled;
mod cross;
mod hop_cache;
mod masks;
mod rules;
mod shortcut;
mod subnet6;

pub(super) use compiled::Compiled;

use crate::endpoint::{Endpoint, EndpointKind};
use crate::family::{self, Family, Need};
use crate::intent::{self, IntentFacts, Reasons, Workload};
use crate::params::RuleParameters;
use crate::security_group::{Peer, RuleDirection};
use crate::snapshot::Snapshot;

use super::cross::{RemoteVerdict, RemoteVpc};
use super::findings::PairHops;
use super::ids::{
    DenseId, EndpointIdx, EniIdx, GroupIdx, GroupListIdx, SubnetIdx, Table, Target6Idx, WorkloadIdx,
};
use super::vpc::{EndpointFacts, Judge};
use super::workloads::VpcWorkloads;
use hop_cache::{EndpointNumbers, HopCache, HopSite, PairPlan, Target6};
use masks::{InterfaceMasks, ProvenHops, VpcAnswers};
use rules::WorkloadRules;

/// What the fast path knows of a pair's reach once it is judged (opaque outside `fast`).
pub(super) struct Reach(Evidence);

enum Evidence {
    /// Proven by the masks: ENIs proven reachable (others unproven, not necessarily blocked),
    /// and the hops proven, when already worked out.
    Proven {
        reached: usize,
        hops: Option<ProvenHops>,
    },
    /// The pair's hops are in the plan ([`VpcFast::plan`]).
    Planned,
    /// A same-VPC interface pair that needs the IPv6 path (with the IPv4 one or alone): both
    /// families' hops are in the plan, the IPv4 targets' then the IPv6 ones' (as the exact
    /// trace orders them), built once per key by `hop_cache`.
    Families,
    /// A same-VPC pair that needs DNS64, cannot use the endpoint's answers, lacks the data
    /// to say which families it needs, or goes to a gateway endpoint over IPv6: the exact
    /// trace decides it (its hops are few, or not modelled per key).
    /// Boxed: every pair's `Reach` carries an `Evidence`, which must stay small for the
    /// IPv4-only pairs that never need a trace.
    Traced(Box<crate::path::PairTrace>),
}

/// The fast path's state for one VPC: answers and hops remembered across its endpoints.
pub(super) struct VpcFast<'w> {
    snap: &'w Snapshot,
    params: &'w RuleParameters,
    compiled: &'w Compiled<'w>,
    rules: WorkloadRules<'w>,
    /// Answers the VPC's endpoints share.
    answers: VpcAnswers<'w>,
    hops: HopCache,
    /// The current pair's hops (one buffer for every pair).
    plan: PairPlan,
    numbering: Numbering<'w>,
    /// Pairs with workloads of other VPCs, by class (built at the first such pair).
    cross: Option<cross::CrossFast<'w>>,
    /// The route tables of the exact traces of pairs that need IPv6 (`Evidence::Traced`).
    lookups: crate::path::Lookups,
    /// Each workload's address families (`family::client`), as far as asked (empty until a
    /// pair may need IPv6).
    clients: Vec<Option<Result<family::Client, String>>>,
}

/// Endpoints and ENIs numbered so far, the port lists seen and the (groups, ports) seen, each
/// with the first endpoint that had it.
#[derive(Default)]
struct Numbering<'w> {
    /// Endpoints numbered so far.
    endpoints: usize,
    /// ENIs numbered so far.
    enis: usize,
    /// IPv6 targets (ENI addresses) numbered so far.
    targets6: usize,
    port_lists: Vec<(&'w [u16], EndpointIdx)>,
    ingress_lists: Vec<(IngressKey<'w>, EndpointIdx)>,
}

/// What an endpoint's ingress hops depend on: its groups and service ports.
type IngressKey<'w> = (&'w [String], &'w [u16]);

/// The fast path's state for one endpoint, for the duration of its pairs.
pub(super) struct EndpointFast<'w> {
    ep: &'w Endpoint<'w>,
    numbers: EndpointNumbers,
    /// What the endpoint's DNS answers (`family::interface_answers`), once asked.
    answers: Option<Result<family::Families, String>>,
    /// The first of its ENIs without IPv6 addresses (`family::endpoint_ipv6_gap`), once asked.
    ipv6_gap: Option<Option<String>>,
    /// The subnet of each of the endpoint's ENIs.
    eni_subnets: Vec<SubnetIdx>,
    /// The IPv6 targets of an interface endpoint that may answer AAAA (none for the others).
    targets6: Vec<Target6<'w>>,
    /// `None` for gateway endpoints, and interface endpoints with more ENIs than a mask holds.
    masks: Option<InterfaceMasks<'w>>,
    intent: IntentAnswers,
}

/// R3 and R4 as far as worked out, per key.
struct IntentAnswers {
    /// R3 per workload group (see [`targeting_groups`]).
    targets_by_group: Table<GroupIdx, Option<bool>>,
    /// R3 per group list.
    targets_by_list: Table<GroupListIdx, Option<bool>>,
    /// R3 by IPv6 per group list, for workloads with IPv6 addresses.
    targets6_by_list: Table<GroupListIdx, Option<bool>>,
    /// What an IPv6 egress rule names the endpoint by, once asked.
    ipv6_names: Option<Vec<ipnet::Ipv6Net>>,
    /// R2 by IPv6 per workload subnet, as far as the subnet's IPv6 blocks decide it.
    admits6_by_subnet:
        crate::fxhash::FxHashMap<SubnetIdx, (subnet6::Admits6, subnet6::SubnetBlocks)>,
    /// R4 per subnet.
    routed_by_subnet: Table<SubnetIdx, Option<bool>>,
}

impl<'w> VpcFast<'w> {
    /// The fast path for the VPC of `vw` and `endpoints`.
    pub(super) fn new(
        snap: &'w Snapshot,
        params: &'w RuleParameters,
        compiled: &'w Compiled<'w>,
        vw: &VpcWorkloads<'w>,
        endpoints: &[&Endpoint],
    ) -> Self {
        VpcFast {
            snap,
            params,
            compiled,
            rules: WorkloadRules::new(compiled, vw, endpoints),
            answers: VpcAnswers::new(compiled, vw),
            hops: HopCache::new(),
            plan: PairPlan::default(),
            numbering: Numbering::default(),
            cross: None,
            lookups: crate::path::Lookups::new(),
            clients: Vec::new(),
        }
    }

    /// Numbers the endpoint and its ENIs, and interns its ENIs' subnets (returned in ENI order).
    fn number(
        &mut self,
        vw: &mut VpcWorkloads<'w>,
        ep: &'w Endpoint<'w>,
    ) -> (EndpointNumbers, Vec<SubnetIdx>) {
        let eni_subnets = ep
            .enis
            .iter()
            .map(|eni| vw.subnets.id(eni.subnet_id.as_str()))
            .collect();
        let n = &mut self.numbering;
        let (no, first_eni) = (EndpointIdx::at(n.endpoints), EniIdx::at(n.enis));
        n.endpoints += 1;
        n.enis += ep.enis.len();
        let ports_ep = first_with(&mut n.port_lists, ep.ports.as_slice(), no);
        // An endpoint without groups is blamed itself: its ingress hops are its own.
        let ingress_ep = match ep.group_ids() {
            [] => no,
            groups => first_with(&mut n.ingress_lists, (groups, ep.ports.as_slice()), no),
        };
        let numbers = EndpointNumbers {
            ep: no,
            first_eni,
            ports_ep,
            ingress_ep,
        };
        (numbers, eni_subnets)
    }

    /// Puts the pair's hops from the cache into `self.plan`, leaving out those `known` proven
    /// (from `InterfaceMasks::judge`); no target when the endpoint is not available or
    /// (gateway) its prefix list is missing.
    fn plan(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
        known: Option<ProvenHops>,
    ) {
        self.plan.clear();
        if facts.stopped {
            return;
        }
        let ep = facts.ep;
        let site = self.site(vw, ep, state.numbers, &state.eni_subnets);
        match (ep.kind, ep.prefix_list) {
            (EndpointKind::Interface, _) => {
                // Pairs judged without the masks prove nothing; a refused ingress proves no hop
                // beyond, and those hops are worked out only now that the pair is required.
                let proven = known.or_else(|| {
                    state
                        .masks
                        .as_mut()
                        .map(|m| m.proven_hops(vw, &mut self.answers, w, false))
                });
                let proven = proven.unwrap_or_default();
                self.hops.interface(&site, w, proven, &mut self.plan);
            }
            (EndpointKind::Gateway, Some(pl)) => self.hops.gateway(&site, w, pl, &mut self.plan),
            (EndpointKind::Gateway, None) => {}
        }
    }
}

impl<'w> Judge<'w> for VpcFast<'w> {
    type Endpoint = EndpointFast<'w>;
    type Evidence = Reach;

    fn start_endpoint(
        &mut self,
        vw: &mut VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
    ) -> EndpointFast<'w> {
        let ep = facts.ep;
        let (numbers, eni_subnets) = self.number(vw, ep);
        let targets6 = match ep.kind {
            EndpointKind::Interface if !ep.ipv4_only => {
                let first = Target6Idx::at(self.numbering.targets6);
                let targets = hop_cache::targets6(self.snap, ep, vw, first);
                self.numbering.targets6 += targets.len();
                targets
            }
            _ => Vec::new(),
        };
        let masks = match ep.kind {
            EndpointKind::Interface => InterfaceMasks::new(
                self.compiled,
                ep,
                &eni_subnets,
                self.params.ephemeral_ports,
                vw,
                &mut self.answers,
            ),
            EndpointKind::Gateway => None,
        };
        EndpointFast {
            ep,
            numbers,
            answers: None,
            ipv6_gap: None,
            eni_subnets,
            targets6,
            masks,
            intent: IntentAnswers {
                targets_by_group: targeting_groups(&self.rules, vw, ep),
                targets_by_list: Table::filled(None, vw.group_lists.len()),
                targets6_by_list: Table::filled(None, vw.group_lists.len()),
                ipv6_names: None,
                admits6_by_subnet: Default::default(),
                routed_by_subnet: Table::filled(None, vw.subnets.len()),
            },
        }
    }

    fn judge(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
    ) -> (Reasons, Reach) {
        let (ep, workload) = (facts.ep, vw.list[w]);
        // R3 and R2 by IPv6 (a dual-stack workload, an endpoint with IPv6 ENI addresses) are
        // decided exactly; false without a lookup for every other pair.
        let targets = self.targets_endpoint(vw, ep, &mut state.intent, w)
            || self.targets_by_ipv6(vw, ep, &mut state.intent, w);
        let mut intent_facts = IntentFacts {
            targets,
            ..IntentFacts::default()
        };
        if !workload.ipv4 {
            return self.judge_ipv6_only(vw, facts, state, w, intent_facts);
        }
        let reach = match (ep.kind, state.masks.as_mut()) {
            (EndpointKind::Interface, Some(masks)) => {
                let proven = masks.judge(vw, &mut self.answers, w);
                intent_facts.admits = proven.admits;
                Reach(Evidence::Proven {
                    reached: proven.reached,
                    hops: proven.hops,
                })
            }
            (EndpointKind::Interface, None) => {
                intent_facts.admits = endpoint_admits(self.compiled, vw.list[w], ep);
                self.plan(vw, facts, state, w, None);
                Reach(Evidence::Planned)
            }
            (EndpointKind::Gateway, _) => {
                intent_facts.routed = routed(self.snap, vw, ep, &mut state.intent, w);
                self.plan(vw, facts, state, w, None);
                Reach(Evidence::Planned)
            }
        };
        intent_facts.admits =
            intent_facts.admits || self.admits_by_ipv6(vw, ep, &mut state.intent, w);
        // The gate is cheap for IPv4-only pairs (no IPv6 address, an `ipv4` endpoint), and
        // inline: `large` asks it for every pair.
        let reach = if facts.stopped || ipv4_pair(workload, ep) {
            reach
        } else {
            match self.need(vw, state, w) {
                Need::One(Family::V4) => reach,
                need => self.families(vw, facts, state, w, need, Some(reach)),
            }
        };
        intent_facts.zone = facts.zone;
        let reasons = intent::reasons_with(facts.required, ep.kind, intent_facts);
        (reasons, reach)
    }

    fn reached(&self, reach: &Reach) -> usize {
        match reach.0 {
            Evidence::Proven { reached, .. } => reached,
            Evidence::Planned | Evidence::Families => self.hops.passes(&self.plan),
            Evidence::Traced(ref trace) => trace.reached(),
        }
    }

    fn targets(&self, facts: &EndpointFacts<'w, '_>, reach: &Reach) -> usize {
        match reach.0 {
            Evidence::Traced(ref trace) => trace.targets.len(),
            Evidence::Families => self.plan.target_count(),
            _ => facts.targets,
        }
    }

    fn hops<'h>(
        &'h mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, 'h>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
        reach: &'h Reach,
    ) -> PairHops<'h> {
        match reach.0 {
            Evidence::Proven { hops, .. } => self.plan(vw, facts, state, w, hops),
            Evidence::Traced(ref trace) => return PairHops::of(trace),
            Evidence::Planned | Evidence::Families => {}
        }
        self.hops.view(facts.common, &self.plan)
    }

    fn remote(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        vpc: &RemoteVpc<'_, 'w>,
        out: &mut Vec<(RemoteVerdict, usize)>,
    ) {
        let (snap, params, compiled) = (self.snap, self.params, self.compiled);
        self.cross
            .get_or_insert_with(|| cross::CrossFast::new(snap, params, compiled))
            .remote(facts, vpc, out);
    }

    fn finish_remote(&mut self, on_path: &mut std::collections::BTreeMap<String, usize>) {
        if let Some(cross) = &mut self.cross {
            cross.finish(on_path);
        }
    }
}

impl<'w> VpcFast<'w> {
    /// The pair traced exactly, as `check_exact` decides it.
    fn traced(&self, workload: &Workload, ep: &Endpoint) -> Reach {
        let trace = crate::path::trace_quiet(self.snap, self.params, workload, ep, &self.lookups);
        Reach(Evidence::Traced(Box::new(trace)))
    }

    /// Which families a same-VPC pair needs (docs/spec.md V4, V10), as `check_exact` decides
    /// it, from the workload's families and the endpoint's answers, each worked out once.
    fn need(
        &mut self,
        vw: &VpcWorkloads<'w>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
    ) -> Need {
        let (workload, ep) = (vw.list[w], state.ep);
        if ipv4_pair(workload, ep) {
            return Need::One(Family::V4);
        }
        if self.clients.is_empty() {
            self.clients = vec![None; vw.list.len()];
        }
        let snap = self.snap;
        let client = self.clients[w.position()]
            .get_or_insert_with(|| family::client(snap, workload.eni))
            .clone();
        let answers = state
            .answers
            .get_or_insert_with(|| family::interface_answers(ep.raw))
            .clone();
        match ep.kind {
            EndpointKind::Interface => {
                let gap = &mut state.ipv6_gap;
                family::interface_need_of(client, answers, || {
                    gap.get_or_insert_with(|| family::endpoint_ipv6_gap(snap, ep.raw))
                        .clone()
                })
            }
            EndpointKind::Gateway => family::gateway_need_of(client, answers),
        }
    }

    /// The reach of a same-VPC pair that needs more than the IPv4 path (`need`, docs/spec.md
    /// V3, V10): an interface pair that needs the IPv6 path gets its IPv6 hops planned after
    /// the IPv4 ones (`v4`, from the masks or the plan, when it needs both); any other goes to
    /// the exact trace.
    fn families(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
        need: Need,
        v4: Option<Reach>,
    ) -> Reach {
        let (ep, workload) = (facts.ep, vw.list[w]);
        match (ep.kind, need, v4) {
            (EndpointKind::Interface, Need::Both, Some(Reach(v4))) => {
                match v4 {
                    Evidence::Proven { hops, .. } => self.plan(vw, facts, state, w, hops),
                    // Already in the plan.
                    Evidence::Planned => {}
                    Evidence::Families | Evidence::Traced(_) => return self.traced(workload, ep),
                }
            }
            (EndpointKind::Interface, Need::One(Family::V6), _) => self.plan.clear(),
            _ => return self.traced(workload, ep),
        }
        let site = self.site(vw, ep, state.numbers, &state.eni_subnets);
        self.hops
            .interface6(&site, w, &state.targets6, &mut self.plan);
        Reach(Evidence::Families)
    }

    /// Where the hop cache builds the endpoint's hops from (borrowing neither `self` nor
    /// the endpoint's masks, so the cache, the plan and the masks stay writable).
    fn site<'s>(
        &self,
        vw: &'s VpcWorkloads<'w>,
        ep: &'w Endpoint<'w>,
        numbers: EndpointNumbers,
        eni_subnets: &'s [SubnetIdx],
    ) -> HopSite<'s, 'w> {
        HopSite {
            snap: self.snap,
            params: self.params,
            compiled: self.compiled,
            vw,
            ep,
            numbers,
            eni_subnets,
        }
    }

    /// A pair of an IPv6-only workload (docs/spec.md V8): the compiled rules know IPv4
    /// addresses only, and the workload has none, so neither the masks nor the IPv4 hop plan
    /// see it (their answers are shared by workloads of one subnet or group list). R2 is
    /// decided exactly by its IPv6 address, R3 and R4 as for any workload, and its IPv6 hops
    /// are planned (or the pair traced: DNS64, no usable answer, gateway endpoints).
    fn judge_ipv6_only(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        state: &mut EndpointFast<'w>,
        w: WorkloadIdx,
        mut intent_facts: IntentFacts,
    ) -> (Reasons, Reach) {
        let (ep, workload) = (facts.ep, vw.list[w]);
        match ep.kind {
            EndpointKind::Interface => {
                intent_facts.admits = intent::endpoint_admits(self.snap, workload, ep);
            }
            EndpointKind::Gateway => {
                intent_facts.routed = routed(self.snap, vw, ep, &mut state.intent, w);
            }
        }
        intent_facts.zone = facts.zone;
        let reasons = intent::reasons_with(facts.required, ep.kind, intent_facts);
        let reach = match facts.stopped {
            true => self.traced(workload, ep),
            false => {
                let need = self.need(vw, state, w);
                self.families(vw, facts, state, w, need, None)
            }
        };
        (reasons, reach)
    }

    /// R3: one of the workload's groups targets the endpoint in its egress.
    /// R3 by IPv6 (`intent::targets_by_ipv6`), kept per group list: it depends on the workload
    /// only through its groups and whether it has IPv6 addresses. False without a lookup for
    /// a workload without IPv6 addresses or an `ipv4` endpoint.
    fn targets_by_ipv6(
        &self,
        vw: &VpcWorkloads<'w>,
        ep: &Endpoint,
        answers: &mut IntentAnswers,
        w: WorkloadIdx,
    ) -> bool {
        let workload = vw.list[w];
        if !intent::ipv6_intent(workload, ep) {
            return false;
        }
        let list = vw.group_list[w];
        if let Some(answer) = answers.targets6_by_list[list] {
            return answer;
        }
        let answer = intent::targets_by_ipv6_with(self.snap, workload, ep, &mut answers.ipv6_names);
        *answers.targets6_by_list[list].insert(answer)
    }

    /// R2 by IPv6 (`intent::admits_by_ipv6`): for a whole workload subnet when the endpoint's
    /// groups admit all of its IPv6 blocks or none of them (`subnet6::admits6`), else asked
    /// for the workload alone. False without a lookup for a workload without IPv6 addresses
    /// or an `ipv4` endpoint.
    fn admits_by_ipv6(
        &self,
        vw: &VpcWorkloads<'w>,
        ep: &Endpoint,
        answers: &mut IntentAnswers,
        w: WorkloadIdx,
    ) -> bool {
        let workload = vw.list[w];
        if !intent::ipv6_intent(workload, ep) {
            return false;
        }
        let snap = self.snap;
        let subnet = vw.subnet[w];
        let (by_subnet, blocks) = answers.admits6_by_subnet.entry(subnet).or_insert_with(|| {
            let blocks = subnet6::SubnetBlocks::of(snap, vw.subnets.value(subnet));
            (
                subnet6::admits6(snap, ep.group_ids(), &ep.ports, &blocks),
                blocks,
            )
        });
        let inside = workload.ip6().is_some_and(|a| blocks.hold(a));
        match by_subnet {
            subnet6::Admits6::Every if inside => true,
            subnet6::Admits6::None if inside => false,
            _ => intent::admits_by_ipv6(snap, workload, ep),
        }
    }

    fn targets_endpoint(
        &self,
        vw: &VpcWorkloads<'w>,
        ep: &Endpoint,
        answers: &mut IntentAnswers,
        w: WorkloadIdx,
    ) -> bool {
        let list = vw.group_list[w];
        if let Some(answer) = answers.targets_by_list[list] {
            return answer;
        }
        let mut answer = false;
        for &g in vw.group_lists.get(list) {
            let by_group = &mut answers.targets_by_group[g];
            answer |= *by_group.get_or_insert_with(|| {
                self.rules.egress_peers[g]
                    .iter()
                    .any(|p: &Peer| intent::peer_targets(p, ep))
            });
        }
        *answers.targets_by_list[list].insert(answer)
    }
}

/// An IPv4-only pair (the common case), told without a lookup: no IPv6 address on the
/// workload, an `ipv4` endpoint (docs/spec.md V10).
#[inline]
fn ipv4_pair(workload: &Workload, ep: &Endpoint) -> bool {
    workload.eni.ipv6_addresses.is_empty() && ep.ipv4_only
}

/// R4: the workload's route table routes the endpoint's prefix list to it.
fn routed(
    snap: &Snapshot,
    vw: &VpcWorkloads,
    ep: &Endpoint,
    answers: &mut IntentAnswers,
    w: WorkloadIdx,
) -> bool {
    let subnet = vw.subnet[w];
    let subnet_id = vw.subnets.value(subnet);
    *answers.routed_by_subnet[subnet]
        .get_or_insert_with(|| intent::routed_to_endpoint(snap, subnet_id, ep))
}

/// R2 from the compiled rules: the endpoint's groups admit the workload on at least one
/// service port (for endpoints the masks do not cover).
fn endpoint_admits(compiled: &Compiled, workload: &Workload, ep: &Endpoint) -> bool {
    let ip = u32::from(workload.ip);
    let groups = compiled.group_set(ep.group_ids());
    ep.ports
        .iter()
        .any(|&port| groups.allows(RuleDirection::Ingress, ip, port) == Some(true))
}

/// R3 per workload group, as far as group references decide it: `Some(true)` for the groups
/// whose egress names one of the endpoint's groups; the others' other peers are looked at
/// when asked.
fn targeting_groups(
    rules: &WorkloadRules,
    vw: &VpcWorkloads,
    ep: &Endpoint,
) -> Table<GroupIdx, Option<bool>> {
    let mut targets = Table::filled(None, vw.groups.len());
    for id in ep.group_ids() {
        for &g in rules
            .egress_refs
            .get(id.as_str())
            .map_or(&[][..], Vec::as_slice)
        {
            targets[g] = Some(true);
        }
    }
    targets
}

/// The first endpoint numbered with `value`, `no` (recorded) if none was.
fn first_with<T: PartialEq>(
    seen: &mut Vec<(T, EndpointIdx)>,
    value: T,
    no: EndpointIdx,
) -> EndpointIdx {
    match seen.iter().find(|(v, _)| *v == value) {
        Some(&(_, first)) => first,
        None => {
            seen.push((value, no));
            no
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compiled::fault::{self, Fault};
    use crate::check::{check, check_exact};
    use crate::params::RuleParameters;
    use crate::snapshot::{Snapshot, SnapshotBuilder};

    /// A synthetic account with every kind of misconfiguration (as the property tests use).
    fn account() -> Snapshot {
        let mut params = vpce_reach_synth::SynthParams::small().with_seed(1);
        params.misconfig_percent = 30;
        let mut b = SnapshotBuilder::new();
        for (name, doc) in vpce_reach_synth::generate(&params) {
            b.add_json(&name, &doc.to_string()).unwrap();
        }
        b.finish()
    }

    /// The comparison of `tests/fast_path.rs` (`check` == `check_exact`) holds on the account,
    /// and fails once the compiled rules answer `fault`'s way: the exact side does not share
    /// the broken answer.
    fn caught(fault: Fault) {
        let snap = account();
        let params = RuleParameters::from_pairs([("RequiredServices", "ssm,s3,logs")]).unwrap();
        let exact = check_exact(&snap, &params);
        assert_eq!(check(&snap, &params), exact, "the fast path is sound");
        let broken = fault::with(fault, || check(&snap, &params));
        assert_ne!(broken, exact, "{fault:?} went unnoticed");
        assert_eq!(
            fault::with(fault, || check_exact(&snap, &params)),
            exact,
            "the exact side used compiled rules"
        );
    }

    #[test]
    fn a_compiled_acl_passing_everything_is_caught() {
        caught(Fault::AclPassesEverything);
    }

    #[test]
    fn compiled_groups_allowing_everything_are_caught() {
        caught(Fault::GroupsAllowEverything);
    }
}
