//! Compliance (docs/spec.md section 5): what goes to AWS Config, one evaluation per resource of the
//! evaluated types.
//!
//! Missing data: Config's `PutEvaluations` accepts no `INSUFFICIENT_DATA`, and docs/spec.md forbids a
//! `COMPLIANT` built on missing data, so a resource whose verdict the snapshot cannot prove is
//! `NON_COMPLIANT` with an annotation starting `missing data:`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::account::{foreign_account, AccountId};
use crate::check::Report;
use crate::endpoint::{lifecycle, Lifecycle};
use crate::finding::Finding;
use crate::params::short_service_name;
use crate::snapshot::Snapshot;

/// The longest annotation Config accepts.
pub const MAX_ANNOTATION: usize = 256;

/// Config's compliance values that a custom rule may put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceType {
    /// On the path of a required pair and blocks nothing.
    Compliant,
    /// Blocks a required pair, is an endpoint some finding is about, lacks data, or is an
    /// endpoint neither available nor gone.
    NonCompliant,
    /// Not on any required path, or deleted/deleting.
    NotApplicable,
}

impl ComplianceType {
    /// As Config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceType::Compliant => "COMPLIANT",
            ComplianceType::NonCompliant => "NON_COMPLIANT",
            ComplianceType::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

/// A Config `Evaluation`, minus `OrderingTimestamp` (the caller adds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evaluation {
    /// One of [`RESOURCE_TYPES`].
    pub compliance_resource_type: String,
    /// The resource id.
    pub compliance_resource_id: String,
    /// The verdict.
    pub compliance_type: ComplianceType,
    /// At most 256 characters: what is wrong and the fix.
    pub annotation: String,
}

/// The evaluated resource types, in output order (AWS Config's names, docs/spec.md section 5).
/// The next six are the link (issue 14) and DNS (issue 15) components a finding can name, the
/// last two the provider side of endpoint services (issue 16); they are evaluated only when
/// the snapshot holds them.
pub const RESOURCE_TYPES: [&str; 13] = [
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::RouteTable",
    "AWS::EC2::VPC",
    TGW_ROUTE_TABLE_TYPE,
    TGW_ATTACHMENT_TYPE,
    PEERING_TYPE,
    HOSTED_ZONE_TYPE,
    RESOLVER_RULE_TYPE,
    DHCP_OPTIONS_TYPE,
    ENDPOINT_SERVICE_TYPE,
    LOAD_BALANCER_TYPE,
];

/// Config's type of a transit gateway route table (`tgw-rtb-…`).
pub const TGW_ROUTE_TABLE_TYPE: &str = "AWS::EC2::TransitGatewayRouteTable";
/// Config's type of a transit gateway attachment (`tgw-attach-…`).
pub const TGW_ATTACHMENT_TYPE: &str = "AWS::EC2::TransitGatewayAttachment";
/// Config's type of a VPC peering connection (`pcx-…`).
pub const PEERING_TYPE: &str = "AWS::EC2::VPCPeeringConnection";
/// Config's type of a Route 53 hosted zone (its bare id, `Z…`).
pub const HOSTED_ZONE_TYPE: &str = "AWS::Route53::HostedZone";
/// Config's type of a Route 53 Resolver rule (`rslvr-rr-…`).
pub const RESOLVER_RULE_TYPE: &str = "AWS::Route53Resolver::ResolverRule";
/// Config's type of a DHCP option set (`dopt-…`).
pub const DHCP_OPTIONS_TYPE: &str = "AWS::EC2::DHCPOptions";
/// Config's type of an endpoint service configuration (`vpce-svc-…`).
pub const ENDPOINT_SERVICE_TYPE: &str = "AWS::EC2::VPCEndpointService";
/// Config's type of an Elastic Load Balancing v2 load balancer (its ARN).
pub const LOAD_BALANCER_TYPE: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/// One evaluation per resource of the evaluated types in the snapshot.
pub fn evaluations(snap: &Snapshot, report: &Report) -> Vec<Evaluation> {
    evaluations_for(snap, report, None)
}

