//! The Lambda entry point: lambda_runtime wiring only; the work is in [`vpce_reach_config_rule::handle`].

use lambda_runtime::{service_fn, Error, LambdaEvent};
use vpce_reach_config_rule::{event, handle, log_outcome, Clients};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // The runtime's subscriber: level from AWS_LAMBDA_LOG_LEVEL (else RUST_LOG, else INFO),
    // JSON when AWS_LAMBDA_LOG_FORMAT is JSON (template.yaml's LoggingConfig). The SDK's own
    // events (retries, throttling, the client rate limiter) show at DEBUG.
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_from_env().await;
    let clients = Clients::from_sdk_config(&sdk).await;
    let clients = &clients;
    // The payload is taken as JSON and decoded by the handler, and errors are `RuleError`s:
    // every failure reaches Lambda with a stable `errorType` (`RuleError::error_type`).
    lambda_runtime::run(service_fn(
        move |lambda: LambdaEvent<serde_json::Value>| async move {
            let deadline = lambda.context.deadline();
            let result = match event::decode(lambda.payload) {
                Ok(config_event) => handle(clients, config_event, deadline).await,
                Err(e) => Err(e),
            };
            log_outcome(&result);
            result
        },
    ))
    .await
}
