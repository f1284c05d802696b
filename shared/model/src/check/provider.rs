//! The provider side of endpoint services (issue 16, docs/spec.md section 11): for every endpoint
//! service configuration of the snapshot and each of its Network Load Balancers, every
//! listener -> target group -> registered target, with the NLB's nodes as the source of the
//! traffic (PrivateLink traffic reaches targets from the NLB's private IPs, never from the
//! clients', N2), and the Availability Zone rules (N5-N7).
//!
//! One function, [`trace_service`], builds everything exactly, hop by hop, with the evaluators
//! the consumer side uses (`security_group`, `network_acl`); `explain --service` prints it and
//! both judges of `check` take their provider findings from it, so they agree by construction.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::finding::{Direction, Finding, FindingCode};
use crate::load_balancer::{self, carries_tcp, Health, Nlb, NlbNode, Registered};
use crate::network_acl::{self, Traffic, IMPLICIT_DENY};
use crate::params::RuleParameters;
use crate::path::{Hop, HopKind, Outcome};
use crate::security_group::{self, RuleDirection};
use crate::snapshot::elb::{ServiceConfiguration, TargetGroup};
use crate::snapshot::Snapshot;
use crate::space::{AddrRange, PortRange, Region};

use super::{MissingData, Report, TraceError};

/// The path from an NLB's nodes to one registered target, on one port.
#[derive(Debug, Clone)]
pub struct TargetPath {
    /// `TCP 8443`: the listener.
    pub listener: String,
    /// The target group's ARN.
    pub target_group: String,
    /// The instance id or IP address registered.
    pub target: String,
    /// The ENI that receives the traffic.
    pub eni: String,
    /// The target's address and port, `10.2.3.5:8443`.
    pub address: String,
    /// `healthy`, `unhealthy (Target.FailedHealthChecks)`, … (`describe-target-health`).
    pub health: String,
    /// The NLB nodes that send to this target (all of them with cross-zone load balancing,
    /// else those of the target's zone), as `10.2.1.17 (eni-…, us-east-1a)`.
    pub senders: Vec<String>,
    /// `tcp/8443`.
    pub traffic: String,
    /// The hops of the traffic, forward leg then reply leg.
    pub hops: Vec<Hop>,
    /// The hops of the health checks when they use another port (else the same as `hops`).
    pub health_hops: Vec<Hop>,
    /// `tcp/8080`: the health checks' port, when it is not the traffic's.
    pub health_traffic: Option<String>,
}

/// One NLB of a service, traced.
#[derive(Debug, Clone)]
pub struct LoadBalancerTrace {
    /// The NLB's ARN.
    pub arn: String,
    /// Its nodes, as `10.2.1.17 (eni-…, us-east-1a)`.
    pub nodes: Vec<String>,
    /// Its own security groups (none: it filters nothing).
    pub groups: Vec<String>,
    /// Every listener -> target group -> target path.
    pub paths: Vec<TargetPath>,
}

/// The provider side of one endpoint service, traced.
#[derive(Debug, Clone)]
pub struct ServiceTrace {
    /// `vpce-svc-…`.
    pub service: String,
    /// The service name consumers' endpoints use.
    pub service_name: String,
    /// The zones the service is available in.
    pub zones: Vec<String>,
    /// Each NLB the snapshot can resolve.
    pub load_balancers: Vec<LoadBalancerTrace>,
    /// Every finding: the blocked hops' and the Availability Zone, listener and health rules'.
    pub findings: Vec<Finding>,
    /// What the snapshot lacks, per resource.
    pub missing: Vec<MissingData>,
    /// Remarks for people.
    pub notes: Vec<String>,
}

/// Traces the provider side of the endpoint service `service_id` for `explain --service`.
pub fn trace_service(
    snap: &Snapshot,
    params: &RuleParameters,
    service_id: &str,
) -> Result<ServiceTrace, TraceError> {
    let service = snap.elb.services.get(service_id).ok_or_else(|| {
        TraceError(format!(
            "{service_id}: no such endpoint service in the snapshot's \
             describe-vpc-endpoint-service-configurations output"
        ))
    })?;
    Ok(trace(snap, params, service))
}

