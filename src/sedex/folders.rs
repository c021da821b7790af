//! The sedex client's interface directory: its folders, the file names of a message, writing a
//! file so that no reader ever sees half of it, listing messages without following symlinks,
//! moving a message on. Names are built only from [`SedexMessageId`]; nothing is written
//! outside the folders given.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::id::SedexMessageId;

/// The folders of the interface directory the sedex client and the application share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folders {
    /// Messages to send (the application writes, the client takes).
    pub outbox: PathBuf,
    /// Messages received (the client writes, the application takes).
    pub inbox: PathBuf,
    /// One receipt per message sent and delivery event (the client writes).
    pub receipts: PathBuf,
    /// Messages the client has taken from the outbox.
    pub processed: PathBuf,
}

impl Folders {
    /// The usual layout: `outbox/`, `inbox/`, `receipts/`, `processed/` under one directory.
    pub fn in_interface_directory(root: &Path) -> Folders {
        Folders {
            outbox: root.join("outbox"),
            inbox: root.join("inbox"),
            receipts: root.join("receipts"),
            processed: root.join("processed"),
        }
    }

    /// Each folder with its name, for messages.
    pub fn named(&self) -> [(&'static str, &Path); 4] {
        [
            ("outbox", &self.outbox),
            ("inbox", &self.inbox),
            ("receipts", &self.receipts),
            ("processed", &self.processed),
        ]
    }

    /// Refuses a missing, non-directory or unwritable folder, naming the first such.
    pub fn check_usable(&self) -> Result<(), FolderError> {
        self.named()
            .into_iter()
            .try_for_each(|(name, path)| check_folder(name, path))
    }
}

/// Why a folder or a file of the interface directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("sedex folder {name} ({path}) is not usable: {reason}")]
    Unusable {
        name: String,
        path: PathBuf,
        reason: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a regular file (a symlink, a directory or a device is never read)")]
    NotARegularFile { path: PathBuf },
    #[error("{path} has more than {limit} bytes: not read")]
    TooLarge { path: PathBuf, limit: u64 },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses a folder that is missing, not a directory, or where a file cannot be created.
pub fn check_folder(name: &str, path: &Path) -> Result<(), FolderError> {
    let unusable = |reason: String| FolderError::Unusable {
        name: name.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|e| unusable(e.to_string()))?;
    if !metadata.is_dir() {
        return Err(unusable("not a directory".to_string()));
    }
    // The only sure test of "writable" (ACLs, read-only mounts, root): create a file.
    let probe = path.join(temporary_name("probe"));
    create_new(&probe).map_err(|e| unusable(format!("cannot create a file in it: {e}")))?;
    std::fs::remove_file(&probe).map_err(|e| unusable(format!("cannot remove a file: {e}")))
}

/// The kind of a message file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `envl_<id>.xml`.
    Envelope,
    /// `data_<id>.<extension>`.
    Payload { extension: String },
}

/// The name of a message file, built from a message id: `envl_<id>.xml` or
/// `data_<id>.<extension>`. A file name is never taken from anywhere else.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageFile {
    pub id: SedexMessageId,
    pub kind: FileKind,
}

const ENVELOPE_PREFIX: &str = "envl_";
const PAYLOAD_PREFIX: &str = "data_";

impl MessageFile {
    pub fn envelope(id: &SedexMessageId) -> MessageFile {
        MessageFile {
            id: id.clone(),
            kind: FileKind::Envelope,
        }
    }

    /// `extension`: 1 to 8 ASCII letters and digits (`xml`, `zip`).
    pub fn payload(id: &SedexMessageId, extension: &str) -> Option<MessageFile> {
        is_extension(extension).then(|| MessageFile {
            id: id.clone(),
            kind: FileKind::Payload {
                extension: extension.to_ascii_lowercase(),
            },
        })
    }

    pub fn name(&self) -> String {
        match &self.kind {
            FileKind::Envelope => format!("{ENVELOPE_PREFIX}{}.xml", self.id),
            FileKind::Payload { extension } => format!("{PAYLOAD_PREFIX}{}.{extension}", self.id),
        }
    }

    /// The message file a name stands for; `None` for anything else (temporary names start with
    /// `.` and never match).
    pub fn parse(name: &str) -> Option<MessageFile> {
        if let Some(rest) = name.strip_prefix(ENVELOPE_PREFIX) {
            let id = rest.strip_suffix(".xml")?;
            return Some(MessageFile::envelope(&SedexMessageId::new(id).ok()?));
        }
        let rest = name.strip_prefix(PAYLOAD_PREFIX)?;
        let (id, extension) = rest.rsplit_once('.')?;
        MessageFile::payload(&SedexMessageId::new(id).ok()?, extension)
    }
}

