//! Hop builders shared by interface and gateway paths.

use std::sync::Arc;

use crate::addr_family::AddrFamily;
use crate::endpoint::{policy_blocks_everything, Endpoint, EndpointKind};
use crate::finding::FindingCode;
use crate::network_acl::{self, Traffic, IMPLICIT_DENY};
use crate::params::RuleParameters;
use crate::security_group::{self, RuleDirection, SgVerdictOf};
use crate::snapshot::Snapshot;
use crate::space::{AddrRange, AddrRangeOf, PortRange, Region, RegionOf};
use crate::text::{self, IpText, Piece};

use super::{AclHop, Ctx, Hop, HopKind};

/// `addrs × ports` for a list of single service ports.
pub(crate) fn service_region<F: AddrFamily>(
    addrs: &[AddrRangeOf<F>],
    ports: &[u16],
) -> RegionOf<F> {
    let mut ports = ports.to_vec();
    ports.sort_unstable();
    ports.dedup();
    let mut region = RegionOf::empty();
    for &port in &ports {
        region.absorb(RegionOf::from_addrs(
            addrs.iter().copied(),
            PortRange::single(port),
        ));
    }
    region
}

/// The hops about the endpoint as a whole: state, policy, data, DNS, for a workload of the
/// endpoint's own VPC.
pub(crate) fn common(snap: &Snapshot, params: &RuleParameters, ep: &Endpoint) -> Vec<Hop> {
    common_from(snap, params, ep, &ep.raw.vpc_id)
}

/// True when a workload of `client_vpc` gets other DNS hops than the endpoint's own VPC: a
/// workload of another VPC, with DNS data (docs/spec.md D10). Without DNS data the check is
/// what it was before issue 15: the endpoint's own hops.
pub(crate) fn dns_from_client(snap: &Snapshot, ep: &Endpoint, client_vpc: &str) -> bool {
    client_vpc != ep.raw.vpc_id && ep.kind == EndpointKind::Interface && !snap.dns.is_empty()
}

/// [`common`] for a workload of `client_vpc`: the DNS hops are decided from that VPC (its DNS
/// attributes, its DHCP option set, what the service's name resolves to from it: D10).
pub(crate) fn common_from(
    snap: &Snapshot,
    params: &RuleParameters,
    ep: &Endpoint,
    client_vpc: &str,
) -> Vec<Hop> {
    let id = vec![ep.id().to_string()];
    let mut hops = Vec::new();
    if ep.is_available() {
        hops.push(Hop::allowed(
            HopKind::EndpointState,
            id.clone(),
            "available".into(),
        ));
    } else {
        let state = ep.raw.state.clone().unwrap_or_default();
        let problem = format!("{} is `{state}`, not available", ep.label());
        let fix = format!("accept, repair or recreate {}", ep.id());
        hops.push(Hop::blocked(
            HopKind::EndpointState,
            id,
            FindingCode::EndpointNotAvailable,
            problem,
            fix,
        ));
        return hops;
    }
    hops.push(policy_hop(ep));
    if !ep.missing.is_empty() {
        hops.push(Hop::unknown(
            HopKind::EndpointData,
            vec![ep.id().to_string()],
            ep.missing.join("; "),
        ));
    }
    if dns_from_client(snap, ep, client_vpc) {
        hops.extend(client_dns_hops(snap, params, ep, client_vpc));
    } else if ep.kind == EndpointKind::Interface {
        hops.extend(dns_hops(snap, params, ep));
    }
    hops
}

fn policy_hop(ep: &Endpoint) -> Hop {
    let id = vec![ep.id().to_string()];
    match policy_blocks_everything(ep.raw.policy_document.as_deref(), &ep.raw.service_name) {
        None => Hop::allowed(
            HopKind::EndpointPolicy,
            id,
            "does not deny everything".into(),
        ),
        Some(why) => {
            let fix = format!(
                "edit the policy of {} to allow the calls the workloads make",
                ep.id()
            );
            Hop::blocked(
                HopKind::EndpointPolicy,
                id,
                FindingCode::EndpointPolicyDenies,
                why,
                fix,
            )
        }
    }
}

