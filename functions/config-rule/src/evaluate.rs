//! Collects a snapshot live, runs the model on it, and keeps the evaluations of the scope.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use vpce_reach_aws::Scope;
use vpce_reach_model::snapshot::{load, Snapshot};
use vpce_reach_model::{check, evaluations, Evaluation, RuleParameters};

use crate::error::RuleError;

/// Evaluates every resource of the evaluated types in `scope` (one VPC, or the region).
///
/// Fails, with nothing evaluated, when any describe call fails: a partial snapshot could make
/// a blocking resource look compliant.
pub async fn evaluate(
    ec2: &Client,
    scope: &Scope,
    params: &RuleParameters,
) -> Result<Vec<Evaluation>, RuleError> {
    let progress = |line: &str| eprintln!("collect: {line}");
    let collected = vpce_reach_aws::collect(ec2, scope, &progress).await?;
    let snap = load::from_documents(collected.documents).map_err(RuleError::Load)?;
    Ok(evaluate_snapshot(&snap, scope, params))
}

/// The model's evaluations of `snap`, restricted to the resources of the VPCs in `scope`.
pub fn evaluate_snapshot(
    snap: &Snapshot,
    scope: &Scope,
    params: &RuleParameters,
) -> Vec<Evaluation> {
    let report = check(snap, params);
    let evaluations = evaluations(snap, &report);
    if scope.vpc_ids.is_empty() {
        return evaluations;
    }
    let vpc_of = resource_vpcs(snap);
    evaluations
        .into_iter()
        .filter(|e| {
            vpc_of
                .get(e.compliance_resource_id.as_str())
                .is_some_and(|v| scope.vpc_ids.iter().any(|s| s == v))
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

    fn demo() -> Snapshot {
        let dir = vpce_reach_testkit::workspace_root().join("events/demo");
        load::load_dir(&dir).unwrap()
    }

    #[test]
    fn a_vpc_scope_keeps_exactly_that_vpcs_resources() {
        let snap = demo();
        let params = RuleParameters::default();
        let all = evaluate_snapshot(&snap, &Scope::region(), &params);
        let vpc = snap.vpcs.keys().next().unwrap().clone();
        let scoped = evaluate_snapshot(&snap, &Scope::vpcs([vpc.as_str()]), &params);
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
