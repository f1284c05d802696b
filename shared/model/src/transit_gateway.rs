//! Transit gateways (docs/spec.md section 2, facts T1-T9): which attachment a VPC has on a TGW,
//! which TGW route table an attachment is associated with, where a TGW route table sends an
//! address (longest prefix; static routes before prefix-list references before propagated
//! ones), and whether security-group references work across the TGW.
//!
//! Every answer distinguishes "the snapshot says no" from "the snapshot does not say": the
//! second is missing data (`Err` with what is missing), never a verdict.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::addr_family::{AddrFamily, V4, V6};
use crate::snapshot::{DescribeCall, Snapshot, TransitGatewayRoute, TransitGatewayVpcAttachment};

/// How a TGW route came to be: on equal prefix length the lower kind wins (T5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TgwRouteKind {
    /// Written by someone (`Type: static`).
    Static,
    /// From a prefix-list reference of the route table.
    PrefixList,
    /// Propagated by an attachment.
    Propagated,
}

impl TgwRouteKind {
    fn word(self) -> &'static str {
        match self {
            TgwRouteKind::Static => "static",
            TgwRouteKind::PrefixList => "prefix-list",
            TgwRouteKind::Propagated => "propagated",
        }
    }
}

/// One IPv4 route of a TGW route table.
pub(crate) type TgwRouteMatch = TgwRouteMatchOf<V4>;
/// One IPv6 route of a TGW route table (docs/spec.md V12).
pub(crate) type TgwRouteMatch6 = TgwRouteMatchOf<V6>;

/// One route of a TGW route table of family `F`, its destination a single CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TgwRouteMatchOf<F: AddrFamily> {
    /// The destination.
    pub cidr: F::Net,
    /// The target attachment (none for a blackhole route).
    pub attachment: Option<String>,
    /// True for a blackhole route: the TGW drops the traffic.
    pub blackhole: bool,
    /// Static, prefix-list or propagated.
    pub kind: TgwRouteKind,
}

impl<F: AddrFamily> std::fmt::Display for TgwRouteMatchOf<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let target = self.attachment.as_deref().unwrap_or("nothing");
        let cidr = F::route_text(self.cidr);
        write!(f, "{cidr} -> {target} ({}", self.kind.word())?;
        if self.blackhole {
            f.write_str(", blackhole")?;
        }
        f.write_str(")")
    }
}

/// "The snapshot lacks `call`": the text of a missing-data hop.
pub(crate) fn lacks(call: DescribeCall) -> String {
    format!("the snapshot has no {} output", call.command())
}

/// The attachment of `vpc` on `tgw` (T1), if the snapshot has the VPC attachments. A deleted
/// attachment is no attachment.
pub(crate) fn vpc_attachment<'a>(
    snap: &'a Snapshot,
    tgw: &str,
    vpc: &str,
) -> Result<Option<&'a TransitGatewayVpcAttachment>, String> {
    if !snap
        .coverage
        .has(DescribeCall::TransitGatewayVpcAttachments)
    {
        return Err(lacks(DescribeCall::TransitGatewayVpcAttachments));
    }
    Ok(snap.tgw_vpc_attachments.values().find(|a| {
        a.transit_gateway_id == tgw
            && a.vpc_id == vpc
            && !matches!(a.state.as_deref(), Some("deleted" | "deleting"))
    }))
}

/// True when the attachment can carry traffic (`available`; also `modifying`, which keeps
/// forwarding while options change).
pub(crate) fn attachment_available(a: &TransitGatewayVpcAttachment) -> bool {
    matches!(
        a.state.as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("available" | "modifying")
    )
}

/// The attachment's subnet in Availability Zone `az` (T2), `Err` when a subnet's zone is not
/// in the snapshot.
pub(crate) fn subnet_in_az<'a>(
    snap: &Snapshot,
    a: &'a TransitGatewayVpcAttachment,
    az: &str,
) -> Result<Option<&'a str>, String> {
    for subnet in &a.subnet_ids {
        match snap
            .subnets
            .get(subnet)
            .and_then(|s| s.availability_zone.as_deref())
        {
            Some(zone) if zone == az => return Ok(Some(subnet)),
            Some(_) => {}
            None => {
                return Err(format!(
                    "the Availability Zone of {subnet} ({} subnet) is not in the snapshot",
                    a.transit_gateway_attachment_id
                ))
            }
        }
    }
    Ok(None)
}

