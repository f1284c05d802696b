//! Interface endpoints over IPv6 (docs/spec.md section 12, V5-V7, V9-V11): the hops of a
//! workload's IPv6 path to every IPv6 address of every endpoint ENI, built with the IPv6
//! evaluators, worded "over IPv6".
//!
//! Called by [`super::trace`] for same-VPC interface pairs whose family decision
//! (`family::interface_need_gated`) needs IPv6 or DNS64. The fast judge (`check::fast`) calls
//! the per-hop builders (`egress`, `route_hop`, `acl_out`, `acl_in`, `ingress`, `reply_out`,
//! `reply_in`) one by one, once per key, for the hops it cannot prove. IPv4-only pairs never
//! get here.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::Ipv6Net;

use crate::family::Unusable;
use crate::finding::FindingCode;
use crate::network_acl::{self, IMPLICIT_DENY};
use crate::route;
use crate::security_group::{self, RuleDirection};
use crate::snapshot::NetworkInterface;
use crate::space::PortRange;
use crate::space6::{display_cidr6, Addr6Range, Region6};

use super::hops::{self, join, SubnetUses};
use super::{AclHop, Ctx, Hop, HopKind, Target};

/// The well-known NAT64 prefix the Resolver's DNS64 answers use (spec V9).
const NAT64_PREFIX: u128 = 0x0064_ff9b_0000_0000_0000_0000_0000_0000;

/// One target per IPv6 address of each endpoint ENI the snapshot holds (a client may get any
/// AAAA answer, I7), from the workload's first IPv6 address. Empty when the workload has no
/// IPv6 address: the family decision says what such a pair needs.
pub(crate) fn targets(cx: &Ctx) -> Vec<Target> {
    let Some(src) = source(cx) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in &cx.endpoint.raw.network_interface_ids {
        let Some(eni) = cx.snap.network_interfaces.get(id) else {
            continue; // absent ENIs are the endpoint's missing data already (common hops)
        };
        for addr in &eni.ipv6_addresses {
            out.push(target(cx, src, eni, addr.ipv6_address));
        }
    }
    out
}

/// The workload's first IPv6 address: the source of its IPv6 path (`None`: it has none).
pub(crate) fn source(cx: &Ctx) -> Option<Ipv6Addr> {
    cx.workload
        .eni
        .ipv6_addresses
        .first()
        .map(|a| a.ipv6_address)
}

