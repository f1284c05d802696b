//! `explain`: one pair's path, hop by hop, like a traceroute through security groups, network
//! ACLs and routes. Every text from the snapshot goes through [`inert`].

use std::fmt::Write;

use vpce_reach_model::dns::{self, Answer};
use vpce_reach_model::inert;
use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::{
    Hop, Outcome, PairTrace, Reasons, ServiceTrace, Target, TargetPath, Verdict,
};

/// Renders the trace of one pair.
pub fn render(snap: &Snapshot, trace: &PairTrace, reasons: Reasons) -> String {
    let mut out = String::new();
    let service = snap
        .vpc_endpoints
        .get(&trace.endpoint)
        .map_or("", |e| e.service_name.as_str());
    let _ = writeln!(
        out,
        "{} ({}) -> {} {} {}",
        inert(&trace.workload),
        trace.workload_ip,
        inert(&trace.endpoint),
        inert(service),
        trace.traffic
    );
    dns_lines(&mut out, snap, trace, service);
    let why: Vec<&str> = reasons.iter().map(|r| r.label()).collect();
    let required = if why.is_empty() {
        "not required (no R1-R4 or R7 rule applies)".to_string()
    } else {
        format!("required by {}", why.join(", "))
    };
    let _ = writeln!(out, "pair: {required}");
    across(&mut out, snap, trace);
    // Labels of cross-VPC hops can be longer than the usual column (issue 14).
    let width = trace
        .hops()
        .map(|h| h.kind.label().chars().count())
        .max()
        .unwrap_or(0)
        .max(17);
    for hop in &trace.common {
        line(&mut out, "  ", hop, width);
    }
    for target in &trace.targets {
        let _ = writeln!(
            out,
            "  to {} ({}){}",
            inert(&target.id),
            inert(&target.address),
            target_mark(target)
        );
        for (n, hop) in target.hops.iter().enumerate() {
            line(&mut out, &format!("    {:>2}. ", n + 1), hop, width);
        }
    }
    let verdict = match trace.verdict() {
        Verdict::Reachable => "REACHABLE".to_string(),
        Verdict::Blocked => format!(
            "BLOCKED (reaches {} of {} targets)",
            trace.reached(),
            trace.targets.len()
        ),
        Verdict::Unknown => "UNPROVEN: the snapshot lacks data (see `?` hops)".to_string(),
    };
    let _ = writeln!(out, "verdict: {verdict}");
    out
}

/// What the service's names resolve to from the workload's VPC (docs/spec.md section 10),
/// before the path: which endpoint the workload really uses.
fn dns_lines(out: &mut String, snap: &Snapshot, trace: &PairTrace, service: &str) {
    let gateway = snap
        .vpc_endpoints
        .get(&trace.endpoint)
        .is_some_and(|e| e.vpc_endpoint_type.eq_ignore_ascii_case("gateway"));
    if gateway {
        let _ = writeln!(
            out,
            "dns: a gateway endpoint takes the traffic by route, not by name"
        );
        return;
    }
    if snap.dns.is_empty() {
        let _ = writeln!(
            out,
            "dns: resolution not checked (the snapshot has no Route 53 / DHCP data)"
        );
        return;
    }
    let Some(vpc) = snap
        .network_interfaces
        .get(&trace.workload)
        .map(|e| e.vpc_id.as_str())
    else {
        return;
    };
    // Issue 15, D10: a workload of another VPC asks its own VPC's resolver (the endpoint's
    // private DNS answers only in the endpoint's VPC).
    if let Some(ep_vpc) = snap
        .vpc_endpoints
        .get(&trace.endpoint)
        .map(|e| e.vpc_id.as_str())
        .filter(|v| *v != vpc)
    {
        let _ = writeln!(
            out,
            "dns: resolved from the workload's VPC {} (not from the endpoint's, {})",
            inert(vpc),
            inert(ep_vpc)
        );
    }
    let res = dns::resolve_service(snap, vpc, service);
    for name in &res.names {
        let answer = match &name.answer {
            Answer::Endpoint(e) if *e == trace.endpoint => "this endpoint".to_string(),
            Answer::Endpoint(e) => format!("{e}, not this endpoint"),
            Answer::Forwarded(rule) => format!("forwarded out of Route 53 by {rule}"),
            Answer::NoRecord(zone) => format!("NXDOMAIN in {zone}"),
            Answer::Elsewhere(zone, what) => format!("{what} (record of {zone})"),
            Answer::Public => "public DNS: no endpoint".to_string(),
            Answer::Unproven(gap) => format!("unproven: {}", gap.describe()),
        };
        let _ = writeln!(out, "dns: {} -> {}", inert(&name.name), inert(&answer));
        for step in &name.steps {
            let _ = writeln!(out, "       {}", inert(step));
        }
    }
}

/// After a target: nothing when reachable, `✗` when a hop blocks, `?` when only missing data
/// keeps it from being proven (it is not blocked).
fn target_mark(target: &Target) -> &'static str {
    if target.reachable() {
        ""
    } else if target.hops.iter().any(|h| h.outcome == Outcome::Blocked) {
        "  ✗"
    } else {
        "  ? (unproven)"
    }
}

