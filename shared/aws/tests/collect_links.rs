//! The links between VPCs (transit gateways, peering) collected from moto: a hub VPC, a spoke
//! over a transit gateway and a spoke over peering, collected with the spoke alone in scope
//! (links are regional), document by document in the shapes of docs/snapshot-format.md.
//!
//! Runs moto with the testkit's patches (`MotoServer::start_patched`): moto 5.2.5 drops a static
//! TGW route's target attachment from `SearchTransitGatewayRoutes`, which AWS returns.

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;
use serde_json::Value;
use vpce_reach_aws::{collect, ec2_client, Scope, Snapshot};
use vpce_reach_testkit::{sdk_config, MotoServer};

struct Links {
    hub: String,
    spoke: String,
    peer_spoke: String,
    tgw: String,
    hub_attachment: String,
    spoke_attachment: String,
    spoke_subnet: String,
    table: String,
    peering: String,
}

async fn vpc(client: &Client, cidr: &str) -> String {
    let out = client.create_vpc().cidr_block(cidr).send().await.unwrap();
    out.vpc().unwrap().vpc_id().unwrap().to_owned()
}

async fn subnet(client: &Client, vpc: &str, cidr: &str) -> String {
    let out = client
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

async fn attach(client: &Client, tgw: &str, vpc: &str, subnet: &str) -> String {
    let out = client
        .create_transit_gateway_vpc_attachment()
        .transit_gateway_id(tgw)
        .vpc_id(vpc)
        .subnet_ids(subnet)
        .send()
        .await
        .unwrap();
    let attachment = out.transit_gateway_vpc_attachment().unwrap();
    attachment
        .transit_gateway_attachment_id()
        .unwrap()
        .to_owned()
}

async fn default_table(client: &Client, tgw: &str) -> String {
    let out = client
        .describe_transit_gateway_route_tables()
        .filters(
            Filter::builder()
                .name("transit-gateway-id")
                .values(tgw)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let table = &out.transit_gateway_route_tables()[0];
    table.transit_gateway_route_table_id().unwrap().to_owned()
}

async fn static_route(client: &Client, table: &str, cidr: &str, to: Option<&str>) {
    let request = client
        .create_transit_gateway_route()
        .transit_gateway_route_table_id(table)
        .destination_cidr_block(cidr);
    let request = match to {
        Some(attachment) => request.transit_gateway_attachment_id(attachment),
        None => request.blackhole(true),
    };
    request.send().await.unwrap();
}

async fn peer(client: &Client, requester: &str, accepter: &str) -> String {
    let out = client
        .create_vpc_peering_connection()
        .vpc_id(requester)
        .peer_vpc_id(accepter)
        .send()
        .await
        .unwrap();
    let id = out
        .vpc_peering_connection()
        .unwrap()
        .vpc_peering_connection_id()
        .unwrap()
        .to_owned();
    client
        .accept_vpc_peering_connection()
        .vpc_peering_connection_id(&id)
        .send()
        .await
        .unwrap();
    id
}

async fn build(client: &Client) -> Links {
    let hub = vpc(client, "10.0.0.0/16").await;
    let spoke = vpc(client, "10.1.0.0/16").await;
    let peer_spoke = vpc(client, "10.2.0.0/16").await;
    let hub_subnet = subnet(client, &hub, "10.0.1.0/24").await;
    let spoke_subnet = subnet(client, &spoke, "10.1.1.0/24").await;
    let out = client.create_transit_gateway().send().await.unwrap();
    let tgw = out
        .transit_gateway()
        .unwrap()
        .transit_gateway_id()
        .unwrap()
        .to_owned();
    let hub_attachment = attach(client, &tgw, &hub, &hub_subnet).await;
    let spoke_attachment = attach(client, &tgw, &spoke, &spoke_subnet).await;
    let table = default_table(client, &tgw).await;
    static_route(client, &table, "10.0.0.0/16", Some(&hub_attachment)).await;
    static_route(client, &table, "10.9.0.0/16", None).await;
    client
        .enable_transit_gateway_route_table_propagation()
        .transit_gateway_route_table_id(&table)
        .transit_gateway_attachment_id(&spoke_attachment)
        .send()
        .await
        .unwrap();
    let peering = peer(client, &peer_spoke, &hub).await;
    Links {
        hub,
        spoke,
        peer_spoke,
        tgw,
        hub_attachment,
        spoke_attachment,
        spoke_subnet,
        table,
        peering,
    }
}

fn items<'a>(snapshot: &'a Snapshot, file: &str, key: &str) -> &'a [Value] {
    let doc = snapshot
        .document(file)
        .unwrap_or_else(|| panic!("no {file}"));
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no {key} array"))
}

