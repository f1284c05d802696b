//! DNS (docs/spec.md section 10): one test per resolution rule (D1-D8) and, with `check`, per
//! finding code. A hub VPC holds an SSM endpoint with private DNS off; spokes resolve its name
//! through private hosted zones, rules and Profiles.

use serde_json::{json, Value};
use vpce_reach_model::dns::{resolve, resolve_service, Answer, Gap};
use vpce_reach_model::{from_documents, Snapshot};

const SSM: &str = "ssm.us-east-1.amazonaws.com.";
const SSM_SERVICE: &str = "com.amazonaws.us-east-1.ssm";
const SSM_EP_NAME: &str = "vpce-0hub-abcd.ssm.us-east-1.vpce.amazonaws.com";

/// The EC2 side: hub VPC (endpoint vpce-0hub, ENI 10.0.2.10, private DNS off) and spoke VPC.
fn ec2() -> Vec<(String, Value)> {
    vec![
        (
            "vpcs".into(),
            json!({"Vpcs": [
                {"VpcId": "vpc-hub", "CidrBlock": "10.0.0.0/16", "DhcpOptionsId": "dopt-amazon"},
                {"VpcId": "vpc-spoke", "CidrBlock": "10.1.0.0/16", "DhcpOptionsId": "default"}]}),
        ),
        (
            "enis".into(),
            json!({"NetworkInterfaces": [
                {"NetworkInterfaceId": "eni-ep", "InterfaceType": "vpc_endpoint", "SubnetId": "subnet-ep",
                 "VpcId": "vpc-hub", "PrivateIpAddress": "10.0.2.10", "Groups": []},
                {"NetworkInterfaceId": "eni-app", "InterfaceType": "interface", "SubnetId": "subnet-app",
                 "VpcId": "vpc-spoke", "PrivateIpAddress": "10.1.1.10", "Groups": []}]}),
        ),
        (
            "endpoints".into(),
            json!({"VpcEndpoints": [
                {"VpcEndpointId": "vpce-0hub", "VpcEndpointType": "Interface", "VpcId": "vpc-hub",
                 "ServiceName": SSM_SERVICE, "State": "available", "PrivateDnsEnabled": false,
                 "NetworkInterfaceIds": ["eni-ep"], "SubnetIds": ["subnet-ep"],
                 "DnsEntries": [{"DnsName": SSM_EP_NAME, "HostedZoneId": "Z7HUB"}]}]}),
        ),
        (
            "dhcp".into(),
            json!({"DhcpOptions": [{"DhcpOptionsId": "dopt-amazon", "DhcpConfigurations": [
                {"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]}]}]}),
        ),
    ]
}

fn zone(id: &str, name: &str, vpcs: &[&str]) -> Vec<(String, Value)> {
    let vpcs: Vec<Value> = vpcs
        .iter()
        .map(|v| json!({"VPCId": v, "VPCRegion": "us-east-1"}))
        .collect();
    vec![(
        format!("zone-{id}"),
        json!({"HostedZone": {"Id": format!("/hostedzone/{id}"), "Name": name,
                "Config": {"PrivateZone": true}}, "VPCs": vpcs}),
    )]
}

fn records(zone: &str, sets: Value) -> Vec<(String, Value)> {
    vec![(
        format!("records-{zone}"),
        json!({"HostedZoneId": zone, "ResourceRecordSets": sets}),
    )]
}

fn alias(name: &str, target: &str) -> Value {
    json!({"Name": name, "Type": "A", "AliasTarget": {"HostedZoneId": "Z7HUB", "DNSName": target,
           "EvaluateTargetHealth": true}})
}

fn rule(id: &str, kind: &str, domain: &str, vpc: &str) -> Vec<(String, Value)> {
    vec![
        (
            format!("rule-{id}"),
            json!({"ResolverRules": [{"Id": id, "DomainName": domain, "RuleType": kind, "Status": "COMPLETE"}]}),
        ),
        (
            format!("assoc-{id}"),
            json!({"ResolverRuleAssociations": [{"Id": format!("{id}-assoc"), "ResolverRuleId": id,
                   "VPCId": vpc, "Status": "COMPLETE"}]}),
        ),
    ]
}

fn snap(parts: Vec<Vec<(String, Value)>>) -> Snapshot {
    let mut docs = ec2();
    for p in parts {
        docs.extend(p);
    }
    from_documents(docs).expect("loads")
}

/// The centralized pattern: a zone named after the service, aliasing the hub endpoint.
fn ssm_zone(vpcs: &[&str]) -> Vec<Vec<(String, Value)>> {
    vec![
        zone("Z0SSM", SSM, vpcs),
        records(
            "/hostedzone/Z0SSM",
            json!([alias(SSM, &format!("{SSM_EP_NAME}."))]),
        ),
    ]
}

#[test]
fn d6_an_alias_to_the_hub_endpoint_resolves_to_it_from_the_spoke() {
    let s = snap(ssm_zone(&["vpc-spoke", "vpc-hub"]));
    let r = resolve(&s, "vpc-spoke", SSM);
    assert_eq!(
        r.answer,
        Answer::Endpoint("vpce-0hub".into()),
        "{:?}",
        r.steps
    );
    assert!(r.steps[0].contains("Z0SSM"), "{:?}", r.steps);
    assert_eq!(
        resolve_service(&s, "vpc-spoke", SSM_SERVICE).endpoint(),
        Some("vpce-0hub")
    );
}

#[test]
fn d7_a_zone_not_associated_leaves_the_public_name() {
    let s = snap(ssm_zone(&["vpc-hub"]));
    assert_eq!(resolve(&s, "vpc-spoke", SSM).answer, Answer::Public);
}

#[test]
fn d4_a_name_without_record_in_the_winning_zone_is_nxdomain() {
    let s = snap(vec![
        zone("Z0AWS", "us-east-1.amazonaws.com", &["vpc-spoke"]),
        records(
            "Z0AWS",
            json!([alias("sts.us-east-1.amazonaws.com.", SSM_EP_NAME)]),
        ),
    ]);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::NoRecord("Z0AWS".into())
    );
}

#[test]
fn d4_an_a_record_to_the_endpoint_eni_resolves_and_a_stale_one_does_not() {
    let good = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([{"Name": SSM, "Type": "A", "ResourceRecords": [{"Value": "10.0.2.10"}]}]),
        ),
    ]);
    assert_eq!(
        resolve(&good, "vpc-spoke", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    let stale = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([{"Name": SSM, "Type": "A", "ResourceRecords": [{"Value": "10.0.2.99"}]}]),
        ),
    ]);
    assert!(matches!(
        resolve(&stale, "vpc-spoke", SSM).answer,
        Answer::Elsewhere(z, _) if z == "Z0SSM"
    ));
}

#[test]
fn d6_an_alias_to_a_deleted_endpoint_is_elsewhere() {
    let s = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([alias(
                SSM,
                "vpce-0gone-zzzz.ssm.us-east-1.vpce.amazonaws.com."
            )]),
        ),
    ]);
    match resolve(&s, "vpc-spoke", SSM).answer {
        Answer::Elsewhere(z, what) => {
            assert_eq!(z, "Z0SSM");
            assert!(what.contains("vpce-0gone"), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn d6_cname_chains_are_followed_and_bounded() {
    let s = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([{"Name": SSM, "Type": "CNAME", "ResourceRecords": [{"Value": "hub.ssm.us-east-1.amazonaws.com"}]},
                   alias("hub.ssm.us-east-1.amazonaws.com.", SSM_EP_NAME)]),
        ),
    ]);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    let looped = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([{"Name": SSM, "Type": "CNAME", "ResourceRecords": [{"Value": SSM}]}]),
        ),
    ]);
    assert_eq!(
        resolve(&looped, "vpc-spoke", SSM).answer,
        Answer::Unproven(Gap::ChainTooLong)
    );
}

