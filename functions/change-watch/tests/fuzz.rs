//! Fuzzing, proptest-driven so it runs briefly in every CI run: an SQS record body goes through
//! what the handler does before any AWS call (EventBridge envelope, CloudTrail record,
//! classification and resource ids, who made the call) and ends in a change, an ignored call,
//! or an error naming the SQS message: never a panic, whatever the input.
//!
//! A longer run: `PROPTEST_CASES=1000000 cargo test --release -p vpce-reach-change-watch --test fuzz`.
//! Inputs found by a failing run are kept in `proptest-regressions/` and replayed first; the
//! ones worth keeping for good are copied into `regressions` below.

use change_watch::changes::{classify, Classified};
use change_watch::cloudtrail::EventBridgeEvent;
use proptest::prelude::*;
use serde_json::{json, Value};
use vpce_reach_testkit::fuzz::{damage_at, Vocabulary};

const MESSAGE_ID: &str = "fuzz-message-1";

/// Every sample event of `events/change-watch/` (the SQS batch's bodies included).
fn samples() -> Vec<String> {
    let dir = vpce_reach_testkit::workspace_root().join("events/change-watch");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with("sqs-batch.json") {
            let batch: Value = serde_json::from_str(&text).unwrap();
            for record in batch["Records"].as_array().unwrap() {
                out.push(record["body"].as_str().unwrap().to_owned());
            }
        } else {
            out.push(text);
        }
    }
    assert!(out.len() > 20, "samples: {}", out.len());
    out
}

/// What the handler does with one record body before calling AWS.
fn read(body: &str) {
    let event = match EventBridgeEvent::parse(MESSAGE_ID, body) {
        Ok(event) => event,
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.starts_with(&format!(
                    "SQS message {MESSAGE_ID}: not an EventBridge event"
                )),
                "{text}"
            );
            return;
        }
    };
    if !event.is_ec2_api_call() {
        return;
    }
    let call = match event.api_call(MESSAGE_ID) {
        Ok(call) => call,
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("SQS message {MESSAGE_ID}: event {}", event.id)),
                "{text}"
            );
            return;
        }
    };
    let _ = (
        call.failed(),
        call.user_identity.who(),
        call.user_identity.issuer_arn(),
    );
    match classify(MESSAGE_ID, &event.account, &call) {
        Classified::Change(change) => {
            assert_eq!(change.message_id, MESSAGE_ID);
            assert!(!call.failed());
            let mut seen = change.resources.clone();
            seen.dedup();
            assert_eq!(seen.len(), change.resources.len(), "ids without repeats");
            let _ = change.vpc_ids().count();
        }
        Classified::Failed { .. } => assert!(call.failed()),
        Classified::Irrelevant { .. } => {}
    }
}

/// Request/response shapes: every JSON type, nested a little, with the keys the id reader
/// walks (camelCase, PascalCase request wrappers, `items` and `{"tag", "content"}` lists).
fn arb_json() -> impl Strategy<Value = Value> {
    vpce_reach_testkit::fuzz::arb_json(Vocabulary {
        text: "[a-z0-9-]{0,20}",
        words: &[
            "sg-0b3a8e6d2f5c94a17",
            "vpc-0d4e8a2c6f1b39a75",
            "rtb-06f1c3e8a5d2b97c4",
            "acl-1",
            "eni-1",
            "vpce-1",
            "subnet-1",
            "pl-1",
            "rtbassoc-1",
            "aclassoc-1",
            "sg-",
            "",
        ],
        keys: &[
            "groupId",
            "securityGroupRuleSet",
            "items",
            "networkInterfaceId",
            "groupSet",
            "routeTableId",
            "subnetId",
            "vpcId",
            "networkAclId",
            "associationId",
            "newAssociationId",
            "vpcEndpoint",
            "vpcEndpointId",
            "VpcEndpointId",
            "VpcId",
            "content",
            "tag",
            "ModifySecurityGroupRulesRequest",
            "GroupId",
            "ModifyManagedPrefixListRequest",
            "PrefixListId",
            "CreateVpcEndpointRequest",
            "DeleteVpcEndpointsRequest",
            "ModifyVpcEndpointRequest",
        ],
        depth: 4,
        size: 32,
    })
}

