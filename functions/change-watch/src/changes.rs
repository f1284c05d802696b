//! Which EC2, Route 53, Route 53 Resolver and Elastic Load Balancing API calls can change
//! endpoint reachability, and which resources each one touches, read from the request and
//! response as CloudTrail records them.
//!
//! CloudTrail records older EC2 APIs in camelCase (`{"groupId": "sg-…"}`) and newer ones
//! wrapped in the request name with PascalCase fields and `{"tag", "content"}` list items
//! (`{"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": "vpce-…"}}}`);
//! both forms are read.

use serde_json::Value;

use crate::cloudtrail::{
    ApiCall, EC2_EVENT_SOURCE, ELB_EVENT_SOURCE, RESOLVER_EVENT_SOURCE, ROUTE53_EVENT_SOURCE,
};

/// Where an id is read from: the request or the response, and a dotted path in it. Arrays
/// met on the way are walked element by element (so `items.groupId` reads every item).
type Path = (Part, &'static str);

/// The part of the CloudTrail record a [`Path`] reads.
#[derive(Clone, Copy)]
enum Part {
    Request,
    Response,
}
use Part::{Request as Req, Response as Resp};

/// One handled API: its name and where its resource ids are.
struct Handled {
    name: &'static str,
    ids: &'static [Path],
}

const SG_RULES: &[Path] = &[
    (Req, "groupId"),
    (Resp, "securityGroupRuleSet.items.groupId"),
];
const ROUTE: &[Path] = &[(Req, "routeTableId")];
const ACL_ENTRY: &[Path] = &[(Req, "networkAclId")];

// Transit gateway and peering calls (issue 14). Which of CloudTrail's two forms a call is
// recorded in is not documented per call, so both are read: the camelCase fields and the
// request wrapped in `<Name>Request` with PascalCase fields (responses: camelCase, bare or
// wrapped in `<Name>Response`). A TGW route table locates to the VPCs of the attachments
// associated with it, an attachment to its VPC, a peering connection to both sides.
const TGW_ROUTE: &[Path] = &[
    (Req, "transitGatewayRouteTableId"),
    (Req, "transitGatewayAttachmentId"),
    (
        Req,
        "CreateTransitGatewayRouteRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "CreateTransitGatewayRouteRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "ReplaceTransitGatewayRouteRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "ReplaceTransitGatewayRouteRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "DeleteTransitGatewayRouteRequest.TransitGatewayRouteTableId",
    ),
];
/// Association and propagation calls: the route table and the attachment (whose VPC the
/// route table no longer names once disassociated).
const TGW_RTB_LINK: &[Path] = &[
    (Req, "transitGatewayRouteTableId"),
    (Req, "transitGatewayAttachmentId"),
    (
        Req,
        "AssociateTransitGatewayRouteTableRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "AssociateTransitGatewayRouteTableRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "DisassociateTransitGatewayRouteTableRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "DisassociateTransitGatewayRouteTableRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "EnableTransitGatewayRouteTablePropagationRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "EnableTransitGatewayRouteTablePropagationRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "DisableTransitGatewayRouteTablePropagationRequest.TransitGatewayRouteTableId",
    ),
    (
        Req,
        "DisableTransitGatewayRouteTablePropagationRequest.TransitGatewayAttachmentId",
    ),
];
/// VPC attachment calls: the VPC the request or the returned attachment names, and the
/// attachment.
const TGW_VPC_ATTACHMENT: &[Path] = &[
    (Req, "vpcId"),
    (Req, "transitGatewayAttachmentId"),
    (Req, "CreateTransitGatewayVpcAttachmentRequest.VpcId"),
    (
        Req,
        "DeleteTransitGatewayVpcAttachmentRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "ModifyTransitGatewayVpcAttachmentRequest.TransitGatewayAttachmentId",
    ),
    (
        Req,
        "AcceptTransitGatewayVpcAttachmentRequest.TransitGatewayAttachmentId",
    ),
    (Resp, "transitGatewayVpcAttachment.vpcId"),
    (
        Resp,
        "transitGatewayVpcAttachment.transitGatewayAttachmentId",
    ),
    (
        Resp,
        "CreateTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.vpcId",
    ),
    (
        Resp,
        "DeleteTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.vpcId",
    ),
    (
        Resp,
        "ModifyTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.vpcId",
    ),
    (
        Resp,
        "AcceptTransitGatewayVpcAttachmentResponse.transitGatewayVpcAttachment.vpcId",
    ),
];
/// Peering calls (camelCase, an API of 2014): the connection, and both VPCs where the
/// request or the returned connection names them.
const PEERING: &[Path] = &[
    (Req, "vpcPeeringConnectionId"),
    (Req, "vpcId"),
    (Req, "peerVpcId"),
    (Resp, "vpcPeeringConnection.vpcPeeringConnectionId"),
    (Resp, "vpcPeeringConnection.requesterVpcInfo.vpcId"),
    (Resp, "vpcPeeringConnection.accepterVpcInfo.vpcId"),
];

/// The API calls that can change whether a workload reaches an endpoint.
const HANDLED: &[Handled] = &[
    Handled {
        name: "AuthorizeSecurityGroupEgress",
        ids: SG_RULES,
    },
    Handled {
        name: "AuthorizeSecurityGroupIngress",
        ids: SG_RULES,
    },
    Handled {
        name: "RevokeSecurityGroupEgress",
        ids: SG_RULES,
    },
    Handled {
        name: "RevokeSecurityGroupIngress",
        ids: SG_RULES,
    },
    Handled {
        name: "ModifySecurityGroupRules",
        ids: &[(Req, "ModifySecurityGroupRulesRequest.GroupId")],
    },
    Handled {
        name: "ModifyNetworkInterfaceAttribute",
        ids: &[(Req, "networkInterfaceId")],
    },
    Handled {
        name: "CreateVpcEndpoint",
        ids: &[
            (Resp, "CreateVpcEndpointResponse.vpcEndpoint.vpcEndpointId"),
            (Req, "CreateVpcEndpointRequest.VpcId"),
        ],
    },
    Handled {
        name: "ModifyVpcEndpoint",
        ids: &[(Req, "ModifyVpcEndpointRequest.VpcEndpointId")],
    },
    Handled {
        name: "DeleteVpcEndpoints",
        ids: &[(Req, "DeleteVpcEndpointsRequest.VpcEndpointId")],
    },
    Handled {
        name: "CreateRoute",
        ids: ROUTE,
    },
    Handled {
        name: "ReplaceRoute",
        ids: ROUTE,
    },
    Handled {
        name: "DeleteRoute",
        ids: ROUTE,
    },
    Handled {
        name: "AssociateRouteTable",
        ids: &[
            (Req, "routeTableId"),
            (Req, "subnetId"),
            (Resp, "associationId"),
        ],
    },
    Handled {
        name: "ReplaceRouteTableAssociation",
        ids: &[(Req, "routeTableId"), (Resp, "newAssociationId")],
    },
    // Only the association id is recorded, and it is gone once the call succeeded.
    Handled {
        name: "DisassociateRouteTable",
        ids: &[(Req, "associationId")],
    },
    Handled {
        name: "ReplaceNetworkAclAssociation",
        ids: &[(Req, "networkAclId"), (Resp, "newAssociationId")],
    },
    Handled {
        name: "CreateNetworkAclEntry",
        ids: ACL_ENTRY,
    },
    Handled {
        name: "ReplaceNetworkAclEntry",
        ids: ACL_ENTRY,
    },
    Handled {
        name: "DeleteNetworkAclEntry",
        ids: ACL_ENTRY,
    },
    Handled {
        name: "ModifyManagedPrefixList",
        ids: &[(Req, "ModifyManagedPrefixListRequest.PrefixListId")],
    },
    Handled {
        name: "ModifyVpcAttribute",
        ids: &[(Req, "vpcId")],
    },
    // The option set decides who answers the VPC's DNS queries (docs/spec.md section 10).
    Handled {
        name: "AssociateDhcpOptions",
        ids: &[
            (Req, "vpcId"),
            (Req, "dhcpOptionsId"),
            (Req, "AssociateDhcpOptionsRequest.VpcId"),
        ],
    },
    Handled {
        name: "CreateTransitGatewayRoute",
        ids: TGW_ROUTE,
    },
    Handled {
        name: "ReplaceTransitGatewayRoute",
        ids: TGW_ROUTE,
    },
    Handled {
        name: "DeleteTransitGatewayRoute",
        ids: TGW_ROUTE,
    },
    Handled {
        name: "AssociateTransitGatewayRouteTable",
        ids: TGW_RTB_LINK,
    },
    Handled {
        name: "DisassociateTransitGatewayRouteTable",
        ids: TGW_RTB_LINK,
    },
    Handled {
        name: "EnableTransitGatewayRouteTablePropagation",
        ids: TGW_RTB_LINK,
    },
    Handled {
        name: "DisableTransitGatewayRouteTablePropagation",
        ids: TGW_RTB_LINK,
    },
    Handled {
        name: "CreateTransitGatewayVpcAttachment",
        ids: TGW_VPC_ATTACHMENT,
    },
    Handled {
        name: "ModifyTransitGatewayVpcAttachment",
        ids: TGW_VPC_ATTACHMENT,
    },
    Handled {
        name: "AcceptTransitGatewayVpcAttachment",
        ids: TGW_VPC_ATTACHMENT,
    },
    Handled {
        name: "DeleteTransitGatewayVpcAttachment",
        ids: TGW_VPC_ATTACHMENT,
    },
    Handled {
        name: "CreateVpcPeeringConnection",
        ids: PEERING,
    },
    Handled {
        name: "AcceptVpcPeeringConnection",
        ids: PEERING,
    },
    Handled {
        name: "RejectVpcPeeringConnection",
        ids: PEERING,
    },
    Handled {
        name: "DeleteVpcPeeringConnection",
        ids: PEERING,
    },
    // An endpoint service the account hosts (issue 16): its NLBs, zones, acceptance. Both of
    // CloudTrail's forms are read.
    Handled {
        name: "ModifyVpcEndpointServiceConfiguration",
        ids: &[
            (
                Req,
                "ModifyVpcEndpointServiceConfigurationRequest.ServiceId",
            ),
            (Req, "serviceId"),
            (
                Req,
                "ModifyVpcEndpointServiceConfigurationRequest.AddNetworkLoadBalancerArn",
            ),
            (
                Req,
                "ModifyVpcEndpointServiceConfigurationRequest.RemoveNetworkLoadBalancerArn",
            ),
        ],
    },
];

// DNS (issue 15, docs/spec.md section 10). Route 53 records camelCase request fields, with
// `VPC` as `vPC` (`{"hostedZoneId": "Z…", "vPC": {"vPCRegion": "…", "vPCId": "vpc-…"}}`); the
// other spellings are read too. A zone locates to the VPCs associated with it, a Resolver rule
// to the VPCs it is associated with (`vpce_reach_aws::locate_with`); a call naming the VPC
// (an association or disassociation) is that VPC's.
const ZONE_ASSOCIATION: &[Path] = &[
    (Req, "hostedZoneId"),
    (Req, "vPC.vPCId"),
    (Req, "vpc.vpcId"),
    (Req, "VPC.VPCId"),
];
const RULE_ASSOCIATION: &[Path] = &[
    (Req, "resolverRuleId"),
    (Req, "vPCId"),
    (Req, "vpcId"),
    (Resp, "resolverRuleAssociation.resolverRuleId"),
    (Resp, "resolverRuleAssociation.vPCId"),
    (Resp, "resolverRuleAssociation.vpcId"),
];

/// The Route 53 calls that change what a VPC's names resolve to (their `eventSource`:
/// `route53.amazonaws.com`; Route 53 is global and its events arrive in us-east-1).
const ROUTE53_HANDLED: &[Handled] = &[
    Handled {
        name: "ChangeResourceRecordSets",
        ids: &[(Req, "hostedZoneId")],
    },
    Handled {
        name: "AssociateVPCWithHostedZone",
        ids: ZONE_ASSOCIATION,
    },
    Handled {
        name: "DisassociateVPCFromHostedZone",
        ids: ZONE_ASSOCIATION,
    },
];

/// The Route 53 Resolver calls that change which rule answers a VPC's names
/// (`route53resolver.amazonaws.com`, regional).
const RESOLVER_HANDLED: &[Handled] = &[
    Handled {
        name: "AssociateResolverRule",
        ids: RULE_ASSOCIATION,
    },
    Handled {
        name: "DisassociateResolverRule",
        ids: RULE_ASSOCIATION,
    },
    Handled {
        name: "UpdateResolverRule",
        ids: &[(Req, "resolverRuleId"), (Resp, "resolverRule.id")],
    },
];

// The provider side of the endpoint services the account hosts (issue 16, docs/spec.md
// section 11): the NLB behind a service, its listeners, target groups and registered targets.
// Elastic Load Balancing records camelCase fields and names resources by ARN; a listener's
// ARN names its load balancer, so a deleted listener still locates
// (`vpce_reach_aws::locate_with`).
const LOAD_BALANCER: &[Path] = &[(Req, "loadBalancerArn")];
const TARGET_GROUP: &[Path] = &[(Req, "targetGroupArn")];
const LISTENER: &[Path] = &[
    (Req, "listenerArn"),
    (Req, "loadBalancerArn"),
    (Resp, "listeners.listenerArn"),
];

/// The Elastic Load Balancing calls that change whether an NLB reaches its targets
/// (`elasticloadbalancing.amazonaws.com`, regional).
const ELB_HANDLED: &[Handled] = &[
    Handled {
        name: "RegisterTargets",
        ids: TARGET_GROUP,
    },
    Handled {
        name: "DeregisterTargets",
        ids: TARGET_GROUP,
    },
    Handled {
        name: "CreateListener",
        ids: LISTENER,
    },
    Handled {
        name: "ModifyListener",
        ids: LISTENER,
    },
    Handled {
        name: "DeleteListener",
        ids: LISTENER,
    },
    // Its port, health-check port and protocol.
    Handled {
        name: "ModifyTargetGroup",
        ids: TARGET_GROUP,
    },
    // Its cross-zone load balancing.
    Handled {
        name: "ModifyTargetGroupAttributes",
        ids: TARGET_GROUP,
    },
    Handled {
        name: "ModifyLoadBalancerAttributes",
        ids: LOAD_BALANCER,
    },
    // The NLB's security groups, and whether their inbound rules apply to PrivateLink traffic.
    Handled {
        name: "SetSecurityGroups",
        ids: &[(Req, "loadBalancerArn"), (Req, "securityGroups")],
    },
];

/// The handled calls of a CloudTrail `eventSource`.
fn handled_of(event_source: &str) -> &'static [Handled] {
    match event_source {
        EC2_EVENT_SOURCE => HANDLED,
        ROUTE53_EVENT_SOURCE => ROUTE53_HANDLED,
        RESOLVER_EVENT_SOURCE => RESOLVER_HANDLED,
        ELB_EVENT_SOURCE => ELB_HANDLED,
        _ => &[],
    }
}

