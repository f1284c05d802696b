//! Checks on `template.yaml` that cfn-lint and `sam validate --lint` do not make (both accept a
//! misspelt Config `MessageType` or a made-up runtime): the Config rule's triggers, schedule,
//! scope and parameters; the functions' runtime, architecture and build; the invoke
//! permission; and that each function's role grants exactly the AWS actions its code calls.
//!
//! The code's calls are found by scanning the Rust sources of the function's package and of
//! every workspace crate it depends on for AWS SDK fluent calls (`.describe_vpcs()`): a method
//! name counts as a call when it is an operation of an `aws-sdk-*` crate that package depends
//! on (the operation list and its API name come from the SDK crate's own `src/operation/`,
//! located with `cargo metadata`). Code after a `#[cfg(test)]` line is test code and skipped.
//!
//! CloudFormation tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) are read as their inner value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value as Json;
use yaml_rust2::{Yaml, YamlLoader};

/// The checkout under test (found at run time: see `vpce_reach_testkit::package_dir`).
fn root() -> PathBuf {
    vpce_reach_testkit::workspace_root()
}

const MESSAGE_TYPES: [&str; 3] = [
    "ConfigurationItemChangeNotification",
    "OversizedConfigurationItemChangeNotification",
    "ScheduledNotification",
];
const FREQUENCIES: [&str; 5] = [
    "One_Hour",
    "Three_Hours",
    "Six_Hours",
    "Twelve_Hours",
    "TwentyFour_Hours",
];
/// The Config rule's source file that lists the resource types whose changes it handles.
const TRIGGER_TYPES_SOURCE: &str = "functions/config-rule/src/workload_change.rs";
/// What every function's role needs for its own logs (Lambda writes them with the role).
const LOG_ACTIONS: [&str; 2] = ["logs:CreateLogStream", "logs:PutLogEvents"];
/// What Lambda's SQS poller calls with the role of a function that has an SQS event.
const SQS_POLLER_ACTIONS: [&str; 3] = [
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];
/// What sns:Publish to a KMS-encrypted topic needs besides.
const SNS_KMS_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];

// ------------------------------------------------------------------------------------------
// The template
// ------------------------------------------------------------------------------------------

fn template() -> &'static Yaml {
    static DOC: OnceLock<Yaml> = OnceLock::new();
    DOC.get_or_init(|| {
        let text =
            std::fs::read_to_string(root().join("template.yaml")).expect("read template.yaml");
        YamlLoader::load_from_str(&text)
            .expect("template.yaml is YAML")
            .into_iter()
            .next()
            .expect("one document")
    })
}

fn resources() -> &'static yaml_rust2::yaml::Hash {
    template()["Resources"]
        .as_hash()
        .expect("Resources is a mapping")
}

fn resource(name: &str) -> &'static Yaml {
    let r = &template()["Resources"][name];
    assert!(!r.is_badvalue(), "template.yaml has no resource {name}");
    r
}

/// Logical ids of the resources of a type, in template order.
fn of_type(ty: &str) -> Vec<&'static str> {
    resources()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(ty))
        .map(|(k, _)| k.as_str().expect("logical ids are strings"))
        .collect()
}

fn str_of<'a>(y: &'a Yaml, what: &str) -> &'a str {
    y.as_str()
        .unwrap_or_else(|| panic!("{what}: expected a string, got {y:?}"))
}

/// A value that is one string or a list of strings.
fn strings(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items
            .iter()
            .map(|i| str_of(i, "list item").to_string())
            .collect(),
        other => panic!("expected a string or a list of strings, got {other:?}"),
    }
}

/// `!GetAtt X.Arn` is read as `X.Arn`; the logical id `X`.
fn getatt_target(y: &Yaml) -> &str {
    str_of(y, "!GetAtt").split('.').next().unwrap()
}

fn parameter(name: &str) -> Option<&'static Yaml> {
    let p = &template()["Parameters"][name];
    (!p.is_badvalue()).then_some(p)
}

fn functions() -> Vec<&'static str> {
    let mut f = of_type("AWS::Serverless::Function");
    f.extend(of_type("AWS::Lambda::Function"));
    f
}

fn config_rule() -> &'static Yaml {
    let rules = of_type("AWS::Config::ConfigRule");
    assert_eq!(rules.len(), 1, "exactly one Config rule, found {rules:?}");
    resource(rules[0])
}

/// The function the Config rule invokes.
fn config_rule_function() -> &'static str {
    getatt_target(&config_rule()["Properties"]["Source"]["SourceIdentifier"])
}

// ------------------------------------------------------------------------------------------
// The Config rule
// ------------------------------------------------------------------------------------------

#[test]
fn config_rule_triggers_are_change_oversized_and_scheduled() {
    let source = &config_rule()["Properties"]["Source"];
    assert_eq!(source["Owner"].as_str(), Some("CUSTOM_LAMBDA"));
    let details = source["SourceDetails"]
        .as_vec()
        .expect("SourceDetails is a list");
    let types: Vec<&str> = details
        .iter()
        .map(|d| str_of(&d["MessageType"], "MessageType"))
        .collect();
    let unique: BTreeSet<&str> = types.iter().copied().collect();
    assert_eq!(
        types.len(),
        unique.len(),
        "duplicate MessageType in {types:?}"
    );
    assert_eq!(
        unique,
        MESSAGE_TYPES.into_iter().collect(),
        "MessageType values"
    );
    for d in details {
        assert_eq!(
            d["EventSource"].as_str(),
            Some("aws.config"),
            "EventSource of {d:?}"
        );
        let scheduled = d["MessageType"].as_str() == Some("ScheduledNotification");
        let frequency = &d["MaximumExecutionFrequency"];
        assert_eq!(
            !frequency.is_badvalue(),
            scheduled,
            "MaximumExecutionFrequency only (and always) on the scheduled source"
        );
    }
}

