//! The provider side of the endpoint services the account hosts (issue 16, docs/spec.md
//! section 11): `describe-vpc-endpoint-service-configurations` → `{"ServiceConfigurations"}`,
//! then, for the Network Load Balancers those configurations name, the Elastic Load Balancing v2
//! outputs the model reads (`model::snapshot::elb`, docs/snapshot-format.md "Endpoint services
//! you host"):
//!
//! | file | document |
//! | --- | --- |
//! | `endpoint-service-configurations.json` | `{"ServiceConfigurations": [...]}` |
//! | `load-balancers.json` | `{"LoadBalancers": [...]}` |
//! | `listeners.json` | `{"LoadBalancerListeners": [{"LoadBalancerArn", "Listeners"}]}` |
//! | `target-groups.json` | `{"TargetGroups": [...]}` |
//! | `target-health.json` | `{"LoadBalancerTargetHealth": [{"TargetGroupArn", "TargetHealthDescriptions"}]}` |
//! | `load-balancer-attributes.json` | `{"LoadBalancerAttributes": [{"LoadBalancerArn", "Attributes"}]}` |
//! | `target-group-attributes.json` | `{"TargetGroupAttributes": [{"TargetGroupArn", "Attributes"}]}` |
//!
//! Three outputs do not name what they describe (target health, both attribute calls): they
//! are wrapped with the ARN asked about, as Batfish's snapshots carry them. Listeners are
//! wrapped too, so that a load balancer without listeners is known to have none.
//!
//! Only the load balancers an endpoint service configuration of the account names are read:
//! the provider side is about PrivateLink, and an account's other load balancers (often many
//! Application Load Balancers) would cost calls and say nothing. An account that hosts no
//! service costs one call (`DescribeVpcEndpointServiceConfigurations`, an empty list) and gets
//! no Elastic Load Balancing document.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::ServiceConfiguration;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, AvailabilityZone, Listener, LoadBalancer, LoadBalancerAddress, TargetGroup,
    TargetHealthDescription,
};
use aws_sdk_elasticloadbalancingv2::Client as ElbClient;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Clients, Document, Progress, ResourceKind, Scope, Service};

/// The file of the `describe-vpc-endpoint-service-configurations` document.
pub const SERVICES_FILE: &str = "endpoint-service-configurations.json";
/// The file of the `describe-load-balancers` document.
pub const LOAD_BALANCERS_FILE: &str = "load-balancers.json";
/// The file of the wrapped `describe-listeners` outputs.
pub const LISTENERS_FILE: &str = "listeners.json";
/// The file of the `describe-target-groups` document.
pub const TARGET_GROUPS_FILE: &str = "target-groups.json";
/// The file of the wrapped `describe-target-health` outputs.
pub const TARGET_HEALTH_FILE: &str = "target-health.json";
/// The file of the wrapped `describe-load-balancer-attributes` outputs.
pub const LB_ATTRIBUTES_FILE: &str = "load-balancer-attributes.json";
/// The file of the wrapped `describe-target-group-attributes` outputs.
pub const TG_ATTRIBUTES_FILE: &str = "target-group-attributes.json";

/// `DescribeLoadBalancers` accepts at most 20 ARNs per call.
const ARNS_PER_CALL: usize = 20;
/// Elastic Load Balancing throttles describe calls per account and region: a few at once, so
/// that the SDK's retries rarely have to absorb throttling.
const CONCURRENCY: usize = 3;
/// Page size of the paginated Elastic Load Balancing calls (their maximum is 400).
const PAGE_SIZE: i32 = 400;

