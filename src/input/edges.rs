//! Edge-list readers: SNAP-style text (hand-written byte parser, the hot path) and CSV/TSV with a
//! header (the csv crate, where quoting rules matter more than raw speed).

use super::reader::{inner_extension, open};
use crate::error::{Error, Result};
use crate::graph::NodeTable;
use std::io::Read;

/// How the edge-list file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EdgeFormat {
    /// CSV/TSV when the name ends in `.csv`/`.tsv` (before `.gz`/`.zst`), SNAP text otherwise.
    #[default]
    Auto,
    /// Whitespace/tab (or comma) separated, `#`/`%` comments, no header.
    Snap,
    /// Delimited text with a header row.
    Csv,
}

/// A column chosen by header name or 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// 1-based position.
    Index(usize),
    /// Header name.
    Name(String),
}

impl Column {
    /// Parses a user's column choice: digits are a position (from 1), anything else a header
    /// name. `0` is refused: read as a name it switched the file to CSV and looked for a header
    /// called "0".
    pub fn parse(s: &str) -> Result<Column> {
        match s.parse::<usize>() {
            Ok(0) => Err(Error::usage(format!(
                "column position '{s}': positions start at 1 (the first column is 1)"
            ))),
            Ok(i) => Ok(Column::Index(i)),
            _ => Ok(Column::Name(s.to_string())),
        }
    }
}

/// Options of the edge-list reader.
#[derive(Debug, Clone)]
pub struct EdgeReadOptions {
    /// File layout.
    pub format: EdgeFormat,
    /// Source column (default: the first).
    pub src_col: Option<Column>,
    /// Destination column (default: the second).
    pub dst_col: Option<Column>,
    /// Probability or weight column, if the file has one that should be read.
    pub prob_col: Option<Column>,
    /// Read a probability column even when none was named: the third column of a text edge
    /// list, or a header named `prob`, `probability`, `p`, `weight` or `w`.
    pub want_prob: bool,
}

impl Default for EdgeReadOptions {
    fn default() -> Self {
        EdgeReadOptions {
            format: EdgeFormat::Auto,
            src_col: None,
            dst_col: None,
            prob_col: None,
            want_prob: false,
        }
    }
}

/// Edges as read, before orientation, self-loop removal and merging.
#[derive(Debug, Default)]
pub struct RawEdges {
    /// Source ids.
    pub src: Vec<u32>,
    /// Destination ids.
    pub dst: Vec<u32>,
    /// Per-edge probability or weight, when a probability column was read.
    pub weight: Option<Vec<f32>>,
    /// Data lines read (comments and blank lines excluded).
    pub lines: u64,
    /// Bytes of text read (after decompression).
    pub bytes: u64,
    /// A first line read as an edge that may be a header (`follower followee` above `@a @b`
    /// lines): its line and text, when neither of its labels is on any other line.
    pub header_like: Option<(u64, String)>,
    /// A column that holds probabilities but was not read (no `--probs file`): which one, in
    /// words (`column 3`, `column 'p'`), so that the user hears their numbers went unused.
    pub unused_prob: Option<String>,
}

/// Lines looked at to tell whether a column that is not read holds probabilities.
const PROB_LOOK: u64 = 1000;

/// What the first `PROB_LOOK` values of a column that is not read look like.
#[derive(Default)]
struct ProbLook {
    seen: u64,
    /// Every value so far a number in [0, 1].
    all_in: bool,
    /// Some value strictly between 0 and 1.
    fraction: bool,
}

impl ProbLook {
    fn see(&mut self, p: Option<f32>) {
        self.all_in =
            (self.seen == 0 || self.all_in) && p.is_some_and(|p| (0.0..=1.0).contains(&p));
        self.fraction |= p.is_some_and(|p| p > 0.0 && p < 1.0);
        self.seen += 1;
    }

    /// Whether the column looked like probabilities on every line looked at, of `lines` read.
    fn probabilities(&self, lines: u64) -> bool {
        self.seen > 0 && self.seen == lines.min(PROB_LOOK) && self.all_in && self.fraction
    }
}

/// Reads an edge list into `nodes` (which interns labels) and returns the raw edges.
pub fn read_edges(path: &str, opts: &EdgeReadOptions, nodes: &mut NodeTable) -> Result<RawEdges> {
    let format = match opts.format {
        EdgeFormat::Auto => match inner_extension(path).as_deref() {
            Some("csv") | Some("tsv") => EdgeFormat::Csv,
            _ if opts
                .src_col
                .as_ref()
                .is_some_and(|c| matches!(c, Column::Name(_))) =>
            {
                EdgeFormat::Csv
            }
            _ => EdgeFormat::Snap,
        },
        f => f,
    };
    let raw = match format {
        EdgeFormat::Csv => read_csv(open(path)?, path, opts, nodes)?,
        _ => read_snap(open(path)?, path, opts, nodes)?,
    };
    if raw.src.is_empty() {
        return Err(Error::in_file(path, "no edges found (empty graph)"));
    }
    Ok(raw)
}

fn snap_index(c: &Option<Column>, default: usize, what: &str) -> Result<Option<usize>> {
    match c {
        None if default == 0 => Ok(None),
        None => Ok(Some(default - 1)),
        Some(Column::Index(i)) => Ok(Some(i - 1)),
        Some(Column::Name(n)) => Err(Error::usage(format!(
            "{what} column '{n}' is a name, but this edge list has no header; give a 1-based \
             position or use --input-format csv"
        ))),
    }
}

