//! Finding and reading the files to check.
//!
//! A gate reads files that anyone can put in a pull request, so every read goes through
//! [`Tree::read`]: the file must resolve inside the checked tree (the enclosing git checkout, or
//! the named directory when there is none) and be a regular file; FIFOs, devices, sockets and
//! the virtual file systems (`/proc`, `/sys`, `/dev`) are never opened, and no read goes past
//! the size cap. A file that fails any of these is a document error (exit 2) and is never shown:
//! a gate that silently skipped it would fail open, one that read it could echo the CI job's
//! environment into a code frame. Directories are walked without following symlinked
//! directories (no loops), skipping `.terraform/` and `.git/`; files are classified by name, and
//! plan JSON by content, since `terraform show -json` output has no fixed name.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::runtime::wit::{DocError, DocKind, Document};

const SKIP_DIRS: &[&str] = &[".terraform", ".git", "node_modules", ".terragrunt-cache"];

/// Mount points of kernel-made files: a "regular" file there (`/proc/self/environ`) is never a
/// Terraform file of anyone's tree.
const VIRTUAL_ROOTS: &[&str] = &["/proc", "/sys", "/dev"];

/// Caps on what one run reads (`--max-file-size`, `--max-input-size`). An over-cap file is a
/// document error naming the cap, so a `/dev/zero`-sized input cannot exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    pub max_file_size: u64,
    pub max_input_size: u64,
    /// Files at least this large are opened now and streamed into the guest later
    /// ([`Streamed`]), so their bytes exist once, in the guest; `None` reads every file here.
    pub stream_from: Option<u64>,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_file_size: 512 << 20,
            max_input_size: 1 << 30,
            stream_from: None,
        }
    }
}

/// Files from this size on are streamed by `tfguard check`: below it, a copy in the host costs
/// less than the calls that save it.
pub const STREAM_FROM: u64 = 8 << 20;

/// A large file, opened (and so confined to the tree) but not read: `tfguard check` streams it
/// into the guest in chunks. Its document in [`Collected::docs`] has empty contents.
pub struct Streamed {
    /// The index of its document in [`Collected::docs`], and its path as the report shows it.
    pub doc: usize,
    pub name: String,
    pub path: PathBuf,
    pub file: File,
    /// The bytes read already (the first KiBs, when a walked `*.json` was judged by them).
    pub head: Vec<u8>,
    /// The size when opened, and the most that may be read.
    pub len: u64,
    pub cap: u64,
    /// What identifies these bytes on disk, for reading the file again for code frames.
    identity: Identity,
}

/// The identity of a file's contents as far as its metadata tells: a code frame is drawn from
/// a second read only if the file is still the one that was checked.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Identity {
    fn of(m: &Metadata) -> Identity {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt as _;
        Identity {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        }
    }
}

impl Streamed {
    /// Reads the file through `put` in pieces of at most `chunk` bytes (what was read to open
    /// it first), until the end or until `put` returns false (the guest failed; the caller
    /// has its error). An I/O error or growth past the cap is the document's error.
    pub fn pour(
        &mut self,
        chunk: usize,
        put: &mut dyn FnMut(&[u8]) -> bool,
    ) -> std::result::Result<(), DocError> {
        let refused = |why: Refusal| DocError {
            path: display(&self.path),
            span: None,
            message: why.to_string(),
            unsupported: false,
        };
        let mut sent = self.head.len() as u64;
        if !self.head.is_empty() && !put(&self.head) {
            return Ok(());
        }
        let mut buf = vec![0u8; chunk];
        loop {
            let n = match self.file.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(refused(Refusal::Io(e))),
            };
            sent += n as u64;
            if sent > self.cap {
                return Err(refused(Refusal::TooLarge { cap: self.cap }));
            }
            if !put(&buf[..n]) {
                return Ok(());
            }
        }
    }

    /// The file again (for a code frame once the guest is gone), if it is still the file
    /// that was checked: same tree, same identity, under the same cap. The reader must see
    /// [`Streamed::checked_len`] bytes, or the file changed.
    pub fn reopen(&self) -> Option<std::io::Take<File>> {
        let tree = Tree::of(&self.path).ok()?;
        let (file, _) = tree.open(&self.path).ok()?;
        if Identity::of(&file.metadata().ok()?) != self.identity {
            return None;
        }
        Some(file.take(self.cap))
    }

    /// The length of the file that was checked.
    pub fn checked_len(&self) -> u64 {
        self.len
    }

    /// The file's bytes again ([`Streamed::reopen`], read whole).
    pub fn reread(&self) -> Option<Vec<u8>> {
        // The exact size up front: growing by doubling would hold up to twice the file.
        let mut buf = Vec::with_capacity(usize::try_from(self.len).ok()?);
        self.reopen()?
            .read_to_end(&mut buf)
            .ok()
            .filter(|&n| n as u64 == self.len)?;
        Some(buf)
    }
}

