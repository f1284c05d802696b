//! Command-line parsing, by hand: three subcommands and a few options do not need a framework.

use std::path::PathBuf;

use vpce_reach_model::RuleParameters;

/// `--help` text.
pub const USAGE: &str = "\
usage:
  vpce-reach check <SNAPSHOT_DIR> [--param Key=Value]... [--format table|json]
  vpce-reach check --live [--vpc <vpc-id>]... [--param Key=Value]... [--format table|json]
  vpce-reach explain <SNAPSHOT_DIR> --from <eni-id> --to <vpce-id> [--param Key=Value]...
  vpce-reach snapshot --out <DIR> [--vpc <vpc-id>]...

SNAPSHOT_DIR holds `aws ec2 describe-*` outputs (*.json, read recursively).
--live and `snapshot` collect from EC2 (region and credentials from the standard AWS
environment; every VPC of the region unless --vpc is given); they need a build with
`--features live`.
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

/// Where `check` gets its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory of describe outputs.
    Dir(PathBuf),
    /// Collected from EC2 now: these VPCs, or the whole region when empty.
    Live { vpcs: Vec<String> },
}

/// `check` arguments.
#[derive(Debug)]
pub struct CheckArgs {
    pub source: Source,
    pub params: RuleParameters,
    pub format: Format,
}

/// `snapshot` arguments.
#[derive(Debug)]
pub struct SnapshotArgs {
    /// The directory the documents are written to.
    pub out: PathBuf,
    /// The VPCs to collect; the whole region when empty.
    pub vpcs: Vec<String>,
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
    Snapshot(SnapshotArgs),
    Help,
    Version,
}

/// Options of every subcommand, collected before validation.
#[derive(Default)]
struct Raw {
    dir: Option<PathBuf>,
    params: Vec<(String, String)>,
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
    live: bool,
    vpcs: Vec<String>,
    out: Option<PathBuf>,
}

/// Parses the arguments after the program name.
pub fn parse(argv: &[String]) -> Result<Command, String> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err("missing subcommand".into());
    };
    match sub.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "-V" | "--version" => return Ok(Command::Version),
        "check" | "explain" | "snapshot" => {}
        other => return Err(format!("unknown subcommand `{other}`")),
    }
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help);
    }
    let raw = collect(rest)?;
    match sub.as_str() {
        "snapshot" => snapshot(raw),
        "check" => check(raw),
        _ => explain(raw),
    }
}

fn params(raw: &Raw) -> Result<RuleParameters, String> {
    RuleParameters::from_pairs(raw.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| e.to_string())
}

fn check(raw: Raw) -> Result<Command, String> {
    if raw.from.is_some() || raw.to.is_some() {
        return Err("--from/--to belong to `explain`".into());
    }
    if raw.out.is_some() {
        return Err("--out belongs to `snapshot`".into());
    }
    let source = match (raw.dir.clone(), raw.live) {
        (Some(_), true) => return Err("give either <SNAPSHOT_DIR> or --live, not both".into()),
        (None, false) => return Err("missing <SNAPSHOT_DIR> (or --live)".into()),
        (Some(_), false) if !raw.vpcs.is_empty() => return Err("--vpc needs --live".into()),
        (Some(dir), false) => Source::Dir(dir),
        (None, true) => Source::Live {
            vpcs: raw.vpcs.clone(),
        },
    };
    let format = match raw.format.as_deref() {
        None | Some("table") => Format::Table,
        Some("json") => Format::Json,
        Some(other) => return Err(format!("--format: `{other}` is not table or json")),
    };
    Ok(Command::Check(CheckArgs {
        source,
        params: params(&raw)?,
        format,
    }))
}

