//! The whole-snapshot check: every workload/endpoint pair of every VPC, the intent rules
//! R1-R6, and the findings (SPEC sections 3 and 4).

use std::collections::{BTreeMap, BTreeSet};

use crate::fxhash::FxHashMap as HashMap;

use crate::compiled::{Compiled, FastPath};
use crate::endpoint::{Endpoint, EndpointKind};
use crate::finding::{Direction, Finding, FindingCode};
use crate::intent::{self, Reason, Workload};
use crate::params::{service_matches, RuleParameters};
use crate::path::{self, HopKind, Outcome, PairTrace, Verdict};
use crate::prefix_list;
use crate::security_group::{self, RuleDirection};
use crate::snapshot::Snapshot;
use crate::space::{AddrRange, Region};

/// A required pair and how it fared.
#[derive(Debug, Clone)]
pub struct PairResult {
    /// The workload ENI.
    pub workload: String,
    /// The endpoint.
    pub endpoint: String,
    /// Why the pair must work.
    pub reasons: Vec<Reason>,
    /// The verdict.
    pub verdict: Verdict,
    /// Targets (ENIs, or the prefix list) fully reachable.
    pub reached: usize,
    /// Targets in all.
    pub targets: usize,
}

/// Data a verdict needed but the snapshot lacks, and the resource whose verdict it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingData {
    /// The resource that cannot be declared compliant.
    pub resource: String,
    /// What is missing.
    pub what: String,
}

/// Everything `check` concluded.
#[derive(Debug, Default)]
pub struct Report {
    /// The blocking components, in a stable order.
    pub findings: Vec<Finding>,
    /// Every required pair.
    pub pairs: Vec<PairResult>,
    /// Resources on the path of a required pair (SPEC section 5), with how many such pairs.
    pub on_path: BTreeMap<String, usize>,
    /// Gaps in the snapshot that kept a verdict from being proven.
    pub missing: BTreeSet<MissingData>,
    /// Remarks for people (unchecked DNS attributes, skipped endpoint kinds).
    pub notes: Vec<String>,
    /// How many workloads were considered.
    pub workload_count: usize,
}

