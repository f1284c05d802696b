//! Pairs across VPCs (issue 14): a workload of one VPC and an endpoint of another, joined by a
//! transit gateway or a VPC peering connection (docs/spec.md section 3, R1-R3 across links).
//!
//! This module says which pairs exist (the workloads of VPCs the link data joins to the
//! endpoint's, numbered once for the whole check) and decides them exactly for
//! [`check_exact`](super::check_exact) ([`exact_remote`]: `intent` and `path::cross`, pair by
//! pair). The fast judge decides them by classes of workloads (`fast::cross`). Only VPCs the
//! link data joins are paired, and (R7 across VPCs, docs/spec.md D10) a VPC with the endpoint
//! its private hosted zone resolves a service to, so snapshots without link or DNS data pay
//! nothing (the synth presets but `org` route to a TGW the snapshot does not describe: a note
//! says those pairs are not checked).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::endpoint::{Endpoint, EndpointKind};
use crate::intent::{self, Reason, Reasons, Workload};
use crate::params::RuleParameters;
use crate::path;
use crate::snapshot::{DescribeCall, Snapshot};

use super::ids::{DenseId, RemoteIdx};

/// What the cross-VPC pairs of every endpoint start from, built once per check.
pub(super) struct CrossVpc<'w> {
    /// Every workload of a VPC linked to another, by VPC then ENI: the candidates.
    remotes: Vec<Remote<'w>>,
    /// The range of `remotes` of each such VPC.
    by_vpc: BTreeMap<&'w str, std::ops::Range<usize>>,
    /// Workloads by VPC (every VPC), for R6 across links.
    workloads_by_vpc: BTreeMap<&'w str, Vec<&'w Workload<'w>>>,
    /// VPC pairs (ordered) joined by a TGW both are attached to, or a peering connection.
    linked: BTreeSet<(&'w str, &'w str)>,
    /// (workload VPC, endpoint id): a private hosted zone of that VPC resolves the endpoint's
    /// service to that endpoint of another VPC (R7 across VPCs, docs/spec.md D10), link or not.
    zoned: BTreeSet<(&'w str, &'w str)>,
    /// The service names each VPC has an endpoint for.
    services: BTreeSet<(&'w str, &'w str)>,
}

/// A workload that may pair with endpoints of other VPCs.
pub(super) struct Remote<'w> {
    pub workload: &'w Workload<'w>,
    /// Its ENI id, shared by every pair result.
    pub id: Arc<str>,
    /// Its number among every such workload of the check.
    pub idx: RemoteIdx,
}

/// The workloads of one VPC linked to an endpoint's.
pub(super) struct RemoteVpc<'c, 'w> {
    /// The workloads' VPC (the client VPC whose DNS the pairs' DNS hops are decided from, D10).
    pub vpc: &'w str,
    /// The VPC has an endpoint of its own for the service (R1 does not reach across).
    pub served_locally: bool,
    /// A private hosted zone of the VPC resolves the service to the endpoint (R7 across VPCs).
    pub zoned: bool,
    pub list: &'c [Remote<'w>],
}

/// A judge's answer for one cross-VPC pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RemoteVerdict {
    /// Why the pair must work (possibly nothing: then it only counts for R5).
    pub reasons: Reasons,
    /// The workload's route table sends an address of the endpoint to a TGW or peering
    /// connection: the pair exists (for R5) even when nothing requires it.
    pub routes: bool,
    /// Proven to reach every target of the endpoint (network hops; the endpoint's own hops are
    /// not included). Only the fast judge proves; the exact one always traces.
    pub proven: bool,
}