/// Collects the account's endpoint service configurations and, for those whose NLBs are in
/// `scope`'s VPCs, the NLBs' load balancer, listener, target group, target health and
/// attribute documents.
pub(crate) async fn collect(
    clients: &Clients,
    scope: &Scope,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let all = service_configurations(&clients.ec2, &scope.label()).await?;
    let arns = nlb_arns(&all);
    let lbs = load_balancers(&clients.elb, &arns).await?;
    let in_scope: BTreeSet<&str> = lbs
        .iter()
        .filter(|lb| lb.vpc_id().is_some_and(|v| scope.covers(v)))
        .filter_map(LoadBalancer::load_balancer_arn)
        .collect();
    // A VPC scope keeps the services whose NLBs are in it (or that name none).
    let services: Vec<&ServiceConfiguration> = all
        .iter()
        .filter(|s| {
            let nlbs = s.network_load_balancer_arns();
            nlbs.is_empty() || nlbs.iter().any(|a| in_scope.contains(a.as_str()))
        })
        .collect();
    let kept: BTreeSet<&str> = services
        .iter()
        .flat_map(|s| s.network_load_balancer_arns())
        .map(String::as_str)
        .collect();
    let lbs: Vec<&LoadBalancer> = lbs
        .iter()
        .filter(|lb| lb.load_balancer_arn().is_some_and(|a| kept.contains(a)))
        .collect();
    progress(&format!(
        "DescribeVpcEndpointServiceConfigurations: {} endpoint services, {} Network Load \
         Balancers behind them",
        services.len(),
        lbs.len()
    ));
    let mut documents = vec![(
        SERVICES_FILE.to_owned(),
        document(
            "ServiceConfigurations",
            services.iter().map(|s| service_configuration(s)).collect(),
        ),
    )];
    if !lbs.is_empty() {
        documents.extend(behind(&clients.elb, &lbs, progress).await?);
    }
    Ok(documents)
}

/// Every endpoint service configuration of the account (EC2's paginator, `NextToken`).
async fn service_configurations(
    client: &aws_sdk_ec2::Client,
    scope: &str,
) -> Result<Vec<ServiceConfiguration>, CallError> {
    paginate!(
        client.describe_vpc_endpoint_service_configurations(),
        100,
        "DescribeVpcEndpointServiceConfigurations",
        scope
    )
}

/// The NLB ARNs the configurations name, sorted and unique.
fn nlb_arns(services: &[ServiceConfiguration]) -> Vec<String> {
    let set: BTreeSet<&String> = services
        .iter()
        .flat_map(ServiceConfiguration::network_load_balancer_arns)
        .collect();
    set.into_iter().cloned().collect()
}

/// The load balancers `arns` names, 20 ARNs per call; no call when there are none.
async fn load_balancers(
    client: &ElbClient,
    arns: &[String],
) -> Result<Vec<LoadBalancer>, CallError> {
    let mut out = Vec::new();
    for chunk in arns.chunks(ARNS_PER_CALL) {
        let page: Vec<LoadBalancer> = paginate!(
            Service::Elbv2 => client
                .describe_load_balancers()
                .set_load_balancer_arns(Some(chunk.to_vec()))
                .page_size(PAGE_SIZE),
            "DescribeLoadBalancers",
            chunk.join(", ")
        )?;
        out.extend(page);
    }
    Ok(out)
}

/// What one NLB has: its listeners, attributes and target groups.
struct PerLoadBalancer {
    listeners: Value,
    attributes: Value,
    target_groups: Vec<TargetGroup>,
}

/// What one target group has: its registered targets with their health, and its attributes.
struct PerTargetGroup {
    health: Value,
    attributes: Value,
}

