//! Rule parameters (docs/spec.md section 6): the Config rule's `InputParameters`, and the CLI's
//! `--param Key=Value`. Unknown keys and malformed values are errors naming the key; nothing
//! is evaluated then.
//!
//! An empty value means "not set": CloudFormation templates pass `""` for optional stack
//! parameters, and treating that as an error would make every optional parameter mandatory.

use std::fmt;

use crate::space::PortRange;

/// The four keys, as AWS Config and the CLI spell them.
pub const KEYS: [&str; 4] = [
    "RequiredServices",
    "ConsumerTag",
    "EphemeralPorts",
    "ServicePorts",
];

/// The port a service is checked on when `ServicePorts` does not name it.
pub(crate) const DEFAULT_SERVICE_PORT: u16 = 443;

/// The reply-port range AWS recommends NACLs allow.
pub(crate) const DEFAULT_EPHEMERAL: PortRange = PortRange {
    first: 1024,
    last: 65535,
};

/// A tag that selects workloads: `Key` (any value) or `Key=Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSelector {
    /// The tag key.
    pub key: String,
    /// The required value, or any value when `None`.
    pub value: Option<String>,
}

impl TagSelector {
    /// True when one of `tags` matches.
    pub fn matches(&self, tags: &[crate::snapshot::Tag]) -> bool {
        tags.iter()
            .any(|t| t.key == self.key && self.value.as_ref().is_none_or(|v| *v == t.value))
    }
}

/// Validated rule parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleParameters {
    /// `RequiredServices`: full service names or their part after the region.
    pub required_services: Vec<String>,
    /// `ConsumerTag`: narrows workloads to tagged ENIs, security groups or subnets.
    pub consumer_tag: Option<TagSelector>,
    /// `EphemeralPorts`: the reply ports NACLs must allow.
    pub ephemeral_ports: PortRange,
    /// `ServicePorts`: per service, the ports checked instead of 443.
    pub service_ports: Vec<(String, Vec<u16>)>,
}

impl Default for RuleParameters {
    fn default() -> Self {
        RuleParameters {
            required_services: Vec::new(),
            consumer_tag: None,
            ephemeral_ports: DEFAULT_EPHEMERAL,
            service_ports: Vec::new(),
        }
    }
}

/// A bad parameter: which key, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The offending key, as given.
    pub key: String,
    /// What is wrong, and what is expected.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule parameter `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ParamError {}

impl RuleParameters {
    /// Parses `Key=Value` pairs; a later value for the same key replaces the earlier one.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ParamError> {
        let mut params = RuleParameters::default();
        for (key, value) in pairs {
            params.set(key, value.trim())?;
        }
        Ok(params)
    }

    /// Parses a Config `ruleParameters` JSON object (`{"RequiredServices": "ssm,s3"}`).
    /// Numbers and booleans are taken as their text; `null` means not set.
    pub fn from_json(text: &str) -> Result<Self, ParamError> {
        let bad = |message: String| ParamError {
            key: "ruleParameters".into(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| bad("not a JSON object".into()))?;
        let mut pairs = Vec::with_capacity(object.len());
        for (key, value) in object {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.to_string(),
                _ => {
                    return Err(ParamError {
                        key: key.clone(),
                        message: "expected a string value".into(),
                    })
                }
            };
            pairs.push((key.clone(), text));
        }
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let err = |message: String| ParamError {
            key: key.to_string(),
            message,
        };
        match key {
            _ if value.is_empty() && KEYS.contains(&key) => {}
            "RequiredServices" => self.required_services = parse_services(value).map_err(err)?,
            "ConsumerTag" => self.consumer_tag = Some(parse_tag(value).map_err(err)?),
            "EphemeralPorts" => self.ephemeral_ports = parse_port_range(value).map_err(err)?,
            "ServicePorts" => self.service_ports = parse_service_ports(value).map_err(err)?,
            _ => {
                return Err(err(format!(
                    "unknown key; expected one of {}",
                    KEYS.join(", ")
                )))
            }
        }
        Ok(())
    }

    /// True when `service_name` (a full `com.amazonaws.<region>.<service>` name) is required.
    pub fn requires(&self, service_name: &str) -> bool {
        self.required_services
            .iter()
            .any(|s| service_matches(s, service_name))
    }

    /// The ports `service_name` is checked on.
    pub fn ports_for(&self, service_name: &str) -> Vec<u16> {
        self.service_ports
            .iter()
            .find(|(s, _)| service_matches(s, service_name))
            .map(|(_, ports)| ports.clone())
            .unwrap_or_else(|| vec![DEFAULT_SERVICE_PORT])
    }
}

/// The part of an AWS service name after the region: `ssm` for `com.amazonaws.eu-west-1.ssm`,
/// `ecr.dkr` for `com.amazonaws.eu-west-1.ecr.dkr`. Other names are returned whole.
pub fn short_service_name(service_name: &str) -> &str {
    match service_name.strip_prefix("com.amazonaws.") {
        Some(rest) => rest
            .split_once('.')
            .map_or(rest, |(_region, service)| service),
        None => service_name,
    }
}

/// True when a `RequiredServices`/`ServicePorts` name designates `service_name`.
pub(crate) fn service_matches(pattern: &str, service_name: &str) -> bool {
    pattern == service_name || pattern == short_service_name(service_name)
}

