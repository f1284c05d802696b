//! The organisation preset (issue 14, "Scale"): one hub VPC holding the interface endpoints,
//! in a network account, and spoke VPCs reaching them over one transit gateway (TGW).
//!
//! The documents are the AWS CLI's shapes the model loads (docs/snapshot-format.md, "Transit
//! gateways and peering"): the hub's and the TGW's outputs under `<network account>/`, the
//! spokes' at the top, as a directory with a subdirectory per account. Realistic choices:
//! endpoint groups admitting `tcp/443` from the organisation's supernet `10.0.0.0/8` or from
//! each spoke's CIDR, spoke groups allowing `tcp/443` to the supernet, the hub CIDR or
//! anywhere, a TGW attachment subnet per zone, two TGW route tables (spokes see the hub, the hub
//! sees every spoke, by propagation), spoke route tables sending `10.0.0.0/8` or the hub CIDR to
//! the TGW, and per-spoke return routes in the hub's endpoint subnets.
//!
//! Spokes differ in size: a tenth are small sandbox spokes, where the misconfigurations live (one
//! each, when [`OrgParams::misconfigured`]): a zone's route table without the TGW route, the
//! hub's return route forgotten, an attachment without a subnet in one zone, an endpoint group
//! not admitting the spoke, a subnet's ACL without the ephemeral return.

use crate::aws::{name_tag, tags, AZS, OWNER, REGION};
use crate::ids::IdGen;
use crate::ip::{fmt_ip, private_dns, Cidr};
use crate::rng::Rng;
use serde_json::{json, Value};

/// The account of the hub VPC and the TGW (the spokes are in [`OWNER`]'s).
pub const NETWORK_ACCOUNT: &str = "111111111111";

/// What the organisation preset generates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgParams {
    /// Spoke VPCs (`10.<n>.0.0/16`, 1..=99); the hub is `10.100.0.0/16`.
    pub spokes: usize,
    /// Workload ENIs over all spokes (none in the hub).
    pub workload_enis: usize,
    /// Interface endpoints of the hub, one ENI per zone (at most 250).
    pub interface_endpoints: usize,
    /// Workload security groups per spoke.
    pub groups_per_spoke: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// One misconfiguration per sandbox spoke (see the module documentation); without them
    /// every pair gets through.
    pub misconfigured: bool,
}

impl OrgParams {
    /// 50 spokes, 40,000 workload ENIs, 150 hub endpoints (issue 14's organisation).
    pub fn org() -> Self {
        OrgParams {
            spokes: 50,
            workload_enis: 40_000,
            interface_endpoints: 150,
            groups_per_spoke: 8,
            seed: 1,
            misconfigured: true,
        }
    }

    /// Checks the parameters can be honoured; the error names the parameter.
    pub fn validate(&self) -> Result<(), String> {
        let ok = |c: bool, m: &str| if c { Ok(()) } else { Err(m.to_string()) };
        ok((1..=99).contains(&self.spokes), "spokes must be 1..=99")?;
        ok(
            (1..=250).contains(&self.interface_endpoints),
            "interface_endpoints must be 1..=250",
        )?;
        ok(self.groups_per_spoke >= 1, "groups_per_spoke must be >= 1")?;
        let biggest = self.sizes().into_iter().max().unwrap_or(0);
        ok(
            biggest <= APP_SUBNETS * 251,
            "workload_enis: too many for a spoke's subnets",
        )
    }

    /// Workloads per spoke: sandbox spokes (every tenth, from the first) weigh 1, others 10.
    fn sizes(&self) -> Vec<usize> {
        let weight = |s: usize| if is_sandbox(s) { 1 } else { 10 };
        let units: usize = (0..self.spokes).map(weight).sum();
        let mut sizes: Vec<usize> = (0..self.spokes)
            .map(|s| self.workload_enis * weight(s) / units)
            .collect();
        let short = self.workload_enis - sizes.iter().sum::<usize>();
        if let Some(last) = sizes.last_mut() {
            *last += short;
        }
        sizes
    }
}

/// Application subnets per spoke (two per zone).
const APP_SUBNETS: usize = 6;
/// The hub's second octet.
const HUB: u8 = 100;
/// The organisation's supernet.
const SUPERNET: &str = "10.0.0.0/8";
/// Endpoint security groups in the hub.
const ENDPOINT_GROUPS: usize = 10;

/// Every tenth spoke, from the first, is a small sandbox spoke.
fn is_sandbox(spoke: usize) -> bool {
    spoke.is_multiple_of(10)
}