/// The documents of the NLBs `lbs`: a few calls per NLB, then two per target group.
async fn behind(
    client: &ElbClient,
    lbs: &[&LoadBalancer],
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let per_lb: Vec<PerLoadBalancer> = futures_util::stream::iter(lbs)
        .map(|lb| of_load_balancer(client, lb.load_balancer_arn().unwrap_or_default()))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    // A target group may serve several of the NLBs: read it once.
    let mut groups: Vec<TargetGroup> = Vec::new();
    for tg in per_lb.iter().flat_map(|p| &p.target_groups) {
        if !groups
            .iter()
            .any(|g| g.target_group_arn() == tg.target_group_arn())
        {
            groups.push(tg.clone());
        }
    }
    let per_tg: Vec<PerTargetGroup> = futures_util::stream::iter(&groups)
        .map(|tg| of_target_group(client, tg.target_group_arn().unwrap_or_default()))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    progress(&format!(
        "Elastic Load Balancing: {} load balancers, {} target groups with their targets",
        lbs.len(),
        groups.len()
    ));
    Ok(vec![
        (
            LOAD_BALANCERS_FILE.to_owned(),
            document(
                "LoadBalancers",
                lbs.iter().map(|l| load_balancer(l)).collect(),
            ),
        ),
        (
            LISTENERS_FILE.to_owned(),
            document(
                "LoadBalancerListeners",
                per_lb.iter().map(|p| p.listeners.clone()).collect(),
            ),
        ),
        (
            LB_ATTRIBUTES_FILE.to_owned(),
            document(
                "LoadBalancerAttributes",
                per_lb.iter().map(|p| p.attributes.clone()).collect(),
            ),
        ),
        (
            TARGET_GROUPS_FILE.to_owned(),
            document("TargetGroups", groups.iter().map(target_group).collect()),
        ),
        (
            TARGET_HEALTH_FILE.to_owned(),
            document(
                "LoadBalancerTargetHealth",
                per_tg.iter().map(|p| p.health.clone()).collect(),
            ),
        ),
        (
            TG_ATTRIBUTES_FILE.to_owned(),
            document(
                "TargetGroupAttributes",
                per_tg.iter().map(|p| p.attributes.clone()).collect(),
            ),
        ),
    ])
}

/// One NLB's listeners (wrapped), attributes (wrapped) and target groups.
async fn of_load_balancer(client: &ElbClient, arn: &str) -> Result<PerLoadBalancer, CallError> {
    let listeners = async {
        paginate!(
            Service::Elbv2 => client
                .describe_listeners()
                .load_balancer_arn(arn)
                .page_size(PAGE_SIZE),
            "DescribeListeners",
            arn
        )
    };
    let groups = async {
        paginate!(
            Service::Elbv2 => client
                .describe_target_groups()
                .load_balancer_arn(arn)
                .page_size(PAGE_SIZE),
            "DescribeTargetGroups",
            arn
        )
    };
    let attributes = async {
        client
            .describe_load_balancer_attributes()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(|e| {
                CallError::from_sdk(Service::Elbv2, "DescribeLoadBalancerAttributes", arn, e)
            })
    };
    let (listeners, target_groups, attributes): (Vec<Listener>, Vec<TargetGroup>, _) =
        tokio::try_join!(listeners, groups, attributes)?;
    let attributes = attributes
        .attributes()
        .iter()
        .map(|a| attribute(a.key(), a.value()))
        .collect();
    Ok(PerLoadBalancer {
        listeners: Obj::new()
            .str("LoadBalancerArn", Some(arn))
            .list("Listeners", &listeners, listener)
            .build(),
        attributes: Obj::new()
            .str("LoadBalancerArn", Some(arn))
            .opt("Attributes", Some(Value::Array(attributes)))
            .build(),
        target_groups,
    })
}

/// One target group's registered targets with their health, and its attributes, wrapped.
/// Neither call is paginated: AWS returns every target and every attribute at once.
async fn of_target_group(client: &ElbClient, arn: &str) -> Result<PerTargetGroup, CallError> {
    let health = async {
        client
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(|e| CallError::from_sdk(Service::Elbv2, "DescribeTargetHealth", arn, e))
    };
    let attributes = async {
        client
            .describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(|e| {
                CallError::from_sdk(Service::Elbv2, "DescribeTargetGroupAttributes", arn, e)
            })
    };
    let (health, attributes) = tokio::try_join!(health, attributes)?;
    let attributes = attributes
        .attributes()
        .iter()
        .map(|a| attribute(a.key(), a.value()))
        .collect();
    Ok(PerTargetGroup {
        health: Obj::new()
            .str("TargetGroupArn", Some(arn))
            .list(
                "TargetHealthDescriptions",
                health.target_health_descriptions(),
                target_health,
            )
            .build(),
        attributes: Obj::new()
            .str("TargetGroupArn", Some(arn))
            .opt("Attributes", Some(Value::Array(attributes)))
            .build(),
    })
}

