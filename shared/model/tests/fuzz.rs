//! Fuzzing, proptest-driven so it runs briefly in every CI run: the snapshot loader, rule
//! parameters and the whole check must never panic, whatever the input; bad input is an error,
//! and every evaluation keeps Config's limits.
//!
//! A longer run: `PROPTEST_CASES=1000000 cargo test --release -p vpce-reach-model --test fuzz`.
//! Inputs found by a failing run are kept in `proptest-regressions/` and replayed first.

use proptest::prelude::*;
use serde_json::{json, Value};
use vpce_reach_model::snapshot::SnapshotBuilder;
use vpce_reach_model::{check, evaluations, RuleParameters};

const DEMO: &[(&str, &str)] = &[
    // The hosted service of issue 16 (the provider side).
    (
        "provider/endpoint-service-configurations.json",
        include_str!("../../../events/demo/provider/endpoint-service-configurations.json"),
    ),
    (
        "provider/load-balancers.json",
        include_str!("../../../events/demo/provider/load-balancers.json"),
    ),
    (
        "provider/listeners.json",
        include_str!("../../../events/demo/provider/listeners.json"),
    ),
    (
        "provider/target-groups.json",
        include_str!("../../../events/demo/provider/target-groups.json"),
    ),
    (
        "provider/target-health.json",
        include_str!("../../../events/demo/provider/target-health.json"),
    ),
    (
        "provider/load-balancer-attributes.json",
        include_str!("../../../events/demo/provider/load-balancer-attributes.json"),
    ),
    (
        "provider/network-interfaces.json",
        include_str!("../../../events/demo/provider/network-interfaces.json"),
    ),
    (
        "provider/subnets.json",
        include_str!("../../../events/demo/provider/subnets.json"),
    ),
    (
        "provider/security-groups.json",
        include_str!("../../../events/demo/provider/security-groups.json"),
    ),
    (
        "security-groups.json",
        include_str!("../../../events/demo/security-groups.json"),
    ),
    (
        "network-acls.json",
        include_str!("../../../events/demo/network-acls.json"),
    ),
    (
        "route-tables.json",
        include_str!("../../../events/demo/route-tables.json"),
    ),
    (
        "network-interfaces.json",
        include_str!("../../../events/demo/network-interfaces.json"),
    ),
    (
        "vpc-endpoints.json",
        include_str!("../../../events/demo/vpc-endpoints.json"),
    ),
    (
        "subnets.json",
        include_str!("../../../events/demo/subnets.json"),
    ),
    ("vpcs.json", include_str!("../../../events/demo/vpcs.json")),
    (
        "prefix-lists.json",
        include_str!("../../../events/demo/prefix-lists.json"),
    ),
    // The hub-and-spoke over a transit gateway (issue 14): its link outputs and the two VPCs.
    (
        "hub/vpcs.json",
        include_str!("../../../events/demo/network-444455556666/vpcs.json"),
    ),
    (
        "hub/subnets.json",
        include_str!("../../../events/demo/network-444455556666/subnets.json"),
    ),
    (
        "hub/route-tables.json",
        include_str!("../../../events/demo/network-444455556666/route-tables.json"),
    ),
    (
        "hub/security-groups.json",
        include_str!("../../../events/demo/network-444455556666/security-groups.json"),
    ),
    (
        "hub/network-interfaces.json",
        include_str!("../../../events/demo/network-444455556666/network-interfaces.json"),
    ),
    (
        "hub/vpc-endpoints.json",
        include_str!("../../../events/demo/network-444455556666/vpc-endpoints.json"),
    ),
    (
        "hub/transit-gateways.json",
        include_str!("../../../events/demo/network-444455556666/transit-gateways.json"),
    ),
    (
        "hub/tgw-attachments.json",
        include_str!("../../../events/demo/network-444455556666/tgw-attachments.json"),
    ),
    (
        "hub/tgw-vpc-attachments.json",
        include_str!("../../../events/demo/network-444455556666/tgw-vpc-attachments.json"),
    ),
    (
        "hub/tgw-routes.json",
        include_str!("../../../events/demo/network-444455556666/tgw-routes.json"),
    ),
    (
        "hub/tgw-propagations.json",
        include_str!("../../../events/demo/network-444455556666/tgw-propagations.json"),
    ),
    (
        "spoke/vpcs.json",
        include_str!("../../../events/demo/spoke-vpc/vpcs.json"),
    ),
    (
        "spoke/subnets.json",
        include_str!("../../../events/demo/spoke-vpc/subnets.json"),
    ),
    (
        "spoke/route-tables.json",
        include_str!("../../../events/demo/spoke-vpc/route-tables.json"),
    ),
    (
        "spoke/security-groups.json",
        include_str!("../../../events/demo/spoke-vpc/security-groups.json"),
    ),
    (
        "spoke/network-interfaces.json",
        include_str!("../../../events/demo/spoke-vpc/network-interfaces.json"),
    ),
];