/// Checks every pair of the snapshot.
pub fn check(snap: &Snapshot, params: &RuleParameters) -> Report {
    let workloads = intent::workloads(snap, params);
    let mut by_vpc: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
    for w in &workloads {
        by_vpc.entry(w.eni.vpc_id.as_str()).or_default().push(w);
    }
    let mut report = Report { workload_count: workloads.len(), ..Report::default() };
    let mut endpoints = Vec::new();
    for raw in snap.vpc_endpoints.values() {
        match Endpoint::resolve(snap, raw, params) {
            Some(ep) => endpoints.push(ep),
            None if !crate::endpoint::is_gone(raw) => report
                .notes
                .push(format!("{}: {} endpoints are not modelled, skipped", raw.vpc_endpoint_id, raw.vpc_endpoint_type)),
            None => {}
        }
    }
    let cx = CheckCtx { snap, params, fast: Compiled::new(snap) };
    let mut fast = FastPath::new(&cx.fast, params.ephemeral_ports);
    for ep in &endpoints {
        let vpc_workloads = by_vpc.get(ep.raw.vpc_id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        check_endpoint(&cx, &mut fast, ep, vpc_workloads, &mut report);
    }
    missing_services(params, &by_vpc, &endpoints, &mut report);
    dns_notes(snap, &endpoints, &mut report);
    report.findings.sort_by(|a, b| finding_key(a).cmp(&finding_key(b)));
    report
}

fn finding_key(f: &Finding) -> (Option<&String>, Option<&String>, FindingCode, &String) {
    (f.endpoint.as_ref(), f.source.as_ref(), f.code, &f.component)
}

/// Every pair of one endpoint, then R5 and the endpoint-level findings.
///
/// Pairs the compiled fast path proves reachable are recorded without a trace; every other
/// pair gets the full, explained trace its findings come from.
fn check_endpoint<'a, 'w>(
    cx: &'w CheckCtx<'a>,
    fast: &mut FastPath<'a, 'w>,
    ep: &'w Endpoint<'a>,
    workloads: &[&'w Workload<'a>],
    report: &mut Report,
) {
    let (snap, params) = (cx.snap, cx.params);
    if !ep.missing.is_empty() {
        report.missing.insert(MissingData { resource: ep.id().to_string(), what: ep.missing.join("; ") });
    }
    let common = path::endpoint_hops(snap, params, ep);
    let common_ok = common.iter().all(|h| h.outcome == Outcome::Allowed);
    let targets = match ep.kind {
        EndpointKind::Interface => ep.enis.len(),
        EndpointKind::Gateway => usize::from(ep.prefix_list.is_some()),
    };
    let mut gateway = GatewayMemo::default();
    let mut on_path = PathCounter::new(snap, ep);
    let (mut any_reach, mut admitted_any, mut required_pairs) = (false, false, 0);
    for w in workloads {
        let reasons = fast.reasons(params, w, ep);
        admitted_any |= reasons.contains(&Reason::EndpointAdmits);
        // A pair nobody requires matters only for R5, and only until one workload gets through.
        if reasons.is_empty() && (any_reach || ep.kind == EndpointKind::Gateway) {
            continue;
        }
        let reached = match ep.kind {
            EndpointKind::Interface => fast.interface_reached(w, ep),
            EndpointKind::Gateway => gateway.reached(snap, params, w, ep),
        };
        // Network reach: state, policy and DNS problems are reported on their own.
        any_reach |= reached.is_some_and(|n| n > 0);
        if reasons.is_empty() {
            continue;
        }
        required_pairs += 1;
        on_path.add(snap, w);
        if common_ok && targets > 0 && reached == Some(targets) {
            record_reachable(w, ep, reasons, targets, report);
        } else {
            let trace = path::trace_with(snap, params, w, ep, common.clone(), Some(&cx.fast));
            any_reach |= trace.reached() > 0;
            record_pair(snap, w, ep, reasons, &trace, report);
        }
    }
    on_path.merge_into(&mut report.on_path);
    if required_pairs > 0 || params.requires(&ep.raw.service_name) {
        endpoint_findings(snap, params, ep, workloads, report);
    }
    // With ConsumerTag, a VPC without selected workloads has no consumer to reach the endpoint.
    let no_consumers = workloads.is_empty() && params.consumer_tag.is_some();
    if ep.kind == EndpointKind::Interface && ep.is_available() && ep.missing.is_empty() && !any_reach && !no_consumers {
        report.findings.extend(unreachable_findings(ep, admitted_any, workloads.len()));
    }
}

/// What `check` shares across endpoints.
struct CheckCtx<'a> {
    snap: &'a Snapshot,
    params: &'a RuleParameters,
    fast: Compiled<'a>,
}

/// Gateway endpoint verdicts, remembered per workload subnet (route and ACL hops depend only
/// on it) and per security-group set (the egress hop depends only on it).
#[derive(Default)]
struct GatewayMemo<'w> {
    forward: Option<Region>,
    by_subnet: HashMap<&'w str, Outcome>,
    by_groups: HashMap<&'w [String], Outcome>,
}

impl<'w> GatewayMemo<'w> {
    /// `Some(1)` reachable, `Some(0)` blocked, `None` unproven.
    fn reached(&mut self, snap: &Snapshot, params: &RuleParameters, w: &'w Workload, ep: &Endpoint) -> Option<usize> {
        let pl = ep.prefix_list?;
        let forward = self.forward.get_or_insert_with(|| {
            let ranges: Vec<AddrRange> = prefix_list::ipv4_ranges(pl).collect();
            path::service_region(&ranges, &ep.ports)
        });
        let groups = *self.by_groups.entry(w.groups.as_slice()).or_insert_with(|| {
            let verdict = security_group::evaluate(snap, &w.groups, RuleDirection::Egress, forward);
            match (verdict.allows(), verdict.missing.is_empty()) {
                (true, _) => Outcome::Allowed,
                (false, true) => Outcome::Blocked,
                (false, false) => Outcome::Unknown,
            }
        });
        let subnet = match self.by_subnet.get(w.eni.subnet_id.as_str()) {
            Some(outcome) => *outcome,
            None => {
                let outcome = subnet_outcome(snap, params, w, ep);
                self.by_subnet.insert(&w.eni.subnet_id, outcome);
                outcome
            }
        };
        match worst(subnet, groups) {
            Outcome::Blocked => Some(0),
            Outcome::Unknown => None,
            _ => Some(1),
        }
    }
}

