//! The built `config-rule` binary run as Lambda runs it: started with Lambda's environment and
//! the template's variables, it takes its events from the test kit's Runtime API emulator and
//! posts its results there; EC2 is moto, and Config is an HTTP capture that records the
//! `PutEvaluations` bodies. Each test checks what only the real binary shows: startup, the
//! event decoded from the wire, the response document, the requests sent, and the `errorType`
//! of each failure (docs/config-rule.md, "Errors").

use std::time::Duration;

use aws_sdk_config::primitives::{DateTime, DateTimeFormat};
use serde_json::Value;
use vpce_reach_testkit::http::{aws_json_error, config_answer, target_operation};
use vpce_reach_testkit::{
    sdk_config, template_function, workspace_root, FunctionProcess, HttpCapture, Invocation,
    MotoServer, PostKind, Posted, RuntimeApi,
};

/// The ids of the sample events, replaced by moto's.
const SAMPLE_VPC: &str = "vpc-0d4e8a2c6f1b39a75";
const SAMPLE_SG: &str = "sg-0b3a8e6d2f5c94a17";

/// The function's logical id in template.yaml: its variables and timeout are the test's.
const FUNCTION: &str = "ConfigRuleFunction";

/// A sample event of events/config-rule/.
fn sample(name: &str) -> String {
    let path = workspace_root().join(format!("events/config-rule/{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The binary with the template's variables, EC2 at `ec2` and Config at `config`, serving
/// `api`. Endpoints are given per service, as the SDK reads them (`AWS_ENDPOINT_URL_<sdkId>`:
/// Config's sdkId is `Config Service`).
fn start(api: &RuntimeApi, ec2: &str, config: &HttpCapture) -> FunctionProcess {
    start_with_roles(api, ec2, config, "")
}

/// [`start`] with `ASSUME_ROLE_ARNS` set to `roles` (the template's default: empty).
fn start_with_roles(
    api: &RuntimeApi,
    ec2: &str,
    config: &HttpCapture,
    roles: &str,
) -> FunctionProcess {
    let config_url = config.endpoint_url();
    let env = template_function(FUNCTION).env(&[
        ("AWS_ENDPOINT_URL_EC2", ec2),
        ("AWS_ENDPOINT_URL_CONFIG_SERVICE", config_url.as_str()),
        ("ASSUME_ROLE_ARNS", roles),
        // EC2 only: these tests point EC2 at plain moto (DNS: tests/moto.rs, patched moto).
        ("CHECK_DNS", "false"),
        ("PUT_UNCHANGED", "false"),
    ]);
    FunctionProcess::start(env!("CARGO_BIN_EXE_config-rule").as_ref(), api, env)
}

/// Invokes `payload` as request `id`, with the template's `Timeout`, and returns what the
/// function posted for it.
fn invoke(api: &RuntimeApi, id: &str, payload: impl Into<String>) -> Posted {
    let timeout = template_function(FUNCTION).timeout;
    api.invoke(Invocation::new(id, payload).deadline_in(timeout));
    api.outcome(id)
}

/// Asserts `posted` is an invocation error of type `error_type` whose message contains `text`.
fn assert_error(posted: &Posted, error_type: &str, text: &str, log: &str) {
    assert_eq!(posted.kind, PostKind::Error, "{:?}\n{log}", posted.json());
    assert_eq!(posted.error_type(), error_type, "{:?}", posted.json());
    assert!(
        posted.error_message().contains(text),
        "{}",
        posted.error_message()
    );
}

/// Creates a VPC and a security group in moto; their ids.
async fn vpc_with_group(moto: &MotoServer) -> (String, String) {
    let ec2 = aws_sdk_ec2::Client::new(&sdk_config(&moto.endpoint_url()));
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.40.0.0/16")
        .send()
        .await
        .unwrap()
        .vpc()
        .and_then(|v| v.vpc_id())
        .unwrap()
        .to_owned();
    let sg = ec2
        .create_security_group()
        .vpc_id(&vpc)
        .group_name("app-strict")
        .description("app-strict")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    (vpc, sg)
}

/// Seconds since the epoch of a Config timestamp, as the SDK sends `OrderingTimestamp`.
fn epoch_seconds(time: &str) -> f64 {
    DateTime::from_str(time, DateTimeFormat::DateTime)
        .unwrap()
        .as_secs_f64()
}

/// The `configurationItemCaptureTime` of a change event.
fn capture_time(event: &str) -> String {
    let event: Value = serde_json::from_str(event).unwrap();
    let invoking: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"]["configurationItemCaptureTime"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The evaluations of every `PutEvaluations` body, checked for the token and test mode.
fn put_evaluations(config: &HttpCapture) -> Vec<Value> {
    let bodies = config.bodies_of("PutEvaluations");
    assert!(!bodies.is_empty(), "no PutEvaluations call");
    for body in &bodies {
        assert_eq!(body["ResultToken"], "TESTMODE", "{body}");
        assert_eq!(body["TestMode"], true, "{body}");
    }
    bodies
        .iter()
        .flat_map(|b| b["Evaluations"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_is_evaluated_and_put_and_the_summary_is_the_response() {
    let moto = MotoServer::start();
    let (vpc, sg) = vpc_with_group(&moto).await;
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let function = start(&api, &moto.endpoint_url(), &config);
    api.wait_for_next_calls(1);
    assert!(api.posts().is_empty(), "posted before any event");

    let event = sample("change")
        .replace(SAMPLE_VPC, &vpc)
        .replace(SAMPLE_SG, &sg);
    let posted = invoke(&api, "change-1", event.clone());
    assert_eq!(
        posted.kind,
        PostKind::Response,
        "{:?}\n{}",
        posted.json(),
        function.log()
    );
    let summary = posted.json();
    assert_eq!(summary["trigger"], "ConfigurationItemChangeNotification");
    assert_eq!(summary["scope"], vpc.as_str());
    assert_eq!(summary["testMode"], true);
    let evaluations = put_evaluations(&config);
    assert_eq!(
        summary["putCalls"],
        config.bodies_of("PutEvaluations").len()
    );
    let counted: u64 = ["compliant", "nonCompliant", "notApplicable"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, evaluations.len(), "{summary}");
    // The VPC and its group are judged; every verdict is stamped with the item's capture time.
    let about = |id: &str, kind: &str| {
        evaluations
            .iter()
            .any(|e| e["ComplianceResourceId"] == id && e["ComplianceResourceType"] == kind)
    };
    assert!(about(&vpc, "AWS::EC2::VPC"), "{evaluations:?}");
    assert!(about(&sg, "AWS::EC2::SecurityGroup"), "{evaluations:?}");
    let capture_time = epoch_seconds(&capture_time(&event));
    for e in &evaluations {
        let stamp = e["OrderingTimestamp"].as_f64().unwrap();
        assert!((stamp - capture_time).abs() < 1e-3, "{e}");
    }
    // Still serving: the process asks for the next event.
    api.wait_for_next_calls(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_run_evaluates_the_region_and_reads_earlier_verdicts() {
    let moto = MotoServer::start();
    let (vpc, _) = vpc_with_group(&moto).await;
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let function = start(&api, &moto.endpoint_url(), &config);
    let posted = invoke(&api, "scheduled-1", sample("scheduled"));
    assert_eq!(posted.kind, PostKind::Response, "{}", function.log());
    assert_eq!(posted.json()["scope"], "whole region");
    let earlier = config.bodies_of("GetComplianceDetailsByConfigRule");
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0]["ConfigRuleName"], "vpce-reach");
    assert_eq!(
        earlier[0]["Limit"], 100,
        "pages of 100, not Config's default 10"
    );
    let evaluations = put_evaluations(&config);
    assert!(
        evaluations
            .iter()
            .any(|e| e["ComplianceResourceId"] == vpc.as_str()),
        "{evaluations:?}"
    );
    let time = epoch_seconds("2026-03-14T13:00:00.815Z");
    assert!(evaluations
        .iter()
        .all(|e| (e["OrderingTimestamp"].as_f64().unwrap() - time).abs() < 1e-3));
}

#[test]
fn malformed_events_are_invalid_event_errors_and_the_function_keeps_serving() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    // No EC2 call is expected: the capture answers any with an error.
    let function = start(&api, &config.endpoint_url(), &config);
    let log = || function.log();
    let posted = invoke(&api, "not-an-object", "[1, 2]");
    assert_error(
        &posted,
        "InvalidEvent",
        "not a Config custom-rule event",
        &log(),
    );
    // As lambda_runtime sends every invocation error.
    assert_eq!(posted.error_type_header(), Some("unhandled"));

    let no_token = r#"{"invokingEvent": "{}", "eventLeftScope": false, "configRuleName": "r"}"#;
    assert_error(
        &invoke(&api, "no-token", no_token),
        "InvalidEvent",
        "no resultToken",
        &log(),
    );
    let broken = sample("change").replace(r#"\"messageType\""#, r#"\"messageTyp\""#);
    assert_error(
        &invoke(&api, "broken-invoking-event", broken),
        "InvalidEvent",
        "invokingEvent",
        &log(),
    );
    let bad_parameter = sample("left-scope").replace("RequiredServices", "RequiredService");
    assert_error(
        &invoke(&api, "bad-parameter", bad_parameter),
        "InvalidParameter",
        "RequiredService",
        &log(),
    );
    // A good event after the errors: the process survived them.
    let posted = invoke(&api, "left-scope", sample("left-scope"));
    assert_eq!(posted.kind, PostKind::Response, "{}", log());
    assert_eq!(posted.json()["notApplicable"], 1);
    let evaluations = put_evaluations(&config);
    assert_eq!(evaluations.len(), 1);
    assert_eq!(evaluations[0]["ComplianceResourceId"], SAMPLE_SG);
    assert!(
        config
            .requests()
            .iter()
            .all(|r| target_operation(r).is_some()),
        "an EC2 call was made: {:?}",
        config.requests()
    );
}

/// Issue 14: a bad `ASSUME_ROLE_ARNS` item fails each invocation with `InvalidParameter`
/// naming the variable, and nothing is read or put.
#[test]
fn a_bad_assume_role_arn_is_an_invalid_parameter_naming_the_variable() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let roles = "arn:aws:iam::444455556666:role/read,arn:aws:iam::4444:role/typo";
    let function = start_with_roles(&api, &config.endpoint_url(), &config, roles);
    let posted = invoke(&api, "bad-roles", sample("scheduled"));
    assert_error(
        &posted,
        "InvalidParameter",
        "environment variable ASSUME_ROLE_ARNS: ",
        &function.log(),
    );
    assert!(posted
        .error_message()
        .contains("arn:aws:iam::4444:role/typo"));
    assert!(config.requests().is_empty(), "{:?}", config.requests());
}

#[test]
fn a_refused_put_is_access_denied_naming_the_action() {
    let config = HttpCapture::start(|request| match target_operation(request) {
        Some("PutEvaluations") => aws_json_error(
            "AccessDeniedException",
            "User is not authorized to perform: config:PutEvaluations",
        ),
        _ => config_answer(request),
    });
    let api = RuntimeApi::start();
    let function = start(&api, &config.endpoint_url(), &config);
    let posted = invoke(&api, "denied", sample("left-scope"));
    assert_error(
        &posted,
        "AccessDenied",
        "Grant the IAM action config:PutEvaluations",
        &function.log(),
    );
}

#[test]
fn a_deadline_too_close_to_put_is_deadline_too_close() {
    let config = HttpCapture::config();
    let api = RuntimeApi::start();
    let function = start(&api, &config.endpoint_url(), &config);
    // Less than the margin plus one batch's budget (put.rs): nothing may be put.
    api.invoke(Invocation::new("late", sample("left-scope")).deadline_in(Duration::from_secs(1)));
    let posted = api.outcome("late");
    assert_error(
        &posted,
        "DeadlineTooClose",
        "PutEvaluations not called",
        &function.log(),
    );
    assert!(config.bodies_of("PutEvaluations").is_empty());
}
