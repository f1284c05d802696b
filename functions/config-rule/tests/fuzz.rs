//! Fuzzing, proptest-driven so it runs briefly in every CI run: the Config custom-rule event as
//! the function receives it (the envelope, `ruleParameters`, the `invokingEvent` string, the
//! trigger and its timestamp) is decoded to a trigger or refused with a clear error, never a
//! panic, whatever the input.
//!
//! A longer run: `PROPTEST_CASES=1000000 cargo test --release -p vpce-reach-config-rule --test fuzz`.
//! Inputs found by a failing run are kept in `proptest-regressions/` and replayed first; the
//! ones worth keeping for good are copied into `regressions` below.

use aws_lambda_events::event::config::ConfigEvent;
use proptest::prelude::*;
use serde_json::Value;
use vpce_reach_config_rule::event::{InvokingEvent, Trigger};
use vpce_reach_config_rule::put::parse_timestamp;
use vpce_reach_config_rule::workload_change::decide;
use vpce_reach_config_rule::RuleError;
use vpce_reach_model::RuleParameters;
use vpce_reach_testkit::fuzz::{damage_at, Vocabulary};

const SAMPLES: &[(&str, &str)] = &[
    (
        "change.json",
        include_str!("../../../events/config-rule/change.json"),
    ),
    (
        "deleted.json",
        include_str!("../../../events/config-rule/deleted.json"),
    ),
    (
        "left-scope.json",
        include_str!("../../../events/config-rule/left-scope.json"),
    ),
    (
        "oversized.json",
        include_str!("../../../events/config-rule/oversized.json"),
    ),
    (
        "scheduled.json",
        include_str!("../../../events/config-rule/scheduled.json"),
    ),
    (
        "peering.json",
        include_str!("../../../events/config-rule/peering.json"),
    ),
    (
        "eni-workload.json",
        include_str!("../../../events/config-rule/eni-workload.json"),
    ),
    (
        "eni-requester-managed.json",
        include_str!("../../../events/config-rule/eni-requester-managed.json"),
    ),
    (
        "eni-deleted.json",
        include_str!("../../../events/config-rule/eni-deleted.json"),
    ),
];

/// Everything the handler reads from an event before it calls AWS, in the handler's order.
/// Errors must be the rule's own, saying what is wrong.
fn decode_invoking(text: &str) {
    let invoking = match InvokingEvent::parse(text) {
        Ok(invoking) => invoking,
        Err(e) => return assert_bad_event(&e, "invokingEvent"),
    };
    let diff = invoking.configuration_item_diff.clone();
    let trigger = match invoking.trigger() {
        Ok(trigger) => trigger,
        Err(e) => return assert_bad_event(&e, "without"),
    };
    let time = match &trigger {
        Trigger::Scheduled { notification_time } => notification_time,
        Trigger::Change {
            item,
            capture_time,
            oversized,
        } => {
            let _ = (item.is_deleted(), item.configured_vpc());
            let params = RuleParameters::from_pairs([("ConsumerTag", "team")]).unwrap();
            for p in [RuleParameters::default(), params] {
                let _ = decide(item, diff.as_ref(), *oversized, &p);
            }
            capture_time
        }
    };
    if let Err(e) = parse_timestamp(time) {
        assert_bad_event(&e, "timestamp");
    }
}

/// The whole event text, as lambda_runtime hands it over.
fn decode_event(text: &str) {
    let Ok(event) = serde_json::from_str::<ConfigEvent>(text) else {
        return; // refused by the runtime's deserializer: the invocation fails before the handler
    };
    if let Some(params) = event.rule_parameters.as_deref().map(str::trim) {
        if !params.is_empty() {
            if let Err(e) = RuleParameters::from_json(params) {
                assert!(!e.to_string().is_empty());
            }
        }
    }
    if let Some(invoking) = event.invoking_event.as_deref() {
        decode_invoking(invoking);
    }
}