/// Parses a probability/weight, which must be a finite number in [0, 1].
pub fn parse_prob(tok: &[u8]) -> std::result::Result<f32, String> {
    let s = std::str::from_utf8(tok).map_err(|_| "probability is not valid UTF-8".to_string())?;
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("probability '{s}' is not a number"))?;
    if !v.is_finite() {
        return Err(format!("probability '{s}' is not finite"));
    }
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("probability {s} is outside [0, 1]"));
    }
    // Stored as f32: a positive value below its range would silently become an edge that
    // never fires.
    if v > 0.0 && (v < crate::diffusion::MIN_PROB || (v as f32) == 0.0) {
        return Err(format!(
            "probability {s} is too small to store or sample (the least is about 5.4e-20); \
             write 0 if the edge never fires"
        ));
    }
    Ok(stored_prob(v))
}

/// `v` in [0, 1] as stored (f32, about 7 significant digits), never rounded up to 1: an edge
/// of probability 0.99999999 stays one that may fail, rather than becoming certain (the reach
/// bounds, and intervals called exact, rest on which edges are certain).
pub fn stored_prob(v: f64) -> f32 {
    let p = v as f32;
    if v < 1.0 && p >= 1.0 {
        f32::from_bits(1.0f32.to_bits() - 1)
    } else {
        p
    }
}

/// Reads an edge list held in memory (`name` stands in for the path in messages).
pub fn read_edges_from_bytes(
    bytes: &[u8],
    name: &str,
    format: EdgeFormat,
    opts: &EdgeReadOptions,
    nodes: &mut NodeTable,
) -> Result<RawEdges> {
    let input = super::reader::from_bytes(bytes.to_vec(), name)?;
    let raw = match format {
        EdgeFormat::Csv => read_csv(input, name, opts, nodes)?,
        _ => read_snap(input, name, opts, nodes)?,
    };
    if raw.src.is_empty() {
        return Err(Error::in_file(name, "no edges found (empty graph)"));
    }
    Ok(raw)
}