#[test]
fn schedule_is_an_allowed_frequency() {
    let source = &config_rule()["Properties"]["Source"];
    let scheduled = source["SourceDetails"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|d| d["MessageType"].as_str() == Some("ScheduledNotification"))
        .expect("a scheduled source");
    let value = str_of(
        &scheduled["MaximumExecutionFrequency"],
        "MaximumExecutionFrequency",
    );
    match parameter(value) {
        // `!Ref Parameter`: every value the parameter allows, and its default, must be valid.
        Some(p) => {
            let allowed = strings(&p["AllowedValues"]);
            assert!(
                !allowed.is_empty(),
                "parameter {value} must restrict AllowedValues"
            );
            for v in allowed
                .iter()
                .map(String::as_str)
                .chain([str_of(&p["Default"], "Default")])
            {
                assert!(
                    FREQUENCIES.contains(&v),
                    "{value} allows {v}, not one of {FREQUENCIES:?}"
                );
            }
        }
        None => assert!(
            FREQUENCIES.contains(&value),
            "{value} is not one of {FREQUENCIES:?}"
        ),
    }
    let top = &config_rule()["Properties"]["MaximumExecutionFrequency"];
    assert!(
        top.is_badvalue(),
        "set the frequency on the scheduled source, not the rule"
    );
}

/// The strings of the rule's `pub const TRIGGER_TYPES` array, read from its source (the CLI
/// package does not depend on the function's crate).
fn trigger_types() -> BTreeSet<String> {
    let path = root().join(TRIGGER_TYPES_SOURCE);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text
        .find("pub const TRIGGER_TYPES")
        .unwrap_or_else(|| panic!("{}: no `pub const TRIGGER_TYPES`", path.display()));
    let body = &text[start..];
    let body = &body[body.find('=').expect("TRIGGER_TYPES = [...]")..];
    let body = &body[..body.find("];").expect("TRIGGER_TYPES ends with `];`")];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn scope_is_the_resource_types_the_rule_handles() {
    let types = strings(&config_rule()["Properties"]["Scope"]["ComplianceResourceTypes"]);
    let unique: BTreeSet<String> = types.iter().cloned().collect();
    assert_eq!(types.len(), unique.len(), "duplicates in {types:?}");
    let handled = trigger_types();
    assert_eq!(unique, handled, "template scope vs {TRIGGER_TYPES_SOURCE}");
    // The workload-side types come on top of every evaluated one (docs/spec.md section 5).
    let evaluated = vpce_reach_model::RESOURCE_TYPES;
    assert!(
        evaluated.iter().all(|t| handled.contains(*t)),
        "{handled:?}"
    );
    for extra in ["AWS::EC2::NetworkInterface", "AWS::EC2::Subnet"] {
        assert!(handled.contains(extra), "{extra} missing from {handled:?}");
    }
}

#[test]
fn input_parameters_are_the_models_keys_from_stack_parameters() {
    let input = config_rule()["Properties"]["InputParameters"]
        .as_hash()
        .expect("InputParameters is a mapping");
    let keys: BTreeSet<&str> = input.keys().map(|k| str_of(k, "key")).collect();
    assert_eq!(keys, vpce_reach_model::KEYS.into_iter().collect());
    let mut defaults = Vec::new();
    for (key, value) in input {
        let (key, value) = (str_of(key, "key"), str_of(value, "value"));
        assert_eq!(key, value, "InputParameters.{key} should be !Ref {key}");
        let p = parameter(value).unwrap_or_else(|| panic!("no stack parameter {value}"));
        assert_eq!(p["Type"].as_str(), Some("String"), "{value} is a String");
        defaults.push((key, str_of(&p["Default"], "Default")));
    }
    vpce_reach_model::RuleParameters::from_pairs(defaults.iter().copied()).unwrap_or_else(|e| {
        panic!("the stack's default rule parameters are rejected by the model: {e:?}")
    });
}

/// The `parameter_overrides` of samconfig.toml, as (stack parameter, value) pairs.
fn samconfig_overrides() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("samconfig.toml")).expect("read samconfig.toml");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("parameter_overrides"))
        .expect("samconfig.toml sets parameter_overrides");
    // parameter_overrides = "Key=\"value\" Key=\"value\""
    let value = line.split_once('=').unwrap().1.trim();
    let body = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .expect("a quoted string");
    let mut pairs = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let (k, after) = rest
            .split_once("=\\\"")
            .unwrap_or_else(|| panic!("cannot read {rest:?}"));
        let (v, after) = after
            .split_once("\\\"")
            .unwrap_or_else(|| panic!("unterminated value of {k}"));
        assert!(
            parameter(k).is_some(),
            "samconfig.toml overrides {k}, which template.yaml does not declare"
        );
        pairs.push((k.to_string(), v.to_string()));
        rest = after.trim_start();
    }
    pairs
}

#[test]
fn samconfig_rule_parameters_are_accepted_by_the_model() {
    let pairs = samconfig_overrides();
    let rule: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| vpce_reach_model::KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        rule.len(),
        4,
        "samconfig.toml names the four rule parameters: {pairs:?}"
    );
    vpce_reach_model::RuleParameters::from_pairs(rule.iter().copied()).unwrap_or_else(|e| {
        panic!("samconfig.toml's rule parameters are rejected by the model: {e:?}")
    });
}

/// What the rule parameters' `AllowedPattern` must be: no double quote, backslash or control
/// character, the characters a JSON string would need escaped (change-watch's
/// `RULE_PARAMETERS` is written with `!Sub`, which cannot escape).
const JSON_SAFE_PATTERN: &str = r#"^[^"\\\x00-\x1f]*$"#;

/// The Config rule's `InputParameters`: rule key -> the stack parameter it is `!Ref` to.
fn rule_input_parameters() -> Vec<(&'static str, &'static str)> {
    config_rule()["Properties"]["InputParameters"]
        .as_hash()
        .expect("InputParameters is a mapping")
        .iter()
        .map(|(k, v)| (str_of(k, "key"), str_of(v, "value")))
        .collect()
}

