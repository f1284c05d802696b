//! The reachability matrices: one table per VPC with endpoints (the model's [`VpcMatrix`]),
//! then the traces of its blocked cells. Each cell is coloured and labelled (a mark and a
//! word: the page is readable in black and white and by a screen reader); a blocked cell
//! names its first blocking component, links to its finding group and to its trace.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{
    short_service_name, trace_pair, Cell, CellState, GroupKey, Matrices, MatrixRow, RuleParameters,
    VpcMatrix,
};

use super::escape::Esc;
use super::findings::{self, Groups};
use super::w;
use crate::explain;

/// Subnets named in a merged row's header.
const MAX_KEYS: usize = 3;

/// What the matrices need besides themselves.
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub params: &'a RuleParameters,
    pub groups: &'a Groups<'a>,
}

/// The matrices section.
pub fn section(out: &mut String, ctx: &Ctx, matrices: &Matrices) {
    w!(
        out,
        "<section id=\"matrices\">\n<h2>Reachability</h2>\n<p class=\"legend\">Rows: workload \
         groups (same subnet, same security groups). Columns: the VPC's endpoints. \
         {} {} {} {}. A count <i>n/N</i> is how many of the row's N workloads are in that state. \
         A blocked cell names the first blocking component of its first blocked workload's path \
         and links to its finding and its trace.</p>\n",
        legend(CellState::Reachable),
        legend(CellState::Blocked),
        legend(CellState::Unproven),
        legend(CellState::NotRequired),
    );
    if matrices.vpcs.is_empty() {
        w!(out, "<p class=\"none\">No VPC endpoint to check.</p>\n");
    }
    for (n, matrix) in matrices.vpcs.iter().enumerate() {
        vpc_section(out, ctx, n + 1, matrix);
    }
    if !matrices.unserved.is_empty() {
        w!(
            out,
            "<h3>VPCs with workloads and no endpoint</h3>\n<ul class=\"unserved\">\n"
        );
        for (vpc, count) in &matrices.unserved {
            w!(
                out,
                "<li><code>{}</code>: {count} workload{} (no endpoint in the VPC or across a \
                 link; see the findings)</li>\n",
                Esc(vpc),
                plural(*count)
            );
        }
        w!(out, "</ul>\n");
    }
    w!(out, "</section>\n");
}

fn legend(state: CellState) -> String {
    format!(
        "<span class=\"cell {}\">{} {}</span>",
        class(state),
        mark(state),
        state.as_str()
    )
}

fn vpc_section(out: &mut String, ctx: &Ctx, n: usize, m: &VpcMatrix) {
    w!(
        out,
        "<section class=\"vpc\" id=\"m{n}\">\n<h3>VPC <code>{}</code>{}",
        Esc(&m.vpc),
        owner(ctx.snap, &m.vpc)
    );
    if !m.spokes.is_empty() {
        let spokes: Vec<String> = m
            .spokes
            .iter()
            .map(|s| format!("<code>{}</code>{}", Esc(s), owner(ctx.snap, s)))
            .collect();
        w!(out, " <small>hub of {}</small>", spokes.join(", "));
    }
    w!(out, "</h3>\n");
    if m.merged() {
        w!(
            out,
            "<p class=\"merged\">{} workload groups: groups with the same state and the same \
             blocking components in every column are merged into one row ({} rows).</p>\n",
            m.groups,
            m.rows.len()
        );
    }
    w!(
        out,
        "<div class=\"scroll\">\n<table class=\"matrix\">\n<thead><tr><th scope=\"col\">\
         Workload group</th>"
    );
    for ep in &m.endpoints {
        w!(
            out,
            "<th scope=\"col\" data-endpoint=\"{}\">{}<br/><small>{}</small></th>",
            Esc(&ep.id),
            Esc(short_service_name(&ep.service)),
            Esc(&ep.id)
        );
    }
    w!(out, "</tr></thead>\n<tbody>\n");
    let mut traces = Vec::new();
    for (r, row) in m.rows.iter().enumerate() {
        row_html(out, ctx, (n, r), m, row, &mut traces);
    }
    w!(out, "</tbody>\n</table>\n</div>\n");
    if !traces.is_empty() {
        w!(
            out,
            "<h4>Traces of the blocked cells</h4>\n<div class=\"traces\">\n{}</div>\n",
            traces.concat()
        );
    }
    w!(out, "</section>\n");
}

