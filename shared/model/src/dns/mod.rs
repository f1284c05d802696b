//! DNS resolution (docs/spec.md section 10, facts D1-D10): what a name resolves to from a VPC,
//! in the order the Route 53 Resolver applies, from the snapshot's DNS data alone.
//!
//! The answer is an endpoint of the snapshot, in any VPC ("the name resolves to endpoint E"),
//! or why not; whether the workload can then reach E is the path code's question. Modules:
//! `scope` (the VPC's resolver, and the rules and zones associated with it), `zones` (records
//! inside the zone that answers), `names` (matching, wildcards, the names of a service).
//!
//! The decision is per (VPC, name): [`resolve`] and [`resolve_service`] read nothing but the
//! snapshot, so `check` and `check_exact` call them alike and agree by construction.

mod names;
mod scope;
pub(crate) mod verdict;
mod zones;

pub use names::NamesFrom;
pub use scope::Via;

use crate::snapshot::Snapshot;

use names::query_name;
use scope::{Candidate, Choice, Resolver};
use zones::{Lookup, Value};

/// How many names a CNAME or alias chain may visit before resolution gives up (D6).
const MAX_CHAIN: usize = 8;

/// What a name resolves to from a VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The endpoint's ENIs (by address, or through its own DNS name).
    Endpoint(String),
    /// A Resolver forwarding rule (`rslvr-rr-…`) sends the query out of Route 53 (D2): whatever
    /// answers there, it is no endpoint the snapshot can prove.
    Forwarded(String),
    /// The zone that answers (`Z…`, or the `vpce-…` of a private-DNS zone) has no record for
    /// the name: NXDOMAIN, no fall-through to public DNS (D4).
    NoRecord(String),
    /// A record of zone `Z…` points at something that is not an endpoint of the snapshot (a
    /// deleted endpoint, stale addresses): the zone, and what.
    Elsewhere(String, String),
    /// No rule or zone holds the name: public DNS, the service's public endpoint (D7).
    Public,
    /// The snapshot cannot say.
    Unproven(Gap),
}

/// Why a resolution cannot be proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The VPC has `enableDnsSupport` and/or `enableDnsHostnames` off (D1): named.
    DnsOff(String, Vec<&'static str>),
    /// The VPC's DHCP option set (`dopt-…`) names other DNS servers (D1).
    NotAmazonProvided(String, Vec<String>),
    /// The VPC's DHCP option set is absent from `describe-dhcp-options`.
    UnknownDhcp(String),
    /// The zone that answers has no `list-resource-record-sets` output.
    RecordsUnknown(String),
    /// The zone that answers is known only from `list-hosted-zones-by-vpc` (D9): it belongs to
    /// another account (zone, owning account), whose records the snapshot does not hold.
    NotReadable(String, String),
    /// Two zones of one domain are associated with the VPC: the snapshot cannot say which one
    /// answers.
    Ambiguous(Vec<String>),
    /// A CNAME or alias chain longer than the bound (or a loop).
    ChainTooLong,
    /// The private zones associated with the VPC are not listed in the snapshot (D9): the
    /// collection could not call `list-hosted-zones-by-vpc` for it.
    ZonesUnlisted(String),
}

impl Gap {
    /// For people: what is missing or why it cannot be decided.
    pub fn describe(&self) -> String {
        match self {
            Gap::DnsOff(vpc, off) => format!("{vpc} has {} off", off.join(" and ")),
            Gap::NotAmazonProvided(dopt, servers) => format!(
                "DHCP option set {dopt} sends DNS to {} instead of AmazonProvidedDNS",
                if servers.is_empty() {
                    "no server".to_string()
                } else {
                    servers.join(", ")
                }
            ),
            Gap::UnknownDhcp(dopt) => {
                format!(
                    "DHCP option set {dopt} is not in the snapshot's describe-dhcp-options output"
                )
            }
            Gap::RecordsUnknown(zone) => format!(
                "hosted zone {zone} has no list-resource-record-sets output in the snapshot"
            ),
            Gap::NotReadable(zone, account) => format!(
                "zone {zone} owned by account {account}: not readable, pass --assume-role for \
                 that account (AssumeRoleArns for the functions)"
            ),
            Gap::Ambiguous(zones) => format!(
                "zones of one name are associated with the VPC: {}",
                zones.join(", ")
            ),
            Gap::ChainTooLong => format!("a CNAME/alias chain longer than {MAX_CHAIN} names"),
            Gap::ZonesUnlisted(vpc) => format!(
                "the private hosted zones associated with {vpc} are not in the snapshot \
                 (list-hosted-zones-by-vpc was refused for it: a VPC another account shares, \
                 or a role without route53:ListHostedZonesByVPC)"
            ),
        }
    }
}

