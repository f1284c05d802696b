//! VPC endpoints as the model sees them: their kind, service, ports, ENIs (interface) or
//! prefix list (gateway), state and policy.

use std::net::Ipv4Addr;

use crate::params::{short_service_name, RuleParameters};
use crate::snapshot::{PrefixList, Snapshot, VpcEndpoint};

/// The ports an endpoint of `service_name` is checked on: `ServicePorts` when it names the
/// service, else the listeners' ports when the service is hosted in the snapshot (docs/spec.md
/// N8), else 443.
fn service_ports(snap: &Snapshot, params: &RuleParameters, service_name: &str) -> Vec<u16> {
    let named = params
        .service_ports
        .iter()
        .any(|(s, _)| crate::params::service_matches(s, service_name));
    if named {
        return params.ports_for(service_name);
    }
    crate::load_balancer::listener_ports(snap, service_name)
        .unwrap_or_else(|| params.ports_for(service_name))
}

/// The endpoint kinds vpce-reach decides about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointKind {
    /// PrivateLink: ENIs in subnets, security groups, private DNS.
    Interface,
    /// S3/DynamoDB: a prefix-list route in route tables.
    Gateway,
}

/// One ENI of an interface endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointEni {
    /// `eni-…`
    pub(crate) id: String,
    /// Its private IPv4 address.
    pub(crate) ip: Ipv4Addr,
    /// Its subnet.
    pub(crate) subnet_id: String,
}

/// An endpoint with everything a pair check needs resolved.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint<'a> {
    /// The describe record.
    pub(crate) raw: &'a VpcEndpoint,
    /// Interface or gateway.
    pub(crate) kind: EndpointKind,
    /// `ssm`, `s3`, `ecr.dkr`, …
    pub(crate) short_name: &'a str,
    /// The TCP ports the service is checked on.
    pub(crate) ports: Vec<u16>,
    /// The ports as findings word them: `tcp/443` or `tcp/443,444`.
    pub(crate) traffic: String,
    /// Interface endpoints: the ENIs the snapshot holds.
    pub(crate) enis: Vec<EndpointEni>,
    /// Gateway endpoints: the service's prefix list.
    pub(crate) prefix_list: Option<&'a PrefixList>,
    /// The endpoint's security groups (interface endpoints).
    pub(crate) groups: Vec<String>,
    /// The CIDRs of the subnets holding its ENIs (an allowed egress form, docs/spec.md I3).
    pub(crate) subnet_cidrs: Vec<ipnet::Ipv4Net>,
    /// Data the snapshot lacks (ENIs, the prefix list).
    pub(crate) missing: Vec<String>,
    /// `IpAddressType` is `ipv4` or absent: decided once here, as the fast `check` asks for
    /// every pair whether the pair may need IPv6 (docs/spec.md V10).
    pub(crate) ipv4_only: bool,
}

impl<'a> Endpoint<'a> {
    /// Resolves an endpoint; `None` for kinds not modelled (Gateway Load Balancer, …) and
    /// deleted or deleting endpoints ([`Lifecycle::Gone`]).
    pub(crate) fn resolve(
        snap: &'a Snapshot,
        raw: &'a VpcEndpoint,
        params: &RuleParameters,
    ) -> Option<Endpoint<'a>> {
        let kind = match raw.vpc_endpoint_type.to_ascii_lowercase().as_str() {
            "interface" => EndpointKind::Interface,
            "gateway" => EndpointKind::Gateway,
            _ => return None,
        };
        if is_gone(raw) {
            return None;
        }
        let mut ep = Endpoint {
            raw,
            kind,
            short_name: short_service_name(&raw.service_name),
            ports: service_ports(snap, params, &raw.service_name),
            traffic: String::new(),
            enis: Vec::new(),
            prefix_list: None,
            groups: raw.groups.iter().map(|g| g.group_id.clone()).collect(),
            subnet_cidrs: Vec::new(),
            missing: Vec::new(),
            ipv4_only: raw
                .ip_address_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("ipv4")),
        };
        ep.traffic = crate::text::traffic_label(&ep.ports);
        match kind {
            EndpointKind::Interface if ep.is_available() => ep.resolve_enis(snap),
            EndpointKind::Gateway => ep.resolve_prefix_list(snap),
            EndpointKind::Interface => {}
        }
        Some(ep)
    }

    fn resolve_enis(&mut self, snap: &Snapshot) {
        if self.raw.network_interface_ids.is_empty() {
            self.missing
                .push(format!("{} lists no network interface", self.id()));
        }
        for eni_id in &self.raw.network_interface_ids {
            let Some(eni) = snap.network_interfaces.get(eni_id) else {
                self.missing.push(format!(
                    "{eni_id} (an ENI of {}) is not in the snapshot's \
                     describe-network-interfaces output",
                    self.id()
                ));
                continue;
            };
            match snap.primary_ip(eni) {
                Some(ip) => {
                    self.subnet_cidrs.extend(
                        snap.subnets
                            .get(&eni.subnet_id)
                            .and_then(|s| s.cidr_block)
                            .map(|c| c.trunc()),
                    );
                    self.enis.push(EndpointEni {
                        id: eni_id.clone(),
                        ip,
                        subnet_id: eni.subnet_id.clone(),
                    })
                }
                // An `ipv6` endpoint's ENIs sit in IPv6-only subnets (docs/spec.md V1, V8):
                // no IPv4 target, only the IPv6 ones `path::interface6` reads.
                None if self.is_ipv6_type() => {}
                None => self.missing.push(format!(
                    "{eni_id} (an ENI of {}) has no private IPv4 address in the snapshot's \
                     describe-network-interfaces output",
                    self.id()
                )),
            }
        }
    }

    /// The service's IPv4 list, by name: the IPv4 path's target (G1). Should the service's
    /// IPv6 list carry the same name, it is never taken for the IPv4 one: the IPv6 list is
    /// the one the endpoint's IPv6 route names (`path::gateway6`, V4).
    fn resolve_prefix_list(&mut self, snap: &'a Snapshot) {
        let name = &self.raw.service_name;
        self.prefix_list = snap.prefix_lists.values().find(|pl| {
            pl.prefix_list_name == *name
                && crate::prefix_list::family_of(pl) != Some(crate::family::Family::V6)
        });
        if self.prefix_list.is_some() {
            return;
        }
        let user = format!("the {} list", self.short_name);
        let entryless = snap
            .prefix_lists_without_entries
            .iter()
            .find(|(_, n)| *n == name);
        self.missing.push(match entryless {
            Some((id, _)) => snap.prefix_list_gap(id, &user),
            None => format!(
                "the prefix list of {name} is not in the snapshot's describe-prefix-lists output"
            ),
        });
    }

    /// `IpAddressType` is `ipv6`: the ENIs have IPv6 addresses only (V1).
    fn is_ipv6_type(&self) -> bool {
        self.raw
            .ip_address_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("ipv6"))
    }

    /// `vpce-…`
    pub(crate) fn id(&self) -> &'a str {
        &self.raw.vpc_endpoint_id
    }

    /// True when the endpoint's state is `available` (see [`Lifecycle`]).
    pub(crate) fn is_available(&self) -> bool {
        lifecycle(self.raw) == Lifecycle::Available
    }

    /// The endpoint's security groups (interface endpoints).
    pub(crate) fn group_ids(&self) -> &[String] {
        &self.groups
    }

    /// `vpce-… (ssm)`, for people.
    pub(crate) fn label(&self) -> String {
        format!("{} ({})", self.id(), self.short_name)
    }
}

