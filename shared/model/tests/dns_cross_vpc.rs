//! DNS of pairs across VPCs (docs/spec.md D10): a spoke workload reaching a hub endpoint over
//! a peering connection resolves the service's name from the SPOKE's VPC (its attributes, its
//! DHCP option set, the zones associated with it), never from the hub's. One breakage per test;
//! every report is compared with `check_exact`.

use serde_json::{json, Value};
use vpce_reach_model::{
    check, check_exact, evaluations, from_documents, trace_pair, ComplianceType, HopKind, Outcome,
    Report, RuleParameters, Snapshot, Verdict,
};

const SSM: &str = "ssm.us-east-1.amazonaws.com.";
const SSM_SERVICE: &str = "com.amazonaws.us-east-1.ssm";
const SSM_EP_NAME: &str = "vpce-0hub-abcd.ssm.us-east-1.vpce.amazonaws.com";

/// Hub VPC 10.0.0.0/16 (endpoint vpce-0hub, ENI 10.0.2.10, and a workload eni-hub 10.0.1.10)
/// and spoke VPC 10.1.0.0/16 (workload eni-spoke 10.1.1.10), joined by peering connection
/// pcx-1 routed both ways. Everything is open: only DNS decides. `private_dns` is the hub
/// endpoint's flag; `spoke_dhcp` the spoke's `DhcpOptionsId`.
fn ec2(private_dns: bool, spoke_dhcp: &str) -> Vec<(String, Value)> {
    let open = json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let acl = |id: &str, vpc: &str, subnets: &[&str]| {
        let assoc: Vec<Value> = subnets.iter().map(|s| json!({"SubnetId": s})).collect();
        json!({"NetworkAclId": id, "VpcId": vpc, "IsDefault": true, "Associations": assoc,
               "Entries": [
                   {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
                   {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0"}]})
    };
    let table = |id: &str, vpc: &str, local: &str, peer: &str| {
        json!({"RouteTableId": id, "VpcId": vpc,
               "Associations": [{"Main": true, "AssociationState": {"State": "associated"}}],
               "Routes": [
                   {"DestinationCidrBlock": local, "GatewayId": "local", "State": "active"},
                   {"DestinationCidrBlock": peer, "VpcPeeringConnectionId": "pcx-1", "State": "active"}]})
    };
    let workload = |id: &str, vpc: &str, subnet: &str, ip: &str, group: &str| {
        json!({"NetworkInterfaceId": id, "InterfaceType": "interface", "SubnetId": subnet,
               "VpcId": vpc, "PrivateIpAddress": ip, "Status": "in-use",
               "Groups": [{"GroupId": group}]})
    };
    vec![
        (
            "vpcs".into(),
            json!({"Vpcs": [
                {"VpcId": "vpc-hub", "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "default"},
                {"VpcId": "vpc-spoke", "CidrBlock": "10.1.0.0/16", "DhcpOptionsId": spoke_dhcp}]}),
        ),
        (
            "subnets".into(),
            json!({"Subnets": [
                {"SubnetId": "subnet-ep", "VpcId": "vpc-hub", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-hub", "VpcId": "vpc-hub", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-spoke", "VpcId": "vpc-spoke", "CidrBlock": "10.1.1.0/24", "AvailabilityZone": "us-east-1a"}]}),
        ),
        (
            "acls".into(),
            json!({"NetworkAcls": [
                acl("acl-hub", "vpc-hub", &["subnet-ep", "subnet-hub"]),
                acl("acl-spoke", "vpc-spoke", &["subnet-spoke"])]}),
        ),
        (
            "tables".into(),
            json!({"RouteTables": [
                table("rtb-hub", "vpc-hub", "10.0.0.0/16", "10.1.0.0/16"),
                table("rtb-spoke", "vpc-spoke", "10.1.0.0/16", "10.0.0.0/16")]}),
        ),
        (
            "peering".into(),
            json!({"VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-1",
                "Status": {"Code": "active"},
                "RequesterVpcInfo": {"VpcId": "vpc-spoke", "Region": "us-east-1"},
                "AccepterVpcInfo": {"VpcId": "vpc-hub", "Region": "us-east-1"}}]}),
        ),
        (
            "groups".into(),
            json!({"SecurityGroups": [
                {"GroupId": "sg-ep", "VpcId": "vpc-hub", "IpPermissions": open, "IpPermissionsEgress": open},
                {"GroupId": "sg-hub", "VpcId": "vpc-hub", "IpPermissions": [], "IpPermissionsEgress": open},
                {"GroupId": "sg-spoke", "VpcId": "vpc-spoke", "IpPermissions": [], "IpPermissionsEgress": open}]}),
        ),
        (
            "enis".into(),
            json!({"NetworkInterfaces": [
                {"NetworkInterfaceId": "eni-ep", "InterfaceType": "vpc_endpoint", "SubnetId": "subnet-ep",
                 "VpcId": "vpc-hub", "PrivateIpAddress": "10.0.2.10", "RequesterManaged": true,
                 "Groups": [{"GroupId": "sg-ep"}]},
                workload("eni-hub", "vpc-hub", "subnet-hub", "10.0.1.10", "sg-hub"),
                workload("eni-spoke", "vpc-spoke", "subnet-spoke", "10.1.1.10", "sg-spoke")]}),
        ),
        (
            "endpoints".into(),
            json!({"VpcEndpoints": [
                {"VpcEndpointId": "vpce-0hub", "VpcEndpointType": "Interface", "VpcId": "vpc-hub",
                 "ServiceName": SSM_SERVICE, "State": "available", "PrivateDnsEnabled": private_dns,
                 "NetworkInterfaceIds": ["eni-ep"], "SubnetIds": ["subnet-ep"],
                 "Groups": [{"GroupId": "sg-ep"}],
                 "DnsEntries": [{"DnsName": SSM_EP_NAME, "HostedZoneId": "Z7HUB"}]}]}),
        ),
        (
            "dhcp".into(),
            json!({"DhcpOptions": [
                {"DhcpOptionsId": "dopt-amazon", "DhcpConfigurations": [
                    {"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]}]},
                {"DhcpOptionsId": "dopt-custom", "DhcpConfigurations": [
                    {"Key": "domain-name-servers", "Values": [{"Value": "10.9.0.2"}]}]}]}),
        ),
        ("zones".into(), json!({"HostedZones": []})),
    ]
}

/// Private zone Z0SSM named after the service, associated with `vpcs`, aliasing `target`.
fn ssm_zone(vpcs: &[&str], target: &str) -> Vec<(String, Value)> {
    let vpcs: Vec<Value> = vpcs
        .iter()
        .map(|v| json!({"VPCId": v, "VPCRegion": "us-east-1"}))
        .collect();
    vec![
        (
            "zone-Z0SSM".into(),
            json!({"HostedZone": {"Id": "/hostedzone/Z0SSM", "Name": SSM,
                    "Config": {"PrivateZone": true}}, "VPCs": vpcs}),
        ),
        (
            "records-Z0SSM".into(),
            json!({"HostedZoneId": "Z0SSM", "ResourceRecordSets": [
                {"Name": SSM, "Type": "A", "AliasTarget": {"HostedZoneId": "Z7HUB",
                 "DNSName": format!("{target}."), "EvaluateTargetHealth": true}}]}),
        ),
    ]
}

fn load(mut docs: Vec<(String, Value)>, more: Vec<(String, Value)>) -> Snapshot {
    docs.extend(more);
    from_documents(docs).expect("loads")
}

fn params(required: bool) -> RuleParameters {
    if required {
        RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap()
    } else {
        RuleParameters::default()
    }
}

/// The fast report, after checking it equals the exact one.
fn report(s: &Snapshot, required: bool) -> Report {
    let p = params(required);
    let fast = check(s, &p);
    assert_eq!(fast, check_exact(s, &p), "check != check_exact");
    fast
}

fn verdict(r: &Report, workload: &str) -> Option<Verdict> {
    r.pairs
        .iter()
        .find(|p| p.workload == workload && p.endpoint == "vpce-0hub")
        .map(|p| p.verdict)
}

fn codes(r: &Report) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.component.to_string()))
        .collect()
}

fn compliance(s: &Snapshot, r: &Report, id: &str) -> Option<ComplianceType> {
    evaluations(s, r)
        .into_iter()
        .find(|e| e.compliance_resource_id == id)
        .map(|e| e.compliance_type)
}

/// The spoke pair's private-DNS (resolution) hop, as `explain` traces it.
fn spoke_dns_hop(s: &Snapshot, required: bool) -> vpce_reach_model::Hop {
    let (trace, _) = trace_pair(s, &params(required), "eni-spoke", "vpce-0hub").expect("a pair");
    trace
        .common
        .into_iter()
        .find(|h| h.kind == HopKind::PrivateDns)
        .expect("a private-DNS hop")
}

/// The centralized pattern with the zone associated with the spoke only: the hub's own private
/// DNS (off, no zone in the hub) is the hub's business, not the spoke's.
#[test]
fn a_zone_of_the_spoke_serves_its_pairs_though_the_hub_has_none() {
    let s = load(ec2(false, "default"), ssm_zone(&["vpc-spoke"], SSM_EP_NAME));
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Reachable), "{r:?}");
    // The hub's own workload has no name for the endpoint: that stays the hub's finding.
    assert_eq!(verdict(&r, "eni-hub"), Some(Verdict::Blocked));
    assert!(
        codes(&r).contains(&("PRIVATE_DNS_DISABLED".into(), "vpce-0hub".into())),
        "{:?}",
        r.findings
    );
    let hop = spoke_dns_hop(&s, true);
    assert_eq!(hop.outcome, Outcome::Allowed);
    assert!(hop.components.iter().any(|c| &**c == "Z0SSM"), "{hop:?}");
}

#[test]
fn a_zone_of_the_spoke_on_a_working_pair_is_compliant() {
    let mut docs = ec2(false, "default");
    // The hub has no workload of its own here: only the spoke's pair crosses the zone.
    docs.iter_mut().find(|(k, _)| k == "enis").unwrap().1["NetworkInterfaces"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["NetworkInterfaceId"] != "eni-hub");
    let s = load(docs, ssm_zone(&["vpc-spoke"], SSM_EP_NAME));
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Reachable));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(compliance(&s, &r, "Z0SSM"), Some(ComplianceType::Compliant));
    assert_eq!(
        compliance(&s, &r, "vpce-0hub"),
        Some(ComplianceType::Compliant)
    );
}

