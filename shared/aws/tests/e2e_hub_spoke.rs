//! End to end across VPCs (issue 14): the hub-and-spoke world of `common` (a hub with an SSM
//! interface endpoint, spoke A over a transit gateway, spoke B over peering, the centralized
//! private hosted zone) built in the patched moto, collected live (`collect_and_check_with_dns`,
//! `RequiredServices=ssm`), checked clean, then broken one hop at a time: each case asserts the
//! exact findings (code, component, direction, workload) and that the other spoke still reaches
//! the endpoint. The network-account pattern (the hub in another account read through a role)
//! is the last test.
//!
//! One moto server for the binary; every world in accounts of its own (see `common`).
//! What moto cannot build (a VPC route in state `blackhole`, a TGW attachment off the default
//! route table or with no association, a cross-account TGW) is covered by the model's scenario
//! tests (shared/model/tests/cross_vpc.rs) instead: docs/testing.md.

mod common;

use aws_config::SdkConfig;
use aws_sdk_ec2::types::IpPermission;
use common::*;
use vpce_reach_aws::{collect_and_check, collect_and_check_with_dns, AssumedRole, Clients, Scope};
use vpce_reach_model::{
    evaluations_for, name_accounts, AccountId, ComplianceType, RuleParameters, Verdict,
};
use vpce_reach_testkit::{sdk_config, MotoServer};

/// One hop broken.
#[derive(Debug, Clone, Copy)]
enum Break {
    /// Nothing: the world as built checks clean (and the hub endpoint, private DNS off, is not
    /// `PRIVATE_DNS_DISABLED`: its zone serves it).
    Nothing,
    /// Spoke A's group lets HTTPS out only to an unrelated network.
    SpokeGroupEgress,
    /// Spoke A's subnet ACL denies HTTPS out to the hub.
    SpokeAclOut,
    /// The ACL of spoke A's TGW attachment subnet denies HTTPS in from spoke A: inbound rules
    /// there judge traffic from the VPC's instances into the TGW (T6).
    AttachmentSubnetAcl,
    /// Spoke A's route table has no route to the hub over the TGW.
    SpokeRouteToTgw,
    /// Spoke B's route table has no route to the hub over the peering connection.
    SpokeRouteToPcx,
    /// The TGW route table has no route to the hub's attachment.
    TgwRouteToHub,
    /// The TGW route table has no route back to spoke A's attachment.
    TgwRouteToSpoke,
    /// A static blackhole route for the endpoint's subnet wins the longest-prefix match.
    TgwBlackhole,
    /// A workload of spoke A in us-east-1b, where spoke A's attachment has no subnet.
    WorkloadZoneWithoutAttachment,
    /// An endpoint in us-east-1b, where the hub's attachment has no subnet (the reply).
    EndpointZoneWithoutAttachment,
    /// The endpoint subnet's ACL denies HTTPS in from spoke A.
    HubAclIn,
    /// The endpoint's group no longer admits spoke A.
    EndpointGroupIngress,
    /// The hub's endpoint subnet has no route back to spoke A (the classic omission).
    HubReturnRouteTgw,
    /// ... nor back to spoke B.
    HubReturnRoutePcx,
    /// Spoke A's TGW attachment is deleted.
    AttachmentDeleted,
    /// The endpoint's group admits spoke A by a reference to its group, which the TGW does not
    /// carry (referencing support off).
    GroupReferenceOverTgw,
    /// The endpoint's group admits spoke B by a reference to its group: peering in one region
    /// carries it (clean).
    GroupReferenceOverPeering,
    /// An S3 gateway endpoint in the hub, and spoke A routing S3's prefix list to the TGW
    /// (`RequiredServices=ssm,s3`): a gateway endpoint serves its own VPC only (T9).
    GatewayEndpointAcrossTgw,
    /// Spoke B's connection to the hub is deleted.
    PeeringDeleted,
    /// Spoke B and the hub are joined by a connection not yet accepted.
    PeeringPending,
}

