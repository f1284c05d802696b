//! The IPv6 leg through a gateway endpoint (issue 17, docs/spec.md V4): a `dualstack` or
//! `ipv6` S3 gateway endpoint has a second prefix list, of family IPv6, which AWS routes to the
//! endpoint next to the IPv4 one; a pair that needs IPv6 (V10) is checked on it as the IPv4
//! path is on the IPv4 list: the workload's groups outbound to the list, the IPv6 route
//! (longest prefix), the subnet ACL's IPv6 entries both ways. Every case is decided the same
//! by the fast `check` and `check_exact`.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};
use vpce_reach_model::{
    check, check_exact, trace_pair, Finding, FindingCode, Report, RuleParameters, Verdict,
};

/// The IPv6 entries of the fixture's S3 IPv6 list.
const V6_CIDRS: [&str; 2] = ["2600:1ff8:c000::/40", "2600:1ffa:4000::/40"];

/// A dual-stack VPC: the workload eni-app (10.0.1.10, 2600:1f18:0:1::10) in s-app, a
/// `dualstack` S3 gateway endpoint associated with rtb-main, which holds both of its routes
/// (pl-s3 IPv4, pl-s3v6 IPv6); sg-app allows tcp/443 to both lists, the default ACL allows
/// both families: reachable over both.
fn base() -> Value {
    let allow_all = json!([
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]);
    json!({
      "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
        "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:0::/56"}]}],
      "Subnets": [
        {"SubnetId": "s-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]}],
      "RouteTables": [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"},
          {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3"},
          {"DestinationPrefixListId": "pl-s3v6", "GatewayId": "vpce-s3"}]}],
      "NetworkAcls": [
        {"NetworkAclId": "acl-default", "VpcId": "vpc-1", "IsDefault": true, "Entries": allow_all}],
      "SecurityGroups": [
        {"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
           "PrefixListIds": [{"PrefixListId": "pl-s3"}, {"PrefixListId": "pl-s3v6"}]}]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-app", "InterfaceType": "interface", "Status": "in-use",
         "SubnetId": "s-app", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::10"}], "Groups": [{"GroupId": "sg-app"}]}],
      "PrefixLists": [
        {"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
         "Cidrs": ["52.216.0.0/15"]},
        {"PrefixListId": "pl-s3v6", "PrefixListName": "com.amazonaws.us-east-1.ipv6.s3",
         "AddressFamily": "IPv6", "Cidrs": V6_CIDRS}],
      "VpcEndpoints": [
        {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
         "State": "available", "ServiceName": "com.amazonaws.us-east-1.s3",
         "IpAddressType": "dualstack", "RouteTableIds": ["rtb-main"]}]
    })
}

fn snapshot(doc: &Value) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    b.add_json("ipv6-gateway.json", &doc.to_string()).unwrap();
    b.finish()
}

/// The report of `check` with S3 required, after checking that `check_exact` agrees (the fast
/// path sends every pair that needs IPv6 to the exact trace).
fn report(doc: &Value) -> Report {
    let snap = snapshot(doc);
    let params = RuleParameters::from_pairs([("RequiredServices", "s3")]).unwrap();
    let fast = check(&snap, &params);
    assert_eq!(fast, check_exact(&snap, &params), "check == check_exact");
    fast
}

/// The findings of `workload`'s pair with vpce-s3.
fn findings<'r>(report: &'r Report, workload: &str) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| {
            f.source.as_deref() == Some(workload) && f.endpoint.as_deref() == Some("vpce-s3")
        })
        .collect()
}

/// The verdict of `workload` -> vpce-s3.
fn verdict(report: &Report, workload: &str) -> Option<Verdict> {
    report
        .pairs
        .iter()
        .find(|p| p.workload == workload && p.endpoint == "vpce-s3")
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

/// Removes the items of `doc[key]` for which `drop` holds.
fn remove(doc: &mut Value, key: &str, drop: impl Fn(&Value) -> bool) {
    doc[key].as_array_mut().unwrap().retain(|v| !drop(v));
}

fn routes<'v>(doc: &'v mut Value, table: &str) -> &'v mut Vec<Value> {
    item(doc, "RouteTables", "RouteTableId", table)["Routes"]
        .as_array_mut()
        .unwrap()
}

/// sg-app's egress rules.
fn egress_of(doc: &mut Value) -> &mut Value {
    &mut item(doc, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"]
}

/// The one finding of eni-app with vpce-s3, checked to say "over IPv6".
fn only_finding(r: &Report) -> Finding {
    let found = findings(r, "eni-app");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].detail.contains("over IPv6"), "{}", found[0].detail);
    assert_eq!(verdict(r, "eni-app"), Some(Verdict::Blocked));
    found[0].clone()
}