/// D1 in the spoke: custom DNS servers may send the name anywhere: the spoke's pair is
/// unproven, and the hub (whose resolver is Route 53's) keeps its verdicts.
#[test]
fn custom_dhcp_dns_in_the_spoke_leaves_its_cross_pairs_unproven() {
    let s = load(
        ec2(false, "dopt-custom"),
        ssm_zone(&["vpc-hub", "vpc-spoke"], SSM_EP_NAME),
    );
    let r = report(&s, false);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Unknown), "{r:?}");
    assert_eq!(verdict(&r, "eni-hub"), Some(Verdict::Reachable));
    assert!(
        r.findings.is_empty(),
        "missing data is never a blame: {:?}",
        r.findings
    );
    assert!(
        r.missing
            .iter()
            .any(|m| m.resource == "dopt-custom" && m.what.contains("10.9.0.2")),
        "{:?}",
        r.missing
    );
    assert_ne!(
        compliance(&s, &r, "vpc-spoke"),
        Some(ComplianceType::Compliant)
    );
}

#[test]
fn custom_dhcp_dns_in_the_spoke_with_the_service_required_blames_the_option_set_only() {
    let s = load(
        ec2(false, "dopt-custom"),
        ssm_zone(&["vpc-hub", "vpc-spoke"], SSM_EP_NAME),
    );
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Unknown), "{r:?}");
    assert_eq!(verdict(&r, "eni-hub"), Some(Verdict::Reachable));
    assert_eq!(
        codes(&r),
        [(
            "DNS_NOT_AMAZON_PROVIDED".to_string(),
            "dopt-custom".to_string()
        )]
    );
}