/// The world as built, and the hops on the spokes' side and the transit gateway's.
const SPOKE_SIDE: [Break; 11] = [
    Break::Nothing,
    Break::SpokeGroupEgress,
    Break::SpokeAclOut,
    Break::AttachmentSubnetAcl,
    Break::SpokeRouteToTgw,
    Break::SpokeRouteToPcx,
    Break::TgwRouteToHub,
    Break::TgwRouteToSpoke,
    Break::TgwBlackhole,
    Break::WorkloadZoneWithoutAttachment,
    Break::AttachmentDeleted,
];

/// The hops on the hub's side and the peering connection's.
const HUB_SIDE: [Break; 10] = [
    Break::GatewayEndpointAcrossTgw,
    Break::EndpointZoneWithoutAttachment,
    Break::HubAclIn,
    Break::EndpointGroupIngress,
    Break::HubReturnRouteTgw,
    Break::HubReturnRoutePcx,
    Break::GroupReferenceOverTgw,
    Break::GroupReferenceOverPeering,
    Break::PeeringDeleted,
    Break::PeeringPending,
];

/// `RequiredServices=ssm`, and S3 where the case adds it.
fn params(hop: Break) -> RuleParameters {
    let services = match hop {
        Break::GatewayEndpointAcrossTgw => "ssm,s3",
        _ => "ssm",
    };
    RuleParameters::from_pairs([("RequiredServices", services)]).unwrap()
}

