//! Everything that reads user files: edge lists, cost tables, seed lists. No other module opens
//! input files.

mod costs;
mod edges;
pub mod reader;
mod seeds;
pub mod snapshot;

pub use costs::{money, read_costs, read_costs_from_bytes, CostReadOptions, CostTable};
pub use edges::{
    csv_error, csv_from, open_csv, parse_prob, read_edges, read_edges_from_bytes, record_line,
    refuse_data_as_header, refuse_lost_comment, stored_prob, trim_unquoted, trim_unquoted_str,
    Column, CsvReader, EdgeFormat, EdgeReadOptions, RawEdges,
};
pub use seeds::{any_seed_in, parse_seeds, split_labels, PlannedUnder, SeedList};

use crate::error::Result;
use crate::graph::{build_graph, BuildOptions, Graph, NodeTable};

/// Reads an edge list and builds the graph in one step; a `.spg` snapshot (recognised by its
/// magic bytes) is loaded directly.
pub fn load_graph(path: &str, read: &EdgeReadOptions, build: &BuildOptions) -> Result<Graph> {
    if path != "-" && snapshot::is_snapshot_file(path) {
        let mut g = snapshot::load_snapshot(path)?;
        g.set_loaded_from(path);
        return Ok(g);
    }
    let mut nodes = NodeTable::new();
    let raw = read_edges(path, read, &mut nodes)?;
    Ok(build_graph(nodes, raw, build, path))
}
