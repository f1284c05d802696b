//! The provider side of endpoint services (issue 16): `describe-vpc-endpoint-service-configurations`
//! and the Elastic Load Balancing v2 outputs behind it (load balancers, listeners, target
//! groups, target health, attributes), their merging, and `Snapshot::elb`.
//!
//! Three outputs do not name what they describe (`describe-target-health`,
//! `describe-load-balancer-attributes`, `describe-target-group-attributes`), so a snapshot
//! carries them in wrappers, as Batfish's snapshots do (`LoadBalancerTargetHealth`,
//! `LoadBalancerAttributes`; docs/snapshot-format.md "Endpoint services you host"):
//! `describe-listeners` may come bare (every listener names its load balancer) or wrapped
//! (`LoadBalancerListeners`, which also says "this load balancer has no listener").

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde::Deserialize;

/// An element of `describe-vpc-endpoint-service-configurations` → `ServiceConfigurations`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceConfiguration {
    /// `vpce-svc-…`.
    pub service_id: String,
    /// `com.amazonaws.vpce.<region>.vpce-svc-…`: what consumers' endpoints name.
    #[serde(default)]
    pub service_name: Option<String>,
    /// `Available`, `Pending`, `Deleting`, …
    #[serde(default)]
    pub service_state: Option<String>,
    /// The Availability Zones the service is available in.
    #[serde(default)]
    pub availability_zones: Vec<String>,
    /// The Network Load Balancers behind the service.
    #[serde(default)]
    pub network_load_balancer_arns: Vec<String>,
    /// Gateway Load Balancers (not modelled).
    #[serde(default)]
    pub gateway_load_balancer_arns: Vec<String>,
}

/// An element of `elbv2 describe-load-balancers` → `LoadBalancers`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    /// `arn:aws:elasticloadbalancing:…:loadbalancer/net/<name>/<id>`.
    pub load_balancer_arn: String,
    /// The name.
    #[serde(default)]
    pub load_balancer_name: Option<String>,
    /// `network`, `application`, `gateway`.
    #[serde(default, rename = "Type")]
    pub kind: Option<String>,
    /// The VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// One entry per enabled Availability Zone: its subnet.
    #[serde(default)]
    pub availability_zones: Vec<LoadBalancerZone>,
    /// The load balancer's security groups (an NLB may have none).
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// `State.Code`: `active`, `provisioning`, `failed`, …
    #[serde(default)]
    pub state: Option<LoadBalancerState>,
    /// `on` (the default) or `off`: whether the NLB's inbound rules apply to PrivateLink traffic.
    #[serde(default)]
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<String>,
}

/// `AvailabilityZones` element of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerZone {
    /// `us-east-2a`.
    #[serde(default)]
    pub zone_name: Option<String>,
    /// The load balancer's subnet in that zone.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// Addresses the node uses in that zone (a private address when chosen at creation).
    #[serde(default)]
    pub load_balancer_addresses: Vec<LoadBalancerAddress>,
}

/// `LoadBalancerAddresses` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LoadBalancerAddress {
    /// `PrivateIPv4Address`, when the address was chosen.
    #[serde(default, rename = "PrivateIPv4Address")]
    pub private_ipv4_address: Option<Ipv4Addr>,
}

/// `State` of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerState {
    /// `active`, …
    pub code: String,
}

/// An element of `elbv2 describe-listeners` → `Listeners`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    /// `arn:…:listener/net/<name>/<id>/<id>`.
    pub listener_arn: String,
    /// The load balancer (filled from the wrapper when absent).
    #[serde(default)]
    pub load_balancer_arn: Option<String>,
    /// The port clients connect to.
    #[serde(default)]
    pub port: Option<u16>,
    /// `TCP`, `TLS`, `UDP`, `TCP_UDP`, …
    #[serde(default)]
    pub protocol: Option<String>,
    /// The default actions (an NLB listener forwards to target groups).
    #[serde(default)]
    pub default_actions: Vec<ListenerAction>,
}