/// One endpoint service configuration as the CLI prints it.
pub fn service_configuration(s: &ServiceConfiguration) -> Value {
    let types: Vec<Value> = s
        .service_type()
        .iter()
        .map(|t| {
            Obj::new()
                .str("ServiceType", t.service_type().map(|x| x.as_str()))
                .build()
        })
        .collect();
    Obj::new()
        .opt("ServiceType", Some(Value::Array(types)))
        .str("ServiceId", s.service_id())
        .str("ServiceName", s.service_name())
        .str("ServiceState", s.service_state().map(|x| x.as_str()))
        .strs("AvailabilityZones", s.availability_zones())
        .bool("AcceptanceRequired", s.acceptance_required())
        .bool("ManagesVpcEndpoints", s.manages_vpc_endpoints())
        .strs("NetworkLoadBalancerArns", s.network_load_balancer_arns())
        .strs("GatewayLoadBalancerArns", s.gateway_load_balancer_arns())
        .strs("BaseEndpointDnsNames", s.base_endpoint_dns_names())
        .str("PrivateDnsName", s.private_dns_name())
        .tags("Tags", s.tags())
        .build()
}

/// One load balancer as the CLI prints it.
pub fn load_balancer(lb: &LoadBalancer) -> Value {
    let state = lb.state().map(|s| {
        Obj::new()
            .str("Code", s.code().map(|c| c.as_str()))
            .str("Reason", s.reason())
            .build()
    });
    Obj::new()
        .str("LoadBalancerArn", lb.load_balancer_arn())
        .str("DNSName", lb.dns_name())
        .str("CanonicalHostedZoneId", lb.canonical_hosted_zone_id())
        .str("LoadBalancerName", lb.load_balancer_name())
        .str("Scheme", lb.scheme().map(|s| s.as_str()))
        .str("VpcId", lb.vpc_id())
        .opt("State", state)
        .str("Type", lb.r#type().map(|t| t.as_str()))
        .list("AvailabilityZones", lb.availability_zones(), zone)
        .strs("SecurityGroups", lb.security_groups())
        .str("IpAddressType", lb.ip_address_type().map(|t| t.as_str()))
        .str(
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
            lb.enforce_security_group_inbound_rules_on_private_link_traffic(),
        )
        .build()
}

fn zone(z: &AvailabilityZone) -> Value {
    Obj::new()
        .str("ZoneName", z.zone_name())
        .str("SubnetId", z.subnet_id())
        .str("OutpostId", z.outpost_id())
        .list(
            "LoadBalancerAddresses",
            z.load_balancer_addresses(),
            address,
        )
        .build()
}

fn address(a: &LoadBalancerAddress) -> Value {
    Obj::new()
        .str("IpAddress", a.ip_address())
        .str("AllocationId", a.allocation_id())
        .str("PrivateIPv4Address", a.private_ipv4_address())
        .str("IPv6Address", a.ipv6_address())
        .build()
}

/// One listener as the CLI prints it (certificates and mutual TLS left out: reachability does
/// not read them).
pub fn listener(l: &Listener) -> Value {
    Obj::new()
        .str("ListenerArn", l.listener_arn())
        .str("LoadBalancerArn", l.load_balancer_arn())
        .int("Port", l.port())
        .str("Protocol", l.protocol().map(|p| p.as_str()))
        .str("SslPolicy", l.ssl_policy())
        .list("DefaultActions", l.default_actions(), action)
        .strs("AlpnPolicy", l.alpn_policy())
        .build()
}

fn action(a: &Action) -> Value {
    let forward = a.forward_config().map(|f| {
        let groups: Vec<Value> = f
            .target_groups()
            .iter()
            .map(|t| {
                Obj::new()
                    .str("TargetGroupArn", t.target_group_arn())
                    .int("Weight", t.weight())
                    .build()
            })
            .collect();
        Obj::new()
            .opt("TargetGroups", Some(Value::Array(groups)))
            .build()
    });
    Obj::new()
        .str("Type", a.r#type().map(|t| t.as_str()))
        .str("TargetGroupArn", a.target_group_arn())
        .int("Order", a.order())
        .opt("ForwardConfig", forward)
        .build()
}

/// One target group as the CLI prints it.
pub fn target_group(t: &TargetGroup) -> Value {
    let matcher = t.matcher().map(|m| {
        Obj::new()
            .str("HttpCode", m.http_code())
            .str("GrpcCode", m.grpc_code())
            .build()
    });
    Obj::new()
        .str("TargetGroupArn", t.target_group_arn())
        .str("TargetGroupName", t.target_group_name())
        .str("Protocol", t.protocol().map(|p| p.as_str()))
        .int("Port", t.port())
        .str("VpcId", t.vpc_id())
        .str(
            "HealthCheckProtocol",
            t.health_check_protocol().map(|p| p.as_str()),
        )
        .str("HealthCheckPort", t.health_check_port())
        .bool("HealthCheckEnabled", t.health_check_enabled())
        .int(
            "HealthCheckIntervalSeconds",
            t.health_check_interval_seconds(),
        )
        .int(
            "HealthCheckTimeoutSeconds",
            t.health_check_timeout_seconds(),
        )
        .int("HealthyThresholdCount", t.healthy_threshold_count())
        .int("UnhealthyThresholdCount", t.unhealthy_threshold_count())
        .str("HealthCheckPath", t.health_check_path())
        .opt("Matcher", matcher)
        .strs("LoadBalancerArns", t.load_balancer_arns())
        .str("TargetType", t.target_type().map(|x| x.as_str()))
        .str("IpAddressType", t.ip_address_type().map(|x| x.as_str()))
        .build()
}

/// One registered target and its health as the CLI prints it.
pub fn target_health(d: &TargetHealthDescription) -> Value {
    let target = d.target().map(|t| {
        Obj::new()
            .str("Id", t.id())
            .int("Port", t.port())
            .str("AvailabilityZone", t.availability_zone())
            .build()
    });
    let health = d.target_health().map(|h| {
        Obj::new()
            .str("State", h.state().map(|s| s.as_str()))
            .str("Reason", h.reason().map(|r| r.as_str()))
            .str("Description", h.description())
            .build()
    });
    Obj::new()
        .opt("Target", target)
        .str("HealthCheckPort", d.health_check_port())
        .opt("TargetHealth", health)
        .build()
}

/// One `{"Key", "Value"}` attribute.
fn attribute(key: Option<&str>, value: Option<&str>) -> Value {
    Obj::new().str("Key", key).str("Value", value).build()
}

/// The kind of an Elastic Load Balancing ARN (`arn:<partition>:elasticloadbalancing:<region>:
/// <account>:<type>/...`); `None` for any other ARN.
pub(crate) fn arn_kind(arn: &str) -> Option<ResourceKind> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", _, "elasticloadbalancing", _, _, resource] = parts[..] else {
        return None;
    };
    let (kind, rest) = resource.split_once('/')?;
    if rest.is_empty() {
        return None;
    }
    match kind {
        "loadbalancer" => Some(ResourceKind::LoadBalancer),
        "listener" => Some(ResourceKind::Listener),
        "targetgroup" => Some(ResourceKind::TargetGroup),
        _ => None,
    }
}