/// The hops from `src` to `dst` (an address of the endpoint ENI `eni`), forward leg then
/// reply leg. (`check::fast` builds the same hops one by one, once per key.)
fn target(cx: &Ctx, src: Ipv6Addr, eni: &NetworkInterface, dst: Ipv6Addr) -> Target {
    let here = &cx.workload.eni.subnet_id;
    let there = &eni.subnet_id;
    let mut hops = vec![egress(cx, eni, dst), route_hop(cx, dst)];
    if here == there {
        let why = format!("same subnet {here}: no network ACL between them");
        for kind in [HopKind::AclOutbound, HopKind::AclInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
        hops.push(ingress(cx, src));
        for kind in [HopKind::AclReturnOutbound, HopKind::AclReturnInbound] {
            hops.push(Hop::not_crossed(kind, why.clone()));
        }
    } else {
        hops.extend([
            acl_out(cx, eni, dst),
            acl_in(cx, eni, src),
            ingress(cx, src),
            reply_out(cx, eni, src),
            reply_in(cx, eni, dst),
        ]);
    }
    Target {
        id: eni.network_interface_id.clone(),
        address: dst.to_string(),
        hops,
    }
}

/// The workload subnet's ACL, outbound to `dst` (of `eni`) on the service ports.
pub(crate) fn acl_out(cx: &Ctx, eni: &NetworkInterface, dst: Ipv6Addr) -> Hop {
    let forward = service_region6(Addr6Range::host(dst), &cx.endpoint.ports);
    let e = subnet_cidr6(cx, &eni.subnet_id);
    acl6(
        cx,
        AclHop::Outbound,
        &cx.workload.eni.subnet_id,
        &forward,
        &e,
    )
}

/// The ENI subnet's ACL, inbound from the workload's `src` on the service ports.
pub(crate) fn acl_in(cx: &Ctx, eni: &NetworkInterface, src: Ipv6Addr) -> Hop {
    let from_workload = service_region6(Addr6Range::host(src), &cx.endpoint.ports);
    let w = subnet_cidr6(cx, &cx.workload.eni.subnet_id);
    acl6(cx, AclHop::Inbound, &eni.subnet_id, &from_workload, &w)
}

/// The ENI subnet's ACL, outbound replies to the workload's `src` (ephemeral ports).
pub(crate) fn reply_out(cx: &Ctx, eni: &NetworkInterface, src: Ipv6Addr) -> Hop {
    let replies_to = Region6::from_addrs([Addr6Range::host(src)], cx.params.ephemeral_ports);
    let w = subnet_cidr6(cx, &cx.workload.eni.subnet_id);
    acl6(cx, AclHop::ReturnOutbound, &eni.subnet_id, &replies_to, &w)
}

/// The workload subnet's ACL, inbound replies from `dst` (of `eni`, ephemeral ports).
pub(crate) fn reply_in(cx: &Ctx, eni: &NetworkInterface, dst: Ipv6Addr) -> Hop {
    let replies_from = Region6::from_addrs([Addr6Range::host(dst)], cx.params.ephemeral_ports);
    let e = subnet_cidr6(cx, &eni.subnet_id);
    acl6(
        cx,
        AclHop::ReturnInbound,
        &cx.workload.eni.subnet_id,
        &replies_from,
        &e,
    )
}

/// `addr × ports` for the service ports.
pub(crate) fn service_region6(addr: Addr6Range, ports: &[u16]) -> Region6 {
    hops::service_region(&[addr], ports)
}

/// `tcp/443 over IPv6`: every IPv6 finding says its family (V11).
pub(super) fn traffic6(cx: &Ctx) -> String {
    format!("{} over IPv6", cx.endpoint.traffic)
}

/// The subnet's first IPv6 block for fixes, else the subnet id.
pub(super) fn subnet_cidr6(cx: &Ctx, subnet_id: &str) -> String {
    ipv6_block(cx, subnet_id).unwrap_or_else(|| subnet_id.to_string())
}

/// The subnet's first IPv6 block, as fixes write it.
fn ipv6_block(cx: &Ctx, subnet_id: &str) -> Option<String> {
    cx.snap
        .subnets
        .get(subnet_id)
        .and_then(|s| s.ipv6_cidrs().next())
        .map(|net| display_cidr6(&net))
}

/// The workload's groups, outbound to `dst` on the service ports (V5). The fix names the IPv6
/// rule to add (V11): to the ENI subnet's IPv6 block, else to `dst/128`. (A reference to the
/// endpoint's group covers both families too; the problem lists it among the allowed forms,
/// but a group whose egress speaks IPv4 only, all IPv4 traffic say, lacks the IPv6 rule.)
pub(crate) fn egress(cx: &Ctx, eni: &NetworkInterface, dst: Ipv6Addr) -> Hop {
    let workload = cx.workload;
    let required = service_region6(Addr6Range::host(dst), &cx.endpoint.ports);
    let verdict = security_group::evaluate6(
        cx.snap,
        &workload.groups,
        RuleDirection::Egress,
        &required,
        true,
    );
    let kind = HopKind::SecurityGroupEgress;
    let components = match hops::sg_settled(cx, kind, &workload.groups, workload.id(), &verdict) {
        Ok(hop) => return hop,
        Err(components) => components,
    };
    let traffic = traffic6(cx);
    let subnet = subnet_cidr6(cx, &eni.subnet_id);
    let groups = cx.endpoint.group_ids();
    let mut forms: Vec<String> = vec![dst.to_string()];
    forms.extend(groups.iter().cloned());
    forms.push(subnet.clone());
    let problem = format!("no egress {traffic} to {}", forms.join(" or "));
    let peer = ipv6_block(cx, &eni.subnet_id).unwrap_or_else(|| format!("{dst}/128"));
    let fix = format!(
        "allow egress {} to {peer} on {}",
        cx.endpoint.traffic,
        workload.groups.join(", ")
    );
    Hop::blocked(
        HopKind::SecurityGroupEgress,
        components,
        FindingCode::EniSgRulesMismatch,
        problem,
        fix,
    )
}

/// The endpoint's groups, inbound from the workload's IPv6 address (V5).
pub(crate) fn ingress(cx: &Ctx, src: Ipv6Addr) -> Hop {
    let (workload, ep) = (cx.workload, cx.endpoint);
    let groups = ep.group_ids();
    let required = service_region6(Addr6Range::host(src), &ep.ports);
    let verdict =
        security_group::evaluate6(cx.snap, groups, RuleDirection::Ingress, &required, true);
    let kind = HopKind::SecurityGroupIngress;
    let components = match hops::sg_settled(cx, kind, groups, ep.id(), &verdict) {
        Ok(hop) => return hop,
        Err(components) => components,
    };
    let problem = format!(
        "{} admit no {} from {src} ({})",
        components.join(", "),
        traffic6(cx),
        workload.groups.join(", ")
    );
    let source = workload
        .groups
        .first()
        .map_or_else(|| format!("{src}/128"), |g| g.to_string());
    let fix = format!(
        "allow ingress {} on {} from {source}",
        ep.traffic, components[0]
    );
    Hop::blocked(
        HopKind::SecurityGroupIngress,
        components,
        FindingCode::EniSgRulesMismatch,
        problem,
        fix,
    )
}

/// One direction of a subnet's ACL for IPv6 traffic (V6): the IPv6 entries in rule order,
/// then the IPv6 `*`. Also the gateway IPv6 leg's ACL hops (`gateway6`).
pub(super) fn acl6(
    cx: &Ctx,
    hop: AclHop,
    subnet_id: &str,
    required: &Region6,
    fix_peer: &str,
) -> Hop {
    let kind = hop.kind();
    let found = cx
        .snap
        .index
        .subnet_acl
        .get(subnet_id)
        .and_then(|id| cx.snap.network_acls.get(id));
    let Some(acl) = found else {
        let problem = hops::subnet_gap(cx.snap, subnet_id, SubnetUses::Acl);
        return Hop::unknown(kind, vec![subnet_id.to_string()], problem);
    };
    let id = acl.network_acl_id.clone();
    let verdict = network_acl::evaluate_sorted6(
        &network_acl::sorted_tcp_entries6(acl, hop.traffic()),
        required,
    );
    if verdict.allows() {
        let detail = cx.say(|| format!("{id} ({subnet_id}): {}", join(&verdict.allowed_by)));
        return Hop::allowed(kind, vec![id], detail);
    }
    let (word, preposition) = match hop.traffic() {
        network_acl::Traffic::Outbound => ("outbound", "to"),
        network_acl::Traffic::Inbound => ("inbound", "from"),
    };
    let denied_ports = ports_of(&verdict.denied);
    let problem = format!(
        "{id} ({subnet_id}) {word} drops tcp/{denied_ports} over IPv6 {preposition} {} ({})",
        verdict.denied.describe_addrs(),
        join(&verdict.denied_by)
    );
    let position = match verdict.first_deny() {
        Some(n) if n != IMPLICIT_DENY => format!(" numbered below {n}"),
        _ => String::new(),
    };
    let fix = format!(
        "add an {word} IPv6 allow tcp/{} {preposition} {fix_peer} to {id}{position}",
        ports_of(required)
    );
    Hop::blocked(
        kind,
        vec![id],
        FindingCode::SubnetAclRestriction,
        problem,
        fix,
    )
}

/// The ports a region touches, merged: `443` or `1024-65535`.
fn ports_of(region: &Region6) -> String {
    let mut ranges: Vec<PortRange> = region.rects().iter().map(|r| r.ports).collect();
    ranges.sort_unstable();
    let mut merged: Vec<PortRange> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if u32::from(r.first) <= u32::from(last.last) + 1 => {
                last.last = last.last.max(r.last);
            }
            _ => merged.push(r),
        }
    }
    let parts: Vec<String> = merged.iter().map(ToString::to_string).collect();
    parts.join(", ")
}