/// Loads the documents; when they load, runs the whole check and checks the evaluations.
fn load_and_check(docs: &[(String, String)], params: &RuleParameters) {
    let mut builder = SnapshotBuilder::new();
    for (name, text) in docs {
        if let Err(e) = builder.add_json(name, text) {
            assert!(
                e.to_string().starts_with(name.as_str()),
                "error must name the file: {e}"
            );
            return;
        }
    }
    let snap = builder.finish();
    let report = check(&snap, params);
    for e in evaluations(&snap, &report) {
        let n = e.annotation.chars().count();
        assert!(
            n > 0 && n <= 256,
            "annotation of {}: {n} chars",
            e.compliance_resource_id
        );
    }
}

fn demo_docs() -> Vec<(String, String)> {
    DEMO.iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// Values of every JSON type, nested a little.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9./:-]{0,20}".prop_map(Value::String),
        prop_oneof![
            "10.0.0.0/16",
            "0.0.0.0/0",
            "10.0.2.10",
            "::/0",
            "300.1.1.1/8",
            "-1",
            "6",
            "tcp",
            "allow",
            "deny"
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "GroupId",
                    "VpcId",
                    "SubnetId",
                    "CidrBlock",
                    "CidrIp",
                    "RuleNumber",
                    "Egress",
                    "Protocol",
                    "RuleAction",
                    "PortRange",
                    "From",
                    "To",
                    "IpPermissionsEgress",
                    "IpProtocol",
                    "FromPort",
                    "ToPort",
                    "IpRanges",
                    "NetworkInterfaceId",
                    "PrivateIpAddress",
                    "Groups",
                    "Entries",
                    "Associations",
                    "Main",
                    "Routes",
                    "DestinationCidrBlock",
                    "GatewayId",
                    "VpcEndpointId",
                    "VpcEndpointType",
                    "ServiceName",
                    "NetworkInterfaceIds",
                    "State",
                    "Value",
                    "TransitGatewayId",
                    "TransitGatewayAttachmentId",
                    "TransitGatewayRouteTableId",
                    "TransitGatewayAttachments",
                    "TransitGatewayRouteTablePropagations",
                    "SubnetIds",
                    "Association",
                    "Options",
                    "SecurityGroupReferencingSupport",
                    "ResourceId",
                    "ResourceType",
                    "Type",
                    "AvailabilityZone",
                    "VpcPeeringConnectionId",
                    "Status",
                    "Code",
                    "AccepterVpcInfo",
                    "RequesterVpcInfo"
                ]
                .prop_map(String::from),
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text is an error or a (possibly empty) snapshot, never a panic.
    #[test]
    fn loader_survives_any_text(text in ".{0,200}") {
        load_and_check(&[("any.json".into(), text)], &RuleParameters::default());
    }

    /// Real files with a byte range cut out or overwritten: errors name the file, or the
    /// check runs to the end.
    #[test]
    fn loader_survives_damaged_real_files(file in 0..DEMO.len(), at in any::<prop::sample::Index>(),
                                          len in 0usize..40, junk in "[\\[\\]{}\",:0-9a-z -]{0,8}") {
        let mut docs = demo_docs();
        let text = &docs[file].1;
        let start = at.index(text.len());
        let end = (start + len).min(text.len());
        let (start, end) = (floor(text, start), floor(text, end));
        docs[file].1 = format!("{}{}{}", &text[..start], junk, &text[end..]);
        load_and_check(&docs, &RuleParameters::default());
    }

    /// Structurally plausible documents with wrong types, missing fields and odd values.
    #[test]
    fn check_survives_odd_documents(key in prop_oneof!["SecurityGroups", "NetworkAcls", "RouteTables", "NetworkInterfaces",
                                                      "VpcEndpoints", "Subnets", "PrefixLists", "Vpcs",
                                                      "TransitGateways", "TransitGatewayAttachments",
                                                      "TransitGatewayVpcAttachments", "TransitGatewayRouteTables",
                                                      "TransitGatewayStaticRoutes", "TransitGatewayPropagations",
                                                      "VpcPeeringConnections", "ServiceConfigurations",
                                                      "LoadBalancers", "Listeners", "LoadBalancerListeners",
                                                      "TargetGroups", "LoadBalancerTargetHealth",
                                                      "LoadBalancerAttributes", "TargetGroupAttributes"],
                                    items in prop::collection::vec(arb_json(), 0..4)) {
        let mut docs = demo_docs();
        docs.push(("odd.json".into(), json!({ key: items }).to_string()));
        load_and_check(&docs, &RuleParameters::default());
    }

    /// Rule parameters: any key and value is accepted or refused with the key named.
    #[test]
    fn parameters_never_panic(key in prop_oneof!["RequiredServices", "ConsumerTag", "EphemeralPorts", "ServicePorts", ".{0,12}"],
                              value in ".{0,30}") {
        match RuleParameters::from_pairs([(key.as_str(), value.as_str())]) {
            Ok(params) => load_and_check(&demo_docs(), &params),
            Err(e) => prop_assert_eq!(e.key, key),
        }
        let _ = RuleParameters::from_json(&value);
    }
}

/// The nearest char boundary at or below `i`.
fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