/// change-watch's `RULE_PARAMETERS`: the `!Sub` text (a JSON object of `${Parameter}` values).
fn change_watch_rule_parameters() -> &'static str {
    let watch: Vec<&str> = functions()
        .into_iter()
        .filter(|f| *f != config_rule_function())
        .filter(|f| !resource(f)["Properties"]["Events"].is_badvalue())
        .collect();
    assert_eq!(
        watch.len(),
        1,
        "one event-driven function besides the rule: {watch:?}"
    );
    let env = &resource(watch[0])["Properties"]["Environment"]["Variables"]["RULE_PARAMETERS"];
    str_of(env, "change-watch's Environment.Variables.RULE_PARAMETERS")
}

/// `!Sub` of the template's text with the stack parameters' values.
fn substitute(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("${{{name}}}"), value);
    }
    assert!(!text.contains("${"), "unsubstituted parameter in {text}");
    text
}

/// Issue 13.10: change-watch judges with the rule's parameters. Its `RULE_PARAMETERS` names the
/// same keys from the same stack parameters as the rule's `InputParameters`, and with any
/// values the parameters allow, it parses to the parameters the rule gets.
#[test]
fn change_watch_gets_the_config_rules_parameters() {
    let input = rule_input_parameters();
    let sub = change_watch_rule_parameters();
    let json: Json = serde_json::from_str(sub)
        .unwrap_or_else(|e| panic!("RULE_PARAMETERS is not a JSON object: {e}: {sub}"));
    let object = json.as_object().expect("RULE_PARAMETERS is a JSON object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    let rule_keys: BTreeSet<&str> = input.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys, rule_keys,
        "RULE_PARAMETERS keys vs InputParameters keys"
    );
    for (key, stack_parameter) in &input {
        assert_eq!(
            object[*key].as_str(),
            Some(format!("${{{stack_parameter}}}").as_str()),
            "RULE_PARAMETERS.{key} must be ${{{stack_parameter}}}, as InputParameters.{key}"
        );
        let p = parameter(stack_parameter).expect("a stack parameter");
        assert_eq!(
            p["AllowedPattern"].as_str(),
            Some(JSON_SAFE_PATTERN),
            "{stack_parameter} must forbid what JSON would need escaped"
        );
    }

    // Each parameter set a deployment can use: the defaults, samconfig.toml's, and one with a
    // value for every key.
    let defaults: Vec<(&str, String)> = input
        .iter()
        .map(|(_, p)| {
            (
                *p,
                str_of(&parameter(p).unwrap()["Default"], "Default").to_owned(),
            )
        })
        .collect();
    let overrides = samconfig_overrides();
    let from_samconfig: Vec<(&str, String)> = input
        .iter()
        .map(|(_, p)| {
            let v = overrides
                .iter()
                .find(|(k, _)| k == p)
                .map(|(_, v)| v.clone());
            (*p, v.unwrap_or_default())
        })
        .collect();
    let all_set = [
        ("RequiredServices", "ssm,com.amazonaws.eu-west-1.ecr.dkr"),
        ("ConsumerTag", "team=web app"),
        ("EphemeralPorts", "32768-60999"),
        ("ServicePorts", "s3=443+80;ssm=443"),
    ];
    let all_set: Vec<(&str, String)> = all_set.iter().map(|(k, v)| (*k, v.to_string())).collect();
    for values in [defaults, from_samconfig, all_set] {
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let by_rule = input.iter().map(|(key, p)| {
            let value = values.iter().find(|(name, _)| name == p).map(|(_, v)| *v);
            (*key, value.unwrap_or(""))
        });
        let rule = vpce_reach_model::RuleParameters::from_pairs(by_rule)
            .unwrap_or_else(|e| panic!("{values:?}: {e}"));
        let text = substitute(sub, &values);
        let watch = vpce_reach_model::RuleParameters::from_json(&text)
            .unwrap_or_else(|e| panic!("change-watch rejects {text}: {e}"));
        assert_eq!(watch, rule, "both functions judge alike with {values:?}");
    }
}

#[test]
fn config_can_invoke_the_rule_function_only_from_this_account() {
    let function = config_rule_function();
    let permissions: Vec<&Yaml> = of_type("AWS::Lambda::Permission")
        .into_iter()
        .map(resource)
        .filter(|p| p["Properties"]["Principal"].as_str() == Some("config.amazonaws.com"))
        .collect();
    assert_eq!(
        permissions.len(),
        1,
        "one permission for config.amazonaws.com"
    );
    let p = &permissions[0]["Properties"];
    assert_eq!(getatt_target(&p["FunctionName"]), function);
    assert_eq!(p["Action"].as_str(), Some("lambda:InvokeFunction"));
    assert_eq!(
        p["SourceAccount"].as_str(),
        Some("AWS::AccountId"),
        "SourceAccount: !Ref AWS::AccountId"
    );
    let arn = str_of(&p["SourceArn"], "SourceArn");
    assert!(
        arn.starts_with(
            "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/"
        ),
        "SourceArn names this account's and region's Config rules: {arn}"
    );
    // Config checks the permission when the rule is created.
    let name = of_type("AWS::Lambda::Permission")
        .into_iter()
        .find(|n| resource(n)["Properties"]["Principal"].as_str() == Some("config.amazonaws.com"))
        .unwrap();
    assert!(
        strings(&config_rule()["DependsOn"])
            .iter()
            .any(|d| d == name),
        "the rule DependsOn {name}"
    );
}

// ------------------------------------------------------------------------------------------
// The functions
// ------------------------------------------------------------------------------------------

