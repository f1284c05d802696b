//! # vpce-reach-change-watch
//!
//! The change-alert Lambda: EC2 API calls recorded by CloudTrail reach it through EventBridge
//! and an SQS queue (whose batching window debounces bursts). For each VPC a batch touched it
//! collects a snapshot, runs the model's check once, keeps the findings that involve the
//! changed resources, and publishes one SNS alert saying who changed what, which workloads lose
//! which endpoints, the finding codes and the smallest fix.
//!
//! Modules, in the order a record goes through them: [`cloudtrail`] (parsing), [`changes`]
//! (which calls matter, which resources they touch), then `vpce_reach_aws::locate` (where those
//! resources are) and `vpce_reach_aws::collect_and_check` (the evaluation), [`alert`]
//! (rendering, cut to fit SNS by [`fit`]), [`handler`] (the batch and its log; each publish
//! checked against [`deadline`]), [`settings`] (environment), [`runtime`] (the event decoded,
//! and the error types Lambda reports).

#![warn(missing_docs)]

pub mod alert;
pub mod changes;
pub mod cloudtrail;
pub mod deadline;
pub mod fit;
pub mod handler;
pub mod runtime;
pub mod settings;

pub use handler::{log_summary, Handler, Outcome, Summary};
pub use runtime::WatchError;
pub use settings::Settings;
