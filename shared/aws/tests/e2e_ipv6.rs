//! End to end for IPv6 and dual-stack (issue 17, docs/spec.md section 12): one dual-stack VPC
//! built in the patched moto, collected live as `check --live` collects it
//! (`collect_and_check_accounts`, DNS on), then one IPv6 breakage per case:
//!
//! ```text
//!  VPC 10.0.0.0/16 + an Amazon IPv6 /56 (the default ACL given AWS's rule 101 for ::/0)
//!   s-app   10.0.1.0/24 + /64 #1: eni-v4   10.0.1.10              (IPv4 only)
//!   s-dual  10.0.2.0/24 + /64 #2: eni-dual 10.0.2.20 + an IPv6 address
//!   s-ep    10.0.3.0/24 + /64 #3: the SSM interface endpoint (dualstack, or ipv4 for DNS64)
//! ```
//!
//! - **(a)** the endpoint's group admits tcp/443 from the VPC's IPv4 block only: the IPv4-only
//!   workload reaches the endpoint, the dual-stack one is blocked over IPv6 (V3: a dual-stack
//!   client of a dual-stack endpoint needs both paths), `ENI_SG_RULES_MISMATCH` on the group
//!   with an IPv6 fix; the fix applied as the finding words it, the next check is clean.
//! - **(b)** the endpoint subnet's ACL returns IPv6 replies on 1024-32767 only:
//!   `SUBNET_ACL_RESTRICTION` on that ACL, return leg, over IPv6.
//! - **(c)** DNS64 without a NAT64 route: the endpoint is `ipv4` (A records only), the dual
//!   workload's subnet IPv6-only with DNS64. moto cannot build that subnet: it refuses an
//!   IPv6-only subnet with an IPv4 block and a workload without one (the model selects workloads
//!   by their IPv4 address, spec section 12 "Not checked yet"), and it does not store
//!   `EnableDns64` (shared/testkit/moto/README.md). So the case collects the world from moto,
//!   writes the snapshot as `vpce-reach snapshot --out` does, sets `Ipv6Native` and
//!   `EnableDns64` on that subnet in the written `subnets.json` (the two fields AWS would
//!   return), and checks the directory as `vpce-reach check DIR` does. The SDK's mocks would
//!   need every other describe answer hand-written; editing one field of a real collection
//!   keeps the rest moto's.
//!
//! One moto server for the binary; each case's world in an account of its own (see `common`),
//! cases run concurrently. `E2E_CASE=<text>` runs one case.

mod common;

use std::net::Ipv6Addr;

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{
    DnsOptionsSpecification, DnsRecordIpType, Filter, IpAddressType, IpPermission, IpRange,
    Ipv6Range, PortRange, RuleAction, UserIdGroupPair, VpcEndpointType,
};
use aws_sdk_ec2::Client;
use common::*;
use serde_json::Value;
use vpce_reach_aws::{collect_accounts_with, collect_and_check_accounts, Clients, Dns, Scope};
use vpce_reach_model::{Report, RuleParameters, Verdict};
use vpce_reach_testkit::{associate_network_acl, sdk_config, MotoServer};

const VPC_CIDR: &str = "10.0.0.0/16";

/// The ids of one dual-stack world.
#[derive(Debug)]
struct Dual {
    vpc: String,
    /// The VPC's Amazon-provided IPv6 block (a /56).
    vpc_v6: String,
    dual_subnet: String,
    ep_subnet: String,
    /// The main route table (every subnet's).
    rtb: String,
    ep_sg: String,
    endpoint: String,
    v4: String,
    dual: String,
}

/// The `n`th /64 of the /56 `block`.
fn slash64(block: &str, n: u128) -> String {
    let (addr, _) = block.split_once('/').expect("a CIDR");
    let base: u128 = addr.parse::<Ipv6Addr>().expect("an IPv6 address").into();
    format!("{}/64", Ipv6Addr::from(base + (n << 64)))
}

/// A dual-stack VPC: its id and IPv6 block. moto's new VPCs have DNS hostnames off (private
/// DNS needs both attributes on).
async fn dual_vpc(ec2: &Client) -> (String, String) {
    let out = ec2
        .create_vpc()
        .cidr_block(VPC_CIDR)
        .amazon_provided_ipv6_cidr_block(true)
        .send()
        .await
        .unwrap();
    let vpc = out.vpc().unwrap();
    let id = vpc.vpc_id().unwrap().to_owned();
    let block = vpc.ipv6_cidr_block_association_set()[0]
        .ipv6_cidr_block()
        .unwrap()
        .to_owned();
    let on = aws_sdk_ec2::types::AttributeBooleanValue::builder()
        .value(true)
        .build();
    ec2.modify_vpc_attribute()
        .vpc_id(&id)
        .enable_dns_hostnames(on)
        .send()
        .await
        .unwrap();
    (id, block)
}