#[test]
fn d4_wildcards_answer_names_below_them_stored_or_literal() {
    for wildcard in [
        "\\052.dkr.ecr.us-east-1.amazonaws.com.",
        "*.dkr.ecr.us-east-1.amazonaws.com",
    ] {
        let s = snap(vec![
            zone("Z0DKR", "dkr.ecr.us-east-1.amazonaws.com.", &["vpc-spoke"]),
            records("Z0DKR", json!([alias(wildcard, SSM_EP_NAME)])),
        ]);
        let r = resolve(
            &s,
            "vpc-spoke",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com",
        );
        assert_eq!(r.answer, Answer::Endpoint("vpce-0hub".into()), "{wildcard}");
        // The zone's apex has no record: the service's main name is NXDOMAIN.
        let svc = resolve_service(&s, "vpc-spoke", "com.amazonaws.us-east-1.ecr.dkr");
        assert_eq!(svc.names[0].answer, Answer::NoRecord("Z0DKR".into()));
        assert_eq!(svc.names[1].answer, Answer::Endpoint("vpce-0hub".into()));
    }
}

#[test]
fn d2_a_forwarding_rule_as_specific_as_the_zone_wins() {
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(rule("rslvr-rr-1", "FORWARD", SSM, "vpc-spoke"));
    let s = snap(parts);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Forwarded("rslvr-rr-1".into())
    );
}

