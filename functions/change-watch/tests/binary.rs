//! The `change-watch` binary refuses to start without its settings, saying what to set in one
//! ERROR event of the runtime's log (stdout; JSON when `AWS_LAMBDA_LOG_FORMAT` is `JSON`).

use std::process::Command;

#[test]
fn a_missing_topic_is_a_clear_startup_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_change-watch"))
        .env_remove("TOPIC_ARN")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let event: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON event");
    assert_eq!(event["level"], "ERROR", "{stdout}");
    assert_eq!(
        event["fields"]["message"],
        "change-watch cannot start: environment variable TOPIC_ARN is not set: set it to the ARN \
         of the SNS topic that receives the alerts"
    );
}

#[test]
fn bad_rule_parameters_name_the_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_change-watch"))
        .env("TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:alerts")
        .env("RULE_PARAMETERS", r#"{"RequiredService": "ssm"}"#)
        .env_remove("AWS_LAMBDA_LOG_FORMAT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("RULE_PARAMETERS: rule parameter `RequiredService`: unknown key"),
        "{stdout}"
    );
}