/// `DefaultActions` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListenerAction {
    /// `forward`, …
    #[serde(default, rename = "Type")]
    pub kind: Option<String>,
    /// The single target group of a simple forward.
    #[serde(default)]
    pub target_group_arn: Option<String>,
    /// The target groups of a weighted forward.
    #[serde(default)]
    pub forward_config: Option<ForwardConfig>,
}

/// `ForwardConfig` of an action.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForwardConfig {
    /// The target groups.
    #[serde(default)]
    pub target_groups: Vec<TargetGroupTuple>,
}

/// `ForwardConfig.TargetGroups` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupTuple {
    /// The target group.
    pub target_group_arn: String,
}

impl Listener {
    /// Every target group the listener forwards to, each once, in action order.
    pub fn target_groups(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for action in &self.default_actions {
            let tuples = action.forward_config.iter().flat_map(|f| &f.target_groups);
            let arns = action
                .target_group_arn
                .iter()
                .map(String::as_str)
                .chain(tuples.map(|t| t.target_group_arn.as_str()));
            for arn in arns {
                if !out.contains(&arn) {
                    out.push(arn);
                }
            }
        }
        out
    }
}

/// An element of `elbv2 describe-target-groups` → `TargetGroups`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    /// `arn:…:targetgroup/<name>/<id>`.
    pub target_group_arn: String,
    /// The name.
    #[serde(default)]
    pub target_group_name: Option<String>,
    /// `TCP`, `TLS`, `UDP`, `TCP_UDP`, …
    #[serde(default)]
    pub protocol: Option<String>,
    /// The default port of its targets.
    #[serde(default)]
    pub port: Option<u16>,
    /// `instance`, `ip`, `alb`, `lambda`.
    #[serde(default)]
    pub target_type: Option<String>,
    /// The VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// False when health checks are off (NLB target groups always check).
    #[serde(default)]
    pub health_check_enabled: Option<bool>,
    /// `traffic-port` or a port number, as a string.
    #[serde(default)]
    pub health_check_port: Option<String>,
    /// `TCP`, `HTTP`, `HTTPS`.
    #[serde(default)]
    pub health_check_protocol: Option<String>,
}

/// An element of `elbv2 describe-target-health` → `TargetHealthDescriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealthDescription {
    /// The registered target.
    pub target: TargetDescription,
    /// The port health checks go to (a string, as AWS prints it).
    #[serde(default)]
    pub health_check_port: Option<String>,
    /// Its health.
    #[serde(default)]
    pub target_health: Option<TargetHealth>,
}

/// `Target` of a health description.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetDescription {
    /// An instance id or an IP address.
    pub id: String,
    /// The port the target listens on.
    #[serde(default)]
    pub port: Option<u16>,
    /// A zone, or `all` (IP targets outside the VPC).
    #[serde(default)]
    pub availability_zone: Option<String>,
}

/// `TargetHealth` of a health description.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetHealth {
    /// `healthy`, `unhealthy`, `initial`, `unused`, `draining`, `unavailable`.
    #[serde(default)]
    pub state: Option<String>,
    /// `Target.FailedHealthChecks`, `Target.NotInUse`, …
    #[serde(default)]
    pub reason: Option<String>,
}

/// One `Key`/`Value` attribute of a load balancer or target group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    /// `load_balancing.cross_zone.enabled`, …
    pub key: String,
    /// The value, as a string.
    #[serde(default)]
    pub value: Option<String>,
}

/// The value of `key` in `attributes`.
pub fn attribute<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_deref())
}

/// `LoadBalancerListeners` element: a load balancer's `describe-listeners` output.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListenersOf {
    load_balancer_arn: String,
    #[serde(default)]
    listeners: Vec<Listener>,
}

/// `LoadBalancerTargetHealth` element: a target group's `describe-target-health` output.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetHealthOf {
    target_group_arn: String,
    #[serde(default)]
    target_health_descriptions: Vec<TargetHealthDescription>,
}

