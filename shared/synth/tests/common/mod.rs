//! Helpers shared by the integration tests: reading generated documents back.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use vpce_reach_synth::{count_objects, generate, SynthParams};

/// Every object listed under `key` in any document.
pub fn objects<'a>(docs: &'a [(String, Value)], key: &str) -> Vec<&'a Value> {
    docs.iter()
        .filter_map(|(_, d)| d.get(key)?.as_array())
        .flatten()
        .collect()
}

/// The string at `field` of an object.
pub fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
}

/// The set of values of `field` over the objects under `key`.
pub fn id_set(docs: &[(String, Value)], key: &str, field: &str) -> BTreeSet<String> {
    objects(docs, key)
        .iter()
        .map(|o| s(o, field).to_string())
        .collect()
}

/// `a.b.c.d` as a number.
pub fn ip(text: &str) -> u32 {
    let parts: Vec<u32> = text.split('.').map(|p| p.parse().expect("octet")).collect();
    assert_eq!(parts.len(), 4, "bad address {text}");
    parts.iter().fold(0, |acc, p| acc << 8 | p)
}

/// `a.b.c.d/len` as (network, mask).
pub fn cidr(text: &str) -> (u32, u32) {
    let (addr, len) = text.split_once('/').expect("cidr");
    let len: u32 = len.parse().expect("prefix length");
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (ip(addr) & mask, mask)
}

/// Whether `addr` lies in `block`.
pub fn contains(block: &str, addr: u32) -> bool {
    let (net, mask) = cidr(block);
    addr & mask == net
}

/// The three presets with their names.
pub fn presets() -> Vec<(&'static str, SynthParams)> {
    vec![
        ("small", SynthParams::small()),
        ("medium", SynthParams::medium()),
        ("large", SynthParams::large()),
    ]
}

/// The generated documents of the small and medium presets (the large one is slow in debug).
pub fn quick_snapshots() -> Vec<(SynthParams, Vec<(String, Value)>)> {
    [SynthParams::small(), SynthParams::medium()]
        .into_iter()
        .map(|p| (p.clone(), generate(&p)))
        .collect()
}

/// Map from a field's value to the object, over the objects under `key`.
pub fn by_id<'a>(
    docs: &'a [(String, Value)],
    key: &str,
    field: &str,
) -> BTreeMap<String, &'a Value> {
    objects(docs, key)
        .into_iter()
        .map(|o| (s(o, field).to_string(), o))
        .collect()
}

fn sources(perms: &Value) -> usize {
    let len = |p: &Value, k: &str| p[k].as_array().map_or(0, Vec::len);
    perms
        .as_array()
        .unwrap()
        .iter()
        .map(|p| len(p, "IpRanges") + len(p, "PrefixListIds") + len(p, "UserIdGroupPairs"))
        .sum()
}

/// Checks every count that the parameters fix, and the averages they aim at.
pub fn check_counts(p: &SynthParams, docs: &[(String, Value)]) {
    let c = count_objects(docs);
    assert_eq!(c["Vpcs"], p.vpcs);
    assert_eq!(c["Subnets"], p.vpcs * p.subnets_per_vpc);
    assert_eq!(
        c["NetworkInterfaces"],
        p.workload_enis + 3 * p.interface_endpoints
    );
    assert_eq!(
        c["SecurityGroups"],
        p.security_groups + p.vpcs,
        "non-default groups plus one default per VPC"
    );
    assert_eq!(
        c["NetworkAcls"],
        p.nacls + p.vpcs,
        "custom ACLs plus one default per VPC"
    );
    assert_eq!(
        c["VpcEndpoints"],
        p.interface_endpoints + p.gateway_endpoints
    );
    assert_eq!(c["VpcAttributes"], 2 * p.vpcs);
    let enis = objects(docs, "NetworkInterfaces");
    let workloads = enis
        .iter()
        .filter(|e| s(e, "InterfaceType") != "vpc_endpoint")
        .count();
    assert_eq!(workloads, p.workload_enis);
    let endpoints = objects(docs, "VpcEndpoints");
    let kind = |k: &str| {
        endpoints
            .iter()
            .filter(|e| s(e, "VpcEndpointType") == k)
            .count()
    };
    assert_eq!(
        (kind("Interface"), kind("Gateway")),
        (p.interface_endpoints, p.gateway_endpoints)
    );
    check_averages(p, docs);
}

fn check_averages(p: &SynthParams, docs: &[(String, Value)]) {
    let workload_sgs: Vec<&Value> = objects(docs, "SecurityGroups")
        .into_iter()
        .filter(|g| s(g, "GroupName") != "default" && !s(g, "GroupName").contains("-vpce-"))
        .collect();
    let rules: usize = workload_sgs
        .iter()
        .map(|g| sources(&g["IpPermissions"]) + sources(&g["IpPermissionsEgress"]))
        .sum();
    let mean = rules as f64 / workload_sgs.len() as f64;
    let target = p.rules_per_sg as f64;
    assert!(
        mean > 0.8 * target && mean < 1.3 * target,
        "mean rules per SG {mean}, want ~{target}"
    );
    let custom: Vec<&Value> = objects(docs, "NetworkAcls")
        .into_iter()
        .filter(|a| a["IsDefault"] == false)
        .collect();
    if !custom.is_empty() {
        let entries: usize = custom
            .iter()
            .map(|a| a["Entries"].as_array().unwrap().len())
            .sum();
        let mean = entries as f64 / custom.len() as f64;
        let target = p.entries_per_nacl as f64;
        assert!(
            mean > 0.8 * target && mean < 1.2 * target,
            "mean entries per NACL {mean}, want ~{target}"
        );
    }
}

/// Every group's rules as AWS would hold them (issue 18, item 3): one entry per direction,
/// protocol and port range, and each source (CIDR, group, prefix list) once in it; returns how
/// many rules (sources) the groups hold in all.
pub fn assert_no_duplicate_rules(docs: &[(String, Value)]) -> usize {
    let mut rules = 0;
    for sg in objects(docs, "SecurityGroups") {
        for direction in ["IpPermissions", "IpPermissionsEgress"] {
            let mut keys = BTreeSet::new();
            for perm in sg[direction].as_array().unwrap() {
                let key = (
                    perm["IpProtocol"].to_string(),
                    perm["FromPort"].to_string(),
                    perm["ToPort"].to_string(),
                );
                assert!(
                    keys.insert(key.clone()),
                    "{} {direction}: two entries for {key:?}",
                    s(sg, "GroupId")
                );
                for (list, id) in [
                    ("IpRanges", "CidrIp"),
                    ("UserIdGroupPairs", "GroupId"),
                    ("PrefixListIds", "PrefixListId"),
                ] {
                    let mut seen = BTreeSet::new();
                    for source in perm[list].as_array().unwrap() {
                        let name = source[id].as_str().unwrap();
                        assert!(
                            seen.insert(name),
                            "{} {direction} {key:?}: {name} twice",
                            s(sg, "GroupId")
                        );
                        rules += 1;
                    }
                }
            }
        }
    }
    rules
}
