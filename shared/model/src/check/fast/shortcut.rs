//! One hop of the fast path: proven allowed (or, for security groups, proven refused) by the
//! compiled rules, else built exactly by `path`. A proof yields a hop with nothing to say
//! (nobody reads explanations of allowed hops in `check`); a refusal is worded by `path`, whose
//! wording needs no evaluation. Compiled rules may word a hop blocked only where the exact
//! evaluation could not differ (see `GroupSet::decide`).

use crate::endpoint::EndpointEni;
use crate::network_acl::Traffic;
use crate::path::{gateway, interface, Ctx, Hop, HopKind};
use crate::prefix_list;
use crate::security_group::RuleDirection;
use crate::snapshot::PrefixList;
use crate::space::{AddrRange, PortRange};

use super::compiled::Compiled;

/// The workload's groups, outbound to an interface endpoint's ENI.
pub(super) fn egress(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let groups = compiled.group_set(&cx.workload.groups);
    match groups.decide(RuleDirection::Egress, u32::from(eni.ip), &cx.endpoint.ports) {
        Some(true) => Hop::proven(HopKind::SecurityGroupEgress),
        Some(false) => interface::egress_refused(cx, eni),
        None => interface::egress(cx, eni),
    }
}

/// The workload subnet's route to the ENI.
pub(super) fn route(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let subnet = cx.workload.subnet_id;
    match compiled.routes_locally(subnet, u32::from(eni.ip)) {
        Some(true) => Hop::proven(HopKind::Route),
        Some(false) | None => interface::route(cx, eni),
    }
}

/// The endpoint's groups, inbound from the workload.
pub(super) fn ingress(cx: &Ctx, compiled: &Compiled) -> Hop {
    let (ip, ep) = (u32::from(cx.workload.ip), cx.endpoint);
    let groups = compiled.group_set(&ep.groups);
    match groups.decide(RuleDirection::Ingress, ip, &ep.ports) {
        Some(true) => Hop::proven(HopKind::SecurityGroupIngress),
        Some(false) => interface::ingress_refused(cx),
        None => interface::ingress(cx),
    }
}

/// Which packets an ACL hop must pass: to or from one address, on the service ports one by
/// one or on the whole reply range.
struct AclQuestion<'q> {
    subnet: &'q str,
    traffic: Traffic,
    addr: u32,
    ports: AclPorts<'q>,
}

enum AclPorts<'q> {
    /// The endpoint's service ports (forward leg).
    Service(&'q [u16]),
    /// The ephemeral reply range (reply leg).
    Replies(PortRange),
}

impl AclQuestion<'_> {
    /// True when the subnet's compiled ACL passes every packet asked about.
    fn proven(&self, compiled: &Compiled) -> bool {
        compiled
            .subnet_acl(self.subnet)
            .is_some_and(|acl| match self.ports {
                AclPorts::Service(ports) => acl.allows_ports(self.traffic, self.addr, ports),
                AclPorts::Replies(range) => acl.allows(self.traffic, self.addr, range),
            })
    }

    /// The proven hop, or the exact one.
    fn hop(&self, compiled: &Compiled, kind: HopKind, exact: impl FnOnce() -> Hop) -> Hop {
        if self.proven(compiled) {
            Hop::proven(kind)
        } else {
            exact()
        }
    }
}

/// The workload subnet's ACL, outbound to the ENI.
pub(super) fn acl_out(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let question = AclQuestion {
        subnet: cx.workload.subnet_id,
        traffic: Traffic::Outbound,
        addr: u32::from(eni.ip),
        ports: AclPorts::Service(&cx.endpoint.ports),
    };
    question.hop(compiled, HopKind::AclOutbound, || {
        interface::acl_out(cx, eni)
    })
}

/// The ENI subnet's ACL, inbound from the workload.
pub(super) fn acl_in(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let question = AclQuestion {
        subnet: &eni.subnet_id,
        traffic: Traffic::Inbound,
        addr: u32::from(cx.workload.ip),
        ports: AclPorts::Service(&cx.endpoint.ports),
    };
    question.hop(compiled, HopKind::AclInbound, || interface::acl_in(cx, eni))
}

/// The ENI subnet's ACL, outbound replies to the workload.
pub(super) fn reply_out(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let question = AclQuestion {
        subnet: &eni.subnet_id,
        traffic: Traffic::Outbound,
        addr: u32::from(cx.workload.ip),
        ports: AclPorts::Replies(cx.params.ephemeral_ports),
    };
    question.hop(compiled, HopKind::AclReturnOutbound, || {
        interface::reply_out(cx, eni)
    })
}

/// The workload subnet's ACL, inbound replies from the ENI.
pub(super) fn reply_in(cx: &Ctx, compiled: &Compiled, eni: &EndpointEni) -> Hop {
    let question = AclQuestion {
        subnet: cx.workload.subnet_id,
        traffic: Traffic::Inbound,
        addr: u32::from(eni.ip),
        ports: AclPorts::Replies(cx.params.ephemeral_ports),
    };
    question.hop(compiled, HopKind::AclReturnInbound, || {
        interface::reply_in(cx, eni)
    })
}

/// The workload's groups, outbound to every CIDR of a gateway endpoint's prefix list. The
/// compiled rules count CIDR and prefix-list rules only, so they prove, never refuse.
pub(super) fn gateway_egress(cx: &Ctx, compiled: &Compiled, pl: &PrefixList) -> Hop {
    let ranges: Vec<AddrRange> = prefix_list::ipv4_ranges(pl).collect();
    let groups = compiled.group_set(&cx.workload.groups);
    let covered = cx
        .endpoint
        .ports
        .iter()
        .all(|&port| groups.covers(RuleDirection::Egress, &ranges, port));
    if covered {
        Hop::proven(HopKind::SecurityGroupEgress)
    } else {
        gateway::egress(cx, pl)
    }
}
