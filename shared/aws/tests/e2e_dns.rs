//! End to end for DNS (issue 15): the hub-and-spoke world of `common` (the hub's SSM endpoint
//! with private DNS off, served to both spokes by a private hosted zone associated with the hub
//! and the spokes) built in the patched moto, collected live with `collect_and_check_with_dns`
//! (`RequiredServices=ssm`), then one DNS breakage per case on spoke A: each `DNS_*` code, and
//! `NO_ENDPOINT_FOR_SERVICE` with its DNS reason (the near miss of a zone named with the wrong
//! form of the service's name). A spoke's pair resolves the name from the spoke (docs/spec.md
//! D10): a breakage of spoke A's DNS blocks (or leaves unproven) spoke A's pair, with the same
//! component as spoke A's finding, and never blames the hub's endpoints (the hub has no workload
//! of its own: its endpoints' private DNS concerns nobody). Each case asserts the exact findings
//! and that spoke B is unaffected.
//!
//! One moto server for the binary; every world in an account of its own (see `common`).
//! Route 53 Profiles do not exist in moto (collect_dns.rs covers them with the SDK's mocks).

mod common;

use aws_config::SdkConfig;
use aws_sdk_ec2::types::NewDhcpConfiguration;
use aws_sdk_route53::types::ChangeAction;
use aws_sdk_route53resolver::types::{RuleTypeOption, TargetAddress};
use common::*;
use vpce_reach_aws::{collect_and_check_with_dns, Checked, Clients, Scope};
use vpce_reach_model::{RuleParameters, Verdict};
use vpce_reach_testkit::{sdk_config, MotoServer};

/// One DNS breakage.
#[derive(Debug, Clone, Copy)]
enum Break {
    /// The service's zone is no longer associated with spoke A.
    ZoneNotAssociated,
    /// Spoke A uses a zone of its own for the service, with only a wildcard record.
    RecordMissing,
    /// Spoke A's own zone answers the service's name with a stale address.
    RecordMismatch,
    /// Spoke A's own zone aliases the name to an endpoint since deleted.
    AliasToDeletedEndpoint,
    /// An ECR Docker endpoint whose zone `dkr.ecr.…` answers its apex but lacks the wildcard
    /// `*.dkr.ecr.…` the service's name is (registries are named under it).
    WildcardMissing,
    /// A Resolver rule associated with spoke A forwards the service's name on premises.
    ForwardedElsewhere,
    /// Spoke A's DHCP option set names DNS servers of its own.
    NotAmazonProvided,
    /// An ECR API endpoint in the hub, whose zone is named `ecr.api.…` (the service's name is
    /// `api.ecr.…`), associated with the hub and spoke A only.
    NearMiss,
}

const BREAKS: [Break; 8] = [
    Break::ZoneNotAssociated,
    Break::RecordMissing,
    Break::RecordMismatch,
    Break::AliasToDeletedEndpoint,
    Break::WildcardMissing,
    Break::ForwardedElsewhere,
    Break::NotAmazonProvided,
    Break::NearMiss,
];

const ECR_API: &str = "com.amazonaws.us-east-1.ecr.api";
const ECR_DKR: &str = "com.amazonaws.us-east-1.ecr.dkr";

