//! The `change-watch` Lambda binary: reads its settings, builds the AWS clients once, and
//! serves SQS batches with [`change_watch::Handler`].

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

use change_watch::{Handler, Settings};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A missing TOPIC_ARN fails the cold start with a message saying what to set, rather
    // than failing every batch later.
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("change-watch cannot start: {e}");
            std::process::exit(1);
        }
    };
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let handler = Arc::new(Handler::new(&sdk, settings).await);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = Arc::clone(&handler);
        async move { serve(&handler, event.payload).await }
    }))
    .await
}

/// Handles a batch, logs its summary as one JSON line, and returns the partial batch failures.
async fn serve(handler: &Handler, event: SqsEvent) -> Result<SqsBatchResponse, Error> {
    let outcome = handler.handle(event).await;
    println!("{}", serde_json::to_string(&outcome.summary)?);
    Ok(outcome.response)
}
