//! VPCs (`describe-vpcs`) and their DNS attributes (`describe-vpc-attribute`).

use crate::aws::{name_tag, OWNER};
use crate::ids::IdGen;
use crate::ip::Cidr;
use crate::rng::Rng;
use crate::SynthParams;
use serde_json::{json, Value};

/// One planned VPC.
#[derive(Debug)]
pub(crate) struct Vpc {
    pub id: String,
    pub name: String,
    pub cidr: Cidr,
    cidr_assoc: String,
    dhcp: String,
    /// `enableDnsHostnames`; off in a misconfigured VPC.
    pub dns_hostnames: bool,
}

/// Plans `params.vpcs` VPCs, VPC `n` owning `10.n.0.0/16`.
pub(crate) fn plan(p: &SynthParams, rng: &mut Rng, ids: &mut IdGen) -> Vec<Vpc> {
    (0..p.vpcs)
        .map(|n| Vpc {
            id: ids.next("vpc"),
            name: format!(
                "{}-{n:02}",
                rng.pick(&["prod", "stage", "shared", "data", "apps"])
            ),
            cidr: Cidr::new(10, n as u8, 0, 0, 16),
            cidr_assoc: ids.next("vpc-cidr-assoc"),
            dhcp: format!("dopt-{}", rng.hex(8)),
            dns_hostnames: !rng.percent(p.misconfig_percent),
        })
        .collect()
}

/// The `describe-vpcs` document.
pub(crate) fn document(vpcs: &[Vpc]) -> Value {
    json!({ "Vpcs": vpcs.iter().map(vpc_json).collect::<Vec<_>>() })
}

fn vpc_json(v: &Vpc) -> Value {
    json!({
        "CidrBlock": v.cidr.to_string(),
        "CidrBlockAssociationSet": [{
            "AssociationId": v.cidr_assoc,
            "CidrBlock": v.cidr.to_string(),
            "CidrBlockState": {"State": "associated"}
        }],
        "DhcpOptionsId": v.dhcp,
        "InstanceTenancy": "default",
        "IsDefault": false,
        "OwnerId": OWNER,
        "State": "available",
        "Tags": name_tag(&v.name),
        "VpcId": v.id,
    })
}

/// One `describe-vpc-attribute` document per VPC and attribute, under `vpc-attributes/`.
pub(crate) fn attribute_documents(vpcs: &[Vpc]) -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    for v in vpcs {
        for (attr, value) in [
            ("EnableDnsSupport", true),
            ("EnableDnsHostnames", v.dns_hostnames),
        ] {
            let doc = json!({ "VpcId": v.id, attr: {"Value": value} });
            docs.push((format!("vpc-attributes/{}-{attr}.json", v.id), doc));
        }
    }
    docs
}