#[test]
fn d2_the_most_specific_domain_wins_across_rules_and_zones() {
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(rule("rslvr-rr-1", "FORWARD", "amazonaws.com", "vpc-spoke"));
    let s = snap(parts);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    let mut parts = vec![
        zone("Z0AWS", "amazonaws.com.", &["vpc-spoke"]),
        records("Z0AWS", json!([])),
    ];
    parts.push(rule(
        "rslvr-rr-1",
        "FORWARD",
        "us-east-1.amazonaws.com",
        "vpc-spoke",
    ));
    let s = snap(parts);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Forwarded("rslvr-rr-1".into())
    );
}

#[test]
fn d3_a_system_rule_carves_a_name_back_from_a_forwarding_rule() {
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(rule("rslvr-rr-fwd", "FORWARD", ".", "vpc-spoke"));
    parts.push(rule("rslvr-rr-sys", "SYSTEM", "amazonaws.com", "vpc-spoke"));
    let s = snap(parts);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    assert_eq!(
        resolve(&s, "vpc-spoke", "example.com").answer,
        Answer::Forwarded("rslvr-rr-fwd".into())
    );
}

#[test]
fn d2_zones_and_rules_of_a_route53_profile_apply_to_its_vpcs() {
    let mut parts = ssm_zone(&[]);
    parts.push(vec![
        (
            "pa".into(),
            json!({"ProfileAssociations": [{"Id": "rpassoc-1", "ProfileId": "rp-1", "ResourceId": "vpc-spoke",
                   "Name": "spoke", "Status": "COMPLETE"}]}),
        ),
        (
            "pra".into(),
            json!({"ProfileResourceAssociations": [{"Id": "rpr-1", "ProfileId": "rp-1", "Name": "ssm",
                   "ResourceArn": "arn:aws:route53:::hostedzone/Z0SSM", "ResourceType": "AWS::Route53::HostedZone",
                   "Status": "COMPLETE"}]}),
        ),
    ]);
    let s = snap(parts);
    let r = resolve(&s, "vpc-spoke", SSM);
    assert_eq!(r.answer, Answer::Endpoint("vpce-0hub".into()));
    assert!(r.steps[0].contains("rp-1"), "{:?}", r.steps);
    assert_eq!(resolve(&s, "vpc-hub", SSM).answer, Answer::Public);
}

#[test]
fn d1_custom_dhcp_dns_and_dns_off_are_unproven() {
    let mut docs = ec2();
    docs[0].1 = json!({"Vpcs": [{"VpcId": "vpc-spoke", "DhcpOptionsId": "dopt-corp"}]});
    docs[3].1 = json!({"DhcpOptions": [{"DhcpOptionsId": "dopt-corp", "DhcpConfigurations": [
        {"Key": "domain-name-servers", "Values": [{"Value": "10.9.9.9"}]}]}]});
    let s = from_documents(docs).unwrap();
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Unproven(Gap::NotAmazonProvided(
            "dopt-corp".into(),
            vec!["10.9.9.9".into()]
        ))
    );
    let mut docs = ec2();
    docs.push((
        "attr".into(),
        json!({"VpcId": "vpc-spoke", "EnableDnsSupport": {"Value": false}}),
    ));
    let s = from_documents(docs).unwrap();
    assert!(matches!(
        resolve(&s, "vpc-spoke", SSM).answer,
        Answer::Unproven(Gap::DnsOff(..))
    ));
}

