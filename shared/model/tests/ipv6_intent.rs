//! R2 and R3 in both families (issue 17, docs/spec.md section 3 and V12): a workload with IPv6
//! addresses is a required client of an endpoint with IPv6 ENI addresses when the endpoint's
//! groups admit its IPv6 address (R2), or when its egress names an endpoint ENI's IPv6 /128 or
//! the exact IPv6 block of an endpoint subnet (R3), in the endpoint's VPC and across a peering
//! connection alike. IPv4-only workloads and `ipv4` endpoints keep their IPv4 reasons only.
//!
//! No `RequiredServices`: a pair is in the report only when R2 or R3 makes it required. Every
//! report is `check_exact`'s after checking the fast `check` equals it.

use serde_json::{json, Value};
use vpce_reach_model::snapshot::SnapshotBuilder;
use vpce_reach_model::{check, check_exact, Reason, Report, RuleParameters};

/// Describe documents by top-level key.
struct World {
    docs: Vec<(&'static str, Vec<Value>)>,
}

fn vpc(id: &str, cidr: &str, v6: &str) -> Value {
    json!({"VpcId": id, "CidrBlock": cidr, "Ipv6CidrBlockAssociationSet": [
        {"Ipv6CidrBlock": v6, "Ipv6CidrBlockState": {"State": "associated"}}]})
}

/// A subnet with an IPv4 block and, when `v6` is given, an IPv6 one.
fn subnet(id: &str, vpc: &str, cidr: &str, v6: Option<&str>) -> Value {
    let mut s = json!({"SubnetId": id, "VpcId": vpc, "AvailabilityZone": "us-east-1a",
        "CidrBlock": cidr});
    if let Some(v6) = v6 {
        s["Ipv6CidrBlockAssociationSet"] =
            json!([{"Ipv6CidrBlock": v6, "Ipv6CidrBlockState": {"State": "associated"}}]);
    }
    s
}

/// The default ACL of a VPC with an IPv6 block: rules 100 (IPv4) and 101 (IPv6), both ways.
fn allow_all_acl(id: &str, vpc: &str) -> Value {
    json!({"NetworkAclId": id, "VpcId": vpc, "IsDefault": true, "Associations": [], "Entries": [
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]})
}

/// A workload ENI with a private IPv4 address and, when `v6` is given, an IPv6 one.
fn eni(id: &str, vpc: &str, subnet: &str, ip: &str, v6: Option<&str>, group: &str) -> Value {
    let mut e = json!({"NetworkInterfaceId": id, "InterfaceType": "interface",
        "RequesterManaged": false, "Status": "in-use", "SubnetId": subnet, "VpcId": vpc,
        "PrivateIpAddress": ip, "PrivateIpAddresses": [{"PrivateIpAddress": ip}],
        "Groups": [{"GroupId": group}]});
    if let Some(v6) = v6 {
        e["Ipv6Addresses"] = json!([{"Ipv6Address": v6}]);
    }
    e
}

/// A route of either family (`:` in the destination: IPv6).
fn route(dest: &str, field: &str, target: &str) -> Value {
    let key = if dest.contains(':') {
        "DestinationIpv6CidrBlock"
    } else {
        "DestinationCidrBlock"
    };
    json!({key: dest, field: target, "State": "active"})
}

fn main_table(id: &str, vpc: &str, routes: Vec<Value>) -> Value {
    json!({"RouteTableId": id, "VpcId": vpc, "Routes": routes,
        "Associations": [{"Main": true, "AssociationState": {"State": "associated"}}]})
}

/// HTTPS to (egress) or from (ingress) blocks of either family.
fn https(blocks: &[&str]) -> Value {
    let (v6, v4): (Vec<&str>, Vec<&str>) = blocks.iter().partition(|b| b.contains(':'));
    json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": v4.iter().map(|c| json!({"CidrIp": c})).collect::<Vec<_>>(),
        "Ipv6Ranges": v6.iter().map(|c| json!({"CidrIpv6": c})).collect::<Vec<_>>()})
}

/// A group that lets everything out (naming no endpoint) and nothing in.
fn all_out(group: &str, vpc: &str) -> Value {
    json!({"GroupId": group, "VpcId": vpc, "IpPermissions": [], "IpPermissionsEgress": [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]})
}

