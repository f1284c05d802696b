//! "Which VPC is this resource in", for resources known by id only: a changed resource of a
//! CloudTrail record (change-watch) or of an oversized Config item (config-rule). One batched
//! `Describe*` call per resource kind, not one call per resource.
//!
//! Resources are asked for by id. An id list fails the whole call when one resource no longer
//! exists (`*.NotFound`); the ids are then asked for one by one, and the missing ones are left
//! out of the result. Association ids and prefix lists have no id parameter: they are found
//! through filters, which never fail on a missing value.
//!
//! Link and DNS resources (issues 14 and 15) locate to every VPC they concern: a TGW
//! attachment to its attached VPC, a TGW route table to the VPCs of the attachments associated
//! with it, a peering connection to both sides, a DHCP option set to the VPCs using it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

use crate::{CallError, Clients, OneLine, Service};

/// Values per filter in one call (EC2 accepts at most 200).
const FILTER_VALUES: usize = 200;
/// Ids named in an error's scope; the rest are counted.
const IDS_IN_ERRORS: usize = 5;

/// Resource id → the VPCs it belongs to (several for a prefix list used in several VPCs).
pub type Located = BTreeMap<String, BTreeSet<String>>;

/// The kinds of EC2 resource a change can name, recognised by their id's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// `sg-…`
    SecurityGroup,
    /// `eni-…`
    NetworkInterface,
    /// `vpce-…`
    VpcEndpoint,
    /// `rtb-…`
    RouteTable,
    /// `rtbassoc-…`
    RouteTableAssociation,
    /// `acl-…`
    NetworkAcl,
    /// `aclassoc-…`
    NetworkAclAssociation,
    /// `subnet-…`
    Subnet,
    /// `pl-…`
    PrefixList,
    /// `vpc-…`
    Vpc,
    /// `tgw-rtb-…`
    TgwRouteTable,
    /// `tgw-attach-…`
    TgwAttachment,
    /// `pcx-…`
    Peering,
    /// `dopt-…`
    DhcpOptions,
    /// A Route 53 hosted zone, `Z…` (upper-case letters and digits; `/hostedzone/` dropped).
    HostedZone,
    /// A Route 53 Resolver rule, `rslvr-rr-…`.
    ResolverRule,
    /// An endpoint service the account hosts, `vpce-svc-…` (issue 16).
    EndpointService,
    /// An Elastic Load Balancing v2 load balancer, by ARN (`…:loadbalancer/net/<name>/<id>`).
    LoadBalancer,
    /// A listener, by ARN (`…:listener/net/<name>/<id>/<id>`).
    Listener,
    /// A target group, by ARN (`…:targetgroup/<name>/<id>`).
    TargetGroup,
}

impl ResourceKind {
    /// The kind of an id, by prefix; `None` for ids of other kinds.
    pub fn of(id: &str) -> Option<ResourceKind> {
        if is_zone_id(id) {
            return Some(ResourceKind::HostedZone);
        }
        if id
            .strip_prefix("rslvr-rr-")
            .is_some_and(|rest| !rest.is_empty())
        {
            return Some(ResourceKind::ResolverRule);
        }
        if id.starts_with("arn:") {
            return crate::load_balancers::arn_kind(id);
        }
        // Before `vpce-`, an endpoint's prefix.
        if let Some(rest) = id.strip_prefix("vpce-svc-") {
            return (!rest.is_empty()).then_some(ResourceKind::EndpointService);
        }
        // Two kinds share the `tgw-` prefix (and a TGW itself is no kind here).
        for (prefix, kind) in [
            ("tgw-rtb-", ResourceKind::TgwRouteTable),
            ("tgw-attach-", ResourceKind::TgwAttachment),
        ] {
            if let Some(rest) = id.strip_prefix(prefix) {
                return (!rest.is_empty()).then_some(kind);
            }
        }
        let (prefix, rest) = id.split_once('-')?;
        if rest.is_empty() {
            return None;
        }
        Some(match prefix {
            "sg" => ResourceKind::SecurityGroup,
            "eni" => ResourceKind::NetworkInterface,
            "vpce" => ResourceKind::VpcEndpoint,
            "rtb" => ResourceKind::RouteTable,
            "rtbassoc" => ResourceKind::RouteTableAssociation,
            "acl" => ResourceKind::NetworkAcl,
            "aclassoc" => ResourceKind::NetworkAclAssociation,
            "subnet" => ResourceKind::Subnet,
            "pl" => ResourceKind::PrefixList,
            "vpc" => ResourceKind::Vpc,
            "pcx" => ResourceKind::Peering,
            "dopt" => ResourceKind::DhcpOptions,
            _ => return None,
        })
    }
}

