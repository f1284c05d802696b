//! Endpoint policies: whether an endpoint's policy lets any request of its service through.
//!
//! An endpoint only ever carries requests to its own service, so a policy is judged by its
//! effect on that service's actions, not by its spelling. The policy lets nothing through when
//!
//! - a `Deny` statement without `Condition`, for every principal (`"*"` or `{"AWS": "*"}`), on
//!   every resource (`"*"`), covers every action of the service: an `Action` of `*` or
//!   `<prefix>:*` (IAM wildcards, case-insensitive), or a `NotAction` none of whose entries can
//!   name an action of the service; or
//! - no `Allow` statement can allow an action of the service: there is none, or every one names
//!   only other services' actions (an S3 policy copied onto a DynamoDB endpoint), or excludes
//!   the whole service with `NotAction`.
//!
//! Anything subtler (a condition, a specific principal or resource, a list of actions that
//! only together cover the service) "may restrict": vpce-reach checks the network path, not
//! IAM, and never claims a deny it cannot prove. For a service not in [`SERVICE_PREFIXES`]
//! only the service-independent forms (a `Deny` of `*`, no `Allow` at all) count.

use serde_json::Value;

use crate::params::short_service_name;

/// Endpoint service name (as `short_service_name` gives it) -> IAM service prefix of the
/// actions its requests carry. Source: the Service Authorization Reference, "Actions,
/// resources, and condition keys for AWS services"
/// (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>),
/// each service's page stating "(service prefix: `…`)".
pub(crate) const SERVICE_PREFIXES: &[(&str, &str)] = &[
    ("autoscaling", "autoscaling"),
    ("cloudformation", "cloudformation"),
    ("codecommit", "codecommit"),
    ("dynamodb", "dynamodb"),
    ("ec2", "ec2"),
    ("ec2messages", "ec2messages"),
    ("ecr.api", "ecr"),
    ("ecr.dkr", "ecr"),
    ("ecs", "ecs"),
    ("ecs-agent", "ecs"),
    ("ecs-telemetry", "ecs"),
    ("elasticfilesystem", "elasticfilesystem"),
    ("elasticloadbalancing", "elasticloadbalancing"),
    ("events", "events"),
    ("execute-api", "execute-api"),
    ("git-codecommit", "codecommit"),
    ("kms", "kms"),
    ("lambda", "lambda"),
    ("logs", "logs"),
    ("monitoring", "cloudwatch"),
    ("s3", "s3"),
    ("secretsmanager", "secretsmanager"),
    ("sns", "sns"),
    ("sqs", "sqs"),
    ("ssm", "ssm"),
    ("ssmmessages", "ssmmessages"),
    ("states", "states"),
    ("sts", "sts"),
];

/// The IAM prefix of the actions an endpoint of `service_name` carries (`com.amazonaws.<region>.`
/// and a `-fips` suffix ignored), `None` for a service not in [`SERVICE_PREFIXES`].
pub(crate) fn iam_prefix(service_name: &str) -> Option<&'static str> {
    let short = short_service_name(service_name);
    let short = short.strip_suffix("-fips").unwrap_or(short);
    SERVICE_PREFIXES
        .iter()
        .find(|(name, _)| *name == short)
        .map(|(_, prefix)| *prefix)
}

/// Why the policy lets no request of `service_name` through, if it provably does (see the
/// module documentation). `None`: no policy, a policy that is not a JSON object with
/// `Statement`, or one that may let something through.
pub(crate) fn lets_nothing_through(policy: Option<&str>, service_name: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(policy?).ok()?;
    let statements: Vec<Statement> = match doc.get("Statement")? {
        Value::Array(items) => items.iter().map(Statement::read).collect(),
        single => vec![Statement::read(single)],
    };
    let prefix = iam_prefix(service_name);
    if let Some(why) = statements.iter().find_map(|s| s.denies_all(prefix)) {
        return Some(why);
    }
    let allows: Vec<&Statement> = statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .collect();
    if allows.is_empty() {
        return Some("the endpoint policy has no Allow statement".to_string());
    }
    let prefix = prefix?;
    if allows.iter().any(|s| s.may_allow(prefix)) {
        return None;
    }
    Some(format!(
        "the endpoint policy allows only actions of other services ({}), none of `{prefix}`",
        shown(allows.iter().flat_map(|s| s.actions.patterns()))
    ))
}

