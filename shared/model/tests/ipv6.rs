//! IPv6 wired into `check` for same-VPC interface endpoints (issue 17, docs/spec.md section
//! 12): a dual-stack workload of a dual-stack endpoint needs both families' paths (V3), an
//! IPv6-only workload of an IPv4-only endpoint needs DNS64's NAT64 route (V9), and an
//! IPv4-only workload keeps its IPv4 verdict. Every case is decided the same by the fast
//! `check` and `check_exact`.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};
use vpce_reach_model::{check, check_exact, Finding, FindingCode, Report, RuleParameters};

/// One dual-stack VPC: the workload eni-app (10.0.1.10, 2600:1f18:0:1::10) in s-app, the
/// dual-stack SSM endpoint's ENI (10.0.2.10, 2600:1f18:0:2::10) in s-ep. Groups reference each
/// other (both families, V5), the default ACL allows both families: reachable.
fn base() -> Value {
    let allow_all = json!([
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]);
    let https = |peer: Value| {
        let mut r = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443});
        r.as_object_mut()
            .unwrap()
            .extend(peer.as_object().unwrap().clone());
        r
    };
    json!({
      "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
        "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:0::/56"}]}],
      "Subnets": [
        {"SubnetId": "s-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]},
        {"SubnetId": "s-ep", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:2::/64"}]}],
      "RouteTables": [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"}]}],
      "NetworkAcls": [
        {"NetworkAclId": "acl-default", "VpcId": "vpc-1", "IsDefault": true, "Entries": allow_all}],
      "SecurityGroups": [
        {"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": [
          https(json!({"UserIdGroupPairs": [{"GroupId": "sg-ep"}]}))]},
        {"GroupId": "sg-ep", "VpcId": "vpc-1", "IpPermissionsEgress": [], "IpPermissions": [
          https(json!({"UserIdGroupPairs": [{"GroupId": "sg-app"}]}))]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-app", "InterfaceType": "interface", "Status": "in-use",
         "SubnetId": "s-app", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::10"}], "Groups": [{"GroupId": "sg-app"}]},
        {"NetworkInterfaceId": "eni-ep", "InterfaceType": "vpc_endpoint", "RequesterManaged": true,
         "Status": "in-use", "SubnetId": "s-ep", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.2.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:2::10"}], "Groups": [{"GroupId": "sg-ep"}]}],
      "VpcEndpoints": [
        {"VpcEndpointId": "vpce-ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
         "State": "available", "ServiceName": "com.amazonaws.us-east-1.ssm",
         "IpAddressType": "dualstack", "PrivateDnsEnabled": true,
         "Groups": [{"GroupId": "sg-ep"}], "NetworkInterfaceIds": ["eni-ep"]}]
    })
}

fn snapshot(doc: &Value) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    b.add_json("ipv6.json", &doc.to_string()).unwrap();
    b.finish()
}

/// The report of `check`, after checking that `check_exact` agrees.
fn report(doc: &Value) -> Report {
    let snap = snapshot(doc);
    let params = RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap();
    let fast = check(&snap, &params);
    assert_eq!(fast, check_exact(&snap, &params), "check == check_exact");
    fast
}

/// The pair findings of eni-app.
fn pair_findings(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.source.as_deref() == Some("eni-app"))
        .collect()
}

/// The item of `doc[key]` whose `id_key` is `id`.
fn item<'v>(doc: &'v mut Value, key: &str, id_key: &str, id: &str) -> &'v mut Value {
    doc[key]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|v| v[id_key] == id)
        .unwrap()
}

#[test]
fn a_dual_stack_pair_that_works_in_both_families_is_reachable() {
    let r = report(&base());
    assert!(pair_findings(&r).is_empty(), "{:#?}", r.findings);
}

/// The endpoint's group admits the VPC's IPv4 block only: the IPv4 path works, the IPv6 one
/// (which a dual-stack client prefers) does not.
#[test]
fn an_endpoint_group_admitting_only_ipv4_blocks_a_dual_stack_workload() {
    let mut doc = base();
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]);
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*f.component, "sg-ep");
    assert!(f.detail.contains("over IPv6"), "{}", f.detail);
    assert!(f.detail.contains("2600:1f18:0:1::10"), "{}", f.detail);
    assert_eq!(&*f.fix, "allow ingress tcp/443 on sg-ep from sg-app");
}

