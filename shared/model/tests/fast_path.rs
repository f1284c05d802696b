//! Property tests with independent oracles at the level of whole pairs:
//! - the compiled fast path of `check` agrees with the exact, explained trace of `explain`;
//! - adding an allow rule (to a security group or a network ACL) never removes reachability.

use proptest::prelude::*;
use serde_json::{json, Value};
use vpce_reach_model::compiled::{Compiled, FastPath};
use vpce_reach_model::endpoint::Endpoint;
use vpce_reach_model::intent;
use vpce_reach_model::params::RuleParameters;
use vpce_reach_model::path;
use vpce_reach_model::snapshot::{Snapshot, SnapshotBuilder};

const CIDRS: [&str; 7] = ["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24", "10.0.2.10/32", "10.0.3.0/24", "10.0.1.10/32"];
const PORTS: [(u16, u16); 6] = [(443, 443), (1024, 65535), (0, 1023), (32768, 60999), (0, 65535), (440, 450)];

fn arb_acl_entry() -> impl Strategy<Value = Value> {
    (1u16..300, any::<bool>(), any::<bool>(), 0..CIDRS.len(), 0..PORTS.len(), prop_oneof!["6", "-1", "17"]).prop_map(
        |(n, egress, allow, c, p, proto)| {
            json!({"RuleNumber": n, "Egress": egress, "RuleAction": if allow {"allow"} else {"deny"}, "Protocol": proto,
                   "CidrBlock": CIDRS[c], "PortRange": {"From": PORTS[p].0, "To": PORTS[p].1}})
        },
    )
}

fn arb_sg_rule() -> impl Strategy<Value = Value> {
    (0..PORTS.len(), 0..CIDRS.len(), 0u8..3).prop_map(|(p, c, kind)| {
        let peer = match kind {
            0 => json!({"IpRanges": [{"CidrIp": CIDRS[c]}]}),
            1 => json!({"UserIdGroupPairs": [{"GroupId": if c % 2 == 0 { "sg-ep" } else { "sg-app" }}]}),
            _ => json!({"PrefixListIds": [{"PrefixListId": "pl-corp"}]}),
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
    ep_ingress: Vec<Value>,
}

fn arb_world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(arb_acl_entry(), 0..8),
        prop::collection::vec(arb_acl_entry(), 0..8),
        prop::collection::vec(arb_sg_rule(), 0..5),
        prop::collection::vec(arb_sg_rule(), 0..4),
    )
        .prop_map(|(app_acl, ep_acl, app_egress, ep_ingress)| World { app_acl, ep_acl, app_egress, ep_ingress })
}

fn eni(id: &str, ip: &str, subnet: &str, group: &str, kind: &str) -> Value {
    json!({"NetworkInterfaceId": id, "InterfaceType": kind, "SubnetId": subnet, "VpcId": "vpc-1",
           "PrivateIpAddress": ip, "Groups": [{"GroupId": group}], "Status": "in-use"})
}

fn snapshot(w: &World) -> Snapshot {
    let doc = json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [
            {"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
            {"SubnetId": "subnet-ep-a", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"},
            {"SubnetId": "subnet-ep-b", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24"}],
        "NetworkAcls": [
            {"NetworkAclId": "acl-app", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-app"}], "Entries": w.app_acl},
            {"NetworkAclId": "acl-ep", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-ep-a"}, {"SubnetId": "subnet-ep-b"}], "Entries": w.ep_acl}],
        "RouteTables": [{"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
                         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]}],
        "SecurityGroups": [
            {"GroupId": "sg-app", "IpPermissionsEgress": w.app_egress, "IpPermissions": []},
            {"GroupId": "sg-ep", "IpPermissions": w.ep_ingress, "IpPermissionsEgress": []}],
        "PrefixLists": [{"PrefixListId": "pl-corp", "PrefixListName": "corp", "Cidrs": ["10.0.2.0/25", "10.0.3.0/24"]}],
        "NetworkInterfaces": [
            eni("eni-app1", "10.0.1.10", "subnet-app", "sg-app", "interface"),
            eni("eni-app2", "10.0.1.20", "subnet-app", "sg-app", "interface"),
            eni("eni-near", "10.0.2.50", "subnet-ep-a", "sg-app", "interface"),
            eni("eni-ep-a", "10.0.2.10", "subnet-ep-a", "sg-ep", "vpc_endpoint"),
            eni("eni-ep-b", "10.0.3.10", "subnet-ep-b", "sg-ep", "vpc_endpoint")],
        "VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
                          "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "PrivateDnsEnabled": true,
                          "Groups": [{"GroupId": "sg-ep"}], "NetworkInterfaceIds": ["eni-ep-a", "eni-ep-b"]}]
    });
    let mut b = SnapshotBuilder::new();
    b.add_json("world", &doc.to_string()).unwrap();
    b.finish()
}

/// Per workload: (ENIs reached by the fast path, ENIs reached by the exact trace).
fn reach(snap: &Snapshot, params: &RuleParameters) -> Vec<(Option<usize>, usize)> {
    let workloads = intent::workloads(snap, params);
    let ep = Endpoint::resolve(snap, &snap.vpc_endpoints["vpce-1"], params).unwrap();
    let compiled = Compiled::new(snap);
    let mut fast = FastPath::new(&compiled, params.ephemeral_ports);
    workloads
        .iter()
        .map(|w| {
            let exact = path::trace(snap, params, w, &ep).reached();
            (fast.interface_reached(w, &ep), exact)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_path_agrees_with_the_exact_trace(world in arb_world(), eph in 0..PORTS.len()) {
        let snap = snapshot(&world);
        let params = RuleParameters { ephemeral_ports: vpce_reach_model::space::PortRange { first: PORTS[eph].0.max(1), last: PORTS[eph].1 }, ..RuleParameters::default() };
        for (fast, exact) in reach(&snap, &params) {
            prop_assert_eq!(fast, Some(exact));
        }
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
        for ((_, b), (_, a)) in before.iter().zip(after.iter()) {
            prop_assert!(a >= b, "reach dropped from {} to {}", b, a);
        }
    }
}
