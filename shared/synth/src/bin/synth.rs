//! `synth <small|medium|large>[:ipv6] <OUT_DIR> [--seed N] [--misconfig PERCENT]`: writes a
//! synthetic snapshot and prints how many objects of each kind it holds; `:ipv6` makes half
//! of its VPCs dual-stack (`SynthParams::dualstack_percent`).
//! `synth org <OUT_DIR> [--seed N] [--misconfig 0]`: the organisation preset (a hub VPC of
//! endpoints and spokes over a transit gateway, the hub under `111111111111/`); `--misconfig 0`
//! leaves out its misconfigurations.

use std::path::PathBuf;
use std::process::ExitCode;
use vpce_reach_synth::{OrgParams, SynthParams};

const USAGE: &str =
    "usage: synth <small|medium|large>[:ipv6]|org <OUT_DIR> [--seed N] [--misconfig PERCENT]";

/// Parses the command line into parameters and the output directory; options may come
/// anywhere.
fn parse(args: &[String]) -> Result<(SynthParams, PathBuf), String> {
    let (mut positional, mut options) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" | "--misconfig" => {
                options.push((arg, it.next().ok_or(format!("{arg} needs a value"))?))
            }
            "-h" | "--help" => return Err(String::new()),
            a if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ => positional.push(arg),
        }
    }
    let [preset, dir] = positional[..] else {
        return Err("expected a preset and an OUT_DIR".into());
    };
    let mut params = SynthParams::preset(preset).ok_or(format!("unknown preset {preset}"))?;
    for (option, value) in options {
        set(&mut params, option, value)?;
    }
    Ok((params, PathBuf::from(dir)))
}

/// Applies one `--seed` or `--misconfig` option.
fn set(p: &mut SynthParams, option: &str, value: &str) -> Result<(), String> {
    let bad = || format!("{option}: not a number: {value}");
    match option {
        "--seed" => p.seed = value.parse().map_err(|_| bad())?,
        _ => p.misconfig_percent = value.parse().map_err(|_| bad())?,
    }
    Ok(())
}

/// The organisation preset: `--seed N` and `--misconfig P` (any P but 0 keeps the
/// misconfigurations).
fn org(args: &[String]) -> Result<(OrgParams, PathBuf), String> {
    let mut small = args.to_vec();
    small[0] = "small".into();
    let (p, dir) = parse(&small)?;
    let params = OrgParams {
        seed: p.seed,
        misconfigured: !args.iter().any(|a| a == "--misconfig") || p.misconfig_percent > 0,
        ..OrgParams::org()
    };
    Ok((params, dir))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("org") {
        return match org(&args) {
            Ok((params, dir)) => report(
                &dir,
                params.seed,
                vpce_reach_synth::write_org(&params, &dir),
            ),
            Err(e) => usage(&e),
        };
    }
    let (params, dir) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => return usage(&e),
    };
    report(&dir, params.seed, vpce_reach_synth::write(&params, &dir))
}

fn usage(e: &str) -> ExitCode {
    if !e.is_empty() {
        eprintln!("synth: {e}");
    }
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// Prints what was written, or the error.
fn report(
    dir: &std::path::Path,
    seed: u64,
    written: std::io::Result<std::collections::BTreeMap<String, usize>>,
) -> ExitCode {
    match written {
        Ok(counts) => {
            println!("wrote {} (seed {seed})", dir.display());
            for (kind, n) in counts {
                println!("{kind:>18}: {n}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
