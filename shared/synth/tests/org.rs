//! The organisation preset (issue 14): its size, its layout (the network account's documents
//! in their own subdirectory) and its determinism.

use vpce_reach_synth::{count_objects, generate_org, OrgParams, NETWORK_ACCOUNT};

#[test]
fn the_preset_has_the_size_issue_14_asks_for() {
    let docs = generate_org(&OrgParams::org());
    let counts = count_objects(&docs);
    assert_eq!(counts["Vpcs"], 51, "a hub and 50 spokes");
    assert_eq!(counts["VpcEndpoints"], 150);
    // 40,000 workloads and 3 ENIs per hub endpoint.
    assert_eq!(counts["NetworkInterfaces"], 40_000 + 3 * 150);
}

#[test]
fn the_hub_and_the_transit_gateway_are_in_the_network_accounts_directory() {
    let docs = generate_org(&OrgParams {
        workload_enis: 2_000,
        ..OrgParams::org()
    });
    let prefix = format!("{NETWORK_ACCOUNT}/");
    for key in [
        "TransitGateways",
        "TransitGatewayVpcAttachments",
        "TransitGatewayAttachments",
        "TransitGatewayRouteTables",
        "TransitGatewayStaticRoutes",
        "TransitGatewayPropagations",
        "VpcEndpoints",
    ] {
        let (name, _) = docs
            .iter()
            .find(|(_, d)| d.get(key).is_some())
            .unwrap_or_else(|| panic!("no {key} document"));
        assert!(name.starts_with(&prefix), "{key} in {name}");
    }
    let spokes = docs.iter().find(|(n, _)| n == "Vpcs.json").unwrap();
    assert_eq!(spokes.1["Vpcs"].as_array().unwrap().len(), 50);
}

#[test]
fn the_same_seed_gives_identical_documents_and_another_differs() {
    let small = OrgParams {
        workload_enis: 2_000,
        ..OrgParams::org()
    };
    let text = |p: &OrgParams| {
        generate_org(p)
            .into_iter()
            .map(|(n, d)| (n, d.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(text(&small), text(&small.clone()));
    assert_ne!(text(&small), text(&OrgParams { seed: 2, ..small }));
}

#[test]
fn without_misconfiguration_every_spoke_routes_to_the_tgw_and_is_admitted() {
    let clean = OrgParams {
        misconfigured: false,
        workload_enis: 2_000,
        ..OrgParams::org()
    };
    let docs = generate_org(&clean);
    let attachments = docs
        .iter()
        .find_map(|(_, d)| d.get("TransitGatewayVpcAttachments"))
        .unwrap();
    assert!(attachments
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["SubnetIds"].as_array().unwrap().len() == 3));
}

#[test]
fn invalid_parameters_are_refused_naming_the_parameter() {
    let bad = OrgParams {
        spokes: 0,
        ..OrgParams::org()
    };
    assert_eq!(bad.validate(), Err("spokes must be 1..=99".to_string()));
}
