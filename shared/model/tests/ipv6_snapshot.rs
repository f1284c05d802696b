//! The IPv6 fields of the describe outputs (docs/spec.md section 12, docs/snapshot-format.md
//! "IPv6 and dual-stack"): read as AWS prints them, validated where a bad value would be
//! silently ignored, and absent from IPv4-only dumps without changing anything.

use vpce_reach_model::snapshot::{LoadError, Snapshot, SnapshotBuilder};

fn load(text: &str) -> Result<Snapshot, LoadError> {
    let mut b = SnapshotBuilder::new();
    b.add_json("ipv6.json", text)?;
    Ok(b.finish())
}

const DUAL_STACK: &str = r#"{
  "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
    "Ipv6CidrBlockAssociationSet": [
      {"AssociationId": "a-1", "Ipv6CidrBlock": "2600:1f18:aaaa:bb00::/56",
       "Ipv6CidrBlockState": {"State": "associated"}, "NetworkBorderGroup": "us-east-1"},
      {"AssociationId": "a-2", "Ipv6CidrBlock": "2600:1f18:cccc:dd00::/56",
       "Ipv6CidrBlockState": {"State": "disassociated"}}]}],
  "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
    "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:aaaa:bb01::/64",
      "Ipv6CidrBlockState": {"State": "associated"}}],
    "Ipv6Native": false, "EnableDns64": true, "AssignIpv6AddressOnCreation": true}],
  "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
    {"DestinationIpv6CidrBlock": "2600:1f18:aaaa:bb00::/56", "GatewayId": "local", "State": "active"},
    {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"},
    {"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-1", "State": "active"}]}],
  "NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Entries": [
    {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
    {"RuleNumber": 101, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
    {"RuleNumber": 32767, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}]}],
  "SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [],
     "Ipv6Ranges": [{"CidrIpv6": "2600:1f18:aaaa:bb00::/56", "Description": "vpc"}]}]}],
  "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
    "PrivateIpAddress": "10.0.1.5",
    "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:aaaa:bb01::5", "IsPrimaryIpv6": false}]}],
  "VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
    "ServiceName": "com.amazonaws.us-east-1.ssm", "IpAddressType": "dualstack",
    "DnsOptions": {"DnsRecordIpType": "service-defined"}}],
  "PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "mixed", "Cidrs": ["10.9.0.0/16", "2600:1f18::/32"]}]
}"#;

#[test]
fn dual_stack_fields_are_read() {
    let snap = load(DUAL_STACK).unwrap();
    let vpc = &snap.vpcs["vpc-1"];
    let vpc6: Vec<String> = vpc.ipv6_cidrs().map(|n| n.to_string()).collect();
    assert_eq!(
        vpc6,
        ["2600:1f18:aaaa:bb00::/56"],
        "the disassociated block is not the VPC's"
    );
    let subnet = &snap.subnets["subnet-1"];
    assert!(subnet.enable_dns64 && !subnet.ipv6_native);
    assert_eq!(
        subnet
            .ipv6_cidrs()
            .map(|n| n.to_string())
            .collect::<Vec<_>>(),
        ["2600:1f18:aaaa:bb01::/64"]
    );
    let routes = &snap.route_tables["rtb-1"].routes;
    assert_eq!(
        routes[1].ipv6_destination().unwrap().unwrap().to_string(),
        "2600:1f18:aaaa:bb00::/56"
    );
    assert_eq!(
        routes[2].egress_only_internet_gateway_id.as_deref(),
        Some("eigw-1")
    );
    assert_eq!(routes[3].nat_gateway_id.as_deref(), Some("nat-1"));
    assert!(routes[0].ipv6_destination().is_none());
    let entries = &snap.network_acls["acl-1"].entries;
    assert_eq!(entries[1].ipv6_cidr().unwrap().to_string(), "::/0");
    assert!(entries[0].ipv6_cidr().is_none());
    let rule = &snap.security_groups["sg-1"].ip_permissions[0];
    assert_eq!(
        rule.ipv6_ranges[0].cidr_ipv6.to_string(),
        "2600:1f18:aaaa:bb00::/56"
    );
    let eni = &snap.network_interfaces["eni-1"];
    assert_eq!(
        eni.ipv6_addresses[0].ipv6_address.to_string(),
        "2600:1f18:aaaa:bb01::5"
    );
    let ep = &snap.vpc_endpoints["vpce-1"];
    assert_eq!(ep.ip_address_type.as_deref(), Some("dualstack"));
    assert_eq!(
        ep.dns_options
            .as_ref()
            .and_then(|d| d.dns_record_ip_type.as_deref()),
        Some("service-defined")
    );
    assert_eq!(snap.prefix_lists["pl-1"].cidrs.len(), 2);
}

