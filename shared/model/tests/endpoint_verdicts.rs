//! Endpoint verdicts (issue 13, items 1 and 2): endpoint policies judged by their effect on the
//! service the endpoint carries, and endpoint states (only a deleted or deleting endpoint is
//! gone). One small VPC that works, then one change per case.

use serde_json::{json, Value};
use vpce_reach_model::{check, evaluations, ComplianceType, Evaluation, Report, RuleParameters};

use vpce_reach_model::snapshot::SnapshotBuilder;

const ALLOW_ALL: &str = r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#;

/// One VPC, one workload (eni-app) reaching an SSM interface endpoint and S3 and DynamoDB
/// gateway endpoints, all allowed: no findings.
fn base() -> Vec<(&'static str, Vec<Value>)> {
    let acl_entries = json!([
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]);
    let https = |peer: Value| {
        let mut r = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443});
        for (k, v) in peer.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let eni = |id: &str, ip: &str, subnet: &str, group: &str, kind: &str| {
        json!({"NetworkInterfaceId": id, "InterfaceType": kind, "RequesterManaged": kind != "interface",
               "Status": "in-use", "SubnetId": subnet, "VpcId": "vpc-1", "PrivateIpAddress": ip,
               "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true}],
               "Groups": [{"GroupId": group}], "TagSet": []})
    };
    vec![
        (
            "Vpcs",
            vec![json!({"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"})],
        ),
        (
            "Subnets",
            vec![
                json!({"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}),
                json!({"SubnetId": "subnet-ep", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}),
            ],
        ),
        (
            "NetworkAcls",
            vec![
                json!({"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Associations": [], "Entries": acl_entries}),
            ],
        ),
        (
            "RouteTables",
            vec![
                json!({"RouteTableId": "rtb-main", "VpcId": "vpc-1",
                   "Associations": [{"Main": true, "AssociationState": {"State": "associated"}}],
                   "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]}),
                json!({"RouteTableId": "rtb-app", "VpcId": "vpc-1",
                   "Associations": [{"Main": false, "SubnetId": "subnet-app", "AssociationState": {"State": "associated"}}],
                   "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                              {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3", "State": "active"},
                              {"DestinationPrefixListId": "pl-ddb", "GatewayId": "vpce-ddb", "State": "active"}]}),
            ],
        ),
        (
            "SecurityGroups",
            vec![
                json!({"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": [
                    https(json!({"UserIdGroupPairs": [{"GroupId": "sg-ep"}]})),
                    https(json!({"PrefixListIds": [{"PrefixListId": "pl-s3"}, {"PrefixListId": "pl-ddb"}]}))]}),
                json!({"GroupId": "sg-ep", "VpcId": "vpc-1", "IpPermissionsEgress": [],
                   "IpPermissions": [https(json!({"IpRanges": [{"CidrIp": "10.0.0.0/16"}]}))]}),
            ],
        ),
        (
            "NetworkInterfaces",
            vec![
                eni("eni-app", "10.0.1.10", "subnet-app", "sg-app", "interface"),
                eni("eni-ep", "10.0.2.10", "subnet-ep", "sg-ep", "vpc_endpoint"),
            ],
        ),
        (
            "VpcEndpoints",
            vec![
                json!({"VpcEndpointId": "vpce-ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
                   "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "PrivateDnsEnabled": true,
                   "Groups": [{"GroupId": "sg-ep", "GroupName": "ep"}], "SubnetIds": ["subnet-ep"],
                   "NetworkInterfaceIds": ["eni-ep"], "RouteTableIds": []}),
                json!({"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
                   "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available",
                   "RouteTableIds": ["rtb-app"], "Groups": [], "SubnetIds": [], "NetworkInterfaceIds": []}),
                json!({"VpcEndpointId": "vpce-ddb", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
                   "ServiceName": "com.amazonaws.us-east-1.dynamodb", "State": "available",
                   "RouteTableIds": ["rtb-app"], "Groups": [], "SubnetIds": [], "NetworkInterfaceIds": []}),
            ],
        ),
        (
            "PrefixLists",
            vec![
                json!({"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15"]}),
                json!({"PrefixListId": "pl-ddb", "PrefixListName": "com.amazonaws.us-east-1.dynamodb", "Cidrs": ["3.218.180.0/22"]}),
            ],
        ),
    ]
}

