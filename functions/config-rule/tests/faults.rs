//! Injected AWS faults, with the SDK's own test tooling: EC2 is moto (its default VPC, on the
//! scheduled sample event) behind an `aws-smithy-mocks` interceptor that replaces chosen
//! responses; Config is `aws-smithy-mocks` alone. Each test says what the invocation must do:
//! retry and succeed, or fail with a message naming the call and what to do, and put nothing.
//!
//! The throttling test also reads the log at DEBUG, as the function writes it with
//! `AWS_LAMBDA_LOG_LEVEL=DEBUG` and `AWS_LAMBDA_LOG_FORMAT=JSON`: the SDK's retry decision is
//! one of its events.
//!
//! Faults covered elsewhere: AccessDenied on a describe call and evaluations rejected every
//! time (`moto.rs`: `describe_failure_is_an_error_and_nothing_is_sent`,
//! `evaluations_rejected_every_time_are_an_error`, `failed_evaluations_are_sent_again`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::config::ConfigEvent;
use aws_sdk_config::operation::get_compliance_details_by_config_rule::GetComplianceDetailsByConfigRuleOutput;
use aws_sdk_config::operation::put_evaluations::{
    PutEvaluationsError, PutEvaluationsInput, PutEvaluationsOutput,
};
use aws_sdk_config::types::error::InvalidResultTokenException;
use aws_sdk_ec2::config::retry::RetryMode;
use aws_sdk_ec2::error::ErrorMetadata;
use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsError;
use aws_smithy_mocks::{mock, MockResponseInterceptor, Rule, RuleMode};
use vpce_reach_aws::CallLimits;
use vpce_reach_config_rule::{handle, Clients, RuleError, Summary};
use vpce_reach_testkit::{sdk_config, MotoServer};