/// The Availability Zone of a subnet.
pub(crate) fn zone_of<'a>(snap: &'a Snapshot, subnet: &str) -> Result<&'a str, String> {
    snap.subnets
        .get(subnet)
        .and_then(|s| s.availability_zone.as_deref())
        .ok_or_else(|| format!("the Availability Zone of {subnet} is not in the snapshot"))
}

/// The TGW route table the attachment is associated with (T3): `Ok(None)` when it has none.
pub(crate) fn association(snap: &Snapshot, attachment: &str) -> Result<Option<String>, String> {
    if !snap.coverage.has(DescribeCall::TransitGatewayAttachments) {
        return Err(lacks(DescribeCall::TransitGatewayAttachments));
    }
    let Some(a) = snap.tgw_attachments.get(attachment) else {
        return Err(format!(
            "{attachment} is not in the describe-transit-gateway-attachments output"
        ));
    };
    Ok(a.association
        .as_ref()
        .filter(|s| {
            matches!(
                s.state.as_deref(),
                None | Some("associated" | "associating")
            )
        })
        .map(|s| s.transit_gateway_route_table_id.clone()))
}

/// Where a family's TGW routes come from: the destination of a route, and what a VPC
/// attachment's propagation installs.
pub(crate) trait TgwFamily: AddrFamily {
    /// The route's destination of this family.
    fn destination(route: &TransitGatewayRoute) -> Option<Self::Net>;
    /// The CIDRs an enabled propagation of `attachment` (of `vpc`) into `table` installs;
    /// `Err` names what the snapshot lacks to say.
    fn propagated(
        snap: &Snapshot,
        attachment: &str,
        vpc: &str,
        table: &str,
    ) -> Result<Vec<Self::Net>, String>;
}

impl TgwFamily for V4 {
    fn destination(route: &TransitGatewayRoute) -> Option<Ipv4Net> {
        route.destination_cidr_block
    }
    /// The VPC's (primary) CIDR (T4).
    fn propagated(
        snap: &Snapshot,
        _attachment: &str,
        vpc: &str,
        table: &str,
    ) -> Result<Vec<Ipv4Net>, String> {
        match snap.vpcs.get(vpc).and_then(|v| v.cidr_block) {
            Some(cidr) => Ok(vec![cidr]),
            None => Err(format!(
                "the CIDR of {vpc} (propagated into {table}) is not in the snapshot"
            )),
        }
    }
}

impl TgwFamily for V6 {
    fn destination(route: &TransitGatewayRoute) -> Option<Ipv6Net> {
        route.destination_ipv6_cidr_block.map(|n| n.trunc())
    }
    /// The VPC's IPv6 CIDRs, only when the attachment has IPv6 support on (V12); a VPC without
    /// IPv6 blocks propagates none whatever its option says.
    fn propagated(
        snap: &Snapshot,
        attachment: &str,
        vpc: &str,
        table: &str,
    ) -> Result<Vec<Ipv6Net>, String> {
        let Some(v) = snap.vpcs.get(vpc) else {
            return Err(format!(
                "{vpc} (propagated into {table}) is not in the snapshot: its IPv6 CIDRs are unknown"
            ));
        };
        let cidrs: Vec<Ipv6Net> = v.ipv6_cidrs().map(|n| n.trunc()).collect();
        if cidrs.is_empty() {
            return Ok(cidrs);
        }
        let a = snap.tgw_vpc_attachments.get(attachment).ok_or_else(|| {
            format!(
                "{attachment} (propagating {vpc} into {table}) is not in the \
                     describe-transit-gateway-vpc-attachments output: whether it propagates \
                     {vpc}'s IPv6 CIDRs is unknown"
            )
        })?;
        Ok(if ipv6_support(a)? { cidrs } else { Vec::new() })
    }
}

/// Every IPv4 route of a TGW route table (T4, T5): the routes the snapshot gives for it, plus the
/// routes its enabled VPC propagations install (each attached VPC's CIDR) when the given routes
/// lack them (Batfish's dumps and moto carry static routes only).
pub(crate) fn routes(
    snap: &Snapshot,
    tgw: &str,
    table: &str,
) -> Result<Vec<TgwRouteMatch>, String> {
    routes_of::<V4>(snap, tgw, table)
}

