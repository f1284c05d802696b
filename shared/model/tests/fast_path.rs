//! Property tests with independent oracles at the level of whole pairs:
//! - `check` (compiled rules, masks, hops shared by key) gives exactly the report of
//!   `check_exact`, which traces every pair on its own as `explain` does;
//! - adding an allow rule (to a security group or a network ACL) never removes reachability.
//!
//! A world may be dual-stack (issue 17): then `vpce-1` is dual-stack and two workloads have IPv6
//! addresses, so their pairs need both families' paths, which the fast `check` hands to the
//! exact trace; ACL entries and group rules may be IPv6 ones. It may also hold an IPv6-only
//! subnet (docs/spec.md V8) with an IPv6-only workload, with or without DNS64 and a NAT64
//! route: its pairs take the IPv6 path (`vpce-1`), DNS64 or none (the IPv4-only endpoints).

use proptest::prelude::*;
use serde_json::{json, Value};
use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};
use vpce_reach_model::{check, check_exact, trace_pair, PortRange, RuleParameters, Verdict};

const CIDRS: [&str; 8] = [
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.2.0/24",
    "10.0.2.10/32",
    "10.0.3.0/24",
    "10.0.1.10/32",
    "52.216.0.0/15",
];
const PORTS: [(u16, u16); 6] = [
    (443, 443),
    (1024, 65535),
    (0, 1023),
    (32768, 60999),
    (0, 65535),
    (440, 450),
];
/// IPv6 peers of ACL entries and group rules: everything, the VPC, the app subnet, the first
/// endpoint subnet, one endpoint ENI's address.
const CIDRS6: [&str; 5] = [
    "::/0",
    "2600:1f18:0:0::/56",
    "2600:1f18:0:1::/64",
    "2600:1f18:0:2::/64",
    "2600:1f18:0:2::10/128",
];
const GROUPS: [&str; 4] = ["sg-ep", "sg-app", "sg-other", "sg-gone"];

fn arb_acl_entry() -> impl Strategy<Value = Value> {
    (1u16..300, any::<bool>(), any::<bool>(), 0..CIDRS.len(), 0..PORTS.len(), prop_oneof!["6", "-1", "17"], 0u8..4).prop_map(
        |(n, egress, allow, c, p, proto, family)| {
            let mut entry = json!({"RuleNumber": n, "Egress": egress, "RuleAction": if allow {"allow"} else {"deny"}, "Protocol": proto,
                   "CidrBlock": CIDRS[c], "PortRange": {"From": PORTS[p].0, "To": PORTS[p].1}});
            // One entry in four is an IPv6 one (it never matches IPv4 traffic).
            if family == 0 {
                entry.as_object_mut().unwrap().remove("CidrBlock");
                entry["Ipv6CidrBlock"] = json!(CIDRS6[c % CIDRS6.len()]);
            }
            entry
        },
    )
}

fn arb_sg_rule() -> impl Strategy<Value = Value> {
    (0..PORTS.len(), 0..CIDRS.len(), 0u8..5).prop_map(|(p, c, kind)| {
        let peer = match kind {
            0 => json!({"IpRanges": [{"CidrIp": CIDRS[c]}]}),
            4 => json!({"Ipv6Ranges": [{"CidrIpv6": CIDRS6[c % CIDRS6.len()]}]}),
            1 => json!({"UserIdGroupPairs": [{"GroupId": GROUPS[c % GROUPS.len()]}]}),
            2 => json!({"PrefixListIds": [{"PrefixListId": if c % 2 == 0 { "pl-corp" } else { "pl-s3" }}]}),
            _ => json!({"PrefixListIds": [{"PrefixListId": "pl-absent"}]}),
        };
        let mut rule = json!({"IpProtocol": "tcp", "FromPort": PORTS[p].0, "ToPort": PORTS[p].1});
        for (k, v) in peer.as_object().unwrap() {
            rule[k] = v.clone();
        }
        rule
    })
}

