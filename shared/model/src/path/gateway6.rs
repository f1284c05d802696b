//! Gateway endpoints over IPv6 (docs/spec.md V4, with V5-V7 and V11): the IPv6 leg of a pair
//! through a `dualstack` or `ipv6` S3/DynamoDB gateway endpoint, as `gateway` is the IPv4 one.
//!
//! The service's IPv6 ranges are a prefix list of their own, which AWS routes to the endpoint
//! in every associated route table; AWS documents no name for it, so the list is the one a
//! route to the endpoint names whose family is IPv6 (`AddressFamily`, else its entries:
//! `prefix_list::family_of`). The hops: the workload's groups outbound to the list, the
//! workload subnet's IPv6 route (longest prefix: a more specific IPv6 route takes the
//! traffic), its ACL's IPv6 entries out to every CIDR of the list and the ephemeral replies
//! back in. A list the snapshot cannot read or whose family it cannot tell is missing data,
//! never a verdict.
//!
//! Called by `super::trace` for same-VPC gateway pairs whose family decision
//! (`family::gateway_need_gated`) needs IPv6; the fast judge sends those pairs to the exact
//! trace (`check::fast::needs_trace`).

use crate::addr_family::V6;
use crate::family::Family;
use crate::finding::FindingCode;
use crate::prefix_list;
use crate::route::{self, RouteMatch6};
use crate::security_group::{self, RuleDirection};
use crate::snapshot::{PrefixList, Route, RouteTable};
use crate::space6::{display_cidr6, Addr6Range, Region6};

use super::hops::{self, SubnetUses};
use super::interface6::acl6;
use super::{AclHop, Ctx, Hop, HopKind, Target};

/// The endpoint's IPv6 prefix list, as far as the snapshot shows it.
enum Ipv6List<'a> {
    /// The IPv6 list a route to the endpoint names.
    Found(&'a PrefixList),
    /// A route to the endpoint names a list the snapshot lacks, holds without entries, or
    /// whose family it cannot tell: what is missing.
    Unreadable(String),
    /// No route table of the endpoint's VPC routes an IPv6 list (or an unreadable one) to
    /// the endpoint.
    Unrouted,
}

/// The IPv6 target of the pair: the service's IPv6 list with its four hops; without the
/// list, the route hop alone: unknown, naming the gap, when the workload's table routes a list
/// that cannot be read; blocked when it routes no IPv6 list to the endpoint (whatever the
/// list holds).
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    let list = ipv6_list(cx);
    let route = route_hop(cx, &list);
    let target = match list {
        Ipv6List::Found(pl) => {
            let address = prefix_list::cidrs::<V6>(pl)
                .map(|c| display_cidr6(&c))
                .collect::<Vec<_>>()
                .join(", ");
            Target {
                id: pl.prefix_list_id.clone(),
                address,
                hops: vec![egress(cx, pl), route, acl_out(cx, pl), reply_in(cx, pl)],
            }
        }
        // The route hop names the gap when the workload's table routes the unreadable list,
        // and blocks (whatever the list holds) when it routes no IPv6 list to the endpoint.
        Ipv6List::Unreadable(_) | Ipv6List::Unrouted => whole_endpoint(cx, vec![route]),
    };
    vec![target]
}

/// A target standing for the endpoint when its IPv6 list is unknown.
fn whole_endpoint(cx: &Ctx, hops: Vec<Hop>) -> Target {
    Target {
        id: cx.endpoint.id().to_string(),
        address: "IPv6 prefix list unknown".to_string(),
        hops,
    }
}

/// True for a route whose target is the endpoint (`GatewayId: vpce-…`, as
/// `describe-route-tables` writes a gateway endpoint's routes).
fn targets_endpoint(route: &Route, cx: &Ctx) -> bool {
    let ep = Some(cx.endpoint.id());
    route.gateway_id.as_deref() == ep || route.vpc_endpoint_id.as_deref() == ep
}

/// The lists routed to the endpoint, other than its IPv4 one: the workload's table first (the
/// list it would use), then every other table of the endpoint's VPC (AWS routes the same list
/// in each associated table).
fn routed_lists<'a>(cx: &Ctx<'a>) -> Vec<&'a str> {
    let snap = cx.snap;
    let own = route::table_for_subnet(snap, &cx.workload.eni.subnet_id).map(|(t, _)| t);
    let vpc = &cx.endpoint.raw.vpc_id;
    let others = snap
        .route_tables
        .values()
        .filter(|t| t.vpc_id == *vpc && own.is_none_or(|o| o.route_table_id != t.route_table_id));
    let ipv4 = cx.endpoint.prefix_list.map(|pl| pl.prefix_list_id.as_str());
    let mut ids: Vec<&'a str> = Vec::new();
    for table in own.into_iter().chain(others) {
        for r in table.routes.iter().filter(|r| targets_endpoint(r, cx)) {
            match r.destination_prefix_list_id.as_deref() {
                Some(id) if Some(id) != ipv4 && !ids.contains(&id) => ids.push(id),
                _ => {}
            }
        }
    }
    ids
}