/// Both families reachable: two targets, the IPv4 list and the IPv6 one, each reachable.
#[test]
fn a_clean_dualstack_gateway_pair_is_reachable_over_both_families() {
    let r = report(&base());
    assert!(findings(&r, "eni-app").is_empty(), "{:#?}", r.findings);
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Reachable));
    let snap = snapshot(&base());
    let (trace, _) = trace_pair(&snap, &RuleParameters::default(), "eni-app", "vpce-s3").unwrap();
    let ids: Vec<&str> = trace.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["pl-s3", "pl-s3v6"]);
    assert_eq!(trace.targets[1].address, V6_CIDRS.join(", "));
    assert!(trace.targets.iter().all(|t| t.reachable()));
}

/// G3, V5: the group allows the IPv4 list only. Referencing the IPv6 list, or `Ipv6Ranges`
/// covering every one of its entries, fixes it; a range covering one entry does not.
#[test]
fn a_group_without_the_ipv6_list_blocks_the_ipv6_leg() {
    let mut doc = base();
    let egress = |peer: Value| {
        let mut rule = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "PrefixListIds": [{"PrefixListId": "pl-s3"}]});
        rule.as_object_mut()
            .unwrap()
            .extend(peer.as_object().unwrap().clone());
        json!([rule])
    };
    *egress_of(&mut doc) = egress(json!({}));
    let f = only_finding(&report(&doc));
    assert_eq!(f.code, FindingCode::EniSgRulesMismatch);
    assert_eq!(&*f.component, "sg-app");
    assert!(
        f.detail.contains("pl-s3v6 (2 of its 2 CIDRs uncovered"),
        "{}",
        f.detail
    );
    assert_eq!(
        &*f.fix,
        "allow egress tcp/443 to pl-s3v6 (s3's IPv6 prefix list) on sg-app"
    );
    *egress_of(&mut doc) = egress(json!({"Ipv6Ranges": [{"CidrIpv6": "2600:1ff8:c000::/40"}]}));
    let f = only_finding(&report(&doc));
    assert!(
        f.detail.contains("1 of its 2 CIDRs uncovered"),
        "{}",
        f.detail
    );
    *egress_of(&mut doc) = egress(json!({"Ipv6Ranges": [{"CidrIpv6": "2600:1ff8::/30"}]}));
    let r = report(&doc);
    assert!(findings(&r, "eni-app").is_empty(), "{:#?}", r.findings);
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Reachable));
}

/// G4, V6: the workload subnet's ACL has IPv4 entries only: the IPv6 packets fall to its IPv6
/// `*` deny, out and back; the fix names the IPv6 entry to add.
#[test]
fn an_acl_without_ipv6_entries_blocks_the_ipv6_leg() {
    let mut doc = base();
    doc["NetworkAcls"].as_array_mut().unwrap().push(json!(
        {"NetworkAclId": "acl-app", "VpcId": "vpc-1", "Associations": [{"SubnetId": "s-app"}], "Entries": [
          {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}));
    let r = report(&doc);
    let found = findings(&r, "eni-app");
    assert!(!found.is_empty(), "{:#?}", r.findings);
    assert!(found
        .iter()
        .all(|f| f.code == FindingCode::SubnetAclRestriction
            && &*f.component == "acl-app"
            && f.detail.contains("over IPv6")));
    let fixes: Vec<&str> = found.iter().map(|f| &*f.fix).collect();
    let out = format!(
        "add an outbound IPv6 allow tcp/443 to each of pl-s3v6 ({}) to acl-app",
        V6_CIDRS.join(", ")
    );
    assert!(fixes.contains(&out.as_str()), "{fixes:#?}");
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Blocked));
    // Only the reply leg missing: the inbound IPv6 entry covers part of the ephemeral range.
    let acl = item(&mut doc, "NetworkAcls", "NetworkAclId", "acl-app");
    acl["Entries"].as_array_mut().unwrap().extend([
        json!({"RuleNumber": 110, "Egress": true, "RuleAction": "allow", "Protocol": "6",
               "Ipv6CidrBlock": "::/0", "PortRange": {"From": 443, "To": 443}}),
        json!({"RuleNumber": 110, "Egress": false, "RuleAction": "allow", "Protocol": "6",
               "Ipv6CidrBlock": "::/0", "PortRange": {"From": 1024, "To": 32767}}),
    ]);
    let f = only_finding(&report(&doc));
    assert_eq!(f.code, FindingCode::SubnetAclRestriction);
    assert!(
        f.detail.contains("inbound drops tcp/32768-65535 over IPv6"),
        "{}",
        f.detail
    );
    assert_eq!(
        &*f.fix,
        format!(
            "add an inbound IPv6 allow tcp/1024-65535 from each of pl-s3v6 ({}) to acl-app",
            V6_CIDRS.join(", ")
        )
    );
}