/// The load balancer of a listener ARN: `…:listener/net/<name>/<lb id>/<listener id>` →
/// `…:loadbalancer/net/<name>/<lb id>`. AWS builds listener ARNs this way, so a deleted
/// listener still names its load balancer.
pub fn listener_load_balancer(listener: &str) -> Option<String> {
    let (head, tail) = listener.split_once(":listener/")?;
    let (lb, _listener_id) = tail.rsplit_once('/')?;
    Some(format!("{head}:loadbalancer/{lb}"))
}

/// `(resource, VPC)` for the provider-side resources of `ids` (change-watch's lookup, through
/// [`crate::locate_with`]): a load balancer or target group to its VPC, a listener to its load
/// balancer's, an endpoint service to its NLBs'. Resources deleted since are left out.
pub(crate) async fn locate(
    clients: &Clients,
    ids: &BTreeSet<String>,
) -> Result<Vec<(String, String)>, CallError> {
    let of = |kind| {
        ids.iter()
            .filter(move |id| ResourceKind::of(id) == Some(kind))
            .cloned()
    };
    // Which load balancer each asked resource stands for.
    let mut via_lb: Vec<(String, String)> = of(ResourceKind::LoadBalancer)
        .map(|lb| (lb.clone(), lb))
        .collect();
    via_lb.extend(
        of(ResourceKind::Listener).filter_map(|l| listener_load_balancer(&l).map(|lb| (l, lb))),
    );
    for service in of(ResourceKind::EndpointService) {
        for lb in service_nlbs(&clients.ec2, &service).await? {
            via_lb.push((service.clone(), lb));
        }
    }
    let mut pairs = Vec::new();
    let arns: BTreeSet<String> = via_lb.iter().map(|(_, lb)| lb.clone()).collect();
    for arn in arns {
        let Some(vpc) = load_balancer_vpc(&clients.elb, &arn).await? else {
            continue;
        };
        for (id, _) in via_lb.iter().filter(|(_, lb)| *lb == arn) {
            pairs.push((id.clone(), vpc.clone()));
        }
    }
    for tg in of(ResourceKind::TargetGroup) {
        if let Some(vpc) = target_group_vpc(&clients.elb, &tg).await? {
            pairs.push((tg, vpc));
        }
    }
    Ok(pairs)
}

