//! The snapshot loader on hostile and partial directories (issue 13, points 3 and 5-8): links
//! that loop, special files, huge files, text that is not UTF-8, malformed rule ports, copies
//! of one resource, and snapshots that lack describe calls.

use std::path::Path;

use vpce_reach_model::snapshot::load::{load_dir, LoadError, SnapshotBuilder};
use vpce_reach_model::snapshot::walk::MAX_FILE_BYTES;
use vpce_reach_model::snapshot::DescribeCall;

/// Every describe call a check needs, as small documents (one VPC, subnet, table, ACL, group,
/// ENI and endpoint).
fn complete(dir: &Path) {
    let docs = [
        (
            "vpcs.json",
            r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}"#,
        ),
        (
            "subnets.json",
            r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}"#,
        ),
        (
            "route-tables.json",
            r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true}],
                "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]}]}"#,
        ),
        (
            "network-acls.json",
            r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Entries": [
                {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
                {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}]}"#,
        ),
        (
            "security-groups.json",
            r#"{"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1",
                "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#,
        ),
        (
            "network-interfaces.json",
            r#"{"NetworkInterfaces": [
                {"NetworkInterfaceId": "eni-w", "InterfaceType": "interface", "SubnetId": "subnet-1", "VpcId": "vpc-1",
                 "PrivateIpAddress": "10.0.1.10", "Groups": [{"GroupId": "sg-1"}], "Status": "in-use"},
                {"NetworkInterfaceId": "eni-e", "InterfaceType": "vpc_endpoint", "RequesterManaged": true, "SubnetId": "subnet-1",
                 "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.20", "Groups": [{"GroupId": "sg-1"}], "Status": "in-use"}]}"#,
        ),
        (
            "vpc-endpoints.json",
            r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
                "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available", "Groups": [{"GroupId": "sg-1"}],
                "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-e"], "PrivateDnsEnabled": true}]}"#,
        ),
    ];
    for (name, text) in docs {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn complete_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    complete(dir.path());
    dir
}

fn add(b: &mut SnapshotBuilder, name: &str, text: &str) -> Result<(), LoadError> {
    b.add_json(name, text)
}

#[cfg(unix)]
#[test]
fn links_that_loop_are_walked_once() {
    let dir = complete_dir();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    // Two links to `.` and one to the parent: before, the walk was exponential (a hang).
    for (link, target) in [("a", "."), ("b", "."), ("c", "..")] {
        std::os::unix::fs::symlink(target, sub.join(link)).unwrap();
    }
    std::os::unix::fs::symlink("sub", dir.path().join("again")).unwrap();
    let snap = load_dir(dir.path()).unwrap();
    assert_eq!(snap.vpc_endpoints.len(), 1);
    assert!(
        !snap.notes.iter().any(|n| n.contains("identical copies")),
        "each real file is read once: {:?}",
        snap.notes
    );
}

#[cfg(unix)]
#[test]
fn a_second_link_to_a_file_is_read_once() {
    let dir = complete_dir();
    std::os::unix::fs::symlink("vpcs.json", dir.path().join("z-vpcs.json")).unwrap();
    let snap = load_dir(dir.path()).unwrap();
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("z-vpcs.json") && n.contains("second link")),
        "{:?}",
        snap.notes
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_json_is_skipped_with_a_note() {
    let dir = complete_dir();
    let fifo = dir.path().join("x.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Before, reading it blocked forever.
    let snap = load_dir(dir.path()).unwrap();
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("x.json") && n.contains("FIFO") && n.contains("skipped")),
        "{:?}",
        snap.notes
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_is_skipped_not_read() {
    let dir = complete_dir();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    let snap = load_dir(dir.path()).unwrap();
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("zero.json") && n.contains("character device")),
        "{:?}",
        snap.notes
    );
}

#[test]
fn a_huge_sparse_file_is_refused_without_reading_it() {
    let dir = complete_dir();
    let big = dir.path().join("big.json");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(4 * 1024 * 1024 * 1024).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::TooLarge { limit, .. } if limit == MAX_FILE_BYTES));
    let message = err.to_string();
    assert!(message.contains("big.json"), "{message}");
    assert!(message.contains(&MAX_FILE_BYTES.to_string()), "{message}");
}

#[test]
fn missing_and_non_directory_paths_say_which() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_dir(&dir.path().join("nope")).unwrap_err();
    assert!(err.to_string().ends_with("no such directory"), "{err}");
    let file = dir.path().join("f.json");
    std::fs::write(&file, "{}").unwrap();
    let err = load_dir(&file).unwrap_err();
    assert!(err.to_string().ends_with("not a directory"), "{err}");
}