async fn new_subnet(ec2: &Client, vpc: &str, v4: &str, v6: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(v4)
        .ipv6_cidr_block(v6)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

/// One ACL entry of either family: rule number, egress, CIDR (IPv6 when it holds a `:`),
/// protocol, ports (`None`: all), action.
type AclEntry<'a> = (i32, bool, &'a str, &'a str, Option<(i32, i32)>, RuleAction);

async fn acl_entry(ec2: &Client, acl: &str, entry: &AclEntry<'_>) {
    let (rule, egress, cidr, protocol, ports, ref action) = *entry;
    let mut request = ec2
        .create_network_acl_entry()
        .network_acl_id(acl)
        .rule_number(rule)
        .protocol(protocol)
        .rule_action(action.clone())
        .egress(egress);
    request = if cidr.contains(':') {
        request.ipv6_cidr_block(cidr)
    } else {
        request.cidr_block(cidr)
    };
    if let Some((from, to)) = ports {
        request = request.port_range(PortRange::builder().from(from).to(to).build());
    }
    request.send().await.unwrap();
}

/// The VPC's default ACL given the IPv6 allow rule (101, `::/0`, both ways) AWS adds for a
/// dual-stack VPC and moto 5.2.5 does not (spec V6; shared/testkit/moto/README.md).
async fn default_acl_allows_ipv6(ec2: &Client, vpc: &str) {
    let out = ec2
        .describe_network_acls()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(Filter::builder().name("default").values("true").build())
        .send()
        .await
        .unwrap();
    let acl = out.network_acls()[0].network_acl_id().unwrap().to_owned();
    for egress in [true, false] {
        acl_entry(
            ec2,
            &acl,
            &(101, egress, "::/0", "-1", None, RuleAction::Allow),
        )
        .await;
    }
}

/// The main route table of `vpc` (moto gives it the IPv4 and IPv6 local routes).
async fn main_table(ec2: &Client, vpc: &str) -> String {
    let out = ec2
        .describe_route_tables()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(
            Filter::builder()
                .name("association.main")
                .values("true")
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.route_tables()[0].route_table_id().unwrap().to_owned()
}

/// tcp/443 from an IPv4 or IPv6 CIDR, or a group.
fn https_from(peer: &str) -> IpPermission {
    let rule = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443);
    let rule = if peer.starts_with("sg-") {
        rule.user_id_group_pairs(UserIdGroupPair::builder().group_id(peer).build())
    } else if peer.contains(':') {
        rule.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(peer).build())
    } else {
        rule.ip_ranges(IpRange::builder().cidr_ip(peer).build())
    };
    rule.build()
}

/// A running instance in `subnet` at `ip` with `sg`, with one IPv6 address when `v6` (moto
/// ignores explicit IPv6 addresses, a count works): its primary ENI.
async fn instance(ec2: &Client, subnet: &str, ip: &str, sg: &str, v6: bool) -> String {
    let mut request = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .subnet_id(subnet)
        .private_ip_address(ip)
        .security_group_ids(sg);
    if v6 {
        request = request.ipv6_address_count(1);
    }
    let out = request.send().await.unwrap();
    out.instances()[0].network_interfaces()[0]
        .network_interface_id()
        .unwrap()
        .to_owned()
}

/// An SSM interface endpoint with private DNS on, of `kind` (`dualstack` answers A and AAAA,
/// `ipv4` A only: spec V1, V2). The patched moto stores both settings and gives the ENI an
/// IPv6 address of its subnet for `dualstack`.
async fn ssm_endpoint(ec2: &Client, vpc: &str, subnet: &str, sg: &str, kind: &str) -> String {
    let dns = DnsOptionsSpecification::builder()
        .dns_record_ip_type(DnsRecordIpType::from(kind))
        .build();
    let out = ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(SERVICE)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(subnet)
        .security_group_ids(sg)
        .private_dns_enabled(true)
        .ip_address_type(IpAddressType::from(kind))
        .dns_options(dns)
        .send()
        .await
        .unwrap();
    out.vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_owned()
}

