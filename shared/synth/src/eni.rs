//! Network interfaces (`describe-network-interfaces`): workload ENIs (EC2, Lambda,
//! requester-managed RDS) and the requester-managed ENIs of interface endpoints.

use crate::aws::{tags, AZS, OWNER};
use crate::ids::IdGen;
use crate::ip::{fmt_ip, private_dns};
use crate::rng::Rng;
use crate::security_group::SgPlan;
use crate::subnet::{self, Subnet};
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};

/// What an ENI belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EniKind {
    /// An EC2 instance's interface (`InterfaceType: interface`).
    Instance,
    /// A Lambda hyperplane ENI (`InterfaceType: lambda`, requester-managed).
    Lambda,
    /// An RDS node's ENI (`interface`, requester-managed by `amazon-rds`).
    Rds,
    /// An interface endpoint's ENI (`vpc_endpoint`), with the endpoint id.
    Endpoint(String),
}

/// One planned ENI.
#[derive(Debug)]
pub(crate) struct Eni {
    pub id: String,
    pub subnet: usize,
    pub kind: EniKind,
    /// Private IPs, the primary first.
    pub ips: Vec<u32>,
    /// Security groups, as indices into the group plan.
    pub sgs: Vec<usize>,
    public_ip: Option<u32>,
    mac: String,
    attachment: String,
    owner_ref: String,
    app: Option<&'static str>,
    attach_time: String,
}

const APPS: [&str; 6] = [
    "checkout",
    "catalog",
    "search",
    "billing",
    "ml",
    "reporting",
];

/// A new ENI in `subnet`, with its primary address allocated there.
pub(crate) fn new_eni(
    rng: &mut Rng,
    ids: &mut IdGen,
    subnets: &mut [Subnet],
    subnet: usize,
    kind: EniKind,
) -> Eni {
    let ip = subnets[subnet].allocate().expect("subnet picked with room");
    let (attachment, owner_ref) = match &kind {
        EniKind::Instance => (ids.next("eni-attach"), ids.next("i")),
        EniKind::Lambda => (
            format!("ela-attach-{}", rng.hex(8)),
            format!("fn-{}", rng.hex(6)),
        ),
        EniKind::Rds => (ids.next("eni-attach"), format!("db-{}", rng.hex(8))),
        EniKind::Endpoint(vpce) => (format!("ela-attach-{}", rng.hex(8)), vpce.clone()),
    };
    let mac = format!(
        "0e:{}:{}:{}:{}:{}",
        rng.hex(2),
        rng.hex(2),
        rng.hex(2),
        rng.hex(2),
        rng.hex(2)
    );
    Eni {
        id: ids.next("eni"),
        subnet,
        kind,
        ips: vec![ip],
        sgs: Vec::new(),
        public_ip: None,
        mac,
        attachment,
        owner_ref,
        app: None,
        attach_time: rng.timestamp(),
    }
}

/// Plans the workload ENIs, dealt round-robin over the VPCs into random subnets.
pub(crate) fn plan_workloads(
    p: &SynthParams,
    rng: &mut Rng,
    ids: &mut IdGen,
    subnets: &mut [Subnet],
    sgs: &SgPlan,
    enis: &mut Vec<Eni>,
) {
    for i in 0..p.workload_enis {
        let (vpc, k) = (i % p.vpcs, i / p.vpcs);
        let at = subnet::pick_with_room(p, rng, subnets, vpc, None).expect("validated capacity");
        let kind = match rng.below(100) {
            0..=84 => EniKind::Instance,
            85..=94 => EniKind::Lambda,
            _ => EniKind::Rds,
        };
        let mut eni = new_eni(rng, ids, subnets, at, kind);
        eni.sgs = workload_sgs(rng, sgs, vpc, k);
        decorate(rng, &mut eni, &mut subnets[at]);
        enis.push(eni);
    }
}

/// A primary group that cycles through the VPC's workload groups, sometimes a second one
/// and sometimes the default group.
fn workload_sgs(rng: &mut Rng, sgs: &SgPlan, vpc: usize, k: usize) -> Vec<usize> {
    let mine = &sgs.by_vpc[vpc];
    let mut out = vec![mine.workload[k % mine.workload.len()]];
    if rng.percent(30) {
        out.push(*rng.pick(&mine.workload));
    }
    if rng.percent(10) {
        out.push(mine.default);
    }
    out.dedup();
    out
}

/// Secondary IPs, public IPs and tags on some EC2 ENIs.
fn decorate(rng: &mut Rng, eni: &mut Eni, subnet: &mut Subnet) {
    if eni.kind != EniKind::Instance {
        return;
    }
    if rng.percent(5) {
        for _ in 0..rng.range(1, 2) {
            eni.ips.extend(subnet.allocate());
        }
    }
    if subnet.public {
        eni.public_ip = Some(u32::from_be_bytes([
            3,
            rng.range(80, 95) as u8,
            rng.below(256) as u8,
            rng.range(1, 254) as u8,
        ]));
    }
    if rng.percent(30) {
        eni.app = Some(*rng.pick(&APPS));
    }
}