/// A bare hosted zone id: `Z` then upper-case letters and digits (Route 53 ids are at most
/// 32 characters), unlike every EC2 id (a lower-case prefix and a dash).
fn is_zone_id(id: &str) -> bool {
    id.len() > 1
        && id.len() <= 32
        && id.starts_with('Z')
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Locates every id of `ids` with `clients`: the EC2 kinds as [`locate`] does, a hosted zone
/// to the VPCs associated with it (`GetHostedZone`; a zone of another account, or deleted,
/// locates to nothing), a Resolver rule to the VPCs it is associated with
/// (`ListResolverRuleAssociations` filtered by the rule), and the provider side's resources
/// (issue 16) to their load balancers' VPCs: a load balancer, listener or target group to
/// its VPC, an endpoint service to its NLBs' ([`crate::load_balancers`]). Any failed call
/// fails the lookup.
pub async fn locate_with(clients: &Clients, ids: &BTreeSet<String>) -> Result<Located, CallError> {
    let (mut located, zones, rules, provider) = tokio::try_join!(
        locate(&clients.ec2, ids),
        zone_vpcs(&clients.route53, of_kind(ids, ResourceKind::HostedZone)),
        rule_vpcs(&clients.resolver, of_kind(ids, ResourceKind::ResolverRule)),
        crate::load_balancers::locate(clients, ids),
    )?;
    for (id, vpc) in zones.into_iter().chain(rules).chain(provider) {
        located.entry(id).or_default().insert(vpc);
    }
    Ok(located)
}

fn of_kind(ids: &BTreeSet<String>, kind: ResourceKind) -> Vec<String> {
    ids.iter()
        .filter(|id| ResourceKind::of(id) == Some(kind))
        .cloned()
        .collect()
}

/// `(zone, VPC)` for each VPC associated with each zone.
async fn zone_vpcs(
    client: &aws_sdk_route53::Client,
    zones: Vec<String>,
) -> Result<Vec<(String, String)>, CallError> {
    let mut pairs = Vec::new();
    for zone in zones {
        let out = match client.get_hosted_zone().id(&zone).send().await {
            Ok(out) => out,
            // Deleted since the change, or another account's: nothing to locate.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_hosted_zone()) =>
            {
                continue
            }
            Err(e) => {
                return Err(CallError::from_sdk(
                    Service::Route53,
                    "GetHostedZone",
                    &zone,
                    e,
                ))
            }
        };
        let vpcs = out.vpcs().iter().filter_map(|v| v.vpc_id());
        pairs.extend(vpcs.map(|vpc| (zone.clone(), vpc.to_owned())));
    }
    Ok(pairs)
}

/// `(rule, VPC)` for each VPC each rule is associated with.
async fn rule_vpcs(
    client: &aws_sdk_route53resolver::Client,
    rules: Vec<String>,
) -> Result<Vec<(String, String)>, CallError> {
    use aws_sdk_route53resolver::types::{Filter as RuleFilter, ResolverRuleAssociation};
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let filter = RuleFilter::builder()
        .name("ResolverRuleId")
        .set_values(Some(rules.clone()))
        .build();
    let associations: Vec<ResolverRuleAssociation> = paginate!(
        Service::Route53Resolver => client.list_resolver_rule_associations().filters(filter),
        "ListResolverRuleAssociations",
        &rules.join(", ")
    )?;
    Ok(associations
        .iter()
        .filter_map(|a| Some((a.resolver_rule_id()?.to_owned(), a.vpc_id()?.to_owned())))
        .filter(|(rule, _)| rules.contains(rule))
        .collect())
}

/// Locates every id of `ids` (a VPC id locates itself, if the VPC still exists); ids that EC2
/// no longer knows are absent from the result. Any failed call fails the whole lookup.
pub async fn locate(client: &Client, ids: &BTreeSet<String>) -> Result<Located, CallError> {
    let mut by_kind: BTreeMap<ResourceKind, Vec<String>> = BTreeMap::new();
    for id in ids {
        if let Some(kind) = ResourceKind::of(id) {
            by_kind.entry(kind).or_default().push(id.clone());
        }
    }
    let lookups = by_kind
        .into_iter()
        .map(|(kind, ids)| locate_kind(client, kind, ids));
    let found = futures_util::future::try_join_all(lookups).await?;
    let mut located = Located::new();
    for (id, vpc) in found.into_iter().flatten() {
        located.entry(id).or_default().insert(vpc);
    }
    Ok(located)
}

/// `(resource id, VPC id)` pairs for the ids of one kind.
async fn locate_kind(
    client: &Client,
    kind: ResourceKind,
    ids: Vec<String>,
) -> Result<Vec<(String, String)>, CallError> {
    let mut pairs = Vec::new();
    for chunk in ids.chunks(FILTER_VALUES) {
        pairs.extend(locate_chunk(client, kind, chunk).await?);
    }
    Ok(pairs)
}

async fn locate_chunk(
    client: &Client,
    kind: ResourceKind,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    use ResourceKind as K;
    match kind {
        K::Vpc => by_ids(ids, |ids| vpcs(client, ids)).await,
        K::SecurityGroup => by_ids(ids, |ids| security_groups(client, ids)).await,
        K::NetworkInterface => by_ids(ids, |ids| network_interfaces(client, ids)).await,
        K::VpcEndpoint => by_ids(ids, |ids| vpc_endpoints(client, ids)).await,
        K::Subnet => by_ids(ids, |ids| subnets(client, ids)).await,
        K::RouteTable => by_ids(ids, |ids| route_tables(client, Query::Ids(ids), ids)).await,
        K::NetworkAcl => by_ids(ids, |ids| network_acls(client, Query::Ids(ids), ids)).await,
        K::RouteTableAssociation => {
            route_tables(
                client,
                Query::Filter("association.route-table-association-id", ids),
                ids,
            )
            .await
        }
        K::NetworkAclAssociation => {
            network_acls(
                client,
                Query::Filter("association.association-id", ids),
                ids,
            )
            .await
        }
        K::PrefixList => prefix_list_users(client, ids).await,
        K::TgwAttachment => by_ids(ids, |ids| tgw_attachments(client, Query::Ids(ids), ids)).await,
        K::TgwRouteTable => tgw_attachments(client, Query::All, ids).await,
        K::Peering => by_ids(ids, |ids| peerings(client, ids)).await,
        K::DhcpOptions => dhcp_users(client, ids).await,
        // Not EC2's describe calls: `locate_with` asks Route 53, the Resolver, and for the
        // provider side `load_balancers::locate`.
        K::HostedZone
        | K::ResolverRule
        | K::EndpointService
        | K::LoadBalancer
        | K::Listener
        | K::TargetGroup => Ok(Vec::new()),
    }
}

/// How a describe call selects resources.
#[derive(Clone, Copy)]
enum Query<'a> {
    /// By id (the call's id-list parameter).
    Ids(&'a [String]),
    /// By a filter with these values.
    Filter(&'static str, &'a [String]),
    /// Every resource of the region.
    All,
}

/// Runs `call` on all `ids`; when one of them no longer exists, runs it on each id alone and
/// leaves out the missing ones.
async fn by_ids<'a, F, Fut>(ids: &'a [String], call: F) -> Result<Vec<(String, String)>, CallError>
where
    F: Fn(&'a [String]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<(String, String)>, CallError>>,
{
    match call(ids).await {
        Err(e) if e.is_not_found() => {}
        other => return other,
    }
    if let [id] = ids {
        // Asked alone already (an oversized Config item): nothing to retry.
        gone(id);
        return Ok(Vec::new());
    }
    let mut pairs = Vec::new();
    for id in ids.chunks(1) {
        match call(id).await {
            Ok(found) => pairs.extend(found),
            Err(e) if e.is_not_found() => gone(&id[0]),
            Err(e) => return Err(e),
        }
    }
    Ok(pairs)
}

fn gone(id: &str) {
    tracing::info!(resource = %OneLine(id), "no longer exists: left out");
}

fn filter(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

/// Keeps the ids of `candidates` that are in `ids`, each paired with `vpc`.
fn matching(
    ids: &[String],
    candidates: impl IntoIterator<Item = String>,
    vpc: &str,
) -> Vec<(String, String)> {
    candidates
        .into_iter()
        .filter(|c| ids.contains(c))
        .map(|c| (c, vpc.to_owned()))
        .collect()
}

/// `(group id, VPC id)` of the groups asked for.
async fn security_groups(
    client: &Client,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let groups = groups_with_lists(client, Query::Ids(ids), ids).await?;
    Ok(groups.into_iter().map(|(id, vpc, _)| (id, vpc)).collect())
}

/// `(group id, VPC id, prefix lists the rules reference)` of the groups asked for; `ids`
/// names the lookup in errors.
async fn groups_with_lists(
    client: &Client,
    query: Query<'_>,
    ids: &[String],
) -> Result<Vec<(String, String, Vec<String>)>, CallError> {
    let request = match query {
        Query::Ids(ids) => client
            .describe_security_groups()
            .set_group_ids(Some(ids.to_vec())),
        Query::Filter(name, values) => client
            .describe_security_groups()
            .filters(filter(name, values)),
        Query::All => client.describe_security_groups(),
    };
    let groups: Vec<_> = paginate!(request, "DescribeSecurityGroups", scope(ids))?;
    Ok(groups
        .into_iter()
        .filter_map(|g| {
            let lists = g
                .ip_permissions()
                .iter()
                .chain(g.ip_permissions_egress())
                .flat_map(|p| p.prefix_list_ids())
                .filter_map(|p| p.prefix_list_id().map(str::to_owned))
                .collect();
            Some((g.group_id?, g.vpc_id?, lists))
        })
        .collect())
}

async fn network_interfaces(
    client: &Client,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let enis: Vec<_> = paginate!(
        client
            .describe_network_interfaces()
            .set_network_interface_ids(Some(ids.to_vec())),
        "DescribeNetworkInterfaces",
        scope(ids)
    )?;
    Ok(enis
        .into_iter()
        .filter_map(|e| Some((e.network_interface_id?, e.vpc_id?)))
        .collect())
}

async fn vpc_endpoints(
    client: &Client,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let endpoints: Vec<_> = paginate!(
        client
            .describe_vpc_endpoints()
            .set_vpc_endpoint_ids(Some(ids.to_vec())),
        "DescribeVpcEndpoints",
        scope(ids)
    )?;
    Ok(endpoints
        .into_iter()
        .filter_map(|e| Some((e.vpc_endpoint_id?, e.vpc_id?)))
        .collect())
}

/// The VPCs that still exist, each located in itself.
async fn vpcs(client: &Client, ids: &[String]) -> Result<Vec<(String, String)>, CallError> {
    let vpcs: Vec<_> = paginate!(
        client.describe_vpcs().set_vpc_ids(Some(ids.to_vec())),
        "DescribeVpcs",
        scope(ids)
    )?;
    Ok(vpcs
        .into_iter()
        .filter_map(|v| v.vpc_id)
        .map(|id| (id.clone(), id))
        .collect())
}

async fn subnets(client: &Client, ids: &[String]) -> Result<Vec<(String, String)>, CallError> {
    let subnets: Vec<_> = paginate!(
        client.describe_subnets().set_subnet_ids(Some(ids.to_vec())),
        "DescribeSubnets",
        scope(ids)
    )?;
    Ok(subnets
        .into_iter()
        .filter_map(|s| Some((s.subnet_id?, s.vpc_id?)))
        .collect())
}

/// The route tables asked for: their ids, association ids and routed prefix lists that are
/// among `ids`, with the VPC.
async fn route_tables(
    client: &Client,
    query: Query<'_>,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let request = match query {
        Query::Ids(ids) => client
            .describe_route_tables()
            .set_route_table_ids(Some(ids.to_vec())),
        Query::Filter(name, values) => client.describe_route_tables().filters(filter(name, values)),
        Query::All => client.describe_route_tables(),
    };
    let tables: Vec<_> = paginate!(request, "DescribeRouteTables", scope(ids))?;
    let mut pairs = Vec::new();
    for table in tables {
        let Some(vpc) = table.vpc_id() else { continue };
        let mut candidates: Vec<String> = table
            .route_table_id()
            .map(str::to_owned)
            .into_iter()
            .collect();
        candidates.extend(
            table
                .associations()
                .iter()
                .filter_map(|a| a.route_table_association_id().map(str::to_owned)),
        );
        // A prefix-list lookup asks for tables routing the list: the list is then in this VPC.
        candidates.extend(
            table
                .routes()
                .iter()
                .filter_map(|r| r.destination_prefix_list_id().map(str::to_owned)),
        );
        pairs.extend(matching(ids, candidates, vpc));
    }
    Ok(pairs)
}

/// The network ACLs asked for: their ids and association ids that are among `ids`, with the
/// VPC.
async fn network_acls(
    client: &Client,
    query: Query<'_>,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let request = match query {
        Query::Ids(ids) => client
            .describe_network_acls()
            .set_network_acl_ids(Some(ids.to_vec())),
        Query::Filter(name, values) => client.describe_network_acls().filters(filter(name, values)),
        Query::All => client.describe_network_acls(),
    };
    let acls: Vec<_> = paginate!(request, "DescribeNetworkAcls", scope(ids))?;
    let mut pairs = Vec::new();
    for acl in acls {
        let Some(vpc) = acl.vpc_id() else { continue };
        let mut candidates: Vec<String> = acl
            .network_acl_id()
            .map(str::to_owned)
            .into_iter()
            .collect();
        candidates.extend(
            acl.associations()
                .iter()
                .filter_map(|a| a.network_acl_association_id().map(str::to_owned)),
        );
        pairs.extend(matching(ids, candidates, vpc));
    }
    Ok(pairs)
}