/// Adds the provider side of every endpoint service of the snapshot to `report`.
pub(super) fn check_services(snap: &Snapshot, params: &RuleParameters, report: &mut Report) {
    for service in snap.elb.services.values() {
        let trace = trace(snap, params, service);
        // Each group or ACL counts once per target path it lets through.
        for path in trace.load_balancers.iter().flat_map(|lb| &lb.paths) {
            let on: BTreeSet<&str> = path
                .hops
                .iter()
                .chain(&path.health_hops)
                .filter(|h| h.outcome == Outcome::Allowed)
                .flat_map(|h| h.components.iter().map(|c| &**c))
                .collect();
            for c in on {
                *report.on_path.entry(c.to_string()).or_default() += 1;
            }
        }
        for lb in &trace.load_balancers {
            *report.on_path.entry(lb.arn.clone()).or_default() += lb.paths.len();
        }
        *report.on_path.entry(trace.service.clone()).or_default() += 1;
        let inbound = private_link_inbound(snap, service, &report.pairs);
        report.findings.extend(trace.findings);
        report.findings.extend(inbound.findings);
        report.missing.extend(trace.missing);
        report.missing.extend(inbound.missing);
        report.notes.extend(trace.notes);
    }
}

/// The findings and gaps of [`private_link_inbound`].
#[derive(Default)]
struct Inbound {
    findings: Vec<Finding>,
    missing: Vec<MissingData>,
}

/// The NLB's own inbound rules on PrivateLink traffic (N4a): with security groups and
/// `EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic` on (the default), they are evaluated
/// against the client's private IP, not the endpoint's; so they must admit every workload of
/// the snapshot paired with a consumer endpoint of the service, on each TCP listener port.
/// Off, or without groups, they filter no PrivateLink traffic. The clients are the report's
/// pairs, the same for both judges.
fn private_link_inbound(
    snap: &Snapshot,
    service: &ServiceConfiguration,
    pairs: &super::Pairs,
) -> Inbound {
    let mut out = Inbound::default();
    let Some(name) = service.service_name.as_deref() else {
        return out;
    };
    let consumers: BTreeSet<&str> = snap
        .vpc_endpoints
        .values()
        .filter(|e| e.service_name == name)
        .map(|e| e.vpc_endpoint_id.as_str())
        .collect();
    let clients: BTreeSet<std::net::Ipv4Addr> = pairs
        .iter()
        .filter(|p| consumers.contains(p.endpoint))
        .filter_map(|p| snap.network_interfaces.get(p.workload))
        .filter_map(|eni| snap.primary_ip(eni))
        .collect();
    if clients.is_empty() {
        return out;
    }
    for arn in &service.network_load_balancer_arns {
        let Some(lb) = snap.elb.load_balancers.get(arn) else {
            continue; // the trace reports the load balancer as missing data
        };
        let enforced = lb
            .enforce_security_group_inbound_rules_on_private_link_traffic
            .as_deref()
            .is_none_or(|v| !v.eq_ignore_ascii_case("off"));
        if lb.security_groups.is_empty() || !enforced {
            continue;
        }
        let mut ports: Vec<u16> = snap
            .elb
            .listeners_of(arn)
            .filter(|l| carries_tcp(l.protocol.as_deref()))
            .filter_map(|l| l.port)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        for port in ports {
            nlb_admits_clients(snap, service, lb, &clients, port, &mut out);
        }
    }
    out
}

/// One listener port of N4a: the NLB's groups admit `clients`, or a finding on its first group.
fn nlb_admits_clients(
    snap: &Snapshot,
    service: &ServiceConfiguration,
    lb: &crate::snapshot::elb::LoadBalancer,
    clients: &BTreeSet<std::net::Ipv4Addr>,
    port: u16,
    out: &mut Inbound,
) {
    let groups = &lb.security_groups;
    let required = Region::from_addrs(
        clients.iter().map(|ip| AddrRange::host(*ip)),
        PortRange::single(port),
    );
    let verdict = security_group::evaluate(snap, groups, RuleDirection::Ingress, &required);
    if verdict.allows() {
        return;
    }
    if !verdict.missing.is_empty() {
        let what = verdict.missing.join("; ");
        for resource in [&lb.load_balancer_arn, &service.service_id] {
            out.missing.push(MissingData {
                resource: resource.clone(),
                what: what.clone(),
            });
        }
        return;
    }
    let uncovered = verdict.uncovered.describe_addrs();
    let problem = format!(
        "{} (the NLB's groups) admit no tcp/{port} from {uncovered} (the consumers' clients: \
         with EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic on, the NLB's inbound rules \
         see PrivateLink traffic from the client's private IP)",
        groups.join(", ")
    );
    let ips: Vec<String> = verdict
        .uncovered
        .addr_ranges()
        .iter()
        .map(|a| {
            // Hosts print bare: a rule wants them as /32s.
            let a = a.to_string();
            if a.contains(['/', '-']) {
                a
            } else {
                format!("{a}/32")
            }
        })
        .collect();
    let fix = format!(
        "allow tcp/{port} from {} on {}, or set \
         EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic to off on the load balancer",
        ips.join(", "),
        groups[0]
    );
    out.findings.push(Finding {
        code: FindingCode::EniSgRulesMismatch,
        component: groups[0].as_str().into(),
        direction: Some(Direction::Ingress),
        source: Some(lb.load_balancer_arn.as_str().into()),
        endpoint: Some(service.service_id.as_str().into()),
        detail: format!("{}: {problem}. Fix: {fix}", service.service_id),
        account: None,
        problem: problem.into(),
        fix: fix.into(),
        traffic: format!("tcp/{port}").into(),
    });
}

