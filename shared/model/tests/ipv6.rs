//! IPv6 wired into `check` (issue 17, docs/spec.md section 12): a dual-stack workload of a
//! dual-stack endpoint needs both families' paths (V3); an IPv6-only workload (an ENI of an
//! IPv6-only subnet, V8) takes the IPv6 path, or DNS64 to an IPv4-only endpoint, where the
//! NAT64 route does not make the pair reachable (V9); gateway endpoints by family (V4); an
//! IPv4-only workload keeps its IPv4 verdict. Every case is decided the same by the fast
//! `check` and `check_exact`.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};
use vpce_reach_model::{
    check, check_exact, trace_pair, Finding, FindingCode, Reason, Report, RuleParameters, Verdict,
};

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

/// The verdict of the pair eni-app -> `endpoint`, when it is a pair.
fn verdict(report: &Report, endpoint: &str) -> Option<Verdict> {
    report
        .pairs
        .iter()
        .find(|p| p.workload == "eni-app" && p.endpoint == endpoint)
        .map(|p| p.verdict)
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

/// `base()` with s-app an IPv6-only subnet as `describe-subnets` shows one (no `CidrBlock`,
/// `Ipv6Native`, DNS64 as given) and eni-app in it with its IPv6 address only (V8).
fn ipv6_only(dns64: bool) -> Value {
    let mut doc = base();
    let subnet = item(&mut doc, "Subnets", "SubnetId", "s-app");
    subnet.as_object_mut().unwrap().remove("CidrBlock");
    subnet["Ipv6Native"] = json!(true);
    subnet["EnableDns64"] = json!(dns64);
    let eni = item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-app",
    );
    eni.as_object_mut().unwrap().remove("PrivateIpAddress");
    doc
}

/// V8: an IPv6-only workload is a workload; with a dual-stack endpoint it takes the IPv6 path.
#[test]
fn an_ipv6_only_workload_of_a_dual_stack_endpoint_takes_the_ipv6_path() {
    let r = report(&ipv6_only(false));
    assert!(pair_findings(&r).is_empty(), "{:#?}", r.findings);
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    assert_eq!(r.workload_count, 1);
    assert_eq!(verdict(&r, "vpce-ssm"), Some(Verdict::Reachable));
    // Its IPv4-only rules do not matter, its IPv6 ones do; findings show its IPv6 address.
    let mut doc = ipv6_only(false);
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::EniSgRulesMismatch);
    assert!(
        found[0]
            .detail
            .starts_with("eni-app (2600:1f18:0:1::10, s-app) -> "),
        "{}",
        found[0].detail
    );
    assert!(found[0].detail.contains("over IPv6"), "{}", found[0].detail);
}

/// R2 for an IPv6-only workload is decided by its IPv6 address: the endpoint's group admits
/// the VPC's IPv6 block, so the pair must work even without `RequiredServices`, and its
/// blocked egress is a finding.
#[test]
fn an_endpoint_admitting_an_ipv6_only_workload_requires_the_pair() {
    let mut doc = ipv6_only(false);
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:0:0::/56"}]}]);
    item(&mut doc, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] = json!([]);
    let snap = snapshot(&doc);
    let params = RuleParameters::default();
    let fast = check(&snap, &params);
    assert_eq!(fast, check_exact(&snap, &params), "check == check_exact");
    let found = pair_findings(&fast);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*found[0].component, "sg-app");
    let pair = fast.pairs.iter().find(|p| p.workload == "eni-app").unwrap();
    assert!(pair.reasons.contains(Reason::EndpointAdmits), "{pair:?}");
    // The same group admitting only IPv4 addresses does not admit it: no pair is required.
    item(&mut doc, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let snap = snapshot(&doc);
    let fast = check(&snap, &params);
    assert_eq!(fast, check_exact(&snap, &params), "check == check_exact");
    assert!(pair_findings(&fast).is_empty(), "{:#?}", fast.findings);
}

/// V10: an IPv6-only workload, an IPv4-only endpoint, no DNS64: no usable answer.
#[test]
fn an_ipv6_only_workload_without_dns64_cannot_use_an_ipv4_endpoint() {
    let mut doc = ipv6_only(false);
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv4");
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::NoRouteToDestination);
    assert_eq!(&*found[0].component, "rtb-main");
    assert!(
        found[0].detail.contains("A records only") && found[0].detail.contains("without DNS64"),
        "{}",
        found[0].detail
    );
    assert!(found[0].fix.contains("dual-stack"), "{}", found[0].fix);
}

