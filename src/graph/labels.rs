//! Node labels: arbitrary strings (`@alice`, `1234`) interned to dense `u32` ids in order of first
//! appearance. Canonical decimal labels are stored as numbers (8 bytes a node, no heap string), so a
//! graph with numeric ids costs no label memory beyond the id map.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

const STR_BIT: u64 = 1 << 63;

/// Numeric and string label maps.
type LabelMaps = (FxHashMap<u64, u32>, FxHashMap<Box<str>, u32>);
/// Longest label accepted, in bytes: longer tokens are corrupt input, not handles.
pub const MAX_LABEL_LEN: usize = 1024;
/// Numeric labels below this use the direct table (at most 256 MiB of it).
const DENSE_LIMIT: u64 = 1 << 26;

/// Bidirectional map between labels and dense node ids.
#[derive(Default, Debug, Clone)]
pub struct NodeTable {
    codes: Vec<u64>,
    strings: Vec<Box<str>>,
    numeric: FxHashMap<u64, u32>,
    named: FxHashMap<Box<str>, u32>,
    /// Small numeric labels index this table directly (`u32::MAX` = absent): SNAP ids are mostly
    /// dense integers, and a direct index is several times faster than hashing each token.
    dense: Vec<u32>,
    /// Labels are exactly "0", "1", ... in id order (loaded snapshots skip the numeric map).
    identity: bool,
    /// Label maps of a loaded snapshot, built on the first lookup: most batch runs never look
    /// a label up, and building them dominated snapshot loading.
    lazy: std::sync::OnceLock<LabelMaps>,
    from_snapshot: bool,
}

