//! Addresses: subnets inside their VPC, ENI addresses inside their subnet and unique.

mod common;

use common::{by_id, contains, ip, objects, quick_snapshots, s};
use std::collections::BTreeSet;

#[test]
fn subnets_are_24s_inside_their_vpc_spread_over_three_azs() {
    for (p, docs) in quick_snapshots() {
        let vpcs = by_id(&docs, "Vpcs", "VpcId");
        let mut blocks = BTreeSet::new();
        for subnet in objects(&docs, "Subnets") {
            let block = s(subnet, "CidrBlock");
            assert!(
                block.ends_with("/24") && blocks.insert(block.to_string()),
                "{block}"
            );
            let vpc_block = s(vpcs[s(subnet, "VpcId")], "CidrBlock");
            assert!(
                contains(vpc_block, common::cidr(block).0),
                "{block} outside {vpc_block}"
            );
        }
        for vpc in vpcs.keys() {
            let zones: BTreeSet<&str> = objects(&docs, "Subnets")
                .into_iter()
                .filter(|sub| s(sub, "VpcId") == vpc)
                .map(|sub| s(sub, "AvailabilityZone"))
                .collect();
            assert_eq!(zones.len(), 3.min(p.subnets_per_vpc));
        }
    }
}

#[test]
fn every_eni_address_is_inside_its_subnet_usable_and_unique() {
    for (_, docs) in quick_snapshots() {
        let subnets = by_id(&docs, "Subnets", "SubnetId");
        let mut seen = BTreeSet::new();
        for eni in objects(&docs, "NetworkInterfaces") {
            let block = s(subnets[s(eni, "SubnetId")], "CidrBlock");
            let addresses = eni["PrivateIpAddresses"].as_array().unwrap();
            assert_eq!(
                s(&addresses[0], "PrivateIpAddress"),
                s(eni, "PrivateIpAddress")
            );
            assert_eq!(addresses[0]["Primary"], true);
            for a in addresses {
                let addr = ip(s(a, "PrivateIpAddress"));
                assert!(
                    contains(block, addr),
                    "{} outside {block}",
                    s(a, "PrivateIpAddress")
                );
                assert!(
                    (4..=254).contains(&(addr & 0xff)),
                    "reserved address {}",
                    s(a, "PrivateIpAddress")
                );
                assert!(
                    seen.insert(addr),
                    "duplicate address {}",
                    s(a, "PrivateIpAddress")
                );
            }
        }
    }
}

#[test]
fn available_address_counts_reflect_allocations() {
    for (_, docs) in quick_snapshots() {
        for subnet in objects(&docs, "Subnets") {
            let used: usize = objects(&docs, "NetworkInterfaces")
                .into_iter()
                .filter(|e| s(e, "SubnetId") == s(subnet, "SubnetId"))
                .map(|e| e["PrivateIpAddresses"].as_array().unwrap().len())
                .sum();
            assert_eq!(
                subnet["AvailableIpAddressCount"].as_u64().unwrap() as usize,
                251 - used
            );
        }
    }
}
