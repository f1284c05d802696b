//! `describe-network-acls` → `{"NetworkAcls": [...]}`. Entries are written in the API's order;
//! sorting by `RuleNumber` is the reader's job (docs/spec.md I5).

use aws_sdk_ec2::types::{
    IcmpTypeCode, NetworkAcl, NetworkAclAssociation, NetworkAclEntry, PortRange,
};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::pages::each_page;
use crate::snapshot::Pages;
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "network-acls.json";
/// The list key of the document.
const KEY: &str = "NetworkAcls";
const CALL: &str = "DescribeNetworkAcls";

/// Collects the network ACLs in scope: into their document, or page by page into `pages`'
/// loader (then `None`).
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Option<Document>, CallError> {
    let request = client
        .describe_network_acls()
        .set_filters(scope.vpc_filters());
    let (mut kept, mut count) = (Vec::new(), 0);
    let stream = request.into_paginator().page_size(100).send();
    each_page(stream, CALL, &scope.label(), |page| {
        let items: Vec<Value> = page.network_acls().iter().map(network_acl).collect();
        count += items.len();
        pages.page(FILE, KEY, items, &mut kept);
    })
    .await?;
    progress(&format!("{CALL}: {count} network ACLs"));
    Ok(pages.document(FILE, KEY, kept))
}

/// The `{"NetworkAcls": [...]}` document.
pub fn to_document(acls: &[NetworkAcl]) -> Value {
    document("NetworkAcls", acls.iter().map(network_acl).collect())
}

/// One network ACL as the CLI prints it.
pub fn network_acl(a: &NetworkAcl) -> Value {
    Obj::new()
        .str("NetworkAclId", a.network_acl_id())
        .str("VpcId", a.vpc_id())
        .bool("IsDefault", a.is_default())
        .str("OwnerId", a.owner_id())
        .list("Associations", a.associations(), association)
        .list("Entries", a.entries(), entry)
        .tags("Tags", a.tags())
        .build()
}

fn association(a: &NetworkAclAssociation) -> Value {
    Obj::new()
        .str("NetworkAclAssociationId", a.network_acl_association_id())
        .str("NetworkAclId", a.network_acl_id())
        .str("SubnetId", a.subnet_id())
        .build()
}

/// One entry: `RuleNumber`, `Protocol`, `RuleAction`, `Egress`, CIDR, `PortRange`, ICMP.
pub fn entry(e: &NetworkAclEntry) -> Value {
    Obj::new()
        .int("RuleNumber", e.rule_number())
        .str("Protocol", e.protocol())
        .str("RuleAction", e.rule_action().map(|a| a.as_str()))
        .bool("Egress", e.egress())
        .str("CidrBlock", e.cidr_block())
        .str("Ipv6CidrBlock", e.ipv6_cidr_block())
        .opt("PortRange", e.port_range().map(port_range))
        .opt("IcmpTypeCode", e.icmp_type_code().map(icmp_type_code))
        .build()
}

fn port_range(p: &PortRange) -> Value {
    Obj::new().int("From", p.from()).int("To", p.to()).build()
}

fn icmp_type_code(i: &IcmpTypeCode) -> Value {
    Obj::new()
        .int("Type", i.r#type())
        .int("Code", i.code())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RuleAction;
    use serde_json::json;

    #[test]
    fn entry_keeps_cli_field_names() {
        let e = NetworkAclEntry::builder()
            .rule_number(110)
            .protocol("1")
            .rule_action(RuleAction::Deny)
            .egress(false)
            .ipv6_cidr_block("::/0")
            .icmp_type_code(IcmpTypeCode::builder().r#type(-1).code(-1).build())
            .build();
        let expected = json!({"RuleNumber": 110, "Protocol": "1", "RuleAction": "deny",
            "Egress": false, "Ipv6CidrBlock": "::/0", "IcmpTypeCode": {"Type": -1, "Code": -1}});
        assert_eq!(entry(&e), expected);
    }

    #[test]
    fn port_range_is_nested() {
        let e = NetworkAclEntry::builder()
            .port_range(PortRange::builder().from(1024).to(65535).build())
            .build();
        assert_eq!(entry(&e)["PortRange"], json!({"From": 1024, "To": 65535}));
    }
}
