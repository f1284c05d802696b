//! The pairs of one VPC: each endpoint against every workload, the reasons a pair is required
//! (R1-R4), how it fares, and the endpoint's own findings (R5, state, policy, DNS). How a pair
//! is decided is the [`Judge`]'s business: the exact one (`exact`) or the fast one (`fast`).

use crate::endpoint::{Endpoint, EndpointKind};
use crate::intent::{Reason, Reasons};
use crate::params::RuleParameters;
use crate::path::{self, Hop, HopKind, Outcome, Verdict};
use crate::snapshot::Snapshot;

use super::cross::{Remote, RemoteVerdict, RemoteVpc};
use super::findings::{self, EndpointTexts, PairHops};
use super::ids::{DenseId, WorkloadIdx};
use super::on_path::OnPath;
use super::pairs::{EndpointNo, WorkloadNo};
use super::workloads::VpcWorkloads;
use super::{MissingData, Report};

/// How the pairs of a VPC are decided: their reasons, and the hops of those that must be
/// explained. Both judges give the same answers (the property tests compare them).
pub(super) trait Judge<'w> {
    /// What the judge keeps for one endpoint's pairs.
    type Endpoint;
    /// What the judge knows of one pair's reach.
    type Evidence;

    /// Prepares the pairs of one endpoint.
    fn start_endpoint(
        &mut self,
        vw: &mut VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
    ) -> Self::Endpoint;

    /// The reasons workload `w` must reach the endpoint, and what is known of its reach.
    fn judge(
        &mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, '_>,
        state: &mut Self::Endpoint,
        w: WorkloadIdx,
    ) -> (Reasons, Self::Evidence);

    /// How many targets the pair reaches.
    fn reached(&self, evidence: &Self::Evidence) -> usize;

    /// How many targets the pair has: the endpoint's (`facts.targets`) unless its address
    /// families give it others (IPv6 addresses, DNS64 routes: docs/spec.md V10).
    fn targets(&self, facts: &EndpointFacts<'w, '_>, evidence: &Self::Evidence) -> usize;

    /// The pair's hops, for its findings (a required pair not proven reachable).
    fn hops<'h>(
        &'h mut self,
        vw: &VpcWorkloads<'w>,
        facts: &EndpointFacts<'w, 'h>,
        state: &mut Self::Endpoint,
        w: WorkloadIdx,
        evidence: &'h Self::Evidence,
    ) -> PairHops<'h>;

    /// The workloads of another VPC against the endpoint (issue 14), in `vpc.list`'s order,
    /// pushed on `out` (empty when called) as runs of consecutive workloads sharing a verdict
    /// (the verdict, how many): their reasons, whether they route to the endpoint, whether
    /// they are proven to reach every target. One call per (endpoint, VPC) lets the fast judge
    /// answer a VPC's workloads by class, and the check record a run of proven pairs at once.
    fn remote(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        vpc: &RemoteVpc<'_, 'w>,
        out: &mut Vec<(RemoteVerdict, usize)>,
    );

    /// Adds the path counts of the required cross-VPC pairs `remote` proved reachable (the
    /// judge counts them as it answers: the pairs recorded without a trace) to `on_path`.
    fn finish_remote(&mut self, _on_path: &mut std::collections::BTreeMap<String, usize>) {}
}

/// One VPC's workloads, its path counts, and the judge of its pairs.
pub(super) struct VpcCheck<'w, J> {
    snap: &'w Snapshot,
    params: &'w RuleParameters,
    vw: VpcWorkloads<'w>,
    on_path: OnPath<'w>,
    judge: J,
    /// The route tables the exact traces of cross-VPC pairs share (expanded once per check).
    lookups: &'w path::Lookups,
    /// The numbers of the VPC's workloads and of the cross-VPC candidates in the report.
    numbers: Numbers,
}

/// Where the report numbers workloads: the VPC's own from `local` (in `WorkloadIdx` order),
/// the cross-VPC candidates from `remote` (in `RemoteIdx` order).
#[derive(Clone, Copy)]
pub(super) struct Numbers {
    pub local: WorkloadNo,
    pub remote: WorkloadNo,
}

