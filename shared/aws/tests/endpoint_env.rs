//! Endpoint overrides as the AWS SDKs define them (issue 13.15): with both `AWS_ENDPOINT_URL`
//! and `AWS_ENDPOINT_URL_EC2` set, EC2 calls go to the EC2 one.
//!
//! This binary holds one test because it sets process environment variables, which every test
//! of a binary shares: no other test can race it.

use aws_config::BehaviorVersion;
use vpce_reach_aws::{collect, ec2_client, Scope};
use vpce_reach_testkit::{net, MotoServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_specific_endpoint_wins_over_the_generic_one() {
    let moto = MotoServer::start();
    let settings = [
        // Nothing listens there: a call to it is refused.
        ("AWS_ENDPOINT_URL", net::dead_endpoint()),
        ("AWS_ENDPOINT_URL_EC2", moto.endpoint_url()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        // No instance metadata, no profile of the machine running the tests.
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_CONFIG_FILE", "/nonexistent/vpce-reach-test".to_owned()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/vpce-reach-test".to_owned(),
        ),
    ];
    for (key, value) in &settings {
        std::env::set_var(key, value);
    }
    // As the functions and the CLI load their configuration.
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let client = ec2_client(&sdk).await;
    let snapshot = collect(&client, &Scope::region(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("EC2 calls must go to AWS_ENDPOINT_URL_EC2 (moto): {e}"));
    let vpcs = snapshot.document("vpcs.json").expect("vpcs.json collected");
    assert!(
        vpcs.to_string().contains("vpc-"),
        "moto's default VPC: {vpcs}"
    );
}
