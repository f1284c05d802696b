//! Several accounts in one snapshot: the caller's own, and others read through IAM roles
//! (`--assume-role ARN`, the functions' `ASSUME_ROLE_ARNS`), typically the network account that
//! owns the hub VPC and the transit gateway.
//!
//! Each other account's documents go under a subdirectory named after the account id, the
//! layout docs/snapshot-format.md defines for multi-account snapshots ("Several accounts"):
//! resource ids are unique across accounts, so the model merges them into one snapshot.

use std::fmt;
use std::str::FromStr;

use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_ec2::config::SharedCredentialsProvider;
use aws_sdk_ec2::Client;

use crate::snapshot::{Loader, Pages};
use crate::{
    collect, collect_into, collect_with_dns_into, ec2_client, CallError, Clients, Progress, Scope,
    Snapshot,
};

/// The session name CloudTrail shows for the reads made through a role.
const SESSION_NAME: &str = "vpce-reach";

/// An IAM role of another account: `arn:<partition>:iam::<12-digit account>:role/<path/name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    arn: String,
    account: String,
}

/// A string that is not an IAM role ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an IAM role ARN (arn:aws:iam::<12-digit account id>:role/<name>): {0:?}")]
pub struct RoleArnError(pub String);

impl FromStr for AssumedRole {
    type Err = RoleArnError;

    fn from_str(arn: &str) -> Result<Self, Self::Err> {
        let bad = || RoleArnError(arn.to_owned());
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ["arn", partition, "iam", "", account, resource] = parts[..] else {
            return Err(bad());
        };
        let is_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        let name = resource.strip_prefix("role/").unwrap_or_default();
        if partition.is_empty() || !is_account || name.is_empty() {
            return Err(bad());
        }
        Ok(AssumedRole {
            arn: arn.to_owned(),
            account: account.to_owned(),
        })
    }
}

impl AssumedRole {
    /// The role's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The account the role belongs to: the subdirectory of its documents.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// An EC2 client acting in the role's account: `config`'s region, settings and credentials
    /// as the base that assumes the role.
    pub async fn client(&self, config: &SdkConfig) -> Client {
        ec2_client(&self.config(config).await).await
    }

    /// Every client of a collection with DNS data ([`Clients`]) acting in the role's account,
    /// with the [`CallLimits::SHIPPED`](crate::CallLimits::SHIPPED) timeouts and retries.
    pub async fn clients(&self, config: &SdkConfig) -> Clients {
        Clients::new(&self.config(config).await)
    }

    /// `config` with the role's credentials (assumed with `config`'s as the base).
    async fn config(&self, config: &SdkConfig) -> SdkConfig {
        let provider = AssumeRoleProvider::builder(&self.arn)
            .session_name(SESSION_NAME)
            .configure(&with_time_source(config))
            .build()
            .await;
        config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build()
    }
}

impl fmt::Display for AssumedRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// The role provider needs a time source (session names, expiry); a config built by hand (tests)
/// may lack one.
fn with_time_source(config: &SdkConfig) -> SdkConfig {
    if config.time_source().is_some() {
        return config.clone();
    }
    config
        .to_builder()
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .build()
}

/// The environment variable of both functions that names the other accounts' roles
/// (comma-separated role ARNs; empty or unset: none), template.yaml's `AssumeRoleArns`.
pub const ASSUME_ROLE_ARNS: &str = "ASSUME_ROLE_ARNS";

/// The roles of a comma-separated list of ARNs (`ASSUME_ROLE_ARNS`, `AssumeRoleArns`); blanks
/// around items and empty items are ignored, as CloudFormation joins an empty list to `""`.
pub fn parse_roles(list: &str) -> Result<Vec<AssumedRole>, RoleArnError> {
    list.split(',')
        .map(str::trim)
        .filter(|arn| !arn.is_empty())
        .map(str::parse)
        .collect()
}

/// Collects `scope` in the caller's account with `own`, then every VPC of each role's account
/// (the hub a scoped VPC reaches may be any of them) under `<account id>/`.
///
/// Any failed call fails the whole collection, naming the account and the role.
pub async fn collect_accounts(
    own: &Client,
    others: &[(AssumedRole, Client)],
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Snapshot, CallError> {
    let mut snapshot = collect(own, scope, progress).await?;
    for (role, client) in others {
        let theirs = collect(client, &Scope::region(), progress)
            .await
            .map_err(|e| e.through_role(role.account(), role.arn()))?;
        add_account(&mut snapshot, role, theirs, progress);
    }
    Ok(snapshot)
}

/// Whether a collection reads the DNS documents (docs/snapshot-format.md, "DNS"). On by
/// default in every front end: without DNS data a spoke served by a hub's zone looks like it
/// has no endpoint. `--no-dns` (CLI) and `CHECK_DNS=false` (the functions' `CheckDns`) turn it
/// off: EC2 only, the check as before issue 15.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dns {
    /// Route 53, Resolver, Profiles, DHCP option sets and endpoint services too.
    #[default]
    On,
    /// EC2's network documents only.
    Off,
}

/// The environment variable of both functions that turns DNS collection off: `false` (any case)
/// for [`Dns::Off`]; unset, empty or `true` for [`Dns::On`]. Template parameter `CheckDns`.
pub const NO_DNS: &str = "CHECK_DNS";

