//! Collect -> load -> check, the one path from EC2 to the model's report. The CLI's
//! `check --live`, the Config rule and the change alerts all go through it, so they judge the
//! same documents alike.

use aws_sdk_ec2::Client;
use vpce_reach_model::snapshot::{self, load::LoadError};
use vpce_reach_model::Report;
use vpce_reach_model::RuleParameters;

use crate::accounts::collect_accounts_into;
use crate::snapshot::Loader;
use crate::{
    collect_accounts, collect_with_dns, AssumedRole, CallError, Clients, Dns, Progress, Scope,
};

/// Collecting or loading failed: nothing can be said about the scope (no verdict on a partial
/// snapshot).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// A describe call failed after the SDK's retries.
    #[error(transparent)]
    Collect(#[from] CallError),
    /// The collected documents could not be read as a snapshot.
    #[error("collected snapshot unreadable: {0}")]
    Load(#[source] LoadError),
}

/// A snapshot collected live and the model's report on it.
#[derive(Debug)]
pub struct Checked {
    /// The collected snapshot, as the model loaded it.
    pub snapshot: snapshot::Snapshot,
    /// The model's check of the whole snapshot.
    pub report: Report,
    /// What was collected: the scope asked for and the VPCs linked to it.
    pub scope: Scope,
}

/// Collects `scope` (with the VPCs linked to it) with `client`, and every VPC of each other
/// account through its role ([`collect_accounts`]), loads it and checks it with `params`.
pub async fn collect_and_check(
    client: &Client,
    others: &[(AssumedRole, Client)],
    scope: &Scope,
    params: &RuleParameters,
    progress: &Progress<'_>,
) -> Result<Checked, LiveError> {
    let collected = collect_accounts(client, others, scope, progress).await?;
    check_collected(collected, params)
}

/// Collects `scope` and each role's account with their DNS documents when `dns` is on
/// ([`collect_accounts_with`]), loads and checks them with `params`: the one path of the CLI's
/// `check --live`, the Config rule and the change alerts.
pub async fn collect_and_check_accounts(
    own: &Clients,
    others: &[(AssumedRole, Clients)],
    scope: &Scope,
    dns: Dns,
    params: &RuleParameters,
    progress: &Progress<'_>,
) -> Result<Checked, LiveError> {
    // Each page of the large list calls is loaded as it arrives and dropped: no JSON document
    // of a whole call, nor the SDK's answers, are held (issue 18).
    let loader = Loader::default();
    // Boxed: the nested collection futures are deep enough to overflow the compiler's query
    // depth in the functions' async `main`.
    let collecting = collect_accounts_into(own, others, scope, dns, progress, Some(&loader));
    let collected = Box::pin(collecting).await?;
    check_loaded(loader, collected, params)
}

/// Like [`collect_and_check`] for the caller's account alone, with the DNS documents
/// ([`collect_with_dns`]): names are resolved, and the pairs of a VPC follow what its names
/// resolve to. The front ends use [`collect_and_check_accounts`].
pub async fn collect_and_check_with_dns(
    clients: &Clients,
    scope: &Scope,
    params: &RuleParameters,
    progress: &Progress<'_>,
) -> Result<Checked, LiveError> {
    check_collected(collect_with_dns(clients, scope, progress).await?, params)
}

/// Loads and checks a collected snapshot.
fn check_collected(
    collected: crate::Snapshot,
    params: &RuleParameters,
) -> Result<Checked, LiveError> {
    check_loaded(Loader::default(), collected, params)
}

/// Finishes the snapshot `loader` holds (the pages loaded during the collection) with the
/// documents collected whole, and checks it.
fn check_loaded(
    loader: Loader,
    collected: crate::Snapshot,
    params: &RuleParameters,
) -> Result<Checked, LiveError> {
    let scope = collected.scope;
    let snapshot = loader
        .finish(collected.documents)
        .map_err(LiveError::Load)?;
    let mut report = vpce_reach_model::check(&snapshot, params);
    // A collection writes every describe output, so this adds nothing today; should a
    // collector ever leave one out, its pairs are unproven rather than COMPLIANT.
    report.missing.extend(snapshot.coverage.gaps(&report));
    Ok(Checked {
        snapshot,
        report,
        scope,
    })
}
