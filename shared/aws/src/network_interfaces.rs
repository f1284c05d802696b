//! `describe-network-interfaces` → `{"NetworkInterfaces": [...]}`.

use aws_sdk_ec2::types::{
    GroupIdentifier, NetworkInterface, NetworkInterfaceAssociation, NetworkInterfaceAttachment,
    NetworkInterfaceIpv6Address, NetworkInterfacePrivateIpAddress,
};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::pages::each_page;
use crate::snapshot::Pages;
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "network-interfaces.json";
/// The list key of the document.
const KEY: &str = "NetworkInterfaces";
const CALL: &str = "DescribeNetworkInterfaces";

/// Collects the network interfaces in scope: into their document, or page by page into `pages`'
/// loader (then `None`).
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Option<Document>, CallError> {
    let request = client
        .describe_network_interfaces()
        .set_filters(scope.vpc_filters());
    let (mut kept, mut count) = (Vec::new(), 0);
    let stream = request.into_paginator().page_size(1000).send();
    each_page(stream, CALL, &scope.label(), |page| {
        let items: Vec<Value> = page
            .network_interfaces()
            .iter()
            .map(network_interface)
            .collect();
        count += items.len();
        pages.page(FILE, KEY, items, &mut kept);
    })
    .await?;
    progress(&format!("{CALL}: {count} network interfaces"));
    Ok(pages.document(FILE, KEY, kept))
}

/// The `{"NetworkInterfaces": [...]}` document.
pub fn to_document(enis: &[NetworkInterface]) -> Value {
    document(
        "NetworkInterfaces",
        enis.iter().map(network_interface).collect(),
    )
}

/// One network interface as the CLI prints it.
pub fn network_interface(n: &NetworkInterface) -> Value {
    Obj::new()
        .str("NetworkInterfaceId", n.network_interface_id())
        .str("InterfaceType", n.interface_type().map(|t| t.as_str()))
        .bool("RequesterManaged", n.requester_managed())
        .str("RequesterId", n.requester_id())
        .str("Status", n.status().map(|s| s.as_str()))
        .str("Description", n.description())
        .str("VpcId", n.vpc_id())
        .str("SubnetId", n.subnet_id())
        .str("AvailabilityZone", n.availability_zone())
        .str("OwnerId", n.owner_id())
        .str("PrivateIpAddress", n.private_ip_address())
        .str("PrivateDnsName", n.private_dns_name())
        .list("PrivateIpAddresses", n.private_ip_addresses(), private_ip)
        .list("Ipv6Addresses", n.ipv6_addresses(), ipv6_address)
        .list("Groups", n.groups(), group)
        .opt("Attachment", n.attachment().map(attachment))
        .opt("Association", n.association().map(association))
        .bool("SourceDestCheck", n.source_dest_check())
        .tags("TagSet", n.tag_set())
        .build()
}

/// `{"GroupId": .., "GroupName": ..}`.
pub fn group(g: &GroupIdentifier) -> Value {
    Obj::new()
        .str("GroupId", g.group_id())
        .str("GroupName", g.group_name())
        .build()
}

fn private_ip(p: &NetworkInterfacePrivateIpAddress) -> Value {
    Obj::new()
        .bool("Primary", p.primary())
        .str("PrivateIpAddress", p.private_ip_address())
        .str("PrivateDnsName", p.private_dns_name())
        .opt("Association", p.association().map(association))
        .build()
}

fn ipv6_address(a: &NetworkInterfaceIpv6Address) -> Value {
    Obj::new().str("Ipv6Address", a.ipv6_address()).build()
}

fn attachment(a: &NetworkInterfaceAttachment) -> Value {
    Obj::new()
        .str("AttachmentId", a.attachment_id())
        .str("InstanceId", a.instance_id())
        .str("InstanceOwnerId", a.instance_owner_id())
        .int("DeviceIndex", a.device_index())
        .str("Status", a.status().map(|s| s.as_str()))
        .build()
}

fn association(a: &NetworkInterfaceAssociation) -> Value {
    Obj::new().str("PublicIp", a.public_ip()).build()
}
