//! DNS across accounts (docs/spec.md D9) against the patched moto: the network account
//! (`111122223333`, reached through STS `AssumeRole`) owns a hub VPC with an SSM endpoint whose
//! private DNS is off and the private hosted zone that aliases it, associated with the hub and
//! with a spoke VPC of the caller's account (moto accepts the association of another
//! account's VPC; AWS needs the owner's authorization first).
//!
//! Collected alone, the spoke account does not see the zone with `ListHostedZones` (it is not
//! its own): `ListHostedZonesByVPC` names it and its owner (moto_patched.py lists every
//! account's zones, as AWS does), so the name is missing data naming the account, never a
//! verdict. With the network account's role the zone is read whole and resolves to the hub
//! endpoint.

use aws_sdk_ec2::types::{AttributeBooleanValue, VpcEndpointType};
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecordSet, RrType,
    Vpc, VpcRegion,
};
use vpce_reach_aws::{collect_accounts_with, AssumedRole, Clients, Dns, Scope, Snapshot};
use vpce_reach_model::dns::{resolve, Answer, Gap};
use vpce_reach_model::RuleParameters;
use vpce_reach_testkit::{sdk_config, MotoServer};

const SERVICE: &str = "com.amazonaws.us-east-1.ssm";
const SSM: &str = "ssm.us-east-1.amazonaws.com";
const NETWORK: &str = "111122223333";

struct World {
    own: Clients,
    role: AssumedRole,
    network: Clients,
    spoke: String,
    endpoint: String,
    zone: String,
}

async fn vpc(c: &Clients, cidr: &str) -> String {
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
    vpc
}

