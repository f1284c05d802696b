//! The IPv6 leg of pairs across VPCs (docs/spec.md V12, with T1-T9 and P1-P3): a workload of
//! another VPC reaching each IPv6 address of each endpoint ENI over a transit gateway or a
//! peering connection, both ways. The hops are those of `cross` (the IPv4 leg), decided with
//! the IPv6 evaluators and worded "over IPv6" (V11); the family-free hops (attachment states,
//! zones, associations, the peering connection's status) are `cross`'s own.
//!
//! IPv6 adds one hop on a TGW: both VPC attachments need IPv6 support (`Options.Ipv6Support`),
//! and a TGW route table holds a VPC's IPv6 CIDRs by propagation only from an attachment with
//! it on. Called by [`super::trace`] for cross-VPC interface pairs whose family decision
//! (`family::interface_need_gated`, V10) needs IPv6.

use std::borrow::Cow;
use std::net::Ipv6Addr;
use std::rc::Rc;

use crate::addr_family::V6;
use crate::finding::FindingCode;
use crate::route;
use crate::security_group::{self, RuleDirection};
use crate::snapshot::{
    NetworkInterface, Snapshot, TransitGatewayVpcAttachment, VpcPeeringConnection,
};
use crate::space6::{display_cidr6, Addr6Range, Region6};
use crate::transit_gateway::{self as tgw, TgwRouteMatchOf};

use super::cross::{self, Leg, Link, Refs, Via};
use super::interface6::{acl6, blame, join, service_region6, subnet_cidr6, traffic6};
use super::lookups::TgwRoutesOf;
use super::{hops, AclHop, Ctx, Hop, HopKind, Target};

/// Where the route table of `subnet` sends the IPv6 address `ip` when that is a TGW or a
/// peering connection (`None`: elsewhere, nowhere, or the snapshot cannot say): "the workload
/// can route to the endpoint" over IPv6, as [`cross::via`] says it over IPv4.
pub(crate) fn via6(snap: &Snapshot, subnet: &str, ip: Ipv6Addr) -> Option<Via> {
    let (table, _) = route::table_for_subnet(snap, subnet)?;
    let (routes, _) = route::expanded_routes6(snap, table);
    let winner = route::lookup6(&routes, ip)?;
    cross::via_target(&winner.target).filter(|_| !winner.blackhole)
}

/// The two ends of one IPv6 target: the workload's first IPv6 address and one IPv6 address of
/// an endpoint ENI.
struct Ends<'e> {
    src: Ipv6Addr,
    dst: Ipv6Addr,
    eni: &'e NetworkInterface,
}

/// One target per IPv6 address of each endpoint ENI the snapshot holds (a client may get any
/// AAAA answer, I7). Empty when the workload has no IPv6 address.
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    let Some(src) = cx.workload.ip6() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in &cx.endpoint.raw.network_interface_ids {
        let Some(eni) = cx.snap.network_interfaces.get(id) else {
            continue; // absent ENIs are the endpoint's missing data already (common hops)
        };
        for a in &eni.ipv6_addresses {
            let dst = a.ipv6_address;
            out.push(target(cx, &Ends { src, dst, eni }));
        }
    }
    out
}

/// The hops towards one IPv6 address of an endpoint ENI in another VPC.
fn target(cx: &Ctx, e: &Ends) -> Target {
    let (route_hop, link) = forward_route(cx, e);
    let out_refs = match &link {
        // T8: references in outbound rules never work across a TGW.
        Some(Link::Tgw { id, .. }) => Refs::DoNot(format!(
            "outbound rules cannot reference groups across {id}"
        )),
        Some(Link::Peering(c)) => cross::peering_refs(c),
        None => Refs::Work,
    };
    let w = cx.workload;
    let mut hops = Vec::with_capacity(24);
    hops.push(egress(cx, e, &out_refs));
    hops.push(route_hop);
    let forward = (e.dst, e.src);
    hops.push(acl(
        cx,
        AclHop::Outbound,
        &w.eni.subnet_id,
        forward,
        &e.eni.subnet_id,
    ));
    match &link {
        Some(Link::Tgw { id, src, dst }) => tgw_hops(cx, e, (id, src, dst), &mut hops),
        Some(Link::Peering(c)) => peering_hops(cx, e, c, &mut hops),
        None => {}
    }
    Target {
        id: e.eni.network_interface_id.clone(),
        address: e.dst.to_string(),
        hops,
    }
}

