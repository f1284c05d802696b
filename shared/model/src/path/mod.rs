//! The path of one workload/endpoint pair, hop by hop, like a traceroute through security
//! groups, network ACLs and routes. Every hop here is built from the snapshot alone, exactly:
//! `explain` prints a whole trace and `check_exact` decides every pair with one; the fast
//! `check` (`check::fast`) calls the hop builders of `interface` and `gateway` one by one for
//! the hops its compiled rules cannot prove (each hop depends on little, so it builds each once
//! per key) and derives findings from the blocked ones.
//!
//! An interface endpoint is one target per ENI (clients pick any ENI the regional DNS name
//! returns, docs/spec.md I7); a gateway endpoint is one target, the service's prefix list.

pub(crate) mod cross;
// The IPv6 leg of pairs across VPCs (issue 17, docs/spec.md V12).
pub(crate) mod cross6;
pub(crate) mod gateway;
// The IPv6 leg of same-VPC gateway pairs (issue 17, docs/spec.md V4).
mod gateway6;
mod hops;
pub(crate) mod interface;
// IPv6 hops of same-VPC interface pairs (issue 17, docs/spec.md section 12).
pub(crate) mod interface6;
mod lookups;

pub(crate) use hops::common as endpoint_hops;
pub(crate) use hops::{common_from as endpoint_hops_from, dns_from_client};
pub(crate) use lookups::Lookups;

use std::net::IpAddr;
use std::rc::Rc;
use std::sync::{Arc, LazyLock};

use crate::endpoint::{Endpoint, EndpointKind};
use crate::finding::{Direction, FindingCode};
use crate::intent::Workload;
use crate::network_acl::Traffic;
use crate::params::RuleParameters;
use crate::snapshot::{RouteTable, Snapshot};

/// What a hop checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HopKind {
    /// The endpoint's state.
    EndpointState,
    /// The endpoint policy.
    EndpointPolicy,
    /// The endpoint's private DNS.
    PrivateDns,
    /// The VPC's DNS attributes.
    VpcDns,
    /// The snapshot holds the endpoint's ENIs / prefix list.
    EndpointData,
    /// The workload's security groups, outbound.
    SecurityGroupEgress,
    /// The workload subnet's route table.
    Route,
    /// The workload subnet's ACL, outbound (forward leg).
    AclOutbound,
    /// The endpoint subnet's ACL, inbound (forward leg).
    AclInbound,
    /// The endpoint's security groups, inbound.
    SecurityGroupIngress,
    /// The endpoint subnet's ACL, outbound (reply leg).
    AclReturnOutbound,
    /// The workload subnet's ACL, inbound (reply leg).
    AclReturnInbound,
    /// Cross-VPC: the link itself (TGW attachments' states, the peering connection's status).
    Link,
    /// Cross-VPC: the source VPC's TGW attachment has a subnet in the workload's zone.
    TgwAz,
    /// Cross-VPC: the source attachment's TGW route table.
    TgwAssociation,
    /// Cross-VPC: that table's route to the endpoint VPC's attachment.
    TgwRoute,
    /// Cross-VPC: the source VPC's TGW attachment subnet's ACL, inbound (forward leg).
    TgwAclInbound,
    /// Cross-VPC: the endpoint VPC's TGW attachment subnet's ACL, outbound (forward leg).
    TgwAclOutbound,
    /// Cross-VPC: the endpoint subnet's route table, back to the workload (reply leg).
    ReturnRoute,
    /// Cross-VPC: the endpoint VPC's TGW attachment has a subnet in the ENI's zone (reply leg).
    ReturnTgwAz,
    /// Cross-VPC: the endpoint VPC attachment's TGW route table (reply leg).
    ReturnTgwAssociation,
    /// Cross-VPC: that table's route to the workload VPC's attachment (reply leg).
    ReturnTgwRoute,
    /// Cross-VPC: the endpoint VPC's TGW attachment subnet's ACL, inbound (reply leg).
    TgwAclReturnInbound,
    /// Cross-VPC: the workload VPC's TGW attachment subnet's ACL, outbound (reply leg).
    TgwAclReturnOutbound,
    /// Cross-VPC: a gateway endpoint serves only its own VPC.
    GatewayFromOtherVpc,
}

