//! Raw edges to CSR: orient, drop self-loops, counting-sort by source, sort and merge each row, then
//! transpose. Counting sort keeps memory at the edge arrays plus offsets (no comparison sort of
//! the whole edge list) and makes the layout independent of input order.

use super::{Forward, Graph, LoadReport, NodeTable};
use crate::input::RawEdges;
use rayon::prelude::*;

/// Which way an input line points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EdgeMeaning {
    /// `u v`: u's posts reach v (influence flows u -> v).
    #[default]
    Influences,
    /// `u v`: u follows v, so influence flows v -> u.
    Follows,
}

/// How weights of duplicate arcs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeRule {
    /// Independent cascade: p = 1 - (1 - p1)(1 - p2).
    #[default]
    Probability,
    /// Linear threshold: weights add.
    Sum,
}

impl MergeRule {
    /// The model whose rule this is (`ic`, `lt`), as a snapshot records it.
    pub fn model(self) -> &'static str {
        match self {
            MergeRule::Probability => "ic",
            MergeRule::Sum => "lt",
        }
    }
}

/// Graph construction options.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Edge direction convention of the input.
    pub meaning: EdgeMeaning,
    /// Add the reverse of every arc.
    pub undirected: bool,
    /// Merge rule for duplicate arcs' weights.
    pub merge: MergeRule,
}

/// Builds the CSR graph from interned raw edges.
pub fn build_graph(nodes: NodeTable, raw: RawEdges, opts: &BuildOptions, path: &str) -> Graph {
    let n = nodes.len();
    let RawEdges {
        mut src,
        mut dst,
        mut weight,
        lines,
        bytes,
        header_like,
        unused_prob,
    } = raw;
    if opts.meaning == EdgeMeaning::Follows {
        std::mem::swap(&mut src, &mut dst);
    }
    // Counted as given: an undirected self-loop is one line, not two arcs.
    let self_loops = src.iter().zip(&dst).filter(|(s, d)| s == d).count() as u64;
    if opts.undirected {
        let m = src.len();
        src.reserve(m);
        dst.reserve(m);
        for i in 0..m {
            src.push(dst[i]);
            dst.push(src[i]);
        }
        if let Some(w) = weight.as_mut() {
            w.extend_from_within(..);
        }
    }

    // Counting sort by source, skipping self-loops.
    let mut offsets = vec![0u64; n + 1];
    for (&s, &d) in src.iter().zip(&dst) {
        if s != d {
            offsets[s as usize + 1] += 1;
        }
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let kept = offsets[n] as usize;
    let mut targets = vec![0u32; kept];
    let mut wts = weight.as_ref().map(|_| vec![0f32; kept]);
    {
        let mut cursor: Vec<u64> = offsets[..n].to_vec();
        for i in 0..src.len() {
            let (s, d) = (src[i], dst[i]);
            if s == d {
                continue;
            }
            let c = &mut cursor[s as usize];
            targets[*c as usize] = d;
            if let (Some(w), Some(inw)) = (wts.as_mut(), weight.as_ref()) {
                w[*c as usize] = inw[i];
            }
            *c += 1;
        }
    }
    drop(src);
    drop(dst);
    drop(weight);

    // Sort each row by target and merge duplicates in place; rows are disjoint slices so this runs
    // in parallel without changing the result.
    let row_lens: Vec<u64> = {
        let mut t_rows = split_rows_mut(&mut targets, &offsets);
        match wts.as_mut() {
            None => t_rows
                .par_iter_mut()
                .map(|row| {
                    row.sort_unstable();
                    dedup_sorted(row) as u64
                })
                .collect(),
            Some(w) => {
                let mut w_rows = split_rows_mut(w, &offsets);
                t_rows
                    .par_iter_mut()
                    .zip(w_rows.par_iter_mut())
                    .map(|(row, wr)| sort_merge_weighted(row, wr, opts.merge) as u64)
                    .collect()
            }
        }
    };
    // Compact the rows.
    let mut new_off = vec![0u64; n + 1];
    let mut write = 0usize;
    for u in 0..n {
        let start = offsets[u] as usize;
        let len = row_lens[u] as usize;
        targets.copy_within(start..start + len, write);
        if let Some(w) = wts.as_mut() {
            w.copy_within(start..start + len, write);
        }
        write += len;
        new_off[u + 1] = write as u64;
    }
    let duplicates = (kept - write) as u64;
    targets.truncate(write);
    targets.shrink_to_fit();
    if let Some(w) = wts.as_mut() {
        w.truncate(write);
        w.shrink_to_fit();
    }

    let (in_off, in_src, in_w) = transpose(&new_off, &targets, wts.as_deref());
    let report = LoadReport {
        path: path.to_string(),
        lines,
        bytes,
        self_loops_dropped: self_loops,
        duplicates_merged: duplicates,
        weights_merged_for: (wts.is_some() && duplicates > 0).then(|| opts.merge.model().into()),
        loaded_from: None,
        undirected: opts.undirected,
        edge_meaning: match opts.meaning {
            EdgeMeaning::Influences => "influences".into(),
            EdgeMeaning::Follows => "follows".into(),
        },
        header_like,
        unused_prob,
    };
    let forward = Forward {
        offsets: new_off,
        targets,
        weights: wts,
    };
    Graph::from_parts(in_off, in_src, in_w, Some(forward), nodes, report)
}

/// The transpose of a CSR over `offsets.len() - 1` nodes, weights carried along. Rows are read
/// in increasing order, so the transposed rows come out sorted.
pub(super) fn transpose(
    offsets: &[u64],
    adj: &[u32],
    weights: Option<&[f32]>,
) -> (Vec<u64>, Vec<u32>, Option<Vec<f32>>) {
    let n = offsets.len() - 1;
    let mut t_off = vec![0u64; n + 1];
    for &t in adj {
        t_off[t as usize + 1] += 1;
    }
    for i in 0..n {
        t_off[i + 1] += t_off[i];
    }
    let mut t_adj = vec![0u32; adj.len()];
    let mut t_w = weights.map(|_| vec![0f32; adj.len()]);
    let mut cursor: Vec<u64> = t_off[..n].to_vec();
    for u in 0..n {
        for j in offsets[u] as usize..offsets[u + 1] as usize {
            let v = adj[j] as usize;
            let c = cursor[v] as usize;
            t_adj[c] = u as u32;
            if let (Some(tw), Some(w)) = (t_w.as_mut(), weights) {
                tw[c] = w[j];
            }
            cursor[v] += 1;
        }
    }
    (t_off, t_adj, t_w)
}

fn split_rows_mut<'a, T>(mut data: &'a mut [T], offsets: &[u64]) -> Vec<&'a mut [T]> {
    let mut rows = Vec::with_capacity(offsets.len().saturating_sub(1));
    for w in offsets.windows(2) {
        let (row, rest) = data.split_at_mut((w[1] - w[0]) as usize);
        rows.push(row);
        data = rest;
    }
    rows
}

