//! R6 with DNS (docs/spec.md section 10): a required service is satisfied, in a VPC with
//! workloads, by whatever its names resolve to from that VPC; when they resolve to no endpoint
//! of the service, one finding for the most specific known cause (a `DNS_*` code, replacing
//! `NO_ENDPOINT_FOR_SERVICE`), else `NO_ENDPOINT_FOR_SERVICE` with the DNS reason in its detail.
//!
//! Decided per (VPC, service) from the snapshot alone, after the pairs: `check` and
//! `check_exact` run this same code once, so they agree on it.

use crate::dns::{self, Answer, Gap, ServiceResolution};
use crate::endpoint::{Endpoint, EndpointKind};
use crate::finding::{Finding, FindingCode};
use crate::params::service_matches;
use crate::snapshot::Snapshot;

use super::{MissingData, Report};

/// What DNS says of one required service in one VPC.
pub(super) enum Outcome {
    /// Satisfied (an endpoint of the service answers), or left to the pair hops (a local
    /// endpoint whose private DNS or VPC attributes the hops judge): nothing to add.
    Done,
    /// A finding (replaces `NO_ENDPOINT_FOR_SERVICE`).
    Finding(Finding),
    /// No endpoint, and this is the DNS reason, for `NO_ENDPOINT_FOR_SERVICE`'s detail.
    NoEndpoint(String),
    /// DNS cannot decide (no DNS data, no full service name): as before issue 15.
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

/// Decides one required `service` for `vpc` (whose local endpoints are `local`).
pub(super) fn decide(
    snap: &Snapshot,
    vpc: &str,
    service: &str,
    local: &[&Endpoint],
    report: &mut Report,
) -> Outcome {
    if snap.dns.is_empty() {
        return Outcome::NotChecked;
    }
    let Some(full) = full_name(snap, service) else {
        return Outcome::NotChecked;
    };
    // Gateway endpoints take the traffic by route, whatever the name resolves to (G1).
    if local.iter().any(|e| e.kind == EndpointKind::Gateway) {
        return Outcome::Done;
    }
    let local_interface = local.iter().any(|e| e.kind == EndpointKind::Interface);
    let res = dns::resolve_service(snap, vpc, &full);
    if res.names.is_empty() {
        return Outcome::NotChecked;
    }
    if let Some(ep) = res.endpoint() {
        if serves(snap, ep, service) {
            return Outcome::Done;
        }
    }
    let Some(bad) = res.names.iter().find(|r| match &r.answer {
        Answer::Endpoint(e) => !serves(snap, e, service),
        _ => true,
    }) else {
        // Every name resolves to an endpoint of the service, but not all to the same one.
        return Outcome::Done;
    };
    let say = |code, component: &str, problem: String, fix: String| {
        Outcome::Finding(finding(code, component, vpc, problem, fix))
    };
    let name = bad.name.as_str();
    match &bad.answer {
        Answer::Endpoint(e) => say(
            FindingCode::DnsRecordMismatch,
            bad.zone.as_deref().unwrap_or(e),
            format!("{name} resolves from {vpc} to {e}, which is not an available endpoint of {service}"),
            format!("point the record for {name} at an available {service} endpoint"),
        ),
        Answer::Forwarded(rule) => say(
            FindingCode::DnsForwardedElsewhere,
            rule,
            format!("Resolver rule {rule} forwards {name} out of Route 53 for {vpc}: it resolves to no endpoint"),
            format!("add a SYSTEM rule for {name} (or disassociate {rule} from {vpc})"),
        ),
        Answer::NoRecord(zone) => say(
            FindingCode::DnsRecordMissing,
            zone,
            format!("{zone} answers {name} for {vpc} but has no record for it (NXDOMAIN)"),
            format!("add an alias record for {name} to the {service} endpoint in {zone}"),
        ),
        Answer::Elsewhere(zone, what) => say(
            FindingCode::DnsRecordMismatch,
            zone,
            format!("{zone} resolves {name} for {vpc} to {what}, not an endpoint of {service}"),
            format!("point the record for {name} in {zone} at an available {service} endpoint"),
        ),
        Answer::Unproven(Gap::NotAmazonProvided(dopt, servers)) => {
            unproven(vpc, service, &Gap::NotAmazonProvided(dopt.clone(), servers.clone()), report);
            say(
                FindingCode::DnsNotAmazonProvided,
                dopt,
                format!(
                    "{vpc} uses DHCP option set {dopt} (DNS {}): private zones and private DNS are not proven to answer",
                    if servers.is_empty() { "none".to_string() } else { servers.join(", ") }
                ),
                format!(
                    "check that {} forward {name} to the VPC resolver, or use AmazonProvidedDNS in {dopt}",
                    if servers.is_empty() { "the servers".to_string() } else { servers.join(", ") }
                ),
            )
        }
        Answer::Unproven(Gap::DnsOff(..)) if local_interface => Outcome::Done,
        Answer::Unproven(Gap::DnsOff(_, off)) => say(
            FindingCode::VpcDnsDisabled,
            vpc,
            format!("{vpc} has {} off, so no private zone answers {name}", off.join(" and ")),
            format!("turn on {} for {vpc} (aws ec2 modify-vpc-attribute)", off.join(" and ")),
        ),
        Answer::Unproven(gap) => {
            unproven(vpc, service, gap, report);
            Outcome::Done
        }
        // Private DNS off on a local endpoint: the pair hops report it.
        Answer::Public if local_interface => Outcome::Done,
        Answer::Public => public(snap, vpc, service, &res, name),
    }
}

/// The name resolves publicly: a zone that would answer it elsewhere is not associated, or
/// there is no zone at all (with the near misses named).
fn public(
    snap: &Snapshot,
    vpc: &str,
    service: &str,
    res: &ServiceResolution,
    name: &str,
) -> Outcome {
    for (zone, vpcs) in &snap.dns.zone_vpcs {
        let elsewhere = vpcs.iter().find(|v| {
            let r = dns::resolve(snap, v, name);
            r.zone.as_deref() == Some(zone.as_str())
                && matches!(&r.answer, Answer::Endpoint(e) if serves(snap, e, service))
        });
        if let Some(other) = elsewhere {
            let problem = format!(
                "private hosted zone {zone} answers {name} with a {service} endpoint (from {other}) but is not associated with {vpc}"
            );
            let fix =
                format!("associate {zone} with {vpc} (aws route53 associate-vpc-with-hosted-zone)");
            return Outcome::Finding(finding(
                FindingCode::DnsZoneNotAssociated,
                zone,
                vpc,
                problem,
                fix,
            ));
        }
    }
    let misses = dns::near_miss_zones(snap, &res.service);
    if misses.is_empty() {
        Outcome::NoEndpoint(format!(
            "{name} resolves publicly from {vpc}: no private zone for it"
        ))
    } else {
        let named: Vec<String> = misses.iter().map(|(id, n)| format!("{id} ({n})")).collect();
        Outcome::NoEndpoint(format!(
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

fn unproven(vpc: &str, service: &str, gap: &Gap, report: &mut Report) {
    report.missing.insert(MissingData {
        resource: vpc.to_string(),
        what: format!("what {service} resolves to from {vpc}: {}", gap.describe()),
    });
}

fn finding(code: FindingCode, component: &str, vpc: &str, problem: String, fix: String) -> Finding {
    let _ = vpc;
    Finding {
        code,
        component: component.into(),
        direction: None,
        source: None,
        endpoint: None,
        detail: format!("{problem}. Fix: {fix}"),
        account: None,
        problem: problem.into(),
        fix: fix.into(),
        traffic: "".into(),
    }
}
