//! The snapshot loader (docs/spec.md section 7): a directory read recursively, every `*.json` file the
//! unmodified output of one describe call, recognised by its top-level key, never by its name.
//! How the directory is read safely is [`super::walk`]'s; which calls a check needs is
//! [`super::coverage`]'s; how copies of one resource merge is [`SnapshotBuilder`]'s.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::coverage::{Coverage, DescribeCall};
use super::describe::*;
use super::dns::{DnsBuilder, DnsDocument, DnsLoadError};
use super::elb::{ElbBuilder, ElbDocument, ElbLoadError};
use super::links::*;
use super::{walk, Index, Snapshot, VpcDns};

/// Why a snapshot could not be loaded. Nothing is evaluated after one of these.
#[derive(Debug)]
pub enum LoadError {
    /// The snapshot directory does not exist.
    NoSuchDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The snapshot path exists but is not a directory.
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The directory or a file in it could not be read.
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file is larger than [`walk::MAX_FILE_BYTES`].
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The bound, in bytes.
        limit: u64,
    },
    /// A file is not UTF-8 text.
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first byte that is not UTF-8, from the start of the file.
        offset: usize,
        /// What to do about it.
        hint: &'static str,
    },
    /// The directory holds no describe output the loader reads (empty, or unrelated JSON).
    NothingRecognised {
        /// The directory.
        dir: PathBuf,
        /// How many `*.json` files it holds.
        files: usize,
    },
    /// One resource id arrived twice with different content.
    Conflict {
        /// The resource id (with the attribute, for VPC DNS attributes).
        id: String,
        /// The file of the first copy.
        first: String,
        /// The file of the second copy.
        second: String,
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
            LoadError::NoSuchDirectory { path } => {
                write!(f, "{}: no such directory", path.display())
            }
            LoadError::NotADirectory { path } => write!(f, "{}: not a directory", path.display()),
            LoadError::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            LoadError::TooLarge { path, limit } => write!(
                f,
                "{}: larger than {limit} bytes ({} MiB), the most vpce-reach reads from one \
                 describe output",
                path.display(),
                limit / (1024 * 1024)
            ),
            LoadError::NotUtf8 { path, offset, hint } => write!(
                f,
                "{}: not valid UTF-8 at byte offset {offset}: {hint}",
                path.display()
            ),
            LoadError::NothingRecognised { dir, files: 0 } => write!(
                f,
                "{}: no *.json file: not a snapshot (expected `aws ec2 describe-*` outputs)",
                dir.display()
            ),
            LoadError::NothingRecognised { dir, files } => write!(
                f,
                "{}: none of its {files} *.json files is a describe output vpce-reach reads \
                 (no top-level `Vpcs`, `Subnets`, `RouteTables`, `NetworkAcls`, \
                 `SecurityGroups`, `NetworkInterfaces`, `VpcEndpoints` or `PrefixLists`)",
                dir.display()
            ),
            LoadError::Conflict { id, first, second } => write!(
                f,
                "{second}: {id} differs from its copy in {first}: the snapshot mixes two \
                 different states of it (re-run the describe calls, or remove one file)"
            ),
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

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The items of one list call in the describe types, for [`SnapshotBuilder::add_items`].
#[derive(Debug, Clone, PartialEq)]
pub enum Items {
    /// `describe-security-groups` → `SecurityGroups`.
    SecurityGroups(Vec<SecurityGroup>),
    /// `describe-network-interfaces` → `NetworkInterfaces`.
    NetworkInterfaces(Vec<NetworkInterface>),
}

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
    prefix_lists: Option<Vec<PrefixListCopy>>,
    vpc_id: Option<String>,
    enable_dns_support: Option<AttributeBooleanValue>,
    enable_dns_hostnames: Option<AttributeBooleanValue>,
    transit_gateways: Option<Vec<TransitGateway>>,
    tgw_attachments: Option<Vec<TransitGatewayAttachment>>,
    tgw_vpc_attachments: Option<Vec<TransitGatewayVpcAttachment>>,
    tgw_route_tables: Option<Vec<TransitGatewayRouteTable>>,
    tgw_routes: Option<Vec<TransitGatewayRoutes>>,
    tgw_propagations: Option<Vec<TransitGatewayPropagations>>,
    vpc_peerings: Option<Vec<VpcPeeringConnection>>,
    /// Route 53, Resolver, Profiles, DHCP and endpoint-service keys (issue 15).
    dns: DnsDocument,
    /// Endpoint-service configurations and ELBv2 keys (issue 16).
    elb: ElbDocument,
    other: Vec<String>,
}

