//! The built `change-watch` binary. Outside Lambda it refuses to start without its settings,
//! saying what to set in one ERROR event of the runtime's log (stdout; JSON when
//! `AWS_LAMBDA_LOG_FORMAT` is `JSON`). As Lambda runs it (the test kit's Runtime API emulator,
//! EC2 and SNS in moto, Config an HTTP capture) it reports a failed start to `/init/error` and
//! malformed events as invocation errors, each with its stable `errorType`
//! (docs/change-alerts.md, "Errors"), and answers a batch with its partial failures.

use std::process::Command;

use vpce_reach_testkit::http::target_operation;
use vpce_reach_testkit::{
    sdk_config, template_function, workspace_root, FunctionProcess, HttpCapture, Invocation,
    MotoServer, PostKind, Posted, RuntimeApi,
};

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

// ------------------------------------------------------------------ as Lambda runs it
//
// The binary started with Lambda's environment, served events by the test kit's Runtime API
// emulator; EC2 and SNS are moto, Config an HTTP capture.

/// The ids of events/change-watch/sqs-batch.json, replaced by moto's.
const SAMPLE_VPC: &str = "vpc-0a3f5c1e7b9d24680";
const SAMPLE_GROUPS: [&str; 2] = ["sg-0b5e2c4f1a9d83e76", "sg-0e1a7c3b9f4d26a58"];
const SAMPLE_ACL: &str = "acl-0c4d7b2a9e5f13c68";
/// The Config rule the template names in CONFIG_RULE_NAME.
const RULE: &str = "vpce-reach";

fn sqs_batch() -> String {
    let path = workspace_root().join("events/change-watch/sqs-batch.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The function's logical id in template.yaml: its variables and timeout are the test's.
const FUNCTION: &str = "ChangeWatchFunction";

/// The binary serving `api` with the template's variables (the topic `topic`, the rule
/// [`RULE`], default rule parameters) and `extra`, EC2 and SNS at `aws`, Config at `config`.
fn start(
    api: &RuntimeApi,
    aws: &str,
    config: &HttpCapture,
    topic: &str,
    extra: &[(&str, &str)],
) -> FunctionProcess {
    let config_url = config.endpoint_url();
    let mut values = extra.to_vec();
    for default in [
        ("TOPIC_ARN", topic),
        ("CONFIG_RULE_NAME", RULE),
        ("RULE_PARAMETERS", ""),
        ("ASSUME_ROLE_ARNS", ""),
        // EC2 only: these tests point EC2 at plain moto (DNS: tests/moto.rs, patched moto).
        ("CHECK_DNS", "false"),
        ("AWS_ENDPOINT_URL_EC2", aws),
        ("AWS_ENDPOINT_URL_SNS", aws),
        ("AWS_ENDPOINT_URL_CONFIG_SERVICE", config_url.as_str()),
    ] {
        if !values.iter().any(|(k, _)| *k == default.0) {
            values.push(default);
        }
    }
    let env = template_function(FUNCTION).env(&values);
    FunctionProcess::start(env!("CARGO_BIN_EXE_change-watch").as_ref(), api, env)
}

/// An invocation of `payload` with the template's `Timeout`.
fn invocation(id: &str, payload: impl Into<String>) -> Invocation {
    Invocation::new(id, payload).deadline_in(template_function(FUNCTION).timeout)
}

/// The init error the function posted before exiting with status 1.
fn init_error(function: &mut FunctionProcess, api: &RuntimeApi) -> Posted {
    let status = function.wait_exit();
    assert_eq!(status.code(), Some(1), "{}", function.log());
    let posts = api.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].kind, PostKind::InitError);
    assert_eq!(posts[0].error_type_header(), Some("Runtime.InitError"));
    posts[0].clone()
}

#[test]
fn a_missing_topic_is_an_init_error_named_missing_setting() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let url = config.endpoint_url();
    let mut function = start(&api, &url, &config, "", &[]);
    let posted = init_error(&mut function, &api);
    assert_eq!(posted.error_type(), "MissingSetting");
    assert_eq!(
        posted.error_message(),
        "change-watch cannot start: environment variable TOPIC_ARN is not set: set it to the \
         ARN of the SNS topic that receives the alerts"
    );
}

