//! Serde mirrors of the `aws ec2 describe-*` outputs a snapshot is made of.
//!
//! Field names are AWS's own (PascalCase, as the CLI prints them). Only the fields a
//! reachability verdict needs are kept; everything else in a dump is ignored, so real dumps
//! with extra or newer fields load unchanged. Optional AWS fields default to empty rather than
//! failing, because real dumps omit empty arrays as often as they print them.

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Deserialize;

/// One `Key`/`Value` tag (`Tags` on most resources, `TagSet` on network interfaces).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag key.
    pub key: String,
    /// The tag value (AWS allows an empty one).
    #[serde(default)]
    pub value: String,
}

/// An element of `describe-vpcs` → `Vpcs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    /// `vpc-…`
    pub vpc_id: String,
    /// The primary IPv4 CIDR.
    #[serde(default)]
    pub cidr_block: Option<Ipv4Net>,
    /// The account that owns the VPC (kept to name it when a snapshot spans accounts).
    #[serde(default)]
    pub owner_id: Option<String>,
    /// The DHCP option set (`dopt-…`, or `default`: none, AmazonProvidedDNS).
    #[serde(default)]
    pub dhcp_options_id: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The VPC's IPv6 blocks (docs/spec.md V7: each has a `local` route).
    #[serde(default)]
    pub ipv6_cidr_block_association_set: Vec<Ipv6CidrBlockAssociation>,
}

impl Vpc {
    /// The VPC's associated IPv6 blocks.
    pub fn ipv6_cidrs(&self) -> impl Iterator<Item = Ipv6Net> + '_ {
        associated_ipv6(&self.ipv6_cidr_block_association_set)
    }
}

/// An element of `Ipv6CidrBlockAssociationSet` (VPCs and subnets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6CidrBlockAssociation {
    /// The IPv6 block.
    #[serde(default)]
    pub ipv6_cidr_block: Option<Ipv6Net>,
    /// Its association state (`associated`, `disassociated`, …).
    #[serde(default)]
    pub ipv6_cidr_block_state: Option<CidrBlockState>,
}

/// `Ipv6CidrBlockState` of an association.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrBlockState {
    /// `associating`, `associated`, `disassociating`, `disassociated`, `failing`, `failed`.
    #[serde(default)]
    pub state: String,
}

/// The blocks of an association set that are in use: state `associated`, or no state at all
/// (hand-written and older dumps omit it).
fn associated_ipv6(set: &[Ipv6CidrBlockAssociation]) -> impl Iterator<Item = Ipv6Net> + '_ {
    set.iter()
        .filter(|a| {
            a.ipv6_cidr_block_state
                .as_ref()
                .is_none_or(|s| s.state.eq_ignore_ascii_case("associated"))
        })
        .filter_map(|a| a.ipv6_cidr_block)
}

/// An element of `describe-subnets` → `Subnets`. An IPv6-only subnet (`Ipv6Native`) has no
/// `CidrBlock` (docs/spec.md V8); any other subnet without one is an error naming it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", try_from = "SubnetJson")]
pub struct Subnet {
    /// `subnet-…`
    pub subnet_id: String,
    /// The VPC that holds the subnet.
    pub vpc_id: String,
    /// The subnet's IPv4 CIDR; `None` for an IPv6-only subnet (`Ipv6Native`, V8).
    pub cidr_block: Option<Ipv4Net>,
    /// The subnet's Availability Zone name.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The subnet's IPv6 blocks.
    #[serde(default)]
    pub ipv6_cidr_block_association_set: Vec<Ipv6CidrBlockAssociation>,
    /// True for an IPv6-only subnet (docs/spec.md V8).
    #[serde(default)]
    pub ipv6_native: bool,
    /// True when the Resolver synthesizes `64:ff9b::/96` answers for this subnet (spec V9).
    #[serde(default, rename = "EnableDns64")]
    pub enable_dns64: bool,
}