#[test]
fn d5_private_dns_of_an_endpoint_in_the_vpc_answers_its_names() {
    let mut docs = ec2();
    docs[2].1["VpcEndpoints"][0]["PrivateDnsEnabled"] = json!(true);
    let s = from_documents(docs).unwrap();
    assert_eq!(
        resolve(&s, "vpc-hub", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
    // Only in its own VPC.
    assert_eq!(resolve(&s, "vpc-spoke", SSM).answer, Answer::Public);
}

#[test]
fn d7_an_endpoint_specific_name_resolves_to_its_endpoint_anywhere() {
    let s = snap(vec![]);
    assert_eq!(
        resolve(&s, "vpc-spoke", SSM_EP_NAME).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
}

#[test]
fn d8_names_come_from_describe_vpc_endpoint_services_when_listed() {
    let s = snap(vec![vec![(
        "services".into(),
        json!({"ServiceNames": [SSM_SERVICE], "ServiceDetails": [{"ServiceName": SSM_SERVICE,
               "PrivateDnsName": "ssm-custom.us-east-1.amazonaws.com",
               "PrivateDnsNames": [{"PrivateDnsName": "ssm-custom.us-east-1.amazonaws.com"}],
               "BaseEndpointDnsNames": ["ssm.us-east-1.vpce.amazonaws.com"]}]}),
    )]]);
    let svc = resolve_service(&s, "vpc-spoke", SSM_SERVICE);
    assert_eq!(svc.names.len(), 1);
    assert_eq!(svc.names[0].name, "ssm-custom.us-east-1.amazonaws.com.");
}

#[test]
fn record_sets_without_their_zone_id_are_an_error_naming_the_file() {
    let mut docs = ec2();
    docs.push(("records.json".into(), json!({"ResourceRecordSets": []})));
    let err = from_documents(docs).unwrap_err().to_string();
    assert!(
        err.contains("records.json") && err.contains("HostedZoneId"),
        "{err}"
    );
}

// ---- check: one test per code (R6 with DNS, R7, private DNS) ------------------------------

use vpce_reach_model::{check, check_exact, Reason, Report, RuleParameters};

/// `check` with `RequiredServices=ssm`, after asserting that `check_exact` agrees.
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

/// The findings of the spoke VPC's R6 (no source, no endpoint): (code, component).
fn vpc_findings(r: &Report) -> Vec<(&str, &str)> {
    r.findings
        .iter()
        .filter(|f| f.source.is_none() && f.endpoint.is_none())
        .map(|f| (f.code.as_str(), &*f.component))
        .collect()
}

#[test]
fn a_required_service_is_satisfied_by_what_its_name_resolves_to() {
    let s = snap(ssm_zone(&["vpc-spoke", "vpc-hub"]));
    assert_eq!(vpc_findings(&check_ssm(&s)), []);
}

#[test]
fn dns_zone_not_associated_blames_the_zone() {
    let s = snap(ssm_zone(&["vpc-hub"]));
    let r = check_ssm(&s);
    assert_eq!(vpc_findings(&r), [("DNS_ZONE_NOT_ASSOCIATED", "Z0SSM")]);
    assert!(r.findings[0]
        .detail
        .contains("associate Z0SSM with vpc-spoke"));
}

#[test]
fn dns_record_missing_blames_the_zone_that_answers() {
    let s = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke", "vpc-hub"]),
        records("Z0SSM", json!([])),
    ]);
    assert_eq!(
        vpc_findings(&check_ssm(&s)),
        [("DNS_RECORD_MISSING", "Z0SSM")]
    );
}

#[test]
fn dns_record_mismatch_blames_the_zone_of_a_stale_record() {
    let s = snap(vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([alias(
                SSM,
                "vpce-0gone-zz.ssm.us-east-1.vpce.amazonaws.com."
            )]),
        ),
    ]);
    assert_eq!(
        vpc_findings(&check_ssm(&s)),
        [("DNS_RECORD_MISMATCH", "Z0SSM")]
    );
}