/// [`evaluations`] for the account whose credentials run the check (docs/spec.md section 5):
/// other accounts' resources are left out (Config takes evaluations for the caller's own
/// resources only), and the caller's VPC whose workloads are blocked by other accounts'
/// components alone is `NON_COMPLIANT`, naming them. `None` (the caller is unknown): every
/// resource, as [`evaluations`].
pub fn evaluations_for(
    snap: &Snapshot,
    report: &Report,
    caller: Option<&AccountId>,
) -> Vec<Evaluation> {
    let Some(caller) = caller else {
        return evaluate_all(snap, report, &BTreeMap::new());
    };
    let foreign = foreign_blocks(snap, report, caller);
    let mut out = evaluate_all(snap, report, &foreign);
    out.retain(|e| foreign_account(snap, &e.compliance_resource_id, caller).is_none());
    out
}

/// The blocked pairs whose every finding blames another account's component, by the
/// workload's VPC, with the account blamed.
fn foreign_blocks<'r>(
    snap: &'r Snapshot,
    report: &'r Report,
    caller: &AccountId,
) -> BTreeMap<&'r str, Vec<(&'r Finding, &'r str)>> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if let (Some(source), Some(endpoint)) = (&f.source, &f.endpoint) {
            by_pair.entry((source, endpoint)).or_default().push(f);
        }
    }
    let mut out: BTreeMap<&str, Vec<(&Finding, &str)>> = BTreeMap::new();
    for ((source, _), findings) in by_pair {
        let blamed: Option<Vec<(&Finding, &str)>> = findings
            .iter()
            .map(|f| Some((*f, foreign_account(snap, &f.component, caller)?)))
            .collect();
        let (Some(blamed), Some(eni)) = (blamed, snap.network_interfaces.get(source)) else {
            continue;
        };
        out.entry(eni.vpc_id.as_str()).or_default().extend(blamed);
    }
    out
}

/// `blocked by account 111…: rtb-hub blocks tcp/443 from 1 workload (eni-…) to vpce-…: <problem>.
/// Fix in 111…: <fix>`.
fn foreign_annotation(blocks: &[(&Finding, &str)]) -> String {
    let findings: Vec<&Finding> = blocks.iter().map(|(f, _)| *f).collect();
    let groups = groups(&findings);
    let first = groups[0][0];
    let account = blocks
        .iter()
        .find(|(f, _)| std::ptr::eq(*f, first))
        .map_or("", |(_, a)| *a);
    let prefix = format!(
        "blocked by account {account}: {} blocks {} from {} to {}: ",
        first.component,
        first.traffic,
        sources(&groups[0]),
        first.endpoint.as_deref().unwrap_or("")
    );
    let more = more_suffix(groups.len());
    fit(
        &prefix,
        &first.problem,
        &format!(". Fix in {account}: {}{more}", first.fix),
    )
}

/// Every resource of the evaluated types; `foreign`: see [`foreign_blocks`].
fn evaluate_all(
    snap: &Snapshot,
    report: &Report,
    foreign: &BTreeMap<&str, Vec<(&Finding, &str)>>,
) -> Vec<Evaluation> {
    let mut by_component: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut by_endpoint: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_component.entry(&*f.component).or_default().push(f);
        if let Some(ep) = &f.endpoint {
            by_endpoint.entry(&**ep).or_default().push(f);
        }
    }
    let judge = |id: &str| match (by_component.get(id), foreign.get(id)) {
        // Rule 1 first: the resource's own blame; then the blame other accounts carry.
        (None, Some(blocks)) => (ComplianceType::NonCompliant, foreign_annotation(blocks)),
        (own, _) => judge(snap, report, id, own, by_endpoint.get(id)),
    };
    let mut out = Vec::new();
    for (id, ep) in &snap.vpc_endpoints {
        let state = ep.state.as_deref().unwrap_or("deleted");
        let evaluation = match lifecycle(ep) {
            Lifecycle::Gone => (ComplianceType::NotApplicable, format!("{id} is {state}")),
            Lifecycle::Available => judge(id),
            // Still in the VPC and carrying nothing: never NOT_APPLICABLE nor COMPLIANT, even
            // when no required pair reports it.
            Lifecycle::NotAvailable => match judge(id) {
                found @ (ComplianceType::NonCompliant, _) => found,
                _ => (ComplianceType::NonCompliant, not_available(id, state)),
            },
        };
        out.push(make(RESOURCE_TYPES[0], id, evaluation));
    }
    let others: [(&str, Vec<&String>); 4] = [
        (RESOURCE_TYPES[1], snap.security_groups.keys().collect()),
        (RESOURCE_TYPES[2], snap.network_acls.keys().collect()),
        (RESOURCE_TYPES[3], snap.route_tables.keys().collect()),
        (RESOURCE_TYPES[4], snap.vpcs.keys().collect()),
    ];
    for (kind, ids) in others.into_iter().chain(link_and_dns_resources(snap)) {
        out.extend(ids.into_iter().map(|id| make(kind, id, judge(id))));
    }
    provider_resources(snap, report, &judge, &mut out);
    out
}

