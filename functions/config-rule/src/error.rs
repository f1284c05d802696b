//! Why an invocation failed. Every variant says which call or input, which resource, and, when
//! AWS refused for lack of permission, which IAM action to grant; the cause is the variant's
//! [`source`](std::error::Error::source).
//!
//! Lambda reports a failed invocation with an `errorType` (in the function's error metrics,
//! its on-failure destination and the log): [`RuleError::error_type`] gives each failure a
//! stable name a user can act on (table in docs/config-rule.md), never a Rust type name.

use std::time::Duration;

use lambda_runtime::Diagnostic;
use vpce_reach_aws::{CallError, LiveError};
use vpce_reach_model::snapshot::load::LoadError;
use vpce_reach_model::ParamError;

/// The Config error code of a result token that is invalid or expired.
const INVALID_RESULT_TOKEN: &str = "InvalidResultTokenException";

/// Why an invocation failed; nothing was put (or, for [`RuleError::Deadline`], not everything).
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The event is not a Config custom-rule event the rule understands.
    #[error(
        "not a Config custom-rule event: {0}; nothing was evaluated. The function expects the \
         event AWS Config sends a custom rule (samples in events/config-rule/)"
    )]
    BadEvent(String),
    /// A rule parameter is unknown or malformed: nothing was evaluated.
    #[error("{0}; nothing was evaluated")]
    BadParameter(#[source] ParamError),
    /// An item of the `ASSUME_ROLE_ARNS` environment variable is not an IAM role ARN.
    #[error(
        "environment variable ASSUME_ROLE_ARNS: {0} (template parameter AssumeRoleArns: \
         comma-separated role ARNs, or empty); nothing was evaluated"
    )]
    BadRoles(#[source] vpce_reach_aws::RoleArnError),
    /// A setting of the function (an environment variable: `CHECK_DNS`, `PUT_UNCHANGED`) has
    /// a value it does not take; the text names the variable, the value and what it takes.
    #[error("environment variable {0}; nothing was evaluated")]
    BadSetting(String),
    /// A describe call of the snapshot collection failed after retries: nothing was put.
    #[error("{0}; nothing was put (no verdict on incomplete data)")]
    Collect(#[source] CallError),
    /// The collected documents could not be read as a snapshot.
    #[error("collected snapshot unreadable: {0}; nothing was put")]
    Load(#[source] LoadError),
    /// Another AWS call (a lookup, Config) failed after retries.
    #[error("{0}{advice}", advice = advice(.0))]
    Call(#[source] CallError),
    /// Config kept rejecting some evaluations after every retry.
    #[error(
        "PutEvaluations kept rejecting {count} evaluation(s) after retries: {}. Re-evaluate the \
         rule; if they are rejected again, check that Config records these resources",
        .resources.join(", ")
    )]
    Rejected {
        /// How many evaluations stayed rejected.
        count: usize,
        /// The first rejected resource ids.
        resources: Vec<String>,
    },
    /// The Lambda deadline left too little time to put the remaining evaluations: stopped
    /// before the next `PutEvaluations` instead of being killed in the middle.
    #[error(
        "PutEvaluations not called (batch {next_batch} of {total}): the Lambda deadline leaves \
         {:.1}s, {:.1}s needed to put the remaining batches; {}. Raise the function's Timeout \
         (template.yaml) or narrow the rule's scope",
        .remaining.as_secs_f64(),
        .needed.as_secs_f64(),
        put_so_far(*.next_batch)
    )]
    Deadline {
        /// Time left before the deadline.
        remaining: Duration,
        /// Time needed to put the remaining batches, margin included.
        needed: Duration,
        /// The batch that was not sent (1-based).
        next_batch: usize,
        /// Batches in all.
        total: usize,
    },
}

impl RuleError {
    /// The stable `errorType` Lambda reports for this failure: `InvalidEvent`,
    /// `InvalidParameter`, `AccessDenied`, `Throttled`, `AwsUnreachable`, `AwsCallFailed`,
    /// `InvalidResultToken`, `SnapshotUnreadable`, `EvaluationsRejected` or `DeadlineTooClose`.
    pub fn error_type(&self) -> &'static str {
        match self {
            RuleError::BadEvent(_) => "InvalidEvent",
            RuleError::BadParameter(_) | RuleError::BadRoles(_) | RuleError::BadSetting(_) => {
                "InvalidParameter"
            }
            RuleError::Call(e) if e.code.as_deref() == Some(INVALID_RESULT_TOKEN) => {
                "InvalidResultToken"
            }
            RuleError::Collect(e) | RuleError::Call(e) => e.failure().error_type(),
            RuleError::Load(_) => "SnapshotUnreadable",
            RuleError::Rejected { .. } => "EvaluationsRejected",
            RuleError::Deadline { .. } => "DeadlineTooClose",
        }
    }
}

/// What the runtime posts to the Runtime API's `/invocation/{id}/error`: the stable type and
/// the whole message.
impl From<RuleError> for Diagnostic {
    fn from(e: RuleError) -> Diagnostic {
        Diagnostic {
            error_type: e.error_type().to_owned(),
            error_message: e.to_string(),
        }
    }
}

