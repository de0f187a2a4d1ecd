//! Binary graph snapshots (`.spg`): the CSR in both directions, weights, labels and the load
//! report, versioned and checksummed, loaded by memory map. Loading skips parsing and graph
//! construction entirely, which is what batch jobs rerun on every snapshot want.
//!
//! Layout (little endian, every section 8-byte aligned):
//! ```text
//! "SEEDPLAN" | version u32 | flags u32 (1 = weights) | n u64 | m u64 | strings u64 |
//! string_bytes u64 | report_len u64 | header xxh3 u64
//! out_offsets (n+1)*u64 | in_offsets (n+1)*u64 | out_targets m*u32 | in_sources m*u32 |
//! [out_weights m*f32 | in_weights m*f32] | codes n*u64 | string_offsets (strings+1)*u64 |
//! string bytes | report JSON | padding | body xxh3 u64
//! ```
//! A truncated file fails the length check; any flipped byte fails a checksum.

use crate::error::{Error, Result};
use crate::graph::{Graph, LoadReport, NodeTable};
use std::io::Write;
use xxhash_rust::xxh3::Xxh3;

/// File magic.
pub const MAGIC: &[u8; 8] = b"SEEDPLAN";
/// Format version written by this build.
pub const VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 4 + 8 * 5 + 8;

/// Bytes of a file's start that [`is_snapshot`] reads.
pub const SNIFF: usize = 12;

/// Whether `bytes` (a file's first [`SNIFF`] bytes or more) look like a snapshot: the magic,
/// then a format version below 256, whose three high bytes are zero. Text never holds those
/// NULs, so an edge list, a cost table or a seed list whose first label starts with
/// "SEEDPLAN" is not taken for one.
pub fn is_snapshot(bytes: &[u8]) -> bool {
    bytes.len() >= SNIFF && bytes.starts_with(MAGIC) && bytes[9..12] == [0, 0, 0]
}

/// Whether `path` is a regular file that starts like a snapshot. Anything else (a pipe, a FIFO,
/// `/dev/stdin`, a process substitution) is not opened here: the bytes read to look would be
/// gone for the parser that reads it next, which lost the first edge that way, and opening a
/// FIFO twice waits for a second writer for ever. A snapshot streamed that way is refused by
/// `reader::open` instead.
pub fn is_snapshot_file(path: &str) -> bool {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = [0u8; SNIFF];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| is_snapshot(&head))
}

fn pad8(len: usize) -> usize {
    (8 - len % 8) % 8
}

