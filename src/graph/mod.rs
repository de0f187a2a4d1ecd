//! The follower graph: compressed sparse rows of in-edges (reverse sampling) and out-edges
//! (forward simulation), `u32` node ids, `u64` offsets, optional per-edge weights read from the file.
//!
//! Invariants: rows are sorted by neighbour id and hold no duplicates and no self-loops; the
//! out-CSR is the exact transpose of the in-CSR, and `in_weights[j]` is the weight of the same edge
//! as the matching forward entry.
//!
//! The in-CSR is always held; the out-CSR is built from it on first use. Reverse-reachable
//! sampling never reads it, so `plan` with an RR engine on a snapshot does not hold it: 4 bytes
//! an edge and 8 a node less (3.9 MiB on soc-Slashdot0902), unless the probabilities need it
//! (`--probs file` reads the forward weights, trivalency draws by forward rows). A graph built
//! from text keeps the out-CSR its construction made.

mod build;
mod labels;
mod stats;

pub use build::{build_graph, BuildOptions, EdgeMeaning, MergeRule};
pub use labels::NodeTable;
pub use stats::{DegreeSummary, GraphStats};

use serde::Serialize;
use std::sync::OnceLock;

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
    /// When duplicates with probabilities were merged: the model whose rule merged them
    /// (`ic`: 1 - (1 - p)(1 - q); `lt`: p + q). A snapshot keeps it, so that a run under the
    /// other model can refuse weights merged for this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_merged_for: Option<String>,
    /// The file this graph was loaded from when that is not `path`: a snapshot's own path
    /// (`path` is then the edge list it was converted from). Not stored in snapshots.
    #[serde(skip)]
    pub loaded_from: Option<String>,
    /// Whether `--undirected` added reverse arcs.
    pub undirected: bool,
    /// `influences` or `follows`.
    pub edge_meaning: String,
    /// A first line read as an edge that looks like a header: its line and text
    /// (`RawEdges::header_like`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_like: Option<(u64, String)>,
    /// A column of probabilities the load did not read (`RawEdges::unused_prob`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_prob: Option<String>,
}

/// A directed influence graph: an arc `u -> v` means `u` can influence `v`.
#[derive(Debug, Clone)]
pub struct Graph {
    pub(crate) in_offsets: Vec<u64>,
    pub(crate) in_sources: Vec<u32>,
    pub(crate) in_weights: Option<Vec<f32>>,
    forward: OnceLock<Forward>,
    nodes: NodeTable,
    report: LoadReport,
}

/// The out-CSR, the transpose of the in-CSR.
#[derive(Debug, Clone)]
pub(crate) struct Forward {
    pub(crate) offsets: Vec<u64>,
    pub(crate) targets: Vec<u32>,
    pub(crate) weights: Option<Vec<f32>>,
}

impl Graph {
    /// Number of nodes (every distinct label in the input, including isolated ones).
    #[inline]
    pub fn num_nodes(&self) -> usize {
        self.in_offsets.len() - 1
    }

    /// Number of arcs after self-loop removal and merging.
    #[inline]
    pub fn num_edges(&self) -> usize {
        self.in_sources.len()
    }

    /// The out-CSR, built from the in-CSR on first use.
    #[inline]
    pub(crate) fn forward(&self) -> &Forward {
        self.forward.get_or_init(|| {
            let (offsets, targets, weights) = build::transpose(
                &self.in_offsets,
                &self.in_sources,
                self.in_weights.as_deref(),
            );
            Forward {
                offsets,
                targets,
                weights,
            }
        })
    }

    /// Whether the out-CSR is held (built, or kept from construction).
    pub fn has_forward(&self) -> bool {
        self.forward.get().is_some()
    }

    /// Heap bytes of the out-CSR, held or not (what building it will take).
    pub fn forward_bytes(&self) -> usize {
        let m = self.num_edges();
        8 * (self.num_nodes() + 1) + 4 * m + self.in_weights.as_ref().map_or(0, |_| 4 * m)
    }

    /// Out-neighbours of `u` (whom `u` influences), sorted.
    #[inline]
    pub fn out_neighbors(&self, u: u32) -> &[u32] {
        let f = self.forward();
        let (a, b) = (f.offsets[u as usize], f.offsets[u as usize + 1]);
        &f.targets[a as usize..b as usize]
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
        let f = self.forward();
        f.offsets[u as usize] as usize..f.offsets[u as usize + 1] as usize
    }

    /// Range of `v`'s in-edges in the reverse arrays.
    #[inline]
    pub fn in_range(&self, v: u32) -> std::ops::Range<usize> {
        self.in_offsets[v as usize] as usize..self.in_offsets[v as usize + 1] as usize
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn out_degree(&self, u: u32) -> usize {
        let f = self.forward();
        (f.offsets[u as usize + 1] - f.offsets[u as usize]) as usize
    }

    /// In-degree of `v`.
    #[inline]
    pub fn in_degree(&self, v: u32) -> usize {
        (self.in_offsets[v as usize + 1] - self.in_offsets[v as usize]) as usize
    }

    /// Per-edge weights from the file, in forward order, if a probability column was read.
    pub fn out_weights(&self) -> Option<&[f32]> {
        // Without weights there is nothing to transpose for.
        self.in_weights.as_ref()?;
        self.forward().weights.as_deref()
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

    /// The file the user gave for this graph (a snapshot's own path, not its source's), for
    /// messages.
    pub fn source(&self) -> &str {
        self.report
            .loaded_from
            .as_deref()
            .unwrap_or(&self.report.path)
    }

    /// Records the snapshot file this graph was loaded from.
    pub(crate) fn set_loaded_from(&mut self, path: &str) {
        self.report.loaded_from = Some(path.to_string());
    }

    /// Heap bytes held by the adjacency arrays (labels excluded), the out-CSR only if held.
    pub fn adjacency_bytes(&self) -> usize {
        let fwd = self.forward.get().map_or(0, |f| {
            8 * f.offsets.len()
                + 4 * f.targets.len()
                + 4 * f.weights.as_ref().map_or(0, |w| w.len())
        });
        fwd + 8 * self.in_offsets.len()
            + 4 * self.in_sources.len()
            + 4 * self.in_weights.as_ref().map_or(0, |w| w.len())
    }

    /// Assembles a graph from its in-CSR and, when one is at hand, the matching out-CSR (the
    /// caller has validated them).
    pub(crate) fn from_parts(
        in_offsets: Vec<u64>,
        in_sources: Vec<u32>,
        in_weights: Option<Vec<f32>>,
        forward: Option<Forward>,
        nodes: NodeTable,
        report: LoadReport,
    ) -> Graph {
        let cell = OnceLock::new();
        if let Some(f) = forward {
            let _ = cell.set(f);
        }
        Graph {
            in_offsets,
            in_sources,
            in_weights,
            forward: cell,
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
            ..Default::default()
        };
        build_graph(nodes, raw, &BuildOptions::default(), "<memory>")
    }
}