/// Everything a log subscriber wrote.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    /// The subscriber of the function at DEBUG in JSON (lambda_runtime's format: no target, no
    /// time), writing here, as this thread's default; dropped with the guard.
    fn debug_json(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = lambda_runtime::tracing::subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_target(false)
            .without_time()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// The `PutEvaluations` requests the handler sent.
type Captured = Arc<Mutex<Vec<PutEvaluationsInput>>>;

fn put_accepting(captured: &Captured) -> Rule {
    let captured = captured.clone();
    mock!(aws_sdk_config::Client::put_evaluations).then_compute_output(move |req| {
        captured.lock().unwrap().push(req.clone());
        PutEvaluationsOutput::builder().build()
    })
}

/// No earlier verdicts (the scheduled run reads them before putting anything).
fn no_earlier_verdicts() -> Rule {
    mock!(aws_sdk_config::Client::get_compliance_details_by_config_rule)
        .then_output(|| GetComplianceDetailsByConfigRuleOutput::builder().build())
}

fn config_client(rules: &[Rule]) -> aws_sdk_config::Client {
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let conf = aws_sdk_config::Config::builder()
        .behavior_version(aws_sdk_config::config::BehaviorVersion::latest())
        .region(aws_sdk_config::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_config::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .http_client(aws_smithy_mocks::create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_config::Client::from_conf(conf)
}

/// The product's EC2 client (`vpce_reach_aws::ec2_client`: standard retry, 3 attempts) pointed
/// at moto, its first backoff shortened to keep the tests fast (the shipped backoff is
/// exercised on virtual time in `retry_budget.rs`), with `fault` answering the calls it
/// matches while it lasts.
async fn ec2_client(server: &MotoServer, fault: Option<&Rule>) -> aws_sdk_ec2::Client {
    let client = vpce_reach_aws::ec2_client(&sdk_config(&server.endpoint_url())).await;
    let retry = client
        .config()
        .retry_config()
        .expect("ec2_client sets a retry config")
        .clone()
        .with_initial_backoff(Duration::from_millis(10));
    assert_eq!(retry.mode(), RetryMode::Standard);
    assert_eq!(retry.max_attempts(), CallLimits::SHIPPED.max_attempts);
    let mut builder = client.config().to_builder().retry_config(retry);
    if let Some(rule) = fault {
        let interceptor = MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .allow_passthrough()
            .with_rule(rule);
        builder = builder.interceptor(interceptor);
    }
    aws_sdk_ec2::Client::from_conf(builder.build())
}

/// `events/config-rule/scheduled.json`, with `token` as its result token.
fn scheduled(token: &str) -> ConfigEvent {
    let path = vpce_reach_testkit::workspace_root().join("events/config-rule/scheduled.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut event: ConfigEvent = serde_json::from_str(&text).unwrap();
    event.result_token = Some(token.to_owned());
    event
}

/// The AWS clients of the caller's account with `ec2` for EC2; the DNS services' clients
/// point at nothing (the tests of this file run with `Dns::Off`, EC2 only).
fn ec2_only(ec2: aws_sdk_ec2::Client) -> vpce_reach_aws::Clients {
    vpce_reach_aws::Clients {
        ec2,
        ..vpce_reach_aws::Clients::new(&vpce_reach_testkit::sdk_config("http://127.0.0.1:9"))
    }
}

fn in_15_minutes() -> SystemTime {
    SystemTime::now() + Duration::from_secs(900)
}

async fn run(
    ec2: aws_sdk_ec2::Client,
    config: &[Rule],
    event: ConfigEvent,
    deadline: SystemTime,
) -> Result<Summary, RuleError> {
    let clients = Clients {
        aws: ec2_only(ec2),
        config: config_client(config),
        others: Vec::new(),
        dns: vpce_reach_aws::Dns::Off,
        put_unchanged: false,
    };
    handle(&clients, event, deadline).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_describe_call_is_retried_and_the_run_succeeds() {
    let server = MotoServer::start();
    // One throttling answer, as EC2 sends it (HTTP 503, code RequestLimitExceeded); then the
    // rule is exhausted and moto answers the retry.
    let throttled = mock!(aws_sdk_ec2::Client::describe_security_groups)
        .sequence()
        .error(|| {
            let meta = ErrorMetadata::builder()
                .code("RequestLimitExceeded")
                .message("Request limit exceeded.")
                .build();
            DescribeSecurityGroupsError::generic(meta)
        })
        .build();
    let ec2 = ec2_client(&server, Some(&throttled)).await;
    let captured = Captured::default();
    let logs = LogBuffer::default();
    let guard = logs.debug_json();
    let summary = run(
        ec2,
        &[put_accepting(&captured), no_earlier_verdicts()],
        scheduled("TESTMODE"),
        in_15_minutes(),
    )
    .await
    .unwrap_or_else(|e| panic!("throttling must be retried: {e}"));
    drop(guard);
    let lines = logs.lines();
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not one JSON event per line ({e}): {line}"));
    }
    let retry = lines
        .iter()
        .find(|l| l.contains("retrying after"))
        .unwrap_or_else(|| panic!("no SDK retry event at DEBUG in {} lines", lines.len()));
    assert!(retry.contains("ThrottlingError"), "{retry}");
    assert_eq!(
        throttled.num_calls(),
        2,
        "one throttled attempt, then the retry"
    );
    assert!(summary.put_calls >= 1);
    let sent: usize = captured
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.evaluations().len())
        .sum();
    assert!(sent > 0, "moto's default VPC is evaluated");
    assert_eq!(
        sent,
        summary.compliant + summary.non_compliant + summary.not_applicable
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_that_never_stops_fails_after_the_retries_and_puts_nothing() {
    let server = MotoServer::start();
    let throttled = mock!(aws_sdk_ec2::Client::describe_security_groups).then_error(|| {
        let meta = ErrorMetadata::builder()
            .code("RequestLimitExceeded")
            .message("Request limit exceeded.")
            .build();
        DescribeSecurityGroupsError::generic(meta)
    });
    let ec2 = ec2_client(&server, Some(&throttled)).await;
    let captured = Captured::default();
    let err = run(
        ec2,
        &[put_accepting(&captured), no_earlier_verdicts()],
        scheduled("TESTMODE"),
        in_15_minutes(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        throttled.num_calls(),
        CallLimits::SHIPPED.max_attempts as usize,
        "the client's attempts"
    );
    let text = err.to_string();
    assert!(
        text.contains("DescribeSecurityGroups")
            && text.contains("RequestLimitExceeded")
            && text.contains("nothing was put"),
        "{text}"
    );
    assert!(captured.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_result_token_fails_with_what_it_means() {
    let server = MotoServer::start();
    let ec2 = ec2_client(&server, None).await;
    let invalid = mock!(aws_sdk_config::Client::put_evaluations).then_error(|| {
        let meta = aws_sdk_config::error::ErrorMetadata::builder()
            .code("InvalidResultTokenException")
            .message("The resultToken provided is invalid")
            .build();
        PutEvaluationsError::InvalidResultTokenException(
            InvalidResultTokenException::builder()
                .message("The resultToken provided is invalid")
                .meta(meta)
                .build(),
        )
    });
    let err = run(
        ec2,
        &[invalid.clone(), no_earlier_verdicts()],
        scheduled("a-token-from-last-week"),
        in_15_minutes(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RuleError::Call(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "Config PutEvaluations failed (batch 1 of 1): InvalidResultTokenException"
        ) && text.contains(
            "resultToken is invalid or expired: the event is stale or was not sent by Config"
        ),
        "{text}"
    );
    assert_eq!(invalid.num_calls(), 1, "not retried: a token does not heal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_already_past_fails_at_the_first_call_and_puts_nothing() {
    let server = MotoServer::start();
    let ec2 = ec2_client(&server, None).await;
    let captured = Captured::default();
    // No time left before the deadline's margin: every AWS call of the invocation fails at
    // once with a timeout (its operation timeout is the time left), and nothing is put.
    let deadline = SystemTime::now() - Duration::from_millis(1);
    let err = run(
        ec2,
        &[put_accepting(&captured), no_earlier_verdicts()],
        scheduled("TESTMODE"),
        deadline,
    )
    .await
    .unwrap_err();
    let RuleError::Collect(call) = &err else {
        panic!("the first describe call fails: {err:?}");
    };
    assert!(call.is_timeout(), "{err}");
    assert!(err.to_string().contains("nothing was put"), "{err}");
    assert!(captured.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_too_close_for_every_batch_puts_nothing() {
    let server = MotoServer::start();
    let ec2 = ec2_client(&server, None).await;
    let captured = Captured::default();
    // Time for the collection (perhaps), not for the margin and one batch. Which comes first
    // depends on how fast moto answers: a describe call cut at the deadline's margin, or the
    // check before PutEvaluations (whose exact message `put_check_refuses_a_batch_without_time`
    // and the unit test in put.rs cover). Either way the invocation fails and puts nothing.
    let deadline = SystemTime::now()
        + vpce_reach_config_rule::put::DEADLINE_MARGIN
        + vpce_reach_config_rule::put::BATCH_BUDGET / 2;
    let err = run(
        ec2,
        &[put_accepting(&captured), no_earlier_verdicts()],
        scheduled("TESTMODE"),
        deadline,
    )
    .await
    .unwrap_err();
    let expected = match &err {
        RuleError::Deadline { .. } => true,
        RuleError::Collect(call) => call.is_timeout(),
        _ => false,
    };
    assert!(expected, "{err:?}");
    assert!(captured.lock().unwrap().is_empty());
}

#[tokio::test]
async fn put_check_refuses_a_batch_without_time() {
    // The deadline arrived while the region was being collected: past by the time of the put.
    let captured = Captured::default();
    let config = config_client(&[put_accepting(&captured)]);
    let evaluations = [vpce_reach_model::Evaluation {
        compliance_resource_type: "AWS::EC2::VPC".to_owned(),
        compliance_resource_id: "vpc-0abc".to_owned(),
        compliance_type: vpce_reach_model::ComplianceType::Compliant,
        annotation: "reachable".to_owned(),
    }];
    let deadline = SystemTime::now() - Duration::from_millis(1);
    let err = vpce_reach_config_rule::put::put_all(
        &config,
        "TESTMODE",
        aws_sdk_config::primitives::DateTime::from_secs(0),
        &evaluations,
        deadline,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            RuleError::Deadline {
                next_batch: 1,
                total: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("PutEvaluations not called (batch 1 of 1)")
            && text.contains("nothing was put")
            && text.contains("Timeout"),
        "{text}"
    );
    assert!(captured.lock().unwrap().is_empty());
}
