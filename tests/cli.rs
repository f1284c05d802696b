//! The command-line contract of docs/spec.md section 8, on the bundled demo and on bad input.

mod common;

use common::{check_json, compliance_of, demo, finding_keys, vpce_reach};

fn key(
    code: &str,
    component: &str,
    direction: &str,
    source: &str,
    endpoint: &str,
) -> (String, String, String, String, String) {
    (
        code.into(),
        component.into(),
        direction.into(),
        source.into(),
        endpoint.into(),
    )
}

#[test]
fn demo_shows_the_seed_findings() {
    let (code, json) = check_json(&demo(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_keys(&json),
        vec![
            // Issue 16: the hosted orders service's targets fail their health checks (they come
            // from the NLB, which their group does not admit).
            key(
                "ELB_NO_HEALTHY_TARGET",
                "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:targetgroup/orders-tg/3f8a1d6c9e2b4705",
                "-",
                "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/net/orders-nlb/7c1e4a9d2b6f8305",
                "vpce-svc-0c4f7a2e9d1b63580"
            ),
            key(
                "ENDPOINT_UNREACHABLE",
                "vpce-0c2e6a9d3f7b41c85",
                "ingress",
                "-",
                "vpce-0c2e6a9d3f7b41c85"
            ),
            // The hub's STS endpoint: its only (spoke) workload gets no reply.
            key(
                "ENDPOINT_UNREACHABLE",
                "vpce-0d5f1b8e3a6c9247f",
                "ingress",
                "-",
                "vpce-0d5f1b8e3a6c9247f"
            ),
            // batch-uploader lacks the S3 prefix list.
            key(
                "ENI_SG_RULES_MISMATCH",
                "sg-08e4c2a7f1b9d6e35",
                "egress",
                "eni-0c8e2f6b4a9d17a35",
                "vpce-0f4b8d2a6c9e13a57"
            ),
            // app-strict forgets the SSM endpoint.
            key(
                "ENI_SG_RULES_MISMATCH",
                "sg-0b3a8e6d2f5c94a17",
                "egress",
                "eni-05d9a3f7c2e1b8d64",
                "vpce-0a7c3e9f1b5d28e64"
            ),
            // The classic mistake (issue 16): the orders targets' group admits the consumers'
            // CIDR, not the NLB's private IPs.
            key(
                "ENI_SG_RULES_MISMATCH",
                "sg-0d6a3f9c1e7b24a58",
                "ingress",
                "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/net/orders-nlb/7c1e4a9d2b6f8305",
                "vpce-svc-0c4f7a2e9d1b63580"
            ),
            // Issue 17: the dual-stack Secrets Manager endpoint's group admits the VPC's IPv4
            // block only: the dual-stack workload is blocked over IPv6 (the IPv4-only one
            // reaches it).
            key(
                "ENI_SG_RULES_MISMATCH",
                "sg-0e3c7a1f9d5b28e64",
                "ingress",
                "eni-0e6f2c8a4d1b93e57",
                "vpce-0e8b3f1d6a2c94e75"
            ),
            // VPC B's zone sends ssm to A's endpoint (R7 across VPCs), and nothing links B
            // to A: B's workload stops at its own route table.
            key(
                "NO_ROUTE_TO_DESTINATION",
                "rtb-06f1c3e8a5d2b97c4",
                "egress",
                "eni-0f6c1a8d3e9b54d27",
                "vpce-0a7c3e9f1b5d28e64"
            ),
            // The hub's endpoint subnet has no route back to the spoke over the TGW.
            key(
                "NO_ROUTE_TO_DESTINATION",
                "rtb-0a6c2e8f4b1d9357c",
                "return-egress",
                "eni-0b5d9f3a1e7c2468d",
                "vpce-0d5f1b8e3a6c9247f"
            ),
            // VPC B's endpoint subnet forgot the ephemeral return range.
            key(
                "SUBNET_ACL_RESTRICTION",
                "acl-0c4d7b2a9e5f13c68",
                "return-egress",
                "eni-0f6c1a8d3e9b54d27",
                "vpce-0c2e6a9d3f7b41c85"
            ),
        ]
    );
    // The three correct forms and the Lambda ENI pass; their groups are compliant.
    for sg in [
        "sg-01f8b3d6a2e4c9571",
        "sg-0c7e2a5f9b3d1e846",
        "sg-04d9f1b7e3a6c2d58",
        "sg-0f2b6d9a4c8e1f374",
    ] {
        assert_eq!(compliance_of(&json, sg), "COMPLIANT", "{sg}");
    }
    // The RDS ENI is not a workload: its group is on no path.
    assert_eq!(
        compliance_of(&json, "sg-03c7a1e5d9b2f4a86"),
        "NOT_APPLICABLE"
    );
    assert_eq!(
        compliance_of(&json, "acl-0c4d7b2a9e5f13c68"),
        "NON_COMPLIANT"
    );
    // The dual-stack VPC (events/demo/dualstack): the finding says the family and fixes it
    // with a rule that covers IPv6 (a group reference matches both families).
    let dual = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["component"] == "sg-0e3c7a1f9d5b28e64")
        .unwrap();
    let detail = dual["detail"].as_str().unwrap();
    assert!(
        detail.contains("over IPv6 from 2406:da14:8e1:a501::20"),
        "{detail}"
    );
    assert!(detail.contains("(reaches 1 of 2 targets)"), "{detail}");
    assert_eq!(
        compliance_of(&json, "sg-0e3c7a1f9d5b28e64"),
        "NON_COMPLIANT"
    );
    assert_eq!(compliance_of(&json, "sg-0e8a2d6f1c4b97e35"), "COMPLIANT");
}

