//! Route tables expanded once and shared by every trace of one check (issue 14).
//!
//! A trace across a transit gateway asks the workload subnet's route table, the endpoint
//! subnet's route table (the reply) and two TGW route tables: a hub's VPC route table has a
//! route per spoke and its TGW route table a propagation per spoke, and expanding them for
//! every pair was most of a blocked cross-VPC pair's cost. [`Lookups`] keeps each table's
//! expansion, built on first use: a lookup table of the snapshot, never a decision (the
//! hops that read it are the exact path's own), so `check` and `explain` trace the same.

use std::cell::RefCell;
use std::rc::Rc;

use crate::fxhash::FxHashMap;
use crate::route::{self, RouteMatch, RouteMatch6};
use crate::snapshot::{RouteTable, Snapshot};
use crate::text;
use crate::transit_gateway::{self as tgw, TgwRouteMatch, TgwRouteMatch6};

/// A VPC route table's routes, prefix lists expanded, and the lists the snapshot lacks
/// (`route::expanded_routes`).
pub(crate) type VpcRoutes = (Vec<RouteMatch>, Vec<String>);

/// The routes of a VPC route table of either family (`VpcRoutes`, `VpcRoutes6`).
pub(crate) type VpcRoutesOf<F> = (Vec<crate::route::RouteMatchOf<F>>, Vec<String>);

/// A TGW route table's routes, propagations included, or what is missing (`tgw::routes`).
pub(crate) type TgwRoutes = Result<Vec<TgwRouteMatch>, String>;

/// The routes of a TGW route table of either family (`TgwRoutes`, `TgwRoutes6`).
pub(crate) type TgwRoutesOf<F> = Result<Vec<crate::transit_gateway::TgwRouteMatchOf<F>>, String>;

/// A VPC route table's IPv6 routes (`route::expanded_routes6`), for the IPv6 leg across VPCs.
pub(crate) type VpcRoutes6 = (Vec<RouteMatch6>, Vec<String>);

/// A TGW route table's IPv6 routes (`tgw::routes6`).
pub(crate) type TgwRoutes6 = Result<Vec<TgwRouteMatch6>, String>;

/// The expanded route tables of one snapshot, filled as traces ask for them. Single-threaded
/// (a check runs on one thread), hence `RefCell` and `Rc`.
#[derive(Default)]
pub(crate) struct Lookups {
    /// By route table id.
    vpc: RefCell<FxHashMap<String, Rc<VpcRoutes>>>,
    /// By TGW route table id: the TGW asked for, and the table's routes.
    tgw: RefCell<FxHashMap<String, (String, Rc<TgwRoutes>)>>,
    /// Subnet CIDRs as the fixes of ACL and SG hops quote them, by subnet id.
    cidrs: RefCell<FxHashMap<String, Rc<str>>>,
    /// IPv6 routes by route table id (docs/spec.md V12; empty for IPv4-only checks).
    vpc6: RefCell<FxHashMap<String, Rc<VpcRoutes6>>>,
    /// IPv6 routes by TGW route table id, with the TGW asked for.
    tgw6: RefCell<FxHashMap<String, (String, Rc<TgwRoutes6>)>>,
}

impl Lookups {
    /// Nothing expanded yet (no allocation until a trace asks).
    pub(crate) fn new() -> Self {
        Lookups::default()
    }

    /// The routes of a VPC route table of `snap`.
    pub(crate) fn vpc_routes(&self, snap: &Snapshot, table: &RouteTable) -> Rc<VpcRoutes> {
        if let Some(routes) = self.vpc.borrow().get(&table.route_table_id) {
            return Rc::clone(routes);
        }
        let routes = Rc::new(route::expanded_routes(snap, table));
        self.vpc
            .borrow_mut()
            .insert(table.route_table_id.clone(), Rc::clone(&routes));
        routes
    }

