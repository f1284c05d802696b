//! Findings (docs/spec.md section 4) and gaps from the hops of pairs and endpoints, and the
//! endpoint- and VPC-level rules R5 and R6.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::endpoint::{Endpoint, EndpointKind};
use crate::finding::{Direction, Finding, FindingCode};
use crate::intent::{Reasons, Workload};
use crate::params::{service_matches, RuleParameters};
use crate::path::{self, Hop, HopKind, Outcome, PairTrace, Verdict};
use crate::snapshot::{DescribeCall, Snapshot};
use crate::text::{self, IpText};

use super::on_path::subnet_resources;
use super::pairs::{EndpointNo, WorkloadNo};
use super::{MissingData, Report};

/// The hops of one pair, borrowed from the hop cache or from an exact trace. Hops an ENI in
/// the workload's own subnet does not cross may be left out: they never block.
pub(super) struct PairHops<'h> {
    /// The endpoint's own hops (state, policy, data, DNS).
    pub common: &'h [Hop],
    /// The targets' hops in path order, target after target.
    pub hops: Vec<&'h Hop>,
    /// `ends[t]`: where target `t`'s hops end in `hops`.
    pub ends: Cow<'h, [usize]>,
}

impl<'h> PairHops<'h> {
    /// A trace's hops.
    pub(super) fn of(trace: &'h PairTrace) -> Self {
        let (mut hops, mut ends) = (Vec::new(), Vec::new());
        for target in &trace.targets {
            hops.extend(target.hops.iter());
            ends.push(hops.len());
        }
        PairHops {
            common: &trace.common,
            hops,
            ends: Cow::Owned(ends),
        }
    }

    fn all(&self) -> impl Iterator<Item = &'h Hop> + Clone + '_ {
        self.common.iter().chain(self.hops.iter().copied())
    }

    /// How many targets are fully reachable.
    #[inline]
    pub(super) fn reached(&self) -> usize {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .filter(|&(start, &end)| path::passes(self.hops[start..end].iter().copied()))
            .count()
    }

    fn targets(&self) -> usize {
        self.ends.len()
    }

    /// When the pair reaches no target and is not proven blocked either (some target has no
    /// blocking hop, only hops the snapshot cannot decide): `workload` and what is missing.
    pub(super) fn unproven(&self, workload: &str) -> Option<String> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        let targets = || starts.clone().zip(self.ends.iter().copied());
        if targets().any(|(start, end)| path::passes(self.hops[start..end].iter().copied())) {
            return None;
        }
        let open = |&(start, end): &(usize, usize)| {
            !self.hops[start..end]
                .iter()
                .any(|h| h.outcome == Outcome::Blocked)
        };
        let (start, end) = targets().find(open)?;
        let mut gaps: Vec<&str> = Vec::new();
        for hop in self.hops[start..end]
            .iter()
            .filter(|h| h.outcome == Outcome::Unknown)
        {
            if !gaps.contains(&&*hop.problem) {
                gaps.push(&hop.problem);
            }
        }
        Some(format!("{workload}: {}", gaps.join("; ")))
    }

    fn verdict(&self) -> Verdict {
        path::verdict_of(self.all(), self.targets() > 0)
    }
}

/// What findings and pair results say about the endpoint, worded once.
pub(super) struct EndpointTexts<'w> {
    pub ep: &'w Endpoint<'w>,
    pub id: Arc<str>,
    /// `vpce-… (ssm)`.
    pub label: String,
    /// `tcp/443`.
    pub traffic: Arc<str>,
    /// ` (reaches n of N ENIs)` for each `n` (interface endpoints).
    pub reach: Vec<String>,
}

impl<'w> EndpointTexts<'w> {
    pub(super) fn new(ep: &'w Endpoint<'w>) -> Self {
        let reach = match ep.kind {
            EndpointKind::Interface => (0..=ep.enis.len())
                .map(|n| format!(" (reaches {n} of {} ENIs)", ep.enis.len()))
                .collect(),
            EndpointKind::Gateway => Vec::new(),
        };
        EndpointTexts {
            ep,
            id: Arc::from(ep.id()),
            label: ep.label(),
            traffic: Arc::from(ep.traffic.as_str()),
            reach,
        }
    }
}