impl crate::runtime::Stream for Streamed {
    fn doc(&self) -> usize {
        self.doc
    }
    fn size(&self) -> u64 {
        self.len
    }
    fn pour(
        &mut self,
        chunk: usize,
        put: &mut dyn FnMut(&[u8]) -> bool,
    ) -> std::result::Result<(), DocError> {
        Streamed::pour(self, chunk, put)
    }
}

/// What [`Collected::read`] got: the bytes, or a file to stream.
enum Contents {
    Bytes(Vec<u8>),
    Stream {
        file: File,
        head: Vec<u8>,
        len: u64,
        cap: u64,
        identity: Identity,
    },
}

/// What a run read: the documents for the guest, the files it refused (document errors), and
/// what the walk saw but left out on purpose, each with its reason.
#[derive(Default)]
pub struct Collected {
    pub docs: Vec<Document>,
    /// The documents whose bytes are still on disk, to stream (`InputLimits::stream_from`).
    pub streamed: Vec<Streamed>,
    pub errors: Vec<DocError>,
    pub skipped: Vec<Skipped>,
    read_total: u64,
}

/// A file or directory a directory walk saw and did not check. Every report format names it:
/// a gate that left a file out without saying so would fail open unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Why a file was not read. Messages never quote the file's bytes or a symlink's target.
#[derive(Debug)]
pub enum Refusal {
    OutsideTree { root: PathBuf },
    LinkToOther,
    NotRegular(&'static str),
    Virtual,
    TooLarge { cap: u64 },
    InputCap { cap: u64 },
    Io(std::io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OutsideTree { root } => write!(
                f,
                "not read: it resolves outside the checked tree `{}` (a symlink is followed only to a file inside the tree)",
                root.display()
            ),
            Refusal::LinkToOther => write!(
                f,
                "not read: a symlink to a file whose name is not a Terraform file's (*.tf, *.tfvars, *.tfstate, *.json)"
            ),
            Refusal::NotRegular(what) => {
                write!(f, "not read: a {what}, not a regular file")
            }
            Refusal::Virtual => write!(
                f,
                "not read: a file of a virtual file system (/proc, /sys, /dev), not a Terraform file"
            ),
            Refusal::TooLarge { cap } => write!(
                f,
                "not read: larger than the {} cap on one file (--max-file-size)",
                crate::size::human_size(*cap)
            ),
            Refusal::InputCap { cap } => write!(
                f,
                "not read: the run has reached its {} cap on all input (--max-input-size)",
                crate::size::human_size(*cap)
            ),
            Refusal::Io(e) if is_symlink_loop(e) => {
                write!(f, "not read: a symlink loop")
            }
            Refusal::Io(e) => write!(f, "not read: {e}"),
        }
    }
}

#[cfg(unix)]
fn is_symlink_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_loop(_: &std::io::Error) -> bool {
    false
}

/// "no <what> found in a, b": a run given paths that hold nothing to check (exit 2).
pub fn nothing_found(what: &str, paths: &[PathBuf]) -> Error {
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Error::Usage(format!("{what} found in {}", list.join(", ")))
}

/// The tree a path argument belongs to: the enclosing git checkout, else the directory itself
/// (or a file's directory). Found on the lexical path, so a symlinked directory on the way
/// cannot move the root to where it points.
#[derive(Debug, Clone)]
pub struct Tree {
    root: PathBuf,
    /// Canonical directories by the path they were reached by. Canonicalising every file (a
    /// `readlink` per component) was half the system calls of a walk; a file that is not a
    /// symlink resolves to its directory's canonical path and its name.
    dirs: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>>,
}

