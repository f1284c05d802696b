//! Changes on the workload side: network interfaces and subnets. The rule evaluates neither
//! type, but an ENI launched with a group that forgets the endpoints, or whose groups are
//! swapped, changes the verdicts of its VPC.
//!
//! Busy accounts churn ENIs (ECS tasks, Lambda, load balancers, endpoints), so whether a change
//! can matter is decided from the configuration item itself, without a describe call: the
//! model's own workload rule ([`vpce_reach_model::eni_role`]) on the item's `interfaceType`,
//! `requesterManaged`, `description` and `status`. A change that cannot matter gets no VPC
//! evaluation, and the summary says why ([`Decision::Skip`]). One that can evaluates its whole
//! VPC, as any other change does: a group shared by many ENIs keeps the verdict the whole VPC
//! gives it.

use serde::Deserialize;
use serde_json::Value;
use vpce_reach_model::RuleParameters;
use vpce_reach_model::{eni_role, EniFacts, EniRole};

use crate::event::{ConfigurationItem, ItemConfiguration};

/// Config's resource type of a network interface.
pub const NETWORK_INTERFACE_TYPE: &str = "AWS::EC2::NetworkInterface";
/// Config's resource type of a subnet.
pub const SUBNET_TYPE: &str = "AWS::EC2::Subnet";

/// Every resource type whose changes the rule handles: the evaluated types, then the
/// workload-side ones. `template.yaml`'s `Scope.ComplianceResourceTypes` lists exactly these
/// (`tests/template.rs` reads this list from this file).
pub const TRIGGER_TYPES: [&str; 15] = [
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::RouteTable",
    "AWS::EC2::VPC",
    "AWS::EC2::TransitGatewayRouteTable",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::Route53::HostedZone",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::EC2::DHCPOptions",
    "AWS::EC2::VPCEndpointService",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::Subnet",
];

/// What a change notification calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to evaluate; the reason goes into the summary.
    Skip(String),
    /// Evaluate this VPC (known from the previous configuration of a deleted ENI).
    Vpc(String),
    /// Evaluate the VPC the usual way (`scope::vpc_of`).
    AsUsual,
}

/// Decides what a change to `item` calls for. `diff` is the event's `configurationItemDiff`;
/// `oversized` says the item is a summary without configuration.
pub fn decide(
    item: &ConfigurationItem,
    diff: Option<&Value>,
    oversized: bool,
    params: &RuleParameters,
) -> Decision {
    match item.resource_type.as_str() {
        SUBNET_TYPE => subnet(item, diff, params),
        // No configuration to read: the describe lookup finds the VPC, which is evaluated.
        _ if oversized => Decision::AsUsual,
        NETWORK_INTERFACE_TYPE if item.is_deleted() => deleted_eni(diff, params),
        NETWORK_INTERFACE_TYPE => changed_eni(item.configuration.as_deref(), diff, params),
        _ => Decision::AsUsual,
    }
}

/// A live ENI: evaluated when it is a workload now, or may have been one just before.
fn changed_eni(
    config: Option<&ItemConfiguration>,
    diff: Option<&Value>,
    params: &RuleParameters,
) -> Decision {
    let Some(config) = config else {
        return Decision::AsUsual;
    };
    match role_of(config, params) {
        Err(why) => Decision::Skip(why),
        Ok(Role::Workload) => unread_change(diff, params).map_or(Decision::AsUsual, |keys| {
            Decision::Skip(format!(
                "a workload, but only properties the model does not read changed: {keys}"
            ))
        }),
        Ok(Role::Detached) => detached(diff),
    }
}

/// Changed properties of an ENI that no verdict reads (the model reads its type,
/// requester-managed flag, description, status, subnet, VPC, private addresses, groups, and
/// tags for `ConsumerTag`). Prefixes of the diff's property names.
const UNREAD_PROPERTIES: [&str; 11] = [
    "Configuration.Attachment",
    "Configuration.Association",
    "Configuration.SourceDestCheck",
    "Configuration.Ipv6",
    "Configuration.PrivateDnsName",
    "Configuration.MacAddress",
    "Configuration.RequesterId",
    "Configuration.OwnerId",
    "Configuration.AvailabilityZone",
    "Relationships",
    "SupplementaryConfiguration",
];

/// The changed properties, joined, when the diff is an update of properties only outside what
/// the model reads; `None` when anything read may have changed (or the diff says too little).
fn unread_change(diff: Option<&Value>, params: &RuleParameters) -> Option<String> {
    let diff = diff.filter(|d| d["changeType"] == "UPDATE")?;
    let unread = |key: &str| {
        UNREAD_PROPERTIES.iter().any(|p| key.starts_with(p))
            || (params.consumer_tag.is_none()
                && (key.starts_with("Configuration.TagSet") || key.starts_with("Tags")))
    };
    let keys: Vec<&str> = changed_properties(diff).collect();
    (!keys.is_empty() && keys.iter().all(|k| unread(k))).then(|| keys.join(", "))
}

