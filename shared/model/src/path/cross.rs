//! Pairs whose workload is in another VPC than the endpoint (issue 14; docs/spec.md section 2,
//! facts T1-T9 and P1-P3): the endpoint is reached over a transit gateway (TGW) or a VPC
//! peering connection, both ways. Exact, like the rest of `path`.
//!
//! Forward leg: the workload's groups (egress), its subnet's route table (longest prefix to a
//! `tgw-` or `pcx-`), its subnet's ACL out; then the link: for a TGW the attachments' states,
//! the source attachment's subnet in the workload's zone (T2), its association (T3) and that
//! table's route to the endpoint VPC's attachment (T4, T5), the ACLs of the attachment subnets
//! (T6); for peering the connection's status and that it joins the two VPCs (P1, P2); then the
//! endpoint subnet's ACL in and the endpoint's groups (ingress, references only where they work:
//! T7, P3). Reply leg: the endpoint subnet's route table back over the same link, for a TGW the
//! endpoint VPC attachment's subnet in the ENI's zone, its association and route back, the ACLs
//! on the way with the ephemeral ports.

use std::borrow::Cow;
use std::fmt;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::sync::Arc;

use ipnet::Ipv4Net;

use crate::addr_family::{AddrFamily, V4};
use crate::endpoint::{EndpointEni, EndpointKind};
use crate::finding::FindingCode;
use crate::peering;
use crate::route;
use crate::security_group::{self, RuleDirection};
use crate::snapshot::{RouteTable, TransitGatewayVpcAttachment, VpcPeeringConnection};
use crate::space::{AddrRange, AddrRangeOf, Region, RegionOf};
use crate::text;
use crate::transit_gateway::{self as tgw, TgwRouteMatchOf};

use super::hops::{self, service_region};
use super::lookups::{TgwRoutesOf, VpcRoutesOf};
use super::{AclHop, Ctx, Hop, HopKind, Outcome, Target};

/// The link a workload subnet's route table sends an address over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Via {
    /// A route to `tgw-…`.
    TransitGateway(String),
    /// A route to `pcx-…`.
    Peering(String),
}

/// Where the route table of `subnet` sends `ip` when that is a TGW or a peering connection
/// (`None`: elsewhere, nowhere, or the snapshot cannot say). What R1 and R5 call "the workload
/// can route to the endpoint" across VPCs.
pub(crate) fn via(snap: &crate::snapshot::Snapshot, subnet: &str, ip: Ipv4Addr) -> Option<Via> {
    let (table, _) = route::table_for_subnet(snap, subnet)?;
    let (routes, _) = route::expanded_routes(snap, table);
    let winner = route::lookup_block(&routes, Ipv4Net::from(ip)).0?;
    via_target(&winner.target).filter(|_| !winner.blackhole)
}

pub(super) fn via_target(target: &str) -> Option<Via> {
    if target.starts_with("tgw-") {
        Some(Via::TransitGateway(target.to_string()))
    } else if target.starts_with("pcx-") {
        Some(Via::Peering(target.to_string()))
    } else {
        None
    }
}

/// A link resolved from the snapshot.
pub(super) enum Link<'a> {
    Tgw {
        id: String,
        /// The workload VPC's attachment.
        src: &'a TransitGatewayVpcAttachment,
        /// The endpoint VPC's attachment.
        dst: &'a TransitGatewayVpcAttachment,
    },
    Peering(&'a VpcPeeringConnection),
}

/// Whether security-group references work across the link (T7, P3).
#[derive(Clone)]
pub(super) enum Refs {
    Work,
    DoNot(String),
    Unknown(String),
}

/// The targets of a cross-VPC pair: one per ENI (interface), or the one refusal of a gateway
/// endpoint (T9).
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    match cx.endpoint.kind {
        EndpointKind::Interface => cx
            .endpoint
            .enis
            .iter()
            .map(|e| target(cx, &ends(cx, e)))
            .collect(),
        EndpointKind::Gateway => vec![gateway_target(cx)],
    }
}

fn gateway_target(cx: &Ctx) -> Target {
    let ep = cx.endpoint;
    let (vpc, wvpc) = (&ep.raw.vpc_id, cx.workload.vpc_id);
    let problem = format!(
        "{} is a gateway endpoint of {vpc}: traffic from {wvpc} over a transit gateway or \
         peering connection cannot use it",
        ep.label()
    );
    let fix = format!(
        "create a gateway endpoint for {} in {wvpc} and associate it with the workload's route table",
        ep.short_name
    );
    let hop = Hop::blocked(
        HopKind::GatewayFromOtherVpc,
        vec![ep.id().to_string()],
        FindingCode::VpceGatewayEgressSourceAddressRestriction,
        problem,
        fix,
    );
    Target {
        id: ep.id().to_string(),
        address: ep
            .prefix_list
            .map_or_else(String::new, |pl| pl.prefix_list_id.clone()),
        hops: vec![hop],
    }
}