/// Writes `g` as a snapshot.
pub fn write_snapshot(g: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    let (codes, strings) = g.nodes().parts();
    let report = serde_json::to_vec(g.report()).map_err(std::io::Error::other)?;
    let string_bytes: usize = strings.iter().map(|s| s.len()).sum();
    let n = g.num_nodes() as u64;
    let m = g.num_edges() as u64;
    let weights = g.in_weights.is_some();
    let fwd = g.forward();
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&(weights as u32).to_le_bytes());
    for x in [
        n,
        m,
        strings.len() as u64,
        string_bytes as u64,
        report.len() as u64,
    ] {
        header.extend_from_slice(&x.to_le_bytes());
    }
    let hh = xxhash_rust::xxh3::xxh3_64(&header);
    header.extend_from_slice(&hh.to_le_bytes());
    out.write_all(&header)?;
    let mut hasher = Xxh3::new();
    let mut put = |bytes: &[u8], out: &mut dyn Write| -> std::io::Result<()> {
        hasher.update(bytes);
        out.write_all(bytes)
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    macro_rules! section {
        ($iter:expr) => {{
            for x in $iter {
                buf.extend_from_slice(&x.to_le_bytes());
                if buf.len() >= 1 << 20 {
                    put(&buf, out)?;
                    buf.clear();
                }
            }
            put(&buf, out)?;
            buf.clear();
        }};
    }
    section!(fwd.offsets.iter());
    section!(g.in_offsets.iter());
    section!(fwd.targets.iter());
    put(&vec![0u8; pad8(fwd.targets.len() * 4)], out)?;
    section!(g.in_sources.iter());
    put(&vec![0u8; pad8(g.in_sources.len() * 4)], out)?;
    if let (Some(ow), Some(iw)) = (&fwd.weights, &g.in_weights) {
        section!(ow.iter());
        put(&vec![0u8; pad8(ow.len() * 4)], out)?;
        section!(iw.iter());
        put(&vec![0u8; pad8(iw.len() * 4)], out)?;
    }
    section!(codes.iter());
    let mut off = 0u64;
    let offs = std::iter::once(0u64).chain(strings.iter().map(|s| {
        off += s.len() as u64;
        off
    }));
    section!(offs);
    for s in strings {
        buf.extend_from_slice(s.as_bytes());
    }
    buf.extend_from_slice(&vec![0u8; pad8(string_bytes)]);
    put(&buf, out)?;
    buf.clear();
    put(&report, out)?;
    put(&vec![0u8; pad8(report.len())], out)?;
    let body = hasher.digest();
    out.write_all(&body.to_le_bytes())
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                Error::in_file(
                    self.path,
                    "snapshot is truncated (a section runs past the end of the file)",
                )
            })?;
        let s = &self.b[self.at..end];
        self.at = end + pad8(len);
        Ok(s)
    }
    fn u64s(&mut self, count: usize) -> Result<Vec<u64>> {
        let bytes = self.take(
            count
                .checked_mul(8)
                .ok_or_else(|| Error::in_file(self.path, "corrupt snapshot header"))?,
        )?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
    fn u32s(&mut self, count: usize) -> Result<Vec<u32>> {
        let bytes = self.take(
            count
                .checked_mul(4)
                .ok_or_else(|| Error::in_file(self.path, "corrupt snapshot header"))?,
        )?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
    fn f32s(&mut self, count: usize) -> Result<Vec<f32>> {
        Ok(self.u32s(count)?.into_iter().map(f32::from_bits).collect())
    }
}

/// Reads a snapshot from its bytes (a memory map), verifying size, checksums and structure.
pub fn read_snapshot(bytes: &[u8], path: &str) -> Result<Graph> {
    let bad = |m: &str| Error::in_file(path, m.to_string());
    if bytes.len() < HEADER + 8 || !is_snapshot(bytes) {
        return Err(bad(
            "not a seedplan snapshot, or truncated before the end of its header",
        ));
    }
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
    let version = u32_at(8);
    if xxhash_rust::xxh3::xxh3_64(&bytes[..HEADER - 8]) != u64_at(HEADER - 8) {
        return Err(bad("snapshot header is corrupted (checksum mismatch)"));
    }
    if version != VERSION {
        return Err(bad(&format!(
            "snapshot format version {version} is not supported by this seedplan (reads version {VERSION}); re-run `seedplan convert`"
        )));
    }
    let weights = u32_at(12) & 1 == 1;
    let (n, m, ns, sb, rl) = (u64_at(16), u64_at(24), u64_at(32), u64_at(40), u64_at(48));
    let too_big = |x: u64| x > bytes.len() as u64;
    if too_big(n) || too_big(m) || too_big(ns) || too_big(sb) || too_big(rl) {
        return Err(bad("snapshot is truncated or its header is inconsistent"));
    }
    let (n, m, ns, sb, rl) = (
        n as usize,
        m as usize,
        ns as usize,
        sb as usize,
        rl as usize,
    );
    let body = &bytes[HEADER..bytes.len() - 8];
    let sum = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().unwrap());
    let expect = 8 * (n + 1) * 2
        + (4 * m + pad8(4 * m)) * if weights { 4 } else { 2 }
        + 8 * n
        + 8 * (ns + 1)
        + sb
        + pad8(sb)
        + rl
        + pad8(rl);
    if body.len() != expect {
        return Err(bad(&format!(
            "snapshot is truncated or has trailing bytes ({} bytes of data, expected {expect})",
            body.len()
        )));
    }
    if xxhash_rust::xxh3::xxh3_64(body) != sum {
        return Err(bad("snapshot is corrupted (checksum mismatch)"));
    }
    let mut r = Reader {
        b: body,
        at: 0,
        path,
    };
    // The out-CSR sections are checksummed but not read: the graph rebuilds them from the
    // in-CSR if and when it needs them (see `graph`), which also makes the two exact transposes.
    // (A file whose out-CSR disagreed with its in-CSR, which `convert` never writes, loads as
    // its in-CSR says.)
    r.take(8 * (n + 1))?;
    let in_offsets = r.u64s(n + 1)?;
    r.take(4 * m)?;
    let in_sources = r.u32s(m)?;
    let in_weights = if weights {
        r.take(4 * m)?;
        Some(r.f32s(m)?)
    } else {
        None
    };
    let codes = r.u64s(n)?;
    let soffs = r.u64s(ns + 1)?;
    let sbytes = r.take(sb)?;
    let mut strings = Vec::with_capacity(ns);
    for w in soffs.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if a > b || b > sb {
            return Err(bad("snapshot label table is corrupted"));
        }
        let s =
            std::str::from_utf8(&sbytes[a..b]).map_err(|_| bad("snapshot label is not UTF-8"))?;
        strings.push(s.into());
    }
    let report: LoadReport =
        serde_json::from_slice(r.take(rl)?).map_err(|e| bad(&format!("snapshot report: {e}")))?;
    // Structure: offsets monotone and ending at m, ids in range (checksums catch accidents; this
    // catches a well-formed file that is not a graph).
    let offs = &in_offsets;
    if offs[0] != 0 || offs[n] != m as u64 || offs.windows(2).any(|w| w[0] > w[1]) {
        return Err(bad("snapshot adjacency offsets are inconsistent"));
    }
    if in_sources.iter().any(|&v| v as usize >= n) {
        return Err(bad("snapshot has a node id out of range"));
    }
    let nodes =
        NodeTable::from_parts(codes, strings).map_err(|e| bad(&format!("snapshot labels: {e}")))?;
    Ok(Graph::from_parts(
        in_offsets, in_sources, in_weights, None, nodes, report,
    ))
}