#[test]
fn functions_are_arm64_al2023_rust_builds() {
    let names = functions();
    assert!(
        names.len() >= 2,
        "both functions are in the template: {names:?}"
    );
    for name in names {
        let f = resource(name);
        let props = &f["Properties"];
        assert_eq!(
            props["Runtime"].as_str(),
            Some("provided.al2023"),
            "{name} Runtime"
        );
        assert_eq!(
            strings(&props["Architectures"]),
            ["arm64"],
            "{name} Architectures"
        );
        assert_eq!(
            props["Handler"].as_str(),
            Some("bootstrap"),
            "{name} Handler"
        );
        assert!(
            !props["ReservedConcurrentExecutions"].is_badvalue(),
            "{name} caps its concurrency"
        );
        assert!(
            props["Timeout"].as_i64().is_some() && props["MemorySize"].as_i64().is_some(),
            "{name} Timeout/MemorySize"
        );
        assert_eq!(
            f["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{name} BuildMethod"
        );
        let binary = str_of(&f["Metadata"]["BuildProperties"]["Binary"], "Binary");
        let code = str_of(&props["CodeUri"], "CodeUri");
        let manifest = root().join(code).join("Cargo.toml");
        if !manifest.exists() {
            println!("note: {code}/ is not in the tree yet; not checking that {name} builds binary {binary} there");
            continue;
        }
        let package = workspace_package(&manifest)
            .unwrap_or_else(|| panic!("{code} is not a workspace member"));
        let bins: Vec<&str> = package["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(bins, [binary], "{code} has exactly the bin target {binary}");
    }
}

#[test]
fn every_function_logs_to_its_own_group_with_retention() {
    for name in functions() {
        let group = str_of(
            &resource(name)["Properties"]["LoggingConfig"]["LogGroup"],
            "LoggingConfig.LogGroup",
        );
        let g = resource(group);
        assert_eq!(
            g["Type"].as_str(),
            Some("AWS::Logs::LogGroup"),
            "{name} logs to a LogGroup resource"
        );
        assert!(
            !g["Properties"]["RetentionInDays"].is_badvalue(),
            "{group} has RetentionInDays"
        );
    }
}

/// The levels lambda_runtime's subscriber understands in `AWS_LAMBDA_LOG_LEVEL` (it falls back
/// to INFO on anything else, such as Lambda's `FATAL`).
const SUBSCRIBER_LEVELS: [&str; 5] = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

#[test]
fn every_function_logs_json_at_a_level_its_subscriber_understands() {
    for name in functions() {
        let logging = &resource(name)["Properties"]["LoggingConfig"];
        assert_eq!(
            logging["LogFormat"].as_str(),
            Some("JSON"),
            "{name}: LoggingConfig.LogFormat must be JSON (structured, queryable events)"
        );
        let level = str_of(&logging["ApplicationLogLevel"], "ApplicationLogLevel");
        let allowed = match parameter(level) {
            Some(p) => {
                let default = str_of(&p["Default"], "Default");
                let values = strings(&p["AllowedValues"]);
                assert!(values.contains(&default.to_owned()), "{level}: {default}");
                values
            }
            None => vec![level.to_owned()],
        };
        for value in &allowed {
            assert!(
                SUBSCRIBER_LEVELS.contains(&value.as_str()),
                "{name}: ApplicationLogLevel {value} is not a level the subscriber reads"
            );
        }
    }
}

#[test]
fn sqs_events_report_item_failures_and_the_queue_outlives_the_function() {
    for name in functions() {
        let props = &resource(name)["Properties"];
        for (_, event) in props["Events"].as_hash().into_iter().flatten() {
            if event["Type"].as_str() != Some("SQS") {
                continue;
            }
            let e = &event["Properties"];
            assert_eq!(
                strings(&e["FunctionResponseTypes"]),
                ["ReportBatchItemFailures"],
                "{name}"
            );
            assert!(
                e["MaximumBatchingWindowInSeconds"].as_i64().unwrap_or(0) > 0,
                "{name} batches (debounce)"
            );
            let queue = resource(getatt_target(&e["Queue"]));
            let visibility = queue["Properties"]["VisibilityTimeout"]
                .as_i64()
                .expect("VisibilityTimeout");
            let timeout = props["Timeout"].as_i64().unwrap();
            assert!(
                visibility >= 6 * timeout,
                "{name}: queue VisibilityTimeout {visibility} < 6 x Timeout {timeout}"
            );
            assert!(
                !queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"].is_badvalue(),
                "{name}'s queue has a DLQ"
            );
        }
    }
}

// ------------------------------------------------------------------------------------------
// Failures: kept and alarmed on (issue 13.12)
// ------------------------------------------------------------------------------------------

/// The `AWS::Lambda::EventInvokeConfig` of a function (asynchronous invocations), if any.
fn invoke_config(function: &str) -> Option<&'static Yaml> {
    let configs: Vec<&Yaml> = of_type("AWS::Lambda::EventInvokeConfig")
        .into_iter()
        .map(resource)
        .filter(|c| c["Properties"]["FunctionName"].as_str() == Some(function))
        .collect();
    assert!(configs.len() <= 1, "{function}: several EventInvokeConfig");
    configs.first().copied()
}

/// The on-failure destination of a function's asynchronous invocations: its logical id.
fn on_failure_destination(function: &str) -> Option<&'static str> {
    let config = invoke_config(function)?;
    let destination = &config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"];
    Some(getatt_target(destination))
}

/// Config invokes the rule asynchronously: a failed invocation is retried by Lambda and then
/// kept in a queue of ours, never dropped.
#[test]
fn the_rule_keeps_its_failed_invocations_in_a_queue() {
    let function = config_rule_function();
    let config = invoke_config(function).expect("the rule function has an EventInvokeConfig");
    let props = &config["Properties"];
    assert_eq!(
        props["Qualifier"].as_str(),
        Some("$LATEST"),
        "every version"
    );
    let retries = props["MaximumRetryAttempts"].as_i64();
    assert!(
        matches!(retries, Some(0..=2)),
        "MaximumRetryAttempts {retries:?}"
    );
    let queue = on_failure_destination(function).expect("an OnFailure destination");
    assert_eq!(
        resource(queue)["Type"].as_str(),
        Some("AWS::SQS::Queue"),
        "{queue}: the destination is a queue of the template"
    );
    let retention = resource(queue)["Properties"]["MessageRetentionPeriod"].as_i64();
    assert_eq!(retention, Some(1_209_600), "{queue} keeps records 14 days");
}

