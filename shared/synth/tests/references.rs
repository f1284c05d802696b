//! Every id a document refers to exists, and ids look like AWS ids.

mod common;

use common::{by_id, id_set, objects, quick_snapshots, s};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

type Docs = [(String, Value)];

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[test]
fn primary_ids_are_unique_and_well_formed() {
    let keys = [
        ("Vpcs", "VpcId", "vpc"),
        ("Subnets", "SubnetId", "subnet"),
        ("SecurityGroups", "GroupId", "sg"),
        ("NetworkAcls", "NetworkAclId", "acl"),
        ("RouteTables", "RouteTableId", "rtb"),
        ("NetworkInterfaces", "NetworkInterfaceId", "eni"),
        ("VpcEndpoints", "VpcEndpointId", "vpce"),
    ];
    for (_, docs) in quick_snapshots() {
        let mut seen = BTreeSet::new();
        for (key, field, prefix) in keys {
            for o in objects(&docs, key) {
                let id = s(o, field);
                let hex = id
                    .strip_prefix(prefix)
                    .and_then(|h| h.strip_prefix('-'))
                    .unwrap();
                assert!(
                    hex.len() == 17 && hex.chars().all(|c| c.is_ascii_hexdigit()),
                    "{id}"
                );
                assert!(seen.insert(id.to_string()), "duplicate {id}");
            }
        }
        for pl in id_set(&docs, "PrefixLists", "PrefixListId") {
            let hex = pl.strip_prefix("pl-").unwrap();
            assert!(
                hex.len() == 8 || hex.len() == 17,
                "{pl}: AWS-managed lists keep their real 8-digit ids"
            );
        }
    }
}

