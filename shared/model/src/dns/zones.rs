//! Inside the zone that answers (docs/spec.md D4-D6): which record answers a name (exact, else
//! the closest wildcard; none is NXDOMAIN, never a fall-through to public DNS), and what its
//! values name: endpoint ENI addresses, an endpoint's own DNS name, or another name to follow.

use std::net::IpAddr;

use crate::snapshot::dns::RecordSet;
use crate::snapshot::{Snapshot, VpcEndpoint};

use super::names::{parent, within, WILDCARD};

/// The records that answer a name in one zone.
pub(crate) enum Lookup<'s> {
    /// The snapshot has no `list-resource-record-sets` output for the zone.
    Unknown,
    /// No record of a usable type: NXDOMAIN (or NODATA).
    NoRecord,
    /// The record sets (one name, one type; several for weighted or other routing policies),
    /// and the record name that matched (a wildcard name when no exact one exists).
    Records(Vec<&'s RecordSet>, &'s str),
}

/// D4: the records of zone `zone` (named `zone_name`) that answer `name`.
pub(crate) fn lookup<'s>(
    snap: &'s Snapshot,
    zone: &str,
    zone_name: &str,
    name: &str,
) -> Lookup<'s> {
    let Some(records) = snap.dns.records.get(zone) else {
        return Lookup::Unknown;
    };
    if let Some(found) = answering(records, name) {
        return found;
    }
    // The closest enclosing wildcard, up to the zone's apex.
    let mut anc = parent(name);
    while let Some(a) = anc {
        if !within(a, zone_name) {
            break;
        }
        let wildcard = if a == "." {
            format!("{WILDCARD}.")
        } else {
            format!("{WILDCARD}.{a}")
        };
        if let Some(found) = answering(records, &wildcard) {
            return found;
        }
        // A name that exists stops the wildcard search (it is not synthesised past it).
        if records.iter().any(|r| r.name == a) && a != zone_name {
            break;
        }
        anc = parent(a);
    }
    Lookup::NoRecord
}

/// The sets of `name` that answer an address query: CNAME first, else A/AAAA (alias or not).
fn answering<'s>(records: &'s [RecordSet], name: &str) -> Option<Lookup<'s>> {
    let named: Vec<&RecordSet> = records.iter().filter(|r| r.name == name).collect();
    if named.is_empty() {
        return None;
    }
    let of = |t: &[&str]| -> Vec<&RecordSet> {
        named
            .iter()
            .copied()
            .filter(|r| t.contains(&r.record_type.as_str()))
            .collect()
    };
    let cname = of(&["CNAME"]);
    let sets = if cname.is_empty() {
        of(&["A", "AAAA"])
    } else {
        cname
    };
    let matched = named[0].name.as_str();
    Some(if sets.is_empty() {
        Lookup::NoRecord
    } else {
        Lookup::Records(sets, matched)
    })
}

/// What one record value points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value<'s> {
    /// An endpoint of the snapshot (its ENI address, or one of its DNS names).
    Endpoint(&'s str),
    /// A name to resolve in turn (CNAME, or an alias to another record).
    Name(String),
    /// Something that is not an endpoint of the snapshot: the text says what.
    Elsewhere(String),
}

/// The values of one record set.
pub(crate) fn values<'s>(snap: &'s Snapshot, set: &RecordSet) -> Vec<Value<'s>> {
    if let Some(alias) = &set.alias_target {
        return vec![alias_value(snap, &alias.dns_name)];
    }
    set.resource_records
        .iter()
        .map(|r| {
            if set.record_type == "CNAME" {
                let target = crate::snapshot::dns::normalise_name(&r.value);
                match endpoint_by_dns_name(snap, &target) {
                    Some(ep) => Value::Endpoint(ep),
                    None => Value::Name(target),
                }
            } else {
                address_value(snap, r.value.trim())
            }
        })
        .collect()
}

/// D6: an alias names an endpoint's regional or zonal DNS name; else it is followed as a name.
fn alias_value<'s>(snap: &'s Snapshot, target: &str) -> Value<'s> {
    if let Some(ep) = endpoint_by_dns_name(snap, target) {
        return Value::Endpoint(ep);
    }
    if is_endpoint_specific(target) {
        let id = vpce_id(target).unwrap_or("an endpoint");
        return Value::Elsewhere(format!(
            "{target} ({id}, not an endpoint of the snapshot: deleted?)"
        ));
    }
    Value::Name(target.to_string())
}

