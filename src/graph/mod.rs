//! The follower graph: compressed sparse rows of out-edges (forward simulation) and in-edges
//! (reverse sampling), `u32` node ids, `u64` offsets, optional per-edge weights read from the file.
//!
//! Invariants: rows are sorted by neighbour id and hold no duplicates and no self-loops; the
//! in-CSR is the exact transpose of the out-CSR, and `in_weights[j]` is the weight of the same edge
//! as the matching forward entry.

mod build;
mod labels;
mod stats;

pub use build::{build_graph, BuildOptions, EdgeMeaning, MergeRule};
pub use labels::NodeTable;
pub use stats::{DegreeSummary, GraphStats};

use serde::Serialize;

/// What loading dropped or merged, reported to the user (never silent).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct LoadReport {
    /// The input as named.
    pub path: String,
    /// Edge lines read.
    pub lines: u64,
    /// Bytes of text read (after decompression).
    pub bytes: u64,
    /// Self-loops dropped.
    pub self_loops_dropped: u64,
    /// Duplicate arcs merged into one (after orientation and `--undirected`).
    pub duplicates_merged: u64,
    /// Whether `--undirected` added reverse arcs.
    pub undirected: bool,
    /// `influences` or `follows`.
    pub edge_meaning: String,
}

/// A directed influence graph: an arc `u -> v` means `u` can influence `v`.
#[derive(Debug, Clone)]
pub struct Graph {
    pub(crate) out_offsets: Vec<u64>,
    pub(crate) out_targets: Vec<u32>,
    pub(crate) in_offsets: Vec<u64>,
    pub(crate) in_sources: Vec<u32>,
    pub(crate) out_weights: Option<Vec<f32>>,
    pub(crate) in_weights: Option<Vec<f32>>,
    nodes: NodeTable,
    report: LoadReport,
}

impl Graph {
    /// Number of nodes (every distinct label in the input, including isolated ones).
    #[inline]
    pub fn num_nodes(&self) -> usize {
        self.out_offsets.len() - 1
    }

    /// Number of arcs after self-loop removal and merging.
    #[inline]
    pub fn num_edges(&self) -> usize {
        self.out_targets.len()
    }

    /// Out-neighbours of `u` (whom `u` influences), sorted.
    #[inline]
    pub fn out_neighbors(&self, u: u32) -> &[u32] {
        let (a, b) = (
            self.out_offsets[u as usize],
            self.out_offsets[u as usize + 1],
        );
        &self.out_targets[a as usize..b as usize]
    }

    /// In-neighbours of `v` (who influences `v`), sorted.
    #[inline]
    pub fn in_neighbors(&self, v: u32) -> &[u32] {
        let (a, b) = (self.in_offsets[v as usize], self.in_offsets[v as usize + 1]);
        &self.in_sources[a as usize..b as usize]
    }

    /// Range of `u`'s out-edges in the forward arrays.
    #[inline]
    pub fn out_range(&self, u: u32) -> std::ops::Range<usize> {
        self.out_offsets[u as usize] as usize..self.out_offsets[u as usize + 1] as usize
    }

    /// Range of `v`'s in-edges in the reverse arrays.
    #[inline]
    pub fn in_range(&self, v: u32) -> std::ops::Range<usize> {
        self.in_offsets[v as usize] as usize..self.in_offsets[v as usize + 1] as usize
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn out_degree(&self, u: u32) -> usize {
        (self.out_offsets[u as usize + 1] - self.out_offsets[u as usize]) as usize
    }

    /// In-degree of `v`.
    #[inline]
    pub fn in_degree(&self, v: u32) -> usize {
        (self.in_offsets[v as usize + 1] - self.in_offsets[v as usize]) as usize
    }

    /// Per-edge weights from the file, in forward order, if a probability column was read.
    pub fn out_weights(&self) -> Option<&[f32]> {
        self.out_weights.as_deref()
    }

    /// Per-edge weights from the file, in reverse order.
    pub fn in_weights(&self) -> Option<&[f32]> {
        self.in_weights.as_deref()
    }

    /// Labels and label lookup.
    pub fn nodes(&self) -> &NodeTable {
        &self.nodes
    }

    /// The label of `id`.
    pub fn label(&self, id: u32) -> std::borrow::Cow<'_, str> {
        self.nodes.label(id)
    }

    /// What loading dropped and merged.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Heap bytes held by the adjacency arrays (labels excluded).
    pub fn adjacency_bytes(&self) -> usize {
        8 * (self.out_offsets.len() + self.in_offsets.len())
            + 4 * (self.out_targets.len() + self.in_sources.len())
            + 4 * self.out_weights.as_ref().map_or(0, |w| w.len())
            + 4 * self.in_weights.as_ref().map_or(0, |w| w.len())
    }

    /// Assembles a graph from its arrays (snapshot loading); the caller has validated them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        out_offsets: Vec<u64>,
        out_targets: Vec<u32>,
        in_offsets: Vec<u64>,
        in_sources: Vec<u32>,
        out_weights: Option<Vec<f32>>,
        in_weights: Option<Vec<f32>>,
        nodes: NodeTable,
        report: LoadReport,
    ) -> Graph {
        Graph {
            out_offsets,
            out_targets,
            in_offsets,
            in_sources,
            out_weights,
            in_weights,
            nodes,
            report,
        }
    }

    /// Builds a graph directly from `(src, dst)` pairs over nodes `0..n` labelled by their number;
    /// used by tests, benchmarks and the generator.
    pub fn from_edges(n: usize, edges: &[(u32, u32)], weights: Option<&[f32]>) -> Graph {
        let mut nodes = NodeTable::new();
        for i in 0..n {
            nodes.intern(i.to_string().as_bytes()).expect("small graph");
        }
        let raw = crate::input::RawEdges {
            src: edges.iter().map(|e| e.0).collect(),
            dst: edges.iter().map(|e| e.1).collect(),
            weight: weights.map(|w| w.to_vec()),
            lines: edges.len() as u64,
            bytes: 0,
        };
        build_graph(nodes, raw, &BuildOptions::default(), "<memory>")
    }
}
