//! The EventBridge snippets of docs/change-alerts.md (moved there from the README) stay in step
//! with the code: the event pattern lists exactly the handled API calls, and the
//! compliance-change pattern and input transformer are valid JSON whose template uses only
//! defined variables.

use change_watch::changes::{
    handled_dns_event_names, handled_elb_event_names, handled_event_names,
};
use serde_json::Value;

/// The page that documents the change alerts' EventBridge rules.
const DOC: &str = "docs/change-alerts.md";

fn doc() -> String {
    let path = vpce_reach_testkit::workspace_root().join(DOC);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ```json block right after the HTML comment `marker`.
fn block(marker: &str) -> Value {
    let text = doc();
    let start = text
        .find(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("{DOC}: no marker {marker}"));
    let rest = &text[start..];
    let open = rest.find("```json\n").unwrap() + "```json\n".len();
    let close = open + rest[open..].find("```").unwrap();
    serde_json::from_str(&rest[open..close]).unwrap_or_else(|e| panic!("{DOC}, {marker}: {e}"))
}

#[test]
fn the_event_pattern_lists_the_handled_calls() {
    let pattern = block("change-watch event pattern");
    assert_eq!(pattern["source"][0], "aws.ec2");
    assert_eq!(pattern["detail-type"][0], "AWS API Call via CloudTrail");
    let mut listed: Vec<&str> = pattern["detail"]["eventName"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    listed.sort();
    let mut handled = handled_event_names();
    handled.sort();
    assert_eq!(listed, handled);
    assert_eq!(pattern["detail"]["errorCode"][0]["exists"], false);
}

#[test]
fn the_dns_event_pattern_lists_the_handled_dns_calls() {
    let pattern = block("change-watch DNS event pattern");
    let handled = handled_dns_event_names();
    let strings = |v: &Value| -> Vec<String> {
        let mut out: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let mut sources: Vec<String> = handled.iter().map(|(s, _)| s.to_string()).collect();
    sources.sort();
    assert_eq!(strings(&pattern["detail"]["eventSource"]), sources);
    let mut names: Vec<String> = handled
        .iter()
        .flat_map(|(_, n)| n.iter().map(|s| s.to_string()))
        .collect();
    names.sort();
    assert_eq!(strings(&pattern["detail"]["eventName"]), names);
    assert_eq!(pattern["detail"]["errorCode"][0]["exists"], false);
}

#[test]
fn the_elb_event_pattern_lists_the_handled_elb_calls() {
    let pattern = block("change-watch ELB event pattern");
    assert_eq!(pattern["source"][0], "aws.elasticloadbalancing");
    assert_eq!(
        pattern["detail"]["eventSource"][0],
        "elasticloadbalancing.amazonaws.com"
    );
    let mut listed: Vec<&str> = pattern["detail"]["eventName"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    listed.sort();
    let mut handled = handled_elb_event_names();
    handled.sort();
    assert_eq!(listed, handled);
    assert_eq!(pattern["detail"]["errorCode"][0]["exists"], false);
}

#[test]
fn the_compliance_change_rule_is_consistent() {
    let pattern = block("compliance change event pattern");
    assert_eq!(pattern["detail-type"][0], "Config Rules Compliance Change");
    let transformer = block("compliance change input transformer");
    let paths = transformer["InputPathsMap"].as_object().unwrap();
    let template = transformer["InputTemplate"].as_str().unwrap();
    for line in template.lines() {
        assert!(
            line.starts_with('"') && line.ends_with('"'),
            "each line is a quoted string: {line}"
        );
    }
    let used: Vec<&str> = template
        .split('<')
        .skip(1)
        .map(|s| s.split('>').next().unwrap())
        .collect();
    for name in &used {
        assert!(
            paths.contains_key(*name),
            "<{name}> is not in InputPathsMap"
        );
    }
    assert_eq!(used.len(), paths.len(), "every variable is used");
}
