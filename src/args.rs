//! Command-line parsing in two stages: `lexopt` (a small, maintained lexer, the one ripgrep
//! uses) splits the raw arguments into options and values, and the functions below turn them
//! into one typed [`Command`]; `main` then runs it. Nothing is run while parsing, so every
//! usage error is found before any file is read.
//!
//! Arguments are taken as `OsString`s: a value that is not valid UTF-8 is a usage error naming
//! the option, never a panic (`std::env::args` panics on one). Paths (`<SNAPSHOT_DIR>`,
//! `--out`) are the exception: they go to the OS as they are, as any Unix tool takes them.

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::prelude::*;
use vpce_reach_model::{AccountId, RuleParameters};

/// `vpce-reach --help`.
pub const USAGE: &str = "\
usage:
  vpce-reach check <SNAPSHOT_DIR> [--account <id>] [--param Key=Value]... [--format table|json|html]
  vpce-reach check --live [--vpc <vpc-id>]... [--assume-role <role-arn>]... [--no-dns] [--account <id>] [--param Key=Value]... [--format table|json|html]
  vpce-reach explain <SNAPSHOT_DIR> --from <eni-id> --to <vpce-id> [--param Key=Value]...
  vpce-reach explain <SNAPSHOT_DIR> --service <vpce-svc-id> [--param Key=Value]...
  vpce-reach snapshot --out <DIR> [--vpc <vpc-id>]... [--assume-role <role-arn>]... [--no-dns]
  vpce-reach <check|explain|snapshot> --help
  vpce-reach --version

SNAPSHOT_DIR holds `aws ec2 describe-*` outputs (*.json, read recursively).
--live and `snapshot` collect from EC2 (region and credentials from the standard AWS
environment; every VPC of the region unless --vpc is given; each --assume-role adds the
whole region of that role's account; Route 53 DNS data too unless --no-dns); they need a
build with `--features live`.
Parameters: RequiredServices, ConsumerTag, EphemeralPorts, ServicePorts (see README).
Exit status: 0 nothing NON_COMPLIANT (explain: reachable), 1 something is (or the snapshot
lacks a describe output the check needs), 2 bad input.
";

/// `vpce-reach check --help`.
pub const CHECK_USAGE: &str = "\
usage:
  vpce-reach check <SNAPSHOT_DIR> [--account <id>] [--param Key=Value]... [--format table|json|html]
  vpce-reach check --live [--vpc <vpc-id>]... [--assume-role <role-arn>]... [--no-dns] [--account <id>] [--param Key=Value]... [--format table|json|html]

Checks every workload/VPC-endpoint pair of a snapshot and prints the findings and the
compliance of every endpoint, security group, network ACL, route table and VPC.

  <SNAPSHOT_DIR>       a directory of `aws ec2 describe-*` outputs (*.json, read recursively)
  --live               collect from EC2 now instead (needs a build with `--features live`)
  --vpc <vpc-id>       with --live: collect this VPC only (repeatable; default: the region)
  --assume-role <role-arn>
                       with --live: also read every VPC of that role's account (e.g. the
                       network account's hub; repeatable)
  --no-dns             with --live: collect no DNS data (Route 53 zones, Resolver rules,
                       Profiles, DHCP option sets): DNS resolution is then not checked
  --account <id>       the account the check runs for (12 digits): only its resources are
                       evaluated, and findings on other accounts' components name them
                       (default: unknown, every resource is evaluated)
  --param Key=Value    a rule parameter: RequiredServices, ConsumerTag, EphemeralPorts or
                       ServicePorts (repeatable, each key at most once)
  --format table|json|html
                       table for people (default), {\"evaluations\", \"findings\"} JSON, or
                       one self-contained HTML page (summary, reachability matrices,
                       findings, traces of blocked cells; docs/report.md)
  -h, --help           this text

Exit status: 0 nothing NON_COMPLIANT, 1 something is (or the snapshot lacks a describe
output the check needs), 2 bad input or usage.
";

/// `vpce-reach explain --help`.
pub const EXPLAIN_USAGE: &str = "\
usage:
  vpce-reach explain <SNAPSHOT_DIR> --from <eni-id> --to <vpce-id> [--param Key=Value]...
  vpce-reach explain <SNAPSHOT_DIR> --service <vpce-svc-id> [--param Key=Value]...

Walks one workload/endpoint pair hop by hop (security groups, route, network ACLs, and the
replies) and says which hop blocks it and the smallest fix. With --service, walks the
provider side of an endpoint service hosted in the snapshot instead: from its Network Load
Balancer's nodes through every listener and target group to every registered target.

  <SNAPSHOT_DIR>       a directory of `aws ec2 describe-*` outputs (*.json, read recursively)
  --from <eni-id>      the workload's network interface
  --to <vpce-id>       the VPC endpoint
  --service <vpce-svc-id>
                       an endpoint service of the snapshot's
                       describe-vpc-endpoint-service-configurations output
  --param Key=Value    a rule parameter (repeatable, each key at most once)
  -h, --help           this text

Exit status: 0 reachable, 1 blocked or unproven, 2 bad input or usage.
";

/// `vpce-reach snapshot --help`.
pub const SNAPSHOT_USAGE: &str = "\
usage:
  vpce-reach snapshot --out <DIR> [--vpc <vpc-id>]... [--assume-role <role-arn>]... [--no-dns]

Collects the describe outputs a check needs from EC2 and writes them under DIR, in the
format `vpce-reach check <DIR>` reads. Needs a build with `--features live`.

  --out <DIR>          where the *.json files are written
  --vpc <vpc-id>       collect this VPC only (repeatable; default: every VPC of the region)
  --assume-role <role-arn>
                       also collect every VPC of that role's account, under DIR/<account id>/
                       (repeatable)
  --no-dns             collect no DNS data (Route 53 zones, Resolver rules, Profiles, DHCP
                       option sets)
  -h, --help           this text

Exit status: 0 written, 2 bad usage or a failed collection.
";

/// Which help text to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// The whole CLI.
    General,
    /// `check`.
    Check,
    /// `explain`.
    Explain,
    /// `snapshot`.
    Snapshot,
}

impl Topic {
    /// The help text of this topic.
    pub fn text(self) -> &'static str {
        match self {
            Topic::General => USAGE,
            Topic::Check => CHECK_USAGE,
            Topic::Explain => EXPLAIN_USAGE,
            Topic::Snapshot => SNAPSHOT_USAGE,
        }
    }
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Table,
    /// `{"evaluations": [...], "findings": [...]}`.
    Json,
    /// One self-contained HTML page (docs/report.md).
    Html,
}