/// The endpoint's IPv6 list: the first list routed to it whose family is IPv6.
fn ipv6_list<'a>(cx: &Ctx<'a>) -> Ipv6List<'a> {
    let snap = cx.snap;
    let user = format!("routed to {}", cx.endpoint.id());
    let mut gaps = Vec::new();
    for id in routed_lists(cx) {
        let Some(pl) = snap.prefix_lists.get(id) else {
            gaps.push(snap.prefix_list_gap(id, &user));
            continue;
        };
        match prefix_list::family_of(pl) {
            Some(Family::V6) => return Ipv6List::Found(pl),
            Some(Family::V4) => {}
            None => gaps.push(format!(
                "prefix list {id} ({user}) has no `AddressFamily` and no entries of one \
                 family: its family is unknown (add describe-managed-prefix-lists output)"
            )),
        }
    }
    if gaps.is_empty() {
        Ipv6List::Unrouted
    } else {
        Ipv6List::Unreadable(gaps.join("; "))
    }
}

/// `pl-… (s3's IPv6 prefix list)`: how fixes name the list.
fn list_name(cx: &Ctx, pl: &PrefixList) -> String {
    format!(
        "{} ({}'s IPv6 prefix list)",
        pl.prefix_list_id, cx.endpoint.short_name
    )
}

/// The workload's groups, outbound to every IPv6 CIDR of the list (G3, V5): by referencing
/// the list or with `Ipv6Ranges` covering its entries. The fix references the IPv6 list.
fn egress(cx: &Ctx, pl: &PrefixList) -> Hop {
    let workload = cx.workload;
    let ranges: Vec<Addr6Range> = prefix_list::ranges::<V6>(pl).collect();
    let required = hops::service_region(&ranges, &cx.endpoint.ports);
    let verdict = security_group::evaluate6(
        cx.snap,
        &workload.groups,
        RuleDirection::Egress,
        &required,
        true,
    );
    let kind = HopKind::SecurityGroupEgress;
    if let Ok(hop) = hops::sg_settled(cx, kind, &workload.groups, workload.id(), &verdict) {
        return hop;
    }
    let uncovered = &verdict.uncovered;
    let touches = |r: &Addr6Range| {
        uncovered
            .rects()
            .iter()
            .any(|x| x.addrs.intersect(*r).is_some())
    };
    let left = ranges.iter().filter(|r| touches(r)).count();
    let problem = format!(
        "no egress {} over IPv6 to {} ({left} of its {} CIDRs uncovered: {})",
        cx.endpoint.traffic,
        pl.prefix_list_id,
        ranges.len(),
        uncovered.describe_addrs()
    );
    hops::sg_egress_blocked(cx, problem, &list_name(cx, pl))
}

/// The workload subnet's ACL, outbound over IPv6 to every CIDR of the list (G4, V6).
fn acl_out(cx: &Ctx, pl: &PrefixList) -> Hop {
    let ranges: Vec<Addr6Range> = prefix_list::ranges::<V6>(pl).collect();
    let forward = hops::service_region(&ranges, &cx.endpoint.ports);
    let subnet = &cx.workload.eni.subnet_id;
    acl6(cx, AclHop::Outbound, subnet, &forward, &acl_peer(pl))
}

/// The workload subnet's ACL, inbound IPv6 replies from every CIDR of the list on the
/// ephemeral ports (I4, V6).
fn reply_in(cx: &Ctx, pl: &PrefixList) -> Hop {
    let replies = Region6::from_addrs(prefix_list::ranges::<V6>(pl), cx.params.ephemeral_ports);
    let subnet = &cx.workload.eni.subnet_id;
    acl6(cx, AclHop::ReturnInbound, subnet, &replies, &acl_peer(pl))
}

/// What a fixing ACL entry must name: each IPv6 CIDR of the list (ACLs take no prefix lists).
fn acl_peer(pl: &PrefixList) -> String {
    let cidrs: Vec<String> = prefix_list::cidrs::<V6>(pl)
        .map(|c| display_cidr6(&c))
        .collect();
    format!("each of {} ({})", pl.prefix_list_id, cidrs.join(", "))
}

