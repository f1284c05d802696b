//! Collects a network snapshot live from EC2 and writes it in the format of docs/spec.md section 7: one
//! JSON document per describe call, of exactly the shape the AWS CLI prints (`Vpcs`, `Subnets`,
//! `RouteTables`, `NetworkAcls`, `SecurityGroups`, `NetworkInterfaces`, `VpcEndpoints`,
//! `PrefixLists`, and `describe-vpc-attribute` outputs for the two DNS attributes of each VPC).
//!
//! The SDK's types do not implement `Serialize`: each resource module converts them explicitly
//! to [`serde_json::Value`], keeping the AWS field names.
//!
//! Besides the collection, the one AWS layer of the workspace: [`collect_and_check`] (collect ->
//! load -> check, with the model crate), [`locate`] (which VPC a resource is in), [`CallError`]
//! (every failed AWS call) and [`OneLine`] (log values that cannot forge lines).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_from_env().await;
//! let client = vpce_reach_aws::ec2_client(&config).await;
//! let scope = vpce_reach_aws::Scope::vpcs(["vpc-0abc"]);
//! let snapshot = vpce_reach_aws::collect(&client, &scope, &|m| eprintln!("{m}")).await?;
//! snapshot.write_to(std::path::Path::new("snapshot"))?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

// First: the collectors below use its `paginate!` macro.
#[macro_use]
mod pages;

mod accounts;
mod client;
mod error;
mod json;
mod live;
mod locate;
mod log;
mod scope;
mod snapshot;

pub mod dhcp_options;
pub mod endpoint_services;
pub mod load_balancers;
pub mod network_acls;
pub mod network_interfaces;
pub mod peering;
pub mod prefix_lists;
pub mod profiles;
pub mod resolver;
pub mod route53;
pub mod route_tables;
pub mod security_groups;
pub mod subnets;
pub mod transit_gateways;
pub mod vpc_attributes;
pub mod vpc_endpoints;
pub mod vpcs;

pub use accounts::{
    collect_accounts, collect_accounts_with, parse_roles, AssumedRole, Dns, RoleArnError,
    ASSUME_ROLE_ARNS, NO_DNS,
};
/// The EC2 client type, re-exported so that callers (the CLI) need no SDK dependency of their own.
pub use aws_sdk_ec2::Client as Ec2Client;
pub use client::{
    ec2_client, ec2_client_with, ec2_until, time_left, until, CallLimits, Clients, Deadline,
    DEADLINE_MARGIN,
};
pub use error::{CallError, CallFailure, Service};
pub use live::{
    collect_and_check, collect_and_check_accounts, collect_and_check_with_dns, Checked, LiveError,
};
pub use locate::{locate, locate_with, Located, ResourceKind};
pub use log::OneLine;
pub use scope::Scope;
use snapshot::Pages;
pub use snapshot::Snapshot;

use aws_sdk_ec2::Client;

/// A progress callback: receives one short line per finished step.
pub type Progress<'a> = dyn Fn(&str) + Sync + 'a;

/// One snapshot file: its relative path (e.g. `security-groups.json`) and its JSON document.
pub type Document = (String, serde_json::Value);

