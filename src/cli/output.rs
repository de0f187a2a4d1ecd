//! Writing results: stdout, or a file written atomically (temporary file in the same directory,
//! fsync, rename), so a failed command never leaves a partial output file.

use seedplan::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Renders with `f` into memory, then writes to `path` atomically or to stdout.
pub fn emit(path: Option<&str>, f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<()> {
    emit_with(path, None, f)
}

/// As `emit`, with a side output already staged (`stage`): it is renamed into place only once
/// the main output is rendered and, for a file, staged too.
pub fn emit_with(
    path: Option<&str>,
    side: Option<Staged>,
    f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> Result<()> {
    // An interrupted command writes nothing and exits 130: what it computed was cut short
    // (an estimate on fewer runs, a curve with fewer points) and must not pass for a result.
    if seedplan::limits::interrupted() {
        return Err(Error::Interrupted);
    }
    let mut buf = Vec::new();
    f(&mut buf).map_err(|e| Error::Runtime(format!("formatting output: {e}")))?;
    // The main output goes first, the side one only once it is in place: a main output that
    // could not be renamed (a directory of that name) or written (stdout on a full disk) left
    // the report or chart behind.
    // `/dev/stdout` (and `/dev/fd/1`, `/proc/self/fd/1`) is standard output: written there as
    // `-` is, so `>> log` appends and a closed pipe ends quietly, rather than reopened (which
    // wrote from offset 0) or, when it names a regular file, renamed over.
    match path.filter(|&p| p != "-" && fd_alias(Path::new(p)) != Some(1)) {
        Some(p) => stage(Path::new(p), &buf)?.commit()?,
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(&buf).and_then(|_| out.flush()) {
                // A reader that stopped reading (`| head`) is no failure (exit 0, `main`): the
                // side output is still wanted then.
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    if let Some(side) = side {
                        side.commit()?;
                    }
                    return Err(Error::StdoutClosed);
                }
                return Err(Error::Runtime(format!("writing to stdout: {e}")));
            }
        }
    }
    match side {
        Some(side) => side.commit(),
        None => Ok(()),
    }
}

/// Writes `bytes` to `path` via a temporary sibling and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Output written to a temporary sibling of its path and synced, not yet renamed into place
/// (`commit`); dropped uncommitted, it is removed. A command with two outputs (a plan and its
/// report, a curve and its chart) stages both before it renames either, so that a failure on
/// one leaves neither.
pub struct Staged(Stage);

enum Stage {
    /// A regular file (or none yet): a temporary sibling, renamed over it.
    Temp {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    /// A FIFO, a device, a terminal: nothing to rename over, so the bytes are held and written
    /// through it at `commit`.
    Through { path: PathBuf, bytes: Vec<u8> },
    /// Standard output or error named as a file (`/dev/stdout`, `/dev/fd/2`): written to the
    /// descriptor this process holds.
    Descriptor { fd: u32, bytes: Vec<u8> },
}

impl Staged {
    /// Renames the output into place (or writes it through a special file).
    pub fn commit(self) -> Result<()> {
        match self.0 {
            Stage::Temp { tmp, path } => {
                tmp.persist(&path).map_err(|e| {
                    Error::Runtime(format!("{}: rename failed: {}", path.display(), e.error))
                })?;
            }
            Stage::Through { path, bytes } => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&bytes).and_then(|_| f.flush()))
                    .map_err(|e| {
                        Error::Runtime(format!("{}: write failed: {e}", path.display()))
                    })?;
            }
            Stage::Descriptor { fd, bytes } => {
                let written = if fd == 1 {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&bytes).and_then(|_| out.flush())
                } else {
                    let mut err = std::io::stderr().lock();
                    err.write_all(&bytes).and_then(|_| err.flush())
                };
                match written {
                    Err(e) if fd == 1 && e.kind() == std::io::ErrorKind::BrokenPipe => {
                        return Err(Error::StdoutClosed)
                    }
                    Err(e) => {
                        return Err(Error::Runtime(format!(
                            "writing to file descriptor {fd}: {e}"
                        )))
                    }
                    Ok(()) => {}
                }
            }
        }
        Ok(())
    }
}

