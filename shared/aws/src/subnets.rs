//! `describe-subnets` → `{"Subnets": [...]}`.

use aws_sdk_ec2::types::{Subnet, SubnetIpv6CidrBlockAssociation};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::pages::each_page;
use crate::snapshot::Pages;
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "subnets.json";
/// The list key of the document.
const KEY: &str = "Subnets";
const CALL: &str = "DescribeSubnets";

/// Collects the subnets in scope: into their document, or page by page into `pages`'
/// loader (then `None`).
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Option<Document>, CallError> {
    let request = client.describe_subnets().set_filters(scope.vpc_filters());
    let (mut kept, mut count) = (Vec::new(), 0);
    let stream = request.into_paginator().page_size(1000).send();
    each_page(stream, CALL, &scope.label(), |page| {
        let items: Vec<Value> = page.subnets().iter().map(subnet).collect();
        count += items.len();
        pages.page(FILE, KEY, items, &mut kept);
    })
    .await?;
    progress(&format!("{CALL}: {count} subnets"));
    Ok(pages.document(FILE, KEY, kept))
}

/// The `{"Subnets": [...]}` document.
pub fn to_document(subnets: &[Subnet]) -> Value {
    document("Subnets", subnets.iter().map(subnet).collect())
}

/// One subnet as the CLI prints it.
pub fn subnet(s: &Subnet) -> Value {
    Obj::new()
        .str("SubnetId", s.subnet_id())
        .str("VpcId", s.vpc_id())
        .str("CidrBlock", s.cidr_block())
        .list(
            "Ipv6CidrBlockAssociationSet",
            s.ipv6_cidr_block_association_set(),
            ipv6_association,
        )
        .bool("Ipv6Native", s.ipv6_native())
        .bool("EnableDns64", s.enable_dns64())
        .str("AvailabilityZone", s.availability_zone())
        .str("AvailabilityZoneId", s.availability_zone_id())
        .str("State", s.state().map(|v| v.as_str()))
        .bool("DefaultForAz", s.default_for_az())
        .bool("MapPublicIpOnLaunch", s.map_public_ip_on_launch())
        .str("OwnerId", s.owner_id())
        .str("SubnetArn", s.subnet_arn())
        .tags("Tags", s.tags())
        .build()
}

fn ipv6_association(a: &SubnetIpv6CidrBlockAssociation) -> Value {
    Obj::new()
        .str("AssociationId", a.association_id())
        .str("Ipv6CidrBlock", a.ipv6_cidr_block())
        .build()
}
