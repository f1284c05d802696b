//! The Lambda deadline, checked before each alert is published.
//!
//! Lambda kills an invocation that reaches its deadline, and SQS then delivers the whole batch
//! again: every alert already published would be published twice. So before each `Publish`
//! (and before the optional Config re-run) the handler checks that the time left covers a
//! margin plus one call's budget; when it does not, the records whose alerts are still
//! unpublished are returned as batch item failures, and only they are delivered again.

use std::time::{Duration, SystemTime};

/// Time kept free before the deadline: the runtime still has to return the batch response.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(2);

/// Time budgeted for one SNS `Publish` (or the Config re-run), the SDK's retries included.
pub const CALL_BUDGET: Duration = Duration::from_secs(5);

/// The deadline is too close for one more call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the Lambda deadline leaves {:.1} s, {:.1} s needed ({} s margin + {} s for the call): \
     not called; raise the function's Timeout if this recurs",
    remaining.as_secs_f64(),
    needed.as_secs_f64(),
    DEADLINE_MARGIN.as_secs(),
    CALL_BUDGET.as_secs()
)]
pub struct TooClose {
    /// Time left before the deadline.
    pub remaining: Duration,
    /// Time the call needs: [`DEADLINE_MARGIN`] + [`CALL_BUDGET`].
    pub needed: Duration,
}

/// Fails unless `deadline`, seen from `now`, leaves [`DEADLINE_MARGIN`] plus [`CALL_BUDGET`].
pub fn time_for_one_call(now: SystemTime, deadline: SystemTime) -> Result<(), TooClose> {
    let remaining = deadline.duration_since(now).unwrap_or(Duration::ZERO);
    let needed = DEADLINE_MARGIN + CALL_BUDGET;
    if remaining >= needed {
        Ok(())
    } else {
        Err(TooClose { remaining, needed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_needs_the_margin_and_its_budget() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let needed = DEADLINE_MARGIN + CALL_BUDGET;
        assert_eq!(time_for_one_call(now, now + needed), Ok(()));
        let short = now + needed - Duration::from_millis(1);
        assert_eq!(
            time_for_one_call(now, short),
            Err(TooClose {
                remaining: needed - Duration::from_millis(1),
                needed
            })
        );
        // A deadline already past leaves nothing (no underflow).
        let past = time_for_one_call(now, now - Duration::from_secs(5)).unwrap_err();
        assert_eq!(past.remaining, Duration::ZERO);
        assert_eq!(
            past.to_string(),
            "the Lambda deadline leaves 0.0 s, 7.0 s needed (2 s margin + 5 s for the call): \
             not called; raise the function's Timeout if this recurs"
        );
    }
}
