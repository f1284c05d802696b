//! `describe-vpc-endpoints` → `{"VpcEndpoints": [...]}`.

use aws_sdk_ec2::primitives::DateTimeFormat;
use aws_sdk_ec2::types::{DnsEntry, SecurityGroupIdentifier, VpcEndpoint};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress, Scope};

/// The snapshot file this module writes.
pub const FILE: &str = "vpc-endpoints.json";
const CALL: &str = "DescribeVpcEndpoints";

/// Collects the VPC endpoints in scope into their document.
pub(crate) async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Document, CallError> {
    let endpoints: Vec<VpcEndpoint> = paginate!(
        client
            .describe_vpc_endpoints()
            .set_filters(scope.vpc_filters()),
        1000,
        CALL,
        scope.label()
    )?;
    progress(&format!("{CALL}: {} VPC endpoints", endpoints.len()));
    Ok((FILE.to_owned(), to_document(&endpoints)))
}

/// The `{"VpcEndpoints": [...]}` document.
pub fn to_document(endpoints: &[VpcEndpoint]) -> Value {
    document("VpcEndpoints", endpoints.iter().map(vpc_endpoint).collect())
}

/// One VPC endpoint as the CLI prints it.
pub fn vpc_endpoint(e: &VpcEndpoint) -> Value {
    Obj::new()
        .str("VpcEndpointId", e.vpc_endpoint_id())
        .str("VpcEndpointType", e.vpc_endpoint_type().map(|t| t.as_str()))
        .str("VpcId", e.vpc_id())
        .str("ServiceName", e.service_name())
        .str("State", e.state().map(|s| s.as_str()))
        .str("PolicyDocument", e.policy_document())
        .strs("RouteTableIds", e.route_table_ids())
        .strs("SubnetIds", e.subnet_ids())
        .list("Groups", e.groups(), group)
        .str("IpAddressType", e.ip_address_type().map(|t| t.as_str()))
        .opt("DnsOptions", e.dns_options().map(dns_options))
        .bool("PrivateDnsEnabled", e.private_dns_enabled())
        .bool("RequesterManaged", e.requester_managed())
        .strs("NetworkInterfaceIds", e.network_interface_ids())
        .list("DnsEntries", e.dns_entries(), dns_entry)
        .str("CreationTimestamp", creation_timestamp(e).as_deref())
        .str("OwnerId", e.owner_id())
        .tags("Tags", e.tags())
        .build()
}

fn group(g: &SecurityGroupIdentifier) -> Value {
    Obj::new()
        .str("GroupId", g.group_id())
        .str("GroupName", g.group_name())
        .build()
}

/// Which address families the endpoint's DNS names answer with (docs/spec.md V2).
fn dns_options(o: &aws_sdk_ec2::types::DnsOptions) -> Value {
    Obj::new()
        .str(
            "DnsRecordIpType",
            o.dns_record_ip_type().map(|t| t.as_str()),
        )
        .bool(
            "PrivateDnsOnlyForInboundResolverEndpoint",
            o.private_dns_only_for_inbound_resolver_endpoint(),
        )
        .build()
}

fn dns_entry(d: &DnsEntry) -> Value {
    Obj::new()
        .str("DnsName", d.dns_name())
        .str("HostedZoneId", d.hosted_zone_id())
        .build()
}

/// ISO 8601, as the CLI prints timestamps.
fn creation_timestamp(e: &VpcEndpoint) -> Option<String> {
    e.creation_timestamp()
        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}
