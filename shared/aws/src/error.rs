//! The error of a failed AWS call: which service and operation, for which resources, what AWS
//! answered, and the SDK error itself as the [`source`](std::error::Error::source).
//!
//! Every AWS call of the workspace (the collection, the lookups, the functions' Config and SNS
//! calls) fails with this one type, so every message reads alike and names the IAM action to
//! grant when AWS refused for lack of permission.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// AWS error codes that mean the caller lacks an IAM permission, besides every code starting
/// with `AccessDenied` (`AccessDenied`, `AccessDeniedException`, ...).
const ACCESS_DENIED_CODES: &[&str] = &["UnauthorizedOperation", "UnauthorizedAccess"];

/// AWS error codes that mean the caller is being throttled, besides every code starting with
/// `Throttl` (`Throttling`, `ThrottlingException`, `ThrottledException`): the throttling codes
/// of the SDK's retry classifier (`aws-smithy-runtime`'s `THROTTLING_ERRORS`).
const THROTTLING_CODES: &[&str] = &[
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// What kind of failure a [`CallError`] is: the part of the functions' error types (the
/// `errorType` Lambda reports) that comes from AWS. See [`CallError::failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallFailure {
    /// AWS refused the call for lack of an IAM permission: grant the action the message names.
    AccessDenied,
    /// AWS kept throttling the call through every retry.
    Throttled,
    /// No answer from AWS: a timeout, or a connection, DNS or TLS failure.
    Unreachable,
    /// Any other error AWS answered with (the message has its code).
    Failed,
}

impl CallFailure {
    /// The stable name reported as a Lambda `errorType`: `AccessDenied`, `Throttled`,
    /// `AwsUnreachable` or `AwsCallFailed`.
    pub fn error_type(self) -> &'static str {
        match self {
            CallFailure::AccessDenied => "AccessDenied",
            CallFailure::Throttled => "Throttled",
            CallFailure::Unreachable => "AwsUnreachable",
            CallFailure::Failed => "AwsCallFailed",
        }
    }
}

/// The AWS services this workspace calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Amazon EC2 (describe calls).
    Ec2,
    /// AWS Config (`PutEvaluations`, ...).
    Config,
    /// Amazon SNS (`Publish`).
    Sns,
    /// Amazon Route 53 (hosted zones and their records; a global service).
    Route53,
    /// Amazon Route 53 Resolver (rules and their VPC associations).
    Route53Resolver,
    /// Amazon Route 53 Profiles (Profiles' VPC and resource associations).
    Route53Profiles,
    /// Elastic Load Balancing v2 (the Network Load Balancers behind the account's endpoint
    /// services: load balancers, listeners, target groups, target health, attributes).
    Elbv2,
}

impl Service {
    /// The IAM action prefix, e.g. `ec2`.
    pub fn iam_prefix(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Config => "config",
            Service::Sns => "sns",
            Service::Route53 => "route53",
            Service::Route53Resolver => "route53resolver",
            Service::Route53Profiles => "route53profiles",
            Service::Elbv2 => "elasticloadbalancing",
        }
    }

    /// How messages name the service, e.g. `EC2`.
    pub fn label(self) -> &'static str {
        match self {
            Service::Ec2 => "EC2",
            Service::Config => "Config",
            Service::Sns => "SNS",
            Service::Route53 => "Route 53",
            Service::Route53Resolver => "Route 53 Resolver",
            Service::Route53Profiles => "Route 53 Profiles",
            Service::Elbv2 => "Elastic Load Balancing",
        }
    }
}

