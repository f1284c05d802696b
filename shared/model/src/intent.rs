//! Intent (docs/spec.md section 3): which ENIs are workloads, and which workload/endpoint pairs must
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

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::endpoint::{Endpoint, EndpointKind};
use crate::params::RuleParameters;
use crate::security_group::{self, Peer, RuleDirection};
use crate::snapshot::{NetworkInterface, Snapshot};
use crate::space::{AddrRange, PortRange, Region};

use ipnet::Ipv6Net;

/// An ENI that must reach the endpoints it depends on.
#[derive(Debug, Clone)]
pub(crate) struct Workload<'a> {
    /// The describe record.
    pub eni: &'a NetworkInterface,
    /// Its primary private IPv4 address: the source of its IPv4 connections. `0.0.0.0` for an
    /// IPv6-only workload (`ipv4` false), where it means nothing.
    pub ip: Ipv4Addr,
    /// False for an IPv6-only workload (an ENI of an IPv6-only subnet, or one with
    /// `Ipv6Addresses` and no private IPv4 address: docs/spec.md V8). Every IPv4 use of `ip`
    /// is gated on it: such a workload's pairs take the IPv6 path, DNS64 or none (V10), and
    /// the fast `check` sends them to the exact trace.
    pub ipv4: bool,
    /// Its security groups' ids (borrowed from `eni`).
    pub groups: Vec<&'a str>,
    /// Its VPC (borrowed from `eni` while the record is in cache: a large check groups
    /// thousands of workloads by it).
    pub vpc_id: &'a str,
    /// Its subnet (borrowed the same way: a large check keys thousands of workloads by it).
    pub subnet_id: &'a str,
}

impl<'a> Workload<'a> {
    /// The workload of `eni`, whose primary address is `ip`.
    pub(crate) fn new(eni: &'a NetworkInterface, ip: Ipv4Addr) -> Self {
        let groups = eni.groups.iter().map(|g| g.group_id.as_str()).collect();
        Workload {
            eni,
            ip,
            ipv4: true,
            groups,
            vpc_id: &eni.vpc_id,
            subnet_id: &eni.subnet_id,
        }
    }

    /// The workload of `eni` by its addresses: its primary private IPv4 address, else (an
    /// IPv6-only ENI, V8) its first IPv6 address; `None` with neither. An ENI with IPv6
    /// addresses in an IPv6-only subnet is IPv6-only whatever the dump says of IPv4 (as
    /// `family::client` decides).
    pub(crate) fn of(snap: &Snapshot, eni: &'a NetworkInterface) -> Option<Self> {
        // The subnet is looked up only for ENIs with IPv6 addresses: IPv4-only accounts pay
        // nothing.
        let has_ipv6 = !eni.ipv6_addresses.is_empty();
        let ipv6_subnet = || {
            snap.subnets
                .get(&eni.subnet_id)
                .is_some_and(|s| s.ipv6_native)
        };
        match snap.primary_ip(eni) {
            Some(ip) if !has_ipv6 || !ipv6_subnet() => Some(Workload::new(eni, ip)),
            _ if has_ipv6 => Some(Workload {
                ipv4: false,
                ..Workload::new(eni, Ipv4Addr::UNSPECIFIED)
            }),
            _ => None,
        }
    }

    /// `eni-…`
    pub(crate) fn id(&self) -> &str {
        &self.eni.network_interface_id
    }

    /// The first IPv6 address of the ENI, if any.
    pub(crate) fn ip6(&self) -> Option<Ipv6Addr> {
        self.eni.ipv6_addresses.first().map(|a| a.ipv6_address)
    }

    /// The workload's source address as findings and traces show it: its IPv4 address, or
    /// the IPv6 one of an IPv6-only workload.
    pub(crate) fn address(&self) -> IpAddr {
        match self.ip6() {
            Some(v6) if !self.ipv4 => IpAddr::V6(v6),
            _ => IpAddr::V4(self.ip),
        }
    }
}

const WORKLOAD_TYPES: [&str; 5] = ["interface", "lambda", "efa", "branch", "trunk"];

/// The workloads of the snapshot, in ENI id order.
pub(crate) fn workloads<'a>(snap: &'a Snapshot, params: &RuleParameters) -> Vec<Workload<'a>> {
    snap.network_interfaces
        .values()
        .filter(|eni| is_workload(snap, eni, params))
        .filter_map(|eni| Workload::of(snap, eni))
        .collect()
}

