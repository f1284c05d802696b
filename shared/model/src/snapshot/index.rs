//! Lookups derived once from a loaded snapshot.

use std::collections::{BTreeMap, HashMap};

use crate::fxhash::FxHashMap;

use super::Snapshot;
use crate::network_acl::{sorted_tcp_entries, EntryMatch, Traffic};

/// Derived lookups shared by the deciding modules.
#[derive(Debug, Default)]
pub struct Index {
    /// Subnet → the network ACL it uses (explicit association, else the VPC's default ACL).
    pub subnet_acl: FxHashMap<String, String>,
    /// Subnet → the route table it uses (explicit association, else the VPC's main table).
    pub subnet_route_table: FxHashMap<String, RouteTableChoice>,
    /// Security group → the sorted private IPv4 addresses of every ENI carrying it. This is
    /// what a security-group reference in a rule stands for.
    pub group_members: FxHashMap<String, Vec<u32>>,
    /// Security group → the sorted IPv6 addresses of every ENI carrying it (spec V5: a
    /// reference covers both families). Groups without an IPv6 member have no entry.
    pub group_members6: FxHashMap<String, Vec<u128>>,
    /// Endpoint ENI → the endpoint that owns it.
    pub eni_endpoint: FxHashMap<String, String>,
    /// VPC → its main route table.
    pub main_route_table: BTreeMap<String, String>,
    /// Network ACL → its TCP entries (outbound, inbound), sorted once by rule number. Crate
    /// only: the entries are the ACL evaluator's own type.
    pub(crate) acl_entries: FxHashMap<String, (Vec<EntryMatch>, Vec<EntryMatch>)>,
}

/// How a subnet came to use its route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTableChoice {
    /// The route table id.
    pub route_table_id: String,
    /// True when the subnet has no explicit association and falls back to the main table.
    pub via_main: bool,
}

impl Index {
    /// Builds every lookup from the resources of `snap`.
    pub fn build(snap: &Snapshot) -> Index {
        let mut index = Index::default();
        index.index_acls(snap);
        index.index_route_tables(snap);
        index.index_group_members(snap);
        for (id, acl) in &snap.network_acls {
            let sorted = (
                sorted_tcp_entries(acl, Traffic::Outbound),
                sorted_tcp_entries(acl, Traffic::Inbound),
            );
            index.acl_entries.insert(id.clone(), sorted);
        }
        for ep in snap.vpc_endpoints.values() {
            for eni in &ep.network_interface_ids {
                index
                    .eni_endpoint
                    .insert(eni.clone(), ep.vpc_endpoint_id.clone());
            }
        }
        index
    }

    fn index_acls(&mut self, snap: &Snapshot) {
        let defaults: HashMap<&str, &str> = snap
            .network_acls
            .values()
            .filter(|a| a.is_default)
            .map(|a| (a.vpc_id.as_str(), a.network_acl_id.as_str()))
            .collect();
        for acl in snap.network_acls.values() {
            for assoc in &acl.associations {
                self.subnet_acl
                    .insert(assoc.subnet_id.clone(), acl.network_acl_id.clone());
            }
        }
        // A subnet that no ACL lists is on its VPC's default ACL (the default ACL's own
        // association list is often trimmed in dumps).
        for subnet in snap.subnets.values() {
            if !self.subnet_acl.contains_key(&subnet.subnet_id) {
                if let Some(acl) = defaults.get(subnet.vpc_id.as_str()) {
                    self.subnet_acl
                        .insert(subnet.subnet_id.clone(), acl.to_string());
                }
            }
        }
    }

    fn index_route_tables(&mut self, snap: &Snapshot) {
        for rt in snap.route_tables.values() {
            for assoc in rt.associations.iter().filter(|a| is_live(a)) {
                if assoc.main {
                    self.main_route_table
                        .insert(rt.vpc_id.clone(), rt.route_table_id.clone());
                }
                if let Some(subnet) = &assoc.subnet_id {
                    let choice = RouteTableChoice {
                        route_table_id: rt.route_table_id.clone(),
                        via_main: false,
                    };
                    self.subnet_route_table.insert(subnet.clone(), choice);
                }
            }
        }
        for subnet in snap.subnets.values() {
            if self.subnet_route_table.contains_key(&subnet.subnet_id) {
                continue;
            }
            if let Some(main) = self.main_route_table.get(&subnet.vpc_id) {
                let choice = RouteTableChoice {
                    route_table_id: main.clone(),
                    via_main: true,
                };
                self.subnet_route_table
                    .insert(subnet.subnet_id.clone(), choice);
            }
        }
    }

    fn index_group_members(&mut self, snap: &Snapshot) {
        for eni in snap.network_interfaces.values() {
            let mut ips: Vec<u32> = eni
                .private_ip_addresses
                .iter()
                .map(|a| u32::from(a.private_ip_address))
                .collect();
            ips.extend(eni.private_ip_address.map(u32::from));
            for group in &eni.groups {
                self.group_members
                    .entry(group.group_id.clone())
                    .or_default()
                    .extend(&ips);
            }
            let ips6 = eni
                .ipv6_addresses
                .iter()
                .map(|a| u128::from(a.ipv6_address));
            for group in eni.groups.iter().filter(|_| !eni.ipv6_addresses.is_empty()) {
                self.group_members6
                    .entry(group.group_id.clone())
                    .or_default()
                    .extend(ips6.clone());
            }
        }
        for members in self.group_members.values_mut() {
            members.sort_unstable();
            members.dedup();
        }
        for members in self.group_members6.values_mut() {
            members.sort_unstable();
            members.dedup();
        }
    }
}

/// An association still in force (older dumps have no `AssociationState`).
fn is_live(assoc: &super::RouteTableAssociation) -> bool {
    assoc
        .association_state
        .as_ref()
        .is_none_or(|s| s.state == "associated" || s.state == "associating")
}