impl Tree {
    pub fn of(arg: &Path) -> Result<Tree> {
        let abs = lexical_abs(arg).map_err(|e| Error::io(arg, e))?;
        let is_dir = std::fs::symlink_metadata(&abs).is_ok_and(|m| m.is_dir());
        let start = if is_dir {
            abs.as_path()
        } else {
            abs.parent().unwrap_or(Path::new("/"))
        };
        let lexical_root = start
            .ancestors()
            .find(|a| a.join(".git").exists())
            .unwrap_or(start);
        let root = std::fs::canonicalize(lexical_root).map_err(|e| Error::io(lexical_root, e))?;
        Ok(Tree {
            root,
            dirs: Default::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads `path` if it is a regular file of the tree no larger than `cap`.
    pub fn read(&self, path: &Path, cap: u64) -> std::result::Result<Vec<u8>, Refusal> {
        let (file, len) = self.open(path)?;
        if len > cap {
            return Err(Refusal::TooLarge { cap });
        }
        read_capped(file, cap, len)
    }

    /// Opens `path` if it is a regular file of the tree; returns it with its size.
    pub fn open(&self, path: &Path) -> std::result::Result<(File, u64), Refusal> {
        self.open_as(path, None)
    }

    /// [`Tree::open`], told by the walk whether `path` was a symlink (its directory entry's
    /// type), which saves an `lstat` per file. If it has become one since, it is opened with
    /// `O_NOFOLLOW` as a plain file would be, and refused.
    fn open_as(
        &self,
        path: &Path,
        link: Option<bool>,
    ) -> std::result::Result<(File, u64), Refusal> {
        let link = match link {
            Some(link) => link,
            None => std::fs::symlink_metadata(path)
                .map_err(Refusal::Io)?
                .file_type()
                .is_symlink(),
        };
        let target = if link {
            std::fs::canonicalize(path).map_err(Refusal::Io)?
        } else {
            self.canonical(path).map_err(Refusal::Io)?
        };
        if VIRTUAL_ROOTS.iter().any(|v| target.starts_with(v)) {
            return Err(Refusal::Virtual);
        }
        if !target.starts_with(&self.root) {
            return Err(Refusal::OutsideTree {
                root: self.root.clone(),
            });
        }
        // `x.tf -> .env` stays in the tree but would show a non-Terraform file in a code frame.
        if link && kind_by_name(&target).is_none() {
            return Err(Refusal::LinkToOther);
        }
        open_resolved(&target)
    }
}

impl Tree {
    /// Records the canonical path of a directory the walk entered: a directory entry that is
    /// a directory, not a symlink, below one whose canonical path is known (a `readlink` per
    /// component spared; two reading threads would each have canonicalised it).
    fn walked_dir(&self, dir: &Path, canonical: PathBuf) {
        if let Ok(mut d) = self.dirs.lock() {
            d.insert(dir.to_path_buf(), canonical);
        }
    }

    /// `canonicalize(path)` for a path whose last component is not a symlink: its directory,
    /// canonicalised once per directory, joined with its name.
    fn canonical(&self, path: &Path) -> std::io::Result<PathBuf> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::canonicalize(path);
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let cached = self.dirs.lock().ok().and_then(|d| d.get(dir).cloned());
        let canonical = match cached {
            Some(c) => c,
            None => {
                let c = std::fs::canonicalize(dir)?;
                if let Ok(mut d) = self.dirs.lock() {
                    d.insert(dir.to_path_buf(), c.clone());
                }
                c
            }
        };
        Ok(canonical.join(name))
    }
}

/// Opens a file the user named outside any checked tree (a credential file): symlinks are
/// followed (Kubernetes mounts the service-account token through two of them), but the file
/// must be regular and not on a virtual file system. Returns it with its size.
pub fn open_regular(path: &Path) -> std::result::Result<(File, u64), Refusal> {
    let target = std::fs::canonicalize(path).map_err(Refusal::Io)?;
    if VIRTUAL_ROOTS.iter().any(|v| target.starts_with(v)) {
        return Err(Refusal::Virtual);
    }
    open_resolved(&target)
}

/// Opens a canonical path that must be a regular file, judged again on the open handle.
fn open_resolved(target: &Path) -> std::result::Result<(File, u64), Refusal> {
    let meta = std::fs::metadata(target).map_err(Refusal::Io)?;
    regular(&meta)?;
    let file = open_nonblocking(target).map_err(Refusal::Io)?;
    // The path may have been swapped between the checks and the open: judge the open file.
    let fmeta = file.metadata().map_err(Refusal::Io)?;
    regular(&fmeta)?;
    if !same_file(&meta, &fmeta) {
        return Err(Refusal::Io(std::io::Error::other(
            "the file changed while it was being opened",
        )));
    }
    Ok((file, fmeta.len()))
}

fn regular(meta: &Metadata) -> std::result::Result<(), Refusal> {
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Err(Refusal::NotRegular("FIFO"));
        }
        if ft.is_socket() {
            return Err(Refusal::NotRegular("socket"));
        }
        if ft.is_block_device() || ft.is_char_device() {
            return Err(Refusal::NotRegular("device file"));
        }
    }
    if ft.is_dir() {
        return Err(Refusal::NotRegular("directory"));
    }
    Err(Refusal::NotRegular("special file"))
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// `O_NONBLOCK` so that a FIFO swapped in after the checks cannot block the open;
/// `O_NOFOLLOW` so that the canonical path cannot be turned into a symlink under us.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// An opened file of the tree (`len`: its size when opened) read under `cap`: a `*.json`
/// whose first KiBs are not state or plan JSON is `None` however large it is; a file of at
/// least `stream_from` bytes is left open to be streamed into the guest.
fn read_opened(
    mut file: File,
    len: u64,
    only_terraform_json: bool,
    cap: u64,
    stream_from: Option<u64>,
) -> std::result::Result<Option<Contents>, Refusal> {
    let mut head = Vec::new();
    if only_terraform_json {
        (&mut file)
            .take(4096)
            .read_to_end(&mut head)
            .map_err(Refusal::Io)?;
        if !looks_like_terraform_json(&head) {
            return Ok(None);
        }
    }
    if len > cap {
        return Err(Refusal::TooLarge { cap });
    }
    if stream_from.is_some_and(|from| len >= from) {
        let identity = Identity::of(&file.metadata().map_err(Refusal::Io)?);
        // The first KiBs say what a `*.json` is (`--skip-unknown`) without the rest.
        if head.is_empty() {
            (&mut file)
                .take(4096)
                .read_to_end(&mut head)
                .map_err(Refusal::Io)?;
        }
        return Ok(Some(Contents::Stream {
            file,
            head,
            len,
            cap,
            identity,
        }));
    }
    // A file that grew after it was opened may have given more than `cap` in its first KiBs.
    let left = cap
        .checked_sub(head.len() as u64)
        .ok_or(Refusal::TooLarge { cap })?;
    let rest = read_capped(file, left, len).map_err(|_| Refusal::TooLarge { cap })?;
    head.extend_from_slice(&rest);
    Ok(Some(Contents::Bytes(head)))
}

/// Reads at most `cap` bytes; one more means the file is over the cap (its size may lie).
/// `expect`, the size the file says it has, sizes the buffer: read into an empty one, a
/// small file took six `read` calls instead of two.
fn read_capped(r: impl Read, cap: u64, expect: u64) -> std::result::Result<Vec<u8>, Refusal> {
    let mut buf = Vec::with_capacity(expect.min(cap).saturating_add(1) as usize);
    r.take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(Refusal::Io)?;
    if buf.len() as u64 > cap {
        return Err(Refusal::TooLarge { cap });
    }
    Ok(buf)
}

/// `cwd.join(p)` with `.` and `..` resolved by name, not by following links.
fn lexical_abs(p: &Path) -> std::io::Result<PathBuf> {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Reads a file that is not a document (config, policy pack) under the same confinement: a
/// config file in the checked tree must not be able to name `/proc/self/environ` as a pack.
pub fn read_confined(tree: &Tree, path: &Path, cap: u64) -> Result<Vec<u8>> {
    tree.read(path, cap).map_err(|r| match r {
        Refusal::Io(e) => Error::io(path, e),
        other => Error::Usage(format!("{}: {other}", display(path))),
    })
}

/// What a file name says about its kind; `None` = not ours (when walking a directory).
pub fn kind_by_name(path: &Path) -> Option<DocKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    // Terraform's JSON syntax is the same configuration (the guest reads it); variable files
    // are the ones Terraform loads by itself, in either syntax.
    if name.ends_with(".tf") || name.ends_with(".tf.json") {
        Some(DocKind::Hcl)
    } else if name == "terraform.tfvars"
        || name.ends_with(".auto.tfvars")
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars.json")
    {
        Some(DocKind::Tfvars)
    } else if name.ends_with(".tfstate")
        || name.ends_with(".tfstate.backup")
        || (name.contains(".tfstate.") && name.ends_with(".backup"))
    {
        // `terraform.tfstate.1712345678.backup` is what `terraform state push/rm` leave: a
        // whole state, secrets included.
        Some(DocKind::State)
    } else if name.ends_with(".tfvars.json") {
        // Another variable file (`-var-file`): read when named, not from a directory walk.
        None
    } else if name.ends_with(".json") {
        Some(DocKind::Detect)
    } else {
        None
    }
}

/// Why a directory walk leaves out a file that looks like Terraform's but is not read; `None`
/// for files that are no business of ours (README.md, *.py), which are not listed.
pub fn skip_reason(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
        Some("variable file Terraform does not load by itself; pass it with --var-file")
    } else if name.ends_with(".tofu") || name.ends_with(".tofu.json") {
        Some("OpenTofu-only configuration file; not read")
    } else if name.ends_with(".tfplan") {
        Some("saved plan file (binary); check `terraform show -json` of it instead")
    } else if name.contains(".tfstate") {
        Some(
            "not a state file name tfguard reads (*.tfstate, *.tfstate.backup); name it to check it",
        )
    } else {
        None
    }
}

