//! The network of the end-to-end world (see `mod.rs`), EC2 only: also built by the CLI's end
//! to end test (tests/e2e_cli.rs at the workspace root, which has no Route 53 crate).

#![allow(dead_code)]

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, RuleAction, VpcEndpointType,
};
use aws_sdk_ec2::Client;

/// The endpoint service of the hub.
pub const SERVICE: &str = "com.amazonaws.us-east-1.ssm";
/// Its private DNS name (`describe-vpc-endpoint-services`), the hosted zone's name.
pub const SSM: &str = "ssm.us-east-1.amazonaws.com";
/// The hosted zone id of regional `vpce.amazonaws.com` names in us-east-1 (the alias target's).
pub const VPCE_ZONE: &str = "Z7HUB4ULQ6L3Z";

pub const HUB_CIDR: &str = "10.0.0.0/16";
pub const A_CIDR: &str = "10.1.0.0/16";
pub const B_CIDR: &str = "10.2.0.0/16";

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

/// Builds the network of the world (no zone): the hub, the TGW and spoke A with `n`, spoke B
/// with `b` (the same client, or another account's: the peering connection is then accepted
/// with `n`, as the accepter's account must).
pub async fn build_network(
    n: &Client,
    network_account: &str,
    b: &Client,
    b_account: &str,
) -> World {
    let (hub, a_vpc, b_vpc) = tokio::join!(vpc(n, HUB_CIDR), vpc(n, A_CIDR), vpc(b, B_CIDR));
    let (hub_subnet, hub_tgw_subnet, a_subnet, a_tgw_subnet, b_subnet) = tokio::join!(
        subnet(n, &hub, "10.0.1.0/24", "us-east-1a"),
        subnet(n, &hub, "10.0.0.0/28", "us-east-1a"),
        subnet(n, &a_vpc, "10.1.1.0/24", "us-east-1a"),
        subnet(n, &a_vpc, "10.1.0.0/28", "us-east-1a"),
        subnet(b, &b_vpc, "10.2.1.0/24", "us-east-1a"),
    );
    let tgw = transit_gateway(n).await;
    let (hub_attachment, a_attachment, tgw_rtb) = tokio::join!(
        attach(n, &tgw, &hub, &hub_tgw_subnet),
        attach(n, &tgw, &a_vpc, &a_tgw_subnet),
        default_tgw_table(n, &tgw),
    );
    let pcx = peering(b, &b_vpc, n, &hub, network_account, true).await;
    let (hub_rtb, a_rtb, b_rtb) = tokio::join!(
        route_table(n, &hub, &hub_subnet),
        route_table(n, &a_vpc, &a_subnet),
        route_table(b, &b_vpc, &b_subnet),
    );
    tokio::join!(
        tgw_route(n, &tgw_rtb, HUB_CIDR, Some(&hub_attachment)),
        tgw_route(n, &tgw_rtb, A_CIDR, Some(&a_attachment)),
        route(n, &hub_rtb, A_CIDR, Via::Tgw(&tgw)),
        route(n, &hub_rtb, B_CIDR, Via::Pcx(&pcx)),
        route(n, &a_rtb, HUB_CIDR, Via::Tgw(&tgw)),
        route(b, &b_rtb, HUB_CIDR, Via::Pcx(&pcx)),
    );
    let (hub_sg, a_sg, b_sg) = tokio::join!(
        group(n, &hub, "endpoint"),
        group(n, &a_vpc, "app-a"),
        group(b, &b_vpc, "app-b"),
    );
    allow_in(n, &hub_sg, https(A_CIDR)).await;
    allow_in(n, &hub_sg, https(B_CIDR)).await;
    let ((endpoint, endpoint_name), a_eni, b_eni) = tokio::join!(
        endpoint(n, &hub, &hub_subnet, &hub_sg),
        workload(n, &a_subnet, "10.1.1.10", &a_sg),
        workload(b, &b_subnet, "10.2.1.10", &b_sg),
    );
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
        zone: None,
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