/// Private DNS and the VPC's DNS attributes (docs/spec.md I6, R6). They block only pairs of required
/// services: without private DNS a workload can still use the endpoint-specific DNS names.
fn dns_hops(snap: &Snapshot, params: &RuleParameters, ep: &Endpoint) -> Vec<Hop> {
    let required = params.requires(&ep.raw.service_name);
    let private_dns = ep.raw.private_dns_enabled.unwrap_or(false);
    // A zone of the VPC that resolves the service's name to this endpoint does what private
    // DNS would (docs/spec.md D5: the centralized pattern turns private DNS off).
    let zone = if private_dns {
        None
    } else {
        crate::dns::zone_serving(snap, &ep.raw.vpc_id, ep.raw)
    };
    let mut hops = vec![match zone {
        // The zone is on the path: a working pair makes it COMPLIANT (docs/spec.md section 10).
        Some(zone) => Hop::allowed(
            HopKind::PrivateDns,
            vec![ep.id().to_string(), zone.clone()],
            format!(
                "off, but private hosted zone {zone} resolves the service name to the endpoint"
            ),
        ),
        None => match crate::dns::records_gap(snap, &ep.raw.vpc_id, ep.raw) {
            // The zone that answers cannot be read: it may well serve the endpoint (D9).
            Some(gap) if !private_dns && required => Hop::unknown(
                HopKind::PrivateDns,
                vec![ep.id().to_string()],
                format!("off; what the service name resolves to: {}", gap.describe()),
            ),
            _ => private_dns_hop(ep, private_dns, required),
        },
    }];
    hops.push(vpc_dns_hop(snap, &ep.raw.vpc_id, required));
    hops.extend(resolver_hop(snap, &ep.raw.vpc_id));
    hops
}

/// The DNS attributes of `vpc` (docs/spec.md I6, R6): off, they block only pairs of required
/// services.
fn vpc_dns_hop(snap: &Snapshot, vpc: &str, required: bool) -> Hop {
    let vpc = vpc.to_string();
    let dns = snap.vpc_dns.get(&vpc).copied().unwrap_or_default();
    let off: Vec<&str> = [
        ("enableDnsSupport", dns.enable_dns_support),
        ("enableDnsHostnames", dns.enable_dns_hostnames),
    ]
    .into_iter()
    .filter(|(_, v)| *v == Some(false))
    .map(|(name, _)| name)
    .collect();
    if !off.is_empty() && required {
        let problem = format!(
            "{vpc} has {} off, so the service name does not resolve to the endpoint",
            off.join(" and ")
        );
        let fix = format!(
            "turn on {} for {vpc} (aws ec2 modify-vpc-attribute)",
            off.join(" and ")
        );
        Hop::blocked(
            HopKind::VpcDns,
            vec![vpc],
            FindingCode::VpcDnsDisabled,
            problem,
            fix,
        )
    } else if !off.is_empty() {
        Hop::allowed(
            HopKind::VpcDns,
            vec![vpc.clone()],
            format!(
                "{} off (checked only for RequiredServices)",
                off.join(" and ")
            ),
        )
    } else if dns.enable_dns_support.is_none() || dns.enable_dns_hostnames.is_none() {
        Hop::allowed(
            HopKind::VpcDns,
            vec![vpc.clone()],
            format!("DNS attributes of {vpc} not in the snapshot: not checked"),
        )
    } else {
        Hop::allowed(
            HopKind::VpcDns,
            vec![vpc],
            "enableDnsSupport and enableDnsHostnames on".into(),
        )
    }
}