/// The two ends of one target of a family: the workload's address and one address of an
/// endpoint ENI.
pub(super) struct Ends<'e, F: AddrFamily> {
    /// The workload's address.
    pub(super) src: F::Addr,
    /// The ENI's address.
    pub(super) dst: F::Addr,
    /// The ENI's id.
    pub(super) eni: &'e str,
    /// The ENI's subnet.
    pub(super) subnet: &'e str,
}

/// The IPv4 ends towards one ENI.
fn ends<'e>(cx: &Ctx, eni: &'e EndpointEni) -> Ends<'e, V4> {
    Ends {
        src: cx.workload.ip,
        dst: eni.ip,
        eni: &eni.id,
        subnet: &eni.subnet_id,
    }
}

/// The hops towards one address of an ENI of an endpoint in another VPC.
pub(super) fn target<F: Leg>(cx: &Ctx, e: &Ends<F>) -> Target {
    let (route_hop, link) = forward_route::<F>(cx, e.dst, e.subnet);
    let out_refs = match &link {
        // T8: references in outbound rules never work across a TGW.
        Some(Link::Tgw { id, .. }) => Refs::DoNot(format!(
            "outbound rules cannot reference groups across {id}"
        )),
        Some(Link::Peering(c)) => peering_refs(c),
        None => Refs::Work,
    };
    // A path across a TGW has twenty-odd hops: room for them at once.
    let mut hops = Vec::with_capacity(24);
    hops.push(F::egress(cx, e, &out_refs));
    hops.push(route_hop);
    let here = &cx.workload.eni.subnet_id;
    hops.push(acl::<F>(
        cx,
        AclHop::Outbound,
        here,
        (e.dst, e.src),
        e.subnet,
    ));
    match &link {
        Some(Link::Tgw { id, src, dst }) => tgw_hops(cx, e, (id, src, dst), &mut hops),
        Some(Link::Peering(c)) => peering_hops(cx, e, c, &mut hops),
        None => {}
    }
    Target {
        id: e.eni.to_string(),
        address: e.dst.to_string(),
        hops,
    }
}

pub(super) fn peering_refs(c: &VpcPeeringConnection) -> Refs {
    if peering::sg_referencing(c) {
        Refs::Work
    } else {
        Refs::DoNot(format!(
            "{} joins VPCs of two regions: references to groups across it do not work",
            c.vpc_peering_connection_id
        ))
    }
}

/// The subnet's CIDR, or its id when the snapshot lacks it.
fn cidr_of(cx: &Ctx, subnet: &str) -> Rc<str> {
    cx.subnet_cidr(subnet)
}

/// The block of the family a route towards `vpc` should name: the VPC's first block, else
/// the fallback subnet's, else the subnet id.
fn vpc_cidr<F: Leg>(cx: &Ctx, vpc: &str, fallback_subnet: &str) -> String {
    F::vpc_block(cx, vpc).unwrap_or_else(|| F::subnet_block(cx, fallback_subnet))
}

/// One ACL hop of the family: `(to, from)` are the packet's destination and source (the
/// service ports on the forward leg, the ephemeral range on the reply leg); a fixing entry
/// names `peer`'s block, the other end's subnet.
pub(super) fn acl<F: Leg>(
    cx: &Ctx,
    hop: AclHop,
    subnet: &str,
    (to, from): (F::Addr, F::Addr),
    peer: &str,
) -> Hop {
    let forward = matches!(
        hop,
        AclHop::Outbound | AclHop::Inbound | AclHop::TgwInbound | AclHop::TgwOutbound
    );
    let addr = match hop.traffic() {
        crate::network_acl::Traffic::Outbound => to,
        crate::network_acl::Traffic::Inbound => from,
    };
    let region = if forward {
        service_region(&[AddrRangeOf::<F>::host(addr)], &cx.endpoint.ports)
    } else {
        RegionOf::from_addrs([AddrRangeOf::<F>::host(addr)], cx.params.ephemeral_ports)
    };
    F::acl_hop(cx, hop, subnet, &region, peer)
}

/// The workload's groups, outbound to the ENI, references counted only where they work.
fn egress(cx: &Ctx, e: &Ends<V4>, refs: &Refs) -> Hop {
    let forward = service_region(&[AddrRange::host(e.dst)], &cx.endpoint.ports);
    let peer = cidr_of(cx, e.subnet);
    let problem = |_: &Region| format!("no egress {} to {} or {peer}", cx.endpoint.traffic, e.dst);
    let hop = hops::sg_egress(cx, &forward, &problem, &peer);
    let groups = &cx.workload.groups;
    without_refs::<V4>(
        cx,
        hop,
        refs,
        groups,
        RuleDirection::Egress,
        &forward,
        &peer,
    )
}

/// The endpoint's groups, inbound from the workload, references counted only where they work;
/// the fix names the workload's subnet (a reference may not work across the link).
fn ingress(cx: &Ctx, refs: &Refs) -> Hop {
    let mut hop = hops::sg_ingress(cx);
    let peer = cidr_of(cx, &cx.workload.eni.subnet_id);
    if hop.outcome == Outcome::Blocked {
        hop.fix = Arc::from(format!(
            "allow ingress {} on {} from {peer}",
            cx.endpoint.traffic, hop.components[0]
        ));
        return hop;
    }
    let required = service_region(&[AddrRange::host(cx.workload.ip)], &cx.endpoint.ports);
    let groups = cx.endpoint.group_ids();
    without_refs::<V4>(
        cx,
        hop,
        refs,
        groups,
        RuleDirection::Ingress,
        &required,
        &peer,
    )
}

