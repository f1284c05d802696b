//! `PutEvaluations`: batches of at most 100, rejected evaluations retried a bounded number of
//! times, `TestMode` for the `TESTMODE` result token (Config's console "test" invocations).

use std::time::Duration;

use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use aws_sdk_config::types::{ComplianceType, Evaluation as ConfigEvaluation};
use aws_sdk_config::Client;
use vpce_reach_model::compliance::Evaluation;

use crate::error::{CallError, RuleError};

/// The most evaluations Config accepts in one `PutEvaluations` call.
pub const BATCH_SIZE: usize = 100;

/// How many times evaluations listed in `FailedEvaluations` are sent again.
pub const MAX_RETRIES: usize = 3;

/// The result token of a test invocation: evaluations are validated, not recorded.
pub const TEST_TOKEN: &str = "TESTMODE";

/// The pause before the first resend; doubled before each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// What was put.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutSummary {
    /// `PutEvaluations` calls made, resends included.
    pub calls: usize,
    /// Evaluations sent again after Config listed them in `FailedEvaluations`.
    pub resent: usize,
}

/// Parses a Config timestamp (`2026-01-02T03:04:05.678Z`) for `OrderingTimestamp`.
pub fn parse_timestamp(text: &str) -> Result<DateTime, RuleError> {
    DateTime::from_str(text, DateTimeFormat::DateTime)
        .map_err(|e| RuleError::BadEvent(format!("timestamp `{text}`: {e}")))
}

/// Puts every evaluation, stamped with `ordering`, in batches of at most [`BATCH_SIZE`].
pub async fn put_all(
    config: &Client,
    token: &str,
    ordering: DateTime,
    evaluations: &[Evaluation],
) -> Result<PutSummary, RuleError> {
    let batches: Vec<Vec<ConfigEvaluation>> = evaluations
        .chunks(BATCH_SIZE)
        .map(|chunk| chunk.iter().map(|e| to_config(e, ordering)).collect())
        .collect();
    let mut summary = PutSummary::default();
    let count = batches.len();
    for (n, batch) in batches.into_iter().enumerate() {
        put_batch(
            config,
            token,
            batch,
            &format!("batch {} of {count}", n + 1),
            &mut summary,
        )
        .await?;
    }
    Ok(summary)
}

/// One batch, resending what Config rejected until it is accepted or the retries run out.
async fn put_batch(
    config: &Client,
    token: &str,
    mut pending: Vec<ConfigEvaluation>,
    label: &str,
    summary: &mut PutSummary,
) -> Result<(), RuleError> {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 0..=MAX_RETRIES {
        if attempt > 0 {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
            summary.resent += pending.len();
        }
        summary.calls += 1;
        let failed = send(config, token, pending.clone(), label).await?;
        if failed.is_empty() {
            return Ok(());
        }
        pending.retain(|e| failed.iter().any(|f| same_resource(e, f)));
    }
    Err(RuleError::Rejected {
        count: pending.len(),
        resources: pending
            .iter()
            .take(10)
            .map(|e| e.compliance_resource_id().to_owned())
            .collect(),
    })
}

/// One `PutEvaluations` call; returns the evaluations Config did not accept.
async fn send(
    config: &Client,
    token: &str,
    batch: Vec<ConfigEvaluation>,
    label: &str,
) -> Result<Vec<ConfigEvaluation>, RuleError> {
    let out = config
        .put_evaluations()
        .result_token(token)
        .set_evaluations(Some(batch))
        .test_mode(token == TEST_TOKEN)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("config:PutEvaluations", label, e))?;
    Ok(out.failed_evaluations().to_vec())
}

fn same_resource(a: &ConfigEvaluation, b: &ConfigEvaluation) -> bool {
    a.compliance_resource_id() == b.compliance_resource_id()
        && a.compliance_resource_type() == b.compliance_resource_type()
}

/// The model's evaluation as Config's type.
fn to_config(e: &Evaluation, ordering: DateTime) -> ConfigEvaluation {
    ConfigEvaluation::builder()
        .compliance_resource_type(&e.compliance_resource_type)
        .compliance_resource_id(&e.compliance_resource_id)
        .compliance_type(ComplianceType::from(e.compliance_type.as_str()))
        .annotation(&e.annotation)
        .ordering_timestamp(ordering)
        .build()
        // The three required fields are always set above.
        .expect("evaluation has type, id and timestamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_and_without_fractions() {
        assert_eq!(
            parse_timestamp("2026-01-02T03:04:05.678Z").unwrap().secs(),
            1_767_323_045
        );
        assert_eq!(
            parse_timestamp("2026-01-02T03:04:05Z")
                .unwrap()
                .subsec_nanos(),
            0
        );
        assert!(matches!(
            parse_timestamp("yesterday"),
            Err(RuleError::BadEvent(_))
        ));
    }
}