/// D1: with custom DNS servers the service name may resolve anywhere: the VPC's pairs
/// cannot be proven (docs/spec.md section 10), whatever the network path says.
fn resolver_hop(snap: &Snapshot, vpc: &str) -> Option<Hop> {
    let (dopt, gap) = crate::dns::resolver_gap(snap, vpc)?;
    Some(Hop::unknown(
        HopKind::VpcDns,
        vec![dopt],
        format!("what the service name resolves to: {}", gap.describe()),
    ))
}

/// D10: the DNS hops of a workload of `client_vpc`, another VPC than the endpoint's (over a
/// transit gateway or peering connection). The endpoint's private DNS answers in its own VPC
/// only (D5): what counts is what the service's name resolves to from the workload's VPC, and
/// that VPC's attributes and DHCP option set.
fn client_dns_hops(
    snap: &Snapshot,
    params: &RuleParameters,
    ep: &Endpoint,
    client_vpc: &str,
) -> Vec<Hop> {
    let required = params.requires(&ep.raw.service_name);
    let mut hops = vec![resolution_hop(snap, params, ep, client_vpc, required)];
    hops.push(vpc_dns_hop(snap, client_vpc, required));
    hops.extend(resolver_hop(snap, client_vpc));
    hops
}

/// D10: what the service's name resolves to from `client_vpc`, for a pair with `ep`. A zone
/// of that VPC resolving it to `ep` is on the path; otherwise an unrequired service is reached
/// by the endpoint-specific names, and a required one is blocked by the cause the VPC's own
/// finding names (`dns::verdict`, the decision `check::dns` words), never by the endpoint.
fn resolution_hop(
    snap: &Snapshot,
    params: &RuleParameters,
    ep: &Endpoint,
    client_vpc: &str,
    required: bool,
) -> Hop {
    let id = ep.id().to_string();
    if !crate::dns::amazon_resolver(snap, client_vpc) {
        // The VPC DNS hops that follow decide (attributes off, custom DHCP DNS: D1).
        return Hop::not_crossed(
            HopKind::PrivateDns,
            format!("what the service name resolves to from {client_vpc}: see its VPC DNS hops"),
        );
    }
    let verdict = if required {
        served_by(snap, params, ep, client_vpc)
    } else {
        None
    };
    match verdict {
        Some(Err(hop)) => hop,
        Some(Ok(why)) => Hop::allowed(HopKind::PrivateDns, vec![id], why),
        // The zone is on the path: a working pair makes it COMPLIANT (docs/spec.md section 10).
        None => match crate::dns::zone_serving(snap, client_vpc, ep.raw) {
            Some(zone) => Hop::allowed(
                HopKind::PrivateDns,
                vec![id, zone.clone()],
                format!(
                    "private hosted zone {zone} resolves the service name from {client_vpc} to the endpoint"
                ),
            ),
            None if required => Hop::allowed(
                HopKind::PrivateDns,
                vec![id],
                format!("the service name resolves to it from {client_vpc}"),
            ),
            None => Hop::allowed(
                HopKind::PrivateDns,
                vec![id],
                format!(
                    "the service name does not resolve to it from {client_vpc}: only the \
                     endpoint-specific DNS names reach it"
                ),
            ),
        },
    }
}