/// A workload in the spoke: R6 (`RequiredServices`) speaks of VPCs with workloads.
async fn workload(c: &Clients, vpc: &str) {
    let subnet = c
        .ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block("10.1.1.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    // A running instance: its primary ENI is attached (a detached ENI is no workload).
    c.ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(subnet.subnet().unwrap().subnet_id().unwrap())
        .send()
        .await
        .unwrap();
}

/// The hub's SSM endpoint (private DNS off): its id and regional DNS name.
async fn endpoint(c: &Clients, vpc: &str) -> (String, String) {
    let subnet = c
        .ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block("10.0.1.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    let out = c
        .ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(SERVICE)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(subnet.subnet().unwrap().subnet_id().unwrap())
        .private_dns_enabled(false)
        .send()
        .await
        .unwrap();
    let ep = out.vpc_endpoint().unwrap();
    (
        ep.vpc_endpoint_id().unwrap().to_owned(),
        ep.dns_entries()[0].dns_name().unwrap().to_owned(),
    )
}

fn us_east_1(vpc: &str) -> Vpc {
    Vpc::builder()
        .vpc_id(vpc)
        .vpc_region(VpcRegion::UsEast1)
        .build()
}

/// The network account's zone for SSM: an alias to the hub endpoint, associated with the hub
/// and the spoke.
async fn zone(c: &Clients, hub: &str, spoke: &str, endpoint_name: &str) -> String {
    let out = c
        .route53
        .create_hosted_zone()
        .name(SSM)
        .caller_reference("network-ssm")
        .vpc(us_east_1(hub))
        .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
        .send()
        .await
        .unwrap();
    let id = out.hosted_zone().unwrap().id();
    let id = id.strip_prefix("/hostedzone/").unwrap_or(id).to_owned();
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
    let change = Change::builder()
        .action(ChangeAction::Create)
        .resource_record_set(alias)
        .build()
        .unwrap();
    c.route53
        .change_resource_record_sets()
        .hosted_zone_id(&id)
        .change_batch(ChangeBatch::builder().changes(change).build().unwrap())
        .send()
        .await
        .unwrap();
    c.route53
        .associate_vpc_with_hosted_zone()
        .hosted_zone_id(&id)
        .vpc(us_east_1(spoke))
        .send()
        .await
        .unwrap();
    id
}

async fn world(server: &MotoServer) -> World {
    let config = sdk_config(&server.endpoint_url());
    let own = Clients::new(&config);
    let role: AssumedRole = format!("arn:aws:iam::{NETWORK}:role/vpce-reach-read")
        .parse()
        .unwrap();
    // moto acts in the role's account for the assumed credentials.
    let network = role.clients(&config).await;
    let spoke = vpc(&own, "10.1.0.0/16").await;
    workload(&own, &spoke).await;
    let hub = vpc(&network, "10.0.0.0/16").await;
    let (endpoint, name) = endpoint(&network, &hub).await;
    let zone = zone(&network, &hub, &spoke, &name).await;
    World {
        own,
        role,
        network,
        spoke,
        endpoint,
        zone,
    }
}

async fn collect(w: &World, others: &[(AssumedRole, Clients)]) -> Snapshot {
    collect_accounts_with(
        &w.own,
        others,
        &Scope::vpcs([w.spoke.clone()]),
        Dns::On,
        &|_| {},
    )
    .await
    .expect("collect")
}

#[tokio::test]
async fn a_spoke_alone_knows_the_network_accounts_zone_but_cannot_read_it() {
    let server = MotoServer::start_patched();
    let w = world(&server).await;
    let snapshot = collect(&w, &[]).await;

    let listing = snapshot
        .document(&format!("zones-by-vpc-{}.json", w.spoke))
        .expect("the spoke's ListHostedZonesByVPC output");
    assert_eq!(listing["VPCId"], w.spoke.as_str());
    assert_eq!(listing["VPCRegion"], "us-east-1");
    let summaries = listing["HostedZoneSummaries"].as_array().unwrap();
    assert_eq!(summaries.len(), 1, "{listing}");
    assert_eq!(summaries[0]["HostedZoneId"], w.zone.as_str());
    assert_eq!(summaries[0]["Owner"]["OwningAccount"], NETWORK);
    // ListHostedZones in the spoke's account does not list it.
    let own_zones = snapshot.document("hosted-zones.json").unwrap();
    assert_eq!(own_zones["HostedZones"].as_array().unwrap().len(), 0);

    let model = vpce_reach_model::from_documents(snapshot.documents).expect("load");
    assert_eq!(
        resolve(&model, &w.spoke, SSM).answer,
        Answer::Unproven(Gap::NotReadable(w.zone.clone(), NETWORK.into()))
    );
    let params = RuleParameters::from_pairs([("RequiredServices", SERVICE)]).unwrap();
    let report = vpce_reach_model::check(&model, &params);
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.code.as_str() == "NO_ENDPOINT_FOR_SERVICE"),
        "never a verdict on a zone that cannot be read: {:?}",
        report.findings
    );
    assert!(
        report.missing.iter().any(|m| m.what.contains(&format!(
            "zone {} owned by account {NETWORK}: not readable, pass --assume-role",
            w.zone
        ))),
        "{:?}",
        report.missing
    );
}

#[tokio::test]
async fn the_owner_accounts_role_completes_the_zone() {
    let server = MotoServer::start_patched();
    let w = world(&server).await;
    let snapshot = collect(&w, &[(w.role.clone(), w.network.clone())]).await;
    let theirs = format!("{NETWORK}/records-{}.json", w.zone);
    assert!(snapshot.document(&theirs).is_some(), "{theirs}");
    let model = vpce_reach_model::from_documents(snapshot.documents).expect("load");
    assert_eq!(
        resolve(&model, &w.spoke, SSM).answer,
        Answer::Endpoint(w.endpoint.clone())
    );
}

#[tokio::test]
async fn dns_off_collects_no_dns_document() {
    let server = MotoServer::start_patched();
    let w = world(&server).await;
    let snapshot = collect_accounts_with(
        &w.own,
        &[],
        &Scope::vpcs([w.spoke.clone()]),
        Dns::Off,
        &|_| {},
    )
    .await
    .expect("collect");
    let names: Vec<&str> = snapshot.documents.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("zones-by-vpc-") || *n == "hosted-zones.json"),
        "{names:?}"
    );
}