/// A prefix list is regional: its VPCs are those whose security-group rules (either way) or
/// route tables use it. Groups and route tables are read whole and matched here rather than
/// with the `*prefix-list-id` filters, which moto lacks; prefix-list changes are rare, so the
/// extra pages are cheap.
async fn prefix_list_users(
    client: &Client,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let (groups, routes) = tokio::try_join!(
        groups_with_lists(client, Query::All, ids),
        route_tables(client, Query::All, ids),
    )?;
    let mut pairs = routes;
    for (_, vpc, lists) in groups {
        pairs.extend(matching(ids, lists, &vpc));
    }
    Ok(pairs)
}

/// The VPC attachments asked for (by id), or every VPC attachment of the region (`All`, for a
/// route-table lookup: the association is matched here, as moto has no filter for it; a
/// region holds few attachments): their ids and associated route tables that are among
/// `ids`, with the attached VPC.
async fn tgw_attachments(
    client: &Client,
    query: Query<'_>,
    ids: &[String],
) -> Result<Vec<(String, String)>, CallError> {
    let request = client
        .describe_transit_gateway_attachments()
        .filters(filter("resource-type", &["vpc".to_owned()]));
    let request = match query {
        Query::Ids(ids) => request.set_transit_gateway_attachment_ids(Some(ids.to_vec())),
        Query::Filter(name, values) => request.filters(filter(name, values)),
        Query::All => request,
    };
    let attachments: Vec<_> = paginate!(request, "DescribeTransitGatewayAttachments", scope(ids))?;
    let mut pairs = Vec::new();
    for a in attachments {
        let Some(vpc) = a.resource_id() else { continue };
        let mut candidates: Vec<String> = a
            .transit_gateway_attachment_id()
            .map(str::to_owned)
            .into_iter()
            .collect();
        candidates.extend(
            a.association()
                .and_then(|r| r.transit_gateway_route_table_id())
                .map(str::to_owned),
        );
        pairs.extend(matching(ids, candidates, vpc));
    }
    Ok(pairs)
}

