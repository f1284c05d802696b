//! One VPC's workloads with dense ids for what per-pair answers depend on: the subnet and the
//! list of security groups. Thousands of workloads share a few dozen subnets and a few hundred
//! group lists, so answers kept per id are computed a few hundred times, not once per pair.

use std::hash::Hash;
use std::sync::Arc;

use crate::compiled::{Compiled, GroupSet};
use crate::endpoint::Endpoint;
use crate::fxhash::FxHashMap;
use crate::intent::Workload;
use crate::security_group::{self, Peer};
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
    /// Each group's egress peers other than groups that name an endpoint of the VPC (R3
    /// looks for the endpoint among them): a subnet of an endpoint ENI, an endpoint ENI, a
    /// gateway endpoint's prefix list. Usually none.
    pub egress_peers: Vec<Vec<Peer<'w>>>,
    /// The groups its egress names, by referenced group: R3 looks an endpoint's groups up
    /// here instead of comparing them with every rule.
    pub egress_refs: FxHashMap<&'w str, Vec<u32>>,
    /// Each group alone, compiled: egress masks are computed per group and combined per list.
    pub group_sets: Vec<GroupSet<'w, 'w>>,
}

impl<'w> VpcWorkloads<'w> {
    /// Gives every workload its keys; `endpoints` are the VPC's.
    pub(super) fn new(
        snap: &'w Snapshot,
        compiled: &'w Compiled<'w>,
        list: &[&'w Workload<'w>],
        endpoints: &[&Endpoint],
    ) -> Self {
        let named = Named::new(endpoints);
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
        let mut egress_refs: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        let mut egress_peers = Vec::with_capacity(groups.len());
        for g in 0..groups.len() as u32 {
            let rules = compiled
                .security_group(groups.value(g))
                .map_or(&[][..], |sg| &sg.ip_permissions_egress);
            let mut others = Vec::new();
            for peer in rules.iter().flat_map(security_group::peers) {
                match peer {
                    Peer::Group(id) => egress_refs.entry(id).or_default().push(g),
                    other if named.may_target(&other) => others.push(other),
                    _ => {}
                }
            }
            egress_peers.push(others);
        }
        let group_sets = (0..groups.len() as u32)
            .map(|g| compiled.group_set(&[groups.value(g)]))
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

/// What a CIDR or prefix-list peer must be to name one of the VPC's endpoints (see
/// `intent::peer_targets`): anything else names none of them.
struct Named<'e> {
    /// (network, prefix length) of every endpoint ENI (as a /32) and ENI subnet, sorted.
    cidrs: Vec<(u32, u8)>,
    prefix_lists: Vec<&'e str>,
}

impl<'e> Named<'e> {
    fn new(endpoints: &[&'e Endpoint]) -> Self {
        let mut cidrs = Vec::new();
        for ep in endpoints {
            cidrs.extend(ep.enis.iter().map(|e| (u32::from(e.ip), 32)));
            cidrs.extend(
                ep.subnet_cidrs
                    .iter()
                    .map(|s| (u32::from(s.network()), s.prefix_len())),
            );
        }
        // Every CIDR rule of every workload group is looked up here.
        cidrs.sort_unstable();
        cidrs.dedup();
        let prefix_lists = endpoints
            .iter()
            .filter_map(|ep| ep.prefix_list)
            .map(|pl| pl.prefix_list_id.as_str())
            .collect();
        Named {
            cidrs,
            prefix_lists,
        }
    }

    fn may_target(&self, peer: &Peer) -> bool {
        match peer {
            Peer::Cidr(net) => self
                .cidrs
                .binary_search(&(u32::from(net.network()), net.prefix_len()))
                .is_ok(),
            Peer::PrefixList(id) => self.prefix_lists.contains(id),
            Peer::Group(_) => true,
        }
    }
}