/// One ACL hop for IPv6 traffic: `to`/`from` are the packet's destination and source (the
/// service ports on the forward leg, the ephemeral range on the reply leg); a fixing entry
/// names the IPv6 block of `peer`, the other end's subnet.
fn acl(cx: &Ctx, hop: AclHop, subnet: &str, (to, from): (Ipv6Addr, Ipv6Addr), peer: &str) -> Hop {
    let forward = matches!(
        hop,
        AclHop::Outbound | AclHop::Inbound | AclHop::TgwInbound | AclHop::TgwOutbound
    );
    let addr = match hop.traffic() {
        crate::network_acl::Traffic::Outbound => to,
        crate::network_acl::Traffic::Inbound => from,
    };
    let region = if forward {
        service_region6(Addr6Range::host(addr), &cx.endpoint.ports)
    } else {
        Region6::from_addrs([Addr6Range::host(addr)], cx.params.ephemeral_ports)
    };
    acl6(cx, hop, subnet, &region, &subnet_cidr6(cx, peer))
}

impl Leg for V6 {
    fn acl(cx: &Ctx, hop: AclHop, subnet: &str, ends: (Ipv6Addr, Ipv6Addr), peer: &str) -> Hop {
        acl(cx, hop, subnet, ends, peer)
    }
    fn traffic<'c>(cx: &'c Ctx) -> Cow<'c, str> {
        Cow::Owned(traffic6(cx))
    }
    const ROUTE: &'static str = "IPv6 route";
    const SUPPORT: &'static str = " (with IPv6 support on)";
    fn traffic_tag(cx: &Ctx) -> String {
        format!(" ({})", traffic6(cx))
    }
    fn tgw_routes(cx: &Ctx, gateway: &str, table: &str) -> Rc<TgwRoutesOf<V6>> {
        cx.tgw_routes6(gateway, table)
    }
    fn tgw_lookup(routes: &[TgwRouteMatchOf<V6>], ip: Ipv6Addr) -> Option<&TgwRouteMatchOf<V6>> {
        tgw::lookup6(routes, ip)
    }
    fn vpc_block(cx: &Ctx, vpc: &str) -> Option<String> {
        let vpc = cx.snap.vpcs.get(vpc)?;
        vpc.ipv6_cidrs().next().map(|n| display_cidr6(&n))
    }
    fn add_tgw_route(target: &str, table: &str, cidr: &str) -> String {
        format!(
            "add a static route {cidr} -> {target} to {table}, or propagate {target} (with IPv6 \
             support on) into {table}"
        )
    }
}

/// The workload's groups, outbound to the ENI's IPv6 address, references counted only where
/// they work across the link. A fix names the ENI subnet's IPv6 block.
fn egress(cx: &Ctx, e: &Ends, refs: &Refs) -> Hop {
    let required = service_region6(Addr6Range::host(e.dst), &cx.endpoint.ports);
    let peer = subnet_cidr6(cx, &e.eni.subnet_id);
    let groups = &cx.workload.groups;
    let verdict =
        security_group::evaluate6(cx.snap, groups, RuleDirection::Egress, &required, true);
    let components = blame(groups, cx.workload.id());
    if !verdict.allows() {
        if !verdict.missing.is_empty() {
            let problem = verdict.missing.join("; ");
            return Hop::unknown(HopKind::SecurityGroupEgress, components, problem);
        }
        let problem = format!("no egress {} to {} or {peer}", traffic6(cx), e.dst);
        return hops::sg_egress_blocked(cx, problem, &peer);
    }
    let detail = cx.say(|| join(&verdict.allowed_by));
    let hop = Hop::allowed(HopKind::SecurityGroupEgress, components, detail);
    let direction = RuleDirection::Egress;
    cross::without_refs::<V6>(cx, hop, refs, groups, direction, &required, &peer)
}