/// D5: the hub endpoint's private DNS answers in the hub only. A spoke without a zone resolves
/// the name publicly: its finding names the spoke, never the hub endpoint.
#[test]
fn private_dns_of_the_hub_does_not_answer_in_the_spoke() {
    let s = load(ec2(true, "default"), vec![]);
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Blocked), "{r:?}");
    assert_eq!(verdict(&r, "eni-hub"), Some(Verdict::Reachable));
    assert_eq!(
        codes(&r),
        [(
            "NO_ENDPOINT_FOR_SERVICE".to_string(),
            "vpc-spoke".to_string()
        )]
    );
    let hop = spoke_dns_hop(&s, true);
    assert_eq!(hop.outcome, Outcome::Blocked);
    assert_eq!(
        hop.code.map(|c| c.as_str()),
        Some("NO_ENDPOINT_FOR_SERVICE")
    );
    assert_eq!(
        hop.components.iter().map(|c| &**c).collect::<Vec<_>>(),
        ["vpc-spoke"]
    );
}

#[test]
fn without_the_service_required_a_spoke_without_a_zone_still_reaches_the_endpoint_by_name() {
    // Only the endpoint-specific names reach it: not a blame when nothing requires the service.
    let s = load(ec2(true, "default"), vec![]);
    let r = report(&s, false);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Reachable), "{r:?}");
    assert!(spoke_dns_hop(&s, false)
        .detail
        .contains("only the endpoint-specific DNS names"));
}

