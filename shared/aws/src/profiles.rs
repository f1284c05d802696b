//! Route 53 Profiles: `list-profile-associations` → `{"ProfileAssociations": [...]}` (which
//! Profile each VPC uses), and for each Profile associated with a VPC
//! `list-profile-resource-associations` → `{"ProfileResourceAssociations": [...]}` (the hosted
//! zones and Resolver rules it carries), in `profile-<id>.json`.
//!
//! Only those two calls: a Profile associated with no VPC resolves nothing, so `ListProfiles`
//! is not needed. The Profile may be another account's (shared through RAM); its resources
//! are listed by its id all the same.

use aws_sdk_route53profiles::types::{ProfileAssociation, ProfileResourceAssociation};
use aws_sdk_route53profiles::Client;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress, Service};

/// The file of the Profiles' VPC associations.
pub const FILE: &str = "profile-associations.json";
const CONCURRENCY: usize = 4;

/// Collects the Profile associations of the region, then the resources of each associated
/// Profile.
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let associations: Vec<ProfileAssociation> = paginate!(
        Service::Route53Profiles => client.list_profile_associations(),
        "ListProfileAssociations",
        "whole region"
    )?;
    let profiles = profile_ids(&associations);
    let resources: Vec<Document> = futures_util::stream::iter(&profiles)
        .map(|p| resources(client, p))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    progress(&format!(
        "Route 53 Profiles: {} VPC associations, {} Profiles",
        associations.len(),
        profiles.len()
    ));
    let mut documents = vec![(
        FILE.to_owned(),
        document(
            "ProfileAssociations",
            associations.iter().map(association).collect(),
        ),
    )];
    documents.extend(resources);
    Ok(documents)
}

/// The Profiles the associations name, sorted and unique.
fn profile_ids(associations: &[ProfileAssociation]) -> Vec<String> {
    let mut ids: Vec<String> = associations
        .iter()
        .filter_map(|a| a.profile_id())
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

async fn resources(client: &Client, profile: &str) -> Result<Document, CallError> {
    let items: Vec<ProfileResourceAssociation> = paginate!(
        Service::Route53Profiles => client
            .list_profile_resource_associations()
            .profile_id(profile),
        "ListProfileResourceAssociations",
        profile
    )?;
    Ok((
        format!("profile-{profile}.json"),
        document(
            "ProfileResourceAssociations",
            items.iter().map(resource).collect(),
        ),
    ))
}

/// One Profile association as the CLI prints it.
pub fn association(a: &ProfileAssociation) -> Value {
    Obj::new()
        .str("Id", a.id())
        .str("Name", a.name())
        .str("OwnerId", a.owner_id())
        .str("ProfileId", a.profile_id())
        .str("ResourceId", a.resource_id())
        .str("Status", a.status().map(|s| s.as_str()))
        .build()
}

/// One resource of a Profile as the CLI prints it.
pub fn resource(r: &ProfileResourceAssociation) -> Value {
    Obj::new()
        .str("Id", r.id())
        .str("Name", r.name())
        .str("OwnerId", r.owner_id())
        .str("ProfileId", r.profile_id())
        .str("ResourceArn", r.resource_arn())
        .str("ResourceType", r.resource_type())
        .str("Status", r.status().map(|s| s.as_str()))
        .build()
}
