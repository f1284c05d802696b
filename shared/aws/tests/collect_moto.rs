//! `collect` against moto's EC2 mock: builds a realistic VPC with the SDK, collects it, and
//! checks the documents field by field.
//!
//! Known moto gaps, worked around here and not in the product: interface-endpoint ENIs get a
//! random IP, the VPC's default security group, `InterfaceType: interface` and
//! `RequesterManaged: false` (so `Groups`/`SubnetIds` are read from the endpoint, and the ENI is
//! only checked to exist in the endpoint's subnet); AWS service prefix lists come without `Cidrs`
//! (the collector reads their entries, as for customer lists);
//! there is no server-side pagination; new NACLs lack the 32767 `*` entries.

use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::types::{
    AddPrefixListEntry, AttributeBooleanValue, Filter, IpPermission, IpRange, PrefixListId,
    RuleAction, Tag, UserIdGroupPair, VpcEndpointType,
};
use aws_sdk_ec2::Client;
use serde_json::{json, Value};
use vpce_reach_aws::{collect, ec2_client, CallError, Scope, Snapshot};
use vpce_reach_testkit::{sdk_config, MotoServer};

/// The ids of the network built in moto.
struct Net {
    vpc: String,
    subnet_a: String,
    subnet_b: String,
    acl: String,
    route_table: String,
    igw: String,
    sg_workload: String,
    sg_endpoint: String,
    customer_pl: String,
    s3_pl: String,
    interface_endpoint: String,
    gateway_endpoint: String,
    eni: String,
    other_vpc: String,
    other_sg: String,
}

async fn client_for(server: &MotoServer) -> Client {
    ec2_client(&sdk_config(&server.endpoint_url())).await
}

async fn create_vpc(client: &Client, cidr: &str) -> String {
    let out = client.create_vpc().cidr_block(cidr).send().await.unwrap();
    out.vpc().unwrap().vpc_id().unwrap().to_owned()
}

async fn create_subnet(client: &Client, vpc: &str, cidr: &str, az: &str) -> String {
    let out = client
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .availability_zone(az)
        .send()
        .await
        .unwrap();
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

async fn create_sg(client: &Client, vpc: &str, name: &str) -> String {
    let out = client
        .create_security_group()
        .vpc_id(vpc)
        .group_name(name)
        .description(name)
        .send()
        .await
        .unwrap();
    out.group_id().unwrap().to_owned()
}

fn tcp(port: i32) -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
}

async fn enable_dns_hostnames(client: &Client, vpc: &str) {
    let on = AttributeBooleanValue::builder().value(true).build();
    client
        .modify_vpc_attribute()
        .vpc_id(vpc)
        .enable_dns_hostnames(on)
        .send()
        .await
        .unwrap();
}

/// A NACL with out-of-order entries, associated with `subnet`.
async fn custom_acl(client: &Client, vpc: &str, subnet: &str) -> String {
    let entries = [
        (200, true, "0.0.0.0/0", 1024, 65535, RuleAction::Allow),
        (100, true, "10.0.2.0/24", 443, 443, RuleAction::Allow),
        (100, false, "10.0.0.0/16", 1024, 65535, RuleAction::Allow),
        (90, false, "10.0.9.0/24", 0, 65535, RuleAction::Deny),
    ];
    vpce_reach_testkit::network_acl(client, vpc, subnet, &entries).await
}

/// A route table associated with `subnet`, with a default route to a new internet gateway.
async fn route_table(client: &Client, vpc: &str, subnet: &str) -> (String, String) {
    let out = client
        .create_route_table()
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    let rt = out
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    client
        .associate_route_table()
        .route_table_id(&rt)
        .subnet_id(subnet)
        .send()
        .await
        .unwrap();
    let out = client.create_internet_gateway().send().await.unwrap();
    let igw = out
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_owned();
    client
        .attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap();
    client
        .create_route()
        .route_table_id(&rt)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    (rt, igw)
}