impl<'w> CrossVpc<'w> {
    pub(super) fn new(
        snap: &'w Snapshot,
        workloads: &'w [Workload<'w>],
        endpoints: &[Endpoint<'w>],
    ) -> Self {
        let mut workloads_by_vpc: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
        for w in workloads {
            workloads_by_vpc.entry(w.vpc_id).or_default().push(w);
        }
        let linked = linked_vpcs(snap);
        let zoned = zoned_pairs(snap, &workloads_by_vpc, endpoints);
        let (mut remotes, mut by_vpc) = (Vec::new(), BTreeMap::new());
        for (&vpc, list) in &workloads_by_vpc {
            if !linked.iter().any(|&(x, _)| x == vpc) && !zoned.iter().any(|&(x, _)| x == vpc) {
                continue;
            }
            let start = remotes.len();
            for &workload in list {
                remotes.push(Remote {
                    workload,
                    id: Arc::from(workload.id()),
                    idx: RemoteIdx::at(remotes.len()),
                });
            }
            by_vpc.insert(vpc, start..remotes.len());
        }
        let services = endpoints
            .iter()
            .map(|e| (e.raw.vpc_id.as_str(), e.raw.service_name.as_str()))
            .collect();
        CrossVpc {
            remotes,
            by_vpc,
            workloads_by_vpc,
            linked,
            zoned,
            services,
        }
    }

    /// The workloads of the VPCs linked to `ep`'s, or whose private hosted zone resolves the
    /// service to `ep` (R7 across VPCs), in VPC then ENI order: the candidates of its cross-VPC
    /// pairs (a judge says which pairs exist: those that route to the endpoint or must reach
    /// it). Without link or DNS data there are none (a note says so, `unlinked_note`).
    pub(super) fn remotes(&self, ep: &Endpoint) -> Vec<RemoteVpc<'_, 'w>> {
        let vpc = ep.raw.vpc_id.as_str();
        self.by_vpc
            .iter()
            .filter(|&(&wvpc, _)| {
                wvpc != vpc
                    && (self.linked.contains(&(wvpc, vpc)) || self.zoned.contains(&(wvpc, ep.id())))
            })
            .map(|(&wvpc, range)| RemoteVpc {
                vpc: wvpc,
                served_locally: self
                    .services
                    .contains(&(wvpc, ep.raw.service_name.as_str())),
                zoned: self.zoned.contains(&(wvpc, ep.id())),
                list: &self.remotes[range.clone()],
            })
            .collect()
    }

    /// The ENI ids of every candidate, in `RemoteIdx` order.
    pub(super) fn remote_ids(&self) -> impl Iterator<Item = Arc<str>> + '_ {
        self.remotes.iter().map(|r| Arc::clone(&r.id))
    }

    /// Whether a workload of `vpc` is served for `service` by an interface endpoint of a linked
    /// VPC it routes to (R6 across links).
    pub(super) fn served_remotely(
        &self,
        snap: &Snapshot,
        vpc: &str,
        endpoints: &[Endpoint],
        service: &str,
    ) -> bool {
        let Some(list) = self.workloads_by_vpc.get(vpc) else {
            return false;
        };
        endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::Interface && e.raw.vpc_id != vpc)
            .filter(|e| self.linked.contains(&(vpc, e.raw.vpc_id.as_str())))
            .filter(|e| crate::params::service_matches(service, &e.raw.service_name))
            .any(|e| list.iter().any(|w| routes_to(snap, w, e)))
    }
}

/// The exact judgement of one cross-VPC pair (`check_exact`): its routes and reasons from the
/// snapshot alone; its reach is traced by `path`.
pub(super) fn exact_remote(
    snap: &Snapshot,
    params: &RuleParameters,
    w: &Workload,
    ep: &Endpoint,
    served_locally: bool,
) -> RemoteVerdict {
    let routes = routes_to(snap, w, ep);
    RemoteVerdict {
        reasons: reasons(snap, params, w, ep, routes, served_locally),
        routes,
        proven: false,
    }
}

