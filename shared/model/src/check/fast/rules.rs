//! What the fast path keeps about the egress rules of a VPC's workload groups for R3: the
//! peers it looks an endpoint up among.

use crate::endpoint::Endpoint;
use crate::fxhash::FxHashMap;
use crate::security_group::{self, Peer};

use super::super::ids::{GroupIdx, Table};
use super::super::workloads::VpcWorkloads;
use super::compiled::Compiled;

/// The egress peers of the groups of one VPC's workloads, by [`VpcWorkloads::groups`] id.
pub(super) struct WorkloadRules<'w> {
    /// Each group's egress peers other than groups that name an endpoint of the VPC (R3
    /// looks for the endpoint among them): a subnet of an endpoint ENI, an endpoint ENI, a
    /// gateway endpoint's prefix list. Usually none.
    pub egress_peers: Table<GroupIdx, Vec<Peer<'w>>>,
    /// The groups whose egress names a group, by referenced group: R3 looks an endpoint's
    /// groups up here instead of comparing them with every rule.
    pub egress_refs: FxHashMap<&'w str, Vec<GroupIdx>>,
}

impl<'w> WorkloadRules<'w> {
    /// The rules of `vw`'s groups; `endpoints` are the VPC's.
    pub(super) fn new(
        compiled: &'w Compiled<'w>,
        vw: &VpcWorkloads<'w>,
        endpoints: &[&Endpoint],
    ) -> Self {
        let destinations = EndpointDestinations::new(endpoints);
        let groups = &vw.groups;
        let mut egress_refs: FxHashMap<&str, Vec<GroupIdx>> = FxHashMap::default();
        let mut egress_peers = Vec::with_capacity(groups.len());
        for g in groups.ids() {
            let rules = compiled
                .security_group(groups.value(g))
                .map_or(&[][..], |sg| &sg.ip_permissions_egress);
            let mut others = Vec::new();
            for peer in rules.iter().flat_map(security_group::peers) {
                match peer {
                    Peer::Group(id) => egress_refs.entry(id).or_default().push(g),
                    other if destinations.may_target(&other) => others.push(other),
                    _ => {}
                }
            }
            egress_peers.push(others);
        }
        WorkloadRules {
            egress_peers: egress_peers.into(),
            egress_refs,
        }
    }
}

/// What a CIDR or prefix-list peer must be to name one of the VPC's endpoints (see
/// `intent::peer_targets`): anything else names none of them.
struct EndpointDestinations<'e> {
    /// (network, prefix length) of every endpoint ENI (as a /32) and ENI subnet, sorted.
    cidrs: Vec<(u32, u8)>,
    prefix_lists: Vec<&'e str>,
}

impl<'e> EndpointDestinations<'e> {
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
        EndpointDestinations {
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
