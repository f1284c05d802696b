//! A collected snapshot and how it is written to disk; or, for a check, the model's snapshot
//! loaded page by page while it is collected ([`Pages`], [`Loader`]).

use std::io;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use vpce_reach_model::snapshot::SnapshotBuilder;
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
