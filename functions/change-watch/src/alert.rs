//! Keeps the findings (of the VPCs a batch of changes touched) that involve the changed
//! resources, and renders one alert per VPC: who, what, which workloads lose which endpoints,
//! the finding codes and the smallest fix.

use std::collections::{BTreeMap, BTreeSet};

use vpce_reach_model::short_service_name;
use vpce_reach_model::snapshot::Snapshot;
use vpce_reach_model::Report;
use vpce_reach_model::{Finding, FindingCode};

use crate::changes::{Change, ResourceKind};

/// SNS takes subjects "less than 100 characters long", ASCII, without line breaks; e-mail
/// clients show about that much.
pub const MAX_SUBJECT: usize = 99;
/// Findings listed in full in one alert; the rest are counted, to keep e-mails readable. The
/// message's size is capped besides, in bytes ([`crate::fit`]).
const MAX_LISTED: usize = 25;
/// Change lines listed in one alert (a CloudFormation deploy can make hundreds).
const MAX_CHANGES: usize = 20;
/// Principals listed in one alert (a batch can hold changes by many people or sessions).
const MAX_PRINCIPALS: usize = 20;

/// The resources a set of changes touched, widened with what they imply in the snapshot: the
/// security groups and route tables that use a changed prefix list, and the load balancers
/// behind a changed listener, target group or endpoint service (provider findings name their
/// load balancer as source: docs/spec.md section 11).
pub fn changed_resources(snap: &Snapshot, changes: &[&Change]) -> BTreeSet<String> {
    let mut changed: BTreeSet<String> = changes
        .iter()
        .flat_map(|c| c.resources.iter().cloned())
        .collect();
    let load_balancers = provider_load_balancers(snap, &changed);
    changed.extend(load_balancers);
    let lists: Vec<String> = changed
        .iter()
        .filter(|id| ResourceKind::of(id) == Some(ResourceKind::PrefixList))
        .cloned()
        .collect();
    for list in &lists {
        for sg in snap.security_groups.values() {
            let rules = sg.ip_permissions.iter().chain(&sg.ip_permissions_egress);
            if rules
                .flat_map(|p| &p.prefix_list_ids)
                .any(|p| &p.prefix_list_id == list)
            {
                changed.insert(sg.group_id.clone());
            }
        }
        for rt in snap.route_tables.values() {
            if rt
                .routes
                .iter()
                .any(|r| r.destination_prefix_list_id.as_ref() == Some(list))
            {
                changed.insert(rt.route_table_id.clone());
            }
        }
    }
    changed
}

/// The load balancers a changed listener (its ARN names it), target group (the listeners
/// forwarding to it) or endpoint service (its NLBs) stands for.
fn provider_load_balancers(snap: &Snapshot, changed: &BTreeSet<String>) -> Vec<String> {
    let elb = &snap.elb;
    let mut out = Vec::new();
    for id in changed {
        match ResourceKind::of(id) {
            Some(ResourceKind::Listener) => {
                out.extend(vpce_reach_aws::load_balancers::listener_load_balancer(id));
            }
            Some(ResourceKind::TargetGroup) => out.extend(
                elb.listeners
                    .values()
                    .filter(|l| l.target_groups().contains(&id.as_str()))
                    .filter_map(|l| l.load_balancer_arn.clone()),
            ),
            Some(ResourceKind::EndpointService) => out.extend(
                elb.services
                    .get(id)
                    .into_iter()
                    .flat_map(|s| s.network_load_balancer_arns.iter().cloned()),
            ),
            _ => {}
        }
    }
    out
}

