//! The function's settings, read once from the environment at cold start.

use vpce_reach_aws::{parse_roles, AssumedRole, Dns, RoleArnError, ASSUME_ROLE_ARNS, NO_DNS};
use vpce_reach_model::{ParamError, RuleParameters};

/// The SNS topic the alerts go to (required).
pub const TOPIC_ARN: &str = "TOPIC_ARN";
/// The Config rule to re-run after a relevant change (optional).
pub const CONFIG_RULE_NAME: &str = "CONFIG_RULE_NAME";
/// The rule parameters, as the Config rule's `InputParameters` JSON (optional).
pub const RULE_PARAMETERS: &str = "RULE_PARAMETERS";

/// What the handler needs besides AWS clients.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Where alerts are published.
    pub topic_arn: String,
    /// The Config rule to ask to re-evaluate, if any.
    pub config_rule_name: Option<String>,
    /// The same parameters the Config rule uses, so both judge alike.
    pub params: RuleParameters,
    /// `ASSUME_ROLE_ARNS`: roles of other accounts (the network account's hub) read whole with
    /// every check, as the CLI's `--assume-role`.
    pub assume_roles: Vec<AssumedRole>,
    /// `CHECK_DNS`: whether the DNS documents are collected (on unless `false`).
    pub dns: Dns,
}

/// A setting is missing or malformed: the function cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// `TOPIC_ARN` is unset or empty.
    #[error(
        "environment variable {TOPIC_ARN} is not set: set it to the ARN of the SNS topic that \
         receives the alerts"
    )]
    MissingTopic,
    /// `RULE_PARAMETERS` is not valid rule parameters.
    #[error("environment variable {RULE_PARAMETERS}: {0}")]
    BadParameters(#[source] ParamError),
    /// An item of `ASSUME_ROLE_ARNS` is not an IAM role ARN.
    #[error(
        "environment variable {ASSUME_ROLE_ARNS}: {0} (template parameter AssumeRoleArns: \
         comma-separated role ARNs, or empty)"
    )]
    BadRoles(#[source] RoleArnError),
    /// `CHECK_DNS` is neither `true` nor `false`.
    #[error("environment variable {0} (template parameter CheckDns: true or false)")]
    BadDns(String),
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests). Empty values
    /// count as unset, as CloudFormation passes `""` for optional parameters.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let topic_arn = get(TOPIC_ARN).ok_or(SettingsError::MissingTopic)?;
        let params = match get(RULE_PARAMETERS) {
            Some(text) => RuleParameters::from_json(&text).map_err(SettingsError::BadParameters)?,
            None => RuleParameters::default(),
        };
        let assume_roles = parse_roles(&get(ASSUME_ROLE_ARNS).unwrap_or_default())
            .map_err(SettingsError::BadRoles)?;
        let dns = Dns::from_setting(get(NO_DNS).as_deref()).map_err(SettingsError::BadDns)?;
        Ok(Settings {
            topic_arn,
            config_rule_name: get(CONFIG_RULE_NAME),
            params,
            assume_roles,
            dns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn topic_is_required() {
        let err = read(&[(CONFIG_RULE_NAME, "r")]).unwrap_err();
        assert_eq!(err, SettingsError::MissingTopic);
        assert!(err
            .to_string()
            .starts_with("environment variable TOPIC_ARN is not set"));
        assert_eq!(
            read(&[(TOPIC_ARN, " ")]).unwrap_err(),
            SettingsError::MissingTopic
        );
    }

    #[test]
    fn optional_settings() {
        let s = read(&[
            (TOPIC_ARN, "arn:aws:sns:eu-west-1:1:t"),
            (CONFIG_RULE_NAME, ""),
        ])
        .unwrap();
        assert_eq!(
            (s.topic_arn.as_str(), s.config_rule_name),
            ("arn:aws:sns:eu-west-1:1:t", None)
        );
        let s = read(&[
            (TOPIC_ARN, "t"),
            (RULE_PARAMETERS, r#"{"RequiredServices": "ssm"}"#),
        ])
        .unwrap();
        assert!(s.params.requires("com.amazonaws.eu-west-1.ssm"));
        let err = read(&[(TOPIC_ARN, "t"), (RULE_PARAMETERS, r#"{"Nope": "x"}"#)]).unwrap_err();
        assert!(err.to_string().contains("rule parameter `Nope`"), "{err}");
    }

    #[test]
    fn dns_is_on_unless_check_dns_is_false() {
        assert_eq!(read(&[(TOPIC_ARN, "t")]).unwrap().dns, Dns::On);
        assert_eq!(
            read(&[(TOPIC_ARN, "t"), (NO_DNS, "true")]).unwrap().dns,
            Dns::On
        );
        assert_eq!(
            read(&[(TOPIC_ARN, "t"), (NO_DNS, "False")]).unwrap().dns,
            Dns::Off
        );
        let err = read(&[(TOPIC_ARN, "t"), (NO_DNS, "no")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("environment variable CHECK_DNS: expected true or false"),
            "{err}"
        );
    }

    #[test]
    fn assume_role_arns_are_parsed_and_a_bad_one_names_the_variable() {
        let s = read(&[(TOPIC_ARN, "t"), (ASSUME_ROLE_ARNS, "")]).unwrap();
        assert!(s.assume_roles.is_empty());
        let s = read(&[
            (TOPIC_ARN, "t"),
            (ASSUME_ROLE_ARNS, "arn:aws:iam::444455556666:role/read"),
        ])
        .unwrap();
        assert_eq!(s.assume_roles[0].account(), "444455556666");
        let err = read(&[
            (TOPIC_ARN, "t"),
            (ASSUME_ROLE_ARNS, "arn:aws:iam::4:role/r"),
        ])
        .unwrap_err();
        assert!(matches!(err, SettingsError::BadRoles(_)));
        assert!(
            err.to_string()
                .starts_with("environment variable ASSUME_ROLE_ARNS: "),
            "{err}"
        );
    }
}