/// The misconfiguration of a sandbox spoke, by its rank among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Break {
    /// The app route table of zone c has no route to the TGW.
    NoTgwRoute,
    /// The hub's endpoint route table has no route back to the spoke.
    NoReturnRoute,
    /// The spoke's attachment has no subnet in zone c.
    AttachmentMissesZone,
    /// Endpoint group 1 lists every spoke's CIDR but this one's.
    NotAdmitted,
    /// The ACL of the first app subnet lacks the inbound ephemeral range.
    NoEphemeralReturn,
}

const BREAKS: [Break; 5] = [
    Break::NoTgwRoute,
    Break::NoReturnRoute,
    Break::AttachmentMissesZone,
    Break::NotAdmitted,
    Break::NoEphemeralReturn,
];

/// AWS services the hub serves (the rest are PrivateLink services of other accounts).
const SERVICES: [&str; 40] = [
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ec2",
    "logs",
    "monitoring",
    "kms",
    "secretsmanager",
    "sts",
    "ecr.api",
    "ecr.dkr",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
    "sqs",
    "sns",
    "events",
    "states",
    "lambda",
    "elasticloadbalancing",
    "autoscaling",
    "application-autoscaling",
    "cloudformation",
    "codebuild",
    "codecommit",
    "codepipeline",
    "config",
    "glue",
    "athena",
    "kinesis-streams",
    "kinesis-firehose",
    "execute-api",
    "servicecatalog",
    "sagemaker.api",
    "sagemaker.runtime",
    "elasticfilesystem",
    "backup",
    "ebs",
    "xray",
    "ssm-contacts",
];

/// Generates the organisation: `(relative file name, document)` pairs in a fixed order.
///
/// # Panics
/// When `p` fails [`OrgParams::validate`].
pub fn generate(p: &OrgParams) -> Vec<(String, Value)> {
    if let Err(e) = p.validate() {
        panic!("invalid OrgParams: {e}");
    }
    Org::build(p).documents()
}

/// One spoke VPC as planned.
struct Spoke {
    vpc: String,
    cidr: Cidr,
    size: usize,
    broken: Option<Break>,
    /// The app subnets (two per zone, zone = index % 3) and the attachment subnets (one per zone).
    app: Vec<String>,
    tgw_subnets: Vec<String>,
    groups: Vec<String>,
    attachment: String,
}

/// The whole organisation, planned.
struct Org {
    p: OrgParams,
    rng: Rng,
    ids: IdGen,
    tgw: String,
    rtb_spokes: String,
    rtb_hub: String,
    hub_vpc: String,
    hub_attachment: String,
    hub_ep_subnets: Vec<String>,
    hub_tgw_subnets: Vec<String>,
    endpoint_groups: Vec<String>,
    spokes: Vec<Spoke>,
}

impl Org {
    fn build(p: &OrgParams) -> Org {
        let mut ids = IdGen::new(p.seed ^ 0x0f9a);
        let rng = Rng::new(p.seed).fork("org");
        let mut next = |prefix: &str, n: usize| (0..n).map(|_| ids.next(prefix)).collect();
        let hub_ep_subnets: Vec<String> = next("subnet", 3);
        let hub_tgw_subnets: Vec<String> = next("subnet", 3);
        let endpoint_groups: Vec<String> = next("sg", ENDPOINT_GROUPS);
        let mut sandbox = 0;
        let mut spokes = Vec::new();
        for (s, size) in p.sizes().into_iter().enumerate() {
            let broken = (p.misconfigured && is_sandbox(s)).then(|| {
                sandbox += 1;
                BREAKS[(sandbox - 1) % BREAKS.len()]
            });
            spokes.push(Spoke {
                vpc: ids.next("vpc"),
                cidr: Cidr::new(10, s as u8, 0, 0, 16),
                size,
                broken,
                app: (0..APP_SUBNETS).map(|_| ids.next("subnet")).collect(),
                tgw_subnets: (0..3).map(|_| ids.next("subnet")).collect(),
                groups: (0..p.groups_per_spoke).map(|_| ids.next("sg")).collect(),
                attachment: ids.next("tgw-attach"),
            });
        }
        Org {
            p: p.clone(),
            rng,
            tgw: ids.next("tgw"),
            rtb_spokes: ids.next("tgw-rtb"),
            rtb_hub: ids.next("tgw-rtb"),
            hub_vpc: ids.next("vpc"),
            hub_attachment: ids.next("tgw-attach"),
            hub_ep_subnets,
            hub_tgw_subnets,
            endpoint_groups,
            spokes,
            ids,
        }
    }