/// The endpoint services hosted in the snapshot and the load balancers behind them (issue
/// 16). A service is judged through the findings about it (their `endpoint`); a load
/// balancer through its own findings (zones, listeners, health), else the findings of its
/// paths (their `source`); then gaps and paths as every resource.
fn provider_resources(
    snap: &Snapshot,
    report: &Report,
    judge: &dyn Fn(&str) -> (ComplianceType, String),
    out: &mut Vec<Evaluation>,
) {
    for id in snap.elb.services.keys() {
        out.push(make(ENDPOINT_SERVICE_TYPE, id, judge(id)));
    }
    for arn in snap.elb.load_balancers.keys() {
        let evaluation = match judge(arn) {
            found @ (ComplianceType::NonCompliant, _) => found,
            other => {
                let of_paths: Vec<&Finding> = report
                    .findings
                    .iter()
                    .filter(|f| f.source.as_deref() == Some(arn.as_str()))
                    .collect();
                if of_paths.is_empty() {
                    other
                } else {
                    (ComplianceType::NonCompliant, endpoint_annotation(&of_paths))
                }
            }
        };
        out.push(make(LOAD_BALANCER_TYPE, arn, evaluation));
    }
}

/// The link and DNS resources of the snapshot, by Config type: those its documents hold, and
/// nothing else (a snapshot without DNS data evaluates no zone). Each is judged like a route
/// table: `NON_COMPLIANT` as a finding's component, `COMPLIANT` on a required pair's path
/// (the hops across a link name them), `NOT_APPLICABLE` otherwise.
fn link_and_dns_resources(snap: &Snapshot) -> [(&'static str, Vec<&String>); 6] {
    // Only VPC attachments: Config's attachment type is the VPC attachment, and no path of
    // this model crosses a VPN, Direct Connect or TGW-peering attachment.
    let mut attachments: Vec<&String> = snap
        .tgw_attachments
        .iter()
        .filter(|(_, a)| a.resource_type.as_deref() == Some("vpc"))
        .map(|(id, _)| id)
        .collect();
    attachments.extend(
        snap.tgw_vpc_attachments
            .keys()
            .filter(|id| !snap.tgw_attachments.contains_key(*id)),
    );
    attachments.sort_unstable();
    // AWS-owned rules (`rslvr-autodefined-rr-…`, the VPC's own system rules) are no one's to
    // fix and Config records none of them.
    let rules = snap
        .dns
        .resolver_rules
        .keys()
        .filter(|id| !id.starts_with("rslvr-autodefined-"))
        .collect();
    [
        (TGW_ROUTE_TABLE_TYPE, snap.tgw_route_tables.keys().collect()),
        (TGW_ATTACHMENT_TYPE, attachments),
        (PEERING_TYPE, snap.vpc_peerings.keys().collect()),
        (HOSTED_ZONE_TYPE, snap.dns.zones.keys().collect()),
        (RESOLVER_RULE_TYPE, rules),
        (DHCP_OPTIONS_TYPE, snap.dns.dhcp_options.keys().collect()),
    ]
}

/// The VPCs of every evaluated resource of the snapshot, for a caller that keeps the
/// evaluations of some VPCs only: one VPC for a VPC's own resources; both sides of a peering
/// connection; the attached VPC of a TGW attachment; the VPCs of the attachments associated
/// with a TGW route table; the VPCs associated with a hosted zone (directly), a Resolver rule,
/// or using a DHCP option set. A resource the snapshot links to no VPC is absent.
pub fn resource_vpcs(snap: &Snapshot) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, e) in &snap.vpc_endpoints {
        add_to(&mut out, id, &e.vpc_id);
    }
    for (id, g) in &snap.security_groups {
        if let Some(vpc) = g.vpc_id.as_deref() {
            add_to(&mut out, id, vpc);
        }
    }
    for (id, a) in &snap.network_acls {
        add_to(&mut out, id, &a.vpc_id);
    }
    for (id, t) in &snap.route_tables {
        add_to(&mut out, id, &t.vpc_id);
    }
    for id in snap.vpcs.keys() {
        add_to(&mut out, id, id);
    }
    link_vpcs(snap, &mut out);
    dns_vpcs(snap, &mut out);
    provider_vpcs(snap, &mut out);
    out
}

