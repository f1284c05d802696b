//! Transit gateways (docs/spec.md section 2, facts T1-T9): which attachment a VPC has on a TGW,
//! which TGW route table an attachment is associated with, where a TGW route table sends an
//! address (longest prefix; static routes before prefix-list references before propagated
//! ones), and whether security-group references work across the TGW.
//!
//! Every answer distinguishes "the snapshot says no" from "the snapshot does not say": the
//! second is missing data (`Err` with what is missing), never a verdict.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::snapshot::{DescribeCall, Snapshot, TransitGatewayVpcAttachment};

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

/// One route of a TGW route table, its destination a single CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TgwRouteMatch {
    /// The destination.
    pub cidr: Ipv4Net,
    /// The target attachment (none for a blackhole route).
    pub attachment: Option<String>,
    /// True for a blackhole route: the TGW drops the traffic.
    pub blackhole: bool,
    /// Static, prefix-list or propagated.
    pub kind: TgwRouteKind,
}

impl std::fmt::Display for TgwRouteMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let target = self.attachment.as_deref().unwrap_or("nothing");
        write!(f, "{} -> {target} ({}", self.cidr, self.kind.word())?;
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

/// Every IPv4 route of a TGW route table (T4, T5): the routes the snapshot gives for it, plus the
/// routes its enabled VPC propagations install (each attached VPC's CIDR) when the given routes
/// lack them (Batfish's dumps and moto carry static routes only).
pub(crate) fn routes(
    snap: &Snapshot,
    tgw: &str,
    table: &str,
) -> Result<Vec<TgwRouteMatch>, String> {
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
        let mut cidrs: Vec<Ipv4Net> = route.destination_cidr_block.into_iter().collect();
        if let Some(pl) = &route.prefix_list_id {
            match snap.prefix_lists.get(pl) {
                Some(list) => cidrs.extend(crate::prefix_list::ipv4_cidrs(list)),
                None => missing.push(format!(
                    "prefix list {pl} (a route of {table}) is not in the snapshot"
                )),
            }
        }
        for cidr in cidrs {
            out.push(TgwRouteMatch {
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
fn propagated(
    snap: &Snapshot,
    table: &str,
    out: &mut Vec<TgwRouteMatch>,
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
        let Some(cidr) = snap.vpcs.get(vpc).and_then(|v| v.cidr_block) else {
            missing.push(format!(
                "the CIDR of {vpc} (propagated into {table}) is not in the snapshot"
            ));
            continue;
        };
        let id = Some(p.transit_gateway_attachment_id.clone());
        if out.iter().any(|r| r.cidr == cidr && r.attachment == id) {
            continue;
        }
        out.push(TgwRouteMatch {
            cidr,
            attachment: id,
            blackhole: false,
            kind: TgwRouteKind::Propagated,
        });
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
}
