//! VPC endpoints (`describe-vpc-endpoints`): interface endpoints for real AWS services, each
//! with one ENI per AZ, and S3/DynamoDB gateway endpoints.

use crate::aws::{OWNER, REGION};
use crate::eni::{new_eni, Eni, EniKind};
use crate::ids::IdGen;
use crate::rng::Rng;
use crate::security_group::SgPlan;
use crate::subnet::{self, Subnet};
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};

/// Services that interface endpoints are created for, most popular first.
pub(crate) const SERVICES: [&str; 30] = [
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "logs",
    "sts",
    "kms",
    "secretsmanager",
    "monitoring",
    "sqs",
    "sns",
    "events",
    "ec2",
    "elasticloadbalancing",
    "autoscaling",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
    "lambda",
    "states",
    "execute-api",
    "kinesis-streams",
    "elasticfilesystem",
    "rds",
    "glue",
    "athena",
    "xray",
    "cloudformation",
    "application-autoscaling",
];

const DEFAULT_POLICY: &str =
    "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

/// One planned interface endpoint.
#[derive(Debug)]
pub(crate) struct InterfaceEndpoint {
    pub id: String,
    pub vpc: usize,
    pub service: &'static str,
    pub sgs: Vec<usize>,
    /// Its ENIs, as indices into the ENI list (one per AZ).
    pub enis: Vec<usize>,
    pub private_dns: bool,
    dns_tag: String,
    created: String,
}

/// One planned gateway endpoint.
#[derive(Debug)]
pub(crate) struct GatewayEndpoint {
    pub id: String,
    pub vpc: usize,
    /// `s3` or `dynamodb`.
    pub service: &'static str,
    /// The route tables holding its prefix-list route.
    pub route_tables: Vec<String>,
    created: String,
    policy: String,
}

/// Plans the interface endpoints round-robin over the VPCs, with their ENIs. A VPC with
/// more endpoints than known services repeats services with private DNS off (AWS allows only
/// one private-DNS endpoint per service and VPC); misconfigured ones have it off too.
pub(crate) fn plan_interface(
    p: &SynthParams,
    rng: &mut Rng,
    ids: &mut IdGen,
    subnets: &mut [Subnet],
    sgs: &SgPlan,
    enis: &mut Vec<Eni>,
) -> Vec<InterfaceEndpoint> {
    (0..p.interface_endpoints)
        .map(|i| {
            let (vpc, k) = (i % p.vpcs, i / p.vpcs);
            let id = ids.next("vpce");
            let mut ep = InterfaceEndpoint {
                service: SERVICES[k % SERVICES.len()],
                sgs: endpoint_sgs(rng, sgs, vpc, k),
                enis: Vec::new(),
                private_dns: k < SERVICES.len() && !rng.percent(p.misconfig_percent),
                dns_tag: rng.hex(8),
                created: rng.timestamp(),
                id,
                vpc,
            };
            add_enis(p, rng, ids, subnets, enis, &mut ep);
            ep
        })
        .collect()
}

fn endpoint_sgs(rng: &mut Rng, sgs: &SgPlan, vpc: usize, k: usize) -> Vec<usize> {
    let mine = &sgs.by_vpc[vpc].endpoint;
    let mut out = vec![mine[k % mine.len()]];
    if rng.percent(20) {
        out.push(*rng.pick(mine));
    }
    out.dedup();
    out
}

/// One ENI per AZ, in a private subnet where there is one.
fn add_enis(
    p: &SynthParams,
    rng: &mut Rng,
    ids: &mut IdGen,
    subnets: &mut [Subnet],
    enis: &mut Vec<Eni>,
    ep: &mut InterfaceEndpoint,
) {
    for az in 0..3 {
        let at =
            subnet::pick_with_room(p, rng, subnets, ep.vpc, Some(az)).expect("validated capacity");
        let mut eni = new_eni(rng, ids, subnets, at, EniKind::Endpoint(ep.id.clone()));
        eni.sgs = ep.sgs.clone();
        ep.enis.push(enis.len());
        enis.push(eni);
    }
}

/// Plans the gateway endpoints: pairs (S3, DynamoDB) per VPC, VPC 0 first.
pub(crate) fn plan_gateway(
    p: &SynthParams,
    rng: &mut Rng,
    ids: &mut IdGen,
) -> Vec<GatewayEndpoint> {
    (0..p.gateway_endpoints)
        .map(|g| GatewayEndpoint {
            id: ids.next("vpce"),
            vpc: g / 2,
            service: ["s3", "dynamodb"][g % 2],
            route_tables: Vec::new(),
            created: rng.timestamp(),
            policy: gateway_policy(rng, g % 2 == 0),
        })
        .collect()
}