/// What every rule of one service needs.
struct Ctx<'a> {
    snap: &'a Snapshot,
    params: &'a RuleParameters,
    service: &'a ServiceConfiguration,
    out: ServiceTrace,
}

fn trace(snap: &Snapshot, params: &RuleParameters, service: &ServiceConfiguration) -> ServiceTrace {
    let mut cx = Ctx {
        snap,
        params,
        service,
        out: ServiceTrace {
            service: service.service_id.clone(),
            service_name: service.service_name.clone().unwrap_or_default(),
            zones: service.availability_zones.clone(),
            load_balancers: Vec::new(),
            findings: Vec::new(),
            missing: Vec::new(),
            notes: Vec::new(),
        },
    };
    if !service.gateway_load_balancer_arns.is_empty() {
        cx.note(format!(
            "{}: Gateway Load Balancer services are not modelled, skipped",
            service.service_id
        ));
    }
    for arn in &service.network_load_balancer_arns {
        match Nlb::resolve(snap, arn) {
            Ok(nlb) => cx.load_balancer(&nlb),
            Err(why) => cx.missing(arn, why),
        }
    }
    consumer_zones(&mut cx);
    let mut out = cx.out;
    hop_findings(&mut out);
    out.findings
        .sort_by(|a, b| (&a.source, a.code, &a.component).cmp(&(&b.source, b.code, &b.component)));
    out.missing.sort();
    out.missing.dedup();
    out
}

impl<'a> Ctx<'a> {
    fn note(&mut self, note: String) {
        self.out.notes.push(note);
    }

    /// A gap: the service (and `resource`, when it is another one) cannot be proven.
    fn missing(&mut self, resource: &str, what: String) {
        for r in [resource, self.service.service_id.as_str()] {
            self.out.missing.push(MissingData {
                resource: r.to_string(),
                what: what.clone(),
            });
        }
    }

    /// A finding about the NLB as a whole (no hop): its listeners, zones or health.
    fn finding(
        &mut self,
        nlb: &Nlb,
        code: FindingCode,
        component: &str,
        problem: String,
        fix: String,
        traffic: &str,
    ) {
        let detail = format!("{}: {problem}. Fix: {fix}", self.service.service_id);
        self.out.findings.push(Finding {
            code,
            component: component.into(),
            direction: None,
            source: Some(nlb.arn().into()),
            endpoint: Some(self.service.service_id.as_str().into()),
            detail,
            account: None,
            problem: problem.into(),
            fix: fix.into(),
            traffic: traffic.into(),
        });
    }