fn arb_event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "AuthorizeSecurityGroupEgress",
            "AuthorizeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "ModifySecurityGroupRules",
            "ModifyNetworkInterfaceAttribute",
            "CreateVpcEndpoint",
            "ModifyVpcEndpoint",
            "DeleteVpcEndpoints",
            "CreateRoute",
            "ReplaceRoute",
            "DeleteRoute",
            "AssociateRouteTable",
            "ReplaceRouteTableAssociation",
            "DisassociateRouteTable",
            "ReplaceNetworkAclAssociation",
            "CreateNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "DeleteNetworkAclEntry",
            "ModifyManagedPrefixList",
            "ModifyVpcAttribute",
        ])
        .prop_map(String::from),
        "[A-Za-z]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text as a record body.
    #[test]
    fn record_body_survives_any_text(text in ".{0,200}") {
        read(&text);
    }

    /// Real-shaped CloudTrail records of handled and other calls, with odd requests and
    /// responses, odd identities, failed or not.
    #[test]
    fn api_call_survives_odd_requests(name in arb_event_name(), request in arb_json(), response in arb_json(),
                                      identity in arb_json(), failed in any::<bool>(), source in prop_oneof![
                                          Just("ec2.amazonaws.com".to_owned()), "[a-z.]{0,16}"]) {
        let mut detail = json!({
            "eventName": name, "eventSource": source, "eventTime": "2025-03-04T10:00:00Z",
            "awsRegion": "us-east-1", "requestParameters": request, "responseElements": response,
        });
        if identity.is_object() {
            detail["userIdentity"] = identity;
        }
        if failed {
            detail["errorCode"] = json!("Client.UnauthorizedOperation");
        }
        let body = json!({
            "version": "0", "id": "ev-1", "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ec2", "account": "111122223333", "region": "us-east-1", "detail": detail
        });
        read(&body.to_string());
    }

    /// The sample events with a byte range cut out or overwritten.
    #[test]
    fn damaged_sample_events(file in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(),
                             len in 0usize..40, junk in "[\\[\\]{}\",:0-9a-zA-Z -]{0,8}") {
        let samples = samples();
        let text = &samples[file.index(samples.len())];
        read(&damage_at(text, at, len, &junk));
    }

    /// The sample events with one JSON value somewhere in `detail` replaced.
    #[test]
    fn sample_events_with_a_value_replaced(file in any::<prop::sample::Index>(), pick in any::<prop::sample::Index>(),
                                           value in arb_json()) {
        let samples = samples();
        let mut event: Value = serde_json::from_str(&samples[file.index(samples.len())]).unwrap();
        let mut slots = Vec::new();
        pointers(&event["detail"], "/detail".to_owned(), &mut slots);
        let slot = &slots[pick.index(slots.len())];
        *event.pointer_mut(slot).unwrap() = value;
        read(&event.to_string());
    }
}

/// The JSON pointers of every value under `value` (itself included).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Inputs kept for good: shapes a change of the types must keep handling cleanly.
#[test]
fn regressions() {
    let envelope = |detail: Value| {
        json!({"id": "ev-1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
               "account": "1", "detail": detail})
        .to_string()
    };
    for body in [
        String::new(),
        "null".to_owned(),
        r#"{"id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2"}"#.to_owned(),
        envelope(json!(null)),
        envelope(json!([])),
        envelope(
            json!({"eventName": "CreateRoute", "eventSource": "ec2.amazonaws.com", "userIdentity": null}),
        ),
        envelope(
            json!({"eventName": "CreateRoute", "eventSource": "ec2.amazonaws.com",
                        "requestParameters": {"routeTableId": {"content": {"content": "rtb-1"}}}}),
        ),
        envelope(
            json!({"eventName": "AuthorizeSecurityGroupEgress", "eventSource": "ec2.amazonaws.com",
                        "requestParameters": {"groupId": ["sg-1", "sg-1", 7, null]},
                        "responseElements": {"securityGroupRuleSet": {"items": [{"groupId": "sg-1"}, []]}}}),
        ),
        envelope(
            json!({"eventName": "ModifyVpcAttribute", "eventSource": "ec2.amazonaws.com",
                        "errorCode": null, "requestParameters": "vpc-1"}),
        ),
    ] {
        read(&body);
    }
    for sample in samples() {
        read(&sample);
    }
}