/// True for Elastic Load Balancing's "no such resource" error codes (`LoadBalancerNotFound`,
/// `TargetGroupNotFound`; EC2's `….NotFound` too).
fn not_found(e: &CallError) -> bool {
    e.is_not_found()
        || matches!(
            e.code.as_deref(),
            Some("LoadBalancerNotFound" | "TargetGroupNotFound")
        )
}

/// The NLBs of one endpoint service; none when it no longer exists.
async fn service_nlbs(
    client: &aws_sdk_ec2::Client,
    service: &str,
) -> Result<Vec<String>, CallError> {
    let found = client
        .describe_vpc_endpoint_service_configurations()
        .service_ids(service)
        .send()
        .await
        .map_err(|e| {
            CallError::from_sdk(
                Service::Ec2,
                "DescribeVpcEndpointServiceConfigurations",
                service,
                e,
            )
        });
    match found {
        Ok(out) => Ok(nlb_arns(out.service_configurations())),
        Err(e) if not_found(&e) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// One load balancer's VPC; `None` when it no longer exists.
async fn load_balancer_vpc(client: &ElbClient, arn: &str) -> Result<Option<String>, CallError> {
    let found = client
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
        .map_err(|e| CallError::from_sdk(Service::Elbv2, "DescribeLoadBalancers", arn, e));
    match found {
        Ok(out) => Ok(out
            .load_balancers()
            .iter()
            .find_map(|lb| lb.vpc_id())
            .map(str::to_owned)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One target group's VPC; `None` when it no longer exists.
async fn target_group_vpc(client: &ElbClient, arn: &str) -> Result<Option<String>, CallError> {
    let found = client
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await
        .map_err(|e| CallError::from_sdk(Service::Elbv2, "DescribeTargetGroups", arn, e));
    match found {
        Ok(out) => Ok(out
            .target_groups()
            .iter()
            .find_map(|tg| tg.vpc_id())
            .map(str::to_owned)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/svc/abc";

    #[test]
    fn elastic_load_balancing_arns_have_kinds_and_listeners_name_their_load_balancer() {
        let listener =
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/net/svc/abc/def";
        let tg = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg/123";
        assert_eq!(ResourceKind::of(LB), Some(ResourceKind::LoadBalancer));
        assert_eq!(ResourceKind::of(listener), Some(ResourceKind::Listener));
        assert_eq!(ResourceKind::of(tg), Some(ResourceKind::TargetGroup));
        assert_eq!(
            ResourceKind::of("vpce-svc-0123"),
            Some(ResourceKind::EndpointService)
        );
        assert_eq!(
            ResourceKind::of("vpce-0123"),
            Some(ResourceKind::VpcEndpoint)
        );
        for other in [
            "arn:aws:iam::111122223333:role/r",
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/",
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:truststore/t/1",
            "vpce-svc-",
        ] {
            assert_eq!(ResourceKind::of(other), None, "{other}");
        }
        assert_eq!(listener_load_balancer(listener).as_deref(), Some(LB));
        assert_eq!(listener_load_balancer(LB), None);
    }
}