/// An allowed SG hop re-decided without group references when they do not work across the
/// link (T7, T8, P3): what only a reference allowed is blocked (`SG_REFERENCING_SUPPORT`).
/// Another outcome is returned as it is.
pub(super) fn without_refs<F: Leg>(
    cx: &Ctx,
    hop: Hop,
    refs: &Refs,
    groups: &[impl AsRef<str>],
    direction: RuleDirection,
    required: &RegionOf<F>,
    peer: &str,
) -> Hop {
    if hop.outcome != Outcome::Allowed {
        return hop;
    }
    let why = match refs {
        Refs::Work => return hop,
        Refs::DoNot(why) | Refs::Unknown(why) => why,
    };
    let plain = security_group::evaluate_refs(cx.snap, groups, direction, required, false);
    if plain.allows() {
        return hop;
    }
    if let Refs::Unknown(_) = refs {
        return Hop::unknown(hop.kind, hop.components, why.clone());
    }
    let (word, preposition) = match direction {
        RuleDirection::Egress => ("egress", "to"),
        RuleDirection::Ingress => ("ingress", "from"),
    };
    let names: Vec<&str> = hop.components.iter().map(|c| &**c).collect();
    let problem = format!(
        "{} allow {word} {} {preposition} the other VPC only by a security group reference: {why}",
        names.join(", "),
        F::traffic(cx)
    );
    let fix = format!(
        "allow {word} {} {preposition} {peer} on {}",
        cx.endpoint.traffic, names[0]
    );
    Hop::blocked(
        hop.kind,
        hop.components,
        FindingCode::SgReferencingSupport,
        problem,
        fix,
    )
}

/// The workload subnet's route of the family to `dst` (an ENI address in `dst_subnet`), and
/// the link it uses when it leaves the VPC (V7; V12 for IPv6).
pub(super) fn forward_route<'a, F: Leg>(
    cx: &Ctx<'a>,
    dst: F::Addr,
    dst_subnet: &str,
) -> (Hop, Option<Link<'a>>) {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = format!("no route table for {subnet} in the snapshot");
        return (
            Hop::unknown(HopKind::Route, vec![subnet.clone()], problem),
            None,
        );
    };
    let rtb = table.route_table_id.clone();
    let expanded = F::vpc_routes(cx, table);
    let (routes, missing) = &*expanded;
    let how = hops::table_how(via_main);
    let evpc = cx.endpoint.raw.vpc_id.as_str();
    // The destination a fix names: worded only when a fix is.
    let dest = || vpc_cidr::<F>(cx, evpc, dst_subnet);
    let blocked = |problem: String, fix: String| {
        let code = FindingCode::NoRouteToDestination;
        let hop = Hop::blocked(HopKind::Route, vec![rtb.clone()], code, problem, fix);
        (hop, None)
    };
    let winner = route::lookup_block::<F>(routes, F::host(dst)).0;
    let Some(r) = winner else {
        if !missing.is_empty() {
            return (
                Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
                None,
            );
        }
        let problem = format!(
            "{rtb} has no {} to {dst} ({evpc}){}",
            F::ROUTE,
            F::for_traffic(cx)
        );
        let fix = format!("add a route {} -> {} in {rtb}", dest(), link_name(cx));
        return blocked(problem, fix);
    };
    let Some(via) = via_target(&r.target).filter(|_| !r.blackhole) else {
        let tag = F::traffic_tag(cx);
        let problem = if r.blackhole {
            format!("{rtb}: route {r} drops the traffic{tag} to {dst} ({evpc})")
        } else if r.target == "local" {
            format!(
                "{rtb}: {dst} is inside the VPC's own {} (overlapping CIDRs): route {r} keeps {} \
                 local",
                F::CIDR,
                F::it(cx)
            )
        } else {
            format!("{rtb}: route {r} sends the traffic{tag} to {dst} ({evpc}) elsewhere")
        };
        let fix = format!("route {} -> {} in {rtb}", dest(), link_name(cx));
        return blocked(problem, fix);
    };
    let allowed = Hop::allowed(
        HopKind::Route,
        vec![rtb.clone()],
        cx.say(|| format!("{rtb} ({how}): {r}")),
    );
    let first_subnet = || {
        cx.endpoint
            .enis
            .first()
            .map_or(String::new(), |e| e.subnet_id.clone())
    };
    match resolve(cx, &via, &rtb, || {
        vpc_cidr::<F>(cx, &cx.endpoint.raw.vpc_id, &first_subnet())
    }) {
        Ok(link) => (allowed, Some(link)),
        Err(hop) => (hop, None),
    }
}

