//! Which describe calls a snapshot holds, and which of those a check needs.
//!
//! A check proves reachability from the resources it sees; a resource type that is absent
//! altogether looks like "none exist" (no endpoints: nothing to reach; no network interfaces:
//! no workloads), which would pass any snapshot with a wrong path or a failed dump. So the
//! loader records every recognised top-level key, an empty list included (`{"VpcEndpoints":
//! []}` is a real answer: "this account has none"), and:
//!
//! - a directory in which nothing is recognised is a load error ([`super::LoadError::NothingRecognised`]);
//! - a snapshot lacking one of the [`REQUIRED`] calls is incomplete: [`Coverage::absent`]
//!   names the missing calls, and [`Coverage::gaps`] turns every verdict that would otherwise
//!   be `COMPLIANT` into "missing data".
//!
//! Not required: `describe-prefix-lists` (only gateway endpoints and rules naming a prefix list
//! use them, and a list they name but the snapshot lacks is already missing data for that
//! resource) and `describe-vpc-attribute` (the DNS attributes only feed notes), nor the calls
//! that link VPCs (transit gateways, peering): a snapshot of one VPC needs none, and a
//! cross-VPC path that needs one the snapshot lacks is missing data for that path (an
//! `Unknown` hop), never a verdict.

use std::collections::BTreeSet;

use crate::check::{MissingData, Report};

/// One describe call whose output the loader reads, known by its top-level key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DescribeCall {
    /// `describe-vpcs` → `Vpcs`.
    Vpcs,
    /// `describe-subnets` → `Subnets`.
    Subnets,
    /// `describe-route-tables` → `RouteTables`.
    RouteTables,
    /// `describe-network-acls` → `NetworkAcls`.
    NetworkAcls,
    /// `describe-security-groups` → `SecurityGroups`.
    SecurityGroups,
    /// `describe-network-interfaces` → `NetworkInterfaces`.
    NetworkInterfaces,
    /// `describe-vpc-endpoints` → `VpcEndpoints`.
    VpcEndpoints,
    /// `describe-prefix-lists` or `describe-managed-prefix-lists` → `PrefixLists`.
    PrefixLists,
    /// `describe-vpc-attribute` → `VpcId` with `EnableDnsSupport` or `EnableDnsHostnames`.
    VpcAttribute,
    /// `describe-transit-gateways` → `TransitGateways`.
    TransitGateways,
    /// `describe-transit-gateway-attachments` → `TransitGatewayAttachments`.
    TransitGatewayAttachments,
    /// `describe-transit-gateway-vpc-attachments` → `TransitGatewayVpcAttachments`.
    TransitGatewayVpcAttachments,
    /// `describe-transit-gateway-route-tables` → `TransitGatewayRouteTables`.
    TransitGatewayRouteTables,
    /// `search-transit-gateway-routes`, wrapped per table → `TransitGatewayStaticRoutes`.
    TransitGatewayRoutes,
    /// `get-transit-gateway-route-table-propagations`, wrapped per table →
    /// `TransitGatewayPropagations`.
    TransitGatewayPropagations,
    /// `describe-vpc-peering-connections` → `VpcPeeringConnections`.
    VpcPeeringConnections,
}

/// The calls every check needs.
pub const REQUIRED: [DescribeCall; 7] = [
    DescribeCall::Vpcs,
    DescribeCall::Subnets,
    DescribeCall::RouteTables,
    DescribeCall::NetworkAcls,
    DescribeCall::SecurityGroups,
    DescribeCall::NetworkInterfaces,
    DescribeCall::VpcEndpoints,
];

impl DescribeCall {
    /// The AWS CLI command, as people type it: `describe-vpc-endpoints`.
    pub fn command(self) -> &'static str {
        match self {
            DescribeCall::Vpcs => "describe-vpcs",
            DescribeCall::Subnets => "describe-subnets",
            DescribeCall::RouteTables => "describe-route-tables",
            DescribeCall::NetworkAcls => "describe-network-acls",
            DescribeCall::SecurityGroups => "describe-security-groups",
            DescribeCall::NetworkInterfaces => "describe-network-interfaces",
            DescribeCall::VpcEndpoints => "describe-vpc-endpoints",
            DescribeCall::PrefixLists => "describe-prefix-lists",
            DescribeCall::VpcAttribute => "describe-vpc-attribute",
            DescribeCall::TransitGateways => "describe-transit-gateways",
            DescribeCall::TransitGatewayAttachments => "describe-transit-gateway-attachments",
            DescribeCall::TransitGatewayVpcAttachments => {
                "describe-transit-gateway-vpc-attachments"
            }
            DescribeCall::TransitGatewayRouteTables => "describe-transit-gateway-route-tables",
            DescribeCall::TransitGatewayRoutes => "search-transit-gateway-routes",
            DescribeCall::TransitGatewayPropagations => {
                "get-transit-gateway-route-table-propagations"
            }
            DescribeCall::VpcPeeringConnections => "describe-vpc-peering-connections",
        }
    }
}

/// The describe calls a snapshot holds output of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    seen: BTreeSet<DescribeCall>,
}

impl Coverage {
    /// Records that a document held `call`'s output.
    pub(super) fn saw(&mut self, call: DescribeCall) {
        self.seen.insert(call);
    }

    /// True when no document held any describe output the loader reads.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// True when the snapshot holds `call`'s output.
    pub fn has(&self, call: DescribeCall) -> bool {
        self.seen.contains(&call)
    }

    /// The [`REQUIRED`] calls the snapshot lacks, in the order of [`REQUIRED`].
    pub fn absent(&self) -> Vec<DescribeCall> {
        REQUIRED.into_iter().filter(|c| !self.has(*c)).collect()
    }

    /// `describe-x, describe-y` for the absent calls (empty when complete).
    pub fn absent_commands(&self) -> String {
        let names: Vec<&str> = self.absent().into_iter().map(|c| c.command()).collect();
        names.join(", ")
    }

    /// When calls are absent: a gap for every resource `report` found on a required path,
    /// so that none of them is `COMPLIANT` for want of the absent data. Empty when complete.
    pub fn gaps(&self, report: &Report) -> Vec<MissingData> {
        if self.absent().is_empty() {
            return Vec::new();
        }
        let what = format!("the snapshot has no {} output", self.absent_commands());
        report
            .on_path
            .keys()
            .map(|id| MissingData {
                resource: id.clone(),
                what: what.clone(),
            })
            .collect()
    }
}