    fn load_balancer(&mut self, nlb: &Nlb<'a>) {
        let elb = &self.snap.elb;
        let mut lb = LoadBalancerTrace {
            arn: nlb.arn().to_string(),
            nodes: nlb.nodes.iter().map(node_text).collect(),
            groups: nlb.groups().to_vec(),
            paths: Vec::new(),
        };
        if !nlb.groups().is_empty() {
            // N4a: `check` judges them against the clients of the report's pairs; a trace of
            // the provider side alone has no clients.
            let off = nlb
                .raw
                .enforce_security_group_inbound_rules_on_private_link_traffic
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("off"));
            self.note(if off {
                format!(
                    "{}: its security groups' inbound rules do not apply to PrivateLink traffic \
                     (EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic = off)",
                    nlb.arn()
                )
            } else {
                format!(
                    "{}: its security groups' inbound rules apply to PrivateLink traffic, from \
                     the clients' private IPs (EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic \
                     = on): checked against the consumers' workloads",
                    nlb.arn()
                )
            });
        }
        if !elb.listeners_known.contains(nlb.arn()) {
            self.missing(
                nlb.arn(),
                format!(
                    "the listeners of {} are not in the snapshot (elbv2 describe-listeners)",
                    nlb.arn()
                ),
            );
        }
        for listener in elb.listeners_of(nlb.arn()) {
            let label = format!(
                "{} {}",
                listener.protocol.as_deref().unwrap_or("TCP"),
                listener.port.map_or("?".to_string(), |p| p.to_string())
            );
            if !carries_tcp(listener.protocol.as_deref()) {
                self.note(format!(
                    "{}: {label} listener not checked (the model checks TCP only)",
                    listener.listener_arn
                ));
                continue;
            }
            let groups = listener.target_groups();
            if groups.is_empty() {
                let problem = format!(
                    "listener {} ({label}) forwards to no target group",
                    listener.listener_arn
                );
                let fix = "add a forward action to a target group to the listener".to_string();
                let traffic = format!("tcp/{}", listener.port.unwrap_or(0));
                self.finding(
                    nlb,
                    FindingCode::Elbv2ListenerHasNoTg,
                    nlb.arn(),
                    problem,
                    fix,
                    &traffic,
                );
                continue;
            }
            for tg_arn in groups {
                match elb.target_groups.get(tg_arn) {
                    Some(tg) => self.target_group(nlb, &label, tg, &mut lb),
                    None => self.missing(
                        tg_arn,
                        format!(
                            "target group {tg_arn} is not in the snapshot's elbv2 \
                             describe-target-groups output"
                        ),
                    ),
                }
            }
        }
        self.out.load_balancers.push(lb);
    }

    fn target_group(
        &mut self,
        nlb: &Nlb<'a>,
        listener: &str,
        tg: &'a TargetGroup,
        lb: &mut LoadBalancerTrace,
    ) {
        let arn = &tg.target_group_arn;
        let (targets, gaps) = match load_balancer::targets(self.snap, tg) {
            Ok(t) => t,
            Err(why) => return self.missing(arn, why),
        };
        for gap in gaps {
            self.missing(arn, gap);
        }
        let cross_zone = nlb.cross_zone(self.snap, tg);
        for target in &targets {
            if let Some(zone) = target.zone.filter(|z| !nlb.has_zone(z)) {
                let problem = format!(
                    "target {} ({}) of {arn} is in {zone}, a zone {} does not have enabled: it \
                     gets no traffic",
                    target.id,
                    target.ip,
                    nlb.arn()
                );
                let fix = format!(
                    "enable {zone} on the load balancer, or register targets in its zones ({})",
                    nlb.zones.join(", ")
                );
                let traffic = format!("tcp/{}", target.port);
                self.finding(
                    nlb,
                    FindingCode::ElbInstalledAzRestriction,
                    nlb.arn(),
                    problem,
                    fix,
                    &traffic,
                );
                continue;
            }
            // Cross-zone unknown: every node is counted as a sender (the fix that admits all
            // of the NLB's addresses is the one AWS recommends anyway).
            let senders: Vec<&NlbNode> = nlb
                .nodes
                .iter()
                .filter(|n| cross_zone != Some(false) || n.zone == target.zone)
                .collect();
            let path = self.target_path(nlb, listener, tg, target, &senders);
            lb.paths.push(path);
        }
        let blockers = health_blockers(&lb.paths, &tg.target_group_arn);
        self.zone_health(nlb, tg, &targets, cross_zone, &blockers);
    }

    fn target_path(
        &self,
        nlb: &Nlb,
        listener: &str,
        tg: &TargetGroup,
        target: &Registered,
        senders: &[&NlbNode],
    ) -> TargetPath {
        let traffic_leg = Leg {
            cx: self,
            nlb,
            target,
            senders,
            port: target.port,
            health: false,
        };
        let hops = traffic_leg.hops();
        let health_hops = match target.health_port {
            // Health checks come from every node (N7).
            Some(port) if port != target.port => {
                let all: Vec<&NlbNode> = nlb.nodes.iter().collect();
                Leg {
                    cx: self,
                    nlb,
                    target,
                    senders: &all,
                    port,
                    health: true,
                }
                .hops()
            }
            _ => Vec::new(),
        };
        TargetPath {
            listener: listener.to_string(),
            target_group: tg.target_group_arn.clone(),
            target: target.id.to_string(),
            eni: target.eni.network_interface_id.clone(),
            address: format!("{}:{}", target.ip, target.port),
            health: target.health_text.clone(),
            senders: senders.iter().map(|n| node_text(n)).collect(),
            traffic: format!("tcp/{}", target.port),
            health_traffic: (!health_hops.is_empty())
                .then(|| format!("tcp/{}", target.health_port.unwrap_or(target.port))),
            hops,
            health_hops,
        }
    }

    /// N5, N6: a target group with no healthy target; an enabled zone without a healthy
    /// target while cross-zone load balancing is off.
    fn zone_health(
        &mut self,
        nlb: &Nlb,
        tg: &TargetGroup,
        targets: &[Registered],
        cross_zone: Option<bool>,
        blockers: &[Arc<str>],
    ) {
        let arn = &tg.target_group_arn;
        let traffic = tg.port.map_or("tcp".to_string(), |p| format!("tcp/{p}"));
        let healthy: Vec<&Registered> = targets
            .iter()
            .filter(|t| t.health == Health::Healthy)
            .collect();
        if healthy.is_empty() {
            let problem = if targets.is_empty() {
                format!("{arn} has no registered target")
            } else {
                let states: Vec<String> = targets
                    .iter()
                    .map(|t| format!("{} {}", t.id, t.health_text))
                    .collect();
                format!("{arn} has no healthy target ({})", states.join(", "))
            };
            // Why they fail is often on their own path: the health checks come from the NLB.
            let problem = match blockers {
                [] => problem,
                _ => format!(
                    "{problem}; the health checks from the NLB's nodes are blocked by {}",
                    join_texts(blockers)
                ),
            };
            let fix =
                format!("register a healthy target in {arn} (and check its health-check path)");
            return self.finding(
                nlb,
                FindingCode::ElbNoHealthyTarget,
                arn,
                problem,
                fix,
                &traffic,
            );
        }
        let bare: Vec<&str> = nlb
            .zones
            .iter()
            .copied()
            .filter(|z| !healthy.iter().any(|t| t.zone == Some(*z)))
            .collect();
        if bare.is_empty() {
            return;
        }
        match cross_zone {
            Some(true) => {}
            Some(false) => {
                let problem = format!(
                    "{} has no healthy target of {arn} in {} and cross-zone load balancing is \
                     off: consumers' connections through that zone fail",
                    nlb.arn(),
                    bare.join(", ")
                );
                let fix = format!(
                    "register a healthy target in {}, or turn cross-zone load balancing on \
                     (load_balancing.cross_zone.enabled)",
                    bare.join(", ")
                );
                self.finding(
                    nlb,
                    FindingCode::ElbNotCrosszone,
                    nlb.arn(),
                    problem,
                    fix,
                    &traffic,
                );
            }
            None => self.missing(
                nlb.arn(),
                format!(
                    "{} has no healthy target of {arn} in {}, and whether cross-zone load \
                     balancing is on is unknown (elbv2 describe-load-balancer-attributes, \
                     wrapped)",
                    nlb.arn(),
                    bare.join(", ")
                ),
            ),
        }
    }
}

