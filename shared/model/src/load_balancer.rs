//! Network Load Balancers behind endpoint services (issue 16, docs/spec.md section 11): an
//! NLB's nodes (its ENIs), its listeners, their target groups and the registered targets,
//! resolved from the snapshot, with what the snapshot lacks said as missing data.
//!
//! The pair checks of the provider side are `check::provider`'s; this module only resolves.

use std::net::Ipv4Addr;

use crate::snapshot::elb::{attribute, LoadBalancer, TargetGroup, TargetHealthDescription};
use crate::snapshot::{NetworkInterface, Snapshot};

/// The attribute that turns cross-zone load balancing on or off (NLB, then target group).
const CROSS_ZONE: &str = "load_balancing.cross_zone.enabled";

/// One node of an NLB: its ENI in one enabled Availability Zone (docs/spec.md N1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NlbNode<'a> {
    /// `eni-…`.
    pub eni: &'a str,
    /// The node's private IPv4 address: what targets see as the source (N2).
    pub ip: Ipv4Addr,
    /// The node's subnet.
    pub subnet_id: &'a str,
    /// The node's Availability Zone, when the snapshot says it.
    pub zone: Option<&'a str>,
}

/// An NLB resolved: its record, its nodes and its groups.
#[derive(Debug, Clone)]
pub(crate) struct Nlb<'a> {
    /// The `describe-load-balancers` record.
    pub raw: &'a LoadBalancer,
    /// One node per enabled zone the snapshot holds an ENI for.
    pub nodes: Vec<NlbNode<'a>>,
    /// The enabled zones (names; subnets when a zone has no name).
    pub zones: Vec<&'a str>,
}

impl<'a> Nlb<'a> {
    /// Resolves the NLB `arn`; `Err` says what the snapshot lacks.
    pub(crate) fn resolve(snap: &'a Snapshot, arn: &str) -> Result<Nlb<'a>, String> {
        let Some(raw) = snap.elb.load_balancers.get(arn) else {
            return Err(format!(
                "load balancer {arn} is not in the snapshot's elbv2 describe-load-balancers output"
            ));
        };
        let zones: Vec<&str> = raw
            .availability_zones
            .iter()
            .filter_map(|z| z.zone_name.as_deref().or(z.subnet_id.as_deref()))
            .collect();
        let nodes = nodes(snap, raw);
        if nodes.is_empty() {
            return Err(format!(
                "no ENI of {arn} (interface type network_load_balancer, description `ELB {}`) \
                 in the snapshot's describe-network-interfaces output: the NLB's private IPs \
                 are unknown",
                arn_tail(arn)
            ));
        }
        Ok(Nlb { raw, nodes, zones })
    }

    /// The load balancer's ARN.
    pub(crate) fn arn(&self) -> &'a str {
        &self.raw.load_balancer_arn
    }

    /// The NLB's own security groups (an NLB may have none: then it filters nothing, N4).
    pub(crate) fn groups(&self) -> &'a [String] {
        &self.raw.security_groups
    }

    /// True when the zone is enabled for the NLB.
    pub(crate) fn has_zone(&self, zone: &str) -> bool {
        self.zones.contains(&zone)
    }

    /// Whether cross-zone load balancing is on for traffic to `tg` (N6): the target group's
    /// attribute, unless it defers to the NLB's; `None` when the snapshot lacks the attribute
    /// that decides.
    pub(crate) fn cross_zone(&self, snap: &Snapshot, tg: &TargetGroup) -> Option<bool> {
        let elb = &snap.elb;
        match elb
            .tg_attributes
            .get(&tg.target_group_arn)
            .and_then(|a| attribute(a, CROSS_ZONE))
        {
            Some("true") => return Some(true),
            Some("false") => return Some(false),
            _ => {}
        }
        let lb = elb.lb_attributes.get(self.arn())?;
        // The NLB default is off when the attribute is absent from a full attribute list.
        Some(attribute(lb, CROSS_ZONE) == Some("true"))
    }
}

/// `net/<name>/<id>`: the tail of an NLB's ARN, which its ENIs' description repeats.
pub(crate) fn arn_tail(arn: &str) -> &str {
    arn.split_once(":loadbalancer/").map_or(arn, |(_, t)| t)
}