/// The VPCs a finding concerns: its endpoint's, its workload's (another VPC's, for a pair
/// across a transit gateway or peering) and its component's, and for a provider finding its
/// load balancer's. An alert for any of them lists it: a spoke's change that breaks its path
/// to a hub endpoint alerts the spoke.
pub fn finding_vpcs<'a>(snap: &'a Snapshot, f: &'a Finding) -> Vec<&'a str> {
    let endpoint = f
        .endpoint
        .as_deref()
        .and_then(|id| snap.vpc_endpoints.get(id))
        .map(|ep| ep.vpc_id.as_str());
    let workload = f
        .source
        .as_deref()
        .and_then(|id| snap.network_interfaces.get(id))
        .map(|eni| eni.vpc_id.as_str());
    let component = snap.vpcs.get(&*f.component).map(|v| v.vpc_id.as_str());
    let load_balancer = f
        .source
        .as_deref()
        .and_then(|arn| snap.elb.load_balancers.get(arn))
        .and_then(|lb| lb.vpc_id.as_deref());
    let mut vpcs: Vec<&str> = Vec::new();
    for vpc in [endpoint, workload, component, load_balancer]
        .into_iter()
        .flatten()
    {
        if !vpcs.contains(&vpc) {
            vpcs.push(vpc);
        }
    }
    vpcs
}

/// The findings of `vpc_id` that involve a changed resource: the finding blames it or is
/// about it, or the blocked pair's path runs through it (the workload's ENI, groups, subnet,
/// NACL or route table; the endpoint's ENIs, groups, subnets or their NACLs).
pub fn involved<'a>(
    snap: &Snapshot,
    report: &'a Report,
    vpc_id: &str,
    changed: &BTreeSet<String>,
) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| finding_vpcs(snap, f).contains(&vpc_id) || names_vpc(f, vpc_id))
        .filter(|f| involves(snap, f, changed))
        .collect()
}

/// The DNS codes (docs/spec.md section 10), and those DNS decides with DNS data.
fn is_dns_code(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::DnsZoneNotAssociated
            | FindingCode::DnsRecordMissing
            | FindingCode::DnsRecordMismatch
            | FindingCode::DnsForwardedElsewhere
            | FindingCode::DnsNotAmazonProvided
            | FindingCode::VpcDnsDisabled
            | FindingCode::PrivateDnsDisabled
            | FindingCode::NoEndpointForService
    )
}

/// A VPC-level DNS finding (no workload, no endpoint) blames a zone, a rule or an option set
/// that may serve several VPCs; the VPC it is about is named only in its text.
fn names_vpc(f: &Finding, vpc_id: &str) -> bool {
    f.source.is_none() && f.endpoint.is_none() && is_dns_code(f.code) && f.problem.contains(vpc_id)
}

/// True when a change touched what a VPC's names resolve to: a hosted zone, a Resolver rule,
/// a DHCP option set.
fn dns_changed(changed: &BTreeSet<String>) -> bool {
    changed.iter().any(|id| {
        matches!(
            ResourceKind::of(id),
            Some(ResourceKind::HostedZone | ResourceKind::ResolverRule | ResourceKind::DhcpOptions)
        )
    })
}

fn involves(snap: &Snapshot, f: &Finding, changed: &BTreeSet<String>) -> bool {
    let touched = |id: &str| changed.contains(id);
    // A DNS change can move a name to another answer without naming the finding's component
    // (a record changed in a zone that now loses to a rule, say).
    (dns_changed(changed) && is_dns_code(f.code))
        || touched(&f.component)
        || f.endpoint.as_deref().is_some_and(|ep| touched(ep) || endpoint_touched(snap, ep, changed))
        || f.source.as_deref().is_some_and(|eni| touched(eni) || workload_touched(snap, eni, changed))
        // A deleted or modified endpoint is why a VPC can lack one for a required service.
        || (f.code == FindingCode::NoEndpointForService
            && changed.iter().any(|id| ResourceKind::of(id) == Some(ResourceKind::VpcEndpoint)))
}

/// True when the subnet, or the NACL or route table it uses, changed.
fn subnet_touched(snap: &Snapshot, subnet: &str, changed: &BTreeSet<String>) -> bool {
    changed.contains(subnet)
        || snap
            .index
            .subnet_acl
            .get(subnet)
            .is_some_and(|acl| changed.contains(acl))
        || snap
            .index
            .subnet_route_table
            .get(subnet)
            .is_some_and(|rt| changed.contains(&rt.route_table_id))
}

