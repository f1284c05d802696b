//! Scenario tests: one small VPC that works, then one change per test, and the exact findings
//! docs/spec.md sections 2-5 say the change must produce.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::SnapshotBuilder;
use vpce_reach_model::{check, evaluations, ComplianceType, Evaluation, Report, RuleParameters};

/// The describe documents of one scenario, each a list of resources by top-level key.
struct Scenario {
    docs: Vec<(&'static str, Vec<Value>)>,
    dns: Option<(bool, bool)>,
}

fn allow_all_acl(id: &str, default: bool, subnets: &[&str]) -> Value {
    let assoc: Vec<Value> = subnets
        .iter()
        .map(|s| json!({"NetworkAclId": id, "SubnetId": s}))
        .collect();
    json!({"NetworkAclId": id, "VpcId": "vpc-1", "IsDefault": default, "Associations": assoc, "Entries": [
        {"RuleNumber": 32767, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]})
}

fn tcp(from: u16, to: u16) -> Value {
    json!({"IpProtocol": "tcp", "FromPort": from, "ToPort": to})
}

fn rule(ports: (u16, u16), peer: Value) -> Value {
    let mut r = tcp(ports.0, ports.1);
    let o = r.as_object_mut().unwrap();
    for (k, v) in peer.as_object().unwrap() {
        o.insert(k.clone(), v.clone());
    }
    r
}

fn eni(id: &str, ip: &str, subnet: &str, groups: &[&str]) -> Value {
    let groups: Vec<Value> = groups.iter().map(|g| json!({"GroupId": g})).collect();
    json!({"NetworkInterfaceId": id, "InterfaceType": "interface", "RequesterManaged": false, "Status": "in-use",
           "SubnetId": subnet, "VpcId": "vpc-1", "PrivateIpAddress": ip,
           "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true}], "Groups": groups, "TagSet": []})
}

fn acl_entry(n: u16, egress: bool, action: &str, cidr: &str, ports: Option<(u16, u16)>) -> Value {
    let mut e = json!({"RuleNumber": n, "Egress": egress, "RuleAction": action, "Protocol": "6", "CidrBlock": cidr});
    if let Some((from, to)) = ports {
        e["PortRange"] = json!({"From": from, "To": to});
    }
    e
}

impl Scenario {
    /// One VPC: a workload in subnet-app reaching an SSM interface endpoint (ENIs in two
    /// subnets) by SG reference, and S3 through a gateway endpoint by prefix list.
    fn base() -> Scenario {
        let docs = vec![
            (
                "Vpcs",
                vec![json!({"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"})],
            ),
            (
                "Subnets",
                vec![
                    json!({"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}),
                    json!({"SubnetId": "subnet-ep-a", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1a"}),
                    json!({"SubnetId": "subnet-ep-b", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-1b"}),
                ],
            ),
            ("NetworkAcls", vec![allow_all_acl("acl-default", true, &[])]),
            (
                "RouteTables",
                vec![
                    json!({"RouteTableId": "rtb-main", "VpcId": "vpc-1",
                       "Associations": [{"Main": true, "AssociationState": {"State": "associated"}}],
                       "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]}),
                    json!({"RouteTableId": "rtb-app", "VpcId": "vpc-1",
                       "Associations": [{"Main": false, "SubnetId": "subnet-app", "AssociationState": {"State": "associated"}}],
                       "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                                  {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3", "State": "active"}]}),
                ],
            ),
            (
                "SecurityGroups",
                vec![
                    json!({"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": [
                    rule((443, 443), json!({"UserIdGroupPairs": [{"GroupId": "sg-ep"}]})),
                    rule((443, 443), json!({"PrefixListIds": [{"PrefixListId": "pl-s3"}]}))]}),
                    json!({"GroupId": "sg-ep", "VpcId": "vpc-1", "IpPermissionsEgress": [],
                       "IpPermissions": [rule((443, 443), json!({"IpRanges": [{"CidrIp": "10.0.0.0/16"}]}))]}),
                ],
            ),
            (
                "NetworkInterfaces",
                vec![
                    eni("eni-app", "10.0.1.10", "subnet-app", &["sg-app"]),
                    {
                        let mut e = eni("eni-ep-a", "10.0.2.10", "subnet-ep-a", &["sg-ep"]);
                        e["InterfaceType"] = json!("vpc_endpoint");
                        e["RequesterManaged"] = json!(true);
                        e
                    },
                    {
                        let mut e = eni("eni-ep-b", "10.0.3.10", "subnet-ep-b", &["sg-ep"]);
                        e["InterfaceType"] = json!("vpc_endpoint");
                        e["RequesterManaged"] = json!(true);
                        e
                    },
                ],
            ),
            (
                "VpcEndpoints",
                vec![
                    json!({"VpcEndpointId": "vpce-ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
                       "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "PrivateDnsEnabled": true,
                       "Groups": [{"GroupId": "sg-ep", "GroupName": "ep"}], "SubnetIds": ["subnet-ep-a", "subnet-ep-b"],
                       "NetworkInterfaceIds": ["eni-ep-a", "eni-ep-b"], "RouteTableIds": []}),
                    json!({"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
                       "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available",
                       "RouteTableIds": ["rtb-app"], "Groups": [], "SubnetIds": [], "NetworkInterfaceIds": [],
                       "PolicyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}),
                ],
            ),
            (
                "PrefixLists",
                vec![
                    json!({"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
                                        "Cidrs": ["52.216.0.0/15", "3.5.0.0/20"]}),
                ],
            ),
        ];
        Scenario {
            docs,
            dns: Some((true, true)),
        }
    }

    fn list(&mut self, key: &str) -> &mut Vec<Value> {
        &mut self.docs.iter_mut().find(|(k, _)| *k == key).unwrap().1
    }

    /// The resource of `key` whose id field equals `id`.
    fn get(&mut self, key: &str, id: &str) -> &mut Value {
        self.list(key)
            .iter_mut()
            .find(|v| {
                v.as_object().unwrap().values().next() == Some(&json!(id))
                    || [
                        "GroupId",
                        "NetworkAclId",
                        "RouteTableId",
                        "NetworkInterfaceId",
                        "VpcEndpointId",
                        "SubnetId",
                        "PrefixListId",
                    ]
                    .iter()
                    .any(|f| v.get(*f) == Some(&json!(id)))
            })
            .unwrap_or_else(|| panic!("{id} not in {key}"))
    }

    fn egress(&mut self, sg: &str, rules: Vec<Value>) -> &mut Self {
        self.get("SecurityGroups", sg)["IpPermissionsEgress"] = json!(rules);
        self
    }

    fn run(&self, params: &[(&str, &str)]) -> (Report, Vec<Evaluation>) {
        let mut b = SnapshotBuilder::new();
        for (key, items) in &self.docs {
            let mut doc = serde_json::Map::new();
            doc.insert(key.to_string(), json!(items));
            b.add_json(key, &Value::Object(doc).to_string()).unwrap();
        }
        if let Some((support, hostnames)) = self.dns {
            b.add_json(
                "dns1",
                &json!({"VpcId": "vpc-1", "EnableDnsSupport": {"Value": support}}).to_string(),
            )
            .unwrap();
            b.add_json(
                "dns2",
                &json!({"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": hostnames}}).to_string(),
            )
            .unwrap();
        }
        let snap = b.finish();
        let params = RuleParameters::from_pairs(params.iter().copied()).unwrap();
        let report = check(&snap, &params);
        let evals = evaluations(&snap, &report);
        (report, evals)
    }

    /// `(code, component, direction, source, endpoint)` of every finding.
    fn findings(&self, params: &[(&str, &str)]) -> Vec<(String, String, String, String, String)> {
        let (report, evals) = self.run(params);
        for e in &evals {
            let n = e.annotation.chars().count();
            assert!(
                n > 0 && n <= 256,
                "annotation of {} has {n} chars",
                e.compliance_resource_id
            );
        }
        let s = |o: &Option<std::sync::Arc<str>>| o.as_deref().unwrap_or("-").to_string();
        let mut out: Vec<_> = report
            .findings
            .iter()
            .map(|f| {
                let dir = f
                    .direction
                    .map_or("-".to_string(), |d| d.as_str().to_string());
                (
                    f.code.as_str().to_string(),
                    f.component.to_string(),
                    dir,
                    s(&f.source),
                    s(&f.endpoint),
                )
            })
            .collect();
        out.sort();
        out
    }
}

fn f(
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

fn compliance(evals: &[Evaluation], id: &str) -> ComplianceType {
    evals
        .iter()
        .find(|e| e.compliance_resource_id == id)
        .unwrap_or_else(|| panic!("no evaluation for {id}"))
        .compliance_type
}

fn annotation<'a>(evals: &'a [Evaluation], id: &str) -> &'a str {
    &evals
        .iter()
        .find(|e| e.compliance_resource_id == id)
        .unwrap()
        .annotation
}

#[test]
fn base_scenario_is_clean_and_compliant() {
    let s = Scenario::base();
    assert_eq!(s.findings(&[]), vec![]);
    let (report, evals) = s.run(&[]);
    assert_eq!(report.pairs.len(), 2);
    for id in [
        "vpce-ssm",
        "vpce-s3",
        "sg-app",
        "sg-ep",
        "acl-default",
        "rtb-app",
        "rtb-main",
        "vpc-1",
    ] {
        assert_eq!(compliance(&evals, id), ComplianceType::Compliant, "{id}");
    }
}

#[test]
fn strict_egress_that_forgets_the_endpoints() {
    let mut s = Scenario::base();
    s.egress(
        "sg-app",
        vec![rule(
            (443, 443),
            json!({"IpRanges": [{"CidrIp": "10.50.0.0/16"}]}),
        )],
    );
    assert_eq!(
        s.findings(&[]),
        vec![
            f(
                "ENDPOINT_UNREACHABLE",
                "vpce-ssm",
                "ingress",
                "-",
                "vpce-ssm"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-app",
                "egress",
                "eni-app",
                "vpce-s3"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-app",
                "egress",
                "eni-app",
                "vpce-ssm"
            ),
        ]
    );
    let (report, evals) = s.run(&[]);
    assert_eq!(compliance(&evals, "sg-app"), ComplianceType::NonCompliant);
    assert_eq!(compliance(&evals, "vpce-ssm"), ComplianceType::NonCompliant);
    assert_eq!(compliance(&evals, "sg-ep"), ComplianceType::Compliant);
    let ssm = report
        .findings
        .iter()
        .find(|f| f.endpoint.as_deref() == Some("vpce-ssm") && f.source.is_some())
        .unwrap();
    assert!(ssm.detail.contains("reaches 0 of 2 ENIs"), "{}", ssm.detail);
    assert!(
        ssm.detail
            .contains("Fix: allow egress tcp/443 to sg-ep on sg-app"),
        "{}",
        ssm.detail
    );
    let s3 = report
        .findings
        .iter()
        .find(|f| f.endpoint.as_deref() == Some("vpce-s3"))
        .unwrap();
    assert!(
        s3.detail.contains("Fix: allow egress tcp/443 to pl-s3"),
        "{}",
        s3.detail
    );
    assert!(annotation(&evals, "sg-app")
        .starts_with("blocks tcp/443 from 1 workload (eni-app) to vpce-"));
}

#[test]
fn each_allowed_form_suffices_alone() {
    let pl = rule(
        (443, 443),
        json!({"PrefixListIds": [{"PrefixListId": "pl-s3"}]}),
    );
    let forms = [
        json!({"IpRanges": [{"CidrIp": "10.0.2.10/32"}, {"CidrIp": "10.0.3.10/32"}]}),
        json!({"IpRanges": [{"CidrIp": "10.0.2.0/24"}, {"CidrIp": "10.0.3.0/24"}]}),
        json!({"IpRanges": [{"CidrIp": "10.0.0.0/8"}]}),
        json!({"UserIdGroupPairs": [{"GroupId": "sg-ep"}]}),
    ];
    for form in forms {
        let mut s = Scenario::base();
        s.egress("sg-app", vec![rule((443, 443), form.clone()), pl.clone()]);
        assert_eq!(s.findings(&[]), vec![], "{form}");
    }
    let mut s = Scenario::base();
    s.egress(
        "sg-app",
        vec![json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
    );
    assert_eq!(s.findings(&[]), vec![]);
}

#[test]
fn partial_reach_counts_as_blocked() {
    let mut s = Scenario::base();
    let pl = rule(
        (443, 443),
        json!({"PrefixListIds": [{"PrefixListId": "pl-s3"}]}),
    );
    s.egress(
        "sg-app",
        vec![
            rule(
                (443, 443),
                json!({"IpRanges": [{"CidrIp": "10.0.2.10/32"}]}),
            ),
            pl,
        ],
    );
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "ENI_SG_RULES_MISMATCH",
            "sg-app",
            "egress",
            "eni-app",
            "vpce-ssm"
        )]
    );
    let (report, _) = s.run(&[]);
    assert!(report.findings[0].detail.contains("reaches 1 of 2 ENIs"));
    assert!(report.findings[0].detail.contains("10.0.3.10"));
}

#[test]
fn groups_on_one_eni_are_united_and_blamed_together() {
    let mut s = Scenario::base();
    s.list("SecurityGroups").push(json!({"GroupId": "sg-extra", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []}));
    s.get("NetworkInterfaces", "eni-app")["Groups"] =
        json!([{"GroupId": "sg-extra"}, {"GroupId": "sg-app"}]);
    assert_eq!(s.findings(&[]), vec![]);
    s.egress("sg-app", vec![]);
    assert_eq!(
        s.findings(&[]),
        vec![
            f(
                "ENDPOINT_UNREACHABLE",
                "vpce-ssm",
                "ingress",
                "-",
                "vpce-ssm"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-app",
                "egress",
                "eni-app",
                "vpce-s3"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-app",
                "egress",
                "eni-app",
                "vpce-ssm"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-extra",
                "egress",
                "eni-app",
                "vpce-s3"
            ),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-extra",
                "egress",
                "eni-app",
                "vpce-ssm"
            ),
        ]
    );
}

#[test]
fn endpoint_group_that_admits_nobody() {
    let mut s = Scenario::base();
    s.get("SecurityGroups", "sg-ep")["IpPermissions"] = json!([rule(
        (443, 443),
        json!({"IpRanges": [{"CidrIp": "192.168.0.0/16"}]})
    )]);
    // Still required by R3: the workload's egress references sg-ep.
    assert_eq!(
        s.findings(&[]),
        vec![
            f("ENDPOINT_UNREACHABLE", "sg-ep", "ingress", "-", "vpce-ssm"),
            f(
                "ENI_SG_RULES_MISMATCH",
                "sg-ep",
                "ingress",
                "eni-app",
                "vpce-ssm"
            ),
        ]
    );
}

#[test]
fn endpoint_admitting_by_group_reference() {
    let mut s = Scenario::base();
    s.get("SecurityGroups", "sg-ep")["IpPermissions"] = json!([rule(
        (443, 443),
        json!({"UserIdGroupPairs": [{"GroupId": "sg-app"}]})
    )]);
    assert_eq!(s.findings(&[]), vec![]);
}

#[test]
fn endpoint_subnet_acl_without_ephemeral_return() {
    let mut s = Scenario::base();
    s.list("NetworkAcls").push(
        json!({"NetworkAclId": "acl-ep", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-ep-a"}, {"SubnetId": "subnet-ep-b"}],
        "Entries": [acl_entry(100, false, "allow", "10.0.0.0/16", Some((443, 443))),
                    acl_entry(100, true, "allow", "10.0.0.0/16", Some((443, 443)))]}),
    );
    assert_eq!(
        s.findings(&[]),
        vec![
            f(
                "ENDPOINT_UNREACHABLE",
                "vpce-ssm",
                "ingress",
                "-",
                "vpce-ssm"
            ),
            f(
                "SUBNET_ACL_RESTRICTION",
                "acl-ep",
                "return-egress",
                "eni-app",
                "vpce-ssm"
            ),
        ]
    );
    let (report, evals) = s.run(&[]);
    let nacl = report
        .findings
        .iter()
        .find(|f| &*f.component == "acl-ep")
        .unwrap();
    assert!(nacl.detail.contains("tcp/1024-65535"), "{}", nacl.detail);
    assert!(
        nacl.fix
            .contains("add an outbound allow tcp/1024-65535 to 10.0.1.0/24 to acl-ep"),
        "{}",
        nacl.fix
    );
    assert_eq!(compliance(&evals, "acl-ep"), ComplianceType::NonCompliant);
    assert_eq!(compliance(&evals, "acl-default"), ComplianceType::Compliant);
    // A narrower reply range, when the workloads use one, is enough.
    let mut s2 = Scenario::base();
    s2.docs = s.docs.clone();
    s2.get("NetworkAcls", "acl-ep")["Entries"]
        .as_array_mut()
        .unwrap()
        .push(acl_entry(
            110,
            true,
            "allow",
            "10.0.0.0/16",
            Some((32768, 60999)),
        ));
    assert_eq!(s2.findings(&[("EphemeralPorts", "32768-60999")]), vec![]);
    assert_eq!(s2.findings(&[]).len(), 2);
}

#[test]
fn acl_entries_are_evaluated_in_rule_number_order() {
    let mut s = Scenario::base();
    s.list("NetworkAcls").push(
        json!({"NetworkAclId": "acl-app", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-app"}],
        "Entries": [acl_entry(200, true, "allow", "0.0.0.0/0", Some((0, 65535))),
                    acl_entry(100, true, "deny", "10.0.2.0/24", Some((443, 443))),
                    acl_entry(100, false, "allow", "0.0.0.0/0", Some((0, 65535)))]}),
    );
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "SUBNET_ACL_RESTRICTION",
            "acl-app",
            "egress",
            "eni-app",
            "vpce-ssm"
        )]
    );
    let (report, _) = s.run(&[]);
    assert!(report.findings[0].detail.contains("reaches 1 of 2 ENIs"));
    assert!(
        report.findings[0].fix.contains("numbered below 100"),
        "{}",
        report.findings[0].fix
    );
}

#[test]
fn same_subnet_crosses_no_acl() {
    let mut s = Scenario::base();
    s.get("NetworkInterfaces", "eni-app")["SubnetId"] = json!("subnet-ep-a");
    s.get("NetworkInterfaces", "eni-app")["PrivateIpAddress"] = json!("10.0.2.50");
    s.get("NetworkInterfaces", "eni-app")["PrivateIpAddresses"] =
        json!([{"PrivateIpAddress": "10.0.2.50"}]);
    // A deny-everything ACL on the endpoint subnets: only the cross-subnet ENI is cut off.
    s.list("NetworkAcls").push(
        json!({"NetworkAclId": "acl-closed", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-ep-a"}, {"SubnetId": "subnet-ep-b"}], "Entries": []}),
    );
    let found = s.findings(&[]);
    assert!(
        found.contains(&f(
            "SUBNET_ACL_RESTRICTION",
            "acl-closed",
            "egress",
            "eni-app",
            "vpce-ssm"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&f(
            "SUBNET_ACL_RESTRICTION",
            "acl-closed",
            "ingress",
            "eni-app",
            "vpce-ssm"
        )),
        "{found:?}"
    );
    let (report, _) = s.run(&[]);
    let pair = report
        .pairs
        .iter()
        .find(|p| p.endpoint == "vpce-ssm")
        .unwrap();
    assert_eq!((pair.reached, pair.targets), (1, 2));
}

#[test]
fn workload_subnet_acl_must_pass_replies_from_every_prefix_list_cidr() {
    let mut s = Scenario::base();
    s.list("NetworkAcls").push(
        json!({"NetworkAclId": "acl-app", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-app"}],
        "Entries": [acl_entry(100, true, "allow", "0.0.0.0/0", Some((443, 443))),
                    acl_entry(100, false, "allow", "10.0.0.0/8", Some((1024, 65535)))]}),
    );
    // Private ranges only: fine for the interface endpoint, silently breaks S3 (docs/spec.md G4).
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "SUBNET_ACL_RESTRICTION",
            "acl-app",
            "return-ingress",
            "eni-app",
            "vpce-s3"
        )]
    );
    s.get("NetworkAcls", "acl-app")["Entries"][0] =
        acl_entry(100, true, "allow", "10.0.0.0/8", Some((443, 443)));
    let found = s.findings(&[]);
    assert!(
        found.contains(&f(
            "SUBNET_ACL_RESTRICTION",
            "acl-app",
            "egress",
            "eni-app",
            "vpce-s3"
        )),
        "{found:?}"
    );
}

#[test]
fn gateway_route_missing_or_diverted() {
    let mut s = Scenario::base();
    s.get("RouteTables", "rtb-app")["Routes"] = json!([
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
        {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}]);
    // Still required: the workload's egress names the S3 prefix list (R3).
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "NO_ROUTE_TO_DESTINATION",
            "rtb-app",
            "egress",
            "eni-app",
            "vpce-s3"
        )]
    );
    let (report, _) = s.run(&[]);
    assert!(
        report.findings[0].detail.contains("nat-1 instead"),
        "{}",
        report.findings[0].detail
    );

    for diverting in [
        json!({"DestinationCidrBlock": "52.216.0.0/16", "NatGatewayId": "nat-1"}),
        json!({"DestinationCidrBlock": "3.5.0.0/20", "GatewayId": "igw-1"}),
    ] {
        let mut s = Scenario::base();
        s.get("RouteTables", "rtb-app")["Routes"]
            .as_array_mut()
            .unwrap()
            .push(diverting.clone());
        assert_eq!(
            s.findings(&[]),
            vec![f(
                "MORE_SPECIFIC_ROUTE",
                "rtb-app",
                "egress",
                "eni-app",
                "vpce-s3"
            )],
            "{diverting}"
        );
    }
    // A less specific route does not win.
    let mut s = Scenario::base();
    s.get("RouteTables", "rtb-app")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationCidrBlock": "52.0.0.0/8", "GatewayId": "igw-1"}));
    assert_eq!(s.findings(&[]), vec![]);
}

#[test]
fn subnet_without_association_uses_the_main_table() {
    let mut s = Scenario::base();
    s.get("RouteTables", "rtb-app")["Associations"] = json!([]);
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "NO_ROUTE_TO_DESTINATION",
            "rtb-main",
            "egress",
            "eni-app",
            "vpce-s3"
        )]
    );
}

