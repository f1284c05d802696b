//! The provider side of an endpoint service (issue 16, docs/spec.md section 11): one hosted
//! service that works, then one breakage per test, with the exact findings it must give.
//!
//! The world: provider VPC 10.2.0.0/16 with an NLB in us-east-1a (node 10.2.1.17) and
//! us-east-1b (node 10.2.2.40), listener TCP 8443 -> an instance target group with one target
//! per zone (10.2.3.5, 10.2.4.5), cross-zone load balancing on; consumer VPC 10.9.0.0/16 with a
//! workload and an interface endpoint of the service.

use serde_json::{json, Value};
use vpce_reach_model::{
    check, check_exact, evaluations, from_documents, trace_service, ComplianceType, Direction,
    Finding, FindingCode, Report, RuleParameters, Snapshot, Verdict, ENDPOINT_SERVICE_TYPE,
    LOAD_BALANCER_TYPE,
};

const LB: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/svc-nlb/abc123";
const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/svc-tg/def456";
const SVC: &str = "vpce-svc-0123456789abcdef0";
const SVC_NAME: &str = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";

fn allow_all_acl(id: &str, vpc: &str) -> Value {
    json!({"NetworkAclId": id, "VpcId": vpc, "IsDefault": true, "Associations": [], "Entries": [
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]})
}