impl HopKind {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            HopKind::EndpointState => "endpoint state",
            HopKind::EndpointPolicy => "endpoint policy",
            HopKind::PrivateDns => "private DNS",
            HopKind::VpcDns => "VPC DNS",
            HopKind::EndpointData => "endpoint data",
            HopKind::SecurityGroupEgress => "SG egress",
            HopKind::Route => "route",
            HopKind::AclOutbound => "NACL out",
            HopKind::AclInbound => "NACL in",
            HopKind::SecurityGroupIngress => "SG ingress",
            HopKind::AclReturnOutbound => "NACL out (reply)",
            HopKind::AclReturnInbound => "NACL in (reply)",
            HopKind::Link => "link",
            HopKind::TgwAz => "TGW zone",
            HopKind::TgwAssociation => "TGW association",
            HopKind::TgwRoute => "TGW route",
            HopKind::TgwAclInbound => "NACL in (TGW subnet)",
            HopKind::TgwAclOutbound => "NACL out (TGW subnet)",
            HopKind::ReturnRoute => "route (reply)",
            HopKind::ReturnTgwAz => "TGW zone (reply)",
            HopKind::ReturnTgwAssociation => "TGW association (reply)",
            HopKind::ReturnTgwRoute => "TGW route (reply)",
            HopKind::TgwAclReturnInbound => "NACL in (TGW subnet, reply)",
            HopKind::TgwAclReturnOutbound => "NACL out (TGW subnet, reply)",
            HopKind::GatewayFromOtherVpc => "gateway endpoint",
        }
    }

    /// The finding direction of a blocking hop of this kind.
    pub fn direction(self) -> Option<Direction> {
        match self {
            HopKind::SecurityGroupEgress
            | HopKind::Route
            | HopKind::AclOutbound
            | HopKind::Link
            | HopKind::TgwAz
            | HopKind::TgwAssociation
            | HopKind::TgwRoute
            | HopKind::TgwAclInbound
            | HopKind::GatewayFromOtherVpc => Some(Direction::Egress),
            HopKind::AclInbound | HopKind::SecurityGroupIngress | HopKind::TgwAclOutbound => {
                Some(Direction::Ingress)
            }
            HopKind::AclReturnOutbound
            | HopKind::ReturnRoute
            | HopKind::ReturnTgwAz
            | HopKind::ReturnTgwAssociation
            | HopKind::ReturnTgwRoute
            | HopKind::TgwAclReturnInbound => Some(Direction::ReturnEgress),
            HopKind::AclReturnInbound | HopKind::TgwAclReturnOutbound => {
                Some(Direction::ReturnIngress)
            }
            HopKind::EndpointState
            | HopKind::EndpointPolicy
            | HopKind::PrivateDns
            | HopKind::VpcDns
            | HopKind::EndpointData => None,
        }
    }
}

/// The four ACL hops of a path: which direction of which subnet's ACL they cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AclHop {
    /// The workload subnet's ACL, outbound (forward leg).
    Outbound,
    /// The endpoint subnet's ACL, inbound (forward leg).
    Inbound,
    /// The endpoint subnet's ACL, outbound (reply leg).
    ReturnOutbound,
    /// The workload subnet's ACL, inbound (reply leg).
    ReturnInbound,
    /// The workload VPC's TGW attachment subnet's ACL, inbound (forward leg).
    TgwInbound,
    /// The endpoint VPC's TGW attachment subnet's ACL, outbound (forward leg).
    TgwOutbound,
    /// The endpoint VPC's TGW attachment subnet's ACL, inbound (reply leg).
    TgwReturnInbound,
    /// The workload VPC's TGW attachment subnet's ACL, outbound (reply leg).
    TgwReturnOutbound,
}