/// ` (account 111122223333)` when the snapshot knows the VPC's owner.
fn owner(snap: &Snapshot, vpc: &str) -> String {
    match snap.vpcs.get(vpc).and_then(|v| v.owner_id.as_deref()) {
        Some(account) => format!(" <small>(account {})</small>", Esc(account)),
        None => String::new(),
    }
}

/// A row and its cells. One trace per blocking component of the row: on a large account a
/// group whose security group forgets every endpoint has a dozen blocked cells with the same
/// cause, and a trace each would make the page ten times larger for the same lines.
fn row_html(
    out: &mut String,
    ctx: &Ctx,
    (n, r): (usize, usize),
    m: &VpcMatrix,
    row: &MatrixRow,
    traces: &mut Vec<String>,
) {
    w!(out, "<tr><th scope=\"row\">");
    row_header(out, ctx.snap, m, row);
    w!(out, "</th>");
    // (blame, its trace's anchor, the first cell it blocks, the services it blocks)
    let mut row_traces: Vec<(findings::GroupKey, String, usize, Vec<&str>)> = Vec::new();
    for (c, (cell, ep)) in row.cells.iter().zip(&m.endpoints).enumerate() {
        let blame = cell
            .blame
            .as_ref()
            .filter(|_| cell.state() == CellState::Blocked);
        let anchor = blame.map(|b| {
            let key = (Arc::clone(&b.component), b.code, b.direction);
            let service = short_service_name(&ep.service);
            match row_traces.iter_mut().find(|t| t.0 == key) {
                Some(t) => {
                    t.3.push(service);
                    t.1.clone()
                }
                None => {
                    let anchor = format!("t{n}-{}-{}", r + 1, c + 1);
                    row_traces.push((key, anchor.clone(), c, vec![service]));
                    anchor
                }
            }
        });
        cell_html(out, ctx, cell, &ep.id, row.workloads, anchor.as_deref());
    }
    w!(out, "</tr>\n");
    for (_, anchor, c, services) in row_traces {
        traces.push(trace_html(
            ctx,
            &row.cells[c],
            &m.endpoints[c].id,
            &anchor,
            &services,
        ));
    }
}

