//! Collects a snapshot live, runs the model on it, and keeps the evaluations of the scope.

use std::collections::BTreeMap;

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
/// `clients.others`' accounts are read whole too; `caller` (the rule's account) keeps the
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
    } = vpce_reach_aws::collect_and_check(&clients.ec2, &clients.others, scope, params, &progress)
        .await?;
    Ok(scoped_evaluations(&snapshot, &report, &scope, caller))
}

/// The evaluations of `report` on `snap`, restricted to the resources of the VPCs in `scope`
/// (with the VPCs linked to it: a change in a spoke re-evaluates its hub, and the hub's its
/// spokes).
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
    let vpc_of = resource_vpcs(snap);
    evaluations
        .into_iter()
        .filter(|e| {
            vpc_of
                .get(e.compliance_resource_id.as_str())
                .is_some_and(|v| scope.covers(v))
        })
        .collect()
}

/// The VPC of every evaluated resource of the snapshot. The collection is already filtered by
/// VPC; this keeps a resource of another VPC that a filter let through from being judged on
/// a snapshot that does not hold its VPC.
fn resource_vpcs(snap: &Snapshot) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    out.extend(
        snap.vpc_endpoints
            .iter()
            .map(|(id, r)| (id.as_str(), r.vpc_id.as_str())),
    );
    out.extend(
        snap.security_groups
            .iter()
            .filter_map(|(id, r)| Some((id.as_str(), r.vpc_id.as_deref()?))),
    );
    out.extend(
        snap.network_acls
            .iter()
            .map(|(id, r)| (id.as_str(), r.vpc_id.as_str())),
    );
    out.extend(
        snap.route_tables
            .iter()
            .map(|(id, r)| (id.as_str(), r.vpc_id.as_str())),
    );
    out.extend(snap.vpcs.keys().map(|id| (id.as_str(), id.as_str())));
    out
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
        let vpcs = resource_vpcs(&snap);
        let expected: Vec<_> = all
            .iter()
            .filter(|e| vpcs[e.compliance_resource_id.as_str()] == vpc)
            .cloned()
            .collect();
        assert!(!scoped.is_empty() && scoped.len() < all.len());
        assert_eq!(scoped, expected);
    }
}