/// Where `check` gets its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory of describe outputs.
    Dir(PathBuf),
    /// Collected from EC2 now.
    Live(Live),
}

/// What a live collection reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// The caller's VPCs to collect; the whole region when empty.
    pub vpcs: Vec<String>,
    /// Roles of other accounts (`--assume-role`), each read whole; checked when used.
    pub roles: Vec<String>,
    /// `--no-dns`: EC2's network documents only (DNS is collected by default).
    pub no_dns: bool,
}

impl Live {
    /// The value of `--vpc` or `--assume-role` (`flag`, without dashes).
    fn take(&mut self, parser: &mut lexopt::Parser, flag: &str) -> Result<(), String> {
        let value = text_value(parser, &format!("--{flag}"))?;
        match flag {
            "vpc" => self.vpcs.push(value),
            _ => self.roles.push(value),
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.vpcs.is_empty() && self.roles.is_empty() && !self.no_dns
    }
}

/// `check` arguments.
#[derive(Debug)]
pub struct CheckArgs {
    pub source: Source,
    /// `--account`: the caller's account, when given.
    pub account: Option<AccountId>,
    pub params: RuleParameters,
    pub format: Format,
}

/// `snapshot` arguments.
#[derive(Debug)]
pub struct SnapshotArgs {
    /// The directory the documents are written to.
    pub out: PathBuf,
    /// What to collect.
    pub live: Live,
}

/// `explain` arguments.
#[derive(Debug)]
pub struct ExplainArgs {
    pub dir: PathBuf,
    pub params: RuleParameters,
    pub what: Explained,
}

/// What `explain` traces.
#[derive(Debug, PartialEq, Eq)]
pub enum Explained {
    /// One workload/endpoint pair (`--from`, `--to`).
    Pair { from: String, to: String },
    /// The provider side of an endpoint service (`--service`, issue 16).
    Service(String),
}

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Check(CheckArgs),
    Explain(ExplainArgs),
    Snapshot(SnapshotArgs),
    Help(Topic),
    Version,
}

