//! A stalled AWS call fails within the caller's time (issue 13.12, 13.13): the clients'
//! connect/read/attempt timeouts end it, and a client bounded by a Lambda deadline ends every
//! call, retries included, before the deadline's margin.
//!
//! Nothing here measures wall-clock time: the stalled-server test asserts the kind of error
//! (with small timeouts configured through the shipped code path, `ec2_client_with`), and the
//! deadline tests run the shipped limits on the test kit's virtual clock.

use std::time::Duration;

use aws_config::SdkConfig;
use vpce_reach_aws::{
    collect, ec2_client_with, ec2_until, time_left, CallError, CallLimits, Scope, DEADLINE_MARGIN,
};
use vpce_reach_testkit::clock::VirtualClock;
use vpce_reach_testkit::{net, sdk_config};

/// Small timeouts and one attempt: the test ends as soon as the first timeout fires.
const SMALL: CallLimits = CallLimits {
    connect: Duration::from_millis(200),
    read: Duration::from_millis(200),
    attempt: Duration::from_secs(2),
    max_attempts: 1,
    ..CallLimits::SHIPPED
};

async fn collect_region(client: &aws_sdk_ec2::Client) -> CallError {
    match collect(client, &Scope::region(), &|_| {}).await {
        Ok(_) => panic!("the collection cannot succeed"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_read_timeout() {
    let server = net::StalledServer::start();
    let client = ec2_client_with(&sdk_config(server.url()), &SMALL);
    let err = collect_region(&client).await;
    assert!(err.is_timeout(), "a timeout, not {err}");
    assert!(err.code.is_none(), "no answer, no AWS error code: {err}");
}

#[tokio::test]
async fn a_refused_connection_is_no_timeout() {
    let client = ec2_client_with(&sdk_config(&net::dead_endpoint()), &SMALL);
    let err = collect_region(&client).await;
    assert!(!err.is_timeout(), "refused, not timed out: {err}");
}

/// The SDK configuration of the tests on virtual time: every request stalls forever.
fn stalled_on(clock: &VirtualClock) -> SdkConfig {
    sdk_config("http://127.0.0.1:9")
        .to_builder()
        .http_client(net::stalled_http_client())
        .sleep_impl(clock.clone())
        .time_source(clock.clone())
        .build()
}

#[tokio::test]
async fn a_stalled_call_ends_at_the_deadline_margin() {
    let clock = VirtualClock::new();
    let shipped = ec2_client_with(&stalled_on(&clock), &CallLimits::SHIPPED);
    let now = clock.time();
    let deadline = now + Duration::from_secs(10);
    let bounded = ec2_until(&shipped, deadline);
    let err = clock.run(collect_region(&bounded)).await;
    assert!(err.is_timeout(), "{err}");
    // The operation timeout is the time left when the call started: at most 10 s - margin.
    let budget = time_left(deadline, now);
    assert_eq!(budget, Duration::from_secs(10) - DEADLINE_MARGIN);
    assert!(
        clock.elapsed() <= budget && clock.elapsed() > budget - Duration::from_secs(1),
        "ended after {:?} of virtual time, the budget is {budget:?}",
        clock.elapsed()
    );
}

#[tokio::test]
async fn a_call_with_no_time_left_fails_at_once() {
    let clock = VirtualClock::new();
    let shipped = ec2_client_with(&stalled_on(&clock), &CallLimits::SHIPPED);
    let bounded = ec2_until(&shipped, clock.time() + DEADLINE_MARGIN / 2);
    let err = clock.run(collect_region(&bounded)).await;
    assert!(err.is_timeout(), "{err}");
    assert_eq!(clock.elapsed(), Duration::ZERO);
}

#[tokio::test]
async fn without_a_deadline_a_stalled_call_still_ends() {
    // The CLI's client: no deadline, the shipped timeouts and retries. Whichever timeout
    // fires first (the SDK's stalled-stream protection, or the attempt timeout), every
    // attempt ends within the attempt timeout.
    let clock = VirtualClock::new();
    let limits = CallLimits::SHIPPED;
    let client = ec2_client_with(&stalled_on(&clock), &limits);
    let err = clock.run(collect_region(&client)).await;
    assert!(err.is_timeout(), "{err}");
    // Backoff between the attempts: below 0.5 s, then below 1 s.
    let most = limits.attempt * limits.max_attempts + limits.initial_backoff * 3;
    assert!(
        clock.elapsed() > Duration::ZERO && clock.elapsed() < most,
        "{:?} of virtual time, at most {most:?} expected: {err}",
        clock.elapsed(),
    );
}

#[tokio::test]
async fn every_dns_client_is_bounded_by_the_deadline() {
    // `Clients::until` bounds Route 53, Resolver and Profiles like EC2: the collection with DNS
    // fails by the deadline's margin, whichever stalled call ends it.
    let clock = VirtualClock::new();
    let shipped = vpce_reach_aws::Clients::with(&stalled_on(&clock), &CallLimits::SHIPPED);
    let now = clock.time();
    let deadline = now + Duration::from_secs(10);
    let bounded = shipped.until(deadline);
    let budget = time_left(deadline, now);
    for (label, err) in [
        (
            "route53",
            clock
                .run(async {
                    bounded
                        .route53
                        .list_hosted_zones()
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .await,
        ),
        (
            "resolver",
            clock
                .run(async {
                    bounded
                        .resolver
                        .list_resolver_rules()
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .await,
        ),
        (
            "profiles",
            clock
                .run(async {
                    bounded
                        .profiles
                        .list_profile_associations()
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .await,
        ),
    ] {
        assert!(err.is_err(), "{label}: a stalled call cannot succeed");
        assert!(
            clock.elapsed() <= budget,
            "{label} ended after {:?} of virtual time, the budget is {budget:?}",
            clock.elapsed()
        );
    }
    let err = match clock
        .run(vpce_reach_aws::collect_with_dns(
            &bounded,
            &Scope::region(),
            &|_| {},
        ))
        .await
    {
        Ok(_) => panic!("the collection cannot succeed"),
        Err(e) => e,
    };
    assert!(err.is_timeout(), "{err}");
    assert!(clock.elapsed() <= budget, "{:?}", clock.elapsed());
}