/// The endpoint's groups, inbound from the workload's IPv6 address, references counted only
/// where they work; the fix names the workload subnet's IPv6 block (a reference may not work
/// across the link).
fn ingress(cx: &Ctx, e: &Ends, refs: &Refs) -> Hop {
    let ep = cx.endpoint;
    let groups = ep.group_ids();
    let required = service_region6(Addr6Range::host(e.src), &ep.ports);
    let verdict =
        security_group::evaluate6(cx.snap, groups, RuleDirection::Ingress, &required, true);
    let components = blame(groups, ep.id());
    let peer = subnet_cidr6(cx, &cx.workload.eni.subnet_id);
    if !verdict.allows() {
        if !verdict.missing.is_empty() {
            let problem = verdict.missing.join("; ");
            return Hop::unknown(HopKind::SecurityGroupIngress, components, problem);
        }
        let problem = format!(
            "{} admit no {} from {} ({})",
            components.join(", "),
            traffic6(cx),
            e.src,
            cx.workload.groups.join(", ")
        );
        let fix = format!(
            "allow ingress {} on {} from {peer}",
            ep.traffic, components[0]
        );
        let code = FindingCode::EniSgRulesMismatch;
        return Hop::blocked(
            HopKind::SecurityGroupIngress,
            components,
            code,
            problem,
            fix,
        );
    }
    let detail = cx.say(|| join(&verdict.allowed_by));
    let hop = Hop::allowed(HopKind::SecurityGroupIngress, components, detail);
    let direction = RuleDirection::Ingress;
    cross::without_refs::<V6>(cx, hop, refs, groups, direction, &required, &peer)
}

/// The IPv6 block a route towards `vpc` should name: the VPC's first IPv6 block, else the
/// subnet's, else the subnet id.
fn vpc_cidr6(cx: &Ctx, vpc: &str, fallback_subnet: &str) -> String {
    cx.snap
        .vpcs
        .get(vpc)
        .and_then(|v| v.ipv6_cidrs().next())
        .map_or_else(|| subnet_cidr6(cx, fallback_subnet), |n| display_cidr6(&n))
}

/// The workload subnet's IPv6 route to the ENI address, and the link it uses (V7, V12).
fn forward_route<'a>(cx: &Ctx<'a>, e: &Ends) -> (Hop, Option<Link<'a>>) {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = format!("no route table for {subnet} in the snapshot");
        return (
            Hop::unknown(HopKind::Route, vec![subnet.clone()], problem),
            None,
        );
    };
    let rtb = table.route_table_id.clone();
    let expanded = cx.vpc_routes6(table);
    let (routes, missing) = &*expanded;
    let evpc = cx.endpoint.raw.vpc_id.as_str();
    let dest = || vpc_cidr6(cx, evpc, &e.eni.subnet_id);
    let traffic = traffic6(cx);
    let blocked = |problem: String, fix: String| {
        let code = FindingCode::NoRouteToDestination;
        (
            Hop::blocked(HopKind::Route, vec![rtb.clone()], code, problem, fix),
            None,
        )
    };
    let Some(r) = route::lookup6(routes, e.dst) else {
        if !missing.is_empty() {
            return (
                Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
                None,
            );
        }
        let problem = format!(
            "{rtb} has no IPv6 route to {} ({evpc}) for {traffic}",
            e.dst
        );
        let fix = format!(
            "add a route {} -> {} in {rtb}",
            dest(),
            cross::link_name(cx)
        );
        return blocked(problem, fix);
    };
    let Some(via) = cross::via_target(&r.target).filter(|_| !r.blackhole) else {
        let problem = if r.blackhole {
            format!(
                "{rtb}: route {r} drops the traffic ({traffic}) to {} ({evpc})",
                e.dst
            )
        } else if r.target == "local" {
            format!(
                "{rtb}: {} is inside the VPC's own IPv6 CIDR (overlapping CIDRs): route {r} \
                 keeps {traffic} local",
                e.dst
            )
        } else {
            format!(
                "{rtb}: route {r} sends the traffic ({traffic}) to {} ({evpc}) elsewhere",
                e.dst
            )
        };
        let fix = format!("route {} -> {} in {rtb}", dest(), cross::link_name(cx));
        return blocked(problem, fix);
    };
    let how = if via_main {
        "main table"
    } else {
        "explicit association"
    };
    let detail = cx.say(|| format!("{rtb} ({how}): {r}"));
    let allowed = Hop::allowed(HopKind::Route, vec![rtb.clone()], detail);
    let first_subnet = || {
        cx.endpoint
            .enis
            .first()
            .map_or(String::new(), |e| e.subnet_id.clone())
    };
    let dest = || vpc_cidr6(cx, &cx.endpoint.raw.vpc_id, &first_subnet());
    match cross::resolve(cx, &via, &rtb, dest) {
        Ok(link) => (allowed, Some(link)),
        Err(hop) => (hop, None),
    }
}

