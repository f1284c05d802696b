//! Intent (SPEC section 3): which ENIs are workloads, and which workload/endpoint pairs must
//! work.
//!
//! Workload rule, as implemented: an ENI is a workload when its `InterfaceType` is
//! `interface`, `lambda`, `efa`, `branch` or `trunk`, it is not a detached `interface`
//! (`Status: available`, nothing runs behind it), and it is not kept by an AWS service for its
//! own infrastructure. A requester-managed `interface` ENI is such infrastructure (an RDS or
//! ElastiCache node, say) unless its description shows a Lambda function
//! (`AWS Lambda VPC ENI…`) or an ECS/Fargate task (`arn:aws:ecs:…attachment/…`), or
//! `ConsumerTag` selects it. `ConsumerTag` then narrows the workloads to those whose ENI, one
//! of whose security groups, or whose subnet carries the tag.

use std::net::Ipv4Addr;

use crate::endpoint::{Endpoint, EndpointKind};
use crate::params::RuleParameters;
use crate::security_group::{self, Peer, RuleDirection};
use crate::snapshot::{NetworkInterface, Snapshot};
use crate::space::{AddrRange, PortRange, Region};

/// An ENI that must reach the endpoints it depends on.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    /// The describe record.
    pub eni: &'a NetworkInterface,
    /// Its primary private IPv4 address: the source of its connections.
    pub ip: Ipv4Addr,
    /// Its security groups.
    pub groups: Vec<String>,
}

impl Workload<'_> {
    /// `eni-…`
    pub fn id(&self) -> &str {
        &self.eni.network_interface_id
    }
}

const WORKLOAD_TYPES: [&str; 5] = ["interface", "lambda", "efa", "branch", "trunk"];

/// The workloads of the snapshot, in ENI id order.
pub fn workloads<'a>(snap: &'a Snapshot, params: &RuleParameters) -> Vec<Workload<'a>> {
    snap.network_interfaces
        .values()
        .filter(|eni| is_workload(snap, eni, params))
        .filter_map(|eni| {
            let ip = snap.primary_ip(eni)?;
            Some(Workload { eni, ip, groups: eni.groups.iter().map(|g| g.group_id.clone()).collect() })
        })
        .collect()
}

/// Applies the workload rule of this module's documentation to one ENI.
pub fn is_workload(snap: &Snapshot, eni: &NetworkInterface, params: &RuleParameters) -> bool {
    let kind = eni.interface_type.as_deref().unwrap_or("interface");
    if !WORKLOAD_TYPES.contains(&kind) || snap.index.eni_endpoint.contains_key(&eni.network_interface_id) {
        return false;
    }
    if kind == "interface" && eni.status.as_deref() == Some("available") {
        return false;
    }
    let tagged = params.consumer_tag.as_ref().map(|sel| has_consumer_tag(snap, eni, sel));
    if tagged == Some(false) {
        return false;
    }
    let infrastructure = kind == "interface" && eni.requester_managed && !is_compute_eni(eni);
    !infrastructure || tagged == Some(true)
}

/// Lambda and ECS/Fargate task ENIs are requester-managed but run customer code.
fn is_compute_eni(eni: &NetworkInterface) -> bool {
    let description = eni.description.as_deref().unwrap_or("");
    description.starts_with("AWS Lambda VPC ENI") || (description.starts_with("arn:aws") && description.contains(":ecs:"))
}

fn has_consumer_tag(snap: &Snapshot, eni: &NetworkInterface, sel: &crate::params::TagSelector) -> bool {
    sel.matches(&eni.tag_set)
        || eni.groups.iter().any(|g| snap.security_groups.get(&g.group_id).is_some_and(|sg| sel.matches(&sg.tags)))
        || snap.subnets.get(&eni.subnet_id).is_some_and(|s| sel.matches(&s.tags))
}