/// An address: the endpoint whose ENI holds it, or elsewhere (a stale or foreign address).
fn address_value<'s>(snap: &'s Snapshot, value: &str) -> Value<'s> {
    let Ok(ip) = value.parse::<IpAddr>() else {
        return Value::Elsewhere(format!("{value} (not an address)"));
    };
    let eni = snap.network_interfaces.values().find(|eni| {
        let IpAddr::V4(v4) = ip else { return false };
        eni.private_ip_address == Some(v4)
            || eni
                .private_ip_addresses
                .iter()
                .any(|a| a.private_ip_address == v4)
    });
    let endpoint = eni.and_then(|e| snap.index.eni_endpoint.get(&e.network_interface_id));
    match (eni, endpoint) {
        (_, Some(ep)) => match snap.vpc_endpoints.get(ep) {
            Some(ep) => Value::Endpoint(&ep.vpc_endpoint_id),
            None => Value::Elsewhere(format!("{ip} ({ep}, not in the snapshot)")),
        },
        (Some(eni), None) => Value::Elsewhere(format!(
            "{ip} ({}, not an endpoint ENI)",
            eni.network_interface_id
        )),
        (None, None) => Value::Elsewhere(format!("{ip} (no ENI of the snapshot has it)")),
    }
}

/// The endpoint one of whose `DnsEntries` is `name`, or whose id starts the name's first label
/// (`vpce-0abc-k3x9.ssm…vpce.amazonaws.com`), when the snapshot holds it.
pub(crate) fn endpoint_by_dns_name<'s>(snap: &'s Snapshot, name: &str) -> Option<&'s str> {
    // `DnsEntries` also lists the private DNS name (the service's own name) of an endpoint
    // with private DNS on: that one resolves to it only in its VPC (D5), never here.
    if !is_endpoint_specific(name) {
        return None;
    }
    let bare = name.trim_end_matches('.');
    let by_entry = snap.vpc_endpoints.values().find(|ep: &&VpcEndpoint| {
        ep.dns_entries
            .iter()
            .any(|e| e.dns_name.trim_end_matches('.').eq_ignore_ascii_case(bare))
    });
    if let Some(ep) = by_entry {
        return Some(&ep.vpc_endpoint_id);
    }
    let id = vpce_id(name)?;
    snap.vpc_endpoints
        .get_key_value(id)
        .map(|(k, _)| k.as_str())
}

/// True for an endpoint-specific DNS name (`….vpce.amazonaws.com`), which public DNS resolves
/// to the endpoint's private addresses.
fn is_endpoint_specific(name: &str) -> bool {
    name.ends_with(".vpce.amazonaws.com.") || name.ends_with(".vpce.amazonaws.com.cn.")
}

/// `vpce-0abc` from `vpce-0abc-k3x9pq2m[-az].svc.region.vpce.amazonaws.com.` (a leading `*.`
/// of S3's names skipped).
fn vpce_id(name: &str) -> Option<&str> {
    let first = name
        .trim_start_matches("\\052.")
        .trim_start_matches("*.")
        .split('.')
        .next()?;
    let rest = first.strip_prefix("vpce-")?;
    let end = rest.find('-').map_or(first.len(), |i| i + "vpce-".len());
    Some(&first[..end])
}

#[cfg(test)]
mod tests {
    use super::vpce_id;

    #[test]
    fn an_endpoint_dns_name_names_its_endpoint() {
        assert_eq!(
            vpce_id("vpce-0a7c3e9f1b5d28e64-k3x9pq2m.ssm.ap-northeast-1.vpce.amazonaws.com."),
            Some("vpce-0a7c3e9f1b5d28e64")
        );
        assert_eq!(
            vpce_id("\\052.vpce-0a7c-k3x9-ap-northeast-1a.s3.ap-northeast-1.vpce.amazonaws.com."),
            Some("vpce-0a7c")
        );
        assert_eq!(vpce_id("ssm.ap-northeast-1.amazonaws.com."), None);
    }
}
