//! The `change-watch` Lambda binary: reads its settings, builds the AWS clients once, and
//! serves SQS batches with [`change_watch::Handler`].

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

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
        Err(e) => {
            tracing::error!("change-watch cannot start: {}", OneLine(&e));
            std::process::exit(1);
        }
    };
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let handler = Handler::new(&sdk, settings).await;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        // Every AWS call of the batch ends before the Lambda deadline, retries included.
        let bounded = handler.until(event.context.deadline());
        async move { serve(&bounded, event.payload).await }
    }))
    .await
}

/// Handles a batch, logs its summary as one event, and returns the partial batch failures.
async fn serve(handler: &Handler, event: SqsEvent) -> Result<SqsBatchResponse, Error> {
    let outcome = handler.handle(event).await;
    log_summary(&outcome.summary);
    Ok(outcome.response)
}
