//! Interface endpoints: one target per ENI (SPEC I1-I5).

use ipnet::Ipv4Net;

use crate::endpoint::EndpointEni;
use crate::finding::FindingCode;
use crate::route;
use crate::space::{display_cidr, AddrRange};

use super::hops::{self, service_region};
use super::{Ctx, Hop, HopKind, Target};

/// One target per ENI the snapshot holds.
pub fn targets(cx: &Ctx) -> Vec<Target> {
    cx.endpoint.enis.iter().map(|eni| target(cx, eni)).collect()
}

fn target(cx: &Ctx, eni: &EndpointEni) -> Target {
    let (w, ep) = (cx.workload, cx.endpoint);
    let eni_net = subnet_cidr(cx, &eni.subnet_id);
    let w_net = subnet_cidr(cx, &w.eni.subnet_id);
    let forward = service_region(&[AddrRange::host(eni.ip)], &ep.ports);
    let from_workload = service_region(&[AddrRange::host(w.ip)], &ep.ports);
    let eph = cx.params.ephemeral_ports;
    let reply_to_workload = crate::space::Region::from_addrs([AddrRange::host(w.ip)], eph);
    let reply_from_eni = crate::space::Region::from_addrs([AddrRange::host(eni.ip)], eph);

    let mut hops = vec![sg_egress(cx, eni, &forward), route_hop(cx, eni)];
    if w.eni.subnet_id == eni.subnet_id {
        let why = format!("same subnet {}: no network ACL between them", eni.subnet_id);
        for kind in [HopKind::AclOutbound, HopKind::AclInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
        hops.push(hops::sg_ingress(cx));
        for kind in [HopKind::AclReturnOutbound, HopKind::AclReturnInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
    } else {
        hops.push(hops::acl(cx, HopKind::AclOutbound, &w.eni.subnet_id, &forward, &eni_net));
        hops.push(hops::acl(cx, HopKind::AclInbound, &eni.subnet_id, &from_workload, &w_net));
        hops.push(hops::sg_ingress(cx));
        hops.push(hops::acl(cx, HopKind::AclReturnOutbound, &eni.subnet_id, &reply_to_workload, &w_net));
        hops.push(hops::acl(cx, HopKind::AclReturnInbound, &w.eni.subnet_id, &reply_from_eni, &eni_net));
    }
    Target { id: eni.id.clone(), address: eni.ip.to_string(), hops }
}

/// The subnet's CIDR for fixes, or the bare address when the subnet is unknown.
fn subnet_cidr(cx: &Ctx, subnet_id: &str) -> String {
    cx.snap.subnets.get(subnet_id).map(|s| s.cidr_block.trunc().to_string()).unwrap_or_else(|| subnet_id.to_string())
}

/// The allowed forms are the ENI's address, an endpoint group, or the ENI subnet's CIDR; the
/// recommended fix is the group reference (it survives ENIs being replaced).
fn sg_egress(cx: &Ctx, eni: &EndpointEni, forward: &crate::space::Region) -> Hop {
    let groups = cx.endpoint.group_ids().to_vec();
    let subnet = subnet_cidr(cx, &eni.subnet_id);
    let traffic = hops::traffic_label(&cx.endpoint.ports);
    let mut forms = groups.clone();
    forms.push(subnet.clone());
    // SPEC I3's three allowed forms: the ENI's address, an endpoint group, the subnet's CIDR.
    let problem = |_: &crate::space::Region| format!("no egress {traffic} to {}, {}", eni.ip, forms.join(" or "));
    let fix_peer = groups.first().cloned().unwrap_or(subnet.clone());
    hops::sg_egress(cx, forward, &problem, &fix_peer)
}

/// The ENI's address must be routed `local`: a more specific route (to a firewall appliance,
/// say) diverts the traffic away from the endpoint.
fn route_hop(cx: &Ctx, eni: &EndpointEni) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        return Hop::unknown(HopKind::Route, vec![subnet.clone()], format!("no route table for {subnet} in the snapshot"));
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes(cx.snap, table);
    let how = if via_main { "main table" } else { "explicit association" };
    match route::lookup_block(&routes, Ipv4Net::from(eni.ip)).0 {
        Some(r) if r.target == "local" && !r.blackhole => {
            Hop::allowed(HopKind::Route, vec![rtb.clone()], cx.say(|| format!("{rtb} ({how}): {r}")))
        }
        Some(r) => {
            let problem = format!("{rtb}: route {r} takes the traffic to {} away from the endpoint", eni.ip);
            let fix = format!("remove or narrow the route {} -> {} in {rtb}", display_cidr(&r.cidr), r.target);
            Hop::blocked(HopKind::Route, vec![rtb], FindingCode::MoreSpecificRoute, problem, fix)
        }
        None if !missing.is_empty() => Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
        None => {
            let problem = format!("{rtb} has no route to {} (not even the local route)", eni.ip);
            let fix = format!("check {rtb}: every VPC route table has a local route");
            Hop::blocked(HopKind::Route, vec![rtb], FindingCode::NoRouteToDestination, problem, fix)
        }
    }
}