/// Applies the workload rule of this module's documentation to one ENI.
pub fn is_workload(snap: &Snapshot, eni: &NetworkInterface, params: &RuleParameters) -> bool {
    let role = eni_role(EniFacts::of(eni));
    if matches!(role, EniRole::OtherType(_) | EniRole::Detached)
        || snap
            .index
            .eni_endpoint
            .contains_key(&eni.network_interface_id)
    {
        return false;
    }
    let tagged = params
        .consumer_tag
        .as_ref()
        .map(|sel| has_consumer_tag(snap, eni, sel));
    match role {
        EniRole::Workload => tagged != Some(false),
        EniRole::Infrastructure => tagged == Some(true),
        EniRole::OtherType(_) | EniRole::Detached => false,
    }
}

/// The fields of an ENI's record that the workload rule reads from the ENI alone: a describe
/// record and an AWS Config configuration item both carry them.
#[derive(Debug, Clone, Copy, Default)]
pub struct EniFacts<'a> {
    /// `InterfaceType`; absent means `interface`.
    pub interface_type: Option<&'a str>,
    /// `RequesterManaged`.
    pub requester_managed: bool,
    /// `Description`.
    pub description: Option<&'a str>,
    /// `Status` (`in-use`, `available`, ...).
    pub status: Option<&'a str>,
}

impl<'a> EniFacts<'a> {
    /// The facts of a describe record.
    pub fn of(eni: &'a NetworkInterface) -> Self {
        EniFacts {
            interface_type: eni.interface_type.as_deref(),
            requester_managed: eni.requester_managed,
            description: eni.description.as_deref(),
            status: eni.status.as_deref(),
        }
    }
}

/// What an ENI's own record says under the workload rule, before the parts only a whole
/// snapshot knows (an endpoint's own ENI, `ConsumerTag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EniRole<'a> {
    /// A workload, unless it is an endpoint's ENI or `ConsumerTag` leaves it out.
    Workload,
    /// A requester-managed `interface` ENI of AWS infrastructure (an RDS node, say): a
    /// workload only when `ConsumerTag` selects it.
    Infrastructure,
    /// Never a workload: its interface type (`nat_gateway`, `vpc_endpoint`, ...) is not one
    /// of the workload types.
    OtherType(&'a str),
    /// A detached `interface` ENI (`Status: available`): nothing runs behind it.
    Detached,
}

/// The workload rule applied to what an ENI's own record says.
pub fn eni_role(facts: EniFacts<'_>) -> EniRole<'_> {
    let kind = facts.interface_type.unwrap_or("interface");
    if !WORKLOAD_TYPES.contains(&kind) {
        return EniRole::OtherType(kind);
    }
    if kind == "interface" && facts.status == Some("available") {
        return EniRole::Detached;
    }
    if kind == "interface" && facts.requester_managed && !is_compute_eni(facts.description) {
        return EniRole::Infrastructure;
    }
    EniRole::Workload
}

/// Lambda and ECS/Fargate task ENIs are requester-managed but run customer code.
fn is_compute_eni(description: Option<&str>) -> bool {
    let description = description.unwrap_or("");
    description.starts_with("AWS Lambda VPC ENI")
        || (description.starts_with("arn:aws") && description.contains(":ecs:"))
}

fn has_consumer_tag(
    snap: &Snapshot,
    eni: &NetworkInterface,
    sel: &crate::params::TagSelector,
) -> bool {
    sel.matches(&eni.tag_set)
        || eni.groups.iter().any(|g| {
            snap.security_groups
                .get(&g.group_id)
                .is_some_and(|sg| sel.matches(&sg.tags))
        })
        || snap
            .subnets
            .get(&eni.subnet_id)
            .is_some_and(|s| sel.matches(&s.tags))
}

/// Why a pair is required (docs/spec.md R1-R4, R7).
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
    /// R7: a private hosted zone associated with the workload's VPC resolves the endpoint's
    /// service name to the endpoint (docs/spec.md section 3, section 10).
    DnsZone,
}

impl Reason {
    const ALL: [Reason; 5] = [
        Reason::RequiredService,
        Reason::EndpointAdmits,
        Reason::EgressTargets,
        Reason::RoutedToEndpoint,
        Reason::DnsZone,
    ];

    /// `R1`…`R4`, as docs/spec.md numbers them.
    pub fn label(self) -> &'static str {
        match self {
            Reason::RequiredService => "R1",
            Reason::EndpointAdmits => "R2",
            Reason::EgressTargets => "R3",
            Reason::RoutedToEndpoint => "R4",
            Reason::DnsZone => "R7",
        }
    }
}

/// A set of reasons, in docs/spec.md order (a copyable bit set: every required pair carries one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reasons(u8);

impl Reasons {
    /// Adds `reason`.
    pub fn insert(&mut self, reason: Reason) {
        self.0 |= 1 << reason as u8;
    }

    /// True when `reason` is in the set.
    pub fn contains(self, reason: Reason) -> bool {
        self.0 & (1 << reason as u8) != 0
    }

