//! The EventBridge envelope of an "AWS API Call via CloudTrail" event and the CloudTrail record
//! it carries, as our own serde types: only the fields the alert needs, everything else
//! ignored, so new CloudTrail fields never break parsing.

use serde::Deserialize;
use serde_json::Value;

/// The EventBridge `detail-type` of CloudTrail API-call events.
pub const API_CALL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";
/// The EventBridge `source` of EC2 events.
pub const EC2_SOURCE: &str = "aws.ec2";
/// The CloudTrail `eventSource` of EC2 API calls.
pub const EC2_EVENT_SOURCE: &str = "ec2.amazonaws.com";
/// The EventBridge `source` of Route 53 events (delivered in us-east-1 only: docs/deploy.md).
pub const ROUTE53_SOURCE: &str = "aws.route53";
/// The CloudTrail `eventSource` of Route 53 API calls.
pub const ROUTE53_EVENT_SOURCE: &str = "route53.amazonaws.com";
/// The EventBridge `source` of Route 53 Resolver events (regional).
pub const RESOLVER_SOURCE: &str = "aws.route53resolver";
/// The CloudTrail `eventSource` of Route 53 Resolver API calls.
pub const RESOLVER_EVENT_SOURCE: &str = "route53resolver.amazonaws.com";
/// The EventBridge `source` of Elastic Load Balancing events (regional; v1 and v2 share it).
pub const ELB_SOURCE: &str = "aws.elasticloadbalancing";
/// The CloudTrail `eventSource` of Elastic Load Balancing API calls (v1 and v2 alike).
pub const ELB_EVENT_SOURCE: &str = "elasticloadbalancing.amazonaws.com";

/// One EventBridge event, as an SQS record body holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct EventBridgeEvent {
    /// The EventBridge event id.
    pub id: String,
    /// `AWS API Call via CloudTrail` for the events this function handles.
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// `aws.ec2`, `aws.route53` or `aws.route53resolver` for the events this function handles.
    pub source: String,
    /// The account the call was made in.
    #[serde(default)]
    pub account: String,
    /// The region the call was made in.
    #[serde(default)]
    pub region: String,
    /// The CloudTrail record. Kept as JSON until [`EventBridgeEvent::api_call`] is asked for,
    /// so that an event of another kind is ignored rather than rejected.
    pub detail: Value,
}

/// The CloudTrail record of one API call (the event's `detail`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiCall {
    /// The API operation, e.g. `RevokeSecurityGroupEgress`.
    pub event_name: String,
    /// The service, e.g. `ec2.amazonaws.com`.
    pub event_source: String,
    /// When the call was made (ISO 8601, UTC).
    #[serde(default)]
    pub event_time: String,
    /// The region of the call.
    #[serde(default)]
    pub aws_region: String,
    /// CloudTrail's id of the record.
    #[serde(default)]
    pub event_id: Option<String>,
    /// Who made the call.
    #[serde(default)]
    pub user_identity: UserIdentity,
    /// Present when the call failed (e.g. `Client.UnauthorizedOperation`).
    #[serde(default)]
    pub error_code: Option<String>,
    /// The failure's message.
    #[serde(default)]
    pub error_message: Option<String>,
    /// The request as CloudTrail records it (`null` for some calls).
    #[serde(default)]
    pub request_parameters: Option<Value>,
    /// The response as CloudTrail records it (`null` for many calls).
    #[serde(default)]
    pub response_elements: Option<Value>,
}

/// CloudTrail's `userIdentity`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `FederatedUser`, …
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The principal's ARN (an assumed role's session ARN names the session).
    #[serde(default)]
    pub arn: Option<String>,
    /// The principal id (`AROA…:session-name` for roles).
    #[serde(default)]
    pub principal_id: Option<String>,
    /// The account of the principal.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The service that made the call on the principal's behalf, e.g.
    /// `cloudformation.amazonaws.com`.
    #[serde(default)]
    pub invoked_by: Option<String>,
    /// The session, for temporary credentials.
    #[serde(default)]
    pub session_context: Option<SessionContext>,
}

/// CloudTrail's `userIdentity.sessionContext`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    /// The role or user the temporary credentials were issued from.
    #[serde(default)]
    pub session_issuer: Option<SessionIssuer>,
}

/// CloudTrail's `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    /// `Role`, `IAMUser`, …
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The issuer's ARN (the role's ARN for an assumed role).
    #[serde(default)]
    pub arn: Option<String>,
    /// The issuer's name (the role's name).
    #[serde(default)]
    pub user_name: Option<String>,
    /// The issuer's principal id.
    #[serde(default)]
    pub principal_id: Option<String>,
}

impl UserIdentity {
    /// Who made the call, for people: the principal's ARN (an assumed-role ARN names the
    /// session, e.g. `…:assumed-role/Admin/alice`), with the service that acted for it.
    pub fn who(&self) -> String {
        let principal = self
            .arn
            .clone()
            .or_else(|| self.issuer_arn().map(str::to_owned))
            .or_else(|| self.principal_id.clone())
            .unwrap_or_else(|| format!("unknown {} principal", self.kind.as_deref().unwrap_or("")));
        match &self.invoked_by {
            Some(service) => format!("{principal} via {service}"),
            None => principal,
        }
    }

    /// The ARN of the role or user that issued the session, if any.
    pub fn issuer_arn(&self) -> Option<&str> {
        self.session_context
            .as_ref()?
            .session_issuer
            .as_ref()?
            .arn
            .as_deref()
    }
}