/// Plan or state JSON, judged on the first few KiB (one home, shared with the guest).
pub use tfguard_common::content::looks_like_terraform_json;

pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

impl Collected {
    fn skip(&mut self, path: &Path, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            path: display(path),
            reason: reason.into(),
        });
    }

    fn refuse(&mut self, path: &Path, why: Refusal) {
        self.errors.push(DocError {
            path: display(path),
            span: None,
            message: why.to_string(),
            unsupported: false,
        });
    }

    /// Reads one file of `tree` under both caps; a refusal becomes a document error. With
    /// `only_terraform_json`, a file whose first KiBs are not state or plan JSON is skipped
    /// (`None`, listed in `skipped`) before the rest of it is read, however large it is.
    /// `ahead`: the file as [`read_ahead`] found it, judged here against the caps as if read now.
    /// `link`: what the walk saw (see [`Tree::open_as`]); `None` for a named file.
    fn read(
        &mut self,
        tree: &Tree,
        path: &Path,
        limits: InputLimits,
        only_terraform_json: bool,
        (ahead, link): (Option<Ahead>, Option<bool>),
    ) -> Option<Contents> {
        let left = limits.max_input_size.saturating_sub(self.read_total);
        let cap = limits.max_file_size.min(left);
        let read = match ahead {
            Some(Ok(Some(bytes))) if bytes.len() as u64 > cap => Err(Refusal::TooLarge { cap }),
            Some(ahead) => ahead.map(|b| b.map(Contents::Bytes)),
            None => tree.open_as(path, link).and_then(|(file, len)| {
                read_opened(file, len, only_terraform_json, cap, limits.stream_from)
            }),
        };
        self.account(path, limits, cap, read)
    }

    /// Counts what was read against the input cap, or records why it was not.
    fn account(
        &mut self,
        path: &Path,
        limits: InputLimits,
        cap: u64,
        read: std::result::Result<Option<Contents>, Refusal>,
    ) -> Option<Contents> {
        match read {
            Ok(None) => {
                self.skip(
                    path,
                    "JSON, but not a Terraform state or plan (judged on its first 4 KiB)",
                );
                None
            }
            Ok(Some(contents)) => {
                // A streamed file counts at its size now; streaming stops at the same cap.
                self.read_total += match &contents {
                    Contents::Bytes(b) => b.len() as u64,
                    Contents::Stream { len, .. } => *len,
                };
                Some(contents)
            }
            Err(Refusal::TooLarge { .. }) if cap < limits.max_file_size => {
                self.refuse(
                    path,
                    Refusal::InputCap {
                        cap: limits.max_input_size,
                    },
                );
                None
            }
            Err(why) => {
                self.refuse(path, why);
                None
            }
        }
    }
}