#[derive(Debug, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
    /// Missing or misspelt: the statement is ignored.
    Other,
}

/// `Action` or `NotAction`, each a string or a list of strings.
#[derive(Debug)]
enum Actions<'a> {
    Action(Vec<&'a str>),
    NotAction(Vec<&'a str>),
    /// Neither, or not strings: nothing can be proved from it.
    Unknown,
}

impl<'a> Actions<'a> {
    fn patterns(&self) -> Vec<&'a str> {
        match self {
            Actions::Action(p) | Actions::NotAction(p) => p.clone(),
            Actions::Unknown => Vec::new(),
        }
    }
}

/// What one statement says, as far as the verdict needs it.
#[derive(Debug)]
struct Statement<'a> {
    effect: Effect,
    actions: Actions<'a>,
    /// `Principal` is `"*"` or `{"AWS": "*"}` (no `NotPrincipal`).
    everyone: bool,
    /// `Resource` is `"*"` (no `NotResource`).
    all_resources: bool,
    /// No `Condition`, or an empty one.
    unconditional: bool,
}

impl<'a> Statement<'a> {
    fn read(s: &'a Value) -> Statement<'a> {
        let effect = match s.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => Effect::Other,
        };
        let actions = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), None) => strings(a).map_or(Actions::Unknown, Actions::Action),
            (None, Some(n)) => strings(n).map_or(Actions::Unknown, Actions::NotAction),
            _ => Actions::Unknown,
        };
        let everyone = match s.get("Principal") {
            Some(Value::Object(o)) => o.get("AWS").is_some_and(has_star),
            Some(p) => has_star(p),
            None => false,
        };
        let unconditional = match s.get("Condition") {
            None | Some(Value::Null) => true,
            Some(Value::Object(o)) => o.is_empty(),
            Some(_) => false,
        };
        Statement {
            effect,
            actions,
            everyone,
            all_resources: s.get("Resource").is_some_and(has_star),
            unconditional,
        }
    }

    /// Why this statement denies every action of the service, if it does.
    fn denies_all(&self, prefix: Option<&str>) -> Option<String> {
        if self.effect != Effect::Deny
            || !(self.everyone && self.all_resources && self.unconditional)
        {
            return None;
        }
        match &self.actions {
            Actions::Action(patterns) => {
                let cover = patterns.iter().find(|p| covers_service(p, prefix))?;
                Some(match prefix {
                    Some(prefix) if !covers_service(cover, None) => format!(
                        "the endpoint policy denies every `{prefix}` action (`{cover}`) to everyone"
                    ),
                    // `*` or `*:*`: every action of every service.
                    _ => "the endpoint policy denies every action to everyone".to_string(),
                })
            }
            Actions::NotAction(patterns) => {
                let prefix = prefix?;
                if patterns.iter().any(|p| may_name_service(p, prefix)) {
                    return None;
                }
                Some(format!(
                    "the endpoint policy denies everyone every action but {}, none of them `{prefix}`",
                    shown(patterns.iter().copied())
                ))
            }
            Actions::Unknown => None,
        }
    }

    /// True unless this `Allow` statement provably allows no action of the service.
    fn may_allow(&self, prefix: &str) -> bool {
        match &self.actions {
            Actions::Action(patterns) => patterns.iter().any(|p| may_name_service(p, prefix)),
            Actions::NotAction(patterns) => {
                !patterns.iter().any(|p| covers_service(p, Some(prefix)))
            }
            Actions::Unknown => true,
        }
    }
}