async fn customer_prefix_list(client: &Client) -> String {
    let entry = |cidr: &str| AddPrefixListEntry::builder().cidr(cidr).build();
    let out = client
        .create_managed_prefix_list()
        .prefix_list_name("corp-ranges")
        .address_family("IPv4")
        .max_entries(5)
        .entries(entry("192.168.0.0/16"))
        .entries(entry("172.16.0.0/12"))
        .send()
        .await
        .unwrap();
    out.prefix_list()
        .unwrap()
        .prefix_list_id()
        .unwrap()
        .to_owned()
}

async fn s3_prefix_list(client: &Client) -> String {
    let filter = Filter::builder()
        .name("prefix-list-name")
        .values("com.amazonaws.us-east-1.s3")
        .build();
    let out = client
        .describe_prefix_lists()
        .filters(filter)
        .send()
        .await
        .unwrap();
    out.prefix_lists()[0].prefix_list_id().unwrap().to_owned()
}

/// Workload egress: tcp/443 to a CIDR, to the endpoint's SG and to two prefix lists.
async fn workload_egress(client: &Client, sg: &str, sg_endpoint: &str, pls: [&str; 2]) {
    let all = IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    client
        .revoke_security_group_egress()
        .group_id(sg)
        .ip_permissions(all)
        .send()
        .await
        .unwrap();
    let cidr = tcp(443)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.2.0/24").build())
        .build();
    let group = tcp(443)
        .user_id_group_pairs(UserIdGroupPair::builder().group_id(sg_endpoint).build())
        .build();
    let pl = |id: &str| PrefixListId::builder().prefix_list_id(id).build();
    let lists = tcp(443)
        .prefix_list_ids(pl(pls[0]))
        .prefix_list_ids(pl(pls[1]))
        .build();
    client
        .authorize_security_group_egress()
        .group_id(sg)
        .ip_permissions(cidr)
        .ip_permissions(group)
        .ip_permissions(lists)
        .send()
        .await
        .unwrap();
}

async fn endpoint_ingress(client: &Client, sg_endpoint: &str, sg_workload: &str) {
    let from_workload = tcp(443)
        .user_id_group_pairs(UserIdGroupPair::builder().group_id(sg_workload).build())
        .build();
    client
        .authorize_security_group_ingress()
        .group_id(sg_endpoint)
        .ip_permissions(from_workload)
        .send()
        .await
        .unwrap();
}

async fn interface_endpoint(client: &Client, vpc: &str, subnet: &str, sg: &str) -> String {
    let out = client
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name("com.amazonaws.us-east-1.ssm")
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .subnet_ids(subnet)
        .security_group_ids(sg)
        .private_dns_enabled(true)
        .send()
        .await
        .unwrap();
    out.vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_owned()
}

async fn gateway_endpoint(client: &Client, vpc: &str, rt: &str) -> String {
    let out = client
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name("com.amazonaws.us-east-1.s3")
        .vpc_endpoint_type(VpcEndpointType::Gateway)
        .route_table_ids(rt)
        .send()
        .await
        .unwrap();
    out.vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_owned()
}

async fn workload_eni(client: &Client, subnet: &str, sg: &str) -> String {
    let out = client
        .create_network_interface()
        .subnet_id(subnet)
        .private_ip_address("10.0.1.10")
        .groups(sg)
        .description("workload")
        .send()
        .await
        .unwrap();
    let eni = out
        .network_interface()
        .unwrap()
        .network_interface_id()
        .unwrap()
        .to_owned();
    let tag = Tag::builder().key("Name").value("workload").build();
    client
        .create_tags()
        .resources(&eni)
        .tags(tag)
        .send()
        .await
        .unwrap();
    eni
}