fn is_extension(text: &str) -> bool {
    (1..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A name that no reader takes for a message: it starts with `.`.
fn temporary_name(purpose: &str) -> String {
    format!(".arcgw-{purpose}-{}.tmp", uuid::Uuid::new_v4().simple())
}

/// Creates a new file, mode 0600, failing if anything (a symlink too) has the name.
fn create_new(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

/// Makes a rename or a new name in `dir` durable.
pub fn sync_directory(dir: &Path) -> Result<(), FolderError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Writes `bytes` as `dir/<file's name>` so that no reader ever sees part of it: to a new
/// temporary file in the same folder (a name starting with `.`, mode 0600, `O_EXCL`), fsynced,
/// renamed over the final name, the directory fsynced. Returns the final path.
pub fn write_atomically(
    dir: &Path,
    file: &MessageFile,
    bytes: &[u8],
) -> Result<PathBuf, FolderError> {
    write_named_atomically(dir, &file.name(), bytes)
}

/// [`write_atomically`] under `name`, a plain file name (one taken from a listing of a folder
/// or built from one): never a path.
pub fn write_named_atomically(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<PathBuf, FolderError> {
    let target = dir.join(plain(name)?);
    let temporary = dir.join(temporary_name("write"));
    let written = create_new(&temporary)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(FolderError::Io {
            path: target,
            source: e,
        });
    }
    sync_directory(dir)?;
    Ok(target)
}

/// `name` when it is a plain file name: not empty, not `.` or `..`, no `/`, no NUL.
fn plain(name: &str) -> Result<&str, FolderError> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(FolderError::NotARegularFile {
            path: PathBuf::from(name),
        });
    }
    Ok(name)
}

/// The names of the regular files in `dir` that `accept` takes, sorted; temporary names
/// (starting with `.`), symlinks and anything not a regular file are skipped.
pub fn list_names(dir: &Path, accept: impl Fn(&str) -> bool) -> Result<Vec<String>, FolderError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with('.') || !accept(&name) {
            continue;
        }
        match std::fs::symlink_metadata(entry.path()) {
            Ok(m) if m.file_type().is_file() => names.push(name),
            _ => {}
        }
    }
    names.sort();
    Ok(names)
}

/// The message files in `dir`, sorted by name. Skips temporary names (starting with `.`),
/// names that are not a message file's, symlinks (never followed) and anything that is not a
/// regular file.
pub fn list(dir: &Path) -> Result<Vec<MessageFile>, FolderError> {
    let names = list_names(dir, |name| MessageFile::parse(name).is_some())?;
    let mut files: Vec<MessageFile> = names.iter().filter_map(|n| MessageFile::parse(n)).collect();
    files.sort_by_key(MessageFile::name);
    Ok(files)
}

/// Whether `dir/<file>` is a regular file (a symlink is not).
pub fn exists(dir: &Path, file: &MessageFile) -> bool {
    std::fs::symlink_metadata(dir.join(file.name())).is_ok_and(|m| m.file_type().is_file())
}

/// Reads `dir/<file>`, at most `limit` bytes, never through a symlink, never from a device or
/// a pipe.
pub fn read_bounded(dir: &Path, file: &MessageFile, limit: u64) -> Result<Vec<u8>, FolderError> {
    read_named_bounded(dir, &file.name(), limit)
}

