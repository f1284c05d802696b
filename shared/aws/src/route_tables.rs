//! `describe-route-tables` → `{"RouteTables": [...]}`.

use aws_sdk_ec2::types::{PropagatingVgw, Route, RouteTable, RouteTableAssociation};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::pages::each_page;
use crate::snapshot::Pages;
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "route-tables.json";
/// The list key of the document.
const KEY: &str = "RouteTables";
const CALL: &str = "DescribeRouteTables";

/// Collects the route tables in scope: into their document, or page by page into `pages`'
/// loader (then `None`).
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Option<Document>, CallError> {
    let request = client
        .describe_route_tables()
        .set_filters(scope.vpc_filters());
    let (mut kept, mut count) = (Vec::new(), 0);
    let stream = request.into_paginator().page_size(100).send();
    each_page(stream, CALL, &scope.label(), |page| {
        let items: Vec<Value> = page.route_tables().iter().map(route_table).collect();
        count += items.len();
        pages.page(FILE, KEY, items, &mut kept);
    })
    .await?;
    progress(&format!("{CALL}: {count} route tables"));
    Ok(pages.document(FILE, KEY, kept))
}

/// The `{"RouteTables": [...]}` document.
pub fn to_document(tables: &[RouteTable]) -> Value {
    document("RouteTables", tables.iter().map(route_table).collect())
}

/// One route table as the CLI prints it.
pub fn route_table(t: &RouteTable) -> Value {
    Obj::new()
        .str("RouteTableId", t.route_table_id())
        .str("VpcId", t.vpc_id())
        .str("OwnerId", t.owner_id())
        .list("Associations", t.associations(), association)
        .list("Routes", t.routes(), route)
        .list("PropagatingVgws", t.propagating_vgws(), propagating_vgw)
        .tags("Tags", t.tags())
        .build()
}

/// One association (`Main`, `SubnetId` or `GatewayId`).
pub fn association(a: &RouteTableAssociation) -> Value {
    let state = a
        .association_state()
        .and_then(|s| s.state())
        .map(|s| s.as_str());
    Obj::new()
        .bool("Main", a.main())
        .str("RouteTableAssociationId", a.route_table_association_id())
        .str("RouteTableId", a.route_table_id())
        .str("SubnetId", a.subnet_id())
        .str("GatewayId", a.gateway_id())
        .opt(
            "AssociationState",
            state.map(|s| Obj::new().str("State", Some(s)).build()),
        )
        .build()
}

/// One route: its destination, its target, `Origin` and `State`.
pub fn route(r: &Route) -> Value {
    Obj::new()
        .str("DestinationCidrBlock", r.destination_cidr_block())
        .str("DestinationIpv6CidrBlock", r.destination_ipv6_cidr_block())
        .str("DestinationPrefixListId", r.destination_prefix_list_id())
        .str("GatewayId", r.gateway_id())
        .str("NatGatewayId", r.nat_gateway_id())
        .str("TransitGatewayId", r.transit_gateway_id())
        .str("VpcPeeringConnectionId", r.vpc_peering_connection_id())
        .str("NetworkInterfaceId", r.network_interface_id())
        .str("InstanceId", r.instance_id())
        .str(
            "EgressOnlyInternetGatewayId",
            r.egress_only_internet_gateway_id(),
        )
        .str("LocalGatewayId", r.local_gateway_id())
        .str("CarrierGatewayId", r.carrier_gateway_id())
        .str("CoreNetworkArn", r.core_network_arn())
        .str("Origin", r.origin().map(|o| o.as_str()))
        .str("State", r.state().map(|s| s.as_str()))
        .build()
}

fn propagating_vgw(v: &PropagatingVgw) -> Value {
    Obj::new().str("GatewayId", v.gateway_id()).build()
}
