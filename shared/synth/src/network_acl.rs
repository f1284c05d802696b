//! Network ACLs (`describe-network-acls`): the default allow-all ACL of each VPC and custom
//! ACLs with tens of entries listed out of order, associated to subnets.

use crate::aws::{name_tag, OWNER};
use crate::ids::IdGen;
use crate::ip::{host_cidr, Cidr};
use crate::rng::Rng;
use crate::subnet::{self, Subnet};
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One planned network ACL.
#[derive(Debug)]
pub(crate) struct Nacl {
    pub id: String,
    pub vpc: usize,
    pub default: bool,
    name: String,
    entries: Vec<Value>,
    /// Associations: (association id, subnet index).
    pub subnets: Vec<(String, usize)>,
}

const ANY: &str = "0.0.0.0/0";
const BLOCKLIST: [&str; 5] = [
    "198.51.100.0/24",
    "203.0.113.0/24",
    "192.0.2.0/24",
    "185.220.101.0/24",
    "45.155.205.0/24",
];

/// Plans each VPC's default ACL and its share of custom ones; every subnet gets one
/// association, to a custom ACL mostly.
pub(crate) fn plan(p: &SynthParams, rng: &mut Rng, ids: &mut IdGen, vpcs: &[Vpc]) -> Vec<Nacl> {
    let mut all = Vec::new();
    for (n, vpc) in vpcs.iter().enumerate() {
        let first = all.len();
        all.push(Nacl {
            id: ids.next("acl"),
            vpc: n,
            default: true,
            name: String::new(),
            entries: default_entries(),
            subnets: Vec::new(),
        });
        for k in 0..p.share(p.nacls, n) {
            let entries = custom_entries(p, rng, vpc.cidr);
            all.push(Nacl {
                id: ids.next("acl"),
                vpc: n,
                default: false,
                name: format!("{}-nacl-{k}", vpc.name),
                entries,
                subnets: Vec::new(),
            });
        }
        associate(rng, ids, p, n, &mut all[first..]);
    }
    all
}

fn associate(rng: &mut Rng, ids: &mut IdGen, p: &SynthParams, n: usize, acls: &mut [Nacl]) {
    let custom = acls.len() - 1;
    for (local, s) in subnet::of_vpc(p, n).enumerate() {
        let target = if custom > 0 && !rng.percent(15) {
            1 + local % custom
        } else {
            0
        };
        acls[target].subnets.push((ids.next("aclassoc"), s));
    }
}

fn entry(
    egress: bool,
    number: u32,
    proto: &str,
    cidr: &str,
    allow: bool,
    ports: Option<(u32, u32)>,
) -> Value {
    let action = if allow { "allow" } else { "deny" };
    let mut v = json!({"CidrBlock": cidr, "Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": number});
    if let Some((from, to)) = ports {
        v["PortRange"] = json!({"From": from, "To": to});
    }
    if proto == "1" {
        v["IcmpTypeCode"] = json!({"Code": -1, "Type": -1});
    }
    v
}

fn default_entries() -> Vec<Value> {
    [true, false]
        .iter()
        .flat_map(|&e| {
            [
                entry(e, 100, "-1", ANY, true, None),
                entry(e, 32767, "-1", ANY, false, None),
            ]
        })
        .collect()
}

/// Builds entries with rule numbers unique per direction.
struct Entries<'r> {
    rng: &'r mut Rng,
    list: Vec<Value>,
    used: [BTreeSet<u32>; 2],
}

impl Entries<'_> {
    /// Adds an entry numbered in `lo..hi` (stepping by `step`), if a number is free there.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        egress: bool,
        (lo, hi, step): (u32, u32, u32),
        proto: &str,
        cidr: &str,
        allow: bool,
        ports: Option<(u32, u32)>,
    ) {
        let slots = (hi - lo) / step;
        let start = self.rng.below(slots as usize) as u32;
        let used = &mut self.used[usize::from(egress)];
        let free = (0..slots)
            .map(|k| lo + (start + k) % slots * step)
            .find(|n| !used.contains(n));
        if let Some(number) = free {
            used.insert(number);
            self.list
                .push(entry(egress, number, proto, cidr, allow, ports));
        }
    }
}

/// Rule-number bands: blocklist denies first, then the essential allows, then the rest.
const BLOCK: (u32, u32, u32) = (1, 100, 1);
const ESSENTIAL: (u32, u32, u32) = (100, 1000, 10);
const MIDDLE: (u32, u32, u32) = (1000, 20000, 10);
const LATE: (u32, u32, u32) = (20000, 32000, 10);