/// A detached ENI is no workload now, but was one before if this change detached it: then
/// its pairs' verdicts must be withdrawn, which takes the VPC's evaluation.
fn detached(diff: Option<&Value>) -> Decision {
    let Some(diff) = diff.filter(|d| d.is_object()) else {
        return Decision::AsUsual;
    };
    if diff["changeType"] == "CREATE" {
        return Decision::Skip("not a workload: created detached (status available)".into());
    }
    let status_changed = changed_properties(diff).any(|k| k == "Configuration.Status");
    if status_changed {
        Decision::AsUsual
    } else {
        Decision::Skip("not a workload: detached (status available) before and after".into())
    }
}

/// A deleted ENI's item has no configuration; its previous one is in the diff. Only a
/// workload's deletion can change a verdict (its pairs were some resources' reason to be
/// `COMPLIANT` or `NON_COMPLIANT`): that re-evaluates its VPC.
fn deleted_eni(diff: Option<&Value>, params: &RuleParameters) -> Decision {
    let previous = diff
        .map(|d| &d["changedProperties"]["Configuration"]["previousValue"])
        .and_then(|v| serde_json::from_value::<ItemConfiguration>(v.clone()).ok());
    let Some(previous) = previous else {
        return Decision::Skip(
            "deleted; the event carries no previous configuration, so neither its role nor its \
             VPC is known: the next scheduled run settles its VPC"
                .into(),
        );
    };
    match role_of(&previous, params) {
        Err(why) => Decision::Skip(format!("deleted, and was {why}")),
        Ok(Role::Detached) => {
            Decision::Skip("deleted, and was not a workload: detached (status available)".into())
        }
        Ok(Role::Workload) => match previous.vpc_id.filter(|v| !v.is_empty()) {
            Some(vpc) => Decision::Vpc(vpc),
            None => Decision::Skip("deleted workload without a VPC in its configuration".into()),
        },
    }
}

/// What the rule does with an ENI's role.
enum Role {
    /// A workload, or may be one (`ConsumerTag` on its groups or subnet is not in the item).
    Workload,
    /// Detached now: a workload just before only if this change detached it.
    Detached,
}

/// The model's workload rule on a configuration: `Err` says why the ENI is not a workload
/// whatever else changes (interface type and requester-managed are fixed at creation; AWS
/// lets no one but the service change a requester-managed ENI other than its tags).
fn role_of(config: &ItemConfiguration, params: &RuleParameters) -> Result<Role, String> {
    let eni = &config.eni;
    let facts = EniFacts {
        interface_type: eni.interface_type.as_deref(),
        requester_managed: eni.requester_managed.unwrap_or(false),
        description: eni.description.as_deref(),
        status: eni.status.as_deref(),
    };
    match eni_role(facts) {
        EniRole::Workload => Ok(Role::Workload),
        EniRole::Detached => Ok(Role::Detached),
        // A tag on it, one of its groups or its subnet may select it: only the VPC knows.
        EniRole::Infrastructure if params.consumer_tag.is_some() => Ok(Role::Workload),
        EniRole::Infrastructure => Err(format!(
            "not a workload: requester-managed by {} ({})",
            eni.requester_id.as_deref().unwrap_or("an AWS service"),
            eni.description.as_deref().unwrap_or("no description"),
        )),
        EniRole::OtherType(kind) => Err(format!("not a workload: interface type {kind}")),
    }
}

/// A subnet's CIDR is fixed; its NACL and route-table associations arrive as NACL and route
/// table items; EC2 deletes no subnet that still holds ENIs. Only its tags can change a
/// verdict, and only through `ConsumerTag`.
fn subnet(item: &ConfigurationItem, diff: Option<&Value>, params: &RuleParameters) -> Decision {
    if item.is_deleted() {
        return Decision::Skip(
            "subnet deleted: it held no ENI, and its NACL association arrives as a NACL item"
                .into(),
        );
    }
    if params.consumer_tag.is_none() {
        return Decision::Skip(
            "subnet: without ConsumerTag nothing of a subnet's own item changes a verdict".into(),
        );
    }
    let tags_changed = match diff.filter(|d| d.is_object()) {
        Some(d) => {
            d["changeType"] == "CREATE"
                || changed_properties(d).any(|k| k.to_ascii_lowercase().contains("tag"))
        }
        None => true,
    };
    if tags_changed {
        Decision::AsUsual
    } else {
        Decision::Skip("subnet: its tags did not change (ConsumerTag reads only those)".into())
    }
}

