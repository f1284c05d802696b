//! Interface endpoints: one target per ENI (SPEC I1-I5).

use ipnet::Ipv4Net;

use crate::compiled::Compiled;
use crate::endpoint::EndpointEni;
use crate::network_acl::Traffic;
use crate::security_group::RuleDirection;
use crate::finding::FindingCode;
use crate::route;
use crate::space::{display_cidr, AddrRange, PortRange, Region};

use super::hops::{self, service_region};
use super::{Ctx, Hop, HopKind, Target};

/// One target per ENI the snapshot holds.
pub fn targets(cx: &Ctx) -> Vec<Target> {
    cx.endpoint.enis.iter().map(|eni| target(cx, eni)).collect()
}

fn target(cx: &Ctx, eni: &EndpointEni) -> Target {
    let (w, ep) = (cx.workload, cx.endpoint);
    let eph = cx.params.ephemeral_ports;
    // Regions and CIDR texts are built only for hops the compiled rules cannot prove.
    let forward = || service_region(&[AddrRange::host(eni.ip)], &ep.ports);
    let from_workload = || service_region(&[AddrRange::host(w.ip)], &ep.ports);
    let reply_to_workload = || Region::from_addrs([AddrRange::host(w.ip)], eph);
    let reply_from_eni = || Region::from_addrs([AddrRange::host(eni.ip)], eph);
    let eni_net = || subnet_cidr(cx, &eni.subnet_id);
    let w_net = || subnet_cidr(cx, &w.eni.subnet_id);

    let (ip, wip, ports) = (u32::from(eni.ip), u32::from(w.ip), &ep.ports);
    let (w_subnet, e_subnet) = (w.eni.subnet_id.as_str(), eni.subnet_id.as_str());
    let all_ports = |f: &dyn Fn(u16) -> Option<bool>| ports.iter().try_fold(true, |ok, &p| Some(ok && f(p)?));
    let egress = cx
        .proven(HopKind::SecurityGroupEgress, |c| all_ports(&|p| c.sg_allows(&w.groups, RuleDirection::Egress, ip, p)))
        .unwrap_or_else(|| sg_egress(cx, eni, &forward()));
    let route = cx.proven(HopKind::Route, |c| c.routes_locally(w_subnet, ip)).unwrap_or_else(|| route_hop(cx, eni));
    let ingress = cx
        .proven(HopKind::SecurityGroupIngress, |c| all_ports(&|p| c.sg_allows(&ep.groups, RuleDirection::Ingress, wip, p)))
        .unwrap_or_else(|| hops::sg_ingress(cx));
    let mut hops = vec![egress, route];
    if w_subnet == e_subnet {
        let why = format!("same subnet {}: no network ACL between them", eni.subnet_id);
        for kind in [HopKind::AclOutbound, HopKind::AclInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
        hops.push(ingress);
        for kind in [HopKind::AclReturnOutbound, HopKind::AclReturnInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
    } else {
        type Lazy<'l, T> = &'l dyn Fn() -> T;
        let acl = |kind, subnet: &str, traffic, addr: u32, range: Option<PortRange>, required: Lazy<Region>, peer: Lazy<String>| {
            let answer = |c: &Compiled| match range {
                Some(r) => c.acl_allows(subnet, traffic, addr, r),
                None => all_ports(&|p| c.acl_allows(subnet, traffic, addr, PortRange::single(p))),
            };
            cx.proven(kind, answer).unwrap_or_else(|| hops::acl(cx, kind, subnet, &required(), &peer()))
        };
        hops.push(acl(HopKind::AclOutbound, w_subnet, Traffic::Outbound, ip, None, &forward, &eni_net));
        hops.push(acl(HopKind::AclInbound, e_subnet, Traffic::Inbound, wip, None, &from_workload, &w_net));
        hops.push(ingress);
        hops.push(acl(HopKind::AclReturnOutbound, e_subnet, Traffic::Outbound, wip, Some(eph), &reply_to_workload, &w_net));
        hops.push(acl(HopKind::AclReturnInbound, w_subnet, Traffic::Inbound, ip, Some(eph), &reply_from_eni, &eni_net));
    }
    Target { id: eni.id.clone(), address: eni.ip.to_string(), hops }
}

/// The subnet's CIDR for fixes, or the bare address when the subnet is unknown.
fn subnet_cidr(cx: &Ctx, subnet_id: &str) -> String {
    cx.snap.subnets.get(subnet_id).map(|s| s.cidr_block.trunc().to_string()).unwrap_or_else(|| subnet_id.to_string())
}

/// The allowed forms are the ENI's address, an endpoint group, or the ENI subnet's CIDR; the
/// recommended fix is the group reference (it survives ENIs being replaced).
fn sg_egress(cx: &Ctx, eni: &EndpointEni, forward: &Region) -> Hop {
    let groups = cx.endpoint.group_ids().to_vec();
    let subnet = subnet_cidr(cx, &eni.subnet_id);
    let traffic = hops::traffic_label(&cx.endpoint.ports);
    let mut forms = groups.clone();
    forms.push(subnet.clone());
    // SPEC I3's three allowed forms: the ENI's address, an endpoint group, the subnet's CIDR.
    let problem = |_: &Region| format!("no egress {traffic} to {}, {}", eni.ip, forms.join(" or "));
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