/// The queues holding what was given up on: the change queue's DLQ and the rule's
/// on-failure destination.
fn failure_queues() -> BTreeSet<&'static str> {
    let mut queues = BTreeSet::new();
    for name in of_type("AWS::SQS::Queue") {
        let dlq = &resource(name)["Properties"]["RedrivePolicy"]["deadLetterTargetArn"];
        if !dlq.is_badvalue() {
            queues.insert(getatt_target(dlq));
        }
    }
    queues.extend(on_failure_destination(config_rule_function()));
    queues
}

/// The alarms watching `namespace`/`metric` with the dimension `name` = `value` (as read: a
/// function's logical id, or `Queue.QueueName`).
fn alarms_on(namespace: &str, metric: &str, name: &str, value: &str) -> Vec<&'static str> {
    of_type("AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|a| {
            let p = &resource(a)["Properties"];
            p["Namespace"].as_str() == Some(namespace)
                && p["MetricName"].as_str() == Some(metric)
                && p["Dimensions"].as_vec().is_some_and(|d| {
                    d.len() == 1
                        && d[0]["Name"].as_str() == Some(name)
                        && d[0]["Value"].as_str() == Some(value)
                })
        })
        .collect()
}

#[test]
fn alarms_watch_both_functions_and_every_failure_queue() {
    let mut watched = BTreeSet::new();
    for function in functions() {
        let alarms = alarms_on("AWS/Lambda", "Errors", "FunctionName", function);
        assert_eq!(
            alarms.len(),
            1,
            "one Errors alarm on {function}: {alarms:?}"
        );
        assert_eq!(
            resource(alarms[0])["Properties"]["Statistic"].as_str(),
            Some("Sum")
        );
        watched.extend(alarms);
    }
    let queues = failure_queues();
    assert_eq!(
        queues.len(),
        2,
        "the change DLQ and the rule's failures: {queues:?}"
    );
    for queue in queues {
        let metric = "ApproximateNumberOfMessagesVisible";
        let alarms = alarms_on(
            "AWS/SQS",
            metric,
            "QueueName",
            &format!("{queue}.QueueName"),
        );
        assert_eq!(alarms.len(), 1, "one {metric} alarm on {queue}: {alarms:?}");
        watched.extend(alarms);
    }
    let all: BTreeSet<&str> = of_type("AWS::CloudWatch::Alarm").into_iter().collect();
    assert_eq!(watched, all, "every alarm is one of these");
}

/// Every alarm: behind the `Alarms` parameter, fires on the first failure, is quiet without
/// data, and notifies `AlarmTopicArn` or else the alert topic, which lets exactly this stack's
/// alarms publish.
#[test]
fn alarms_are_optional_and_notify_the_chosen_topic() {
    let enabled = parameter("Alarms").expect("a parameter Alarms");
    assert_eq!(strings(&enabled["AllowedValues"]), ["Enabled", "Disabled"]);
    assert_eq!(enabled["Default"].as_str(), Some("Enabled"));
    let topic_param = parameter("AlarmTopicArn").expect("a parameter AlarmTopicArn");
    assert_eq!(
        topic_param["Default"].as_str(),
        Some(""),
        "empty: the alert topic"
    );
    let alarms = of_type("AWS::CloudWatch::Alarm");
    assert!(!alarms.is_empty());
    for name in &alarms {
        let alarm = resource(name);
        let condition = str_of(&alarm["Condition"], "Condition");
        // `!Equals [!Ref Alarms, Enabled]` reads as [Alarms, Enabled].
        assert_eq!(
            strings(&template()["Conditions"][condition]),
            ["Alarms", "Enabled"],
            "{name}: Condition {condition}"
        );
        let p = &alarm["Properties"];
        assert_eq!(p["Threshold"].as_i64(), Some(1), "{name}");
        assert_eq!(
            p["ComparisonOperator"].as_str(),
            Some("GreaterThanOrEqualToThreshold"),
            "{name}"
        );
        assert_eq!(
            p["TreatMissingData"].as_str(),
            Some("notBreaching"),
            "{name}"
        );
        assert!(
            str_of(&p["AlarmName"], "AlarmName").starts_with("${AWS::StackName}-"),
            "{name}: named after the stack, as the topic policy expects"
        );
        for actions in ["AlarmActions", "OKActions"] {
            let list = p[actions]
                .as_vec()
                .unwrap_or_else(|| panic!("{name}: {actions}"));
            assert_eq!(list.len(), 1, "{name}: one {actions}");
            // `!If [HasAlarmTopic, !Ref AlarmTopicArn, !Ref AlertTopic]`.
            let choice = strings(&list[0]);
            assert_eq!(choice.len(), 3, "{name}: {actions} {choice:?}");
            // `!Not [!Equals [!Ref AlarmTopicArn, ""]]`.
            assert_eq!(
                strings(&template()["Conditions"][choice[0].as_str()][0]),
                ["AlarmTopicArn", ""],
                "{name}: {actions} chooses on AlarmTopicArn"
            );
            assert_eq!(choice[1], "AlarmTopicArn", "{name}");
            assert_eq!(
                resource(&choice[2])["Type"].as_str(),
                Some("AWS::SNS::Topic"),
                "{name}: else the alert topic"
            );
        }
    }
    let statements: Vec<&Yaml> = of_type("AWS::SNS::TopicPolicy")
        .into_iter()
        .flat_map(|p| {
            resource(p)["Properties"]["PolicyDocument"]["Statement"]
                .as_vec()
                .unwrap()
        })
        .filter(|s| s["Principal"]["Service"].as_str() == Some("cloudwatch.amazonaws.com"))
        .collect();
    assert_eq!(statements.len(), 1, "the topic lets CloudWatch publish");
    let s = statements[0];
    assert_eq!(strings(&s["Action"]), ["sns:Publish"]);
    assert_eq!(
        s["Condition"]["ArnLike"]["aws:SourceArn"].as_str(),
        Some("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-*"),
        "only this stack's alarms"
    );
    assert_eq!(
        s["Condition"]["StringEquals"]["aws:SourceAccount"].as_str(),
        Some("AWS::AccountId")
    );
    let key_statements = of_type("AWS::KMS::Key")
        .into_iter()
        .flat_map(|k| {
            resource(k)["Properties"]["KeyPolicy"]["Statement"]
                .as_vec()
                .unwrap()
        })
        .filter(|s| s["Principal"]["Service"].as_str() == Some("cloudwatch.amazonaws.com"))
        .count();
    assert_eq!(key_statements, 1, "CloudWatch may use the topic's key");
}

