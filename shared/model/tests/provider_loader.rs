//! The provider-side outputs (issue 16) load: Batfish's real load-balancer snapshot, the
//! wrappers for the outputs that name nothing, and the errors for bare ones.

use std::path::{Path, PathBuf};

use vpce_reach_model::snapshot::elb::ElbCall;
use vpce_reach_model::{from_documents, load_dir, LoadError};

fn batfish(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/batfish")
        .join(name)
}

const LB: &str =
    "arn:aws:elasticloadbalancing:us-east-2:554773406868:loadbalancer/net/test-lb/725b996cb6be8fba";
const TG: &str =
    "arn:aws:elasticloadbalancing:us-east-2:554773406868:targetgroup/test-lb-tg/8e891d8fcdf8ece8";

#[test]
fn batfish_load_balancer_snapshot_loads() {
    let snap = load_dir(&batfish("load-balancer")).expect("the Batfish fixture loads");
    let elb = &snap.elb;
    let lb = &elb.load_balancers[LB];
    assert_eq!(lb.kind.as_deref(), Some("network"));
    assert_eq!(lb.availability_zones.len(), 2);
    assert!(elb.listeners_known.contains(LB));
    let listeners: Vec<_> = elb.listeners_of(LB).collect();
    assert_eq!(listeners.len(), 1);
    assert_eq!(listeners[0].port, Some(80));
    assert_eq!(listeners[0].target_groups(), vec![TG]);
    assert_eq!(elb.target_groups.len(), 4);
    let health = &elb.target_health[TG];
    assert_eq!(health.len(), 2);
    assert_eq!(health[0].target.port, Some(22));
    assert_eq!(
        vpce_reach_model::snapshot::elb::attribute(
            &elb.lb_attributes[LB],
            "load_balancing.cross_zone.enabled"
        ),
        Some("true")
    );
    // No endpoint service configuration: the provider side has nothing to check.
    assert!(!elb.has(ElbCall::ServiceConfigurations));
    // The NLB's node ENIs and the instances' primary ENIs are read from
    // describe-network-interfaces.
    let node = &snap.network_interfaces["eni-01f261dccaba46564"];
    assert_eq!(
        node.interface_type.as_deref(),
        Some("network_load_balancer")
    );
    assert_eq!(
        node.description.as_deref(),
        Some("ELB net/test-lb/725b996cb6be8fba")
    );
    let primary = &snap.network_interfaces["eni-0a4486d9ba39d5e3e"];
    let attachment = primary.attachment.as_ref().expect("attached");
    assert_eq!(
        attachment.instance_id.as_deref(),
        Some("i-055b0db7be365202c")
    );
    assert_eq!(attachment.device_index, Some(0));
}

fn load(docs: &[(&str, &str)]) -> Result<vpce_reach_model::Snapshot, LoadError> {
    from_documents(
        docs.iter()
            .map(|(n, t)| (n.to_string(), serde_json::from_str(t).unwrap())),
    )
}

#[test]
fn bare_outputs_that_name_nothing_are_refused_with_the_wrapper_to_use() {
    let err = load(&[(
        "health.json",
        r#"{"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}}]}"#,
    )])
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("health.json: "), "{err}");
    assert!(err.contains("LoadBalancerTargetHealth"), "{err}");
    let err = load(&[("attrs.json", r#"{"Attributes": []}"#)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("LoadBalancerAttributes"), "{err}");
}

#[test]
fn wrapped_listeners_say_a_load_balancer_has_none_and_copies_merge() {
    let snap = load(&[
        ("a.json", r#"{"LoadBalancerListeners": [{"LoadBalancerArn": "arn:lb", "Listeners": []}]}"#),
        (
            "b.json",
            r#"{"TargetGroupAttributes": [{"TargetGroupArn": "arn:tg", "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "false"}]}]}"#,
        ),
        (
            "c.json",
            r#"{"TargetGroupAttributes": [{"TargetGroupArn": "arn:tg", "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "false"}]}]}"#,
        ),
    ])
    .unwrap();
    assert!(snap.elb.listeners_known.contains("arn:lb"));
    assert_eq!(snap.elb.listeners_of("arn:lb").count(), 0);
    assert_eq!(snap.elb.tg_attributes["arn:tg"].len(), 1);
    let err = load(&[
        ("a.json", r#"{"TargetGroupAttributes": [{"TargetGroupArn": "arn:tg", "Attributes": []}]}"#),
        (
            "b.json",
            r#"{"TargetGroupAttributes": [{"TargetGroupArn": "arn:tg", "Attributes": [{"Key": "k", "Value": "v"}]}]}"#,
        ),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("arn:tg") && err.contains("a.json"), "{err}");
}