    fn documents(mut self) -> Vec<(String, Value)> {
        let net = |name: &str| format!("{NETWORK_ACCOUNT}/{name}");
        let mut docs = vec![
            (net("Vpcs.json"), json!({"Vpcs": [self.hub_vpc_json()]})),
            (net("Subnets.json"), json!({"Subnets": self.hub_subnets()})),
            (
                net("RouteTables.json"),
                json!({"RouteTables": self.hub_route_tables()}),
            ),
            (
                net("NetworkAcls.json"),
                json!({"NetworkAcls": self.hub_acls()}),
            ),
            (
                net("SecurityGroups.json"),
                json!({"SecurityGroups": self.endpoint_group_docs()}),
            ),
        ];
        let (endpoints, enis) = self.endpoints();
        docs.push((
            net("NetworkInterfaces.json"),
            json!({"NetworkInterfaces": enis}),
        ));
        docs.push((net("VpcEndpoints.json"), json!({"VpcEndpoints": endpoints})));
        docs.extend(self.tgw_documents().into_iter().map(|(n, d)| (net(&n), d)));
        docs.push((
            "Vpcs.json".into(),
            json!({"Vpcs": self.spokes.iter().map(|s| vpc_json(&s.vpc, s.cidr, OWNER, "spoke")).collect::<Vec<_>>()}),
        ));
        docs.push((
            "Subnets.json".into(),
            json!({"Subnets": self.spoke_subnets()}),
        ));
        docs.push((
            "RouteTables.json".into(),
            json!({"RouteTables": self.spoke_route_tables()}),
        ));
        docs.push((
            "NetworkAcls.json".into(),
            json!({"NetworkAcls": self.spoke_acls()}),
        ));
        let groups = self.spoke_groups();
        docs.extend(parts("SecurityGroups", groups, 500));
        let enis = self.workload_enis();
        docs.extend(parts("NetworkInterfaces", enis, 2500));
        docs
    }

    fn hub_vpc_json(&self) -> Value {
        vpc_json(
            &self.hub_vpc,
            Cidr::new(10, HUB, 0, 0, 16),
            NETWORK_ACCOUNT,
            "shared-services",
        )
    }

    fn hub_subnets(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for (z, id) in self.hub_ep_subnets.iter().enumerate() {
            let cidr = Cidr::new(10, HUB, 1 + z as u8, 0, 24);
            out.push(subnet_json(id, &self.hub_vpc, cidr, z, NETWORK_ACCOUNT));
        }
        for (z, id) in self.hub_tgw_subnets.iter().enumerate() {
            let cidr = Cidr::new(10, HUB, 0, 16 * z as u8, 28);
            out.push(subnet_json(id, &self.hub_vpc, cidr, z, NETWORK_ACCOUNT));
        }
        out
    }

    /// The main table (local only) and the endpoint subnets' table, with a return route per
    /// spoke but the one whose return route was forgotten.
    fn hub_route_tables(&mut self) -> Vec<Value> {
        let hub = Cidr::new(10, HUB, 0, 0, 16);
        let mut routes = vec![local(hub)];
        for s in self
            .spokes
            .iter()
            .filter(|s| s.broken != Some(Break::NoReturnRoute))
        {
            routes.push(route(s.cidr.to_string(), "TransitGatewayId", &self.tgw));
        }
        let main = self.ids.next("rtb");
        let eps = self.ids.next("rtb");
        let tgw = self.ids.next("rtb");
        vec![
            table_json(
                &main,
                &self.hub_vpc,
                true,
                &[],
                vec![local(hub)],
                &mut self.ids,
            ),
            table_json(
                &eps,
                &self.hub_vpc,
                false,
                &self.hub_ep_subnets,
                routes,
                &mut self.ids,
            ),
            table_json(
                &tgw,
                &self.hub_vpc,
                false,
                &self.hub_tgw_subnets,
                vec![local(hub)],
                &mut self.ids,
            ),
        ]
    }

    /// The default ACL (the TGW subnets) and the endpoint subnets' ACL: HTTPS in from the
    /// organisation, replies out to it, administration from the hub itself.
    fn hub_acls(&mut self) -> Vec<Value> {
        let hub = Cidr::new(10, HUB, 0, 0, 16).to_string();
        let entries = vec![
            acl_entry(false, 100, "6", SUPERNET, true, Some((443, 443))),
            acl_entry(false, 110, "6", &hub, true, Some((1024, 65535))),
            acl_entry(false, 120, "6", "0.0.0.0/0", false, Some((22, 22))),
            acl_entry(true, 100, "6", SUPERNET, true, Some((1024, 65535))),
            acl_entry(true, 110, "6", "0.0.0.0/0", true, Some((443, 443))),
            acl_entry(false, 32767, "-1", "0.0.0.0/0", false, None),
            acl_entry(true, 32767, "-1", "0.0.0.0/0", false, None),
        ];
        let default = self.ids.next("acl");
        let custom = self.ids.next("acl");
        vec![
            default_acl(
                &default,
                &self.hub_vpc,
                &self.hub_tgw_subnets,
                NETWORK_ACCOUNT,
                &mut self.ids,
            ),
            acl_json(
                &custom,
                &self.hub_vpc,
                false,
                &self.hub_ep_subnets,
                entries,
                NETWORK_ACCOUNT,
                &mut self.ids,
            ),
        ]
    }

