//! A hub-and-spoke world built in the patched moto for the end-to-end tests (issues 14 and 15),
//! shared by `e2e_hub_spoke.rs` and `e2e_dns.rs`:
//!
//! ```text
//!  spoke A 10.1.0.0/16 ──(TGW)──┐
//!   eni-a 10.1.1.10 (1a)        ├── hub 10.0.0.0/16: SSM interface endpoint (private DNS off)
//!  spoke B 10.2.0.0/16 ──(pcx)──┘    in 10.0.1.0/24 (1a), its group admitting both spokes
//!   eni-b 10.2.1.10 (1a)
//! ```
//!
//! A private hosted zone `ssm.us-east-1.amazonaws.com` (apex alias to the endpoint's regional
//! name) is associated with the hub and both spokes: the centralized pattern. Every ACL is the
//! VPC's default (allow all); the TGW's default route table has one static route per VPC.
//!
//! Each world lives in accounts of its own (STS `AssumeRole` into a fresh account id: moto keeps
//! one state per account), so that one moto server serves every case of a test binary, region-
//! wide reads (TGWs, peering, hosted zones, Resolver rules) see only their own world, and cases
//! run concurrently.
//!
//! moto 5.2.5 quirks worked around here (shared/tools/README.md): new VPCs have DNS hostnames
//! off (turned on: private zones need both attributes); every TGW attachment stays on the
//! default route table; no cross-account TGW (the TGW spoke is always in the hub's account) and
//! no cross-account zone association (a cross-account peering spoke gets no zone).

#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_ec2::config::SharedCredentialsProvider;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, RuleAction, VpcEndpointType,
};
use aws_sdk_ec2::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecordSet, RrType,
    Vpc, VpcRegion,
};
use futures_util::FutureExt;
use vpce_reach_aws::Clients;
use vpce_reach_model::{Finding, Report, Verdict};

/// The endpoint service of the hub.
pub const SERVICE: &str = "com.amazonaws.us-east-1.ssm";
/// Its private DNS name (`describe-vpc-endpoint-services`), the hosted zone's name.
pub const SSM: &str = "ssm.us-east-1.amazonaws.com";
/// The hosted zone id of regional `vpce.amazonaws.com` names in us-east-1 (the alias target's).
pub const VPCE_ZONE: &str = "Z7HUB4ULQ6L3Z";

pub const HUB_CIDR: &str = "10.0.0.0/16";
pub const A_CIDR: &str = "10.1.0.0/16";
pub const B_CIDR: &str = "10.2.0.0/16";

/// The next fresh account id (12 digits), unique in the test binary.
pub fn fresh_account() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // A per-process offset keeps ids apart should two binaries ever share a server.
    let base = 100_000_000_000 + u64::from(std::process::id() % 1000) * 1000;
    format!("{:012}", base + n)
}