/// The whole test network: one VPC with everything, and a second VPC with a subnet and a SG.
async fn build_network(client: &Client) -> Net {
    let vpc = create_vpc(client, "10.0.0.0/16").await;
    enable_dns_hostnames(client, &vpc).await;
    let subnet_a = create_subnet(client, &vpc, "10.0.1.0/24", "us-east-1a").await;
    let subnet_b = create_subnet(client, &vpc, "10.0.2.0/24", "us-east-1b").await;
    let acl = custom_acl(client, &vpc, &subnet_a).await;
    let (route_table, igw) = route_table(client, &vpc, &subnet_a).await;
    let sg_workload = create_sg(client, &vpc, "workload").await;
    let sg_endpoint = create_sg(client, &vpc, "endpoint").await;
    let customer_pl = customer_prefix_list(client).await;
    let s3_pl = s3_prefix_list(client).await;
    workload_egress(client, &sg_workload, &sg_endpoint, [&customer_pl, &s3_pl]).await;
    endpoint_ingress(client, &sg_endpoint, &sg_workload).await;
    let interface_endpoint = interface_endpoint(client, &vpc, &subnet_b, &sg_endpoint).await;
    let gateway_endpoint = gateway_endpoint(client, &vpc, &route_table).await;
    let eni = workload_eni(client, &subnet_a, &sg_workload).await;
    let other_vpc = create_vpc(client, "10.1.0.0/16").await;
    create_subnet(client, &other_vpc, "10.1.1.0/24", "us-east-1a").await;
    let other_sg = create_sg(client, &other_vpc, "other").await;
    Net {
        vpc,
        subnet_a,
        subnet_b,
        acl,
        route_table,
        igw,
        sg_workload,
        sg_endpoint,
        customer_pl,
        s3_pl,
        interface_endpoint,
        gateway_endpoint,
        eni,
        other_vpc,
        other_sg,
    }
}

/// Runs `collect` and returns the snapshot and the progress lines.
async fn run(client: &Client, scope: &Scope) -> (Snapshot, Vec<String>) {
    let lines = std::sync::Mutex::new(Vec::new());
    let progress = |m: &str| lines.lock().unwrap().push(m.to_owned());
    let snapshot = collect(client, scope, &progress).await.expect("collect");
    (snapshot, lines.into_inner().unwrap())
}

fn items<'a>(snapshot: &'a Snapshot, file: &str, key: &str) -> &'a [Value] {
    let doc = snapshot
        .document(file)
        .unwrap_or_else(|| panic!("no {file}"));
    assert_eq!(
        doc.as_object().unwrap().len(),
        1,
        "{file} has exactly one top-level key"
    );
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no {key} array"))
}

fn find<'a>(list: &'a [Value], key: &str, id: &str) -> &'a Value {
    list.iter()
        .find(|v| v[key] == id)
        .unwrap_or_else(|| panic!("no {key} {id}"))
}