    /// The routes of TGW route table `table` of `gateway`.
    pub(crate) fn tgw_routes(&self, snap: &Snapshot, gateway: &str, table: &str) -> Rc<TgwRoutes> {
        if let Some((g, routes)) = self.tgw.borrow().get(table) {
            if g == gateway {
                return Rc::clone(routes);
            }
        }
        let routes = Rc::new(tgw::routes(snap, gateway, table));
        // A table id named with two gateways (a malformed snapshot) keeps its first answer
        // cached; the other is computed each time, never confused with it.
        self.tgw
            .borrow_mut()
            .entry(table.to_string())
            .or_insert_with(|| (gateway.to_string(), Rc::clone(&routes)));
        routes
    }
}

impl Lookups {
    /// The IPv6 routes of a VPC route table of `snap`.
    pub(crate) fn vpc_routes6(&self, snap: &Snapshot, table: &RouteTable) -> Rc<VpcRoutes6> {
        if let Some(routes) = self.vpc6.borrow().get(&table.route_table_id) {
            return Rc::clone(routes);
        }
        let routes = Rc::new(route::expanded_routes6(snap, table));
        self.vpc6
            .borrow_mut()
            .insert(table.route_table_id.clone(), Rc::clone(&routes));
        routes
    }

    /// The IPv6 routes of TGW route table `table` of `gateway`.
    pub(crate) fn tgw_routes6(
        &self,
        snap: &Snapshot,
        gateway: &str,
        table: &str,
    ) -> Rc<TgwRoutes6> {
        if let Some((g, routes)) = self.tgw6.borrow().get(table) {
            if g == gateway {
                return Rc::clone(routes);
            }
        }
        let routes = Rc::new(tgw::routes6(snap, gateway, table));
        self.tgw6
            .borrow_mut()
            .entry(table.to_string())
            .or_insert_with(|| (gateway.to_string(), Rc::clone(&routes)));
        routes
    }
}

impl Lookups {
    /// The CIDR of `subnet` as text (its id when the snapshot lacks it): what a fixing rule
    /// names as the other end, asked by every ACL and SG hop of a cross-VPC trace.
    pub(crate) fn subnet_cidr(&self, snap: &Snapshot, subnet: &str) -> Rc<str> {
        if let Some(text) = self.cidrs.borrow().get(subnet) {
            return Rc::clone(text);
        }
        let text = subnet_cidr(snap, subnet);
        self.cidrs
            .borrow_mut()
            .insert(subnet.to_string(), Rc::clone(&text));
        text
    }
}

/// The CIDR of `subnet` as text, or its id when the snapshot lacks it (or it has no IPv4
/// block: an IPv6-only subnet, V8).
pub(crate) fn subnet_cidr(snap: &Snapshot, subnet: &str) -> Rc<str> {
    snap.subnets
        .get(subnet)
        .and_then(|s| s.cidr_block)
        .map_or_else(|| Rc::from(subnet), |c| Rc::from(text::cidr(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_expanded_once_and_shared() {
        let snap = Snapshot::default();
        let table = RouteTable {
            route_table_id: "rtb-1".into(),
            vpc_id: "vpc-1".into(),
            associations: Vec::new(),
            routes: Vec::new(),
        };
        let lookups = Lookups::new();
        let a = lookups.vpc_routes(&snap, &table);
        let b = lookups.vpc_routes(&snap, &table);
        assert!(Rc::ptr_eq(&a, &b));
        let x = lookups.tgw_routes(&snap, "tgw-1", "tgw-rtb-1");
        let y = lookups.tgw_routes(&snap, "tgw-1", "tgw-rtb-1");
        assert!(Rc::ptr_eq(&x, &y));
        // Another gateway's question about the same id is answered on its own.
        let z = lookups.tgw_routes(&snap, "tgw-2", "tgw-rtb-1");
        assert!(!Rc::ptr_eq(&x, &z));
        let a6 = lookups.vpc_routes6(&snap, &table);
        assert!(Rc::ptr_eq(&a6, &lookups.vpc_routes6(&snap, &table)));
        let x6 = lookups.tgw_routes6(&snap, "tgw-1", "tgw-rtb-1");
        assert!(Rc::ptr_eq(
            &x6,
            &lookups.tgw_routes6(&snap, "tgw-1", "tgw-rtb-1")
        ));
    }
}