impl Subnet {
    /// The subnet's associated IPv6 blocks.
    pub fn ipv6_cidrs(&self) -> impl Iterator<Item = Ipv6Net> + '_ {
        associated_ipv6(&self.ipv6_cidr_block_association_set)
    }
}

/// A [`Subnet`] as written, before its IPv4 block is required.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubnetJson {
    subnet_id: String,
    vpc_id: String,
    #[serde(default)]
    cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    availability_zone: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    ipv6_cidr_block_association_set: Vec<Ipv6CidrBlockAssociation>,
    #[serde(default)]
    ipv6_native: bool,
    #[serde(default, rename = "EnableDns64")]
    enable_dns64: bool,
}

impl TryFrom<SubnetJson> for Subnet {
    type Error = String;

    fn try_from(s: SubnetJson) -> Result<Self, String> {
        if s.cidr_block.is_none() && !s.ipv6_native {
            return Err(format!("subnet {} has no `CidrBlock`", s.subnet_id));
        }
        Ok(Subnet {
            subnet_id: s.subnet_id,
            vpc_id: s.vpc_id,
            cidr_block: s.cidr_block,
            availability_zone: s.availability_zone,
            tags: s.tags,
            ipv6_cidr_block_association_set: s.ipv6_cidr_block_association_set,
            ipv6_native: s.ipv6_native,
            enable_dns64: s.enable_dns64,
        })
    }
}

/// An element of `describe-route-tables` → `RouteTables`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    /// `rtb-…`
    pub route_table_id: String,
    /// The VPC of the table.
    pub vpc_id: String,
    /// Subnet and main associations.
    #[serde(default)]
    pub associations: Vec<RouteTableAssociation>,
    /// The routes, in no particular order.
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// A route table association: either `Main: true` or an explicit `SubnetId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableAssociation {
    /// True for the VPC's main route table association.
    #[serde(default)]
    pub main: bool,
    /// The explicitly associated subnet, if any.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// `associated`, `disassociating`, … (absent in older dumps: treated as associated).
    #[serde(default)]
    pub association_state: Option<AssociationState>,
}

/// The `AssociationState` object of a route table association.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociationState {
    /// `associating`, `associated`, `disassociating`, `disassociated`, `failed`.
    pub state: String,
}

/// One route of a route table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    /// IPv4 destination.
    #[serde(default)]
    pub destination_cidr_block: Option<Ipv4Net>,
    /// IPv6 destination (docs/spec.md V7; read by [`Route::ipv6_destination`]).
    #[serde(default)]
    pub destination_ipv6_cidr_block: Option<String>,
    /// Prefix-list destination (gateway endpoint routes).
    #[serde(default)]
    pub destination_prefix_list_id: Option<String>,
    /// `local`, `igw-…`, `vgw-…`, or a gateway endpoint's `vpce-…`.
    #[serde(default)]
    pub gateway_id: Option<String>,
    /// NAT gateway target.
    #[serde(default)]
    pub nat_gateway_id: Option<String>,
    /// Network interface target (a middlebox).
    #[serde(default)]
    pub network_interface_id: Option<String>,
    /// Instance target (an appliance).
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Transit gateway target.
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    /// VPC peering target.
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    /// Gateway Load Balancer endpoint and other `vpce-` style targets.
    #[serde(default)]
    pub vpc_endpoint_id: Option<String>,
    /// `active` or `blackhole`.
    #[serde(default)]
    pub state: Option<String>,
    /// Egress-only internet gateway target (`eigw-…`, IPv6 routes only: spec V7).
    #[serde(default)]
    pub egress_only_internet_gateway_id: Option<String>,
}

