//! The loader on the outputs that link VPCs (issue 14): transit gateways, their attachments,
//! route tables, the routes and propagations wrappers, peering connections, and one
//! subdirectory per account.

use std::path::Path;

use vpce_reach_model::snapshot::load::{load_dir, LoadError, SnapshotBuilder};
use vpce_reach_model::snapshot::DescribeCall;

fn demo() -> std::path::PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../events/demo")
}

#[test]
fn the_demo_loads_one_subdirectory_per_account_and_keeps_owner_ids() {
    let snap = load_dir(&demo()).unwrap();
    // The two original VPCs, the hub and its TGW spoke, the two DNS spokes, the provider VPC
    // of the hosted service (issue 16), the dual-stack VPC (issue 17).
    assert_eq!(snap.vpcs.len(), 8);
    let owner = |vpc: &str| snap.vpcs[vpc].owner_id.clone();
    assert_eq!(
        owner("vpc-0c7d1e4a9b2f6385e").as_deref(),
        Some("444455556666")
    );
    assert_eq!(
        owner("vpc-0e2a9c5d7f1b4e683").as_deref(),
        Some("111122223333")
    );
    assert_eq!(
        owner("vpc-0f3c8e21d4b7a695a").as_deref(),
        Some("111122223333")
    );
    let tgw = &snap.transit_gateways["tgw-0a8e3c6f1d9b2457a"];
    assert_eq!(tgw.owner_id.as_deref(), Some("444455556666"));
    assert_eq!(snap.tgw_vpc_attachments.len(), 2);
    let spoke = &snap.tgw_vpc_attachments["tgw-attach-0d6f2b8e4a1c7935b"];
    assert_eq!(spoke.vpc_owner_id.as_deref(), Some("111122223333"));
    assert_eq!(spoke.subnet_ids, vec!["subnet-0b1e6c9f4a2d7358e"]);
    let routes = &snap.tgw_routes["tgw-rtb-0f1c5a9e3b7d2468c"];
    assert_eq!(routes.routes.len(), 2);
    assert_eq!(
        snap.tgw_propagations["tgw-rtb-0f1c5a9e3b7d2468c"]
            .transit_gateway_route_table_propagations
            .len(),
        2
    );
    for call in [
        DescribeCall::TransitGateways,
        DescribeCall::TransitGatewayAttachments,
        DescribeCall::TransitGatewayVpcAttachments,
        DescribeCall::TransitGatewayRouteTables,
        DescribeCall::TransitGatewayRoutes,
        DescribeCall::TransitGatewayPropagations,
    ] {
        assert!(snap.coverage.has(call), "{}", call.command());
    }
    // Link outputs are optional: the demo has no peering output and is still complete.
    assert!(!snap.coverage.has(DescribeCall::VpcPeeringConnections));
    assert!(snap.coverage.absent().is_empty());
    assert!(
        !snap.notes.iter().any(|n| n.contains("TransitGateway")),
        "{:?}",
        snap.notes
    );
}

/// Batfish's AWS dumps carry every link file, often as empty lists.
#[test]
fn empty_link_outputs_are_recognised_as_answers() {
    let mut b = SnapshotBuilder::new();
    for key in [
        "TransitGateways",
        "TransitGatewayAttachments",
        "TransitGatewayVpcAttachments",
        "TransitGatewayRouteTables",
        "TransitGatewayStaticRoutes",
        "TransitGatewayPropagations",
        "VpcPeeringConnections",
    ] {
        b.add_json(&format!("{key}.json"), &format!("{{\n \"{key}\": []\n}}"))
            .unwrap();
    }
    let snap = b.finish();
    assert!(snap.coverage.has(DescribeCall::TransitGatewayRoutes));
    assert!(snap.coverage.has(DescribeCall::VpcPeeringConnections));
    assert!(snap.notes.is_empty(), "{:?}", snap.notes);
    assert!(snap.transit_gateways.is_empty() && snap.tgw_routes.is_empty());
}