/// The names of the handled Elastic Load Balancing calls, for the provider-side EventBridge
/// rule (`ElbChangeRule`).
pub fn handled_elb_event_names() -> Vec<&'static str> {
    ELB_HANDLED.iter().map(|h| h.name).collect()
}

/// The names of every handled EC2 API call, for the EventBridge rule's `eventName` list.
pub fn handled_event_names() -> Vec<&'static str> {
    HANDLED.iter().map(|h| h.name).collect()
}

/// The names of the handled Route 53 and Resolver calls, by CloudTrail `eventSource`, for the
/// DNS EventBridge rule.
pub fn handled_dns_event_names() -> Vec<(&'static str, Vec<&'static str>)> {
    [ROUTE53_EVENT_SOURCE, RESOLVER_EVENT_SOURCE]
        .into_iter()
        .map(|source| (source, handled_of(source).iter().map(|h| h.name).collect()))
        .collect()
}

/// The kinds of EC2 resource a change can name, recognised by their id's prefix (defined
/// with the lookup that locates them).
pub use vpce_reach_aws::ResourceKind;

/// One successful API call that may have changed reachability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The SQS message that carried it (for partial batch failures).
    pub message_id: String,
    /// The API operation, e.g. `RevokeSecurityGroupEgress`.
    pub event_name: String,
    /// When the call was made.
    pub event_time: String,
    /// Who made it (see [`crate::cloudtrail::UserIdentity::who`]).
    pub who: String,
    /// The account the call was made in.
    pub account: String,
    /// The region the call was made in.
    pub region: String,
    /// The resource ids the call touched (VPC ids included), without repeats, in record order.
    pub resources: Vec<String>,
}

