//! Collects a snapshot live, runs the model on it, and keeps the evaluations of the scope.

use vpce_reach_aws::{Checked, OneLine, Scope};
use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::Report;
use vpce_reach_model::RuleParameters;
use vpce_reach_model::{AccountId, Evaluation};

use crate::error::RuleError;
use crate::handler::Clients;

/// Evaluates every resource of the evaluated types in `scope` (one VPC, or the region).
///
/// Fails, with nothing evaluated, when any describe call fails: a partial snapshot could make
/// a blocking resource look compliant.
///
/// `clients.others`' accounts are read whole too, every account with its DNS documents unless
/// `clients.dns` is off; `caller` (the rule's account) keeps the
/// evaluations to its own resources (docs/spec.md section 5).
pub async fn evaluate(
    clients: &Clients,
    caller: Option<&AccountId>,
    scope: &Scope,
    params: &RuleParameters,
) -> Result<Vec<Evaluation>, RuleError> {
    let progress = |line: &str| tracing::debug!(step = %OneLine(line), "collected");
    let Checked {
        snapshot,
        report,
        scope,
    } = vpce_reach_aws::collect_and_check_accounts(
        &clients.aws,
        &clients.others,
        scope,
        clients.dns,
        params,
        &progress,
    )
    .await?;
    Ok(scoped_evaluations(&snapshot, &report, &scope, caller))
}

/// The evaluations of `report` on `snap`, restricted to the resources of the VPCs in `scope`
/// (with the VPCs linked to it: a change in a spoke re-evaluates its hub, and the hub's its
/// spokes). A resource of several VPCs (a peering connection, a TGW route table, a hosted
/// zone) is kept when the scope covers one of them: the collection held every VPC linked to
/// it, so its verdict is whole. A resource the snapshot links to no VPC (a TGW route table
/// nothing is associated with, a zone without association) is left to the scheduled run.
/// The collection is already filtered by VPC; this also keeps a resource of another VPC that
/// a filter let through from being judged on a snapshot that does not hold its VPC.
pub fn scoped_evaluations(
    snap: &Snapshot,
    report: &Report,
    scope: &Scope,
    caller: Option<&AccountId>,
) -> Vec<Evaluation> {
    let evaluations = vpce_reach_model::evaluations_for(snap, report, caller);
    if scope.vpc_ids.is_empty() {
        return evaluations;
    }
    let vpc_of = vpce_reach_model::resource_vpcs(snap);
    evaluations
        .into_iter()
        .filter(|e| {
            vpc_of
                .get(e.compliance_resource_id.as_str())
                .is_some_and(|vpcs| vpcs.iter().any(|v| scope.covers(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use vpce_reach_model::snapshot::load;

    fn demo() -> Snapshot {
        let dir = vpce_reach_testkit::workspace_root().join("events/demo");
        load::load_dir(&dir).unwrap()
    }

    #[test]
    fn a_vpc_scope_keeps_exactly_that_vpcs_resources() {
        let snap = demo();
        let report = vpce_reach_model::check(&snap, &RuleParameters::default());
        let all = scoped_evaluations(&snap, &report, &Scope::region(), None);
        let vpc = snap.vpcs.keys().next().unwrap().clone();
        let scoped = scoped_evaluations(&snap, &report, &Scope::vpcs([vpc.as_str()]), None);
        let vpcs = vpce_reach_model::resource_vpcs(&snap);
        let expected: Vec<_> = all
            .iter()
            .filter(|e| {
                vpcs.get(e.compliance_resource_id.as_str())
                    .is_some_and(|v| v.contains(vpc.as_str()))
            })
            .cloned()
            .collect();
        assert!(!scoped.is_empty() && scoped.len() < all.len());
        assert_eq!(scoped, expected);
    }
}