    /// True when no rule requires the pair.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The reasons, R1 first.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

/// The facts R2-R4 are decided from, so that a caching caller can supply them (only the one
/// that applies to the endpoint's kind is looked at).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IntentFacts {
    /// R2: the endpoint's groups admit the workload.
    pub admits: bool,
    /// R3: one of the workload's groups targets the endpoint in its egress.
    pub targets: bool,
    /// R4: the workload's route table routes the prefix list to the endpoint.
    pub routed: bool,
    /// R7: a private hosted zone of the workload's VPC resolves the service to the endpoint
    /// (per VPC and endpoint: `dns::zone_serving`).
    pub zone: bool,
}

/// The reasons, possibly none, that the pair must work. The workload and the endpoint are in
/// the same VPC.
pub(crate) fn reasons(
    snap: &Snapshot,
    params: &RuleParameters,
    workload: &Workload,
    ep: &Endpoint,
) -> Reasons {
    let facts = IntentFacts {
        admits: ep.kind == EndpointKind::Interface && endpoint_admits(snap, workload, ep),
        targets: egress_targets(snap, workload, ep),
        routed: ep.kind == EndpointKind::Gateway
            && routed_to_endpoint(snap, &workload.eni.subnet_id, ep),
        zone: crate::dns::zone_serving(snap, workload.vpc_id, ep.raw).is_some(),
    };
    reasons_with(params.requires(&ep.raw.service_name), ep.kind, facts)
}

/// R1-R4 from the facts, with R1 (`required`: the service is in `RequiredServices`) decided
/// once per endpoint by the caller.
pub(crate) fn reasons_with(required: bool, kind: EndpointKind, facts: IntentFacts) -> Reasons {
    let mut out = Reasons::default();
    let rules = [
        (required, Reason::RequiredService),
        (
            kind == EndpointKind::Interface && facts.admits,
            Reason::EndpointAdmits,
        ),
        (facts.targets, Reason::EgressTargets),
        (
            kind == EndpointKind::Gateway && facts.routed,
            Reason::RoutedToEndpoint,
        ),
        (facts.zone, Reason::DnsZone),
    ];
    for (holds, reason) in rules {
        if holds {
            out.insert(reason);
        }
    }
    out
}

/// R2: the endpoint's groups admit the workload on at least one service port, by the exact
/// evaluation of one packet per port (a gap in the data admits nobody). An IPv6-only workload
/// is admitted by its IPv6 address (docs/spec.md V8); any other by its IPv4 one, or, when
/// both it and the endpoint have IPv6 addresses, by its IPv6 one (section 3, R2).
pub(crate) fn endpoint_admits(snap: &Snapshot, workload: &Workload, ep: &Endpoint) -> bool {
    if !workload.ipv4 {
        return endpoint_admits6(snap, workload, ep);
    }
    let source = [AddrRange::host(workload.ip)];
    let by_ipv4 = ep.ports.iter().any(|&port| {
        let packet = Region::from_addrs(source, PortRange::single(port));
        security_group::evaluate(snap, ep.group_ids(), RuleDirection::Ingress, &packet).allows()
    });
    by_ipv4 || admits_by_ipv6(snap, workload, ep)
}

/// The IPv6 half of R2 for a dual-stack workload: the workload and the endpoint both have
/// IPv6 addresses, and the endpoint's groups admit the workload's IPv6 address. False at
/// once (no lookup) for a workload without IPv6 addresses or an `ipv4` endpoint, so the fast
/// `check` may ask it of every pair.
pub(crate) fn admits_by_ipv6(snap: &Snapshot, workload: &Workload, ep: &Endpoint) -> bool {
    ipv6_intent(workload, ep) && endpoint_admits6(snap, workload, ep)
}

/// The IPv6 parts of R2 and R3 apply: the workload has IPv6 addresses and the endpoint is an
/// interface endpoint whose ENIs have IPv6 ones (`IpAddressType` `dualstack` or `ipv6`, V1).
pub(crate) fn ipv6_intent(workload: &Workload, ep: &Endpoint) -> bool {
    !workload.eni.ipv6_addresses.is_empty() && !ep.ipv4_only && ep.kind == EndpointKind::Interface
}

/// R2 for an IPv6-only workload: its first IPv6 address, one packet per service port.
fn endpoint_admits6(snap: &Snapshot, workload: &Workload, ep: &Endpoint) -> bool {
    use crate::space6::{Addr6Range, Region6};
    let Some(source) = workload.ip6() else {
        return false;
    };
    ep.ports.iter().any(|&port| {
        let packet = Region6::from_addrs([Addr6Range::host(source)], PortRange::single(port));
        security_group::evaluate6(snap, ep.group_ids(), RuleDirection::Ingress, &packet, true)
            .allows()
    })
}