/// Breaks one hop of `w`; the findings it must give (every other finding is a regression).
async fn break_hop(hop: Break, w: &World, c: &Clients) -> Vec<Seen> {
    let ec2 = &c.ec2;
    let (a, b) = (&w.a, &w.b);
    match hop {
        Break::Nothing => vec![],
        Break::SpokeGroupEgress => {
            let all = IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build();
            ec2.revoke_security_group_egress()
                .group_id(&a.sg)
                .ip_permissions(all)
                .send()
                .await
                .unwrap();
            ec2.authorize_security_group_egress()
                .group_id(&a.sg)
                .ip_permissions(https("10.99.0.0/16"))
                .send()
                .await
                .unwrap();
            vec![want("ENI_SG_RULES_MISMATCH", &a.sg, "egress", &a.eni)]
        }
        Break::SpokeAclOut => {
            let acl = acl_denying(ec2, &a.vpc, &a.subnet, true, HUB_CIDR).await;
            vec![want("SUBNET_ACL_RESTRICTION", &acl, "egress", &a.eni)]
        }
        Break::AttachmentSubnetAcl => {
            let acl = acl_denying(ec2, &a.vpc, &w.a_tgw_subnet, false, A_CIDR).await;
            vec![want("SUBNET_ACL_RESTRICTION", &acl, "egress", &a.eni)]
        }
        Break::SpokeRouteToTgw => {
            delete_route(ec2, &a.rtb, HUB_CIDR).await;
            vec![want("NO_ROUTE_TO_DESTINATION", &a.rtb, "egress", &a.eni)]
        }
        Break::SpokeRouteToPcx => {
            delete_route(ec2, &b.rtb, HUB_CIDR).await;
            vec![want("NO_ROUTE_TO_DESTINATION", &b.rtb, "egress", &b.eni)]
        }
        Break::TgwRouteToHub => {
            delete_tgw_route(ec2, &w.tgw_rtb, HUB_CIDR).await;
            let code = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT";
            vec![want(code, &w.tgw_rtb, "egress", &a.eni)]
        }
        Break::TgwRouteToSpoke => {
            delete_tgw_route(ec2, &w.tgw_rtb, A_CIDR).await;
            let code = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT";
            vec![want(code, &w.tgw_rtb, "return-egress", &a.eni)]
        }
        Break::TgwBlackhole => {
            tgw_route(ec2, &w.tgw_rtb, "10.0.1.0/24", None).await;
            let code = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT";
            vec![want(code, &w.tgw_rtb, "egress", &a.eni)]
        }
        Break::WorkloadZoneWithoutAttachment => {
            let other = subnet(ec2, &a.vpc, "10.1.2.0/24", "us-east-1b").await;
            ec2.associate_route_table()
                .route_table_id(&a.rtb)
                .subnet_id(&other)
                .send()
                .await
                .unwrap();
            let eni = workload(ec2, &other, "10.1.2.10", &a.sg).await;
            let code = "TGW_ROUTE_AZ_RESTRICTION";
            vec![want(code, &w.a_attachment, "egress", &eni)]
        }
        Break::EndpointZoneWithoutAttachment => {
            let other = subnet(ec2, &w.hub, "10.0.2.0/24", "us-east-1b").await;
            ec2.associate_route_table()
                .route_table_id(&w.hub_rtb)
                .subnet_id(&other)
                .send()
                .await
                .unwrap();
            let sg = group(ec2, &w.hub, "sts-endpoint").await;
            allow_in(ec2, &sg, https(A_CIDR)).await;
            let service = "com.amazonaws.us-east-1.sts";
            let (sts, _) = endpoint_of(ec2, service, &w.hub, &other, &sg).await;
            let code = "TGW_ROUTE_AZ_RESTRICTION";
            vec![
                want(code, &w.hub_attachment, "return-egress", &a.eni).with_endpoint(&sts),
                // Spoke A is the only one its group admits, and it does not reach it (R5).
                want("ENDPOINT_UNREACHABLE", &sts, "ingress", "").with_endpoint(&sts),
            ]
        }
        Break::HubAclIn => {
            let acl = acl_denying(ec2, &w.hub, &w.hub_subnet, false, A_CIDR).await;
            vec![want("SUBNET_ACL_RESTRICTION", &acl, "ingress", &a.eni)]
        }
        Break::EndpointGroupIngress => {
            ec2.revoke_security_group_ingress()
                .group_id(&w.hub_sg)
                .ip_permissions(https(A_CIDR))
                .send()
                .await
                .unwrap();
            // Still required: the spoke's zone resolves the service to the endpoint (R7).
            vec![want("ENI_SG_RULES_MISMATCH", &w.hub_sg, "ingress", &a.eni)]
        }
        Break::HubReturnRouteTgw => {
            delete_route(ec2, &w.hub_rtb, A_CIDR).await;
            vec![want(
                "NO_ROUTE_TO_DESTINATION",
                &w.hub_rtb,
                "return-egress",
                &a.eni,
            )]
        }
        Break::HubReturnRoutePcx => {
            delete_route(ec2, &w.hub_rtb, B_CIDR).await;
            vec![want(
                "NO_ROUTE_TO_DESTINATION",
                &w.hub_rtb,
                "return-egress",
                &b.eni,
            )]
        }
        Break::AttachmentDeleted => {
            ec2.delete_transit_gateway_vpc_attachment()
                .transit_gateway_attachment_id(&w.a_attachment)
                .send()
                .await
                .unwrap();
            // Still paired: spoke A's route table sends the hub's addresses to the TGW.
            let code = "TGW_ATTACHMENT_NOT_AVAILABLE";
            vec![want(code, &w.tgw, "egress", &a.eni)]
        }
        Break::GroupReferenceOverTgw => {
            readmit_by_group(ec2, &w.hub_sg, A_CIDR, &a.sg).await;
            vec![want("SG_REFERENCING_SUPPORT", &w.hub_sg, "ingress", &a.eni)]
        }
        Break::GroupReferenceOverPeering => {
            readmit_by_group(ec2, &w.hub_sg, B_CIDR, &b.sg).await;
            vec![]
        }
        Break::GatewayEndpointAcrossTgw => {
            let out = ec2
                .create_vpc_endpoint()
                .vpc_id(&w.hub)
                .service_name("com.amazonaws.us-east-1.s3")
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
                .route_table_ids(&w.hub_rtb)
                .send()
                .await
                .unwrap();
            let gateway = out.vpc_endpoint().unwrap().vpc_endpoint_id().unwrap();
            let s3 = aws_sdk_ec2::types::Filter::builder()
                .name("prefix-list-name")
                .values("com.amazonaws.us-east-1.s3")
                .build();
            let lists = ec2
                .describe_prefix_lists()
                .filters(s3)
                .send()
                .await
                .unwrap();
            let list = lists.prefix_lists()[0].prefix_list_id().unwrap();
            ec2.create_route()
                .route_table_id(&a.rtb)
                .destination_prefix_list_id(list)
                .transit_gateway_id(&w.tgw)
                .send()
                .await
                .unwrap();
            let code = "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION";
            let none = "NO_ENDPOINT_FOR_SERVICE";
            vec![
                want(code, gateway, "egress", &a.eni).with_endpoint(gateway),
                // Neither spoke has an S3 endpoint it can use: S3's name resolves publicly.
                want(none, &a.vpc, "", ""),
                want(none, &b.vpc, "", ""),
            ]
        }
        Break::PeeringDeleted => {
            ec2.delete_vpc_peering_connection()
                .vpc_peering_connection_id(&w.pcx)
                .send()
                .await
                .unwrap();
            vec![want("VPC_PEERING_NOT_ACTIVE", &w.pcx, "egress", &b.eni)]
        }
        Break::PeeringPending => {
            let pending = peering(ec2, &b.vpc, ec2, &w.hub, &w.network_account, false).await;
            for (rtb, cidr) in [(&b.rtb, HUB_CIDR), (&w.hub_rtb, B_CIDR)] {
                ec2.replace_route()
                    .route_table_id(rtb)
                    .destination_cidr_block(cidr)
                    .vpc_peering_connection_id(&pending)
                    .send()
                    .await
                    .unwrap();
            }
            vec![want("VPC_PEERING_NOT_ACTIVE", &pending, "egress", &b.eni)]
        }
    }
}

