//! How every AWS client of the workspace calls AWS: its endpoint, its timeouts and its retries.
//!
//! - **Endpoint**: whatever aws-config resolved. A service client built `From<&SdkConfig>`
//!   already prefers the service's own variable (`AWS_ENDPOINT_URL_EC2`,
//!   `AWS_ENDPOINT_URL_CONFIG_SERVICE`, `AWS_ENDPOINT_URL_SNS`, or `endpoint_url` in the
//!   profile's `services` section) over the generic `AWS_ENDPOINT_URL`; nothing here copies the
//!   generic URL back over it.
//! - **Timeouts** ([`CallLimits`]): connect, read and per-attempt timeouts on every client, so a
//!   stalled connection fails instead of hanging.
//! - **Retries** ([`CallLimits::retry_config`]): the SDK's standard mode, few attempts, short
//!   backoff, and no client-side rate limiter (adaptive mode's limiter held one retry for up
//!   to 20 s).
//! - **The Lambda deadline** ([`until`]): a client bounded by a deadline gives each call, its
//!   retries included, an operation timeout of the time left before the deadline minus
//!   [`DEADLINE_MARGIN`], computed when the call starts.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_ec2::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::timeout::TimeoutConfig;
use aws_sdk_ec2::config::{ConfigBag, Intercept};
use aws_sdk_ec2::Client;
use aws_smithy_async::time::SharedTimeSource;

/// Time kept free before a Lambda deadline: the function still has to log and return its
/// result, so no AWS call may run into it.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(2);

/// The timeouts and retries of an AWS client.
///
/// [`CallLimits::SHIPPED`] is what the functions and the CLI use; tests build clients through
/// the same functions with smaller values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    /// Time to establish a connection (TCP and TLS).
    pub connect: Duration,
    /// Time to wait for the first byte of a response (and between reads).
    pub read: Duration,
    /// Time for one attempt of a call, from sending to the parsed response.
    pub attempt: Duration,
    /// Attempts per call, the first one included.
    pub max_attempts: u32,
    /// The base of the exponential backoff: the k-th retry waits a random time below
    /// `initial_backoff * 2^(k-1)`, capped at `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest wait before one retry (also caps a server's `x-amz-retry-after`).
    pub max_backoff: Duration,
}

impl CallLimits {
    /// The shipped limits. Three attempts with waits below 0.5 s and 1 s: a throttled call
    /// gives up after less than 1.5 s of backoff, within the Config rule's 3 s budget per
    /// `PutEvaluations` batch; the throttled request is redelivered anyway (Config re-runs
    /// the rule, SQS redelivers the change). The connect timeout is aws-config's default
    /// (3.1 s, rounded); 15 s for a first byte and 20 s per attempt are far above any describe
    /// page's latency and far below the functions' timeouts (300 s, 120 s).
    pub const SHIPPED: CallLimits = CallLimits {
        connect: Duration::from_secs(3),
        read: Duration::from_secs(15),
        attempt: Duration::from_secs(20),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(2),
    };

    /// The SDK's standard retry mode with these attempts and backoff. Not adaptive: adaptive
    /// mode adds a client-side rate limiter that, once throttled, delays later attempts (and
    /// every client of the process sharing its partition) by many seconds, unbounded by any
    /// deadline.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    /// Connect, read and attempt timeouts; no operation timeout (see [`until`]).
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .read_timeout(self.read)
            .operation_attempt_timeout(self.attempt)
            .build()
    }

    /// `sdk` with these retries and timeouts: every service client built from it
    /// (`Client::new(&sdk)`, `config::Builder::from(&sdk)`) inherits them.
    pub fn apply(&self, sdk: &SdkConfig) -> SdkConfig {
        sdk.to_builder()
            .retry_config(self.retry_config())
            .timeout_config(self.timeout_config())
            .build()
    }
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits::SHIPPED
    }
}

/// An EC2 client built from `config` with the [`CallLimits::SHIPPED`] timeouts and retries.
/// The endpoint is the one aws-config resolved for EC2 (tests point it at a local server).
pub async fn ec2_client(config: &SdkConfig) -> Client {
    ec2_client_with(config, &CallLimits::SHIPPED)
}

/// An EC2 client built from `config` with `limits` (the same path as [`ec2_client`]).
pub fn ec2_client_with(config: &SdkConfig, limits: &CallLimits) -> Client {
    Client::new(&limits.apply(config))
}

/// The clients of every service a collection with DNS data reads ([`crate::collect_with_dns`]),
/// built from one SDK configuration with the same limits. Each client resolves its own endpoint
/// (`AWS_ENDPOINT_URL_ROUTE_53`, `AWS_ENDPOINT_URL_ROUTE53RESOLVER`, ... over
/// `AWS_ENDPOINT_URL`); Route 53 is global, and its SDK sends every call to its one endpoint
/// whatever the configured region.
#[derive(Debug, Clone)]
pub struct Clients {
    /// EC2: the network, DHCP option sets and endpoint services.
    pub ec2: Client,
    /// Route 53: private hosted zones and their records.
    pub route53: aws_sdk_route53::Client,
    /// Route 53 Resolver: rules and their VPC associations.
    pub resolver: aws_sdk_route53resolver::Client,
    /// Route 53 Profiles: which Profile each VPC uses, and what it carries.
    pub profiles: aws_sdk_route53profiles::Client,
    /// Elastic Load Balancing v2: the NLBs behind the account's endpoint services
    /// ([`crate::load_balancers`]); called only when the account hosts one.
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
}