/// The groups of the row (a few, when merged) and a few of its workloads with their names.
fn row_header(out: &mut String, snap: &Snapshot, m: &VpcMatrix, row: &MatrixRow) {
    let first = &row.keys[0];
    w!(out, "<div class=\"key\">");
    // Merged rows hold one VPC's groups: the spoke mark holds for all of them.
    if first.vpc != m.vpc {
        w!(
            out,
            "<span class=\"spoke\">spoke {}</span> ",
            Esc(&first.vpc)
        );
    }
    if row.keys.len() == 1 {
        w!(
            out,
            "<code>{}</code> · <code>{}</code></div>",
            Esc(&first.subnet),
            security_groups(first)
        );
    } else {
        let subnets: BTreeSet<&str> = row.keys.iter().map(|k| &*k.subnet).collect();
        let named: Vec<String> = subnets
            .iter()
            .take(MAX_KEYS)
            .map(|s| format!("<code>{}</code>", Esc(s)))
            .collect();
        w!(
            out,
            "<b>{} groups</b> in {} subnet{}: {}{}</div><div class=\"key\">e.g. <code>{}</code></div>",
            row.keys.len(),
            subnets.len(),
            plural(subnets.len()),
            named.join(", "),
            if subnets.len() > MAX_KEYS {
                format!(" and {} more", subnets.len() - MAX_KEYS)
            } else {
                String::new()
            },
            security_groups(first)
        );
    }
    let examples: Vec<String> = row
        .examples
        .iter()
        .map(|eni| format!("<code>{}</code>{}", Esc(eni), name(snap, eni)))
        .collect();
    let more = row.workloads - row.examples.len();
    w!(
        out,
        "<div class=\"ex\">{} workload{}: {}{}</div>",
        row.workloads,
        plural(row.workloads),
        examples.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
}

/// `sg-1, sg-2`, escaped.
fn security_groups(key: &GroupKey) -> String {
    if key.groups.is_empty() {
        return "no security group".to_string();
    }
    let groups: Vec<String> = key.groups.iter().map(|g| Esc(g).to_string()).collect();
    groups.join(", ")
}

/// ` (app-strict)`: the ENI's `Name` tag, when it has one.
fn name(snap: &Snapshot, eni: &str) -> String {
    let tag = snap
        .network_interfaces
        .get(eni)
        .and_then(|e| e.tag_set.iter().find(|t| t.key == "Name"))
        .filter(|t| !t.value.is_empty());
    match tag {
        Some(t) => format!(" <span class=\"name\">({})</span>", Esc(&t.value)),
        None => String::new(),
    }
}

/// One cell; `trace`: the anchor of its trace, when it is blocked with a known blame.
fn cell_html(
    out: &mut String,
    ctx: &Ctx,
    cell: &Cell,
    endpoint: &str,
    workloads: usize,
    trace: Option<&str>,
) {
    let state = cell.state();
    let count = match state {
        CellState::Blocked => cell.blocked,
        CellState::Unproven => cell.unproven,
        CellState::Reachable => cell.reachable,
        CellState::NotRequired => cell.not_required,
    };
    w!(
        out,
        "<td class=\"cell {}\" data-endpoint=\"{}\" title=\"{}\"><span class=\"st\">{} {}</span>",
        class(state),
        Esc(endpoint),
        counts(cell),
        mark(state),
        state.as_str()
    );
    if count != workloads {
        w!(out, " <span class=\"n\">{count}/{workloads}</span>");
    }
    let (Some(blame), Some(trace)) = (cell.blame.as_ref(), trace) else {
        w!(out, "</td>");
        return;
    };
    let key = (Arc::clone(&blame.component), blame.code, blame.direction);
    let component = Esc(&blame.component);
    match ctx.groups.anchor(&key) {
        Some(f) => w!(out, "<br/><a class=\"blame\" href=\"#{f}\">{component}</a>"),
        None => w!(out, "<br/><span class=\"blame\">{component}</span>"),
    }
    if let Some(d) = blame.direction {
        w!(out, " <span class=\"dir\">{}</span>", d.as_str());
    }
    w!(out, "<br/><a class=\"tr\" href=\"#{trace}\">trace</a></td>");
}

/// `2 blocked, 3 reachable of 5 workloads` (the cell's title: every count, not only the worst).
fn counts(cell: &Cell) -> String {
    let parts: Vec<String> = [
        (cell.blocked, "blocked"),
        (cell.unproven, "unproven"),
        (cell.reachable, "reachable"),
        (cell.not_required, "not required"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!(
        "{} of {} workload{}",
        parts.join(", "),
        cell.workloads(),
        plural(cell.workloads())
    )
}

/// The `explain` trace of the cell's first blocked workload, collapsed; `services`: the
/// columns of the row the same component blocks (this cell's first).
fn trace_html(ctx: &Ctx, cell: &Cell, endpoint: &str, anchor: &str, services: &[&str]) -> String {
    let Some(blame) = &cell.blame else {
        return String::new();
    };
    let text = match trace_pair(ctx.snap, ctx.params, &blame.workload, endpoint) {
        Ok((trace, reasons)) => explain::render(ctx.snap, &trace, reasons),
        Err(e) => e.to_string(),
    };
    let also = if services.len() > 1 {
        let others: Vec<String> = services[1..].iter().map(|s| Esc(s).to_string()).collect();
        format!(
            "; the same component blocks the row's {} too",
            others.join(", ")
        )
    } else {
        String::new()
    };
    format!(
        "<details class=\"trace\" id=\"{anchor}\"><summary><code>{}</code>{} → <code>{}</code> \
         {}: blocked at <code>{}</code> ({}){also}</summary>\n<pre>{}</pre></details>\n",
        Esc(&blame.workload),
        name(ctx.snap, &blame.workload),
        Esc(endpoint),
        Esc(services.first().copied().unwrap_or("")),
        Esc(&blame.component),
        blame.code.as_str(),
        lines(&text)
    )
}

/// Multi-line text escaped line by line: its line breaks are the renderer's own (every text
/// from the snapshot in it is already inert), kept for `<pre>`.
fn lines(text: &str) -> String {
    let escaped: Vec<String> = text.lines().map(|l| Esc(l).to_string()).collect();
    escaped.join("\n")
}

fn class(state: CellState) -> &'static str {
    match state {
        CellState::Blocked => "blocked",
        CellState::Unproven => "unproven",
        CellState::Reachable => "reachable",
        CellState::NotRequired => "none",
    }
}

/// A mark besides the colour, so that the state never rests on colour alone.
fn mark(state: CellState) -> &'static str {
    match state {
        CellState::Blocked => "✗",
        CellState::Unproven => "?",
        CellState::Reachable => "✓",
        CellState::NotRequired => "–",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