fn read_snap(
    mut input: Box<dyn std::io::BufRead + Send>,
    path: &str,
    opts: &EdgeReadOptions,
    nodes: &mut NodeTable,
) -> Result<RawEdges> {
    let si = snap_index(&opts.src_col, 1, "source")?.unwrap();
    let di = snap_index(&opts.dst_col, 2, "destination")?.unwrap();
    let pi = snap_index(
        &opts.prob_col,
        if opts.want_prob { 3 } else { 0 },
        "probability",
    )?;
    distinct_columns(path, si, di, pi)?;
    let need = si.max(di).max(pi.unwrap_or(0)) + 1;
    let mut out = RawEdges {
        weight: pi.map(|_| Vec::new()),
        ..Default::default()
    };
    let mut buf: Vec<u8> = vec![0; 4 << 20];
    let mut filled = 0usize;
    let mut line_no: u64 = 0;
    let mut toks: Vec<(usize, usize)> = Vec::with_capacity(8);
    let mut edge_like_comments: Vec<(u64, String)> = Vec::new();
    let mut eof = false;
    // The first edge line, when both its ends are words; whether a later line has a word.
    let mut header_like: Option<(u64, String)> = None;
    let mut words_after_first = false;
    let mut third_col = ProbLook::default();
    while !eof {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = loop {
            match input.read(&mut buf[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::at_line(
                        path,
                        line_no + 1,
                        format!("read failed (corrupt or truncated compressed file?): {e}"),
                    ))
                }
            }
        };
        if n == 0 {
            eof = true;
            if filled > 0 && buf[filled - 1] != b'\n' {
                buf.truncate(filled);
                buf.push(b'\n');
                filled += 1;
            }
        }
        filled += n;
        out.bytes += n as u64;
        let end = match memchr::memrchr(b'\n', &buf[..filled]) {
            Some(p) => p + 1,
            None => continue,
        };
        // Most files hold no CR at all: one scan of the block spares a scan a line.
        let has_cr = memchr::memchr(b'\r', &buf[..end]).is_some();
        let has_comma = memchr::memchr(b',', &buf[..end]).is_some();
        let mut start = 0;
        while start < end {
            let nl = start + memchr::memchr(b'\n', &buf[start..end]).unwrap_or(end - start);
            line_no += 1;
            let mut line = &buf[start..nl];
            start = nl + 1;
            // CRLF, and CR CR LF (Python's csv module on Windows writing in text mode).
            while let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if has_cr && memchr::memchr(b'\r', line).is_some() {
                return Err(Error::at_line(
                    path,
                    line_no,
                    "a carriage return inside the line: the file's lines end in CR alone (old \
                     Mac line endings?); convert them to LF or CRLF",
                ));
            }
            toks.clear();
            // Only the columns in use are split out; further ones are ignored. A line with a
            // comma is split on blanks in full first: commas at a field's edges are separators
            // (`1, 2`, `1 2,`), one inside stays (`0,5`, refused as a number), and the line is
            // comma separated only if blanks give too few fields (`a,b`, `a,,0.3`).
            let comma = has_comma && memchr::memchr(b',', line).is_some();
            split_tokens(
                line,
                Sep::Blank,
                &mut toks,
                if comma { usize::MAX } else { need },
            );
            // A comment is a line whose first byte past the blanks is `#` or `%` (a leading
            // comma does not make one).
            let lead = toks.first().map(|t| line[t.0]);
            // Comma separated: blanks give too few fields, or a comma ends one of the fields
            // in use while commas alone give enough (`New York, Boston`, `1, 2, 0.5`; not
            // `1 2,`, whose comma trails the last field).
            let comma_sep = comma && {
                let edge = toks
                    .iter()
                    .take(need)
                    .any(|&(a, b)| line[a] == b',' || line[b - 1] == b',');
                let fields = line
                    .split(|&b| b == b',')
                    .filter(|f| f.iter().any(|&b| b != b' ' && b != b'\t'))
                    .count();
                toks.len() < need || (edge && fields >= need)
            };
            if comma {
                toks.retain_mut(|t| {
                    while t.0 < t.1 && line[t.0] == b',' {
                        t.0 += 1;
                    }
                    while t.1 > t.0 && line[t.1 - 1] == b',' {
                        t.1 -= 1;
                    }
                    t.0 < t.1
                });
            }
            // Blank, or commas alone (a spreadsheet's empty row).
            if toks.is_empty() {
                continue;
            }
            if lead == Some(b'#') || lead == Some(b'%') {
                // A comment shaped like an edge whose first word turns out to be an account
                // (`#brand b`, `#brand,b`) is refused below rather than lost.
                let t = &line[toks[0].0..toks[0].1];
                let cut = memchr::memchr(b',', t);
                let word = &t[..cut.unwrap_or(t.len())];
                let more = toks.len() >= 2 || cut.is_some_and(|c| c + 1 < t.len());
                if more && edge_like_comments.len() < MAX_COMMENTS {
                    edge_like_comments.push((line_no, String::from_utf8_lossy(word).into_owned()));
                }
                continue;
            }
            if comma_sep {
                toks.clear();
                split_tokens(line, Sep::Comma, &mut toks, need);
            } else {
                toks.truncate(need);
            }
            if let Some(col) = toks.iter().position(|&(a, b)| a == b) {
                return Err(Error::at_line(
                    path,
                    line_no,
                    format!(
                        "column {} is empty in '{}'",
                        col + 1,
                        String::from_utf8_lossy(line)
                    ),
                ));
            }
            if toks.len() < need {
                return Err(Error::at_line(
                    path,
                    line_no,
                    format!(
                        "expected at least {need} columns, found {} in '{}'",
                        toks.len(),
                        String::from_utf8_lossy(line)
                    ),
                ));
            }
            let tok = |i: usize| &line[toks[i].0..toks[i].1];
            // Ids may be negative (`-1 -2` is an edge between two numbered nodes, not a header).
            let numeric = |t: &[u8]| {
                let d = t.strip_prefix(b"-").unwrap_or(t);
                !d.is_empty() && d.iter().all(u8::is_ascii_digit)
            };
            if out.lines == 0 {
                // (A header names two columns: `a a` is a self-loop, counted as one.)
                header_like = (!numeric(tok(si)) && !numeric(tok(di)) && tok(si) != tok(di))
                    .then(|| (line_no, String::from_utf8_lossy(line).into_owned()));
            } else if !(numeric(tok(si)) && numeric(tok(di))) {
                words_after_first = true;
            }
            // A third column after the two ends that is not read: probabilities if its first
            // `PROB_LOOK` values are all in [0, 1] and one is strictly between (signs of ±1 and
            // integer weights are not). The split above stops at the columns in use, so the
            // line is split again.
            if pi.is_none() && (si, di) == (0, 1) && out.lines < PROB_LOOK {
                let mut all = Vec::new();
                let sep = if comma_sep { Sep::Comma } else { Sep::Blank };
                split_tokens(line, sep, &mut all, 3);
                let third = if toks.len() >= 3 {
                    toks.get(2)
                } else {
                    all.get(2)
                };
                let p = third.and_then(|&(a, b)| parse_prob(&line[a..b]).ok());
                third_col.see(p);
            }
            let s = nodes
                .intern(tok(si))
                .map_err(|m| Error::at_line(path, line_no, m))?;
            let d = nodes
                .intern(tok(di))
                .map_err(|m| Error::at_line(path, line_no, m))?;
            if let (Some(pi), Some(w)) = (pi, out.weight.as_mut()) {
                let p = parse_prob(tok(pi)).map_err(|m| Error::at_line(path, line_no, m))?;
                w.push(p);
            }
            out.src.push(s);
            out.dst.push(d);
            out.lines += 1;
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
    }
    if let Some((line, label)) = edge_like_comments
        .iter()
        .find(|(_, l)| nodes.get(l).is_some())
    {
        return Err(Error::at_line(
            path,
            *line,
            format!(
                "this line starts with '{label}', an account named elsewhere in the file, but a \
                 line starting with '#' or '%' is a comment and would be lost: give the file as \
                 CSV with the label quoted (\"{label}\")"
            ),
        ));
    }
    if third_col.probabilities(out.lines) {
        out.unused_prob = Some("column 3".to_string());
    }
    // A first line of words above lines of numeric ids is a header, not an edge between two
    // nodes called `source` and `target`.
    if let Some((line, text)) = header_like {
        if !words_after_first && out.lines > 1 {
            return Err(Error::at_line(
                path,
                line,
                format!(
                    "'{text}' looks like a header above numeric ids, not an edge: remove it or \
                     comment it out with '#' (or give the file a .csv name to read it as CSV)"
                ),
            ));
        }
        // Above lines of labels a header cannot be told from an edge for certain: an edge
        // whose two ends are on no other line is kept, and reported (a CSV piped in, read as
        // text, made accounts called `follower` and `followee`).
        // Column names are words (`follower`, `user_id`), not handles (`@p`): an isolated
        // first edge between two accounts is no header.
        // (A quoted CSV header piped in as text keeps its quotes: `"follower"`.)
        let name = |v: u32| {
            let l = nodes.label(v);
            let l = l
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(&l);
            let mut c = l.chars();
            c.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && c.all(|c| c.is_ascii_alphanumeric() || "_.- ".contains(c))
        };
        if out.lines > 2 && name(out.src[0]) && name(out.dst[0]) {
            let (s0, d0) = (out.src[0], out.dst[0]);
            let elsewhere = out.src[1..]
                .iter()
                .chain(&out.dst[1..])
                .any(|&v| v == s0 || v == d0);
            if !elsewhere {
                out.header_like = Some((line, text));
            }
        }
    }
    Ok(out)
}

