//! Which VPCs a change notification concerns: a change to one resource can break any pair of
//! its VPCs, so those VPCs are re-evaluated whole (with the VPCs linked to them).
//!
//! Most resources are in one VPC. The link and DNS resources (issues 14 and 15) concern
//! several: a peering connection both sides, a TGW route table the VPCs of the attachments
//! associated with it, a hosted zone the VPCs associated with it. When neither the item nor
//! EC2 can name them, the whole region is evaluated (docs/config-rule.md).

use std::collections::BTreeSet;

use aws_sdk_ec2::Client;
use serde_json::Value;
use vpce_reach_aws::CallError;
use vpce_reach_model::{
    DHCP_OPTIONS_TYPE, ENDPOINT_SERVICE_TYPE, HOSTED_ZONE_TYPE, LOAD_BALANCER_TYPE, PEERING_TYPE,
    RESOLVER_RULE_TYPE, TGW_ATTACHMENT_TYPE, TGW_ROUTE_TABLE_TYPE,
};

use crate::event::{ConfigurationItem, ItemConfiguration};

/// Config's resource type of a VPC: its own id is the VPC to re-evaluate.
pub const VPC_TYPE: &str = "AWS::EC2::VPC";

/// What a change re-evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing: no VPC to know (a deleted resource's item has no configuration; a resource
    /// EC2 no longer knows; a link no VPC uses).
    Nothing,
    /// These VPCs.
    Vpcs(BTreeSet<String>),
    /// The whole region; the reason goes to the log.
    Region(String),
}

impl Target {
    fn of(vpcs: BTreeSet<String>) -> Target {
        if vpcs.is_empty() {
            Target::Nothing
        } else {
            Target::Vpcs(vpcs)
        }
    }
}

/// The VPCs to re-evaluate after a change to `item`. `diff` is the event's
/// `configurationItemDiff` (a deleted link's previous configuration names its VPCs).
///
/// A full item names its VPCs in its configuration. An oversized notification carries only a
/// summary, so the resource is located by its id with [`vpce_reach_aws::locate`] (one EC2
/// describe call of its kind).
pub async fn target_of(
    ec2: &Client,
    item: &ConfigurationItem,
    diff: Option<&Value>,
    oversized: bool,
) -> Result<Target, CallError> {
    let kind = item.resource_type.as_str();
    if kind == VPC_TYPE {
        // A deleted VPC has nothing left to re-evaluate.
        let vpc = (!item.is_deleted()).then(|| item.resource_id.clone());
        return Ok(Target::of(vpc.into_iter().collect()));
    }
    if let Some(target) = link_or_dns(item, diff, oversized) {
        return match target {
            Lookup::Done(target) => Ok(target),
            Lookup::Locate => locate(ec2, &item.resource_id).await,
        };
    }
    if item.is_deleted() || !oversized {
        return Ok(Target::of(
            item.configured_vpc()
                .map(str::to_owned)
                .into_iter()
                .collect(),
        ));
    }
    locate(ec2, &item.resource_id).await
}

/// How a link or DNS resource's VPCs are found.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// Known from the item alone.
    Done(Target),
    /// Located by id through EC2.
    Locate,
}

/// `None` for the other types.
fn link_or_dns(item: &ConfigurationItem, diff: Option<&Value>, oversized: bool) -> Option<Lookup> {
    let deleted = item.is_deleted();
    // The VPCs the item (or, once deleted, its previous configuration) names.
    let region = item.aws_region.as_deref();
    let named = || {
        let vpcs = if deleted {
            previous_configuration(diff).map(|c| vpc_ids_in(&c, region))
        } else {
            item.configuration
                .as_deref()
                .map(|c| item_vpc_ids(c, region))
        };
        vpcs.filter(|v| !v.is_empty())
    };
    let region = |why: &str| Lookup::Done(Target::Region(why.to_owned()));
    Some(match item.resource_type.as_str() {
        // Describe output of a route table lists no association: EC2 is asked. AWS deletes
        // no route table with associations, but a deleted one's item names none.
        TGW_ROUTE_TABLE_TYPE if deleted => region("a deleted TGW route table names no VPC"),
        TGW_ROUTE_TABLE_TYPE => Lookup::Locate,
        TGW_ATTACHMENT_TYPE | PEERING_TYPE => match named() {
            Some(vpcs) => Lookup::Done(Target::Vpcs(vpcs)),
            None if deleted => region("a deleted link whose previous configuration is unknown"),
            None => Lookup::Locate,
        },
        // EC2 deletes no option set a VPC uses; a set's options never change. The VPCs using
        // it are EC2's to say (its item does not list them).
        DHCP_OPTIONS_TYPE if deleted => Lookup::Done(Target::Nothing),
        DHCP_OPTIONS_TYPE => Lookup::Locate,
        HOSTED_ZONE_TYPE => match named() {
            Some(vpcs) if !oversized => Lookup::Done(Target::Vpcs(vpcs)),
            _ => region("the hosted zone's item names no associated VPC"),
        },
        // A rule's associations are items of their own type, which the rule does not watch.
        RESOLVER_RULE_TYPE => region("a Resolver rule's item names none of its VPCs"),
        // Issue 16: a load balancer's item names its VPC; a service's names only its load
        // balancers (their VPCs, and its consumers', are anywhere in the region).
        LOAD_BALANCER_TYPE => match named() {
            Some(vpcs) => Lookup::Done(Target::Vpcs(vpcs)),
            None => region("the load balancer's item names no VPC"),
        },
        ENDPOINT_SERVICE_TYPE => region("an endpoint service's item names no VPC"),
        _ => return None,
    })
}