impl Route {
    /// The IPv6 destination: `None` without one, `Some(Err)` when it is not an IPv6 CIDR.
    pub fn ipv6_destination(&self) -> Option<Result<Ipv6Net, String>> {
        let text = self.destination_ipv6_cidr_block.as_deref()?;
        Some(
            text.trim().parse::<Ipv6Net>().map_err(|_| {
                format!("`DestinationIpv6CidrBlock` {text:?} is not an IPv6 CIDR block")
            }),
        )
    }
}

/// An element of `describe-network-acls` → `NetworkAcls`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAcl {
    /// `acl-…`
    pub network_acl_id: String,
    /// The VPC of the ACL.
    pub vpc_id: String,
    /// True for the VPC's default ACL (used by subnets without an explicit association).
    #[serde(default)]
    pub is_default: bool,
    /// Subnet associations.
    #[serde(default)]
    pub associations: Vec<NetworkAclAssociation>,
    /// Entries, in whatever order the dump has them.
    #[serde(default)]
    pub entries: Vec<NetworkAclEntry>,
}

/// A subnet association of a network ACL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclAssociation {
    /// The associated subnet.
    pub subnet_id: String,
}

/// One numbered entry of a network ACL. A TCP or UDP entry without a valid `PortRange` is
/// rejected (see [`check_ports`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", try_from = "NetworkAclEntryJson")]
pub struct NetworkAclEntry {
    /// Evaluation order: ascending, first match wins.
    pub rule_number: u16,
    /// True for outbound entries.
    pub egress: bool,
    /// `allow` or `deny`.
    pub rule_action: RuleAction,
    /// IP protocol number as a string (`6`, `17`, `1`, `-1` for all).
    pub protocol: String,
    /// IPv4 CIDR (absent on IPv6 entries).
    #[serde(default)]
    pub cidr_block: Option<Ipv4Net>,
    /// IPv6 CIDR (absent on IPv4 entries; checked to be one on load: spec V6).
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
    /// TCP/UDP port range: always present on TCP and UDP entries, absent on others.
    #[serde(default)]
    pub port_range: Option<PortRangeJson>,
}

/// A [`NetworkAclEntry`] as written, before its ports are checked.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkAclEntryJson {
    rule_number: u16,
    egress: bool,
    rule_action: RuleAction,
    protocol: String,
    #[serde(default)]
    cidr_block: Option<Ipv4Net>,
    #[serde(default)]
    ipv6_cidr_block: Option<String>,
    #[serde(default)]
    port_range: Option<PortRangeJson>,
}

impl TryFrom<NetworkAclEntryJson> for NetworkAclEntry {
    type Error = String;

    fn try_from(e: NetworkAclEntryJson) -> Result<Self, String> {
        if let Some(text) = &e.ipv6_cidr_block {
            text.trim().parse::<Ipv6Net>().map_err(|_| {
                format!(
                    "network ACL entry {}: `Ipv6CidrBlock` {text:?} is not an IPv6 CIDR block",
                    e.rule_number
                )
            })?;
        }
        if is_tcp_or_udp(&e.protocol) {
            let Some(range) = &e.port_range else {
                return Err(format!(
                    "network ACL entry {} (protocol {}) has no `PortRange`: AWS always gives one \
                     for TCP and UDP entries",
                    e.rule_number, e.protocol
                ));
            };
            check_ports(
                &e.protocol,
                Some(range.from),
                Some(range.to),
                "PortRange From/To",
            )
            .map_err(|m| format!("network ACL entry {}: {m}", e.rule_number))?;
        }
        Ok(NetworkAclEntry {
            rule_number: e.rule_number,
            egress: e.egress,
            rule_action: e.rule_action,
            protocol: e.protocol,
            cidr_block: e.cidr_block,
            ipv6_cidr_block: e.ipv6_cidr_block,
            port_range: e.port_range,
        })
    }
}

impl NetworkAclEntry {
    /// The entry's IPv6 block (validated on load), `None` for an IPv4 entry.
    pub fn ipv6_cidr(&self) -> Option<Ipv6Net> {
        self.ipv6_cidr_block.as_deref()?.trim().parse().ok()
    }
}