/// Every IPv6 route of a TGW route table (V12): IPv6 destinations of the given routes and
/// IPv6 entries of referenced prefix lists, plus the IPv6 CIDRs that enabled propagations of
/// attachments with IPv6 support install.
pub(crate) fn routes6(
    snap: &Snapshot,
    tgw: &str,
    table: &str,
) -> Result<Vec<TgwRouteMatch6>, String> {
    routes_of::<V6>(snap, tgw, table)
}

/// [`routes`] for family `F`.
fn routes_of<F: TgwFamily>(
    snap: &Snapshot,
    tgw: &str,
    table: &str,
) -> Result<Vec<TgwRouteMatchOf<F>>, String> {
    let Some(given) = snap.tgw_routes.get(table) else {
        return Err(format!(
            "the snapshot has no search-transit-gateway-routes output for {table}"
        ));
    };
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for route in &given.routes {
        let blackhole = match route.state.as_deref() {
            Some("blackhole") => true,
            Some("active") | None => false,
            Some(_) => continue,
        };
        let kind = match (route.route_type.as_deref(), &route.prefix_list_id) {
            (_, Some(_)) => TgwRouteKind::PrefixList,
            (Some("propagated"), _) => TgwRouteKind::Propagated,
            _ => TgwRouteKind::Static,
        };
        let attachment = route.transit_gateway_attachments.first().and_then(|t| {
            t.transit_gateway_attachment_id.clone().or_else(|| {
                // moto leaves the id out; the attached VPC still names the attachment.
                let vpc = t.resource_id.as_deref()?;
                vpc_attachment(snap, tgw, vpc)
                    .ok()
                    .flatten()
                    .map(|a| a.transit_gateway_attachment_id.clone())
            })
        });
        let attachment = if blackhole { None } else { attachment };
        let mut cidrs: Vec<F::Net> = F::destination(route).into_iter().collect();
        if let Some(pl) = &route.prefix_list_id {
            match snap.prefix_lists.get(pl) {
                Some(list) => cidrs.extend(crate::prefix_list::cidrs::<F>(list).map(F::route_net)),
                None => missing.push(format!(
                    "prefix list {pl} (a route of {table}) is not in the snapshot"
                )),
            }
        }
        for cidr in cidrs {
            out.push(TgwRouteMatchOf {
                cidr,
                attachment: attachment.clone(),
                blackhole,
                kind,
            });
        }
    }
    propagated(snap, table, &mut out, &mut missing);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing.join("; "))
    }
}

/// Adds the routes of the table's enabled VPC propagations that `out` lacks.
fn propagated<F: TgwFamily>(
    snap: &Snapshot,
    table: &str,
    out: &mut Vec<TgwRouteMatchOf<F>>,
    missing: &mut Vec<String>,
) {
    let Some(props) = snap.tgw_propagations.get(table) else {
        return;
    };
    for p in &props.transit_gateway_route_table_propagations {
        let enabled = matches!(p.state.as_deref(), None | Some("enabled"));
        if !enabled || p.resource_type.as_deref().is_some_and(|t| t != "vpc") {
            continue;
        }
        let Some(vpc) = p.resource_id.as_deref() else {
            continue;
        };
        let cidrs = match F::propagated(snap, &p.transit_gateway_attachment_id, vpc, table) {
            Ok(cidrs) => cidrs,
            Err(why) => {
                missing.push(why);
                continue;
            }
        };
        let id = Some(p.transit_gateway_attachment_id.clone());
        for cidr in cidrs {
            if out.iter().any(|r| r.cidr == cidr && r.attachment == id) {
                continue;
            }
            out.push(TgwRouteMatchOf {
                cidr,
                attachment: id.clone(),
                blackhole: false,
                kind: TgwRouteKind::Propagated,
            });
        }
    }
}

/// The route that wins for `ip` (T5): the longest prefix, then static before prefix-list before
/// propagated.
pub(crate) fn lookup(routes: &[TgwRouteMatch], ip: Ipv4Addr) -> Option<&TgwRouteMatch> {
    routes
        .iter()
        .filter(|r| r.cidr.contains(&ip))
        .min_by_key(|r| (std::cmp::Reverse(r.cidr.prefix_len()), r.kind))
}

/// The route that wins for the IPv6 address `ip` (V12, by T5).
pub(crate) fn lookup6(routes: &[TgwRouteMatch6], ip: Ipv6Addr) -> Option<&TgwRouteMatch6> {
    let host = Ipv6Net::from(ip);
    routes
        .iter()
        .filter(|r| r.cidr.contains(&host))
        .min_by_key(|r| (std::cmp::Reverse(r.cidr.prefix_len()), r.kind))
}