fn eni(id: &str, ip: &str, subnet: &str, vpc: &str, groups: &[&str]) -> Value {
    let groups: Vec<Value> = groups.iter().map(|g| json!({"GroupId": g})).collect();
    json!({"NetworkInterfaceId": id, "InterfaceType": "interface", "Status": "in-use",
           "SubnetId": subnet, "VpcId": vpc, "PrivateIpAddress": ip,
           "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true}], "Groups": groups})
}

fn instance_eni(id: &str, ip: &str, subnet: &str, instance: &str) -> Value {
    let mut e = eni(id, ip, subnet, "vpc-p", &["sg-app"]);
    e["Attachment"] = json!({"InstanceId": instance, "DeviceIndex": 0, "Status": "attached"});
    e
}

fn nlb_eni(id: &str, ip: &str, subnet: &str) -> Value {
    let mut e = eni(id, ip, subnet, "vpc-p", &[]);
    e["InterfaceType"] = json!("network_load_balancer");
    e["RequesterManaged"] = json!(true);
    e["Description"] = json!("ELB net/svc-nlb/abc123");
    e
}

fn tcp_from(port: u16, cidr: &str) -> Value {
    json!({"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]})
}

fn all_out() -> Value {
    json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
}

fn health(id: &str, state: &str) -> Value {
    json!({"Target": {"Id": id, "Port": 8443}, "HealthCheckPort": "8443", "TargetHealth": {"State": state}})
}

/// The documents of one world, by top-level key.
struct World {
    docs: Vec<(String, Value)>,
}

impl World {
    fn base() -> World {
        let docs = vec![
            (
                "Vpcs",
                json!([{"VpcId": "vpc-p", "CidrBlock": "10.2.0.0/16"}, {"VpcId": "vpc-c", "CidrBlock": "10.9.0.0/16"}]),
            ),
            (
                "Subnets",
                json!([
                {"SubnetId": "subnet-nlb-a", "VpcId": "vpc-p", "CidrBlock": "10.2.1.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-nlb-b", "VpcId": "vpc-p", "CidrBlock": "10.2.2.0/24", "AvailabilityZone": "us-east-1b"},
                {"SubnetId": "subnet-app-a", "VpcId": "vpc-p", "CidrBlock": "10.2.3.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-app-b", "VpcId": "vpc-p", "CidrBlock": "10.2.4.0/24", "AvailabilityZone": "us-east-1b"},
                {"SubnetId": "subnet-app-c", "VpcId": "vpc-p", "CidrBlock": "10.2.5.0/24", "AvailabilityZone": "us-east-1c"},
                {"SubnetId": "subnet-c-a", "VpcId": "vpc-c", "CidrBlock": "10.9.1.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-c-c", "VpcId": "vpc-c", "CidrBlock": "10.9.3.0/24", "AvailabilityZone": "us-east-1c"}]),
            ),
            (
                "NetworkAcls",
                json!([
                    allow_all_acl("acl-p", "vpc-p"),
                    allow_all_acl("acl-c", "vpc-c")
                ]),
            ),
            (
                "RouteTables",
                json!([
                {"RouteTableId": "rtb-p", "VpcId": "vpc-p", "Associations": [{"Main": true}],
                 "Routes": [{"DestinationCidrBlock": "10.2.0.0/16", "GatewayId": "local", "State": "active"}]},
                {"RouteTableId": "rtb-c", "VpcId": "vpc-c", "Associations": [{"Main": true}],
                 "Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "GatewayId": "local", "State": "active"}]}]),
            ),
            (
                "SecurityGroups",
                json!([
                // The right form: the NLB's subnets (its nodes' private IPs live there).
                {"GroupId": "sg-app", "VpcId": "vpc-p", "IpPermissions": [tcp_from(8443, "10.2.1.0/24"), tcp_from(8443, "10.2.2.0/24")], "IpPermissionsEgress": all_out()},
                {"GroupId": "sg-w", "VpcId": "vpc-c", "IpPermissions": [], "IpPermissionsEgress": all_out()},
                {"GroupId": "sg-ep", "VpcId": "vpc-c", "IpPermissions": [tcp_from(8443, "10.9.0.0/16")], "IpPermissionsEgress": []}]),
            ),
            (
                "NetworkInterfaces",
                json!([
                nlb_eni("eni-nlb-a", "10.2.1.17", "subnet-nlb-a"),
                nlb_eni("eni-nlb-b", "10.2.2.40", "subnet-nlb-b"),
                instance_eni("eni-a", "10.2.3.5", "subnet-app-a", "i-a"),
                instance_eni("eni-b", "10.2.4.5", "subnet-app-b", "i-b"),
                eni("eni-w", "10.9.1.10", "subnet-c-a", "vpc-c", &["sg-w"]),
                {"NetworkInterfaceId": "eni-ep", "InterfaceType": "vpc_endpoint", "RequesterManaged": true,
                 "SubnetId": "subnet-c-a", "VpcId": "vpc-c", "PrivateIpAddress": "10.9.1.20",
                 "Groups": [{"GroupId": "sg-ep"}], "Status": "in-use"}]),
            ),
            (
                "VpcEndpoints",
                json!([{"VpcEndpointId": "vpce-c", "VpcEndpointType": "Interface", "VpcId": "vpc-c",
                "ServiceName": SVC_NAME, "State": "available", "Groups": [{"GroupId": "sg-ep"}],
                "SubnetIds": ["subnet-c-a"], "NetworkInterfaceIds": ["eni-ep"], "PrivateDnsEnabled": true}]),
            ),
            (
                "ServiceConfigurations",
                json!([{"ServiceId": SVC, "ServiceName": SVC_NAME, "ServiceState": "Available",
                "AvailabilityZones": ["us-east-1a", "us-east-1b"], "NetworkLoadBalancerArns": [LB]}]),
            ),
            (
                "LoadBalancers",
                json!([{"LoadBalancerArn": LB, "LoadBalancerName": "svc-nlb", "Type": "network",
                "Scheme": "internal", "VpcId": "vpc-p", "State": {"Code": "active"},
                "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-nlb-a"},
                                      {"ZoneName": "us-east-1b", "SubnetId": "subnet-nlb-b"}]}]),
            ),
            (
                "LoadBalancerListeners",
                json!([{"LoadBalancerArn": LB, "Listeners": [
                {"ListenerArn": format!("{LB}/l1").replace(":loadbalancer/", ":listener/"), "Port": 8443, "Protocol": "TCP",
                 "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG}]}]}]),
            ),
            (
                "TargetGroups",
                json!([{"TargetGroupArn": TG, "TargetGroupName": "svc-tg", "Protocol": "TCP", "Port": 8443,
                "TargetType": "instance", "VpcId": "vpc-p", "HealthCheckEnabled": true,
                "HealthCheckPort": "traffic-port", "HealthCheckProtocol": "TCP"}]),
            ),
            (
                "LoadBalancerTargetHealth",
                json!([{"TargetGroupArn": TG, "TargetHealthDescriptions": [
                health("i-a", "healthy"), health("i-b", "healthy")]}]),
            ),
            (
                "LoadBalancerAttributes",
                json!([{"LoadBalancerArn": LB, "Attributes": [
                {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]}]),
            ),
        ];
        World {
            docs: docs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }

    fn doc(&mut self, key: &str) -> &mut Value {
        &mut self.docs.iter_mut().find(|(k, _)| k == key).unwrap().1
    }

    fn without(mut self, key: &str) -> World {
        self.docs.retain(|(k, _)| k != key);
        self
    }

    fn group(&mut self, id: &str) -> &mut Value {
        let groups = self.doc("SecurityGroups").as_array_mut().unwrap();
        groups.iter_mut().find(|g| g["GroupId"] == id).unwrap()
    }

    fn snapshot(&self) -> Snapshot {
        from_documents(
            self.docs
                .iter()
                .map(|(k, v)| (format!("{k}.json"), json!({ k.as_str(): v }))),
        )
        .expect("the world loads")
    }
}

fn params() -> RuleParameters {
    RuleParameters::from_pairs([("RequiredServices", SVC_NAME)]).unwrap()
}

/// Checks with both judges (they must agree) and returns the report.
fn run(world: &World) -> (Snapshot, Report) {
    let snap = world.snapshot();
    let report = check(&snap, &params());
    assert_eq!(
        report,
        check_exact(&snap, &params()),
        "the two judges disagree"
    );
    (snap, report)
}

fn provider_findings(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.endpoint.as_deref() == Some(SVC))
        .collect()
}

fn compliance(snap: &Snapshot, report: &Report, kind: &str, id: &str) -> (ComplianceType, String) {
    let e = evaluations(snap, report)
        .into_iter()
        .find(|e| e.compliance_resource_type == kind && e.compliance_resource_id == id)
        .unwrap_or_else(|| panic!("no evaluation of {kind} {id}"));
    (e.compliance_type, e.annotation)
}

#[test]
fn a_working_service_has_no_finding_and_its_consumers_use_the_listener_port() {
    let (snap, report) = run(&World::base());
    assert!(
        provider_findings(&report).is_empty(),
        "{:#?}",
        report.findings
    );
    assert!(report.missing.is_empty(), "{:#?}", report.missing);
    // The consumer's endpoint is checked on the listener's port, not 443 (sg-ep admits 8443
    // only: on 443 the pair would be blocked).
    let pair = report
        .pairs
        .iter()
        .find(|p| p.endpoint == "vpce-c")
        .unwrap();
    assert_eq!(pair.verdict, Verdict::Reachable, "{:#?}", report.findings);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(
        compliance(&snap, &report, ENDPOINT_SERVICE_TYPE, SVC).0,
        ComplianceType::Compliant
    );
    assert_eq!(
        compliance(&snap, &report, LOAD_BALANCER_TYPE, LB).0,
        ComplianceType::Compliant
    );
    assert_eq!(
        compliance(&snap, &report, "AWS::EC2::SecurityGroup", "sg-app").0,
        ComplianceType::Compliant
    );
    let trace = trace_service(&snap, &params(), SVC).unwrap();
    assert_eq!(trace.load_balancers[0].paths.len(), 2);
    assert_eq!(
        trace.load_balancers[0].paths[0].senders.len(),
        2,
        "cross-zone on: both nodes send"
    );
}

#[test]
fn the_classic_mistake_target_group_admits_the_clients_not_the_nlb() {
    let mut w = World::base();
    w.group("sg-app")["IpPermissions"] = json!([tcp_from(8443, "10.9.0.0/16")]);
    let (snap, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*f.component, "sg-app");
    assert_eq!(f.direction, Some(Direction::Ingress));
    assert_eq!(f.source.as_deref(), Some(LB));
    assert_eq!(&*f.traffic, "tcp/8443");
    assert_eq!(
        &*f.fix,
        "allow tcp/8443 from 10.2.1.17/32, 10.2.2.40/32 (the NLB's private IPs) on sg-app"
    );
    assert!(
        f.problem
            .contains("admit no tcp/8443 from 10.2.1.17, 10.2.2.40"),
        "{}",
        f.problem
    );
    let (kind, annotation) = compliance(&snap, &report, "AWS::EC2::SecurityGroup", "sg-app");
    assert_eq!(kind, ComplianceType::NonCompliant);
    assert!(
        annotation.starts_with("blocks tcp/8443 from 1 load balancer (svc-nlb) to vpce-svc-"),
        "{annotation}"
    );
    assert!(
        annotation.ends_with("(the NLB's private IPs) on sg-app"),
        "{annotation}"
    );
    assert_eq!(
        compliance(&snap, &report, ENDPOINT_SERVICE_TYPE, SVC).0,
        ComplianceType::NonCompliant
    );
    assert_eq!(
        compliance(&snap, &report, LOAD_BALANCER_TYPE, LB).0,
        ComplianceType::NonCompliant
    );
}

#[test]
fn an_nlb_with_a_security_group_is_admitted_by_reference_and_named_in_the_fix() {
    let mut w = World::base();
    w.doc("LoadBalancers")[0]["SecurityGroups"] = json!(["sg-nlb"]);
    for e in w.doc("NetworkInterfaces").as_array_mut().unwrap() {
        if e["InterfaceType"] == "network_load_balancer" {
            e["Groups"] = json!([{"GroupId": "sg-nlb"}]);
        }
    }
    // Its inbound rules admit the consumer VPC's clients (N4a: PrivateLink traffic is checked
    // against them by default).
    w.doc("SecurityGroups").as_array_mut().unwrap().push(json!(
        {"GroupId": "sg-nlb", "VpcId": "vpc-p", "IpPermissions": [tcp_from(8443, "10.9.0.0/16")], "IpPermissionsEgress": all_out()}));
    w.group("sg-app")["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "UserIdGroupPairs": [{"GroupId": "sg-nlb"}]}]);
    let (_, report) = run(&w);
    assert!(
        provider_findings(&report).is_empty(),
        "{:#?}",
        report.findings
    );
    // Without the reference, the fix names the NLB's group.
    w.group("sg-app")["IpPermissions"] = json!([]);
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        &*found[0].fix,
        "allow tcp/8443 from the NLB's security group sg-nlb on sg-app"
    );
    // The NLB's own outbound rules are a hop too.
    w.group("sg-app")["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "UserIdGroupPairs": [{"GroupId": "sg-nlb"}]}]);
    w.group("sg-nlb")["IpPermissionsEgress"] = json!([tcp_from(443, "0.0.0.0/0")]);
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component, found[0].direction),
        (
            FindingCode::EniSgRulesMismatch,
            "sg-nlb",
            Some(Direction::Egress)
        )
    );
}

/// N4a: with security groups and EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic on (the
/// default), the NLB's inbound rules see PrivateLink traffic from the clients' private IPs.
#[test]
fn the_nlbs_inbound_rules_must_admit_the_consumers_clients_unless_off() {
    let mut w = World::base();
    w.doc("LoadBalancers")[0]["SecurityGroups"] = json!(["sg-nlb"]);
    for e in w.doc("NetworkInterfaces").as_array_mut().unwrap() {
        if e["InterfaceType"] == "network_load_balancer" {
            e["Groups"] = json!([{"GroupId": "sg-nlb"}]);
        }
    }
    // Admits the consumer's endpoint address, not its client: a mistake under "on".
    w.doc("SecurityGroups").as_array_mut().unwrap().push(json!(
        {"GroupId": "sg-nlb", "VpcId": "vpc-p", "IpPermissions": [tcp_from(8443, "10.9.1.20/32")], "IpPermissionsEgress": all_out()}));
    w.group("sg-app")["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "UserIdGroupPairs": [{"GroupId": "sg-nlb"}]}]);
    let (snap, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(
        (f.code, &*f.component, f.direction),
        (
            FindingCode::EniSgRulesMismatch,
            "sg-nlb",
            Some(Direction::Ingress)
        )
    );
    assert_eq!(f.source.as_deref(), Some(LB));
    assert_eq!(&*f.traffic, "tcp/8443");
    assert!(
        f.problem.contains("admit no tcp/8443 from 10.9.1.10"),
        "{}",
        f.problem
    );
    assert_eq!(
        &*f.fix,
        "allow tcp/8443 from 10.9.1.10/32 on sg-nlb, or set \
         EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic to off on the load balancer"
    );
    assert_eq!(
        compliance(&snap, &report, LOAD_BALANCER_TYPE, LB).0,
        ComplianceType::NonCompliant
    );

    // Off: the NLB's inbound rules filter no PrivateLink traffic.
    w.doc("LoadBalancers")[0]["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] =
        json!("off");
    let (_, report) = run(&w);
    assert!(
        provider_findings(&report).is_empty(),
        "{:#?}",
        report.findings
    );

    // On, admitting the consumer VPC: nothing to report.
    w.doc("LoadBalancers")[0]["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = json!("on");
    w.group("sg-nlb")["IpPermissions"] = json!([tcp_from(8443, "10.9.0.0/16")]);
    let (_, report) = run(&w);
    assert!(
        provider_findings(&report).is_empty(),
        "{:#?}",
        report.findings
    );
    assert!(report.missing.is_empty(), "{:#?}", report.missing);
}

#[test]
fn a_target_subnet_acl_without_the_ephemeral_return_drops_the_replies() {
    let mut w = World::base();
    let acl = json!({"NetworkAclId": "acl-app", "VpcId": "vpc-p", "IsDefault": false,
        "Associations": [{"NetworkAclId": "acl-app", "SubnetId": "subnet-app-a"}, {"NetworkAclId": "acl-app", "SubnetId": "subnet-app-b"}],
        "Entries": [
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "10.2.0.0/16", "PortRange": {"From": 8443, "To": 8443}},
            {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "10.2.0.0/16", "PortRange": {"From": 8443, "To": 8443}}]});
    w.doc("NetworkAcls").as_array_mut().unwrap().push(acl);
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(
        (f.code, &*f.component, f.direction),
        (
            FindingCode::SubnetAclRestriction,
            "acl-app",
            Some(Direction::ReturnEgress)
        )
    );
    assert!(
        f.fix.starts_with(
            "add an outbound allow tcp/1024-65535 to 10.2.1.0/24, 10.2.2.0/24 to acl-app"
        ),
        "{}",
        f.fix
    );
}

#[test]
fn a_health_check_port_the_target_group_does_not_admit_is_reported_on_its_own() {
    let mut w = World::base();
    w.doc("TargetGroups")[0]["HealthCheckPort"] = json!("8080");
    for h in w.doc("LoadBalancerTargetHealth")[0]["TargetHealthDescriptions"]
        .as_array_mut()
        .unwrap()
    {
        h["HealthCheckPort"] = json!("8080");
    }
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(
        (f.code, &*f.component, f.direction),
        (
            FindingCode::ElbHealthCheckBlocked,
            "sg-app",
            Some(Direction::Ingress)
        )
    );
    assert_eq!(&*f.traffic, "tcp/8080");
    assert!(
        f.fix
            .starts_with("allow tcp/8080 from 10.2.1.17/32, 10.2.2.40/32"),
        "{}",
        f.fix
    );
}

#[test]
fn a_zone_without_a_healthy_target_fails_when_cross_zone_is_off() {
    let mut w = World::base();
    w.doc("LoadBalancerAttributes")[0]["Attributes"][0]["Value"] = json!("false");
    w.doc("LoadBalancerTargetHealth")[0]["TargetHealthDescriptions"][1] =
        health("i-b", "unhealthy");
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component),
        (FindingCode::ElbNotCrosszone, LB)
    );
    assert!(
        found[0].problem.contains("in us-east-1b"),
        "{}",
        found[0].problem
    );
    // Cross-zone on: the other zone's target serves it.
    w.doc("LoadBalancerAttributes")[0]["Attributes"][0]["Value"] = json!("true");
    let (_, report) = run(&w);
    assert!(provider_findings(&report).is_empty());
    // The target group's own attribute wins over the NLB's.
    w.docs.push((
        "TargetGroupAttributes".into(),
        json!([{"TargetGroupArn": TG, "Attributes": [
        {"Key": "load_balancing.cross_zone.enabled", "Value": "false"}]}]),
    ));
    let (_, report) = run(&w);
    assert_eq!(provider_findings(&report).len(), 1);
    // No attributes at all: whether the zone fails is unknown, never a verdict.
    let w = w
        .without("TargetGroupAttributes")
        .without("LoadBalancerAttributes");
    let (snap, report) = run(&w);
    assert!(provider_findings(&report).is_empty());
    assert!(
        report
            .missing
            .iter()
            .any(|m| m.resource == LB && m.what.contains("cross-zone")),
        "{:#?}",
        report.missing
    );
    let (kind, annotation) = compliance(&snap, &report, ENDPOINT_SERVICE_TYPE, SVC);
    assert_eq!(kind, ComplianceType::NonCompliant);
    assert!(annotation.starts_with("missing data:"), "{annotation}");
}

#[test]
fn no_healthy_target_at_all_is_its_own_finding() {
    let mut w = World::base();
    w.doc("LoadBalancerTargetHealth")[0]["TargetHealthDescriptions"] =
        json!([health("i-a", "unhealthy"), health("i-b", "unhealthy")]);
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component),
        (FindingCode::ElbNoHealthyTarget, TG)
    );
    assert!(
        !found[0].problem.contains("blocked by"),
        "{}",
        found[0].problem
    );
    // With the classic mistake too, the finding says why the health checks fail.
    w.group("sg-app")["IpPermissions"] = json!([tcp_from(8443, "10.9.0.0/16")]);
    let (_, report) = run(&w);
    let unhealthy = report
        .findings
        .iter()
        .find(|f| f.code == FindingCode::ElbNoHealthyTarget)
        .unwrap();
    assert!(
        unhealthy
            .problem
            .ends_with("the health checks from the NLB's nodes are blocked by sg-app"),
        "{}",
        unhealthy.problem
    );
}

#[test]
fn a_target_in_a_zone_the_nlb_lacks_gets_no_traffic() {
    let mut w = World::base();
    w.doc("NetworkInterfaces")
        .as_array_mut()
        .unwrap()
        .push(instance_eni("eni-c", "10.2.5.5", "subnet-app-c", "i-c"));
    w.doc("LoadBalancerTargetHealth")[0]["TargetHealthDescriptions"]
        .as_array_mut()
        .unwrap()
        .push(health("i-c", "unused"));
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component),
        (FindingCode::ElbInstalledAzRestriction, LB)
    );
    assert!(found[0].problem.contains("i-c") && found[0].problem.contains("us-east-1c"));
}

#[test]
fn a_consumer_endpoint_in_a_zone_the_service_lacks_is_reported() {
    let mut w = World::base();
    let enis = w.doc("NetworkInterfaces").as_array_mut().unwrap();
    enis.push(json!({"NetworkInterfaceId": "eni-ep-c", "InterfaceType": "vpc_endpoint", "RequesterManaged": true,
        "SubnetId": "subnet-c-c", "VpcId": "vpc-c", "PrivateIpAddress": "10.9.3.20",
        "Groups": [{"GroupId": "sg-ep"}], "Status": "in-use"}));
    w.doc("VpcEndpoints")[0]["NetworkInterfaceIds"] = json!(["eni-ep", "eni-ep-c"]);
    let (snap, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component),
        (FindingCode::ElbInstalledAzRestriction, "vpce-c")
    );
    assert_eq!(&*found[0].traffic, "tcp/8443");
    let (kind, annotation) = compliance(&snap, &report, "AWS::EC2::VPCEndpoint", "vpce-c");
    assert_eq!(kind, ComplianceType::NonCompliant);
    assert!(
        annotation.starts_with("blocks tcp/8443 from 1 load balancer (svc-nlb) to vpce-svc-"),
        "{annotation}"
    );
}

#[test]
fn a_listener_without_a_target_group_is_reported() {
    let mut w = World::base();
    w.doc("LoadBalancerListeners")[0]["Listeners"][0]["DefaultActions"] = json!([]);
    let (_, report) = run(&w);
    let found = provider_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].code, &*found[0].component),
        (FindingCode::Elbv2ListenerHasNoTg, LB)
    );
}

#[test]
fn an_ip_target_outside_the_snapshot_is_missing_data_never_a_verdict() {
    let mut w = World::base();
    w.doc("TargetGroups")[0]["TargetType"] = json!("ip");
    w.doc("LoadBalancerTargetHealth")[0]["TargetHealthDescriptions"] = json!([
        health("10.2.3.5", "healthy"),
        health("172.16.0.9", "healthy")
    ]);
    let (snap, report) = run(&w);
    assert!(
        provider_findings(&report).is_empty(),
        "{:#?}",
        report.findings
    );
    assert!(report
        .missing
        .iter()
        .any(|m| m.resource == SVC && m.what.contains("172.16.0.9")));
    assert_eq!(
        compliance(&snap, &report, ENDPOINT_SERVICE_TYPE, SVC).0,
        ComplianceType::NonCompliant
    );
}

#[test]
fn without_provider_data_the_consumer_side_is_judged_alone_on_443() {
    let w = World::base()
        .without("ServiceConfigurations")
        .without("LoadBalancers")
        .without("LoadBalancerListeners")
        .without("TargetGroups")
        .without("LoadBalancerTargetHealth")
        .without("LoadBalancerAttributes");
    let (_, report) = run(&w);
    // sg-ep admits 8443 only: on 443 the consumer pair is blocked, as before issue 16.
    assert!(provider_findings(&report).is_empty());
    let f = report
        .findings
        .iter()
        .find(|f| f.endpoint.as_deref() == Some("vpce-c"))
        .unwrap();
    assert_eq!((&*f.traffic, &*f.component), ("tcp/443", "sg-ep"));
}

#[test]
fn service_ports_keep_overriding_the_listener_ports() {
    let snap = World::base().snapshot();
    let params = RuleParameters::from_pairs([
        ("RequiredServices", SVC_NAME),
        ("ServicePorts", &format!("{SVC_NAME}=9443")),
    ])
    .unwrap();
    let report = check(&snap, &params);
    let f = report
        .findings
        .iter()
        .find(|f| f.endpoint.as_deref() == Some("vpce-c"))
        .unwrap();
    assert_eq!((&*f.traffic, &*f.component), ("tcp/9443", "sg-ep"));
}
