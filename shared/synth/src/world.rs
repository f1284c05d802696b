//! The whole planned snapshot: builds every resource in dependency order, then renders the
//! documents.

use crate::endpoint::{self, GatewayEndpoint, InterfaceEndpoint};
use crate::eni::{self, Eni};
use crate::ids::IdGen;
use crate::network_acl::{self, Nacl};
use crate::output::{file_count, name_parts};
use crate::prefix_list::{self, PrefixLists};
use crate::rng::Rng;
use crate::route_table::{self, RouteTable};
use crate::security_group::{self, SgPlan};
use crate::subnet::{self, Subnet};
use crate::vpc::{self, Vpc};
use crate::SynthParams;
use serde_json::Value;

/// Every planned resource.
pub(crate) struct World {
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    lists: PrefixLists,
    sgs: SgPlan,
    enis: Vec<Eni>,
    ifaces: Vec<InterfaceEndpoint>,
    gateways: Vec<GatewayEndpoint>,
    tables: Vec<RouteTable>,
    acls: Vec<Nacl>,
}

impl World {
    /// Plans a snapshot; `p` must be valid.
    pub(crate) fn build(p: &SynthParams) -> World {
        let root = Rng::new(p.seed);
        let mut ids = IdGen::new(p.seed);
        let vpcs = vpc::plan(p, &mut root.fork("vpc"), &mut ids);
        let mut subnets = subnet::plan(p, &mut root.fork("subnet"), &mut ids, &vpcs);
        let lists = prefix_list::plan(&mut ids, &vpcs, &subnets);
        let mut sgs = security_group::plan_ids(p, &mut ids, &vpcs);
        let mut enis = Vec::new();
        let ifaces = endpoint::plan_interface(
            p,
            &mut root.fork("endpoint"),
            &mut ids,
            &mut subnets,
            &sgs,
            &mut enis,
        );
        eni::plan_workloads(
            p,
            &mut root.fork("eni"),
            &mut ids,
            &mut subnets,
            &sgs,
            &mut enis,
        );
        let mut gateways = endpoint::plan_gateway(p, &mut root.fork("gateway"), &mut ids);
        let tables = route_table::plan(
            p,
            &mut root.fork("rtb"),
            &mut ids,
            &vpcs,
            &subnets,
            &lists,
            &mut gateways,
        );
        let services: Vec<Vec<&'static str>> = (0..vpcs.len())
            .map(|n| {
                gateways
                    .iter()
                    .filter(|g| g.vpc == n)
                    .map(|g| g.service)
                    .collect()
            })
            .collect();
        security_group::fill_rules(
            p,
            &mut root.fork("sg"),
            &mut sgs,
            &vpcs,
            &subnets,
            &lists,
            &services,
        );
        let acls = network_acl::plan(p, &mut root.fork("acl"), &mut ids, &vpcs);
        World {
            vpcs,
            subnets,
            lists,
            sgs,
            enis,
            ifaces,
            gateways,
            tables,
            acls,
        }
    }

    /// The snapshot's documents, in a fixed order. Security groups and network interfaces
    /// are split over several files in sub-directories.
    pub(crate) fn documents(&self) -> Vec<(String, Value)> {
        let mut docs = vec![
            ("Vpcs.json".to_string(), vpc::document(&self.vpcs)),
            (
                "Subnets.json".to_string(),
                subnet::document(&self.subnets, &self.vpcs),
            ),
            (
                "RouteTables.json".to_string(),
                route_table::document(&self.tables, &self.subnets, &self.vpcs),
            ),
            (
                "NetworkAcls.json".to_string(),
                network_acl::document(&self.acls, &self.subnets, &self.vpcs),
            ),
            (
                "PrefixLists.json".to_string(),
                prefix_list::document(&self.lists),
            ),
        ];
        let sg_files = file_count(self.sgs.sgs.len(), 500);
        docs.extend(name_parts(
            "SecurityGroups",
            security_group::documents(&self.sgs, &self.vpcs, sg_files),
        ));
        let eni_files = file_count(self.enis.len(), 2500);
        let enis = eni::documents(&self.enis, &self.subnets, &self.vpcs, &self.sgs, eni_files);
        docs.extend(name_parts("NetworkInterfaces", enis));
        let endpoints = endpoint::document(
            &self.ifaces,
            &self.gateways,
            &self.enis,
            &self.subnets,
            &self.vpcs,
            &self.sgs,
        );
        docs.push(("VpcEndpoints.json".to_string(), endpoints));
        docs.extend(vpc::attribute_documents(&self.vpcs));
        docs
    }
}