/// `LoadBalancerAttributes` element.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LoadBalancerAttributesOf {
    load_balancer_arn: String,
    #[serde(default)]
    attributes: Vec<Attribute>,
}

/// `TargetGroupAttributes` element.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetGroupAttributesOf {
    target_group_arn: String,
    #[serde(default)]
    attributes: Vec<Attribute>,
}

/// One provider-side output, known by its top-level key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ElbCall {
    /// `ec2 describe-vpc-endpoint-service-configurations` → `ServiceConfigurations`.
    ServiceConfigurations,
    /// `elbv2 describe-load-balancers` → `LoadBalancers`.
    LoadBalancers,
    /// `elbv2 describe-listeners` → `Listeners` or `LoadBalancerListeners`.
    Listeners,
    /// `elbv2 describe-target-groups` → `TargetGroups`.
    TargetGroups,
    /// `elbv2 describe-target-health`, wrapped → `LoadBalancerTargetHealth`.
    TargetHealth,
    /// `elbv2 describe-load-balancer-attributes`, wrapped → `LoadBalancerAttributes`.
    LoadBalancerAttributes,
    /// `elbv2 describe-target-group-attributes`, wrapped → `TargetGroupAttributes`.
    TargetGroupAttributes,
}

impl ElbCall {
    /// The AWS CLI command, as people type it.
    pub fn command(self) -> &'static str {
        match self {
            ElbCall::ServiceConfigurations => "ec2 describe-vpc-endpoint-service-configurations",
            ElbCall::LoadBalancers => "elbv2 describe-load-balancers",
            ElbCall::Listeners => "elbv2 describe-listeners",
            ElbCall::TargetGroups => "elbv2 describe-target-groups",
            ElbCall::TargetHealth => "elbv2 describe-target-health",
            ElbCall::LoadBalancerAttributes => "elbv2 describe-load-balancer-attributes",
            ElbCall::TargetGroupAttributes => "elbv2 describe-target-group-attributes",
        }
    }
}

/// What a snapshot holds of the endpoint services it hosts, keyed by id or ARN.
#[derive(Debug, Clone, Default)]
pub struct ElbData {
    /// Endpoint service configurations by `vpce-svc-…` id.
    pub services: BTreeMap<String, ServiceConfiguration>,
    /// Load balancers by ARN.
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    /// Listeners by ARN (each names its load balancer).
    pub listeners: BTreeMap<String, Listener>,
    /// Load balancers whose listeners the snapshot holds (a wrapper naming it, or a listener
    /// of it): a load balancer absent here has unknown listeners, not none.
    pub listeners_known: BTreeSet<String>,
    /// Target groups by ARN.
    pub target_groups: BTreeMap<String, TargetGroup>,
    /// Registered targets and their health, per target group ARN.
    pub target_health: BTreeMap<String, Vec<TargetHealthDescription>>,
    /// Attributes per load balancer ARN.
    pub lb_attributes: BTreeMap<String, Vec<Attribute>>,
    /// Attributes per target group ARN.
    pub tg_attributes: BTreeMap<String, Vec<Attribute>>,
    /// Which outputs the snapshot held.
    pub calls: BTreeSet<ElbCall>,
}

impl ElbData {
    /// True when the snapshot held no provider-side output at all.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// True when the snapshot holds `call`'s output.
    pub fn has(&self, call: ElbCall) -> bool {
        self.calls.contains(&call)
    }

    /// The listeners of a load balancer, in ARN order.
    pub fn listeners_of<'a>(&'a self, lb_arn: &'a str) -> impl Iterator<Item = &'a Listener> {
        self.listeners
            .values()
            .filter(move |l| l.load_balancer_arn.as_deref() == Some(lb_arn))
    }

    /// The configuration of the endpoint service a consumer's endpoint names, if hosted here.
    pub fn service_by_name(&self, service_name: &str) -> Option<&ServiceConfiguration> {
        self.services
            .values()
            .find(|s| s.service_name.as_deref() == Some(service_name))
    }
}

