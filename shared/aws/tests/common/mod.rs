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

pub mod network;

pub use network::*;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_ec2::config::SharedCredentialsProvider;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecordSet, RrType,
    Vpc, VpcRegion,
};
use futures_util::{FutureExt, StreamExt};
use vpce_reach_aws::{CallLimits, Clients};
use vpce_reach_model::{Finding, Report, Verdict};

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

/// Builds the world: its network ([`build_network`]) with `network.ec2` and `b.ec2`, then
/// the service's private hosted zone (an alias of the apex to the endpoint) associated with the
/// hub and spoke A, and with spoke B when it is in the same account (moto cannot associate a
/// zone across accounts).
pub async fn build(
    network: &Clients,
    network_account: &str,
    b: &Clients,
    b_account: &str,
) -> World {
    let mut world = build_network(&network.ec2, network_account, &b.ec2, b_account).await;
    let zone = private_zone(network, SSM, &world.hub).await;
    let apex = alias(SSM, &world.endpoint_name);
    change_record(network, &zone, ChangeAction::Create, apex).await;
    associate_zone(network, &zone, &world.a.vpc).await;
    if network_account == b_account {
        associate_zone(network, &zone, &world.b.vpc).await;
        world.zone = Some(zone);
    }
    world
}

/// The shipped limits with room for a loaded machine: moto may take seconds per call while
/// other builds run (the product's limits are tested in timeouts.rs, not here).
pub const PATIENT: CallLimits = CallLimits {
    read: std::time::Duration::from_secs(60),
    attempt: std::time::Duration::from_secs(90),
    ..CallLimits::SHIPPED
};

/// The clients of `account` (moto: through an assumed role), with [`PATIENT`] limits.
pub async fn clients(sdk: &SdkConfig, account: &str) -> Clients {
    Clients::with(&account_config(sdk, account).await, &PATIENT)
}

/// A world in one fresh account of the server behind `sdk`, and that account's clients.
pub async fn one_account_world(sdk: &SdkConfig) -> (World, Clients) {
    let account = fresh_account();
    let clients = clients(sdk, &account).await;
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
        .find(|p| p.workload == workload && p.endpoint == endpoint)
        .map(|p| p.verdict)
}

/// How many cases run at once: moto answers one request at a time (Python), so more only
/// lengthens each call's wait.
const CONCURRENT_CASES: usize = 4;

/// Runs `cases`, [`CONCURRENT_CASES`] at a time, each named; panics after all of them with
/// every failed case's name and message, so one broken case does not hide the others.
/// `E2E_CASE=<text>` runs only the cases whose name contains the text (to debug one).
pub async fn run_cases<F>(cases: Vec<(String, F)>)
where
    F: Future<Output = ()>,
{
    let only = std::env::var("E2E_CASE").unwrap_or_default();
    let runs = cases
        .into_iter()
        .filter(|(name, _)| name.contains(&only))
        .map(|(name, case)| async move {
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
    let failed: Vec<String> = futures_util::stream::iter(runs)
        .buffer_unordered(CONCURRENT_CASES)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
