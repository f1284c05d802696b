//! `describe-security-groups` → `{"SecurityGroups": [...]}`.

use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, UserIdGroupPair,
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
        let groups = page.security_groups.unwrap_or_default();
        count += groups.len();
        if pages.loads() {
            pages.load(FILE, to_model(groups).map(Items::SecurityGroups));
        } else {
            let items = groups.iter().map(security_group).collect();
            pages.page(FILE, KEY, items, &mut kept);
        }
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

/// One page's security groups in the model's describe types, moved out of the SDK's (strings
/// moved, not copied): every field the model reads, as the JSON route would load them from
/// [`security_group`]'s output (`tests/fake_ec2_synth.rs` compares the two). The rules' ports
/// are checked by the loader (`SnapshotBuilder::add_items`), as for JSON.
pub(crate) fn to_model(groups: Vec<SecurityGroup>) -> Result<Vec<model::SecurityGroup>, String> {
    groups.into_iter().map(model_group).collect()
}

fn model_group(g: SecurityGroup) -> Result<model::SecurityGroup, String> {
    let id = required(g.group_id, "security group", "GroupId")?;
    let rules = |rules: Option<Vec<IpPermission>>, field: &str| {
        (rules.unwrap_or_default().into_iter())
            .map(|p| model_rule(p, &id, field))
            .collect::<Result<Vec<_>, String>>()
    };
    Ok(model::SecurityGroup {
        group_name: g.group_name.unwrap_or_default(),
        vpc_id: g.vpc_id,
        ip_permissions: rules(g.ip_permissions, "IpPermissions")?,
        ip_permissions_egress: rules(g.ip_permissions_egress, "IpPermissionsEgress")?,
        tags: model_tags(g.tags, &id)?,
        group_id: id,
    })
}

/// One rule; `field` (`IpPermissions`) names it in errors.
fn model_rule(p: IpPermission, id: &str, field: &str) -> Result<model::IpPermission, String> {
    let cidr = |cidr: Option<&str>, name: &str| rule_cidr(cidr, id, field, name);
    let cidr6 = |cidr: Option<&str>, name: &str| rule_cidr(cidr, id, field, name);
    Ok(model::IpPermission {
        ip_protocol: required(p.ip_protocol, id, &format!("{field}: IpProtocol"))?,
        from_port: p.from_port,
        to_port: p.to_port,
        ip_ranges: (p.ip_ranges.unwrap_or_default().iter())
            .map(|r| {
                Ok(model::IpRange {
                    cidr_ip: cidr(r.cidr_ip.as_deref(), "CidrIp")?,
                })
            })
            .collect::<Result<_, String>>()?,
        ipv6_ranges: (p.ipv6_ranges.unwrap_or_default().iter())
            .map(|r| {
                let cidr_ipv6 = cidr6(r.cidr_ipv6.as_deref(), "CidrIpv6")?;
                Ok(model::Ipv6Range { cidr_ipv6 })
            })
            .collect::<Result<_, String>>()?,
        prefix_list_ids: (p.prefix_list_ids.unwrap_or_default().into_iter())
            .map(|l| {
                let prefix_list_id = l.prefix_list_id;
                let name = format!("{field}: PrefixListId");
                Ok(model::PrefixListIdRef {
                    prefix_list_id: required(prefix_list_id, id, &name)?,
                })
            })
            .collect::<Result<_, String>>()?,
        user_id_group_pairs: (p.user_id_group_pairs.unwrap_or_default().into_iter())
            .map(|g| model::UserIdGroupPair {
                group_id: g.group_id,
            })
            .collect(),
    })
}

/// A rule's CIDR peer (`CidrIp`, `CidrIpv6`), required and parsed.
fn rule_cidr<T: std::str::FromStr>(
    cidr: Option<&str>,
    id: &str,
    field: &str,
    name: &str,
) -> Result<T, String> {
    let cidr = cidr.ok_or_else(|| format!("{id}: {field}: {name} missing"))?;
    parsed(cidr, id, &format!("{field}: {name}"))
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
