//! `PutEvaluations`: batches of at most 100, rejected evaluations retried a bounded number of
//! times, `TestMode` for the `TESTMODE` result token (Config's console "test" invocations).
//!
//! The Lambda deadline is checked before the first batch (is there time for all of them?) and
//! before each further one: a run that could only put part of its evaluations stops with an
//! error instead of being killed halfway.

use std::time::{Duration, SystemTime};

use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use aws_sdk_config::types::{ComplianceType, Evaluation as ConfigEvaluation};
use aws_sdk_config::Client;
use vpce_reach_model::Evaluation;

use vpce_reach_aws::{CallError, Service};

use crate::error::RuleError;

/// The most evaluations Config accepts in one `PutEvaluations` call.
pub const BATCH_SIZE: usize = 100;

/// How many times evaluations listed in `FailedEvaluations` are sent again.
pub const MAX_RETRIES: usize = 3;

/// The result token of a test invocation: evaluations are validated, not recorded.
pub const TEST_TOKEN: &str = "TESTMODE";

/// The pause before the first resend; doubled before each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Time kept free before the Lambda deadline (the runtime still has to return the result);
/// the same margin bounds every AWS call of the invocation ([`vpce_reach_aws::until`]).
pub const DEADLINE_MARGIN: Duration = vpce_reach_aws::DEADLINE_MARGIN;

/// Time budgeted per batch: the call, its SDK retries and the resends of rejected evaluations.
/// The shipped retries ([`vpce_reach_aws::CallLimits::SHIPPED`]) wait less than 1.5 s in all
/// for a throttled call; the call itself is cut at the deadline's margin in any case.
pub const BATCH_BUDGET: Duration = Duration::from_secs(3);

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

/// Fails unless `deadline` leaves [`DEADLINE_MARGIN`] plus [`BATCH_BUDGET`] per batch still to
/// put (`left` of `total`), measured from `now`.
pub fn time_left(
    now: SystemTime,
    deadline: SystemTime,
    left: usize,
    total: usize,
) -> Result<(), RuleError> {
    let remaining = deadline.duration_since(now).unwrap_or(Duration::ZERO);
    let needed = DEADLINE_MARGIN + BATCH_BUDGET * u32::try_from(left).unwrap_or(u32::MAX);
    if remaining >= needed {
        return Ok(());
    }
    Err(RuleError::Deadline {
        remaining,
        needed,
        next_batch: total - left + 1,
        total,
    })
}

/// Puts every evaluation, stamped with `ordering`, in batches of at most [`BATCH_SIZE`], as
/// long as `deadline` (the Lambda's) leaves time to put every remaining batch.
pub async fn put_all(
    config: &Client,
    token: &str,
    ordering: DateTime,
    evaluations: &[Evaluation],
    deadline: SystemTime,
) -> Result<PutSummary, RuleError> {
    let batches: Vec<Vec<ConfigEvaluation>> = evaluations
        .chunks(BATCH_SIZE)
        .map(|chunk| chunk.iter().map(|e| to_config(e, ordering)).collect())
        .collect();
    let mut summary = PutSummary::default();
    let count = batches.len();
    for (n, batch) in batches.into_iter().enumerate() {
        time_left(SystemTime::now(), deadline, count - n, count)?;
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
        .map_err(|e| CallError::from_sdk(Service::Config, "PutEvaluations", label, e))?;
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

    #[test]
    fn deadline_must_leave_time_for_every_remaining_batch() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let three = now + DEADLINE_MARGIN + BATCH_BUDGET * 3;
        assert!(time_left(now, three, 3, 3).is_ok());
        // Time for two batches only: refused before the first, so nothing is put.
        let two = now + DEADLINE_MARGIN + BATCH_BUDGET * 2;
        let err = time_left(now, two, 3, 3).unwrap_err();
        assert!(
            matches!(
                err,
                RuleError::Deadline {
                    next_batch: 1,
                    total: 3,
                    ..
                }
            ),
            "{err}"
        );
        // Already past: no panic on the negative difference.
        let err = time_left(now, now - Duration::from_secs(5), 1, 2).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("PutEvaluations")
                && text.contains("batch 2 of 2")
                && text.contains("Timeout"),
            "{text}"
        );
    }
}
