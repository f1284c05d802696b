//! The pairs of one VPC: each endpoint against every workload, the reasons a pair is required
//! (R1-R4), how it fares, and the endpoint's own findings (R5, state, policy, DNS).

use crate::compiled::Compiled;
use crate::endpoint::{Endpoint, EndpointKind};
use crate::intent::{self, IntentFacts, Reason, Reasons, Workload};
use crate::params::RuleParameters;
use crate::path::{self, Hop, HopKind, Outcome, PairTrace};
use crate::snapshot::Snapshot;

use super::findings::{self, EndpointWords, PairHops};
use super::hop_cache::{EndpointNumbers, HopCache, PairPlan, Site};
use super::masks::{Factors, InterfaceMasks, VpcAnswers};
use super::on_path::OnPath;
use super::workloads::VpcWorkloads;
use super::{MissingData, Mode, Report};

/// One VPC's workloads and everything remembered across its endpoints.
pub(super) struct VpcCheck<'w> {
    snap: &'w Snapshot,
    params: &'w RuleParameters,
    compiled: &'w Compiled<'w>,
    mode: Mode,
    vw: VpcWorkloads<'w>,
    /// Answers the VPC's endpoints share.
    shared: VpcAnswers<'w>,
    hops: HopCache,
    /// The current pair's hops (one buffer for every pair).
    plan: PairPlan,
    on_path: OnPath<'w>,
    /// Endpoints and ENIs numbered so far, the port lists seen and the (groups, ports) seen,
    /// each with the first endpoint that had it.
    endpoints: u32,
    enis: u32,
    port_lists: Vec<(&'w [u16], u32)>,
    ingress_lists: Vec<(IngressKey<'w>, u32)>,
}

/// What an endpoint's ingress hops depend on: its groups and service ports.
type IngressKey<'w> = (&'w [String], &'w [u16]);

/// How one pair's reach was established.
enum Evidence {
    /// The masks: ENIs proven reachable (others unproven, not necessarily blocked), and the
    /// hops proven when already worked out.
    Proven(usize, Option<Factors>),
    /// Hops from the cache, in `VpcCheck::plan`.
    Planned,
    /// An exact trace ([`Mode::Exact`]).
    Traced(PairTrace),
}

/// What an endpoint's pairs add up to.
#[derive(Default)]
struct Tally {
    any_reach: bool,
    admitted_any: bool,
    required: usize,
}

impl<'w> VpcCheck<'w> {
    pub(super) fn new(
        snap: &'w Snapshot,
        params: &'w RuleParameters,
        compiled: &'w Compiled<'w>,
        mode: Mode,
        workloads: &[&'w Workload<'w>],
        endpoints: &[&Endpoint],
    ) -> Self {
        let vw = VpcWorkloads::new(snap, compiled, workloads, endpoints);
        let on_path = OnPath::new(snap, &vw);
        VpcCheck {
            snap,
            params,
            compiled,
            mode,
            vw,
            shared: VpcAnswers::new(),
            hops: HopCache::new(),
            plan: PairPlan::default(),
            on_path,
            endpoints: 0,
            enis: 0,
            port_lists: Vec::new(),
            ingress_lists: Vec::new(),
        }
    }

    /// Every pair of one endpoint, then R5 and the endpoint-level findings.
    pub(super) fn check_endpoint(&mut self, ep: &'w Endpoint<'w>, report: &mut Report) {
        let (snap, params) = (self.snap, self.params);
        if !ep.missing.is_empty() {
            report.missing.insert(MissingData {
                resource: ep.id().to_string(),
                what: ep.missing.join("; "),
            });
        }
        let common = path::endpoint_hops(snap, params, ep);
        let words = EndpointWords::new(ep);
        let (numbers, eni_subnets) = self.number(ep);
        let mut pairs = EndpointPairs::new(self, ep, &common, numbers, eni_subnets);
        let mut tally = Tally::default();
        let first_finding = report.findings.len();
        self.on_path.start_endpoint(snap, ep);
        for w in 0..self.vw.len() {
            self.pair(&mut pairs, &words, w, &mut tally, report);
        }
        self.on_path.finish_endpoint();
        let workloads = self.vw.len();
        let mut own = Vec::new();
        if workloads > 0 && (tally.required > 0 || params.requires(&ep.raw.service_name)) {
            own.extend(findings::endpoint_findings(&words, &common));
        }
        // With ConsumerTag, a VPC without selected workloads has no consumer to reach the endpoint.
        let no_consumers = workloads == 0 && params.consumer_tag.is_some();
        if ep.kind == EndpointKind::Interface
            && ep.is_available()
            && ep.missing.is_empty()
            && !tally.any_reach
            && !no_consumers
        {
            own.extend(findings::unreachable_findings(
                ep,
                tally.admitted_any,
                workloads,
            ));
        }
        // The endpoint's own findings (no source) go before its pair findings (in workload
        // order): the report's final sort then finds one sorted run.
        own.sort_by(|a, b| (a.code, &a.component).cmp(&(b.code, &b.component)));
        report.findings.splice(first_finding..first_finding, own);
    }

    /// Adds the VPC's path counts to the report.
    pub(super) fn finish(self, report: &mut Report) {
        self.on_path.merge_into(&mut report.on_path);
    }

    /// Numbers the endpoint and its ENIs, and interns its ENIs' subnets (returned in ENI order).
    fn number(&mut self, ep: &'w Endpoint<'w>) -> (EndpointNumbers, Vec<u32>) {
        let eni_subnets = ep
            .enis
            .iter()
            .map(|eni| self.vw.subnets.id(eni.subnet_id.as_str()))
            .collect();
        let (no, first_eni) = (self.endpoints, self.enis);
        self.endpoints += 1;
        self.enis += ep.enis.len() as u32;
        let ports_ep = first_with(&mut self.port_lists, ep.ports.as_slice(), no);
        // An endpoint without groups is blamed itself: its ingress hops are its own.
        let ingress_ep = match ep.group_ids() {
            [] => no,
            groups => first_with(&mut self.ingress_lists, (groups, ep.ports.as_slice()), no),
        };
        (
            EndpointNumbers {
                ep: no,
                first_eni,
                ports_ep,
                ingress_ep,
            },
            eni_subnets,
        )
    }

    /// One workload against the endpoint.
    fn pair(
        &mut self,
        pairs: &mut EndpointPairs<'w, '_>,
        words: &EndpointWords,
        w: usize,
        tally: &mut Tally,
        report: &mut Report,
    ) {
        let ep = pairs.ep;
        let (reasons, evidence) = self.judge(pairs, w);
        tally.admitted_any |= reasons.contains(Reason::EndpointAdmits);
        // A pair nobody requires matters only for R5, and only until one workload gets through.
        if reasons.is_empty() && (tally.any_reach || ep.kind == EndpointKind::Gateway) {
            return;
        }
        let reached = match &evidence {
            Evidence::Proven(n, _) => *n,
            Evidence::Planned => self.hops.passes(&self.plan),
            Evidence::Traced(trace) => trace.reached(),
        };
        // Network reach: state, policy and DNS problems are reported on their own.
        tally.any_reach |= reached > 0;
        if reasons.is_empty() {
            return;
        }
        tally.required += 1;
        self.on_path.add(&self.vw, w);
        if pairs.common_ok && pairs.targets > 0 && reached == pairs.targets {
            findings::record_reachable(&self.vw.ids[w], words, reasons, pairs.targets, report);
            return;
        }
        let snap = self.snap;
        match evidence {
            Evidence::Traced(trace) => {
                let hops = PairHops::of(&trace);
                tally.any_reach |= hops.reached() > 0;
                return findings::record_pair(
                    snap,
                    (self.vw.list[w], &self.vw.ids[w]),
                    words,
                    reasons,
                    &hops,
                    report,
                );
            }
            Evidence::Planned => {}
            Evidence::Proven(_, factors) => self.plan(pairs, w, factors),
        }
        let hops = self.hops.view(pairs.common, &self.plan);
        tally.any_reach |= hops.reached() > 0;
        findings::record_pair(
            snap,
            (self.vw.list[w], &self.vw.ids[w]),
            words,
            reasons,
            &hops,
            report,
        );
    }

    /// The pair's reasons and what is known of its reach.
    fn judge(&mut self, pairs: &mut EndpointPairs<'w, '_>, w: usize) -> (Reasons, Evidence) {
        let (ep, workload) = (pairs.ep, self.vw.list[w]);
        if self.mode == Mode::Exact {
            let reasons = intent::reasons(self.snap, self.params, self.compiled, workload, ep);
            return (
                reasons,
                Evidence::Traced(path::trace(self.snap, self.params, workload, ep)),
            );
        }
        let mut facts = IntentFacts {
            targets: pairs.targets_endpoint(&self.vw, w),
            ..IntentFacts::default()
        };
        let evidence = match (ep.kind, pairs.masks.as_mut()) {
            (EndpointKind::Interface, Some(masks)) => {
                let proven = masks.judge(&self.vw, &mut self.shared, w);
                facts.admits = proven.admits;
                Evidence::Proven(proven.reached, proven.factors)
            }
            (EndpointKind::Interface, None) => {
                facts.admits = intent::endpoint_admits(self.compiled, workload, ep);
                self.plan(pairs, w, None);
                Evidence::Planned
            }
            (EndpointKind::Gateway, _) => {
                facts.routed = pairs.routed(&self.vw, w);
                self.plan(pairs, w, None);
                Evidence::Planned
            }
        };
        (
            intent::reasons_with(pairs.required, ep.kind, facts),
            evidence,
        )
    }

    /// Puts the pair's hops from the cache into `self.plan`, leaving out those `known` proven
    /// (from `InterfaceMasks::judge`); no target when the endpoint is not available or
    /// (gateway) its prefix list is missing.
    fn plan(&mut self, pairs: &mut EndpointPairs<'w, '_>, w: usize, known: Option<Factors>) {
        self.plan.clear();
        if pairs.stopped {
            return;
        }
        let ep = pairs.ep;
        let site = Site {
            snap: self.snap,
            params: self.params,
            compiled: self.compiled,
            vw: &self.vw,
            ep,
            numbers: pairs.numbers,
            eni_subnets: &pairs.eni_subnets,
        };
        match (ep.kind, ep.prefix_list) {
            (EndpointKind::Interface, _) => {
                // Pairs judged without the masks prove nothing; a refused ingress proves no hop
                // beyond, and those hops are worked out only now that the pair is required.
                let proven = known.or_else(|| {
                    pairs
                        .masks
                        .as_mut()
                        .map(|m| m.factors(&self.vw, &mut self.shared, w, false))
                });
                let proven = proven.unwrap_or_default();
                self.hops.interface(&site, w, proven, &mut self.plan);
            }
            (EndpointKind::Gateway, Some(pl)) => self.hops.gateway(&site, w, pl, &mut self.plan),
            (EndpointKind::Gateway, None) => {}
        }
    }
}

/// R3 per workload group, as far as group references decide it: `Some(true)` for the groups
/// whose egress names one of the endpoint's groups; the others' other peers are looked at
/// when asked.
fn targeting_groups(vw: &VpcWorkloads, ep: &Endpoint) -> Vec<Option<bool>> {
    let mut targets = vec![None; vw.groups.len()];
    for id in ep.group_ids() {
        for &g in vw
            .egress_refs
            .get(id.as_str())
            .map_or(&[][..], Vec::as_slice)
        {
            targets[g as usize] = Some(true);
        }
    }
    targets
}

/// The first endpoint numbered with `value`, `no` (recorded) if none was.
fn first_with<T: PartialEq>(seen: &mut Vec<(T, u32)>, value: T, no: u32) -> u32 {
    match seen.iter().find(|(v, _)| *v == value) {
        Some(&(_, first)) => first,
        None => {
            seen.push((value, no));
            no
        }
    }
}

/// One endpoint's facts and per-key answers, for the duration of its pairs.
struct EndpointPairs<'w, 'c> {
    snap: &'w Snapshot,
    ep: &'w Endpoint<'w>,
    common: &'c [Hop],
    /// Every common hop lets traffic through.
    common_ok: bool,
    /// The endpoint is not available: its pairs have no target.
    stopped: bool,
    /// Targets of a pair: ENIs, or the prefix list.
    targets: usize,
    /// R1 holds for every pair.
    required: bool,
    numbers: EndpointNumbers,
    /// The subnet id of each of the endpoint's ENIs.
    eni_subnets: Vec<u32>,
    masks: Option<InterfaceMasks<'w>>,
    /// R3 per group (see `targeting_groups`) and per group list; R4 per subnet.
    targets_by_group: Vec<Option<bool>>,
    targets_by_list: Vec<Option<bool>>,
    routed_by_subnet: Vec<Option<bool>>,
}

impl<'w, 'c> EndpointPairs<'w, 'c> {
    fn new(
        vpc: &mut VpcCheck<'w>,
        ep: &'w Endpoint<'w>,
        common: &'c [Hop],
        numbers: EndpointNumbers,
        eni_subnets: Vec<u32>,
    ) -> Self {
        let masks = match (vpc.mode, ep.kind) {
            (Mode::Fast, EndpointKind::Interface) => InterfaceMasks::new(
                vpc.compiled,
                ep,
                &eni_subnets,
                vpc.params.ephemeral_ports,
                &vpc.vw,
                &mut vpc.shared,
            ),
            _ => None,
        };
        EndpointPairs {
            snap: vpc.snap,
            ep,
            common,
            common_ok: common.iter().all(|h| h.outcome == Outcome::Allowed),
            stopped: common
                .iter()
                .any(|h| h.kind == HopKind::EndpointState && h.outcome == Outcome::Blocked),
            targets: match ep.kind {
                EndpointKind::Interface => ep.enis.len(),
                EndpointKind::Gateway => usize::from(ep.prefix_list.is_some()),
            },
            required: vpc.params.requires(&ep.raw.service_name),
            numbers,
            eni_subnets,
            masks,
            targets_by_group: targeting_groups(&vpc.vw, ep),
            targets_by_list: vec![None; vpc.vw.group_lists.len()],
            routed_by_subnet: vec![None; vpc.vw.subnets.len()],
        }
    }

    /// R3: one of the workload's groups targets the endpoint in its egress.
    fn targets_endpoint(&mut self, vw: &VpcWorkloads<'w>, w: usize) -> bool {
        let list = vw.group_list[w] as usize;
        if let Some(answer) = self.targets_by_list[list] {
            return answer;
        }
        let mut answer = false;
        for &g in vw.group_lists.get(list) {
            let by_group = &mut self.targets_by_group[g as usize];
            answer |= *by_group.get_or_insert_with(|| {
                vw.egress_peers[g as usize]
                    .iter()
                    .any(|p| intent::peer_targets(p, self.ep))
            });
        }
        *self.targets_by_list[list].insert(answer)
    }

    /// R4: the workload's route table routes the endpoint's prefix list to it.
    fn routed(&mut self, vw: &VpcWorkloads<'w>, w: usize) -> bool {
        let subnet = vw.subnet[w];
        let subnet_id = vw.subnets.value(subnet);
        *self.routed_by_subnet[subnet as usize]
            .get_or_insert_with(|| intent::routed_to_endpoint(self.snap, subnet_id, self.ep))
    }
}