fn group_refs(perms: &Value) -> impl Iterator<Item = (&str, &str)> {
    perms.as_array().unwrap().iter().flat_map(|p| {
        let sgs = p["UserIdGroupPairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| ("sg", s(g, "GroupId")));
        let pls = p["PrefixListIds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| ("pl", s(l, "PrefixListId")));
        sgs.chain(pls)
    })
}

#[test]
fn security_group_and_prefix_list_references_exist_in_the_same_vpc() {
    for (_, docs) in quick_snapshots() {
        let sgs = by_id(&docs, "SecurityGroups", "GroupId");
        let pls = id_set(&docs, "PrefixLists", "PrefixListId");
        for g in sgs.values() {
            for (kind, id) in
                group_refs(&g["IpPermissions"]).chain(group_refs(&g["IpPermissionsEgress"]))
            {
                match kind {
                    "sg" => assert_eq!(s(sgs.get(id).expect(id), "VpcId"), s(g, "VpcId")),
                    _ => assert!(pls.contains(id), "{id}"),
                }
            }
        }
    }
}

fn check_associations(docs: &Docs, key: &str, field: &str, every_subnet: bool) {
    let subnets = by_id(docs, "Subnets", "SubnetId");
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for table in objects(docs, key) {
        for a in table["Associations"].as_array().unwrap() {
            assert_eq!(s(a, field), s(table, field));
            if let Some(subnet) = a["SubnetId"].as_str() {
                assert_eq!(
                    s(subnets.get(subnet).expect(subnet), "VpcId"),
                    s(table, "VpcId")
                );
                *seen.entry(subnet).or_default() += 1;
            }
        }
    }
    assert!(
        seen.values().all(|&n| n == 1),
        "{key}: a subnet associated twice"
    );
    if every_subnet {
        assert_eq!(
            seen.len(),
            subnets.len(),
            "{key}: every subnet has an association"
        );
    }
}

#[test]
fn nacl_and_route_table_associations_point_at_subnets_of_their_vpc() {
    for (_, docs) in quick_snapshots() {
        check_associations(&docs, "NetworkAcls", "NetworkAclId", true);
        check_associations(&docs, "RouteTables", "RouteTableId", false);
        for vpc in id_set(&docs, "Vpcs", "VpcId") {
            let mains = objects(&docs, "RouteTables")
                .into_iter()
                .filter(|t| s(t, "VpcId") == vpc)
                .filter(|t| {
                    t["Associations"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a["Main"] == true)
                })
                .count();
            let defaults = objects(&docs, "NetworkAcls")
                .iter()
                .filter(|a| s(a, "VpcId") == vpc && a["IsDefault"] == true)
                .count();
            assert_eq!((mains, defaults), (1, 1), "{vpc}");
        }
    }
}

#[test]
fn endpoint_enis_groups_and_subnets_exist() {
    for (_, docs) in quick_snapshots() {
        let enis = by_id(&docs, "NetworkInterfaces", "NetworkInterfaceId");
        let sgs = id_set(&docs, "SecurityGroups", "GroupId");
        for ep in objects(&docs, "VpcEndpoints")
            .into_iter()
            .filter(|e| s(e, "VpcEndpointType") == "Interface")
        {
            let subnets = strings(&ep["SubnetIds"]);
            for id in strings(&ep["NetworkInterfaceIds"]) {
                let eni = enis.get(id).expect(id);
                assert_eq!(s(eni, "InterfaceType"), "vpc_endpoint");
                assert_eq!(eni["RequesterManaged"], true);
                assert_eq!(s(eni, "VpcId"), s(ep, "VpcId"));
                assert!(subnets.contains(&s(eni, "SubnetId")));
                assert!(s(eni, "Description").ends_with(s(ep, "VpcEndpointId")));
            }
            assert!(ep["Groups"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| sgs.contains(s(g, "GroupId"))));
        }
        let eni_groups = enis.values().flat_map(|e| e["Groups"].as_array().unwrap());
        assert!(eni_groups
            .into_iter()
            .all(|g| sgs.contains(s(g, "GroupId"))));
    }
}

#[test]
fn gateway_endpoints_match_the_routes_to_them() {
    for (_, docs) in quick_snapshots() {
        let tables = by_id(&docs, "RouteTables", "RouteTableId");
        let pls = id_set(&docs, "PrefixLists", "PrefixListId");
        let endpoints = by_id(&docs, "VpcEndpoints", "VpcEndpointId");
        let mut routed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for t in tables.values() {
            for r in t["Routes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r.get("DestinationPrefixListId").is_some())
            {
                assert!(pls.contains(s(r, "DestinationPrefixListId")));
                let ep = endpoints
                    .get(s(r, "GatewayId"))
                    .expect("route to a known endpoint");
                assert_eq!(s(ep, "VpcId"), s(t, "VpcId"));
                routed
                    .entry(s(r, "GatewayId"))
                    .or_default()
                    .insert(s(t, "RouteTableId"));
            }
        }
        for ep in endpoints
            .values()
            .filter(|e| s(e, "VpcEndpointType") == "Gateway")
        {
            let listed: BTreeSet<&str> = strings(&ep["RouteTableIds"]).into_iter().collect();
            assert_eq!(
                listed,
                routed.remove(s(ep, "VpcEndpointId")).unwrap_or_default()
            );
        }
    }
}

#[test]
fn subnets_enis_and_attributes_refer_to_existing_vpcs() {
    for (_, docs) in quick_snapshots() {
        let vpcs = id_set(&docs, "Vpcs", "VpcId");
        let subnets = by_id(&docs, "Subnets", "SubnetId");
        for key in [
            "Subnets",
            "SecurityGroups",
            "NetworkAcls",
            "RouteTables",
            "VpcEndpoints",
        ] {
            assert!(
                objects(&docs, key)
                    .iter()
                    .all(|o| vpcs.contains(s(o, "VpcId"))),
                "{key}"
            );
        }
        for eni in objects(&docs, "NetworkInterfaces") {
            assert_eq!(
                s(subnets.get(s(eni, "SubnetId")).unwrap(), "VpcId"),
                s(eni, "VpcId")
            );
        }
        let attrs = docs.iter().filter_map(|(_, d)| d.get("VpcId")?.as_str());
        assert!(attrs.into_iter().all(|v| vpcs.contains(v)));
    }
}