/// The components that block the health checks of `tg`'s targets: their own hops when they
/// use another port, else the traffic's.
fn health_blockers(paths: &[TargetPath], tg: &str) -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = Vec::new();
    for path in paths.iter().filter(|p| p.target_group == tg) {
        let hops = if path.health_traffic.is_some() {
            &path.health_hops
        } else {
            &path.hops
        };
        let blocked = hops.iter().filter(|h| h.outcome == Outcome::Blocked);
        for c in blocked.flat_map(|h| &h.components) {
            if !out.contains(c) {
                out.push(Arc::clone(c));
            }
        }
    }
    out
}

/// `10.2.1.17 (eni-…, us-east-1a)`.
fn node_text(n: &NlbNode) -> String {
    format!("{} ({}, {})", n.ip, n.eni, n.zone.unwrap_or(n.subnet_id))
}

/// N5: a consumer's endpoint of the service with an ENI in a zone the service is not
/// available in (only consumers the snapshot holds).
fn consumer_zones(cx: &mut Ctx) {
    let (snap, service) = (cx.snap, cx.service);
    let (Some(name), false) = (&service.service_name, service.availability_zones.is_empty()) else {
        return;
    };
    let Some(source) = service.network_load_balancer_arns.first() else {
        return;
    };
    let ports = load_balancer::listener_ports(snap, name).unwrap_or_default();
    let traffic = crate::text::traffic_label(&ports);
    for ep in snap
        .vpc_endpoints
        .values()
        .filter(|e| &e.service_name == name)
    {
        for eni_id in &ep.network_interface_ids {
            let Some(eni) = snap.network_interfaces.get(eni_id) else {
                continue;
            };
            let Some(zone) = load_balancer::subnet_zone(snap, &eni.subnet_id) else {
                continue;
            };
            if service.availability_zones.iter().any(|z| z == zone) {
                continue;
            }
            let problem = format!(
                "{} has an ENI ({eni_id}) in {zone}, where {} is not available ({})",
                ep.vpc_endpoint_id,
                service.service_id,
                service.availability_zones.join(", ")
            );
            let fix = format!(
                "enable {zone} on the service's load balancer, or move {} to a subnet of {}",
                ep.vpc_endpoint_id,
                service.availability_zones.join(", ")
            );
            cx.out.findings.push(Finding {
                code: FindingCode::ElbInstalledAzRestriction,
                component: ep.vpc_endpoint_id.as_str().into(),
                direction: None,
                source: Some(source.as_str().into()),
                endpoint: Some(service.service_id.as_str().into()),
                detail: format!("{problem}. Fix: {fix}"),
                account: None,
                problem: problem.into(),
                fix: fix.into(),
                traffic: traffic.as_str().into(),
            });
        }
    }
}

