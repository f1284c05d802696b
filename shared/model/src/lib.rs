//! # vpce-reach-model
//!
//! The pure model behind vpce-reach: it loads a network snapshot (the outputs of
//! `aws ec2 describe-*` calls) and decides, for every workload/VPC-endpoint pair, whether the
//! workload can open a connection to the endpoint and get the replies back, and if not, which
//! security group, network ACL or route table is to blame and what the smallest fix is.
//!
//! No AWS SDK and no async runtime: the Lambdas and the CLI feed it documents and read back
//! [`check::Report`]s and [`compliance::Evaluation`]s.

pub mod check;
pub mod compiled;
pub mod compliance;
pub mod endpoint;
pub mod finding;
pub mod fxhash;
pub mod intent;
pub mod network_acl;
pub mod params;
pub mod path;
pub mod policy;
pub mod prefix_list;
pub mod protocol;
pub mod route;
pub mod security_group;
pub mod snapshot;
pub mod space;
mod text;