#[test]
fn dns_record_mismatch_for_a_record_to_another_service() {
    let mut parts = vec![
        zone("Z0SSM", SSM, &["vpc-spoke"]),
        records(
            "Z0SSM",
            json!([alias(
                SSM,
                "vpce-0logs-zz.logs.us-east-1.vpce.amazonaws.com."
            )]),
        ),
    ];
    parts.push(vec![(
        "logs".into(),
        json!({"VpcEndpoints": [{"VpcEndpointId": "vpce-0logs", "VpcEndpointType": "Interface",
               "VpcId": "vpc-hub", "ServiceName": "com.amazonaws.us-east-1.logs", "State": "available",
               "PrivateDnsEnabled": false, "NetworkInterfaceIds": []}]}),
    )]);
    let s = snap(parts);
    assert_eq!(
        vpc_findings(&check_ssm(&s)),
        [("DNS_RECORD_MISMATCH", "Z0SSM")]
    );
}

#[test]
fn dns_forwarded_elsewhere_blames_the_rule() {
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(rule(
        "rslvr-rr-corp",
        "FORWARD",
        "amazonaws.com",
        "vpc-spoke",
    ));
    parts.push(rule("rslvr-rr-ssm", "FORWARD", SSM, "vpc-spoke"));
    let s = snap(parts);
    assert_eq!(
        vpc_findings(&check_ssm(&s)),
        [("DNS_FORWARDED_ELSEWHERE", "rslvr-rr-ssm")]
    );
}

#[test]
fn dns_not_amazon_provided_blames_the_option_set_and_leaves_the_vpc_unproven() {
    let mut docs = ec2();
    docs[0].1["Vpcs"][1]["DhcpOptionsId"] = json!("dopt-corp");
    docs[3].1["DhcpOptions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DhcpOptionsId": "dopt-corp", "DhcpConfigurations": [
            {"Key": "domain-name-servers", "Values": [{"Value": "10.9.9.9"}]}]}));
    let s = from_documents(docs).unwrap();
    let r = check_ssm(&s);
    assert_eq!(vpc_findings(&r), [("DNS_NOT_AMAZON_PROVIDED", "dopt-corp")]);
    assert!(r.missing.iter().any(|m| m.resource == "vpc-spoke"));
}

#[test]
fn vpc_dns_disabled_when_no_local_endpoint_and_dns_support_is_off() {
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(vec![(
        "attr".into(),
        json!({"VpcId": "vpc-spoke", "EnableDnsSupport": {"Value": false}}),
    )]);
    let s = snap(parts);
    assert_eq!(
        vpc_findings(&check_ssm(&s)),
        [("VPC_DNS_DISABLED", "vpc-spoke")]
    );
}

#[test]
fn no_endpoint_for_service_names_the_near_miss_zone() {
    let s = snap(vec![
        zone("Z0WRONG", "us-east-1.ssm.amazonaws.com.", &["vpc-spoke"]),
        records(
            "Z0WRONG",
            json!([alias("us-east-1.ssm.amazonaws.com.", SSM_EP_NAME)]),
        ),
    ]);
    let r = check_ssm(&s);
    assert_eq!(vpc_findings(&r), [("NO_ENDPOINT_FOR_SERVICE", "vpc-spoke")]);
    assert!(
        r.findings[0].detail.contains("near miss: zone Z0WRONG"),
        "{}",
        r.findings[0].detail
    );
}

/// The centralized pattern in one VPC: the endpoint has private DNS off and a zone of the VPC
/// aliases it.
fn hub_with_own_zone() -> Snapshot {
    let mut docs = ec2();
    // The workload lives in the hub, next to the endpoint.
    docs[1].1["NetworkInterfaces"][1]["VpcId"] = json!("vpc-hub");
    docs.extend(zone("Z0SSM", SSM, &["vpc-hub"]));
    docs.extend(records("Z0SSM", json!([alias(SSM, SSM_EP_NAME)])));
    from_documents(docs).unwrap()
}

#[test]
fn r7_a_zone_resolving_the_service_to_the_endpoint_makes_its_vpc_workloads_clients() {
    let s = hub_with_own_zone();
    let params = RuleParameters::default();
    for report in [check(&s, &params), check_exact(&s, &params)] {
        let pair = report
            .pairs
            .iter()
            .find(|p| p.workload == "eni-app" && p.endpoint == "vpce-0hub")
            .expect("the pair is required");
        assert!(pair.reasons.contains(Reason::DnsZone));
        assert_eq!(Reason::DnsZone.label(), "R7");
    }
}