impl AclHop {
    /// The hop's kind.
    pub(crate) fn kind(self) -> HopKind {
        match self {
            AclHop::Outbound => HopKind::AclOutbound,
            AclHop::Inbound => HopKind::AclInbound,
            AclHop::ReturnOutbound => HopKind::AclReturnOutbound,
            AclHop::ReturnInbound => HopKind::AclReturnInbound,
            AclHop::TgwInbound => HopKind::TgwAclInbound,
            AclHop::TgwOutbound => HopKind::TgwAclOutbound,
            AclHop::TgwReturnInbound => HopKind::TgwAclReturnInbound,
            AclHop::TgwReturnOutbound => HopKind::TgwAclReturnOutbound,
        }
    }

    /// Which entries of the ACL decide.
    pub(crate) fn traffic(self) -> Traffic {
        match self {
            AclHop::Outbound
            | AclHop::ReturnOutbound
            | AclHop::TgwOutbound
            | AclHop::TgwReturnOutbound => Traffic::Outbound,
            AclHop::Inbound
            | AclHop::ReturnInbound
            | AclHop::TgwInbound
            | AclHop::TgwReturnInbound => Traffic::Inbound,
        }
    }
}

/// How a hop turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The traffic passes.
    Allowed,
    /// The traffic is dropped here.
    Blocked,
    /// The hop does not apply (an ACL between two ENIs of one subnet).
    NotCrossed,
    /// The snapshot lacks data to decide.
    Unknown,
}

/// One hop of a path.
#[derive(Debug, Clone)]
pub struct Hop {
    /// What was checked.
    pub kind: HopKind,
    /// The resources deciding the hop (several security groups decide together).
    pub components: Vec<Arc<str>>,
    /// The result.
    pub outcome: Outcome,
    /// Which rule allowed, for people (empty when nobody reads it, and for blocked and
    /// unknown hops, whose `problem` says it).
    pub detail: String,
    /// The finding code when blocked.
    pub code: Option<FindingCode>,
    /// What is missing, when blocked or unknown. Shared: the findings of every pair that
    /// crosses this hop quote it.
    pub problem: Arc<str>,
    /// The smallest fix, when blocked.
    pub fix: Arc<str>,
}

impl Hop {
    pub(crate) fn allowed(
        kind: HopKind,
        components: Vec<impl Into<Arc<str>>>,
        detail: String,
    ) -> Hop {
        let components = shared(components);
        Hop {
            kind,
            components,
            outcome: Outcome::Allowed,
            detail,
            code: None,
            problem: empty(),
            fix: empty(),
        }
    }

    pub(crate) fn blocked(
        kind: HopKind,
        components: Vec<impl Into<Arc<str>>>,
        code: FindingCode,
        problem: String,
        fix: String,
    ) -> Hop {
        let (components, problem, fix) = (shared(components), problem.into(), fix.into());
        Hop {
            kind,
            components,
            outcome: Outcome::Blocked,
            detail: String::new(),
            code: Some(code),
            problem,
            fix,
        }
    }

    pub(crate) fn unknown(
        kind: HopKind,
        components: Vec<impl Into<Arc<str>>>,
        problem: String,
    ) -> Hop {
        static FIX: LazyLock<Arc<str>> =
            LazyLock::new(|| Arc::from("add the missing describe output to the snapshot"));
        let (components, problem, fix) = (shared(components), problem.into(), Arc::clone(&FIX));
        Hop {
            kind,
            components,
            outcome: Outcome::Unknown,
            detail: String::new(),
            code: None,
            problem,
            fix,
        }
    }

    /// An allowed hop with nothing to say: what a caller that proved the hop allowed on its
    /// own (the compiled rules of `check::fast`) puts in the pair's path.
    pub(crate) fn proven(kind: HopKind) -> Hop {
        Hop::allowed(kind, Vec::<Arc<str>>::new(), String::new())
    }

