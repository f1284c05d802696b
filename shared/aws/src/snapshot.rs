//! A collected snapshot and how it is written to disk; or, for a check, the model's snapshot
//! loaded page by page while it is collected ([`Pages`], [`Loader`]).

use std::io;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use vpce_reach_model::snapshot::{Items, SnapshotBuilder};
use vpce_reach_model::LoadError;

use crate::json::document;
use crate::{Document, Scope};

/// The documents of one snapshot, each under its relative file name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// `(relative path, document)` pairs, e.g. `("security-groups.json", {"SecurityGroups": [..]})`.
    pub documents: Vec<Document>,
    /// What was collected: the scope asked for, with the VPCs linked to it
    /// ([`Scope::with_links`]); for several accounts, the caller's account's.
    pub scope: Scope,
}

impl Snapshot {
    /// The document written under `name`, if any.
    pub fn document(&self, name: &str) -> Option<&Value> {
        self.documents
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
    }

    /// Writes every document as pretty-printed JSON under `dir`, creating directories as needed.
    ///
    /// Files of the same names are replaced; other files in `dir` are left alone, so write to an
    /// empty directory to get exactly this snapshot.
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        for (name, document) in &self.documents {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut text = serde_json::to_string_pretty(document).map_err(io::Error::other)?;
            text.push('\n');
            std::fs::write(&path, text)?;
        }
        Ok(())
    }
}

/// Where a collection puts each page of the large list calls (subnets, route tables, NACLs,
/// security groups, network interfaces).
///
/// Kept: the pages make one JSON document per call, as the `snapshot` command writes it.
/// Loaded: each page is converted, loaded into the [`Loader`]'s snapshot at once and dropped,
/// so that neither the SDK's answers nor a JSON tree of a whole call is ever held (issue 18:
/// the whole trees of the large account peaked at 160 MiB in a 128 MB function). Both go
/// through the same conversion (`to_document`'s items) and the same loader
/// (`SnapshotBuilder::add_value`), so they load the same snapshot
/// (`tests/fake_ec2_synth.rs` checks it).
pub(crate) struct Pages<'a> {
    /// `None`: kept as documents.
    loader: Option<&'a Loader>,
    /// The account's subdirectory (`111122223333/`) in the names of loaded pages, as the
    /// documents of another account are named; empty for the caller's account.
    prefix: String,
}

impl<'a> Pages<'a> {
    /// Pages kept as JSON documents.
    pub(crate) const KEEP: Pages<'static> = Pages {
        loader: None,
        prefix: String::new(),
    };

    /// Pages loaded into `loader` (if any, else kept), named under `prefix`.
    pub(crate) fn into_loader(loader: Option<&'a Loader>, prefix: String) -> Pages<'a> {
        Pages { loader, prefix }
    }

    /// Takes one page of items of `key` (`NetworkInterfaces`) for `file`: loaded now, or
    /// appended to `kept`.
    pub(crate) fn page(&self, file: &str, key: &str, items: Vec<Value>, kept: &mut Vec<Value>) {
        match self.loader {
            Some(loader) => loader.add(&format!("{}{file}", self.prefix), document(key, items)),
            None => kept.extend(items),
        }
    }

    /// True when pages are loaded rather than kept: the large calls then convert their
    /// pages straight into the model's describe types ([`Pages::load`]).
    pub(crate) fn loads(&self) -> bool {
        self.loader.is_some()
    }

    /// Loads one page already converted into the model's describe types (no JSON tree: the
    /// route through `serde_json` values was most of a check's CPU beyond the SDK's own XML
    /// parsing, issue 18), or records why its conversion failed. Does nothing when pages are
    /// kept.
    pub(crate) fn load(&self, file: &str, items: Result<Items, String>) {
        if let Some(loader) = self.loader {
            loader.add_items(&format!("{}{file}", self.prefix), items);
        }
    }

    /// The call's document from the kept items; `None` when its pages were loaded.
    pub(crate) fn document(&self, file: &str, key: &str, kept: Vec<Value>) -> Option<Document> {
        self.loader
            .is_none()
            .then(|| (file.to_owned(), document(key, kept)))
    }
}