/// The endpoint subnet's IPv6 route back to the workload: it must use the same link (the
/// classic omission, for IPv6: a hub table routing the spoke's IPv4 CIDR only).
fn return_route(cx: &Ctx, e: &Ends, via: &Via) -> Hop {
    let subnet = &e.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = format!("no route table for {subnet} in the snapshot");
        return Hop::unknown(HopKind::ReturnRoute, vec![subnet.clone()], problem);
    };
    let rtb = table.route_table_id.clone();
    let expanded = cx.vpc_routes6(table);
    let (routes, missing) = &*expanded;
    let (w, wvpc) = (cx.workload, cx.workload.vpc_id);
    let link = match via {
        Via::TransitGateway(id) | Via::Peering(id) => id.as_str(),
    };
    match route::lookup6(routes, e.src) {
        Some(r) if !r.blackhole && r.target == link => {
            let how = if via_main {
                "main table"
            } else {
                "explicit association"
            };
            let detail = cx.say(|| format!("{rtb} ({how}): {r}"));
            Hop::allowed(HopKind::ReturnRoute, vec![rtb], detail)
        }
        None if !missing.is_empty() => {
            Hop::unknown(HopKind::ReturnRoute, vec![rtb], missing.join("; "))
        }
        found => {
            let what = match found {
                Some(r) => format!("its route {r} does not lead back over {link}"),
                None => "it has no IPv6 route back".to_string(),
            };
            let problem = format!(
                "{rtb} (the endpoint subnet {subnet}) cannot return replies ({}) to {} \
                 ({wvpc}): {what}",
                traffic6(cx),
                e.src
            );
            let fix = format!(
                "add a route {} -> {link} in {rtb}",
                vpc_cidr6(cx, wvpc, &w.eni.subnet_id)
            );
            let code = FindingCode::NoRouteToDestination;
            Hop::blocked(HopKind::ReturnRoute, vec![rtb], code, problem, fix)
        }
    }
}

/// Peering (P1-P3 for IPv6: the connection carries both families; the route tables decide):
/// the connection's status, the endpoint side, the reply.
fn peering_hops(cx: &Ctx, e: &Ends, c: &VpcPeeringConnection, hops: &mut Vec<Hop>) {
    let w = cx.workload;
    let (forward, reply) = ((e.dst, e.src), (e.src, e.dst));
    let (here, there) = (&w.eni.subnet_id, &e.eni.subnet_id);
    hops.push(cross::peering_link(cx, c));
    hops.push(acl(cx, AclHop::Inbound, there, forward, here));
    hops.push(ingress(cx, e, &cross::peering_refs(c)));
    let via = Via::Peering(c.vpc_peering_connection_id.clone());
    hops.push(return_route(cx, e, &via));
    hops.push(acl(cx, AclHop::ReturnOutbound, there, reply, here));
    hops.push(acl(cx, AclHop::ReturnInbound, here, reply, there));
}

/// The zones of the two ends (T2), as `cross` computes them.
struct Zones<'z> {
    workload: Result<&'z str, String>,
    eni: Result<&'z str, String>,
}

/// TGW: attachments, their IPv6 support, zones, associations, IPv6 routes and the attachment
/// subnets' ACLs, both ways, added to `hops`.
fn tgw_hops(
    cx: &Ctx,
    e: &Ends,
    (id, src, dst): (
        &str,
        &TransitGatewayVpcAttachment,
        &TransitGatewayVpcAttachment,
    ),
    hops: &mut Vec<Hop>,
) {
    let zones = Zones {
        workload: tgw::zone_of(cx.snap, &cx.workload.eni.subnet_id),
        eni: tgw::zone_of(cx.snap, &e.eni.subnet_id),
    };
    hops.push(cross::attachments_state(cx, id, src, dst));
    hops.push(ipv6_support(cx, id, [src, dst]));
    tgw_forward(cx, e, (id, src, dst), &zones, hops);
    let refs = match tgw::sg_referencing(cx.snap, id, [src, dst]) {
        Ok(true) => Refs::Work,
        Ok(false) => Refs::DoNot(format!(
            "security group referencing support is off on {id} or one of its attachments"
        )),
        Err(why) => Refs::Unknown(why),
    };
    hops.push(ingress(cx, e, &refs));
    tgw_reply(cx, e, (id, src, dst), &zones, hops);
}

