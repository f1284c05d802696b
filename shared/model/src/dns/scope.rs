//! What answers a VPC's DNS queries (docs/spec.md D1-D4): the VPC's resolver (enableDnsSupport,
//! its DHCP option set), and the Resolver rules and private hosted zones associated with it,
//! directly or through a Route 53 Profile, with the zones AWS manages for the private DNS of the
//! VPC's own interface endpoints.

use crate::snapshot::dns::{DnsCall, ResolverRule};
use crate::snapshot::Snapshot;

use super::names::{labels, within, WILDCARD};

/// How a zone or rule came to apply to a VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Associated with the VPC itself.
    Direct,
    /// Through the Route 53 Profile (`rp-…`) associated with the VPC.
    Profile(String),
}

impl Via {
    pub(crate) fn describe(&self) -> String {
        match self {
            Via::Direct => "associated with the VPC".into(),
            Via::Profile(p) => format!("associated through Route 53 Profile {p}"),
        }
    }
}

/// One domain that competes for a query (D2): a rule, a private hosted zone, or the zone AWS
/// manages for an endpoint's private DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Candidate<'s> {
    /// A Resolver rule.
    Rule(&'s ResolverRule, Via),
    /// A private hosted zone (bare id, normalised name).
    Zone {
        id: &'s str,
        name: &'s str,
        via: Via,
    },
    /// The private DNS of an interface endpoint of the VPC: its domain (the private DNS name,
    /// wildcard label dropped) and the endpoint.
    PrivateDns { domain: String, endpoint: &'s str },
}

impl Candidate<'_> {
    /// The domain the candidate answers for.
    pub(crate) fn domain(&self) -> &str {
        match self {
            Candidate::Rule(rule, _) => &rule.domain_name,
            Candidate::Zone { name, .. } => name,
            Candidate::PrivateDns { domain, .. } => domain,
        }
    }

    fn is_rule(&self) -> bool {
        matches!(self, Candidate::Rule(..))
    }
}

/// Whether a VPC's queries go to the Route 53 Resolver at all (D1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolver {
    /// AmazonProvidedDNS with DNS support on (or not said otherwise by the snapshot).
    Amazon,
    /// `enableDnsSupport` or `enableDnsHostnames` is off.
    DnsOff(Vec<&'static str>),
    /// The VPC's DHCP option set names other servers (`dopt-…`, the servers).
    Custom(String, Vec<String>),
    /// The VPC's DHCP option set is not in the snapshot's `describe-dhcp-options` output.
    UnknownDhcp(String),
    /// Amazon's resolver, but the private zones associated with the VPC are unknown: the
    /// snapshot lists them for other VPCs and not for this one (D9: the call was refused for it).
    ZonesUnlisted,
}

/// D1: the VPC's resolver, from its DNS attributes and DHCP option set; D9: with the private
/// zones associated with it known.
pub(crate) fn resolver(snap: &Snapshot, vpc: &str) -> Resolver {
    match dhcp_resolver(snap, vpc) {
        Resolver::Amazon if zones_unlisted(snap, vpc) => Resolver::ZonesUnlisted,
        other => other,
    }
}

/// D9: the snapshot holds `list-hosted-zones-by-vpc` outputs, but none for `vpc` (the collection
/// was refused it, e.g. for a VPC another account shares): a zone of another account may be
/// associated with it, so no name resolved from it can be proven.
fn zones_unlisted(snap: &Snapshot, vpc: &str) -> bool {
    snap.dns.has(DnsCall::ZonesByVpc) && !snap.dns.vpc_zones.contains_key(vpc)
}

