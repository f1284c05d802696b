//! What to collect: the whole region, or some VPCs.

use aws_sdk_ec2::types::Filter;

/// The VPCs to collect. Empty means every VPC of the client's region.
///
/// Prefix lists are regional and always collected whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// VPC ids (`vpc-...`); empty for the whole region.
    pub vpc_ids: Vec<String>,
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
        }
    }

    /// The `vpc-id` filter of a scoped describe call, `None` for the whole region.
    pub(crate) fn vpc_filters(&self) -> Option<Vec<Filter>> {
        if self.vpc_ids.is_empty() {
            return None;
        }
        let filter = Filter::builder()
            .name("vpc-id")
            .set_values(Some(self.vpc_ids.clone()))
            .build();
        Some(vec![filter])
    }

    /// How errors name the scope: `whole region` or the VPC ids.
    pub fn label(&self) -> String {
        if self.vpc_ids.is_empty() {
            "whole region".to_owned()
        } else {
            self.vpc_ids.join(", ")
        }
    }
}
