//! Findings (docs/spec.md section 4): one blocking AWS component each, with the codes VPC
//! Reachability Analyzer uses where it has one, so users can cross-check.

use std::sync::Arc;

use serde::Serialize;

/// What kind of problem a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingCode {
    /// A workload's (egress) or endpoint's (ingress) security groups do not allow the traffic.
    EniSgRulesMismatch,
    /// A network ACL drops the forward or the reply leg.
    SubnetAclRestriction,
    /// The workload's route table lacks the gateway endpoint's prefix-list route.
    NoRouteToDestination,
    /// A more specific route diverts the traffic away from the endpoint.
    MoreSpecificRoute,
    /// An available interface endpoint that no workload of its VPC can reach.
    EndpointUnreachable,
    /// A required interface endpoint has private DNS off.
    PrivateDnsDisabled,
    /// A required interface endpoint's VPC lacks `enableDnsSupport`/`enableDnsHostnames`.
    VpcDnsDisabled,
    /// A VPC with workloads has no endpoint for a required service.
    NoEndpointForService,
    /// The endpoint's state is not `available`.
    EndpointNotAvailable,
    /// The endpoint policy allows nothing, or denies everything.
    EndpointPolicyDenies,
    /// A TGW route table has no route (or a blackhole route wins) towards the attachment of the
    /// destination's VPC.
    TgwRtbNoRouteToTgwAttachment,
    /// A TGW attachment is associated with no TGW route table.
    TgwAttachMissingTgwRtbAssociation,
    /// A TGW attachment has no subnet in the Availability Zone the traffic enters it from.
    TgwRouteAzRestriction,
    /// A security group's rule references a group across a link where references do not work.
    SgReferencingSupport,
    /// A gateway endpoint cannot be used from another VPC.
    VpceGatewayEgressSourceAddressRestriction,
    /// A TGW VPC attachment is not `available`.
    TgwAttachmentNotAvailable,
    /// A VPC peering connection is not `active`.
    VpcPeeringNotActive,
    /// A private hosted zone for the service points at an endpoint but is not associated with
    /// the workloads' VPC (docs/spec.md section 10).
    DnsZoneNotAssociated,
    /// The zone that answers the service's name has no record for a name the service needs.
    DnsRecordMissing,
    /// A record points at something that is not an available endpoint of the service.
    DnsRecordMismatch,
    /// A Resolver forwarding rule takes the service's name away from Route 53.
    DnsForwardedElsewhere,
    /// The VPC's DHCP option set sends DNS to servers other than AmazonProvidedDNS.
    DnsNotAmazonProvided,
    /// A load balancer sends no traffic to a target (or a consumer's endpoint gets none) in an
    /// Availability Zone that is not enabled for it (docs/spec.md section 11).
    ElbInstalledAzRestriction,
    /// An enabled zone of a load balancer has no healthy target and cross-zone load balancing
    /// is off.
    ElbNotCrosszone,
    /// A load balancer listener forwards to no target group.
    Elbv2ListenerHasNoTg,
    /// A target group behind an endpoint service has no healthy (or no) registered target.
    ElbNoHealthyTarget,
    /// The load balancer's health checks cannot reach a target on their own port.
    ElbHealthCheckBlocked,
}