/// What a case must give besides its findings.
#[derive(Default)]
struct Outcome {
    findings: Vec<Seen>,
    /// Texts the detail of the finding on this component must hold.
    details: Vec<(String, &'static str)>,
    /// What spoke A's names resolve to cannot be proven: its VPC and its pair's path are
    /// missing data (never `COMPLIANT`).
    a_unproven: bool,
    /// Spoke A's pair with the SSM endpoint is blocked by spoke A's own DNS (D10).
    a_blocked: bool,
    /// `RequiredServices`, when not `ssm`.
    required: Option<&'static str>,
}

/// `findings`, and spoke A's SSM pair blocked by the same cause (D10).
fn a_blocked(findings: Vec<Seen>) -> Outcome {
    Outcome {
        findings,
        a_blocked: true,
        ..Outcome::default()
    }
}

/// Disassociates spoke A from the world's zone and gives it a zone of its own for the service
/// holding `set`: its bare id.
async fn own_zone(
    w: &World,
    c: &Clients,
    set: aws_sdk_route53::types::ResourceRecordSet,
) -> String {
    let shared = w.zone.as_deref().unwrap();
    disassociate_zone(c, shared, &w.a.vpc).await;
    let zone = private_zone(c, SSM, &w.a.vpc).await;
    change_record(c, &zone, ChangeAction::Create, set).await;
    zone
}

async fn break_dns(hop: Break, w: &World, c: &Clients) -> Outcome {
    let zone = w.zone.as_deref().unwrap();
    let a = &w.a;
    match hop {
        Break::ZoneNotAssociated => {
            disassociate_zone(c, zone, &a.vpc).await;
            a_blocked(vec![want("DNS_ZONE_NOT_ASSOCIATED", zone, "", "")])
        }
        Break::RecordMissing => {
            let wildcard = alias(&format!("*.{SSM}"), &w.endpoint_name);
            let own = own_zone(w, c, wildcard).await;
            a_blocked(vec![want("DNS_RECORD_MISSING", &own, "", "")])
        }
        Break::RecordMismatch => {
            let own = own_zone(w, c, a_record(SSM, &["10.0.1.99"])).await;
            a_blocked(vec![want("DNS_RECORD_MISMATCH", &own, "", "")])
        }
        Break::AliasToDeletedEndpoint => {
            // Its own group, admitting nobody: only the alias ties it to the spoke.
            let sg = group(&c.ec2, &w.hub, "retired").await;
            let (old, name) = endpoint_of(&c.ec2, SERVICE, &w.hub, &w.hub_subnet, &sg).await;
            c.ec2
                .delete_vpc_endpoints()
                .vpc_endpoint_ids(&old)
                .send()
                .await
                .unwrap();
            let own = own_zone(w, c, alias(SSM, &name)).await;
            a_blocked(vec![want("DNS_RECORD_MISMATCH", &own, "", "")])
        }
        Break::WildcardMissing => {
            let (_, name) = endpoint_of(&c.ec2, ECR_DKR, &w.hub, &w.hub_subnet, &w.hub_sg).await;
            let apex = "dkr.ecr.us-east-1.amazonaws.com";
            let zone = private_zone(c, apex, &w.hub).await;
            change_record(c, &zone, ChangeAction::Create, alias(apex, &name)).await;
            associate_zone(c, &zone, &a.vpc).await;
            associate_zone(c, &zone, &w.b.vpc).await;
            let missing = want("DNS_RECORD_MISSING", &zone, "", "");
            // The spokes' pairs with the ECR Docker endpoint are blocked by the zone (D10); the
            // endpoint's own private DNS (off) concerns the hub's workloads: none.
            Outcome {
                findings: vec![missing.clone(), missing],
                required: Some("ssm,ecr.dkr"),
                ..Outcome::default()
            }
        }
        Break::ForwardedElsewhere => {
            let rule = forward_rule(c, &a.vpc, SSM).await;
            a_blocked(vec![want("DNS_FORWARDED_ELSEWHERE", &rule, "", "")])
        }
        Break::NotAmazonProvided => {
            let set = dhcp_set(c, &a.vpc, "10.1.0.53").await;
            Outcome {
                findings: vec![want("DNS_NOT_AMAZON_PROVIDED", &set, "", "")],
                a_unproven: true,
                ..Outcome::default()
            }
        }
        Break::NearMiss => {
            let (_, name) = endpoint_of(&c.ec2, ECR_API, &w.hub, &w.hub_subnet, &w.hub_sg).await;
            let wrong = "ecr.api.us-east-1.amazonaws.com";
            let near = private_zone(c, wrong, &w.hub).await;
            change_record(c, &near, ChangeAction::Create, alias(wrong, &name)).await;
            associate_zone(c, &near, &a.vpc).await;
            let none = "NO_ENDPOINT_FOR_SERVICE";
            // The spokes' pairs with the ECR API endpoint are blocked on their own VPCs (D10).
            Outcome {
                findings: vec![want(none, &a.vpc, "", ""), want(none, &w.b.vpc, "", "")],
                details: vec![(a.vpc.clone(), wrong)],
                required: Some("ssm,ecr.api"),
                ..Outcome::default()
            }
        }
    }
}

/// A Resolver forwarding rule for `domain`, associated with `vpc`: its id.
async fn forward_rule(c: &Clients, vpc: &str, domain: &str) -> String {
    let rule = c
        .resolver
        .create_resolver_rule()
        .creator_request_id(format!("e2e-{vpc}"))
        .name("on-premises")
        .rule_type(RuleTypeOption::Forward)
        .domain_name(domain)
        .target_ips(TargetAddress::builder().ip("192.168.0.2").port(53).build())
        .send()
        .await
        .unwrap();
    let rule = rule.resolver_rule().unwrap().id().unwrap().to_owned();
    c.resolver
        .associate_resolver_rule()
        .resolver_rule_id(&rule)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    rule
}

/// A DHCP option set whose DNS server is `server`, associated with `vpc`: its id.
async fn dhcp_set(c: &Clients, vpc: &str, server: &str) -> String {
    let servers = NewDhcpConfiguration::builder()
        .key("domain-name-servers")
        .values(server)
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

async fn check(c: &Clients, required: &str) -> Checked {
    let params = RuleParameters::from_pairs([("RequiredServices", required)]).unwrap();
    collect_and_check_with_dns(c, &Scope::region(), &params, &|_| {})
        .await
        .expect("collect and check")
}

/// Builds a world, breaks `hop`, collects and checks it: exactly the findings `break_dns`
/// names, spoke B's pair still reachable.
async fn case(sdk: &SdkConfig, hop: Break) {
    let (w, c) = one_account_world(sdk).await;
    let wanted = break_dns(hop, &w, &c).await;
    let checked = check(&c, wanted.required.unwrap_or("ssm")).await;
    let report = &checked.report;
    assert_eq!(
        findings(report),
        expect(wanted.findings, &w.endpoint),
        "{:#?}",
        report.findings
    );
    for (component, text) in &wanted.details {
        let f = report
            .findings
            .iter()
            .find(|f| &*f.component == component)
            .unwrap();
        assert!(f.detail.contains(text), "{text} not in {}", f.detail);
    }
    assert_eq!(
        verdict(report, &w.b.eni, &w.endpoint),
        Some(Verdict::Reachable)
    );
    let a = verdict(report, &w.a.eni, &w.endpoint);
    if wanted.a_unproven {
        // D10: spoke A's pair resolves from spoke A, whose option set leaves it unproven: the
        // VPC, the option set and the pair's path are missing data.
        assert_eq!(a, Some(Verdict::Unknown));
        let unproven: Vec<&str> = report.missing.iter().map(|m| &*m.resource).collect();
        let set = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == "DNS_NOT_AMAZON_PROVIDED")
            .map(|f| f.component.to_string())
            .unwrap();
        for resource in [w.a.vpc.as_str(), set.as_str(), w.endpoint.as_str()] {
            assert!(unproven.contains(&resource), "{resource}: {unproven:?}");
        }
        assert!(!unproven.contains(&w.b.vpc.as_str()), "{unproven:?}");
    } else {
        let want = if wanted.a_blocked {
            Verdict::Blocked
        } else {
            Verdict::Reachable
        };
        assert_eq!(a, Some(want));
        assert!(report.missing.is_empty(), "{:?}", report.missing);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_dns_breakage_gives_its_code_on_its_component() {
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let cases = BREAKS.map(|hop| (format!("{hop:?}"), Box::pin(case(&sdk, hop))));
    run_cases(cases.into()).await;
}
