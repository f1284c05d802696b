//! Route tables: which table a subnet uses (explicit association, else the VPC's main table)
//! and where a destination goes, by longest-prefix match (docs/spec.md G1, G2; IPv6: V7).
//!
//! Prefix-list routes (what a gateway endpoint adds) are expanded: each CIDR of the list counts
//! as its own route. On equal prefix length a CIDR route beats a prefix-list route, as AWS
//! documents, so a CIDR route as specific as or more specific than a list entry wins over it.
//! One implementation for both families ([`AddrFamily`]): a table's IPv4 and IPv6 routes are
//! two separate lookups, each seeing only its own family's routes and list entries.

use std::fmt;

use ipnet::Ipv6Net;

use crate::addr_family::{AddrFamily, V4, V6};
use crate::prefix_list;
use crate::snapshot::{Route, RouteTable, Snapshot};

/// One IPv4 route.
pub(crate) type RouteMatch = RouteMatchOf<V4>;
/// One IPv6 route (docs/spec.md V7).
pub(crate) type RouteMatch6 = RouteMatchOf<V6>;

/// One route of family `F`, with its destination resolved to a single CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteMatchOf<F: AddrFamily> {
    /// The destination CIDR (one entry of the list for prefix-list routes).
    pub cidr: F::Net,
    /// The prefix list the route was written with, if any.
    pub prefix_list_id: Option<String>,
    /// `local`, `igw-…`, `eigw-…`, `nat-…`, `vpce-…`, `eni-…`, …
    pub target: String,
    /// True for a `blackhole` route (its target is gone): traffic is dropped.
    pub blackhole: bool,
}

impl<F: AddrFamily> fmt::Display for RouteMatchOf<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cidr = F::route_text(self.cidr);
        match &self.prefix_list_id {
            Some(pl) => write!(f, "{pl} ({cidr}) -> {}", self.target)?,
            None => write!(f, "{cidr} -> {}", self.target)?,
        }
        if self.blackhole {
            f.write_str(" (blackhole)")?;
        }
        Ok(())
    }
}

/// The route table a subnet uses, and whether it is the VPC's main table by default.
pub(crate) fn table_for_subnet<'a>(
    snap: &'a Snapshot,
    subnet_id: &str,
) -> Option<(&'a RouteTable, bool)> {
    let choice = snap.index.subnet_route_table.get(subnet_id)?;
    Some((
        snap.route_tables.get(&choice.route_table_id)?,
        choice.via_main,
    ))
}

/// The target of a route, whichever field holds it.
fn target_of(route: &Route) -> String {
    [
        &route.gateway_id,
        &route.nat_gateway_id,
        &route.network_interface_id,
        &route.instance_id,
        &route.transit_gateway_id,
        &route.vpc_peering_connection_id,
        &route.vpc_endpoint_id,
        &route.egress_only_internet_gateway_id,
    ]
    .into_iter()
    .flatten()
    .next()
    .cloned()
    .unwrap_or_else(|| "unknown target".to_string())
}

/// Every IPv4 route of a table, prefix-list routes expanded. Prefix lists the snapshot lacks
/// are returned in the second list.
pub(crate) fn expanded_routes(
    snap: &Snapshot,
    table: &RouteTable,
) -> (Vec<RouteMatch>, Vec<String>) {
    expanded_routes_of::<V4>(snap, table)
}

/// Every IPv6 route of a table, prefix-list routes expanded to their IPv6 entries.
pub(crate) fn expanded_routes6(
    snap: &Snapshot,
    table: &RouteTable,
) -> (Vec<RouteMatch6>, Vec<String>) {
    expanded_routes_of::<V6>(snap, table)
}

/// Every route of family `F` of a table, prefix-list routes expanded to their entries of the
/// family. Prefix lists the snapshot lacks, and destinations that cannot be read, are returned
/// in the second list (missing data, never a verdict).
pub(crate) fn expanded_routes_of<F: AddrFamily>(
    snap: &Snapshot,
    table: &RouteTable,
) -> (Vec<RouteMatchOf<F>>, Vec<String>) {
    let mut routes = Vec::new();
    let mut missing = Vec::new();
    for route in &table.routes {
        let target = target_of(route);
        let blackhole = route.state.as_deref() == Some("blackhole");
        match F::route_destination(route) {
            Some(Ok(cidr)) => routes.push(RouteMatchOf {
                cidr: F::route_net(cidr),
                prefix_list_id: None,
                target: target.clone(),
                blackhole,
            }),
            Some(Err(message)) => {
                missing.push(format!("a route of {}: {message}", table.route_table_id));
            }
            None => {}
        }
        if let Some(pl_id) = &route.destination_prefix_list_id {
            match snap.prefix_lists.get(pl_id) {
                Some(pl) => routes.extend(prefix_list::cidrs::<F>(pl).map(|cidr| RouteMatchOf {
                    cidr: F::route_net(cidr),
                    prefix_list_id: Some(pl_id.clone()),
                    target: target.clone(),
                    blackhole,
                })),
                None => missing.push(
                    snap.prefix_list_gap(pl_id, &format!("a route of {}", table.route_table_id)),
                ),
            }
        }
    }
    (routes, missing)
}

