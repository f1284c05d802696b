//! Which VPC a change notification concerns: a change to one resource can break any pair of
//! its VPC, so the whole VPC is re-evaluated.

use aws_sdk_ec2::Client;

use crate::error::CallError;
use crate::event::ConfigurationItem;

/// Config's resource type of a VPC: its own id is the VPC to re-evaluate.
pub const VPC_TYPE: &str = "AWS::EC2::VPC";

/// The VPC to re-evaluate after a change to `item`, or `None` when there is none to know
/// (a deleted resource's item has no configuration; a resource type without a VPC).
///
/// A full item names its VPC in `configuration.vpcId`. An oversized notification carries only
/// a summary, so the resource is looked up with one EC2 describe call by its id.
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
    match lookup(ec2, &item.resource_type, &item.resource_id).await {
        Err(e) if e.is_not_found() => Ok(None),
        other => other,
    }
}

/// The VPC of one resource, by a describe call of its type.
async fn lookup(ec2: &Client, resource_type: &str, id: &str) -> Result<Option<String>, CallError> {
    let vpc = match resource_type {
        "AWS::EC2::SecurityGroup" => {
            let out = ec2
                .describe_security_groups()
                .group_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeSecurityGroups", id, e))?;
            out.security_groups()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        "AWS::EC2::VPCEndpoint" => {
            let out = ec2
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeVpcEndpoints", id, e))?;
            out.vpc_endpoints()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        "AWS::EC2::NetworkAcl" => {
            let out = ec2
                .describe_network_acls()
                .network_acl_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeNetworkAcls", id, e))?;
            out.network_acls()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        "AWS::EC2::RouteTable" => {
            let out = ec2
                .describe_route_tables()
                .route_table_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeRouteTables", id, e))?;
            out.route_tables()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        "AWS::EC2::Subnet" => {
            let out = ec2
                .describe_subnets()
                .subnet_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeSubnets", id, e))?;
            out.subnets()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        "AWS::EC2::NetworkInterface" => {
            let out = ec2
                .describe_network_interfaces()
                .network_interface_ids(id)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ec2:DescribeNetworkInterfaces", id, e))?;
            out.network_interfaces()
                .first()
                .and_then(|r| r.vpc_id())
                .map(str::to_owned)
        }
        _ => None,
    };
    Ok(vpc)
}
