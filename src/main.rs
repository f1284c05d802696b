//! `vpce-reach`: checks a network snapshot (a directory of `aws ec2 describe-*` outputs, or,
//! with the `live` feature, one collected from EC2 now) for workloads that cannot reach the
//! VPC endpoints they depend on.
//!
//! Exit status (SPEC section 8): 0 when nothing is `NON_COMPLIANT` (explain: reachable),
//! 1 when something is (explain: blocked or unproven), 2 for bad input or usage, or a failed
//! collection.

mod args;
mod explain;
mod live;
mod table;

use std::process::ExitCode;

use vpce_reach_model::snapshot::load::load_dir;
use vpce_reach_model::{check, evaluations, trace_pair, ComplianceType, Snapshot, Verdict};

use args::{CheckArgs, Command, ExplainArgs, Format, SnapshotArgs, Source};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match args::parse(&argv) {
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            Ok(0)
        }
        Ok(Command::Version) => {
            println!("vpce-reach {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        Ok(Command::Check(a)) => run_check(&a),
        Ok(Command::Explain(a)) => run_explain(&a),
        Ok(Command::Snapshot(a)) => run_snapshot(&a),
        Err(usage) => Err(format!("{usage}\n\n{}", args::USAGE)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("vpce-reach: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Loads the snapshot, printing the loader's notes on stderr.
fn load(dir: &std::path::Path) -> Result<Snapshot, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let snap = load_dir(dir).map_err(|e| e.to_string())?;
    for note in &snap.notes {
        eprintln!("note: {note}");
    }
    Ok(snap)
}

fn run_check(a: &CheckArgs) -> Result<u8, String> {
    let snap = match &a.source {
        Source::Dir(dir) => load(dir)?,
        Source::Live { vpcs } => live::load(vpcs)?,
    };
    let report = check(&snap, &a.params);
    let evaluations = evaluations(&snap, &report);
    match a.format {
        Format::Json => {
            let out =
                serde_json::json!({ "evaluations": evaluations, "findings": report.findings });
            println!(
                "{}",
                serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
            );
            for note in &report.notes {
                eprintln!("note: {note}");
            }
        }
        Format::Table => print!("{}", table::render(&snap, &report, &evaluations)),
    }
    let non_compliant = evaluations
        .iter()
        .any(|e| e.compliance_type == ComplianceType::NonCompliant);
    Ok(u8::from(non_compliant))
}

fn run_explain(a: &ExplainArgs) -> Result<u8, String> {
    let snap = load(&a.dir)?;
    let (trace, reasons) =
        trace_pair(&snap, &a.params, &a.from, &a.to).map_err(|e| e.to_string())?;
    print!("{}", explain::render(&snap, &trace, reasons));
    Ok(u8::from(trace.verdict() != Verdict::Reachable))
}

fn run_snapshot(a: &SnapshotArgs) -> Result<u8, String> {
    live::write(&a.out, &a.vpcs)?;
    Ok(0)
}