/// The verdict on `ep`'s (required) service from `client_vpc` when it is not "resolves to
/// `ep`" (`None`): `Ok` when the VPC is served otherwise (why, for people), `Err` the hop that
/// blocks or cannot be decided.
fn served_by(
    snap: &Snapshot,
    params: &RuleParameters,
    ep: &Endpoint,
    client_vpc: &str,
) -> Option<Result<String, Hop>> {
    use crate::dns::verdict::{self, Cause};
    let service = &ep.raw.service_name;
    let entry = params
        .required_services
        .iter()
        .find(|s| crate::params::service_matches(s, service))
        .map_or(service.as_str(), String::as_str);
    let local = local_endpoints(snap, client_vpc, entry);
    let vpc = client_vpc.to_string();
    Some(
        match verdict::required_service(snap, client_vpc, entry, local) {
            Cause::Served(Some(e)) if e == ep.id() => return None,
            Cause::Served(Some(e)) => Ok(format!(
                "the service name resolves from {vpc} to {e}: this endpoint only by its \
             endpoint-specific DNS names"
            )),
            Cause::Served(None) => Ok(format!(
                "the service's names resolve from {vpc} to endpoints of the service"
            )),
            Cause::Local => Ok(format!(
                "{vpc} has an endpoint of its own for the service: its pairs judge its DNS"
            )),
            Cause::NotChecked => Ok("what the service name resolves to: not checked".into()),
            Cause::Blocked(b) | Cause::NotAmazonProvided(b, _) => Err(Hop::blocked(
                HopKind::PrivateDns,
                vec![b.component],
                b.code,
                b.problem,
                b.fix,
            )),
            Cause::Unproven(gap) => Err(Hop::unknown(
                HopKind::PrivateDns,
                vec![vpc.clone()],
                format!(
                    "what the service name resolves to from {vpc}: {}",
                    gap.describe()
                ),
            )),
            Cause::NoEndpoint(why) => Err(Hop::blocked(
                HopKind::PrivateDns,
                vec![vpc.clone()],
                FindingCode::NoEndpointForService,
                format!("the service name resolves to no endpoint from {vpc} ({why})"),
                format!(
                    "associate a private hosted zone resolving the service name to {} with {vpc}, \
                 or create an interface endpoint for {entry} in {vpc}",
                    ep.id()
                ),
            )),
        },
    )
}

/// What `vpc` has of its own for `service`: its endpoints the check models (D10 asks the same
/// question as `check::dns` does with the VPC's resolved endpoints).
fn local_endpoints(snap: &Snapshot, vpc: &str, service: &str) -> crate::dns::verdict::Local {
    let mut local = crate::dns::verdict::Local::default();
    for e in snap.vpc_endpoints.values().filter(|e| {
        e.vpc_id == vpc
            && crate::params::service_matches(service, &e.service_name)
            && !crate::endpoint::is_gone(e)
    }) {
        match e.vpc_endpoint_type.to_ascii_lowercase().as_str() {
            "interface" => local.interface = true,
            "gateway" => local.gateway = true,
            _ => {}
        }
    }
    local
}

fn private_dns_hop(ep: &Endpoint, on: bool, required: bool) -> Hop {
    let id = vec![ep.id().to_string()];
    if on {
        return Hop::allowed(
            HopKind::PrivateDns,
            id,
            "on: the service name resolves to the endpoint ENIs".into(),
        );
    }
    if !required {
        return Hop::allowed(
            HopKind::PrivateDns,
            id,
            "off: only the endpoint-specific DNS names reach it".into(),
        );
    }
    let problem = format!(
        "{} has private DNS off: SDKs using the default hostname bypass it",
        ep.label()
    );
    let fix = format!(
        "enable private DNS on {} (aws ec2 modify-vpc-endpoint --private-dns-enabled)",
        ep.id()
    );
    Hop::blocked(
        HopKind::PrivateDns,
        id,
        FindingCode::PrivateDnsDisabled,
        problem,
        fix,
    )
}

/// The workload's security groups, outbound, for `required` (destinations × service ports).
/// `problem` words what is missing from the uncovered part; `fix_peer` is the recommended
/// destination of a fixing rule.
pub(super) fn sg_egress(
    cx: &Ctx,
    required: &Region,
    problem: &dyn Fn(&Region) -> String,
    fix_peer: &str,
) -> Hop {
    let workload = cx.workload;
    let verdict =
        security_group::evaluate(cx.snap, &workload.groups, RuleDirection::Egress, required);
    let components = blame(&workload.groups, workload.id());
    if verdict.allows() {
        return Hop::allowed(
            HopKind::SecurityGroupEgress,
            components,
            cx.say(|| join(&verdict.allowed_by)),
        );
    }
    if !verdict.missing.is_empty() {
        return Hop::unknown(
            HopKind::SecurityGroupEgress,
            components,
            verdict.missing.join("; "),
        );
    }
    sg_egress_blocked(cx, problem(&verdict.uncovered), fix_peer)
}