/// Builds the world with an endpoint of `kind` whose group admits tcp/443 from each of
/// `admits`.
async fn build(ec2: &Client, kind: &str, admits: &[&str]) -> Dual {
    let (vpc, vpc_v6) = dual_vpc(ec2).await;
    let (app_v6, dual_v6, ep_v6) = (
        slash64(&vpc_v6, 1),
        slash64(&vpc_v6, 2),
        slash64(&vpc_v6, 3),
    );
    let (app_subnet, dual_subnet, ep_subnet) = tokio::join!(
        new_subnet(ec2, &vpc, "10.0.1.0/24", &app_v6),
        new_subnet(ec2, &vpc, "10.0.2.0/24", &dual_v6),
        new_subnet(ec2, &vpc, "10.0.3.0/24", &ep_v6),
    );
    default_acl_allows_ipv6(ec2, &vpc).await;
    // moto's new groups in a dual-stack VPC allow all egress to 0.0.0.0/0 and ::/0, as AWS's.
    let (app_sg, ep_sg, rtb) = tokio::join!(
        group(ec2, &vpc, "app"),
        group(ec2, &vpc, "endpoint"),
        main_table(ec2, &vpc),
    );
    for peer in admits {
        allow_in(ec2, &ep_sg, https_from(peer)).await;
    }
    let (endpoint, v4, dual) = tokio::join!(
        ssm_endpoint(ec2, &vpc, &ep_subnet, &ep_sg, kind),
        instance(ec2, &app_subnet, "10.0.1.10", &app_sg, false),
        instance(ec2, &dual_subnet, "10.0.2.20", &app_sg, true),
    );
    Dual {
        vpc,
        vpc_v6,
        dual_subnet,
        ep_subnet,
        rtb,
        ep_sg,
        endpoint,
        v4,
        dual,
    }
}

/// A world of its own account: its ids and that account's clients.
async fn world(sdk: &SdkConfig, kind: &str, admits: &[&str]) -> (Dual, Clients) {
    let c = clients(sdk, &fresh_account()).await;
    let w = build(&c.ec2, kind, admits).await;
    (w, c)
}

/// Collects the region as `check --live` does (DNS on, no other accounts) and checks it.
async fn check_live(c: &Clients) -> Report {
    let params = RuleParameters::default();
    collect_and_check_accounts(c, &[], &Scope::region(), Dns::On, &params, &|_| {})
        .await
        .expect("collect and check")
        .report
}

/// The one finding of `report` with `code`, after checking it is the report's only finding.
fn only<'r>(report: &'r Report, code: &str) -> &'r vpce_reach_model::Finding {
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.code.as_str(), code, "{f:#?}");
    f
}

/// The IPv4-only workload keeps its IPv4 verdict in every case: reachable.
fn v4_reaches(report: &Report, w: &Dual) {
    assert_eq!(
        verdict(report, &w.v4, &w.endpoint),
        Some(Verdict::Reachable)
    );
}

/// Applies a fix worded `allow ingress tcp/443 on <group> from <peer>[, <peer>…]` to the
/// endpoint's group; the peers it names.
async fn apply_ingress_fix(ec2: &Client, w: &Dual, fix: &str) -> Vec<String> {
    let prefix = format!("allow ingress tcp/443 on {} from ", w.ep_sg);
    let peers = fix
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("a fix worded otherwise: {fix}"));
    let peers: Vec<String> = peers
        .split(", ")
        .map(|p| p.split_whitespace().next().unwrap_or(p).to_owned())
        .collect();
    for peer in &peers {
        allow_in(ec2, &w.ep_sg, https_from(peer)).await;
    }
    peers
}

/// (a) A dual-stack endpoint whose group admits the VPC's IPv4 block only.
async fn group_admits_ipv4_only(sdk: &SdkConfig) {
    let (w, c) = world(sdk, "dualstack", &[VPC_CIDR]).await;
    let report = check_live(&c).await;
    let f = only(&report, "ENI_SG_RULES_MISMATCH");
    assert_eq!(
        seen(f),
        want("ENI_SG_RULES_MISMATCH", &w.ep_sg, "ingress", &w.dual).with_endpoint(&w.endpoint)
    );
    assert!(f.detail.contains("over IPv6"), "{}", f.detail);
    // The endpoint's IPv4 address is reached, its IPv6 address is not.
    assert!(f.detail.contains("reaches 1 of 2 targets"), "{}", f.detail);
    assert_eq!(
        verdict(&report, &w.dual, &w.endpoint),
        Some(Verdict::Blocked)
    );
    v4_reaches(&report, &w);

    let peers = apply_ingress_fix(&c.ec2, &w, &f.fix).await;
    // The fix adds IPv6 sources: the workload's group (a reference matches both families,
    // spec V5: what the model suggests when the workload's egress allows the endpoint), or
    // IPv6 CIDRs; never an IPv4 one, since IPv4 works.
    for peer in &peers {
        assert!(
            peer.starts_with("sg-") || peer.contains(':'),
            "{peer}: {}",
            f.fix
        );
    }
    let fixed = check_live(&c).await;
    assert!(fixed.findings.is_empty(), "{:#?}", fixed.findings);
    assert_eq!(
        verdict(&fixed, &w.dual, &w.endpoint),
        Some(Verdict::Reachable)
    );
    v4_reaches(&fixed, &w);
}