fn endpoint<'a>(docs: &'a mut [(&'static str, Vec<Value>)], id: &str) -> &'a mut Value {
    let (_, endpoints) = docs.iter_mut().find(|(k, _)| *k == "VpcEndpoints").unwrap();
    endpoints
        .iter_mut()
        .find(|e| e["VpcEndpointId"] == id)
        .unwrap()
}

fn run(docs: &[(&'static str, Vec<Value>)], params: &[(&str, &str)]) -> (Report, Vec<Evaluation>) {
    let mut b = SnapshotBuilder::new();
    for (key, items) in docs {
        let mut doc = serde_json::Map::new();
        doc.insert(key.to_string(), json!(items));
        b.add_json(key, &Value::Object(doc).to_string()).unwrap();
    }
    for attr in ["EnableDnsSupport", "EnableDnsHostnames"] {
        let mut doc = serde_json::Map::new();
        doc.insert("VpcId".into(), json!("vpc-1"));
        doc.insert(attr.into(), json!({"Value": true}));
        b.add_json(attr, &Value::Object(doc).to_string()).unwrap();
    }
    let snap = b.finish();
    let params = RuleParameters::from_pairs(params.iter().copied()).unwrap();
    let report = check(&snap, &params);
    let evals = evaluations(&snap, &report);
    (report, evals)
}

/// `(code, component)` of every finding, sorted.
fn codes(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.component.to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn verdict<'a>(evals: &'a [Evaluation], id: &str) -> (&'a ComplianceType, &'a str) {
    let e = evals
        .iter()
        .find(|e| e.compliance_resource_id == id)
        .unwrap();
    (&e.compliance_type, &e.annotation)
}

fn one(code: &str, component: &str) -> Vec<(String, String)> {
    vec![(code.to_string(), component.to_string())]
}

#[test]
fn the_base_has_no_findings() {
    let (report, evals) = run(&base(), &[]);
    assert_eq!(codes(&report), vec![]);
    for id in ["vpce-ssm", "vpce-s3", "vpce-ddb"] {
        assert_eq!(*verdict(&evals, id).0, ComplianceType::Compliant, "{id}");
    }
}

// ---- Item 1: policies by effect ----

fn with_policy(id: &str, statements: &str) -> Vec<(&'static str, Vec<Value>)> {
    let mut docs = base();
    endpoint(&mut docs, id)["PolicyDocument"] = json!(format!(
        r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
    ));
    docs
}

#[test]
fn a_deny_of_the_service_prefix_lets_nothing_through() {
    let denies = [
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#,
        ),
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["S3:*"],"Resource":["*"]}"#,
        ),
        (
            "vpce-ddb",
            r#"{"Effect":"Deny","Principal":"*","Action":["dynamodb:*"],"Resource":"*"}"#,
        ),
        (
            "vpce-ssm",
            r#"{"Effect":"Deny","Principal":"*","Action":"ssm:*","Resource":"*"}"#,
        ),
        // Everything but another service's action: nothing of this one.
        (
            "vpce-ddb",
            r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}"#,
        ),
    ];
    for (id, deny) in denies {
        let docs = with_policy(id, &format!("{ALLOW_ALL},{deny}"));
        let (report, evals) = run(&docs, &[]);
        assert_eq!(codes(&report), one("ENDPOINT_POLICY_DENIES", id), "{deny}");
        let (verdict, annotation) = verdict(&evals, id);
        assert_eq!(*verdict, ComplianceType::NonCompliant, "{deny}");
        assert!(
            annotation.contains("endpoint policy denies"),
            "{annotation}"
        );
    }
}