/// The default policy, or for some S3 endpoints a policy limited to the account's buckets.
fn gateway_policy(rng: &mut Rng, s3: bool) -> String {
    if s3 && rng.percent(30) {
        let bucket = format!("corp-data-{}", rng.hex(6));
        format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\"]}}]}}")
    } else {
        DEFAULT_POLICY.to_string()
    }
}

/// The public hostname of a service (`ecr.api` is `api.ecr.<region>.amazonaws.com`).
fn hostname(service: &str) -> String {
    match service.split_once('.') {
        Some(("ecr", b)) => format!("{b}.ecr.{REGION}.amazonaws.com"),
        _ => format!("{service}.{REGION}.amazonaws.com"),
    }
}

/// The `describe-vpc-endpoints` document.
pub(crate) fn document(
    ifaces: &[InterfaceEndpoint],
    gateways: &[GatewayEndpoint],
    enis: &[Eni],
    subnets: &[Subnet],
    vpcs: &[Vpc],
    sgs: &SgPlan,
) -> Value {
    let mut all: Vec<Value> = ifaces
        .iter()
        .map(|e| interface_json(e, enis, subnets, vpcs, sgs))
        .collect();
    all.extend(gateways.iter().map(|g| gateway_json(g, vpcs)));
    json!({ "VpcEndpoints": all })
}

fn interface_json(
    e: &InterfaceEndpoint,
    enis: &[Eni],
    subnets: &[Subnet],
    vpcs: &[Vpc],
    sgs: &SgPlan,
) -> Value {
    let groups: Vec<Value> = e
        .sgs
        .iter()
        .map(|&g| json!({"GroupId": sgs.sgs[g].id, "GroupName": sgs.sgs[g].name}))
        .collect();
    let subnet_ids: Vec<&str> = e
        .enis
        .iter()
        .map(|&i| subnets[enis[i].subnet].id.as_str())
        .collect();
    let eni_ids: Vec<&str> = e.enis.iter().map(|&i| enis[i].id.as_str()).collect();
    json!({
        "CreationTimestamp": e.created,
        "DnsEntries": dns_entries(e),
        "DnsOptions": {"DnsRecordIpType": "ipv4"},
        "Groups": groups,
        "IpAddressType": "ipv4",
        "NetworkInterfaceIds": eni_ids,
        "OwnerId": OWNER,
        "PolicyDocument": DEFAULT_POLICY,
        "PrivateDnsEnabled": e.private_dns,
        "RequesterManaged": false,
        "RouteTableIds": [],
        "ServiceName": format!("com.amazonaws.{REGION}.{}", e.service),
        "State": "available",
        "SubnetIds": subnet_ids,
        "Tags": [],
        "VpcEndpointId": e.id,
        "VpcEndpointType": "Interface",
        "VpcId": vpcs[e.vpc].id,
    })
}

/// Regional and zonal vpce names, then the service's own name when private DNS is on.
fn dns_entries(e: &InterfaceEndpoint) -> Vec<Value> {
    let host = hostname(e.service);
    let svc = host
        .trim_end_matches(".amazonaws.com")
        .trim_end_matches(&format!(".{REGION}"));
    let base = format!("{}-{}", e.id, e.dns_tag);
    let mut names = vec![format!("{base}.{svc}.{REGION}.vpce.amazonaws.com")];
    names.extend(
        crate::aws::AZS
            .iter()
            .map(|az| format!("{base}-{az}.{svc}.{REGION}.vpce.amazonaws.com")),
    );
    let mut out: Vec<Value> = names
        .into_iter()
        .map(|n| json!({"DnsName": n, "HostedZoneId": "Z7HUB22UULQXV"}))
        .collect();
    if e.private_dns {
        out.push(json!({"DnsName": host, "HostedZoneId": "Z0PRIVATEZONE01"}));
    }
    out
}

fn gateway_json(g: &GatewayEndpoint, vpcs: &[Vpc]) -> Value {
    json!({
        "CreationTimestamp": g.created,
        "DnsEntries": [],
        "Groups": [],
        "NetworkInterfaceIds": [],
        "OwnerId": OWNER,
        "PolicyDocument": g.policy,
        "PrivateDnsEnabled": false,
        "RequesterManaged": false,
        "RouteTableIds": g.route_tables,
        "ServiceName": format!("com.amazonaws.{REGION}.{}", g.service),
        "State": "available",
        "SubnetIds": [],
        "Tags": [],
        "VpcEndpointId": g.id,
        "VpcEndpointType": "Gateway",
        "VpcId": vpcs[g.vpc].id,
    })
}
