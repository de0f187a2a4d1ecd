//! Opening inputs: files or stdin, with gzip and zstd detected from their magic bytes (not the
//! file name, so a renamed file still works).

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

const BUF: usize = 4 << 20;

/// Opens `path` (`-` is stdin) and returns a buffered reader that decompresses `.gz`/`.zst`.
pub fn open(path: &str) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let f = File::open(path).map_err(|e| Error::in_file(path, describe_open_error(&e)))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::in_file(path, "is a directory, expected a file"));
        }
        Box::new(f)
    };
    wrap(raw, path)
}

/// A reader over bytes in memory, decompressed like a file would be (used by the fuzz targets
/// and by tests).
pub fn from_bytes(bytes: Vec<u8>, path: &str) -> Result<Box<dyn BufRead + Send>> {
    wrap(Box::new(std::io::Cursor::new(bytes)), path)
}

fn wrap(raw: Box<dyn Read + Send>, path: &str) -> Result<Box<dyn BufRead + Send>> {
    let mut r = decompress(raw, path)?;
    // A UTF-8 byte-order mark (editors on Windows write one) is not part of the first label:
    // kept, it made `1` on line 1 a different node from `1` elsewhere.
    let head = r
        .fill_buf()
        .map_err(|e| Error::in_file(path, format!("cannot read: {e}")))?;
    if let Some(at) = head.iter().position(|&b| b == 0) {
        if !super::snapshot::is_snapshot(head) {
            // Text holds no NUL byte: a program, an image or UTF-16 text was reported as a
            // line-ending problem or a label that is not UTF-8, further in.
            let what = if head.starts_with(super::snapshot::MAGIC) {
                "a .spg snapshot cut short (convert the edge list again)"
            } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
                "UTF-16 text (save it as UTF-8)"
            } else {
                "binary data, not text, gzip or zstd"
            };
            let line = head[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            return Err(Error::at_line(
                path,
                line,
                format!("a NUL byte (offset {at}): this looks like {what}"),
            ));
        }
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
    } else if super::snapshot::is_snapshot(head) {
        // Read as text, a snapshot's bytes gave "node label is not valid UTF-8".
        return Err(Error::in_file(
            path,
            "this is a .spg snapshot: snapshots are mapped from an uncompressed file, not \
             streamed; give the file itself (decompressed, not through standard input) as \
             --graph",
        ));
    }
    Ok(r)
}

fn decompress(raw: Box<dyn Read + Send>, path: &str) -> Result<Box<dyn BufRead + Send>> {
    let mut buf = BufReader::with_capacity(BUF, raw);
    let head = buf
        .fill_buf()
        .map_err(|e| Error::in_file(path, format!("cannot read: {e}")))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let dec = flate2::bufread::MultiGzDecoder::new(buf);
        Ok(Box::new(BufReader::with_capacity(BUF, dec)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let dec = zstd::stream::read::Decoder::with_buffer(buf)
            .map_err(|e| Error::in_file(path, format!("cannot start zstd decoder: {e}")))?;
        Ok(Box::new(BufReader::with_capacity(BUF, dec)))
    } else {
        Ok(Box::new(buf))
    }
}

fn describe_open_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot open: {e}"),
    }
}

/// Strips `.gz`/`.zst` from a file name so the format can be guessed from what is inside.
pub fn inner_extension(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    let stem = lower
        .strip_suffix(".gz")
        .or_else(|| lower.strip_suffix(".zst"))
        .unwrap_or(&lower);
    stem.rsplit_once('.').map(|(_, e)| e.to_string())
}