/// A label as a number when it is canonical decimal (no sign, no leading zero, at most 18 digits),
/// so that formatting the number gives back exactly the bytes the user wrote.
#[inline]
fn canonical_number(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 18 || (tok.len() > 1 && tok[0] == b'0') {
        return None;
    }
    let mut v: u64 = 0;
    for &b in tok {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    Some(v)
}

impl NodeTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when no node was interned.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The id of `tok`, adding it if new. Fails only on labels that are not UTF-8 or too many nodes.
    #[inline]
    pub fn intern(&mut self, tok: &[u8]) -> Result<u32, &'static str> {
        let next = self.codes.len();
        if let Some(v) = canonical_number(tok) {
            // The table covers numbers up to a few times the nodes seen so far: one line
            // `67108863 1` made it 256 MiB. Larger ones wait in the hash map until the table
            // grows past them (moved in then, so a number below its length is always in it).
            let cap = 16 * (next as u64 + 1) + (1 << 16);
            if v < DENSE_LIMIT && ((v as usize) < self.dense.len() || v < cap) {
                let i = v as usize;
                if i >= self.dense.len() {
                    let grow = (i + 1)
                        .max(self.dense.len() * 2)
                        .min(DENSE_LIMIT as usize)
                        .min(cap.max(i as u64 + 1) as usize);
                    self.dense.resize(grow, u32::MAX);
                    let dense = &mut self.dense;
                    self.numeric.retain(|&k, &mut id| {
                        let inside = (k as usize) < dense.len();
                        if inside {
                            dense[k as usize] = id;
                        }
                        !inside
                    });
                }
                if self.dense[i] != u32::MAX {
                    return Ok(self.dense[i]);
                }
                let id = Self::checked_id(next)?;
                self.dense[i] = id;
                self.codes.push(v);
                return Ok(id);
            }
            if let Some(&id) = self.numeric.get(&v) {
                return Ok(id);
            }
            let id = Self::checked_id(next)?;
            self.numeric.insert(v, id);
            self.codes.push(v);
            return Ok(id);
        }
        if tok.len() > MAX_LABEL_LEN {
            return Err("node label is longer than 1024 bytes (corrupt input or wrong column?)");
        }
        let s = std::str::from_utf8(tok).map_err(|_| "node label is not valid UTF-8")?;
        if let Some(&id) = self.named.get(s) {
            return Ok(id);
        }
        let id = Self::checked_id(next)?;
        self.named.insert(s.into(), id);
        self.codes.push(STR_BIT | self.strings.len() as u64);
        self.strings.push(s.into());
        Ok(id)
    }

    fn checked_id(next: usize) -> Result<u32, &'static str> {
        u32::try_from(next)
            .ok()
            .filter(|&i| i < u32::MAX)
            .ok_or("more than 4,294,967,294 distinct nodes")
    }

    /// The id of an existing label.
    pub fn get(&self, label: &str) -> Option<u32> {
        let (numeric, named) = if self.from_snapshot && !self.identity {
            let maps = self.lazy.get_or_init(|| {
                let mut num = FxHashMap::default();
                let mut nam = FxHashMap::default();
                for (id, &c) in self.codes.iter().enumerate() {
                    if c & STR_BIT != 0 {
                        nam.insert(self.strings[(c & !STR_BIT) as usize].clone(), id as u32);
                    } else {
                        num.insert(c, id as u32);
                    }
                }
                (num, nam)
            });
            (&maps.0, &maps.1)
        } else {
            (&self.numeric, &self.named)
        };
        match canonical_number(label.as_bytes()) {
            Some(v) if self.identity => (v < self.codes.len() as u64).then_some(v as u32),
            Some(v) if (v as usize) < self.dense.len() => {
                Some(self.dense[v as usize]).filter(|&i| i != u32::MAX)
            }
            Some(v) => numeric.get(&v).copied(),
            None => named.get(label).copied(),
        }
    }

    /// The label of node `id`.
    pub fn label(&self, id: u32) -> Cow<'_, str> {
        let c = self.codes[id as usize];
        if c & STR_BIT != 0 {
            Cow::Borrowed(&self.strings[(c & !STR_BIT) as usize])
        } else {
            Cow::Owned(c.to_string())
        }
    }

    /// Raw parts for serialisation: per-node codes (a number, or a string index with the top bit
    /// set) and the strings.
    pub fn parts(&self) -> (&[u64], &[Box<str>]) {
        (&self.codes, &self.strings)
    }

    /// Rebuilds a table from `parts()`; rejects codes that point past the strings or repeat.
    pub fn from_parts(codes: Vec<u64>, strings: Vec<Box<str>>) -> Result<Self, String> {
        let identity = codes.iter().enumerate().all(|(i, &c)| c == i as u64);
        // Checked here (cheaply) so that lookups and labels never index out of range; labels
        // are unique by construction and protected by the snapshot checksum.
        if codes
            .iter()
            .any(|&c| c & STR_BIT != 0 && (c & !STR_BIT) as usize >= strings.len())
        {
            return Err("label index out of range".into());
        }
        Ok(NodeTable {
            codes,
            strings,
            identity,
            from_snapshot: true,
            ..Default::default()
        })
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.codes.capacity() * 8
            + self.strings.iter().map(|s| s.len() + 16).sum::<usize>()
            + self.dense.capacity() * 4
            + self.numeric.capacity() * 13
            + self.named.capacity() * 21
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_number_first_keeps_its_id_when_the_table_grows_past_it() {
        let mut t = NodeTable::new();
        let big = t.intern(b"200000").unwrap();
        assert!(
            t.heap_bytes() < 1 << 20,
            "{} bytes for one node",
            t.heap_bytes()
        );
        // Enough nodes for the direct table to grow past 200000 and take it in.
        for i in 0..20_000u32 {
            t.intern(i.to_string().as_bytes()).unwrap();
        }
        assert_eq!(t.intern(b"200000").unwrap(), big);
        assert_eq!(t.get("200000"), Some(big));
        assert_eq!(t.label(big), "200000");
        assert_eq!(t.len(), 20_001);
        for i in [0u32, 19_999] {
            assert_eq!(t.get(&i.to_string()), Some(i + 1));
        }
    }

    #[test]
    fn labels_round_trip_exactly() {
        let mut t = NodeTable::new();
        let toks: [&[u8]; 7] = [
            b"42",
            b"@alice",
            b"042",
            b"0",
            b"42",
            b"-3",
            b"99999999999999999999",
        ];
        let ids: Vec<u32> = toks.iter().map(|t2| t.intern(t2).unwrap()).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 0, 4, 5]);
        for (tok, id) in toks.iter().zip(&ids) {
            assert_eq!(t.label(*id).as_bytes(), *tok);
            assert_eq!(t.get(std::str::from_utf8(tok).unwrap()), Some(*id));
        }
        assert_eq!(t.get("43"), None);
        assert!(t.intern(&[0xff, 0xfe]).is_err());
    }
}