/// The model's snapshot under construction during a collection: pages are added as they
/// arrive (from concurrent calls, hence the lock), then the remaining documents by
/// [`Loader::finish`]. The first load error is kept and returned by `finish`.
#[derive(Default)]
pub(crate) struct Loader(Mutex<Loading>);

#[derive(Default)]
struct Loading {
    builder: SnapshotBuilder,
    error: Option<LoadError>,
}

impl Loader {
    fn add(&self, name: &str, document: Value) {
        let mut loading = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if loading.error.is_some() {
            return;
        }
        if let Err(e) = loading.builder.add_value(name, document) {
            loading.error = Some(e);
        }
    }

    fn add_items(&self, name: &str, items: Result<Items, String>) {
        let mut loading = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if loading.error.is_some() {
            return;
        }
        let added = items
            .map_err(|message| LoadError::Malformed {
                file: name.to_owned(),
                line: 0,
                column: 0,
                message,
            })
            .and_then(|items| loading.builder.add_items(name, items));
        if let Err(e) = added {
            loading.error = Some(e);
        }
    }

    /// Adds the documents that were kept whole (VPCs, endpoints, prefix lists, attributes,
    /// links, DNS) and finishes the snapshot.
    pub(crate) fn finish(
        self,
        documents: Vec<Document>,
    ) -> Result<vpce_reach_model::Snapshot, LoadError> {
        let Loading { mut builder, error } =
            self.0.into_inner().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = error {
            return Err(e);
        }
        for (name, value) in documents {
            builder.add_value(&name, value)?;
        }
        Ok(builder.finish())
    }
}

#[cfg(test)]
mod tests {
    //! The two routes a page can take into the model (JSON documents for the `snapshot`
    //! command, the describe types for a check) load the same items and refuse the same
    //! damaged ones, every field the model reads included (IPv6 too, which the synthetic
    //! account of `tests/fake_ec2_synth.rs` leaves empty).

    use aws_sdk_ec2::types::{
        GroupIdentifier, IpPermission, IpRange, Ipv6Range, NetworkInterface,
        NetworkInterfaceAttachment, NetworkInterfaceIpv6Address, NetworkInterfacePrivateIpAddress,
        NetworkInterfaceStatus, NetworkInterfaceType, PrefixListId, SecurityGroup, Tag,
        UserIdGroupPair,
    };
    use vpce_reach_model::snapshot::{Items, SnapshotBuilder};
    use vpce_reach_model::{LoadError, Snapshot};

    use crate::{network_interfaces, security_groups};

    fn rule(protocol: &str, from: i32, to: i32) -> IpPermission {
        IpPermission::builder()
            .ip_protocol(protocol)
            .from_port(from)
            .to_port(to)
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:db8::/32").build())
            .prefix_list_ids(PrefixListId::builder().prefix_list_id("pl-1").build())
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-2").build())
            .user_id_group_pairs(UserIdGroupPair::builder().user_id("1").build())
            .build()
    }

    fn group(rules: Vec<IpPermission>) -> SecurityGroup {
        SecurityGroup::builder()
            .group_id("sg-1")
            .group_name("web")
            .vpc_id("vpc-1")
            .set_ip_permissions(Some(rules))
            .ip_permissions_egress(rule("-1", -1, -1))
            .tags(Tag::builder().key("Name").value("web").build())
            .tags(Tag::builder().key("empty").build())
            .build()
    }

