//! What to collect: the whole region, or some VPCs.

use aws_sdk_ec2::types::Filter;

/// The VPCs to collect. Empty means every VPC of the client's region.
///
/// Prefix lists, transit gateways and peering connections are regional and always collected
/// whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// VPC ids (`vpc-...`); empty for the whole region.
    pub vpc_ids: Vec<String>,
    /// VPCs linked to those (the same transit gateway, a peering connection), collected with
    /// them so that paths across the link are decided both ways; they need not exist in the
    /// caller's account (a peer may be another account's).
    pub linked: Vec<String>,
}

impl Scope {
    /// The whole region.
    pub fn region() -> Scope {
        Scope::default()
    }

    /// Only these VPCs.
    pub fn vpcs<I, S>(ids: I) -> Scope
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Scope {
            vpc_ids: ids.into_iter().map(Into::into).collect(),
            linked: Vec::new(),
        }
    }

    /// The `vpc-id` filter of a scoped describe call, `None` for the whole region.
    pub(crate) fn vpc_filters(&self) -> Option<Vec<Filter>> {
        if self.vpc_ids.is_empty() {
            return None;
        }
        let filter = Filter::builder()
            .name("vpc-id")
            .set_values(Some(self.all_vpcs().map(str::to_owned).collect()))
            .build();
        Some(vec![filter])
    }

    /// How errors name the scope: `whole region` or the VPC ids (and how many are linked).
    pub fn label(&self) -> String {
        if self.vpc_ids.is_empty() {
            return "whole region".to_owned();
        }
        let ids = self.vpc_ids.join(", ");
        match self.linked.len() {
            0 => ids,
            n => format!("{ids} and {n} linked VPCs"),
        }
    }

    /// The scope's VPCs and the VPCs linked to them.
    pub fn all_vpcs(&self) -> impl Iterator<Item = &str> {
        self.vpc_ids.iter().chain(&self.linked).map(String::as_str)
    }

    /// True when `vpc` is collected: the whole region, or one of [`Scope::all_vpcs`].
    pub fn covers(&self, vpc: &str) -> bool {
        self.vpc_ids.is_empty() || self.all_vpcs().any(|v| v == vpc)
    }

    /// This scope with the VPCs linked to its VPCs in `links` (the documents of
    /// `transit_gateways` and `peering`): every VPC attached to a transit gateway one of them is
    /// attached to, and the other side of their peering connections. One step only: a spoke's
    /// hub, and a hub's spokes, not the spokes of a spoke's peer.
    pub fn with_links(&self, links: &[crate::Document]) -> Scope {
        if self.vpc_ids.is_empty() {
            return self.clone();
        }
        let mut linked: Vec<String> = Vec::new();
        let mut add = |vpc: &str| {
            if !self.vpc_ids.iter().any(|v| v == vpc) && !linked.iter().any(|v| v == vpc) {
                linked.push(vpc.to_owned());
            }
        };
        for (_, doc) in links {
            for vpc in linked_by_tgw(doc, &self.vpc_ids) {
                add(vpc);
            }
            for vpc in linked_by_peering(doc, &self.vpc_ids) {
                add(vpc);
            }
        }
        Scope {
            vpc_ids: self.vpc_ids.clone(),
            linked,
        }
    }
}

/// Items of `doc` under `key`, or nothing.
fn items<'a>(doc: &'a serde_json::Value, key: &str) -> &'a [serde_json::Value] {
    doc[key].as_array().map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v[key].as_str()
}

/// VPCs attached to the transit gateways that a VPC of `ours` is attached to (attachments being
/// deleted or gone carry nothing).
fn linked_by_tgw<'a>(doc: &'a serde_json::Value, ours: &[String]) -> Vec<&'a str> {
    let attachments = items(doc, "TransitGatewayVpcAttachments");
    let live = |a: &&serde_json::Value| {
        !matches!(
            text(a, "State"),
            Some("deleting" | "deleted" | "failed" | "rejected")
        )
    };
    let gateways: Vec<&str> = attachments
        .iter()
        .filter(live)
        .filter(|a| text(a, "VpcId").is_some_and(|v| ours.iter().any(|o| o == v)))
        .filter_map(|a| text(a, "TransitGatewayId"))
        .collect();
    attachments
        .iter()
        .filter(live)
        .filter(|a| text(a, "TransitGatewayId").is_some_and(|t| gateways.contains(&t)))
        .filter_map(|a| text(a, "VpcId"))
        .collect()
}

/// The other side of the peering connections of `ours` that are not gone.
fn linked_by_peering<'a>(doc: &'a serde_json::Value, ours: &[String]) -> Vec<&'a str> {
    let side = |c: &'a serde_json::Value, key: &str| c[key]["VpcId"].as_str();
    let mut out = Vec::new();
    for c in items(doc, "VpcPeeringConnections") {
        let gone = matches!(
            c["Status"]["Code"].as_str(),
            Some("deleted" | "deleting" | "rejected" | "expired" | "failed")
        );
        let (Some(a), Some(b)) = (side(c, "RequesterVpcInfo"), side(c, "AccepterVpcInfo")) else {
            continue;
        };
        if gone {
            continue;
        }
        if ours.iter().any(|o| o == a) {
            out.push(b);
        }
        if ours.iter().any(|o| o == b) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn links() -> Vec<crate::Document> {
        let attachments = json!({"TransitGatewayVpcAttachments": [
            {"TransitGatewayId": "tgw-1", "VpcId": "vpc-hub", "State": "available"},
            {"TransitGatewayId": "tgw-1", "VpcId": "vpc-spoke", "State": "available"},
            {"TransitGatewayId": "tgw-1", "VpcId": "vpc-old", "State": "deleted"},
            {"TransitGatewayId": "tgw-2", "VpcId": "vpc-other", "State": "available"},
        ]});
        let peering = json!({"VpcPeeringConnections": [
            {"Status": {"Code": "active"},
             "RequesterVpcInfo": {"VpcId": "vpc-peer"}, "AccepterVpcInfo": {"VpcId": "vpc-hub"}},
            {"Status": {"Code": "deleted"},
             "RequesterVpcInfo": {"VpcId": "vpc-gone"}, "AccepterVpcInfo": {"VpcId": "vpc-spoke"}},
        ]});
        vec![("a.json".into(), attachments), ("b.json".into(), peering)]
    }

    #[test]
    fn a_spoke_brings_its_hub_and_a_hub_its_spokes_and_peers() {
        let spoke = Scope::vpcs(["vpc-spoke"]).with_links(&links());
        assert_eq!(spoke.linked, ["vpc-hub"]);
        assert!(spoke.covers("vpc-hub") && !spoke.covers("vpc-peer"));
        assert_eq!(spoke.label(), "vpc-spoke and 1 linked VPCs");
        let hub = Scope::vpcs(["vpc-hub"]).with_links(&links());
        assert_eq!(hub.linked, ["vpc-spoke", "vpc-peer"]);
        let filter = hub.vpc_filters().unwrap();
        assert_eq!(filter[0].values(), ["vpc-hub", "vpc-spoke", "vpc-peer"]);
    }

    #[test]
    fn the_region_and_unlinked_vpcs_stay_as_they_are() {
        assert_eq!(Scope::region().with_links(&links()), Scope::region());
        assert!(Scope::region().covers("vpc-any"));
        let alone = Scope::vpcs(["vpc-other-2"]).with_links(&links());
        assert!(alone.linked.is_empty());
        assert_eq!(alone.label(), "vpc-other-2");
    }
}
