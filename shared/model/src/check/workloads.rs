//! One VPC's workloads with dense ids for what per-pair answers depend on: the subnet and the
//! list of security groups. Thousands of workloads share a few dozen subnets and a few hundred
//! group lists, so answers kept per id are computed a few hundred times, not once per pair.

use std::sync::Arc;

use crate::intent::Workload;
use crate::snapshot::Snapshot;
use crate::space::AddrRange;

use super::ids::{
    DenseId, GroupIdx, GroupListIdx, IdLists, Interner, SubnetIdx, Table, WorkloadIdx,
};

/// The workloads of one VPC and their keys.
pub(super) struct VpcWorkloads<'w> {
    /// The workloads, in ENI id order.
    pub list: Table<WorkloadIdx, &'w Workload<'w>>,
    /// Their ENI ids, shared by every pair result.
    pub ids: Table<WorkloadIdx, Arc<str>>,
    /// Their IPv4 addresses, side by side: every pair reads one (`0` for an IPv6-only
    /// workload, whose pairs the IPv6 gate sends to the exact trace: `Workload::ipv4`).
    pub ip: Table<WorkloadIdx, u32>,
    /// Whether each address is in its subnet's range (always, in AWS; answers kept per
    /// subnet are used only then).
    pub in_subnet: Table<WorkloadIdx, bool>,
    /// The subnet of each workload.
    pub subnet: Table<WorkloadIdx, SubnetIdx>,
    /// The group list of each workload.
    pub group_list: Table<WorkloadIdx, GroupListIdx>,
    /// The distinct group lists. The empty list's hops blame the workload itself, so they
    /// are not shared.
    pub group_lists: IdLists<GroupListIdx, GroupIdx>,
    /// Subnets (of workloads and of endpoint ENIs) by id.
    pub subnets: Interner<&'w str, SubnetIdx>,
    /// The addresses of each workload subnet (`None` when the snapshot lacks the subnet or it
    /// is IPv6-only; no entry for subnets of endpoint ENIs only).
    pub subnet_range: Table<SubnetIdx, Option<AddrRange>>,
    /// Security groups named by workloads, by id.
    pub groups: Interner<&'w str, GroupIdx>,
}

impl<'w> VpcWorkloads<'w> {
    /// Gives every workload its keys.
    pub(super) fn new(snap: &'w Snapshot, list: &[&'w Workload<'w>]) -> Self {
        let mut subnets = Interner::new();
        let mut groups = Interner::new();
        let mut lists: Interner<&[&'w str], GroupListIdx> = Interner::new();
        let mut group_lists = IdLists::new();
        let (mut subnet, mut group_list) = (
            Vec::with_capacity(list.len()),
            Vec::with_capacity(list.len()),
        );
        for workload in list {
            subnet.push(subnets.id(workload.subnet_id));
            let id = lists.id(workload.groups.as_slice());
            if id.position() == group_lists.len() {
                group_lists.push(workload.groups.iter().map(|&g| groups.id(g)));
            }
            group_list.push(id);
        }
        let subnet_range: Table<SubnetIdx, Option<AddrRange>> = subnets
            .ids()
            .map(|s| {
                snap.subnets
                    .get(subnets.value(s))
                    .and_then(|sn| sn.cidr_block)
                    .map(AddrRange::cidr)
            })
            .collect();
        let ids = list.iter().map(|w| Arc::from(w.id())).collect();
        let ip: Vec<u32> = list.iter().map(|w| u32::from(w.ip)).collect();
        let in_subnet = ip
            .iter()
            .zip(&subnet)
            .map(|(&ip, &s)| subnet_range[s].is_some_and(|r| r.contains(ip)))
            .collect();
        let (ip, subnet, group_list) = (ip.into(), subnet.into(), group_list.into());
        VpcWorkloads {
            list: list.to_vec().into(),
            ids,
            ip,
            in_subnet,
            subnet,
            group_list,
            group_lists,
            subnets,
            subnet_range,
            groups,
        }
    }

    /// How many workloads.
    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    /// Every workload.
    pub(super) fn workloads(&self) -> impl Iterator<Item = WorkloadIdx> {
        (0..self.list.len()).map(WorkloadIdx::at)
    }
}