/// An IPv6-only subnet with DNS64 and an IPv4-only endpoint: DNS64 answers 64:ff9b::10.0.2.10,
/// and without a NAT gateway route for it the endpoint is unreachable (V9).
#[test]
fn dns64_without_a_nat64_route_is_no_route_on_the_subnet_table() {
    let mut doc = ipv6_only(true);
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

/// V9, the NAT64 leg: with a `64:ff9b::/96 -> nat-` route the traffic leaves through the NAT
/// gateway, which reaches the endpoint over IPv4 from its own address. The workload does not
/// use the endpoint: blocked, naming DNS64/NAT64, fixed by making the endpoint answer AAAA.
#[test]
fn dns64_through_a_nat_gateway_is_not_reachable() {
    let mut doc = ipv6_only(true);
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv4");
    item(&mut doc, "RouteTables", "RouteTableId", "rtb-main")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-1"}));
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{:#?}", r.findings);
    let f = found[0];
    assert_eq!(f.code, FindingCode::NoRouteToDestination);
    assert_eq!(&*f.component, "rtb-main");
    assert!(
        f.detail.contains("via NAT64") && f.detail.contains("DNS64"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("64:ff9b::a00:20a"), "{}", f.detail);
    assert_eq!(
        &*f.fix,
        "make vpce-ssm answer AAAA: IpAddressType dualstack with DnsRecordIpType dualstack \
         (or ipv6), so DNS64 returns its IPv6 addresses unchanged"
    );
    assert_eq!(verdict(&r, "vpce-ssm"), Some(Verdict::Blocked));
}

/// `base()` plus an S3 gateway endpoint of type `ip_type` routed from rtb-main, with the
/// service's IPv4 prefix list; sg-app allows egress to it.
fn with_s3(mut doc: Value, ip_type: &str) -> Value {
    doc["PrefixLists"] = json!([{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Cidrs": ["52.216.0.0/15"]}]);
    doc["VpcEndpoints"].as_array_mut().unwrap().push(json!(
        {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
         "State": "available", "ServiceName": "com.amazonaws.us-east-1.s3",
         "IpAddressType": ip_type, "RouteTableIds": ["rtb-main"]}));
    item(&mut doc, "RouteTables", "RouteTableId", "rtb-main")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3"}));
    item(&mut doc, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"]
        .as_array_mut()
        .unwrap()
        .push(json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "PrefixListIds": [{"PrefixListId": "pl-s3"}]}));
    doc
}

/// The S3 findings of eni-app and the report, with S3 required.
fn s3_report(doc: &Value) -> (Report, Vec<Finding>) {
    let snap = snapshot(doc);
    let params = RuleParameters::from_pairs([("RequiredServices", "s3")]).unwrap();
    let fast = check(&snap, &params);
    assert_eq!(fast, check_exact(&snap, &params), "check == check_exact");
    let found = fast
        .findings
        .iter()
        .filter(|f| {
            f.source.as_deref() == Some("eni-app") && f.endpoint.as_deref() == Some("vpce-s3")
        })
        .cloned()
        .collect();
    (fast, found)
}

/// V4: an IPv6-only workload never uses an `ipv4` gateway endpoint (its AAAA traffic is not
/// routed through it): blocked on its route table, the fix making the endpoint dual-stack.
#[test]
fn an_ipv6_only_workload_cannot_use_an_ipv4_gateway_endpoint() {
    let (_, found) = s3_report(&with_s3(ipv6_only(false), "ipv4"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::NoRouteToDestination);
    assert_eq!(&*found[0].component, "rtb-main");
    assert!(
        found[0].detail.contains("carries IPv4 only"),
        "{}",
        found[0].detail
    );
}

/// V4: a dual-stack workload of an `ipv4` gateway endpoint keeps its IPv4 verdict (reachable
/// here); of a `dualstack` one (service-defined records: the dual-stack name answers AAAA) it
/// needs the IPv6 leg too, which here has no IPv6 route to the endpoint (the fixture routes
/// the IPv4 list only): blocked on the route table. The IPv6 leg's own cases are in
/// tests/ipv6_gateway.rs.
#[test]
fn dual_stack_workloads_of_gateway_endpoints_by_type() {
    let (r, found) = s3_report(&with_s3(base(), "ipv4"));
    assert!(found.is_empty(), "{found:#?}");
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    let (r, found) = s3_report(&with_s3(base(), "dualstack"));
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::NoRouteToDestination);
    assert_eq!(&*found[0].component, "rtb-main");
    assert!(found[0].detail.contains("over IPv6"), "{}", found[0].detail);
}

/// An `ipv6` endpoint, its ENI in an IPv6-only subnet without an IPv4 address (V1, V8): an
/// IPv6-only workload reaches it over IPv6, no data is missing (an `ipv6` endpoint's ENIs have
/// no IPv4 address to miss), and an IPv4-only workload has no usable answer.
#[test]
fn an_ipv6_endpoint_in_ipv6_only_subnets() {
    let mut doc = ipv6_only(false);
    let subnet = item(&mut doc, "Subnets", "SubnetId", "s-ep");
    subnet.as_object_mut().unwrap().remove("CidrBlock");
    subnet["Ipv6Native"] = json!(true);
    let eni = item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-ep",
    );
    eni.as_object_mut().unwrap().remove("PrivateIpAddress");
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["IpAddressType"] = json!("ipv6");
    let r = report(&doc);
    assert!(pair_findings(&r).is_empty(), "{:#?}", r.findings);
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    assert_eq!(verdict(&r, "vpce-ssm"), Some(Verdict::Reachable));
    // A dual-stack subnet with an IPv4-only workload next to it: blocked, IPv6-only endpoint.
    doc["Subnets"].as_array_mut().unwrap().push(json!(
        {"SubnetId": "s-v4", "VpcId": "vpc-1", "CidrBlock": "10.0.4.0/24"}));
    doc["NetworkInterfaces"].as_array_mut().unwrap().push(json!(
        {"NetworkInterfaceId": "eni-v4", "InterfaceType": "interface", "Status": "in-use",
         "SubnetId": "s-v4", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.4.10",
         "Groups": [{"GroupId": "sg-app"}]}));
    let r = report(&doc);
    let blocked: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.source.as_deref() == Some("eni-v4"))
        .collect();
    assert_eq!(blocked.len(), 1, "{:#?}", r.findings);
    assert_eq!(blocked[0].code, FindingCode::NoRouteToDestination);
    assert!(
        blocked[0].detail.contains("IPv6-only"),
        "{}",
        blocked[0].detail
    );
}

/// `explain` traces an IPv6-only workload (it used to refuse an ENI without a private IPv4
/// address): its source is its IPv6 address, its targets the endpoint ENI's IPv6 address.
#[test]
fn explain_traces_an_ipv6_only_workload() {
    let snap = snapshot(&ipv6_only(false));
    let params = RuleParameters::default();
    let (trace, reasons) = trace_pair(&snap, &params, "eni-app", "vpce-ssm").unwrap();
    assert_eq!(trace.workload_ip.to_string(), "2600:1f18:0:1::10");
    assert!(reasons.contains(Reason::EndpointAdmits), "{reasons:?}");
    let addresses: Vec<&str> = trace.targets.iter().map(|t| t.address.as_str()).collect();
    assert_eq!(addresses, ["2600:1f18:0:2::10"]);
    assert_eq!(trace.verdict(), Verdict::Reachable);
}

/// V11: a workload group allowing all IPv4 egress and nothing over IPv6 (the default rule of
/// a group created before the VPC had an IPv6 block): the IPv6 egress fix names the IPv6 rule
/// to add, the endpoint subnet's IPv6 block (the ENI's address as a /128 when the snapshot
/// gives the subnet none), not a group reference.
#[test]
fn the_ipv6_egress_fix_of_an_all_ipv4_egress_group_names_the_ipv6_rule() {
    let mut doc = base();
    item(&mut doc, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] = json!([
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*found[0].component, "sg-app");
    assert!(found[0].detail.contains("over IPv6"), "{}", found[0].detail);
    assert_eq!(
        &*found[0].fix,
        "allow egress tcp/443 to 2600:1f18:0:2::/64 on sg-app"
    );
    item(&mut doc, "Subnets", "SubnetId", "s-ep")
        .as_object_mut()
        .unwrap()
        .remove("Ipv6CidrBlockAssociationSet");
    let r = report(&doc);
    let found = pair_findings(&r);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        &*found[0].fix,
        "allow egress tcp/443 to 2600:1f18:0:2::10/128 on sg-app"
    );
}