/// Where output for `path` goes. A symbolic link is followed to the file it names, so the
/// rename replaces that file and the link stays (`latest.json -> plans/…`); a name that is not
/// a regular file (a FIFO, a device) is written through: renaming over it replaced the FIFO or
/// the device node with a plain file. Standard output and error named as files go to the
/// descriptors.
enum Target {
    File(PathBuf),
    Special(PathBuf),
    Descriptor(u32),
}

/// The descriptor a path names when it is one of this process's standard streams by name
/// (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, N = 1 or 2), directly or
/// through links to such a name.
pub fn fd_alias(path: &Path) -> Option<u32> {
    let of = |p: &Path| {
        let p = p.to_str()?;
        let fd = match p {
            "/dev/stdout" | "/dev/fd/1" => return Some(1),
            "/dev/stderr" | "/dev/fd/2" => return Some(2),
            _ => p.strip_prefix("/proc/")?,
        };
        // `/proc/self/fd/1`, `/proc/thread-self/fd/1`, `/proc/PID/fd/1` of this process.
        let (owner, n) = fd.split_once("/fd/")?;
        let own = owner == "self"
            || owner == "thread-self"
            || owner == std::process::id().to_string()
            || owner
                .split_once("/task/")
                .is_some_and(|(pid, _)| pid == std::process::id().to_string());
        match n {
            "1" if own => Some(1),
            "2" if own => Some(2),
            _ => None,
        }
    };
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if let Some(fd) = of(&p) {
            return Some(fd);
        }
        match std::fs::read_link(&p) {
            Ok(to) => p = follow(&p, to),
            Err(_) => return None,
        }
    }
    None
}

/// Links followed at most, as the kernel allows.
const MAX_LINKS: usize = 40;

fn follow(link: &Path, to: PathBuf) -> PathBuf {
    match link.parent() {
        Some(dir) if to.is_relative() => dir.join(to),
        _ => to,
    }
}

fn target_of(path: &Path) -> Result<Target> {
    if let Some(fd) = fd_alias(path) {
        return Ok(Target::Descriptor(fd));
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Ok(Target::Special(path.to_path_buf()));
    }
    // A link to a file not written yet is followed too, to its last link.
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::read_link(&p) {
            Ok(to) => p = follow(&p, to),
            Err(_) => return Ok(Target::File(p)),
        }
    }
    Err(Error::usage(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// The file an output path ends up in, for telling whether two outputs (or an output and an
/// input) are one: the last link's target, its folder canonical.
fn resolved(path: &str) -> Option<PathBuf> {
    match target_of(Path::new(path)).ok()? {
        Target::Descriptor(fd) => Some(PathBuf::from(format!("/dev/fd/{fd}"))),
        Target::Special(p) => std::fs::canonicalize(p).ok(),
        Target::File(p) => {
            let dir = folder_of(&p);
            std::fs::canonicalize(dir)
                .ok()
                .zip(p.file_name())
                .map(|(d, f)| d.join(f))
        }
    }
}

/// The folder a path's file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Stages `bytes` for `path` (see `Staged`).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    stage_with(path, |w| w.write_all(bytes))
}

/// Streams output from `f` into a temporary sibling of `path`, fsyncs and renames it; on any
/// failure (or interruption) the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    stage_with(path, f)?.commit()
}

/// Whether two output paths (each in an existing folder) name one file, through links too.
pub fn same_file(a: &str, b: &str) -> bool {
    let stdout = |p: &str| if p == "-" { "/dev/stdout" } else { p }.to_string();
    let (a, b) = (stdout(a), stdout(b));
    // Both there: the same regular file whatever the names (`-o /dev/stdout --report r.json
    // > r.json`); not there yet: the same name once links are followed.
    a == b
        || one_regular_file(&a, &b)
        || resolved(&a).is_some_and(|x| Some(&x) == resolved(&b).as_ref())
}

/// Whether `out` is the existing file `input` (the same file through any path, link or hard
/// link): an output there would destroy the input.
pub fn is_existing_file(out: &str, input: &str) -> bool {
    // Standard input is a file too when it was redirected from one (`--graph - < g.txt`).
    one_regular_file(out, if input == "-" { "/dev/stdin" } else { input })
}