/// Adds a required pair proven reachable: `pair`, its workload's and endpoint's numbers in
/// the report's tables.
pub(super) fn record_reachable(
    pair: (WorkloadNo, EndpointNo),
    reasons: Reasons,
    targets: usize,
    report: &mut Report,
) {
    report
        .pairs
        .push(pair, reasons, Verdict::Reachable, (targets, targets));
}

/// Adds required pairs proven reachable: the `n` workloads numbered from `first` against one
/// endpoint, each reaching every target.
pub(super) fn record_reachable_run(
    (first, endpoint): (WorkloadNo, EndpointNo),
    n: usize,
    reasons: Reasons,
    targets: usize,
    report: &mut Report,
) {
    report.pairs.push_run(
        (first, endpoint),
        n,
        reasons,
        Verdict::Reachable,
        (targets, targets),
    );
}

/// Adds a required pair from its hops: its result, findings and gaps.
pub(super) fn record_pair(
    snap: &Snapshot,
    (workload, workload_id): (&Workload, &Arc<str>),
    numbers: (WorkloadNo, EndpointNo),
    ep: &EndpointTexts,
    reasons: Reasons,
    pair: &PairHops,
    report: &mut Report,
) {
    let verdict = pair.verdict();
    report
        .pairs
        .push(numbers, reasons, verdict, (pair.reached(), pair.targets()));
    report
        .findings
        .extend(pair_findings((workload, workload_id), ep, pair));
    let unknown = || pair.all().filter(|h| h.outcome == Outcome::Unknown);
    for hop in unknown() {
        for resource in &hop.components {
            report.missing.insert(MissingData {
                resource: resource.to_string(),
                what: hop.problem.to_string(),
            });
        }
    }
    // A pair that cannot be proven leaves every resource on its path unproven too: none of
    // them may be called compliant on the strength of the pairs that could be checked.
    if verdict == Verdict::Unknown {
        let mut gaps: Vec<&str> = Vec::new();
        for problem in unknown().map(|h| &*h.problem) {
            if !gaps.contains(&problem) {
                gaps.push(problem);
            }
        }
        let what = format!(
            "{} -> {} cannot be proven: {}",
            workload.id(),
            ep.id,
            gaps.join("; ")
        );
        for resource in path_resources(snap, workload, ep.ep) {
            report.missing.insert(MissingData {
                resource: resource.to_string(),
                what: what.clone(),
            });
        }
    }
}

/// The resources a required pair's path runs through (docs/spec.md section 5), each once: for a
/// pair across VPCs, both VPCs.
pub(super) fn path_resources<'a>(
    snap: &'a Snapshot,
    workload: &'a Workload,
    ep: &'a Endpoint,
) -> Vec<&'a str> {
    let mut resources: Vec<&str> = vec![ep.id(), ep.raw.vpc_id.as_str(), workload.vpc_id];
    resources.extend(workload.groups.iter().copied());
    resources.extend(ep.group_ids().iter().map(String::as_str));
    let subnets =
        std::iter::once(&workload.eni.subnet_id).chain(ep.enis.iter().map(|e| &e.subnet_id));
    for subnet in subnets {
        resources.extend(subnet_resources(snap, subnet));
    }
    resources.sort_unstable();
    resources.dedup();
    resources
}

fn is_endpoint_level(kind: HopKind) -> bool {
    matches!(
        kind,
        HopKind::EndpointState | HopKind::EndpointPolicy | HopKind::PrivateDns | HopKind::VpcDns
    )
}

