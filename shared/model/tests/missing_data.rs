//! Missing data is never a blame (issue 13, item 4; docs/spec.md sections 4, 5 and 7): when a
//! resource on a pair's path is absent from the snapshot, the pair is unproven. No finding
//! blames the absent resource or tells the user to delete the endpoint, R5
//! (`ENDPOINT_UNREACHABLE`) counts only workloads proven blocked, the report names what is
//! missing, and nothing on the path is `COMPLIANT`. `check` and `check_exact` agree on each case.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::SnapshotBuilder;
use vpce_reach_model::{
    check, check_exact, evaluations, trace_pair, ComplianceType, Evaluation, Outcome, Report,
    RuleParameters, Snapshot, Verdict,
};

/// One VPC that works: a workload in subnet-app reaches an SSM interface endpoint (ENI in
/// subnet-ep) by group reference, and S3 through a gateway endpoint by prefix list.
fn base() -> Value {
    let acl = json!({"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Associations": [], "Entries": [
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]});
    let eni = |id: &str, ip: &str, subnet: &str, group: &str, kind: &str| {
        json!({"NetworkInterfaceId": id, "InterfaceType": kind, "Status": "in-use", "SubnetId": subnet,
               "VpcId": "vpc-1", "PrivateIpAddress": ip, "Groups": [{"GroupId": group}],
               "RequesterManaged": kind == "vpc_endpoint"})
    };
    let tcp443 = |peer: Value| {
        let mut rule = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443});
        for (k, v) in peer.as_object().unwrap() {
            rule[k] = v.clone();
        }
        rule
    };
    json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [
            {"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
            {"SubnetId": "subnet-ep", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}],
        "NetworkAcls": [acl],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
             "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]},
            {"RouteTableId": "rtb-app", "VpcId": "vpc-1", "Associations": [{"Main": false, "SubnetId": "subnet-app"}],
             "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                        {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3"}]}],
        "SecurityGroups": [
            {"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": [
                tcp443(json!({"UserIdGroupPairs": [{"GroupId": "sg-ep"}]})),
                tcp443(json!({"PrefixListIds": [{"PrefixListId": "pl-s3"}]}))]},
            {"GroupId": "sg-ep", "VpcId": "vpc-1", "IpPermissionsEgress": [],
             "IpPermissions": [tcp443(json!({"IpRanges": [{"CidrIp": "10.0.0.0/16"}]}))]}],
        "NetworkInterfaces": [
            eni("eni-app", "10.0.1.10", "subnet-app", "sg-app", "interface"),
            eni("eni-ep", "10.0.2.10", "subnet-ep", "sg-ep", "vpc_endpoint")],
        "VpcEndpoints": [
            {"VpcEndpointId": "vpce-ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "PrivateDnsEnabled": true,
             "Groups": [{"GroupId": "sg-ep"}], "SubnetIds": ["subnet-ep"], "NetworkInterfaceIds": ["eni-ep"]},
            {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-app"]}],
        "PrefixLists": [{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
                         "Cidrs": ["52.216.0.0/15", "3.5.0.0/20"]}],
    })
}

/// The resource of `key` whose `field` is `id`.
fn item<'a>(world: &'a mut Value, key: &str, field: &str, id: &str) -> &'a mut Value {
    world[key]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|v| v[field] == id)
        .unwrap_or_else(|| panic!("{id} not in {key}"))
}

fn remove(world: &mut Value, key: &str, field: &str, id: &str) {
    world[key]
        .as_array_mut()
        .unwrap()
        .retain(|v| v[field] != id);
}

/// Loads `world` (one document per key, as separate describe outputs).
fn load(world: &Value) -> Snapshot {
    let mut b = SnapshotBuilder::new();
    for (key, items) in world.as_object().unwrap() {
        b.add_json(key, &json!({ key: items }).to_string()).unwrap();
    }
    for attr in ["EnableDnsSupport", "EnableDnsHostnames"] {
        let doc = json!({"VpcId": "vpc-1", attr: {"Value": true}});
        b.add_json(attr, &doc.to_string()).unwrap();
    }
    b.finish()
}