/// A string, or a list of strings (`None` for anything else).
fn strings(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// `"*"`, or a list holding `"*"`.
fn has_star(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "*",
        Value::Array(items) => items.iter().any(|i| i == "*"),
        _ => false,
    }
}

/// `*`, `**`, …: an action pattern matching every action of every service.
fn is_stars(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|b| b == b'*')
}

/// True when the action pattern matches every action of the service (`prefix` `None`: an
/// unknown service, only `*` is known to cover it).
fn covers_service(pattern: &str, prefix: Option<&str>) -> bool {
    if is_stars(pattern) {
        return true;
    }
    match (pattern.split_once(':'), prefix) {
        // `*:*` covers every service, known or not.
        (Some((service, action)), _) if is_stars(service) && is_stars(action) => true,
        (Some((service, action)), Some(prefix)) => is_stars(action) && glob(service, prefix),
        _ => false,
    }
}

/// False only when the action pattern provably names no action of the service: its
/// `service:` part does not match the prefix. A pattern without `:` (not valid IAM) may.
fn may_name_service(pattern: &str, prefix: &str) -> bool {
    match pattern.split_once(':') {
        Some((service, _)) => glob(service, prefix),
        None => true,
    }
}

/// IAM wildcard match: `*` any run, `?` any one character, ASCII case-insensitive.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// `` `a`, `b`, `c` `` and `, …` past three.
fn shown<'a>(patterns: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = patterns.collect();
    let mut out: Vec<String> = all.iter().take(3).map(|p| format!("`{p}`")).collect();
    if all.len() > 3 {
        out.push("…".to_string());
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3: &str = "com.amazonaws.us-east-1.s3";
    const DDB: &str = "com.amazonaws.us-east-1.dynamodb";

    fn policy(statements: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
    }

    const ALLOW_ALL: &str = r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#;

    #[test]
    fn glob_is_iam_wildcards() {
        assert!(glob("s3", "S3"));
        assert!(glob("*", ""));
        assert!(glob("s3:Get*", "s3:getobject"));
        assert!(glob("s?", "s3"));
        assert!(glob("*a*b", "xxaxxb"));
        assert!(!glob("s3:Get*", "s3:PutObject"));
        assert!(!glob("s", "s3"));
        assert!(!glob("dynamo*", "s3"));
    }

    #[test]
    fn prefixes_follow_the_table() {
        assert_eq!(
            iam_prefix("com.amazonaws.us-east-1.monitoring"),
            Some("cloudwatch")
        );
        assert_eq!(iam_prefix("com.amazonaws.eu-west-1.ecr.dkr"), Some("ecr"));
        assert_eq!(iam_prefix("com.amazonaws.eu-west-1.kms-fips"), Some("kms"));
        assert_eq!(
            iam_prefix("com.amazonaws.eu-west-1.git-codecommit"),
            Some("codecommit")
        );
        assert_eq!(
            iam_prefix("com.amazonaws.vpce.us-east-1.vpce-svc-0123"),
            None
        );
        assert_eq!(iam_prefix("com.amazonaws.us-east-1.someday"), None);
    }

    #[test]
    fn service_deny_is_deny_all() {
        for action in [
            r#""s3:*""#,
            r#"["S3:*"]"#,
            r#""*""#,
            r#"["s3:GetObject","*:*"]"#,
        ] {
            let p = policy(&format!(
                r#"{ALLOW_ALL},{{"Effect":"Deny","Principal":{{"AWS":"*"}},"Action":{action},"Resource":"*"}}"#
            ));
            assert!(lets_nothing_through(Some(&p), S3).is_some(), "{action}");
        }
        // The same deny on another service's endpoint denies nothing it carries.
        let p = policy(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#
        ));
        assert_eq!(lets_nothing_through(Some(&p), DDB), None);
    }

    #[test]
    fn scoped_denies_may_restrict() {
        let scoped = [
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}"#,
            r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:Put*","Resource":"*"}"#,
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"*","Resource":"*"}"#,
            r#"{"Effect":"Deny","Principal":"*","Action":"*","NotResource":"arn:aws:s3:::b/*"}"#,
        ];
        for deny in scoped {
            let p = policy(&format!("{ALLOW_ALL},{deny}"));
            assert_eq!(lets_nothing_through(Some(&p), S3), None, "{deny}");
        }
    }

    #[test]
    fn not_action_denies() {
        let deny = |not: &str| {
            policy(&format!(
                r#"{ALLOW_ALL},{{"Effect":"Deny","Principal":"*","NotAction":{not},"Resource":"*"}}"#
            ))
        };
        assert!(lets_nothing_through(Some(&deny(r#""s3:GetObject""#)), DDB).is_some());
        assert_eq!(
            lets_nothing_through(Some(&deny(r#""s3:GetObject""#)), S3),
            None
        );
        assert_eq!(
            lets_nothing_through(Some(&deny(r#"["*:Get*"]"#)), DDB),
            None
        );
        // An unknown service: the exception may be its own.
        let svc = "com.amazonaws.vpce.us-east-1.vpce-svc-0123";
        assert_eq!(
            lets_nothing_through(Some(&deny(r#""s3:GetObject""#)), svc),
            None
        );
    }

    #[test]
    fn unknown_services_get_only_service_independent_verdicts() {
        let svc = "com.amazonaws.vpce.us-east-1.vpce-svc-0123";
        let deny = |action: &str| {
            policy(&format!(
                r#"{ALLOW_ALL},{{"Effect":"Deny","Principal":"*","Action":"{action}","Resource":"*"}}"#
            ))
        };
        assert!(lets_nothing_through(Some(&deny("*")), svc).is_some());
        assert!(lets_nothing_through(Some(&deny("*:*")), svc).is_some());
        assert_eq!(lets_nothing_through(Some(&deny("s3:*")), svc), None);
        assert_eq!(lets_nothing_through(Some(&deny("*:Get*")), svc), None);
        let no_allow =
            policy(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#);
        assert!(lets_nothing_through(Some(&no_allow), svc).is_some());
    }

    #[test]
    fn allows_of_other_services_only() {
        let s3_only = policy(
            r#"{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}"#,
        );
        let why = lets_nothing_through(Some(&s3_only), DDB).unwrap();
        assert!(
            why.contains("`s3:GetObject`") && why.contains("`dynamodb`"),
            "{why}"
        );
        assert_eq!(lets_nothing_through(Some(&s3_only), S3), None);
        // Unknown service: no verdict from the allows.
        assert_eq!(
            lets_nothing_through(Some(&s3_only), "com.amazonaws.us-east-1.someday"),
            None
        );
        let not_ddb =
            policy(r#"{"Effect":"Allow","Principal":"*","NotAction":"dynamodb:*","Resource":"*"}"#);
        assert!(lets_nothing_through(Some(&not_ddb), DDB).is_some());
        assert_eq!(lets_nothing_through(Some(&not_ddb), S3), None);
        let wild =
            policy(r#"{"Effect":"Allow","Principal":"*","Action":"dynamo*:Get*","Resource":"*"}"#);
        assert_eq!(lets_nothing_through(Some(&wild), DDB), None);
    }

    #[test]
    fn the_old_texts_stay() {
        let deny = policy(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Principal":{{"AWS":"*"}},"Action":["*"],"Resource":"*"}}"#
        ));
        assert_eq!(
            lets_nothing_through(Some(&deny), S3).as_deref(),
            Some("the endpoint policy denies every action to everyone")
        );
        assert_eq!(
            lets_nothing_through(Some(r#"{"Statement":[]}"#), S3).as_deref(),
            Some("the endpoint policy has no Allow statement")
        );
        assert_eq!(lets_nothing_through(Some(&policy(ALLOW_ALL)), S3), None);
        assert_eq!(lets_nothing_through(None, S3), None);
        assert_eq!(lets_nothing_through(Some("not json"), S3), None);
    }
}

#[cfg(test)]
mod oracle_tests;