/// How the fields of a text edge line are separated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sep {
    /// Runs of spaces and tabs (SNAP): a comma is part of a field, so a decimal comma
    /// (`0,5`) is refused as a number instead of read as `0` with the `5` dropped.
    Blank,
    /// One comma, with the spaces and tabs around it: `a,,b` has an empty field.
    Comma,
}

/// Splits `line` into at most `max` fields (byte ranges; a field may be empty with `Sep::Comma`).
#[inline]
fn split_tokens(line: &[u8], sep: Sep, toks: &mut Vec<(usize, usize)>, max: usize) {
    let blank = |b: u8| b == b' ' || b == b'\t';
    let n = line.len();
    let mut i = 0;
    while i < n && blank(line[i]) {
        i += 1;
    }
    if i >= n {
        return;
    }
    while toks.len() < max {
        let s = i;
        match sep {
            Sep::Blank => {
                while i < n && !blank(line[i]) {
                    i += 1;
                }
                toks.push((s, i));
                while i < n && blank(line[i]) {
                    i += 1;
                }
                if i >= n {
                    return;
                }
            }
            Sep::Comma => {
                while i < n && line[i] != b',' {
                    i += 1;
                }
                let mut e = i;
                while e > s && blank(line[e - 1]) {
                    e -= 1;
                }
                toks.push((s, e));
                if i >= n {
                    return;
                }
                // Past the comma and the blanks after it; a comma at the end leaves one more
                // (empty) field.
                i += 1;
                while i < n && blank(line[i]) {
                    i += 1;
                }
            }
        }
    }
}

/// Refuses two roles read from one column (every arc a self-loop, or a label read as a
/// probability).
fn distinct_columns(path: &str, si: usize, di: usize, pi: Option<usize>) -> Result<()> {
    let roles = [
        ("--src-col", Some(si)),
        ("--dst-col", Some(di)),
        ("--prob-col", pi),
    ];
    for (i, &(fa, a)) in roles.iter().enumerate() {
        for &(fb, b) in &roles[i + 1..] {
            if let (Some(a), true) = (a, a == b) {
                return Err(Error::usage(format!(
                    "{path}: {fa} and {fb} name the same column ({})",
                    a + 1
                )));
            }
        }
    }
    Ok(())
}