    /// Even groups admit the supernet; odd ones each spoke's CIDR (group 1 forgets the spoke
    /// that is not admitted).
    fn endpoint_group_docs(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        for (k, id) in self.endpoint_groups.iter().enumerate() {
            let ranges: Vec<Value> = if k % 2 == 0 {
                vec![json!({"CidrIp": SUPERNET, "Description": "organisation"})]
            } else {
                self.spokes
                    .iter()
                    .filter(|s| !(k == 1 && s.broken == Some(Break::NotAdmitted)))
                    .map(|s| json!({"CidrIp": s.cidr.to_string()}))
                    .collect()
            };
            let ingress = vec![json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": ranges, "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []})];
            out.push(group_json(
                id,
                &format!("vpce-{k}"),
                &self.hub_vpc,
                NETWORK_ACCOUNT,
                ingress,
                all_egress(),
            ));
        }
        out
    }

    /// The hub's interface endpoints, one ENI per zone, and those ENIs.
    fn endpoints(&mut self) -> (Vec<Value>, Vec<Value>) {
        let (mut endpoints, mut enis) = (Vec::new(), Vec::new());
        for e in 0..self.p.interface_endpoints {
            let id = self.ids.next("vpce");
            let group = &self.endpoint_groups[e % ENDPOINT_GROUPS];
            let (service, private_dns) = match SERVICES.get(e) {
                Some(s) => (format!("com.amazonaws.{REGION}.{s}"), true),
                None => (
                    format!("com.amazonaws.vpce.{REGION}.vpce-svc-0{}", self.rng.hex(16)),
                    false,
                ),
            };
            let mut eni_ids = Vec::new();
            for (z, subnet) in self.hub_ep_subnets.iter().enumerate() {
                let eni = self.ids.next("eni");
                let ip = Cidr::new(10, HUB, 1 + z as u8, 0, 24).host(4 + e as u32);
                enis.push(endpoint_eni_json(
                    &eni,
                    &id,
                    subnet,
                    &self.hub_vpc,
                    z,
                    ip,
                    group,
                    &mut self.ids,
                    &mut self.rng,
                ));
                eni_ids.push(eni);
            }
            endpoints.push(json!({
                "CreationTimestamp": self.rng.timestamp(),
                "DnsEntries": [{"DnsName": format!("{id}-{}.{}.{REGION}.vpce.amazonaws.com", self.rng.hex(8), service.rsplit('.').next().unwrap_or("svc")), "HostedZoneId": "Z7HUB22UULQXV"}],
                "DnsOptions": {"DnsRecordIpType": "ipv4"},
                "Groups": [{"GroupId": group, "GroupName": format!("vpce-{}", e % ENDPOINT_GROUPS)}],
                "IpAddressType": "ipv4",
                "NetworkInterfaceIds": eni_ids,
                "OwnerId": NETWORK_ACCOUNT,
                "PrivateDnsEnabled": private_dns,
                "RequesterManaged": false,
                "RouteTableIds": [],
                "ServiceName": service,
                "State": "available",
                "SubnetIds": self.hub_ep_subnets,
                "Tags": [],
                "VpcEndpointId": id,
                "VpcEndpointType": "Interface",
                "VpcId": self.hub_vpc,
            }));
        }
        (endpoints, enis)
    }

    /// The TGW, its attachments (both outputs), route tables, static routes and propagations.
    fn tgw_documents(&mut self) -> Vec<(String, Value)> {
        let tgw = &self.tgw;
        let gateway = json!({"TransitGatewayId": tgw, "TransitGatewayArn": format!("arn:aws:ec2:{REGION}:{NETWORK_ACCOUNT}:transit-gateway/{tgw}"),
            "OwnerId": NETWORK_ACCOUNT, "State": "available", "Description": "organisation",
            "Options": {"AmazonSideAsn": 64512, "AutoAcceptSharedAttachments": "disable",
                "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable",
                "DnsSupport": "enable", "SecurityGroupReferencingSupport": "disable", "VpnEcmpSupport": "enable"}});
        let mut vpc_attachments = vec![vpc_attachment_json(
            &self.hub_attachment,
            tgw,
            &self.hub_vpc,
            NETWORK_ACCOUNT,
            &self.hub_tgw_subnets,
        )];
        let mut attachments = vec![attachment_json(
            &self.hub_attachment,
            tgw,
            &self.hub_vpc,
            NETWORK_ACCOUNT,
            &self.rtb_hub,
        )];
        let mut propagations = Vec::new();
        for s in &self.spokes {
            let subnets = if s.broken == Some(Break::AttachmentMissesZone) {
                &s.tgw_subnets[..2]
            } else {
                &s.tgw_subnets[..]
            };
            vpc_attachments.push(vpc_attachment_json(
                &s.attachment,
                tgw,
                &s.vpc,
                OWNER,
                subnets,
            ));
            attachments.push(attachment_json(
                &s.attachment,
                tgw,
                &s.vpc,
                OWNER,
                &self.rtb_spokes,
            ));
            propagations.push(propagation(&s.attachment, &s.vpc));
        }
        let rtb = |id: &str, name: &str| {
            json!({"TransitGatewayRouteTableId": id, "TransitGatewayId": tgw,
            "State": "available", "DefaultAssociationRouteTable": false, "DefaultPropagationRouteTable": false,
            "Tags": name_tag(name)})
        };
        // Spokes must not reach the internet through the TGW: a blackhole for the rest.
        let blackhole =
            json!({"DestinationCidrBlock": "0.0.0.0/0", "State": "blackhole", "Type": "static"});
        vec![
            (
                "TransitGateways.json".into(),
                json!({"TransitGateways": [gateway]}),
            ),
            (
                "TransitGatewayVpcAttachments.json".into(),
                json!({"TransitGatewayVpcAttachments": vpc_attachments}),
            ),
            (
                "TransitGatewayAttachments.json".into(),
                json!({"TransitGatewayAttachments": attachments}),
            ),
            (
                "TransitGatewayRouteTables.json".into(),
                json!({"TransitGatewayRouteTables": [rtb(&self.rtb_spokes, "spokes"), rtb(&self.rtb_hub, "hub")]}),
            ),
            (
                "TransitGatewayStaticRoutes.json".into(),
                json!({"TransitGatewayStaticRoutes": [
                {"TransitGatewayRouteTableId": self.rtb_spokes, "Routes": [blackhole]},
                {"TransitGatewayRouteTableId": self.rtb_hub, "Routes": []}]}),
            ),
            (
                "TransitGatewayPropagations.json".into(),
                json!({"TransitGatewayPropagations": [
                {"TransitGatewayRouteTableId": self.rtb_spokes, "TransitGatewayRouteTablePropagations": [propagation(&self.hub_attachment, &self.hub_vpc)]},
                {"TransitGatewayRouteTableId": self.rtb_hub, "TransitGatewayRouteTablePropagations": propagations}]}),
            ),
        ]
    }

    fn spoke_subnets(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for s in &self.spokes {
            let (a, b) = octets(s.cidr);
            for (i, id) in s.app.iter().enumerate() {
                let cidr = Cidr::new(a, b, 10 + i as u8, 0, 24);
                out.push(subnet_json(id, &s.vpc, cidr, i % 3, OWNER));
            }
            for (z, id) in s.tgw_subnets.iter().enumerate() {
                let cidr = Cidr::new(a, b, 255, 16 * z as u8, 28);
                out.push(subnet_json(id, &s.vpc, cidr, z, OWNER));
            }
        }
        out
    }

    /// Per spoke: the main table, one app table per zone (the supernet or the hub CIDR to the
    /// TGW, the rest to a NAT gateway) and the attachment subnets' table.
    fn spoke_route_tables(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        let hub = Cidr::new(10, HUB, 0, 0, 16).to_string();
        for s in &self.spokes {
            let to_tgw = if self.rng.percent(50) {
                SUPERNET.to_string()
            } else {
                hub.clone()
            };
            let nat = format!("nat-0{}", self.rng.hex(16));
            let main = self.ids.next("rtb");
            out.push(table_json(
                &main,
                &s.vpc,
                true,
                &[],
                vec![local(s.cidr)],
                &mut self.ids,
            ));
            for z in 0..3 {
                let subnets: Vec<String> = s.app.iter().skip(z).step_by(3).cloned().collect();
                let mut routes = vec![
                    local(s.cidr),
                    route("0.0.0.0/0".into(), "NatGatewayId", &nat),
                ];
                if !(z == 2 && s.broken == Some(Break::NoTgwRoute)) {
                    routes.push(route(to_tgw.clone(), "TransitGatewayId", &self.tgw));
                }
                let id = self.ids.next("rtb");
                out.push(table_json(
                    &id,
                    &s.vpc,
                    false,
                    &subnets,
                    routes,
                    &mut self.ids,
                ));
            }
            let id = self.ids.next("rtb");
            out.push(table_json(
                &id,
                &s.vpc,
                false,
                &s.tgw_subnets,
                vec![local(s.cidr)],
                &mut self.ids,
            ));
        }
        out
    }

    /// Per spoke: the default ACL (the attachment subnets) and the app subnets' ACL; a broken
    /// spoke's first app subnet has its own ACL admitting replies from the spoke only.
    fn spoke_acls(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        for s in &self.spokes {
            let vpc = s.cidr.to_string();
            let entries = |ephemeral_from: &str| {
                vec![
                    acl_entry(false, 100, "6", &vpc, true, Some((8080, 8080))),
                    acl_entry(false, 110, "6", &vpc, true, Some((22, 22))),
                    acl_entry(false, 120, "6", ephemeral_from, true, Some((1024, 65535))),
                    acl_entry(false, 130, "6", "0.0.0.0/0", false, Some((3389, 3389))),
                    acl_entry(true, 100, "6", "0.0.0.0/0", true, Some((443, 443))),
                    acl_entry(true, 110, "6", "0.0.0.0/0", true, Some((80, 80))),
                    acl_entry(true, 120, "6", &vpc, true, Some((1024, 65535))),
                    acl_entry(true, 130, "6", &vpc, true, Some((5432, 5432))),
                    acl_entry(false, 32767, "-1", "0.0.0.0/0", false, None),
                    acl_entry(true, 32767, "-1", "0.0.0.0/0", false, None),
                ]
            };
            let default = self.ids.next("acl");
            out.push(default_acl(
                &default,
                &s.vpc,
                &s.tgw_subnets,
                OWNER,
                &mut self.ids,
            ));
            let narrow = s.broken == Some(Break::NoEphemeralReturn);
            let app = if narrow { &s.app[1..] } else { &s.app[..] };
            let id = self.ids.next("acl");
            out.push(acl_json(
                &id,
                &s.vpc,
                false,
                app,
                entries("0.0.0.0/0"),
                OWNER,
                &mut self.ids,
            ));
            if narrow {
                let id = self.ids.next("acl");
                out.push(acl_json(
                    &id,
                    &s.vpc,
                    false,
                    &s.app[..1],
                    entries(&vpc),
                    OWNER,
                    &mut self.ids,
                ));
            }
        }
        out
    }

    /// Per spoke, its workload groups: HTTPS out to the supernet, the hub or anywhere, a
    /// database port inside the spoke, and application ports in from the spoke and from the
    /// first group.
    fn spoke_groups(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        let hub = Cidr::new(10, HUB, 0, 0, 16).to_string();
        for s in &self.spokes {
            let vpc = s.cidr.to_string();
            for (k, id) in s.groups.iter().enumerate() {
                let https_to = match self.rng.below(4) {
                    0 => hub.clone(),
                    1 => "0.0.0.0/0".to_string(),
                    _ => SUPERNET.to_string(),
                };
                let mut egress = vec![tcp(443, 443, &https_to), tcp(5432, 5432, &vpc)];
                if self.rng.percent(30) {
                    egress.push(tcp(80, 80, "0.0.0.0/0"));
                }
                let mut ingress = vec![tcp(8080, 8080, &vpc)];
                if k > 0 {
                    ingress.push(json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [],
                        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": [{"GroupId": s.groups[0], "UserId": OWNER}]}));
                }
                out.push(group_json(
                    id,
                    &format!("app-{k}"),
                    &s.vpc,
                    OWNER,
                    ingress,
                    egress,
                ));
            }
        }
        out
    }

    /// The spokes' workload ENIs, dealt over the app subnets, with one or two of the spoke's
    /// groups.
    fn workload_enis(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        for s in &self.spokes {
            let (a, b) = octets(s.cidr);
            for n in 0..s.size {
                let i = n % APP_SUBNETS;
                let ip = Cidr::new(a, b, 10 + i as u8, 0, 24).host(4 + (n / APP_SUBNETS) as u32);
                let mut groups = vec![&s.groups[self.rng.below(s.groups.len())]];
                if self.rng.percent(30) {
                    let other = &s.groups[self.rng.below(s.groups.len())];
                    if other != groups[0] {
                        groups.push(other);
                    }
                }
                let id = self.ids.next("eni");
                let instance = format!("i-0{}", self.rng.hex(16));
                let attachment = self.ids.next("eni-attach");
                out.push(json!({
                    "Attachment": {"AttachTime": self.rng.timestamp(), "AttachmentId": attachment,
                        "DeleteOnTermination": true, "DeviceIndex": 0, "InstanceId": instance,
                        "InstanceOwnerId": OWNER, "NetworkCardIndex": 0, "Status": "attached"},
                    "AvailabilityZone": AZS[i % 3],
                    "Description": "",
                    "Groups": groups.iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
                    "InterfaceType": "interface",
                    "Ipv6Addresses": [],
                    "MacAddress": mac(&mut self.rng),
                    "NetworkInterfaceId": id,
                    "OwnerId": OWNER,
                    "PrivateDnsName": private_dns(ip),
                    "PrivateIpAddress": fmt_ip(ip),
                    "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": private_dns(ip), "PrivateIpAddress": fmt_ip(ip)}],
                    "RequesterManaged": false,
                    "SourceDestCheck": true,
                    "Status": "in-use",
                    "SubnetId": s.app[i],
                    "TagSet": tags(&[("team", if s.broken.is_some() { "sandbox" } else { "apps" })]),
                    "VpcId": s.vpc,
                }));
            }
        }
        out
    }
}

