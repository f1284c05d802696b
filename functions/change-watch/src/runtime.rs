//! What change-watch tells the Lambda Runtime API when it fails: a stable `errorType` per
//! failure ([`WatchError::error_type`], table in docs/change-alerts.md), the event decoded by
//! the function rather than the runtime (whose decoding error is reported with a Rust type
//! name), and a failed cold start posted to `/runtime/init/error`.
//!
//! A batch whose records fail is not an invocation error: those records are returned as
//! `batchItemFailures` (see [`crate::handler`]).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Diagnostic, Error};
use lambda_runtime_api_client::body::Body;

use crate::settings::SettingsError;

/// The Runtime API address Lambda gives the function.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";
/// The Runtime API call that reports a failed cold start.
const INIT_ERROR_PATH: &str = "/2018-06-01/runtime/init/error";
/// The `Lambda-Runtime-Function-Error-Type` of an init error, as `lambda_runtime` sends it.
const INIT_ERROR_TYPE: &str = "Runtime.InitError";

/// Why change-watch could not start, or could not take an event.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A setting is missing or malformed: the cold start fails.
    #[error("change-watch cannot start: {0}")]
    Settings(#[from] SettingsError),
    /// The payload is not an SQS batch: nothing was processed.
    #[error(
        "not an SQS batch event: {0}; nothing was processed. The function expects the batches \
         of its SQS queue (sample in events/change-watch/sqs-batch.json)"
    )]
    InvalidEvent(String),
}

impl WatchError {
    /// The stable `errorType`: `MissingSetting`, `InvalidParameter` or `InvalidEvent`.
    pub fn error_type(&self) -> &'static str {
        match self {
            WatchError::Settings(SettingsError::MissingTopic) => "MissingSetting",
            WatchError::Settings(
                SettingsError::BadParameters(_)
                | SettingsError::BadRoles(_)
                | SettingsError::BadDns(_),
            ) => "InvalidParameter",
            WatchError::InvalidEvent(_) => "InvalidEvent",
        }
    }

    /// The error as the Runtime API receives it.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic {
            error_type: self.error_type().to_owned(),
            error_message: self.to_string(),
        }
    }
}

impl From<WatchError> for Diagnostic {
    fn from(e: WatchError) -> Diagnostic {
        e.diagnostic()
    }
}

/// Decodes the Lambda payload as an SQS batch ([`WatchError::InvalidEvent`] otherwise).
pub fn decode(payload: serde_json::Value) -> Result<SqsEvent, WatchError> {
    serde_json::from_value(payload).map_err(|e| WatchError::InvalidEvent(e.to_string()))
}

/// Posts `error` to the Runtime API's `/runtime/init/error`, as a failed cold start must be
/// reported (Lambda then shows the error and retries the init); does nothing outside Lambda
/// (no `AWS_LAMBDA_RUNTIME_API`). An error when the post fails.
pub async fn report_init_error(error: &WatchError) -> Result<(), Error> {
    if std::env::var_os(RUNTIME_API).is_none() {
        return Ok(());
    }
    // The runtime's own client, reading the address from AWS_LAMBDA_RUNTIME_API.
    let client = lambda_runtime_api_client::PooledClient::builder().build();
    let request = lambda_runtime_api_client::build_request()
        .method("POST")
        .uri(INIT_ERROR_PATH)
        .header("Lambda-Runtime-Function-Error-Type", INIT_ERROR_TYPE)
        .header("Content-Type", "application/json")
        .body(Body::from(serde_json::to_vec(&error.diagnostic())?))?;
    let response = client.call(request).await?;
    if !response.status().is_success() {
        return Err(format!("{INIT_ERROR_PATH} answered {}", response.status()).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_are_stable_names() {
        let bad = vpce_reach_model::RuleParameters::from_json(r#"{"Nope": "x"}"#).unwrap_err();
        let not_sqs = decode(serde_json::json!({ "Records": 5 })).unwrap_err();
        for (error, expected) in [
            (
                WatchError::from(SettingsError::MissingTopic),
                "MissingSetting",
            ),
            (
                WatchError::from(SettingsError::BadParameters(bad)),
                "InvalidParameter",
            ),
            (
                WatchError::from(SettingsError::BadRoles(
                    vpce_reach_aws::parse_roles("nope").unwrap_err(),
                )),
                "InvalidParameter",
            ),
            (not_sqs, "InvalidEvent"),
        ] {
            let diagnostic = Diagnostic::from(error);
            assert_eq!(
                diagnostic.error_type, expected,
                "{}",
                diagnostic.error_message
            );
        }
    }

    #[test]
    fn the_sample_batch_decodes() {
        let sample = include_str!("../../../events/change-watch/sqs-batch.json");
        let event = decode(serde_json::from_str(sample).unwrap()).unwrap();
        assert!(!event.records.is_empty());
        let err = decode(serde_json::json!([1])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("not an SQS batch event: invalid type"),
            "{err}"
        );
    }
}