impl FindingCode {
    /// The code as docs/spec.md and the JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            FindingCode::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            FindingCode::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            FindingCode::MoreSpecificRoute => "MORE_SPECIFIC_ROUTE",
            FindingCode::EndpointUnreachable => "ENDPOINT_UNREACHABLE",
            FindingCode::PrivateDnsDisabled => "PRIVATE_DNS_DISABLED",
            FindingCode::VpcDnsDisabled => "VPC_DNS_DISABLED",
            FindingCode::NoEndpointForService => "NO_ENDPOINT_FOR_SERVICE",
            FindingCode::EndpointNotAvailable => "ENDPOINT_NOT_AVAILABLE",
            FindingCode::EndpointPolicyDenies => "ENDPOINT_POLICY_DENIES",
            FindingCode::TgwRtbNoRouteToTgwAttachment => "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT",
            FindingCode::TgwAttachMissingTgwRtbAssociation => {
                "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"
            }
            FindingCode::TgwRouteAzRestriction => "TGW_ROUTE_AZ_RESTRICTION",
            FindingCode::SgReferencingSupport => "SG_REFERENCING_SUPPORT",
            FindingCode::VpceGatewayEgressSourceAddressRestriction => {
                "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION"
            }
            FindingCode::TgwAttachmentNotAvailable => "TGW_ATTACHMENT_NOT_AVAILABLE",
            FindingCode::VpcPeeringNotActive => "VPC_PEERING_NOT_ACTIVE",
            FindingCode::DnsZoneNotAssociated => "DNS_ZONE_NOT_ASSOCIATED",
            FindingCode::DnsRecordMissing => "DNS_RECORD_MISSING",
            FindingCode::DnsRecordMismatch => "DNS_RECORD_MISMATCH",
            FindingCode::DnsForwardedElsewhere => "DNS_FORWARDED_ELSEWHERE",
            FindingCode::DnsNotAmazonProvided => "DNS_NOT_AMAZON_PROVIDED",
            FindingCode::ElbInstalledAzRestriction => "ELB_INSTALLED_AZ_RESTRICTION",
            FindingCode::ElbNotCrosszone => "ELB_NOT_CROSSZONE",
            FindingCode::Elbv2ListenerHasNoTg => "ELBV2_LISTENER_HAS_NO_TG",
            FindingCode::ElbNoHealthyTarget => "ELB_NO_HEALTHY_TARGET",
            FindingCode::ElbHealthCheckBlocked => "ELB_HEALTH_CHECK_BLOCKED",
        }
    }
}

/// Which leg and side of the connection a component blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Leaving the workload (forward leg).
    Egress,
    /// Arriving at the endpoint (forward leg).
    Ingress,
    /// Leaving the endpoint's subnet (reply leg).
    ReturnEgress,
    /// Arriving back in the workload's subnet (reply leg).
    ReturnIngress,
}

impl Direction {
    /// The direction as docs/spec.md and the JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Egress => "egress",
            Direction::Ingress => "ingress",
            Direction::ReturnEgress => "return-egress",
            Direction::ReturnIngress => "return-ingress",
        }
    }
}

/// One blocking component. Serialises to the six keys of docs/spec.md section 8, and a seventh,
/// `account`, only when the component belongs to another account than the caller's.
///
/// The texts are shared (`Arc<str>`): a large account has tens of thousands of findings, and
/// most of their ids and texts are the same few hundred strings (the blamed group, the
/// endpoint, the problem of a hop every workload of a subnet shares). Only `detail`, which
/// names the workload, is a string of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The problem.
    pub code: FindingCode,
    /// The AWS resource to blame (`sg-…`, `acl-…`, `rtb-…`, `vpce-…`, `vpc-…`).
    #[serde(serialize_with = "shared")]
    pub component: Arc<str>,
    /// The leg and side blocked, when the code has one.
    pub direction: Option<Direction>,
    /// The workload ENI, for pair findings.
    #[serde(serialize_with = "shared_opt")]
    pub source: Option<Arc<str>>,
    /// The endpoint concerned, if any.
    #[serde(serialize_with = "shared_opt")]
    pub endpoint: Option<Arc<str>>,
    /// Everything in one sentence: who, what is missing, and the fix.
    pub detail: String,
    /// The account the component belongs to, when it is not the caller's (set by
    /// [`crate::name_accounts`]; `None` when the caller is unknown).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shared_opt")]
    pub account: Option<Arc<str>>,
    /// What is missing, short (for annotations).
    #[serde(skip)]
    pub problem: Arc<str>,
    /// The smallest fix (for annotations).
    #[serde(skip)]
    pub fix: Arc<str>,
    /// The traffic concerned, e.g. `tcp/443` (for annotations).
    #[serde(skip)]
    pub traffic: Arc<str>,
}

/// Serialises a shared text as a string (serde's `rc` feature would do it for every crate
/// of the workspace; this is the one place that needs it).
fn shared<S: serde::Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

fn shared_opt<S: serde::Serializer>(
    text: &Option<Arc<str>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => serializer.serialize_some(&**text),
        None => serializer.serialize_none(),
    }
}