fn octets(c: Cidr) -> (u8, u8) {
    let [a, b, _, _] = c.base.to_be_bytes();
    (a, b)
}

fn mac(rng: &mut Rng) -> String {
    let h = rng.hex(10);
    format!(
        "0e:{}:{}:{}:{}:{}",
        &h[0..2],
        &h[2..4],
        &h[4..6],
        &h[6..8],
        &h[8..10]
    )
}

fn parts(dir: &str, items: Vec<Value>, per_file: usize) -> Vec<(String, Value)> {
    let files = crate::output::file_count(items.len(), per_file);
    let docs = crate::output::split(items, files)
        .into_iter()
        .map(|part| json!({ dir: part }))
        .collect();
    crate::output::name_parts(dir, docs)
}

fn vpc_json(id: &str, cidr: Cidr, owner: &str, name: &str) -> Value {
    json!({"CidrBlock": cidr.to_string(), "CidrBlockAssociationSet": [{"CidrBlock": cidr.to_string(),
        "CidrBlockState": {"State": "associated"}}], "InstanceTenancy": "default", "IsDefault": false,
        "OwnerId": owner, "State": "available", "Tags": name_tag(name), "VpcId": id})
}

fn subnet_json(id: &str, vpc: &str, cidr: Cidr, zone: usize, owner: &str) -> Value {
    json!({"AvailabilityZone": AZS[zone], "AvailableIpAddressCount": 200, "CidrBlock": cidr.to_string(),
        "DefaultForAz": false, "MapPublicIpOnLaunch": false, "OwnerId": owner, "State": "available",
        "SubnetId": id, "VpcId": vpc})
}