fn workload_touched(snap: &Snapshot, eni_id: &str, changed: &BTreeSet<String>) -> bool {
    let Some(eni) = snap.network_interfaces.get(eni_id) else {
        return false;
    };
    eni.groups.iter().any(|g| changed.contains(&g.group_id))
        || subnet_touched(snap, &eni.subnet_id, changed)
}

fn endpoint_touched(snap: &Snapshot, ep_id: &str, changed: &BTreeSet<String>) -> bool {
    let Some(ep) = snap.vpc_endpoints.get(ep_id) else {
        return false;
    };
    ep.groups.iter().any(|g| changed.contains(&g.group_id))
        || ep.route_table_ids.iter().any(|rt| changed.contains(rt))
        || ep.network_interface_ids.iter().any(|eni| {
            changed.contains(eni)
                || snap.network_interfaces.get(eni).is_some_and(|e| {
                    e.groups.iter().any(|g| changed.contains(&g.group_id))
                        || subnet_touched(snap, &e.subnet_id, changed)
                })
        })
}

/// The alert of one VPC, or `None` when no finding involves the changes (nothing broke).
pub fn for_vpc(
    snap: &Snapshot,
    report: &Report,
    vpc_id: &str,
    changes: &[&Change],
) -> Option<Alert> {
    let changed = changed_resources(snap, changes);
    let findings = involved(snap, report, vpc_id, &changed);
    if findings.is_empty() {
        return None;
    }
    Some(render(snap, vpc_id, changes, &findings))
}

/// One alert, ready for SNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The VPC it is about.
    pub vpc_id: String,
    /// At most [`MAX_SUBJECT`] ASCII characters, no line breaks.
    pub subject: String,
    /// Plain text, for e-mail and chat; at most [`crate::fit::MAX_MESSAGE_BYTES`] bytes.
    pub message: String,
}

/// Renders the alert of one VPC; `findings` is not empty.
pub fn render(snap: &Snapshot, vpc_id: &str, changes: &[&Change], findings: &[&Finding]) -> Alert {
    let mut message = String::new();
    let (account, region) = changes
        .first()
        .map(|c| (c.account.as_str(), c.region.as_str()))
        .unwrap_or_default();
    push_line(
        &mut message,
        format_args!(
            "A change broke VPC endpoint paths in {vpc_id} (account {account}, {region})."
        ),
    );
    message.push('\n');
    write_who(&mut message, changes);
    write_what(&mut message, changes);
    write_blocked(&mut message, snap, findings);
    write_findings(&mut message, snap, findings);
    message.push_str(
        "\nOnly findings that involve the changed resources are listed. The AWS Config rule of \
         vpce-reach reports the whole VPC.\n",
    );
    Alert {
        vpc_id: vpc_id.to_owned(),
        subject: subject(vpc_id, changes, findings.len()),
        message: crate::fit::fit_message(&message),
    }
}

/// E.g. `vpce-reach: 2 findings in vpc-0abc after RevokeSecurityGroupEgress by alice`.
pub fn subject(vpc_id: &str, changes: &[&Change], findings: usize) -> String {
    let names = distinct(changes.iter().map(|c| c.event_name.as_str()));
    let event = match names.len() {
        0 | 1 => names.first().copied().unwrap_or("a change").to_owned(),
        n => format!("{} +{} more", names[0], n - 1),
    };
    let who = distinct(changes.iter().map(|c| short_principal(&c.who)));
    let by = match who.len() {
        1 => format!(" by {}", who[0]),
        _ => String::new(),
    };
    let plural = if findings == 1 { "" } else { "s" };
    sanitize_subject(&format!(
        "vpce-reach: {findings} finding{plural} in {vpc_id} after {event}{by}"
    ))
}

/// ASCII only, one line, at most [`MAX_SUBJECT`] characters (cut with `...`).
pub fn sanitize_subject(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.len() <= MAX_SUBJECT {
        return clean;
    }
    format!("{}...", &clean[..MAX_SUBJECT - 3])
}

