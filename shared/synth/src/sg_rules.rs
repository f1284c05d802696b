//! Security group rules: the realistic mix of CIDR, security group and prefix list sources.

use crate::aws::OWNER;
use crate::ip::{host_cidr, Cidr};
use crate::prefix_list::PrefixLists;
use crate::rng::Rng;
use crate::security_group::SgPlan;
use crate::subnet::Subnet;
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};

/// One source or destination of a rule.
pub(crate) enum Src {
    Cidr(String, Option<&'static str>),
    Sg(String),
    Pl(String),
}

/// Everything rules of one VPC may refer to.
pub(crate) struct RuleCtx {
    vpc: Cidr,
    private_cidrs: Vec<String>,
    workload_sgs: Vec<String>,
    endpoint_sgs: Vec<String>,
    /// The workload groups whose egress names the endpoint groups (known once the workload
    /// groups have their rules): endpoint groups that admit by reference admit exactly these.
    pub(crate) referencing_sgs: Vec<String>,
    private_pl: Option<String>,
    gateway_pls: Vec<String>,
    corp_pl: String,
    partner_pl: String,
}

impl RuleCtx {
    /// The context of VPC `n`; `gateways` are its gateway endpoint services.
    pub(crate) fn new(
        p: &SynthParams,
        plan: &SgPlan,
        n: usize,
        vpcs: &[Vpc],
        subnets: &[Subnet],
        lists: &PrefixLists,
        gateways: &[&str],
    ) -> Self {
        let mine = &subnets[crate::subnet::of_vpc(p, n)];
        RuleCtx {
            vpc: vpcs[n].cidr,
            private_cidrs: mine
                .iter()
                .filter(|s| !s.public)
                .map(|s| s.cidr.to_string())
                .collect(),
            workload_sgs: plan.ids(&plan.by_vpc[n].workload),
            endpoint_sgs: plan.ids(&plan.by_vpc[n].endpoint),
            referencing_sgs: Vec::new(),
            private_pl: lists.private_subnets[n].clone(),
            gateway_pls: gateways
                .iter()
                .map(|g| lists.for_service(g).to_string())
                .collect(),
            corp_pl: lists.corp.clone(),
            partner_pl: lists.partner.clone(),
        }
    }

    fn vpc_cidr(&self) -> Src {
        Src::Cidr(self.vpc.to_string(), Some("VPC"))
    }

    fn peer(&self, rng: &mut Rng) -> Src {
        Src::Sg(rng.pick(&self.workload_sgs).clone())
    }

