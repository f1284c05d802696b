//! The dual-stack share (issue 17): some VPCs get an IPv6 block, and everything in them the
//! IPv6 fields AWS gives a dual-stack VPC.
//!
//! Applied to the finished documents, after every random choice: it draws nothing, so the
//! IPv4 part of a snapshot is the same with or without it, and a share of 0 leaves the
//! documents byte-identical (the BENCHMARKS figures of the existing presets stay comparable).
//!
//! In a dual-stack VPC `n` (`10.n.0.0/16`):
//! - the VPC gets `2600:1f18:n::/56`, subnet `10.n.s.0/24` gets `2600:1f18:n:s::/64`, and an
//!   address `10.n.s.h` its twin `2600:1f18:n:s::h`;
//! - every ENI gets the IPv6 twin of its primary address (`AssignIpv6AddressOnCreation`);
//! - interface endpoints are `dualstack` (IP address type and DNS record IP type), so a
//!   dual-stack workload needs both paths (docs/spec.md V3);
//! - route tables get the IPv6 local route;
//! - each network ACL entry whose CIDR has a twin (`0.0.0.0/0`, the VPC's and its subnets'
//!   ranges) gets an IPv6 entry numbered just after it, with the same protocol, ports and
//!   action (a broken IPv4 ephemeral return is broken for IPv6 too); the `*` deny gets the
//!   IPv6 `*` deny, listed as 32768 as `describe-network-acls` prints it;
//! - each security group rule's CIDRs with a twin get it in `Ipv6Ranges` (`10.0.0.0/8`, every
//!   VPC, has `2600:1f18::/32`); a list of a dual-stack VPC's private subnets gets an IPv6 twin
//!   list (`AddressFamily: IPv6`) named next to it in every rule naming it; group references
//!   stay (they match both families), and so do the other lists (public IPv4 ranges).