/// Where an endpoint is in its life, as far as traffic is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    /// `available` (or no state in the record): carries traffic.
    Available,
    /// `deleted` or `deleting`: gone or going at its owner's request. Not checked; a VPC whose
    /// only endpoint for a required service is being deleted is told it has none.
    Gone,
    /// Any other state (`pendingAcceptance`, `pending`, `rejected`, `expired`, `failed`,
    /// `partial`, or one AWS adds later): the endpoint still sits in the VPC and carries no
    /// traffic, so a required pair to it is `ENDPOINT_NOT_AVAILABLE`.
    NotAvailable,
}

/// The lifecycle of an endpoint record. States are compared ignoring ASCII case: the EC2 API
/// reference spells them `PendingAcceptance`, `Available`, …, while `describe-vpc-endpoints`
/// prints `pendingAcceptance`, `available`, ….
pub(crate) fn lifecycle(raw: &VpcEndpoint) -> Lifecycle {
    match raw.state.as_deref() {
        None => Lifecycle::Available,
        Some(s) if s.eq_ignore_ascii_case("available") => Lifecycle::Available,
        Some(s)
            if ["deleted", "deleting"]
                .iter()
                .any(|g| s.eq_ignore_ascii_case(g)) =>
        {
            Lifecycle::Gone
        }
        Some(_) => Lifecycle::NotAvailable,
    }
}

/// True for endpoints that are gone or going (`deleted`, `deleting`): see [`Lifecycle::Gone`].
pub(crate) fn is_gone(raw: &VpcEndpoint) -> bool {
    lifecycle(raw) == Lifecycle::Gone
}

/// Why the endpoint policy lets none of the endpoint's requests through, if it provably does:
/// judged by effect on the service's actions (see [`crate::policy`]). Anything subtler
/// (bucket or principal scoping, conditions) is allowed through: vpce-reach checks the
/// network path, not IAM.
pub(crate) fn policy_blocks_everything(policy: Option<&str>, service_name: &str) -> Option<String> {
    crate::policy::lets_nothing_through(policy, service_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_state(state: Option<&str>) -> VpcEndpoint {
        let mut raw: VpcEndpoint = serde_json::from_value(serde_json::json!({
            "VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
            "ServiceName": "com.amazonaws.us-east-1.ssm"
        }))
        .unwrap();
        raw.state = state.map(str::to_string);
        raw
    }

    #[test]
    fn only_deleted_and_deleting_are_gone() {
        for (state, expected) in [
            (None, Lifecycle::Available),
            (Some("available"), Lifecycle::Available),
            (Some("Available"), Lifecycle::Available),
            (Some("deleted"), Lifecycle::Gone),
            (Some("Deleting"), Lifecycle::Gone),
            (Some("rejected"), Lifecycle::NotAvailable),
            (Some("expired"), Lifecycle::NotAvailable),
            (Some("failed"), Lifecycle::NotAvailable),
            (Some("pendingAcceptance"), Lifecycle::NotAvailable),
            (Some("pending"), Lifecycle::NotAvailable),
            (Some("partial"), Lifecycle::NotAvailable),
            (Some("somethingNew"), Lifecycle::NotAvailable),
        ] {
            assert_eq!(lifecycle(&with_state(state)), expected, "{state:?}");
        }
    }
}
