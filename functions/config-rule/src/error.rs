//! Why an invocation failed. Every variant says which call or input, which resource, and, when
//! AWS refused for lack of permission, which IAM action to grant.

use std::fmt;
use std::time::Duration;

use aws_sdk_config::error::{ProvideErrorMetadata, SdkError};
use vpce_reach_aws::CollectError;
use vpce_reach_model::snapshot::load::LoadError;
use vpce_reach_model::ParamError;

/// A failed AWS call made by the rule itself (not the snapshot collection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// The IAM action the call needs, e.g. `config:PutEvaluations`.
    pub action: String,
    /// What the call was about, e.g. `sg-0abc` or `batch 2 of 3`.
    pub resource: String,
    /// The AWS error code, when the service answered with one.
    pub code: Option<String>,
    /// The service's message, or the transport error.
    pub message: String,
}

impl CallError {
    /// Wraps an SDK error of the call that needs `action`.
    pub fn from_sdk<E, R>(action: &str, resource: &str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        let (code, message) = vpce_reach_aws::code_and_message(&err);
        CallError {
            action: action.to_owned(),
            resource: resource.to_owned(),
            code,
            message,
        }
    }

    /// True when the code says the resource does not exist (`InvalidGroup.NotFound`, ...).
    pub fn is_not_found(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.ends_with(".NotFound") || c.ends_with("NotFound"))
    }

    fn is_access_denied(&self) -> bool {
        vpce_reach_aws::is_access_denied_code(self.code.as_deref())
    }

    /// What to do about this error, when the code says it.
    fn advice(&self) -> Option<String> {
        if self.is_access_denied() {
            return Some(format!(
                "Grant the IAM action {} to the rule's role",
                self.action
            ));
        }
        match self.code.as_deref() {
            Some("InvalidResultTokenException") => Some(
                "The resultToken is invalid or expired: the event is stale or was not sent by \
                 Config. Nothing to fix in the rule; Config invokes it again on the next change \
                 or schedule (re-evaluate the rule to run it now)"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = self
            .action
            .split_once(':')
            .map_or(self.action.as_str(), |(_, op)| op);
        write!(f, "{operation} failed ({})", self.resource)?;
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(advice) = self.advice() {
            write!(f, ". {advice}")?;
        }
        Ok(())
    }
}

/// Why an invocation failed; nothing was put (or, for [`RuleError::Put`], not everything).
#[derive(Debug)]
pub enum RuleError {
    /// The event is not a Config custom-rule event the rule understands.
    BadEvent(String),
    /// A rule parameter is unknown or malformed: nothing was evaluated.
    BadParameter(ParamError),
    /// A describe call of the snapshot collection failed after retries: nothing was put.
    Collect(CollectError),
    /// The collected documents could not be read as a snapshot.
    Load(LoadError),
    /// Another AWS call failed after retries.
    Call(CallError),
    /// Config kept rejecting some evaluations after every retry.
    Rejected {
        /// How many evaluations stayed rejected.
        count: usize,
        /// The first rejected resource ids.
        resources: Vec<String>,
    },
    /// The Lambda deadline left too little time to put the remaining evaluations: stopped
    /// before the next `PutEvaluations` instead of being killed in the middle.
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

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::BadEvent(m) => write!(
                f,
                "not a Config custom-rule event: {m}; nothing was evaluated. The function \
                 expects the event AWS Config sends a custom rule (samples in events/config-rule/)"
            ),
            RuleError::BadParameter(e) => write!(f, "{e}; nothing was evaluated"),
            RuleError::Collect(e) => {
                write!(f, "{e}; nothing was put (no verdict on incomplete data)")
            }
            RuleError::Load(e) => write!(f, "collected snapshot unreadable: {e}; nothing was put"),
            RuleError::Call(e) => write!(f, "{e}"),
            RuleError::Rejected { count, resources } => write!(
                f,
                "PutEvaluations kept rejecting {count} evaluation(s) after retries: {}. \
                 Re-evaluate the rule; if they are rejected again, check that Config records \
                 these resources",
                resources.join(", ")
            ),
            RuleError::Deadline {
                remaining,
                needed,
                next_batch,
                total,
            } => write!(
                f,
                "PutEvaluations not called (batch {next_batch} of {total}): the Lambda deadline \
                 leaves {:.1}s, {:.1}s needed to put the remaining batches; {}. Raise the \
                 function's Timeout (template.yaml) or narrow the rule's scope",
                remaining.as_secs_f64(),
                needed.as_secs_f64(),
                if *next_batch == 1 {
                    "nothing was put"
                } else {
                    "the earlier batches were put, the rest not"
                }
            ),
        }
    }
}

impl std::error::Error for RuleError {}

impl From<CollectError> for RuleError {
    fn from(e: CollectError) -> Self {
        RuleError::Collect(e)
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

    #[test]
    fn access_denied_names_the_action() {
        let e = CallError {
            action: "config:PutEvaluations".into(),
            resource: "batch 1 of 1".into(),
            code: Some("AccessDeniedException".into()),
            message: "not authorized".into(),
        };
        assert_eq!(
            e.to_string(),
            "PutEvaluations failed (batch 1 of 1): AccessDeniedException: not authorized. \
             Grant the IAM action config:PutEvaluations to the rule's role"
        );
    }

    #[test]
    fn invalid_result_token_says_what_it_means() {
        let e = CallError {
            action: "config:PutEvaluations".into(),
            resource: "batch 1 of 1".into(),
            code: Some("InvalidResultTokenException".into()),
            message: "The resultToken provided is invalid".into(),
        };
        let text = e.to_string();
        assert!(
            text.starts_with("PutEvaluations failed (batch 1 of 1): InvalidResultTokenException")
                && text.contains("resultToken is invalid or expired: the event is stale or was not sent by Config"),
            "{text}"
        );
    }
}
