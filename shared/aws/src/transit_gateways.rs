//! Transit gateways → six documents in the shapes of docs/snapshot-format.md ("Transit
//! gateways and peering"): the four `describe-transit-gateway*` outputs as the AWS CLI prints
//! them, and two wrappers (Batfish's keys) for the calls that answer for one TGW route table
//! without naming it: `TransitGatewayStaticRoutes` (`SearchTransitGatewayRoutes`) and
//! `TransitGatewayPropagations` (`GetTransitGatewayRouteTablePropagations`).
//!
//! Transit gateways are regional and their attachments may belong to other accounts: they are
//! collected for the whole region whatever the VPC scope, as prefix lists are.

use aws_sdk_ec2::types::{
    Filter, TransitGateway, TransitGatewayAttachment, TransitGatewayRoute,
    TransitGatewayRouteAttachment, TransitGatewayRouteTable, TransitGatewayRouteTablePropagation,
    TransitGatewayVpcAttachment,
};
use aws_sdk_ec2::Client;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress};

/// The snapshot files this module writes.
pub const FILES: [&str; 6] = [
    "transit-gateways.json",
    "transit-gateway-attachments.json",
    "transit-gateway-vpc-attachments.json",
    "transit-gateway-route-tables.json",
    "transit-gateway-routes.json",
    "transit-gateway-propagations.json",
];
/// Transit gateways are regional: never filtered by VPC.
const SCOPE: &str = "whole region";
/// How many per-route-table calls run at once.
const CONCURRENCY: usize = 4;

/// Collects the region's transit gateways, attachments, route tables, routes and propagations.
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let (tgws, attachments, vpc_attachments, tables) = tokio::try_join!(
        transit_gateways(client),
        attachments(client),
        vpc_attachments(client),
        route_tables(client),
    )?;
    let table_ids: Vec<&str> = tables
        .iter()
        .filter_map(|t| t.transit_gateway_route_table_id())
        .collect();
    let (routes, propagations) = tokio::try_join!(
        per_table(client, &table_ids, routes_of),
        per_table(client, &table_ids, propagations_of),
    )?;
    let routes: Vec<Value> = routes.into_iter().flatten().collect();
    progress(&format!(
        "transit gateways: {} gateways, {} attachments, {} route tables ({} with every route read)",
        tgws.len(),
        attachments.len(),
        tables.len(),
        routes.len()
    ));
    Ok(vec![
        doc(0, "TransitGateways", tgws.iter().map(transit_gateway)),
        doc(
            1,
            "TransitGatewayAttachments",
            attachments.iter().map(attachment),
        ),
        doc(
            2,
            "TransitGatewayVpcAttachments",
            vpc_attachments.iter().map(vpc_attachment),
        ),
        doc(
            3,
            "TransitGatewayRouteTables",
            tables.iter().map(route_table),
        ),
        (
            FILES[4].to_owned(),
            document("TransitGatewayStaticRoutes", routes),
        ),
        (
            FILES[5].to_owned(),
            document("TransitGatewayPropagations", propagations),
        ),
    ])
}

fn doc(file: usize, key: &str, items: impl Iterator<Item = Value>) -> Document {
    (FILES[file].to_owned(), document(key, items.collect()))
}

/// `call` for every route table, a few at a time, in table order.
async fn per_table<'a, T, F, Fut>(
    client: &'a Client,
    tables: &[&'a str],
    call: F,
) -> Result<Vec<T>, CallError>
where
    F: Fn(&'a Client, &'a str) -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    futures_util::stream::iter(tables.iter().copied())
        .map(|t| call(client, t))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

async fn transit_gateways(client: &Client) -> Result<Vec<TransitGateway>, CallError> {
    paginate!(
        client.describe_transit_gateways(),
        1000,
        "DescribeTransitGateways",
        SCOPE
    )
}

async fn attachments(client: &Client) -> Result<Vec<TransitGatewayAttachment>, CallError> {
    paginate!(
        client.describe_transit_gateway_attachments(),
        1000,
        "DescribeTransitGatewayAttachments",
        SCOPE
    )
}

async fn vpc_attachments(client: &Client) -> Result<Vec<TransitGatewayVpcAttachment>, CallError> {
    paginate!(
        client.describe_transit_gateway_vpc_attachments(),
        1000,
        "DescribeTransitGatewayVpcAttachments",
        SCOPE
    )
}

async fn route_tables(client: &Client) -> Result<Vec<TransitGatewayRouteTable>, CallError> {
    paginate!(
        client.describe_transit_gateway_route_tables(),
        1000,
        "DescribeTransitGatewayRouteTables",
        SCOPE
    )
}

/// The wrapper element of one table's active and blackhole routes, or `None` when the table has
/// more routes than one search returns: its routes are then missing data for the model (a
/// partial list could hide the route that wins), never a partial answer.
async fn routes_of(client: &Client, table: &str) -> Result<Option<Value>, CallError> {
    let state = Filter::builder()
        .name("state")
        .values("active")
        .values("blackhole")
        .build();
    let out = client
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(table)
        .filters(state)
        // No `MaxResults`: its default is the maximum, 1,000 routes (there is no next page;
        // `AdditionalRoutesAvailable` says when a table has more).
        .send()
        .await
        .map_err(|e| {
            CallError::from_sdk(crate::Service::Ec2, "SearchTransitGatewayRoutes", table, e)
        })?;
    if out.additional_routes_available() == Some(true) {
        return Ok(None);
    }
    Ok(Some(
        Obj::new()
            .str("TransitGatewayRouteTableId", Some(table))
            .list("Routes", out.routes(), route)
            .build(),
    ))
}