/// Ordered pairs of VPCs that the snapshot's link data joins: both attached to one TGW (by
/// `describe-transit-gateway-vpc-attachments` or `describe-transit-gateway-attachments`), or
/// the two sides of a peering connection (any status: the path says whether it carries traffic).
fn linked_vpcs(snap: &Snapshot) -> BTreeSet<(&str, &str)> {
    let mut attached: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let gone = |state: &Option<String>| matches!(state.as_deref(), Some("deleted" | "deleting"));
    for a in snap
        .tgw_vpc_attachments
        .values()
        .filter(|a| !gone(&a.state))
    {
        attached
            .entry(&a.transit_gateway_id)
            .or_default()
            .insert(&a.vpc_id);
    }
    for a in snap.tgw_attachments.values().filter(|a| !gone(&a.state)) {
        if let (Some("vpc"), Some(tgw), Some(vpc)) = (
            a.resource_type.as_deref(),
            a.transit_gateway_id.as_deref(),
            a.resource_id.as_deref(),
        ) {
            attached.entry(tgw).or_default().insert(vpc);
        }
    }
    // A VPC whose route tables send traffic to a TGW that other VPCs are attached to, without
    // a live attachment of its own (none, or a deleted one), is joined to them as well: its
    // pairs stop at the TGW on the path (T1, `TGW_ATTACHMENT_NOT_AVAILABLE`) rather than not
    // being pairs at all (a spoke whose attachment was deleted would pass silently).
    for t in snap.route_tables.values() {
        for tgw in t
            .routes
            .iter()
            .filter_map(|r| r.transit_gateway_id.as_deref())
        {
            if let Some(vpcs) = attached.get_mut(tgw) {
                vpcs.insert(&t.vpc_id);
            }
        }
    }
    let mut linked = BTreeSet::new();
    for vpcs in attached.values() {
        for &x in vpcs {
            for &y in vpcs.iter().filter(|&&y| y != x) {
                linked.insert((x, y));
            }
        }
    }
    for c in snap.vpc_peerings.values() {
        let side = |i: &'_ Option<crate::snapshot::PeeringVpcInfo>| {
            i.as_ref().and_then(|i| i.vpc_id.clone())
        };
        if let (Some(x), Some(y)) = (side(&c.requester_vpc_info), side(&c.accepter_vpc_info)) {
            if let (Some((x, _)), Some((y, _))) =
                (snap.vpcs.get_key_value(&x), snap.vpcs.get_key_value(&y))
            {
                linked.insert((x.as_str(), y.as_str()));
                linked.insert((y.as_str(), x.as_str()));
            }
        }
    }
    linked
}

/// R7 across VPCs (docs/spec.md D10): the (workload VPC, endpoint) pairs where a private hosted
/// zone associated with the VPC resolves the service's name to an interface endpoint of another
/// VPC. The association states that the VPC's workloads use that endpoint, whether or not a
/// link joins the two VPCs: without one, the pairs stop at the workload's route table.
fn zoned_pairs<'w>(
    snap: &'w Snapshot,
    workloads_by_vpc: &BTreeMap<&'w str, Vec<&'w Workload<'w>>>,
    endpoints: &[Endpoint<'w>],
) -> BTreeSet<(&'w str, &'w str)> {
    let mut zoned = BTreeSet::new();
    if snap.dns.is_empty() {
        return zoned;
    }
    for ep in endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
    {
        for &vpc in workloads_by_vpc.keys() {
            if vpc != ep.raw.vpc_id && crate::dns::zone_serving(snap, vpc, ep.raw).is_some() {
                zoned.insert((vpc, ep.raw.vpc_endpoint_id.as_str()));
            }
        }
    }
    zoned
}

/// A note for people when route tables send traffic to TGWs or peering connections the
/// snapshot has no output about: pairs across those links are not checked.
pub(super) fn unlinked_note(snap: &Snapshot) -> Vec<String> {
    let routes = || snap.route_tables.values().flat_map(|t| t.routes.iter());
    let mut notes = Vec::new();
    let tgw_data = snap
        .coverage
        .has(DescribeCall::TransitGatewayVpcAttachments)
        || snap.coverage.has(DescribeCall::TransitGatewayAttachments);
    if !tgw_data && routes().any(|r| r.transit_gateway_id.is_some()) {
        notes.push(
            "route tables send traffic to transit gateways, but the snapshot has no \
             describe-transit-gateway-vpc-attachments output: pairs across them are not checked"
                .to_string(),
        );
    }
    if !snap.coverage.has(DescribeCall::VpcPeeringConnections)
        && routes().any(|r| r.vpc_peering_connection_id.is_some())
    {
        notes.push(
            "route tables send traffic to VPC peering connections, but the snapshot has no \
             describe-vpc-peering-connections output: pairs across them are not checked"
                .to_string(),
        );
    }
    notes
}