/// The workload subnet's IPv6 route to `dst`: it must be `local` (V7).
pub(crate) fn route_hop(cx: &Ctx, dst: Ipv6Addr) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, _)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = hops::subnet_gap(cx.snap, subnet, SubnetUses::RouteTable);
        return Hop::unknown(HopKind::Route, vec![subnet.clone()], problem);
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes6(cx.snap, table);
    match route::lookup_block6(&routes, Ipv6Net::from(dst)).0 {
        Some(r) if r.target == "local" && !r.blackhole && !missing.is_empty() => {
            Hop::unknown(HopKind::Route, vec![rtb], missing.join("; "))
        }
        Some(r) if r.target == "local" && !r.blackhole => {
            let detail = cx.say(|| format!("{rtb}: {r}"));
            Hop::allowed(HopKind::Route, vec![rtb], detail)
        }
        Some(r) => {
            let problem = format!(
                "{rtb}: route {r} takes the traffic ({}) to {dst} away from the endpoint",
                traffic6(cx)
            );
            let fix = format!(
                "remove or narrow the route {} -> {} in {rtb}",
                display_cidr6(&r.cidr),
                r.target
            );
            let code = FindingCode::MoreSpecificRoute;
            Hop::blocked(HopKind::Route, vec![rtb], code, problem, fix)
        }
        None if !missing.is_empty() => Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
        None => {
            let problem = format!(
                "{rtb} has no IPv6 route to {dst} (no local route for the VPC's IPv6 block): \
                 {} cannot reach the endpoint",
                traffic6(cx)
            );
            let fix =
                format!("check {rtb}: every table of a VPC with an IPv6 block has its local route");
            let code = FindingCode::NoRouteToDestination;
            Hop::blocked(HopKind::Route, vec![rtb], code, problem, fix)
        }
    }
}