    /// A /32 in the VPC but outside every subnet (10.n.200.0-10.n.249.255).
    fn other_host(&self, rng: &mut Rng) -> Src {
        let ip = self.vpc.host(rng.range(200 * 256, 250 * 256 - 1));
        Src::Cidr(host_cidr(ip), Some("database"))
    }
}

/// One `IpPermissions` entry; `ports` is omitted for protocol `-1`.
pub(crate) fn perm(proto: &str, ports: Option<(i32, i32)>, srcs: Vec<Src>) -> Value {
    let (mut cidrs, mut sgs, mut pls) = (Vec::new(), Vec::new(), Vec::new());
    for s in srcs {
        match s {
            Src::Cidr(c, Some(d)) => cidrs.push(json!({"CidrIp": c, "Description": d})),
            Src::Cidr(c, None) => cidrs.push(json!({"CidrIp": c})),
            Src::Sg(g) => sgs.push(json!({"GroupId": g, "UserId": OWNER})),
            Src::Pl(p) => pls.push(json!({"PrefixListId": p})),
        }
    }
    let mut v = json!({"IpProtocol": proto, "IpRanges": cidrs, "Ipv6Ranges": [],
        "PrefixListIds": pls, "UserIdGroupPairs": sgs});
    if let Some((from, to)) = ports {
        v["FromPort"] = json!(from);
        v["ToPort"] = json!(to);
    }
    v
}

/// Adds `rule` to `perms` as AWS holds rules: one entry per protocol and port range, each
/// source once in it. AWS refuses a rule that repeats one the group has
/// (`InvalidPermission.Duplicate`) and lists the sources of one protocol and port range in a
/// single entry, so a duplicate source is dropped and the rest are merged into that entry.
fn add(perms: &mut Vec<Value>, rule: Value) {
    let key = |v: &Value| {
        (
            v["IpProtocol"].clone(),
            v["FromPort"].clone(),
            v["ToPort"].clone(),
        )
    };
    let Some(entry) = perms.iter_mut().find(|p| key(p) == key(&rule)) else {
        perms.push(rule);
        return;
    };
    for (list, id) in SOURCE_KINDS {
        let new = rule[list].as_array().cloned().unwrap_or_default();
        let held = entry[list]
            .as_array_mut()
            .expect("perm() writes every list");
        for source in new {
            if !held.iter().any(|h| h[id] == source[id]) {
                held.push(source);
            }
        }
    }
}

/// The source lists of an `IpPermissions` entry and the field that names each source.
const SOURCE_KINDS: [(&str, &str); 3] = [
    ("IpRanges", "CidrIp"),
    ("UserIdGroupPairs", "GroupId"),
    ("PrefixListIds", "PrefixListId"),
];

/// At most this many draws per rule a group should hold: the noise rules repeat now and then,
/// and a small VPC may have fewer distinct ones than a group wants.
const DRAWS_PER_RULE: usize = 20;

fn tcp(port: i32, src: Src) -> Value {
    perm("tcp", Some((port, port)), vec![src])
}

fn anywhere() -> Src {
    Src::Cidr("0.0.0.0/0".into(), None)
}

/// How many rules (sources) a list of permissions holds.
pub(crate) fn count(perms: &[Value]) -> usize {
    let len = |p: &Value, k: &str| p[k].as_array().map_or(0, Vec::len);
    perms
        .iter()
        .map(|p| len(p, "IpRanges") + len(p, "PrefixListIds") + len(p, "UserIdGroupPairs"))
        .sum()
}

/// The AWS default group: all traffic from itself, all traffic out.
pub(crate) fn default_rules(self_id: &str) -> (Vec<Value>, Vec<Value>) {
    (
        vec![perm("-1", None, vec![Src::Sg(self_id.into())])],
        vec![perm("-1", None, vec![anywhere()])],
    )
}

/// A workload group: maybe an egress rule covering the endpoints (forgotten in a
/// misconfigured group), maybe prefix-list rules to the gateway services, then noise.
pub(crate) fn workload_rules(
    p: &SynthParams,
    rng: &mut Rng,
    c: &RuleCtx,
    self_id: &str,
) -> (Vec<Value>, Vec<Value>) {
    let (mut ingress, mut egress) = (Vec::new(), Vec::new());
    if !rng.percent(p.misconfig_percent) {
        add(&mut egress, endpoint_access(rng, c));
    }
    // The subnets route the gateway services to their endpoints (R4), so a group without
    // the prefix list in its egress is a misconfiguration.
    for pl in &c.gateway_pls {
        if !rng.percent(p.misconfig_percent) {
            add(&mut egress, tcp(443, Src::Pl(pl.clone())));
        }
    }
    let target = rng.around(p.rules_per_sg);
    let mut draws = 0;
    while count(&egress) + count(&ingress) < target && draws < target * DRAWS_PER_RULE {
        draws += 1;
        if rng.percent(55) {
            add(&mut egress, noise_egress(rng, c));
        } else {
            add(&mut ingress, noise_ingress(rng, c, self_id));
        }
    }
    rng.shuffle(&mut egress);
    rng.shuffle(&mut ingress);
    (ingress, egress)
}

/// Whether a workload group's egress names the endpoint groups.
pub(crate) fn names_endpoint_sgs(c: &RuleCtx, egress: &[Value]) -> bool {
    egress.iter().any(|rule| {
        rule["UserIdGroupPairs"].as_array().is_some_and(|pairs| {
            pairs.iter().any(|pair| {
                pair["GroupId"]
                    .as_str()
                    .is_some_and(|g| c.endpoint_sgs.iter().any(|e| e == g))
            })
        })
    })
}

/// An egress rule that lets tcp/443 reach every interface endpoint of the VPC.
fn endpoint_access(rng: &mut Rng, c: &RuleCtx) -> Value {
    match rng.below(100) {
        0..=29 => tcp(443, c.vpc_cidr()),
        30..=54 if !c.endpoint_sgs.is_empty() => perm(
            "tcp",
            Some((443, 443)),
            c.endpoint_sgs.iter().map(|g| Src::Sg(g.clone())).collect(),
        ),
        55..=74 => perm("-1", None, vec![anywhere()]),
        75..=84 => tcp(443, anywhere()),
        85..=89 => perm(
            "tcp",
            Some((0, 65535)),
            vec![Src::Cidr("10.0.0.0/8".into(), Some("RFC1918"))],
        ),
        90..=99 if c.private_pl.is_some() => tcp(443, Src::Pl(c.private_pl.clone().unwrap())),
        90..=99 => perm(
            "tcp",
            Some((443, 443)),
            c.private_cidrs
                .iter()
                .map(|s| Src::Cidr(s.clone(), None))
                .collect(),
        ),
        _ => tcp(443, c.vpc_cidr()),
    }
}

/// An egress rule that never covers an endpoint ENI on tcp/443.
fn noise_egress(rng: &mut Rng, c: &RuleCtx) -> Value {
    match rng.below(10) {
        0 => tcp(
            *rng.pick(&[5432, 3306, 6379, 27017, 9200]),
            c.other_host(rng),
        ),
        1 => perm("tcp", Some((8000, 8999)), vec![c.peer(rng)]),
        2 => perm(
            "udp",
            Some((53, 53)),
            vec![Src::Cidr(host_cidr(c.vpc.host(2)), Some("DNS"))],
        ),
        3 => perm(
            "udp",
            Some((123, 123)),
            vec![Src::Cidr("169.254.169.123/32".into(), Some("NTP"))],
        ),
        4 => perm("icmp", Some((-1, -1)), vec![c.vpc_cidr()]),
        5 => tcp(443, Src::Pl(c.partner_pl.clone())),
        6 => tcp(443, Src::Cidr("151.101.0.0/16".into(), Some("CDN"))),
        7 => tcp(22, Src::Pl(c.corp_pl.clone())),
        8 => tcp(80, anywhere()),
        _ => tcp(5432, c.peer(rng)),
    }
}

fn noise_ingress(rng: &mut Rng, c: &RuleCtx, self_id: &str) -> Value {
    match rng.below(8) {
        0 => tcp(22, Src::Pl(c.corp_pl.clone())),
        1 => tcp(22, Src::Cidr("172.16.0.0/12".into(), Some("VPN"))),
        2 => tcp(*rng.pick(&[80, 443, 8080]), c.peer(rng)),
        3 => tcp(443, c.vpc_cidr()),
        4 => perm("icmp", Some((8, 0)), vec![c.vpc_cidr()]),
        5 => perm("-1", None, vec![Src::Sg(self_id.into())]),
        6 => tcp(443, anywhere()),
        _ => perm("udp", Some((33434, 33534)), vec![anywhere()]),
    }
}

/// An endpoint group: admits tcp/443 from the VPC, from workload groups or from private
/// subnets; a misconfigured one admits the wrong port, the wrong sources, or nothing.
pub(crate) fn endpoint_rules(
    p: &SynthParams,
    rng: &mut Rng,
    c: &RuleCtx,
) -> (Vec<Value>, Vec<Value>) {
    let mut ingress = if rng.percent(p.misconfig_percent) {
        broken_endpoint_ingress(rng, c)
    } else {
        vec![endpoint_ingress(rng, c)]
    };
    if rng.percent(40) {
        add(
            &mut ingress,
            perm("icmp", Some((-1, -1)), vec![c.vpc_cidr()]),
        );
    }
    (ingress, vec![perm("-1", None, vec![anywhere()])])
}

fn endpoint_ingress(rng: &mut Rng, c: &RuleCtx) -> Value {
    match rng.below(100) {
        0..=49 => tcp(443, c.vpc_cidr()),
        50..=64 => tcp(443, Src::Cidr("10.0.0.0/8".into(), None)),
        65..=79 => perm(
            "tcp",
            Some((443, 443)),
            c.private_cidrs
                .iter()
                .map(|s| Src::Cidr(s.clone(), None))
                .collect(),
        ),
        // Teams that reference the endpoint groups in egress are admitted by reference: a
        // clean account admits every one of them (a misconfigured group is another branch).
        _ if !c.referencing_sgs.is_empty() => perm(
            "tcp",
            Some((443, 443)),
            c.referencing_sgs
                .iter()
                .map(|g| Src::Sg(g.clone()))
                .collect(),
        ),
        _ => tcp(443, c.vpc_cidr()),
    }
}

fn broken_endpoint_ingress(rng: &mut Rng, c: &RuleCtx) -> Vec<Value> {
    match rng.below(3) {
        0 => vec![tcp(80, c.vpc_cidr())],
        1 => vec![tcp(
            443,
            Src::Cidr("192.168.0.0/16".into(), Some("on-premises")),
        )],
        _ => Vec::new(),
    }
}