impl Clients {
    /// Every client built from `config` with the [`CallLimits::SHIPPED`] timeouts and retries.
    pub fn new(config: &SdkConfig) -> Clients {
        Clients::with(config, &CallLimits::SHIPPED)
    }

    /// Every client built from `config` with `limits`.
    pub fn with(config: &SdkConfig, limits: &CallLimits) -> Clients {
        let sdk = limits.apply(config);
        Clients {
            ec2: Client::new(&sdk),
            route53: aws_sdk_route53::Client::new(&sdk),
            resolver: aws_sdk_route53resolver::Client::new(&sdk),
            profiles: aws_sdk_route53profiles::Client::new(&sdk),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&sdk),
        }
    }

    /// The same clients with every call bounded by `deadline` (see [`until`]).
    pub fn until(&self, deadline: SystemTime) -> Clients {
        let bound = |time| until(deadline).measured_by(time);
        Clients {
            ec2: ec2_until(&self.ec2, deadline),
            route53: aws_sdk_route53::Client::from_conf(
                self.route53
                    .config()
                    .to_builder()
                    .interceptor(bound(self.route53.config().time_source()))
                    .build(),
            ),
            resolver: aws_sdk_route53resolver::Client::from_conf(
                self.resolver
                    .config()
                    .to_builder()
                    .interceptor(bound(self.resolver.config().time_source()))
                    .build(),
            ),
            profiles: aws_sdk_route53profiles::Client::from_conf(
                self.profiles
                    .config()
                    .to_builder()
                    .interceptor(bound(self.profiles.config().time_source()))
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                self.elb
                    .config()
                    .to_builder()
                    .interceptor(bound(self.elb.config().time_source()))
                    .build(),
            ),
        }
    }
}

/// The time a call starting at `now` may take: what is left before `deadline`, minus
/// [`DEADLINE_MARGIN`]; zero once that point has passed.
pub fn time_left(deadline: SystemTime, now: SystemTime) -> Duration {
    deadline
        .duration_since(now)
        .unwrap_or(Duration::ZERO)
        .saturating_sub(DEADLINE_MARGIN)
}

/// An interceptor giving every call an operation timeout (all attempts and backoff included)
/// of [`time_left`] before the deadline, measured when the call starts.
///
/// Add it to a service client's config builder (any service: the interceptor API is the
/// SDK's, shared by every service crate), measured by the client's own time source, e.g.
/// `let time = client.config().time_source();`
/// `Client::from_conf(client.config().to_builder().interceptor(until(deadline).measured_by(time)).build())`.
/// A call starting with no time left fails at once with a timeout error, sending nothing
/// (or nothing complete).
pub fn until(deadline: SystemTime) -> Deadline {
    Deadline {
        deadline,
        clock: None,
    }
}

/// See [`until`].
#[derive(Debug, Clone)]
pub struct Deadline {
    deadline: SystemTime,
    clock: Option<SharedTimeSource>,
}

impl Deadline {
    /// The deadline the calls are bounded by.
    pub fn deadline(&self) -> SystemTime {
        self.deadline
    }

    /// Reads the current time from `clock` (a client's time source: the system clock as
    /// aws-config loads it, a virtual clock in tests) instead of [`SystemTime::now`].
    pub fn measured_by(mut self, clock: Option<SharedTimeSource>) -> Deadline {
        self.clock = clock;
        self
    }

    fn now(&self) -> SystemTime {
        self.clock
            .as_ref()
            .map_or_else(SystemTime::now, |clock| clock.now())
    }
}

impl Intercept for Deadline {
    fn name(&self) -> &'static str {
        "vpce-reach Lambda deadline"
    }

    /// Runs before the SDK reads the operation's timeouts: what is stored here is merged
    /// over the client's timeouts (only the operation timeout is set).
    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let left = time_left(self.deadline, self.now());
        let bounded = TimeoutConfig::builder().operation_timeout(left).build();
        cfg.interceptor_state().store_put(bounded);
        Ok(())
    }
}

/// `client` with every call bounded by `deadline` (see [`until`]), measured by the client's
/// time source.
pub fn ec2_until(client: &Client, deadline: SystemTime) -> Client {
    let bound = until(deadline).measured_by(client.config().time_source());
    Client::from_conf(client.config().to_builder().interceptor(bound).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_keeps_the_margin_and_never_goes_negative() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let deadline = now + Duration::from_secs(10);
        assert_eq!(time_left(deadline, now), Duration::from_secs(8));
        assert_eq!(time_left(now + Duration::from_secs(1), now), Duration::ZERO);
        assert_eq!(time_left(now - Duration::from_secs(5), now), Duration::ZERO);
    }

    #[test]
    fn shipped_retries_are_standard_and_short() {
        let retry = CallLimits::SHIPPED.retry_config();
        assert_eq!(
            retry.mode(),
            aws_sdk_ec2::config::retry::RetryMode::Standard
        );
        assert_eq!(retry.max_attempts(), 3);
        // The k-th retry waits below initial * 2^(k-1): the worst case of all the waits.
        let worst: Duration = (0..retry.max_attempts() - 1)
            .map(|k| (retry.initial_backoff() * 2u32.pow(k)).min(retry.max_backoff()))
            .sum();
        assert!(worst <= Duration::from_millis(1_500), "{worst:?}");
    }
}
