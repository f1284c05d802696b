//! Gateway endpoints: one target, the service's prefix list (docs/spec.md G1-G4). Security groups see
//! the list (by reference or by CIDRs), routes send each of its CIDRs to the endpoint, and the
//! workload subnet's ACL must pass every CIDR of it both ways; no ENI, no endpoint-side hop.

use crate::finding::FindingCode;
use crate::prefix_list;
use crate::route::{self, RouteMatch};
use crate::snapshot::PrefixList;
use crate::space::{AddrRange, Region};

use super::hops::{self, service_region};
use super::{AclHop, Ctx, Hop, HopKind, Target};

/// The single prefix-list target (none when the snapshot lacks the list).
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    let Some(pl) = cx.endpoint.prefix_list else {
        return Vec::new();
    };
    let hops = vec![
        egress(cx, pl),
        route_hop(cx, pl),
        acl_out(cx, pl),
        reply_in(cx, pl),
    ];
    let address = prefix_list::ipv4_cidrs(pl)
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    vec![Target {
        id: pl.prefix_list_id.clone(),
        address,
        hops,
    }]
}

/// The workload's groups, outbound to every CIDR of the list. Depends on the group list (and
/// on the workload only when it has no group: it is blamed itself).
pub(crate) fn egress(cx: &Ctx, pl: &PrefixList) -> Hop {
    let ranges: Vec<AddrRange> = prefix_list::ipv4_ranges(pl).collect();
    let forward = service_region(&ranges, &cx.endpoint.ports);
    let traffic = &cx.endpoint.traffic;
    let total = ranges.len();
    let problem = |uncovered: &Region| {
        let touches = |r: &AddrRange| {
            uncovered
                .rects()
                .iter()
                .any(|x| x.addrs.intersect(*r).is_some())
        };
        let left = ranges.iter().filter(|r| touches(r)).count();
        let what = uncovered.describe_addrs();
        format!(
            "no egress {traffic} to {} ({left} of its {total} CIDRs uncovered: {what})",
            pl.prefix_list_id
        )
    };
    hops::sg_egress(cx, &forward, &problem, &pl.prefix_list_id)
}

/// The workload subnet's ACL, outbound to every CIDR of the list. Depends on the subnet.
pub(crate) fn acl_out(cx: &Ctx, pl: &PrefixList) -> Hop {
    let ranges: Vec<AddrRange> = prefix_list::ipv4_ranges(pl).collect();
    let forward = service_region(&ranges, &cx.endpoint.ports);
    hops::acl(
        cx,
        AclHop::Outbound,
        &cx.workload.eni.subnet_id,
        &forward,
        &acl_peer(pl),
    )
}

/// The workload subnet's ACL, inbound replies from every CIDR of the list. Depends on the
/// subnet.
pub(crate) fn reply_in(cx: &Ctx, pl: &PrefixList) -> Hop {
    let replies = Region::from_addrs(prefix_list::ipv4_ranges(pl), cx.params.ephemeral_ports);
    hops::acl(
        cx,
        AclHop::ReturnInbound,
        &cx.workload.eni.subnet_id,
        &replies,
        &acl_peer(pl),
    )
}

/// What a fixing ACL entry must name: each CIDR of the list (ACLs take no prefix lists).
fn acl_peer(pl: &PrefixList) -> String {
    let cidrs: Vec<String> = prefix_list::ipv4_cidrs(pl).map(|c| c.to_string()).collect();
    format!("each of {} ({})", pl.prefix_list_id, cidrs.join(", "))
}

/// Every CIDR of the list must be won by the endpoint's prefix-list route. Depends on the
/// subnet.
pub(crate) fn route_hop(cx: &Ctx, pl: &PrefixList) -> Hop {
    let ep = cx.endpoint;
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
    let to_endpoint = |r: &RouteMatch| r.target == ep.id() && !r.blackhole;
    if !routes.iter().any(to_endpoint) {
        if !missing.is_empty() {
            return Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "));
        }
        return missing_route(cx, &rtb, &routes, pl);
    }
    let mut diverting: Vec<&RouteMatch> = Vec::new();
    for cidr in prefix_list::ipv4_cidrs(pl) {
        let (winner, inside) = route::lookup_block(&routes, cidr);
        match winner {
            Some(winner) if to_endpoint(winner) => {
                diverting.extend(inside.into_iter().filter(|r| !to_endpoint(r)))
            }
            Some(winner) => diverting.push(winner),
            None => {}
        }
    }
    if diverting.is_empty() && !missing.is_empty() {
        // A route to a list the snapshot cannot read may be as specific as some of the
        // service's CIDRs and take them (G2): the endpoint route is not proven to win.
        return Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "));
    }
    if diverting.is_empty() {
        let how = hops::table_how(via_main);
        let detail = cx.say(|| format!("{rtb} ({how}): {} -> {}", pl.prefix_list_id, ep.id()));
        return Hop::allowed(HopKind::Route, vec![rtb.clone()], detail);
    }
    diverting.dedup();
    let shown: Vec<String> = diverting.iter().map(|r| r.to_string()).collect();
    let problem = format!(
        "{rtb}: {} at least as specific as {} entries, so they win over the endpoint route",
        shown.join(", "),
        pl.prefix_list_id
    );
    let first = diverting[0];
    let fix = format!(
        "remove or narrow the route {} -> {} in {rtb}",
        first.cidr, first.target
    );
    Hop::blocked(
        HopKind::Route,
        vec![rtb],
        FindingCode::MoreSpecificRoute,
        problem,
        fix,
    )
}

fn missing_route(cx: &Ctx, rtb: &str, routes: &[RouteMatch], pl: &PrefixList) -> Hop {
    let ep = cx.endpoint;
    let instead = prefix_list::ipv4_cidrs(pl)
        .next()
        .and_then(|c| route::lookup_block(routes, c).0)
        .map_or("nowhere".to_string(), |r| format!("{} instead", r.target));
    let problem = format!(
        "{rtb} has no {} route to {}: {} traffic goes {instead}",
        pl.prefix_list_id,
        ep.id(),
        ep.short_name
    );
    let fix = format!(
        "add {rtb} to {} (aws ec2 modify-vpc-endpoint --add-route-table-ids {rtb})",
        ep.id()
    );
    Hop::blocked(
        HopKind::Route,
        vec![rtb.to_string()],
        FindingCode::NoRouteToDestination,
        problem,
        fix,
    )
}
