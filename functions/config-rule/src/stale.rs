//! Stale verdicts: a resource deleted between two scheduled runs keeps its last evaluation in
//! Config until someone overwrites it. Scheduled runs put `NOT_APPLICABLE` for every resource
//! that still carries a verdict but is gone from the snapshot.

use std::collections::BTreeSet;

use aws_sdk_config::types::ComplianceType as ConfigComplianceType;
use aws_sdk_config::Client;
use vpce_reach_model::{ComplianceType, Evaluation, RESOURCE_TYPES};

use vpce_reach_aws::{CallError, Service};

use crate::error::RuleError;

/// The annotation of a stale resource's `NOT_APPLICABLE`.
pub const STALE_ANNOTATION: &str =
    "no longer in the region's snapshot (deleted): its earlier verdict is withdrawn";

/// The resources the rule evaluated `COMPLIANT` or `NON_COMPLIANT` earlier, as (type, id).
/// Resources already `NOT_APPLICABLE` need nothing.
pub async fn earlier_verdicts(
    config: &Client,
    rule_name: &str,
) -> Result<BTreeSet<(String, String)>, RuleError> {
    let mut out = BTreeSet::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = config
            .get_compliance_details_by_config_rule()
            .config_rule_name(rule_name)
            .compliance_types(ConfigComplianceType::Compliant)
            .compliance_types(ConfigComplianceType::NonCompliant)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| {
                CallError::from_sdk(
                    Service::Config,
                    "GetComplianceDetailsByConfigRule",
                    rule_name,
                    e,
                )
            })?;
        let qualifiers = page.evaluation_results().iter().filter_map(|r| {
            r.evaluation_result_identifier()?
                .evaluation_result_qualifier()
        });
        for q in qualifiers {
            if let (Some(kind), Some(id)) = (q.resource_type(), q.resource_id()) {
                out.insert((kind.to_owned(), id.to_owned()));
            }
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => return Ok(out),
        }
    }
}

/// `NOT_APPLICABLE` for every earlier verdict on a resource of an evaluated type that
/// `current` (the whole region's evaluations) no longer holds.
pub fn withdrawals(
    earlier: &BTreeSet<(String, String)>,
    current: &[Evaluation],
) -> Vec<Evaluation> {
    let present: BTreeSet<(&str, &str)> = current
        .iter()
        .map(|e| {
            (
                e.compliance_resource_type.as_str(),
                e.compliance_resource_id.as_str(),
            )
        })
        .collect();
    earlier
        .iter()
        .filter(|(kind, id)| {
            RESOURCE_TYPES.contains(&kind.as_str())
                && !present.contains(&(kind.as_str(), id.as_str()))
        })
        .map(|(kind, id)| not_applicable(kind, id, STALE_ANNOTATION))
        .collect()
}

/// A `NOT_APPLICABLE` evaluation.
pub fn not_applicable(kind: &str, id: &str, annotation: &str) -> Evaluation {
    Evaluation {
        compliance_resource_type: kind.to_owned(),
        compliance_resource_id: id.to_owned(),
        compliance_type: ComplianceType::NotApplicable,
        annotation: annotation.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_gone_resources_of_evaluated_types_are_withdrawn() {
        let earlier: BTreeSet<(String, String)> = [
            ("AWS::EC2::SecurityGroup", "sg-kept"),
            ("AWS::EC2::SecurityGroup", "sg-gone"),
            ("AWS::EC2::Instance", "i-other"),
        ]
        .iter()
        .map(|(k, i)| (k.to_string(), i.to_string()))
        .collect();
        let current = vec![not_applicable("AWS::EC2::SecurityGroup", "sg-kept", "x")];
        let out = withdrawals(&earlier, &current);
        assert_eq!(
            out,
            vec![not_applicable(
                "AWS::EC2::SecurityGroup",
                "sg-gone",
                STALE_ANNOTATION
            )]
        );
    }
}
