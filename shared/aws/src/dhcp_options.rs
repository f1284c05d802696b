//! `describe-dhcp-options` → `{"DhcpOptions": [...]}`: the option sets the VPCs in scope use.
//!
//! A VPC names its set by `DhcpOptionsId` in `describe-vpcs`; `default` means no set (the
//! Amazon-provided DNS server), so it is never asked for.

use aws_sdk_ec2::types::{DhcpConfiguration, DhcpOptions, Filter};
use aws_sdk_ec2::Client;
use serde_json::Value;

use crate::json::{document, Obj};
use crate::{CallError, Document, Progress};

/// The snapshot file this module writes.
pub const FILE: &str = "dhcp-options.json";
const CALL: &str = "DescribeDhcpOptions";

/// Collects the option sets `ids` (the VPCs' `DhcpOptionsId`s) into their document; no call
/// when there are none. A set that no longer exists is simply absent: the model then says the
/// VPC's resolver is unknown (never a verdict on a guess).
pub(crate) async fn collect(
    client: &Client,
    ids: &[String],
    progress: &Progress<'_>,
) -> Result<Document, CallError> {
    let sets: Vec<DhcpOptions> = if ids.is_empty() {
        Vec::new()
    } else {
        // A filter rather than `DhcpOptionsIds`: an id list fails the whole call when one set
        // is gone, and refuses `MaxResults`.
        let filter = Filter::builder()
            .name("dhcp-options-id")
            .set_values(Some(ids.to_vec()))
            .build();
        paginate!(
            client.describe_dhcp_options().filters(filter),
            1000,
            CALL,
            ids.join(", ")
        )?
    };
    progress(&format!("{CALL}: {} option sets", sets.len()));
    Ok((FILE.to_owned(), to_document(&sets)))
}

/// The `DhcpOptionsId`s the VPCs of a `{"Vpcs": [...]}` document use, `default` left out,
/// sorted and unique.
pub fn ids_in_use(vpcs: &Value) -> Vec<String> {
    let mut ids: Vec<String> = vpcs["Vpcs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["DhcpOptionsId"].as_str())
        .filter(|id| *id != "default")
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The `{"DhcpOptions": [...]}` document.
pub fn to_document(sets: &[DhcpOptions]) -> Value {
    document("DhcpOptions", sets.iter().map(dhcp_options).collect())
}

/// One option set as the CLI prints it.
pub fn dhcp_options(d: &DhcpOptions) -> Value {
    Obj::new()
        .str("DhcpOptionsId", d.dhcp_options_id())
        .list("DhcpConfigurations", d.dhcp_configurations(), configuration)
        .str("OwnerId", d.owner_id())
        .tags("Tags", d.tags())
        .build()
}

fn configuration(c: &DhcpConfiguration) -> Value {
    let values: Vec<Value> = c
        .values()
        .iter()
        .map(|v| Obj::new().str("Value", v.value()).build())
        .collect();
    Obj::new()
        .str("Key", c.key())
        .opt("Values", Some(Value::Array(values)))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sets_in_use_leave_out_default_and_repeats() {
        let vpcs = serde_json::json!({"Vpcs": [
            {"VpcId": "vpc-1", "DhcpOptionsId": "dopt-b"},
            {"VpcId": "vpc-2", "DhcpOptionsId": "default"},
            {"VpcId": "vpc-3", "DhcpOptionsId": "dopt-a"},
            {"VpcId": "vpc-4", "DhcpOptionsId": "dopt-b"},
            {"VpcId": "vpc-5"}
        ]});
        assert_eq!(ids_in_use(&vpcs), ["dopt-a", "dopt-b"]);
        assert!(ids_in_use(&Value::Null).is_empty());
    }
}