#[test]
fn interface_route_diverted_to_an_appliance() {
    let mut s = Scenario::base();
    s.get("RouteTables", "rtb-app")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationCidrBlock": "10.0.3.0/24", "NetworkInterfaceId": "eni-firewall"}));
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "MORE_SPECIFIC_ROUTE",
            "rtb-app",
            "egress",
            "eni-app",
            "vpce-ssm"
        )]
    );
}

#[test]
fn private_dns_and_vpc_dns_only_for_required_services() {
    let mut s = Scenario::base();
    s.get("VpcEndpoints", "vpce-ssm")["PrivateDnsEnabled"] = json!(false);
    assert_eq!(s.findings(&[]), vec![]);
    assert_eq!(
        s.findings(&[("RequiredServices", "ssm")]),
        vec![f("PRIVATE_DNS_DISABLED", "vpce-ssm", "-", "-", "vpce-ssm")]
    );
    let mut s = Scenario::base();
    s.dns = Some((true, false));
    assert_eq!(
        s.findings(&[("RequiredServices", "com.amazonaws.us-east-1.ssm")]),
        vec![f("VPC_DNS_DISABLED", "vpc-1", "-", "-", "vpce-ssm")]
    );
    let (_, evals) = s.run(&[("RequiredServices", "ssm")]);
    assert_eq!(compliance(&evals, "vpc-1"), ComplianceType::NonCompliant);
    assert!(annotation(&evals, "vpc-1").contains("enableDnsHostnames"));
    // Without the attribute outputs, nothing is claimed and people are told.
    let mut s = Scenario::base();
    s.dns = None;
    let (report, _) = s.run(&[("RequiredServices", "ssm")]);
    assert!(report.findings.is_empty());
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("vpc-1: DNS attributes not in the snapshot")),
        "{:?}",
        report.notes
    );
}