/// Load balancers (their VPC) and endpoint services (their load balancers' VPCs).
fn provider_vpcs<'s>(snap: &'s Snapshot, out: &mut BTreeMap<&'s str, BTreeSet<&'s str>>) {
    let elb = &snap.elb;
    for (arn, lb) in &elb.load_balancers {
        if let Some(vpc) = lb.vpc_id.as_deref() {
            add_to(out, arn, vpc);
        }
    }
    for (id, service) in &elb.services {
        let vpcs = service
            .network_load_balancer_arns
            .iter()
            .filter_map(|arn| elb.load_balancers.get(arn)?.vpc_id.as_deref());
        for vpc in vpcs {
            add_to(out, id, vpc);
        }
    }
}

fn add_to<'s>(out: &mut BTreeMap<&'s str, BTreeSet<&'s str>>, id: &'s str, vpc: &'s str) {
    out.entry(id).or_default().insert(vpc);
}

/// TGW attachments, TGW route tables and peering connections.
fn link_vpcs<'s>(snap: &'s Snapshot, out: &mut BTreeMap<&'s str, BTreeSet<&'s str>>) {
    let mut attached: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, a) in &snap.tgw_attachments {
        if a.resource_type.as_deref() == Some("vpc") {
            if let Some(vpc) = a.resource_id.as_deref() {
                attached.insert(id, vpc);
            }
        }
    }
    for (id, a) in &snap.tgw_vpc_attachments {
        attached.insert(id, &a.vpc_id);
    }
    for (&id, &vpc) in &attached {
        add_to(out, id, vpc);
    }
    for (id, a) in &snap.tgw_attachments {
        let (Some(assoc), Some(&vpc)) = (&a.association, attached.get(id.as_str())) else {
            continue;
        };
        add_to(out, &assoc.transit_gateway_route_table_id, vpc);
    }
    for (id, p) in &snap.vpc_peerings {
        let sides = [&p.requester_vpc_info, &p.accepter_vpc_info];
        for vpc in sides
            .into_iter()
            .flatten()
            .filter_map(|s| s.vpc_id.as_deref())
        {
            add_to(out, id, vpc);
        }
    }
}

/// Hosted zones (direct associations), Resolver rules (their associations) and DHCP option
/// sets (the VPCs using them).
fn dns_vpcs<'s>(snap: &'s Snapshot, out: &mut BTreeMap<&'s str, BTreeSet<&'s str>>) {
    for (zone, vpcs) in &snap.dns.zone_vpcs {
        for vpc in vpcs {
            add_to(out, zone, vpc);
        }
    }
    for a in snap.dns.rule_associations.values() {
        add_to(out, &a.resolver_rule_id, &a.vpc_id);
    }
    for (id, vpc) in &snap.vpcs {
        if let Some(set) = vpc.dhcp_options_id.as_deref() {
            add_to(out, set, id);
        }
    }
}