/// The NLB's ENIs: interface type `network_load_balancer`, description `ELB <arn tail>`.
fn nodes<'a>(snap: &'a Snapshot, raw: &'a LoadBalancer) -> Vec<NlbNode<'a>> {
    let description = format!("ELB {}", arn_tail(&raw.load_balancer_arn));
    let mut out: Vec<NlbNode> = snap
        .network_interfaces
        .values()
        .filter(|e| e.interface_type.as_deref() == Some("network_load_balancer"))
        .filter(|e| e.description.as_deref() == Some(description.as_str()))
        .filter_map(|e| {
            let ip = snap.primary_ip(e)?;
            let zone = raw
                .availability_zones
                .iter()
                .find(|z| z.subnet_id.as_deref() == Some(e.subnet_id.as_str()))
                .and_then(|z| z.zone_name.as_deref())
                .or_else(|| subnet_zone(snap, &e.subnet_id));
            Some(NlbNode {
                eni: &e.network_interface_id,
                ip,
                subnet_id: &e.subnet_id,
                zone,
            })
        })
        .collect();
    out.sort_by_key(|n| (n.zone, n.ip));
    out
}

/// A subnet's Availability Zone.
pub(crate) fn subnet_zone<'a>(snap: &'a Snapshot, subnet_id: &str) -> Option<&'a str> {
    snap.subnets
        .get(subnet_id)
        .and_then(|s| s.availability_zone.as_deref())
}

/// A registered target's health, as `describe-target-health` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// `healthy`.
    Healthy,
    /// Anything else (`unhealthy`, `initial`, `unused`, `draining`, …), or no health given.
    NotHealthy,
}

/// A registered target resolved to the ENI that receives its traffic.
#[derive(Debug, Clone)]
pub(crate) struct Registered<'a> {
    /// The instance id or IP address registered.
    pub id: &'a str,
    /// The port traffic goes to.
    pub port: u16,
    /// The port health checks go to; `None` when health checks are off.
    pub health_port: Option<u16>,
    /// The ENI and its address.
    pub eni: &'a NetworkInterface,
    /// The address traffic goes to.
    pub ip: Ipv4Addr,
    /// The target's zone, when known.
    pub zone: Option<&'a str>,
    /// Its health.
    pub health: Health,
    /// `healthy`, `unhealthy (Target.FailedHealthChecks)`, …, for people.
    pub health_text: String,
}

/// The targets of a target group, resolved; each target the snapshot cannot place is a
/// missing-data text in the second list.
pub(crate) fn targets<'a>(
    snap: &'a Snapshot,
    tg: &'a TargetGroup,
) -> Result<(Vec<Registered<'a>>, Vec<String>), String> {
    let arn = &tg.target_group_arn;
    let Some(described) = snap.elb.target_health.get(arn) else {
        return Err(format!(
            "the registered targets of {arn} are unknown (no LoadBalancerTargetHealth element \
             for it: elbv2 describe-target-health, wrapped)"
        ));
    };
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for d in described {
        match resolve_target(snap, tg, d) {
            Ok(r) => out.push(r),
            Err(why) => missing.push(why),
        }
    }
    Ok((out, missing))
}