fn parse_services(value: &str) -> Result<Vec<String>, String> {
    let mut services = Vec::new();
    for part in value.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(format!(
                "empty service name in `{value}`; expected e.g. `ssm,ecr.dkr,s3`"
            ));
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Err(format!(
                "`{part}` is not a service name (lower-case letters, digits, `.` and `-`)"
            ));
        }
        services.push(part.to_string());
    }
    Ok(services)
}

fn parse_tag(value: &str) -> Result<TagSelector, String> {
    let (key, tag_value) = match value.split_once('=') {
        Some((k, v)) => (k.trim(), Some(v.trim().to_string())),
        None => (value, None),
    };
    if key.is_empty() {
        return Err(format!(
            "`{value}` has an empty tag key; expected `Key` or `Key=Value`"
        ));
    }
    Ok(TagSelector {
        key: key.to_string(),
        value: tag_value,
    })
}

fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("`{}` is not a port (1-65535)", text.trim())),
    }
}

fn parse_port_range(value: &str) -> Result<PortRange, String> {
    let (a, b) = value
        .split_once('-')
        .ok_or_else(|| format!("`{value}` is not a range; expected e.g. `1024-65535`"))?;
    let (first, last) = (parse_port(a)?, parse_port(b)?);
    if first > last {
        return Err(format!(
            "`{value}` is an empty range (first port above last)"
        ));
    }
    Ok(PortRange { first, last })
}

fn parse_service_ports(value: &str) -> Result<Vec<(String, Vec<u16>)>, String> {
    let mut out = Vec::new();
    for item in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (service, ports) = item
            .split_once('=')
            .ok_or_else(|| format!("`{item}` lacks `=`; expected `service=port[+port]`"))?;
        let service = parse_services(service.trim())?;
        if service.len() != 1 {
            return Err(format!(
                "`{item}` names several services; separate them with `;`"
            ));
        }
        let ports = ports
            .split('+')
            .map(parse_port)
            .collect::<Result<Vec<_>, _>>()?;
        out.push((service[0].clone(), ports));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<RuleParameters, ParamError> {
        RuleParameters::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn defaults() {
        let p = parse(&[]).unwrap();
        assert_eq!(
            p.ephemeral_ports,
            PortRange {
                first: 1024,
                last: 65535
            }
        );
        assert_eq!(p.ports_for("com.amazonaws.us-east-1.ssm"), vec![443]);
        assert!(!p.requires("com.amazonaws.us-east-1.ssm"));
    }

    #[test]
    fn services_by_short_or_full_name() {
        let p = parse(&[("RequiredServices", "ssm, com.amazonaws.us-east-1.ecr.dkr")]).unwrap();
        assert!(p.requires("com.amazonaws.eu-west-1.ssm"));
        assert!(p.requires("com.amazonaws.us-east-1.ecr.dkr"));
        assert!(!p.requires("com.amazonaws.eu-west-1.ecr.dkr"));
        assert!(!p.requires("com.amazonaws.eu-west-1.ssmmessages"));
    }

    #[test]
    fn service_ports_and_ephemeral() {
        let p = parse(&[
            ("ServicePorts", "s3=443+80;ssm=8443"),
            ("EphemeralPorts", "32768-60999"),
        ])
        .unwrap();
        assert_eq!(p.ports_for("com.amazonaws.us-east-1.s3"), vec![443, 80]);
        assert_eq!(p.ports_for("com.amazonaws.us-east-1.ssm"), vec![8443]);
        assert_eq!(p.ports_for("com.amazonaws.us-east-1.logs"), vec![443]);
        assert_eq!(
            p.ephemeral_ports,
            PortRange {
                first: 32768,
                last: 60999
            }
        );
    }

    #[test]
    fn consumer_tag_forms() {
        let p = parse(&[("ConsumerTag", "team=payments")]).unwrap();
        assert_eq!(
            p.consumer_tag,
            Some(TagSelector {
                key: "team".into(),
                value: Some("payments".into())
            })
        );
        let p = parse(&[("ConsumerTag", "vpce-consumer")]).unwrap();
        assert_eq!(
            p.consumer_tag,
            Some(TagSelector {
                key: "vpce-consumer".into(),
                value: None
            })
        );
    }

    #[test]
    fn errors_name_the_key() {
        for (key, value) in [
            ("RequiredService", "ssm"),
            ("EphemeralPorts", "1024"),
            ("EphemeralPorts", "2000-1000"),
            ("EphemeralPorts", "0-65535"),
            ("ServicePorts", "s3:443"),
            ("ServicePorts", "s3=http"),
            ("RequiredServices", "ssm,,s3"),
            ("RequiredServices", "SSM"),
            ("ConsumerTag", "=x"),
        ] {
            let err = parse(&[(key, value)]).unwrap_err();
            assert_eq!(err.key, key, "{value}");
            assert!(err.to_string().contains(key));
        }
    }

    #[test]
    fn empty_values_mean_default_and_json_form() {
        let p = RuleParameters::from_json(
            r#"{"RequiredServices":"s3","ConsumerTag":"","EphemeralPorts":null}"#,
        )
        .unwrap();
        assert_eq!(p.required_services, vec!["s3".to_string()]);
        assert_eq!(p.consumer_tag, None);
        assert_eq!(p.ephemeral_ports, DEFAULT_EPHEMERAL);
        assert_eq!(
            RuleParameters::from_json("[1]").unwrap_err().key,
            "ruleParameters"
        );
        assert_eq!(
            RuleParameters::from_json(r#"{"Bogus":"1"}"#)
                .unwrap_err()
                .key,
            "Bogus"
        );
    }
}