/// The names of the diff's changed properties (`Configuration.Status`, `Relationships.0`, ...).
fn changed_properties(diff: &Value) -> impl Iterator<Item = &str> {
    diff["changedProperties"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys().map(String::as_str))
}

/// The fields of an ENI's configuration the workload rule reads (absent on other types).
/// Other types use some of these names with other shapes (a peering connection's `status`
/// is an object): a value of another shape reads as absent rather than failing the event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EniConfiguration {
    /// `interface`, `lambda`, `nat_gateway`, `vpc_endpoint`, ...
    #[serde(default, deserialize_with = "string_or_absent")]
    pub interface_type: Option<String>,
    /// True for an ENI an AWS service created and manages.
    #[serde(default, deserialize_with = "bool_or_absent")]
    pub requester_managed: Option<bool>,
    /// The service or principal that created a requester-managed ENI.
    #[serde(default, deserialize_with = "string_or_absent")]
    pub requester_id: Option<String>,
    /// A Lambda's or an ECS task's ENI is recognised by it.
    #[serde(default, deserialize_with = "string_or_absent")]
    pub description: Option<String>,
    /// `in-use`, `available`, ...
    #[serde(default, deserialize_with = "string_or_absent")]
    pub status: Option<String>,
}

fn string_or_absent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