#[test]
fn an_s3_policy_on_a_dynamodb_endpoint_lets_nothing_through() {
    let s3_only = r#"{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"}"#;
    let (report, evals) = run(&with_policy("vpce-ddb", s3_only), &[]);
    assert_eq!(codes(&report), one("ENDPOINT_POLICY_DENIES", "vpce-ddb"));
    let (verdict, annotation) = verdict(&evals, "vpce-ddb");
    assert_eq!(*verdict, ComplianceType::NonCompliant);
    assert!(
        annotation.contains("only actions of other services"),
        "{annotation}"
    );
    // The same policy on the S3 endpoint is IAM's business, not the path's.
    let (report, _) = run(&with_policy("vpce-s3", s3_only), &[]);
    assert_eq!(codes(&report), vec![]);
}

#[test]
fn scoped_policies_may_restrict_and_block_nothing() {
    let scoped = [
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}"#,
        ),
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}"#,
        ),
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}"#,
        ),
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"*"}"#,
        ),
        // Another service's deny on this endpoint denies nothing it carries.
        (
            "vpce-ddb",
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#,
        ),
        (
            "vpce-s3",
            r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}"#,
        ),
    ];
    for (id, deny) in scoped {
        let (report, evals) = run(&with_policy(id, &format!("{ALLOW_ALL},{deny}")), &[]);
        assert_eq!(codes(&report), vec![], "{deny}");
        assert_eq!(*verdict(&evals, id).0, ComplianceType::Compliant, "{deny}");
    }
}

// ---- Item 2: only a deleted (or deleting) endpoint is gone ----

fn with_state(id: &str, state: &str) -> Vec<(&'static str, Vec<Value>)> {
    let mut docs = base();
    endpoint(&mut docs, id)["State"] = json!(state);
    docs
}

#[test]
fn endpoints_that_are_not_available_still_fail_their_pairs() {
    let states = [
        "rejected",
        "expired",
        "failed",
        "pendingAcceptance",
        "pending",
        "partial",
        "Rejected",
        "Failed",
    ];
    for id in ["vpce-ssm", "vpce-s3"] {
        for state in states {
            let (report, evals) = run(&with_state(id, state), &[]);
            assert_eq!(
                codes(&report),
                one("ENDPOINT_NOT_AVAILABLE", id),
                "{id} {state}"
            );
            let (verdict, annotation) = verdict(&evals, id);
            assert_eq!(*verdict, ComplianceType::NonCompliant, "{id} {state}");
            assert!(annotation.contains("not available"), "{annotation}");
        }
    }
}

#[test]
fn a_rejected_endpoint_is_the_services_endpoint_not_a_missing_one() {
    let (report, _) = run(
        &with_state("vpce-ssm", "rejected"),
        &[("RequiredServices", "ssm")],
    );
    assert_eq!(codes(&report), one("ENDPOINT_NOT_AVAILABLE", "vpce-ssm"));
}

#[test]
fn an_unavailable_endpoint_without_pairs_is_still_non_compliant() {
    for state in ["rejected", "pending", "failed", "expired"] {
        let mut docs = with_state("vpce-ssm", state);
        // No workload: no pair reports the endpoint.
        let (_, enis) = docs
            .iter_mut()
            .find(|(k, _)| *k == "NetworkInterfaces")
            .unwrap();
        enis.retain(|e| e["NetworkInterfaceId"] != "eni-app");
        let (report, evals) = run(&docs, &[]);
        assert_eq!(codes(&report), vec![], "{state}");
        let (verdict, annotation) = verdict(&evals, "vpce-ssm");
        assert_eq!(*verdict, ComplianceType::NonCompliant, "{state}");
        assert!(
            annotation.starts_with(&format!(
                "vpce-ssm is `{}`, not available",
                state.to_ascii_lowercase()
            )),
            "{annotation}"
        );
    }
}

#[test]
fn deleted_and_deleting_endpoints_are_gone() {
    for state in ["deleted", "deleting", "Deleting"] {
        let (report, evals) = run(
            &with_state("vpce-ssm", state),
            &[("RequiredServices", "ssm")],
        );
        assert_eq!(
            codes(&report),
            one("NO_ENDPOINT_FOR_SERVICE", "vpc-1"),
            "{state}"
        );
        assert_eq!(
            *verdict(&evals, "vpce-ssm").0,
            ComplianceType::NotApplicable,
            "{state}"
        );
    }
}