impl Change {
    /// The VPC ids the record names itself; the other resources must be located.
    pub fn vpc_ids(&self) -> impl Iterator<Item = &str> {
        self.resources
            .iter()
            .map(String::as_str)
            .filter(|id| ResourceKind::of(id) == Some(ResourceKind::Vpc))
    }

    /// The resources to look up: the VPC ids the record names (a VPC deleted since must not
    /// be collected), else the other resources; and prefix lists always, as they are regional
    /// and located through the groups and route tables that use them.
    pub fn to_locate(&self) -> impl Iterator<Item = &str> {
        let has_vpc = self.vpc_ids().next().is_some();
        self.resources
            .iter()
            .map(String::as_str)
            .filter(move |id| match ResourceKind::of(id) {
                Some(ResourceKind::Vpc | ResourceKind::PrefixList) => true,
                _ => !has_vpc,
            })
    }
}

/// What to do with one CloudTrail record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    /// A successful call that can affect reachability.
    Change(Change),
    /// A call that failed (`errorCode` present): it changed nothing.
    Failed {
        /// The API operation.
        event_name: String,
        /// CloudTrail's `errorCode`.
        error_code: String,
    },
    /// A call that cannot affect endpoint reachability (or is not an EC2 call).
    Irrelevant {
        /// The API operation.
        event_name: String,
    },
}

