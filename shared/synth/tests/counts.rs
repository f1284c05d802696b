//! The generated objects match the parameters of each preset.

mod common;

use common::{check_counts, objects, quick_snapshots, s};
use serde_json::Value;
use std::collections::BTreeSet;
use vpce_reach_synth::{generate, SynthParams};

#[test]
fn small_and_medium_counts_match() {
    for (p, docs) in quick_snapshots() {
        check_counts(&p, &docs);
    }
}

#[test]
fn groups_hold_no_rule_twice() {
    for (_, docs) in quick_snapshots() {
        common::assert_no_duplicate_rules(&docs);
    }
}

#[test]
fn every_interface_endpoint_has_one_eni_in_each_of_three_azs() {
    for (_, docs) in quick_snapshots() {
        let azs = common::by_id(&docs, "NetworkInterfaces", "NetworkInterfaceId");
        for ep in objects(&docs, "VpcEndpoints")
            .into_iter()
            .filter(|e| s(e, "VpcEndpointType") == "Interface")
        {
            let ids = ep["NetworkInterfaceIds"].as_array().unwrap();
            let zones: BTreeSet<&str> = ids
                .iter()
                .map(|i| s(azs[i.as_str().unwrap()], "AvailabilityZone"))
                .collect();
            assert_eq!(
                (ids.len(), zones.len()),
                (3, 3),
                "{}",
                s(ep, "VpcEndpointId")
            );
        }
    }
}

#[test]
fn groups_and_interfaces_are_split_over_several_files_in_subdirectories() {
    let docs = generate(&SynthParams::small());
    for key in ["SecurityGroups", "NetworkInterfaces"] {
        let files: Vec<&String> = docs
            .iter()
            .filter(|(_, d)| d.get(key).is_some())
            .map(|(n, _)| n)
            .collect();
        assert!(files.len() >= 2, "{key} in {files:?}");
        assert!(files.iter().all(|f| f.contains('/')), "{key} in {files:?}");
    }
}

#[test]
fn custom_nacls_are_unsorted_and_end_with_the_32767_denies() {
    let docs = generate(&SynthParams::medium());
    let custom: Vec<&Value> = objects(&docs, "NetworkAcls")
        .into_iter()
        .filter(|a| a["IsDefault"] == false)
        .collect();
    let mut unsorted = 0;
    for acl in &custom {
        let entries = acl["Entries"].as_array().unwrap();
        let numbers: Vec<u64> = entries
            .iter()
            .map(|e| e["RuleNumber"].as_u64().unwrap())
            .collect();
        unsorted += usize::from(numbers.windows(2).any(|w| w[0] > w[1]));
        for egress in [true, false] {
            let last = entries
                .iter()
                .filter(|e| e["Egress"] == egress && e["RuleNumber"] == 32767)
                .count();
            assert_eq!(last, 1);
        }
    }
    assert!(unsorted > custom.len() / 2);
}