/// For a workload of another VPC than the endpoint: both VPCs and their owners.
fn across(out: &mut String, snap: &Snapshot, trace: &PairTrace) {
    let from = snap
        .network_interfaces
        .get(&trace.workload)
        .map(|e| e.vpc_id.as_str());
    let to = snap
        .vpc_endpoints
        .get(&trace.endpoint)
        .map(|e| e.vpc_id.as_str());
    let (Some(from), Some(to)) = (from, to) else {
        return;
    };
    if from == to {
        return;
    }
    let owned = |vpc: &str| match snap.vpcs.get(vpc).and_then(|v| v.owner_id.as_deref()) {
        Some(owner) => format!("{} (account {})", inert(vpc), inert(owner)),
        None => inert(vpc).to_string(),
    };
    let _ = writeln!(out, "across VPCs: {} -> {}", owned(from), owned(to));
}

fn line(out: &mut String, indent: &str, hop: &Hop, width: usize) {
    let mark = match hop.outcome {
        Outcome::Allowed => "ok     ",
        Outcome::Blocked => "BLOCKED",
        Outcome::NotCrossed => "-      ",
        Outcome::Unknown => "?      ",
    };
    let text = match hop.outcome {
        Outcome::Blocked | Outcome::Unknown => &*hop.problem,
        Outcome::Allowed | Outcome::NotCrossed => hop.detail.as_str(),
    };
    let text = inert(text);
    let _ = writeln!(out, "{indent}{mark} {:<width$} {text}", hop.kind.label());
    if hop.outcome == Outcome::Blocked {
        let pad = " ".repeat(indent.chars().count());
        let _ = writeln!(out, "{pad}        fix: {}", inert(&hop.fix));
    }
}

/// The provider side of an endpoint service (issue 16): blocked when a finding says so,
/// unproven when data is missing or nothing could be traced.
pub fn service_verdict(trace: &ServiceTrace) -> Verdict {
    let traced = trace.load_balancers.iter().any(|lb| !lb.paths.is_empty());
    if !trace.findings.is_empty() {
        Verdict::Blocked
    } else if !trace.missing.is_empty() || !traced {
        Verdict::Unknown
    } else {
        Verdict::Reachable
    }
}

/// Renders the provider side of an endpoint service: each NLB's nodes, then every listener ->
/// target group -> target path hop by hop, then the findings that are not hops (zones,
/// listeners, health) and what the snapshot lacks.
pub fn render_service(trace: &ServiceTrace) -> String {
    let mut out = String::new();
    let zones = trace.zones.join(", ");
    let _ = writeln!(
        out,
        "{} {} (zones: {})",
        inert(&trace.service),
        inert(&trace.service_name),
        inert(&zones)
    );
    for lb in &trace.load_balancers {
        let _ = writeln!(out, "load balancer {}", inert(&lb.arn));
        let _ = writeln!(out, "  nodes: {}", inert(&lb.nodes.join(", ")));
        let groups = if lb.groups.is_empty() {
            "none (the load balancer filters nothing)".to_string()
        } else {
            lb.groups.join(", ")
        };
        let _ = writeln!(out, "  security groups: {}", inert(&groups));
        for path in &lb.paths {
            target_path(&mut out, path);
        }
    }
    for f in trace.findings.iter().filter(|f| f.direction.is_none()) {
        let _ = writeln!(
            out,
            "{} {}: {}",
            f.code.as_str(),
            inert(&f.component),
            inert(&f.problem)
        );
        let _ = writeln!(out, "        fix: {}", inert(&f.fix));
    }
    for gap in &trace.missing {
        let _ = writeln!(out, "? {}: {}", inert(&gap.resource), inert(&gap.what));
    }
    for note in &trace.notes {
        let _ = writeln!(out, "note: {}", inert(note));
    }
    let verdict = match service_verdict(trace) {
        Verdict::Reachable => "REACHABLE: every target reachable from the load balancer",
        Verdict::Blocked => "BLOCKED (see the findings above)",
        Verdict::Unknown => "UNPROVEN: the snapshot lacks data (see `?` lines)",
    };
    let _ = writeln!(out, "verdict: {verdict}");
    out
}

/// One listener -> target group -> target path, its traffic hops then its health checks'.
fn target_path(out: &mut String, path: &TargetPath) {
    let blocked = path
        .hops
        .iter()
        .chain(&path.health_hops)
        .any(|h| h.outcome == Outcome::Blocked);
    let _ = writeln!(
        out,
        "  {} -> {} -> {} ({} {}, {}){}",
        inert(&path.listener),
        inert(&path.target_group),
        inert(&path.target),
        inert(&path.eni),
        inert(&path.address),
        inert(&path.health),
        if blocked { "  ✗" } else { "" }
    );
    let _ = writeln!(out, "    from {}", inert(&path.senders.join(", ")));
    let width = 17;
    for (n, hop) in path.hops.iter().enumerate() {
        line(out, &format!("    {:>2}. ", n + 1), hop, width);
    }
    if let Some(health) = &path.health_traffic {
        let _ = writeln!(out, "    health checks {}, from every node:", inert(health));
        for (n, hop) in path.health_hops.iter().enumerate() {
            line(out, &format!("    {:>2}. ", n + 1), hop, width);
        }
    }
}
