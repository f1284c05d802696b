//! A collected snapshot and how it is written to disk.

use std::io;
use std::path::Path;

use serde_json::Value;

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