/// V4, V7: rtb-main lost its IPv6 route to the endpoint, and no other table names the IPv6
/// list: the list is not identified, but the route hop blocks whatever it holds
/// (NO_ROUTE_TO_DESTINATION, the fix getting AWS to add the route again). A table not
/// associated with the endpoint at all is told to be added (the list identified from
/// rtb-main's route); a more specific IPv6 route takes part of the list.
#[test]
fn routes_decide_the_ipv6_leg() {
    let mut doc = base();
    routes(&mut doc, "rtb-main").retain(|r| r["DestinationPrefixListId"] != "pl-s3v6");
    let r = report(&doc);
    let f = only_finding(&r);
    assert_eq!(f.code, FindingCode::NoRouteToDestination);
    assert_eq!(&*f.component, "rtb-main");
    assert_eq!(
        &*f.fix,
        "re-associate rtb-main with vpce-s3 so AWS adds its IPv6 route the service's IPv6 \
         prefix list -> vpce-s3 (aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-s3 \
         --remove-route-table-ids rtb-main, then --add-route-table-ids rtb-main)"
    );
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    let snap = snapshot(&doc);
    let (trace, _) = trace_pair(&snap, &RuleParameters::default(), "eni-app", "vpce-s3").unwrap();
    assert_eq!(trace.targets[1].id, "vpce-s3");
    assert_eq!(trace.targets[1].hops.len(), 1);

    // A second subnet whose table the endpoint is not associated with: both legs blocked.
    let mut doc = base();
    doc["Subnets"].as_array_mut().unwrap().push(json!(
        {"SubnetId": "s-other", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:3::/64"}]}));
    doc["RouteTables"].as_array_mut().unwrap().push(json!(
        {"RouteTableId": "rtb-other", "VpcId": "vpc-1", "Associations": [{"SubnetId": "s-other"}], "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}]}));
    doc["NetworkInterfaces"].as_array_mut().unwrap().push(json!(
        {"NetworkInterfaceId": "eni-other", "InterfaceType": "interface", "Status": "in-use",
         "SubnetId": "s-other", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.3.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:3::10"}], "Groups": [{"GroupId": "sg-app"}]}));
    let r = report(&doc);
    let found = findings(&r, "eni-other");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, FindingCode::NoRouteToDestination);
    // One finding on the table, naming both legs and the one fix that mends both.
    assert!(
        found[0].detail.contains("has no pl-s3 route"),
        "{}",
        found[0].detail
    );
    assert!(found[0].detail.contains("over IPv6"), "{}", found[0].detail);
    assert!(
        found[0].detail.contains("it goes to eigw-1 instead"),
        "{}",
        found[0].detail
    );
    assert_eq!(
        &*found[0].fix,
        "add rtb-other to vpce-s3 (aws ec2 modify-vpc-endpoint --add-route-table-ids rtb-other)"
    );
    assert_eq!(verdict(&r, "eni-other"), Some(Verdict::Blocked));
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Reachable));

    // Longest prefix: a /48 inside the list's first /40 goes to a firewall ENI.
    let mut doc = base();
    routes(&mut doc, "rtb-main").push(json!(
        {"DestinationIpv6CidrBlock": "2600:1ff8:c000::/48", "NetworkInterfaceId": "eni-fw"}));
    let f = only_finding(&report(&doc));
    assert_eq!(f.code, FindingCode::MoreSpecificRoute);
    assert_eq!(
        &*f.fix,
        "remove or narrow the route 2600:1ff8:c000::/48 -> eni-fw in rtb-main"
    );
}

/// The IPv6 list the route names is absent from the dump, present without entries
/// (`describe-managed-prefix-lists` alone), or of a family the snapshot cannot tell: missing
/// data naming it, never reachable, no finding.
#[test]
fn an_unreadable_ipv6_list_is_missing_data() {
    let without_list = |list: Option<Value>| {
        let mut doc = base();
        remove(&mut doc, "PrefixLists", |l| l["PrefixListId"] == "pl-s3v6");
        doc["PrefixLists"].as_array_mut().unwrap().extend(list);
        doc
    };
    let entryless = json!({"PrefixListId": "pl-s3v6", "AddressFamily": "IPv6", "MaxEntries": 10,
        "PrefixListName": "com.amazonaws.us-east-1.ipv6.s3"});
    // Entries known (none) but no family to tell.
    let familyless = json!({"PrefixListId": "pl-s3v6", "Cidrs": [],
        "PrefixListName": "com.amazonaws.us-east-1.ipv6.s3"});
    let docs = [
        without_list(None),
        without_list(Some(entryless)),
        without_list(Some(familyless)),
    ];
    for doc in docs {
        let r = report(&doc);
        assert!(findings(&r, "eni-app").is_empty(), "{:#?}", r.findings);
        assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Unknown));
        assert!(
            r.missing.iter().any(|m| m.what.contains("pl-s3v6")),
            "{:#?}",
            r.missing
        );
    }
}

/// V4, V8: an `ipv6` gateway endpoint routes the IPv6 list only, and an IPv6-only workload
/// uses it over IPv6 alone. The list as the live collection writes it (`describe-prefix-lists`
/// shape, no `AddressFamily`): its entries say IPv6.
#[test]
fn an_ipv6_only_workload_of_an_ipv6_gateway_endpoint() {
    let mut doc = base();
    item(&mut doc, "VpcEndpoints", "VpcEndpointId", "vpce-s3")["IpAddressType"] = json!("ipv6");
    routes(&mut doc, "rtb-main").retain(|r| r["DestinationPrefixListId"] != "pl-s3");
    item(&mut doc, "PrefixLists", "PrefixListId", "pl-s3v6")
        .as_object_mut()
        .unwrap()
        .remove("AddressFamily");
    let subnet = item(&mut doc, "Subnets", "SubnetId", "s-app");
    subnet.as_object_mut().unwrap().remove("CidrBlock");
    subnet["Ipv6Native"] = json!(true);
    item(
        &mut doc,
        "NetworkInterfaces",
        "NetworkInterfaceId",
        "eni-app",
    )
    .as_object_mut()
    .unwrap()
    .remove("PrivateIpAddress");
    let r = report(&doc);
    assert!(findings(&r, "eni-app").is_empty(), "{:#?}", r.findings);
    assert!(r.missing.is_empty(), "{:#?}", r.missing);
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Reachable));
    let snap = snapshot(&doc);
    let (trace, _) = trace_pair(&snap, &RuleParameters::default(), "eni-app", "vpce-s3").unwrap();
    let ids: Vec<&str> = trace.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["pl-s3v6"]);
    // Without the group's IPv6 rule, the one finding is the IPv6 one.
    item(&mut doc, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] = json!([
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-s3"}]}]);
    let f = only_finding(&report(&doc));
    assert_eq!(f.code, FindingCode::EniSgRulesMismatch);
}

/// Should the service's IPv6 list carry the service's own name (AWS documents none for it),
/// it is never taken for the IPv4 list, whichever comes first; a copy of the list from
/// `describe-managed-prefix-lists` whose `AddressFamily` contradicts another copy's is a
/// conflict naming both files.
#[test]
fn an_ipv6_list_named_after_the_service_is_not_the_ipv4_list() {
    let mut doc = base();
    let v6 = item(&mut doc, "PrefixLists", "PrefixListId", "pl-s3v6");
    v6["PrefixListId"] = json!("pl-0v6");
    v6["PrefixListName"] = json!("com.amazonaws.us-east-1.s3");
    let text = doc.to_string().replace("\"pl-s3v6\"", "\"pl-0v6\"");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let r = report(&doc);
    assert!(findings(&r, "eni-app").is_empty(), "{:#?}", r.findings);
    assert_eq!(verdict(&r, "eni-app"), Some(Verdict::Reachable));
    let snap = snapshot(&doc);
    let (trace, _) = trace_pair(&snap, &RuleParameters::default(), "eni-app", "vpce-s3").unwrap();
    let ids: Vec<&str> = trace.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["pl-s3", "pl-0v6"]);

    let mut b = SnapshotBuilder::new();
    b.add_json("a.json", &base().to_string()).unwrap();
    let managed = json!({"PrefixLists": [{"PrefixListId": "pl-s3v6", "AddressFamily": "IPv4"}]});
    let err = b.add_json("b.json", &managed.to_string()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("pl-s3v6") && message.contains("a.json") && message.contains("b.json"),
        "{message}"
    );
}