/// What every pair of one endpoint shares.
pub(super) struct EndpointFacts<'w, 'c> {
    pub ep: &'w Endpoint<'w>,
    /// The VPC whose workloads `common` is for: the endpoint's own, or (with DNS data) the VPC
    /// of the cross-VPC pairs being decided, whose DNS the DNS hops are decided from (D10).
    pub client_vpc: &'w str,
    /// The endpoint's own hops (state, policy, data, DNS).
    pub common: &'c [Hop],
    /// Every common hop lets traffic through.
    pub common_ok: bool,
    /// The endpoint is not available: its pairs have no target.
    pub stopped: bool,
    /// Targets of a pair: ENIs, or the prefix list.
    pub targets: usize,
    /// R1 holds for every pair.
    pub required: bool,
    /// R7 holds for every pair: a private hosted zone of the VPC resolves the service to the
    /// endpoint (`dns::zone_serving`, the function the exact judge calls too).
    pub zone: bool,
}

impl<'w, 'c> EndpointFacts<'w, 'c> {
    fn new(
        snap: &Snapshot,
        params: &RuleParameters,
        ep: &'w Endpoint<'w>,
        common: &'c [Hop],
    ) -> Self {
        EndpointFacts {
            ep,
            client_vpc: &ep.raw.vpc_id,
            common,
            common_ok: common.iter().all(|h| h.outcome == Outcome::Allowed),
            stopped: common
                .iter()
                .any(|h| h.kind == HopKind::EndpointState && h.outcome == Outcome::Blocked),
            targets: match ep.kind {
                EndpointKind::Interface => ep.enis.len(),
                EndpointKind::Gateway => usize::from(ep.prefix_list.is_some()),
            },
            required: params.requires(&ep.raw.service_name),
            zone: crate::dns::zone_serving(snap, &ep.raw.vpc_id, ep.raw).is_some(),
        }
    }
}

impl<'w> EndpointFacts<'w, '_> {
    /// The same facts for the workloads of another VPC, whose common hops are `common`; R7 is
    /// decided from that VPC (D10): `CrossVpc` found whether its zones resolve the service to
    /// the endpoint when it chose the candidates.
    fn for_client<'c>(
        &self,
        client: &RemoteVpc<'_, 'w>,
        common: &'c [Hop],
    ) -> EndpointFacts<'w, 'c> {
        EndpointFacts {
            client_vpc: client.vpc,
            common,
            common_ok: common.iter().all(|h| h.outcome == Outcome::Allowed),
            zone: client.zoned,
            ..*self
        }
    }
}

/// What an endpoint's pairs add up to.
#[derive(Default)]
struct Tally {
    any_reach: bool,
    admitted_any: bool,
    required: usize,
    /// The first workload that reaches none of the endpoint's targets without being proven
    /// blocked (missing data), and what is missing: R5 counts only workloads proven blocked.
    unproven: Option<String>,
}