/// [`read_bounded`] of the plain file name `name`.
pub fn read_named_bounded(dir: &Path, name: &str, limit: u64) -> Result<Vec<u8>, FolderError> {
    let path = dir.join(plain(name)?);
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path);
    let f = match opened {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(FolderError::NotARegularFile { path });
        }
        Err(e) => return Err(FolderError::Io { path, source: e }),
    };
    let metadata = f.metadata().map_err(io(&path))?;
    if !metadata.is_file() {
        return Err(FolderError::NotARegularFile { path });
    }
    if metadata.len() > limit {
        return Err(FolderError::TooLarge { path, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io(&path))?;
    if bytes.len() as u64 > limit {
        return Err(FolderError::TooLarge { path, limit });
    }
    Ok(bytes)
}

/// Moves the files of a message from `from` to `to` (same file system): each renamed, then
/// both directories fsynced. A file already gone from `from` is skipped (a move interrupted
/// and done again); a name already taken in `to` gets a suffix, so nothing there is
/// overwritten. Symlinks are never moved.
pub fn move_files(from: &Path, to: &Path, files: &[MessageFile]) -> Result<(), FolderError> {
    let names: Vec<String> = files.iter().map(MessageFile::name).collect();
    move_named(from, to, &names)
}

/// [`move_files`] of plain file names.
pub fn move_named(from: &Path, to: &Path, names: &[String]) -> Result<(), FolderError> {
    for name in names {
        let name = plain(name)?;
        let source = from.join(name);
        match std::fs::symlink_metadata(&source) {
            Ok(m) if m.file_type().is_file() => {}
            Ok(_) => return Err(FolderError::NotARegularFile { path: source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(FolderError::Io {
                    path: source,
                    source: e,
                });
            }
        }
        let mut target = to.join(name);
        if std::fs::symlink_metadata(&target).is_ok() {
            target = to.join(format!("{name}.{}", uuid::Uuid::new_v4().simple()));
        }
        std::fs::rename(&source, &target).map_err(io(&source))?;
    }
    sync_directory(from)?;
    sync_directory(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SedexMessageId {
        SedexMessageId::new(text).unwrap()
    }

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        let envelope = MessageFile::envelope(&id("a-1"));
        assert_eq!(envelope.name(), "envl_a-1.xml");
        let payload = MessageFile::payload(&id("a.b"), "zip").unwrap();
        assert_eq!(payload.name(), "data_a.b.zip");
        assert_eq!(MessageFile::parse("envl_a-1.xml"), Some(envelope));
        assert_eq!(MessageFile::parse("data_a.b.zip"), Some(payload));
        for other in [
            "envl_a-1.zip",
            "envl_.xml",
            "envl_..xml",
            "data_a",
            "data_.xml",
            "data_a.",
            "data_a.x/y",
            ".arcgw-write-1.tmp",
            "envl_../x.xml",
            "readme.txt",
        ] {
            assert_eq!(MessageFile::parse(other), None, "{other}");
        }
        assert!(MessageFile::payload(&id("a"), "x.y").is_none());
        assert!(MessageFile::payload(&id("a"), "").is_none());
    }

    #[test]
    fn writes_atomically_private_and_lists_only_regular_message_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = MessageFile::envelope(&id("m1"));
        let path = write_atomically(dir.path(), &file, b"<envelope/>").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<envelope/>");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&path).unwrap().permissions(),
        ) & 0o777;
        assert_eq!(mode, 0o600);
        // Written again (a resend): replaced, still one file.
        write_atomically(dir.path(), &file, b"<envelope>2</envelope>").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<envelope>2</envelope>");

        // What a listing must skip.
        std::fs::write(dir.path().join(".arcgw-write-x.tmp"), b"half").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"").unwrap();
        std::fs::create_dir(dir.path().join("envl_dir.xml")).unwrap();
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("envl_link.xml")).unwrap();
        let payload = MessageFile::payload(&id("m1"), "xml").unwrap();
        write_atomically(dir.path(), &payload, b"<x/>").unwrap();
        assert_eq!(
            list(dir.path()).unwrap(),
            vec![payload.clone(), file.clone()]
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(".arcgw-write") && n != ".arcgw-write-x.tmp")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        // Reading never follows the symlink, and is bounded.
        let link = MessageFile::envelope(&id("link"));
        assert!(matches!(
            read_bounded(dir.path(), &link, 100),
            Err(FolderError::NotARegularFile { .. })
        ));
        assert!(!exists(dir.path(), &link));
        assert!(matches!(
            read_bounded(dir.path(), &file, 5),
            Err(FolderError::TooLarge { .. })
        ));
        assert_eq!(read_bounded(dir.path(), &payload, 4).unwrap(), b"<x/>");
    }

    #[test]
    fn a_symlink_at_the_final_name_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("envl_m.xml")).unwrap();
        write_atomically(dir.path(), &MessageFile::envelope(&id("m")), b"new").unwrap();
        assert_eq!(std::fs::read(outside.path()).unwrap(), b"");
        assert!(exists(dir.path(), &MessageFile::envelope(&id("m"))));
    }

    #[test]
    fn moves_a_pair_without_overwriting() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let files = [
            MessageFile::payload(&id("m"), "xml").unwrap(),
            MessageFile::envelope(&id("m")),
        ];
        for f in &files {
            write_atomically(from.path(), f, f.name().as_bytes()).unwrap();
        }
        std::fs::write(to.path().join("envl_m.xml"), b"earlier").unwrap();
        move_files(from.path(), to.path(), &files).unwrap();
        assert!(list(from.path()).unwrap().is_empty());
        assert_eq!(
            std::fs::read(to.path().join("envl_m.xml")).unwrap(),
            b"earlier"
        );
        assert_eq!(
            std::fs::read(to.path().join("data_m.xml")).unwrap(),
            b"data_m.xml"
        );
        assert_eq!(std::fs::read_dir(to.path()).unwrap().count(), 3);
        // Done again after an interruption: nothing left to move, no error.
        move_files(from.path(), to.path(), &files).unwrap();
    }

    #[test]
    fn check_usable_names_the_folder() {
        let root = tempfile::tempdir().unwrap();
        let folders = Folders::in_interface_directory(root.path());
        for (_, path) in folders.named() {
            std::fs::create_dir(path).unwrap();
        }
        folders.check_usable().unwrap();
        std::fs::remove_dir(&folders.receipts).unwrap();
        let e = folders.check_usable().unwrap_err().to_string();
        assert!(e.starts_with("sedex folder receipts ("), "{e}");
        std::fs::write(&folders.receipts, b"").unwrap();
        let e = folders.check_usable().unwrap_err().to_string();
        assert!(e.contains("not a directory"), "{e}");
        let e = check_folder("done", &root.path().join("nowhere"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("sedex folder done ("), "{e}");
    }
}
