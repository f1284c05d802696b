//! Stale verdicts: a resource deleted between two scheduled runs keeps its last evaluation in
//! Config until someone overwrites it. Scheduled runs put `NOT_APPLICABLE` for every resource
//! that still carries a verdict but is gone from the snapshot.

use std::collections::BTreeSet;

use vpce_reach_model::{ComplianceType, Evaluation, RESOURCE_TYPES};

use crate::earlier::Earlier;

/// The annotation of a stale resource's `NOT_APPLICABLE`.
pub const STALE_ANNOTATION: &str =
    "no longer in the region's snapshot (deleted): its earlier verdict is withdrawn";

/// `NOT_APPLICABLE` for every earlier `COMPLIANT` or `NON_COMPLIANT` verdict on a resource of
/// an evaluated type that `current` (the whole region's evaluations) no longer holds.
/// Resources already `NOT_APPLICABLE` need nothing.
pub fn withdrawals(earlier: &Earlier, current: &[Evaluation]) -> Vec<Evaluation> {
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
        .filter(|(kind, id, verdict)| {
            verdict.compliance_type != ComplianceType::NotApplicable
                && RESOURCE_TYPES.contains(kind)
                && !present.contains(&(*kind, *id))
        })
        .map(|(kind, id, _)| not_applicable(kind, id, STALE_ANNOTATION))
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

    use crate::earlier::Verdict;

    #[test]
    fn only_gone_resources_of_evaluated_types_are_withdrawn() {
        let verdict = |t| Verdict {
            compliance_type: t,
            annotation: String::new(),
        };
        let earlier = Earlier::from_verdicts(
            [
                (
                    "AWS::EC2::SecurityGroup",
                    "sg-kept",
                    ComplianceType::Compliant,
                ),
                (
                    "AWS::EC2::SecurityGroup",
                    "sg-gone",
                    ComplianceType::NonCompliant,
                ),
                (
                    "AWS::EC2::SecurityGroup",
                    "sg-withdrawn",
                    ComplianceType::NotApplicable,
                ),
                ("AWS::EC2::Instance", "i-other", ComplianceType::Compliant),
            ]
            .into_iter()
            .map(|(k, i, t)| (k.to_string(), i.to_string(), verdict(t))),
        );
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
