//! Account-wide constants and small JSON helpers shared by the resource modules.

use serde_json::{json, Value};

/// The account that owns every generated resource.
pub(crate) const OWNER: &str = "123456789012";
/// The region of the snapshot.
pub(crate) const REGION: &str = "us-east-1";
/// The three availability zones subnets are spread over.
pub(crate) const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// The zone ids of [`AZS`].
pub(crate) const AZ_IDS: [&str; 3] = ["use1-az1", "use1-az2", "use1-az4"];

/// A `Tags` array from key/value pairs.
pub(crate) fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// A `Tags` array holding only a `Name` tag.
pub(crate) fn name_tag(name: &str) -> Value {
    tags(&[("Name", name)])
}