impl World {
    /// vpc-hub 10.1.0.0/16 + 2600:1f18:1::/56: vpce-ssm (dualstack, A and AAAA) with one ENI
    /// 10.1.2.10 / 2600:1f18:1:2::10 in subnet-hub-ep (10.1.2.0/24, 2600:1f18:1:2::/64), whose
    /// group sg-hub-ep admits nobody; eni-app (dual-stack, 10.1.1.10 / 2600:1f18:1:1::10) and
    /// eni-app4 (IPv4 only, 10.1.3.10), both in sg-app. vpc-peer 10.3.0.0/16 +
    /// 2600:1f18:3::/56, peered over pcx-1: eni-peer (dual-stack, 10.3.1.10 /
    /// 2600:1f18:3:1::10) and eni-peer4 (IPv4 only, 10.3.1.20), both in sg-peer. Every group
    /// of a workload lets everything out without naming the endpoint: no pair is required.
    fn new() -> World {
        let (hub6, peer6) = ("2600:1f18:1::/56", "2600:1f18:3::/56");
        let local = |d| route(d, "GatewayId", "local");
        let pcx = |d| route(d, "VpcPeeringConnectionId", "pcx-1");
        let mut ep_eni = eni(
            "eni-hub-ep",
            "vpc-hub",
            "subnet-hub-ep",
            "10.1.2.10",
            Some("2600:1f18:1:2::10"),
            "sg-hub-ep",
        );
        ep_eni["InterfaceType"] = json!("vpc_endpoint");
        ep_eni["RequesterManaged"] = json!(true);
        let docs = vec![
            (
                "Vpcs",
                vec![
                    vpc("vpc-hub", "10.1.0.0/16", hub6),
                    vpc("vpc-peer", "10.3.0.0/16", peer6),
                ],
            ),
            (
                "Subnets",
                vec![
                    subnet(
                        "subnet-hub-ep",
                        "vpc-hub",
                        "10.1.2.0/24",
                        Some("2600:1f18:1:2::/64"),
                    ),
                    subnet(
                        "subnet-hub-app",
                        "vpc-hub",
                        "10.1.1.0/24",
                        Some("2600:1f18:1:1::/64"),
                    ),
                    subnet("subnet-hub-v4", "vpc-hub", "10.1.3.0/24", None),
                    subnet(
                        "subnet-peer-app",
                        "vpc-peer",
                        "10.3.1.0/24",
                        Some("2600:1f18:3:1::/64"),
                    ),
                ],
            ),
            (
                "NetworkAcls",
                vec![
                    allow_all_acl("acl-hub", "vpc-hub"),
                    allow_all_acl("acl-peer", "vpc-peer"),
                ],
            ),
            (
                "RouteTables",
                vec![
                    main_table(
                        "rtb-hub",
                        "vpc-hub",
                        vec![
                            local("10.1.0.0/16"),
                            local(hub6),
                            pcx("10.3.0.0/16"),
                            pcx(peer6),
                        ],
                    ),
                    main_table(
                        "rtb-peer",
                        "vpc-peer",
                        vec![
                            local("10.3.0.0/16"),
                            local(peer6),
                            pcx("10.1.0.0/16"),
                            pcx(hub6),
                        ],
                    ),
                ],
            ),
            (
                "SecurityGroups",
                vec![
                    json!({"GroupId": "sg-hub-ep", "VpcId": "vpc-hub", "IpPermissionsEgress": [],
                        "IpPermissions": []}),
                    all_out("sg-app", "vpc-hub"),
                    all_out("sg-peer", "vpc-peer"),
                ],
            ),
            (
                "NetworkInterfaces",
                vec![
                    eni(
                        "eni-app",
                        "vpc-hub",
                        "subnet-hub-app",
                        "10.1.1.10",
                        Some("2600:1f18:1:1::10"),
                        "sg-app",
                    ),
                    eni(
                        "eni-app4",
                        "vpc-hub",
                        "subnet-hub-v4",
                        "10.1.3.10",
                        None,
                        "sg-app",
                    ),
                    eni(
                        "eni-peer",
                        "vpc-peer",
                        "subnet-peer-app",
                        "10.3.1.10",
                        Some("2600:1f18:3:1::10"),
                        "sg-peer",
                    ),
                    eni(
                        "eni-peer4",
                        "vpc-peer",
                        "subnet-peer-app",
                        "10.3.1.20",
                        None,
                        "sg-peer",
                    ),
                    ep_eni,
                ],
            ),
            (
                "VpcEndpoints",
                vec![json!({
                    "VpcEndpointId": "vpce-ssm", "VpcEndpointType": "Interface", "VpcId": "vpc-hub",
                    "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available",
                    "PrivateDnsEnabled": true, "IpAddressType": "dualstack",
                    "DnsOptions": {"DnsRecordIpType": "dualstack"},
                    "Groups": [{"GroupId": "sg-hub-ep"}], "SubnetIds": ["subnet-hub-ep"],
                    "NetworkInterfaceIds": ["eni-hub-ep"]})],
            ),
            (
                "VpcPeeringConnections",
                vec![
                    json!({"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
                    "RequesterVpcInfo": {"VpcId": "vpc-peer", "Region": "us-east-1"},
                    "AccepterVpcInfo": {"VpcId": "vpc-hub", "Region": "us-east-1"}}),
                ],
            ),
        ];
        World { docs }
    }

