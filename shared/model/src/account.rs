//! Accounts (docs/spec.md sections 4 and 5): which AWS account a blamed component belongs to,
//! and the account whose credentials run the check (the *caller*).
//!
//! A snapshot may span accounts (a subdirectory per account, issue 14). AWS Config takes
//! evaluations for the calling account's resources only, so the caller's evaluations leave out
//! other accounts' resources, and a finding on another account's component names that account.
//! Ownership comes from the owner ids the describe outputs carry: a component inside a VPC
//! (security group, network ACL, route table, endpoint, subnet, ENI) belongs to its VPC's
//! `OwnerId`; a TGW to its `OwnerId` and a TGW route table to its TGW's; a TGW attachment to
//! the attached VPC's account (`VpcOwnerId`/`ResourceOwnerId`: the VPC owner creates and
//! modifies the attachment); a peering connection to both of its sides; a hosted zone to the
//! owner `list-hosted-zones-by-vpc` names. A component whose
//! owner the snapshot does not say is taken to be the caller's, as before accounts were known.

use std::fmt;
use std::str::FromStr;

use crate::snapshot::Snapshot;

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

/// Why a text is not an account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountIdError(String);

impl fmt::Display for AccountIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an AWS account id (12 digits)", self.0)
    }
}

impl std::error::Error for AccountIdError {}

impl FromStr for AccountId {
    type Err = AccountIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(text.to_string()))
        } else {
            Err(AccountIdError(text.to_string()))
        }
    }
}

impl AccountId {
    /// The id as AWS spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The accounts a component belongs to: one, or two for a peering connection between accounts.
/// Empty when the snapshot does not say.
fn owners<'a>(snap: &'a Snapshot, id: &str) -> Vec<&'a str> {
    if let Some(pcx) = snap.vpc_peerings.get(id) {
        let sides = [&pcx.requester_vpc_info, &pcx.accepter_vpc_info];
        return sides
            .into_iter()
            .flatten()
            .filter_map(|side| {
                side.owner_id
                    .as_deref()
                    .or_else(|| vpc_owner(snap, side.vpc_id.as_deref()?))
            })
            .collect();
    }
    single_owner(snap, id).into_iter().collect()
}

/// The owner of a component that has one.
fn single_owner<'a>(snap: &'a Snapshot, id: &str) -> Option<&'a str> {
    // A hosted zone's owner, as `list-hosted-zones-by-vpc` names it (docs/spec.md D9).
    if let Some(owner) = snap.dns.zone_owners.get(id) {
        return Some(owner);
    }
    if let Some(tgw) = snap.transit_gateways.get(id) {
        return tgw.owner_id.as_deref();
    }
    if let Some(table) = snap.tgw_route_tables.get(id) {
        let tgw = snap
            .transit_gateways
            .get(table.transit_gateway_id.as_deref()?)?;
        return tgw.owner_id.as_deref();
    }
    if snap.tgw_vpc_attachments.contains_key(id) || snap.tgw_attachments.contains_key(id) {
        return attachment_owner(snap, id);
    }
    vpc_owner(snap, vpc_of(snap, id)?)
}

/// A TGW attachment's account: the attached VPC's.
fn attachment_owner<'a>(snap: &'a Snapshot, id: &str) -> Option<&'a str> {
    let vpc_attachment = snap.tgw_vpc_attachments.get(id);
    let attachment = snap.tgw_attachments.get(id);
    vpc_attachment
        .and_then(|a| a.vpc_owner_id.as_deref())
        .or_else(|| attachment.and_then(|a| a.resource_owner_id.as_deref()))
        .or_else(|| vpc_owner(snap, &vpc_attachment?.vpc_id))
}

/// The VPC of a component inside one (or the VPC itself).
fn vpc_of<'a>(snap: &'a Snapshot, id: &'a str) -> Option<&'a str> {
    if snap.vpcs.contains_key(id) {
        return Some(id);
    }
    let vpc = snap
        .security_groups
        .get(id)
        .and_then(|r| r.vpc_id.as_deref())
        .or_else(|| snap.network_acls.get(id).map(|r| r.vpc_id.as_str()))
        .or_else(|| snap.route_tables.get(id).map(|r| r.vpc_id.as_str()))
        .or_else(|| snap.vpc_endpoints.get(id).map(|r| r.vpc_id.as_str()))
        .or_else(|| snap.subnets.get(id).map(|r| r.vpc_id.as_str()))
        .or_else(|| snap.network_interfaces.get(id).map(|r| r.vpc_id.as_str()));
    vpc
}

fn vpc_owner<'a>(snap: &'a Snapshot, vpc: &str) -> Option<&'a str> {
    snap.vpcs.get(vpc)?.owner_id.as_deref()
}

/// The account `component` belongs to when the snapshot says it is not `caller`'s: `None` for
/// the caller's own components and for those whose owner is unknown. A peering connection with
/// the caller on either side is the caller's; between two other accounts, it names the
/// requester's.
pub fn foreign_account<'a>(
    snap: &'a Snapshot,
    component: &str,
    caller: &AccountId,
) -> Option<&'a str> {
    let owners = owners(snap, component);
    if owners.iter().any(|o| *o == caller.as_str()) {
        return None;
    }
    owners.first().copied()
}

/// Sets the `account` of every finding whose component belongs to another account than
/// `caller` (docs/spec.md section 8); the caller's own findings keep none.
pub fn name_accounts(snap: &Snapshot, report: &mut crate::Report, caller: &AccountId) {
    for finding in &mut report.findings {
        finding.account = foreign_account(snap, &finding.component, caller).map(Into::into);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert_eq!(
            "123456789012".parse::<AccountId>().unwrap().as_str(),
            "123456789012"
        );
        for bad in ["", "12345678901", "1234567890123", "12345678901x"] {
            let err = bad.parse::<AccountId>().unwrap_err();
            assert!(err.to_string().contains("12 digits"), "{err}");
        }
    }
}
