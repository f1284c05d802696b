//! R6 with DNS (docs/spec.md section 10): what one required service's names resolve to from
//! one VPC, as a verdict: served, or the most specific known cause why not (a `DNS_*` code and
//! the component to blame, else the reason `NO_ENDPOINT_FOR_SERVICE` quotes).
//!
//! One decision per (VPC, service), from the snapshot alone. Two callers word it: the VPC's
//! finding (`check::dns`) and the DNS hop of a pair whose workload is in another VPC than the
//! endpoint (`path::hops`, D10). Both read this same answer, so the pair and the VPC never
//! disagree about which component blocks.

use crate::finding::FindingCode;
use crate::params::service_matches;
use crate::snapshot::Snapshot;

use super::{near_miss_zones, resolve, resolve_service, Answer, Gap, ServiceResolution};

/// What the VPC has of its own for the service (its local endpoints, by kind).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Local {
    /// A gateway endpoint: it takes the traffic by route, whatever the name resolves to (G1).
    pub(crate) gateway: bool,
    /// An interface endpoint: its own hops judge its private DNS and the VPC's attributes.
    pub(crate) interface: bool,
}

/// A component to blame, and the texts of the finding (or of the blocking hop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blame {
    pub(crate) code: FindingCode,
    /// A zone (bare id), a Resolver rule, a DHCP option set, an endpoint or the VPC.
    pub(crate) component: String,
    pub(crate) problem: String,
    pub(crate) fix: String,
}

/// The verdict on one required service in one VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cause {
    /// Every name resolves to an available endpoint of the service: this one (`Some`) when
    /// they all resolve to the same one.
    Served(Option<String>),
    /// The VPC has an endpoint of its own for the service, whose own hops judge its DNS (a
    /// gateway endpoint, or private DNS off / DNS attributes off on an interface one).
    Local,
    /// Blocked by this component.
    Blocked(Blame),
    /// The VPC's DHCP option set sends queries elsewhere (D1): blamed, and unproven too.
    NotAmazonProvided(Blame, Gap),
    /// The snapshot cannot say (an unreadable zone, D9; a missing output; a tie).
    Unproven(Gap),
    /// No endpoint and no DNS code applies: the reason, for `NO_ENDPOINT_FOR_SERVICE`'s detail.
    NoEndpoint(String),
    /// Not decided: no DNS data, or no full service name.
    NotChecked,
}

/// The full service name of a `RequiredServices` entry: as given, or with the region of the
/// snapshot's endpoints (`ssm` → `com.amazonaws.<region>.ssm`).
fn full_name(snap: &Snapshot, service: &str) -> Option<String> {
    if service.starts_with("com.amazonaws.") || service.starts_with("cn.com.amazonaws.") {
        return Some(service.to_string());
    }
    let region = snap.vpc_endpoints.values().find_map(|ep| {
        let rest = ep.service_name.strip_prefix("com.amazonaws.")?;
        let (region, _) = rest.split_once('.')?;
        (region != "vpce").then_some(region)
    })?;
    Some(format!("com.amazonaws.{region}.{service}"))
}