fn explain(raw: Raw) -> Result<Command, String> {
    if raw.format.is_some() {
        return Err("--format belongs to `check`".into());
    }
    if raw.live || !raw.vpcs.is_empty() || raw.out.is_some() {
        return Err(
            "--live, --vpc and --out do not apply to `explain`: save a snapshot first".into(),
        );
    }
    let dir = raw.dir.clone().ok_or("missing <SNAPSHOT_DIR>")?;
    let params = params(&raw)?;
    let from = raw.from.ok_or("explain needs --from <eni-id>")?;
    let to = raw.to.ok_or("explain needs --to <vpce-id>")?;
    Ok(Command::Explain(ExplainArgs {
        dir,
        params,
        from,
        to,
    }))
}

fn snapshot(raw: Raw) -> Result<Command, String> {
    if let Some(dir) = &raw.dir {
        return Err(format!(
            "unexpected argument `{}` (snapshot writes to --out <DIR>)",
            dir.display()
        ));
    }
    if raw.live
        || raw.format.is_some()
        || raw.from.is_some()
        || raw.to.is_some()
        || !raw.params.is_empty()
    {
        return Err("`snapshot` takes only --out <DIR> and --vpc <vpc-id>".into());
    }
    let out = raw.out.ok_or("snapshot needs --out <DIR>")?;
    Ok(Command::Snapshot(SnapshotArgs {
        out,
        vpcs: raw.vpcs,
    }))
}

fn collect(rest: &[String]) -> Result<Raw, String> {
    let mut raw = Raw::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        if arg == "--live" {
            raw.live = true;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag {
            "--param" => {
                let v = value()?;
                let (k, val) = v
                    .split_once('=')
                    .ok_or(format!("--param `{v}`: expected Key=Value"))?;
                raw.params.push((k.trim().to_string(), val.to_string()));
            }
            "--format" => raw.format = Some(value()?),
            "--from" => raw.from = Some(value()?),
            "--to" => raw.to = Some(value()?),
            "--vpc" => raw.vpcs.push(value()?),
            "--out" => raw.out = Some(PathBuf::from(value()?)),
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
        let Command::Check(c) = parse(&args(
            "check dir --param RequiredServices=ssm,s3 --format=json",
        ))
        .unwrap() else {
            panic!("not check")
        };
        assert_eq!(c.format, Format::Json);
        assert_eq!(
            c.params.required_services,
            vec!["ssm".to_string(), "s3".to_string()]
        );
    }

    #[test]
    fn usage_errors() {
        for bad in [
            "",
            "frobnicate x",
            "check",
            "check d --format xml",
            "check d --param Bogus=1",
            "check d e",
            "explain d --from eni-1",
            "check d --from eni-1",
            "check d --param",
            "check d --live",
            "check d --vpc vpc-1",
            "check --live --out x",
            "explain d --from a --to b --live",
            "snapshot",
            "snapshot d",
            "snapshot --out d --live",
            "snapshot --out d --param RequiredServices=ssm",
            "check --live --vpc",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn live_check_and_snapshot() {
        let Command::Check(c) =
            parse(&args("check --live --vpc vpc-1 --vpc=vpc-2 --format json")).unwrap()
        else {
            panic!("not check")
        };
        assert_eq!(
            c.source,
            Source::Live {
                vpcs: vec!["vpc-1".into(), "vpc-2".into()]
            }
        );
        let Command::Check(c) = parse(&args("check dir")).unwrap() else {
            panic!("not check")
        };
        assert_eq!(c.source, Source::Dir(PathBuf::from("dir")));
        let Command::Snapshot(s) = parse(&args("snapshot --vpc vpc-1 --out snap")).unwrap() else {
            panic!("not snapshot")
        };
        assert_eq!(
            (s.out, s.vpcs),
            (PathBuf::from("snap"), vec!["vpc-1".to_string()])
        );
    }

    #[test]
    fn explain_args() {
        let Command::Explain(e) = parse(&args("explain d --from eni-1 --to vpce-2")).unwrap()
        else {
            panic!()
        };
        assert_eq!((e.from.as_str(), e.to.as_str()), ("eni-1", "vpce-2"));
    }
}
