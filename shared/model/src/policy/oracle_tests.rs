//! The policy rule against a brute-force IAM evaluation over a finite universe of requests.
//! The oracle has its own wildcard matcher, so a bug in `policy::glob` cannot hide here.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::lets_nothing_through;

/// IAM's wildcard match (`*` any run, `?` one character), case-insensitive: written
/// independently of `policy::glob` on purpose.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    go(&p, &t)
}

/// The services of the property tests: endpoint service name and its IAM prefix.
const SERVICES: [(&str, &str); 3] = [
    ("com.amazonaws.us-east-1.s3", "s3"),
    ("com.amazonaws.us-east-1.dynamodb", "dynamodb"),
    ("com.amazonaws.us-east-1.monitoring", "cloudwatch"),
];
const ACTION_NAMES: [&str; 3] = ["GetObject", "PutItem", "PutMetricData"];
const PRINCIPALS: [&str; 2] = [
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
];
const RESOURCES: [&str; 2] = ["arn:aws:s3:::bucket/key", "arn:aws:s3:::other/key"];

/// A string or a list of strings, as IAM allows.
fn string_or_list(items: Vec<&'static str>, as_list: bool) -> Value {
    if items.len() == 1 && !as_list {
        json!(items[0])
    } else {
        json!(items)
    }
}

fn stringy(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// IAM's evaluation of one request against the endpoint policy, read as permissively as the
/// statement allows: an unknown principal form matches nobody in a Deny and everybody in an
/// Allow; a Condition is false in a Deny and true in an Allow.
fn oracle_allows(policy: &Value, action: &str, principal: &str, resource: &str) -> bool {
    let statements = policy["Statement"].as_array().unwrap();
    let matches = |s: &Value, deny: bool| -> bool {
        let action_ok = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => stringy(a).iter().any(|p| glob(p, action)),
            (_, Some(n)) => !stringy(n).iter().any(|p| glob(p, action)),
            _ => false,
        };
        let principal_ok = match s.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(o)) => o
                .get("AWS")
                .is_some_and(|v| stringy(v).iter().any(|p| *p == "*" || *p == principal)),
            _ => !deny,
        };
        let resource_ok = s
            .get("Resource")
            .is_some_and(|r| stringy(r).iter().any(|p| glob(p, resource)));
        let condition_ok = s.get("Condition").is_none() || !deny;
        action_ok && principal_ok && resource_ok && condition_ok
    };
    let denied = statements
        .iter()
        .any(|s| s["Effect"] == "Deny" && matches(s, true));
    let allowed = statements
        .iter()
        .any(|s| s["Effect"] == "Allow" && matches(s, false));
    allowed && !denied
}

/// True when some request of the service gets through, over the finite universe.
fn oracle_something_passes(policy: &Value, prefix: &str) -> bool {
    ACTION_NAMES.iter().any(|name| {
        let action = format!("{prefix}:{name}");
        PRINCIPALS.iter().any(|p| {
            RESOURCES
                .iter()
                .any(|r| oracle_allows(policy, &action, p, r))
        })
    })
}

fn action_pattern() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "*",
        "*:*",
        "s3:*",
        "S3:*",
        "dynamodb:*",
        "cloudwatch:*",
        "s3:Get*",
        "dynamodb:Put*",
        "cloudwatch:PutMetricData",
        "s3:GetObject",
        "dynamo*:*",
        "s?:*",
        "logs:*",
    ])
}

fn statement(full: bool) -> impl Strategy<Value = Value> {
    let principal = prop::sample::select(vec![
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": ["*"]}),
        json!({"AWS": "arn:aws:iam::111122223333:root"}),
        Value::Null,
    ]);
    let resource = prop::sample::select(vec![
        json!("*"),
        json!(["*"]),
        json!("arn:aws:s3:::bucket/*"),
    ]);
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(action_pattern(), 1..3),
        any::<bool>(),
        principal,
        resource,
        any::<bool>(),
    )
        .prop_map(
            move |(deny, not, actions, as_list, principal, resource, condition)| {
                let mut s = json!({"Effect": if deny { "Deny" } else { "Allow" }});
                let key = if not { "NotAction" } else { "Action" };
                s[key] = string_or_list(actions, as_list);
                if full {
                    if !principal.is_null() {
                        s["Principal"] = principal;
                    }
                    s["Resource"] = resource;
                    if condition {
                        s["Condition"] =
                            json!({"StringEquals": {"aws:PrincipalAccount": "111122223333"}});
                    }
                } else {
                    s["Principal"] = json!("*");
                    s["Resource"] = json!("*");
                }
                s
            },
        )
}

proptest! {
    /// Sound: a policy said to let nothing through lets no request of the service through.
    #[test]
    fn a_claimed_deny_is_a_real_deny(
        statements in prop::collection::vec(statement(true), 0..4),
        service in 0..SERVICES.len(),
    ) {
        let (name, prefix) = SERVICES[service];
        let policy = json!({"Version": "2012-10-17", "Statement": statements});
        if let Some(why) = lets_nothing_through(Some(&policy.to_string()), name) {
            prop_assert!(!oracle_something_passes(&policy, prefix), "{why}: {policy}");
        }
    }

    /// Complete where the rule claims to be: statements for everyone on everything without
    /// conditions, whose denies name whole services, are judged exactly.
    #[test]
    fn unconditional_policies_are_judged_exactly(
        statements in prop::collection::vec(statement(false), 0..4),
        service in 0..SERVICES.len(),
    ) {
        let (name, prefix) = SERVICES[service];
        let whole = |p: &str| p == "*" || p.ends_with(":*");
        // Partial denies (`s3:Get*`) only together with other statements are out of scope.
        let partial_deny = statements.iter().any(|s| {
            s["Effect"] == "Deny"
                && stringy(s.get("Action").or(s.get("NotAction")).unwrap()).iter().any(|p| !whole(p))
        });
        prop_assume!(!partial_deny);
        let policy = json!({"Version": "2012-10-17", "Statement": statements});
        let claimed = lets_nothing_through(Some(&policy.to_string()), name).is_some();
        prop_assert_eq!(claimed, !oracle_something_passes(&policy, prefix), "{}", policy);
    }
}