/// `check` on `world`, after making sure `check_exact` gives the same report.
fn run(world: &Value, params: &[(&str, &str)]) -> (Snapshot, Report, Vec<Evaluation>) {
    let snap = load(world);
    let params = RuleParameters::from_pairs(params.iter().copied()).unwrap();
    let report = check(&snap, &params);
    assert_eq!(report, check_exact(&snap, &params), "check == check_exact");
    let evals = evaluations(&snap, &report);
    (snap, report, evals)
}

fn verdict(report: &Report, endpoint: &str) -> Option<Verdict> {
    report
        .pairs
        .iter()
        .find(|p| p.workload == "eni-app" && p.endpoint == endpoint)
        .map(|p| p.verdict)
}

fn evaluation<'a>(evals: &'a [Evaluation], id: &str) -> &'a Evaluation {
    evals
        .iter()
        .find(|e| e.compliance_resource_id == id)
        .unwrap_or_else(|| panic!("no evaluation for {id}"))
}

/// The report has no finding, `resource` is named as missing with `what` in the reason, and
/// `unproven` (resources in the snapshot) are `NON_COMPLIANT` for missing data.
fn assert_unproven(
    (report, evals): (&Report, &[Evaluation]),
    resource: &str,
    what: &str,
    unproven: &[&str],
) {
    let codes: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.component.to_string(), f.detail.clone()))
        .collect();
    assert!(codes.is_empty(), "missing data is not a blame: {codes:#?}");
    assert!(
        report
            .missing
            .iter()
            .any(|m| m.resource == resource && m.what.contains(what)),
        "{resource} ({what}) not reported missing: {:#?}",
        report.missing
    );
    for id in unproven {
        let e = evaluation(evals, id);
        assert_eq!(e.compliance_type, ComplianceType::NonCompliant, "{id}");
        assert!(e.annotation.starts_with("missing data:"), "{e:?}");
    }
}

#[test]
fn the_base_world_is_reachable() {
    let (_, report, evals) = run(&base(), &[]);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.missing.is_empty(), "{:#?}", report.missing);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Reachable));
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Reachable));
    for id in ["vpce-ssm", "vpce-s3", "sg-app", "sg-ep", "acl-1", "rtb-app"] {
        assert_eq!(
            evaluation(&evals, id).compliance_type,
            ComplianceType::Compliant,
            "{id}"
        );
    }
}

/// The endpoint's group is listed on the endpoint and its ENI but absent from
/// describe-security-groups: today R5 blamed it ("admit tcp/443 from none ... or delete the
/// endpoint").
#[test]
fn an_absent_endpoint_group_is_not_blamed() {
    let mut world = base();
    remove(&mut world, "SecurityGroups", "GroupId", "sg-ep");
    let (snap, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "sg-ep",
        "describe-security-groups",
        &["vpce-ssm", "sg-app", "acl-1", "rtb-app", "vpc-1"],
    );
    // explain: the ingress hop is the unproven one, naming the absent group.
    let params = RuleParameters::default();
    let (trace, _) = trace_pair(&snap, &params, "eni-app", "vpce-ssm").unwrap();
    assert_eq!(trace.verdict(), Verdict::Unknown);
    let unknown: Vec<_> = trace
        .hops()
        .filter(|h| h.outcome == Outcome::Unknown)
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert!(unknown[0].problem.contains("sg-ep"), "{unknown:#?}");
}

/// Same, when no workload's egress names the endpoint: no pair is required, and R5 cannot tell
/// whether the absent group admits anyone.
#[test]
fn r5_counts_only_workloads_proven_blocked() {
    let mut world = base();
    remove(&mut world, "SecurityGroups", "GroupId", "sg-ep");
    item(&mut world, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] =
        json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), None, "not required");
    assert_unproven((&report, &evals), "vpce-ssm", "sg-ep", &["vpce-ssm"]);
}