#[derive(Debug, Clone)]
struct World {
    app_acl: Vec<Value>,
    ep_acl: Vec<Value>,
    app_egress: Vec<Value>,
    other_egress: Vec<Value>,
    ep_ingress: Vec<Value>,
    /// Ingress of `sg-ep2`, a group of `vpce-3` only.
    ep2_ingress: Vec<Value>,
    /// `vpce-3`'s groups: its own, its own with `vpce-1`'s, `vpce-1`'s (whose answers and
    /// hops it may then share), or its own with one the snapshot lacks.
    ep3_groups: usize,
    /// The app subnet's table routes S3 to the gateway endpoint, or to a NAT gateway.
    s3_route: Option<bool>,
    /// `pl-corp` comes with its entries (else without `Cidrs`: entries unknown).
    corp_entries: bool,
    /// The app subnet's table routes `pl-corp` to a firewall ENI.
    corp_route: bool,
    /// The VPC is dual-stack: `vpce-1` too, and eni-app1 and eni-near have IPv6 addresses.
    dual_stack: bool,
    /// With `dual_stack`: 0 nothing more; else an IPv6-only subnet (on `rtb-app`, `acl-app`)
    /// with the IPv6-only workload eni-v6, 1 without DNS64, 2 with DNS64, 3 with DNS64 and a
    /// `64:ff9b::/96 -> nat-1` route.
    ipv6_only: usize,
}

fn arb_world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(arb_acl_entry(), 0..8),
        prop::collection::vec(arb_acl_entry(), 0..8),
        prop::collection::vec(arb_sg_rule(), 0..5),
        prop::collection::vec(arb_sg_rule(), 0..3),
        prop::collection::vec(arb_sg_rule(), 0..4),
        prop::collection::vec(arb_sg_rule(), 0..4),
        0usize..4,
        prop::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..4,
    )
        .prop_map(
            |(
                app_acl,
                ep_acl,
                app_egress,
                other_egress,
                ep_ingress,
                ep2_ingress,
                ep3_groups,
                s3_route,
                corp_entries,
                corp_route,
                dual_stack,
                ipv6_only,
            )| World {
                app_acl,
                ep_acl,
                app_egress,
                other_egress,
                ep_ingress,
                ep2_ingress,
                ep3_groups,
                s3_route,
                corp_entries,
                corp_route,
                dual_stack,
                ipv6_only,
            },
        )
}

fn eni(id: &str, ip: &str, subnet: &str, groups: &[&str], kind: &str) -> Value {
    let groups: Vec<Value> = groups.iter().map(|g| json!({"GroupId": g})).collect();
    json!({"NetworkInterfaceId": id, "InterfaceType": kind, "SubnetId": subnet, "VpcId": "vpc-1",
           "PrivateIpAddress": ip, "Groups": groups, "Status": "in-use"})
}