/// The last part of an ARN (the session or user name), without the `via service` suffix.
fn short_principal(who: &str) -> &str {
    let principal = who.split(" via ").next().unwrap_or(who);
    principal
        .rsplit(['/', ':'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(principal)
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

fn write_who(out: &mut String, changes: &[&Change]) {
    out.push_str("Who:\n");
    let who = distinct(changes.iter().map(|c| c.who.as_str()));
    for principal in who.iter().take(MAX_PRINCIPALS) {
        push_line(out, format_args!("  {principal}"));
    }
    more(out, who.len(), MAX_PRINCIPALS, "principals");
}

fn write_what(out: &mut String, changes: &[&Change]) {
    out.push_str("\nWhat:\n");
    for c in changes.iter().take(MAX_CHANGES) {
        push_line(
            out,
            format_args!(
                "  {} {} {}",
                c.event_time,
                c.event_name,
                c.resources
                    .iter()
                    .map(|id| component_label(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    more(out, changes.len(), MAX_CHANGES, "changes");
}

/// A changed resource as the alert names it: the provider side's by kind (their ARNs and
/// `vpce-svc-` ids do not say what they are), the others by id.
fn component_label(id: &str) -> String {
    let kind = match ResourceKind::of(id) {
        Some(ResourceKind::LoadBalancer) => "load balancer",
        Some(ResourceKind::Listener) => "listener",
        Some(ResourceKind::TargetGroup) => "target group",
        Some(ResourceKind::EndpointService) => "endpoint service",
        _ => return id.to_owned(),
    };
    format!("{kind} {id}")
}

/// Which workloads lose which endpoints (pair findings), and endpoint-level problems.
fn write_blocked(out: &mut String, snap: &Snapshot, findings: &[&Finding]) {
    let mut lost: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in findings {
        // A provider finding's source is a load balancer, not a workload.
        if f.source
            .as_deref()
            .is_some_and(|s| snap.elb.load_balancers.contains_key(s))
        {
            continue;
        }
        if let (Some(w), Some(ep)) = (&f.source, &f.endpoint) {
            lost.entry(w).or_default().insert(ep);
        }
    }
    if lost.is_empty() {
        return;
    }
    out.push_str("\nWorkloads that cannot reach their endpoints:\n");
    for (i, (workload, endpoints)) in lost.iter().enumerate() {
        if i == MAX_LISTED {
            more(out, lost.len(), MAX_LISTED, "workloads");
            break;
        }
        let labels: Vec<String> = endpoints
            .iter()
            .map(|ep| endpoint_label(snap, ep))
            .collect();
        push_line(
            out,
            format_args!(
                "  {} -> {}",
                workload_label(snap, workload),
                labels.join(", ")
            ),
        );
    }
}

fn write_findings(out: &mut String, snap: &Snapshot, findings: &[&Finding]) {
    out.push_str("\nFindings and the smallest fix:\n");
    for f in findings.iter().take(MAX_LISTED) {
        let direction = f
            .direction
            .map(|d| format!(" ({})", d.as_str()))
            .unwrap_or_default();
        // A component of another account (issue 14): named, since the fix is made there.
        let account = f
            .account
            .as_deref()
            .map(|a| format!(" (account {a})"))
            .unwrap_or_default();
        push_line(
            out,
            format_args!("  {} {}{account}{direction}", f.code.as_str(), f.component),
        );
        match (&f.source, &f.endpoint) {
            (Some(w), Some(ep)) => {
                push_line(
                    out,
                    format_args!(
                        "    {w} -> {} {}: {}",
                        endpoint_label(snap, ep),
                        f.traffic,
                        f.problem
                    ),
                );
            }
            _ => {
                push_line(out, format_args!("    {}", f.problem));
            }
        }
        push_line(out, format_args!("    Fix: {}", f.fix));
    }
    more(out, findings.len(), MAX_LISTED, "findings");
}

/// Appends one line of the message. Every line quotes text from CloudTrail or the snapshot
/// (principals, ids, Name tags, descriptions): it is made inert, so a crafted value (a tag with
/// a newline, say) cannot add lines to the e-mail or drive a terminal.
fn push_line(out: &mut String, line: std::fmt::Arguments<'_>) {
    out.push_str(&vpce_reach_model::inert(&line.to_string()));
    out.push('\n');
}

fn more(out: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        push_line(out, format_args!("  ... and {} more {what}", total - shown));
    }
}

/// `vpce-0abc (ssm)`.
fn endpoint_label(snap: &Snapshot, ep: &str) -> String {
    match snap.vpc_endpoints.get(ep) {
        Some(raw) => format!("{ep} ({})", short_service_name(&raw.service_name)),
        None => ep.to_owned(),
    }
}

/// `eni-0abc (10.0.1.10, subnet-0def, "web-1")`: the address and the Name tag help people
/// recognise the workload.
fn workload_label(snap: &Snapshot, eni_id: &str) -> String {
    let Some(eni) = snap.network_interfaces.get(eni_id) else {
        return eni_id.to_owned();
    };
    let mut parts: Vec<String> = snap
        .primary_ip(eni)
        .map(|ip| ip.to_string())
        .into_iter()
        .collect();
    parts.push(eni.subnet_id.clone());
    if let Some(name) = eni.tag_set.iter().find(|t| t.key == "Name") {
        parts.push(format!("\"{}\"", name.value));
    }
    format!("{eni_id} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vpce_reach_model::snapshot::load;
    use vpce_reach_model::RuleParameters;

    fn change(name: &str, who: &str, resources: &[&str]) -> Change {
        Change {
            message_id: "m".into(),
            event_name: name.into(),
            event_time: "2025-03-04T10:00:00Z".into(),
            who: who.into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A workload whose only egress rule was revoked, and an SSM endpoint that admits the VPC.
    fn broken_snapshot() -> Snapshot {
        let docs = vec![
            (
                "vpcs".to_owned(),
                json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}),
            ),
            (
                "subnets".to_owned(),
                json!({"Subnets": [
                {"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
                {"SubnetId": "subnet-b", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}]}),
            ),
            (
                "rt".to_owned(),
                json!({"RouteTables": [{"RouteTableId": "rtb-main", "VpcId": "vpc-1",
                "Associations": [{"Main": true}],
                "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]}]}),
            ),
            (
                "acl".to_owned(),
                json!({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true,
                "Associations": [], "Entries": [
                    {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
                    {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}]}),
            ),
            (
                "sg".to_owned(),
                json!({"SecurityGroups": [
                {"GroupId": "sg-w", "GroupName": "w", "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": []},
                {"GroupId": "sg-e", "GroupName": "e", "VpcId": "vpc-1", "IpPermissionsEgress": [], "IpPermissions": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]}]}),
            ),
            (
                "eni".to_owned(),
                json!({"NetworkInterfaces": [
                {"NetworkInterfaceId": "eni-w", "InterfaceType": "interface", "SubnetId": "subnet-a", "VpcId": "vpc-1",
                    "PrivateIpAddress": "10.0.1.10", "Groups": [{"GroupId": "sg-w"}], "Status": "in-use",
                    "TagSet": [{"Key": "Name", "Value": "web-1"}]},
                {"NetworkInterfaceId": "eni-e", "InterfaceType": "vpc_endpoint", "SubnetId": "subnet-b", "VpcId": "vpc-1",
                    "PrivateIpAddress": "10.0.2.20", "Groups": [{"GroupId": "sg-e"}], "Status": "in-use"}]}),
            ),
            (
                "vpce".to_owned(),
                json!({"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface",
                "VpcId": "vpc-1", "ServiceName": "com.amazonaws.eu-west-1.ssm", "State": "available",
                "Groups": [{"GroupId": "sg-e", "GroupName": "e"}], "SubnetIds": ["subnet-b"],
                "NetworkInterfaceIds": ["eni-e"], "PrivateDnsEnabled": true}]}),
            ),
        ];
        load::from_documents(docs).unwrap()
    }

    /// Issue 14: the demo's spoke (account 111122223333) reaches a hub endpoint of the network
    /// account (444455556666) whose route table lacks the return route. A change to the spoke's
    /// workload alerts the spoke's VPC with that finding, naming the network account.
    #[test]
    fn a_spoke_change_alerts_the_spoke_naming_the_other_accounts_component() {
        let dir = vpce_reach_testkit::workspace_root().join("events/demo");
        let snap = load::load_dir(&dir).unwrap();
        let mut report = vpce_reach_model::check(&snap, &RuleParameters::default());
        let caller: vpce_reach_model::AccountId = "111122223333".parse().unwrap();
        vpce_reach_model::name_accounts(&snap, &mut report, &caller);
        let workload = "eni-0b5d9f3a1e7c2468d";
        let spoke = snap.network_interfaces[workload].vpc_id.clone();
        let c = change(
            "ModifyNetworkInterfaceAttribute",
            "arn:aws:iam::111122223333:user/alice",
            &[workload],
        );
        let alert = for_vpc(&snap, &report, &spoke, &[&c]).expect("the spoke is alerted");
        assert!(
            alert
                .message
                .contains("NO_ROUTE_TO_DESTINATION rtb-0a6c2e8f4b1d9357c (account 444455556666)"),
            "{}",
            alert.message
        );
    }

    /// Issue 15: the demo's spoke C has no endpoint and the network account's STS zone is not
    /// associated with it: a change to that zone alerts C's VPC with DNS_ZONE_NOT_ASSOCIATED,
    /// which names C only in its text.
    #[test]
    fn a_zone_change_alerts_the_vpcs_its_dns_findings_name() {
        let dir = vpce_reach_testkit::workspace_root().join("events/demo");
        let snap = load::load_dir(&dir).unwrap();
        let params = RuleParameters::from_pairs([("RequiredServices", "sts")]).unwrap();
        let report = vpce_reach_model::check(&snap, &params);
        let zone = "Z0931842C7RTP5HUB3STS";
        let finding = report
            .findings
            .iter()
            .find(|f| f.code == FindingCode::DnsZoneNotAssociated && &*f.component == zone)
            .expect("the demo's unassociated zone");
        let vpc = snap
            .vpcs
            .keys()
            .find(|v| {
                finding.problem.contains(v.as_str())
                    && !finding.problem.contains(&format!("from {v}"))
            })
            .expect("the finding names its VPC")
            .clone();
        let c = change(
            "ChangeResourceRecordSets",
            "arn:aws:iam::444455556666:user/bob",
            &[zone],
        );
        let alert = for_vpc(&snap, &report, &vpc, &[&c]).expect("the VPC is alerted");
        assert!(
            alert
                .message
                .contains(&format!("DNS_ZONE_NOT_ASSOCIATED {zone}")),
            "{}",
            alert.message
        );
        // A change elsewhere (a security group) does not make the DNS finding its own.
        let other = change(
            "RevokeSecurityGroupEgress",
            "arn:aws:iam::1:user/x",
            &["sg-0nothing"],
        );
        let unrelated = for_vpc(&snap, &report, &vpc, &[&other]);
        assert!(
            unrelated
                .as_ref()
                .is_none_or(|a| !a.message.contains("DNS_ZONE_NOT_ASSOCIATED")),
            "{unrelated:?}"
        );
    }

    #[test]
    fn keeps_findings_on_changed_paths_only() {
        let snap = broken_snapshot();
        let report = vpce_reach_model::check(&snap, &RuleParameters::default());
        assert!(!report.findings.is_empty(), "{:?}", report.findings);
        let on = |ids: &[&str]| {
            let changed = ids.iter().map(|s| s.to_string()).collect();
            involved(&snap, &report, "vpc-1", &changed).len()
        };
        assert!(on(&["sg-w"]) > 0, "the workload's group");
        assert!(on(&["acl-1"]) > 0, "the workload subnet's NACL");
        assert!(
            on(&["rtb-main"]) > 0,
            "the main route table the subnet falls back to"
        );
        assert!(on(&["eni-e"]) > 0, "an endpoint ENI");
        assert_eq!(on(&["sg-other", "acl-other"]), 0);
        let changed = ["sg-w".to_string()].into();
        assert!(
            involved(&snap, &report, "vpc-2", &changed).is_empty(),
            "another VPC"
        );
    }

    /// A Name tag (anyone with ec2:CreateTags writes it) and a principal with line breaks and
    /// an ANSI escape add no line to the e-mail and reach it inert.
    #[test]
    fn untrusted_text_cannot_add_lines_to_the_alert() {
        let mut snap = broken_snapshot();
        let eni = snap
            .network_interfaces
            .get_mut("eni-w")
            .expect("the demo workload");
        let name = eni.tag_set.iter_mut().find(|t| t.key == "Name");
        name.expect("a Name tag").value = "web-1\nFix: delete the VPC\u{1b}[2J".into();
        let report = vpce_reach_model::check(&snap, &RuleParameters::default());
        let c = change(
            "RevokeSecurityGroupEgress",
            "mallory\r\nWho: root",
            &["sg-w"],
        );
        let changes = [&c];
        let changed = changed_resources(&snap, &changes);
        let findings = involved(&snap, &report, "vpc-1", &changed);
        let alert = render(&snap, "vpc-1", &changes, &findings);
        let m = &alert.message;
        assert!(!m.contains('\u{1b}') && !m.contains('\r'), "{m}");
        assert!(!m.lines().any(|l| l.starts_with("Fix: delete")), "{m}");
        assert!(!m.lines().any(|l| l.starts_with("Who: root")), "{m}");
        assert!(m.contains("web-1"), "{m}");
    }

    #[test]
    fn renders_who_what_workloads_codes_and_fix() {
        let snap = broken_snapshot();
        let report = vpce_reach_model::check(&snap, &RuleParameters::default());
        let c = change(
            "RevokeSecurityGroupEgress",
            "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            &["sg-w"],
        );
        let changes = [&c];
        let changed = changed_resources(&snap, &changes);
        let findings = involved(&snap, &report, "vpc-1", &changed);
        let alert = render(&snap, "vpc-1", &changes, &findings);
        assert_eq!(
            alert.subject,
            "vpce-reach: 1 finding in vpc-1 after RevokeSecurityGroupEgress by alice"
        );
        let m = &alert.message;
        assert!(
            m.contains("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
            "{m}"
        );
        assert!(m.contains("RevokeSecurityGroupEgress sg-w"), "{m}");
        assert!(
            m.contains("eni-w (10.0.1.10, subnet-a, \"web-1\") -> vpce-1 (ssm)"),
            "{m}"
        );
        assert!(m.contains("ENI_SG_RULES_MISMATCH sg-w (egress)"), "{m}");
        assert!(m.contains("Fix: "), "{m}");
    }

    #[test]
    fn a_missing_required_service_involves_endpoint_changes() {
        let snap = broken_snapshot();
        let params = RuleParameters::from_pairs([("RequiredServices", "ssm,s3")]).unwrap();
        let report = vpce_reach_model::check(&snap, &params);
        let changed = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
        let codes = |ids: &[&str]| -> Vec<FindingCode> {
            involved(&snap, &report, "vpc-1", &changed(ids))
                .iter()
                .map(|f| f.code)
                .collect()
        };
        assert!(codes(&["vpce-deleted"]).contains(&FindingCode::NoEndpointForService));
        assert!(!codes(&["acl-other"]).contains(&FindingCode::NoEndpointForService));
    }

    #[test]
    fn prefix_list_changes_reach_their_users() {
        let mut snap = broken_snapshot();
        let sg = snap.security_groups.get_mut("sg-w").unwrap();
        sg.ip_permissions_egress = serde_json::from_value(json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-corp"}]}]))
        .unwrap();
        let c = change("ModifyManagedPrefixList", "bob", &["pl-corp"]);
        let changed = changed_resources(&snap, &[&c]);
        assert!(changed.contains("sg-w"), "{changed:?}");
    }

    /// Issue 13.11: findings with very long texts and a batch by hundreds of principals still
    /// make a message SNS accepts (at most 256 KB), cut at lines and characters, saying what
    /// it left out. Uncut, this one would be about 1.3 MB.
    #[test]
    fn an_alert_always_fits_sns() {
        use crate::fit::{MAX_LINE_BYTES, MAX_MESSAGE_BYTES};
        let snap = broken_snapshot();
        let report = vpce_reach_model::check(&snap, &RuleParameters::default());
        let one = report.findings[0].clone();
        // An odd count of ASCII bytes before the 2-byte characters: byte cuts would split one.
        let long = |what: &str, i: usize| -> std::sync::Arc<str> {
            format!("{what} {i} x{}", "é".repeat(20_000)).into()
        };
        let findings: Vec<Finding> = (0..30)
            .map(|i| Finding {
                component: long("sg-w", i),
                problem: long("no egress", i),
                fix: long("allow egress", i),
                ..one.clone()
            })
            .collect();
        let findings: Vec<&Finding> = findings.iter().collect();
        let role = "R".repeat(1_500);
        let changes: Vec<Change> = (0..300)
            .map(|i| {
                let who = format!("arn:aws:sts::111122223333:assumed-role/{role}/session-{i}");
                change("RevokeSecurityGroupEgress", &who, &["sg-w"])
            })
            .collect();
        let changes: Vec<&Change> = changes.iter().collect();
        let alert = render(&snap, "vpc-1", &changes, &findings);
        let m = &alert.message;
        assert!(m.len() <= MAX_MESSAGE_BYTES, "{} bytes", m.len());
        assert!(m.lines().all(|l| l.len() <= MAX_LINE_BYTES));
        assert!(
            m.starts_with("A change broke VPC endpoint paths in vpc-1"),
            "{m:.200}"
        );
        assert!(m.contains("session-19\n  ... and 280 more principals\n"));
        // A cut line keeps a prefix of its text, whole characters only, and counts the rest.
        let cut = m
            .lines()
            .find(|l| l.contains("no egress 0 x"))
            .expect("the first finding");
        let (kept, rest) = cut.split_once(" ... ").expect("cut");
        assert!(
            kept.ends_with('é') && rest.ends_with(" more bytes"),
            "{rest}"
        );
        let last = m.lines().last().unwrap();
        assert!(
            last.starts_with("... ") && last.contains("more lines not shown"),
            "{last}"
        );
        assert!(alert.subject.len() <= MAX_SUBJECT && alert.subject.is_ascii());
    }

    #[test]
    fn subjects_are_short_ascii_single_lines() {
        let a = change(
            "ReplaceNetworkAclAssociationWithAVeryLongNameIndeed",
            "arn:aws:iam::1:user/bob",
            &[],
        );
        let b = change("CreateRoute", "arn:aws:iam::1:user/carol", &[]);
        let s = subject("vpc-0123456789abcdef0", &[&a, &b, &a], 12345);
        assert!(
            s.len() <= MAX_SUBJECT && s.is_ascii() && !s.contains('\n'),
            "{s}"
        );
        assert!(
            s.starts_with(
                "vpce-reach: 12345 findings in vpc-0123456789abcdef0 after ReplaceNetworkAcl"
            ),
            "{s}"
        );
        assert!(!s.contains(" by "), "two principals: {s}");
        assert_eq!(sanitize_subject("a\u{e9}\nb\tc"), "a b c");
        assert_eq!(sanitize_subject(&"x".repeat(150)).len(), MAX_SUBJECT);
        assert_eq!(
            short_principal(
                "arn:aws:sts::1:assumed-role/Deploy/ci via cloudformation.amazonaws.com"
            ),
            "ci"
        );
    }
}
