//! `describe-vpcs` → `{"Vpcs": [...]}`.

use aws_sdk_ec2::types::{Vpc, VpcCidrBlockAssociation, VpcIpv6CidrBlockAssociation};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Scope, Service};

/// The snapshot file this module writes.
pub const FILE: &str = "vpcs.json";
const CALL: &str = "DescribeVpcs";

/// Every VPC in scope; fails when a VPC named by the scope does not exist.
pub(crate) async fn fetch(client: &Client, scope: &Scope) -> Result<Vec<Vpc>, CallError> {
    let vpcs = paginate!(
        client.describe_vpcs().set_filters(scope.vpc_filters()),
        1000,
        CALL,
        scope.label()
    )?;
    check_all_found(scope, &vpcs)?;
    Ok(vpcs)
}

/// A scoped VPC that does not exist is an error, not an empty snapshot.
fn check_all_found(scope: &Scope, vpcs: &[Vpc]) -> Result<(), CallError> {
    let missing: Vec<&str> = scope
        .vpc_ids
        .iter()
        .filter(|id| !vpcs.iter().any(|v| v.vpc_id() == Some(id.as_str())))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CallError::in_answer(
        Service::Ec2,
        CALL,
        scope.label(),
        "InvalidVpcID.NotFound",
        format!("VPC(s) not found: {}", missing.join(", ")),
    ))
}

/// The `{"Vpcs": [...]}` document.
pub fn to_document(vpcs: &[Vpc]) -> Value {
    document("Vpcs", vpcs.iter().map(vpc).collect())
}

/// One VPC as the CLI prints it.
pub fn vpc(v: &Vpc) -> Value {
    Obj::new()
        .str("VpcId", v.vpc_id())
        .str("CidrBlock", v.cidr_block())
        .list(
            "CidrBlockAssociationSet",
            v.cidr_block_association_set(),
            cidr_association,
        )
        .list(
            "Ipv6CidrBlockAssociationSet",
            v.ipv6_cidr_block_association_set(),
            ipv6_association,
        )
        .str("State", v.state().map(|s| s.as_str()))
        .bool("IsDefault", v.is_default())
        .str("DhcpOptionsId", v.dhcp_options_id())
        .str("OwnerId", v.owner_id())
        .tags("Tags", v.tags())
        .build()
}

fn cidr_association(a: &VpcCidrBlockAssociation) -> Value {
    let state = a
        .cidr_block_state()
        .and_then(|s| s.state())
        .map(|s| s.as_str());
    Obj::new()
        .str("AssociationId", a.association_id())
        .str("CidrBlock", a.cidr_block())
        .opt(
            "CidrBlockState",
            state.map(|s| Obj::new().str("State", Some(s)).build()),
        )
        .build()
}

fn ipv6_association(a: &VpcIpv6CidrBlockAssociation) -> Value {
    Obj::new()
        .str("AssociationId", a.association_id())
        .str("Ipv6CidrBlock", a.ipv6_cidr_block())
        .build()
}
