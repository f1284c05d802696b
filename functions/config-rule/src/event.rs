//! The invoking event of a Config custom rule, in our own types.
//!
//! `aws_lambda_events`' `ConfigEvent` is the outer envelope; its `invokingEvent` is a JSON
//! string whose shape depends on `messageType`. Only the fields the rule uses are modelled:
//! everything else in a configuration item is ignored.

use aws_lambda_events::event::config::ConfigEvent;
use serde::Deserialize;

use crate::error::RuleError;

/// Decodes the Lambda payload as a Config custom-rule event.
///
/// The function takes its payload as JSON and decodes it here, not in the runtime: the
/// runtime would report a malformed event with a Rust type name as its `errorType`; this is
/// [`RuleError::BadEvent`] (`InvalidEvent`).
pub fn decode(payload: serde_json::Value) -> Result<ConfigEvent, RuleError> {
    serde_json::from_value(payload).map_err(|e| RuleError::BadEvent(e.to_string()))
}

/// `configurationItemStatus` values that mean the resource no longer exists.
const DELETED_STATUSES: [&str; 2] = ["ResourceDeleted", "ResourceDeletedNotRecorded"];

/// What triggered the invocation (`messageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MessageType {
    /// A resource in the rule's scope changed; the item is in the event.
    ConfigurationItemChangeNotification,
    /// A resource changed, but its item was too large: only a summary is in the event.
    OversizedConfigurationItemChangeNotification,
    /// The rule's periodic run.
    ScheduledNotification,
}

/// The decoded `invokingEvent`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokingEvent {
    /// What triggered the invocation.
    pub message_type: MessageType,
    /// The changed resource (change notifications).
    pub configuration_item: Option<ConfigurationItem>,
    /// The changed resource, without its configuration (oversized notifications).
    pub configuration_item_summary: Option<ConfigurationItem>,
    /// When Config created the notification (every message type carries it).
    pub notification_creation_time: Option<String>,
    /// What changed, read leniently by [`crate::workload_change`] (a deleted ENI's previous
    /// configuration, a detached ENI's status change).
    #[serde(default)]
    pub configuration_item_diff: Option<serde_json::Value>,
}

/// A configuration item, or its summary (which has no `configuration`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationItem {
    /// E.g. `AWS::EC2::SecurityGroup`.
    pub resource_type: String,
    /// E.g. `sg-0abc`.
    pub resource_id: String,
    /// `OK`, `ResourceDiscovered`, `ResourceDeleted`, `ResourceDeletedNotRecorded`, ...
    #[serde(default)]
    pub configuration_item_status: Option<String>,
    /// When Config recorded this state of the resource: the evaluation's `OrderingTimestamp`.
    #[serde(default)]
    pub configuration_item_capture_time: Option<String>,
    /// The item's Region (`awsRegion`): a hosted zone's associations in other Regions are
    /// not this rule's to evaluate.
    #[serde(default)]
    pub aws_region: Option<String>,
    /// The resource's describe output, camelCased; `null` for a deleted resource (boxed: it
    /// carries every field of the item, and the summary of an oversized item has none).
    #[serde(default)]
    pub configuration: Option<Box<ItemConfiguration>>,
}

/// The fields of a resource's configuration the rule needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemConfiguration {
    /// The VPC of a security group, NACL, route table, endpoint, subnet or ENI.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// An ENI's fields that say whether it is a workload (boxed: every trigger carries an
    /// item, and most items are not ENIs).
    #[serde(flatten)]
    pub eni: Box<crate::workload_change::EniConfiguration>,
    /// The configuration's other fields, where a link or DNS resource names its VPCs
    /// (`scope::target_of`); declared after `eni`, which takes its own fields first.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ConfigurationItem {
    /// True when the item records the deletion of the resource.
    pub fn is_deleted(&self) -> bool {
        self.configuration_item_status
            .as_deref()
            .is_some_and(|s| DELETED_STATUSES.contains(&s))
    }

    /// The VPC named in the item's configuration, if the item carries one.
    pub fn configured_vpc(&self) -> Option<&str> {
        self.configuration
            .as_ref()?
            .vpc_id
            .as_deref()
            .filter(|v| !v.is_empty())
    }
}