/// The wrapper element of one table's propagations.
async fn propagations_of(client: &Client, table: &str) -> Result<Value, CallError> {
    let propagations: Vec<TransitGatewayRouteTablePropagation> = paginate!(
        client
            .get_transit_gateway_route_table_propagations()
            .transit_gateway_route_table_id(table),
        1000,
        "GetTransitGatewayRouteTablePropagations",
        table
    )?;
    Ok(Obj::new()
        .str("TransitGatewayRouteTableId", Some(table))
        .list(
            "TransitGatewayRouteTablePropagations",
            &propagations,
            propagation,
        )
        .build())
}

/// One transit gateway as the CLI prints it (the fields the model reads, and its tags).
pub fn transit_gateway(t: &TransitGateway) -> Value {
    let options = t.options().map(|o| {
        Obj::new()
            .str(
                "SecurityGroupReferencingSupport",
                o.security_group_referencing_support().map(|s| s.as_str()),
            )
            .str(
                "AssociationDefaultRouteTableId",
                o.association_default_route_table_id(),
            )
            .str(
                "PropagationDefaultRouteTableId",
                o.propagation_default_route_table_id(),
            )
            .build()
    });
    Obj::new()
        .str("TransitGatewayId", t.transit_gateway_id())
        .str("OwnerId", t.owner_id())
        .str("State", t.state().map(|s| s.as_str()))
        .opt("Options", options)
        .tags("Tags", t.tags())
        .build()
}

/// One attachment as the CLI prints it, with its route table association.
pub fn attachment(a: &TransitGatewayAttachment) -> Value {
    let association = a.association().map(|x| {
        Obj::new()
            .str(
                "TransitGatewayRouteTableId",
                x.transit_gateway_route_table_id(),
            )
            .str("State", x.state().map(|s| s.as_str()))
            .build()
    });
    Obj::new()
        .str(
            "TransitGatewayAttachmentId",
            a.transit_gateway_attachment_id(),
        )
        .str("TransitGatewayId", a.transit_gateway_id())
        .str("TransitGatewayOwnerId", a.transit_gateway_owner_id())
        .str("ResourceOwnerId", a.resource_owner_id())
        .str("ResourceType", a.resource_type().map(|s| s.as_str()))
        .str("ResourceId", a.resource_id())
        .str("State", a.state().map(|s| s.as_str()))
        .opt("Association", association)
        .tags("Tags", a.tags())
        .build()
}

/// One VPC attachment as the CLI prints it: its subnets (one per Availability Zone it serves).
pub fn vpc_attachment(a: &TransitGatewayVpcAttachment) -> Value {
    let options = a.options().map(|o| {
        Obj::new()
            .str(
                "SecurityGroupReferencingSupport",
                o.security_group_referencing_support().map(|s| s.as_str()),
            )
            .str(
                "ApplianceModeSupport",
                o.appliance_mode_support().map(|s| s.as_str()),
            )
            .str("DnsSupport", o.dns_support().map(|s| s.as_str()))
            .str("Ipv6Support", o.ipv6_support().map(|s| s.as_str()))
            .build()
    });
    Obj::new()
        .str(
            "TransitGatewayAttachmentId",
            a.transit_gateway_attachment_id(),
        )
        .str("TransitGatewayId", a.transit_gateway_id())
        .str("VpcId", a.vpc_id())
        .str("VpcOwnerId", a.vpc_owner_id())
        .str("State", a.state().map(|s| s.as_str()))
        .strs("SubnetIds", a.subnet_ids())
        .opt("Options", options)
        .tags("Tags", a.tags())
        .build()
}

/// One TGW route table as the CLI prints it.
pub fn route_table(t: &TransitGatewayRouteTable) -> Value {
    Obj::new()
        .str(
            "TransitGatewayRouteTableId",
            t.transit_gateway_route_table_id(),
        )
        .str("TransitGatewayId", t.transit_gateway_id())
        .str("State", t.state().map(|s| s.as_str()))
        .bool(
            "DefaultAssociationRouteTable",
            t.default_association_route_table(),
        )
        .bool(
            "DefaultPropagationRouteTable",
            t.default_propagation_route_table(),
        )
        .tags("Tags", t.tags())
        .build()
}

/// One route of `search-transit-gateway-routes`.
pub fn route(r: &TransitGatewayRoute) -> Value {
    Obj::new()
        .str("DestinationCidrBlock", r.destination_cidr_block())
        .str("PrefixListId", r.prefix_list_id())
        .list(
            "TransitGatewayAttachments",
            r.transit_gateway_attachments(),
            route_attachment,
        )
        .str("Type", r.r#type().map(|s| s.as_str()))
        .str("State", r.state().map(|s| s.as_str()))
        .build()
}

fn route_attachment(a: &TransitGatewayRouteAttachment) -> Value {
    Obj::new()
        .str("ResourceId", a.resource_id())
        .str(
            "TransitGatewayAttachmentId",
            a.transit_gateway_attachment_id(),
        )
        .str("ResourceType", a.resource_type().map(|s| s.as_str()))
        .build()
}

/// One propagation of `get-transit-gateway-route-table-propagations`.
pub fn propagation(p: &TransitGatewayRouteTablePropagation) -> Value {
    Obj::new()
        .str(
            "TransitGatewayAttachmentId",
            p.transit_gateway_attachment_id(),
        )
        .str("ResourceId", p.resource_id())
        .str("ResourceType", p.resource_type().map(|s| s.as_str()))
        .str("State", p.state().map(|s| s.as_str()))
        .build()
}
