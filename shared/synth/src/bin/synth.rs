//! `synth <small|medium|large> <OUT_DIR> [--seed N] [--misconfig PERCENT]`: writes a
//! synthetic snapshot and prints how many objects of each kind it holds.

use std::path::PathBuf;
use std::process::ExitCode;
use vpce_reach_synth::SynthParams;

const USAGE: &str = "usage: synth <small|medium|large> <OUT_DIR> [--seed N] [--misconfig PERCENT]";

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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (params, dir) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("synth: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match vpce_reach_synth::write(&params, &dir) {
        Ok(counts) => {
            println!("wrote {} (seed {})", dir.display(), params.seed);
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