/// The workload's groups allow too little outbound: `problem` says what, `fix_peer` is the
/// recommended destination of a fixing rule.
pub(super) fn sg_egress_blocked(cx: &Ctx, problem: String, fix_peer: &str) -> Hop {
    let workload = cx.workload;
    // Name the group to edit too: with several groups on the ENI, any one of them will do.
    let on = match workload.groups.len() {
        0 => "",
        1 => " on ",
        _ => " on one of ",
    };
    let fix = text::build(&[
        Piece::Str("allow egress "),
        Piece::Str(&cx.endpoint.traffic),
        Piece::Str(" to "),
        Piece::Str(fix_peer),
        Piece::Str(on),
        Piece::JoinedStrs(&workload.groups, ", "),
    ]);
    let components = blame(&workload.groups, workload.id());
    Hop::blocked(
        HopKind::SecurityGroupEgress,
        components,
        FindingCode::EniSgRulesMismatch,
        problem,
        fix,
    )
}

/// The endpoint's security groups, inbound, for the workload's address.
pub(super) fn sg_ingress(cx: &Ctx) -> Hop {
    let (workload, ep) = (cx.workload, cx.endpoint);
    let groups = ep.group_ids();
    let required = service_region(&[AddrRange::host(workload.ip)], &ep.ports);
    let verdict = security_group::evaluate(cx.snap, groups, RuleDirection::Ingress, &required);
    let components = blame(groups, ep.id());
    if verdict.allows() {
        return Hop::allowed(
            HopKind::SecurityGroupIngress,
            components,
            cx.say(|| join(&verdict.allowed_by)),
        );
    }
    if !verdict.missing.is_empty() {
        return Hop::unknown(
            HopKind::SecurityGroupIngress,
            components,
            verdict.missing.join("; "),
        );
    }
    sg_ingress_blocked(cx)
}

/// The endpoint's groups admit the workload on too few service ports.
pub(super) fn sg_ingress_blocked(cx: &Ctx) -> Hop {
    let (workload, ep) = (cx.workload, cx.endpoint);
    let components = blame(ep.group_ids(), ep.id());
    let traffic = &ep.traffic;
    let ip = IpText::new(workload.ip);
    let source = workload.groups.first().copied().unwrap_or(ip.as_str());
    let problem = text::build(&[
        Piece::JoinedShared(&components, ", "),
        Piece::Str(" admit no "),
        Piece::Str(traffic),
        Piece::Str(" from "),
        Piece::Str(ip.as_str()),
        Piece::Str(" ("),
        Piece::JoinedStrs(&workload.groups, ", "),
        Piece::Str(")"),
    ]);
    let fix = text::concat(&[
        "allow ingress ",
        traffic,
        " on ",
        &components[0],
        " from ",
        source,
    ]);
    Hop::blocked(
        HopKind::SecurityGroupIngress,
        components,
        FindingCode::EniSgRulesMismatch,
        problem,
        fix,
    )
}

/// A security group hop the verdict settles without a fix: allowed (naming the rules that
/// allow it) or unknown (the data missing). `Err` hands back the blamed components of a
/// verdict that blocks, for the caller to word its finding.
pub(super) fn sg_settled<F: AddrFamily>(
    cx: &Ctx,
    kind: HopKind,
    groups: &[impl AsRef<str>],
    owner: &str,
    verdict: &SgVerdictOf<'_, F>,
) -> Result<Hop, Vec<Arc<str>>> {
    let components = blame(groups, owner);
    if verdict.allows() {
        let detail = cx.say(|| join(&verdict.allowed_by));
        return Ok(Hop::allowed(kind, components, detail));
    }
    if !verdict.missing.is_empty() {
        return Ok(Hop::unknown(kind, components, verdict.missing.join("; ")));
    }
    Err(components)
}