fn resolve_col(
    path: &str,
    headers: &csv::ByteRecord,
    c: &Option<Column>,
    default: Option<usize>,
    what: &str,
) -> Result<Option<usize>> {
    let names = || {
        headers
            .iter()
            .map(|h| format!("'{}'", String::from_utf8_lossy(h)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match c {
        None => Ok(default),
        Some(Column::Index(i)) if *i <= headers.len() => Ok(Some(i - 1)),
        Some(Column::Index(i)) => Err(Error::at_line(
            path,
            1,
            format!(
                "{what} column {i} does not exist; the header has {} columns",
                headers.len()
            ),
        )),
        Some(Column::Name(n)) => headers
            .iter()
            .position(|h| h == n.as_bytes())
            .map(Some)
            .ok_or_else(|| {
                Error::at_line(
                    path,
                    1,
                    format!("unknown {what} column '{n}'; the header has {}", names()),
                )
            }),
    }
}

/// Picks the delimiter of a delimited file: tab for `.tsv`, otherwise sniffed from the header line.
pub fn sniff_delimiter(path: &str, header: &[u8]) -> u8 {
    if inner_extension(path).as_deref() == Some("tsv") {
        return b'\t';
    }
    // Counted outside quotes (`"a,b";c` is `;`-separated), a tab only where it is not padding
    // beside another delimiter or at an end (`src,\tdst\t` is comma-separated: counting
    // those tabs read `a,` as a label); ties go to comma, then tab, `;`, `|`.
    let header = header.trim_ascii();
    let cands = [b',', b'\t', b';', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for (i, &b) in header.iter().enumerate() {
        // A quote opens a field only at its start, as the csv parser reads it (`size"x;a;b`
        // is three names); inside quotes each one toggles (`""` twice).
        let field_start = i == 0 || cands.contains(&header[i - 1]);
        if b == b'"' && (quoted || field_start) {
            quoted = !quoted;
            continue;
        }
        let Some(k) = cands.iter().position(|&d| d == b).filter(|_| !quoted) else {
            continue;
        };
        let other = |j: Option<&u8>| j.is_some_and(|c| matches!(c, b',' | b';' | b'|'));
        if b == b'\t' && (other(header.get(i.wrapping_sub(1))) || other(header.get(i + 1))) {
            continue;
        }
        counts[k] += 1;
    }
    (0..cands.len())
        .max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))
        .map_or(b',', |k| cands[k])
}

/// Bytes of line starts a [`LineCounter`] keeps behind what it has handed out: the csv crate
/// reads ahead by its 8 KiB buffer and one record, so a record's start is always inside.
const LINE_WINDOW: u64 = 1 << 20;

/// Whether a line starting with `b` is one the csv crate skips (blank or a `#` comment).
fn skipped_line(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | b'#')
}

/// A reader that remembers where lines start, so a CSV record's byte offset gives its true line
/// number. The csv crate's own line counts are off by one on every CRLF file (an Excel export's
/// duplicate cost row was reported a line early) and after blank or comment lines; its byte
/// offsets point at the end of the previous record (the `\n` of a CRLF, or the first blank or
/// comment line skipped), so the record's line is the first one starting at or after that
/// offset that is neither blank nor a comment. Only such lines are kept, each with its number,
/// so any run of comment lines in between is counted, never forgotten.
pub struct LineCounter<R> {
    inner: R,
    /// Bytes read so far.
    pos: u64,
    /// Lines started so far.
    lines: u64,
    /// Offset, line number and first byte of the lines that may hold a record, from the last
    /// `LINE_WINDOW` bytes, in order (a line started at the very end of a read waits with
    /// first byte 0 for the next read to say what it is).
    starts: std::collections::VecDeque<(u64, u64, u8)>,
    /// The offset of the last line start dropped from `starts`.
    dropped_to: Option<u64>,
    /// The field delimiter (a comment's first field ends at it).
    delim: u8,
    /// The header's line (first neither blank nor a comment in the first read).
    header_line: u64,
    /// Comment lines' first fields, and one cut by the end of a read.
    comments: Vec<(u64, String)>,
    open_comment: Option<(u64, String)>,
    /// The bytes read from offset `raw_from` on (at least those of the lines in `starts`): a
    /// record's own bytes say which of its fields were quoted (see [`trim_unquoted`]).
    raw: Vec<u8>,
    raw_from: u64,
    /// Whether a `"` has been read: until one is, no field was quoted, and trimming needs no
    /// look at the bytes.
    quotes_seen: bool,
    /// The last byte read, the first byte of the line it is on, and whether the end of the
    /// input was reached.
    last: u8,
    line_head: u8,
    ended: bool,
    /// Quote bytes read, and the line end added at the end (0 or 1 byte).
    quotes: u64,
    added: u64,
}

impl<R> LineCounter<R> {
    fn new(inner: R, delim: u8) -> Self {
        LineCounter {
            inner,
            pos: 0,
            lines: 1,
            starts: [(0, 1, 0)].into(),
            dropped_to: None,
            delim,
            header_line: 1,
            comments: Vec::new(),
            open_comment: None,
            raw: Vec::new(),
            raw_from: 0,
            quotes_seen: false,
            last: 0,
            line_head: 0,
            ended: false,
            quotes: 0,
            added: 0,
        }
    }

    /// The bytes from offset `from` to `to`, if still kept.
    fn raw_between(&self, from: u64, to: u64) -> Option<&[u8]> {
        let end = self.raw_from + self.raw.len() as u64;
        (from >= self.raw_from && from <= to && to <= end)
            .then(|| &self.raw[(from - self.raw_from) as usize..(to - self.raw_from) as usize])
    }

    /// The offset and 1-based number of the line a record whose csv position is `byte` starts
    /// on, if it is recent enough.
    fn record_line_start(&self, byte: u64) -> Option<(u64, u64)> {
        if self.dropped_to.is_some_and(|d| byte <= d) {
            return None;
        }
        let i = self.starts.partition_point(|&(o, _, _)| o < byte);
        self.starts
            .get(i)
            .filter(|&&(_, _, b)| b != 0)
            .map(|&(o, line, _)| (o, line))
    }

    /// The offset of the line a record whose csv position is `byte` starts on.
    fn record_start(&self, byte: u64) -> Option<u64> {
        self.record_line_start(byte).map(|(o, _)| o)
    }

    /// The 1-based line of a record whose csv position is `byte`, if it is recent enough.
    pub fn line_of(&self, byte: u64) -> Option<u64> {
        self.record_line_start(byte).map(|(_, line)| line)
    }

    /// A line starting at `at` of `buf` (offset `self.pos + at`), number `line`.
    fn line_start(&mut self, buf: &[u8], at: usize, line: u64) {
        let first = buf.get(at).copied().unwrap_or(0);
        if first == b'#' {
            self.capture(buf, at, line, &mut String::new());
        }
        if !skipped_line(first) {
            self.starts.push_back((self.pos + at as u64, line, first));
        }
    }
}

impl<R: std::io::Read> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = self.inner.read(buf)?;
        // A last comment line without its line end gets one: the csv crate took it for a
        // one-field record ("expected 2 fields"). Only a comment: anything else, such as a
        // quoted field left open at the end, is read as it is.
        if n == 0 && !self.ended && !buf.is_empty() {
            self.ended = true;
            // An odd number of quotes may leave a field open, which the line end would join.
            if self.last != b'\n' && self.line_head == b'#' && self.quotes.is_multiple_of(2) {
                buf[0] = b'\n';
                n = 1;
                self.added = 1;
            }
        }
        if n > 0 {
            if self.last == b'\n' || self.pos == 0 {
                self.line_head = buf[0];
            }
            if let Some(i) = memchr::memrchr(b'\n', &buf[..n - 1]) {
                self.line_head = buf[i + 1];
            }
            self.last = buf[n - 1];
        }
        let buf = &buf[..n];
        // A comment's first field, cut by the end of the last read.
        if let Some((line, mut text)) = self.open_comment.take() {
            self.capture(buf, 0, line, &mut text);
        }
        if n > 0 {
            // A line that started at the end of the last read begins with this read's first byte.
            if let Some(&(o, line, 0)) = self.starts.back() {
                if o == self.pos {
                    self.starts.pop_back();
                    self.line_start(buf, 0, line);
                }
            }
        }
        for i in memchr::memchr_iter(b'\n', buf) {
            self.lines += 1;
            self.line_start(buf, i + 1, self.lines);
        }
        self.pos += n as u64;
        while self.starts.len() > 1 && self.starts[1].0 + LINE_WINDOW < self.pos {
            self.dropped_to = self.starts.pop_front().map(|s| s.0);
        }
        // The parser reads ahead by its buffer, so a record it is on started within the last
        // `LINE_WINDOW` bytes unless it is longer than that; older bytes go a window at a time
        // (a drain moves what is left), whatever comment or blank lines fill them.
        let quotes = memchr::memchr_iter(b'"', buf).count() as u64;
        self.quotes_seen |= quotes > 0;
        self.quotes += quotes;
        self.raw.extend_from_slice(buf);
        if self.raw.len() as u64 > 2 * LINE_WINDOW {
            let cut = self.raw.len() - LINE_WINDOW as usize;
            self.raw.drain(..cut);
            self.raw_from += cut as u64;
        }
        Ok(n)
    }
}

