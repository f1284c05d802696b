//! Which VPC a change notification concerns: a change to one resource can break any pair of
//! its VPC, so the whole VPC is re-evaluated.

use std::collections::BTreeSet;

use aws_sdk_ec2::Client;
use vpce_reach_aws::CallError;

use crate::event::ConfigurationItem;

/// Config's resource type of a VPC: its own id is the VPC to re-evaluate.
pub const VPC_TYPE: &str = "AWS::EC2::VPC";

/// The VPC to re-evaluate after a change to `item`, or `None` when there is none to know
/// (a deleted resource's item has no configuration; a resource type without a VPC; a
/// resource EC2 no longer knows).
///
/// A full item names its VPC in `configuration.vpcId`. An oversized notification carries only
/// a summary, so the resource is located by its id with [`vpce_reach_aws::locate`] (one EC2
/// describe call of its kind).
pub async fn vpc_of(
    ec2: &Client,
    item: &ConfigurationItem,
    oversized: bool,
) -> Result<Option<String>, CallError> {
    if item.resource_type == VPC_TYPE {
        // A deleted VPC has nothing left to re-evaluate.
        return Ok((!item.is_deleted()).then(|| item.resource_id.clone()));
    }
    if item.is_deleted() || !oversized {
        return Ok(item.configured_vpc().map(str::to_owned));
    }
    let ids = BTreeSet::from([item.resource_id.clone()]);
    let mut located = vpce_reach_aws::locate(ec2, &ids).await?;
    // A resource is in one VPC (only prefix lists, not a Config resource type here, span
    // several).
    Ok(located
        .remove(&item.resource_id)
        .and_then(|vpcs| vpcs.into_iter().next()))
}