/// What a fix should route the traffic to: the TGW both VPCs are attached to, else a peering
/// connection between them, else either.
pub(super) fn link_name(cx: &Ctx) -> String {
    let (a, b) = (cx.workload.vpc_id, cx.endpoint.raw.vpc_id.as_str());
    let shared_tgw = cx.snap.tgw_vpc_attachments.values().find_map(|x| {
        (x.vpc_id == a)
            .then_some(&x.transit_gateway_id)
            .filter(|t| {
                cx.snap
                    .tgw_vpc_attachments
                    .values()
                    .any(|y| y.vpc_id == b && &&y.transit_gateway_id == t)
            })
    });
    if let Some(t) = shared_tgw {
        return t.clone();
    }
    peering::between(cx.snap, a, b).next().map_or_else(
        || "a transit gateway or peering connection".into(),
        |c| c.vpc_peering_connection_id.clone(),
    )
}

/// The link a route names, or the hop that says why it cannot carry the pair. `dest` words
/// the endpoint VPC's block of the leg's family for the fix (worded only when needed).
pub(super) fn resolve<'a>(
    cx: &Ctx<'a>,
    via: &Via,
    rtb: &str,
    dest: impl FnOnce() -> String,
) -> Result<Link<'a>, Hop> {
    let (wvpc, evpc) = (cx.workload.vpc_id, cx.endpoint.raw.vpc_id.as_str());
    match via {
        Via::TransitGateway(id) => {
            let src = tgw::vpc_attachment(cx.snap, id, wvpc)
                .map_err(|why| Hop::unknown(HopKind::Link, vec![id.clone()], why))?;
            let dst = tgw::vpc_attachment(cx.snap, id, evpc)
                .map_err(|why| Hop::unknown(HopKind::Link, vec![id.clone()], why))?;
            let (Some(src), Some(dst)) = (src, dst) else {
                let vpc = if src.is_none() { wvpc } else { evpc };
                let problem = format!("{vpc} has no attachment on {id}");
                let fix = format!("attach {vpc} to {id} (one subnet per Availability Zone)");
                return Err(Hop::blocked(
                    HopKind::Link,
                    vec![id.clone()],
                    FindingCode::TgwAttachmentNotAvailable,
                    problem,
                    fix,
                ));
            };
            Ok(Link::Tgw {
                id: id.clone(),
                src,
                dst,
            })
        }
        Via::Peering(id) => {
            let c = peering::connection(cx.snap, id)
                .map_err(|why| Hop::unknown(HopKind::Link, vec![id.clone()], why))?;
            if !peering::joins(c, wvpc, evpc) {
                let problem = format!(
                    "{rtb} sends the traffic over {id}, which does not join {wvpc} and {evpc} \
                     (peering is not transitive)"
                );
                let fix = format!(
                    "peer {wvpc} with {evpc} and route {} over it in {rtb}",
                    dest()
                );
                return Err(Hop::blocked(
                    HopKind::Route,
                    vec![rtb.to_string()],
                    FindingCode::NoRouteToDestination,
                    problem,
                    fix,
                ));
            }
            Ok(Link::Peering(c))
        }
    }
}

/// Peering (P1-P3; for IPv6 the connection carries both families and the route tables
/// decide): the connection's status, the endpoint side, the reply, added to `hops`.
fn peering_hops<F: Leg>(cx: &Ctx, e: &Ends<F>, c: &VpcPeeringConnection, hops: &mut Vec<Hop>) {
    let (forward, reply) = ((e.dst, e.src), (e.src, e.dst));
    let (here, there) = (cx.workload.eni.subnet_id.as_str(), e.subnet);
    hops.push(peering_link(cx, c));
    hops.push(acl::<F>(cx, AclHop::Inbound, there, forward, here));
    hops.push(F::ingress(cx, e, &peering_refs(c)));
    let via = Via::Peering(c.vpc_peering_connection_id.clone());
    hops.push(return_route::<F>(cx, there, e.src, &via));
    hops.push(acl::<F>(cx, AclHop::ReturnOutbound, there, reply, here));
    hops.push(acl::<F>(cx, AclHop::ReturnInbound, here, reply, there));
}

/// The peering connection's status (P1): only an active one carries traffic.
pub(super) fn peering_link(cx: &Ctx, c: &VpcPeeringConnection) -> Hop {
    let id = &c.vpc_peering_connection_id;
    let status = peering::status(c);
    if status == "active" {
        Hop::allowed(
            HopKind::Link,
            vec![id.clone()],
            cx.say(|| format!("{id} active")),
        )
    } else {
        let problem = format!("{id} is `{status}`, not active: it carries no traffic");
        let fix = format!("accept or recreate {id}");
        Hop::blocked(
            HopKind::Link,
            vec![id.clone()],
            FindingCode::VpcPeeringNotActive,
            problem,
            fix,
        )
    }
}