    fn not_crossed(kind: HopKind, detail: String) -> Hop {
        let (problem, fix) = (empty(), empty());
        Hop {
            kind,
            components: Vec::new(),
            outcome: Outcome::NotCrossed,
            detail,
            code: None,
            problem,
            fix,
        }
    }
}

/// Component ids as shared texts (a `Vec<Arc<str>>` is passed through as it is).
fn shared(components: Vec<impl Into<Arc<str>>>) -> Vec<Arc<str>> {
    components.into_iter().map(Into::into).collect()
}

/// The empty text, shared (allowed hops have neither problem nor fix).
fn empty() -> Arc<str> {
    static EMPTY: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(""));
    Arc::clone(&EMPTY)
}

/// The hops towards one ENI of an interface endpoint, or towards a gateway endpoint's list.
#[derive(Debug, Clone)]
pub struct Target {
    /// `eni-…` or `pl-…`.
    pub id: String,
    /// The address(es), for people.
    pub address: String,
    /// The hops in path order: forward leg, then reply leg.
    pub hops: Vec<Hop>,
}

impl Target {
    /// True when no hop blocks or is unknown.
    pub fn reachable(&self) -> bool {
        passes(self.hops.iter())
    }
}

/// A pair's overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every target fully reachable.
    Reachable,
    /// Some hop blocks.
    Blocked,
    /// Nothing blocks, but data is missing to prove reachability.
    Unknown,
}

/// The whole path of one pair.
#[derive(Debug, Clone)]
pub struct PairTrace {
    /// The workload ENI.
    pub workload: String,
    /// The workload's source address: IPv4, or IPv6 for an IPv6-only workload (V8).
    pub workload_ip: IpAddr,
    /// The endpoint.
    pub endpoint: String,
    /// `tcp/443`.
    pub traffic: String,
    /// Hops that concern the endpoint as a whole (state, policy, DNS, missing data).
    pub common: Vec<Hop>,
    /// One entry per ENI (interface) or one for the prefix list (gateway).
    pub targets: Vec<Target>,
}

impl PairTrace {
    /// Every hop, common ones first.
    pub fn hops(&self) -> impl Iterator<Item = &Hop> + Clone {
        self.common
            .iter()
            .chain(self.targets.iter().flat_map(|t| t.hops.iter()))
    }

    /// How many targets are fully reachable.
    pub fn reached(&self) -> usize {
        self.targets.iter().filter(|t| t.reachable()).count()
    }

    /// The pair's verdict.
    pub fn verdict(&self) -> Verdict {
        verdict_of(self.hops(), !self.targets.is_empty())
    }
}

/// A pair's verdict from its hops: a blocking hop wins, then a gap in the data (or having no
/// target at all).
pub(crate) fn verdict_of<'h>(
    hops: impl Iterator<Item = &'h Hop> + Clone,
    has_targets: bool,
) -> Verdict {
    if hops.clone().any(|h| h.outcome == Outcome::Blocked) {
        Verdict::Blocked
    } else if hops.clone().any(|h| h.outcome == Outcome::Unknown) || !has_targets {
        Verdict::Unknown
    } else {
        Verdict::Reachable
    }
}

/// True when the hops towards one target all let the traffic through.
pub(crate) fn passes<'h>(mut hops: impl Iterator<Item = &'h Hop>) -> bool {
    hops.all(|h| matches!(h.outcome, Outcome::Allowed | Outcome::NotCrossed))
}

/// What every hop builder needs.
pub(crate) struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub params: &'a RuleParameters,
    pub workload: &'a Workload<'a>,
    pub endpoint: &'a Endpoint<'a>,
    /// Word the rules that allowed each hop (for `explain`); `check` needs only the blocking
    /// ones, and formatting thousands of allowed hops would dominate its run time.
    pub detail: bool,
    /// The route tables expanded for every trace of the check (`None`: expand them here).
    pub lookups: Option<&'a Lookups>,
}