/// Orders two routes that both contain a destination: the more specific wins, and a CIDR
/// route wins a tie with a prefix-list route.
fn beats<F: AddrFamily>(a: &RouteMatchOf<F>, b: &RouteMatchOf<F>) -> bool {
    let key = |r: &RouteMatchOf<F>| (F::prefix_len(&r.cidr), r.prefix_list_id.is_none());
    key(a) > key(b)
}

/// Longest-prefix match for every address of `dest` at once: the route that wins for the
/// whole block (`None`: no route contains it), and the routes strictly inside the block,
/// which win for their part of it.
pub(crate) fn lookup_block<F: AddrFamily>(
    routes: &[RouteMatchOf<F>],
    dest: F::Net,
) -> (Option<&RouteMatchOf<F>>, Vec<&RouteMatchOf<F>>) {
    let mut winner: Option<&RouteMatchOf<F>> = None;
    let mut inside = Vec::new();
    for route in routes {
        if F::net_contains(&route.cidr, &dest) {
            if winner.is_none_or(|w| beats(route, w)) {
                winner = Some(route);
            }
        } else if F::net_contains(&dest, &route.cidr) {
            inside.push(route);
        }
    }
    (winner, inside)
}

/// [`lookup_block`] under the name the IPv6 path calls it by.
pub(crate) use self::lookup_block as lookup_block6;