/// One leg: the NLB's `senders` to one target on `port`, the traffic or the health checks.
struct Leg<'l, 'a> {
    cx: &'l Ctx<'a>,
    nlb: &'l Nlb<'l>,
    target: &'l Registered<'l>,
    senders: &'l [&'l NlbNode<'l>],
    port: u16,
    health: bool,
}

impl Leg<'_, '_> {
    /// N4: the NLB's groups out, its subnets' ACLs out, the target subnet's ACL in, the
    /// target's groups in; the reply on the ephemeral ports through both ACLs.
    fn hops(&self) -> Vec<Hop> {
        let mut hops = Vec::new();
        if !self.nlb.groups().is_empty() {
            hops.push(self.nlb_egress());
        }
        let target_subnet = self.target.eni.subnet_id.as_str();
        let crossing: Vec<&NlbNode> = self
            .senders
            .iter()
            .copied()
            .filter(|n| n.subnet_id != target_subnet)
            .collect();
        let subnets: BTreeSet<&str> = crossing.iter().map(|n| n.subnet_id).collect();
        let to_target = Region::from_addrs(
            [AddrRange::host(self.target.ip)],
            PortRange::single(self.port),
        );
        let from_nodes = Region::from_addrs(
            crossing.iter().map(|n| AddrRange::host(n.ip)),
            PortRange::single(self.port),
        );
        let eph = self.cx.params.ephemeral_ports;
        let replies_to_nodes =
            Region::from_addrs(crossing.iter().map(|n| AddrRange::host(n.ip)), eph);
        let replies_from_target = Region::from_addrs([AddrRange::host(self.target.ip)], eph);
        let target_cidr = subnet_cidr(self.cx.snap, target_subnet);
        let node_cidrs: Vec<String> = subnets
            .iter()
            .map(|s| subnet_cidr(self.cx.snap, s))
            .collect();
        let node_cidrs = node_cidrs.join(", ");
        for s in &subnets {
            hops.push(self.acl(HopKind::AclOutbound, s, &to_target, &target_cidr));
        }
        if !crossing.is_empty() {
            hops.push(self.acl(HopKind::AclInbound, target_subnet, &from_nodes, &node_cidrs));
        }
        hops.push(self.target_ingress());
        if !crossing.is_empty() {
            hops.push(self.acl(
                HopKind::AclReturnOutbound,
                target_subnet,
                &replies_to_nodes,
                &node_cidrs,
            ));
        }
        for s in &subnets {
            hops.push(self.acl(
                HopKind::AclReturnInbound,
                s,
                &replies_from_target,
                &target_cidr,
            ));
        }
        hops
    }

    fn code(&self, code: FindingCode) -> FindingCode {
        if self.health {
            FindingCode::ElbHealthCheckBlocked
        } else {
            code
        }
    }

    fn what(&self) -> String {
        if self.health {
            format!("health checks tcp/{}", self.port)
        } else {
            format!("tcp/{}", self.port)
        }
    }