// ------------------------------------------------------------------------------------------
// IAM: granted == called
// ------------------------------------------------------------------------------------------

/// (action, resource as written) pairs of every Allow statement attached to a role.
fn role_grants(role: &str) -> Vec<(String, String)> {
    let mut documents: Vec<&Yaml> = Vec::new();
    for policy in resource(role)["Properties"]["Policies"]
        .as_vec()
        .into_iter()
        .flatten()
    {
        documents.push(&policy["PolicyDocument"]);
    }
    for name in of_type("AWS::IAM::RolePolicy") {
        let p = &resource(name)["Properties"];
        if p["RoleName"].as_str() == Some(role) {
            documents.push(&p["PolicyDocument"]);
        }
    }
    for name in of_type("AWS::IAM::Policy") {
        let p = &resource(name)["Properties"];
        if strings(&p["Roles"]).iter().any(|r| r == role) {
            documents.push(&p["PolicyDocument"]);
        }
    }
    let managed = &resource(role)["Properties"]["ManagedPolicyArns"];
    assert!(
        managed.is_badvalue(),
        "{role}: managed policies cannot be checked; write the statements out"
    );
    let mut grants = Vec::new();
    for doc in documents {
        for statement in doc["Statement"].as_vec().expect("Statement is a list") {
            assert_eq!(
                statement["Effect"].as_str(),
                Some("Allow"),
                "{role}: {statement:?}"
            );
            assert!(statement["NotAction"].is_badvalue() && statement["NotResource"].is_badvalue());
            for action in strings(&statement["Action"]) {
                assert!(
                    !action.contains('*'),
                    "{role} grants the wildcard action {action}"
                );
                for res in strings(&statement["Resource"]) {
                    grants.push((action.clone(), res));
                }
            }
        }
    }
    grants
}

/// Actions a function's role needs that its code does not call itself.
fn platform_actions(function: &str, used: &BTreeSet<String>) -> BTreeSet<String> {
    let props = &resource(function)["Properties"];
    let mut platform: BTreeSet<String> = LOG_ACTIONS.iter().map(|s| s.to_string()).collect();
    let has_sqs_event = props["Events"]
        .as_hash()
        .into_iter()
        .flatten()
        .any(|(_, e)| e["Type"].as_str() == Some("SQS"));
    if has_sqs_event {
        platform.extend(SQS_POLLER_ACTIONS.iter().map(|s| s.to_string()));
    }
    let encrypted_topic = of_type("AWS::SNS::Topic")
        .into_iter()
        .any(|t| !resource(t)["Properties"]["KmsMasterKeyId"].is_badvalue());
    if used.contains("sns:Publish") && encrypted_topic {
        platform.extend(SNS_KMS_ACTIONS.iter().map(|s| s.to_string()));
    }
    // aws-config's role provider (not an SDK client call) assumes the ASSUME_ROLE_ARNS roles.
    if !props["Environment"]["Variables"]["ASSUME_ROLE_ARNS"].is_badvalue() {
        platform.insert("sts:AssumeRole".to_owned());
    }
    // Lambda sends a failed asynchronous invocation to its destination with the role.
    if let Some(destination) = on_failure_destination(function) {
        let action = match resource(destination)["Type"].as_str() {
            Some("AWS::SQS::Queue") => "sqs:SendMessage",
            Some("AWS::SNS::Topic") => "sns:Publish",
            other => panic!("{function}: on-failure destination {destination} of type {other:?}"),
        };
        platform.insert(action.to_owned());
    }
    platform
}

/// Actions that have no resource-level permissions, so `Resource: "*"` is the least privilege.
fn needs_star(action: &str) -> bool {
    action.starts_with("ec2:Describe")
        || action.starts_with("ec2:Get")
        || action == "config:PutEvaluations"
        || UNSCOPED_DNS_ACTIONS.contains(&action)
        || action.starts_with("elasticloadbalancing:Describe")
}

/// The DNS collection's list calls that IAM gives no resource type (Route 53's
/// `ListHostedZones`, the Resolver's lists), or whose resource (a Profile shared through RAM)
/// belongs to another account. `GetHostedZone` and `ListResourceRecordSets` take the zone.
const UNSCOPED_DNS_ACTIONS: [&str; 6] = [
    "route53:ListHostedZones",
    "route53:ListHostedZonesByVPC",
    "route53resolver:ListResolverRules",
    "route53resolver:ListResolverRuleAssociations",
    "route53profiles:ListProfileAssociations",
    "route53profiles:ListProfileResourceAssociations",
];