#[test]
fn private_dns_disabled_does_not_fire_for_an_endpoint_a_zone_serves() {
    let s = hub_with_own_zone();
    let r = check_ssm(&s);
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code.as_str() == "PRIVATE_DNS_DISABLED"),
        "{:?}",
        r.findings
    );
    // Without the zone it does.
    let mut docs = ec2();
    docs[1].1["NetworkInterfaces"][1]["VpcId"] = json!("vpc-hub");
    let s = from_documents(docs).unwrap();
    let r = check_ssm(&s);
    assert!(r
        .findings
        .iter()
        .any(|f| f.code.as_str() == "PRIVATE_DNS_DISABLED"));
}

#[test]
fn d7_the_private_dns_name_in_dns_entries_does_not_resolve_outside_the_vpc() {
    // AWS lists the private DNS name among an endpoint's `DnsEntries` when private DNS is on.
    let mut docs = ec2();
    docs[2].1["VpcEndpoints"][0]["PrivateDnsEnabled"] = json!(true);
    docs[2].1["VpcEndpoints"][0]["DnsEntries"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DnsName": "ssm.us-east-1.amazonaws.com", "HostedZoneId": "Z0MANAGED"}));
    let s = from_documents(docs).unwrap();
    assert_eq!(resolve(&s, "vpc-spoke", SSM).answer, Answer::Public);
    assert_eq!(
        resolve(&s, "vpc-hub", SSM).answer,
        Answer::Endpoint("vpce-0hub".into())
    );
}

#[test]
fn the_demo_spokes_show_an_unassociated_zone_and_the_wrong_form_of_a_name() {
    let dir = std::path::Path::new(
        &std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../events/demo");
    let s = vpce_reach_model::load_dir(&dir).unwrap();
    let params = RuleParameters::from_pairs([("RequiredServices", "ssm,ecr.api")]).unwrap();
    let r = check(&s, &params);
    assert_eq!(r.findings, check_exact(&s, &params).findings);
    let of = |vpc: &str, code: &str| {
        r.findings
            .iter()
            .filter(|f| f.code.as_str() == code && f.detail.contains(vpc))
            .map(|f| (&*f.component, f.detail.as_str()))
            .collect::<Vec<_>>()
    };
    // Spoke C: the SSM zone (which spoke B uses) is not associated with it.
    let c = of("vpc-0c7d2e9a4f1b63c58", "DNS_ZONE_NOT_ASSOCIATED");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].0, "Z04517273FCBK9TQZ6D2S");
    // Spoke D: its zone is named ecr.api.<region>…, the name is api.ecr.<region>….
    let d = of("vpc-0d9e4a1c7b3f25d86", "NO_ENDPOINT_FOR_SERVICE");
    assert!(
        d.iter()
            .any(|(_, detail)| detail.contains("near miss: zone Z08273615QX7RM4KD1B9E")),
        "{d:?}"
    );
    // Spoke B resolves SSM to VPC A's endpoint through the zone: no SSM finding for it.
    let b: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.source.is_none() && f.detail.contains("vpc-06b2d9e4c1a8f370b"))
        .map(|f| f.detail.as_str())
        .collect();
    assert!(b.iter().all(|d| !d.contains("for ssm")), "{b:?}");
    assert!(b.iter().any(|d| d.contains("for ecr.api")), "{b:?}");
}