/// The DNS64 route (V9): an IPv6-only workload resolving an IPv4-only endpoint sends to
/// `64:ff9b::<ENI address>`; without a route to a NAT gateway for it the endpoint is
/// unreachable. With one, the workload still does not use the endpoint: the NAT gateway
/// does, over IPv4 from its own address, for a processing charge per byte. Blocked either
/// way (`NO_ROUTE_TO_DESTINATION`, the detail naming DNS64), never "reachable"; the fix
/// makes the endpoint answer AAAA, which DNS64 passes through unchanged.
pub(crate) fn dns64_route(cx: &Ctx, eni_ip: Ipv4Addr) -> Hop {
    let synthesized = dns64_address(eni_ip);
    let subnet = &cx.workload.eni.subnet_id;
    let Some((table, _)) = route::table_for_subnet(cx.snap, subnet) else {
        let problem = hops::subnet_gap(cx.snap, subnet, SubnetUses::RouteTable);
        return Hop::unknown(HopKind::Route, vec![subnet.clone()], problem);
    };
    let rtb = table.route_table_id.clone();
    let (routes, missing) = route::expanded_routes6(cx.snap, table);
    match route::lookup6(&routes, synthesized) {
        Some(r) if r.target.starts_with("nat-") && !r.blackhole => {
            let ep = cx.endpoint.id();
            let problem = format!(
                "via NAT64: DNS64 in {subnet} answers {synthesized} for {ep}'s {eni_ip} (A \
                 records only), and {rtb}'s route {r} sends {} through the NAT gateway: the \
                 endpoint sees the NAT gateway's IPv4 address, not {}, and every byte is NAT \
                 gateway processing",
                traffic6(cx),
                cx.workload.id()
            );
            let fix = format!(
                "make {ep} answer AAAA: IpAddressType dualstack with DnsRecordIpType dualstack \
                 (or ipv6), so DNS64 returns its IPv6 addresses unchanged"
            );
            // Blamed on the table, as the other unusable answers (V10): the NAT gateway
            // does its job, and one finding per pair is enough.
            let code = FindingCode::NoRouteToDestination;
            Hop::blocked(HopKind::Route, vec![rtb], code, problem, fix)
        }
        _ if !missing.is_empty() => Hop::unknown(HopKind::Route, vec![rtb], missing.join("; ")),
        found => {
            let how = found.map_or_else(
                || "no route".to_string(),
                |r| format!("the route {r}, not a NAT gateway,"),
            );
            let problem = format!(
                "DNS64 in {subnet} answers {synthesized} for the endpoint's {eni_ip}, and {rtb} \
                 has {how} for it: {} cannot reach the endpoint",
                traffic6(cx)
            );
            let fix = format!("add a route 64:ff9b::/96 -> nat-… (a NAT gateway) to {rtb}");
            let code = FindingCode::NoRouteToDestination;
            Hop::blocked(HopKind::Route, vec![rtb], code, problem, fix)
        }
    }
}