/// What to do about a failed call when its code says more than the message: an invalid
/// result token is not the rule's fault.
fn advice(e: &CallError) -> &'static str {
    match e.code.as_deref() {
        Some(INVALID_RESULT_TOKEN) => {
            ". The resultToken is invalid or expired: the event is stale or was not sent by \
             Config. Nothing to fix in the rule; Config invokes it again on the next change or \
             schedule (re-evaluate the rule to run it now)"
        }
        _ => "",
    }
}

/// What a deadline stop left behind.
fn put_so_far(next_batch: usize) -> &'static str {
    if next_batch == 1 {
        "nothing was put"
    } else {
        "the earlier batches were put, the rest not"
    }
}

impl From<LiveError> for RuleError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::Collect(e) => RuleError::Collect(e),
            LiveError::Load(e) => RuleError::Load(e),
        }
    }
}

impl From<CallError> for RuleError {
    fn from(e: CallError) -> Self {
        RuleError::Call(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;
    use vpce_reach_aws::Service;

    fn put_failed(code: &str, message: &str) -> CallError {
        CallError::in_answer(
            Service::Config,
            "PutEvaluations",
            "batch 1 of 1",
            code,
            message,
        )
    }

    #[test]
    fn access_denied_names_the_action() {
        let e = RuleError::Call(put_failed("AccessDeniedException", "not authorized"));
        assert_eq!(
            e.to_string(),
            "Config PutEvaluations failed (batch 1 of 1): AccessDeniedException: not authorized. \
             Grant the IAM action config:PutEvaluations to the caller"
        );
    }

    #[test]
    fn invalid_result_token_says_what_it_means() {
        let e = RuleError::Call(put_failed(
            "InvalidResultTokenException",
            "The resultToken provided is invalid",
        ));
        let text = e.to_string();
        assert!(
            text.starts_with(
                "Config PutEvaluations failed (batch 1 of 1): InvalidResultTokenException"
            ) && text.contains(
                "resultToken is invalid or expired: the event is stale or was not sent by Config"
            ),
            "{text}"
        );
    }

    fn failed(service: Service, code: &str) -> CallError {
        CallError::in_answer(service, "DescribeVpcs", "whole region", code, "m")
    }

    #[test]
    fn a_bad_role_arn_names_the_variable() {
        let bad = RuleError::BadRoles(vpce_reach_aws::parse_roles("arn:x").unwrap_err());
        let text = bad.to_string();
        assert!(
            text.starts_with("environment variable ASSUME_ROLE_ARNS: "),
            "{text}"
        );
        assert!(
            text.contains("arn:x") && text.ends_with("nothing was evaluated"),
            "{text}"
        );
    }

    #[test]
    fn error_types_are_stable_names() {
        let param = vpce_reach_model::RuleParameters::from_json(r#"{"Nope": "x"}"#).unwrap_err();
        let cases = [
            (RuleError::BadEvent("no resultToken".into()), "InvalidEvent"),
            (RuleError::BadParameter(param), "InvalidParameter"),
            (
                RuleError::BadRoles(vpce_reach_aws::parse_roles("nope").unwrap_err()),
                "InvalidParameter",
            ),
            (
                RuleError::BadSetting(
                    vpce_reach_aws::Dns::from_setting(Some("maybe")).unwrap_err(),
                ),
                "InvalidParameter",
            ),
            (
                RuleError::Collect(failed(Service::Ec2, "UnauthorizedOperation")),
                "AccessDenied",
            ),
            (
                RuleError::Call(put_failed("AccessDeniedException", "no")),
                "AccessDenied",
            ),
            (
                RuleError::Call(put_failed("ThrottlingException", "slow down")),
                "Throttled",
            ),
            (
                RuleError::Collect(failed(Service::Ec2, "RequestLimitExceeded")),
                "Throttled",
            ),
            (
                RuleError::Collect(failed(Service::Ec2, "InternalError")),
                "AwsCallFailed",
            ),
            (
                RuleError::Call(put_failed("InvalidResultTokenException", "stale")),
                "InvalidResultToken",
            ),
            (
                RuleError::Rejected {
                    count: 1,
                    resources: vec!["sg-1".into()],
                },
                "EvaluationsRejected",
            ),
            (
                RuleError::Deadline {
                    remaining: Duration::from_secs(1),
                    needed: Duration::from_secs(5),
                    next_batch: 1,
                    total: 1,
                },
                "DeadlineTooClose",
            ),
        ];
        for (error, expected) in cases {
            let message = error.to_string();
            let diagnostic = Diagnostic::from(error);
            assert_eq!(diagnostic.error_type, expected, "{message}");
            assert_eq!(diagnostic.error_message, message);
        }
    }

    #[test]
    fn the_call_error_is_the_source() {
        let e = RuleError::Collect(put_failed("Throttling", "slow down"));
        let source = e.source().expect("a cause");
        assert!(source.downcast_ref::<CallError>().is_some());
        assert!(RuleError::BadEvent("x".into()).source().is_none());
    }
}
