//! Subnets (`describe-subnets`): /24s spread over three AZs, with address allocation.

use crate::aws::{name_tag, AZS, AZ_IDS, OWNER, REGION};
use crate::ids::IdGen;
use crate::ip::{Cidr, HostAllocator};
use crate::rng::Rng;
use crate::vpc::Vpc;
use crate::SynthParams;
use serde_json::{json, Value};
use std::ops::Range;

/// One planned subnet.
#[derive(Debug)]
pub(crate) struct Subnet {
    pub id: String,
    pub vpc: usize,
    pub az: usize,
    pub cidr: Cidr,
    /// Public subnets route 0.0.0.0/0 to the internet gateway.
    pub public: bool,
    pub alloc: HostAllocator,
}

impl Subnet {
    /// Allocates a fresh address of this subnet.
    pub(crate) fn allocate(&mut self) -> Option<u32> {
        self.alloc.next().map(|offset| self.cidr.host(offset))
    }
}

/// The indices, in the subnet list, of VPC `vpc`'s subnets.
pub(crate) fn of_vpc(p: &SynthParams, vpc: usize) -> Range<usize> {
    vpc * p.subnets_per_vpc..(vpc + 1) * p.subnets_per_vpc
}

/// Plans the subnets: subnet `s` of VPC `n` is `10.n.s.0/24` in AZ `s % 3`.
pub(crate) fn plan(p: &SynthParams, rng: &mut Rng, ids: &mut IdGen, vpcs: &[Vpc]) -> Vec<Subnet> {
    let public = p.subnets_per_vpc >= 6;
    let mut subnets = Vec::with_capacity(vpcs.len() * p.subnets_per_vpc);
    for (n, _) in vpcs.iter().enumerate() {
        for s in 0..p.subnets_per_vpc {
            subnets.push(Subnet {
                id: ids.next("subnet"),
                vpc: n,
                az: s % 3,
                cidr: Cidr::new(10, n as u8, s as u8, 0, 24),
                public: public && s < 3,
                alloc: HostAllocator::new(rng),
            });
        }
    }
    subnets
}

/// Picks a subnet of `vpc` in `az` (any AZ when `None`) with a free address, preferring
/// private ones; the search starts at a random subnet.
pub(crate) fn pick_with_room(
    p: &SynthParams,
    rng: &mut Rng,
    subnets: &[Subnet],
    vpc: usize,
    az: Option<usize>,
) -> Option<usize> {
    let range = of_vpc(p, vpc);
    let start = rng.below(range.len());
    let ok = |i: usize, private_only: bool| {
        let s = &subnets[i];
        (az.is_none() || az == Some(s.az)) && s.alloc.free() > 0 && !(private_only && s.public)
    };
    let order = (0..range.len()).map(|k| range.start + (start + k) % range.len());
    let candidates: Vec<usize> = order.collect();
    let private = candidates.iter().copied().find(|&i| ok(i, true));
    private.or_else(|| candidates.iter().copied().find(|&i| ok(i, false)))
}

/// The `describe-subnets` document (call after all addresses are allocated).
pub(crate) fn document(subnets: &[Subnet], vpcs: &[Vpc]) -> Value {
    let list: Vec<Value> = subnets
        .iter()
        .map(|s| subnet_json(s, &vpcs[s.vpc]))
        .collect();
    json!({ "Subnets": list })
}

fn subnet_json(s: &Subnet, vpc: &Vpc) -> Value {
    let tier = if s.public { "public" } else { "private" };
    json!({
        "AssignIpv6AddressOnCreation": false,
        "AvailabilityZone": AZS[s.az],
        "AvailabilityZoneId": AZ_IDS[s.az],
        "AvailableIpAddressCount": s.alloc.free(),
        "CidrBlock": s.cidr.to_string(),
        "DefaultForAz": false,
        "Ipv6CidrBlockAssociationSet": [],
        "MapPublicIpOnLaunch": s.public,
        "OwnerId": OWNER,
        "State": "available",
        "SubnetArn": format!("arn:aws:ec2:{REGION}:{OWNER}:subnet/{}", s.id),
        "SubnetId": s.id,
        "Tags": name_tag(&format!("{}-{tier}-{}-{}", vpc.name, AZS[s.az], s.cidr.base >> 8 & 0xff)),
        "VpcId": vpc.id,
    })
}