/// The address DNS64 answers for an endpoint ENI's IPv4 address (V9).
pub(crate) fn dns64_address(eni_ip: Ipv4Addr) -> Ipv6Addr {
    Ipv6Addr::from(NAT64_PREFIX | u128::from(u32::from(eni_ip)))
}

/// A pair whose workload can use none of the endpoint's answers (V10): blocked on the
/// workload subnet's route table, the detail saying why.
pub(crate) fn unusable(cx: &Ctx, why: Unusable) -> Hop {
    let subnet = &cx.workload.eni.subnet_id;
    let rtb = route::table_for_subnet(cx.snap, subnet)
        .map_or_else(|| subnet.clone(), |(t, _)| t.route_table_id.clone());
    let ep = cx.endpoint.id();
    let (problem, fix) = match why {
        Unusable::Ipv6OnlyEndpoint => (
            format!("{ep} is IPv6-only (answers AAAA only) and {} has no IPv6 address", cx.workload.id()),
            format!("give {} an IPv6 address, or make {ep} dual-stack", cx.workload.id()),
        ),
        Unusable::Ipv4OnlyEndpointNoDns64 => (
            format!(
                "{ep} answers A records only and {} is IPv6-only in {subnet} without DNS64",
                cx.workload.id()
            ),
            format!("make {ep} dual-stack, or enable DNS64 on {subnet} with a 64:ff9b::/96 route to a NAT gateway"),
        ),
        Unusable::Ipv4OnlyGateway => (
            format!(
                "{ep} carries IPv4 only: {}'s IPv6 traffic to the service follows the IPv6 routes of {rtb}, not the endpoint",
                cx.workload.id()
            ),
            format!("make {ep} dual-stack (IpAddressType dualstack)"),
        ),
    };
    Hop::blocked(
        HopKind::Route,
        vec![rtb],
        FindingCode::NoRouteToDestination,
        problem,
        fix,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Endpoint;
    use crate::intent::Workload;
    use crate::params::RuleParameters;
    use crate::path::Outcome;
    use crate::snapshot::{Snapshot, SnapshotBuilder};

    /// A dual-stack VPC: workloads in s-app, endpoint ENIs in s-ep. The endpoint subnet's ACL
    /// returns IPv6 replies on 1024-32767 only (the missing IPv6 ephemeral return); sg-app-v4
    /// and sg-ep-v4 speak IPv4 only; the -ref groups reference each other.
    const SNAP: &str = r#"{
      "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
        "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:0::/56"}]}],
      "Subnets": [
        {"SubnetId": "s-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]},
        {"SubnetId": "s-ep", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24",
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:2::/64"}]},
        {"SubnetId": "s-odd", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24"}],
      "RouteTables": [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}]},
        {"RouteTableId": "rtb-odd", "VpcId": "vpc-1", "Associations": [{"SubnetId": "s-odd"}], "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"},
          {"DestinationIpv6CidrBlock": "2600:1f18:0:2::/64", "NetworkInterfaceId": "eni-fw"},
          {"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-1"}]}],
      "NetworkAcls": [
        {"NetworkAclId": "acl-default", "VpcId": "vpc-1", "IsDefault": true, "Entries": [
          {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 101, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
          {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]},
        {"NetworkAclId": "acl-ep", "VpcId": "vpc-1", "Associations": [{"SubnetId": "s-ep"}], "Entries": [
          {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 110, "Egress": true, "RuleAction": "allow", "Protocol": "6", "Ipv6CidrBlock": "::/0",
           "PortRange": {"From": 1024, "To": 32767}},
          {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]}],
      "SecurityGroups": [
        {"GroupId": "sg-app-v4", "VpcId": "vpc-1", "IpPermissionsEgress": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"GroupId": "sg-app-ref", "VpcId": "vpc-1", "IpPermissionsEgress": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-ep-ref"}]}]},
        {"GroupId": "sg-ep-v4", "VpcId": "vpc-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]},
        {"GroupId": "sg-ep-ref", "VpcId": "vpc-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-app-ref"}]}]}],
      "NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-v4rules", "SubnetId": "s-app", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.5",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::5"}], "Groups": [{"GroupId": "sg-app-v4"}]},
        {"NetworkInterfaceId": "eni-refs", "SubnetId": "s-app", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.6",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:1::6"}], "Groups": [{"GroupId": "sg-app-ref"}]},
        {"NetworkInterfaceId": "eni-odd", "SubnetId": "s-odd", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.3.6",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:3::6"}], "Groups": [{"GroupId": "sg-app-ref"}]},
        {"NetworkInterfaceId": "eni-ep-v4", "SubnetId": "s-ep", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.2.10",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:2::10"}], "Groups": [{"GroupId": "sg-ep-v4"}],
         "InterfaceType": "vpc_endpoint", "RequesterManaged": true},
        {"NetworkInterfaceId": "eni-ep-ref", "SubnetId": "s-ep", "VpcId": "vpc-1", "PrivateIpAddress": "10.0.2.11",
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:0:2::11"}], "Groups": [{"GroupId": "sg-ep-ref"}],
         "InterfaceType": "vpc_endpoint", "RequesterManaged": true}],
      "VpcEndpoints": [
        {"VpcEndpointId": "vpce-v4rules", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "State": "available",
         "ServiceName": "com.amazonaws.us-east-1.ssm", "IpAddressType": "dualstack", "PrivateDnsEnabled": true,
         "Groups": [{"GroupId": "sg-ep-v4"}], "NetworkInterfaceIds": ["eni-ep-v4"]},
        {"VpcEndpointId": "vpce-refs", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "State": "available",
         "ServiceName": "com.amazonaws.us-east-1.ssm", "IpAddressType": "dualstack", "PrivateDnsEnabled": true,
         "Groups": [{"GroupId": "sg-ep-ref"}], "NetworkInterfaceIds": ["eni-ep-ref"]}]}"#;

    fn snap() -> &'static Snapshot {
        static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
        SNAPSHOT.get_or_init(|| {
            let mut b = SnapshotBuilder::new();
            b.add_json("v6", SNAP).unwrap();
            b.finish()
        })
    }

    /// Runs `f` with the context of the pair (`eni`, `vpce`).
    fn with_pair<T>(eni: &str, vpce: &str, f: impl FnOnce(&Ctx) -> T) -> T {
        let s = snap();
        let params = RuleParameters::default();
        let raw_eni = &s.network_interfaces[eni];
        let workload = Workload::new(raw_eni, raw_eni.private_ip_address.unwrap());
        let endpoint = Endpoint::resolve(s, &s.vpc_endpoints[vpce], &params).unwrap();
        let cx = Ctx {
            snap: s,
            params: &params,
            workload: &workload,
            endpoint: &endpoint,
            detail: true,
            lookups: None,
        };
        f(&cx)
    }

    /// The whole trace (both families, V3) is blocked while its IPv4 target is reachable.
    fn ipv4_fine_ipv6_blocked(cx: &Ctx) {
        let trace = super::super::trace(cx.snap, cx.params, cx.workload, cx.endpoint);
        assert_eq!(trace.verdict(), crate::path::Verdict::Blocked);
        let (v4, v6): (Vec<_>, Vec<_>) =
            trace.targets.iter().partition(|t| !t.address.contains(':'));
        assert!(v4.iter().all(|t| t.reachable()) && !v4.is_empty());
        assert!(v6.iter().all(|t| !t.reachable()) && !v6.is_empty());
    }

    fn hop(target: &Target, kind: HopKind) -> &Hop {
        target.hops.iter().find(|h| h.kind == kind).unwrap()
    }

    /// Issue 17's first breakage: a dual-stack endpoint whose groups admit IPv4 only. The
    /// IPv4 trace of the same pair is reachable; the IPv6 path is blocked on both groups,
    /// each finding saying "over IPv6".
    #[test]
    fn groups_that_speak_only_ipv4_block_the_ipv6_path() {
        with_pair("eni-v4rules", "vpce-v4rules", |cx| {
            ipv4_fine_ipv6_blocked(cx);
            let t = &targets(cx)[0];
            assert_eq!(t.address, "2600:1f18:0:2::10");
            let out = hop(t, HopKind::SecurityGroupEgress);
            assert_eq!(out.outcome, Outcome::Blocked);
            assert_eq!(
                &*out.problem,
                "no egress tcp/443 over IPv6 to 2600:1f18:0:2::10 or sg-ep-v4 or 2600:1f18:0:2::/64"
            );
            // The IPv6 rule itself (V11), not a reference: sg-app-v4 speaks IPv4 only.
            assert_eq!(
                &*out.fix,
                "allow egress tcp/443 to 2600:1f18:0:2::/64 on sg-app-v4"
            );
            let inn = hop(t, HopKind::SecurityGroupIngress);
            assert_eq!(inn.outcome, Outcome::Blocked);
            assert_eq!(
                &*inn.problem,
                "sg-ep-v4 admit no tcp/443 over IPv6 from 2600:1f18:0:1::5 (sg-app-v4)"
            );
            assert_eq!(
                &*inn.fix,
                "allow ingress tcp/443 on sg-ep-v4 from sg-app-v4"
            );
        });
    }

    /// Group references cover both families (V5); the IPv6 local route and rule 101 of the
    /// default ACL carry the forward leg.
    #[test]
    fn group_references_carry_ipv6() {
        with_pair("eni-refs", "vpce-refs", |cx| {
            let t = &targets(cx)[0];
            for kind in [
                HopKind::SecurityGroupEgress,
                HopKind::Route,
                HopKind::AclOutbound,
                HopKind::AclInbound,
                HopKind::SecurityGroupIngress,
                HopKind::AclReturnInbound,
            ] {
                assert_eq!(
                    hop(t, kind).outcome,
                    Outcome::Allowed,
                    "{kind:?}: {}",
                    hop(t, kind).problem
                );
            }
            assert_eq!(
                hop(t, HopKind::Route).detail,
                "rtb-main: 2600:1f18::/56 -> local"
            );
        });
    }

    /// Issue 17's second breakage: the endpoint subnet's ACL returns IPv6 replies on part of
    /// the ephemeral range only; the IPv4 replies (rule 100) are fine.
    #[test]
    fn acl_without_the_ipv6_ephemeral_return() {
        with_pair("eni-refs", "vpce-refs", |cx| {
            let t = &targets(cx)[0];
            let reply = hop(t, HopKind::AclReturnOutbound);
            assert_eq!(reply.outcome, Outcome::Blocked);
            assert_eq!(reply.code, Some(FindingCode::SubnetAclRestriction));
            assert_eq!(
                &*reply.problem,
                "acl-ep (s-ep) outbound drops tcp/32768-65535 over IPv6 to 2600:1f18:0:1::6 \
                 (rule * deny all ports ::/0)"
            );
            assert_eq!(
                &*reply.fix,
                "add an outbound IPv6 allow tcp/1024-65535 to 2600:1f18:0:1::/64 to acl-ep"
            );
            ipv4_fine_ipv6_blocked(cx);
        });
    }

    /// A more specific IPv6 route diverts the traffic (V7), and DNS64 needs its NAT route (V9).
    #[test]
    fn ipv6_routes_and_dns64() {
        with_pair("eni-odd", "vpce-refs", |cx| {
            let t = &targets(cx)[0];
            let r = hop(t, HopKind::Route);
            assert_eq!(r.code, Some(FindingCode::MoreSpecificRoute));
            assert_eq!(
                &*r.fix,
                "remove or narrow the route 2600:1f18:0:2::/64 -> eni-fw in rtb-odd"
            );
            // rtb-odd has the NAT64 route: the NAT gateway, not the workload, uses the
            // endpoint (V9): blocked, naming DNS64/NAT64, fixed on the endpoint.
            let via_nat = dns64_route(cx, "10.0.2.11".parse().unwrap());
            assert_eq!(via_nat.outcome, Outcome::Blocked);
            assert_eq!(via_nat.code, Some(FindingCode::NoRouteToDestination));
            assert_eq!(via_nat.components.len(), 1, "{:?}", via_nat.components);
            assert!(
                via_nat.problem.contains("via NAT64")
                    && via_nat.problem.contains("DNS64")
                    && via_nat.problem.contains("64:ff9b::a00:20b"),
                "{}",
                via_nat.problem
            );
            assert!(via_nat.fix.contains("dualstack"), "{}", via_nat.fix);
        });
        with_pair("eni-refs", "vpce-refs", |cx| {
            // rtb-main has none: `::/0 -> eigw-1` is not a NAT gateway.
            let h = dns64_route(cx, "10.0.2.11".parse().unwrap());
            assert_eq!(h.outcome, Outcome::Blocked);
            assert_eq!(h.code, Some(FindingCode::NoRouteToDestination));
            assert!(
                h.problem
                    .starts_with("DNS64 in s-app answers 64:ff9b::a00:20b"),
                "{}",
                h.problem
            );
            assert!(h.problem.contains("::/0 -> eigw-1"), "{}", h.problem);
            assert_eq!(
                &*h.fix,
                "add a route 64:ff9b::/96 -> nat-… (a NAT gateway) to rtb-main"
            );
        });
    }

    #[test]
    fn unusable_pairs_are_no_route_on_the_workload_table() {
        with_pair("eni-refs", "vpce-refs", |cx| {
            let h = unusable(cx, Unusable::Ipv6OnlyEndpoint);
            assert_eq!(h.code, Some(FindingCode::NoRouteToDestination));
            assert_eq!(&*h.components[0], "rtb-main");
            assert!(h.problem.contains("IPv6-only"));
        });
    }
}
