//! The Lambda entry point: lambda_runtime wiring only; the work is in [`vpce_reach_config_rule::handle`].

use lambda_runtime::{service_fn, Error, LambdaEvent};
use vpce_reach_aws::{parse_roles, Dns, ASSUME_ROLE_ARNS, NO_DNS};
use vpce_reach_config_rule::handler::{put_unchanged, PUT_UNCHANGED};
use vpce_reach_config_rule::{event, handle, log_outcome, Clients, RuleError};

// One thread: Lambda gives the function a fraction of a vCPU at the template's memory size,
// so worker threads add no speed, and each would keep its own malloc arena, whose freed
// pages the others cannot reuse: the peak RSS of a large account's collection (issue 18,
// BENCHMARKS.md "The Config rule at scale").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The runtime's subscriber: level from AWS_LAMBDA_LOG_LEVEL (else RUST_LOG, else INFO),
    // JSON when AWS_LAMBDA_LOG_FORMAT is JSON (template.yaml's LoggingConfig). The SDK's own
    // events (retries, throttling, the client rate limiter) show at DEBUG.
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_from_env().await;
    // A bad ASSUME_ROLE_ARNS, CHECK_DNS or PUT_UNCHANGED fails every invocation with
    // `InvalidParameter`, naming the variable (the rule has no cold-start error path; Config
    // shows the invocation's error).
    let roles = std::env::var(ASSUME_ROLE_ARNS).unwrap_or_default();
    let dns = Dns::from_setting(std::env::var(NO_DNS).ok().as_deref())
        .map_err(|e| format!("{e} (template parameter CheckDns)"));
    let putting = put_unchanged(std::env::var(PUT_UNCHANGED).ok().as_deref()).map_err(|value| {
        format!("{PUT_UNCHANGED}: `{value}` is not true, false or empty (template parameter PutUnchangedEvaluations)")
    });
    let clients = match (parse_roles(&roles), dns, putting) {
        (Ok(roles), Ok(dns), Ok(putting)) => Ok(Clients::from_sdk_config(&sdk)
            .await
            .with_roles(&sdk, &roles)
            .await
            .with_dns(dns)
            .putting_unchanged(putting)),
        (Err(e), _, _) => Err(Bad::Roles(e)),
        (_, Err(e), _) | (_, _, Err(e)) => Err(Bad::Setting(e)),
    };
    let clients = &clients;
    // The payload is taken as JSON and decoded by the handler, and errors are `RuleError`s:
    // every failure reaches Lambda with a stable `errorType` (`RuleError::error_type`).
    lambda_runtime::run(service_fn(
        move |lambda: LambdaEvent<serde_json::Value>| async move {
            let deadline = lambda.context.deadline();
            let result = match (clients, event::decode(lambda.payload)) {
                (Err(bad), _) => Err(bad.error()),
                (Ok(clients), Ok(config_event)) => handle(clients, config_event, deadline).await,
                (_, Err(e)) => Err(e),
            };
            log_outcome(&result);
            result
        },
    ))
    .await
}

/// A setting of the environment that fails every invocation (kept to report it each time).
#[derive(Clone)]
enum Bad {
    Roles(vpce_reach_aws::RoleArnError),
    Setting(String),
}

impl Bad {
    fn error(&self) -> RuleError {
        match self {
            Bad::Roles(e) => RuleError::BadRoles(e.clone()),
            Bad::Setting(e) => RuleError::BadSetting(e.clone()),
        }
    }
}