fn find<'a>(list: &'a [Value], key: &str, id: &str) -> &'a Value {
    list.iter()
        .find(|v| v[key] == id)
        .unwrap_or_else(|| panic!("no {key} {id} in {list:?}"))
}

fn check_gateways_and_attachments(s: &Snapshot, l: &Links) {
    let tgws = items(s, "transit-gateways.json", "TransitGateways");
    assert_eq!(find(tgws, "TransitGatewayId", &l.tgw)["State"], "available");
    let attachments = items(
        s,
        "transit-gateway-attachments.json",
        "TransitGatewayAttachments",
    );
    let spoke = find(
        attachments,
        "TransitGatewayAttachmentId",
        &l.spoke_attachment,
    );
    assert_eq!(spoke["ResourceType"], "vpc");
    assert_eq!(spoke["ResourceId"], l.spoke.as_str());
    assert_eq!(
        spoke["Association"]["TransitGatewayRouteTableId"],
        l.table.as_str()
    );
    let vpc_attachments = items(
        s,
        "transit-gateway-vpc-attachments.json",
        "TransitGatewayVpcAttachments",
    );
    let spoke = find(
        vpc_attachments,
        "TransitGatewayAttachmentId",
        &l.spoke_attachment,
    );
    assert_eq!(spoke["VpcId"], l.spoke.as_str());
    assert_eq!(spoke["SubnetIds"], serde_json::json!([l.spoke_subnet]));
    let tables = items(
        s,
        "transit-gateway-route-tables.json",
        "TransitGatewayRouteTables",
    );
    assert_eq!(
        find(tables, "TransitGatewayRouteTableId", &l.table)["TransitGatewayId"],
        l.tgw.as_str()
    );
}

fn check_routes_and_propagations(s: &Snapshot, l: &Links) {
    let wrapped = items(
        s,
        "transit-gateway-routes.json",
        "TransitGatewayStaticRoutes",
    );
    let routes = find(wrapped, "TransitGatewayRouteTableId", &l.table)["Routes"]
        .as_array()
        .unwrap();
    let to_hub = find(routes, "DestinationCidrBlock", "10.0.0.0/16");
    assert_eq!(to_hub["State"], "active");
    assert_eq!(to_hub["Type"], "static");
    assert_eq!(
        to_hub["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"],
        l.hub_attachment.as_str()
    );
    let hole = find(routes, "DestinationCidrBlock", "10.9.0.0/16");
    assert_eq!(hole["State"], "blackhole");
    let wrapped = items(
        s,
        "transit-gateway-propagations.json",
        "TransitGatewayPropagations",
    );
    let propagations = find(wrapped, "TransitGatewayRouteTableId", &l.table)
        ["TransitGatewayRouteTablePropagations"]
        .as_array()
        .unwrap();
    let spoke = find(
        propagations,
        "TransitGatewayAttachmentId",
        &l.spoke_attachment,
    );
    assert_eq!(spoke["State"], "enabled");
    assert_eq!(spoke["ResourceId"], l.spoke.as_str());
}

fn check_peering(s: &Snapshot, l: &Links) {
    let connections = items(s, "vpc-peering-connections.json", "VpcPeeringConnections");
    let c = find(connections, "VpcPeeringConnectionId", &l.peering);
    assert_eq!(c["Status"]["Code"], "active");
    assert_eq!(c["RequesterVpcInfo"]["VpcId"], l.peer_spoke.as_str());
    assert_eq!(c["AccepterVpcInfo"]["VpcId"], l.hub.as_str());
    assert_eq!(c["AccepterVpcInfo"]["CidrBlock"], "10.0.0.0/16");
}

