//! The snapshot loader (SPEC section 7): a directory read recursively, every `*.json` file the
//! unmodified output of one describe call, recognised by its top-level key, never by its name.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::describe::*;
use super::{Index, Snapshot, VpcDns};

/// Why a snapshot could not be loaded. Nothing is evaluated after one of these.
#[derive(Debug)]
pub enum LoadError {
    /// The directory or a file in it could not be read.
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file is not valid JSON, or a field has the wrong type or an impossible value.
    Malformed {
        /// The file (or document name).
        file: String,
        /// 1-based line of the error (0 when unknown).
        line: usize,
        /// 1-based column of the error (0 when unknown).
        column: usize,
        /// What serde found wrong.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            LoadError::Malformed {
                file,
                line: 0,
                message,
                ..
            } => write!(f, "{file}: {message}"),
            LoadError::Malformed {
                file,
                line,
                column,
                message,
            } => {
                write!(f, "{file}:{line}:{column}: {message}")
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// One describe output. Known keys are parsed in place, as they stream by (errors keep their
/// position, and nothing is buffered: serde's `flatten` would hold the whole document as a
/// generic tree first); other keys are only named, and reported as skipped.
#[derive(Default)]
struct Document {
    vpcs: Option<Vec<Vpc>>,
    subnets: Option<Vec<Subnet>>,
    route_tables: Option<Vec<RouteTable>>,
    network_acls: Option<Vec<NetworkAcl>>,
    security_groups: Option<Vec<SecurityGroup>>,
    network_interfaces: Option<Vec<NetworkInterface>>,
    vpc_endpoints: Option<Vec<VpcEndpoint>>,
    prefix_lists: Option<Vec<PrefixList>>,
    vpc_id: Option<String>,
    enable_dns_support: Option<AttributeBooleanValue>,
    enable_dns_hostnames: Option<AttributeBooleanValue>,
    other: Vec<String>,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> serde::de::Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a describe-* output (a JSON object)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut doc = Document::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Vpcs" => doc.vpcs = Some(map.next_value()?),
                "Subnets" => doc.subnets = Some(map.next_value()?),
                "RouteTables" => doc.route_tables = Some(map.next_value()?),
                "NetworkAcls" => doc.network_acls = Some(map.next_value()?),
                "SecurityGroups" => doc.security_groups = Some(map.next_value()?),
                "NetworkInterfaces" => doc.network_interfaces = Some(map.next_value()?),
                "VpcEndpoints" => doc.vpc_endpoints = Some(map.next_value()?),
                "PrefixLists" => doc.prefix_lists = Some(map.next_value()?),
                "VpcId" => doc.vpc_id = Some(map.next_value()?),
                "EnableDnsSupport" => doc.enable_dns_support = Some(map.next_value()?),
                "EnableDnsHostnames" => doc.enable_dns_hostnames = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    doc.other.push(key);
                }
            }
        }
        Ok(doc)
    }
}

/// Accumulates describe documents into a [`Snapshot`].
#[derive(Default)]
pub struct SnapshotBuilder {
    snap: Snapshot,
}

