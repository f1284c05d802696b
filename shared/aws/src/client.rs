//! The EC2 client used for collection.

use aws_config::SdkConfig;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::Client;

/// Attempts per call (the first one included) before a throttled or failed call gives up.
const MAX_ATTEMPTS: u32 = 5;

/// An EC2 client built from `config`, retrying in adaptive mode (client-side rate limiting on
/// throttling) up to 5 attempts, and honouring the config's endpoint URL override (tests point
/// it at a local mock server).
pub async fn ec2_client(config: &SdkConfig) -> Client {
    let retry = RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS);
    let mut builder = aws_sdk_ec2::config::Builder::from(config).retry_config(retry);
    if let Some(url) = config.endpoint_url() {
        builder = builder.endpoint_url(url);
    }
    Client::from_conf(builder.build())
}