fn make(
    kind: &str,
    id: &str,
    (compliance_type, annotation): (ComplianceType, String),
) -> Evaluation {
    Evaluation {
        compliance_resource_type: kind.to_string(),
        compliance_resource_id: id.to_string(),
        compliance_type,
        annotation: truncate(&annotation, MAX_ANNOTATION),
    }
}

/// An endpoint that is neither available nor gone, when no finding says more.
fn not_available(id: &str, state: &str) -> String {
    format!(
        "{id} is `{state}`, not available: it carries no traffic. \
         Fix: accept, repair or recreate {id}, or delete it"
    )
}

/// docs/spec.md section 5's mapping, in order.
fn judge(
    snap: &Snapshot,
    report: &Report,
    id: &str,
    as_component: Option<&Vec<&Finding>>,
    as_endpoint: Option<&Vec<&Finding>>,
) -> (ComplianceType, String) {
    if let Some(findings) = as_component {
        return (
            ComplianceType::NonCompliant,
            component_annotation(snap, findings),
        );
    }
    if let Some(findings) = as_endpoint {
        return (ComplianceType::NonCompliant, endpoint_annotation(findings));
    }
    if let Some(gap) = report.missing.iter().find(|m| m.resource == id) {
        return (
            ComplianceType::NonCompliant,
            format!("missing data: {}", gap.what),
        );
    }
    match report.on_path.get(id) {
        Some(n) => (
            ComplianceType::Compliant,
            format!("on the path of {n} required workload/endpoint pair(s); blocks none"),
        ),
        None => (
            ComplianceType::NotApplicable,
            "not on the path of any required workload/endpoint pair".to_string(),
        ),
    }
}

/// Findings with the same code, direction and endpoint, largest group first.
fn groups<'a>(findings: &[&'a Finding]) -> Vec<Vec<&'a Finding>> {
    type Group<'f> = (
        crate::finding::FindingCode,
        Option<&'f str>,
        Option<&'f str>,
    );
    let mut map: BTreeMap<Group, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        map.entry((
            f.code,
            f.direction.map(|d| d.as_str()),
            f.endpoint.as_deref(),
        ))
        .or_default()
        .push(f);
    }
    let mut groups: Vec<Vec<&Finding>> = map.into_values().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    groups
}

/// `blocks tcp/443 from 12 workloads (eni-0a1…) to vpce-0b2 ssm: <problem>. Fix: <fix>`.
fn component_annotation(snap: &Snapshot, findings: &[&Finding]) -> String {
    let groups = groups(findings);
    let first = groups[0][0];
    let more = more_suffix(groups.len());
    if first.source.is_none() {
        return fit("", &first.problem, &format!(". Fix: {}{more}", first.fix));
    }
    let endpoint = first.endpoint.as_deref().unwrap_or("");
    let service = snap
        .vpc_endpoints
        .get(endpoint)
        .map(|e| short_service_name(&e.service_name))
        .unwrap_or("");
    let to = if service.is_empty() {
        endpoint.to_string()
    } else {
        format!("{endpoint} {service}")
    };
    let prefix = format!(
        "blocks {} from {} to {to}: ",
        first.traffic,
        sources(&groups[0])
    );
    fit(
        &prefix,
        &first.problem,
        &format!(". Fix: {}{more}", first.fix),
    )
}

/// For an endpoint blamed through the `endpoint` field of findings about other components.
fn endpoint_annotation(findings: &[&Finding]) -> String {
    let groups = groups(findings);
    let first = groups[0][0];
    let more = more_suffix(groups.len());
    if first.source.is_none() {
        return fit(
            &format!("{}: ", first.component),
            &first.problem,
            &format!(". Fix: {}{more}", first.fix),
        );
    }
    // Most problems start with what they blame ("rtb-1 has no route ..."); the component is
    // named before the ones that do not.
    let component = if first.problem.starts_with(&*first.component) {
        String::new()
    } else {
        format!("{} ", first.component)
    };
    let prefix = format!(
        "unreachable on {} from {}: {component}",
        first.traffic,
        sources(&groups[0]),
    );
    fit(
        &prefix,
        &first.problem,
        &format!(". Fix: {}{more}", first.fix),
    )
}

