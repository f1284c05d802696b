//! The sample events of `events/change-watch/`: every handled API has one, each parses and
//! names the resources it touched, the failed call is recognised, and `sqs-batch.json` is an
//! SQS event whose bodies are sample files, as `cargo lambda invoke --data-file` sends it.

use std::path::PathBuf;

use aws_lambda_events::event::sqs::SqsEvent;
use change_watch::changes::{
    classify, handled_dns_event_names, handled_elb_event_names, handled_event_names, Classified,
};
use change_watch::cloudtrail::EventBridgeEvent;
use serde_json::Value;

fn events_dir() -> PathBuf {
    vpce_reach_testkit::workspace_root().join("events/change-watch")
}

fn read(name: &str) -> String {
    let path = events_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn classify_file(name: &str) -> Classified {
    let event = EventBridgeEvent::parse(name, &read(name)).unwrap();
    assert!(event.is_handled_api_call(), "{name}");
    classify(name, &event.account, &event.api_call(name).unwrap())
}

const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/orders-nlb/50dc6c495c0c9188";
const LB_OLD: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/orders-nlb-old/3a9f0e2b7c1d4e56";
const TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/orders-tg/73e2d6bc24d8a067";
const LISTENER: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/net/orders-nlb/50dc6c495c0c9188/f2f7dc8efc522ab2";

/// The resources each sample names, as docs/change-alerts.md documents them.
const EXPECTED: &[(&str, &[&str])] = &[
    ("AuthorizeSecurityGroupEgress", &["sg-0b5e2c4f1a9d83e76"]),
    ("AuthorizeSecurityGroupIngress", &["sg-0e1a7c3b9f4d26a58"]),
    ("RevokeSecurityGroupEgress", &["sg-0b5e2c4f1a9d83e76"]),
    ("RevokeSecurityGroupIngress", &["sg-0e1a7c3b9f4d26a58"]),
    ("ModifySecurityGroupRules", &["sg-0b5e2c4f1a9d83e76"]),
    (
        "ModifyNetworkInterfaceAttribute",
        &["eni-0f6c1a8d3e9b54d27"],
    ),
    (
        "CreateVpcEndpoint",
        &["vpce-0d4a7e2c9b1f63a85", "vpc-0a3f5c1e7b9d24680"],
    ),
    ("ModifyVpcEndpoint", &["vpce-0c2e6a9d3f7b41c85"]),
    (
        "DeleteVpcEndpoints",
        &["vpce-0c2e6a9d3f7b41c85", "vpce-0d4a7e2c9b1f63a85"],
    ),
    ("CreateRoute", &["rtb-06f1c3e8a5d2b97c4"]),
    ("ReplaceRoute", &["rtb-06f1c3e8a5d2b97c4"]),
    ("DeleteRoute", &["rtb-06f1c3e8a5d2b97c4"]),
    (
        "AssociateRouteTable",
        &[
            "rtb-06f1c3e8a5d2b97c4",
            "subnet-0f3a5c7e9b1d24680",
            "rtbassoc-0a2c4e6f8b1d35792",
        ],
    ),
    (
        "ReplaceRouteTableAssociation",
        &["rtb-0e8c2a4f6b9d13572", "rtbassoc-0b3d5f7a9c1e24683"],
    ),
    ("DisassociateRouteTable", &["rtbassoc-0b3d5f7a9c1e24683"]),
    (
        "ReplaceNetworkAclAssociation",
        &["acl-0c4d7b2a9e5f13c68", "aclassoc-0d2f4b6c8e1a35792"],
    ),
    ("CreateNetworkAclEntry", &["acl-0c4d7b2a9e5f13c68"]),
    ("ReplaceNetworkAclEntry", &["acl-0c4d7b2a9e5f13c68"]),
    ("DeleteNetworkAclEntry", &["acl-0c4d7b2a9e5f13c68"]),
    ("ModifyManagedPrefixList", &["pl-0a9b8c7d6e5f43210"]),
    ("ModifyVpcAttribute", &["vpc-0a3f5c1e7b9d24680"]),
    (
        "AssociateDhcpOptions",
        &["vpc-0a3f5c1e7b9d24680", "dopt-0a7c2e5b9d1f43680"],
    ),
    (
        "CreateTransitGatewayRoute",
        &["tgw-rtb-0d5f2b8e4a1c63970", "tgw-attach-0e4a8c2f6b1d93570"],
    ),
    ("ReplaceTransitGatewayRoute", &["tgw-rtb-0d5f2b8e4a1c63970"]),
    ("DeleteTransitGatewayRoute", &["tgw-rtb-0d5f2b8e4a1c63970"]),
    (
        "AssociateTransitGatewayRouteTable",
        &["tgw-rtb-0d5f2b8e4a1c63970", "tgw-attach-0b6d3f9a2e5c71840"],
    ),
    (
        "DisassociateTransitGatewayRouteTable",
        &["tgw-rtb-0d5f2b8e4a1c63970", "tgw-attach-0b6d3f9a2e5c71840"],
    ),
    (
        "EnableTransitGatewayRouteTablePropagation",
        &["tgw-rtb-0d5f2b8e4a1c63970", "tgw-attach-0e4a8c2f6b1d93570"],
    ),
    (
        "DisableTransitGatewayRouteTablePropagation",
        &["tgw-rtb-0d5f2b8e4a1c63970", "tgw-attach-0e4a8c2f6b1d93570"],
    ),
    (
        "CreateTransitGatewayVpcAttachment",
        &["vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "ModifyTransitGatewayVpcAttachment",
        &["tgw-attach-0b6d3f9a2e5c71840", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "AcceptTransitGatewayVpcAttachment",
        &["tgw-attach-0b6d3f9a2e5c71840", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "DeleteTransitGatewayVpcAttachment",
        &["tgw-attach-0b6d3f9a2e5c71840", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "CreateVpcPeeringConnection",
        &[
            "vpc-0a3f5c1e7b9d24680",
            "vpc-0c7e1a9d5b3f42860",
            "pcx-0f3b7d1e5a9c24680",
        ],
    ),
    (
        "AcceptVpcPeeringConnection",
        &[
            "pcx-0f3b7d1e5a9c24680",
            "vpc-0a3f5c1e7b9d24680",
            "vpc-0c7e1a9d5b3f42860",
        ],
    ),
    ("RejectVpcPeeringConnection", &["pcx-0f3b7d1e5a9c24680"]),
    ("DeleteVpcPeeringConnection", &["pcx-0f3b7d1e5a9c24680"]),
    // DNS (issue 15): Route 53 (events in us-east-1) and the Resolver.
    ("ChangeResourceRecordSets", &["Z0479163EXAMPLESSM01"]),
    (
        "AssociateVPCWithHostedZone",
        &["Z0479163EXAMPLESSM01", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "DisassociateVPCFromHostedZone",
        &["Z0479163EXAMPLESSM01", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "AssociateResolverRule",
        &["rslvr-rr-0c1d2e3f4a5b6c7d8", "vpc-0a3f5c1e7b9d24680"],
    ),
    (
        "DisassociateResolverRule",
        &["rslvr-rr-0c1d2e3f4a5b6c7d8", "vpc-0a3f5c1e7b9d24680"],
    ),
    ("UpdateResolverRule", &["rslvr-rr-0c1d2e3f4a5b6c7d8"]),
    // The provider side (issue 16).
    (
        "ModifyVpcEndpointServiceConfiguration",
        &["vpce-svc-0a1b2c3d4e5f60718", LB_OLD],
    ),
    ("RegisterTargets", &[TG]),
    ("DeregisterTargets", &[TG]),
    ("CreateListener", &[LB, LISTENER]),
    ("ModifyListener", &[LISTENER]),
    ("DeleteListener", &[LISTENER]),
    ("ModifyTargetGroup", &[TG]),
    ("ModifyTargetGroupAttributes", &[TG]),
    ("ModifyLoadBalancerAttributes", &[LB]),
    ("SetSecurityGroups", &[LB, "sg-0f1e2d3c4b5a69788"]),
];

#[test]
fn every_handled_api_has_a_sample_naming_its_resources() {
    let mut names: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    names.sort();
    let mut handled = handled_event_names();
    for (_, dns) in handled_dns_event_names() {
        handled.extend(dns);
    }
    handled.extend(handled_elb_event_names());
    handled.sort();
    assert_eq!(names, handled);
    for (name, ids) in EXPECTED {
        match classify_file(&format!("{name}.json")) {
            Classified::Change(c) => {
                assert_eq!(&c.event_name, name);
                assert_eq!(c.resources, *ids, "{name}");
                assert!(c.who.starts_with("arn:aws:"), "{name}: {}", c.who);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn the_failed_call_is_recognised() {
    match classify_file("failed-RevokeSecurityGroupEgress.json") {
        Classified::Failed {
            event_name,
            error_code,
        } => {
            assert_eq!(
                (event_name.as_str(), error_code.as_str()),
                ("RevokeSecurityGroupEgress", "Client.UnauthorizedOperation")
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_sqs_batch_wraps_sample_files() {
    let batch: SqsEvent = serde_json::from_str(&read("sqs-batch.json")).unwrap();
    assert!(batch.records.len() >= 4);
    let samples: Vec<Value> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "sqs-batch.json")
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    for record in &batch.records {
        assert!(record.message_id.is_some());
        let body: Value = serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
        assert!(
            samples.contains(&body),
            "a body that is no sample file: {body}"
        );
    }
}