/// Decides whether a CloudTrail record matters and which resources it touched.
pub fn classify(message_id: &str, account: &str, call: &ApiCall) -> Classified {
    let handled = handled_of(&call.event_source)
        .iter()
        .find(|h| h.name == call.event_name);
    let Some(handled) = handled else {
        return Classified::Irrelevant {
            event_name: call.event_name.clone(),
        };
    };
    if let Some(code) = &call.error_code {
        return Classified::Failed {
            event_name: call.event_name.clone(),
            error_code: code.clone(),
        };
    }
    Classified::Change(Change {
        message_id: message_id.to_owned(),
        event_name: call.event_name.clone(),
        event_time: call.event_time.clone(),
        who: call.user_identity.who(),
        account: account.to_owned(),
        region: call.aws_region.clone(),
        resources: resource_ids(handled.ids, call),
    })
}

/// Every id found at `paths`, keeping only recognised resource ids, without repeats.
fn resource_ids(paths: &[Path], call: &ApiCall) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (part, path) in paths {
        let root = match part {
            Req => call.request_parameters.as_ref(),
            Resp => call.response_elements.as_ref(),
        };
        let mut found = Vec::new();
        if let Some(root) = root {
            strings_at(root, path, &mut found);
        }
        for id in found {
            // Route 53 may name a zone `/hostedzone/Z…`.
            let id = id
                .strip_prefix("/hostedzone/")
                .map_or(id.clone(), str::to_owned);
            if ResourceKind::of(&id).is_some() && !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Collects the strings at a dotted `path` under `value`, walking arrays (and CloudTrail's
/// `{"items": [...]}` lists) element by element, and reading `{"content": "…"}` list items.
fn strings_at(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| strings_at(v, path, out)),
        Value::String(s) if path.is_empty() => out.push(s.clone()),
        Value::Object(map) if path.is_empty() => {
            if let Some(content) = map.get("content") {
                strings_at(content, "", out);
            }
        }
        Value::Object(map) => {
            let (head, rest) = path.split_once('.').unwrap_or((path, ""));
            if let Some(next) = map.get(head) {
                strings_at(next, rest, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::UserIdentity;
    use serde_json::json;

    fn call(name: &str, request: Value, response: Value) -> ApiCall {
        ApiCall {
            event_name: name.to_owned(),
            event_source: EC2_EVENT_SOURCE.to_owned(),
            event_time: "2025-03-04T10:00:00Z".to_owned(),
            aws_region: "eu-west-1".to_owned(),
            event_id: None,
            user_identity: UserIdentity {
                arn: Some("arn:aws:iam::1:user/bob".into()),
                ..Default::default()
            },
            error_code: None,
            error_message: None,
            request_parameters: Some(request),
            response_elements: Some(response),
        }
    }

    fn ids(name: &str, request: Value, response: Value) -> Vec<String> {
        match classify("m", "1", &call(name, request, response)) {
            Classified::Change(c) => c.resources,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn security_group_rule_calls_name_the_group() {
        let req = json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443,
            "toPort": 443, "groups": {"items": [{"groupId": "sg-ref"}]}}]}});
        let resp = json!({"_return": true, "securityGroupRuleSet": {"items": [{"groupId": "sg-1", "securityGroupRuleId": "sgr-1"}]}});
        assert_eq!(
            ids("AuthorizeSecurityGroupEgress", req.clone(), resp),
            ["sg-1"]
        );
        assert_eq!(
            ids("RevokeSecurityGroupIngress", req, json!({"_return": true})),
            ["sg-1"]
        );
        let modify = json!({"ModifySecurityGroupRulesRequest": {"GroupId": "sg-2", "SecurityGroupRule":
            {"SecurityGroupRuleId": "sgr-9", "tag": 1}}});
        assert_eq!(
            ids("ModifySecurityGroupRules", modify, json!(null)),
            ["sg-2"]
        );
    }

    fn dns_ids(source: &str, name: &str, request: Value, response: Value) -> Vec<String> {
        let mut c = call(name, request, response);
        c.event_source = source.to_owned();
        match classify("m", "1", &c) {
            Classified::Change(c) => c.resources,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn route53_and_resolver_calls_name_the_zone_rule_and_vpc() {
        let assoc = json!({"hostedZoneId": "Z0123456789ABC",
            "vPC": {"vPCRegion": "eu-west-1", "vPCId": "vpc-1"}, "comment": ""});
        assert_eq!(
            dns_ids(
                ROUTE53_EVENT_SOURCE,
                "AssociateVPCWithHostedZone",
                assoc,
                json!(null)
            ),
            ["Z0123456789ABC", "vpc-1"]
        );
        let change = json!({"hostedZoneId": "/hostedzone/Z0123456789ABC",
            "changeBatch": {"changes": [{"action": "UPSERT"}]}});
        assert_eq!(
            dns_ids(
                ROUTE53_EVENT_SOURCE,
                "ChangeResourceRecordSets",
                change,
                json!(null)
            ),
            ["Z0123456789ABC"]
        );
        let rule = json!({"resolverRuleId": "rslvr-rr-1", "vPCId": "vpc-2", "name": "x"});
        assert_eq!(
            dns_ids(
                RESOLVER_EVENT_SOURCE,
                "AssociateResolverRule",
                rule,
                json!(null)
            ),
            ["rslvr-rr-1", "vpc-2"]
        );
        // A Route 53 name under EC2's source (or the reverse) is not a handled call.
        assert!(matches!(
            classify(
                "m",
                "1",
                &call("ChangeResourceRecordSets", json!({}), json!(null))
            ),
            Classified::Irrelevant { .. }
        ));
        let names = handled_dns_event_names();
        assert_eq!(names[0].0, ROUTE53_EVENT_SOURCE);
        assert!(names[1].1.contains(&"UpdateResolverRule"));
    }

    #[test]
    fn wrapped_requests_with_tag_content_lists() {
        let req = json!({"DeleteVpcEndpointsRequest": {"VpcEndpointId": [{"tag": 1, "content": "vpce-1"}, {"tag": 2, "content": "vpce-2"}]}});
        assert_eq!(
            ids("DeleteVpcEndpoints", req, json!(null)),
            ["vpce-1", "vpce-2"]
        );
        let req = json!({"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": "vpce-3"}}});
        assert_eq!(ids("DeleteVpcEndpoints", req, json!(null)), ["vpce-3"]);
        let req = json!({"CreateVpcEndpointRequest": {"VpcId": "vpc-1", "ServiceName": "com.amazonaws.eu-west-1.ssm"}});
        let resp = json!({"CreateVpcEndpointResponse": {"vpcEndpoint": {"vpcEndpointId": "vpce-4", "vpcId": "vpc-1"}}});
        let change = match classify("m", "1", &call("CreateVpcEndpoint", req, resp)) {
            Classified::Change(c) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(change.resources, ["vpce-4", "vpc-1"]);
        assert_eq!(change.vpc_ids().collect::<Vec<_>>(), ["vpc-1"]);
        assert_eq!(
            change.to_locate().collect::<Vec<_>>(),
            ["vpc-1"],
            "only the named VPC"
        );
    }

    #[test]
    fn associations_routes_and_acls() {
        let req = json!({"routeTableId": "rtb-1", "subnetId": "subnet-1"});
        let resp =
            json!({"associationId": "rtbassoc-1", "associationState": {"state": "associated"}});
        assert_eq!(
            ids("AssociateRouteTable", req, resp),
            ["rtb-1", "subnet-1", "rtbassoc-1"]
        );
        let req = json!({"associationId": "aclassoc-1", "networkAclId": "acl-2"});
        assert_eq!(
            ids(
                "ReplaceNetworkAclAssociation",
                req,
                json!({"newAssociationId": "aclassoc-2"})
            ),
            ["acl-2", "aclassoc-2"]
        );
        let req = json!({"networkAclId": "acl-1", "ruleNumber": 100, "egress": false, "cidrBlock": "10.0.0.0/16"});
        assert_eq!(
            ids("DeleteNetworkAclEntry", req, json!({"_return": true})),
            ["acl-1"]
        );
        let req = json!({"routeTableId": "rtb-2", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"});
        assert_eq!(ids("ReplaceRoute", req, json!(null)), ["rtb-2"]);
    }

    #[test]
    fn prefix_lists_are_located_even_beside_a_vpc() {
        let req = json!({"ModifyManagedPrefixListRequest": {"PrefixListId": "pl-1", "CurrentVersion": 1}});
        let change = match classify("m", "1", &call("ModifyManagedPrefixList", req, json!(null))) {
            Classified::Change(c) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(change.to_locate().collect::<Vec<_>>(), ["pl-1"]);
    }

    #[test]
    fn failed_and_unrelated_calls() {
        let mut failed = call(
            "RevokeSecurityGroupEgress",
            json!({"groupId": "sg-1"}),
            json!(null),
        );
        failed.error_code = Some("Client.UnauthorizedOperation".into());
        assert_eq!(
            classify("m", "1", &failed),
            Classified::Failed {
                event_name: "RevokeSecurityGroupEgress".into(),
                error_code: "Client.UnauthorizedOperation".into()
            }
        );
        let run = call("RunInstances", json!({}), json!({}));
        assert!(matches!(
            classify("m", "1", &run),
            Classified::Irrelevant { .. }
        ));
        let mut other_service = call("CreateRoute", json!({"routeTableId": "rtb-1"}), json!(null));
        other_service.event_source = "s3.amazonaws.com".into();
        assert!(matches!(
            classify("m", "1", &other_service),
            Classified::Irrelevant { .. }
        ));
    }

    #[test]
    fn resource_kinds_by_prefix() {
        assert_eq!(
            ResourceKind::of("rtbassoc-0a"),
            Some(ResourceKind::RouteTableAssociation)
        );
        assert_eq!(ResourceKind::of("vpc-0a"), Some(ResourceKind::Vpc));
        assert_eq!(ResourceKind::of("vpce-0a"), Some(ResourceKind::VpcEndpoint));
        assert_eq!(ResourceKind::of("igw-0a"), None);
        assert_eq!(ResourceKind::of("sg-"), None);
        assert_eq!(
            ResourceKind::of("tgw-rtb-0a"),
            Some(ResourceKind::TgwRouteTable)
        );
        assert_eq!(handled_event_names().len(), 38);
    }

    #[test]
    fn transit_gateway_calls_in_either_form() {
        let camel = json!({"transitGatewayRouteTableId": "tgw-rtb-1", "destinationCidrBlock": "10.1.0.0/16",
            "transitGatewayAttachmentId": "tgw-attach-1"});
        assert_eq!(
            ids("CreateTransitGatewayRoute", camel, json!(null)),
            ["tgw-rtb-1", "tgw-attach-1"]
        );
        let wrapped = json!({"DeleteTransitGatewayRouteRequest": {"TransitGatewayRouteTableId": "tgw-rtb-2",
            "DestinationCidrBlock": "10.1.0.0/16"}});
        assert_eq!(
            ids("DeleteTransitGatewayRoute", wrapped, json!(null)),
            ["tgw-rtb-2"]
        );
        let wrapped = json!({"DisassociateTransitGatewayRouteTableRequest": {
            "TransitGatewayRouteTableId": "tgw-rtb-3", "TransitGatewayAttachmentId": "tgw-attach-3"}});
        assert_eq!(
            ids("DisassociateTransitGatewayRouteTable", wrapped, json!(null)),
            ["tgw-rtb-3", "tgw-attach-3"]
        );
        // A deleted attachment's response still names its VPC, which is then the only lookup.
        let req = json!({"DeleteTransitGatewayVpcAttachmentRequest": {"TransitGatewayAttachmentId": "tgw-attach-4"}});
        let resp = json!({"DeleteTransitGatewayVpcAttachmentResponse": {"transitGatewayVpcAttachment": {
            "transitGatewayAttachmentId": "tgw-attach-4", "vpcId": "vpc-4", "state": "deleting"}}});
        let change = match classify(
            "m",
            "1",
            &call("DeleteTransitGatewayVpcAttachment", req, resp),
        ) {
            Classified::Change(c) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(change.resources, ["tgw-attach-4", "vpc-4"]);
        assert_eq!(change.to_locate().collect::<Vec<_>>(), ["vpc-4"]);
    }

    #[test]
    fn peering_and_dhcp_calls_name_their_vpcs() {
        let req = json!({"vpcId": "vpc-a", "peerVpcId": "vpc-b", "peerOwnerId": "123456789012"});
        let resp = json!({"vpcPeeringConnection": {"vpcPeeringConnectionId": "pcx-1",
            "requesterVpcInfo": {"vpcId": "vpc-a"}, "accepterVpcInfo": {"vpcId": "vpc-b"}}});
        assert_eq!(
            ids("CreateVpcPeeringConnection", req, resp),
            ["vpc-a", "vpc-b", "pcx-1"]
        );
        assert_eq!(
            ids(
                "DeleteVpcPeeringConnection",
                json!({"vpcPeeringConnectionId": "pcx-1"}),
                json!({"_return": true})
            ),
            ["pcx-1"]
        );
        let req = json!({"dhcpOptionsId": "dopt-1", "vpcId": "vpc-a"});
        assert_eq!(
            ids("AssociateDhcpOptions", req, json!({"_return": true})),
            ["vpc-a", "dopt-1"]
        );
    }
}
