//! The error of a failed collection: which EC2 call failed, for which resources, and why.

use std::fmt;

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// AWS error codes that mean the caller lacks an IAM permission.
const ACCESS_DENIED_CODES: &[&str] = &[
    "UnauthorizedOperation",
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedAccess",
];

/// An EC2 API call failed, so the whole collection failed (no partial snapshot is returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectError {
    /// The EC2 API operation, e.g. `DescribeSecurityGroups`.
    pub call: &'static str,
    /// The resources asked for, e.g. `vpc-0abc, vpc-0def`, `whole region` or `pl-0123`.
    pub scope: String,
    /// The AWS error code (e.g. `UnauthorizedOperation`), when the service answered with one.
    pub code: Option<String>,
    /// The service's message, or the transport error when there was no answer.
    pub message: String,
}

impl CollectError {
    /// Wraps an SDK error of `call` made for `scope`.
    pub(crate) fn from_sdk<E, R>(call: &'static str, scope: &str, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        let (code, message) = code_and_message(&err);
        CollectError {
            call,
            scope: scope.to_owned(),
            code,
            message,
        }
    }

    /// The IAM action the call needs, e.g. `ec2:DescribeSecurityGroups`.
    pub fn iam_action(&self) -> String {
        format!("ec2:{}", self.call)
    }

    /// True when AWS refused the call for lack of permission.
    pub fn is_access_denied(&self) -> bool {
        is_access_denied_code(self.code.as_deref())
    }
}

/// The AWS error code of an SDK error (when the service answered) and a readable message (the
/// service's, or the transport error's whole chain). Shared by every crate that calls AWS, so
/// all error messages read alike.
pub fn code_and_message<E, R>(err: &SdkError<E, R>) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    let code = err.code().map(str::to_owned);
    let message = match err.message() {
        Some(message) => message.to_owned(),
        None => DisplayErrorContext(err).to_string(),
    };
    (code, message)
}

/// True when an AWS error code means the caller lacks an IAM permission.
pub fn is_access_denied_code(code: Option<&str>) -> bool {
    code.is_some_and(|c| ACCESS_DENIED_CODES.contains(&c))
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EC2 {} failed ({})", self.call, self.scope)?;
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if self.is_access_denied() {
            write!(
                f,
                ". Grant the IAM action {} to the caller",
                self.iam_action()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for CollectError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: Option<&str>) -> CollectError {
        CollectError {
            call: "DescribeSecurityGroups",
            scope: "vpc-0abc".to_owned(),
            code: code.map(str::to_owned),
            message: "You are not authorized to perform this operation.".to_owned(),
        }
    }

    #[test]
    fn access_denied_names_the_iam_action() {
        let text = error(Some("UnauthorizedOperation")).to_string();
        assert!(
            text.starts_with("EC2 DescribeSecurityGroups failed (vpc-0abc): UnauthorizedOperation")
        );
        assert!(
            text.ends_with("Grant the IAM action ec2:DescribeSecurityGroups to the caller"),
            "{text}"
        );
    }

    #[test]
    fn other_errors_have_no_iam_hint() {
        let err = error(Some("RequestLimitExceeded"));
        assert!(!err.is_access_denied());
        assert!(!err.to_string().contains("Grant"));
        assert!(!error(None).to_string().contains("Grant"));
    }
}