/// A usage error, and the help text of the command it concerns.
#[derive(Debug)]
pub struct UsageError {
    /// What is wrong, naming the option or argument.
    pub message: String,
    /// The help text to print after it.
    pub topic: Topic,
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    let mut parser = lexopt::Parser::from_args(args);
    let usage = |topic| move |message: String| UsageError { message, topic };
    let sub = match parser
        .next()
        .map_err(|e| usage(Topic::General)(e.to_string()))?
    {
        None => return Err(usage(Topic::General)("missing subcommand".into())),
        Some(Short('h') | Long("help")) => return Ok(Command::Help(Topic::General)),
        Some(Short('V') | Long("version")) => return Ok(Command::Version),
        Some(Value(v)) => utf8(v, "the subcommand").map_err(usage(Topic::General))?,
        Some(other) => return Err(usage(Topic::General)(other.unexpected().to_string())),
    };
    match sub.as_str() {
        "help" => Ok(Command::Help(Topic::General)),
        "check" => check(&mut parser).map_err(usage(Topic::Check)),
        "explain" => explain(&mut parser).map_err(usage(Topic::Explain)),
        "snapshot" => snapshot(&mut parser).map_err(usage(Topic::Snapshot)),
        other => Err(usage(Topic::General)(format!(
            "unknown subcommand `{other}`"
        ))),
    }
}

/// `--param` pairs, each key at most once.
#[derive(Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn push(&mut self, text: String) -> Result<(), String> {
        let (key, value) = text
            .split_once('=')
            .ok_or(format!("--param `{text}`: expected Key=Value"))?;
        let key = key.trim();
        if self.0.iter().any(|(k, _)| k == key) {
            return Err(format!(
                "--param `{key}` given twice: give each parameter once"
            ));
        }
        self.0.push((key.to_string(), value.to_string()));
        Ok(())
    }

    fn build(&self) -> Result<RuleParameters, String> {
        RuleParameters::from_pairs(self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| e.to_string())
    }
}

/// A value that must be text.
fn utf8(value: OsString, what: &str) -> Result<String, String> {
    value
        .into_string()
        .map_err(|v| format!("{what}: `{}` is not valid UTF-8", v.to_string_lossy()))
}

/// The value of `--option`, as text.
fn text_value(parser: &mut lexopt::Parser, option: &str) -> Result<String, String> {
    let value = parser.value().map_err(|e| e.to_string())?;
    utf8(value, option)
}

/// Sets a single-valued option, refusing a second one.
fn once<T>(slot: &mut Option<T>, value: T, option: &str) -> Result<(), String> {
    if slot.replace(value).is_some() {
        return Err(format!("{option} given twice"));
    }
    Ok(())
}

/// The one positional `<SNAPSHOT_DIR>`.
fn positional(dir: &mut Option<PathBuf>, value: OsString) -> Result<(), String> {
    if dir.is_some() {
        return Err(format!("unexpected argument `{}`", value.to_string_lossy()));
    }
    *dir = Some(PathBuf::from(value));
    Ok(())
}

fn unexpected(arg: lexopt::Arg, hint: &str) -> String {
    format!("{}{hint}", arg.unexpected())
}

