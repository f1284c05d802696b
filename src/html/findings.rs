//! The findings section: findings grouped by the component they blame, then by code and
//! direction, each group with its problem, its fix and the pairs it blocks. A large account
//! has thousands of findings but a few hundred such groups; each group lists its first
//! [`MAX_DETAILS`] findings (`--format json` has them all).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Arc;

use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{Direction, Finding, FindingCode, Report};

use super::escape::Esc;
use super::w;

/// Findings listed in full per group.
const MAX_DETAILS: usize = 10;
/// Distinct problems or fixes shown per group.
const MAX_TEXTS: usize = 5;
/// Workloads and endpoints named per group.
const MAX_NAMES: usize = 5;

/// What groups findings, and what a blocked cell links to.
pub type GroupKey = (Arc<str>, FindingCode, Option<Direction>);

/// The findings of one (component, code, direction).
pub struct Group<'r> {
    pub findings: Vec<&'r Finding>,
    /// The anchor of the group (`f<n>`).
    pub anchor: String,
}

/// The findings, grouped, in (component, code, direction) order.
pub struct Groups<'r> {
    pub by_key: BTreeMap<GroupKey, Group<'r>>,
}

impl<'r> Groups<'r> {
    pub fn new(report: &'r Report) -> Self {
        let mut by_key: BTreeMap<GroupKey, Group<'r>> = BTreeMap::new();
        for f in &report.findings {
            by_key
                .entry((Arc::clone(&f.component), f.code, f.direction))
                .or_insert_with(|| Group {
                    findings: Vec::new(),
                    anchor: String::new(),
                })
                .findings
                .push(f);
        }
        for (n, group) in by_key.values_mut().enumerate() {
            group.anchor = format!("f{}", n + 1);
        }
        Groups { by_key }
    }

    /// The anchor of the group a blocked cell's blame belongs to.
    pub fn anchor(&self, key: &GroupKey) -> Option<&str> {
        self.by_key.get(key).map(|g| g.anchor.as_str())
    }
}

/// The VPCs a finding concerns: its workload's, its endpoint's, the component when it is a
/// VPC, else (DNS and service findings name no workload) the snapshot's VPCs its text names.
fn vpcs_of<'s>(snap: &'s Snapshot, f: &Finding) -> BTreeSet<&'s str> {
    let mut vpcs = BTreeSet::new();
    if let Some(eni) = f
        .source
        .as_deref()
        .and_then(|s| snap.network_interfaces.get(s))
    {
        vpcs.insert(eni.vpc_id.as_str());
    }
    if let Some(ep) = f
        .endpoint
        .as_deref()
        .and_then(|e| snap.vpc_endpoints.get(e))
    {
        vpcs.insert(ep.vpc_id.as_str());
    }
    if let Some((id, _)) = snap.vpcs.get_key_value(&*f.component) {
        vpcs.insert(id.as_str());
    }
    if vpcs.is_empty() {
        vpcs.extend(
            snap.vpcs
                .keys()
                .filter(|v| f.detail.contains(v.as_str()))
                .map(String::as_str),
        );
    }
    vpcs
}

/// The findings section, with its filters (shown by the page's script only).
pub fn section(out: &mut String, snap: &Snapshot, groups: &Groups) {
    let total: usize = groups.by_key.values().map(|g| g.findings.len()).sum();
    w!(out, "<section id=\"findings\">\n<h2>Findings</h2>\n");
    if total == 0 {
        w!(out, "<p class=\"none\">No findings.</p>\n</section>\n");
        return;
    }
    let components: BTreeSet<&str> = groups.by_key.keys().map(|k| &*k.0).collect();
    w!(
        out,
        "<p>{total} findings on {} components, grouped by component, then by code and \
         direction. A blocked cell of a matrix links to its group.</p>\n",
        components.len()
    );
    let vpcs: Vec<BTreeSet<&str>> = groups
        .by_key
        .values()
        .map(|g| g.findings.iter().flat_map(|f| vpcs_of(snap, f)).collect())
        .collect();
    filters(out, groups, &vpcs);
    let mut at = 0;
    let entries: Vec<(&GroupKey, &Group)> = groups.by_key.iter().collect();
    for component in components {
        w!(
            out,
            "<article class=\"component\">\n<h3>{}</h3>\n",
            Esc(component)
        );
        while let Some((key, group)) = entries.get(at).filter(|(k, _)| &*k.0 == component) {
            group_html(out, key, group, &vpcs[at]);
            at += 1;
        }
        w!(out, "</article>\n");
    }
    w!(out, "</section>\n");
}