impl Ctx<'_> {
    /// The routes of a VPC route table, expanded once per check when the caller shares
    /// [`Lookups`].
    pub(crate) fn vpc_routes(&self, table: &RouteTable) -> Rc<lookups::VpcRoutes> {
        match self.lookups {
            Some(l) => l.vpc_routes(self.snap, table),
            None => Rc::new(crate::route::expanded_routes(self.snap, table)),
        }
    }

    /// The IPv6 routes of a VPC route table, likewise (docs/spec.md V12).
    pub(crate) fn vpc_routes6(&self, table: &RouteTable) -> Rc<lookups::VpcRoutes6> {
        match self.lookups {
            Some(l) => l.vpc_routes6(self.snap, table),
            None => Rc::new(crate::route::expanded_routes6(self.snap, table)),
        }
    }

    /// The IPv6 routes of TGW route table `table` of `gateway`, likewise.
    pub(crate) fn tgw_routes6(&self, gateway: &str, table: &str) -> Rc<lookups::TgwRoutes6> {
        match self.lookups {
            Some(l) => l.tgw_routes6(self.snap, gateway, table),
            None => Rc::new(crate::transit_gateway::routes6(self.snap, gateway, table)),
        }
    }

    /// The CIDR of a subnet as fixes quote it (its id when unknown), likewise.
    pub(crate) fn subnet_cidr(&self, subnet: &str) -> Rc<str> {
        match self.lookups {
            Some(l) => l.subnet_cidr(self.snap, subnet),
            None => lookups::subnet_cidr(self.snap, subnet),
        }
    }

    /// The routes of TGW route table `table` of `gateway`, likewise.
    pub(crate) fn tgw_routes(&self, gateway: &str, table: &str) -> Rc<lookups::TgwRoutes> {
        match self.lookups {
            Some(l) => l.tgw_routes(self.snap, gateway, table),
            None => Rc::new(crate::transit_gateway::routes(self.snap, gateway, table)),
        }
    }
}

/// Traces the path from a workload to an endpoint, every hop evaluated exactly and explained:
/// in the same VPC, or in another one over a transit gateway or peering connection (`cross`).
pub(crate) fn trace(
    snap: &Snapshot,
    params: &RuleParameters,
    workload: &Workload,
    endpoint: &Endpoint,
) -> PairTrace {
    trace_with(snap, params, workload, endpoint, true, &Lookups::new())
}

/// [`trace`] without the wording of allowed hops (`Hop::detail` left empty): what `check`
/// needs of a pair it must trace (its findings quote blocking hops only), at a fraction of the
/// cost on paths of twenty hops (a pair across a transit gateway). `lookups`: the route
/// tables shared by every trace of the check.
pub(crate) fn trace_quiet(
    snap: &Snapshot,
    params: &RuleParameters,
    workload: &Workload,
    endpoint: &Endpoint,
    lookups: &Lookups,
) -> PairTrace {
    trace_with(snap, params, workload, endpoint, false, lookups)
}

fn trace_with(
    snap: &Snapshot,
    params: &RuleParameters,
    workload: &Workload,
    endpoint: &Endpoint,
    detail: bool,
    lookups: &Lookups,
) -> PairTrace {
    // A workload of another VPC resolves the service's name from its own VPC (D10).
    let common = hops::common_from(snap, params, endpoint, workload.vpc_id);
    let cx = Ctx {
        snap,
        params,
        workload,
        endpoint,
        detail,
        lookups: Some(lookups),
    };
    let stopped = common
        .iter()
        .any(|h| h.kind == HopKind::EndpointState && h.outcome == Outcome::Blocked);
    let cross_vpc = workload.vpc_id != endpoint.raw.vpc_id;
    let targets = match (stopped, endpoint.kind) {
        (true, _) => Vec::new(),
        // Across VPCs by the families the pair needs (V10, V12): the IPv4 leg of issue 14,
        // the IPv6 leg, or both. (A gateway endpoint serves no other VPC, whatever the family:
        // T9.)
        (false, EndpointKind::Interface) if cross_vpc => {
            interface_targets_by(&cx, cross::targets, cross6::targets)
        }
        (false, _) if cross_vpc => cross::targets(&cx),
        (false, EndpointKind::Interface) => {
            interface_targets_by(&cx, interface::targets, interface6::targets)
        }
        (false, EndpointKind::Gateway) => gateway_targets(&cx),
    };
    PairTrace {
        workload: workload.id().to_string(),
        workload_ip: workload.address(),
        endpoint: endpoint.id().to_string(),
        traffic: endpoint.traffic.clone(),
        common,
        targets,
    }
}

