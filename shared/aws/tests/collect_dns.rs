//! `collect_with_dns` against the patched moto (`MotoServer::start_patched`: Route 53 returns
//! wildcards as `\052` like AWS, and Route 53 Profiles' list calls answer empty lists): a VPC
//! with a DHCP option set, an interface endpoint whose private DNS is off and a private hosted
//! zone associated with the VPC (an alias to the endpoint, and a wildcard), a Resolver forwarding
//! rule associated with the VPC, another private zone associated elsewhere and a public zone.
//! The documents are checked field by field, then the model resolves names from them.
//!
//! Route 53 Profiles do not exist in moto (the patched server answers its list calls with empty
//! lists): the second test answers them with the SDK's canned responses (aws-smithy-mocks), a
//! Profile that carries a zone to a VPC the zone is not associated with directly.
//!
//! moto quirk worked around here: a new VPC has `DhcpOptionsId: "default"` (AWS gives it the
//! region's default set), so the test creates a set and associates it.

use aws_sdk_ec2::types::{AttributeBooleanValue, NewDhcpConfiguration, VpcEndpointType};
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecord,
    ResourceRecordSet, RrType, Vpc, VpcRegion,
};
use aws_sdk_route53profiles::operation::list_profile_associations::ListProfileAssociationsOutput;
use aws_sdk_route53profiles::operation::list_profile_resource_associations::ListProfileResourceAssociationsOutput;
use aws_sdk_route53profiles::types::{
    ProfileAssociation, ProfileResourceAssociation, ProfileStatus,
};
use aws_sdk_route53resolver::types::{RuleTypeOption, TargetAddress};
use aws_smithy_mocks::{mock, MockResponseInterceptor, Rule, RuleMode};
use serde_json::Value;
use vpce_reach_aws::{collect_with_dns, Clients, Scope, Snapshot};
use vpce_reach_model::dns::{resolve, Answer};
use vpce_reach_testkit::{sdk_config, MotoServer};

const SERVICE: &str = "com.amazonaws.us-east-1.ssm";
const SSM: &str = "ssm.us-east-1.amazonaws.com";

/// The ids of what the test builds.
struct Dns {
    vpc: String,
    dopt: String,
    endpoint: String,
    endpoint_name: String,
    zone: String,
    other_zone: String,
    public_zone: String,
    rule: String,
    rule_association: String,
}

async fn vpc_with_endpoint(c: &Clients, cidr: &str) -> (String, String, String) {
    let vpc = c.ec2.create_vpc().cidr_block(cidr).send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    // Private hosted zones need both DNS attributes on (moto's new VPCs have hostnames off).
    c.ec2
        .modify_vpc_attribute()
        .vpc_id(&vpc)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    let subnet = c
        .ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block(cidr.replace(".0.0/16", ".1.0/24"))
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    let subnet = subnet.subnet().unwrap().subnet_id().unwrap().to_owned();
    let out = c
        .ec2
        .create_vpc_endpoint()
        .vpc_id(&vpc)
        .service_name(SERVICE)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(&subnet)
        .private_dns_enabled(false)
        .send()
        .await
        .unwrap();
    let endpoint = out.vpc_endpoint().unwrap();
    let regional = endpoint.dns_entries()[0].dns_name().unwrap().to_owned();
    (
        vpc,
        endpoint.vpc_endpoint_id().unwrap().to_owned(),
        regional,
    )
}

async fn dhcp_set(c: &Clients, vpc: &str) -> String {
    let servers = NewDhcpConfiguration::builder()
        .key("domain-name-servers")
        .values("AmazonProvidedDNS")
        .build();
    let out = c
        .ec2
        .create_dhcp_options()
        .dhcp_configurations(servers)
        .send()
        .await
        .unwrap();
    let id = out
        .dhcp_options()
        .unwrap()
        .dhcp_options_id()
        .unwrap()
        .to_owned();
    c.ec2
        .associate_dhcp_options()
        .dhcp_options_id(&id)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    id
}

async fn zone(c: &Clients, name: &str, vpc: Option<&str>) -> String {
    let mut request = c
        .route53
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!("test-{name}"));
    if let Some(vpc) = vpc {
        request = request
            .vpc(
                Vpc::builder()
                    .vpc_id(vpc)
                    .vpc_region(VpcRegion::UsEast1)
                    .build(),
            )
            .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build());
    }
    let out = request.send().await.unwrap();
    let id = out.hosted_zone().unwrap().id();
    id.strip_prefix("/hostedzone/").unwrap_or(id).to_owned()
}

