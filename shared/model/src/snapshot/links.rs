//! Serde mirrors of the describe outputs that link VPCs: transit gateways (TGWs), their
//! attachments, route tables, routes and propagations, and VPC peering connections (issue 14).
//!
//! The shapes are the AWS CLI's, with AWS's field names. Two calls do not name the route table
//! they answer for (`search-transit-gateway-routes`, `get-transit-gateway-route-table-propagations`),
//! so a snapshot carries their answers in the wrappers Batfish reads
//! (`TransitGatewayStaticRoutes`, `TransitGatewayPropagations`): one element per TGW route
//! table, with its `TransitGatewayRouteTableId` (docs/snapshot-format.md).

use ipnet::{Ipv4Net, Ipv6Net};
use serde::Deserialize;

/// An element of `describe-transit-gateways` → `TransitGateways`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGateway {
    /// `tgw-…`
    pub transit_gateway_id: String,
    /// The account that owns the TGW (it may be shared with others through RAM).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// `available`, `pending`, `deleting`, …
    #[serde(default)]
    pub state: Option<String>,
    /// The TGW's options.
    #[serde(default)]
    pub options: Option<TransitGatewayOptions>,
}

/// `Options` of a transit gateway (only what a verdict needs).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayOptions {
    /// `enable` or `disable` (AWS's default: `disable`).
    #[serde(default)]
    pub security_group_referencing_support: Option<String>,
    /// The route table new attachments are associated with, when default association is on.
    #[serde(default)]
    pub association_default_route_table_id: Option<String>,
}

/// An element of `describe-transit-gateway-attachments` → `TransitGatewayAttachments`: every
/// kind of attachment, with its route table association.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayAttachment {
    /// `tgw-attach-…`
    pub transit_gateway_attachment_id: String,
    /// The TGW.
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    /// The account that owns the TGW.
    #[serde(default)]
    pub transit_gateway_owner_id: Option<String>,
    /// The account that owns the attached resource (the VPC's account).
    #[serde(default)]
    pub resource_owner_id: Option<String>,
    /// `vpc`, `vpn`, `peering`, `direct-connect-gateway`, …
    #[serde(default)]
    pub resource_type: Option<String>,
    /// The attached resource (`vpc-…` for VPC attachments).
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `available`, `pendingAcceptance`, `deleted`, …
    #[serde(default)]
    pub state: Option<String>,
    /// The TGW route table the attachment is associated with; absent when it has none.
    #[serde(default)]
    pub association: Option<TransitGatewayAttachmentAssociation>,
}

/// `Association` of a TGW attachment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayAttachmentAssociation {
    /// `tgw-rtb-…`
    pub transit_gateway_route_table_id: String,
    /// `associating`, `associated`, `disassociating`, `disassociated`.
    #[serde(default)]
    pub state: Option<String>,
}

/// An element of `describe-transit-gateway-vpc-attachments` → `TransitGatewayVpcAttachments`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayVpcAttachment {
    /// `tgw-attach-…`
    pub transit_gateway_attachment_id: String,
    /// The TGW.
    pub transit_gateway_id: String,
    /// The attached VPC.
    pub vpc_id: String,
    /// The VPC's account.
    #[serde(default)]
    pub vpc_owner_id: Option<String>,
    /// `available`, `pending`, `deleting`, `deleted`, `failed`, …
    #[serde(default)]
    pub state: Option<String>,
    /// The subnets the TGW uses, at most one per Availability Zone.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// The attachment's options.
    #[serde(default)]
    pub options: Option<TransitGatewayVpcAttachmentOptions>,
}

/// `Options` of a TGW VPC attachment (only what a verdict needs).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayVpcAttachmentOptions {
    /// `enable` or `disable`.
    #[serde(default)]
    pub security_group_referencing_support: Option<String>,
    /// `enable` or `disable`.
    #[serde(default)]
    pub appliance_mode_support: Option<String>,
    /// `enable` or `disable` (AWS's default: `disable`): whether the attachment's network
    /// interfaces get IPv6 addresses and its VPC's IPv6 CIDRs propagate (docs/spec.md V12).
    #[serde(default)]
    pub ipv6_support: Option<String>,
}

/// An element of `describe-transit-gateway-route-tables` → `TransitGatewayRouteTables`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRouteTable {
    /// `tgw-rtb-…`
    pub transit_gateway_route_table_id: String,
    /// The TGW.
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    /// `available`, `deleting`, …
    #[serde(default)]
    pub state: Option<String>,
}