/// One name resolved from one VPC: the answer, and each step that led to it, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The name (normalised; a wildcard name of a service as Route 53 stores it).
    pub name: String,
    /// What answered, in order: the resolver, the rule or zone, the record, the chain.
    pub steps: Vec<String>,
    /// The answer.
    pub answer: Answer,
    /// The customer private hosted zone that answered the name itself (not a later name of a
    /// chain), if one did: the owner's statement of intent (R7).
    pub zone: Option<String>,
}

/// Resolves `name` from `vpc` (D1-D7). A wildcard name (`\052.s3.…`) is resolved as a name
/// under it.
pub fn resolve(snap: &Snapshot, vpc: &str, name: &str) -> Resolution {
    let name = crate::snapshot::dns::normalise_name(name);
    let mut steps = Vec::new();
    let mut zone = None;
    let answer = match scope::resolver(snap, vpc) {
        Resolver::Amazon => {
            let query = query_name(&name);
            zone = answering_zone(snap, vpc, &query);
            follow(snap, vpc, &query, &mut steps, 0)
        }
        Resolver::DnsOff(off) => Answer::Unproven(Gap::DnsOff(vpc.to_string(), off)),
        Resolver::Custom(dopt, servers) => Answer::Unproven(Gap::NotAmazonProvided(dopt, servers)),
        Resolver::UnknownDhcp(dopt) => Answer::Unproven(Gap::UnknownDhcp(dopt)),
        Resolver::ZonesUnlisted => Answer::Unproven(Gap::ZonesUnlisted(vpc.to_string())),
    };
    if let Answer::Unproven(gap) = &answer {
        if steps.is_empty() {
            steps.push(format!("{vpc}: {}", gap.describe()));
        }
    }
    Resolution {
        name,
        steps,
        answer,
        zone,
    }
}

/// D1 and D9 for the pairs of `vpc`: why its resolver cannot be proven to be Route 53's (a DHCP
/// option set with other servers, or one the snapshot lacks; the zones associated with the VPC
/// unlisted), when the snapshot has DNS data. The gap's component: the option set, or the VPC.
/// `enableDnsSupport`/`enableDnsHostnames` off is the VPC DNS hop's business, not this one's.
pub(crate) fn resolver_gap(snap: &Snapshot, vpc: &str) -> Option<(String, Gap)> {
    if snap.dns.is_empty() {
        return None;
    }
    match scope::resolver(snap, vpc) {
        Resolver::Custom(dopt, servers) => {
            Some((dopt.clone(), Gap::NotAmazonProvided(dopt, servers)))
        }
        Resolver::UnknownDhcp(dopt) => Some((dopt.clone(), Gap::UnknownDhcp(dopt))),
        Resolver::ZonesUnlisted => Some((vpc.to_string(), Gap::ZonesUnlisted(vpc.to_string()))),
        Resolver::Amazon | Resolver::DnsOff(_) => None,
    }
}

/// D1: whether `vpc`'s queries are proven to reach the Route 53 Resolver (its DNS attributes
/// on, its DHCP option set AmazonProvidedDNS or none).
pub(crate) fn amazon_resolver(snap: &Snapshot, vpc: &str) -> bool {
    scope::resolver(snap, vpc) == Resolver::Amazon
}

/// The customer private hosted zone that answers `name` from `vpc`, if one does (D2, D3).
fn answering_zone(snap: &Snapshot, vpc: &str, name: &str) -> Option<String> {
    let candidates = scope::candidates(snap, vpc, name);
    let zone = match scope::choose(&candidates).ok()? {
        Choice::Zone(z) | Choice::System(_, Some(z)) => z,
        _ => return None,
    };
    match zone {
        Candidate::Zone { id, .. } => Some(id.to_string()),
        _ => None,
    }
}

/// R7 and the private-DNS hop (docs/spec.md section 10): the customer private hosted zone
/// through which the main name of `ep`'s service resolves to `ep` from `vpc`, if any. Both
/// judges of `check` call this same function: the DNS decision is per (VPC, service), never
/// per pair, so `check` and `check_exact` agree on it by construction.
pub(crate) fn zone_serving(
    snap: &Snapshot,
    vpc: &str,
    ep: &crate::snapshot::VpcEndpoint,
) -> Option<String> {
    if snap.dns.is_empty() {
        return None;
    }
    let (svc_names, _) = names::service_names(snap, &ep.service_name);
    let main = svc_names.first()?;
    let r = resolve(snap, vpc, main);
    match (&r.answer, r.zone) {
        (Answer::Endpoint(e), Some(zone)) if *e == ep.vpc_endpoint_id => Some(zone),
        _ => None,
    }
}