fn resolve_target<'a>(
    snap: &'a Snapshot,
    tg: &'a TargetGroup,
    d: &'a TargetHealthDescription,
) -> Result<Registered<'a>, String> {
    let arn = &tg.target_group_arn;
    let id = d.target.id.as_str();
    let Some(port) = d.target.port.or(tg.port) else {
        return Err(format!("target {id} of {arn} has no port"));
    };
    let kind = tg.target_type.as_deref().unwrap_or("instance");
    let eni = match kind {
        "instance" => primary_eni(snap, id).ok_or_else(|| {
            format!(
                "instance {id} (a target of {arn}) has no primary ENI (device index 0) in the \
                 snapshot's describe-network-interfaces output"
            )
        })?,
        "ip" => eni_holding(snap, id).ok_or_else(|| {
            format!(
                "no ENI of the snapshot holds {id} (an ip target of {arn}): the target is \
                 outside the snapshot"
            )
        })?,
        other => {
            return Err(format!(
                "target {id} of {arn} is of type `{other}`: not modelled"
            ))
        }
    };
    let ip = match kind {
        "ip" => id
            .parse()
            .map_err(|_| format!("{id}: not an IPv4 address"))?,
        _ => snap
            .primary_ip(eni)
            .ok_or_else(|| format!("{} has no private IPv4 address", eni.network_interface_id))?,
    };
    let health_port = health_port(tg, d, port);
    let state = d.target_health.as_ref().and_then(|h| h.state.as_deref());
    let health = match state {
        Some("healthy") => Health::Healthy,
        _ => Health::NotHealthy,
    };
    let reason = d.target_health.as_ref().and_then(|h| h.reason.as_deref());
    let health_text = match (state, reason) {
        (Some(s), Some(r)) => format!("{s} ({r})"),
        (Some(s), None) => s.to_string(),
        (None, _) => "health unknown".to_string(),
    };
    let zone = subnet_zone(snap, &eni.subnet_id).or(d.target.availability_zone.as_deref());
    Ok(Registered {
        id,
        port,
        health_port,
        eni,
        ip,
        zone,
        health,
        health_text,
    })
}

/// The health-check port: the target's own, else the group's (`traffic-port`: the target's
/// port); `None` when health checks are off.
fn health_port(tg: &TargetGroup, d: &TargetHealthDescription, port: u16) -> Option<u16> {
    if tg.health_check_enabled == Some(false) {
        return None;
    }
    let given = d
        .health_check_port
        .as_deref()
        .or(tg.health_check_port.as_deref());
    match given {
        None | Some("traffic-port") => Some(port),
        Some(p) => p.parse().ok().or(Some(port)),
    }
}

/// An instance's primary ENI (device index 0).
fn primary_eni<'a>(snap: &'a Snapshot, instance: &str) -> Option<&'a NetworkInterface> {
    snap.network_interfaces.values().find(|e| {
        e.attachment.as_ref().is_some_and(|a| {
            a.instance_id.as_deref() == Some(instance) && a.device_index.unwrap_or(0) == 0
        })
    })
}

/// The ENI holding a private address.
fn eni_holding<'a>(snap: &'a Snapshot, ip: &str) -> Option<&'a NetworkInterface> {
    let ip: Ipv4Addr = ip.parse().ok()?;
    snap.network_interfaces.values().find(|e| {
        e.private_ip_address == Some(ip)
            || e.private_ip_addresses
                .iter()
                .any(|a| a.private_ip_address == ip)
    })
}

/// True when a listener protocol carries TCP (the model checks TCP only: docs/spec.md N3).
pub(crate) fn carries_tcp(protocol: Option<&str>) -> bool {
    matches!(
        protocol.map(str::to_ascii_uppercase).as_deref(),
        None | Some("TCP" | "TLS" | "TCP_UDP")
    )
}

/// The ports a consumer's interface endpoint of `service_name` is checked on when the service
/// is hosted in the snapshot: its NLBs' TCP, TLS and TCP_UDP listener ports (N8). `None`
/// when the service is not hosted here or no listener of it is known.
pub(crate) fn listener_ports(snap: &Snapshot, service_name: &str) -> Option<Vec<u16>> {
    let service = snap.elb.service_by_name(service_name)?;
    let mut ports: Vec<u16> = service
        .network_load_balancer_arns
        .iter()
        .flat_map(|arn| snap.elb.listeners_of(arn))
        .filter(|l| carries_tcp(l.protocol.as_deref()))
        .filter_map(|l| l.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    (!ports.is_empty()).then_some(ports)
}

/// True when `vpc` holds a Network Load Balancer of an endpoint service that `service` (a
/// `RequiredServices` name) designates: its workloads reach it without an endpoint (N9).
pub(crate) fn hosted_in(snap: &Snapshot, vpc: &str, service: &str) -> bool {
    let elb = &snap.elb;
    elb.services.values().any(|s| {
        s.service_name
            .as_deref()
            .is_some_and(|name| crate::params::service_matches(service, name))
            && s.network_load_balancer_arns.iter().any(|arn| {
                elb.load_balancers
                    .get(arn)
                    .is_some_and(|lb| lb.vpc_id.as_deref() == Some(vpc))
            })
    })
}
