//! VPC peering connections (docs/spec.md section 2, facts P1-P3): which VPCs a connection joins,
//! whether it carries traffic, and whether security-group references work across it.

use crate::snapshot::{DescribeCall, Snapshot, VpcPeeringConnection};

/// The connection `pcx`, `Err` when the snapshot cannot say (no describe output, or the
/// connection is not in it).
pub(crate) fn connection<'a>(
    snap: &'a Snapshot,
    pcx: &str,
) -> Result<&'a VpcPeeringConnection, String> {
    if !snap.coverage.has(DescribeCall::VpcPeeringConnections) {
        return Err(crate::transit_gateway::lacks(
            DescribeCall::VpcPeeringConnections,
        ));
    }
    snap.vpc_peerings
        .get(pcx)
        .ok_or_else(|| format!("{pcx} is not in the describe-vpc-peering-connections output"))
}

/// The connection's status code (`active`, `pending-acceptance`, ...), lower-cased.
pub(crate) fn status(c: &VpcPeeringConnection) -> String {
    c.status
        .as_ref()
        .map(|s| s.code.to_ascii_lowercase())
        .unwrap_or_default()
}

/// True when the connection joins `a` and `b` (in either role): peering is not transitive (P2).
pub(crate) fn joins(c: &VpcPeeringConnection, a: &str, b: &str) -> bool {
    let vpc = |i: &Option<crate::snapshot::PeeringVpcInfo>| {
        i.as_ref()
            .and_then(|i| i.vpc_id.clone())
            .unwrap_or_default()
    };
    let (x, y) = (vpc(&c.requester_vpc_info), vpc(&c.accepter_vpc_info));
    (x == a && y == b) || (x == b && y == a)
}

/// Whether security-group references work across the connection (P3): only when both sides are
/// in one region (a side without a region is taken as the snapshot's one region).
pub(crate) fn sg_referencing(c: &VpcPeeringConnection) -> bool {
    let region =
        |i: &Option<crate::snapshot::PeeringVpcInfo>| i.as_ref().and_then(|i| i.region.clone());
    match (region(&c.requester_vpc_info), region(&c.accepter_vpc_info)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// The peering connections between two VPCs, any status.
pub(crate) fn between<'a>(
    snap: &'a Snapshot,
    a: &'a str,
    b: &'a str,
) -> impl Iterator<Item = &'a VpcPeeringConnection> + 'a {
    snap.vpc_peerings.values().filter(move |c| joins(c, a, b))
}
