//! Misconfigurations appear at `misconfig_percent`: never at 0, always at 100, some at 20.

mod common;

use common::{by_id, objects, s};
use serde_json::Value;
use vpce_reach_synth::{generate, SynthParams};

type Docs = [(String, Value)];

fn with_misconfig(percent: u32) -> Vec<(String, Value)> {
    generate(&SynthParams {
        misconfig_percent: percent,
        ..SynthParams::medium()
    })
}

/// Whether a workload group has an egress rule that lets tcp/443 reach every endpoint ENI.
fn reaches_endpoints(docs: &Docs, sg: &Value) -> bool {
    let vpc = by_id(docs, "Vpcs", "VpcId")[s(sg, "VpcId")];
    let wide = ["0.0.0.0/0", "10.0.0.0/8", s(vpc, "CidrBlock")];
    sg["IpPermissionsEgress"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| {
            let port_ok = p["IpProtocol"] == "-1"
                || (p["IpProtocol"] == "tcp"
                    && p["FromPort"].as_i64() <= Some(443)
                    && p["ToPort"].as_i64() >= Some(443));
            let cidr_ok = p["IpRanges"].as_array().unwrap().iter().any(|r| {
                wide.contains(&s(r, "CidrIp"))
                    || r.get("Description").is_none() && s(r, "CidrIp").ends_with("/24")
            });
            let sg_ok = p["UserIdGroupPairs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| is_endpoint_sg(docs, s(g, "GroupId")));
            let pl_ok = p["PrefixListIds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| private_list(docs, s(l, "PrefixListId")));
            port_ok && (cidr_ok || sg_ok || pl_ok)
        })
}

fn is_endpoint_sg(docs: &Docs, id: &str) -> bool {
    s(by_id(docs, "SecurityGroups", "GroupId")[id], "GroupName").contains("-vpce-")
}

fn private_list(docs: &Docs, id: &str) -> bool {
    s(
        by_id(docs, "PrefixLists", "PrefixListId")[id],
        "PrefixListName",
    )
    .ends_with("-private-subnets")
}

fn workload_sgs(docs: &Docs) -> Vec<&Value> {
    objects(docs, "SecurityGroups")
        .into_iter()
        .filter(|g| s(g, "GroupName") != "default" && !s(g, "GroupName").contains("-vpce-"))
        .collect()
}

/// Whether a custom ACL allows tcp 1024-65535 in from anywhere.
fn ephemeral_from_anywhere(acl: &Value) -> bool {
    acl["Entries"].as_array().unwrap().iter().any(|e| {
        let ports = e["Protocol"] == "-1"
            || (e["Protocol"] == "6"
                && e["PortRange"]["From"] == 1024
                && e["PortRange"]["To"] == 65535);
        e["Egress"] == false && e["RuleAction"] == "allow" && e["CidrBlock"] == "0.0.0.0/0" && ports
    })
}

fn custom_acls(docs: &Docs) -> Vec<&Value> {
    objects(docs, "NetworkAcls")
        .into_iter()
        .filter(|a| a["IsDefault"] == false)
        .collect()
}

fn private_dns_off(docs: &Docs) -> usize {
    objects(docs, "VpcEndpoints")
        .iter()
        .filter(|e| s(e, "VpcEndpointType") == "Interface" && e["PrivateDnsEnabled"] == false)
        .count()
}

fn hostnames_off(docs: &Docs) -> usize {
    docs.iter()
        .filter(|(_, d)| d["EnableDnsHostnames"]["Value"] == false)
        .count()
}

/// The per-AZ private route tables.
fn private_tables(docs: &Docs) -> Vec<&Value> {
    objects(docs, "RouteTables")
        .into_iter()
        .filter(|t| s(&t["Tags"][0], "Value").contains("-private-"))
        .collect()
}

fn gateway_routes(table: &Value) -> usize {
    table["Routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("DestinationPrefixListId").is_some())
        .count()
}

#[test]
fn no_misconfiguration_at_zero_percent() {
    let docs = with_misconfig(0);
    assert!(workload_sgs(&docs)
        .iter()
        .all(|g| reaches_endpoints(&docs, g)));
    assert!(custom_acls(&docs)
        .iter()
        .all(|a| ephemeral_from_anywhere(a)));
    assert_eq!((private_dns_off(&docs), hostnames_off(&docs)), (0, 0));
    let gateway_vpcs: Vec<&str> = objects(&docs, "VpcEndpoints")
        .iter()
        .filter(|e| s(e, "VpcEndpointType") == "Gateway")
        .map(|e| s(e, "VpcId"))
        .collect();
    let tables = private_tables(&docs);
    assert!(tables
        .iter()
        .filter(|t| gateway_vpcs.contains(&s(t, "VpcId")))
        .all(|t| gateway_routes(t) > 0));
}

#[test]
fn every_misconfiguration_at_hundred_percent() {
    let docs = with_misconfig(100);
    assert!(workload_sgs(&docs)
        .iter()
        .all(|g| !reaches_endpoints(&docs, g)));
    assert!(custom_acls(&docs)
        .iter()
        .all(|a| !ephemeral_from_anywhere(a)));
    let p = SynthParams::medium();
    assert_eq!(
        (private_dns_off(&docs), hostnames_off(&docs)),
        (p.interface_endpoints, p.vpcs)
    );
    assert!(private_tables(&docs).iter().all(|t| gateway_routes(t) == 0));
}

#[test]
fn some_misconfigurations_sprinkled_at_twenty_percent() {
    let docs = with_misconfig(20);
    let sgs = workload_sgs(&docs);
    let broken = sgs.iter().filter(|g| !reaches_endpoints(&docs, g)).count();
    assert!(
        broken > 0 && broken < sgs.len() / 2,
        "{broken} of {}",
        sgs.len()
    );
    let acls = custom_acls(&docs);
    let broken = acls.iter().filter(|a| !ephemeral_from_anywhere(a)).count();
    assert!(
        broken > 0 && broken < acls.len() / 2,
        "{broken} of {}",
        acls.len()
    );
    assert!(private_dns_off(&docs) > 0);
}
