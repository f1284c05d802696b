//! `describe-vpc-endpoint-services` → `{"ServiceDetails": [...]}`: the DNS names
//! (`PrivateDnsNames`, `BaseEndpointDnsNames`) of the services of the interface endpoints in
//! scope.
//!
//! Only those services, filtered by name and by type `Interface`: the whole region's list is
//! several hundred services (most of a megabyte of JSON per account), while resolution only
//! needs the names of services that have an endpoint to resolve to; a required service without
//! any endpoint gets its names derived (docs/spec.md section 10). The type filter also leaves
//! out the `Gateway` entries that S3 and DynamoDB have under the same service name: gateway
//! endpoints are reached by route, not by name.

use aws_sdk_ec2::types::{Filter, PrivateDnsDetails, ServiceDetail, ServiceTypeDetail};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress, Service};

/// The snapshot file this module writes.
pub const FILE: &str = "endpoint-services.json";
const CALL: &str = "DescribeVpcEndpointServices";
/// Values per EC2 filter (EC2 accepts up to 200).
const NAMES_PER_CALL: usize = 200;

/// Collects the interface services named `names` into their document; no call when there are
/// none.
pub(crate) async fn collect(
    client: &Client,
    names: &[String],
    progress: &Progress<'_>,
) -> Result<Document, CallError> {
    let mut services = Vec::new();
    for chunk in names.chunks(NAMES_PER_CALL) {
        services.extend(fetch(client, chunk).await?);
    }
    progress(&format!("{CALL}: {} services", services.len()));
    Ok((FILE.to_owned(), to_document(&services)))
}

/// Every page for `names`: the call has no SDK paginator, so the `NextToken` loop is here.
async fn fetch(client: &Client, names: &[String]) -> Result<Vec<ServiceDetail>, CallError> {
    let by_name = Filter::builder()
        .name("service-name")
        .set_values(Some(names.to_vec()))
        .build();
    let interface = Filter::builder()
        .name("service-type")
        .values("Interface")
        .build();
    let mut services = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_vpc_endpoint_services()
            .filters(by_name.clone())
            .filters(interface.clone())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk(Service::Ec2, CALL, names.join(", "), e))?;
        services.extend(page.service_details().iter().cloned());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(services),
        }
    }
}

/// The services of the interface endpoints of a `{"VpcEndpoints": [...]}` document, sorted
/// and unique.
pub fn interface_services(endpoints: &Value) -> Vec<String> {
    let mut names: Vec<String> = endpoints["VpcEndpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["VpcEndpointType"].as_str() == Some("Interface"))
        .filter_map(|e| e["ServiceName"].as_str())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `{"ServiceDetails": [...]}` document.
pub fn to_document(services: &[ServiceDetail]) -> Value {
    document(
        "ServiceDetails",
        services.iter().map(service_detail).collect(),
    )
}

/// One service as the CLI prints it.
pub fn service_detail(s: &ServiceDetail) -> Value {
    Obj::new()
        .str("ServiceName", s.service_name())
        .str("ServiceId", s.service_id())
        .list("ServiceType", s.service_type(), service_type)
        .strs("AvailabilityZones", s.availability_zones())
        .str("Owner", s.owner())
        .strs("BaseEndpointDnsNames", s.base_endpoint_dns_names())
        .str("PrivateDnsName", s.private_dns_name())
        .list("PrivateDnsNames", s.private_dns_names(), private_dns_name)
        .bool(
            "VpcEndpointPolicySupported",
            s.vpc_endpoint_policy_supported(),
        )
        .bool("AcceptanceRequired", s.acceptance_required())
        .bool("ManagesVpcEndpoints", s.manages_vpc_endpoints())
        .str(
            "PrivateDnsNameVerificationState",
            s.private_dns_name_verification_state().map(|v| v.as_str()),
        )
        .tags("Tags", s.tags())
        .build()
}

fn service_type(t: &ServiceTypeDetail) -> Value {
    Obj::new()
        .str("ServiceType", t.service_type().map(|t| t.as_str()))
        .build()
}

fn private_dns_name(p: &PrivateDnsDetails) -> Value {
    Obj::new()
        .str("PrivateDnsName", p.private_dns_name())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_interface_endpoints_name_services() {
        let endpoints = serde_json::json!({"VpcEndpoints": [
            {"VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.r.ssm"},
            {"VpcEndpointType": "Gateway", "ServiceName": "com.amazonaws.r.s3"},
            {"VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.r.ecr.api"},
            {"VpcEndpointType": "Interface", "ServiceName": "com.amazonaws.r.ssm"}
        ]});
        assert_eq!(
            interface_services(&endpoints),
            ["com.amazonaws.r.ecr.api", "com.amazonaws.r.ssm"]
        );
    }
}