#[test]
fn roles_grant_exactly_what_the_code_calls() {
    let shared_aws = root().join("shared/aws/Cargo.toml");
    let shared_calls = sdk_calls(&shared_aws);
    assert!(
        shared_calls.iter().any(|a| a == "ec2:DescribeVpcEndpoints"),
        "the scanner finds shared/aws's EC2 calls: {shared_calls:?}"
    );
    assert!(
        [
            "route53:ListResourceRecordSets",
            "route53resolver:ListResolverRules",
            "route53profiles:ListProfileResourceAssociations"
        ]
        .iter()
        .all(|a| shared_calls.contains(*a)),
        "the scanner finds shared/aws's DNS calls: {shared_calls:?}"
    );
    // Issue 16: the provider side of the account's endpoint services, granted to both
    // functions (they collect through shared/aws), on `*` (`needs_star`).
    assert!(
        [
            "ec2:DescribeVpcEndpointServiceConfigurations",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
        ]
        .iter()
        .all(|a| shared_calls.contains(*a)),
        "the scanner finds shared/aws's provider-side calls: {shared_calls:?}"
    );
    for function in functions() {
        let props = &resource(function)["Properties"];
        let role = getatt_target(&props["Role"]);
        let grants = role_grants(role);
        let granted: BTreeSet<String> = grants.iter().map(|(a, _)| a.clone()).collect();

        for (action, res) in &grants {
            if res == "*" {
                assert!(
                    needs_star(action),
                    "{role} grants {action} on every resource; scope it"
                );
            }
        }

        let code = str_of(&props["CodeUri"], "CodeUri");
        let manifest = root().join(code).join("Cargo.toml");
        if !manifest.exists() {
            println!(
                "note: {code}/ is not in the tree yet; checking only that {function} is granted shared/aws's calls"
            );
            let missing: Vec<_> = shared_calls.difference(&granted).collect();
            assert!(
                missing.is_empty(),
                "{role} lacks {missing:?}, which shared/aws calls"
            );
            continue;
        }
        let used = sdk_calls(&manifest);
        let expected: BTreeSet<String> = used
            .union(&platform_actions(function, &used))
            .cloned()
            .collect();
        let missing: Vec<_> = expected.difference(&granted).collect();
        let extra: Vec<_> = granted.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{function} ({code}): {role} lacks {missing:?} and grants {extra:?} that nothing calls\n\
             the code calls {used:?}"
        );
    }
}

/// Issue 14: `AssumeRoleArns` feeds both functions' `ASSUME_ROLE_ARNS`; `sts:AssumeRole` is
/// granted on exactly those ARNs, and only when the list is not empty.
#[test]
fn other_accounts_roles_are_assumed_only_when_given_and_only_those() {
    let p = parameter("AssumeRoleArns").expect("an AssumeRoleArns parameter");
    assert_eq!(p["Type"].as_str(), Some("CommaDelimitedList"));
    assert_eq!(p["Default"].as_str(), Some(""));
    for function in functions() {
        let env = &resource(function)["Properties"]["Environment"]["Variables"];
        // `!Join [",", !Ref AssumeRoleArns]` (yaml_rust2 keeps the sequence, drops the tags).
        assert_eq!(
            strings(&env["ASSUME_ROLE_ARNS"]),
            [",", "AssumeRoleArns"],
            "{function}"
        );
    }
    let condition = &template()["Conditions"]["HasAssumeRoleArns"];
    let text = format!("{condition:?}");
    assert!(text.contains("AssumeRoleArns"), "{text}");
    let mut sts = Vec::new();
    for (name, r) in resources() {
        let text = format!("{r:?}");
        if text.contains("sts:AssumeRole") && r["Type"].as_str() != Some("AWS::IAM::Role") {
            sts.push(name.as_str().unwrap());
        }
    }
    assert_eq!(
        sts,
        ["AssumeOtherAccountRolesPolicy"],
        "one policy grants sts"
    );
    let policy = resource("AssumeOtherAccountRolesPolicy");
    assert_eq!(policy["Condition"].as_str(), Some("HasAssumeRoleArns"));
    let props = &policy["Properties"];
    let mut roles = strings(&props["Roles"]);
    roles.sort();
    assert_eq!(roles, ["ChangeWatchFunctionRole", "ConfigRuleFunctionRole"]);
    let statements = props["PolicyDocument"]["Statement"].as_vec().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(strings(&statements[0]["Action"]), ["sts:AssumeRole"]);
    assert_eq!(strings(&statements[0]["Resource"]), ["AssumeRoleArns"]);
    // Without the parameter: no statement of the roles themselves grants sts.
    for function in functions() {
        let role = getatt_target(&resource(function)["Properties"]["Role"]);
        let inline = format!("{:?}", resource(role)["Properties"]["Policies"]);
        assert!(
            !inline.contains("sts:"),
            "{role} grants sts unconditionally"
        );
    }
}

#[test]
fn topics_and_queues_accept_only_our_rules() {
    for (ty, principal_action) in [
        ("AWS::SNS::TopicPolicy", "sns:Publish"),
        ("AWS::SQS::QueuePolicy", "sqs:SendMessage"),
    ] {
        for name in of_type(ty) {
            for s in resource(name)["Properties"]["PolicyDocument"]["Statement"]
                .as_vec()
                .unwrap()
            {
                if s["Principal"]["Service"].as_str() != Some("events.amazonaws.com") {
                    continue;
                }
                assert_eq!(strings(&s["Action"]), [principal_action], "{name}");
                // One rule, or a list of them (the change queue takes the EC2 and the DNS
                // rules' events).
                let arns = &s["Condition"]["ArnEquals"]["aws:SourceArn"];
                let sources: Vec<String> = match arns.as_vec() {
                    Some(list) => list
                        .iter()
                        .map(|a| str_of(a, "aws:SourceArn").to_owned())
                        .collect(),
                    None => vec![str_of(arns, "aws:SourceArn").to_owned()],
                };
                for source in &sources {
                    let rule = source.trim_end_matches(".Arn");
                    assert_eq!(
                        resource(rule)["Type"].as_str(),
                        Some("AWS::Events::Rule"),
                        "{name} allows only a rule of ours"
                    );
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// The code's AWS calls
// ------------------------------------------------------------------------------------------

fn metadata() -> &'static Json {
    static META: OnceLock<Json> = OnceLock::new();
    META.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(root());
        if let Some(host) = host_triple() {
            cmd.args(["--filter-platform", &host]);
        }
        let out = cmd.output().expect("run cargo metadata");
        assert!(
            out.status.success(),
            "cargo metadata: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
    })
}

fn host_triple() -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
}

fn package_by_id(id: &str) -> &'static Json {
    metadata()["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .expect("package in metadata")
}

fn workspace_package(manifest: &Path) -> Option<&'static Json> {
    let manifest = manifest.canonicalize().ok()?;
    let members = metadata()["workspace_members"].as_array().unwrap();
    members
        .iter()
        .map(|id| package_by_id(id.as_str().unwrap()))
        .find(|p| {
            Path::new(p["manifest_path"].as_str().unwrap())
                .canonicalize()
                .ok()
                .as_deref()
                == Some(&manifest)
        })
}

/// Normal (non-dev, non-build) dependencies of a package, as package ids.
fn normal_deps(id: &str) -> Vec<&'static str> {
    let node = metadata()["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .expect("resolve node");
    node["deps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null())
        })
        .map(|d| d["pkg"].as_str().unwrap())
        .collect()
}