#[test]
fn required_service_without_endpoint() {
    let s = Scenario::base();
    assert_eq!(
        s.findings(&[("RequiredServices", "ssm,ecr.dkr,s3")]),
        vec![f("NO_ENDPOINT_FOR_SERVICE", "vpc-1", "-", "-", "-")]
    );
}

#[test]
fn endpoint_not_available_or_policy_denies() {
    let mut s = Scenario::base();
    s.get("VpcEndpoints", "vpce-ssm")["State"] = json!("pendingAcceptance");
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "ENDPOINT_NOT_AVAILABLE",
            "vpce-ssm",
            "-",
            "-",
            "vpce-ssm"
        )]
    );
    let mut s = Scenario::base();
    s.get("VpcEndpoints", "vpce-s3")["PolicyDocument"] =
        json!("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
    assert_eq!(
        s.findings(&[]),
        vec![f("ENDPOINT_POLICY_DENIES", "vpce-s3", "-", "-", "vpce-s3")]
    );
    let mut s = Scenario::base();
    s.get("VpcEndpoints", "vpce-ssm")["State"] = json!("deleted");
    let (_, evals) = s.run(&[]);
    assert_eq!(
        compliance(&evals, "vpce-ssm"),
        ComplianceType::NotApplicable
    );
}

#[test]
fn aws_infrastructure_enis_are_not_workloads_unless_tagged() {
    let mut s = Scenario::base();
    let mut rds = eni("eni-rds", "10.0.1.20", "subnet-app", &["sg-rds"]);
    rds["RequesterManaged"] = json!(true);
    rds["Description"] = json!("RDSNetworkInterface");
    rds["TagSet"] = json!([{"Key": "vpce-consumer", "Value": "yes"}]);
    s.list("NetworkInterfaces").push(rds);
    s.list("SecurityGroups").push(json!({"GroupId": "sg-rds", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []}));
    assert_eq!(s.findings(&[]), vec![]);
    let found = s.findings(&[("ConsumerTag", "vpce-consumer=yes")]);
    assert!(
        found.contains(&f(
            "ENI_SG_RULES_MISMATCH",
            "sg-rds",
            "egress",
            "eni-rds",
            "vpce-ssm"
        )),
        "{found:?}"
    );
    // ConsumerTag narrows: the untagged workload is no longer checked.
    assert!(found.iter().all(|x| x.3 != "eni-app"), "{found:?}");
    // Lambda ENIs are requester-managed but are workloads.
    let mut s = Scenario::base();
    let mut lambda = eni("eni-fn", "10.0.1.30", "subnet-app", &["sg-rds"]);
    lambda["InterfaceType"] = json!("lambda");
    lambda["RequesterManaged"] = json!(true);
    s.list("NetworkInterfaces").push(lambda);
    s.list("SecurityGroups").push(json!({"GroupId": "sg-rds", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []}));
    let found = s.findings(&[]);
    assert!(
        found.contains(&f(
            "ENI_SG_RULES_MISMATCH",
            "sg-rds",
            "egress",
            "eni-fn",
            "vpce-ssm"
        )),
        "{found:?}"
    );
}