/// D1: the VPC's resolver, from its DNS attributes and DHCP option set.
fn dhcp_resolver(snap: &Snapshot, vpc: &str) -> Resolver {
    let attrs = snap.vpc_dns.get(vpc).copied().unwrap_or_default();
    let off: Vec<&'static str> = [
        ("enableDnsSupport", attrs.enable_dns_support),
        ("enableDnsHostnames", attrs.enable_dns_hostnames),
    ]
    .into_iter()
    .filter(|(_, v)| *v == Some(false))
    .map(|(n, _)| n)
    .collect();
    if !off.is_empty() {
        return Resolver::DnsOff(off);
    }
    let Some(dopt) = snap
        .vpcs
        .get(vpc)
        .and_then(|v| v.dhcp_options_id.as_deref())
    else {
        return Resolver::Amazon;
    };
    // `default`: no option set, so instances use the Amazon-provided resolver.
    if dopt == "default" || !snap.dns.has(DnsCall::DhcpOptions) {
        return Resolver::Amazon;
    }
    let Some(set) = snap.dns.dhcp_options.get(dopt) else {
        return Resolver::UnknownDhcp(dopt.to_string());
    };
    let servers: Vec<String> = set
        .name_servers()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    if servers.len() == 1 && servers[0].eq_ignore_ascii_case("AmazonProvidedDNS") {
        Resolver::Amazon
    } else {
        Resolver::Custom(dopt.to_string(), servers)
    }
}

/// The Route 53 Profile associated with the VPC (at most one, AWS says).
fn profiles<'s>(snap: &'s Snapshot, vpc: &str) -> Vec<&'s str> {
    snap.dns
        .profile_associations
        .values()
        .filter(|a| a.resource_id == vpc && live(a.status.as_deref()))
        .map(|a| a.profile_id.as_str())
        .collect()
}

/// A status that still applies: absent, or not being deleted / failed.
fn live(status: Option<&str>) -> bool {
    !matches!(
        status.map(str::to_ascii_uppercase).as_deref(),
        Some("DELETING" | "DELETED" | "FAILED" | "DISASSOCIATING")
    )
}

/// The resource ids (zones, rules) of the VPC's Profiles, with the Profile.
fn profile_resources<'s>(snap: &'s Snapshot, vpc: &str) -> Vec<(&'s str, &'s str)> {
    let profiles = profiles(snap, vpc);
    snap.dns
        .profile_resources
        .values()
        .filter(|r| profiles.contains(&r.profile_id.as_str()) && live(r.status.as_deref()))
        .map(|r| (r.resource_id(), r.profile_id.as_str()))
        .collect()
}

/// Every rule, zone and private-DNS zone of the VPC whose domain holds `name`.
pub(crate) fn candidates<'s>(snap: &'s Snapshot, vpc: &str, name: &str) -> Vec<Candidate<'s>> {
    let mut out = Vec::new();
    let via_profile = profile_resources(snap, vpc);
    for assoc in snap.dns.rule_associations.values() {
        if assoc.vpc_id != vpc || !live(assoc.status.as_deref()) {
            continue;
        }
        if let Some(rule) = snap.dns.resolver_rules.get(&assoc.resolver_rule_id) {
            out.push(Candidate::Rule(rule, Via::Direct));
        }
    }
    for (id, profile) in &via_profile {
        if let Some(rule) = snap.dns.resolver_rules.get(*id) {
            out.push(Candidate::Rule(rule, Via::Profile(profile.to_string())));
        }
    }
    for (id, zone) in &snap.dns.zones {
        if !zone.is_private() {
            continue;
        }
        // D9: `list-hosted-zones-by-vpc` names the zones of other accounts associated with
        // the VPC, which `get-hosted-zone` in the caller's account cannot show.
        let direct = snap.dns.zone_vpcs.get(id).is_some_and(|v| v.contains(vpc))
            || snap.dns.vpc_zones.get(vpc).is_some_and(|z| z.contains(id));
        let via = if direct {
            Some(Via::Direct)
        } else {
            via_profile
                .iter()
                .find(|(r, _)| r == id)
                .map(|(_, p)| Via::Profile(p.to_string()))
        };
        if let Some(via) = via {
            out.push(Candidate::Zone {
                id,
                name: &zone.name,
                via,
            });
        }
    }
    out.extend(private_dns_zones(snap, vpc));
    out.retain(|c| within(name, c.domain()));
    out
}