/// The workload's route table sends one of the endpoint's addresses (an ENI, or a CIDR of a
/// gateway endpoint's prefix list) to a TGW or a peering connection: an IPv4 address (the
/// table's, whatever the workload's family: it says where the VPC sends the endpoint), or an
/// IPv6 one when the pair needs the IPv6 path (V12).
fn routes_to(snap: &Snapshot, w: &Workload, ep: &Endpoint) -> bool {
    let via = |ip| path::cross::via(snap, w.subnet_id, ip);
    match ep.kind {
        EndpointKind::Interface => {
            ep.enis.iter().any(|e| via(e.ip).is_some()) || routes_to6(snap, w, ep)
        }
        EndpointKind::Gateway => ep.prefix_list.is_some_and(|pl| {
            crate::prefix_list::ipv4_cidrs(pl).any(|c| via(c.network()).is_some())
        }),
    }
}

/// [`routes_to`] over IPv6, for a pair whose family decision (V10) needs the IPv6 path: the
/// workload's IPv6 route to an IPv6 address of an endpoint ENI. IPv4-only pairs (no IPv6
/// address on the workload, an `ipv4` endpoint) stop at the family gate.
fn routes_to6(snap: &Snapshot, w: &Workload, ep: &Endpoint) -> bool {
    use crate::family::{interface_need_gated, Family, Need};
    let needs_v6 = matches!(
        interface_need_gated(snap, w.eni, ep.raw),
        Need::Both | Need::One(Family::V6)
    );
    let Some(src_subnet) = needs_v6.then_some(w.subnet_id) else {
        return false;
    };
    ep.raw
        .network_interface_ids
        .iter()
        .filter_map(|id| snap.network_interfaces.get(id))
        .flat_map(|eni| eni.ipv6_addresses.iter())
        .any(|a| path::cross6::via6(snap, src_subnet, a.ipv6_address).is_some())
}

/// R1-R3 across a link. R1: the service is required, the workload's VPC has no endpoint of its
/// own for it, and the workload routes to this one. R2 (interface): the endpoint's groups admit
/// the workload. R3 (interface): the workload's egress names the endpoint. A gateway endpoint is
/// never R2/R3-required from another VPC: its prefix list names the service, not the endpoint.
fn reasons(
    snap: &Snapshot,
    params: &RuleParameters,
    w: &Workload,
    ep: &Endpoint,
    routes: bool,
    served_locally: bool,
) -> Reasons {
    let mut out = Reasons::default();
    if routes && !served_locally && params.requires(&ep.raw.service_name) {
        out.insert(Reason::RequiredService);
    }
    // R7 across VPCs (D10): the workload's VPC resolves the service to this endpoint.
    if ep.kind == EndpointKind::Interface
        && crate::dns::zone_serving(snap, w.vpc_id, ep.raw).is_some()
    {
        out.insert(Reason::DnsZone);
    }
    if ep.kind == EndpointKind::Interface {
        if intent::endpoint_admits(snap, w, ep) {
            out.insert(Reason::EndpointAdmits);
        }
        if intent::egress_targets(snap, w, ep) {
            out.insert(Reason::EgressTargets);
        }
    }
    out
}

/// The reasons of one cross-VPC pair on its own (for `explain`).
pub(super) fn pair_reasons(
    snap: &Snapshot,
    params: &RuleParameters,
    w: &Workload,
    ep: &Endpoint,
) -> Reasons {
    let served_locally = snap
        .vpc_endpoints
        .values()
        .any(|e| e.vpc_id == w.vpc_id && e.service_name == ep.raw.service_name);
    reasons(snap, params, w, ep, routes_to(snap, w, ep), served_locally)
}