fn local(cidr: Cidr) -> Value {
    json!({"DestinationCidrBlock": cidr.to_string(), "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"})
}

fn route(dest: String, key: &str, target: &str) -> Value {
    json!({"DestinationCidrBlock": dest, key: target, "Origin": "CreateRoute", "State": "active"})
}

fn table_json(
    id: &str,
    vpc: &str,
    main: bool,
    subnets: &[String],
    routes: Vec<Value>,
    ids: &mut IdGen,
) -> Value {
    let mut assoc: Vec<Value> = subnets
        .iter()
        .map(|s| json!({"Main": false, "RouteTableAssociationId": ids.next("rtbassoc"), "RouteTableId": id,
            "SubnetId": s, "AssociationState": {"State": "associated"}}))
        .collect();
    if main {
        assoc.push(json!({"Main": true, "RouteTableAssociationId": ids.next("rtbassoc"), "RouteTableId": id,
            "AssociationState": {"State": "associated"}}));
    }
    json!({"Associations": assoc, "PropagatingVgws": [], "RouteTableId": id, "Routes": routes, "Tags": [], "VpcId": vpc})
}

fn acl_entry(
    egress: bool,
    n: u32,
    protocol: &str,
    cidr: &str,
    allow: bool,
    ports: Option<(u16, u16)>,
) -> Value {
    let mut e = json!({"CidrBlock": cidr, "Egress": egress, "Protocol": protocol,
        "RuleAction": if allow { "allow" } else { "deny" }, "RuleNumber": n});
    if let Some((from, to)) = ports {
        e["PortRange"] = json!({"From": from, "To": to});
    }
    e
}

