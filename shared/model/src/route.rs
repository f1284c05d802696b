//! Route tables: which table a subnet uses (explicit association, else the VPC's main table)
//! and where a destination goes, by longest-prefix match (docs/spec.md G1, G2).
//!
//! Prefix-list routes (what a gateway endpoint adds) are expanded: each CIDR of the list counts
//! as its own route. On equal prefix length a CIDR route beats a prefix-list route, as AWS
//! documents, so a CIDR route as specific as or more specific than a list entry wins over it.

use std::fmt;

use ipnet::Ipv4Net;

use crate::prefix_list;
use crate::snapshot::{Route, RouteTable, Snapshot};

/// One route, with its destination resolved to a single CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteMatch {
    /// The destination CIDR (one entry of the list for prefix-list routes).
    pub cidr: Ipv4Net,
    /// The prefix list the route was written with, if any.
    pub prefix_list_id: Option<String>,
    /// `local`, `igw-…`, `nat-…`, `vpce-…`, `eni-…`, …
    pub target: String,
    /// True for a `blackhole` route (its target is gone): traffic is dropped.
    pub blackhole: bool,
}

impl fmt::Display for RouteMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.prefix_list_id {
            Some(pl) => write!(f, "{pl} ({}) -> {}", self.cidr, self.target)?,
            None => write!(f, "{} -> {}", self.cidr, self.target)?,
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
    let mut routes = Vec::new();
    let mut missing = Vec::new();
    for route in &table.routes {
        let target = target_of(route);
        let blackhole = route.state.as_deref() == Some("blackhole");
        if let Some(cidr) = route.destination_cidr_block {
            routes.push(RouteMatch {
                cidr,
                prefix_list_id: None,
                target: target.clone(),
                blackhole,
            });
        }
        if let Some(pl_id) = &route.destination_prefix_list_id {
            match snap.prefix_lists.get(pl_id) {
                Some(pl) => routes.extend(prefix_list::ipv4_cidrs(pl).map(|cidr| RouteMatch {
                    cidr,
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
fn beats(a: &RouteMatch, b: &RouteMatch) -> bool {
    let key = |r: &RouteMatch| (r.cidr.prefix_len(), r.prefix_list_id.is_none());
    key(a) > key(b)
}

/// Longest-prefix match for every address of `dest` at once: the route that wins for the
/// whole block (`None`: no route contains it), and the routes strictly inside the block,
/// which win for their part of it.
pub(crate) fn lookup_block(
    routes: &[RouteMatch],
    dest: Ipv4Net,
) -> (Option<&RouteMatch>, Vec<&RouteMatch>) {
    let mut winner: Option<&RouteMatch> = None;
    let mut inside = Vec::new();
    for route in routes {
        if route.cidr.contains(&dest) {
            if winner.is_none_or(|w| beats(route, w)) {
                winner = Some(route);
            }
        } else if dest.contains(&route.cidr) {
            inside.push(route);
        }
    }
    (winner, inside)
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
}