fn is_member(id: &str) -> bool {
    metadata()["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == id)
}

/// An `aws-sdk-*` crate: its IAM service prefix and its operations (client method -> API name).
struct Sdk {
    prefix: String,
    operations: BTreeSet<String>,
}

fn sdk(package: &Json) -> Sdk {
    let name = package["name"].as_str().unwrap();
    let service = name.strip_prefix("aws-sdk-").unwrap();
    // The crate suffix is the IAM prefix for the services this project may use; the few that
    // differ are spelled out.
    let prefix = match service {
        "cloudwatchlogs" => "logs",
        "eventbridge" => "events",
        "configservice" => "config",
        // Both Elastic Load Balancing APIs (v1 and v2) share one IAM prefix.
        "elasticloadbalancingv2" => "elasticloadbalancing",
        other => other,
    };
    let dir = Path::new(package["manifest_path"].as_str().unwrap())
        .parent()
        .unwrap()
        .join("src/operation");
    let mut operations = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        operations.insert(path.file_name().unwrap().to_str().unwrap().to_string());
    }
    Sdk {
        prefix: prefix.to_string(),
        operations,
    }
}

/// The API name of an operation, as the SDK sends it (`DescribeVpcs`).
fn api_name(package: &Json, method: &str) -> String {
    let file = Path::new(package["manifest_path"].as_str().unwrap())
        .parent()
        .unwrap()
        .join(format!("src/operation/{method}.rs"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let needle = ".operation_name(\"";
    match text.find(needle) {
        Some(at) => {
            let rest = &text[at + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        }
        // Fall back to the snake_case -> CamelCase rule the SDK's names follow.
        None => method
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect(),
    }
}

/// IAM actions (`ec2:DescribeVpcs`) for the SDK calls in the sources of the package at
/// `manifest` and of every workspace crate it depends on. A call counts against every
/// `aws-sdk-*` crate any of those packages depends on (a client can be handed from one crate
/// of ours to another); an operation name two of them share must be settled by the file naming
/// one of the crates.
fn sdk_calls(manifest: &Path) -> BTreeSet<String> {
    let root = workspace_package(manifest)
        .unwrap_or_else(|| panic!("{} is not a workspace member", manifest.display()));
    let mut members = BTreeSet::new();
    let mut sdk_ids = BTreeSet::new();
    let mut todo = vec![root["id"].as_str().unwrap()];
    while let Some(id) = todo.pop() {
        if !members.insert(id) {
            continue;
        }
        for dep in normal_deps(id) {
            if is_member(dep) {
                todo.push(dep);
            } else if package_by_id(dep)["name"]
                .as_str()
                .unwrap()
                .starts_with("aws-sdk-")
            {
                sdk_ids.insert(dep);
            }
        }
    }
    let sdks: Vec<(&Json, Sdk)> = sdk_ids
        .into_iter()
        .map(package_by_id)
        .map(|p| (p, sdk(p)))
        .collect();
    let mut actions = BTreeSet::new();
    for id in members {
        let package = package_by_id(id);
        let src = Path::new(package["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap()
            .join("src");
        for file in rust_files(&src) {
            let text = std::fs::read_to_string(&file).unwrap();
            for method in method_calls(&text) {
                let owners: Vec<&(&Json, Sdk)> = sdks
                    .iter()
                    .filter(|(_, s)| s.operations.contains(&method))
                    .collect();
                let owners: Vec<&(&Json, Sdk)> = if owners.len() > 1 {
                    let named: Vec<_> = owners
                        .iter()
                        .copied()
                        .filter(|(p, _)| {
                            text.contains(&p["name"].as_str().unwrap().replace('-', "_"))
                        })
                        .collect();
                    assert_eq!(
                        named.len(),
                        1,
                        "{}: .{method}() is an operation of several SDKs",
                        file.display()
                    );
                    named
                } else {
                    owners
                };
                for (p, s) in owners {
                    actions.insert(format!("{}:{}", s.prefix, api_name(p, &method)));
                }
            }
        }
    }
    actions
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Names of argument-less method calls, `.name()` (SDK operations take no arguments: their
/// inputs are set on the builder they return), in non-comment code before any `#[cfg(test)]`.
fn method_calls(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let mut calls = BTreeSet::new();
    for (at, _) in code.match_indices('.') {
        let rest = &bytes[at + 1..];
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        if len > 0 && rest[0].is_ascii_lowercase() && rest[len..].starts_with(b"()") {
            calls.insert(code[at + 1..at + 1 + len].to_string());
        }
    }
    calls
}

#[test]
fn scanner_finds_fluent_calls_and_skips_comments_and_tests() {
    let text = "fn f(c: &Client) {\n    c\n        .describe_vpcs()\n        .send();\n    // c.publish()\n    c.put_evaluations().set_evaluations(Some(v));\n}\n#[cfg(test)]\nmod tests { fn g() { c.create_vpc(); } }\n";
    let calls = method_calls(text);
    assert!(
        calls.contains("describe_vpcs")
            && calls.contains("put_evaluations")
            && calls.contains("send")
    );
    assert!(
        !calls.contains("publish")
            && !calls.contains("create_vpc")
            && !calls.contains("set_evaluations")
    );
}