/// The route and ACL hops of a gateway pair, which depend on the workload's subnet only.
fn subnet_outcome(snap: &Snapshot, params: &RuleParameters, w: &Workload, ep: &Endpoint) -> Outcome {
    let trace = path::trace(snap, params, w, ep);
    let hops = trace.targets.iter().flat_map(|t| t.hops.iter()).filter(|h| h.kind != HopKind::SecurityGroupEgress);
    hops.fold(Outcome::Allowed, |acc, h| worst(acc, h.outcome))
}

/// Blocked beats unknown beats allowed.
fn worst(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Blocked => 2,
        Outcome::Unknown => 1,
        Outcome::Allowed | Outcome::NotCrossed => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Adds a required pair the fast path proved reachable.
fn record_reachable(w: &Workload, ep: &Endpoint, reasons: Vec<Reason>, targets: usize, report: &mut Report) {
    report.pairs.push(PairResult {
        workload: w.id().to_string(),
        endpoint: ep.id().to_string(),
        reasons,
        verdict: Verdict::Reachable,
        reached: targets,
        targets,
    });
}

/// Counts, for one endpoint, how many required pairs each resource is on. The endpoint's own
/// side (itself, its VPC, groups, and its subnets' ACLs and tables) is on every pair; only the
/// workload's side (its groups, its subnet's ACL and table) is counted pair by pair.
struct PathCounter<'w> {
    endpoint_side: Vec<&'w str>,
    pairs: usize,
    workload_side: HashMap<&'w str, usize>,
}

impl<'w> PathCounter<'w> {
    fn new(snap: &'w Snapshot, ep: &'w Endpoint) -> Self {
        let mut endpoint_side: Vec<&str> = vec![ep.id(), ep.raw.vpc_id.as_str()];
        endpoint_side.extend(ep.group_ids().iter().map(String::as_str));
        for eni in &ep.enis {
            endpoint_side.extend(subnet_resources(snap, &eni.subnet_id));
        }
        endpoint_side.sort_unstable();
        endpoint_side.dedup();
        PathCounter { endpoint_side, pairs: 0, workload_side: HashMap::default() }
    }

    fn add(&mut self, snap: &'w Snapshot, w: &'w Workload) {
        self.pairs += 1;
        let mut mine: Vec<&str> = w.groups.iter().map(String::as_str).collect();
        mine.extend(subnet_resources(snap, &w.eni.subnet_id));
        mine.sort_unstable();
        mine.dedup();
        for resource in mine.into_iter().filter(|r| !self.endpoint_side.contains(r)) {
            *self.workload_side.entry(resource).or_default() += 1;
        }
    }

    fn merge_into(self, on_path: &mut BTreeMap<String, usize>) {
        if self.pairs == 0 {
            return;
        }
        let endpoint_side = self.endpoint_side.into_iter().map(|r| (r, self.pairs));
        for (resource, n) in endpoint_side.chain(self.workload_side) {
            *on_path.entry(resource.to_string()).or_default() += n;
        }
    }
}

/// The ACL and route table a subnet uses.
fn subnet_resources<'w>(snap: &'w Snapshot, subnet: &str) -> impl Iterator<Item = &'w str> {
    let acl = snap.index.subnet_acl.get(subnet).map(String::as_str);
    let table = snap.index.subnet_route_table.get(subnet).map(|c| c.route_table_id.as_str());
    acl.into_iter().chain(table)
}

fn is_endpoint_level(kind: HopKind) -> bool {
    matches!(kind, HopKind::EndpointState | HopKind::EndpointPolicy | HopKind::PrivateDns | HopKind::VpcDns)
}

/// Adds a required pair: its summary, path resources, findings and gaps.
fn record_pair(snap: &Snapshot, w: &Workload, ep: &Endpoint, reasons: Vec<Reason>, trace: &PairTrace, report: &mut Report) {
    report.pairs.push(PairResult {
        workload: w.id().to_string(),
        endpoint: ep.id().to_string(),
        reasons,
        verdict: trace.verdict(),
        reached: trace.reached(),
        targets: trace.targets.len(),
    });
    let resources = path_resources(snap, w, ep);
    report.findings.extend(pair_findings(w, ep, trace));
    let gaps: Vec<&str> = trace.hops().filter(|h| h.outcome == Outcome::Unknown).map(|h| h.problem.as_str()).collect();
    for hop in trace.hops().filter(|h| h.outcome == Outcome::Unknown) {
        for resource in &hop.components {
            report.missing.insert(MissingData { resource: resource.clone(), what: hop.problem.clone() });
        }
    }
    // A pair that cannot be proven leaves every resource on its path unproven too: none of
    // them may be called compliant on the strength of the pairs that could be checked.
    if trace.verdict() == Verdict::Unknown {
        let what = format!("{} -> {} cannot be proven: {}", w.id(), ep.id(), gaps.join("; "));
        for resource in resources {
            report.missing.insert(MissingData { resource: resource.to_string(), what: what.clone() });
        }
    }
}