/// A prefix list as one file gives it: `describe-managed-prefix-lists` shares the key
/// `PrefixLists` and the ids with `describe-prefix-lists` but has no `Cidrs`, so an absent
/// field must stay distinguishable from an empty one until the copies are merged.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrefixListCopy {
    prefix_list_id: String,
    #[serde(default)]
    prefix_list_name: Option<String>,
    #[serde(default)]
    cidrs: Option<Vec<ipnet::IpNet>>,
    #[serde(default)]
    address_family: Option<String>,
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
                "TransitGateways" => doc.transit_gateways = Some(map.next_value()?),
                "TransitGatewayAttachments" => doc.tgw_attachments = Some(map.next_value()?),
                "TransitGatewayVpcAttachments" => doc.tgw_vpc_attachments = Some(map.next_value()?),
                "TransitGatewayRouteTables" => doc.tgw_route_tables = Some(map.next_value()?),
                "TransitGatewayStaticRoutes" => doc.tgw_routes = Some(map.next_value()?),
                "TransitGatewayPropagations" => doc.tgw_propagations = Some(map.next_value()?),
                "VpcPeeringConnections" => doc.vpc_peerings = Some(map.next_value()?),
                _ if doc.dns.read_key(&key, &mut map)? => {}
                _ if doc.elb.read_key(&key, &mut map)? => {}
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
///
/// Copies of one resource (the same id in two documents) follow one rule for every resource
/// type: they are merged. Identical copies are kept once (with a note); a field that only one
/// copy has is taken from it (only prefix lists can lack one: `describe-managed-prefix-lists`
/// gives no `Cidrs`); two different values for the same thing are a
/// [`LoadError::Conflict`] naming both files, since no choice between them is safe. The same
/// holds for each DNS attribute of a VPC.
#[derive(Default)]
pub struct SnapshotBuilder {
    snap: Snapshot,
    /// The names of the documents added, in order.
    files: Vec<String>,
    /// Resource id (or VPC attribute) → the document its first copy came from.
    origin: HashMap<String, u32>,
    /// Prefix lists as merged so far (converted by `finish`).
    prefix_lists: BTreeMap<String, PrefixListCopy>,
    /// The DNS documents (issue 15), merged by their own rules.
    dns: DnsBuilder,
    /// The provider-side documents (issue 16), merged by their own rules.
    elb: ElbBuilder,
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
        self.absorb(name, doc)
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
        self.absorb(name, doc)
    }

    /// Adds the items of one list call already converted into the describe types (a live
    /// collection's pages, converted from the SDK's answers without a JSON tree: issue 18);
    /// `name` is used in errors and notes. The checks the JSON route gets from the
    /// deserializers that are not in the types themselves (a TCP or UDP rule's ports) are made
    /// here, so both routes accept and refuse the same items.
    pub fn add_items(&mut self, name: &str, items: Items) -> Result<(), LoadError> {
        let mut doc = Document::default();
        match items {
            Items::SecurityGroups(groups) => {
                for group in &groups {
                    let rules = group.ip_permissions.iter();
                    for rule in rules.chain(&group.ip_permissions_egress) {
                        rule.check_ports().map_err(|message| LoadError::Malformed {
                            file: name.to_string(),
                            line: 0,
                            column: 0,
                            message: format!("{}: {message}", group.group_id),
                        })?;
                    }
                }
                doc.security_groups = Some(groups);
            }
            Items::NetworkInterfaces(enis) => doc.network_interfaces = Some(enis),
        }
        self.absorb(name, doc)
    }

    /// Finishes the snapshot: normalises states and builds the indexes.
    pub fn finish(mut self) -> Snapshot {
        for ep in self.snap.vpc_endpoints.values_mut() {
            ep.state = ep.state.as_ref().map(|s| s.to_ascii_lowercase());
        }
        for (id, copy) in std::mem::take(&mut self.prefix_lists) {
            let name = copy.prefix_list_name.unwrap_or_default();
            // No copy gave `Cidrs`: the entries are unknown, not an empty list (an explicit
            // `"Cidrs": []` is one).
            let Some(cidrs) = copy.cidrs else {
                self.snap.prefix_lists_without_entries.insert(id, name);
                continue;
            };
            let list = PrefixList {
                prefix_list_id: copy.prefix_list_id,
                prefix_list_name: name,
                cidrs,
                address_family: copy.address_family,
            };
            self.snap.prefix_lists.insert(id, list);
        }
        self.snap.dns = std::mem::take(&mut self.dns.data);
        self.snap.elb = std::mem::take(&mut self.elb.data);
        self.snap.index = Index::build(&self.snap);
        self.snap
    }

    fn absorb(&mut self, name: &str, doc: Document) -> Result<(), LoadError> {
        let file = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        self.files.push(name.to_string());
        let s = &mut self.snap;
        let mut copies = Copies {
            notes: &mut s.notes,
            files: &self.files,
            origin: &mut self.origin,
            file,
            coverage: &mut s.coverage,
        };
        copies.add(DescribeCall::Vpcs, &mut s.vpcs, doc.vpcs, |r| &r.vpc_id)?;
        copies.add(DescribeCall::Subnets, &mut s.subnets, doc.subnets, |r| {
            &r.subnet_id
        })?;
        copies.add(
            DescribeCall::RouteTables,
            &mut s.route_tables,
            doc.route_tables,
            |r| &r.route_table_id,
        )?;
        copies.add(
            DescribeCall::NetworkAcls,
            &mut s.network_acls,
            doc.network_acls,
            |r| &r.network_acl_id,
        )?;
        copies.add(
            DescribeCall::SecurityGroups,
            &mut s.security_groups,
            doc.security_groups,
            |r| &r.group_id,
        )?;
        copies.add(
            DescribeCall::NetworkInterfaces,
            &mut s.network_interfaces,
            doc.network_interfaces,
            |r| &r.network_interface_id,
        )?;
        copies.add(
            DescribeCall::VpcEndpoints,
            &mut s.vpc_endpoints,
            doc.vpc_endpoints,
            |r| &r.vpc_endpoint_id,
        )?;
        // The calls that link VPCs (issue 14). Routes and propagations are keyed by the TGW
        // route table they were asked about, so their copies merge as one resource each.
        copies.add(
            DescribeCall::TransitGateways,
            &mut s.transit_gateways,
            doc.transit_gateways,
            |r| &r.transit_gateway_id,
        )?;
        copies.add(
            DescribeCall::TransitGatewayAttachments,
            &mut s.tgw_attachments,
            doc.tgw_attachments,
            |r| &r.transit_gateway_attachment_id,
        )?;
        copies.add(
            DescribeCall::TransitGatewayVpcAttachments,
            &mut s.tgw_vpc_attachments,
            doc.tgw_vpc_attachments,
            |r| &r.transit_gateway_attachment_id,
        )?;
        copies.add(
            DescribeCall::TransitGatewayRouteTables,
            &mut s.tgw_route_tables,
            doc.tgw_route_tables,
            |r| &r.transit_gateway_route_table_id,
        )?;
        copies.add(
            DescribeCall::TransitGatewayRoutes,
            &mut s.tgw_routes,
            doc.tgw_routes,
            |r| &r.transit_gateway_route_table_id,
        )?;
        copies.add(
            DescribeCall::TransitGatewayPropagations,
            &mut s.tgw_propagations,
            doc.tgw_propagations,
            |r| &r.transit_gateway_route_table_id,
        )?;
        copies.add(
            DescribeCall::VpcPeeringConnections,
            &mut s.vpc_peerings,
            doc.vpc_peerings,
            |r| &r.vpc_peering_connection_id,
        )?;
        if let Some(lists) = doc.prefix_lists {
            copies.coverage.saw(DescribeCall::PrefixLists);
            for list in lists {
                copies.prefix_list(&mut self.prefix_lists, list)?;
            }
        }
        copies.vpc_attribute(
            &mut s.vpc_dns,
            doc.vpc_id,
            doc.enable_dns_support,
            doc.enable_dns_hostnames,
        )?;
        self.dns.absorb(name, doc.dns).map_err(|e| match e {
            DnsLoadError::Conflict(id, first) => LoadError::Conflict {
                id,
                first,
                second: name.to_string(),
            },
            DnsLoadError::Malformed(message) => LoadError::Malformed {
                file: name.to_string(),
                line: 0,
                column: 0,
                message,
            },
        })?;
        self.elb.absorb(name, doc.elb).map_err(|e| match e {
            ElbLoadError::Conflict(id, first) => LoadError::Conflict {
                id,
                first,
                second: name.to_string(),
            },
            ElbLoadError::Malformed(message) => LoadError::Malformed {
                file: name.to_string(),
                line: 0,
                column: 0,
                message,
            },
        })?;
        for key in &doc.other {
            s.notes.push(format!(
                "{name}: key `{key}` is not used by vpce-reach, skipped"
            ));
        }
        Ok(())
    }
}