impl SnapshotBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one document given as JSON text; `name` is used in errors and notes.
    pub fn add_json(&mut self, name: &str, text: &str) -> Result<(), LoadError> {
        if !text.trim_start().starts_with('{') {
            serde_json::from_str::<IgnoredAny>(text).map_err(|e| malformed(name, &e))?;
            self.snap.notes.push(format!(
                "{name}: not a describe output (top level is not an object), skipped"
            ));
            return Ok(());
        }
        let doc: Document = serde_json::from_str(text).map_err(|e| malformed(name, &e))?;
        self.absorb(name, doc);
        Ok(())
    }

    /// Adds one document given as a JSON value (as produced by a live collection).
    pub fn add_value(&mut self, name: &str, value: serde_json::Value) -> Result<(), LoadError> {
        if !value.is_object() {
            self.snap.notes.push(format!(
                "{name}: not a describe output (top level is not an object), skipped"
            ));
            return Ok(());
        }
        let doc: Document = serde_json::from_value(value).map_err(|e| malformed(name, &e))?;
        self.absorb(name, doc);
        Ok(())
    }

    /// Finishes the snapshot: normalises states and builds the indexes.
    pub fn finish(mut self) -> Snapshot {
        for ep in self.snap.vpc_endpoints.values_mut() {
            ep.state = ep.state.as_ref().map(|s| s.to_ascii_lowercase());
        }
        self.snap.index = Index::build(&self.snap);
        self.snap
    }

    fn absorb(&mut self, name: &str, doc: Document) {
        let s = &mut self.snap;
        let notes = &mut s.notes;
        merge(notes, name, &mut s.vpcs, doc.vpcs, |r| &r.vpc_id);
        merge(notes, name, &mut s.subnets, doc.subnets, |r| &r.subnet_id);
        merge(notes, name, &mut s.route_tables, doc.route_tables, |r| {
            &r.route_table_id
        });
        merge(notes, name, &mut s.network_acls, doc.network_acls, |r| {
            &r.network_acl_id
        });
        merge(
            notes,
            name,
            &mut s.security_groups,
            doc.security_groups,
            |r| &r.group_id,
        );
        merge(
            notes,
            name,
            &mut s.network_interfaces,
            doc.network_interfaces,
            |r| &r.network_interface_id,
        );
        merge(notes, name, &mut s.vpc_endpoints, doc.vpc_endpoints, |r| {
            &r.vpc_endpoint_id
        });
        merge(notes, name, &mut s.prefix_lists, doc.prefix_lists, |r| {
            &r.prefix_list_id
        });
        absorb_vpc_attribute(
            s,
            name,
            doc.vpc_id,
            doc.enable_dns_support,
            doc.enable_dns_hostnames,
        );
        for key in &doc.other {
            s.notes.push(format!(
                "{name}: key `{key}` is not used by vpce-reach, skipped"
            ));
        }
    }
}

/// Adds resources by id; the first file to define an id wins (files are read in path order).
fn merge<T>(
    notes: &mut Vec<String>,
    file: &str,
    map: &mut BTreeMap<String, T>,
    items: Option<Vec<T>>,
    id: impl Fn(&T) -> &String,
) {
    for item in items.into_iter().flatten() {
        match map.entry(id(&item).clone()) {
            std::collections::btree_map::Entry::Occupied(e) => {
                notes.push(format!(
                    "{file}: {} already loaded from an earlier file, this copy ignored",
                    e.key()
                ));
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(item);
            }
        }
    }
}

fn absorb_vpc_attribute(
    snap: &mut Snapshot,
    file: &str,
    vpc_id: Option<String>,
    support: Option<AttributeBooleanValue>,
    hostnames: Option<AttributeBooleanValue>,
) {
    let Some(vpc_id) = vpc_id else { return };
    if support.is_none() && hostnames.is_none() {
        snap.notes
            .push(format!("{file}: `VpcId` without a DNS attribute, skipped"));
        return;
    }
    let dns: &mut VpcDns = snap.vpc_dns.entry(vpc_id).or_default();
    if let Some(v) = support {
        dns.enable_dns_support = Some(v.value);
    }
    if let Some(v) = hostnames {
        dns.enable_dns_hostnames = Some(v.value);
    }
}

fn malformed(file: &str, e: &serde_json::Error) -> LoadError {
    LoadError::Malformed {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// Builds a snapshot from named documents, as a live collection returns them.
pub fn from_documents(
    documents: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> Result<Snapshot, LoadError> {
    let mut builder = SnapshotBuilder::new();
    for (name, value) in documents {
        builder.add_value(&name, value)?;
    }
    Ok(builder.finish())
}

/// Loads every `*.json` file under `dir`, recursively, in path order.
pub fn load_dir(dir: &Path) -> Result<Snapshot, LoadError> {
    let mut files = Vec::new();
    collect_json_files(dir, &mut files)?;
    files.sort();
    let mut builder = SnapshotBuilder::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        builder.add_json(&path.display().to_string(), &text)?;
    }
    if files.is_empty() {
        builder
            .snap
            .notes
            .push(format!("{}: no *.json file found", dir.display()));
    }
    Ok(builder.finish())
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
