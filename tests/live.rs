//! `vpce-reach snapshot --out` and `check --live` against moto's EC2 (feature `live`).
//! Without the feature, both exit 2 and say how to build them.

use std::process::Command;

/// Runs the CLI with the standard AWS environment pointed at `endpoint` (none: no AWS at all).
fn run(args: &[&str], endpoint: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpce-reach"));
    cmd.args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE");
    if let Some(url) = endpoint {
        cmd.env("AWS_ENDPOINT_URL", url);
    }
    let out = cmd.output().expect("run vpce-reach");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

#[cfg(not(feature = "live"))]
#[test]
fn live_commands_need_the_feature() {
    for args in [&["snapshot", "--out", "x"][..], &["check", "--live"][..]] {
        let (code, _, stderr) = run(args, None);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains("--features live"), "{stderr}");
    }
}

#[cfg(feature = "live")]
mod live {
    use super::run;
    use aws_sdk_ec2::types::{IpPermission, UserIdGroupPair, VpcEndpointType};
    use vpce_reach_testkit::{sdk_config, MotoServer};

    /// A VPC with an SSM endpoint whose group admits nobody, and one workload: `check` finds
    /// ENDPOINT_UNREACHABLE. Returns (vpc, endpoint).
    async fn network(url: &str) -> (String, String) {
        let ec2 = vpce_reach_aws::ec2_client(&sdk_config(url)).await;
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.0.0.0/16")
            .send()
            .await
            .unwrap();
        let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block("10.0.1.0/24")
            .send()
            .await
            .unwrap();
        let subnet = subnet.subnet().unwrap().subnet_id().unwrap().to_owned();
        let sg = ec2
            .create_security_group()
            .vpc_id(&vpc)
            .group_name("ep")
            .description("ep")
            .send()
            .await
            .unwrap();
        let sg = sg.group_id().unwrap().to_owned();
        let other = ec2
            .create_security_group()
            .vpc_id(&vpc)
            .group_name("x")
            .description("x")
            .send()
            .await
            .unwrap();
        let rule = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(other.group_id().unwrap())
                    .build(),
            )
            .build();
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(rule)
            .send()
            .await
            .unwrap();
        let ep = ec2
            .create_vpc_endpoint()
            .vpc_id(&vpc)
            .service_name("com.amazonaws.us-east-1.ssm")
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .subnet_ids(&subnet)
            .security_group_ids(&sg)
            .send()
            .await
            .unwrap();
        let ep = ep
            .vpc_endpoint()
            .unwrap()
            .vpc_endpoint_id()
            .unwrap()
            .to_owned();
        ec2.run_instances()
            .image_id("ami-12c6146b")
            .min_count(1)
            .max_count(1)
            .subnet_id(&subnet)
            .send()
            .await
            .unwrap();
        (vpc, ep)
    }

    fn verdict(json: &serde_json::Value, id: &str) -> String {
        let evaluations = json["evaluations"].as_array().unwrap();
        let e = evaluations
            .iter()
            .find(|e| e["ComplianceResourceId"] == id)
            .unwrap_or_else(|| panic!("no {id}"));
        e["ComplianceType"].as_str().unwrap().to_owned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn snapshot_then_check_equals_check_live() {
        // Patched: Route 53 Profiles and filtered endpoint-service calls answer as AWS does.
        let server = MotoServer::start_patched();
        let url = server.endpoint_url();
        let (vpc, ep) = network(&url).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let (code, _, stderr) = run(&["snapshot", "--out", out, "--vpc", &vpc], Some(&url));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("DescribeVpcs: 1 VPCs"),
            "progress on stderr: {stderr}"
        );
        for file in [
            "vpcs.json",
            "subnets.json",
            "security-groups.json",
            "vpc-endpoints.json",
            "prefix-lists.json",
            // DNS is collected by default.
            "hosted-zones.json",
            "resolver-rules.json",
            &format!("zones-by-vpc-{vpc}.json"),
        ] {
            assert!(dir.path().join(file).is_file(), "{file}");
        }
        let (code, offline, _) = run(&["check", out, "--format", "json"], None);
        assert_eq!(code, 1);
        let (code, live, stderr) = run(
            &["check", "--live", "--vpc", &vpc, "--format", "json"],
            Some(&url),
        );
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(
            offline, live,
            "a saved snapshot checks exactly like the live one"
        );
        let json: serde_json::Value = serde_json::from_str(&live).unwrap();
        assert_eq!(verdict(&json, &ep), "NON_COMPLIANT");
        assert_eq!(verdict(&json, &vpc), "NOT_APPLICABLE");
        assert!(json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "ENDPOINT_UNREACHABLE"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_account_is_collected_under_its_id() {
        // Patched: Route 53 Profiles and filtered endpoint-service calls answer as AWS does.
        let server = MotoServer::start_patched();
        let url = server.endpoint_url();
        let (vpc, _) = network(&url).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let role = "arn:aws:iam::111122223333:role/vpce-reach-read";
        let args = [
            "snapshot",
            "--out",
            out,
            "--vpc",
            &vpc,
            "--assume-role",
            role,
        ];
        let (code, _, stderr) = run(&args, Some(&url));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("every VPC of account 111122223333 through arn:aws:iam::"),
            "{stderr}"
        );
        let theirs = dir.path().join("111122223333/vpcs.json");
        let text = std::fs::read_to_string(&theirs).expect("the role's account's VPCs");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(json["Vpcs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["OwnerId"] == "111122223333"));
        assert!(dir.path().join("vpcs.json").is_file(), "the caller's own");
        let (code, _, stderr) = run(&["check", out], None);
        assert!(
            code == 0 || code == 1,
            "the two accounts load as one: {stderr}"
        );

        let (code, _, stderr) = run(
            &["check", "--live", "--assume-role", "arn:aws:iam::12:role/x"],
            Some(&url),
        );
        assert_eq!(code, 2);
        assert!(
            stderr.contains("--assume-role: not an IAM role ARN"),
            "{stderr}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_dns_collects_ec2_only() {
        let server = MotoServer::start_patched();
        let url = server.endpoint_url();
        let (vpc, _) = network(&url).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let args = ["snapshot", "--out", out, "--vpc", &vpc, "--no-dns"];
        let (code, _, stderr) = run(&args, Some(&url));
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("(no DNS: --no-dns)"), "{stderr}");
        assert!(dir.path().join("vpcs.json").is_file());
        for file in [
            "hosted-zones.json",
            "resolver-rules.json",
            "dhcp-options.json",
        ] {
            assert!(!dir.path().join(file).exists(), "{file}");
        }
    }

    #[test]
    fn failed_collection_exits_2_naming_the_call() {
        // Nothing listens on port 9: every describe call fails after its retries.
        let (code, stdout, stderr) = run(&["check", "--live"], Some("http://127.0.0.1:9"));
        assert_eq!(code, 2, "{stderr}");
        assert!(stdout.is_empty());
        // The first call to fail may be EC2's or a DNS service's (they run side by side).
        assert!(
            stderr.contains("vpce-reach: error: ") && stderr.contains(" failed ("),
            "{stderr}"
        );
        let (code, _, stderr) = run(&["check", "--live", "--no-dns"], Some("http://127.0.0.1:9"));
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("vpce-reach: error: EC2 Describe"),
            "{stderr}"
        );
    }
}