/// Locates `id` through EC2: every VPC it belongs to.
async fn locate(ec2: &Client, id: &str) -> Result<Target, CallError> {
    let ids = BTreeSet::from([id.to_owned()]);
    let mut located = vpce_reach_aws::locate(ec2, &ids).await?;
    Ok(Target::of(located.remove(id).unwrap_or_default()))
}

/// The VPC ids a typed configuration names (its `vpcId`, and those nested in its other
/// fields).
fn item_vpc_ids(config: &ItemConfiguration, region: Option<&str>) -> BTreeSet<String> {
    let mut vpcs = vpc_ids_in(&Value::Object(config.other.clone()), region);
    vpcs.extend(config.vpc_id.clone().filter(|v| v.starts_with("vpc-")));
    vpcs
}

/// A deleted item's previous configuration, from the diff.
fn previous_configuration(diff: Option<&Value>) -> Option<Value> {
    let previous = &diff?["changedProperties"]["Configuration"]["previousValue"];
    previous.is_object().then(|| previous.clone())
}

/// Every VPC id in a configuration: the values of keys named `vpcId` in any case (Config
/// camelCases describe outputs, `vpcId`, and spells CloudFormation-shaped ones its own way,
/// `VPCId` / `vPCId`), and a TGW attachment's `resourceId` when it is a VPC, at any depth
/// (a peering connection's `accepterVpcInfo.vpcId`, a zone's `vPCs[].vPCId`). A VPC named
/// beside a `vpcRegion`/`VPCRegion` other than `region` (a zone associated with a VPC of
/// another Region) is left out.
fn vpc_ids_in(value: &Value, region: Option<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(value, region, &mut out);
    out
}