/// An AWS call failed (after the SDK's retries).
///
/// `Display` is complete on its own (service, call, scope, code, message, IAM hint); `source()`
/// is the SDK error, for callers that walk the chain (transport and timeout details).
#[derive(Debug, Clone)]
pub struct CallError {
    /// The service called.
    pub service: Service,
    /// The API operation, e.g. `DescribeSecurityGroups`.
    pub call: &'static str,
    /// The resources asked for, e.g. `vpc-0abc, vpc-0def`, `whole region` or `batch 1 of 2`.
    pub scope: String,
    /// The AWS error code (e.g. `UnauthorizedOperation`), when the service answered with one.
    pub code: Option<Box<str>>,
    /// The service's message, or the transport error when there was no answer.
    pub message: String,
    /// The role the call was made through (another account's), `None` for the caller's own.
    pub role: Option<Box<str>>,
    /// The SDK error; `None` when the error was found in an answer (e.g. a VPC not returned).
    source: Option<Arc<dyn Error + Send + Sync>>,
    /// True when no answer came in time: a connect, read, attempt or operation timeout.
    timed_out: bool,
}

impl CallError {
    /// Wraps the SDK error of `service`'s `call` made for `scope`.
    pub fn from_sdk<E, R>(
        service: Service,
        call: &'static str,
        scope: impl Into<String>,
        err: SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        let code = err.code().map(Box::from);
        let timed_out = match &err {
            SdkError::TimeoutError(_) => true,
            SdkError::DispatchFailure(failure) => failure.is_timeout(),
            _ => false,
        };
        let message = match err.message() {
            Some(message) => message.to_owned(),
            // No answer from the service: the whole chain says what went wrong (timeout,
            // DNS, TLS...).
            None => DisplayErrorContext(&err).to_string(),
        };
        CallError {
            service,
            call,
            scope: scope.into(),
            code,
            message,
            role: None,
            source: Some(Arc::new(err)),
            timed_out,
        }
    }

    /// An error read from a successful answer (no SDK error to carry).
    pub fn in_answer(
        service: Service,
        call: &'static str,
        scope: impl Into<String>,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        CallError {
            service,
            call,
            scope: scope.into(),
            code: Some(code.into()),
            message: message.into(),
            role: None,
            source: None,
            timed_out: false,
        }
    }

    /// The same error, for a call made in `account` through the role `arn`: the scope names the
    /// account, and an access-denied hint names the role to grant the action to.
    pub fn through_role(mut self, account: &str, arn: &str) -> Self {
        self.scope = format!("{} of account {account}", self.scope);
        self.role = Some(arn.into());
        self
    }

    /// The IAM action the call needs, e.g. `ec2:DescribeSecurityGroups`.
    pub fn iam_action(&self) -> String {
        format!("{}:{}", self.service.iam_prefix(), self.call)
    }

    /// True when AWS refused the call for lack of permission.
    pub fn is_access_denied(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.starts_with("AccessDenied") || ACCESS_DENIED_CODES.contains(&c))
    }

    /// True when AWS answered that the caller is throttled.
    pub fn is_throttled(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.starts_with("Throttl") || THROTTLING_CODES.contains(&c))
    }

    /// What kind of failure this is, from the error code (none: AWS never answered).
    pub fn failure(&self) -> CallFailure {
        if self.is_access_denied() {
            CallFailure::AccessDenied
        } else if self.is_throttled() {
            CallFailure::Throttled
        } else if self.code.is_none() {
            CallFailure::Unreachable
        } else {
            CallFailure::Failed
        }
    }

    /// True when the call got no answer in time (a connect, read, attempt or operation
    /// timeout; the operation timeout is the time left before the Lambda deadline).
    pub fn is_timeout(&self) -> bool {
        self.timed_out
    }

    /// True when EC2 said a resource of the request does not exist (`InvalidGroup.NotFound`,
    /// `InvalidRouteTableID.NotFound`, ...).
    pub fn is_not_found(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.ends_with(".NotFound"))
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let service = self.service.label();
        write!(f, "{service} {} failed ({})", self.call, self.scope)?;
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if self.is_access_denied() {
            let grantee = self.role.as_deref().unwrap_or("the caller");
            write!(
                f,
                ". Grant the IAM action {} to {grantee}",
                self.iam_action()
            )?;
        }
        Ok(())
    }
}