/// The resources a required pair's path runs through (SPEC section 5), each once.
fn path_resources<'a>(snap: &'a Snapshot, w: &'a Workload, ep: &'a Endpoint) -> Vec<&'a str> {
    let mut resources: Vec<&str> = vec![ep.id(), ep.raw.vpc_id.as_str()];
    resources.extend(w.groups.iter().map(String::as_str));
    resources.extend(ep.group_ids().iter().map(String::as_str));
    let subnets = std::iter::once(&w.eni.subnet_id).chain(ep.enis.iter().map(|e| &e.subnet_id));
    for subnet in subnets {
        resources.extend(subnet_resources(snap, subnet));
    }
    resources.sort_unstable();
    resources.dedup();
    resources
}

/// One finding per blocking (code, component, direction) of the pair, merged across ENIs.
fn pair_findings(w: &Workload, ep: &Endpoint, trace: &PairTrace) -> Vec<Finding> {
    // (code, component, direction) -> (problems, fixes), each once, in path order.
    type Blame = (FindingCode, String, Option<Direction>);
    let mut merged: BTreeMap<Blame, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for hop in trace.hops().filter(|h| h.outcome == Outcome::Blocked && !is_endpoint_level(h.kind)) {
        let Some(code) = hop.code else { continue };
        for component in &hop.components {
            let entry = merged.entry((code, component.clone(), hop.kind.direction())).or_default();
            push_unique(&mut entry.0, &hop.problem);
            push_unique(&mut entry.1, &hop.fix);
        }
    }
    let reach = match ep.kind {
        EndpointKind::Interface => format!(" (reaches {} of {} ENIs)", trace.reached(), trace.targets.len()),
        EndpointKind::Gateway => String::new(),
    };
    let who = format!("{} ({}, {})", w.id(), w.ip, w.eni.subnet_id);
    merged
        .into_iter()
        .map(|((code, component, direction), (problems, fixes))| {
            let (problem, fix) = (problems.join("; "), fixes.join("; "));
            let detail = format!("{who} -> {} {}: {problem}{reach}. Fix: {fix}", ep.label(), trace.traffic);
            Finding {
                code,
                component,
                direction,
                source: Some(w.id().to_string()),
                endpoint: Some(ep.id().to_string()),
                detail,
                problem,
                fix,
                traffic: trace.traffic.clone(),
            }
        })
        .collect()
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// Endpoint-level findings (state, policy, DNS), reported once per endpoint; the first
/// workload's trace carries the same common hops as any other's.
fn endpoint_findings(snap: &Snapshot, params: &RuleParameters, ep: &Endpoint, workloads: &[&Workload], report: &mut Report) {
    let hops = match workloads.first() {
        Some(w) => path::trace(snap, params, w, ep).common,
        None => return,
    };
    for hop in hops.iter().filter(|h| h.outcome == Outcome::Blocked) {
        let Some(code) = hop.code else { continue };
        for component in &hop.components {
            report.findings.push(Finding {
                code,
                component: component.clone(),
                direction: None,
                source: None,
                endpoint: Some(ep.id().to_string()),
                detail: format!("{}. Fix: {}", hop.problem, hop.fix),
                problem: hop.problem.clone(),
                fix: hop.fix.clone(),
                traffic: path::traffic_label(&ep.ports),
            });
        }
    }
}

/// R5: an available interface endpoint no workload of its VPC reaches. Its groups are blamed
/// (each of them, as they block together) when they admit nobody; otherwise the endpoint.
fn unreachable_findings(ep: &Endpoint, admitted_any: bool, workloads: usize) -> Vec<Finding> {
    let traffic = path::traffic_label(&ep.ports);
    let groups = ep.group_ids().to_vec();
    let (components, problem, fix) = if workloads == 0 {
        let problem = format!("{} has no workload in its VPC", ep.label());
        (vec![ep.id().to_string()], problem, format!("delete {} if it is unused", ep.id()))
    } else if !admitted_any && !groups.is_empty() {
        let problem = format!("{} admit {traffic} from none of the {workloads} workloads of the VPC", groups.join(", "));
        let fix = format!("allow ingress {traffic} on {} from the workloads' security groups, or delete the endpoint", groups[0]);
        (groups, problem, fix)
    } else {
        let problem = format!("none of the {workloads} workloads of the VPC reaches {}", ep.label());
        (vec![ep.id().to_string()], problem, "fix the blocking components of its pairs, or delete the endpoint".to_string())
    };
    components
        .into_iter()
        .map(|component| Finding {
            code: FindingCode::EndpointUnreachable,
            component,
            direction: Some(Direction::Ingress),
            source: None,
            endpoint: Some(ep.id().to_string()),
            detail: format!("{problem}. Fix: {fix}"),
            problem: problem.clone(),
            fix: fix.clone(),
            traffic: traffic.clone(),
        })
        .collect()
}

/// R6: a VPC with workloads but no endpoint for a required service.
fn missing_services(
    params: &RuleParameters,
    by_vpc: &BTreeMap<&str, Vec<&Workload>>,
    endpoints: &[Endpoint],
    report: &mut Report,
) {
    for (vpc, workloads) in by_vpc {
        for service in &params.required_services {
            let present = endpoints.iter().any(|ep| ep.raw.vpc_id == *vpc && service_matches(service, &ep.raw.service_name));
            if present {
                continue;
            }
            let problem = format!("{vpc} has {} workloads but no endpoint for {service}", workloads.len());
            let kind = if matches!(service.rsplit('.').next(), Some("s3" | "dynamodb")) { "a gateway" } else { "an interface" };
            let fix = format!("create {kind} endpoint for {service} in {vpc}");
            report.findings.push(Finding {
                code: FindingCode::NoEndpointForService,
                component: vpc.to_string(),
                direction: None,
                source: None,
                endpoint: None,
                detail: format!("{problem}. Fix: {fix}"),
                problem,
                fix,
                traffic: String::new(),
            });
        }
    }
}

/// SPEC section 7: a VPC without DNS attribute outputs is not checked, and people are told.
fn dns_notes(snap: &Snapshot, endpoints: &[Endpoint], report: &mut Report) {
    let vpcs: BTreeSet<&str> =
        endpoints.iter().filter(|e| e.kind == EndpointKind::Interface).map(|e| e.raw.vpc_id.as_str()).collect();
    for vpc in vpcs {
        let dns = snap.vpc_dns.get(vpc).copied().unwrap_or_default();
        if dns.enable_dns_support.is_none() || dns.enable_dns_hostnames.is_none() {
            report.notes.push(format!("{vpc}: DNS attributes not in the snapshot, not checked"));
        }
    }
}

/// Why `trace_pair` could not trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError(pub String);

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TraceError {}

/// Traces one pair for `explain`: any ENI of the snapshot (a workload or not) to an endpoint of
/// its VPC. Returns the trace and the reasons the pair is required (possibly none).
pub fn trace_pair(
    snap: &Snapshot,
    params: &RuleParameters,
    eni_id: &str,
    endpoint_id: &str,
) -> Result<(PairTrace, Vec<Reason>), TraceError> {
    let eni = snap
        .network_interfaces
        .get(eni_id)
        .ok_or_else(|| TraceError(format!("{eni_id}: no such network interface in the snapshot")))?;
    let ip = snap.primary_ip(eni).ok_or_else(|| TraceError(format!("{eni_id} has no private IPv4 address")))?;
    let raw = snap
        .vpc_endpoints
        .get(endpoint_id)
        .ok_or_else(|| TraceError(format!("{endpoint_id}: no such VPC endpoint in the snapshot")))?;
    let ep = Endpoint::resolve(snap, raw, params).ok_or_else(|| {
        TraceError(format!("{endpoint_id} is a {} endpoint in state {:?}: not modelled", raw.vpc_endpoint_type, raw.state))
    })?;
    if eni.vpc_id != raw.vpc_id {
        return Err(TraceError(format!("{eni_id} is in {} but {endpoint_id} is in {}", eni.vpc_id, raw.vpc_id)));
    }
    let w = Workload { eni, ip, groups: eni.groups.iter().map(|g| g.group_id.clone()).collect() };
    let reasons = intent::reasons(snap, params, &Compiled::new(snap), &w, &ep);
    Ok((path::trace(snap, params, &w, &ep), reasons))
}