/// R3: the egress of one of the workload's groups names the endpoint: by an IPv4 peer or a
/// group ([`group_targets`]), or, for a workload with IPv6 addresses and an endpoint with
/// IPv6 ENI addresses, by an IPv6 one ([`targets_by_ipv6`]).
pub(crate) fn egress_targets(snap: &Snapshot, workload: &Workload, ep: &Endpoint) -> bool {
    workload.groups.iter().any(|g| group_targets(snap, g, ep))
        || targets_by_ipv6(snap, workload, ep)
}

/// R3 for one of the workload's groups: an egress rule names one of the endpoint's groups, the
/// /32 of one of its ENIs, the exact CIDR of a subnet holding one, or (gateway) its prefix list.
pub(crate) fn group_targets(snap: &Snapshot, group_id: &str, ep: &Endpoint) -> bool {
    let Some(group) = snap.security_groups.get(group_id) else {
        return false;
    };
    group
        .ip_permissions_egress
        .iter()
        .flat_map(security_group::peers)
        .any(|peer| peer_targets(&peer, ep))
}

/// R3 for one egress peer.
pub(crate) fn peer_targets(peer: &Peer, ep: &Endpoint) -> bool {
    match peer {
        Peer::Group(g) => ep.group_ids().iter().any(|x| x == g),
        Peer::Cidr(net) => {
            (net.prefix_len() == 32 && ep.enis.iter().any(|e| e.ip == net.addr()))
                || ep
                    .subnet_cidrs
                    .iter()
                    .any(|s| s.prefix_len() == net.prefix_len() && s.network() == net.network())
        }
        Peer::PrefixList(id) => ep.prefix_list.is_some_and(|pl| pl.prefix_list_id == *id),
    }
}

/// The IPv6 half of R3 (section 3): an `Ipv6Ranges` egress rule of one of the workload's
/// groups names the /128 of an endpoint ENI's IPv6 address or the exact IPv6 block of a
/// subnet holding an endpoint ENI. Only for a workload with IPv6 addresses and an endpoint
/// with IPv6 ENI addresses (false at once otherwise, without a lookup: the fast `check` may
/// ask it of every pair). Group references and prefix lists are [`group_targets`]'s already.
pub(crate) fn targets_by_ipv6(snap: &Snapshot, workload: &Workload, ep: &Endpoint) -> bool {
    let mut names = None;
    targets_by_ipv6_with(snap, workload, ep, &mut names)
}

/// [`targets_by_ipv6`] with the endpoint's IPv6 names ([`endpoint_ipv6_names`]) kept in
/// `names` by the caller: collected at the first `Ipv6Ranges` rule (most groups of an
/// IPv4-minded account have none, and a dual-stack one's have many), reused by the next
/// question about the same endpoint.
pub(crate) fn targets_by_ipv6_with(
    snap: &Snapshot,
    workload: &Workload,
    ep: &Endpoint,
    names: &mut Option<Vec<Ipv6Net>>,
) -> bool {
    if !ipv6_intent(workload, ep) {
        return false;
    }
    let rules = workload
        .groups
        .iter()
        .filter_map(|g| snap.security_groups.get(*g))
        .flat_map(|g| g.ip_permissions_egress.iter())
        .flat_map(|p| p.ipv6_ranges.iter());
    for r in rules {
        let net = &r.cidr_ipv6;
        let names = names.get_or_insert_with(|| endpoint_ipv6_names(snap, ep));
        if names
            .iter()
            .any(|n| n.prefix_len() == net.prefix_len() && n.network() == net.network())
        {
            return true;
        }
    }
    false
}

/// What an IPv6 egress rule names the endpoint by (R3): the /128 of each endpoint ENI's IPv6
/// address and each IPv6 block of a subnet holding an endpoint ENI.
fn endpoint_ipv6_names(snap: &Snapshot, ep: &Endpoint) -> Vec<Ipv6Net> {
    let enis = ep
        .raw
        .network_interface_ids
        .iter()
        .filter_map(|id| snap.network_interfaces.get(id));
    let mut names = Vec::new();
    for eni in enis {
        names.extend(
            eni.ipv6_addresses
                .iter()
                .filter_map(|a| Ipv6Net::new(a.ipv6_address, 128).ok()),
        );
        if let Some(subnet) = snap.subnets.get(&eni.subnet_id) {
            names.extend(subnet.ipv6_cidrs());
        }
    }
    names
}

/// R4: the subnet's route table has the endpoint's prefix-list route.
pub(crate) fn routed_to_endpoint(snap: &Snapshot, subnet_id: &str, ep: &Endpoint) -> bool {
    let Some((table, _)) = crate::route::table_for_subnet(snap, subnet_id) else {
        return false;
    };
    // A gateway endpoint's routes are the only ones that target it, and they always have the
    // service's prefix list as destination.
    table
        .routes
        .iter()
        .any(|r| r.gateway_id.as_deref() == Some(ep.id()))
}