#[test]
fn an_empty_or_unrelated_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(
        matches!(err, LoadError::NothingRecognised { files: 0, .. }),
        "{err}"
    );
    std::fs::write(dir.path().join("package.json"), r#"{"name": "x"}"#).unwrap();
    std::fs::write(dir.path().join("list.json"), "[1, 2]").unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(
        matches!(err, LoadError::NothingRecognised { files: 2, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("none of its 2 *.json files"),
        "{err}"
    );
}

#[test]
fn a_partial_snapshot_names_the_missing_calls() {
    let dir = complete_dir();
    std::fs::remove_file(dir.path().join("vpc-endpoints.json")).unwrap();
    std::fs::remove_file(dir.path().join("network-interfaces.json")).unwrap();
    let snap = load_dir(dir.path()).unwrap();
    assert_eq!(
        snap.coverage.absent(),
        vec![DescribeCall::NetworkInterfaces, DescribeCall::VpcEndpoints]
    );
    assert_eq!(
        snap.coverage.absent_commands(),
        "describe-network-interfaces, describe-vpc-endpoints"
    );
    // An empty answer is an answer.
    std::fs::write(dir.path().join("e.json"), r#"{"VpcEndpoints": []}"#).unwrap();
    std::fs::write(dir.path().join("n.json"), r#"{"NetworkInterfaces": []}"#).unwrap();
    assert!(load_dir(dir.path()).unwrap().coverage.absent().is_empty());
}

#[test]
fn a_partial_snapshot_proves_nothing_compliant() {
    use vpce_reach_model::{evaluations, ComplianceType};
    let dir = complete_dir();
    let params = Default::default();
    let whole = load_dir(dir.path()).unwrap();
    let report = vpce_reach_model::check(&whole, &params);
    assert!(whole.coverage.gaps(&report).is_empty());
    assert!(evaluations(&whole, &report)
        .iter()
        .any(|e| e.compliance_type == ComplianceType::Compliant));

    std::fs::remove_file(dir.path().join("vpcs.json")).unwrap();
    let partial = load_dir(dir.path()).unwrap();
    let mut report = vpce_reach_model::check(&partial, &params);
    report.missing.extend(partial.coverage.gaps(&report));
    let evaluations = evaluations(&partial, &report);
    assert!(!evaluations.is_empty());
    for e in &evaluations {
        assert_ne!(e.compliance_type, ComplianceType::Compliant, "{e:?}");
    }
    assert!(
        evaluations
            .iter()
            .any(|e| e.annotation.contains("no describe-vpcs output")),
        "{evaluations:?}"
    );
}

#[test]
fn a_byte_order_mark_is_accepted_with_a_note() {
    let dir = complete_dir();
    let text = std::fs::read(dir.path().join("vpcs.json")).unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(text);
    std::fs::write(dir.path().join("vpcs.json"), with_bom).unwrap();
    let snap = load_dir(dir.path()).unwrap();
    assert_eq!(snap.vpcs.len(), 1);
    assert!(
        snap.notes
            .iter()
            .any(|n| n.contains("vpcs.json") && n.contains("byte-order mark")),
        "{:?}",
        snap.notes
    );
}

#[test]
fn utf16_and_invalid_utf8_name_the_file_and_offset() {
    let dir = complete_dir();
    std::fs::write(dir.path().join("w.json"), b"\xFF\xFE{\x00}\x00").unwrap();
    let err = load_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("w.json") && err.contains("UTF-16"), "{err}");
    std::fs::write(dir.path().join("w.json"), b"{\"Vpcs\": [\xC3\x28]}").unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(
        matches!(err, LoadError::NotUtf8 { offset: 10, .. }),
        "{err}"
    );
    let err = err.to_string();
    assert!(
        err.contains("w.json") && err.contains("byte offset 10"),
        "{err}"
    );
}

/// A security group document with one ingress rule.
fn sg_rule(rule: &str) -> String {
    format!("{{\"SecurityGroups\": [{{\"GroupId\": \"sg-1\",\n  \"IpPermissions\": [{rule}]}}]}}")
}

#[test]
fn malformed_rule_ports_are_errors_with_a_position() {
    for rule in [
        r#"{"IpProtocol": "tcp", "FromPort": 443}"#,
        r#"{"IpProtocol": "tcp", "ToPort": 443}"#,
        r#"{"IpProtocol": "udp"}"#,
        r#"{"IpProtocol": "tcp", "FromPort": -1, "ToPort": -1}"#,
        r#"{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65536}"#,
        r#"{"IpProtocol": "6", "FromPort": 500, "ToPort": 400}"#,
    ] {
        let err = add(&mut SnapshotBuilder::new(), "sg.json", &sg_rule(rule)).unwrap_err();
        assert!(
            matches!(&err, LoadError::Malformed { line: 2, column, .. } if *column > 0),
            "{rule}: {err}"
        );
        assert!(err.to_string().starts_with("sg.json:2:"), "{err}");
    }
    let acl = r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0"}]}]}"#;
    let err = add(&mut SnapshotBuilder::new(), "acl.json", acl).unwrap_err();
    assert!(
        err.to_string().starts_with("acl.json:2:") && err.to_string().contains("PortRange"),
        "{err}"
    );
}

#[test]
fn what_aws_really_emits_stays_valid() {
    for rule in [
        // All traffic: no ports.
        r#"{"IpProtocol": "-1"}"#,
        // ICMP: type and code, -1 meaning all.
        r#"{"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}"#,
        r#"{"IpProtocol": "icmp", "FromPort": 8, "ToPort": 0}"#,
        r#"{"IpProtocol": "icmpv6", "FromPort": -1, "ToPort": -1}"#,
        r#"{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535}"#,
        r#"{"IpProtocol": "50"}"#,
    ] {
        add(&mut SnapshotBuilder::new(), "sg.json", &sg_rule(rule))
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
    }
    let acl = r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
        {"RuleNumber": 1, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 2, "Egress": false, "RuleAction": "allow", "Protocol": "1", "CidrBlock": "0.0.0.0/0",
         "IcmpTypeCode": {"Type": -1, "Code": -1}},
        {"RuleNumber": 3, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
         "PortRange": {"From": 1024, "To": 65535}}]}]}"#;
    add(&mut SnapshotBuilder::new(), "acl.json", acl).unwrap();
}