fn assert_bad_event(e: &RuleError, says: &str) {
    assert!(matches!(e, RuleError::BadEvent(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("not a Config custom-rule event: ") && text.contains(says),
        "{text}"
    );
}

/// Values of every JSON type, nested a little, with the keys and values the parser looks at.
fn arb_json() -> impl Strategy<Value = Value> {
    vpce_reach_testkit::fuzz::arb_json(Vocabulary {
        text: "[a-zA-Z0-9:.-]{0,24}",
        words: &[
            "ConfigurationItemChangeNotification",
            "OversizedConfigurationItemChangeNotification",
            "ScheduledNotification",
            "ResourceDeleted",
            "ResourceDeletedNotRecorded",
            "OK",
            "AWS::EC2::SecurityGroup",
            "AWS::EC2::VPC",
            "AWS::EC2::NetworkInterface",
            "AWS::EC2::Subnet",
            "CREATE",
            "DELETE",
            "available",
            "interface",
            "sg-0b3a8e6d2f5c94a17",
            "vpc-0d4e8a2c6f1b39a75",
            "2026-03-14T09:26:53.589Z",
            "2026-03-14T09:26:53Z",
            "2026-13-45T99:99:99Z",
            "",
        ],
        keys: &[
            "messageType",
            "configurationItem",
            "configurationItemSummary",
            "notificationCreationTime",
            "resourceType",
            "resourceId",
            "configurationItemStatus",
            "configurationItemCaptureTime",
            "configuration",
            "vpcId",
            "configurationItemDiff",
            "changedProperties",
            "Configuration",
            "previousValue",
            "changeType",
            "interfaceType",
            "requesterManaged",
            "status",
        ],
        depth: 3,
        size: 24,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text as the `invokingEvent` string.
    #[test]
    fn invoking_event_survives_any_text(text in ".{0,200}") {
        decode_invoking(&text);
    }

    /// Structurally plausible invoking events: wrong types, missing fields, odd values.
    #[test]
    fn invoking_event_survives_odd_json(value in arb_json()) {
        decode_invoking(&value.to_string());
    }

    /// The sample events with a byte range cut out or overwritten, in the envelope.
    #[test]
    fn damaged_sample_events(file in 0..SAMPLES.len(), at in any::<prop::sample::Index>(),
                             len in 0usize..40, junk in "[\\[\\]{}\",:0-9a-zA-Z\\\\ -]{0,8}") {
        decode_event(&damage_at(SAMPLES[file].1, at, len, &junk));
    }

    /// The sample events with their `invokingEvent` string damaged.
    #[test]
    fn damaged_sample_invoking_events(file in 0..SAMPLES.len(), at in any::<prop::sample::Index>(),
                                      len in 0usize..40, junk in "[\\[\\]{}\",:0-9a-zA-Z -]{0,8}") {
        let event: ConfigEvent = serde_json::from_str(SAMPLES[file].1).unwrap();
        decode_invoking(&damage_at(event.invoking_event.as_deref().unwrap(), at, len, &junk));
    }
}

/// Inputs kept for good: shapes a change of the types must keep refusing cleanly.
#[test]
fn regressions() {
    for text in [
        "",
        "null",
        "[]",
        r#"{"messageType":null}"#,
        r#"{"messageType":"ScheduledNotification","notificationCreationTime":""}"#,
        r#"{"messageType":"ScheduledNotification","notificationCreationTime":"2026-13-45T99:99:99Z"}"#,
        r#"{"messageType":"ConfigurationItemChangeNotification","configurationItem":null}"#,
        r#"{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::EC2::VPC","resourceId":"vpc-1","configurationItemCaptureTime":"2026-03-14T09:26:53Z","configuration":[]}}"#,
        r#"{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::EC2::VPC","resourceId":"vpc-1","configurationItemCaptureTime":"2026-03-14T09:26:53Z","configuration":{"vpcId":7}}}"#,
        r#"{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":{"resourceType":1,"resourceId":"x"}}"#,
    ] {
        decode_invoking(text);
    }
    for sample in SAMPLES {
        decode_event(sample.1);
    }
}