/// Collects every document of a snapshot of `scope`, issuing independent calls concurrently.
///
/// The links between VPCs (transit gateways, peering) are read first: the VPCs linked to a
/// scoped VPC join the scope ([`Scope::with_links`]), so that a path across a link is decided
/// with both ends' data. Every describe call is paginated. Any failed call fails the whole
/// collection: a partial snapshot is never returned.
pub async fn collect(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Snapshot, CallError> {
    collect_into(client, scope, progress, &Pages::KEEP).await
}

/// [`collect`], the pages of the large list calls going to `pages` (kept as documents, or
/// loaded as they arrive: [`Pages`]).
pub(crate) async fn collect_into(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Snapshot, CallError> {
    let links = links(client, progress).await?;
    let scope = scope.with_links(&links);
    let (mut documents, subnets, route_tables, acls, groups, enis, endpoints, prefix_lists) = tokio::try_join!(
        vpcs_and_attributes(client, &scope, progress),
        subnets::collect(client, &scope, progress, pages),
        route_tables::collect(client, &scope, progress, pages),
        network_acls::collect(client, &scope, progress, pages),
        security_groups::collect(client, &scope, progress, pages),
        network_interfaces::collect(client, &scope, progress, pages),
        vpc_endpoints::collect(client, &scope, progress),
        prefix_lists::collect(client, progress),
    )?;
    documents.extend(
        [subnets, route_tables, acls, groups, enis]
            .into_iter()
            .flatten(),
    );
    documents.extend([endpoints, prefix_lists]);
    documents.extend(links);
    Ok(Snapshot { documents, scope })
}

/// Collects like [`collect`], plus the DNS documents (docs/snapshot-format.md, "DNS"): the
/// DHCP option sets the VPCs in scope use, the endpoint services of their interface endpoints,
/// every private hosted zone of the account with its VPC associations and records, the
/// region's Resolver rules and their associations, and Route 53 Profiles' associations with
/// each associated Profile's resources.
///
/// Route 53, Resolver and Profiles are read while the network is; the option sets, the
/// endpoint services and each collected VPC's zones whoever owns them
/// (`ListHostedZonesByVPC`, docs/spec.md D9) then follow from the VPCs and endpoints collected. All of them or none:
/// a snapshot with part of the DNS data would resolve names wrongly rather than say DNS was
/// not checked.
pub async fn collect_with_dns(
    clients: &Clients,
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Snapshot, CallError> {
    collect_with_dns_into(clients, scope, progress, &Pages::KEEP).await
}

/// [`collect_with_dns`], the pages of the large list calls going to `pages`.
pub(crate) async fn collect_with_dns_into(
    clients: &Clients,
    scope: &Scope,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Snapshot, CallError> {
    let (mut snapshot, zones, rules, profiles) = tokio::try_join!(
        collect_into(&clients.ec2, scope, progress, pages),
        route53::collect(&clients.route53, progress),
        resolver::collect(&clients.resolver, progress),
        profiles::collect(&clients.profiles, progress),
    )?;
    let empty = serde_json::Value::Null;
    let sets = dhcp_options::ids_in_use(snapshot.document(vpcs::FILE).unwrap_or(&empty));
    let services = endpoint_services::interface_services(
        snapshot.document(vpc_endpoints::FILE).unwrap_or(&empty),
    );
    let vpc_ids = vpc_ids(snapshot.document(vpcs::FILE).unwrap_or(&empty));
    let region = clients
        .ec2
        .config()
        .region()
        .map_or_else(String::new, ToString::to_string);
    let (dhcp, services, by_vpc) = tokio::try_join!(
        dhcp_options::collect(&clients.ec2, &sets, progress),
        endpoint_services::collect(&clients.ec2, &services, progress),
        route53::collect_by_vpc(&clients.route53, &vpc_ids, &region, progress),
    )?;
    snapshot.documents.extend([dhcp, services]);
    snapshot.documents.extend(by_vpc);
    snapshot.documents.extend(zones);
    snapshot.documents.extend(rules);
    snapshot.documents.extend(profiles);
    Ok(snapshot)
}

/// The ids of the VPCs of a `Vpcs` document.
fn vpc_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["Vpcs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["VpcId"].as_str())
        .map(str::to_owned)
        .collect()
}

/// The documents of the links between VPCs (transit gateways, peering connections): regional,
/// whatever the scope, since the other end of a VPC in scope may be any VPC.
async fn links(client: &Client, progress: &Progress<'_>) -> Result<Vec<Document>, CallError> {
    let (mut documents, peering) = tokio::try_join!(
        transit_gateways::collect(client, progress),
        peering::collect(client, progress),
    )?;
    documents.push(peering);
    Ok(documents)
}

/// The `Vpcs` document, then the DNS attribute documents of each VPC.
async fn vpcs_and_attributes(
    client: &Client,
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let vpcs = vpcs::fetch(client, scope).await?;
    progress(&format!("DescribeVpcs: {} VPCs", vpcs.len()));
    let ids: Vec<String> = vpcs
        .iter()
        .filter_map(|v| v.vpc_id())
        .map(str::to_owned)
        .collect();
    let attributes = vpc_attributes::collect(client, &ids, progress).await?;
    let mut documents = vec![(vpcs::FILE.to_owned(), vpcs::to_document(&vpcs))];
    documents.extend(attributes);
    Ok(documents)
}