    fn nlb_egress(&self) -> Hop {
        let groups = self.nlb.groups();
        let required = Region::from_addrs(
            [AddrRange::host(self.target.ip)],
            PortRange::single(self.port),
        );
        let verdict =
            security_group::evaluate(self.cx.snap, groups, RuleDirection::Egress, &required);
        let components: Vec<Arc<str>> = groups.iter().map(|g| Arc::from(g.as_str())).collect();
        if verdict.allows() {
            return Hop::allowed(
                HopKind::SecurityGroupEgress,
                components,
                join(&verdict.allowed_by),
            );
        }
        if !verdict.missing.is_empty() {
            return Hop::unknown(
                HopKind::SecurityGroupEgress,
                components,
                verdict.missing.join("; "),
            );
        }
        let problem = format!(
            "{} (the NLB's groups) allow no egress {} to target {} ({})",
            groups.join(", "),
            self.what(),
            self.target.id,
            self.target.ip
        );
        let fix = format!(
            "allow egress tcp/{} to {}/32 on {}",
            self.port, self.target.ip, groups[0]
        );
        Hop::blocked(
            HopKind::SecurityGroupEgress,
            components,
            self.code(FindingCode::EniSgRulesMismatch),
            problem,
            fix,
        )
    }

    /// The target's groups must admit the NLB's private IPs (or its subnets, or its group).
    fn target_ingress(&self) -> Hop {
        let eni = self.target.eni;
        let groups: Vec<&str> = eni.groups.iter().map(|g| g.group_id.as_str()).collect();
        let required = Region::from_addrs(
            self.senders.iter().map(|n| AddrRange::host(n.ip)),
            PortRange::single(self.port),
        );
        let verdict =
            security_group::evaluate(self.cx.snap, &groups, RuleDirection::Ingress, &required);
        let components: Vec<Arc<str>> = if groups.is_empty() {
            vec![Arc::from(eni.network_interface_id.as_str())]
        } else {
            groups.iter().map(|g| Arc::from(*g)).collect()
        };
        if verdict.allows() {
            return Hop::allowed(
                HopKind::SecurityGroupIngress,
                components,
                join(&verdict.allowed_by),
            );
        }
        if !verdict.missing.is_empty() {
            return Hop::unknown(
                HopKind::SecurityGroupIngress,
                components,
                verdict.missing.join("; "),
            );
        }
        let on = groups
            .first()
            .copied()
            .unwrap_or(eni.network_interface_id.as_str());
        let ips: Vec<String> = self
            .senders
            .iter()
            .map(|n| format!("{}/32", n.ip))
            .collect();
        let problem = format!(
            "{} (on target {} {}) admit no {} from {} (the NLB's private IPs: PrivateLink \
             traffic reaches targets from the load balancer's nodes, not from the clients)",
            groups.join(", "),
            self.target.id,
            self.target.ip,
            self.what(),
            verdict.uncovered.describe_addrs()
        );
        let fix = match self.nlb.groups().first() {
            Some(g) => format!(
                "allow tcp/{} from the NLB's security group {g} on {on}",
                self.port
            ),
            None => format!(
                "allow tcp/{} from {} (the NLB's private IPs) on {on}",
                self.port,
                ips.join(", ")
            ),
        };
        Hop::blocked(
            HopKind::SecurityGroupIngress,
            components,
            self.code(FindingCode::EniSgRulesMismatch),
            problem,
            fix,
        )
    }

    /// One direction of a subnet's ACL for `required`; `fix_peer` names the CIDR(s) a fixing
    /// entry should allow.
    fn acl(&self, kind: HopKind, subnet_id: &str, required: &Region, fix_peer: &str) -> Hop {
        let snap = self.cx.snap;
        let traffic = match kind {
            HopKind::AclOutbound | HopKind::AclReturnOutbound => Traffic::Outbound,
            _ => Traffic::Inbound,
        };
        let acl = snap.index.subnet_acl.get(subnet_id);
        let Some((id, (outbound, inbound))) =
            acl.and_then(|id| snap.index.acl_entries.get_key_value(id))
        else {
            let problem = format!(
                "no network ACL for {subnet_id} in the snapshot (describe-network-acls, describe-subnets)"
            );
            return Hop::unknown(kind, vec![Arc::from(subnet_id)], problem);
        };
        let (entries, word, preposition) = match traffic {
            Traffic::Outbound => (outbound, "outbound", "to"),
            Traffic::Inbound => (inbound, "inbound", "from"),
        };
        let verdict = network_acl::evaluate_sorted(entries, required);
        let components = vec![Arc::from(id.as_str())];
        if verdict.allows() {
            return Hop::allowed(
                kind,
                components,
                format!("{id} ({subnet_id}): {}", join(&verdict.allowed_by)),
            );
        }
        let reply = matches!(kind, HopKind::AclReturnOutbound | HopKind::AclReturnInbound);
        let leg = if reply {
            format!("the replies of {}", self.what())
        } else {
            self.what()
        };
        let problem = format!(
            "{id} ({subnet_id}) {word} drops tcp/{} {preposition} {} ({}): {leg} between the NLB \
             and target {}",
            verdict.denied.describe_ports(),
            verdict.denied.describe_addrs(),
            join(&verdict.denied_by),
            self.target.id
        );
        let position = match verdict.first_deny() {
            Some(n) if n != IMPLICIT_DENY => format!(" numbered below {n}"),
            _ => String::new(),
        };
        let fix = format!(
            "add an {word} allow tcp/{} {preposition} {fix_peer} to {id}{position}",
            required.describe_ports()
        );
        Hop::blocked(
            kind,
            components,
            self.code(FindingCode::SubnetAclRestriction),
            problem,
            fix,
        )
    }
}