/// R5 still holds when every workload is proven blocked, even if another endpoint's data is
/// missing.
#[test]
fn r5_still_blames_when_every_workload_is_proven_blocked() {
    let mut world = base();
    item(&mut world, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([]);
    item(&mut world, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] =
        json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let (_, report, _) = run(&world, &[]);
    let r5: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.component.to_string()))
        .collect();
    assert_eq!(r5, vec![("ENDPOINT_UNREACHABLE", "sg-ep".to_string())]);
}

/// Every workload is proven blocked (by its own egress), but one of the endpoint's groups is
/// absent: R5 holds, yet "its groups admit nobody" is unproven, so the endpoint is named, not
/// the groups (one of which the snapshot lacks).
#[test]
fn r5_does_not_blame_groups_it_cannot_read() {
    let mut world = base();
    item(&mut world, "SecurityGroups", "GroupId", "sg-ep")["IpPermissions"] = json!([]);
    item(&mut world, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] = json!([]);
    item(&mut world, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["Groups"] =
        json!([{"GroupId": "sg-ep"}, {"GroupId": "sg-gone"}]);
    let (_, report, _) = run(&world, &[]);
    let r5: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "ENDPOINT_UNREACHABLE")
        .map(|f| f.component.to_string())
        .collect();
    assert_eq!(r5, vec!["vpce-ssm".to_string()]);
}

/// One of the endpoint's groups is absent, the other admits the workload: the pair is
/// reachable, but the absent group may admit workloads no pair checks (R2), so the endpoint is
/// not `COMPLIANT`.
#[test]
fn an_endpoint_with_an_absent_group_is_never_compliant() {
    let mut world = base();
    item(&mut world, "VpcEndpoints", "VpcEndpointId", "vpce-ssm")["Groups"] =
        json!([{"GroupId": "sg-ep"}, {"GroupId": "sg-gone"}]);
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Reachable));
    assert_unproven((&report, &evals), "vpce-ssm", "sg-gone", &["vpce-ssm"]);
}

/// The workload's own group is absent: its egress is unproven, so is every pair of it, and
/// R5 must not tell the user to delete the SSM endpoint.
#[test]
fn an_absent_workload_group_is_not_blamed() {
    let mut world = base();
    remove(&mut world, "SecurityGroups", "GroupId", "sg-app");
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "sg-app",
        "describe-security-groups",
        &["vpce-ssm", "sg-ep", "acl-1", "rtb-app"],
    );
}

/// No network ACL for the subnets (describe-network-acls output present, but the VPC's ACL
/// absent from it).
#[test]
fn an_absent_network_acl_is_not_blamed() {
    let mut world = base();
    remove(&mut world, "NetworkAcls", "NetworkAclId", "acl-1");
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "subnet-app",
        "describe-network-acls",
        &["vpce-ssm", "vpce-s3", "sg-app", "sg-ep", "rtb-app"],
    );
}

/// The workload's subnet is absent from describe-subnets: its default ACL cannot be told.
#[test]
fn an_absent_subnet_is_not_blamed() {
    let mut world = base();
    remove(&mut world, "Subnets", "SubnetId", "subnet-app");
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "subnet-app",
        "describe-subnets",
        &["vpce-ssm", "vpce-s3", "sg-app", "acl-1", "rtb-app"],
    );
}

/// Without describe-vpc-endpoints, a VPC is not told it has no endpoint for a required service
/// (R6): it may have one.
#[test]
fn no_endpoint_output_is_not_no_endpoint() {
    let mut world = base();
    world.as_object_mut().unwrap().remove("VpcEndpoints");
    let (_, report, evals) = run(&world, &[("RequiredServices", "s3")]);
    assert_unproven(
        (&report, &evals),
        "vpc-1",
        "describe-vpc-endpoints",
        &["vpc-1"],
    );
}