const S3_LIST: &str = r#"{"PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "com.amazonaws.us-east-1.s3",
    "Cidrs": ["52.216.0.0/15"]}]}"#;
/// `describe-managed-prefix-lists`: same key, same id, no `Cidrs`.
const S3_MANAGED: &str = r#"{"PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "com.amazonaws.us-east-1.s3",
    "AddressFamily": "IPv4", "MaxEntries": 100}]}"#;

#[test]
fn a_cidr_less_copy_of_a_prefix_list_never_shadows_the_real_one() {
    for order in [[S3_MANAGED, S3_LIST], [S3_LIST, S3_MANAGED]] {
        let mut b = SnapshotBuilder::new();
        add(&mut b, "a.json", order[0]).unwrap();
        add(&mut b, "b.json", order[1]).unwrap();
        let snap = b.finish();
        let list = &snap.prefix_lists["pl-1"];
        assert_eq!(list.cidrs, vec!["52.216.0.0/15".parse().unwrap()]);
        assert_eq!(list.prefix_list_name, "com.amazonaws.us-east-1.s3");
        assert!(
            snap.notes
                .iter()
                .any(|n| n.contains("pl-1") && n.contains("merged")),
            "{:?}",
            snap.notes
        );
    }
}

/// A list no copy of which gives `Cidrs` has unknown entries, not none (issue 13, item 4):
/// it is kept out of `prefix_lists`, so whatever names it is missing data; `"Cidrs": []` is a
/// real empty list.
#[test]
fn a_prefix_list_without_any_cidrs_is_not_an_empty_list() {
    let mut b = SnapshotBuilder::new();
    add(&mut b, "managed.json", S3_MANAGED).unwrap();
    let snap = b.finish();
    assert!(!snap.prefix_lists.contains_key("pl-1"));
    assert_eq!(
        snap.prefix_lists_without_entries["pl-1"],
        "com.amazonaws.us-east-1.s3"
    );
    let mut b = SnapshotBuilder::new();
    add(
        &mut b,
        "empty.json",
        &S3_LIST.replace("\"52.216.0.0/15\"", ""),
    )
    .unwrap();
    let snap = b.finish();
    assert!(snap.prefix_lists["pl-1"].cidrs.is_empty());
    assert!(snap.prefix_lists_without_entries.is_empty());
}

#[test]
fn different_copies_of_one_resource_are_a_conflict_naming_both_files() {
    let other = S3_LIST.replace("52.216.0.0/15", "3.5.0.0/20");
    let mut b = SnapshotBuilder::new();
    add(&mut b, "a.json", S3_LIST).unwrap();
    let err = add(&mut b, "b.json", &other).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a.json") && text.contains("b.json") && text.contains("pl-1"),
        "{text}"
    );

    let one = sg_rule(r#"{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}"#);
    let two = sg_rule(r#"{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}"#);
    let mut b = SnapshotBuilder::new();
    add(&mut b, "first.json", &one).unwrap();
    // The same copy again is kept once, with a note.
    add(&mut b, "same.json", &one).unwrap();
    let err = add(&mut b, "second.json", &two).unwrap_err();
    assert!(
        matches!(&err, LoadError::Conflict { id, first, second }
            if id == "sg-1" && first == "first.json" && second == "second.json"),
        "{err}"
    );
}

#[test]
fn vpc_dns_attributes_follow_the_same_rule() {
    let support =
        |v: bool| format!(r#"{{"VpcId": "vpc-1", "EnableDnsSupport": {{"Value": {v}}}}}"#);
    let hostnames = r#"{"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": false}}"#;
    let mut b = SnapshotBuilder::new();
    add(&mut b, "s.json", &support(true)).unwrap();
    add(&mut b, "h.json", hostnames).unwrap();
    add(&mut b, "s2.json", &support(true)).unwrap();
    let err = add(&mut b, "s3.json", &support(false)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("s.json") && text.contains("s3.json") && text.contains("enableDnsSupport"),
        "{text}"
    );
    let snap = {
        let mut b = SnapshotBuilder::new();
        add(&mut b, "s.json", &support(true)).unwrap();
        add(&mut b, "h.json", hostnames).unwrap();
        b.finish()
    };
    let dns = snap.vpc_dns["vpc-1"];
    assert_eq!(
        (dns.enable_dns_support, dns.enable_dns_hostnames),
        (Some(true), Some(false))
    );
}