use serde_json::{json, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The dual-stack VPCs: the first `percent` % of them (rounded up), none at 0.
pub(crate) fn vpcs(count: usize, percent: u32) -> usize {
    (count * percent as usize).div_ceil(100).min(count)
}

/// The IPv6 twin of an IPv4 CIDR, if it has one: `0.0.0.0/0` -> `::/0`; in a dual-stack VPC
/// `10.n.0.0/16` -> `/56`, `10.n.s.0/24` -> `/64`, `10.n.s.h/32` -> `/128`.
fn twin_cidr(cidr: &str, dual: usize) -> Option<String> {
    match cidr {
        "0.0.0.0/0" => return Some("::/0".into()),
        // Every VPC of the account: the block every VPC's /56 is in.
        "10.0.0.0/8" => return Some("2600:1f18::/32".into()),
        _ => {}
    }
    let (addr, len) = cidr.split_once('/')?;
    let [a, n, s, h] = addr.parse::<Ipv4Addr>().ok()?.octets();
    if a != 10 || usize::from(n) >= dual {
        return None;
    }
    let (n, s, h) = (u16::from(n), u16::from(s), u16::from(h));
    let net = |s: u16, h: u16| Ipv6Addr::new(0x2600, 0x1f18, n, s, 0, 0, 0, h);
    match len {
        "16" => Some(format!("{}/56", net(0, 0))),
        "24" => Some(format!("{}/64", net(s, 0))),
        "32" => Some(format!("{}/128", net(s, h))),
        _ => None,
    }
}

/// The IPv6 twin of an address of a dual-stack VPC.
fn twin_ip(ip: &str, dual: usize) -> Option<String> {
    let v6 = twin_cidr(&format!("{ip}/32"), dual)?;
    Some(v6.trim_end_matches("/128").to_owned())
}

/// The VPC index `n` of `10.n.0.0/16`, when it is dual-stack.
fn dual_vpc(cidr: &Value, dual: usize) -> Option<usize> {
    let [_, n, _, _] = cidr
        .as_str()?
        .split('/')
        .next()?
        .parse::<Ipv4Addr>()
        .ok()?
        .octets();
    (usize::from(n) < dual).then_some(usize::from(n))
}

/// Gives the first `dual` VPCs (`10.0` .. `10.<dual-1>`) of `docs` their IPv6 data.
pub(crate) fn apply(docs: &mut [(String, Value)], dual: usize) {
    if dual == 0 {
        return;
    }
    let mut dual_ids = Vec::new();
    for (_, doc) in docs.iter_mut() {
        if let Some(vpcs) = doc.get_mut("Vpcs").and_then(Value::as_array_mut) {
            for v in vpcs.iter_mut() {
                if let Some(block) = dual_vpc(&v["CidrBlock"], dual).and(twin_cidr_of(v, dual)) {
                    v["Ipv6CidrBlockAssociationSet"] = json!([{
                        "AssociationId": format!("{}-v6", v["CidrBlockAssociationSet"][0]["AssociationId"].as_str().unwrap_or("vpc-cidr-assoc")),
                        "Ipv6CidrBlock": block,
                        "Ipv6CidrBlockState": {"State": "associated"},
                        "Ipv6Pool": "Amazon",
                        "NetworkBorderGroup": crate::aws::REGION,
                    }]);
                    dual_ids.push(v["VpcId"].clone());
                }
            }
        }
    }
    let ctx = Ctx {
        dual,
        list_twins: prefix_lists(docs, dual),
    };
    let is_dual = |v: &Value| dual_ids.contains(&v["VpcId"]);
    for (_, doc) in docs.iter_mut() {
        for (key, each) in [
            ("Subnets", subnet as fn(&mut Value, &Ctx)),
            ("NetworkInterfaces", eni),
            ("VpcEndpoints", endpoint),
            ("RouteTables", route_table),
            ("NetworkAcls", network_acl),
            ("SecurityGroups", security_group),
        ] {
            if let Some(list) = doc.get_mut(key).and_then(Value::as_array_mut) {
                list.iter_mut()
                    .filter(|v| is_dual(v))
                    .for_each(|v| each(v, &ctx));
            }
        }
    }
}

/// What the documents' twins depend on.
struct Ctx {
    /// How many VPCs are dual-stack.
    dual: usize,
    /// (IPv4 prefix list id, its IPv6 twin's id).
    list_twins: Vec<(Value, Value)>,
}

/// Adds the IPv6 twin of each customer-managed list of a dual-stack VPC's private subnets
/// (a managed prefix list holds one family: `AddressFamily`); the (list, twin) ids.
fn prefix_lists(docs: &mut [(String, Value)], dual: usize) -> Vec<(Value, Value)> {
    let mut twins = Vec::new();
    for (_, doc) in docs.iter_mut() {
        let Some(lists) = doc.get_mut("PrefixLists").and_then(Value::as_array_mut) else {
            continue;
        };
        let mut added = Vec::new();
        for l in lists.iter() {
            let name = l["PrefixListName"].as_str().unwrap_or("");
            let cidrs: Option<Vec<String>> = l["Cidrs"].as_array().map(|c| {
                c.iter()
                    .filter_map(|c| twin_cidr(c.as_str()?, dual))
                    .collect()
            });
            let Some(cidrs) = cidrs.filter(|c| !c.is_empty() && name.ends_with("-private-subnets"))
            else {
                continue;
            };
            let id = json!(format!("{}6", l["PrefixListId"].as_str().unwrap_or("pl-")));
            added.push(
                json!({"AddressFamily": "IPv6", "Cidrs": cidrs, "PrefixListId": id,
                "PrefixListName": format!("{name}-ipv6")}),
            );
            twins.push((l["PrefixListId"].clone(), id));
        }
        lists.extend(added);
    }
    twins
}

fn twin_cidr_of(v: &Value, dual: usize) -> Option<String> {
    twin_cidr(v["CidrBlock"].as_str()?, dual)
}

fn subnet(s: &mut Value, ctx: &Ctx) {
    let Some(block) = twin_cidr_of(s, ctx.dual) else {
        return;
    };
    s["AssignIpv6AddressOnCreation"] = json!(true);
    s["Ipv6CidrBlockAssociationSet"] = json!([{
        "AssociationId": format!("subnet-cidr-assoc-{}", s["SubnetId"].as_str().unwrap_or("").trim_start_matches("subnet-")),
        "Ipv6CidrBlock": block,
        "Ipv6CidrBlockState": {"State": "associated"},
    }]);
}

fn eni(e: &mut Value, ctx: &Ctx) {
    if let Some(v6) = e["PrivateIpAddress"]
        .as_str()
        .and_then(|ip| twin_ip(ip, ctx.dual))
    {
        e["Ipv6Address"] = json!(v6);
        e["Ipv6Addresses"] = json!([{"Ipv6Address": v6, "IsPrimaryIpv6": false}]);
    }
}

fn endpoint(ep: &mut Value, _: &Ctx) {
    if ep["VpcEndpointType"] == "Interface" {
        ep["IpAddressType"] = json!("dualstack");
        ep["DnsOptions"] = json!({"DnsRecordIpType": "dualstack"});
    }
}

fn route_table(t: &mut Value, ctx: &Ctx) {
    let local = t["Routes"].as_array().and_then(|routes| {
        routes
            .iter()
            .find(|r| r["GatewayId"] == "local")
            .and_then(|r| twin_cidr(r["DestinationCidrBlock"].as_str()?, ctx.dual))
    });
    if let (Some(block), Some(routes)) = (local, t["Routes"].as_array_mut()) {
        routes.push(
            json!({"DestinationIpv6CidrBlock": block, "GatewayId": "local",
            "Origin": "CreateRouteTable", "State": "active"}),
        );
    }
}

/// The IPv4 `*` deny's number, and the IPv6 one's as AWS lists it.
const IMPLICIT_DENY: u64 = 32767;
const IMPLICIT_DENY_V6: u64 = 32768;

fn network_acl(a: &mut Value, ctx: &Ctx) {
    let Some(entries) = a["Entries"].as_array_mut() else {
        return;
    };
    let used = |egress: &Value, n: u64, list: &[Value]| {
        list.iter()
            .any(|e| &e["Egress"] == egress && e["RuleNumber"] == n)
    };
    let mut twins = Vec::new();
    for e in entries.iter() {
        let Some(number) = e["RuleNumber"].as_u64() else {
            continue;
        };
        // ICMP entries stay IPv4: ICMPv6 is another protocol (58).
        if e["Protocol"] == "1" {
            continue;
        }
        let Some(v6) = e["CidrBlock"].as_str().and_then(|c| twin_cidr(c, ctx.dual)) else {
            continue;
        };
        let mut twin = e.clone();
        let map = twin.as_object_mut().expect("an entry is an object");
        map.remove("CidrBlock");
        map.insert("Ipv6CidrBlock".into(), json!(v6));
        let free = if number == IMPLICIT_DENY {
            Some(IMPLICIT_DENY_V6)
        } else {
            (number + 1..number + 10).find(|&n| {
                n < IMPLICIT_DENY
                    && !used(&e["Egress"], n, entries)
                    && !used(&e["Egress"], n, &twins)
            })
        };
        if let Some(n) = free {
            map.insert("RuleNumber".into(), json!(n));
            twins.push(twin);
        }
    }
    entries.extend(twins);
}

fn security_group(g: &mut Value, ctx: &Ctx) {
    for key in ["IpPermissions", "IpPermissionsEgress"] {
        let Some(perms) = g[key].as_array_mut() else {
            continue;
        };
        for p in perms.iter_mut() {
            let twins: Vec<Value> = p["IpRanges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    let v6 = twin_cidr(r["CidrIp"].as_str()?, ctx.dual)?;
                    let mut twin = json!({"CidrIpv6": v6});
                    if let Some(d) = r.get("Description") {
                        twin["Description"] = d.clone();
                    }
                    Some(twin)
                })
                .collect();
            if !twins.is_empty() {
                p["Ipv6Ranges"] = Value::Array(twins);
            }
            let lists: Vec<Value> = p["PrefixListIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    let (_, twin) = ctx
                        .list_twins
                        .iter()
                        .find(|(id, _)| *id == l["PrefixListId"])?;
                    Some(json!({"PrefixListId": twin}))
                })
                .collect();
            if let Some(held) = p["PrefixListIds"].as_array_mut() {
                held.extend(lists);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_keep_the_structure_of_the_ipv4_plan() {
        assert_eq!(twin_cidr("0.0.0.0/0", 1).as_deref(), Some("::/0"));
        assert_eq!(
            twin_cidr("10.2.0.0/16", 3).as_deref(),
            Some("2600:1f18:2::/56")
        );
        assert_eq!(
            twin_cidr("10.2.17.0/24", 3).as_deref(),
            Some("2600:1f18:2:11::/64")
        );
        assert_eq!(
            twin_ip("10.2.17.200", 3).as_deref(),
            Some("2600:1f18:2:11::c8")
        );
        // Another VPC than the dual-stack ones, and ranges outside the VPCs: no twin.
        assert_eq!(twin_cidr("10.3.0.0/16", 3), None);
        assert_eq!(twin_cidr("172.16.0.0/12", 3), None);
    }

    #[test]
    fn the_share_rounds_up_and_zero_is_none() {
        assert_eq!(vpcs(10, 0), 0);
        assert_eq!(vpcs(10, 50), 5);
        assert_eq!(vpcs(3, 50), 2);
        assert_eq!(vpcs(1, 1), 1);
        assert_eq!(vpcs(10, 100), 10);
    }
}
