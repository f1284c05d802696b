//! Every AWS call of a batch ends before the Lambda deadline (issue 13.12, 13.13): with EC2,
//! SNS and Config stalled, the handler bounded by the deadline (`Handler::until`, as main.rs
//! serves each batch) fails the records it could not handle, in time, instead of hanging
//! until Lambda kills it. On the test kit's virtual clock, with the shipped client settings.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use change_watch::{Handler, Settings};
use vpce_reach_aws::{time_left, DEADLINE_MARGIN};
use vpce_reach_testkit::clock::VirtualClock;
use vpce_reach_testkit::{net, sdk_config, workspace_root};

fn sample_batch() -> SqsEvent {
    let path = workspace_root().join("events/change-watch/sqs-batch.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn stalled_services_fail_the_batch_before_the_deadline() {
    let clock = VirtualClock::new();
    let sdk = sdk_config("http://127.0.0.1:9")
        .to_builder()
        .http_client(net::stalled_http_client())
        .sleep_impl(clock.clone())
        .time_source(clock.clone())
        .build();
    let settings = Settings {
        topic_arn: "arn:aws:sns:us-east-1:123456789012:vpce-reach-alerts".to_owned(),
        config_rule_name: Some("vpce-reach".to_owned()),
        // EC2 only, as before DNS: the budget under test is the batch's.
        dns: vpce_reach_aws::Dns::Off,
        ..Settings::default()
    };
    let shipped = Handler::new(&sdk, settings).await;
    let now = clock.time();
    // 3 s before the margin: less than one stalled attempt lasts without the bound (the
    // SDK's stalled-stream protection ends it after 5 s).
    let deadline = now + DEADLINE_MARGIN + Duration::from_secs(3);
    let event = sample_batch();
    let records = event.records.len();
    let bounded = shipped.until(deadline);
    let outcome = clock.run(bounded.handle(event, deadline)).await;
    let summary = &outcome.summary;
    assert!(
        clock.elapsed() <= time_left(deadline, now),
        "{:?} of virtual time, {:?} left before the margin",
        clock.elapsed(),
        time_left(deadline, now)
    );
    assert!(summary.changes > 0 && records > 0, "{summary:?}");
    assert!(
        !outcome.response.batch_item_failures.is_empty(),
        "the records whose lookup timed out are redelivered: {summary:?}"
    );
    assert!(
        summary
            .errors
            .iter()
            .any(|e| e.contains("timeout") || e.contains("timed out")),
        "{:?}",
        summary.errors
    );
    assert!(summary.alerts.is_empty(), "{summary:?}");
}
