//! Interface endpoints: one target per ENI (docs/spec.md I1-I5).

use ipnet::Ipv4Net;

use crate::endpoint::EndpointEni;
use crate::finding::FindingCode;
use crate::route;
use crate::space::{display_cidr, AddrRange, Region};
use crate::text::{self, IpText, Piece};

use super::hops::{self, service_region};
use super::{AclHop, Ctx, Hop, HopKind, Target};

/// One target per ENI the snapshot holds.
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    cx.endpoint.enis.iter().map(|eni| target(cx, eni)).collect()
}

/// The hops towards one ENI, forward leg then reply leg. The fast `check` calls the hop builders
/// one by one instead, remembering each by what it depends on.
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
/// group list and the ENI. The allowed forms are the ENI's address, an endpoint group, or the
/// ENI subnet's CIDR; the recommended fix is the group reference (it survives ENIs being
/// replaced).
pub(crate) fn egress(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let forward = service_region(&[AddrRange::host(eni.ip)], &cx.endpoint.ports);
    let problem = |_: &Region| egress_problem(cx, eni);
    hops::sg_egress(cx, &forward, &problem, &egress_fix_peer(cx, eni))
}

/// The blocked [`egress`] hop, for a caller that proved the refusal on its own: the wording
/// names the allowed forms, not the uncovered packets, so it needs no evaluation.
pub(crate) fn egress_refused(cx: &Ctx, eni: &EndpointEni) -> Hop {
    hops::sg_egress_blocked(cx, egress_problem(cx, eni), &egress_fix_peer(cx, eni))
}

/// The workload subnet's route to the ENI. Depends on the workload's subnet and the ENI.
pub(crate) fn route(cx: &Ctx, eni: &EndpointEni) -> Hop {
    route_hop(cx, eni)
}

/// The endpoint's groups, inbound from the workload. Depends on the endpoint and the workload.
pub(crate) fn ingress(cx: &Ctx) -> Hop {
    hops::sg_ingress(cx)
}

/// The blocked [`ingress`] hop, for a caller that proved the refusal on its own.
pub(crate) fn ingress_refused(cx: &Ctx) -> Hop {
    hops::sg_ingress_blocked(cx)
}

/// The workload subnet's ACL, outbound to the ENI. Depends on the workload's subnet and the ENI.
pub(crate) fn acl_out(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let forward = service_region(&[AddrRange::host(eni.ip)], &cx.endpoint.ports);
    let peer = subnet_cidr(cx, &eni.subnet_id);
    let subnet = &cx.workload.eni.subnet_id;
    hops::acl(cx, AclHop::Outbound, subnet, &forward, &peer)
}

/// The ENI subnet's ACL, inbound from the workload. Depends on the ENI's subnet, the workload
/// and the service ports.
pub(crate) fn acl_in(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let workload = cx.workload;
    let from_workload = service_region(&[AddrRange::host(workload.ip)], &cx.endpoint.ports);
    let peer = subnet_cidr(cx, &workload.eni.subnet_id);
    hops::acl(cx, AclHop::Inbound, &eni.subnet_id, &from_workload, &peer)
}

/// The ENI subnet's ACL, outbound replies to the workload. Depends on the ENI's subnet and the
/// workload.
pub(crate) fn reply_out(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let workload = cx.workload;
    let replies = Region::from_addrs([AddrRange::host(workload.ip)], cx.params.ephemeral_ports);
    let peer = subnet_cidr(cx, &workload.eni.subnet_id);
    hops::acl(cx, AclHop::ReturnOutbound, &eni.subnet_id, &replies, &peer)
}

/// The workload subnet's ACL, inbound replies from the ENI. Depends on the workload's subnet and
/// the ENI.
pub(crate) fn reply_in(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let replies = Region::from_addrs([AddrRange::host(eni.ip)], cx.params.ephemeral_ports);
    let peer = subnet_cidr(cx, &eni.subnet_id);
    let subnet = &cx.workload.eni.subnet_id;
    hops::acl(cx, AclHop::ReturnInbound, subnet, &replies, &peer)
}

/// The subnet's CIDR for fixes, or the bare address when the subnet is unknown.
fn subnet_cidr(cx: &Ctx, subnet_id: &str) -> String {
    cx.snap
        .subnets
        .get(subnet_id)
        .and_then(|s| s.cidr_block)
        .map(text::cidr)
        .unwrap_or_else(|| subnet_id.to_string())
}

/// docs/spec.md I3's three allowed forms: the ENI's address, an endpoint group, the subnet's CIDR.
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
            hops::subnet_gap(cx.snap, subnet, hops::SubnetUses::RouteTable),
        );
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes(cx.snap, table);
    let how = hops::table_how(via_main);
    match route::lookup_block(&routes, Ipv4Net::from(eni.ip)).0 {
        // A route to a list the snapshot cannot read may be more specific than `local` for
        // this address (G2): `local` is not proven to win. (A known non-local winner blocks
        // whatever the list holds: no list route targets `local`.)
        Some(r) if r.target == "local" && !r.blackhole && !missing.is_empty() => {
            Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "))
        }
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
