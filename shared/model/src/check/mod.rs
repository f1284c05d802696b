//! The whole-snapshot check: every workload/endpoint pair of every VPC, the intent rules
//! R1-R6, and the findings (docs/spec.md sections 3 and 4).
//!
//! Two judges decide pairs (`vpc::Judge`), VPC by VPC. [`check`] uses the fast one (`fast`):
//! a large account has hundreds of thousands of pairs, so it never asks a question twice and
//! proves most pairs with compiled rules. [`check_exact`] uses the exact one (`exact`): every
//! pair's reasons from `intent` and its path from `path`, on its own; it shares nothing with
//! the fast path and is the tests' oracle. Both feed the same bookkeeping: dense ids per VPC
//! (`workloads`), findings from hops (`findings`), path counts (`on_path`).

mod cross;
mod dns;
mod exact;
mod fast;
mod findings;
mod ids;
mod matrix;
mod on_path;
mod pairs;
mod provider;
mod vpc;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::endpoint::Endpoint;
use crate::finding::{Finding, FindingCode};
use crate::fxhash::FxHashMap;
use crate::intent::{self, Reasons, Workload};
use crate::params::RuleParameters;
use crate::path::{self, PairTrace};
use crate::snapshot::Snapshot;

use workloads::VpcWorkloads;

pub use matrix::{
    matrices, Blame, Cell, CellState, GroupKey, Matrices, MatrixEndpoint, MatrixRow, VpcMatrix,
    MAX_EXAMPLES,
};
pub use pairs::{Iter as PairIter, PairResult, Pairs};
pub use provider::{trace_service, LoadBalancerTrace, ServiceTrace, TargetPath};

/// Data a verdict needed but the snapshot lacks, and the resource whose verdict it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingData {
    /// The resource that cannot be declared compliant.
    pub resource: String,
    /// What is missing.
    pub what: String,
}

/// Everything `check` concluded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The blocking components, in a stable order.
    pub findings: Vec<Finding>,
    /// Every required pair, by VPC, then endpoint, then workload.
    pub pairs: Pairs,
    /// Resources on the path of a required pair (docs/spec.md section 5), with how many such pairs.
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
    let input = Input::new(snap, params);
    let compiled = fast::Compiled::new(snap);
    input.decide(|vw, endpoints| fast::VpcFast::new(snap, params, &compiled, vw, endpoints))
}

/// [`check`] without any of its shortcuts: every pair's reasons and path are decided on their
/// own by the exact evaluation `explain` uses. Much slower; the property tests compare the
/// two reports.
pub fn check_exact(snap: &Snapshot, params: &RuleParameters) -> Report {
    let input = Input::new(snap, params);
    input.decide(|_, _| exact::ExactJudge { snap, params })
}

/// What both judges start from: the workloads and the endpoints, resolved.
struct Input<'a> {
    snap: &'a Snapshot,
    params: &'a RuleParameters,
    workloads: Vec<Workload<'a>>,
    endpoints: Vec<Endpoint<'a>>,
    /// Notes on skipped endpoints.
    notes: Vec<String>,
    /// Route tables expanded once for every exact trace of the check (issue 14): a lookup
    /// table of the snapshot, not a decision.
    lookups: path::Lookups,
}

impl<'a> Input<'a> {
    fn new(snap: &'a Snapshot, params: &'a RuleParameters) -> Self {
        let mut notes = Vec::new();
        let endpoints = resolve_endpoints(snap, params, &mut notes);
        Input {
            snap,
            params,
            workloads: intent::workloads(snap, params),
            endpoints,
            notes,
            lookups: path::Lookups::new(),
        }
    }