fn more_suffix(groups: usize) -> String {
    if groups > 1 {
        format!(" (+{} more)", groups - 1)
    } else {
        String::new()
    }
}

/// `1 workload (eni-…)` or `12 workloads (eni-…, …)`.
fn sources(group: &[&Finding]) -> String {
    // A load balancer (provider-side findings, issue 16) is shown by its name, not its ARN.
    let mut ids: Vec<&str> = group
        .iter()
        .filter_map(|f| f.source.as_deref())
        .map(load_balancer_name)
        .collect();
    ids.dedup();
    // Provider-side findings (issue 16) come from a load balancer, named by its ARN.
    let lb = group
        .iter()
        .filter_map(|f| f.source.as_deref())
        .all(|id| id.starts_with("arn:"));
    let noun = match (lb, ids.len() == 1) {
        (true, true) => "load balancer",
        (true, false) => "load balancers",
        (false, true) => "workload",
        (false, false) => "workloads",
    };
    let shown = if ids.len() > 1 {
        format!("{}, …", ids[0])
    } else {
        ids.first().copied().unwrap_or("").to_string()
    };
    format!("{} {noun} ({shown})", ids.len())
}

/// `orders-nlb` for `arn:…:loadbalancer/net/orders-nlb/<id>`; other ids as they are.
fn load_balancer_name(id: &str) -> &str {
    match id.split_once(":loadbalancer/") {
        Some((_, tail)) => tail.split('/').nth(1).unwrap_or(tail),
        None => id,
    }
}

/// `prefix + middle + suffix`, the middle shortened first so the fix survives the limit.
fn fit(prefix: &str, middle: &str, suffix: &str) -> String {
    let fixed = prefix.chars().count() + suffix.chars().count();
    let whole = format!("{prefix}{middle}{suffix}");
    if whole.chars().count() <= MAX_ANNOTATION {
        return whole;
    }
    if fixed + 2 <= MAX_ANNOTATION {
        let room = MAX_ANNOTATION - fixed - 1;
        let cut: String = middle.chars().take(room).collect();
        return format!("{prefix}{cut}…{suffix}");
    }
    whole
}

/// At most `max` characters, never empty.
fn truncate(text: &str, max: usize) -> String {
    let text = if text.trim().is_empty() {
        "evaluated by vpce-reach"
    } else {
        text
    };
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingCode;
    use std::sync::Arc;

    #[test]
    fn fit_keeps_the_fix_and_the_limit() {
        let long = "x".repeat(400);
        let out = fit("blocks: ", &long, ". Fix: allow egress tcp/443 to sg-1");
        assert_eq!(out.chars().count(), MAX_ANNOTATION);
        assert!(out.ends_with(". Fix: allow egress tcp/443 to sg-1"));
        let out = truncate(&"é".repeat(300), MAX_ANNOTATION);
        assert_eq!(out.chars().count(), MAX_ANNOTATION);
        assert_eq!(truncate("", MAX_ANNOTATION), "evaluated by vpce-reach");
    }

    #[test]
    fn an_endpoint_annotation_names_the_component_once() {
        let finding = |component: &str, problem: &str| Finding {
            code: FindingCode::NoRouteToDestination,
            component: Arc::from(component),
            direction: None,
            source: Some(Arc::from("eni-1")),
            endpoint: Some(Arc::from("vpce-1")),
            detail: String::new(),
            account: None,
            problem: Arc::from(problem),
            fix: Arc::from("add a route"),
            traffic: Arc::from("tcp/443"),
        };
        let starts = finding("rtb-1", "rtb-1 (the endpoint subnet) cannot return replies");
        assert_eq!(
            endpoint_annotation(&[&starts]),
            "unreachable on tcp/443 from 1 workload (eni-1): rtb-1 (the endpoint subnet) cannot \
             return replies. Fix: add a route"
        );
        let other = finding("sg-1", "no egress tcp/443 to 10.0.0.1");
        assert!(endpoint_annotation(&[&other]).contains("(eni-1): sg-1 no egress"));
    }
}
