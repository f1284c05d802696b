//! `vpce-reach`: checks a network snapshot (a directory of `aws ec2 describe-*` outputs, or,
//! with the `live` feature, one collected from EC2 now) for workloads that cannot reach the
//! VPC endpoints they depend on.
//!
//! Exit status (docs/spec.md section 8): 0 when nothing is `NON_COMPLIANT` (explain: reachable),
//! 1 when something is (explain: blocked or unproven) or the snapshot lacks a describe output
//! a check needs, 2 for bad input or usage, or a failed collection.
//!
//! Text from the snapshot (ids, tags, descriptions, file names) is printed through
//! [`inert`], so that control characters in it cannot drive the terminal.

mod args;
mod explain;
mod html;
mod json_out;
mod live;
mod table;

use std::process::ExitCode;

use vpce_reach_model::snapshot::load::load_dir;
use vpce_reach_model::{
    check, evaluations_for, inert, name_accounts, trace_pair, trace_service, ComplianceType,
    Evaluation, Finding, Report, Snapshot, Verdict,
};

use args::{CheckArgs, Command, ExplainArgs, Explained, Format, SnapshotArgs, Source};

fn main() -> ExitCode {
    let result = match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help(topic)) => out(topic.text()).map(|()| 0),
        Ok(Command::Version) => {
            out(&format!("vpce-reach {}\n", env!("CARGO_PKG_VERSION"))).map(|()| 0)
        }
        Ok(Command::Check(a)) => run_check(&a),
        Ok(Command::Explain(a)) => run_explain(&a),
        Ok(Command::Snapshot(a)) => run_snapshot(&a),
        Err(usage) => {
            eprintln!("vpce-reach: error: {}\n", inert(&usage.message));
            eprint!("{}", usage.topic.text());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            // Messages name files, ids and values from the snapshot: printed inert.
            eprintln!("vpce-reach: error: {}", inert(&message));
            ExitCode::from(2)
        }
    }
}

/// Writes `text` on stdout. A reader that stopped early (`vpce-reach check DIR | head`) closes
/// the pipe: the rest is not wanted, so that ends the output quietly rather than as an error
/// (Rust ignores SIGPIPE, so the write fails instead of the process being killed).
fn out(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .or_else(quiet_on_closed_pipe)
}

/// A write error as the command's error, but a closed pipe as the end of the output.
fn quiet_on_closed_pipe(e: std::io::Error) -> Result<(), String> {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(format!("writing the output: {e}")),
    }
}

/// Prints notes on stderr, each made inert (they quote file names and ids).
fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("note: {}", inert(note));
    }
}

/// Loads the snapshot, printing the loader's notes on stderr.
fn load(dir: &std::path::Path) -> Result<Snapshot, String> {
    let snap = load_dir(dir).map_err(|e| e.to_string())?;
    print_notes(&snap.notes);
    Ok(snap)
}

fn run_check(a: &CheckArgs) -> Result<u8, String> {
    let snap = match &a.source {
        Source::Dir(dir) => load(dir)?,
        Source::Live(what) => live::load(what)?,
    };
    let mut report = check(&snap, &a.params);
    // An incomplete snapshot proves nothing compliant (see snapshot::coverage).
    report.missing.extend(snap.coverage.gaps(&report));
    // A known caller: other accounts' resources are not its to evaluate, and findings on
    // their components name them (docs/spec.md sections 5 and 8).
    if let Some(caller) = &a.account {
        name_accounts(&snap, &mut report, caller);
    }
    let evaluations = evaluations_for(&snap, &report, a.account.as_ref());
    let absent: Vec<&str> = snap
        .coverage
        .absent()
        .into_iter()
        .map(|c| c.command())
        .collect();
    match a.format {
        Format::Json => print_json(&report, &evaluations, &absent)?,
        Format::Table => out(&table::render(&snap, &report, &evaluations))?,
        Format::Html => {
            let source = match &a.source {
                Source::Dir(dir) => dir.display().to_string(),
                Source::Live(_) => "collected from EC2 (--live)".to_string(),
            };
            let page = html::Page {
                snap: &snap,
                params: &a.params,
                report: &report,
                evaluations: &evaluations,
                absent: &absent,
                source: &source,
            };
            out(&html::render(&page))?;
            // As with the JSON: the page is the output, the remarks go to stderr too.
            print_notes(&report.notes);
        }
    }
    let non_compliant = evaluations
        .iter()
        .any(|e| e.compliance_type == ComplianceType::NonCompliant);
    let code = u8::from(non_compliant || !absent.is_empty());
    // The process ends here: freeing the snapshot and the report, millions of small
    // allocations, would cost a tenth of the run (BENCHMARKS.md, "The CLI as a whole") for
    // memory the OS takes back at exit anyway.
    std::mem::forget((evaluations, report, snap));
    Ok(code)
}

/// The `check --format json` document: `{"evaluations", "findings"}`, and `"missing"` (the
/// describe calls the snapshot lacks) only when it lacks some, so complete snapshots keep the
/// documented two keys. A struct, not a `json!` value: its key order is its field order
/// whether or not some dependency turns on serde_json's `preserve_order`.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    evaluations: &'a [Evaluation],
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing: &'a [&'a str],
}

fn print_json(report: &Report, evaluations: &[Evaluation], absent: &[&str]) -> Result<(), String> {
    let out = JsonReport {
        evaluations,
        findings: &report.findings,
        missing: absent,
    };
    let stdout = std::io::stdout().lock();
    json_out::write_pretty(std::io::BufWriter::new(stdout), &out).or_else(quiet_on_closed_pipe)?;
    print_notes(&report.notes);
    Ok(())
}

fn run_explain(a: &ExplainArgs) -> Result<u8, String> {
    let snap = load(&a.dir)?;
    let absent = snap.coverage.absent_commands();
    if !absent.is_empty() {
        eprintln!("note: the snapshot has no {absent} output: hops that need it are unproven");
    }
    let (from, to) = match &a.what {
        Explained::Pair { from, to } => (from, to),
        Explained::Service(service) => {
            let trace = trace_service(&snap, &a.params, service).map_err(|e| e.to_string())?;
            out(&explain::render_service(&trace))?;
            return Ok(u8::from(
                explain::service_verdict(&trace) != Verdict::Reachable,
            ));
        }
    };
    let (trace, reasons) = trace_pair(&snap, &a.params, from, to).map_err(|e| e.to_string())?;
    out(&explain::render(&snap, &trace, reasons))?;
    Ok(u8::from(trace.verdict() != Verdict::Reachable))
}

fn run_snapshot(a: &SnapshotArgs) -> Result<u8, String> {
    live::write(&a.out, &a.live)?;
    Ok(0)
}