/// Why what the main name of `ep`'s service resolves to from `vpc` cannot be proven, when a
/// zone's records are missing (an unreadable zone of another account, D9, or a snapshot
/// without them): the private-DNS hop is then unknown rather than blocked.
pub(crate) fn records_gap(
    snap: &Snapshot,
    vpc: &str,
    ep: &crate::snapshot::VpcEndpoint,
) -> Option<Gap> {
    if snap.dns.is_empty() {
        return None;
    }
    let (svc_names, _) = names::service_names(snap, &ep.service_name);
    match resolve(snap, vpc, svc_names.first()?).answer {
        Answer::Unproven(gap @ (Gap::NotReadable(..) | Gap::RecordsUnknown(_))) => Some(gap),
        _ => None,
    }
}

/// D2-D7 for one name of a chain (`depth` names visited before it).
fn follow(snap: &Snapshot, vpc: &str, name: &str, steps: &mut Vec<String>, depth: usize) -> Answer {
    if depth >= MAX_CHAIN {
        return Answer::Unproven(Gap::ChainTooLong);
    }
    let candidates = scope::candidates(snap, vpc, name);
    let choice = match scope::choose(&candidates) {
        Ok(choice) => choice,
        Err(tied) => {
            let ids = tied.iter().map(|c| label(c)).collect();
            return Answer::Unproven(Gap::Ambiguous(ids));
        }
    };
    match choice {
        Choice::None => public(snap, name, steps),
        Choice::Forward(rule) => {
            steps.push(format!("{name}: {}", describe(rule)));
            Answer::Forwarded(label(rule))
        }
        Choice::System(rule, zone) => {
            steps.push(format!(
                "{name}: {} (resolved by Route 53 Resolver)",
                describe(rule)
            ));
            match zone {
                Some(zone) => in_zone(snap, vpc, name, zone, steps, depth),
                None => public(snap, name, steps),
            }
        }
        Choice::Zone(zone) => in_zone(snap, vpc, name, zone, steps, depth),
    }
}

/// D7: no rule or zone: an endpoint's own DNS name resolves (publicly) to its ENIs; any other
/// name to the public service.
fn public(snap: &Snapshot, name: &str, steps: &mut Vec<String>) -> Answer {
    if let Some(ep) = zones::endpoint_by_dns_name(snap, name) {
        steps.push(format!("{name}: the endpoint-specific name of {ep}"));
        return Answer::Endpoint(ep.to_string());
    }
    steps.push(format!(
        "{name}: no Resolver rule or private zone: public DNS, no endpoint"
    ));
    Answer::Public
}

fn in_zone(
    snap: &Snapshot,
    vpc: &str,
    name: &str,
    zone: &Candidate,
    steps: &mut Vec<String>,
    depth: usize,
) -> Answer {
    steps.push(format!("{name}: {}", describe(zone)));
    let (id, zone_name) = match zone {
        Candidate::PrivateDns { endpoint, domain } => {
            return private_dns(snap, name, endpoint, domain, steps);
        }
        Candidate::Zone { id, name, .. } => (*id, *name),
        Candidate::Rule(..) => unreachable!("a rule is never the zone that answers"),
    };
    let (sets, matched) = match zones::lookup(snap, id, zone_name, name) {
        Lookup::Unknown => return Answer::Unproven(records_unknown(snap, id)),
        Lookup::NoRecord => {
            steps.push(format!(
                "  no A, AAAA or CNAME record for {name} in {id}: NXDOMAIN"
            ));
            return Answer::NoRecord(id.to_string());
        }
        Lookup::Records(sets, matched) => (sets, matched),
    };
    let values: Vec<Value> = sets.iter().flat_map(|s| zones::values(snap, s)).collect();
    let kind = &sets[0].record_type;
    let alias = if sets[0].alias_target.is_some() {
        " alias"
    } else {
        ""
    };
    steps.push(format!(
        "  record {matched} {kind}{alias} -> {}",
        show(&values)
    ));
    let mut answers: Vec<Answer> = Vec::new();
    for value in values {
        let answer = match value {
            Value::Endpoint(ep) => Answer::Endpoint(ep.to_string()),
            Value::Elsewhere(what) => Answer::Elsewhere(id.to_string(), what),
            Value::Name(next) => follow(snap, vpc, &next, steps, depth + 1),
        };
        if !answers.contains(&answer) {
            answers.push(answer);
        }
    }
    combine(id, answers)
}

/// Why a zone's records are unknown: another account's zone the caller cannot read (D9), or
/// a snapshot without its `list-resource-record-sets` output.
fn records_unknown(snap: &Snapshot, zone: &str) -> Gap {
    match snap.dns.zone_owners.get(zone) {
        Some(account) => Gap::NotReadable(zone.to_string(), account.clone()),
        None => Gap::RecordsUnknown(zone.to_string()),
    }
}