/// Both sides of each peering connection asked for (the accepter may be another account's
/// VPC: it is located all the same, and the caller's scope decides what it can collect).
async fn peerings(client: &Client, ids: &[String]) -> Result<Vec<(String, String)>, CallError> {
    let connections: Vec<_> = paginate!(
        client
            .describe_vpc_peering_connections()
            .set_vpc_peering_connection_ids(Some(ids.to_vec())),
        "DescribeVpcPeeringConnections",
        scope(ids)
    )?;
    let mut pairs = Vec::new();
    for c in connections {
        let Some(id) = c.vpc_peering_connection_id() else {
            continue;
        };
        let sides = [c.requester_vpc_info(), c.accepter_vpc_info()];
        for vpc in sides.into_iter().flatten().filter_map(|s| s.vpc_id()) {
            pairs.push((id.to_owned(), vpc.to_owned()));
        }
    }
    Ok(pairs)
}

/// The VPCs using each DHCP option set asked for (none for a set no VPC uses).
async fn dhcp_users(client: &Client, ids: &[String]) -> Result<Vec<(String, String)>, CallError> {
    let vpcs: Vec<_> = paginate!(
        client
            .describe_vpcs()
            .filters(filter("dhcp-options-id", ids)),
        "DescribeVpcs",
        scope(ids)
    )?;
    Ok(vpcs
        .into_iter()
        .filter_map(|v| Some((v.dhcp_options_id?, v.vpc_id?)))
        .filter(|(set, _)| ids.contains(set))
        .collect())
}