/// Opens `path` by memory map and reads the snapshot.
pub fn load_snapshot(path: &str) -> Result<Graph> {
    let f =
        std::fs::File::open(path).map_err(|e| Error::in_file(path, format!("cannot open: {e}")))?;
    // SAFETY: the map is read-only and private to this process for the duration of the load;
    // the data is copied out and fully checksummed, so a concurrent writer can at worst cause a
    // checksum error, never undefined values in the graph.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&f) }
        .map_err(|e| Error::in_file(path, format!("cannot map: {e}")))?;
    read_snapshot(&map, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_csr_is_rebuilt_from_the_in_csr_exactly() {
        // Sources, sinks, an isolated node (5), weights 0 and 1.
        let edges = [(0, 1), (0, 2), (1, 2), (3, 2), (2, 4), (4, 0), (3, 4)];
        let weights = [0.5, 1.0, 0.0, 0.25, 0.75, 0.125, 1.0];
        let g = Graph::from_edges(6, &edges, Some(&weights));
        let mut bytes = Vec::new();
        write_snapshot(&g, &mut bytes).unwrap();
        let h = read_snapshot(&bytes, "<memory>").unwrap();
        assert!(!h.has_forward(), "loading does not build the out-CSR");
        assert_eq!(h.in_weights(), g.in_weights());
        for u in 0..6u32 {
            assert_eq!(h.in_neighbors(u), g.in_neighbors(u));
            assert_eq!(h.out_neighbors(u), g.out_neighbors(u), "node {u}");
            let w = |x: &Graph| x.out_weights().unwrap()[x.out_range(u)].to_vec();
            assert_eq!(w(&h), w(&g), "node {u}");
        }
        assert!(h.has_forward());
        assert_eq!(h.adjacency_bytes(), g.adjacency_bytes());
    }
}