/// What one invocation must do, decoded and validated from the invoking event.
#[derive(Debug, Clone)]
pub enum Trigger {
    /// One resource changed (or was deleted): re-evaluate its VPC.
    Change {
        /// The item, or the summary of an oversized one.
        item: ConfigurationItem,
        /// True when only the summary was sent (no `configuration`).
        oversized: bool,
        /// The item's capture time: the evaluations' `OrderingTimestamp`.
        capture_time: String,
    },
    /// The periodic run: the whole region.
    Scheduled {
        /// `notificationCreationTime`: the evaluations' `OrderingTimestamp`.
        notification_time: String,
    },
}

impl InvokingEvent {
    /// Parses the `invokingEvent` JSON string.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        serde_json::from_str(text).map_err(|e| RuleError::BadEvent(format!("invokingEvent: {e}")))
    }

    /// The trigger, with the fields its message type requires.
    pub fn trigger(self) -> Result<Trigger, RuleError> {
        let missing =
            |what: &str| RuleError::BadEvent(format!("{:?} without {what}", self.message_type));
        match self.message_type {
            MessageType::ScheduledNotification => {
                let notification_time = self
                    .notification_creation_time
                    .clone()
                    .ok_or_else(|| missing("notificationCreationTime"))?;
                Ok(Trigger::Scheduled { notification_time })
            }
            MessageType::ConfigurationItemChangeNotification => {
                let item = self
                    .configuration_item
                    .clone()
                    .ok_or_else(|| missing("configurationItem"))?;
                change(item, false).ok_or_else(|| missing("configurationItemCaptureTime"))
            }
            MessageType::OversizedConfigurationItemChangeNotification => {
                let item = self
                    .configuration_item_summary
                    .clone()
                    .ok_or_else(|| missing("configurationItemSummary"))?;
                change(item, true).ok_or_else(|| missing("configurationItemCaptureTime"))
            }
        }
    }
}

fn change(item: ConfigurationItem, oversized: bool) -> Option<Trigger> {
    let capture_time = item.configuration_item_capture_time.clone()?;
    Some(Trigger::Change {
        item,
        oversized,
        capture_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_notification_gives_the_vpc_and_capture_time() {
        let text = r#"{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":"2026-01-02T03:04:05.678Z",
            "configurationItem":{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","configurationItemStatus":"OK",
            "configurationItemCaptureTime":"2026-01-02T03:00:00.000Z","configuration":{"groupId":"sg-1","vpcId":"vpc-1"},"tags":{}}}"#;
        let Trigger::Change {
            item,
            oversized,
            capture_time,
        } = InvokingEvent::parse(text).unwrap().trigger().unwrap()
        else {
            panic!("not a change")
        };
        assert!(!oversized && !item.is_deleted());
        assert_eq!(
            (item.configured_vpc(), capture_time.as_str()),
            (Some("vpc-1"), "2026-01-02T03:00:00.000Z")
        );
    }

    #[test]
    fn deleted_item_has_no_configuration() {
        let text = r#"{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":"x",
            "configurationItem":{"resourceType":"AWS::EC2::NetworkAcl","resourceId":"acl-1",
            "configurationItemStatus":"ResourceDeleted","configurationItemCaptureTime":"t","configuration":null}}"#;
        let Trigger::Change { item, .. } = InvokingEvent::parse(text).unwrap().trigger().unwrap()
        else {
            panic!()
        };
        assert!(item.is_deleted());
        assert_eq!(item.configured_vpc(), None);
    }

    #[test]
    fn a_payload_of_another_shape_is_an_invalid_event() {
        for payload in [
            serde_json::json!([1, 2]),
            serde_json::json!("text"),
            serde_json::json!({ "invokingEvent": 5 }),
        ] {
            let err = decode(payload.clone()).unwrap_err();
            assert!(matches!(err, RuleError::BadEvent(_)), "{payload}");
            assert_eq!(err.error_type(), "InvalidEvent");
        }
        let sample = include_str!("../../../events/config-rule/change.json");
        assert!(decode(serde_json::from_str(sample).unwrap()).is_ok());
    }

    #[test]
    fn missing_fields_are_errors() {
        for text in [
            r#"{"messageType":"ScheduledNotification"}"#,
            r#"{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":"x"}"#,
            r#"{"messageType":"OversizedConfigurationItemChangeNotification","configurationItemSummary":{"resourceType":"AWS::EC2::VPC","resourceId":"vpc-1"}}"#,
        ] {
            let err = InvokingEvent::parse(text).unwrap().trigger().unwrap_err();
            assert!(matches!(err, RuleError::BadEvent(_)), "{text}");
        }
        assert!(InvokingEvent::parse(r#"{"messageType":"Bogus"}"#).is_err());
    }
}