/// The ENIs as `describe-network-interfaces` documents, split over `files` files.
pub(crate) fn documents(
    enis: &[Eni],
    subnets: &[Subnet],
    vpcs: &[Vpc],
    sgs: &SgPlan,
    files: usize,
) -> Vec<Value> {
    let all: Vec<Value> = enis
        .iter()
        .map(|e| eni_json(e, subnets, vpcs, sgs))
        .collect();
    crate::output::split(all, files)
        .into_iter()
        .map(|part| json!({ "NetworkInterfaces": part }))
        .collect()
}

fn eni_json(e: &Eni, subnets: &[Subnet], vpcs: &[Vpc], sgs: &SgPlan) -> Value {
    let subnet = &subnets[e.subnet];
    let groups: Vec<Value> = e
        .sgs
        .iter()
        .map(|&g| json!({"GroupId": sgs.sgs[g].id, "GroupName": sgs.sgs[g].name}))
        .collect();
    let ips: Vec<Value> = e
        .ips
        .iter()
        .enumerate()
        .map(|(i, &ip)| private_ip_json(e, i == 0, ip))
        .collect();
    let mut v = json!({
        "AvailabilityZone": AZS[subnet.az],
        "Groups": groups,
        "Ipv6Addresses": [],
        "MacAddress": e.mac,
        "NetworkInterfaceId": e.id,
        "OwnerId": OWNER,
        "PrivateDnsName": private_dns(e.ips[0]),
        "PrivateIpAddress": fmt_ip(e.ips[0]),
        "PrivateIpAddresses": ips,
        "SourceDestCheck": true,
        "Status": "in-use",
        "SubnetId": subnet.id,
        "TagSet": e.app.map_or_else(|| json!([]), |a| tags(&[("app", a)])),
        "VpcId": vpcs[subnet.vpc].id,
    });
    kind_fields(e, &mut v);
    if let Some(ip) = e.public_ip {
        v["Association"] = public_json(ip);
    }
    v
}

fn private_ip_json(e: &Eni, primary: bool, ip: u32) -> Value {
    let mut v = json!({"Primary": primary, "PrivateDnsName": private_dns(ip), "PrivateIpAddress": fmt_ip(ip)});
    if let (true, Some(public)) = (primary, e.public_ip) {
        v["Association"] = public_json(public);
    }
    v
}

fn public_json(ip: u32) -> Value {
    let dns = format!(
        "ec2-{}.compute-1.amazonaws.com",
        fmt_ip(ip).replace('.', "-")
    );
    json!({"IpOwnerId": "amazon", "PublicDnsName": dns, "PublicIp": fmt_ip(ip)})
}

/// `InterfaceType`, `RequesterManaged`, `Description` and `Attachment` by kind.
fn kind_fields(e: &Eni, v: &mut Value) {
    let (itype, requester, description, attachment) = match &e.kind {
        EniKind::Instance => ("interface", None, String::new(), instance_attachment(e)),
        EniKind::Lambda => (
            "lambda",
            Some("AROAXXLAMBDAEXAMPLE:".to_string() + &e.owner_ref),
            format!("AWS Lambda VPC ENI-{}", e.owner_ref),
            managed_attachment(e, "amazon-aws"),
        ),
        EniKind::Rds => (
            "interface",
            Some("amazon-rds".into()),
            "RDSNetworkInterface".into(),
            managed_attachment(e, "amazon-rds"),
        ),
        EniKind::Endpoint(vpce) => (
            "vpc_endpoint",
            Some("727180483921".into()),
            format!("VPC Endpoint Interface {vpce}"),
            managed_attachment(e, "amazon-aws"),
        ),
    };
    v["InterfaceType"] = json!(itype);
    v["Description"] = json!(description);
    v["Attachment"] = attachment;
    v["RequesterManaged"] = json!(requester.is_some());
    if let Some(r) = requester {
        v["RequesterId"] = json!(r);
    }
}

fn instance_attachment(e: &Eni) -> Value {
    json!({"AttachTime": e.attach_time, "AttachmentId": e.attachment, "DeleteOnTermination": true,
        "DeviceIndex": 0, "InstanceId": e.owner_ref, "InstanceOwnerId": OWNER, "NetworkCardIndex": 0,
        "Status": "attached"})
}

fn managed_attachment(e: &Eni, owner: &str) -> Value {
    json!({"AttachmentId": e.attachment, "DeleteOnTermination": false, "DeviceIndex": 1,
        "InstanceOwnerId": owner, "Status": "attached"})
}
