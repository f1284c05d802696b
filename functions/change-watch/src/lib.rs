//! # vpce-reach-change-watch
//!
//! The change-alert Lambda: EC2 API calls recorded by CloudTrail reach it through EventBridge
//! and an SQS queue (whose batching window debounces bursts). For each VPC a batch touched it
//! collects a snapshot, runs the model's check once, keeps the findings that involve the
//! changed resources, and publishes one SNS alert saying who changed what, which workloads lose
//! which endpoints, the finding codes and the smallest fix.
//!
//! Modules, in the order a record goes through them: [`cloudtrail`] (parsing), [`changes`]
//! (which calls matter, which resources they touch), [`vpcs`] (where those resources are),
//! [`alert`] (evaluation and rendering), [`handler`] (the batch), [`settings`] (environment).

#![warn(missing_docs)]

pub mod alert;
pub mod changes;
pub mod cloudtrail;
pub mod handler;
pub mod settings;
pub mod vpcs;

pub use handler::{Handler, Outcome, Summary};
pub use settings::Settings;