/// True for TCP and UDP, by name or number (security groups say `tcp`, network ACLs `6`).
fn is_tcp_or_udp(protocol: &str) -> bool {
    // Trimmed as `protocol::covers_tcp` trims, so that no spelling it reads as TCP escapes.
    let protocol = protocol.trim_ascii();
    ["tcp", "udp", "6", "17"]
        .iter()
        .any(|p| protocol.eq_ignore_ascii_case(p))
}

/// The ports of a TCP or UDP rule: both given, each in 0-65535, the first not above the
/// last. AWS never writes anything else for these protocols (`-1` means "all" for ICMP types
/// and codes only), so anything else is a damaged file, not "every port".
fn check_ports(
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    fields: &str,
) -> Result<(), String> {
    let (Some(from), Some(to)) = (from, to) else {
        return Err(format!(
            "protocol {protocol} needs both {fields}: AWS always gives both for TCP and UDP"
        ));
    };
    let valid = 0..=65535;
    if !valid.contains(&from) || !valid.contains(&to) {
        return Err(format!(
            "protocol {protocol} ports {from}-{to}: TCP and UDP ports are 0-65535 \
             (-1 means all only for ICMP)"
        ));
    }
    if from > to {
        return Err(format!(
            "protocol {protocol} ports {from}-{to}: the first port is above the last"
        ));
    }
    Ok(())
}

/// `RuleAction` of a NACL entry.
#[derive(Debug, Clone, Default, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    /// The packet passes.
    Allow,
    /// The packet is dropped (the default: an entry nobody set allows nothing).
    #[default]
    Deny,
}

/// `PortRange` of a NACL entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortRangeJson {
    /// First port.
    pub from: i32,
    /// Last port (inclusive).
    pub to: i32,
}

/// An element of `describe-security-groups` → `SecurityGroups`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// `sg-…`
    pub group_id: String,
    /// The group's name.
    #[serde(default)]
    pub group_name: String,
    /// The VPC of the group.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Inbound rules.
    #[serde(default)]
    pub ip_permissions: Vec<IpPermission>,
    /// Outbound rules.
    #[serde(default)]
    pub ip_permissions_egress: Vec<IpPermission>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// One security group rule set (`IpPermissions` / `IpPermissionsEgress` element). A TCP or
/// UDP rule without valid `FromPort`/`ToPort` is rejected (see [`check_ports`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", try_from = "IpPermissionJson")]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, a protocol number, or `-1` for all.
    pub ip_protocol: String,
    /// First port (or ICMP type); absent for protocol `-1`.
    #[serde(default)]
    pub from_port: Option<i32>,
    /// Last port (or ICMP code).
    #[serde(default)]
    pub to_port: Option<i32>,
    /// IPv4 CIDR peers.
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 CIDR peers (docs/spec.md V5). A boxed slice, not a `Vec`: it keeps the struct at
    /// 128 bytes, which the compiler moves inline; at 136 every move of the hundreds of
    /// thousands of rules a large account has becomes a `memcpy` call (+3 % parse time).
    #[serde(default)]
    pub ipv6_ranges: Box<[Ipv6Range]>,
    /// Prefix-list peers.
    #[serde(default)]
    pub prefix_list_ids: Vec<PrefixListIdRef>,
    /// Security-group peers.
    #[serde(default)]
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

/// An [`IpPermission`] as written, before its ports are checked.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IpPermissionJson {
    ip_protocol: String,
    #[serde(default)]
    from_port: Option<i32>,
    #[serde(default)]
    to_port: Option<i32>,
    #[serde(default)]
    ip_ranges: Vec<IpRange>,
    #[serde(default)]
    ipv6_ranges: Box<[Ipv6Range]>,
    #[serde(default)]
    prefix_list_ids: Vec<PrefixListIdRef>,
    #[serde(default)]
    user_id_group_pairs: Vec<UserIdGroupPair>,
}