#[test]
fn dns_record_missing_for_the_wildcard_a_service_needs() {
    const DKR_EP: &str = "vpce-0dkr-qq.dkr.ecr.us-east-1.vpce.amazonaws.com";
    let mut parts = vec![
        zone("Z0DKR", "dkr.ecr.us-east-1.amazonaws.com", &["vpc-spoke"]),
        // The apex only: registry names (`<account>.dkr.ecr…`) get NXDOMAIN.
        records(
            "Z0DKR",
            json!([alias("dkr.ecr.us-east-1.amazonaws.com.", DKR_EP)]),
        ),
    ];
    parts.push(vec![(
        "dkr".into(),
        json!({"VpcEndpoints": [{"VpcEndpointId": "vpce-0dkr", "VpcEndpointType": "Interface",
               "VpcId": "vpc-hub", "ServiceName": "com.amazonaws.us-east-1.ecr.dkr", "State": "available",
               "PrivateDnsEnabled": false, "NetworkInterfaceIds": [],
               "DnsEntries": [{"DnsName": DKR_EP}]}]}),
    )]);
    let s = snap(parts);
    let params = RuleParameters::from_pairs([("RequiredServices", "ecr.dkr")]).unwrap();
    let r = check(&s, &params);
    assert_eq!(r.findings, check_exact(&s, &params).findings);
    assert_eq!(vpc_findings(&r), [("DNS_RECORD_MISSING", "Z0DKR")]);
    assert!(
        r.findings[0].detail.contains("\\052.dkr.ecr"),
        "{}",
        r.findings[0].detail
    );
}

mod agreement {
    //! `check` and `check_exact` agree on snapshots with DNS data (the property tests of
    //! fast_path.rs use synthetic accounts without DNS).
    use super::*;
    use proptest::prelude::*;

    fn build(
        zone_vpcs: u8,
        record: u8,
        forward: bool,
        system: bool,
        private_dns: bool,
        in_hub: bool,
    ) -> Snapshot {
        let mut docs = ec2();
        if private_dns {
            docs[2].1["VpcEndpoints"][0]["PrivateDnsEnabled"] = json!(true);
        }
        if in_hub {
            docs[1].1["NetworkInterfaces"][1]["VpcId"] = json!("vpc-hub");
        }
        let vpcs: Vec<&str> = [(1, "vpc-spoke"), (2, "vpc-hub")]
            .iter()
            .filter(|(bit, _)| zone_vpcs & bit != 0)
            .map(|(_, v)| *v)
            .collect();
        docs.extend(zone("Z0SSM", SSM, &vpcs));
        let sets = match record % 4 {
            0 => json!([alias(SSM, SSM_EP_NAME)]),
            1 => json!([{"Name": SSM, "Type": "A", "ResourceRecords": [{"Value": "10.0.2.10"}]}]),
            2 => json!([{"Name": SSM, "Type": "A", "ResourceRecords": [{"Value": "10.0.9.9"}]}]),
            _ => json!([]),
        };
        docs.extend(records("Z0SSM", sets));
        for vpc in ["vpc-spoke", "vpc-hub"] {
            if forward {
                docs.extend(rule(
                    &format!("rslvr-rr-f-{vpc}"),
                    "FORWARD",
                    "amazonaws.com",
                    vpc,
                ));
            }
            if system {
                docs.extend(rule(&format!("rslvr-rr-s-{vpc}"), "SYSTEM", SSM, vpc));
            }
        }
        from_documents(docs).unwrap()
    }

    proptest! {
        #[test]
        fn check_equals_check_exact_with_dns(
            zone_vpcs in 0u8..4, record in 0u8..4, forward: bool, system: bool,
            private_dns: bool, in_hub: bool, required: bool,
        ) {
            let s = build(zone_vpcs, record, forward, system, private_dns, in_hub);
            let params = if required {
                RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap()
            } else {
                RuleParameters::default()
            };
            let (fast, exact) = (check(&s, &params), check_exact(&s, &params));
            prop_assert_eq!(&fast.findings, &exact.findings);
            prop_assert_eq!(&fast.missing, &exact.missing);
            let pairs = |r: &Report| -> Vec<(String, String, Vec<&'static str>)> {
                r.pairs
                    .iter()
                    .map(|p| (p.workload.to_string(), p.endpoint.to_string(),
                              p.reasons.iter().map(|x| x.label()).collect()))
                    .collect()
            };
            prop_assert_eq!(pairs(&fast), pairs(&exact));
        }
    }
}