/// (b) The endpoint subnet's ACL returns IPv4 replies, but IPv6 ones on 1024-32767 only.
async fn acl_without_the_ipv6_return(sdk: &SdkConfig) {
    let (w, c) = world(sdk, "dualstack", &[VPC_CIDR, "::/0"]).await;
    let out = c
        .ec2
        .create_network_acl()
        .vpc_id(&w.vpc)
        .send()
        .await
        .unwrap();
    let acl = out
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .unwrap()
        .to_owned();
    let entries: [AclEntry; 4] = [
        (100, true, "0.0.0.0/0", "-1", None, RuleAction::Allow),
        (
            110,
            true,
            "::/0",
            "6",
            Some((1024, 32767)),
            RuleAction::Allow,
        ),
        (100, false, "0.0.0.0/0", "-1", None, RuleAction::Allow),
        (101, false, "::/0", "-1", None, RuleAction::Allow),
    ];
    for entry in &entries {
        acl_entry(&c.ec2, &acl, entry).await;
    }
    associate_network_acl(&c.ec2, &acl, &w.ep_subnet).await;

    let report = check_live(&c).await;
    let f = only(&report, "SUBNET_ACL_RESTRICTION");
    assert_eq!(
        seen(f),
        want("SUBNET_ACL_RESTRICTION", &acl, "return-egress", &w.dual).with_endpoint(&w.endpoint)
    );
    assert!(f.detail.contains("over IPv6"), "{}", f.detail);
    assert!(f.detail.contains("32768-65535"), "{}", f.detail);
    // The fix is an IPv6 entry towards the dual workload's subnet.
    assert!(f.fix.contains("IPv6"), "{}", f.fix);
    assert!(f.fix.contains(&slash64(&w.vpc_v6, 2)), "{}", f.fix);
    assert_eq!(
        verdict(&report, &w.dual, &w.endpoint),
        Some(Verdict::Blocked)
    );
    v4_reaches(&report, &w);
}

/// (c) An IPv6-only subnet with DNS64, an IPv4-only endpoint, no route for 64:ff9b::/96.
async fn dns64_without_a_nat64_route(sdk: &SdkConfig) {
    let (w, c) = world(sdk, "ipv4", &[VPC_CIDR, "::/0"]).await;
    let collected = collect_accounts_with(&c, &[], &Scope::region(), Dns::On, &|_| {})
        .await
        .expect("collect");
    let dir = std::env::temp_dir().join(format!(
        "vpce-reach-e2e-ipv6-{}-{}",
        std::process::id(),
        w.vpc
    ));
    collected.write_to(&dir).unwrap();
    let file = dir.join("subnets.json");
    let mut subnets: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let subnet = subnets["Subnets"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["SubnetId"] == w.dual_subnet.as_str())
        .expect("the dual workload's subnet in subnets.json");
    subnet["Ipv6Native"] = Value::Bool(true);
    subnet["EnableDns64"] = Value::Bool(true);
    std::fs::write(&file, subnets.to_string()).unwrap();

    let snapshot = vpce_reach_model::load_dir(&dir).expect("the edited snapshot loads");
    std::fs::remove_dir_all(&dir).unwrap();
    let report = vpce_reach_model::check(&snapshot, &RuleParameters::default());
    let f = only(&report, "NO_ROUTE_TO_DESTINATION");
    assert_eq!(
        seen(f),
        want("NO_ROUTE_TO_DESTINATION", &w.rtb, "egress", &w.dual).with_endpoint(&w.endpoint)
    );
    assert!(f.detail.contains("DNS64"), "{}", f.detail);
    assert!(f.detail.contains("64:ff9b::"), "{}", f.detail);
    assert!(f.fix.contains("64:ff9b::/96"), "{}", f.fix);
    assert_eq!(
        verdict(&report, &w.dual, &w.endpoint),
        Some(Verdict::Blocked)
    );
    v4_reaches(&report, &w);
}

/// One case of the test: a future borrowing the server's configuration.
type Case<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_ipv6_breakage_gives_its_code_on_its_component() {
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let cases: Vec<(String, Case<'_>)> = vec![
        (
            "group_admits_ipv4_only".into(),
            Box::pin(group_admits_ipv4_only(&sdk)),
        ),
        (
            "acl_without_the_ipv6_return".into(),
            Box::pin(acl_without_the_ipv6_return(&sdk)),
        ),
        (
            "dns64_without_a_nat64_route".into(),
            Box::pin(dns64_without_a_nat64_route(&sdk)),
        ),
    ];
    run_cases(cases).await;
}