impl<R> LineCounter<R> {
    /// Adds to `text` the first field of the comment line `line`, from `buf[at..]`: kept if
    /// it ends in this read, else left open for the next.
    fn capture(&mut self, buf: &[u8], at: usize, line: u64, text: &mut String) {
        if self.comments.len() >= MAX_COMMENTS {
            return;
        }
        let delim = self.delim;
        let rest = &buf[at..];
        let end = rest
            .iter()
            .position(|&b| b == delim || b == b'\n' || b == b'\r');
        let part = &rest[..end.unwrap_or(rest.len())];
        if text.len() + part.len() <= 1024 {
            text.push_str(&String::from_utf8_lossy(part));
        }
        match end {
            Some(_) => self.comments.push((line, text.trim().to_string())),
            None => self.open_comment = Some((line, std::mem::take(text))),
        }
    }

    /// The first fields of the comment lines (`#...`) read, with their line numbers (the first
    /// `MAX_COMMENTS`): a label there that turns out to be an account was lost as a comment.
    pub fn comments(&self) -> &[(u64, String)] {
        &self.comments
    }
}

/// Comment lines whose first field a [`LineCounter`] keeps.
const MAX_COMMENTS: usize = 100_000;

/// Removes the blanks around the fields of `rec` (just read from `rdr`) that were not quoted;
/// a quoted field keeps what its quotes hold, and loses only blanks after its closing quote.
/// `" a"`, `"a"` and `"a "` are three accounts: trimming every field (the csv crate's `Trim`)
/// merged them into one. A record too long for the kept bytes is trimmed whole, as before.
pub fn trim_unquoted(rdr: &CsvReader, rec: &mut csv::ByteRecord) {
    let blank = |b: &u8| b.is_ascii_whitespace();
    if !rec
        .iter()
        .any(|f| f.first().is_some_and(blank) || f.last().is_some_and(blank))
    {
        return;
    }
    let quoted = quoted_of(rdr, rec.position());
    let mut out = csv::ByteRecord::with_capacity(rec.as_slice().len(), rec.len());
    for (i, f) in rec.iter().enumerate() {
        let (lead, tail) = match quoted.as_ref().and_then(|q| q.get(i).copied()) {
            Some(Some(after)) => (0, after),
            _ => {
                let lead = f.iter().take_while(|b| blank(b)).count();
                (
                    lead,
                    f[lead..].iter().rev().take_while(|b| blank(b)).count(),
                )
            }
        };
        out.push_field(&f[lead..f.len() - tail.min(f.len() - lead)]);
    }
    out.set_position(rec.position().cloned());
    *rec = out;
}

/// [`trim_unquoted`] for a text record (cost and target tables): unquoted fields lose Unicode
/// blanks too (a no-break space after a label, as `str::trim` and the csv crate's `Trim` did).
pub fn trim_unquoted_str(rdr: &CsvReader, rec: &mut csv::StringRecord) {
    if !rec.iter().any(|f| f.trim() != f) {
        return;
    }
    let quoted = quoted_of(rdr, rec.position());
    let mut out = csv::StringRecord::with_capacity(rec.as_slice().len(), rec.len());
    for (i, f) in rec.iter().enumerate() {
        match quoted.as_ref().and_then(|q| q.get(i).copied()) {
            // Only ASCII blanks after the closing quote, so the cut is on a char boundary.
            Some(Some(after)) => out.push_field(&f[..f.len() - after.min(f.len())]),
            _ => out.push_field(f.trim()),
        }
    }
    out.set_position(rec.position().cloned());
    *rec = out;
}

/// Which fields of the record at `pos` (the last one `rdr` read) were quoted, from its bytes.
fn quoted_of(rdr: &CsvReader, pos: Option<&csv::Position>) -> Option<Vec<Option<usize>>> {
    let counter = rdr.get_ref();
    if !counter.quotes_seen {
        return Some(Vec::new());
    }
    // The csv position is where the previous record ended (a CRLF's `\n`, blank and comment
    // lines): the record's own line starts at the first line kept after it.
    pos.and_then(|p| counter.record_start(p.byte()))
        .and_then(|start| counter.raw_between(start, rdr.position().byte()))
        .map(|raw| quoted_fields(raw, counter.delim))
}

