//! The Lambda entry point: lambda_runtime wiring only; the work is in [`vpce_reach_config_rule::handle`].

use aws_lambda_events::event::config::ConfigEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use vpce_reach_config_rule::{handle, Clients};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    let clients = Clients::from_sdk_config(&sdk).await;
    let clients = &clients;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ConfigEvent>| async move {
            let deadline = event.context.deadline();
            let result = handle(clients, event.payload, deadline).await;
            // The summary or the error also goes to the function's log for operators.
            match &result {
                Ok(summary) => eprintln!("vpce-reach: {}", serde_json::to_string(summary)?),
                Err(e) => eprintln!("vpce-reach: error: {e}"),
            }
            result.map_err(Error::from)
        },
    ))
    .await
}
