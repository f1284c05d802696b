//! One VPC's workloads with dense ids for what per-pair answers depend on: the subnet and the
//! list of security groups. Thousands of workloads share a few dozen subnets and a few hundred
//! group lists, so answers kept per id are computed a few hundred times, not once per pair.

use std::hash::Hash;
use std::sync::Arc;

use crate::compiled::{Compiled, GroupSet};
use crate::fxhash::FxHashMap;
use crate::intent::Workload;
use crate::security_group::{self, Peer};
use crate::snapshot::Snapshot;

/// Dense ids for distinct values, in first-seen order.
pub(super) struct Interner<K> {
    ids: FxHashMap<K, u32>,
    values: Vec<K>,
}

impl<K: Hash + Eq + Copy> Interner<K> {
    pub(super) fn new() -> Self {
        Interner { ids: FxHashMap::default(), values: Vec::new() }
    }

    /// The id of `value`, new if unseen.
    pub(super) fn id(&mut self, value: K) -> u32 {
        if let Some(&id) = self.ids.get(&value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.ids.insert(value, id);
        self.values.push(value);
        id
    }

    /// The value of an id.
    pub(super) fn value(&self, id: u32) -> K {
        self.values[id as usize]
    }

    /// How many distinct values.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }
}

/// A distinct list of security groups, as some workloads carry it.
pub(super) struct GroupList {
    /// Its groups, as ids of [`VpcWorkloads::groups`].
    pub groups: Vec<u32>,
    /// True for the empty list: its hops blame the workload itself, so they are not shared.
    pub empty: bool,
}

/// The workloads of one VPC and their keys.
pub(super) struct VpcWorkloads<'w> {
    /// The workloads, in ENI id order.
    pub list: Vec<&'w Workload<'w>>,
    /// Their ENI ids, shared by every pair result.
    pub ids: Vec<Arc<str>>,
    /// Subnet id of each workload.
    pub subnet: Vec<u32>,
    /// Group-list id of each workload.
    pub group_list: Vec<u32>,
    /// The distinct group lists.
    pub group_lists: Vec<GroupList>,
    /// Subnets (of workloads and of endpoint ENIs) by id.
    pub subnets: Interner<&'w str>,
    /// Security groups named by workloads, by id.
    pub groups: Interner<&'w str>,
    /// Each group's egress peers other than groups (R3 looks for the endpoint among them);
    /// none for groups missing from the snapshot.
    pub egress_peers: Vec<Vec<Peer<'w>>>,
    /// The groups its egress names, by referenced group: R3 looks an endpoint's groups up
    /// here instead of comparing them with every rule.
    pub egress_refs: FxHashMap<&'w str, Vec<u32>>,
    /// Each group alone, compiled: egress masks are computed per group and combined per list.
    pub group_sets: Vec<GroupSet<'w, 'w>>,
}

impl<'w> VpcWorkloads<'w> {
    /// Gives every workload its keys.
    pub(super) fn new(snap: &'w Snapshot, compiled: &'w Compiled<'w>, list: &[&'w Workload<'w>]) -> Self {
        let mut subnets = Interner::new();
        let mut groups = Interner::new();
        let mut lists: Interner<&'w [String]> = Interner::new();
        let mut group_lists = Vec::new();
        let (mut subnet, mut group_list) = (Vec::with_capacity(list.len()), Vec::with_capacity(list.len()));
        for w in list {
            subnet.push(subnets.id(w.eni.subnet_id.as_str()));
            let id = lists.id(w.groups.as_slice());
            if id as usize == group_lists.len() {
                group_lists.push(GroupList {
                    groups: w.groups.iter().map(|g| groups.id(g.as_str())).collect(),
                    empty: w.groups.is_empty(),
                });
            }
            group_list.push(id);
        }
        let ids = list.iter().map(|w| Arc::from(w.id())).collect();
        let mut egress_refs: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        let mut egress_peers = Vec::with_capacity(groups.len());
        for g in 0..groups.len() as u32 {
            let rules = snap.security_groups.get(groups.value(g)).map_or(&[][..], |sg| &sg.ip_permissions_egress);
            let mut others = Vec::new();
            for peer in rules.iter().flat_map(security_group::peers) {
                match peer {
                    Peer::Group(id) => egress_refs.entry(id).or_default().push(g),
                    other => others.push(other),
                }
            }
            egress_peers.push(others);
        }
        let group_sets = (0..groups.len() as u32).map(|g| compiled.group_set(&[groups.value(g)])).collect();
        VpcWorkloads {
            list: list.to_vec(),
            ids,
            subnet,
            group_list,
            group_lists,
            subnets,
            groups,
            egress_peers,
            egress_refs,
            group_sets,
        }
    }

    /// How many workloads.
    pub(super) fn len(&self) -> usize {
        self.list.len()
    }
}