/// Per field of the first record in `raw` (RFC 4180 quoting, `""` inside quotes): `None` when
/// it was not quoted, else the blanks after its closing quote (part of the field's value to the
/// csv crate, outside the quotes to the writer).
fn quoted_fields(raw: &[u8], delim: u8) -> Vec<Option<usize>> {
    // A record's offset is where the previous one ended: line ends, blank lines and comment
    // lines (`#`, which no record starts with) may come first.
    let mut raw = raw;
    loop {
        match raw.first() {
            Some(b'\n' | b'\r') => raw = &raw[1..],
            Some(b'#') => {
                raw = memchr::memchr(b'\n', raw).map_or(&raw[raw.len()..], |e| &raw[e..]);
            }
            _ => break,
        }
    }
    let (mut i, mut out) = (0, Vec::new());
    let ends = |b: u8| b == delim || b == b'\n' || b == b'\r';
    loop {
        if raw.get(i) == Some(&b'"') {
            i += 1;
            while i < raw.len() {
                if raw[i] == b'"' {
                    if raw.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            let after = i;
            while i < raw.len() && !ends(raw[i]) {
                i += 1;
            }
            let tail = raw[after..i]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            out.push(Some(tail));
        } else {
            while i < raw.len() && !ends(raw[i]) {
                i += 1;
            }
            out.push(None);
        }
        if raw.get(i) == Some(&delim) {
            i += 1;
        } else {
            return out;
        }
    }
}

/// A CSV reader whose records know their true line numbers ([`record_line`]).
pub type CsvReader = csv::Reader<LineCounter<Box<dyn std::io::BufRead + Send>>>;

/// The line a record (or an error) at `pos` starts on: counted from its byte offset, or the csv
/// crate's count if the offset is too far behind (a record over a megabyte long).
pub fn record_line(rdr: &CsvReader, pos: Option<&csv::Position>) -> u64 {
    pos.map_or(0, |p| rdr.get_ref().line_of(p.byte()).unwrap_or(p.line()))
}

/// Opens a delimited file with a header, sniffing the delimiter and skipping leading `#` lines.
pub fn open_csv(path: &str) -> Result<CsvReader> {
    csv_from(open(path)?, path)
}

/// A CSV reader over an opened input (delimiter sniffed, `#` lines skipped).
pub fn csv_from(mut input: Box<dyn std::io::BufRead + Send>, path: &str) -> Result<CsvReader> {
    let head = std::io::BufRead::fill_buf(&mut input)
        .map_err(|e| Error::in_file(path, format!("cannot read: {e}")))?;
    // Lines ending in CR alone (old Mac files: CRs and no LF) parse, but every line number
    // would be 1, and text edge lists refuse them too.
    if memchr::memchr(b'\r', head).is_some() && memchr::memchr(b'\n', head).is_none() {
        return Err(Error::at_line(
            path,
            1,
            "the file's lines end in CR alone (old Mac line endings?); convert them to LF or CRLF",
        ));
    }
    let (header_at, first) = head
        .split(|&b| b == b'\n')
        // CR CR LF endings too: a blank line is then a lone CR.
        .map(|l| {
            let mut l = l;
            while let Some(x) = l.strip_suffix(b"\r") {
                l = x;
            }
            l
        })
        .enumerate()
        .find(|(_, l)| !l.is_empty() && l[0] != b'#')
        .unwrap_or((0, &[]));
    let delim = sniff_delimiter(path, first);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .comment(Some(b'#'))
        .flexible(false)
        // Fields (the header's too, below) are trimmed by `trim_unquoted`, which leaves what
        // quotes hold.
        .trim(csv::Trim::None)
        .from_reader(LineCounter {
            header_line: header_at as u64 + 1,
            ..LineCounter::new(input, delim)
        });
    // The header is trimmed as the rows are: with `" a",b` first in a headerless table, the
    // check that its labels are accounts below compared `a` with ` a` and let the row go.
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, &rdr, e)),
    };
    // Names lose Unicode blanks too where unquoted (`category` + a no-break space still names
    // the category column, as the csv crate's `Trim` had it); bytes that are not UTF-8 lose
    // ASCII ones.
    let header = match csv::StringRecord::from_byte_record(header) {
        Ok(mut h) => {
            trim_unquoted_str(&rdr, &mut h);
            h.into_byte_record()
        }
        Err(e) => {
            let mut h = e.into_byte_record();
            trim_unquoted(&rdr, &mut h);
            h
        }
    };
    rdr.set_byte_headers(header);
    Ok(rdr)
}

/// Refuses a first row that reads as data rather than as a header (`what` names the header the
/// file needs): with no header, the first row would be taken for one and silently lost. It looks
/// like data when every cell in `numbers` is a number, or when `label` is a node of the graph.
pub fn refuse_data_as_header(
    path: &str,
    header: &[&str],
    numbers: &[&str],
    label: Option<bool>,
    what: &str,
) -> Result<()> {
    let numeric = !numbers.is_empty() && numbers.iter().all(|c| c.trim().parse::<f64>().is_ok());
    // A first row whose number column holds a word is a header whatever its label column says:
    // a data row there would be refused anyway, and an account may be called `node`.
    if numeric || (numbers.is_empty() && label == Some(true)) {
        return Err(Error::at_line(
            path,
            1,
            format!(
                "the first row '{}' looks like data, not a header: add a header row such as \
                 '{what}' (a headerless file would lose its first row)",
                header.join(",")
            ),
        ));
    }
    Ok(())
}

/// Refuses a comment line (`#...`) whose first field is an account (`is_node`): an unquoted
/// `#brand,5` row was skipped as a comment without a word.
pub fn refuse_lost_comment(
    path: &str,
    rdr: &CsvReader,
    is_node: impl Fn(&str) -> bool,
) -> Result<()> {
    match rdr.get_ref().comments().iter().find(|(_, l)| is_node(l)) {
        Some((line, label)) => Err(Error::at_line(
            path,
            *line,
            format!(
                "this row starts with '{label}', an account of the graph, but a line starting \
                 with '#' is a comment and would be skipped: quote the label (\"{label}\")"
            ),
        )),
        None => Ok(()),
    }
}

