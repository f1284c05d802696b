//! The `change-watch` binary refuses to start without its settings, saying what to set.

use std::process::Command;

#[test]
fn a_missing_topic_is_a_clear_startup_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_change-watch"))
        .env_remove("TOPIC_ARN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "change-watch cannot start: environment variable TOPIC_ARN is not set: set it to the ARN \
         of the SNS topic that receives the alerts"
    );
}

#[test]
fn bad_rule_parameters_name_the_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_change-watch"))
        .env("TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:alerts")
        .env("RULE_PARAMETERS", r#"{"RequiredService": "ssm"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("RULE_PARAMETERS: rule parameter `RequiredService`: unknown key"),
        "{stderr}"
    );
}
