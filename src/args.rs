//! Command-line parsing, by hand: two subcommands and four options do not need a framework.

use std::path::PathBuf;

use vpce_reach_model::params::RuleParameters;

/// `--help` text.
pub const USAGE: &str = "\
usage:
  vpce-reach check <SNAPSHOT_DIR> [--param Key=Value]... [--format table|json]
  vpce-reach explain <SNAPSHOT_DIR> --from <eni-id> --to <vpce-id> [--param Key=Value]...

SNAPSHOT_DIR holds `aws ec2 describe-*` outputs (*.json, read recursively).
Parameters: RequiredServices, ConsumerTag, EphemeralPorts, ServicePorts (see README).
Exit status: 0 nothing NON_COMPLIANT (explain: reachable), 1 something is, 2 bad input.
";

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Table,
    /// `{"evaluations": [...], "findings": [...]}`.
    Json,
}

/// `check` arguments.
#[derive(Debug)]
pub struct CheckArgs {
    pub dir: PathBuf,
    pub params: RuleParameters,
    pub format: Format,
}

/// `explain` arguments.
#[derive(Debug)]
pub struct ExplainArgs {
    pub dir: PathBuf,
    pub params: RuleParameters,
    pub from: String,
    pub to: String,
}

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Check(CheckArgs),
    Explain(ExplainArgs),
    Help,
    Version,
}

/// Options common to both subcommands, collected before validation.
#[derive(Default)]
struct Raw {
    dir: Option<PathBuf>,
    params: Vec<(String, String)>,
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Parses the arguments after the program name.
pub fn parse(argv: &[String]) -> Result<Command, String> {
    let Some((sub, rest)) = argv.split_first() else { return Err("missing subcommand".into()) };
    match sub.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "-V" | "--version" => return Ok(Command::Version),
        "check" | "explain" => {}
        other => return Err(format!("unknown subcommand `{other}`")),
    }
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help);
    }
    let raw = collect(rest)?;
    let dir = raw.dir.ok_or("missing <SNAPSHOT_DIR>")?;
    let params = RuleParameters::from_pairs(raw.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| e.to_string())?;
    if sub == "check" {
        if raw.from.is_some() || raw.to.is_some() {
            return Err("--from/--to belong to `explain`".into());
        }
        let format = match raw.format.as_deref() {
            None | Some("table") => Format::Table,
            Some("json") => Format::Json,
            Some(other) => return Err(format!("--format: `{other}` is not table or json")),
        };
        return Ok(Command::Check(CheckArgs { dir, params, format }));
    }
    if raw.format.is_some() {
        return Err("--format belongs to `check`".into());
    }
    let from = raw.from.ok_or("explain needs --from <eni-id>")?;
    let to = raw.to.ok_or("explain needs --to <vpce-id>")?;
    Ok(Command::Explain(ExplainArgs { dir, params, from, to }))
}

fn collect(rest: &[String]) -> Result<Raw, String> {
    let mut raw = Raw::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or(format!("{flag} needs a value"));
        match flag {
            "--param" => {
                let v = value()?;
                let (k, val) = v.split_once('=').ok_or(format!("--param `{v}`: expected Key=Value"))?;
                raw.params.push((k.trim().to_string(), val.to_string()));
            }
            "--format" => raw.format = Some(value()?),
            "--from" => raw.from = Some(value()?),
            "--to" => raw.to = Some(value()?),
            f if f.starts_with('-') => return Err(format!("unknown option `{f}`")),
            _ if raw.dir.is_none() => raw.dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn check_with_params_and_format() {
        let Command::Check(c) = parse(&args("check dir --param RequiredServices=ssm,s3 --format=json")).unwrap() else {
            panic!("not check")
        };
        assert_eq!(c.format, Format::Json);
        assert_eq!(c.params.required_services, vec!["ssm".to_string(), "s3".to_string()]);
    }

    #[test]
    fn usage_errors() {
        for bad in ["", "frobnicate x", "check", "check d --format xml", "check d --param Bogus=1", "check d e",
                    "explain d --from eni-1", "check d --from eni-1", "check d --param"] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn explain_args() {
        let Command::Explain(e) = parse(&args("explain d --from eni-1 --to vpce-2")).unwrap() else { panic!() };
        assert_eq!((e.from.as_str(), e.to.as_str()), ("eni-1", "vpce-2"));
    }
}