fn snapshot(w: &World) -> Snapshot {
    let mut app_routes = vec![json!({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"})];
    match w.s3_route {
        Some(true) => {
            app_routes.push(json!({"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3"}))
        }
        Some(false) => app_routes
            .push(json!({"DestinationCidrBlock": "52.216.0.0/16", "NatGatewayId": "nat-1"})),
        None => {}
    }
    if w.corp_route {
        app_routes
            .push(json!({"DestinationPrefixListId": "pl-corp", "NetworkInterfaceId": "eni-fw"}));
    }
    let mut corp = json!({"PrefixListId": "pl-corp", "PrefixListName": "corp", "Cidrs": ["10.0.2.0/25", "10.0.3.0/24"]});
    if !w.corp_entries {
        corp.as_object_mut().unwrap().remove("Cidrs");
    }
    let ep3_groups: Vec<Value> = [
        &["sg-ep2"][..],
        &["sg-ep2", "sg-ep"],
        &["sg-ep"],
        &["sg-ep2", "sg-gone"],
    ][w.ep3_groups]
        .iter()
        .map(|g| json!({"GroupId": g}))
        .collect();
    let doc = json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [
            {"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
            {"SubnetId": "subnet-ep-a", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"},
            {"SubnetId": "subnet-ep-b", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24"}],
        "NetworkAcls": [
            {"NetworkAclId": "acl-app", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-app"}], "Entries": w.app_acl},
            {"NetworkAclId": "acl-ep", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-ep-a"}, {"SubnetId": "subnet-ep-b"}], "Entries": w.ep_acl}],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
             "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]},
            {"RouteTableId": "rtb-app", "VpcId": "vpc-1", "Associations": [{"Main": false, "SubnetId": "subnet-app"}],
             "Routes": app_routes}],
        "SecurityGroups": [
            {"GroupId": "sg-app", "IpPermissionsEgress": w.app_egress, "IpPermissions": []},
            {"GroupId": "sg-other", "IpPermissionsEgress": w.other_egress, "IpPermissions": []},
            {"GroupId": "sg-ep", "IpPermissions": w.ep_ingress, "IpPermissionsEgress": []},
            {"GroupId": "sg-ep2", "IpPermissions": w.ep2_ingress, "IpPermissionsEgress": []}],
        "PrefixLists": [
            corp,
            {"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["52.216.0.0/15", "3.5.0.0/19"]}],
        "NetworkInterfaces": [
            eni("eni-app1", "10.0.1.10", "subnet-app", &["sg-app"], "interface"),
            eni("eni-app2", "10.0.1.20", "subnet-app", &["sg-app"], "interface"),
            eni("eni-both", "10.0.1.30", "subnet-app", &["sg-app", "sg-other"], "lambda"),
            eni("eni-bare", "10.0.1.40", "subnet-app", &[], "interface"),
            eni("eni-lost", "10.0.1.50", "subnet-app", &["sg-gone"], "interface"),
            eni("eni-near", "10.0.2.50", "subnet-ep-a", &["sg-app"], "interface"),
            eni("eni-ep-a", "10.0.2.10", "subnet-ep-a", &["sg-ep"], "vpc_endpoint"),
            eni("eni-ep-b", "10.0.3.10", "subnet-ep-b", &["sg-ep"], "vpc_endpoint"),
            eni("eni-ep-c", "10.0.1.99", "subnet-app", &["sg-ep"], "vpc_endpoint"),
            eni("eni-ep-d", "10.0.2.11", "subnet-ep-a", &["sg-ep2"], "vpc_endpoint")],
        "VpcEndpoints": [
            {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "PrivateDnsEnabled": true,
             "Groups": [{"GroupId": "sg-ep"}], "NetworkInterfaceIds": ["eni-ep-a", "eni-ep-b"]},
            {"VpcEndpointId": "vpce-2", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.ecr.api", "State": "available", "PrivateDnsEnabled": true,
             "Groups": [{"GroupId": "sg-ep"}], "NetworkInterfaceIds": ["eni-ep-b", "eni-ep-c"]},
            {"VpcEndpointId": "vpce-3", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.ec2messages", "State": "available", "PrivateDnsEnabled": true,
             "Groups": ep3_groups, "NetworkInterfaceIds": ["eni-ep-d"]},
            {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
             "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-app"]}]
    });
    let mut doc = doc;
    if w.dual_stack {
        make_dual_stack(&mut doc);
        if w.ipv6_only > 0 {
            add_ipv6_only(&mut doc, w.ipv6_only);
        }
    }
    let mut b = SnapshotBuilder::new();
    b.add_json("world", &doc.to_string()).unwrap();
    b.finish()
}

/// IPv6 blocks for the VPC and its subnets, the IPv6 local route, IPv6 addresses for two
/// workloads and `vpce-1`'s ENIs, and `vpce-1` dual-stack.
fn make_dual_stack(doc: &mut Value) {
    let block = |cidr: &str| json!([{"Ipv6CidrBlock": cidr}]);
    doc["Vpcs"][0]["Ipv6CidrBlockAssociationSet"] = block("2600:1f18:0:0::/56");
    for (i, subnet) in doc["Subnets"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        subnet["Ipv6CidrBlockAssociationSet"] = block(&format!("2600:1f18:0:{}::/64", i + 1));
    }
    for table in doc["RouteTables"].as_array_mut().unwrap() {
        let local = json!({"DestinationIpv6CidrBlock": "2600:1f18:0:0::/56", "GatewayId": "local"});
        table["Routes"].as_array_mut().unwrap().push(local);
    }
    let v6 = [
        ("eni-app1", "2600:1f18:0:1::10"),
        ("eni-near", "2600:1f18:0:2::50"),
        ("eni-ep-a", "2600:1f18:0:2::10"),
        ("eni-ep-b", "2600:1f18:0:3::10"),
    ];
    for eni in doc["NetworkInterfaces"].as_array_mut().unwrap() {
        if let Some((_, addr)) = v6.iter().find(|(id, _)| eni["NetworkInterfaceId"] == *id) {
            eni["Ipv6Addresses"] = json!([{"Ipv6Address": addr}]);
        }
    }
    doc["VpcEndpoints"][0]["IpAddressType"] = json!("dualstack");
}

/// An IPv6-only subnet (no `CidrBlock`) on `rtb-app` and `acl-app`, DNS64 from `kind` 2 on,
/// the NAT64 route with `kind` 3, and the IPv6-only workload eni-v6 in it.
fn add_ipv6_only(doc: &mut Value, kind: usize) {
    doc["Subnets"].as_array_mut().unwrap().push(json!(
        {"SubnetId": "subnet-v6", "VpcId": "vpc-1", "Ipv6Native": true, "EnableDns64": kind >= 2,
         "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:9::/64"}]}));
    let tables = doc["RouteTables"].as_array_mut().unwrap();
    let app = tables
        .iter_mut()
        .find(|t| t["RouteTableId"] == "rtb-app")
        .unwrap();
    app["Associations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Main": false, "SubnetId": "subnet-v6"}));
    if kind == 3 {
        let nat64 = json!({"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-1"});
        app["Routes"].as_array_mut().unwrap().push(nat64);
    }
    doc["NetworkAcls"][0]["Associations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"SubnetId": "subnet-v6"}));
    let mut v6 = eni("eni-v6", "", "subnet-v6", &["sg-app"], "interface");
    v6.as_object_mut().unwrap().remove("PrivateIpAddress");
    v6["Ipv6Addresses"] = json!([{"Ipv6Address": "2600:1f18:0:9::10"}]);
    doc["NetworkInterfaces"].as_array_mut().unwrap().push(v6);
}

/// Rule parameters: some services required, some on other ports, some reply range.
fn arb_params() -> impl Strategy<Value = RuleParameters> {
    (
        0..PORTS.len(),
        prop_oneof![Just(""), Just("ssm"), Just("ssm,s3"), Just("ecr.api,s3")],
        any::<bool>(),
    )
        .prop_map(|(eph, required, ports)| {
            let mut pairs = vec![(
                "EphemeralPorts".to_string(),
                format!("{}-{}", PORTS[eph].0.max(1), PORTS[eph].1),
            )];
            if !required.is_empty() {
                pairs.push(("RequiredServices".to_string(), required.to_string()));
            }
            if ports {
                pairs.push(("ServicePorts".to_string(), "ecr.api=443+444".to_string()));
            }
            RuleParameters::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap()
        })
}

/// Per workload (every ENI of the world but the endpoints', in id order): ENIs of `vpce-1`
/// reached by the exact trace.
fn reach(snap: &Snapshot, params: &RuleParameters) -> Vec<usize> {
    snap.network_interfaces
        .values()
        .filter(|eni| eni.interface_type.as_deref() != Some("vpc_endpoint"))
        .map(|eni| {
            let (trace, _) = trace_pair(snap, params, &eni.network_interface_id, "vpce-1").unwrap();
            trace.reached()
        })
        .collect()
}

/// 300 cases, or `PROPTEST_CASES` for a longer run (an explicit count would override it).
fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    ProptestConfig::with_cases(cases.unwrap_or(300))
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn check_agrees_with_the_exact_check(world in arb_world(), params in arb_params()) {
        let snap = snapshot(&world);
        let fast = check(&snap, &params);
        let exact = check_exact(&snap, &params);
        prop_assert_eq!(&fast.pairs, &exact.pairs);
        prop_assert_eq!(&fast.findings, &exact.findings);
        prop_assert_eq!(&fast.missing, &exact.missing);
        prop_assert_eq!(&fast.on_path, &exact.on_path);
        prop_assert_eq!(fast, exact);
    }

    #[test]
    fn an_extra_allow_never_removes_reachability(world in arb_world(), entry in arb_acl_entry(), rule in arb_sg_rule(), target in 0u8..3) {
        let params = RuleParameters::default();
        let before = reach(&snapshot(&world), &params);
        let mut more = world.clone();
        let mut entry = entry;
        entry["RuleAction"] = json!("allow");
        match target {
            0 => more.app_acl.push(entry),
            1 => more.ep_acl.push(entry),
            _ => { more.app_egress.push(rule.clone()); more.ep_ingress.push(rule); }
        }
        let after = reach(&snapshot(&more), &params);
        for (b, a) in before.iter().zip(after.iter()) {
            prop_assert!(a >= b, "reach dropped from {} to {}", b, a);
        }
    }
}

#[test]
fn the_worlds_have_every_kind_of_pair() {
    // The generator must reach the cases the fast path shortcuts: blocked and reachable pairs,
    // findings, missing data, gateway pairs. One fixed world of each kind shows it can.
    let open = World {
        app_acl: vec![],
        ep_acl: vec![],
        app_egress: vec![json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
        other_egress: vec![],
        ep_ingress: vec![
            json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}),
        ],
        ep2_ingress: vec![],
        ep3_groups: 0,
        s3_route: Some(true),
        corp_entries: true,
        corp_route: false,
        dual_stack: false,
        ipv6_only: 0,
    };
    let params = RuleParameters::from_pairs([("RequiredServices", "ssm,s3")]).unwrap();
    let report = check(&snapshot(&open), &params);
    // Empty ACLs drop everything crossing subnets: only same-subnet ENIs are reached.
    assert!(
        report
            .pairs
            .iter()
            .any(|p| p.reached > 0 && p.reached < p.targets),
        "{:?}",
        report.pairs
    );
    assert!(!report.findings.is_empty());
    assert!(
        report.missing.iter().any(|m| m.resource == "sg-gone"),
        "{:?}",
        report.missing
    );
    assert!(report.pairs.iter().any(|p| p.endpoint == "vpce-s3"));
    assert_eq!(report, check_exact(&snapshot(&open), &params));
    // Dual-stack, sg-ep admitting IPv4 only: eni-app1's pair with vpce-1 has an IPv6 target
    // per ENI besides the IPv4 ones, and those are blocked.
    let dual = World {
        dual_stack: true,
        ..open.clone()
    };
    let report = check(&snapshot(&dual), &params);
    let pair = report
        .pairs
        .iter()
        .find(|p| p.workload == "eni-app1" && p.endpoint == "vpce-1")
        .unwrap();
    assert_eq!(pair.targets, 4, "{:?}", report.pairs);
    assert!(pair.reached < 4);
    assert_eq!(report, check_exact(&snapshot(&dual), &params)); // An IPv6-only workload (V8) in each DNS64 setting: a pair with every endpoint, decided
                                                                // by its family (the IPv6 path to vpce-1, DNS64 or nothing to the others, never usable
                                                                // for the IPv4 gateway endpoint), and the same report from both checks.
    for kind in 1..4 {
        let v6 = World {
            ipv6_only: kind,
            ..dual.clone()
        };
        let report = check(&snapshot(&v6), &params);
        let pairs: Vec<_> = report
            .pairs
            .iter()
            .filter(|p| p.workload == "eni-v6")
            .collect();
        assert!(pairs.iter().any(|p| p.endpoint == "vpce-1"), "{pairs:?}");
        assert!(
            pairs
                .iter()
                .any(|p| p.endpoint == "vpce-s3" && p.verdict == Verdict::Blocked),
            "{pairs:?}"
        );
        assert_eq!(report, check_exact(&snapshot(&v6), &params), "kind {kind}");
    }
}

#[test]
fn synthetic_accounts_agree_with_the_exact_check() {
    for seed in 1..=3 {
        let mut params = vpce_reach_synth::SynthParams::small().with_seed(seed);
        params.misconfig_percent = 30;
        let mut b = SnapshotBuilder::new();
        for (name, doc) in vpce_reach_synth::generate(&params) {
            b.add_json(&name, &doc.to_string()).unwrap();
        }
        let snap = b.finish();
        for rule in [
            RuleParameters::default(),
            RuleParameters::from_pairs([("RequiredServices", "ssm,s3,logs")]).unwrap(),
        ] {
            let fast = check(&snap, &rule);
            assert!(!fast.findings.is_empty() && !fast.pairs.is_empty());
            assert_eq!(fast, check_exact(&snap, &rule), "seed {seed}");
        }
    }
}

#[test]
fn synthetic_accounts_without_misconfiguration_have_no_findings() {
    // The generator's misconfigurations come from its knob alone: at 0 % every pair that
    // anybody requires gets through (the benchmarks' "sprinkling" is then the knob's).
    let mut params = vpce_reach_synth::SynthParams::medium();
    params.misconfig_percent = 0;
    let mut b = SnapshotBuilder::new();
    for (name, doc) in vpce_reach_synth::generate(&params) {
        b.add_json(&name, &doc.to_string()).unwrap();
    }
    let report = check(&b.finish(), &RuleParameters::default());
    assert!(report.pairs.len() > 1000, "{} pairs", report.pairs.len());
    let blocked: Vec<&str> = report
        .findings
        .iter()
        .take(5)
        .map(|f| f.detail.as_str())
        .collect();
    assert!(
        report.findings.is_empty(),
        "{} findings, first: {blocked:#?}",
        report.findings.len()
    );
}

#[test]
fn reply_ports_are_a_parameter() {
    let params = RuleParameters {
        ephemeral_ports: PortRange {
            first: 1024,
            last: 65535,
        },
        ..RuleParameters::default()
    };
    let open = World {
        app_acl: vec![
            json!({"RuleNumber": 1, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}),
            json!({"RuleNumber": 1, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}),
        ],
        ep_acl: vec![
            json!({"RuleNumber": 1, "Egress": true, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
                            "PortRange": {"From": 32768, "To": 60999}}),
            json!({"RuleNumber": 2, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}),
        ],
        app_egress: vec![json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
        other_egress: vec![],
        ep_ingress: vec![json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
        ep2_ingress: vec![],
        ep3_groups: 0,
        s3_route: None,
        corp_entries: true,
        corp_route: false,
        dual_stack: false,
        ipv6_only: 0,
    };
    // The endpoint subnets answer only 32768-60999: too narrow for 1024-65535.
    assert_eq!(reach(&snapshot(&open), &params)[0], 0);
    let narrow = RuleParameters {
        ephemeral_ports: PortRange {
            first: 32768,
            last: 60999,
        },
        ..params
    };
    assert_eq!(reach(&snapshot(&open), &narrow)[0], 2);
}