/// The code and VPC filters: hidden until the script shows them, so that without it the
/// page shows every finding and no control that does nothing.
fn filters(out: &mut String, groups: &Groups, vpcs: &[BTreeSet<&str>]) {
    let codes: BTreeSet<&str> = groups.by_key.keys().map(|k| k.1.as_str()).collect();
    let all_vpcs: BTreeSet<&str> = vpcs.iter().flatten().copied().collect();
    w!(
        out,
        "<form id=\"filters\" hidden=\"hidden\">\n<label>Code <select id=\"f-code\">\
         <option value=\"\">all codes</option>"
    );
    for code in codes {
        w!(out, "<option>{code}</option>");
    }
    w!(
        out,
        "</select></label>\n<label>VPC <select id=\"f-vpc\"><option value=\"\">all VPCs</option>"
    );
    for vpc in all_vpcs {
        w!(out, "<option>{}</option>", Esc(vpc));
    }
    w!(
        out,
        "</select></label>\n<output id=\"f-count\"></output>\n</form>\n"
    );
}

fn group_html(out: &mut String, key: &GroupKey, group: &Group, vpcs: &BTreeSet<&str>) {
    let (_, code, direction) = *key;
    let findings = &group.findings;
    let vpc_list: Vec<String> = vpcs.iter().map(|v| Esc(v).to_string()).collect();
    w!(
        out,
        "<div class=\"finding\" id=\"{}\" data-code=\"{}\" data-vpcs=\"{}\">\n<p class=\"head\">\
         <span class=\"code\">{}</span>",
        group.anchor,
        code.as_str(),
        vpc_list.join(" "),
        code.as_str()
    );
    if let Some(d) = direction {
        w!(out, " <span class=\"dir\">{}</span>", d.as_str());
    }
    let pairs = findings.iter().filter(|f| f.source.is_some()).count();
    if pairs > 0 {
        w!(
            out,
            " · {pairs} blocked pair{}",
            if pairs == 1 { "" } else { "s" }
        );
    }
    if let Some(account) = findings.iter().find_map(|f| f.account.as_deref()) {
        w!(out, " · in account {}", Esc(account));
    }
    w!(out, "</p>\n");
    names(
        out,
        "Workloads",
        findings.iter().filter_map(|f| f.source.as_deref()),
    );
    names(
        out,
        "Endpoints",
        findings.iter().filter_map(|f| f.endpoint.as_deref()),
    );
    texts(
        out,
        "problem",
        ("Problem", "problems"),
        findings.iter().map(|f| &*f.problem),
    );
    texts(
        out,
        "fix",
        ("Fix", "fixes"),
        findings.iter().map(|f| &*f.fix),
    );
    w!(
        out,
        "<details><summary>{} finding{}</summary>\n<ul class=\"details\">\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    for f in findings.iter().take(MAX_DETAILS) {
        w!(out, "<li>{}</li>\n", Esc(&f.detail));
    }
    if findings.len() > MAX_DETAILS {
        w!(
            out,
            "<li class=\"more\">and {} more (all of them: <code>--format json</code>)</li>\n",
            findings.len() - MAX_DETAILS
        );
    }
    w!(out, "</ul>\n</details>\n</div>\n");
}

/// `Workloads: a, b, c and 4 more`, each name once.
fn names<'a>(out: &mut String, label: &str, ids: impl Iterator<Item = &'a str>) {
    let ids: BTreeSet<&str> = ids.collect();
    if ids.is_empty() {
        return;
    }
    let shown: Vec<String> = ids
        .iter()
        .take(MAX_NAMES)
        .map(|id| format!("<code>{}</code>", Esc(id)))
        .collect();
    w!(out, "<p class=\"names\">{label}: {}", shown.join(", "));
    if ids.len() > MAX_NAMES {
        w!(out, " and {} more", ids.len() - MAX_NAMES);
    }
    w!(out, "</p>\n");
}

/// The distinct non-empty texts (problems, fixes) of a group, the first few in order of first
/// appearance, then how many others there are.
fn texts<'a>(
    out: &mut String,
    class: &str,
    label: (&str, &str),
    all: impl Iterator<Item = &'a str>,
) {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut shown: Vec<&str> = Vec::new();
    for text in all.filter(|t| !t.is_empty()) {
        if seen.insert(text) && shown.len() < MAX_TEXTS {
            shown.push(text);
        }
    }
    for text in &shown {
        w!(
            out,
            "<p class=\"{class}\"><b>{}:</b> {}</p>\n",
            label.0,
            Esc(text)
        );
    }
    let more = seen.len() - shown.len();
    if more > 0 {
        w!(
            out,
            "<p class=\"{class}\">and {more} other {}</p>\n",
            label.1
        );
    }
}
