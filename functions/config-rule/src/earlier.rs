//! What Config already holds for this rule: every resource's last verdict, read with
//! `GetComplianceDetailsByConfigRule`. Two decisions use it: stale verdicts are withdrawn
//! ([`crate::stale`]), and evaluations Config already holds unchanged are not put again
//! ([`Earlier::skip_unchanged`]): Config bills every evaluation recorded, and a periodic run
//! on a large account would otherwise put thousands of identical ones (docs/config-rule.md,
//! "Only what changed is put").

use std::collections::BTreeMap;

use aws_sdk_config::types::ComplianceType as ConfigComplianceType;
use aws_sdk_config::Client;
use vpce_reach_model::{ComplianceType, Evaluation};

use vpce_reach_aws::{CallError, Service};

use crate::error::RuleError;

/// The most results Config returns per page (its default is 10: 25 pages for 250 resources).
const PAGE_LIMIT: i32 = 100;

/// A resource's last verdict as Config holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `COMPLIANT`, `NON_COMPLIANT` or `NOT_APPLICABLE`.
    pub compliance_type: ComplianceType,
    /// The annotation Config stored (absent: empty).
    pub annotation: String,
}

/// Every resource's last verdict for the rule, by (resource type, resource id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Earlier {
    /// By resource type, then resource id (looked up with borrowed strings).
    verdicts: BTreeMap<String, BTreeMap<String, Verdict>>,
}

impl Earlier {
    /// Builds from (type, id, verdict) triples (what Config's pages hold; tests too).
    pub fn from_verdicts(verdicts: impl IntoIterator<Item = (String, String, Verdict)>) -> Self {
        let mut earlier = Earlier::default();
        for (kind, id, v) in verdicts {
            earlier.verdicts.entry(kind).or_default().insert(id, v);
        }
        earlier
    }

    /// The resources Config holds a verdict for, with it.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Verdict)> {
        self.verdicts.iter().flat_map(|(kind, ids)| {
            ids.iter()
                .map(move |(id, v)| (kind.as_str(), id.as_str(), v))
        })
    }

    /// Removes from `evaluations` those Config already holds with the same compliance type
    /// and annotation, and returns how many were removed. A resource Config holds no verdict
    /// for (a first run, a new resource, a verdict Config dropped) is kept.
    pub fn skip_unchanged(&self, evaluations: &mut Vec<Evaluation>) -> usize {
        let before = evaluations.len();
        evaluations.retain(|e| !self.holds(e));
        before - evaluations.len()
    }

    /// True when Config holds exactly this verdict for this resource.
    fn holds(&self, e: &Evaluation) -> bool {
        let held = self
            .verdicts
            .get(&e.compliance_resource_type)
            .and_then(|ids| ids.get(&e.compliance_resource_id));
        held.is_some_and(|v| v.compliance_type == e.compliance_type && v.annotation == e.annotation)
    }
}

/// Reads every verdict Config holds for `rule_name`, page by page.
pub async fn read(config: &Client, rule_name: &str) -> Result<Earlier, RuleError> {
    let mut verdicts = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = config
            .get_compliance_details_by_config_rule()
            .config_rule_name(rule_name)
            .compliance_types(ConfigComplianceType::Compliant)
            .compliance_types(ConfigComplianceType::NonCompliant)
            .compliance_types(ConfigComplianceType::NotApplicable)
            .limit(PAGE_LIMIT)
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
        verdicts.extend(page.evaluation_results().iter().filter_map(verdict_of));
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => return Ok(Earlier::from_verdicts(verdicts)),
        }
    }
}

/// One result as (type, id, verdict); results without a resource or with a compliance type
/// the rule never puts (`INSUFFICIENT_DATA`) are left out, so their resources are put again.
fn verdict_of(
    result: &aws_sdk_config::types::EvaluationResult,
) -> Option<(String, String, Verdict)> {
    let q = result
        .evaluation_result_identifier()?
        .evaluation_result_qualifier()?;
    let compliance_type = match result.compliance_type()? {
        ConfigComplianceType::Compliant => ComplianceType::Compliant,
        ConfigComplianceType::NonCompliant => ComplianceType::NonCompliant,
        ConfigComplianceType::NotApplicable => ComplianceType::NotApplicable,
        _ => return None,
    };
    Some((
        q.resource_type()?.to_owned(),
        q.resource_id()?.to_owned(),
        Verdict {
            compliance_type,
            annotation: result.annotation().unwrap_or_default().to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(id: &str, t: ComplianceType, annotation: &str) -> Evaluation {
        Evaluation {
            compliance_resource_type: "AWS::EC2::SecurityGroup".into(),
            compliance_resource_id: id.into(),
            compliance_type: t,
            annotation: annotation.into(),
        }
    }

    fn held(id: &str, t: ComplianceType, annotation: &str) -> (String, String, Verdict) {
        (
            "AWS::EC2::SecurityGroup".into(),
            id.into(),
            Verdict {
                compliance_type: t,
                annotation: annotation.into(),
            },
        )
    }

    #[test]
    fn only_evaluations_config_holds_identically_are_skipped() {
        use ComplianceType::*;
        let earlier = Earlier::from_verdicts([
            held("sg-same", Compliant, "ok"),
            held("sg-type", Compliant, "ok"),
            held("sg-text", NonCompliant, "blocks 3 pairs"),
        ]);
        let mut current = vec![
            evaluation("sg-same", Compliant, "ok"),
            evaluation("sg-type", NonCompliant, "ok"),
            evaluation("sg-text", NonCompliant, "blocks 4 pairs"),
            evaluation("sg-new", Compliant, "ok"),
        ];
        assert_eq!(earlier.skip_unchanged(&mut current), 1);
        let ids: Vec<&str> = current
            .iter()
            .map(|e| e.compliance_resource_id.as_str())
            .collect();
        assert_eq!(ids, ["sg-type", "sg-text", "sg-new"]);
    }

    #[test]
    fn nothing_is_skipped_on_a_first_run() {
        let mut current = vec![evaluation("sg-1", ComplianceType::Compliant, "")];
        assert_eq!(Earlier::default().skip_unchanged(&mut current), 0);
        assert_eq!(current.len(), 1);
    }
}