impl TryFrom<IpPermissionJson> for IpPermission {
    type Error = String;

    fn try_from(p: IpPermissionJson) -> Result<Self, String> {
        let rule = IpPermission {
            ip_protocol: p.ip_protocol,
            from_port: p.from_port,
            to_port: p.to_port,
            ip_ranges: p.ip_ranges,
            ipv6_ranges: p.ipv6_ranges,
            prefix_list_ids: p.prefix_list_ids,
            user_id_group_pairs: p.user_id_group_pairs,
        };
        rule.check_ports()?;
        Ok(rule)
    }
}

impl IpPermission {
    /// A TCP or UDP rule's ports as [`check_ports`] wants them (shared by the JSON route and
    /// the typed one, `SnapshotBuilder::add_items`).
    pub(crate) fn check_ports(&self) -> Result<(), String> {
        if is_tcp_or_udp(&self.ip_protocol) {
            check_ports(
                &self.ip_protocol,
                self.from_port,
                self.to_port,
                "FromPort and ToPort",
            )
            .map_err(|m| format!("security group rule: {m}"))?;
        }
        Ok(())
    }
}

/// `IpRanges` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    /// The CIDR.
    pub cidr_ip: Ipv4Net,
}

/// `Ipv6Ranges` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    /// The CIDR.
    pub cidr_ipv6: Ipv6Net,
}

/// `PrefixListIds` element of a security group rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListIdRef {
    /// `pl-…`
    pub prefix_list_id: String,
}

/// `UserIdGroupPairs` element: a reference to another security group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserIdGroupPair {
    /// The referenced `sg-…` (absent for some EC2-Classic shapes).
    #[serde(default)]
    pub group_id: Option<String>,
}

/// A group reference on an ENI or endpoint (`Groups` element).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupIdentifier {
    /// `sg-…`
    pub group_id: String,
}

/// An element of `describe-network-interfaces` → `NetworkInterfaces`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterface {
    /// `eni-…`
    pub network_interface_id: String,
    /// `interface`, `lambda`, `vpc_endpoint`, `nat_gateway`, `network_load_balancer`, …
    #[serde(default)]
    pub interface_type: Option<String>,
    /// True when an AWS service created the ENI on the account's behalf.
    #[serde(default)]
    pub requester_managed: bool,
    /// The ENI's subnet.
    pub subnet_id: String,
    /// The ENI's VPC.
    pub vpc_id: String,
    /// The primary private IPv4 address.
    #[serde(default)]
    pub private_ip_address: Option<Ipv4Addr>,
    /// All private IPv4 addresses (primary and secondary).
    #[serde(default)]
    pub private_ip_addresses: Vec<PrivateIpAddress>,
    /// Security groups on the ENI.
    #[serde(default)]
    pub groups: Vec<GroupIdentifier>,
    /// `in-use`, `available` (detached), …
    #[serde(default)]
    pub status: Option<String>,
    /// Free-text description (AWS services put their name here).
    #[serde(default)]
    pub description: Option<String>,
    /// Tags (ENIs call them `TagSet`).
    #[serde(default)]
    pub tag_set: Vec<Tag>,
    /// The instance the ENI is attached to, if any (an instance target's primary ENI is the
    /// one at device index 0, issue 16).
    #[serde(default)]
    pub attachment: Option<EniAttachment>,
    /// The ENI's IPv6 addresses (docs/spec.md V1, V10).
    #[serde(default)]
    pub ipv6_addresses: Vec<NetworkInterfaceIpv6Address>,
}

/// `Ipv6Addresses` element of a network interface.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfaceIpv6Address {
    /// The address.
    pub ipv6_address: std::net::Ipv6Addr,
}

/// `Attachment` of a network interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EniAttachment {
    /// `i-…`, when attached to an instance.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// 0 for the instance's primary ENI.
    #[serde(default)]
    pub device_index: Option<u32>,
}