/// A custom ACL: an essential profile, padded with noise to about `entries_per_nacl`
/// entries, plus the two `32767` denies, shuffled.
fn custom_entries(p: &SynthParams, rng: &mut Rng, vpc: Cidr) -> Vec<Value> {
    let target = rng.around(p.entries_per_nacl).max(8);
    let broken = rng.percent(p.misconfig_percent);
    let mut e = Entries {
        rng,
        list: Vec::new(),
        used: [BTreeSet::new(), BTreeSet::new()],
    };
    essential(&mut e, &vpc.to_string(), broken);
    let mut tries = 0;
    while e.list.len() + 2 < target && tries < 10 * target {
        noise(&mut e, vpc);
        tries += 1;
    }
    e.list.push(entry(true, 32767, "-1", ANY, false, None));
    e.list.push(entry(false, 32767, "-1", ANY, false, None));
    let mut list = e.list;
    e.rng.shuffle(&mut list);
    list
}

/// The entries that let endpoint traffic and its replies through; a misconfigured ACL lacks
/// the inbound ephemeral range, or admits it only from the VPC (which breaks gateway
/// endpoints, whose replies come from public addresses).
fn essential(e: &mut Entries, vpc: &str, broken: bool) {
    let profile = e.rng.below(10);
    if profile < 3 && !broken {
        e.add(true, ESSENTIAL, "-1", ANY, true, None);
        e.add(false, ESSENTIAL, "-1", ANY, true, None);
        return;
    }
    if profile < 8 {
        e.add(true, ESSENTIAL, "6", ANY, true, Some((443, 443)));
        e.add(true, ESSENTIAL, "6", ANY, true, Some((1024, 65535)));
        e.add(true, ESSENTIAL, "6", ANY, true, Some((80, 80)));
        e.add(false, ESSENTIAL, "6", vpc, true, Some((443, 443)));
        e.add(false, ESSENTIAL, "6", "172.16.0.0/12", true, Some((22, 22)));
    } else {
        e.add(true, ESSENTIAL, "-1", vpc, true, None);
        e.add(true, ESSENTIAL, "6", ANY, true, Some((443, 443)));
        e.add(false, ESSENTIAL, "-1", vpc, true, None);
    }
    match (broken, e.rng.percent(50)) {
        (false, _) => e.add(false, ESSENTIAL, "6", ANY, true, Some((1024, 65535))),
        (true, true) => e.add(false, ESSENTIAL, "6", vpc, true, Some((1024, 65535))),
        (true, false) => {}
    }
}

/// An entry that never blocks tcp/443 or the ephemeral range for healthy ACLs.
fn noise(e: &mut Entries, vpc: Cidr) {
    let egress = e.rng.percent(50);
    let vpc_s = vpc.to_string();
    match e.rng.below(9) {
        0 | 1 => {
            let cidr = *e.rng.pick(&BLOCKLIST);
            e.add(egress, BLOCK, "-1", cidr, false, None)
        }
        2 => e.add(
            true,
            MIDDLE,
            "17",
            &host_cidr(vpc.host(2)),
            true,
            Some((53, 53)),
        ),
        3 => e.add(egress, MIDDLE, "1", &vpc_s, true, None),
        4 => {
            let port = *e.rng.pick(&[23, 135, 139, 445]);
            e.add(false, MIDDLE, "6", ANY, false, Some((port, port)))
        }
        5 => e.add(
            false,
            MIDDLE,
            "6",
            "172.16.0.0/12",
            true,
            Some((3389, 3389)),
        ),
        6 => e.add(true, MIDDLE, "6", &vpc_s, true, Some((5432, 5432))),
        7 => {
            let port = *e.rng.pick(&[3389, 5900, 6379]);
            e.add(false, LATE, "6", ANY, false, Some((port, port)))
        }
        _ => e.add(false, MIDDLE, "17", ANY, true, Some((1024, 65535))),
    }
}

/// The `describe-network-acls` document.
pub(crate) fn document(acls: &[Nacl], subnets: &[Subnet], vpcs: &[Vpc]) -> Value {
    json!({ "NetworkAcls": acls.iter().map(|a| acl_json(a, subnets, vpcs)).collect::<Vec<_>>() })
}

fn acl_json(a: &Nacl, subnets: &[Subnet], vpcs: &[Vpc]) -> Value {
    let assocs: Vec<Value> = a
        .subnets
        .iter()
        .map(|(id, s)| json!({"NetworkAclAssociationId": id, "NetworkAclId": a.id, "SubnetId": subnets[*s].id}))
        .collect();
    let tags = if a.default {
        json!([])
    } else {
        name_tag(&a.name)
    };
    json!({
        "Associations": assocs,
        "Entries": a.entries,
        "IsDefault": a.default,
        "NetworkAclId": a.id,
        "OwnerId": OWNER,
        "Tags": tags,
        "VpcId": vpcs[a.vpc].id,
    })
}
