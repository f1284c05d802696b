//! The cost of a live collection in API calls, per operation, measured against moto with an
//! SDK interceptor that counts executions. moto never paginates, so these are the minimal
//! page counts; BENCHMARKS.md turns them into a per-resource-type cost.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_ec2::types::AddPrefixListEntry;
use aws_sdk_ec2::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use vpce_reach_aws::{collect, collect_accounts_with, collect_with_dns, Clients, Dns, Scope};
use vpce_reach_testkit::{sdk_config, MotoServer};

/// Counts operations (before serialization: once per call, not per retry attempt).
#[derive(Debug, Clone, Default)]
struct CallCounter(Arc<Mutex<BTreeMap<String, usize>>>);

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map_or("unknown", |m| m.name())
            .to_string();
        *self.0.lock().unwrap().entry(name).or_default() += 1;
        Ok(())
    }
}

async fn build(client: &Client, vpcs: usize) {
    for i in 0..vpcs {
        let vpc = client
            .create_vpc()
            .cidr_block(format!("10.{i}.0.0/16"))
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap();
        client
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(format!("10.{i}.1.0/24"))
            .send()
            .await
            .unwrap();
        client
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name(format!("app-{i}"))
            .description("app")
            .send()
            .await
            .unwrap();
    }
    for i in 0..2 {
        client
            .create_managed_prefix_list()
            .prefix_list_name(format!("corp-{i}"))
            .address_family("IPv4")
            .max_entries(5)
            .entries(
                AddPrefixListEntry::builder()
                    .cidr(format!("192.168.{i}.0/24"))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_region_costs_one_call_per_describe_plus_two_per_vpc_and_one_per_customer_list() {
    let server = MotoServer::start();
    let config = sdk_config(&server.endpoint_url());
    let counter = CallCounter::default();
    let counted = Client::from_conf(
        aws_sdk_ec2::config::Builder::from(&config)
            .interceptor(counter.clone())
            .build(),
    );
    build(&Client::new(&config), 3).await;

    let snapshot = collect(&counted, &Scope::region(), &|_| {}).await.unwrap();
    let vpcs = snapshot.document("vpcs.json").unwrap()["Vpcs"]
        .as_array()
        .unwrap()
        .len();
    let counts = counter.0.lock().unwrap().clone();
    println!("API calls for {vpcs} VPCs: {counts:#?}");

    for op in [
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeNetworkAcls",
        "DescribeSecurityGroups",
        "DescribeNetworkInterfaces",
        "DescribeVpcEndpoints",
        "DescribePrefixLists",
        "DescribeManagedPrefixLists",
        "DescribeTransitGateways",
        "DescribeTransitGatewayAttachments",
        "DescribeTransitGatewayVpcAttachments",
        "DescribeTransitGatewayRouteTables",
        "DescribeVpcPeeringConnections",
    ] {
        assert_eq!(counts.get(op), Some(&1), "{op}: {counts:?}");
    }
    assert_eq!(
        counts.get("DescribeVpcAttribute"),
        Some(&(2 * vpcs)),
        "{counts:?}"
    );
    // One entries call per non-AWS list (the two created here), plus one per AWS service list
    // that DescribePrefixLists answered without `Cidrs` (AWS always sends them; moto never does).
    let service_lists = snapshot.document("prefix-lists.json").unwrap()["PrefixLists"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["PrefixListName"]
                .as_str()
                .unwrap()
                .starts_with("com.amazonaws.")
        })
        .count();
    assert!(service_lists > 0, "moto has AWS service lists");
    assert_eq!(
        counts.get("GetManagedPrefixListEntries"),
        Some(&(2 + service_lists)),
        "{counts:?}"
    );
    // No TGW route table here: no SearchTransitGatewayRoutes or propagations call (one each
    // per table otherwise).
    assert_eq!(counts.len(), 16, "no other call: {counts:?}");
}

/// Every client of `clients` with `counter` added.
fn counted(clients: &Clients, counter: &CallCounter) -> Clients {
    Clients {
        ec2: Client::from_conf(
            clients
                .ec2
                .config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        ),
        route53: aws_sdk_route53::Client::from_conf(
            clients
                .route53
                .config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        ),
        resolver: aws_sdk_route53resolver::Client::from_conf(
            clients
                .resolver
                .config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        ),
        profiles: aws_sdk_route53profiles::Client::from_conf(
            clients
                .profiles
                .config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        ),
        elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
            clients
                .elb
                .config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        ),
    }
}

/// A private zone named `name` associated with `vpc`, or a public one.
async fn zone(route53: &aws_sdk_route53::Client, name: &str, vpc: Option<&str>) {
    use aws_sdk_route53::types::{HostedZoneConfig, Vpc, VpcRegion};
    let mut request = route53
        .create_hosted_zone()
        .name(name)
        .caller_reference(name);
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
    request.send().await.unwrap();
}

#[tokio::test]
async fn dns_costs_two_calls_per_private_zone_and_one_per_list() {
    let server = MotoServer::start_patched();
    let plain = Clients::new(&sdk_config(&server.endpoint_url()));
    build(&plain.ec2, 2).await;
    let vpcs = plain.ec2.describe_vpcs().send().await.unwrap();
    let ids: Vec<&str> = vpcs.vpcs().iter().filter_map(|v| v.vpc_id()).collect();
    for (i, vpc) in ids.iter().take(3).enumerate() {
        zone(
            &plain.route53,
            &format!("zone{i}.example.internal"),
            Some(vpc),
        )
        .await;
    }
    zone(&plain.route53, "public.example.org", None).await;
    let counter = CallCounter::default();

    collect_with_dns(&counted(&plain, &counter), &Scope::region(), &|_| {})
        .await
        .unwrap();
    let counts = counter.0.lock().unwrap().clone();
    println!("API calls with DNS: {counts:#?}");
    let private = ids.len().min(3);
    for (op, n) in [
        ("ListHostedZones", 1),
        ("GetHostedZone", private),
        ("ListResourceRecordSets", private),
        ("ListResolverRules", 1),
        ("ListResolverRuleAssociations", 1),
        ("ListProfileAssociations", 1),
        // No VPC here uses a DHCP set (moto: `default`) nor has an interface endpoint: no call.
    ] {
        assert_eq!(counts.get(op), Some(&n), "{op}: {counts:?}");
    }
    for op in [
        "ListProfileResourceAssociations",
        "DescribeDhcpOptions",
        "DescribeVpcEndpointServices",
    ] {
        assert_eq!(counts.get(op), None, "{op}: {counts:?}");
    }
}

/// An NLB in `subnet` with one TCP listener per port, each forwarding to a target group of
/// its own, behind an endpoint service configuration of its own.
async fn hosted_service(c: &Clients, vpc: &str, subnet: &str, name: &str, ports: &[i32]) {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    };
    let lb = c
        .elb
        .create_load_balancer()
        .name(name)
        .r#type(LoadBalancerTypeEnum::Network)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .subnets(subnet)
        .send()
        .await
        .unwrap();
    let lb = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    for port in ports {
        let tg = c
            .elb
            .create_target_group()
            .name(format!("{name}-{port}"))
            .protocol(ProtocolEnum::Tcp)
            .port(*port)
            .vpc_id(vpc)
            .send()
            .await
            .unwrap();
        let tg = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
        c.elb
            .create_listener()
            .load_balancer_arn(&lb)
            .protocol(ProtocolEnum::Tcp)
            .port(*port)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(tg)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    c.ec2
        .create_vpc_endpoint_service_configuration()
        .network_load_balancer_arns(lb)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_provider_side_costs_one_call_then_three_per_nlb_and_two_per_target_group() {
    let server = MotoServer::start_patched();
    let plain = Clients::new(&sdk_config(&server.endpoint_url()));
    build(&plain.ec2, 1).await;
    let count = |counter: &CallCounter| {
        let counts = counter.0.lock().unwrap().clone();
        let provider: BTreeMap<String, usize> = counts
            .into_iter()
            .filter(|(op, _)| {
                op == "DescribeVpcEndpointServiceConfigurations"
                    || [
                        "DescribeLoadBalancers",
                        "DescribeListeners",
                        "DescribeTargetGroups",
                        "DescribeTargetHealth",
                        "DescribeLoadBalancerAttributes",
                        "DescribeTargetGroupAttributes",
                    ]
                    .contains(&op.as_str())
            })
            .collect();
        provider
    };
    let collect_counted = |counter: CallCounter| {
        let clients = counted(&plain, &counter);
        async move {
            collect_accounts_with(&clients, &[], &Scope::region(), Dns::Off, &|_| {})
                .await
                .unwrap();
        }
    };

    // No service hosted: one call, no Elastic Load Balancing call.
    let none = CallCounter::default();
    collect_counted(none.clone()).await;
    assert_eq!(
        count(&none),
        BTreeMap::from([("DescribeVpcEndpointServiceConfigurations".to_owned(), 1)])
    );

    // Two services: one NLB with two listeners (two target groups), one with one.
    let vpcs = plain.ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_owned();
    let subnets = plain
        .ec2
        .describe_subnets()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(&vpc)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let subnet = subnets.subnets()[0].subnet_id().unwrap().to_owned();
    hosted_service(&plain, &vpc, &subnet, "one", &[443, 8443]).await;
    hosted_service(&plain, &vpc, &subnet, "two", &[5432]).await;
    let two = CallCounter::default();
    collect_counted(two.clone()).await;
    let counts = count(&two);
    println!("provider-side API calls, 2 NLBs and 3 target groups: {counts:#?}");
    let expected: BTreeMap<String, usize> = [
        ("DescribeVpcEndpointServiceConfigurations", 1),
        // Up to 20 ARNs per call.
        ("DescribeLoadBalancers", 1),
        ("DescribeListeners", 2),
        ("DescribeTargetGroups", 2),
        ("DescribeLoadBalancerAttributes", 2),
        ("DescribeTargetHealth", 3),
        ("DescribeTargetGroupAttributes", 3),
    ]
    .into_iter()
    .map(|(op, n)| (op.to_owned(), n))
    .collect();
    assert_eq!(counts, expected);
}
