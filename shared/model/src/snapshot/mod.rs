//! The network snapshot: every resource a verdict needs, keyed by id, with the few indexes
//! the deciding modules share (which ACL and route table a subnet uses, which ENIs carry a
//! security group, which endpoint owns an ENI).
//!
//! A snapshot is built by [`load`] from `describe-*` documents and never changes afterwards.

pub mod coverage;
pub mod describe;
pub mod dns;
pub mod elb;
mod index;
pub mod links;
pub mod load;
pub mod walk;

use std::collections::BTreeMap;

pub use coverage::{Coverage, DescribeCall};
pub use describe::*;
pub use dns::DnsData;
pub use elb::ElbData;
pub use index::Index;
pub use links::*;
pub use load::{Items, LoadError, SnapshotBuilder};

/// The DNS attributes of one VPC, as far as the snapshot holds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VpcDns {
    /// `enableDnsSupport`, if a `describe-vpc-attribute` output gave it.
    pub enable_dns_support: Option<bool>,
    /// `enableDnsHostnames`, if a `describe-vpc-attribute` output gave it.
    pub enable_dns_hostnames: Option<bool>,
}

/// All resources of a snapshot, each map keyed by the resource's AWS id.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// `describe-vpcs`.
    pub vpcs: BTreeMap<String, Vpc>,
    /// `describe-subnets`.
    pub subnets: BTreeMap<String, Subnet>,
    /// `describe-route-tables`.
    pub route_tables: BTreeMap<String, RouteTable>,
    /// `describe-network-acls`.
    pub network_acls: BTreeMap<String, NetworkAcl>,
    /// `describe-security-groups`.
    pub security_groups: BTreeMap<String, SecurityGroup>,
    /// `describe-network-interfaces`.
    pub network_interfaces: BTreeMap<String, NetworkInterface>,
    /// `describe-vpc-endpoints`.
    pub vpc_endpoints: BTreeMap<String, VpcEndpoint>,
    /// `describe-prefix-lists` and customer-managed lists in the same shape, with their entries.
    pub prefix_lists: BTreeMap<String, PrefixList>,
    /// Prefix lists no copy of which gives entries (no `Cidrs`, as `describe-managed-prefix-lists`
    /// and some emulators write them), id → name. Their entries are unknown, not empty, so they
    /// are kept out of `prefix_lists`: whatever names them is missing data.
    pub prefix_lists_without_entries: BTreeMap<String, String>,
    /// `describe-vpc-attribute` outputs, merged per VPC.
    pub vpc_dns: BTreeMap<String, VpcDns>,
    /// `describe-transit-gateways`.
    pub transit_gateways: BTreeMap<String, TransitGateway>,
    /// `describe-transit-gateway-attachments` (every kind, with its association).
    pub tgw_attachments: BTreeMap<String, TransitGatewayAttachment>,
    /// `describe-transit-gateway-vpc-attachments`.
    pub tgw_vpc_attachments: BTreeMap<String, TransitGatewayVpcAttachment>,
    /// `describe-transit-gateway-route-tables`.
    pub tgw_route_tables: BTreeMap<String, TransitGatewayRouteTable>,
    /// `search-transit-gateway-routes`, per TGW route table (the `TransitGatewayStaticRoutes`
    /// wrapper).
    pub tgw_routes: BTreeMap<String, TransitGatewayRoutes>,
    /// `get-transit-gateway-route-table-propagations`, per TGW route table (the
    /// `TransitGatewayPropagations` wrapper).
    pub tgw_propagations: BTreeMap<String, TransitGatewayPropagations>,
    /// `describe-vpc-peering-connections`.
    pub vpc_peerings: BTreeMap<String, VpcPeeringConnection>,
    /// Route 53, Resolver, Profiles, DHCP options and endpoint services (issue 15); empty
    /// when the snapshot has none, and DNS resolution is then not checked.
    pub dns: DnsData,
    /// Endpoint services hosted here and the load balancers behind them (issue 16); empty
    /// when the snapshot has none, and the provider side is then not checked.
    pub elb: ElbData,
    /// What the loader skipped or merged, for people to read.
    pub notes: Vec<String>,
    /// Which describe calls the documents held (see [`coverage`]).
    pub coverage: Coverage,
    /// Lookups derived from the resources above.
    pub index: Index,
}

impl Snapshot {
    /// The primary private IPv4 address of an ENI.
    pub fn primary_ip(&self, eni: &NetworkInterface) -> Option<std::net::Ipv4Addr> {
        eni.private_ip_address.or_else(|| {
            eni.private_ip_addresses
                .first()
                .map(|a| a.private_ip_address)
        })
    }

    /// Why the prefix list `id` (used by `user`, for people: "a route of rtb-1") cannot be read:
    /// absent, or present without its entries. Names the describe output that would fill the gap.
    pub(crate) fn prefix_list_gap(&self, id: &str, user: &str) -> String {
        if self.prefix_lists_without_entries.contains_key(id) {
            format!(
                "prefix list {id} ({user}): no `Cidrs` in the snapshot, entries unknown (add \
                 describe-prefix-lists or get-managed-prefix-list-entries output)"
            )
        } else {
            format!(
                "prefix list {id} ({user}) is not in the snapshot's describe-prefix-lists output"
            )
        }
    }

    /// The prefix list an AWS service publishes (`com.amazonaws.<region>.s3`), by name.
    pub fn prefix_list_by_name(&self, name: &str) -> Option<&PrefixList> {
        self.prefix_lists
            .values()
            .find(|pl| pl.prefix_list_name == name)
    }
}
