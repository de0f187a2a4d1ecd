//! Everything that reads user files: edge lists, cost tables, seed lists. No other module opens
//! input files.

mod costs;
mod edges;
pub mod reader;
mod seeds;

pub use costs::{read_costs, CostReadOptions, CostTable};
pub use edges::{
    csv_error, open_csv, parse_prob, read_edges, Column, EdgeFormat, EdgeReadOptions, RawEdges,
};
pub use seeds::{parse_seeds, SeedList};

use crate::error::Result;
use crate::graph::{build_graph, BuildOptions, Graph, NodeTable};

/// Reads an edge list and builds the graph in one step.
pub fn load_graph(path: &str, read: &EdgeReadOptions, build: &BuildOptions) -> Result<Graph> {
    let mut nodes = NodeTable::new();
    let raw = read_edges(path, read, &mut nodes)?;
    Ok(build_graph(nodes, raw, build, path))
}