/// The merging of one document's resources into the snapshot (see [`SnapshotBuilder`]).
struct Copies<'a> {
    notes: &'a mut Vec<String>,
    files: &'a [String],
    origin: &'a mut HashMap<String, u32>,
    /// The index of the document being added.
    file: u32,
    coverage: &'a mut Coverage,
}

impl Copies<'_> {
    fn name(&self, file: u32) -> &str {
        self.files.get(file as usize).map_or("?", String::as_str)
    }

    /// Where the first copy of `id` came from, recording this document when it is the first.
    fn first_origin(&mut self, id: &str) -> Option<u32> {
        match self.origin.get(id) {
            Some(first) => Some(*first),
            None => {
                self.origin.insert(id.to_string(), self.file);
                None
            }
        }
    }

    fn conflict(&self, id: String, first: u32) -> LoadError {
        LoadError::Conflict {
            id,
            first: self.name(first).to_string(),
            second: self.name(self.file).to_string(),
        }
    }

    fn note_identical(&mut self, id: &str, first: u32) {
        let note = format!(
            "{}: {id} also in {}, identical copies kept once",
            self.name(self.file),
            self.name(first)
        );
        self.notes.push(note);
    }

    /// Adds resources by id: identical copies are kept once, different ones are a conflict.
    fn add<T: PartialEq>(
        &mut self,
        call: DescribeCall,
        map: &mut BTreeMap<String, T>,
        items: Option<Vec<T>>,
        id: impl Fn(&T) -> &String,
    ) -> Result<(), LoadError> {
        let Some(items) = items else { return Ok(()) };
        self.coverage.saw(call);
        for item in items {
            match map.entry(id(&item).clone()) {
                Entry::Occupied(e) => {
                    let first = self.origin.get(e.key()).copied().unwrap_or(self.file);
                    if *e.get() != item {
                        return Err(self.conflict(e.key().clone(), first));
                    }
                    self.note_identical(e.key(), first);
                }
                Entry::Vacant(e) => {
                    self.origin.insert(e.key().clone(), self.file);
                    e.insert(item);
                }
            }
        }
        Ok(())
    }

    /// Merges a prefix list field by field: a field one copy lacks is taken from the other.
    fn prefix_list(
        &mut self,
        lists: &mut BTreeMap<String, PrefixListCopy>,
        copy: PrefixListCopy,
    ) -> Result<(), LoadError> {
        let Some(first) = self.first_origin(&copy.prefix_list_id) else {
            lists.insert(copy.prefix_list_id.clone(), copy);
            return Ok(());
        };
        let held = lists
            .get_mut(&copy.prefix_list_id)
            .expect("an origin is recorded with its list");
        let name = merge_field(&mut held.prefix_list_name, copy.prefix_list_name);
        let cidrs = merge_field(&mut held.cidrs, copy.cidrs);
        let family = merge_field(&mut held.address_family, copy.address_family);
        match (name, cidrs, family) {
            (Merged::Conflict, _, _) | (_, Merged::Conflict, _) | (_, _, Merged::Conflict) => {
                Err(self.conflict(copy.prefix_list_id, first))
            }
            (Merged::Same, Merged::Same, Merged::Same) => {
                self.note_identical(&copy.prefix_list_id, first);
                Ok(())
            }
            _ => {
                let note = format!(
                    "{}: {} merged with its copy in {} (each gave fields the other lacks)",
                    self.name(self.file),
                    copy.prefix_list_id,
                    self.name(first)
                );
                self.notes.push(note);
                Ok(())
            }
        }
    }

    fn vpc_attribute(
        &mut self,
        dns: &mut BTreeMap<String, VpcDns>,
        vpc_id: Option<String>,
        support: Option<AttributeBooleanValue>,
        hostnames: Option<AttributeBooleanValue>,
    ) -> Result<(), LoadError> {
        let Some(vpc_id) = vpc_id else { return Ok(()) };
        if support.is_none() && hostnames.is_none() {
            let note = format!(
                "{}: `VpcId` without a DNS attribute, skipped",
                self.name(self.file)
            );
            self.notes.push(note);
            return Ok(());
        }
        self.coverage.saw(DescribeCall::VpcAttribute);
        let entry: &mut VpcDns = dns.entry(vpc_id.clone()).or_default();
        let attributes = [
            ("enableDnsSupport", support, &mut entry.enable_dns_support),
            (
                "enableDnsHostnames",
                hostnames,
                &mut entry.enable_dns_hostnames,
            ),
        ];
        for (attribute, given, held) in attributes {
            let Some(given) = given else { continue };
            let key = format!("{vpc_id} {attribute}");
            let first = self.first_origin(&key);
            match (first, merge_field(held, Some(given.value))) {
                (Some(first), Merged::Conflict) => return Err(self.conflict(key, first)),
                (Some(first), _) => self.note_identical(&key, first),
                (None, _) => {}
            }
        }
        Ok(())
    }
}