/// Whether the VPC attachment has IPv6 support on (`Options.Ipv6Support`, V12): without it
/// the attachment's network interfaces have no IPv6 address and it carries no IPv6 traffic.
/// `Err` when the snapshot does not say (older dumps, moto): missing data, never a verdict.
pub(crate) fn ipv6_support(a: &TransitGatewayVpcAttachment) -> Result<bool, String> {
    let value = a.options.as_ref().and_then(|o| o.ipv6_support.as_deref());
    match value.map(str::to_ascii_lowercase).as_deref() {
        Some("enable") => Ok(true),
        Some("disable") => Ok(false),
        _ => Err(format!(
            "the snapshot shows no `Options.Ipv6Support` for {} \
             (describe-transit-gateway-vpc-attachments): whether it carries IPv6 is unknown",
            a.transit_gateway_attachment_id
        )),
    }
}

/// Whether security-group references work in inbound rules across `tgw` between the two
/// attachments (T7): the TGW's option (AWS's default: off) and both attachments' (default: on).
/// `Err` when the TGW is not in the snapshot.
pub(crate) fn sg_referencing(
    snap: &Snapshot,
    tgw: &str,
    attachments: [&TransitGatewayVpcAttachment; 2],
) -> Result<bool, String> {
    let Some(gateway) = snap.transit_gateways.get(tgw) else {
        return Err(format!(
            "{tgw} is not in the snapshot (describe-transit-gateways): its security group \
             referencing support is unknown"
        ));
    };
    let on = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("enable"));
    let tgw_on = on(gateway
        .options
        .as_ref()
        .and_then(|o| o.security_group_referencing_support.as_deref()));
    let attachment_on = |a: &TransitGatewayVpcAttachment| {
        a.options
            .as_ref()
            .and_then(|o| o.security_group_referencing_support.as_deref())
            .is_none_or(|v| v.eq_ignore_ascii_case("enable"))
    };
    Ok(tgw_on && attachments.iter().all(|a| attachment_on(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(cidr: &str, att: &str, kind: TgwRouteKind) -> TgwRouteMatch {
        TgwRouteMatch {
            cidr: cidr.parse().unwrap(),
            attachment: Some(att.into()),
            blackhole: false,
            kind,
        }
    }

    #[test]
    fn longest_prefix_then_static_before_propagated() {
        let routes = vec![
            r("10.0.0.0/16", "a-prop", TgwRouteKind::Propagated),
            r("10.0.0.0/16", "a-static", TgwRouteKind::Static),
            r("10.0.0.0/8", "a-wide", TgwRouteKind::Static),
            r("10.0.1.0/24", "a-pl", TgwRouteKind::PrefixList),
        ];
        let at = |ip: &str| lookup(&routes, ip.parse().unwrap()).map(|r| r.attachment.clone());
        assert_eq!(at("10.0.2.1"), Some(Some("a-static".into())));
        assert_eq!(at("10.0.1.1"), Some(Some("a-pl".into())));
        assert_eq!(at("10.9.0.1"), Some(Some("a-wide".into())));
        assert_eq!(at("192.168.0.1"), None);
    }

    /// IPv6 routes (V12): the longest IPv6 prefix wins, static before propagated; IPv4
    /// routes are not consulted.
    #[test]
    fn ipv6_lookup_by_longest_prefix() {
        let r6 = |cidr: &str, att: &str, kind| TgwRouteMatch6 {
            cidr: cidr.parse().unwrap(),
            attachment: Some(att.into()),
            blackhole: false,
            kind,
        };
        let routes = vec![
            r6("2600:1f18:2::/56", "a-prop", TgwRouteKind::Propagated),
            r6("2600:1f18:2::/56", "a-static", TgwRouteKind::Static),
            r6("2600:1f18::/32", "a-wide", TgwRouteKind::Static),
        ];
        let at = |ip: &str| lookup6(&routes, ip.parse().unwrap()).map(|r| r.attachment.clone());
        assert_eq!(at("2600:1f18:2:1::10"), Some(Some("a-static".into())));
        assert_eq!(at("2600:1f18:9::1"), Some(Some("a-wide".into())));
        assert_eq!(at("2001:db8::1"), None);
        assert_eq!(
            routes[0].to_string(),
            "2600:1f18:2::/56 -> a-prop (propagated)"
        );
    }
}