fn walk(value: &Value, region: Option<&str>, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            let elsewhere = map.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("vpcregion")
                    && v.as_str().zip(region).is_some_and(|(r, ours)| r != ours)
            });
            for (key, v) in map {
                let key = key.to_ascii_lowercase();
                match v.as_str() {
                    Some(s) if (key == "vpcid" || key == "resourceid") && s.starts_with("vpc-") => {
                        if !elsewhere {
                            out.insert(s.to_owned());
                        }
                    }
                    _ => walk(v, region, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, region, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(kind: &str, status: &str, configuration: Value) -> ConfigurationItem {
        serde_json::from_value(json!({
            "resourceType": kind, "resourceId": "x", "configurationItemStatus": status,
            "configurationItemCaptureTime": "t", "awsRegion": "us-east-1",
            "configuration": configuration,
        }))
        .unwrap()
    }

    fn vpcs(ids: &[&str]) -> Lookup {
        Lookup::Done(Target::Vpcs(ids.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn a_peering_connection_concerns_both_sides() {
        let pcx = item(
            PEERING_TYPE,
            "OK",
            json!({"vpcPeeringConnectionId": "pcx-1",
                "accepterVpcInfo": {"vpcId": "vpc-b", "ownerId": "2"},
                "requesterVpcInfo": {"vpcId": "vpc-a", "ownerId": "1"}}),
        );
        assert_eq!(
            link_or_dns(&pcx, None, false),
            Some(vpcs(&["vpc-a", "vpc-b"]))
        );
    }

    #[test]
    fn a_tgw_attachment_concerns_its_vpc_by_any_spelling() {
        for config in [
            json!({"transitGatewayAttachmentId": "tgw-attach-1", "vpcId": "vpc-a"}),
            json!({"transitGatewayAttachmentId": "tgw-attach-1", "resourceType": "vpc",
                "resourceId": "vpc-a"}),
        ] {
            let attach = item(TGW_ATTACHMENT_TYPE, "OK", config);
            assert_eq!(link_or_dns(&attach, None, false), Some(vpcs(&["vpc-a"])));
        }
        let bare = item(
            TGW_ATTACHMENT_TYPE,
            "OK",
            json!({"transitGatewayId": "tgw-1"}),
        );
        assert_eq!(link_or_dns(&bare, None, false), Some(Lookup::Locate));
    }

    #[test]
    fn a_deleted_link_uses_its_previous_configuration_or_the_region() {
        let gone = item(PEERING_TYPE, "ResourceDeleted", Value::Null);
        let diff = json!({"changedProperties": {"Configuration": {"previousValue": {
            "accepterVpcInfo": {"vpcId": "vpc-b"}, "requesterVpcInfo": {"vpcId": "vpc-a"}},
            "updatedValue": null, "changeType": "DELETE"}}, "changeType": "DELETE"});
        assert_eq!(
            link_or_dns(&gone, Some(&diff), false),
            Some(vpcs(&["vpc-a", "vpc-b"]))
        );
        assert!(matches!(
            link_or_dns(&gone, None, false),
            Some(Lookup::Done(Target::Region(_)))
        ));
        let rtb = item(TGW_ROUTE_TABLE_TYPE, "ResourceDeleted", Value::Null);
        assert!(matches!(
            link_or_dns(&rtb, None, false),
            Some(Lookup::Done(Target::Region(_)))
        ));
    }

    #[test]
    fn route_tables_and_option_sets_are_located_through_ec2() {
        let rtb = item(
            TGW_ROUTE_TABLE_TYPE,
            "OK",
            json!({"transitGatewayId": "tgw-1"}),
        );
        assert_eq!(link_or_dns(&rtb, None, false), Some(Lookup::Locate));
        let set = item(DHCP_OPTIONS_TYPE, "OK", json!({"dhcpOptionsId": "dopt-1"}));
        assert_eq!(link_or_dns(&set, None, true), Some(Lookup::Locate));
        let gone = item(DHCP_OPTIONS_TYPE, "ResourceDeleted", Value::Null);
        assert_eq!(
            link_or_dns(&gone, None, false),
            Some(Lookup::Done(Target::Nothing))
        );
    }

    #[test]
    fn dns_resources_name_their_vpcs_or_evaluate_the_region() {
        let zone = item(
            HOSTED_ZONE_TYPE,
            "OK",
            json!({"id": "Z0SSM", "name": "ssm.us-east-1.amazonaws.com.",
                "vPCs": [{"vPCId": "vpc-a", "vPCRegion": "us-east-1"},
                         {"vPCId": "vpc-w", "vPCRegion": "eu-west-1"}]}),
        );
        assert_eq!(link_or_dns(&zone, None, false), Some(vpcs(&["vpc-a"])));
        let public = item(
            HOSTED_ZONE_TYPE,
            "OK",
            json!({"id": "Z0PUB", "name": "example.com."}),
        );
        assert!(matches!(
            link_or_dns(&public, None, false),
            Some(Lookup::Done(Target::Region(_)))
        ));
        let rule = item(RESOLVER_RULE_TYPE, "OK", json!({"id": "rslvr-rr-1"}));
        assert!(matches!(
            link_or_dns(&rule, None, false),
            Some(Lookup::Done(Target::Region(_)))
        ));
    }

    #[test]
    fn a_load_balancer_names_its_vpc_and_a_service_the_region() {
        let lb = item(LOAD_BALANCER_TYPE, "OK", json!({"vpcId": "vpc-1"}));
        assert_eq!(link_or_dns(&lb, None, false), Some(vpcs(&["vpc-1"])));
        let svc = item(
            ENDPOINT_SERVICE_TYPE,
            "OK",
            json!({"serviceId": "vpce-svc-1"}),
        );
        assert!(matches!(
            link_or_dns(&svc, None, false),
            Some(Lookup::Done(Target::Region(_)))
        ));
    }

    #[test]
    fn other_types_are_not_links() {
        let sg = item("AWS::EC2::SecurityGroup", "OK", json!({"vpcId": "vpc-1"}));
        assert_eq!(link_or_dns(&sg, None, false), None);
    }
}
