//! The `change-watch` Lambda binary: reads its settings, builds the AWS clients once, and
//! serves SQS batches with [`change_watch::Handler`].

use aws_lambda_events::event::sqs::SqsBatchResponse;
use lambda_runtime::{service_fn, Error, LambdaEvent};

use change_watch::runtime::{self, WatchError};
use change_watch::{log_summary, Handler, Settings};
use vpce_reach_aws::OneLine;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // The runtime's subscriber: level from AWS_LAMBDA_LOG_LEVEL (else RUST_LOG, else INFO),
    // JSON when AWS_LAMBDA_LOG_FORMAT is JSON (template.yaml's LoggingConfig). The SDK's own
    // events (retries, throttling, the client rate limiter) show at DEBUG.
    lambda_runtime::tracing::init_default_subscriber();
    // A missing TOPIC_ARN fails the cold start with a message saying what to set, rather
    // than failing every batch later.
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => fail_init(WatchError::from(e)).await,
    };
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let handler = Handler::new(&sdk, settings).await;
    // The payload is taken as JSON and decoded by `serve`, so that a malformed event reaches
    // Lambda as `InvalidEvent` (`WatchError::error_type`), not as a Rust type name.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        // Every AWS call of the batch ends before the Lambda deadline, retries included.
        // The function's own account (from its ARN) is the caller: findings on another
        // account's components name it (issue 14).
        let bounded = handler
            .until(event.context.deadline())
            .in_account(account_of_arn(&event.context.invoked_function_arn));
        async move { serve(&bounded, event).await }
    }))
    .await
}

/// Logs why the cold start failed, reports it to the Runtime API's `/init/error` and exits.
async fn fail_init(error: WatchError) -> ! {
    tracing::error!(error_type = error.error_type(), "{}", OneLine(&error));
    if let Err(e) = runtime::report_init_error(&error).await {
        tracing::error!("the init error could not be reported: {}", OneLine(&*e));
    }
    std::process::exit(1);
}

/// Handles a batch, logs its summary as one event, and returns the partial batch failures.
/// The batch is handled before the invocation's deadline.
async fn serve(
    handler: &Handler,
    event: LambdaEvent<serde_json::Value>,
) -> Result<SqsBatchResponse, WatchError> {
    let deadline = event.context.deadline();
    let batch = runtime::decode(event.payload).inspect_err(|e| {
        tracing::error!(error_type = e.error_type(), error = %OneLine(e), "invocation failed");
    })?;
    let outcome = handler.handle(batch, deadline).await;
    log_summary(&outcome.summary);
    Ok(outcome.response)
}

/// The account of an ARN (`arn:aws:lambda:<region>:<account>:function:<name>`), if it has one.
fn account_of_arn(arn: &str) -> Option<vpce_reach_model::AccountId> {
    arn.split(':').nth(4)?.parse().ok()
}
