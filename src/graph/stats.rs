//! Graph summary for `seedplan stats`.

use super::{Graph, LoadReport};
use serde::Serialize;

/// Largest graph (in arcs) for which the strongly connected components are computed.
pub const SCC_MAX_EDGES: usize = 20_000_000;

/// Quantiles of a degree sequence.
#[derive(Debug, Clone, Serialize)]
pub struct DegreeSummary {
    /// Maximum.
    pub max: usize,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: usize,
    /// 90th percentile.
    pub p90: usize,
    /// 99th percentile.
    pub p99: usize,
    /// Nodes with degree 0.
    pub zero: usize,
}

/// What `stats` reports.
#[derive(Debug, Clone, Serialize)]
pub struct GraphStats {
    /// Distinct node labels in the input.
    pub nodes: usize,
    /// Arcs after self-loop removal and merging.
    pub edges: usize,
    /// Self-loops dropped.
    pub self_loops_dropped: u64,
    /// Duplicate arcs merged.
    pub duplicates_merged: u64,
    /// Data lines read.
    pub lines: u64,
    /// Max in-degree.
    pub max_in_degree: usize,
    /// Max out-degree.
    pub max_out_degree: usize,
    /// Nodes nobody influences (in-degree 0).
    pub nodes_in_degree_zero: usize,
    /// Nodes that influence nobody (out-degree 0).
    pub nodes_out_degree_zero: usize,
    /// Nodes with no arc at all.
    pub isolated_nodes: usize,
    /// Share of arcs whose reverse also exists.
    pub reciprocity: f64,
    /// In-degree distribution.
    pub in_degree: DegreeSummary,
    /// Out-degree distribution.
    pub out_degree: DegreeSummary,
    /// Size of the largest strongly connected component (petgraph's Kosaraju, iterative), if computed.
    pub largest_scc: Option<usize>,
    /// Bytes held by the adjacency arrays, per arc.
    pub bytes_per_edge: f64,
    /// Loading details.
    pub load: LoadReport,
}

fn summarize(mut d: Vec<usize>) -> DegreeSummary {
    let zero = d.iter().filter(|&&x| x == 0).count();
    let mean = d.iter().sum::<usize>() as f64 / d.len().max(1) as f64;
    d.sort_unstable();
    let q = |p: f64| d[((d.len() - 1) as f64 * p).round() as usize];
    DegreeSummary {
        max: *d.last().unwrap_or(&0),
        mean,
        median: q(0.5),
        p90: q(0.9),
        p99: q(0.99),
        zero,
    }
}

impl GraphStats {
    /// Computes the summary.
    pub fn compute(g: &Graph) -> Self {
        let n = g.num_nodes() as u32;
        let ins: Vec<usize> = (0..n).map(|v| g.in_degree(v)).collect();
        let outs: Vec<usize> = (0..n).map(|v| g.out_degree(v)).collect();
        let isolated = (0..n as usize)
            .filter(|&v| ins[v] == 0 && outs[v] == 0)
            .count();
        let reciprocal = (0..n)
            .map(|u| {
                g.out_neighbors(u)
                    .iter()
                    .filter(|&&v| g.out_neighbors(v).binary_search(&u).is_ok())
                    .count()
            })
            .sum::<usize>();
        let largest_scc = (g.num_edges() <= SCC_MAX_EDGES).then(|| {
            let mut pg = petgraph::Graph::<(), (), petgraph::Directed, u32>::with_capacity(
                n as usize,
                g.num_edges(),
            );
            for _ in 0..n {
                pg.add_node(());
            }
            for u in 0..n {
                for &v in g.out_neighbors(u) {
                    pg.add_edge(u.into(), v.into(), ());
                }
            }
            petgraph::algo::kosaraju_scc(&pg)
                .iter()
                .map(|c| c.len())
                .max()
                .unwrap_or(0)
        });
        GraphStats {
            nodes: n as usize,
            edges: g.num_edges(),
            self_loops_dropped: g.report().self_loops_dropped,
            duplicates_merged: g.report().duplicates_merged,
            lines: g.report().lines,
            max_in_degree: ins.iter().copied().max().unwrap_or(0),
            max_out_degree: outs.iter().copied().max().unwrap_or(0),
            nodes_in_degree_zero: ins.iter().filter(|&&d| d == 0).count(),
            nodes_out_degree_zero: outs.iter().filter(|&&d| d == 0).count(),
            isolated_nodes: isolated,
            reciprocity: reciprocal as f64 / g.num_edges().max(1) as f64,
            in_degree: summarize(ins),
            out_degree: summarize(outs),
            largest_scc,
            bytes_per_edge: g.adjacency_bytes() as f64 / g.num_edges().max(1) as f64,
            load: g.report().clone(),
        }
    }
}