/// One finding per blocking (code, component, direction) of the pair, merged across ENIs.
fn pair_findings(
    (workload, workload_id): (&Workload, &Arc<str>),
    ep: &EndpointTexts,
    pair: &PairHops,
) -> Vec<Finding> {
    // (code, component, direction) with its problems and fixes, each once, in path order.
    type Blame<'h> = (FindingCode, &'h Arc<str>, Option<Direction>);
    let mut merged: Vec<(Blame, Texts, Texts)> = Vec::new();
    for hop in pair
        .all()
        .filter(|h| h.outcome == Outcome::Blocked && !is_endpoint_level(h.kind))
    {
        let Some(code) = hop.code else { continue };
        for component in &hop.components {
            let blame = (code, component, hop.kind.direction());
            match merged.iter_mut().find(|(b, _, _)| *b == blame) {
                Some((_, problems, fixes)) => {
                    problems.add(&hop.problem);
                    fixes.add(&hop.fix);
                }
                None => merged.push((blame, Texts::new(&hop.problem), Texts::new(&hop.fix))),
            }
        }
    }
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    // A pair whose families give it other targets than the endpoint's ENIs (an IPv6 address
    // per ENI besides the IPv4 one, docs/spec.md V3) counts targets, not ENIs.
    let other_targets = ep.ep.kind == EndpointKind::Interface && pair.targets() != ep.ep.enis.len();
    let counted;
    let reach = if other_targets {
        counted = format!(
            " (reaches {} of {} targets)",
            pair.reached(),
            pair.targets()
        );
        counted.as_str()
    } else {
        ep.reach.get(pair.reached()).map_or("", String::as_str)
    };
    // An IPv6-only workload (docs/spec.md V8) is shown by its IPv6 address.
    let (ip, ip6);
    let address = if workload.ipv4 {
        ip = IpText::new(workload.ip);
        ip.as_str()
    } else {
        ip6 = workload.address().to_string();
        ip6.as_str()
    };
    merged
        .into_iter()
        .map(|((code, component, direction), problems, fixes)| {
            let (problem, fix) = (problems.joined(), fixes.joined());
            let detail = text::concat(&[
                workload.id(),
                " (",
                address,
                ", ",
                &workload.eni.subnet_id,
                ") -> ",
                &ep.label,
                " ",
                &ep.traffic,
                ": ",
                &*problem,
                reach,
                ". Fix: ",
                &*fix,
            ]);
            Finding {
                code,
                component: Arc::clone(component),
                direction,
                source: Some(Arc::clone(workload_id)),
                endpoint: Some(Arc::clone(&ep.id)),
                detail,
                account: None,
                problem,
                fix,
                traffic: Arc::clone(&ep.traffic),
            }
        })
        .collect()
}

/// Distinct texts in order of first appearance; one needs no list.
struct Texts<'h> {
    first: &'h Arc<str>,
    more: Vec<&'h str>,
}

impl<'h> Texts<'h> {
    fn new(first: &'h Arc<str>) -> Self {
        Texts {
            first,
            more: Vec::new(),
        }
    }

    fn add(&mut self, text: &'h str) {
        if text != &**self.first && !self.more.contains(&text) {
            self.more.push(text);
        }
    }

    /// `first; second; …`, the first text itself when there is only one (the usual case).
    fn joined(&self) -> Arc<str> {
        if self.more.is_empty() {
            return Arc::clone(self.first);
        }
        let len = self.first.len() + self.more.iter().map(|t| t.len() + 2).sum::<usize>();
        let mut text = String::with_capacity(len);
        text.push_str(self.first);
        for more in &self.more {
            text.push_str("; ");
            text.push_str(more);
        }
        text.into()
    }
}