/// Decides the required `service` (a `RequiredServices` entry) for `vpc`.
pub(crate) fn required_service(snap: &Snapshot, vpc: &str, service: &str, local: Local) -> Cause {
    if snap.dns.is_empty() {
        return Cause::NotChecked;
    }
    let Some(full) = full_name(snap, service) else {
        return Cause::NotChecked;
    };
    if local.gateway {
        return Cause::Local;
    }
    let res = resolve_service(snap, vpc, &full);
    if res.names.is_empty() {
        return Cause::NotChecked;
    }
    if let Some(ep) = res.endpoint() {
        if serves(snap, ep, service) {
            return Cause::Served(Some(ep.to_string()));
        }
    }
    let Some(bad) = res.names.iter().find(|r| match &r.answer {
        Answer::Endpoint(e) => !serves(snap, e, service),
        _ => true,
    }) else {
        // Every name resolves to an endpoint of the service, but not all to the same one.
        return Cause::Served(None);
    };
    let blame = |code, component: &str, problem: String, fix: String| {
        Cause::Blocked(Blame {
            code,
            component: component.to_string(),
            problem,
            fix,
        })
    };
    let name = bad.name.as_str();
    match &bad.answer {
        Answer::Endpoint(e) => blame(
            FindingCode::DnsRecordMismatch,
            bad.zone.as_deref().unwrap_or(e),
            format!("{name} resolves from {vpc} to {e}, which is not an available endpoint of {service}"),
            format!("point the record for {name} at an available {service} endpoint"),
        ),
        Answer::Forwarded(rule) => blame(
            FindingCode::DnsForwardedElsewhere,
            rule,
            format!("Resolver rule {rule} forwards {name} out of Route 53 for {vpc}: it resolves to no endpoint"),
            format!("add a SYSTEM rule for {name} (or disassociate {rule} from {vpc})"),
        ),
        Answer::NoRecord(zone) => blame(
            FindingCode::DnsRecordMissing,
            zone,
            format!("{zone} answers {name} for {vpc} but has no record for it (NXDOMAIN)"),
            format!("add an alias record for {name} to the {service} endpoint in {zone}"),
        ),
        Answer::Elsewhere(zone, what) => blame(
            FindingCode::DnsRecordMismatch,
            zone,
            format!("{zone} resolves {name} for {vpc} to {what}, not an endpoint of {service}"),
            format!("point the record for {name} in {zone} at an available {service} endpoint"),
        ),
        Answer::Unproven(gap @ Gap::NotAmazonProvided(dopt, servers)) => {
            let servers = if servers.is_empty() {
                None
            } else {
                Some(servers.join(", "))
            };
            Cause::NotAmazonProvided(
                Blame {
                    code: FindingCode::DnsNotAmazonProvided,
                    component: dopt.clone(),
                    problem: format!(
                        "{vpc} uses DHCP option set {dopt} (DNS {}): private zones and private DNS are not proven to answer",
                        servers.as_deref().unwrap_or("none")
                    ),
                    fix: format!(
                        "check that {} forward {name} to the VPC resolver, or use AmazonProvidedDNS in {dopt}",
                        servers.as_deref().unwrap_or("the servers")
                    ),
                },
                gap.clone(),
            )
        }
        Answer::Unproven(Gap::DnsOff(..)) if local.interface => Cause::Local,
        Answer::Unproven(Gap::DnsOff(_, off)) => blame(
            FindingCode::VpcDnsDisabled,
            vpc,
            format!("{vpc} has {} off, so no private zone answers {name}", off.join(" and ")),
            format!("turn on {} for {vpc} (aws ec2 modify-vpc-attribute)", off.join(" and ")),
        ),
        Answer::Unproven(gap) => Cause::Unproven(gap.clone()),
        // Private DNS off on a local endpoint: the pair hops report it.
        Answer::Public if local.interface => Cause::Local,
        Answer::Public => public(snap, vpc, service, &res, name),
    }
}

/// The name resolves publicly: a zone that would answer it elsewhere is not associated, or
/// there is no zone at all (with the near misses named).
fn public(snap: &Snapshot, vpc: &str, service: &str, res: &ServiceResolution, name: &str) -> Cause {
    for (zone, vpcs) in &snap.dns.zone_vpcs {
        let elsewhere = vpcs.iter().find(|v| {
            let r = resolve(snap, v, name);
            r.zone.as_deref() == Some(zone.as_str())
                && matches!(&r.answer, Answer::Endpoint(e) if serves(snap, e, service))
        });
        if let Some(other) = elsewhere {
            return Cause::Blocked(Blame {
                code: FindingCode::DnsZoneNotAssociated,
                component: zone.clone(),
                problem: format!(
                    "private hosted zone {zone} answers {name} with a {service} endpoint (from {other}) but is not associated with {vpc}"
                ),
                fix: format!(
                    "associate {zone} with {vpc} (aws route53 associate-vpc-with-hosted-zone)"
                ),
            });
        }
    }
    let misses = near_miss_zones(snap, &res.service);
    if misses.is_empty() {
        Cause::NoEndpoint(format!(
            "{name} resolves publicly from {vpc}: no private zone for it"
        ))
    } else {
        let named: Vec<String> = misses.iter().map(|(id, n)| format!("{id} ({n})")).collect();
        Cause::NoEndpoint(format!(
            "{name} resolves publicly from {vpc}; near miss: zone {} is named with the wrong form of the name",
            named.join(", ")
        ))
    }
}

/// True when `ep` is an available endpoint of `service`.
fn serves(snap: &Snapshot, ep: &str, service: &str) -> bool {
    snap.vpc_endpoints.get(ep).is_some_and(|e| {
        service_matches(service, &e.service_name)
            && e.state.as_deref().is_none_or(|s| s == "available")
    })
}