/// The route of the family back from the endpoint subnet `subnet` to the workload address
/// `back_to`: it must use the same link (the classic omission: a hub table routing only the
/// spoke's IPv4 CIDR).
pub(super) fn return_route<F: Leg>(cx: &Ctx, subnet: &str, back_to: F::Addr, via: &Via) -> Hop {
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = format!("no route table for {subnet} in the snapshot");
        return Hop::unknown(HopKind::ReturnRoute, vec![subnet.to_string()], problem);
    };
    let rtb = table.route_table_id.clone();
    let expanded = F::vpc_routes(cx, table);
    let (routes, missing) = &*expanded;
    let how = hops::table_how(via_main);
    let (w, wvpc) = (cx.workload, cx.workload.vpc_id);
    let link = match via {
        Via::TransitGateway(id) | Via::Peering(id) => id.as_str(),
    };
    let winner = route::lookup_block::<F>(routes, F::host(back_to)).0;
    match winner {
        Some(r) if !r.blackhole && r.target == link => Hop::allowed(
            HopKind::ReturnRoute,
            vec![rtb.clone()],
            cx.say(|| format!("{rtb} ({how}): {r}")),
        ),
        None if !missing.is_empty() => {
            Hop::unknown(HopKind::ReturnRoute, vec![rtb], missing.join("; "))
        }
        found => {
            let what = match found {
                Some(r) => format!("its route {r} does not lead back over {link}"),
                None => format!("it has no {} back", F::ROUTE),
            };
            let problem = format!(
                "{rtb} (the endpoint subnet {subnet}) cannot return replies{} to {back_to} \
                 ({wvpc}): {what}",
                F::traffic_tag(cx)
            );
            let fix = format!(
                "add a route {} -> {link} in {rtb}",
                vpc_cidr::<F>(cx, wvpc, &w.eni.subnet_id)
            );
            Hop::blocked(
                HopKind::ReturnRoute,
                vec![rtb],
                FindingCode::NoRouteToDestination,
                problem,
                fix,
            )
        }
    }
}

/// One TGW crossing: the TGW and the two VPC attachments, with the zones of the two ends.
struct Crossing<'c> {
    id: &'c str,
    /// The workload VPC's attachment.
    src: &'c TransitGatewayVpcAttachment,
    /// The endpoint VPC's attachment.
    dst: &'c TransitGatewayVpcAttachment,
    wzone: Result<&'c str, String>,
    ezone: Result<&'c str, String>,
}

/// TGW: attachments (and what the family needs of them), zones, associations, routes and the
/// attachment subnets' ACLs, both ways, added to `hops`.
fn tgw_hops<F: Leg>(
    cx: &Ctx,
    e: &Ends<F>,
    (id, src, dst): (
        &str,
        &TransitGatewayVpcAttachment,
        &TransitGatewayVpcAttachment,
    ),
    hops: &mut Vec<Hop>,
) {
    let x = Crossing {
        id,
        src,
        dst,
        wzone: tgw::zone_of(cx.snap, &cx.workload.eni.subnet_id),
        ezone: tgw::zone_of(cx.snap, e.subnet),
    };
    hops.push(attachments_state(cx, id, src, dst));
    F::attachment_hops(cx, id, [src, dst], hops);
    tgw_forward(cx, e, &x, hops);
    let refs = match tgw::sg_referencing(cx.snap, id, [src, dst]) {
        Ok(true) => Refs::Work,
        Ok(false) => Refs::DoNot(format!(
            "security group referencing support is off on {id} or one of its attachments"
        )),
        Err(why) => Refs::Unknown(why),
    };
    hops.push(F::ingress(cx, e, &refs));
    tgw_reply(cx, e, &x, hops);
}

/// Forward: into the TGW from the workload's zone (T2) through the source attachment's table
/// (T3-T5), then the attachment subnets' ACLs (T6) and the endpoint subnet's ACL in.
fn tgw_forward<F: Leg>(cx: &Ctx, e: &Ends<F>, x: &Crossing, hops: &mut Vec<Hop>) {
    let w = cx.workload;
    let here = &w.eni.subnet_id;
    let (az, src_subnet) = zone_hop(cx, HopKind::TgwAz, x.src, &x.wzone, w.id(), here);
    hops.push(az);
    let kinds = (HopKind::TgwAssociation, HopKind::TgwRoute);
    association_hops::<F>(cx, kinds, (x.src, x.dst), e.dst, hops);
    let ends = (e.dst, e.src);
    if let Some(s) = &src_subnet {
        hops.push(acl::<F>(cx, AclHop::TgwInbound, s, ends, here));
    }
    // Out of the TGW in the workload's zone when the endpoint VPC's attachment has a subnet
    // there, else in the ENI's.
    let exit = attachment_subnet(cx, x.dst, [&x.wzone, &x.ezone])
        .or_else(|| x.dst.subnet_ids.first().map(String::as_str));
    let acls = (AclHop::TgwOutbound, AclHop::Inbound);
    hops.extend(into_vpc::<F>(cx, x.id, exit, acls, e.subnet, ends, here));
}