impl Error for CallError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: Option<&str>) -> CallError {
        CallError {
            service: Service::Ec2,
            call: "DescribeSecurityGroups",
            scope: "vpc-0abc".to_owned(),
            code: code.map(Box::from),
            message: "You are not authorized to perform this operation.".to_owned(),
            role: None,
            source: None,
            timed_out: false,
        }
    }

    #[test]
    fn through_a_role_names_the_account_and_the_role_to_grant() {
        let arn = "arn:aws:iam::111122223333:role/read";
        let text = error(Some("UnauthorizedOperation"))
            .through_role("111122223333", arn)
            .to_string();
        assert!(
            text.starts_with(
                "EC2 DescribeSecurityGroups failed (vpc-0abc of account 111122223333)"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(&format!(
                "Grant the IAM action ec2:DescribeSecurityGroups to {arn}"
            )),
            "{text}"
        );
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
    fn other_services_name_their_own_action() {
        let mut err = error(Some("AccessDeniedException"));
        err.service = Service::Config;
        err.call = "PutEvaluations";
        err.scope = "batch 1 of 1".to_owned();
        assert_eq!(
            err.to_string(),
            "Config PutEvaluations failed (batch 1 of 1): AccessDeniedException: You are not \
             authorized to perform this operation.. Grant the IAM action config:PutEvaluations \
             to the caller"
        );
    }

    #[test]
    fn other_errors_have_no_iam_hint() {
        let err = error(Some("RequestLimitExceeded"));
        assert!(!err.is_access_denied());
        assert!(!err.to_string().contains("Grant"));
        assert!(!error(None).to_string().contains("Grant"));
    }

    #[test]
    fn failures_by_code() {
        for (code, failure) in [
            (Some("UnauthorizedOperation"), CallFailure::AccessDenied),
            (Some("AccessDenied"), CallFailure::AccessDenied),
            (Some("AccessDeniedException"), CallFailure::AccessDenied),
            (Some("UnauthorizedAccess"), CallFailure::AccessDenied),
            (Some("Throttling"), CallFailure::Throttled),
            (Some("ThrottlingException"), CallFailure::Throttled),
            (Some("ThrottledException"), CallFailure::Throttled),
            (Some("RequestLimitExceeded"), CallFailure::Throttled),
            (Some("TooManyRequestsException"), CallFailure::Throttled),
            (None, CallFailure::Unreachable),
            (Some("InvalidParameterValue"), CallFailure::Failed),
            (Some("InvalidGroup.NotFound"), CallFailure::Failed),
        ] {
            assert_eq!(error(code).failure(), failure, "{code:?}");
        }
        let names: Vec<_> = [
            CallFailure::AccessDenied,
            CallFailure::Throttled,
            CallFailure::Unreachable,
            CallFailure::Failed,
        ]
        .map(CallFailure::error_type)
        .into();
        assert_eq!(
            names,
            [
                "AccessDenied",
                "Throttled",
                "AwsUnreachable",
                "AwsCallFailed"
            ]
        );
    }

    #[test]
    fn not_found_codes() {
        assert!(error(Some("InvalidGroup.NotFound")).is_not_found());
        assert!(error(Some("InvalidRouteTableID.NotFound")).is_not_found());
        assert!(!error(Some("UnauthorizedOperation")).is_not_found());
        assert!(!error(None).is_not_found());
    }

    #[test]
    fn the_sdk_error_is_the_source() {
        use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
        let meta = aws_sdk_ec2::error::ErrorMetadata::builder()
            .code("UnauthorizedOperation")
            .message("not authorized")
            .build();
        let sdk: SdkError<DescribeVpcsError, ()> =
            SdkError::service_error(DescribeVpcsError::generic(meta), ());
        let err = CallError::from_sdk(Service::Ec2, "DescribeVpcs", "whole region", sdk);
        assert_eq!(err.code.as_deref(), Some("UnauthorizedOperation"));
        assert_eq!(err.message, "not authorized");
        let source = err.source().expect("the SDK error");
        assert!(source
            .downcast_ref::<SdkError<DescribeVpcsError, ()>>()
            .is_some());
        assert!(error(None).source().is_none());
    }
}