    fn list(&mut self, key: &str) -> &mut Vec<Value> {
        &mut self.docs.iter_mut().find(|(k, _)| *k == key).unwrap().1
    }

    /// The resource of `key` whose id (any top-level `…Id` field but `VpcId`) is `id`.
    fn get(&mut self, key: &str, id: &str) -> &mut Value {
        self.list(key)
            .iter_mut()
            .find(|v| {
                v.as_object()
                    .unwrap()
                    .iter()
                    .any(|(k, x)| k.ends_with("Id") && k != "VpcId" && x == &json!(id))
            })
            .unwrap_or_else(|| panic!("{id} not in {key}"))
    }

    /// The endpoint's group admits HTTPS from `blocks`.
    fn admit(mut self, blocks: &[&str]) -> Self {
        self.get("SecurityGroups", "sg-hub-ep")["IpPermissions"] = json!([https(blocks)]);
        self
    }

    /// `group` also lets HTTPS out to `blocks`.
    fn egress(mut self, group: &str, blocks: &[&str]) -> Self {
        self.get("SecurityGroups", group)["IpPermissionsEgress"]
            .as_array_mut()
            .unwrap()
            .push(https(blocks));
        self
    }

    /// The endpoint answers A records only (`DnsRecordIpType` `ipv4`): every pair needs the
    /// IPv4 path alone (V10), which the fast judge proves without a trace.
    fn a_records_only(mut self) -> Self {
        self.get("VpcEndpoints", "vpce-ssm")["DnsOptions"] = json!({"DnsRecordIpType": "ipv4"});
        self
    }

    /// The endpoint is of type `ipv4` (no `DnsOptions`), its ENI without IPv6 address, as AWS
    /// makes one.
    fn ipv4_endpoint(mut self) -> Self {
        let ep = self.get("VpcEndpoints", "vpce-ssm");
        ep["IpAddressType"] = json!("ipv4");
        ep.as_object_mut().unwrap().remove("DnsOptions");
        self.get("NetworkInterfaces", "eni-hub-ep")
            .as_object_mut()
            .unwrap()
            .remove("Ipv6Addresses");
        self
    }

    /// The exact report, after checking the fast one equals it.
    fn report(&self) -> Report {
        let mut b = SnapshotBuilder::new();
        for (key, items) in &self.docs {
            b.add_json(key, &json!({ *key: items }).to_string())
                .unwrap();
        }
        let snap = b.finish();
        let params = RuleParameters::from_pairs([]).unwrap();
        let exact = check_exact(&snap, &params);
        assert_eq!(check(&snap, &params), exact, "check != check_exact");
        exact
    }
}

/// The reasons the report gives each workload's pair with vpce-ssm (required pairs only), by
/// workload.
fn reasons(report: &Report) -> Vec<(String, Vec<Reason>)> {
    report
        .pairs
        .iter()
        .filter(|p| p.endpoint == "vpce-ssm")
        .map(|p| (p.workload.to_string(), p.reasons.iter().collect()))
        .collect()
}

fn required(pairs: &[(&str, Reason)]) -> Vec<(String, Vec<Reason>)> {
    let mut out: Vec<(String, Vec<Reason>)> = pairs
        .iter()
        .map(|(w, r)| (w.to_string(), vec![*r]))
        .collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<(String, Vec<Reason>)>) -> Vec<(String, Vec<Reason>)> {
    v.sort();
    v
}

const R2: Reason = Reason::EndpointAdmits;
const R3: Reason = Reason::EgressTargets;