/// Replaces the rule of `sg` admitting `cidr` by one admitting the members of `member`.
async fn readmit_by_group(ec2: &aws_sdk_ec2::Client, sg: &str, cidr: &str, member: &str) {
    ec2.revoke_security_group_ingress()
        .group_id(sg)
        .ip_permissions(https(cidr))
        .send()
        .await
        .unwrap();
    let by_group = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .user_id_group_pairs(
            aws_sdk_ec2::types::UserIdGroupPair::builder()
                .group_id(member)
                .build(),
        )
        .build();
    allow_in(ec2, sg, by_group).await;
}

/// Builds a world, breaks `hop`, collects and checks it: exactly the findings `break_hop`
/// names, every workload they name blocked, every other pair still reachable, nothing unproven.
async fn case(sdk: &SdkConfig, hop: Break) {
    let (w, c) = one_account_world(sdk).await;
    let expected = expect(break_hop(hop, &w, &c).await, &w.endpoint);
    let checked = collect_and_check_with_dns(&c, &Scope::region(), &params(hop), &|_| {})
        .await
        .expect("collect and check");
    let report = &checked.report;
    assert_eq!(findings(report), expected, "{:#?}", report.findings);
    assert!(report.missing.is_empty(), "{:?}", report.missing);
    for pair in &report.pairs {
        let blamed = expected
            .iter()
            .any(|f| f.source == *pair.workload && f.endpoint == *pair.endpoint);
        let wanted = if blamed {
            Verdict::Blocked
        } else {
            Verdict::Reachable
        };
        assert_eq!(pair.verdict, wanted, "{pair:?}");
    }
    for eni in [&w.a.eni, &w.b.eni] {
        assert!(
            verdict(report, eni, &w.endpoint).is_some(),
            "{eni} is no longer paired with {}",
            w.endpoint
        );
    }
}