/// D5: the zones AWS manages for the private DNS of the VPC's interface endpoints.
fn private_dns_zones<'s>(snap: &'s Snapshot, vpc: &str) -> Vec<Candidate<'s>> {
    let mut out = Vec::new();
    for ep in snap.vpc_endpoints.values() {
        if ep.vpc_id != vpc
            || ep.private_dns_enabled != Some(true)
            || !ep.vpc_endpoint_type.eq_ignore_ascii_case("interface")
            || matches!(ep.state.as_deref(), Some("deleted" | "deleting"))
        {
            continue;
        }
        let (names, _) = super::names::service_names(snap, &ep.service_name);
        for name in names {
            let domain = match name.strip_prefix(WILDCARD) {
                Some(rest) => rest.trim_start_matches('.').to_string(),
                None => name,
            };
            let candidate = Candidate::PrivateDns {
                domain,
                endpoint: &ep.vpc_endpoint_id,
            };
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// The candidate that answers (D2, D3): the most specific domain; on a tie a rule wins over a
/// zone. A `SYSTEM` or `RECURSIVE` rule sends the query back to the Resolver's own answers:
/// the most specific zone then answers, if any. `Err` when two zones of the same domain tie
/// (AWS refuses such associations; the snapshot cannot say which one answers).
pub(crate) fn choose<'c, 's>(
    candidates: &'c [Candidate<'s>],
) -> Result<Choice<'c, 's>, Vec<&'c Candidate<'s>>> {
    let Some(best) = pick(candidates.iter()) else {
        return Ok(Choice::None);
    };
    match best {
        Candidate::Rule(rule, _) if is_local(rule) => {
            let zones = pick(candidates.iter().filter(|c| !c.is_rule()));
            match zones {
                None => Ok(Choice::System(best, None)),
                Some(zone) => {
                    tie(candidates, zone)?;
                    Ok(Choice::System(best, Some(zone)))
                }
            }
        }
        Candidate::Rule(..) => Ok(Choice::Forward(best)),
        _ => {
            tie(candidates, best)?;
            Ok(Choice::Zone(best))
        }
    }
}

fn tie<'c, 's>(
    candidates: &'c [Candidate<'s>],
    zone: &'c Candidate<'s>,
) -> Result<(), Vec<&'c Candidate<'s>>> {
    let same: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !c.is_rule() && c.domain() == zone.domain())
        .collect();
    // One endpoint's private DNS may list one domain twice (name and wildcard): one zone.
    let distinct = same.iter().filter(|c| **c != zone).count();
    if distinct == 0 {
        Ok(())
    } else {
        Err(same)
    }
}

/// The most specific candidate; on equal specificity a rule first.
fn pick<'c, 's>(candidates: impl Iterator<Item = &'c Candidate<'s>>) -> Option<&'c Candidate<'s>>
where
    's: 'c,
{
    candidates.max_by_key(|c| (labels(c.domain()), c.is_rule()))
}

/// `SYSTEM` and `RECURSIVE` rules: the Resolver answers itself (D3).
fn is_local(rule: &ResolverRule) -> bool {
    matches!(
        rule.rule_type.to_ascii_uppercase().as_str(),
        "SYSTEM" | "RECURSIVE"
    )
}

/// What answers a query.
#[derive(Debug)]
pub(crate) enum Choice<'c, 's> {
    /// No rule or zone: public DNS (or an endpoint-specific name).
    None,
    /// A forwarding rule: the query leaves Route 53.
    Forward(&'c Candidate<'s>),
    /// A system or recursive rule, and the zone that then answers, if any.
    System(&'c Candidate<'s>, Option<&'c Candidate<'s>>),
    /// A private hosted zone or private-DNS zone.
    Zone(&'c Candidate<'s>),
}