/// Endpoint-level findings (state, policy, DNS), reported once per endpoint that has
/// workloads in its VPC.
pub(super) fn endpoint_findings(ep: &EndpointTexts, common: &[Hop]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for hop in common.iter().filter(|h| h.outcome == Outcome::Blocked) {
        let Some(code) = hop.code else { continue };
        for component in &hop.components {
            findings.push(Finding {
                code,
                component: Arc::clone(component),
                direction: None,
                source: None,
                endpoint: Some(Arc::clone(&ep.id)),
                detail: format!("{}. Fix: {}", hop.problem, hop.fix),
                account: None,
                problem: Arc::clone(&hop.problem),
                fix: Arc::clone(&hop.fix),
                traffic: Arc::clone(&ep.traffic),
            });
        }
    }
    findings
}

/// True when the snapshot holds everything the endpoint's groups' inbound rules need: every
/// group, and every prefix list those rules name with its entries. Only then can "its groups
/// admit nobody" be proven.
pub(super) fn ingress_readable(snap: &Snapshot, ep: &Endpoint) -> bool {
    ep.group_ids().iter().all(|id| {
        snap.security_groups.get(id).is_some_and(|group| {
            group
                .ip_permissions
                .iter()
                .flat_map(|p| &p.prefix_list_ids)
                .all(|pl| snap.prefix_lists.contains_key(&pl.prefix_list_id))
        })
    })
}

/// R5: an available interface endpoint no workload of its VPC reaches. Its groups are blamed
/// (each of them, as they block together) when they are proven to admit nobody
/// (`admitted_none`); otherwise the endpoint.
pub(super) fn unreachable_findings(
    ep: &Endpoint,
    admitted_none: bool,
    workloads: usize,
    remote: usize,
) -> Vec<Finding> {
    // Issue 14: workloads of other VPCs routed to the endpoint count too.
    let of = if remote > 0 {
        "of its VPC and of the VPCs linked to it"
    } else {
        "of the VPC"
    };
    let traffic = ep.traffic.clone();
    let groups = ep.group_ids().to_vec();
    let (components, problem, fix) = if workloads == 0 {
        let problem = format!("{} has no workload in its VPC", ep.label());
        (
            vec![ep.id().to_string()],
            problem,
            format!("delete {} if it is unused", ep.id()),
        )
    } else if admitted_none && !groups.is_empty() {
        let problem = format!(
            "{} admit {traffic} from none of the {workloads} workloads {of}",
            groups.join(", ")
        );
        let fix = format!("allow ingress {traffic} on {} from the workloads' security groups, or delete the endpoint", groups[0]);
        (groups, problem, fix)
    } else {
        let problem = format!(
            "none of the {workloads} workloads {of} reaches {}",
            ep.label()
        );
        (
            vec![ep.id().to_string()],
            problem,
            "fix the blocking components of its pairs, or delete the endpoint".to_string(),
        )
    };
    let detail = format!("{problem}. Fix: {fix}");
    let (problem, fix, traffic, id): (Arc<str>, Arc<str>, Arc<str>, Arc<str>) =
        (problem.into(), fix.into(), traffic.into(), ep.id().into());
    components
        .into_iter()
        .map(|component| Finding {
            code: FindingCode::EndpointUnreachable,
            component: component.into(),
            direction: Some(Direction::Ingress),
            source: None,
            endpoint: Some(Arc::clone(&id)),
            detail: detail.clone(),
            account: None,
            problem: Arc::clone(&problem),
            fix: Arc::clone(&fix),
            traffic: Arc::clone(&traffic),
        })
        .collect()
}

/// R5 withheld: no workload reaches the endpoint, but `why` (a workload and what its path
/// lacks) is not proven blocked. What R5 would have blamed (`r5`'s components) and the
/// endpoint cannot be proven either way: missing data, never a finding.
pub(super) fn unproven_r5(ep: &Endpoint, r5: &[Finding], why: &str, report: &mut Report) {
    let what = format!(
        "no workload is proven to reach {} nor proven blocked from it (ENDPOINT_UNREACHABLE \
         cannot be decided): {why}",
        ep.label()
    );
    let components = r5.iter().map(|f| &*f.component);
    for resource in std::iter::once(ep.id()).chain(components) {
        report.missing.insert(MissingData {
            resource: resource.to_string(),
            what: what.clone(),
        });
    }
}

