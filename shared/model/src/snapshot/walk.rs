//! Reading a snapshot directory safely: the directory is someone else's, and neither its
//! shape nor its files may hang or exhaust the tool.
//!
//! - Each real directory is walked once, and each real file read once: directories and files
//!   are known by their identity (device and inode on Unix), so two symlinks to `.` or a link
//!   back to a parent cost one visit, not an exponential walk.
//! - Only regular files are opened. A FIFO named `x.json` would block the read forever, and a
//!   device (`/dev/zero`) never ends: such entries are skipped with a note.
//! - A file larger than [`MAX_FILE_BYTES`] is an error naming it and the bound; the size is
//!   checked before reading and the read itself is capped, so a sparse 4 GB file is never read.
//! - Text must be UTF-8: an error gives the byte offset of the first bad byte. A UTF-8
//!   byte-order mark (as Windows tools write) is skipped with a note; UTF-16 is named as such.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::LoadError;

/// The largest describe output read, in bytes (512 MiB). The largest real outputs,
/// `describe-network-interfaces` of accounts with tens of thousands of ENIs, are a few hundred
/// megabytes at most; anything larger is not a describe output.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The UTF-8 byte-order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a walk found: the `*.json` files to read, in path order, and notes on what it skipped.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Regular `*.json` files, each real file once, sorted by path.
    pub files: Vec<PathBuf>,
    /// Entries skipped, for people to read.
    pub notes: Vec<String>,
}

/// The identity of a file or directory, the same through every link to it.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(_path: &Path, meta: &Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &Metadata) -> Identity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Checks that `dir` is a directory, with a message that says which problem it is.
pub(super) fn check_root(dir: &Path) -> Result<Metadata, LoadError> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(meta),
        Ok(_) => Err(LoadError::NotADirectory {
            path: dir.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NoSuchDirectory {
            path: dir.to_path_buf(),
        }),
        Err(source) => Err(LoadError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Every regular `*.json` file under `dir`, following links, each real directory and file once.
pub(super) fn walk(dir: &Path) -> Result<Found, LoadError> {
    let root = check_root(dir)?;
    let mut walk = Walk::default();
    walk.dirs.insert(identity(dir, &root));
    walk.visit(dir)?;
    walk.found.files.sort();
    Ok(walk.found)
}

#[derive(Default)]
struct Walk {
    dirs: HashSet<Identity>,
    files: HashSet<Identity>,
    found: Found,
}

impl Walk {
    fn visit(&mut self, dir: &Path) -> Result<(), LoadError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LoadError::Io { path, source }
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            entries.push(entry.map_err(io(dir))?.path());
        }
        // Sorted, so that which of two links to one directory is walked does not depend on
        // the order the OS lists them in.
        entries.sort();
        for path in entries {
            let is_json = path.extension().is_some_and(|e| e == "json");
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                // A dangling link that is not a describe output concerns nobody.
                Err(_) if !is_json => continue,
                Err(source) => return Err(LoadError::Io { path, source }),
            };
            if meta.is_dir() {
                if self.dirs.insert(identity(&path, &meta)) {
                    self.visit(&path)?;
                }
            } else if is_json {
                self.file(path, &meta);
            }
        }
        Ok(())
    }

    fn file(&mut self, path: PathBuf, meta: &Metadata) {
        if !meta.is_file() {
            let kind = special_kind(meta);
            self.found.notes.push(format!(
                "{}: {kind}, not a regular file, skipped",
                path.display()
            ));
        } else if self.files.insert(identity(&path, meta)) {
            self.found.files.push(path);
        } else {
            self.found.notes.push(format!(
                "{}: a second link to a file already read, skipped",
                path.display()
            ));
        }
    }
}

/// What a non-regular, non-directory entry is, in words.
#[cfg(unix)]
fn special_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &Metadata) -> &'static str {
    "a special file"
}

/// Reads one file as UTF-8 text, within [`MAX_FILE_BYTES`]. A note is pushed when a
/// byte-order mark was dropped.
pub(super) fn read_text(path: &Path, notes: &mut Vec<String>) -> Result<String, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let too_large = || LoadError::TooLarge {
        path: path.to_path_buf(),
        limit: MAX_FILE_BYTES,
    };
    if file.metadata().map_err(io)?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // Capped even so: a file may grow while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    decode(path, bytes, notes)
}

/// The text of a file's bytes: UTF-8, a leading byte-order mark dropped with a note.
fn decode(path: &Path, mut bytes: Vec<u8>, notes: &mut Vec<String>) -> Result<String, LoadError> {
    let mut skipped = 0;
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
        skipped = UTF8_BOM.len();
        notes.push(format!(
            "{}: starts with a UTF-8 byte-order mark, ignored",
            path.display()
        ));
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(LoadError::NotUtf8 {
            path: path.to_path_buf(),
            offset: 0,
            hint: "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8",
        });
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        path: path.to_path_buf(),
        offset: skipped + e.utf8_error().valid_up_to(),
        hint: "describe outputs are UTF-8 JSON",
    })
}