/// D6 from the spoke: its zone aliases an endpoint that no longer exists. The spoke's pair with
/// the hub's live endpoint is blocked by the zone, as the spoke's VPC finding says.
#[test]
fn a_spoke_zone_aliasing_a_deleted_endpoint_is_a_record_mismatch() {
    let s = load(
        ec2(true, "default"),
        ssm_zone(
            &["vpc-spoke"],
            "vpce-0gone-wxyz.ssm.us-east-1.vpce.amazonaws.com",
        ),
    );
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Blocked), "{r:?}");
    assert_eq!(verdict(&r, "eni-hub"), Some(Verdict::Reachable));
    assert_eq!(
        codes(&r),
        [("DNS_RECORD_MISMATCH".to_string(), "Z0SSM".to_string())]
    );
    let hop = spoke_dns_hop(&s, true);
    assert_eq!(hop.code.map(|c| c.as_str()), Some("DNS_RECORD_MISMATCH"));
    assert_eq!(
        hop.components.iter().map(|c| &**c).collect::<Vec<_>>(),
        ["Z0SSM"]
    );
    assert_eq!(
        compliance(&s, &r, "Z0SSM"),
        Some(ComplianceType::NonCompliant)
    );
}

/// Without any DNS document nothing is resolved (docs/spec.md section 10): a spoke's pair keeps
/// the endpoint's own DNS hops, and their finding, as before issue 15, even when the hub has no
/// workload of its own.
#[test]
fn without_dns_data_a_spoke_pair_keeps_the_endpoints_own_dns_hops() {
    let mut docs = ec2(false, "default");
    docs.retain(|(k, _)| k != "dhcp" && k != "zones");
    docs.iter_mut().find(|(k, _)| k == "enis").unwrap().1["NetworkInterfaces"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["NetworkInterfaceId"] != "eni-hub");
    let s = load(docs, vec![]);
    assert!(s.dns.is_empty());
    let r = report(&s, true);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Blocked), "{r:?}");
    assert!(
        codes(&r).contains(&("PRIVATE_DNS_DISABLED".into(), "vpce-0hub".into())),
        "{:?}",
        r.findings
    );
}

/// The hub endpoint's group admits the hub's own range only: no R2 (nor R3: the spoke's egress
/// is open to everything, naming nothing) for the spoke.
fn endpoint_admits_hub_only(docs: &mut [(String, Value)]) {
    let groups = &mut docs.iter_mut().find(|(k, _)| k == "groups").unwrap().1;
    let ep = groups["SecurityGroups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["GroupId"] == "sg-ep")
        .unwrap();
    ep["IpPermissions"] = json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]);
}

/// R7 across VPCs (D10): the spoke's zone resolving the service to the hub endpoint states that
/// the spoke's workloads use it, so the endpoint group that does not admit them is a finding,
/// though nothing else requires the pair (before, it only counted for R5: a silent breakage).
#[test]
fn a_spoke_zone_makes_its_workloads_required_clients_of_the_hub_endpoint() {
    let mut docs = ec2(false, "default");
    endpoint_admits_hub_only(&mut docs);
    let without_zone = load(docs.clone(), vec![]);
    let r = report(&without_zone, false);
    assert!(
        !codes(&r).iter().any(|(_, c)| c == "sg-ep"),
        "no zone, nothing requires the spoke: {:?}",
        r.findings
    );

    let s = load(docs, ssm_zone(&["vpc-spoke"], SSM_EP_NAME));
    let r = report(&s, false);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Blocked), "{r:?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.source.as_deref() == Some("eni-spoke"))
        .expect("a finding for the spoke's pair");
    assert_eq!(f.code.as_str(), "ENI_SG_RULES_MISMATCH", "{f:?}");
    assert_eq!(&*f.component, "sg-ep");
    let (_, reasons) = trace_pair(&s, &params(false), "eni-spoke", "vpce-0hub").expect("a pair");
    assert!(
        reasons.iter().any(|r| r.label() == "R7"),
        "explain says why the pair is required: {reasons:?}"
    );
}

/// R7 across VPCs without any link: the zone still makes the spoke a client, and the pair
/// stops at the spoke's route table (no route to the hub endpoint's address).
#[test]
fn a_spoke_zone_without_a_link_is_a_missing_route_not_silence() {
    let mut docs = ec2(false, "default");
    docs.retain(|(k, _)| k != "peering");
    let tables = &mut docs.iter_mut().find(|(k, _)| k == "tables").unwrap().1;
    for t in tables["RouteTables"].as_array_mut().unwrap() {
        t["Routes"].as_array_mut().unwrap().truncate(1);
    }
    let s = load(docs, ssm_zone(&["vpc-spoke"], SSM_EP_NAME));
    let r = report(&s, false);
    assert_eq!(verdict(&r, "eni-spoke"), Some(Verdict::Blocked), "{r:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.source.as_deref() == Some("eni-spoke") && &*f.component == "rtb-spoke"),
        "{:?}",
        r.findings
    );
}
