//! `describe-vpc-attribute` for `enableDnsSupport` and `enableDnsHostnames`, one document per
//! VPC and attribute: `{"VpcId": .., "EnableDnsSupport": {"Value": true}}`.

use aws_sdk_ec2::types::{AttributeBooleanValue, VpcAttributeName};
use aws_sdk_ec2::Client;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::Obj;
use crate::{CallError, Document, Progress, Service};

const CALL: &str = "DescribeVpcAttribute";
/// How many VPCs are asked about at once (two calls each).
const CONCURRENCY: usize = 4;

/// The snapshot file name of one attribute document, e.g.
/// `vpc-attributes/vpc-0abc.EnableDnsSupport.json`.
pub fn file_name(vpc_id: &str, key: &str) -> String {
    format!("vpc-attributes/{vpc_id}.{key}.json")
}

/// Both DNS attribute documents of every VPC, in VPC order.
pub(crate) async fn collect(
    client: &Client,
    vpc_ids: &[String],
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let per_vpc: Vec<[Document; 2]> = futures_util::stream::iter(vpc_ids)
        .map(|id| vpc_documents(client, id))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    progress(&format!("{CALL}: DNS attributes of {} VPCs", vpc_ids.len()));
    Ok(per_vpc.into_iter().flatten().collect())
}

async fn vpc_documents(client: &Client, vpc_id: &str) -> Result<[Document; 2], CallError> {
    let (support, hostnames) = tokio::try_join!(
        attribute(client, vpc_id, VpcAttributeName::EnableDnsSupport),
        attribute(client, vpc_id, VpcAttributeName::EnableDnsHostnames),
    )?;
    Ok([support, hostnames])
}

/// The key the CLI prints for an attribute.
fn key(name: &VpcAttributeName) -> &'static str {
    match name {
        VpcAttributeName::EnableDnsSupport => "EnableDnsSupport",
        _ => "EnableDnsHostnames",
    }
}

async fn attribute(
    client: &Client,
    vpc_id: &str,
    name: VpcAttributeName,
) -> Result<Document, CallError> {
    let out = client
        .describe_vpc_attribute()
        .vpc_id(vpc_id)
        .attribute(name.clone())
        .send()
        .await
        .map_err(|e| CallError::from_sdk(Service::Ec2, CALL, vpc_id, e))?;
    let value = match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        _ => out.enable_dns_hostnames(),
    };
    let key = key(&name);
    Ok((file_name(vpc_id, key), to_document(vpc_id, key, value)))
}

/// `{"VpcId": .., "<key>": {"Value": ..}}`; the attribute is omitted when AWS did not return it.
pub fn to_document(vpc_id: &str, key: &str, value: Option<&AttributeBooleanValue>) -> Value {
    Obj::new()
        .str("VpcId", Some(vpc_id))
        .opt(
            key,
            value.map(|v| Obj::new().bool("Value", v.value()).build()),
        )
        .build()
}