fn check(parser: &mut lexopt::Parser) -> Result<Command, String> {
    let (mut dir, mut live, mut collect) = (None, false, Live::default());
    let (mut params, mut format, mut account) = (Params::default(), None, None);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help(Topic::Check)),
            Long(flag @ ("vpc" | "assume-role")) => {
                let flag = flag.to_owned();
                collect.take(parser, &flag)?;
            }
            Long("account") => {
                let id = text_value(parser, "--account")?;
                let id: AccountId = id.parse().map_err(|e| format!("--account: {e}"))?;
                once(&mut account, id, "--account")?;
            }
            Long("live") => live = true,
            Long("no-dns") => collect.no_dns = true,
            Long("param") => params.push(text_value(parser, "--param")?)?,
            Long("format") => {
                let f = match text_value(parser, "--format")?.as_str() {
                    "table" => Format::Table,
                    "json" => Format::Json,
                    "html" => Format::Html,
                    other => return Err(format!("--format: `{other}` is not table, json or html")),
                };
                once(&mut format, f, "--format")?;
            }
            Long("from") | Long("to") => {
                return Err(unexpected(arg, " (--from/--to belong to `explain`)"))
            }
            Long("out") => return Err(unexpected(arg, " (--out belongs to `snapshot`)")),
            Value(v) => positional(&mut dir, v)?,
            other => return Err(unexpected(other, "")),
        }
    }
    let source = match (dir, live) {
        (Some(_), true) => return Err("give either <SNAPSHOT_DIR> or --live, not both".into()),
        (None, false) => return Err("missing <SNAPSHOT_DIR> (or --live)".into()),
        (Some(_), false) if !collect.is_empty() => {
            return Err("--vpc, --assume-role and --no-dns need --live".into())
        }
        (Some(dir), false) => Source::Dir(dir),
        (None, true) => Source::Live(collect),
    };
    Ok(Command::Check(CheckArgs {
        source,
        account,
        params: params.build()?,
        format: format.unwrap_or(Format::Table),
    }))
}

fn explain(parser: &mut lexopt::Parser) -> Result<Command, String> {
    let (mut dir, mut params) = (None, Params::default());
    let (mut from, mut to, mut service) = (None, None, None);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help(Topic::Explain)),
            Long("service") => once(&mut service, text_value(parser, "--service")?, "--service")?,
            Long("from") => once(&mut from, text_value(parser, "--from")?, "--from")?,
            Long("to") => once(&mut to, text_value(parser, "--to")?, "--to")?,
            Long("param") => params.push(text_value(parser, "--param")?)?,
            Long("format") => return Err(unexpected(arg, " (--format belongs to `check`)")),
            Long("live") | Long("vpc") | Long("assume-role") | Long("no-dns") | Long("out") => {
                return Err(unexpected(
                    arg,
                    " (--live, --vpc, --assume-role, --no-dns and --out do not apply to \
                     `explain`: save a snapshot first)",
                ))
            }
            Value(v) => positional(&mut dir, v)?,
            other => return Err(unexpected(other, "")),
        }
    }
    let dir = dir.ok_or("missing <SNAPSHOT_DIR>")?;
    let params = params.build()?;
    let what = match (service, from, to) {
        (Some(service), None, None) => Explained::Service(service),
        (Some(_), _, _) => return Err("--service traces a service alone: drop --from/--to".into()),
        (None, from, to) => Explained::Pair {
            from: from.ok_or("explain needs --from <eni-id> (or --service <vpce-svc-id>)")?,
            to: to.ok_or("explain needs --to <vpce-id>")?,
        },
    };
    Ok(Command::Explain(ExplainArgs { dir, params, what }))
}

