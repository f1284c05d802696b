//! The AWS Config custom rule of vpce-reach: on a change to a security group, NACL, route
//! table, VPC endpoint or VPC, or to a workload's ENI, re-evaluates the whole VPC of that
//! resource; on schedule, the whole region. Evaluations come from the model crate, unchanged, and go to Config with
//! `PutEvaluations`.
//!
//! Modules, one job each: [`event`] decodes the invoking event, [`scope`] finds the VPC of a
//! change, [`evaluate`] collects and checks, [`earlier`] reads what Config holds
//! (evaluations it holds unchanged are not put again), [`stale`] withdraws verdicts of deleted
//! resources, [`put`] sends the evaluations, [`handler`] ties them together;
//! [`workload_change`] decides whether an ENI's or a subnet's change can matter.

#![warn(missing_docs)]

pub mod earlier;
pub mod error;
pub mod evaluate;
pub mod event;
pub mod handler;
pub mod put;
pub mod scope;
pub mod stale;
pub mod workload_change;

pub use error::RuleError;
pub use handler::{handle, log_outcome, Clients, Summary};
