//! `vpce-reach check --live --assume-role ... --account ...` end to end (issue 14, feature
//! `live`): the network-account pattern of the moto end-to-end suites (the hub, the TGW and
//! spoke A in a network account read through a role, spoke B peered from the caller's account;
//! shared/aws/tests/common/network.rs builds it), the hub's route back to spoke B missing. The
//! JSON names the network account on the finding and marks the caller's spoke VPC.

#![cfg(feature = "live")]

#[path = "../shared/aws/tests/common/network.rs"]
mod network;

use std::process::Command;

use serde_json::Value;
use vpce_reach_testkit::{sdk_config, MotoServer};

/// The account of moto's static test credentials: the caller.
const CALLER: &str = "123456789012";
const NETWORK: &str = "111122223333";

/// Runs the CLI with the standard AWS environment pointed at `endpoint`: (status, stdout,
/// stderr).
fn run(args: &[&str], endpoint: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpce-reach"))
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL", endpoint)
        .output()
        .expect("run vpce-reach");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_live_names_the_network_account_of_a_missing_return_route() {
    let server = MotoServer::start_patched();
    let url = server.endpoint_url();
    let sdk = sdk_config(&url);
    let own = vpce_reach_aws::ec2_client(&sdk).await;
    let arn = format!("arn:aws:iam::{NETWORK}:role/vpce-reach-read");
    let role: vpce_reach_aws::AssumedRole = arn.parse().unwrap();
    let theirs = role.client(&sdk).await;
    let w = network::build_network(&theirs, NETWORK, &own, CALLER).await;
    network::delete_route(&theirs, &w.hub_rtb, network::B_CIDR).await;

    let args = [
        "check",
        "--live",
        "--assume-role",
        &arn,
        "--account",
        CALLER,
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = run(&args, &url);
    assert_eq!(code, 1, "findings: exit 1; {stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["code"], "NO_ROUTE_TO_DESTINATION");
    assert_eq!(f["component"], w.hub_rtb.as_str());
    assert_eq!(f["direction"], "return-egress");
    assert_eq!(f["source"], w.b.eni.as_str());
    assert_eq!(f["endpoint"], w.endpoint.as_str());
    assert_eq!(f["account"], NETWORK);

    let evaluations = json["evaluations"].as_array().unwrap();
    let of = |id: &str| evaluations.iter().find(|e| e["ComplianceResourceId"] == id);
    let vpc = of(&w.b.vpc).expect("the caller's spoke VPC is evaluated");
    assert_eq!(vpc["ComplianceType"], "NON_COMPLIANT");
    let annotation = vpc["Annotation"].as_str().unwrap();
    assert!(
        annotation.contains(&w.hub_rtb) && annotation.contains(NETWORK),
        "{annotation}"
    );
    assert!(of(&w.hub_rtb).is_none(), "another account's resource");
}