impl Collected {
    fn push(&mut self, path: &Path, kind: DocKind, contents: Contents) {
        let doc = Document {
            path: display(path),
            kind,
            contents: Vec::new(),
            staged: None,
        };
        match contents {
            Contents::Bytes(bytes) => self.docs.push(Document {
                contents: bytes,
                ..doc
            }),
            Contents::Stream {
                file,
                head,
                len,
                cap,
                identity,
            } => {
                self.streamed.push(Streamed {
                    doc: self.docs.len(),
                    name: doc.path.clone(),
                    path: path.to_path_buf(),
                    file,
                    head,
                    len,
                    cap,
                    identity,
                });
                self.docs.push(doc);
            }
        }
    }
}

/// Collect documents from the command-line paths. `-` reads stdin (kind detected). A file that
/// cannot be read is a document error and the others are still collected; a path that does not
/// exist is a usage error.
pub fn collect(paths: &[PathBuf], var_files: &[PathBuf], limits: InputLimits) -> Result<Collected> {
    let mut out = Collected::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let buf = read_capped(std::io::stdin().lock(), limits.max_file_size, 0).map_err(
                |r| match r {
                    Refusal::Io(e) => Error::io("<stdin>", e),
                    other => Error::Usage(format!("<stdin>: {other}")),
                },
            )?;
            out.read_total += buf.len() as u64;
            let trimmed = buf.iter().position(|b| !b.is_ascii_whitespace());
            let kind = match trimmed.map(|i| buf[i]) {
                Some(b'{') => DocKind::Detect,
                _ => DocKind::Hcl,
            };
            out.docs.push(Document {
                path: "<stdin>".into(),
                kind,
                contents: buf,
                staged: None,
            });
            continue;
        }
        // Not following a symlink here: a named symlink is judged by `Tree::read` like any other.
        let meta = std::fs::symlink_metadata(p).map_err(|e| Error::io(p, e))?;
        let tree = Tree::of(p)?;
        if meta.is_dir() {
            let mut steps = Vec::new();
            let canonical = std::fs::canonicalize(p).map_err(|e| Error::io(p, e))?;
            walk(&tree, p, canonical, &mut steps);
            out.take(&tree, steps, limits);
        } else if let Some(contents) = out.read(&tree, p, limits, false, (None, None)) {
            let kind = kind_by_name(p).unwrap_or(DocKind::Detect);
            out.push(p, kind, contents);
        }
    }
    for p in var_files {
        std::fs::symlink_metadata(p).map_err(|e| Error::io(p, e))?;
        let tree = Tree::of(p)?;
        if let Some(contents) = out.read(&tree, p, limits, false, (None, None)) {
            out.push(p, DocKind::Tfvars, contents);
        }
    }
    Ok(out)
}

