//! Deterministic generator of large, realistic AWS network snapshots, for benchmarking
//! vpce-reach.
//!
//! A snapshot is a set of JSON documents, each the exact shape of an `aws ec2 describe-*`
//! output (docs/spec.md section 7): VPCs, subnets, route tables, network ACLs, security groups,
//! network interfaces, VPC endpoints, prefix lists and `describe-vpc-attribute` outputs.
//! The same [`SynthParams`] (seed included) always give byte-identical documents.
//!
//! ```
//! let docs = vpce_reach_synth::generate(&vpce_reach_synth::SynthParams::small());
//! let counts = vpce_reach_synth::count_objects(&docs);
//! assert_eq!(counts["Vpcs"], 1);
//! ```

#![warn(missing_docs)]

mod aws;
mod dualstack;
mod endpoint;
mod eni;
mod ids;
mod ip;
mod network_acl;
mod org;
mod output;
mod params;
mod prefix_list;
mod rng;
mod route_table;
mod security_group;
mod sg_rules;
mod subnet;
mod vpc;
mod world;

pub use org::{generate as generate_org, OrgParams, NETWORK_ACCOUNT};
pub use output::count_objects;
pub use params::SynthParams;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Generates a snapshot: `(relative file name, document)` pairs in a fixed order.
///
/// # Panics
/// When `params` fail [`SynthParams::validate`]; the message names the parameter.
pub fn generate(params: &SynthParams) -> Vec<(String, Value)> {
    if let Err(e) = params.validate() {
        panic!("invalid SynthParams: {e}");
    }
    let mut docs = world::World::build(params).documents();
    let dual = dualstack::vpcs(params.vpcs, params.dualstack_percent);
    dualstack::apply(&mut docs, dual);
    docs
}

/// Generates a snapshot and writes it under `dir` (created if needed), returning the
/// object counts of [`count_objects`].
///
/// # Errors
/// Invalid parameters (as [`std::io::ErrorKind::InvalidInput`]) or a failed write.
pub fn write(params: &SynthParams, dir: &Path) -> std::io::Result<BTreeMap<String, usize>> {
    params
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let docs = generate(params);
    output::write_all(&docs, dir)?;
    Ok(count_objects(&docs))
}

/// Generates the organisation preset ([`OrgParams`]) and writes it under `dir`, returning the
/// object counts of [`count_objects`].
///
/// # Errors
/// Invalid parameters (as [`std::io::ErrorKind::InvalidInput`]) or a failed write.
pub fn write_org(params: &OrgParams, dir: &Path) -> std::io::Result<BTreeMap<String, usize>> {
    params
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let docs = generate_org(params);
    output::write_all(&docs, dir)?;
    Ok(count_objects(&docs))
}