    fn eni(address: &str) -> NetworkInterface {
        NetworkInterface::builder()
            .network_interface_id("eni-1")
            .interface_type(NetworkInterfaceType::VpcEndpoint)
            .requester_managed(true)
            .subnet_id("subnet-1")
            .vpc_id("vpc-1")
            .private_ip_address(address)
            .private_ip_addresses(
                NetworkInterfacePrivateIpAddress::builder()
                    .private_ip_address(address)
                    .primary(true)
                    .build(),
            )
            .groups(GroupIdentifier::builder().group_id("sg-1").build())
            .status(NetworkInterfaceStatus::InUse)
            .description("VPC Endpoint Interface vpce-1")
            .tag_set(Tag::builder().key("k").value("v").build())
            .attachment(
                NetworkInterfaceAttachment::builder()
                    .instance_id("i-1")
                    .device_index(0)
                    .build(),
            )
            .ipv6_addresses(
                NetworkInterfaceIpv6Address::builder()
                    .ipv6_address("2001:db8::5")
                    .build(),
            )
            .build()
    }

    /// The snapshot of `groups` and `enis` loaded through JSON values and through the typed
    /// entry point.
    fn both(
        groups: Vec<SecurityGroup>,
        enis: Vec<NetworkInterface>,
    ) -> (Result<Snapshot, LoadError>, Result<Snapshot, LoadError>) {
        let mut json = SnapshotBuilder::new();
        let by_json = json
            .add_value("sg.json", security_groups::to_document(&groups))
            .and_then(|()| json.add_value("eni.json", network_interfaces::to_document(&enis)))
            .map(|()| json.finish());
        let mut typed = SnapshotBuilder::new();
        let typed_groups = security_groups::to_model(groups).map(Items::SecurityGroups);
        let typed_enis = network_interfaces::to_model(enis).map(Items::NetworkInterfaces);
        let malformed = |file: &str, message| LoadError::Malformed {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message,
        };
        let by_type = typed_groups
            .map_err(|m| malformed("sg.json", m))
            .and_then(|items| typed.add_items("sg.json", items))
            .and_then(|()| typed_enis.map_err(|m| malformed("eni.json", m)))
            .and_then(|items| typed.add_items("eni.json", items))
            .map(|()| typed.finish());
        (by_json, by_type)
    }

    #[test]
    fn both_routes_load_the_same_items_with_every_field_the_model_reads() {
        let (by_json, by_type) = both(
            vec![group(vec![rule("tcp", 443, 443)])],
            vec![eni("10.0.0.5")],
        );
        let (by_json, by_type) = (by_json.unwrap(), by_type.unwrap());
        assert_eq!(by_type.security_groups, by_json.security_groups);
        assert_eq!(by_type.network_interfaces, by_json.network_interfaces);
        let eni = &by_type.network_interfaces["eni-1"];
        assert_eq!(
            eni.ipv6_addresses[0].ipv6_address.to_string(),
            "2001:db8::5"
        );
        assert_eq!(eni.attachment.as_ref().unwrap().device_index, Some(0));
        let rule = &by_type.security_groups["sg-1"].ip_permissions[0];
        assert_eq!(rule.ipv6_ranges[0].cidr_ipv6.to_string(), "2001:db8::/32");
        assert_eq!(rule.user_id_group_pairs.len(), 2);
        assert_eq!(by_type.coverage, by_json.coverage);
    }

    #[test]
    fn both_routes_refuse_a_tcp_rule_without_valid_ports_and_a_bad_address() {
        let (by_json, by_type) = both(vec![group(vec![rule("tcp", 443, 80)])], vec![]);
        assert!(by_json.is_err());
        let message = by_type.unwrap_err().to_string();
        assert!(
            message.starts_with("sg.json: sg-1: security group rule"),
            "{message}"
        );
        let (by_json, by_type) = both(vec![], vec![eni("10.0.0.500")]);
        assert!(by_json.is_err());
        let message = by_type.unwrap_err().to_string();
        assert!(
            message.contains("eni-1: PrivateIpAddress \"10.0.0.500\""),
            "{message}"
        );
    }
}
