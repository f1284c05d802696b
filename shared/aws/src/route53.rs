//! Route 53 private hosted zones: `list-hosted-zones` → `{"HostedZones": [...]}` (private
//! zones only), and for each private zone `get-hosted-zone` → `{"HostedZone", "VPCs"}` (its VPC
//! associations) and `list-resource-record-sets` wrapped as `{"HostedZoneId", "ResourceRecordSets"}`
//! (the call does not name its zone: docs/snapshot-format.md).
//!
//! Every private zone of the account, whatever the scope: a zone for a service that is not
//! associated with a VPC in scope is what `DNS_ZONE_NOT_ASSOCIATED` reports. Public zones are
//! left out: a VPC's resolver answers from private zones, Resolver rules and endpoints' own
//! zones before public DNS, and public DNS is the model's default answer. Route 53 is a global
//! service (one endpoint, signed for us-east-1: the SDK does both).

use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
use aws_sdk_route53::types::{
    AliasTarget, HostedZone, HostedZoneSummary, ResourceRecordSet, Vpc, VpcRegion,
};
use aws_sdk_route53::Client;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress, Service};

/// The file of the `list-hosted-zones` document.
pub const FILE: &str = "hosted-zones.json";
/// Route 53 allows five requests per second per account: few calls at once, so that the
/// SDK's retries rarely have to absorb throttling.
const CONCURRENCY: usize = 3;
const SCOPE: &str = "account";

/// Collects every private hosted zone with its VPC associations and records: one document for
/// the list, then two per zone (`zone-<id>.json`, `records-<id>.json`).
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let zones: Vec<HostedZone> = paginate!(
        Service::Route53 => client.list_hosted_zones(),
        "ListHostedZones",
        SCOPE
    )?;
    let private: Vec<HostedZone> = zones.into_iter().filter(is_private).collect();
    let per_zone: Vec<Vec<Document>> = futures_util::stream::iter(&private)
        .map(|z| zone_documents(client, z))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    progress(&format!(
        "Route 53: {} private hosted zones with their VPCs and records",
        private.len()
    ));
    let mut documents = vec![(
        FILE.to_owned(),
        document("HostedZones", private.iter().map(hosted_zone).collect()),
    )];
    documents.extend(per_zone.into_iter().flatten());
    Ok(documents)
}

fn is_private(z: &HostedZone) -> bool {
    z.config().is_some_and(|c| c.private_zone())
}

/// A zone id without the `/hostedzone/` prefix `ListHostedZones` gives it.
pub fn bare_id(id: &str) -> &str {
    id.strip_prefix("/hostedzone/").unwrap_or(id)
}

/// The `get-hosted-zone` and the wrapped `list-resource-record-sets` documents of one zone.
async fn zone_documents(client: &Client, zone: &HostedZone) -> Result<Vec<Document>, CallError> {
    let id = bare_id(zone.id());
    let (got, records) = tokio::try_join!(get_zone(client, id), records(client, id))?;
    Ok(vec![
        (format!("zone-{id}.json"), got),
        (format!("records-{id}.json"), records),
    ])
}

async fn get_zone(client: &Client, id: &str) -> Result<Value, CallError> {
    let out = client
        .get_hosted_zone()
        .id(id)
        .send()
        .await
        .map_err(|e| CallError::from_sdk(Service::Route53, "GetHostedZone", id, e))?;
    let mut doc = Obj::new().opt("HostedZone", out.hosted_zone().map(hosted_zone));
    doc = doc.list("VPCs", out.vpcs(), vpc);
    Ok(doc.build())
}

/// Every record set of the zone, as `{"HostedZoneId": <bare id>, "ResourceRecordSets": [...]}`.
///
/// The call has no SDK paginator: a truncated page names the record to start the next one at
/// (`NextRecordName`, `NextRecordType`, and `NextRecordIdentifier` for records with a set
/// identifier).
async fn records(client: &Client, id: &str) -> Result<Value, CallError> {
    let mut sets: Vec<ResourceRecordSet> = Vec::new();
    let mut start: Option<ListResourceRecordSetsOutput> = None;
    loop {
        let mut request = client.list_resource_record_sets().hosted_zone_id(id);
        if let Some(previous) = &start {
            request = request
                .set_start_record_name(previous.next_record_name().map(str::to_owned))
                .set_start_record_type(previous.next_record_type().cloned())
                .set_start_record_identifier(previous.next_record_identifier().map(str::to_owned));
        }
        let page = request
            .send()
            .await
            .map_err(|e| CallError::from_sdk(Service::Route53, "ListResourceRecordSets", id, e))?;
        sets.extend(page.resource_record_sets().iter().cloned());
        // A truncated page without a next name would restart the listing forever.
        if !page.is_truncated() || page.next_record_name().is_none() {
            break;
        }
        start = Some(page);
    }
    Ok(Obj::new()
        .str("HostedZoneId", Some(id))
        .list("ResourceRecordSets", &sets, record_set)
        .build())
}