impl<'w, J: Judge<'w>> VpcCheck<'w, J> {
    /// The VPC's check; `vw`: its workloads with their keys.
    pub(super) fn new(
        snap: &'w Snapshot,
        params: &'w RuleParameters,
        vw: VpcWorkloads<'w>,
        judge: J,
        lookups: &'w path::Lookups,
        numbers: Numbers,
    ) -> Self {
        let on_path = OnPath::new(snap, &vw);
        VpcCheck {
            snap,
            params,
            vw,
            on_path,
            judge,
            lookups,
            numbers,
        }
    }

    /// Every pair of one endpoint (its VPC's workloads, then `remote`: those of other VPCs tied
    /// to it by a link), then R5 and the endpoint-level findings.
    pub(super) fn check_endpoint(
        &mut self,
        ep: &'w Endpoint<'w>,
        remote: &[RemoteVpc<'_, 'w>],
        report: &mut Report,
    ) {
        let (snap, params) = (self.snap, self.params);
        if !ep.missing.is_empty() {
            report.missing.insert(MissingData {
                resource: ep.id().to_string(),
                what: ep.missing.join("; "),
            });
        }
        // A group of the endpoint the snapshot lacks may admit workloads (R2) that no pair
        // then checks: the endpoint cannot be proven compliant, even if some pairs reach it.
        for group in ep.group_ids() {
            if !snap.security_groups.contains_key(group) {
                report.missing.insert(MissingData {
                    resource: ep.id().to_string(),
                    what: format!(
                        "security group {group} (on {}) is not in the snapshot's \
                         describe-security-groups output",
                        ep.id()
                    ),
                });
            }
        }
        let common = path::endpoint_hops(snap, params, ep);
        let texts = EndpointTexts::new(ep);
        let ep_no = report.pairs.add_endpoint(std::sync::Arc::clone(&texts.id));
        let facts = EndpointFacts::new(snap, params, ep, &common);
        let mut state = self.judge.start_endpoint(&mut self.vw, &facts);
        let mut tally = Tally::default();
        let first_finding = report.findings.len();
        self.on_path.start_endpoint(snap, ep);
        for w in self.vw.workloads() {
            self.pair(&facts, &mut state, (&texts, ep_no), w, &mut tally, report);
        }
        let mut remotes = 0;
        let mut verdicts = Vec::new();
        // Whether some pair was judged with the endpoint's own DNS hops (`common`): its own
        // VPC's workloads, or (without DNS data) those of other VPCs.
        let mut own_dns = self.vw.len() > 0;
        for vpc in remote {
            // D10: with DNS data, the pairs of another VPC get DNS hops decided from that VPC,
            // built once per (endpoint, VPC) here for the fast judge (the exact trace builds
            // its own with the same constructor).
            let client_common = (!vpc.list.is_empty() && path::dns_from_client(snap, ep, vpc.vpc))
                .then(|| path::endpoint_hops_from(snap, params, ep, vpc.vpc));
            let client_facts = client_common
                .as_deref()
                .map(|common| facts.for_client(vpc, common));
            own_dns |= client_facts.is_none() && !vpc.list.is_empty();
            let facts = client_facts.as_ref().unwrap_or(&facts);
            verdicts.clear();
            self.judge.remote(facts, vpc, &mut verdicts);
            let mut list = vpc.list;
            for &(verdict, n) in &verdicts {
                let (run, rest) = list.split_at(n);
                list = rest;
                if self.proven_run(facts, ep_no, run, verdict, &mut tally, report) {
                    remotes += n;
                    continue;
                }
                for r in run {
                    let paired =
                        self.remote_pair(facts, (&texts, ep_no), r, verdict, &mut tally, report);
                    remotes += usize::from(paired);
                }
            }
        }
        self.on_path.finish_endpoint();
        // R5 counts the workloads of every VPC that routes to the endpoint (issue 14).
        let workloads = self.vw.len() + remotes;
        let mut own = Vec::new();
        if workloads > 0 && (tally.required > 0 || facts.required) {
            // The DNS hops of `common` are the endpoint's VPC's (D10): they concern the pairs
            // judged with them only; another VPC's DNS is that VPC's finding (`check::dns`).
            let endpoint_wide: Vec<Hop> = common
                .iter()
                .filter(|h| own_dns || !matches!(h.kind, HopKind::PrivateDns | HopKind::VpcDns))
                .cloned()
                .collect();
            own.extend(findings::endpoint_findings(&texts, &endpoint_wide));
        }
        // With ConsumerTag, a VPC without selected workloads has no consumer to reach the endpoint.
        let no_consumers = workloads == 0 && params.consumer_tag.is_some();
        if ep.kind == EndpointKind::Interface
            && ep.is_available()
            && ep.missing.is_empty()
            && !tally.any_reach
            && !no_consumers
        {
            let admitted_none = !tally.admitted_any && findings::ingress_readable(snap, ep);
            let r5 = findings::unreachable_findings(ep, admitted_none, workloads, remotes);
            match tally.unproven {
                // Missing data is never a blame: what R5 would blame is unproven instead.
                Some(why) => findings::unproven_r5(ep, &r5, &why, report),
                None => own.extend(r5),
            }
        }
        // The endpoint's own findings (no source) go before its pair findings (in workload
        // order): the report's final sort then finds one sorted run.
        own.sort_by(|a, b| (a.code, &a.component).cmp(&(b.code, &b.component)));
        report.findings.splice(first_finding..first_finding, own);
    }

    /// Adds the VPC's path counts to the report.
    pub(super) fn finish(mut self, report: &mut Report) {
        self.on_path.merge_into(&mut report.on_path);
        self.judge.finish_remote(&mut report.on_path);
    }

    /// A run of workloads of another VPC required to reach the endpoint and proven to reach
    /// every target, its common hops allowing: recorded at once, as `remote_pair` would one by
    /// one. False (nothing done) for any other verdict.
    fn proven_run(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        ep_no: EndpointNo,
        run: &[Remote<'w>],
        verdict: RemoteVerdict,
        tally: &mut Tally,
        report: &mut Report,
    ) -> bool {
        let Some(first) = run.first() else {
            return true;
        };
        if verdict.reasons.is_empty()
            || !verdict.proven
            || facts.stopped
            || facts.targets == 0
            || !facts.common_ok
        {
            return false;
        }
        tally.admitted_any |= verdict.reasons.contains(Reason::EndpointAdmits);
        tally.any_reach = true;
        tally.required += run.len();
        let first = self.numbers.remote.plus(first.idx.position());
        findings::record_reachable_run(
            (first, ep_no),
            run.len(),
            verdict.reasons,
            facts.targets,
            report,
        );
        true
    }

    /// One workload of another VPC against the endpoint: the judge's verdict, then, unless
    /// proven reachable, the exact path (`cross`). False when the pair does not exist (the
    /// workload neither routes to the endpoint nor must reach it).
    fn remote_pair(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        (texts, ep_no): (&EndpointTexts, EndpointNo),
        r: &Remote<'w>,
        verdict: RemoteVerdict,
        tally: &mut Tally,
        report: &mut Report,
    ) -> bool {
        let RemoteVerdict {
            reasons,
            routes,
            proven,
        } = verdict;
        if reasons.is_empty() && !routes {
            return false;
        }
        tally.admitted_any |= reasons.contains(Reason::EndpointAdmits);
        if reasons.is_empty() && (tally.any_reach || facts.ep.kind == EndpointKind::Gateway) {
            return true;
        }
        if proven && !facts.stopped && facts.targets > 0 {
            tally.any_reach = true;
            if reasons.is_empty() {
                return true;
            }
            // (With every common hop allowing, the pair was recorded in its run: `proven_run`.)
            // Every target proven reachable, but a common hop blocks (a spoke's DNS, D10; the
            // endpoint's policy): the pair is decided by its common hops, no trace needed (the
            // exact one would find every target hop allowed).
            if facts.common.iter().any(|h| h.outcome == Outcome::Blocked) {
                tally.required += 1;
                let hops = PairHops {
                    common: facts.common,
                    hops: Vec::new(),
                    ends: std::borrow::Cow::Owned(vec![0; facts.targets]),
                };
                let numbers = (self.numbers.remote.plus(r.idx.position()), ep_no);
                findings::record_pair(
                    self.snap,
                    (r.workload, &r.id),
                    numbers,
                    texts,
                    reasons,
                    &hops,
                    report,
                );
                return true;
            }
        }
        self.traced_remote_pair(facts, (texts, ep_no), r, reasons, tally, report);
        true
    }

    /// A cross-VPC pair not proven reachable, traced by the exact path.
    fn traced_remote_pair(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        (texts, ep_no): (&EndpointTexts, EndpointNo),
        r: &Remote<'w>,
        reasons: crate::intent::Reasons,
        tally: &mut Tally,
        report: &mut Report,
    ) {
        // The allowed hops' wording is never read here: the quiet trace skips it.
        let trace = path::trace_quiet(self.snap, self.params, r.workload, facts.ep, self.lookups);
        let reached = trace.reached();
        tally.any_reach |= reached > 0;
        // As for the VPC's own workloads: one unproven workload withholds R5. The hops are
        // built at most once, here or for the findings below.
        let mut hops = None;
        if reached == 0 && tally.unproven.is_none() {
            tally.unproven = hops
                .get_or_insert_with(|| PairHops::of(&trace))
                .unproven(&r.id);
        }
        if reasons.is_empty() {
            return;
        }
        tally.required += 1;
        // The usual path resources, and every component the link's hops name (the NACLs of
        // the TGW attachment subnets, the hub's route table of the reply, ...), each once.
        let mut resources = findings::path_resources(self.snap, r.workload, facts.ep);
        resources.extend(trace.hops().flat_map(|h| h.components.iter().map(|c| &**c)));
        resources.sort_unstable();
        resources.dedup();
        for resource in &resources {
            match report.on_path.get_mut(*resource) {
                Some(count) => *count += 1,
                None => {
                    report.on_path.insert(resource.to_string(), 1);
                }
            }
        }
        // An unproven pair leaves every resource on its path unproven, the link's ones too.
        if trace.verdict() == Verdict::Unknown {
            let what = format!("{} -> {} across VPCs cannot be proven", r.id, facts.ep.id());
            for resource in &resources {
                report.missing.insert(MissingData {
                    resource: resource.to_string(),
                    what: what.clone(),
                });
            }
        }
        let numbers = (self.numbers.remote.plus(r.idx.position()), ep_no);
        // The trace's own common hops (the exact ones, for the workload's VPC), not the facts'.
        let common_ok = trace.common.iter().all(|h| h.outcome == Outcome::Allowed);
        // The trace's own targets: a pair that needs both families has IPv4 and IPv6 ones
        // (docs/spec.md V3, V12), more than the endpoint's IPv4 count.
        let targets = trace.targets.len();
        if common_ok && targets > 0 && reached == targets {
            findings::record_reachable(numbers, reasons, targets, report);
            return;
        }
        let hops = hops.unwrap_or_else(|| PairHops::of(&trace));
        findings::record_pair(
            self.snap,
            (r.workload, &r.id),
            numbers,
            texts,
            reasons,
            &hops,
            report,
        );
    }

    /// One workload against the endpoint.
    fn pair(
        &mut self,
        facts: &EndpointFacts<'w, '_>,
        state: &mut J::Endpoint,
        (texts, ep_no): (&EndpointTexts, EndpointNo),
        w: WorkloadIdx,
        tally: &mut Tally,
        report: &mut Report,
    ) {
        let (reasons, evidence) = self.judge.judge(&self.vw, facts, state, w);
        tally.admitted_any |= reasons.contains(Reason::EndpointAdmits);
        // A pair nobody requires matters only for R5, and only until one workload gets through.
        if reasons.is_empty() && (tally.any_reach || facts.ep.kind == EndpointKind::Gateway) {
            return;
        }
        let reached = self.judge.reached(&evidence);
        // Network reach: state, policy and DNS problems are reported on their own.
        tally.any_reach |= reached > 0;
        if reasons.is_empty() {
            // R5 needs to know whether a workload that reaches nothing is proven blocked; one
            // unproven workload is enough to withhold it.
            if reached == 0 && tally.unproven.is_none() {
                let hops = self.judge.hops(&self.vw, facts, state, w, &evidence);
                tally.any_reach |= hops.reached() > 0;
                tally.unproven = hops.unproven(&self.vw.ids[w]);
            }
            return;
        }
        tally.required += 1;
        self.on_path.add(&self.vw, w);
        let workload = (self.vw.list[w], &self.vw.ids[w]);
        let numbers = (self.numbers.local.plus(w.position()), ep_no);
        let targets = self.judge.targets(facts, &evidence);
        if facts.common_ok && targets > 0 && reached == targets {
            findings::record_reachable(numbers, reasons, targets, report);
            return;
        }
        let hops = self.judge.hops(&self.vw, facts, state, w, &evidence);
        tally.any_reach |= hops.reached() > 0;
        if tally.unproven.is_none() {
            tally.unproven = hops.unproven(&self.vw.ids[w]);
        }
        findings::record_pair(self.snap, workload, numbers, texts, reasons, &hops, report);
    }
}
