//! Route tables (`describe-route-tables`): one main table per VPC with the local route, a
//! public table to the internet gateway, and one private table per AZ with a NAT default
//! route and the gateway endpoints' prefix-list routes.

use crate::aws::{name_tag, AZS, OWNER};
use crate::endpoint::GatewayEndpoint;
use crate::ids::IdGen;
use crate::prefix_list::PrefixLists;
use crate::rng::Rng;
use crate::subnet::{self, Subnet};
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};

/// One planned route table.
#[derive(Debug)]
pub(crate) struct RouteTable {
    pub id: String,
    pub vpc: usize,
    name: String,
    /// The main association's id, on the VPC's main table.
    main: Option<String>,
    routes: Vec<Value>,
    /// Explicit associations: (association id, subnet index).
    pub subnets: Vec<(String, usize)>,
}

/// Shared inputs of the per-VPC planning.
struct Env<'a> {
    p: &'a SynthParams,
    lists: &'a PrefixLists,
    tgw: String,
}

/// Plans every VPC's route tables, and records in each gateway endpoint the tables that
/// route its prefix list to it. Misconfigured private tables lack that route, and some
/// private subnets are left on the main table.
pub(crate) fn plan(
    p: &SynthParams,
    rng: &mut Rng,
    ids: &mut IdGen,
    vpcs: &[Vpc],
    subnets: &[Subnet],
    lists: &PrefixLists,
    gateways: &mut [GatewayEndpoint],
) -> Vec<RouteTable> {
    let env = Env {
        p,
        lists,
        tgw: ids.next("tgw"),
    };
    let mut tables = Vec::new();
    for (n, vpc) in vpcs.iter().enumerate() {
        plan_vpc(&env, rng, ids, n, vpc, subnets, gateways, &mut tables);
    }
    tables
}

#[allow(clippy::too_many_arguments)]
fn plan_vpc(
    env: &Env,
    rng: &mut Rng,
    ids: &mut IdGen,
    n: usize,
    vpc: &Vpc,
    subnets: &[Subnet],
    gateways: &mut [GatewayEndpoint],
    out: &mut Vec<RouteTable>,
) {
    let mine: Vec<usize> = subnet::of_vpc(env.p, n).collect();
    let public: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|&s| subnets[s].public)
        .collect();
    let nats: Vec<String> = if public.is_empty() {
        Vec::new()
    } else {
        (0..3).map(|_| ids.next("nat")).collect()
    };
    let mut main = new_table(ids, n, vpc, format!("{}-main", vpc.name));
    main.main = Some(ids.next("rtbassoc"));
    if !nats.is_empty() && rng.percent(30) {
        main.routes.push(default_route("NatGatewayId", &nats[0]));
    }
    if rng.percent(40) {
        add_gateway_routes(env, &mut main, gateways);
    }
    out.push(main);
    if !public.is_empty() {
        out.push(public_table(env, rng, ids, n, vpc, &public, gateways));
    }
    for az in 0..3 {
        let private: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&s| !subnets[s].public && subnets[s].az == az)
            .collect();
        if !private.is_empty() {
            let nat = nats.get(az).map(String::as_str);
            out.push(private_table(
                env,
                rng,
                ids,
                (n, vpc, az),
                &private,
                nat,
                gateways,
            ));
        }
    }
}

fn new_table(ids: &mut IdGen, n: usize, vpc: &Vpc, name: String) -> RouteTable {
    let local = json!({"DestinationCidrBlock": vpc.cidr.to_string(), "GatewayId": "local",
        "Origin": "CreateRouteTable", "State": "active"});
    RouteTable {
        id: ids.next("rtb"),
        vpc: n,
        name,
        main: None,
        routes: vec![local],
        subnets: Vec::new(),
    }
}

fn default_route(target_key: &str, target: &str) -> Value {
    json!({"DestinationCidrBlock": "0.0.0.0/0", target_key: target, "Origin": "CreateRoute", "State": "active"})
}

fn associate(ids: &mut IdGen, table: &mut RouteTable, subnets: &[usize]) {
    for &s in subnets {
        table.subnets.push((ids.next("rtbassoc"), s));
    }
}

/// Adds the prefix-list route of every gateway endpoint of the table's VPC.
fn add_gateway_routes(env: &Env, table: &mut RouteTable, gateways: &mut [GatewayEndpoint]) {
    for g in gateways.iter_mut().filter(|g| g.vpc == table.vpc) {
        table.routes.push(
            json!({"DestinationPrefixListId": env.lists.for_service(g.service),
            "GatewayId": g.id, "Origin": "CreateRoute", "State": "active"}),
        );
        g.route_tables.push(table.id.clone());
    }
}

fn public_table(
    env: &Env,
    rng: &mut Rng,
    ids: &mut IdGen,
    n: usize,
    vpc: &Vpc,
    public: &[usize],
    gateways: &mut [GatewayEndpoint],
) -> RouteTable {
    let mut t = new_table(ids, n, vpc, format!("{}-public", vpc.name));
    t.routes.push(default_route("GatewayId", &ids.next("igw")));
    if rng.percent(50) {
        add_gateway_routes(env, &mut t, gateways);
    }
    associate(ids, &mut t, public);
    t
}

fn private_table(
    env: &Env,
    rng: &mut Rng,
    ids: &mut IdGen,
    (n, vpc, az): (usize, &Vpc, usize),
    private: &[usize],
    nat: Option<&str>,
    gateways: &mut [GatewayEndpoint],
) -> RouteTable {
    let mut t = new_table(ids, n, vpc, format!("{}-private-{}", vpc.name, AZS[az]));
    match nat {
        Some(nat) => t.routes.push(default_route("NatGatewayId", nat)),
        None if rng.percent(50) => t.routes.push(default_route("TransitGatewayId", &env.tgw)),
        None => {}
    }
    if rng.percent(30) {
        t.routes.push(
            json!({"DestinationCidrBlock": "172.16.0.0/12", "TransitGatewayId": env.tgw,
            "Origin": "CreateRoute", "State": "active"}),
        );
    }
    if !rng.percent(env.p.misconfig_percent) {
        add_gateway_routes(env, &mut t, gateways);
    }
    let kept: Vec<usize> = private
        .iter()
        .copied()
        .filter(|_| !rng.percent(env.p.misconfig_percent))
        .collect();
    associate(ids, &mut t, &kept);
    t
}

/// The `describe-route-tables` document.
pub(crate) fn document(tables: &[RouteTable], subnets: &[Subnet], vpcs: &[Vpc]) -> Value {
    json!({ "RouteTables": tables.iter().map(|t| table_json(t, subnets, vpcs)).collect::<Vec<_>>() })
}

fn table_json(t: &RouteTable, subnets: &[Subnet], vpcs: &[Vpc]) -> Value {
    let state = json!({"State": "associated"});
    let mut assocs: Vec<Value> = t
        .main
        .iter()
        .map(|a| {
            json!({"AssociationState": state, "Main": true,
        "RouteTableAssociationId": a, "RouteTableId": t.id})
        })
        .collect();
    assocs.extend(t.subnets.iter().map(|(a, s)| {
        json!({"AssociationState": state, "Main": false,
        "RouteTableAssociationId": a, "RouteTableId": t.id, "SubnetId": subnets[*s].id})
    }));
    json!({
        "Associations": assocs,
        "OwnerId": OWNER,
        "PropagatingVgws": [],
        "RouteTableId": t.id,
        "Routes": t.routes,
        "Tags": name_tag(&t.name),
        "VpcId": vpcs[t.vpc].id,
    })
}
