//! Security groups (`describe-security-groups`): default, workload and endpoint groups with a
//! realistic mix of rules.

use crate::aws::{name_tag, OWNER};
use crate::ids::IdGen;
use crate::prefix_list::PrefixLists;
use crate::rng::Rng;
use crate::sg_rules::{self, RuleCtx};
use crate::subnet::Subnet;
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};

/// What a group is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SgKind {
    Default,
    Workload,
    Endpoint,
}

/// One planned security group.
#[derive(Debug)]
pub(crate) struct Sg {
    pub id: String,
    pub name: String,
    pub vpc: usize,
    pub kind: SgKind,
    pub ingress: Vec<Value>,
    pub egress: Vec<Value>,
}

/// The groups of one VPC, as indices into [`SgPlan::sgs`].
#[derive(Debug, Default)]
pub(crate) struct VpcSgs {
    pub default: usize,
    pub workload: Vec<usize>,
    pub endpoint: Vec<usize>,
}

/// All security groups.
#[derive(Debug)]
pub(crate) struct SgPlan {
    pub sgs: Vec<Sg>,
    pub by_vpc: Vec<VpcSgs>,
}

impl SgPlan {
    /// The ids of some groups.
    pub(crate) fn ids(&self, which: &[usize]) -> Vec<String> {
        which.iter().map(|&i| self.sgs[i].id.clone()).collect()
    }
}

const APPS: [&str; 12] = [
    "web",
    "api",
    "worker",
    "batch",
    "etl",
    "ingest",
    "bastion",
    "scheduler",
    "reports",
    "search",
    "payments",
    "auth",
];

/// How many of VPC `vpc`'s groups guard endpoints: one per four endpoints, at least one.
fn endpoint_sg_count(p: &SynthParams, vpc: usize) -> usize {
    let (budget, endpoints) = (
        p.share(p.security_groups, vpc),
        p.share(p.interface_endpoints, vpc),
    );
    if endpoints == 0 {
        0
    } else {
        endpoints.div_ceil(4).clamp(1, budget - 1)
    }
}

/// Plans every group's id and name (rules come later, once everything exists).
pub(crate) fn plan_ids(p: &SynthParams, ids: &mut IdGen, vpcs: &[Vpc]) -> SgPlan {
    let mut plan = SgPlan {
        sgs: Vec::new(),
        by_vpc: Vec::new(),
    };
    for (n, vpc) in vpcs.iter().enumerate() {
        let mut mine = VpcSgs {
            default: plan.sgs.len(),
            ..VpcSgs::default()
        };
        plan.sgs
            .push(new_sg(ids, "default".into(), n, SgKind::Default));
        let endpoints = endpoint_sg_count(p, n);
        for k in 0..p.share(p.security_groups, n) {
            mine_push(&mut plan, &mut mine, ids, vpc, n, k, k < endpoints);
        }
        plan.by_vpc.push(mine);
    }
    plan
}

fn mine_push(
    plan: &mut SgPlan,
    mine: &mut VpcSgs,
    ids: &mut IdGen,
    vpc: &Vpc,
    n: usize,
    k: usize,
    ep: bool,
) {
    let (name, kind) = if ep {
        (format!("{}-vpce-{k}", vpc.name), SgKind::Endpoint)
    } else {
        (
            format!("{}-{}-{k}", vpc.name, APPS[k % APPS.len()]),
            SgKind::Workload,
        )
    };
    let list = if ep {
        &mut mine.endpoint
    } else {
        &mut mine.workload
    };
    list.push(plan.sgs.len());
    plan.sgs.push(new_sg(ids, name, n, kind));
}

fn new_sg(ids: &mut IdGen, name: String, vpc: usize, kind: SgKind) -> Sg {
    Sg {
        id: ids.next("sg"),
        name,
        vpc,
        kind,
        ingress: Vec::new(),
        egress: Vec::new(),
    }
}

/// Fills every group's rules. `gateways[n]` lists the gateway services (`s3`, `dynamodb`)
/// VPC `n` has endpoints for.
pub(crate) fn fill_rules(
    p: &SynthParams,
    rng: &mut Rng,
    plan: &mut SgPlan,
    vpcs: &[Vpc],
    subnets: &[Subnet],
    lists: &PrefixLists,
    gateways: &[Vec<&'static str>],
) {
    for (n, services) in gateways.iter().enumerate().take(vpcs.len()) {
        let mut ctx = RuleCtx::new(p, plan, n, vpcs, subnets, lists, services);
        let members: Vec<usize> = (0..plan.sgs.len())
            .filter(|&i| plan.sgs[i].vpc == n)
            .collect();
        // Endpoint groups last: those that admit by reference need the workload groups' rules.
        let (endpoints, others): (Vec<usize>, Vec<usize>) = members
            .into_iter()
            .partition(|&i| plan.sgs[i].kind == SgKind::Endpoint);
        for i in others.into_iter().chain(endpoints) {
            let sg = &plan.sgs[i];
            let (ingress, egress) = match sg.kind {
                SgKind::Default => sg_rules::default_rules(&sg.id),
                SgKind::Workload => sg_rules::workload_rules(p, rng, &ctx, &sg.id),
                SgKind::Endpoint => sg_rules::endpoint_rules(p, rng, &ctx),
            };
            if sg.kind == SgKind::Workload && sg_rules::names_endpoint_sgs(&ctx, &egress) {
                ctx.referencing_sgs.push(sg.id.clone());
            }
            plan.sgs[i].ingress = ingress;
            plan.sgs[i].egress = egress;
        }
    }
}

/// The groups as `describe-security-groups` documents of at most `per_file` groups each.
pub(crate) fn documents(plan: &SgPlan, vpcs: &[Vpc], files: usize) -> Vec<Value> {
    let all: Vec<Value> = plan
        .sgs
        .iter()
        .map(|sg| sg_json(sg, &vpcs[sg.vpc]))
        .collect();
    crate::output::split(all, files)
        .into_iter()
        .map(|part| json!({ "SecurityGroups": part }))
        .collect()
}

fn sg_json(sg: &Sg, vpc: &Vpc) -> Value {
    let description = match sg.kind {
        SgKind::Default => "default VPC security group".to_string(),
        SgKind::Workload => format!("{} workload", sg.name),
        SgKind::Endpoint => format!("VPC endpoints of {}", vpc.name),
    };
    let mut v = json!({
        "Description": description,
        "GroupId": sg.id,
        "GroupName": sg.name,
        "IpPermissions": sg.ingress,
        "IpPermissionsEgress": sg.egress,
        "OwnerId": OWNER,
        "VpcId": vpc.id,
    });
    if sg.kind != SgKind::Default {
        v["Tags"] = name_tag(&sg.name);
    }
    v
}
