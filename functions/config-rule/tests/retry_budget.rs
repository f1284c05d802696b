//! Retries fit the time left (issue 13.13), with the shipped client settings and on virtual
//! time: the Config client of `Clients::from_sdk_config`, bounded by the Lambda deadline as
//! `handle` bounds it, sends `PutEvaluations` to the SDK's own mock HTTP layer. Backoff and
//! timeouts sleep on the test kit's virtual clock, so their real durations are exercised
//! without waiting and without reading the wall clock.

use std::time::{Duration, SystemTime};

use aws_sdk_config::primitives::DateTime;
use aws_smithy_mocks::{mock, MockResponseInterceptor, Rule, RuleMode};
use vpce_reach_aws::{time_left, CallLimits};
use vpce_reach_config_rule::put::{put_all, PutSummary, BATCH_BUDGET, DEADLINE_MARGIN};
use vpce_reach_config_rule::{Clients, RuleError};
use vpce_reach_model::{ComplianceType, Evaluation};
use vpce_reach_testkit::clock::VirtualClock;
use vpce_reach_testkit::{net, sdk_config};

/// Config's answer to a throttled call (awsJson 1.1).
const THROTTLED: &str = r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#;

/// The shipped clients on `clock`, their HTTP answered by `http`, the Config client's
/// requests matched by `rule` first.
async fn shipped_clients(
    clock: &VirtualClock,
    http: aws_sdk_config::config::SharedHttpClient,
    rule: Option<&Rule>,
) -> Clients {
    let sdk = sdk_config("http://127.0.0.1:9")
        .to_builder()
        .http_client(http)
        .sleep_impl(clock.clone())
        .time_source(clock.clone())
        .build();
    // EC2 only: the budgets under test are EC2's and Config's.
    let shipped = Clients::from_sdk_config(&sdk)
        .await
        .with_dns(vpce_reach_aws::Dns::Off);
    let Some(rule) = rule else {
        return shipped;
    };
    let mocks = MockResponseInterceptor::new()
        .rule_mode(RuleMode::MatchAny)
        .with_rule(rule);
    let config = shipped
        .config
        .config()
        .to_builder()
        .interceptor(mocks)
        .build();
    Clients {
        aws: shipped.aws,
        config: aws_sdk_config::Client::from_conf(config),
        others: Vec::new(),
        dns: shipped.dns,
        put_unchanged: false,
    }
}

fn one_evaluation() -> Vec<Evaluation> {
    vec![Evaluation {
        compliance_resource_type: "AWS::EC2::VPCEndpoint".to_owned(),
        compliance_resource_id: "vpce-0abc".to_owned(),
        compliance_type: ComplianceType::Compliant,
        annotation: "reachable".to_owned(),
    }]
}

/// Time for the margin and one batch, and 2 s more.
fn deadline_for_one_batch(now: SystemTime) -> SystemTime {
    now + DEADLINE_MARGIN + BATCH_BUDGET + Duration::from_secs(2)
}

/// Puts one evaluation with `clients` bounded by `deadline`, as `handle` does, on `clock`.
async fn put_one(
    clock: &VirtualClock,
    clients: &Clients,
    deadline: SystemTime,
) -> Result<PutSummary, RuleError> {
    let bounded = clients.until(deadline);
    let evaluations = one_evaluation();
    let put = put_all(
        &bounded.config,
        "token",
        DateTime::from_secs(0),
        &evaluations,
        deadline,
    );
    clock.run(put).await
}

#[tokio::test]
async fn persistent_throttling_gives_up_within_the_batch_budget() {
    let clock = VirtualClock::new();
    let throttled = mock!(aws_sdk_config::Client::put_evaluations)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .repeatedly()
        .build();
    let clients = shipped_clients(
        &clock,
        aws_smithy_mocks::create_mock_http_client(),
        Some(&throttled),
    )
    .await;
    let deadline = deadline_for_one_batch(clock.time());
    let err = put_one(&clock, &clients, deadline).await.unwrap_err();
    let RuleError::Call(call) = &err else {
        panic!("the throttling error, for Lambda to report: {err:?}");
    };
    assert_eq!(call.code.as_deref(), Some("ThrottlingException"), "{err}");
    assert_eq!(
        throttled.num_calls(),
        CallLimits::SHIPPED.max_attempts as usize,
        "the shipped attempts, no more"
    );
    // Attempts are instant here: the virtual time is the backoff the SDK chose.
    assert!(
        clock.elapsed() < BATCH_BUDGET,
        "{:?} of backoff, the batch budget is {BATCH_BUDGET:?}",
        clock.elapsed()
    );
}

#[tokio::test]
async fn one_throttle_then_success_puts_within_the_batch_budget() {
    let clock = VirtualClock::new();
    let once = mock!(aws_sdk_config::Client::put_evaluations)
        .sequence()
        .http_status(400, Some(THROTTLED.to_owned()))
        .http_status(200, Some("{}".to_owned()))
        .build();
    let clients = shipped_clients(
        &clock,
        aws_smithy_mocks::create_mock_http_client(),
        Some(&once),
    )
    .await;
    let deadline = deadline_for_one_batch(clock.time());
    let summary = put_one(&clock, &clients, deadline)
        .await
        .expect("the retry succeeds");
    assert_eq!((summary.calls, once.num_calls()), (1, 2));
    assert!(clock.elapsed() < BATCH_BUDGET, "{:?}", clock.elapsed());
}

#[tokio::test]
async fn a_stalled_put_fails_before_the_deadline() {
    // The deadline check passes (time for one batch), then Config never answers: the call is
    // cut at the deadline's margin, not killed by Lambda midway.
    let clock = VirtualClock::new();
    let clients = shipped_clients(&clock, net::stalled_http_client(), None).await;
    let now = clock.time();
    let deadline = deadline_for_one_batch(now);
    let err = put_one(&clock, &clients, deadline).await.unwrap_err();
    let RuleError::Call(call) = &err else {
        panic!("a failed call: {err:?}");
    };
    assert!(call.is_timeout(), "{err}");
    assert!(
        clock.elapsed() <= time_left(deadline, now),
        "{:?} of virtual time, {:?} left before the margin",
        clock.elapsed(),
        time_left(deadline, now)
    );
}
