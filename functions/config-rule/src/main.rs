//! The Lambda entry point: lambda_runtime wiring only; the work is in [`vpce_reach_config_rule::handle`].

use aws_lambda_events::event::config::ConfigEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use vpce_reach_config_rule::{handle, log_outcome, Clients};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // The runtime's subscriber: level from AWS_LAMBDA_LOG_LEVEL (else RUST_LOG, else INFO),
    // JSON when AWS_LAMBDA_LOG_FORMAT is JSON (template.yaml's LoggingConfig). The SDK's own
    // events (retries, throttling, the client rate limiter) show at DEBUG.
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_from_env().await;
    let clients = Clients::from_sdk_config(&sdk).await;
    let clients = &clients;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ConfigEvent>| async move {
            let deadline = event.context.deadline();
            let result = handle(clients, event.payload, deadline).await;
            log_outcome(&result);
            result.map_err(Error::from)
        },
    ))
    .await
}