/// A record body that is not an EventBridge event, or a CloudTrail event whose `detail` is
/// not a CloudTrail record.
#[derive(Debug, thiserror::Error)]
#[error("SQS message {message_id}: {message}: {source}")]
pub struct ParseError {
    /// The SQS message id of the record.
    pub message_id: String,
    /// What is wrong.
    pub message: String,
    /// The JSON error.
    #[source]
    pub source: serde_json::Error,
}

impl EventBridgeEvent {
    /// Parses an SQS record body; errors name the SQS message id.
    pub fn parse(message_id: &str, body: &str) -> Result<EventBridgeEvent, ParseError> {
        serde_json::from_str(body).map_err(|source| ParseError {
            message_id: message_id.to_owned(),
            message: "not an EventBridge event".to_owned(),
            source,
        })
    }

    /// True for a CloudTrail-recorded EC2 API call.
    pub fn is_ec2_api_call(&self) -> bool {
        self.detail_type == API_CALL_DETAIL_TYPE && self.source == EC2_SOURCE
    }

    /// True for a CloudTrail-recorded EC2, Route 53, Route 53 Resolver or Elastic Load
    /// Balancing API call: the only events this function acts on.
    pub fn is_handled_api_call(&self) -> bool {
        self.detail_type == API_CALL_DETAIL_TYPE
            && [EC2_SOURCE, ROUTE53_SOURCE, RESOLVER_SOURCE, ELB_SOURCE]
                .contains(&self.source.as_str())
    }

    /// The CloudTrail record of an API-call event; errors name the SQS message id.
    pub fn api_call(&self, message_id: &str) -> Result<ApiCall, ParseError> {
        ApiCall::deserialize(&self.detail).map_err(|source| ParseError {
            message_id: message_id.to_owned(),
            message: format!("event {}: `detail` is not a CloudTrail record", self.id),
            source,
        })
    }
}

impl ApiCall {
    /// True when the call failed: CloudTrail records failed calls too, and they change nothing.
    pub fn failed(&self) -> bool {
        self.error_code.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(detail: Value) -> String {
        json!({
            "version": "0", "id": "ev-1", "detail-type": API_CALL_DETAIL_TYPE, "source": "aws.ec2",
            "account": "111122223333", "time": "2025-03-04T10:00:00Z", "region": "eu-west-1",
            "resources": [], "detail": detail
        })
        .to_string()
    }

    #[test]
    fn parses_an_assumed_role_call() {
        let body = event(json!({
            "eventVersion": "1.09", "eventSource": "ec2.amazonaws.com",
            "eventName": "RevokeSecurityGroupEgress", "eventTime": "2025-03-04T09:59:41Z",
            "awsRegion": "eu-west-1",
            "userIdentity": {
                "type": "AssumedRole", "principalId": "AROAEXAMPLE:alice",
                "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
                "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin",
                    "arn": "arn:aws:iam::111122223333:role/Admin"}}
            },
            "requestParameters": {"groupId": "sg-1"}, "responseElements": {"_return": true}
        }));
        let ev = EventBridgeEvent::parse("m-1", &body).unwrap();
        assert!(ev.is_ec2_api_call());
        let call = ev.api_call("m-1").unwrap();
        assert_eq!(call.event_name, "RevokeSecurityGroupEgress");
        assert!(!call.failed());
        assert_eq!(
            call.user_identity.who(),
            "arn:aws:sts::111122223333:assumed-role/Admin/alice"
        );
        assert_eq!(
            call.user_identity.issuer_arn(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        assert_eq!(call.request_parameters.unwrap()["groupId"], "sg-1");
    }

    #[test]
    fn failed_calls_and_service_principals() {
        let body = event(json!({
            "eventSource": "ec2.amazonaws.com", "eventName": "CreateRoute",
            "errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized",
            "requestParameters": null, "responseElements": null,
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/Deploy/x",
                "invokedBy": "cloudformation.amazonaws.com"}
        }));
        let call = EventBridgeEvent::parse("m", &body)
            .unwrap()
            .api_call("m")
            .unwrap();
        assert!(call.failed());
        assert!(call.request_parameters.is_none());
        assert_eq!(
            call.user_identity.who(),
            "arn:aws:sts::1:assumed-role/Deploy/x via cloudformation.amazonaws.com"
        );
    }

    #[test]
    fn errors_name_the_message_id() {
        let err = EventBridgeEvent::parse("0a1b-msg", "{not json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SQS message 0a1b-msg: not an EventBridge event"),
            "{err}"
        );
        let body = event(json!({"eventSource": "ec2.amazonaws.com"}));
        let err = EventBridgeEvent::parse("m-2", &body)
            .unwrap()
            .api_call("m-2")
            .unwrap_err();
        assert!(
            err.to_string().contains("SQS message m-2: event ev-1"),
            "{err}"
        );
        assert!(err.to_string().contains("eventName"), "{err}");
        let source = std::error::Error::source(&err).expect("the JSON error");
        assert!(source.is::<serde_json::Error>());
    }

    #[test]
    fn other_events_are_recognised_as_such() {
        let body = json!({"id": "x", "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2", "detail": {"state": "running"}})
        .to_string();
        assert!(!EventBridgeEvent::parse("m", &body)
            .unwrap()
            .is_ec2_api_call());
    }
}