/// Reply: the endpoint subnet's route back over the same TGW, into the TGW from the ENI's zone
/// (T2) through the endpoint VPC attachment's table, and the ACLs on the way (T6).
fn tgw_reply<F: Leg>(cx: &Ctx, e: &Ends<F>, x: &Crossing, hops: &mut Vec<Hop>) {
    let here = cx.workload.eni.subnet_id.as_str();
    let via = Via::TransitGateway(x.id.to_string());
    hops.push(return_route::<F>(cx, e.subnet, e.src, &via));
    let (az, back_subnet) = zone_hop(cx, HopKind::ReturnTgwAz, x.dst, &x.ezone, e.eni, e.subnet);
    hops.push(az);
    let kinds = (HopKind::ReturnTgwAssociation, HopKind::ReturnTgwRoute);
    association_hops::<F>(cx, kinds, (x.dst, x.src), e.src, hops);
    let ends = (e.src, e.dst);
    hops.push(acl::<F>(cx, AclHop::ReturnOutbound, e.subnet, ends, here));
    if let Some(s) = &back_subnet {
        hops.push(acl::<F>(cx, AclHop::TgwReturnInbound, s, ends, e.subnet));
    }
    let entry = attachment_subnet(cx, x.src, [&x.ezone, &x.wzone])
        .or_else(|| x.src.subnet_ids.first().map(String::as_str));
    let acls = (AclHop::TgwReturnOutbound, AclHop::ReturnInbound);
    hops.extend(into_vpc::<F>(cx, x.id, entry, acls, here, ends, e.subnet));
}

/// The attachment's subnet in the first of `zones` it has one in.
pub(super) fn attachment_subnet<'a>(
    cx: &Ctx,
    a: &'a TransitGatewayVpcAttachment,
    zones: [&Result<&str, String>; 2],
) -> Option<&'a str> {
    zones
        .into_iter()
        .filter_map(|z| z.as_ref().ok())
        .find_map(|z| tgw::subnet_in_az(cx.snap, a, z).ok().flatten())
}

/// What the cross-VPC hop builders need of an address family beyond its evaluators: the
/// family-specific ACL hop and the wording of the traffic. Implemented for [`V4`] here and
/// for `V6` in `cross6`; the shared builders are monomorphized, so the IPv4 instance is the
/// code IPv4 had before (no allocation or test of the family per hop).
pub(super) trait Leg: AddrFamily<Addr: fmt::Display> {
    /// One ACL hop of this family for the packets `required`; a fixing entry names the
    /// block of `peer` (the other end's subnet).
    fn acl_hop(cx: &Ctx, hop: AclHop, subnet: &str, required: &RegionOf<Self>, peer: &str) -> Hop;
    /// The traffic as findings word it (`tcp/443`, `tcp/443 over IPv6`: V11).
    fn traffic<'c>(cx: &'c Ctx) -> Cow<'c, str>;
    /// A route of this family as "no …" words it (`route`, `IPv6 route`).
    const ROUTE: &'static str;
    /// What a TGW propagation needs for this family, after the attachment (IPv6 support).
    const SUPPORT: &'static str;
    /// What follows an address in a TGW finding: nothing for IPv4 (the finding's traffic
    /// says it), ` (tcp/443 over IPv6)` for IPv6.
    fn traffic_tag(cx: &Ctx) -> String;
    /// The routes of TGW route table `table` of `gateway`, expanded once per check.
    fn tgw_routes(cx: &Ctx, gateway: &str, table: &str) -> Rc<TgwRoutesOf<Self>>;
    /// The TGW route that wins for `ip` (T5).
    fn tgw_lookup(
        routes: &[TgwRouteMatchOf<Self>],
        ip: Self::Addr,
    ) -> Option<&TgwRouteMatchOf<Self>>;
    /// The VPC's first block of this family, as a fix names it.
    fn vpc_block(cx: &Ctx, vpc: &str) -> Option<String>;
    /// The fix of a TGW table without a route of this family to `target`.
    fn add_tgw_route(target: &str, table: &str, cidr: &str) -> String;
    /// A block of this family as "the VPC's own …" words it.
    const CIDR: &'static str;
    /// What follows "no route to <address> (<vpc>)": nothing for IPv4, ` for tcp/443 over
    /// IPv6` for IPv6.
    fn for_traffic(cx: &Ctx) -> String;
    /// What a local route keeps local: `it`, `tcp/443 over IPv6`.
    fn it<'c>(cx: &'c Ctx) -> Cow<'c, str>;
    /// The block of one address.
    fn host(ip: Self::Addr) -> Self::Net;
    /// The routes of this family of a VPC route table, expanded once per check.
    fn vpc_routes(cx: &Ctx, table: &RouteTable) -> Rc<VpcRoutesOf<Self>>;
    /// The subnet's block of this family as a fix names it, else the subnet id.
    fn subnet_block(cx: &Ctx, subnet: &str) -> String;
    /// The workload's groups, outbound to the ENI address, references counted only where
    /// they work across the link.
    fn egress(cx: &Ctx, e: &Ends<Self>, refs: &Refs) -> Hop;
    /// The endpoint's groups, inbound from the workload address, likewise.
    fn ingress(cx: &Ctx, e: &Ends<Self>, refs: &Refs) -> Hop;
    /// What the family needs of the two TGW attachments beyond their state (IPv6 support,
    /// V12), added to `hops`.
    fn attachment_hops(
        cx: &Ctx,
        id: &str,
        attachments: [&TransitGatewayVpcAttachment; 2],
        hops: &mut Vec<Hop>,
    );
}

