//! The dual-stack share (issue 17): off in the existing presets (their documents carry no
//! IPv6 data, so the BENCHMARKS figures stay comparable), and in the `:ipv6` presets the IPv6
//! twin of the IPv4 plan, which changes none of the IPv4 data.

mod common;

use common::{by_id, objects, s};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::Ipv6Addr;
use vpce_reach_synth::{generate, SynthParams};

type Docs = Vec<(String, Value)>;

fn text(docs: &Docs) -> String {
    docs.iter().map(|(_, d)| d.to_string()).collect()
}

/// Whether `addr` is in the IPv6 CIDR `block`.
fn in_block(block: &str, addr: &str) -> bool {
    let (net, len) = block.split_once('/').unwrap();
    let len: u32 = len.parse().unwrap();
    let (net, addr): (u128, u128) = (
        net.parse::<Ipv6Addr>().unwrap().into(),
        addr.parse::<Ipv6Addr>().unwrap().into(),
    );
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    net & mask == addr & mask
}

/// The IPv4 view of an object: the object without the fields the share adds or changes.
fn ipv4_view(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(map) = v.as_object_mut() {
        for key in [
            "Ipv6CidrBlockAssociationSet",
            "AssignIpv6AddressOnCreation",
            "Ipv6Address",
            "Ipv6Addresses",
            "IpAddressType",
            "DnsOptions",
        ] {
            map.remove(key);
        }
    }
    v
}

#[test]
fn the_existing_presets_carry_no_ipv6_data() {
    for p in [SynthParams::small(), SynthParams::medium()] {
        assert_eq!(p.dualstack_percent, 0);
        let all = text(&generate(&p));
        for ipv6 in ["2600:1f18", "CidrIpv6", "Ipv6CidrBlock\"", "\"dualstack\""] {
            assert!(!all.contains(ipv6), "{ipv6} in a preset without IPv6");
        }
    }
    assert_eq!(SynthParams::large().dualstack_percent, 0);
    let ipv6 = SynthParams::preset("large:ipv6").unwrap();
    assert_eq!(
        ipv6,
        SynthParams {
            dualstack_percent: SynthParams::IPV6_PRESET_PERCENT,
            ..SynthParams::large()
        }
    );
    assert_eq!(SynthParams::preset("huge:ipv6"), None);
}

#[test]
fn the_ipv6_share_twins_the_ipv4_plan_and_changes_none_of_it() {
    let v4 = generate(&SynthParams::medium());
    let dual = generate(&SynthParams::preset("medium:ipv6").unwrap());
    // Half of 3 VPCs, rounded up.
    let blocks: Vec<(&str, &str)> = objects(&dual, "Vpcs")
        .into_iter()
        .filter_map(|v| {
            let set = v["Ipv6CidrBlockAssociationSet"].as_array()?;
            Some((s(v, "VpcId"), set.first()?["Ipv6CidrBlock"].as_str()?))
        })
        .collect();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    let dual_vpcs: BTreeSet<&str> = blocks.iter().map(|(v, _)| *v).collect();

    // Every object of the IPv4 plan is there, its IPv4 data unchanged.
    for key in ["Vpcs", "Subnets", "NetworkInterfaces", "VpcEndpoints"] {
        let (a, b) = (objects(&v4, key), objects(&dual, key));
        assert_eq!(a.len(), b.len(), "{key}");
        for (a, b) in a.iter().zip(&b) {
            assert_eq!(ipv4_view(a), ipv4_view(b), "{key}");
        }
    }

    // Each subnet of a dual-stack VPC has a /64 of its VPC's block, each ENI an address of
    // its subnet's /64; the other VPCs have none.
    let subnets = by_id(&dual, "Subnets", "SubnetId");
    for sn in objects(&dual, "Subnets") {
        let set = sn["Ipv6CidrBlockAssociationSet"].as_array().unwrap();
        if !dual_vpcs.contains(s(sn, "VpcId")) {
            assert!(set.is_empty());
            continue;
        }
        let block = set[0]["Ipv6CidrBlock"].as_str().unwrap();
        let (_, vpc_block) = blocks.iter().find(|(v, _)| *v == s(sn, "VpcId")).unwrap();
        assert!(block.ends_with("/64") && in_block(vpc_block, block.split('/').next().unwrap()));
    }
    for eni in objects(&dual, "NetworkInterfaces") {
        let addrs = eni["Ipv6Addresses"].as_array().unwrap();
        if !dual_vpcs.contains(s(eni, "VpcId")) {
            assert!(addrs.is_empty());
            continue;
        }
        let subnet = subnets[s(eni, "SubnetId")];
        let block = subnet["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
            .as_str()
            .unwrap();
        assert_eq!(addrs.len(), 1);
        assert!(in_block(block, s(&addrs[0], "Ipv6Address")));
    }
    for ep in objects(&dual, "VpcEndpoints") {
        let dual_stack =
            s(ep, "VpcEndpointType") == "Interface" && dual_vpcs.contains(s(ep, "VpcId"));
        assert_eq!(ep["IpAddressType"] == "dualstack", dual_stack, "{ep}");
    }

    // ACLs of dual-stack VPCs: every family's `*` deny, each rule number once per direction.
    for acl in objects(&dual, "NetworkAcls") {
        let entries = acl["Entries"].as_array().unwrap();
        let mut numbers = BTreeSet::new();
        for e in entries {
            assert!(
                numbers.insert((e["Egress"].as_bool(), e["RuleNumber"].as_u64())),
                "rule number twice: {e}"
            );
        }
        let has_v6 = entries.iter().any(|e| e.get("Ipv6CidrBlock").is_some());
        assert_eq!(has_v6, dual_vpcs.contains(s(acl, "VpcId")), "{acl}");
    }
}