/// The workload subnet's IPv6 route (G1, G2, V7): every IPv6 CIDR of the list must be won by
/// the endpoint's route. Without an IPv6 route to the endpoint the traffic follows the
/// table's other IPv6 routes (V4: "dropped or routed over an IPv6-compatible path").
fn route_hop(cx: &Ctx, list: &Ipv6List) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, via_main)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = hops::subnet_gap(cx.snap, subnet, SubnetUses::RouteTable);
        return Hop::unknown(HopKind::Route, vec![subnet.clone()], problem);
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes6(cx.snap, table);
    let ep = cx.endpoint.id();
    let to_endpoint = |r: &RouteMatch6| r.target == ep && !r.blackhole;
    let pl = match list {
        Ipv6List::Found(pl) => Some(*pl),
        _ => None,
    };
    if !routes.iter().any(to_endpoint) {
        if !missing.is_empty() {
            return Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "));
        }
        if let Ipv6List::Unreadable(gap) = list {
            // The table's route to the endpoint may name the unreadable list.
            if routes_unreadable_list(cx, table) {
                return Hop::unknown(HopKind::Route, vec![rtb], gap.clone());
            }
        }
        return missing_route(cx, table, &routes, pl);
    }
    let Some(pl) = pl else {
        // An IPv6 route to the endpoint whose list has entries of both families, say.
        let problem = match list {
            Ipv6List::Unreadable(gap) => gap.clone(),
            _ => format!("{rtb}: the IPv6 prefix list routed to {ep} is not identified"),
        };
        return Hop::unknown(HopKind::Route, vec![rtb], problem);
    };
    let mut diverting: Vec<&RouteMatch6> = Vec::new();
    for cidr in prefix_list::cidrs::<V6>(pl) {
        let (winner, inside) = route::lookup_block6(&routes, cidr);
        match winner {
            Some(w) if to_endpoint(w) => {
                diverting.extend(inside.into_iter().filter(|r| !to_endpoint(r)))
            }
            Some(w) => diverting.push(w),
            None => {}
        }
    }
    if !missing.is_empty() {
        // A route to a list the snapshot cannot read may be as specific as some of the
        // service's CIDRs and take them (G2): the endpoint route is not proven to win.
        if diverting.is_empty() {
            return Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "));
        }
    }
    if diverting.is_empty() {
        let how = hops::table_how(via_main);
        let detail = cx.say(|| format!("{rtb} ({how}): {} -> {ep} (IPv6)", pl.prefix_list_id));
        return Hop::allowed(HopKind::Route, vec![rtb], detail);
    }
    diverting.dedup();
    let shown: Vec<String> = diverting.iter().map(|r| r.to_string()).collect();
    let problem = format!(
        "{rtb}: {} at least as specific as {} entries, so they take {} over IPv6 from the \
         endpoint route",
        shown.join(", "),
        pl.prefix_list_id,
        cx.endpoint.traffic
    );
    let first = diverting[0];
    let fix = format!(
        "remove or narrow the route {} -> {} in {rtb}",
        display_cidr6(&first.cidr),
        first.target
    );
    Hop::blocked(
        HopKind::Route,
        vec![rtb],
        FindingCode::MoreSpecificRoute,
        problem,
        fix,
    )
}

/// True when `table` routes to the endpoint a list that is neither its IPv4 list nor a
/// readable IPv6 one.
fn routes_unreadable_list(cx: &Ctx, table: &RouteTable) -> bool {
    let ipv4 = cx.endpoint.prefix_list.map(|pl| pl.prefix_list_id.as_str());
    table
        .routes
        .iter()
        .filter(|r| targets_endpoint(r, cx))
        .filter_map(|r| r.destination_prefix_list_id.as_deref())
        .any(|id| Some(id) != ipv4)
}

/// The table has no IPv6 route to the endpoint: `NO_ROUTE_TO_DESTINATION` on it, the fix
/// getting AWS to add the route (associating the table, or re-associating it when it has the
/// endpoint's IPv4 route only).
fn missing_route(
    cx: &Ctx,
    table: &RouteTable,
    routes: &[RouteMatch6],
    pl: Option<&PrefixList>,
) -> Hop {
    let ep = cx.endpoint.id();
    let rtb = &table.route_table_id;
    let list = pl.map_or_else(
        || "the service's IPv6 prefix list".to_string(),
        |pl| pl.prefix_list_id.clone(),
    );
    let instead = pl
        .and_then(|pl| prefix_list::cidrs::<V6>(pl).next())
        .map(|c| match route::lookup_block6(routes, c).0 {
            Some(r) => format!(" (it goes to {} instead)", r.target),
            None => " (it goes nowhere)".to_string(),
        })
        .unwrap_or_default();
    let problem = format!(
        "{rtb} has no IPv6 route to {ep} ({list} -> {ep}, which AWS adds to every table of a \
         {} gateway endpoint): {} over IPv6 to {} does not use the endpoint{instead}",
        cx.endpoint
            .raw
            .ip_address_type
            .as_deref()
            .unwrap_or("dualstack"),
        cx.endpoint.traffic,
        cx.endpoint.short_name
    );
    let associated = table.routes.iter().any(|r| targets_endpoint(r, cx));
    let fix = if associated {
        format!(
            "re-associate {rtb} with {ep} so AWS adds its IPv6 route {list} -> {ep} (aws ec2 \
             modify-vpc-endpoint --vpc-endpoint-id {ep} --remove-route-table-ids {rtb}, then \
             --add-route-table-ids {rtb})"
        )
    } else {
        // Word for word the IPv4 leg's fix (`gateway::missing_route`): associating the table
        // adds both routes, and a dual-stack pair's finding then names one fix.
        format!("add {rtb} to {ep} (aws ec2 modify-vpc-endpoint --add-route-table-ids {rtb})")
    };
    Hop::blocked(
        HopKind::Route,
        vec![rtb.clone()],
        FindingCode::NoRouteToDestination,
        problem,
        fix,
    )
}