/// What the walk found, in its order: the files are read after it ([`Collected::take`]).
enum Step {
    /// `link`: the directory entry was a symlink.
    Read {
        path: PathBuf,
        kind: DocKind,
        link: bool,
    },
    Refuse(PathBuf, Refusal),
    Skip(PathBuf, &'static str),
}

/// `canonical`: `dir`'s canonical path, recorded in `tree` with each directory below it.
fn walk(tree: &Tree, dir: &Path, canonical: PathBuf, steps: &mut Vec<Step>) {
    tree.walked_dir(dir, canonical.clone());
    let mut entries: Vec<_> =
        match std::fs::read_dir(dir).and_then(|d| d.collect::<std::io::Result<Vec<_>>>()) {
            Ok(e) => e,
            Err(e) => {
                // An unreadable directory may hold Terraform files: fail closed, keep going.
                steps.push(Step::Refuse(dir.to_path_buf(), Refusal::Io(e)));
                return;
            }
        };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                steps.push(Step::Refuse(path, Refusal::Io(e)));
                continue;
            }
        };
        let name = entry.file_name();
        if ft.is_dir() {
            if name == ".git" {
                // Git's own objects: never Terraform files, and not worth a line.
            } else if SKIP_DIRS.iter().any(|s| name == *s) {
                steps.push(Step::Skip(
                    path,
                    "directory not walked (provider, module or tool cache; not your configuration)",
                ));
            } else {
                let below = canonical.join(&name);
                walk(tree, &path, below, steps);
            }
            continue;
        }
        // Symlinked directories are not followed (no loops, no escape), but they may hold
        // Terraform files, so they are named.
        if ft.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            steps.push(Step::Skip(path, "symlinked directory, not followed"));
            continue;
        }
        // Only names of ours are ever opened.
        match kind_by_name(&path) {
            Some(kind) => steps.push(Step::Read {
                path,
                kind,
                link: ft.is_symlink(),
            }),
            None => {
                if let Some(reason) = skip_reason(&path) {
                    steps.push(Step::Skip(path, reason));
                }
            }
        }
    }
}

/// A walked file read ahead: its bytes (`None`: a `*.json` that is not Terraform's), or why
/// the tree refused it.
type Ahead = std::result::Result<Option<Vec<u8>>, Refusal>;

/// Walks of at least this many files are read on every CPU: below it, threads cost more than
/// they save.
const AHEAD_FROM: usize = 64;

impl Collected {
    /// Takes the walk's steps in order. The files are read first on every CPU: opening a file
    /// of the tree (confinement: `canonicalize`, two `stat`s, the open) is a dozen system
    /// calls, and 2,000 files took 19 ms on one thread, a sixth of their check on two (issue
    /// 16). Whatever depends on order (the input cap, the order of documents, errors and
    /// skips) is decided here, in walk order, as if each file were read now.
    fn take(&mut self, tree: &Tree, steps: Vec<Step>, limits: InputLimits) {
        let mut ahead = read_all_ahead(tree, &steps, limits);
        for (i, step) in steps.into_iter().enumerate() {
            match step {
                Step::Skip(path, reason) => self.skip(&path, reason),
                Step::Refuse(path, why) => self.refuse(&path, why),
                Step::Read { path, kind, link } => {
                    let json = kind == DocKind::Detect;
                    let ahead = ahead.get_mut(i).and_then(Option::take);
                    if let Some(contents) =
                        self.read(tree, &path, limits, json, (ahead, Some(link)))
                    {
                        self.push(&path, kind, contents);
                    }
                }
            }
        }
    }
}

/// The walked files read ahead, by step; `None` where a file is left to the sequential read
/// (one CPU, a small walk, a file to stream, the read-ahead budget spent).
fn read_all_ahead(tree: &Tree, steps: &[Step], limits: InputLimits) -> Vec<Option<Ahead>> {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    let mut out: Vec<Option<Ahead>> = std::iter::repeat_with(|| None).take(steps.len()).collect();
    let reads: Vec<usize> = (0..steps.len())
        .filter(|&i| matches!(steps[i], Step::Read { .. }))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || reads.len() < AHEAD_FROM {
        return out;
    }
    let next = AtomicUsize::new(0);
    // Read ahead no more than the run may read at all: the memory bound of the input cap holds.
    let budget = AtomicU64::new(limits.max_input_size);
    let read_some = || {
        let mut mine: Vec<(usize, Ahead)> = Vec::new();
        while let Some(&i) = reads.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Step::Read { path, kind, link } = &steps[i]
                && let Some(a) = read_ahead(
                    tree,
                    (path, *link),
                    *kind == DocKind::Detect,
                    limits,
                    &budget,
                )
            {
                mine.push((i, a));
            }
        }
        mine
    };
    let found: Vec<(usize, Ahead)> = std::thread::scope(|s| {
        let running: Vec<_> = (0..threads).map(|_| s.spawn(read_some)).collect();
        // A thread that panicked read nothing ahead: its files are read in order.
        running
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_default())
            .collect()
    });
    for (i, a) in found {
        out[i] = Some(a);
    }
    out
}