/// The subnet's CIDR for fixes, or its id when the subnet is unknown.
fn subnet_cidr(snap: &Snapshot, subnet_id: &str) -> String {
    snap.subnets
        .get(subnet_id)
        .and_then(|s| s.cidr_block)
        .map(crate::text::cidr)
        .unwrap_or_else(|| subnet_id.to_string())
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(T::to_string).collect();
    parts.join("; ")
}

/// A blocked hop's blame, merged over every path of one NLB: (NLB, code, component, direction).
type Blame = (String, FindingCode, Arc<str>, Option<Direction>);

/// The texts of one [`Blame`], each once, in path order.
struct Merged {
    blame: Blame,
    problems: Vec<Arc<str>>,
    fixes: Vec<Arc<str>>,
    traffic: String,
}

impl Merged {
    fn add(&mut self, hop: &Hop) {
        if !self.problems.contains(&hop.problem) {
            self.problems.push(Arc::clone(&hop.problem));
        }
        if !self.fixes.contains(&hop.fix) {
            self.fixes.push(Arc::clone(&hop.fix));
        }
    }
}

/// One finding per (NLB, code, component, direction) of the blocked hops, texts merged; a
/// gap per unknown hop.
fn hop_findings(out: &mut ServiceTrace) {
    let mut merged: Vec<Merged> = Vec::new();
    let mut gaps = Vec::new();
    for lb in &out.load_balancers {
        for path in &lb.paths {
            let health = path.health_traffic.as_ref().unwrap_or(&path.traffic);
            let legs = path.hops.iter().map(|h| (h, &path.traffic));
            for (hop, traffic) in legs.chain(path.health_hops.iter().map(|h| (h, health))) {
                match (hop.outcome, hop.code) {
                    (Outcome::Blocked, Some(code)) => {
                        blame(&mut merged, &lb.arn, code, hop, traffic);
                    }
                    (Outcome::Unknown, _) => {
                        let what = hop.problem.to_string();
                        let resources = hop.components.iter().map(|c| c.to_string());
                        for resource in resources.chain([out.service.clone()]) {
                            let what = what.clone();
                            gaps.push(MissingData { resource, what });
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for m in merged {
        let (lb, code, component, direction) = m.blame;
        let problem: Arc<str> = join_texts(&m.problems).into();
        let fix: Arc<str> = join_texts(&m.fixes).into();
        out.findings.push(Finding {
            code,
            component,
            direction,
            source: Some(lb.as_str().into()),
            endpoint: Some(out.service.as_str().into()),
            detail: format!("{} behind {}: {problem}. Fix: {fix}", lb, out.service),
            account: None,
            problem,
            fix,
            traffic: m.traffic.into(),
        });
    }
    out.missing.extend(gaps);
}

/// Records a blocked hop against each of its components.
fn blame(merged: &mut Vec<Merged>, lb: &str, code: FindingCode, hop: &Hop, traffic: &str) {
    for c in &hop.components {
        let blame = (lb.to_string(), code, Arc::clone(c), hop.kind.direction());
        match merged.iter_mut().find(|m| m.blame == blame) {
            Some(m) => m.add(hop),
            None => merged.push(Merged {
                blame,
                problems: vec![Arc::clone(&hop.problem)],
                fixes: vec![Arc::clone(&hop.fix)],
                traffic: traffic.to_string(),
            }),
        }
    }
}

fn join_texts(texts: &[Arc<str>]) -> String {
    let parts: Vec<&str> = texts.iter().map(|t| &**t).collect();
    parts.join("; ")
}