#[test]
fn bad_rule_parameters_are_an_init_error_named_invalid_parameter() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let url = config.endpoint_url();
    let bad = [("RULE_PARAMETERS", r#"{"RequiredService": "ssm"}"#)];
    let mut function = start(&api, &url, &config, "arn:aws:sns:us-east-1:1:t", &bad);
    let posted = init_error(&mut function, &api);
    assert_eq!(posted.error_type(), "InvalidParameter");
    assert!(
        posted.error_message().contains("RequiredService"),
        "{}",
        posted.error_message()
    );
}

/// Issue 14: a bad `ASSUME_ROLE_ARNS` item stops the cold start, naming the variable.
#[test]
fn a_bad_assume_role_arn_is_an_init_error_named_invalid_parameter() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let url = config.endpoint_url();
    let bad = [("ASSUME_ROLE_ARNS", "arn:aws:iam::444455556666:user/read")];
    let mut function = start(&api, &url, &config, "arn:aws:sns:us-east-1:1:t", &bad);
    let posted = init_error(&mut function, &api);
    assert_eq!(posted.error_type(), "InvalidParameter");
    assert!(
        posted
            .error_message()
            .contains("environment variable ASSUME_ROLE_ARNS: "),
        "{}",
        posted.error_message()
    );
}

#[test]
fn an_event_that_is_no_sqs_batch_is_an_invalid_event() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let url = config.endpoint_url();
    let function = start(&api, &url, &config, "arn:aws:sns:us-east-1:1:t", &[]);
    for (id, payload) in [("list", "[1]"), ("records", r#"{"Records": 5}"#)] {
        api.invoke(invocation(id, payload));
        let posted = api.outcome(id);
        assert_eq!(posted.kind, PostKind::Error, "{}", function.log());
        assert_eq!(posted.error_type(), "InvalidEvent", "{:?}", posted.json());
        assert!(posted.error_message().starts_with("not an SQS batch event"));
    }
    // An empty batch is fine, and the process is still serving after the errors.
    api.invoke(invocation("empty", r#"{"Records": []}"#));
    let posted = api.outcome("empty");
    assert_eq!(posted.kind, PostKind::Response, "{}", function.log());
    assert_eq!(
        posted.json(),
        serde_json::json!({ "batchItemFailures": [] })
    );
    assert!(config.requests().is_empty(), "{:?}", config.requests());
}

/// A VPC, two groups and a NACL in moto, and an SNS topic; (vpc, groups, acl, topic ARN).
async fn world(moto: &MotoServer) -> (String, [String; 2], String, String) {
    let sdk = sdk_config(&moto.endpoint_url());
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.50.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_owned();
    let mut groups = Vec::new();
    for name in ["app", "endpoint"] {
        let out = ec2
            .create_security_group()
            .vpc_id(&vpc)
            .group_name(name)
            .description(name)
            .send()
            .await
            .unwrap();
        groups.push(out.group_id().unwrap().to_owned());
    }
    let acl = ec2.create_network_acl().vpc_id(&vpc).send().await.unwrap();
    let acl = acl
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .unwrap()
        .to_owned();
    let topic = aws_sdk_sns::Client::new(&sdk)
        .create_topic()
        .name("vpce-reach-alerts")
        .send()
        .await
        .unwrap();
    let groups = [groups[0].clone(), groups[1].clone()];
    (vpc, groups, acl, topic.topic_arn().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_batch_is_evaluated_and_config_is_asked_to_rerun() {
    let moto = MotoServer::start();
    let (vpc, groups, acl, topic) = world(&moto).await;
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let function = start(&api, &moto.endpoint_url(), &config, &topic, &[]);
    api.wait_for_next_calls(1);
    assert!(api.posts().is_empty(), "posted before any event");

    let batch = sqs_batch()
        .replace(SAMPLE_VPC, &vpc)
        .replace(SAMPLE_GROUPS[0], &groups[0])
        .replace(SAMPLE_GROUPS[1], &groups[1])
        .replace(SAMPLE_ACL, &acl);
    api.invoke(invocation("batch-1", batch));
    let posted = api.outcome("batch-1");
    assert_eq!(
        posted.kind,
        PostKind::Response,
        "{:?}\n{}",
        posted.json(),
        function.log()
    );
    // Every record was handled: none goes back to the queue.
    assert_eq!(
        posted.json(),
        serde_json::json!({ "batchItemFailures": [] }),
        "{}",
        function.log()
    );
    let reruns = config.bodies_of("StartConfigRulesEvaluation");
    assert_eq!(
        reruns,
        [serde_json::json!({ "ConfigRuleNames": [RULE] })],
        "{}",
        function.log()
    );
    assert!(config
        .requests()
        .iter()
        .all(|r| target_operation(r) == Some("StartConfigRulesEvaluation")));
    // The summary event in the function's JSON log: the VPC was evaluated once.
    let log = function.log();
    let summary: serde_json::Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["fields"]["message"] == "batch summary")
        .unwrap_or_else(|| panic!("no batch summary in the log:\n{log}"));
    assert_eq!(
        summary["fields"]["vpcs_evaluated"],
        vpc.as_str(),
        "{summary}"
    );
    assert_eq!(summary["fields"]["records"], 5);
    api.wait_for_next_calls(2);
}
