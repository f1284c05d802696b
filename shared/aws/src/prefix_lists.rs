//! Prefix lists → `{"PrefixLists": [...]}` in the `describe-prefix-lists` shape
//! (`PrefixListId`, `PrefixListName`, `Cidrs`), plus `AddressFamily` from
//! `DescribeManagedPrefixLists` (`IPv4` or `IPv6`: the IPv6 leg through a gateway endpoint
//! needs to tell the service's IPv6 list from its IPv4 one, docs/spec.md V4).
//!
//! AWS-managed service lists come from `DescribePrefixLists`. Every other managed prefix list
//! (customer-managed ones above all) comes from `DescribeManagedPrefixLists`, with its entries
//! from `GetManagedPrefixListEntries` written as `Cidrs`. A service list that
//! `DescribePrefixLists` returns without `Cidrs` (moto does, and a partial answer may) has its
//! entries read the same way: an absent `Cidrs` would be missing data for the model (spec
//! section 7), and writing `[]` for it would claim the list is empty.

use aws_sdk_ec2::types::{ManagedPrefixList, PrefixList, PrefixListState};
use aws_sdk_ec2::Client;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress};

/// The snapshot file this module writes.
pub const FILE: &str = "prefix-lists.json";
/// Prefix lists are regional: they are never filtered by VPC.
const SCOPE: &str = "whole region";
/// How many `GetManagedPrefixListEntries` calls run at once.
const CONCURRENCY: usize = 4;

/// Collects every prefix list of the region, with its CIDRs, into one document.
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Document, CallError> {
    let (service_lists, managed) = tokio::try_join!(service_lists(client), managed_lists(client))?;
    let others = not_in_service_lists(&managed, &service_lists);
    let other_lists: Vec<Value> = futures_util::stream::iter(others)
        .map(|m| managed_list(client, m))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let family = |p: &PrefixList| {
        managed
            .iter()
            .find(|m| m.prefix_list_id() == p.prefix_list_id())
            .and_then(ManagedPrefixList::address_family)
    };
    let mut items: Vec<Value> = futures_util::stream::iter(&service_lists)
        .map(|p| service_list(client, p, family(p)))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    progress(&format!(
        "prefix lists: {} AWS service lists, {} managed lists",
        service_lists.len(),
        other_lists.len()
    ));
    items.extend(other_lists);
    Ok((FILE.to_owned(), document("PrefixLists", items)))
}

async fn service_lists(client: &Client) -> Result<Vec<PrefixList>, CallError> {
    paginate!(
        client.describe_prefix_lists(),
        100,
        "DescribePrefixLists",
        SCOPE
    )
}

async fn managed_lists(client: &Client) -> Result<Vec<ManagedPrefixList>, CallError> {
    paginate!(
        client.describe_managed_prefix_lists(),
        100,
        "DescribeManagedPrefixLists",
        SCOPE
    )
}

/// The usable managed lists that `DescribePrefixLists` did not already return.
fn not_in_service_lists<'a>(
    managed: &'a [ManagedPrefixList],
    service_lists: &[PrefixList],
) -> Vec<&'a ManagedPrefixList> {
    let listed = |m: &ManagedPrefixList| {
        service_lists
            .iter()
            .any(|s| s.prefix_list_id() == m.prefix_list_id())
    };
    managed
        .iter()
        .filter(|m| is_usable(m) && !listed(m))
        .collect()
}

/// A list being deleted, deleted, or whose creation failed has no entries to read.
fn is_usable(m: &ManagedPrefixList) -> bool {
    !matches!(
        m.state(),
        Some(
            PrefixListState::DeleteComplete
                | PrefixListState::DeleteInProgress
                | PrefixListState::DeleteFailed
                | PrefixListState::CreateFailed
        )
    )
}

/// One managed list with its entries, in the `describe-prefix-lists` shape.
async fn managed_list(client: &Client, m: &ManagedPrefixList) -> Result<Value, CallError> {
    let (id, name) = (m.prefix_list_id(), m.prefix_list_name());
    with_entries(client, (id, name, m.address_family())).await
}

/// A list in the `describe-prefix-lists` shape, its `Cidrs` read with
/// `GetManagedPrefixListEntries`.
async fn with_entries(
    client: &Client,
    (id, name, family): (Option<&str>, Option<&str>, Option<&str>),
) -> Result<Value, CallError> {
    let cidrs = entries(client, id.unwrap_or_default()).await?;
    Ok(Obj::new()
        .str("PrefixListId", id)
        .str("PrefixListName", name)
        .str("AddressFamily", family)
        .strs("Cidrs", &cidrs)
        .build())
}

async fn entries(client: &Client, id: &str) -> Result<Vec<String>, CallError> {
    let entries: Vec<_> = paginate!(
        client.get_managed_prefix_list_entries().prefix_list_id(id),
        100,
        "GetManagedPrefixListEntries",
        id
    )?;
    Ok(entries
        .iter()
        .filter_map(|e| e.cidr())
        .map(str::to_owned)
        .collect())
}

/// One AWS-managed service list (its family from `DescribeManagedPrefixLists`, which lists
/// the AWS-managed lists too), its entries read with `GetManagedPrefixListEntries` when
/// `DescribePrefixLists` left `Cidrs` out.
async fn service_list(
    client: &Client,
    p: &PrefixList,
    family: Option<&str>,
) -> Result<Value, CallError> {
    let (id, name) = (p.prefix_list_id(), p.prefix_list_name());
    if p.cidrs.is_none() {
        return with_entries(client, (id, name, family)).await;
    }
    Ok(Obj::new()
        .str("PrefixListId", id)
        .str("PrefixListName", name)
        .str("AddressFamily", family)
        .strs("Cidrs", p.cidrs())
        .build())
}
