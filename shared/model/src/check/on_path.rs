//! How many required pairs each resource is on (SPEC section 5: a resource on the path of a
//! required pair that blocks nothing is `COMPLIANT`). The endpoint's side (itself, its VPC,
//! its groups, its subnets' ACLs and tables) is on every pair of the endpoint; only the
//! workload's side (its groups, its subnet's ACL and table) is counted pair by pair, as dense
//! ids.

use std::collections::BTreeMap;

use crate::endpoint::Endpoint;
use crate::snapshot::Snapshot;

use super::workloads::{Interner, VpcWorkloads};

/// The counts of one VPC.
pub(super) struct OnPath<'w> {
    resources: Interner<&'w str>,
    counts: Vec<usize>,
    /// Each workload's side, as resource ids.
    workload_side: Vec<Vec<u32>>,
    /// The current endpoint's side, and which ids are on it.
    endpoint_side: Vec<u32>,
    on_endpoint_side: Vec<bool>,
    pairs: usize,
}

impl<'w> OnPath<'w> {
    pub(super) fn new(snap: &'w Snapshot, vw: &VpcWorkloads<'w>) -> Self {
        let mut resources = Interner::new();
        let workload_side = vw
            .list
            .iter()
            .map(|w| {
                let mut side: Vec<&str> = w.groups.iter().map(String::as_str).collect();
                side.extend(subnet_resources(snap, &w.eni.subnet_id));
                let mut ids: Vec<u32> = side.into_iter().map(|r| resources.id(r)).collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect();
        let n = resources.len();
        OnPath { resources, counts: vec![0; n], workload_side, endpoint_side: Vec::new(), on_endpoint_side: vec![false; n], pairs: 0 }
    }

    /// Starts counting the pairs of `ep`.
    pub(super) fn start_endpoint(&mut self, snap: &'w Snapshot, ep: &'w Endpoint<'w>) {
        let mut side: Vec<&str> = vec![ep.id(), ep.raw.vpc_id.as_str()];
        side.extend(ep.group_ids().iter().map(String::as_str));
        for eni in &ep.enis {
            side.extend(subnet_resources(snap, &eni.subnet_id));
        }
        self.endpoint_side = side.into_iter().map(|r| self.resources.id(r)).collect();
        self.endpoint_side.sort_unstable();
        self.endpoint_side.dedup();
        self.counts.resize(self.resources.len(), 0);
        self.on_endpoint_side.resize(self.resources.len(), false);
        for &r in &self.endpoint_side {
            self.on_endpoint_side[r as usize] = true;
        }
        self.pairs = 0;
    }

    /// One more required pair from workload `w`.
    pub(super) fn add(&mut self, w: usize) {
        self.pairs += 1;
        for &r in &self.workload_side[w] {
            if !self.on_endpoint_side[r as usize] {
                self.counts[r as usize] += 1;
            }
        }
    }

    /// Ends the current endpoint.
    pub(super) fn finish_endpoint(&mut self) {
        for &r in &self.endpoint_side {
            self.counts[r as usize] += self.pairs;
            self.on_endpoint_side[r as usize] = false;
        }
    }

    /// Adds this VPC's counts to the report's.
    pub(super) fn merge_into(self, on_path: &mut BTreeMap<String, usize>) {
        for (id, &n) in self.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            *on_path.entry(self.resources.value(id as u32).to_string()).or_default() += n;
        }
    }
}

/// The ACL and route table a subnet uses.
pub(super) fn subnet_resources<'w>(snap: &'w Snapshot, subnet: &str) -> impl Iterator<Item = &'w str> {
    let acl = snap.index.subnet_acl.get(subnet).map(String::as_str);
    let table = snap.index.subnet_route_table.get(subnet).map(|c| c.route_table_id.as_str());
    acl.into_iter().chain(table)
}