#[test]
fn custom_dhcp_dns_is_an_unproven_hop_of_every_pair_of_the_vpc() {
    let mut docs = ec2();
    docs[1].1["NetworkInterfaces"][1]["VpcId"] = json!("vpc-hub");
    docs[2].1["VpcEndpoints"][0]["PrivateDnsEnabled"] = json!(true);
    docs[0].1["Vpcs"][0]["DhcpOptionsId"] = json!("dopt-corp");
    docs[3].1["DhcpOptions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DhcpOptionsId": "dopt-corp", "DhcpConfigurations": [
            {"Key": "domain-name-servers", "Values": [{"Value": "10.9.9.9"}, {"Value": "AmazonProvidedDNS"}]}]}));
    let s = from_documents(docs).unwrap();
    let params = RuleParameters::from_pairs([("RequiredServices", "ssm")]).unwrap();
    let (trace, _) = vpce_reach_model::trace_pair(&s, &params, "eni-app", "vpce-0hub").unwrap();
    let hop = trace
        .common
        .iter()
        .find(|h| h.outcome == vpce_reach_model::Outcome::Unknown)
        .expect("an unproven DNS hop");
    assert_eq!(hop.kind, vpce_reach_model::HopKind::VpcDns);
    assert!(hop.problem.contains("dopt-corp"), "{}", hop.problem);
    // The finding names the option set, and the VPC is never compliant.
    let r = check_ssm(&s);
    assert!(r
        .findings
        .iter()
        .any(|f| f.code.as_str() == "DNS_NOT_AMAZON_PROVIDED"));
    assert!(
        r.missing.iter().any(|m| m.resource == "vpc-hub"),
        "{:?}",
        r.missing
    );
}

/// The evaluation of `id`: (Config type, verdict).
fn evaluation_of(s: &Snapshot, r: &Report, id: &str) -> (String, vpce_reach_model::ComplianceType) {
    let evals = vpce_reach_model::evaluations(s, r);
    let e = evals
        .iter()
        .find(|e| e.compliance_resource_id == id)
        .unwrap_or_else(|| panic!("no evaluation of {id}"));
    (e.compliance_resource_type.clone(), e.compliance_type)
}

#[test]
fn dns_components_are_evaluated_with_their_config_types() {
    use vpce_reach_model::ComplianceType::{NonCompliant, NotApplicable};
    let s = snap(ssm_zone(&["vpc-hub"]));
    let r = check_ssm(&s);
    assert_eq!(
        evaluation_of(&s, &r, "Z0SSM"),
        ("AWS::Route53::HostedZone".into(), NonCompliant)
    );
    // An option set no finding names and no pair's path crosses.
    assert_eq!(
        evaluation_of(&s, &r, "dopt-amazon"),
        ("AWS::EC2::DHCPOptions".into(), NotApplicable)
    );
    let mut parts = ssm_zone(&["vpc-spoke"]);
    parts.push(rule("rslvr-rr-ssm", "FORWARD", SSM, "vpc-spoke"));
    let s = snap(parts);
    let r = check_ssm(&s);
    assert_eq!(
        evaluation_of(&s, &r, "rslvr-rr-ssm"),
        ("AWS::Route53Resolver::ResolverRule".into(), NonCompliant)
    );
}

#[test]
fn dns_components_belong_to_the_vpcs_associated_with_them() {
    let mut parts = ssm_zone(&["vpc-spoke", "vpc-hub"]);
    parts.push(rule("rslvr-rr-ssm", "FORWARD", SSM, "vpc-spoke"));
    let s = snap(parts);
    let vpcs = vpce_reach_model::resource_vpcs(&s);
    let of = |id: &str| vpcs[id].iter().copied().collect::<Vec<_>>();
    assert_eq!(of("Z0SSM"), ["vpc-hub", "vpc-spoke"]);
    assert_eq!(of("rslvr-rr-ssm"), ["vpc-spoke"]);
    assert_eq!(of("dopt-amazon"), ["vpc-hub"]);
}

#[test]
fn a_snapshot_without_dns_data_evaluates_no_dns_resource() {
    let s = from_documents(ec2().into_iter().take(3).collect::<Vec<_>>()).unwrap();
    let r = check_ssm(&s);
    let types: Vec<String> = vpce_reach_model::evaluations(&s, &r)
        .into_iter()
        .map(|e| e.compliance_resource_type)
        .collect();
    assert!(
        types
            .iter()
            .all(|t| t.starts_with("AWS::EC2::") && t != "AWS::EC2::DHCPOptions"),
        "{types:?}"
    );
}
