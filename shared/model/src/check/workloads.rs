//! One VPC's workloads with dense ids for what per-pair answers depend on: the subnet and the
//! list of security groups. Thousands of workloads share a few dozen subnets and a few hundred
//! group lists, so answers kept per id are computed a few hundred times, not once per pair.

use std::hash::Hash;
use std::sync::Arc;

use crate::fxhash::FxHashMap;
use crate::intent::Workload;
use crate::snapshot::Snapshot;
use crate::space::AddrRange;

/// Dense ids for distinct values, in first-seen order.
pub(super) struct Interner<K> {
    ids: FxHashMap<K, u32>,
    values: Vec<K>,
}

impl<K: Hash + Eq + Copy> Interner<K> {
    pub(super) fn new() -> Self {
        Interner {
            ids: FxHashMap::default(),
            values: Vec::new(),
        }
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

/// Short lists of ids one after the other in one buffer (the groups of each group list, the
/// resources of each list or subnet): a VPC's lists are read again for every endpoint, and
/// one buffer stays in cache where a vector per list would not.
#[derive(Debug, Default)]
pub(super) struct IdLists {
    ids: Vec<u32>,
    ends: Vec<u32>,
}

impl IdLists {
    /// Appends a list.
    pub(super) fn push(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.ids.extend(ids);
        self.ends.push(self.ids.len() as u32);
    }

    /// List `i`.
    pub(super) fn get(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.ids[start..self.ends[i] as usize]
    }

    /// How many lists.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every list, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The workloads of one VPC and their keys.
pub(super) struct VpcWorkloads<'w> {
    /// The workloads, in ENI id order.
    pub list: Vec<&'w Workload<'w>>,
    /// Their ENI ids, shared by every pair result.
    pub ids: Vec<Arc<str>>,
    /// Their addresses, side by side: every pair reads one.
    pub ip: Vec<u32>,
    /// Whether each address is in its subnet's range (always, in AWS; answers kept per
    /// subnet are used only then).
    pub in_subnet: Vec<bool>,
    /// Subnet id of each workload.
    pub subnet: Vec<u32>,
    /// Group-list id of each workload.
    pub group_list: Vec<u32>,
    /// The distinct group lists, as ids of [`VpcWorkloads::groups`]. The empty list's hops
    /// blame the workload itself, so they are not shared.
    pub group_lists: IdLists,
    /// Subnets (of workloads and of endpoint ENIs) by id.
    pub subnets: Interner<&'w str>,
    /// The addresses of each workload subnet (`None` when the snapshot lacks the subnet).
    pub subnet_range: Vec<Option<AddrRange>>,
    /// Security groups named by workloads, by id.
    pub groups: Interner<&'w str>,
}

impl<'w> VpcWorkloads<'w> {
    /// Gives every workload its keys.
    pub(super) fn new(snap: &'w Snapshot, list: &[&'w Workload<'w>]) -> Self {
        let mut subnets = Interner::new();
        let mut groups = Interner::new();
        let mut lists: Interner<&[&'w str]> = Interner::new();
        let mut group_lists = IdLists::default();
        let (mut subnet, mut group_list) = (
            Vec::with_capacity(list.len()),
            Vec::with_capacity(list.len()),
        );
        for w in list {
            subnet.push(subnets.id(w.subnet_id));
            let id = lists.id(w.groups.as_slice());
            if id as usize == group_lists.len() {
                group_lists.push(w.groups.iter().map(|&g| groups.id(g)));
            }
            group_list.push(id);
        }
        let subnet_range: Vec<Option<AddrRange>> = (0..subnets.len() as u32)
            .map(|s| {
                snap.subnets
                    .get(subnets.value(s))
                    .map(|sn| AddrRange::cidr(sn.cidr_block))
            })
            .collect();
        let ids = list.iter().map(|w| Arc::from(w.id())).collect();
        let ip: Vec<u32> = list.iter().map(|w| u32::from(w.ip)).collect();
        let in_subnet = ip
            .iter()
            .zip(&subnet)
            .map(|(&ip, &s)| subnet_range[s as usize].is_some_and(|r| r.contains(ip)))
            .collect();
        VpcWorkloads {
            list: list.to_vec(),
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
}