fn acl_json(
    id: &str,
    vpc: &str,
    default: bool,
    subnets: &[String],
    entries: Vec<Value>,
    owner: &str,
    ids: &mut IdGen,
) -> Value {
    let assoc: Vec<Value> = subnets
        .iter()
        .map(|s| json!({"NetworkAclAssociationId": ids.next("aclassoc"), "NetworkAclId": id, "SubnetId": s}))
        .collect();
    json!({"Associations": assoc, "Entries": entries, "IsDefault": default, "NetworkAclId": id,
        "OwnerId": owner, "Tags": [], "VpcId": vpc})
}

fn default_acl(id: &str, vpc: &str, subnets: &[String], owner: &str, ids: &mut IdGen) -> Value {
    let entries = vec![
        acl_entry(false, 100, "-1", "0.0.0.0/0", true, None),
        acl_entry(true, 100, "-1", "0.0.0.0/0", true, None),
        acl_entry(false, 32767, "-1", "0.0.0.0/0", false, None),
        acl_entry(true, 32767, "-1", "0.0.0.0/0", false, None),
    ];
    acl_json(id, vpc, true, subnets, entries, owner, ids)
}

fn tcp(from: u16, to: u16, cidr: &str) -> Value {
    json!({"IpProtocol": "tcp", "FromPort": from, "ToPort": to, "IpRanges": [{"CidrIp": cidr}],
        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []})
}