fn snapshot(parser: &mut lexopt::Parser) -> Result<Command, String> {
    let (mut out, mut live) = (None, Live::default());
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long(flag @ ("vpc" | "assume-role")) => {
                let flag = flag.to_owned();
                live.take(parser, &flag)?;
            }
            Long("no-dns") => live.no_dns = true,
            Short('h') | Long("help") => return Ok(Command::Help(Topic::Snapshot)),
            Long("out") => once(
                &mut out,
                PathBuf::from(parser.value().map_err(|e| e.to_string())?),
                "--out",
            )?,
            Value(v) => {
                return Err(format!(
                    "unexpected argument `{}` (snapshot writes to --out <DIR>)",
                    v.to_string_lossy()
                ))
            }
            other => return Err(unexpected(
                other,
                " (`snapshot` takes only --out <DIR>, --vpc <vpc-id>, --assume-role <role-arn> \
                 and --no-dns)",
            )),
        }
    }
    let out = out.ok_or("snapshot needs --out <DIR>")?;
    Ok(Command::Snapshot(SnapshotArgs { out, live }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Command, UsageError> {
        parse(s.split_whitespace().map(OsString::from))
    }

    #[test]
    fn check_with_params_and_format() {
        let Command::Check(c) =
            parse_str("check dir --param RequiredServices=ssm,s3 --format=json").unwrap()
        else {
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
            "check d --format json --format table",
            "explain d --from a --from b --to c",
            "check d -x",
        ] {
            assert!(parse_str(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_repeated_param_key_is_an_error_naming_it() {
        let err = parse_str(
            "check d --param EphemeralPorts=1024-65535 --param EphemeralPorts=32768-65535",
        )
        .unwrap_err();
        assert!(err.message.contains("EphemeralPorts"), "{}", err.message);
        assert!(err.message.contains("twice"), "{}", err.message);
        assert_eq!(err.topic, Topic::Check);
    }

    #[cfg(unix)]
    #[test]
    fn a_non_utf8_value_is_an_error_naming_the_option() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![b'R', b'=', 0xff, 0xfe]);
        let args = vec!["check".into(), "d".into(), "--param".into(), bad];
        let err = parse(args).unwrap_err();
        assert!(err.message.contains("--param"), "{}", err.message);
        assert!(err.message.contains("UTF-8"), "{}", err.message);
        let sub = OsString::from_vec(vec![0xff]);
        assert!(parse(vec![sub]).is_err());
        // A path is the OS's business: taken as it is.
        let dir = OsString::from_vec(vec![b'd', 0xff]);
        assert!(matches!(
            parse(vec!["check".into(), dir]),
            Ok(Command::Check(_))
        ));
    }

    #[test]
    fn help_is_per_subcommand() {
        for (args, topic) in [
            ("--help", Topic::General),
            ("help", Topic::General),
            ("check --help", Topic::Check),
            ("check d -h", Topic::Check),
            ("explain --help", Topic::Explain),
            ("snapshot -h", Topic::Snapshot),
        ] {
            assert!(
                matches!(parse_str(args), Ok(Command::Help(t)) if t == topic),
                "{args}"
            );
        }
    }

    #[test]
    fn live_check_and_snapshot() {
        let Command::Check(c) =
            parse_str("check --live --vpc vpc-1 --vpc=vpc-2 --assume-role arn:r --format json")
                .unwrap()
        else {
            panic!("not check")
        };
        assert_eq!(
            c.source,
            Source::Live(Live {
                vpcs: vec!["vpc-1".into(), "vpc-2".into()],
                roles: vec!["arn:r".into()],
                no_dns: false,
            })
        );
        assert!(parse_str("check dir --assume-role arn:r").is_err());
        assert!(parse_str("check dir --no-dns").is_err());
        assert!(parse_str("explain dir --from e --to v --no-dns").is_err());
        let Command::Check(c) = parse_str("check --live --no-dns").unwrap() else {
            panic!("not check")
        };
        assert!(matches!(c.source, Source::Live(Live { no_dns: true, .. })));
        let Command::Snapshot(s) = parse_str("snapshot --out d --no-dns").unwrap() else {
            panic!("not snapshot")
        };
        assert!(s.live.no_dns);
        assert!(parse_str("explain dir --from e --to v --assume-role arn:r").is_err());
        let Command::Check(c) = parse_str("check dir").unwrap() else {
            panic!("not check")
        };
        assert_eq!(c.source, Source::Dir(PathBuf::from("dir")));
        let Command::Snapshot(s) =
            parse_str("snapshot --vpc vpc-1 --out snap --assume-role arn:a --assume-role arn:b")
                .unwrap()
        else {
            panic!("not snapshot")
        };
        assert_eq!(
            (s.out, s.live.vpcs, s.live.roles),
            (
                PathBuf::from("snap"),
                vec!["vpc-1".to_string()],
                vec!["arn:a".to_string(), "arn:b".to_string()]
            )
        );
    }

    #[test]
    fn explain_args() {
        let Command::Explain(e) = parse_str("explain d --from eni-1 --to vpce-2").unwrap() else {
            panic!()
        };
        let pair = Explained::Pair {
            from: "eni-1".into(),
            to: "vpce-2".into(),
        };
        assert_eq!(e.what, pair);
        let Command::Explain(e) = parse_str("explain d --service vpce-svc-1").unwrap() else {
            panic!()
        };
        assert_eq!(e.what, Explained::Service("vpce-svc-1".into()));
        assert!(parse_str("explain d --service vpce-svc-1 --from eni-1").is_err());
        assert!(parse_str("explain d --service a --service b").is_err());
    }
}