/// An interface pair's targets by the families it needs (docs/spec.md V10): the IPv4 ones
/// (`v4`: `interface` in the VPC, `cross` across VPCs), the IPv6 ones (`v6`: `interface6`,
/// `cross6`), both, the DNS64 route towards each ENI (V9: the workload subnet's route table
/// decides, wherever the endpoint is), or one target saying why no answer is usable or what
/// data is missing to decide.
fn interface_targets_by(
    cx: &Ctx,
    v4: fn(&Ctx) -> Vec<Target>,
    v6: fn(&Ctx) -> Vec<Target>,
) -> Vec<Target> {
    use crate::family::{interface_need_gated, Family, Need};
    match interface_need_gated(cx.snap, cx.workload.eni, cx.endpoint.raw) {
        Need::One(Family::V4) => v4(cx),
        Need::One(Family::V6) => v6(cx),
        Need::Both => {
            let mut targets = v4(cx);
            targets.extend(v6(cx));
            targets
        }
        Need::Dns64 => cx
            .endpoint
            .enis
            .iter()
            .map(|eni| Target {
                id: eni.id.clone(),
                address: interface6::dns64_address(eni.ip).to_string(),
                hops: vec![interface6::dns64_route(cx, eni.ip)],
            })
            .collect(),
        Need::Unusable(why) => {
            let hop = interface6::unusable(cx, why);
            vec![whole_endpoint(cx, "no usable address", hop)]
        }
        Need::Missing(what) => vec![family_unknown(cx, &what)],
    }
}

/// A same-VPC gateway pair's targets by the families it needs (docs/spec.md V4, V10): the
/// IPv4 prefix-list target, the IPv6 one (`gateway6`: the list the endpoint's IPv6 route
/// names), both, or one blocked target when no family is usable (an IPv6-only workload and an
/// `ipv4` endpoint).
fn gateway_targets(cx: &Ctx) -> Vec<Target> {
    use crate::family::{gateway_need_gated, Family, Need};
    match gateway_need_gated(cx.snap, cx.workload.eni, cx.endpoint.raw) {
        Need::One(Family::V4) => gateway::targets(cx),
        Need::Both => {
            let mut targets = gateway::targets(cx);
            targets.extend(gateway6::targets(cx));
            targets
        }
        // DNS64 never brings traffic to a gateway endpoint (`family::need`).
        Need::One(Family::V6) | Need::Dns64 => gateway6::targets(cx),
        Need::Unusable(why) => {
            let hop = interface6::unusable(cx, why);
            vec![whole_endpoint(cx, "no usable address", hop)]
        }
        Need::Missing(what) => vec![family_unknown(cx, &what)],
    }
}

/// The target of a pair whose families the snapshot cannot say: unknown, naming what is
/// absent.
fn family_unknown(cx: &Ctx, what: &str) -> Target {
    let components = vec![cx.workload.id().to_string(), cx.endpoint.id().to_string()];
    let problem = format!("the address families of this pair are unknown: {what}");
    let hop = Hop::unknown(HopKind::EndpointData, components, problem);
    whole_endpoint(cx, "address family unknown", hop)
}

/// One target standing for the whole endpoint, holding `hop`; `address` says why it has none.
fn whole_endpoint(cx: &Ctx, address: &str, hop: Hop) -> Target {
    Target {
        id: cx.endpoint.id().to_string(),
        address: address.to_string(),
        hops: vec![hop],
    }
}
