//! Writing results: stdout, or a file written atomically (temporary file in the same directory,
//! fsync, rename), so a failed command never leaves a partial output file.

use seedplan::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Renders with `f` into memory, then writes to `path` atomically or to stdout.
pub fn emit(path: Option<&str>, f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<()> {
    let mut buf = Vec::new();
    f(&mut buf).map_err(|e| Error::Runtime(format!("formatting output: {e}")))?;
    match path {
        None | Some("-") => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf)
                .and_then(|_| out.flush())
                .map_err(|e| Error::Runtime(format!("writing to stdout: {e}")))
        }
        Some(p) => write_atomic(Path::new(p), &buf),
    }
}

/// Writes `bytes` to `path` via a temporary sibling and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Streams output from `f` into a temporary sibling of `path`, fsyncs and renames it; on any
/// failure (or interruption) the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let fail =
        |what: &str, e: std::io::Error| Error::Runtime(format!("{}: {what}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "{}: output directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
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
    tmp.persist(path)
        .map_err(|e| fail("rename failed", e.error))?;
    Ok(())
}