fn bool_or_absent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Value::deserialize(d)?.as_bool())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vpce_reach_model::RESOURCE_TYPES;

    fn item(kind: &str, status: &str, configuration: Value) -> ConfigurationItem {
        serde_json::from_value(json!({
            "resourceType": kind, "resourceId": "x", "configurationItemStatus": status,
            "configurationItemCaptureTime": "t", "configuration": configuration,
        }))
        .unwrap()
    }

    fn eni(kind: &str, managed: bool, description: &str, status: &str) -> Value {
        json!({"networkInterfaceId": "eni-1", "vpcId": "vpc-1", "interfaceType": kind,
            "requesterManaged": managed, "requesterId": "amazon-rds", "description": description,
            "status": status})
    }

    fn tagged() -> RuleParameters {
        RuleParameters::from_pairs([("ConsumerTag", "team")]).unwrap()
    }

    fn decide_eni(config: Value, diff: Option<Value>, params: &RuleParameters) -> Decision {
        let item = item(NETWORK_INTERFACE_TYPE, "OK", config);
        decide(&item, diff.as_ref(), false, params)
    }

    #[test]
    fn the_evaluated_types_are_trigger_types() {
        assert!(RESOURCE_TYPES.iter().all(|t| TRIGGER_TYPES.contains(t)));
    }

    #[test]
    fn workload_enis_evaluate_their_vpc() {
        let none = RuleParameters::default();
        let ecs = "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e2d3c";
        for config in [
            eni("interface", false, "web", "in-use"),
            eni("interface", true, ecs, "in-use"),
            eni("lambda", true, "AWS Lambda VPC ENI-orders", "in-use"),
        ] {
            assert_eq!(decide_eni(config, None, &none), Decision::AsUsual);
        }
    }

    #[test]
    fn a_workload_change_only_to_unread_properties_is_skipped() {
        let web = || eni("interface", false, "web", "in-use");
        let none = RuleParameters::default();
        let update = |keys: &[&str]| {
            let props: serde_json::Map<String, Value> =
                keys.iter().map(|k| (k.to_string(), json!({}))).collect();
            json!({"changedProperties": props, "changeType": "UPDATE"})
        };
        let public_ip = update(&["Configuration.Association", "Relationships.2"]);
        assert_eq!(
            decide_eni(web(), Some(public_ip), &none),
            Decision::Skip(
                "a workload, but only properties the model does not read changed: \
                 Configuration.Association, Relationships.2"
                    .into()
            )
        );
        let groups = update(&["Configuration.Groups.0", "Relationships.0"]);
        assert_eq!(decide_eni(web(), Some(groups), &none), Decision::AsUsual);
        // Tags are read only for ConsumerTag.
        let tags = || update(&["Configuration.TagSet.0", "Tags.team"]);
        assert!(matches!(
            decide_eni(web(), Some(tags()), &none),
            Decision::Skip(_)
        ));
        assert_eq!(
            decide_eni(web(), Some(tags()), &tagged()),
            Decision::AsUsual
        );
        let empty = update(&[]);
        assert_eq!(decide_eni(web(), Some(empty), &none), Decision::AsUsual);
    }

    #[test]
    fn infrastructure_enis_are_skipped_unless_consumer_tag_may_select_them() {
        let rds = eni("interface", true, "RDSNetworkInterface", "in-use");
        assert_eq!(
            decide_eni(rds.clone(), None, &RuleParameters::default()),
            Decision::Skip(
                "not a workload: requester-managed by amazon-rds (RDSNetworkInterface)".into()
            )
        );
        assert_eq!(decide_eni(rds, None, &tagged()), Decision::AsUsual);
        let nat = eni("nat_gateway", true, "Interface for NAT Gateway", "in-use");
        assert_eq!(
            decide_eni(nat, None, &tagged()),
            Decision::Skip("not a workload: interface type nat_gateway".into())
        );
    }

    #[test]
    fn a_detached_eni_is_evaluated_only_when_this_change_may_have_detached_it() {
        let spare = || eni("interface", false, "spare", "available");
        let none = RuleParameters::default();
        let created = json!({"changedProperties": {"Configuration": {}}, "changeType": "CREATE"});
        let tag_only =
            json!({"changedProperties": {"Configuration.TagSet.0": {}}, "changeType": "UPDATE"});
        let detach = json!({"changedProperties": {"Configuration.Status": {"previousValue": "in-use",
            "updatedValue": "available", "changeType": "UPDATE"}}, "changeType": "UPDATE"});
        assert!(matches!(
            decide_eni(spare(), Some(created), &none),
            Decision::Skip(_)
        ));
        assert!(matches!(
            decide_eni(spare(), Some(tag_only), &none),
            Decision::Skip(_)
        ));
        assert_eq!(decide_eni(spare(), Some(detach), &none), Decision::AsUsual);
        // No diff: it may have been attached until now.
        assert_eq!(decide_eni(spare(), None, &none), Decision::AsUsual);
    }

    #[test]
    fn a_deleted_eni_evaluates_its_vpc_only_when_it_was_a_workload() {
        let none = RuleParameters::default();
        let deleted = |previous: Value| {
            let item = item(NETWORK_INTERFACE_TYPE, "ResourceDeleted", Value::Null);
            let diff = json!({"changedProperties": {"Configuration": {"previousValue": previous,
                "updatedValue": null, "changeType": "DELETE"}}, "changeType": "DELETE"});
            decide(&item, Some(&diff), false, &none)
        };
        assert_eq!(
            deleted(eni("interface", false, "web", "in-use")),
            Decision::Vpc("vpc-1".into())
        );
        assert_eq!(
            deleted(eni(
                "vpc_endpoint",
                true,
                "VPC Endpoint Interface",
                "in-use"
            )),
            Decision::Skip("deleted, and was not a workload: interface type vpc_endpoint".into())
        );
        assert!(matches!(
            deleted(eni("interface", false, "spare", "available")),
            Decision::Skip(_)
        ));
        let bare = item(NETWORK_INTERFACE_TYPE, "ResourceDeleted", Value::Null);
        assert!(matches!(
            decide(&bare, None, false, &none),
            Decision::Skip(_)
        ));
    }

    #[test]
    fn subnets_matter_only_through_consumer_tag() {
        let config = json!({"subnetId": "subnet-1", "vpcId": "vpc-1", "cidrBlock": "10.0.1.0/24"});
        let live = item(SUBNET_TYPE, "OK", config);
        let ip_count = json!({"changedProperties": {"Configuration.AvailableIpAddressCount": {}},
            "changeType": "UPDATE"});
        let tags = json!({"changedProperties": {"Tags.team": {}}, "changeType": "UPDATE"});
        let none = RuleParameters::default();
        assert!(matches!(
            decide(&live, None, false, &none),
            Decision::Skip(_)
        ));
        assert!(matches!(
            decide(&live, Some(&ip_count), false, &tagged()),
            Decision::Skip(_)
        ));
        assert_eq!(
            decide(&live, Some(&tags), false, &tagged()),
            Decision::AsUsual
        );
        assert_eq!(decide(&live, None, false, &tagged()), Decision::AsUsual);
        let gone = item(SUBNET_TYPE, "ResourceDeleted", Value::Null);
        assert!(matches!(
            decide(&gone, None, false, &tagged()),
            Decision::Skip(_)
        ));
    }

    #[test]
    fn a_peering_status_object_is_no_eni_status() {
        let pcx = item(
            "AWS::EC2::VPCPeeringConnection",
            "OK",
            json!({"status": {"code": "active"}, "accepterVpcInfo": {"vpcId": "vpc-1"}}),
        );
        let config = pcx.configuration.unwrap();
        assert_eq!(config.eni.status, None);
        assert!(config.other.contains_key("accepterVpcInfo"));
    }

    #[test]
    fn other_types_and_oversized_items_go_as_usual() {
        let sg = item("AWS::EC2::SecurityGroup", "OK", json!({"vpcId": "vpc-1"}));
        let none = RuleParameters::default();
        assert_eq!(decide(&sg, None, false, &none), Decision::AsUsual);
        let nat = item(
            NETWORK_INTERFACE_TYPE,
            "OK",
            eni("nat_gateway", true, "", "in-use"),
        );
        assert_eq!(decide(&nat, None, true, &none), Decision::AsUsual);
    }
}