impl Leg for V4 {
    fn acl_hop(cx: &Ctx, hop: AclHop, subnet: &str, required: &Region, peer: &str) -> Hop {
        hops::acl(cx, hop, subnet, required, &cidr_of(cx, peer))
    }
    fn traffic<'c>(cx: &'c Ctx) -> Cow<'c, str> {
        Cow::Borrowed(&cx.endpoint.traffic)
    }
    const ROUTE: &'static str = "route";
    const SUPPORT: &'static str = "";
    fn traffic_tag(_: &Ctx) -> String {
        String::new()
    }
    fn tgw_routes(cx: &Ctx, gateway: &str, table: &str) -> Rc<TgwRoutesOf<V4>> {
        cx.tgw_routes(gateway, table)
    }
    fn tgw_lookup(routes: &[TgwRouteMatchOf<V4>], ip: Ipv4Addr) -> Option<&TgwRouteMatchOf<V4>> {
        tgw::lookup(routes, ip)
    }
    fn vpc_block(cx: &Ctx, vpc: &str) -> Option<String> {
        cx.snap
            .vpcs
            .get(vpc)
            .and_then(|v| v.cidr_block)
            .map(text::cidr)
    }
    fn add_tgw_route(target: &str, table: &str, cidr: &str) -> String {
        format!("propagate {target} into {table}, or add a static route {cidr} -> {target}")
    }
    const CIDR: &'static str = "CIDR";
    fn for_traffic(_: &Ctx) -> String {
        String::new()
    }
    fn it<'c>(_: &'c Ctx) -> Cow<'c, str> {
        Cow::Borrowed("it")
    }
    fn host(ip: Ipv4Addr) -> Ipv4Net {
        Ipv4Net::from(ip)
    }
    fn vpc_routes(cx: &Ctx, table: &RouteTable) -> Rc<VpcRoutesOf<V4>> {
        cx.vpc_routes(table)
    }
    fn subnet_block(cx: &Ctx, subnet: &str) -> String {
        cidr_of(cx, subnet).to_string()
    }
    fn egress(cx: &Ctx, e: &Ends<V4>, refs: &Refs) -> Hop {
        egress(cx, e, refs)
    }
    fn ingress(cx: &Ctx, _: &Ends<V4>, refs: &Refs) -> Hop {
        ingress(cx, refs)
    }
    /// IPv4 needs nothing more of an available attachment.
    fn attachment_hops(_: &Ctx, _: &str, _: [&TransitGatewayVpcAttachment; 2], _: &mut Vec<Hop>) {}
}

/// Out of the TGW into a VPC (T6): the attachment subnet's ACL outbound, then the host subnet's
/// ACL inbound; neither is evaluated when the host sits in the attachment subnet itself.
/// `ends`: (destination, source) addresses; `peer`: the other end's subnet, for fixes.
pub(super) fn into_vpc<F: Leg>(
    cx: &Ctx,
    id: &str,
    attachment_subnet: Option<&str>,
    (tgw_acl, host_acl): (AclHop, AclHop),
    host_subnet: &str,
    ends: (F::Addr, F::Addr),
    peer: &str,
) -> Vec<Hop> {
    match attachment_subnet {
        Some(t) if t == host_subnet => {
            let why = format!("{t} holds {id}'s attachment: traffic from it is not evaluated");
            vec![
                Hop::not_crossed(tgw_acl.kind(), why.clone()),
                Hop::not_crossed(host_acl.kind(), why),
            ]
        }
        Some(t) => vec![
            acl::<F>(cx, tgw_acl, t, ends, peer),
            acl::<F>(cx, host_acl, host_subnet, ends, peer),
        ],
        None => vec![acl::<F>(cx, host_acl, host_subnet, ends, peer)],
    }
}

/// Both attachments must be available.
pub(super) fn attachments_state(
    cx: &Ctx,
    id: &str,
    src: &TransitGatewayVpcAttachment,
    dst: &TransitGatewayVpcAttachment,
) -> Hop {
    for a in [src, dst] {
        if !tgw::attachment_available(a) {
            let aid = &a.transit_gateway_attachment_id;
            let state = a.state.clone().unwrap_or_default();
            let problem = format!("{aid} ({} on {id}) is `{state}`, not available", a.vpc_id);
            let fix = format!("accept or recreate {aid}");
            return Hop::blocked(
                HopKind::Link,
                vec![aid.clone()],
                FindingCode::TgwAttachmentNotAvailable,
                problem,
                fix,
            );
        }
    }
    let ids = vec![
        src.transit_gateway_attachment_id.clone(),
        dst.transit_gateway_attachment_id.clone(),
    ];
    let detail = cx.say(|| format!("{id}: {} and {} available", ids[0], ids[1]));
    Hop::allowed(HopKind::Link, ids, detail)
}