/// An element of the `TransitGatewayStaticRoutes` wrapper: the `Routes` of one
/// `search-transit-gateway-routes` call, with the route table it was asked about. Despite
/// Batfish's name for the key, routes of every type are read (static and propagated).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRoutes {
    /// The route table searched.
    pub transit_gateway_route_table_id: String,
    /// Its routes.
    #[serde(default)]
    pub routes: Vec<TransitGatewayRoute>,
}

/// One route of a TGW route table (`search-transit-gateway-routes` → `Routes`). AWS writes IPv4
/// and IPv6 destinations in the one `DestinationCidrBlock` field; they are read apart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", from = "RawTransitGatewayRoute")]
pub struct TransitGatewayRoute {
    /// IPv4 destination (absent for an IPv6 one: it never matches IPv4 traffic).
    pub destination_cidr_block: Option<Ipv4Net>,
    /// IPv6 destination (`DestinationCidrBlock` holding an IPv6 CIDR: docs/spec.md V12).
    pub destination_ipv6_cidr_block: Option<Ipv6Net>,
    /// A prefix-list destination (a prefix-list reference of the route table).
    pub prefix_list_id: Option<String>,
    /// `active`, `blackhole`, `pending`, `deleting`, `deleted`.
    pub state: Option<String>,
    /// `static` or `propagated`.
    pub route_type: Option<String>,
    /// The target attachments (empty for a blackhole route).
    pub transit_gateway_attachments: Vec<TransitGatewayRouteAttachment>,
}

/// [`TransitGatewayRoute`] as AWS writes it: one destination field for both families.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTransitGatewayRoute {
    #[serde(default, deserialize_with = "cidr_of_either")]
    destination_cidr_block: Option<ipnet::IpNet>,
    #[serde(default)]
    prefix_list_id: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default, rename = "Type")]
    route_type: Option<String>,
    #[serde(default)]
    transit_gateway_attachments: Vec<TransitGatewayRouteAttachment>,
}

impl From<RawTransitGatewayRoute> for TransitGatewayRoute {
    fn from(raw: RawTransitGatewayRoute) -> Self {
        let (v4, v6) = match raw.destination_cidr_block {
            Some(ipnet::IpNet::V4(net)) => (Some(net), None),
            Some(ipnet::IpNet::V6(net)) => (None, Some(net)),
            None => (None, None),
        };
        TransitGatewayRoute {
            destination_cidr_block: v4,
            destination_ipv6_cidr_block: v6,
            prefix_list_id: raw.prefix_list_id,
            state: raw.state,
            route_type: raw.route_type,
            transit_gateway_attachments: raw.transit_gateway_attachments,
        }
    }
}

/// A target of a TGW route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayRouteAttachment {
    /// `tgw-attach-…` (moto before the project's patch leaves it out).
    #[serde(default)]
    pub transit_gateway_attachment_id: Option<String>,
    /// The attached resource.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `vpc`, `vpn`, …
    #[serde(default)]
    pub resource_type: Option<String>,
}

/// An element of the `TransitGatewayPropagations` wrapper: the
/// `TransitGatewayRouteTablePropagations` of one `get-transit-gateway-route-table-propagations`
/// call, with the route table it was asked about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayPropagations {
    /// The route table.
    pub transit_gateway_route_table_id: String,
    /// Its propagations.
    #[serde(default)]
    pub transit_gateway_route_table_propagations: Vec<TransitGatewayPropagation>,
}

/// One propagation of a TGW route table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewayPropagation {
    /// The propagating attachment.
    pub transit_gateway_attachment_id: String,
    /// The attached resource (`vpc-…`).
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `vpc`, `vpn`, …
    #[serde(default)]
    pub resource_type: Option<String>,
    /// `enabled`, `enabling`, `disabling`, `disabled`.
    #[serde(default)]
    pub state: Option<String>,
}

/// An element of `describe-vpc-peering-connections` → `VpcPeeringConnections`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcPeeringConnection {
    /// `pcx-…`
    pub vpc_peering_connection_id: String,
    /// The status (`active`, `pending-acceptance`, `rejected`, `deleted`, …).
    #[serde(default)]
    pub status: Option<PeeringStatus>,
    /// The accepter side.
    #[serde(default)]
    pub accepter_vpc_info: Option<PeeringVpcInfo>,
    /// The requester side.
    #[serde(default)]
    pub requester_vpc_info: Option<PeeringVpcInfo>,
}

/// `Status` of a peering connection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringStatus {
    /// `active`, `pending-acceptance`, …
    pub code: String,
}

/// `AccepterVpcInfo` / `RequesterVpcInfo` of a peering connection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringVpcInfo {
    /// The VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Its account.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Its region.
    #[serde(default)]
    pub region: Option<String>,
}

/// A CIDR of either family; a malformed one is an error.
fn cidr_of_either<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<ipnet::IpNet>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}