/// One hosted zone as the CLI prints it.
pub fn hosted_zone(z: &HostedZone) -> Value {
    let config = z.config().map(|c| {
        Obj::new()
            .str("Comment", c.comment())
            .bool("PrivateZone", Some(c.private_zone()))
            .build()
    });
    Obj::new()
        .str("Id", Some(z.id()))
        .str("Name", Some(z.name()))
        .str("CallerReference", Some(z.caller_reference()))
        .opt("Config", config)
        .opt(
            "ResourceRecordSetCount",
            z.resource_record_set_count().map(Value::from),
        )
        .build()
}

fn vpc(v: &Vpc) -> Value {
    Obj::new()
        .str("VPCRegion", v.vpc_region().map(|r| r.as_str()))
        .str("VPCId", v.vpc_id())
        .build()
}

/// One record set as the CLI prints it (routing-policy details other than the set identifier,
/// weight, region and failover are left out: resolution does not read them).
pub fn record_set(r: &ResourceRecordSet) -> Value {
    let values: Vec<Value> = r
        .resource_records()
        .iter()
        .map(|v| Obj::new().str("Value", Some(v.value())).build())
        .collect();
    Obj::new()
        .str("Name", Some(r.name()))
        .str("Type", Some(r.r#type().as_str()))
        .str("SetIdentifier", r.set_identifier())
        .opt("Weight", r.weight().map(Value::from))
        .str("Region", r.region().map(|x| x.as_str()))
        .str("Failover", r.failover().map(|x| x.as_str()))
        .bool("MultiValueAnswer", r.multi_value_answer())
        .opt("TTL", r.ttl().map(Value::from))
        .opt(
            "ResourceRecords",
            (!values.is_empty()).then_some(Value::Array(values)),
        )
        .opt("AliasTarget", r.alias_target().map(alias_target))
        .build()
}

fn alias_target(a: &AliasTarget) -> Value {
    Obj::new()
        .str("HostedZoneId", Some(a.hosted_zone_id()))
        .str("DNSName", Some(a.dns_name()))
        .bool("EvaluateTargetHealth", Some(a.evaluate_target_health()))
        .build()
}

/// The file of one VPC's `list-hosted-zones-by-vpc` output.
pub fn by_vpc_file(vpc: &str) -> String {
    format!("zones-by-vpc-{vpc}.json")
}

/// For each VPC of `vpcs` (in `region`), every private hosted zone associated with it whoever
/// owns the zone, as `{"VPCId", "VPCRegion", "HostedZoneSummaries": [...]}` (the call does not
/// name its VPC in its output: docs/snapshot-format.md).
///
/// `ListHostedZones` lists the caller's own zones only: a spoke account does not see the
/// network account's zone associated with its VPC. `ListHostedZonesByVPC` does (with the
/// zone's owner), so that zone is known to exist and answer, even when its records cannot be
/// read (docs/spec.md D9).
///
/// A VPC the call is refused for (a VPC another account shares with this one may be; AWS does
/// not document it) gets no document: the model then holds its zones unknown and its names
/// unproven (D9), rather than the whole collection failing or the names looking public.
pub(crate) async fn collect_by_vpc(
    client: &Client,
    vpcs: &[String],
    region: &str,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let listed: Vec<Option<Document>> = futures_util::stream::iter(vpcs)
        .map(|vpc| by_vpc_unless_refused(client, vpc, region, progress))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let documents: Vec<Document> = listed.into_iter().flatten().collect();
    progress(&format!(
        "Route 53: the private hosted zones of {} VPCs, whoever owns them",
        documents.len()
    ));
    Ok(documents)
}

/// [`by_vpc`], with a refusal said and turned into no document.
async fn by_vpc_unless_refused(
    client: &Client,
    vpc: &str,
    region: &str,
    progress: &Progress<'_>,
) -> Result<Option<Document>, CallError> {
    match by_vpc(client, vpc, region).await {
        Ok(doc) => Ok(Some(doc)),
        Err(e) if e.is_access_denied() => {
            progress(&format!(
                "Route 53: {e}; the private hosted zones of {vpc} are unknown, its DNS unproven"
            ));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// One VPC's zones. The call has no SDK paginator: a page with `NextToken` has more.
async fn by_vpc(client: &Client, vpc: &str, region: &str) -> Result<Document, CallError> {
    let mut summaries: Vec<HostedZoneSummary> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_hosted_zones_by_vpc()
            .vpc_id(vpc)
            .vpc_region(VpcRegion::from(region))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk(Service::Route53, "ListHostedZonesByVPC", vpc, e))?;
        summaries.extend(page.hosted_zone_summaries().iter().cloned());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    let doc = Obj::new()
        .str("VPCId", Some(vpc))
        .str("VPCRegion", Some(region))
        .list("HostedZoneSummaries", &summaries, zone_summary)
        .build();
    Ok((by_vpc_file(vpc), doc))
}

fn zone_summary(z: &HostedZoneSummary) -> Value {
    let owner = z.owner().map(|o| {
        Obj::new()
            .str("OwningAccount", o.owning_account())
            .str("OwningService", o.owning_service())
            .build()
    });
    Obj::new()
        .str("HostedZoneId", Some(z.hosted_zone_id()))
        .str("Name", Some(z.name()))
        .opt("Owner", owner)
        .build()
}