/// The provider-side outputs of one file, as the loader's visitor found them.
#[derive(Default)]
pub(crate) struct ElbDocument {
    services: Option<Vec<ServiceConfiguration>>,
    load_balancers: Option<Vec<LoadBalancer>>,
    listeners: Option<Vec<Listener>>,
    listeners_of: Option<Vec<ListenersOf>>,
    target_groups: Option<Vec<TargetGroup>>,
    target_health: Option<Vec<TargetHealthOf>>,
    bare_target_health: bool,
    lb_attributes: Option<Vec<LoadBalancerAttributesOf>>,
    tg_attributes: Option<Vec<TargetGroupAttributesOf>>,
    bare_attributes: bool,
}

impl ElbDocument {
    /// Reads one top-level key if it is a provider-side one; `Ok(false)` leaves it to the caller.
    pub(crate) fn read_key<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "ServiceConfigurations" => self.services = Some(map.next_value()?),
            "LoadBalancers" => self.load_balancers = Some(map.next_value()?),
            "Listeners" => self.listeners = Some(map.next_value()?),
            "LoadBalancerListeners" => self.listeners_of = Some(map.next_value()?),
            "TargetGroups" => self.target_groups = Some(map.next_value()?),
            "LoadBalancerTargetHealth" => self.target_health = Some(map.next_value()?),
            "LoadBalancerAttributes" => self.lb_attributes = Some(map.next_value()?),
            "TargetGroupAttributes" => self.tg_attributes = Some(map.next_value()?),
            // The bare outputs that name nothing: refused with the wrapper to use.
            "TargetHealthDescriptions" => {
                map.next_value::<serde::de::IgnoredAny>()?;
                self.bare_target_health = true;
            }
            "Attributes" => {
                map.next_value::<serde::de::IgnoredAny>()?;
                self.bare_attributes = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Why a provider-side document cannot be absorbed.
#[derive(Debug)]
pub(crate) enum ElbLoadError {
    /// The same id twice with different content: (id, file of the first copy).
    Conflict(String, String),
    /// A document that cannot be understood: the message names the field.
    Malformed(String),
}

/// Absorbs provider-side documents into an [`ElbData`], merging copies like the rest of the
/// loader: identical copies are kept once, different ones are a conflict.
#[derive(Default)]
pub(crate) struct ElbBuilder {
    pub data: ElbData,
    /// `kind id` → the file of its first copy.
    origin: BTreeMap<String, String>,
}

impl ElbBuilder {
    /// Adds one file's provider-side documents.
    pub(crate) fn absorb(&mut self, file: &str, doc: ElbDocument) -> Result<(), ElbLoadError> {
        if doc.bare_target_health {
            return Err(ElbLoadError::Malformed(
                "`TargetHealthDescriptions` does not name its target group: wrap each \
                 describe-target-health output as `{\"LoadBalancerTargetHealth\": \
                 [{\"TargetGroupArn\": ..., \"TargetHealthDescriptions\": [...]}]}` \
                 (docs/snapshot-format.md)"
                    .into(),
            ));
        }
        if doc.bare_attributes {
            return Err(ElbLoadError::Malformed(
                "`Attributes` does not name its load balancer or target group: wrap it as \
                 `LoadBalancerAttributes` or `TargetGroupAttributes` with the ARN \
                 (docs/snapshot-format.md)"
                    .into(),
            ));
        }
        let f = file;
        self.by_id(
            f,
            doc.services,
            ElbCall::ServiceConfigurations,
            |d| &mut d.services,
            |s| s.service_id.clone(),
        )?;
        self.by_id(
            f,
            doc.load_balancers,
            ElbCall::LoadBalancers,
            |d| &mut d.load_balancers,
            |l| l.load_balancer_arn.clone(),
        )?;
        self.by_id(
            f,
            doc.target_groups,
            ElbCall::TargetGroups,
            |d| &mut d.target_groups,
            |t| t.target_group_arn.clone(),
        )?;
        self.listeners(f, doc.listeners, doc.listeners_of)?;
        let health = doc.target_health.map(|v| {
            v.into_iter()
                .map(|t| (t.target_group_arn, t.target_health_descriptions))
        });
        self.wrapped(f, health, ElbCall::TargetHealth, |d| &mut d.target_health)?;
        let lb = doc
            .lb_attributes
            .map(|v| v.into_iter().map(|a| (a.load_balancer_arn, a.attributes)));
        self.wrapped(f, lb, ElbCall::LoadBalancerAttributes, |d| {
            &mut d.lb_attributes
        })?;
        let tg = doc
            .tg_attributes
            .map(|v| v.into_iter().map(|a| (a.target_group_arn, a.attributes)));
        self.wrapped(f, tg, ElbCall::TargetGroupAttributes, |d| {
            &mut d.tg_attributes
        })
    }

    /// Bare listeners name their load balancer; wrapped ones get it from the wrapper.
    fn listeners(
        &mut self,
        file: &str,
        bare: Option<Vec<Listener>>,
        wrapped: Option<Vec<ListenersOf>>,
    ) -> Result<(), ElbLoadError> {
        if bare.is_none() && wrapped.is_none() {
            return Ok(());
        }
        let mut all = Vec::new();
        if let Some(bare) = bare {
            for l in &bare {
                if l.load_balancer_arn.is_none() {
                    return Err(ElbLoadError::Malformed(format!(
                        "listener {} has no `LoadBalancerArn`: wrap it in \
                         `LoadBalancerListeners` (docs/snapshot-format.md)",
                        l.listener_arn
                    )));
                }
            }
            all.extend(bare);
        }
        for of in wrapped.iter().flatten() {
            self.data
                .listeners_known
                .insert(of.load_balancer_arn.clone());
            for l in &of.listeners {
                let mut l = l.clone();
                l.load_balancer_arn
                    .get_or_insert_with(|| of.load_balancer_arn.clone());
                all.push(l);
            }
        }
        if wrapped.is_none() && all.is_empty() {
            // A bare `Listeners: []` still says the call was made.
            self.data.calls.insert(ElbCall::Listeners);
            return Ok(());
        }
        for l in &all {
            if let Some(lb) = &l.load_balancer_arn {
                self.data.listeners_known.insert(lb.clone());
            }
        }
        self.by_id(
            file,
            Some(all),
            ElbCall::Listeners,
            |d| &mut d.listeners,
            |l| l.listener_arn.clone(),
        )
    }

    fn by_id<T: PartialEq>(
        &mut self,
        file: &str,
        items: Option<Vec<T>>,
        call: ElbCall,
        map: impl Fn(&mut ElbData) -> &mut BTreeMap<String, T>,
        id: impl Fn(&T) -> String,
    ) -> Result<(), ElbLoadError> {
        let Some(items) = items else { return Ok(()) };
        self.wrapped(
            file,
            Some(items.into_iter().map(|i| (id(&i), i))),
            call,
            map,
        )
    }

    fn wrapped<T: PartialEq>(
        &mut self,
        file: &str,
        items: Option<impl Iterator<Item = (String, T)>>,
        call: ElbCall,
        map: impl Fn(&mut ElbData) -> &mut BTreeMap<String, T>,
    ) -> Result<(), ElbLoadError> {
        let Some(items) = items else { return Ok(()) };
        self.data.calls.insert(call);
        for (key, item) in items {
            let origin_key = format!("{call:?} {key}");
            match map(&mut self.data).get(&key) {
                Some(held) if *held != item => {
                    let first = self.origin.get(&origin_key).cloned().unwrap_or_default();
                    return Err(ElbLoadError::Conflict(key, first));
                }
                Some(_) => {}
                None => {
                    map(&mut self.data).insert(key, item);
                    self.origin.insert(origin_key, file.to_string());
                }
            }
        }
        Ok(())
    }
}