#[test]
fn json_contract_holds_exactly() {
    let (_, json) = check_json(&demo(), &[]);
    let top: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(top, vec!["evaluations", "findings"]);
    let types = vpce_reach_model::RESOURCE_TYPES;
    let evaluations = json["evaluations"].as_array().unwrap();
    // One per resource of the evaluated types: 3 endpoints, 14 SGs, 5 NACLs, 3 tables, 4 VPCs
    // (the two DNS spokes of events/demo/spokes add a VPC and a group each), plus the hub and
    // the TGW spoke (1 endpoint, 4 SGs, 2 NACLs, 4 tables, 2 VPCs), and their links and DNS
    // (1 TGW route table, 2 TGW attachments, 3 hosted zones, 1 DHCP option set), and the
    // provider VPC of the hosted service (1 SG, 1 NACL, 1 table, 1 VPC, the service and its NLB),
    // and the dual-stack VPC (1 endpoint, 3 SGs, 1 NACL, 1 table, 1 VPC).
    assert_eq!(
        evaluations.len(),
        3 + 14 + 5 + 3 + 4 + (1 + 4 + 2 + 4 + 2) + (1 + 2 + 3 + 1) + (4 + 2) + (1 + 3 + 1 + 1 + 1)
    );
    let count = |kind: &str| {
        evaluations
            .iter()
            .filter(|e| e["ComplianceResourceType"] == kind)
            .count()
    };
    assert_eq!(count("AWS::EC2::TransitGatewayAttachment"), 2);
    assert_eq!(count("AWS::Route53::HostedZone"), 3);
    assert_eq!(count("AWS::EC2::VPCEndpointService"), 1);
    assert_eq!(count("AWS::ElasticLoadBalancingV2::LoadBalancer"), 1);
    for e in evaluations {
        let mut keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                "Annotation",
                "ComplianceResourceId",
                "ComplianceResourceType",
                "ComplianceType"
            ]
        );
        assert!(types.contains(&e["ComplianceResourceType"].as_str().unwrap()));
        assert!(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]
            .contains(&e["ComplianceType"].as_str().unwrap()));
        let n = e["Annotation"].as_str().unwrap().chars().count();
        assert!(n > 0 && n <= 256);
    }
    for f in json["findings"].as_array().unwrap() {
        let mut keys: Vec<&String> = f.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                "code",
                "component",
                "detail",
                "direction",
                "endpoint",
                "source"
            ]
        );
    }
}