/// What merging one field of two copies gave.
#[derive(Debug, PartialEq, Eq)]
enum Merged {
    /// Both had it, alike (or neither had it).
    Same,
    /// Only the new copy had it: taken.
    Filled,
    /// Only the held copy had it: kept.
    Kept,
    /// Both had it, different.
    Conflict,
}

/// Merges a field of a new copy into the held one: an absent field is not an empty one.
fn merge_field<T: PartialEq>(held: &mut Option<T>, new: Option<T>) -> Merged {
    match new {
        None if held.is_some() => Merged::Kept,
        None => Merged::Same,
        Some(v) if held.is_none() => {
            *held = Some(v);
            Merged::Filled
        }
        Some(v) if held.as_ref() == Some(&v) => Merged::Same,
        Some(_) => Merged::Conflict,
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

/// Loads every `*.json` file under `dir`, recursively, in path order (see [`super::walk`] for
/// what is read and what is skipped). A directory in which no document holds a describe
/// output the loader reads is [`LoadError::NothingRecognised`].
pub fn load_dir(dir: &Path) -> Result<Snapshot, LoadError> {
    let found = walk::walk(dir)?;
    let mut builder = SnapshotBuilder::new();
    builder.snap.notes.extend(found.notes);
    for path in &found.files {
        let text = walk::read_text(path, &mut builder.snap.notes)?;
        builder.add_json(&path.display().to_string(), &text)?;
    }
    if builder.snap.coverage.is_empty()
        && builder.dns.data.is_empty()
        && builder.elb.data.is_empty()
    {
        return Err(LoadError::NothingRecognised {
            dir: dir.to_path_buf(),
            files: found.files.len(),
        });
    }
    Ok(builder.finish())
}