/// How an error names the ids a lookup was for: `locating sg-1, sg-2` (at most
/// [`IDS_IN_ERRORS`] ids, then a count).
fn scope(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(IDS_IN_ERRORS).map(String::as_str).collect();
    let mut text = format!("locating {}", shown.join(", "));
    if ids.len() > IDS_IN_ERRORS {
        text.push_str(&format!(" and {} more", ids.len() - IDS_IN_ERRORS));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_keeps_only_asked_ids() {
        let ids = vec!["rtbassoc-1".to_owned(), "rtb-2".to_owned()];
        let found = matching(&ids, ["rtb-1".to_owned(), "rtbassoc-1".to_owned()], "vpc-1");
        assert_eq!(found, [("rtbassoc-1".to_owned(), "vpc-1".to_owned())]);
    }

    #[test]
    fn kinds_by_prefix() {
        assert_eq!(ResourceKind::of("sg-1"), Some(ResourceKind::SecurityGroup));
        assert_eq!(
            ResourceKind::of("rtbassoc-1"),
            Some(ResourceKind::RouteTableAssociation)
        );
        assert_eq!(ResourceKind::of("sg-"), None);
        assert_eq!(
            ResourceKind::of("tgw-rtb-0a1"),
            Some(ResourceKind::TgwRouteTable)
        );
        assert_eq!(
            ResourceKind::of("tgw-attach-0a1"),
            Some(ResourceKind::TgwAttachment)
        );
        assert_eq!(ResourceKind::of("tgw-0a1"), None);
        assert_eq!(ResourceKind::of("tgw-rtb-"), None);
        assert_eq!(ResourceKind::of("pcx-1"), Some(ResourceKind::Peering));
        assert_eq!(ResourceKind::of("dopt-1"), Some(ResourceKind::DhcpOptions));
        assert_eq!(ResourceKind::of("i-1"), None);
    }

    #[test]
    fn error_scopes_name_a_few_ids() {
        let ids: Vec<String> = (1..=7).map(|i| format!("sg-{i}")).collect();
        assert_eq!(scope(&ids[..2]), "locating sg-1, sg-2");
        assert_eq!(
            scope(&ids),
            "locating sg-1, sg-2, sg-3, sg-4, sg-5 and 2 more"
        );
    }
}