/// Whether two inputs are one stream that can be read only once: standard input (`-`) or the
/// same pipe or socket under two names (`-` and `/dev/stdin`). A device (`/dev/null`) reads
/// the same every time.
pub fn one_stream(a: &str, b: &str) -> bool {
    let stdin = |p: &str| if p == "-" { "/dev/stdin" } else { p }.to_string();
    match (std::fs::metadata(stdin(a)), std::fs::metadata(stdin(b))) {
        (Ok(x), Ok(y)) if !x.is_file() && !x.is_dir() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::{FileTypeExt, MetadataExt};
                let once = x.file_type().is_fifo() || x.file_type().is_socket();
                once && x.dev() == y.dev() && x.ino() == y.ino()
            }
            #[cfg(not(unix))]
            {
                let _ = y;
                false
            }
        }
        _ => false,
    }
}

/// Whether two existing paths are one regular file. Devices and terminals are left out: `>
/// /dev/null --report /dev/null` discards both outputs, and `--graph /dev/stdin -o
/// /dev/stdout` on one terminal loses nothing.
fn one_regular_file(a: &str, b: &str) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) if x.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                x.dev() == y.dev() && x.ino() == y.ino()
            }
            #[cfg(not(unix))]
            {
                let _ = y;
                std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
            }
        }
        _ => false,
    }
}

/// Refuses an output path whose folder does not exist or that names a folder.
pub fn check_target(path: &Path) -> Result<()> {
    // `-o out/` and `-o ''` name no file: they failed at the rename, after the work (exit 1).
    let text = path.as_os_str().to_string_lossy();
    if text.is_empty() {
        return Err(Error::usage("an output path is empty: give a file name"));
    }
    if text.ends_with(std::path::MAIN_SEPARATOR) || path.file_name().is_none() {
        return Err(Error::usage(format!(
            "{}: names a directory, not a file to write",
            path.display()
        )));
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        let why = if dir.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        return Err(Error::usage(format!(
            "{}: output directory {} {why}",
            path.display(),
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::usage(format!(
            "{}: is a directory, not a file to write",
            path.display()
        )));
    }
    Ok(())
}

/// Refuses, before the work, an output file that could not be created: a folder the user
/// cannot write to failed only at the end (exit 1, the work lost). Standard streams and special
/// files are written through, not created, and pass.
pub fn check_writable(path: &Path) -> Result<()> {
    if let Target::File(p) = target_of(path)? {
        tempfile::Builder::new()
            .prefix(".seedplan-")
            .suffix(".tmp")
            .tempfile_in(folder_of(&p))
            .map_err(|e| {
                let dir = folder_of(&p).display();
                Error::usage(match e.kind() {
                    // A link into a folder that is not there.
                    std::io::ErrorKind::NotFound => {
                        format!("{}: output directory {dir} does not exist", path.display())
                    }
                    kind => format!("{}: cannot write in {dir}: {kind}", path.display()),
                })
            })?;
    }
    Ok(())
}

/// Streams output from `f` into a temporary sibling of `path` and fsyncs it.
fn stage_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged> {
    let fail =
        |what: &str, e: std::io::Error| Error::Runtime(format!("{}: {what}: {e}", path.display()));
    check_target(path)?;
    let path = match target_of(path)? {
        Target::Descriptor(fd) => {
            let mut bytes = Vec::new();
            f(&mut bytes).map_err(|e| fail("write failed", e))?;
            return Ok(Staged(Stage::Descriptor { fd, bytes }));
        }
        Target::Special(path) => {
            let mut bytes = Vec::new();
            f(&mut bytes).map_err(|e| fail("write failed", e))?;
            return Ok(Staged(Stage::Through { path, bytes }));
        }
        Target::File(p) => p,
    };
    let path = path.as_path();
    check_target(path)?;
    let dir = folder_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".seedplan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail("cannot create temporary file", e))?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        f(&mut w).map_err(|e| fail("write failed", e))?;
        w.flush().map_err(|e| fail("write failed", e))?;
    }
    // Temporary files are created private (0600); give the result the usual 0644, or keep the
    // mode of the file being replaced.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| fail("cannot set permissions", e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| fail("fsync failed", e))?;
    Ok(Staged(Stage::Temp {
        tmp,
        path: path.to_path_buf(),
    }))
}
