//! File layout of a snapshot, and counting what it holds.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Splits `items` into `files` nearly equal, non-empty parts (fewer when there are fewer items).
pub(crate) fn split(items: Vec<Value>, files: usize) -> Vec<Vec<Value>> {
    let per = items.len().div_ceil(files.max(1)).max(1);
    let mut parts: Vec<Vec<Value>> = Vec::new();
    let mut it = items.into_iter().peekable();
    while it.peek().is_some() {
        parts.push(it.by_ref().take(per).collect());
    }
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    parts
}

/// How many files to split `n` objects into: `per_file` each, at least 2.
pub(crate) fn file_count(n: usize, per_file: usize) -> usize {
    n.div_ceil(per_file).max(2)
}

/// Names parts `dir/part-000.json`, `dir/part-001.json`, ...
pub(crate) fn name_parts(dir: &str, parts: Vec<Value>) -> Vec<(String, Value)> {
    parts
        .into_iter()
        .enumerate()
        .map(|(i, v)| (format!("{dir}/part-{i:03}.json"), v))
        .collect()
}

/// The top-level keys whose arrays are counted.
const LIST_KEYS: [&str; 8] = [
    "Vpcs",
    "Subnets",
    "RouteTables",
    "NetworkAcls",
    "SecurityGroups",
    "NetworkInterfaces",
    "VpcEndpoints",
    "PrefixLists",
];

/// Counts the objects of each kind in generated documents: one entry per list key
/// (`Vpcs`, `NetworkInterfaces`, ...) plus `VpcAttributes` for `describe-vpc-attribute` documents.
pub fn count_objects(docs: &[(String, Value)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, doc) in docs {
        for key in LIST_KEYS {
            if let Some(list) = doc.get(key).and_then(Value::as_array) {
                *counts.entry(key.to_string()).or_insert(0) += list.len();
            }
        }
        if doc.get("VpcId").is_some() {
            *counts.entry("VpcAttributes".to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// Writes documents under `dir`, pretty-printed, creating sub-directories as needed.
pub(crate) fn write_all(docs: &[(String, Value)], dir: &Path) -> io::Result<()> {
    for (name, doc) in docs {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut text = serde_json::to_string_pretty(doc).map_err(io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)?;
    }
    Ok(())
}