/// The attachment has a subnet in `zone` (T2): traffic from resources of other zones cannot
/// enter the TGW. Returns the hop and the subnet.
pub(super) fn zone_hop(
    cx: &Ctx,
    kind: HopKind,
    a: &TransitGatewayVpcAttachment,
    zone: &Result<&str, String>,
    who: &str,
    subnet: &str,
) -> (Hop, Option<String>) {
    let aid = &a.transit_gateway_attachment_id;
    let zone = match zone {
        Ok(z) => *z,
        Err(why) => return (Hop::unknown(kind, vec![aid.clone()], why.clone()), None),
    };
    match tgw::subnet_in_az(cx.snap, a, zone) {
        Ok(Some(s)) => {
            let detail = cx.say(|| format!("{aid} has {s} in {zone}"));
            (
                Hop::allowed(kind, vec![aid.clone()], detail),
                Some(s.to_string()),
            )
        }
        Ok(None) => {
            let problem = format!(
                "{aid} ({}) has no subnet in {zone}, the zone of {who} ({subnet}): traffic from \
                 that zone cannot enter the transit gateway",
                a.vpc_id
            );
            let fix = format!("add a subnet of {} in {zone} to {aid}", a.vpc_id);
            (
                Hop::blocked(
                    kind,
                    vec![aid.clone()],
                    FindingCode::TgwRouteAzRestriction,
                    problem,
                    fix,
                ),
                None,
            )
        }
        Err(why) => (Hop::unknown(kind, vec![aid.clone()], why), None),
    }
}

/// The `from` attachment's TGW route table (T3), then that table's route for `ip` (T4, T5;
/// V12 for IPv6), which must lead to the `to` attachment: one hop or two, added to `hops`.
pub(super) fn association_hops<F: Leg>(
    cx: &Ctx,
    (kind, route_kind): (HopKind, HopKind),
    (from, to): (&TransitGatewayVpcAttachment, &TransitGatewayVpcAttachment),
    ip: F::Addr,
    hops: &mut Vec<Hop>,
) {
    let (hop, table) = association_hop(cx, kind, from);
    hops.push(hop);
    if let Some(table) = table {
        hops.push(tgw_route_hop::<F>(cx, route_kind, &table, (from, to), ip));
    }
}

/// The `from` attachment's TGW route table (T3): the hop, and the table when it has one.
pub(super) fn association_hop(
    cx: &Ctx,
    kind: HopKind,
    from: &TransitGatewayVpcAttachment,
) -> (Hop, Option<String>) {
    let aid = &from.transit_gateway_attachment_id;
    let table = match tgw::association(cx.snap, aid) {
        Ok(Some(t)) => t,
        Ok(None) => {
            let problem = format!(
                "{aid} ({}) is associated with no transit gateway route table",
                from.vpc_id
            );
            let fix = format!(
                "associate {aid} with a route table of {}",
                from.transit_gateway_id
            );
            let hop = Hop::blocked(
                kind,
                vec![aid.clone()],
                FindingCode::TgwAttachMissingTgwRtbAssociation,
                problem,
                fix,
            );
            return (hop, None);
        }
        Err(why) => return (Hop::unknown(kind, vec![aid.clone()], why), None),
    };
    let detail = cx.say(|| format!("{aid} -> {table}"));
    (Hop::allowed(kind, vec![aid.clone()], detail), Some(table))
}

/// The TGW route table's longest-prefix route of the family for `ip` must be an active route
/// to `to` (T4, T5; V12). A blackhole, another attachment or no route of the family winning is
/// `TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT` on the table, the fix naming the VPC's block.
fn tgw_route_hop<F: Leg>(
    cx: &Ctx,
    kind: HopKind,
    table: &str,
    (from, to): (&TransitGatewayVpcAttachment, &TransitGatewayVpcAttachment),
    ip: F::Addr,
) -> Hop {
    let expanded = F::tgw_routes(cx, &from.transit_gateway_id, table);
    let routes = match &*expanded {
        Ok(r) => r,
        Err(why) => return Hop::unknown(kind, vec![table.to_string()], why.clone()),
    };
    let target = &to.transit_gateway_attachment_id;
    let winner = F::tgw_lookup(routes, ip);
    if let Some(r) = winner.filter(|r| !r.blackhole && r.attachment.as_ref() == Some(target)) {
        let detail = cx.say(|| format!("{table}: {r}"));
        return Hop::allowed(kind, vec![table.to_string()], detail);
    }
    let what = match winner {
        Some(r) if r.blackhole => format!("the blackhole route {r} drops it"),
        Some(r) => format!("its route {r} leads elsewhere"),
        None => format!("it has no {}", F::ROUTE),
    };
    let problem = format!(
        "{table} cannot send {ip}{} to {target} ({}): {what}",
        F::traffic_tag(cx),
        to.vpc_id
    );
    let fix = match winner {
        Some(r) if r.blackhole => format!(
            "replace the blackhole route {} in {table} with a route to {target}, or propagate \
             {target}{} into {table}",
            F::route_text(r.cidr),
            F::SUPPORT
        ),
        _ => {
            let cidr = F::vpc_block(cx, &to.vpc_id).unwrap_or_else(|| ip.to_string());
            F::add_tgw_route(target, table, &cidr)
        }
    };
    Hop::blocked(
        kind,
        vec![table.to_string()],
        FindingCode::TgwRtbNoRouteToTgwAttachment,
        problem,
        fix,
    )
}