/// Both VPC attachments have IPv6 support on (V12): an attachment without it has no IPv6
/// address in its subnets and carries no IPv6 traffic (`TGW_ATTACHMENT_NOT_AVAILABLE` on it).
/// A snapshot without the option is missing data.
fn ipv6_support(cx: &Ctx, id: &str, attachments: [&TransitGatewayVpcAttachment; 2]) -> Hop {
    let mut unknown = None;
    for a in attachments {
        let aid = &a.transit_gateway_attachment_id;
        match tgw::ipv6_support(a) {
            Ok(true) => {}
            Ok(false) => {
                let problem = format!(
                    "{aid} ({} on {id}) has IPv6 support off (`Ipv6Support` disable): it \
                     carries no {}",
                    a.vpc_id,
                    traffic6(cx)
                );
                let fix = format!(
                    "enable IPv6 support on {aid} (aws ec2 modify-transit-gateway-vpc-attachment \
                     --options Ipv6Support=enable)"
                );
                let code = FindingCode::TgwAttachmentNotAvailable;
                return Hop::blocked(HopKind::Link, vec![aid.clone()], code, problem, fix);
            }
            Err(why) => {
                unknown.get_or_insert((aid.clone(), why));
            }
        }
    }
    if let Some((aid, why)) = unknown {
        return Hop::unknown(HopKind::Link, vec![aid], why);
    }
    let ids: Vec<String> = attachments
        .iter()
        .map(|a| a.transit_gateway_attachment_id.clone())
        .collect();
    let detail = cx.say(|| format!("{id}: IPv6 support on {} and {}", ids[0], ids[1]));
    Hop::allowed(HopKind::Link, ids, detail)
}

/// Forward: into the TGW from the workload's zone (T2), the source attachment's table's IPv6
/// route (T3-T5, V12), the attachment subnets' ACLs (T6) and the endpoint subnet's ACL in.
fn tgw_forward(
    cx: &Ctx,
    e: &Ends,
    (id, src, dst): (
        &str,
        &TransitGatewayVpcAttachment,
        &TransitGatewayVpcAttachment,
    ),
    zones: &Zones,
    hops: &mut Vec<Hop>,
) {
    let w = cx.workload;
    let here = &w.eni.subnet_id;
    let (az, src_subnet) = cross::zone_hop(cx, HopKind::TgwAz, src, &zones.workload, w.id(), here);
    hops.push(az);
    let kinds = (HopKind::TgwAssociation, HopKind::TgwRoute);
    cross::association_hops::<V6>(cx, kinds, (src, dst), e.dst, hops);
    let ends = (e.dst, e.src);
    if let Some(s) = &src_subnet {
        hops.push(acl(cx, AclHop::TgwInbound, s, ends, here));
    }
    let exit = cross::attachment_subnet(cx, dst, [&zones.workload, &zones.eni])
        .or_else(|| dst.subnet_ids.first().map(String::as_str));
    let acls = (AclHop::TgwOutbound, AclHop::Inbound);
    hops.extend(cross::into_vpc::<V6>(
        cx,
        id,
        exit,
        acls,
        &e.eni.subnet_id,
        ends,
        here,
    ));
}

/// Reply: the endpoint subnet's IPv6 route back over the same TGW, into the TGW from the ENI's
/// zone (T2), the endpoint attachment's table's IPv6 route back, and the ACLs (T6).
fn tgw_reply(
    cx: &Ctx,
    e: &Ends,
    (id, src, dst): (
        &str,
        &TransitGatewayVpcAttachment,
        &TransitGatewayVpcAttachment,
    ),
    zones: &Zones,
    hops: &mut Vec<Hop>,
) {
    let w = cx.workload;
    let there = &e.eni.subnet_id;
    hops.push(return_route(cx, e, &Via::TransitGateway(id.to_string())));
    let eni_id = &e.eni.network_interface_id;
    let (az, back_subnet) =
        cross::zone_hop(cx, HopKind::ReturnTgwAz, dst, &zones.eni, eni_id, there);
    hops.push(az);
    let kinds = (HopKind::ReturnTgwAssociation, HopKind::ReturnTgwRoute);
    cross::association_hops::<V6>(cx, kinds, (dst, src), e.src, hops);
    let ends = (e.src, e.dst);
    hops.push(acl(
        cx,
        AclHop::ReturnOutbound,
        there,
        ends,
        &w.eni.subnet_id,
    ));
    if let Some(s) = &back_subnet {
        hops.push(acl(cx, AclHop::TgwReturnInbound, s, ends, there));
    }
    let entry = cross::attachment_subnet(cx, src, [&zones.eni, &zones.workload])
        .or_else(|| src.subnet_ids.first().map(String::as_str));
    let acls = (AclHop::TgwReturnOutbound, AclHop::ReturnInbound);
    hops.extend(cross::into_vpc::<V6>(
        cx,
        id,
        entry,
        acls,
        &w.eni.subnet_id,
        ends,
        there,
    ));
}