fn ids(list: &[Value], key: &str) -> Vec<String> {
    let mut ids: Vec<String> = list
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn check_vpcs_and_subnets(s: &Snapshot, n: &Net) {
    let vpcs = items(s, "vpcs.json", "Vpcs");
    assert_eq!(ids(vpcs, "VpcId"), vec![n.vpc.clone()]);
    assert_eq!(vpcs[0]["CidrBlock"], "10.0.0.0/16");
    let subnets = items(s, "subnets.json", "Subnets");
    assert_eq!(
        ids(subnets, "SubnetId"),
        sorted(vec![n.subnet_a.clone(), n.subnet_b.clone()])
    );
    let b = find(subnets, "SubnetId", &n.subnet_b);
    assert_eq!(
        (&b["VpcId"], &b["CidrBlock"]),
        (&json!(n.vpc), &json!("10.0.2.0/24"))
    );
    assert_eq!(b["AvailabilityZone"], "us-east-1b");
}

fn check_dns_attributes(s: &Snapshot, n: &Net) {
    let support = s
        .document(&format!("vpc-attributes/{}.EnableDnsSupport.json", n.vpc))
        .unwrap();
    assert_eq!(
        support,
        &json!({"VpcId": n.vpc, "EnableDnsSupport": {"Value": true}})
    );
    let hostnames = s
        .document(&format!("vpc-attributes/{}.EnableDnsHostnames.json", n.vpc))
        .unwrap();
    assert_eq!(
        hostnames,
        &json!({"VpcId": n.vpc, "EnableDnsHostnames": {"Value": true}})
    );
}

fn check_network_acls(s: &Snapshot, n: &Net) {
    let acls = items(s, "network-acls.json", "NetworkAcls");
    assert!(acls.iter().all(|a| a["VpcId"] == n.vpc.as_str()));
    let acl = find(acls, "NetworkAclId", &n.acl);
    assert_eq!(acl["IsDefault"], false);
    let assoc = acl["Associations"].as_array().unwrap();
    assert_eq!(assoc.len(), 1);
    assert_eq!(
        (&assoc[0]["SubnetId"], &assoc[0]["NetworkAclId"]),
        (&json!(n.subnet_a), &json!(n.acl))
    );
    // moto does not add the implicit 32767 deny entries to a new NACL: look at ours only.
    let mut entries: Vec<&Value> = acl["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["RuleNumber"] != 32767)
        .collect();
    entries.sort_by_key(|e| (e["Egress"].as_bool(), e["RuleNumber"].as_i64()));
    let expected = [
        json!({"RuleNumber": 90, "Protocol": "6", "RuleAction": "deny", "Egress": false, "CidrBlock": "10.0.9.0/24", "PortRange": {"From": 0, "To": 65535}}),
        json!({"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 1024, "To": 65535}}),
        json!({"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true, "CidrBlock": "10.0.2.0/24", "PortRange": {"From": 443, "To": 443}}),
        json!({"RuleNumber": 200, "Protocol": "6", "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 65535}}),
    ];
    assert_eq!(entries, expected.iter().collect::<Vec<_>>());
}

fn check_route_tables(s: &Snapshot, n: &Net) {
    let tables = items(s, "route-tables.json", "RouteTables");
    let main = tables.iter().filter(|t| {
        t["Associations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["Main"] == true)
    });
    assert_eq!(main.count(), 1, "one main route table");
    let rt = find(tables, "RouteTableId", &n.route_table);
    let assoc = &rt["Associations"].as_array().unwrap()[0];
    assert_eq!(
        (&assoc["SubnetId"], &assoc["Main"]),
        (&json!(n.subnet_a), &json!(false))
    );
    let routes = rt["Routes"].as_array().unwrap();
    let default = routes
        .iter()
        .find(|r| r["DestinationCidrBlock"] == "0.0.0.0/0")
        .unwrap();
    assert_eq!(
        (&default["GatewayId"], &default["State"]),
        (&json!(n.igw), &json!("active"))
    );
    let pl_route = routes
        .iter()
        .find(|r| r["DestinationPrefixListId"] == n.s3_pl.as_str())
        .expect("prefix-list route");
    assert_eq!(pl_route["GatewayId"], n.gateway_endpoint.as_str());
    assert!(routes
        .iter()
        .any(|r| r["DestinationCidrBlock"] == "10.0.0.0/16" && r["GatewayId"] == "local"));
}

fn check_security_groups(s: &Snapshot, n: &Net) {
    let groups = items(s, "security-groups.json", "SecurityGroups");
    assert!(groups.iter().all(|g| g["VpcId"] == n.vpc.as_str()));
    let workload = find(groups, "GroupId", &n.sg_workload);
    assert_eq!(workload["GroupName"], "workload");
    let mut egress = workload["IpPermissionsEgress"].as_array().unwrap().clone();
    assert!(egress
        .iter()
        .all(|p| p["IpProtocol"] == "tcp" && p["FromPort"] == 443 && p["ToPort"] == 443));
    let cidrs: Vec<&Value> = egress
        .iter()
        .flat_map(|p| p["IpRanges"].as_array().unwrap())
        .map(|r| &r["CidrIp"])
        .collect();
    assert_eq!(cidrs, vec!["10.0.2.0/24"]);
    let refs: Vec<&Value> = egress
        .iter()
        .flat_map(|p| p["UserIdGroupPairs"].as_array().unwrap())
        .map(|g| &g["GroupId"])
        .collect();
    assert_eq!(refs, vec![n.sg_endpoint.as_str()]);
    let pls: Vec<String> = egress
        .drain(..)
        .flat_map(|p| p["PrefixListIds"].as_array().unwrap().clone())
        .map(|p| p["PrefixListId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        sorted(pls),
        sorted(vec![n.customer_pl.clone(), n.s3_pl.clone()])
    );
    let endpoint = find(groups, "GroupId", &n.sg_endpoint);
    let ingress = endpoint["IpPermissions"].as_array().unwrap();
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        ingress[0]["UserIdGroupPairs"][0]["GroupId"],
        n.sg_workload.as_str()
    );
    assert_eq!(ingress[0]["FromPort"], 443);
}

fn check_endpoints(s: &Snapshot, n: &Net) {
    let endpoints = items(s, "vpc-endpoints.json", "VpcEndpoints");
    assert_eq!(
        ids(endpoints, "VpcEndpointId"),
        sorted(vec![
            n.interface_endpoint.clone(),
            n.gateway_endpoint.clone()
        ])
    );
    let ep = find(endpoints, "VpcEndpointId", &n.interface_endpoint);
    assert_eq!(ep["VpcEndpointType"], "Interface");
    assert_eq!(ep["ServiceName"], "com.amazonaws.us-east-1.ssm");
    assert_eq!(
        ep["Groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| &g["GroupId"])
            .collect::<Vec<_>>(),
        vec![n.sg_endpoint.as_str()]
    );
    assert_eq!(ep["SubnetIds"], json!([n.subnet_b]));
    assert_eq!(ep["PrivateDnsEnabled"], true);
    assert!(ep["State"].is_string());
    let eni_ids = ep["NetworkInterfaceIds"].as_array().unwrap();
    assert_eq!(eni_ids.len(), 1);
    let enis = items(s, "network-interfaces.json", "NetworkInterfaces");
    let ep_eni = find(enis, "NetworkInterfaceId", eni_ids[0].as_str().unwrap());
    assert_eq!(ep_eni["SubnetId"], n.subnet_b.as_str());
    let gw = find(endpoints, "VpcEndpointId", &n.gateway_endpoint);
    assert_eq!(
        (&gw["VpcEndpointType"], &gw["RouteTableIds"]),
        (&json!("Gateway"), &json!([n.route_table]))
    );
    assert!(
        gw["PolicyDocument"].is_string(),
        "gateway endpoint has a policy: {gw}"
    );
}

fn check_workload_eni(s: &Snapshot, n: &Net) {
    let enis = items(s, "network-interfaces.json", "NetworkInterfaces");
    assert!(enis.iter().all(|e| e["VpcId"] == n.vpc.as_str()));
    let eni = find(enis, "NetworkInterfaceId", &n.eni);
    assert_eq!(eni["PrivateIpAddress"], "10.0.1.10");
    assert_eq!(eni["SubnetId"], n.subnet_a.as_str());
    assert_eq!(eni["InterfaceType"], "interface");
    assert_eq!(eni["Groups"][0]["GroupId"], n.sg_workload.as_str());
    assert_eq!(eni["TagSet"], json!([{"Key": "Name", "Value": "workload"}]));
    let ips = eni["PrivateIpAddresses"].as_array().unwrap();
    assert!(ips
        .iter()
        .any(|ip| ip["PrivateIpAddress"] == "10.0.1.10" && ip["Primary"] == true));
}

fn check_prefix_lists(s: &Snapshot, n: &Net) {
    let lists = items(s, "prefix-lists.json", "PrefixLists");
    let corp = find(lists, "PrefixListId", &n.customer_pl);
    assert_eq!(corp["PrefixListName"], "corp-ranges");
    // The family comes from DescribeManagedPrefixLists (docs/spec.md V4 needs it).
    assert_eq!(corp["AddressFamily"], "IPv4");
    let cidrs: Vec<String> = corp["Cidrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sorted(cidrs), vec!["172.16.0.0/12", "192.168.0.0/16"]);
    let s3 = find(lists, "PrefixListId", &n.s3_pl);
    assert_eq!(s3["PrefixListName"], "com.amazonaws.us-east-1.s3");
    // DescribePrefixLists gave no `Cidrs` for it: the entries were read, never `[]` written.
    assert!(!s3["Cidrs"].as_array().unwrap().is_empty(), "{s3}");
    assert_eq!(
        ids(lists, "PrefixListId")
            .windows(2)
            .filter(|w| w[0] == w[1])
            .count(),
        0,
        "no list twice"
    );
}

#[tokio::test]
async fn vpc_scoped_snapshot_has_every_document_in_cli_shape() {
    let server = MotoServer::start();
    let client = client_for(&server).await;
    let net = build_network(&client).await;
    let (snapshot, progress) = run(&client, &Scope::vpcs([net.vpc.clone()])).await;
    check_vpcs_and_subnets(&snapshot, &net);
    check_dns_attributes(&snapshot, &net);
    check_network_acls(&snapshot, &net);
    check_route_tables(&snapshot, &net);
    check_security_groups(&snapshot, &net);
    check_endpoints(&snapshot, &net);
    check_workload_eni(&snapshot, &net);
    check_prefix_lists(&snapshot, &net);
    assert!(!snapshot
        .documents
        .iter()
        .any(|(name, _)| name.contains(&net.other_vpc)));
    assert!(
        progress
            .iter()
            .any(|l| l.starts_with("DescribeSecurityGroups")),
        "{progress:?}"
    );
}

#[tokio::test]
async fn region_snapshot_holds_every_vpc() {
    let server = MotoServer::start();
    let client = client_for(&server).await;
    let net = build_network(&client).await;
    let (snapshot, _) = run(&client, &Scope::region()).await;
    let vpcs = ids(items(&snapshot, "vpcs.json", "Vpcs"), "VpcId");
    assert!(
        vpcs.contains(&net.vpc) && vpcs.contains(&net.other_vpc),
        "{vpcs:?}"
    );
    let groups = ids(
        items(&snapshot, "security-groups.json", "SecurityGroups"),
        "GroupId",
    );
    assert!(groups.contains(&net.sg_workload) && groups.contains(&net.other_sg));
    for vpc in &vpcs {
        let name = format!("vpc-attributes/{vpc}.EnableDnsSupport.json");
        assert!(snapshot.document(&name).is_some(), "no {name}");
    }
}

#[tokio::test]
async fn snapshot_round_trips_through_files() {
    let server = MotoServer::start();
    let client = client_for(&server).await;
    let net = build_network(&client).await;
    let (snapshot, _) = run(&client, &Scope::vpcs([net.vpc.clone()])).await;
    // VPCE_REACH_SNAPSHOT_OUT=<dir> keeps the written snapshot for inspection.
    let keep = std::env::var_os("VPCE_REACH_SNAPSHOT_OUT").map(std::path::PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("vpce-reach-aws-test-{}", std::process::id()))
    });
    snapshot.write_to(&dir).unwrap();
    for (name, document) in &snapshot.documents {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(
            &serde_json::from_str::<Value>(&text).unwrap(),
            document,
            "{name}"
        );
    }
    if keep.is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test]
async fn unknown_vpc_in_scope_is_an_error_naming_the_call() {
    let server = MotoServer::start();
    let client = client_for(&server).await;
    let scope = Scope::vpcs(["vpc-00000000000000000"]);
    let err: CallError = collect(&client, &scope, &|_| {}).await.unwrap_err();
    assert_eq!(err.call, "DescribeVpcs");
    assert_eq!(err.code.as_deref(), Some("InvalidVpcID.NotFound"));
    assert_eq!(err.scope, "vpc-00000000000000000");
    assert!(err.to_string().contains("DescribeVpcs"), "{err}");
}

#[tokio::test]
async fn unreachable_endpoint_is_an_error_naming_the_call() {
    let server = MotoServer::start();
    let url = server.endpoint_url();
    drop(server);
    let config = aws_sdk_ec2::config::Builder::from(&sdk_config(&url))
        .retry_config(RetryConfig::disabled())
        .build();
    let client = Client::from_conf(config);
    let err = collect(&client, &Scope::region(), &|_| {})
        .await
        .unwrap_err();
    let calls = [
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeNetworkAcls",
        "DescribeSecurityGroups",
        "DescribeNetworkInterfaces",
        "DescribeVpcEndpoints",
        "DescribePrefixLists",
        "DescribeManagedPrefixLists",
        "DescribeTransitGateways",
        "DescribeTransitGatewayAttachments",
        "DescribeTransitGatewayVpcAttachments",
        "DescribeTransitGatewayRouteTables",
        "DescribeVpcPeeringConnections",
    ];
    assert!(calls.contains(&err.call), "{err}");
    assert_eq!(err.code, None);
    assert!(!err.message.is_empty());
    assert!(err.to_string().contains(err.call), "{err}");
}