/// The zone apex as an alias to the endpoint's regional name, and the wildcard as a CNAME to
/// the apex.
async fn records(c: &Clients, zone: &str, endpoint_name: &str) {
    let alias = ResourceRecordSet::builder()
        .name(SSM)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .hosted_zone_id("Z7HUB4ULQ6L3Z")
                .dns_name(endpoint_name)
                .evaluate_target_health(false)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let wildcard = ResourceRecordSet::builder()
        .name(format!("*.{SSM}"))
        .r#type(RrType::Cname)
        .ttl(300)
        .resource_records(ResourceRecord::builder().value(SSM).build().unwrap())
        .build()
        .unwrap();
    let changes = [alias, wildcard].map(|r| {
        Change::builder()
            .action(ChangeAction::Create)
            .resource_record_set(r)
            .build()
            .unwrap()
    });
    c.route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(
            ChangeBatch::builder()
                .set_changes(Some(changes.to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn forward_rule(c: &Clients, vpc: &str) -> (String, String) {
    let rule = c
        .resolver
        .create_resolver_rule()
        .creator_request_id("test-rule")
        .name("corp")
        .rule_type(RuleTypeOption::Forward)
        .domain_name("corp.example.com")
        .target_ips(TargetAddress::builder().ip("10.99.0.2").port(53).build())
        .send()
        .await
        .unwrap();
    let rule = rule.resolver_rule().unwrap().id().unwrap().to_owned();
    let association = c
        .resolver
        .associate_resolver_rule()
        .resolver_rule_id(&rule)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    let association = association
        .resolver_rule_association()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    (rule, association)
}

async fn build(c: &Clients) -> Dns {
    let (vpc, endpoint, endpoint_name) = vpc_with_endpoint(c, "10.0.0.0/16").await;
    let (other_vpc, _, _) = vpc_with_endpoint(c, "10.1.0.0/16").await;
    let dopt = dhcp_set(c, &vpc).await;
    let zone_id = zone(c, SSM, Some(&vpc)).await;
    records(c, &zone_id, &endpoint_name).await;
    let other_zone = zone(c, "ecr.api.us-east-1.amazonaws.com", Some(&other_vpc)).await;
    let public_zone = zone(c, "example.org", None).await;
    let (rule, rule_association) = forward_rule(c, &vpc).await;
    Dns {
        vpc,
        dopt,
        endpoint,
        endpoint_name,
        zone: zone_id,
        other_zone,
        public_zone,
        rule,
        rule_association,
    }
}

fn doc<'a>(s: &'a Snapshot, file: &str) -> &'a Value {
    s.document(file)
        .unwrap_or_else(|| panic!("no {file} in {:?}", names(s)))
}

fn names(s: &Snapshot) -> Vec<&str> {
    s.documents.iter().map(|(n, _)| n.as_str()).collect()
}

fn list<'a>(s: &'a Snapshot, file: &str, key: &str) -> &'a Vec<Value> {
    doc(s, file)[key]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no list {key}"))
}