#[tokio::test]
async fn links_are_collected_for_the_region_whatever_the_scope() {
    let server = MotoServer::start_patched();
    let client = ec2_client(&sdk_config(&server.endpoint_url())).await;
    let links = build(&client).await;
    let snapshot = collect(&client, &Scope::vpcs([links.spoke.clone()]), &|_| {})
        .await
        .expect("collect");
    check_gateways_and_attachments(&snapshot, &links);
    check_routes_and_propagations(&snapshot, &links);
    check_peering(&snapshot, &links);
    // The spoke brought its hub (same TGW), not the hub's peer: both ends of its paths.
    assert_eq!(snapshot.scope.linked, std::slice::from_ref(&links.hub));
    let vpcs = items(&snapshot, "vpcs.json", "Vpcs");
    let mut ids: Vec<&str> = vpcs.iter().map(|v| v["VpcId"].as_str().unwrap()).collect();
    ids.sort();
    let mut want = [links.hub.as_str(), links.spoke.as_str()];
    want.sort();
    assert_eq!(ids, want);
    let hub_peers = collect(&client, &Scope::vpcs([links.hub.clone()]), &|_| {})
        .await
        .expect("collect");
    let mut linked = hub_peers.scope.linked.clone();
    linked.sort();
    let mut want = vec![links.spoke.clone(), links.peer_spoke.clone()];
    want.sort();
    assert_eq!(linked, want, "a hub brings its spokes and peers");
}

#[tokio::test]
async fn another_account_is_read_through_its_role_under_its_id() {
    let server = MotoServer::start_patched();
    let config = sdk_config(&server.endpoint_url());
    let own = ec2_client(&config).await;
    let spoke = vpc(&own, "10.1.0.0/16").await;
    let role: vpce_reach_aws::AssumedRole = "arn:aws:iam::111122223333:role/vpce-reach-read"
        .parse()
        .unwrap();
    // moto acts in the role's account for the assumed credentials (STS AssumeRole).
    let network = role.client(&config).await;
    let hub = vpc(&network, "10.0.0.0/16").await;
    let lines = std::sync::Mutex::new(Vec::new());
    let progress = |m: &str| lines.lock().unwrap().push(m.to_owned());
    let snapshot = vpce_reach_aws::collect_accounts(
        &own,
        &[(role, network)],
        &Scope::vpcs([spoke.clone()]),
        &progress,
    )
    .await
    .expect("collect");

    let own_vpcs = items(&snapshot, "vpcs.json", "Vpcs");
    assert_eq!(own_vpcs.len(), 1, "the caller's account in its scope");
    assert_eq!(own_vpcs[0]["VpcId"], spoke.as_str());
    let theirs = items(&snapshot, "111122223333/vpcs.json", "Vpcs");
    let hub_vpc = find(theirs, "VpcId", &hub);
    assert_eq!(hub_vpc["OwnerId"], "111122223333");
    assert!(
        !theirs.iter().any(|v| v["VpcId"] == spoke.as_str()),
        "each account's documents hold its own VPCs"
    );
    assert!(snapshot
        .document("111122223333/transit-gateways.json")
        .is_some());
    assert!(lines
        .into_inner()
        .unwrap()
        .iter()
        .any(|l| l.starts_with("account 111122223333: ")));
    // The model reads both accounts as one snapshot.
    let model = vpce_reach_model::from_documents(snapshot.documents).expect("load");
    assert!(model.vpcs.contains_key(&spoke) && model.vpcs.contains_key(&hub));
}

#[tokio::test]
async fn a_role_that_cannot_be_assumed_fails_naming_the_account() {
    let server = MotoServer::start_patched();
    let config = sdk_config(&server.endpoint_url());
    let own = ec2_client(&config).await;
    let role: vpce_reach_aws::AssumedRole = "arn:aws:iam::111122223333:role/x".parse().unwrap();
    // A client of the role's account whose EC2 endpoint does not answer.
    let dead = sdk_config("http://127.0.0.1:9");
    let network = role.client(&dead).await;
    let err = vpce_reach_aws::collect_accounts(&own, &[(role, network)], &Scope::region(), &|_| {})
        .await
        .expect_err("the role's account cannot be read");
    assert!(err.scope.ends_with("of account 111122223333"), "{err}");
    assert_eq!(
        err.role.as_deref(),
        Some("arn:aws:iam::111122223333:role/x")
    );
}
