//! Route 53 Resolver: `list-resolver-rules` → `{"ResolverRules": [...]}` and
//! `list-resolver-rule-associations` → `{"ResolverRuleAssociations": [...]}`.
//!
//! Regional and read whole, whatever the scope (like the links between VPCs): a region has
//! few rules, and the rules shared with the account through RAM are listed with its own.

use aws_sdk_route53resolver::types::{ResolverRule, ResolverRuleAssociation, TargetAddress};
use aws_sdk_route53resolver::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress, Service};

/// The file of the rules.
pub const RULES_FILE: &str = "resolver-rules.json";
/// The file of the rules' VPC associations.
pub const ASSOCIATIONS_FILE: &str = "resolver-rule-associations.json";
const SCOPE: &str = "whole region";

/// Collects the rules and their associations into their two documents.
pub(crate) async fn collect(
    client: &Client,
    progress: &Progress<'_>,
) -> Result<Vec<Document>, CallError> {
    let (rules, associations) = tokio::try_join!(
        async {
            paginate!(
                Service::Route53Resolver => client.list_resolver_rules(),
                "ListResolverRules",
                SCOPE
            )
        },
        async {
            paginate!(
                Service::Route53Resolver => client.list_resolver_rule_associations(),
                "ListResolverRuleAssociations",
                SCOPE
            )
        },
    )?;
    let rules: Vec<ResolverRule> = rules;
    let associations: Vec<ResolverRuleAssociation> = associations;
    progress(&format!(
        "Route 53 Resolver: {} rules, {} VPC associations",
        rules.len(),
        associations.len()
    ));
    Ok(vec![
        (
            RULES_FILE.to_owned(),
            document("ResolverRules", rules.iter().map(rule).collect()),
        ),
        (
            ASSOCIATIONS_FILE.to_owned(),
            document(
                "ResolverRuleAssociations",
                associations.iter().map(association).collect(),
            ),
        ),
    ])
}

/// One rule as the CLI prints it.
pub fn rule(r: &ResolverRule) -> Value {
    Obj::new()
        .str("Id", r.id())
        .str("Arn", r.arn())
        .str("DomainName", r.domain_name())
        .str("Status", r.status().map(|s| s.as_str()))
        .str("RuleType", r.rule_type().map(|t| t.as_str()))
        .str("Name", r.name())
        .list("TargetIps", r.target_ips(), target)
        .str("ResolverEndpointId", r.resolver_endpoint_id())
        .str("OwnerId", r.owner_id())
        .str("ShareStatus", r.share_status().map(|s| s.as_str()))
        .build()
}

fn target(t: &TargetAddress) -> Value {
    Obj::new()
        .str("Ip", t.ip())
        .int("Port", t.port())
        .str("Ipv6", t.ipv6())
        .str("Protocol", t.protocol().map(|p| p.as_str()))
        .build()
}

/// One rule association as the CLI prints it.
pub fn association(a: &ResolverRuleAssociation) -> Value {
    Obj::new()
        .str("Id", a.id())
        .str("ResolverRuleId", a.resolver_rule_id())
        .str("Name", a.name())
        .str("VPCId", a.vpc_id())
        .str("Status", a.status().map(|s| s.as_str()))
        .str("StatusMessage", a.status_message())
        .build()
}
