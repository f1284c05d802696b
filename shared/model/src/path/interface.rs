//! Interface endpoints: one target per ENI (SPEC I1-I5).

use std::sync::Arc;

use ipnet::Ipv4Net;

use crate::compiled::Compiled;
use crate::endpoint::EndpointEni;
use crate::finding::FindingCode;
use crate::network_acl::Traffic;
use crate::route;
use crate::security_group::RuleDirection;
use crate::space::{display_cidr, AddrRange, PortRange, Region};
use crate::text::{self, IpText, Piece};

use super::hops::{self, service_region};
use super::{Ctx, Hop, HopKind, Target};

/// One target per ENI the snapshot holds.
pub fn targets(cx: &Ctx) -> Vec<Target> {
    cx.endpoint.enis.iter().map(|eni| target(cx, eni)).collect()
}

/// The hops towards one ENI, forward leg then reply leg. `check` calls the hop builders one by
/// one instead, remembering each by what it depends on.
fn target(cx: &Ctx, eni: &EndpointEni) -> Target {
    let mut hops = vec![egress(cx, eni), route(cx, eni)];
    if cx.workload.eni.subnet_id == eni.subnet_id {
        let why = format!("same subnet {}: no network ACL between them", eni.subnet_id);
        for kind in [HopKind::AclOutbound, HopKind::AclInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
        hops.push(ingress(cx));
        for kind in [HopKind::AclReturnOutbound, HopKind::AclReturnInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
    } else {
        hops.extend([
            acl_out(cx, eni),
            acl_in(cx, eni),
            ingress(cx),
            reply_out(cx, eni),
            reply_in(cx, eni),
        ]);
    }
    Target {
        id: eni.id.clone(),
        address: eni.ip.to_string(),
        hops,
    }
}

/// The workload's groups, outbound to the ENI on every service port. Depends on the workload's
/// group list and the ENI.
pub(crate) fn egress(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let (ip, ports) = (u32::from(eni.ip), &cx.endpoint.ports);
    match cx.compiled().and_then(|c| {
        c.group_set(&cx.workload.groups)
            .decide(RuleDirection::Egress, ip, ports)
    }) {
        Some(true) => Hop::allowed(
            HopKind::SecurityGroupEgress,
            Vec::<Arc<str>>::new(),
            String::new(),
        ),
        // The wording of a refusal needs no exact evaluation: it names the allowed forms.
        Some(false) => {
            hops::sg_egress_blocked(cx, egress_problem(cx, eni), &egress_fix_peer(cx, eni))
        }
        None => sg_egress(cx, eni),
    }
}

/// The workload subnet's route to the ENI. Depends on the workload's subnet and the ENI.
pub(crate) fn route(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let ip = u32::from(eni.ip);
    cx.proven(HopKind::Route, |c| {
        c.routes_locally(&cx.workload.eni.subnet_id, ip)
    })
    .unwrap_or_else(|| route_hop(cx, eni))
}

/// The endpoint's groups, inbound from the workload. Depends on the endpoint and the workload.
pub(crate) fn ingress(cx: &Ctx) -> Hop {
    let (wip, ep) = (u32::from(cx.workload.ip), cx.endpoint);
    match cx.compiled().and_then(|c| {
        c.group_set(&ep.groups)
            .decide(RuleDirection::Ingress, wip, &ep.ports)
    }) {
        Some(true) => Hop::allowed(
            HopKind::SecurityGroupIngress,
            Vec::<Arc<str>>::new(),
            String::new(),
        ),
        Some(false) => hops::sg_ingress_blocked(cx),
        None => hops::sg_ingress(cx),
    }
}

/// The workload subnet's ACL, outbound to the ENI. Depends on the workload's subnet and the ENI.
pub(crate) fn acl_out(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let forward = || service_region(&[AddrRange::host(eni.ip)], &cx.endpoint.ports);
    let peer = || subnet_cidr(cx, &eni.subnet_id);
    acl(
        cx,
        HopKind::AclOutbound,
        subnet,
        Traffic::Outbound,
        u32::from(eni.ip),
        None,
        &forward,
        &peer,
    )
}

/// The ENI subnet's ACL, inbound from the workload. Depends on the ENI's subnet, the workload
/// and the service ports.
pub(crate) fn acl_in(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let w = cx.workload;
    let from_workload = || service_region(&[AddrRange::host(w.ip)], &cx.endpoint.ports);
    let peer = || subnet_cidr(cx, &w.eni.subnet_id);
    acl(
        cx,
        HopKind::AclInbound,
        &eni.subnet_id,
        Traffic::Inbound,
        u32::from(w.ip),
        None,
        &from_workload,
        &peer,
    )
}

/// The ENI subnet's ACL, outbound replies to the workload. Depends on the ENI's subnet and the
/// workload.
pub(crate) fn reply_out(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let (w, eph) = (cx.workload, cx.params.ephemeral_ports);
    let replies = || Region::from_addrs([AddrRange::host(w.ip)], eph);
    let peer = || subnet_cidr(cx, &w.eni.subnet_id);
    acl(
        cx,
        HopKind::AclReturnOutbound,
        &eni.subnet_id,
        Traffic::Outbound,
        u32::from(w.ip),
        Some(eph),
        &replies,
        &peer,
    )
}

/// The workload subnet's ACL, inbound replies from the ENI. Depends on the workload's subnet and
/// the ENI.
pub(crate) fn reply_in(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let eph = cx.params.ephemeral_ports;
    let replies = || Region::from_addrs([AddrRange::host(eni.ip)], eph);
    let peer = || subnet_cidr(cx, &eni.subnet_id);
    let subnet = &cx.workload.eni.subnet_id;
    acl(
        cx,
        HopKind::AclReturnInbound,
        subnet,
        Traffic::Inbound,
        u32::from(eni.ip),
        Some(eph),
        &replies,
        &peer,
    )
}

type Lazy<'l, T> = &'l dyn Fn() -> T;

/// One ACL hop: proven by the compiled ACL (for the service ports one by one, or for the
/// `range` of reply ports), else evaluated exactly for `required` (regions and CIDR texts
/// are built only then).
#[allow(clippy::too_many_arguments)] // the hop's whole definition, each argument a different fact
fn acl(
    cx: &Ctx,
    kind: HopKind,
    subnet: &str,
    traffic: Traffic,
    addr: u32,
    range: Option<PortRange>,
    required: Lazy<Region>,
    peer: Lazy<String>,
) -> Hop {
    let answer = |c: &Compiled| {
        let acl = c.subnet_acl(subnet)?;
        Some(match range {
            Some(r) => acl.allows(traffic, addr, r),
            None => acl.allows_ports(traffic, addr, &cx.endpoint.ports),
        })
    };
    cx.proven(kind, answer)
        .unwrap_or_else(|| hops::acl(cx, kind, subnet, &required(), &peer()))
}

/// The subnet's CIDR for fixes, or the bare address when the subnet is unknown.
fn subnet_cidr(cx: &Ctx, subnet_id: &str) -> String {
    cx.snap
        .subnets
        .get(subnet_id)
        .map(|s| text::cidr(s.cidr_block))
        .unwrap_or_else(|| subnet_id.to_string())
}

/// The allowed forms are the ENI's address, an endpoint group, or the ENI subnet's CIDR; the
/// recommended fix is the group reference (it survives ENIs being replaced).
fn sg_egress(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let forward = service_region(&[AddrRange::host(eni.ip)], &cx.endpoint.ports);
    let problem = |_: &Region| egress_problem(cx, eni);
    hops::sg_egress(cx, &forward, &problem, &egress_fix_peer(cx, eni))
}

/// SPEC I3's three allowed forms: the ENI's address, an endpoint group, the subnet's CIDR.
fn egress_problem(cx: &Ctx, eni: &EndpointEni) -> String {
    let groups = cx.endpoint.group_ids();
    text::build(&[
        Piece::Str("no egress "),
        Piece::Str(&cx.endpoint.traffic),
        Piece::Str(" to "),
        Piece::Str(IpText::new(eni.ip).as_str()),
        Piece::Str(", "),
        Piece::Joined(groups, " or "),
        Piece::Str(if groups.is_empty() { "" } else { " or " }),
        Piece::Str(&subnet_cidr(cx, &eni.subnet_id)),
    ])
}

fn egress_fix_peer(cx: &Ctx, eni: &EndpointEni) -> String {
    cx.endpoint
        .group_ids()
        .first()
        .cloned()
        .unwrap_or_else(|| subnet_cidr(cx, &eni.subnet_id))
}

/// The ENI's address must be routed `local`: a more specific route (to a firewall appliance,
/// say) diverts the traffic away from the endpoint.
fn route_hop(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        return Hop::unknown(
            HopKind::Route,
            vec![subnet.clone()],
            format!("no route table for {subnet} in the snapshot"),
        );
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes(cx.snap, table);
    let how = if via_main {
        "main table"
    } else {
        "explicit association"
    };
    match route::lookup_block(&routes, Ipv4Net::from(eni.ip)).0 {
        Some(r) if r.target == "local" && !r.blackhole => Hop::allowed(
            HopKind::Route,
            vec![rtb.clone()],
            cx.say(|| format!("{rtb} ({how}): {r}")),
        ),
        Some(r) => {
            let problem = format!(
                "{rtb}: route {r} takes the traffic to {} away from the endpoint",
                eni.ip
            );
            let fix = format!(
                "remove or narrow the route {} -> {} in {rtb}",
                display_cidr(&r.cidr),
                r.target
            );
            Hop::blocked(
                HopKind::Route,
                vec![rtb],
                FindingCode::MoreSpecificRoute,
                problem,
                fix,
            )
        }
        None if !missing.is_empty() => Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
        None => {
            let problem = format!(
                "{rtb} has no route to {} (not even the local route)",
                eni.ip
            );
            let fix = format!("check {rtb}: every VPC route table has a local route");
            Hop::blocked(
                HopKind::Route,
                vec![rtb],
                FindingCode::NoRouteToDestination,
                problem,
                fix,
            )
        }
    }
}