/// `sdk` acting in `account` (moto: the assumed role's account).
pub async fn account_config(sdk: &SdkConfig, account: &str) -> SdkConfig {
    let base = sdk
        .to_builder()
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .build();
    let provider = AssumeRoleProvider::builder(format!("arn:aws:iam::{account}:role/e2e"))
        .session_name("e2e")
        .configure(&base)
        .build()
        .await;
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// A spoke VPC: one application subnet in us-east-1a, its route table, one workload.
#[derive(Debug, Clone)]
pub struct Spoke {
    pub vpc: String,
    pub subnet: String,
    pub rtb: String,
    pub sg: String,
    pub eni: String,
}

/// The ids of one world.
#[derive(Debug, Clone)]
pub struct World {
    /// The account of the hub, the TGW and spoke A.
    pub network_account: String,
    /// The account of spoke B (the network account unless built across accounts).
    pub b_account: String,
    pub hub: String,
    /// The endpoint's subnet (us-east-1a) and its route table.
    pub hub_subnet: String,
    pub hub_rtb: String,
    pub hub_sg: String,
    /// The hub's TGW attachment subnet (us-east-1a).
    pub hub_tgw_subnet: String,
    pub endpoint: String,
    /// The endpoint's regional DNS name.
    pub endpoint_name: String,
    pub tgw: String,
    /// The TGW's default route table (every attachment's, in moto).
    pub tgw_rtb: String,
    pub hub_attachment: String,
    pub a_attachment: String,
    /// Spoke A's TGW attachment subnet (us-east-1a).
    pub a_tgw_subnet: String,
    pub pcx: String,
    /// The private hosted zone of the service (bare id), `None` across accounts.
    pub zone: Option<String>,
    pub a: Spoke,
    pub b: Spoke,
}

pub async fn vpc(ec2: &Client, cidr: &str) -> String {
    let out = ec2.create_vpc().cidr_block(cidr).send().await.unwrap();
    let id = out.vpc().unwrap().vpc_id().unwrap().to_owned();
    // moto's new VPCs have DNS hostnames off; private zones need both attributes on.
    ec2.modify_vpc_attribute()
        .vpc_id(&id)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    id
}

pub async fn subnet(ec2: &Client, vpc: &str, cidr: &str, az: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone(az)
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

/// A route table of `vpc` associated with `subnet`.
pub async fn route_table(ec2: &Client, vpc: &str, subnet: &str) -> String {
    let out = ec2.create_route_table().vpc_id(vpc).send().await.unwrap();
    let id = out
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    ec2.associate_route_table()
        .route_table_id(&id)
        .subnet_id(subnet)
        .send()
        .await
        .unwrap();
    id
}

/// Where a VPC route goes.
#[derive(Debug, Clone, Copy)]
pub enum Via<'a> {
    Tgw(&'a str),
    Pcx(&'a str),
}

pub async fn route(ec2: &Client, rtb: &str, cidr: &str, via: Via<'_>) {
    let request = ec2
        .create_route()
        .route_table_id(rtb)
        .destination_cidr_block(cidr);
    let request = match via {
        Via::Tgw(tgw) => request.transit_gateway_id(tgw),
        Via::Pcx(pcx) => request.vpc_peering_connection_id(pcx),
    };
    request.send().await.unwrap();
}

pub async fn delete_route(ec2: &Client, rtb: &str, cidr: &str) {
    ec2.delete_route()
        .route_table_id(rtb)
        .destination_cidr_block(cidr)
        .send()
        .await
        .unwrap();
}

/// A security group without rules but moto's default egress (all traffic anywhere).
pub async fn group(ec2: &Client, vpc: &str, name: &str) -> String {
    let out = ec2
        .create_security_group()
        .vpc_id(vpc)
        .group_name(name)
        .description(name)
        .send()
        .await
        .unwrap();
    out.group_id().unwrap().to_owned()
}

/// TCP `port` from (ingress) or to (egress) `cidr`.
pub fn https(cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

pub async fn allow_in(ec2: &Client, sg: &str, rule: IpPermission) {
    ec2.authorize_security_group_ingress()
        .group_id(sg)
        .ip_permissions(rule)
        .send()
        .await
        .unwrap();
}

/// A running instance in `subnet` at `ip` with `sg`: its primary ENI (an `in-use` ENI is a
/// workload; a detached one is not).
pub async fn workload(ec2: &Client, subnet: &str, ip: &str, sg: &str) -> String {
    let out = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(subnet)
        .private_ip_address(ip)
        .security_group_ids(sg)
        .send()
        .await
        .unwrap();
    let instance = &out.instances()[0];
    instance.network_interfaces()[0]
        .network_interface_id()
        .unwrap()
        .to_owned()
}

pub async fn transit_gateway(ec2: &Client) -> String {
    let out = ec2.create_transit_gateway().send().await.unwrap();
    out.transit_gateway()
        .unwrap()
        .transit_gateway_id()
        .unwrap()
        .to_owned()
}

/// A VPC attachment of `vpc` to `tgw` with one subnet.
pub async fn attach(ec2: &Client, tgw: &str, vpc: &str, subnet: &str) -> String {
    let out = ec2
        .create_transit_gateway_vpc_attachment()
        .transit_gateway_id(tgw)
        .vpc_id(vpc)
        .subnet_ids(subnet)
        .send()
        .await
        .unwrap();
    out.transit_gateway_vpc_attachment()
        .unwrap()
        .transit_gateway_attachment_id()
        .unwrap()
        .to_owned()
}

pub async fn default_tgw_table(ec2: &Client, tgw: &str) -> String {
    let filter = Filter::builder()
        .name("transit-gateway-id")
        .values(tgw)
        .build();
    let out = ec2
        .describe_transit_gateway_route_tables()
        .filters(filter)
        .send()
        .await
        .unwrap();
    out.transit_gateway_route_tables()[0]
        .transit_gateway_route_table_id()
        .unwrap()
        .to_owned()
}

/// A static TGW route to `attachment`, or a blackhole route when `None`.
pub async fn tgw_route(ec2: &Client, table: &str, cidr: &str, attachment: Option<&str>) {
    let request = ec2
        .create_transit_gateway_route()
        .transit_gateway_route_table_id(table)
        .destination_cidr_block(cidr);
    let request = match attachment {
        Some(a) => request.transit_gateway_attachment_id(a),
        None => request.blackhole(true),
    };
    request.send().await.unwrap();
}

pub async fn delete_tgw_route(ec2: &Client, table: &str, cidr: &str) {
    ec2.delete_transit_gateway_route()
        .transit_gateway_route_table_id(table)
        .destination_cidr_block(cidr)
        .send()
        .await
        .unwrap();
}

/// A peering connection from `requester` (with `req`) to `accepter` of `accepter_account`,
/// accepted with `acc` when `accept`.
pub async fn peering(
    req: &Client,
    requester: &str,
    acc: &Client,
    accepter: &str,
    accepter_account: &str,
    accept: bool,
) -> String {
    let out = req
        .create_vpc_peering_connection()
        .vpc_id(requester)
        .peer_vpc_id(accepter)
        .peer_owner_id(accepter_account)
        .send()
        .await
        .unwrap();
    let id = out
        .vpc_peering_connection()
        .unwrap()
        .vpc_peering_connection_id()
        .unwrap()
        .to_owned();
    if accept {
        acc.accept_vpc_peering_connection()
            .vpc_peering_connection_id(&id)
            .send()
            .await
            .unwrap();
    }
    id
}

/// An SSM interface endpoint with private DNS off: (id, regional DNS name).
pub async fn endpoint(ec2: &Client, vpc: &str, subnet: &str, sg: &str) -> (String, String) {
    endpoint_of(ec2, SERVICE, vpc, subnet, sg).await
}

/// An interface endpoint of `service` with private DNS off: (id, regional DNS name).
pub async fn endpoint_of(
    ec2: &Client,
    service: &str,
    vpc: &str,
    subnet: &str,
    sg: &str,
) -> (String, String) {
    let out = ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(service)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(subnet)
        .security_group_ids(sg)
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

/// A private hosted zone named `name`, associated with `vpc` at creation: its bare id.
pub async fn private_zone(c: &Clients, name: &str, vpc: &str) -> String {
    let out = c
        .route53
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!("e2e-{name}-{vpc}"))
        .vpc(us_east_1(vpc))
        .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
        .send()
        .await
        .unwrap();
    let id = out.hosted_zone().unwrap().id();
    id.strip_prefix("/hostedzone/").unwrap_or(id).to_owned()
}

fn us_east_1(vpc: &str) -> Vpc {
    Vpc::builder()
        .vpc_id(vpc)
        .vpc_region(VpcRegion::UsEast1)
        .build()
}

pub async fn associate_zone(c: &Clients, zone: &str, vpc: &str) {
    c.route53
        .associate_vpc_with_hosted_zone()
        .hosted_zone_id(zone)
        .vpc(us_east_1(vpc))
        .send()
        .await
        .unwrap();
}

pub async fn disassociate_zone(c: &Clients, zone: &str, vpc: &str) {
    c.route53
        .disassociate_vpc_from_hosted_zone()
        .hosted_zone_id(zone)
        .vpc(us_east_1(vpc))
        .send()
        .await
        .unwrap();
}

/// An A record of `name` aliasing `target` (an endpoint's regional DNS name).
pub fn alias(name: &str, target: &str) -> ResourceRecordSet {
    ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .hosted_zone_id(VPCE_ZONE)
                .dns_name(target)
                .evaluate_target_health(false)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// An A record of `name` with the addresses `ips`.
pub fn a_record(name: &str, ips: &[&str]) -> ResourceRecordSet {
    let mut set = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .ttl(60);
    for ip in ips {
        set = set.resource_records(
            aws_sdk_route53::types::ResourceRecord::builder()
                .value(*ip)
                .build()
                .unwrap(),
        );
    }
    set.build().unwrap()
}

/// Applies `action` to `set` in `zone`.
pub async fn change_record(c: &Clients, zone: &str, action: ChangeAction, set: ResourceRecordSet) {
    let change = Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .unwrap();
    c.route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(ChangeBatch::builder().changes(change).build().unwrap())
        .send()
        .await
        .unwrap();
}

/// A network ACL on `subnet` that denies TCP 443 to (`egress`) or from `cidr` first, then
/// allows everything both ways.
pub async fn acl_denying(
    ec2: &Client,
    vpc: &str,
    subnet: &str,
    egress: bool,
    cidr: &str,
) -> String {
    let entries = [
        (90, egress, cidr, 443, 443, RuleAction::Deny),
        (100, true, "0.0.0.0/0", 0, 65535, RuleAction::Allow),
        (100, false, "0.0.0.0/0", 0, 65535, RuleAction::Allow),
    ];
    vpce_reach_testkit::network_acl(ec2, vpc, subnet, &entries).await
}

/// Builds the world: the hub, the TGW and spoke A with `network`, spoke B with `b` (the same
/// clients, or another account's). The zone is associated with spoke B only in one account.
pub async fn build(
    network: &Clients,
    network_account: &str,
    b: &Clients,
    b_account: &str,
) -> World {
    let n = &network.ec2;
    let (hub, a_vpc, b_vpc) = tokio::join!(vpc(n, HUB_CIDR), vpc(n, A_CIDR), vpc(&b.ec2, B_CIDR));
    let (hub_subnet, hub_tgw_subnet, a_subnet, a_tgw_subnet, b_subnet) = tokio::join!(
        subnet(n, &hub, "10.0.1.0/24", "us-east-1a"),
        subnet(n, &hub, "10.0.0.0/28", "us-east-1a"),
        subnet(n, &a_vpc, "10.1.1.0/24", "us-east-1a"),
        subnet(n, &a_vpc, "10.1.0.0/28", "us-east-1a"),
        subnet(&b.ec2, &b_vpc, "10.2.1.0/24", "us-east-1a"),
    );
    let tgw = transit_gateway(n).await;
    let (hub_attachment, a_attachment, tgw_rtb) = tokio::join!(
        attach(n, &tgw, &hub, &hub_tgw_subnet),
        attach(n, &tgw, &a_vpc, &a_tgw_subnet),
        default_tgw_table(n, &tgw),
    );
    let pcx = peering(&b.ec2, &b_vpc, n, &hub, network_account, true).await;
    let (hub_rtb, a_rtb, b_rtb) = tokio::join!(
        route_table(n, &hub, &hub_subnet),
        route_table(n, &a_vpc, &a_subnet),
        route_table(&b.ec2, &b_vpc, &b_subnet),
    );
    tokio::join!(
        tgw_route(n, &tgw_rtb, HUB_CIDR, Some(&hub_attachment)),
        tgw_route(n, &tgw_rtb, A_CIDR, Some(&a_attachment)),
        route(n, &hub_rtb, A_CIDR, Via::Tgw(&tgw)),
        route(n, &hub_rtb, B_CIDR, Via::Pcx(&pcx)),
        route(n, &a_rtb, HUB_CIDR, Via::Tgw(&tgw)),
        route(&b.ec2, &b_rtb, HUB_CIDR, Via::Pcx(&pcx)),
    );
    let (hub_sg, a_sg, b_sg) = tokio::join!(
        group(n, &hub, "endpoint"),
        group(n, &a_vpc, "app-a"),
        group(&b.ec2, &b_vpc, "app-b"),
    );
    allow_in(n, &hub_sg, https(A_CIDR)).await;
    allow_in(n, &hub_sg, https(B_CIDR)).await;
    let ((endpoint, endpoint_name), a_eni, b_eni) = tokio::join!(
        endpoint(n, &hub, &hub_subnet, &hub_sg),
        workload(n, &a_subnet, "10.1.1.10", &a_sg),
        workload(&b.ec2, &b_subnet, "10.2.1.10", &b_sg),
    );
    let zone = private_zone(network, SSM, &hub).await;
    change_record(
        network,
        &zone,
        ChangeAction::Create,
        alias(SSM, &endpoint_name),
    )
    .await;
    associate_zone(network, &zone, &a_vpc).await;
    let one_account = network_account == b_account;
    if one_account {
        associate_zone(network, &zone, &b_vpc).await;
    }
    World {
        network_account: network_account.to_owned(),
        b_account: b_account.to_owned(),
        hub,
        hub_subnet,
        hub_rtb,
        hub_sg,
        hub_tgw_subnet,
        endpoint,
        endpoint_name,
        tgw,
        tgw_rtb,
        hub_attachment,
        a_attachment,
        a_tgw_subnet,
        pcx,
        zone: one_account.then_some(zone),
        a: Spoke {
            vpc: a_vpc,
            subnet: a_subnet,
            rtb: a_rtb,
            sg: a_sg,
            eni: a_eni,
        },
        b: Spoke {
            vpc: b_vpc,
            subnet: b_subnet,
            rtb: b_rtb,
            sg: b_sg,
            eni: b_eni,
        },
    }
}

/// A world in one fresh account of the server behind `sdk`, and that account's clients.
pub async fn one_account_world(sdk: &SdkConfig) -> (World, Clients) {
    let account = fresh_account();
    let clients = Clients::new(&account_config(sdk, &account).await);
    let world = build(&clients, &account, &clients, &account).await;
    (world, clients)
}

/// A finding as the tests compare it ("" for an absent field).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub code: String,
    pub component: String,
    pub direction: String,
    /// The workload.
    pub source: String,
    pub endpoint: String,
    /// The component's account when it is not the caller's.
    pub account: String,
}

impl Seen {
    /// The same finding about `endpoint`.
    pub fn with_endpoint(mut self, endpoint: &str) -> Seen {
        self.endpoint = endpoint.to_owned();
        self
    }

    /// The same finding on a component of `account` (another than the caller's).
    pub fn in_account(mut self, account: &str) -> Seen {
        self.account = account.to_owned();
        self
    }
}

/// What the tests compare of a finding.
pub fn seen(f: &Finding) -> Seen {
    Seen {
        code: f.code.as_str().to_owned(),
        component: f.component.to_string(),
        direction: f.direction.map_or("", |d| d.as_str()).to_owned(),
        source: f.source.as_deref().unwrap_or("").to_owned(),
        endpoint: f.endpoint.as_deref().unwrap_or("").to_owned(),
        account: f.account.as_deref().unwrap_or("").to_owned(),
    }
}

/// An expected finding on a component of the caller's account; a pair finding (with a
/// `source`) is about the world's endpoint unless [`Seen::with_endpoint`] says otherwise
/// (see [`expect`]).
pub fn want(code: &str, component: &str, direction: &str, source: &str) -> Seen {
    Seen {
        code: code.to_owned(),
        component: component.to_owned(),
        direction: direction.to_owned(),
        source: source.to_owned(),
        endpoint: String::new(),
        account: String::new(),
    }
}

/// `wanted`, sorted, each pair finding without an endpoint given about `endpoint`.
pub fn expect(mut wanted: Vec<Seen>, endpoint: &str) -> Vec<Seen> {
    for f in &mut wanted {
        if !f.source.is_empty() && f.endpoint.is_empty() {
            f.endpoint = endpoint.to_owned();
        }
    }
    wanted.sort();
    wanted
}

/// Every finding of `report`, sorted.
pub fn findings(report: &Report) -> Vec<Seen> {
    let mut all: Vec<Seen> = report.findings.iter().map(seen).collect();
    all.sort();
    all
}

/// The verdict of (workload, endpoint), `None` when the pair is not required.
pub fn verdict(report: &Report, workload: &str, endpoint: &str) -> Option<Verdict> {
    report
        .pairs
        .iter()
        .find(|p| &*p.workload == workload && &*p.endpoint == endpoint)
        .map(|p| p.verdict)
}

/// Runs `cases` concurrently, each named; panics after all of them with every failed case's
/// name and message, so one broken case does not hide the others.
pub async fn run_cases<F>(cases: Vec<(String, F)>)
where
    F: Future<Output = ()>,
{
    let runs = cases.into_iter().map(|(name, case)| async move {
        let outcome = std::panic::AssertUnwindSafe(case).catch_unwind().await;
        outcome.err().map(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            format!("{name}: {message}")
        })
    });
    let failed: Vec<String> = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