/// The route one IPv6 address takes (`None`: no route).
pub(crate) fn lookup6(routes: &[RouteMatch6], ip: std::net::Ipv6Addr) -> Option<&RouteMatch6> {
    lookup_block(routes, Ipv6Net::from(ip)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(cidr: &str, pl: Option<&str>, target: &str) -> RouteMatch {
        RouteMatch {
            cidr: cidr.parse().unwrap(),
            prefix_list_id: pl.map(String::from),
            target: target.into(),
            blackhole: false,
        }
    }

    #[test]
    fn longest_prefix_wins_and_cidr_wins_ties() {
        let routes = vec![
            r("0.0.0.0/0", None, "nat-1"),
            r("52.216.0.0/15", Some("pl-s3"), "vpce-s3"),
            r("10.0.0.0/16", None, "local"),
        ];
        let (w, inside) = lookup_block(&routes, "52.216.0.0/15".parse().unwrap());
        assert_eq!(w.unwrap().target, "vpce-s3");
        assert!(inside.is_empty());
        let mut tie = routes.clone();
        tie.push(r("52.216.0.0/15", None, "tgw-1"));
        let (w, _) = lookup_block(&tie, "52.216.0.0/15".parse().unwrap());
        assert_eq!(w.unwrap().target, "tgw-1");
        let mut inner = routes.clone();
        inner.push(r("52.217.0.0/16", None, "nat-2"));
        let (w, inside) = lookup_block(&inner, "52.216.0.0/15".parse().unwrap());
        assert_eq!(w.unwrap().target, "vpce-s3");
        assert_eq!(inside[0].target, "nat-2");
        let (w, _) = lookup_block(&routes, "10.0.2.10/32".parse().unwrap());
        assert_eq!(w.unwrap().target, "local");
    }

    // ---- IPv6 (docs/spec.md V7) ----

    use crate::snapshot::SnapshotBuilder;
    use proptest::prelude::*;

    fn r6(cidr: &str, pl: Option<&str>, target: &str) -> RouteMatch6 {
        RouteMatch6 {
            cidr: cidr.parse().unwrap(),
            prefix_list_id: pl.map(String::from),
            target: target.into(),
            blackhole: false,
        }
    }

    /// A dual-stack table: the IPv6 local route, `::/0` to an egress-only gateway, the NAT64
    /// route, and a prefix-list route whose list holds entries of both families.
    #[test]
    fn ipv6_table_expands_and_looks_up_per_family() {
        let mut b = SnapshotBuilder::new();
        b.add_json("t", r#"{
          "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
            {"DestinationIpv6CidrBlock": "2600:1f18:aaaa:bb00::/56", "GatewayId": "local"},
            {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"},
            {"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-1"},
            {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3"},
            {"DestinationIpv6CidrBlock": "2600:1f18:aaaa:bb07::/64", "GatewayId": "igw-1", "State": "blackhole"}]}],
          "PrefixLists": [{"PrefixListId": "pl-s3", "Cidrs": ["52.216.0.0/15", "2600:1fa0::/32"]}]}"#).unwrap();
        let snap = b.finish();
        let table = &snap.route_tables["rtb-1"];
        let (routes, missing) = expanded_routes6(&snap, table);
        assert!(missing.is_empty());
        assert_eq!(
            routes.len(),
            5,
            "IPv4 routes and IPv4 list entries are not IPv6 routes"
        );
        let at = |ip: &str| lookup6(&routes, ip.parse().unwrap()).map(|r| r.to_string());
        assert_eq!(
            at("2600:1f18:aaaa:bb01::5").unwrap(),
            "2600:1f18:aaaa:bb00::/56 -> local"
        );
        assert_eq!(
            at("2600:1f18:aaaa:bb07::5").unwrap(),
            "2600:1f18:aaaa:bb07::/64 -> igw-1 (blackhole)"
        );
        assert_eq!(at("64:ff9b::a00:10a").unwrap(), "64:ff9b::/96 -> nat-1");
        assert_eq!(
            at("2600:1fa0::1").unwrap(),
            "pl-s3 (2600:1fa0::/32) -> vpce-s3"
        );
        assert_eq!(at("2a05:d000::1").unwrap(), "::/0 -> eigw-1");
        // IPv4 lookups never see IPv6 routes, nor the eigw target.
        let (v4, _) = expanded_routes(&snap, table);
        assert!(v4
            .iter()
            .all(|r| r.target != "eigw-1" && r.target != "nat-1"));
    }

    #[test]
    fn unreadable_ipv6_destination_is_missing_data() {
        let mut b = SnapshotBuilder::new();
        b.add_json(
            "t",
            r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
            {"DestinationIpv6CidrBlock": "2600::/999", "GatewayId": "igw-1"},
            {"DestinationPrefixListId": "pl-gone", "GatewayId": "vpce-1"}]}]}"#,
        )
        .unwrap();
        let snap = b.finish();
        let (routes, missing) = expanded_routes6(&snap, &snap.route_tables["rtb-1"]);
        assert!(routes.is_empty());
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].contains("rtb-1") && missing[0].contains("DestinationIpv6CidrBlock"));
    }

    /// Routes inside `2600:1f18::/32`, of every length from /32 to /128, some from a list.
    fn arb_route6() -> impl Strategy<Value = RouteMatch6> {
        (
            0u128..1 << 20,
            prop_oneof![32u8..=40, 100u8..=128],
            any::<bool>(),
            0u8..5,
        )
            .prop_map(|(low, len, listed, t)| {
                let base = u128::from("2600:1f18::".parse::<std::net::Ipv6Addr>().unwrap());
                let addr = std::net::Ipv6Addr::from(base | (low << 96 >> 64) | low);
                RouteMatch6 {
                    cidr: Ipv6Net::new(addr, len).unwrap().trunc(),
                    prefix_list_id: listed.then(|| "pl-1".to_string()),
                    target: format!("t-{t}"),
                    blackhole: false,
                }
            })
    }

    /// Brute force: every route containing the address, ranked by prefix length then "CIDR
    /// before list", the first of the best in table order.
    fn oracle6(routes: &[RouteMatch6], ip: u128) -> Option<&RouteMatch6> {
        let ip = std::net::Ipv6Addr::from(ip);
        let containing: Vec<&RouteMatch6> =
            routes.iter().filter(|r| r.cidr.contains(&ip)).collect();
        let best = containing
            .iter()
            .map(|r| (r.cidr.prefix_len(), r.prefix_list_id.is_none()))
            .max()?;
        containing
            .into_iter()
            .find(|r| (r.cidr.prefix_len(), r.prefix_list_id.is_none()) == best)
    }

    proptest! {
        /// The IPv6 lookup is longest-prefix match, per address, against the brute force.
        #[test]
        fn ipv6_lookup_matches_brute_force(mut routes in prop::collection::vec(arb_route6(), 0..14),
                                           with_default in any::<bool>(),
                                           picks in prop::collection::vec((0usize..14, 0u128..1 << 28), 1..30)) {
            if with_default {
                routes.push(r6("::/0", None, "eigw-1"));
            }
            for (k, jitter) in picks {
                // Addresses at, next to and inside the routes, where the boundaries are.
                let ip = match routes.get(k) {
                    Some(r) => u128::from(r.cidr.network()).wrapping_add(jitter).wrapping_sub(1 << 27),
                    None => u128::from("2600:1f18::".parse::<std::net::Ipv6Addr>().unwrap()) + jitter,
                };
                let got = lookup6(&routes, std::net::Ipv6Addr::from(ip));
                prop_assert_eq!(got, oracle6(&routes, ip));
            }
        }
    }
}