/// Runs `hops` against one moto server of their own (two test functions: two servers, so a
/// machine with cores to spare runs both halves at once).
async fn run(hops: &[Break]) {
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let cases = hops
        .iter()
        .map(|&hop| (format!("{hop:?}"), Box::pin(case(&sdk, hop))))
        .collect();
    run_cases(cases).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthy_world_checks_clean_and_each_spoke_or_tgw_hop_is_named() {
    run(&SPOKE_SIDE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_hub_or_peering_hop_is_named() {
    run(&HUB_SIDE).await;
}

/// One hop broken in the network-account pattern.
#[derive(Debug, Clone, Copy)]
enum Across {
    Nothing,
    /// The hub (network account) has no route back to spoke B (caller's account).
    HubReturnRoute,
    /// Spoke B's own subnet ACL denies HTTPS out to the hub.
    SpokeAclOut,
}

/// The network-account pattern: the hub, the TGW and spoke A in a network account read through
/// a role (`collect_and_check`, as `--assume-role` and `ASSUME_ROLE_ARNS` do), spoke B in the
/// caller's account, peered across the two. A finding on the network account's component
/// names that account; the caller's evaluations mark its spoke VPC for it.
async fn across_accounts(sdk: &SdkConfig, hop: Across) {
    let (caller, network) = (fresh_account(), fresh_account());
    let caller_config = account_config(sdk, &caller).await;
    let own = Clients::with(&caller_config, &PATIENT);
    let theirs = clients(sdk, &network).await;
    let w = build(&theirs, &network, &own, &caller).await;
    // The findings, and the caller's resource that must be NON_COMPLIANT for them.
    let (wanted, noncompliant) = match hop {
        Across::Nothing => (vec![], None),
        Across::HubReturnRoute => {
            delete_route(&theirs.ec2, &w.hub_rtb, B_CIDR).await;
            let code = "NO_ROUTE_TO_DESTINATION";
            let f = want(code, &w.hub_rtb, "return-egress", &w.b.eni).in_account(&network);
            // The blame is wholly the network account's: the caller's spoke VPC carries it.
            (vec![f], Some(w.b.vpc.clone()))
        }
        Across::SpokeAclOut => {
            let acl = acl_denying(&own.ec2, &w.b.vpc, &w.b.subnet, true, HUB_CIDR).await;
            let f = want("SUBNET_ACL_RESTRICTION", &acl, "egress", &w.b.eni);
            (vec![f], Some(acl))
        }
    };
    let role: AssumedRole = format!("arn:aws:iam::{network}:role/vpce-reach-read")
        .parse()
        .unwrap();
    // The network account's client (its documents go under its id): `theirs`, with the
    // tests' limits; assuming the role itself is collect_links.rs's test.
    let through_role = theirs.ec2.clone();
    let params = RuleParameters::default();
    let checked = collect_and_check(
        &own.ec2,
        &[(role, through_role)],
        &Scope::region(),
        &params,
        &|_| {},
    )
    .await
    .expect("collect and check");
    let mut report = checked.report;
    let me: AccountId = caller.parse().unwrap();
    name_accounts(&checked.snapshot, &mut report, &me);
    assert_eq!(
        findings(&report),
        expect(wanted.clone(), &w.endpoint),
        "{:#?}",
        report.findings
    );
    assert!(report.missing.is_empty(), "{:?}", report.missing);
    let b_blocked = !wanted.is_empty();
    let b = if b_blocked {
        Verdict::Blocked
    } else {
        Verdict::Reachable
    };
    assert_eq!(verdict(&report, &w.b.eni, &w.endpoint), Some(b));
    assert_eq!(
        verdict(&report, &w.a.eni, &w.endpoint),
        Some(Verdict::Reachable)
    );
    // Config takes the caller's resources only: never the hub's route table.
    let evals = evaluations_for(&checked.snapshot, &report, Some(&me));
    assert!(!evals.iter().any(|e| e.compliance_resource_id == w.hub_rtb));
    let verdict_of = |id: &str| {
        let e = evals.iter().find(|e| e.compliance_resource_id == id);
        e.unwrap_or_else(|| panic!("{id} is not evaluated"))
    };
    match &noncompliant {
        Some(id) => {
            let e = verdict_of(id);
            assert_eq!(e.compliance_type, ComplianceType::NonCompliant, "{id}");
            if *id == w.b.vpc {
                for part in [w.hub_rtb.as_str(), network.as_str()] {
                    assert!(e.annotation.contains(part), "{part}: {}", e.annotation);
                }
            }
        }
        None => {
            let e = verdict_of(&w.b.vpc);
            assert_eq!(
                e.compliance_type,
                ComplianceType::Compliant,
                "{}",
                e.annotation
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_account_pattern_names_the_account_to_fix() {
    let server = MotoServer::start_patched();
    let sdk = sdk_config(&server.endpoint_url());
    let hops = [Across::Nothing, Across::HubReturnRoute, Across::SpokeAclOut];
    let cases = hops.map(|hop| (format!("{hop:?}"), Box::pin(across_accounts(&sdk, hop))));
    run_cases(cases.into()).await;
}
