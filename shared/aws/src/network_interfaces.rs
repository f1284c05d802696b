//! `describe-network-interfaces` → `{"NetworkInterfaces": [...]}`.

use aws_sdk_ec2::types::{
    GroupIdentifier, NetworkInterface, NetworkInterfaceAssociation, NetworkInterfaceAttachment,
    NetworkInterfaceIpv6Address, NetworkInterfacePrivateIpAddress,
};
use aws_sdk_ec2::Client;
use serde_json::Value;

use vpce_reach_model::snapshot as model;
use vpce_reach_model::snapshot::Items;

use crate::json::{document, model_tags, parsed, required, Obj};
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
        let enis = page.network_interfaces.unwrap_or_default();
        count += enis.len();
        if pages.loads() {
            pages.load(FILE, to_model(enis).map(Items::NetworkInterfaces));
        } else {
            let items = enis.iter().map(network_interface).collect();
            pages.page(FILE, KEY, items, &mut kept);
        }
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

/// One page's network interfaces in the model's describe types, moved out of the SDK's
/// (strings moved, not copied): every field the model reads, as the JSON route would load
/// them from [`network_interface`]'s output (`tests/fake_ec2_synth.rs` compares the two).
pub(crate) fn to_model(
    enis: Vec<NetworkInterface>,
) -> Result<Vec<model::NetworkInterface>, String> {
    enis.into_iter().map(model_eni).collect()
}

fn model_eni(n: NetworkInterface) -> Result<model::NetworkInterface, String> {
    let id = required(
        n.network_interface_id,
        "network interface",
        "NetworkInterfaceId",
    )?;
    let private_ip_address = match &n.private_ip_address {
        Some(a) => Some(parsed(a, &id, "PrivateIpAddress")?),
        None => None,
    };
    let private_ip_addresses = (n.private_ip_addresses.unwrap_or_default().iter())
        .map(|p| {
            let a = p.private_ip_address.as_deref();
            let a =
                a.ok_or_else(|| format!("{id}: PrivateIpAddresses: PrivateIpAddress missing"))?;
            Ok(model::PrivateIpAddress {
                private_ip_address: parsed(a, &id, "PrivateIpAddresses")?,
            })
        })
        .collect::<Result<_, String>>()?;
    let ipv6_addresses = (n.ipv6_addresses.unwrap_or_default().iter())
        .map(|a| {
            let a = a.ipv6_address.as_deref();
            let a = a.ok_or_else(|| format!("{id}: Ipv6Addresses: Ipv6Address missing"))?;
            Ok(model::NetworkInterfaceIpv6Address {
                ipv6_address: parsed(a, &id, "Ipv6Addresses")?,
            })
        })
        .collect::<Result<_, String>>()?;
    let groups = (n.groups.unwrap_or_default().into_iter())
        .map(|g| {
            Ok(model::GroupIdentifier {
                group_id: required(g.group_id, &id, "Groups: GroupId")?,
            })
        })
        .collect::<Result<_, String>>()?;
    let attachment = match n.attachment {
        Some(a) => Some(model::EniAttachment {
            instance_id: a.instance_id,
            device_index: (a.device_index.map(u32::try_from).transpose())
                .map_err(|_| format!("{id}: Attachment: DeviceIndex is negative"))?,
        }),
        None => None,
    };
    Ok(model::NetworkInterface {
        interface_type: n.interface_type.map(|t| t.as_str().to_owned()),
        requester_managed: n.requester_managed.unwrap_or(false),
        subnet_id: required(n.subnet_id, &id, "SubnetId")?,
        vpc_id: required(n.vpc_id, &id, "VpcId")?,
        private_ip_address,
        private_ip_addresses,
        groups,
        status: n.status.map(|s| s.as_str().to_owned()),
        description: n.description,
        tag_set: model_tags(n.tag_set, &id)?,
        attachment,
        ipv6_addresses,
        network_interface_id: id,
    })
}