fn all_egress() -> Vec<Value> {
    vec![
        json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
        "PrefixListIds": [], "UserIdGroupPairs": []}),
    ]
}

fn group_json(
    id: &str,
    name: &str,
    vpc: &str,
    owner: &str,
    ingress: Vec<Value>,
    egress: Vec<Value>,
) -> Value {
    json!({"Description": name, "GroupId": id, "GroupName": name, "IpPermissions": ingress,
        "IpPermissionsEgress": egress, "OwnerId": owner, "Tags": [], "VpcId": vpc})
}

#[allow(clippy::too_many_arguments)]
fn endpoint_eni_json(
    id: &str,
    vpce: &str,
    subnet: &str,
    vpc: &str,
    zone: usize,
    ip: u32,
    group: &str,
    ids: &mut IdGen,
    rng: &mut Rng,
) -> Value {
    json!({
        "Attachment": {"AttachmentId": ids.next("ela-attach"), "DeleteOnTermination": false, "DeviceIndex": 1,
            "InstanceOwnerId": "amazon-aws", "Status": "attached"},
        "AvailabilityZone": AZS[zone],
        "Description": format!("VPC Endpoint Interface {vpce}"),
        "Groups": [{"GroupId": group}],
        "InterfaceType": "vpc_endpoint",
        "Ipv6Addresses": [],
        "MacAddress": mac(rng),
        "NetworkInterfaceId": id,
        "OwnerId": NETWORK_ACCOUNT,
        "PrivateDnsName": private_dns(ip),
        "PrivateIpAddress": fmt_ip(ip),
        "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": private_dns(ip), "PrivateIpAddress": fmt_ip(ip)}],
        "RequesterId": "727180483921",
        "RequesterManaged": true,
        "SourceDestCheck": true,
        "Status": "in-use",
        "SubnetId": subnet,
        "TagSet": [],
        "VpcId": vpc,
    })
}

fn vpc_attachment_json(id: &str, tgw: &str, vpc: &str, owner: &str, subnets: &[String]) -> Value {
    json!({"TransitGatewayAttachmentId": id, "TransitGatewayId": tgw, "VpcId": vpc, "VpcOwnerId": owner,
        "State": "available", "SubnetIds": subnets, "CreationTime": "2024-01-01T00:00:00.000Z",
        "Options": {"DnsSupport": "enable", "SecurityGroupReferencingSupport": "disable",
            "Ipv6Support": "disable", "ApplianceModeSupport": "disable"}})
}

fn attachment_json(id: &str, tgw: &str, vpc: &str, owner: &str, table: &str) -> Value {
    json!({"TransitGatewayAttachmentId": id, "TransitGatewayId": tgw, "TransitGatewayOwnerId": NETWORK_ACCOUNT,
        "ResourceOwnerId": owner, "ResourceType": "vpc", "ResourceId": vpc, "State": "available",
        "Association": {"TransitGatewayRouteTableId": table, "State": "associated"}})
}

fn propagation(attachment: &str, vpc: &str) -> Value {
    json!({"TransitGatewayAttachmentId": attachment, "ResourceId": vpc, "ResourceType": "vpc", "State": "enabled"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_is_valid_and_sizes_sum_to_the_total() {
        let p = OrgParams::org();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.sizes().iter().sum::<usize>(), p.workload_enis);
    }

    #[test]
    fn each_sandbox_spoke_has_one_misconfiguration() {
        let org = Org::build(&OrgParams::org());
        let broken: Vec<Break> = org.spokes.iter().filter_map(|s| s.broken).collect();
        assert_eq!(broken, BREAKS);
    }
}