/// One file read as [`Collected::read`] reads it, against the per-file cap only; `None` leaves
/// it to that read (a file to stream, the budget spent, a file over the cap, which that read
/// names).
fn read_ahead(
    tree: &Tree,
    (path, link): (&Path, bool),
    only_terraform_json: bool,
    limits: InputLimits,
    budget: &std::sync::atomic::AtomicU64,
) -> Option<Ahead> {
    use std::sync::atomic::Ordering;
    let (file, len) = match tree.open_as(path, Some(link)) {
        Ok(f) => f,
        Err(why) => return Some(Err(why)),
    };
    if len > limits.max_file_size || limits.stream_from.is_some_and(|from| len >= from) {
        return None;
    }
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(len))
        .ok()?;
    match read_opened(file, len, only_terraform_json, limits.max_file_size, None) {
        Ok(Some(Contents::Bytes(b))) => Some(Ok(Some(b))),
        Ok(Some(Contents::Stream { .. })) | Err(Refusal::TooLarge { .. }) => None,
        Ok(None) => Some(Ok(None)),
        Err(why) => Some(Err(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk's steps for `root`, as `collect` walks a directory.
    fn walked(tree: &Tree, root: &Path) -> Vec<Step> {
        let mut steps = Vec::new();
        walk(tree, root, std::fs::canonicalize(root).unwrap(), &mut steps);
        steps
    }

    fn streaming_limits() -> InputLimits {
        InputLimits {
            stream_from: Some(1),
            ..InputLimits::default()
        }
    }

    /// A streamed file is opened (and confined) at collection and poured whole, in pieces; a
    /// second read for a frame is refused once the file is no longer the one checked.
    #[test]
    fn streamed_files_pour_whole_and_reread_only_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.tfstate");
        let text = "{\"version\": 4, \"resources\": []}\n".repeat(300);
        std::fs::write(&p, &text).unwrap();
        let mut c = collect(std::slice::from_ref(&p), &[], streaming_limits()).unwrap();
        assert_eq!(c.docs.len(), 1);
        assert!(c.docs[0].contents.is_empty());
        let s = &mut c.streamed[0];
        assert_eq!((s.doc, s.len), (0, text.len() as u64));
        let mut got = Vec::new();
        let mut pieces = 0;
        let r = s.pour(7, &mut |b| {
            got.extend_from_slice(b);
            pieces += 1;
            true
        });
        assert!(r.is_ok());
        assert_eq!(got, text.as_bytes());
        assert!(pieces > 100);
        assert_eq!(s.reread().as_deref(), Some(text.as_bytes()));
        std::fs::write(&p, format!("{text} ")).unwrap();
        assert_eq!(s.reread(), None);
    }

    /// Files read ahead on several threads give exactly what reading them one by one in walk
    /// order gives: the same documents in the same order, the same refusals (a symlink out of
    /// the tree, a symlink to a non-Terraform file, a FIFO, a file over its cap, the input cap
    /// reached at the same file), the same skips. Run where there is more than one CPU.
    #[test]
    fn reading_ahead_gives_what_reading_in_order_gives() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.tf"), "x = 1\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        for m in 0..4 {
            let d = root.join(format!("m{m}"));
            std::fs::create_dir_all(&d).unwrap();
            for f in 0..30 {
                let body = format!("# {m}/{f}\n{}", "variable \"v\" {}\n".repeat(f));
                std::fs::write(d.join(format!("f{f:02}.tf")), body).unwrap();
            }
        }
        let d = root.join("m1");
        std::fs::write(d.join("big.tf"), "#".repeat(5000)).unwrap();
        std::fs::write(d.join("notes.json"), "{\"hello\": 1}").unwrap();
        std::fs::write(
            d.join("s.json"),
            "{\"version\": 4, \"terraform_version\": \"1.9.0\", \"resources\": []}",
        )
        .unwrap();
        std::fs::write(d.join(".env"), "TOKEN=x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.tf"), d.join("escape.tf"))
                .unwrap();
            std::os::unix::fs::symlink(d.join(".env"), d.join("env.tf")).unwrap();
            let fifo =
                std::ffi::CString::new(d.join("pipe.tf").to_string_lossy().as_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        }
        let limits = InputLimits {
            max_file_size: 4096,
            // Reached partway through the walk (m2), so its refusals depend on order.
            max_input_size: 18_000,
            stream_from: None,
        };
        let tree = Tree::of(&root).unwrap();
        let steps = walked(&tree, &root);
        assert!(steps.len() > AHEAD_FROM);
        let ahead = read_all_ahead(&tree, &steps, limits);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(ahead.iter().any(Option::is_some), threads > 1);
        let mut fast = Collected::default();
        fast.take(&tree, steps, limits);
        let mut slow = Collected::default();
        for step in walked(&tree, &root) {
            match step {
                Step::Skip(p, r) => slow.skip(&p, r),
                Step::Refuse(p, why) => slow.refuse(&p, why),
                Step::Read { path, kind, .. } => {
                    let json = kind == DocKind::Detect;
                    if let Some(c) = slow.read(&tree, &path, limits, json, (None, None)) {
                        slow.push(&path, kind, c);
                    }
                }
            }
        }
        let docs = |c: &Collected| -> Vec<(String, Vec<u8>)> {
            c.docs
                .iter()
                .map(|d| (d.path.clone(), d.contents.clone()))
                .collect()
        };
        let errors = |c: &Collected| -> Vec<(String, String)> {
            c.errors
                .iter()
                .map(|e| (e.path.clone(), e.message.clone()))
                .collect()
        };
        assert_eq!(docs(&fast), docs(&slow));
        assert_eq!(errors(&fast), errors(&slow));
        assert_eq!(fast.skipped, slow.skipped);
        assert_eq!(fast.read_total, slow.read_total);
        // And the cases are really there.
        let msgs = errors(&fast);
        let has = |name: &str, what: &str| {
            msgs.iter()
                .any(|(p, m)| p.ends_with(name) && m.contains(what))
        };
        assert!(has("big.tf", "4KiB cap on one file"), "{msgs:?}");
        #[cfg(unix)]
        {
            assert!(has("escape.tf", "outside the checked tree"), "{msgs:?}");
            assert!(has("env.tf", "symlink to a file whose name"), "{msgs:?}");
            assert!(has("pipe.tf", "FIFO"), "{msgs:?}");
        }
        assert!(has("m2/f29.tf", "cap on all input"), "{msgs:?}");
        assert!(!has("m2/f00.tf", "cap"), "{msgs:?}");
        assert!(fast.skipped.iter().any(|s| s.path.ends_with("notes.json")));
        assert!(fast.docs.iter().any(|d| d.path.ends_with("s.json")));
    }

    /// A `*.json` that grew after it was opened (its size then said 10 bytes) and whose first
    /// KiBs already pass the cap is refused at the cap, not read whole past it.
    #[test]
    fn a_json_grown_past_the_cap_before_its_head_is_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let body = format!(
            "{{\"version\": 4, \"terraform_version\": \"1.9.0\", \"resources\": [], \"x\": \"{}\"}}",
            "a".repeat(8000)
        );
        std::fs::write(&p, &body).unwrap();
        let file = std::fs::File::open(&p).unwrap();
        match read_opened(file, 10, true, 100, None) {
            Err(Refusal::TooLarge { cap }) => assert_eq!(cap, 100),
            Ok(Some(Contents::Bytes(b))) => panic!("read {} bytes past a cap of 100", b.len()),
            _ => panic!("neither refused nor read"),
        }
    }

    /// A file that grows past its cap while it is poured is a document error naming the cap.
    #[test]
    fn a_file_grown_past_its_cap_while_poured_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.tfstate");
        std::fs::write(&p, "x".repeat(100)).unwrap();
        let limits = InputLimits {
            max_file_size: 150,
            ..streaming_limits()
        };
        let mut c = collect(std::slice::from_ref(&p), &[], limits).unwrap();
        std::fs::write(&p, "x".repeat(400)).unwrap();
        match c.streamed[0].pour(64, &mut |_| true) {
            Err(e) => assert!(e.message.contains("150"), "{}", e.message),
            Ok(()) => panic!("not refused"),
        }
    }
    /// The walk says which files were symlinks, so they are not `lstat`ed again; a file made a
    /// symlink out of the tree after the walk is still refused (opened with `O_NOFOLLOW`), on
    /// the threads that read ahead and in order.
    #[cfg(unix)]
    #[test]
    fn a_file_swapped_for_a_symlink_after_the_walk_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.tf"), "leaked = \"outside\"\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        std::fs::create_dir_all(&root).unwrap();
        for f in 0..(AHEAD_FROM + 10) {
            std::fs::write(root.join(format!("f{f:03}.tf")), "x = 1\n").unwrap();
        }
        for ahead in [true, false] {
            let tree = Tree::of(&root).unwrap();
            let steps = walked(&tree, &root);
            let swapped = root.join("f007.tf");
            std::fs::remove_file(&swapped).unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret.tf"), &swapped).unwrap();
            let mut c = Collected::default();
            if ahead {
                c.take(&tree, steps, InputLimits::default());
            } else {
                for step in steps {
                    if let Step::Read { path, kind, link } = step
                        && let Some(got) = c.read(
                            &tree,
                            &path,
                            InputLimits::default(),
                            false,
                            (None, Some(link)),
                        )
                    {
                        c.push(&path, kind, got);
                    }
                }
            }
            assert!(
                c.docs.iter().all(|d| !d.contents.starts_with(b"leaked")),
                "read through a symlink swapped in after the walk"
            );
            assert!(c.errors.iter().any(|e| e.path.ends_with("f007.tf")));
            assert_eq!(c.docs.len(), AHEAD_FROM + 9);
            std::fs::remove_file(&swapped).unwrap();
            std::fs::write(&swapped, "x = 1\n").unwrap();
        }
    }
}
