//! # vpce-reach-model
//!
//! The pure model behind vpce-reach: it loads a network snapshot (the outputs of
//! `aws ec2 describe-*` calls) and decides, for every workload/VPC-endpoint pair, whether the
//! workload can open a connection to the endpoint and get the replies back, and if not, which
//! security group, network ACL or route table is to blame and what the smallest fix is.
//!
//! No AWS SDK and no async runtime: the Lambdas and the CLI feed it documents and read back a
//! [`Report`] and [`Evaluation`]s. This file is the whole API:
//!
//! - load: [`load_dir`] (a directory of JSON files) or [`from_documents`] (documents already
//!   in memory), both giving a [`Snapshot`];
//! - decide: [`check`] gives a [`Report`] (pairs, [`Finding`]s, gaps); [`trace_pair`] traces
//!   one pair hop by hop for `explain` ([`PairTrace`]);
//! - map: [`evaluations`] turns a report into one AWS Config [`Evaluation`] per resource;
//!   [`matrices`] into reachability matrices (workload groups x endpoints) for people;
//! - tune: [`RuleParameters`], the rule's parameters.
//!
//! ```
//! use std::path::Path;
//! use vpce_reach_model::{check, evaluations, load_dir, ComplianceType, RuleParameters};
//!
//! let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/demo");
//! let snapshot = load_dir(&demo)?;
//! let params = RuleParameters::from_pairs([("RequiredServices", "ssm,s3")])?;
//! let report = check(&snapshot, &params);
//! assert!(!report.findings.is_empty(), "the demo has broken pairs");
//! let verdicts = evaluations(&snapshot, &report);
//! assert!(verdicts
//!     .iter()
//!     .any(|e| e.compliance_type == ComplianceType::NonCompliant));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Inside, `path` builds one pair's hops exactly from the snapshot (for `explain` and
//! [`check_exact`]); `check` decides every pair, fast (`check::fast`: compiled rules, masks,
//! hops shared by key) or exactly (`check_exact`, the property tests' oracle, which shares
//! nothing with the fast path).

#![warn(missing_docs, unreachable_pub)]

mod account;
mod addr_family;
mod check;
mod compliance;
pub mod dns;
mod endpoint;
mod finding;
mod fxhash;
mod inert;
mod intent;
mod load_balancer;
mod network_acl;
mod params;
mod path;
mod peering;
mod policy;
mod prefix_list;
mod protocol;
mod route;
mod security_group;
pub mod snapshot;
mod space;
// IPv6 (issue 17): which address families a pair uses (docs/spec.md section 12, V10).
mod family;
mod space6;
mod text;
mod transit_gateway;

pub use account::{foreign_account, name_accounts, AccountId, AccountIdError};
pub use check::{
    check, check_exact, trace_pair, trace_service, LoadBalancerTrace, MissingData, PairIter,
    PairResult, Pairs, Report, ServiceTrace, TargetPath, TraceError,
};
// The report as matrices, for `check --format html` (issue 19).
pub use check::{
    matrices, Blame, Cell, CellState, GroupKey, Matrices, MatrixEndpoint, MatrixRow, VpcMatrix,
    MAX_EXAMPLES,
};
pub use compliance::{
    evaluations, evaluations_for, resource_vpcs, ComplianceType, Evaluation, DHCP_OPTIONS_TYPE,
    ENDPOINT_SERVICE_TYPE, HOSTED_ZONE_TYPE, LOAD_BALANCER_TYPE, MAX_ANNOTATION, PEERING_TYPE,
    RESOLVER_RULE_TYPE, RESOURCE_TYPES, TGW_ATTACHMENT_TYPE, TGW_ROUTE_TABLE_TYPE,
};
pub use finding::{Direction, Finding, FindingCode};
pub use inert::{inert, is_unsafe};
pub use intent::{eni_role, is_workload, EniFacts, EniRole, Reason, Reasons};
pub use params::{short_service_name, ParamError, RuleParameters, TagSelector, KEYS};
pub use path::{Hop, HopKind, Outcome, PairTrace, Target, Verdict};
pub use snapshot::load::{from_documents, load_dir};
pub use snapshot::{LoadError, Snapshot};
pub use space::PortRange;