#[test]
fn consumer_tag_on_subnet_or_group() {
    for (key, id) in [("Subnets", "subnet-app"), ("SecurityGroups", "sg-app")] {
        let mut s = Scenario::base();
        s.egress("sg-app", vec![]);
        s.get(key, id)["Tags"] = json!([{"Key": "team", "Value": "pay"}]);
        // Two SG findings, and R5 for the SSM endpoint that its only consumer cannot reach.
        assert_eq!(s.findings(&[("ConsumerTag", "team=pay")]).len(), 3, "{key}");
        assert_eq!(
            s.findings(&[("ConsumerTag", "team=other")]).len(),
            0,
            "{key}"
        );
    }
}

#[test]
fn missing_data_is_never_compliant() {
    let mut s = Scenario::base();
    s.get("VpcEndpoints", "vpce-ssm")["NetworkInterfaceIds"] = json!(["eni-ep-a", "eni-gone"]);
    let (report, evals) = s.run(&[]);
    assert_eq!(compliance(&evals, "vpce-ssm"), ComplianceType::NonCompliant);
    assert!(
        annotation(&evals, "vpce-ssm").starts_with("missing data:"),
        "{}",
        annotation(&evals, "vpce-ssm")
    );
    assert!(annotation(&evals, "vpce-ssm").contains("eni-gone"));
    assert!(report.findings.is_empty());

    let mut s = Scenario::base();
    s.list("PrefixLists").clear();
    let (_, evals) = s.run(&[]);
    for id in ["vpce-s3", "sg-app"] {
        assert_eq!(compliance(&evals, id), ComplianceType::NonCompliant, "{id}");
        assert!(
            annotation(&evals, id).starts_with("missing data:"),
            "{id}: {}",
            annotation(&evals, id)
        );
    }
}

#[test]
fn service_ports_are_all_checked() {
    let s = Scenario::base();
    let found = s.findings(&[("ServicePorts", "ssm=443+8443")]);
    assert!(
        found.contains(&f(
            "ENI_SG_RULES_MISMATCH",
            "sg-app",
            "egress",
            "eni-app",
            "vpce-ssm"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&f(
            "ENI_SG_RULES_MISMATCH",
            "sg-ep",
            "ingress",
            "eni-app",
            "vpce-ssm"
        )),
        "{found:?}"
    );
}

#[test]
fn endpoint_without_workloads_is_reported() {
    let mut s = Scenario::base();
    s.list("NetworkInterfaces")
        .retain(|e| e["NetworkInterfaceId"] != "eni-app");
    assert_eq!(
        s.findings(&[]),
        vec![f(
            "ENDPOINT_UNREACHABLE",
            "vpce-ssm",
            "ingress",
            "-",
            "vpce-ssm"
        )]
    );
}
