//! DNS across accounts and DNS components on working paths (docs/spec.md section 10, D9):
//! a zone of another account known only from `list-hosted-zones-by-vpc` is missing data, never
//! a verdict; read through its owner's account it resolves; a zone that serves a working pair
//! is COMPLIANT.

use serde_json::{json, Value};
use vpce_reach_model::dns::{resolve, Answer, Gap};
use vpce_reach_model::{check, check_exact, from_documents, Report, RuleParameters, Snapshot};

const SSM: &str = "ssm.us-east-1.amazonaws.com.";
const SSM_SERVICE: &str = "com.amazonaws.us-east-1.ssm";
const SSM_EP_NAME: &str = "vpce-0hub-abcd.ssm.us-east-1.vpce.amazonaws.com";
const NETWORK: &str = "111122223333";

/// A hub VPC with an SSM endpoint (private DNS off) and a spoke VPC with a workload; the
/// network allows everything (default-allow NACLs, open groups), so only DNS decides.
fn ec2(workload_vpc: &str) -> Vec<(String, Value)> {
    let open = json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let acl = |id: &str, vpc: &str, subnet: &str| {
        json!({"NetworkAclId": id, "VpcId": vpc, "IsDefault": true,
               "Associations": [{"SubnetId": subnet}],
               "Entries": [
                   {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
                   {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0"}]})
    };
    vec![
        (
            "vpcs".into(),
            json!({"Vpcs": [
                {"VpcId": "vpc-hub", "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "default"},
                {"VpcId": "vpc-spoke", "CidrBlock": "10.1.0.0/16", "DhcpOptionsId": "default"}]}),
        ),
        (
            "subnets".into(),
            json!({"Subnets": [
                {"SubnetId": "subnet-ep", "VpcId": "vpc-hub", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1a"},
                {"SubnetId": "subnet-app", "VpcId": workload_vpc, "CidrBlock": if workload_vpc == "vpc-hub" { "10.0.1.0/24" } else { "10.1.1.0/24" }, "AvailabilityZone": "us-east-1a"}]}),
        ),
        (
            "acls".into(),
            json!({"NetworkAcls": [acl("acl-hub", "vpc-hub", "subnet-ep"), acl("acl-app", workload_vpc, "subnet-app")]}),
        ),
        (
            "groups".into(),
            json!({"SecurityGroups": [
                {"GroupId": "sg-ep", "VpcId": "vpc-hub", "IpPermissions": open, "IpPermissionsEgress": open},
                {"GroupId": "sg-app", "VpcId": workload_vpc, "IpPermissions": open, "IpPermissionsEgress": open}]}),
        ),
        (
            "enis".into(),
            json!({"NetworkInterfaces": [
                {"NetworkInterfaceId": "eni-ep", "InterfaceType": "vpc_endpoint", "SubnetId": "subnet-ep",
                 "VpcId": "vpc-hub", "PrivateIpAddress": "10.0.2.10", "Groups": [{"GroupId": "sg-ep"}]},
                {"NetworkInterfaceId": "eni-app", "InterfaceType": "interface", "SubnetId": "subnet-app",
                 "VpcId": workload_vpc, "PrivateIpAddress": if workload_vpc == "vpc-hub" { "10.0.1.10" } else { "10.1.1.10" },
                 "Groups": [{"GroupId": "sg-app"}]}]}),
        ),
        (
            "endpoints".into(),
            json!({"VpcEndpoints": [
                {"VpcEndpointId": "vpce-0hub", "VpcEndpointType": "Interface", "VpcId": "vpc-hub",
                 "ServiceName": SSM_SERVICE, "State": "available", "PrivateDnsEnabled": false,
                 "NetworkInterfaceIds": ["eni-ep"], "SubnetIds": ["subnet-ep"],
                 "Groups": [{"GroupId": "sg-ep"}],
                 "DnsEntries": [{"DnsName": SSM_EP_NAME, "HostedZoneId": "Z7HUB"}]}]}),
        ),
    ]
}

/// `list-hosted-zones-by-vpc` for `vpc`, wrapped with the VPC (docs/snapshot-format.md).
fn by_vpc(vpc: &str, owner: Value) -> (String, Value) {
    (
        format!("zones-by-vpc-{vpc}"),
        json!({"VPCId": vpc, "VPCRegion": "us-east-1", "HostedZoneSummaries": [
            {"HostedZoneId": "Z0SSM", "Name": SSM, "Owner": owner}]}),
    )
}

/// `list-hosted-zones-by-vpc` for `vpc` listing no zone.
fn none_by_vpc(vpc: &str) -> (String, Value) {
    (
        format!("zones-by-vpc-{vpc}"),
        json!({"VPCId": vpc, "VPCRegion": "us-east-1", "HostedZoneSummaries": []}),
    )
}

/// The zone as its owner's account reads it: get-hosted-zone and its records.
fn owner_view(vpcs: &[&str]) -> Vec<(String, Value)> {
    let vpcs: Vec<Value> = vpcs
        .iter()
        .map(|v| json!({"VPCId": v, "VPCRegion": "us-east-1"}))
        .collect();
    vec![
        (
            format!("{NETWORK}/zone-Z0SSM"),
            json!({"HostedZone": {"Id": "/hostedzone/Z0SSM", "Name": SSM,
                    "Config": {"PrivateZone": true}}, "VPCs": vpcs}),
        ),
        (
            format!("{NETWORK}/records-Z0SSM"),
            json!({"HostedZoneId": "Z0SSM", "ResourceRecordSets": [
                {"Name": SSM, "Type": "A", "AliasTarget": {"HostedZoneId": "Z7HUB",
                 "DNSName": SSM_EP_NAME, "EvaluateTargetHealth": true}}]}),
        ),
    ]
}

fn load(docs: Vec<(String, Value)>) -> Snapshot {
    from_documents(docs).expect("loads")
}

fn check_ssm(s: &Snapshot) -> Report {
    let params = RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap();
    let fast = check(s, &params);
    let exact = check_exact(s, &params);
    assert_eq!(
        fast.findings, exact.findings,
        "check and check_exact disagree"
    );
    assert_eq!(fast.missing, exact.missing);
    fast
}

/// The codes of the VPC-level findings (R6 and DNS: no source, no endpoint); the hub endpoint's
/// own R5 (no workload in its VPC: the spoke has no route to it here) is not this file's subject.
fn vpc_codes(r: &Report) -> Vec<&str> {
    r.findings
        .iter()
        .filter(|f| f.source.is_none() && f.endpoint.is_none())
        .map(|f| f.code.as_str())
        .collect()
}

fn account(id: &str) -> Value {
    json!({"OwningAccount": id})
}

#[test]
fn d9_a_zone_of_another_account_is_missing_data_naming_its_owner() {
    let mut docs = ec2("vpc-spoke");
    docs.push(by_vpc("vpc-spoke", account(NETWORK)));
    let s = load(docs);
    let r = resolve(&s, "vpc-spoke", SSM);
    assert_eq!(
        r.answer,
        Answer::Unproven(Gap::NotReadable("Z0SSM".into(), NETWORK.into()))
    );
    let report = check_ssm(&s);
    // Never a verdict: no DNS_* code and no NO_ENDPOINT_FOR_SERVICE for the spoke.
    assert_eq!(
        vpc_codes(&report),
        Vec::<&str>::new(),
        "{:?}",
        report.findings
    );
    let said: Vec<&str> = report.missing.iter().map(|m| m.what.as_str()).collect();
    assert!(
        said.iter().any(|w| w.contains(
            "zone Z0SSM owned by account 111122223333: not readable, pass --assume-role for that account"
        )),
        "{said:?}"
    );
}

#[test]
fn d9_without_the_listing_the_spoke_resolves_publicly() {
    // What a spoke collected alone saw before D9: the zone is invisible, the name public, and
    // the verdict a false NO_ENDPOINT_FOR_SERVICE.
    let s = load(ec2("vpc-spoke"));
    assert!(s.dns.is_empty());
    let mut docs = ec2("vpc-spoke");
    docs.push(("hosted-zones".into(), json!({"HostedZones": []})));
    let s = load(docs);
    assert_eq!(resolve(&s, "vpc-spoke", SSM).answer, Answer::Public);
    assert_eq!(vpc_codes(&check_ssm(&s)), ["NO_ENDPOINT_FOR_SERVICE"]);
}

#[test]
fn d9_the_owner_accounts_data_completes_the_zone() {
    let mut docs = ec2("vpc-spoke");
    docs.push(by_vpc("vpc-spoke", account(NETWORK)));
    docs.push(none_by_vpc("vpc-hub"));
    docs.extend(owner_view(&["vpc-hub", "vpc-spoke"]));
    let s = load(docs);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    let report = check_ssm(&s);
    assert_eq!(
        vpc_codes(&report),
        Vec::<&str>::new(),
        "{:?}",
        report.findings
    );
    // Nothing about DNS is missing. (The zone makes the spoke's workload a client of the hub
    // endpoint, R7 across VPCs; this fixture has no route tables, so that pair is unproven.)
    assert!(
        !report
            .missing
            .iter()
            .any(|m| m.what.contains("not readable") || m.what.contains("hosted zones")),
        "{:?}",
        report.missing
    );
    assert!(
        report
            .missing
            .iter()
            .all(|m| m.what.contains("route table")
                || m.what.contains("across VPCs cannot be proven")),
        "{:?}",
        report.missing
    );
}

#[test]
fn d9_a_vpc_the_listing_missed_is_unproven_not_public() {
    // The collection listed the hub's zones but was refused the spoke's (a VPC another account
    // shares): a zone of another account may serve the spoke, so no verdict, and no
    // NO_ENDPOINT_FOR_SERVICE as if the name were public.
    let mut docs = ec2("vpc-spoke");
    docs.push(none_by_vpc("vpc-hub"));
    docs.extend(owner_view(&["vpc-hub"]));
    let s = load(docs);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Unproven(Gap::ZonesUnlisted("vpc-spoke".into()))
    );
    assert_eq!(
        resolve(&s, "vpc-hub", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    let report = check_ssm(&s);
    assert_eq!(
        vpc_codes(&report),
        Vec::<&str>::new(),
        "{:?}",
        report.findings
    );
    assert!(
        report.missing.iter().any(|m| m
            .what
            .contains("private hosted zones associated with vpc-spoke are not in the snapshot")),
        "{:?}",
        report.missing
    );
}

#[test]
fn d9_a_zone_a_service_owns_is_left_to_the_service() {
    let mut docs = ec2("vpc-spoke");
    docs.push(by_vpc(
        "vpc-spoke",
        json!({"OwningService": "efs.amazonaws.com"}),
    ));
    let s = load(docs);
    assert_eq!(resolve(&s, "vpc-spoke", SSM).answer, Answer::Public);
}

#[test]
fn d9_a_listing_without_its_vpc_is_an_error_naming_the_file() {
    let mut docs = ec2("vpc-spoke");
    docs.push(("zones-by-vpc-x".into(), json!({"HostedZoneSummaries": []})));
    let err = from_documents(docs).unwrap_err().to_string();
    assert!(
        err.contains("zones-by-vpc-x") && err.contains("VPCId"),
        "{err}"
    );
}

#[test]
fn d9_an_unreadable_zone_of_the_endpoints_own_vpc_leaves_private_dns_unproven() {
    // The workload sits next to the endpoint (private DNS off); the VPC's zone belongs to
    // another account: PRIVATE_DNS_DISABLED would be a guess.
    let mut docs = ec2("vpc-hub");
    docs.push(by_vpc("vpc-hub", account(NETWORK)));
    let s = load(docs);
    let report = check_ssm(&s);
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.code.as_str() == "PRIVATE_DNS_DISABLED"),
        "{:?}",
        report.findings
    );
    assert!(
        report
            .missing
            .iter()
            .any(|m| m.what.contains("owned by account 111122223333")),
        "{:?}",
        report.missing
    );
}

/// The centralized pattern in the endpoint's own VPC: private DNS off, the VPC's zone aliases
/// the endpoint. The zone does the work private DNS would: on the working pair's path, it is
/// COMPLIANT (before, it had no hop and stayed NOT_APPLICABLE).
#[test]
fn a_zone_that_serves_a_working_pair_is_compliant() {
    let mut docs = ec2("vpc-hub");
    docs.extend(owner_view(&["vpc-hub"]));
    let s = load(docs);
    let report = check_ssm(&s);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let evals = vpce_reach_model::evaluations(&s, &report);
    let zone = evals
        .iter()
        .find(|e| e.compliance_resource_id == "Z0SSM")
        .expect("the zone is evaluated");
    assert_eq!(zone.compliance_resource_type, "AWS::Route53::HostedZone");
    assert_eq!(
        zone.compliance_type,
        vpce_reach_model::ComplianceType::Compliant,
        "{}",
        zone.annotation
    );
    // explain names the zone on the private-DNS hop.
    let (trace, _) = vpce_reach_model::trace_pair(
        &s,
        &RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap(),
        "eni-app",
        "vpce-0hub",
    )
    .expect("a pair");
    assert!(
        trace
            .common
            .iter()
            .any(|h| h.components.iter().any(|c| &**c == "Z0SSM")),
        "{:?}",
        trace.common
    );
}

/// D9 with accounts: the network account's zone, read through its role, is that account's
/// resource: the spoke account's evaluations leave it out (its own rule evaluates it).
#[test]
fn d9_the_network_accounts_zone_is_left_to_its_own_account() {
    let mut docs = ec2("vpc-hub");
    docs.push(by_vpc("vpc-hub", account(NETWORK)));
    docs.extend(owner_view(&["vpc-hub"]));
    let s = load(docs);
    let report = check_ssm(&s);
    let ids = |caller: &str| -> Vec<String> {
        let caller: vpce_reach_model::AccountId = caller.parse().unwrap();
        vpce_reach_model::evaluations_for(&s, &report, Some(&caller))
            .into_iter()
            .map(|e| e.compliance_resource_id)
            .collect()
    };
    assert!(!ids("123456789012").contains(&"Z0SSM".to_string()));
    assert!(ids(NETWORK).contains(&"Z0SSM".to_string()));
}