/// `PrivateIpAddresses` element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrivateIpAddress {
    /// The address.
    pub private_ip_address: Ipv4Addr,
}

/// An element of `describe-vpc-endpoints` → `VpcEndpoints`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    /// `vpce-…`
    pub vpc_endpoint_id: String,
    /// `Interface`, `Gateway`, `GatewayLoadBalancer`, …
    pub vpc_endpoint_type: String,
    /// The VPC of the endpoint.
    pub vpc_id: String,
    /// `com.amazonaws.<region>.<service>` or a PrivateLink service name.
    pub service_name: String,
    /// `available`, `pending`, `deleted`, … (lower-cased on load).
    #[serde(default)]
    pub state: Option<String>,
    /// Security groups of the endpoint's ENIs (interface endpoints).
    #[serde(default)]
    pub groups: Vec<GroupIdentifier>,
    /// Subnets that hold the endpoint's ENIs.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// The endpoint's ENIs.
    #[serde(default)]
    pub network_interface_ids: Vec<String>,
    /// Route tables a gateway endpoint adds its prefix-list route to.
    #[serde(default)]
    pub route_table_ids: Vec<String>,
    /// Private DNS (interface endpoints).
    #[serde(default)]
    pub private_dns_enabled: Option<bool>,
    /// The endpoint policy, a JSON document in a string.
    #[serde(default)]
    pub policy_document: Option<String>,
    /// The endpoint-specific DNS names (regional first, then zonal), as AWS gives them.
    #[serde(default)]
    pub dns_entries: Vec<DnsEntry>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// `ipv4`, `dualstack` or `ipv6` (docs/spec.md V1, V4); absent in older dumps.
    #[serde(default)]
    pub ip_address_type: Option<String>,
    /// The DNS options (`DnsRecordIpType`: spec V2).
    #[serde(default)]
    pub dns_options: Option<DnsOptions>,
}

/// `DnsOptions` of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DnsOptions {
    /// `ipv4`, `dualstack`, `ipv6` or `service-defined`.
    #[serde(default)]
    pub dns_record_ip_type: Option<String>,
}

/// One of an endpoint's `DnsEntries`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DnsEntry {
    /// `vpce-…-….<service>.<region>.vpce.amazonaws.com`, or a private DNS name.
    #[serde(default)]
    pub dns_name: String,
    /// The zone that serves it.
    #[serde(default)]
    pub hosted_zone_id: Option<String>,
}

/// An element of `describe-prefix-lists` → `PrefixLists`. Customer-managed lists are written in
/// the same shape, with their entries as `Cidrs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixList {
    /// `pl-…`
    pub prefix_list_id: String,
    /// `com.amazonaws.<region>.s3` for AWS-managed lists, any name otherwise.
    #[serde(default)]
    pub prefix_list_name: String,
    /// The entries (IPv6 entries of customer-managed lists are kept but never match IPv4).
    #[serde(default)]
    pub cidrs: Vec<IpNet>,
    /// `IPv4` or `IPv6` (`describe-managed-prefix-lists`; a managed list holds one family):
    /// absent from `describe-prefix-lists` output, where the entries tell the family.
    #[serde(default)]
    pub address_family: Option<String>,
}

/// `describe-vpc-attribute` output: `VpcId` plus one of the two DNS attributes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcAttribute {
    /// The VPC.
    pub vpc_id: String,
    /// `enableDnsSupport`, when that attribute was asked for.
    #[serde(default)]
    pub enable_dns_support: Option<AttributeBooleanValue>,
    /// `enableDnsHostnames`, when that attribute was asked for.
    #[serde(default)]
    pub enable_dns_hostnames: Option<AttributeBooleanValue>,
}

/// `{"Value": bool}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeBooleanValue {
    /// The attribute's value.
    pub value: bool,
}