/// Why a pair is required (SPEC R1-R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// R1: the endpoint's service is in `RequiredServices`.
    RequiredService,
    /// R2: a security group of the (interface) endpoint admits the workload.
    EndpointAdmits,
    /// R3: the workload's egress explicitly targets the endpoint.
    EgressTargets,
    /// R4: the workload's route table routes the endpoint's prefix list to it.
    RoutedToEndpoint,
}

impl Reason {
    /// `R1`…`R4`, as SPEC numbers them.
    pub fn label(self) -> &'static str {
        match self {
            Reason::RequiredService => "R1",
            Reason::EndpointAdmits => "R2",
            Reason::EgressTargets => "R3",
            Reason::RoutedToEndpoint => "R4",
        }
    }
}

/// The reasons, possibly none, that the pair must work. The workload and the endpoint are in
/// the same VPC.
pub fn reasons(snap: &Snapshot, params: &RuleParameters, w: &Workload, ep: &Endpoint) -> Vec<Reason> {
    let mut out = Vec::new();
    if params.requires(&ep.raw.service_name) {
        out.push(Reason::RequiredService);
    }
    if ep.kind == EndpointKind::Interface && endpoint_admits(snap, w, ep) {
        out.push(Reason::EndpointAdmits);
    }
    if egress_targets(snap, w, ep) {
        out.push(Reason::EgressTargets);
    }
    if ep.kind == EndpointKind::Gateway && routed_to_endpoint(snap, w, ep) {
        out.push(Reason::RoutedToEndpoint);
    }
    out
}

/// R2: the endpoint's groups admit the workload on at least one service port.
pub fn endpoint_admits(snap: &Snapshot, w: &Workload, ep: &Endpoint) -> bool {
    let groups = ep.group_ids();
    ep.ports.iter().any(|&port| {
        let required = Region::from_addrs([AddrRange::host(w.ip)], PortRange::single(port));
        security_group::evaluate(snap, &groups, RuleDirection::Ingress, &required).allows()
    })
}

/// R3: an egress rule of the workload names one of the endpoint's groups, the /32 of one of
/// its ENIs, the exact CIDR of a subnet holding one, or (gateway) its prefix list.
fn egress_targets(snap: &Snapshot, w: &Workload, ep: &Endpoint) -> bool {
    let endpoint_groups = ep.group_ids();
    let eni_hosts: Vec<ipnet::Ipv4Net> = ep.enis.iter().map(|e| ipnet::Ipv4Net::from(e.ip)).collect();
    let eni_subnets: Vec<ipnet::Ipv4Net> =
        ep.enis.iter().filter_map(|e| snap.subnets.get(&e.subnet_id)).map(|s| s.cidr_block.trunc()).collect();
    let pl_id = ep.prefix_list.map(|pl| pl.prefix_list_id.as_str());
    let targets = |peer: &Peer| match peer {
        Peer::Group(g) => endpoint_groups.contains(g),
        Peer::Cidr(net) => {
            (net.prefix_len() == 32 && eni_hosts.contains(net)) || eni_subnets.contains(&net.trunc())
        }
        Peer::PrefixList(id) => Some(id.as_str()) == pl_id,
    };
    w.groups
        .iter()
        .filter_map(|g| snap.security_groups.get(g))
        .flat_map(|sg| sg.ip_permissions_egress.iter())
        .flat_map(security_group::peers)
        .any(|peer| targets(&peer))
}

/// R4: the workload subnet's route table has the endpoint's prefix-list route.
fn routed_to_endpoint(snap: &Snapshot, w: &Workload, ep: &Endpoint) -> bool {
    let Some((table, _)) = crate::route::table_for_subnet(snap, &w.eni.subnet_id) else { return false };
    // A gateway endpoint's routes are the only ones that target it, and they always have the
    // service's prefix list as destination.
    table.routes.iter().any(|r| r.gateway_id.as_deref() == Some(ep.id()))
}