/// No route table for the workload's subnet (neither its own nor the VPC's main table).
#[test]
fn an_absent_route_table_is_not_blamed() {
    let mut world = base();
    remove(&mut world, "RouteTables", "RouteTableId", "rtb-app");
    remove(&mut world, "RouteTables", "RouteTableId", "rtb-main");
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "subnet-app",
        "describe-route-tables",
        &["vpce-ssm", "vpce-s3", "sg-app", "sg-ep", "acl-1"],
    );
}

/// A customer-managed prefix list named by the workload's only egress rule is absent.
#[test]
fn an_absent_prefix_list_in_a_rule_is_not_blamed() {
    let mut world = base();
    item(&mut world, "SecurityGroups", "GroupId", "sg-app")["IpPermissionsEgress"] = json!([
        {"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-corp"}]}]);
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "sg-app",
        "pl-corp",
        &["vpce-ssm", "vpce-s3", "sg-app", "sg-ep"],
    );
}

/// A route to an absent prefix list may be more specific than the endpoint's route for some
/// S3 addresses: the gateway route cannot be proven.
#[test]
fn an_absent_prefix_list_in_a_route_leaves_the_gateway_route_unproven() {
    let mut world = base();
    item(&mut world, "RouteTables", "RouteTableId", "rtb-app")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationPrefixListId": "pl-corp", "NatGatewayId": "nat-1"}));
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "rtb-app",
        "pl-corp",
        &["vpce-s3", "rtb-app"],
    );
}

/// The same for an interface endpoint: the list may hold a route more specific than `local`
/// for the endpoint ENI's address.
#[test]
fn an_absent_prefix_list_in_a_route_leaves_the_interface_route_unproven() {
    let mut world = base();
    item(&mut world, "RouteTables", "RouteTableId", "rtb-app")["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationPrefixListId": "pl-corp", "NetworkInterfaceId": "eni-firewall"}));
    let (_, report, evals) = run(&world, &[]);
    assert_eq!(verdict(&report, "vpce-ssm"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "rtb-app",
        "pl-corp",
        &["vpce-ssm", "rtb-app"],
    );
}

/// `describe-managed-prefix-lists` (and some emulators) give a list without `Cidrs`: its
/// entries are unknown, not empty. Today the S3 route "went nowhere"
/// (NO_ROUTE_TO_DESTINATION) and the rule naming the list admitted nothing.
#[test]
fn a_prefix_list_without_entries_is_missing_data() {
    let mut world = base();
    item(&mut world, "PrefixLists", "PrefixListId", "pl-s3")
        .as_object_mut()
        .unwrap()
        .remove("Cidrs");
    let (_, report, evals) = run(&world, &[("RequiredServices", "s3")]);
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Unknown));
    assert_unproven(
        (&report, &evals),
        "vpce-s3",
        "pl-s3",
        &["vpce-s3", "sg-app", "rtb-app"],
    );
    // A copy with the entries (describe-prefix-lists) completes it (issue 13 item 3).
    let snap = {
        let mut b = SnapshotBuilder::new();
        for (key, items) in world.as_object().unwrap() {
            b.add_json(key, &json!({ key: items }).to_string()).unwrap();
        }
        let full = base()["PrefixLists"].clone();
        b.add_json("full", &json!({ "PrefixLists": full }).to_string())
            .unwrap();
        b.finish()
    };
    let report = check(&snap, &RuleParameters::default());
    assert_eq!(verdict(&report, "vpce-s3"), Some(Verdict::Reachable));
}

/// An explicitly empty list is a real, empty list: nothing is routed through it.
#[test]
fn an_explicitly_empty_prefix_list_is_empty() {
    let mut world = base();
    item(&mut world, "PrefixLists", "PrefixListId", "pl-s3")["Cidrs"] = json!([]);
    let (_, report, _) = run(&world, &[("RequiredServices", "s3")]);
    assert!(report.missing.is_empty(), "{:#?}", report.missing);
}