fn dedup_sorted(row: &mut [u32]) -> usize {
    if row.is_empty() {
        return 0;
    }
    let mut w = 1;
    for r in 1..row.len() {
        if row[r] != row[w - 1] {
            row[w] = row[r];
            w += 1;
        }
    }
    w
}

fn sort_merge_weighted(row: &mut [u32], wr: &mut [f32], rule: MergeRule) -> usize {
    let mut pairs: Vec<(u32, f32)> = row.iter().copied().zip(wr.iter().copied()).collect();
    // Stable sort keeps file order among duplicates, so the merged value is reproducible.
    pairs.sort_by_key(|p| p.0);
    let mut w = 0usize;
    for (t, p) in pairs {
        if w > 0 && row[w - 1] == t {
            let q = wr[w - 1] as f64;
            wr[w - 1] = match rule {
                MergeRule::Probability => {
                    crate::input::stored_prob(1.0 - (1.0 - q) * (1.0 - p as f64))
                }
                MergeRule::Sum => {
                    let sum = q + p as f64;
                    // Above 1 the LT check names the node; below it, never rounded up to 1.
                    if sum <= 1.0 {
                        crate::input::stored_prob(sum)
                    } else {
                        sum as f32
                    }
                }
            };
        } else {
            row[w] = t;
            wr[w] = p;
            w += 1;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_loops_dropped_duplicates_merged_transpose_exact() {
        let g = Graph::from_edges(
            4,
            &[(0, 1), (1, 1), (0, 1), (2, 1), (1, 3), (3, 0)],
            Some(&[0.5, 1.0, 0.5, 0.2, 0.0, 1.0]),
        );
        assert_eq!(g.num_nodes(), 4);
        assert_eq!(g.num_edges(), 4);
        assert_eq!(g.report().self_loops_dropped, 1);
        assert_eq!(g.report().duplicates_merged, 1);
        assert_eq!(g.out_neighbors(0), &[1]);
        assert_eq!(g.out_weights().unwrap()[g.out_range(0)][0], 0.75);
        assert_eq!(g.in_neighbors(1), &[0, 2]);
        assert_eq!(g.in_weights().unwrap()[g.in_range(1)], [0.75, 0.2]);
        for v in 0..4u32 {
            for (k, &u) in g.in_neighbors(v).iter().enumerate() {
                let j = g.out_range(u).start + g.out_neighbors(u).binary_search(&v).unwrap();
                assert_eq!(
                    g.out_weights().unwrap()[j],
                    g.in_weights().unwrap()[g.in_range(v).start + k]
                );
            }
        }
    }

    #[test]
    fn follows_reverses_and_undirected_doubles() {
        let mut nodes = NodeTable::new();
        for l in ["a", "b", "c"] {
            nodes.intern(l.as_bytes()).unwrap();
        }
        let raw = RawEdges {
            src: vec![0, 1],
            dst: vec![1, 2],
            ..Default::default()
        };
        let opts = BuildOptions {
            meaning: EdgeMeaning::Follows,
            ..Default::default()
        };
        let g = build_graph(nodes.clone(), raw, &opts, "x");
        assert_eq!(g.out_neighbors(1), &[0]);
        assert_eq!(g.out_neighbors(2), &[1]);
        let raw = RawEdges {
            src: vec![0, 1, 1],
            dst: vec![1, 2, 0],
            ..Default::default()
        };
        let opts = BuildOptions {
            undirected: true,
            ..Default::default()
        };
        let g = build_graph(nodes, raw, &opts, "x");
        assert_eq!(g.num_edges(), 4);
        assert_eq!(g.report().duplicates_merged, 2);
    }
}