/// Issue 14: the demo's spoke (111122223333) runs the check; the hub is the network account's
/// (444455556666), and the hub's missing return route blocks the spoke's STS pair.
#[test]
fn with_account_only_the_callers_resources_are_evaluated_and_others_are_named() {
    let demo = demo();
    let run = vpce_reach(&[
        "check",
        demo.to_str().unwrap(),
        "--account",
        "111122223333",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let evaluations = json["evaluations"].as_array().unwrap();
    let ids: Vec<&str> = evaluations
        .iter()
        .map(|e| e["ComplianceResourceId"].as_str().unwrap())
        .collect();
    // The hub's route table, endpoint and VPC are the network account's to evaluate.
    for theirs in [
        "rtb-0a6c2e8f4b1d9357c",
        "vpce-0d5f1b8e3a6c9247f",
        "vpc-0c7d1e4a9b2f6385e",
    ] {
        assert!(!ids.contains(&theirs), "{theirs} evaluated");
    }
    // The spoke's VPC carries the block, naming the hub's table, its account and the fix.
    let spoke = evaluations
        .iter()
        .find(|e| e["ComplianceResourceId"] == "vpc-0e2a9c5d7f1b4e683")
        .unwrap();
    assert_eq!(spoke["ComplianceType"], "NON_COMPLIANT");
    let annotation = spoke["Annotation"].as_str().unwrap();
    for part in [
        "rtb-0a6c2e8f4b1d9357c",
        "444455556666",
        "Fix in 444455556666: ",
    ] {
        assert!(annotation.contains(part), "{part}: {annotation}");
    }
    // Findings cover every account; only another account's component has `account`.
    for f in json["findings"].as_array().unwrap() {
        let foreign = ["rtb-0a6c2e8f4b1d9357c", "vpce-0d5f1b8e3a6c9247f"]
            .contains(&f["component"].as_str().unwrap());
        if foreign {
            assert_eq!(f["account"], "444455556666", "{f}");
        } else {
            assert!(f.get("account").is_none(), "{f}");
        }
    }
    assert_eq!(json["findings"].as_array().unwrap().len(), 10);
    let table = vpce_reach(&["check", demo.to_str().unwrap(), "--account=111122223333"]);
    assert!(
        table.stdout.contains("(in account 444455556666)"),
        "{}",
        table.stdout
    );
}

#[test]
fn the_network_account_evaluates_the_hub_and_a_bad_account_is_a_usage_error() {
    let demo = demo();
    let run = vpce_reach(&[
        "check",
        demo.to_str().unwrap(),
        "--account",
        "444455556666",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        compliance_of(&json, "rtb-0a6c2e8f4b1d9357c"),
        "NON_COMPLIANT"
    );
    assert!(!run.stdout.contains("vpc-0e2a9c5d7f1b4e683\""));
    let bad = vpce_reach(&["check", demo.to_str().unwrap(), "--account", "1234"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("--account: `1234` is not an AWS account id"),
        "{}",
        bad.stderr
    );
}

#[test]
fn table_is_the_default_and_names_the_findings() {
    let run = vpce_reach(&["check", demo().to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FINDINGS (10)"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains("Fix: allow egress tcp/443 to sg-0e5c9a1f3d7b24e68 on sg-0b3a8e6d2f5c94a17"));
    assert!(run
        .stdout
        .contains("Fix: allow egress tcp/443 to pl-61a54008"));
}

#[test]
fn clean_snapshot_exits_zero() {
    let (code, _) = check_json(&common::batfish("vpc-endpoint-interface"), &[]);
    assert_eq!(code, 0);
}

#[test]
fn explain_walks_the_path_hop_by_hop() {
    let run = vpce_reach(&[
        "explain",
        demo().to_str().unwrap(),
        "--from",
        "eni-0f6c1a8d3e9b54d27",
        "--to",
        "vpce-0c2e6a9d3f7b41c85",
    ]);
    assert_eq!(run.code, 1);
    let order = [
        "SG egress",
        "route",
        "NACL out ",
        "NACL in ",
        "SG ingress",
        "NACL out (reply)",
        "NACL in (reply)",
    ];
    let mut at = 0;
    for label in order {
        let pos = run.stdout[at..]
            .find(label)
            .unwrap_or_else(|| panic!("{label} missing after {at}: {}", run.stdout));
        at += pos;
    }
    assert!(
        run.stdout.contains("BLOCKED NACL out (reply)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(
        "fix: add an outbound allow tcp/1024-65535 to 10.1.1.0/24 to acl-0c4d7b2a9e5f13c68"
    ));
    let ok = vpce_reach(&[
        "explain",
        demo().to_str().unwrap(),
        "--from",
        "eni-0a1f5c8e3d7b29f46",
        "--to",
        "vpce-0a7c3e9f1b5d28e64",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    // The resolution comes first (docs/spec.md section 10): VPC A's endpoint answers its
    // service's name through private DNS.
    let dns = ok
        .stdout
        .find("dns: ssm.ap-northeast-1.amazonaws.com. -> this endpoint")
        .unwrap_or_else(|| panic!("{}", ok.stdout));
    assert!(dns < ok.stdout.find("pair: ").unwrap(), "{}", ok.stdout);
}

/// Issue 16: the provider side of the demo's hosted service, from the NLB's nodes to each
/// target, with the classic mistake and its fix.
#[test]
fn explain_service_traces_the_provider_side() {
    let run = vpce_reach(&[
        "explain",
        demo().to_str().unwrap(),
        "--service",
        "vpce-svc-0c4f7a2e9d1b63580",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let out = &run.stdout;
    assert!(
        out.contains("nodes: 10.40.1.25 (eni-0f1b7d3a9c5e24b86, ap-northeast-1a), 10.40.2.36"),
        "{out}"
    );
    assert!(out.contains("security groups: none (the load balancer filters nothing)"));
    // Both targets, each with its hops in path order, the target's group blocking.
    for target in ["i-0e7a3c9f1d5b28e46", "i-0a4c8e2f6b1d93c57"] {
        assert!(out.contains(&format!("-> {target} (")), "{target}: {out}");
    }
    let mut at = 0;
    for label in [
        "NACL out ",
        "NACL in ",
        "BLOCKED SG ingress",
        "NACL out (reply)",
        "NACL in (reply)",
    ] {
        at += out[at..]
            .find(label)
            .unwrap_or_else(|| panic!("{label} missing after {at}: {out}"));
    }
    assert!(out.contains(
        "fix: allow tcp/8443 from 10.40.1.25/32, 10.40.2.36/32 (the NLB's private IPs) on \
         sg-0d6a3f9c1e7b24a58"
    ));
    assert!(out.contains("ELB_NO_HEALTHY_TARGET "), "{out}");
    assert!(
        out.ends_with("verdict: BLOCKED (see the findings above)\n"),
        "{out}"
    );
    let unknown = vpce_reach(&[
        "explain",
        demo().to_str().unwrap(),
        "--service",
        "vpce-svc-nope",
    ]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("vpce-svc-nope: no such endpoint service"),
        "{}",
        unknown.stderr
    );
}

/// Issue 14: a spoke workload traced to the hub's endpoint over the transit gateway.
#[test]
fn explain_walks_a_cross_vpc_path_over_the_transit_gateway() {
    let run = vpce_reach(&[
        "explain",
        demo().to_str().unwrap(),
        "--from",
        "eni-0b5d9f3a1e7c2468d",
        "--to",
        "vpce-0d5f1b8e3a6c9247f",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "across VPCs: vpc-0e2a9c5d7f1b4e683 (account 111122223333) -> \
             vpc-0c7d1e4a9b2f6385e (account 444455556666)"
        ),
        "{}",
        run.stdout
    );
    let order = [
        "SG egress",
        "route ",
        "TGW zone ",
        "TGW association ",
        "TGW route ",
        "SG ingress",
        "BLOCKED route (reply)",
        "TGW route (reply)",
    ];
    let mut at = 0;
    for label in order {
        let pos = run.stdout[at..]
            .find(label)
            .unwrap_or_else(|| panic!("{label} missing after {at}: {}", run.stdout));
        at += pos;
    }
    assert!(run.stdout.contains(
        "fix: add a route 10.30.0.0/16 -> tgw-0a8e3c6f1d9b2457a in rtb-0a6c2e8f4b1d9357c"
    ));
    // Issue 15, D10: the spoke's resolution comes first, and the pair's DNS hops are the
    // spoke's (its zone, its VPC's attributes), not the hub's.
    let first = [
        "dns: resolved from the workload's VPC vpc-0e2a9c5d7f1b4e683 (not from the endpoint's, \
         vpc-0c7d1e4a9b2f6385e)",
        "dns: sts.ap-northeast-1.amazonaws.com. -> this endpoint",
        "pair: ",
        "private hosted zone Z0931842C7RTP5HUB3STS resolves the service name from \
         vpc-0e2a9c5d7f1b4e683 to the endpoint",
        "VPC DNS                      DNS attributes of vpc-0e2a9c5d7f1b4e683",
    ];
    let mut at = 0;
    for text in first {
        let pos = run.stdout[at..]
            .find(text)
            .unwrap_or_else(|| panic!("{text} missing after {at}: {}", run.stdout));
        at += pos;
    }
}

#[test]
fn bad_input_exits_two_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.json"), r#"{"Vpcs": []}"#).unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        "{\n  \"SecurityGroups\": [\n    {\"GroupId\": 12}\n  ]\n}",
    )
    .unwrap();
    let run = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.json:3:"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing evaluated: {}", run.stdout);

    std::fs::write(dir.path().join("broken.json"), r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "v", "Entries": [{"RuleNumber": 1, "Egress": true, "RuleAction": "maybe", "Protocol": "6", "CidrBlock": "10.0.0.0/8"}]}]}"#).unwrap();
    let run = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("broken.json:1:") && run.stderr.contains("maybe"),
        "{}",
        run.stderr
    );

    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"Subnets": [{"SubnetId": "s", "VpcId": "v", "CidrBlock": "10.0.0.300/24"}]}"#,
    )
    .unwrap();
    let run = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.json:1:"), "{}", run.stderr);

    for args in [
        vec!["check", "/nonexistent/snapshot"],
        vec![
            "check",
            demo().to_str().unwrap(),
            "--param",
            "EphemeralPorts=80",
        ],
        vec!["check", demo().to_str().unwrap(), "--param", "Nope=1"],
        vec!["check", demo().to_str().unwrap(), "--format", "yaml"],
        vec![
            "explain",
            demo().to_str().unwrap(),
            "--from",
            "eni-nope",
            "--to",
            "vpce-0a7c3e9f1b5d28e64",
        ],
        vec!["bogus"],
        vec![],
    ] {
        let run = vpce_reach(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.starts_with("vpce-reach: error:"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = vpce_reach(&[
        "check",
        demo().to_str().unwrap(),
        "--param",
        "EphemeralPorts=80",
    ]);
    assert!(run.stderr.contains("EphemeralPorts"), "{}", run.stderr);
}

#[test]
fn parameters_change_the_verdict() {
    let (_, json) = check_json(&demo(), &["RequiredServices=ssm,s3,ecr.dkr"]);
    let keys = finding_keys(&json);
    assert!(
        keys.contains(&key(
            "NO_ENDPOINT_FOR_SERVICE",
            "vpc-0f3c8e21d4b7a695a",
            "-",
            "-",
            "-"
        )),
        "{keys:?}"
    );
    assert!(
        keys.contains(&key(
            "NO_ENDPOINT_FOR_SERVICE",
            "vpc-06b2d9e4c1a8f370b",
            "-",
            "-",
            "-"
        )),
        "{keys:?}"
    );
    // Issues 14 and 15: the spoke's STS name resolves to the hub's endpoint through the hub's
    // private zone (associated with the spoke), which serves it; VPC A has no endpoint and the
    // zone that would serve it is not associated with it.
    let (_, json) = check_json(&demo(), &["RequiredServices=sts"]);
    let keys = finding_keys(&json);
    let missing = |vpc: &str| key("NO_ENDPOINT_FOR_SERVICE", vpc, "-", "-", "-");
    assert!(
        !keys.contains(&missing("vpc-0e2a9c5d7f1b4e683")),
        "{keys:?}"
    );
    assert!(
        !keys.contains(&missing("vpc-0f3c8e21d4b7a695a")),
        "{keys:?}"
    );
    let not_associated = key(
        "DNS_ZONE_NOT_ASSOCIATED",
        "Z0931842C7RTP5HUB3STS",
        "-",
        "-",
        "-",
    );
    assert!(keys.contains(&not_associated), "{keys:?}");
    let zone_findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"] == "Z0931842C7RTP5HUB3STS")
        .count();
    // (The provider VPC of the hosted service and the dual-stack VPC have workloads too.)
    assert_eq!(
        zone_findings, 6,
        "one per VPC with workloads but the spoke: {keys:?}"
    );
}

/// Runs the CLI with raw OS arguments (some not UTF-8).
#[cfg(unix)]
fn vpce_reach_os(args: &[std::ffi::OsString]) -> common::Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-reach"))
        .args(args)
        .output()
        .expect("run vpce-reach");
    common::Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_a_usage_error_not_a_panic() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let bad = OsString::from_vec(b"RequiredServices=s\xff3".to_vec());
    let demo = demo().into_os_string();
    let run = vpce_reach_os(&["check".into(), demo, "--param".into(), bad]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("vpce-reach: error: --param:")
            && run.stderr.contains("not valid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let run = vpce_reach_os(&[OsString::from_vec(b"ch\xffck".to_vec())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn each_subcommand_has_its_help() {
    for (sub, says) in [
        ("check", "--format table|json"),
        ("explain", "--from <eni-id>"),
        ("snapshot", "--out <DIR>"),
    ] {
        let run = vpce_reach(&[sub, "--help"]);
        assert_eq!(run.code, 0, "{sub}: {}", run.stderr);
        assert!(
            run.stdout
                .starts_with(&format!("usage:\n  vpce-reach {sub}")),
            "{sub}: {}",
            run.stdout
        );
        assert!(run.stdout.contains(says), "{sub}: {}", run.stdout);
    }
    let run = vpce_reach(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("vpce-reach explain"), "{}", run.stdout);
    // A usage error shows the help of the subcommand it concerns.
    let run = vpce_reach(&["explain", "d", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--to <vpce-id>"), "{}", run.stderr);
}

#[test]
fn a_repeated_param_key_is_an_error_naming_it() {
    let run = vpce_reach(&[
        "check",
        demo().to_str().unwrap(),
        "--param",
        "RequiredServices=ssm",
        "--param",
        "RequiredServices=s3",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with("vpce-reach: error: --param `RequiredServices` given twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_directory_says_no_such_directory() {
    let run = vpce_reach(&["check", "/nonexistent/snapshot"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "vpce-reach: error: /nonexistent/snapshot: no such directory\n"
    );
}

#[test]
fn an_empty_or_unrelated_directory_exits_two_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let run = vpce_reach(&["check", path]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with(&format!("vpce-reach: error: {path}: no *.json file")),
        "{}",
        run.stderr
    );
    std::fs::write(dir.path().join("package.json"), r#"{"name": "x"}"#).unwrap();
    let run = vpce_reach(&["check", path, "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains(path) && run.stderr.contains("none of its 1 *.json files"));
}

#[test]
fn a_snapshot_without_its_endpoints_is_unproven_not_clean() {
    let dir = common::copy_tree(&demo());
    remove_everywhere(dir.path(), "vpc-endpoints.json");
    let path = dir.path().to_str().unwrap();
    let run = vpce_reach(&["check", path, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["missing"],
        serde_json::json!(["describe-vpc-endpoints"])
    );
    assert!(json["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["ComplianceType"] != "COMPLIANT"));
    let table = vpce_reach(&["check", path]);
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .contains("UNPROVEN: the snapshot has no describe-vpc-endpoints output"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("No findings.\n"), "{}", table.stdout);

    // Without the network ACLs, pairs that were proven reachable are not COMPLIANT either.
    let dir = common::copy_tree(&demo());
    remove_everywhere(dir.path(), "network-acls.json");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        json["missing"],
        serde_json::json!(["describe-network-acls"])
    );
    for sg in ["sg-01f8b3d6a2e4c9571", "sg-0c7e2a5f9b3d1e846"] {
        assert_eq!(compliance_of(&json, sg), "NON_COMPLIANT", "{sg}");
    }
}

/// Removes `name` from `dir` and its subdirectories (the demo holds one account per
/// subdirectory: a describe output is absent only when no account's copy is left).
fn remove_everywhere(dir: &std::path::Path, name: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_everywhere(&path, name);
        } else if path.file_name().is_some_and(|n| n == name) {
            std::fs::remove_file(path).unwrap();
        }
    }
}

#[test]
fn an_absent_endpoint_group_makes_the_pair_unproven_not_blocked() {
    // The SSM endpoint's group is left out of describe-security-groups: its ingress is unknown,
    // so the pair that the demo proves reachable is now unproven (issue 13.4), never blamed.
    let dir = common::copy_tree(&demo());
    let file = dir.path().join("security-groups.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["SecurityGroups"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["GroupId"] != "sg-0e5c9a1f3d7b24e68");
    std::fs::write(&file, doc.to_string()).unwrap();
    let run = vpce_reach(&[
        "explain",
        dir.path().to_str().unwrap(),
        "--from",
        "eni-0a1f5c8e3d7b29f46",
        "--to",
        "vpce-0a7c3e9f1b5d28e64",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("? (unproven)"), "{}", run.stdout);
    assert!(run.stdout.contains("verdict: UNPROVEN"), "{}", run.stdout);
    assert!(!run.stdout.contains("BLOCKED"), "{}", run.stdout);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_ne!(compliance_of(&json, "vpce-0a7c3e9f1b5d28e64"), "COMPLIANT");
    let blames_it = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["component"] == "sg-0e5c9a1f3d7b24e68");
    assert!(!blames_it, "no finding blames the absent group: {json}");
}

#[test]
fn a_bad_port_is_an_error_with_its_position() {
    let dir = common::copy_tree(&demo());
    std::fs::write(
        dir.path().join("extra.json"),
        "{\"SecurityGroups\": [{\"GroupId\": \"sg-x\",\n \"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": -1, \"ToPort\": -1}]}]}",
    )
    .unwrap();
    let run = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("extra.json:2:") && run.stderr.contains("0-65535"),
        "{}",
        run.stderr
    );
}

#[test]
fn conflicting_copies_exit_two_naming_both_files() {
    let dir = common::copy_tree(&demo());
    let groups = std::fs::read_to_string(dir.path().join("security-groups.json")).unwrap();
    let changed = groups.replacen("\"FromPort\": 443", "\"FromPort\": 442", 1);
    assert_ne!(groups, changed);
    std::fs::write(dir.path().join("security-groups-2.json"), changed).unwrap();
    let run = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("security-groups-2.json")
            && run.stderr.contains("security-groups.json")
            && run.stderr.contains("differs from its copy"),
        "{}",
        run.stderr
    );
}

/// Control characters in ids, tags and keys reach neither stdout nor stderr raw.
#[test]
fn snapshot_text_reaches_the_terminal_inert() {
    let dir = common::copy_tree(&demo());
    std::fs::write(
        dir.path().join("evil.json"),
        r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-\u001b[2J\rFAKE\u202e", "VpcEndpointType": "Interface",
            "VpcId": "vpc-0f3c8e21d4b7a695a", "ServiceName": "com.amazonaws.ap-northeast-1.kms\u001b[31m",
            "State": "available", "SubnetIds": [], "NetworkInterfaceIds": ["eni-\u009b\n"]}],
            "\u001b]0;title\u0007": 1}"#,
    )
    .unwrap();
    for format in ["table", "json"] {
        let run = vpce_reach(&["check", dir.path().to_str().unwrap(), "--format", format]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        for out in [&run.stdout, &run.stderr] {
            assert!(
                !out.chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                "{format}: {out:?}"
            );
        }
        assert!(
            run.stderr.contains("\\u{1b}]0;title\\u{7}"),
            "{format}: {}",
            run.stderr
        );
    }
    let table = vpce_reach(&["check", dir.path().to_str().unwrap()]);
    assert!(
        table.stdout.contains("vpce-\\u{1b}[2J\\rFAKE\\u{202e}"),
        "{}",
        table.stdout
    );
}

/// A reader that stops early (`vpce-reach check DIR | head`) closes the pipe: the output ends
/// quietly with the verdict's exit code, never a panic ("failed printing to stdout") or an
/// error. The pipe is closed right after the start, long before the snapshot is loaded and
/// the first byte written.
#[test]
fn a_reader_closing_the_pipe_ends_the_output_quietly() {
    use std::process::{Command, Stdio};
    for format in ["html", "json", "table"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vpce-reach"))
            .args(["check", demo().to_str().unwrap(), "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{format}: the demo's verdict");
    }
}