fn check_ec2_documents(s: &Snapshot, d: &Dns) {
    let vpc = list(s, "vpcs.json", "Vpcs")
        .iter()
        .find(|v| v["VpcId"] == d.vpc.as_str())
        .unwrap();
    assert_eq!(vpc["DhcpOptionsId"], d.dopt.as_str());
    let sets = list(s, "dhcp-options.json", "DhcpOptions");
    assert_eq!(sets.len(), 1, "only the set a VPC in scope uses: {sets:?}");
    assert_eq!(sets[0]["DhcpOptionsId"], d.dopt.as_str());
    assert_eq!(
        sets[0]["DhcpConfigurations"],
        serde_json::json!([{"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]}])
    );
    let services = list(s, "endpoint-services.json", "ServiceDetails");
    assert_eq!(
        services.len(),
        1,
        "the interface service in scope: {services:?}"
    );
    let ssm = &services[0];
    assert_eq!(ssm["ServiceName"], SERVICE);
    assert_eq!(
        ssm["ServiceType"],
        serde_json::json!([{"ServiceType": "Interface"}])
    );
    assert_eq!(ssm["PrivateDnsName"], SSM);
    assert_eq!(
        ssm["PrivateDnsNames"],
        serde_json::json!([{ "PrivateDnsName": SSM }])
    );
    assert_eq!(
        ssm["BaseEndpointDnsNames"],
        serde_json::json!(["ssm.us-east-1.vpce.amazonaws.com"])
    );
}

fn check_zones(s: &Snapshot, d: &Dns) {
    let zones = list(s, "hosted-zones.json", "HostedZones");
    let mut ids: Vec<&str> = zones.iter().map(|z| z["Id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = vec![
        format!("/hostedzone/{}", d.zone),
        format!("/hostedzone/{}", d.other_zone),
    ];
    want.sort();
    assert_eq!(
        ids, want,
        "every private zone, no public one ({})",
        d.public_zone
    );
    let ours = zones
        .iter()
        .find(|z| z["Id"] == format!("/hostedzone/{}", d.zone).as_str())
        .unwrap();
    assert_eq!(ours["Name"], format!("{SSM}."));
    assert_eq!(ours["Config"]["PrivateZone"], true);

    let got = doc(s, &format!("zone-{}.json", d.zone));
    assert_eq!(got["HostedZone"]["Id"], ours["Id"]);
    assert_eq!(
        got["VPCs"],
        serde_json::json!([{"VPCRegion": "us-east-1", "VPCId": d.vpc}])
    );
    assert!(s.document(&format!("zone-{}.json", d.other_zone)).is_some());
    assert!(s
        .document(&format!("zone-{}.json", d.public_zone))
        .is_none());

    let records = doc(s, &format!("records-{}.json", d.zone));
    assert_eq!(records["HostedZoneId"], d.zone.as_str(), "the bare id");
    let sets = records["ResourceRecordSets"].as_array().unwrap();
    let named = |name: &str, ty: &str| {
        sets.iter()
            .find(|r| r["Name"] == name && r["Type"] == ty)
            .unwrap_or_else(|| panic!("no {ty} {name} in {sets:?}"))
    };
    let alias = named(&format!("{SSM}."), "A");
    assert_eq!(alias["AliasTarget"]["DNSName"], d.endpoint_name.as_str());
    assert_eq!(alias["AliasTarget"]["HostedZoneId"], "Z7HUB4ULQ6L3Z");
    assert!(alias.get("ResourceRecords").is_none(), "{alias}");
    let wildcard = named(&format!("\\052.{SSM}."), "CNAME");
    assert_eq!(wildcard["TTL"], 300);
    assert_eq!(
        wildcard["ResourceRecords"],
        serde_json::json!([{ "Value": SSM }])
    );
    named(&format!("{SSM}."), "SOA");
    named(&format!("{SSM}."), "NS");
}

fn check_resolver_and_profiles(s: &Snapshot, d: &Dns) {
    let rules = list(s, "resolver-rules.json", "ResolverRules");
    let rule = rules.iter().find(|r| r["Id"] == d.rule.as_str()).unwrap();
    assert_eq!(rule["DomainName"], "corp.example.com.");
    assert_eq!(rule["RuleType"], "FORWARD");
    assert_eq!(rule["Name"], "corp");
    assert_eq!(rule["TargetIps"][0]["Ip"], "10.99.0.2");
    assert_eq!(rule["TargetIps"][0]["Port"], 53);
    let associations = list(
        s,
        "resolver-rule-associations.json",
        "ResolverRuleAssociations",
    );
    assert_eq!(associations.len(), 1, "{associations:?}");
    let a = &associations[0];
    assert_eq!(a["Id"], d.rule_association.as_str());
    assert_eq!(a["ResolverRuleId"], d.rule.as_str());
    assert_eq!(a["VPCId"], d.vpc.as_str());
    // No Profile exists in moto: the list is there, and empty (no per-Profile file).
    assert!(list(s, "profile-associations.json", "ProfileAssociations").is_empty());
    assert!(!names(s).iter().any(|n| n.starts_with("profile-rp")));
}

fn check_resolution(s: Snapshot, d: &Dns) {
    let snap = vpce_reach_model::from_documents(s.documents).expect("the model loads it");
    assert!(!snap.dns.is_empty());
    let apex = resolve(&snap, &d.vpc, SSM);
    assert_eq!(
        apex.answer,
        Answer::Endpoint(d.endpoint.clone()),
        "{apex:?}"
    );
    assert_eq!(apex.zone.as_deref(), Some(d.zone.as_str()));
    let under = resolve(&snap, &d.vpc, &format!("abc.{SSM}"));
    assert_eq!(
        under.answer,
        Answer::Endpoint(d.endpoint.clone()),
        "{under:?}"
    );
    let forwarded = resolve(&snap, &d.vpc, "db.corp.example.com");
    assert_eq!(
        forwarded.answer,
        Answer::Forwarded(d.rule.clone()),
        "{forwarded:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_documents_are_collected_in_cli_shape_and_resolve() {
    let server = MotoServer::start_patched();
    let clients = Clients::new(&sdk_config(&server.endpoint_url()));
    let d = build(&clients).await;
    let scope = Scope::vpcs([d.vpc.as_str()]);
    let snapshot = collect_with_dns(&clients, &scope, &|_| {}).await.unwrap();
    check_ec2_documents(&snapshot, &d);
    check_zones(&snapshot, &d);
    check_resolver_and_profiles(&snapshot, &d);
    check_resolution(snapshot, &d);
}

/// A Profiles client answering `rules` (aws-smithy-mocks), everything else from `sdk`.
fn profiles_client(
    sdk: &aws_config::SdkConfig,
    rules: &[&Rule],
) -> aws_sdk_route53profiles::Client {
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let conf = aws_sdk_route53profiles::config::Builder::from(sdk)
        .http_client(aws_smithy_mocks::create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_route53profiles::Client::from_conf(conf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_reaches_a_vpc_through_a_route53_profile() {
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let mut clients = Clients::new(&sdk);
    let (vpc, endpoint, endpoint_name) = vpc_with_endpoint(&clients, "10.0.0.0/16").await;
    let (hub, _, _) = vpc_with_endpoint(&clients, "10.1.0.0/16").await;
    // The zone is associated with the hub only: the spoke gets it through its Profile.
    let zone_id = zone(&clients, SSM, Some(&hub)).await;
    records(&clients, &zone_id, &endpoint_name).await;

    let spoke = vpc.clone();
    let associations = mock!(aws_sdk_route53profiles::Client::list_profile_associations)
        .then_output(move || {
            let a = ProfileAssociation::builder()
                .id("rpassoc-1")
                .profile_id("rp-1")
                .resource_id(&spoke)
                .status(ProfileStatus::Complete)
                .build();
            ListProfileAssociationsOutput::builder()
                .profile_associations(a)
                .build()
        });
    // Two pages: the collector follows `NextToken`.
    let arn = format!("arn:aws:route53:::hostedzone/{zone_id}");
    let page = move |n: usize| {
        let r = ProfileResourceAssociation::builder()
            .id(format!("rpr-{n}"))
            .profile_id("rp-1")
            .resource_arn(if n == 1 {
                arn.clone()
            } else {
                "arn:aws:route53resolver:us-east-1:123456789012:resolver-rule/rslvr-rr-none"
                    .to_owned()
            })
            .resource_type(if n == 1 {
                "HOSTED_ZONE"
            } else {
                "FIREWALL_RULE_GROUP"
            })
            .status(ProfileStatus::Complete)
            .build();
        ListProfileResourceAssociationsOutput::builder()
            .profile_resource_associations(r)
            .set_next_token((n == 1).then(|| "page-2".to_owned()))
            .build()
    };
    let resources = mock!(aws_sdk_route53profiles::Client::list_profile_resource_associations)
        .match_requests(|r| r.profile_id() == Some("rp-1"))
        .sequence()
        .output({
            let page = page.clone();
            move || page(1)
        })
        .output(move || page(2))
        .build();
    clients.profiles = profiles_client(&sdk, &[&associations, &resources]);

    let snapshot = collect_with_dns(&clients, &Scope::vpcs([vpc.as_str()]), &|_| {})
        .await
        .unwrap();
    let held = list(
        &snapshot,
        "profile-associations.json",
        "ProfileAssociations",
    );
    assert_eq!(
        held,
        &vec![
            serde_json::json!({"Id": "rpassoc-1", "ProfileId": "rp-1", "ResourceId": vpc, "Status": "COMPLETE"})
        ]
    );
    let carried = list(
        &snapshot,
        "profile-rp-1.json",
        "ProfileResourceAssociations",
    );
    assert_eq!(carried.len(), 2, "both pages: {carried:?}");
    assert_eq!(
        carried[0]["ResourceArn"],
        format!("arn:aws:route53:::hostedzone/{zone_id}")
    );
    assert_eq!(carried[0]["ResourceType"], "HOSTED_ZONE");
    assert_eq!(resources.num_calls(), 2);

    let snap = vpce_reach_model::from_documents(snapshot.documents).expect("the model loads it");
    let apex = resolve(&snap, &vpc, SSM);
    assert_eq!(apex.answer, Answer::Endpoint(endpoint), "{apex:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_read_past_a_truncated_page() {
    // moto, like Route 53, returns 300 record sets a page and names the next one: a zone with
    // 302 (SOA, NS and 300 A records) takes two pages, chained by NextRecordName/Type.
    let server = MotoServer::start_patched();
    let clients = Clients::new(&sdk_config(&server.endpoint_url()));
    let (vpc, _, _) = vpc_with_endpoint(&clients, "10.0.0.0/16").await;
    let zone_id = zone(&clients, "pages.internal", Some(&vpc)).await;
    let changes: Vec<Change> = (0..300)
        .map(|i| {
            let set = ResourceRecordSet::builder()
                .name(format!("host{i:03}.pages.internal"))
                .r#type(RrType::A)
                .ttl(60)
                .resource_records(
                    ResourceRecord::builder()
                        .value("10.0.1.10")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            Change::builder()
                .action(ChangeAction::Create)
                .resource_record_set(set)
                .build()
                .unwrap()
        })
        .collect();
    clients
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(
            ChangeBatch::builder()
                .set_changes(Some(changes))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let snapshot = collect_with_dns(&clients, &Scope::vpcs([vpc.as_str()]), &|_| {})
        .await
        .unwrap();
    let sets = doc(&snapshot, &format!("records-{zone_id}.json"))["ResourceRecordSets"]
        .as_array()
        .unwrap();
    let mut keys: Vec<(String, String)> = sets
        .iter()
        .map(|r| (r["Name"].to_string(), r["Type"].to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 302, "every record once: {}", sets.len());
    assert_eq!(sets.len(), 302);
}

/// A Route 53 client answering `rules` (aws-smithy-mocks) and nothing else.
fn route53_client(sdk: &aws_config::SdkConfig, rules: &[&Rule]) -> aws_sdk_route53::Client {
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let conf = aws_sdk_route53::config::Builder::from(sdk)
        .http_client(aws_smithy_mocks::create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_route53::Client::from_conf(conf)
}

/// D9, not documented by AWS: `ListHostedZonesByVPC` may be refused for a VPC another account
/// shares with the caller. The refused VPC gets no listing (its DNS unproven in the model), the
/// others keep theirs, and the collection goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vpc_refused_its_zone_listing_is_left_unlisted_not_fatal() {
    use aws_sdk_route53::operation::list_hosted_zones::ListHostedZonesOutput;
    use aws_sdk_route53::operation::list_hosted_zones_by_vpc::{
        ListHostedZonesByVPCError, ListHostedZonesByVpcOutput,
    };
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let mut clients = Clients::new(&sdk);
    let (own, _, _) = vpc_with_endpoint(&clients, "10.0.0.0/16").await;
    let (shared, _, _) = vpc_with_endpoint(&clients, "10.1.0.0/16").await;

    let zones = mock!(aws_sdk_route53::Client::list_hosted_zones).then_output(|| {
        ListHostedZonesOutput::builder()
            .set_hosted_zones(Some(vec![]))
            .marker("")
            .is_truncated(false)
            .max_items(100)
            .build()
            .unwrap()
    });
    let own_id = own.clone();
    let listed = mock!(aws_sdk_route53::Client::list_hosted_zones_by_vpc)
        .match_requests(move |r| r.vpc_id() == Some(own_id.as_str()))
        .then_output(|| {
            ListHostedZonesByVpcOutput::builder()
                .set_hosted_zone_summaries(Some(vec![]))
                .max_items(100)
                .build()
                .unwrap()
        });
    let shared_id = shared.clone();
    let refused = mock!(aws_sdk_route53::Client::list_hosted_zones_by_vpc)
        .match_requests(move |r| r.vpc_id() == Some(shared_id.as_str()))
        .then_error(|| {
            let meta = aws_sdk_route53::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User is not authorized to access VPC")
                .build();
            ListHostedZonesByVPCError::generic(meta)
        });
    clients.route53 = route53_client(&sdk, &[&zones, &listed, &refused]);

    let said = std::sync::Mutex::new(Vec::<String>::new());
    let snapshot = collect_with_dns(
        &clients,
        &Scope::vpcs([own.as_str(), shared.as_str()]),
        &|line| said.lock().unwrap().push(line.to_owned()),
    )
    .await
    .expect("a refused listing does not fail the collection");
    assert_eq!(refused.num_calls(), 1);
    assert!(snapshot
        .document(&vpce_reach_aws::route53::by_vpc_file(&own))
        .is_some());
    assert!(snapshot
        .document(&vpce_reach_aws::route53::by_vpc_file(&shared))
        .is_none());
    let said = said.into_inner().unwrap();
    assert!(
        said.iter()
            .any(|l| l.contains(&shared) && l.contains("AccessDenied") && l.contains("unproven")),
        "{said:?}"
    );
    let model = vpce_reach_model::from_documents(snapshot.documents).expect("the model loads it");
    assert_eq!(
        resolve(&model, &shared, SSM).answer,
        Answer::Unproven(vpce_reach_model::dns::Gap::ZonesUnlisted(shared.clone()))
    );
    assert_eq!(resolve(&model, &own, SSM).answer, Answer::Public);
}