/// Several values: one endpoint if they all name it; the first problem otherwise (a client
/// may get any of the values, I7).
fn combine(zone: &str, answers: Vec<Answer>) -> Answer {
    if answers.len() == 1 {
        return answers.into_iter().next().expect("one answer");
    }
    if let Some(problem) = answers.iter().find(|a| !matches!(a, Answer::Endpoint(_))) {
        return problem.clone();
    }
    let eps: Vec<String> = answers
        .iter()
        .filter_map(|a| match a {
            Answer::Endpoint(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    Answer::Elsewhere(
        zone.to_string(),
        format!("several endpoints ({})", eps.join(", ")),
    )
}

/// D5: the zone AWS manages for an endpoint's private DNS answers its service's names.
fn private_dns(
    snap: &Snapshot,
    name: &str,
    endpoint: &str,
    domain: &str,
    steps: &mut Vec<String>,
) -> Answer {
    let service = snap
        .vpc_endpoints
        .get(endpoint)
        .map_or("", |e| e.service_name.as_str());
    let (svc_names, _) = names::service_names(snap, service);
    // A wildcard name serves every name below its domain, at any depth.
    let served = svc_names.iter().any(|n| {
        n == name
            || n.strip_prefix(names::WILDCARD).is_some_and(|rest| {
                let below = rest.trim_start_matches('.');
                name != below && names::within(name, below)
            })
    });
    if served {
        steps.push(format!("  private DNS of {endpoint} -> its ENIs"));
        Answer::Endpoint(endpoint.to_string())
    } else {
        steps.push(format!(
            "  {name} is not a name of {endpoint}'s service: NXDOMAIN in {domain}"
        ));
        Answer::NoRecord(endpoint.to_string())
    }
}

fn label(c: &Candidate) -> String {
    match c {
        Candidate::Rule(rule, _) => rule.id.clone(),
        Candidate::Zone { id, .. } => id.to_string(),
        Candidate::PrivateDns { endpoint, .. } => endpoint.to_string(),
    }
}

fn describe(c: &Candidate) -> String {
    match c {
        Candidate::Rule(rule, via) => format!(
            "Resolver rule {} ({} {}), {}",
            rule.id,
            rule.rule_type,
            rule.domain_name,
            via.describe()
        ),
        Candidate::Zone { id, name, via } => {
            format!("private hosted zone {id} ({name}), {}", via.describe())
        }
        Candidate::PrivateDns { domain, endpoint } => {
            format!("private DNS of {endpoint} ({domain}, a zone AWS manages)")
        }
    }
}

fn show(values: &[Value]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::Endpoint(ep) => ep.to_string(),
            Value::Name(n) => n.clone(),
            Value::Elsewhere(what) => what.clone(),
        })
        .collect();
    parts.join(", ")
}

/// Every name of one service resolved from one VPC (D8): the main name first, then the
/// extra ones (wildcards).
#[derive(Debug, Clone)]
pub struct ServiceResolution {
    /// The service (`com.amazonaws.<region>.ssm`).
    pub service: String,
    /// Where the names came from.
    pub names_from: NamesFrom,
    /// One resolution per name.
    pub names: Vec<Resolution>,
}

impl ServiceResolution {
    /// The endpoint every name resolves to, if they all resolve to one.
    pub fn endpoint(&self) -> Option<&str> {
        let mut eps = self.names.iter().map(|r| match &r.answer {
            Answer::Endpoint(e) => Some(e.as_str()),
            _ => None,
        });
        let first = eps.next()??;
        eps.all(|e| e == Some(first)).then_some(first)
    }
}

/// Resolves every name of `service` from `vpc`.
pub fn resolve_service(snap: &Snapshot, vpc: &str, service: &str) -> ServiceResolution {
    let (names, names_from) = names::service_names(snap, service);
    ServiceResolution {
        service: service.to_string(),
        names_from,
        names: names.iter().map(|n| resolve(snap, vpc, n)).collect(),
    }
}

/// The near misses of a service's main name among the snapshot's private zones (zone names
/// with the service labels in another order: `ecr.api…` for `api.ecr…`), with their ids.
pub fn near_miss_zones(snap: &Snapshot, service: &str) -> Vec<(String, String)> {
    let (svc_names, _) = names::service_names(snap, service);
    let Some(main) = svc_names.first() else {
        return Vec::new();
    };
    let zone_names = snap
        .dns
        .zones
        .values()
        .filter(|z| z.is_private())
        .map(|z| z.name.as_str());
    names::near_miss(main, zone_names)
        .into_iter()
        .filter_map(|n| {
            snap.dns
                .zones
                .values()
                .find(|z| z.name == n)
                .map(|z| (z.id.clone(), n.to_string()))
        })
        .collect()
}
