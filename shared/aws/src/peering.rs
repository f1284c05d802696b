//! `describe-vpc-peering-connections` → `{"VpcPeeringConnections": [...]}`.
//!
//! Peering connections are collected for the whole region whatever the VPC scope: the other
//! side of a VPC in scope may be any VPC, of any account.

use aws_sdk_ec2::types::{CidrBlock, VpcPeeringConnection, VpcPeeringConnectionVpcInfo};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress};

/// The snapshot file this module writes.
pub const FILE: &str = "vpc-peering-connections.json";
const CALL: &str = "DescribeVpcPeeringConnections";

/// Collects the region's peering connections into their document.
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Document, CallError> {
    let connections: Vec<VpcPeeringConnection> = paginate!(
        client.describe_vpc_peering_connections(),
        1000,
        CALL,
        "whole region"
    )?;
    progress(&format!(
        "{CALL}: {} peering connections",
        connections.len()
    ));
    let items = connections.iter().map(connection).collect();
    Ok((FILE.to_owned(), document("VpcPeeringConnections", items)))
}

/// One peering connection as the CLI prints it.
pub fn connection(c: &VpcPeeringConnection) -> Value {
    let status = c.status().map(|s| {
        Obj::new()
            .str("Code", s.code().map(|c| c.as_str()))
            .str("Message", s.message())
            .build()
    });
    Obj::new()
        .str("VpcPeeringConnectionId", c.vpc_peering_connection_id())
        .opt("Status", status)
        .opt("AccepterVpcInfo", c.accepter_vpc_info().map(side))
        .opt("RequesterVpcInfo", c.requester_vpc_info().map(side))
        .tags("Tags", c.tags())
        .build()
}

fn side(v: &VpcPeeringConnectionVpcInfo) -> Value {
    Obj::new()
        .str("VpcId", v.vpc_id())
        .str("OwnerId", v.owner_id())
        .str("Region", v.region())
        .str("CidrBlock", v.cidr_block())
        .list("CidrBlockSet", v.cidr_block_set(), cidr)
        .build()
}

fn cidr(c: &CidrBlock) -> Value {
    Obj::new().str("CidrBlock", c.cidr_block()).build()
}
