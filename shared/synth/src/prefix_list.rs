//! Prefix lists (`describe-prefix-lists` shape): the AWS-managed S3 and DynamoDB lists and a
//! few customer-managed ones.

use crate::ids::IdGen;
use crate::subnet::Subnet;
use crate::vpc::Vpc;
use serde_json::{json, Value};

/// The real us-east-1 S3 prefix list.
const S3: (&str, &str, &[&str]) = (
    "pl-63a5400a",
    "com.amazonaws.us-east-1.s3",
    &[
        "54.231.0.0/17",
        "52.216.0.0/15",
        "3.5.16.0/21",
        "3.5.0.0/20",
        "18.34.0.0/19",
        "16.182.0.0/16",
    ],
);
/// The real us-east-1 DynamoDB prefix list.
const DYNAMODB: (&str, &str, &[&str]) = (
    "pl-02cd2c6b",
    "com.amazonaws.us-east-1.dynamodb",
    &["52.94.0.0/22", "52.119.224.0/20", "3.218.180.0/22"],
);

/// One prefix list.
#[derive(Debug)]
pub(crate) struct PrefixList {
    pub id: String,
    pub name: String,
    pub cidrs: Vec<String>,
}

/// All prefix lists, with handles on the ones rules refer to.
#[derive(Debug)]
pub(crate) struct PrefixLists {
    pub all: Vec<PrefixList>,
    /// The AWS-managed S3 list.
    pub s3: String,
    /// The AWS-managed DynamoDB list.
    pub dynamodb: String,
    /// Customer-managed: corporate networks (172.16.0.0/12, 192.168.0.0/16).
    pub corp: String,
    /// Customer-managed: public partner APIs.
    pub partner: String,
    /// Customer-managed, per VPC (the first three): the VPC's private subnet CIDRs.
    pub private_subnets: Vec<Option<String>>,
}

impl PrefixLists {
    /// The AWS-managed list of a gateway service (`s3` or `dynamodb`).
    pub(crate) fn for_service(&self, service: &str) -> &str {
        if service == "s3" {
            &self.s3
        } else {
            &self.dynamodb
        }
    }
}

fn managed((id, name, cidrs): (&str, &str, &[&str])) -> PrefixList {
    PrefixList {
        id: id.into(),
        name: name.into(),
        cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
    }
}

fn customer(ids: &mut IdGen, name: &str, cidrs: Vec<String>) -> PrefixList {
    PrefixList {
        id: ids.next("pl"),
        name: name.into(),
        cidrs,
    }
}

/// Plans the prefix lists.
pub(crate) fn plan(ids: &mut IdGen, vpcs: &[Vpc], subnets: &[Subnet]) -> PrefixLists {
    let corp = customer(
        ids,
        "corp-networks",
        vec!["172.16.0.0/12".into(), "192.168.0.0/16".into()],
    );
    let partner_cidrs = [
        "35.190.247.0/24",
        "64.233.160.0/19",
        "151.101.0.0/16",
        "104.16.0.0/13",
    ];
    let partner = customer(
        ids,
        "partner-apis",
        partner_cidrs.iter().map(|c| c.to_string()).collect(),
    );
    let (s3, dynamodb) = (managed(S3), managed(DYNAMODB));
    let mut lists = PrefixLists {
        s3: s3.id.clone(),
        dynamodb: dynamodb.id.clone(),
        corp: corp.id.clone(),
        partner: partner.id.clone(),
        private_subnets: vec![None; vpcs.len()],
        all: vec![s3, dynamodb, corp, partner],
    };
    for (n, vpc) in vpcs.iter().enumerate().take(3) {
        let cidrs = subnets
            .iter()
            .filter(|s| s.vpc == n && !s.public)
            .map(|s| s.cidr.to_string());
        let list = customer(
            ids,
            &format!("{}-private-subnets", vpc.name),
            cidrs.collect(),
        );
        lists.private_subnets[n] = Some(list.id.clone());
        lists.all.push(list);
    }
    lists
}

/// The `describe-prefix-lists` document, each list with the `AddressFamily` that
/// `describe-managed-prefix-lists` gives it (as our live collection writes it).
pub(crate) fn document(lists: &PrefixLists) -> Value {
    let all: Vec<Value> = lists
        .all
        .iter()
        .map(|l| {
            json!({"AddressFamily": "IPv4", "Cidrs": l.cidrs, "PrefixListId": l.id,
                   "PrefixListName": l.name})
        })
        .collect();
    json!({ "PrefixLists": all })
}