#[test]
fn nothing_names_the_endpoint_nothing_is_required() {
    assert_eq!(reasons(&World::new().report()), vec![]);
}

/// R2 by IPv6: the endpoint's group admits the dual-stack workloads' IPv6 subnets only. Both
/// are required, in the endpoint's VPC and across the peering connection; the IPv4-only
/// workloads of the same subnets and groups are not.
#[test]
fn an_ipv6_ingress_rule_makes_dual_stack_workloads_required() {
    let w = World::new().admit(&["2600:1f18:1:1::/64", "2600:1f18:3:1::/64"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app", R2), ("eni-peer", R2)])
    );
}

/// R3 by IPv6: the workloads' groups name the endpoint subnet's IPv6 block exactly. The
/// dual-stack workloads are required (in the VPC and across it), the IPv4-only members of the
/// same groups are not: an IPv6 rule carries none of their packets.
#[test]
fn egress_to_an_endpoint_subnets_ipv6_block_makes_dual_stack_workloads_required() {
    let w = World::new()
        .egress("sg-app", &["2600:1f18:1:2::/64"])
        .egress("sg-peer", &["2600:1f18:1:2::/64"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app", R3), ("eni-peer", R3)])
    );
}

/// R3 by IPv6 through the /128 of the endpoint ENI's IPv6 address.
#[test]
fn egress_to_an_endpoint_enis_ipv6_address_makes_dual_stack_workloads_required() {
    let w = World::new()
        .egress("sg-app", &["2600:1f18:1:2::10/128"])
        .egress("sg-peer", &["2600:1f18:1:2::10/128"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app", R3), ("eni-peer", R3)])
    );
}

/// R3 wants the exact block, as for IPv4: the VPC's /56, another /128 of the endpoint subnet
/// or another subnet's /64 name no endpoint.
#[test]
fn egress_to_a_wider_or_other_ipv6_block_names_no_endpoint() {
    let w = World::new()
        .egress("sg-app", &["2600:1f18:1::/56", "2600:1f18:1:2::11/128"])
        .egress("sg-peer", &["2600:1f18:1:1::/64"]);
    assert_eq!(reasons(&w.report()), vec![]);
}

/// An endpoint answering A records only: the dual-stack workloads' pairs need the IPv4 path
/// alone (V10), yet their IPv6 rules still make them required (R2 and R3 are intent, not the
/// path). The fast judge proves these pairs with its IPv4 masks and classes, so this is the
/// case where it must ask the exact IPv6 reasons itself.
#[test]
fn ipv6_reasons_hold_when_the_endpoint_answers_a_records_only() {
    let w = World::new()
        .a_records_only()
        .admit(&["2600:1f18:1:1::/64", "2600:1f18:3:1::/64"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app", R2), ("eni-peer", R2)])
    );
    let w = World::new()
        .a_records_only()
        .egress("sg-app", &["2600:1f18:1:2::/64"])
        .egress("sg-peer", &["2600:1f18:1:2::10/128"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app", R3), ("eni-peer", R3)])
    );
}

/// An `ipv4` endpoint has no IPv6 address: an IPv6 rule naming its subnet's IPv6 block or
/// admitting a workload's IPv6 address is not about it.
#[test]
fn an_ipv4_endpoint_has_no_ipv6_reasons() {
    let w = World::new()
        .ipv4_endpoint()
        .admit(&["2600:1f18:1:1::/64", "2600:1f18:3:1::/64"])
        .egress("sg-app", &["2600:1f18:1:2::/64"])
        .egress("sg-peer", &["2600:1f18:1:2::/64"]);
    assert_eq!(reasons(&w.report()), vec![]);
}

/// The IPv4 reasons are unchanged: IPv4 rules make every workload with an IPv4 address
/// required, dual-stack or not.
#[test]
fn ipv4_rules_keep_their_reasons() {
    let w = World::new().admit(&["10.1.3.0/24", "10.3.1.0/24"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[("eni-app4", R2), ("eni-peer", R2), ("eni-peer4", R2)])
    );
    let w = World::new()
        .egress("sg-app", &["10.1.2.0/24"])
        .egress("sg-peer", &["10.1.2.10/32"]);
    assert_eq!(
        sorted(reasons(&w.report())),
        required(&[
            ("eni-app", R3),
            ("eni-app4", R3),
            ("eni-peer", R3),
            ("eni-peer4", R3)
        ])
    );
}
