//! The `check` table, for people: a summary line, the findings with their details, the
//! non-compliant and compliant resources, and the notes.
//!
//! Every text that comes from the snapshot (ids, details quoting tags and descriptions) goes
//! through [`inert`]: a terminal must show it, never obey it.

use std::fmt::Write;

use vpce_reach_model::inert;
use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{ComplianceType, Evaluation, Report, Verdict};

/// Renders the whole report.
pub fn render(snap: &Snapshot, report: &Report, evaluations: &[Evaluation]) -> String {
    let mut out = String::new();
    summary(&mut out, snap, report);
    let absent = snap.coverage.absent_commands();
    if !absent.is_empty() {
        let _ = writeln!(
            out,
            "\nUNPROVEN: the snapshot has no {absent} output; nothing can be proven without it."
        );
    }
    findings(&mut out, report, absent.is_empty());
    resources(&mut out, evaluations);
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNOTES");
        for note in &report.notes {
            let _ = writeln!(out, "  {}", inert(note));
        }
    }
    out
}

fn summary(out: &mut String, snap: &Snapshot, report: &Report) {
    let count = |v: Verdict| report.pairs.iter().filter(|p| p.verdict == v).count();
    let _ = writeln!(
        out,
        "{} VPCs, {} workloads, {} endpoints: {} required pairs, {} reachable, {} blocked, {} unproven (missing data)",
        snap.vpcs.len(),
        report.workload_count,
        snap.vpc_endpoints.len(),
        report.pairs.len(),
        count(Verdict::Reachable),
        count(Verdict::Blocked),
        count(Verdict::Unknown),
    );
}

fn findings(out: &mut String, report: &Report, complete: bool) {
    if report.findings.is_empty() {
        let none = if complete {
            "No findings."
        } else {
            "No findings in the data present."
        };
        let _ = writeln!(out, "\n{none}");
        return;
    }
    let _ = writeln!(out, "\nFINDINGS ({})", report.findings.len());
    let _ = writeln!(
        out,
        "  {:<24} {:<24} {:<14} {:<22} ENDPOINT",
        "CODE", "COMPONENT", "DIRECTION", "SOURCE"
    );
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  {:<24} {:<24} {:<14} {:<22} {}",
            f.code.as_str(),
            inert(&f.component),
            f.direction.map_or("-", |d| d.as_str()),
            inert(f.source.as_deref().unwrap_or("-")),
            inert(f.endpoint.as_deref().unwrap_or("-")),
        );
        let _ = writeln!(out, "      {}", inert(&f.detail));
        // Only with --account, for another account's component: where the fix is made.
        if let Some(account) = &f.account {
            let _ = writeln!(out, "      (in account {})", inert(account));
        }
    }
}

fn resources(out: &mut String, evaluations: &[Evaluation]) {
    for kind in [ComplianceType::NonCompliant, ComplianceType::Compliant] {
        let rows: Vec<&Evaluation> = evaluations
            .iter()
            .filter(|e| e.compliance_type == kind)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({})", kind.as_str(), rows.len());
        for e in rows {
            let short_type = e.compliance_resource_type.trim_start_matches("AWS::EC2::");
            let _ = writeln!(
                out,
                "  {:<12} {:<24} {}",
                short_type,
                inert(&e.compliance_resource_id),
                inert(&e.annotation)
            );
        }
    }
    let not_applicable = evaluations
        .iter()
        .filter(|e| e.compliance_type == ComplianceType::NotApplicable)
        .count();
    let _ = writeln!(
        out,
        "\nNOT_APPLICABLE: {not_applicable} resources (not on a required path)"
    );
}