/// Describes an error of `rdr`'s with its line number.
pub fn csv_error(path: &str, rdr: &CsvReader, e: csv::Error) -> Error {
    let line = record_line(rdr, e.position());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields as in the header, found {len}"),
        csv::ErrorKind::Io(io) => format!("read failed (corrupt or truncated file?): {io}"),
        _ => e.to_string(),
    };
    if line > 0 {
        Error::at_line(path, line, msg)
    } else {
        Error::in_file(path, msg)
    }
}

fn read_csv(
    input: Box<dyn std::io::BufRead + Send>,
    path: &str,
    opts: &EdgeReadOptions,
    nodes: &mut NodeTable,
) -> Result<RawEdges> {
    let rdr = csv_from(input, path)?;
    let at = header_line(&rdr);
    read_csv_rows(rdr, path, opts, nodes).map_err(|e| e.header_at(at))
}

/// The line of a CSV file's header: the first that is neither blank nor a comment.
pub fn header_line(rdr: &CsvReader) -> u64 {
    rdr.get_ref().header_line
}

fn read_csv_rows(
    mut rdr: CsvReader,
    path: &str,
    opts: &EdgeReadOptions,
    nodes: &mut NodeTable,
) -> Result<RawEdges> {
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, &rdr, e)),
    };
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(Error::in_file(path, "empty file: expected a header row"));
    }
    if headers.len() < 2 {
        return Err(Error::at_line(
            path,
            1,
            "the header has one column; expected at least source and destination (wrong delimiter?)",
        ));
    }
    let si = resolve_col(path, &headers, &opts.src_col, Some(0), "source")?.unwrap();
    let di = resolve_col(path, &headers, &opts.dst_col, Some(1), "destination")?.unwrap();
    {
        let cells: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let all: Vec<&str> = cells.iter().map(String::as_str).collect();
        refuse_data_as_header(path, &all, &[all[si], all[di]], None, "source,target")?;
    }
    let guess = headers.iter().position(|h| {
        matches!(
            String::from_utf8_lossy(h).to_ascii_lowercase().as_str(),
            "prob" | "probability" | "p" | "weight" | "w"
        )
    });
    let pi = resolve_col(
        path,
        &headers,
        &opts.prob_col,
        guess.filter(|_| opts.want_prob),
        "probability",
    )?;
    distinct_columns(path, si, di, pi)?;
    // A number where the probability column's name should be is a first edge, whatever its
    // labels (`@a,@h,0.5` lost its edge as a header).
    if let Some(pi) = pi {
        let cells: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let all: Vec<&str> = cells.iter().map(String::as_str).collect();
        refuse_data_as_header(path, &all, &[all[pi]], None, "source,target,weight")?;
    }
    if opts.want_prob && pi.is_none() {
        return Err(Error::at_line(
            path,
            1,
            "no probability column: name one with --prob-col (the header has no prob/weight column)",
        ));
    }
    let mut out = RawEdges {
        weight: pi.map(|_| Vec::new()),
        ..Default::default()
    };
    // A probability-named column that is not read: reported if its values look like
    // probabilities (`ProbLook`; a `weight` of counts does not).
    let unread = guess.filter(|_| pi.is_none());
    let mut look = ProbLook::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, &rdr, e)),
        }
        trim_unquoted(&rdr, &mut rec);
        let line = record_line(&rdr, rec.position());
        if rec[si].is_empty() || rec[di].is_empty() {
            return Err(Error::at_line(path, line, "empty node label"));
        }
        let s = nodes
            .intern(&rec[si])
            .map_err(|m| Error::at_line(path, line, m))?;
        let d = nodes
            .intern(&rec[di])
            .map_err(|m| Error::at_line(path, line, m))?;
        if let (Some(pi), Some(w)) = (pi, out.weight.as_mut()) {
            w.push(parse_prob(&rec[pi]).map_err(|m| Error::at_line(path, line, m))?);
        }
        if let (Some(g), true) = (unread, out.lines < PROB_LOOK) {
            look.see(rec.get(g).and_then(|t| parse_prob(t).ok()));
        }
        out.src.push(s);
        out.dst.push(d);
        out.lines += 1;
    }
    if let (Some(g), true) = (unread, look.probabilities(out.lines)) {
        out.unused_prob = Some(format!("column '{}'", String::from_utf8_lossy(&headers[g])));
    }
    // A headerless list of labels: its first row was read as the header, and that edge would
    // be lost. Its two names are then accounts the rows below mention; a real header's are not.
    let (hs, hd) = (
        String::from_utf8_lossy(&headers[si]).into_owned(),
        String::from_utf8_lossy(&headers[di]).into_owned(),
    );
    if nodes.get(&hs).is_some() && nodes.get(&hd).is_some() {
        return Err(Error::at_line(
            path,
            1,
            format!(
                "the first row '{hs},{hd}' names two accounts that the rows below mention too: \
                 it looks like data, not a header; add a header row such as 'source,target' \
                 (a headerless file would lose its first row)"
            ),
        ));
    }
    // The bytes of the file, not the line end added to a last comment line.
    out.bytes = rdr.position().byte() - rdr.get_ref().added;
    refuse_lost_comment(path, &rdr, |l| nodes.get(l).is_some())?;
    Ok(out)
}