impl Dns {
    /// `CHECK_DNS`'s value: `true`/`false` (any case), empty or absent for the default.
    pub fn from_setting(value: Option<&str>) -> Result<Dns, String> {
        match value.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("true") => Ok(Dns::On),
            Some("false") => Ok(Dns::Off),
            Some(other) => Err(format!("{NO_DNS}: expected true or false, got {other:?}")),
        }
    }
}

/// Collects `scope` in the caller's account with `own`, then every VPC of each role's account
/// under `<account id>/`, with the DNS documents of every account when `dns` is on: a zone of
/// the network account associated with a spoke is then read whole through the network
/// account's role, and known (from the spoke's `ListHostedZonesByVPC`) but unreadable without
/// it (docs/spec.md D9).
///
/// Any failed call fails the whole collection, naming the account and the role.
pub async fn collect_accounts_with(
    own: &Clients,
    others: &[(AssumedRole, Clients)],
    scope: &Scope,
    dns: Dns,
    progress: &Progress<'_>,
) -> Result<Snapshot, CallError> {
    collect_accounts_into(own, others, scope, dns, progress, None).await
}

/// [`collect_accounts_with`], the pages of the large list calls loaded into `loader` as they
/// arrive when there is one (they are then absent from the documents returned).
pub(crate) async fn collect_accounts_into(
    own: &Clients,
    others: &[(AssumedRole, Clients)],
    scope: &Scope,
    dns: Dns,
    progress: &Progress<'_>,
    loader: Option<&Loader>,
) -> Result<Snapshot, CallError> {
    let pages = Pages::into_loader(loader, String::new());
    let mut snapshot = collect_one(own, scope, dns, progress, &pages).await?;
    for (role, clients) in others {
        let pages = Pages::into_loader(loader, format!("{}/", role.account()));
        let theirs = collect_one(clients, &Scope::region(), dns, progress, &pages)
            .await
            .map_err(|e| e.through_role(role.account(), role.arn()))?;
        add_account(&mut snapshot, role, theirs, progress);
    }
    Ok(snapshot)
}

/// One account's documents, with DNS or without, and always the provider side of the
/// endpoint services it hosts ([`load_balancers`](crate::load_balancers)): one call when it
/// hosts none, so no setting turns it off.
async fn collect_one(
    clients: &Clients,
    scope: &Scope,
    dns: Dns,
    progress: &Progress<'_>,
    pages: &Pages<'_>,
) -> Result<Snapshot, CallError> {
    // Boxed: the collection's nested futures are deep enough to overflow the compiler's
    // query depth in a caller's own async `main`.
    let mut snapshot = match dns {
        Dns::On => Box::pin(collect_with_dns_into(clients, scope, progress, pages)).await,
        Dns::Off => Box::pin(collect_into(&clients.ec2, scope, progress, pages)).await,
    }?;
    // After the network: `snapshot.scope` has the linked VPCs, whose NLBs are in scope too.
    let provider = crate::load_balancers::collect(clients, &snapshot.scope, progress);
    snapshot.documents.extend(Box::pin(provider).await?);
    Ok(snapshot)
}

/// Adds another account's documents under `<account id>/`.
fn add_account(
    snapshot: &mut Snapshot,
    role: &AssumedRole,
    theirs: Snapshot,
    progress: &Progress<'_>,
) {
    progress(&format!(
        "account {}: {} documents",
        role.account(),
        theirs.documents.len()
    ));
    let prefixed = theirs
        .documents
        .into_iter()
        .map(|(name, doc)| (format!("{}/{name}", role.account()), doc));
    snapshot.documents.extend(prefixed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists_are_comma_separated_and_may_be_empty() {
        assert_eq!(parse_roles("").unwrap(), vec![]);
        assert_eq!(parse_roles(" , ").unwrap(), vec![]);
        let roles =
            parse_roles("arn:aws:iam::111122223333:role/a, arn:aws:iam::444455556666:role/b")
                .unwrap();
        let accounts: Vec<&str> = roles.iter().map(AssumedRole::account).collect();
        assert_eq!(accounts, ["111122223333", "444455556666"]);
        let err = parse_roles("arn:aws:iam::111122223333:role/a,nope").unwrap_err();
        assert_eq!(err, RoleArnError("nope".into()));
    }

    #[test]
    fn role_arns_are_parsed_strictly() {
        let role: AssumedRole = "arn:aws:iam::111122223333:role/network/vpce-reach-read"
            .parse()
            .unwrap();
        assert_eq!(role.account(), "111122223333");
        assert_eq!(
            role.arn(),
            "arn:aws:iam::111122223333:role/network/vpce-reach-read"
        );
        let china: AssumedRole = "arn:aws-cn:iam::111122223333:role/r".parse().unwrap();
        assert_eq!(china.account(), "111122223333");
        for bad in [
            "",
            "111122223333",
            "arn:aws:iam::11112222333:role/r",
            "arn:aws:iam::111122223333:user/r",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:sts::111122223333:role/r",
            "arn:aws:iam:us-east-1:111122223333:role/r",
            "arn::iam::111122223333:role/r",
        ] {
            assert!(bad.parse::<AssumedRole>().is_err(), "{bad}");
        }
    }
}