    /// The report, with each VPC's pairs decided by the judge `judge_for` makes for it.
    fn decide<'s, J: vpc::Judge<'s>>(
        &'s self,
        mut judge_for: impl FnMut(&VpcWorkloads<'s>, &[&'s Endpoint<'s>]) -> J,
    ) -> Report {
        let (snap, params) = (self.snap, self.params);
        let mut report = Report {
            workload_count: self.workloads.len(),
            notes: self.notes.clone(),
            ..Report::default()
        };
        let by_vpc = by_vpc(&self.workloads, &self.endpoints);
        // One VPC at a time: its caches are dropped before the next one starts. Each endpoint's
        // findings come out in workload order; kept apart, they are put in endpoint order below,
        // so that the final sort finds them nearly sorted.
        let links = cross::CrossVpc::new(snap, &self.workloads, &self.endpoints);
        // Every pair of a VPC may be required, each stored alone: room for all of them up
        // front, as growing a vector of a hundred thousand results copies it again and again
        // (untouched room costs address space only). Pairs across VPCs come in runs: no room.
        report
            .pairs
            .reserve(by_vpc.iter().map(|(_, ws, eps)| ws.len() * eps.len()).sum());
        // The report numbers the cross-VPC candidates first, then each VPC's workloads.
        let remote = report.pairs.add_workloads(links.remote_ids());
        let mut by_endpoint: BTreeMap<&str, Vec<Finding>> = BTreeMap::new();
        report.notes.extend(cross::unlinked_note(snap));
        for (_, vpc_workloads, vpc_endpoints) in by_vpc.iter().filter(|(_, _, eps)| !eps.is_empty())
        {
            let vw = VpcWorkloads::new(snap, vpc_workloads);
            let local = report
                .pairs
                .add_workloads(vw.ids.iter().map(|(_, id)| Arc::clone(id)));
            let numbers = vpc::Numbers { local, remote };
            let judge = judge_for(&vw, vpc_endpoints);
            let mut vpc = vpc::VpcCheck::new(snap, params, vw, judge, &self.lookups, numbers);
            for ep in vpc_endpoints {
                let remote = links.remotes(ep);
                vpc.check_endpoint(ep, &remote, &mut report);
                by_endpoint.insert(ep.id(), std::mem::take(&mut report.findings));
            }
            vpc.finish(&mut report);
        }
        let counts = by_vpc
            .iter()
            .filter(|(_, ws, _)| !ws.is_empty())
            .map(|(vpc, ws, _)| (*vpc, ws.len()));
        let served =
            |vpc: &str, service: &str| links.served_remotely(snap, vpc, &self.endpoints, service);
        findings::missing_services(snap, params, counts, &self.endpoints, served, &mut report);
        report
            .findings
            .reserve(by_endpoint.values().map(Vec::len).sum());
        report.findings.extend(by_endpoint.into_values().flatten());
        findings::dns_notes(snap, &self.endpoints, &mut report);
        // Issue 16: the endpoint services hosted here, provider side (one exact trace each,
        // the same for both judges).
        provider::check_services(snap, params, &mut report);
        report
            .findings
            .sort_by(|a, b| finding_key(a).cmp(&finding_key(b)));
        report
    }
}

/// The workloads and endpoints of each VPC, by VPC id.
type ByVpc<'s, 'a> = Vec<(&'a str, Vec<&'s Workload<'a>>, Vec<&'s Endpoint<'a>>)>;

/// Groups workloads and endpoints by VPC, in VPC id order (thousands of workloads: hashed,
/// then the few VPCs sorted).
fn by_vpc<'s, 'a>(workloads: &'s [Workload<'a>], endpoints: &'s [Endpoint<'a>]) -> ByVpc<'s, 'a> {
    let mut vpcs: ByVpc = Vec::new();
    let mut slots: FxHashMap<&str, usize> = FxHashMap::default();
    let mut slot = |vpc: &'a str, vpcs: &mut ByVpc<'s, 'a>| {
        *slots.entry(vpc).or_insert_with(|| {
            vpcs.push((vpc, Vec::new(), Vec::new()));
            vpcs.len() - 1
        })
    };
    for workload in workloads {
        let at = slot(workload.vpc_id, &mut vpcs);
        vpcs[at].1.push(workload);
    }
    for ep in endpoints {
        let at = slot(&ep.raw.vpc_id, &mut vpcs);
        vpcs[at].2.push(ep);
    }
    vpcs.sort_unstable_by_key(|(vpc, _, _)| *vpc);
    vpcs
}

/// The endpoints the model decides about; other kinds are noted and skipped.
fn resolve_endpoints<'a>(
    snap: &'a Snapshot,
    params: &RuleParameters,
    notes: &mut Vec<String>,
) -> Vec<Endpoint<'a>> {
    let mut endpoints = Vec::new();
    for raw in snap.vpc_endpoints.values() {
        match Endpoint::resolve(snap, raw, params) {
            Some(ep) => endpoints.push(ep),
            None if !crate::endpoint::is_gone(raw) => notes.push(format!(
                "{}: {} endpoints are not modelled, skipped",
                raw.vpc_endpoint_id, raw.vpc_endpoint_type
            )),
            None => {}
        }
    }
    endpoints
}

fn finding_key(f: &Finding) -> (Option<&str>, Option<&str>, FindingCode, &str) {
    (
        f.endpoint.as_deref(),
        f.source.as_deref(),
        f.code,
        &f.component,
    )
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
/// its VPC or of another VPC (across a transit gateway or peering connection). Returns the trace and the reasons the pair is required (possibly none).
pub fn trace_pair(
    snap: &Snapshot,
    params: &RuleParameters,
    eni_id: &str,
    endpoint_id: &str,
) -> Result<(PairTrace, Reasons), TraceError> {
    let eni = snap.network_interfaces.get(eni_id).ok_or_else(|| {
        TraceError(format!(
            "{eni_id}: no such network interface in the snapshot"
        ))
    })?;
    // An IPv6-only ENI is a workload too (docs/spec.md V8).
    let workload = Workload::of(snap, eni).ok_or_else(|| {
        TraceError(format!(
            "{eni_id} has no private IPv4 address and no IPv6 address"
        ))
    })?;
    let raw = snap.vpc_endpoints.get(endpoint_id).ok_or_else(|| {
        TraceError(format!(
            "{endpoint_id}: no such VPC endpoint in the snapshot"
        ))
    })?;
    let ep = Endpoint::resolve(snap, raw, params).ok_or_else(|| {
        TraceError(format!(
            "{endpoint_id} is a {} endpoint in state {:?}: not modelled",
            raw.vpc_endpoint_type, raw.state
        ))
    })?;
    // Issue 14: an endpoint of another VPC is traced across the transit gateway or peering
    // connection the workload's route table uses.
    let reasons = if eni.vpc_id == raw.vpc_id {
        intent::reasons(snap, params, &workload, &ep)
    } else {
        cross::pair_reasons(snap, params, &workload, &ep)
    };
    Ok((path::trace(snap, params, &workload, &ep), reasons))
}
