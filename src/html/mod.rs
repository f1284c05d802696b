//! `check --format html` (issue 19): the report as one self-contained page to open from a
//! ticket or an e-mail: a summary with the compliance counts, a reachability matrix per VPC
//! with endpoints (hubs with their spokes' workloads), the findings grouped by component with
//! their fixes, and the `explain` trace of every blocked cell. docs/report.md describes it.
//!
//! Plain writes, no template engine: the page is a few hundred lines of markup. It loads
//! nothing (no script, font or stylesheet from elsewhere: the style and the one small script
//! are inline, and its Content-Security-Policy forbids anything else, so even a text that
//! escaping missed could run nothing). Every text from the snapshot goes through
//! [`escape::Esc`]. The markup is XHTML-compatible (every element closed, attributes quoted),
//! so the tests check it with an XML parser.

mod escape;
mod findings;
mod matrix;

use std::fmt::Write;

use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{matrices, ComplianceType, Evaluation, Report, RuleParameters, Verdict};

use escape::Esc;

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

/// Past this many workload groups in one matrix, rows that say the same thing are merged.
const MAX_ROWS: usize = 40;

/// The page's style.
const STYLE: &str = include_str!("report.css");
/// The page's script: optional (filters, opening a linked trace).
const SCRIPT: &str = include_str!("report.js");
/// SHA-256 of [`SCRIPT`], base64: the Content-Security-Policy runs this script and no other.
/// tests/html.rs recomputes it, so an edit of report.js that forgets it fails there.
const SCRIPT_SHA256: &str = "YOcqbRf0rZ39E8cd7sJq1KmO1nXqV+0IKl2YeXG7+v0=";

/// What the page is made from.
pub struct Page<'a> {
    pub snap: &'a Snapshot,
    pub params: &'a RuleParameters,
    pub report: &'a Report,
    pub evaluations: &'a [Evaluation],
    /// Describe calls the snapshot lacks.
    pub absent: &'a [&'a str],
    /// Where the snapshot came from (its directory, or the live collection).
    pub source: &'a str,
}

/// The whole page.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out);
    w!(
        out,
        "<body>\n<header>\n<h1>vpce-reach: can the workloads reach their VPC endpoints?</h1>\n\
         <p>Snapshot <code>{}</code> · vpce-reach {}</p>\n<nav><a href=\"#summary\">Summary</a>\
         <a href=\"#matrices\">Reachability</a><a href=\"#findings\">Findings</a>\
         <a href=\"#notes\">Notes</a></nav>\n</header>\n<main>\n",
        Esc(page.source),
        env!("CARGO_PKG_VERSION")
    );
    summary(&mut out, page);
    let groups = findings::Groups::new(page.report);
    let m = matrices(page.snap, page.params, page.report, MAX_ROWS);
    let ctx = matrix::Ctx {
        snap: page.snap,
        params: page.params,
        groups: &groups,
    };
    matrix::section(&mut out, &ctx, &m);
    findings::section(&mut out, page.snap, &groups);
    notes(&mut out, page.report);
    w!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

fn head(out: &mut String) {
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_SHA256}'\"/>\n\
         <title>vpce-reach report</title>\n<style>\n{STYLE}</style>\n</head>\n"
    );
}

fn summary(out: &mut String, page: &Page) {
    let (snap, report) = (page.snap, page.report);
    let count = |v: Verdict| report.pairs.iter().filter(|p| p.verdict == v).count();
    w!(
        out,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n\
         <tr><th>VPCs</th><th>workloads</th><th>endpoints</th><th>required pairs</th>\
         <th>reachable</th><th>blocked</th><th>unproven</th></tr>\n\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"reachable\">{}</td>\
         <td class=\"blocked\">{}</td><td class=\"unproven\">{}</td></tr>\n</table>\n",
        snap.vpcs.len(),
        report.workload_count,
        snap.vpc_endpoints.len(),
        report.pairs.len(),
        count(Verdict::Reachable),
        count(Verdict::Blocked),
        count(Verdict::Unknown),
    );
    if !page.absent.is_empty() {
        let absent: Vec<String> = page
            .absent
            .iter()
            .map(|c| format!("<code>{}</code>", Esc(c)))
            .collect();
        w!(
            out,
            "<p class=\"banner\">UNPROVEN: the snapshot has no {} output; nothing can be \
             proven without it.</p>\n",
            absent.join(", ")
        );
    }
    compliance(out, page.evaluations);
    w!(out, "</section>\n");
}

/// The compliance counts AWS Config would show, and the non-compliant resources.
fn compliance(out: &mut String, evaluations: &[Evaluation]) {
    let kinds = [
        ComplianceType::NonCompliant,
        ComplianceType::Compliant,
        ComplianceType::NotApplicable,
    ];
    w!(
        out,
        "<h3>Compliance (the AWS Config rule's evaluations)</h3>\n<table class=\"summary\">\n<tr>"
    );
    for kind in kinds {
        w!(out, "<th>{}</th>", kind.as_str());
    }
    w!(out, "</tr>\n<tr>");
    for kind in kinds {
        let n = evaluations
            .iter()
            .filter(|e| e.compliance_type == kind)
            .count();
        w!(out, "<td>{n}</td>");
    }
    w!(out, "</tr>\n</table>\n");
    let failing: Vec<&Evaluation> = evaluations
        .iter()
        .filter(|e| e.compliance_type == ComplianceType::NonCompliant)
        .collect();
    if failing.is_empty() {
        return;
    }
    w!(
        out,
        "<details><summary>{} NON_COMPLIANT resources</summary>\n<ul>\n",
        failing.len()
    );
    for e in failing {
        w!(
            out,
            "<li>{} <code>{}</code>: {}</li>\n",
            Esc(e.compliance_resource_type.trim_start_matches("AWS::EC2::")),
            Esc(&e.compliance_resource_id),
            Esc(&e.annotation)
        );
    }
    w!(out, "</ul>\n</details>\n");
}

fn notes(out: &mut String, report: &Report) {
    w!(out, "<section id=\"notes\">\n<h2>Notes</h2>\n");
    if report.notes.is_empty() {
        w!(out, "<p class=\"none\">None.</p>\n");
    } else {
        w!(out, "<ul>\n");
        for note in &report.notes {
            w!(out, "<li>{}</li>\n", Esc(note));
        }
        w!(out, "</ul>\n");
    }
    w!(out, "</section>\n");
}
