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

use ipnet::Ipv6Net;

use crate::addr_family::V6;
use crate::finding::FindingCode;
use crate::route;
use crate::security_group::{self, RuleDirection};
use crate::snapshot::{RouteTable, Snapshot, TransitGatewayVpcAttachment};
use crate::space6::{display_cidr6, Addr6Range, Region6};
use crate::transit_gateway::{self as tgw, TgwRouteMatchOf};

use super::cross::{self, Ends, Leg, Refs, Via};
use super::interface6::{acl6, service_region6, subnet_cidr6, traffic6};
use super::lookups::{TgwRoutesOf, VpcRoutesOf};
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
            let e = Ends {
                src,
                dst: a.ipv6_address,
                eni: &eni.network_interface_id,
                subnet: &eni.subnet_id,
            };
            out.push(cross::target::<V6>(cx, &e));
        }
    }
    out
}

impl Leg for V6 {
    fn acl_hop(cx: &Ctx, hop: AclHop, subnet: &str, required: &Region6, peer: &str) -> Hop {
        acl6(cx, hop, subnet, required, &subnet_cidr6(cx, peer))
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
    const CIDR: &'static str = "IPv6 CIDR";
    fn for_traffic(cx: &Ctx) -> String {
        format!(" for {}", traffic6(cx))
    }
    fn it<'c>(cx: &'c Ctx) -> Cow<'c, str> {
        Cow::Owned(traffic6(cx))
    }
    fn host(ip: Ipv6Addr) -> Ipv6Net {
        Ipv6Net::from(ip)
    }
    fn vpc_routes(cx: &Ctx, table: &RouteTable) -> Rc<VpcRoutesOf<V6>> {
        cx.vpc_routes6(table)
    }
    fn subnet_block(cx: &Ctx, subnet: &str) -> String {
        subnet_cidr6(cx, subnet)
    }
    fn egress(cx: &Ctx, e: &Ends<V6>, refs: &Refs) -> Hop {
        egress(cx, e, refs)
    }
    fn ingress(cx: &Ctx, e: &Ends<V6>, refs: &Refs) -> Hop {
        ingress(cx, e, refs)
    }
    /// Both attachments need IPv6 support (V12).
    fn attachment_hops(
        cx: &Ctx,
        id: &str,
        attachments: [&TransitGatewayVpcAttachment; 2],
        hops: &mut Vec<Hop>,
    ) {
        hops.push(ipv6_support(cx, id, attachments));
    }
}

/// The workload's groups, outbound to the ENI's IPv6 address, references counted only where
/// they work across the link. A fix names the ENI subnet's IPv6 block.
fn egress(cx: &Ctx, e: &Ends<V6>, refs: &Refs) -> Hop {
    let required = service_region6(Addr6Range::host(e.dst), &cx.endpoint.ports);
    let peer = subnet_cidr6(cx, e.subnet);
    let groups = &cx.workload.groups;
    let verdict =
        security_group::evaluate6(cx.snap, groups, RuleDirection::Egress, &required, true);
    let kind = HopKind::SecurityGroupEgress;
    let Ok(hop) = hops::sg_settled(cx, kind, groups, cx.workload.id(), &verdict) else {
        let problem = format!("no egress {} to {} or {peer}", traffic6(cx), e.dst);
        return hops::sg_egress_blocked(cx, problem, &peer);
    };
    let direction = RuleDirection::Egress;
    cross::without_refs::<V6>(cx, hop, refs, groups, direction, &required, &peer)
}

/// The endpoint's groups, inbound from the workload's IPv6 address, references counted only
/// where they work; the fix names the workload subnet's IPv6 block (a reference may not work
/// across the link).
fn ingress(cx: &Ctx, e: &Ends<V6>, refs: &Refs) -> Hop {
    let ep = cx.endpoint;
    let groups = ep.group_ids();
    let required = service_region6(Addr6Range::host(e.src), &ep.ports);
    let verdict =
        security_group::evaluate6(cx.snap, groups, RuleDirection::Ingress, &required, true);
    let peer = subnet_cidr6(cx, &cx.workload.eni.subnet_id);
    let kind = HopKind::SecurityGroupIngress;
    let hop = match hops::sg_settled(cx, kind, groups, ep.id(), &verdict) {
        Ok(hop) => hop,
        Err(components) => {
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
            return Hop::blocked(kind, components, code, problem, fix);
        }
    };
    let direction = RuleDirection::Ingress;
    cross::without_refs::<V6>(cx, hop, refs, groups, direction, &required, &peer)
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