/// The endpoint subnet's ACL returns IPv4 replies but IPv6 ones on 1024-32767 only.
#[test]
fn an_acl_without_the_ipv6_ephemeral_return_blocks() {
    let mut doc = base();
    doc["NetworkAcls"].as_array_mut().unwrap().push(json!(
        {"NetworkAclId": "acl-ep", "VpcId": "vpc-1", "Associations": [{"SubnetId": "s-ep"}], "Entries": [
          {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 110, "Egress": true, "RuleAction": "allow", "Protocol": "6", "Ipv6CidrBlock": "::/0",
           "PortRange": {"From": 1024, "To": 32767}},
          {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]}));
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::SubnetAclRestriction);
    assert_eq!(&*f.component, "acl-ep");
    assert!(f.detail.contains("over IPv6"), "{}", f.detail);
    assert_eq!(
        &*f.fix,
        "add an outbound IPv6 allow tcp/1024-65535 to 2600:1f18:0:1::/64 to acl-ep"
    );
}

/// An IPv6-only subnet with DNS64 and an IPv4-only endpoint: DNS64 answers 64:ff9b::10.0.2.10,
/// and without a NAT gateway route for it the endpoint is unreachable (V9). The workload ENI
/// carries an IPv4 address in the fixture only because `check` selects workloads by their
/// IPv4 address; the IPv6-only subnet makes it IPv6-only to the family decision (V10).
#[test]
fn dns64_without_a_nat64_route_is_no_route_on_the_subnet_table() {
    let mut doc = base();
    let subnet = item(&mut doc, "Subnets", "SubnetId", "s-app");
    subnet["Ipv6Native"] = json!(true);
    subnet["EnableDns64"] = json!(true);
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv4");
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.code, FindingCode::NoRouteToDestination);
    assert_eq!(&*f.component, "rtb-main");
    assert!(f.detail.contains("DNS64"), "{}", f.detail);
    assert!(f.detail.contains("64:ff9b::a00:20a"), "{}", f.detail);
    assert_eq!(
        &*f.fix,
        "add a route 64:ff9b::/96 -> nat-… (a NAT gateway) to rtb-main"
    );
}

/// An IPv4-only workload of a dual-stack endpoint whose group admits IPv4 only: the IPv4
/// verdict, the same report as with an IPv4-only endpoint.
#[test]
fn an_ipv4_only_workload_of_a_dual_stack_endpoint_keeps_its_ipv4_verdict() {
    let mut doc = base();
    item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-app",
    )["Ipv6Addresses"] = json!([]);
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]);
    let dual = report(&doc);
    assert!(pair_findings(&dual).is_empty(), "{:#?}", dual.findings);
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv4");
    assert_eq!(dual, report(&doc));
}

/// A dual-stack pair whose endpoint ENI shows no IPv6 address (moto, older collections): the
/// IPv6 path cannot be decided, so the pair is missing data, not a verdict.
#[test]
fn a_dual_stack_endpoint_without_eni_ipv6_addresses_is_missing_data() {
    let mut doc = base();
    item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-ep",
    )["Ipv6Addresses"] = json!([]);
    let r = report(&doc);
    assert!(pair_findings(&r).is_empty(), "{:#?}", r.findings);
    assert!(
        r.missing.iter().any(|m| m.what.contains("eni-ep")),
        "{:#?}",
        r.missing
    );
}

/// The mirror case: the endpoint's group admits the VPC's IPv6 block only. As many targets
/// reached as the endpoint has ENIs (the IPv6 one) is not every target: the IPv4 path blocks.
#[test]
fn an_endpoint_group_admitting_only_ipv6_blocks_the_ipv4_path() {
    let mut doc = base();
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:0:0::/56"}]}]);
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::EniSgRulesMismatch);
    assert!(
        !found[0].detail.contains("over IPv6"),
        "{}",
        found[0].detail
    );
}

/// An IPv6-only endpoint (AAAA answers only) and an IPv4-only workload: nothing usable, blocked
/// on the workload's route table (V10).
#[test]
fn an_ipv4_only_workload_of_an_ipv6_only_endpoint_is_blocked() {
    let mut doc = base();
    item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-app",
    )["Ipv6Addresses"] = json!([]);
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv6");
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::NoRouteToDestination);
    assert_eq!(&*found[0].component, "rtb-main");
    assert!(found[0].detail.contains("IPv6-only"), "{}", found[0].detail);
}

/// A dual-stack pair's findings count its targets (an IPv4 and an IPv6 address per ENI), not
/// the endpoint's ENIs: "1 of 1 ENIs" would hide the blocked IPv6 path.
#[test]
fn dual_stack_findings_count_targets() {
    let mut doc = base();
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]);
    let r = report(&doc);
    let detail = &pair_findings(&r)[0].detail;
    assert!(detail.contains("(reaches 1 of 2 targets)"), "{detail}");
}
