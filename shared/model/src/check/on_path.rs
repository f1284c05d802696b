//! How many required pairs each resource is on (docs/spec.md section 5: a resource on the path of a
//! required pair that blocks nothing is `COMPLIANT`). The endpoint's side (itself, its VPC,
//! its groups, its subnets' ACLs and tables) is on every pair of the endpoint; the workload's
//! side (its groups, its subnet's ACL and table) depends on its group list and subnet, so an
//! endpoint's pairs are counted per list and per subnet, and spread over their resources when
//! the endpoint is done.

use std::collections::BTreeMap;

use crate::endpoint::Endpoint;
use crate::snapshot::Snapshot;

use super::ids::{GroupListIdx, IdLists, Interner, ResourceIdx, SubnetIdx, Table, WorkloadIdx};
use super::workloads::VpcWorkloads;

/// The counts of one VPC.
pub(super) struct OnPath<'w> {
    resources: Interner<&'w str, ResourceIdx>,
    /// Required pairs per resource.
    counts: Table<ResourceIdx, usize>,
    /// The resource ids of each group list's groups, and of each subnet's ACL and table: a
    /// workload's side is its list's plus its subnet's (groups, ACLs and tables never share
    /// an id).
    by_list: IdLists<GroupListIdx, ResourceIdx>,
    by_subnet: IdLists<SubnetIdx, ResourceIdx>,
    /// The current endpoint's required pairs per group list and per workload subnet.
    list_pairs: Table<GroupListIdx, usize>,
    subnet_pairs: Table<SubnetIdx, usize>,
    /// The current endpoint's side, and which resources are on it.
    endpoint_side: Vec<ResourceIdx>,
    on_endpoint_side: Table<ResourceIdx, bool>,
    pairs: usize,
}

impl<'w> OnPath<'w> {
    pub(super) fn new(snap: &'w Snapshot, vw: &VpcWorkloads<'w>) -> Self {
        let mut resources = Interner::new();
        let group_resources: Table<_, ResourceIdx> = vw
            .groups
            .ids()
            .map(|g| resources.id(vw.groups.value(g)))
            .collect();
        let mut by_list = IdLists::new();
        for groups in vw.group_lists.iter() {
            let mut ids: Vec<ResourceIdx> = groups.iter().map(|&g| group_resources[g]).collect();
            ids.sort_unstable();
            ids.dedup();
            by_list.push(ids);
        }
        let mut by_subnet = IdLists::new();
        for s in vw.subnets.ids() {
            by_subnet.push(subnet_resources(snap, vw.subnets.value(s)).map(|r| resources.id(r)));
        }
        let n = resources.len();
        OnPath {
            resources,
            counts: Table::filled(0, n),
            list_pairs: Table::filled(0, by_list.len()),
            subnet_pairs: Table::filled(0, by_subnet.len()),
            by_list,
            by_subnet,
            endpoint_side: Vec::new(),
            on_endpoint_side: Table::filled(false, n),
            pairs: 0,
        }
    }

    /// Starts counting the pairs of `ep`.
    pub(super) fn start_endpoint(&mut self, snap: &'w Snapshot, ep: &'w Endpoint<'w>) {
        let mut side: Vec<&str> = vec![ep.id(), ep.raw.vpc_id.as_str()];
        side.extend(ep.group_ids().iter().map(String::as_str));
        // The private zone that resolves the service to the endpoint in its VPC (private DNS
        // off, docs/spec.md D5) is on every pair of it, as the private-DNS hop names it.
        let zone = (ep.raw.private_dns_enabled != Some(true))
            .then(|| crate::dns::zone_serving(snap, &ep.raw.vpc_id, ep.raw))
            .flatten();
        let zone = zone
            .as_deref()
            .and_then(|z| snap.dns.zones.get_key_value(z));
        side.extend(zone.map(|(id, _)| id.as_str()));
        for eni in &ep.enis {
            side.extend(subnet_resources(snap, &eni.subnet_id));
        }
        self.endpoint_side = side.into_iter().map(|r| self.resources.id(r)).collect();
        self.endpoint_side.sort_unstable();
        self.endpoint_side.dedup();
        self.counts.resize(self.resources.len(), 0);
        self.on_endpoint_side.resize(self.resources.len(), false);
        for &r in &self.endpoint_side {
            self.on_endpoint_side[r] = true;
        }
        self.pairs = 0;
    }

    /// One more required pair from workload `w`.
    pub(super) fn add(&mut self, vw: &VpcWorkloads, w: WorkloadIdx) {
        self.pairs += 1;
        self.list_pairs[vw.group_list[w]] += 1;
        self.subnet_pairs[vw.subnet[w]] += 1;
    }

    /// Ends the current endpoint: its pairs go to the resources of their workloads' side
    /// (those also on the endpoint's side are counted once, below) and of its own side.
    pub(super) fn finish_endpoint(&mut self) {
        let keyed = self
            .list_pairs
            .iter_mut()
            .map(|(_, pairs)| pairs)
            .zip(self.by_list.iter())
            .chain(
                self.subnet_pairs
                    .iter_mut()
                    .map(|(_, pairs)| pairs)
                    .zip(self.by_subnet.iter()),
            );
        for (pairs, resources) in keyed.filter(|(pairs, _)| **pairs > 0) {
            for &r in resources {
                if !self.on_endpoint_side[r] {
                    self.counts[r] += *pairs;
                }
            }
            *pairs = 0;
        }
        for &r in &self.endpoint_side {
            self.counts[r] += self.pairs;
            self.on_endpoint_side[r] = false;
        }
    }

    /// Adds this VPC's counts to the report's.
    pub(super) fn merge_into(self, on_path: &mut BTreeMap<String, usize>) {
        for (id, &n) in self.counts.iter().filter(|(_, n)| **n > 0) {
            *on_path
                .entry(self.resources.value(id).to_string())
                .or_default() += n;
        }
    }
}

/// The ACL and route table a subnet uses.
pub(super) fn subnet_resources<'w>(
    snap: &'w Snapshot,
    subnet: &str,
) -> impl Iterator<Item = &'w str> {
    let acl = snap.index.subnet_acl.get(subnet).map(String::as_str);
    let table = snap
        .index
        .subnet_route_table
        .get(subnet)
        .map(|c| c.route_table_id.as_str());
    acl.into_iter().chain(table)
}