#[test]
fn tgw_routes_read_every_type_and_skip_ipv6_destinations() {
    let mut b = SnapshotBuilder::new();
    b.add_json(
        "routes.json",
        r#"{"TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": [
            {"DestinationCidrBlock": "10.1.0.0/16", "Type": "propagated", "State": "active",
             "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceId": "vpc-1", "ResourceType": "vpc"}]},
            {"DestinationCidrBlock": "2001:db8::/32", "Type": "static", "State": "active", "TransitGatewayAttachments": []},
            {"PrefixListId": "pl-1", "Type": "static", "State": "blackhole"}]}]}"#,
    )
    .unwrap();
    let snap = b.finish();
    let routes = &snap.tgw_routes["tgw-rtb-1"].routes;
    assert_eq!(routes.len(), 3);
    assert_eq!(
        routes[0].destination_cidr_block,
        Some("10.1.0.0/16".parse().unwrap())
    );
    assert_eq!(routes[0].route_type.as_deref(), Some("propagated"));
    assert_eq!(routes[1].destination_cidr_block, None);
    // AWS writes IPv6 destinations in the same field: read apart (docs/spec.md V12).
    assert_eq!(
        routes[1].destination_ipv6_cidr_block,
        Some("2001:db8::/32".parse().unwrap())
    );
    assert_eq!(routes[0].destination_ipv6_cidr_block, None);
    assert_eq!(routes[2].prefix_list_id.as_deref(), Some("pl-1"));
}

#[test]
fn a_malformed_tgw_route_is_an_error_naming_the_file_and_line() {
    let mut b = SnapshotBuilder::new();
    let err = b
        .add_json(
            "routes.json",
            "{\"TransitGatewayStaticRoutes\": [{\"TransitGatewayRouteTableId\": \"tgw-rtb-1\",\n \"Routes\": [{\"DestinationCidrBlock\": \"10.1.0.300/16\"}]}]}",
        )
        .unwrap_err();
    assert!(matches!(err, LoadError::Malformed { line: 2, .. }), "{err}");
    assert!(err.to_string().starts_with("routes.json:2:"), "{err}");
}

#[test]
fn a_shared_tgw_in_two_accounts_merges_when_alike_and_conflicts_when_not() {
    let tgw = |state: &str| {
        format!(
            r#"{{"TransitGateways": [{{"TransitGatewayId": "tgw-1", "OwnerId": "1", "State": "{state}"}}]}}"#
        )
    };
    let mut b = SnapshotBuilder::new();
    b.add_json("a/tgw.json", &tgw("available")).unwrap();
    b.add_json("b/tgw.json", &tgw("available")).unwrap();
    let snap = b.finish();
    assert_eq!(snap.transit_gateways.len(), 1);
    let mut b = SnapshotBuilder::new();
    b.add_json("a/tgw.json", &tgw("available")).unwrap();
    let err = b.add_json("b/tgw.json", &tgw("deleting")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a/tgw.json") && text.contains("b/tgw.json") && text.contains("tgw-1"),
        "{text}"
    );
}

#[test]
fn peering_connections_keep_both_sides() {
    let mut b = SnapshotBuilder::new();
    b.add_json(
        "pcx.json",
        r#"{"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active", "Message": "Active"},
            "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "1", "Region": "us-east-1", "CidrBlock": "10.0.0.0/16"},
            "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": "2", "Region": "eu-west-1"}}]}"#,
    )
    .unwrap();
    let snap = b.finish();
    let c = &snap.vpc_peerings["pcx-1"];
    assert_eq!(c.status.as_ref().unwrap().code, "active");
    let accepter = c.accepter_vpc_info.as_ref().unwrap();
    assert_eq!(accepter.owner_id.as_deref(), Some("2"));
    assert_eq!(accepter.region.as_deref(), Some("eu-west-1"));
}