/// R6: a VPC with workloads but no endpoint for a required service. `vpcs`: each VPC with
/// workloads, and how many.
pub(super) fn missing_services<'v>(
    snap: &Snapshot,
    params: &RuleParameters,
    vpcs: impl Iterator<Item = (&'v str, usize)>,
    endpoints: &[Endpoint],
    served_elsewhere: impl Fn(&str, &str) -> bool,
    report: &mut Report,
) {
    // Without describe-vpc-endpoints, "no endpoint" is missing data, not a finding.
    let known = snap.coverage.has(DescribeCall::VpcEndpoints);
    for (vpc, workloads) in vpcs {
        for service in &params.required_services {
            // Issue 16 (docs/spec.md N9): the VPC hosting a service reaches it through its own
            // load balancer and needs no endpoint of it.
            if crate::load_balancer::hosted_in(snap, vpc, service) {
                continue;
            }
            let local: Vec<&Endpoint> = endpoints
                .iter()
                .filter(|ep| ep.raw.vpc_id == vpc && service_matches(service, &ep.raw.service_name))
                .collect();
            // With DNS data, what the names resolve to decides (docs/spec.md section 10).
            let dns_reason = match super::dns::decide(snap, vpc, service, &local, report) {
                super::dns::Outcome::Done => continue,
                super::dns::Outcome::Finding(f) => {
                    report.findings.push(f);
                    continue;
                }
                super::dns::Outcome::NoEndpoint(why) => Some(why),
                super::dns::Outcome::NotChecked => None,
            };
            // Issue 14: without DNS data, an interface endpoint of another VPC the workloads
            // route to serves them (with DNS data, the resolution above decided).
            if !local.is_empty() || (dns_reason.is_none() && served_elsewhere(vpc, service)) {
                continue;
            }
            if !known {
                report.missing.insert(MissingData {
                    resource: vpc.to_string(),
                    what: format!(
                        "whether {vpc} has an endpoint for {service}: the snapshot has no \
                         describe-vpc-endpoints output"
                    ),
                });
                continue;
            }
            let problem = format!("{vpc} has {workloads} workloads but no endpoint for {service}");
            let kind = if matches!(service.rsplit('.').next(), Some("s3" | "dynamodb")) {
                "a gateway"
            } else {
                "an interface"
            };
            let fix = format!("create {kind} endpoint for {service} in {vpc}");
            report.findings.push(Finding {
                code: FindingCode::NoEndpointForService,
                component: vpc.into(),
                direction: None,
                source: None,
                endpoint: None,
                detail: match &dns_reason {
                    Some(why) => format!("{problem} ({why}). Fix: {fix}"),
                    None => format!("{problem}. Fix: {fix}"),
                },
                account: None,
                problem: problem.into(),
                fix: fix.into(),
                traffic: "".into(),
            });
        }
    }
}

/// docs/spec.md section 7: a VPC without DNS attribute outputs is not checked, and people are told.
pub(super) fn dns_notes(snap: &Snapshot, endpoints: &[Endpoint], report: &mut Report) {
    let vpcs: BTreeSet<&str> = endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .map(|e| e.raw.vpc_id.as_str())
        .collect();
    // docs/spec.md section 10: without DNS data, which endpoint a name resolves to is not
    // decided (and the check is what it was before).
    if snap.dns.is_empty() && !vpcs.is_empty() {
        report.notes.push(
            "DNS resolution not checked: the snapshot has no Route 53, Resolver or DHCP \
             option data (docs/snapshot-format.md)"
                .to_string(),
        );
    }
    for vpc in vpcs {
        let dns = snap.vpc_dns.get(vpc).copied().unwrap_or_default();
        if dns.enable_dns_support.is_none() || dns.enable_dns_hostnames.is_none() {
            report.notes.push(format!(
                "{vpc}: DNS attributes not in the snapshot, not checked"
            ));
        }
    }
}
