//! Endpoint overrides as the AWS SDKs define them (issue 13.15): with both `AWS_ENDPOINT_URL`
//! and `AWS_ENDPOINT_URL_CONFIG_SERVICE` set, the function's Config client calls the Config
//! one.
//!
//! This binary holds one test because it sets process environment variables, which every test
//! of a binary shares: no other test can race it.

use aws_config::BehaviorVersion;
use change_watch::handler::config_client;
use vpce_reach_aws::CallLimits;
use vpce_reach_testkit::net::{self, CaptureServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_client_uses_the_config_endpoint() {
    let config = CaptureServer::start("{}");
    let settings = [
        // Nothing listens there: a call to it is refused.
        ("AWS_ENDPOINT_URL", net::dead_endpoint()),
        ("AWS_ENDPOINT_URL_CONFIG_SERVICE", config.url().to_owned()),
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
    // As main.rs loads the configuration and Handler::new builds the Config client.
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = config_client(&CallLimits::SHIPPED.apply(&sdk));
    client
        .start_config_rules_evaluation()
        .config_rule_names("vpce-reach")
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "Config calls must go to AWS_ENDPOINT_URL_CONFIG_SERVICE: {}",
                aws_sdk_config::error::DisplayErrorContext(&e)
            )
        });
    let requests = config.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].ends_with("StarlingDoveService.StartConfigRulesEvaluation"),
        "{requests:?}"
    );
}