/// How a subnet got its route table, as a route hop's detail says it.
pub(super) fn table_how(via_main: bool) -> &'static str {
    if via_main {
        "main table"
    } else {
        "explicit association"
    }
}

/// Groups blame together; an ENI without groups is blamed itself.
pub(super) fn blame(groups: &[impl AsRef<str>], owner: &str) -> Vec<Arc<str>> {
    if groups.is_empty() {
        vec![Arc::from(owner)]
    } else {
        groups.iter().map(|g| Arc::from(g.as_ref())).collect()
    }
}

/// Items (rules, entries) as a finding lists them: `a; b`.
pub(super) fn join<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(T::to_string).collect();
    parts.join("; ")
}

/// One direction of the ACL of `subnet_id` for `required` (peer addresses × destination
/// ports). `fix_peer` is the CIDR a fixing entry should name.
pub(super) fn acl(
    cx: &Ctx,
    hop: AclHop,
    subnet_id: &str,
    required: &Region,
    fix_peer: &str,
) -> Hop {
    let kind = hop.kind();
    let acl = cx.snap.index.subnet_acl.get(subnet_id);
    let Some((id, (outbound, inbound))) =
        acl.and_then(|id| cx.snap.index.acl_entries.get_key_value(id))
    else {
        let problem = subnet_gap(cx.snap, subnet_id, SubnetUses::Acl);
        return Hop::unknown(kind, vec![subnet_id.to_string()], problem);
    };
    let id = id.clone();
    let (entries, word, preposition) = match hop.traffic() {
        Traffic::Outbound => (outbound, "outbound", "to"),
        Traffic::Inbound => (inbound, "inbound", "from"),
    };
    let verdict = network_acl::evaluate_sorted(entries, required);
    if verdict.allows() {
        let detail = cx.say(|| format!("{id} ({subnet_id}): {}", join(&verdict.allowed_by)));
        return Hop::allowed(kind, vec![id], detail);
    }
    let ports = required.describe_ports();
    let problem = format!(
        "{id} ({subnet_id}) {word} drops tcp/{} {preposition} {} ({})",
        verdict.denied.describe_ports(),
        verdict.denied.describe_addrs(),
        join(&verdict.denied_by)
    );
    let position = match verdict.first_deny() {
        Some(n) if n != IMPLICIT_DENY => format!(" numbered below {n}"),
        _ => String::new(),
    };
    let fix = format!("add an {word} allow tcp/{ports} {preposition} {fix_peer} to {id}{position}");
    Hop::blocked(
        kind,
        vec![id],
        FindingCode::SubnetAclRestriction,
        problem,
        fix,
    )
}

/// What a subnet uses that the snapshot may lack.
#[derive(Debug, Clone, Copy)]
pub(super) enum SubnetUses {
    /// Its network ACL.
    Acl,
    /// Its route table.
    RouteTable,
}

/// Why the snapshot has no ACL or route table for `subnet_id`, naming the describe output
/// that lacks it: the subnet itself (whose VPC's default ACL or main table would apply), or
/// an association and the VPC's default.
pub(super) fn subnet_gap(snap: &Snapshot, subnet_id: &str, uses: SubnetUses) -> String {
    let (what, call, default) = match uses {
        SubnetUses::Acl => ("network ACL", "describe-network-acls", "default ACL"),
        SubnetUses::RouteTable => ("route table", "describe-route-tables", "main table"),
    };
    if snap.subnets.contains_key(subnet_id) {
        format!(
            "no {what} for {subnet_id} in the snapshot's {call} output (none associated, \
             no {default} for its VPC)"
        )
    } else {
        format!(
            "{subnet_id} is not in the snapshot's describe-subnets output and no {what} \
             is associated with it: its {what} is unknown"
        )
    }
}

impl Ctx<'_> {
    /// The explanation of an allowed hop, only when someone will read it.
    pub(crate) fn say(&self, explain: impl FnOnce() -> String) -> String {
        if self.detail {
            explain()
        } else {
            String::new()
        }
    }
}