#[test]
fn ipv4_only_dumps_have_empty_ipv6_fields() {
    let snap = load(
        r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}],
            "VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
                              "ServiceName": "com.amazonaws.us-east-1.s3"}]}"#,
    )
    .unwrap();
    let subnet = &snap.subnets["subnet-1"];
    assert!(!subnet.ipv6_native && !subnet.enable_dns64);
    assert_eq!(subnet.ipv6_cidrs().count(), 0);
    let ep = &snap.vpc_endpoints["vpce-1"];
    assert!(ep.ip_address_type.is_none() && ep.dns_options.is_none());
}

/// An IPv6-only subnet has no `CidrBlock` (spec V8): it loads, with its IPv6 block; a subnet
/// that is not IPv6-only and has no `CidrBlock` is an error naming it, not serde's bare
/// "missing field".
#[test]
fn ipv6_only_subnets_load_and_others_need_a_cidr_block() {
    let snap = load(
        r#"{"Subnets": [{"SubnetId": "subnet-6", "VpcId": "vpc-1", "Ipv6Native": true,
            "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:aaaa:bb02::/64"}]}]}"#,
    )
    .unwrap();
    let subnet = &snap.subnets["subnet-6"];
    assert!(subnet.ipv6_native && subnet.cidr_block.is_none());
    assert_eq!(
        subnet.ipv6_cidrs().next(),
        Some("2600:1f18:aaaa:bb02::/64".parse().unwrap())
    );
    let err = load(r#"{"Subnets": [{"SubnetId": "subnet-7", "VpcId": "vpc-1"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("ipv6.json"), "{err}");
    assert!(err.contains("subnet-7 has no `CidrBlock`"), "{err}");
}

#[test]
fn malformed_ipv6_values_are_errors_naming_the_field() {
    let err = load(
        r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
            {"RuleNumber": 101, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "Ipv6CidrBlock": "::/200"}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("Ipv6CidrBlock") && err.contains("101"),
        "{err}"
    );
    let err = load(
        r#"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissionsEgress": [
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "10.0.0.0/8"}]}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("ipv6.json"), "{err}");
    // A route's IPv6 destination is read where it is used: a bad one says so.
    let snap = load(
        r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
            {"DestinationIpv6CidrBlock": "not-a-cidr", "GatewayId": "igw-1"}]}]}"#,
    )
    .unwrap();
    let bad = snap.route_tables["rtb-1"].routes[0]
        .ipv6_destination()
        .unwrap();
    assert!(bad.unwrap_err().contains("DestinationIpv6CidrBlock"));
}

/// A security group rule stays at 128 bytes with its IPv6 peers: the compiler moves a struct of
/// that size inline, and a large account parses hundreds of thousands of rules (at 136 bytes
/// every move became a `memcpy` call: +3 % parse instructions on the `large` bench).
#[test]
fn a_rule_with_ipv6_peers_stays_inline_sized() {
    assert!(std::mem::size_of::<vpce_reach_model::snapshot::IpPermission>() <= 128);
}
