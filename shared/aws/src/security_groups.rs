//! `describe-security-groups` → `{"SecurityGroups": [...]}`.

use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, UserIdGroupPair,
};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::pages::each_page;
use crate::snapshot::Pages;
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "security-groups.json";
/// The list key of the document.
const KEY: &str = "SecurityGroups";
const CALL: &str = "DescribeSecurityGroups";
/// Groups per page (EC2 allows 5-1,000).
const SG_PAGE: i32 = 200;

/// Collects the security groups in scope: into their document, or page by page into `pages`'
/// loader (then `None`).
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Option<Document>, CallError> {
    let request = client
        .describe_security_groups()
        .set_filters(scope.vpc_filters());
    let (mut kept, mut count) = (Vec::new(), 0);
    // Pages of 200: a group holds tens of rules, so a page of 1,000 is the largest answer of
    // a collection (~8 MB of XML, and more parsed), and the pages of a call are what a check's
    // collection holds at once besides the snapshot (issue 18).
    let stream = request.into_paginator().page_size(SG_PAGE).send();
    each_page(stream, CALL, &scope.label(), |page| {
        let items: Vec<Value> = page.security_groups().iter().map(security_group).collect();
        count += items.len();
        pages.page(FILE, KEY, items, &mut kept);
    })
    .await?;
    progress(&format!("{CALL}: {count} security groups"));
    Ok(pages.document(FILE, KEY, kept))
}

/// The `{"SecurityGroups": [...]}` document.
pub fn to_document(groups: &[SecurityGroup]) -> Value {
    document(
        "SecurityGroups",
        groups.iter().map(security_group).collect(),
    )
}

/// One security group with its inbound and outbound rules.
pub fn security_group(g: &SecurityGroup) -> Value {
    Obj::new()
        .str("GroupId", g.group_id())
        .str("GroupName", g.group_name())
        .str("Description", g.description())
        .str("VpcId", g.vpc_id())
        .str("OwnerId", g.owner_id())
        .list("IpPermissions", g.ip_permissions(), permission)
        .list("IpPermissionsEgress", g.ip_permissions_egress(), permission)
        .tags("Tags", g.tags())
        .build()
}

/// One rule: protocol, ports and its CIDR, prefix-list and group peers.
pub fn permission(p: &IpPermission) -> Value {
    Obj::new()
        .str("IpProtocol", p.ip_protocol())
        .int("FromPort", p.from_port())
        .int("ToPort", p.to_port())
        .list("IpRanges", p.ip_ranges(), ip_range)
        .list("Ipv6Ranges", p.ipv6_ranges(), ipv6_range)
        .list("PrefixListIds", p.prefix_list_ids(), prefix_list_id)
        .list("UserIdGroupPairs", p.user_id_group_pairs(), group_pair)
        .build()
}

fn ip_range(r: &IpRange) -> Value {
    Obj::new()
        .str("CidrIp", r.cidr_ip())
        .str("Description", r.description())
        .build()
}

fn ipv6_range(r: &Ipv6Range) -> Value {
    Obj::new()
        .str("CidrIpv6", r.cidr_ipv6())
        .str("Description", r.description())
        .build()
}

fn prefix_list_id(p: &PrefixListId) -> Value {
    Obj::new()
        .str("PrefixListId", p.prefix_list_id())
        .str("Description", p.description())
        .build()
}

fn group_pair(g: &UserIdGroupPair) -> Value {
    Obj::new()
        .str("GroupId", g.group_id())
        .str("GroupName", g.group_name())
        .str("UserId", g.user_id())
        .str("VpcId", g.vpc_id())
        .str("VpcPeeringConnectionId", g.vpc_peering_connection_id())
        .str("PeeringStatus", g.peering_status())
        .str("Description", g.description())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn egress_rule_with_every_peer_kind() {
        let p = IpPermission::builder()
            .ip_protocol("-1")
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
            .prefix_list_ids(PrefixListId::builder().prefix_list_id("pl-1").build())
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id("sg-1")
                    .user_id("1")
                    .build(),
            )
            .build();
        let expected = json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "PrefixListIds": [{"PrefixListId": "pl-1"}],
            "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "1"}]});
        assert_eq!(permission(&p), expected);
    }
}
